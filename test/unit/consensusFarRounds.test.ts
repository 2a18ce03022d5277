/**
 * The reducer's bound on far-future rounds (above the current round + 1): each validator's votes open at
 * most MAX_FAR_ROUNDS_PER_VALIDATOR such rounds, each proposer's proposals as many; the round skip of
 * line 55 still works.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createConsensusState, farRoundsOf, MAX_FAR_ROUNDS_PER_VALIDATOR, step } from "../../src/consensus/reducer.ts";
import type { ConsensusEffect, ConsensusEvent, ConsensusState } from "../../src/consensus/types.ts";
import { proposerForRound, validatorIndexByAddress } from "../../src/consensus/validatorSet.ts";
import {
  blockFor,
  makeProposal,
  makeValidators,
  makeVote,
  PRECOMMIT,
  PREVOTE,
  TEST_CONFIG,
} from "./consensusFixtures.ts";

const V = makeValidators([1n, 1n, 1n, 1n], "far");
const H = 1n;
const ME = 0;
const X = 1;
const Y = 2;
const A = blockFor("far A");

function run(s: ConsensusState, e: ConsensusEvent): { s: ConsensusState; effects: readonly ConsensusEffect[] } {
  const r = step(s, e);
  return { s: r.state, effects: r.effects };
}

function started(): ConsensusState {
  return run(createConsensusState(TEST_CONFIG, V.byIndex[ME]!.address), {
    type: "startHeight",
    height: H,
    validators: V.set,
  }).s;
}

const refused = (effects: readonly ConsensusEffect[]): boolean =>
  effects.some((e) => e.type === "invalidInput" && e.reason.includes("far-future"));

describe("far-future rounds", () => {
  it("rounds up to current + 1 are always accepted", () => {
    let s = started();
    for (const r of [0, 1]) {
      const out = run(s, { type: "vote", vote: makeVote(V, X, PREVOTE, H, r, null) });
      assert.ok(!refused(out.effects));
      s = out.s;
    }
    assert.deepEqual(farRoundsOf(s, X), []);
    assert.ok(s.votes["1"]?.prevotes.votes[X] !== null);
  });

  it(`a validator opens at most ${MAX_FAR_ROUNDS_PER_VALIDATOR} far rounds; others are not affected`, () => {
    assert.equal(MAX_FAR_ROUNDS_PER_VALIDATOR, 2);
    let s = started();
    s = run(s, { type: "vote", vote: makeVote(V, X, PREVOTE, H, 5, null) }).s;
    s = run(s, { type: "vote", vote: makeVote(V, X, PREVOTE, H, 7, null) }).s;
    assert.deepEqual(farRoundsOf(s, X), [5, 7]);
    assert.equal(s.round, 0, "one validator is not f + 1");
    const third = run(s, { type: "vote", vote: makeVote(V, X, PREVOTE, H, 9, null) });
    assert.ok(refused(third.effects));
    assert.equal(third.s.votes["9"], undefined, "nothing stored for round 9");
    // a round X already opened still takes its other votes
    const more = run(s, { type: "vote", vote: makeVote(V, X, PRECOMMIT, H, 7, null) });
    assert.ok(!refused(more.effects));
    assert.notEqual(more.s.votes["7"]?.precommits.votes[X], null);
    // another validator has its own allowance
    const other = run(s, { type: "vote", vote: makeVote(V, Y, PREVOTE, H, 9, null) });
    assert.ok(!refused(other.effects));
  });

  it("f + 1 validators in a far round still make the node skip to it; then the allowance frees up", () => {
    let s = started();
    s = run(s, { type: "vote", vote: makeVote(V, X, PREVOTE, H, 5, null) }).s;
    s = run(s, { type: "vote", vote: makeVote(V, X, PREVOTE, H, 7, null) }).s;
    s = run(s, { type: "vote", vote: makeVote(V, Y, PREVOTE, H, 7, null) }).s;
    assert.equal(s.round, 7, "line 55: X and Y (f + 1) in round 7");
    assert.deepEqual(farRoundsOf(s, X), []);
    const next = run(s, { type: "vote", vote: makeVote(V, X, PREVOTE, H, 9, null) });
    assert.ok(!refused(next.effects));
  });

  it(`a proposer's proposals open at most ${MAX_FAR_ROUNDS_PER_VALIDATOR} far rounds`, () => {
    const proposerOf = (r: number): number => validatorIndexByAddress(V.set, proposerForRound(V.set, r).address);
    const p = [0, 1, 2, 3].find((i) => i !== ME)!;
    const rounds: number[] = [];
    for (let r = 2; rounds.length < 3; r++) if (proposerOf(r) === p) rounds.push(r);
    let s = started();
    for (const r of rounds.slice(0, 2)) {
      const out = run(s, {
        type: "proposal",
        proposal: makeProposal(V.byIndex[p]!, H, r, -1, A.blockId),
        block: A.block,
      });
      assert.ok(!refused(out.effects));
      s = out.s;
    }
    assert.equal(Object.keys(s.proposals).length, 2);
    const out = run(s, {
      type: "proposal",
      proposal: makeProposal(V.byIndex[p]!, H, rounds[2]!, -1, A.blockId),
      block: A.block,
    });
    assert.ok(refused(out.effects));
    assert.equal(out.s.proposals[String(rounds[2])], undefined);
  });
});
