/**
 * The attestation verifier (crypto.md §11.3–§11.5): envelope and software quote layouts, every
 * ATTEST_* code in check order, the freshness bounds at their exact edges, nonces, low-order keys,
 * and the pluggable registry.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { concatBytes, utf8Encode } from "../../src/primitives/bytes.ts";
import { fromHex, toHex } from "../../src/primitives/hex.ts";
import { err, ok } from "../../src/primitives/result.ts";
import { sha256 } from "../../src/crypto/hash.ts";
import { ed25519PublicKey, ed25519Sign, ed25519Verify } from "../../src/crypto/ed25519.ts";
import { x25519PublicKey } from "../../src/crypto/x25519.ts";
import {
  createPolicy,
  createSoftwareEvidence,
  createSoftwareQuote,
  createVerifierRegistry,
  decodeEvidence,
  DEFAULT_VERIFIERS,
  encodeEvidence,
  isLowOrderX25519Key,
  softwareQuoteVerifier,
  verifyEvidence,
  type AttestationPolicy,
  type TeeVerifier,
} from "../../src/attestation/index.ts";

const authoritySeed = fromHex("0f0e0d0c0b0a09080706050403020100f0e0d0c0b0a090807060504030201000");
const authorityPk = ed25519PublicKey(authoritySeed);
const measurement = sha256(utf8Encode("enclave build"));
const platformId = sha256(utf8Encode("platform"));
const regPk = x25519PublicKey(new Uint8Array(32).fill(0x42));
const nonce = new Uint8Array(32).fill(0x99);
const report = { measurement, platformId, reportData: concatBytes(regPk, nonce) };
const T = 1_700_000_000n;
const policy: AttestationPolicy = createPolicy({
  allowedMeasurements: [{ measurement, label: "build" }],
  authorities: [{ teeType: 1, publicKey: authorityPk, label: "dev" }],
  maxQuoteAgeSeconds: 3600n,
  revokedPlatformIds: [sha256(utf8Encode("revoked"))],
});
const evidence = createSoftwareEvidence(report, T, authoritySeed);

function codeOf(ev: Uint8Array, opts: Partial<Parameters<typeof verifyEvidence>[1]> = {}): string {
  const r = verifyEvidence(ev, { blockTimeSeconds: T, policy, ...opts });
  return r.ok ? "OK" : r.error.code;
}

/** A quote whose signed bytes were changed and then re-signed by the authority (so only the change is wrong). */
function resigned(change: (signed: Uint8Array) => void): Uint8Array {
  const signed = createSoftwareQuote(report, T, authoritySeed).slice(0, 176);
  change(signed);
  return encodeEvidence({ teeType: 1, body: concatBytes(signed, ed25519Sign(authoritySeed, signed)) });
}

describe("evidence and software quote layouts", () => {
  it("envelope: SNEV ‖ 0001 ‖ tee_type ‖ BE32 body_len ‖ body; quote: 240 bytes, signature over [0,176)", () => {
    assert.equal(evidence.length, 252);
    assert.equal(toHex(evidence.subarray(0, 12)), "534e4556" + "0001" + "0001" + "000000f0");
    const body = evidence.subarray(12);
    assert.equal(toHex(body.subarray(0, 8)), "534e5154" + "0001" + "0001");
    assert.deepEqual(body.subarray(8, 40), measurement);
    assert.deepEqual(body.subarray(40, 72), platformId);
    assert.deepEqual(body.subarray(72, 104), regPk);
    assert.deepEqual(body.subarray(104, 136), nonce);
    assert.equal(toHex(body.subarray(136, 144)), T.toString(16).padStart(16, "0"));
    assert.deepEqual(body.subarray(144, 176), authorityPk);
    assert.ok(ed25519Verify(body.subarray(176, 240), body.subarray(0, 176), authorityPk));
    const decoded = decodeEvidence(evidence);
    assert.ok(decoded.ok);
    assert.equal(decoded.value.teeType, 1);
  });

  it("a valid quote passes and yields its claims", () => {
    const r = verifyEvidence(evidence, { blockTimeSeconds: T, policy, nonceSeen: () => false });
    assert.ok(r.ok);
    assert.equal(r.value.teeType, 1);
    assert.deepEqual(r.value.measurement, measurement);
    assert.deepEqual(r.value.platformId, platformId);
    assert.deepEqual(r.value.enclavePublicKey, regPk);
    assert.deepEqual(r.value.nonce, nonce);
    assert.equal(r.value.issuedAtSeconds, T);
  });
});

