/**
 * Running one contract call (`spec/contract-abi.md` §1.2, §3, §5, §7, §11): the compiled-module cache,
 * a fresh instance per call, entry-point inputs written through the contract's metered `allocate` in
 * upstream's order, trap → error mapping, the gas report, and the result parsed into typed values.
 */
import { sha256 } from "../../crypto/hash.ts";
import { toHex } from "../../primitives/hex.ts";
import {
  analyzeForUse,
  EXPORT_FLOAT_TRAP,
  EXPORT_GAS_LIMIT,
  EXPORT_GAS_LIMIT_EXHAUSTED,
  EXPORT_STACK_EXHAUSTED,
  functionTypes,
  instrument,
  KIND_FUNC,
  KIND_MEMORY,
  STACK_SLOT_BUDGET,
  WasmError,
  type ApiVersion,
  type FuncType,
  type UseAnalysis,
  type WasmModule,
} from "../wasm/index.ts";
import {
  envV010Json,
  envV1Json,
  infoV1Json,
  queryEnvV1Json,
  type BlockInfo,
  type EnvCoin,
  type TransactionInfo,
} from "./env.ts";
import { VmError, type VmErrorCode } from "./errors.ts";
import { gasReport, readExhausted, readRemaining, type GasGlobals, type GasReport } from "./gas.ts";
import type { ContractQuerier, ContractStorage, DebugSink } from "./host.ts";
import {
  allocateAndWrite,
  hostFunctions,
  IMPORT_SIGNATURES,
  isContractFailure,
  unknownImport,
  type CallState,
} from "./imports.ts";
import { readRegion } from "./region.ts";
import {
  isGlobal,
  isMemory,
  WA,
  type WasmExports,
  type WasmGlobal,
  type WasmImports,
  type WasmInstance,
  type WasmModuleObject,
} from "./wasmApi.ts";
import { parseContractOutput, type ContractOutput } from "./results.ts";

export type IbcEntryPoint =
  | "ibc_channel_open"
  | "ibc_channel_connect"
  | "ibc_channel_close"
  | "ibc_packet_receive"
  | "ibc_packet_ack"
  | "ibc_packet_timeout";

/** What the chain asks a contract to do. Handle calls are everything but instantiate, query and migrate. */
export type EntryPoint = "instantiate" | "execute" | "query" | "migrate" | "reply" | "sudo" | IbcEntryPoint;

export const ENTRY_POINTS: readonly EntryPoint[] = [
  "instantiate",
  "execute",
  "query",
  "migrate",
  "reply",
  "sudo",
  "ibc_channel_open",
  "ibc_channel_connect",
  "ibc_channel_close",
  "ibc_packet_receive",
  "ibc_packet_ack",
  "ibc_packet_timeout",
];

/** Upstream's `HandleType`s: the write pseudo gas is refunded after a successful one (§5.4). */
export function isHandleEntry(entry: EntryPoint): boolean {
  return entry !== "instantiate" && entry !== "query" && entry !== "migrate";
}

/**
 * The factor applied to store gas the enclave reports (§5.5): upstream passes a ×1000 view of the SDK
 * meter for execute (including IBC-hooks calls), query and migrate, and the raw meter for
 * instantiate, reply and IBC entry points (`keeper.go`, `relay.go`).
 */
export function defaultStoreGasMultiplier(entry: EntryPoint): bigint {
  return entry === "execute" || entry === "query" || entry === "migrate" || entry === "sudo" ? 1000n : 1n;
}

/** The block and message context of a call; the VM renders it as the version's env/info JSON (§6). */
export interface CallEnv {
  readonly block: BlockInfo;
  readonly contractAddress: string;
  /** The message sender ("" for IBC and IBC-hooks calls); v1 `info.sender`, v0.10 `message.sender`. */
  readonly sender?: string;
  /** Funds sent with the message (v0.10 migrate always gets `[]`). */
  readonly funds?: readonly EnvCoin[];
  /** This call's `env.block.random` (32 bytes), used only by v1 contracts exporting `requires_random`. */
  readonly random?: Uint8Array | null;
  /** The delivering tx, or null in queries and simulations. */
  readonly transaction?: TransactionInfo | null;
}

