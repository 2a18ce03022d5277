/**
 * Software quote v1 (`tee_type = 1`, spec crypto.md §11.4): exactly 240 bytes, big-endian.
 *
 * | offset | length | field |
 * |---|---|---|
 * | 0 | 4 | magic `ASCII("SNQT")` |
 * | 4 | 2 | quote version = 1 |
 * | 6 | 2 | `tee_type` = 1 |
 * | 8 | 32 | measurement |
 * | 40 | 32 | `platform_id` |
 * | 72 | 64 | `report_data = enclave_pubkey(32) ‖ nonce(32)` |
 * | 136 | 8 | `issued_at` (unix seconds) |
 * | 144 | 32 | authority Ed25519 public key |
 * | 176 | 64 | Ed25519 signature by the authority over bytes `[0, 176)` |
 *
 * The development authority is an Ed25519 key pair: public key in the genesis policy, private key
 * (a 32-byte RFC 8032 seed) in the node's home. It signs whatever its node asks for, standing in for
 * a hardware vendor's quoting service.
 */
import { be16, be64, bytesEqual, concatBytes, readBe64, utf8Encode } from "../primitives/bytes.ts";
import { err, ok, type Result } from "../primitives/result.ts";
import { ed25519PublicKey, ed25519Sign, ed25519Verify } from "../crypto/ed25519.ts";
import { AttestError, attestFailure, type AttestFailure } from "./errors.ts";
import { encodeEvidence, TeeType } from "./evidence.ts";
import type { AttestationPolicy } from "./policy.ts";
import type { QuoteClaims, TeeVerifier } from "./types.ts";

export const SOFTWARE_QUOTE_MAGIC: Uint8Array = utf8Encode("SNQT");
export const SOFTWARE_QUOTE_VERSION = 1;
export const SOFTWARE_QUOTE_LENGTH = 240;
/** Bytes `[0, 176)` are signed. */
export const SOFTWARE_QUOTE_SIGNED_LENGTH = 176;

export interface SoftwareQuote extends QuoteClaims {
  readonly authorityPublicKey: Uint8Array;
  readonly signature: Uint8Array;
}

/** The fields an enclave asks to have quoted. */
export interface ReportToQuote {
  readonly measurement: Uint8Array;
  readonly platformId: Uint8Array;
  readonly reportData: Uint8Array;
}

function checkLength(bytes: Uint8Array, length: number, what: string): void {
  if (bytes.length !== length) {
    throw new AttestError("ATTEST_MALFORMED", `${what} must be ${length} bytes, got ${bytes.length}`);
  }
}

/** The signed part `[0, 176)` of a software quote. */
export function softwareQuoteSignedBytes(
  report: ReportToQuote,
  issuedAtSeconds: bigint,
  authorityPublicKey: Uint8Array,
): Uint8Array {
  checkLength(report.measurement, 32, "measurement");
  checkLength(report.platformId, 32, "platform id");
  checkLength(report.reportData, 64, "report data");
  checkLength(authorityPublicKey, 32, "authority public key");
  return concatBytes(
    SOFTWARE_QUOTE_MAGIC,
    be16(SOFTWARE_QUOTE_VERSION),
    be16(TeeType.Software),
    report.measurement,
    report.platformId,
    report.reportData,
    be64(issuedAtSeconds),
    authorityPublicKey,
  );
}

/** A signed 240-byte software quote body, by the authority whose Ed25519 seed is `authoritySeed`. */
export function createSoftwareQuote(
  report: ReportToQuote,
  issuedAtSeconds: bigint,
  authoritySeed: Uint8Array,
): Uint8Array {
  const signed = softwareQuoteSignedBytes(report, issuedAtSeconds, ed25519PublicKey(authoritySeed));
  return concatBytes(signed, ed25519Sign(authoritySeed, signed));
}

/** The evidence envelope (§11.3) around a freshly signed software quote. */
export function createSoftwareEvidence(
  report: ReportToQuote,
  issuedAtSeconds: bigint,
  authoritySeed: Uint8Array,
): Uint8Array {
  return encodeEvidence({
    teeType: TeeType.Software,
    body: createSoftwareQuote(report, issuedAtSeconds, authoritySeed),
  });
}

/** Check 2 of §11.5: exact length, magic, version 1, `tee_type` 1. Fields are copies. */
export function decodeSoftwareQuote(body: Uint8Array): Result<SoftwareQuote, AttestFailure> {
  if (body.length !== SOFTWARE_QUOTE_LENGTH) {
    return err(attestFailure("ATTEST_MALFORMED", `software quote of ${body.length} bytes; expected 240`));
  }
  if (!bytesEqual(body.subarray(0, 4), SOFTWARE_QUOTE_MAGIC)) {
    return err(attestFailure("ATTEST_MALFORMED", "software quote magic is not SNQT"));
  }
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const version = view.getUint16(4, false);
  if (version !== SOFTWARE_QUOTE_VERSION)
    return err(attestFailure("ATTEST_MALFORMED", `software quote version ${version}`));
  const teeType = view.getUint16(6, false);
  if (teeType !== TeeType.Software) return err(attestFailure("ATTEST_MALFORMED", `software quote tee_type ${teeType}`));
  return ok({
    teeType,
    measurement: body.slice(8, 40),
    platformId: body.slice(40, 72),
    reportData: body.slice(72, 136),
    issuedAtSeconds: readBe64(body, 136),
    authorityPublicKey: body.slice(144, 176),
    signature: body.slice(176, 240),
  });
}

/** The verifier of `tee_type = 1`: checks 2 (format), 3 (authority listed) and 4 (signature). */
export const softwareQuoteVerifier: TeeVerifier = {
  teeType: TeeType.Software,
  name: "software quote v1",
  verify(body: Uint8Array, policy: AttestationPolicy): Result<QuoteClaims, AttestFailure> {
    const decoded = decodeSoftwareQuote(body);
    if (!decoded.ok) return decoded;
    const quote = decoded.value;
    const listed = policy.authorities.some(
      (a) => a.teeType === TeeType.Software && bytesEqual(a.publicKey, quote.authorityPublicKey),
    );
    if (!listed) return err(attestFailure("ATTEST_UNKNOWN_AUTHORITY", "the quote's authority is not in the policy"));
    if (!ed25519Verify(quote.signature, body.subarray(0, SOFTWARE_QUOTE_SIGNED_LENGTH), quote.authorityPublicKey)) {
      return err(attestFailure("ATTEST_BAD_SIGNATURE", "the authority's signature does not verify"));
    }
    return ok({
      teeType: quote.teeType,
      measurement: quote.measurement,
      platformId: quote.platformId,
      reportData: quote.reportData,
      issuedAtSeconds: quote.issuedAtSeconds,
    });
  },
};
