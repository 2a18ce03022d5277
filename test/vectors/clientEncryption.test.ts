/**
 * The client half of contract IO encryption (src/client/encryption.ts, txResults.ts) against:
 * - the spec's vectors (crypto.md §13.3–§13.5, made with the real secretjs 1.22.1);
 * - the real secretjs `EncryptionUtilsImpl`, both directions, on random seeds, nonces and messages;
 * - our enclave (src/enclave/io.ts and outputs.ts): it decrypts our envelopes, and we decrypt the
 *   data, attributes, errors and query answers it produces, including through `decodeTxResult`.
 */
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  ClientEncryption,
  decryptQueryError,
  decryptTxRawLog,
  normalizeCodeHash,
  splitEnvelope,
} from "../../src/client/encryption.ts";
import { decodeTxResult } from "../../src/client/txResults.ts";
import { isCodedError } from "../../src/primitives/errors.ts";
import { fromHex, toHex } from "../../src/primitives/hex.ts";
import { fromBase64, toBase64 } from "../../src/primitives/base64.ts";
import { utf8Decode, utf8Encode } from "../../src/primitives/bytes.ts";
import { encodeTxMsgData } from "../../src/codec/abci.ts";
import { ProtoWriter } from "../../src/codec/protobuf.ts";
import { KeyChain } from "../../src/enclave/keys.ts";
import { decryptInputEnvelope, splitCodeHash } from "../../src/enclave/io.ts";
import { encryptAttribute, encryptData, encryptError, encryptQueryAnswer } from "../../src/enclave/outputs.ts";

const require = createRequire(import.meta.url);
interface SjEncryptionUtils {
  encrypt(codeHash: string, msg: object): Promise<Uint8Array>;
  decrypt(ciphertext: Uint8Array, nonce: Uint8Array): Promise<Uint8Array>;
  getTxEncryptionKey(nonce: Uint8Array): Promise<Uint8Array>;
  consensusIoPubKey: Uint8Array;
}
const { EncryptionUtilsImpl } = require("secretjs") as {
  EncryptionUtilsImpl: new (url: string, seed?: Uint8Array) => SjEncryptionUtils;
};

const range = (start: number, n: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => start + i);
const hex = (s: string): Uint8Array => fromHex(s.replace(/\s+/g, ""));

// crypto.md §13.2–§13.5
const SEED = range(0x40, 32);
const IO_PK = hex("4dddea937c30a0887010cbac5f57b28b956c955329c578747ecb25b5d9b90b0a");
const NONCE = range(0x60, 32);
const CODE_HASH = "93a44bbb96c751218e4c00d479e4c14358122a389acca16205b1e4d0dc5f9476";
const ENVELOPE = hex(`606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f
  79a631eede1bf9c98f12032cdeadd0e7a079398fc786b88cc846ec89af85a51a
  6681466c698b3d98650371a6c27d814b830fc2358a7f19f1c596996767498fec19d63ecb47184a905b3827907615948a
  50eb72e4c25035de9c6dd57535b4afb6eac3ad8b56046f7ecaa1dc3de9f6ae34ebc6b6a46d526c026938ab9ddd5f7bcf6b
  184a74a28e`);

/** A ClientEncryption whose nonces come from a queue. */
function fixedNonces(seed: Uint8Array, ioPk: Uint8Array, nonces: Uint8Array[]): ClientEncryption {
  return new ClientEncryption(seed, ioPk, (n) => {
    const next = nonces.shift();
    assert.ok(next !== undefined && next.length === n, "a nonce was queued");
    return next;
  });
}

function secretjsWith(seed: Uint8Array, ioPk: Uint8Array): SjEncryptionUtils {
  const sj = new EncryptionUtilsImpl("http://127.0.0.1:1", seed);
  sj.consensusIoPubKey = Uint8Array.from(ioPk); // secretjs's cache: no tx-key fetch
  return sj;
}

