/**
 * Gas, out-of-gas points and the call-stack budget are the same on every V8 tier: this file runs the
 * same measurements in child processes started with `--liftoff-only`, `--no-liftoff` (TurboFan only)
 * and `--wasm-lazy-compilation`, and compares them with an in-process run (default dynamic tiering).
 * Run as a child (VMGAS_TIER_CHILD=1) it prints its measurements as JSON.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { decodeModule } from "../../src/vm/wasm/decode.ts";
import { instrument } from "../../src/vm/wasm/instrument.ts";
import { fixture, meteredCall, randomProgram, wat, type CallOutcome } from "../unit/vmWasmHarness.ts";

const RECURSION = `(module (memory 1)
  (func $rec (export "rec") (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0))
      (then (i32.const 0))
      (else (i32.add (call $rec (i32.sub (local.get 0) (i32.const 1))) (i32.const 1)))))
  (func $forever (export "forever") call $forever)
  (func $heavy (export "heavy") (param i64) (result i64) (local i64 i64 i64 i64 i64 i64 i64 i64)
    (local.set 1 (i64.mul (local.get 0) (i64.const 3)))
    (call $heavy (i64.add (local.get 1) (i64.const 1)))))`;

function summary(o: CallOutcome): string {
  return [String(o.value), o.trap === null ? "ok" : "trap", o.gasUsed, o.exhausted, o.stackExhausted].join("|");
}

function measure(): string[] {
  const out: string[] = [];
  const golden = instrument(decodeModule(fixture("gas_golden.wat")));
  const calls: Array<[string, unknown[], bigint?]> = [
    ["straight", []],
    ["nested", [], 9n],
    ["loop_n", [200_000]],
    ["loop_n", [3], 57n],
    ["if_else", [0]],
    ["dead_br", []],
    ["br_table", [1]],
    ["grow", [3]],
    ["grow", [1], 8223n],
    ["grow", [-1], 1000n],
    ["calls", [], 25n],
  ];
  for (const [name, args, limit] of calls) out.push(`${name}: ${summary(meteredCall(golden, name, args, limit))}`);
  for (let seed = 1; seed <= 30; seed++) {
    const metered = instrument(decodeModule(wat(randomProgram(seed).text)));
    out.push(`random ${seed}: ${summary(meteredCall(metered, "main"))}`);
  }
  const rec = instrument(decodeModule(wat(RECURSION)));
  for (const [name, args] of [
    ["rec", [1535]],
    ["rec", [1536]],
    ["forever", []],
    ["heavy", [1n]],
  ] as const) {
    out.push(`${name}: ${summary(meteredCall(rec, name, [...args]))}`);
  }
  return out;
}

const TIERS: string[][] = [["--liftoff-only"], ["--no-liftoff"], ["--wasm-lazy-compilation"]];

if (process.env["VMGAS_TIER_CHILD"] === "1") {
  process.stdout.write(JSON.stringify(measure()));
} else {
  describe("gas and stack limits on every V8 tier", () => {
    const reference = measure();

    it("the in-process run is self-consistent", () => {
      assert.deepEqual(measure(), reference);
      assert.ok(reference.some((line) => line.startsWith("rec: 1535|ok")));
      assert.ok(reference.some((line) => line.startsWith("forever: undefined|trap|") && line.endsWith("|1")));
    });

    for (const flags of TIERS) {
      it(`matches under ${flags.join(" ")}`, () => {
        const child = spawnSync(process.execPath, [...flags, "--import", "tsx", fileURLToPath(import.meta.url)], {
          env: { ...process.env, VMGAS_TIER_CHILD: "1" },
          encoding: "utf8",
          maxBuffer: 16 * 1024 * 1024,
        });
        assert.equal(child.status, 0, child.stderr);
        assert.deepEqual(JSON.parse(child.stdout) as string[], reference);
      });
    }
  });
}
