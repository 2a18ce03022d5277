/**
 * The LCD's descriptor-driven protobuf ↔ JSON mapper (chain-api.md §1.3): gogoproto JSON rules, the
 * gogoproto overrides (AccAddress, LegacyDec, non-nullable, oneofs), request parsing, and agreement
 * with secretjs's own protobuf encoders for the bytes it produces.
 */
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  ProtoJsonError,
  ProtoRegistry,
  formatDuration,
  formatTimestamp,
  lcdRegistry,
} from "../../src/api/lcd/index.ts";
import { PROTO_MESSAGES } from "../../src/api/lcd/protoSchemaData.ts";
import { COMPUTE_URLS, encodeMsgExecuteContract } from "../../src/codec/compute.ts";
import { encodeAny } from "../../src/codec/tx.ts";
import { toBase64 } from "../../src/primitives/base64.ts";
import { encodeAddress } from "../../src/primitives/bech32.ts";
import { utf8Encode } from "../../src/primitives/bytes.ts";
import { isCodedError } from "../../src/primitives/errors.ts";

const require = createRequire(import.meta.url);

interface Encoder<T> {
  encode(m: T): { finish(): Uint8Array };
}

const bankQuery = require("secretjs/dist/protobuf/cosmos/bank/v1beta1/query.js") as {
  QueryAllBalancesRequest: Encoder<unknown>;
};
const staking = require("secretjs/dist/protobuf/cosmos/staking/v1beta1/staking.js") as { Validator: Encoder<unknown> };
const stakingQuery = require("secretjs/dist/protobuf/cosmos/staking/v1beta1/query.js") as {
  QueryValidatorsRequest: Encoder<unknown>;
};
const mintQuery = require("secretjs/dist/protobuf/cosmos/mint/v1beta1/query.js") as {
  QueryInflationResponse: Encoder<unknown>;
};

const registry = lcdRegistry();
const sender = Uint8Array.from({ length: 20 }, (_, i) => i + 1);
const contract = Uint8Array.from({ length: 20 }, (_, i) => 200 - i);

