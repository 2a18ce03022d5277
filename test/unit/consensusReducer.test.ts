/**
 * The reducer, rule by rule: each case names the lines of Algorithm 1 ("The latest gossip on BFT
 * consensus", Buchman, Kwon, Milosevic 2018) it exercises. Four validators of power 1: +2/3 is 3 votes,
 * f+1 is 2 votes. The node under test signs through its privval like the driver does.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  BlockIdFlag,
  blockIdsEqual,
  isNilBlockId,
  type BlockId,
  type Commit,
  type Vote,
} from "../../src/codec/consensus.ts";
import { signProposal, signVote, type PrivValidator } from "../../src/consensus/privval.ts";
import { createConsensusState, decidedCommit, resumeEffects, step } from "../../src/consensus/reducer.ts";
import { toCanonicalJson } from "../../src/consensus/serialize.ts";
import type { ConsensusEffect, ConsensusEvent, ConsensusState } from "../../src/consensus/types.ts";
import { proposerForRound, validatorIndexByAddress } from "../../src/consensus/validatorSet.ts";
import { blockKey } from "../../src/consensus/voteSet.ts";
import {
  blockFor,
  CHAIN_ID,
  makeProposal,
  makeValidators,
  makeVote,
  PRECOMMIT,
  PREVOTE,
  T0,
  TEST_CONFIG,
  type Validators,
} from "./consensusFixtures.ts";

const V = makeValidators([1n, 1n, 1n, 1n]);
const H = 1n;
const A = blockFor("block A");
const B = blockFor("block B");

function proposerIndex(round: number): number {
  return validatorIndexByAddress(V.set, proposerForRound(V.set, round).address);
}

/** The first round ≥ `from` whose proposer is `index`. */
function roundProposedBy(index: number, from = 0): number {
  for (let r = from; ; r++) if (proposerIndex(r) === index) return r;
}

/** The node under test: the proposer of round 3, so not of rounds 0–2. */
const ME = proposerIndex(3);
assert.ok(![0, 1, 2].map(proposerIndex).includes(ME), "four equal validators take turns");
const OTHERS = [0, 1, 2, 3].filter((i) => i !== ME);

class Node {
  state: ConsensusState;
  pv: PrivValidator;
  effects: ConsensusEffect[] = [];

  constructor(
    readonly v: Validators,
    readonly me: number,
    pv?: PrivValidator,
  ) {
    this.pv = pv ?? v.byIndex[me]!;
    this.state = createConsensusState(TEST_CONFIG, this.pv.address);
  }

  /** Steps one event; own signatures requested are made and fed back, like the driver. */
  input(event: ConsensusEvent): ConsensusEffect[] {
    const before = toCanonicalJson(this.state);
    const r = step(this.state, event);
    assert.equal(toCanonicalJson(this.state), before, "the reducer must not modify its input state");
    this.state = r.state;
    const produced = [...r.effects];
    this.effects.push(...r.effects);
    for (const e of r.effects) {
      if (e.type === "signVote") {
        const s = signVote(this.pv, CHAIN_ID, { ...e.vote, timestamp: T0 });
        assert.ok(s.ok);
        this.pv = s.privval;
        produced.push(...this.input({ type: "signedVote", vote: s.signed }));
      } else if (e.type === "signProposal") {
        const s = signProposal(this.pv, CHAIN_ID, { ...e.proposal, timestamp: T0 });
        assert.ok(s.ok);
        this.pv = s.privval;
        produced.push(...this.input({ type: "signedProposal", proposal: s.signed, block: e.block }));
      }
    }
    return produced;
  }

  start(): ConsensusEffect[] {
    return this.input({ type: "startHeight", height: H, validators: this.v.set });
  }

  /** The proposal of `round` by its proposer, answered valid (or not) by the app. */
  propose(round: number, block = A, polRound = -1, valid = true): ConsensusEffect[] {
    const pv = this.v.byIndex[proposerIndex(round)]!;
    const out = this.input({
      type: "proposal",
      proposal: makeProposal(pv, H, round, polRound, block.blockId),
      block: block.block,
    });
    if (this.state.validity[blockKey(block.blockId)] === "pending") {
      out.push(...this.input({ type: "blockValidity", height: H, blockId: block.blockId, valid }));
    }
    return out;
  }

