import type { Result } from "../primitives/result.ts";
import type { AttestFailure } from "./errors.ts";
import type { AttestationPolicy } from "./policy.ts";

/** What a TEE-specific verifier vouches for once the quote's own checks pass (§11.3). */
export interface QuoteClaims {
  readonly teeType: number;
  /** The enclave measurement (32 bytes). */
  readonly measurement: Uint8Array;
  /** The platform id (32 bytes). */
  readonly platformId: Uint8Array;
  /** The 64-byte report data: `enclave_pubkey(32) ‖ nonce(32)`. */
  readonly reportData: Uint8Array;
  /** When the quote was issued, unix seconds. */
  readonly issuedAtSeconds: bigint;
}

/**
 * One TEE type's verifier: parses its body and runs the checks that need the type's format (for the
 * software quote: checks 2–4 of §11.5). Pure and deterministic, no clock, no I/O.
 */
export interface TeeVerifier {
  readonly teeType: number;
  readonly name: string;
  verify(body: Uint8Array, policy: AttestationPolicy): Result<QuoteClaims, AttestFailure>;
}

/** Verifiers by `tee_type`. */
export type VerifierRegistry = ReadonlyMap<number, TeeVerifier>;
