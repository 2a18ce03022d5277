/**
 * Sealed files (crypto.md §11.2): format, the open checks in their order with their codes, atomic
 * saves that never replace a file that fails to open, the generation counter, plaintext layouts and
 * the software platform key.
 */
import assert from "node:assert/strict";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import fc from "fast-check";
import { concatBytes, utf8Encode } from "../../src/primitives/bytes.ts";
import { fromHex, toHex } from "../../src/primitives/hex.ts";
import { isCodedError } from "../../src/primitives/errors.ts";
import { hkdfSha256 } from "../../src/crypto/hkdf.ts";
import { sha256 } from "../../src/crypto/hash.ts";
import { aesGcmOpen, aesGcmSeal } from "../../src/crypto/aesGcm.ts";
import { openSoftwarePlatform, platformKeyPath, softwarePlatform } from "../../src/enclave/platform.ts";
import {
  decodeKeychainPlaintext,
  decodeRegistrationKeyPlaintext,
  decodeUpgradeExportPlaintext,
  encodeKeychainPlaintext,
  encodeRegistrationKeyPlaintext,
  encodeUpgradeExportPlaintext,
  openSealed,
  readSealedHeader,
  sealBytes,
  SealedFileStore,
  SealKind,
  SEAL_MIN_LENGTH,
} from "../../src/enclave/sealing.ts";

const root = mkdtempSync(join(tmpdir(), "scrt-sealing-"));
after(() => rmSync(root, { recursive: true, force: true }));

const rootKey = fromHex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
const platform = softwarePlatform(rootKey);
const otherPlatform = softwarePlatform(new Uint8Array(32).fill(7));
const measurement = sha256(utf8Encode("enclave A"));
const otherMeasurement = sha256(utf8Encode("enclave B"));
const ctx = { platform, measurement };
const plaintext = utf8Encode("the consensus seeds, say");

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (isCodedError(e)) return e.code;
    throw e;
  }
  return "OK";
}

describe("sealing: format", () => {
  it("lays out the v1 header exactly and round-trips", () => {
    const nonce = fromHex("a0a1a2a3a4a5a6a7a8a9aaab");
    const file = sealBytes(ctx, SealKind.Keychain, 0x0102030405060708n, plaintext, nonce);
    assert.equal(file.length, SEAL_MIN_LENGTH + plaintext.length);
    assert.equal(toHex(file.subarray(0, 8)), "534e534c" + "0001" + "0001");
    assert.deepEqual(file.subarray(8, 40), measurement);
    assert.deepEqual(file.subarray(40, 72), platform.platformId);
    assert.equal(toHex(file.subarray(72, 80)), "0102030405060708");
    assert.deepEqual(file.subarray(80, 92), nonce);
    assert.equal(toHex(file.subarray(92, 96)), plaintext.length.toString(16).padStart(8, "0"));
    // independent recomputation: HKDF seal key, AES-256-GCM with AAD = header
    const sealKey = hkdfSha256(
      rootKey,
      utf8Encode("scrt-ts/seal/v1"),
      concatBytes(measurement, Uint8Array.of(0, 1)),
      32,
    );
    assert.deepEqual(file.subarray(96), aesGcmSeal(sealKey, nonce, plaintext, file.subarray(0, 96)));
    assert.deepEqual(aesGcmOpen(sealKey, nonce, file.subarray(96), file.subarray(0, 96)), plaintext);
    const opened = openSealed(file, ctx, SealKind.Keychain);
    assert.deepEqual(opened.plaintext, plaintext);
    assert.equal(opened.generation, 0x0102030405060708n);
    // platform_id = SHA-256("scrt-ts/platform-id/v1" ‖ root_key)
    assert.deepEqual(platform.platformId, sha256(concatBytes(utf8Encode("scrt-ts/platform-id/v1"), rootKey)));
  });

  it("round-trips any plaintext and kind (property)", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 2000 }),
        fc.constantFrom(1, 2, 3, 4),
        fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
        (pt, kind, gen) => {
          const k = kind as 1 | 2 | 3 | 4;
          const opened = openSealed(sealBytes(ctx, k, gen, pt), ctx, k);
          assert.deepEqual(opened.plaintext, pt);
          assert.equal(opened.generation, gen);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("uses a fresh nonce on every seal", () => {
    const a = sealBytes(ctx, SealKind.Policy, 1n, plaintext);
    const b = sealBytes(ctx, SealKind.Policy, 1n, plaintext);
    assert.notDeepEqual(a.subarray(80, 92), b.subarray(80, 92));
    assert.notDeepEqual(a.subarray(96), b.subarray(96));
  });
});