  votes(type: 1 | 2, round: number, from: readonly number[], id: BlockId | null): ConsensusEffect[] {
    const out: ConsensusEffect[] = [];
    for (const i of from) out.push(...this.input({ type: "vote", vote: makeVote(this.v, i, type, H, round, id) }));
    return out;
  }

  timeout(kind: "propose" | "prevote" | "precommit", round = this.state.round): ConsensusEffect[] {
    return this.input({ type: "timeout", kind, height: H, round });
  }
}

function broadcastVotes(effects: readonly ConsensusEffect[], type: 1 | 2): Vote[] {
  return effects.flatMap((e) => (e.type === "broadcastVote" && e.vote.type === type ? [e.vote] : []));
}

function onlyVote(effects: readonly ConsensusEffect[], type: 1 | 2): Vote {
  const votes = broadcastVotes(effects, type);
  assert.equal(
    votes.length,
    1,
    `expected exactly one own ${type === 1 ? "prevote" : "precommit"}, got ${votes.length}`,
  );
  return votes[0]!;
}

function assertVoteFor(vote: Vote, id: BlockId | null): void {
  if (id === null) assert.ok(isNilBlockId(vote.blockId), "expected a nil vote");
  else assert.ok(blockIdsEqual(vote.blockId, id), "expected a vote for the block");
}

function timeouts(effects: readonly ConsensusEffect[]): string[] {
  return effects.flatMap((e) => (e.type === "scheduleTimeout" ? [`${e.kind}@${e.round}:${e.durationMs}`] : []));
}

/** A node that locked A in round 0 (prevotes of 3 for A with the proposal), then moved to `toRound`. */
function lockedOnA(toRound: number): Node {
  const n = new Node(V, ME);
  n.start();
  n.propose(0, A);
  n.votes(PREVOTE, 0, OTHERS, A.blockId);
  assert.ok(n.state.lockedValue !== null && blockIdsEqual(n.state.lockedValue, A.blockId));
  n.votes(PRECOMMIT, 0, OTHERS.slice(0, 2), null); // 2 nil + own A = 3 precommits: no decision
  n.timeout("precommit", 0);
  for (let r = 1; r < toRound; r++) n.timeout("precommit", r); // no-ops unless the precommit timeout is current
  if (n.state.round < toRound) n.votes(PREVOTE, toRound, OTHERS.slice(0, 2), null); // f+1 of round toRound
  assert.equal(n.state.round, toRound);
  return n;
}

