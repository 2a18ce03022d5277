import { CodedError } from "../primitives/errors.ts";

/** Error codes of the consensus layer; stable once released. */
export type ConsensusErrorCode =
  | "CONSENSUS_INVALID_VALIDATOR_SET"
  | "CONSENSUS_INVARIANT"
  | "PRIVVAL_DOUBLE_SIGN"
  | "PRIVVAL_HEIGHT_REGRESSION"
  | "PRIVVAL_ROUND_REGRESSION"
  | "PRIVVAL_STEP_REGRESSION"
  | "PRIVVAL_WRONG_KEY"
  | "WAL_CORRUPT"
  | "WAL_RECORD_TOO_LARGE"
  | "WAL_DECODE";

export class ConsensusError extends CodedError<ConsensusErrorCode> {
  override readonly name = "ConsensusError";
}
