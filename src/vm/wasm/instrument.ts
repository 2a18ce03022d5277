/**
 * Rewrites a validated module for execution (`spec/contract-abi.md` §5.2, §5.3, §11):
 *
 * - Gas metering exactly as upstream's `add_metering` (walrus IR counting): at the start of every
 *   instruction sequence (function body, block body, loop body, each if arm) charge
 *   {@link GAS_PER_INSTRUCTION} × the number of IR instructions directly in it; on shortage
 *   (unsigned compare) set `gas_limit_exhausted` to that cost and trap. A sequence whose cost is 0
 *   (an empty arm, e.g. the implicit else of an `if`) needs no check: a zero charge can neither fail nor
 *   change the counter.
 * - `memory.grow`: a call to an injected meter function `(i32 pages) -> i32` before each grow, metered
 *   itself like upstream's (28 on entry; cost = sign-extended pages × 8192 as i64; its failing arm 6).
 * - A call-stack budget (this chain's consensus rule, see {@link STACK_SLOT_BUDGET}): every function
 *   charges its frame weight on entry against a per-instance counter and gives it back on every exit;
 *   above the budget it sets `stack_exhausted` to 1 and traps.
 * - Optional float traps: chosen functions set `float_function_entered` to their index + 1 and trap on
 *   entry (upstream's float-less interpreter cannot compile them).
 * - The memory maximum is set to {@link MAX_MEMORY_PAGES} pages.
 *
 * The injected code is not metered. Dead code (after an unconditional branch, up to the end of its
 * sequence) and `nop` are dropped, as walrus does. Custom sections are dropped. Element and data
 * sections are copied verbatim (see `WasmModule.rawSegments`).
 */
import { ByteWriter, encodeModule, writeInstr } from "./encode.ts";
import { WasmError } from "./errors.ts";
import {
  blockArity,
  I32,
  I64,
  OP_BLOCK,
  OP_BR,
  OP_BR_IF,
  OP_BR_TABLE,
  OP_CALL,
  OP_CALL_INDIRECT,
  OP_ELSE,
  OP_END,
  OP_GLOBAL_GET,
  OP_GLOBAL_SET,
  OP_I32_ADD,
  OP_I32_CONST,
  OP_I32_GT_U,
  OP_I32_SUB,
  OP_I64_CONST,
  OP_I64_EXTEND_I32_S,
  OP_I64_LT_U,
  OP_I64_MUL,
  OP_I64_SUB,
  OP_IF,
  OP_LOCAL_GET,
  OP_LOCAL_SET,
  OP_LOOP,
  OP_MEMORY_GROW,
  OP_NOP,
  OP_RETURN,
  OP_UNREACHABLE,
  SIMPLE_STACK_EFFECT,
} from "./opcodes.ts";
import {
  functionTypes,
  importedFunctionCount,
  importedGlobalCount,
  KIND_GLOBAL,
  KIND_MEMORY,
  type Export,
  type FuncType,
  type FunctionBody,
  type Global,
  type Import,
  type Instr,
  type WasmModule,
} from "./module.ts";

/** Exported mutable i64 global: the remaining gas; the host sets it before a call and reads it after. */
export const EXPORT_GAS_LIMIT = "gas_limit";
/** Exported mutable i64 global: the charge that did not fit (0 unless metering trapped). */
export const EXPORT_GAS_LIMIT_EXHAUSTED = "gas_limit_exhausted";
/** Exported mutable i32 global: stack slots in use by active wasm frames. */
export const EXPORT_STACK_USED = "stack_used";
/** Exported mutable i32 global: 1 when the call-stack budget trapped. */
export const EXPORT_STACK_EXHAUSTED = "stack_exhausted";
/** Exported mutable i32 global: index + 1 of the float function whose entry trapped, else 0. */
export const EXPORT_FLOAT_TRAP = "float_function_entered";
/** Every export name the instrumenter adds; contract exports with these names are removed. */
export const INJECTED_EXPORTS: readonly string[] = [
  EXPORT_GAS_LIMIT,
  EXPORT_GAS_LIMIT_EXHAUSTED,
  EXPORT_STACK_USED,
  EXPORT_STACK_EXHAUSTED,
  EXPORT_FLOAT_TRAP,
];