describe("verification: each code", () => {
  it("1 ATTEST_MALFORMED: envelope magic, version, unknown type, lengths, trailing bytes", () => {
    const mut = (i: number, v: number): Uint8Array => {
      const b = Uint8Array.from(evidence);
      b[i] = v;
      return b;
    };
    assert.equal(codeOf(new Uint8Array(0)), "ATTEST_MALFORMED");
    assert.equal(codeOf(evidence.subarray(0, 11)), "ATTEST_MALFORMED");
    assert.equal(codeOf(mut(0, 0x58)), "ATTEST_MALFORMED");
    assert.equal(codeOf(mut(5, 2)), "ATTEST_MALFORMED");
    assert.equal(codeOf(mut(7, 0)), "ATTEST_MALFORMED");
    assert.equal(codeOf(mut(7, 5)), "ATTEST_MALFORMED");
    assert.equal(codeOf(mut(11, 0xef)), "ATTEST_MALFORMED");
    assert.equal(codeOf(concatBytes(evidence, Uint8Array.of(0))), "ATTEST_MALFORMED");
    assert.equal(codeOf(evidence.subarray(0, evidence.length - 1)), "ATTEST_MALFORMED");
  });

  it("2 ATTEST_MALFORMED: quote length, magic, version, tee_type", () => {
    const body = evidence.subarray(12);
    const env = (b: Uint8Array): Uint8Array => encodeEvidence({ teeType: 1, body: b });
    const mut = (i: number, v: number): Uint8Array => {
      const b = Uint8Array.from(body);
      b[i] = v;
      return env(b);
    };
    assert.equal(codeOf(env(body.subarray(0, 239))), "ATTEST_MALFORMED");
    assert.equal(codeOf(env(concatBytes(body, Uint8Array.of(0)))), "ATTEST_MALFORMED");
    assert.equal(codeOf(mut(0, 0)), "ATTEST_MALFORMED");
    assert.equal(codeOf(mut(5, 2)), "ATTEST_MALFORMED");
    assert.equal(codeOf(mut(7, 2)), "ATTEST_MALFORMED");
  });

  it("3 ATTEST_UNKNOWN_AUTHORITY: key not listed, or listed for another tee_type", () => {
    const stranger = new Uint8Array(32).fill(3);
    assert.equal(codeOf(createSoftwareEvidence(report, T, stranger)), "ATTEST_UNKNOWN_AUTHORITY");
    const wrongType = createPolicy({
      allowedMeasurements: policy.allowedMeasurements,
      authorities: [{ teeType: 2, publicKey: authorityPk, label: "sgx" }],
    });
    assert.equal(codeOf(evidence, { policy: wrongType }), "ATTEST_UNKNOWN_AUTHORITY");
  });

  it("4 ATTEST_BAD_SIGNATURE: any change to the signed bytes or the signature", () => {
    for (const offset of [8, 40, 72, 104, 136, 143, 176, 239]) {
      const b = Uint8Array.from(evidence);
      b[12 + offset] = b[12 + offset]! ^ 0x10;
      assert.equal(codeOf(b), "ATTEST_BAD_SIGNATURE", `offset ${offset}`);
    }
  });

  it("5 ATTEST_MEASUREMENT_NOT_ALLOWED, 6 ATTEST_PLATFORM_REVOKED", () => {
    const other = createSoftwareEvidence(
      { ...report, measurement: sha256(utf8Encode("other build")) },
      T,
      authoritySeed,
    );
    assert.equal(codeOf(other), "ATTEST_MEASUREMENT_NOT_ALLOWED");
    const revoked = createSoftwareEvidence({ ...report, platformId: sha256(utf8Encode("revoked")) }, T, authoritySeed);
    assert.equal(codeOf(revoked), "ATTEST_PLATFORM_REVOKED");
  });

  it("7 ATTEST_STALE: exactly block − max_age ≤ issued_at ≤ block + 300", () => {
    const at = (issued: bigint): Uint8Array => createSoftwareEvidence(report, issued, authoritySeed);
    assert.equal(codeOf(at(T - 3600n)), "OK");
    assert.equal(codeOf(at(T - 3601n)), "ATTEST_STALE");
    assert.equal(codeOf(at(T + 300n)), "OK");
    assert.equal(codeOf(at(T + 301n)), "ATTEST_STALE");
    assert.equal(codeOf(at(0n)), "ATTEST_STALE");
    assert.equal(codeOf(at((1n << 64n) - 1n)), "ATTEST_STALE");
    // max age larger than the block time: no underflow
    const lenient = createPolicy({ ...policy, maxQuoteAgeSeconds: (1n << 64n) - 1n });
    assert.equal(codeOf(at(0n), { policy: lenient }), "OK");
    const zeroAge = createPolicy({ ...policy, maxQuoteAgeSeconds: 0n });
    assert.equal(codeOf(at(T), { policy: zeroAge }), "OK");
    assert.equal(codeOf(at(T - 1n), { policy: zeroAge }), "ATTEST_STALE");
  });

  it("8 ATTEST_NONCE_REUSED only when the caller tracks nonces", () => {
    const seen = new Set([toHex(nonce)]);
    assert.equal(codeOf(evidence, { nonceSeen: (n) => seen.has(toHex(n)) }), "ATTEST_NONCE_REUSED");
    assert.equal(codeOf(evidence, { nonceSeen: () => false }), "OK");
    assert.equal(codeOf(evidence), "OK");
  });

  it("9 ATTEST_BAD_KEY: every low-order X25519 encoding", () => {
    const p = (1n << 255n) - 19n;
    const le = (n: bigint): Uint8Array => {
      const out = new Uint8Array(32);
      for (let i = 0; i < 32; i++) out[i] = Number((n >> BigInt(8 * i)) & 0xffn);
      return out;
    };
    const lowOrder = [
      0n,
      1n,
      325606250916557431795983626356110631294008115727848805560023387167927233504n,
      39382357235489614581723060781553021112529911719440698176882885853963445705823n,
      p - 1n,
      p,
      p + 1n,
    ];
    for (const u of lowOrder) {
      for (const high of [false, true]) {
        const key = le(u);
        if (high) key[31]! |= 0x80;
        assert.equal(isLowOrderX25519Key(key), true, `u = ${u}, high bit ${high}`);
        const ev = createSoftwareEvidence({ ...report, reportData: concatBytes(key, nonce) }, T, authoritySeed);
        assert.equal(codeOf(ev), "ATTEST_BAD_KEY");
      }
    }
    assert.equal(isLowOrderX25519Key(regPk), false);
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (sk) => !isLowOrderX25519Key(x25519PublicKey(sk))),
      {
        numRuns: 50,
      },
    );
  });

  it("checks run in order: the earliest failure names the code", () => {
    // unknown authority and bad measurement and stale and low-order key: authority first
    const everything = createSoftwareEvidence(
      { measurement: new Uint8Array(32), platformId: sha256(utf8Encode("revoked")), reportData: new Uint8Array(64) },
      0n,
      new Uint8Array(32).fill(5),
    );
    assert.equal(codeOf(everything, { nonceSeen: () => true }), "ATTEST_UNKNOWN_AUTHORITY");
    const measurementAndLater = createSoftwareEvidence(
      { measurement: new Uint8Array(32), platformId: sha256(utf8Encode("revoked")), reportData: new Uint8Array(64) },
      0n,
      authoritySeed,
    );
    assert.equal(codeOf(measurementAndLater, { nonceSeen: () => true }), "ATTEST_MEASUREMENT_NOT_ALLOWED");
    const revokedAndLater = createSoftwareEvidence(
      { measurement, platformId: sha256(utf8Encode("revoked")), reportData: new Uint8Array(64) },
      0n,
      authoritySeed,
    );
    assert.equal(codeOf(revokedAndLater, { nonceSeen: () => true }), "ATTEST_PLATFORM_REVOKED");
    const staleAndLater = createSoftwareEvidence({ ...report, reportData: new Uint8Array(64) }, 0n, authoritySeed);
    assert.equal(codeOf(staleAndLater, { nonceSeen: () => true }), "ATTEST_STALE");
    const nonceAndKey = createSoftwareEvidence({ ...report, reportData: new Uint8Array(64) }, T, authoritySeed);
    assert.equal(codeOf(nonceAndKey, { nonceSeen: () => true }), "ATTEST_NONCE_REUSED");
    // validly signed quotes with a bad magic, version or type are malformed before anything else
    assert.equal(codeOf(resigned((b) => (b[0] = 0))), "ATTEST_MALFORMED");
    assert.equal(codeOf(resigned((b) => (b[5] = 2))), "ATTEST_MALFORMED");
    assert.equal(codeOf(resigned((b) => (b[7] = 3))), "ATTEST_MALFORMED");
    assert.equal(codeOf(resigned(() => undefined)), "OK");
  });

  it("is deterministic and never throws on random input (property)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
        const a = verifyEvidence(bytes, { blockTimeSeconds: T, policy });
        const b = verifyEvidence(bytes, { blockTimeSeconds: T, policy });
        assert.deepEqual(a, b);
        assert.equal(a.ok, false);
      }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 251 }), fc.integer({ min: 1, max: 255 }), (i, x) => {
        const b = Uint8Array.from(evidence);
        b[i] = b[i]! ^ x;
        assert.equal(verifyEvidence(b, { blockTimeSeconds: T, policy }).ok, false);
      }),
    );
  });
});

