/**
 * Helpers for the runtime tests (`vmRuntime*.test.ts`, `vmImports*.test.ts`): the WAT fixtures of
 * `test/fixtures/vm/`, a Map-backed storage double, a querier double, and a harness that runs single
 * host imports against an instrumented module.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { sha256 } from "../../src/crypto/hash.ts";
import { toHex } from "../../src/primitives/hex.ts";
import type { CallEnv, CallRequest, ContractQuerier, ContractStorage, EntryPoint } from "../../src/vm/index.ts";
import { readExhausted, readRemaining } from "../../src/vm/runtime/gas.ts";
import { hostFunctions, type CallState } from "../../src/vm/runtime/imports.ts";
import { WA, type WasmExports, type WasmGlobal, type WasmMemory } from "../../src/vm/runtime/wasmApi.ts";
import { decodeModule } from "../../src/vm/wasm/decode.ts";
import { instrument } from "../../src/vm/wasm/instrument.ts";
import { wat } from "./vmWasmHarness.ts";

const FIXTURES = fileURLToPath(new URL("../fixtures/vm/", import.meta.url));

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export const utf8 = (s: string): Uint8Array => encoder.encode(s);
export const text = (b: Uint8Array): string => decoder.decode(b);

/** `(data (i32.const addr) "...")` holding a Region at `addr` whose data follows it. */
export function regionData(addr: number, data: Uint8Array | string): string {
  const bytes = typeof data === "string" ? utf8(data) : data;
  const header = new Uint8Array(12);
  const view = new DataView(header.buffer);
  view.setUint32(0, addr + 12, true);
  view.setUint32(4, bytes.length, true);
  view.setUint32(8, bytes.length, true);
  let s = "";
  for (const b of [...header, ...bytes]) s += `\\${b.toString(16).padStart(2, "0")}`;
  return `(data (i32.const ${addr}) "${s}")`;
}

/** A fixture's WAT with `{{NAME}}` tokens replaced. */
export function fixtureWat(name: string, tokens: Record<string, string> = {}): string {
  let t = readFileSync(FIXTURES + name, "utf8");
  for (const [k, v] of Object.entries(tokens)) t = t.replaceAll(`{{${k}}}`, v);
  return t.replace(/\{\{[A-Z_]+\}\}/g, "");
}

export function fixtureBytes(name: string, tokens: Record<string, string> = {}): Uint8Array {
  return wat(fixtureWat(name, tokens), undefined, name);
}

export const V1_RESPONSE = '{"Ok":{"messages":[],"attributes":[],"events":[],"data":null}}';
export const V010_RESPONSE = '{"Ok":{"messages":[],"log":[]}}';
export const QUERY_RESPONSE = '{"Ok":"e30="}';

// ---------------------------------------------------------------------------------------------------
// Host doubles

/**
 * Storage double: `committed` is the store, `buffer` the enclave's write buffer. Reads of committed
 * keys report store gas `100 + len(key) + len(value)`, removes 100; buffered reads are free.
 */
export class MapStorage implements ContractStorage {
  readonly committed = new Map<string, Uint8Array>();
  readonly buffer = new Map<string, Uint8Array | null>();
  readonly log: string[] = [];
  private gas = 0n;

  read(key: Uint8Array): Uint8Array | undefined {
    const k = toHex(key);
    this.log.push(`read ${k}`);
    if (this.buffer.has(k)) return this.buffer.get(k) ?? undefined;
    const v = this.committed.get(k);
    this.gas += 100n + BigInt(key.length) + BigInt(v?.length ?? 0);
    return v;
  }
  write(key: Uint8Array, value: Uint8Array): void {
    this.log.push(`write ${toHex(key)}`);
    this.buffer.set(toHex(key), value.slice());
  }
  remove(key: Uint8Array): void {
    const k = toHex(key);
    this.log.push(`remove ${k}`);
    this.buffer.delete(k);
    this.committed.delete(k);
    this.gas += 100n;
  }
  takeStoreGas(): bigint {
    const g = this.gas;
    this.gas = 0n;
    return g;
  }
  /** Flush the write buffer (what the enclave does after a successful call). */
  commit(): void {
    for (const [k, v] of this.buffer)
      if (v === null) this.committed.delete(k);
      else this.committed.set(k, v);
    this.buffer.clear();
  }
  set(key: string, value: Uint8Array | string): void {
    this.committed.set(toHex(utf8(key)), typeof value === "string" ? utf8(value) : value);
  }
}

export class RecordingQuerier implements ContractQuerier {
  readonly requests: { request: string; depth: number; gasLimitWasm: bigint }[] = [];
  constructor(
    private readonly answer: (request: string) => string = () => '{"Ok":{"Ok":"e30="}}',
    private readonly gas = 0n,
  ) {}
  queryChain(request: Uint8Array, depth: number, gasLimitWasm: bigint): { response: Uint8Array; externalGas: bigint } {
    const r = text(request);
    this.requests.push({ request: r, depth, gasLimitWasm });
    return { response: utf8(this.answer(r)), externalGas: this.gas };
  }
}

export const CONTRACT = "secret1ejpjr43ht3y56pplm5pxpusmcrk9rkkvtygxk7";
export const SENDER = "secret1pgm8hyk0pvphmlvfjc8wsvk4daluz5tgexpkqy";

export const TEST_ENV: CallEnv = {
  block: { height: 1234n, timeNanos: 1_700_000_000_123_456_789n, chainId: "secretdev-1" },
  contractAddress: CONTRACT,
  sender: SENDER,
  funds: [{ denom: "uscrt", amount: 1_000_000n }],
  random: new Uint8Array(32).fill(7),
  transaction: { index: 0, hash: "68C215810C8DFB9018BE9D8A37FF37979074FC567502149FAE4F5C00E4C17848" },
};

