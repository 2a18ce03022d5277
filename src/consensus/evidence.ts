/**
 * Duplicate-vote evidence as CometBFT handles it (`types/evidence.go`, `evidence/verify.go`,
 * `evidence/pool.go`): basic checks, verification against the validator set of the evidence height,
 * the evidence hash of a block, and an immutable evidence pool.
 *
 * Pool rules:
 * - evidence from this node's consensus (`evidence` effect) waits in a buffer until the block of its
 *   height is committed; then it is re-stamped with that block's time and that height's powers
 *   (CometBFT `processConsensusBuffer`) and verified like any other;
 * - evidence from peers is verified at once; already pending or committed evidence is ignored (not an
 *   error: the peer may be behind);
 * - evidence expires when it is older than *both* `maxAgeNumBlocks` blocks and `maxAgeDurationNs`;
 * - `pendingEvidence(pool, maxBytes)` lists pending evidence by height then hash until the next item would
 *   exceed `maxBytes` (its size inside the block's `EvidenceList`), −1 for no bound;
 * - `updateEvidencePool` after a commit: marks the block's evidence committed, drops expired entries.
 */
import {
  blockIdKeyBytes,
  blockIdsEqual,
  encodeDuplicateVoteEvidence,
  isNilBlockId,
  lengthPrefixed,
  SignedMsgType,
  voteSignBytes,
  type BlockId,
  type DuplicateVoteEvidence,
  type Timestamp,
  type Vote,
} from "../codec/consensus.ts";
import { ed25519Verify, sha256 } from "../crypto/index.ts";
import { bytesEqual, compareBytes } from "../primitives/bytes.ts";
import { CodedError } from "../primitives/errors.ts";
import { toHex } from "../primitives/hex.ts";
import { timestampsEqual, timestampToNanos } from "./bftTime.ts";
import { merkleRoot } from "../crypto/index.ts";
import { validatorIndexByAddress, type ValidatorSet } from "./validatorSet.ts";

export type EvidenceErrorCode =
  | "EVIDENCE_INVALID"
  | "EVIDENCE_ORDER"
  | "EVIDENCE_NOT_VALIDATOR"
  | "EVIDENCE_HRS_MISMATCH"
  | "EVIDENCE_ADDRESS_MISMATCH"
  | "EVIDENCE_SAME_BLOCK"
  | "EVIDENCE_POWER_MISMATCH"
  | "EVIDENCE_TOTAL_POWER_MISMATCH"
  | "EVIDENCE_BAD_SIGNATURE"
  | "EVIDENCE_EXPIRED"
  | "EVIDENCE_FUTURE"
  | "EVIDENCE_UNKNOWN_HEIGHT"
  | "EVIDENCE_TIME_MISMATCH"
  | "EVIDENCE_COMMITTED"
  | "EVIDENCE_DUPLICATE_IN_BLOCK";

export class EvidenceError extends CodedError<EvidenceErrorCode> {
  override readonly name = "EvidenceError";
}

/** `EvidenceParams` (CometBFT defaults: 100000 blocks, 48 h, 1 MiB). */
export interface EvidenceParams {
  readonly maxAgeNumBlocks: bigint;
  readonly maxAgeDurationNs: bigint;
  readonly maxBytes: bigint;
}

export const DEFAULT_EVIDENCE_PARAMS: EvidenceParams = {
  maxAgeNumBlocks: 100_000n,
  maxAgeDurationNs: 48n * 3600n * 1_000_000_000n,
  maxBytes: 1_048_576n,
};

const ADDRESS_SIZE = 20;
const MAX_SIGNATURE_SIZE = 64;

function hashOk(h: Uint8Array): boolean {
  return h.length === 0 || h.length === 32;
}

/** `BlockID.ValidateBasic` plus `IsZero() || IsComplete()` as `Vote.ValidateBasic` requires. */
function checkVoteBlockId(id: BlockId): string | null {
  if (!hashOk(id.hash) || !hashOk(id.partSetHeader.hash)) return "wrong BlockID: hash must be empty or 32 bytes";
  if (isNilBlockId(id)) return null;
  if (id.hash.length !== 32 || id.partSetHeader.total <= 0 || id.partSetHeader.hash.length !== 32) {
    return "blockID must be either empty or complete";
  }
  return null;
}

