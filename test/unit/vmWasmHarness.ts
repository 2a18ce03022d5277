/**
 * Shared helpers for the wasm-layer tests (`vmWasm*.test.ts`, `vmGas*.test.ts`): WAT compilation with
 * wabt, typed access to the engine's WebAssembly API, metered calls, and a generator of random
 * structured programs with an independent reference model of their result and gas.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import {
  EXPORT_FLOAT_TRAP,
  EXPORT_GAS_LIMIT,
  EXPORT_GAS_LIMIT_EXHAUSTED,
  EXPORT_STACK_EXHAUSTED,
  EXPORT_STACK_USED,
} from "../../src/vm/wasm/instrument.ts";
import { prng } from "../fixtures/store/model.ts";

// ---------------------------------------------------------------------------------------------------
// wabt

interface WabtFeatures {
  sign_extension?: boolean;
  mutable_globals?: boolean;
  sat_float_to_int?: boolean;
  bulk_memory?: boolean;
  simd?: boolean;
  threads?: boolean;
  multi_value?: boolean;
  reference_types?: boolean;
}
interface WabtModule {
  toBinary(options: object): { buffer: Uint8Array };
  validate(): void;
  destroy(): void;
}
interface Wabt {
  parseWat(name: string, text: string, features?: WabtFeatures): WabtModule;
}

const wabt: Wabt = await (await import("wabt")).default();

/** MVP + sign-extension, like the store decoder. */
export const MVP_FEATURES: WabtFeatures = {
  sign_extension: true,
  mutable_globals: true,
  sat_float_to_int: false,
  bulk_memory: false,
  simd: false,
  threads: false,
  multi_value: false,
  reference_types: false,
};

/** Compiles WAT text to a binary (wabt validates it with the given features). */
export function wat(text: string, features: WabtFeatures = MVP_FEATURES, name = "test.wat"): Uint8Array {
  const module = wabt.parseWat(name, text, features);
  try {
    return module.toBinary({}).buffer.slice();
  } finally {
    module.destroy();
  }
}

const FIXTURES = fileURLToPath(new URL("../fixtures/wasm/", import.meta.url));

export function fixtureText(name: string): string {
  return readFileSync(FIXTURES + name, "utf8");
}

export function fixture(name: string, features: WabtFeatures = MVP_FEATURES): Uint8Array {
  return wat(fixtureText(name), features, name);
}

// ---------------------------------------------------------------------------------------------------
// The engine's WebAssembly API (the project's tsconfig has no DOM lib, so it is typed here)

export interface WasmGlobal {
  value: unknown;
}
export type WasmExports = Record<string, unknown>;
type Imports = Record<string, Record<string, unknown>>;
interface WebAssemblyApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Imports) => { exports: WasmExports };
  Memory: new (descriptor: { initial: number; maximum?: number }) => object;
}

export const WA: WebAssemblyApi = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;

export function instantiate(bytes: Uint8Array, imports: Imports = {}): WasmExports {
  return new WA.Instance(new WA.Module(bytes), imports).exports;
}

export function exportedFunction(exports: WasmExports, name: string): (...args: unknown[]) => unknown {
  const f = exports[name];
  if (typeof f !== "function") throw new Error(`no exported function ${name}`);
  return f as (...args: unknown[]) => unknown;
}

export function exportedGlobal(exports: WasmExports, name: string): WasmGlobal {
  const g = exports[name];
  if (typeof g !== "object" || g === null || !("value" in g)) throw new Error(`no exported global ${name}`);
  return g as WasmGlobal;
}

export interface CallOutcome {
  /** The returned value (undefined for no result), or the trap message. */
  value: unknown;
  trap: string | null;
  gasUsed: bigint;
  remaining: bigint;
  exhausted: bigint;
  stackExhausted: number;
  stackUsed: number;
  floatTrap: number;
}

export const DEFAULT_LIMIT = 10_000_000_000n;

/** Calls an export of an instrumented module on a fresh instance with the given gas limit. */
export function meteredCall(
  bytes: Uint8Array,
  name: string,
  args: unknown[] = [],
  gasLimit = DEFAULT_LIMIT,
  imports: Imports = {},
): CallOutcome {
  const ex = instantiate(bytes, imports);
  return meteredCallOn(ex, name, args, gasLimit);
}

