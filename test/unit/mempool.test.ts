/**
 * The mempool on a fake check: admission (bounds, duplicates, refused txs), ordering (priority, then
 * arrival, senders in order), reaping limits, update and re-check; property tests of the ordering and
 * bound invariants.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { sha256 } from "../../src/crypto/index.ts";
import { Mempool, MempoolError, type CheckOutcome } from "../../src/mempool/index.ts";
import { isCodedError } from "../../src/primitives/errors.ts";
import { codeOf } from "../helpers/errors.ts";

/** A fake tx: `sender:seq:priority:gas:pad` as text; the check refuses txs whose sender is "bad". */
const tx = (sender: string, seq: number, priority: number, gas = 100, pad = ""): Uint8Array =>
  new TextEncoder().encode(`${sender}:${seq}:${priority}:${gas}:${pad}`);
const parse = (t: Uint8Array): { sender: string; seq: number; priority: bigint; gas: bigint } => {
  const [sender, seq, priority, gas] = new TextDecoder().decode(t).split(":");
  return { sender: sender!, seq: Number(seq), priority: BigInt(priority!), gas: BigInt(gas!) };
};

function fakeCheck(refuse: (t: Uint8Array) => boolean = (t) => parse(t).sender === "bad") {
  let calls = 0;
  const check = (t: Uint8Array): CheckOutcome<string> => {
    calls++;
    const p = parse(t);
    const ok = !refuse(t);
    return { ok, gasWanted: p.gas, priority: p.priority, sender: p.sender, result: ok ? "ok" : "refused" };
  };
  return { check, calls: () => calls };
}

const label = (t: Uint8Array): string => new TextDecoder().decode(t);

describe("mempool admission", () => {
  it("keeps what the check admits and hands back its result; drops what it refuses", () => {
    const f = fakeCheck();
    const m = new Mempool(f.check, sha256);
    const good = m.add(tx("a", 0, 1));
    assert.equal(good.outcome.ok, true);
    assert.equal(good.outcome.result, "ok");
    assert.deepEqual(good.hash, sha256(tx("a", 0, 1)));
    const bad = m.add(tx("bad", 0, 1));
    assert.equal(bad.outcome.ok, false);
    assert.equal(bad.outcome.result, "refused");
    assert.equal(m.size, 1);
    assert.equal(m.bytes, tx("a", 0, 1).length);
    assert.equal(m.has(good.hash), true);
    assert.equal(m.has(bad.hash), false);
    // a refused tx may be sent again (it is checked again)
    const before = f.calls();
    m.add(tx("bad", 0, 1));
    assert.equal(f.calls(), before + 1);
  });

  it("refuses duplicates, empty and oversized txs, and a full pool, without running the check", () => {
    const f = fakeCheck();
    const m = new Mempool(f.check, sha256, { maxTxs: 2, maxBytes: 1000, maxTxBytes: 50, cacheSize: 10 });
    m.add(tx("a", 0, 1));
    const calls = f.calls();
    assert.equal(
      codeOf(() => m.add(tx("a", 0, 1))),
      "MEMPOOL_DUPLICATE",
    );
    assert.equal(
      codeOf(() => m.add(new Uint8Array(0))),
      "MEMPOOL_TX_EMPTY",
    );
    assert.equal(
      codeOf(() => m.add(tx("a", 1, 1, 100, "x".repeat(60)))),
      "MEMPOOL_TX_TOO_LARGE",
    );
    m.add(tx("b", 0, 1));
    assert.equal(
      codeOf(() => m.add(tx("c", 0, 1))),
      "MEMPOOL_FULL",
    );
    assert.equal(f.calls(), calls + 1);
    const byBytes = new Mempool(f.check, sha256, { maxTxs: 10, maxBytes: 15, maxTxBytes: 15, cacheSize: 10 });
    byBytes.add(tx("a", 0, 1)); // 10 bytes
    assert.equal(
      codeOf(() => byBytes.add(tx("b", 0, 1))),
      "MEMPOOL_FULL",
    );
  });

  it("refuses an included tx sent again (cache), and forgets it after cacheSize newer hashes", () => {
    const m = new Mempool(fakeCheck().check, sha256, { cacheSize: 2 });
    const t = tx("a", 0, 1);
    m.add(t);
    m.update([t]);
    assert.equal(m.size, 0);
    assert.equal(
      codeOf(() => m.add(t)),
      "MEMPOOL_DUPLICATE",
    );
    for (let i = 1; i <= 3; i++) m.update([tx("z", i, 1)]);
    assert.equal(m.add(t).outcome.ok, true);
  });

  it("rejects bad options with a code", () => {
    assert.throws(() => new Mempool(fakeCheck().check, sha256, { maxTxs: 0 }), MempoolError);
    assert.throws(() => new Mempool(fakeCheck().check, sha256, { maxBytes: 1.5 }), MempoolError);
  });

  it("tells listeners when a tx is admitted (not when refused)", () => {
    const m = new Mempool(fakeCheck().check, sha256);
    let n = 0;
    const off = m.onTxAvailable(() => n++);
    m.add(tx("a", 0, 1));
    m.add(tx("bad", 0, 1));
    off();
    m.add(tx("a", 1, 1));
    assert.equal(n, 1);
  });
});