export function request(
  code: Uint8Array,
  entry: EntryPoint,
  msg: string | Uint8Array,
  extra: Partial<CallRequest> = {},
): CallRequest {
  return {
    code,
    codeHash: toHex(sha256(code)),
    entry,
    env: TEST_ENV,
    msg: typeof msg === "string" ? utf8(msg) : msg,
    gasLimitWasm: 10_000_000n,
    storage: new MapStorage(),
    querier: new RecordingQuerier(),
    queryDepth: 1,
    ...extra,
  };
}

// ---------------------------------------------------------------------------------------------------
// Single imports against `imports.wat`

/** Gas of one bump `allocate` call in `imports.wat` / `storage_v1.wat` (20 instructions). */
export const ALLOCATE_GAS = 40n;

/** Gas of a `t_<import>` wrapper with `n` parameters (n × local.get + call). */
export function wrapperGas(params: number): bigint {
  return BigInt(2 * (params + 1));
}

export interface ImportCall {
  value: unknown;
  error: unknown;
  /** Gas taken from `gas_limit` during the call (wrapper + host charges + allocations). */
  gas: bigint;
  exhausted: bigint;
}

const ARENA = 3 * 65536;

export class ImportHarness {
  readonly state: CallState;
  readonly memory: WasmMemory;
  readonly exports: WasmExports;
  private arena = ARENA;
  readonly debugged: Uint8Array[] = [];

  constructor(
    options: {
      isQuery?: boolean;
      queryDepth?: number;
      limit?: bigint;
      storage?: ContractStorage;
      querier?: ContractQuerier;
      multiplier?: bigint;
    } = {},
  ) {
    const limit = options.limit ?? 100_000_000n;
    const bytes = instrument(decodeModule(fixtureBytes("imports.wat")), { gas: true });
    this.state = {
      limit,
      isQuery: options.isQuery ?? false,
      queryDepth: options.queryDepth ?? 1,
      storeGasMultiplier: options.multiplier ?? 1000n,
      storage: options.storage ?? new MapStorage(),
      querier: options.querier ?? new RecordingQuerier(),
      debug: (m) => this.debugged.push(m),
      memory: undefined,
      gas: undefined,
      allocate: undefined,
      external: 0n,
      pseudoCharged: 0n,
    };
    const instance = new WA.Instance(new WA.Module(bytes), { env: hostFunctions({ state: this.state }) });
    this.exports = instance.exports;
    this.memory = this.exports["memory"] as WasmMemory;
    const gas = {
      remaining: this.exports["gas_limit"] as WasmGlobal,
      exhausted: this.exports["gas_limit_exhausted"] as WasmGlobal,
    };
    gas.remaining.value = limit;
    this.state.memory = this.memory;
    this.state.gas = gas;
    this.state.allocate = this.exports["allocate"] as (n: number) => number;
  }

  get remaining(): bigint {
    return readRemaining(this.state.gas!);
  }

  set remaining(v: bigint) {
    this.state.gas!.remaining.value = v;
  }

  /** Writes a Region (capacity defaults to the length) into the test arena; returns its pointer. */
  region(data: Uint8Array | string, options: { capacity?: number; length?: number; offset?: number } = {}): number {
    const bytes = typeof data === "string" ? utf8(data) : data;
    const ptr = this.arena;
    const view = new DataView(this.memory.buffer);
    const offset = options.offset ?? ptr + 12;
    view.setUint32(ptr, offset, true);
    view.setUint32(ptr + 4, options.capacity ?? bytes.length, true);
    view.setUint32(ptr + 8, options.length ?? bytes.length, true);
    new Uint8Array(this.memory.buffer, ptr + 12, bytes.length).set(bytes);
    this.arena = ptr + 12 + Math.max(bytes.length, options.capacity ?? 0) + 4;
    this.arena += (4 - (this.arena % 4)) % 4;
    return ptr;
  }

  /** Sections encoding: each item followed by its big-endian u32 length. */
  sections(items: Uint8Array[]): number {
    const parts: number[] = [];
    for (const it of items) {
      parts.push(...it);
      parts.push((it.length >>> 24) & 255, (it.length >>> 16) & 255, (it.length >>> 8) & 255, it.length & 255);
    }
    return this.region(Uint8Array.from(parts));
  }

  /** The data of the Region at `ptr` (offset/length as stored). */
  read(ptr: number): Uint8Array {
    const view = new DataView(this.memory.buffer);
    const offset = view.getUint32(ptr, true);
    const length = view.getUint32(ptr + 8, true);
    return new Uint8Array(this.memory.buffer, offset, length).slice();
  }

  readText(ptr: number): string {
    return text(this.read(ptr));
  }

  call(name: string, ...args: number[]): ImportCall {
    const f = this.exports[`t_${name}`] as (...a: number[]) => unknown;
    this.state.gas!.exhausted.value = 0n;
    const before = this.remaining;
    let value: unknown;
    let error: unknown;
    try {
      value = f(...args);
    } catch (err) {
      error = err;
    }
    return { value, error, gas: before - this.remaining, exhausted: readExhausted(this.state.gas!) };
  }
}

/** `base_v1.wat` with the given imports, data and functions (`allocate` exported unless renamed). */
export function baseV1(parts: {
  imports?: string;
  data?: string;
  funcs?: string;
  allocateName?: string;
  memory?: number;
}): Uint8Array {
  return fixtureBytes("base_v1.wat", {
    IMPORTS: parts.imports ?? "",
    DATA: parts.data ?? "",
    FUNCS: parts.funcs ?? "",
    ALLOCATE_NAME: parts.allocateName ?? "allocate",
    MEMORY: String(parts.memory ?? 2),
  });
}
