/** Validator set changes: CometBFT `UpdateWithChangeSet` rules (hand-computed priorities), the H+2 schedule, properties. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { createPrivValidator } from "../../src/consensus/privval.ts";
import {
  createValidatorSet,
  incrementProposerPriority,
  MAX_TOTAL_VOTING_POWER,
  validatorSetHash,
  type ValidatorSet,
} from "../../src/consensus/validatorSet.ts";
import {
  advanceValidatorSchedule,
  applyValidatorUpdates,
  genesisValidatorSchedule,
  ValidatorUpdateError,
  type ValidatorUpdate,
} from "../../src/consensus/validatorUpdates.ts";
import { toHex } from "../../src/primitives/hex.ts";
import { seedOf } from "./consensusFixtures.ts";

const keys = Array.from({ length: 12 }, (_, i) => createPrivValidator(seedOf(i, "valupd")));
const pk = (i: number): Uint8Array => keys[i]!.pubKey;
const addr = (i: number): string => toHex(keys[i]!.address);

function setOf(powers: readonly (readonly [number, bigint])[]): ValidatorSet {
  return createValidatorSet(powers.map(([i, p]) => ({ pubKey: pk(i), votingPower: p })));
}

/** address hex → [power, priority] */
function view(s: ValidatorSet): Map<string, [bigint, bigint]> {
  return new Map(s.validators.map((v) => [toHex(v.address), [v.votingPower, v.proposerPriority]]));
}

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ValidatorUpdateError, String(e));
    return e.code;
  }
  assert.fail("expected a ValidatorUpdateError");
}

