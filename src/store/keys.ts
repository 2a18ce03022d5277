/** Argument checks and key helpers shared by the stores. */
import { Buffer } from "node:buffer";
import { StoreError } from "./errors.ts";

/** Throws unless `key` is a non-empty Uint8Array. */
export function assertKey(key: unknown): asserts key is Uint8Array {
  if (!(key instanceof Uint8Array)) throw new StoreError("STORE_INVALID_ARGUMENT", "key must be a Uint8Array");
  if (key.length === 0) throw new StoreError("STORE_KEY_EMPTY", "key must not be empty");
}

/** Throws unless `value` is a Uint8Array (empty values are allowed). */
export function assertValue(value: unknown): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) throw new StoreError("STORE_INVALID_ARGUMENT", "value must be a Uint8Array");
}

/** Throws unless a range bound is absent or a Uint8Array. */
export function assertBound(bound: unknown, what: string): asserts bound is Uint8Array | undefined {
  if (bound !== undefined && !(bound instanceof Uint8Array)) {
    throw new StoreError("STORE_INVALID_ARGUMENT", `${what} must be a Uint8Array or undefined`);
  }
}

/**
 * Node's (undocumented) native latin1 decoder behind `Buffer#toString("latin1")`; it reads any
 * Uint8Array, which saves making a Buffer object per key (keys are made for every store access). Used
 * only if present and right on a sample; otherwise `keyToString` takes the documented path.
 */
const latin1Slice = ((): ((this: Uint8Array, start: number, end: number) => string) | undefined => {
  const candidate = (Buffer.prototype as unknown as { latin1Slice?: unknown }).latin1Slice;
  if (typeof candidate !== "function") return undefined;
  const slice = candidate as (this: Uint8Array, start: number, end: number) => string;
  try {
    const sample = Uint8Array.of(0, 0x41, 0x7f, 0x80, 0xe9, 0xff).subarray(1);
    return slice.call(sample, 0, sample.length) === "A\u007f\u0080\u00e9\u00ff" ? slice : undefined;
  } catch {
    return undefined;
  }
})();

/**
 * The key as a latin1 string, one character per byte. JavaScript compares strings by UTF-16 code unit,
 * so these strings sort exactly like the bytes (unsigned, shorter first on a common prefix), and they
 * serve as Map keys.
 */
export function keyToString(key: Uint8Array): string {
  return latin1Slice !== undefined
    ? latin1Slice.call(key, 0, key.length)
    : Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString("latin1");
}

/** A copy of `bytes` as a plain Uint8Array (not a Buffer, not a view into a shared pool). */
export function copyBytes(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes);
}

/**
 * A plain Uint8Array over the same memory as `buf` (Buffers from LMDB own their memory). Returned
 * values compare equal to other Uint8Arrays in assert.deepStrictEqual.
 */
export function plainBytes(buf: Uint8Array): Uint8Array {
  return Object.getPrototypeOf(buf) === Uint8Array.prototype
    ? buf
    : new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

/**
 * The smallest key greater than every key that starts with `prefix`, or undefined when there is none
 * (the prefix is empty or all 0xff): the exclusive end of a prefix range.
 */
export function prefixEnd(prefix: Uint8Array): Uint8Array | undefined {
  const end = new Uint8Array(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i] !== 0xff) {
      end[i] = end[i]! + 1;
      return end.subarray(0, i + 1);
    }
  }
  return undefined;
}
