/**
 * The WebAssembly secp256k1 verifier behind `secp256k1Verify` / `secp256k1VerifySha256` against
 * @noble/curves (`verify` with `lowS: true` after libsecp256k1's key parsing): its field arithmetic
 * against BigInt, the scalar helpers, valid and tampered signatures with every key encoding, range
 * edges of r and s, keys off the curve or with coordinates ≥ p, degenerate sums, signatures whose
 * x(R) is r + n, and that the committed wasm is a rebuild of its source.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, it } from "node:test";
import fc from "fast-check";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { sha256, secp256k1Verify, secp256k1VerifySha256 } from "../../src/crypto/index.ts";
import {
  LAMBDA,
  invertModN,
  invertModNWasm,
  secp256k1WasmInversionFallbacks,
  SECP256K1_DEFAULT_KEY_CACHE,
  SECP256K1_KEY_CACHE_MAX,
  secp256k1KeyCacheStats,
  secp256k1WasmFieldOp,
  secp256k1WasmVerify,
  setSecp256k1KeyCacheSize,
  splitScalar,
} from "../../src/crypto/secp256k1Wasm.ts";
import { concatBytes } from "../../src/primitives/bytes.ts";
import { fromHex, toHex } from "../../src/primitives/hex.ts";

const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const P = 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2fn;
const G = secp256k1.Point.BASE;
const be32 = (n: bigint): Uint8Array => fromHex(n.toString(16).padStart(64, "0"));
const int = (b: Uint8Array): bigint => BigInt(`0x${toHex(b) || "0"}`);
const mod = (a: bigint, m: bigint): bigint => ((a % m) + m) % m;
const powMod = (b: bigint, e: bigint, m: bigint): bigint => {
  let r = 1n;
  let x = mod(b, m);
  for (let k = e; k > 0n; k >>= 1n) {
    if (k & 1n) r = (r * x) % m;
    x = (x * x) % m;
  }
  return r;
};

/** The reference: libsecp256k1's key parsing (hybrid 06/07 checked and mapped to 04), then noble. */
function reference(sig: Uint8Array, digest: Uint8Array, pk: Uint8Array): boolean {
  let key = pk;
  if (pk.length === 33) {
    if (pk[0] !== 2 && pk[0] !== 3) return false;
  } else if (pk.length === 65) {
    if (pk[0] === 6 || pk[0] === 7) {
      if ((pk[64]! & 1) !== (pk[0] & 1)) return false;
      key = concatBytes(Uint8Array.of(4), pk.subarray(1));
    } else if (pk[0] !== 4) return false;
  } else return false;
  try {
    return secp256k1.verify(sig, digest, key, { prehash: false, lowS: true, format: "compact" });
  } catch {
    return false;
  }
}

const DEFAULT_KEY_CACHE = SECP256K1_DEFAULT_KEY_CACHE;

/**
 * Checks every path of the verifier against the reference: without the key cache; then, with a
 * fresh cache, the key's first sight (not cached) and its second (tables built, cached path).
 */
function agree(sig: Uint8Array, digest: Uint8Array, pk: Uint8Array): boolean {
  const expected = reference(sig, digest, pk);
  const what = `sig ${toHex(sig)} digest ${toHex(digest)} pk ${toHex(pk)}`;
  setSecp256k1KeyCacheSize(0);
  assert.equal(secp256k1Verify(sig, digest, pk), expected, `uncached: ${what}`);
  setSecp256k1KeyCacheSize(DEFAULT_KEY_CACHE);
  assert.equal(secp256k1Verify(sig, digest, pk), expected, `first sight: ${what}`);
  const before = secp256k1KeyCacheStats().cachedVerifications;
  assert.equal(secp256k1Verify(sig, digest, pk), expected, `cached: ${what}`);
  // a key that parses gets its tables on its second verification (r, s in range and low-S reach the key)
  const reachesKey =
    int(sig.subarray(0, 32)) % N !== 0n && int(sig.subarray(32)) > 0n && int(sig.subarray(32)) <= N >> 1n;
  if (expected && reachesKey) assert.equal(secp256k1KeyCacheStats().cachedVerifications, before + 1, `cached: ${what}`);
  return expected;
}

