/**
 * Store-time checks (spec/contract-abi.md §2.2) and first-use checks (§2.3, §2.4) of src/vm/wasm.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { decodeModule } from "../../src/vm/wasm/decode.ts";
import { encodeModule } from "../../src/vm/wasm/encode.ts";
import { WasmError, type WasmErrorCode } from "../../src/vm/wasm/errors.ts";
import { floatFunctions, moduleHasFloats } from "../../src/vm/wasm/floats.ts";
import { KIND_MEMORY } from "../../src/vm/wasm/module.ts";
import {
  analyzeForUse,
  checkAtStore,
  rustDebugStr,
  supportedImportsV010,
  SUPPORTED_IMPORTS_V1,
  truncateRust,
} from "../../src/vm/wasm/validate.ts";
import { fixtureText, MVP_FEATURES, wat } from "./vmWasmHarness.ts";

const V1 = fixtureText("contract_v1.wat");
const V010 = fixtureText("contract_v010.wat");

/** A fixture with `replace` applied and `extra` spliced in before its final parenthesis. */
function build(
  base: string,
  extra: string,
  replace: Array<[string, string]> = [],
  features = MVP_FEATURES,
): Uint8Array {
  let text = base;
  for (const [from, to] of replace) {
    assert.ok(text.includes(from), `fixture has no ${from}`);
    text = text.replace(from, to);
  }
  return wat(text.slice(0, text.lastIndexOf(")")) + "\n" + extra + ")", features);
}
const v1With = (extra: string, replace: Array<[string, string]> = [], features = MVP_FEATURES): Uint8Array =>
  build(V1, extra, replace, features);
const v010With = (extra: string, replace: Array<[string, string]> = []): Uint8Array => build(V010, extra, replace);

function expectError(fn: () => unknown, code: WasmErrorCode, message: string): WasmError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof WasmError, String(e));
    assert.equal(e.code, code);
    assert.equal(e.message, message);
    return e;
  }
  assert.fail("no error");
}

const MEMORY = '(memory (export "memory") 17)';
const V010_EXPORTS_DEBUG =
  '[\\"cosmwasm_vm_version_3\\", \\"query\\", \\"init\\", \\"handle\\", \\"allocate\\", \\"deallocate\\"]';
const V1_EXPORTS_DEBUG = '[\\"interface_version_8\\", \\"allocate\\", \\"deallocate\\", \\"instantiate\\"]';
const quotedList = (items: readonly string[]): string => `[${items.map((i) => `\\"${i}\\"`).join(", ")}]`;
const errItem = (msg: string): string => `Err(StaticValidationErr { msg: "${msg}", backtrace: Backtrace(()) })`;
const notCosmwasm = (items: string[]): string =>
  "Contract is not CosmWasm v0.10 or v1. To support v0.10 please fix the former two errors, to supports v1 please fix the latter two errors: $[" +
  items.join(", ") +
  "]";
const missingV010 = (name: string): string =>
  errItem(`Wasm contract doesn't have required export: \\"${name}\\". Exports required by VM: ${V010_EXPORTS_DEBUG}.`);
const missingV1 = (name: string): string =>
  errItem(`Wasm contract doesn't have required export: \\"${name}\\". Exports required by VM: ${V1_EXPORTS_DEBUG}.`);
const unsupportedImport = (name: string, list: readonly string[]): string =>
  errItem(`Wasm contract requires unsupported import: \\"${name}\\". Imports supported by VM: ${quotedList(list)}.`);