/** `Vote.ValidateBasic`; returns the reason or null. */
export function voteBasicError(v: Vote): string | null {
  if (v.type !== SignedMsgType.Prevote && v.type !== SignedMsgType.Precommit) return "invalid Type";
  if (v.height <= 0n) return "negative or zero Height";
  if (!Number.isInteger(v.round) || v.round < 0) return "negative Round";
  const b = checkVoteBlockId(v.blockId);
  if (b !== null) return b;
  if (v.validatorAddress.length !== ADDRESS_SIZE) return `expected ValidatorAddress size to be ${ADDRESS_SIZE} bytes`;
  if (!Number.isInteger(v.validatorIndex) || v.validatorIndex < 0) return "negative ValidatorIndex";
  if (v.signature.length === 0) return "signature is missing";
  if (v.signature.length > MAX_SIGNATURE_SIZE) return `signature is too big (max: ${MAX_SIGNATURE_SIZE})`;
  return null;
}

/** `DuplicateVoteEvidence.ValidateBasic`: both votes well formed and ordered by `BlockID.Key()`. */
export function validateDuplicateVoteEvidenceBasic(e: DuplicateVoteEvidence): void {
  const a = voteBasicError(e.voteA);
  if (a !== null) throw new EvidenceError("EVIDENCE_INVALID", `invalid VoteA: ${a}`);
  const b = voteBasicError(e.voteB);
  if (b !== null) throw new EvidenceError("EVIDENCE_INVALID", `invalid VoteB: ${b}`);
  if (compareBytes(blockIdKeyBytes(e.voteA.blockId), blockIdKeyBytes(e.voteB.blockId)) >= 0) {
    throw new EvidenceError("EVIDENCE_ORDER", "duplicate votes in invalid order");
  }
}

/** The height and context needed to judge evidence age and time (optional 4th argument of the verifier). */
export interface EvidenceAgeContext {
  readonly params: EvidenceParams;
  /** The last committed height and its block time (CometBFT `state.LastBlockHeight/LastBlockTime`). */
  readonly lastHeight: bigint;
  readonly lastBlockTime: Timestamp;
  /** The time of the block at the evidence height (its header time). */
  readonly blockTimeAtHeight: Timestamp;
}

export function isEvidenceExpired(
  params: EvidenceParams,
  lastHeight: bigint,
  lastBlockTime: Timestamp,
  evidenceHeight: bigint,
  evidenceTime: Timestamp,
): boolean {
  const ageBlocks = lastHeight - evidenceHeight;
  const ageNs = timestampToNanos(lastBlockTime) - timestampToNanos(evidenceTime);
  return ageBlocks > params.maxAgeNumBlocks && ageNs > params.maxAgeDurationNs;
}

/**
 * `VerifyDuplicateVote` (+ `ValidateBasic`, and with `age` the pool's expiry and block-time checks):
 * the signer is in the set of the evidence height, same height/round/type and address, different block
 * ids, the validator's and the set's power as recorded, both signatures valid over the vote sign bytes.
 */
