/**
 * Sub-messages, callback signatures and the full reply path (crypto.md §5.4–§5.6, §6.1): contract A
 * sends a wasm sub-message to B, B's enclave parses the reply headers, encrypts its outputs with `Hr`,
 * signs the reply, and A's enclave verifies and decrypts it — including nested reply chains.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { toHex } from "../../src/primitives/hex.ts";
import { fromBase64, toBase64 } from "../../src/primitives/base64.ts";
import { utf8Decode, utf8Encode } from "../../src/primitives/bytes.ts";
import { sha256 } from "../../src/crypto/index.ts";
import { isEnclaveError } from "../../src/enclave/errors.ts";
import { KeyChain } from "../../src/enclave/keys.ts";
import {
  decryptInputEnvelope,
  encryptInputEnvelope,
  ioDecrypt,
  ioEncrypt,
  parseReplyHeaders,
  splitCodeHash,
  type IoContext,
  type ReplyParam,
} from "../../src/enclave/io.ts";
import {
  callbackSignature,
  decryptQueryAnswer,
  decryptQueryError,
  decryptReplyData,
  decryptReplyError,
  decryptReplyId,
  encryptAttributes,
  encryptData,
  encryptError,
  encryptNestedQuery,
  encryptQueryAnswer,
  encryptV010WasmMsg,
  encryptV1WasmMsg,
  envelopeCallbackSignature,
  errorText,
  fundsJson,
  internalMsgId,
  internalReplyEnclaveSig,
  parseU64Decimal,
  replyInfoForOutput,
  replyJson,
  validateReplyDataForValidation,
  verifyCallbackSignature,
} from "../../src/enclave/outputs.ts";

const seed = (b: number) => new Uint8Array(32).fill(b);
const keys = KeyChain.fromSeeds([seed(1), seed(2)]);
const hashHex = (s: string) => toHex(sha256(utf8Encode(s)));
const HA = hashHex("code A");
const HB = hashHex("code B");
const HZ = hashHex("code Z");
const hashBytes = (hex: string) => Uint8Array.from(Buffer.from(hex, "hex"));

/** The user's message to A, as A's enclave sees it. */
function userContext(): IoContext {
  const env = encryptInputEnvelope(keys.ioPublicKey, seed(0x40), seed(0x60), HA, utf8Encode('{"go":{}}'));
  return decryptInputEnvelope(keys, env, { allowPlaintextFallback: true });
}

describe("replyJson and the reply signature", () => {
  it("serializes the Reply struct in field order with empty events", () => {
    assert.equal(
      replyJson({ idB64: "AA==", result: { ok: { data: null } }, wasOrigMsgEncrypted: true, isEncrypted: true }),
      '{"id":"AA==","result":{"ok":{"events":[],"data":null}},"was_orig_msg_encrypted":true,"is_encrypted":true}',
    );
    assert.equal(
      replyJson({ idB64: "AA==", result: { error: "ZXJy" }, wasOrigMsgEncrypted: false, isEncrypted: true }),
      '{"id":"AA==","result":{"error":"ZXJy"},"was_orig_msg_encrypted":false,"is_encrypted":true}',
    );
  });

  it('signs SHA-256(callback_secret ‖ JSON(Reply) ‖ "[]")', () => {
    const json = replyJson({
      idB64: "AQ==",
      result: { ok: { data: "Zm9v" } },
      wasOrigMsgEncrypted: true,
      isEncrypted: true,
    });
    const expected = sha256(new Uint8Array([...keys.callbackSecret, ...utf8Encode(json), ...utf8Encode("[]")]));
    assert.equal(toHex(internalReplyEnclaveSig(keys.callbackSecret, json)), toHex(expected));
  });
});

