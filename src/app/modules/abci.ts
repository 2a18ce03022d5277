/**
 * What consensus hands the begin blockers (ABCI 2.0 `FinalizeBlock` request): the votes of the last
 * commit and the misbehaviour evidence. The node fills these from the block's `last_commit` and
 * `evidence`; the modules read nothing else of consensus.
 */

/** CometBFT `BlockIDFlag`. */
export const BlockIdFlag = { Unknown: 0, Absent: 1, Commit: 2, Nil: 3 } as const;
export type BlockIdFlag = (typeof BlockIdFlag)[keyof typeof BlockIdFlag];

/** One validator's entry in the last commit. */
export interface VoteInfo {
  /** Consensus address: `sha256(ed25519 key)[0:20]`. */
  readonly address: Uint8Array;
  readonly power: bigint;
  readonly blockIdFlag: BlockIdFlag;
}

/** Evidence of a double sign (`DUPLICATE_VOTE`) or light-client attack. */
export interface Misbehavior {
  readonly type: "duplicate_vote" | "light_client_attack";
  /** Consensus address of the offender. */
  readonly address: Uint8Array;
  /** The offender's power at the infraction height. */
  readonly power: bigint;
  readonly height: bigint;
  readonly timeNanos: bigint;
}

/** The begin-block inputs shared by distribution and slashing. */
export interface BeginBlockInfo {
  readonly votes: readonly VoteInfo[];
  readonly misbehavior: readonly Misbehavior[];
  /** Consensus address of this block's proposer. */
  readonly proposer: Uint8Array;
}
