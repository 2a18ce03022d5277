/**
 * A structural wasm decoder that accepts exactly what parity-wasm 0.45 (`features = ["sign_ext"]`,
 * upstream's store-time decoder, `spec/contract-abi.md` §2.2 rule 1) accepts, refusing everything else
 * with parity-wasm's own error text, and builds a {@link WasmModule}.
 *
 * Mirrored parity-wasm behaviour (all of it observable as store success or failure):
 * - MVP opcodes plus 0xC0–0xC4; any other opcode byte (0xFC bulk/saturating, 0xFD SIMD, 0xFE atomics,
 *   0x1C typed select, 0xD0–0xD2 reference ops, 0x25/0x26 table ops, exception and tail-call opcodes)
 *   → `Unknown opcode <byte>`.
 * - Value types i32/i64/f32/f64 only; function types with more than one result and block types that
 *   are not 0x40 or a value type (multi-value) are refused; tables must be `funcref`; limits flags 0/1
 *   only (no shared memories).
 * - Section order is checked, custom sections may appear anywhere, the data count section (id 12) IS
 *   accepted (parity-wasm decodes it unconditionally), element and data segments use the MVP layout (the
 *   first field is an index, not bulk-memory flags), init expressions are any instructions up to the
 *   first `end`, function bodies are any instructions up to the `end` that balances `block`/`loop`/`if`.
 * - LEB128 integers may be over-long (padding bytes) but must fit their width.
 * - Names (imports, exports, custom sections) must be UTF-8.
 * - No validation: indices, types and stack shapes are not checked.
 *
 * Robustness: every length is checked against the bytes actually present before use, lists are read
 * item by item (a huge declared count costs nothing until items are really there), nesting is counted,
 * not recursed into, and the input is capped by `maxBytes` (WASM_TOO_LARGE).
 */
import { WasmError } from "./errors.ts";
import {
  BLOCK_EMPTY,
  F32,
  F64,
  FUNC_FORM,
  FUNCREF,
  I32,
  I64,
  IMM_BLOCK,
  IMM_BR_TABLE,
  IMM_CALL_INDIRECT,
  IMM_F32,
  IMM_F64,
  IMM_FUNC,
  IMM_GLOBAL,
  IMM_I32,
  IMM_I64,
  IMM_INVALID,
  IMM_LABEL,
  IMM_LOCAL,
  IMM_MEMARG,
  IMM_MEMIDX,
  IMMEDIATES,
  OP_BLOCK,
  OP_END,
  OP_IF,
  OP_LOOP,
} from "./opcodes.ts";
import {
  emptyModule,
  KIND_FUNC,
  KIND_GLOBAL,
  KIND_MEMORY,
  KIND_TABLE,
  type CustomSection,
  type DataSegment,
  type ElementSegment,
  type Export,
  type ExternalKind,
  type FuncType,
  type FunctionBody,
  type Global,
  type GlobalType,
  type Import,
  type ImportDesc,
  type Instr,
  type Limits,
  type LocalDecl,
  type TableType,
  type WasmModule,
} from "./module.ts";

/** Default hard cap on the input size: far above every chain limit (2 MiB store, 3 MiB enclave). */
export const DEFAULT_MAX_WASM_BYTES = 16 * 1024 * 1024;

export interface DecodeOptions {
  /** Refuse inputs longer than this with WASM_TOO_LARGE (default {@link DEFAULT_MAX_WASM_BYTES}). */
  maxBytes?: number;
}

const DECODE_PREFIX = "Wasm bytecode could not be deserialized. Deserialization error: ";

/** parity-wasm's `Display` texts for its I/O errors (`format!("I/O Error: {:?}", err)`). */
const IO_EOF = "I/O Error: UnexpectedEof";
const IO_INVALID_DATA = "I/O Error: InvalidData";

function fail(parserMessage: string): never {
  throw new WasmError("WASM_DECODE", `${DECODE_PREFIX}"${parserMessage}"`, { parserMessage });
}

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** A bounded cursor, like parity-wasm's `io::Cursor` over a section's bytes. */
class Reader {
  constructor(
    readonly buf: Uint8Array,
    public pos: number,
    readonly end: number,
  ) {}

  eof(): boolean {
    return this.pos >= this.end;
  }

  byte(): number {
    if (this.pos >= this.end) fail(IO_EOF);
    return this.buf[this.pos++]!;
  }

