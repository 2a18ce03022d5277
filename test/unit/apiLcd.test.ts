/**
 * The LCD server against a real SecretApp behind a test backend: driven by the real secretjs client
 * (queries, a signed bank send read back with getTx/txsQuery, simulate) and by raw fetch for the
 * gateway JSON shapes and every error answer (chain-api.md §1.3–1.4, §4, §7).
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import { after, before, describe, it } from "node:test";
import { startLcdServer, type LcdServer } from "../../src/api/lcd/index.ts";
import { moduleAddress } from "../../src/app/index.ts";
import { toBase64 } from "../../src/primitives/base64.ts";
import { encodeAddress } from "../../src/primitives/bech32.ts";
import { CHAIN_ID, genesisForAddresses, newApp, sendMsg, signTx, testKey } from "../helpers/appTx.ts";
import { MNEMONICS, Wallet } from "../helpers/secretjsTx.ts";
import { TestBackend } from "./apiLcdBackend.ts";

const require = createRequire(import.meta.url);

/** Gateway JSON as the tests walk it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyJson = any;

interface TxResponseLike {
  readonly code: number;
  readonly transactionHash: string;
  readonly height: number;
  readonly rawLog: string;
  readonly gasUsed: number;
  readonly arrayLog?: ReadonlyArray<{ msg: number; type: string; key: string; value: string }>;
  readonly tx: { body: { messages: Array<Record<string, unknown>> } };
}

interface SecretjsClient {
  readonly address: string;
  readonly query: {
    readonly bank: {
      balance(req: { address: string; denom: string }): Promise<{ balance?: { denom: string; amount: string } }>;
    };
    readonly auth: {
      account(req: { address: string }): Promise<Record<string, unknown> | undefined>;
      params(req: Record<string, never>): Promise<{ params?: Record<string, unknown> }>;
    };
    readonly tendermint: {
      getNodeInfo(req: Record<string, never>): Promise<{ default_node_info?: { network?: string } }>;
      getLatestBlock(req: Record<string, never>): Promise<{ block?: { header?: { height?: string; time?: string } } }>;
    };
    readonly registration: { txKey(req: Record<string, never>): Promise<{ key?: string | Uint8Array }> };
    getTx(hash: string): Promise<TxResponseLike | null>;
    txsQuery(query: string): Promise<TxResponseLike[]>;
  };
  readonly tx: {
    readonly bank: {
      send: ((msg: unknown, opts?: Record<string, unknown>) => Promise<TxResponseLike>) & {
        simulate(
          msg: unknown,
          opts?: Record<string, unknown>,
        ): Promise<{ gas_info?: { gas_used?: string; gas_wanted?: string } }>;
      };
    };
  };
}

const { SecretNetworkClient } = require("secretjs") as {
  SecretNetworkClient: new (o: {
    url: string;
    chainId: string;
    wallet?: unknown;
    walletAddress?: string;
  }) => SecretjsClient;
};

const walletA = new Wallet(MNEMONICS.a);
const walletB = new Wallet(MNEMONICS.b);
const other = testKey("lcd other");
const IO_KEY = Uint8Array.from({ length: 32 }, (_, i) => i + 1);
const NODE_KEY = Uint8Array.from({ length: 32 }, (_, i) => 100 + i);
const START = 1_000_000_000_000n;
const FEE_COLLECTOR = encodeAddress(moduleAddress("fee_collector"));

function genesis(): { chainId: string; appState: unknown } {
  const accounts = [walletA.address, walletB.address, other.bech32];
  return genesisForAddresses(
    accounts.map((address) => ({ address, coins: [{ denom: "uscrt", amount: START.toString() }] })),
    { register: { node_exch_key: toBase64(NODE_KEY), io_exch_key: toBase64(IO_KEY) } },
  );
}

let backend: TestBackend;
let server: LcdServer;
let url: string;

async function get(
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: AnyJson; headers: Headers }> {
  const r = await fetch(`${url}${path}`, { headers });
  const text = await r.text();
  return { status: r.status, body: text === "" ? undefined : JSON.parse(text), headers: r.headers };
}

async function post(
  path: string,
  body: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: AnyJson }> {
  const r = await fetch(`${url}${path}`, { method: "POST", body, headers });
  return { status: r.status, body: JSON.parse(await r.text()) };
}

function assertGatewayError(
  r: { status: number; body: AnyJson },
  status: number,
  code: number,
  message?: RegExp,
): void {
  assert.equal(r.status, status, JSON.stringify(r.body));
  assert.deepEqual(Object.keys(r.body), ["code", "message", "details"]);
  assert.equal(r.body.code, code);
  assert.deepEqual(r.body.details, []);
  assert.equal(typeof r.body.message, "string");
  if (message) assert.match(r.body.message, message);
}

before(async () => {
  const app = newApp();
  app.initChain(genesis());
  backend = new TestBackend(app, CHAIN_ID);
  backend.produceBlock([]); // height 1
  server = await startLcdServer({ backend, host: "127.0.0.1", port: 0, maxBodyBytes: 64 * 1024 });
  url = `http://127.0.0.1:${server.port}`;
});

after(async () => {
  await server.close();
});

describe("LCD with the real secretjs client", () => {
  let client: SecretjsClient;
  let sendHash = "";
  before(() => {
    client = new SecretNetworkClient({ url, chainId: CHAIN_ID, wallet: walletA, walletAddress: walletA.address });
  });

  it("answers secretjs's queries: balance, account, params, node info, latest block, tx key", async () => {
    const { balance } = await client.query.bank.balance({ address: walletA.address, denom: "uscrt" });
    assert.deepEqual(balance, { denom: "uscrt", amount: START.toString() });
    const { account } = (await client.query.auth.account({ address: walletB.address })) as {
      account: Record<string, unknown>;
    };
    assert.deepEqual(account, {
      "@type": "/cosmos.auth.v1beta1.BaseAccount",
      address: walletB.address,
      pub_key: null,
      account_number: "1",
      sequence: "0",
    });
    const { params } = await client.query.auth.params({});
    assert.deepEqual(params, {
      max_memo_characters: "256",
      tx_sig_limit: "7",
      tx_size_cost_per_byte: "10",
      sig_verify_cost_ed25519: "590",
      sig_verify_cost_secp256k1: "1000",
    });
    const info = await client.query.tendermint.getNodeInfo({});
    assert.equal(info.default_node_info?.network, CHAIN_ID);
    const latest = await client.query.tendermint.getLatestBlock({});
    assert.equal(latest.block?.header?.height, String(backend.app.lastHeight));
    assert.match(latest.block?.header?.time ?? "", /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
    const { key } = await client.query.registration.txKey({});
    assert.equal(key, toBase64(IO_KEY));
  });

  it("simulates a bank send with the gas the app measures", async () => {
    const sim = await client.tx.bank.send.simulate({
      from_address: walletA.address,
      to_address: walletB.address,
      amount: [{ denom: "uscrt", amount: "1" }],
    });
    const direct = backend.app.simulate(new Uint8Array(0));
    assert.notEqual(direct.code, 0); // the raw app refuses empty bytes: the LCD did pass real bytes
    assert.ok(Number(sim.gas_info?.gas_used) > 1000, JSON.stringify(sim));
    assert.equal(sim.gas_info?.gas_wanted, "18446744073709551615");
  });

  it("signs, broadcasts and reads back a bank send (getTx, txsQuery, balances)", async () => {
    const height = backend.app.lastHeight;
    const result = await client.tx.bank.send(
      { from_address: walletA.address, to_address: walletB.address, amount: [{ denom: "uscrt", amount: "7" }] },
      { broadcastCheckIntervalMs: 20, gasLimit: 25_000 },
    );
    assert.equal(result.code, 0, result.rawLog);
    assert.equal(result.height, height + 1);
    assert.match(result.transactionHash, /^[0-9A-F]{64}$/);
    sendHash = result.transactionHash;
    assert.deepEqual(Object.keys(result.tx.body.messages[0]!), ["@type", "from_address", "to_address", "amount"]);
    assert.ok(
      result.arrayLog?.some(
        (l) => l.type === "message" && l.key === "action" && l.value === "/cosmos.bank.v1beta1.MsgSend",
      ),
    );

    const again = await client.query.getTx(sendHash);
    assert.equal(again?.transactionHash, sendHash);
    assert.equal(again?.gasUsed, result.gasUsed);
    const found = await client.query.txsQuery(`message.action='/cosmos.bank.v1beta1.MsgSend'`);
    assert.deepEqual(
      found.map((t) => t.transactionHash),
      [sendHash],
    );
    const a = await client.query.bank.balance({ address: walletA.address, denom: "uscrt" });
    assert.equal(BigInt(a.balance!.amount), START - 7n - 2500n);
    const missing = await client.query.getTx("AB".repeat(32));
    assert.equal(missing, null);
  });

  it("renders GetTx in the gateway's exact shape", async () => {
    assert.notEqual(sendHash, "");
    const r = await get(`/cosmos/tx/v1beta1/txs/${sendHash.toLowerCase()}?`);
    assert.equal(r.status, 200);
    const t = r.body.tx_response;
    assert.deepEqual(Object.keys(t), [
      "height",
      "txhash",
      "codespace",
      "code",
      "data",
      "raw_log",
      "logs",
      "info",
      "gas_wanted",
      "gas_used",
      "tx",
      "timestamp",
      "events",
    ]);
    assert.equal(t.txhash, sendHash);
    assert.equal(t.code, 0);
    assert.equal(t.data, "12260A242F636F736D6F732E62616E6B2E763162657461312E4D736753656E64526573706F6E7365");
    assert.equal(t.gas_wanted, "25000");
    assert.match(t.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.deepEqual(t.logs, []);
    assert.equal(t.tx["@type"], "/cosmos.tx.v1beta1.Tx");
    assert.deepEqual(r.body.tx, (({ "@type": _t, ...rest }) => rest)(t.tx));
    assert.deepEqual(t.tx.body.messages[0], {
      "@type": "/cosmos.bank.v1beta1.MsgSend",
      from_address: walletA.address,
      to_address: walletB.address,
      amount: [{ denom: "uscrt", amount: "7" }],
    });
    assert.deepEqual(
      { ...t.tx.body, messages: [] },
      { messages: [], memo: "", timeout_height: "0", extension_options: [], non_critical_extension_options: [] },
    );
    const signer = t.tx.auth_info.signer_infos[0];
    assert.deepEqual(signer, {
      public_key: { "@type": "/cosmos.crypto.secp256k1.PubKey", key: toBase64(walletA.publicKey) },
      mode_info: { single: { mode: "SIGN_MODE_DIRECT" } },
      sequence: "0",
    });
    assert.deepEqual(t.tx.auth_info.fee, {
      amount: [{ denom: "uscrt", amount: "2500" }],
      gas_limit: "25000",
      payer: "",
      granter: "",
    });
    assert.equal(t.tx.auth_info.tip, null);
    assert.equal(t.tx.signatures.length, 1);
    assert.deepEqual(t.events[0], {
      type: "coin_spent",
      attributes: [
        { key: "spender", value: walletA.address, index: true },
        { key: "amount", value: "2500uscrt", index: true },
      ],
    });
    assert.equal(t.events[1].attributes[0].value, FEE_COLLECTOR);
    const again = await get(`/cosmos/tx/v1beta1/txs/${sendHash}`);
    assert.deepEqual(again.body, r.body);

    // The JSON is complete: encoding it back gives the bytes secretjs signed (their sha256 is the hash).
    const encoded = await post("/cosmos/tx/v1beta1/encode", JSON.stringify({ tx: r.body.tx }));
    assert.equal(encoded.status, 200, JSON.stringify(encoded.body));
    const bytes = Buffer.from(encoded.body.tx_bytes as string, "base64");
    assert.equal(createHash("sha256").update(bytes).digest("hex").toUpperCase(), sendHash);
    const decoded = await post("/cosmos/tx/v1beta1/decode", JSON.stringify({ tx_bytes: encoded.body.tx_bytes }));
    assert.deepEqual(decoded.body, { tx: r.body.tx });
    assertGatewayError(
      await post(
        "/cosmos/tx/v1beta1/encode",
        JSON.stringify({ tx: { body: { messages: [{ "@type": "/no.Such" }] } } }),
      ),
      400,
      3,
      /unknown Any type/,
    );
  });

  it("pages a tx search and accepts the deprecated events parameter", async () => {
    const q = encodeURIComponent(`message.sender='${walletA.address}'`);
    const r = await get(`/cosmos/tx/v1beta1/txs?events=${q}&pagination.limit=1&limit=1&page=1&order_by=ORDER_BY_DESC`);
    assert.equal(r.status, 200);
    assert.equal(r.body.total, "1");
    assert.equal(r.body.pagination, null);
    assert.equal(r.body.tx_responses[0].txhash, sendHash);
    assert.equal(r.body.txs.length, 1);
    const page2 = await get(`/cosmos/tx/v1beta1/txs?query=${q}&limit=1&page=2`);
    assert.deepEqual(page2.body.tx_responses, []);
    assert.equal(page2.body.total, "1");
  });
});

describe("LCD broadcast and simulate over raw HTTP", () => {
  it("answers a CheckTx rejection with 200 and the codes, and async with the hash only", async () => {
    const stale = signTx({
      messages: [sendMsg(other.bech32, walletA.address, [{ denom: "uscrt", amount: "1" }])],
      signer: other,
      accountNumber: 2n,
      sequence: 5n,
    });
    const r = await post(
      "/cosmos/tx/v1beta1/txs",
      JSON.stringify({ txBytes: toBase64(stale), mode: "BROADCAST_MODE_SYNC" }),
    );
    assert.equal(r.status, 200);
    assert.equal(r.body.tx_response.code, 32);
    assert.equal(r.body.tx_response.codespace, "sdk");
    assert.match(
      r.body.tx_response.raw_log,
      /^account sequence mismatch, expected 0, got 5: incorrect account sequence$/,
    );
    assert.equal(r.body.tx_response.height, "0");
    assert.equal(r.body.tx_response.tx, null);

    const good = signTx({
      messages: [sendMsg(other.bech32, walletA.address, [{ denom: "uscrt", amount: "3" }])],
      signer: other,
      accountNumber: 2n,
      sequence: 0n,
    });
    const count = backend.broadcastCount;
    const a = await post("/cosmos/tx/v1beta1/txs", JSON.stringify({ tx_bytes: toBase64(good), mode: 3 }), {
      "content-type": "application/json",
    });
    assert.equal(a.status, 200);
    assert.equal(a.body.tx_response.code, 0);
    const hash = a.body.tx_response.txhash as string;
    assert.match(hash, /^[0-9A-F]{64}$/);
    for (let i = 0; i < 50 && backend.tx(Buffer.from(hash, "hex")) === undefined; i++)
      await new Promise((res) => setTimeout(res, 10));
    assert.equal(backend.broadcastCount, count + 1);
    const got = await get(`/cosmos/tx/v1beta1/txs/${hash}`);
    assert.equal(got.status, 200);
    assert.equal(got.body.tx_response.code, 0);
  });

  it("refuses empty tx bytes, the block mode and malformed bodies", async () => {
    assertGatewayError(
      await post("/cosmos/tx/v1beta1/txs", JSON.stringify({ mode: "BROADCAST_MODE_SYNC" })),
      400,
      3,
      /^invalid empty tx$/,
    );
    const tx = toBase64(
      signTx({
        messages: [sendMsg(other.bech32, walletA.address, [{ denom: "uscrt", amount: "1" }])],
        signer: other,
        accountNumber: 2n,
        sequence: 9n,
      }),
    );
    assertGatewayError(
      await post("/cosmos/tx/v1beta1/txs", JSON.stringify({ txBytes: tx, mode: "BROADCAST_MODE_BLOCK" })),
      500,
      2,
      /^unsupported return type block; supported types: sync, async$/,
    );
    assertGatewayError(
      await post("/cosmos/tx/v1beta1/txs", JSON.stringify({ txBytes: tx, mode: "BROADCAST_MODE_FAST" })),
      400,
      3,
      /invalid broadcast mode/,
    );
    assertGatewayError(await post("/cosmos/tx/v1beta1/txs", "{not json"), 400, 3, /malformed JSON body/);
    assertGatewayError(await post("/cosmos/tx/v1beta1/txs", "[1,2]"), 400, 3);
    assertGatewayError(
      await post("/cosmos/tx/v1beta1/txs", JSON.stringify({ txBytes: "%%%", mode: 2 })),
      400,
      3,
      /base64/,
    );
    assertGatewayError(await post("/cosmos/tx/v1beta1/simulate", "{}"), 400, 3, /^empty txBytes is not allowed$/);
  });

  it("refuses an oversized body with 413 and keeps serving", async () => {
    const big = JSON.stringify({ txBytes: "A".repeat(100 * 1024) });
    const r = await post("/cosmos/tx/v1beta1/txs", big);
    assert.equal(r.status, 413);
    assert.equal(r.body.code, 8);
    assert.deepEqual(r.body.details, []);
    const ok = await get("/cosmos/base/tendermint/v1beta1/syncing");
    assert.deepEqual(ok.body, { syncing: false });
  });

  it("reports a failing simulation as the ABCI route does", async () => {
    const poor = testKey("lcd nobody");
    const tx = signTx({
      messages: [sendMsg(poor.bech32, walletA.address, [{ denom: "uscrt", amount: "1" }])],
      signer: poor,
      accountNumber: 0n,
      sequence: 0n,
    });
    const r = await post("/cosmos/tx/v1beta1/simulate", JSON.stringify({ txBytes: toBase64(tx) }));
    assertGatewayError(
      r,
      500,
      2,
      /^rpc error: code = Unknown desc = .+ With gas wanted: '18446744073709551615' and gas used: '\d+' : unknown request$/,
    );
  });

  it("simulates with msg_responses as Any JSON and b64 data", async () => {
    const seq = BigInt((await get(`/cosmos/auth/v1beta1/accounts/${other.bech32}`)).body.account.sequence);
    const tx = signTx({
      messages: [sendMsg(other.bech32, walletB.address, [{ denom: "uscrt", amount: "1" }])],
      signer: other,
      accountNumber: 2n,
      sequence: seq,
    });
    const r = await post("/cosmos/tx/v1beta1/simulate", JSON.stringify({ txBytes: toBase64(tx) }));
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(r.body.result.msg_responses, [{ "@type": "/cosmos.bank.v1beta1.MsgSendResponse" }]);
    assert.equal(r.body.result.data, "EiYKJC9jb3Ntb3MuYmFuay52MWJldGExLk1zZ1NlbmRSZXNwb25zZQ==");
    assert.equal(r.body.result.log, "");
    assert.ok(r.body.result.events.some((e: { type: string }) => e.type === "transfer"));
  });
});

describe("LCD queries, routing and errors over raw HTTP", () => {
  it("answers 404 with the gateway message for an unknown tx and 400 for a bad hash", async () => {
    const hash = "ab".repeat(32);
    assertGatewayError(await get(`/cosmos/tx/v1beta1/txs/${hash}?`), 404, 5, new RegExp(`^tx not found: ${hash}$`));
    assertGatewayError(await get(`/cosmos/tx/v1beta1/txs/xyz`), 400, 3);
  });

  it("maps module query errors: not found, invalid argument, unrouted module", async () => {
    const nobody = testKey("lcd never funded").bech32;
    assertGatewayError(
      await get(`/cosmos/auth/v1beta1/accounts/${nobody}?`),
      404,
      5,
      new RegExp(`^account ${nobody} not found$`),
    );
    // upstream answers the bech32 decoder's error unwrapped (gRPC Unknown)
    assertGatewayError(
      await get(`/cosmos/auth/v1beta1/accounts/secret1xyz`),
      500,
      2,
      /^decoding bech32 failed: invalid separator index 6$/,
    );
    assertGatewayError(
      await get(`/cosmos/feegrant/v1beta1/allowances/${nobody}`),
      500,
      2,
      /^codespace sdk code 6: unknown request: unknown query path \/cosmos\.feegrant\.v1beta1\.Query\/Allowances$/,
    );
    assertGatewayError(
      await get(`/cosmos/staking/v1beta1/validators?status=NOT_A_STATUS`),
      400,
      3,
      /^invalid validator status NOT_A_STATUS$/,
    );
    assertGatewayError(
      await get(`/cosmos/bank/v1beta1/balances/${nobody}?pagination.limit=abc`),
      400,
      3,
      /invalid integer/,
    );
  });

  it("answers unknown routes 501 and wrong methods 501 in the gateway shape", async () => {
    assertGatewayError(await get("/cosmos/nothing/here"), 501, 12, /^Not Implemented$/);
    assertGatewayError(await post("/cosmos/base/tendermint/v1beta1/syncing", "{}"), 501, 12);
    assertGatewayError(await get("/cosmos/tx/v1beta1/simulate"), 501, 12);
  });

  it("collapses repeated slashes, accepts a trailing ? and sends CORS headers", async () => {
    const r = await get("//////cosmos/base/tendermint/v1beta1/blocks/latest?");
    assert.equal(r.status, 200);
    assert.equal(r.headers.get("access-control-allow-origin"), "*");
    const pre = await fetch(`${url}/cosmos/tx/v1beta1/txs`, {
      method: "OPTIONS",
      headers: {
        origin: "http://x",
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type",
      },
    });
    assert.equal(pre.status, 204);
    assert.equal(pre.headers.get("access-control-allow-origin"), "*");
    assert.match(pre.headers.get("access-control-allow-methods") ?? "", /POST/);
  });

  it("reads old state with x-cosmos-block-height and echoes the height", async () => {
    const now = await get(`/cosmos/bank/v1beta1/balances/${walletA.address}/by_denom?denom=uscrt`);
    assert.notEqual(now.body.balance.amount, START.toString());
    const old = await get(`/cosmos/bank/v1beta1/balances/${walletA.address}/by_denom?denom=uscrt`, {
      "x-cosmos-block-height": "1",
    });
    assert.deepEqual(old.body, { balance: { denom: "uscrt", amount: START.toString() } });
    assert.equal(old.headers.get("grpc-metadata-x-cosmos-block-height"), "1");
    assertGatewayError(
      await get(`/cosmos/bank/v1beta1/balances/${walletA.address}/by_denom?denom=uscrt`, {
        "x-cosmos-block-height": "x",
      }),
      400,
      3,
    );
    const future = await get(`/cosmos/bank/v1beta1/balances/${walletA.address}/by_denom?denom=uscrt`, {
      "x-cosmos-block-height": "99999",
    });
    assertGatewayError(future, 500, 2, /^codespace sdk code 26: invalid height: /);
  });

  it("lists balances with the pagination object and decodes dotted query keys", async () => {
    const r = await get(
      `/cosmos/bank/v1beta1/balances/${walletB.address}?pagination.limit=10&pagination.count_total=true&unknown=1`,
    );
    assert.equal(r.status, 200);
    assert.deepEqual(Object.keys(r.body), ["balances", "pagination"]);
    assert.equal(r.body.balances[0].denom, "uscrt");
  });

  it("renders blocks, validator sets and node info", async () => {
    const r = await get("/cosmos/base/tendermint/v1beta1/blocks/2");
    assert.equal(r.status, 200);
    const b = backend.block(2)!;
    assert.equal(r.body.block_id.hash, toBase64(b.blockId.hash));
    assert.deepEqual(r.body.block_id.part_set_header, { total: 1, hash: toBase64(b.blockId.partSetHeader.hash) });
    assert.equal(r.body.block.header.height, "2");
    assert.equal(r.body.block.header.time.slice(-11), `.${String(b.header.time.nanos).padStart(9, "0")}Z`);
    assert.equal(r.body.block.header.proposer_address, toBase64(b.header.proposerAddress));
    assert.match(r.body.sdk_block.header.proposer_address, /^secretvalcons1/);
    assert.deepEqual(r.body.block.data.txs, b.txs.map(toBase64));
    assert.equal(r.body.block.last_commit.signatures[0].block_id_flag, "BLOCK_ID_FLAG_COMMIT");
    assert.deepEqual(r.body.block.evidence, { evidence: [] });
    assertGatewayError(await get("/cosmos/base/tendermint/v1beta1/blocks/99999"), 400, 3);
    assertGatewayError(await get("/cosmos/base/tendermint/v1beta1/blocks/abc"), 400, 3);

    const v = await get("/cosmos/base/tendermint/v1beta1/validatorsets/latest");
    assert.equal(v.body.block_height, String(backend.app.lastHeight));
    assert.match(v.body.validators[0].address, /^secretvalcons1/);
    assert.equal(v.body.validators[0].pub_key["@type"], "/cosmos.crypto.ed25519.PubKey");
    assert.equal(v.body.validators[0].voting_power, "10");

    const n = await get("/cosmos/base/tendermint/v1beta1/node_info");
    assert.deepEqual(n.body.default_node_info.protocol_version, { p2p: "8", block: "11", app: "0" });
    assert.equal(n.body.default_node_info.default_node_id, backend.identity().id);

    const bt = await get("/cosmos/tx/v1beta1/txs/block/2");
    assert.equal(bt.status, 200);
    assert.equal(bt.body.txs.length, b.txs.length);
    assert.equal(bt.body.block.header.height, "2");
  });

  it("answers registration queries and the bech32 prefix", async () => {
    const key = await get("/registration/v1beta1/registration-key");
    // upstream's querier answers a JSON document with both keys (registration/internal/keeper/querier.go)
    const doc = JSON.parse(Buffer.from(String(key.body.key), "base64").toString("utf8")) as unknown;
    assert.deepEqual(doc, {
      reg_info: null,
      node_exch_key: { bytes: toBase64(NODE_KEY) },
      io_exch_key: { bytes: toBase64(IO_KEY) },
    });
    const seed = await get(`/registration/v1beta1/encrypted-seed/${Array.from(IO_KEY).join(",")}`);
    assertGatewayError(seed, 500, 2, /^codespace sdk code 9: unknown address: Node has not been authenticated yet$/);
    assert.deepEqual((await get("/cosmos/auth/v1beta1/bech32")).body, { bech32_prefix: "secret" });
    const bytes = await get(`/cosmos/auth/v1beta1/bech32/${walletA.address}`);
    assert.equal(bytes.body.address_bytes, "6FWgD+E+8AUFGh186sfvIcVgbP0=");
  });

  it("renders auth params and a contract-free compute route with the module's error", async () => {
    const p = await get("/cosmos/auth/v1beta1/params");
    assert.equal(p.body.params.tx_sig_limit, "7");
    const c = await get("/compute/v1beta1/code_hash/by_code_id/1");
    assert.equal(c.body.code, 2);
    assert.equal(c.status, 500);
  });
});

describe("LCD when the node fails", () => {
  it("answers 500 Internal in the gateway shape when the backend throws, and keeps serving", async () => {
    const failing = new Proxy(backend, {
      get(target, prop, receiver) {
        if (prop === "abciQuery") {
          return () => {
            throw new Error("store is gone");
          };
        }
        return Reflect.get(target, prop, receiver) as unknown;
      },
    });
    const s = await startLcdServer({ backend: failing, port: 0 });
    try {
      const base = `http://127.0.0.1:${s.port}`;
      const r = await fetch(`${base}/cosmos/auth/v1beta1/params`);
      assertGatewayError({ status: r.status, body: await r.json() }, 500, 13, /^store is gone$/);
      const ok = await fetch(`${base}/cosmos/base/tendermint/v1beta1/syncing`);
      assert.deepEqual(await ok.json(), { syncing: false });
    } finally {
      await s.close();
    }
  });
});
