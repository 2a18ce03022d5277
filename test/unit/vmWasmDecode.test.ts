/**
 * The structural decoder/encoder of src/vm/wasm: round trips, parity-wasm 0.45 (`sign_ext` only)
 * acceptance and error texts, LEB128 edge cases and hostile input.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { decodeModule } from "../../src/vm/wasm/decode.ts";
import { encodeModule } from "../../src/vm/wasm/encode.ts";
import { WasmError } from "../../src/vm/wasm/errors.ts";
import { KIND_FUNC, type WasmModule } from "../../src/vm/wasm/module.ts";
import { OP_BR_TABLE, OP_F64_CONST, OP_I32_CONST, OP_I64_CONST } from "../../src/vm/wasm/opcodes.ts";
import { exportedFunction, fixture, instantiate, WA, wat } from "./vmWasmHarness.ts";

// --- a tiny hand assembler for malformed modules --------------------------------------------------

function leb(n: number): number[] {
  const out: number[] = [];
  let x = n >>> 0;
  do {
    let b = x & 0x7f;
    x >>>= 7;
    if (x !== 0) b |= 0x80;
    out.push(b);
  } while (x !== 0);
  return out;
}
const str = (s: string): number[] => [...leb(Buffer.byteLength(s)), ...Buffer.from(s)];
const vec = (items: number[][]): number[] => [...leb(items.length), ...items.flat()];
const section = (id: number, payload: number[]): number[] => [id, ...leb(payload.length), ...payload];
const HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
const mod = (...sections: number[][]): Uint8Array => Uint8Array.from([...HEADER, ...sections.flat()]);
/** `(type (func))`, one function of that type with the given raw body (locals + code + end). */
function withBody(body: number[], extra: number[][] = []): Uint8Array {
  return mod(
    section(1, vec([[0x60, 0, 0]])),
    section(3, vec([[0]])),
    ...extra,
    section(10, vec([[...leb(body.length), ...body]])),
  );
}

function decodeError(bytes: Uint8Array): string {
  try {
    decodeModule(bytes);
  } catch (err) {
    assert.ok(err instanceof WasmError, `not a WasmError: ${String(err)}`);
    assert.equal(err.code, "WASM_DECODE");
    const parser = err.details?.["parserMessage"];
    assert.equal(typeof parser, "string");
    assert.equal(err.message, `Wasm bytecode could not be deserialized. Deserialization error: "${String(parser)}"`);
    return String(parser);
  }
  assert.fail("decoded without error");
}

// --- round trips ----------------------------------------------------------------------------------

const ROUND_TRIP_FIXTURES = ["contract_v1.wat", "contract_v010.wat", "gas_golden.wat", "kitchen_sink.wat"];

