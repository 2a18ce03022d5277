/**
 * The node's `ApiBackend` (src/node/backend.ts) on a fake node: `status` reads the latest header from
 * the block store's decoded block and the earliest block's header once per base height (the RPC's
 * `status` is polled many times a second); `waitForTx` resolves on the committed tx's event only.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { IndexedTx, NodeEvent } from "../../src/api/backend.ts";
import type { TxResult } from "../../src/app/index.ts";
import type { Header } from "../../src/codec/consensus.ts";
import { NodeBackend } from "../../src/node/backend.ts";
import type { Node } from "../../src/node/node.ts";

const bytes = (n: number, fill: number): Uint8Array => new Uint8Array(n).fill(fill);

function header(height: number): Header {
  return {
    version: { block: 11n, app: 0n },
    chainId: "test-1",
    height: BigInt(height),
    time: { seconds: 1_700_000_000n + BigInt(height), nanos: height * 1000 },
    lastBlockId: { hash: bytes(32, 0), partSetHeader: { total: 0, hash: bytes(32, 0) } },
    lastCommitHash: bytes(32, 1),
    dataHash: bytes(32, 2),
    validatorsHash: bytes(32, 3),
    nextValidatorsHash: bytes(32, 3),
    consensusHash: bytes(32, 4),
    appHash: bytes(32, height),
    lastResultsHash: bytes(32, 5),
    evidenceHash: bytes(32, 6),
    proposerAddress: bytes(20, 7),
  };
}

function fakeNode() {
  const reads = new Map<number, number>();
  const listeners = new Set<(e: NodeEvent) => void>();
  const store = {
    height: 0,
    base: 0,
    decodedBlock(h: number) {
      reads.set(h, (reads.get(h) ?? 0) + 1);
      return h >= store.base && h <= store.height && h > 0
        ? { header: header(h), txs: [], evidence: [], lastCommit: undefined }
        : undefined;
    },
    blockId: (h: number) => ({ hash: bytes(32, 100 + h), partSetHeader: { total: 1, hash: bytes(32, 9) } }),
    tx: (): IndexedTx | undefined => undefined,
  };
  const node = {
    blockStore: store,
    app: { lastAppHash: bytes(32, 77) },
    genesis: { genesisTimeNanos: 123n, initialHeight: 1 },
    validatorsAt: () => ({ validators: [] }),
    validatorAddress: bytes(20, 1),
    validatorPubKey: bytes(32, 1),
    subscribe(l: (e: NodeEvent) => void) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
  };
  const emit = (e: NodeEvent): void => {
    for (const l of listeners) l(e);
  };
  return { node: node as unknown as Node, store, reads, emit };
}

const nanos = (h: number): bigint => (1_700_000_000n + BigInt(h)) * 1_000_000_000n + BigInt(h * 1000);

describe("NodeBackend", () => {
  it("status: genesis time before the first block, then the latest and earliest headers", () => {
    const { node, store, reads } = fakeNode();
    const backend = new NodeBackend(node);
    let s = backend.status();
    assert.equal(s.latestHeight, 0);
    assert.equal(s.latestBlockTimeNanos, 123n);
    assert.equal(s.earliestBlockTimeNanos, 123n);
    assert.deepEqual(s.earliestAppHash, new Uint8Array(0));

    store.base = 1;
    store.height = 5;
    s = backend.status();
    assert.equal(s.latestHeight, 5);
    assert.equal(s.latestBlockTimeNanos, nanos(5));
    assert.deepEqual(s.latestBlockHash, bytes(32, 105));
    assert.deepEqual(s.latestAppHash, bytes(32, 77));
    assert.equal(s.earliestHeight, 1);
    assert.equal(s.earliestBlockTimeNanos, nanos(1));
    assert.deepEqual(s.earliestAppHash, bytes(32, 1));
    assert.deepEqual(s.earliestBlockHash, bytes(32, 101));

    // More blocks: the latest follows, the earliest block is not read again.
    store.height = 9;
    backend.status();
    s = backend.status();
    assert.equal(s.latestBlockTimeNanos, nanos(9));
    assert.equal(s.earliestBlockTimeNanos, nanos(1));
    assert.equal(reads.get(1), 1);

    // Pruning moves the base: the new earliest block is read.
    store.base = 4;
    s = backend.status();
    assert.equal(s.earliestHeight, 4);
    assert.equal(s.earliestBlockTimeNanos, nanos(4));
    assert.deepEqual(s.earliestAppHash, bytes(32, 4));
    backend.close();
  });

  it("waitForTx resolves on its own tx's event, not another's", async () => {
    const { node, emit } = fakeNode();
    const backend = new NodeBackend(node);
    const result: TxResult = {
      code: 0,
      codespace: "",
      log: "",
      info: "",
      gasWanted: 1n,
      gasUsed: 1n,
      events: [],
      data: new Uint8Array(0),
    };
    const tx = (fill: number): IndexedTx => ({
      hash: bytes(32, fill),
      height: 3,
      index: 0,
      tx: bytes(10, fill),
      result,
    });
    emit({ type: "Tx", tx: tx(1) }); // nobody waits
    let got: IndexedTx | undefined | "pending" = "pending";
    const waiting = backend.waitForTx(bytes(32, 2), 10_000).then((t) => (got = t));
    emit({ type: "Tx", tx: tx(1) });
    await new Promise((r) => setImmediate(r));
    assert.equal(got, "pending");
    emit({ type: "Tx", tx: tx(2) });
    await waiting;
    assert.deepEqual(got, tx(2));
    backend.close();
  });
});
