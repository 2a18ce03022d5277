/** Argument checks and Buffer conversion shared by the crypto modules (not exported by index.ts). */
import { CryptoError, type CryptoErrorCode } from "./errors.ts";

/** Throws CRYPTO_BAD_INPUT unless `value` is a Uint8Array. */
export function assertBytes(value: unknown, what: string): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) throw new CryptoError("CRYPTO_BAD_INPUT", `${what} must be a Uint8Array`);
}

/** Throws `code` unless `value` is a Uint8Array of exactly `length` bytes. */
export function assertLength(
  value: unknown,
  length: number,
  what: string,
  code: CryptoErrorCode = "CRYPTO_BAD_LENGTH",
): asserts value is Uint8Array {
  assertBytes(value, what);
  if (value.length !== length) {
    throw new CryptoError(code, `${what} must be ${length} bytes, got ${value.length}`, {
      expected: length,
      actual: value.length,
    });
  }
}

/**
 * A plain Uint8Array with the bytes of a Node Buffer: a view when the Buffer owns its whole
 * ArrayBuffer (the usual case for digests and cipher output), otherwise a copy, so callers never
 * receive a window into Node's shared Buffer pool.
 */
export function fromBuffer(buf: Uint8Array): Uint8Array {
  if (buf.byteOffset === 0 && buf.buffer.byteLength === buf.byteLength && buf.buffer instanceof ArrayBuffer) {
    return new Uint8Array(buf.buffer, 0, buf.byteLength);
  }
  return new Uint8Array(buf);
}