describe("applyValidatorUpdates (hand-computed)", () => {
  // {A: 10, B: 20}: created with one increment: A = 10, B = 20 − 30 = −10.
  const base = setOf([
    [0, 10n],
    [1, 20n],
  ]);

  it("the base set is what CometBFT's NewValidatorSet gives", () => {
    assert.deepEqual(
      view(base),
      new Map([
        [addr(0), [10n, 10n]],
        [addr(1), [20n, -10n]],
      ]),
    );
  });

  it("a new validator starts at −(T + T/8), then rescale/centre (floored average)", () => {
    const s = applyValidatorUpdates(base, [{ pubKey: pk(2), power: 30n }]);
    // T after updates = 60 → −(60 + 7) = −67; priorities 10, −10, −67; spread 77 ≤ 120; avg ⌊−67/3⌋ = −23
    assert.deepEqual(
      view(s),
      new Map([
        [addr(0), [10n, 33n]],
        [addr(1), [20n, 13n]],
        [addr(2), [30n, -44n]],
      ]),
    );
    assert.equal(s.totalVotingPower, 60n);
    assert.deepEqual(
      s.validators.map((v) => v.votingPower),
      [30n, 20n, 10n],
    );
    assert.equal(toHex(s.validators[s.proposerIndex]!.address), addr(0));
    // the increment that follows (updateState): +power: 43, 33, −14 → A proposes, 43 − 60 = −17
    const next = incrementProposerPriority(s, 1);
    assert.deepEqual(
      view(next),
      new Map([
        [addr(0), [10n, -17n]],
        [addr(1), [20n, 33n]],
        [addr(2), [30n, -14n]],
      ]),
    );
    assert.equal(toHex(next.validators[next.proposerIndex]!.address), addr(0));
  });

  it("a power change keeps the priority; power 0 removes", () => {
    const s = applyValidatorUpdates(base, [
      { pubKey: pk(0), power: 0n },
      { pubKey: pk(1), power: 50n },
    ]);
    // B keeps −10; alone: centred on −10 → 0
    assert.deepEqual(view(s), new Map([[addr(1), [50n, 0n]]]));
    assert.equal(s.totalVotingPower, 50n);
  });

  it("rescales when the spread exceeds 2 × total", () => {
    const s0 = createValidatorSet([
      { pubKey: pk(0), votingPower: 1n, proposerPriority: 0n },
      { pubKey: pk(1), votingPower: 1n, proposerPriority: 0n },
    ]);
    // s0: +1 each → 1, 1; tie → the smaller address proposes, −2
    // adding C (100): T = 102 → −(102 + 12) = −114; spread vs old ones (≥ −1) well under 204: no rescale
    const s = applyValidatorUpdates(s0, [{ pubKey: pk(2), power: 100n }]);
    const prios = s.validators.map((v) => v.proposerPriority);
    const sum = prios.reduce((a, b) => a + b, 0n);
    assert.ok(sum >= 0n && sum < 3n);
    assert.equal(s.validators[0]!.votingPower, 100n);
    // with a forced wide spread: priorities 1000 and −1000, total 2 → diffMax 4, ratio ⌈2000/4⌉ = 500 → 2, −2
    const two = setOf([
      [3, 1n],
      [4, 1n],
    ]);
    const wide: ValidatorSet = {
      ...two,
      validators: two.validators.map((v, i) => ({ ...v, proposerPriority: i === 0 ? 1000n : -1000n })),
    };
    const w = applyValidatorUpdates(wide, [{ pubKey: pk(3), power: 1n }]);
    assert.deepEqual(
      w.validators.map((v) => v.proposerPriority).sort((a, b) => (a < b ? -1 : 1)),
      [-2n, 2n],
    );
  });

  it("refuses bad change sets with codes (CometBFT TestValSetUpdatesOtherErrors / overflow cases)", () => {
    assert.equal(
      code(() => applyValidatorUpdates(base, [{ pubKey: pk(0), power: -123n }])),
      "VALSET_UPDATE_NEGATIVE_POWER",
    );
    assert.equal(
      code(() => applyValidatorUpdates(base, [{ pubKey: pk(5), power: 0n }])),
      "VALSET_UPDATE_REMOVE_UNKNOWN",
    );
    assert.equal(
      code(() =>
        applyValidatorUpdates(base, [
          { pubKey: pk(0), power: 0n },
          { pubKey: pk(1), power: 0n },
        ]),
      ),
      "VALSET_UPDATE_EMPTY_SET",
    );
    assert.equal(
      code(() =>
        applyValidatorUpdates(base, [
          { pubKey: pk(2), power: 5n },
          { pubKey: pk(2), power: 6n },
        ]),
      ),
      "VALSET_UPDATE_DUPLICATE",
    );
    assert.equal(
      code(() => applyValidatorUpdates(base, [{ pubKey: pk(2), power: (1n << 63n) - 1n }])),
      "VALSET_UPDATE_POWER_TOO_HIGH",
    );
    // one validator at maxVP − 1, adding 5 exceeds the max
    const big = setOf([[0, MAX_TOTAL_VOTING_POWER - 1n]]);
    assert.equal(
      code(() => applyValidatorUpdates(big, [{ pubKey: pk(1), power: 5n }])),
      "VALSET_UPDATE_TOTAL_TOO_HIGH",
    );
    assert.equal(
      code(() => applyValidatorUpdates(base, [{ pubKey: new Uint8Array(33), power: 5n }])),
      "VALSET_UPDATE_BAD_PUBKEY",
    );
    // removing the big one while adding keeps the total in bounds: accepted
    const swapped = applyValidatorUpdates(big, [
      { pubKey: pk(0), power: 0n },
      { pubKey: pk(1), power: 5n },
    ]);
    assert.equal(swapped.totalVotingPower, 5n);
  });

  it("CometBFT TestValSetUpdatesBasicTestsExecute cases: resulting members and powers", () => {
    const cases: [[number, bigint][], [number, bigint][], [number, bigint][]][] = [
      [
        [
          [1, 10n],
          [2, 10n],
        ],
        [
          [2, 22n],
          [1, 11n],
        ],
        [
          [2, 22n],
          [1, 11n],
        ],
      ],
      [
        [
          [2, 20n],
          [1, 10n],
        ],
        [
          [4, 40n],
          [3, 30n],
        ],
        [
          [4, 40n],
          [3, 30n],
          [2, 20n],
          [1, 10n],
        ],
      ],
      [
        [
          [3, 20n],
          [1, 10n],
        ],
        [[2, 30n]],
        [
          [2, 30n],
          [3, 20n],
          [1, 10n],
        ],
      ],
      [
        [
          [3, 30n],
          [2, 20n],
          [1, 10n],
        ],
        [[2, 0n]],
        [
          [3, 30n],
          [1, 10n],
        ],
      ],
    ];
    for (const [start, changes, expected] of cases) {
      const s = applyValidatorUpdates(
        setOf(start),
        changes.map(([i, p]) => ({ pubKey: pk(i), power: p })),
      );
      assert.deepEqual(
        new Map(s.validators.map((v) => [toHex(v.address), v.votingPower])),
        new Map(expected.map(([i, p]) => [addr(i), p])),
      );
    }
    // no changes: the same set
    assert.equal(applyValidatorUpdates(base, []), base);
  });
});

