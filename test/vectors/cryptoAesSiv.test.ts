/**
 * AES-SIV: RFC 5297 vectors, spec crypto.md §13 vectors, and miscreant 0.3.2 (what secretjs uses)
 * as an oracle on random inputs.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { AesSiv, CryptoError, sivDecrypt, sivEncrypt } from "../../src/crypto/index.ts";
import { concatBytes, utf8Encode } from "../../src/primitives/bytes.ts";
import { fromBase64 } from "../../src/primitives/base64.ts";
import { fromHex, toHex } from "../../src/primitives/hex.ts";

interface MiscreantSiv {
  seal(plaintext: Uint8Array, associatedData: Uint8Array[]): Promise<Uint8Array>;
  open(sealed: Uint8Array, associatedData: Uint8Array[]): Promise<Uint8Array>;
}
interface Miscreant {
  SIV: { importKey(key: Uint8Array, alg: "AES-SIV", provider: unknown): Promise<MiscreantSiv> };
  PolyfillCryptoProvider: new () => unknown;
}
/** miscreant's types point at TypeScript sources that do not compile here; keep tsc from following them. */
async function loadMiscreant(): Promise<Miscreant> {
  const specifier: string = "miscreant";
  return (await import(specifier)) as Miscreant;
}

const EMPTY = new Uint8Array(0);
const KEY_00_1F = fromHex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");

function assertCode(fn: () => unknown, code: string): void {
  assert.throws(fn, (err: unknown) => err instanceof CryptoError && err.code === code);
}

/** Seals with the one-shot function and a fresh instance, checks both agree and open again. */
function sealBoth(key: Uint8Array, plaintext: Uint8Array, ad: readonly Uint8Array[]): string {
  const a = sivEncrypt(key, plaintext, ad);
  const b = new AesSiv(key).encrypt(plaintext, ad);
  assert.equal(toHex(b), toHex(a));
  const opened = sivDecrypt(key, a, ad);
  assert.ok(opened !== undefined, "own output must open");
  assert.equal(toHex(opened), toHex(plaintext));
  return toHex(a);
}

describe("AES-SIV RFC 5297 vectors", () => {
  it("A.1 deterministic authenticated encryption", () => {
    const key = fromHex("fffefdfcfbfaf9f8f7f6f5f4f3f2f1f0f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff");
    const ad = [fromHex("101112131415161718191a1b1c1d1e1f2021222324252627")];
    const plaintext = fromHex("112233445566778899aabbccddee");
    assert.equal(sealBoth(key, plaintext, ad), "85632d07c6e8f37f950acd320a2ecc9340c02b9690c4dc04daef7f6afe5c");
  });

  it("A.2 nonce-based: three AD components (AD1, AD2, nonce)", () => {
    const key = fromHex("7f7e7d7c7b7a79787776757473727170404142434445464748494a4b4c4d4e4f");
    const ad = [
      fromHex("00112233445566778899aabbccddeeffdeaddadadeaddadaffeeddccbbaa99887766554433221100"),
      fromHex("102030405060708090a0"),
      fromHex("09f911029d74e35bd84156c5635688c0"),
    ];
    const plaintext = fromHex(
      "7468697320697320736f6d6520706c61696e7465787420746f20656e6372797074207573696e67205349562d414553",
    );
    assert.equal(
      sealBoth(key, plaintext, ad),
      "7bdb6e3b432667eb06f4d14bff2fbd0fcb900f2fddbe404326601965c889bf17" +
        "dba77ceb094fa663b7a3f748ba8af829ea64ad544a272e9c485b62a3fd5c0d",
    );
  });

  it("empty AD list and empty plaintext (miscreant's vector, key of A.1)", () => {
    const key = fromHex("fffefdfcfbfaf9f8f7f6f5f4f3f2f1f0f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff");
    assert.equal(sealBoth(key, EMPTY, []), "f2007a5beb2b8900c588a7adf599f172");
  });
});