/** Calls an export of an existing instance (the gas globals are reset first). */
export function meteredCallOn(ex: WasmExports, name: string, args: unknown[], gasLimit = DEFAULT_LIMIT): CallOutcome {
  const gas = exportedGlobal(ex, EXPORT_GAS_LIMIT);
  const exhausted = exportedGlobal(ex, EXPORT_GAS_LIMIT_EXHAUSTED);
  gas.value = gasLimit;
  exhausted.value = 0n;
  let value: unknown;
  let trap: string | null = null;
  try {
    value = exportedFunction(ex, name)(...args);
  } catch (err) {
    trap = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  }
  const remaining = BigInt.asUintN(64, gas.value as bigint);
  const optional = (n: string): number => (n in ex ? Number(exportedGlobal(ex, n).value) : 0);
  return {
    value,
    trap,
    gasUsed: gasLimit - remaining,
    remaining,
    exhausted: BigInt.asUintN(64, exhausted.value as bigint),
    stackExhausted: optional(EXPORT_STACK_EXHAUSTED),
    stackUsed: optional(EXPORT_STACK_USED),
    floatTrap: optional(EXPORT_FLOAT_TRAP),
  };
}

// ---------------------------------------------------------------------------------------------------
// Random structured programs with a reference model (result and gas by the walrus counting rules)

// `prng` (the stores' mulberry32, imported above) makes a program a function of its seed.
export { prng };

type Expr =
  | { k: "const"; v: number }
  | { k: "get"; l: number }
  | { k: "bin"; op: string; a: Expr; b: Expr }
  | { k: "ifx"; c: Expr; t: Expr; e: Expr }
  | { k: "blockx"; e: Expr }
  | { k: "call"; a: Expr; b: Expr }
  | { k: "ext8"; a: Expr };

type Stmt =
  | { k: "set"; l: number; e: Expr }
  | { k: "if"; c: Expr; t: Stmt[]; e: Stmt[] | null; brThen: Stmt[] | null }
  | { k: "block"; body: Stmt[]; exit: Expr | null; rest: Stmt[] }
  | { k: "loop"; counter: number; n: number; body: Stmt[] }
  | { k: "nop" }
  | { k: "dead"; body: Stmt[]; dead: Stmt[] }
  | { k: "grow" };

/** Locals 0..3 are data, 4..7 loop counters. */
const DATA_LOCALS = 4;
const BIN_OPS = ["i32.add", "i32.sub", "i32.mul", "i32.xor", "i32.and", "i32.or", "i32.shl", "i32.shr_u", "i32.rotl"];

export interface Program {
  text: string;
  /** Expected return value of `main` (an i32). */
  result: number;
  /** Expected gas of a call to `main`. */
  gas: bigint;
}

function binop(op: string, a: number, b: number): number {
  switch (op) {
    case "i32.add":
      return (a + b) | 0;
    case "i32.sub":
      return (a - b) | 0;
    case "i32.mul":
      return Math.imul(a, b);
    case "i32.xor":
      return a ^ b;
    case "i32.and":
      return a & b;
    case "i32.or":
      return a | b;
    case "i32.shl":
      return a << (b & 31);
    case "i32.shr_u":
      return (a >>> (b & 31)) | 0;
    case "i32.rotl": {
      const s = b & 31;
      return (a << s) | (a >>> ((32 - s) & 31)) | 0;
    }
    default:
      throw new Error(op);
  }
}

/** Gas of the helper `(func $h (param i32 i32) (result i32) local.get 0 i32.const 3 i32.mul local.get 1 i32.add)`. */
const HELPER_GAS = 2n * 5n;
/** The memory.grow meter's gas for 0 pages. */
const GROW_ZERO_GAS = 28n;

