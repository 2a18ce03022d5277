/**
 * secp256k1 ECDSA over 32-byte digests (the caller hashes). Signatures are 64-byte compact `r ‖ s`.
 * Signing and recovery are @noble/curves; signing is RFC 6979 deterministic with no extra entropy and
 * low-S, as libsecp256k1 does. Verification runs in WebAssembly (`secp256k1Wasm.ts`) with noble's
 * acceptance rules and refuses high-S signatures (spec §2.4, contract-abi.md).
 */
import { hash as oneShotHash } from "node:crypto";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { CryptoError } from "./errors.ts";
import { assertBytes, assertLength } from "./internal.ts";
import { secp256k1WasmVerify } from "./secp256k1Wasm.ts";

/** The public key of a 32-byte secret scalar: 33-byte compressed (default) or 65-byte uncompressed. */
export function secp256k1PublicKey(sk32: Uint8Array, compressed = true): Uint8Array {
  assertLength(sk32, 32, "secp256k1 secret key", "CRYPTO_BAD_KEY_LENGTH");
  if (!secp256k1.utils.isValidSecretKey(sk32)) {
    throw new CryptoError("CRYPTO_INVALID_KEY", "secp256k1 secret key must be in 1…n−1");
  }
  return secp256k1.getPublicKey(sk32, compressed);
}

/** ECDSA signature of a 32-byte digest: compact `r ‖ s`, low-S, RFC 6979 nonce. */
export function secp256k1Sign(sk32: Uint8Array, digest32: Uint8Array): Uint8Array {
  assertLength(sk32, 32, "secp256k1 secret key", "CRYPTO_BAD_KEY_LENGTH");
  assertLength(digest32, 32, "digest");
  if (!secp256k1.utils.isValidSecretKey(sk32)) {
    throw new CryptoError("CRYPTO_INVALID_KEY", "secp256k1 secret key must be in 1…n−1");
  }
  return secp256k1.sign(digest32, sk32, { prehash: false, lowS: true, extraEntropy: false, format: "compact" });
}

/**
 * Accepts what libsecp256k1's `ec_pubkey_parse` accepts: 33 bytes with prefix 02/03, or 65 bytes
 * with prefix 04, or the "hybrid" prefixes 06/07 whose low bit must match the parity of y. Returns
 * the encoding with hybrid keys rewritten to 04, or undefined.
 */
function normalizePublicKey(pk: Uint8Array): Uint8Array | undefined {
  if (pk.length === 33) return pk[0] === 0x02 || pk[0] === 0x03 ? pk : undefined;
  if (pk.length !== 65) return undefined;
  const prefix = pk[0];
  if (prefix === 0x04) return pk;
  if (prefix !== 0x06 && prefix !== 0x07) return undefined;
  if ((pk[64]! & 1) !== (prefix & 1)) return undefined;
  const out = pk.slice();
  out[0] = 0x04;
  return out;
}

/**
 * Verifies a compact 64-byte signature over a 32-byte digest. False for high-S signatures, r or s
 * outside 1…n−1, keys that are not points, wrong lengths or types; never throws.
 */
export function secp256k1Verify(sig64: Uint8Array, digest32: Uint8Array, pk: Uint8Array): boolean {
  if (!(sig64 instanceof Uint8Array) || !(digest32 instanceof Uint8Array) || !(pk instanceof Uint8Array)) return false;
  if (sig64.length !== 64 || digest32.length !== 32) return false;
  const key = normalizePublicKey(pk);
  if (key === undefined) return false;
  return secp256k1WasmVerify(sig64, digest32, key);
}

/**
 * `secp256k1Verify(sig64, sha256(message), pk)`, the check of every transaction signature the chain
 * verifies (all over SHA-256 of the sign bytes).
 */
export function secp256k1VerifySha256(sig64: Uint8Array, message: Uint8Array, pk: Uint8Array): boolean {
  if (!(sig64 instanceof Uint8Array) || !(message instanceof Uint8Array) || !(pk instanceof Uint8Array)) return false;
  if (sig64.length !== 64) return false;
  const key = normalizePublicKey(pk);
  if (key === undefined) return false;
  return secp256k1WasmVerify(sig64, oneShotHash("sha256", message, "buffer"), key);
}

/**
 * Recovers the signer's public key from a compact signature, a 32-byte digest and a recovery
 * parameter (0…3), like CosmWasm's `secp256k1_recover_pubkey`: 65-byte uncompressed by default,
 * 33-byte compressed on request. High-S signatures are accepted (the key is the same as for the
 * normalised signature with the flipped parity). Undefined for a digest that is not 32 bytes, a
 * signature that is not 64 bytes, a parameter outside 0…3, r or s outside 1…n−1, or no such key;
 * throws CRYPTO_BAD_INPUT only when an argument is not a Uint8Array.
 */
export function secp256k1Recover(
  digest32: Uint8Array,
  sig64: Uint8Array,
  recoveryParam: number,
  compressed = false,
): Uint8Array | undefined {
  assertBytes(digest32, "digest");
  assertBytes(sig64, "signature");
  if (digest32.length !== 32 || sig64.length !== 64) return undefined;
  if (recoveryParam !== 0 && recoveryParam !== 1 && recoveryParam !== 2 && recoveryParam !== 3) return undefined;
  try {
    const sig = secp256k1.Signature.fromBytes(sig64, "compact").addRecoveryBit(recoveryParam);
    return sig.recoverPublicKey(digest32).toBytes(compressed);
  } catch {
    return undefined;
  }
}
