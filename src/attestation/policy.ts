/**
 * The attestation policy (spec crypto.md §11.5): a `registration` module parameter changed only by
 * governance, and the enclave's sealed copy of it.
 *
 * JSON form (genesis, params queries, the enclave's sealed copy) follows the proto3 JSON mapping:
 * bytes as standard base64, uint64 as a decimal string (a safe integer number is also accepted),
 * uint32 as a number, snake_case field names. Unknown fields are refused.
 *
 * ```json
 * {
 *   "allowed_measurements": [{ "measurement": "<b64, 32 bytes>", "label": "bootstrap build" }],
 *   "authorities": [{ "tee_type": 1, "public_key": "<b64, 32 bytes>", "label": "dev authority" }],
 *   "max_quote_age_seconds": "86400",
 *   "revoked_platform_ids": ["<b64, 32 bytes>"]
 * }
 * ```
 */
import { bytesEqual, utf8Decode, utf8Encode } from "../primitives/bytes.ts";
import { fromBase64, toBase64 } from "../primitives/base64.ts";
import { sha256 } from "../crypto/hash.ts";
import { AttestError } from "./errors.ts";
import { KNOWN_TEE_TYPES, TeeType } from "./evidence.ts";

export interface AllowedMeasurement {
  readonly measurement: Uint8Array;
  readonly label: string;
}

export interface AttestationAuthority {
  /** The TEE type whose quotes this key signs (1 software, 2 SGX DCAP, 3 SEV-SNP, 4 TDX). */
  readonly teeType: number;
  /** For `teeType` 1: a 32-byte Ed25519 public key. Other types define their own form. */
  readonly publicKey: Uint8Array;
  readonly label: string;
}

export interface AttestationPolicy {
  readonly allowedMeasurements: readonly AllowedMeasurement[];
  readonly authorities: readonly AttestationAuthority[];
  readonly maxQuoteAgeSeconds: bigint;
  readonly revokedPlatformIds: readonly Uint8Array[];
}

export const DEFAULT_MAX_QUOTE_AGE_SECONDS = 86_400n;
/** Bounds that keep a policy small enough to copy into every enclave and check linearly. */
export const POLICY_LIMITS = {
  measurements: 1024,
  authorities: 64,
  revokedPlatformIds: 65_536,
  labelChars: 256,
  authorityKeyBytes: 1024,
} as const;

const U64_MAX = (1n << 64n) - 1n;

function invalid(message: string): AttestError {
  return new AttestError("ATTEST_POLICY_INVALID", message);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function checkKeys(obj: Record<string, unknown>, allowed: readonly string[], where: string): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) throw invalid(`${where}: unknown field '${key}'`);
  }
}

function readArray(value: unknown, where: string, max: number): unknown[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw invalid(`${where} must be an array`);
  if (value.length > max) throw invalid(`${where} has ${value.length} entries; at most ${max}`);
  return value;
}

function readBytes(value: unknown, where: string, length?: number): Uint8Array {
  if (typeof value !== "string") throw invalid(`${where} must be a base64 string`);
  let bytes: Uint8Array;
  try {
    bytes = fromBase64(value);
  } catch {
    throw invalid(`${where} is not canonical base64`);
  }
  if (length !== undefined && bytes.length !== length) {
    throw invalid(`${where} must be ${length} bytes, got ${bytes.length}`);
  }
  return bytes;
}

function readLabel(value: unknown, where: string): string {
  if (value === undefined) return "";
  if (typeof value !== "string") throw invalid(`${where} must be a string`);
  if (value.length > POLICY_LIMITS.labelChars) throw invalid(`${where} is longer than ${POLICY_LIMITS.labelChars}`);
  return value;
}

function readU64(value: unknown, where: string): bigint {
  let n: bigint;
  if (typeof value === "string" && /^(0|[1-9][0-9]{0,19})$/.test(value)) n = BigInt(value);
  else if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) n = BigInt(value);
  else throw invalid(`${where} must be an unsigned 64-bit integer (decimal string)`);
  if (n > U64_MAX) throw invalid(`${where} does not fit in 64 bits`);
  return n;
}

