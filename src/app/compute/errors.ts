/** Codespace `compute` (upstream `x/compute/internal/types/errors.go`, chain-api.md §6.2). */
import { AppError, ErrorDef } from "../errors.ts";

const compute = (code: number, description: string): ErrorDef => new ErrorDef("compute", code, description);

export const ComputeErrors = {
  InstantiateFailed: compute(2, "instantiate contract failed"),
  ExecuteFailed: compute(3, "execute contract failed"),
  QueryFailed: compute(4, "query contract failed"),
  MigrationFailed: compute(5, "migrate contract failed"),
  AccountExists: compute(6, "contract account already exists"),
  GasLimit: compute(7, "insufficient gas"),
  InvalidGenesis: compute(8, "invalid genesis"),
  NotFound: compute(9, "not found"),
  InvalidMsg: compute(10, "invalid CosmosMsg from the contract"),
  Empty: compute(11, "empty"),
  LimitExceeded: compute(12, "exceeds limit"),
  Invalid: compute(13, "invalid"),
  Duplicate: compute(14, "duplicate"),
  CreateFailed: compute(15, "create contract failed"),
  SigFailed: compute(16, "parse signature failed"),
  Unsupported: compute(17, "unsupported for this contract"),
  UnknownMsg: compute(18, "unknown message from the contract"),
  ReplyFailed: compute(19, "reply to contract failed"),
  InvalidEvent: compute(21, "invalid event"),
  MaxCallDepth: compute(30, "max call depth exceeded"),
  MaxContractSize: compute(31, "max contract size exceeded"),
} as const;

/**
 * Secret's own root-codespace error (chain-api.md §6.1, sdk 40404): a message or sub-message after a
 * contract's `finalize_tx` marker in the same tx.
 */
export const LastTxMarkerError = new ErrorDef("sdk", 40404, "Cannot send messages after last tx marker was set");

/** What a failed contract call leaves for a reply to its caller (contract-abi.md §8.3). */
export interface FailedCallReply {
  readonly internalMsgId: Uint8Array;
  readonly internalReplyEnclaveSig: Uint8Array;
}

/**
 * A contract call that failed inside the enclave: the codes and text as upstream, plus what a caller
 * waiting for a reply needs — the encrypted error (`encrypted`, base64; absent for system errors) and
 * the callee's reply routing.
 */
export class ContractCallError extends AppError {
  constructor(
    inner: AppError,
    readonly encrypted: string | undefined,
    readonly reply: FailedCallReply | undefined,
  ) {
    super(inner.codespace, inner.abciCode, inner.message);
  }
}