/** Gas per walrus IR instruction (`gas.rs` `instruction_cost`). */
export const GAS_PER_INSTRUCTION = 2;
/** Gas per page requested by `memory.grow` (`WasmCosts::grow_mem`). */
export const GAS_PER_MEMORY_PAGE = 8192;
/** The memory-grow meter's own body: 14 instructions. */
export const MEMORY_GROW_METER_GAS = 14 * GAS_PER_INSTRUCTION;
/** The meter's out-of-gas arm: 3 instructions. */
export const MEMORY_GROW_METER_FAIL_ARM_GAS = 3 * GAS_PER_INSTRUCTION;
/** Memory maximum forced on every memory (12 MiB). */
export const MAX_MEMORY_PAGES = 192;

/**
 * Call-stack budget in slots: upstream's wasm3 runtime stack is 60 KiB of 8-byte slots (7,680). Each
 * active call of a function holds {@link frameSlots} slots; a call that would take the total above the
 * budget traps. This is a consensus constant of this chain (upstream's exact overflow point depends on
 * wasm3's compiler and is not reproduced).
 */
export const STACK_SLOT_BUDGET = 7680;
/** Fixed slots per frame (return linkage / frame bookkeeping). */
export const FRAME_OVERHEAD_SLOTS = 2;

export interface InstrumentOptions {
  /** Inject gas metering and export the two gas globals (default true). */
  gas?: boolean;
  /** Call-stack budget in slots, or false for none (default {@link STACK_SLOT_BUDGET}). */
  depthLimit?: number | false;
  /** Functions (function index space) that must trap on entry with `float_function_entered`. */
  floatTraps?: readonly number[];
  /** Memory maximum to force, or null to leave the limits alone (default {@link MAX_MEMORY_PAGES}). */
  maxMemoryPages?: number | null;
}

/** What the metering pass knows about one function body. */
export interface BodyPlan {
  /** Gas charged when the function body is entered. */
  entryCost: number;
  /**
   * Gas charged when entering the sequence opened by instruction i: for block/loop/if its body (the
   * then-arm for if), for else the else-arm; 0 for other instructions.
   */
  costs: Int32Array;
  /** 1 for instructions kept in walrus IR; 0 for `nop` and dead code. */
  live: Uint8Array;
  /**
   * Highest operand-stack height (values of any type, all nested blocks together) reached after any
   * kept instruction, starting from 0 at entry.
   */
  maxHeight: number;
}

function malformed(what: string): never {
  throw new WasmError("WASM_INSTRUMENT", `cannot instrument an invalid function body: ${what}`);
}

/**
 * Walks a function body the way walrus builds its IR: counts the instructions directly in each
 * sequence, marks dead code and nops, and measures the operand-stack height.
 */
export function planBody(
  code: readonly Instr[],
  resultCount: number,
  funcTypes: readonly (FuncType | undefined)[],
  types: readonly FuncType[],
): BodyPlan {
  const n = code.length;
  const costs = new Int32Array(n);
  const live = new Uint8Array(n);
  const opener: number[] = [-1];
  const count: number[] = [0];
  const dead: boolean[] = [false];
  const base: number[] = [0];
  const arity: number[] = [resultCount];
  let sp = 0;
  let h = 0;
  let maxH = 0;
  let skip = 0;
  for (let i = 0; i < n; i++) {
    const ins = code[i]!;
    const op = ins.op;
    if (dead[sp]) {
      if (op === OP_BLOCK || op === OP_LOOP || op === OP_IF) {
        skip++;
      } else if (op === OP_ELSE) {
        if (skip === 0) {
          costs[opener[sp]!] = GAS_PER_INSTRUCTION * count[sp]!;
          live[i] = 1;
          opener[sp] = i;
          count[sp] = 0;
          dead[sp] = false;
          h = base[sp]!;
        }
      } else if (op === OP_END) {
        if (skip > 0) {
          skip--;
        } else {
          if (sp === 0) malformed("unbalanced end");
          costs[opener[sp]!] = GAS_PER_INSTRUCTION * count[sp]!;
          live[i] = 1;
          h = base[sp]! + arity[sp]!;
          sp--;
          if (h > maxH) maxH = h;
        }
      }
      continue;
    }
    switch (op) {
      case OP_NOP:
        continue;
      case OP_BLOCK:
      case OP_LOOP:
      case OP_IF:
        count[sp]!++;
        live[i] = 1;
        if (op === OP_IF) h--;
        sp++;
        opener[sp] = i;
        count[sp] = 0;
        dead[sp] = false;
        base[sp] = h;
        arity[sp] = blockArity(ins.a);
        break;
      case OP_ELSE:
        if (sp === 0) malformed("else outside if");
        costs[opener[sp]!] = GAS_PER_INSTRUCTION * count[sp]!;
        live[i] = 1;
        opener[sp] = i;
        count[sp] = 0;
        h = base[sp]!;
        break;
      case OP_END:
        if (sp === 0) malformed("unbalanced end");
        costs[opener[sp]!] = GAS_PER_INSTRUCTION * count[sp]!;
        live[i] = 1;
        h = base[sp]! + arity[sp]!;
        sp--;
        break;
      case OP_BR:
      case OP_BR_TABLE:
      case OP_RETURN:
      case OP_UNREACHABLE:
        count[sp]!++;
        live[i] = 1;
        dead[sp] = true;
        skip = 0;
        break;
      case OP_BR_IF:
        count[sp]!++;
        live[i] = 1;
        h--;
        break;
      case OP_CALL: {
        const t = funcTypes[ins.a];
        if (t === undefined) malformed(`call to unknown function ${ins.a}`);
        count[sp]!++;
        live[i] = 1;
        h += t.results.length - t.params.length;
        break;
      }
      case OP_CALL_INDIRECT: {
        const t = types[ins.a];
        if (t === undefined) malformed(`call_indirect with unknown type ${ins.a}`);
        count[sp]!++;
        live[i] = 1;
        h += t.results.length - t.params.length - 1;
        break;
      }
      default: {
        const effect = SIMPLE_STACK_EFFECT[op]!;
        if (effect === 0xff) malformed(`opcode ${op}`);
        count[sp]!++;
        live[i] = 1;
        h += (effect & 15) - (effect >> 4);
      }
    }
    if (h > maxH) maxH = h;
  }
  if (sp !== 0) malformed("unclosed block");
  return { entryCost: GAS_PER_INSTRUCTION * count[0]!, costs, live, maxHeight: maxH };
}

