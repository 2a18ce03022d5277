/**
 * The bank module's queries through `SecretApp.query` with protobuf requests (SDK 0.50 semantics:
 * collection pagination keyed by denom or `len ‖ address`, the legacy pagination of DenomsMetadata,
 * upstream's check order and error texts), and a few of them over the LCD (chain-api.md §7.3).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startLcdServer, type LcdServer } from "../../src/api/lcd/index.ts";
import type { SecretApp } from "../../src/app/index.ts";
import { BANK_QUERY_PATHS } from "../../src/app/bank/queryServer.ts";
import { decodeParamsResponse } from "../../src/codec/auth.ts";
import {
  decodeBankParams,
  decodeCoinResponse,
  decodeCoinsPageResponse,
  decodeQueryDenomMetadataResponse,
  decodeQueryDenomOwnersResponse,
  decodeQueryDenomsMetadataResponse,
  decodeQuerySendEnabledResponse,
  encodeDenomRequest,
  encodePageOnlyRequest,
  encodeQueryAllBalancesRequest,
  encodeQueryBalanceRequest,
  encodeQuerySendEnabledRequest,
  encodeStringPageRequest,
} from "../../src/codec/bank.ts";
import { type PageRequest, EMPTY_PAGE_REQUEST } from "../../src/codec/staking.ts";
import { encodeAddress } from "../../src/primitives/bech32.ts";
import { compareBytes, concatBytes, utf8Encode } from "../../src/primitives/bytes.ts";
import { toHex } from "../../src/primitives/hex.ts";
import { CHAIN_ID, appAfterFirstBlock, newApp, queryOk, testKey } from "../helpers/appTx.ts";
import { TestBackend } from "./apiLcdBackend.ts";

const A = testKey("bank query a");
const B = testKey("bank query b");
const C = testKey("bank query c");
/** A 32-byte (interchain-account style) address: sorts after every 20-byte one in the denom index. */
const LONG = new Uint8Array(32).fill(3);
const DENOMS = ["aaa", "ibc/27394FB092D2ECCD56123C74F36E4C1F926001CEADA9CA97EA622B25F41E5EB2", "ufoo", "uscrt", "uzzz"];

const METADATA = (base: string, display: string) => ({
  description: `the ${base}`,
  denom_units: [
    { denom: base, exponent: 0, aliases: [`micro${display}`] },
    { denom: display, exponent: 6, aliases: [] },
  ],
  base,
  display,
  name: display.toUpperCase(),
  symbol: display.toUpperCase(),
  uri: "",
  uri_hash: "",
});

function appState(): unknown {
  const holders = [
    { address: A.bech32, coins: DENOMS.map((denom, i) => ({ denom, amount: String(100 + i) })) },
    { address: B.bech32, coins: [{ denom: "uscrt", amount: "7" }] },
    {
      address: C.bech32,
      coins: [
        { denom: "ufoo", amount: "9" },
        { denom: "uscrt", amount: "11" },
      ],
    },
    { address: encodeAddress(LONG), coins: [{ denom: "uscrt", amount: "13" }] },
  ];
  return {
    auth: {
      accounts: [A, B, C].map((k, i) => ({
        "@type": "/cosmos.auth.v1beta1.BaseAccount",
        address: k.bech32,
        pub_key: null,
        account_number: String(i),
        sequence: "0",
      })),
    },
    bank: {
      balances: holders,
      denom_metadata: [METADATA("uscrt", "scrt"), METADATA("ufoo", "foo"), METADATA("aaa", "a")],
    },
  };
}

function freshApp(): SecretApp {
  return appAfterFirstBlock({ chainId: CHAIN_ID, appState: appState() });
}

const ok = queryOk;

function failure(app: SecretApp, path: string, data: Uint8Array): [string, number, string] {
  const r = app.query(path, data);
  assert.notEqual(r.code, 0, `${path} should fail`);
  return [r.codespace, r.code, r.log];
}

const page = (p: Partial<PageRequest>): PageRequest => ({ ...EMPTY_PAGE_REQUEST, ...p });
const hexOf = (text: string) => toHex(utf8Encode(text));

