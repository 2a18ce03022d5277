/**
 * Each tx is hashed once per node on its way in (mempool) and once per block (validation), and the
 * decided block reuses those hashes (node.ts `blockTxHashes`): for its tx index in the block store,
 * the mempool update and the Tx events. Four validators (real `Node`s on LMDB, no enclave) over an
 * in-memory bus; the same txs are put in every node's mempool (as gossip would), so the blocks are
 * built from reaped hashes by their proposers and validated by the others. Every node must then index
 * each tx under sha256(tx), publish Tx events with that hash, and have emptied its mempool.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { IndexedTx } from "../../src/api/backend.ts";
import { decodeBaseAccount, decodeQueryAccountResponse, encodeQueryAccountRequest } from "../../src/codec/auth.ts";
import { secp256k1PublicKey, sha256 } from "../../src/crypto/index.ts";
import { initLocalnet, localnetAccountAddress, localnetAccountKey } from "../../src/node/localnet.ts";
import { Node } from "../../src/node/node.ts";
import { msgSend, signDirectTx } from "../../src/node/txBuilder.ts";
import { bytesEqual } from "../../src/primitives/bytes.ts";
import { toHex } from "../../src/primitives/hex.ts";
import { ConsensusBus } from "../helpers/consensusBus.ts";

const N = 4;
const TXS = 12;
let dir: string;
const nodes: Node[] = [];
const txEvents: IndexedTx[][] = [];

let chainId = "";
before(async () => {
  dir = mkdtempSync(join(tmpdir(), "scrt-node-tx-hashes-"));
  const net = await initLocalnet({ dir, validators: N, accounts: 1, registerEnclaves: false });
  chainId = net.chainId;
  const bus = new ConsensusBus(nodes, N);
  for (let i = 0; i < N; i++) {
    const node = await Node.start({
      home: net.nodes[i]!.home,
      enclave: false,
      network: bus.network(i),
      config: { createEmptyBlocks: false, timeoutCommitMs: 50, logLevel: "warn" },
    });
    nodes.push(node);
    const events: IndexedTx[] = [];
    txEvents.push(events);
    node.subscribe((e) => {
      if (e.type === "Tx") events.push(e.tx);
    });
  }
});

after(async () => {
  for (const n of nodes) await n.close().catch(() => {});
  rmSync(dir, { recursive: true, force: true });
});

describe("tx hashes reused for a decided block (node)", () => {
  it("index, events and mempool update use sha256(tx) on every validator", async () => {
    await Promise.all(nodes.map((n) => n.waitForHeight(2, 60_000)));
    const address = localnetAccountAddress(0);
    const q = nodes[0]!.app.query("/cosmos.auth.v1beta1.Query/Account", encodeQueryAccountRequest({ address }));
    assert.equal(q.code, 0, q.log);
    const account = decodeBaseAccount(decodeQueryAccountResponse(q.value).value);
    const txs = Array.from({ length: TXS }, (_, k) =>
      signDirectTx({
        messages: [msgSend(address, address, [{ denom: "uscrt", amount: "1" }])],
        key: { privateKey: localnetAccountKey(0), publicKey: secp256k1PublicKey(localnetAccountKey(0)) },
        chainId,
        accountNumber: account.accountNumber,
        sequence: account.sequence + BigInt(k),
        fee: [{ denom: "uscrt", amount: "5000" }],
        gas: 200_000n,
      }),
    );
    // In two rounds, so that more than one block (and proposer) carries them.
    for (const [from, to] of [
      [0, TXS / 2],
      [TXS / 2, TXS],
    ] as const) {
      for (const node of nodes)
        for (const tx of txs.slice(from, to)) assert.equal(node.mempool.add(tx).outcome.ok, true);
      const start = nodes[0]!.height;
      await Promise.all(nodes.map((n) => n.waitForHeight(start + 1, 60_000)));
      for (let waited = 0; nodes.some((n) => n.mempool.size > 0) && waited < 30_000; waited += 20) {
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    await Promise.all(nodes.map((n) => n.waitForHeight(nodes[0]!.height, 60_000)));
    for (const [i, node] of nodes.entries()) {
      assert.equal(node.halted, undefined);
      assert.equal(node.mempool.size, 0, `validator ${i}: included txs left its mempool`);
      for (const tx of txs) {
        const hash = sha256(tx);
        const indexed = node.blockStore.tx(hash);
        assert.ok(indexed !== undefined, `validator ${i} indexes tx ${toHex(hash)}`);
        assert.ok(bytesEqual(indexed.tx, tx));
        assert.ok(bytesEqual(indexed.hash, hash));
        // A re-broadcast is a duplicate (the update remembered the right hash).
        assert.equal("refused" in node.mempool.tryAdd(tx), true);
      }
      const events = txEvents[i]!;
      assert.equal(events.length, TXS, `validator ${i} published ${events.length} Tx events`);
      for (const e of events) assert.ok(bytesEqual(e.hash, sha256(e.tx)), "Tx event hash = sha256(tx)");
    }
    const heights = new Set(txEvents[0]!.map((e) => e.height));
    assert.ok(heights.size >= 2, "the txs went into more than one block");
  });
});
