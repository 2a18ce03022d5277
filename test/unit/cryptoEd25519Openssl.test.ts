/**
 * `ed25519Verify` and `ed25519VerifyZip215` take an OpenSSL fast path; these properties check that
 * they accept exactly what @noble/curves accepts (`verify(..., { zip215 })`, the reference rules) on
 * valid signatures, tampered bytes, s ≥ L, every encoding of the eight small-order points as A and
 * as R, mixed-order keys, R with a torsion component and non-canonical keys. Signatures with chosen
 * points are built here from the scalar arithmetic (s = r + k·a mod L). Each property also asks OpenSSL
 * directly, to show that the inputs where OpenSSL and the strict rule disagree are really exercised.
 */
import assert from "node:assert/strict";
import { createPublicKey, generateKeyPairSync, sign as opensslSign, verify as opensslVerify } from "node:crypto";
import { describe, it } from "node:test";
import fc from "fast-check";
import { ed25519 } from "@noble/curves/ed25519.js";
import { sha512 } from "@noble/hashes/sha2.js";
import {
  ED25519_OPENSSL_KEY_CACHE,
  ed25519PublicKey,
  ed25519Sign,
  ed25519Verify,
  ed25519VerifyNoble,
  ed25519VerifyZip215,
  isStrictFastPathKey,
} from "../../src/crypto/ed25519.ts";
import { concatBytes } from "../../src/primitives/bytes.ts";
import { toHex } from "../../src/primitives/hex.ts";

type Point = InstanceType<typeof ed25519.Point>;
const { Point } = ed25519;
const B = Point.BASE;
const L = 2n ** 252n + 27742317777372353535851937790883648493n;
const P = 2n ** 255n - 19n;

const modL = (x: bigint): bigint => ((x % L) + L) % L;

function le32(n: bigint): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = Number((n >> BigInt(8 * i)) & 0xffn);
  return out;
}

function fromLe(bytes: Uint8Array): bigint {
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i]!);
  return n;
}

/** k = SHA-512(R ‖ A ‖ M) mod L over the exact bytes. */
function challenge(r: Uint8Array, a: Uint8Array, msg: Uint8Array): bigint {
  return modL(fromLe(sha512(concatBytes(r, a, msg))));
}

/** R ‖ (r + k·a mod L), with R and A given as bytes (any encoding) and r, a as scalars. */
function signRaw(rBytes: Uint8Array, r: bigint, aBytes: Uint8Array, a: bigint, msg: Uint8Array): Uint8Array {
  return concatBytes(rBytes, le32(modL(r + challenge(rBytes, aBytes, msg) * a)));
}

function noble(sig: Uint8Array, msg: Uint8Array, pk: Uint8Array, zip215: boolean): boolean {
  try {
    return ed25519.verify(sig, msg, pk, { zip215 });
  } catch {
    return false;
  }
}

function openssl(sig: Uint8Array, msg: Uint8Array, pk: Uint8Array): boolean {
  try {
    const x = Buffer.from(pk).toString("base64url");
    return opensslVerify(null, msg, createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x }, format: "jwk" }), sig);
  } catch {
    return false;
  }
}

/** Both rules equal noble's; returns the answers and OpenSSL's own. */
function agree(sig: Uint8Array, msg: Uint8Array, pk: Uint8Array): { strict: boolean; zip: boolean; openssl: boolean } {
  const strict = ed25519Verify(sig, msg, pk);
  const zip = ed25519VerifyZip215(sig, msg, pk);
  const what = `sig ${toHex(sig)} pk ${toHex(pk)} msg ${toHex(msg)}`;
  assert.equal(strict, noble(sig, msg, pk, false), `strict: ${what}`);
  assert.equal(zip, noble(sig, msg, pk, true), `ZIP-215: ${what}`);
  assert.equal(ed25519VerifyNoble(sig, msg, pk), strict);
  assert.equal(ed25519VerifyNoble(sig, msg, pk, true), zip);
  return { strict, zip, openssl: openssl(sig, msg, pk) };
}

