/**
 * The auth module's queries through `SecretApp.query` with protobuf requests (SDK 0.50 semantics:
 * pagination, module accounts, address conversions, upstream error codes and texts), the genesis
 * rules behind them (duplicate account numbers renumbered, module accounts in upstream's order), and
 * `query.auth.accounts()` of the real secretjs through the LCD (chain-api.md §7.2, §9).
 */
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { after, before, describe, it } from "node:test";
import fc from "fast-check";
import { startLcdServer, type LcdServer } from "../../src/api/lcd/index.ts";
import { moduleAddress, type SecretApp } from "../../src/app/index.ts";
import { AUTH_QUERY_PATHS } from "../../src/app/auth/queryServer.ts";
import {
  BASE_ACCOUNT_URL,
  MODULE_ACCOUNT_URL,
  decodeBaseAccount,
  decodeBytesMessage,
  decodeModuleAccount,
  decodeParamsResponse,
  decodeAuthParams,
  decodeQueryAccountInfoResponse,
  decodeQueryAccountResponse,
  decodeQueryAccountsResponse,
  decodeQueryModuleAccountsResponse,
  decodeStringMessage,
  encodeBytesMessage,
  encodeQueryAccountAddressByIdRequest,
  encodeQueryAccountRequest,
  encodeQueryAccountsRequest,
  encodeQueryModuleAccountByNameRequest,
  encodeStringMessage,
} from "../../src/codec/auth.ts";
import { type PageRequest, EMPTY_PAGE_REQUEST } from "../../src/codec/staking.ts";
import type { Any } from "../../src/codec/tx.ts";
import { decodeAddress, encodeAddress, bech32Encode } from "../../src/primitives/bech32.ts";
import { compareBytes } from "../../src/primitives/bytes.ts";
import { toHex } from "../../src/primitives/hex.ts";
import {
  CHAIN_ID,
  appAfterFirstBlock,
  genesisFor,
  newApp,
  pubKeyAny,
  queryOk,
  testKey,
  type TestKey,
} from "../helpers/appTx.ts";
import { TestBackend } from "./apiLcdBackend.ts";

const require = createRequire(import.meta.url);

const MODULES_AT_GENESIS = [
  "fee_collector",
  "distribution",
  "bonded_tokens_pool",
  "not_bonded_tokens_pool",
  "gov",
  "mint",
];
const KEYS: TestKey[] = Array.from({ length: 21 }, (_, i) => testKey(`auth query ${i}`));

function freshApp(keys: readonly TestKey[] = KEYS): SecretApp {
  return appAfterFirstBlock(genesisFor(keys.map((key) => ({ key, coins: [{ denom: "uscrt", amount: "1000" }] }))));
}

const ok = queryOk;

function fails(app: SecretApp, path: string, data: Uint8Array): { code: number; codespace: string; log: string } {
  const r = app.query(path, data);
  assert.notEqual(r.code, 0, `${path} should fail`);
  return { code: r.code, codespace: r.codespace, log: r.log };
}

/** Address bytes of an account Any (BaseAccount or ModuleAccount). */
function addressOf(any: Any): Uint8Array {
  if (any.typeUrl === BASE_ACCOUNT_URL) return decodeAddress(decodeBaseAccount(any.value).address);
  return decodeAddress(decodeModuleAccount(any.value).baseAccount.address);
}

function accountsPage(app: SecretApp, page?: Partial<PageRequest>) {
  const req = page === undefined ? {} : { pagination: { ...EMPTY_PAGE_REQUEST, ...page } };
  return decodeQueryAccountsResponse(ok(app, AUTH_QUERY_PATHS.Accounts, encodeQueryAccountsRequest(req)));
}