describe("bank balance queries", () => {
  const app = freshApp();

  it("AllBalances pages by denom (next_key = the denom), with totals only when counted", () => {
    const all = decodeCoinsPageResponse(
      ok(app, BANK_QUERY_PATHS.AllBalances, encodeQueryAllBalancesRequest({ address: A.bech32 })),
    );
    assert.deepEqual(
      all.coins.map((c) => c.denom),
      DENOMS,
    );
    assert.deepEqual(all.pagination, { nextKey: new Uint8Array(0), total: 5n });
    const first = decodeCoinsPageResponse(
      ok(
        app,
        BANK_QUERY_PATHS.AllBalances,
        encodeQueryAllBalancesRequest({ address: A.bech32, pagination: page({ limit: 2n }) }),
      ),
    );
    assert.deepEqual(first.coins, [
      { denom: "aaa", amount: "100" },
      { denom: DENOMS[1]!, amount: "101" },
    ]);
    assert.equal(toHex(first.pagination!.nextKey), hexOf("ufoo"));
    assert.equal(first.pagination!.total, 0n);
    const rest = decodeCoinsPageResponse(
      ok(
        app,
        BANK_QUERY_PATHS.AllBalances,
        encodeQueryAllBalancesRequest({
          address: A.bech32,
          pagination: page({ key: first.pagination!.nextKey, limit: 5n }),
        }),
      ),
    );
    assert.deepEqual(
      rest.coins.map((c) => c.denom),
      ["ufoo", "uscrt", "uzzz"],
    );
    const back = decodeCoinsPageResponse(
      ok(
        app,
        BANK_QUERY_PATHS.AllBalances,
        encodeQueryAllBalancesRequest({
          address: A.bech32,
          pagination: page({ limit: 2n, reverse: true, countTotal: true }),
        }),
      ),
    );
    assert.deepEqual(
      back.coins.map((c) => c.denom),
      ["uzzz", "uscrt"],
    );
    assert.equal(toHex(back.pagination!.nextKey), hexOf("ufoo"));
    assert.equal(back.pagination!.total, 5n);
  });

  it("AllBalances with resolve_denom shows the display denom where metadata exists", () => {
    const r = decodeCoinsPageResponse(
      ok(app, BANK_QUERY_PATHS.AllBalances, encodeQueryAllBalancesRequest({ address: C.bech32, resolveDenom: true })),
    );
    assert.deepEqual(r.coins, [
      { denom: "foo", amount: "9" },
      { denom: "scrt", amount: "11" },
    ]);
  });

  it("AllBalances refuses a bad address and key+offset as InvalidArgument", () => {
    assert.deepEqual(
      failure(app, BANK_QUERY_PATHS.AllBalances, encodeQueryAllBalancesRequest({ address: "secret1xyz" })),
      [
        "sdk",
        18,
        "rpc error: code = InvalidArgument desc = invalid address: decoding bech32 failed: invalid separator index 6: invalid request",
      ],
    );
    assert.deepEqual(
      failure(
        app,
        BANK_QUERY_PATHS.AllBalances,
        encodeQueryAllBalancesRequest({ address: A.bech32, pagination: page({ key: utf8Encode("a"), offset: 1n }) }),
      ),
      [
        "sdk",
        18,
        "rpc error: code = InvalidArgument desc = paginate: invalid request, either offset or key is expected, got both: invalid request",
      ],
    );
  });

  it("SpendableBalances and SpendableBalanceByDenom equal the balances (no locked coins)", () => {
    const r = decodeCoinsPageResponse(
      ok(
        app,
        BANK_QUERY_PATHS.SpendableBalances,
        encodeStringPageRequest(A.bech32, page({ offset: 3n, countTotal: true })),
      ),
    );
    assert.deepEqual(r.coins, [
      { denom: "uscrt", amount: "103" },
      { denom: "uzzz", amount: "104" },
    ]);
    assert.deepEqual(r.pagination, { nextKey: new Uint8Array(0), total: 5n });
    const one = decodeCoinResponse(
      ok(
        app,
        BANK_QUERY_PATHS.SpendableBalanceByDenom,
        encodeQueryBalanceRequest({ address: C.bech32, denom: "ufoo" }),
      ),
    );
    assert.deepEqual(one, { denom: "ufoo", amount: "9" });
    const none = decodeCoinResponse(
      ok(
        app,
        BANK_QUERY_PATHS.SpendableBalanceByDenom,
        encodeQueryBalanceRequest({ address: B.bech32, denom: "ufoo" }),
      ),
    );
    assert.deepEqual(none, { denom: "ufoo", amount: "0" });
    // Upstream checks the address before the denom here, and the denom first in Balance.
    const both = encodeQueryBalanceRequest({ address: "nope", denom: "1" });
    assert.match(failure(app, BANK_QUERY_PATHS.SpendableBalanceByDenom, both)[2], /desc = invalid address: /);
    assert.equal(
      failure(app, BANK_QUERY_PATHS.Balance, both)[2],
      "rpc error: code = InvalidArgument desc = invalid denom: 1: invalid request",
    );
  });
});