  bytes(n: number): Uint8Array {
    if (n > this.end - this.pos) fail(IO_EOF);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** A sub-reader over the next `n` bytes (parity-wasm's `SectionReader::new` after reading the length). */
  sub(n: number): Reader {
    if (n > this.end - this.pos) fail(IO_EOF);
    const r = new Reader(this.buf, this.pos, this.pos + n);
    this.pos += n;
    return r;
  }

  /** `SectionReader::close`: the declared length must be consumed exactly. */
  close(): void {
    if (this.pos !== this.end) fail(IO_INVALID_DATA);
  }

  /** parity-wasm `VarUint32`. */
  u32(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      if (shift > 31) fail("Not an unsigned 32-bit integer");
      const b = this.byte();
      result |= (b & 0x7f) << shift;
      shift += 7;
      if (b < 0x80) {
        // parity-wasm reports this case as InvalidVarInt32.
        if (shift >= 32 && b >= 0x10) fail("Not a signed 32-bit integer");
        return result >>> 0;
      }
    }
  }

  /** parity-wasm `VarInt32`. */
  s32(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      if (shift > 31) fail("Not a signed 32-bit integer");
      const b = this.byte();
      result |= (b & 0x7f) << shift;
      shift += 7;
      if (b < 0x80) {
        if (shift < 32) {
          if (b & 0x40) result |= -(1 << shift);
        } else if (b & 0x40) {
          if ((~(b | 0x80) & 0xff) >= 0x08) fail("Not a signed 32-bit integer");
        } else if (b >= 0x08) {
          fail("Not a signed 32-bit integer");
        }
        return result | 0;
      }
    }
  }

  /** parity-wasm `VarInt64`. */
  s64(): bigint {
    // Fast path: up to 4 bytes (28 bits) fit a small integer.
    let small = 0;
    let shift = 0;
    const start = this.pos;
    for (let i = 0; i < 4 && this.pos < this.end; i++) {
      const b = this.buf[this.pos++]!;
      small |= (b & 0x7f) << shift;
      shift += 7;
      if (b < 0x80) {
        if (b & 0x40) small |= -(1 << shift);
        return BigInt(small);
      }
    }
    this.pos = start;
    let result = 0n;
    shift = 0;
    for (;;) {
      if (shift > 63) fail("Not a signed 64-bit integer");
      const b = this.byte();
      result |= BigInt(b & 0x7f) << BigInt(shift);
      shift += 7;
      if (b < 0x80) {
        if (shift < 64) {
          if (b & 0x40) result |= -(1n << BigInt(shift));
        } else if (b & 0x40) {
          if (b !== 0x7f) fail("Not a signed 64-bit integer");
        } else if (b !== 0) {
          fail("Not a signed 64-bit integer");
        }
        return BigInt.asIntN(64, result);
      }
    }
  }

  /** parity-wasm `VarInt7`: one byte, no continuation bit, sign-extended from bit 6. */
  s7(): number {
    const b = this.byte();
    if (b & 0x80) fail(`Not a signed 7-bit integer: ${b}`);
    return b & 0x40 ? b - 0x80 : b;
  }

  /** parity-wasm `VarUint1`. */
  u1(): boolean {
    const b = this.byte();
    if (b === 0) return false;
    if (b === 1) return true;
    return fail(`Not an unsigned 1-bit integer: ${b}`);
  }

  u32le(): number {
    const b = this.bytes(4);
    return (b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) >>> 0;
  }

  u64le(): bigint {
    const lo = BigInt(this.u32le());
    const hi = BigInt(this.u32le());
    return (hi << 32n) | lo;
  }

  string(): string {
    const n = this.u32();
    if (n === 0) return "";
    const raw = this.bytes(n);
    try {
      return utf8.decode(raw);
    } catch {
      return fail("Non-UTF-8 string");
    }
  }
}

function valueType(r: Reader): number {
  const v = r.s7();
  switch (v) {
    case -1:
      return I32;
    case -2:
      return I64;
    case -3:
      return F32;
    case -4:
      return F64;
    default:
      return fail(`Invalid or unknown value type ${v}`);
  }
}

function blockType(r: Reader): number {
  const v = r.s32();
  if (v === BLOCK_EMPTY || (v <= -1 && v >= -4)) return v;
  return fail(`Invalid or unknown block type ${v}`);
}

function limits(r: Reader): Limits {
  const flags = r.byte();
  if (flags !== 0 && flags !== 1) fail(`Invalid limits flags (${flags})`);
  const initial = r.u32();
  const maximum = flags === 1 ? r.u32() : null;
  return { initial, maximum };
}

function tableType(r: Reader): TableType {
  const t = r.s7();
  if (t !== -0x10) fail(`Unknown table element type ${t}`);
  return { elemType: FUNCREF, limits: limits(r) };
}

