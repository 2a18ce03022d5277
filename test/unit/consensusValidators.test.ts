/**
 * Proposer selection (CometBFT `IncrementProposerPriority`) on sequences computed by hand, vote-set
 * tallies and thresholds, and the privval's double-sign refusal.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SignedMsgType } from "../../src/codec/consensus.ts";
import { signProposal, signVote, recordSigned } from "../../src/consensus/privval.ts";
import {
  createValidatorSet,
  incrementProposerPriority,
  proposerForRound,
  validatorSetHash,
  type ValidatorSet,
} from "../../src/consensus/validatorSet.ts";
import {
  addVote,
  createVoteSet,
  hasOneThirdAny,
  hasTwoThirdsAny,
  hasTwoThirdsFor,
  twoThirdsMajority,
  blockKey,
  type VoteSet,
} from "../../src/consensus/voteSet.ts";
import { compareBytes } from "../../src/primitives/bytes.ts";
import {
  blockFor,
  CHAIN_ID,
  makeProposal,
  makeValidators,
  makeVote,
  PRECOMMIT,
  PREVOTE,
  T0,
} from "./consensusFixtures.ts";

/** Names the validators of `set` by their power (all distinct here). */
function byPower(set: ValidatorSet, power: bigint): number {
  return set.validators.findIndex((v) => v.votingPower === power);
}

function priorities(set: ValidatorSet): bigint[] {
  return set.validators.map((v) => v.proposerPriority);
}

describe("proposer selection (IncrementProposerPriority)", () => {
  it("powers 4, 2, 1: the hand-computed cycle X Y X Z X Y X, priorities back to zero after 7", () => {
    // total 7. From (0,0,0): +power, pick max, −7.
    //  1: ( 4, 2, 1) → X → (-3, 2, 1)     2: ( 1, 4, 2) → Y → ( 1,-3, 2)
    //  3: ( 5,-1, 3) → X → (-2,-1, 3)     4: ( 2, 1, 4) → Z → ( 2, 1,-3)
    //  5: ( 6, 3,-2) → X → (-1, 3,-2)     6: ( 3, 5,-1) → Y → ( 3,-2,-1)
    //  7: ( 7, 0, 0) → X → ( 0, 0, 0)
    const v = makeValidators([4n, 2n, 1n]);
    let set = v.set; // createValidatorSet already did step 1
    assert.deepEqual(
      set.validators.map((x) => x.votingPower),
      [4n, 2n, 1n],
      "sorted by power, descending",
    );
    const names = ["X", "Y", "Z"];
    const seq = [names[set.proposerIndex]];
    const prios = [priorities(set)];
    for (let i = 0; i < 6; i++) {
      set = incrementProposerPriority(set, 1);
      seq.push(names[set.proposerIndex]);
      prios.push(priorities(set));
    }
    assert.deepEqual(seq, ["X", "Y", "X", "Z", "X", "Y", "X"]);
    assert.deepEqual(prios, [
      [-3n, 2n, 1n],
      [1n, -3n, 2n],
      [-2n, -1n, 3n],
      [2n, 1n, -3n],
      [-1n, 3n, -2n],
      [3n, -2n, -1n],
      [0n, 0n, 0n],
    ]);
    // proposerForRound(r) = r more increments in one call
    assert.deepEqual(
      [0, 1, 2, 3, 4, 5, 6].map((r) => names[byPower(v.set, proposerForRound(v.set, r).votingPower)]),
      ["X", "Y", "X", "Z", "X", "Y", "X"],
    );
  });

  it("equal powers: ties go to the smaller address, then they alternate", () => {
    const v = makeValidators([1n, 1n]);
    const [a, b] = v.set.validators;
    assert.ok(compareBytes(a!.address, b!.address) < 0, "equal powers are sorted by address");
    // (1,1) tie → a → (-1, 1); (0, 2) → b → (0, 0); (1,1) → a …
    assert.equal(v.set.proposerIndex, 0);
    assert.deepEqual(priorities(v.set), [-1n, 1n]);
    const s2 = incrementProposerPriority(v.set, 1);
    assert.equal(s2.proposerIndex, 1);
    assert.deepEqual(priorities(s2), [0n, 0n]);
    assert.equal(incrementProposerPriority(s2, 1).proposerIndex, 0);
  });

  it("rescales priorities whose spread exceeds 2 × total (Go truncating division)", () => {
    // powers 1,1, priorities ±100: diff 200 > 4 → ratio ceil(200/4) = 50 → (2, −2); avg 0;
    // +1 → (3, −1) → first → 3 − 2 = 1.
    const v = makeValidators([1n, 1n]);
    const pk = v.set.validators.map((x) => x.pubKey);
    const set = createValidatorSet([
      { pubKey: pk[0]!, votingPower: 1n, proposerPriority: 100n },
      { pubKey: pk[1]!, votingPower: 1n, proposerPriority: -100n },
    ]);
    assert.deepEqual(priorities(set), [1n, -1n]);
    assert.equal(set.proposerIndex, 0);
    // priorities (7, −7): diff 14 → ratio ceil(14/4) = 4 → Go's truncation gives (1, −1) (flooring would give (1, −2))
    const t = createValidatorSet([
      { pubKey: pk[0]!, votingPower: 1n, proposerPriority: 7n },
      { pubKey: pk[1]!, votingPower: 1n, proposerPriority: -7n },
    ]);
    // (1,−1) avg 0 → +1 → (2, 0) → first → 0 → (0, 0)
    assert.deepEqual(priorities(t), [0n, 0n]);
  });

  it("centres on the floored average (big.Int Euclidean division)", () => {
    // priorities (−3, 0): diff 3 ≤ 4; avg = floor(−3/2) = −2 → (−1, 2); +1 → (0, 3) → second → 1 → (0, 1).
    // (Truncation would give avg −1 → (−2, 1) → (−1, 2) → (−1, 0).)
    const v = makeValidators([1n, 1n]);
    const pk = v.set.validators.map((x) => x.pubKey);
    const set = createValidatorSet([
      { pubKey: pk[0]!, votingPower: 1n, proposerPriority: -3n },
      { pubKey: pk[1]!, votingPower: 1n, proposerPriority: 0n },
    ]);
    assert.deepEqual(priorities(set), [0n, 1n]);
    assert.equal(set.proposerIndex, 1);
  });

  it("refuses empty sets, zero power and duplicates; hashes deterministically", () => {
    const v = makeValidators([1n, 2n]);
    assert.throws(() => createValidatorSet([]), { code: "CONSENSUS_INVALID_VALIDATOR_SET" });
    assert.throws(() => createValidatorSet([{ pubKey: v.privvals[0]!.pubKey, votingPower: 0n }]), {
      code: "CONSENSUS_INVALID_VALIDATOR_SET",
    });
    const dup = { pubKey: v.privvals[0]!.pubKey, votingPower: 1n };
    assert.throws(() => createValidatorSet([dup, dup]), { code: "CONSENSUS_INVALID_VALIDATOR_SET" });
    assert.equal(validatorSetHash(v.set).length, 32);
    assert.deepEqual(
      validatorSetHash(v.set),
      validatorSetHash(incrementProposerPriority(v.set, 3)),
      "priorities are not hashed",
    );
  });
});