describe("bank supply, metadata, owners, send-enabled, params", () => {
  const app = freshApp();

  it("TotalSupply pages by denom; a reverse page is still sorted by denom (sdk.Coins.Add)", () => {
    const all = decodeCoinsPageResponse(ok(app, BANK_QUERY_PATHS.TotalSupply, encodePageOnlyRequest()));
    assert.deepEqual(all.coins, [
      { denom: "aaa", amount: "100" },
      { denom: DENOMS[1]!, amount: "101" },
      { denom: "ufoo", amount: "111" },
      { denom: "uscrt", amount: String(103 + 7 + 11 + 13) },
      { denom: "uzzz", amount: "104" },
    ]);
    assert.equal(all.pagination?.total, 5n);
    const rev = decodeCoinsPageResponse(
      ok(app, BANK_QUERY_PATHS.TotalSupply, encodePageOnlyRequest(page({ limit: 2n, reverse: true }))),
    );
    assert.deepEqual(
      rev.coins.map((c) => c.denom),
      ["uscrt", "uzzz"],
    );
    assert.equal(toHex(rev.pagination!.nextKey), hexOf("ufoo"));
    const past = decodeCoinsPageResponse(
      ok(app, BANK_QUERY_PATHS.TotalSupply, encodePageOnlyRequest(page({ offset: 9n, countTotal: true }))),
    );
    assert.deepEqual(past, { coins: [], pagination: { nextKey: new Uint8Array(0), total: 0n } });
    const of = decodeCoinResponse(ok(app, BANK_QUERY_PATHS.SupplyOf, encodeDenomRequest("ufoo")));
    assert.deepEqual(of, { denom: "ufoo", amount: "111" });
  });

  it("DenomMetadata by denom (and by query string); unknown → NotFound, invalid → InvalidArgument", () => {
    for (const path of [BANK_QUERY_PATHS.DenomMetadata, BANK_QUERY_PATHS.DenomMetadataByQueryString]) {
      const m = decodeQueryDenomMetadataResponse(ok(app, path, encodeDenomRequest("uscrt")));
      assert.equal(m?.display, "scrt");
      assert.deepEqual(m?.denomUnits[0], { denom: "uscrt", exponent: 0, aliases: ["microscrt"] });
      assert.deepEqual(failure(app, path, encodeDenomRequest("uzzz")), [
        "sdk",
        22,
        "rpc error: code = NotFound desc = client metadata for denom uzzz: key not found",
      ]);
      assert.equal(failure(app, path, encodeDenomRequest("u"))[1], 18);
    }
  });

  it("DenomsMetadata pages with the legacy paginator (an offset past the end still counts)", () => {
    const all = decodeQueryDenomsMetadataResponse(ok(app, BANK_QUERY_PATHS.DenomsMetadata, encodePageOnlyRequest()));
    assert.deepEqual(
      all.metadatas.map((m) => m.base),
      ["aaa", "ufoo", "uscrt"],
    );
    assert.equal(all.pagination?.total, 3n);
    const past = decodeQueryDenomsMetadataResponse(
      ok(
        app,
        BANK_QUERY_PATHS.DenomsMetadata,
        encodePageOnlyRequest(page({ offset: 7n, limit: 1n, countTotal: true })),
      ),
    );
    assert.deepEqual(past, { metadatas: [], pagination: { nextKey: new Uint8Array(0), total: 3n } });
    const second = decodeQueryDenomsMetadataResponse(
      ok(app, BANK_QUERY_PATHS.DenomsMetadata, encodePageOnlyRequest(page({ key: utf8Encode("ufoo"), limit: 1n }))),
    );
    assert.deepEqual(
      second.metadatas.map((m) => m.base),
      ["ufoo"],
    );
    assert.equal(toHex(second.pagination!.nextKey), hexOf("uscrt"));
    // Legacy reverse from a key that is not stored starts at the first key above it ("ufoo").
    const back = decodeQueryDenomsMetadataResponse(
      ok(
        app,
        BANK_QUERY_PATHS.DenomsMetadata,
        encodePageOnlyRequest(page({ key: utf8Encode("ub"), limit: 5n, reverse: true })),
      ),
    );
    assert.deepEqual(
      back.metadatas.map((m) => m.base),
      ["ufoo", "aaa"],
    );
  });

  it("DenomOwners: every holder ordered by len ‖ address, next_key of that form", () => {
    const holders = [A.address, B.address, C.address].sort(compareBytes);
    const r = decodeQueryDenomOwnersResponse(ok(app, BANK_QUERY_PATHS.DenomOwners, encodeStringPageRequest("uscrt")));
    assert.deepEqual(
      r.owners.map((o) => o.address),
      [...holders.map((h) => encodeAddress(h)), encodeAddress(LONG)],
    );
    const amounts = new Map([
      [A.bech32, "103"],
      [B.bech32, "7"],
      [C.bech32, "11"],
      [encodeAddress(LONG), "13"],
    ]);
    for (const o of r.owners) assert.deepEqual(o.balance, { denom: "uscrt", amount: amounts.get(o.address) });
    assert.equal(r.pagination?.total, 4n);
    const firstTwo = decodeQueryDenomOwnersResponse(
      ok(app, BANK_QUERY_PATHS.DenomOwnersByQuery, encodeStringPageRequest("uscrt", page({ limit: 2n }))),
    );
    assert.equal(toHex(firstTwo.pagination!.nextKey), toHex(concatBytes(Uint8Array.of(20), holders[2]!)));
    const last = decodeQueryDenomOwnersResponse(
      ok(
        app,
        BANK_QUERY_PATHS.DenomOwners,
        encodeStringPageRequest("uscrt", page({ key: firstTwo.pagination!.nextKey })),
      ),
    );
    assert.deepEqual(
      last.owners.map((o) => o.address),
      [encodeAddress(holders[2]!), encodeAddress(LONG)],
    );
    const foo = decodeQueryDenomOwnersResponse(ok(app, BANK_QUERY_PATHS.DenomOwners, encodeStringPageRequest("ufoo")));
    assert.deepEqual(new Set(foo.owners.map((o) => o.address)), new Set([A.bech32, C.bech32]));
    const nobody = decodeQueryDenomOwnersResponse(
      ok(app, BANK_QUERY_PATHS.DenomOwners, encodeStringPageRequest("unone")),
    );
    assert.deepEqual(nobody, { owners: [], pagination: { nextKey: new Uint8Array(0), total: 0n } });
    assert.equal(
      failure(app, BANK_QUERY_PATHS.DenomOwners, encodeStringPageRequest("!"))[2],
      "rpc error: code = InvalidArgument desc = invalid denom: !: invalid request",
    );
  });

  it("SendEnabled lists no per-denom entries; its page is present only when no denoms were named", () => {
    const none = decodeQuerySendEnabledResponse(
      ok(app, BANK_QUERY_PATHS.SendEnabled, encodeQuerySendEnabledRequest({})),
    );
    assert.deepEqual(none, { sendEnabled: [], pagination: { nextKey: new Uint8Array(0), total: 0n } });
    const named = decodeQuerySendEnabledResponse(
      ok(app, BANK_QUERY_PATHS.SendEnabled, encodeQuerySendEnabledRequest({ denoms: ["uscrt"] })),
    );
    assert.deepEqual(named, { sendEnabled: [], pagination: undefined });
  });

  it("Params: default_send_enabled", () => {
    assert.deepEqual(decodeBankParams(decodeParamsResponse(ok(app, BANK_QUERY_PATHS.Params))), {
      defaultSendEnabled: true,
    });
  });
});

