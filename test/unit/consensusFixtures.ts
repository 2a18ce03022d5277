/** Shared fixtures for the consensus tests: validators with known keys, blocks, signed messages. */
import {
  proposalSignBytes,
  voteSignBytes,
  NIL_BLOCK_ID,
  SignedMsgType,
  type BlockId,
  type Proposal,
  type Timestamp,
  type Vote,
  type VoteType,
} from "../../src/codec/consensus.ts";
import { ed25519Sign, sha256 } from "../../src/crypto/index.ts";
import { createPrivValidator, type PrivValidator } from "../../src/consensus/privval.ts";
import type { ConsensusConfig } from "../../src/consensus/types.ts";
import { createValidatorSet, type ValidatorSet } from "../../src/consensus/validatorSet.ts";

export const CHAIN_ID = "secretdev-1";
const te = new TextEncoder();

export const TEST_CONFIG: ConsensusConfig = {
  chainId: CHAIN_ID,
  timeoutPropose: { baseMs: 1000, deltaMs: 500 },
  timeoutPrevote: { baseMs: 500, deltaMs: 250 },
  timeoutPrecommit: { baseMs: 500, deltaMs: 250 },
};

export function seedOf(i: number, salt = "validator"): Uint8Array {
  return sha256(te.encode(`${salt}-${i}`));
}

export interface Validators {
  readonly privvals: PrivValidator[];
  readonly set: ValidatorSet;
  /** privvals ordered by their index in `set`. */
  readonly byIndex: PrivValidator[];
}

export function makeValidators(powers: readonly bigint[], salt = "validator"): Validators {
  const privvals = powers.map((_, i) => createPrivValidator(seedOf(i, salt)));
  const set = createValidatorSet(privvals.map((pv, i) => ({ pubKey: pv.pubKey, votingPower: powers[i]! })));
  const byIndex = set.validators.map((v) => privvals.find((pv) => pv.address.every((b, k) => b === v.address[k]))!);
  return { privvals, set, byIndex };
}

export function blockFor(text: string): { block: Uint8Array; blockId: BlockId } {
  const block = te.encode(text);
  const hash = sha256(block);
  return { block, blockId: { hash, partSetHeader: { total: 1, hash: sha256(hash) } } };
}

export const T0: Timestamp = { seconds: 1_700_000_000n, nanos: 0 };

export function makeVote(
  v: Validators,
  index: number,
  type: VoteType,
  height: bigint,
  round: number,
  blockId: BlockId | null,
  timestamp: Timestamp = T0,
): Vote {
  const pv = v.byIndex[index]!;
  const unsigned: Vote = {
    type,
    height,
    round,
    blockId: blockId ?? NIL_BLOCK_ID,
    timestamp,
    validatorAddress: pv.address,
    validatorIndex: index,
    signature: new Uint8Array(0),
  };
  return { ...unsigned, signature: ed25519Sign(pv.seed, voteSignBytes(CHAIN_ID, unsigned)) };
}

export function makeProposal(
  pv: PrivValidator,
  height: bigint,
  round: number,
  polRound: number,
  blockId: BlockId,
  timestamp: Timestamp = T0,
): Proposal {
  const unsigned: Proposal = { height, round, polRound, blockId, timestamp, signature: new Uint8Array(0) };
  return { ...unsigned, signature: ed25519Sign(pv.seed, proposalSignBytes(CHAIN_ID, unsigned)) };
}

export const PREVOTE = SignedMsgType.Prevote;
export const PRECOMMIT = SignedMsgType.Precommit;
