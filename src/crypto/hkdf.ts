/** HKDF-SHA256 (RFC 5869) and the protocol's fixed-salt HKDF (spec crypto.md §2.1). */
import { createHmac } from "node:crypto";
import { fromHex } from "../primitives/hex.ts";
import { CryptoError } from "./errors.ts";
import { assertBytes } from "./internal.ts";

const SALT = fromHex("000000000000000000024bead8df69990852c202db0e0097c1a12ea637d7e96d");

/**
 * The HKDF salt of every protocol derivation: the Bitcoin halving block hash (spec §2.1). A copy:
 * {@link secretHkdf} uses its own, so changing this array changes nothing.
 */
export const SECRET_HKDF_SALT: Uint8Array = SALT.slice();

/** Longest output RFC 5869 allows with SHA-256 (255 blocks). */
export const HKDF_SHA256_MAX_LENGTH = 255 * 32;
const EMPTY = new Uint8Array(0);

/**
 * HKDF-SHA256 (RFC 5869): extract with `salt`, expand with `info` to `length` bytes (0…8160).
 * Built from node:crypto HMAC, which is twice as fast as its `hkdfSync` for 32-byte outputs and has
 * no limit on the length of `info`.
 */
export function hkdfSha256(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length = 32): Uint8Array {
  assertBytes(ikm, "ikm");
  assertBytes(salt, "salt");
  assertBytes(info, "info");
  if (!Number.isSafeInteger(length) || length < 0 || length > HKDF_SHA256_MAX_LENGTH) {
    throw new CryptoError(
      "CRYPTO_BAD_LENGTH",
      `HKDF-SHA256 output length must be 0…${HKDF_SHA256_MAX_LENGTH}, got ${String(length)}`,
    );
  }
  if (length === 0) return new Uint8Array(0);
  // Extract (§2.2), then expand (§2.3): T(i) = HMAC(PRK, T(i−1) ‖ info ‖ i).
  const prk = createHmac("sha256", salt).update(ikm).digest();
  const out = new Uint8Array(length);
  let previous: Uint8Array = EMPTY;
  for (let i = 1, offset = 0; offset < length; i++) {
    const next = createHmac("sha256", prk).update(previous).update(info).update(Uint8Array.of(i)).digest();
    previous.fill(0);
    previous = next;
    out.set(previous.subarray(0, Math.min(32, length - offset)), offset);
    offset += 32;
  }
  previous.fill(0);
  prk.fill(0);
  return out;
}

/** `HKDF(ikm, info)` of the spec: HKDF-SHA256 with {@link SECRET_HKDF_SALT}, 32 bytes out. */
export function secretHkdf(ikm: Uint8Array, info: Uint8Array = EMPTY): Uint8Array {
  return hkdfSha256(ikm, SALT, info, 32);
}