describe("the reply path A → B → A", () => {
  for (const nested of [false, true]) {
    it(`carries ids, data and errors back to A (${nested ? "A itself called by Z" : "A called by a user"})`, () => {
      const ctx = userContext();
      const inherited: ReplyParam[] | undefined = nested ? [{ id: 3n, codeHash: utf8Encode(HZ) }] : undefined;
      const funds = [{ denom: "uscrt", amount: "5" }];

      // A's enclave: the sub-message envelope and its callback signature.
      const envelope = encryptV1WasmMsg(
        ctx,
        { codeHash: HB, msg: utf8Encode('{"ping":{}}'), replyOn: "always", id: 7n },
        HA,
        inherited,
      );
      assert.equal(toHex(envelope.subarray(0, 64)), toHex(new Uint8Array([...ctx.nonce, ...ctx.clientPublicKey])));
      const sig = envelopeCallbackSignature(keys.callbackSecret, envelope, funds);

      // B's enclave.
      const input = decryptInputEnvelope(keys, envelope, { allowPlaintextFallback: true });
      assert.equal(input.wasEncrypted, true);
      assert.equal(toHex(input.txKey), toHex(ctx.txKey), "the same tx key all the way down");
      verifyCallbackSignature(keys.callbackSecret, sig, envelope.subarray(64), funds);
      const { replyParams, msg } = parseReplyHeaders(splitCodeHash(input.plaintext, hashBytes(HB)));
      assert.equal(utf8Decode(msg), '{"ping":{}}');
      assert.deepEqual(
        replyParams.map((p) => [p.id, utf8Decode(p.codeHash)]),
        nested
          ? [
              [7n, HA],
              [3n, HZ],
            ]
          : [[7n, HA]],
      );

      // B succeeds with data.
      const encData = encryptData(input.txKey, utf8Encode("pong"), replyParams);
      const ok = replyInfoForOutput(input.txKey, keys.callbackSecret, replyParams, {
        kind: "v1-ok",
        encryptedData: encData,
      });
      // A's enclave: verify the signature over the Reply (events emptied), decrypt id and data.
      const okJson = replyJson({
        idB64: toBase64(ok.internalMsgId),
        result: { ok: { data: toBase64(encData) } },
        wasOrigMsgEncrypted: true,
        isEncrypted: true,
      });
      verifyCallbackSignature(keys.callbackSecret, ok.internalReplyEnclaveSig, utf8Encode(okJson), []);
      const id = decryptReplyId(ctx.txKey, ok.internalMsgId);
      assert.equal(id.id, 7n);
      const own = validateReplyDataForValidation(id.dataForValidation, hashBytes(HA));
      assert.deepEqual(
        own?.map((p) => [p.id, utf8Decode(p.codeHash)]),
        nested ? [[3n, HZ]] : undefined,
      );
      assert.equal(utf8Decode(decryptReplyData(ctx.txKey, encData)), "pong");

      // B fails.
      const err = encryptError(input.txKey, "Generic error: nope", replyParams);
      const bad = replyInfoForOutput(input.txKey, keys.callbackSecret, replyParams, {
        kind: "error",
        errorB64: err.b64,
      });
      const errJson = replyJson({
        idB64: toBase64(bad.internalMsgId),
        result: { error: err.b64 },
        wasOrigMsgEncrypted: true,
        isEncrypted: true,
      });
      verifyCallbackSignature(keys.callbackSecret, bad.internalReplyEnclaveSig, utf8Encode(errJson), []);
      assert.equal(decryptReplyId(ctx.txKey, bad.internalMsgId).id, 7n);
      assert.equal(decryptReplyError(ctx.txKey, err.b64), "Generic error: nope");
      // The error plaintext starts with Hr = A's hash.
      assert.equal(utf8Decode(ioDecrypt(ctx.txKey, fromBase64(err.b64)).subarray(0, 64)), HA);

      // A tampered signature, or a Reply with other data, is refused.
      assert.throws(
        () => verifyCallbackSignature(keys.callbackSecret, bad.internalReplyEnclaveSig, utf8Encode(okJson), []),
        (e) => isEnclaveError(e, "FAILED_TX_VERIFICATION"),
      );
    });
  }

  it("does not append further reply params to a v0.10 reply id", () => {
    const txKey = userContext().txKey;
    const params: ReplyParam[] = [
      { id: 9n, codeHash: utf8Encode(HA) },
      { id: 3n, codeHash: utf8Encode(HZ) },
    ];
    const v010 = decryptReplyId(
      txKey,
      replyInfoForOutput(txKey, keys.callbackSecret, params, { kind: "v010-ok", encryptedData: null }).internalMsgId,
    );
    const v1 = decryptReplyId(txKey, internalMsgId(txKey, params, true));
    assert.equal(v010.id, 9n);
    assert.equal(utf8Decode(v010.dataForValidation), HA);
    assert.equal(v1.dataForValidation.length, 64 + 7 + 8 + 64);
  });

  it("leaves the first header out when reply_on is never, keeping inherited ones", () => {
    const ctx = userContext();
    const env = encryptV1WasmMsg(ctx, { codeHash: HB, msg: utf8Encode("{}"), replyOn: "never", id: 7n }, HA, [
      { id: 3n, codeHash: utf8Encode(HZ) },
    ]);
    const pt = decryptInputEnvelope(keys, env, { allowPlaintextFallback: false }).plaintext;
    const { replyParams } = parseReplyHeaders(splitCodeHash(pt, hashBytes(HB)));
    assert.deepEqual(
      replyParams.map((p) => p.id),
      [3n],
    );
  });

  it("encrypts v0.10 sub-messages as callback_code_hash ‖ msg", () => {
    const ctx = userContext();
    const env = encryptV010WasmMsg(ctx, HB, utf8Encode('{"a":1}'));
    assert.equal(
      utf8Decode(decryptInputEnvelope(keys, env, { allowPlaintextFallback: false }).plaintext),
      `${HB}{"a":1}`,
    );
  });
});

