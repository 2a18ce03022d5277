/**
 * The protobuf wire format, strictly: varints of at most 10 bytes that fit in 64 bits, lengths within
 * the buffer, valid UTF-8 in strings, known wire types only (no groups). Decoders built on `decodeFields`
 * refuse unknown fields unless the caller allows them (Cosmos SDK's "non-critical" rule, ADR-020:
 * unknown fields whose number has bit 10 (1024) set may be skipped).
 */
import { utf8Decode, utf8Encode } from "../primitives/bytes.ts";
import { isCodedError } from "../primitives/errors.ts";
import { CodecError } from "./errors.ts";

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_LEN = 2;
export const WIRE_FIXED32 = 5;

export type WireType = 0 | 1 | 2 | 5;

export class ProtoReader {
  private pos = 0;
  private readonly end: number;

  constructor(private readonly buf: Uint8Array) {
    this.end = buf.length;
  }

  get offset(): number {
    return this.pos;
  }

  eof(): boolean {
    return this.pos >= this.end;
  }

  /** An unsigned varint as bigint (at most 64 bits, at most 10 bytes). */
  varint(): bigint {
    // Up to 7 bytes (49 bits) the value is exact in a double: one BigInt at the end instead of one
    // per byte. Longer varints continue below from where this stopped.
    let small = 0;
    let scale = 1;
    for (let i = 0; i < 7; i++) {
      if (this.pos >= this.end) throw new CodecError("PROTO_TRUNCATED", "truncated varint");
      const b = this.buf[this.pos++]!;
      small += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) return BigInt(small);
      scale *= 128;
    }
    let result = BigInt(small);
    let shift = 49n;
    for (let i = 7; i < 10; i++) {
      if (this.pos >= this.end) throw new CodecError("PROTO_TRUNCATED", "truncated varint");
      const b = this.buf[this.pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) {
        if (result >> 64n !== 0n) throw new CodecError("PROTO_VARINT", "varint overflows 64 bits");
        return result;
      }
      shift += 7n;
    }
    throw new CodecError("PROTO_VARINT", "varint longer than 10 bytes");
  }

  /** A varint that must fit in a JS safe integer (tags, lengths, enums). */
  smallVarint(): number {
    // Fast path for the common one- and two-byte cases.
    const b0 = this.buf[this.pos];
    if (b0 !== undefined && b0 < 0x80) {
      this.pos++;
      return b0;
    }
    const v = this.varint();
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new CodecError("PROTO_FIELD_RANGE", "value too large");
    return Number(v);
  }

  tag(): { field: number; wire: WireType } {
    const key = this.smallVarint();
    const field = Math.floor(key / 8);
    const wire = key & 7;
    if (field < 1 || field > 536_870_911) throw new CodecError("PROTO_FIELD_RANGE", `invalid field number ${field}`);
    if (wire !== WIRE_VARINT && wire !== WIRE_FIXED64 && wire !== WIRE_LEN && wire !== WIRE_FIXED32) {
      throw new CodecError("PROTO_WIRE_TYPE", `unsupported wire type ${wire} for field ${field}`);
    }
    return { field, wire };
  }

  bytes(): Uint8Array {
    const length = this.smallVarint();
    if (length > this.end - this.pos) throw new CodecError("PROTO_TRUNCATED", "length-delimited field overruns buffer");
    const out = this.buf.subarray(this.pos, this.pos + length);
    this.pos += length;
    return out;
  }

  fixed64(): Uint8Array {
    if (this.end - this.pos < 8) throw new CodecError("PROTO_TRUNCATED", "truncated fixed64");
    const out = this.buf.subarray(this.pos, this.pos + 8);
    this.pos += 8;
    return out;
  }

  fixed32(): Uint8Array {
    if (this.end - this.pos < 4) throw new CodecError("PROTO_TRUNCATED", "truncated fixed32");
    const out = this.buf.subarray(this.pos, this.pos + 4);
    this.pos += 4;
    return out;
  }

  skip(wire: WireType): void {
    if (wire === WIRE_VARINT) this.varint();
    else if (wire === WIRE_FIXED64) this.fixed64();
    else if (wire === WIRE_LEN) this.bytes();
    else this.fixed32();
  }
}

/** How one field is read: its wire type and what to do with the reader positioned at its value. */
export interface FieldHandler {
  readonly wire: WireType;
  read(reader: ProtoReader): void;
}

export interface DecodeFieldsOptions {
  /** Skip unknown fields whose number has bit 10 set (Cosmos "non-critical" extension fields). */
  readonly allowNonCritical?: boolean;
  /** Skip every unknown field (for messages the node only passes through). */
  readonly allowUnknown?: boolean;
}