export function verifyDuplicateVoteEvidence(
  e: DuplicateVoteEvidence,
  validators: ValidatorSet,
  chainId: string,
  age?: EvidenceAgeContext,
): void {
  validateDuplicateVoteEvidenceBasic(e);
  const { voteA: a, voteB: b } = e;
  if (age !== undefined) {
    if (a.height > age.lastHeight) {
      throw new EvidenceError("EVIDENCE_FUTURE", `evidence from height ${a.height} is from the future`);
    }
    if (!timestampsEqual(e.timestamp, age.blockTimeAtHeight)) {
      throw new EvidenceError(
        "EVIDENCE_TIME_MISMATCH",
        "evidence has a different time to the block it is associated with",
      );
    }
    if (isEvidenceExpired(age.params, age.lastHeight, age.lastBlockTime, a.height, e.timestamp)) {
      throw new EvidenceError("EVIDENCE_EXPIRED", `evidence from height ${a.height} is too old`);
    }
  }
  const index = validatorIndexByAddress(validators, a.validatorAddress);
  const val = validators.validators[index];
  if (val === undefined) {
    throw new EvidenceError(
      "EVIDENCE_NOT_VALIDATOR",
      `address ${toHex(a.validatorAddress)} was not a validator at height ${a.height}`,
    );
  }
  if (a.height !== b.height || a.round !== b.round || a.type !== b.type) {
    throw new EvidenceError(
      "EVIDENCE_HRS_MISMATCH",
      `h/r/s does not match: ${a.height}/${a.round}/${a.type} vs ${b.height}/${b.round}/${b.type}`,
    );
  }
  if (!bytesEqual(a.validatorAddress, b.validatorAddress)) {
    throw new EvidenceError("EVIDENCE_ADDRESS_MISMATCH", "validator addresses do not match");
  }
  if (blockIdsEqual(a.blockId, b.blockId)) {
    throw new EvidenceError("EVIDENCE_SAME_BLOCK", "block IDs are the same - not a real duplicate vote");
  }
  if (val.votingPower !== e.validatorPower) {
    throw new EvidenceError(
      "EVIDENCE_POWER_MISMATCH",
      `validator power from evidence and our validator set does not match (${e.validatorPower} != ${val.votingPower})`,
    );
  }
  if (validators.totalVotingPower !== e.totalVotingPower) {
    throw new EvidenceError(
      "EVIDENCE_TOTAL_POWER_MISMATCH",
      `total voting power from the evidence and our validator set does not match (${e.totalVotingPower} != ${validators.totalVotingPower})`,
    );
  }
  if (!ed25519Verify(a.signature, voteSignBytes(chainId, a), val.pubKey)) {
    throw new EvidenceError("EVIDENCE_BAD_SIGNATURE", "verifying VoteA: invalid signature");
  }
  if (!ed25519Verify(b.signature, voteSignBytes(chainId, b), val.pubKey)) {
    throw new EvidenceError("EVIDENCE_BAD_SIGNATURE", "verifying VoteB: invalid signature");
  }
}

/** `DuplicateVoteEvidence.Hash()`: SHA-256 of its protobuf bytes. */
export function evidenceHashOf(e: DuplicateVoteEvidence): Uint8Array {
  return sha256(encodeDuplicateVoteEvidence(e));
}

/** `EvidenceList.Hash()` (the header's `EvidenceHash`): Merkle root of each evidence's protobuf bytes. */
export function evidenceListHash(list: readonly DuplicateVoteEvidence[]): Uint8Array {
  return merkleRoot(list.map(encodeDuplicateVoteEvidence));
}

/** Size of one evidence inside `EvidenceList{1 repeated Evidence{1 duplicate_vote_evidence}}`. */
export function evidenceByteSize(e: DuplicateVoteEvidence): bigint {
  const wrapped = lengthPrefixed(encodeDuplicateVoteEvidence(e)).length + 1; // Evidence{1: dve}
  return BigInt(lengthPrefixed(new Uint8Array(wrapped)).length + 1); // EvidenceList{1: Evidence}
}

/** `EvidenceData.ByteSize()`: the protobuf size of the block's `EvidenceList`. */
export function evidenceListByteSize(list: readonly DuplicateVoteEvidence[]): bigint {
  return list.reduce((a, e) => a + evidenceByteSize(e), 0n);
}

// ---------------------------------------------------------------------------------------------------
// Pool

export interface PendingEvidence {
  readonly evidence: DuplicateVoteEvidence;
  readonly height: bigint;
  /** Hex of `evidenceHashOf`. */
  readonly hash: string;
}

export interface EvidencePool {
  /** Verified, not yet in a block; sorted by height then hash. */
  readonly pending: readonly PendingEvidence[];
  /** Hash (hex) → height of evidence included in a committed block. */
  readonly committed: Readonly<Record<string, bigint>>;
  /** Conflicting vote pairs from this node's consensus, waiting for the block of their height. */
  readonly buffer: readonly { readonly voteA: Vote; readonly voteB: Vote }[];
}

