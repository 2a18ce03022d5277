/**
 * crypto.md §13.2: every key derived from the two test seeds, the published keys, and the zero
 * nonce / zero public key tx key of the plaintext fallback.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fromHex, toHex } from "../../src/primitives/hex.ts";
import { toBase64 } from "../../src/primitives/base64.ts";
import { concatBytes, le64 } from "../../src/primitives/bytes.ts";
import { sha256 } from "../../src/crypto/index.ts";
import { deriveFromSeed, KeyChain } from "../../src/enclave/keys.ts";
import { txEncryptionKey } from "../../src/enclave/io.ts";

const range = (start: number, n: number) => Uint8Array.from({ length: n }, (_, i) => start + i);
const SEED0 = range(0x00, 32);
const SEED1 = range(0x20, 32);

const SEED0_ORDERS = [
  "c6d7a8af0a23cf3a3beebf2b2d51de317fde839aa0fe488c702ca3935efc7cab",
  "cf48c78fcc772fb63090d28ae52c11cfedb18d41af26217844374cfd522bf311",
  "a554961c38d8e8e0b88490ddd9a6177dfa1d7efb517be2a29681e38af622510b",
  "3a077970f3e56be29d636a21061785ed3a45f18c2acbea1cde4f1523c400e07b",
  "cc172dfdb3d9932c707bc7911baaa6a360462dffb62df5baec2838b382cd1b95",
  "8555b6bb3ea88bca1dbcd66890d5b31f6fd605cd7c329d109d37a05774180e2a",
  "6e7a3451944085f3b5925d5ce51df4624d1927347547ecc282cd360b2b929e78",
  "b03b46be36586fa732012934709d0258349cd27b48d67faadafdfb23d80bb582",
];
const SEED1_ORDERS = [
  "e52191f06a0274d583660704417bccd717d8b84c173066fef1a7e50bfce6aad2",
  "4c15d54bed8f505b012694e728f55de58e4822ac71c3e3dbd3a60bb7e4d765c0",
  "7f7fdafc8c320fde7b9e4823c31e0724ec78eb4d97accadd54fc4980ca0afd76",
  "4b47003ebc32f5b01991c5ec01cc9132fc2791f5e5e99b7534c18f093b91f5ab",
  "501674af06dcaba9b1e68cebc92e92020a432ddfa7ba22d328f3efbd49ea2c61",
  "83d1b6ecb28de023be72b160be4dce5330ff30056ad80b76eb7fe5cde634ec14",
  "bf46f5b2199566f1403f1c0e81c2036f50f0aadc7360af192cf52a0affebb8aa",
  "aa4d0c4c78099ee272743c412f2883a3f921f0ae32425fba6416dc2b39eeccbe",
];

describe("§13.2 network keys", () => {
  it("derives orders 1..8 of both seeds", () => {
    for (let i = 0; i < 8; i++) {
      assert.equal(toHex(deriveFromSeed(SEED0, i + 1)), SEED0_ORDERS[i], `seeds[0] order ${i + 1}`);
      assert.equal(toHex(deriveFromSeed(SEED1, i + 1)), SEED1_ORDERS[i], `seeds[1] order ${i + 1}`);
    }
  });

  const keys = KeyChain.fromSeeds([SEED0, SEED1]);

  it("takes exchange, IO, callback, REK and IRS from the last seed", () => {
    assert.equal(toHex(keys.seedExchangeSecretKey), SEED1_ORDERS[0]);
    assert.equal(toHex(keys.seedExchangePublicKey), "e492cb1be539b1323d435cb347bf2cd71c51449627c778cbaf5474bdf9cd371c");
    assert.equal(toHex(keys.ioSecretKey), SEED1_ORDERS[1]);
    assert.equal(toHex(keys.ioPublicKey), "4dddea937c30a0887010cbac5f57b28b956c955329c578747ecb25b5d9b90b0a");
    assert.equal(toHex(keys.callbackSecret), SEED1_ORDERS[3]);
    assert.equal(toHex(keys.randomEncryptionKey()), SEED1_ORDERS[4]);
    assert.equal(toHex(keys.initialRandomnessSeed()), SEED1_ORDERS[5]);
    assert.equal(toHex(keys.randomEncryptionKey(0)), SEED0_ORDERS[4]);
    assert.equal(toHex(keys.initialRandomnessSeed(0)), SEED0_ORDERS[5]);
  });

  it("keeps one state IKM per seed", () => {
    assert.deepEqual(keys.stateIkms.map(toHex), [SEED0_ORDERS[2], SEED1_ORDERS[2]]);
  });

  it("creates proofs with the last seed and accepts seeds[1..n) only", () => {
    assert.equal(toHex(keys.adminProofSecret), SEED1_ORDERS[6]);
    assert.equal(toHex(keys.contractKeyProofSecret), SEED1_ORDERS[7]);
    assert.deepEqual(keys.adminProofSecrets.map(toHex), [SEED1_ORDERS[6]]);
    assert.deepEqual(keys.contractKeyProofSecrets.map(toHex), [SEED1_ORDERS[7]]);
  });

  it("publishes node_exch_key and io_exch_key in base64", () => {
    const pub = keys.publicKeys();
    assert.equal(toBase64(pub.nodeExchKey), "5JLLG+U5sTI9Q1yzR78s1xxRRJYnx3jLr1R0vfnNNxw=");
    assert.equal(toBase64(pub.ioExchKey), "Td3qk3wwoIhwEMusX1eyi5VslVMpxXh0fssltdm5Cwo=");
  });

  it("gives the public zero-nonce / zero-pubkey tx key", () => {
    const zero = new Uint8Array(32);
    assert.equal(
      toHex(txEncryptionKey(keys.ioSecretKey, zero, zero)),
      "433101c62c022f10bfac5f334e86ac7dd80fe34fdc565852509e1f1c1aa76d2b",
    );
  });

  it("computes validator-set evidence for height + 1, little-endian (§3.4)", () => {
    const vh = sha256(new TextEncoder().encode("next validators"));
    const expected = sha256(concatBytes(SEED1, vh, le64(1235n)));
    assert.equal(toHex(keys.validatorSetEvidence(vh, 1234)), toHex(expected));
    // Big-endian or the current height would differ.
    assert.notEqual(toHex(keys.validatorSetEvidence(vh, 1234)), toHex(sha256(concatBytes(SEED1, vh, le64(1234n)))));
    assert.equal(keys.validatorSetEvidence(vh, 1234n).length, 32);
    assert.equal(toHex(keys.validatorSetEvidence(fromHex("00".repeat(32)), 0)).length, 64);
  });
});
