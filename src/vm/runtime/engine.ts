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
  I32,
  I64,
  INJECTED_EXPORTS,
  instrument,
  KIND_FUNC,
  KIND_GLOBAL,
  KIND_MEMORY,
  MAX_MEMORY_PAGES,
  OP_I32_CONST,
  OP_I64_CONST,
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
  type HostBinding,
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
  type WasmMemory,
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
  /**
   * The contract's one memory, turned into an import so that the runtime can link a recycled, zeroed
   * `WebAssembly.Memory` of the same size into each fresh instance (see {@link InstanceKit}); undefined
   * when the module has no memory of its own.
   */
  readonly memoryImport: { readonly module: string; readonly name: string; readonly pages: number } | undefined;
  /**
   * How to return a used instance to its freshly instantiated state (see {@link InstanceReset}), or
   * undefined when this code's instances are never reused (no recyclable memory, or a global or data
   * segment whose initial value is not a plain integer constant).
   */
  readonly reset: InstanceReset | undefined;
  /** Import objects (and their memories) free for the next call of this code; used as a stack. */
  readonly kits: InstanceKit[];
  /** The cache's count of memories it may still keep in free kits (shared by all its codes). */
  readonly memoryBudget: MemoryBudget;
  /** Set when the cache evicts this code: kits of calls still running are not kept. */
  evicted: boolean;
}

/**
 * How many more memories the free kits of one cache may hold. Every wasm memory reserves a large
 * range of address space (V8: about 10 GiB with its guard regions, out of about 1 TiB per process),
 * so idle memories are few whatever the number of cached codes; beyond the budget a kit is kept
 * without its memory and the next call makes a new one.
 */
export interface MemoryBudget {
  free: number;
}

/**
 * What a fresh instance is linked with: the import object (host functions serving `binding.state`)
 * and, for a code whose memory is imported, the memory. After a call the kit is put back for the next
 * call of the same code when its memory still has its initial size (memory cannot shrink); the memory
 * is zeroed before it is linked again, so every instance starts exactly as with a memory of its own:
 * zero pages, then the data segments written by instantiation. Creating a memory per instance costs V8
 * far more (about 45 µs for a one-page memory on this machine) than zeroing a recycled one. A nested
 * call of the same code (a query into the same contract) takes another kit, so live calls never share.
 */
export interface InstanceKit {
  readonly binding: HostBinding;
  readonly imports: Record<string, Record<string, unknown>>;
  /** The memory (for a code with a memory import); a kit in the free list holds one only if kept. */
  memory: WasmMemory | undefined;
  /**
   * The instance linked with `memory`, kept for the next call when the code has an
   * {@link InstanceReset}: instantiating costs V8 tens of microseconds per call, resetting a few.
   */
  instance: WasmInstance | undefined;
  /** The instance's globals named in the code's {@link InstanceReset}, in its order (resolved once). */
  resetGlobals: readonly (WasmGlobal | undefined)[];
}

/**
 * What instantiation sets up and a call can change, for a code whose instances are reused: the
 * mutable globals (the module's own, exported under names the runtime chose, and the instrumenter's)
 * with their initial values, and the data segments. Nothing else in an instance can change: memory
 * is the recycled, zeroed one of the kit (kept only at its initial size), tables are written only by
 * their element segments at instantiation (the decoder refuses every table-writing instruction), and
 * the codes run have no start function. So zeroing the memory, writing the data segments in order and
 * setting every mutable global to its initial value leaves the instance exactly as a fresh one.
 */
export interface InstanceReset {
  readonly globals: readonly { readonly exportName: string; readonly value: number | bigint }[];
  /**
   * The memory's initial contents from `offset` on: the data segments written in order over zeros,
   * from the first segment's start to the last one's end (everything else starts at zero).
   */
  readonly image: { readonly offset: number; readonly bytes: Uint8Array };
}

/** Free kits kept per code (more than one only after nested calls of the same code). */
const KITS_PER_CODE = 4;
/** Idle memories one cache keeps (see {@link MemoryBudget}). */
const POOLED_MEMORIES = 16;
/**
 * Recycle memories up to this initial size (4 MiB). Zeroing costs about 1–2 µs per page on this
 * machine, far less than V8's instantiation with a new memory (measured with upstream's contracts:
 * 17 pages ~210 µs new vs ~30 µs recycled, 34 pages ~2.8 ms vs ~0.19 ms); the limit bounds what idle
 * memories keep resident (at most {@link POOLED_MEMORIES} of them per cache).
 */
const RECYCLE_MAX_PAGES = 64;

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

/**
 * The module's own memory (the only one; store rules refuse memory imports) declared as an import
 * instead, under a name no other import uses. The memory index (0) and every instruction stay the same.
 */