describe("auth Accounts query (pagination as SDK 0.50 CollectionPaginate)", () => {
  const app = freshApp();
  const all = [...KEYS.map((k) => k.address), ...MODULES_AT_GENESIS.map((m) => moduleAddress(m))].sort(compareBytes);

  it("answers every account in address order with a total when no page is given", () => {
    const { accounts, pagination } = accountsPage(app);
    assert.deepEqual(
      accounts.map((a) => toHex(addressOf(a))),
      all.map(toHex),
    );
    assert.deepEqual(pagination, { nextKey: new Uint8Array(0), total: BigInt(all.length) });
    const types = new Map(accounts.map((a) => [toHex(addressOf(a)), a.typeUrl]));
    for (const k of KEYS) assert.equal(types.get(toHex(k.address)), BASE_ACCOUNT_URL);
    for (const m of MODULES_AT_GENESIS) assert.equal(types.get(toHex(moduleAddress(m))), MODULE_ACCOUNT_URL);
  });

  it("pages by next_key (the raw address) until the end, without totals after the first page", () => {
    const seen: string[] = [];
    let page = accountsPage(app, { limit: 4n, countTotal: true });
    assert.equal(page.pagination?.total, BigInt(all.length));
    for (;;) {
      seen.push(...page.accounts.map((a) => toHex(addressOf(a))));
      const next: Uint8Array = page.pagination?.nextKey ?? new Uint8Array(0);
      if (next.length === 0) break;
      assert.equal(toHex(next), toHex(all[seen.length]!), "next_key is the first address of the next page");
      page = accountsPage(app, { limit: 4n, key: next, countTotal: true });
      assert.equal(page.pagination?.total, 0n, "no total when paging by key");
    }
    assert.deepEqual(seen, all.map(toHex));
  });

  it("matches a model of offset/limit/reverse/key paging for any request", () => {
    const n = all.length;
    fc.assert(
      fc.property(
        fc.record({
          offset: fc.nat(n + 3),
          limit: fc.nat(n + 3),
          countTotal: fc.boolean(),
          reverse: fc.boolean(),
          keyIndex: fc.option(fc.nat(n - 1), { nil: undefined }),
        }),
        ({ offset, limit, countTotal, reverse, keyIndex }) => {
          const key = keyIndex === undefined ? new Uint8Array(0) : all[keyIndex]!;
          const req = {
            key,
            offset: keyIndex === undefined ? BigInt(offset) : 0n,
            limit: BigInt(limit),
            countTotal,
            reverse,
          };
          const { accounts, pagination } = accountsPage(app, req);
          const effLimit = limit === 0 ? 100 : limit;
          const counting = countTotal || limit === 0;
          const order = reverse ? [...all].reverse() : all;
          let start: number;
          if (keyIndex !== undefined) start = order.findIndex((a) => toHex(a) === toHex(key));
          else start = Number(req.offset);
          if (keyIndex === undefined && start > n) {
            assert.equal(accounts.length, 0);
            assert.deepEqual(pagination, { nextKey: new Uint8Array(0), total: 0n });
            return;
          }
          const expected = order.slice(start, start + effLimit);
          assert.deepEqual(
            accounts.map((a) => toHex(addressOf(a))),
            expected.map(toHex),
          );
          const next = order[start + effLimit];
          assert.equal(toHex(pagination!.nextKey), next === undefined ? "" : toHex(next));
          assert.equal(pagination!.total, keyIndex === undefined && counting ? BigInt(n) : 0n);
        },
      ),
      { numRuns: 150 },
    );
  });

  it("refuses key and offset together with upstream's text", () => {
    const r = fails(
      app,
      AUTH_QUERY_PATHS.Accounts,
      encodeQueryAccountsRequest({
        pagination: { ...EMPTY_PAGE_REQUEST, key: all[0]!, offset: 1n },
      }),
    );
    assert.deepEqual(r, {
      code: 18,
      codespace: "sdk",
      log: "rpc error: code = Unknown desc = invalid request, either offset or key is expected, got both: invalid request",
    });
  });
});