describe("client encryption: spec vectors (crypto.md §13.3–§13.5)", () => {
  it("derives the client public key, tx key and the exact envelope", () => {
    const enc = fixedNonces(SEED, IO_PK, [NONCE]);
    assert.equal(toHex(enc.publicKey), "79a631eede1bf9c98f12032cdeadd0e7a079398fc786b88cc846ec89af85a51a");
    assert.equal(toHex(enc.txKey(NONCE)), "0ba94438eb68bae04c2a64bbe141379dd7d6a2fdab52eadc08e1375d20222ba2");
    const envelope = enc.encrypt(CODE_HASH, { increment: { by: 2 } });
    assert.equal(toHex(envelope), toHex(ENVELOPE));
    assert.deepEqual(enc.decryptInput(envelope), { codeHash: CODE_HASH, msg: '{"increment":{"by":2}}' });
    // A "0x"-prefixed upper-case hash is normalised as secretjs does.
    const again = fixedNonces(SEED, IO_PK, [NONCE]).encrypt(`0x${CODE_HASH.toUpperCase()}`, '{"increment":{"by":2}}');
    assert.equal(toHex(again), toHex(ENVELOPE));
  });

  it("decrypts the §13.4 data, attributes and errors and the §13.5 query answer", () => {
    const enc = new ClientEncryption(SEED, IO_PK);
    const data = enc.decryptData(hex("d4af7efc1f733365bb396b923542f40f2cc99aa0b9d972263b4c77554db87c16"), NONCE);
    assert.equal(utf8Decode(data), '{"count":7}');
    assert.equal(enc.decryptAttribute("m7uWvrxF5eQUIxsVW2OhgiCrCvq1KA==", NONCE), "action");
    assert.equal(enc.decryptAttribute("wZv7WvibM6Y2Ja4P8Pi3XAA0BPfg8xu4Ng==", NONCE), "increment");
    const v1 = decryptTxRawLog(
      enc,
      "failed to execute message; message index: 0: encrypted: 1ep9HfR03nZecnF/17YXA8xQd8SVq767mG+Lxf1Z2oPP/MU=: execute contract failed",
      (i) => (i === 0 ? NONCE : undefined),
    );
    assert.equal(v1.decrypted, "Generic error: boom");
    assert.equal(
      v1.rawLog,
      "failed to execute message; message index: 0: Generic error: boom: execute contract failed",
    );
    const nested = decryptTxRawLog(
      enc,
      "failed to execute message; message index: 0: dispatch: submessages: encrypted: 30aKxEeBDLFTXpcZ5WQIS69d9Wi1M27KpBSarQKJ75VKCtU/QlPfZtmlbyrlwQ==: execute contract failed",
      () => NONCE,
    );
    assert.equal(nested.decrypted, '{"generic_err":{"msg":"boom"}}');
    const queryNonce = range(0x80, 32);
    const q = fixedNonces(SEED, IO_PK, [queryNonce]).encrypt(CODE_HASH, { get_count: {} });
    assert.equal(
      toHex(q),
      "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f" +
        "79a631eede1bf9c98f12032cdeadd0e7a079398fc786b88cc846ec89af85a51a" +
        "0d1103a44b8084f2a359b7e977f6770db8fbe52a2d3d959c10c6c81d52af2dbb7456d0bdb624572143a67e14e4932162" +
        "34e2be160725bbe4038c2b136e878853ae2d0357820520da023705506800635de53e510eeb8cf6d011449466262913b6",
    );
    const answer = enc.decryptQueryAnswer(
      hex("df009f1701b3c57b873169b59a31c17f3e4b6e2f97acd636ab35f5b7f1666508"),
      queryNonce,
    );
    assert.deepEqual(answer, { count: 7 });
  });

  it("refuses wrong keys, nonces and malformed input with coded errors", () => {
    const enc = new ClientEncryption(SEED, IO_PK);
    const other = new ClientEncryption(range(0x41, 32), IO_PK);
    const ct = hex("d4af7efc1f733365bb396b923542f40f2cc99aa0b9d972263b4c77554db87c16");
    assert.throws(
      () => other.decryptData(ct, NONCE),
      (e) => isCodedError(e, "CLIENT_DECRYPT_FAILED"),
    );
    assert.throws(
      () => enc.decryptData(ct, range(0x61, 32)),
      (e) => isCodedError(e, "CLIENT_DECRYPT_FAILED"),
    );
    assert.throws(
      () => new ClientEncryption(new Uint8Array(31), IO_PK),
      (e) => isCodedError(e, "CLIENT_BAD_INPUT"),
    );
    assert.throws(
      () => enc.encrypt("abc", {}),
      (e) => isCodedError(e, "CLIENT_BAD_INPUT"),
    );
    assert.throws(
      () => normalizeCodeHash("z".repeat(64)),
      (e) => isCodedError(e, "CLIENT_BAD_INPUT"),
    );
    assert.equal(splitEnvelope(new Uint8Array(81)), undefined);
    assert.equal(enc.owns(ENVELOPE), true);
    assert.equal(other.owns(ENVELOPE), false);
    // A log whose message is not ours, or without ciphertext, is left alone.
    const log = "failed to execute message; message index: 0: out of gas";
    assert.deepEqual(
      decryptTxRawLog(enc, log, () => NONCE),
      { rawLog: log, decrypted: undefined },
    );
  });
});

