/** Outbound tx gossip batching: by delay, count and bytes, in order, nothing after close. */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { isCodedError } from "../../src/primitives/errors.ts";
import { TX_BATCH_OVERHEAD_BYTES, TxBatcher } from "../../src/p2p/txBatch.ts";

const tx = (n: number, size = 10): Uint8Array => new Uint8Array(size).fill(n);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function recorder(): { batches: number[][]; send: (txs: Uint8Array[]) => void } {
  const batches: number[][] = [];
  return { batches, send: (txs) => batches.push(txs.map((t) => t[0]!)) };
}

describe("TxBatcher", () => {
  test("txs within the delay go out together, in order, once", async () => {
    const r = recorder();
    const b = new TxBatcher({ maxDelayMs: 20, maxTxs: 100, maxBytes: 10_000, relayDelayMs: 0 }, r.send);
    b.add(tx(1));
    b.add(tx(2));
    b.add(tx(3));
    assert.equal(b.size, 3);
    assert.deepEqual(r.batches, [], "nothing before the delay");
    await sleep(60);
    assert.deepEqual(r.batches, [[1, 2, 3]]);
    b.add(tx(4));
    await sleep(60);
    assert.deepEqual(r.batches, [[1, 2, 3], [4]], "a later tx starts a new batch");
  });

  test("a full batch (count or bytes) goes out at once; an oversized tx alone", () => {
    const r = recorder();
    const size = 10 + TX_BATCH_OVERHEAD_BYTES;
    const b = new TxBatcher({ maxDelayMs: 10_000, maxTxs: 3, maxBytes: 5 * size, relayDelayMs: 0 }, r.send);
    for (let i = 1; i <= 7; i++) b.add(tx(i));
    assert.deepEqual(r.batches, [
      [1, 2, 3],
      [4, 5, 6],
    ]);
    b.flush();
    assert.deepEqual(r.batches.at(-1), [7]);
    // Bytes: 4 small txs fit in 5 × size; a big one that would overflow closes the batch first.
    const r2 = recorder();
    const b2 = new TxBatcher({ maxDelayMs: 10_000, maxTxs: 100, maxBytes: 5 * size, relayDelayMs: 0 }, r2.send);
    b2.add(tx(1));
    b2.add(tx(2));
    b2.add(tx(3, 60));
    assert.deepEqual(r2.batches, [[1, 2]], "the big tx did not fit with the others");
    b2.add(tx(4, 200));
    assert.deepEqual(r2.batches, [[1, 2], [3], [4]], "a tx above maxBytes goes alone");
    b2.close();
  });

  test("close drops what is pending and ignores later txs; bad options are coded errors", async () => {
    const r = recorder();
    const b = new TxBatcher({ maxDelayMs: 5, maxTxs: 100, maxBytes: 10_000, relayDelayMs: 0 }, r.send);
    b.add(tx(1));
    b.close();
    b.add(tx(2));
    b.flush();
    await sleep(30);
    assert.deepEqual(r.batches, []);
    const zero = new TxBatcher({ maxDelayMs: 0, maxTxs: 100, maxBytes: 10_000, relayDelayMs: 0 }, r.send);
    zero.add(tx(9));
    assert.deepEqual(r.batches, [[9]], "no delay: every tx goes out at once");
    for (const bad of [
      { maxDelayMs: -1, maxTxs: 1, maxBytes: 1, relayDelayMs: 0 },
      { maxDelayMs: 1, maxTxs: 0, maxBytes: 1, relayDelayMs: 0 },
      { maxDelayMs: 1, maxTxs: 1, maxBytes: 0.5, relayDelayMs: 0 },
    ]) {
      assert.throws(
        () => new TxBatcher(bad, r.send),
        (e) => isCodedError(e, "P2P_BAD_OPTIONS"),
      );
    }
  });
});
