/**
 * Votes of one (height, round, type), weighted by voting power: tallies per block id (nil included),
 * +2/3 majority for a block or nil, +2/3 of any votes, more than 1/3 of any votes. Immutable: adding a
 * vote returns a new set. A second vote of the same validator that differs only by signature or
 * timestamp is a duplicate; one for a different block id is a conflict (equivocation), reported with the
 * vote already held so the caller can build `DuplicateVoteEvidence`.
 */
import {
  blockIdKeyBytes,
  blockIdsEqual,
  isNilBlockId,
  type BlockId,
  type DuplicateVoteEvidence,
  type Vote,
  type VoteType,
} from "../codec/consensus.ts";
import { compareBytes } from "../primitives/bytes.ts";
import { toHex } from "../primitives/hex.ts";
import { isOneThirdPlus, isTwoThirdsMajority, type ValidatorSet } from "./validatorSet.ts";

export interface VoteSet {
  readonly height: bigint;
  readonly round: number;
  readonly type: VoteType;
  /** By validator index; null where no vote was received. */
  readonly votes: readonly (Vote | null)[];
  /** Total power of the votes held. */
  readonly sum: bigint;
  /**
   * A second, conflicting vote per validator (by index), kept only when it is for a block the caller
   * wants (a proposal of that round): an equivocator's vote may be the one that completes +2/3 for the
   * block others decided, as CometBFT admits conflicting votes for a block a peer claims +2/3 for.
   */
  readonly conflicts: Readonly<Record<string, Vote>>;
  /** Power per block key (`blockKey`), "nil" for nil votes; an equivocator counts for each block it signed. */
  readonly powerByBlock: Readonly<Record<string, bigint>>;
}

export type AddVoteResult =
  | { readonly kind: "added"; readonly set: VoteSet }
  | { readonly kind: "duplicate" }
  /** Equivocation; `set` is present when the conflicting vote was kept (see `VoteSet.conflicts`). */
  | { readonly kind: "conflict"; readonly existing: Vote; readonly set?: VoteSet };

/** A stable string key of a block id; "nil" for the zero id. */
export function blockKey(id: BlockId): string {
  if (isNilBlockId(id)) return "nil";
  return `${toHex(id.hash)}/${id.partSetHeader.total}/${toHex(id.partSetHeader.hash)}`;
}

export function createVoteSet(height: bigint, round: number, type: VoteType, size: number): VoteSet {
  return {
    height,
    round,
    type,
    votes: new Array<Vote | null>(size).fill(null),
    sum: 0n,
    conflicts: {},
    powerByBlock: {},
  };
}

/** Adds a vote already checked (height, round, type, index, address, signature) with its validator's power. */
export function addVote(
  set: VoteSet,
  vote: Vote,
  power: bigint,
  wanted: (key: string) => boolean = () => false,
): AddVoteResult {
  const existing = set.votes[vote.validatorIndex];
  if (existing !== null && existing !== undefined) {
    if (blockIdsEqual(existing.blockId, vote.blockId)) return { kind: "duplicate" };
    const index = String(vote.validatorIndex);
    const held = set.conflicts[index];
    if (held !== undefined) {
      return blockIdsEqual(held.blockId, vote.blockId) ? { kind: "duplicate" } : { kind: "conflict", existing };
    }
    const key = blockKey(vote.blockId);
    if (key === "nil" || !wanted(key)) return { kind: "conflict", existing };
    return {
      kind: "conflict",
      existing,
      set: {
        ...set,
        conflicts: { ...set.conflicts, [index]: vote },
        powerByBlock: { ...set.powerByBlock, [key]: (set.powerByBlock[key] ?? 0n) + power },
      },
    };
  }
  const votes = set.votes.slice();
  votes[vote.validatorIndex] = vote;
  const key = blockKey(vote.blockId);
  return {
    kind: "added",
    set: {
      ...set,
      votes,
      sum: set.sum + power,
      powerByBlock: { ...set.powerByBlock, [key]: (set.powerByBlock[key] ?? 0n) + power },
    },
  };
}

/** The block key ("nil" included) holding more than 2/3 of the total power, if any. */
export function twoThirdsMajority(set: VoteSet, total: bigint): string | undefined {
  for (const [key, power] of Object.entries(set.powerByBlock)) if (isTwoThirdsMajority(power, total)) return key;
  return undefined;
}

export function hasTwoThirdsFor(set: VoteSet, key: string, total: bigint): boolean {
  return isTwoThirdsMajority(set.powerByBlock[key] ?? 0n, total);
}

export function hasTwoThirdsAny(set: VoteSet, total: bigint): boolean {
  return isTwoThirdsMajority(set.sum, total);
}

export function hasOneThirdAny(set: VoteSet, total: bigint): boolean {
  return isOneThirdPlus(set.sum, total);
}

/**
 * CometBFT's `NewDuplicateVoteEvidence`: the two votes ordered by `BlockID.Key()`, the validator's and
 * the set's power. The timestamp is the later vote's (CometBFT uses the block time of the height,
 * which the reducer does not know; the evidence pool re-stamps it).
 */
export function duplicateVoteEvidence(a: Vote, b: Vote, validators: ValidatorSet): DuplicateVoteEvidence {
  const [voteA, voteB] = compareBytes(blockIdKeyBytes(a.blockId), blockIdKeyBytes(b.blockId)) <= 0 ? [a, b] : [b, a];
  const later =
    a.timestamp.seconds > b.timestamp.seconds ||
    (a.timestamp.seconds === b.timestamp.seconds && a.timestamp.nanos >= b.timestamp.nanos)
      ? a.timestamp
      : b.timestamp;
  return {
    voteA,
    voteB,
    totalVotingPower: validators.totalVotingPower,
    validatorPower: validators.validators[a.validatorIndex]?.votingPower ?? 0n,
    timestamp: later,
  };
}
