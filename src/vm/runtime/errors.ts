import { CodedError } from "../../primitives/errors.ts";

/**
 * Failures of a contract call made by the VM, with upstream's enclave error texts
 * (`scrtlabs/SecretNetwork: cosmwasm/enclaves/ffi-types/src/types.rs` `EnclaveError`, Display). The
 * message is the exact upstream text (client-visible inside `Execution error: Enclave: <text>`); the
 * code says precisely what failed.
 */
export const VM_ERROR_TEXTS = {
  /** In-VM metering or a host function could not pay (`EnclaveError::OutOfGas`). */
  VM_OUT_OF_GAS: "execution ran out of gas",
  /** `unreachable`, a Rust panic, or integer overflow in division (`ContractPanicUnreachable`). */
  VM_PANIC: "the contract panicked",
  VM_MEMORY_OUT_OF_BOUNDS: "the contract tried to access memory out of bounds",
  VM_DIVIDE_BY_ZERO: "the contract tried to divide by zero",
  VM_INVALID_CONVERSION: "the contract tried to perform an invalid conversion to an integer",
  /** The injected call-depth limit (or, as a node fault, the engine's own stack) was exceeded. */
  VM_STACK_OVERFLOW: "the contract has run out of space on the stack",
  /** `call_indirect` through an index outside the table. */
  VM_TABLE_OUT_OF_BOUNDS: "the contract tried to access a nonexistent resource",
  /** `call_indirect` with a null entry or a different signature (V8 does not tell them apart). */
  VM_INDIRECT_SIGNATURE: "the contract tried to call a function but expected an incorrect function signature",
  /** A Region the contract passed (or returned) breaks the reading/writing rules of the Region ABI. */
  VM_MEMORY_READ: "failed to read memory",
  /** The contract's `allocate` is missing, has another signature, or trapped. */
  VM_MEMORY_ALLOCATION: "failed to allocate memory",
  /** The contract's result is not one of the accepted envelopes. */
  VM_DESERIALIZE: "failed to deserialize data",
  /** A missing or mistyped entry point, an import declared with another signature, `db_scan`/`db_next`. */
  VM_FAILED_CALL: "calling a function in the contract failed for an unexpected reason",
  /** `db_write` or `db_remove` during a query. */
  VM_UNAUTHORIZED_WRITE: "contract tried to write to storage during a query",
  /** Full validation failed, no version marker, or the engine refused the module. */
  VM_INVALID_WASM: "tried to load invalid wasm code",
  /** The module has a start function. */
  VM_WASM_START: "WasmModuleWithStart",
  /** More than one memory or more than 192 initial pages. */
  VM_MEMORY_INIT: "failed to initialize wasm memory",
  /** Float instructions in a module being instantiated. */
  VM_FLOATS: "found floating point operation in module code",
  /** Upstream's catch-all (e.g. the bech32 5→8 bit conversion failing inside `canonicalize_address`). */
  VM_UNKNOWN: "unknown error",
  /** The contract's result parsed, but not as a response this kind of call can use. */
  VM_RESPONSE_TYPE: "cannot detect response type",
  /** A host interface (storage, querier) threw something that is not an Error. */
  VM_HOST_FAULT: "host interface failure",
} as const;

export type VmErrorCode = keyof typeof VM_ERROR_TEXTS;

export class VmError extends CodedError<VmErrorCode> {
  override readonly name = "VmError";

  constructor(code: VmErrorCode, details?: Readonly<Record<string, unknown>>) {
    super(code, VM_ERROR_TEXTS[code], details);
  }
}

/** True when `err` is a VmError, optionally with the given code. */
export function isVmError(err: unknown, code?: VmErrorCode): err is VmError {
  return err instanceof VmError && (code === undefined || err.code === code);
}

/** Store-time failures of `storeCheck` before the static checks (§2.1 steps 2–3). */
export type VmStoreErrorCode =
  /** The gzip member could not be read (upstream: `<go error>: create contract failed`, code 15). */
  | "VM_STORE_GZIP"
  /** The uncompressed code exceeds `max_contract_size` (upstream: `max contract size exceeded`, code 31). */
  | "VM_STORE_TOO_LARGE";

export class VmStoreError extends CodedError<VmStoreErrorCode> {
  override readonly name = "VmStoreError";
}