export interface CallRequest {
  /** The stored (uncompressed) code. */
  readonly code: Uint8Array;
  /** sha256 of `code` (bytes or lowercase hex); the module cache key. */
  readonly codeHash: Uint8Array | string;
  readonly entry: EntryPoint;
  readonly env: CallEnv;
  /** The plaintext message (code-hash prefix and reply headers already removed). */
  readonly msg: Uint8Array;
  /** The call's wasm gas limit (`min((meter limit − consumed) × 1000, 10¹⁰)`). */
  readonly gasLimitWasm: bigint;
  readonly storage: ContractStorage;
  readonly querier: ContractQuerier;
  /** 1 for a top-level call; a nested query runs at its caller's depth + 1. */
  readonly queryDepth: number;
  readonly debug?: DebugSink;
  /** Overrides {@link defaultStoreGasMultiplier}. */
  readonly storeGasMultiplier?: bigint;
}

export type CallResult =
  | {
      readonly ok: true;
      readonly output: ContractOutput;
      /** The bytes the entry point returned. */
      readonly rawOutput: Uint8Array;
      readonly apiVersion: ApiVersion;
      readonly gasReport: GasReport;
    }
  | {
      readonly ok: false;
      /** A VmError, or the error a host interface (storage, querier) threw. */
      readonly error: Error;
      readonly apiVersion: ApiVersion | undefined;
      readonly gasReport: GasReport;
    };

/** A code analysed, instrumented and compiled. */
export interface PreparedCode {
  readonly apiVersion: ApiVersion;
  readonly randomEnabled: boolean;
  readonly hasFloats: boolean;
  readonly module: WasmModuleObject;
  readonly memoryExport: string | undefined;
  /** Function exports and their types. */
  readonly exportTypes: ReadonlyMap<string, FuncType>;
  /** The function imports, in order. */
  readonly functionImports: readonly { readonly module: string; readonly name: string }[];
  /** The first `env` import declared with a signature other than the host's, if any (every call fails). */
  readonly importMismatch: string | undefined;
  /** The module imports something other than functions (refused at store; cannot link). */
  readonly nonFunctionImport: boolean;
}

type CacheEntry =
  { readonly ok: true; readonly prepared: PreparedCode } | { readonly ok: false; readonly code: VmErrorCode };

const WASM_TO_VM: Record<string, VmErrorCode> = {
  WASM_INVALID: "VM_INVALID_WASM",
  WASM_START_FUNCTION: "VM_WASM_START",
  WASM_MEMORY_INIT: "VM_MEMORY_INIT",
  WASM_FLOATS: "VM_FLOATS",
  WASM_TOO_LARGE: "VM_INVALID_WASM",
  WASM_DECODE: "VM_INVALID_WASM",
};

function sameSignature(t: FuncType | undefined, params: readonly number[], results: readonly number[]): boolean {
  return (
    t !== undefined &&
    t.params.length === params.length &&
    t.results.length === results.length &&
    t.params.every((p, i) => p === params[i]) &&
    t.results.every((r, i) => r === results[i])
  );
}

/** The memory export the runtime reads: the contract's own, or one added under an unused name. */
function withMemoryExport(module: WasmModule): { module: WasmModule; name: string | undefined } {
  const own = module.exports.find((e) => e.kind === KIND_MEMORY);
  if (own !== undefined) return { module, name: own.name };
  if (module.memories.length !== 1) return { module, name: undefined };
  const names = new Set(module.exports.map((e) => e.name));
  let name = "__vm_memory";
  while (names.has(name)) name += "_";
  return { module: { ...module, exports: [...module.exports, { name, kind: KIND_MEMORY, index: 0 }] }, name };
}

function compile(analysis: UseAnalysis, depthLimit: number): PreparedCode {
  const { module: withMem, name: memoryExport } = withMemoryExport(analysis.module);
  const bytes = instrument(withMem, { gas: true, depthLimit, floatTraps: analysis.floatFunctions });
  const module = new WA.Module(bytes);
  const types = functionTypes(analysis.module);
  const exportTypes = new Map<string, FuncType>();
  for (const e of analysis.module.exports) {
    const t = types[e.index];
    if (e.kind === KIND_FUNC && t !== undefined && !exportTypes.has(e.name)) exportTypes.set(e.name, t);
  }
  const functionImports: { module: string; name: string }[] = [];
  let importMismatch: string | undefined;
  let nonFunctionImport = false;
  for (const imp of analysis.module.imports) {
    if (imp.desc.kind !== KIND_FUNC) {
      nonFunctionImport = true;
      continue;
    }
    functionImports.push({ module: imp.module, name: imp.name });
    const expected = imp.module === "env" ? IMPORT_SIGNATURES[imp.name] : undefined;
    if (expected !== undefined && importMismatch === undefined) {
      if (!sameSignature(analysis.module.types[imp.desc.typeIndex], expected.params, expected.results)) {
        importMismatch = imp.name;
      }
    }
  }
  return {
    apiVersion: analysis.apiVersion,
    randomEnabled: analysis.randomEnabled,
    hasFloats: analysis.hasFloats,
    module,
    memoryExport,
    exportTypes,
    functionImports,
    importMismatch,
    nonFunctionImport,
  };
}

