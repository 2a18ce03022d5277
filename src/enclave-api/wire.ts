/**
 * The binary encoding of enclave messages: a schema is plain data (so tests can derive generators
 * from it) and one interpreter encodes and decodes every message.
 *
 * | schema | encoding |
 * |---|---|
 * | `bytes(n)` | exactly `n` raw bytes |
 * | `bytes()` | `BE32(len) ‖ bytes` |
 * | `u32` | `BE32` |
 * | `u64` | `BE64` (a bigint) |
 * | `bool` | one byte, `0` or `1` |
 * | `string` | `BE32(len) ‖ UTF-8` (strictly valid) |
 * | `optional(s)` | `00`, or `01 ‖ s` |
 * | `list(s, max)` | `BE32(count ≤ max) ‖ items` |
 * | `struct({…})` | the fields in declaration order, no tags |
 *
 * The decoder trusts nothing: every length is checked against the bytes left before anything is
 * allocated, booleans and option tags must be 0 or 1, strings must be valid UTF-8 and the payload
 * must be consumed exactly. Both sides run the same protocol version, so fields carry no tags.
 */
import { utf8Decode, utf8Encode } from "../primitives/bytes.ts";
import { EnclaveApiError } from "./errors.ts";

/** The TypeScript type a schema stands for (a type-only field; schema objects never carry it). */
interface Typed<T> {
  readonly __value: T;
}

export interface BytesSchema extends Typed<Uint8Array> {
  readonly kind: "bytes";
  /** A fixed length, or undefined for a length-prefixed field. */
  readonly length: number | undefined;
}
export interface U32Schema extends Typed<number> {
  readonly kind: "u32";
}
export interface U64Schema extends Typed<bigint> {
  readonly kind: "u64";
}
export interface BoolSchema extends Typed<boolean> {
  readonly kind: "bool";
}
export interface StringSchema extends Typed<string> {
  readonly kind: "string";
}
export interface OptionalSchema<T = unknown> extends Typed<T | undefined> {
  readonly kind: "optional";
  readonly of: Schema;
}
export interface ListSchema<T = unknown> extends Typed<T[]> {
  readonly kind: "list";
  readonly of: Schema;
  readonly max: number;
}
export interface StructSchema<T = unknown> extends Typed<T> {
  readonly kind: "struct";
  readonly fields: Readonly<Record<string, Schema>>;
  /** `fields` as an array, in declaration order (computed once). */
  readonly entries: readonly (readonly [string, Schema])[];
}
export type Schema =
  BytesSchema | U32Schema | U64Schema | BoolSchema | StringSchema | OptionalSchema | ListSchema | StructSchema;

/** The TypeScript value type of a schema. */
export type Infer<S> = S extends Typed<infer T> ? T : never;

type OptionalKeys<F> = { [K in keyof F]: F[K] extends OptionalSchema ? K : never }[keyof F];
type RequiredKeys<F> = Exclude<keyof F, OptionalKeys<F>>;
type Simplify<T> = { [K in keyof T]: T[K] } & {};
/** A struct's value: optional fields may be left out. */
export type StructValue<F> = Simplify<
  { -readonly [K in RequiredKeys<F>]: Infer<F[K]> } & { -readonly [K in OptionalKeys<F>]?: Infer<F[K]> }
>;

export const w = {
  bytes: (length?: number): BytesSchema => ({ kind: "bytes", length }) as BytesSchema,
  u32: { kind: "u32" } as U32Schema,
  u64: { kind: "u64" } as U64Schema,
  bool: { kind: "bool" } as BoolSchema,
  string: { kind: "string" } as StringSchema,
  optional: <S extends Schema>(of: S): OptionalSchema<Infer<S>> =>
    ({ kind: "optional", of }) as OptionalSchema<Infer<S>>,
  list: <S extends Schema>(of: S, max: number): ListSchema<Infer<S>> =>
    ({ kind: "list", of, max }) as ListSchema<Infer<S>>,
  struct: <F extends Readonly<Record<string, Schema>>>(fields: F): StructSchema<StructValue<F>> =>
    ({ kind: "struct", fields, entries: Object.entries(fields) }) as unknown as StructSchema<StructValue<F>>,
} as const;

const U32_MAX = 0xffff_ffff;
const U64_MAX = (1n << 64n) - 1n;

