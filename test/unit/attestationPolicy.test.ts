/** The attestation policy (crypto.md §11.5) and its JSON form for genesis and the sealed copy. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { utf8Decode, utf8Encode } from "../../src/primitives/bytes.ts";
import { toBase64 } from "../../src/primitives/base64.ts";
import { isCodedError } from "../../src/primitives/errors.ts";
import {
  createPolicy,
  decodePolicy,
  DEFAULT_MAX_QUOTE_AGE_SECONDS,
  encodePolicy,
  policyFromJson,
  policyHash,
  policyToJson,
  type AttestationPolicy,
} from "../../src/attestation/index.ts";

const m1 = new Uint8Array(32).fill(1);
const m2 = new Uint8Array(32).fill(2);
const pk = new Uint8Array(32).fill(3);

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (isCodedError(e)) return e.code;
    throw e;
  }
  return "OK";
}

const arbPolicy: fc.Arbitrary<AttestationPolicy> = fc
  .record({
    measurements: fc.uniqueArray(fc.uint8Array({ minLength: 32, maxLength: 32 }), {
      maxLength: 5,
      selector: (b) => toBase64(b),
    }),
    labels: fc.array(fc.string({ maxLength: 20 }), { minLength: 5, maxLength: 5 }),
    authorities: fc.uniqueArray(
      fc.record({ teeType: fc.constantFrom(1, 2, 3, 4), key: fc.uint8Array({ minLength: 32, maxLength: 32 }) }),
      { maxLength: 4, selector: (a) => `${a.teeType}:${toBase64(a.key)}` },
    ),
    age: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
    revoked: fc.uniqueArray(fc.uint8Array({ minLength: 32, maxLength: 32 }), {
      maxLength: 4,
      selector: (b) => toBase64(b),
    }),
  })
  .map((r) =>
    createPolicy({
      allowedMeasurements: r.measurements.map((measurement, i) => ({ measurement, label: r.labels[i]! })),
      authorities: r.authorities.map((a, i) => ({ teeType: a.teeType, publicKey: a.key, label: r.labels[i]! })),
      maxQuoteAgeSeconds: r.age,
      revokedPlatformIds: r.revoked,
    }),
  );

describe("attestation policy JSON", () => {
  it("has the proto3 JSON shape: base64 bytes, uint64 as a string, snake_case", () => {
    const policy = createPolicy({
      allowedMeasurements: [{ measurement: m1, label: "bootstrap build" }],
      authorities: [{ teeType: 1, publicKey: pk, label: "dev authority" }],
    });
    assert.deepEqual(policyToJson(policy), {
      allowed_measurements: [{ measurement: toBase64(m1), label: "bootstrap build" }],
      authorities: [{ tee_type: 1, public_key: toBase64(pk), label: "dev authority" }],
      max_quote_age_seconds: "86400",
      revoked_platform_ids: [],
    });
    assert.equal(
      utf8Decode(encodePolicy(policy)),
      `{"allowed_measurements":[{"measurement":"${toBase64(m1)}","label":"bootstrap build"}],` +
        `"authorities":[{"tee_type":1,"public_key":"${toBase64(pk)}","label":"dev authority"}],` +
        `"max_quote_age_seconds":"86400","revoked_platform_ids":[]}`,
    );
  });

  it("round-trips through JSON and canonical bytes (property)", () => {
    fc.assert(
      fc.property(arbPolicy, (policy) => {
        assert.deepEqual(policyFromJson(JSON.parse(JSON.stringify(policyToJson(policy)))), policy);
        const bytes = encodePolicy(policy);
        assert.deepEqual(decodePolicy(bytes), policy);
        assert.deepEqual(encodePolicy(decodePolicy(bytes)), bytes);
        assert.deepEqual(policyHash(decodePolicy(bytes)), policyHash(policy));
      }),
    );
  });

  it("defaults missing lists and max age; accepts a safe-integer age", () => {
    const p = policyFromJson({});
    assert.deepEqual(p, {
      allowedMeasurements: [],
      authorities: [],
      maxQuoteAgeSeconds: DEFAULT_MAX_QUOTE_AGE_SECONDS,
      revokedPlatformIds: [],
    });
    assert.equal(policyFromJson({ max_quote_age_seconds: 60 }).maxQuoteAgeSeconds, 60n);
    assert.equal(
      policyFromJson({ max_quote_age_seconds: "18446744073709551615" }).maxQuoteAgeSeconds,
      (1n << 64n) - 1n,
    );
  });

  it("refuses anything outside the schema with ATTEST_POLICY_INVALID", () => {
    const good = policyToJson(
      createPolicy({
        allowedMeasurements: [{ measurement: m1, label: "a" }],
        authorities: [{ teeType: 1, publicKey: pk, label: "b" }],
        revokedPlatformIds: [m2],
      }),
    );
    const variants: unknown[] = [
      null,
      [],
      "policy",
      { ...good, extra: 1 },
      { ...good, allowed_measurements: {} },
      { ...good, allowed_measurements: [{ measurement: toBase64(new Uint8Array(31)), label: "" }] },
      { ...good, allowed_measurements: [{ measurement: "not base64!", label: "" }] },
      { ...good, allowed_measurements: [{ measurement: toBase64(m1), label: "", x: 1 }] },
      { ...good, allowed_measurements: [{ measurement: toBase64(m1), label: 5 }] },
      { ...good, allowed_measurements: [{ measurement: toBase64(m1), label: "x".repeat(257) }] },
      { ...good, allowed_measurements: [{ measurement: toBase64(m1) }, { measurement: toBase64(m1) }] },
      { ...good, authorities: [{ tee_type: 0, public_key: toBase64(pk) }] },
      { ...good, authorities: [{ tee_type: 5, public_key: toBase64(pk) }] },
      { ...good, authorities: [{ tee_type: "1", public_key: toBase64(pk) }] },
      { ...good, authorities: [{ tee_type: 1, public_key: toBase64(new Uint8Array(33)) }] },
      { ...good, authorities: [{ tee_type: 2, public_key: "" }] },
      {
        ...good,
        authorities: [
          { tee_type: 1, public_key: toBase64(pk) },
          { tee_type: 1, public_key: toBase64(pk) },
        ],
      },
      { ...good, max_quote_age_seconds: "-1" },
      { ...good, max_quote_age_seconds: "18446744073709551616" },
      { ...good, max_quote_age_seconds: "01" },
      { ...good, max_quote_age_seconds: 1.5 },
      { ...good, max_quote_age_seconds: -1 },
      { ...good, revoked_platform_ids: [toBase64(m2), toBase64(m2)] },
      { ...good, revoked_platform_ids: [toBase64(new Uint8Array(16))] },
      { ...good, allowed_measurements: Array.from({ length: 1025 }, () => ({ measurement: toBase64(m1) })) },
    ];
    variants.forEach((v, i) =>
      assert.equal(
        codeOf(() => policyFromJson(v)),
        "ATTEST_POLICY_INVALID",
        `variant ${i}`,
      ),
    );
    assert.equal(
      codeOf(() => decodePolicy(Uint8Array.of(0xff))),
      "ATTEST_POLICY_INVALID",
    );
    assert.equal(
      codeOf(() => decodePolicy(utf8Encode("{"))),
      "ATTEST_POLICY_INVALID",
    );
    assert.equal(
      codeOf(() => policyFromJson(good)),
      "OK",
    );
  });
});
