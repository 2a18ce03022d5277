/**
 * The mempool hashes each tx once, at admission: `reapWithHashes` hands those hashes out with the
 * txs, and `update(included, hashes)` removes and remembers the included txs by the given hashes
 * without hashing them again (the node passes the hashes of a block it built or validated).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { sha256 } from "../../src/crypto/index.ts";
import { Mempool, type CheckOutcome } from "../../src/mempool/index.ts";
import { bytesEqual } from "../../src/primitives/bytes.ts";
import { codeOf } from "../helpers/errors.ts";

const tx = (sender: string, seq: number, priority: number): Uint8Array =>
  new TextEncoder().encode(`${sender}:${seq}:${priority}`);

function pool(): { m: Mempool<string>; hashCalls: () => number } {
  let calls = 0;
  const check = (t: Uint8Array): CheckOutcome<string> => {
    const [sender, , priority] = new TextDecoder().decode(t).split(":");
    return { ok: true, gasWanted: 10n, priority: BigInt(priority!), sender: sender!, result: "ok" };
  };
  const hash = (t: Uint8Array): Uint8Array => {
    calls++;
    return sha256(t);
  };
  return { m: new Mempool(check, hash), hashCalls: () => calls };
}

describe("mempool tx hashes", () => {
  it("reapWithHashes gives reap's txs in reap's order, each with its sha256", () => {
    const { m } = pool();
    for (const t of [tx("a", 0, 1), tx("b", 0, 5), tx("a", 1, 9), tx("c", 0, 3)]) m.add(t);
    const plain = m.reap();
    const { txs, hashes } = m.reapWithHashes();
    assert.deepEqual(txs, plain);
    assert.equal(hashes.length, txs.length);
    txs.forEach((t, i) => assert.ok(bytesEqual(hashes[i]!, sha256(t)), `hash ${i}`));
    // The bounds apply alike.
    const bounded = m.reapWithHashes(-1, 20n);
    assert.deepEqual(bounded.txs, m.reap(-1, 20n));
    assert.equal(bounded.hashes.length, 2);
  });

  it("update with the included txs' hashes hashes nothing, and removes and remembers them", () => {
    const { m, hashCalls } = pool();
    const [t1, t2, t3] = [tx("a", 0, 1), tx("b", 0, 2), tx("c", 0, 3)];
    for (const t of [t1, t2, t3]) m.add(t);
    const before = hashCalls();
    // The block's txs are other arrays with the same bytes (decoded from the block).
    const included = [t1.slice(), t3.slice()];
    const r = m.update(
      included,
      included.map((t) => sha256(t)),
    );
    assert.equal(hashCalls(), before, "no tx hashed by update");
    assert.deepEqual(r, { included: 2, dropped: 0 });
    assert.deepEqual(m.txs(), [t2]);
    assert.equal("refused" in m.tryAdd(t1.slice()), true, "an included tx is a duplicate now");
    // Without hashes, update hashes each included tx (the same result).
    const { m: m2, hashCalls: calls2 } = pool();
    for (const t of [t1, t2, t3]) m2.add(t);
    const before2 = calls2();
    assert.deepEqual(m2.update(included), { included: 2, dropped: 0 });
    assert.equal(calls2() - before2, 2);
    assert.deepEqual(m2.txs(), m.txs());
  });

  it("update refuses a hash list whose length differs from the txs'", () => {
    const { m } = pool();
    m.add(tx("a", 0, 1));
    assert.equal(
      codeOf(() => m.update([tx("a", 0, 1)], [])),
      "MEMPOOL_INVALID_OPTIONS",
    );
    assert.equal(m.size, 1, "nothing removed");
  });
});