describe("auth module account queries", () => {
  const app = freshApp();
  const n = BigInt(KEYS.length);

  it("creates genesis module accounts after the genesis accounts, in upstream's InitGenesis order", () => {
    MODULES_AT_GENESIS.forEach((name, i) => {
      const any = decodeQueryAccountResponse(
        ok(app, AUTH_QUERY_PATHS.ModuleAccountByName, encodeQueryModuleAccountByNameRequest({ name })),
      );
      assert.equal(any.typeUrl, MODULE_ACCOUNT_URL);
      const m = decodeModuleAccount(any.value);
      assert.equal(m.name, name);
      assert.equal(m.baseAccount.accountNumber, n + BigInt(i));
      assert.equal(m.baseAccount.address, encodeAddress(moduleAddress(name)));
    });
    const gov = decodeModuleAccount(
      decodeQueryAccountResponse(
        ok(app, AUTH_QUERY_PATHS.ModuleAccountByName, encodeQueryModuleAccountByNameRequest({ name: "gov" })),
      ).value,
    );
    assert.deepEqual(gov, {
      baseAccount: {
        address: "secret10d07y265gmmuvt4z0w9aw880jnsr700jc88vt0",
        pubKey: undefined,
        accountNumber: n + 4n,
        sequence: 0n,
      },
      name: "gov",
      permissions: ["burner"],
    });
  });

  it("lists every module account by name; one not created yet shows the next number and is not written", () => {
    const list = decodeQueryModuleAccountsResponse(ok(app, AUTH_QUERY_PATHS.ModuleAccounts)).map((a) =>
      decodeModuleAccount(a.value),
    );
    const names = list.map((m) => m.name);
    assert.deepEqual(names, [...names].sort());
    assert.deepEqual(new Set(names), new Set([...MODULES_AT_GENESIS, "compute"]));
    const compute = list.find((m) => m.name === "compute")!;
    assert.deepEqual(compute.permissions, ["burner"]);
    assert.equal(compute.baseAccount.accountNumber, n + 6n);
    assert.equal(compute.baseAccount.address, encodeAddress(moduleAddress("compute")));
    const perms = Object.fromEntries(list.map((m) => [m.name, m.permissions]));
    assert.deepEqual(perms.bonded_tokens_pool, ["burner", "staking"]);
    assert.deepEqual(perms.mint, ["minter"]);
    assert.deepEqual(perms.fee_collector, []);
    // The query wrote nothing: compute is still absent from the accounts and its number unused.
    const { accounts } = accountsPage(app);
    assert.ok(!accounts.some((a) => toHex(addressOf(a)) === toHex(moduleAddress("compute"))));
    const byId = app.query(
      AUTH_QUERY_PATHS.AccountAddressByID,
      encodeQueryAccountAddressByIdRequest({ accountId: n + 6n }),
    );
    assert.equal(byId.code, 22);
  });

  it("refuses an empty or unknown module name with upstream's gRPC statuses", () => {
    assert.deepEqual(
      fails(app, AUTH_QUERY_PATHS.ModuleAccountByName, encodeQueryModuleAccountByNameRequest({ name: "" })),
      {
        code: 18,
        codespace: "sdk",
        log: "rpc error: code = InvalidArgument desc = module name is empty: invalid request",
      },
    );
    assert.deepEqual(
      fails(app, AUTH_QUERY_PATHS.ModuleAccountByName, encodeQueryModuleAccountByNameRequest({ name: "transfer" })),
      {
        code: 22,
        codespace: "sdk",
        log: "rpc error: code = NotFound desc = account transfer not found: key not found",
      },
    );
  });
});

