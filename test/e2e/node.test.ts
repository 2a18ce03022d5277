/**
 * A single-validator node in temporary homes, with the real enclave worker and LMDB: blocks when txs
 * arrive, restart keeps the chain and does not re-sign, recovery from a crash after a decision (WAL)
 * and from a block store one ahead of the app, bad txs refused while the node goes on, the faucet.
 */
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { decodeCoinResponse, encodeQueryBalanceRequest } from "../../src/codec/bank.ts";
import { encodeCommit } from "../../src/codec/consensus.ts";
import { NodeBackend } from "../../src/node/backend.ts";
import { resultsHash } from "../../src/node/blockCodec.ts";
import { DEV_ACCOUNT_BALANCE, devAccount, devAccounts } from "../../src/node/devAccounts.ts";
import { startFaucet } from "../../src/node/faucet.ts";
import { homePaths, loadPrivValidatorState } from "../../src/node/home.ts";
import { initHome } from "../../src/node/init.ts";
import { Node } from "../../src/node/node.ts";
import { msgSend, signDirectTx } from "../../src/node/txBuilder.ts";
import { encodeAddress } from "../../src/primitives/bech32.ts";
import { isCodedError } from "../../src/primitives/errors.ts";
import { toHex } from "../../src/primitives/hex.ts";

const root = mkdtempSync(join(tmpdir(), "scrt-node-e2e-"));
const open: Node[] = [];
after(async () => {
  await Promise.all(open.map((n) => n.close().catch(() => {})));
  rmSync(root, { recursive: true, force: true });
});

const CHAIN = "secretdev-1";
const accounts = devAccounts().map((a) => ({
  address: a.address,
  coins: [{ denom: "uscrt", amount: DEV_ACCOUNT_BALANCE.toString() }],
}));
/** Account numbers follow devAccounts() order. */
const accountNumber = (name: string): bigint => BigInt(devAccounts().findIndex((a) => a.name === name));

let homeTemplate: string | undefined;
/** One `initHome` (enclave bootstrap) per file; each test copies it. */
async function freshHome(name: string): Promise<string> {
  if (homeTemplate === undefined) {
    homeTemplate = join(root, "template");
    await initHome({ home: homeTemplate, chainId: CHAIN, accounts });
  }
  const home = join(root, name);
  cpSync(homeTemplate, home, { recursive: true });
  return home;
}

/**
 * Without the enclave worker by default: other work may change the enclave's code (its measurement)
 * while this file runs, and a sealed home only opens under the build that sealed it. One test below
 * starts it from a fresh home.
 */
async function startNode(home: string, extra: Partial<Parameters<typeof Node.start>[0]> = {}): Promise<Node> {
  const node = await Node.start({ home, enclave: false, ...extra });
  open.push(node);
  return node;
}

async function stop(node: Node): Promise<void> {
  await node.close();
  open.splice(open.indexOf(node), 1);
}

function sendTx(from: string, to: string, amount: bigint, sequence: bigint, fee = "5000"): Uint8Array {
  const k = devAccount(from);
  return signDirectTx({
    messages: [msgSend(k.address, to, [{ denom: "uscrt", amount: amount.toString() }])],
    key: k.key,
    chainId: CHAIN,
    accountNumber: accountNumber(from),
    sequence,
    fee: [{ denom: "uscrt", amount: fee }],
    gas: 200_000n,
  });
}

function balance(node: Node, address: string): bigint {
  const r = node.app.query(
    "/cosmos.bank.v1beta1.Query/Balance",
    encodeQueryBalanceRequest({ address, denom: "uscrt" }),
  );
  assert.equal(r.code, 0, r.log);
  return BigInt(decodeCoinResponse(r.value)?.amount ?? "0");
}

async function include(backend: NodeBackend, tx: Uint8Array) {
  const r = backend.broadcastTx(tx);
  assert.equal(r.check.code, 0, r.check.log);
  const included = await backend.waitForTx(r.hash, 10_000);
  assert.ok(included !== undefined, "tx included");
  return included;
}