describe("sealing: open checks, in order", () => {
  const good = sealBytes(ctx, SealKind.Keychain, 5n, plaintext);

  it("gives each check its own code", () => {
    assert.equal(
      codeOf(() => openSealed(good, ctx, SealKind.Keychain)),
      "OK",
    );
    assert.equal(
      codeOf(() => openSealed(utf8Encode("garbage"), ctx, SealKind.Keychain)),
      "SEAL_NOT_A_SEALED_FILE",
    );
    assert.equal(
      codeOf(() => openSealed(new Uint8Array(500), ctx, SealKind.Keychain)),
      "SEAL_NOT_A_SEALED_FILE",
    );
    assert.equal(
      codeOf(() => openSealed(good.subarray(0, SEAL_MIN_LENGTH - 1), ctx, SealKind.Keychain)),
      "SEAL_NOT_A_SEALED_FILE",
    );
    const v2 = Uint8Array.from(good);
    v2[5] = 2;
    assert.equal(
      codeOf(() => openSealed(v2, ctx, SealKind.Keychain)),
      "SEAL_UNSUPPORTED_VERSION",
    );
    assert.equal(
      codeOf(() => openSealed(good, ctx, SealKind.Policy)),
      "SEAL_WRONG_KIND",
    );
    assert.equal(
      codeOf(() => openSealed(good, { platform, measurement: otherMeasurement }, SealKind.Keychain)),
      "SEAL_OTHER_ENCLAVE",
    );
    assert.equal(
      codeOf(() => openSealed(good, { platform: otherPlatform, measurement }, SealKind.Keychain)),
      "SEAL_OTHER_MACHINE",
    );
    assert.equal(
      codeOf(() => openSealed(good.subarray(0, good.length - 1), ctx, SealKind.Keychain)),
      "SEAL_TRUNCATED",
    );
    assert.equal(
      codeOf(() => openSealed(concatBytes(good, Uint8Array.of(0)), ctx, SealKind.Keychain)),
      "SEAL_TRUNCATED",
    );
    const flipped = Uint8Array.from(good);
    flipped[good.length - 1] = flipped[good.length - 1]! ^ 1;
    assert.equal(
      codeOf(() => openSealed(flipped, ctx, SealKind.Keychain)),
      "SEAL_TAMPERED",
    );
  });

  it("reports the earliest failing check when several fail", () => {
    const bad = Uint8Array.from(good);
    bad[5] = 9; // version
    bad[7] = 3; // kind
    assert.equal(
      codeOf(() => openSealed(bad, { platform: otherPlatform, measurement: otherMeasurement }, SealKind.Keychain)),
      "SEAL_UNSUPPORTED_VERSION",
    );
    const kindAndMore = sealBytes(ctx, SealKind.Policy, 1n, plaintext);
    assert.equal(
      codeOf(() =>
        openSealed(
          kindAndMore.subarray(0, 200),
          { platform: otherPlatform, measurement: otherMeasurement },
          SealKind.Keychain,
        ),
      ),
      "SEAL_WRONG_KIND",
    );
    assert.equal(
      codeOf(() =>
        openSealed(
          good.subarray(0, 150),
          { platform: otherPlatform, measurement: otherMeasurement },
          SealKind.Keychain,
        ),
      ),
      "SEAL_OTHER_ENCLAVE",
    );
    assert.equal(
      codeOf(() => openSealed(good.subarray(0, 150), { platform: otherPlatform, measurement }, SealKind.Keychain)),
      "SEAL_OTHER_MACHINE",
    );
  });

  it("a flipped bit anywhere gives the code of its region", () => {
    const expected = (offset: number): string => {
      if (offset < 4) return "SEAL_NOT_A_SEALED_FILE";
      if (offset < 6) return "SEAL_UNSUPPORTED_VERSION";
      if (offset < 8) return "SEAL_WRONG_KIND";
      if (offset < 40) return "SEAL_OTHER_ENCLAVE";
      if (offset < 72) return "SEAL_OTHER_MACHINE";
      if (offset < 92) return "SEAL_TAMPERED"; // generation and nonce: authenticated
      if (offset < 96) return "SEAL_TRUNCATED"; // ct_len no longer matches the file
      return "SEAL_TAMPERED"; // ciphertext and tag
    };
    for (let offset = 0; offset < good.length; offset++) {
      for (const bit of [0, 7]) {
        const bad = Uint8Array.from(good);
        bad[offset] = bad[offset]! ^ (1 << bit);
        assert.equal(
          codeOf(() => openSealed(bad, ctx, SealKind.Keychain)),
          expected(offset),
          `offset ${offset} bit ${bit}`,
        );
      }
    }
  });
});

