/**
 * crypto.md §13.6 (contract key, proofs) and the contract address of §13.3 / §7.1.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fromHex, toHex } from "../../src/primitives/hex.ts";
import { concatBytes } from "../../src/primitives/bytes.ts";
import { hmacSha256 } from "../../src/crypto/index.ts";
import { bech32Decode } from "../../src/primitives/bech32.ts";
import { deriveFromKey, KeyChain } from "../../src/enclave/keys.ts";
import {
  contractAddress,
  contractId,
  createAdminProof,
  createContractKey,
  migrateContractKey,
  senderId,
  validateAdminProof,
  validateContractKey,
  validateContractKeyProof,
  validateEnvContractKey,
} from "../../src/enclave/contractKey.ts";
import { isEnclaveError } from "../../src/enclave/errors.ts";

const range = (start: number, n: number) => Uint8Array.from({ length: n }, (_, i) => start + i);
const keys = KeyChain.fromSeeds([range(0x00, 32), range(0x20, 32)]);

const SENDER = fromHex("e855a00fe13ef005051a1d7ceac7ef21c5606cfd");
const ADDRESS = fromHex("159fadc2fd170ea473b962b4c6d1ce03a80dbfee");
const CODE_HASH = fromHex("93a44bbb96c751218e4c00d479e4c14358122a389acca16205b1e4d0dc5f9476");
const NEW_CODE_HASH = fromHex("45f950384546b8be4cd137f51fe12949f9a0657f72381e24fb48b00aeede5d2b");
const SENDER_ID = "cd89629f7b27d04aa3baf7f3ed9dd7cfd1efc27086566b5084185b94e65e1eca";
const CONTRACT_ID = "63035b7b7f00460890c937fff1973c77e184f19ab93890c94db72ab2836587d0";
const OG_KEY = fromHex(SENDER_ID + CONTRACT_ID);
const NEW_KEY =
  "f15671bf19291a57fc3589e89cf854949d28b9b9493d3b1fb53fda8869df91b3383a228e366915b06b65dad2727b05a5e819e017551462a3efd853eee033bfb8";
const NEW_PROOF = "d225cd37eaa110da0a9e688da35e8743fb2e194f08f6c11278d411629a7c68c2";

const code = (err: unknown) => (isEnclaveError(err) ? err.code : String(err));

const cases0Creator = "ae9270b634ec6a7672596c336757a449ea73561d";

describe("§7.1 contract address", () => {
  // Upstream's own keeper tests (x/compute/internal/keeper/keeper_test.go TestInstantiate and
  // TestInstantiateWithDeposit): code id 1, instance 1, creators made by keyPubAddr() with key
  // counters 43 and 55. (The address quoted in crypto.md §13.3 is NOT contractAddress(1, 1, a); §13.6
  // and §13.7 only use it as a given canonical address.)
  it("reproduces upstream's keeper test addresses", () => {
    const cases = [
      ["ae9270b634ec6a7672596c336757a449ea73561d", "secret1hqy37xwhgaj6dlnevnsr5q2077uv36ceqd74ec"],
      ["13d6cd2787729ec0b899969c35881c3f968ac903", "secret15epw6kku2uzeae27u9m6zh2q8z7ynvqrwnsxup"],
    ] as const;
    for (const [creator, address] of cases) {
      assert.equal(toHex(contractAddress(1n, 1n, fromHex(creator))), toHex(bech32Decode(address).data));
    }
    assert.notEqual(toHex(contractAddress(1n, 2n, fromHex(cases[0][0]))), toHex(bech32Decode(cases[0][1]).data));
  });

  it("wraps (code_id << 32) + instance_id at 64 bits like Go", () => {
    const creator = fromHex(cases0Creator);
    assert.equal(toHex(contractAddress(1n << 32n, 5n, creator)), toHex(contractAddress(0n, 5n, creator)));
    assert.equal(
      toHex(contractAddress((1n << 64n) - 1n, 0n, creator)),
      toHex(contractAddress((1n << 32n) - 1n, 0n, creator)),
    );
  });
});

describe("§13.6 contract key and proofs", () => {
  it("derives sender_id, auth_key, contract_id and the og key", () => {
    assert.equal(toHex(senderId(SENDER, 1234)), SENDER_ID);
    assert.equal(
      toHex(deriveFromKey(keys.stateIkm(0), fromHex(SENDER_ID))),
      "b5421ee60f5acb123719d3f15b5c55d19b658f12c795e44e769fe4ffd57cf771",
    );
    assert.equal(toHex(contractId(keys, fromHex(SENDER_ID), CODE_HASH, ADDRESS)), CONTRACT_ID);
    assert.equal(toHex(createContractKey(keys, SENDER, 1234n, CODE_HASH, ADDRESS)), toHex(OG_KEY));
  });

  it("validates the og key and refuses another code or address", () => {
    validateContractKey(keys, OG_KEY, CODE_HASH, ADDRESS);
    validateEnvContractKey(keys, { ogContractKey: OG_KEY }, CODE_HASH, ADDRESS);
    assert.throws(
      () => validateContractKey(keys, OG_KEY, NEW_CODE_HASH, ADDRESS),
      (e) => code(e) === "FAILED_CONTRACT_AUTHENTICATION",
    );
    assert.throws(
      () => validateContractKey(keys, OG_KEY, CODE_HASH, fromHex("00".repeat(20))),
      (e) => code(e) === "FAILED_CONTRACT_AUTHENTICATION",
    );
  });

  it("creates the admin proofs", () => {
    assert.equal(
      toHex(createAdminProof(keys, SENDER, OG_KEY)),
      "87e328576f49aaad25ea9215627a33e81cf4fe426f85e4b8f09cc4b94dd9f158",
    );
    assert.equal(
      toHex(createAdminProof(keys, new Uint8Array(0), OG_KEY)),
      "f7eb08174ab5036a6beaeb94e40045f6d16b2b14ebdc9474c7b82bddba853046",
    );
    validateAdminProof(
      keys,
      SENDER,
      OG_KEY,
      fromHex("87e328576f49aaad25ea9215627a33e81cf4fe426f85e4b8f09cc4b94dd9f158"),
    );
    assert.throws(
      () => validateAdminProof(keys, fromHex("00".repeat(20)), OG_KEY, createAdminProof(keys, SENDER, OG_KEY)),
      (e) => code(e) === "VALIDATION_FAILURE",
    );
  });

  it("creates the migration key and proof", () => {
    const m = migrateContractKey(keys, SENDER, 2000, NEW_CODE_HASH, ADDRESS, OG_KEY);
    assert.equal(toHex(m.newContractKey), NEW_KEY);
    assert.equal(toHex(m.proof), NEW_PROOF);
    validateContractKeyProof(keys, ADDRESS, NEW_CODE_HASH, OG_KEY, m.newContractKey, m.proof);
    validateEnvContractKey(
      keys,
      { ogContractKey: OG_KEY, currentContractKey: m.newContractKey, currentContractKeyProof: m.proof },
      NEW_CODE_HASH,
      ADDRESS,
    );
    // The migrated key does not validate without the og key appended, nor against the old code.
    assert.throws(
      () => validateContractKey(keys, m.newContractKey, NEW_CODE_HASH, ADDRESS),
      (e) => code(e) === "FAILED_CONTRACT_AUTHENTICATION",
    );
    assert.throws(
      () =>
        validateEnvContractKey(
          keys,
          { ogContractKey: OG_KEY, currentContractKey: m.newContractKey, currentContractKeyProof: m.proof },
          CODE_HASH,
          ADDRESS,
        ),
      (e) => code(e) === "FAILED_CONTRACT_AUTHENTICATION",
    );
    const badProof = Uint8Array.from(m.proof);
    badProof[0]! ^= 1;
    assert.throws(
      () =>
        validateEnvContractKey(
          keys,
          { ogContractKey: OG_KEY, currentContractKey: m.newContractKey, currentContractKeyProof: badProof },
          NEW_CODE_HASH,
          ADDRESS,
        ),
      (e) => code(e) === "VALIDATION_FAILURE",
    );
  });

  it("accepts proofs made under any of seeds[1..n) after rotation, never the genesis seed", () => {
    const rotated = keys.withAppendedSeed(range(0x40, 32));
    const oldProof = fromHex(NEW_PROOF);
    validateContractKeyProof(rotated, ADDRESS, NEW_CODE_HASH, OG_KEY, fromHex(NEW_KEY), oldProof);
    validateAdminProof(rotated, SENDER, OG_KEY, createAdminProof(keys, SENDER, OG_KEY));
    // New proofs come from the new last seed.
    assert.notEqual(toHex(createAdminProof(rotated, SENDER, OG_KEY)), toHex(createAdminProof(keys, SENDER, OG_KEY)));
    validateAdminProof(rotated, SENDER, OG_KEY, createAdminProof(rotated, SENDER, OG_KEY));
    // A proof under the genesis seed's secret (order 7 of seeds[0]) is refused.
    const genesisSecret = fromHex("6e7a3451944085f3b5925d5ce51df4624d1927347547ecc282cd360b2b929e78");
    const forged = createAdminProofWith(genesisSecret, SENDER, OG_KEY);
    assert.throws(
      () => validateAdminProof(rotated, SENDER, OG_KEY, forged),
      (e) => code(e) === "VALIDATION_FAILURE",
    );
    // The og key itself stays valid: it is bound to state_ikm[0], which never rotates.
    validateContractKey(rotated, OG_KEY, CODE_HASH, ADDRESS);
  });
});

function createAdminProofWith(secret: Uint8Array, admin: Uint8Array, ogKey: Uint8Array): Uint8Array {
  return hmacSha256(secret, concatBytes(admin, ogKey));
}