describe("decode → encode", () => {
  for (const name of ROUND_TRIP_FIXTURES) {
    it(`reproduces ${name} byte for byte and the result validates`, () => {
      const bytes = fixture(name);
      const again = encodeModule(decodeModule(bytes));
      assert.deepEqual(again, bytes);
      assert.ok(WA.validate(again));
    });
  }

  it("keeps custom sections in place and can drop them", () => {
    const bytes = mod(
      section(0, [...str("first"), 1, 2, 3]),
      section(1, vec([[0x60, 0, 0]])),
      section(0, [...str("name"), 9]),
      section(3, vec([[0]])),
      section(10, vec([[2, 0, 0x0b]])),
      section(0, [...str("last")]),
    );
    const m = decodeModule(bytes);
    assert.deepEqual(
      m.customs.map((c) => [c.name, c.after, [...c.payload]]),
      [
        ["first", 0, [1, 2, 3]],
        ["name", 1, [9]],
        ["last", 10, []],
      ],
    );
    assert.deepEqual(encodeModule(m), bytes);
    const dropped = decodeModule(encodeModule(m, { dropCustomSections: true }));
    assert.equal(dropped.customs.length, 0);
  });

  it("normalises over-long LEB128 encodings and keeps empty sections", () => {
    // An empty memory section and a body whose local count is padded.
    const bytes = mod(
      section(1, vec([[0x60, 0, 0]])),
      section(3, vec([[0]])),
      section(5, [0]),
      section(10, vec([[4, 0x80, 0x00, 0x01, 0x0b]])),
    );
    const m = decodeModule(bytes);
    assert.deepEqual(m.sectionIds, [1, 3, 5, 10]);
    const again = encodeModule(m);
    assert.deepEqual(decodeModule(again).sectionIds, [1, 3, 5, 10]);
    assert.equal(again.length, bytes.length - 1);
  });

  it("behaves identically after the round trip", () => {
    const bytes = fixture("kitchen_sink.wat");
    const a = instantiate(bytes);
    const b = instantiate(encodeModule(decodeModule(bytes)));
    for (const [name, args] of [
      ["fib", [20]],
      ["mix", [123456789, -5]],
      ["wide", [0x7fffffffn]],
      ["floaty", [2.5]],
      ["table", [1]],
      ["table", [0]],
      ["mem", [77]],
    ] as const) {
      assert.deepEqual(exportedFunction(b, name)(...args), exportedFunction(a, name)(...args), name);
    }
  });

  it("decodes immediates of every kind", () => {
    const m = decodeModule(
      wat(`(module (memory 1) (func (param i32) (result i32)
        (block (block (br_table 0 1 0 (local.get 0))))
        (drop (i64.const -9223372036854775808)) (drop (i64.const 9223372036854775807))
        (drop (f64.const -0x1.8p+1)) (drop (i32.const -2147483648))
        (i32.load8_u offset=4294967295 align=1 (i32.const 0))))`),
    );
    const code = m.codes[0]!.code;
    const brTable = code.find((i) => i.op === OP_BR_TABLE)!;
    assert.deepEqual(brTable.labels, [0, 1]);
    assert.equal(brTable.a, 0);
    assert.deepEqual(
      code.filter((i) => i.op === OP_I64_CONST).map((i) => i.wide),
      [-9223372036854775808n, 9223372036854775807n],
    );
    assert.equal(code.find((i) => i.op === OP_F64_CONST)!.wide, 0xc008000000000000n);
    assert.equal(code.find((i) => i.op === OP_I32_CONST && i.a < 0)!.a, -2147483648);
    const load = code.find((i) => i.op === 0x2d)!;
    assert.deepEqual([load.a, load.b], [0, 4294967295]);
  });
});

// --- parity-wasm acceptance -------------------------------------------------------------------------

