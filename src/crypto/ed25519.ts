/**
 * Ed25519 (RFC 8032). Signing on OpenSSL (node:crypto; Ed25519 is deterministic, so its signatures are
 * byte for byte noble's, ~15× faster), with @noble/curves as the fallback; verification on OpenSSL with
 * noble deciding whatever OpenSSL does not accept. Two verification rules:
 * - {@link ed25519Verify}: strict RFC 8032 / FIPS 186-5 (canonical encodings of A and R, s < L,
 *   small-order public keys refused, cofactored equation). Used for attestation (spec §11.5) and for
 *   votes, proposals, commits and evidence in consensus.
 * - {@link ed25519VerifyZip215}: ZIP-215 (non-canonical A and R accepted, s < L, cofactored
 *   equation), the rule of ed25519-zebra behind CosmWasm's `ed25519_verify` (contract-abi.md).
 * Verification never throws: malformed input is just an invalid signature.
 *
 * **Why the OpenSSL fast path accepts exactly what noble accepts.** The reference for both rules is
 * noble's `ed25519.verify(sig, msg, A, { zip215 })`: decode A and R (strict: y < p, and x = 0 with
 * the sign bit set refused; ZIP-215: any y < 2²⁵⁵), require 0 ≤ s < L, refuse small-order A (strict
 * only), k = SHA-512(R bytes ‖ A bytes ‖ msg) mod L, accept iff [8](R + [k]A − [s]B) = 0.
 * OpenSSL's `ossl_ed25519_verify` requires s < L, decodes A leniently (y taken mod p, any sign bit on
 * x = 0, like ZIP-215), hashes the same bytes to the same k, computes R' = [s]B − [k]A and accepts
 * iff the canonical encoding of R' equals the 32 R bytes (cofactorless). So when OpenSSL accepts:
 * - the R bytes are a canonical encoding (they equal one), so both rules decode them, to R';
 * - R' + [k]A − [s]B = 0, hence [8](…) = 0: the cofactored equation holds;
 * - s < L was checked (and is checked here first as well).
 * The only strict-rule conditions this leaves are on A: the strict rule refuses a non-canonical A
 * (y ≥ p; x = 0 with the sign bit set only happens for y = ±1, both small order) and a small-order A,
 * both of which OpenSSL may accept (an identity key with R = identity and s = 0 verifies there). So
 * the strict fast path runs only for keys with y < p whose y is not one of the five y-coordinates of
 * the eight small-order points; with y < p that is exactly "canonical and not small order" (a y
 * determines the point up to sign, and −T has the order of T). The ZIP-215 rule has no conditions on
 * A, so its fast path runs for every key. Anything OpenSSL does not accept — invalid signatures, but
 * also mixed-order keys or R with a torsion component, which the cofactored equation may still
 * accept — is decided by noble, so the answer is noble's in every case. Honest signatures by prime-
 * order keys always take the fast path.
 */
import {
  type KeyObject,
  createPrivateKey,
  createPublicKey,
  sign as opensslSign,
  verify as opensslVerify,
} from "node:crypto";
import { ed25519 } from "@noble/curves/ed25519.js";
import { fromHex } from "../primitives/hex.ts";
import { CryptoError } from "./errors.ts";
import { assertBytes, assertLength } from "./internal.ts";

/** The public key (32 bytes) of an RFC 8032 32-byte seed. */
export function ed25519PublicKey(seed32: Uint8Array): Uint8Array {
  assertLength(seed32, 32, "Ed25519 seed", "CRYPTO_BAD_KEY_LENGTH");
  return ed25519.getPublicKey(seed32);
}

/** PKCS#8 DER of an Ed25519 private key (RFC 8410): this prefix, then the 32-byte seed. */
const PKCS8_ED25519_PREFIX = fromHex("302e020100300506032b657004220420");

/**
 * Signing keys imported into OpenSSL, by the seed array they were made from (a validator signs with
 * the same array every time). Each entry keeps a copy of the seed, compared on every use, so an array
 * whose contents changed is imported again instead of signing with the old key. `null`: OpenSSL
 * refused the key (never expected; noble signs then).
 */
const opensslSigningKeys = new WeakMap<Uint8Array, { readonly seed: Uint8Array; readonly key: KeyObject | null }>();