describe("AES-SIV spec §13 vectors", () => {
  const hello = utf8Encode("hello");

  it("§13.1 AD forms [], [[]], [[], []] give different tags", () => {
    assert.equal(sealBoth(KEY_00_1F, hello, []), "f0635bf3f0bed61b5245be6c6cd9e7a13b1d694cde");
    assert.equal(sealBoth(KEY_00_1F, hello, [EMPTY]), "1f9d2ee836dd30ce312ef988c2d73ec31447769b1c");
    assert.equal(sealBoth(KEY_00_1F, hello, [EMPTY, EMPTY]), "00f9ac07d5c4882bff9d053a85062989171547cf31");
    assert.equal(sealBoth(KEY_00_1F, EMPTY, [EMPTY]), "646a1c3efeb7d2589bfdd0892cc86923");
  });

  it("§13.1 a ciphertext opens only under its own AD form", () => {
    const forms: Uint8Array[][] = [[], [EMPTY], [EMPTY, EMPTY], [EMPTY, EMPTY, EMPTY]];
    for (const [i, sealForm] of forms.entries()) {
      const sealed = sivEncrypt(KEY_00_1F, hello, sealForm);
      for (const [j, openForm] of forms.entries()) {
        const opened = sivDecrypt(KEY_00_1F, sealed, openForm);
        if (i === j) assert.equal(toHex(opened ?? EMPTY), toHex(hello));
        else assert.equal(opened, undefined, `sealed with ${i} components, opened with ${j}`);
      }
    }
  });

  // §13.3: the execute envelope and §13.4 outputs, all under the tx key.
  const txKey = fromHex("0ba94438eb68bae04c2a64bbe141379dd7d6a2fdab52eadc08e1375d20222ba2");
  const codeHash = "93a44bbb96c751218e4c00d479e4c14358122a389acca16205b1e4d0dc5f9476";

  it("§13.3 envelope ciphertext (IO form) and the wrong AD = [] form", () => {
    const plaintext = utf8Encode(`${codeHash}{"increment":{"by":2}}`);
    const envelope = fromBase64(
      "YGFiY2RlZmdoaWprbG1ub3BxcnN0dXZ3eHl6e3x9fn95pjHu3hv5yY8SAyzerdDnoHk5j8eGuIzIRuyJr4WlGmaBRmxpiz2Y" +
        "ZQNxpsJ9gUuDD8I1in8Z8cWWmWdnSY/sGdY+y0cYSpBbOCeQdhWUilDrcuTCUDXenG3VdTW0r7bqw62LVgRvfsqh3D3p9q40" +
        "68a2pG1SbAJpOKud3V97z2sYSnSijg==",
    );
    assert.equal(envelope.length, 166);
    assert.equal(sealBoth(txKey, plaintext, [EMPTY]), toHex(envelope.subarray(64)));
    assert.equal(
      sealBoth(txKey, plaintext, []),
      "93a3a96a782fca3f1d6cedb0b02b78eb437fe51bd39698bc180ff804bde546d9b6232bf170aed14a7d89d05ea63fa3" +
        "5c0003c1361c9f4044b4dc8e7c07ab4a737ed567d7d02fd62c899d53308785cf960865b7e203de3c676d3f52b8c149" +
        "985850d7be9bf4a8",
    );
  });

  it("§13.4 data, attribute key and value, internal reply id", () => {
    assert.equal(
      sealBoth(txKey, utf8Encode("eyJjb3VudCI6N30="), [EMPTY]),
      "d4af7efc1f733365bb396b923542f40f2cc99aa0b9d972263b4c77554db87c16",
    );
    assert.equal(sealBoth(txKey, utf8Encode("action"), [EMPTY]), toHex(fromBase64("m7uWvrxF5eQUIxsVW2OhgiCrCvq1KA==")));
    assert.equal(
      sealBoth(txKey, utf8Encode("increment"), [EMPTY]),
      toHex(fromBase64("wZv7WvibM6Y2Ja4P8Pi3XAA0BPfg8xu4Ng==")),
    );
    const callerHash = "61de55ba3388aec4fdf6ecfc6eef846fb0f1b13e28cc8381270c27ffa313aee5";
    assert.equal(
      sealBoth(txKey, utf8Encode(`${callerHash}42`), [EMPTY]),
      "eb6baf65b92b81189a36c213bc462d551faa4d16021ae44100eb5566ffbee9e7ed11cb57e6dc348c4408be4de9a21ccac6e0334acfe7e006" +
        "2d8cd82e2f90ffd50d665aeadf90f79a95329f884f375d2931da",
    );
  });

  it("§13.7 state key (no AD) and value (AD [ek, salt])", () => {
    const kKey = fromHex("4cc13b6ef6845914f09a5d4a35c264659da91c826d7a3a5cb674a41978dfd5b8");
    const ek = sivEncrypt(kKey, utf8Encode("count"), []);
    assert.equal(toHex(ek), "d9db6d65c216f27e011244505e78541a859850c695");
    const salt = fromHex("17979cfe3d85cd1500000000000004d20000000000000003");
    assert.equal(
      sealBoth(kKey, utf8Encode('{"count":7}'), [ek, salt]),
      "d36cc659c6490c4a695fd777613c9fffa3f2571301067e14f89d3a",
    );
    // Swapping the two components is a different AD.
    const ev = fromHex("d36cc659c6490c4a695fd777613c9fffa3f2571301067e14f89d3a");
    assert.equal(sivDecrypt(kKey, ev, [salt, ek]), undefined);
  });

  it("§13.8 encrypted block random (AD [validator_set_hash])", () => {
    const rek = fromHex("501674af06dcaba9b1e68cebc92e92020a432ddfa7ba22d328f3efbd49ea2c61");
    const r = fromHex("a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf");
    const vsh = fromHex("9c6739e0066b3520e650e59225b99628932d847f0dcaa414ad0b67cfc4b400d1");
    assert.equal(
      sealBoth(rek, r, [vsh]),
      "5adcc16fa0f9cb11a4f3722a82e7d21bbde328b6aeab6dc23c57376bf7c5ee0625565ac1cde31416b20d694271899d1a",
    );
  });

  it("§13.9 encrypted seeds (AD [reg_pk])", () => {
    const kEx = fromHex("4764a0b8ed130c1f15666730145af93b1708ecbc8634718afacbff4b95000e08");
    const regPk = fromHex("dc2cca31e8e43bbd91dff7e475cca3347eb478107d5bd765aba4ae4a30c35d44");
    const seed1 = fromHex("202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f");
    assert.equal(
      sealBoth(kEx, KEY_00_1F, [regPk]) + sealBoth(kEx, seed1, [regPk]),
      "5ad96a5ff93adb0a086794be09be2d6ea7a134a5083077891e0850a976f1f527c16a9d1f15cdfcb727c6368ff1097323" +
        "b4a4981c658c05a23a49c6753118affa3105d4f9ac33fe8ddaef3bc7825fb4f94a2f63d77dfa3ce3d44309e952629733",
    );
  });
});

