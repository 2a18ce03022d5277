import { Buffer } from "node:buffer";
import { PrimitiveError } from "./errors.ts";

const HEX_TEXT = /^(?:[0-9a-fA-F]{2})*$/;

function view(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Lowercase hex, no prefix. */
export function toHex(bytes: Uint8Array): string {
  return view(bytes).toString("hex");
}

/** Decodes hex of either case, without a `0x` prefix; odd length or any other character is refused. */
export function fromHex(text: string): Uint8Array {
  if (typeof text !== "string" || text.length % 2 !== 0) {
    throw new PrimitiveError("HEX_INVALID", "hex string has an odd length");
  }
  // Buffer stops at the first pair that is not hex, so a full-length result means every pair was valid.
  const decoded = Buffer.from(text, "hex");
  if (decoded.length * 2 !== text.length) throw new PrimitiveError("HEX_INVALID", "invalid hex character");
  return new Uint8Array(decoded.buffer, decoded.byteOffset, decoded.length).slice();
}

/** True for a string of hex digits (either case) of even length. */
export function isHex(text: string): boolean {
  return HEX_TEXT.test(text);
}