describe("refusals with parity-wasm's texts", () => {
  const cases: Array<[string, () => Uint8Array, string]> = [
    ["empty input", () => new Uint8Array(0), "I/O Error: UnexpectedEof"],
    ["bad magic", () => Uint8Array.from([0, 0x61, 0x73, 0x6e, 1, 0, 0, 0]), "Invalid magic number at start of file"],
    ["version 2", () => Uint8Array.from([0, 0x61, 0x73, 0x6d, 2, 0, 0, 0]), "Unsupported wasm version 2"],
    ["truncated version", () => Uint8Array.from([0, 0x61, 0x73, 0x6d, 1, 0]), "I/O Error: UnexpectedEof"],
    [
      "bulk memory (memory.fill)",
      () =>
        wat("(module (memory 1) (func (memory.fill (i32.const 0) (i32.const 0) (i32.const 0))))", {
          bulk_memory: true,
        }),
      "Unknown opcode 252",
    ],
    [
      "saturating truncation",
      () => wat("(module (func (drop (i32.trunc_sat_f32_s (f32.const 1)))))", { sat_float_to_int: true }),
      "Unknown opcode 252",
    ],
    ["SIMD", () => wat("(module (func (drop (i32x4.splat (i32.const 1)))))", { simd: true }), "Unknown opcode 253"],
    ["atomics (fence)", () => wat("(module (func atomic.fence))", { threads: true }), "Unknown opcode 254"],
    ["shared memory", () => wat("(module (memory 1 1 shared))", { threads: true }), "Invalid limits flags (3)"],
    [
      "multi-value function type",
      () => wat("(module (func (result i32 i32) (i32.const 1) (i32.const 2)))", { multi_value: true }),
      "Enable the multi_value feature to deserialize more than one function result",
    ],
    [
      "multi-value block type",
      () =>
        wat("(module (type (func (param i32))) (func (i32.const 1) (block (type 0) (param i32) drop)))", {
          multi_value: true,
        }),
      "Invalid or unknown block type 0",
    ],
    [
      "typed select",
      () =>
        wat("(module (func (result i32) (select (result i32) (i32.const 1) (i32.const 2) (i32.const 0))))", {
          reference_types: true,
        }),
      "Unknown opcode 28",
    ],
    ["ref.null", () => wat("(module (func (drop (ref.null func))))", { reference_types: true }), "Unknown opcode 208"],
    [
      "table.get",
      () => wat("(module (table 1 funcref) (func (drop (table.get 0 (i32.const 0)))))", { reference_types: true }),
      "Unknown opcode 37",
    ],
    [
      "externref table",
      () => wat("(module (table 1 externref))", { reference_types: true }),
      "Unknown table element type -17",
    ],
    [
      "externref parameter",
      () => wat("(module (func (param externref)))", { reference_types: true }),
      "Invalid or unknown value type -17",
    ],
    ["v128 parameter", () => wat("(module (func (param v128)))", { simd: true }), "Invalid or unknown value type -5"],
    ["section id 13", () => mod(section(13, [])), "Invalid section id: 13"],
    ["sections out of order", () => mod(section(3, vec([])), section(1, vec([]))), "Sections out of order"],
    ["duplicated type section", () => mod(section(1, vec([])), section(1, vec([]))), "Duplicated sections (1)"],
    [
      "duplicated code section (order 11)",
      () => mod(section(10, vec([])), section(10, vec([]))),
      "Duplicated sections (11)",
    ],
    ["data count after code", () => mod(section(10, vec([])), section(12, [0])), "Sections out of order"],
    ["truncated section", () => Uint8Array.from([...HEADER, 1, 5, 0]), "I/O Error: UnexpectedEof"],
    ["section longer than its content", () => mod(section(1, [0, 0])), "I/O Error: InvalidData"],
    ["bytes after a function's last end", () => withBody([0, 0x0b, 0x01]), "I/O Error: InvalidData"],
    ["function body without its end", () => withBody([0, 0x02, 0x40, 0x0b]), "I/O Error: UnexpectedEof"],
    [
      "functions without bodies",
      () => mod(section(1, vec([[0x60, 0, 0]])), section(3, vec([[0]]))),
      "Number of function body entries and signatures does not match",
    ],
    [
      "bodies without functions",
      () => mod(section(10, vec([[2, 0, 0x0b]]))),
      "Number of function body entries and signatures does not match",
    ],
    ["unknown function form", () => mod(section(1, vec([[0x61, 0, 0]]))), "Unknown function form (97)"],
    ["non-UTF-8 export name", () => mod(section(7, vec([[1, 0xff, 0, 0]]))), "Non-UTF-8 string"],
    ["non-UTF-8 custom section name", () => mod(section(0, [2, 0xc3, 0x28])), "Non-UTF-8 string"],
    ["empty custom section", () => mod(section(0, [])), "I/O Error: UnexpectedEof"],
    [
      "unknown import kind",
      () => mod(section(2, vec([[...str("env"), ...str("x"), 4, 0]]))),
      "Unknown external kind 4",
    ],
    ["unknown export kind", () => mod(section(7, vec([[...str("x"), 5, 0]]))), "Unknown internal kind 5"],
    ["global mutability 2", () => mod(section(6, vec([[0x7f, 2, 0x41, 0, 0x0b]]))), "Not an unsigned 1-bit integer: 2"],
    ["continued value type byte", () => mod(section(1, vec([[0x60, 1, 0xff, 0]]))), "Not a signed 7-bit integer: 255"],
    ["call_indirect table 1", () => withBody([0, 0x41, 0, 0x11, 0, 1, 0x0b]), "Invalid table reference (1)"],
    ["memory.grow reserved byte 1", () => withBody([0, 0x41, 0, 0x40, 1, 0x1a, 0x0b]), "Invalid memory reference (1)"],
    ["too many locals", () => withBody([2, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x7f, 1, 0x7f, 0x0b]), "Too many locals"],
    [
      "u32 LEB with a 6th byte",
      () => withBody([0, 0x10, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00, 0x0b]),
      "Not an unsigned 32-bit integer",
    ],
    [
      "u32 LEB overflowing in its 5th byte",
      () => withBody([0, 0x10, 0x80, 0x80, 0x80, 0x80, 0x10, 0x0b]),
      "Not a signed 32-bit integer",
    ],
    [
      "i32 LEB bad 5th byte (positive)",
      () => withBody([0, 0x41, 0x80, 0x80, 0x80, 0x80, 0x08, 0x1a, 0x0b]),
      "Not a signed 32-bit integer",
    ],
    [
      "i32 LEB bad 5th byte (negative)",
      () => withBody([0, 0x41, 0x80, 0x80, 0x80, 0x80, 0x77, 0x1a, 0x0b]),
      "Not a signed 32-bit integer",
    ],
    [
      "i64 LEB bad 10th byte",
      () => withBody([0, 0x42, ...Array(9).fill(0x80), 0x01, 0x1a, 0x0b]),
      "Not a signed 64-bit integer",
    ],
    [
      "i64 LEB with an 11th byte",
      () => withBody([0, 0x42, ...Array(10).fill(0x80), 0x00, 0x1a, 0x0b]),
      "Not a signed 64-bit integer",
    ],
  ];
  for (const [title, build, expected] of cases) {
    it(title, () => assert.equal(decodeError(build()), expected));
  }
});

