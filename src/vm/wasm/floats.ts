/**
 * Float detection with the semantics of walrus 0.19 `Module::has_floats` (`scrtlabs/walrus`
 * v0.19.0-secret.1, `spec/contract-abi.md` §2.4).
 *
 * walrus builds its IR while validating and drops every instruction that follows an unconditional
 * branch (`br`, `br_table`, `return`, `unreachable`) in the same sequence, up to that sequence's
 * `else`/`end`. A `block`/`loop`/`if` met in such dead code still gets its own (dangling, never
 * emitted) instruction sequences, and `has_floats` scans every sequence of the function arena, so the
 * bodies of those nested blocks ARE scanned. This module reproduces exactly that visibility.
 *
 * A function "uses floats" when a parameter is f32/f64, or when a visible instruction is a float
 * opcode (`FLOAT_OPCODE`), a local.get/set/tee of an f32/f64 local, or a global.get/set of an f32/f64
 * global. The module uses floats when a defined function does, or when an imported function has a
 * float parameter or result. Float locals or globals that are never accessed, float results of defined
 * functions, untyped `select`/`drop`/calls on floats do not count.
 */
import {
  isFloatType,
  FLOAT_OPCODE,
  OP_BLOCK,
  OP_BR,
  OP_BR_TABLE,
  OP_ELSE,
  OP_END,
  OP_GLOBAL_GET,
  OP_GLOBAL_SET,
  OP_IF,
  OP_LOCAL_GET,
  OP_LOCAL_SET,
  OP_LOCAL_TEE,
  OP_LOOP,
  OP_RETURN,
  OP_UNREACHABLE,
} from "./opcodes.ts";
import { globalTypes, KIND_FUNC, type FunctionBody, type LocalDecl, type WasmModule } from "./module.ts";

/** Type of local `index` given the params and the run-length local declarations; -1 when out of range. */
function makeLocalTypeLookup(params: readonly number[], locals: readonly LocalDecl[]): (index: number) => number {
  const ends: number[] = [];
  const types: number[] = [];
  let end = params.length;
  for (const l of locals) {
    end += l.count;
    ends.push(end);
    types.push(l.type);
  }
  return (index: number): number => {
    if (index < params.length) return params[index]!;
    let lo = 0;
    let hi = ends.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (index < ends[mid]!) hi = mid;
      else lo = mid + 1;
    }
    return lo < types.length ? types[lo]! : -1;
  };
}

/** True when a body visible to walrus contains a float instruction (see the file comment). */
export function bodyHasFloats(
  body: FunctionBody,
  params: readonly number[],
  globalIsFloat: (index: number) => boolean,
): boolean {
  const localType = makeLocalTypeLookup(params, body.locals);
  // One flag per open sequence: is the rest of it dead (after an unconditional branch)?
  const dead: boolean[] = [false];
  for (const ins of body.code) {
    const op = ins.op;
    if (op === OP_BLOCK || op === OP_LOOP || op === OP_IF) {
      dead.push(false);
      continue;
    }
    if (op === OP_ELSE) {
      dead[dead.length - 1] = false;
      continue;
    }
    if (op === OP_END) {
      if (dead.length > 1) dead.pop();
      continue;
    }
    if (dead[dead.length - 1]) continue;
    if (FLOAT_OPCODE[op]) return true;
    switch (op) {
      case OP_LOCAL_GET:
      case OP_LOCAL_SET:
      case OP_LOCAL_TEE:
        if (isFloatType(localType(ins.a))) return true;
        break;
      case OP_GLOBAL_GET:
      case OP_GLOBAL_SET:
        if (globalIsFloat(ins.a)) return true;
        break;
      case OP_BR:
      case OP_BR_TABLE:
      case OP_RETURN:
      case OP_UNREACHABLE:
        dead[dead.length - 1] = true;
        break;
    }
  }
  return false;
}

function globalFloatLookup(m: WasmModule): (index: number) => boolean {
  const globals = globalTypes(m);
  return (index) => {
    const g = globals[index];
    return g !== undefined && isFloatType(g.valType);
  };
}

/**
 * Indices (in the function index space, imports first) of the defined functions that use floats:
 * a float parameter, or a float instruction visible to walrus.
 */
export function floatFunctions(m: WasmModule): number[] {
  const isFloatGlobal = globalFloatLookup(m);
  let imported = 0;
  for (const imp of m.imports) if (imp.desc.kind === KIND_FUNC) imported++;
  const out: number[] = [];
  for (let i = 0; i < m.codes.length; i++) {
    const type = m.types[m.functions[i] ?? -1];
    const params = type?.params ?? [];
    if (params.some(isFloatType) || bodyHasFloats(m.codes[i]!, params, isFloatGlobal)) out.push(imported + i);
  }
  return out;
}

/** walrus `Module::has_floats`. */
export function moduleHasFloats(m: WasmModule): boolean {
  for (const imp of m.imports) {
    if (imp.desc.kind !== KIND_FUNC) continue;
    const t = m.types[imp.desc.typeIndex];
    if (t !== undefined && (t.params.some(isFloatType) || t.results.some(isFloatType))) return true;
  }
  return floatFunctions(m).length > 0;
}
