/**
 * The codecs the app added (bank, auth, abci) against secretjs 1.22.1's ts-proto encoders: identical
 * bytes in both directions for random values.
 */
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { describe, it } from "node:test";
import fc from "fast-check";
import { decodeTxMsgData, encodeTxMsgData } from "../../src/codec/abci.ts";
import {
  decodeAuthParams,
  decodeBaseAccount,
  decodeModuleAccount,
  encodeAuthParams,
  encodeBaseAccount,
  encodeModuleAccount,
} from "../../src/codec/auth.ts";
import { decodeMsgMultiSend, decodeMsgSend, encodeMsgMultiSend, encodeMsgSend } from "../../src/codec/bank.ts";

const require = createRequire(import.meta.url);
const sjBank = require("secretjs/dist/protobuf/cosmos/bank/v1beta1/tx.js");
const sjAuth = require("secretjs/dist/protobuf/cosmos/auth/v1beta1/auth.js");
const sjAbci = require("secretjs/dist/protobuf/cosmos/base/abci/v1beta1/abci.js");

const rec = <T>(model: { [K in keyof T]: fc.Arbitrary<T[K]> }): fc.Arbitrary<T> =>
  fc.record(model, { noNullPrototype: true }) as fc.Arbitrary<T>;
const text = fc.string({ maxLength: 50 });
const u64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });
const anyArb = rec({ typeUrl: fc.string({ minLength: 1, maxLength: 40 }), value: fc.uint8Array({ maxLength: 40 }) });
const coin = rec({
  denom: fc.stringMatching(/^[a-z]{3,8}$/),
  amount: fc.bigInt({ min: 1n, max: 10n ** 30n }).map(String),
});
const coins = fc.array(coin, { maxLength: 3 });
const encodeSj = (type: { encode(m: unknown): { finish(): Uint8Array } }, m: unknown): Uint8Array =>
  new Uint8Array(type.encode(m).finish());
const sjAny = (a: { typeUrl: string; value: Uint8Array }) => ({ type_url: a.typeUrl, value: a.value });
const plain = <T>(v: T): T =>
  JSON.parse(
    JSON.stringify(v, (_k, x: unknown) =>
      x instanceof Uint8Array ? [...x] : typeof x === "bigint" ? x.toString() : x,
    ),
  ) as T;

describe("app codecs vs secretjs protobuf", () => {
  it("MsgSend and MsgMultiSend", () => {
    fc.assert(
      fc.property(text, text, coins, (fromAddress, toAddress, amount) => {
        const ours = encodeMsgSend({ fromAddress, toAddress, amount });
        assert.deepEqual(ours, encodeSj(sjBank.MsgSend, { from_address: fromAddress, to_address: toAddress, amount }));
        assert.deepEqual(plain(decodeMsgSend(ours)), plain({ fromAddress, toAddress, amount }));
      }),
    );
    const io = rec({ address: text, coins });
    fc.assert(
      fc.property(fc.array(io, { maxLength: 3 }), fc.array(io, { maxLength: 3 }), (inputs, outputs) => {
        const ours = encodeMsgMultiSend({ inputs, outputs });
        assert.deepEqual(ours, encodeSj(sjBank.MsgMultiSend, { inputs, outputs }));
        assert.deepEqual(plain(decodeMsgMultiSend(ours)), plain({ inputs, outputs }));
      }),
    );
  });

  it("BaseAccount, ModuleAccount and auth Params", () => {
    fc.assert(
      fc.property(text, fc.option(anyArb, { nil: undefined }), u64, u64, (address, pubKey, accountNumber, sequence) => {
        const ours = encodeBaseAccount({ address, pubKey, accountNumber, sequence });
        const theirs = {
          address,
          pub_key: pubKey === undefined ? undefined : sjAny(pubKey),
          account_number: accountNumber.toString(),
          sequence: sequence.toString(),
        };
        assert.deepEqual(ours, encodeSj(sjAuth.BaseAccount, theirs));
        assert.deepEqual(
          plain(decodeBaseAccount(ours)),
          plain({ address, pubKey, accountNumber: String(accountNumber), sequence: String(sequence) }),
          "round trip",
        );
        const moduleBytes = encodeModuleAccount({
          baseAccount: { address, pubKey, accountNumber, sequence },
          name: "gov",
          permissions: ["burner"],
        });
        assert.deepEqual(
          moduleBytes,
          encodeSj(sjAuth.ModuleAccount, { base_account: theirs, name: "gov", permissions: ["burner"] }),
        );
        assert.equal(decodeModuleAccount(moduleBytes).name, "gov");
      }),
    );
    fc.assert(
      fc.property(u64, u64, u64, u64, u64, (a, b, c, d, e) => {
        const p = {
          maxMemoCharacters: a,
          txSigLimit: b,
          txSizeCostPerByte: c,
          sigVerifyCostEd25519: d,
          sigVerifyCostSecp256k1: e,
        };
        const ours = encodeAuthParams(p);
        assert.deepEqual(
          ours,
          encodeSj(sjAuth.Params, {
            max_memo_characters: String(a),
            tx_sig_limit: String(b),
            tx_size_cost_per_byte: String(c),
            sig_verify_cost_ed25519: String(d),
            sig_verify_cost_secp256k1: String(e),
          }),
        );
        assert.deepEqual(decodeAuthParams(ours), p);
      }),
    );
  });

  it("TxMsgData", () => {
    fc.assert(
      fc.property(fc.array(anyArb, { maxLength: 4 }), (msgResponses) => {
        const ours = encodeTxMsgData({ msgResponses });
        assert.deepEqual(ours, encodeSj(sjAbci.TxMsgData, { data: [], msg_responses: msgResponses.map(sjAny) }));
        assert.deepEqual(plain(decodeTxMsgData(ours).msgResponses), plain(msgResponses));
      }),
    );
  });
});