describe("verifier registry", () => {
  it("types 2–4 are known but unsupported; absent types in a custom registry are unsupported", () => {
    for (const teeType of [2, 3, 4]) {
      assert.equal(codeOf(encodeEvidence({ teeType, body: new Uint8Array(100) })), "ATTEST_UNSUPPORTED_TEE");
    }
    assert.equal(DEFAULT_VERIFIERS.size, 4);
    const onlySoftware = createVerifierRegistry([softwareQuoteVerifier]);
    assert.equal(
      codeOf(encodeEvidence({ teeType: 3, body: new Uint8Array(1) }), { verifiers: onlySoftware }),
      "ATTEST_UNSUPPORTED_TEE",
    );
    assert.equal(codeOf(evidence, { verifiers: onlySoftware }), "OK");
  });

  it("a plugged-in verifier runs the common checks 5–9 on its claims", () => {
    const fake: TeeVerifier = {
      teeType: 3,
      name: "fake SEV-SNP",
      verify: (body) =>
        body[0] === 1
          ? ok({ teeType: 3, measurement, platformId, reportData: concatBytes(regPk, nonce), issuedAtSeconds: T })
          : err({ code: "ATTEST_BAD_SIGNATURE", message: "fake" }),
    };
    const registry = createVerifierRegistry([...DEFAULT_VERIFIERS.values(), fake]);
    assert.equal(codeOf(encodeEvidence({ teeType: 3, body: Uint8Array.of(1) }), { verifiers: registry }), "OK");
    assert.equal(
      codeOf(encodeEvidence({ teeType: 3, body: Uint8Array.of(0) }), { verifiers: registry }),
      "ATTEST_BAD_SIGNATURE",
    );
    assert.equal(
      codeOf(encodeEvidence({ teeType: 3, body: Uint8Array.of(1) }), {
        verifiers: registry,
        blockTimeSeconds: T + 7200n,
      }),
      "ATTEST_STALE",
    );
  });
});