function withImportedMemory(module: WasmModule): {
  module: WasmModule;
  memoryImport: PreparedCode["memoryImport"];
} {
  const own = module.memories[0];
  if (module.memories.length !== 1 || own === undefined || own.initial > RECYCLE_MAX_PAGES) {
    return { module, memoryImport: undefined };
  }
  if (module.imports.some((imp) => imp.desc.kind === KIND_MEMORY)) return { module, memoryImport: undefined };
  const moduleName = "__vm";
  let name = "memory";
  while (module.imports.some((imp) => imp.module === moduleName && imp.name === name)) name += "_";
  return {
    module: {
      ...module,
      memories: [],
      imports: [...module.imports, { module: moduleName, name, desc: { kind: KIND_MEMORY, memory: own } }],
    },
    memoryImport: { module: moduleName, name, pages: own.initial },
  };
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

/** An init expression that is one integer constant: its value; otherwise undefined. */
function constantOf(
  init: readonly { op: number; a: number; wide: bigint }[],
  valType: number,
): number | bigint | undefined {
  const [only, ...rest] = init;
  if (only === undefined || rest.length > 0) return undefined;
  if (valType === I32 && only.op === OP_I32_CONST) return only.a | 0;
  if (valType === I64 && only.op === OP_I64_CONST) return BigInt.asIntN(64, only.wide);
  return undefined;
}

/**
 * For a code whose memory is recycled: every mutable global of the module exported under a name no
 * other export uses, and the {@link InstanceReset} of its instances. Undefined (module unchanged) when
 * a global or data segment does not start from a plain integer constant, or the module imports globals.
 */
function withResettableInstances(module: WasmModule): { module: WasmModule; reset: InstanceReset | undefined } {
  if (module.imports.some((imp) => imp.desc.kind === KIND_GLOBAL)) return { module, reset: undefined };
  const memory = module.imports.find((imp) => imp.desc.kind === KIND_MEMORY)?.desc;
  if (memory?.kind !== KIND_MEMORY) return { module, reset: undefined };
  const segments: { offset: number; bytes: Uint8Array }[] = [];
  let lo = Infinity;
  let hi = 0;
  for (const segment of module.data) {
    const offset = constantOf(segment.offset, I32);
    if (typeof offset !== "number") return { module, reset: undefined };
    segments.push({ offset: offset >>> 0, bytes: segment.bytes });
    lo = Math.min(lo, offset >>> 0);
    hi = Math.max(hi, (offset >>> 0) + segment.bytes.length);
  }
  // A segment beyond the initial memory fails instantiation: such a code never gets an instance to reuse.
  if (hi > memory.memory.initial * 65536) return { module, reset: undefined };
  const start = segments.length === 0 ? 0 : lo;
  const image = new Uint8Array(Math.max(0, hi - start));
  for (const segment of segments) image.set(segment.bytes, segment.offset - start);
  const names = new Set([...module.exports.map((e) => e.name), ...INJECTED_EXPORTS]);
  const exports = module.exports.slice();
  const globals: { exportName: string; value: number | bigint }[] = [];
  for (const [index, global] of module.globals.entries()) {
    if (!global.type.mutable) continue;
    const value = constantOf(global.init, global.type.valType);
    if (value === undefined) return { module, reset: undefined };
    let exportName = `__vm_global_${index}`;
    while (names.has(exportName)) exportName += "_";
    names.add(exportName);
    exports.push({ name: exportName, kind: KIND_GLOBAL, index });
    globals.push({ exportName, value });
  }
  // The instrumenter's own globals all start at zero (the gas limit is set by every call anyway).
  for (const exportName of INJECTED_EXPORTS) {
    globals.push({
      exportName,
      value: exportName === EXPORT_GAS_LIMIT || exportName === EXPORT_GAS_LIMIT_EXHAUSTED ? 0n : 0,
    });
  }
  return { module: { ...module, exports }, reset: { globals, image: { offset: start, bytes: image } } };
}

function compile(analysis: UseAnalysis, depthLimit: number, memoryBudget: MemoryBudget): PreparedCode {
  const { module: withMem, name: memoryExport } = withMemoryExport(analysis.module);
  const { module: withImport, memoryImport } = withImportedMemory(withMem);
  const { module: linked, reset } =
    memoryImport === undefined ? { module: withImport, reset: undefined } : withResettableInstances(withImport);
  const bytes = instrument(linked, { gas: true, depthLimit, floatTraps: analysis.floatFunctions });
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
    memoryImport,
    reset,
    kits: [],
    memoryBudget,
    evicted: false,
  };
}

