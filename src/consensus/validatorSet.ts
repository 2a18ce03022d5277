/**
 * Validator sets and proposer selection, as CometBFT's `types/validator_set.go`:
 * validators sorted by voting power (descending) then address (ascending); `IncrementProposerPriority`
 * rescales priorities so that max − min ≤ 2 × total power, centres them on their (floored) average,
 * then `times` times adds each validator's power to its priority, picks the highest priority (ties: the
 * smaller address) as proposer and subtracts the total power from it. Int64 arithmetic clips like
 * `safeAddClip`/`safeSubClip`.
 */
import { encodeSimpleValidatorEd25519 } from "../codec/consensus.ts";
import { sha256 } from "../crypto/index.ts";
import { compareBytes } from "../primitives/bytes.ts";
import { ConsensusError } from "./errors.ts";
import { merkleRoot } from "../crypto/index.ts";

export const PRIORITY_WINDOW_SIZE_FACTOR = 2n;
/** CometBFT's MaxTotalVotingPower = MaxInt64 / 8. */
export const MAX_TOTAL_VOTING_POWER = ((1n << 63n) - 1n) / 8n;
const INT64_MAX = (1n << 63n) - 1n;
const INT64_MIN = -(1n << 63n);

export interface Validator {
  /** sha256(pubKey)[0:20]. */
  readonly address: Uint8Array;
  /** Ed25519 public key, 32 bytes. */
  readonly pubKey: Uint8Array;
  readonly votingPower: bigint;
  readonly proposerPriority: bigint;
}

export interface ValidatorSet {
  /** Sorted by voting power descending, then address ascending; a vote's validator index points here. */
  readonly validators: readonly Validator[];
  readonly totalVotingPower: bigint;
  /** Index of the proposer of the set's current state (round 0 of its height). */
  readonly proposerIndex: number;
}

/** CometBFT's address of an ed25519 key: the first 20 bytes of its SHA-256. */
export function ed25519Address(pubKey: Uint8Array): Uint8Array {
  return sha256(pubKey).slice(0, 20);
}

function clip(v: bigint): bigint {
  return v > INT64_MAX ? INT64_MAX : v < INT64_MIN ? INT64_MIN : v;
}

function sortValidators(vals: Validator[]): Validator[] {
  return vals.sort((a, b) =>
    a.votingPower === b.votingPower ? compareBytes(a.address, b.address) : a.votingPower > b.votingPower ? -1 : 1,
  );
}

/**
 * `NewValidatorSet`: checks powers and duplicate addresses, sorts, and (like CometBFT) increments the
 * proposer priority once so that the set has a proposer. Priorities given are kept (default 0).
 */
export function createValidatorSet(
  entries: readonly { readonly pubKey: Uint8Array; readonly votingPower: bigint; readonly proposerPriority?: bigint }[],
): ValidatorSet {
  if (entries.length === 0) throw new ConsensusError("CONSENSUS_INVALID_VALIDATOR_SET", "empty validator set");
  const vals = entries.map((e) => ({
    address: ed25519Address(e.pubKey),
    pubKey: e.pubKey.slice(),
    votingPower: e.votingPower,
    proposerPriority: e.proposerPriority ?? 0n,
  }));
  const seen = new Set<string>();
  let total = 0n;
  for (const v of vals) {
    if (v.pubKey.length !== 32) throw new ConsensusError("CONSENSUS_INVALID_VALIDATOR_SET", "pubkey must be 32 bytes");
    if (v.votingPower <= 0n) throw new ConsensusError("CONSENSUS_INVALID_VALIDATOR_SET", "voting power must be > 0");
    const key = v.address.join(",");
    if (seen.has(key)) throw new ConsensusError("CONSENSUS_INVALID_VALIDATOR_SET", "duplicate validator");
    seen.add(key);
    total += v.votingPower;
  }
  if (total > MAX_TOTAL_VOTING_POWER) {
    throw new ConsensusError("CONSENSUS_INVALID_VALIDATOR_SET", "total voting power exceeds MaxTotalVotingPower");
  }
  const set: ValidatorSet = { validators: sortValidators(vals), totalVotingPower: total, proposerIndex: 0 };
  return incrementProposerPriority(set, 1);
}

