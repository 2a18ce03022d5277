/**
 * Our protobuf codec against the real secretjs 1.22.1 (ts-proto) encoders: same bytes in both
 * directions for random transactions and compute messages.
 */
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  decodeMsgExecuteContract,
  decodeMsgInstantiateContract,
  decodeMsgMigrateContract,
  encodeMsgExecuteContract,
  encodeMsgInstantiateContract,
  encodeMsgMigrateContract,
} from "../../src/codec/compute.ts";
import {
  type ModeInfo,
  decodeAuthInfo,
  decodeSignDoc,
  decodeTxBody,
  decodeTxRaw,
  encodeAuthInfo,
  encodeSignDoc,
  encodeTxBody,
  encodeTxRaw,
} from "../../src/codec/tx.ts";

const require = createRequire(import.meta.url);
// secretjs ships CommonJS ts-proto classes; these paths are part of its published dist.
const sjTx = require("secretjs/dist/protobuf/cosmos/tx/v1beta1/tx.js");
const sjCompute = require("secretjs/dist/protobuf/secret/compute/v1beta1/msg.js");

/** Plain-prototype records, so deep equality compares values only. */
const rec = <T>(model: { [K in keyof T]: fc.Arbitrary<T[K]> }): fc.Arbitrary<T> =>
  fc.record(model, { noNullPrototype: true }) as fc.Arbitrary<T>;
const bytes = (max = 80) => fc.uint8Array({ maxLength: max });
const u64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });
const text = fc.string({ maxLength: 40 });
const any = rec({ typeUrl: fc.string({ minLength: 1, maxLength: 40 }), value: bytes() });
const coin = rec({
  denom: fc.stringMatching(/^[a-z]{3,8}$/),
  amount: fc.bigInt({ min: 1n, max: 10n ** 30n }).map(String),
});

const toSjAny = (a: { typeUrl: string; value: Uint8Array }) => ({ type_url: a.typeUrl, value: a.value });
const encodeSj = (type: { encode(m: unknown): { finish(): Uint8Array } }, m: unknown) => type.encode(m).finish();

