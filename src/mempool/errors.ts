import { CodedError } from "../primitives/errors.ts";

/** Why the mempool refused a tx before or instead of its check (CometBFT's mempool errors). */
export type MempoolErrorCode =
  /** `tx already exists in cache` */
  | "MEMPOOL_DUPLICATE"
  /** `mempool is full: …` (count or bytes bound) */
  | "MEMPOOL_FULL"
  /** `tx too large. Max size is …` */
  | "MEMPOOL_TX_TOO_LARGE"
  /** the tx is empty */
  | "MEMPOOL_TX_EMPTY"
  | "MEMPOOL_INVALID_OPTIONS";

export class MempoolError extends CodedError<MempoolErrorCode> {
  override readonly name = "MempoolError";
}