describe("AES-SIV against miscreant 0.3.2", () => {
  const bytes = (max: number) => fc.uint8Array({ minLength: 0, maxLength: max });
  const input = fc.record({
    key: fc.uint8Array({ minLength: 32, maxLength: 32 }),
    plaintext: bytes(300),
    ad: fc.array(bytes(48), { minLength: 0, maxLength: 3 }),
  });

  it("seals identically and opens miscreant's output (0–300 bytes, 0–3 AD components)", async () => {
    const { SIV, PolyfillCryptoProvider } = await loadMiscreant();
    const provider = new PolyfillCryptoProvider();
    await fc.assert(
      fc.asyncProperty(input, async ({ key, plaintext, ad }) => {
        const theirs = await (await SIV.importKey(key, "AES-SIV", provider)).seal(plaintext, ad);
        const ours = sivEncrypt(key, plaintext, ad);
        assert.equal(toHex(ours), toHex(theirs));
        assert.equal(toHex(sivDecrypt(key, theirs, ad) ?? fromHex("ff")), toHex(plaintext));
      }),
      { numRuns: 300 },
    );
  });

  it("agrees on both keystream paths (around 2 KiB) and at 64 KiB", async () => {
    const { SIV, PolyfillCryptoProvider } = await loadMiscreant();
    const key = fromHex("8899aabbccddeeff00112233445566778899aabbccddeeff0011223344556677");
    const siv = await SIV.importKey(key, "AES-SIV", new PolyfillCryptoProvider());
    const ours = new AesSiv(key);
    for (const n of [1, 15, 16, 17, 31, 32, 33, 2032, 2047, 2048, 2049, 2063, 2064, 2065, 4096, 65535, 65536, 65537]) {
      const plaintext = new Uint8Array(n).map((_, i) => (i * 7 + n) & 0xff);
      const ad = [utf8Encode(`n=${n}`)];
      const theirs = await siv.seal(plaintext, ad);
      const sealed = ours.encrypt(plaintext, ad);
      assert.equal(toHex(sealed), toHex(theirs), `length ${n}`);
      assert.equal(toHex(ours.decrypt(sealed, ad) ?? EMPTY), toHex(plaintext), `length ${n}`);
    }
  });

  it("is unaffected by unaligned views and by the history of an instance", async () => {
    const { SIV, PolyfillCryptoProvider } = await loadMiscreant();
    const provider = new PolyfillCryptoProvider();
    const ours = new AesSiv(KEY_00_1F);
    const other = new AesSiv(fromHex("ff".repeat(32)));
    const theirs = await SIV.importKey(KEY_00_1F, "AES-SIV", provider);
    await fc.assert(
      fc.asyncProperty(bytes(3000), fc.integer({ min: 0, max: 3 }), bytes(40), async (plaintext, offset, ad0) => {
        const backing = new Uint8Array(plaintext.length + offset + 3);
        backing.set(plaintext, offset);
        const view = backing.subarray(offset, offset + plaintext.length);
        // Interleave work under another key and a failed open; the result must not change.
        other.encrypt(view, [ad0]);
        assert.equal(ours.decrypt(new Uint8Array(20), [ad0]), undefined);
        assert.equal(toHex(ours.encrypt(view, [ad0, EMPTY])), toHex(await theirs.seal(plaintext, [ad0, EMPTY])));
      }),
      { numRuns: 60 },
    );
  });
});

