/** HKDF-SHA256: RFC 5869 test cases 1–3, the protocol salt and the key derivations of spec §13.2–13.8. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { hkdf as nobleHkdf } from "@noble/hashes/hkdf.js";
import { sha256 as nobleSha256 } from "@noble/hashes/sha2.js";
import {
  CryptoError,
  HKDF_SHA256_MAX_LENGTH,
  SECRET_HKDF_SALT,
  hkdfSha256,
  secretHkdf,
  x25519PublicKey,
  x25519SharedSecret,
} from "../../src/crypto/index.ts";
import { be32, be64, concatBytes, utf8Encode } from "../../src/primitives/bytes.ts";
import { toBase64 } from "../../src/primitives/base64.ts";
import { fromHex, toHex } from "../../src/primitives/hex.ts";

const range = (from: number, to: number): Uint8Array => Uint8Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe("HKDF-SHA256 RFC 5869 (Appendix A)", () => {
  it("test case 1: basic", () => {
    const okm = hkdfSha256(new Uint8Array(22).fill(0x0b), range(0x00, 0x0c), range(0xf0, 0xf9), 42);
    assert.equal(toHex(okm), "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
  });

  it("test case 2: longer inputs and outputs", () => {
    const okm = hkdfSha256(range(0x00, 0x4f), range(0x60, 0xaf), range(0xb0, 0xff), 82);
    assert.equal(
      toHex(okm),
      "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c" +
        "59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71" +
        "cc30c58179ec3e87c14c01d5c1f3434f1d87",
    );
  });

  it("test case 3: empty salt and info", () => {
    const okm = hkdfSha256(new Uint8Array(22).fill(0x0b), new Uint8Array(0), new Uint8Array(0), 42);
    assert.equal(toHex(okm), "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8");
  });

  it("defaults to 32 bytes, a prefix of longer outputs", () => {
    const ikm = new Uint8Array(22).fill(0x0b);
    const short = hkdfSha256(ikm, range(0x00, 0x0c), range(0xf0, 0xf9));
    assert.equal(toHex(short), "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf");
  });

  it("matches @noble/hashes for random inputs, including info over 1 KiB", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 100 }),
        fc.uint8Array({ maxLength: 100 }),
        fc.oneof(fc.uint8Array({ maxLength: 64 }), fc.uint8Array({ minLength: 1020, maxLength: 1500 })),
        fc.integer({ min: 1, max: 300 }),
        (ikm, salt, info, length) => {
          const expected = nobleHkdf(nobleSha256, ikm, salt, info, length);
          assert.equal(toHex(hkdfSha256(ikm, salt, info, length)), toHex(expected));
        },
      ),
      { numRuns: 200 },
    );
  });

  it("accepts lengths 0…8160 and refuses others with CRYPTO_BAD_LENGTH", () => {
    const ikm = utf8Encode("ikm");
    assert.equal(hkdfSha256(ikm, new Uint8Array(0), new Uint8Array(0), 0).length, 0);
    const longest = hkdfSha256(ikm, new Uint8Array(0), new Uint8Array(2000), HKDF_SHA256_MAX_LENGTH);
    assert.equal(toHex(longest), toHex(nobleHkdf(nobleSha256, ikm, new Uint8Array(0), new Uint8Array(2000), 8160)));
    for (const bad of [-1, 8161, 1.5, Number.NaN]) {
      assert.throws(
        () => hkdfSha256(ikm, new Uint8Array(0), new Uint8Array(0), bad),
        (err: unknown) => err instanceof CryptoError && err.code === "CRYPTO_BAD_LENGTH",
      );
    }
  });
});

describe("protocol HKDF (spec §2.1, §13)", () => {
  const seed0 = range(0x00, 0x1f);
  const seed1 = range(0x20, 0x3f);
  const kdfs = (seed: Uint8Array, order: number): string =>
    toHex(secretHkdf(concatBytes(seed, be32(order)), utf8Encode("seed")));

  it("the salt is the Bitcoin halving block hash, and a copy", () => {
    assert.equal(toHex(SECRET_HKDF_SALT), "000000000000000000024bead8df69990852c202db0e0097c1a12ea637d7e96d");
    const ikm = utf8Encode("x");
    const before = toHex(secretHkdf(ikm));
    SECRET_HKDF_SALT[0] = 0xff;
    try {
      assert.equal(toHex(secretHkdf(ikm)), before);
    } finally {
      SECRET_HKDF_SALT[0] = 0x00;
    }
    assert.equal(
      before,
      toHex(
        hkdfSha256(ikm, fromHex("000000000000000000024bead8df69990852c202db0e0097c1a12ea637d7e96d"), new Uint8Array(0)),
      ),
    );
  });

  it("§13.2 KDFs(seeds[0], 1…8) and the X25519 keys of orders 1 and 2", () => {
    const expected = [
      "c6d7a8af0a23cf3a3beebf2b2d51de317fde839aa0fe488c702ca3935efc7cab",
      "cf48c78fcc772fb63090d28ae52c11cfedb18d41af26217844374cfd522bf311",
      "a554961c38d8e8e0b88490ddd9a6177dfa1d7efb517be2a29681e38af622510b",
      "3a077970f3e56be29d636a21061785ed3a45f18c2acbea1cde4f1523c400e07b",
      "cc172dfdb3d9932c707bc7911baaa6a360462dffb62df5baec2838b382cd1b95",
      "8555b6bb3ea88bca1dbcd66890d5b31f6fd605cd7c329d109d37a05774180e2a",
      "6e7a3451944085f3b5925d5ce51df4624d1927347547ecc282cd360b2b929e78",
      "b03b46be36586fa732012934709d0258349cd27b48d67faadafdfb23d80bb582",
    ];
    expected.forEach((hex, i) => assert.equal(kdfs(seed0, i + 1), hex, `order ${i + 1}`));
    assert.equal(
      toHex(x25519PublicKey(fromHex(expected[0]!))),
      "31512c093070620504c3ce688c603bb422258e654febc38c030763577a420e2d",
    );
    assert.equal(
      toHex(x25519PublicKey(fromHex(expected[1]!))),
      "4078e5146574a69448c1f1ec617d29f6ba6f0226af6c4578c3727a1c7c8a0e33",
    );
  });

  it("§13.2 KDFs(seeds[1], 1…8), node_exch_key and io_exch_key", () => {
    const expected = [
      "e52191f06a0274d583660704417bccd717d8b84c173066fef1a7e50bfce6aad2",
      "4c15d54bed8f505b012694e728f55de58e4822ac71c3e3dbd3a60bb7e4d765c0",
      "7f7fdafc8c320fde7b9e4823c31e0724ec78eb4d97accadd54fc4980ca0afd76",
      "4b47003ebc32f5b01991c5ec01cc9132fc2791f5e5e99b7534c18f093b91f5ab",
      "501674af06dcaba9b1e68cebc92e92020a432ddfa7ba22d328f3efbd49ea2c61",
      "83d1b6ecb28de023be72b160be4dce5330ff30056ad80b76eb7fe5cde634ec14",
      "bf46f5b2199566f1403f1c0e81c2036f50f0aadc7360af192cf52a0affebb8aa",
      "aa4d0c4c78099ee272743c412f2883a3f921f0ae32425fba6416dc2b39eeccbe",
    ];
    expected.forEach((hex, i) => assert.equal(kdfs(seed1, i + 1), hex, `order ${i + 1}`));
    assert.equal(toBase64(x25519PublicKey(fromHex(expected[0]!))), "5JLLG+U5sTI9Q1yzR78s1xxRRJYnx3jLr1R0vfnNNxw=");
    assert.equal(toBase64(x25519PublicKey(fromHex(expected[1]!))), "Td3qk3wwoIhwEMusX1eyi5VslVMpxXh0fssltdm5Cwo=");
  });

  it("§13.2 plaintext fallback: X25519(io_sk, 0³²) = 0³² and HKDF(0⁶⁴, [])", () => {
    const ioSk = fromHex("4c15d54bed8f505b012694e728f55de58e4822ac71c3e3dbd3a60bb7e4d765c0");
    const shared = x25519SharedSecret(ioSk, new Uint8Array(32));
    assert.equal(toHex(shared), "00".repeat(32));
    assert.equal(
      toHex(secretHkdf(concatBytes(shared, new Uint8Array(32)))),
      "433101c62c022f10bfac5f334e86ac7dd80fe34fdc565852509e1f1c1aa76d2b",
    );
  });

  it("§13.3 client key, tx_ikm (both sides) and tx_key = HKDF(tx_ikm ‖ nonce)", () => {
    const encryptionSeed = range(0x40, 0x5f);
    const ioSk = fromHex("4c15d54bed8f505b012694e728f55de58e4822ac71c3e3dbd3a60bb7e4d765c0");
    const ioPk = fromHex("4dddea937c30a0887010cbac5f57b28b956c955329c578747ecb25b5d9b90b0a");
    const clientPk = x25519PublicKey(encryptionSeed);
    assert.equal(toHex(clientPk), "79a631eede1bf9c98f12032cdeadd0e7a079398fc786b88cc846ec89af85a51a");
    const txIkm = x25519SharedSecret(encryptionSeed, ioPk);
    assert.equal(toHex(txIkm), "3061fde2272cedf1ee39247dec9674966a5b55e7d1a4f0b97cc81ba4b101983e");
    assert.equal(toHex(x25519SharedSecret(ioSk, clientPk)), toHex(txIkm));
    assert.equal(
      toHex(secretHkdf(concatBytes(txIkm, range(0x60, 0x7f)))),
      "0ba94438eb68bae04c2a64bbe141379dd7d6a2fdab52eadc08e1375d20222ba2",
    );
  });

  it("§13.8 env.block.random = b64(HKDF(r, BE64(h) ‖ contract_key ‖ BE64(counter)))", () => {
    const r = range(0xa0, 0xbf);
    const contractKey = fromHex(
      "cd89629f7b27d04aa3baf7f3ed9dd7cfd1efc27086566b5084185b94e65e1eca" +
        "63035b7b7f00460890c937fff1973c77e184f19ab93890c94db72ab2836587d0",
    );
    const random = (counter: number) => toBase64(secretHkdf(r, concatBytes(be64(1234), contractKey, be64(counter))));
    assert.equal(random(0), "arZOVpyz+y5gs1u2KOtoo5EKteIFybf6z1RoFvgj8FA=");
    assert.equal(random(1), "hTyQ8xy/Tt+TpXf74y96PTbbh0edcr5HFad8z5Uw8vI=");
  });

  it("refuses non-byte arguments with CRYPTO_BAD_INPUT", () => {
    assert.throws(
      () => secretHkdf("seed" as unknown as Uint8Array),
      (err: unknown) => err instanceof CryptoError && err.code === "CRYPTO_BAD_INPUT",
    );
  });
});