describe("consensus reducer: Algorithm 1 rule by rule", () => {
  it("StartRound (lines 11–21): a non-proposer schedules OnTimeoutPropose(base + round·delta)", () => {
    const n = new Node(V, ME);
    const out = n.start();
    assert.deepEqual(timeouts(out), ["propose@0:1000"]);
    assert.equal(out.filter((e) => e.type === "requestBlock").length, 0);
    assert.equal(n.state.step, "propose");
  });

  it("StartRound (line 18–19): the proposer without validValue asks the app for a block and proposes it with polRound −1", () => {
    const me = proposerIndex(0);
    const n = new Node(V, me);
    const out = n.start();
    assert.ok(out.some((e) => e.type === "requestBlock" && e.round === 0));
    const after = n.input({ type: "blockCreated", height: H, round: 0, blockId: A.blockId, block: A.block });
    const bp = after.find((e) => e.type === "broadcastProposal");
    assert.ok(bp !== undefined && bp.type === "broadcastProposal");
    assert.equal(bp.proposal.polRound, -1);
    assert.ok(blockIdsEqual(bp.proposal.blockId, A.blockId));
    // its own proposal then leads to its prevote (line 22)
    assertVoteFor(onlyVote(after, PREVOTE), A.blockId);
  });

  it("StartRound (lines 14–15): the proposer with a validValue re-proposes it with polRound = validRound", () => {
    const r = roundProposedBy(ME, 1);
    const n = lockedOnA(r);
    const props = n.effects.filter((e) => e.type === "broadcastProposal");
    assert.equal(props.length, 1);
    const p = props[0]!;
    assert.ok(p.type === "broadcastProposal");
    assert.equal(p.proposal.round, r);
    assert.equal(p.proposal.polRound, 0);
    assert.ok(blockIdsEqual(p.proposal.blockId, A.blockId));
    assert.equal(n.effects.filter((e) => e.type === "requestBlock").length, 0);
  });

  it("line 22–27: a valid proposal with polRound −1 gets a prevote for it", () => {
    const n = new Node(V, ME);
    n.start();
    assertVoteFor(onlyVote(n.propose(0, A), PREVOTE), A.blockId);
    assert.equal(n.state.step, "prevote");
  });

  it("line 22–27: an invalid proposal gets a prevote nil; the prevote waits for the app's answer", () => {
    const n = new Node(V, ME);
    n.start();
    const pv = V.byIndex[proposerIndex(0)]!;
    const first = n.input({ type: "proposal", proposal: makeProposal(pv, H, 0, -1, A.blockId), block: A.block });
    assert.ok(first.some((e) => e.type === "validateBlock"));
    assert.equal(broadcastVotes(first, PREVOTE).length, 0, "no prevote before valid(v) is known");
    const out = n.input({ type: "blockValidity", height: H, blockId: A.blockId, valid: false });
    assertVoteFor(onlyVote(out, PREVOTE), null);
  });

  it("line 22–27: locked on another value → prevote nil; locked on the same value → prevote for it", () => {
    const other = lockedOnA(1);
    assertVoteFor(onlyVote(other.propose(1, B), PREVOTE), null);
    const same = lockedOnA(1);
    assertVoteFor(onlyVote(same.propose(1, A), PREVOTE), A.blockId);
  });

  it("line 28–33: a proposal with polRound vr and +2/3 prevotes in vr unlocks when lockedRound ≤ vr", () => {
    // Locked on A in round 0; in round 2 a proposal of B with vr = 1 and +2/3 prevotes for B in round 1.
    const n = lockedOnA(1);
    n.votes(PREVOTE, 1, OTHERS, B.blockId);
    assert.equal(n.state.lockedRound, 0, "prevotes for B in round 1 arrived while not prevoting B: no relock");
    n.timeout("propose", 1);
    n.timeout("prevote", 1);
    n.votes(PRECOMMIT, 1, OTHERS, null);
    n.timeout("precommit", 1);
    assert.equal(n.state.round, 2);
    const out = n.propose(2, B, 1);
    assertVoteFor(onlyVote(out, PREVOTE), B.blockId);
  });

  it("line 28–33: with lockedRound > vr and another locked value, the prevote is nil", () => {
    // Locked on A in round 1; a round-2 proposal of B with vr = 0 and +2/3 prevotes for B in round 0.
    const n = new Node(V, ME);
    n.start();
    n.votes(PREVOTE, 0, OTHERS, B.blockId);
    n.timeout("propose", 0);
    n.votes(PRECOMMIT, 0, OTHERS, null);
    n.timeout("precommit", 0);
    n.propose(1, A);
    n.votes(PREVOTE, 1, OTHERS, A.blockId);
    assert.equal(n.state.lockedRound, 1);
    n.votes(PRECOMMIT, 1, OTHERS.slice(0, 2), null);
    n.timeout("precommit", 1);
    const out = n.propose(2, B, 0);
    assertVoteFor(onlyVote(out, PREVOTE), null);
  });

  it("line 28: without +2/3 prevotes in vr there is no prevote until OnTimeoutPropose", () => {
    const n = lockedOnA(1);
    const out = n.propose(1, B, 0);
    assert.equal(broadcastVotes(out, PREVOTE).length, 0);
    assertVoteFor(onlyVote(n.timeout("propose"), PREVOTE), null);
  });

  it("line 34–35: +2/3 prevotes of any kind in step prevote schedule OnTimeoutPrevote once", () => {
    const n = new Node(V, ME);
    n.start();
    n.propose(0, A);
    const out = [...n.votes(PREVOTE, 0, [OTHERS[0]!], B.blockId), ...n.votes(PREVOTE, 0, [OTHERS[1]!], null)];
    assert.deepEqual(timeouts(out), ["prevote@0:500"]);
    assert.deepEqual(timeouts(n.votes(PREVOTE, 0, [OTHERS[2]!], B.blockId)), []);
  });

  it("line 36–43: +2/3 prevotes for the proposal in step prevote → lock, precommit, validValue", () => {
    const n = new Node(V, ME);
    n.start();
    n.propose(0, A);
    const out = n.votes(PREVOTE, 0, OTHERS.slice(0, 2), A.blockId);
    assertVoteFor(onlyVote(out, PRECOMMIT), A.blockId);
    assert.ok(blockIdsEqual(n.state.lockedValue!, A.blockId));
    assert.equal(n.state.lockedRound, 0);
    assert.ok(blockIdsEqual(n.state.validValue!, A.blockId));
    assert.equal(n.state.validRound, 0);
    assert.equal(n.state.step, "precommit");
  });

  it("line 36–43: in step precommit only validValue/validRound are updated (no lock, no second precommit)", () => {
    const n = new Node(V, ME);
    n.start();
    n.timeout("propose", 0); // prevote nil
    n.timeout("prevote", 0); // precommit nil
    assert.equal(n.state.step, "precommit");
    n.propose(0, A);
    const out = n.votes(PREVOTE, 0, OTHERS, A.blockId);
    assert.equal(broadcastVotes(out, PRECOMMIT).length, 0, "no second precommit");
    assert.ok(blockIdsEqual(n.state.validValue!, A.blockId));
    assert.equal(n.state.validRound, 0);
    assert.equal(n.state.lockedValue, null);
    assert.equal(n.state.lockedRound, -1);
  });

  it("line 44–46: +2/3 prevotes for nil in step prevote → precommit nil", () => {
    const n = new Node(V, ME);
    n.start();
    n.timeout("propose", 0);
    const out = n.votes(PREVOTE, 0, OTHERS.slice(0, 2), null);
    assertVoteFor(onlyVote(out, PRECOMMIT), null);
    assert.equal(n.state.lockedValue, null);
  });

  it("line 47–48: +2/3 precommits of any kind schedule OnTimeoutPrecommit once", () => {
    const n = new Node(V, ME);
    n.start();
    const out = [
      ...n.votes(PRECOMMIT, 0, [OTHERS[0]!, OTHERS[1]!], null),
      ...n.votes(PRECOMMIT, 0, [OTHERS[2]!], A.blockId),
    ];
    assert.deepEqual(timeouts(out), ["precommit@0:500"]);
    assert.deepEqual(timeouts(n.timeout("propose", 0)), []);
  });

  it("line 49–54: the proposal and +2/3 precommits for it decide, in any round", () => {
    const n = new Node(V, ME);
    n.start();
    n.votes(PREVOTE, 2, OTHERS.slice(0, 2), null); // f+1 of round 2: skip to round 2
    assert.equal(n.state.round, 2);
    // precommits of round 0 for A arrive late, without the proposal: no decision
    const pre = n.votes(PRECOMMIT, 0, OTHERS, A.blockId);
    assert.equal(pre.filter((e) => e.type === "decide").length, 0);
    const out = n.propose(0, A);
    const d = out.find((e) => e.type === "decide");
    assert.ok(d !== undefined && d.type === "decide");
    assert.equal(d.round, 0);
    assert.ok(blockIdsEqual(d.blockId, A.blockId));
    assert.equal(d.commit.signatures.filter((s) => s.blockIdFlag === 2).length, 3);
    assert.equal(d.commit.signatures.filter((s) => s.blockIdFlag === 1).length, 1);
    assert.equal(n.state.step, "commit");
    assert.deepEqual(timeouts(n.timeout("precommit", n.state.round)), [], "no more rounds after the decision");
  });

  it("precommits arriving after the decision join the decided commit (the next block's LastCommit)", () => {
    const n = new Node(V, ME);
    n.start();
    assert.equal(decidedCommit(n.state), undefined, "no decision, no commit");
    n.propose(0, A);
    n.votes(PREVOTE, 0, OTHERS, A.blockId); // ME precommits A
    const out = n.votes(PRECOMMIT, 0, OTHERS.slice(0, 2), A.blockId);
    const d = out.find((e) => e.type === "decide");
    assert.ok(d !== undefined && d.type === "decide");
    const signers = (c: Commit): number[] =>
      c.signatures.flatMap((s, i) => (s.blockIdFlag === BlockIdFlag.Commit ? [i] : []));
    const first = [ME, OTHERS[0]!, OTHERS[1]!].sort();
    assert.deepEqual(signers(d.commit), first, "decided on the first +2/3");
    assert.deepEqual(signers(decidedCommit(n.state)!), first);
    // The fourth precommit arrives while the node waits in timeout_commit.
    n.votes(PRECOMMIT, 0, [OTHERS[2]!], A.blockId);
    const after = decidedCommit(n.state)!;
    assert.deepEqual(signers(after), [0, 1, 2, 3]);
    assert.ok(blockIdsEqual(after.blockId, A.blockId));
    assert.equal(after.round, 0);
    assert.equal(after.height, H);
    assert.equal(n.state.step, "commit");
    assert.equal(n.effects.filter((e) => e.type === "decide").length, 1, "decided once");
  });

  it("line 49: an invalid proposal is not decided even with +2/3 precommits", () => {
    const n = new Node(V, ME);
    n.start();
    n.propose(0, A, -1, false);
    const out = n.votes(PRECOMMIT, 0, OTHERS, A.blockId);
    assert.equal(out.filter((e) => e.type === "decide").length, 0);
    assert.equal(n.state.decision, null);
  });

  it("line 55–56: f+1 messages of a higher round start that round; f do not", () => {
    const n = new Node(V, ME);
    n.start();
    n.votes(PREVOTE, 5, [OTHERS[0]!], null);
    assert.equal(n.state.round, 0);
    const out = n.votes(PRECOMMIT, 5, [OTHERS[1]!], null);
    assert.equal(n.state.round, 5);
    assert.deepEqual(timeouts(out), ["propose@5:3500"]);
  });

  it("line 55: a proposal counts for its proposer's power in the f+1 rule", () => {
    const n = new Node(V, ME);
    n.start();
    const r = 6;
    n.propose(r, A);
    assert.equal(n.state.round, 0, "one sender is not f+1");
    const voter = [0, 1, 2, 3].find((i) => i !== ME && i !== proposerIndex(r))!;
    n.votes(PREVOTE, r, [voter], null);
    assert.equal(n.state.round, r);
  });

  it("line 57–60: OnTimeoutPropose prevotes nil only in its height, round and step", () => {
    const n = new Node(V, ME);
    n.start();
    assert.equal(n.timeout("propose", 1).length, 0);
    assertVoteFor(onlyVote(n.timeout("propose", 0), PREVOTE), null);
    assert.equal(broadcastVotes(n.timeout("propose", 0), PREVOTE).length, 0);
  });

  it("line 61–64: OnTimeoutPrevote precommits nil in step prevote", () => {
    const n = new Node(V, ME);
    n.start();
    n.timeout("prevote", 0); // step propose: ignored
    assert.equal(n.state.step, "propose");
    n.timeout("propose", 0);
    assertVoteFor(onlyVote(n.timeout("prevote", 0), PRECOMMIT), null);
  });

  it("line 65–67: OnTimeoutPrecommit starts the next round", () => {
    const n = new Node(V, ME);
    n.start();
    const out = n.timeout("precommit", 0);
    assert.equal(n.state.round, 1);
    assert.deepEqual(timeouts(out), ["propose@1:1500"]);
  });

  it("bad signatures and the wrong proposer are refused", () => {
    const n = new Node(V, ME);
    n.start();
    const wrong = V.byIndex[(proposerIndex(0) + 1) % 4]!;
    const a = n.input({ type: "proposal", proposal: makeProposal(wrong, H, 0, -1, A.blockId), block: A.block });
    assert.ok(a.some((e) => e.type === "invalidInput"));
    const vote = makeVote(V, OTHERS[0]!, PREVOTE, H, 0, A.blockId);
    const forged = { ...vote, signature: vote.signature.map((b, i) => (i === 0 ? b ^ 1 : b)) };
    assert.ok(n.input({ type: "vote", vote: forged }).some((e) => e.type === "invalidInput"));
    const misattributed = { ...vote, validatorIndex: (vote.validatorIndex + 1) % 4 };
    assert.ok(n.input({ type: "vote", vote: misattributed }).some((e) => e.type === "invalidInput"));
    assert.equal(Object.keys(n.state.votes).length, 0);
  });

  it("conflicting votes by one validator → DuplicateVoteEvidence, ordered by BlockID key", () => {
    const n = new Node(V, ME);
    n.start();
    const i = OTHERS[0]!;
    n.votes(PREVOTE, 0, [i], A.blockId);
    assert.equal(n.votes(PREVOTE, 0, [i], A.blockId).length, 0, "a duplicate is ignored");
    const out = n.votes(PREVOTE, 0, [i], B.blockId);
    const ev = out.find((e) => e.type === "evidence");
    assert.ok(ev !== undefined && ev.type === "evidence");
    const keyA = Buffer.from(ev.evidence.voteA.blockId.hash).toString("hex");
    const keyB = Buffer.from(ev.evidence.voteB.blockId.hash).toString("hex");
    assert.ok(keyA < keyB);
    assert.equal(ev.evidence.totalVotingPower, 4n);
    assert.equal(ev.evidence.validatorPower, 1n);
  });

  it("equivocating proposer: a second proposal is kept for the block that has +2/3, and decided", () => {
    const n = new Node(V, ME);
    n.start();
    n.propose(0, B); // the twin arrives first and is prevoted
    const pv = V.byIndex[proposerIndex(0)]!;
    const early = n.input({ type: "proposal", proposal: makeProposal(pv, H, 0, -1, A.blockId), block: A.block });
    assert.equal(early.length, 0, "without +2/3 for A the second proposal is ignored");
    n.votes(PRECOMMIT, 0, OTHERS, A.blockId);
    assert.equal(n.state.decision, null);
    n.input({ type: "proposal", proposal: makeProposal(pv, H, 0, -1, A.blockId), block: A.block });
    const out = n.input({ type: "blockValidity", height: H, blockId: A.blockId, valid: true });
    const d = out.find((e) => e.type === "decide");
    assert.ok(d !== undefined && d.type === "decide" && blockIdsEqual(d.blockId, A.blockId));
  });

  it("equivocating voter: its conflicting vote counts for the block it completes +2/3 for", () => {
    const n = new Node(V, ME);
    n.start();
    n.propose(0, A);
    const [byz, h1, h2] = OTHERS as [number, number, number];
    n.votes(PRECOMMIT, 0, [byz], null);
    n.votes(PRECOMMIT, 0, [h1], A.blockId);
    assert.equal(n.state.decision, null);
    // the equivocator's precommit for A: with h1 and h2 it completes +2/3 (one vote per validator per block)
    const out = [...n.votes(PRECOMMIT, 0, [h2], A.blockId), ...n.votes(PRECOMMIT, 0, [byz], A.blockId)];
    assert.ok(out.some((e) => e.type === "evidence"));
    const d = out.find((e) => e.type === "decide");
    assert.ok(d !== undefined && d.type === "decide");
    assert.equal(d.commit.signatures.filter((sig) => sig.blockIdFlag === 2).length, 3);
    assert.equal(n.state.votes["0"]!.precommits.sum, 3n, "+2/3 of any kind still counts each validator once");
  });

  it("locking keeps agreement: the classic split where one node decides and a Byzantine proposer tries another value", () => {
    // Byzantine = proposer of round 1. Round 0: honest a, b lock v and precommit it, c precommits nil; the
    // Byzantine's precommit for v reaches only a, which decides v. Round 1: the Byzantine proposes w with
    // polRound −1. b, locked on v, must prevote nil, so w never gets +2/3 and nobody decides w.
    const byz = proposerIndex(1);
    const [a, b, c] = [0, 1, 2, 3].filter((i) => i !== byz) as [number, number, number];
    const nodes = new Map([a, b, c].map((i) => [i, new Node(V, i)] as const));
    const node = (i: number): Node => nodes.get(i)!;
    for (const n of nodes.values()) n.start();
    for (const i of [a, b, c]) node(i).propose(0, A);
    const prevote = (i: number): Vote => onlyVote(node(i).effects, PREVOTE);
    const deliver = (to: number, votes: Vote[]): void => {
      for (const vote of votes) node(to).input({ type: "vote", vote });
    };
    const byzNilPrevote = makeVote(V, byz, PREVOTE, H, 0, null);
    deliver(a, [prevote(b), prevote(c)]);
    deliver(b, [prevote(a), prevote(c)]);
    deliver(c, [prevote(a), byzNilPrevote]);
    assert.ok(node(a).state.lockedValue !== null && node(b).state.lockedValue !== null);
    assert.equal(node(c).state.lockedValue, null);
    node(c).timeout("prevote", 0); // c precommits nil
    const precommit = (i: number): Vote => onlyVote(node(i).effects, PRECOMMIT);
    assertVoteFor(precommit(c), null);
    const byzPrecommitV = makeVote(V, byz, PRECOMMIT, H, 0, A.blockId);
    const byzPrecommitNil = makeVote(V, byz, PRECOMMIT, H, 0, null);
    deliver(a, [precommit(b), byzPrecommitV]);
    const decisionA = node(a).state.decision;
    assert.ok(decisionA !== null && blockIdsEqual(decisionA.blockId, A.blockId));
    deliver(b, [precommit(a), precommit(c), byzPrecommitNil]);
    deliver(c, [precommit(a), precommit(b), byzPrecommitNil]);
    node(b).timeout("precommit", 0);
    node(c).timeout("precommit", 0);
    // round 1: the Byzantine proposer's fresh value
    for (const i of [b, c]) node(i).propose(1, B);
    const round1 = (i: number): Vote => broadcastVotes(node(i).effects, PREVOTE).find((v) => v.round === 1)!;
    assertVoteFor(round1(b), null);
    assertVoteFor(round1(c), B.blockId);
    const byzPrevoteW = makeVote(V, byz, PREVOTE, H, 1, B.blockId);
    deliver(b, [round1(c), byzPrevoteW]);
    deliver(c, [round1(b), byzPrevoteW]);
    for (const i of [b, c]) {
      node(i).timeout("prevote", 1);
      assert.equal(node(i).state.decision, null);
      assert.ok(node(i).state.lockedValue === null || blockIdsEqual(node(i).state.lockedValue!, A.blockId));
    }
  });

  it("a node outside the validator set follows the rounds but never signs", () => {
    const outsider = makeValidators([1n], "outsider");
    const n = new Node(V, 0, outsider.privvals[0]!);
    n.start();
    n.propose(0, A);
    n.votes(PREVOTE, 0, [0, 1, 2], A.blockId);
    n.votes(PRECOMMIT, 0, [0, 1, 2], A.blockId);
    assert.equal(n.effects.filter((e) => e.type === "signVote").length, 0);
    assert.equal(n.state.step, "commit");
  });

  it("resumeEffects re-arms the current timeout and re-broadcasts the node's own votes", () => {
    const n = new Node(V, ME);
    n.start();
    n.propose(0, A);
    const resumed = resumeEffects(n.state);
    assert.deepEqual(timeouts(resumed), []);
    assert.equal(broadcastVotes(resumed, PREVOTE).length, 1);
    n.votes(PREVOTE, 0, [OTHERS[0]!], null);
    n.votes(PREVOTE, 0, [OTHERS[1]!], B.blockId);
    assert.deepEqual(timeouts(resumeEffects(n.state)), ["prevote@0:500"]);
  });
});

