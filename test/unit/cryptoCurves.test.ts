/** X25519, Ed25519, secp256k1, hashes and the CSPRNG of src/crypto. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { x25519 as nobleX25519 } from "@noble/curves/ed25519.js";
import { secp256k1 as nobleSecp } from "@noble/curves/secp256k1.js";
import {
  CryptoError,
  constantTimeEqual,
  ed25519BatchVerify,
  ed25519PublicKey,
  ed25519Sign,
  ed25519Verify,
  ed25519VerifyZip215,
  hmacSha256,
  keccak256,
  randomBytes,
  ripemd160,
  secp256k1PublicKey,
  secp256k1Recover,
  secp256k1Sign,
  secp256k1Verify,
  sha256,
  sha256Concat,
  x25519PublicKey,
  x25519SharedSecret,
} from "../../src/crypto/index.ts";
import { be64, concatBytes, utf8Encode } from "../../src/primitives/bytes.ts";
import { fromHex, toHex } from "../../src/primitives/hex.ts";

const ZERO32 = new Uint8Array(32);
const bytes32 = fc.uint8Array({ minLength: 32, maxLength: 32 });

function assertCode(fn: () => unknown, code: string): void {
  assert.throws(fn, (err: unknown) => err instanceof CryptoError && err.code === code);
}

function leBytes(n: bigint): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = Number((n >> BigInt(8 * i)) & 0xffn);
  return out;
}

describe("X25519", () => {
  it("RFC 7748 §5.2 vectors (the second has the u high bit set)", () => {
    assert.equal(
      toHex(
        x25519SharedSecret(
          fromHex("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4"),
          fromHex("e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c"),
        ),
      ),
      "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552",
    );
    assert.equal(
      toHex(
        x25519SharedSecret(
          fromHex("4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d"),
          fromHex("e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493"),
        ),
      ),
      "95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957",
    );
  });

  it("RFC 7748 §5.2 iterated: 1 and 1000 iterations", () => {
    let k: Uint8Array = fromHex("0900000000000000000000000000000000000000000000000000000000000000");
    let u: Uint8Array = k.slice();
    for (let i = 1; i <= 1000; i++) {
      const next = x25519SharedSecret(k, u);
      u = k;
      k = next;
      if (i === 1) assert.equal(toHex(k), "422c8e7a6227d7bca1350b3e2bb7279f7897b87bb6854b783c60e80311ae3079");
    }
    assert.equal(toHex(k), "684cf59ba83309552800ef566f2f4d3c1c3887c49360e3875f2eb94d99532c51");
  });

  it("RFC 7748 §6.1 Diffie-Hellman", () => {
    const aliceSk = fromHex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
    const bobSk = fromHex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
    const alicePk = x25519PublicKey(aliceSk);
    const bobPk = x25519PublicKey(bobSk);
    assert.equal(toHex(alicePk), "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
    assert.equal(toHex(bobPk), "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
    const shared = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742";
    assert.equal(toHex(x25519SharedSecret(aliceSk, bobPk)), shared);
    assert.equal(toHex(x25519SharedSecret(bobSk, alicePk)), shared);
  });

  it("spec §13.9: reg_pk and k_ex from both sides", () => {
    const regSk = fromHex("c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf");
    const seedExchangeSk = fromHex("e52191f06a0274d583660704417bccd717d8b84c173066fef1a7e50bfce6aad2");
    const regPk = x25519PublicKey(regSk);
    assert.equal(toHex(regPk), "dc2cca31e8e43bbd91dff7e475cca3347eb478107d5bd765aba4ae4a30c35d44");
    const kEx = "4764a0b8ed130c1f15666730145af93b1708ecbc8634718afacbff4b95000e08";
    assert.equal(toHex(x25519SharedSecret(seedExchangeSk, regPk)), kEx);
    assert.equal(toHex(x25519SharedSecret(regSk, x25519PublicKey(seedExchangeSk))), kEx);
  });

  it("low-order peer keys, canonical or not, high bit set or not, give 32 zero bytes", () => {
    const p = 2n ** 255n - 19n;
    const lowOrder = [
      0n,
      1n,
      p - 1n,
      p,
      p + 1n,
      325606250916557431795983626356110631294008115727848805560023387167927233504n,
      39382357235489614581723060781553021112529911719440698176882885853963445705823n,
    ];
    const sk = fromHex("4c15d54bed8f505b012694e728f55de58e4822ac71c3e3dbd3a60bb7e4d765c0");
    for (const u of lowOrder) {
      for (const highBit of [false, true]) {
        const pk = leBytes(u);
        if (highBit) pk[31]! |= 0x80;
        assert.equal(toHex(x25519SharedSecret(sk, pk)), "00".repeat(32), `u = ${u}, high bit ${highBit}`);
      }
    }
    assert.equal(toHex(x25519SharedSecret(sk, ZERO32)), "00".repeat(32));
  });

  it("matches @noble/curves (which masks and reduces u the same way) on random keys", () => {
    fc.assert(
      fc.property(bytes32, bytes32, (sk, pk) => {
        let expected: string;
        try {
          expected = toHex(nobleX25519.scalarMult(sk, pk));
        } catch {
          expected = "00".repeat(32); // noble refuses exactly the low-order inputs
        }
        assert.equal(toHex(x25519SharedSecret(sk, pk)), expected);
      }),
      { numRuns: 100 },
    );
  });

  it("non-canonical u (p … 2²⁵⁵−1) is reduced mod p, as noble does", () => {
    const p = 2n ** 255n - 19n;
    const sk = fromHex("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4");
    for (let d = 2n; d < 19n; d++) {
      const pk = leBytes(p + d);
      assert.equal(toHex(x25519SharedSecret(sk, pk)), toHex(nobleX25519.scalarMult(sk, pk)), `u = p + ${d}`);
      assert.equal(toHex(x25519SharedSecret(sk, pk)), toHex(x25519SharedSecret(sk, leBytes(d))));
    }
  });

  it("agreement: X25519(a, X25519(b, 9)) = X25519(b, X25519(a, 9)); clamping is idempotent", () => {
    fc.assert(
      fc.property(bytes32, bytes32, (a, b) => {
        assert.equal(
          toHex(x25519SharedSecret(a, x25519PublicKey(b))),
          toHex(x25519SharedSecret(b, x25519PublicKey(a))),
        );
        const clamped = a.slice();
        clamped[0]! &= 248;
        clamped[31]! &= 127;
        clamped[31]! |= 64;
        assert.equal(toHex(x25519PublicKey(clamped)), toHex(x25519PublicKey(a)));
        assert.equal(toHex(x25519PublicKey(a)), toHex(nobleX25519.getPublicKey(a)));
      }),
      { numRuns: 50 },
    );
  });

  it("refuses keys that are not 32 bytes", () => {
    assertCode(() => x25519PublicKey(new Uint8Array(31)), "CRYPTO_BAD_KEY_LENGTH");
    assertCode(() => x25519SharedSecret(new Uint8Array(32), new Uint8Array(33)), "CRYPTO_BAD_KEY_LENGTH");
    assertCode(() => x25519SharedSecret(new Uint8Array(0), new Uint8Array(32)), "CRYPTO_BAD_KEY_LENGTH");
  });
});

describe("Ed25519", () => {
  const rfc = [
    {
      seed: "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
      pk: "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
      msg: "",
      sig: "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
    },
    {
      seed: "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
      pk: "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
      msg: "72",
      sig: "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
    },
  ];

  it("RFC 8032 §7.1 tests 1 and 2: key, signature, verification under both rules", () => {
    for (const v of rfc) {
      const seed = fromHex(v.seed);
      const msg = fromHex(v.msg);
      assert.equal(toHex(ed25519PublicKey(seed)), v.pk);
      assert.equal(toHex(ed25519Sign(seed, msg)), v.sig);
      assert.equal(ed25519Verify(fromHex(v.sig), msg, fromHex(v.pk)), true);
      assert.equal(ed25519VerifyZip215(fromHex(v.sig), msg, fromHex(v.pk)), true);
    }
  });

  it("tampering with signature, message or key fails", () => {
    const v = rfc[1]!;
    const sig = fromHex(v.sig);
    const pk = fromHex(v.pk);
    const msg = fromHex(v.msg);
    for (let bit = 0; bit < 512; bit += 7) {
      const bad = sig.slice();
      bad[bit >>> 3]! ^= 1 << (bit & 7);
      assert.equal(ed25519Verify(bad, msg, pk), false, `sig bit ${bit}`);
      assert.equal(ed25519VerifyZip215(bad, msg, pk), false, `sig bit ${bit}`);
    }
    assert.equal(ed25519Verify(sig, Uint8Array.of(0x73), pk), false);
    assert.equal(ed25519Verify(sig, new Uint8Array(0), pk), false);
    const otherPk = fromHex(rfc[0]!.pk);
    assert.equal(ed25519Verify(sig, msg, otherPk), false);
  });

  it("sign/verify round trip on random seeds and messages", () => {
    fc.assert(
      fc.property(bytes32, fc.uint8Array({ maxLength: 200 }), (seed, msg) => {
        const sig = ed25519Sign(seed, msg);
        const pk = ed25519PublicKey(seed);
        return ed25519Verify(sig, msg, pk) && ed25519VerifyZip215(sig, msg, pk);
      }),
      { numRuns: 30 },
    );
  });

  it("ZIP-215 accepts small-order and non-canonical keys that strict RFC 8032 refuses", () => {
    // R = identity, s = 0, A = identity: [8]([s]B − R − [k]A) = 0 for every message.
    const identity = fromHex("01" + "00".repeat(31));
    const sig = concatBytes(identity, ZERO32);
    const msg = utf8Encode("anything");
    assert.equal(ed25519VerifyZip215(sig, msg, identity), true);
    assert.equal(ed25519Verify(sig, msg, identity), false);
    // The identity encoded with y = p + 1 (non-canonical).
    const nonCanonical = fromHex("ee" + "ff".repeat(30) + "7f");
    assert.equal(ed25519VerifyZip215(sig, msg, nonCanonical), true);
    assert.equal(ed25519Verify(sig, msg, nonCanonical), false);
  });

  it("non-canonical s (s ≥ L) is refused under both rules", () => {
    const v = rfc[0]!;
    const sig = fromHex(v.sig);
    const L = 2n ** 252n + 27742317777372353535851937790883648493n;
    let s = 0n;
    for (let i = 31; i >= 0; i--) s = (s << 8n) | BigInt(sig[32 + i]!);
    const malleated = concatBytes(sig.subarray(0, 32), leBytes(s + L));
    assert.equal(ed25519Verify(malleated, new Uint8Array(0), fromHex(v.pk)), false);
    assert.equal(ed25519VerifyZip215(malleated, new Uint8Array(0), fromHex(v.pk)), false);
  });

  it("malformed input returns false and never throws", () => {
    const v = rfc[0]!;
    const sig = fromHex(v.sig);
    const pk = fromHex(v.pk);
    const msg = new Uint8Array(0);
    for (const verify of [ed25519Verify, ed25519VerifyZip215]) {
      assert.equal(verify(sig.subarray(0, 63), msg, pk), false);
      assert.equal(verify(concatBytes(sig, Uint8Array.of(0)), msg, pk), false);
      assert.equal(verify(sig, msg, pk.subarray(0, 31)), false);
      assert.equal(verify(sig, msg, fromHex("02" + "00".repeat(31))), false); // y = 2 is not on the curve
      assert.equal(verify("sig" as unknown as Uint8Array, msg, pk), false);
      assert.equal(verify(sig, null as unknown as Uint8Array, pk), false);
    }
  });

  it("refuses seeds that are not 32 bytes", () => {
    assertCode(() => ed25519PublicKey(new Uint8Array(64)), "CRYPTO_BAD_KEY_LENGTH");
    assertCode(() => ed25519Sign(new Uint8Array(31), new Uint8Array(0)), "CRYPTO_BAD_KEY_LENGTH");
  });
});

describe("Ed25519 batch verification (CosmWasm semantics)", () => {
  const seeds = [1, 2, 3].map((i) => new Uint8Array(32).fill(i));
  const pks = seeds.map((s) => ed25519PublicKey(s));
  const msgs = ["a", "bb", "ccc"].map((m) => utf8Encode(m));
  const sigs = seeds.map((s, i) => ed25519Sign(s, msgs[i]!));

  it("m = s = p", () => {
    assert.equal(ed25519BatchVerify(msgs, sigs, pks), true);
    assert.equal(ed25519BatchVerify(msgs, [sigs[0]!, sigs[2]!, sigs[1]!], pks), false);
  });

  it("one message, many signature/key pairs", () => {
    const msg = utf8Encode("shared");
    const shared = seeds.map((s) => ed25519Sign(s, msg));
    assert.equal(ed25519BatchVerify([msg], shared, pks), true);
    assert.equal(ed25519BatchVerify([utf8Encode("other")], shared, pks), false);
  });

  it("one key, many message/signature pairs", () => {
    const own = msgs.map((m) => ed25519Sign(seeds[0]!, m));
    assert.equal(ed25519BatchVerify(msgs, own, [pks[0]!]), true);
    assert.equal(ed25519BatchVerify(msgs, own, [pks[1]!]), false);
  });

  it("an empty batch is valid", () => {
    assert.equal(ed25519BatchVerify([], [], []), true);
    assert.equal(ed25519BatchVerify([msgs[0]!], [], []), true);
    assert.equal(ed25519BatchVerify([], [], [pks[0]!]), true);
  });

  it("other counts throw CRYPTO_BATCH_MISMATCH", () => {
    assertCode(() => ed25519BatchVerify(msgs, sigs.slice(0, 2), pks), "CRYPTO_BATCH_MISMATCH");
    assertCode(() => ed25519BatchVerify(msgs.slice(0, 2), sigs, pks), "CRYPTO_BATCH_MISMATCH");
    assertCode(() => ed25519BatchVerify(msgs, sigs, pks.slice(0, 2)), "CRYPTO_BATCH_MISMATCH");
    assertCode(() => ed25519BatchVerify([], [sigs[0]!], []), "CRYPTO_BATCH_MISMATCH");
  });

  it("bad lengths throw coded errors; a 32-byte non-point key just fails", () => {
    assertCode(
      () => ed25519BatchVerify(msgs, [sigs[0]!, sigs[1]!.subarray(1), sigs[2]!], pks),
      "CRYPTO_BAD_SIGNATURE_LENGTH",
    );
    assertCode(
      () => ed25519BatchVerify(msgs, sigs, [pks[0]!, pks[1]!, new Uint8Array(33)]),
      "CRYPTO_BAD_PUBKEY_LENGTH",
    );
    // Item 0's bad key is reported before item 1's bad signature.
    assertCode(
      () => ed25519BatchVerify(msgs, [sigs[0]!, new Uint8Array(10), sigs[2]!], [new Uint8Array(1), pks[1]!, pks[2]!]),
      "CRYPTO_BAD_PUBKEY_LENGTH",
    );
    assert.equal(ed25519BatchVerify(msgs, sigs, [pks[0]!, fromHex("02" + "00".repeat(31)), pks[2]!]), false);
  });
});

describe("secp256k1", () => {
  const one = fromHex("00".repeat(31) + "01");
  const n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

  it("public key of the scalar 1 is G, compressed and uncompressed", () => {
    assert.equal(toHex(secp256k1PublicKey(one)), "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798");
    assert.equal(
      toHex(secp256k1PublicKey(one, false)),
      "0479be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798" +
        "483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8",
    );
  });

  it("RFC 6979 deterministic, low-S signatures (the widely used secp256k1 vectors)", () => {
    assert.equal(
      toHex(secp256k1Sign(one, sha256(utf8Encode("Satoshi Nakamoto")))),
      "934b1ea10a4b3c1757e2b0c017d0b6143ce3c9a7e6a4a49860d7a6ab210ee3d8" +
        "2442ce9d2b916064108014783e923ec36b49743e2ffa1c4496f01a512aafd9e5",
    );
    assert.equal(
      toHex(
        secp256k1Sign(
          one,
          sha256(utf8Encode("All those moments will be lost in time, like tears in rain. Time to die...")),
        ),
      ),
      "8600dbd41e348fe5c9465ab92d23e3db8b98b873beecd930736488696438cb6b" +
        "547fe64427496db33bf66019dacbf0039c04199abb0122918601db38a72cfc21",
    );
  });

  it("sign / verify / recover round trip (property)", () => {
    fc.assert(
      fc.property(bytes32, bytes32, (sk, digest) => {
        fc.pre(nobleSecp.utils.isValidSecretKey(sk));
        const sig = secp256k1Sign(sk, digest);
        const pk = secp256k1PublicKey(sk);
        const pk65 = secp256k1PublicKey(sk, false);
        assert.equal(sig.length, 64);
        assert.ok(secp256k1Verify(sig, digest, pk));
        assert.ok(secp256k1Verify(sig, digest, pk65));
        // Low S: s ≤ n/2.
        let s = 0n;
        for (const b of sig.subarray(32)) s = (s << 8n) | BigInt(b);
        assert.ok(s <= n / 2n);
        // Recovery with the parameter noble reports gives the 65-byte key (33 bytes on request).
        const recovered = nobleSecp.sign(digest, sk, { prehash: false, format: "recovered" });
        assert.equal(toHex(recovered.subarray(1)), toHex(sig));
        const param = recovered[0]!;
        assert.equal(toHex(secp256k1Recover(digest, sig, param) ?? new Uint8Array(0)), toHex(pk65));
        assert.equal(toHex(secp256k1Recover(digest, sig, param, true) ?? new Uint8Array(0)), toHex(pk));
        const other = secp256k1Recover(digest, sig, param ^ 1);
        assert.ok(other === undefined || toHex(other) !== toHex(pk65));
        // A different digest fails.
        const d2 = digest.slice();
        d2[0]! ^= 1;
        assert.equal(secp256k1Verify(sig, d2, pk), false);
      }),
      { numRuns: 40 },
    );
  });

  it("high-S signatures are refused by verify; recovery maps them to the same key with flipped parity", () => {
    const sk = new Uint8Array(32).fill(7);
    const digest = sha256(utf8Encode("high s"));
    const sig = secp256k1Sign(sk, digest);
    let s = 0n;
    for (const b of sig.subarray(32)) s = (s << 8n) | BigInt(b);
    const highS = sig.slice();
    let hs = n - s;
    for (let i = 63; i >= 32; i--) {
      highS[i] = Number(hs & 0xffn);
      hs >>= 8n;
    }
    const pk = secp256k1PublicKey(sk);
    assert.equal(secp256k1Verify(sig, digest, pk), true);
    assert.equal(secp256k1Verify(highS, digest, pk), false);
    const param = nobleSecp.sign(digest, sk, { prehash: false, format: "recovered" })[0]!;
    assert.equal(
      toHex(secp256k1Recover(digest, highS, param ^ 1) ?? new Uint8Array(0)),
      toHex(secp256k1PublicKey(sk, false)),
    );
  });

  it("accepts libsecp256k1's hybrid keys (06/07) only with the matching y parity", () => {
    const sk = new Uint8Array(32).fill(9);
    const digest = sha256(utf8Encode("hybrid"));
    const sig = secp256k1Sign(sk, digest);
    const pk65 = secp256k1PublicKey(sk, false);
    const odd = (pk65[64]! & 1) === 1;
    const good = pk65.slice();
    good[0] = odd ? 0x07 : 0x06;
    const bad = pk65.slice();
    bad[0] = odd ? 0x06 : 0x07;
    assert.equal(secp256k1Verify(sig, digest, good), true);
    assert.equal(secp256k1Verify(sig, digest, bad), false);
    assert.equal(pk65[0], 0x04, "the caller's key is not modified");
  });

  it("malformed input returns false and never throws", () => {
    const sk = new Uint8Array(32).fill(3);
    const digest = sha256(utf8Encode("m"));
    const sig = secp256k1Sign(sk, digest);
    const pk = secp256k1PublicKey(sk);
    assert.equal(secp256k1Verify(sig.subarray(1), digest, pk), false);
    assert.equal(secp256k1Verify(sig, digest.subarray(1), pk), false);
    assert.equal(secp256k1Verify(sig, digest, pk.subarray(1)), false);
    const badPrefix = pk.slice();
    badPrefix[0] = 0x04;
    assert.equal(secp256k1Verify(sig, digest, badPrefix), false);
    const notPoint = fromHex("02" + "ff".repeat(32));
    assert.equal(secp256k1Verify(sig, digest, notPoint), false);
    assert.equal(secp256k1Verify(new Uint8Array(64), digest, pk), false); // r = s = 0
    assert.equal(secp256k1Verify(new Uint8Array(64).fill(0xff), digest, pk), false); // r, s ≥ n
    assert.equal(secp256k1Verify("x" as unknown as Uint8Array, digest, pk), false);
    assert.equal(secp256k1Recover(digest, sig, 4), undefined);
    assert.equal(secp256k1Recover(digest, sig, -1), undefined);
    assert.equal(secp256k1Recover(digest, new Uint8Array(64), 0), undefined);
    assert.equal(secp256k1Recover(digest.subarray(1), sig, 0), undefined);
  });

  it("refuses invalid secret keys and digests with coded errors", () => {
    assertCode(() => secp256k1PublicKey(new Uint8Array(32)), "CRYPTO_INVALID_KEY");
    assertCode(() => secp256k1Sign(new Uint8Array(32).fill(0xff), new Uint8Array(32)), "CRYPTO_INVALID_KEY");
    assertCode(() => secp256k1Sign(new Uint8Array(31), new Uint8Array(32)), "CRYPTO_BAD_KEY_LENGTH");
    assertCode(() => secp256k1Sign(one, new Uint8Array(33)), "CRYPTO_BAD_LENGTH");
  });
});

describe("hashes and MACs", () => {
  it("SHA-256 (FIPS 180-2 examples) and sha256Concat", () => {
    assert.equal(toHex(sha256(new Uint8Array(0))), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    assert.equal(toHex(sha256(utf8Encode("abc"))), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assert.equal(
      toHex(sha256Concat(utf8Encode("a"), new Uint8Array(0), utf8Encode("bc"))),
      toHex(sha256(utf8Encode("abc"))),
    );
    assert.equal(toHex(sha256Concat()), toHex(sha256(new Uint8Array(0))));
    assert.equal(Object.getPrototypeOf(sha256(utf8Encode("abc"))), Uint8Array.prototype);
  });

  it("RIPEMD-160 and Keccak-256 known answers", () => {
    assert.equal(toHex(ripemd160(new Uint8Array(0))), "9c1185a5c5e9fc54612808977ee8f548b2258d31");
    assert.equal(toHex(ripemd160(utf8Encode("abc"))), "8eb208f7e05d987a9b044a8e98c6b087f15a0bfc");
    assert.equal(
      toHex(keccak256(new Uint8Array(0))),
      "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470",
    );
    assert.equal(
      toHex(keccak256(utf8Encode("abc"))),
      "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45",
    );
  });

  it("HMAC-SHA256 RFC 4231 test cases 1 and 2", () => {
    assert.equal(
      toHex(hmacSha256(new Uint8Array(20).fill(0x0b), utf8Encode("Hi There"))),
      "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
    );
    assert.equal(
      toHex(hmacSha256(utf8Encode("Jefe"), utf8Encode("what do ya want for nothing?"))),
      "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
    );
  });

  it("spec §13.8 random proof (HMAC) and legacy proof (SHA-256 of a concatenation)", () => {
    const irs = fromHex("83d1b6ecb28de023be72b160be4dce5330ff30056ad80b76eb7fe5cde634ec14");
    const encrypted = fromHex(
      "5adcc16fa0f9cb11a4f3722a82e7d21bbde328b6aeab6dc23c57376bf7c5ee0625565ac1cde31416b20d694271899d1a",
    );
    const appHash = sha256(utf8Encode("app hash"));
    assert.equal(toHex(appHash), "f71d31091269f58577d9f7696caeecb4a285c33c0fdced8f4bd4357d850a3067");
    assert.equal(
      toHex(sha256(utf8Encode("validator set"))),
      "9c6739e0066b3520e650e59225b99628932d847f0dcaa414ad0b67cfc4b400d1",
    );
    assert.equal(
      toHex(hmacSha256(irs, concatBytes(be64(1234), encrypted, appHash))),
      "b321302a208b6e58d1ed2c5d1ea179723716cf830a3557f8642513e2c3a34c19",
    );
    assert.equal(
      toHex(sha256Concat(be64(1234), encrypted, appHash, irs)),
      "1ba5cfdba79fbff83d8616a755c476c552c64f1bbdcc7c2c848687d8895b7c8a",
    );
  });

  it("constantTimeEqual compares contents and lengths", () => {
    assert.equal(constantTimeEqual(fromHex("0102"), fromHex("0102")), true);
    assert.equal(constantTimeEqual(fromHex("0102"), fromHex("0103")), false);
    assert.equal(constantTimeEqual(fromHex("0102"), fromHex("010200")), false);
    assert.equal(constantTimeEqual(new Uint8Array(0), new Uint8Array(0)), true);
  });

  it("refuses non-byte input with CRYPTO_BAD_INPUT", () => {
    assertCode(() => sha256("abc" as unknown as Uint8Array), "CRYPTO_BAD_INPUT");
    assertCode(() => hmacSha256(new Uint8Array(1), "x" as unknown as Uint8Array), "CRYPTO_BAD_INPUT");
  });
});

describe("randomBytes", () => {
  it("returns fresh plain arrays of the requested length", () => {
    assert.equal(randomBytes(0).length, 0);
    const a = randomBytes(32);
    const b = randomBytes(32);
    assert.equal(a.length, 32);
    assert.equal(Object.getPrototypeOf(a), Uint8Array.prototype);
    assert.notEqual(toHex(a), toHex(b));
    assert.equal(randomBytes(70000).length, 70000);
  });

  it("refuses invalid counts", () => {
    for (const n of [-1, 1.5, Number.NaN]) assertCode(() => randomBytes(n), "CRYPTO_BAD_LENGTH");
  });
});