describe("checkAtStore (§2.2)", () => {
  it("accepts the v1 and v0.10 fixtures", () => {
    const v1 = checkAtStore(wat(V1));
    assert.equal(v1.apiVersion, "v1");
    assert.deepEqual(v1.satisfies, { v010: false, v1: true });
    assert.deepEqual(v1.requiredFeatures, []);
    const v010 = checkAtStore(wat(V010));
    assert.equal(v010.apiVersion, "v0.10");
    assert.deepEqual(v010.satisfies, { v010: true, v1: false });
  });

  it("does not check floats, start functions, 193..512 pages, import signatures or type errors", () => {
    const stored = [
      v1With('(func (export "f") (param f64) (result f64) local.get 0 f64.sqrt)'),
      v1With("(func $s) (start $s)"),
      v1With("", [[MEMORY, '(memory (export "memory") 512)']]),
      v1With("", [["(func $debug (param i32))", "(func $debug (param i64 i64) (result f32))"]]),
    ];
    for (const bytes of stored) assert.equal(checkAtStore(bytes).apiVersion, "v1");
    // A type error (i32.add on an empty stack) is structural-only valid.
    const m = decodeModule(wat(V1));
    m.codes[1]!.code = [{ op: 0x6a, a: 0, b: 0, wide: 0n, labels: null }];
    assert.equal(checkAtStore(encodeModule(m)).apiVersion, "v1");
  });

  it("rule 1: undecodable code, with parity-wasm's text", () => {
    const simd = v1With('(func (export "s") (drop (i32x4.splat (i32.const 1))))', [], { ...MVP_FEATURES, simd: true });
    expectError(
      () => checkAtStore(simd),
      "WASM_DECODE",
      'Wasm bytecode could not be deserialized. Deserialization error: "Unknown opcode 253"',
    );
    const bulk = v1With('(func (export "b") (memory.fill (i32.const 0) (i32.const 0) (i32.const 0)))', [], {
      ...MVP_FEATURES,
      bulk_memory: true,
    });
    expectError(
      () => checkAtStore(bulk),
      "WASM_DECODE",
      'Wasm bytecode could not be deserialized. Deserialization error: "Unknown opcode 252"',
    );
  });

  it("accepts a data count section (parity-wasm 0.45 decodes it without bulk memory)", () => {
    const m = decodeModule(wat(V1));
    m.dataCount = 0;
    assert.equal(checkAtStore(encodeModule(m)).apiVersion, "v1");
  });

  it("rule 2: a memory section must exist; an imported memory does not count", () => {
    expectError(
      () => checkAtStore(wat("(module)")),
      "WASM_NO_MEMORY_SECTION",
      "Wasm contract doesn't have a memory section",
    );
    expectError(
      () => checkAtStore(v1With("", [[MEMORY, '(import "env" "memory" (memory 17))']])),
      "WASM_NO_MEMORY_SECTION",
      "Wasm contract doesn't have a memory section",
    );
  });

  it("rule 3: exactly one memory entry (two, or an empty memory section)", () => {
    const m = decodeModule(wat(V1));
    m.memories.push({ initial: 1, maximum: null });
    expectError(
      () => checkAtStore(encodeModule(m)),
      "WASM_MEMORY_COUNT",
      "Wasm contract must contain exactly one memory",
    );
    m.memories = [];
    expectError(
      () => checkAtStore(encodeModule(m)),
      "WASM_MEMORY_COUNT",
      "Wasm contract must contain exactly one memory",
    );
  });

  it("rule 4: at most 512 initial pages", () => {
    assert.equal(checkAtStore(v1With("", [[MEMORY, '(memory (export "memory") 512)']])).apiVersion, "v1");
    expectError(
      () => checkAtStore(v1With("", [[MEMORY, '(memory (export "memory") 513)']])),
      "WASM_MEMORY_TOO_LARGE",
      "Wasm contract memory's minimum must not exceed 512 pages.",
    );
  });

  it("rule 5: no maximum", () => {
    expectError(
      () => checkAtStore(v1With("", [[MEMORY, '(memory (export "memory") 17 192)']])),
      "WASM_MEMORY_MAX_SET",
      "Wasm contract memory's maximum must be unset. The host will set it for you.",
    );
  });

  it("rule 6: requires_* function exports must be supported (sorted list)", () => {
    expectError(
      () => checkAtStore(v1With('(func (export "requires_iterator"))')),
      "WASM_UNSUPPORTED_FEATURES",
      'Wasm contract requires unsupported features: {"iterator"}',
    );
    expectError(
      () =>
        checkAtStore(
          v1With(
            '(func (export "requires_iterator")) (func (export "requires_cosmwasm_1_1")) (func (export "requires_staking"))',
          ),
        ),
      "WASM_UNSUPPORTED_FEATURES",
      'Wasm contract requires unsupported features: {"cosmwasm_1_1", "iterator"}',
    );
    const ok = checkAtStore(
      v1With(
        '(func (export "requires_random")) (func (export "requires_staking")) (func (export "requires_stargate")) ' +
          '(func (export "requires_ibc3")) (func (export "requires_")) (global (export "requires_global") i32 (i32.const 0))',
      ),
    );
    assert.deepEqual(ok.requiredFeatures, ["ibc3", "random", "staking", "stargate"]);
    // Rule 6 precedes rule 7.
    expectError(
      () => checkAtStore(wat('(module (memory 1) (func (export "requires_x")))')),
      "WASM_UNSUPPORTED_FEATURES",
      'Wasm contract requires unsupported features: {"x"}',
    );
  });

  it("rule 7: missing exports, with upstream's four-result listing", () => {
    expectError(
      () => checkAtStore(v1With("", [['(export "instantiate")', '(export "instantiate_")']])),
      "WASM_NOT_COSMWASM",
      notCosmwasm([
        missingV010("cosmwasm_vm_version_3"),
        unsupportedImport("env.addr_validate", supportedImportsV010()),
        missingV1("instantiate"),
        "Ok(())",
      ]),
    );
    expectError(
      () => checkAtStore(wat("(module (memory 1))")),
      "WASM_NOT_COSMWASM",
      notCosmwasm([missingV010("cosmwasm_vm_version_3"), "Ok(())", missingV1("interface_version_8"), "Ok(())"]),
    );
    expectError(
      () => checkAtStore(v010With("", [['(export "handle")', '(export "handle2")']])),
      "WASM_NOT_COSMWASM",
      notCosmwasm([
        missingV010("handle"),
        "Ok(())",
        missingV1("interface_version_8"),
        unsupportedImport("env.canonicalize_address", SUPPORTED_IMPORTS_V1),
      ]),
    );
  });

  it("rule 7: unsupported and non-function imports", () => {
    expectError(
      () => checkAtStore(v1With("", [['(import "env" "debug"', '(import "env" "abort"']])),
      "WASM_NOT_COSMWASM",
      notCosmwasm([
        missingV010("cosmwasm_vm_version_3"),
        unsupportedImport("env.addr_validate", supportedImportsV010()),
        "Ok(())",
        unsupportedImport("env.abort", SUPPORTED_IMPORTS_V1),
      ]),
    );
    const nonFunction = errItem(
      'Wasm contract requires non-function import: \\"env.db_read\\". Right now, all supported imports are functions.',
    );
    expectError(
      () => checkAtStore(v010With("", [["(module", '(module (import "env" "db_read" (global $g i32))']])),
      "WASM_NOT_COSMWASM",
      notCosmwasm(["Ok(())", nonFunction, missingV1("interface_version_8"), nonFunction]),
    );
  });

  it("rule 7: env.debug_print only on debug-print builds, and only for v0.10", () => {
    const bytes = v010With("", [["(module", '(module (import "env" "debug_print" (func (param i32)))']]);
    expectError(
      () => checkAtStore(bytes),
      "WASM_NOT_COSMWASM",
      notCosmwasm([
        "Ok(())",
        unsupportedImport("env.debug_print", supportedImportsV010()),
        missingV1("interface_version_8"),
        unsupportedImport("env.debug_print", SUPPORTED_IMPORTS_V1),
      ]),
    );
    assert.equal(checkAtStore(bytes, { debugPrint: true }).apiVersion, "v0.10");
  });

  it("rule 7: a module satisfying both sets runs as the first marker in export order", () => {
    const both = v1With(
      '(func (export "cosmwasm_vm_version_3")) (func (export "init") (param i32 i32) (result i32) i32.const 0) (func (export "handle") (param i32 i32) (result i32) i32.const 0)',
    );
    const r = checkAtStore(both);
    assert.deepEqual(r.satisfies, { v010: false, v1: true });
    assert.equal(r.apiVersion, "v1");
    const first = v1With("", [
      ['(func (export "deallocate")', '(func (export "cosmwasm_vm_version_3")) (func (export "deallocate")'],
    ]);
    assert.equal(checkAtStore(first).apiVersion, "v0.10");
  });

  it("truncates messages to 4096 bytes like VmError::truncate_input", () => {
    const long = "x".repeat(5000);
    const e = expectError(
      () => checkAtStore(v1With("", [['(import "env" "debug"', `(import "env" "${long}"`]])),
      "WASM_NOT_COSMWASM",
      (() => {
        const full = notCosmwasm([
          missingV010("cosmwasm_vm_version_3"),
          unsupportedImport("env.addr_validate", supportedImportsV010()),
          "Ok(())",
          errItem(
            truncateRust(
              `Wasm contract requires unsupported import: "env.${long}". Imports supported by VM: ${JSON.stringify(SUPPORTED_IMPORTS_V1).replaceAll(",", ", ")}.`,
            ).replaceAll('"', '\\"'),
          ),
        ]);
        return full.slice(0, 4096);
      })(),
    );
    assert.equal(Buffer.byteLength(e.message), 4096);
  });
});