/** The eight points of order dividing 8: multiples of an order-8 point found by clearing L. */
const SMALL_ORDER: readonly Point[] = (() => {
  for (let i = 2; ; i++) {
    let q: Point;
    try {
      q = Point.fromBytes(le32(BigInt(i)));
    } catch {
      continue;
    }
    const t = q.multiplyUnsafe(L - 1n).add(q); // [L]q: its small-order component
    if (t.double().double().is0()) continue;
    const out: Point[] = [];
    let acc = Point.ZERO;
    for (let j = 0; j < 8; j++, acc = acc.add(t)) out.push(acc);
    return out;
  }
})();

const isSmallOrderPoint = (q: Point): boolean => SMALL_ORDER.some((t) => t.equals(q));

/**
 * Every 32-byte encoding of a small-order point that ZIP-215 decodes: the canonical one, the sign
 * bit flipped (decodes only when x = 0), and y + p when that is below 2²⁵⁵ (y = 0 and y = 1).
 */
const SMALL_ORDER_ENCODINGS: readonly { bytes: Uint8Array; point: Point; canonical: boolean }[] = (() => {
  const seen = new Map<string, { bytes: Uint8Array; point: Point; canonical: boolean }>();
  for (const t of SMALL_ORDER) {
    const canonical = t.toBytes();
    const y = t.toAffine().y;
    const signBit = canonical[31]! & 0x80;
    const candidates = [canonical, Uint8Array.from(canonical, (b, i) => (i === 31 ? b ^ 0x80 : b))];
    if (y + P < 2n ** 255n) {
      const high = le32(y + P);
      candidates.push(Uint8Array.from(high, (b, i) => (i === 31 ? b | signBit : b)));
      candidates.push(Uint8Array.from(high, (b, i) => (i === 31 ? b | (signBit ^ 0x80) : b)));
    }
    for (const bytes of candidates) {
      let point: Point;
      try {
        point = Point.fromBytes(bytes, true);
      } catch {
        continue;
      }
      if (!point.equals(t)) continue;
      seen.set(toHex(bytes), { bytes, point, canonical: toHex(bytes) === toHex(canonical) });
    }
  }
  return [...seen.values()];
})();

const scalar = fc.bigInt({ min: 1n, max: L - 1n });
const message = fc.uint8Array({ maxLength: 96 });
const seed = fc.uint8Array({ minLength: 32, maxLength: 32 });

describe("the small-order points", () => {
  it("are 8 points with 14 encodings (8 canonical), and the fast path refuses exactly them among y < p", () => {
    assert.equal(SMALL_ORDER.length, 8);
    assert.equal(new Set(SMALL_ORDER.map((t) => toHex(t.toBytes()))).size, 8);
    assert.equal(SMALL_ORDER_ENCODINGS.length, 14);
    assert.equal(SMALL_ORDER_ENCODINGS.filter((e) => e.canonical).length, 8);
    for (const e of SMALL_ORDER_ENCODINGS) assert.equal(isStrictFastPathKey(e.bytes), false, toHex(e.bytes));
  });

  it("isStrictFastPathKey(k) ⇔ y < p and y is not the y of a small-order point", () => {
    const smallY = new Set(SMALL_ORDER.map((t) => t.toAffine().y));
    const expected = (k: Uint8Array): boolean => {
      const y = fromLe(k) & ((1n << 255n) - 1n);
      return y < P && !smallY.has(y);
    };
    const edges = [P - 1n, P, P + 1n, P + 18n, 2n ** 255n - 1n, 0n, 1n, 2n].flatMap((y) => [
      le32(y),
      Uint8Array.from(le32(y), (b, i) => (i === 31 ? b | 0x80 : b)),
    ]);
    for (const k of edges) assert.equal(isStrictFastPathKey(k), expected(k), toHex(k));
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (k) => isStrictFastPathKey(k) === expected(k)),
      { numRuns: 500 },
    );
  });
});

