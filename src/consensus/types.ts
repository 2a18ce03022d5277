/** The reducer's configuration, state, input events and output effects. Everything is plain data. */
import type { BlockId, Commit, DuplicateVoteEvidence, Proposal, Vote, VoteType } from "../codec/consensus.ts";
import type { ConsensusErrorCode } from "./errors.ts";
import type { ValidatorSet } from "./validatorSet.ts";
import type { VoteSet } from "./voteSet.ts";

/** A timeout of round r lasts `baseMs + r × deltaMs`. */
export interface TimeoutParams {
  readonly baseMs: number;
  readonly deltaMs: number;
}

export interface ConsensusConfig {
  readonly chainId: string;
  readonly timeoutPropose: TimeoutParams;
  readonly timeoutPrevote: TimeoutParams;
  readonly timeoutPrecommit: TimeoutParams;
}

/** CometBFT's defaults (`DefaultConsensusConfig`). */
export function defaultConsensusConfig(chainId: string): ConsensusConfig {
  return {
    chainId,
    timeoutPropose: { baseMs: 3000, deltaMs: 500 },
    timeoutPrevote: { baseMs: 1000, deltaMs: 500 },
    timeoutPrecommit: { baseMs: 1000, deltaMs: 500 },
  };
}

export type Step = "propose" | "prevote" | "precommit" | "commit";
export type TimeoutKind = "propose" | "prevote" | "precommit";

export interface ProposalRecord {
  readonly proposal: Proposal;
  readonly block: Uint8Array;
}

export interface RoundVotes {
  readonly prevotes: VoteSet;
  readonly precommits: VoteSet;
}

/** A signature the reducer asked for and has not got back. */
export type PendingSign =
  | { readonly kind: "vote"; readonly vote: Vote }
  | { readonly kind: "proposal"; readonly proposal: Proposal; readonly block: Uint8Array };

export type Validity = "pending" | "valid" | "invalid";

export interface ConsensusState {
  readonly config: ConsensusConfig;
  /** This node's validator address; a node outside the set never signs. */
  readonly ownAddress: Uint8Array;
  /** 0 until the first `startHeight`. */
  readonly height: bigint;
  readonly round: number;
  readonly step: Step;
  readonly validators: ValidatorSet | null;
  readonly lockedValue: BlockId | null;
  readonly lockedRound: number;
  readonly validValue: BlockId | null;
  readonly validRound: number;
  /** By round (decimal string key). */
  readonly proposals: Readonly<Record<string, ProposalRecord>>;
  /** By round: a second proposal of an equivocating proposer, kept for the block with +2/3 votes in that round. */
  readonly quorumProposals: Readonly<Record<string, ProposalRecord>>;
  readonly votes: Readonly<Record<string, RoundVotes>>;
  /** Block bytes and the app's verdict by block key. */
  readonly blocks: Readonly<Record<string, Uint8Array>>;
  readonly validity: Readonly<Record<string, Validity>>;
  /** Rounds in which the "for the first time" rules fired (−1: not yet). */
  readonly prevoteTimeoutRound: number;
  readonly precommitTimeoutRound: number;
  readonly lockRuleRound: number;
  /** The round whose block the app was asked to create (−1: none). */
  readonly awaitingBlockRound: number;
  readonly pendingSigns: readonly PendingSign[];
  readonly decision: { readonly round: number; readonly blockId: BlockId } | null;
}

export type ConsensusEvent =
  | { readonly type: "startHeight"; readonly height: bigint; readonly validators: ValidatorSet }
  | { readonly type: "proposal"; readonly proposal: Proposal; readonly block: Uint8Array }
  | { readonly type: "vote"; readonly vote: Vote }
  | { readonly type: "timeout"; readonly kind: TimeoutKind; readonly height: bigint; readonly round: number }
  | { readonly type: "blockValidity"; readonly height: bigint; readonly blockId: BlockId; readonly valid: boolean }
  | {
      readonly type: "blockCreated";
      readonly height: bigint;
      readonly round: number;
      readonly blockId: BlockId;
      readonly block: Uint8Array;
    }
  | { readonly type: "signedVote"; readonly vote: Vote }
  | { readonly type: "signedProposal"; readonly proposal: Proposal; readonly block: Uint8Array }
  | {
      readonly type: "signRefused";
      readonly height: bigint;
      readonly round: number;
      readonly signType: VoteType | 32;
      readonly code: ConsensusErrorCode;
    };

export type ConsensusEffect =
  | { readonly type: "requestBlock"; readonly height: bigint; readonly round: number }
  | { readonly type: "validateBlock"; readonly height: bigint; readonly blockId: BlockId; readonly block: Uint8Array }
  /** The vote to sign; the signer sets the timestamp and the signature. */
  | { readonly type: "signVote"; readonly vote: Vote }
  | { readonly type: "signProposal"; readonly proposal: Proposal; readonly block: Uint8Array }
  | { readonly type: "broadcastProposal"; readonly proposal: Proposal; readonly block: Uint8Array }
  | { readonly type: "broadcastVote"; readonly vote: Vote }
  | {
      readonly type: "scheduleTimeout";
      readonly kind: TimeoutKind;
      readonly height: bigint;
      readonly round: number;
      readonly durationMs: number;
    }
  | {
      readonly type: "decide";
      readonly height: bigint;
      readonly round: number;
      readonly blockId: BlockId;
      readonly block: Uint8Array;
      readonly commit: Commit;
    }
  | { readonly type: "evidence"; readonly evidence: DuplicateVoteEvidence }
  /** An input refused (bad signature, wrong proposer, unknown validator, …), for logs and peer scoring. */
  | { readonly type: "invalidInput"; readonly reason: string };

export interface StepResult {
  readonly state: ConsensusState;
  readonly effects: readonly ConsensusEffect[];
}
