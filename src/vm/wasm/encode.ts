/**
 * Encodes a {@link WasmModule} back to the binary format: canonical (shortest) LEB128 integers, sections
 * in the standard order (the data count section between element and code), custom sections re-emitted
 * after the section they followed. decode → encode of a valid module yields an equivalent module; the
 * bytes differ from the input only where the input used over-long LEB128 encodings.
 */
import { utf8Encode } from "../../primitives/bytes.ts";
import {
  IMM_BLOCK,
  IMM_BR_TABLE,
  IMM_CALL_INDIRECT,
  IMM_F32,
  IMM_F64,
  IMM_FUNC,
  IMM_GLOBAL,
  IMM_I32,
  IMM_I64,
  IMM_LABEL,
  IMM_LOCAL,
  IMM_MEMARG,
  IMM_MEMIDX,
  IMMEDIATES,
  OP_END,
} from "./opcodes.ts";
import {
  KIND_FUNC,
  KIND_GLOBAL,
  KIND_MEMORY,
  type FunctionBody,
  type GlobalType,
  type Instr,
  type Limits,
  type TableType,
  type WasmModule,
} from "./module.ts";

/** A growable byte buffer with the wasm primitive writers. */
export class ByteWriter {
  private buf: Uint8Array;
  length = 0;

  constructor(capacity = 1024) {
    this.buf = new Uint8Array(Math.max(16, capacity));
  }

  private ensure(extra: number): void {
    const need = this.length + extra;
    if (need <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < need) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }

