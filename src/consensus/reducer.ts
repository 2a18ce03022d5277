/**
 * Tendermint consensus as a pure reducer: `step(state, event) → { state, effects }`, following Algorithm 1
 * of Buchman, Kwon, Milosevic, "The latest gossip on BFT consensus" (2018). Line numbers in comments are
 * the paper's. After every event the "upon" rules are evaluated until none applies, so the order in
 * which messages arrive never matters beyond what the paper allows.
 *
 * Where the paper leaves things abstract:
 * - `getValue()` is an effect `requestBlock` answered by the event `blockCreated`; `valid(v)` is an effect
 *   `validateBlock` answered by `blockValidity`. A rule that needs `valid(v)` waits for the answer.
 * - "broadcast" of the node's own message is an effect `signVote`/`signProposal` (the driver fills in the
 *   timestamp and asks the privval, which may refuse); the signed message comes back as `signedVote`/
 *   `signedProposal`, is recorded like any received message and only then broadcast. The step changes
 *   when the signature is asked for, so no rule fires twice.
 * - Deciding (line 49) moves to step `commit` and emits `decide`; the next height starts with the event
 *   `startHeight` (the app has executed the block and knows the next validator set).
 * - Every node schedules `OnTimeoutPropose`, the proposer too (as CometBFT), so a proposer whose app or
 *   privval does not answer does not stall the round.
 */
import {
  BlockIdFlag,
  blockIdsEqual,
  isNilBlockId,
  NIL_BLOCK_ID,
  proposalSignBytes,
  SignedMsgType,
  voteSignBytes,
  ZERO_TIME,
  type BlockId,
  type Commit,
  type CommitSig,
  type Proposal,
  type Vote,
  type VoteType,
} from "../codec/consensus.ts";
import { ed25519Verify } from "../crypto/index.ts";
import { bytesEqual } from "../primitives/bytes.ts";
import { ConsensusError } from "./errors.ts";
import type {
  ConsensusConfig,
  ConsensusEffect,
  ConsensusEvent,
  ConsensusState,
  ProposalRecord,
  RoundVotes,
  Step,
  StepResult,
  TimeoutKind,
  TimeoutParams,
} from "./types.ts";
import {
  isOneThirdPlus,
  isTwoThirdsMajority,
  proposerForRound,
  validatorIndexByAddress,
  type ValidatorSet,
} from "./validatorSet.ts";
import {
  addVote,
  blockKey,
  createVoteSet,
  duplicateVoteEvidence,
  hasTwoThirdsAny,
  hasTwoThirdsFor,
  type VoteSet,
} from "./voteSet.ts";

const STEP_ORDER: Readonly<Record<Step, number>> = { propose: 0, prevote: 1, precommit: 2, commit: 3 };

/**
 * Far-future rounds (above the current round + 1): each validator's votes are kept for at most this
 * many distinct such rounds; a vote opening one more is refused (`invalidInput`). Rounds up to round + 1
 * are always accepted. CometBFT bounds the same thing per peer (two catch-up rounds in its
 * `HeightVoteSet`); bounding per signer needs no peer identity and caps what a Byzantine validator can
 * make the node store at `2 × validators` rounds. f + 1 honest validators in a later round still open
 * it, so the round skip (line 55) works. Proposals get the same bound per proposer (a proposer holds
 * at most this many far-future rounds' proposals, each with its block); more are refused, and gossip
 * re-sends them once the node has moved up.
 */
export const MAX_FAR_ROUNDS_PER_VALIDATOR = 2;

/** The state of a node before its first height. */
export function createConsensusState(config: ConsensusConfig, ownAddress: Uint8Array): ConsensusState {
  return {
    config,
    ownAddress: ownAddress.slice(),
    height: 0n,
    validators: null,
    ...freshHeight(),
  };
}

