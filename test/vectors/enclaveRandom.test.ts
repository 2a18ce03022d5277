/**
 * crypto.md §13.8 (block randomness) and §13.9 (seed exchange).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fromHex, toHex } from "../../src/primitives/hex.ts";
import { utf8Encode } from "../../src/primitives/bytes.ts";
import { sha256, x25519PublicKey, x25519SharedSecret } from "../../src/crypto/index.ts";
import { KeyChain } from "../../src/enclave/keys.ts";
import {
  contractBlockRandom,
  encryptBlockRandom,
  legacyRandomProof,
  verifyBlockRandom,
  verifyBlockRandomConcatenated,
} from "../../src/enclave/random.ts";
import {
  decryptSeedsFromNetwork,
  encryptSeedsForRegistration,
  seedExchangeInput,
} from "../../src/enclave/seedExchange.ts";

const range = (start: number, n: number) => Uint8Array.from({ length: n }, (_, i) => start + i);
const SEED0 = range(0x00, 32);
const SEED1 = range(0x20, 32);
const keys = KeyChain.fromSeeds([SEED0, SEED1]);
const OG_KEY = fromHex(
  "cd89629f7b27d04aa3baf7f3ed9dd7cfd1efc27086566b5084185b94e65e1eca" +
    "63035b7b7f00460890c937fff1973c77e184f19ab93890c94db72ab2836587d0",
);

describe("§13.8 randomness", () => {
  const r = range(0xa0, 32);
  const vsh = sha256(utf8Encode("validator set"));
  const appHash = sha256(utf8Encode("app hash"));
  const ENCRYPTED = "5adcc16fa0f9cb11a4f3722a82e7d21bbde328b6aeab6dc23c57376bf7c5ee0625565ac1cde31416b20d694271899d1a";
  const PROOF = "b321302a208b6e58d1ed2c5d1ea179723716cf830a3557f8642513e2c3a34c19";
  const LEGACY = "1ba5cfdba79fbff83d8616a755c476c552c64f1bbdcc7c2c848687d8895b7c8a";

  it("hashes the inputs as stated", () => {
    assert.equal(toHex(vsh), "9c6739e0066b3520e650e59225b99628932d847f0dcaa414ad0b67cfc4b400d1");
    assert.equal(toHex(appHash), "f71d31091269f58577d9f7696caeecb4a285c33c0fdced8f4bd4357d850a3067");
  });

  it("encrypts and proves on the proposer", () => {
    const e = encryptBlockRandom(keys, r, vsh, 1234, appHash);
    assert.equal(toHex(e.encrypted), ENCRYPTED);
    assert.equal(toHex(e.proof), PROOF);
    assert.equal(toHex(legacyRandomProof(keys.initialRandomnessSeed(), 1234, e.encrypted, appHash)), LEGACY);
  });

  it("verifies both proof forms on every node", () => {
    const a = verifyBlockRandom(keys, fromHex(ENCRYPTED), fromHex(PROOF), vsh, 1234n, appHash);
    assert.equal(toHex(a.random), toHex(r));
    assert.equal(a.seedIndex, undefined);
    const b = verifyBlockRandomConcatenated(keys, fromHex(ENCRYPTED + LEGACY), vsh, 1234, appHash);
    assert.equal(toHex(b.random), toHex(r));
    assert.throws(() => verifyBlockRandom(keys, fromHex(ENCRYPTED), fromHex(PROOF), vsh, 1235, appHash), {
      code: "RANDOM_PROOF_INVALID",
    });
    assert.throws(() => verifyBlockRandom(keys, fromHex(ENCRYPTED), fromHex(PROOF), appHash, 1234, appHash), {
      code: "DECRYPTION_ERROR",
    });
  });

  it("derives env.block.random per counter", () => {
    assert.equal(contractBlockRandom(r, 1234, OG_KEY, 0), "arZOVpyz+y5gs1u2KOtoo5EKteIFybf6z1RoFvgj8FA=");
    assert.equal(contractBlockRandom(r, 1234n, OG_KEY, 1n), "hTyQ8xy/Tt+TpXf74y96PTbbh0edcr5HFad8z5Uw8vI=");
  });
});

describe("§13.9 seed exchange", () => {
  const regSk = range(0xc0, 32);
  const REG_PK = "dc2cca31e8e43bbd91dff7e475cca3347eb478107d5bd765aba4ae4a30c35d44";
  const ENC =
    "5ad96a5ff93adb0a086794be09be2d6ea7a134a5083077891e0850a976f1f527c16a9d1f15cdfcb727c6368ff1097323" +
    "b4a4981c658c05a23a49c6753118affa3105d4f9ac33fe8ddaef3bc7825fb4f94a2f63d77dfa3ce3d44309e952629733";

  it("derives reg_pk and k_ex on both sides", () => {
    assert.equal(toHex(x25519PublicKey(regSk)), REG_PK);
    const kEx = "4764a0b8ed130c1f15666730145af93b1708ecbc8634718afacbff4b95000e08";
    assert.equal(toHex(x25519SharedSecret(keys.seedExchangeSecretKey, fromHex(REG_PK))), kEx);
    assert.equal(toHex(x25519SharedSecret(regSk, keys.seedExchangePublicKey)), kEx);
  });

  it("encrypts every seed for the new node", () => {
    assert.equal(toHex(encryptSeedsForRegistration(keys, fromHex(REG_PK))), ENC);
    assert.equal(toHex(seedExchangeInput(fromHex(ENC))), "60" + ENC);
  });

  it("decrypts the length-prefixed input on the new node", () => {
    const seeds = decryptSeedsFromNetwork(regSk, keys.seedExchangePublicKey, fromHex("60" + ENC));
    assert.deepEqual(seeds.map(toHex), [toHex(SEED0), toHex(SEED1)]);
    const rebuilt = KeyChain.fromSeeds(seeds);
    assert.equal(toHex(rebuilt.ioPublicKey), toHex(keys.ioPublicKey));
  });
});
