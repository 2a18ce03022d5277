/**
 * Block validation against the previous state, as CometBFT's `Block.ValidateBasic` and
 * `state.validateBlock`, and commit verification as `types/validation.go` (`VerifyCommit`,
 * `VerifyCommitLight`, `VerifyCommitLightTrusting`). Everything throws `BlockValidationError` with a
 * stable code; the message follows CometBFT's wording.
 *
 * Beyond CometBFT: when the caller knows the round the block was proposed in (consensus does), the
 * proposer must be that round's proposer, not just any validator; and a commit signature found by index
 * must carry that validator's address.
 *
 * Not here: evidence beyond its basic form and hash (the evidence pool's `checkBlockEvidence` verifies
 * it against the chain), the app's own checks of the txs.
 */
import {
  BlockIdFlag,
  blockIdsEqual,
  encodeDeterministicTxResult,
  isNilBlockId,
  NIL_BLOCK_ID,
  SignedMsgType,
  voteSignBytes,
  type BlockId,
  type Commit,
  type CommitSig,
  type ConsensusVersion,
  type DeterministicTxResult,
  type DuplicateVoteEvidence,
  type Header,
  type Timestamp,
} from "../codec/consensus.ts";
import { ed25519Verify, sha256 } from "../crypto/index.ts";
import { bytesEqual, utf8Encode } from "../primitives/bytes.ts";
import { CodedError } from "../primitives/errors.ts";
import { toHex } from "../primitives/hex.ts";
import { compareTimestamps, medianTime, timestampsEqual } from "./bftTime.ts";
import {
  EvidenceError,
  evidenceListByteSize,
  evidenceListHash,
  validateDuplicateVoteEvidenceBasic,
} from "./evidence.ts";
import { commitHash } from "./header.ts";
import { merkleRoot } from "../crypto/index.ts";
import { proposerForRound, validatorIndexByAddress, validatorSetHash, type ValidatorSet } from "./validatorSet.ts";
import { advanceValidatorSchedule, genesisValidatorSchedule, type ValidatorUpdate } from "./validatorUpdates.ts";

export type BlockValidationErrorCode =
  | "BLOCK_INVALID_HEADER"
  | "BLOCK_INVALID_LAST_COMMIT"
  | "BLOCK_WRONG_LAST_COMMIT_HASH"
  | "BLOCK_WRONG_DATA_HASH"
  | "BLOCK_INVALID_EVIDENCE"
  | "BLOCK_WRONG_EVIDENCE_HASH"
  | "BLOCK_WRONG_VERSION"
  | "BLOCK_WRONG_CHAIN_ID"
  | "BLOCK_WRONG_HEIGHT"
  | "BLOCK_WRONG_LAST_BLOCK_ID"
  | "BLOCK_WRONG_APP_HASH"
  | "BLOCK_WRONG_CONSENSUS_HASH"
  | "BLOCK_WRONG_LAST_RESULTS_HASH"
  | "BLOCK_WRONG_VALIDATORS_HASH"
  | "BLOCK_WRONG_NEXT_VALIDATORS_HASH"
  | "BLOCK_INITIAL_HAS_LAST_COMMIT"
  | "BLOCK_WRONG_PROPOSER"
  | "BLOCK_TIME_NOT_MONOTONIC"
  | "BLOCK_WRONG_TIME"
  | "BLOCK_EVIDENCE_OVERFLOW"
  | "BLOCK_MISSING_LAST_VALIDATORS"
  | "COMMIT_INVALID"
  | "COMMIT_WRONG_SIZE"
  | "COMMIT_WRONG_HEIGHT"
  | "COMMIT_WRONG_BLOCK_ID"
  | "COMMIT_WRONG_ADDRESS"
  | "COMMIT_DOUBLE_VOTE"
  | "COMMIT_BAD_SIGNATURE"
  | "COMMIT_NOT_ENOUGH_POWER"
  | "COMMIT_BAD_TRUST_LEVEL";

export class BlockValidationError extends CodedError<BlockValidationErrorCode> {
  override readonly name = "BlockValidationError";
}

/** CometBFT 0.38's `version.BlockProtocol`. */
export const BLOCK_PROTOCOL = 11n;
export const MAX_CHAIN_ID_LENGTH = 50;
const ADDRESS_SIZE = 20;
const MAX_SIGNATURE_SIZE = 64;