  byte(b: number): void {
    if (this.length === this.buf.length) this.ensure(1);
    this.buf[this.length++] = b;
  }

  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }

  u32(v: number): void {
    this.ensure(5);
    let x = v >>> 0;
    for (;;) {
      const b = x & 0x7f;
      x >>>= 7;
      if (x === 0) {
        this.buf[this.length++] = b;
        return;
      }
      this.buf[this.length++] = b | 0x80;
    }
  }

  s32(v: number): void {
    this.ensure(5);
    let x = v | 0;
    for (;;) {
      const b = x & 0x7f;
      x >>= 7;
      if ((x === 0 && (b & 0x40) === 0) || (x === -1 && (b & 0x40) !== 0)) {
        this.buf[this.length++] = b;
        return;
      }
      this.buf[this.length++] = b | 0x80;
    }
  }

  s64(v: bigint): void {
    if (v >= -0x8000000n && v < 0x8000000n) {
      this.s32(Number(v));
      return;
    }
    this.ensure(10);
    let x = BigInt.asIntN(64, v);
    for (;;) {
      const b = Number(x & 0x7fn);
      x >>= 7n;
      if ((x === 0n && (b & 0x40) === 0) || (x === -1n && (b & 0x40) !== 0)) {
        this.buf[this.length++] = b;
        return;
      }
      this.buf[this.length++] = b | 0x80;
    }
  }

  u32le(v: number): void {
    this.ensure(4);
    const x = v >>> 0;
    this.buf[this.length++] = x & 0xff;
    this.buf[this.length++] = (x >>> 8) & 0xff;
    this.buf[this.length++] = (x >>> 16) & 0xff;
    this.buf[this.length++] = x >>> 24;
  }

  u64le(v: bigint): void {
    const x = BigInt.asUintN(64, v);
    this.u32le(Number(x & 0xffffffffn));
    this.u32le(Number(x >> 32n));
  }

  name(s: string): void {
    const b = utf8Encode(s);
    this.u32(b.length);
    this.bytes(b);
  }

  /** Appends `inner` prefixed by its length. */
  sized(inner: ByteWriter): void {
    this.u32(inner.length);
    this.ensure(inner.length);
    this.buf.set(inner.buf.subarray(0, inner.length), this.length);
    this.length += inner.length;
  }

  /** A copy of the bytes written so far. */
  finish(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

/** Writes one instruction (opcode and immediates). */
export function writeInstr(w: ByteWriter, ins: Instr): void {
  const op = ins.op;
  w.byte(op);
  switch (IMMEDIATES[op]) {
    case IMM_BLOCK:
    case IMM_I32:
      w.s32(ins.a);
      return;
    case IMM_LABEL:
    case IMM_FUNC:
    case IMM_LOCAL:
    case IMM_GLOBAL:
      w.u32(ins.a);
      return;
    case IMM_BR_TABLE: {
      const labels = ins.labels ?? [];
      w.u32(labels.length);
      for (const l of labels) w.u32(l);
      w.u32(ins.a);
      return;
    }
    case IMM_CALL_INDIRECT:
      w.u32(ins.a);
      w.byte(0);
      return;
    case IMM_MEMARG:
      w.u32(ins.a);
      w.u32(ins.b);
      return;
    case IMM_MEMIDX:
      w.byte(0);
      return;
    case IMM_I64:
      w.s64(ins.wide);
      return;
    case IMM_F32:
      w.u32le(ins.a);
      return;
    case IMM_F64:
      w.u64le(ins.wide);
      return;
    default:
      return;
  }
}

/** Writes an expression (instructions and the closing `end`). */
export function writeExpr(w: ByteWriter, code: readonly Instr[]): void {
  for (const ins of code) writeInstr(w, ins);
  w.byte(OP_END);
}

function writeLimits(w: ByteWriter, l: Limits): void {
  if (l.maximum === null) {
    w.byte(0);
    w.u32(l.initial);
  } else {
    w.byte(1);
    w.u32(l.initial);
    w.u32(l.maximum);
  }
}

function writeTableType(w: ByteWriter, t: TableType): void {
  w.byte(t.elemType);
  writeLimits(w, t.limits);
}

function writeGlobalType(w: ByteWriter, g: GlobalType): void {
  w.byte(g.valType);
  w.byte(g.mutable ? 1 : 0);
}

/** Writes a function body entry of the code section (size-prefixed). */
export function writeBody(w: ByteWriter, body: FunctionBody, scratch = new ByteWriter()): void {
  scratch.length = 0;
  scratch.u32(body.locals.length);
  for (const l of body.locals) {
    scratch.u32(l.count);
    scratch.byte(l.type);
  }
  writeExpr(scratch, body.code);
  w.sized(scratch);
}

/** Order in which non-custom sections are emitted (the data count section, id 12, precedes code). */
const EMIT_ORDER = [1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 10, 11];

export interface EncodeOptions {
  /** Leave out every custom section (names, producers, debug info). */
  dropCustomSections?: boolean;
  /**
   * Writes the content of the code section (entry count, then size-prefixed bodies) instead of
   * encoding `m.codes`; used by the instrumenter, which emits rewritten bodies directly as bytes.
   */
  writeCode?: (section: ByteWriter) => void;
  /**
   * Emit the element and data sections from `m.rawSegments` (the bytes as read) rather than from the
   * MVP model of the segments; see `WasmModule.rawSegments`.
   */
  verbatimSegments?: boolean;
}

/** Encodes a module. Custom sections are kept unless `dropCustomSections`. */
export function encodeModule(m: WasmModule, options: EncodeOptions = {}): Uint8Array {
  const out = new ByteWriter(64 * 1024);
  out.bytes(Uint8Array.of(0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00));
  const customs = options.dropCustomSections ? [] : m.customs;
  const present = new Set(m.sectionIds);
  const s = new ByteWriter(64 * 1024);
  const scratch = new ByteWriter(4096);

  const emitCustoms = (after: number): void => {
    for (const c of customs) {
      if (c.after !== after) continue;
      s.length = 0;
      s.name(c.name);
      s.bytes(c.payload);
      out.byte(0);
      out.sized(s);
    }
  };
  const nonEmpty = (id: number): boolean => {
    switch (id) {
      case 1:
        return m.types.length > 0;
      case 2:
        return m.imports.length > 0;
      case 3:
        return m.functions.length > 0;
      case 4:
        return m.tables.length > 0;
      case 5:
        return m.memories.length > 0;
      case 6:
        return m.globals.length > 0;
      case 7:
        return m.exports.length > 0;
      case 8:
        return m.start !== null;
      case 9:
        return m.elements.length > 0;
      case 10:
        return m.codes.length > 0 || options.writeCode !== undefined;
      case 11:
        return m.data.length > 0;
      case 12:
        return m.dataCount !== null;
      default:
        return false;
    }
  };

  emitCustoms(0);
  for (const id of EMIT_ORDER) {
    if (!nonEmpty(id) && !present.has(id)) continue;
    s.length = 0;
    const raw = id === 9 ? m.rawSegments.element : id === 11 ? m.rawSegments.data : null;
    if (options.verbatimSegments && raw !== null) {
      out.byte(id);
      out.u32(raw.length);
      out.bytes(raw);
      emitCustoms(id);
      continue;
    }
    switch (id) {
      case 1:
        s.u32(m.types.length);
        for (const t of m.types) {
          s.byte(0x60);
          s.u32(t.params.length);
          for (const p of t.params) s.byte(p);
          s.u32(t.results.length);
          for (const r of t.results) s.byte(r);
        }
        break;
      case 2:
        s.u32(m.imports.length);
        for (const imp of m.imports) {
          s.name(imp.module);
          s.name(imp.name);
          s.byte(imp.desc.kind);
          if (imp.desc.kind === KIND_FUNC) s.u32(imp.desc.typeIndex);
          else if (imp.desc.kind === KIND_MEMORY) writeLimits(s, imp.desc.memory);
          else if (imp.desc.kind === KIND_GLOBAL) writeGlobalType(s, imp.desc.global);
          else writeTableType(s, imp.desc.table);
        }
        break;
      case 3:
        s.u32(m.functions.length);
        for (const f of m.functions) s.u32(f);
        break;
      case 4:
        s.u32(m.tables.length);
        for (const t of m.tables) writeTableType(s, t);
        break;
      case 5:
        s.u32(m.memories.length);
        for (const l of m.memories) writeLimits(s, l);
        break;
      case 6:
        s.u32(m.globals.length);
        for (const g of m.globals) {
          writeGlobalType(s, g.type);
          writeExpr(s, g.init);
        }
        break;
      case 7:
        s.u32(m.exports.length);
        for (const e of m.exports) {
          s.name(e.name);
          s.byte(e.kind);
          s.u32(e.index);
        }
        break;
      case 8:
        s.u32(m.start ?? 0);
        break;
      case 9:
        s.u32(m.elements.length);
        for (const e of m.elements) {
          s.u32(e.table);
          writeExpr(s, e.offset);
          s.u32(e.funcs.length);
          for (const f of e.funcs) s.u32(f);
        }
        break;
      case 10:
        if (options.writeCode !== undefined) {
          options.writeCode(s);
        } else {
          s.u32(m.codes.length);
          for (const body of m.codes) writeBody(s, body, scratch);
        }
        break;
      case 11:
        s.u32(m.data.length);
        for (const d of m.data) {
          s.u32(d.memory);
          writeExpr(s, d.offset);
          s.u32(d.bytes.length);
          s.bytes(d.bytes);
        }
        break;
      case 12:
        s.u32(m.dataCount ?? 0);
        break;
    }
    out.byte(id);
    out.sized(s);
    emitCustoms(id);
  }
  // Custom sections recorded after a section id that is no longer emitted go at the end.
  const emitted = new Set(EMIT_ORDER.filter((id) => nonEmpty(id) || present.has(id)));
  for (const c of customs) {
    if (c.after !== 0 && !emitted.has(c.after)) {
      s.length = 0;
      s.name(c.name);
      s.bytes(c.payload);
      out.byte(0);
      out.sized(s);
    }
  }
  return out.finish();
}
