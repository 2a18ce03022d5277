/**
 * `keyFromMnemonic` computes the BIP-39 seed with node:crypto's PBKDF2 (the dev chain derives six keys
 * before it is ready). These check it against BIP-39's published vector and against @scure/bip39, for
 * passphrases that need NFKD normalization too.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { HDKey } from "@scure/bip32";
import { mnemonicToSeedSync } from "@scure/bip39";
import fc from "fast-check";
import { hdPath, keyFromMnemonic, newMnemonic } from "../../src/client/hd.ts";
import { fromHex } from "../../src/primitives/hex.ts";

/** BIP-39's first English test vector (passphrase "TREZOR"). */
const VECTOR = {
  mnemonic: "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about",
  seed: "c55257c360c07c72029aebc1b53c05ed0362ada38ead3e3e9efa3708e53495531f09a6987599d18264c1e1c92f2cf141630c7a3c4ab7c81b2f001698e7463b04",
};

function keyFromSeed(seed: Uint8Array, index = 0): Uint8Array {
  const node = HDKey.fromMasterSeed(seed).derive(hdPath({ index }));
  return node.privateKey!;
}

describe("HD keys: the BIP-39 seed (node:crypto PBKDF2)", () => {
  it("gives the key of BIP-39's published seed", () => {
    const key = keyFromMnemonic(VECTOR.mnemonic, {}, "TREZOR");
    assert.deepEqual(key.privateKey, keyFromSeed(fromHex(VECTOR.seed)));
    assert.notDeepEqual(keyFromMnemonic(VECTOR.mnemonic).privateKey, key.privateKey);
  });

  it("normalizes the passphrase (NFKD) as BIP-39 requires", () => {
    const composed = "caf\u00e9 \uff50\uff41\uff53\uff53"; // é precomposed, fullwidth letters
    const key = keyFromMnemonic(VECTOR.mnemonic, {}, composed);
    assert.deepEqual(key.privateKey, keyFromMnemonic(VECTOR.mnemonic, {}, "cafe\u0301 pass").privateKey);
    assert.deepEqual(key.privateKey, keyFromSeed(mnemonicToSeedSync(VECTOR.mnemonic, composed)));
  });

  it("agrees with @scure/bip39 for random mnemonics, passphrases and indexes", () => {
    const mnemonics = Array.from({ length: 4 }, () => newMnemonic());
    fc.assert(
      fc.property(
        fc.constantFrom(...mnemonics),
        fc.string({ maxLength: 12, unit: "binary" }),
        fc.nat(5),
        (m, passphrase, index) => {
          const ours = keyFromMnemonic(m, { index }, passphrase).privateKey;
          assert.deepEqual(ours, keyFromSeed(mnemonicToSeedSync(m, passphrase), index));
        },
      ),
      { numRuns: 40 },
    );
  });
});