describe("auth address and account info queries", () => {
  const app = freshApp();
  const key = KEYS[3]!;

  it("AccountAddressByID: by account_id; the deprecated id and unknown numbers are refused", () => {
    const text = decodeStringMessage(
      ok(app, AUTH_QUERY_PATHS.AccountAddressByID, encodeQueryAccountAddressByIdRequest({ accountId: 3n })),
      "QueryAccountAddressByIDResponse",
    );
    assert.equal(text, key.bech32);
    const fee = decodeStringMessage(
      ok(
        app,
        AUTH_QUERY_PATHS.AccountAddressByID,
        encodeQueryAccountAddressByIdRequest({ accountId: BigInt(KEYS.length) }),
      ),
      "r",
    );
    assert.equal(fee, "secret17xpfvakm2amg962yls6f84z3kell8c5ljuhfkp");
    assert.equal(
      fails(app, AUTH_QUERY_PATHS.AccountAddressByID, encodeQueryAccountAddressByIdRequest({ id: 1n, accountId: 3n }))
        .log,
      "rpc error: code = InvalidArgument desc = requesting with id isn't supported, try to request using account-id: invalid request",
    );
    assert.equal(
      fails(app, AUTH_QUERY_PATHS.AccountAddressByID, encodeQueryAccountAddressByIdRequest({ accountId: 999n })).log,
      "rpc error: code = NotFound desc = account address not found with account number 999: key not found",
    );
  });

  it("AccountInfo: a BaseAccount view of any account; unknown and empty addresses refused", () => {
    const info = decodeQueryAccountInfoResponse(ok(app, AUTH_QUERY_PATHS.AccountInfo, encodeStringMessage(key.bech32)));
    assert.deepEqual(info, { address: key.bech32, pubKey: undefined, accountNumber: 3n, sequence: 0n });
    const gov = encodeAddress(moduleAddress("gov"));
    const govInfo = decodeQueryAccountInfoResponse(ok(app, AUTH_QUERY_PATHS.AccountInfo, encodeStringMessage(gov)));
    assert.equal(govInfo?.accountNumber, BigInt(KEYS.length) + 4n);
    const nobody = testKey("nobody").bech32;
    assert.equal(fails(app, AUTH_QUERY_PATHS.AccountInfo, encodeStringMessage(nobody)).code, 22);
    assert.equal(
      fails(app, AUTH_QUERY_PATHS.AccountInfo, new Uint8Array(0)).log,
      "rpc error: code = InvalidArgument desc = address cannot be empty: invalid request",
    );
  });

  it("Bech32Prefix and the two address conversions", () => {
    assert.equal(decodeStringMessage(ok(app, AUTH_QUERY_PATHS.Bech32Prefix), "r"), "secret");
    const text = decodeStringMessage(
      ok(app, AUTH_QUERY_PATHS.AddressBytesToString, encodeBytesMessage(key.address)),
      "r",
    );
    assert.equal(text, key.bech32);
    const bytes = decodeBytesMessage(ok(app, AUTH_QUERY_PATHS.AddressStringToBytes, encodeStringMessage(text)), "r");
    assert.equal(toHex(bytes), toHex(key.address));
    const long = new Uint8Array(32).fill(7);
    assert.equal(
      decodeStringMessage(ok(app, AUTH_QUERY_PATHS.AddressBytesToString, encodeBytesMessage(long)), "r"),
      encodeAddress(long),
    );
    assert.deepEqual(fails(app, AUTH_QUERY_PATHS.AddressBytesToString, encodeBytesMessage(new Uint8Array(5))), {
      code: 9,
      codespace: "sdk",
      log: "address length must be 20 or 32 bytes, got 5: unknown address",
    });
    assert.equal(
      fails(app, AUTH_QUERY_PATHS.AddressBytesToString, new Uint8Array(0)).log,
      "rpc error: code = Unknown desc = empty address bytes is not allowed: invalid request",
    );
    assert.equal(
      fails(app, AUTH_QUERY_PATHS.AddressStringToBytes, encodeStringMessage("  ")).log,
      "rpc error: code = Unknown desc = empty address string is not allowed: invalid request",
    );
  });

  it("address parse errors carry upstream's codes and btcutil's texts", () => {
    const cosmos = bech32Encode("cosmos", key.address);
    assert.deepEqual(fails(app, AUTH_QUERY_PATHS.AddressStringToBytes, encodeStringMessage(cosmos)), {
      code: 35,
      codespace: "sdk",
      log: "hrp does not match bech32 prefix: expected 'secret' got 'cosmos': internal logic error",
    });
    // A corrupted checksum: the text names the checksum the data really has (the original one).
    const good = key.bech32;
    const last = good[good.length - 1] === "q" ? "p" : "q";
    const bad = good.slice(0, -1) + last;
    const r = fails(app, AUTH_QUERY_PATHS.Account, encodeQueryAccountRequest({ address: bad }));
    assert.equal(r.code, 18);
    const expectedChecksum = good.slice(-6);
    assert.match(
      r.log,
      new RegExp(
        `^rpc error: code = Unknown desc = decoding bech32 failed: invalid checksum \\(expected \\(bech32=${expectedChecksum}, bech32m=[a-z0-9]{6}\\), got ${bad.slice(-6)}\\): invalid request$`,
      ),
    );
    assert.match(
      fails(app, AUTH_QUERY_PATHS.Account, encodeQueryAccountRequest({ address: "secret1xyz" })).log,
      /decoding bech32 failed: invalid separator index 6: invalid request$/,
    );
    assert.match(
      fails(app, AUTH_QUERY_PATHS.Account, encodeQueryAccountRequest({ address: "secret1qqqqqqqqqqqqqb" })).log,
      /decoding bech32 failed: invalid character not part of charset: 98/,
    );
    assert.equal(
      fails(app, AUTH_QUERY_PATHS.Account, encodeQueryAccountRequest({ address: "" })).log,
      "rpc error: code = InvalidArgument desc = Address cannot be empty: invalid request",
    );
    const short = bech32Encode("secret", new Uint8Array(19).fill(1));
    assert.equal(
      fails(app, AUTH_QUERY_PATHS.Account, encodeQueryAccountRequest({ address: short })).log,
      "address length must be 20 or 32 bytes, got 19: unknown address",
    );
  });

  it("Params answers the stored params and refuses unknown request fields", () => {
    const p = decodeAuthParams(decodeParamsResponse(ok(app, AUTH_QUERY_PATHS.Params)));
    assert.equal(p.txSigLimit, 7n);
    assert.equal(app.query(AUTH_QUERY_PATHS.Params, Uint8Array.of(0x08, 0x01)).code, 18);
  });
});