/** `tendermint.types.Block`: header, data (txs), evidence, last commit (the node's `Block` has this shape). */
export interface Block {
  readonly header: Header;
  readonly txs: readonly Uint8Array[];
  readonly evidence: readonly DuplicateVoteEvidence[];
  readonly lastCommit: Commit;
}

/** The parts of CometBFT's `state.State` a block is validated against. */
export interface BlockValidationState {
  readonly chainId: string;
  readonly initialHeight: bigint;
  readonly version: ConsensusVersion;
  /** 0 before the first block. */
  readonly lastBlockHeight: bigint;
  /** The zero id before the first block. */
  readonly lastBlockId: BlockId;
  /** The genesis time before the first block. */
  readonly lastBlockTime: Timestamp;
  /** Signed the last block; null before the first block. */
  readonly lastValidators: ValidatorSet | null;
  readonly validators: ValidatorSet;
  readonly nextValidators: ValidatorSet;
  /** `ConsensusParams.Hash()`. */
  readonly consensusHash: Uint8Array;
  readonly appHash: Uint8Array;
  readonly lastResultsHash: Uint8Array;
  readonly evidenceMaxBytes: bigint;
}

/** `MakeGenesisState`: nothing committed yet; the genesis set signs the initial height. */
export function genesisBlockValidationState(g: {
  readonly chainId: string;
  readonly initialHeight: bigint;
  readonly genesisTime: Timestamp;
  readonly appVersion: bigint;
  readonly validators: ValidatorSet;
  readonly consensusHash: Uint8Array;
  readonly appHash: Uint8Array;
  readonly evidenceMaxBytes: bigint;
}): BlockValidationState {
  const schedule = genesisValidatorSchedule(g.validators, g.initialHeight);
  return {
    chainId: g.chainId,
    initialHeight: g.initialHeight,
    version: { block: BLOCK_PROTOCOL, app: g.appVersion },
    lastBlockHeight: 0n,
    lastBlockId: NIL_BLOCK_ID,
    lastBlockTime: g.genesisTime,
    lastValidators: null,
    validators: schedule.validators,
    nextValidators: schedule.nextValidators,
    consensusHash: g.consensusHash,
    appHash: g.appHash,
    lastResultsHash: txResultsHash([]),
    evidenceMaxBytes: g.evidenceMaxBytes,
  };
}

/**
 * CometBFT `updateState` after `block` (id `blockId`) was executed: the app's tx results, validator
 * updates (in force from height + 2, see `advanceValidatorSchedule`) and new app hash give the state the
 * next block is validated against. Throws `ValidatorUpdateError` for a bad update set.
 */
export function advanceBlockValidationState(
  state: BlockValidationState,
  executed: {
    readonly block: Block;
    readonly blockId: BlockId;
    readonly results: readonly DeterministicTxResult[];
    readonly validatorUpdates: readonly ValidatorUpdate[];
    readonly appHash: Uint8Array;
  },
): BlockValidationState {
  const h = executed.block.header;
  const schedule = advanceValidatorSchedule(
    {
      lastValidators: state.lastValidators,
      validators: state.validators,
      nextValidators: state.nextValidators,
      lastHeightValidatorsChanged: 0n,
    },
    h.height,
    executed.validatorUpdates,
  );
  return {
    ...state,
    lastBlockHeight: h.height,
    lastBlockId: executed.blockId,
    lastBlockTime: h.time,
    lastValidators: schedule.lastValidators,
    validators: schedule.validators,
    nextValidators: schedule.nextValidators,
    appHash: executed.appHash,
    lastResultsHash: txResultsHash(executed.results),
  };
}

function fail(code: BlockValidationErrorCode, message: string): never {
  throw new BlockValidationError(code, message);
}

/** `Txs.Hash()` (the header's `DataHash`): Merkle root of the txs' SHA-256 hashes. */
export function txsHash(txs: readonly Uint8Array[]): Uint8Array {
  return merkleRoot(txs.map((tx) => sha256(tx)));
}

/** `txsHash` from the txs' SHA-256 hashes (in block order), for a caller that has them already. */
export function txsHashOfHashes(txHashes: readonly Uint8Array[]): Uint8Array {
  return merkleRoot(txHashes);
}

