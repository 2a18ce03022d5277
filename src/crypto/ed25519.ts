/**
 * Ed25519 (RFC 8032) on @noble/curves. Two verification rules:
 * - {@link ed25519Verify}: strict RFC 8032 / FIPS 186-5 (canonical encodings of A and R, s < L,
 *   small-order public keys refused, cofactored equation). Used for attestation (spec §11.5).
 * - {@link ed25519VerifyZip215}: ZIP-215 (non-canonical A and R accepted, s < L, cofactored
 *   equation), the rule of ed25519-zebra behind CosmWasm's `ed25519_verify` (contract-abi.md).
 * Verification never throws: malformed input is just an invalid signature.
 */
import { ed25519 } from "@noble/curves/ed25519.js";
import { CryptoError } from "./errors.ts";
import { assertBytes, assertLength } from "./internal.ts";

/** The public key (32 bytes) of an RFC 8032 32-byte seed. */
export function ed25519PublicKey(seed32: Uint8Array): Uint8Array {
  assertLength(seed32, 32, "Ed25519 seed", "CRYPTO_BAD_KEY_LENGTH");
  return ed25519.getPublicKey(seed32);
}

/** The 64-byte RFC 8032 signature of `msg` (deterministic) by the key of `seed32`. */
export function ed25519Sign(seed32: Uint8Array, msg: Uint8Array): Uint8Array {
  assertLength(seed32, 32, "Ed25519 seed", "CRYPTO_BAD_KEY_LENGTH");
  assertBytes(msg, "message");
  return ed25519.sign(msg, seed32);
}

function verifyWith(zip215: boolean, sig: Uint8Array, msg: Uint8Array, pk: Uint8Array): boolean {
  if (!(sig instanceof Uint8Array) || !(msg instanceof Uint8Array) || !(pk instanceof Uint8Array)) return false;
  if (sig.length !== 64 || pk.length !== 32) return false;
  try {
    return ed25519.verify(sig, msg, pk, { zip215 });
  } catch {
    return false;
  }
}

/** Strict RFC 8032 verification; false for any malformed or invalid input. */
export function ed25519Verify(sig64: Uint8Array, msg: Uint8Array, pk32: Uint8Array): boolean {
  return verifyWith(false, sig64, msg, pk32);
}

/** ZIP-215 verification (CosmWasm / ed25519-zebra rules); false for any malformed or invalid input. */
export function ed25519VerifyZip215(sig64: Uint8Array, msg: Uint8Array, pk32: Uint8Array): boolean {
  return verifyWith(true, sig64, msg, pk32);
}

/**
 * Batch verification with CosmWasm's `ed25519_batch_verify` semantics and ZIP-215 rules. The counts
 * must be equal, or there is one message (for every signature/key pair), or one key (for every
 * message/signature pair); an empty batch is valid. Throws CRYPTO_BATCH_MISMATCH for other counts,
 * then, item by item, CRYPTO_BAD_SIGNATURE_LENGTH for a signature that is not 64 bytes and
 * CRYPTO_BAD_PUBKEY_LENGTH for a key that is not 32 bytes (CosmWasm's error order). A 32-byte key
 * that is not a point, or any bad signature, makes the result false.
 */
export function ed25519BatchVerify(
  msgs: readonly Uint8Array[],
  sigs: readonly Uint8Array[],
  pks: readonly Uint8Array[],
): boolean {
  const m = msgs.length;
  const s = sigs.length;
  const p = pks.length;
  let msgAt: (i: number) => Uint8Array;
  let pkAt: (i: number) => Uint8Array;
  if (m === s && m === p) {
    msgAt = (i) => msgs[i]!;
    pkAt = (i) => pks[i]!;
  } else if (m === 1 && s === p) {
    msgAt = () => msgs[0]!;
    pkAt = (i) => pks[i]!;
  } else if (p === 1 && m === s) {
    msgAt = (i) => msgs[i]!;
    pkAt = () => pks[0]!;
  } else {
    throw new CryptoError("CRYPTO_BATCH_MISMATCH", "mismatched number of messages / signatures / public keys", {
      messages: m,
      signatures: s,
      publicKeys: p,
    });
  }
  for (let i = 0; i < s; i++) {
    assertBytes(msgAt(i), "message");
    assertLength(sigs[i], 64, `signature ${i}`, "CRYPTO_BAD_SIGNATURE_LENGTH");
    assertLength(pkAt(i), 32, `public key ${i}`, "CRYPTO_BAD_PUBKEY_LENGTH");
  }
  for (let i = 0; i < s; i++) {
    if (!verifyWith(true, sigs[i]!, msgAt(i), pkAt(i))) return false;
  }
  return true;
}