describe("auth genesis as upstream's InitGenesis", () => {
  it("renumbers duplicated account numbers to the lowest unused ones (add-genesis-account writes 0s)", () => {
    const keys = KEYS.slice(0, 5);
    const g = genesisFor(keys.map((key) => ({ key, coins: [{ denom: "uscrt", amount: "1" }] })));
    const accounts = (g.appState as { auth: { accounts: Array<Record<string, unknown>> } }).auth.accounts;
    for (const a of accounts) a.account_number = "0";
    accounts[2]!.account_number = "1";
    const app = newApp();
    app.initChain(g);
    const numberOf = (k: TestKey) =>
      decodeBaseAccount(
        decodeQueryAccountResponse(ok(app, AUTH_QUERY_PATHS.Account, encodeQueryAccountRequest({ address: k.bech32 })))
          .value,
      ).accountNumber;
    // First holder of 0 keeps it, key 2 keeps 1; the other zeros take 2, 3, 4 in genesis order.
    assert.deepEqual(keys.map(numberOf), [0n, 2n, 1n, 3n, 4n]);
    const fee = decodeModuleAccount(
      decodeQueryAccountResponse(
        ok(app, AUTH_QUERY_PATHS.ModuleAccountByName, encodeQueryModuleAccountByNameRequest({ name: "fee_collector" })),
      ).value,
    );
    assert.equal(fee.baseAccount.accountNumber, 5n);
  });

  it("refuses an account whose public key is not its address's, and a module account off its name", () => {
    const [a, b] = [KEYS[0]!, KEYS[1]!];
    const g = genesisFor([{ key: a, coins: [] }]);
    const state = g.appState as { auth: { accounts: Array<Record<string, unknown>> } };
    state.auth.accounts[0]!.pub_key = {
      "@type": pubKeyAny(b.pubKey).typeUrl,
      key: Buffer.from(b.pubKey).toString("base64"),
    };
    assert.throws(() => newApp().initChain(g), /account address and pubkey address do not match/);
    const g2 = genesisFor([{ key: a, coins: [] }]);
    (g2.appState as { auth: { accounts: unknown[] } }).auth.accounts.push({
      "@type": MODULE_ACCOUNT_URL,
      base_account: { address: b.bech32, pub_key: null, account_number: "7", sequence: "0" },
      name: "gov",
      permissions: ["burner"],
    });
    assert.throws(() => newApp().initChain(g2), /cannot be derived from the module name 'gov'/);
  });
});