/** `TxResultsHash` (the next header's `LastResultsHash`): Merkle root of the deterministic result bytes. */
export function txResultsHash(results: readonly DeterministicTxResult[]): Uint8Array {
  return merkleRoot(results.map(encodeDeterministicTxResult));
}

/** The header time of the block at `height` whose last commit is `lastCommit` (genesis time at the initial height). */
export function blockTime(state: BlockValidationState, height: bigint, lastCommit: Commit): Timestamp {
  if (height === state.initialHeight) return state.lastBlockTime;
  if (state.lastValidators === null)
    fail("BLOCK_MISSING_LAST_VALIDATORS", "no last validator set after the initial height");
  return medianTime(lastCommit, state.lastValidators);
}

function hashError(h: Uint8Array, what: string): void {
  if (h.length !== 0 && h.length !== 32) {
    fail("BLOCK_INVALID_HEADER", `invalid header: wrong ${what}: expected size to be 32 bytes, got ${h.length} bytes`);
  }
}

/** `Header.ValidateBasic`. */
export function validateHeaderBasic(h: Header): void {
  if (h.version.block !== BLOCK_PROTOCOL) {
    fail(
      "BLOCK_INVALID_HEADER",
      `invalid header: block protocol is incorrect: got: ${h.version.block}, want: ${BLOCK_PROTOCOL}`,
    );
  }
  if (utf8Encode(h.chainId).length > MAX_CHAIN_ID_LENGTH) {
    fail("BLOCK_INVALID_HEADER", `invalid header: chainID is too long; max: ${MAX_CHAIN_ID_LENGTH}`);
  }
  if (h.height <= 0n) fail("BLOCK_INVALID_HEADER", `invalid header: ${h.height < 0n ? "negative" : "zero"} Height`);
  hashError(h.lastBlockId.hash, "LastBlockID");
  hashError(h.lastBlockId.partSetHeader.hash, "LastBlockID");
  hashError(h.lastCommitHash, "LastCommitHash");
  hashError(h.dataHash, "DataHash");
  hashError(h.evidenceHash, "EvidenceHash");
  if (h.proposerAddress.length !== ADDRESS_SIZE) {
    fail(
      "BLOCK_INVALID_HEADER",
      `invalid header: invalid ProposerAddress length; got: ${h.proposerAddress.length}, expected: ${ADDRESS_SIZE}`,
    );
  }
  hashError(h.validatorsHash, "ValidatorsHash");
  hashError(h.nextValidatorsHash, "NextValidatorsHash");
  hashError(h.consensusHash, "ConsensusHash");
  hashError(h.lastResultsHash, "LastResultsHash");
}

function commitSigBasicError(s: CommitSig): string | null {
  switch (s.blockIdFlag) {
    case BlockIdFlag.Absent:
      if (s.validatorAddress.length !== 0) return "validator address is present";
      if (!timestampsEqual(s.timestamp, { seconds: -62135596800n, nanos: 0 })) return "time is present";
      if (s.signature.length !== 0) return "signature is present";
      return null;
    case BlockIdFlag.Commit:
    case BlockIdFlag.Nil:
      if (s.validatorAddress.length !== ADDRESS_SIZE) {
        return `expected ValidatorAddress size to be ${ADDRESS_SIZE} bytes, got ${s.validatorAddress.length} bytes`;
      }
      if (s.signature.length === 0) return "signature is missing";
      if (s.signature.length > MAX_SIGNATURE_SIZE) return `signature is too big (max: ${MAX_SIGNATURE_SIZE})`;
      return null;
    default:
      return `unknown BlockIDFlag: ${String(s.blockIdFlag)}`;
  }
}

/** `Commit.ValidateBasic` (a height-0 commit, the initial block's, is not checked further). */
export function validateCommitBasic(c: Commit): void {
  if (c.height < 0n) fail("COMMIT_INVALID", "negative Height");
  if (!Number.isInteger(c.round) || c.round < 0) fail("COMMIT_INVALID", "negative Round");
  if (c.height >= 1n) {
    if (isNilBlockId(c.blockId)) fail("COMMIT_INVALID", "commit cannot be for nil block");
    if (c.signatures.length === 0) fail("COMMIT_INVALID", "no signatures in commit");
    c.signatures.forEach((s, i) => {
      const e = commitSigBasicError(s);
      if (e !== null) fail("COMMIT_INVALID", `wrong CommitSig #${i}: ${e}`);
    });
  }
}

