/**
 * The engine's WebAssembly JS API, typed here because the project's tsconfig has no DOM lib (and
 * `@types/node` 20 does not declare it). Only what the runtime uses.
 */

export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

export interface WasmGlobal {
  value: unknown;
}

export type WasmExports = Readonly<Record<string, unknown>>;
export type WasmImports = Record<string, Record<string, unknown>>;

export interface WasmModuleObject {
  readonly __wasmModule?: never;
}

export interface WasmInstance {
  readonly exports: WasmExports;
}

type ErrorClass = new (message?: string) => Error;

interface WebAssemblyApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => WasmModuleObject;
  Instance: new (module: WasmModuleObject, imports: WasmImports) => WasmInstance;
  Memory: new (descriptor: { initial: number; maximum?: number }) => WasmMemory;
  Global: new (descriptor: { value: string; mutable?: boolean }, value?: unknown) => WasmGlobal;
  RuntimeError: ErrorClass;
  LinkError: ErrorClass;
  CompileError: ErrorClass;
}

export const WA: WebAssemblyApi = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;

export function isMemory(v: unknown): v is WasmMemory {
  return v instanceof WA.Memory;
}

export function isGlobal(v: unknown): v is WasmGlobal {
  return v instanceof WA.Global;
}