function sameBytes32(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 0; i < 32; i++) if (a[i] !== b[i]) return false;
  return true;
}

function opensslSigningKey(seed32: Uint8Array): KeyObject | null {
  const kept = opensslSigningKeys.get(seed32);
  if (kept !== undefined && sameBytes32(kept.seed, seed32)) return kept.key;
  const der = new Uint8Array(PKCS8_ED25519_PREFIX.length + 32);
  der.set(PKCS8_ED25519_PREFIX);
  der.set(seed32, PKCS8_ED25519_PREFIX.length);
  let key: KeyObject | null;
  try {
    key = createPrivateKey({ key: Buffer.from(der.buffer, der.byteOffset, der.length), format: "der", type: "pkcs8" });
  } catch {
    key = null;
  } finally {
    der.fill(0);
  }
  opensslSigningKeys.set(seed32, { seed: seed32.slice(), key });
  return key;
}

/**
 * The 64-byte RFC 8032 signature of `msg` (deterministic) by the key of `seed32`. Signed by OpenSSL
 * with a key object made once per seed array; the bytes equal noble's `ed25519.sign(msg, seed32)`
 * (RFC 8032 fixes them: r = SHA-512(prefix ‖ msg), no randomness), which the tests check.
 */
export function ed25519Sign(seed32: Uint8Array, msg: Uint8Array): Uint8Array {
  assertLength(seed32, 32, "Ed25519 seed", "CRYPTO_BAD_KEY_LENGTH");
  assertBytes(msg, "message");
  const key = opensslSigningKey(seed32);
  if (key !== null) {
    const sig = opensslSign(null, msg, key);
    return new Uint8Array(sig.buffer, sig.byteOffset, sig.length);
  }
  return ed25519.sign(msg, seed32);
}

/** noble's signature alone (the reference the OpenSSL signer is tested and benchmarked against). */
export function ed25519SignNoble(seed32: Uint8Array, msg: Uint8Array): Uint8Array {
  assertLength(seed32, 32, "Ed25519 seed", "CRYPTO_BAD_KEY_LENGTH");
  assertBytes(msg, "message");
  return ed25519.sign(msg, seed32);
}

/** noble's verification, the reference for both rules. */
function nobleVerify(zip215: boolean, sig: Uint8Array, msg: Uint8Array, pk: Uint8Array): boolean {
  try {
    return ed25519.verify(sig, msg, pk, { zip215 });
  } catch {
    return false;
  }
}

/** L − 1 = 2²⁵² + 27742317777372353535851937790883648492, little-endian. */
const L_MINUS_1 = fromHex("ecd3f55c1a631258d69cf7a2def9de14" + "00".repeat(15) + "10");

/** s (bytes 32…63, little-endian) is below the group order L. */
function scalarBelowL(sig: Uint8Array): boolean {
  for (let i = 31; i >= 0; i--) {
    const a = sig[32 + i]!;
    const b = L_MINUS_1[i]!;
    if (a !== b) return a < b;
  }
  return true; // s = L − 1
}

/**
 * The y-coordinates of the eight points of order 1, 2, 4 and 8, little-endian: 1 (identity),
 * p − 1 (order 2), 0 (order 4) and the two of order 8.
 */
const SMALL_ORDER_Y: readonly Uint8Array[] = [
  "0100000000000000000000000000000000000000000000000000000000000000",
  "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
  "0000000000000000000000000000000000000000000000000000000000000000",
  "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
  "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
].map(fromHex);

/** y = the low 255 bits of `pk` equals `y`. */
function sameY(pk: Uint8Array, y: Uint8Array): boolean {
  if ((pk[31]! & 0x7f) !== y[31]) return false;
  for (let i = 0; i < 31; i++) if (pk[i] !== y[i]) return false;
  return true;
}

/**
 * The key's y (its low 255 bits) is below p = 2²⁵⁵ − 19 and is not the y of a small-order point: the
 * keys for which OpenSSL's acceptance implies the strict rule's (see the header).
 */