describe("sealing: files", () => {
  it("saves atomically, counts generations, leaves no temporary files", () => {
    const dir = join(root, "store1");
    const store = new SealedFileStore(dir, ctx);
    assert.equal(store.load("k.sealed", SealKind.Keychain), undefined);
    assert.equal(store.save("k.sealed", SealKind.Keychain, plaintext), 1n);
    assert.equal(store.save("k.sealed", SealKind.Keychain, utf8Encode("v2")), 2n);
    assert.equal(store.save("k.sealed", SealKind.Keychain, utf8Encode("v3")), 3n);
    const opened = store.load("k.sealed", SealKind.Keychain)!;
    assert.deepEqual(opened.plaintext, utf8Encode("v3"));
    assert.equal(opened.generation, 3n);
    assert.equal(readSealedHeader(readFileSync(join(dir, "k.sealed"))).generation, 3n);
    assert.deepEqual(readdirSync(dir), ["k.sealed"]);
    assert.equal(statSync(join(dir, "k.sealed")).mode & 0o777, 0o600);
  });

  it("never overwrites or deletes a file that fails to open", () => {
    const dir = join(root, "store2");
    const store = new SealedFileStore(dir, ctx);
    store.save("k.sealed", SealKind.Keychain, plaintext);
    const path = join(dir, "k.sealed");
    const cases: [string, (b: Uint8Array) => Uint8Array, string][] = [
      ["garbage", () => utf8Encode("not sealed at all"), "SEAL_NOT_A_SEALED_FILE"],
      ["tampered", (b) => ((b[100] = b[100]! ^ 1), b), "SEAL_TAMPERED"],
      ["truncated", (b) => b.subarray(0, b.length - 3), "SEAL_TRUNCATED"],
      [
        "other machine",
        () => sealBytes({ platform: otherPlatform, measurement }, SealKind.Keychain, 1n, plaintext),
        "SEAL_OTHER_MACHINE",
      ],
      [
        "other enclave",
        () => sealBytes({ platform, measurement: otherMeasurement }, SealKind.Keychain, 1n, plaintext),
        "SEAL_OTHER_ENCLAVE",
      ],
    ];
    const original = new Uint8Array(readFileSync(path));
    for (const [name, mutate, code] of cases) {
      const bad = mutate(Uint8Array.from(original));
      writeFileSync(path, bad);
      assert.equal(
        codeOf(() => store.load("k.sealed", SealKind.Keychain)),
        code,
        name,
      );
      assert.equal(
        codeOf(() => store.save("k.sealed", SealKind.Keychain, utf8Encode("new"))),
        code,
        name,
      );
      assert.deepEqual(new Uint8Array(readFileSync(path)), bad, `${name}: file unchanged`);
      assert.deepEqual(readdirSync(dir), ["k.sealed"], `${name}: nothing else written`);
    }
  });

  it("moves files aside without deleting them", () => {
    const dir = join(root, "store3");
    const store = new SealedFileStore(dir, ctx);
    store.save("k.sealed", SealKind.Keychain, plaintext);
    const bytes = readFileSync(join(dir, "k.sealed"));
    store.moveAside("k.sealed", "superseded/x");
    assert.equal(existsSync(join(dir, "k.sealed")), false);
    assert.deepEqual(readFileSync(join(dir, "superseded", "x", "k.sealed")), bytes);
  });
});

