/** Hash functions and MACs: SHA-256 and HMAC-SHA256 from node:crypto, RIPEMD-160 and Keccak-256 from noble. */
import { createHash, createHmac, hash as oneShotHash, timingSafeEqual } from "node:crypto";
import { ripemd160 as nobleRipemd160 } from "@noble/hashes/legacy.js";
import { keccak_256 } from "@noble/hashes/sha3.js";
import { assertBytes, fromBuffer } from "./internal.ts";

/** SHA-256 (FIPS 180-4). */
export function sha256(data: Uint8Array): Uint8Array {
  assertBytes(data, "data");
  return fromBuffer(oneShotHash("sha256", data, "buffer"));
}

/** SHA-256 of the concatenation of `parts`, without building the concatenation. */
export function sha256Concat(...parts: readonly Uint8Array[]): Uint8Array {
  const h = createHash("sha256");
  for (const part of parts) {
    assertBytes(part, "part");
    h.update(part);
  }
  return fromBuffer(h.digest());
}

/** RIPEMD-160 (used for addresses: RIPEMD-160(SHA-256(pubkey))). */
export function ripemd160(data: Uint8Array): Uint8Array {
  assertBytes(data, "data");
  return nobleRipemd160(data);
}

/** Keccak-256 (the original Keccak padding used by Ethereum, not SHA3-256). */
export function keccak256(data: Uint8Array): Uint8Array {
  assertBytes(data, "data");
  return keccak_256(data);
}

/** HMAC-SHA256 (RFC 2104) with a key of any length. */
export function hmacSha256(key: Uint8Array, data: Uint8Array): Uint8Array {
  assertBytes(key, "key");
  assertBytes(data, "data");
  return fromBuffer(createHmac("sha256", key).update(data).digest());
}

/**
 * Equality in time independent of the contents (not of the lengths: arrays of different lengths are
 * unequal at once, so lengths must not be secret).
 */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  assertBytes(a, "a");
  assertBytes(b, "b");
  if (a.length !== b.length) return false;
  return timingSafeEqual(a, b);
}