describe("bank queries over the LCD", () => {
  let server: LcdServer;
  let url: string;

  before(async () => {
    const app = newApp();
    app.initChain({ chainId: CHAIN_ID, appState: appState() });
    const backend = new TestBackend(app, CHAIN_ID);
    backend.produceBlock([]);
    server = await startLcdServer({ backend, host: "127.0.0.1", port: 0 });
    url = `http://127.0.0.1:${server.port}`;
  });

  after(async () => {
    await server.close();
  });

  const get = async (path: string): Promise<{ status: number; body: unknown }> => {
    const r = await fetch(`${url}${path}`);
    return { status: r.status, body: await r.json() };
  };

  it("renders the SDK 0.50 shapes", async () => {
    const supply = await get("/cosmos/bank/v1beta1/supply?pagination.limit=1");
    assert.deepEqual(supply.body, {
      supply: [{ denom: "aaa", amount: "100" }],
      pagination: { next_key: Buffer.from(DENOMS[1]!).toString("base64"), total: "0" },
    });
    const spendable = await get(`/cosmos/bank/v1beta1/spendable_balances/${B.bech32}/by_denom?denom=uscrt`);
    assert.deepEqual(spendable.body, { balance: { denom: "uscrt", amount: "7" } });
    const owners = await get("/cosmos/bank/v1beta1/denom_owners/ufoo");
    assert.equal((owners.body as { denom_owners: unknown[] }).denom_owners.length, 2);
    const meta = await get("/cosmos/bank/v1beta1/denoms_metadata/uscrt");
    assert.equal((meta.body as { metadata: { display: string } }).metadata.display, "scrt");
    const missing = await get("/cosmos/bank/v1beta1/denoms_metadata/uzzz");
    assert.deepEqual(missing, {
      status: 404,
      body: { code: 5, message: "client metadata for denom uzzz", details: [] },
    });
    const se = await get("/cosmos/bank/v1beta1/send_enabled");
    assert.deepEqual(se.body, { send_enabled: [], pagination: { next_key: null, total: "0" } });
  });
});