/** A kit for one call of `prepared`: a free one (its memory zeroed) or a new one. */
function takeKit(prepared: PreparedCode, state: CallState): InstanceKit {
  let kit = prepared.kits.pop();
  if (kit === undefined) {
    const binding: HostBinding = { state };
    const host = hostFunctions(binding);
    const imports: Record<string, Record<string, unknown>> = {};
    for (const imp of prepared.functionImports) {
      const known = imp.module === "env" ? host[imp.name] : undefined;
      (imports[imp.module] ??= {})[imp.name] = known ?? unknownImport(imp.module, imp.name);
    }
    kit = { binding, imports, memory: undefined, instance: undefined, resetGlobals: [] };
  }
  kit.binding.state = state;
  const m = prepared.memoryImport;
  if (m !== undefined) {
    if (kit.memory === undefined) {
      kit.memory = new WA.Memory({ initial: m.pages, maximum: MAX_MEMORY_PAGES });
      (kit.imports[m.module] ??= {})[m.name] = kit.memory;
      kit.instance = undefined;
    } else {
      // A kept memory was linked before: zero it (it has its initial size; see `returnKit`).
      prepared.memoryBudget.free++;
      const bytes = new Uint8Array(kit.memory.buffer);
      if (kit.instance !== undefined) resetInstance(kit, bytes, prepared.reset!);
      else bytes.fill(0);
    }
  } else {
    kit.instance = undefined;
  }
  return kit;
}

/** Returns a kit's used instance to the state instantiation leaves it in (memory of its initial size). */
function resetInstance(kit: InstanceKit, memory: Uint8Array, reset: InstanceReset): void {
  const { offset, bytes } = reset.image;
  memory.fill(0, 0, offset);
  memory.set(bytes, offset);
  memory.fill(0, offset + bytes.length);
  for (let i = 0; i < reset.globals.length; i++) {
    const global = kit.resetGlobals[i];
    if (global !== undefined) global.value = reset.globals[i]!.value;
  }
}

/**
 * Puts a kit back after its call, whatever happened (a trap or a failed instantiation may have left
 * data in the memory: it is zeroed when taken). A memory that grew (memory cannot shrink) or one
 * beyond the cache's budget is not kept; the next call makes a new one.
 */
function returnKit(prepared: PreparedCode, kit: InstanceKit): void {
  if (prepared.evicted || prepared.kits.length >= KITS_PER_CODE) return;
  const m = prepared.memoryImport;
  if (m !== undefined && kit.memory !== undefined) {
    if (kit.memory.buffer.byteLength === m.pages * 65536 && prepared.memoryBudget.free > 0) {
      prepared.memoryBudget.free--;
    } else {
      // Drop every reference, so that an idle kit never holds a memory outside the budget.
      kit.memory = undefined;
      kit.instance = undefined;
      delete kit.imports[m.module]?.[m.name];
    }
  }
  prepared.kits.push(kit);
}

/** Gives back the budget of the memories an evicted code's free kits hold. */
function dropKits(prepared: PreparedCode): void {
  for (const kit of prepared.kits) {
    if (kit.memory !== undefined) prepared.memoryBudget.free++;
  }
  prepared.kits.length = 0;
  prepared.evicted = true;
}

/**
 * Compiled modules by code hash, least recently used evicted first. An entry holds the result of the
 * analysis with `instantiate: false` (for a module without floats both variants are identical; a module
 * with floats is refused on every instantiate, cached or not), so a cache hit never changes an outcome.
 */
export class ModuleCache {
  private readonly entries = new Map<string, CacheEntry>();
  /** Memories kept in free kits (none without a cache: an uncached code's kits die with the call). */
  private readonly memoryBudget: MemoryBudget;
  hits = 0;
  misses = 0;

  constructor(
    readonly capacity: number,
    private readonly depthLimit: number = STACK_SLOT_BUDGET,
  ) {
    if (!Number.isSafeInteger(capacity) || capacity < 0)
      throw new RangeError("cache capacity must be a non-negative integer");
    this.memoryBudget = { free: capacity > 0 ? POOLED_MEMORIES : 0 };
  }

  /** Memories the free kits may still keep (for tests). */
  get pooledMemoryBudget(): number {
    return this.memoryBudget.free;
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
        while (this.entries.size > this.capacity) {
          const oldest = this.entries.keys().next().value!;
          const evicted = this.entries.get(oldest);
          if (evicted?.ok === true) dropKits(evicted.prepared);
          this.entries.delete(oldest);
        }
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
      return { ok: true, prepared: compile(analysis, this.depthLimit, this.memoryBudget) };
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

  const kit = takeKit(prepared, state);
  let rawOutput: Uint8Array;
  try {
    let instance: WasmInstance;
    try {
      if (kit.instance !== undefined) {
        instance = kit.instance;
      } else {
        instance = new WA.Instance(prepared.module, kit.imports as WasmImports);
        if (prepared.reset !== undefined) {
          const exported = instance.exports;
          kit.resetGlobals = prepared.reset.globals.map((g) => globalOf(exported, g.exportName));
          kit.instance = instance;
        }
      }
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

    try {
      const inputs = entryInputs(req, prepared.apiVersion, prepared, codeHash);
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
  } finally {
    returnKit(prepared, kit);
  }
  const version = prepared.apiVersion;

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
