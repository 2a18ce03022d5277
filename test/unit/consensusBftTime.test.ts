/** BFT time: CometBFT's weighted median of the commit timestamps (vectors of `types/time/time_test.go`) and its properties. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { BlockIdFlag, ZERO_TIME, type Commit, type CommitSig, type Timestamp } from "../../src/codec/consensus.ts";
import {
  clampVoteTime,
  compareTimestamps,
  medianTime,
  nanosToTimestamp,
  timestampToNanos,
  weightedMedian,
} from "../../src/consensus/bftTime.ts";
import { blockFor, makeValidators } from "./consensusFixtures.ts";

const t = (s: number, n = 0): Timestamp => ({ seconds: 1_700_000_000n + BigInt(s), nanos: n });

describe("weightedMedian (CometBFT time_test.go vectors)", () => {
  it("faulty 33 at t1, correct 40 at t2 and 27 at t3 → t2", () => {
    const [t1, t2, t3] = [t(0), t(5), t(10)];
    assert.deepEqual(
      weightedMedian(
        [
          { time: t2, weight: 40n },
          { time: t3, weight: 27n },
          { time: t1, weight: 33n },
        ],
        100n,
      ),
      t2,
    );
    assert.deepEqual(
      weightedMedian(
        [
          { time: t3, weight: 33n },
          { time: t1, weight: 40n },
          { time: t2, weight: 27n },
        ],
        100n,
      ),
      t2,
    );
  });

  it("eight slots (two empty), total 83 → t3", () => {
    const [t1, t2, t3, t4, t5] = [t(0), t(5), t(10), t(15), t(60)];
    const m = [
      { time: t4, weight: 20n },
      { time: t2, weight: 10n },
      { time: t1, weight: 10n },
      { time: t3, weight: 23n },
      { time: t2, weight: 10n },
      { time: t5, weight: 10n },
    ];
    assert.deepEqual(weightedMedian(m, 83n), t3);
  });

  it("hand-computed: equal weights take the lower middle (median = ⌊T/2⌋ fits in the first entry)", () => {
    // T = 3, median = 1: the first (earliest) entry has weight 1 ≥ 1
    assert.deepEqual(
      weightedMedian(
        [
          { time: t(30), weight: 1n },
          { time: t(10), weight: 1n },
          { time: t(20), weight: 1n },
        ],
        3n,
      ),
      t(10),
    );
    // T = 4, median = 2: 10 (w1) → 1 left, 20 (w1) fits
    assert.deepEqual(
      weightedMedian(
        [10, 20, 30, 40].map((s) => ({ time: t(s), weight: 1n })),
        4n,
      ),
      t(20),
    );
    assert.deepEqual(weightedMedian([], 0n), ZERO_TIME);
  });
});

function commitOf(sigs: CommitSig[]): Commit {
  return { height: 5n, round: 0, blockId: blockFor("b").blockId, signatures: sigs };
}

describe("medianTime(commit, validatorSet)", () => {
  const v = makeValidators([10n, 20n, 30n, 40n], "bft");
  const sig = (i: number, flag: BlockIdFlag, time: Timestamp): CommitSig => ({
    blockIdFlag: flag,
    validatorAddress: flag === BlockIdFlag.Absent ? new Uint8Array(0) : v.set.validators[i]!.address,
    timestamp: flag === BlockIdFlag.Absent ? ZERO_TIME : time,
    signature: flag === BlockIdFlag.Absent ? new Uint8Array(0) : new Uint8Array(64),
  });

  it("weights each signature by its signer's power; nil votes count, absent do not", () => {
    // set order: 40, 30, 20, 10 (indexes 0..3)
    const all = commitOf([
      sig(0, BlockIdFlag.Commit, t(4)),
      sig(1, BlockIdFlag.Commit, t(1)),
      sig(2, BlockIdFlag.Nil, t(3)),
      sig(3, BlockIdFlag.Commit, t(2)),
    ]);
    // sorted: t1 (30), t2 (10), t3 (20), t4 (40); T = 100, median 50: 50 > 30 → 20; 20 > 10 → 10; 10 ≤ 20 → t3
    assert.deepEqual(medianTime(all, v.set), t(3));
    const absent40 = commitOf([
      sig(0, BlockIdFlag.Absent, t(4)),
      sig(1, BlockIdFlag.Commit, t(1)),
      sig(2, BlockIdFlag.Commit, t(3)),
      sig(3, BlockIdFlag.Commit, t(2)),
    ]);
    // T = 60, median 30: t1 has 30 ≥ 30 → t1
    assert.deepEqual(medianTime(absent40, v.set), t(1));
  });

  it("skips signers that are not in the set", () => {
    const other = makeValidators([1000n], "other");
    const stranger: CommitSig = {
      blockIdFlag: BlockIdFlag.Commit,
      validatorAddress: other.set.validators[0]!.address,
      timestamp: t(100),
      signature: new Uint8Array(64),
    };
    const c = commitOf([sig(0, BlockIdFlag.Commit, t(7)), stranger]);
    assert.deepEqual(medianTime(c, v.set), t(7));
  });

  it("nanosecond precision", () => {
    const c = commitOf([sig(0, BlockIdFlag.Commit, t(1, 999_999_999)), sig(1, BlockIdFlag.Commit, t(1, 5))]);
    // T = 70, median 35: t(1,5) (30) → 5 left; t(1,999999999) (40) fits
    assert.deepEqual(medianTime(c, v.set), t(1, 999_999_999));
  });
});

describe("time helpers", () => {
  it("nanos round trip, negative times included", () => {
    for (const ts of [t(0), t(3, 7), ZERO_TIME, { seconds: -1n, nanos: 999_999_999 }]) {
      assert.deepEqual(nanosToTimestamp(timestampToNanos(ts)), ts);
    }
    assert.deepEqual(nanosToTimestamp(-1n), { seconds: -1n, nanos: 999_999_999 });
  });

  it("clampVoteTime: at least the voted block's time + 1 ms", () => {
    assert.deepEqual(clampVoteTime(t(0), t(5)), t(5, 1_000_000));
    assert.deepEqual(clampVoteTime(t(9), t(5)), t(9));
    assert.deepEqual(clampVoteTime(t(0), null), t(0));
  });
});

describe("weighted median properties", () => {
  const entry = fc.record({ s: fc.integer({ min: 0, max: 1000 }), w: fc.bigInt({ min: 1n, max: 1000n }) });

  it("cumulative weight before the median < ⌊T/2⌋ (or nothing before), through it ≥ ⌊T/2⌋", () => {
    fc.assert(
      fc.property(fc.array(entry, { minLength: 1, maxLength: 20 }), (es) => {
        const times = es.map((e) => ({ time: t(e.s), weight: e.w }));
        const total = es.reduce((a, e) => a + e.w, 0n);
        const m = weightedMedian(times, total);
        assert.ok(
          times.some((x) => compareTimestamps(x.time, m) === 0),
          "the median is one of the times",
        );
        const half = total / 2n;
        const before = times.filter((x) => compareTimestamps(x.time, m) < 0).reduce((a, x) => a + x.weight, 0n);
        const through = times.filter((x) => compareTimestamps(x.time, m) <= 0).reduce((a, x) => a + x.weight, 0n);
        assert.ok(before < half || before === 0n, `before ${before} half ${half}`);
        assert.ok(through >= half);
        // order of the input does not matter
        assert.deepEqual(weightedMedian([...times].reverse(), total), m);
      }),
      { seed: 20261124, numRuns: 300 },
    );
  });

  it("with faulty power < 1/3 the median lies between the correct processes' times", () => {
    fc.assert(
      fc.property(
        fc.array(entry, { minLength: 1, maxLength: 10 }),
        fc.array(entry, { minLength: 0, maxLength: 10 }),
        (correct, faulty) => {
          const cp = correct.reduce((a, e) => a + e.w, 0n);
          const fp = faulty.reduce((a, e) => a + e.w, 0n);
          fc.pre(fp * 2n < cp); // faulty < 1/3 of the total
          const times = [...correct, ...faulty].map((e) => ({ time: t(e.s), weight: e.w }));
          const m = weightedMedian(times, cp + fp);
          const lo = Math.min(...correct.map((e) => e.s));
          const hi = Math.max(...correct.map((e) => e.s));
          assert.ok(compareTimestamps(m, t(lo)) >= 0 && compareTimestamps(m, t(hi)) <= 0);
        },
      ),
      { seed: 7, numRuns: 300 },
    );
  });
});