describe("client encryption ⇄ real secretjs EncryptionUtilsImpl", () => {
  const arbMsg = fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(fc.string({ maxLength: 20 }), fc.integer()), {
    maxKeys: 4,
  });
  const arb32 = fc.uint8Array({ minLength: 32, maxLength: 32 });

  it("secretjs decrypts what we encrypt (same seed), and derives the same tx key", async () => {
    await fc.assert(
      fc.asyncProperty(
        arb32,
        arb32,
        arb32,
        arb32.map((b) => toHex(b)),
        arbMsg,
        async (seed, io, nonce, codeHash, msg) => {
          const ioPk = new ClientEncryption(io, new Uint8Array(32).fill(9)).publicKey; // a valid curve point
          const ours = fixedNonces(seed, ioPk, [nonce]);
          const sj = secretjsWith(seed, ioPk);
          const envelope = ours.encrypt(codeHash, msg);
          assert.deepEqual(envelope.subarray(32, 64), ours.publicKey);
          assert.equal(toHex(await sj.getTxEncryptionKey(nonce)), toHex(ours.txKey(nonce)));
          const plain = await sj.decrypt(envelope.subarray(64), envelope.subarray(0, 32));
          assert.equal(utf8Decode(plain), codeHash.toLowerCase() + JSON.stringify(msg));
        },
      ),
      { numRuns: 25 },
    );
  });

  it("we decrypt what secretjs encrypts, inputs and outputs", async () => {
    await fc.assert(
      fc.asyncProperty(
        arb32,
        arb32,
        arb32.map((b) => toHex(b)),
        arbMsg,
        async (seed, io, codeHash, msg) => {
          const ioPk = new ClientEncryption(io, new Uint8Array(32).fill(9)).publicKey;
          const sj = secretjsWith(seed, ioPk);
          const envelope = await sj.encrypt(codeHash, msg);
          const ours = new ClientEncryption(seed, ioPk);
          assert.equal(ours.owns(envelope), true);
          const input = ours.decryptInput(envelope);
          assert.equal(input.codeHash, codeHash);
          assert.equal(input.msg, JSON.stringify(msg));
        },
      ),
      { numRuns: 25 },
    );
  });
});

