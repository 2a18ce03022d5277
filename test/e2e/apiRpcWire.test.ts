/**
 * The RPC server's wire behaviour with raw HTTP and WebSocket: URI GET with CometBFT's quoting rules,
 * JSON-RPC single and batch, every error class, exact JSON shapes, and subscriptions.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { connect } from "node:net";
import { WebSocket } from "ws";
import { startRpcServer, type RpcServer } from "../../src/api/rpc/index.ts";
import { balanceKey } from "../../src/app/bank/keys.ts";
import { decodeCoinResponse, encodeQueryBalanceRequest } from "../../src/codec/bank.ts";
import { sha256 } from "../../src/crypto/index.ts";
import { fromBase64, toBase64 } from "../../src/primitives/base64.ts";
import { toHex } from "../../src/primitives/hex.ts";
import { CHAIN_ID, sendMsg, signTx, testKey } from "../helpers/appTx.ts";
import { TestNode } from "../unit/apiRpcTestNode.ts";

const alice = testKey("alice");
const bob = testKey("bob");

type Obj = Record<string, unknown>;

let node: TestNode;
let server: RpcServer;
let base: string;
let sequence = 0n;
let includedTx: Uint8Array;

function send(amount: string, seq = sequence++): Uint8Array {
  return signTx({
    messages: [sendMsg(alice.bech32, bob.bech32, [{ denom: "uscrt", amount }])],
    signer: alice,
    accountNumber: 0n,
    sequence: seq,
  });
}

async function get(path: string): Promise<{ status: number; body: Obj }> {
  const r = await fetch(base + path);
  return { status: r.status, body: (await r.json()) as Obj };
}

async function post(body: string): Promise<{ status: number; text: string }> {
  const r = await fetch(base + "/", { method: "POST", headers: { "content-type": "application/json" }, body });
  return { status: r.status, text: await r.text() };
}

async function call(method: string, params: unknown = {}): Promise<Obj> {
  const r = await post(JSON.stringify({ jsonrpc: "2.0", id: 42, method, params }));
  assert.equal(r.status, 200, r.text);
  const body = JSON.parse(r.text) as Obj;
  assert.equal(body.id, 42);
  return body;
}

async function result(method: string, params: unknown = {}): Promise<Obj> {
  const body = await call(method, params);
  assert.equal(body.error, undefined, JSON.stringify(body.error));
  return body.result as Obj;
}

async function rpcError(method: string, params: unknown = {}): Promise<Obj> {
  const body = await call(method, params);
  assert.equal(body.result, undefined);
  return body.error as Obj;
}

before(async () => {
  node = new TestNode({
    funded: [{ key: alice, coins: [{ denom: "uscrt", amount: "10000000" }] }],
    autoBlocks: false,
    encryptedRandom: true,
  });
  node.produceBlock([]);
  includedTx = send("9");
  node.produceBlock([includedTx]);
  node.produceBlock([]);
  server = await startRpcServer({
    backend: node,
    host: "127.0.0.1",
    port: 0,
    maxBodyBytes: 64 * 1024,
    broadcastTxCommitTimeoutMs: 300,
  });
  base = `http://127.0.0.1:${server.port}`;
});

after(async () => {
  await server.close();
  node.close();
});

describe("apiRpc wire: URI GET", () => {
  it("serves methods without params and lists the routes at /", async () => {
    const status = await get("/status");
    assert.equal(status.status, 200);
    assert.equal(status.body.id, -1);
    assert.equal(((status.body.result as Obj).node_info as Obj).network, CHAIN_ID);
    const root = await fetch(base + "/");
    const html = await root.text();
    assert.match(html, /Available endpoints/);
    assert.match(html, /block\?height=_/);
    assert.match(html, /tx_search\?query=_&prove=_&page=_&per_page=_&order_by=_/);
  });

  it("takes bare or quoted integers, 0x-hex bytes, quoted strings; refuses unquoted strings", async () => {
    const bare = await get("/block?height=2");
    const quoted = await get('/block?height="2"');
    assert.deepEqual(bare.body, quoted.body);
    const header = ((bare.body.result as Obj).block as Obj).header as Obj;
    assert.equal(header.height, "2");

    const hash = toHex(sha256(includedTx));
    const tx = await get(`/tx?hash=0x${hash}`);
    assert.equal(tx.status, 200);
    assert.equal((tx.body.result as Obj).hash, hash.toUpperCase());

    const search = await get(`/tx_search?query=${encodeURIComponent(`"tx.height=2"`)}`);
    assert.equal((search.body.result as Obj).total_count, "1");
    const hexString = await get(`/tx_search?query=0x${Buffer.from("tx.height=2").toString("hex")}`);
    assert.equal((hexString.body.result as Obj).total_count, "1");

    const unquoted = await get("/tx_search?query=tx.height=2");
    assert.equal(unquoted.status, 500);
    assert.equal((unquoted.body.error as Obj).code, -32602);
    assert.match(String((unquoted.body.error as Obj).data), /error converting http params to arguments/);

    const hexInt = await get("/block?height=0x02");
    assert.equal(hexInt.status, 500);
    assert.match(String((hexInt.body.error as Obj).data), /got a hex string arg, but expected 'int'/);
  });

  it("answers method errors with HTTP 500, websocket-only methods with 404, unknown paths with 404", async () => {
    const far = await get("/block?height=999");
    assert.equal(far.status, 500);
    assert.deepEqual(far.body.error, {
      code: -32603,
      message: "Internal error",
      data: "height 999 must be less than or equal to the current blockchain height 3",
    });
    const sub = await get(`/subscribe?query=${encodeURIComponent(`"tm.event='NewBlock'"`)}`);
    assert.equal(sub.status, 404);
    assert.equal((sub.body.error as Obj).code, -32601);
    const unknown = await fetch(base + "/no_such_method");
    assert.equal(unknown.status, 404);
  });
});

describe("apiRpc wire: JSON-RPC over HTTP", () => {
  it("answers a batch in order with ids kept, skipping notifications", async () => {
    const r = await post(
      JSON.stringify([
        { jsonrpc: "2.0", id: 1, method: "health" },
        { jsonrpc: "2.0", method: "health" },
        { jsonrpc: "2.0", id: "two", method: "block", params: { height: "1" } },
        { jsonrpc: "2.0", id: 3, method: "nope" },
        { jsonrpc: "2.0", id: 4, method: "block", params: ["2"] },
      ]),
    );
    assert.equal(r.status, 200);
    const list = JSON.parse(r.text) as Obj[];
    assert.deepEqual(
      list.map((x) => x.id),
      [1, "two", 3, 4],
    );
    assert.deepEqual(list[0]!.result, {});
    assert.equal((((list[1]!.result as Obj).block as Obj).header as Obj).height, "1");
    assert.deepEqual(list[2]!.error, { code: -32601, message: "Method not found" });
    assert.equal((((list[3]!.result as Obj).block as Obj).header as Obj).height, "2");
  });

  it("maps every error class to CometBFT's codes and keeps serving after garbage", async () => {
    const garbage = await post("{not json");
    assert.equal(garbage.status, 500);
    const parse = JSON.parse(garbage.text) as Obj;
    assert.equal((parse.error as Obj).code, -32700);
    assert.equal((parse.error as Obj).message, "Parse error. Invalid JSON");
    assert.match(String((parse.error as Obj).data), /^error unmarshaling request: /);

    const binary = await fetch(base + "/", { method: "POST", body: new Uint8Array([0xff, 0x00, 0xfe]) });
    assert.equal(binary.status, 500);

    const notObject = JSON.parse((await post("[1]")).text) as Obj[];
    assert.equal((notObject[0]!.error as Obj).code, -32600);
    const badVersion = JSON.parse((await post(JSON.stringify({ jsonrpc: "1.0", id: 1, method: "health" }))).text);
    assert.equal((badVersion as Obj & { error: Obj }).error.code, -32600);
    const badId = JSON.parse((await post(JSON.stringify({ jsonrpc: "2.0", id: { a: 1 }, method: "health" }))).text);
    assert.equal((badId as Obj & { error: Obj }).error.code, -32600);

    const params1 = await rpcError("block", { height: "abc" });
    assert.equal(params1.code, -32602);
    assert.equal(params1.message, "Invalid params");
    assert.match(String(params1.data), /^error converting json params to arguments: height/);
    assert.equal((await rpcError("broadcast_tx_sync", { tx: "%%%" })).code, -32602);
    assert.equal((await rpcError("block", "height")).code, -32602);
    assert.equal((await rpcError("block", [1, 2])).code, -32602);
    assert.equal((await rpcError("abci_query", { path: "/x", data: "zz" })).code, -32602);

    assert.deepEqual(await result("block", { height: 1 }).then((r) => Object.keys(r)), ["block_id", "block"]);
    const internal = await rpcError("block", { height: 0 });
    assert.deepEqual(internal, {
      code: -32603,
      message: "Internal error",
      data: "height must be greater than 0, but got 0",
    });
    assert.equal((await rpcError("subscribe", { query: "tm.event='NewBlock'" })).code, -32601);
    assert.match(
      String((await rpcError("tx_search", { query: "tx.height=1", page: "9" })).data),
      /page should be within \[1, 1\] range, given 9/,
    );
    assert.match(String((await rpcError("tx_search", { query: "tx.height=1", order_by: "up" })).data), /order_by/);

    const big = await post(
      JSON.stringify({ jsonrpc: "2.0", id: 1, method: "health", params: { pad: "x".repeat(70_000) } }),
    );
    assert.equal(big.status, 400);
    assert.deepEqual((JSON.parse(big.text) as Obj).error, {
      code: -32600,
      message: "Invalid Request",
      data: "error reading request body: http: request body too large",
    });

    const notHttp = await new Promise<string>((resolve, reject) => {
      const socket = connect(server.port, "127.0.0.1", () => socket.end("\x00\x01GARBAGE\r\n\r\n"));
      let text = "";
      socket.on("data", (d) => (text += String(d)));
      socket.on("close", () => resolve(text));
      socket.on("error", reject);
    });
    assert.match(notHttp, /^HTTP\/1\.1 400/);

    assert.deepEqual(await result("health"), {});
  });
});

/** CometBFT's `computeHashFromAunts`, written independently of the server's tree code. */
function rootFromAunts(index: number, total: number, leaf: Uint8Array, aunts: Uint8Array[]): Uint8Array {
  if (total === 1) {
    assert.equal(aunts.length, 0);
    return leaf;
  }
  let k = 1;
  while (k * 2 < total) k *= 2;
  const last = aunts[aunts.length - 1]!;
  const rest = aunts.slice(0, -1);
  const inner = (l: Uint8Array, r: Uint8Array): Uint8Array => sha256(Buffer.concat([Buffer.of(1), l, r]));
  if (index < k) return inner(rootFromAunts(index, k, leaf, rest), last);
  return inner(last, rootFromAunts(index - k, total - k, leaf, rest));
}

