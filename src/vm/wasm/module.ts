/**
 * The in-memory model of a decoded wasm module: every section of MVP + sign-extension wasm, with
 * function bodies as flat instruction lists. It is a structural model (no type checking): it can hold
 * anything parity-wasm 0.45 decodes, including modules a validator would refuse. Indices are the
 * module's own (imports first in each index space).
 */

/** One instruction. The meaning of the immediates depends on `op` (see `opcodes.ts` IMMEDIATES). */
export interface Instr {
  /** Opcode byte (MVP + sign-ext opcodes are all single bytes). */
  op: number;
  /**
   * First immediate: block type (signed, -64 = empty), label depth, function/type/local/global index,
   * memarg alignment exponent, the i32 constant, or the f32 constant's bits (unsigned); br_table: the
   * default label. 0 when unused.
   */
  a: number;
  /** Second immediate: memarg offset, call_indirect table byte, memory.size/grow reserved byte. 0 when unused. */
  b: number;
  /** i64.const value (signed) or f64.const bits (unsigned); 0n when unused. */
  wide: bigint;
  /** br_table labels (without the default); null for other opcodes. */
  labels: number[] | null;
}

export function instr(op: number, a = 0, b = 0, wide = 0n, labels: number[] | null = null): Instr {
  return { op, a, b, wide, labels };
}

export interface FuncType {
  params: number[];
  results: number[];
}

export interface Limits {
  initial: number;
  maximum: number | null;
}

export interface TableType {
  elemType: number;
  limits: Limits;
}

export interface GlobalType {
  valType: number;
  mutable: boolean;
}

export const KIND_FUNC = 0;
export const KIND_TABLE = 1;
export const KIND_MEMORY = 2;
export const KIND_GLOBAL = 3;
export type ExternalKind = typeof KIND_FUNC | typeof KIND_TABLE | typeof KIND_MEMORY | typeof KIND_GLOBAL;

export type ImportDesc =
  | { kind: typeof KIND_FUNC; typeIndex: number }
  | { kind: typeof KIND_TABLE; table: TableType }
  | { kind: typeof KIND_MEMORY; memory: Limits }
  | { kind: typeof KIND_GLOBAL; global: GlobalType };

export interface Import {
  module: string;
  name: string;
  desc: ImportDesc;
}

export interface Export {
  name: string;
  kind: ExternalKind;
  index: number;
}

export interface Global {
  type: GlobalType;
  /** Initializer instructions, without the terminating `end`. */
  init: Instr[];
}

export interface ElementSegment {
  /** parity-wasm (no bulk memory) reads this field as a table index. */
  table: number;
  offset: Instr[];
  funcs: number[];
}

export interface DataSegment {
  /** parity-wasm (no bulk memory) reads this field as a memory index. */
  memory: number;
  offset: Instr[];
  bytes: Uint8Array;
}

export interface LocalDecl {
  count: number;
  type: number;
}

export interface FunctionBody {
  locals: LocalDecl[];
  /** The body's instructions without the final `end` that closes the function. */
  code: Instr[];
}

export interface CustomSection {
  name: string;
  payload: Uint8Array;
  /** Id of the last non-custom section before this one (0 when it precedes them all); used to re-emit in place. */
  after: number;
}

export interface WasmModule {
  types: FuncType[];
  imports: Import[];
  /** Type index of each function defined in the module (function section). */
  functions: number[];
  tables: TableType[];
  memories: Limits[];
  globals: Global[];
  exports: Export[];
  start: number | null;
  elements: ElementSegment[];
  /** The data count section (id 12), which parity-wasm 0.45 decodes even without bulk memory. */
  dataCount: number | null;
  codes: FunctionBody[];
  data: DataSegment[];
  customs: CustomSection[];
  /**
   * Ids of the non-custom sections the binary contained, in order. The encoder also emits a section that
   * is listed here but empty (an empty memory section is not the same as none for §2.2 rules 2–3).
   */
  sectionIds: number[];
  /**
   * The element and data sections' payloads exactly as read. parity-wasm reads segments in the MVP
   * layout (first field = table or memory index), while engines read the same bytes in the
   * bulk-memory/reference-types layout (first field = flags). For a segment whose first field is 0
   * the two readings agree; for others they do not, so the instrumenter copies these sections
   * verbatim instead of re-encoding the MVP reading (see `EncodeOptions.verbatimSegments`).
   */
  rawSegments: { element: Uint8Array | null; data: Uint8Array | null };
}

export function emptyModule(): WasmModule {
  return {
    types: [],
    imports: [],
    functions: [],
    tables: [],
    memories: [],
    globals: [],
    exports: [],
    start: null,
    elements: [],
    dataCount: null,
    codes: [],
    data: [],
    customs: [],
    sectionIds: [],
    rawSegments: { element: null, data: null },
  };
}

export function importedFunctionCount(m: WasmModule): number {
  let n = 0;
  for (const imp of m.imports) if (imp.desc.kind === KIND_FUNC) n++;
  return n;
}

export function importedGlobalCount(m: WasmModule): number {
  let n = 0;
  for (const imp of m.imports) if (imp.desc.kind === KIND_GLOBAL) n++;
  return n;
}

export function importedMemoryCount(m: WasmModule): number {
  let n = 0;
  for (const imp of m.imports) if (imp.desc.kind === KIND_MEMORY) n++;
  return n;
}

/** Type of every function in the function index space (imports first); undefined for a dangling type index. */
export function functionTypes(m: WasmModule): (FuncType | undefined)[] {
  const out: (FuncType | undefined)[] = [];
  for (const imp of m.imports) if (imp.desc.kind === KIND_FUNC) out.push(m.types[imp.desc.typeIndex]);
  for (const t of m.functions) out.push(m.types[t]);
  return out;
}

/** Value type of every global in the global index space (imports first). */
export function globalTypes(m: WasmModule): GlobalType[] {
  const out: GlobalType[] = [];
  for (const imp of m.imports) if (imp.desc.kind === KIND_GLOBAL) out.push(imp.desc.global);
  for (const g of m.globals) out.push(g.type);
  return out;
}
