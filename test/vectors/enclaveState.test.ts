/**
 * crypto.md §13.7: state encryption of key `count`, value `{"count":7}` under the og key of §13.6
 * with two seeds, in the current format and the legacy format.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fromHex, toHex } from "../../src/primitives/hex.ts";
import { concatBytes, utf8Decode, utf8Encode } from "../../src/primitives/bytes.ts";
import { sha256 } from "../../src/crypto/index.ts";
import { KeyChain } from "../../src/enclave/keys.ts";
import {
  decryptLegacyValue,
  decryptStateValue,
  encryptStateEntry,
  legacyStoreKey,
  legacyValueKey,
  parseStoredKeyEk,
  recognizeStoredKey,
  stateKeyEncryptionKey,
  stateSalt,
  stateValueKey,
} from "../../src/enclave/state.ts";

const range = (start: number, n: number) => Uint8Array.from({ length: n }, (_, i) => start + i);
const keys = KeyChain.fromSeeds([range(0x00, 32), range(0x20, 32)]);
const OG_KEY = fromHex(
  "cd89629f7b27d04aa3baf7f3ed9dd7cfd1efc27086566b5084185b94e65e1eca" +
    "63035b7b7f00460890c937fff1973c77e184f19ab93890c94db72ab2836587d0",
);
const ADDRESS = "159fadc2fd170ea473b962b4c6d1ce03a80dbfee";
const KEY = utf8Encode("count");
const VALUE = utf8Encode('{"count":7}');

describe("§13.7 state, current format", () => {
  const salt = stateSalt(1700000000123456789n, 1234, 3);

  it("builds the salt", () => {
    assert.equal(toHex(salt), "17979cfe3d85cd1500000000000004d20000000000000003");
  });

  it("derives K_key = K_val with two seeds", () => {
    const kKey = toHex(stateKeyEncryptionKey(keys, OG_KEY));
    assert.equal(kKey, "4cc13b6ef6845914f09a5d4a35c264659da91c826d7a3a5cb674a41978dfd5b8");
    assert.equal(toHex(stateValueKey(keys, OG_KEY, 2)), kKey);
  });

  it("encrypts the key and the value", () => {
    const e = encryptStateEntry(keys, OG_KEY, KEY, VALUE, salt);
    assert.equal(
      "03" + ADDRESS + toHex(e.storedKey),
      "03" +
        ADDRESS +
        "0600000000000000" +
        "736563726574" +
        "0200" +
        "03000000" +
        "1500000000000000" +
        "d9db6d65c216f27e011244505e78541a859850c695",
    );
    assert.equal(toHex(parseStoredKeyEk(e.storedKey)!), "d9db6d65c216f27e011244505e78541a859850c695");
    assert.equal(
      toHex(e.storedValue),
      "1800000000000000" +
        "17979cfe3d85cd1500000000000004d20000000000000003" +
        "1b00000000000000" +
        "d36cc659c6490c4a695fd777613c9fffa3f2571301067e14f89d3a",
    );
    assert.equal(toHex(e.legacyKey), "1c8ca83cd447fea320c5bc63b5ca7d90c3652758ebb257bd698e9a9438f92d7f");
    assert.equal(recognizeStoredKey(e.storedKey), "current");
    const ek = parseStoredKeyEk(e.storedKey)!;
    assert.equal(utf8Decode(decryptStateValue(keys, OG_KEY, ek, e.storedValue)), '{"count":7}');
  });
});

describe("§13.7 state, legacy format", () => {
  const SCRAMBLED = "1c8ca83cd447fea320c5bc63b5ca7d90c3652758ebb257bd698e9a9438f92d7f";
  const LEGACY_VALUE =
    "5e023d7584426b1b712e1271cb7daf330ba199397fe318667b496208f0310e75" +
    "42107c924f92e2f23916ec38eb6e5fc880f8f3a373b8680781fad2";

  it("scrambles the key and derives the per-field key", () => {
    assert.equal(toHex(legacyStoreKey(OG_KEY, KEY)), SCRAMBLED);
    assert.equal(
      toHex(legacyValueKey(keys, OG_KEY, fromHex(SCRAMBLED))),
      "989919a377ab9f7ef2eea6419b1c2e4ae975d0b67da96f47a0db81f417db3577",
    );
    assert.equal(recognizeStoredKey(fromHex(SCRAMBLED)), "legacy");
  });

  it("reads the legacy value (ad32 = SHA-256(scrambled) on the first write)", () => {
    const value = fromHex(LEGACY_VALUE);
    assert.equal(toHex(value.subarray(0, 32)), toHex(sha256(fromHex(SCRAMBLED))));
    assert.equal(utf8Decode(decryptLegacyValue(keys, OG_KEY, fromHex(SCRAMBLED), value)), '{"count":7}');
    const tampered = concatBytes(value.subarray(0, 40), Uint8Array.of(value[40]! ^ 1), value.subarray(41));
    assert.throws(() => decryptLegacyValue(keys, OG_KEY, fromHex(SCRAMBLED), tampered), { code: "DECRYPTION_ERROR" });
  });
});