describe("mempool ordering and reaping", () => {
  it("orders by priority then arrival, keeping each sender's order", () => {
    const m = new Mempool(fakeCheck().check, sha256);
    for (const t of [tx("a", 0, 1), tx("b", 0, 5), tx("a", 1, 9), tx("c", 0, 5), tx("d", 0, 3)]) m.add(t);
    assert.deepEqual(m.reap().map(label), ["b:0:5:100:", "c:0:5:100:", "d:0:3:100:", "a:0:1:100:", "a:1:9:100:"]);
    // arrival order for listing
    assert.deepEqual(m.txs(2).map(label), ["a:0:1:100:", "b:0:5:100:"]);
  });

  it("stops at max bytes and max gas", () => {
    const m = new Mempool(fakeCheck().check, sha256);
    m.add(tx("a", 0, 3, 100));
    m.add(tx("b", 0, 2, 200));
    m.add(tx("c", 0, 1, 100));
    assert.deepEqual(m.reap(-1, 200n).map(label), ["a:0:3:100:", "c:0:1:100:"]);
    assert.deepEqual(m.reap(tx("a", 0, 3, 100).length * 2, -1n).map(label), ["a:0:3:100:", "b:0:2:200:"]);
    assert.deepEqual(m.reap(0, -1n), []);
    assert.equal(m.size, 3, "reaping keeps the txs");
  });

  it("update removes the included txs and re-checks the rest in arrival order", () => {
    let refused = new Set<string>();
    const seen: string[] = [];
    const m = new Mempool<string>((t) => {
      seen.push(label(t));
      const p = parse(t);
      return { ok: !refused.has(label(t)), gasWanted: p.gas, priority: p.priority, sender: p.sender, result: "" };
    }, sha256);
    const txs = [tx("a", 0, 1), tx("b", 0, 1), tx("c", 0, 1), tx("d", 0, 1)];
    for (const t of txs) m.add(t);
    seen.length = 0;
    refused = new Set([label(txs[2]!)]);
    const r = m.update([txs[0]!]);
    assert.deepEqual(r, { included: 1, dropped: 1 });
    assert.deepEqual(seen, [label(txs[1]!), label(txs[2]!), label(txs[3]!)]);
    assert.deepEqual(m.txs().map(label), [label(txs[1]!), label(txs[3]!)]);
    assert.equal(m.bytes, txs[1]!.length + txs[3]!.length);
    // the dropped one may come back
    refused = new Set();
    assert.equal(m.add(txs[2]!).outcome.ok, true);
  });
});

describe("mempool properties", () => {
  const arbTxs = fc.array(
    fc.record({
      sender: fc.constantFrom("a", "b", "c", "d", "e"),
      priority: fc.integer({ min: 0, max: 5 }),
      gas: fc.integer({ min: 1, max: 300 }),
    }),
    { maxLength: 60 },
  );

  it("reap: each sender in arrival order, a heads-first priority order, limits respected, nothing invented", () => {
    fc.assert(
      fc.property(
        arbTxs,
        fc.integer({ min: -1, max: 2000 }),
        fc.integer({ min: -1, max: 5000 }),
        (specs, maxBytes, maxGas) => {
          const m = new Mempool(fakeCheck().check, sha256, { maxTxs: 1000 });
          const added: Uint8Array[] = [];
          specs.forEach((s, i) => {
            const t = tx(s.sender, i, s.priority, s.gas);
            m.add(t);
            added.push(t);
          });
          const reaped = m.reap(maxBytes, BigInt(maxGas));
          const addedLabels = new Set(added.map(label));
          let bytes = 0;
          let gas = 0n;
          const lastSeq = new Map<string, number>();
          for (const t of reaped) {
            assert.ok(addedLabels.has(label(t)));
            const p = parse(t);
            assert.ok((lastSeq.get(p.sender) ?? -1) < p.seq, "sender order kept");
            lastSeq.set(p.sender, p.seq);
            bytes += t.length;
            gas += p.gas;
          }
          if (maxBytes >= 0) assert.ok(bytes <= maxBytes);
          if (maxGas >= 0) assert.ok(gas <= BigInt(maxGas));
          assert.equal(new Set(reaped.map(label)).size, reaped.length, "no tx twice");
          // without limits, everything comes out, and the first tx is the best sender head
          if (maxBytes === -1 && maxGas === -1) {
            assert.equal(reaped.length, added.length);
            if (added.length > 0) {
              const heads = new Map<string, Uint8Array>();
              for (const t of added) if (!heads.has(parse(t).sender)) heads.set(parse(t).sender, t);
              const best = Math.max(...[...heads.values()].map((t) => Number(parse(t).priority)));
              assert.equal(Number(parse(reaped[0]!).priority), best);
            }
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it("size and bytes always match the kept txs; bounds never exceeded", () => {
    fc.assert(
      fc.property(arbTxs, fc.array(fc.nat({ max: 59 }), { maxLength: 20 }), (specs, includedIdx) => {
        const m = new Mempool(fakeCheck().check, sha256, { maxTxs: 20, maxBytes: 400, maxTxBytes: 100, cacheSize: 5 });
        const all = specs.map((s, i) => tx(s.sender, i, s.priority, s.gas));
        for (const t of all) {
          try {
            m.add(t);
          } catch (e) {
            assert.ok(isCodedError(e, "MEMPOOL_FULL"));
          }
          assert.ok(m.size <= 20 && m.bytes <= 400);
        }
        m.update(includedIdx.map((i) => all[i]).filter((t): t is Uint8Array => t !== undefined));
        const kept = m.txs();
        assert.equal(kept.length, m.size);
        assert.equal(
          kept.reduce((n, t) => n + t.length, 0),
          m.bytes,
        );
        for (const i of includedIdx) {
          const t = all[i];
          if (t !== undefined) assert.equal(m.has(sha256(t)), false);
        }
      }),
      { numRuns: 200 },
    );
  });
});