/**
 * Compiled modules by code hash, least recently used evicted first. An entry holds the result of the
 * analysis with `instantiate: false` (for a module without floats both variants are identical; a module
 * with floats is refused on every instantiate, cached or not), so a cache hit never changes an outcome.
 */
export class ModuleCache {
  private readonly entries = new Map<string, CacheEntry>();
  hits = 0;
  misses = 0;

  constructor(
    readonly capacity: number,
    private readonly depthLimit: number = STACK_SLOT_BUDGET,
  ) {
    if (!Number.isSafeInteger(capacity) || capacity < 0)
      throw new RangeError("cache capacity must be a non-negative integer");
  }

  get size(): number {
    return this.entries.size;
  }

  /** The prepared code, or throws the VmError of the first-use checks. */
  get(code: Uint8Array, codeHash: string): PreparedCode {
    let entry = this.entries.get(codeHash);
    if (entry !== undefined) {
      this.hits++;
      this.entries.delete(codeHash);
      this.entries.set(codeHash, entry);
    } else {
      this.misses++;
      if (toHex(sha256(code)) !== codeHash) {
        throw new TypeError(`codeHash ${codeHash} is not the sha256 of the code`);
      }
      entry = this.build(code);
      if (this.capacity > 0) {
        this.entries.set(codeHash, entry);
        while (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
      }
    }
    if (!entry.ok) throw new VmError(entry.code);
    return entry.prepared;
  }

  private build(code: Uint8Array): CacheEntry {
    let analysis: UseAnalysis;
    try {
      analysis = analyzeForUse(code, { instantiate: false });
    } catch (err) {
      if (err instanceof WasmError && WASM_TO_VM[err.code] !== undefined)
        return { ok: false, code: WASM_TO_VM[err.code]! };
      throw err;
    }
    try {
      return { ok: true, prepared: compile(analysis, this.depthLimit) };
    } catch (err) {
      if (err instanceof WasmError && err.code === "WASM_MEMORY_INIT") return { ok: false, code: "VM_MEMORY_INIT" };
      // The engine refusing the instrumented module (e.g. an implementation limit) is deterministic
      // for a given engine version: the code is unusable.
      if (err instanceof WA.CompileError) return { ok: false, code: "VM_INVALID_WASM" };
      throw err;
    }
  }
}

function globalOf(exports: WasmExports, name: string): WasmGlobal | undefined {
  const g = exports[name];
  return isGlobal(g) ? g : undefined;
}

/** Maps a failure inside contract code to upstream's error (§11.11). Host faults are returned as they are. */
function classify(err: unknown, exports: WasmExports | undefined): Error {
  if (err instanceof VmError) return err;
  const flag = (name: string): bigint | number => {
    const g = exports === undefined ? undefined : globalOf(exports, name);
    return g === undefined ? 0 : (g.value as bigint | number);
  };
  if (isContractFailure(err)) {
    if (flag(EXPORT_FLOAT_TRAP) !== 0) return new VmError("VM_INVALID_WASM", { reason: "float function entered" });
    if (flag(EXPORT_STACK_EXHAUSTED) !== 0) return new VmError("VM_STACK_OVERFLOW");
  }
  if (err instanceof WA.RuntimeError) {
    const m = err.message;
    if (/unreachable/.test(m)) {
      return flag(EXPORT_GAS_LIMIT_EXHAUSTED) !== 0n ? new VmError("VM_OUT_OF_GAS") : new VmError("VM_PANIC");
    }
    if (/memory access out of bounds/.test(m)) return new VmError("VM_MEMORY_OUT_OF_BOUNDS");
    if (/divide by zero|remainder by zero/.test(m)) return new VmError("VM_DIVIDE_BY_ZERO");
    if (/unrepresentable in integer range|invalid conversion/.test(m)) return new VmError("VM_INVALID_CONVERSION");
    if (/divide result unrepresentable|integer overflow/.test(m)) return new VmError("VM_PANIC");
    if (/table index is out of bounds|element segment/.test(m)) return new VmError("VM_TABLE_OUT_OF_BOUNDS");
    if (/signature mismatch|null function/.test(m)) return new VmError("VM_INDIRECT_SIGNATURE");
    return new VmError("VM_FAILED_CALL", { trap: m });
  }
  if (err instanceof RangeError && /call stack/i.test(err.message)) return new VmError("VM_STACK_OVERFLOW");
  if (err instanceof Error) return err;
  return new VmError("VM_HOST_FAULT", { thrown: String(err) });
}

const encoder = new TextEncoder();

/** Which result shapes each kind of call can use (§7.1); others are `cannot detect response type`. */
function usableOutput(entry: EntryPoint, output: ContractOutput): boolean {
  switch (output.kind) {
    case "error":
      return true;
    case "query":
      return entry === "query";
    case "v010":
      return entry === "instantiate" || entry === "execute" || entry === "migrate" || entry === "sudo";
    case "v1":
      return entry !== "query" && entry !== "ibc_channel_open" && entry !== "ibc_packet_receive";
    case "ibcPacketReceive":
      return entry === "ibc_packet_receive";
    case "ibcChannelOpen":
      return entry === "ibc_channel_open";
  }
}

function hashHex(codeHash: Uint8Array | string): string {
  return typeof codeHash === "string" ? codeHash.toLowerCase() : toHex(codeHash);
}

/** Runs one call. Never throws for contract failures; throws only for host faults and caller bugs. */
export function runCall(cache: ModuleCache, req: CallRequest): CallResult {
  const codeHash = hashHex(req.codeHash);
  const limit = req.gasLimitWasm;
  const isQuery = req.entry === "query";
  const state: CallState = {
    limit,
    isQuery,
    queryDepth: req.queryDepth,
    storeGasMultiplier: req.storeGasMultiplier ?? defaultStoreGasMultiplier(req.entry),
    storage: req.storage,
    querier: req.querier,
    debug: req.debug,
    memory: undefined,
    gas: undefined,
    allocate: undefined,
    external: 0n,
    pseudoCharged: 0n,
  };
  let apiVersion: ApiVersion | undefined;
  let exports: WasmExports | undefined = undefined;
  const report = (refund: boolean): GasReport => {
    const gas = state.gas;
    return gasReport({
      limit,
      remaining: gas === undefined ? limit : readRemaining(gas),
      exhausted: gas === undefined ? 0n : readExhausted(gas),
      external: state.external,
      pseudoCharged: state.pseudoCharged,
      refund,
    });
  };
  const fail = (err: unknown): CallResult => ({
    ok: false,
    error: classify(err, exports),
    apiVersion,
    gasReport: report(false),
  });

  let prepared: PreparedCode;
  try {
    prepared = cache.get(req.code, codeHash);
    apiVersion = prepared.apiVersion;
    if (req.entry === "instantiate" && prepared.hasFloats) throw new VmError("VM_FLOATS");
    if (prepared.nonFunctionImport) throw new VmError("VM_INVALID_WASM", { reason: "non-function import" });
    if (prepared.importMismatch !== undefined) {
      throw new VmError("VM_FAILED_CALL", { reason: `import env.${prepared.importMismatch} has another signature` });
    }
  } catch (err) {
    if (err instanceof VmError) return { ok: false, error: err, apiVersion, gasReport: report(false) };
    throw err;
  }

  const host = hostFunctions(state);
  const imports: Record<string, Record<string, unknown>> = {};
  for (const imp of prepared.functionImports) {
    const known = imp.module === "env" ? host[imp.name] : undefined;
    (imports[imp.module] ??= {})[imp.name] = known ?? unknownImport(imp.module, imp.name);
  }
  let instance: WasmInstance;
  try {
    instance = new WA.Instance(prepared.module, imports as WasmImports);
  } catch (err) {
    if (err instanceof WA.LinkError || err instanceof WA.RuntimeError) {
      return {
        ok: false,
        error: new VmError("VM_INVALID_WASM", { reason: err.message }),
        apiVersion,
        gasReport: report(false),
      };
    }
    throw err;
  }
  exports = instance.exports;
  const remainingGlobal = globalOf(exports, EXPORT_GAS_LIMIT)!;
  const exhaustedGlobal = globalOf(exports, EXPORT_GAS_LIMIT_EXHAUSTED)!;
  const gas: GasGlobals = { remaining: remainingGlobal, exhausted: exhaustedGlobal };
  remainingGlobal.value = BigInt.asIntN(64, limit);
  state.gas = gas;
  const memory = prepared.memoryExport === undefined ? undefined : exports[prepared.memoryExport];
  if (!isMemory(memory)) {
    return fail(new VmError("VM_MEMORY_INIT", { reason: "no memory" }));
  }
  state.memory = memory;
  const allocate = exports["allocate"];
  if (typeof allocate === "function" && sameSignature(prepared.exportTypes.get("allocate"), [0x7f], [0x7f])) {
    state.allocate = allocate as (size: number) => number;
  }

  const version = prepared.apiVersion;
  let rawOutput: Uint8Array;
  try {
    const inputs = entryInputs(req, version, prepared, codeHash);
    const pointers = new Map<string, number>();
    for (const [name, bytes] of inputs.writeOrder) pointers.set(name, allocateAndWrite(state, bytes));
    const fn = exports[inputs.exportName];
    const params = inputs.argOrder.map(() => 0x7f);
    if (typeof fn !== "function" || !sameSignature(prepared.exportTypes.get(inputs.exportName), params, [0x7f])) {
      throw new VmError("VM_FAILED_CALL", { reason: `no ${inputs.exportName} export with the expected signature` });
    }
    const result = (fn as (...args: number[]) => number)(...inputs.argOrder.map((n) => pointers.get(n)!));
    rawOutput = readRegion(memory, result);
  } catch (err) {
    return fail(err);
  }

  const refund = isHandleEntry(req.entry);
  const output = parseContractOutput(rawOutput);
  if (output === undefined) {
    return { ok: false, error: new VmError("VM_DESERIALIZE"), apiVersion, gasReport: report(refund) };
  }
  if (!usableOutput(req.entry, output)) {
    return {
      ok: false,
      error: new VmError("VM_RESPONSE_TYPE", { entry: req.entry, shape: output.kind }),
      apiVersion,
      gasReport: report(refund),
    };
  }
  return { ok: true, output, rawOutput, apiVersion: version, gasReport: report(refund) };
}

interface EntryInputs {
  readonly exportName: string;
  /** Inputs in the order they are written (each via `allocate`). */
  readonly writeOrder: readonly (readonly [string, Uint8Array])[];
  /** The export's arguments. */
  readonly argOrder: readonly string[];
}

function entryInputs(req: CallRequest, version: ApiVersion, prepared: PreparedCode, codeHash: string): EntryInputs {
  const e = req.env;
  const msg = req.msg;
  if (version === "v0.10") {
    const env = (): Uint8Array =>
      encoder.encode(
        envV010Json({
          block: e.block,
          sender: e.sender ?? "",
          sentFunds: req.entry === "migrate" ? [] : (e.funds ?? []),
          contractAddress: e.contractAddress,
          codeHash,
        }),
      );
    switch (req.entry) {
      case "instantiate":
        return {
          exportName: "init",
          writeOrder: [
            ["env", env()],
            ["msg", msg],
          ],
          argOrder: ["env", "msg"],
        };
      case "query":
        return { exportName: "query", writeOrder: [["msg", msg]], argOrder: ["msg"] };
      case "migrate":
        return {
          exportName: "migrate",
          writeOrder: [
            ["env", env()],
            ["msg", msg],
          ],
          argOrder: ["env", "msg"],
        };
      default:
        return {
          exportName: "handle",
          writeOrder: [
            ["msg", msg],
            ["env", env()],
          ],
          argOrder: ["env", "msg"],
        };
    }
  }
  const base = { block: e.block, contractAddress: e.contractAddress, codeHash };
  const env = (): Uint8Array =>
    encoder.encode(
      req.entry === "query"
        ? queryEnvV1Json(base)
        : envV1Json({
            ...base,
            random: prepared.randomEnabled && e.random !== undefined && e.random !== null ? e.random : null,
            transaction: e.transaction ?? null,
          }),
    );
  const info = (): Uint8Array => encoder.encode(infoV1Json({ sender: e.sender ?? "", funds: e.funds ?? [] }));
  switch (req.entry) {
    case "instantiate":
      return {
        exportName: "instantiate",
        writeOrder: [
          ["env", env()],
          ["msg", msg],
          ["info", info()],
        ],
        argOrder: ["env", "info", "msg"],
      };
    case "execute":
      return {
        exportName: "execute",
        writeOrder: [
          ["msg", msg],
          ["env", env()],
          ["info", info()],
        ],
        argOrder: ["env", "info", "msg"],
      };
    case "migrate":
      return {
        exportName: "migrate",
        writeOrder: [
          ["env", env()],
          ["msg", msg],
        ],
        argOrder: ["env", "msg"],
      };
    default:
      return {
        exportName: req.entry,
        writeOrder: [
          ["msg", msg],
          ["env", env()],
        ],
        argOrder: ["env", "msg"],
      };
  }
}