/** Everything a new height starts from, apart from the height itself and its validator set. */
function freshHeight() {
  return {
    round: 0,
    step: "propose",
    lockedValue: null,
    lockedRound: -1,
    validValue: null,
    validRound: -1,
    proposals: {},
    quorumProposals: {},
    votes: {},
    blocks: {},
    validity: {},
    prevoteTimeoutRound: -1,
    precommitTimeoutRound: -1,
    lockRuleRound: -1,
    awaitingBlockRound: -1,
    pendingSigns: [],
    decision: null,
  } satisfies Omit<ConsensusState, "config" | "ownAddress" | "height" | "validators">;
}

export function timeoutDuration(p: TimeoutParams, round: number): number {
  return p.baseMs + round * p.deltaMs;
}

/** Mutable working copy of one step: the input state is never modified. */
interface Draft {
  s: Mutable<ConsensusState>;
  effects: ConsensusEffect[];
}
type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export function step(state: ConsensusState, event: ConsensusEvent): StepResult {
  const d: Draft = { s: { ...state }, effects: [] };
  switch (event.type) {
    case "startHeight":
      onStartHeight(d, event.height, event.validators);
      break;
    case "proposal":
      onProposal(d, event.proposal, event.block);
      break;
    case "vote":
      onVote(d, event.vote);
      break;
    case "timeout":
      onTimeout(d, event.kind, event.height, event.round);
      break;
    case "blockValidity":
      onBlockValidity(d, event.height, event.blockId, event.valid);
      break;
    case "blockCreated":
      onBlockCreated(d, event.height, event.round, event.blockId, event.block);
      break;
    case "signedVote":
      onSignedVote(d, event.vote);
      break;
    case "signedProposal":
      onSignedProposal(d, event.proposal, event.block);
      break;
    case "signRefused":
      d.s.pendingSigns = d.s.pendingSigns.filter(
        (p) =>
          !(pendingHeight(p) === event.height && pendingRound(p) === event.round && pendingType(p) === event.signType),
      );
      break;
  }
  if (d.s.validators !== null) runRules(d);
  return { state: d.s, effects: d.effects };
}

/**
 * What a node restarted from its WAL must do again: re-arm the current timeouts, re-ask the app and the
 * privval for what is still pending, re-broadcast its own messages of this height, re-announce a
 * decision not yet followed by `startHeight`.
 */
export function resumeEffects(s: ConsensusState): ConsensusEffect[] {
  const out: ConsensusEffect[] = [];
  if (s.validators === null) return out;
  if (s.step === "commit" && s.decision !== null) {
    const block = s.blocks[blockKey(s.decision.blockId)];
    if (block !== undefined) {
      out.push(decideEffect(s, s.decision.round, s.decision.blockId, block));
    }
    return out;
  }
  const t = (kind: TimeoutKind, p: TimeoutParams): ConsensusEffect => ({
    type: "scheduleTimeout",
    kind,
    height: s.height,
    round: s.round,
    durationMs: timeoutDuration(p, s.round),
  });
  if (s.step === "propose") out.push(t("propose", s.config.timeoutPropose));
  if (s.step === "prevote" && s.prevoteTimeoutRound === s.round) out.push(t("prevote", s.config.timeoutPrevote));
  if (s.precommitTimeoutRound === s.round) out.push(t("precommit", s.config.timeoutPrecommit));
  if (s.awaitingBlockRound === s.round && s.step === "propose") {
    out.push({ type: "requestBlock", height: s.height, round: s.round });
  }
  for (const [key, v] of Object.entries(s.validity)) {
    const block = s.blocks[key];
    const id = blockIdOfKey(s, key);
    if (v === "pending" && block !== undefined && id !== undefined) {
      out.push({ type: "validateBlock", height: s.height, blockId: id, block });
    }
  }
  for (const p of s.pendingSigns) {
    out.push(
      p.kind === "vote"
        ? { type: "signVote", vote: p.vote }
        : { type: "signProposal", proposal: p.proposal, block: p.block },
    );
  }
  for (const own of ownMessages(s)) out.push(own);
  return out;
}

