/**
 * The whole first-use pipeline of a stored code (`spec/contract-abi.md` §2.5): the §2.3 checks, then
 * metering, call-stack budget, float traps and the memory maximum, ready for `WebAssembly.Module`.
 */
import type { DecodeOptions } from "./decode.ts";
import { instrument, STACK_SLOT_BUDGET } from "./instrument.ts";
import { analyzeForUse, type ApiVersion } from "./validate.ts";

export interface PreparedModule {
  apiVersion: ApiVersion;
  /** The module exports `requires_random` (v1 `env.block.random` is filled). */
  randomEnabled: boolean;
  /** walrus `has_floats` (a non-instantiate call may still run; float functions trap on entry). */
  hasFloats: boolean;
  /** Functions made to trap on entry, reporting their index + 1 in `float_function_entered`. */
  floatFunctions: number[];
  /** The instrumented module. */
  bytes: Uint8Array;
}

export interface PrepareOptions extends DecodeOptions {
  /** The call is an instantiate (floats are refused instead of trapped). */
  instantiate: boolean;
  /** Call-stack budget in slots (default {@link STACK_SLOT_BUDGET}; this chain's consensus constant). */
  depthLimit?: number;
}

/**
 * Analyses and instruments `code`. Throws WasmError WASM_INVALID, WASM_START_FUNCTION,
 * WASM_MEMORY_INIT or WASM_FLOATS with the enclave's error texts. The result depends only on the
 * bytes and `instantiate` (cacheable under the code hash and that flag; for a module without floats
 * both variants are identical).
 */
export function prepareForUse(code: Uint8Array, options: PrepareOptions): PreparedModule {
  const analysis = analyzeForUse(
    code,
    options.maxBytes === undefined
      ? { instantiate: options.instantiate }
      : { instantiate: options.instantiate, maxBytes: options.maxBytes },
  );
  const bytes = instrument(analysis.module, {
    gas: true,
    depthLimit: options.depthLimit ?? STACK_SLOT_BUDGET,
    floatTraps: analysis.floatFunctions,
  });
  return {
    apiVersion: analysis.apiVersion,
    randomEnabled: analysis.randomEnabled,
    hasFloats: analysis.hasFloats,
    floatFunctions: analysis.floatFunctions,
    bytes,
  };
}
