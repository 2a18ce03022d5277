/**
 * `encodeBaseAccountAny` (the one-pass stored form of a base account) against the general encoders it
 * replaces, `encodeAny({typeUrl: BASE_ACCOUNT_URL, value: encodeBaseAccount(a)})`: byte-identical on
 * random accounts (empty and non-ASCII strings, absent, empty and long keys, zero and 64-bit numbers),
 * the same errors out of range, and decodable back to the same account.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  BASE_ACCOUNT_URL,
  type BaseAccount,
  decodeBaseAccount,
  encodeBaseAccount,
  encodeBaseAccountAny,
} from "../../src/codec/auth.ts";
import { SECP256K1_PUBKEY_URL } from "../../src/codec/keys.ts";
import { decodeAny, encodeAny } from "../../src/codec/tx.ts";

function reference(a: BaseAccount): Uint8Array {
  return encodeAny({ typeUrl: BASE_ACCOUNT_URL, value: encodeBaseAccount(a) });
}

const text = fc.oneof(
  fc.constant(""),
  fc.constant(SECP256K1_PUBKEY_URL),
  fc.constant("secret1qypqxpq9qcrsszg2pvxq6rs0zqg3yyc5lzv7xu"),
  fc.string({ maxLength: 140 }),
  fc.string({ unit: "grapheme", maxLength: 20 }),
  fc.string({ minLength: 120, maxLength: 140 }),
);
const number = fc.oneof(
  fc.constant(0n),
  fc.bigInt({ min: 0n, max: 300n }),
  fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
  fc.constant((1n << 64n) - 1n),
);
const account = fc.record({
  address: text,
  pubKey: fc.option(fc.record({ typeUrl: text, value: fc.uint8Array({ maxLength: 200 }) }), { nil: undefined }),
  accountNumber: number,
  sequence: number,
});

describe("codec auth: encodeBaseAccountAny", () => {
  it("is byte-identical with encodeAny(encodeBaseAccount) and decodes back", () => {
    fc.assert(
      fc.property(account, (a) => {
        const ours = encodeBaseAccountAny(a);
        assert.deepEqual(ours, reference(a));
        const any = decodeAny(ours);
        assert.equal(any.typeUrl, BASE_ACCOUNT_URL);
        const back = decodeBaseAccount(any.value);
        assert.equal(back.address, a.address);
        assert.equal(back.accountNumber, a.accountNumber);
        assert.equal(back.sequence, a.sequence);
      }),
      { numRuns: 3000 },
    );
  });

  it("matches on the shapes a chain stores (secp256k1 keys, growing sequences, an empty account)", () => {
    const key = new Uint8Array(35);
    key[0] = 0x0a;
    key[1] = 33;
    key.fill(2, 2);
    const address = "secret1qypqxpq9qcrsszg2pvxq6rs0zqg3yyc5lzv7xu";
    for (const sequence of [0n, 1n, 127n, 128n, 16_383n, 16_384n, 1n << 35n]) {
      for (const pubKey of [undefined, { typeUrl: SECP256K1_PUBKEY_URL, value: key }]) {
        const a = { address, pubKey, accountNumber: 5n, sequence };
        assert.deepEqual(encodeBaseAccountAny(a), reference(a));
      }
    }
    const empty = { address: "", pubKey: undefined, accountNumber: 0n, sequence: 0n };
    assert.deepEqual(encodeBaseAccountAny(empty), reference(empty));
    assert.equal(encodeBaseAccountAny(empty).length, 2 + BASE_ACCOUNT_URL.length);
    const emptyKey = { address, pubKey: { typeUrl: "", value: new Uint8Array(0) }, accountNumber: 0n, sequence: 0n };
    assert.deepEqual(encodeBaseAccountAny(emptyKey), reference(emptyKey));
  });

  it("refuses numbers out of range as the general encoder does", () => {
    for (const bad of [-1n, 1n << 64n]) {
      const a = { address: "x", pubKey: undefined, accountNumber: bad, sequence: 0n };
      assert.throws(() => reference(a), { code: "PROTO_FIELD_RANGE" });
      assert.throws(() => encodeBaseAccountAny(a), { code: "PROTO_FIELD_RANGE" });
      const b = { address: "x", pubKey: undefined, accountNumber: 0n, sequence: bad };
      assert.throws(() => encodeBaseAccountAny(b), { code: "PROTO_FIELD_RANGE" });
    }
  });
});