describe("decrypting replies: refusals", () => {
  const txKey = userContext().txKey;
  it("maps each malformed id to a code", () => {
    assert.throws(
      () => decryptReplyId(txKey, new Uint8Array(40)),
      (e) => isEnclaveError(e, "DECRYPTION_ERROR"),
    );
    assert.throws(
      () => decryptReplyId(txKey, ioEncrypt(txKey, utf8Encode(HA.slice(0, 60)))),
      (e) => isEnclaveError(e, "MALFORMED_REPLY_HEADER"),
    );
    assert.throws(
      () => decryptReplyId(txKey, ioEncrypt(txKey, utf8Encode(`${HA}REPLY01abc`))),
      (e) => isEnclaveError(e, "MALFORMED_REPLY_HEADER"),
    );
    assert.throws(
      () => decryptReplyId(txKey, ioEncrypt(txKey, utf8Encode(`${HA}x7`))),
      (e) => isEnclaveError(e, "FAILED_TO_DESERIALIZE"),
    );
    assert.equal(
      decryptReplyId(txKey, ioEncrypt(txKey, utf8Encode(`${HA}+7`))).id,
      7n,
      "Rust's u64::from_str accepts '+'",
    );
  });

  it("parses ids as Rust's u64::from_str", () => {
    assert.equal(parseU64Decimal(utf8Encode("18446744073709551615")), (1n << 64n) - 1n);
    for (const s of ["18446744073709551616", "", "-1", " 1", "1 ", "0x1"]) {
      assert.throws(
        () => parseU64Decimal(utf8Encode(s)),
        (e) => isEnclaveError(e, "FAILED_TO_DESERIALIZE"),
        s,
      );
    }
  });

  it("refuses reply data and errors that are not what B sends", () => {
    assert.throws(
      () => decryptReplyData(txKey, ioEncrypt(txKey, utf8Encode(`${HA}!!`))),
      (e) => isEnclaveError(e, "FAILED_TO_DESERIALIZE"),
    );
    assert.throws(
      () => decryptReplyError(txKey, "not base64!"),
      (e) => isEnclaveError(e, "FAILED_TO_SERIALIZE"),
    );
    assert.throws(
      () => decryptReplyError(txKey, toBase64(new Uint8Array(20))),
      (e) => isEnclaveError(e, "DECRYPTION_ERROR"),
    );
  });
});

