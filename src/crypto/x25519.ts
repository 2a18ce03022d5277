/**
 * X25519 (RFC 7748) on node:crypto (OpenSSL), with the protocol's rules (spec crypto.md §2.2):
 * private keys are any 32 bytes (clamped when used), peer public keys any 32 bytes (high bit
 * masked, non-canonical values reduced mod p), and a low-order peer key gives 32 zero bytes instead
 * of an error, as upstream's x25519-dalek does.
 *
 * Keys enter OpenSSL as JWK, which node imports with `EVP_PKEY_new_raw_*_key`; DER import goes
 * through OpenSSL 3's generic decoders and is about ten times slower.
 */
import { createPrivateKey, createPublicKey, diffieHellman } from "node:crypto";
import type { KeyObject } from "node:crypto";
import { CryptoError } from "./errors.ts";
import { assertLength, fromBuffer } from "./internal.ts";

const P = 2n ** 255n - 19n;
/**
 * The u-coordinates (mod p) of the points of order 1, 2, 4 and 8 on the curve and its twist. A
 * clamped scalar is a multiple of 8, so X25519 maps each of them to 0 (OpenSSL reports that as an
 * error), and they are the only inputs that give 0.
 */
const LOW_ORDER_U = new Set<bigint>([
  0n,
  1n,
  P - 1n,
  325606250916557431795983626356110631294008115727848805560023387167927233504n,
  39382357235489614581723060781553021112529911719440698176882885853963445705823n,
]);

/** The peer key as RFC 7748 decodes it: little-endian, bit 255 masked, reduced mod p. */
function decodeU(pk: Uint8Array): bigint {
  let u = 0n;
  for (let i = 31; i >= 0; i--) u = (u << 8n) | BigInt(i === 31 ? pk[i]! & 0x7f : pk[i]!);
  return u % P;
}

function base64url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString("base64url");
}

/**
 * Recently used private keys as OpenSSL key objects (a node's IO key is used for every message). Few
 * and bounded; the map lives in the isolate that uses the keys, so nothing leaves it.
 */
const privateKeys = new Map<string, KeyObject>();
const PRIVATE_KEY_CACHE = 8;

function privateKeyObject(sk: Uint8Array): KeyObject {
  const d = base64url(sk);
  const cached = privateKeys.get(d);
  if (cached !== undefined) return cached;
  // node requires `x` to be a string but derives the public key from `d` itself.
  const key = createPrivateKey({ key: { kty: "OKP", crv: "X25519", d, x: "" }, format: "jwk" });
  if (privateKeys.size >= PRIVATE_KEY_CACHE) privateKeys.delete(privateKeys.keys().next().value as string);
  privateKeys.set(d, key);
  return key;
}

/** `X25519(sk, 9)`: the public key of a 32-byte private key (clamped when used). */
export function x25519PublicKey(sk32: Uint8Array): Uint8Array {
  assertLength(sk32, 32, "X25519 private key", "CRYPTO_BAD_KEY_LENGTH");
  const { x } = createPublicKey(privateKeyObject(sk32)).export({ format: "jwk" });
  if (typeof x !== "string") throw new CryptoError("CRYPTO_INVALID_KEY", "OpenSSL returned no X25519 public key");
  return fromBuffer(Buffer.from(x, "base64url"));
}

/** `X25519(sk, pk)`: the raw shared secret; 32 zero bytes when `pk` is a low-order point. */
export function x25519SharedSecret(sk32: Uint8Array, pk32: Uint8Array): Uint8Array {
  assertLength(sk32, 32, "X25519 private key", "CRYPTO_BAD_KEY_LENGTH");
  assertLength(pk32, 32, "X25519 public key", "CRYPTO_BAD_KEY_LENGTH");
  if (LOW_ORDER_U.has(decodeU(pk32))) return new Uint8Array(32);
  // OpenSSL masks bit 255 and reduces mod p itself (checked against @noble/curves in the tests).
  const publicKey = createPublicKey({ key: { kty: "OKP", crv: "X25519", x: base64url(pk32) }, format: "jwk" });
  return fromBuffer(diffieHellman({ privateKey: privateKeyObject(sk32), publicKey }));
}