describe("advanceValidatorSchedule: updates of block H sign from H + 2", () => {
  it("the new validator is in NextValidators after H, in Validators after H + 1", () => {
    const genesis = setOf([
      [0, 10n],
      [1, 10n],
    ]);
    let s = genesisValidatorSchedule(genesis, 1n);
    assert.deepEqual(validatorSetHash(s.validators), validatorSetHash(genesis));
    // block 1 executed, app adds validator 2
    s = advanceValidatorSchedule(s, 1n, [{ pubKey: pk(2), power: 10n }]);
    assert.equal(s.validators.validators.length, 2, "height 2 is signed by the old set");
    assert.equal(s.nextValidators.validators.length, 3, "height 3 by the new one");
    assert.equal(s.lastHeightValidatorsChanged, 3n);
    // block 2 executed, no changes
    s = advanceValidatorSchedule(s, 2n, []);
    assert.equal(s.validators.validators.length, 3, "height 3 signed by the new set");
    assert.equal(s.lastValidators?.validators.length, 2);
    assert.equal(s.lastHeightValidatorsChanged, 3n);
    // the set signing height 3 is NextValidators of height 2 incremented once more
    const third = s.validators.validators.find((v) => toHex(v.address) === addr(2))!;
    assert.ok(third.proposerPriority < 0n, "a newcomer starts behind");
  });

  it("without changes the sets just rotate their proposer (IncrementProposerPriority(1) each height)", () => {
    const genesis = setOf([
      [0, 1n],
      [1, 1n],
      [2, 1n],
    ]);
    let s = genesisValidatorSchedule(genesis, 1n);
    const proposers: string[] = [];
    for (let h = 1n; h <= 6n; h++) {
      proposers.push(toHex(s.validators.validators[s.validators.proposerIndex]!.address));
      s = advanceValidatorSchedule(s, h, []);
    }
    assert.equal(
      new Set(proposers.slice(0, 3)).size,
      3,
      "each of three equal validators proposes once in three heights",
    );
    assert.deepEqual(proposers.slice(3), proposers.slice(0, 3));
  });
});

describe("validator update properties", () => {
  const change = fc.record({ key: fc.integer({ min: 0, max: 11 }), power: fc.bigInt({ min: 0n, max: 1000n }) });
  const start = fc.uniqueArray(
    fc.record({ key: fc.integer({ min: 0, max: 11 }), power: fc.bigInt({ min: 1n, max: 1000n }) }),
    {
      minLength: 1,
      maxLength: 8,
      selector: (e) => e.key,
    },
  );

  it("total power is the sum, priorities stay centred (0 ≤ Σ < n), order of changes does not matter", () => {
    fc.assert(
      fc.property(
        start,
        fc.uniqueArray(change, { maxLength: 8, selector: (c) => c.key }),
        fc.nat(),
        (st, ch, rounds) => {
          let set = setOf(st.map((e) => [e.key, e.power] as const));
          set = incrementProposerPriority(set, 1 + (rounds % 7));
          const changes: ValidatorUpdate[] = ch.map((c) => ({ pubKey: pk(c.key), power: c.power }));
          const present = new Set(st.map((e) => e.key));
          const expected = new Map(set.validators.map((v) => [toHex(v.address), v.votingPower]));
          for (const c of ch) {
            if (c.power === 0n) expected.delete(addr(c.key));
            else expected.set(addr(c.key), c.power);
          }
          const valid = ch.every((c) => c.power > 0n || present.has(c.key)) && expected.size > 0;
          if (!valid) {
            assert.throws(() => applyValidatorUpdates(set, changes), ValidatorUpdateError);
            return;
          }
          const out = applyValidatorUpdates(set, changes);
          assert.deepEqual(new Map(out.validators.map((v) => [toHex(v.address), v.votingPower])), expected);
          assert.equal(
            out.totalVotingPower,
            [...expected.values()].reduce((a, b) => a + b, 0n),
          );
          if (ch.length > 0) {
            const sum = out.validators.reduce((a, v) => a + v.proposerPriority, 0n);
            assert.ok(sum >= 0n && sum < BigInt(out.validators.length), `priority sum ${sum}`);
            const prios = out.validators.map((v) => v.proposerPriority);
            const spread = prios.reduce((a, b) => (a > b ? a : b)) - prios.reduce((a, b) => (a < b ? a : b));
            assert.ok(spread <= 2n * out.totalVotingPower + 1n, `spread ${spread}`);
          }
          const reversed = applyValidatorUpdates(set, [...changes].reverse());
          assert.deepEqual(view(reversed), view(out));
          // sorted by power desc, then address asc
          for (let i = 1; i < out.validators.length; i++) {
            const a = out.validators[i - 1]!;
            const b = out.validators[i]!;
            assert.ok(
              a.votingPower > b.votingPower || (a.votingPower === b.votingPower && toHex(a.address) < toHex(b.address)),
            );
          }
        },
      ),
      { seed: 42, numRuns: 300 },
    );
  });
});
