/** Tendermint consensus: the pure reducer, vote sets, proposer selection, privval, WAL format, block validation, BFT time, evidence, validator updates. */
export { ConsensusError } from "./errors.ts";
export type { ConsensusErrorCode } from "./errors.ts";
export { commitHash, headerHash } from "./header.ts";
export { merkleRoot } from "../crypto/index.ts";
export * from "./privval.ts";
export {
  createConsensusState,
  decidedCommit,
  farRoundsOf,
  MAX_FAR_ROUNDS_PER_VALIDATOR,
  ownMessages,
  resumeEffects,
  step,
  timeoutDuration,
} from "./reducer.ts";
export { decodeEvent, encodeEvent, fromCanonicalJson, toCanonicalJson } from "./serialize.ts";
export * from "./types.ts";
export * from "./validatorSet.ts";
export * from "./voteSet.ts";
export { crc32, decodeWal, encodeWalRecord, WAL_HEADER_BYTES, WAL_MAX_RECORD_BYTES } from "./wal.ts";
export type { DecodedWal } from "./wal.ts";
export * from "./bftTime.ts";
export * from "./blockValidation.ts";
export * from "./evidence.ts";
export * from "./validatorUpdates.ts";