/** Reads a message, dispatching each field to its handler; unknown fields are an error by default. */
export function decodeFields(
  bytes: Uint8Array,
  what: string,
  handlers: Readonly<Record<number, FieldHandler>>,
  options: DecodeFieldsOptions = {},
): void {
  const reader = new ProtoReader(bytes);
  while (!reader.eof()) {
    const { field, wire } = reader.tag();
    const handler = handlers[field];
    if (handler === undefined) {
      const tolerated = options.allowUnknown === true || (options.allowNonCritical === true && (field & 1024) !== 0);
      if (!tolerated) throw new CodecError("PROTO_UNKNOWN_FIELD", `${what}: unknown field ${field}`);
      reader.skip(wire);
      continue;
    }
    if (handler.wire !== wire) {
      throw new CodecError(
        "PROTO_WIRE_TYPE",
        `${what}: field ${field} has wire type ${wire}, expected ${handler.wire}`,
      );
    }
    try {
      handler.read(reader);
    } catch (e) {
      if (isCodedError(e) && !e.message.startsWith(what)) {
        throw new CodecError(e.code as CodecError["code"], `${what}.${field}: ${e.message}`);
      }
      throw e;
    }
  }
}

/** Short ASCII strings (denoms, type URLs, addresses) are most strings; they skip the text codecs. */
const SHORT_STRING = 64;

/** UTF-8 of `text` (what `utf8Encode` returns). */
function encodeString(text: string): Uint8Array {
  const n = text.length;
  if (n <= SHORT_STRING) {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c >= 0x80) return utf8Encode(text);
      out[i] = c;
    }
    return out;
  }
  return utf8Encode(text);
}

/** Below this length a character loop beats the native decoder's call overhead. */
const TINY_STRING = 12;

/**
 * The text of UTF-8 `bytes` (what `utf8Decode` returns, throwing as it does): what a string field
 * decodes to (hand-written fast-path decoders use it to give exactly `field.string`'s text).
 */
export function decodeString(bytes: Uint8Array): string {
  const n = bytes.length;
  // Longer strings (addresses, type URLs): the native decoder makes the string in one allocation,
  // where a loop would make one intermediate string per character.
  if (n > TINY_STRING) return utf8Decode(bytes);
  let text = "";
  for (let i = 0; i < n; i++) {
    const b = bytes[i]!;
    if (b >= 0x80) return utf8Decode(bytes);
    text += String.fromCharCode(b);
  }
  return text;
}

// Field handler builders, so message decoders read as declarations. The handlers are small classes
// rather than object literals with arrow functions: decoders build them on every call, and a class
// allocates no per-call function objects (nor, under a keep-names transpiler, a per-call rename).

class Uint64Handler implements FieldHandler {
  readonly wire = WIRE_VARINT;
  constructor(private readonly set: (v: bigint) => void) {}
  read(r: ProtoReader): void {
    this.set(r.varint());
  }
}

class Uint32Handler implements FieldHandler {
  readonly wire = WIRE_VARINT;
  constructor(private readonly set: (v: number) => void) {}
  read(r: ProtoReader): void {
    const v = r.varint();
    if (v > 0xffffffffn) throw new CodecError("PROTO_FIELD_RANGE", "uint32 out of range");
    this.set(Number(v));
  }
}

class EnumHandler implements FieldHandler {
  readonly wire = WIRE_VARINT;
  constructor(private readonly set: (v: number) => void) {}
  read(r: ProtoReader): void {
    const v = r.varint();
    if (v > 0x7fffffffn) throw new CodecError("PROTO_FIELD_RANGE", "enum value out of range");
    this.set(Number(v));
  }
}

class BoolHandler implements FieldHandler {
  readonly wire = WIRE_VARINT;
  constructor(private readonly set: (v: boolean) => void) {}
  read(r: ProtoReader): void {
    const v = r.varint();
    if (v > 1n) throw new CodecError("PROTO_FIELD_RANGE", "bool must be 0 or 1");
    this.set(v === 1n);
  }
}

class BytesHandler implements FieldHandler {
  readonly wire = WIRE_LEN;
  constructor(private readonly set: (v: Uint8Array) => void) {}
  read(r: ProtoReader): void {
    this.set(r.bytes());
  }
}

class StringHandler implements FieldHandler {
  readonly wire = WIRE_LEN;
  constructor(private readonly set: (v: string) => void) {}
  read(r: ProtoReader): void {
    const raw = r.bytes();
    try {
      this.set(decodeString(raw));
    } catch {
      throw new CodecError("PROTO_INVALID_UTF8", "string is not valid UTF-8");
    }
  }
}

class MessageHandler<T> implements FieldHandler {
  readonly wire = WIRE_LEN;
  constructor(
    private readonly decode: (bytes: Uint8Array) => T,
    private readonly set: (v: T) => void,
  ) {}
  read(r: ProtoReader): void {
    this.set(this.decode(r.bytes()));
  }
}

export const field = {
  uint64(set: (v: bigint) => void): FieldHandler {
    return new Uint64Handler(set);
  },
  uint32(set: (v: number) => void): FieldHandler {
    return new Uint32Handler(set);
  },
  /** Enums and int32 are sign-extended varints on the wire; we accept the non-negative ones. */
  enumeration(set: (v: number) => void): FieldHandler {
    return new EnumHandler(set);
  },
  bool(set: (v: boolean) => void): FieldHandler {
    return new BoolHandler(set);
  },
  bytes(set: (v: Uint8Array) => void): FieldHandler {
    return new BytesHandler(set);
  },
  string(set: (v: string) => void): FieldHandler {
    return new StringHandler(set);
  },
  message<T>(decode: (bytes: Uint8Array) => T, set: (v: T) => void): FieldHandler {
    return new MessageHandler(decode, set);
  },
} as const;

