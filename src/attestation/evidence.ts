/**
 * The attestation evidence envelope (spec crypto.md §11.3): what `MsgRaAuthenticate.certificate`
 * carries. Big-endian:
 *
 * | offset | length | field |
 * |---|---|---|
 * | 0 | 4 | magic `ASCII("SNEV")` |
 * | 4 | 2 | envelope version = 1 |
 * | 6 | 2 | `tee_type`: 1 software, 2 Intel SGX DCAP, 3 AMD SEV-SNP, 4 Intel TDX |
 * | 8 | 4 | `body_len` |
 * | 12 | `body_len` | type-specific evidence; trailing bytes are refused |
 */
import { be16, be32, bytesEqual, concatBytes, utf8Encode } from "../primitives/bytes.ts";
import { err, ok, type Result } from "../primitives/result.ts";
import { attestFailure, type AttestFailure } from "./errors.ts";

export const TeeType = {
  Software: 1,
  SgxDcap: 2,
  SevSnp: 3,
  Tdx: 4,
} as const;

export const KNOWN_TEE_TYPES: readonly number[] = Object.values(TeeType);

export const EVIDENCE_MAGIC: Uint8Array = utf8Encode("SNEV");
export const EVIDENCE_VERSION = 1;
export const EVIDENCE_HEADER_LENGTH = 12;
/** The largest envelope accepted (a DCAP quote with collateral is tens of KiB). */
export const MAX_EVIDENCE_LENGTH = 256 * 1024;

export interface Evidence {
  readonly teeType: number;
  readonly body: Uint8Array;
}

/** Encodes an envelope around a type-specific body. */
export function encodeEvidence(evidence: Evidence): Uint8Array {
  return concatBytes(
    EVIDENCE_MAGIC,
    be16(EVIDENCE_VERSION),
    be16(evidence.teeType),
    be32(evidence.body.length),
    evidence.body,
  );
}

/**
 * Check 1 of §11.5: magic, version, a known type and exact lengths. The body is a view into
 * `bytes`; copy it before keeping it.
 */
export function decodeEvidence(bytes: Uint8Array): Result<Evidence, AttestFailure> {
  if (bytes.length < EVIDENCE_HEADER_LENGTH || bytes.length > MAX_EVIDENCE_LENGTH) {
    return err(attestFailure("ATTEST_MALFORMED", `evidence of ${bytes.length} bytes`));
  }
  if (!bytesEqual(bytes.subarray(0, 4), EVIDENCE_MAGIC)) {
    return err(attestFailure("ATTEST_MALFORMED", "evidence magic is not SNEV"));
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint16(4, false);
  if (version !== EVIDENCE_VERSION) {
    return err(attestFailure("ATTEST_MALFORMED", `evidence envelope version ${version}`));
  }
  const teeType = view.getUint16(6, false);
  if (!KNOWN_TEE_TYPES.includes(teeType)) {
    return err(attestFailure("ATTEST_MALFORMED", `unknown tee_type ${teeType}`));
  }
  const bodyLength = view.getUint32(8, false);
  if (bodyLength !== bytes.length - EVIDENCE_HEADER_LENGTH) {
    return err(
      attestFailure(
        "ATTEST_MALFORMED",
        `body_len ${bodyLength} but ${bytes.length - EVIDENCE_HEADER_LENGTH} bytes follow`,
      ),
    );
  }
  return ok({ teeType, body: bytes.subarray(EVIDENCE_HEADER_LENGTH) });
}
