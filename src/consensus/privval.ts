/**
 * The private validator as a pure state machine (CometBFT `privval/file.go`): it remembers the last
 * height/round/step it signed (step 1 proposal, 2 prevote, 3 precommit) with the sign bytes and
 * signature, and refuses
 * - anything below that HRS (`PRIVVAL_HEIGHT_REGRESSION`, `PRIVVAL_ROUND_REGRESSION`, `PRIVVAL_STEP_REGRESSION`);
 * - a different message at the same HRS (`PRIVVAL_DOUBLE_SIGN`).
 * The same message again (sign bytes equal, or equal but for the timestamp) gets the earlier signature and
 * timestamp back, so a restarted node can re-broadcast what it already signed without equivocating.
 */
import {
  proposalSignBytes,
  voteSignBytes,
  SignedMsgType,
  type Proposal,
  type Timestamp,
  type Vote,
} from "../codec/consensus.ts";
import { ed25519PublicKey, ed25519Sign } from "../crypto/index.ts";
import { bytesEqual } from "../primitives/bytes.ts";
import type { ConsensusErrorCode } from "./errors.ts";
import { ed25519Address } from "./validatorSet.ts";

export const PRIVVAL_STEP = { none: 0, propose: 1, prevote: 2, precommit: 3 } as const;

export interface LastSignState {
  readonly height: bigint;
  readonly round: number;
  readonly step: number;
  readonly signBytes: Uint8Array | null;
  readonly signature: Uint8Array | null;
  readonly timestamp: Timestamp | null;
}

export interface PrivValidator {
  readonly seed: Uint8Array;
  readonly pubKey: Uint8Array;
  readonly address: Uint8Array;
  readonly last: LastSignState;
}

export type SignResult<T> =
  | { readonly ok: true; readonly privval: PrivValidator; readonly signed: T }
  | { readonly ok: false; readonly code: ConsensusErrorCode; readonly message: string };

export const INITIAL_SIGN_STATE: LastSignState = {
  height: 0n,
  round: 0,
  step: 0,
  signBytes: null,
  signature: null,
  timestamp: null,
};

export function createPrivValidator(seed: Uint8Array, last: LastSignState = INITIAL_SIGN_STATE): PrivValidator {
  const pubKey = ed25519PublicKey(seed);
  return { seed: seed.slice(), pubKey, address: ed25519Address(pubKey), last };
}

type Check = { kind: "fresh" } | { kind: "same" } | { kind: "refuse"; code: ConsensusErrorCode; message: string };

function checkHrs(last: LastSignState, height: bigint, round: number, step: number): Check {
  if (last.height > height)
    return { kind: "refuse", code: "PRIVVAL_HEIGHT_REGRESSION", message: `height ${height} < ${last.height}` };
  if (last.height === height) {
    if (last.round > round)
      return { kind: "refuse", code: "PRIVVAL_ROUND_REGRESSION", message: `round ${round} < ${last.round}` };
    if (last.round === round) {
      if (last.step > step)
        return { kind: "refuse", code: "PRIVVAL_STEP_REGRESSION", message: `step ${step} < ${last.step}` };
      if (last.step === step) return { kind: "same" };
    }
  }
  return { kind: "fresh" };
}

function sign<T extends { readonly timestamp: Timestamp; readonly signature: Uint8Array }>(
  pv: PrivValidator,
  height: bigint,
  round: number,
  step: number,
  msg: T,
  signBytesOf: (m: T) => Uint8Array,
): SignResult<T> {
  const check = checkHrs(pv.last, height, round, step);
  if (check.kind === "refuse") return { ok: false, code: check.code, message: check.message };
  const bytes = signBytesOf(msg);
  if (check.kind === "same") {
    const last = pv.last;
    if (last.signBytes !== null && last.signature !== null && last.timestamp !== null) {
      const atLastTime = signBytesOf({ ...msg, timestamp: last.timestamp });
      if (bytesEqual(atLastTime, last.signBytes)) {
        return { ok: true, privval: pv, signed: { ...msg, timestamp: last.timestamp, signature: last.signature } };
      }
    }
    return { ok: false, code: "PRIVVAL_DOUBLE_SIGN", message: `conflicting data at ${height}/${round}/${step}` };
  }
  const signature = ed25519Sign(pv.seed, bytes);
  return {
    ok: true,
    privval: { ...pv, last: { height, round, step, signBytes: bytes, signature, timestamp: msg.timestamp } },
    signed: { ...msg, signature },
  };
}

export function signVote(pv: PrivValidator, chainId: string, vote: Vote): SignResult<Vote> {
  const step = vote.type === SignedMsgType.Prevote ? PRIVVAL_STEP.prevote : PRIVVAL_STEP.precommit;
  return sign(pv, vote.height, vote.round, step, vote, (v) => voteSignBytes(chainId, v));
}

export function signProposal(pv: PrivValidator, chainId: string, proposal: Proposal): SignResult<Proposal> {
  return sign(pv, proposal.height, proposal.round, PRIVVAL_STEP.propose, proposal, (p) =>
    proposalSignBytes(chainId, p),
  );
}

/**
 * The privval's state after a signature it is known to have made (replayed from the WAL): kept only if
 * it is at or above the current last-signed HRS.
 */
export function recordSigned(
  pv: PrivValidator,
  chainId: string,
  signed: { readonly kind: "vote"; readonly vote: Vote } | { readonly kind: "proposal"; readonly proposal: Proposal },
): PrivValidator {
  const [height, round, stepNo, bytes, signature, timestamp] =
    signed.kind === "vote"
      ? [
          signed.vote.height,
          signed.vote.round,
          signed.vote.type === SignedMsgType.Prevote ? PRIVVAL_STEP.prevote : PRIVVAL_STEP.precommit,
          voteSignBytes(chainId, signed.vote),
          signed.vote.signature,
          signed.vote.timestamp,
        ]
      : [
          signed.proposal.height,
          signed.proposal.round,
          PRIVVAL_STEP.propose,
          proposalSignBytes(chainId, signed.proposal),
          signed.proposal.signature,
          signed.proposal.timestamp,
        ];
  if (checkHrs(pv.last, height, round, stepNo).kind === "refuse") return pv;
  return { ...pv, last: { height, round, step: stepNo, signBytes: bytes, signature, timestamp } };
}
