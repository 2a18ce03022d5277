import { CodedError } from "../primitives/errors.ts";

/** Error codes of the crypto layer (programmer or input errors; never authentication failures). */
export type CryptoErrorCode =
  /** A key has the wrong length (e.g. AES-SIV keys are 32 bytes). */
  | "CRYPTO_BAD_KEY_LENGTH"
  /** A key has the right length but is not a valid key (e.g. secp256k1 scalar 0 or ≥ n). */
  | "CRYPTO_INVALID_KEY"
  /** An input other than a key has the wrong length (digest, seed, requested output length). */
  | "CRYPTO_BAD_LENGTH"
  /** An argument has the wrong type (e.g. not a Uint8Array). */
  | "CRYPTO_BAD_INPUT"
  /** More associated-data components than S2V allows (126). */
  | "CRYPTO_TOO_MANY_AD"
  /** Ed25519 batch: the message, signature and key counts do not fit any allowed shape. */
  | "CRYPTO_BATCH_MISMATCH"
  /** Ed25519 batch: a signature is not 64 bytes. */
  | "CRYPTO_BAD_SIGNATURE_LENGTH"
  /** Ed25519 batch: a public key is not 32 bytes. */
  | "CRYPTO_BAD_PUBKEY_LENGTH"
  /** Not a valid BIP-39 English mnemonic (unknown word, wrong length or checksum). */
  | "CRYPTO_INVALID_MNEMONIC";

export class CryptoError extends CodedError<CryptoErrorCode> {
  override readonly name = "CryptoError";
}
