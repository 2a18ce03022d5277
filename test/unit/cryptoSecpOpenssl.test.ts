/**
 * `secp256k1VerifySha256` (once OpenSSL-backed, now the WebAssembly verifier) must accept exactly what
 * `secp256k1Verify(sig, sha256(msg), pk)` and @noble/curves accept: same answers on valid signatures,
 * high-S twins, bit flips anywhere, out-of-range r and s, uncompressed and hybrid keys, and garbage.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import {
  sha256,
  secp256k1PublicKey,
  secp256k1Sign,
  secp256k1Verify,
  secp256k1VerifySha256,
} from "../../src/crypto/index.ts";
import { concatBytes } from "../../src/primitives/bytes.ts";
import { fromHex } from "../../src/primitives/hex.ts";

const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const be32 = (n: bigint) => fromHex(n.toString(16).padStart(64, "0"));
const secretKey = fc.uint8Array({ minLength: 32, maxLength: 32 }).filter((k) => {
  const v = BigInt(`0x${Buffer.from(k).toString("hex")}`);
  return v > 0n && v < N;
});

/** @noble/curves after libsecp256k1's key parsing (hybrid 06/07 keys checked and mapped to 04). */
function nobleVerify(sig: Uint8Array, digest: Uint8Array, pk: Uint8Array): boolean {
  let key = pk;
  if (pk.length === 65 && (pk[0] === 6 || pk[0] === 7)) {
    if ((pk[64]! & 1) !== (pk[0] & 1)) return false;
    key = concatBytes(Uint8Array.of(4), pk.subarray(1));
  } else if (!(pk.length === 33 && (pk[0] === 2 || pk[0] === 3)) && !(pk.length === 65 && pk[0] === 4)) return false;
  try {
    return secp256k1.verify(sig, digest, key, { prehash: false, lowS: true, format: "compact" });
  } catch {
    return false;
  }
}

function agree(sig: Uint8Array, msg: Uint8Array, pk: Uint8Array): boolean {
  const expected = nobleVerify(sig, sha256(msg), pk);
  assert.equal(secp256k1Verify(sig, sha256(msg), pk), expected);
  assert.equal(secp256k1VerifySha256(sig, msg, pk), expected);
  return expected;
}

describe("secp256k1VerifySha256 and secp256k1Verify agree with @noble/curves", () => {
  it("on valid signatures, their high-S twins, and every kind of key encoding", () => {
    fc.assert(
      fc.property(secretKey, fc.uint8Array({ maxLength: 300 }), (sk, msg) => {
        const sig = secp256k1Sign(sk, sha256(msg));
        const compressed = secp256k1PublicKey(sk, true);
        const uncompressed = secp256k1PublicKey(sk, false);
        const hybrid = concatBytes(Uint8Array.of(0x06 | (uncompressed[64]! & 1)), uncompressed.subarray(1));
        assert.ok(agree(sig, msg, compressed));
        assert.ok(agree(sig, msg, uncompressed));
        assert.ok(agree(sig, msg, hybrid));
        const s = BigInt(`0x${Buffer.from(sig.subarray(32)).toString("hex")}`);
        const highS = concatBytes(sig.subarray(0, 32), be32(N - s));
        assert.equal(agree(highS, msg, compressed), false);
      }),
      { numRuns: 60 },
    );
  });

  it("on bit flips in the signature, the message and the key", () => {
    fc.assert(
      fc.property(secretKey, fc.uint8Array({ minLength: 1, maxLength: 100 }), fc.nat(), (sk, msg, bit) => {
        const sig = secp256k1Sign(sk, sha256(msg));
        const pk = secp256k1PublicKey(sk);
        const flip = (b: Uint8Array, i: number) => {
          const out = b.slice();
          out[(i >> 3) % out.length]! ^= 1 << (i & 7);
          return out;
        };
        agree(flip(sig, bit), msg, pk);
        agree(sig, flip(msg, bit), pk);
        agree(sig, msg, flip(pk, bit));
      }),
      { numRuns: 200 },
    );
  });

  it("on out-of-range r and s, wrong lengths and garbage", () => {
    const sk = new Uint8Array(32).fill(3);
    const msg = new Uint8Array([1, 2, 3]);
    const pk = secp256k1PublicKey(sk);
    const sig = secp256k1Sign(sk, sha256(msg));
    for (const bad of [
      concatBytes(be32(0n), sig.subarray(32)),
      concatBytes(sig.subarray(0, 32), be32(0n)),
      concatBytes(be32(N), sig.subarray(32)),
      concatBytes(sig.subarray(0, 32), be32(N)),
      sig.subarray(0, 63),
      new Uint8Array(64).fill(0xff),
    ]) {
      assert.equal(agree(bad, msg, pk), false);
    }
    assert.equal(agree(sig, msg, new Uint8Array(33)), false);
    assert.equal(agree(sig, msg, pk.subarray(0, 32)), false);
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 64, maxLength: 64 }),
        fc.uint8Array({ minLength: 33, maxLength: 33 }),
        (s, k) => {
          agree(s, msg, k);
        },
      ),
    );
  });
});