describe("accepted like parity-wasm", () => {
  it("accepts sign-extension operators", () => {
    const m = decodeModule(wat("(module (func (param i64) (result i64) (i64.extend32_s (local.get 0))))"));
    assert.equal(m.codes[0]!.code[1]!.op, 0xc4);
  });

  it("accepts a data count section (parity-wasm decodes it without bulk memory)", () => {
    const m = decodeModule(wat('(module (memory 1) (data (i32.const 0) "ab"))'));
    m.dataCount = 1;
    m.sectionIds = [];
    const bytes = encodeModule(m);
    const again = decodeModule(bytes);
    assert.equal(again.dataCount, 1);
    assert.ok(WA.validate(bytes));
  });

  it("accepts over-long LEB128 and valid 5-byte/10-byte edge values", () => {
    const m = decodeModule(
      withBody([
        0,
        0x41,
        0xff,
        0xff,
        0xff,
        0xff,
        0x07,
        0x1a,
        0x41,
        0x80,
        0x80,
        0x80,
        0x80,
        0x78,
        0x1a,
        0x42,
        ...Array(9).fill(0xff),
        0x7f,
        0x1a,
        0x42,
        ...Array(9).fill(0x80),
        0x00,
        0x1a,
        0x10,
        0x80,
        0x80,
        0x00,
        0x0b,
      ]),
    );
    const code = m.codes[0]!.code;
    assert.equal(code[0]!.a, 2147483647);
    assert.equal(code[2]!.a, -2147483648);
    assert.equal(code[4]!.wide, -1n);
    assert.equal(code[6]!.wide, 0n);
    assert.equal(code[8]!.a, 0);
  });

  it("is structural only: type errors, dangling indices and stray else decode", () => {
    const m = decodeModule(withBody([0, 0x6a, 0x10, 0x63, 0x05, 0x05, 0x20, 0x99, 0x01, 0x0b]));
    assert.deepEqual(
      m.codes[0]!.code.map((i) => i.op),
      [0x6a, 0x10, 0x05, 0x05, 0x20],
    );
  });

  it("reads MVP element and data segments (first field is an index), init exprs up to the first end", () => {
    const bytes = mod(
      section(9, vec([[5, 0x02, 0x40, 0x0b, ...leb(2), 1, 2]])),
      section(11, vec([[1, 0x6a, 0x6a, 0x0b, 3, 7, 8, 9]])),
    );
    const m = decodeModule(bytes);
    assert.deepEqual(m.elements[0], {
      table: 5,
      offset: [{ op: 2, a: -64, b: 0, wide: 0n, labels: null }],
      funcs: [1, 2],
    });
    assert.equal(m.data[0]!.memory, 1);
    assert.deepEqual([...m.data[0]!.bytes], [7, 8, 9]);
    assert.deepEqual(encodeModule(m), bytes);
  });

  it("keeps imports, exports, tables and globals", () => {
    const m: WasmModule = decodeModule(fixture("contract_v1.wat"));
    assert.ok(m.imports.every((i) => i.module === "env" && i.desc.kind === KIND_FUNC));
    assert.ok(m.exports.some((e) => e.name === "interface_version_8"));
  });
});

