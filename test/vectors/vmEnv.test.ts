/**
 * The env and info JSON given to contracts, byte-exact against the examples of
 * spec/contract-abi.md §6.1–6.2 (compact, upstream's key order, serde_json escaping).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fromBase64 } from "../../src/primitives/base64.ts";
import { envV010Json, envV1Json, infoV1Json, queryEnvV1Json } from "../../src/vm/index.ts";

const block = { height: 1234n, timeNanos: 1_700_000_000_123_456_789n, chainId: "secretdev-1" };
const contract = "secret1ejpjr43ht3y56pplm5pxpusmcrk9rkkvtygxk7";
const sender = "secret1pgm8hyk0pvphmlvfjc8wsvk4daluz5tgexpkqy";
const codeHash = "21e7f10d6fcd0d0e26f8fcebe83460978f72d62989e07af5b983fdf31341a5a4";

describe("env JSON (§6)", () => {
  it("v0.10 env: time in whole seconds, contract_key and transaction null", () => {
    assert.equal(
      envV010Json({
        block,
        sender,
        sentFunds: [{ denom: "uscrt", amount: 1_000_000n }],
        contractAddress: contract,
        codeHash,
      }),
      '{"block":{"height":1234,"time":1700000000,"chain_id":"secretdev-1"},"message":{"sender":"secret1pgm8hyk0pvphmlvfjc8wsvk4daluz5tgexpkqy","sent_funds":[{"denom":"uscrt","amount":"1000000"}]},"contract":{"address":"secret1ejpjr43ht3y56pplm5pxpusmcrk9rkkvtygxk7"},"contract_key":null,"contract_code_hash":"21e7f10d6fcd0d0e26f8fcebe83460978f72d62989e07af5b983fdf31341a5a4","transaction":null}',
    );
  });

  it("v0.10 env: no funds, empty sender, seconds floored", () => {
    assert.equal(
      envV010Json({
        block: { height: 1n, timeNanos: 1_999_999_999n, chainId: "c" },
        sender: "",
        sentFunds: [],
        contractAddress: contract,
        codeHash,
      }),
      `{"block":{"height":1,"time":1,"chain_id":"c"},"message":{"sender":"","sent_funds":[]},"contract":{"address":"${contract}"},"contract_key":null,"contract_code_hash":"${codeHash}","transaction":null}`,
    );
  });

  it("v1 env with random and transaction; v1 info", () => {
    assert.equal(
      envV1Json({
        block,
        random: fromBase64("pEGxX+mjz1ZmEZCguTud7H0EEnKIzIclCWfPO1KJTRE="),
        contractAddress: contract,
        codeHash,
        transaction: { index: 0, hash: "68C215810C8DFB9018BE9D8A37FF37979074FC567502149FAE4F5C00E4C17848" },
      }),
      '{"block":{"height":1234,"time":"1700000000123456789","chain_id":"secretdev-1","random":"pEGxX+mjz1ZmEZCguTud7H0EEnKIzIclCWfPO1KJTRE="},"contract":{"address":"secret1ejpjr43ht3y56pplm5pxpusmcrk9rkkvtygxk7","code_hash":"21e7f10d6fcd0d0e26f8fcebe83460978f72d62989e07af5b983fdf31341a5a4"},"transaction":{"index":0,"hash":"68C215810C8DFB9018BE9D8A37FF37979074FC567502149FAE4F5C00E4C17848"}}',
    );
    assert.equal(
      infoV1Json({ sender, funds: [{ denom: "uscrt", amount: 1_000_000n }] }),
      '{"sender":"secret1pgm8hyk0pvphmlvfjc8wsvk4daluz5tgexpkqy","funds":[{"denom":"uscrt","amount":"1000000"}]}',
    );
  });

  it("v1 env without random omits the field; transaction null", () => {
    assert.equal(
      envV1Json({ block, random: null, contractAddress: contract, codeHash, transaction: null }),
      `{"block":{"height":1234,"time":"1700000000123456789","chain_id":"secretdev-1"},"contract":{"address":"${contract}","code_hash":"${codeHash}"},"transaction":null}`,
    );
    assert.equal(infoV1Json({ sender: "", funds: [] }), '{"sender":"","funds":[]}');
  });

  it("v1 query env: random AA==, transaction null", () => {
    assert.equal(
      queryEnvV1Json({ block, contractAddress: contract, codeHash }),
      '{"block":{"height":1234,"time":"1700000000123456789","chain_id":"secretdev-1","random":"AA=="},"contract":{"address":"secret1ejpjr43ht3y56pplm5pxpusmcrk9rkkvtygxk7","code_hash":"21e7f10d6fcd0d0e26f8fcebe83460978f72d62989e07af5b983fdf31341a5a4"},"transaction":null}',
    );
  });

  it("strings are escaped like serde_json (quotes, backslash, control characters; UTF-8 raw)", () => {
    const env = envV1Json({
      block: { ...block, chainId: 'a"b\\c\n\u0001\u007fé\u2028' },
      random: null,
      contractAddress: contract,
      codeHash,
      transaction: null,
    });
    assert.ok(env.includes('"chain_id":"a\\"b\\\\c\\n\\u0001\u007fé\u2028"'));
    const coins = infoV1Json({ sender, funds: [{ denom: "a", amount: 340282366920938463463374607431768211455n }] });
    assert.ok(coins.endsWith('"amount":"340282366920938463463374607431768211455"}]}'));
  });
});