describe("Rust formatting helpers", () => {
  it("renders strings like <str as Debug>", () => {
    assert.equal(
      rustDebugStr('a"b\\c\n\t\r\0\u0001\u007f é \u00a0\u200b'),
      '"a\\"b\\\\c\\n\\t\\r\\0\\u{1}\\u{7f} é \\u{a0}\\u{200b}"',
    );
    assert.equal(rustDebugStr("\u0301x\u0301"), '"\\u{301}x\u0301"');
  });

  it("truncates at a character boundary", () => {
    assert.equal(truncateRust("ab", 1), "a");
    assert.equal(truncateRust("aé", 2), "a");
    assert.equal(truncateRust("aé", 3), "aé");
  });
});

// ---------------------------------------------------------------------------------------------------

const USE_V1 = (extra: string, replace: Array<[string, string]> = []): Uint8Array => v1With(extra, replace);

describe("analyzeForUse (§2.3)", () => {
  it("returns the API version, the random feature and the decoded module", () => {
    const a = analyzeForUse(wat(V1), { instantiate: true });
    assert.equal(a.apiVersion, "v1");
    assert.equal(a.randomEnabled, false);
    assert.equal(a.hasFloats, false);
    assert.deepEqual(a.floatFunctions, []);
    assert.equal(analyzeForUse(wat(V010), { instantiate: false }).apiVersion, "v0.10");
    assert.equal(analyzeForUse(USE_V1('(func (export "requires_random"))'), { instantiate: true }).randomEnabled, true);
  });

  it("refuses modules that do not validate (full validation)", () => {
    const m = decodeModule(wat(V1));
    m.codes[1]!.code = [{ op: 0x6a, a: 0, b: 0, wide: 0n, labels: null }];
    expectError(
      () => analyzeForUse(encodeModule(m), { instantiate: false }),
      "WASM_INVALID",
      "tried to load invalid wasm code",
    );
    expectError(
      () => analyzeForUse(Uint8Array.of(1, 2, 3), { instantiate: false }),
      "WASM_INVALID",
      "tried to load invalid wasm code",
    );
  });

  it("refuses a module without a marker; the first marker in export order wins", () => {
    expectError(
      () => analyzeForUse(wat("(module (memory 1))"), { instantiate: false }),
      "WASM_INVALID",
      "tried to load invalid wasm code",
    );
    const both = USE_V1("", [
      ['(func (export "deallocate")', '(func (export "cosmwasm_vm_version_3")) (func (export "deallocate")'],
    ]);
    assert.equal(analyzeForUse(both, { instantiate: false }).apiVersion, "v0.10");
    const later = USE_V1('(func (export "cosmwasm_vm_version_3"))');
    assert.equal(analyzeForUse(later, { instantiate: false }).apiVersion, "v1");
  });

  it("refuses a start function", () => {
    expectError(
      () => analyzeForUse(USE_V1("(func $s) (start $s)"), { instantiate: false }),
      "WASM_START_FUNCTION",
      "WasmModuleWithStart",
    );
  });

  it("refuses more than 192 initial pages, accepts 192", () => {
    expectError(
      () => analyzeForUse(USE_V1("", [[MEMORY, '(memory (export "memory") 193)']]), { instantiate: false }),
      "WASM_MEMORY_INIT",
      "failed to initialize wasm memory",
    );
    expectError(
      () => analyzeForUse(USE_V1("", [[MEMORY, '(memory (export "memory") 512)']]), { instantiate: true }),
      "WASM_MEMORY_INIT",
      "failed to initialize wasm memory",
    );
    assert.equal(
      analyzeForUse(USE_V1("", [[MEMORY, '(memory (export "memory") 192)']]), { instantiate: true }).apiVersion,
      "v1",
    );
  });

  it("refuses two memories (an imported plus a declared one; cannot pass the store rules)", () => {
    const m = decodeModule(wat(V1));
    m.imports.push({
      module: "env",
      name: "memory",
      desc: { kind: KIND_MEMORY, memory: { initial: 1, maximum: null } },
    });
    expectError(
      () => analyzeForUse(encodeModule(m), { instantiate: false }),
      "WASM_MEMORY_INIT",
      "failed to initialize wasm memory",
    );
  });

  it("refuses floats on instantiate only, and lists the float functions otherwise", () => {
    const bytes = USE_V1('(func (export "f") (param i32) (result i32) local.get 0 f32.convert_i32_s i32.trunc_f32_s)');
    expectError(
      () => analyzeForUse(bytes, { instantiate: true }),
      "WASM_FLOATS",
      "found floating point operation in module code",
    );
    const a = analyzeForUse(bytes, { instantiate: false });
    assert.equal(a.hasFloats, true);
    // 4 imports + 6 functions in the fixture: the added function is index 10.
    assert.deepEqual(a.floatFunctions, [10]);
  });
});

