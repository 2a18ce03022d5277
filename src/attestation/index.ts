export { AttestError, attestFailure } from "./errors.ts";
export type { AttestErrorCode, AttestFailure } from "./errors.ts";
export {
  decodeEvidence,
  encodeEvidence,
  EVIDENCE_HEADER_LENGTH,
  EVIDENCE_MAGIC,
  EVIDENCE_VERSION,
  KNOWN_TEE_TYPES,
  MAX_EVIDENCE_LENGTH,
  TeeType,
} from "./evidence.ts";
export type { Evidence } from "./evidence.ts";
export {
  createPolicy,
  decodePolicy,
  DEFAULT_MAX_QUOTE_AGE_SECONDS,
  encodePolicy,
  isMeasurementAllowed,
  POLICY_LIMITS,
  policyFromJson,
  policyHash,
  policyToJson,
} from "./policy.ts";
export type { AllowedMeasurement, AttestationAuthority, AttestationPolicy } from "./policy.ts";
export {
  createSoftwareEvidence,
  createSoftwareQuote,
  decodeSoftwareQuote,
  SOFTWARE_QUOTE_LENGTH,
  SOFTWARE_QUOTE_MAGIC,
  SOFTWARE_QUOTE_SIGNED_LENGTH,
  SOFTWARE_QUOTE_VERSION,
  softwareQuoteSignedBytes,
  softwareQuoteVerifier,
} from "./softwareQuote.ts";
export type { ReportToQuote, SoftwareQuote } from "./softwareQuote.ts";
export type { QuoteClaims, TeeVerifier, VerifierRegistry } from "./types.ts";
export {
  createVerifierRegistry,
  DEFAULT_VERIFIERS,
  isLowOrderX25519Key,
  MAX_FUTURE_SKEW_SECONDS,
  unsupportedTeeVerifier,
  verifyEvidence,
} from "./verify.ts";
export type { VerifiedEvidence, VerifyOptions } from "./verify.ts";