/** What the pool needs to know about the chain (the caller's stores, read purely). */
export interface EvidenceChainView {
  readonly chainId: string;
  readonly params: EvidenceParams;
  readonly lastHeight: bigint;
  readonly lastBlockTime: Timestamp;
  validatorsAt(height: bigint): ValidatorSet | undefined;
  blockTimeAt(height: bigint): Timestamp | undefined;
}

export function createEvidencePool(): EvidencePool {
  return { pending: [], committed: {}, buffer: [] };
}

function comparePending(a: PendingEvidence, b: PendingEvidence): number {
  if (a.height !== b.height) return a.height < b.height ? -1 : 1;
  return a.hash < b.hash ? -1 : a.hash > b.hash ? 1 : 0;
}

/** Verifies evidence against the chain (age, time, validator set of its height); throws `EvidenceError`. */
export function verifyEvidence(e: DuplicateVoteEvidence, chain: EvidenceChainView): void {
  const height = e.voteA.height;
  if (height > chain.lastHeight) {
    throw new EvidenceError("EVIDENCE_FUTURE", `evidence from height ${height} is from the future`);
  }
  const time = chain.blockTimeAt(height);
  const vals = chain.validatorsAt(height);
  if (time === undefined || vals === undefined) {
    throw new EvidenceError("EVIDENCE_UNKNOWN_HEIGHT", `don't have header or validators of height ${height}`);
  }
  verifyDuplicateVoteEvidence(e, vals, chain.chainId, {
    params: chain.params,
    lastHeight: chain.lastHeight,
    lastBlockTime: chain.lastBlockTime,
    blockTimeAtHeight: time,
  });
}

export type AddEvidenceResult =
  | { readonly kind: "added"; readonly pool: EvidencePool }
  /** Already pending or committed: nothing to do (not the peer's fault). */
  | { readonly kind: "known"; readonly pool: EvidencePool };

/** Adds evidence received from a peer (or re-stamped from the buffer); throws `EvidenceError` if invalid. */
export function addEvidence(pool: EvidencePool, e: DuplicateVoteEvidence, chain: EvidenceChainView): AddEvidenceResult {
  const hash = toHex(evidenceHashOf(e));
  if (pool.committed[hash] !== undefined || pool.pending.some((p) => p.hash === hash)) return { kind: "known", pool };
  verifyEvidence(e, chain);
  const pending = [...pool.pending, { evidence: e, height: e.voteA.height, hash }].sort(comparePending);
  return { kind: "added", pool: { ...pool, pending } };
}

/**
 * Records a conflict seen by this node's consensus (`evidence` effect). The pair is re-built into
 * evidence (ordered votes, powers and block time of its height) once that height is committed.
 */
export function reportConflictingVotes(pool: EvidencePool, e: DuplicateVoteEvidence): EvidencePool {
  const same = (x: Vote, y: Vote): boolean => bytesEqual(x.signature, y.signature);
  const known = pool.buffer.some(
    (p) => (same(p.voteA, e.voteA) && same(p.voteB, e.voteB)) || (same(p.voteA, e.voteB) && same(p.voteB, e.voteA)),
  );
  if (known) return pool;
  return { ...pool, buffer: [...pool.buffer, { voteA: e.voteA, voteB: e.voteB }] };
}

/** CometBFT `NewDuplicateVoteEvidence`: the votes ordered by block id key, powers from `validators`. */
export function newDuplicateVoteEvidence(
  a: Vote,
  b: Vote,
  blockTime: Timestamp,
  validators: ValidatorSet,
): DuplicateVoteEvidence | null {
  const val = validators.validators[validatorIndexByAddress(validators, a.validatorAddress)];
  if (val === undefined) return null;
  const [voteA, voteB] = compareBytes(blockIdKeyBytes(a.blockId), blockIdKeyBytes(b.blockId)) < 0 ? [a, b] : [b, a];
  return {
    voteA,
    voteB,
    totalVotingPower: validators.totalVotingPower,
    validatorPower: val.votingPower,
    timestamp: blockTime,
  };
}