describe("apiRpc wire: result shapes", () => {
  it("prints blocks as CometBFT: upper-case hex, RFC 3339 nanos, b64 txs, int64 strings, encrypted_random", async () => {
    const r = await result("block", { height: "2" });
    const blockId = r.block_id as Obj;
    assert.equal(blockId.hash, toHex(node.blocks[1]!.blockId.hash).toUpperCase());
    assert.equal((blockId.parts as Obj).total, 1);
    const block = r.block as Obj;
    const header = block.header as Obj;
    assert.deepEqual(Object.keys(header), [
      "version",
      "chain_id",
      "height",
      "time",
      "last_block_id",
      "last_commit_hash",
      "data_hash",
      "validators_hash",
      "next_validators_hash",
      "consensus_hash",
      "app_hash",
      "last_results_hash",
      "evidence_hash",
      "proposer_address",
      "encrypted_random",
    ]);
    assert.deepEqual(header.version, { block: "11" });
    assert.equal(header.time, "2025-01-01T00:00:02.123Z");
    for (const k of ["last_commit_hash", "data_hash", "app_hash", "proposer_address"]) {
      assert.match(String(header[k]), /^[0-9A-F]+$/, k);
    }
    assert.deepEqual(Object.keys(header.encrypted_random as Obj), ["random", "proof"]);
    assert.equal((header.encrypted_random as Obj).proof, "AQID");
    assert.deepEqual((block.data as Obj).txs, [toBase64(includedTx)]);
    assert.deepEqual(block.evidence, { evidence: [] });
    const commit = block.last_commit as Obj;
    assert.equal(commit.height, "1");
    assert.equal(commit.round, 0);
    const sig = (commit.signatures as Obj[])[0]!;
    assert.equal(sig.block_id_flag, 2);
    assert.equal(sig.timestamp, "2025-01-01T00:00:02.000000005Z");

    const first = await result("block", { height: 1 });
    const firstCommit = (first.block as Obj).last_commit as Obj;
    assert.deepEqual(firstCommit.block_id, { hash: "", parts: { total: 0, hash: "" } });
    assert.deepEqual(((first.block as Obj).data as Obj).txs, []);
  });

  it("omits zero ABCI fields, prints event attributes as plain strings, tx data as b64", async () => {
    const tx = await result("tx", { hash: toBase64(sha256(includedTx)) });
    assert.deepEqual(Object.keys(tx), ["hash", "height", "index", "tx_result", "tx"]);
    assert.equal(tx.index, 0);
    assert.equal(tx.height, "2");
    const res = tx.tx_result as Obj;
    assert.equal(res.code, undefined, "code 0 is omitted");
    assert.equal(res.log, undefined, "empty log is omitted");
    assert.equal(res.gas_wanted, "25000");
    assert.match(String(res.gas_used), /^[0-9]+$/);
    assert.ok(fromBase64(String(res.data)).length > 0);
    const transfers = (res.events as Obj[]).filter((e) => e.type === "transfer");
    assert.deepEqual((transfers.at(-1)!.attributes as Obj[])[0], { key: "recipient", value: bob.bech32, index: true });

    const results = await result("block_results", { height: "2" });
    assert.equal(results.height, "2");
    assert.equal((results.txs_results as Obj[]).length, 1);
    // The block's own events (mint's begin-block event since the PoS modules are wired in) as a list.
    const blockEvents = results.finalize_block_events as Obj[];
    assert.ok(blockEvents.some((e) => e.type === "mint"));
    assert.equal(results.validator_updates, null);
    assert.equal(results.consensus_param_updates, null);
    assert.equal(results.app_hash, toBase64(node.results[1]!.appHash));
  });

  it("answers abci_query with base64 values, the height, ABCI errors and ICS-23 proof ops", async () => {
    const data = toHex(encodeQueryBalanceRequest({ address: alice.bech32, denom: "uscrt" }));
    const q = (await result("abci_query", { path: "/cosmos.bank.v1beta1.Query/Balance", data })).response as Obj;
    assert.equal(q.height, "3");
    assert.equal(q.code, undefined);
    const coin = decodeCoinResponse(fromBase64(String(q.value)));
    assert.equal(coin?.amount, String(10_000_000n - 9n - 2500n));

    const bad = (await result("abci_query", { path: "/cosmos.bank.v1beta1.Query/Nope", data: "" })).response as Obj;
    assert.equal(typeof bad.code, "number");
    assert.ok((bad.code as number) > 0);
    assert.equal(bad.codespace, "sdk");

    const key = toHex(balanceKey(alice.address, "uscrt"));
    const proved = (await result("abci_query", { path: "/store/bank/key", data: key, height: "2", prove: true }))
      .response as Obj;
    assert.equal(proved.key, toBase64(balanceKey(alice.address, "uscrt")));
    assert.equal(Buffer.from(String(proved.value), "base64").toString(), String(10_000_000n - 9n - 2500n));
    const ops = (proved.proof_ops as Obj).ops as Obj[];
    assert.deepEqual(
      ops.map((o) => o.type),
      ["ics23:iavl", "ics23:simple"],
    );
    assert.equal(Buffer.from(String(ops[1]!.key), "base64").toString(), "bank");
  });

  it("prints broadcast, check_tx, mempool, consensus params, genesis chunks, headers and net_info", async () => {
    const tx = send("1");
    const checked = await result("check_tx", { tx: toBase64(tx) });
    assert.deepEqual(Object.keys(checked), ["ResponseCheckTx"]);
    assert.equal((checked.ResponseCheckTx as Obj).gas_wanted, "25000");

    const sync = await result("broadcast_tx_sync", { tx: toBase64(tx) });
    assert.deepEqual(sync, { code: 0, data: "", log: "", codespace: "", hash: toHex(sha256(tx)).toUpperCase() });
    const pending = await result("num_unconfirmed_txs");
    assert.deepEqual(pending, { n_txs: "1", total: "1", total_bytes: String(tx.length), txs: null });
    const unconfirmed = await result("unconfirmed_txs", { limit: "5" });
    assert.deepEqual(unconfirmed.txs, [toBase64(tx)]);

    const timedOut = await rpcError("broadcast_tx_commit", { tx: toBase64(send("2")) });
    assert.equal(timedOut.data, "timed out waiting for tx to be included in a block");

    const asyncTx = send("3");
    const asyncRes = await result("broadcast_tx_async", { tx: toBase64(asyncTx) });
    assert.equal(asyncRes.hash, toHex(sha256(asyncTx)).toUpperCase());
    assert.equal(asyncRes.code, 0);

    const failed = await result("broadcast_tx_commit", { tx: toBase64(send("4", 0n)) });
    assert.equal(failed.height, "0");
    assert.equal(typeof (failed.check_tx as Obj).code, "number");
    assert.deepEqual(failed.tx_result, {});
    node.produceBlock();

    const params = await result("consensus_params");
    assert.equal(params.block_height, String(node.blocks.length));
    assert.deepEqual((params.consensus_params as Obj).block, { max_bytes: "22020096", max_gas: "-1" });
    const asked: number[] = [];
    node.consensusParams = (height: number) => {
      asked.push(height);
      return { block: { max_bytes: "1000", max_gas: "7" } };
    };
    try {
      const own = await result("consensus_params", { height: "1" });
      assert.deepEqual(own.consensus_params, { block: { max_bytes: "1000", max_gas: "7" } });
      assert.deepEqual(asked, [1]);
    } finally {
      delete node.consensusParams;
    }

    const chunk = await result("genesis_chunked", { chunk: 0 });
    assert.equal(chunk.total, "1");
    assert.deepEqual(JSON.parse(Buffer.from(String(chunk.data), "base64").toString()), node.genesis());
    assert.match(String((await rpcError("genesis_chunked", { chunk: 1 })).data), /there are 1 chunks, 1 is invalid/);
    assert.equal(((await result("genesis")).genesis as Obj).chain_id, CHAIN_ID);

    const hash = toBase64(node.blocks[0]!.blockId.hash);
    assert.deepEqual((await result("header_by_hash", { hash })).header, (await result("header", { height: 1 })).header);
    assert.equal((((await result("block_by_hash", { hash })).block as Obj).header as Obj).height, "1");
    assert.deepEqual(await result("block_by_hash", { hash: toBase64(new Uint8Array(32)) }), {
      block_id: { hash: "", parts: { total: 0, hash: "" } },
      block: null,
    });
    const net = await result("net_info");
    assert.equal(net.n_peers, "1");
    assert.equal(((net.peers as Obj[])[0]!.node_info as Obj).moniker, "peer");

    const chain = await result("blockchain", { minHeight: "1", maxHeight: "2" });
    assert.deepEqual(
      (chain.block_metas as Obj[]).map((m) => [(m.header as Obj).height, m.num_txs]),
      [
        ["2", "1"],
        ["1", "0"],
      ],
    );
    assert.match(String((await rpcError("blockchain", { minHeight: "3", maxHeight: "2" })).data), /can't be greater/);
  });
  it("proves txs in their block with CometBFT's TxProof (prove: true)", async () => {
    const leaf = (tx: Uint8Array): Uint8Array => sha256(Buffer.concat([Buffer.of(0), sha256(tx)]));
    const single = await result("tx", { hash: toBase64(sha256(includedTx)), prove: true });
    const p1 = single.proof as Obj;
    assert.equal(p1.root_hash, toHex(leaf(includedTx)).toUpperCase(), "one tx: the root is its leaf");
    assert.equal(p1.data, toBase64(includedTx));
    assert.deepEqual(p1.proof, { total: "1", index: "0", leaf_hash: toBase64(leaf(includedTx)), aunts: [] });
    assert.equal((await result("tx", { hash: toBase64(sha256(includedTx)) })).proof, undefined);

    const txs = [send("21"), send("22"), send("23")];
    node.produceBlock(txs);
    const inner = (l: Uint8Array, r: Uint8Array): Uint8Array => sha256(Buffer.concat([Buffer.of(1), l, r]));
    const root = inner(inner(leaf(txs[0]!), leaf(txs[1]!)), leaf(txs[2]!));
    const found = await result("tx_search", { query: `tx.height=${node.blocks.length}`, prove: true });
    const list = found.txs as Obj[];
    assert.equal(list.length, 3);
    for (const [i, t] of list.entries()) {
      const proof = t.proof as Obj;
      assert.equal(proof.root_hash, toHex(root).toUpperCase());
      const inner2 = proof.proof as Obj;
      assert.equal(inner2.index, String(i));
      const aunts = (inner2.aunts as string[]).map(fromBase64);
      const computed = rootFromAunts(i, 3, fromBase64(String(inner2.leaf_hash)), aunts);
      assert.deepEqual(computed, root);
    }
  });
});

/** A raw WebSocket JSON-RPC connection that collects every message. */
class WsConn {
  readonly messages: Obj[] = [];
  private waiters: Array<() => void> = [];
  closeCode: number | undefined;
  private constructor(readonly ws: WebSocket) {
    ws.on("message", (data) => {
      this.messages.push(JSON.parse(String(data)) as Obj);
      for (const w of this.waiters) w();
    });
    ws.on("close", (code) => {
      this.closeCode = code;
      for (const w of this.waiters) w();
    });
  }

  static open(url: string, autoPong = true): Promise<WsConn> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { autoPong });
      ws.once("open", () => resolve(new WsConn(ws)));
      ws.once("error", reject);
    });
  }

  /** The first message satisfying `pred`, waiting for it (a guard against hanging, not a timing check). */
  async next(pred: (m: Obj) => boolean): Promise<Obj> {
    const deadline = Date.now() + 10_000;
    while (true) {
      const i = this.messages.findIndex(pred);
      if (i >= 0) return this.messages.splice(i, 1)[0]!;
      if (this.closeCode !== undefined) throw new Error(`socket closed (${this.closeCode})`);
      if (Date.now() > deadline) throw new Error("no matching message");
      await new Promise<void>((r) => {
        const t = setTimeout(r, 1000);
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
      this.waiters = [];
    }
  }

  /** Sends a request and returns its answer (the message with its id and no `result.query`). */
  async request(id: number, method: string, params: unknown = {}): Promise<Obj> {
    this.ws.send(JSON.stringify({ jsonrpc: "2.0", id, method, params }));
    return this.next((m) => m.id === id && (m.result as Obj | undefined)?.query === undefined);
  }
}

describe("apiRpc wire: WebSocket subscriptions", () => {
  it("delivers Tx, NewBlock and NewBlockHeader events with CometBFT's envelope and event map", async () => {
    const c = await WsConn.open(`ws://127.0.0.1:${server.port}/websocket`);
    try {
      const txQuery = `tm.event='Tx' AND message.sender='${alice.bech32}' AND tx.height>=1`;
      assert.deepEqual(await c.request(7, "subscribe", { query: txQuery }), { jsonrpc: "2.0", id: 7, result: {} });
      assert.deepEqual((await c.request(8, "subscribe", { query: "tm.event='NewBlock'" })).result, {});
      assert.deepEqual((await c.request(9, "subscribe", { query: "tm.event='NewBlockHeader'" })).result, {});
      const other = `tm.event='Tx' AND message.sender='${bob.bech32}'`;
      assert.deepEqual((await c.request(10, "subscribe", { query: other })).result, {});

      const tx = send("5");
      node.mempool = [];
      node.produceBlock([tx]);
      // The node publishes synchronously; an answer sent afterwards arrives after every event.
      await c.request(11, "health");

      const txEvent = await c.next((m) => m.id === 7);
      const r = txEvent.result as Obj;
      assert.equal(r.query, txQuery);
      const data = r.data as Obj;
      assert.equal(data.type, "tendermint/event/Tx");
      const txResult = (data.value as Obj).TxResult as Obj;
      assert.equal(txResult.height, String(node.blocks.length));
      assert.equal(txResult.index, 0);
      assert.equal(txResult.tx, toBase64(tx));
      assert.equal((txResult.result as Obj).gas_wanted, "25000");
      const events = r.events as Record<string, string[]>;
      assert.deepEqual(events["tm.event"], ["Tx"]);
      assert.deepEqual(events["tx.hash"], [toHex(sha256(tx)).toUpperCase()]);
      assert.deepEqual(events["tx.height"], [String(node.blocks.length)]);
      assert.ok(events["message.sender"]!.includes(alice.bech32));

      const blockEvent = (await c.next((m) => m.id === 8)).result as Obj;
      assert.equal((blockEvent.data as Obj).type, "tendermint/event/NewBlock");
      const value = (blockEvent.data as Obj).value as Obj;
      assert.deepEqual(Object.keys(value), ["block", "block_id", "result_finalize_block"]);
      assert.equal(((value.block as Obj).header as Obj).height, String(node.blocks.length));
      assert.equal(((value.result_finalize_block as Obj).tx_results as Obj[]).length, 1);
      assert.deepEqual((blockEvent.events as Obj)["tm.event"], ["NewBlock"]);

      const headerEvent = (await c.next((m) => m.id === 9)).result as Obj;
      assert.equal((headerEvent.data as Obj).type, "tendermint/event/NewBlockHeader");
      assert.equal((((headerEvent.data as Obj).value as Obj).header as Obj).chain_id, CHAIN_ID);

      assert.equal(
        c.messages.find((m) => m.id === 10),
        undefined,
        "a query on another sender gets nothing",
      );
      assert.equal(c.messages.length, 0, "one event per matching subscription");

      assert.deepEqual((await c.request(12, "unsubscribe", { query: "tm.event='NewBlock'" })).result, {});
      node.produceBlock([]);
      await c.request(13, "health");
      assert.equal(
        c.messages.find((m) => m.id === 8),
        undefined,
        "no NewBlock after unsubscribe",
      );
      assert.ok(await c.next((m) => m.id === 9), "NewBlockHeader still subscribed");

      assert.deepEqual((await c.request(14, "unsubscribe_all")).result, {});
      node.produceBlock([]);
      await c.request(15, "health");
      assert.equal(c.messages.length, 0, "nothing after unsubscribe_all");
    } finally {
      c.ws.close();
    }
  });

  it("refuses bad queries, duplicates, unknown unsubscribes and a sixth subscription; survives garbage", async () => {
    const c = await WsConn.open(`ws://127.0.0.1:${server.port}/websocket`);
    try {
      const bad = await c.request(1, "subscribe", { query: "tm.event='Tx' AND" });
      assert.equal((bad.error as Obj).code, -32603);
      assert.match(String((bad.error as Obj).data), /^failed to parse query/);
      assert.deepEqual((await c.request(2, "subscribe", { query: "tm.event='Tx'" })).result, {});
      const dup = await c.request(3, "subscribe", { query: "tm.event='Tx'" });
      assert.equal((dup.error as Obj).data, "already subscribed");
      const missing = await c.request(4, "unsubscribe", { query: "tm.event='NewBlock'" });
      assert.equal((missing.error as Obj).data, "subscription not found");
      for (let i = 0; i < 4; i++) {
        assert.deepEqual((await c.request(10 + i, "subscribe", { query: `tx.height>${i}` })).result, {});
      }
      const sixth = await c.request(20, "subscribe", { query: "tm.event='NewBlock'" });
      assert.equal((sixth.error as Obj).data, "max_subscriptions_per_client 5 reached");
      const long = await c.request(21, "subscribe", { query: `a='${"x".repeat(600)}'` });
      assert.equal((long.error as Obj).data, "maximum query length exceeded");

      c.ws.send("{{{");
      const parse = await c.next((m) => (m.error as Obj | undefined)?.code === -32700);
      assert.equal(parse.id, null);
      c.ws.send(JSON.stringify([{ jsonrpc: "2.0", id: 1, method: "health" }]));
      assert.equal(((await c.next((m) => (m.error as Obj | undefined)?.code === -32600)).error as Obj).code, -32600);
      assert.equal(((await c.request(22, "nope")).error as Obj).code, -32601);
      assert.equal(((await c.request(23, "block", { height: "x" })).error as Obj).code, -32602);
      const status = await c.request(24, "status");
      assert.equal(((status.result as Obj).node_info as Obj).network, CHAIN_ID);
    } finally {
      c.ws.close();
    }
  });

  it("refuses connections above maxWsConnections and upgrades only at /websocket", async () => {
    const small = await startRpcServer({ backend: node, host: "127.0.0.1", port: 0, maxWsConnections: 1 });
    try {
      const first = await WsConn.open(`ws://127.0.0.1:${small.port}/websocket`);
      await assert.rejects(WsConn.open(`ws://127.0.0.1:${small.port}/websocket`), /503/);
      first.ws.close();
      await assert.rejects(WsConn.open(`ws://127.0.0.1:${small.port}/elsewhere`), /404/);
    } finally {
      await small.close();
    }
  });

  it("drops a client that does not answer pings", async () => {
    const pinging = await startRpcServer({ backend: node, host: "127.0.0.1", port: 0, wsPingIntervalMs: 20 });
    try {
      const silent = await WsConn.open(`ws://127.0.0.1:${pinging.port}/websocket`, false);
      await assert.rejects(
        silent.next(() => false),
        /socket closed \(1006\)/,
      );
    } finally {
      await pinging.close();
    }
  });

  it("closes a connection that sends a message above the size limit", async () => {
    const c = await WsConn.open(`ws://127.0.0.1:${server.port}/websocket`);
    c.ws.send(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "health", params: { pad: "x".repeat(70_000) } }));
    await assert.rejects(
      c.next(() => false),
      /socket closed \(1009\)/,
    );
    const again = await result("health");
    assert.deepEqual(again, {});
  });
});