describe("node: one validator", () => {
  it("makes the genesis and proof blocks, then a block only when txs arrive", async () => {
    const home = await freshHome("blocks");
    const node = await startNode(home);
    const backend = new NodeBackend(node);
    await node.waitForHeight(2);
    // Nothing to do: no more blocks (create_empty_blocks = false).
    await new Promise((r) => setTimeout(r, 300));
    const idle = node.height;
    assert.equal(idle, 2);
    const b = devAccount("b").address;
    const before = balance(node, b);
    const inc = await include(backend, sendTx("a", b, 1234n, 0n));
    assert.equal(inc.height, idle + 1);
    assert.equal(inc.result.code, 0, inc.result.log);
    assert.equal(balance(node, b), before + 1234n);
    // the block is stored with its header fields linked to the previous block
    const block = backend.block(inc.height)!;
    assert.equal(block.txs.length, 1);
    assert.deepEqual(block.header.lastBlockId, backend.block(inc.height - 1)!.blockId);
    assert.deepEqual(backend.tx(inc.hash)?.height, inc.height);
    // events indexed for search
    const found = backend.searchTxs(`message.sender='${devAccount("a").address}'`);
    assert.equal(found.total, 1);
    assert.equal(backend.searchTxs(`tx.height=${inc.height}`).total, 1);
    assert.equal(backend.searchTxs(`transfer.amount='1234uscrt' AND tx.height>${inc.height}`).total, 0);
    assert.throws(
      () => backend.searchTxs("message.sender=="),
      (e: unknown) => isCodedError(e, "NODE_QUERY_INVALID"),
    );
    // the app hash of the tx's block is carried by the next (proof) block
    await node.waitForHeight(inc.height + 1);
    assert.deepEqual(backend.block(inc.height + 1)!.header.appHash, backend.blockResults(inc.height)!.appHash);
    // its LastResultsHash (from the results kept in memory) is the stored results' hash
    const txResults = node.blockStore.results(inc.height)!.txResults;
    assert.equal(txResults.length, 1);
    assert.deepEqual(backend.block(inc.height + 1)!.header.lastResultsHash, resultsHash(txResults));
    assert.notDeepEqual(resultsHash(txResults), resultsHash([]));
    backend.close();
  });

  it("admits txs with the fee per gas and sender from the app's CheckTx: a block takes the best first, a sender's in order", async () => {
    const node = await startNode(await freshHome("priority"));
    await node.waitForHeight(2);
    const b = devAccount("b").address;
    const a0 = sendTx("a", b, 1n, 0n, "5000"); // 25,000 per gas × 10^6
    const a1 = sendTx("a", b, 1n, 1n, "20000"); // the best fee, but after a0 (same sender)
    const c0 = sendTx("c", b, 1n, 0n, "9000");
    for (const tx of [a0, a1, c0]) assert.equal(node.mempool.add(tx).outcome.ok, true);
    // synchronously, before the next height starts: what a block would take, in order
    assert.deepEqual(node.mempool.reap().map(toHex), [c0, a0, a1].map(toHex));
    await node.waitForHeight(3);
  });

  it("refuses bad txs with codes and keeps going", async () => {
    const home = await freshHome("bad");
    const node = await startNode(home);
    const backend = new NodeBackend(node);
    await node.waitForHeight(1);
    const garbage = backend.broadcastTx(Uint8Array.of(1, 2, 3));
    assert.notEqual(garbage.check.code, 0);
    const wrongSeq = backend.broadcastTx(sendTx("a", devAccount("c").address, 1n, 7n));
    assert.equal(wrongSeq.check.code, 32);
    const lowFee = backend.broadcastTx(sendTx("a", devAccount("c").address, 1n, 0n, "1"));
    assert.equal(lowFee.check.code, 13);
    assert.equal(node.mempool.size, 0);
    const good = sendTx("a", devAccount("c").address, 5n, 0n);
    const inc = await include(backend, good);
    assert.equal(inc.result.code, 0);
    // the same tx again: refused by the mempool cache
    assert.throws(
      () => backend.broadcastTx(good),
      (e: unknown) => isCodedError(e, "MEMPOOL_DUPLICATE"),
    );
    // a tx that passes CheckTx but fails in the block (overspend) is included with its code
    const c = devAccount("c");
    const overspend = signDirectTx({
      messages: [
        msgSend(c.address, devAccount("d").address, [
          { denom: "uscrt", amount: (DEV_ACCOUNT_BALANCE * 2n).toString() },
        ]),
      ],
      key: c.key,
      chainId: CHAIN,
      accountNumber: accountNumber("c"),
      sequence: 0n,
      fee: [{ denom: "uscrt", amount: "5000" }],
      gas: 200_000n,
    });
    const r = backend.broadcastTx(overspend);
    assert.equal(r.check.code, 0);
    const failed = await backend.waitForTx(r.hash, 10_000);
    assert.equal(failed?.result.code, 5, failed?.result.log);
    assert.equal(node.halted, undefined);
    await include(backend, sendTx("a", devAccount("c").address, 5n, 1n));
    backend.close();
  });

  it("restarts with its height and balances and does not sign old heights again", async () => {
    const home = await freshHome("restart");
    let node = await startNode(home);
    let backend = new NodeBackend(node);
    await node.waitForHeight(1);
    const d = devAccount("d").address;
    for (let i = 0n; i < 3n; i++) await include(backend, sendTx("b", d, 100n, i));
    await new Promise((r) => setTimeout(r, 100));
    const height = node.height;
    const bal = balance(node, d);
    const commits = new Map<number, string>();
    for (let h = 1; h <= height; h++) commits.set(h, toHex(encodeCommit(backend.commit(h)!)));
    backend.close();
    await stop(node);
    const pv = loadPrivValidatorState(homePaths(home).privValidatorState);
    assert.equal(Number(pv.height), height, "privval state saved at the last height");

    node = await startNode(home);
    backend = new NodeBackend(node);
    assert.equal(node.height, height);
    assert.equal(balance(node, d), bal);
    const inc = await include(backend, sendTx("b", d, 1n, 3n));
    assert.equal(inc.height, height + 1);
    // the first header after the restart takes its LastResultsHash from the stored results
    assert.deepEqual(
      backend.block(inc.height)!.header.lastResultsHash,
      resultsHash(node.blockStore.results(height)!.txResults),
    );
    for (let h = 1; h <= height; h++) {
      assert.equal(toHex(encodeCommit(backend.commit(h)!)), commits.get(h), `commit of height ${h} unchanged`);
    }
    backend.close();
  });

  for (const point of ["decided", "blockSaved"] as const) {
    it(`recovers from a crash at '${point}' while executing a decided block`, async () => {
      const home = await freshHome(`crash-${point}`);
      let crashAt = -1;
      let node = await startNode(home, {
        faultPoint: (p, h) => {
          if (p === point && h === crashAt) throw new Error("simulated crash");
        },
      });
      let backend = new NodeBackend(node);
      await node.waitForHeight(2);
      crashAt = node.height + 1;
      const b = devAccount("b").address;
      const before = balance(node, b);
      const r = backend.broadcastTx(sendTx("a", b, 77n, 0n));
      assert.equal(r.check.code, 0);
      await new Promise((res) => node.onHalt(() => res(undefined)));
      const decided = node.consensus!.state.decision;
      assert.ok(decided !== null);
      assert.equal(node.blockStore.height, point === "decided" ? crashAt - 1 : crashAt);
      backend.close();
      await stop(node);

      node = await startNode(home);
      backend = new NodeBackend(node);
      await node.waitForHeight(crashAt);
      const block = backend.block(crashAt)!;
      assert.deepEqual(block.blockId, decided.blockId, "the decided block, not a new one");
      assert.equal(backend.tx(r.hash)?.height, crashAt);
      assert.equal(backend.tx(r.hash)?.result.code, 0);
      assert.equal(balance(node, b), before + 77n, "executed exactly once");
      assert.deepEqual(backend.blockResults(crashAt)?.appHash, node.blockStore.appHash(crashAt));
      await include(backend, sendTx("a", b, 1n, 1n));
      assert.equal(balance(node, b), before + 78n);
      backend.close();
    });
  }

  it("serves the faucet through a real signed tx", async () => {
    const home = await freshHome("faucet");
    const node = await startNode(home);
    const backend = new NodeBackend(node);
    await node.waitForHeight(1);
    const f = devAccount("faucet");
    const faucet = await startFaucet({ backend, key: f.key, address: f.address, port: 0, amount: 4242n });
    try {
      const fresh = "secret1" + "q".repeat(38);
      const newAddr = encodeAddress(Uint8Array.from({ length: 20 }, (_, i) => i + 1));
      const res = await fetch(`http://127.0.0.1:${faucet.port}/faucet?address=${newAddr}`);
      const body = (await res.json()) as Record<string, string>;
      assert.equal(res.status, 200, JSON.stringify(body));
      assert.equal(body.amount, "4242uscrt");
      assert.equal(balance(node, newAddr), 4242n);
      const tx = backend.tx(Uint8Array.from(Buffer.from(body.txhash!, "hex")));
      assert.equal(tx?.result.code, 0);
      const bad = await fetch(`http://127.0.0.1:${faucet.port}/faucet?address=${fresh}`);
      assert.equal(bad.status, 400);
      const again = await fetch(`http://127.0.0.1:${faucet.port}/faucet?address=${newAddr}`);
      assert.equal(again.status, 200);
      assert.equal(balance(node, newAddr), 8484n);
    } finally {
      await faucet.close();
      backend.close();
    }
  });

  it("starts the enclave from the home and loads its sealed keys (genesis publishes its tx key)", async () => {
    const home = join(root, "enclave");
    const init = await initHome({ home, chainId: CHAIN, accounts });
    const node = await startNode(home, { enclave: true });
    const enclave = await node.enclaveReady;
    assert.ok(enclave !== undefined, node.halted?.message);
    assert.equal(node.enclave, enclave);
    assert.deepEqual(enclave.call("getPublicKeys", {}).ioExchKey, init.ioExchKey);
    await node.waitForHeight(1);
    const r = node.app.query("/secret.registration.v1beta1.Query/TxKey", new Uint8Array(0));
    assert.equal(r.code, 0, r.log);
    assert.ok(toHex(r.value).includes(toHex(init.ioExchKey)));
  });

  it("refuses a home without genesis, and init on an existing home", async () => {
    await assert.rejects(Node.start({ home: join(root, "nothing") }), (e: unknown) =>
      isCodedError(e, "NODE_HOME_MISSING"),
    );
    const home = await freshHome("exists");
    await assert.rejects(initHome({ home, chainId: CHAIN }), (e: unknown) => isCodedError(e, "NODE_HOME_EXISTS"));
    assert.ok(readFileSync(homePaths(home).genesis, "utf8").includes('"secretdev-1"'));
  });
});
