/** Random bytes from the operating system's CSPRNG (node:crypto). */
import { randomFillSync } from "node:crypto";
import { CryptoError } from "./errors.ts";

/** `n` bytes from node:crypto's CSPRNG. */
export function randomBytes(n: number): Uint8Array {
  if (!Number.isSafeInteger(n) || n < 0) throw new CryptoError("CRYPTO_BAD_LENGTH", `invalid byte count ${String(n)}`);
  return randomFillSync(new Uint8Array(n));
}
