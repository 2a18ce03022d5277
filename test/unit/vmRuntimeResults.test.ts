/**
 * The contract result envelopes (spec/contract-abi.md §7.1, first match wins), CosmosMsg / SubMsg
 * parsing (§7.3–7.4) with serde's acceptance rules, the `query_chain` request parser with
 * serde_json's error texts (§9 step 2), and the Rust-compatible helpers behind them.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { bech32Decode, bech32Encode } from "../../src/primitives/bech32.ts";
import { toBase64 } from "../../src/primitives/base64.ts";
import { toHex } from "../../src/primitives/hex.ts";
import { parseContent, parseContractOutput, parseQueryRequest, type ContractOutput } from "../../src/vm/index.ts";
import { decodeBase64Rust } from "../../src/vm/runtime/base64Rust.ts";
import {
  bech32DecodeRust,
  bech32EncodeRust,
  bytesToWords,
  rustTrim,
  wordsToBytes,
} from "../../src/vm/runtime/bech32Rust.ts";
import { parseCosmosMsgV010, parseCosmosMsgV1 } from "../../src/vm/runtime/results.ts";
import {
  contentToValueJson,
  customError,
  rustF64Display,
  rustStrDebug,
  ryuFormat,
} from "../../src/vm/runtime/serdeJson.ts";

const enc = new TextEncoder();
const out = (json: string): ContractOutput | undefined => parseContractOutput(enc.encode(json));
const kind = (json: string): string | undefined => out(json)?.kind;

describe("result envelopes (§7.1)", () => {
  const table: Array<[string, string | undefined]> = [
    ['{"Err":{"generic_err":{"msg":"x"}}}', "error"],
    ['{"Err":"Generic error: x"}', "error"],
    ['{"Err":null}', "error"],
    ['{"Err":1,"Ok":"e30="}', "error"],
    ['{"Ok":"e30="}', "query"],
    ['{"ok":"e30="}', "query"],
    ['{"Ok":"e30=","extra":[1,2]}', "query"],
    ['{"Ok":{"messages":[],"log":[]}}', "v010"],
    ['{"Ok":{"messages":[],"log":[],"data":null}}', "v010"],
    ['{"Ok":{"messages":[],"log":[],"data":"e30="}}', "v010"],
    ['{"Ok":{"messages":[],"attributes":[],"events":[]}}', "v1"],
    ['{"Ok":{"messages":[],"attributes":[],"events":[],"data":"e30="}}', "v1"],
    ['{"Ok":{"acknowledgement":"AQ==","messages":[],"attributes":[],"events":[]}}', "ibcPacketReceive"],
    ['{"Ok":null}', "ibcChannelOpen"],
    ['{"Ok":{"version":"ics20-1"}}', "ibcChannelOpen"],
    // Upstream quirk: an object without "Ok" matches the channel-open variant (its field is an Option).
    ['{"error":"x"}', "ibcChannelOpen"],
    ['{"ok":{"messages":[]}}', "ibcChannelOpen"],
    ["{}", "ibcChannelOpen"],
    // Refused.
    ['{"Ok":{"messages":[],"log":[],"extra":1}}', undefined],
    ['{"Ok":{"messages":[],"attributes":[],"events":[],"data":null,"x":1}}', undefined],
    ['{"Ok":{"messages":[],"attributes":[]}}', undefined],
    ['{"Ok":{"messages":[],"log":[],"data":"e3="}}', undefined],
    ['{"Ok":"a","Ok":"b"}', undefined],
    ['{"Ok":1}', undefined],
    ['{"Ok":{"version":1}}', undefined],
    ['[{"Ok":"e30="}]', undefined],
    ['"Ok"', undefined],
    ["null", undefined],
    ['{"Ok":"e30="} x', undefined],
    ['{"Ok":"e30=",}', undefined],
    ['{"Ok":"e30=","n":1e400}', undefined],
    ["", undefined],
  ];
  for (const [json, expected] of table) {
    it(`${json || "(empty)"} → ${expected ?? "refused"}`, () => assert.equal(kind(json), expected));
  }

  it("invalid UTF-8 inside a string is refused; escapes are decoded", () => {
    assert.equal(parseContractOutput(Uint8Array.of(...enc.encode('{"Ok":"'), 0xff, ...enc.encode('"}'))), undefined);
    assert.deepEqual(out('{"Ok":"\\u0041\\ud83d\\ude00"}'), { kind: "query", answer: "A😀", lowerCaseOk: false });
  });

  it("errors keep the raw value; errorJson is re-serialised with sorted keys", () => {
    const e = out('{"Err":{"generic_err":{"msg":"x","backtrace":null}},"internal_msg_id":"AAE="}');
    assert.equal(e?.kind, "error");
    if (e?.kind !== "error") return;
    assert.equal(e.errorJson, '{"generic_err":{"backtrace":null,"msg":"x"}}');
    assert.deepEqual(e.internalMsgId, Uint8Array.of(0, 1));
    assert.equal(e.internalReplyEnclaveSig, null);
    const v1 = out('{"Err":"Generic error: \\"q\\""}');
    assert.equal(v1?.kind === "error" ? v1.errorJson : "", '"Generic error: \\"q\\""');
    assert.equal(kind('{"Err":"x","internal_msg_id":"!"}'), "ibcChannelOpen");
  });

  it("v0.10 response: logs with the encrypted flag (default true), data decoded", () => {
    const r = out(
      '{"Ok":{"messages":[],"log":[{"key":"a","value":"b"},{"key":"c","value":"d","encrypted":false},["e","f"]],"data":"AQI="}}',
    );
    assert.deepEqual(r, {
      kind: "v010",
      messages: [],
      log: [
        { key: "a", value: "b", encrypted: true },
        { key: "c", value: "d", encrypted: false },
        { key: "e", value: "f", encrypted: true },
      ],
      data: Uint8Array.of(1, 2),
      internalMsgId: null,
      internalReplyEnclaveSig: null,
    });
  });

  it("v1 response: sub-messages, attributes, events", () => {
    const json =
      '{"Ok":{"messages":[{"id":7,"msg":{"bank":{"send":{"to_address":"secret1x","amount":[{"denom":"uscrt","amount":"5"}]}}},"gas_limit":null,"reply_on":"never"}],' +
      '"attributes":[{"key":"action","value":"transfer","encrypted":true}],"events":[{"type":"transfer","attributes":[{"key":"to","value":"secret1x","encrypted":false}]}],"data":"eyJvayI6dHJ1ZX0="}}';
    assert.deepEqual(out(json), {
      kind: "v1",
      messages: [
        {
          id: 7n,
          msg: { kind: "bank_send", toAddress: "secret1x", amount: [{ denom: "uscrt", amount: 5n }] },
          gasLimit: null,
          replyOn: "never",
          wasMsgEncrypted: false,
        },
      ],
      attributes: [{ key: "action", value: "transfer", encrypted: true }],
      events: [{ type: "transfer", attributes: [{ key: "to", value: "secret1x", encrypted: false }] }],
      data: enc.encode('{"ok":true}'),
      internalMsgId: null,
      internalReplyEnclaveSig: null,
    });
  });

  it("SubMsg fields: integers exact, reply_on unit variants (string or {variant: null})", () => {
    const sub = (fields: string): string | undefined =>
      kind(`{"Ok":{"messages":[{"msg":{"finalize_tx":{}},${fields}}],"attributes":[],"events":[]}}`);
    assert.equal(sub('"id":0,"gas_limit":100,"reply_on":"always"'), "v1");
    assert.equal(sub('"id":-0,"gas_limit":null,"reply_on":{"success":null}'), "v1");
    assert.equal(sub('"id":18446744073709551615,"gas_limit":null,"reply_on":"error"'), "v1");
    assert.equal(sub('"id":18446744073709551616,"gas_limit":null,"reply_on":"error"'), undefined);
    assert.equal(sub('"id":1.0,"gas_limit":null,"reply_on":"error"'), undefined);
    assert.equal(sub('"id":-1,"gas_limit":null,"reply_on":"error"'), undefined);
    assert.equal(sub('"id":1,"gas_limit":"5","reply_on":"error"'), undefined);
    assert.equal(sub('"id":1,"reply_on":"Always"'), undefined);
    assert.equal(sub('"id":1,"reply_on":{"always":{}}'), undefined);
    assert.equal(sub('"id":1,"reply_on":"never"'), "v1");
    assert.equal(sub('"id":1,"reply_on":"never","was_msg_encrypted":true'), "v1");
    assert.equal(sub('"id":1,"reply_on":"never","was_msg_encrypted":1'), undefined);
    assert.equal(sub('"id":1,"id":2,"reply_on":"never"'), undefined);
  });
});

describe("CosmosMsg parsing (§7.4)", () => {
  const v1 = (json: string): unknown => parseCosmosMsgV1(parseContent(enc.encode(json)));
  const v010 = (json: string): unknown => parseCosmosMsgV010(parseContent(enc.encode(json)));

  it("v1 variants", () => {
    assert.deepEqual(v1('{"bank":{"burn":{"amount":[]}}}'), { kind: "bank_burn", amount: [] });
    assert.deepEqual(v1('{"custom":{"anything":1}}'), { kind: "custom" });
    assert.deepEqual(
      v1('{"staking":{"redelegate":{"src_validator":"a","dst_validator":"b","amount":{"denom":"u","amount":"+07"}}}}'),
      {
        kind: "staking_redelegate",
        srcValidator: "a",
        dstValidator: "b",
        amount: { denom: "u", amount: 7n },
      },
    );
    assert.deepEqual(v1('{"distribution":{"set_withdraw_address":{"address":"x"}}}'), {
      kind: "distribution_set_withdraw_address",
      address: "x",
    });
    assert.deepEqual(v1('{"stargate":{"type_url":"/a.B","value":"AQ=="}}'), {
      kind: "stargate",
      typeUrl: "/a.B",
      value: Uint8Array.of(1),
    });
    assert.deepEqual(
      v1(
        '{"ibc":{"transfer":{"channel_id":"c","to_address":"t","amount":{"denom":"u","amount":"1"},"timeout":{"block":{"revision":1,"height":2},"timestamp":"3"}}}}',
      ),
      {
        kind: "ibc_transfer",
        channelId: "c",
        toAddress: "t",
        amount: { denom: "u", amount: 1n },
        timeout: { block: { revision: 1n, height: 2n }, timestamp: 3n },
        memo: null,
      },
    );
    assert.deepEqual(
      v1(
        '{"wasm":{"instantiate":{"code_id":1,"code_hash":"h","msg":"e30=","send":[],"label":"l","callback_sig":[1,255]}}}',
      ),
      {
        kind: "wasm_instantiate",
        admin: null,
        codeId: 1n,
        codeHash: "h",
        msg: enc.encode("{}"),
        funds: [],
        label: "l",
        callbackSig: Uint8Array.of(1, 255),
      },
    );
    assert.deepEqual(v1('{"gov":{"vote":{"proposal_id":3,"vote":"no_with_veto"}}}'), {
      kind: "gov_vote",
      proposalId: 3n,
      vote: "no_with_veto",
    });
    assert.deepEqual(v1('{"finalize_tx":{}}'), { kind: "finalize_tx" });
    assert.deepEqual(v1('{"wasm":{"clear_admin":["c",null]}}'), {
      kind: "wasm_clear_admin",
      contractAddr: "c",
      callbackSig: null,
    });
  });

  it("v1 refusals", () => {
    for (const json of [
      '{"bank":{"send":{"from_address":"x","amount":[]}}}',
      '{"bank":{"send":{"to_address":"x","amount":[{"denom":"u","amount":"-1"}]}}}',
      '{"bank":{"send":{"to_address":"x","amount":[{"denom":"u","amount":""}]}}}',
      '{"bank":{"send":{"to_address":"x","amount":[{"denom":"u","amount":5}]}}}',
      '{"bank":{"send":{"to_address":"x","amount":[{"denom":"u","amount":"340282366920938463463374607431768211456"}]}}}',
      '{"wasm":{"instantiate":{"code_id":1,"code_hash":"h","msg":"e30=","send":[]}}}',
      '{"wasm":{"execute":{"contract_addr":"c","code_hash":"h","msg":"e30=","send":[],"callback_sig":[256]}}}',
      '{"gov":{"vote":{"proposal_id":3,"vote":"Yes"}}}',
      '{"bank":{"send":{"to_address":"x","amount":[]}},"staking":{}}',
      '{"finalize_tx":null}',
      '"finalize_tx"',
      '{"distribution":{"withdraw":{"validator":"v"}}}',
    ]) {
      assert.equal(v1(json), undefined, json);
    }
  });

  it("v0.10 variants and refusals", () => {
    assert.deepEqual(v010('{"bank":{"send":{"from_address":"a","to_address":"b","amount":[]}}}'), {
      kind: "bank_send",
      fromAddress: "a",
      toAddress: "b",
      amount: [],
    });
    assert.deepEqual(v010('{"staking":{"withdraw":{"validator":"v"}}}'), {
      kind: "staking_withdraw",
      validator: "v",
      recipient: null,
    });
    assert.deepEqual(v010('{"wasm":{"instantiate":{"code_id":1,"callback_code_hash":"h","msg":"e30","send":[]}}}'), {
      kind: "wasm_instantiate",
      codeId: 1n,
      callbackCodeHash: "h",
      msg: enc.encode("{}"),
      send: [],
      label: "",
      callbackSig: null,
    });
    assert.deepEqual(v010('{"gov":{"vote":{"proposal":1,"vote_option":"NoWithVeto"}}}'), {
      kind: "gov_vote",
      proposal: 1n,
      voteOption: "NoWithVeto",
    });
    assert.equal(v010('{"bank":{"send":{"to_address":"b","amount":[]}}}'), undefined);
    assert.equal(v010('{"stargate":{"type_url":"x","value":""}}'), undefined);
    assert.equal(v010('{"gov":{"vote":{"proposal":1,"vote_option":"yes"}}}'), undefined);
  });
});

describe("query_chain request parsing (§9 step 2): serde_json's texts", () => {
  const table: Array<[string, { json: string } | { error: string }]> = [
    ['{"bank":{"balance":{"address":"a","denom":"u"}}}', { json: '{"bank":{"balance":{"address":"a","denom":"u"}}}' }],
    [' { "bank" : { "balance" : [ "a" , "u" ] } } ', { json: '{"bank":{"balance":{"address":"a","denom":"u"}}}' }],
    ['{"staking":{"bonded_denom":{}}}', { json: '{"staking":{"bonded_denom":{}}}' }],
    ['{"ibc":{"list_channels":{}}}', { json: '{"ibc":{"list_channels":{"port_id":null}}}' }],
    [
      '{"wasm":{"smart":{"contract_addr":"a","callback_code_hash":"h","msg":"e30","x":[1,{"y":2}]}}}',
      { json: '{"wasm":{"smart":{"contract_addr":"a","callback_code_hash":"h","msg":"e30="}}}' },
    ],
    ['{"custom":{"b":1.5,"a":[1e21,-0,2],"b":true}}', { json: '{"custom":{"a":[1e21,0,2],"b":true}}' }],
    ['{"stargate":{"path":"/x","data":"AAE="}}', { json: '{"stargate":{"path":"/x","data":"AAE="}}' }],
    [
      '{"bank":{"supply":{"denom":"x"}}}',
      { error: "unknown variant `supply`, expected `balance` or `all_balances` at line 1 column 17" },
    ],
    [
      '{"foo":{}}',
      {
        error:
          "unknown variant `foo`, expected one of `bank`, `custom`, `staking`, `wasm`, `dist`, `mint`, `gov`, `ibc`, `stargate` at line 1 column 6",
      },
    ],
    ['{"bank":{"balance":{"address":"a"}}}', { error: "missing field `denom` at line 1 column 34" }],
    [
      '{"wasm":{"smart":{"contract_addr":"a","msg":"e30="}}}',
      { error: "missing field `callback_code_hash` at line 1 column 51" },
    ],
    [
      '{"wasm":{"smart":{"contract_addr":"a","callback_code_hash":"h","msg":"e30!"}}}',
      { error: "invalid base64: e30! at line 1 column 75" },
    ],
    [
      '{"bank":{"balance":{"address":1,"denom":"u"}}}',
      { error: "invalid type: integer `1`, expected a string at line 1 column 31" },
    ],
    [
      '{"bank":{"balance":{"address":1.5e0,"denom":"u"}}}',
      { error: "invalid type: floating point `1.5`, expected a string at line 1 column 35" },
    ],
    [
      '{"bank":{"balance":{"address":"a\\n","address":"b"}}}',
      { error: "duplicate field `address` at line 1 column 45" },
    ],
    [
      '{"bank":{"balance":["a"]}}',
      { error: "invalid length 1, expected struct variant BankQuery::Balance with 2 elements at line 1 column 24" },
    ],
    [
      '{"bank":{"balance":"x"}}',
      { error: 'invalid type: string "x", expected struct variant BankQuery::Balance at line 1 column 22' },
    ],
    ['{"bank":"balance"}', { error: "invalid type: unit variant, expected struct variant" }],
    ['"bank"', { error: "invalid type: unit variant, expected newtype variant" }],
    ['{"bank":{"balance":{"address":"a","denom":"u"}}} x', { error: "trailing characters at line 1 column 50" }],
    ['{"bank":{"balance":{"address":"a","denom":"u"}},"x":1}', { error: "expected value at line 1 column 47" }],
    ["", { error: "EOF while parsing a value at line 1 column 0" }],
    ["[]", { error: "expected value at line 1 column 1" }],
    ['{"bank":{"balance":{"address":"a",\n"denom":nul}}}', { error: "expected ident at line 2 column 12" }],
    ['{"bank":{"balance":{"address":"a","denom":"u",}}}', { error: "trailing comma at line 1 column 47" }],
    ['{"mint":{"inflation":{}}}', { json: '{"mint":{"inflation":{}}}' }],
    ['{"gov":{"proposals":{"a":{"b":[1,2,{"c":null}]}}}}', { json: '{"gov":{"proposals":{}}}' }],
  ];
  for (const [input, expected] of table) {
    it(JSON.stringify(input), () => {
      const r = parseQueryRequest(enc.encode(input));
      assert.deepEqual(r.ok ? { json: r.json } : { error: r.error }, expected);
    });
  }

  it("the recursion limit (128 levels) of serde_json", () => {
    const deep = '{"custom":' + "[".repeat(126) + "]".repeat(126) + "}";
    assert.equal(parseQueryRequest(enc.encode(deep)).ok, true);
    const tooDeep = '{"custom":' + "[".repeat(127) + "]".repeat(127) + "}";
    assert.deepEqual(parseQueryRequest(enc.encode(tooDeep)), {
      ok: false,
      error: "recursion limit exceeded at line 1 column 137",
    });
  });
});

describe("Rust-compatible helpers", () => {
  it("f64 Display and ryu formatting", () => {
    assert.deepEqual([1.5, 1e21, 1e-7, -0, 100, 0.1].map(rustF64Display), [
      "1.5",
      "1000000000000000000000",
      "0.0000001",
      "-0",
      "100",
      "0.1",
    ]);
    assert.deepEqual([1, 1e21, 1.5e-7, 0.001234, 123456789012345680000, 1e16, 1e15, -2.5, 0].map(ryuFormat), [
      "1.0",
      "1e21",
      "1.5e-7",
      "0.001234",
      "1.2345678901234568e20",
      "1e16",
      "1000000000000000.0",
      "-2.5",
      "0.0",
    ]);
  });

  it("str Debug and serde_json's position suffix parsing", () => {
    assert.equal(rustStrDebug('a"b\\\n\t\0\u0001é'), '"a\\"b\\\\\\n\\t\\0\\u{1}é"');
    const e = customError("invalid base64: x at line 3 column 4");
    assert.deepEqual([e.msg, e.line, e.column], ["invalid base64: x", 3, 4]);
    assert.equal(customError("x at line 3 column 4!").line, 0);
  });

  it("Value re-serialisation sorts keys by bytes and keeps the last duplicate", () => {
    assert.equal(
      contentToValueJson(parseContent(enc.encode('{"é":1,"z":2,"a":{"k":1,"k":2},"😀":3,"\uffff":4}'))),
      '{"a":{"k":2},"z":2,"é":1,"\uffff":4,"😀":3}',
    );
  });

  it("base64 0.13: padding optional, trailing bits and misplaced padding refused", () => {
    assert.deepEqual(decodeBase64Rust("e30="), enc.encode("{}"));
    assert.deepEqual(decodeBase64Rust("e30"), enc.encode("{}"));
    assert.deepEqual(decodeBase64Rust("QQ="), enc.encode("A"));
    assert.deepEqual(decodeBase64Rust(""), new Uint8Array(0));
    for (const bad of ["e3=", "Q", "QQ=x", "Q=Q=", "e30 ", "e3-_", "QUJD=", "=QUJ"])
      assert.equal(decodeBase64Rust(bad), undefined, bad);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const b64 = toBase64(bytes);
        assert.deepEqual(decodeBase64Rust(b64), bytes);
        assert.deepEqual(decodeBase64Rust(b64.replace(/=+$/, "")), bytes);
      }),
    );
  });

  it("bech32 0.7: round trips; agrees with the primitives on well-formed addresses; Rust trim", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 64 }), (bytes) => {
        const addr = bech32EncodeRust("secret", bytesToWords(bytes));
        assert.equal(addr, bech32Encode("secret", bytes));
        const d = bech32DecodeRust(addr);
        assert.ok(d.ok);
        assert.equal(toHex(wordsToBytes(d.words)!), toHex(bytes));
        assert.equal(toHex(bech32Decode(addr).data), toHex(bytes));
        const upper = bech32DecodeRust(addr.toUpperCase());
        assert.ok(upper.ok && upper.hrp === "secret");
      }),
    );
    assert.deepEqual(bech32DecodeRust("sé1qqqqqqqq"), { ok: false, error: "invalid character (code=Ã)" });
    assert.deepEqual(bech32DecodeRust("secret1qqqqqqé"), { ok: false, error: "invalid character (code=é)" });
    assert.deepEqual(bech32DecodeRust("a b c d e f"), { ok: false, error: 'missing human-readable separator, "1"' });
    assert.deepEqual(bech32DecodeRust("1qqqqqqqq"), { ok: false, error: "invalid length" });
    assert.equal(rustTrim("\u0085\u00a0 x \u3000"), "x");
    assert.equal(rustTrim("\ufeffx"), "\ufeffx");
  });
});
