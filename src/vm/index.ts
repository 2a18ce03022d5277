/**
 * The CosmWasm executor's public API. The enclave creates one VM, checks codes at store time with
 * `storeCheck`, and runs calls with `call`, providing plaintext storage, a chain querier and the
 * call's env; the VM knows nothing of keys. See `src/vm/README.md`.
 */
import { STACK_SLOT_BUDGET, type ApiVersion } from "./wasm/index.ts";
import { ModuleCache, runCall, type CallRequest, type CallResult } from "./runtime/engine.ts";
import { storeCheck, type StoreCheckOutcome, type StoreOptions } from "./runtime/store.ts";
import { toHex } from "../primitives/hex.ts";

export interface VmOptions {
  /** Compiled modules kept (least recently used evicted first; default 100). Never changes outcomes. */
  readonly cacheSize?: number;
  /** Call-stack budget in slots (default 7,680; a consensus constant of the chain). */
  readonly depthLimit?: number;
  /** Store checks as on a `debug-print` node build (v0.10 `env.debug_print` allowed). */
  readonly debugPrint?: boolean;
}

export interface CodeInfo {
  readonly apiVersion: ApiVersion;
  /** The code exports `requires_random`. */
  readonly randomEnabled: boolean;
  readonly hasFloats: boolean;
}

export interface Vm {
  /** §2.1–2.2: gunzip, size limit, static checks, code hash. Throws VmStoreError or WasmError. */
  storeCheck(submitted: Uint8Array, options?: StoreOptions): StoreCheckOutcome;
  /** The first-use analysis of a stored code (cached). Throws the VmError of the first-use checks. */
  inspect(code: Uint8Array, codeHash: Uint8Array | string): CodeInfo;
  /** Runs one contract call. */
  call(request: CallRequest): CallResult;
  readonly cache: { readonly size: number; readonly hits: number; readonly misses: number };
}

export function createVm(options: VmOptions = {}): Vm {
  const cache = new ModuleCache(options.cacheSize ?? 100, options.depthLimit ?? STACK_SLOT_BUDGET);
  return {
    storeCheck: (submitted, storeOptions) =>
      storeCheck(submitted, {
        ...(options.debugPrint === undefined ? {} : { debugPrint: options.debugPrint }),
        ...storeOptions,
      }),
    inspect: (code, codeHash) => {
      const p = cache.get(code, typeof codeHash === "string" ? codeHash.toLowerCase() : toHex(codeHash));
      return { apiVersion: p.apiVersion, randomEnabled: p.randomEnabled, hasFloats: p.hasFloats };
    },
    call: (request) => runCall(cache, request),
    get cache() {
      return { size: cache.size, hits: cache.hits, misses: cache.misses };
    },
  };
}

export type { CallEnv, CallRequest, CallResult, EntryPoint, IbcEntryPoint } from "./runtime/engine.ts";
export { defaultStoreGasMultiplier, ENTRY_POINTS, isHandleEntry } from "./runtime/engine.ts";
export type { ContractQuerier, ContractStorage, DebugSink, QueryChainResult } from "./runtime/host.ts";
export { isVmError, VM_ERROR_TEXTS, VmError, VmStoreError } from "./runtime/errors.ts";
export type { VmErrorCode, VmStoreErrorCode } from "./runtime/errors.ts";
export type { GasReport } from "./runtime/gas.ts";
export { GAS_MULTIPLIER, HOST_COSTS, MAX_WASM_GAS } from "./runtime/gas.ts";
export { envV010Json, envV1Json, infoV1Json, queryEnvV1Json, QUERY_RANDOM } from "./runtime/env.ts";
export type { BlockInfo, EnvCoin, EnvV010Input, EnvV1Input, InfoV1Input, TransactionInfo } from "./runtime/env.ts";
export { contractOutputFromContent, parseContractOutput } from "./runtime/results.ts";
export type {
  Attribute,
  CallbackSig,
  Coin,
  ContractEvent,
  ContractOutput,
  CosmosMsgV010,
  CosmosMsgV1,
  IbcTimeout,
  ReplyOn,
  SubMsg,
  VoteOptionV010,
  VoteOptionV1,
} from "./runtime/results.ts";
export { contentToValueJson, parseContent } from "./runtime/serdeJson.ts";
export type { Content } from "./runtime/serdeJson.ts";
export { parseQueryRequest } from "./runtime/queryRequest.ts";
export { MAX_WASM_SIZE, uncompressCode } from "./runtime/store.ts";
export type { StoreCheckOutcome, StoreOptions } from "./runtime/store.ts";
export type { ApiVersion } from "./wasm/index.ts";