/** Frame weight of a function for the call-stack budget: overhead + params + declared locals + max operand height. */
export function frameSlots(params: number, body: FunctionBody, maxHeight: number): number {
  let locals = 0;
  for (const l of body.locals) locals += l.count;
  return FRAME_OVERHEAD_SLOTS + params + locals + maxHeight;
}

/** Encodes a constant gas-charge snippet (upstream's injected check, instructions for `cost`). */
function chargeSnippet(cost: number, gasIdx: number, exhaustedIdx: number): Uint8Array {
  const w = new ByteWriter(32);
  w.byte(OP_GLOBAL_GET);
  w.u32(gasIdx);
  w.byte(OP_I64_CONST);
  w.s32(cost);
  w.byte(OP_I64_LT_U);
  w.byte(OP_IF);
  w.byte(0x40);
  w.byte(OP_I64_CONST);
  w.s32(cost);
  w.byte(OP_GLOBAL_SET);
  w.u32(exhaustedIdx);
  w.byte(OP_UNREACHABLE);
  w.byte(OP_END);
  w.byte(OP_GLOBAL_GET);
  w.u32(gasIdx);
  w.byte(OP_I64_CONST);
  w.s32(cost);
  w.byte(OP_I64_SUB);
  w.byte(OP_GLOBAL_SET);
  w.u32(gasIdx);
  return w.finish();
}

interface Injection {
  gasIdx: number;
  exhaustedIdx: number;
  meterIdx: number;
  stackUsedIdx: number;
  stackExhaustedIdx: number;
  floatTrapIdx: number;
  gas: boolean;
  budget: number | null;
  snippets: Map<number, Uint8Array>;
}

function emitCharge(w: ByteWriter, cost: number, inj: Injection): void {
  if (!inj.gas || cost === 0) return;
  let snippet = inj.snippets.get(cost);
  if (snippet === undefined) {
    snippet = chargeSnippet(cost, inj.gasIdx, inj.exhaustedIdx);
    inj.snippets.set(cost, snippet);
  }
  w.bytes(snippet);
}

function writeLocals(w: ByteWriter, body: FunctionBody): void {
  w.u32(body.locals.length);
  for (const l of body.locals) {
    w.u32(l.count);
    w.byte(l.type);
  }
}

