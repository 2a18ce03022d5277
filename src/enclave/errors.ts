import { CodedError } from "../primitives/errors.ts";

/**
 * Upstream's enclave error kinds (`scrtlabs/SecretNetwork: cosmwasm/enclaves/ffi-types/src/types.rs`
 * `EnclaveError`) that this layer can produce, with their display strings. The display string is what
 * upstream's host shows (e.g. inside `Execution error: Enclave: <display>`), so it is client-visible and
 * kept byte-exact.
 */
export const UPSTREAM_KINDS = {
  DecryptionError: "failed to decrypt data",
  EncryptionError: "failed to encrypt data",
  ValidationFailure: "failed to validate transaction",
  FailedContractAuthentication: "failed to authenticate secret contract",
  FailedTxVerification: "failed to verify transaction signature",
  FailedToDeserialize: "failed to deserialize data",
  FailedToSerialize: "failed to serialize data",
  InternalError: "internal error during execution",
  UnauthorizedWrite: "contract tried to write to storage during a query",
  ExceededRecursionLimit: "depth of nested contract calls exceeded",
  Unknown: "unknown error",
} as const;

export type UpstreamKind = keyof typeof UPSTREAM_KINDS;

/**
 * Stable codes of this layer. Several codes can share one upstream kind: the code says precisely what
 * failed (for tests, logs and callers), the upstream kind fixes the message a client sees.
 */
const CODES = {
  /** SIV authentication failed (wrong key, tampered ciphertext, wrong nonce or public key). */
  DECRYPTION_ERROR: "DecryptionError",
  /** An IO envelope shorter than 82 bytes (`types.rs` `SecretMessage::from_slice`). */
  MALFORMED_ENVELOPE: "DecryptionError",
  /** A stored state value or key that does not have the layout of §8. */
  MALFORMED_STATE: "DecryptionError",
  /** A stored value names seed id 0 or a seed id above the seed count (upstream: EncryptionError). */
  BAD_STATE_SEED_ID: "EncryptionError",
  /** Encryption could not be performed (bad key material handed in). */
  ENCRYPTION_ERROR: "EncryptionError",
  /** Code-hash prefix missing, not hex, or not the hash of the code being run; bad proofs. */
  VALIDATION_FAILURE: "ValidationFailure",
  /** A reply header (`REPLY01`) that is cut short. Upstream panics; we refuse with a code. */
  MALFORMED_REPLY_HEADER: "ValidationFailure",
  /** A contract key that does not authenticate against the code hash and address (§7.3). */
  FAILED_CONTRACT_AUTHENTICATION: "FailedContractAuthentication",
  /** A callback or reply signature that does not match (§6.1, §5.6). */
  FAILED_TX_VERIFICATION: "FailedTxVerification",
  /** Bytes that should be JSON / UTF-8 / base64 / a decimal id and are not. */
  FAILED_TO_DESERIALIZE: "FailedToDeserialize",
  /** Serialization failed (e.g. a value outside what JSON can carry). */
  FAILED_TO_SERIALIZE: "FailedToSerialize",
  /** Fewer than 2 or more than 5 seeds, or rotation outside 2 ≤ n ≤ 4 (§3.1). */
  BAD_SEED_COUNT: "InternalError",
  /** A seed, key, hash or nonce of the wrong length handed to this layer. */
  BAD_KEY_LENGTH: "InternalError",
  /** The encrypted-seed input of §10.3 has an inconsistent length prefix or size. */
  BAD_SEED_INPUT: "InternalError",
  /** The block random's proof matches no accepted form (§9 step 3). */
  RANDOM_PROOF_INVALID: "ValidationFailure",
  /** A `db_write` or `db_remove` during a query (§8.2). */
  UNAUTHORIZED_WRITE: "UnauthorizedWrite",
  /** The host has no code for the code hash it asked the enclave to run (`codeLookup` answered none). */
  CODE_UNAVAILABLE: "InternalError",
  /** The host's bytes for a code hash do not hash to it. */
  CODE_HASH_MISMATCH: "InternalError",
} as const satisfies Record<string, UpstreamKind>;

export type EnclaveErrorCode = keyof typeof CODES;

/**
 * The error type of the enclave's crypto layer. The message is always upstream's display string for
 * the kind: it never contains plaintext, keys or ciphertext, and it is safe to show to a client.
 */
export class EnclaveError extends CodedError<EnclaveErrorCode> {
  override readonly name = "EnclaveError";
  /** Upstream's `EnclaveError` variant for this code. */
  readonly kind: UpstreamKind;

  constructor(code: EnclaveErrorCode, details?: Readonly<Record<string, unknown>>) {
    const kind = CODES[code];
    super(code, UPSTREAM_KINDS[kind], details);
    this.kind = kind;
  }
}

/** True when `err` is an EnclaveError, optionally with the given code. */
export function isEnclaveError(err: unknown, code?: EnclaveErrorCode): err is EnclaveError {
  return err instanceof EnclaveError && (code === undefined || err.code === code);
}

/** Throws BAD_KEY_LENGTH unless `bytes` has exactly `length` bytes. `what` names the input (never its value). */
export function requireLength(bytes: Uint8Array, length: number, what: string): void {
  if (bytes.length !== length) {
    throw new EnclaveError("BAD_KEY_LENGTH", { what, expected: length, actual: bytes.length });
  }
}