export function isStrictFastPathKey(pk32: Uint8Array): boolean {
  if ((pk32[31]! & 0x7f) === 0x7f && pk32[0]! >= 0xed) {
    let allOnes = true;
    for (let i = 1; i < 31 && allOnes; i++) allOnes = pk32[i] === 0xff;
    if (allOnes) return false; // y ≥ p
  }
  for (const y of SMALL_ORDER_Y) if (sameY(pk32, y)) return false;
  return true;
}

/**
 * Public keys imported into OpenSSL, by their bytes in base64url (least recently used first);
 * `undefined` remembers a key OpenSSL would not import. Validator keys repeat, so a small map keeps
 * nearly every verification free of the import (~12 µs).
 */
const opensslKeys = new Map<string, KeyObject | undefined>();
export const ED25519_OPENSSL_KEY_CACHE = 1024;

/**
 * The key as an OpenSSL object. JWK goes straight to `EVP_PKEY_new_raw_public_key` with the 32 bytes
 * as given (also for non-canonical encodings); SPKI DER (`302a300506032b6570032100 ‖ key`) gives the
 * same key but goes through OpenSSL 3's generic decoders, about 6× slower.
 */
function opensslKey(pk32: Uint8Array): KeyObject | undefined {
  const x = Buffer.from(pk32.buffer, pk32.byteOffset, 32).toString("base64url");
  if (opensslKeys.has(x)) {
    const cached = opensslKeys.get(x);
    opensslKeys.delete(x);
    opensslKeys.set(x, cached);
    return cached;
  }
  let key: KeyObject | undefined;
  try {
    key = createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x }, format: "jwk" });
  } catch {
    key = undefined;
  }
  if (opensslKeys.size >= ED25519_OPENSSL_KEY_CACHE) opensslKeys.delete(opensslKeys.keys().next().value as string);
  opensslKeys.set(x, key);
  return key;
}

/** OpenSSL's cofactorless RFC 8032 verification (false when OpenSSL refuses or fails). */
function opensslAccepts(sig: Uint8Array, msg: Uint8Array, pk: Uint8Array): boolean {
  const key = opensslKey(pk);
  if (key === undefined) return false;
  try {
    return opensslVerify(null, msg, key, sig);
  } catch {
    return false;
  }
}

function verifyWith(zip215: boolean, sig: Uint8Array, msg: Uint8Array, pk: Uint8Array): boolean {
  if (!(sig instanceof Uint8Array) || !(msg instanceof Uint8Array) || !(pk instanceof Uint8Array)) return false;
  if (sig.length !== 64 || pk.length !== 32) return false;
  // Both rules (and noble, which throws on it) refuse s ≥ L; refusing it here keeps the argument above
  // independent of OpenSSL's own check and spares malleated signatures two verifications.
  if (!scalarBelowL(sig)) return false;
  if ((zip215 || isStrictFastPathKey(pk)) && opensslAccepts(sig, msg, pk)) return true;
  return nobleVerify(zip215, sig, msg, pk);
}

/**
 * Strict RFC 8032 verification; false for any malformed or invalid input. Accepts exactly what
 * noble's `verify(..., { zip215: false })` accepts, through OpenSSL when it can (see the header).
 */
export function ed25519Verify(sig64: Uint8Array, msg: Uint8Array, pk32: Uint8Array): boolean {
  return verifyWith(false, sig64, msg, pk32);
}

/**
 * ZIP-215 verification (CosmWasm / ed25519-zebra rules); false for any malformed or invalid input.
 * Accepts exactly what noble's `verify(..., { zip215: true })` accepts, through OpenSSL when it can.
 */
export function ed25519VerifyZip215(sig64: Uint8Array, msg: Uint8Array, pk32: Uint8Array): boolean {
  return verifyWith(true, sig64, msg, pk32);
}

/** noble's verification alone, strict unless `zip215` (the reference the fast path is tested and benchmarked against). */
export function ed25519VerifyNoble(sig64: Uint8Array, msg: Uint8Array, pk32: Uint8Array, zip215 = false): boolean {
  if (!(sig64 instanceof Uint8Array) || !(msg instanceof Uint8Array) || !(pk32 instanceof Uint8Array)) return false;
  if (sig64.length !== 64 || pk32.length !== 32) return false;
  return nobleVerify(zip215, sig64, msg, pk32);
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