/** This node's signed proposals and votes of the current height, as broadcast effects (for gossip). */
export function ownMessages(s: ConsensusState): ConsensusEffect[] {
  const out: ConsensusEffect[] = [];
  if (s.validators === null) return out;
  const me = validatorIndexByAddress(s.validators, s.ownAddress);
  if (me < 0) return out;
  for (const round of Object.keys(s.proposals).sort((a, b) => Number(a) - Number(b))) {
    const rec = s.proposals[round]!;
    if (bytesEqual(proposerForRound(s.validators, rec.proposal.round).address, s.ownAddress)) {
      out.push({ type: "broadcastProposal", proposal: rec.proposal, block: rec.block });
    }
  }
  for (const round of Object.keys(s.votes).sort((a, b) => Number(a) - Number(b))) {
    const rv = s.votes[round]!;
    for (const set of [rv.prevotes, rv.precommits]) {
      const v = set.votes[me];
      if (v !== null && v !== undefined) out.push({ type: "broadcastVote", vote: v });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Helpers

function pendingHeight(p: ConsensusState["pendingSigns"][number]): bigint {
  return p.kind === "vote" ? p.vote.height : p.proposal.height;
}
function pendingRound(p: ConsensusState["pendingSigns"][number]): number {
  return p.kind === "vote" ? p.vote.round : p.proposal.round;
}
function pendingType(p: ConsensusState["pendingSigns"][number]): number {
  return p.kind === "vote" ? p.vote.type : SignedMsgType.Proposal;
}

function vals(d: Draft): ValidatorSet {
  const v = d.s.validators;
  if (v === null) throw new ConsensusError("CONSENSUS_INVARIANT", "no validator set");
  return v;
}

function blockIdOfKey(s: ConsensusState, key: string): BlockId | undefined {
  for (const rec of [...Object.values(s.proposals), ...Object.values(s.quorumProposals)]) {
    if (blockKey(rec.proposal.blockId) === key) return rec.proposal.blockId;
  }
  if (s.validValue !== null && blockKey(s.validValue) === key) return s.validValue;
  if (s.lockedValue !== null && blockKey(s.lockedValue) === key) return s.lockedValue;
  return undefined;
}

function roundVotes(d: Draft, round: number): RoundVotes {
  const existing = d.s.votes[String(round)];
  if (existing !== undefined) return existing;
  const n = vals(d).validators.length;
  return {
    prevotes: createVoteSet(d.s.height, round, SignedMsgType.Prevote, n),
    precommits: createVoteSet(d.s.height, round, SignedMsgType.Precommit, n),
  };
}

function getSet(d: Draft, round: number, type: VoteType): VoteSet | undefined {
  const rv = d.s.votes[String(round)];
  if (rv === undefined) return undefined;
  return type === SignedMsgType.Prevote ? rv.prevotes : rv.precommits;
}

function total(d: Draft): bigint {
  return vals(d).totalVotingPower;
}

function ownIndex(d: Draft): number {
  return validatorIndexByAddress(vals(d), d.s.ownAddress);
}

function invalid(d: Draft, reason: string): void {
  d.effects.push({ type: "invalidInput", reason });
}

function isValid(d: Draft, id: BlockId): boolean {
  return d.s.validity[blockKey(id)] === "valid";
}

function scheduleTimeout(d: Draft, kind: TimeoutKind, round: number): void {
  const p =
    kind === "propose"
      ? d.s.config.timeoutPropose
      : kind === "prevote"
        ? d.s.config.timeoutPrevote
        : d.s.config.timeoutPrecommit;
  d.effects.push({ type: "scheduleTimeout", kind, height: d.s.height, round, durationMs: timeoutDuration(p, round) });
}

/** Asks for the node's own vote (when it is a validator) and moves to `next` step. */
function castVote(d: Draft, type: VoteType, blockId: BlockId | null, next: Step): void {
  d.s.step = next;
  const index = ownIndex(d);
  if (index < 0) return;
  const vote: Vote = {
    type,
    height: d.s.height,
    round: d.s.round,
    blockId: blockId ?? NIL_BLOCK_ID,
    timestamp: ZERO_TIME,
    validatorAddress: d.s.ownAddress,
    validatorIndex: index,
    signature: new Uint8Array(0),
  };
  d.s.pendingSigns = [...d.s.pendingSigns, { kind: "vote", vote }];
  d.effects.push({ type: "signVote", vote });
}

function requestProposalSignature(d: Draft, blockId: BlockId, block: Uint8Array, polRound: number): void {
  const proposal: Proposal = {
    height: d.s.height,
    round: d.s.round,
    polRound,
    blockId,
    timestamp: ZERO_TIME,
    signature: new Uint8Array(0),
  };
  d.s.pendingSigns = [...d.s.pendingSigns, { kind: "proposal", proposal, block }];
  d.effects.push({ type: "signProposal", proposal, block });
}

function rememberBlock(d: Draft, id: BlockId, block: Uint8Array): void {
  const key = blockKey(id);
  if (d.s.blocks[key] === undefined) d.s.blocks = { ...d.s.blocks, [key]: block };
  if (d.s.validity[key] === undefined) {
    d.s.validity = { ...d.s.validity, [key]: "pending" };
    d.effects.push({ type: "validateBlock", height: d.s.height, blockId: id, block });
  }
}

// ---------------------------------------------------------------------------------------------------
// Events

function onStartHeight(d: Draft, height: bigint, validators: ValidatorSet): void {
  if (d.s.validators !== null && height <= d.s.height) {
    invalid(d, `startHeight ${height} is not above the current height ${d.s.height}`);
    return;
  }
  Object.assign(d.s, { height, validators, ...freshHeight() } satisfies Partial<ConsensusState>);
  startRound(d, 0);
}

/** StartRound(round), lines 11–21. */
function startRound(d: Draft, round: number): void {
  d.s.round = round;
  d.s.step = "propose";
  const proposer = proposerForRound(vals(d), round);
  if (bytesEqual(proposer.address, d.s.ownAddress)) {
    if (d.s.validValue !== null) {
      // line 15: re-propose validValue with validRound as proof-of-lock round
      const block = d.s.blocks[blockKey(d.s.validValue)];
      if (block !== undefined) requestProposalSignature(d, d.s.validValue, block, d.s.validRound);
    } else {
      // line 18: getValue()
      d.s.awaitingBlockRound = round;
      d.effects.push({ type: "requestBlock", height: d.s.height, round });
    }
  }
  scheduleTimeout(d, "propose", round); // line 21 (every node, see the module comment)
}

/** A proposal from a peer, or (`own`) the node's own signed by its privval (not verified again, as `onVote`). */
function onProposal(d: Draft, p: Proposal, block: Uint8Array, own = false): void {
  if (d.s.validators === null || p.height !== d.s.height) return; // other heights: ignored (gossip re-sends)
  if (!Number.isInteger(p.round) || p.round < 0 || p.polRound < -1 || p.polRound >= p.round) {
    invalid(d, `proposal round ${p.round} / pol round ${p.polRound} out of range`);
    return;
  }
  if (isNilBlockId(p.blockId)) {
    invalid(d, "proposal for a nil block id");
    return;
  }
  const key = String(p.round);
  const first = d.s.proposals[key];
  // The first proposal of a round is the one prevoted on. Another one from an equivocating proposer is
  // kept only for the block that has +2/3 prevotes or precommits in that round (as CometBFT fetches the
  // block of a POL or commit), so that lines 36 and 49 can still fire; one such block per round at most.
  let second = false;
  if (first !== undefined) {
    if (blockIdsEqual(first.proposal.blockId, p.blockId) || d.s.quorumProposals[key] !== undefined) return;
    const bk = blockKey(p.blockId);
    const prevotes = getSet(d, p.round, SignedMsgType.Prevote);
    const precommits = getSet(d, p.round, SignedMsgType.Precommit);
    const quorum =
      (prevotes !== undefined && hasTwoThirdsFor(prevotes, bk, total(d))) ||
      (precommits !== undefined && hasTwoThirdsFor(precommits, bk, total(d)));
    if (!quorum) return;
    second = true;
  }
  const proposer = proposerForRound(vals(d), p.round);
  if (!second && p.round > d.s.round + 1) {
    const mine = farProposalRounds(d.s, proposer.address);
    if (mine.length >= MAX_FAR_ROUNDS_PER_VALIDATOR) {
      invalid(d, `proposal ${p.height}/${p.round}: too many far-future rounds from its proposer`);
      return;
    }
  }
  const trusted = own && bytesEqual(proposer.address, d.s.ownAddress);
  if (!trusted && !ed25519Verify(p.signature, proposalSignBytes(d.s.config.chainId, p), proposer.pubKey)) {
    invalid(d, `proposal ${p.height}/${p.round}: bad signature or not from the round's proposer`);
    return;
  }
  const rec: ProposalRecord = { proposal: p, block };
  if (second) d.s.quorumProposals = { ...d.s.quorumProposals, [key]: rec };
  else d.s.proposals = { ...d.s.proposals, [key]: rec };
  rememberBlock(d, p.blockId, block);
}

/** The proposals of a round: the first received, and the one for a +2/3 block if it differs. */
function proposalsOf(s: ConsensusState, round: number): ProposalRecord[] {
  const out: ProposalRecord[] = [];
  const first = s.proposals[String(round)];
  if (first !== undefined) out.push(first);
  const second = s.quorumProposals[String(round)];
  if (second !== undefined) out.push(second);
  return out;
}

/**
 * A vote from a peer, or (`own`) the node's own vote signed by its privval (a `signedVote` input,
 * from the driver or replayed from its WAL). An own vote's signature is not verified again: the
 * privval signed it with the key whose address is the node's, and the vote counts only when that
 * address is the validator's at the vote's index, i.e. the key is the validator's.
 */
function onVote(d: Draft, v: Vote, own = false): void {
  if (d.s.validators === null || v.height !== d.s.height) return;
  const set = vals(d);
  if (v.type !== SignedMsgType.Prevote && v.type !== SignedMsgType.Precommit) {
    invalid(d, `vote type ${String(v.type)}`);
    return;
  }
  if (!Number.isInteger(v.round) || v.round < 0) {
    invalid(d, `vote round ${v.round}`);
    return;
  }
  const val = set.validators[v.validatorIndex];
  if (val === undefined || !bytesEqual(val.address, v.validatorAddress)) {
    invalid(d, `vote from unknown validator index ${v.validatorIndex}`);
    return;
  }
  const heldSet = getSet(d, v.round, v.type);
  const held = heldSet?.votes[v.validatorIndex];
  const heldConflict = heldSet?.conflicts[String(v.validatorIndex)];
  if (held !== null && held !== undefined && isSameVote(held, v)) return; // a re-gossiped copy: no need to verify
  if (heldConflict !== undefined && isSameVote(heldConflict, v)) return;
  if (!admitsFarRound(d.s, v.validatorIndex, v.round)) {
    invalid(d, `vote ${v.height}/${v.round} from index ${v.validatorIndex}: too many far-future rounds`);
    return;
  }
  const trusted = own && bytesEqual(v.validatorAddress, d.s.ownAddress);
  if (!trusted && !ed25519Verify(v.signature, voteSignBytes(d.s.config.chainId, v), val.pubKey)) {
    invalid(d, `vote ${v.height}/${v.round}/${v.type} from index ${v.validatorIndex}: bad signature`);
    return;
  }
  const rv = roundVotes(d, v.round);
  const current = v.type === SignedMsgType.Prevote ? rv.prevotes : rv.precommits;
  const wanted = new Set(proposalsOf(d.s, v.round).map((r) => blockKey(r.proposal.blockId)));
  // A conflicting vote is kept for a proposal's block, or when it completes +2/3 for its block (the
  // equivalent, without a peer round trip, of CometBFT admitting it after a peer's +2/3 claim).
  const result = addVote(
    current,
    v,
    val.votingPower,
    (k) =>
      wanted.has(k) || isTwoThirdsMajority((current.powerByBlock[k] ?? 0n) + val.votingPower, set.totalVotingPower),
  );
  if (result.kind === "duplicate") return;
  if (result.kind === "conflict") {
    d.effects.push({ type: "evidence", evidence: duplicateVoteEvidence(result.existing, v, set) });
  }
  const updated = result.set;
  if (updated === undefined) return;
  const next: RoundVotes =
    v.type === SignedMsgType.Prevote ? { ...rv, prevotes: updated } : { ...rv, precommits: updated };
  d.s.votes = { ...d.s.votes, [String(v.round)]: next };
}

/** The rounds above round + 1 in which validator `index` has a vote held (at most MAX_FAR_ROUNDS_PER_VALIDATOR). */
export function farRoundsOf(s: ConsensusState, index: number): number[] {
  const out: number[] = [];
  for (const [key, rv] of Object.entries(s.votes)) {
    const r = Number(key);
    if (r <= s.round + 1) continue;
    const pv = rv.prevotes.votes[index];
    const pc = rv.precommits.votes[index];
    if ((pv !== null && pv !== undefined) || (pc !== null && pc !== undefined)) out.push(r);
  }
  return out.sort((a, b) => a - b);
}

/** The rounds above round + 1 with a proposal held from the validator at `address`. */
function farProposalRounds(s: ConsensusState, address: Uint8Array): number[] {
  const set = s.validators;
  if (set === null) return [];
  return Object.keys(s.proposals)
    .map(Number)
    .filter((r) => r > s.round + 1 && bytesEqual(proposerForRound(set, r).address, address));
}

function admitsFarRound(s: ConsensusState, index: number, round: number): boolean {
  if (round <= s.round + 1) return true;
  const rounds = farRoundsOf(s, index);
  return rounds.includes(round) || rounds.length < MAX_FAR_ROUNDS_PER_VALIDATOR;
}

function isSameVote(a: Vote, b: Vote): boolean {
  return (
    blockIdsEqual(a.blockId, b.blockId) &&
    a.timestamp.seconds === b.timestamp.seconds &&
    a.timestamp.nanos === b.timestamp.nanos &&
    bytesEqual(a.signature, b.signature)
  );
}

function onTimeout(d: Draft, kind: TimeoutKind, height: bigint, round: number): void {
  if (d.s.validators === null || height !== d.s.height || round !== d.s.round || d.s.step === "commit") return;
  if (kind === "propose" && d.s.step === "propose") {
    castVote(d, SignedMsgType.Prevote, null, "prevote"); // lines 57–60
  } else if (kind === "prevote" && d.s.step === "prevote") {
    castVote(d, SignedMsgType.Precommit, null, "precommit"); // lines 61–64
  } else if (kind === "precommit") {
    startRound(d, d.s.round + 1); // lines 65–67
  }
}

function onBlockValidity(d: Draft, height: bigint, id: BlockId, valid: boolean): void {
  if (height !== d.s.height) return;
  const key = blockKey(id);
  if (d.s.validity[key] !== "pending") return;
  d.s.validity = { ...d.s.validity, [key]: valid ? "valid" : "invalid" };
}

function onBlockCreated(d: Draft, height: bigint, round: number, id: BlockId, block: Uint8Array): void {
  if (height !== d.s.height || round !== d.s.round || d.s.awaitingBlockRound !== round || d.s.step !== "propose")
    return;
  d.s.awaitingBlockRound = -1;
  const key = blockKey(id);
  d.s.blocks = { ...d.s.blocks, [key]: block };
  d.s.validity = { ...d.s.validity, [key]: "valid" }; // the app built it
  requestProposalSignature(d, id, block, -1); // line 19–20 with validRound = −1
}

function onSignedVote(d: Draft, v: Vote): void {
  const before = d.s.pendingSigns.length;
  d.s.pendingSigns = d.s.pendingSigns.filter(
    (p) => !(p.kind === "vote" && p.vote.height === v.height && p.vote.round === v.round && p.vote.type === v.type),
  );
  if (d.s.pendingSigns.length === before || v.height !== d.s.height) return;
  const countBefore = d.effects.length;
  onVote(d, v, true);
  if (d.effects.length === countBefore) d.effects.push({ type: "broadcastVote", vote: v });
}

function onSignedProposal(d: Draft, p: Proposal, block: Uint8Array): void {
  const before = d.s.pendingSigns.length;
  d.s.pendingSigns = d.s.pendingSigns.filter(
    (x) => !(x.kind === "proposal" && x.proposal.height === p.height && x.proposal.round === p.round),
  );
  if (d.s.pendingSigns.length === before || p.height !== d.s.height) return;
  onProposal(d, p, block, true);
  if (d.s.proposals[String(p.round)]?.proposal === p) {
    d.effects.push({ type: "broadcastProposal", proposal: p, block });
  }
}

// ---------------------------------------------------------------------------------------------------
// The upon-rules, evaluated to a fixpoint

function runRules(d: Draft): void {
  for (let guard = 0; guard < 10_000; guard++) {
    if (d.s.step === "commit") return;
    if (!(ruleDecide(d) || ruleRoundSkip(d) || ruleProposalStep(d) || ruleRest(d))) return;
  }
  throw new ConsensusError("CONSENSUS_INVARIANT", "consensus rules did not reach a fixpoint");
}

/** Lines 49–54: a proposal of any round r with +2/3 precommits for it in r, and valid → decide. */
function ruleDecide(d: Draft): boolean {
  if (d.s.decision !== null) return false;
  for (const rec of [...Object.values(d.s.proposals), ...Object.values(d.s.quorumProposals)]) {
    const round = rec.proposal.round;
    const precommits = getSet(d, round, SignedMsgType.Precommit);
    if (precommits === undefined) continue;
    const id = rec.proposal.blockId;
    if (!hasTwoThirdsFor(precommits, blockKey(id), total(d)) || !isValid(d, id)) continue;
    d.s.decision = { round, blockId: id };
    d.s.step = "commit";
    d.s.pendingSigns = [];
    d.effects.push(decideEffect(d.s, round, id, rec.block));
    return true;
  }
  return false;
}

function decideEffect(s: ConsensusState, round: number, id: BlockId, block: Uint8Array): ConsensusEffect {
  return { type: "decide", height: s.height, round, blockId: id, block, commit: commitOf(s, round, id) };
}

/**
 * The commit of the decided height from every precommit held now. Precommits that arrive after the
 * decision (during timeout_commit, before `startHeight`) still join the decided round's vote set, so
 * this may carry more signatures than the `decide` effect's commit: the node saves it as the height's
 * seen commit and the next block's LastCommit (CometBFT adds late precommits to its LastCommit the
 * same way). Undefined before a decision.
 */
export function decidedCommit(s: ConsensusState): Commit | undefined {
  if (s.decision === null || s.validators === null) return undefined;
  return commitOf(s, s.decision.round, s.decision.blockId);
}

function commitOf(s: ConsensusState, round: number, id: BlockId): Commit {
  const set = s.validators!;
  const precommits = s.votes[String(round)]?.precommits;
  const signatures: CommitSig[] = set.validators.map((_, i) => {
    const conflict = precommits?.conflicts[String(i)];
    const v = conflict !== undefined && blockIdsEqual(conflict.blockId, id) ? conflict : precommits?.votes[i];
    if (v === null || v === undefined || (!isNilBlockId(v.blockId) && !blockIdsEqual(v.blockId, id))) {
      return {
        blockIdFlag: BlockIdFlag.Absent,
        validatorAddress: new Uint8Array(0),
        timestamp: ZERO_TIME,
        signature: new Uint8Array(0),
      };
    }
    return {
      blockIdFlag: isNilBlockId(v.blockId) ? BlockIdFlag.Nil : BlockIdFlag.Commit,
      validatorAddress: v.validatorAddress,
      timestamp: v.timestamp,
      signature: v.signature,
    };
  });
  return { height: s.height, round, blockId: id, signatures };
}

/** Line 55: f+1 of the voting power sent messages of a round above ours → StartRound(that round). */
function ruleRoundSkip(d: Draft): boolean {
  const set = vals(d);
  let target = -1;
  const rounds = new Set<number>([...Object.keys(d.s.votes), ...Object.keys(d.s.proposals)].map(Number));
  for (const round of rounds) {
    if (round <= d.s.round || round <= target) continue;
    const senders = new Set<number>();
    const rv = d.s.votes[String(round)];
    if (rv !== undefined) {
      rv.prevotes.votes.forEach((v, i) => v !== null && senders.add(i));
      rv.precommits.votes.forEach((v, i) => v !== null && senders.add(i));
    }
    const rec = d.s.proposals[String(round)];
    if (rec !== undefined) senders.add(validatorIndexByAddress(set, proposerForRound(set, round).address));
    let power = 0n;
    for (const i of senders) power += set.validators[i]?.votingPower ?? 0n;
    if (isOneThirdPlus(power, set.totalVotingPower)) target = round;
  }
  if (target < 0) return false;
  startRound(d, target);
  return true;
}

/** Lines 22–33: the first prevote of the round, on the round's proposal. */
function ruleProposalStep(d: Draft): boolean {
  if (d.s.step !== "propose") return false;
  const rec = d.s.proposals[String(d.s.round)];
  if (rec === undefined) return false;
  const { blockId: id, polRound: vr } = rec.proposal;
  const validity = d.s.validity[blockKey(id)];
  if (validity === undefined || validity === "pending") return false; // wait for valid(v)
  const valid = validity === "valid";
  if (vr === -1) {
    // line 22
    const ok = valid && (d.s.lockedRound === -1 || (d.s.lockedValue !== null && blockIdsEqual(d.s.lockedValue, id)));
    castVote(d, SignedMsgType.Prevote, ok ? id : null, "prevote");
    return true;
  }
  // line 28: needs +2/3 prevotes for id(v) in round vr < round
  const prevotes = getSet(d, vr, SignedMsgType.Prevote);
  if (vr >= d.s.round || prevotes === undefined || !hasTwoThirdsFor(prevotes, blockKey(id), total(d))) return false;
  const ok = valid && (d.s.lockedRound <= vr || (d.s.lockedValue !== null && blockIdsEqual(d.s.lockedValue, id)));
  castVote(d, SignedMsgType.Prevote, ok ? id : null, "prevote");
  return true;
}

/** Lines 34–48. */
function ruleRest(d: Draft): boolean {
  const round = d.s.round;
  const prevotes = getSet(d, round, SignedMsgType.Prevote);
  const precommits = getSet(d, round, SignedMsgType.Precommit);
  // line 34: +2/3 prevotes of any kind while in prevote, first time → schedule OnTimeoutPrevote
  if (
    d.s.step === "prevote" &&
    d.s.prevoteTimeoutRound !== round &&
    prevotes !== undefined &&
    hasTwoThirdsAny(prevotes, total(d))
  ) {
    d.s.prevoteTimeoutRound = round;
    scheduleTimeout(d, "prevote", round);
    return true;
  }
  // line 36: proposal + +2/3 prevotes for it in this round, valid, step ≥ prevote, first time
  const rec = proposalsOf(d.s, round).find(
    (r) => prevotes !== undefined && hasTwoThirdsFor(prevotes, blockKey(r.proposal.blockId), total(d)),
  );
  if (
    rec !== undefined &&
    d.s.lockRuleRound !== round &&
    STEP_ORDER[d.s.step] >= STEP_ORDER.prevote &&
    isValid(d, rec.proposal.blockId)
  ) {
    d.s.lockRuleRound = round;
    const id = rec.proposal.blockId;
    if (d.s.step === "prevote") {
      d.s.lockedValue = id;
      d.s.lockedRound = round;
      castVote(d, SignedMsgType.Precommit, id, "precommit");
    }
    d.s.validValue = id;
    d.s.validRound = round;
    return true;
  }
  // line 44: +2/3 prevotes for nil while in prevote → precommit nil
  if (d.s.step === "prevote" && prevotes !== undefined && hasTwoThirdsFor(prevotes, "nil", total(d))) {
    castVote(d, SignedMsgType.Precommit, null, "precommit");
    return true;
  }
  // line 47: +2/3 precommits of any kind, first time → schedule OnTimeoutPrecommit
  if (d.s.precommitTimeoutRound !== round && precommits !== undefined && hasTwoThirdsAny(precommits, total(d))) {
    d.s.precommitTimeoutRound = round;
    scheduleTimeout(d, "precommit", round);
    return true;
  }
  return false;
}
