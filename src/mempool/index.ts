export { DEFAULT_MEMPOOL_OPTIONS, Mempool, testMempoolOptions } from "./mempool.ts";
export type { AddResult, CheckFn, CheckOutcome, MempoolOptions, Refusal, UpdateResult } from "./mempool.ts";
export { MempoolError } from "./errors.ts";
export type { MempoolErrorCode } from "./errors.ts";