/** `Block.ValidateBasic`: header, last commit and its hash, data hash, evidence and its hash. */
export function validateBlockBasic(b: Block): void {
  validateHeaderBasic(b.header);
  try {
    validateCommitBasic(b.lastCommit);
  } catch (err) {
    if (err instanceof BlockValidationError) fail("BLOCK_INVALID_LAST_COMMIT", `wrong LastCommit: ${err.message}`);
    throw err;
  }
  const lch = commitHash(b.lastCommit);
  if (!bytesEqual(lch, b.header.lastCommitHash)) {
    fail(
      "BLOCK_WRONG_LAST_COMMIT_HASH",
      `wrong Header.LastCommitHash. Expected ${toHex(lch)}, got ${toHex(b.header.lastCommitHash)}`,
    );
  }
  const dh = txsHash(b.txs);
  if (!bytesEqual(dh, b.header.dataHash)) {
    fail("BLOCK_WRONG_DATA_HASH", `wrong Header.DataHash. Expected ${toHex(dh)}, got ${toHex(b.header.dataHash)}`);
  }
  b.evidence.forEach((e, i) => {
    try {
      validateDuplicateVoteEvidenceBasic(e);
    } catch (err) {
      if (err instanceof EvidenceError) fail("BLOCK_INVALID_EVIDENCE", `invalid evidence (#${i}): ${err.message}`);
      throw err;
    }
  });
  const eh = evidenceListHash(b.evidence);
  if (!bytesEqual(eh, b.header.evidenceHash)) {
    fail(
      "BLOCK_WRONG_EVIDENCE_HASH",
      `wrong Header.EvidenceHash. Expected ${toHex(eh)}, got ${toHex(b.header.evidenceHash)}`,
    );
  }
}

export interface ValidateBlockOptions {
  /** The round the block was proposed in: its proposer must be that round's proposer. */
  readonly round?: number;
}

