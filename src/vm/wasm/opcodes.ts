/**
 * Opcodes of WebAssembly MVP plus the sign-extension operators (0xC0–0xC4): every one is a single byte.
 * Nothing else is decoded (no 0xFC/0xFD/0xFE prefixes, no reference-type or exception opcodes), exactly
 * like parity-wasm 0.45 built with only its `sign_ext` feature.
 */

export const OP_UNREACHABLE = 0x00;
export const OP_NOP = 0x01;
export const OP_BLOCK = 0x02;
export const OP_LOOP = 0x03;
export const OP_IF = 0x04;
export const OP_ELSE = 0x05;
export const OP_END = 0x0b;
export const OP_BR = 0x0c;
export const OP_BR_IF = 0x0d;
export const OP_BR_TABLE = 0x0e;
export const OP_RETURN = 0x0f;
export const OP_CALL = 0x10;
export const OP_CALL_INDIRECT = 0x11;
export const OP_DROP = 0x1a;
export const OP_SELECT = 0x1b;
export const OP_LOCAL_GET = 0x20;
export const OP_LOCAL_SET = 0x21;
export const OP_LOCAL_TEE = 0x22;
export const OP_GLOBAL_GET = 0x23;
export const OP_GLOBAL_SET = 0x24;
export const OP_I32_LOAD = 0x28;
export const OP_I64_STORE32 = 0x3e;
export const OP_MEMORY_SIZE = 0x3f;
export const OP_MEMORY_GROW = 0x40;
export const OP_I32_CONST = 0x41;
export const OP_I64_CONST = 0x42;
export const OP_F32_CONST = 0x43;
export const OP_F64_CONST = 0x44;
export const OP_I32_ADD = 0x6a;
export const OP_I32_SUB = 0x6b;
export const OP_I32_GT_U = 0x4b;
export const OP_I64_LT_U = 0x54;
export const OP_I64_SUB = 0x7d;
export const OP_I64_MUL = 0x7e;
export const OP_I64_EXTEND_I32_S = 0xac;

/** Value types (their one-byte encodings). */
export const I32 = 0x7f;
export const I64 = 0x7e;
export const F32 = 0x7d;
export const F64 = 0x7c;
/** The only table element type parity-wasm 0.45 knows. */
export const FUNCREF = 0x70;
/** `func` type form. */
export const FUNC_FORM = 0x60;

/**
 * Block types are kept as parity-wasm decodes them: a signed LEB128 integer. -64 (byte 0x40) is the
 * empty type; -1..-4 are i32, i64, f32, f64.
 */
export const BLOCK_EMPTY = -64;

/** Immediate layouts. */
export const IMM_NONE = 0;
export const IMM_BLOCK = 1;
export const IMM_LABEL = 2;
export const IMM_BR_TABLE = 3;
export const IMM_FUNC = 4;
export const IMM_CALL_INDIRECT = 5;
export const IMM_LOCAL = 6;
export const IMM_GLOBAL = 7;
export const IMM_MEMARG = 8;
/** `memory.size` / `memory.grow`: one reserved byte that must be 0. */
export const IMM_MEMIDX = 9;
export const IMM_I32 = 10;
export const IMM_I64 = 11;
export const IMM_F32 = 12;
export const IMM_F64 = 13;
export const IMM_INVALID = 255;

/** Immediate layout of each opcode byte; IMM_INVALID for bytes outside MVP + sign-ext. */
export const IMMEDIATES: Uint8Array = (() => {
  const t = new Uint8Array(256).fill(IMM_INVALID);
  t[OP_UNREACHABLE] = IMM_NONE;
  t[OP_NOP] = IMM_NONE;
  t[OP_BLOCK] = IMM_BLOCK;
  t[OP_LOOP] = IMM_BLOCK;
  t[OP_IF] = IMM_BLOCK;
  t[OP_ELSE] = IMM_NONE;
  t[OP_END] = IMM_NONE;
  t[OP_BR] = IMM_LABEL;
  t[OP_BR_IF] = IMM_LABEL;
  t[OP_BR_TABLE] = IMM_BR_TABLE;
  t[OP_RETURN] = IMM_NONE;
  t[OP_CALL] = IMM_FUNC;
  t[OP_CALL_INDIRECT] = IMM_CALL_INDIRECT;
  t[OP_DROP] = IMM_NONE;
  t[OP_SELECT] = IMM_NONE;
  t[OP_LOCAL_GET] = IMM_LOCAL;
  t[OP_LOCAL_SET] = IMM_LOCAL;
  t[OP_LOCAL_TEE] = IMM_LOCAL;
  t[OP_GLOBAL_GET] = IMM_GLOBAL;
  t[OP_GLOBAL_SET] = IMM_GLOBAL;
  for (let op = OP_I32_LOAD; op <= OP_I64_STORE32; op++) t[op] = IMM_MEMARG;
  t[OP_MEMORY_SIZE] = IMM_MEMIDX;
  t[OP_MEMORY_GROW] = IMM_MEMIDX;
  t[OP_I32_CONST] = IMM_I32;
  t[OP_I64_CONST] = IMM_I64;
  t[OP_F32_CONST] = IMM_F32;
  t[OP_F64_CONST] = IMM_F64;
  for (let op = 0x45; op <= 0xc4; op++) t[op] = IMM_NONE;
  return t;
})();

