/**
 * The per-contract-key state keys the engine caches (`ContractStateKeys`): byte for byte the same
 * stored keys, values and legacy keys as the free functions of crypto.md §8, the same refusals, and a
 * flush through them equal to the plain flush.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { toHex } from "../../src/primitives/hex.ts";
import { isEnclaveError } from "../../src/enclave/errors.ts";
import { KeyChain } from "../../src/enclave/keys.ts";
import {
  ContractStateKeys,
  decryptStateValue,
  encryptStateEntry,
  encryptStateKeyBytes,
  encryptStateValue,
  StateCallCache,
  stateSalt,
} from "../../src/enclave/state.ts";

const seed = (b: number) => new Uint8Array(32).fill(b);
const two = KeyChain.fromSeeds([seed(1), seed(2)]);
const three = two.withAppendedSeed(seed(3));
const ck = Uint8Array.from({ length: 64 }, (_, i) => i);
const salt = stateSalt(1n, 2, 3);
const bytes = fc.uint8Array({ maxLength: 64 });

describe("ContractStateKeys", () => {
  it("remembered encrypted keys equal fresh ones, survive callers mutating results, and outlive a clear", () => {
    const sk = new ContractStateKeys(two, ck);
    const keys = Array.from({ length: 1100 }, (_, i) => Uint8Array.of(i & 0xff, i >> 8, 7));
    for (let round = 0; round < 2; round++) {
      for (const key of keys) {
        const ek = sk.encryptKey(key);
        assert.equal(toHex(ek), toHex(encryptStateKeyBytes(two, ck, key)));
        ek.fill(0);
      }
    }
    // Keys that differ only in bytes above 0x7f still get their own entries.
    const a = sk.encryptKey(Uint8Array.of(0x80, 0xff));
    const b = sk.encryptKey(Uint8Array.of(0xff, 0x80));
    assert.notEqual(toHex(a), toHex(b));
    assert.equal(toHex(sk.encryptKey(Uint8Array.of(0x80, 0xff))), toHex(a));
  });

  it("encrypts exactly as the free functions, and each decrypts the other's values", () => {
    fc.assert(
      fc.property(bytes, bytes, (key, value) => {
        for (const keys of [two, three]) {
          const sk = new ContractStateKeys(keys, ck);
          const ek = sk.encryptKey(key);
          assert.equal(toHex(ek), toHex(encryptStateKeyBytes(keys, ck, key)));
          assert.equal(toHex(sk.encryptValue(ek, value, salt)), toHex(encryptStateValue(keys, ck, ek, value, salt)));
          const a = sk.encryptEntry(key, value, salt);
          const b = encryptStateEntry(keys, ck, key, value, salt);
          assert.equal(toHex(a.storedKey), toHex(b.storedKey));
          assert.equal(toHex(a.storedValue), toHex(b.storedValue));
          assert.equal(toHex(a.legacyKey), toHex(b.legacyKey));
          assert.equal(toHex(sk.decryptValue(ek, b.storedValue)), toHex(value));
          assert.equal(toHex(decryptStateValue(keys, ck, ek, a.storedValue)), toHex(value));
        }
      }),
      { numRuns: 30 },
    );
  });

  it("reads values written under two seeds after a rotation to three", () => {
    const sk = new ContractStateKeys(three, ck);
    const e = encryptStateEntry(two, ck, Uint8Array.of(1), Uint8Array.of(2, 3), salt);
    assert.equal(toHex(sk.decryptValue(sk.encryptKey(Uint8Array.of(1)), e.storedValue)), "0203");
  });

  it("refuses what the free functions refuse", () => {
    assert.throws(() => new ContractStateKeys(two, new Uint8Array(63)), isEnclaveError);
    const sk2 = new ContractStateKeys(two, ck);
    const ek = sk2.encryptKey(Uint8Array.of(1));
    // A value written with a seed-id trailer of 3 under three seeds: BAD_STATE_SEED_ID with two.
    const v3 = encryptStateValue(three, ck, ek, Uint8Array.of(9), salt);
    assert.throws(
      () => sk2.decryptValue(ek, v3),
      (e: unknown) => isEnclaveError(e) && e.code === "BAD_STATE_SEED_ID",
    );
    // A value under another key: DECRYPTION_ERROR; a cut value: MALFORMED_STATE.
    const other = encryptStateValue(two, ck, sk2.encryptKey(Uint8Array.of(2)), Uint8Array.of(9), salt);
    assert.throws(
      () => sk2.decryptValue(ek, other),
      (e: unknown) => isEnclaveError(e) && e.code === "DECRYPTION_ERROR",
    );
    assert.throws(
      () => sk2.decryptValue(ek, other.subarray(0, 10)),
      (e: unknown) => isEnclaveError(e) && e.code === "MALFORMED_STATE",
    );
    assert.throws(() => sk2.encryptValue(ek, Uint8Array.of(1), new Uint8Array(23)), isEnclaveError);
  });

  it("flushes through cached keys exactly as the plain flush", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.uint8Array({ maxLength: 6 }), bytes), { maxLength: 12 }), (writes) => {
        const a = new StateCallCache();
        const b = new StateCallCache();
        for (const [k, v] of writes) {
          a.write(k, v);
          b.write(k, v);
        }
        let derived = 0;
        const opsA = a.flushWith(() => {
          derived++;
          return new ContractStateKeys(three, ck);
        }, salt);
        const opsB = b.flush(three, ck, salt);
        assert.deepEqual(
          opsA.map((o) => [toHex(o.legacyKey), toHex(o.storedKey), toHex(o.storedValue)]),
          opsB.map((o) => [toHex(o.legacyKey), toHex(o.storedKey), toHex(o.storedValue)]),
        );
        assert.equal(derived, opsA.length);
        assert.equal(a.pendingWrites, 0);
      }),
      { numRuns: 20 },
    );
  });
});
