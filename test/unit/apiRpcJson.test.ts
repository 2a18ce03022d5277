/** The RPC's CometBFT JSON encoders, the event query language and the parameter decoding rules. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  blockSize,
  eventAttributeMap,
  eventJson,
  rfc3339,
  rfc3339FromNanos,
  timestampFromNanos,
  txResultJson,
  validatorUpdateJson,
} from "../../src/api/rpc/json.ts";
import { decodeJsonParams, decodeUriParams, type ParamSpec } from "../../src/api/rpc/params.ts";
import { QueryParseError, matchesEventQuery, parseEventQuery } from "../../src/api/rpc/query.ts";
import { RpcError } from "../../src/api/rpc/errors.ts";
import { ZERO_TIME, encodeCommit, encodeHeader, NIL_BLOCK_ID } from "../../src/codec/consensus.ts";
import type { BlockRecord } from "../../src/api/backend.ts";

describe("apiRpc json: times", () => {
  it("prints RFC 3339 with nanoseconds, trailing zeros dropped, Go's zero time", () => {
    assert.equal(rfc3339({ seconds: 1_735_689_601n, nanos: 0 }), "2025-01-01T00:00:01Z");
    assert.equal(rfc3339({ seconds: 1_735_689_601n, nanos: 500_000_000 }), "2025-01-01T00:00:01.5Z");
    assert.equal(rfc3339({ seconds: 1_735_689_601n, nanos: 5 }), "2025-01-01T00:00:01.000000005Z");
    assert.equal(rfc3339(ZERO_TIME), "0001-01-01T00:00:00Z");
    assert.equal(rfc3339FromNanos(-1n), "1969-12-31T23:59:59.999999999Z");
  });

  it("agrees with Date to the millisecond and keeps nanos exactly (property)", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 18n), max: 10n ** 19n }), (nanos) => {
        const t = timestampFromNanos(nanos);
        assert.ok(t.nanos >= 0 && t.nanos < 1e9);
        assert.equal(t.seconds * 1_000_000_000n + BigInt(t.nanos), nanos);
        const text = rfc3339(t);
        const ms = nanos / 1_000_000n - (nanos % 1_000_000n < 0n ? 1n : 0n);
        assert.equal(Date.parse(text), Number(ms));
        const fraction = /\.([0-9]+)Z$/.exec(text)?.[1] ?? "";
        assert.ok(!fraction.endsWith("0"));
        assert.equal(Number(fraction.padEnd(9, "0")), t.nanos);
      }),
    );
  });
});

describe("apiRpc json: ABCI shapes", () => {
  it("omits zero fields of ExecTxResult and events", () => {
    const empty = txResultJson({
      code: 0,
      codespace: "",
      log: "",
      info: "",
      gasWanted: 0n,
      gasUsed: 0n,
      events: [],
      data: new Uint8Array(0),
    });
    assert.deepEqual(empty, {});
    const full = txResultJson({
      code: 5,
      codespace: "sdk",
      log: "insufficient funds",
      info: "i",
      gasWanted: 200_000n,
      gasUsed: 1234n,
      events: [{ type: "tx", attributes: [{ key: "fee", value: "", index: false }] }],
      data: Uint8Array.of(1, 2),
    });
    assert.deepEqual(full, {
      code: 5,
      data: "AQI=",
      log: "insufficient funds",
      info: "i",
      gas_wanted: "200000",
      gas_used: "1234",
      events: [{ type: "tx", attributes: [{ key: "fee" }] }],
      codespace: "sdk",
    });
    assert.deepEqual(eventJson({ type: "", attributes: [] }), {});
  });

  it("prints validator updates with the PublicKey oneof, as cosmjs decodes them", () => {
    assert.deepEqual(validatorUpdateJson({ pubKey: new Uint8Array(32).fill(1), power: 7n }), {
      pub_key: {
        Sum: {
          type: "tendermint.crypto.PublicKey_Ed25519",
          value: { ed25519: Buffer.alloc(32, 1).toString("base64") },
        },
      },
      power: "7",
    });
    assert.equal(validatorUpdateJson({ pubKey: new Uint8Array(32), power: 0n }).power, undefined);
  });

  it("builds the query map type.key → values, skipping empty types and keys", () => {
    const map = eventAttributeMap([
      { type: "transfer", attributes: [{ key: "amount", value: "1uscrt", index: true }] },
      {
        type: "transfer",
        attributes: [
          { key: "amount", value: "2uscrt", index: true },
          { key: "", value: "x", index: true },
        ],
      },
      { type: "", attributes: [{ key: "k", value: "v", index: true }] },
    ]);
    assert.deepEqual([...map], [["transfer.amount", ["1uscrt", "2uscrt"]]]);
  });

  it("computes the protobuf block size from its parts", () => {
    const header = {
      version: { block: 11n, app: 0n },
      chainId: "c",
      height: 1n,
      time: { seconds: 1n, nanos: 0 },
      lastBlockId: NIL_BLOCK_ID,
      lastCommitHash: new Uint8Array(32),
      dataHash: new Uint8Array(32),
      validatorsHash: new Uint8Array(32),
      nextValidatorsHash: new Uint8Array(32),
      consensusHash: new Uint8Array(32),
      appHash: new Uint8Array(0),
      lastResultsHash: new Uint8Array(32),
      evidenceHash: new Uint8Array(32),
      proposerAddress: new Uint8Array(20),
    };
    const lastCommit = { height: 0n, round: 0, blockId: NIL_BLOCK_ID, signatures: [] };
    const block: BlockRecord = { blockId: NIL_BLOCK_ID, header, txs: [new Uint8Array(300)], lastCommit, evidence: [] };
    const h = encodeHeader(header).length;
    const c = encodeCommit(lastCommit).length;
    // header (1+len+h), data {txs: 1+2+300} as (1+2+303), evidence (1+1+0), last_commit (1+1+c)
    assert.equal(blockSize(block), 1 + (h < 128 ? 1 : 2) + h + (1 + 2 + 303) + 2 + (1 + 1 + c));
  });
});

describe("apiRpc query language", () => {
  const events = new Map<string, string[]>([
    ["tm.event", ["Tx"]],
    ["tx.height", ["12"]],
    ["message.sender", ["secret1a", "secret1b"]],
    ["coin.amount", ["2.5"]],
    ["block.time", ["2025-01-02T03:04:05Z"]],
  ]);
  const holds = (q: string): boolean => matchesEventQuery(parseEventQuery(q), events);

  it("matches equality, comparisons, CONTAINS, EXISTS, dates and AND", () => {
    assert.ok(holds("tm.event='Tx'"));
    assert.ok(holds("tm.event = 'Tx' AND message.sender='secret1b'"));
    assert.ok(!holds("tm.event='Tx' AND message.sender='secret1c'"));
    assert.ok(holds("tx.height>=12 AND tx.height<13 AND tx.height=12"));
    assert.ok(!holds("tx.height>12"));
    assert.ok(holds("coin.amount>2.4"));
    assert.ok(holds("message.sender CONTAINS '1a'"));
    assert.ok(holds("coin.amount EXISTS"));
    assert.ok(!holds("nothing.here EXISTS"));
    assert.ok(holds("block.time > TIME 2025-01-01T00:00:00Z AND block.time < DATE 2025-01-03"));
    assert.ok(!holds("tm.event=12"), "a string value never equals a number");
  });

  it("refuses malformed queries with a stable code", () => {
    for (const bad of [
      "",
      "tm.event",
      "tm.event=",
      "tm.event='Tx",
      "a='b' OR c='d'",
      "a='b' AND",
      "a CONTAINS 5",
      "='x'",
    ]) {
      assert.throws(
        () => parseEventQuery(bad),
        (e: unknown) =>
          e instanceof QueryParseError && e.code === "RPC_QUERY_INVALID" && /failed to parse query/.test(e.message),
        bad,
      );
    }
  });
});

describe("apiRpc params", () => {
  const specs: ParamSpec[] = [
    { name: "height", kind: "int" },
    { name: "query", kind: "string" },
    { name: "hash", kind: "bytes" },
    { name: "data", kind: "hex" },
    { name: "prove", kind: "bool" },
  ];

  it("decodes JSON params by name or position, integers as numbers or strings", () => {
    const byName = decodeJsonParams(specs, { height: "5", query: "q", hash: "AQI=", data: "0aFF", prove: true });
    assert.equal(byName.get("height"), 5);
    assert.equal(byName.get("query"), "q");
    assert.deepEqual(byName.get("hash"), Uint8Array.of(1, 2));
    assert.deepEqual(byName.get("data"), Uint8Array.of(0x0a, 0xff));
    assert.equal(byName.get("prove"), true);
    const byPosition = decodeJsonParams(specs, [5, "q", null, null, false]);
    assert.equal(byPosition.get("height"), 5);
    assert.equal(byPosition.has("hash"), false);
    assert.equal(decodeJsonParams(specs, undefined).size, 0);
  });

  it("refuses wrong JSON params with -32602", () => {
    const bad: unknown[] = [
      { height: 1.5 },
      { height: "1e3" },
      { height: "99999999999999999999" },
      { query: 5 },
      { hash: "not base64!" },
      { data: "abc" },
      { prove: "true" },
      [1],
      "height",
    ];
    for (const params of bad) {
      assert.throws(
        () => decodeJsonParams(specs, params),
        (e: unknown) => e instanceof RpcError && e.code === "RPC_INVALID_PARAMS" && e.jsonRpcCode === -32602,
        JSON.stringify(params),
      );
    }
  });

  it("follows CometBFT's URI rules: bare ints, 0x-hex, quoted strings, JSON otherwise", () => {
    const p = decodeUriParams(specs, { height: "7", query: '"a b"', hash: "0x0102", data: '"AB"', prove: "true" });
    assert.equal(p.get("height"), 7);
    assert.equal(p.get("query"), "a b");
    assert.deepEqual(p.get("hash"), Uint8Array.of(1, 2));
    assert.deepEqual(p.get("data"), Uint8Array.of(0x41, 0x42), "a quoted string as bytes is its UTF-8");
    assert.equal(p.get("prove"), true);
    assert.equal(decodeUriParams(specs, { height: '"8"' }).get("height"), 8);
    assert.equal(decodeUriParams(specs, { query: "0x6869" }).get("query"), "hi");
    assert.equal(decodeUriParams(specs, { height: "" }).size, 0);
    for (const query of [{ query: "unquoted" }, { height: "0x01" }, { hash: "0xzz" }, { prove: "yes" }]) {
      assert.throws(
        () => decodeUriParams(specs, query),
        (e: unknown) => e instanceof RpcError && e.code === "RPC_INVALID_PARAMS",
        JSON.stringify(query),
      );
    }
  });
});