function emitFunction(
  w: ByteWriter,
  body: FunctionBody,
  type: FuncType,
  plan: BodyPlan,
  inj: Injection,
  floatTrap: number | null,
): void {
  writeLocals(w, body);
  if (floatTrap !== null) {
    w.byte(OP_I32_CONST);
    w.s32(floatTrap);
    w.byte(OP_GLOBAL_SET);
    w.u32(inj.floatTrapIdx);
    w.byte(OP_UNREACHABLE);
  }
  const wrap = inj.budget !== null;
  const slots = wrap ? Math.min(frameSlots(type.params.length, body, plan.maxHeight), inj.budget! + 1) : 0;
  if (wrap) {
    w.byte(OP_GLOBAL_GET);
    w.u32(inj.stackUsedIdx);
    w.byte(OP_I32_CONST);
    w.s32(slots);
    w.byte(OP_I32_ADD);
    w.byte(OP_GLOBAL_SET);
    w.u32(inj.stackUsedIdx);
    w.byte(OP_GLOBAL_GET);
    w.u32(inj.stackUsedIdx);
    w.byte(OP_I32_CONST);
    w.s32(inj.budget!);
    w.byte(OP_I32_GT_U);
    w.byte(OP_IF);
    w.byte(0x40);
    w.byte(OP_I32_CONST);
    w.s32(1);
    w.byte(OP_GLOBAL_SET);
    w.u32(inj.stackExhaustedIdx);
    w.byte(OP_UNREACHABLE);
    w.byte(OP_END);
    // The wrapper block stands in for the function's own label: branches to that label and (rewritten)
    // returns land after it, where the frame's slots are given back.
    w.byte(OP_BLOCK);
    w.byte(type.results.length === 0 ? 0x40 : type.results[0]!);
  }
  emitCharge(w, plan.entryCost, inj);
  const { code } = body;
  const { live, costs } = plan;
  let level = 0;
  for (let i = 0; i < code.length; i++) {
    if (live[i] === 0) continue;
    const ins = code[i]!;
    switch (ins.op) {
      case OP_BLOCK:
      case OP_LOOP:
      case OP_IF:
        writeInstr(w, ins);
        level++;
        emitCharge(w, costs[i]!, inj);
        break;
      case OP_ELSE:
        w.byte(OP_ELSE);
        emitCharge(w, costs[i]!, inj);
        break;
      case OP_END:
        w.byte(OP_END);
        level--;
        break;
      case OP_RETURN:
        if (wrap) {
          w.byte(OP_BR);
          w.u32(level);
        } else {
          w.byte(OP_RETURN);
        }
        break;
      case OP_MEMORY_GROW:
        if (inj.gas) {
          w.byte(OP_CALL);
          w.u32(inj.meterIdx);
        }
        writeInstr(w, ins);
        break;
      default:
        writeInstr(w, ins);
    }
  }
  if (wrap) {
    w.byte(OP_END);
    w.byte(OP_GLOBAL_GET);
    w.u32(inj.stackUsedIdx);
    w.byte(OP_I32_CONST);
    w.s32(slots);
    w.byte(OP_I32_SUB);
    w.byte(OP_GLOBAL_SET);
    w.u32(inj.stackUsedIdx);
  }
  w.byte(OP_END);
}

/** Upstream's `create_memory_grow_meter`, metered like every local function. */
function emitMeter(w: ByteWriter, inj: Injection): void {
  w.u32(1);
  w.u32(1);
  w.byte(I64); // local 1: the cost
  emitCharge(w, MEMORY_GROW_METER_GAS, inj);
  w.byte(OP_LOCAL_GET);
  w.u32(0);
  w.byte(OP_I64_EXTEND_I32_S);
  w.byte(OP_I64_CONST);
  w.s32(GAS_PER_MEMORY_PAGE);
  w.byte(OP_I64_MUL);
  w.byte(OP_LOCAL_SET);
  w.u32(1);
  w.byte(OP_GLOBAL_GET);
  w.u32(inj.gasIdx);
  w.byte(OP_LOCAL_GET);
  w.u32(1);
  w.byte(OP_I64_LT_U);
  w.byte(OP_IF);
  w.byte(0x40);
  emitCharge(w, MEMORY_GROW_METER_FAIL_ARM_GAS, inj);
  w.byte(OP_LOCAL_GET);
  w.u32(1);
  w.byte(OP_GLOBAL_SET);
  w.u32(inj.exhaustedIdx);
  w.byte(OP_UNREACHABLE);
  w.byte(OP_END);
  w.byte(OP_GLOBAL_GET);
  w.u32(inj.gasIdx);
  w.byte(OP_LOCAL_GET);
  w.u32(1);
  w.byte(OP_I64_SUB);
  w.byte(OP_GLOBAL_SET);
  w.u32(inj.gasIdx);
  w.byte(OP_LOCAL_GET);
  w.u32(0);
  w.byte(OP_END);
}

function typeIndexOf(types: FuncType[], params: number[], results: number[]): number {
  const same = (a: readonly number[], b: readonly number[]): boolean =>
    a.length === b.length && a.every((x, i) => x === b[i]);
  const found = types.findIndex((t) => same(t.params, params) && same(t.results, results));
  if (found >= 0) return found;
  types.push({ params, results });
  return types.length - 1;
}