describe("vote sets", () => {
  // powers 4, 3, 2, 1 (total 10): +2/3 needs ≥ 7, f+1 (> 1/3) needs ≥ 4
  const v = makeValidators([4n, 3n, 2n, 1n]);
  const A = blockFor("A");
  const B = blockFor("B");
  const add = (set: VoteSet, i: number, id: typeof A.blockId | null): VoteSet => {
    const r = addVote(set, makeVote(v, i, PREVOTE, 1n, 0, id), v.set.validators[i]!.votingPower);
    assert.equal(r.kind, "added");
    return (r as { set: VoteSet }).set;
  };

  it("weighted tallies and thresholds", () => {
    let s = createVoteSet(1n, 0, SignedMsgType.Prevote, 4);
    s = add(s, 3, A.blockId); // 1
    assert.equal(hasOneThirdAny(s, 10n), false);
    s = add(s, 1, null); // 4 (3 nil)
    assert.equal(hasOneThirdAny(s, 10n), true);
    assert.equal(hasTwoThirdsAny(s, 10n), false);
    s = add(s, 2, A.blockId); // 6 (A: 3)
    assert.equal(hasTwoThirdsAny(s, 10n), false, "6 of 10 is not more than 2/3");
    assert.equal(twoThirdsMajority(s, 10n), undefined);
    s = add(s, 0, A.blockId); // 10 (A: 7)
    assert.equal(hasTwoThirdsAny(s, 10n), true);
    assert.equal(twoThirdsMajority(s, 10n), blockKey(A.blockId));
    assert.equal(hasTwoThirdsFor(s, "nil", 10n), false);
  });

  it("+2/3 for nil", () => {
    let s = createVoteSet(1n, 0, SignedMsgType.Prevote, 4);
    s = add(s, 0, null);
    s = add(s, 1, null);
    assert.equal(twoThirdsMajority(s, 10n), "nil");
  });

  it("duplicates are ignored, conflicting votes reported", () => {
    let s = createVoteSet(1n, 0, SignedMsgType.Prevote, 4);
    s = add(s, 2, A.blockId);
    const again = makeVote(v, 2, PREVOTE, 1n, 0, A.blockId, { seconds: T0.seconds + 1n, nanos: 0 });
    assert.equal(addVote(s, again, 2n).kind, "duplicate");
    const other = addVote(s, makeVote(v, 2, PREVOTE, 1n, 0, B.blockId), 2n);
    assert.equal(other.kind, "conflict");
    assert.equal(s.sum, 2n, "the set is unchanged");
  });
});