/**
 * Operand-stack effect of the opcodes whose effect does not depend on types or labels, as
 * `pops * 16 + pushes`; 0xff for the others (control, calls, variable ones).
 */
export const SIMPLE_STACK_EFFECT: Uint8Array = (() => {
  const t = new Uint8Array(256).fill(0xff);
  const set = (from: number, to: number, pops: number, pushes: number): void => {
    for (let op = from; op <= to; op++) t[op] = pops * 16 + pushes;
  };
  set(OP_NOP, OP_NOP, 0, 0);
  set(OP_DROP, OP_DROP, 1, 0);
  set(OP_SELECT, OP_SELECT, 3, 1);
  set(OP_LOCAL_GET, OP_LOCAL_GET, 0, 1);
  set(OP_LOCAL_SET, OP_LOCAL_SET, 1, 0);
  set(OP_LOCAL_TEE, OP_LOCAL_TEE, 1, 1);
  set(OP_GLOBAL_GET, OP_GLOBAL_GET, 0, 1);
  set(OP_GLOBAL_SET, OP_GLOBAL_SET, 1, 0);
  set(0x28, 0x35, 1, 1); // loads
  set(0x36, 0x3e, 2, 0); // stores
  set(OP_MEMORY_SIZE, OP_MEMORY_SIZE, 0, 1);
  set(OP_MEMORY_GROW, OP_MEMORY_GROW, 1, 1);
  set(OP_I32_CONST, OP_F64_CONST, 0, 1);
  set(0x45, 0x45, 1, 1); // i32.eqz
  set(0x46, 0x4f, 2, 1); // i32 comparisons
  set(0x50, 0x50, 1, 1); // i64.eqz
  set(0x51, 0x66, 2, 1); // i64, f32, f64 comparisons
  set(0x67, 0x69, 1, 1); // i32 clz ctz popcnt
  set(0x6a, 0x78, 2, 1); // i32 binary
  set(0x79, 0x7b, 1, 1); // i64 clz ctz popcnt
  set(0x7c, 0x8a, 2, 1); // i64 binary
  set(0x8b, 0x91, 1, 1); // f32 unary
  set(0x92, 0x98, 2, 1); // f32 binary
  set(0x99, 0x9f, 1, 1); // f64 unary
  set(0xa0, 0xa6, 2, 1); // f64 binary
  set(0xa7, 0xbf, 1, 1); // conversions
  set(0xc0, 0xc4, 1, 1); // sign extension
  return t;
})();

/**
 * Opcodes walrus 0.19 (`scrtlabs/walrus` v0.19.0-secret.1) classifies as floating point by themselves:
 * f32/f64 loads, stores and constants, every f32/f64 comparison and arithmetic operator, and every
 * conversion or reinterpretation with a float operand or result. (Local and global accesses count by
 * the type of the variable, see `floats.ts`.)
 */
export const FLOAT_OPCODE: Uint8Array = (() => {
  const t = new Uint8Array(256);
  for (const op of [0x2a, 0x2b, 0x38, 0x39, 0x43, 0x44]) t[op] = 1;
  for (let op = 0x5b; op <= 0x66; op++) t[op] = 1;
  for (let op = 0x8b; op <= 0xa6; op++) t[op] = 1;
  for (let op = 0xa8; op <= 0xbf; op++) if (op !== 0xac && op !== 0xad) t[op] = 1;
  return t;
})();

/** Value-type byte → name (for messages and tests). */
export function valTypeName(t: number): string {
  switch (t) {
    case I32:
      return "i32";
    case I64:
      return "i64";
    case F32:
      return "f32";
    case F64:
      return "f64";
    default:
      return `0x${t.toString(16)}`;
  }
}

export function isFloatType(t: number): boolean {
  return t === F32 || t === F64;
}

/** Number of values a block type yields (0 or 1 in MVP). */
export function blockArity(blockType: number): number {
  return blockType === BLOCK_EMPTY ? 0 : 1;
}