/** Size of the scratch buffers writers borrow; a message that outgrows one moves to its own buffer. */
const SCRATCH_SIZE = 1024;
/** Scratch buffers not lent out (nested messages borrow one each; a few suffice). */
const scratchPool: Uint8Array[] = [];
const SCRATCH_KEPT = 16;

function returnScratch(buf: Uint8Array): void {
  if (scratchPool.length < SCRATCH_KEPT) scratchPool.push(buf);
}

/** Writes canonical proto3: fields in the order written, default values omitted by the helpers. */
export class ProtoWriter {
  // One buffer for the whole message: encoders write many small fields, and a chunk per field cost
  // more than the bytes. It is a scratch buffer borrowed from a pool (allocating and growing a typed
  // array per message cost more than the encoding) and given back by `finish`, which hands out a copy;
  // after `finish` the writer owns that copy, so a second `finish` or further writes stay correct.
  private buf: Uint8Array = scratchPool.pop() ?? new Uint8Array(SCRATCH_SIZE);
  private borrowed = true;
  private length = 0;

  private reserve(extra: number): void {
    const needed = this.length + extra;
    if (needed <= this.buf.length) return;
    let size = Math.max(this.buf.length * 2, 64);
    while (size < needed) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.length));
    if (this.borrowed) {
      returnScratch(this.buf);
      this.borrowed = false;
    }
    this.buf = next;
  }

  private push(chunk: Uint8Array): void {
    const n = chunk.length;
    this.reserve(n);
    if (n <= 32) {
      const buf = this.buf;
      let at = this.length;
      for (let i = 0; i < n; i++) buf[at++] = chunk[i]!;
    } else {
      this.buf.set(chunk, this.length);
    }
    this.length += n;
  }

  private rawVarint(value: bigint | number): void {
    let small = -1;
    if (typeof value === "number") {
      if (Number.isInteger(value) && value >= 0 && value < 0x1000_0000) small = value;
    } else if (value >= 0n && value < 0x1000_0000n) {
      small = Number(value);
    }
    if (small >= 0) {
      // Tags, lengths and small numbers (< 2^28): no BigInt arithmetic.
      this.reserve(4);
      const buf = this.buf;
      let n = small;
      while (n >= 0x80) {
        buf[this.length++] = (n & 0x7f) | 0x80;
        n >>>= 7;
      }
      buf[this.length++] = n;
      return;
    }
    let v = BigInt(value);
    if (v < 0n || v >> 64n !== 0n) throw new CodecError("PROTO_FIELD_RANGE", "varint out of range");
    this.reserve(10);
    const buf = this.buf;
    while (v >= 0x80n) {
      buf[this.length++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    buf[this.length++] = Number(v);
  }

  private key(fieldNumber: number, wire: WireType): void {
    this.rawVarint(fieldNumber * 8 + wire);
  }

  /** uint64/uint32/enum; omitted when zero unless `always`. */
  uint(fieldNumber: number, value: bigint | number, always = false): this {
    if (!always && BigInt(value) === 0n) return this;
    this.key(fieldNumber, WIRE_VARINT);
    this.rawVarint(value);
    return this;
  }

  bool(fieldNumber: number, value: boolean): this {
    return value ? this.uint(fieldNumber, 1) : this;
  }

  /** bytes; omitted when empty unless `always` (repeated fields write every element). */
  bytes(fieldNumber: number, value: Uint8Array, always = false): this {
    if (!always && value.length === 0) return this;
    this.key(fieldNumber, WIRE_LEN);
    this.rawVarint(value.length);
    this.push(value);
    return this;
  }

  string(fieldNumber: number, value: string, always = false): this {
    const n = value.length;
    if (n <= SHORT_STRING && (n > 0 || always)) {
      // Short ASCII text (denoms, addresses, type URLs) straight into the buffer: its UTF-8 is its
      // characters, and its length (< 128) a one-byte varint. Anything else takes the general path.
      const start = this.length;
      this.key(fieldNumber, WIRE_LEN);
      this.reserve(1 + n);
      const buf = this.buf;
      let at = this.length;
      buf[at++] = n;
      let ascii = true;
      for (let i = 0; i < n; i++) {
        const c = value.charCodeAt(i);
        if (c >= 0x80) {
          ascii = false;
          break;
        }
        buf[at++] = c;
      }
      if (ascii) {
        this.length = at;
        return this;
      }
      this.length = start;
    }
    return this.bytes(fieldNumber, encodeString(value), always);
  }

  /** An embedded message; always written (an empty message is still present). */
  message(fieldNumber: number, encoded: Uint8Array): this {
    return this.bytes(fieldNumber, encoded, true);
  }

  finish(): Uint8Array {
    const out = this.buf.slice(0, this.length);
    if (this.borrowed) {
      returnScratch(this.buf);
      this.borrowed = false;
      this.buf = out;
    }
    return out;
  }
}