describe("own signatures", () => {
  it("the node's own signed vote counts without a second verification; a peer's vote with that signature does not", () => {
    // Steps by hand (no automatic signing): the prevote is requested and still pending.
    let state = createConsensusState(TEST_CONFIG, V.byIndex[ME]!.address);
    const feed = (event: ConsensusEvent): ConsensusEffect[] => {
      const r = step(state, event);
      state = r.state;
      return [...r.effects];
    };
    feed({ type: "startHeight", height: H, validators: V.set });
    const pv = V.byIndex[proposerIndex(0)]!;
    feed({ type: "proposal", proposal: makeProposal(pv, H, 0, -1, A.blockId), block: A.block });
    const effects = feed({ type: "blockValidity", height: H, blockId: A.blockId, valid: true });
    const request = effects.find((e) => e.type === "signVote");
    assert.ok(request !== undefined && request.type === "signVote" && request.vote.type === PREVOTE);
    const signed = signVote(V.byIndex[ME]!, CHAIN_ID, { ...request.vote, timestamp: T0 });
    assert.ok(signed.ok);
    // What the privval signed is not verified again: even a signature that would not verify counts.
    const garbled: Vote = { ...signed.signed, signature: new Uint8Array(64).fill(1) };
    const before = state;
    const own = feed({ type: "signedVote", vote: garbled });
    assert.equal(own.filter((e) => e.type === "invalidInput").length, 0);
    assert.deepEqual(state.votes["0"]?.prevotes.votes[ME], garbled, "the own vote is in the prevote set");
    assert.ok(own.some((e) => e.type === "broadcastVote"));
    // The same vote as a peer's input (a node that is not its signer) is verified and refused.
    const other = new Node(V, OTHERS[0]!);
    other.start();
    other.propose(0, A);
    const peer = other.input({ type: "vote", vote: garbled });
    assert.ok(
      peer.some((e) => e.type === "invalidInput"),
      "a peer's vote with a bad signature is refused",
    );
    // And a signedVote that is not the node's own (another validator's address) is verified too.
    const foreign = step(before, {
      type: "signedVote",
      vote: { ...garbled, validatorAddress: V.byIndex[OTHERS[0]!]!.address, validatorIndex: OTHERS[0]! },
    });
    assert.equal(foreign.state.votes["0"]?.prevotes.votes[OTHERS[0]!] ?? null, null);
  });
});
