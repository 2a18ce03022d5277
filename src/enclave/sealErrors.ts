import { CodedError } from "../primitives/errors.ts";
import type { EnclaveLifecycleErrorCode, SealErrorCode } from "../enclave-api/errors.ts";

/** A sealed-storage failure with one of the stable codes of spec crypto.md §11.2 (and SEAL_* extras). */
export class SealError extends CodedError<SealErrorCode> {
  override readonly name = "SealError";
}

/** A key-lifecycle failure of the enclave (wrong state for the ecall, mismatching inputs). */
export class LifecycleError extends CodedError<EnclaveLifecycleErrorCode> {
  override readonly name = "LifecycleError";
}