export interface EvidencePoolUpdate {
  readonly pool: EvidencePool;
  /** Buffered conflicts dropped because they did not verify (for logs). */
  readonly rejected: readonly { readonly reason: string; readonly code: string }[];
}

/**
 * After block `chain.lastHeight` is committed with `committedEvidence`: mark it committed, drop the
 * expired, turn buffered conflicts of committed heights into verified pending evidence.
 */
export function updateEvidencePool(
  pool: EvidencePool,
  committedEvidence: readonly DuplicateVoteEvidence[],
  chain: EvidenceChainView,
): EvidencePoolUpdate {
  const committed: Record<string, bigint> = {};
  const expired = (height: bigint, time: Timestamp): boolean =>
    isEvidenceExpired(chain.params, chain.lastHeight, chain.lastBlockTime, height, time);
  for (const [hash, height] of Object.entries(pool.committed)) {
    const time = chain.blockTimeAt(height);
    if (time === undefined || !expired(height, time)) committed[hash] = height;
  }
  for (const e of committedEvidence) committed[toHex(evidenceHashOf(e))] = e.voteA.height;
  let next: EvidencePool = {
    pending: pool.pending.filter((p) => committed[p.hash] === undefined && !expired(p.height, p.evidence.timestamp)),
    committed,
    buffer: [],
  };
  const rejected: { reason: string; code: string }[] = [];
  const buffer: { voteA: Vote; voteB: Vote }[] = [];
  for (const pair of pool.buffer) {
    const height = pair.voteA.height;
    const time = chain.blockTimeAt(height);
    const vals = chain.validatorsAt(height);
    if (height > chain.lastHeight || time === undefined || vals === undefined) {
      if (height > chain.lastHeight)
        buffer.push(pair); // not committed yet: keep waiting
      else rejected.push({ code: "EVIDENCE_UNKNOWN_HEIGHT", reason: `no block or validators at height ${height}` });
      continue;
    }
    const e = newDuplicateVoteEvidence(pair.voteA, pair.voteB, time, vals);
    if (e === null) {
      rejected.push({ code: "EVIDENCE_NOT_VALIDATOR", reason: "signer not in the validator set" });
      continue;
    }
    try {
      next = addEvidence(next, e, chain).pool;
    } catch (err) {
      if (!(err instanceof EvidenceError)) throw err;
      rejected.push({ code: err.code, reason: err.message });
    }
  }
  return { pool: { ...next, buffer }, rejected };
}

/** `PendingEvidence(maxBytes)`: by height then hash, stopping before the first item that would not fit. */
export function pendingEvidence(pool: EvidencePool, maxBytes: bigint): DuplicateVoteEvidence[] {
  const out: DuplicateVoteEvidence[] = [];
  let total = 0n;
  for (const p of pool.pending) {
    const size = evidenceByteSize(p.evidence);
    if (maxBytes !== -1n && total + size > maxBytes) break;
    total += size;
    out.push(p.evidence);
  }
  return out;
}

/**
 * `CheckEvidence` of a proposed block: no evidence twice, none already committed, each pending or
 * verifying against the chain. Throws `EvidenceError`.
 */
export function checkBlockEvidence(
  pool: EvidencePool,
  list: readonly DuplicateVoteEvidence[],
  chain: EvidenceChainView,
): void {
  const seen = new Set<string>();
  for (const e of list) {
    const hash = toHex(evidenceHashOf(e));
    if (seen.has(hash)) throw new EvidenceError("EVIDENCE_DUPLICATE_IN_BLOCK", "duplicate evidence in the block");
    seen.add(hash);
    if (pool.committed[hash] !== undefined) {
      throw new EvidenceError("EVIDENCE_COMMITTED", "evidence was already committed");
    }
    if (!pool.pending.some((p) => p.hash === hash)) verifyEvidence(e, chain);
  }
}