const scalar = fc.bigInt({ min: 1n, max: N - 1n });
const field256 = fc.bigInt({ min: 0n, max: (1n << 256n) - 1n });
const fieldEdge = fc.oneof(
  field256,
  fc.constantFrom(0n, 1n, 2n, P - 1n, P, P + 1n, (1n << 256n) - 1n, (1n << 255n) - 1n, 0x1000003d0n),
);
const digest = fc.uint8Array({ minLength: 32, maxLength: 32 });

/** A low-S signature (r, s) of `z` under the key of secret `d` with nonce `k`, or undefined when degenerate. */
function signWith(d: bigint, k: bigint, z: bigint): Uint8Array | undefined {
  const r = mod(G.multiply(k).toAffine().x, N);
  let s = mod(invertModN(k) * (z + r * d), N);
  if (r === 0n || s === 0n) return undefined;
  if (s > N >> 1n) s = N - s;
  return concatBytes(be32(r), be32(s));
}

const encodings = (pub: InstanceType<typeof secp256k1.Point>): Uint8Array[] => {
  const u = pub.toBytes(false);
  return [pub.toBytes(true), u, concatBytes(Uint8Array.of(0x06 | (u[64]! & 1)), u.subarray(1))];
};

describe("secp256k1 wasm field arithmetic", () => {
  it("multiplies, squares, adds and subtracts like BigInt mod p, for any 256-bit inputs", () => {
    fc.assert(
      fc.property(fieldEdge, fieldEdge, (a, b) => {
        assert.equal(secp256k1WasmFieldOp(0, a, b), mod(a * b, P));
        assert.equal(secp256k1WasmFieldOp(1, a, b), mod(a * a, P));
        assert.equal(secp256k1WasmFieldOp(2, a, b), mod(a + b, P));
        assert.equal(secp256k1WasmFieldOp(3, a, b), mod(a - b, P));
        assert.equal(secp256k1WasmFieldOp(6, a, b), mod(a, P));
      }),
      { numRuns: 400 },
    );
  });

  it("inverts and takes square roots", () => {
    fc.assert(
      fc.property(fieldEdge, (a) => {
        const am = mod(a, P);
        if (am !== 0n) assert.equal(secp256k1WasmFieldOp(4, a, 0n), powMod(am, P - 2n, P));
        assert.equal(secp256k1WasmFieldOp(5, a, 0n), powMod(am, (P + 1n) / 4n, P));
      }),
      { numRuns: 60 },
    );
  });
});

describe("secp256k1 wasm scalar helpers", () => {
  it("inverts mod n and splits scalars into two halves below 2^129 (GLV)", () => {
    assert.equal(mod(LAMBDA * LAMBDA * LAMBDA, N), 1n);
    fc.assert(
      fc.property(fc.oneof(scalar, fc.constantFrom(1n, 2n, N - 1n, N - 2n, N >> 1n, LAMBDA)), (k) => {
        assert.equal((invertModN(k) * k) % N, 1n);
        const [k1, k2] = splitScalar(k);
        assert.equal(mod(k1 + k2 * LAMBDA, N), k);
        assert.ok((k1 < 0n ? -k1 : k1) < 1n << 129n && (k2 < 0n ? -k2 : k2) < 1n << 129n);
      }),
      { numRuns: 300 },
    );
    assert.equal(splitScalar(0n).join(), "0,0");
  });

  it("inverts mod n in the module exactly as in BigInt, never falling back", () => {
    const before = secp256k1WasmInversionFallbacks();
    const edges = [1n, 2n, 3n, N - 1n, N - 2n, N >> 1n, (N >> 1n) + 1n, LAMBDA, N - LAMBDA, (1n << 129n) - 1n];
    for (let k = 0n; k < 256n; k++) {
      edges.push(mod(1n << k, N), N - mod(1n << k, N), mod((1n << k) - 1n, N) || 1n);
    }
    for (const k of edges) assert.equal(invertModNWasm(k), powMod(k, N - 2n, N), `inverse of ${k}`);
    fc.assert(
      fc.property(scalar, (k) => {
        const inverse = invertModNWasm(k);
        assert.equal(mod(inverse * k, N), 1n);
        assert.equal(inverse, invertModN(k));
      }),
      { numRuns: 2000 },
    );
    assert.equal(secp256k1WasmInversionFallbacks(), before);
  });
});