describe("Ed25519 OpenSSL fast path = noble", () => {
  it("random valid signatures: accepted by both rules and by OpenSSL", () => {
    fc.assert(
      fc.property(seed, message, (sd, msg) => {
        const pk = ed25519PublicKey(sd);
        const sig = ed25519Sign(sd, msg);
        const r = agree(sig, msg, pk);
        return r.strict && r.zip && r.openssl;
      }),
      { numRuns: 60 },
    );
  });

  it("tampered signature, message or key bytes", () => {
    fc.assert(
      fc.property(
        seed,
        message,
        fc.constantFrom("sig", "msg", "pk"),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        (sd, msg, where, at, xor) => {
          const pk = ed25519PublicKey(sd);
          const sig = ed25519Sign(sd, msg);
          const target = where === "sig" ? sig : where === "pk" ? pk : msg;
          if (target.length === 0) return true;
          target[at % target.length]! ^= xor;
          agree(sig, msg, pk);
          return true;
        },
      ),
      { numRuns: 120 },
    );
  });

  it("s ≥ L is refused (s + L of a valid signature, and any s in L…2²⁵⁶−1)", () => {
    fc.assert(
      fc.property(seed, message, fc.bigInt({ min: L, max: 2n ** 256n - 1n }), (sd, msg, big) => {
        const pk = ed25519PublicKey(sd);
        const sig = ed25519Sign(sd, msg);
        const malleated = concatBytes(sig.subarray(0, 32), le32(fromLe(sig.subarray(32)) + L));
        const other = concatBytes(sig.subarray(0, 32), le32(big));
        for (const s of [malleated, other]) {
          const r = agree(s, msg, pk);
          assert.equal(r.strict || r.zip || r.openssl, false);
        }
        return true;
      }),
      { numRuns: 40 },
    );
  });

  it("every small-order encoding as A: refused by the strict rule even where OpenSSL accepts", () => {
    let opensslOnly = 0;
    fc.assert(
      fc.property(fc.constantFrom(...SMALL_ORDER_ENCODINGS), message, scalar, (e, msg, r) => {
        const identity = Point.ZERO.toBytes();
        const candidates = [
          concatBytes(identity, new Uint8Array(32)), // R = 0, s = 0: [8](0 + [k]T − 0) = 0
          concatBytes(B.multiply(r).toBytes(), le32(r)), // R = [r]B, s = r: R + [k]T − [s]B = [k]T
          concatBytes(B.multiply(r).toBytes(), le32(modL(r + 1n))),
        ];
        for (const sig of candidates) {
          const res = agree(sig, msg, e.bytes);
          assert.equal(res.strict, false);
          if (res.openssl) opensslOnly++;
        }
        return true;
      }),
      { numRuns: 80 },
    );
    // The identity key with R = 0, s = 0 verifies in OpenSSL for every message.
    assert.ok(opensslOnly > 0, "no input where OpenSSL accepts a small-order key");
    for (const e of SMALL_ORDER_ENCODINGS) {
      const sig = concatBytes(Point.ZERO.toBytes(), new Uint8Array(32));
      const res = agree(sig, Uint8Array.of(1, 2, 3), e.bytes);
      assert.equal(res.zip, true, `ZIP-215 accepts R = 0, s = 0 for small-order A ${toHex(e.bytes)}`);
    }
  });

  it("every small-order encoding as R, with a prime-order key: accepted iff the encoding is canonical (strict)", () => {
    fc.assert(
      fc.property(fc.constantFrom(...SMALL_ORDER_ENCODINGS), message, scalar, (e, msg, a) => {
        const aBytes = B.multiply(a).toBytes();
        // s = k·a: R + [k]A − [s]B = T, so the cofactored equation holds; cofactorless only for T = 0.
        const sig = signRaw(e.bytes, 0n, aBytes, a, msg);
        const res = agree(sig, msg, aBytes);
        assert.equal(res.strict, e.canonical);
        assert.equal(res.zip, true);
        assert.equal(res.openssl, e.canonical && e.point.is0());
        return true;
      }),
      { numRuns: 80 },
    );
  });

  it("mixed-order keys A = [a]B + T: both rules accept; OpenSSL only when [k]T = 0", () => {
    const outcomes = new Set<boolean>();
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 7 }), message, scalar, scalar, (j, msg, a, r) => {
        const aPoint = B.multiply(a).add(SMALL_ORDER[j]!);
        const aBytes = aPoint.toBytes();
        assert.equal(isSmallOrderPoint(aPoint), false);
        const sig = signRaw(B.multiply(r).toBytes(), r, aBytes, a, msg);
        const res = agree(sig, msg, aBytes);
        assert.equal(res.strict && res.zip, true);
        outcomes.add(res.openssl);
        return true;
      }),
      { numRuns: 60 },
    );
    // With T of order 2, [k]T = 0 for even k: over these messages OpenSSL both accepts and refuses.
    for (let i = 0; i < 16; i++) {
      const a = 1234567n + BigInt(i);
      const aBytes = B.multiply(a).add(SMALL_ORDER[4]!).toBytes();
      const msg = Uint8Array.of(i);
      const res = agree(signRaw(B.multiply(99n + BigInt(i)).toBytes(), 99n + BigInt(i), aBytes, a, msg), msg, aBytes);
      assert.equal(res.strict, true);
      outcomes.add(res.openssl);
    }
    assert.deepEqual([...outcomes].sort(), [false, true]);
  });

  it("R with a torsion component R = [r]B + T: both rules accept, OpenSSL refuses", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 7 }), message, scalar, scalar, (j, msg, a, r) => {
        const aBytes = B.multiply(a).toBytes();
        const rBytes = B.multiply(r).add(SMALL_ORDER[j]!).toBytes();
        const res = agree(signRaw(rBytes, r, aBytes, a, msg), msg, aBytes);
        assert.equal(res.strict && res.zip, true);
        assert.equal(res.openssl, false);
        return true;
      }),
      { numRuns: 40 },
    );
  });

  it("non-canonical keys of large order (y + p for small y, both sign bits)", () => {
    const keys: Uint8Array[] = [];
    for (let y = 0n; y + P < 2n ** 255n; y++) {
      for (const sign of [0, 0x80]) {
        const bytes = Uint8Array.from(le32(y + P), (b, i) => (i === 31 ? b | sign : b));
        let point: Point;
        try {
          point = Point.fromBytes(bytes, true);
        } catch {
          continue;
        }
        if (!isSmallOrderPoint(point)) keys.push(bytes);
      }
    }
    assert.ok(keys.length >= 4, `${keys.length} non-canonical large-order keys`);
    fc.assert(
      fc.property(
        fc.constantFrom(...keys),
        message,
        fc.uint8Array({ minLength: 64, maxLength: 64 }),
        (pk, msg, sig) => {
          sig[63]! &= 0x0f; // s < 2²⁵² < L, so only the points decide
          agree(sig, msg, pk);
          agree(concatBytes(Point.ZERO.toBytes(), new Uint8Array(32)), msg, pk);
          assert.equal(ed25519Verify(sig, msg, pk), false);
          return true;
        },
      ),
      { numRuns: 60 },
    );
  });

  it("keys in views, evicted keys and many keys keep their answers", () => {
    const pairs = Array.from({ length: ED25519_OPENSSL_KEY_CACHE + 8 }, () => {
      const { publicKey, privateKey } = generateKeyPairSync("ed25519");
      const x = publicKey.export({ format: "jwk" }).x;
      assert.ok(typeof x === "string");
      return { pk: new Uint8Array(Buffer.from(x, "base64url")), privateKey };
    });
    const msg = Uint8Array.of(7, 7, 7);
    const sigs = pairs.map((p) => new Uint8Array(opensslSign(null, msg, p.privateKey)));
    pairs.forEach((p, i) => assert.equal(ed25519Verify(sigs[i]!, msg, p.pk), true));
    // The first keys were evicted; they verify again, and never for another key's signature.
    for (let i = 0; i < 8; i++) {
      const view = new Uint8Array(64);
      view.set(pairs[i]!.pk, 16);
      const pk = view.subarray(16, 48);
      assert.equal(ed25519Verify(sigs[i]!, msg, pk), true);
      assert.equal(ed25519Verify(sigs[i + 1]!, msg, pk), false);
      assert.equal(ed25519VerifyZip215(sigs[i]!, msg, pk), true);
    }
  });
});