function badValue(path: string, what: string): EnclaveApiError {
  return new EnclaveApiError("ENCLAVE_API_BAD_REQUEST", `${path}: ${what}`);
}

function malformed(what: string): EnclaveApiError {
  return new EnclaveApiError("ENCLAVE_API_MALFORMED", what);
}

const SCRATCH_KEEP_BYTES = 4 * 1024 * 1024;

/** A growable output buffer. */
export class Writer {
  #buf: Uint8Array;
  #view: DataView;
  #len = 0;

  constructor(initial = 64) {
    this.#buf = new Uint8Array(initial);
    this.#view = new DataView(this.#buf.buffer);
  }

  #reserve(n: number): void {
    if (this.#len + n <= this.#buf.length) return;
    let size = this.#buf.length * 2;
    while (size < this.#len + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.#buf.subarray(0, this.#len));
    this.#buf = next;
    this.#view = new DataView(next.buffer);
  }

  u8(v: number): void {
    this.#reserve(1);
    this.#buf[this.#len++] = v;
  }

  u16(v: number): void {
    this.#reserve(2);
    this.#view.setUint16(this.#len, v, false);
    this.#len += 2;
  }

  u32(v: number): void {
    this.#reserve(4);
    this.#view.setUint32(this.#len, v, false);
    this.#len += 4;
  }

  u64(v: bigint): void {
    this.#reserve(8);
    this.#view.setBigUint64(this.#len, v, false);
    this.#len += 8;
  }

  raw(bytes: Uint8Array): void {
    this.#reserve(bytes.length);
    this.#buf.set(bytes, this.#len);
    this.#len += bytes.length;
  }

  /** The bytes written (a view; valid until the writer is used again). */
  finish(): Uint8Array {
    return this.#buf.subarray(0, this.#len);
  }

  /**
   * Empties the writer for reuse as a scratch buffer (for every frame a side sends), keeping its buffer
   * unless one huge message grew it past 4 MiB.
   */
  reset(): void {
    this.#len = 0;
    if (this.#buf.length > SCRATCH_KEEP_BYTES) {
      this.#buf = new Uint8Array(64 * 1024);
      this.#view = new DataView(this.#buf.buffer);
    }
  }
}

/** A bounds-checked reader over bytes received from the other side. */
export class Reader {
  readonly #bytes: Uint8Array;
  readonly #view: DataView;
  #pos = 0;

  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get remaining(): number {
    return this.#bytes.length - this.#pos;
  }

  #need(n: number, what: string): void {
    if (n > this.remaining) throw malformed(`truncated ${what}: need ${n} bytes, ${this.remaining} left`);
  }

  u8(what: string): number {
    this.#need(1, what);
    return this.#bytes[this.#pos++]!;
  }

  u16(what: string): number {
    this.#need(2, what);
    const v = this.#view.getUint16(this.#pos, false);
    this.#pos += 2;
    return v;
  }

  u32(what: string): number {
    this.#need(4, what);
    const v = this.#view.getUint32(this.#pos, false);
    this.#pos += 4;
    return v;
  }

  u64(what: string): bigint {
    this.#need(8, what);
    const v = this.#view.getBigUint64(this.#pos, false);
    this.#pos += 8;
    return v;
  }

  /** A copy of the next `n` bytes. */
  raw(n: number, what: string): Uint8Array {
    this.#need(n, what);
    const out = this.#bytes.slice(this.#pos, this.#pos + n);
    this.#pos += n;
    return out;
  }

  /** Everything left, as a view (no copy). */
  restView(): Uint8Array {
    const out = this.#bytes.subarray(this.#pos);
    this.#pos = this.#bytes.length;
    return out;
  }

  end(what: string): void {
    if (this.remaining !== 0) throw malformed(`${this.remaining} trailing bytes after ${what}`);
  }
}

function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}