/** Generates a random program from `seed` with its expected result and gas. */
export function randomProgram(seed: number, size = 6): Program {
  const rnd = prng(seed);
  const int = (n: number): number => Math.floor(rnd() * n);
  let budget = size * 4;
  let counters = 0;

  const genExpr = (depth: number): Expr => {
    budget--;
    const r = int(depth <= 0 || budget <= 0 ? 2 : 8);
    switch (r) {
      case 0:
        return { k: "const", v: int(2000) - 1000 };
      case 1:
        return { k: "get", l: int(DATA_LOCALS) };
      case 2:
      case 3:
        return { k: "bin", op: BIN_OPS[int(BIN_OPS.length)]!, a: genExpr(depth - 1), b: genExpr(depth - 1) };
      case 4:
        return { k: "ifx", c: genExpr(depth - 1), t: genExpr(depth - 1), e: genExpr(depth - 1) };
      case 5:
        return { k: "blockx", e: genExpr(depth - 1) };
      case 6:
        return { k: "call", a: genExpr(depth - 1), b: genExpr(depth - 1) };
      default:
        return { k: "ext8", a: genExpr(depth - 1) };
    }
  };
  const genStmts = (depth: number, max: number): Stmt[] => {
    const out: Stmt[] = [];
    const n = int(max + 1);
    for (let i = 0; i < n && budget > 0; i++) out.push(genStmt(depth));
    return out;
  };
  const genStmt = (depth: number): Stmt => {
    budget--;
    const r = int(depth <= 0 ? 2 : 8);
    switch (r) {
      case 0:
      case 1:
        return { k: "set", l: int(DATA_LOCALS), e: genExpr(2) };
      case 2:
        return {
          k: "if",
          c: genExpr(1),
          t: genStmts(depth - 1, 3),
          e: int(2) === 0 ? null : genStmts(depth - 1, 3),
          brThen: int(3) === 0 ? genStmts(depth - 1, 2) : null,
        };
      case 3:
        return {
          k: "block",
          body: genStmts(depth - 1, 3),
          exit: int(2) === 0 ? genExpr(1) : null,
          rest: genStmts(depth - 1, 2),
        };
      case 4:
        if (counters < 4) {
          return { k: "loop", counter: DATA_LOCALS + counters++, n: 1 + int(4), body: genStmts(depth - 1, 3) };
        }
        return { k: "nop" };
      case 5:
        return { k: "nop" };
      case 6:
        return { k: "dead", body: genStmts(depth - 1, 2), dead: genStmts(depth - 1, 2) };
      default:
        return { k: "grow" };
    }
  };
  const body = genStmts(3, 5);
  const ret = genExpr(2);

  // Instruction counts (walrus rules) of what each node puts in its enclosing sequence.
  const exprCount = (e: Expr): number => {
    switch (e.k) {
      case "const":
      case "get":
        return 1;
      case "bin":
      case "call":
        return exprCount(e.a) + exprCount(e.b) + 1;
      case "ifx":
        return exprCount(e.c) + 1;
      case "blockx":
        return 1;
      case "ext8":
        return exprCount(e.a) + 1;
    }
  };
  const stmtCount = (s: Stmt): number => {
    switch (s.k) {
      case "set":
        return exprCount(s.e) + 1;
      case "if":
        return exprCount(s.c) + 1;
      case "block":
      case "dead":
        return 1;
      case "loop":
        return 3;
      case "nop":
        return 0;
      case "grow":
        return 3;
    }
  };
  const seq = (stmts: Stmt[]): number => stmts.reduce((n, s) => n + stmtCount(s), 0);

  // Reference interpreter.
  const locals = new Array<number>(DATA_LOCALS + 4).fill(0);
  locals[0] = 7;
  locals[1] = -3;
  let gas = 0n;
  const charge = (count: number): void => {
    gas += 2n * BigInt(count);
  };
  const evalExpr = (e: Expr): number => {
    switch (e.k) {
      case "const":
        return e.v;
      case "get":
        return locals[e.l]!;
      case "bin":
        return binop(e.op, evalExpr(e.a), evalExpr(e.b));
      case "ifx": {
        const c = evalExpr(e.c);
        if (c !== 0) {
          charge(exprCount(e.t));
          return evalExpr(e.t);
        }
        charge(exprCount(e.e));
        return evalExpr(e.e);
      }
      case "blockx":
        charge(exprCount(e.e));
        return evalExpr(e.e);
      case "call": {
        const a = evalExpr(e.a);
        const b = evalExpr(e.b);
        gas += HELPER_GAS;
        return (Math.imul(a, 3) + b) | 0;
      }
      case "ext8":
        return (evalExpr(e.a) << 24) >> 24;
    }
  };
  const run = (stmts: Stmt[]): void => {
    for (const s of stmts) exec(s);
  };
  const exec = (s: Stmt): void => {
    switch (s.k) {
      case "set":
        locals[s.l] = evalExpr(s.e);
        return;
      case "if":
        if (evalExpr(s.c) !== 0) {
          charge(seq(s.t) + (s.brThen ? 1 : 0));
          run(s.t);
        } else if (s.e) {
          charge(seq(s.e));
          run(s.e);
        }
        return;
      case "block": {
        charge(seq(s.body) + (s.exit ? exprCount(s.exit) + 1 : 0) + seq(s.rest));
        run(s.body);
        if (s.exit && evalExpr(s.exit) !== 0) return;
        run(s.rest);
        return;
      }
      case "loop":
        locals[s.counter] = s.n;
        for (;;) {
          charge(seq(s.body) + 5);
          run(s.body);
          locals[s.counter] = (locals[s.counter]! - 1) | 0;
          if (locals[s.counter] === 0) break;
        }
        return;
      case "nop":
        return;
      case "dead":
        charge(seq(s.body) + 1);
        run(s.body);
        return;
      case "grow":
        gas += GROW_ZERO_GAS;
        return;
    }
  };
  charge(seq(body) + exprCount(ret));
  run(body);
  const result = evalExpr(ret);

  // WAT emission.
  const ex = (e: Expr): string => {
    switch (e.k) {
      case "const":
        return `i32.const ${e.v}`;
      case "get":
        return `local.get ${e.l}`;
      case "bin":
        return `${ex(e.a)}\n${ex(e.b)}\n${e.op}`;
      case "ifx":
        return `${ex(e.c)}\nif (result i32)\n${ex(e.t)}\nelse\n${ex(e.e)}\nend`;
      case "blockx":
        return `block (result i32)\n${ex(e.e)}\nend`;
      case "call":
        return `${ex(e.a)}\n${ex(e.b)}\ncall $h`;
      case "ext8":
        return `${ex(e.a)}\ni32.extend8_s`;
    }
  };
  const sts = (stmts: Stmt[]): string => stmts.map(st).join("\n");
  const st = (s: Stmt): string => {
    switch (s.k) {
      case "set":
        return `${ex(s.e)}\nlocal.set ${s.l}`;
      case "if": {
        const then = s.brThen ? `${sts(s.t)}\nbr 0\n${sts(s.brThen)}` : sts(s.t);
        return `${ex(s.c)}\nif\n${then}\n${s.e ? `else\n${sts(s.e)}\n` : ""}end`;
      }
      case "block":
        return `block\n${sts(s.body)}\n${s.exit ? `${ex(s.exit)}\nbr_if 0\n` : ""}${sts(s.rest)}\nend`;
      case "loop":
        return `i32.const ${s.n}\nlocal.set ${s.counter}\nloop\n${sts(s.body)}\nlocal.get ${s.counter}\ni32.const 1\ni32.sub\nlocal.tee ${s.counter}\nbr_if 0\nend`;
      case "nop":
        return "nop";
      case "dead":
        return `block\n${sts(s.body)}\nbr 0\n${sts(s.dead)}\nend`;
      case "grow":
        return "i32.const 0\nmemory.grow\ndrop";
    }
  };
  const text = `(module
  (memory 1)
  (func $h (param i32 i32) (result i32) local.get 0 i32.const 3 i32.mul local.get 1 i32.add)
  (func (export "main") (result i32) (local i32 i32 i32 i32 i32 i32 i32 i32)
    i32.const 7
    local.set 0
    i32.const -3
    local.set 1
    (block
${sts(body)}
    )
${ex(ret)}
  )
)`;
  // The prologue (4 instructions + the wrapping block) sits in the function body's own sequence.
  gas += 2n * 5n;
  return { text, result, gas };
}
