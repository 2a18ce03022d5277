import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { hdPath, isValidMnemonic, keyFromMnemonic, newMnemonic } from "../../src/client/hd.ts";
import { encodeAddress } from "../../src/primitives/bech32.ts";
import { toHex } from "../../src/primitives/hex.ts";

const A =
  "grant rice replace explain federal release fix clever romance raise often wild taxi quarter soccer fiber love must tape steak together observe swap guitar";

describe("HD keys (chain-api.md §1.1)", () => {
  it("derives the spec's vector for dev account a", () => {
    const key = keyFromMnemonic(A);
    assert.equal(toHex(key.publicKey), "034ee8249f67e136139c3ed94ad63288f6c1de45ce66fa883247211a698f440cdf");
    assert.equal(toHex(key.address), "e855a00fe13ef005051a1d7ceac7ef21c5606cfd");
    assert.equal(encodeAddress(key.address, "secret"), "secret1ap26qrlp8mcq2pg6r47w43l0y8zkqm8a450s03");
  });

  it("uses coin type 529 and tolerates extra whitespace", () => {
    assert.equal(hdPath(), "m/44'/529'/0'/0/0");
    assert.deepEqual(keyFromMnemonic(`  ${A.replaceAll(" ", "  ")}\n`).address, keyFromMnemonic(A).address);
    assert.notDeepEqual(keyFromMnemonic(A, { index: 1 }).address, keyFromMnemonic(A).address);
  });

  it("refuses a mnemonic with a bad checksum or an unknown word", () => {
    const words = A.split(" ");
    const swapped = [words[1], words[0], ...words.slice(2)].join(" ");
    assert.equal(isValidMnemonic(swapped), false);
    assert.throws(() => keyFromMnemonic(swapped), { code: "CRYPTO_INVALID_MNEMONIC" });
    assert.throws(() => keyFromMnemonic(A.replace("grant", "grantt")), { code: "CRYPTO_INVALID_MNEMONIC" });
  });

  it("makes new 24-word mnemonics that derive keys", () => {
    const m = newMnemonic();
    assert.equal(m.split(" ").length, 24);
    assert.equal(isValidMnemonic(m), true);
    assert.equal(keyFromMnemonic(m).address.length, 20);
  });
});