describe("codec vs secretjs protobuf", () => {
  it("TxBody: identical bytes both ways", () => {
    fc.assert(
      fc.property(fc.array(any, { minLength: 1, maxLength: 4 }), text, u64, (messages, memo, timeoutHeight) => {
        const ours = encodeTxBody({ messages, memo, timeoutHeight });
        const theirs = encodeSj(sjTx.TxBody, {
          messages: messages.map(toSjAny),
          memo,
          timeout_height: timeoutHeight.toString(),
          extension_options: [],
          non_critical_extension_options: [],
        });
        assert.deepEqual(ours, new Uint8Array(theirs));
        const decoded = decodeTxBody(theirs);
        assert.deepEqual(
          decoded.messages.map((m) => ({ typeUrl: m.typeUrl, value: new Uint8Array(m.value) })),
          messages,
        );
        assert.equal(decoded.memo, memo);
        assert.equal(decoded.timeoutHeight, timeoutHeight);
      }),
    );
  });

  it("AuthInfo with single and multisig mode infos: identical bytes both ways", () => {
    const single = fc.constantFrom(1, 127, 191).map((mode): ModeInfo => ({ kind: "single", mode }));
    const multi = fc
      .record({ extra: fc.integer({ min: 0, max: 7 }), elems: bytes(4), modes: fc.array(single, { maxLength: 3 }) })
      .map((m): ModeInfo => ({
        kind: "multi",
        bitarray: { extraBitsStored: m.extra, elems: m.elems },
        modeInfos: m.modes,
      }));
    const signer = rec({ publicKey: any, modeInfo: fc.oneof(single, multi), sequence: u64 });
    const toSjMode = (m: ModeInfo): unknown =>
      m.kind === "single"
        ? { single: { mode: m.mode } }
        : {
            multi: {
              bitarray: { extra_bits_stored: m.bitarray.extraBitsStored, elems: m.bitarray.elems },
              mode_infos: m.modeInfos.map(toSjMode),
            },
          };
    fc.assert(
      fc.property(
        fc.array(signer, { maxLength: 3 }),
        fc.array(coin, { maxLength: 2 }),
        u64,
        text,
        (signers, amount, gasLimit, granter) => {
          const fee = { amount, gasLimit, payer: "", granter };
          const ours = encodeAuthInfo({ signerInfos: signers, fee });
          const theirs = encodeSj(sjTx.AuthInfo, {
            signer_infos: signers.map((s) => ({
              public_key: toSjAny(s.publicKey),
              mode_info: toSjMode(s.modeInfo),
              sequence: s.sequence.toString(),
            })),
            fee: { amount, gas_limit: gasLimit.toString(), payer: "", granter },
          });
          assert.deepEqual(ours, new Uint8Array(theirs));
          const decoded = decodeAuthInfo(theirs);
          assert.equal(decoded.signerInfos.length, signers.length);
          assert.deepEqual(decoded.fee?.amount, amount);
          assert.equal(decoded.fee?.gasLimit, gasLimit);
          decoded.signerInfos.forEach((s, i) => {
            assert.equal(s.sequence, signers[i]!.sequence);
            assert.deepEqual(
              encodeAuthInfo({ signerInfos: [s], fee: undefined }),
              encodeAuthInfo({ signerInfos: [signers[i]!], fee: undefined }),
            );
          });
        },
      ),
    );
  });

  it("TxRaw and SignDoc: identical bytes both ways", () => {
    fc.assert(
      fc.property(
        bytes(),
        bytes(),
        fc.array(bytes(70), { maxLength: 3 }),
        text,
        u64,
        (body, auth, sigs, chainId, accountNumber) => {
          const raw = encodeTxRaw({ bodyBytes: body, authInfoBytes: auth, signatures: sigs });
          assert.deepEqual(
            raw,
            new Uint8Array(encodeSj(sjTx.TxRaw, { body_bytes: body, auth_info_bytes: auth, signatures: sigs })),
          );
          const decodedRaw = decodeTxRaw(raw);
          assert.deepEqual(
            decodedRaw.signatures.map((s) => new Uint8Array(s)),
            sigs,
          );
          const doc = encodeSignDoc({ bodyBytes: body, authInfoBytes: auth, chainId, accountNumber });
          const theirs = encodeSj(sjTx.SignDoc, {
            body_bytes: body,
            auth_info_bytes: auth,
            chain_id: chainId,
            account_number: accountNumber.toString(),
          });
          assert.deepEqual(doc, new Uint8Array(theirs));
          assert.equal(decodeSignDoc(theirs).accountNumber, accountNumber);
          assert.equal(decodeSignDoc(theirs).chainId, chainId);
        },
      ),
    );
  });

  it("compute messages: identical bytes both ways", () => {
    fc.assert(
      fc.property(
        bytes(32),
        bytes(32),
        bytes(),
        fc.array(coin, { maxLength: 3 }),
        text,
        u64,
        text,
        (sender, contract, msg, funds, label, codeId, admin) => {
          const exec = {
            sender,
            contract,
            msg,
            callbackCodeHash: "",
            sentFunds: funds,
            callbackSig: new Uint8Array(0),
          };
          const execSj = encodeSj(sjCompute.MsgExecuteContract, {
            sender,
            contract,
            msg,
            callback_code_hash: "",
            sent_funds: funds,
            callback_sig: new Uint8Array(0),
          });
          assert.deepEqual(encodeMsgExecuteContract(exec), new Uint8Array(execSj));
          assert.deepEqual(decodeMsgExecuteContract(execSj).sentFunds, funds);

          const init = {
            sender,
            callbackCodeHash: "",
            codeId,
            label,
            initMsg: msg,
            initFunds: funds,
            callbackSig: new Uint8Array(0),
            admin,
          };
          const initSj = encodeSj(sjCompute.MsgInstantiateContract, {
            sender,
            callback_code_hash: "",
            code_id: codeId.toString(),
            label,
            init_msg: msg,
            init_funds: funds,
            callback_sig: new Uint8Array(0),
            admin,
          });
          assert.deepEqual(encodeMsgInstantiateContract(init), new Uint8Array(initSj));
          const initBack = decodeMsgInstantiateContract(initSj);
          assert.equal(initBack.codeId, codeId);
          assert.equal(initBack.label, label);
          assert.equal(initBack.admin, admin);

          const mig = {
            sender: label,
            contract: admin,
            codeId,
            msg,
            callbackSig: new Uint8Array(0),
            callbackCodeHash: "",
          };
          const migSj = encodeSj(sjCompute.MsgMigrateContract, {
            sender: label,
            contract: admin,
            code_id: codeId.toString(),
            msg,
            callback_sig: new Uint8Array(0),
            callback_code_hash: "",
          });
          assert.deepEqual(encodeMsgMigrateContract(mig), new Uint8Array(migSj));
          assert.deepEqual(new Uint8Array(decodeMsgMigrateContract(migSj).msg), msg);
        },
      ),
    );
  });
});