function mutableGlobal(valType: number): Global {
  const init: Instr =
    valType === I64
      ? { op: OP_I64_CONST, a: 0, b: 0, wide: 0n, labels: null }
      : { op: OP_I32_CONST, a: 0, b: 0, wide: 0n, labels: null };
  return { type: { valType, mutable: true }, init: [init] };
}

/**
 * Returns the instrumented module's bytes. `module` must be a valid module (it has passed
 * `analyzeForUse`); it is not modified.
 */
export function instrument(module: WasmModule, options: InstrumentOptions = {}): Uint8Array {
  const gas = options.gas ?? true;
  const depthLimit = options.depthLimit ?? STACK_SLOT_BUDGET;
  const budget = depthLimit === false ? null : depthLimit;
  if (budget !== null && (!Number.isSafeInteger(budget) || budget < 1 || budget > 0x3fffffff)) {
    throw new WasmError("WASM_INSTRUMENT", `depthLimit must be an integer in 1..2^30-1, got ${String(budget)}`);
  }
  const maxPages = options.maxMemoryPages === undefined ? MAX_MEMORY_PAGES : options.maxMemoryPages;
  const importedFuncs = importedFunctionCount(module);
  const importedGlobals = importedGlobalCount(module);
  const floatTraps = new Set(options.floatTraps ?? []);

  const types = module.types.slice();
  const globals = module.globals.slice();
  const functions = module.functions.slice();
  const exports: Export[] = module.exports.filter((e) => !INJECTED_EXPORTS.includes(e.name));
  const nextGlobal = (valType: number, name: string): number => {
    globals.push(mutableGlobal(valType));
    const index = importedGlobals + globals.length - 1;
    exports.push({ name, kind: KIND_GLOBAL, index });
    return index;
  };
  const inj: Injection = {
    gasIdx: -1,
    exhaustedIdx: -1,
    meterIdx: -1,
    stackUsedIdx: -1,
    stackExhaustedIdx: -1,
    floatTrapIdx: -1,
    gas,
    budget,
    snippets: new Map(),
  };
  if (gas) {
    inj.gasIdx = nextGlobal(I64, EXPORT_GAS_LIMIT);
    inj.exhaustedIdx = nextGlobal(I64, EXPORT_GAS_LIMIT_EXHAUSTED);
    functions.push(typeIndexOf(types, [I32], [I32]));
    inj.meterIdx = importedFuncs + functions.length - 1;
  }
  if (budget !== null) {
    inj.stackUsedIdx = nextGlobal(I32, EXPORT_STACK_USED);
    inj.stackExhaustedIdx = nextGlobal(I32, EXPORT_STACK_EXHAUSTED);
  }
  if (floatTraps.size > 0) inj.floatTrapIdx = nextGlobal(I32, EXPORT_FLOAT_TRAP);

  const limitMemory = <T extends { initial: number; maximum: number | null }>(l: T): T => {
    if (maxPages === null) return l;
    if (l.initial > maxPages) {
      throw new WasmError("WASM_MEMORY_INIT", "failed to initialize wasm memory", { initial: l.initial });
    }
    return { ...l, maximum: maxPages };
  };
  const imports: Import[] = module.imports.map((imp) =>
    imp.desc.kind === KIND_MEMORY ? { ...imp, desc: { kind: KIND_MEMORY, memory: limitMemory(imp.desc.memory) } } : imp,
  );
  const memories = module.memories.map(limitMemory);

  const funcTypes = functionTypes(module);
  const writeCode = (s: ByteWriter): void => {
    s.u32(functions.length);
    const scratch = new ByteWriter(64 * 1024);
    for (let i = 0; i < module.codes.length; i++) {
      const body = module.codes[i]!;
      const type = module.types[module.functions[i] ?? -1];
      if (type === undefined) malformed(`function ${importedFuncs + i} has no type`);
      const plan = planBody(body.code, type.results.length, funcTypes, module.types);
      const funcIndex = importedFuncs + i;
      scratch.length = 0;
      emitFunction(scratch, body, type, plan, inj, floatTraps.has(funcIndex) ? funcIndex + 1 : null);
      s.sized(scratch);
    }
    if (gas) {
      scratch.length = 0;
      emitMeter(scratch, inj);
      s.sized(scratch);
    }
  };
  if (module.codes.length !== module.functions.length) malformed("function and code section counts differ");

  const out: WasmModule = {
    ...module,
    types,
    imports,
    functions,
    memories,
    globals,
    exports,
    customs: [],
    sectionIds: module.sectionIds.slice(),
  };
  return encodeModule(out, { dropCustomSections: true, writeCode, verbatimSegments: true });
}