function checkPolicy(policy: AttestationPolicy): AttestationPolicy {
  const { allowedMeasurements, authorities, revokedPlatformIds, maxQuoteAgeSeconds } = policy;
  if (allowedMeasurements.length > POLICY_LIMITS.measurements) throw invalid("too many allowed measurements");
  if (authorities.length > POLICY_LIMITS.authorities) throw invalid("too many authorities");
  if (revokedPlatformIds.length > POLICY_LIMITS.revokedPlatformIds) throw invalid("too many revoked platform ids");
  if (maxQuoteAgeSeconds < 0n || maxQuoteAgeSeconds > U64_MAX) throw invalid("max_quote_age_seconds out of range");
  allowedMeasurements.forEach((m, i) => {
    if (m.measurement.length !== 32) throw invalid(`allowed_measurements[${i}].measurement must be 32 bytes`);
    if (m.label.length > POLICY_LIMITS.labelChars) throw invalid(`allowed_measurements[${i}].label is too long`);
    for (let j = 0; j < i; j++) {
      if (bytesEqual(allowedMeasurements[j]!.measurement, m.measurement)) {
        throw invalid(`allowed_measurements[${i}] repeats allowed_measurements[${j}]`);
      }
    }
  });
  authorities.forEach((a, i) => {
    if (!KNOWN_TEE_TYPES.includes(a.teeType)) throw invalid(`authorities[${i}].tee_type ${a.teeType} is not 1..4`);
    if (a.teeType === TeeType.Software && a.publicKey.length !== 32) {
      throw invalid(`authorities[${i}].public_key must be a 32-byte Ed25519 key`);
    }
    if (a.publicKey.length === 0 || a.publicKey.length > POLICY_LIMITS.authorityKeyBytes) {
      throw invalid(`authorities[${i}].public_key must be 1..${POLICY_LIMITS.authorityKeyBytes} bytes`);
    }
    if (a.label.length > POLICY_LIMITS.labelChars) throw invalid(`authorities[${i}].label is too long`);
    for (let j = 0; j < i; j++) {
      const b = authorities[j]!;
      if (b.teeType === a.teeType && bytesEqual(b.publicKey, a.publicKey)) {
        throw invalid(`authorities[${i}] repeats authorities[${j}]`);
      }
    }
  });
  const seen = new Set<string>();
  revokedPlatformIds.forEach((id, i) => {
    if (id.length !== 32) throw invalid(`revoked_platform_ids[${i}] must be 32 bytes`);
    const key = toBase64(id);
    if (seen.has(key)) throw invalid(`revoked_platform_ids[${i}] is repeated`);
    seen.add(key);
  });
  return policy;
}

/** Builds a policy from parts, checking every rule; copies the byte arrays. */
export function createPolicy(parts: {
  readonly allowedMeasurements?: readonly AllowedMeasurement[];
  readonly authorities?: readonly AttestationAuthority[];
  readonly maxQuoteAgeSeconds?: bigint;
  readonly revokedPlatformIds?: readonly Uint8Array[];
}): AttestationPolicy {
  return checkPolicy({
    allowedMeasurements: (parts.allowedMeasurements ?? []).map((m) => ({
      measurement: Uint8Array.from(m.measurement),
      label: m.label,
    })),
    authorities: (parts.authorities ?? []).map((a) => ({
      teeType: a.teeType,
      publicKey: Uint8Array.from(a.publicKey),
      label: a.label,
    })),
    maxQuoteAgeSeconds: parts.maxQuoteAgeSeconds ?? DEFAULT_MAX_QUOTE_AGE_SECONDS,
    revokedPlatformIds: (parts.revokedPlatformIds ?? []).map((id) => Uint8Array.from(id)),
  });
}