describe("float detection (walrus has_floats, §2.4)", () => {
  const floats = (body: string, extra = ""): boolean => {
    const m = decodeModule(wat(`(module ${extra} (memory 1) ${body})`));
    return moduleHasFloats(m);
  };
  const cases: Array<[string, string, boolean, string?]> = [
    ["no floats", "(func (result i32) i32.const 1)", false],
    ["f32.const", "(func f32.const 1 drop)", true],
    ["f64 load", "(func i32.const 0 f64.load drop)", true],
    ["f32 store", "(func i32.const 0 f32.const 0 f32.store)", true],
    ["comparison", "(func (param i32) local.get 0 f64.convert_i32_u f64.const 0 f64.lt drop)", true],
    [
      "i32.reinterpret_f32 alone counts",
      "(func (param i32) local.get 0 f32.reinterpret_i32 i32.reinterpret_f32 drop)",
      true,
    ],
    [
      "integer conversions do not",
      "(func (param i64) local.get 0 i32.wrap_i64 i64.extend_i32_s i64.extend32_s drop)",
      false,
    ],
    ["float parameter, unused", "(func (param f32))", true],
    ["float result alone does not", "(func (result f64) unreachable)", false],
    ["unused float local does not", "(func (local f64) i32.const 0 drop)", false],
    ["used float local", "(func (local f64) local.get 0 drop)", true],
    ["float local via tee (dead value)", "(func (local i32 f32) f32.const 0 local.tee 1 drop)", true],
    ["unused float global does not", "(func i32.const 0 drop)", false, "(global f32 (f32.const 1))"],
    ["float global read", "(func global.get 0 drop)", true, "(global f32 (f32.const 1))"],
    ["float global write", "(func f64.const 1 global.set 0)", true, "(global (mut f64) (f64.const 1))"],
    ["imported function with a float parameter", "(func)", true, '(import "env" "f" (func (param f32)))'],
    ["imported function with a float result", "(func)", true, '(import "env" "f" (func (result f64)))'],
    ["calling a float-returning function does not", "(func $g (result f32) unreachable) (func call $g drop)", false],
    ["dead code after return is not seen", "(func return f32.const 1 drop)", false],
    ["dead code after br is not seen", "(func block br 0 f64.const 1 drop end)", false],
    ["dead code after br_table is not seen", "(func block i32.const 0 br_table 0 f64.const 1 drop end)", false],
    ["dead code after unreachable is not seen", "(func unreachable f32.const 1 drop)", false],
    ["br_if does not end a sequence", "(func block i32.const 0 br_if 0 f32.const 1 drop end)", true],
    [
      "a block nested in dead code IS seen (walrus scans dangling sequences)",
      "(func return block f32.const 1 drop end)",
      true,
    ],
    ["an else arm after a dead then-arm is live", "(func i32.const 1 if return else f32.const 1 drop end)", true],
    ["code after a block whose body ended dead is live", "(func block br 0 end f32.const 1 drop)", true],
    ["dead else arm", "(func i32.const 1 if nop else unreachable f64.const 1 drop end)", false],
  ];
  for (const [title, body, expected, extra] of cases) {
    it(title, () => assert.equal(floats(body, extra ?? ""), expected));
  }

  it("lists the defined functions that use floats (function index space)", () => {
    const m = decodeModule(
      wat(`(module (import "env" "f" (func (param i32)))
        (func (param f64)) (func i32.const 1 drop) (func (local f32) local.get 0 drop) (func return f32.const 0 drop))`),
    );
    assert.deepEqual(floatFunctions(m), [1, 3]);
  });
});