function globalType(r: Reader): GlobalType {
  const valType = valueType(r);
  const mutable = r.u1();
  return { valType, mutable };
}

function funcType(r: Reader): FuncType {
  const form = r.byte();
  if (form !== FUNC_FORM) fail(`Unknown function form (${form})`);
  const params: number[] = [];
  for (let n = r.u32(); n > 0; n--) params.push(valueType(r));
  const results: number[] = [];
  for (let n = r.u32(); n > 0; n--) results.push(valueType(r));
  if (results.length > 1) fail("Enable the multi_value feature to deserialize more than one function result");
  return { params, results };
}

/** Reads one instruction's immediates after its opcode byte. */
function readInstr(r: Reader, op: number): Instr {
  switch (IMMEDIATES[op]) {
    case IMM_INVALID:
      return fail(`Unknown opcode ${op}`);
    case IMM_BLOCK:
      return { op, a: blockType(r), b: 0, wide: 0n, labels: null };
    case IMM_LABEL:
    case IMM_FUNC:
    case IMM_LOCAL:
    case IMM_GLOBAL:
      return { op, a: r.u32(), b: 0, wide: 0n, labels: null };
    case IMM_BR_TABLE: {
      const labels: number[] = [];
      for (let n = r.u32(); n > 0; n--) labels.push(r.u32());
      return { op, a: r.u32(), b: 0, wide: 0n, labels };
    }
    case IMM_CALL_INDIRECT: {
      const type = r.u32();
      const table = r.byte();
      if (table !== 0) fail(`Invalid table reference (${table})`);
      return { op, a: type, b: 0, wide: 0n, labels: null };
    }
    case IMM_MEMARG: {
      const align = r.u32();
      return { op, a: align, b: r.u32(), wide: 0n, labels: null };
    }
    case IMM_MEMIDX: {
      const mem = r.byte();
      if (mem !== 0) fail(`Invalid memory reference (${mem})`);
      return { op, a: 0, b: 0, wide: 0n, labels: null };
    }
    case IMM_I32:
      return { op, a: r.s32(), b: 0, wide: 0n, labels: null };
    case IMM_I64:
      return { op, a: 0, b: 0, wide: r.s64(), labels: null };
    case IMM_F32:
      return { op, a: r.u32le(), b: 0, wide: 0n, labels: null };
    case IMM_F64:
      return { op, a: 0, b: 0, wide: r.u64le(), labels: null };
    default:
      return { op, a: 0, b: 0, wide: 0n, labels: null };
  }
}

/** parity-wasm `InitExpr`: instructions up to and including the first `end` (which is not kept). */
function initExpr(r: Reader): Instr[] {
  const out: Instr[] = [];
  for (;;) {
    const op = r.byte();
    const ins = readInstr(r, op);
    if (op === OP_END) return out;
    out.push(ins);
  }
}

/** parity-wasm `Instructions`: up to the `end` that balances block/loop/if (that `end` is not kept). */
function instructions(r: Reader): Instr[] {
  const out: Instr[] = [];
  let depth = 1;
  for (;;) {
    const op = r.byte();
    const ins = readInstr(r, op);
    if (op === OP_END) {
      if (--depth === 0) return out;
    } else if (op === OP_BLOCK || op === OP_LOOP || op === OP_IF) {
      depth++;
    }
    out.push(ins);
  }
}

function functionBody(r: Reader): FunctionBody {
  const body = r.sub(r.u32());
  const locals: LocalDecl[] = [];
  for (let n = body.u32(); n > 0; n--) {
    const count = body.u32();
    locals.push({ count, type: valueType(body) });
  }
  let total = 0;
  for (const l of locals) {
    total += l.count;
    if (total > 0xffffffff) fail("Too many locals");
  }
  const code = instructions(body);
  body.close();
  return { locals, code };
}

function importEntry(r: Reader): Import {
  const module = r.string();
  const name = r.string();
  const kind = r.byte();
  let desc: ImportDesc;
  switch (kind) {
    case KIND_FUNC:
      desc = { kind: KIND_FUNC, typeIndex: r.u32() };
      break;
    case KIND_TABLE:
      desc = { kind: KIND_TABLE, table: tableType(r) };
      break;
    case KIND_MEMORY:
      desc = { kind: KIND_MEMORY, memory: limits(r) };
      break;
    case KIND_GLOBAL:
      desc = { kind: KIND_GLOBAL, global: globalType(r) };
      break;
    default:
      return fail(`Unknown external kind ${kind}`);
  }
  return { module, name, desc };
}