/** `validateBlock(state, block)`; throws `BlockValidationError`. */
export function validateBlock(state: BlockValidationState, block: Block, options: ValidateBlockOptions = {}): void {
  validateBlockBasic(block);
  const h = block.header;
  if (h.version.block !== state.version.block || h.version.app !== state.version.app) {
    fail(
      "BLOCK_WRONG_VERSION",
      `wrong Block.Header.Version. Expected ${state.version.block}/${state.version.app}, got ${h.version.block}/${h.version.app}`,
    );
  }
  if (h.chainId !== state.chainId) {
    fail("BLOCK_WRONG_CHAIN_ID", `wrong Block.Header.ChainID. Expected ${state.chainId}, got ${h.chainId}`);
  }
  if (state.lastBlockHeight === 0n && h.height !== state.initialHeight) {
    fail(
      "BLOCK_WRONG_HEIGHT",
      `wrong Block.Header.Height. Expected ${state.initialHeight} for initial block, got ${h.height}`,
    );
  }
  if (state.lastBlockHeight > 0n && h.height !== state.lastBlockHeight + 1n) {
    fail("BLOCK_WRONG_HEIGHT", `wrong Block.Header.Height. Expected ${state.lastBlockHeight + 1n}, got ${h.height}`);
  }
  if (!blockIdsEqual(h.lastBlockId, state.lastBlockId))
    fail("BLOCK_WRONG_LAST_BLOCK_ID", "wrong Block.Header.LastBlockID");
  const expect = (code: BlockValidationErrorCode, what: string, want: Uint8Array, got: Uint8Array): void => {
    if (!bytesEqual(want, got)) fail(code, `wrong Block.Header.${what}. Expected ${toHex(want)}, got ${toHex(got)}`);
  };
  expect("BLOCK_WRONG_APP_HASH", "AppHash", state.appHash, h.appHash);
  expect("BLOCK_WRONG_CONSENSUS_HASH", "ConsensusHash", state.consensusHash, h.consensusHash);
  expect("BLOCK_WRONG_LAST_RESULTS_HASH", "LastResultsHash", state.lastResultsHash, h.lastResultsHash);
  expect("BLOCK_WRONG_VALIDATORS_HASH", "ValidatorsHash", validatorSetHash(state.validators), h.validatorsHash);
  expect(
    "BLOCK_WRONG_NEXT_VALIDATORS_HASH",
    "NextValidatorsHash",
    validatorSetHash(state.nextValidators),
    h.nextValidatorsHash,
  );
  if (h.height === state.initialHeight) {
    if (block.lastCommit.signatures.length !== 0) {
      fail("BLOCK_INITIAL_HAS_LAST_COMMIT", "initial block can't have LastCommit signatures");
    }
  } else {
    if (state.lastValidators === null)
      fail("BLOCK_MISSING_LAST_VALIDATORS", "no last validator set after the initial height");
    verifyCommit(state.chainId, state.lastValidators, state.lastBlockId, h.height - 1n, block.lastCommit);
  }
  if (options.round !== undefined) {
    const expected = proposerForRound(state.validators, options.round);
    if (!bytesEqual(expected.address, h.proposerAddress)) {
      fail(
        "BLOCK_WRONG_PROPOSER",
        `block.Header.ProposerAddress ${toHex(h.proposerAddress)} is not the proposer of round ${options.round} (${toHex(expected.address)})`,
      );
    }
  } else if (validatorIndexByAddress(state.validators, h.proposerAddress) < 0) {
    fail("BLOCK_WRONG_PROPOSER", `block.Header.ProposerAddress ${toHex(h.proposerAddress)} is not a validator`);
  }
  if (h.height > state.initialHeight) {
    if (compareTimestamps(h.time, state.lastBlockTime) <= 0) {
      fail("BLOCK_TIME_NOT_MONOTONIC", "block time not greater than last block time");
    }
    const median = blockTime(state, h.height, block.lastCommit);
    if (!timestampsEqual(h.time, median)) {
      fail(
        "BLOCK_WRONG_TIME",
        `invalid block time. Expected ${median.seconds}.${median.nanos}, got ${h.time.seconds}.${h.time.nanos}`,
      );
    }
  } else if (h.height === state.initialHeight) {
    if (!timestampsEqual(h.time, state.lastBlockTime))
      fail("BLOCK_WRONG_TIME", "block time is not equal to genesis time");
  } else {
    fail("BLOCK_WRONG_HEIGHT", `block height ${h.height} lower than initial height ${state.initialHeight}`);
  }
  const size = evidenceListByteSize(block.evidence);
  if (size > state.evidenceMaxBytes) {
    fail("BLOCK_EVIDENCE_OVERFLOW", `too much evidence: Max ${state.evidenceMaxBytes}, got ${size}`);
  }
}

// ---------------------------------------------------------------------------------------------------
// Commit verification

/** The precommit a commit signature stands for (`Commit.GetVote`) and its sign bytes. */
export function commitSigSignBytes(chainId: string, commit: Commit, sig: CommitSig): Uint8Array {
  return voteSignBytes(chainId, {
    type: SignedMsgType.Precommit,
    height: commit.height,
    round: commit.round,
    blockId: sig.blockIdFlag === BlockIdFlag.Commit ? commit.blockId : NIL_BLOCK_ID,
    timestamp: sig.timestamp,
  });
}

function verifyBasicValsAndCommit(vals: ValidatorSet, commit: Commit, height: bigint, blockId: BlockId): void {
  if (vals.validators.length !== commit.signatures.length) {
    fail(
      "COMMIT_WRONG_SIZE",
      `invalid commit -- wrong set size: ${vals.validators.length} vs ${commit.signatures.length}`,
    );
  }
  if (height !== commit.height)
    fail("COMMIT_WRONG_HEIGHT", `invalid commit -- wrong height: ${height} vs ${commit.height}`);
  if (!blockIdsEqual(blockId, commit.blockId)) fail("COMMIT_WRONG_BLOCK_ID", "invalid commit -- wrong block ID");
}

interface TallyRules {
  readonly ignore: (s: CommitSig) => boolean;
  readonly count: (s: CommitSig) => boolean;
  readonly countAll: boolean;
  readonly byIndex: boolean;
}

