import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  bech32Decode,
  bech32Encode,
  decodeAddress,
  encodeAddress,
  parseAccountAddress,
} from "../../src/primitives/bech32.ts";
import { isCodedError } from "../../src/primitives/errors.ts";
import { fromHex, toHex } from "../../src/primitives/hex.ts";

// BIP-173 test vectors.
const VALID = [
  "A12UEL5L",
  "a12uel5l",
  "an83characterlonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1tt5tgs",
  "abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw",
  "11qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqc8247j",
  "split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w",
  "?1ezyfcl",
];

const INVALID: Array<[string, string]> = [
  ["\x201nwldj5", "invalid character"],
  ["\x7f1axkwrx", "invalid character"],
  ["\x801eym55h", "invalid character"],
  ["an84characterslonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1569pvx", "invalid length"],
  ["pzry9x0s0muk", 'missing human-readable separator, "1"'],
  ["1pzry9x0s0muk", "invalid length"],
  ["x1b4n0q5v", "invalid character (code=b)"],
  ["li1dgmt3", "invalid length"],
  ["de1lg7wt\xff", "invalid character"],
  ["A1G7SGD8", "invalid checksum"],
  ["10a06t8", "invalid length"],
  ["1qzzfhee", "invalid length"],
  ["a12UEL5L", "mixed-case strings not allowed"],
];

describe("bech32 (BIP-173 vectors, bech32 crate 0.7.2 rules)", () => {
  it("accepts the valid vectors and re-encodes them", () => {
    for (const text of VALID) {
      const { prefix, data } = bech32Decode(text);
      assert.equal(bech32Encode(prefix, data), text.toLowerCase(), text);
    }
  });

  it("refuses the invalid vectors with the crate's messages", () => {
    for (const [text, message] of INVALID) {
      assert.throws(
        () => bech32Decode(text),
        (e: unknown) => isCodedError(e) && e.message.startsWith(message),
        JSON.stringify(text),
      );
    }
  });

  it("round-trips any data under any valid prefix", () => {
    const prefix = fc.stringMatching(/^[a-z]{1,20}$/);
    fc.assert(
      fc.property(prefix, fc.uint8Array({ maxLength: 64 }), (p, data) => {
        const decoded = bech32Decode(bech32Encode(p, data));
        assert.equal(decoded.prefix, p);
        assert.deepEqual(decoded.data, data);
      }),
    );
  });

  it("detects any single-character substitution", () => {
    const address = "secret1ap26qrlp8mcq2pg6r47w43l0y8zkqm8a450s03";
    const charset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
    fc.assert(
      fc.property(fc.integer({ min: 7, max: address.length - 1 }), fc.integer({ min: 1, max: 31 }), (pos, shift) => {
        const original = charset.indexOf(address[pos]!);
        const replaced = charset[(original + shift) % 32]!;
        const mutated = address.slice(0, pos) + replaced + address.slice(pos + 1);
        assert.throws(
          () => bech32Decode(mutated),
          (e: unknown) => isCodedError(e, "BECH32_CHECKSUM"),
        );
      }),
    );
  });
});

describe("Secret Network addresses (chain-api.md §1.1)", () => {
  it("encodes the dev account a and its operator address", () => {
    const raw = fromHex("e855a00fe13ef005051a1d7ceac7ef21c5606cfd");
    assert.equal(encodeAddress(raw), "secret1ap26qrlp8mcq2pg6r47w43l0y8zkqm8a450s03");
    assert.equal(encodeAddress(raw, "secretvaloper"), "secretvaloper1ap26qrlp8mcq2pg6r47w43l0y8zkqm8aynpdzc");
    assert.equal(toHex(decodeAddress("secret1ap26qrlp8mcq2pg6r47w43l0y8zkqm8a450s03")), toHex(raw));
  });

  it("derives module account addresses from sha256(name)[0:20]", () => {
    const module = (name: string) => encodeAddress(createHash("sha256").update(name).digest().subarray(0, 20));
    assert.equal(module("fee_collector"), "secret17xpfvakm2amg962yls6f84z3kell8c5ljuhfkp");
    assert.equal(module("distribution"), "secret1jv65s3grqf6v6jl3dp4t6c9t9rk99cd896s45r");
    assert.equal(module("bonded_tokens_pool"), "secret1fl48vsnmsdzcv85q5d2q4z5ajdha8yu3h7axyt");
    assert.equal(module("gov"), "secret10d07y265gmmuvt4z0w9aw880jnsr700jc88vt0");
  });

  it("refuses wrong prefixes, upper case and bad lengths for account addresses", () => {
    const raw = fromHex("e855a00fe13ef005051a1d7ceac7ef21c5606cfd");
    assert.throws(
      () => decodeAddress(encodeAddress(raw, "cosmos")),
      (e: unknown) => isCodedError(e, "BECH32_PREFIX") && e.message === 'wrong address prefix: "cosmos"',
    );
    assert.throws(
      () => parseAccountAddress(encodeAddress(raw).toUpperCase()),
      (e: unknown) => isCodedError(e),
    );
    assert.throws(
      () => parseAccountAddress(encodeAddress(raw.subarray(0, 19))),
      (e: unknown) => isCodedError(e) && e.message === "address length must be 20 or 32 bytes, got 19",
    );
    assert.equal(parseAccountAddress(encodeAddress(new Uint8Array(32))).length, 32);
  });
});