/** Decodes the JSON value (already parsed, so `unknown`) of a policy; ATTEST_POLICY_INVALID otherwise. */
export function policyFromJson(value: unknown): AttestationPolicy {
  if (!isPlainObject(value)) throw invalid("policy must be a JSON object");
  checkKeys(value, ["allowed_measurements", "authorities", "max_quote_age_seconds", "revoked_platform_ids"], "policy");
  const allowedMeasurements = readArray(
    value["allowed_measurements"],
    "allowed_measurements",
    POLICY_LIMITS.measurements,
  ).map((entry, i): AllowedMeasurement => {
    const where = `allowed_measurements[${i}]`;
    if (!isPlainObject(entry)) throw invalid(`${where} must be an object`);
    checkKeys(entry, ["measurement", "label"], where);
    return {
      measurement: readBytes(entry["measurement"], `${where}.measurement`, 32),
      label: readLabel(entry["label"], `${where}.label`),
    };
  });
  const authorities = readArray(value["authorities"], "authorities", POLICY_LIMITS.authorities).map(
    (entry, i): AttestationAuthority => {
      const where = `authorities[${i}]`;
      if (!isPlainObject(entry)) throw invalid(`${where} must be an object`);
      checkKeys(entry, ["tee_type", "public_key", "label"], where);
      const teeType = entry["tee_type"];
      if (typeof teeType !== "number" || !Number.isInteger(teeType))
        throw invalid(`${where}.tee_type must be an integer`);
      return {
        teeType,
        publicKey: readBytes(entry["public_key"], `${where}.public_key`),
        label: readLabel(entry["label"], `${where}.label`),
      };
    },
  );
  const age = value["max_quote_age_seconds"];
  const maxQuoteAgeSeconds = age === undefined ? DEFAULT_MAX_QUOTE_AGE_SECONDS : readU64(age, "max_quote_age_seconds");
  const revokedPlatformIds = readArray(
    value["revoked_platform_ids"],
    "revoked_platform_ids",
    POLICY_LIMITS.revokedPlatformIds,
  ).map((entry, i) => readBytes(entry, `revoked_platform_ids[${i}]`, 32));
  return checkPolicy({ allowedMeasurements, authorities, maxQuoteAgeSeconds, revokedPlatformIds });
}

/** The JSON value of a policy, every field present, in the order of the schema. */
export function policyToJson(policy: AttestationPolicy): Record<string, unknown> {
  return {
    allowed_measurements: policy.allowedMeasurements.map((m) => ({
      measurement: toBase64(m.measurement),
      label: m.label,
    })),
    authorities: policy.authorities.map((a) => ({
      tee_type: a.teeType,
      public_key: toBase64(a.publicKey),
      label: a.label,
    })),
    max_quote_age_seconds: policy.maxQuoteAgeSeconds.toString(),
    revoked_platform_ids: policy.revokedPlatformIds.map((id) => toBase64(id)),
  };
}

/** Canonical bytes of a policy: UTF-8 of the compact JSON of `policyToJson`. */
export function encodePolicy(policy: AttestationPolicy): Uint8Array {
  return utf8Encode(JSON.stringify(policyToJson(checkPolicy(policy))));
}

/** Decodes bytes holding a policy's JSON text; ATTEST_POLICY_INVALID for anything else. */
export function decodePolicy(bytes: Uint8Array): AttestationPolicy {
  let value: unknown;
  try {
    value = JSON.parse(utf8Decode(bytes));
  } catch {
    throw invalid("policy is not UTF-8 JSON");
  }
  return policyFromJson(value);
}

/** SHA-256 of the canonical bytes: a short identity for logs and acknowledgements. */
export function policyHash(policy: AttestationPolicy): Uint8Array {
  return sha256(encodePolicy(policy));
}

/** True when `measurement` is in the policy's allow-list. */
export function isMeasurementAllowed(policy: AttestationPolicy, measurement: Uint8Array): boolean {
  return policy.allowedMeasurements.some((m) => bytesEqual(m.measurement, measurement));
}