function tally(chainId: string, vals: ValidatorSet, commit: Commit, needed: bigint, rules: TallyRules): void {
  let tallied = 0n;
  const seen = new Map<number, number>();
  for (let idx = 0; idx < commit.signatures.length; idx++) {
    const sig = commit.signatures[idx]!;
    if (rules.ignore(sig)) continue;
    const basic = commitSigBasicError(sig);
    if (basic !== null) fail("COMMIT_INVALID", `invalid signature at index ${idx}: ${basic}`);
    let valIdx: number;
    if (rules.byIndex) {
      valIdx = idx;
      if (!bytesEqual(vals.validators[idx]!.address, sig.validatorAddress)) {
        fail("COMMIT_WRONG_ADDRESS", `wrong validator address at index ${idx}: ${toHex(sig.validatorAddress)}`);
      }
    } else {
      valIdx = validatorIndexByAddress(vals, sig.validatorAddress);
      if (valIdx < 0) continue;
      const prev = seen.get(valIdx);
      if (prev !== undefined)
        fail("COMMIT_DOUBLE_VOTE", `double vote from ${toHex(sig.validatorAddress)} (${prev} and ${idx})`);
      seen.set(valIdx, idx);
    }
    const val = vals.validators[valIdx]!;
    if (!ed25519Verify(sig.signature, commitSigSignBytes(chainId, commit, sig), val.pubKey)) {
      fail("COMMIT_BAD_SIGNATURE", `wrong signature (#${idx}): ${toHex(sig.signature)}`);
    }
    if (rules.count(sig)) tallied += val.votingPower;
    if (!rules.countAll && tallied > needed) return;
  }
  if (tallied <= needed) {
    fail(
      "COMMIT_NOT_ENOUGH_POWER",
      `invalid commit -- insufficient voting power: got ${tallied}, needed more than ${needed}`,
    );
  }
}

/**
 * `VerifyCommit`: the commit is for `blockId` at `height`, has one signature slot per validator, every
 * present signature verifies (nil ones too), and the `Commit` ones carry more than 2/3 of the power.
 */
export function verifyCommit(
  chainId: string,
  vals: ValidatorSet,
  blockId: BlockId,
  height: bigint,
  commit: Commit,
): void {
  verifyBasicValsAndCommit(vals, commit, height, blockId);
  tally(chainId, vals, commit, (vals.totalVotingPower * 2n) / 3n, {
    ignore: (s) => s.blockIdFlag === BlockIdFlag.Absent,
    count: (s) => s.blockIdFlag === BlockIdFlag.Commit,
    countAll: true,
    byIndex: true,
  });
}

/**
 * `VerifyCommitLight` (block sync, light client): only the `Commit` signatures are checked, and only until
 * more than 2/3 of the power is reached.
 */
export function verifyCommitLight(
  chainId: string,
  vals: ValidatorSet,
  blockId: BlockId,
  height: bigint,
  commit: Commit,
): void {
  verifyBasicValsAndCommit(vals, commit, height, blockId);
  tally(chainId, vals, commit, (vals.totalVotingPower * 2n) / 3n, {
    ignore: (s) => s.blockIdFlag !== BlockIdFlag.Commit,
    count: () => true,
    countAll: false,
    byIndex: true,
  });
}

export interface TrustLevel {
  readonly numerator: bigint;
  readonly denominator: bigint;
}

/**
 * `VerifyCommitLightTrusting`: a set trusted from an earlier height (validators found by address, the
 * set may differ from the commit's) signed more than `trustLevel` (default 1/3) of its power.
 */
export function verifyCommitLightTrusting(
  chainId: string,
  vals: ValidatorSet,
  commit: Commit,
  trustLevel: TrustLevel = { numerator: 1n, denominator: 3n },
): void {
  if (trustLevel.denominator <= 0n || trustLevel.numerator < 0n) fail("COMMIT_BAD_TRUST_LEVEL", "invalid trust level");
  tally(chainId, vals, commit, (vals.totalVotingPower * trustLevel.numerator) / trustLevel.denominator, {
    ignore: (s) => s.blockIdFlag !== BlockIdFlag.Commit,
    count: () => true,
    countAll: false,
    byIndex: false,
  });
}
