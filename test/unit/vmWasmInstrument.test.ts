/**
 * instrument(): behaviour preservation, gas against an independent reference model on random programs,
 * the call-stack budget, float traps, the memory maximum and the injected exports.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { decodeModule } from "../../src/vm/wasm/decode.ts";
import { WasmError } from "../../src/vm/wasm/errors.ts";
import {
  EXPORT_FLOAT_TRAP,
  EXPORT_GAS_LIMIT,
  EXPORT_GAS_LIMIT_EXHAUSTED,
  EXPORT_STACK_EXHAUSTED,
  EXPORT_STACK_USED,
  FRAME_OVERHEAD_SLOTS,
  instrument,
  planBody,
  STACK_SLOT_BUDGET,
} from "../../src/vm/wasm/instrument.ts";
import { functionTypes, KIND_GLOBAL } from "../../src/vm/wasm/module.ts";
import { prepareForUse } from "../../src/vm/wasm/prepare.ts";
import { analyzeForUse } from "../../src/vm/wasm/validate.ts";
import {
  exportedFunction,
  exportedGlobal,
  fixture,
  fixtureText,
  instantiate,
  meteredCall,
  meteredCallOn,
  randomProgram,
  WA,
  wat,
} from "./vmWasmHarness.ts";

describe("instrument: structure", () => {
  it("produces valid modules that export the counters and cap memory at 192 pages", () => {
    for (const name of ["contract_v1.wat", "contract_v010.wat", "gas_golden.wat", "kitchen_sink.wat"]) {
      const out = instrument(decodeModule(fixture(name)));
      assert.ok(WA.validate(out), name);
      const m = decodeModule(out);
      assert.deepEqual(
        m.exports.filter((e) => e.kind === KIND_GLOBAL).map((e) => e.name),
        [EXPORT_GAS_LIMIT, EXPORT_GAS_LIMIT_EXHAUSTED, EXPORT_STACK_USED, EXPORT_STACK_EXHAUSTED],
      );
      assert.ok(m.memories.every((l) => l.maximum === 192));
      assert.equal(m.customs.length, 0);
    }
  });

  it("does not modify its input", () => {
    const m = decodeModule(fixture("kitchen_sink.wat"));
    const before = structuredClone(m);
    instrument(m, { floatTraps: [5] });
    assert.deepEqual(m, before);
  });

  it("memory.grow beyond 192 pages returns -1", () => {
    const out = instrument(
      decodeModule(wat('(module (memory 1) (func (export "g") (param i32) (result i32) local.get 0 memory.grow))')),
    );
    assert.equal(meteredCall(out, "g", [191]).value, 1);
    assert.equal(meteredCall(out, "g", [192]).value, -1);
  });

  it("removes contract exports that collide with the injected names", () => {
    const out = instrument(decodeModule(wat('(module (memory 1) (func (export "gas_limit") (export "ok")))')));
    const ex = instantiate(out);
    assert.equal(typeof ex["ok"], "function");
    assert.equal(typeof ex[EXPORT_GAS_LIMIT], "object");
  });

  it("gas: false and depthLimit: false leave only the memory rewrite", () => {
    const out = instrument(decodeModule(fixture("gas_golden.wat")), { gas: false, depthLimit: false });
    const ex = instantiate(out);
    assert.equal(ex[EXPORT_GAS_LIMIT], undefined);
    assert.equal(ex[EXPORT_STACK_USED], undefined);
    assert.equal(exportedFunction(ex, "grow")(2), 1);
    assert.equal(exportedFunction(ex, "loop_n")(10), 55);
  });

  it("copies data (and element) sections verbatim: engines read segment flags where parity-wasm reads an index", () => {
    const section = (id: number, payload: number[]): number[] => [id, payload.length, ...payload];
    const body = (code: number[]): number[] => [code.length + 1, 0, ...code];
    const bytes = Uint8Array.from([
      ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
      ...section(1, [2, 0x60, 0, 1, 0x7f, 0x60, 1, 0x7f, 1, 0x7f]),
      ...section(3, [4, 0, 0, 1, 1]),
      ...section(4, [1, 0x70, 0, 2]),
      ...section(5, [1, 0, 1]),
      ...section(7, [2, 4, ...Buffer.from("load"), 0, 2, 4, ...Buffer.from("call"), 0, 3]),
      ...section(9, [1, 0, 0x41, 0, 0x0b, 2, 0, 1]),
      ...section(10, [
        4,
        ...body([0x41, 1, 0x0b]),
        ...body([0x41, 2, 0x0b]),
        ...body([0x20, 0, 0x2d, 0, 0, 0x0b]),
        ...body([0x20, 0, 0x11, 0, 0, 0x0b]),
      ]),
      // Data: flags 2 (explicit memory 0) at offset 16, which parity-wasm reads as "memory 2" with the
      // init expression `unreachable; i32.const 16`; then a passive segment (flags 1) whose 11 bytes
      // parity-wasm reads as "memory 1", an empty init expression and a 10-byte value.
      ...section(11, [
        2,
        2,
        0,
        0x41,
        16,
        0x0b,
        3,
        7,
        8,
        9,
        1,
        11,
        10,
        ...Array.from({ length: 10 }, (_, i) => 100 + i),
      ]),
    ]);
    assert.ok(WA.validate(bytes));
    const parsed = decodeModule(bytes);
    assert.deepEqual(
      parsed.data.map((d) => d.memory),
      [2, 1],
    );
    const out = instrument(parsed);
    assert.ok(WA.validate(out));
    const plain = instantiate(bytes);
    const metered = instantiate(out);
    for (const at of [0, 15, 16, 17, 18, 19, 30]) {
      exportedGlobal(metered, EXPORT_GAS_LIMIT).value = 1000n;
      assert.equal(exportedFunction(metered, "load")(at), exportedFunction(plain, "load")(at));
    }
    assert.equal(exportedFunction(metered, "load")(17), 8);
    assert.equal(exportedFunction(metered, "call")(1), 2);
    assert.equal(exportedFunction(metered, "call")(0), 1);
  });

  it("refuses nonsense options", () => {
    assert.throws(
      () => instrument(decodeModule(fixture("gas_golden.wat")), { depthLimit: 0 }),
      (e: unknown) => e instanceof WasmError && e.code === "WASM_INSTRUMENT",
    );
  });
});

describe("instrument: behaviour preservation", () => {
  it("kitchen sink: same results instrumented and not", () => {
    const bytes = fixture("kitchen_sink.wat");
    const plain = instantiate(bytes);
    const metered = instantiate(instrument(decodeModule(bytes)));
    for (const [name, args] of [
      ["fib", [15]],
      ["mix", [123456789, -5]],
      ["mix", [-7, 7]],
      ["wide", [0x7fffffffn]],
      ["wide", [-1n]],
      ["floaty", [2.5]],
      ["table", [0]],
      ["table", [1]],
      ["mem", [77]],
    ] as const) {
      exportedGlobal(metered, EXPORT_GAS_LIMIT).value = 1_000_000n;
      assert.deepEqual(exportedFunction(metered, name)(...args), exportedFunction(plain, name)(...args), name);
    }
    assert.throws(() => exportedFunction(metered, "table")(2), /table|bounds|index/i);
  });

  it("random structured programs: same result as uninstrumented, gas equal to the reference model", () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 1, max: 25 }), (seed, size) => {
        const program = randomProgram(seed, size);
        const bytes = wat(program.text);
        const plain = exportedFunction(instantiate(bytes), "main")();
        assert.equal(plain, program.result);
        const metered = instrument(decodeModule(bytes));
        const first = meteredCall(metered, "main");
        assert.equal(first.trap, null);
        assert.equal(first.value, program.result);
        assert.equal(first.gasUsed, program.gas, program.text);
        // Same gas again, and the exact limit suffices while one less does not.
        assert.equal(meteredCall(metered, "main", [], program.gas).remaining, 0n);
        const short = meteredCall(metered, "main", [], program.gas - 1n);
        assert.notEqual(short.trap, null);
        assert.ok(short.exhausted > short.remaining);
      }),
      { numRuns: 200 },
    );
  });
});

const RECURSION = `(module (memory 1)
  ;; frame: overhead 2 + 1 param + 0 locals + max height 2 = 5 slots
  (func $rec (export "rec") (param i32) (result i32)
    local.get 0
    i32.eqz
    if (result i32)
      i32.const 0
    else
      local.get 0
      i32.const 1
      i32.sub
      call $rec
      i32.const 1
      i32.add
    end)
  (func $forever (export "forever") call $forever)
  ;; exits through return, br / br_if / br_table to the function label, and falling off the end
  (func $exits (export "exits") (param i32) (result i32)
    (if (i32.eq (local.get 0) (i32.const 3)) (then (br 1 (i32.const 13))))
    (if (i32.eq (local.get 0) (i32.const 4)) (then (return (i32.const 14))))
    (if (i32.eq (local.get 0) (i32.const 5)) (then (br 1 (i32.const 15))))
    (block $b (result i32)
      (block $c (result i32)
        (br_table $c $b $b 2 (i32.const 20) (i32.sub (local.get 0) (i32.const 6))))
      drop
      (return (i32.const 10)))
    drop
    (drop (br_if 0 (i32.const 11) (i32.eq (local.get 0) (i32.const 7))))
    (i32.const 12))
  (func (export "exits_then_rec") (param i32) (result i32)
    (drop (call $exits (local.get 0)))
    (call $rec (i32.const 100)))
)`;

describe("instrument: call-stack budget", () => {
  const bytes = instrument(decodeModule(wat(RECURSION)));
  const maxFrames = Math.floor(STACK_SLOT_BUDGET / 5);

  it("computes the frame weight from params, locals and operand height", () => {
    const m = decodeModule(wat(RECURSION));
    const plan = planBody(m.codes[0]!.code, 1, functionTypes(m), m.types);
    assert.equal(plan.maxHeight, 2);
    assert.equal(FRAME_OVERHEAD_SLOTS, 2);
  });

  it(`allows ${maxFrames} active frames of a 5-slot function and traps at one more`, () => {
    const ok = meteredCall(bytes, "rec", [maxFrames - 1]);
    assert.equal(ok.trap, null);
    assert.equal(ok.value, maxFrames - 1);
    assert.equal(ok.stackUsed, 0);
    const over = meteredCall(bytes, "rec", [maxFrames]);
    assert.match(over.trap ?? "", /unreachable/);
    assert.equal(over.stackExhausted, 1);
    assert.equal(over.exhausted, 0n);
  });

  it("unbounded recursion traps deterministically, with the same gas every time", () => {
    const runs = [1, 2, 3].map(() => meteredCall(bytes, "forever"));
    for (const r of runs) {
      assert.equal(r.stackExhausted, 1);
      assert.equal(r.gasUsed, runs[0]!.gasUsed);
    }
    // forever: 1 instruction (2 gas) per frame; frame = 2 slots.
    assert.equal(runs[0]!.gasUsed, 2n * BigInt(STACK_SLOT_BUDGET / 2));
  });

  it("gives the frame back on every exit path", () => {
    const ex = instantiate(bytes);
    for (const [arg, result] of [
      [3, 13],
      [4, 14],
      [5, 15],
      [6, 10],
      [7, 11],
      [8, 12],
      [9, 20],
      [0, 20],
    ] as const) {
      const out = meteredCallOn(ex, "exits", [arg]);
      assert.equal(out.value, result);
      assert.equal(out.stackUsed, 0, `exit path ${arg}`);
    }
    assert.equal(meteredCallOn(ex, "exits_then_rec", [0]).value, 100);
    assert.equal(meteredCallOn(ex, "exits_then_rec", [0]).stackUsed, 0);
  });

  it("weighs frames: a function with 100 locals gets fewer frames", () => {
    const heavy = instrument(
      decodeModule(
        wat(`(module (memory 1) (func $h (export "h") (param i32) (result i32) (local ${"i64 ".repeat(100)})
          (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 0))
            (else (i32.add (call $h (i32.sub (local.get 0) (i32.const 1))) (i32.const 1))))))`),
      ),
    );
    // 2 + 1 + 100 + height 2 = 105 slots per frame: 73 frames fit.
    assert.equal(meteredCall(heavy, "h", [72]).trap, null);
    assert.equal(meteredCall(heavy, "h", [73]).stackExhausted, 1);
  });

  it("honours a custom budget", () => {
    const small = instrument(decodeModule(wat(RECURSION)), { depthLimit: 50 });
    assert.equal(meteredCall(small, "rec", [9]).trap, null);
    assert.equal(meteredCall(small, "rec", [10]).stackExhausted, 1);
  });
});

describe("instrument: float traps", () => {
  it("a listed function traps on entry before charging its body; others run", () => {
    const text = fixtureText("contract_v1.wat");
    const bytes = wat(
      text.slice(0, text.lastIndexOf(")")) +
        '(func (export "half") (param i32) (result i32) local.get 0 f32.convert_i32_s f32.const 0.5 f32.mul i32.trunc_f32_s)' +
        '(func (export "calls_half") (result i32) i32.const 8 call 10))',
    );
    const analysis = analyzeForUse(bytes, { instantiate: false });
    assert.deepEqual(analysis.floatFunctions, [10]);
    const out = instrument(analysis.module, { floatTraps: analysis.floatFunctions });
    const imports = {
      env: { db_read: () => 0, db_write: () => undefined, addr_validate: () => 0, debug: () => undefined },
    };
    const direct = meteredCall(out, "half", [8], 1000n, imports);
    assert.match(direct.trap ?? "", /unreachable/);
    assert.equal(direct.floatTrap, 11);
    assert.equal(direct.gasUsed, 0n);
    const nested = meteredCall(out, "calls_half", [], 1000n, imports);
    assert.equal(nested.floatTrap, 11);
    assert.equal(nested.gasUsed, 4n);
    const fine = meteredCall(out, "allocate", [10], 1000n, imports);
    assert.equal(fine.trap, null);
    assert.equal(fine.floatTrap, 0);
    assert.ok(EXPORT_FLOAT_TRAP in instantiate(out, imports));
  });
});

describe("prepareForUse", () => {
  it("analyses and instruments a stored contract in one step", () => {
    const text = fixtureText("contract_v1.wat");
    const bytes = wat(text.slice(0, text.lastIndexOf(")")) + '(func (export "f") (param f32)))');
    const prepared = prepareForUse(bytes, { instantiate: false });
    assert.equal(prepared.apiVersion, "v1");
    assert.deepEqual(prepared.floatFunctions, [10]);
    assert.ok(WA.validate(prepared.bytes));
    assert.throws(
      () => prepareForUse(bytes, { instantiate: true }),
      (e: unknown) => e instanceof WasmError && e.code === "WASM_FLOATS",
    );
    const clean = prepareForUse(wat(text), { instantiate: true });
    assert.equal(clean.hasFloats, false);
    const imports = {
      env: { db_read: () => 0, db_write: () => undefined, addr_validate: () => 0, debug: () => undefined },
    };
    const out = meteredCall(clean.bytes, "instantiate", [0, 0, 0], 1_000_000n, imports);
    assert.equal(out.trap, null);
    assert.equal(out.value, 1048576);
  });
});

describe("instrument: throughput", () => {
  it("instruments a ~200 KB module quickly", (t) => {
    const funcs: string[] = [];
    const moduleText = (): string =>
      `(module (memory 1) (func $h (param i32 i32) (result i32) local.get 0)\n${funcs.join("\n")})`;
    let bytes = wat(moduleText());
    for (let seed = 1; bytes.length < 200_000; seed++) {
      const text = randomProgram(seed, 40).text;
      const start = text.indexOf('(func (export "main")');
      funcs.push(text.slice(start, text.lastIndexOf(")")).replace('(export "main")', `(export "main${seed}")`));
      if (seed % 25 === 0) bytes = wat(moduleText());
    }
    const module = decodeModule(bytes);
    instrument(module);
    const rounds = 5;
    const start = performance.now();
    let out: Uint8Array = new Uint8Array(0);
    for (let i = 0; i < rounds; i++) out = instrument(module);
    const ms = (performance.now() - start) / rounds;
    const decodeStart = performance.now();
    for (let i = 0; i < rounds; i++) decodeModule(bytes);
    const decodeMs = (performance.now() - decodeStart) / rounds;
    t.diagnostic(
      `input ${bytes.length} bytes, ${module.codes.length} functions: decode ${decodeMs.toFixed(1)} ms, ` +
        `instrument ${ms.toFixed(1)} ms (${(bytes.length / 1e6 / (ms / 1000)).toFixed(1)} MB/s), output ${out.length} bytes`,
    );
    assert.ok(WA.validate(out));
    assert.ok(ms < 2000);
  });
});