describe("callback signatures", () => {
  it("serializes funds as the v0.10 coin list, amounts normalised as Uint128", () => {
    assert.equal(fundsJson([]), "[]");
    assert.equal(
      fundsJson([
        { denom: "uscrt", amount: "0100" },
        { denom: 'we"ird', amount: 7n },
      ]),
      '[{"denom":"uscrt","amount":"100"},{"denom":"we\\"ird","amount":"7"}]',
    );
    for (const amount of ["-1", "1.5", "", "340282366920938463463374607431768211456"]) {
      assert.throws(
        () => fundsJson([{ denom: "u", amount }]),
        (e) => isEnclaveError(e, "FAILED_TO_DESERIALIZE"),
        amount,
      );
    }
  });

  it("depends on every byte of the message and on the funds, and refuses an empty signature", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 50 }), fc.nat(), (msg, i) => {
        const sig = callbackSignature(keys.callbackSecret, msg, []);
        verifyCallbackSignature(keys.callbackSecret, sig, msg, []);
        const other = Uint8Array.from(msg);
        other[i % msg.length]! ^= 1;
        assert.throws(
          () => verifyCallbackSignature(keys.callbackSecret, sig, other, []),
          (e) => isEnclaveError(e, "FAILED_TX_VERIFICATION"),
        );
        assert.throws(
          () => verifyCallbackSignature(keys.callbackSecret, sig, msg, [{ denom: "u", amount: "1" }]),
          (e) => isEnclaveError(e, "FAILED_TX_VERIFICATION"),
        );
      }),
      { numRuns: 50 },
    );
    assert.throws(
      () => verifyCallbackSignature(keys.callbackSecret, new Uint8Array(0), new Uint8Array(0), []),
      (e) => isEnclaveError(e, "FAILED_TX_VERIFICATION"),
    );
  });

  it("refuses to sign a sub-message envelope shorter than 82 bytes, as upstream's parse does", () => {
    assert.throws(
      () => envelopeCallbackSignature(keys.callbackSecret, new Uint8Array(81), []),
      (e) => isEnclaveError(e, "MALFORMED_ENVELOPE"),
    );
  });
});

describe("attributes, queries", () => {
  it("encrypts attributes unless marked plaintext, and all-plaintext for a plaintext execute", () => {
    const txKey = userContext().txKey;
    const attrs = [
      { key: "a", value: "1" },
      { key: "b", value: "2", encrypted: false },
    ];
    const enc = encryptAttributes(txKey, attrs);
    assert.equal(utf8Decode(ioDecrypt(txKey, fromBase64(enc[0]!.key))), "a");
    assert.equal(utf8Decode(ioDecrypt(txKey, fromBase64(enc[0]!.value))), "1");
    assert.deepEqual(enc[1], { key: "b", value: "2" });
    assert.deepEqual(encryptAttributes(txKey, attrs, { allPlaintext: true }), [
      { key: "a", value: "1" },
      { key: "b", value: "2" },
    ]);
  });

  it("round-trips nested queries: request, answer and error", () => {
    const ctx = userContext();
    const req = encryptNestedQuery(ctx, HB, utf8Encode('{"q":{}}'));
    const callee = decryptInputEnvelope(keys, req, { allowPlaintextFallback: false });
    assert.equal(utf8Decode(splitCodeHash(callee.plaintext, hashBytes(HB))), '{"q":{}}');
    const answer = encryptQueryAnswer(callee.txKey, toBase64(utf8Encode('{"n":1}')));
    assert.equal(utf8Decode(decryptQueryAnswer(ctx.txKey, answer)), '{"n":1}');
    const err = encryptError(callee.txKey, { not_found: { kind: "x" } });
    assert.equal(
      utf8Decode(decryptQueryError(ctx.txKey, fromBase64(err.b64))),
      errorText({ not_found: { kind: "x" } }),
    );
    assert.throws(
      () => decryptQueryAnswer(ctx.txKey, encryptQueryAnswer(ctx.txKey, "not b64")),
      (e) => isEnclaveError(e, "FAILED_TO_DESERIALIZE"),
    );
    // An empty answer encrypts to 16 bytes.
    assert.equal(encryptQueryAnswer(ctx.txKey, "").length, 16);
  });
});
