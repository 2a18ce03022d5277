import { CodedError } from "../primitives/errors.ts";

/**
 * Stable codes of attestation (spec crypto.md §11.5). The verifier's checks run in a fixed order and
 * the first failing check names the code, so every validator reports the same code for the same input.
 */
export type AttestErrorCode =
  /** Envelope or quote bytes are not well formed (magic, version, known type, exact lengths). */
  | "ATTEST_MALFORMED"
  /** The quote's authority key is not listed in the policy for its TEE type. */
  | "ATTEST_UNKNOWN_AUTHORITY"
  /** The authority's signature does not verify. */
  | "ATTEST_BAD_SIGNATURE"
  /** The measurement is not in the policy's `allowed_measurements`. */
  | "ATTEST_MEASUREMENT_NOT_ALLOWED"
  /** The platform id is in the policy's `revoked_platform_ids`. */
  | "ATTEST_PLATFORM_REVOKED"
  /** `issued_at` is older than `max_quote_age_seconds` or more than 300 s ahead of block time. */
  | "ATTEST_STALE"
  /** The quote's nonce was seen before. */
  | "ATTEST_NONCE_REUSED"
  /** The enclave public key in the report data is a low-order X25519 point. */
  | "ATTEST_BAD_KEY"
  /** A reserved TEE type (2 SGX DCAP, 3 SEV-SNP, 4 TDX) whose verifier is not implemented yet. */
  | "ATTEST_UNSUPPORTED_TEE"
  /** A policy (JSON or sealed bytes) that does not satisfy the schema of §11.5. */
  | "ATTEST_POLICY_INVALID";

/** An expected verification failure, as a value (see `verifyEvidence`). */
export interface AttestFailure {
  readonly code: AttestErrorCode;
  readonly message: string;
}

export class AttestError extends CodedError<AttestErrorCode> {
  override readonly name = "AttestError";

  static from(failure: AttestFailure): AttestError {
    return new AttestError(failure.code, failure.message);
  }
}

export function attestFailure(code: AttestErrorCode, message: string): AttestFailure {
  return { code, message };
}
