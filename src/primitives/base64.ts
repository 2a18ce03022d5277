import { Buffer } from "node:buffer";
import { PrimitiveError } from "./errors.ts";

/** RFC 4648 base64, standard alphabet, with `=` padding. */
export function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
}

/**
 * Strict RFC 4648 decoding: standard alphabet, length a multiple of 4, padding only at the end, and
 * no non-zero bits in the padding (so every byte string has exactly one accepted encoding).
 */
export function fromBase64(text: string): Uint8Array {
  if (typeof text === "string") {
    // Buffer's decoder is lenient (URL-safe letters, whitespace, missing padding, stray bits); the text
    // is canonical exactly when re-encoding the result gives it back.
    const decoded = Buffer.from(text, "base64");
    if (decoded.toString("base64") === text) {
      return new Uint8Array(decoded.buffer, decoded.byteOffset, decoded.length).slice();
    }
  }
  throw new PrimitiveError("BASE64_INVALID", "invalid base64: canonical standard alphabet with '=' padding expected");
}