// --- hostile input ------------------------------------------------------------------------------------

describe("hostile input", () => {
  it("refuses inputs over the size cap", () => {
    assert.throws(
      () => decodeModule(new Uint8Array(1025), { maxBytes: 1024 }),
      (err: unknown) => err instanceof WasmError && err.code === "WASM_TOO_LARGE",
    );
  });

  it("fails fast on huge declared counts and lengths", () => {
    const start = performance.now();
    assert.equal(decodeError(mod(section(1, [0xff, 0xff, 0xff, 0xff, 0x0f]))), "I/O Error: UnexpectedEof");
    assert.equal(
      decodeError(Uint8Array.from([...HEADER, 0, 0xff, 0xff, 0xff, 0xff, 0x0f])),
      "I/O Error: UnexpectedEof",
    );
    assert.equal(decodeError(withBody([0, 0x0e, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x0b])), "I/O Error: UnexpectedEof");
    assert.ok(performance.now() - start < 100);
  });

  it("decodes 500,000 nested blocks without recursion", () => {
    const depth = 500_000;
    const body = new Uint8Array(1 + depth * 3 + 1);
    body[0] = 0;
    for (let i = 0; i < depth; i++) {
      body[1 + i * 2] = 0x02;
      body[2 + i * 2] = 0x40;
    }
    body.fill(0x0b, 1 + depth * 2);
    const bytes = withBody([...body]);
    const m = decodeModule(bytes);
    assert.equal(m.codes[0]!.code.length, depth * 2);
    assert.deepEqual(encodeModule(m), bytes);
  });

  it("never throws anything but a WasmError on random or mutated input", () => {
    const seed = fixture("kitchen_sink.wat");
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 200 }).map((b) => Uint8Array.from([...HEADER, ...b])),
          fc
            .array(fc.tuple(fc.nat(seed.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 })
            .map((edits) => {
              const b = seed.slice();
              for (const [at, v] of edits) b[at] = v;
              return b;
            }),
          fc.nat(seed.length).map((n) => seed.slice(0, n)),
        ),
        (bytes) => {
          let m: WasmModule;
          try {
            m = decodeModule(bytes);
          } catch (err) {
            assert.ok(err instanceof WasmError, String(err));
            return;
          }
          // Whatever decodes re-encodes to something that decodes to the same model (the raw segment
          // bytes may differ where the input used over-long LEB128).
          const again = decodeModule(encodeModule(m));
          assert.deepEqual({ ...again, rawSegments: null }, { ...m, rawSegments: null });
        },
      ),
      { numRuns: 1500 },
    );
  });
});
