/**
 * crypto.md §13.3 (client key, tx key and envelope made by the real secretjs), §13.4 (outputs of that
 * message), §13.5 (query) — checked from both sides: our client encryption reproduces the envelope,
 * our enclave decryption recovers the message, and our outputs equal the vectors.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fromHex, toHex } from "../../src/primitives/hex.ts";
import { fromBase64, toBase64 } from "../../src/primitives/base64.ts";
import { concatBytes, utf8Decode, utf8Encode } from "../../src/primitives/bytes.ts";
import { sha256, sivEncrypt, x25519SharedSecret } from "../../src/crypto/index.ts";
import { KeyChain } from "../../src/enclave/keys.ts";
import {
  clientPublicKey,
  clientTxKey,
  decryptInputEnvelope,
  encryptInputEnvelope,
  parseReplyHeaders,
  splitCodeHash,
  txEncryptionKey,
} from "../../src/enclave/io.ts";
import {
  callbackSignature,
  decryptReplyId,
  encryptAttribute,
  encryptData,
  encryptError,
  encryptQueryAnswer,
  envelopeCallbackSignature,
  internalMsgId,
  parseSerdeJson,
  v1SubMsgPlaintext,
} from "../../src/enclave/outputs.ts";

const range = (start: number, n: number) => Uint8Array.from({ length: n }, (_, i) => start + i);
const keys = KeyChain.fromSeeds([range(0x00, 32), range(0x20, 32)]);

const CLIENT_SEED = fromHex("404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f");
const CLIENT_PK = "79a631eede1bf9c98f12032cdeadd0e7a079398fc786b88cc846ec89af85a51a";
const NONCE = range(0x60, 32);
const TX_KEY = "0ba94438eb68bae04c2a64bbe141379dd7d6a2fdab52eadc08e1375d20222ba2";
const CODE_HASH = "93a44bbb96c751218e4c00d479e4c14358122a389acca16205b1e4d0dc5f9476";
const MSG = '{"increment":{"by":2}}';
const ENVELOPE =
  "606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f" +
  "79a631eede1bf9c98f12032cdeadd0e7a079398fc786b88cc846ec89af85a51a" +
  "6681466c698b3d98650371a6c27d814b830fc2358a7f19f1c596996767498fec19d63ecb47184a905b3827907615948a" +
  "50eb72e4c25035de9c6dd57535b4afb6eac3ad8b56046f7ecaa1dc3de9f6ae34ebc6b6a46d526c026938ab9ddd5f7bcf6b" +
  "184a74a28e";
const ENVELOPE_B64 =
  "YGFiY2RlZmdoaWprbG1ub3BxcnN0dXZ3eHl6e3x9fn95pjHu3hv5yY8SAyzerdDnoHk5j8eGuIzIRuyJr4WlGmaBRmxpiz2Y" +
  "ZQNxpsJ9gUuDD8I1in8Z8cWWmWdnSY/sGdY+y0cYSpBbOCeQdhWUilDrcuTCUDXenG3VdTW0r7bqw62LVgRvfsqh3D3p9q40" +
  "68a2pG1SbAJpOKud3V97z2sYSnSijg==";
const WRONG_AD_FORM =
  "93a3a96a782fca3f1d6cedb0b02b78eb437fe51bd39698bc180ff804bde546d9b6232bf170aed14a7d89d05ea63fa3" +
  "5c0003c1361c9f4044b4dc8e7c07ab4a737ed567d7d02fd62c899d53308785cf960865b7e203de3c676d3f52b8c149" +
  "985850d7be9bf4a8";

describe("§13.3 client key, tx key and envelope", () => {
  it("derives the client public key and the shared tx_ikm", () => {
    assert.equal(toHex(clientPublicKey(CLIENT_SEED)), CLIENT_PK);
    assert.equal(
      toHex(x25519SharedSecret(CLIENT_SEED, keys.ioPublicKey)),
      "3061fde2272cedf1ee39247dec9674966a5b55e7d1a4f0b97cc81ba4b101983e",
    );
    assert.equal(
      toHex(x25519SharedSecret(keys.ioSecretKey, fromHex(CLIENT_PK))),
      "3061fde2272cedf1ee39247dec9674966a5b55e7d1a4f0b97cc81ba4b101983e",
    );
  });

  it("derives the same tx_key on both sides", () => {
    assert.equal(toHex(clientTxKey(keys.ioPublicKey, CLIENT_SEED, NONCE)), TX_KEY);
    assert.equal(toHex(txEncryptionKey(keys.ioSecretKey, fromHex(CLIENT_PK), NONCE)), TX_KEY);
  });

  it("checks that the code hash is SHA-256 of the test wasm", () => {
    assert.equal(toHex(sha256(fromHex("0061736d01000000"))), CODE_HASH);
  });

  it("reproduces the secretjs envelope from the client side", () => {
    const env = encryptInputEnvelope(keys.ioPublicKey, CLIENT_SEED, NONCE, CODE_HASH, utf8Encode(MSG));
    assert.equal(env.length, 166);
    assert.equal(toHex(env), ENVELOPE);
    assert.equal(toBase64(env), ENVELOPE_B64);
  });

  it("differs from the AD = [] form", () => {
    const pt = utf8Encode(CODE_HASH + MSG);
    assert.equal(toHex(sivEncrypt(fromHex(TX_KEY), pt, [])), WRONG_AD_FORM);
    assert.notEqual(toHex(fromHex(ENVELOPE).subarray(64)), WRONG_AD_FORM);
  });

  it("decrypts the envelope in the enclave and splits the code hash", () => {
    for (const allowPlaintextFallback of [false, true]) {
      const d = decryptInputEnvelope(keys, fromBase64(ENVELOPE_B64), { allowPlaintextFallback });
      assert.equal(d.wasEncrypted, true);
      assert.equal(toHex(d.nonce), toHex(NONCE));
      assert.equal(toHex(d.clientPublicKey), CLIENT_PK);
      assert.equal(toHex(d.txKey), TX_KEY);
      const rest = splitCodeHash(d.plaintext, fromHex(CODE_HASH));
      const { replyParams, msg } = parseReplyHeaders(rest);
      assert.equal(replyParams.length, 0);
      assert.equal(utf8Decode(msg), MSG);
    }
  });
});

describe("§13.4 outputs of that message", () => {
  const txKey = fromHex(TX_KEY);

  it("encrypts data as its base64 text", () => {
    const data = encryptData(txKey, utf8Encode('{"count":7}'));
    assert.equal(toHex(data), "d4af7efc1f733365bb396b923542f40f2cc99aa0b9d972263b4c77554db87c16");
  });

  it("encrypts attribute keys and values separately", () => {
    const enc = encryptAttribute(txKey, { key: "action", value: "increment" });
    assert.equal(enc.key, "m7uWvrxF5eQUIxsVW2OhgiCrCvq1KA==");
    assert.equal(enc.value, "wZv7WvibM6Y2Ja4P8Pi3XAA0BPfg8xu4Ng==");
    assert.deepEqual(encryptAttribute(txKey, { key: "action", value: "increment", encrypted: false }), {
      key: "action",
      value: "increment",
    });
  });

  it("encrypts a v1 error string", () => {
    const e = encryptError(txKey, "Generic error: boom");
    assert.equal(e.b64, "1ep9HfR03nZecnF/17YXA8xQd8SVq767mG+Lxf1Z2oPP/MU=");
    assert.equal(e.json, '{"generic_err":{"msg":"1ep9HfR03nZecnF/17YXA8xQd8SVq767mG+Lxf1Z2oPP/MU="}}');
    const rawLog = `failed to execute message; message index: 0: encrypted: ${e.b64}: execute contract failed`;
    assert.equal(
      rawLog,
      "failed to execute message; message index: 0: encrypted: 1ep9HfR03nZecnF/17YXA8xQd8SVq767mG+Lxf1Z2oPP/MU=: execute contract failed",
    );
  });

  it("encrypts a v0.10 StdError as compact JSON", () => {
    const e = encryptError(txKey, parseSerdeJson('{"generic_err":{"msg":"boom"}}'));
    assert.equal(e.b64, "30aKxEeBDLFTXpcZ5WQIS69d9Wi1M27KpBSarQKJ75VKCtU/QlPfZtmlbyrlwQ==");
    // The same value as a plain object, keys given in another order, gives the same bytes.
    assert.equal(encryptError(txKey, { generic_err: { msg: "boom" } }).b64, e.b64);
  });

  it("computes the callback signature over the envelope ciphertext", () => {
    const secret = keys.callbackSecret;
    const ct = fromHex(ENVELOPE).subarray(64);
    assert.equal(
      toHex(callbackSignature(secret, ct, [{ denom: "uscrt", amount: "100" }])),
      "62718f6ccea89eb9fa9608fa8eda22fc1fb88f6d3ab4316d8aa50497f39f5111",
    );
    assert.equal(
      toHex(callbackSignature(secret, ct, [])),
      "623733c9e69bf2f276f5688ba64df3c07392e3b4cd6c61f246c6f581097b9d70",
    );
    assert.equal(
      toHex(envelopeCallbackSignature(secret, fromHex(ENVELOPE), [{ denom: "uscrt", amount: 100n }])),
      "62718f6ccea89eb9fa9608fa8eda22fc1fb88f6d3ab4316d8aa50497f39f5111",
    );
  });

  const CALLER_HASH = toHex(sha256(utf8Encode("caller")));

  it("builds the reply header", () => {
    assert.equal(CALLER_HASH, "61de55ba3388aec4fdf6ecfc6eef846fb0f1b13e28cc8381270c27ffa313aee5");
    const pt = v1SubMsgPlaintext(
      { codeHash: CODE_HASH, msg: new Uint8Array(0), replyOn: "always", id: 42n },
      CALLER_HASH,
      undefined,
    );
    assert.equal(
      toHex(pt),
      toHex(
        concatBytes(
          utf8Encode(CODE_HASH),
          fromHex("5245504c593031"),
          fromHex("000000000000002a"),
          utf8Encode(CALLER_HASH),
        ),
      ),
    );
    // And the callee parses it back.
    const rest = splitCodeHash(pt, fromHex(CODE_HASH));
    const parsed = parseReplyHeaders(rest);
    assert.equal(parsed.replyParams.length, 1);
    assert.equal(parsed.replyParams[0]!.id, 42n);
    assert.equal(utf8Decode(parsed.replyParams[0]!.codeHash), CALLER_HASH);
    assert.equal(parsed.msg.length, 0);
  });

  it("computes internal_msg_id", () => {
    const id = internalMsgId(txKey, [{ id: 42n, codeHash: utf8Encode(CALLER_HASH) }], true);
    assert.equal(
      toHex(id),
      "eb6baf65b92b81189a36c213bc462d551faa4d16021ae44100eb5566ffbee9e7ed11cb57e6dc348c4408be4de9a21ccac6e0334acfe7e006" +
        "2d8cd82e2f90ffd50d665aeadf90f79a95329f884f375d2931da",
    );
    const back = decryptReplyId(txKey, id);
    assert.equal(back.id, 42n);
    assert.equal(utf8Decode(back.dataForValidation), CALLER_HASH);
  });
});

describe("§13.5 query", () => {
  const QUERY_NONCE = range(0x80, 32);
  const QUERY_ENVELOPE =
    "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f" +
    "79a631eede1bf9c98f12032cdeadd0e7a079398fc786b88cc846ec89af85a51a" +
    "0d1103a44b8084f2a359b7e977f6770db8fbe52a2d3d959c10c6c81d52af2dbb7456d0bdb624572143a67e14e4932162" +
    "34e2be160725bbe4038c2b136e878853ae2d0357820520da023705506800635de53e510eeb8cf6d011449466262913b6";

  it("reproduces the query envelope and decrypts it strictly", () => {
    const env = encryptInputEnvelope(
      keys.ioPublicKey,
      CLIENT_SEED,
      QUERY_NONCE,
      CODE_HASH,
      utf8Encode('{"get_count":{}}'),
    );
    assert.equal(toHex(env), QUERY_ENVELOPE);
    const d = decryptInputEnvelope(keys, env, { allowPlaintextFallback: false });
    assert.equal(utf8Decode(splitCodeHash(d.plaintext, fromHex(CODE_HASH))), '{"get_count":{}}');
  });

  it("encrypts the answer's base64 text", () => {
    const d = decryptInputEnvelope(keys, fromHex(QUERY_ENVELOPE), { allowPlaintextFallback: false });
    assert.equal(
      toHex(encryptQueryAnswer(d.txKey, "eyJjb3VudCI6N30=")),
      "df009f1701b3c57b873169b59a31c17f3e4b6e2f97acd636ab35f5b7f1666508",
    );
  });
});