describe("secp256k1 wasm verification agrees with @noble/curves", () => {
  it("accepts valid signatures under compressed, uncompressed and hybrid keys; refuses their high-S twins", () => {
    fc.assert(
      fc.property(scalar, scalar, digest, (d, k, z) => {
        const sig = signWith(d, k, int(z));
        if (sig === undefined) return;
        const pub = G.multiply(d);
        for (const pk of encodings(pub)) assert.equal(agree(sig, z, pk), true);
        const highS = concatBytes(sig.subarray(0, 32), be32(N - int(sig.subarray(32))));
        assert.equal(agree(highS, z, pub.toBytes(true)), false);
        const wrongHybrid = encodings(pub)[2]!.slice();
        wrongHybrid[0]! ^= 1;
        assert.equal(agree(sig, z, wrongHybrid), false);
      }),
      { numRuns: 150 },
    );
  });

  it("agrees on bit flips in the signature, the digest and the key", () => {
    fc.assert(
      fc.property(scalar, scalar, digest, fc.nat(), fc.boolean(), (d, k, z, bit, compressed) => {
        const sig = signWith(d, k, int(z));
        if (sig === undefined) return;
        const pk = G.multiply(d).toBytes(compressed);
        const flip = (b: Uint8Array): Uint8Array => {
          const out = b.slice();
          out[(bit >> 3) % out.length]! ^= 1 << (bit & 7);
          return out;
        };
        assert.equal(agree(flip(sig), z, pk), false);
        assert.equal(agree(sig, flip(z), pk), false);
        agree(sig, z, flip(pk));
      }),
      { numRuns: 200 },
    );
  });

  it("agrees on garbage signatures and keys, and keys off the curve or with coordinates ≥ p", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 64, maxLength: 64 }),
        digest,
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.constantFrom(2, 3, 4, 6, 7, 5, 0),
        (sig, z, x, y, prefix) => {
          agree(sig, z, concatBytes(Uint8Array.of(prefix), x));
          agree(sig, z, concatBytes(Uint8Array.of(prefix), x, y));
        },
      ),
      { numRuns: 300 },
    );
    const sk = 0x1234n;
    const z = sha256(Uint8Array.of(1));
    const sig = signWith(sk, 0x5678n, int(z))!;
    const { x, y } = G.multiply(sk).toAffine();
    // x + p and y + p still fit in 32 bytes only when the coordinate is below 2^256 − p
    for (const [cx, cy] of [
      [P, 0n],
      [P + 1n, 0n],
      [(1n << 256n) - 1n, y],
    ] as const) {
      assert.equal(agree(sig, z, concatBytes(Uint8Array.of(2), be32(cx))), false);
      assert.equal(agree(sig, z, concatBytes(Uint8Array.of(4), be32(cx), be32(cy))), false);
    }
    assert.equal(agree(sig, z, concatBytes(Uint8Array.of(4), be32(x), be32(P - y))), false);
    assert.equal(agree(sig, z, concatBytes(Uint8Array.of(4), be32(x), be32(y))), true);
  });

  it("refuses r or s of 0, n or above, and wrong lengths", () => {
    const d = 0xabcdefn;
    const z = sha256(Uint8Array.of(2));
    const sig = signWith(d, 0x77n, int(z))!;
    const pk = G.multiply(d).toBytes(true);
    const [r, s] = [sig.subarray(0, 32), sig.subarray(32)];
    for (const bad of [
      concatBytes(be32(0n), s),
      concatBytes(r, be32(0n)),
      concatBytes(be32(N), s),
      concatBytes(r, be32(N)),
      concatBytes(be32(N + 5n), s),
      concatBytes(be32(mod(int(r) + N, 1n << 256n)), s),
      concatBytes(r, be32(N + 1n)),
      new Uint8Array(64).fill(0xff),
      sig.subarray(0, 63),
      concatBytes(sig, Uint8Array.of(0)),
    ]) {
      assert.equal(agree(bad, z, pk), false);
    }
    assert.equal(secp256k1Verify(sig, z.subarray(0, 31), pk), false);
    assert.equal(secp256k1WasmVerify(sig, z, concatBytes(Uint8Array.of(6), pk.subarray(1))), false);
    assert.equal(agree(sig, z, pk), true);
  });

  it("accepts x(R) = r + n (r < p − n) and refuses the unreduced r = x(R)", () => {
    // R with x ≥ n; the key Q = r⁻¹(sR − zG) makes (r, s) a valid signature of z.
    let found = 0;
    for (let t = 1n; found < 6; t++) {
      const xR = N + t * 0x9e3779b97f4a7c15n;
      let R: InstanceType<typeof secp256k1.Point>;
      try {
        R = secp256k1.Point.fromBytes(concatBytes(Uint8Array.of(2 + Number(t & 1n)), be32(xR)));
      } catch {
        continue;
      }
      found++;
      const r = xR - N;
      const s = 0x1111n * (t + 1n);
      const z = be32(0xdeadbeefn * (t + 7n));
      const Q = R.multiply(s)
        .subtract(G.multiply(int(z)))
        .multiply(invertModN(r));
      const sig = concatBytes(be32(r), be32(s));
      for (const pk of encodings(Q)) assert.equal(agree(sig, z, pk), true);
      assert.equal(agree(concatBytes(be32(xR), be32(s)), z, Q.toBytes(true)), false);
      const other = concatBytes(be32(r + 1n), be32(s));
      assert.equal(agree(other, z, Q.toBytes(true)), false);
    }
  });

  it("handles keys ±G, λG and sums that double or vanish", () => {
    fc.assert(
      fc.property(scalar, digest, (k, z) => {
        for (const d of [1n, N - 1n, LAMBDA, N - LAMBDA, 2n]) {
          const sig = signWith(d, k, int(z));
          if (sig === undefined) continue;
          for (const pk of encodings(G.multiply(d))) assert.equal(agree(sig, z, pk), true);
        }
        // u1·G + u2·Q = O: Q = −(z/r)·G
        const sig = signWith(0x99n, k, int(z));
        if (sig === undefined || mod(int(z), N) === 0n) return;
        const r = int(sig.subarray(0, 32));
        const d = mod(-int(z) * invertModN(r), N);
        assert.equal(agree(sig, z, G.multiply(d).toBytes(true)), false);
      }),
      { numRuns: 40 },
    );
    // Q = −G, u1 = 1, u2 = −1: the first two additions are G + G, so the sum doubles (R = 2G)
    const r2G = mod(G.double().toAffine().x, N);
    const doubling = concatBytes(be32(r2G), be32(N - r2G));
    assert.equal(agree(doubling, be32(N - r2G), G.negate().toBytes(true)), true);
    assert.equal(agree(doubling, be32(N - r2G), G.toBytes(true)), false);
    // Q = G, u1 = 1, u2 = −1: G − G, the point at infinity
    const vanishing = concatBytes(be32(N - 5n), be32(5n));
    assert.equal(agree(vanishing, be32(5n), G.toBytes(true)), false);
    assert.equal(agree(vanishing, be32(5n), G.toBytes(false)), false);
    // u1 = u2 with Q = G: both tables hold the same points
    for (let k = 3n; k < 40n; k += 3n) {
      const r = mod(G.multiply(k).toAffine().x, N);
      const sig = signWith(1n, k, r);
      if (sig !== undefined) assert.equal(agree(sig, be32(r), G.toBytes(true)), true);
    }
  });

  it("secp256k1VerifySha256 is secp256k1Verify over sha256(message)", () => {
    fc.assert(
      fc.property(scalar, scalar, fc.uint8Array({ maxLength: 200 }), (d, k, msg) => {
        const sig = signWith(d, k, int(sha256(msg)));
        if (sig === undefined) return;
        const pk = G.multiply(d).toBytes(true);
        assert.equal(secp256k1VerifySha256(sig, msg, pk), true);
        assert.equal(secp256k1VerifySha256(sig, concatBytes(msg, Uint8Array.of(0)), pk), false);
      }),
      { numRuns: 50 },
    );
  });
});