describe("client encryption ⇄ our enclave (src/enclave/io.ts, outputs.ts)", () => {
  const chain = KeyChain.fromSeeds([range(0x00, 32), range(0x20, 32)]);
  const seed = range(0x10, 32);
  const codeHash = "ab".repeat(32);

  it("the enclave opens our envelope and checks the code hash; we open its outputs", () => {
    assert.equal(toHex(chain.ioPublicKey), toHex(IO_PK));
    const enc = new ClientEncryption(seed, chain.ioPublicKey);
    const envelope = enc.encrypt(codeHash, { transfer: { amount: "5" } });
    const input = decryptInputEnvelope(chain, envelope, { allowPlaintextFallback: false });
    assert.equal(input.wasEncrypted, true);
    assert.equal(utf8Decode(splitCodeHash(input.plaintext, fromHex(codeHash))), '{"transfer":{"amount":"5"}}');
    assert.equal(toHex(input.txKey), toHex(enc.txKey(input.nonce)));

    const data = encryptData(input.txKey, utf8Encode('{"ok":true}'));
    assert.equal(utf8Decode(enc.decryptData(data, input.nonce)), '{"ok":true}');
    const attr = encryptAttribute(input.txKey, { key: "minted", value: " 1 " });
    assert.equal(enc.decryptAttribute(attr.key, input.nonce), "minted");
    assert.equal(enc.decryptAttribute(attr.value, input.nonce), "1");
    const answer = encryptQueryAnswer(input.txKey, toBase64(utf8Encode('{"balance":"10"}')));
    assert.deepEqual(enc.decryptQueryAnswer(answer, input.nonce), { balance: "10" });
    assert.deepEqual(enc.decryptQueryAnswer(encryptQueryAnswer(input.txKey, ""), input.nonce), {});
    const err = encryptError(input.txKey, "Generic error: nope");
    const message = `codespace compute code 4: query contract failed: encrypted: ${err.b64}`;
    assert.equal(decryptQueryError(enc, message, input.nonce), "Generic error: nope");
    const abciForm = `encrypted: ${err.b64}: query contract failed: unknown request`;
    assert.equal(decryptQueryError(enc, abciForm, input.nonce), "Generic error: nope");
    assert.equal(
      decryptQueryError(new ClientEncryption(range(0x11, 32), chain.ioPublicKey), message, input.nonce),
      undefined,
    );
  });

  it("decodeTxResult decrypts our input, data, wasm attributes and errors in an LCD tx", () => {
    const enc = new ClientEncryption(seed, chain.ioPublicKey);
    const stranger = new ClientEncryption(range(0x99, 32), chain.ioPublicKey);
    const mine = enc.encrypt(codeHash, { increment: {} });
    const theirs = stranger.encrypt(codeHash, { secret: {} });
    const myKey = decryptInputEnvelope(chain, mine, { allowPlaintextFallback: false });
    const theirKey = decryptInputEnvelope(chain, theirs, { allowPlaintextFallback: false });
    const execResponse = (data: Uint8Array): { typeUrl: string; value: Uint8Array } => ({
      typeUrl: "/secret.compute.v1beta1.MsgExecuteContractResponse",
      value: new ProtoWriter().bytes(1, data).finish(),
    });
    const txMsgData = encodeTxMsgData({
      msgResponses: [
        execResponse(encryptData(myKey.txKey, utf8Encode("mine"))),
        execResponse(encryptData(theirKey.txKey, utf8Encode("theirs"))),
      ],
    });
    const wasm = (idx: number, key: Uint8Array, k: string, v: string): unknown => {
      const a = encryptAttribute(key, { key: k, value: v });
      return {
        type: "wasm",
        attributes: [
          { key: "contract_address", value: "secret1zk06mshazu82guaev26vd5wwqw5qm0lwzvcltr", index: true },
          { key: a.key, value: a.value, index: true },
          { key: "msg_index", value: String(idx), index: true },
        ],
      };
    };
    const execMsg = (envelope: Uint8Array): unknown => ({
      "@type": "/secret.compute.v1beta1.MsgExecuteContract",
      sender: "secret1ap26qrlp8mcq2pg6r47w43l0y8zkqm8a450s03",
      contract: "secret1zk06mshazu82guaev26vd5wwqw5qm0lwzvcltr",
      msg: toBase64(envelope),
      callback_code_hash: "",
      sent_funds: [],
      callback_sig: null,
    });
    const body = {
      tx: { body: { messages: [execMsg(mine), execMsg(theirs)] } },
      tx_response: {
        height: "7",
        txhash: "AB".repeat(32),
        code: 0,
        codespace: "",
        data: toHex(txMsgData).toUpperCase(),
        raw_log: "",
        gas_wanted: "300000",
        gas_used: "120000",
        timestamp: "2025-01-01T00:00:00Z",
        events: [wasm(0, myKey.txKey, "action", "increment"), wasm(1, theirKey.txKey, "hidden", "yes")],
      },
    };
    const decoded = decodeTxResult(body, (pk) =>
      enc.owns(mine) && toHex(pk) === toHex(enc.publicKey) ? { name: "me", enc } : undefined,
    );
    assert.equal(decoded.decrypted, true);
    assert.deepEqual(decoded.messages[0], {
      index: 0,
      type: "/secret.compute.v1beta1.MsgExecuteContract",
      encryptedBy: "me",
      input: { codeHash, msg: { increment: {} } },
    });
    assert.equal(decoded.messages[1]!.input, undefined);
    assert.deepEqual(decoded.data, [
      { index: 0, type: "/secret.compute.v1beta1.MsgExecuteContractResponse", data: "mine", encoding: "utf8" },
    ]);
    const attrs = (e: unknown): unknown[] => (e as { attributes: unknown[] }).attributes;
    assert.deepEqual(attrs(decoded.events[0])[1], { key: "action", value: "increment", index: true });
    // The stranger's attribute stays encrypted.
    assert.deepEqual(attrs(decoded.events[1])[1], attrs(body.tx_response.events[1])[1]);

    // The same tx failing in message 0 with an encrypted error.
    const err = encryptError(myKey.txKey, "Generic error: boom");
    const failed = {
      ...body,
      tx_response: {
        ...body.tx_response,
        code: 3,
        codespace: "compute",
        data: "",
        events: [],
        raw_log: `failed to execute message; message index: 0: encrypted: ${err.b64}: execute contract failed`,
      },
    };
    const decodedFail = decodeTxResult(failed, (pk) =>
      toHex(pk) === toHex(enc.publicKey) ? { name: "me", enc } : undefined,
    );
    assert.equal(decodedFail.error, "Generic error: boom");
    assert.equal(
      decodedFail.rawLog,
      "failed to execute message; message index: 0: Generic error: boom: execute contract failed",
    );
    // Without our key nothing is decrypted.
    const none = decodeTxResult(failed, () => undefined);
    assert.equal(none.decrypted, false);
    assert.equal(none.rawLog, failed.tx_response.raw_log);
    assert.equal(fromBase64(toBase64(mine)).length, mine.length);
  });
});
