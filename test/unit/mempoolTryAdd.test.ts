/**
 * `Mempool.tryAdd` (the gossip path: refusals as values, no error per duplicate) against `add` (which
 * throws them), the copy the pool keeps of a tx handed in as a view, listeners only on admission, and
 * `update` re-checking the pool while it removes from it.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { sha256 } from "../../src/crypto/index.ts";
import { Mempool, MempoolError, type CheckOutcome } from "../../src/mempool/index.ts";

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
/** `sender:priority` (a sender "bad" is refused by the check). */
const check = (t: Uint8Array): CheckOutcome<string> => {
  const [sender, priority] = new TextDecoder().decode(t).split(":");
  const ok = sender !== "bad";
  return { ok, gasWanted: 10n, priority: BigInt(priority ?? "0"), sender: sender ?? "", result: ok ? "ok" : "no" };
};

const options = { maxTxs: 4, maxBytes: 60, maxTxBytes: 20, cacheSize: 8 };

describe("Mempool.tryAdd", () => {
  it("refuses with the codes and texts add throws, and admits what add admits", () => {
    // Two pools fed the same sequence, one through add, one through tryAdd, end up identical.
    const alphabet = ["a:1", "b:2", "c:3", "a:1", "bad:1", "", "x".repeat(21), "d:4", "e:5", "f:6", "g:7", "h:8"];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...alphabet), { maxLength: 30 }), fc.array(fc.nat(30)), (seq, updates) => {
        const viaAdd = new Mempool(check, sha256, options);
        const viaTry = new Mempool(check, sha256, options);
        seq.forEach((text, i) => {
          const t = enc(text);
          let thrown: MempoolError | undefined;
          let added: ReturnType<typeof viaAdd.add> | undefined;
          try {
            added = viaAdd.add(t);
          } catch (e) {
            assert.ok(e instanceof MempoolError);
            thrown = e;
          }
          const r = viaTry.tryAdd(t);
          if (thrown !== undefined) {
            assert.ok("refused" in r, `tryAdd admitted ${JSON.stringify(text)}`);
            assert.equal(r.refused, thrown.code);
            assert.equal(r.message, thrown.message);
          } else {
            assert.ok(!("refused" in r));
            assert.deepEqual(r.hash, added!.hash);
            assert.equal(r.outcome.ok, added!.outcome.ok);
          }
          if (updates.includes(i)) {
            const block = viaAdd.reap(-1, -1n).slice(0, 2);
            assert.deepEqual(viaTry.reap(-1, -1n).slice(0, 2), block);
            assert.deepEqual(viaTry.update(block), viaAdd.update(block));
          }
          assert.deepEqual(viaTry.txs(), viaAdd.txs());
          assert.equal(viaTry.bytes, viaAdd.bytes);
        });
      }),
      { numRuns: 300 },
    );
  });

  it("keeps its own copy of a tx handed in as a view into a larger message", () => {
    const m = new Mempool(check, sha256, options);
    const message = enc("..a:1..b:2..");
    const view = message.subarray(2, 5);
    const r = m.tryAdd(view);
    assert.ok(!("refused" in r) && r.outcome.ok);
    message.fill(0); // the message is reused by its owner
    const [kept] = m.txs();
    assert.deepEqual(kept, enc("a:1"));
    assert.notEqual(kept!.buffer, message.buffer);
  });

  it("runs the listeners on admission only", () => {
    const m = new Mempool(check, sha256, options);
    let calls = 0;
    const off = m.onTxAvailable(() => calls++);
    m.tryAdd(enc("a:1"));
    m.tryAdd(enc("a:1")); // duplicate
    m.tryAdd(enc("bad:1")); // refused by the check
    assert.equal(calls, 1);
    off();
    m.tryAdd(enc("b:1"));
    assert.equal(calls, 1);
  });

  it("update drops what the re-check refuses and keeps the others in arrival order", () => {
    let refuse = new Set<string>();
    const m = new Mempool<string>(
      (t) => {
        const out = check(t);
        return refuse.has(new TextDecoder().decode(t)) ? { ...out, ok: false } : out;
      },
      sha256,
      { ...options, maxTxs: 10, maxBytes: 1000 },
    );
    for (const t of ["a:1", "b:1", "c:1", "d:1", "e:1", "f:1"]) m.tryAdd(enc(t));
    refuse = new Set(["b:1", "c:1", "f:1"]); // consecutive and last ones
    const r = m.update([enc("a:1")]);
    assert.deepEqual(r, { included: 1, dropped: 3 });
    assert.deepEqual(
      m.txs().map((t) => new TextDecoder().decode(t)),
      ["d:1", "e:1"],
    );
    assert.equal(m.bytes, 6);
    // the included tx is a duplicate now; a dropped one may come again
    assert.deepEqual(m.tryAdd(enc("a:1")), { refused: "MEMPOOL_DUPLICATE", message: "tx already exists in cache" });
    refuse = new Set();
    const again = m.tryAdd(enc("b:1"));
    assert.ok(!("refused" in again) && again.outcome.ok);
  });
});