describe("auth queries through the LCD with secretjs", () => {
  let backend: TestBackend;
  let server: LcdServer;
  let url: string;

  before(async () => {
    const app = newApp();
    app.initChain(genesisFor(KEYS.map((key) => ({ key, coins: [{ denom: "uscrt", amount: "1000" }] }))));
    backend = new TestBackend(app, CHAIN_ID);
    backend.produceBlock([]);
    server = await startLcdServer({ backend, host: "127.0.0.1", port: 0 });
    url = `http://127.0.0.1:${server.port}`;
  });

  after(async () => {
    await server.close();
  });

  it("query.auth.accounts(): the first page holds every test account as a BaseAccount (§9)", async () => {
    const { SecretNetworkClient } = require("secretjs") as {
      SecretNetworkClient: new (o: { url: string; chainId: string }) => {
        query: {
          auth: {
            accounts(req: Record<string, unknown>): Promise<{
              accounts?: Array<Record<string, unknown>>;
              pagination?: { next_key?: unknown; total?: string };
            }>;
            moduleAccountByName(req: { name: string }): Promise<{ account?: Record<string, unknown> }>;
          };
        };
      };
    };
    const client = new SecretNetworkClient({ url, chainId: CHAIN_ID });
    const { accounts, pagination } = await client.query.auth.accounts({});
    assert.ok(accounts !== undefined);
    assert.equal(accounts.length, KEYS.length + MODULES_AT_GENESIS.length);
    for (const k of KEYS) {
      const found: Record<string, unknown> | undefined = accounts.find((a) => a.address === k.bech32);
      assert.ok(found !== undefined, `${k.bech32} listed`);
      assert.equal(found["@type"], "/cosmos.auth.v1beta1.BaseAccount");
    }
    assert.equal(pagination?.total, String(accounts.length));
    assert.equal(pagination?.next_key, null);
    const { account } = await client.query.auth.moduleAccountByName({ name: "mint" });
    assert.equal(account?.["@type"], "/cosmos.auth.v1beta1.ModuleAccount");
    assert.deepEqual(account?.permissions, ["minter"]);
  });

  it("pages over REST with next_key in base64 and renders the gateway errors", async () => {
    const first = (await (await fetch(`${url}/cosmos/auth/v1beta1/accounts?pagination.limit=2`)).json()) as {
      accounts: Array<Record<string, unknown>>;
      pagination: { next_key: string; total: string };
    };
    assert.equal(first.accounts.length, 2);
    assert.equal(first.pagination.total, "0");
    const key = Uint8Array.from(Buffer.from(first.pagination.next_key, "base64"));
    const second = (await (
      await fetch(
        `${url}/cosmos/auth/v1beta1/accounts?pagination.limit=1&pagination.key=${encodeURIComponent(first.pagination.next_key)}`,
      )
    ).json()) as { accounts: Array<{ address?: string; base_account?: { address: string } }> };
    const addr = second.accounts[0]!.address ?? second.accounts[0]!.base_account!.address;
    assert.equal(toHex(decodeAddress(addr)), toHex(key));
    const byId = await fetch(`${url}/cosmos/auth/v1beta1/address_by_id/0?`);
    assert.deepEqual(await byId.json(), { account_address: KEYS[0]!.bech32 });
    const missing = await fetch(`${url}/cosmos/auth/v1beta1/module_accounts/nope`);
    assert.equal(missing.status, 404);
    assert.deepEqual(await missing.json(), { code: 5, message: "account nope not found", details: [] });
    const info = await fetch(`${url}/cosmos/auth/v1beta1/account_info/${KEYS[2]!.bech32}`);
    assert.deepEqual(await info.json(), {
      info: { address: KEYS[2]!.bech32, pub_key: null, account_number: "2", sequence: "0" },
    });
    // A plain Go error of the handler: gRPC Unknown with its bare text (upstream returns it unwrapped).
    const malformed = await fetch(`${url}/cosmos/auth/v1beta1/accounts/secret1xyz`);
    assert.equal(malformed.status, 500);
    assert.deepEqual(await malformed.json(), {
      code: 2,
      message: "decoding bech32 failed: invalid separator index 6",
      details: [],
    });
    const bad = await fetch(`${url}/cosmos/auth/v1beta1/accounts/${bech32Encode("cosmos", KEYS[0]!.address)}`);
    assert.equal(bad.status, 500);
    assert.deepEqual(await bad.json(), {
      code: 2,
      message:
        "codespace sdk code 35: internal logic error: hrp does not match bech32 prefix: expected 'secret' got 'cosmos'",
      details: [],
    });
  });
});