function mostPriority(vals: readonly Validator[]): number {
  let best = 0;
  for (let i = 1; i < vals.length; i++) {
    const v = vals[i]!;
    const b = vals[best]!;
    if (v.proposerPriority > b.proposerPriority) best = i;
    else if (v.proposerPriority === b.proposerPriority && compareBytes(v.address, b.address) < 0) best = i;
  }
  return best;
}

/** Floor division (Go's big.Int Div is Euclidean; the divisor here is positive). */
function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n ? q - 1n : q;
}

/** `IncrementProposerPriority(times)`, returning a new set. */
export function incrementProposerPriority(set: ValidatorSet, times: number): ValidatorSet {
  if (times <= 0) throw new ConsensusError("CONSENSUS_INVALID_VALIDATOR_SET", "times must be positive");
  const total = set.totalVotingPower;
  let prios = set.validators.map((v) => v.proposerPriority);
  // RescalePriorities(2 × total)
  const diffMax = PRIORITY_WINDOW_SIZE_FACTOR * total;
  let max = prios[0]!;
  let min = prios[0]!;
  for (const p of prios) {
    if (p > max) max = p;
    if (p < min) min = p;
  }
  let diff = max - min;
  if (diff > INT64_MAX) diff = INT64_MAX;
  if (diff > diffMax) {
    const ratio = (diff + diffMax - 1n) / diffMax;
    prios = prios.map((p) => p / ratio); // Go integer division truncates toward zero, as BigInt does
  }
  // shiftByAvgProposerPriority
  const avg = floorDiv(
    prios.reduce((a, b) => a + b, 0n),
    BigInt(prios.length),
  );
  prios = prios.map((p) => clip(p - avg));
  let vals = set.validators.map((v, i) => ({ ...v, proposerPriority: prios[i]! }));
  let proposer = 0;
  for (let t = 0; t < times; t++) {
    vals = vals.map((v) => ({ ...v, proposerPriority: clip(v.proposerPriority + v.votingPower) }));
    proposer = mostPriority(vals);
    const p = vals[proposer]!;
    vals[proposer] = { ...p, proposerPriority: clip(p.proposerPriority - total) };
  }
  return { validators: vals, totalVotingPower: total, proposerIndex: proposer };
}

/** The proposer of `round` at the height whose round-0 set is `set` (`set` incremented `round` times at once). */
export function proposerForRound(set: ValidatorSet, round: number): Validator {
  const s = round === 0 ? set : incrementProposerPriority(set, round);
  return s.validators[s.proposerIndex]!;
}

export function validatorIndexByAddress(set: ValidatorSet, address: Uint8Array): number {
  return set.validators.findIndex((v) => compareBytes(v.address, address) === 0);
}

/** The validator set of the next height when it keeps its members (`state.NextValidators.Copy().IncrementProposerPriority(1)`). */
export function nextHeightValidatorSet(set: ValidatorSet): ValidatorSet {
  return incrementProposerPriority(set, 1);
}

/** `ValidatorSet.Hash()`: the RFC 6962 Merkle root of each validator's `SimpleValidator` bytes. */
export function validatorSetHash(set: ValidatorSet): Uint8Array {
  return merkleRoot(set.validators.map((v) => encodeSimpleValidatorEd25519(v.pubKey, v.votingPower)));
}

/** More than 2/3 of the total: `power * 3 > total * 2`. */
export function isTwoThirdsMajority(power: bigint, total: bigint): boolean {
  return power * 3n > total * 2n;
}

/** More than 1/3 of the total (f + 1): `power * 3 > total`. */
export function isOneThirdPlus(power: bigint, total: bigint): boolean {
  return power * 3n > total;
}
