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
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
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

// Field handler builders, so message decoders read as declarations.

export const field = {
  uint64(set: (v: bigint) => void): FieldHandler {
    return { wire: WIRE_VARINT, read: (r) => set(r.varint()) };
  },
  uint32(set: (v: number) => void): FieldHandler {
    return {
      wire: WIRE_VARINT,
      read: (r) => {
        const v = r.varint();
        if (v > 0xffffffffn) throw new CodecError("PROTO_FIELD_RANGE", "uint32 out of range");
        set(Number(v));
      },
    };
  },
  /** Enums and int32 are sign-extended varints on the wire; we accept the non-negative ones. */
  enumeration(set: (v: number) => void): FieldHandler {
    return {
      wire: WIRE_VARINT,
      read: (r) => {
        const v = r.varint();
        if (v > 0x7fffffffn) throw new CodecError("PROTO_FIELD_RANGE", "enum value out of range");
        set(Number(v));
      },
    };
  },
  bool(set: (v: boolean) => void): FieldHandler {
    return {
      wire: WIRE_VARINT,
      read: (r) => {
        const v = r.varint();
        if (v > 1n) throw new CodecError("PROTO_FIELD_RANGE", "bool must be 0 or 1");
        set(v === 1n);
      },
    };
  },
  bytes(set: (v: Uint8Array) => void): FieldHandler {
    return { wire: WIRE_LEN, read: (r) => set(r.bytes()) };
  },
  string(set: (v: string) => void): FieldHandler {
    return {
      wire: WIRE_LEN,
      read: (r) => {
        const raw = r.bytes();
        try {
          set(utf8Decode(raw));
        } catch {
          throw new CodecError("PROTO_INVALID_UTF8", "string is not valid UTF-8");
        }
      },
    };
  },
  message<T>(decode: (bytes: Uint8Array) => T, set: (v: T) => void): FieldHandler {
    return { wire: WIRE_LEN, read: (r) => set(decode(r.bytes())) };
  },
} as const;

/** Writes canonical proto3: fields in the order written, default values omitted by the helpers. */
export class ProtoWriter {
  private chunks: Uint8Array[] = [];
  private length = 0;

  private push(chunk: Uint8Array): void {
    this.chunks.push(chunk);
    this.length += chunk.length;
  }

  private rawVarint(value: bigint | number): void {
    if (typeof value === "number" && Number.isInteger(value) && value >= 0 && value < 0x1000_0000) {
      // Fast path for tags and lengths (< 2^28): no BigInt.
      const out: number[] = [];
      let n = value;
      while (n >= 0x80) {
        out.push((n & 0x7f) | 0x80);
        n >>>= 7;
      }
      out.push(n);
      this.push(Uint8Array.from(out));
      return;
    }
    let v = BigInt(value);
    if (v < 0n || v >> 64n !== 0n) throw new CodecError("PROTO_FIELD_RANGE", "varint out of range");
    const out: number[] = [];
    while (v >= 0x80n) {
      out.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    out.push(Number(v));
    this.push(Uint8Array.from(out));
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
    return this.bytes(fieldNumber, utf8Encode(value), always);
  }

  /** An embedded message; always written (an empty message is still present). */
  message(fieldNumber: number, encoded: Uint8Array): this {
    return this.bytes(fieldNumber, encoded, true);
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.length);
    let offset = 0;
    for (const chunk of this.chunks) {
      out.set(chunk, offset);
      offset += chunk.length;
    }
    return out;
  }
}