describe("secp256k1 wasm per-key tables (cache of verified keys)", () => {
  it("agrees with noble over a random mix of keys in a small cache: reuse, eviction, slot reuse", () => {
    const secrets = [3n, 0x1234567n, N - 7n, LAMBDA, 0xabcdef0123456789n, 2n];
    const keys = secrets.map((d) => ({ d, pk: G.multiply(d).toBytes(d % 2n === 0n) }));
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.array(fc.tuple(fc.nat(keys.length - 1), fc.nat(keys.length - 1), scalar, digest, fc.boolean()), {
          minLength: 10,
          maxLength: 40,
        }),
        (capacity, steps) => {
          setSecp256k1KeyCacheSize(capacity);
          const before = secp256k1KeyCacheStats().cachedVerifications;
          let uses = 0;
          for (const [signer, claimed, k, z, tamper] of steps) {
            const sig = signWith(keys[signer]!.d, k, int(z));
            if (sig === undefined) continue;
            const zz = tamper ? sha256(z) : z;
            const pk = keys[claimed]!.pk;
            assert.equal(secp256k1Verify(sig, zz, pk), reference(sig, zz, pk));
            assert.ok(secp256k1KeyCacheStats().keys <= capacity);
            uses++;
          }
          // with at most six keys, some key is verified again while cached unless every step is fresh
          if (uses > 2 * keys.length) assert.ok(secp256k1KeyCacheStats().cachedVerifications > before);
        },
      ),
      { numRuns: 60 },
    );
    setSecp256k1KeyCacheSize(DEFAULT_KEY_CACHE);
  });

  it("caches a key on its second verification, evicts the least recently used, never caches bad keys", () => {
    setSecp256k1KeyCacheSize(2);
    const z = sha256(Uint8Array.of(1, 2, 3));
    const signed = [5n, 6n, 7n].map((d) => ({
      sig: signWith(d, 0x777n + d, int(z))!,
      pk: G.multiply(d).toBytes(true),
    }));
    const [a, b, c] = signed as [(typeof signed)[0], (typeof signed)[0], (typeof signed)[0]];
    const stats = (): number => secp256k1KeyCacheStats().keys;
    assert.equal(secp256k1Verify(a.sig, z, a.pk), true);
    assert.equal(stats(), 0);
    assert.equal(secp256k1Verify(a.sig, z, a.pk), true);
    assert.equal(stats(), 1);
    for (const x of [b, b, c, c]) assert.equal(secp256k1Verify(x.sig, z, x.pk), true);
    assert.equal(stats(), 2);
    // a was evicted (least recently used) and its slot reused by c: a is seen anew, b and c still verify
    const hits = secp256k1KeyCacheStats().cachedVerifications;
    assert.equal(secp256k1Verify(a.sig, z, a.pk), true);
    assert.equal(secp256k1KeyCacheStats().cachedVerifications, hits);
    assert.equal(secp256k1Verify(c.sig, z, c.pk), true);
    assert.equal(secp256k1Verify(b.sig, z, b.pk), true);
    assert.equal(secp256k1KeyCacheStats().cachedVerifications, hits + 2);
    // the cached tables are b's and c's own: each refuses the other's signature
    assert.equal(secp256k1Verify(b.sig, z, c.pk), false);
    assert.equal(secp256k1Verify(c.sig, z, b.pk), false);
    // a key off the curve is refused every time and never takes a slot
    const offCurve = concatBytes(Uint8Array.of(2), be32(5n));
    assert.equal(reference(a.sig, z, offCurve), false);
    for (let i = 0; i < 3; i++) assert.equal(secp256k1Verify(a.sig, z, offCurve), false);
    assert.equal(stats(), 2);
    assert.throws(() => setSecp256k1KeyCacheSize(SECP256K1_KEY_CACHE_MAX + 1), RangeError);
    assert.throws(() => setSecp256k1KeyCacheSize(-1), RangeError);
    setSecp256k1KeyCacheSize(0);
    for (let i = 0; i < 3; i++) assert.equal(secp256k1Verify(c.sig, z, c.pk), true);
    assert.equal(stats(), 0);
    setSecp256k1KeyCacheSize(DEFAULT_KEY_CACHE);
  });
});

describe("secp256k1 wasm build", () => {
  it("the committed module is a rebuild of src/crypto/wasm/secp256k1.as", () => {
    const script = fileURLToPath(new URL("../../scripts/build-secp256k1.mjs", import.meta.url));
    const out = execFileSync(process.execPath, [script, "--check"], { encoding: "utf8" });
    assert.match(out, /matches its source/);
  });
});