describe("AES-SIV authentication failures", () => {
  const key = fromHex("c0ffee00".repeat(8));
  const plaintext = utf8Encode("attack at dawn, bring snacks");
  const ad = [EMPTY];
  const sealed = sivEncrypt(key, plaintext, ad);

  it("any single bit flip in tag or ciphertext is refused", () => {
    for (let bit = 0; bit < sealed.length * 8; bit++) {
      const tampered = sealed.slice();
      tampered[bit >>> 3]! ^= 1 << (bit & 7);
      assert.equal(sivDecrypt(key, tampered, ad), undefined, `bit ${bit}`);
    }
  });

  it("random tampering is refused (property)", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 0, maxLength: 200 }),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        (pt, where, mask) => {
          const s = sivEncrypt(key, pt, ad);
          const i = where % s.length;
          s[i]! ^= mask;
          return sivDecrypt(key, s, ad) === undefined;
        },
      ),
      { numRuns: 300 },
    );
  });

  it("the wrong AD, key or form is refused", () => {
    assert.equal(sivDecrypt(key, sealed, []), undefined);
    assert.equal(sivDecrypt(key, sealed, [EMPTY, EMPTY]), undefined);
    assert.equal(sivDecrypt(key, sealed, [Uint8Array.of(0)]), undefined);
    const otherKey = key.slice();
    otherKey[31]! ^= 1;
    assert.equal(sivDecrypt(otherKey, sealed, ad), undefined);
  });

  it("inputs shorter than the tag and truncated inputs are refused", () => {
    for (let n = 0; n < 16; n++) assert.equal(sivDecrypt(key, sealed.subarray(0, n), ad), undefined);
    assert.equal(sivDecrypt(key, sealed.subarray(0, sealed.length - 1), ad), undefined);
    assert.equal(sivDecrypt(key, sealed.subarray(1), ad), undefined);
    assert.equal(sivDecrypt(key, concatBytes(sealed, Uint8Array.of(0)), ad), undefined);
  });

  it("a bare tag opens to the empty plaintext only when it is right", () => {
    const tagOnly = sivEncrypt(key, EMPTY, ad);
    assert.equal(tagOnly.length, 16);
    assert.deepEqual(sivDecrypt(key, tagOnly, ad), EMPTY);
    tagOnly[0]! ^= 0x80;
    assert.equal(sivDecrypt(key, tagOnly, ad), undefined);
  });
});

