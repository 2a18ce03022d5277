/**
 * State encryption (crypto.md §8): round trips, the seed-id trailer with more than two seeds, reads
 * across rotations, refusals of malformed or foreign values, and the per-call cache with its flush
 * sorted by stored-key bytes.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { toHex } from "../../src/primitives/hex.ts";
import { compareBytes, concatBytes, le16, utf8Encode } from "../../src/primitives/bytes.ts";
import { sha256, sivEncrypt } from "../../src/crypto/index.ts";
import { isEnclaveError } from "../../src/enclave/errors.ts";
import { KeyChain } from "../../src/enclave/keys.ts";
import {
  currentStoreKey,
  decryptLegacyValue,
  decryptStateValue,
  encryptStateEntry,
  legacyStoreKey,
  legacyValueKey,
  parseStoredKeyEk,
  parseStoredValue,
  recognizeStoredKey,
  StateCallCache,
  stateSalt,
} from "../../src/enclave/state.ts";

const seed = (b: number) => new Uint8Array(32).fill(b);
const two = KeyChain.fromSeeds([seed(1), seed(2)]);
const three = two.withAppendedSeed(seed(3));
const ck = Uint8Array.from({ length: 64 }, (_, i) => i);
const salt = stateSalt(1n, 2, 3);
const bytes = fc.uint8Array({ maxLength: 64 });

describe("current format", () => {
  it("round-trips any key and value", () => {
    fc.assert(
      fc.property(bytes, bytes, (key, value) => {
        for (const keys of [two, three]) {
          const e = encryptStateEntry(keys, ck, key, value, salt);
          const ek = parseStoredKeyEk(e.storedKey)!;
          assert.equal(toHex(e.storedKey), toHex(currentStoreKey(keys, ck, key)));
          assert.equal(toHex(decryptStateValue(keys, ck, ek, e.storedValue)), toHex(value));
          assert.equal(recognizeStoredKey(e.storedKey), "current");
        }
      }),
      { numRuns: 50 },
    );
  });

  it("writes the seed-id trailer only with more than two seeds", () => {
    const v2 = encryptStateEntry(two, ck, utf8Encode("k"), utf8Encode("v"), salt).storedValue;
    const v3 = encryptStateEntry(three, ck, utf8Encode("k"), utf8Encode("v"), salt).storedValue;
    assert.equal(parseStoredValue(v2).seedId, 2);
    assert.equal(v3.length, v2.length + 2);
    assert.equal(toHex(v3.subarray(v3.length - 2)), toHex(le16(3)));
    assert.equal(parseStoredValue(v3).seedId, 3);
  });

  it("keeps stored keys stable across rotations (K_key is fixed to seed id 2)", () => {
    assert.equal(toHex(currentStoreKey(two, ck, utf8Encode("k"))), toHex(currentStoreKey(three, ck, utf8Encode("k"))));
  });

  it("reads pre-rotation values after a rotation, and refuses values of a seed it does not hold", () => {
    const key = utf8Encode("balance");
    const old = encryptStateEntry(two, ck, key, utf8Encode("100"), salt);
    const ek = parseStoredKeyEk(old.storedKey)!;
    assert.equal(new TextDecoder().decode(decryptStateValue(three, ck, ek, old.storedValue)), "100");
    const fresh = encryptStateEntry(three, ck, key, utf8Encode("200"), salt);
    assert.equal(new TextDecoder().decode(decryptStateValue(three, ck, ek, fresh.storedValue)), "200");
    assert.throws(
      () => decryptStateValue(two, ck, ek, fresh.storedValue),
      (e) => isEnclaveError(e, "BAD_STATE_SEED_ID"),
    );
    const zeroId = concatBytes(old.storedValue, le16(0));
    assert.throws(
      () => decryptStateValue(three, ck, ek, zeroId),
      (e) => isEnclaveError(e, "BAD_STATE_SEED_ID"),
    );
  });

  it("binds the value to its key, salt and contract", () => {
    const a = encryptStateEntry(two, ck, utf8Encode("a"), utf8Encode("1"), salt);
    const b = encryptStateEntry(two, ck, utf8Encode("b"), utf8Encode("1"), salt);
    const ekA = parseStoredKeyEk(a.storedKey)!;
    // b's value under a's key: the AD (ek) differs.
    assert.throws(
      () => decryptStateValue(two, ck, ekA, b.storedValue),
      (e) => isEnclaveError(e, "DECRYPTION_ERROR"),
    );
    // Same ciphertext, other salt in the layout.
    const { ev } = parseStoredValue(a.storedValue);
    const otherSalt = stateSalt(1n, 2, 4);
    const swapped = concatBytes(parseStoredValueLayout(otherSalt, ev));
    assert.throws(
      () => decryptStateValue(two, ck, ekA, swapped),
      (e) => isEnclaveError(e, "DECRYPTION_ERROR"),
    );
    // Another contract key.
    const ck2 = Uint8Array.from(ck);
    ck2[63]! ^= 1;
    assert.throws(
      () => decryptStateValue(two, ck2, ekA, a.storedValue),
      (e) => isEnclaveError(e, "DECRYPTION_ERROR"),
    );
  });

  it("refuses malformed stored values with MALFORMED_STATE", () => {
    const good = encryptStateEntry(two, ck, utf8Encode("k"), utf8Encode("v"), salt).storedValue;
    const ek = parseStoredKeyEk(currentStoreKey(two, ck, utf8Encode("k")))!;
    const bad = [
      new Uint8Array(0),
      good.subarray(0, 7),
      good.subarray(0, good.length - 1),
      concatBytes(good, Uint8Array.of(1)),
      concatBytes(good, Uint8Array.of(3, 0, 0)),
      (() => {
        const x = Uint8Array.from(good);
        x[0] = 0xff; // salt length beyond the value
        return x;
      })(),
    ];
    for (const v of bad) {
      assert.throws(
        () => decryptStateValue(two, ck, ek, v),
        (e) => isEnclaveError(e, "MALFORMED_STATE"),
      );
    }
  });

  it("recognises formats (§8.5)", () => {
    const sk = currentStoreKey(two, ck, utf8Encode("k"));
    assert.equal(recognizeStoredKey(sk), "current");
    assert.equal(recognizeStoredKey(sk.subarray(0, sk.length - 1)), "unknown");
    assert.equal(recognizeStoredKey(concatBytes(sk, Uint8Array.of(0))), "unknown");
    assert.equal(recognizeStoredKey(new Uint8Array(32)), "legacy");
    const wrongVersion = Uint8Array.from(sk);
    wrongVersion[16] = 4;
    assert.equal(recognizeStoredKey(wrongVersion), "unknown");
  });
});

describe("legacy format", () => {
  it("reads values written by the legacy scheme, with the hash-chained AD", () => {
    fc.assert(
      fc.property(bytes, bytes, fc.nat({ max: 3 }), (key, value, rewrites) => {
        const scrambled = legacyStoreKey(ck, key);
        assert.equal(toHex(scrambled), toHex(sha256(concatBytes(key, ck))));
        let ad = sha256(scrambled);
        for (let i = 0; i < rewrites; i++) ad = sha256(ad);
        const stored = concatBytes(ad, sivEncrypt(legacyValueKey(two, ck, scrambled), value, [ad]));
        assert.equal(toHex(decryptLegacyValue(three, ck, scrambled, stored)), toHex(value));
      }),
      { numRuns: 30 },
    );
  });

  it("refuses a value shorter than its AD", () => {
    assert.throws(
      () => decryptLegacyValue(two, ck, legacyStoreKey(ck, utf8Encode("k")), new Uint8Array(31)),
      (e) => isEnclaveError(e, "MALFORMED_STATE"),
    );
  });
});

describe("StateCallCache", () => {
  it("serves buffered writes first, then read-only values, and forgets removed keys", () => {
    const c = new StateCallCache();
    const k = utf8Encode("k");
    assert.equal(c.read(k), undefined);
    c.storeReadOnly(k, utf8Encode("legacy"));
    assert.equal(new TextDecoder().decode(c.read(k)!), "legacy");
    assert.equal(c.write(k, utf8Encode("new")), 15_000n);
    assert.equal(new TextDecoder().decode(c.read(k)!), "new");
    c.remove(k);
    assert.equal(c.read(k), undefined);
    assert.equal(c.pendingWrites, 0);
    assert.equal(c.drainPseudoGas(), 15_000n);
    assert.equal(c.drainPseudoGas(), 0n);
  });

  it("copies what it stores", () => {
    const c = new StateCallCache();
    const k = utf8Encode("k");
    const v = utf8Encode("v");
    c.write(k, v);
    v[0] = 0;
    c.read(k)![0] = 0;
    assert.equal(new TextDecoder().decode(c.read(k)!), "v");
  });

  it("flushes the last write of every key, encrypted, sorted by stored-key bytes, and empties itself", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.uint8Array({ maxLength: 6 }), bytes), { maxLength: 20 }), (writes) => {
        const c = new StateCallCache();
        const last = new Map<string, Uint8Array>();
        for (const [k, v] of writes) {
          c.write(k, v);
          last.set(toHex(k), v);
        }
        const ops = c.flush(three, ck, salt);
        assert.equal(ops.length, last.size);
        for (let i = 1; i < ops.length; i++) assert.ok(compareBytes(ops[i - 1]!.storedKey, ops[i]!.storedKey) < 0);
        for (const op of ops) {
          const ek = parseStoredKeyEk(op.storedKey)!;
          const plain = decryptStateValue(three, ck, ek, op.storedValue);
          const match = [...last.entries()].find(
            ([k]) => toHex(currentStoreKey(three, ck, Buffer.from(k, "hex"))) === toHex(op.storedKey),
          );
          assert.ok(match !== undefined);
          assert.equal(toHex(plain), toHex(match[1]));
          assert.equal(toHex(op.legacyKey), toHex(legacyStoreKey(ck, Buffer.from(match[0], "hex"))));
        }
        assert.equal(c.pendingWrites, 0);
        assert.equal(c.flush(three, ck, salt).length, 0);
      }),
      { numRuns: 30 },
    );
  });
});

function parseStoredValueLayout(s: Uint8Array, ev: Uint8Array): Uint8Array {
  const le = (n: number) => {
    const out = new Uint8Array(8);
    new DataView(out.buffer).setBigUint64(0, BigInt(n), true);
    return out;
  };
  return concatBytes(le(s.length), s, le(ev.length), ev);
}