/** Writes `value` by `schema`; a value that does not fit the schema is ENCLAVE_API_BAD_REQUEST. */
export function writeValue(out: Writer, schema: Schema, value: unknown, path: string): void {
  switch (schema.kind) {
    case "bytes": {
      if (!(value instanceof Uint8Array)) throw badValue(path, "expected a Uint8Array");
      if (schema.length !== undefined) {
        if (value.length !== schema.length)
          throw badValue(path, `expected ${schema.length} bytes, got ${value.length}`);
      } else {
        if (value.length > U32_MAX) throw badValue(path, "too long");
        out.u32(value.length);
      }
      out.raw(value);
      return;
    }
    case "u32":
      if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > U32_MAX) {
        throw badValue(path, "expected an unsigned 32-bit integer");
      }
      out.u32(value);
      return;
    case "u64":
      if (typeof value !== "bigint" || value < 0n || value > U64_MAX)
        throw badValue(path, "expected an unsigned 64-bit bigint");
      out.u64(value);
      return;
    case "bool":
      if (typeof value !== "boolean") throw badValue(path, "expected a boolean");
      out.u8(value ? 1 : 0);
      return;
    case "string": {
      if (typeof value !== "string") throw badValue(path, "expected a string");
      const bytes = utf8Encode(value);
      out.u32(bytes.length);
      out.raw(bytes);
      return;
    }
    case "optional":
      if (value === undefined) {
        out.u8(0);
      } else {
        out.u8(1);
        writeValue(out, schema.of, value, path);
      }
      return;
    case "list": {
      if (!Array.isArray(value)) throw badValue(path, "expected an array");
      if (value.length > schema.max) throw badValue(path, `more than ${schema.max} items`);
      out.u32(value.length);
      value.forEach((item, i) => writeValue(out, schema.of, item, `${path}[${i}]`));
      return;
    }
    case "struct": {
      if (!isRecord(value)) throw badValue(path, "expected an object");
      for (const [name, field] of schema.entries) writeValue(out, field, value[name], `${path}.${name}`);
      return;
    }
  }
}

/** Reads a value by `schema`; anything out of schema is ENCLAVE_API_MALFORMED. */
export function readValue(input: Reader, schema: Schema, path: string): unknown {
  switch (schema.kind) {
    case "bytes": {
      const n = schema.length ?? input.u32(`${path} length`);
      return input.raw(n, path);
    }
    case "u32":
      return input.u32(path);
    case "u64":
      return input.u64(path);
    case "bool": {
      const b = input.u8(path);
      if (b > 1) throw malformed(`${path}: boolean byte ${b}`);
      return b === 1;
    }
    case "string": {
      const n = input.u32(`${path} length`);
      try {
        return utf8Decode(input.raw(n, path));
      } catch {
        throw malformed(`${path}: invalid UTF-8`);
      }
    }
    case "optional": {
      const tag = input.u8(`${path} option tag`);
      if (tag > 1) throw malformed(`${path}: option tag ${tag}`);
      return tag === 1 ? readValue(input, schema.of, path) : undefined;
    }
    case "list": {
      const n = input.u32(`${path} count`);
      if (n > schema.max) throw malformed(`${path}: ${n} items, at most ${schema.max}`);
      const items: unknown[] = [];
      for (let i = 0; i < n; i++) items.push(readValue(input, schema.of, `${path}[${i}]`));
      return items;
    }
    case "struct": {
      const out: Record<string, unknown> = {};
      for (const [name, field] of schema.entries) out[name] = readValue(input, field, `${path}.${name}`);
      return out;
    }
  }
}

/**
 * Encodes a whole payload after `prefix` bytes written by `head` (used for frame headers). With
 * `scratch`, the result is a view into that writer's buffer, valid until its next use: no allocation
 * per frame once the buffer has grown to the largest frame.
 */
export function encodeWithHeader(
  head: (out: Writer) => void,
  schema: Schema,
  value: unknown,
  path: string,
  scratch?: Writer,
): Uint8Array {
  const out = scratch ?? new Writer();
  out.reset();
  head(out);
  writeValue(out, schema, value, path);
  return out.finish();
}

/** Encodes a whole payload. */
export function encodeValue<S extends Schema>(schema: S, value: Infer<S>, path?: string): Uint8Array;
export function encodeValue(schema: Schema, value: unknown, path = "value"): Uint8Array {
  const out = new Writer();
  writeValue(out, schema, value, path);
  return out.finish();
}

/** Decodes a whole payload, refusing trailing bytes. */
export function decodeValue<S extends Schema>(schema: S, bytes: Uint8Array, path?: string): Infer<S>;
export function decodeValue(schema: Schema, bytes: Uint8Array, path = "value"): unknown {
  const input = new Reader(bytes);
  const value = readValue(input, schema, path);
  input.end(path);
  return value;
}
