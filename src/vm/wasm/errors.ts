import { CodedError } from "../../primitives/errors.ts";

/**
 * Error codes of the wasm layer. Store-time codes (§2.2 of `spec/contract-abi.md`) carry upstream's
 * refusal text as the message (without the outer `Error during static Wasm validation: ` prefix, see
 * {@link STATIC_VALIDATION_PREFIX}); first-use codes (§2.3) carry the enclave's error text.
 */
export type WasmErrorCode =
  /** §2.2 rule 1: the bytes are not MVP + sign-extension wasm as parity-wasm 0.45 decodes it. */
  | "WASM_DECODE"
  /** §2.2 rule 2. */
  | "WASM_NO_MEMORY_SECTION"
  /** §2.2 rule 3. */
  | "WASM_MEMORY_COUNT"
  /** §2.2 rule 4 (initial pages > 512). */
  | "WASM_MEMORY_TOO_LARGE"
  /** §2.2 rule 5. */
  | "WASM_MEMORY_MAX_SET"
  /** §2.2 rule 6. */
  | "WASM_UNSUPPORTED_FEATURES"
  /** §2.2 rule 7. */
  | "WASM_NOT_COSMWASM"
  /** §2.3: full validation failed, or no API marker export. */
  | "WASM_INVALID"
  /** §2.3: the module has a start function. */
  | "WASM_START_FUNCTION"
  /** §2.3: more than one memory, or more than 192 initial pages. */
  | "WASM_MEMORY_INIT"
  /** §2.3/§2.4: floats in a module being instantiated. */
  | "WASM_FLOATS"
  /** The input exceeds this decoder's hard size cap (an anti-abuse limit above every chain limit). */
  | "WASM_TOO_LARGE"
  /** `instrument()` was given options or a module it cannot work with (a caller bug, not a contract fault). */
  | "WASM_INSTRUMENT";

export class WasmError extends CodedError<WasmErrorCode> {
  override readonly name = "WasmError";
}

/** Upstream wraps every §2.2 message as `Error during static Wasm validation: <message>` (VmError Display). */
export const STATIC_VALIDATION_PREFIX = "Error during static Wasm validation: ";

/** Enclave error texts of §2.3 (`EnclaveError` Display). */
export const USE_ERROR_TEXTS = {
  WASM_INVALID: "tried to load invalid wasm code",
  WASM_START_FUNCTION: "WasmModuleWithStart",
  WASM_MEMORY_INIT: "failed to initialize wasm memory",
  WASM_FLOATS: "found floating point operation in module code",
} as const;
