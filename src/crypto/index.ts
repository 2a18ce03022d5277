/** The crypto layer: primitives of spec crypto.md §2 with the protocol's exact rules. */
export { CryptoError } from "./errors.ts";
export type { CryptoErrorCode } from "./errors.ts";
export { constantTimeEqual, hmacSha256, keccak256, ripemd160, sha256, sha256Concat } from "./hash.ts";
export { HKDF_SHA256_MAX_LENGTH, SECRET_HKDF_SALT, hkdfSha256, secretHkdf } from "./hkdf.ts";
export { AesSiv, SIV_KEY_LENGTH, SIV_MAX_AD_COMPONENTS, SIV_TAG_LENGTH, sivDecrypt, sivEncrypt } from "./aesSiv.ts";
export { x25519PublicKey, x25519SharedSecret } from "./x25519.ts";
export { ed25519BatchVerify, ed25519PublicKey, ed25519Sign, ed25519Verify, ed25519VerifyZip215 } from "./ed25519.ts";
export {
  secp256k1PublicKey,
  secp256k1Recover,
  secp256k1Sign,
  secp256k1Verify,
  secp256k1VerifySha256,
} from "./secp256k1.ts";
export { randomBytes } from "./random.ts";
export { merkleAunts, merkleLeafHash, merkleRoot, merkleRootOfLeafHashes, merkleSplitPoint } from "./merkle.ts";