function exportEntry(r: Reader): Export {
  const name = r.string();
  const kind = r.byte();
  if (kind > 3) fail(`Unknown internal kind ${kind}`);
  return { name, kind: kind as ExternalKind, index: r.u32() };
}

/** parity-wasm's `Section::order` by section id (custom sections have none). */
const SECTION_ORDER = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 10];

/** `read_entries`: a length-prefixed section holding a counted list, consumed exactly. */
function entries<T>(r: Reader, item: (r: Reader) => T): T[] {
  const s = r.sub(r.u32());
  const out: T[] = [];
  for (let n = s.u32(); n > 0; n--) out.push(item(s));
  s.close();
  return out;
}

/** A copy of the payload of the section starting at `r.pos` (its length prefix is read, then rewound). */
function rawPayload(r: Reader): Uint8Array | null {
  const start = r.pos;
  const length = r.u32();
  const payloadStart = r.pos;
  r.pos = start;
  if (length > r.end - payloadStart) return null;
  return r.buf.slice(payloadStart, payloadStart + length);
}

/** Decodes `bytes` (see the file comment for the exact acceptance rules); throws WASM_DECODE or WASM_TOO_LARGE. */
export function decodeModule(bytes: Uint8Array, options: DecodeOptions = {}): WasmModule {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_WASM_BYTES;
  if (bytes.length > maxBytes) {
    throw new WasmError("WASM_TOO_LARGE", `wasm module of ${bytes.length} bytes exceeds the ${maxBytes}-byte cap`, {
      length: bytes.length,
      maxBytes,
    });
  }
  const r = new Reader(bytes, 0, bytes.length);
  const magic = r.bytes(4);
  if (magic[0] !== 0x00 || magic[1] !== 0x61 || magic[2] !== 0x73 || magic[3] !== 0x6d) {
    fail("Invalid magic number at start of file");
  }
  const version = r.u32le();
  if (version !== 1) fail(`Unsupported wasm version ${version}`);

  const m = emptyModule();
  let hasFunctionSection = false;
  let hasCodeSection = false;
  let lastOrder = 0;
  let lastId = 0;
  while (!r.eof()) {
    const id = r.byte();
    switch (id) {
      case 0: {
        const s = r.sub(r.u32());
        const name = s.string();
        const custom: CustomSection = { name, payload: s.bytes(s.end - s.pos).slice(), after: lastId };
        m.customs.push(custom);
        continue;
      }
      case 1:
        m.types = entries(r, funcType);
        break;
      case 2:
        m.imports = entries(r, importEntry);
        break;
      case 3:
        m.functions = entries(r, (s) => s.u32());
        hasFunctionSection = true;
        break;
      case 4:
        m.tables = entries(r, tableType);
        break;
      case 5:
        m.memories = entries(r, limits);
        break;
      case 6:
        m.globals = entries(r, (s): Global => {
          const type = globalType(s);
          return { type, init: initExpr(s) };
        });
        break;
      case 7:
        m.exports = entries(r, exportEntry);
        break;
      case 8: {
        const s = r.sub(r.u32());
        m.start = s.u32();
        s.close();
        break;
      }
      case 9:
        m.rawSegments.element = rawPayload(r);
        m.elements = entries(r, (s): ElementSegment => {
          const table = s.u32();
          const offset = initExpr(s);
          const funcs: number[] = [];
          for (let n = s.u32(); n > 0; n--) funcs.push(s.u32());
          return { table, offset, funcs };
        });
        break;
      case 10:
        m.codes = entries(r, functionBody);
        hasCodeSection = true;
        break;
      case 11:
        m.rawSegments.data = rawPayload(r);
        m.data = entries(r, (s): DataSegment => {
          const memory = s.u32();
          const offset = initExpr(s);
          const bytes = s.bytes(s.u32()).slice();
          return { memory, offset, bytes };
        });
        break;
      case 12: {
        const s = r.sub(r.u32());
        m.dataCount = s.u32();
        s.close();
        break;
      }
      default:
        fail(`Invalid section id: ${id}`);
    }
    const order = SECTION_ORDER[id]!;
    if (lastOrder > order) fail("Sections out of order");
    if (lastOrder === order) fail(`Duplicated sections (${lastOrder})`);
    lastOrder = order;
    lastId = id;
    m.sectionIds.push(id);
  }
  const bodies = hasCodeSection ? m.codes.length : 0;
  const signatures = hasFunctionSection ? m.functions.length : 0;
  if (bodies !== signatures) fail("Number of function body entries and signatures does not match");
  return m;
}