describe("protobuf → gateway JSON", () => {
  it("renders every message of the table from empty bytes (all types resolve, defaults terminate)", () => {
    for (const name of Object.keys(PROTO_MESSAGES)) {
      const json = registry.toJson(name, new Uint8Array(0));
      assert.equal(typeof json, "object", name);
    }
    assert.deepEqual(registry.toJson("cosmos.base.query.v1beta1.PageResponse", new Uint8Array(0)), {
      next_key: null,
      total: "0",
    });
  });

  it("renders a compute execute inside an Any with bech32 addresses and null callback_sig (§4.1)", () => {
    const msg = encodeMsgExecuteContract({
      sender,
      contract,
      msg: utf8Encode("envelope"),
      callbackCodeHash: "",
      sentFunds: [],
      callbackSig: new Uint8Array(0),
    });
    const json = registry.anyToJson(encodeAny({ typeUrl: COMPUTE_URLS.execute, value: msg }));
    assert.deepEqual(json, {
      "@type": "/secret.compute.v1beta1.MsgExecuteContract",
      sender: encodeAddress(sender),
      contract: encodeAddress(contract),
      msg: toBase64(utf8Encode("envelope")),
      callback_code_hash: "",
      sent_funds: [],
      callback_sig: null,
    });
  });

  it("renders a staking validator: enums by name, LegacyDec, Int, timestamps and non-nullable defaults", () => {
    const bytes = staking.Validator.encode({
      operator_address: "secretvaloper1xyz",
      consensus_pubkey: { type_url: "/cosmos.crypto.ed25519.PubKey", value: Uint8Array.from([10, 2, 1, 2]) },
      jailed: false,
      status: 3,
      tokens: "100000000000000000",
      delegator_shares: "100000000000000000000000000000000000",
      description: { moniker: "v", identity: "", website: "", security_contact: "", details: "" },
      unbonding_height: "0",
      unbonding_time: { seconds: "0", nanos: 0 },
      commission: {
        commission_rates: {
          rate: "100000000000000000",
          max_rate: "200000000000000000",
          max_change_rate: "10000000000000000",
        },
        update_time: { seconds: String(Date.UTC(2025, 0, 2, 3, 4, 5) / 1000), nanos: 678_000_000 },
      },
      min_self_delegation: "1",
      unbonding_on_hold_ref_count: "0",
      unbonding_ids: ["5", "6"],
    }).finish();
    assert.deepEqual(registry.toJson("cosmos.staking.v1beta1.Validator", bytes), {
      operator_address: "secretvaloper1xyz",
      consensus_pubkey: { "@type": "/cosmos.crypto.ed25519.PubKey", key: "AQI=" },
      jailed: false,
      status: "BOND_STATUS_BONDED",
      tokens: "100000000000000000",
      delegator_shares: "100000000000000000.000000000000000000",
      description: { moniker: "v", identity: "", website: "", security_contact: "", details: "" },
      unbonding_height: "0",
      unbonding_time: "1970-01-01T00:00:00Z",
      commission: {
        commission_rates: {
          rate: "0.100000000000000000",
          max_rate: "0.200000000000000000",
          max_change_rate: "0.010000000000000000",
        },
        update_time: "2025-01-02T03:04:05.678Z",
      },
      min_self_delegation: "1",
      unbonding_on_hold_ref_count: "0",
      unbonding_ids: ["5", "6"],
    });
    // An absent non-nullable embedded message renders as its defaults, a nullable one as null.
    const empty = registry.toJson("cosmos.staking.v1beta1.Validator", new Uint8Array(0));
    assert.deepEqual(empty.description, { moniker: "", identity: "", website: "", security_contact: "", details: "" });
    assert.equal(empty.consensus_pubkey, null);
    assert.equal(empty.status, "BOND_STATUS_UNSPECIFIED");
    assert.equal(empty.unbonding_time, "0001-01-01T00:00:00Z");
  });

  it("renders LegacyDec bytes (mint inflation) as decimal text", () => {
    const bytes = mintQuery.QueryInflationResponse.encode({ inflation: utf8Encode("130000000000000000") }).finish();
    assert.deepEqual(registry.toJson("cosmos.mint.v1beta1.QueryInflationResponse", bytes), {
      inflation: "0.130000000000000000",
    });
  });

  it("omits unset oneof members and keeps the set one", () => {
    const modeInfo = Uint8Array.from([0x0a, 0x02, 0x08, 0x01]); // single { mode: DIRECT }
    assert.deepEqual(registry.toJson("cosmos.tx.v1beta1.ModeInfo", modeInfo), { single: { mode: "SIGN_MODE_DIRECT" } });
  });

  it("keeps an Any of an unknown type as its bytes, and unknown enum numbers as numbers", () => {
    const any = encodeAny({ typeUrl: "/x.y.Unknown", value: Uint8Array.from([1, 2, 3]) });
    assert.deepEqual(registry.anyToJson(any), { "@type": "/x.y.Unknown", value: "AQID" });
    const status = Uint8Array.from([0x20, 0x09]); // Validator.status = 9
    assert.equal(registry.toJson("cosmos.staking.v1beta1.Validator", status).status, 9);
  });

  it("rejects bytes whose wire types contradict the schema with a coded error", () => {
    const bad = Uint8Array.from([0x0a, 0x01, 0x41]); // field 1 as bytes, but Validator.status (4) varint is fine
    assert.doesNotThrow(() => registry.toJson("cosmos.bank.v1beta1.MsgSend", bad));
    const wrong = Uint8Array.from([0x08, 0x01]); // field 1 (from_address, string) as a varint
    assert.throws(
      () => registry.toJson("cosmos.bank.v1beta1.MsgSend", wrong),
      (e: unknown) => e instanceof ProtoJsonError && e.code === "PROTOJSON_DECODE",
    );
    assert.throws(
      () => registry.toJson("no.such.Type", new Uint8Array(0)),
      (e: unknown) => e instanceof ProtoJsonError && e.code === "PROTOJSON_UNKNOWN_TYPE",
    );
  });

  it("answers arbitrary bytes with JSON or a coded error, never a crash (property)", () => {
    const types = [
      "cosmos.tx.v1beta1.TxBody",
      "cosmos.tx.v1beta1.AuthInfo",
      "cosmos.staking.v1beta1.Validator",
      "cosmos.gov.v1.Proposal",
    ];
    fc.assert(
      fc.property(fc.constantFrom(...types), fc.uint8Array({ maxLength: 96 }), (type, bytes) => {
        try {
          assert.equal(typeof registry.toJson(type, bytes), "object");
        } catch (e) {
          assert.ok(isCodedError(e), `${type}: ${String(e)}`);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it("formats timestamps with 0/3/6/9 digits and durations with s", () => {
    assert.equal(formatTimestamp(0n, 0), "1970-01-01T00:00:00Z");
    assert.equal(formatTimestamp(1n, 500_000_000), "1970-01-01T00:00:01.500Z");
    assert.equal(formatTimestamp(1n, 500_100_000), "1970-01-01T00:00:01.500100Z");
    assert.equal(formatTimestamp(1n, 500_100_001), "1970-01-01T00:00:01.500100001Z");
    assert.equal(formatTimestamp(1n, 5_000_000, true), "1970-01-01T00:00:01.005000000Z");
    assert.equal(formatTimestamp(-62135596800n, 0), "0001-01-01T00:00:00Z");
    assert.equal(formatTimestamp(253402300799n, 0), "9999-12-31T23:59:59Z");
    for (const [s, n] of [
      [253402300800n, 0],
      [-62135596801n, 0],
      [0n, -1],
      [0n, 1_000_000_000],
    ] as const) {
      assert.throws(
        () => formatTimestamp(s, n),
        (e: unknown) => e instanceof ProtoJsonError && e.code === "PROTOJSON_DECODE",
      );
    }
    assert.equal(formatDuration(90n, 0), "90s");
    assert.equal(formatDuration(1n, 500_000_000), "1.500s");
  });
});

describe("gateway JSON / query parameters → protobuf", () => {
  it("encodes requests exactly as secretjs's encoders do (property)", () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 20 }),
        fc.uint8Array({ maxLength: 12 }),
        fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
        fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
        fc.boolean(),
        fc.boolean(),
        fc.boolean(),
        (address, key, offset, limit, countTotal, reverse, resolve) => {
          const expected = bankQuery.QueryAllBalancesRequest.encode({
            address,
            pagination: { key, offset: offset.toString(), limit: limit.toString(), count_total: countTotal, reverse },
            resolve_denom: resolve,
          }).finish();
          // As query parameters arrive: every value a string, bytes URL-safe base64 without padding.
          const urlSafe = toBase64(key).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
          const got = registry.fromJson("cosmos.bank.v1beta1.QueryAllBalancesRequest", {
            address,
            pagination: {
              key: urlSafe,
              offset: offset.toString(),
              limit: limit.toString(),
              count_total: String(countTotal),
              reverse: String(reverse),
            },
            resolve_denom: String(resolve),
            ignored_unknown_key: "x",
          });
          assert.deepEqual(got, new Uint8Array(expected));
        },
      ),
      { numRuns: 200 },
    );
  });

  it("accepts enum names or numbers, camelCase names, and rejects bad values with a coded error", () => {
    const byName = registry.fromJson("cosmos.gov.v1.QueryProposalsRequest", {
      proposal_status: "PROPOSAL_STATUS_PASSED",
    });
    const byNumber = registry.fromJson("cosmos.gov.v1.QueryProposalsRequest", { proposalStatus: 3 });
    assert.deepEqual(byName, byNumber);
    assert.deepEqual(byName, Uint8Array.from([0x08, 0x03]));
    const v = stakingQuery.QueryValidatorsRequest.encode({ status: "BOND_STATUS_BONDED" }).finish();
    assert.deepEqual(
      registry.fromJson("cosmos.staking.v1beta1.QueryValidatorsRequest", { status: "BOND_STATUS_BONDED" }),
      new Uint8Array(v),
    );
    for (const [type, json] of [
      ["cosmos.gov.v1.QueryProposalsRequest", { proposal_status: "NOPE" }],
      ["cosmos.base.query.v1beta1.PageRequest", { limit: "-1" }],
      ["cosmos.base.query.v1beta1.PageRequest", { limit: "18446744073709551616" }],
      ["cosmos.base.query.v1beta1.PageRequest", { count_total: "yes" }],
      ["cosmos.base.query.v1beta1.PageRequest", { key: "***" }],
      ["cosmos.bank.v1beta1.QueryAllBalancesRequest", { pagination: "flat" }],
    ] as const) {
      assert.throws(
        () => registry.fromJson(type, json),
        (e: unknown) => e instanceof ProtoJsonError && e.code === "PROTOJSON_INVALID_VALUE",
        JSON.stringify(json),
      );
    }
  });

  it("round-trips messages through JSON to the same bytes, casts included (property)", () => {
    const coin = fc.record({
      denom: fc.stringMatching(/^[a-z][a-z0-9]{2,10}$/),
      amount: fc.bigInt({ min: 1n, max: 1n << 100n }).map(String),
    });
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 20, maxLength: 20 }),
        fc.uint8Array({ minLength: 20, maxLength: 32 }),
        fc.uint8Array({ maxLength: 64 }),
        fc.string({ maxLength: 64 }),
        fc.array(coin, { maxLength: 3 }),
        fc.uint8Array({ maxLength: 64 }),
        (s, c, msg, hash, funds, sig) => {
          const bytes = encodeMsgExecuteContract({
            sender: s,
            contract: c,
            msg,
            callbackCodeHash: hash,
            sentFunds: funds,
            callbackSig: sig,
          });
          const any = encodeAny({ typeUrl: COMPUTE_URLS.execute, value: bytes });
          const json = registry.anyToJson(any);
          assert.deepEqual(registry.anyFromJson(json), any);
        },
      ),
      { numRuns: 150 },
    );
    const rates = { rate: "0.050000000000000000", max_rate: "0.2", max_change_rate: "1" };
    const encoded = registry.fromJson("cosmos.staking.v1beta1.CommissionRates", rates);
    assert.deepEqual(registry.toJson("cosmos.staking.v1beta1.CommissionRates", encoded), {
      rate: "0.050000000000000000",
      max_rate: "0.200000000000000000",
      max_change_rate: "1.000000000000000000",
    });
  });

  it("round-trips signed integers through JSON", () => {
    const r = new ProtoRegistry(
      { "t.M": "1 a int64|2 b sint64|3 c int32|4 d uint32[]" },
      {},
      { casts: {}, nonNullable: [] },
    );
    const bytes = r.fromJson("t.M", { a: "-5", b: "-7", c: -3, d: ["1", "2"] });
    assert.deepEqual(r.toJson("t.M", bytes), { a: "-5", b: "-7", c: -3, d: [1, 2] });
  });
});
