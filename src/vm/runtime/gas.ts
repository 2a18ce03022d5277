/**
 * Host-side gas (`spec/contract-abi.md` §4.1, §5): the costs host functions charge, charging against
 * the instance's `gas_limit` global exactly like upstream's `use_gas`, and the reported-gas formula of
 * §5.5. All amounts are wasm gas as u64 (bigint).
 */
import { VmError } from "./errors.ts";
import type { WasmGlobal } from "./wasmApi.ts";

/** `WasmCosts` defaults and the other host costs (`.../contract-engine/src/gas.rs`, `kv_cache.rs`). */
export const HOST_COSTS = {
  dbReadBase: 1_000n,
  dbWriteBase: 2_000n,
  /** Pseudo gas per byte of a written value (refunded after a successful handle call, §5.4). */
  dbWritePerByte: 5_000n,
  canonicalizeAddress: 8_192n,
  humanizeAddress: 8_192n,
  addrValidate: 8_192n,
  secp256k1Verify: 98_304n,
  secp256k1RecoverPubkey: 98_304n,
  ed25519Verify: 73_728n,
  ed25519BatchVerifyBase: 5_000n,
  ed25519BatchVerifyEach: 70_000n,
  secp256k1Sign: 100_000n,
  ed25519Sign: 75_000n,
  dcapQuoteVerify: 100_000n,
  checkGas: 8_192n,
  minimumGasEvaporate: 8_000n,
} as const;

/** Wasm gas per SDK gas (`x/compute/internal/types/gas.go` GasMultiplier). */
export const GAS_MULTIPLIER = 1_000n;
/** Cap on one call's wasm gas limit (MaxGas). */
export const MAX_WASM_GAS = 10_000_000_000n;

const U64 = (1n << 64n) - 1n;

export function u64(v: bigint): bigint {
  return BigInt.asUintN(64, v);
}

export function satSub(a: bigint, b: bigint): bigint {
  return a > b ? a - b : 0n;
}

export function satAdd(a: bigint, b: bigint): bigint {
  const s = a + b;
  return s > U64 ? U64 : s;
}

/** The two metering globals the instrumenter exports. */
export interface GasGlobals {
  readonly remaining: WasmGlobal;
  readonly exhausted: WasmGlobal;
}

export function readRemaining(g: GasGlobals): bigint {
  return u64(g.remaining.value as bigint);
}

export function readExhausted(g: GasGlobals): bigint {
  return u64(g.exhausted.value as bigint);
}

/**
 * `use_gas`: if the remaining gas is below `amount`, store `amount` in `gas_limit_exhausted` and fail
 * with out of gas (the instance traps); otherwise subtract it.
 */
export function useGas(g: GasGlobals, amount: bigint): void {
  const remaining = readRemaining(g);
  if (remaining < amount) {
    g.exhausted.value = BigInt.asIntN(64, amount);
    throw new VmError("VM_OUT_OF_GAS", { charge: amount, remaining });
  }
  g.remaining.value = BigInt.asIntN(64, remaining - amount);
}

/** Gas accounting of one call (§5.5). */
export interface GasReport {
  /** The call's wasm gas limit. */
  readonly limit: bigint;
  /** The final `gas_limit` global (the limit if the module never ran). */
  readonly remaining: bigint;
  /** The final `gas_limit_exhausted` global (the charge that did not fit, else 0). */
  readonly exhausted: bigint;
  /** Store gas (× the call's multiplier) and query gas reported by the enclave during the call. */
  readonly external: bigint;
  /** Write pseudo gas charged during the call (5,000 per value byte). */
  readonly pseudoCharged: bigint;
  /** The part of it refunded: all of it after a successful handle call, else 0. */
  readonly pseudoRefund: bigint;
  /** `sat(sat(limit − remaining) − external) + exhausted`, then minus the refund (saturating). */
  readonly reported: bigint;
  /** SDK gas the chain charges after the call: `floor(reported / 1000) + 1`. */
  readonly sdkCharge: bigint;
}

export function gasReport(r: {
  limit: bigint;
  remaining: bigint;
  exhausted: bigint;
  external: bigint;
  pseudoCharged: bigint;
  refund: boolean;
}): GasReport {
  let reported = satAdd(satSub(satSub(r.limit, r.remaining), r.external), r.exhausted);
  const pseudoRefund = r.refund ? r.pseudoCharged : 0n;
  reported = satSub(reported, pseudoRefund);
  return {
    limit: r.limit,
    remaining: r.remaining,
    exhausted: r.exhausted,
    external: r.external,
    pseudoCharged: r.pseudoCharged,
    pseudoRefund,
    reported,
    sdkCharge: reported / GAS_MULTIPLIER + 1n,
  };
}
