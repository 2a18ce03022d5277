/**
 * `ed25519Sign` signs on OpenSSL with a key object kept per seed array. Ed25519 is deterministic, so
 * its signatures must be byte for byte those of @noble/curves (the previous signer) and of RFC 8032:
 * checked on the RFC's vectors, on random seeds and messages, and on the key cache (an array reused
 * with other contents, many seeds in turn) so that a wrongly keyed cache cannot go unnoticed.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { ed25519 } from "@noble/curves/ed25519.js";
import { ed25519PublicKey, ed25519Sign, ed25519SignNoble, ed25519Verify } from "../../src/crypto/ed25519.ts";
import { fromHex, toHex } from "../../src/primitives/hex.ts";

/** RFC 8032 §7.1: TEST 1, 2, 3 and TEST SHA(abc) (secret key, public key, message, signature). */
const RFC8032 = [
  {
    seed: "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
    pk: "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
    msg: "",
    sig:
      "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555" +
      "fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
  },
  {
    seed: "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
    pk: "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
    msg: "72",
    sig:
      "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da" +
      "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
  },
  {
    seed: "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
    pk: "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
    msg: "af82",
    sig:
      "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac" +
      "18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a",
  },
  {
    seed: "833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42",
    pk: "ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf",
    msg:
      "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a" +
      "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
    sig:
      "dc2a4459e7369633a52b1bf277839a00201009a3efbf3ecb69bea2186c26b589" +
      "09351fc9ac90b3ecfdfbc7c66431e0303dca179c138ac17ad9bef1177331a704",
  },
];

describe("ed25519Sign (OpenSSL)", () => {
  it("gives the RFC 8032 signatures", () => {
    for (const v of RFC8032) {
      const seed = fromHex(v.seed);
      const msg = fromHex(v.msg);
      assert.equal(toHex(ed25519PublicKey(seed)), v.pk);
      const sig = ed25519Sign(seed, msg);
      assert.equal(toHex(sig), v.sig);
      assert.equal(sig.length, 64);
      assert.ok(!Buffer.isBuffer(sig), "a plain Uint8Array, not a Buffer");
      assert.equal(toHex(ed25519SignNoble(seed, msg)), v.sig);
      // Again, from the cached key object.
      assert.equal(toHex(ed25519Sign(seed, msg)), v.sig);
    }
  });

  it("signs byte for byte as noble for random seeds and messages", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ maxLength: 600 }), (seed, msg) => {
        const sig = ed25519Sign(seed, msg);
        assert.equal(toHex(sig), toHex(ed25519.sign(msg, seed)));
        assert.ok(ed25519Verify(sig, msg, ed25519PublicKey(seed)));
      }),
      { numRuns: 300 },
    );
  });

  it("signs with the array's current contents, not a key kept from earlier contents", () => {
    const seed = fromHex(RFC8032[0]!.seed);
    const msg = Uint8Array.of(1, 2, 3);
    assert.equal(toHex(ed25519Sign(seed, msg)), toHex(ed25519.sign(msg, seed)));
    seed.set(fromHex(RFC8032[1]!.seed)); // same array, another key
    assert.equal(toHex(ed25519Sign(seed, msg)), toHex(ed25519.sign(msg, fromHex(RFC8032[1]!.seed))));
    seed[31] = seed[31]! ^ 1; // one bit of the last byte
    assert.equal(toHex(ed25519Sign(seed, msg)), toHex(ed25519.sign(msg, seed)));
  });

  it("keeps seeds apart: equal contents in other arrays, many seeds in turn, subarrays", () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ minLength: 32, maxLength: 32 }), { minLength: 2, maxLength: 6 }),
        fc.uint8Array({ maxLength: 64 }),
        (seeds, msg) => {
          for (let round = 0; round < 2; round++) {
            for (const s of seeds) {
              assert.equal(toHex(ed25519Sign(s, msg)), toHex(ed25519.sign(msg, s)));
              assert.equal(toHex(ed25519Sign(s.slice(), msg)), toHex(ed25519.sign(msg, s)));
            }
          }
          // A seed that is a view into a larger buffer.
          const big = new Uint8Array(40);
          big.set(seeds[0]!, 5);
          assert.equal(toHex(ed25519Sign(big.subarray(5, 37), msg)), toHex(ed25519.sign(msg, seeds[0]!)));
        },
      ),
      { numRuns: 50 },
    );
  });

  it("refuses a seed that is not 32 bytes and a message that is not bytes, with codes", () => {
    assert.throws(() => ed25519Sign(new Uint8Array(31), new Uint8Array(0)), { code: "CRYPTO_BAD_KEY_LENGTH" });
    assert.throws(() => ed25519Sign(new Uint8Array(33), new Uint8Array(0)), { code: "CRYPTO_BAD_KEY_LENGTH" });
    assert.throws(() => ed25519Sign(new Uint8Array(32), "abc" as unknown as Uint8Array), {
      code: "CRYPTO_BAD_INPUT",
    });
  });
});