describe("sealing: plaintext layouts", () => {
  const seeds = [new Uint8Array(32).fill(1), new Uint8Array(32).fill(2), new Uint8Array(32).fill(3)];
  const reg = new Uint8Array(32).fill(9);

  it("keychain v1: u8 1 ‖ u8 n ‖ n × 32 ‖ u8 has_reg ‖ [reg_sk]", () => {
    const withReg = encodeKeychainPlaintext({ seeds, registrationKey: reg });
    assert.equal(withReg.length, 2 + 96 + 1 + 32);
    assert.equal(toHex(withReg.subarray(0, 3)), "010301");
    assert.equal(withReg[98], 1);
    assert.deepEqual(decodeKeychainPlaintext(withReg), { seeds, registrationKey: reg });
    const noReg = encodeKeychainPlaintext({ seeds: seeds.slice(0, 2), registrationKey: undefined });
    assert.equal(toHex(noReg.subarray(0, 2)), "0102");
    assert.equal(noReg.length, 2 + 64 + 1);
    assert.deepEqual(decodeKeychainPlaintext(noReg), { seeds: seeds.slice(0, 2), registrationKey: undefined });
  });

  it("refuses malformed keychains", () => {
    const good = encodeKeychainPlaintext({ seeds, registrationKey: reg });
    const bad = [
      new Uint8Array(0),
      Uint8Array.of(2, ...good.subarray(1)),
      Uint8Array.of(1, 1, ...new Uint8Array(33)),
      Uint8Array.of(1, 6, ...new Uint8Array(6 * 32 + 1)),
      good.subarray(0, good.length - 1),
      concatBytes(good, Uint8Array.of(0)),
      Uint8Array.from(good).fill(2, 98, 99),
    ];
    for (const b of bad)
      assert.equal(
        codeOf(() => decodeKeychainPlaintext(b)),
        "SEAL_PLAINTEXT_INVALID",
      );
    assert.equal(
      codeOf(() => encodeKeychainPlaintext({ seeds: seeds.slice(0, 1), registrationKey: undefined })),
      "SEAL_BAD_ARGUMENT",
    );
  });

  it("registration key and upgrade export layouts round-trip and refuse junk", () => {
    assert.deepEqual(decodeRegistrationKeyPlaintext(encodeRegistrationKeyPlaintext(reg)), reg);
    assert.equal(
      codeOf(() => decodeRegistrationKeyPlaintext(new Uint8Array(33))),
      "SEAL_PLAINTEXT_INVALID",
    );
    const kc = encodeKeychainPlaintext({ seeds, registrationKey: undefined });
    const exp = { keychain: kc, policy: utf8Encode("{}") };
    assert.deepEqual(decodeUpgradeExportPlaintext(encodeUpgradeExportPlaintext(exp)), exp);
    assert.deepEqual(decodeUpgradeExportPlaintext(encodeUpgradeExportPlaintext({ keychain: kc, policy: undefined })), {
      keychain: kc,
      policy: undefined,
    });
    const enc = encodeUpgradeExportPlaintext(exp);
    for (const b of [enc.subarray(0, enc.length - 1), concatBytes(enc, Uint8Array.of(1)), enc.subarray(0, 8)]) {
      assert.equal(
        codeOf(() => decodeUpgradeExportPlaintext(b)),
        "SEAL_PLAINTEXT_INVALID",
      );
    }
  });
});

describe("software platform key", () => {
  it("is created once with mode 0600 and then reused", () => {
    const home = join(root, "home1");
    const p1 = openSoftwarePlatform(home);
    const keyFile = platformKeyPath(home);
    assert.equal(statSync(keyFile).mode & 0o777, 0o600);
    const key = readFileSync(keyFile);
    assert.equal(key.length, 32);
    const p2 = openSoftwarePlatform(home);
    assert.deepEqual(p2.platformId, p1.platformId);
    assert.deepEqual(readFileSync(keyFile), key);
    assert.deepEqual(readdirSync(join(home, "enclave")), ["platform.key"]);
    assert.deepEqual(p1.platformId, softwarePlatform(new Uint8Array(key)).platformId);
  });

  it("refuses a key file of the wrong size or a permissive mode, and does not replace it", () => {
    const home = join(root, "home2");
    mkdirSync(join(home, "enclave"), { recursive: true });
    const keyFile = platformKeyPath(home);
    writeFileSync(keyFile, new Uint8Array(31), { mode: 0o600 });
    assert.equal(
      codeOf(() => openSoftwarePlatform(home)),
      "SEAL_PLATFORM_KEY_INVALID",
    );
    assert.equal(readFileSync(keyFile).length, 31);
    writeFileSync(keyFile, new Uint8Array(32));
    chmodSync(keyFile, 0o644);
    assert.equal(
      codeOf(() => openSoftwarePlatform(home)),
      "SEAL_PLATFORM_KEY_INVALID",
    );
    chmodSync(keyFile, 0o600);
    assert.equal(
      codeOf(() => openSoftwarePlatform(home)),
      "OK",
    );
  });

  it("different root keys give different seal keys per measurement and kind", () => {
    const keys = new Set<string>();
    for (const p of [platform, otherPlatform]) {
      for (const m of [measurement, otherMeasurement]) {
        for (const kind of [1, 2, 3, 4]) keys.add(toHex(p.sealKey(m, kind)));
      }
    }
    assert.equal(keys.size, 16);
  });
});
