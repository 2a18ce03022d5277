/**
 * The attestation verifier (spec crypto.md §11.5): pure and deterministic, no clock, no I/O. The
 * host's `registration` module and the enclave run the same function; the first failing check, in
 * the order of the spec, names the error code.
 *
 * | # | check | code |
 * |---|---|---|
 * | 1 | envelope magic, version, known type, exact lengths | `ATTEST_MALFORMED` |
 * | – | a verifier is implemented for the type | `ATTEST_UNSUPPORTED_TEE` |
 * | 2–4 | type-specific (software: format, authority listed, Ed25519 signature) | `ATTEST_MALFORMED`, `ATTEST_UNKNOWN_AUTHORITY`, `ATTEST_BAD_SIGNATURE` |
 * | 5 | measurement allowed | `ATTEST_MEASUREMENT_NOT_ALLOWED` |
 * | 6 | platform not revoked | `ATTEST_PLATFORM_REVOKED` |
 * | 7 | `block_time − max_age ≤ issued_at ≤ block_time + 300` | `ATTEST_STALE` |
 * | 8 | nonce never seen (only when `nonceSeen` is given; the enclave omits it) | `ATTEST_NONCE_REUSED` |
 * | 9 | `enclave_pubkey` not a low-order X25519 point | `ATTEST_BAD_KEY` |
 */
import { bytesEqual } from "../primitives/bytes.ts";
import { err, ok, type Result } from "../primitives/result.ts";
import { x25519SharedSecret } from "../crypto/x25519.ts";
import { attestFailure, type AttestFailure } from "./errors.ts";
import { decodeEvidence, TeeType } from "./evidence.ts";
import { isMeasurementAllowed, type AttestationPolicy } from "./policy.ts";
import { softwareQuoteVerifier } from "./softwareQuote.ts";
import type { QuoteClaims, TeeVerifier, VerifierRegistry } from "./types.ts";

/** How far ahead of block time a quote may be dated (clock skew between authority and proposer). */
export const MAX_FUTURE_SKEW_SECONDS = 300n;

/** A verifier for a reserved type that is not implemented: always ATTEST_UNSUPPORTED_TEE. */
export function unsupportedTeeVerifier(teeType: number, name: string): TeeVerifier {
  return {
    teeType,
    name,
    verify: () =>
      err(attestFailure("ATTEST_UNSUPPORTED_TEE", `${name} evidence (tee_type ${teeType}) is not supported yet`)),
  };
}

/** A registry from verifiers; a later entry for the same type replaces an earlier one. */
export function createVerifierRegistry(verifiers: readonly TeeVerifier[]): VerifierRegistry {
  return new Map(verifiers.map((v) => [v.teeType, v]));
}

/** The software quote, and the reserved hardware types answering ATTEST_UNSUPPORTED_TEE. */
export const DEFAULT_VERIFIERS: VerifierRegistry = createVerifierRegistry([
  softwareQuoteVerifier,
  unsupportedTeeVerifier(TeeType.SgxDcap, "Intel SGX DCAP"),
  unsupportedTeeVerifier(TeeType.SevSnp, "AMD SEV-SNP"),
  unsupportedTeeVerifier(TeeType.Tdx, "Intel TDX"),
]);

export interface VerifyOptions {
  /** The time of the block that carries the evidence, unix seconds. */
  readonly blockTimeSeconds: bigint;
  readonly policy: AttestationPolicy;
  /** Check 8: true when the nonce was used by an earlier registration. Omitted by the enclave. */
  readonly nonceSeen?: (nonce: Uint8Array) => boolean;
  /** Verifiers by type (default `DEFAULT_VERIFIERS`). */
  readonly verifiers?: VerifierRegistry;
}

export interface VerifiedEvidence extends QuoteClaims {
  /** `report_data[0..32)`: the enclave's X25519 registration public key. */
  readonly enclavePublicKey: Uint8Array;
  /** `report_data[32..64)`: the registration nonce. */
  readonly nonce: Uint8Array;
}

/** Any scalar works: clamping makes it a multiple of 8, which maps exactly the low-order points to 0. */
const PROBE_SCALAR = new Uint8Array(32).fill(0x5a);
const ZERO32 = new Uint8Array(32);

/** True when `pk` is a point of order 1, 2, 4 or 8 on Curve25519 or its twist (any encoding). */
export function isLowOrderX25519Key(pk: Uint8Array): boolean {
  return bytesEqual(x25519SharedSecret(PROBE_SCALAR, pk), ZERO32);
}

/** Verifies `evidence` (the bytes of `MsgRaAuthenticate.certificate`) against a policy at a block time. */
export function verifyEvidence(evidence: Uint8Array, options: VerifyOptions): Result<VerifiedEvidence, AttestFailure> {
  const { policy, blockTimeSeconds } = options;
  const envelope = decodeEvidence(evidence);
  if (!envelope.ok) return envelope;
  const verifier = (options.verifiers ?? DEFAULT_VERIFIERS).get(envelope.value.teeType);
  if (verifier === undefined) {
    return err(attestFailure("ATTEST_UNSUPPORTED_TEE", `no verifier for tee_type ${envelope.value.teeType}`));
  }
  const claimed = verifier.verify(envelope.value.body, policy);
  if (!claimed.ok) return claimed;
  const claims = claimed.value;
  if (claims.measurement.length !== 32 || claims.platformId.length !== 32 || claims.reportData.length !== 64) {
    return err(attestFailure("ATTEST_MALFORMED", `${verifier.name} returned claims of the wrong size`));
  }
  if (!isMeasurementAllowed(policy, claims.measurement)) {
    return err(attestFailure("ATTEST_MEASUREMENT_NOT_ALLOWED", "the enclave measurement is not allowed by the policy"));
  }
  if (policy.revokedPlatformIds.some((id) => bytesEqual(id, claims.platformId))) {
    return err(attestFailure("ATTEST_PLATFORM_REVOKED", "the platform id is revoked"));
  }
  const issuedAt = claims.issuedAtSeconds;
  if (
    issuedAt < blockTimeSeconds - policy.maxQuoteAgeSeconds ||
    issuedAt > blockTimeSeconds + MAX_FUTURE_SKEW_SECONDS
  ) {
    return err(
      attestFailure(
        "ATTEST_STALE",
        `quote issued at ${issuedAt}, block time ${blockTimeSeconds}, max age ${policy.maxQuoteAgeSeconds} s`,
      ),
    );
  }
  const enclavePublicKey = claims.reportData.slice(0, 32);
  const nonce = claims.reportData.slice(32, 64);
  if (options.nonceSeen !== undefined && options.nonceSeen(nonce)) {
    return err(attestFailure("ATTEST_NONCE_REUSED", "the quote's nonce was used before"));
  }
  if (isLowOrderX25519Key(enclavePublicKey)) {
    return err(attestFailure("ATTEST_BAD_KEY", "the enclave public key is a low-order point"));
  }
  return ok({ ...claims, enclavePublicKey, nonce });
}