describe("AES-SIV API contract", () => {
  it("returns plain Uint8Arrays of the exact length, not aliasing the input", () => {
    for (const n of [0, 5, 16, 100, 3000]) {
      const plaintext = new Uint8Array(n).fill(0x61);
      const sealed = sivEncrypt(KEY_00_1F, plaintext, [EMPTY]);
      assert.equal(Object.getPrototypeOf(sealed), Uint8Array.prototype);
      assert.equal(sealed.length, n + 16);
      const opened = sivDecrypt(KEY_00_1F, sealed, [EMPTY])!;
      assert.equal(Object.getPrototypeOf(opened), Uint8Array.prototype);
      assert.equal(opened.length, n);
      opened.fill(0x62);
      assert.equal(plaintext[0], n === 0 ? undefined : 0x61);
      // Any bytes past the view in its ArrayBuffer are zero (no keystream or MAC state leaks).
      const tail = new Uint8Array(sealed.buffer, sealed.byteOffset + sealed.length);
      assert.ok(tail.every((b) => b === 0));
    }
  });

  it("one-shot calls follow the key's current bytes, even when the caller mutates it", () => {
    const key = KEY_00_1F.slice();
    const pt = utf8Encode("hello");
    assert.equal(toHex(sivEncrypt(key, pt, [])), "f0635bf3f0bed61b5245be6c6cd9e7a13b1d694cde");
    key[0] = 0xff;
    assert.equal(toHex(sivEncrypt(key, pt, [])), toHex(new AesSiv(key).encrypt(pt, [])));
    assert.notEqual(toHex(sivEncrypt(key, pt, [])), "f0635bf3f0bed61b5245be6c6cd9e7a13b1d694cde");
    // Many keys in turn (more than the cache holds), then the first again.
    for (let i = 0; i < 10; i++) sivEncrypt(new Uint8Array(32).fill(i), pt, []);
    assert.equal(toHex(sivEncrypt(KEY_00_1F, pt, [])), "f0635bf3f0bed61b5245be6c6cd9e7a13b1d694cde");
  });

  it("rejects bad keys, AD lists and argument types with coded errors", () => {
    const pt = utf8Encode("x");
    for (const n of [0, 16, 31, 33, 64]) {
      assertCode(() => sivEncrypt(new Uint8Array(n), pt, []), "CRYPTO_BAD_KEY_LENGTH");
      assertCode(() => sivDecrypt(new Uint8Array(n), new Uint8Array(32), []), "CRYPTO_BAD_KEY_LENGTH");
      assertCode(() => new AesSiv(new Uint8Array(n)), "CRYPTO_BAD_KEY_LENGTH");
    }
    const many = Array.from({ length: 127 }, () => EMPTY);
    assertCode(() => sivEncrypt(KEY_00_1F, pt, many), "CRYPTO_TOO_MANY_AD");
    assertCode(() => sivDecrypt(KEY_00_1F, new Uint8Array(32), many), "CRYPTO_TOO_MANY_AD");
    assert.equal(sivEncrypt(KEY_00_1F, pt, many.slice(1)).length, 17);
    assertCode(() => sivEncrypt(KEY_00_1F, pt, "x" as unknown as Uint8Array[]), "CRYPTO_BAD_INPUT");
    assertCode(() => sivEncrypt(KEY_00_1F, pt, [[1, 2] as unknown as Uint8Array]), "CRYPTO_BAD_INPUT");
    assertCode(() => sivEncrypt(KEY_00_1F, "x" as unknown as Uint8Array, []), "CRYPTO_BAD_INPUT");
    assertCode(() => sivDecrypt(KEY_00_1F, "x" as unknown as Uint8Array, []), "CRYPTO_BAD_INPUT");
  });

  it("126 components, the RFC's limit, match miscreant", async () => {
    const { SIV, PolyfillCryptoProvider } = await loadMiscreant();
    const ad = Array.from({ length: 126 }, (_, i) => new Uint8Array(i % 20).fill(i));
    const pt = utf8Encode("many");
    const theirs = await (await SIV.importKey(KEY_00_1F, "AES-SIV", new PolyfillCryptoProvider())).seal(pt, ad);
    assert.equal(toHex(sivEncrypt(KEY_00_1F, pt, ad)), toHex(theirs));
  });
});