describe("privval", () => {
  const v = makeValidators([1n]);
  const pv0 = v.privvals[0]!;
  const A = blockFor("A");
  const B = blockFor("B");
  const unsigned = (type: 1 | 2, height: bigint, round: number, id: typeof A.blockId | null) => ({
    ...makeVote(v, 0, type, height, round, id),
    signature: new Uint8Array(0),
  });

  it("signs increasing HRS, refuses regressions with their codes", () => {
    const a = signVote(pv0, CHAIN_ID, unsigned(PREVOTE, 5n, 1, A.blockId));
    assert.ok(a.ok);
    const b = signVote(a.privval, CHAIN_ID, unsigned(PRECOMMIT, 5n, 1, A.blockId));
    assert.ok(b.ok);
    const cases: [ReturnType<typeof unsigned>, string][] = [
      [unsigned(PREVOTE, 5n, 1, A.blockId), "PRIVVAL_STEP_REGRESSION"],
      [unsigned(PRECOMMIT, 5n, 0, A.blockId), "PRIVVAL_ROUND_REGRESSION"],
      [unsigned(PRECOMMIT, 4n, 9, A.blockId), "PRIVVAL_HEIGHT_REGRESSION"],
    ];
    for (const [vote, code] of cases) {
      const r = signVote(b.privval, CHAIN_ID, vote);
      assert.equal(r.ok, false);
      assert.equal((r as { code: string }).code, code);
    }
    const prop = signProposal(b.privval, CHAIN_ID, {
      ...makeProposal(pv0, 5n, 1, -1, A.blockId),
      signature: new Uint8Array(0),
    });
    assert.equal(prop.ok, false, "a proposal is below a precommit of the same round");
    assert.ok(
      signProposal(b.privval, CHAIN_ID, { ...makeProposal(pv0, 5n, 2, -1, A.blockId), signature: new Uint8Array(0) })
        .ok,
    );
  });

  it("refuses a different vote at the same HRS; the same vote (even re-timed) gets the same signature", () => {
    const a = signVote(pv0, CHAIN_ID, unsigned(PREVOTE, 1n, 0, A.blockId));
    assert.ok(a.ok);
    const conflict = signVote(a.privval, CHAIN_ID, unsigned(PREVOTE, 1n, 0, B.blockId));
    assert.equal(conflict.ok, false);
    assert.equal((conflict as { code: string }).code, "PRIVVAL_DOUBLE_SIGN");
    const nil = signVote(a.privval, CHAIN_ID, unsigned(PREVOTE, 1n, 0, null));
    assert.equal((nil as { code: string }).code, "PRIVVAL_DOUBLE_SIGN");
    const retimed = signVote(a.privval, CHAIN_ID, {
      ...unsigned(PREVOTE, 1n, 0, A.blockId),
      timestamp: { seconds: 9n, nanos: 9 },
    });
    assert.ok(retimed.ok);
    assert.deepEqual(retimed.signed.signature, a.signed.signature);
    assert.deepEqual(retimed.signed.timestamp, a.signed.timestamp);
  });

  it("a privval rebuilt from recorded signatures refuses like the original", () => {
    const a = signVote(pv0, CHAIN_ID, unsigned(PRECOMMIT, 3n, 2, A.blockId));
    assert.ok(a.ok);
    const rebuilt = recordSigned(pv0, CHAIN_ID, { kind: "vote", vote: a.signed });
    assert.deepEqual(rebuilt.last, a.privval.last);
    assert.equal(signVote(rebuilt, CHAIN_ID, unsigned(PRECOMMIT, 3n, 2, B.blockId)).ok, false);
    assert.equal(
      recordSigned(rebuilt, CHAIN_ID, { kind: "vote", vote: makeVote(v, 0, PREVOTE, 1n, 0, A.blockId) }),
      rebuilt,
      "older signatures do not move it back",
    );
  });
});
