/**
 * Key chain rules (crypto.md §3.1), seed exchange round trips and refusals (§10), and the block-random
 * verifier's fallback order across a seed rotation (§9).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { toHex } from "../../src/primitives/hex.ts";
import { concatBytes } from "../../src/primitives/bytes.ts";
import { hmacSha256, x25519PublicKey } from "../../src/crypto/index.ts";
import { isEnclaveError } from "../../src/enclave/errors.ts";
import { deriveFromSeed, KeyChain, MAX_SEEDS } from "../../src/enclave/keys.ts";
import {
  decryptSeedsFromNetwork,
  encryptGenesisSeedForRegistration,
  encryptSeedsForRegistration,
  seedExchangeInput,
} from "../../src/enclave/seedExchange.ts";
import { encryptBlockRandom, randomProof, verifyBlockRandom } from "../../src/enclave/random.ts";
import { be64 } from "../../src/primitives/bytes.ts";

const seed = (b: number) => new Uint8Array(32).fill(b);
const seedArb = fc.uint8Array({ minLength: 32, maxLength: 32 });

describe("KeyChain", () => {
  it("needs 2..5 seeds of 32 bytes", () => {
    for (const n of [0, 1, 6, 7]) {
      assert.throws(
        () => KeyChain.fromSeeds(Array.from({ length: n }, (_, i) => seed(i))),
        (e) => isEnclaveError(e, "BAD_SEED_COUNT"),
      );
    }
    for (const n of [2, 3, 4, 5])
      assert.equal(KeyChain.fromSeeds(Array.from({ length: n }, (_, i) => seed(i))).seedCount, n);
    assert.throws(
      () => KeyChain.fromSeeds([seed(1), new Uint8Array(31)]),
      (e) => isEnclaveError(e, "BAD_KEY_LENGTH"),
    );
  });

  it("rotates only while 2 ≤ n ≤ 4, appending and deriving from the new last seed", () => {
    let keys = KeyChain.fromSeeds([seed(1), seed(2)]);
    for (let n = 3; n <= MAX_SEEDS; n++) {
      const before = keys;
      keys = keys.withAppendedSeed(seed(n));
      assert.equal(keys.seedCount, n);
      assert.equal(before.seedCount, n - 1, "rotation returns a new chain");
      assert.equal(toHex(keys.ioSecretKey), toHex(deriveFromSeed(seed(n), 2)));
      assert.equal(toHex(keys.stateIkm(0)), toHex(before.stateIkm(0)), "state_ikm[0] never changes");
      assert.equal(keys.adminProofSecrets.length, n - 1);
    }
    assert.throws(
      () => keys.withAppendedSeed(seed(9)),
      (e) => isEnclaveError(e, "BAD_SEED_COUNT"),
    );
  });

  it("hands out copies, so callers cannot alter its keys", () => {
    const keys = KeyChain.fromSeeds([seed(1), seed(2)]);
    const io = keys.ioSecretKey;
    io.fill(0);
    keys.seeds[0]!.fill(9);
    keys.stateIkms[0]!.fill(9);
    assert.equal(toHex(keys.ioSecretKey), toHex(deriveFromSeed(seed(2), 2)));
    assert.equal(toHex(keys.seeds[0]!), toHex(seed(1)));
    assert.equal(toHex(keys.stateIkm(0)), toHex(deriveFromSeed(seed(1), 3)));
    const input = [seed(1), seed(2)];
    const k2 = KeyChain.fromSeeds(input);
    input[1]!.fill(7);
    assert.equal(toHex(k2.seeds[1]!), toHex(seed(2)));
  });

  it("refuses derive orders outside 1..8 and out-of-range seed indexes", () => {
    assert.throws(() => deriveFromSeed(seed(1), 0), RangeError);
    assert.throws(() => deriveFromSeed(seed(1), 9), RangeError);
    const keys = KeyChain.fromSeeds([seed(1), seed(2)]);
    assert.throws(() => keys.randomEncryptionKey(2), RangeError);
    assert.throws(() => keys.stateIkm(-1), RangeError);
  });
});

describe("seed exchange", () => {
  it("round-trips any seed list to a new node", () => {
    fc.assert(
      fc.property(fc.array(seedArb, { minLength: 2, maxLength: 5 }), seedArb, (seeds, regSk) => {
        const keys = KeyChain.fromSeeds(seeds);
        const enc = encryptSeedsForRegistration(keys, x25519PublicKey(regSk));
        assert.equal(enc.length, 48 * seeds.length);
        const back = decryptSeedsFromNetwork(regSk, keys.seedExchangePublicKey, seedExchangeInput(enc));
        assert.deepEqual(back.map(toHex), seeds.map(toHex));
      }),
      { numRuns: 30 },
    );
  });

  it("refuses inconsistent length prefixes with BAD_SEED_INPUT", () => {
    const keys = KeyChain.fromSeeds([seed(1), seed(2)]);
    const regSk = seed(0xc0);
    const enc = encryptSeedsForRegistration(keys, x25519PublicKey(regSk));
    const pk = keys.seedExchangePublicKey;
    const bad = [
      new Uint8Array(0),
      Uint8Array.of(0),
      enc, // the unprefixed form
      concatBytes(Uint8Array.of(96), enc.subarray(0, 95)),
      concatBytes(Uint8Array.of(48), enc), // prefix shorter than the body
      concatBytes(Uint8Array.of(95), enc.subarray(0, 95)), // not a multiple of 48
      concatBytes(Uint8Array.of(96), enc, Uint8Array.of(0)), // trailing byte
    ];
    for (const input of bad) {
      assert.throws(
        () => decryptSeedsFromNetwork(regSk, pk, input),
        (e) => isEnclaveError(e, "BAD_SEED_INPUT"),
      );
    }
    assert.throws(
      () => seedExchangeInput(new Uint8Array(0)),
      (e) => isEnclaveError(e, "BAD_SEED_INPUT"),
    );
    assert.throws(
      () => seedExchangeInput(new Uint8Array(47)),
      (e) => isEnclaveError(e, "BAD_SEED_INPUT"),
    );
    assert.throws(
      () => seedExchangeInput(new Uint8Array(48 * 6)),
      (e) => isEnclaveError(e, "BAD_SEED_INPUT"),
    );
  });

  it("refuses a tampered block, the wrong node key and the wrong registration key with DECRYPTION_ERROR", () => {
    const keys = KeyChain.fromSeeds([seed(1), seed(2)]);
    const regSk = seed(0xc0);
    const input = seedExchangeInput(encryptSeedsForRegistration(keys, x25519PublicKey(regSk)));
    const tampered = Uint8Array.from(input);
    tampered[60]! ^= 0x10;
    const dec = (sk: Uint8Array, pk: Uint8Array, i: Uint8Array) => () => decryptSeedsFromNetwork(sk, pk, i);
    assert.throws(dec(regSk, keys.seedExchangePublicKey, tampered), (e) => isEnclaveError(e, "DECRYPTION_ERROR"));
    assert.throws(dec(regSk, keys.ioPublicKey, input), (e) => isEnclaveError(e, "DECRYPTION_ERROR"));
    assert.throws(dec(seed(0xc1), keys.seedExchangePublicKey, input), (e) => isEnclaveError(e, "DECRYPTION_ERROR"));
  });

  it("encrypts the genesis seed alone for the legacy helper with the genesis exchange key", () => {
    const keys = KeyChain.fromSeeds([seed(1), seed(2)]);
    const regSk = seed(0xc0);
    const enc = encryptGenesisSeedForRegistration(keys, x25519PublicKey(regSk));
    const genesisPk = x25519PublicKey(deriveFromSeed(seed(1), 1));
    const back = decryptSeedsFromNetwork(regSk, genesisPk, seedExchangeInput(enc));
    assert.deepEqual(back.map(toHex), [toHex(seed(1))]);
  });
});

describe("block random across a rotation", () => {
  const vsh = seed(0x11);
  const appHash = seed(0x22);
  const r = seed(0x33);

  it("accepts a random made before the rotation under the older seed's keys", () => {
    const old = KeyChain.fromSeeds([seed(1), seed(2)]);
    const rotated = old.withAppendedSeed(seed(3));
    const e = encryptBlockRandom(old, r, vsh, 10, appHash);
    const v = verifyBlockRandom(rotated, e.encrypted, e.proof, vsh, 10, appHash);
    assert.equal(toHex(v.random), toHex(r));
    assert.equal(v.seedIndex, 1);
    // Starting the search above that seed finds nothing.
    assert.throws(
      () => verifyBlockRandom(rotated, e.encrypted, e.proof, vsh, 10, appHash, { lastBlockSeed: 2 }),
      (err) => isEnclaveError(err, "RANDOM_PROOF_INVALID"),
    );
    // New randoms use the new last seed.
    const fresh = encryptBlockRandom(rotated, r, vsh, 11, appHash);
    assert.equal(verifyBlockRandom(rotated, fresh.encrypted, fresh.proof, vsh, 11, appHash).seedIndex, undefined);
  });

  it("uses IRS(seeds[0]) only when the search starts at index 0", () => {
    const keys = KeyChain.fromSeeds([seed(1), seed(2)]);
    const e = encryptBlockRandom(keys, r, vsh, 5, appHash);
    const proof0 = randomProof(keys.initialRandomnessSeed(0), 5, e.encrypted, appHash);
    assert.equal(
      toHex(proof0),
      toHex(hmacSha256(keys.initialRandomnessSeed(0), concatBytes(be64(5), e.encrypted, appHash))),
    );
    assert.throws(
      () => verifyBlockRandom(keys, e.encrypted, proof0, vsh, 5, appHash),
      (err) => isEnclaveError(err, "RANDOM_PROOF_INVALID"),
    );
    // Found under seed 0's IRS, then seed 0's REK must decrypt — it does not (encrypted under the last REK).
    assert.throws(
      () => verifyBlockRandom(keys, e.encrypted, proof0, vsh, 5, appHash, { lastBlockSeed: 0 }),
      (err) => isEnclaveError(err, "DECRYPTION_ERROR"),
    );
  });

  it("refuses an encrypted random of the wrong size", () => {
    const keys = KeyChain.fromSeeds([seed(1), seed(2)]);
    assert.throws(
      () => verifyBlockRandom(keys, new Uint8Array(47), new Uint8Array(32), vsh, 1, appHash),
      (err) => isEnclaveError(err, "RANDOM_PROOF_INVALID"),
    );
  });
});
