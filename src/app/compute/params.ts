/**
 * Compute params (upstream `types/params.go`), changed only by governance: `compile_cost` (SDK gas per
 * byte of stored code, a decimal) and `max_contract_size` (bytes of uncompressed code).
 */
import { decodeComputeParams as decodeProto, encodeComputeParams as encodeProto } from "../../codec/compute.ts";
import { Dec } from "../../primitives/amount.ts";

export interface ComputeParams {
  readonly compileCost: Dec;
  readonly maxContractSize: bigint;
}

export const DEFAULT_COMPUTE_PARAMS: ComputeParams = Object.freeze({
  compileCost: Dec.parse("0.8"),
  maxContractSize: 2_097_152n,
});

/** Instance cost: SDK gas charged before every contract call (contract-abi.md §5.1). */
export const INSTANCE_COST = 20_000;
/** Wasm gas per SDK gas. */
export const GAS_MULTIPLIER = 1_000n;
/** Cap on one call's wasm gas limit. */
export const MAX_WASM_GAS = 10_000_000_000n;
/** Nested contract-response depth (contract-abi.md §5.7). */
export const MAX_CALL_DEPTH = 100;
/** Default SDK gas limit of a top-level smart query (node option `wasm.contract-query-gas-limit`). */
export const DEFAULT_QUERY_GAS_LIMIT = 10_000_000;
/** Label length limit in bytes (chain-api.md §3.2). */
export const MAX_LABEL_SIZE = 512;
/** `wasm_byte_code` as submitted. */
export const MAX_WASM_SIZE = 2_097_152;

/** Params as stored (protobuf `Params`, compile cost in the SDK's LegacyDec text form). */
export function encodeComputeParams(p: ComputeParams): Uint8Array {
  return encodeProto({ compileCost: p.compileCost.toString(), maxContractSize: p.maxContractSize });
}

export function decodeComputeParams(bytes: Uint8Array): ComputeParams {
  const p = decodeProto(bytes);
  return { compileCost: Dec.parse(p.compileCost), maxContractSize: p.maxContractSize };
}
