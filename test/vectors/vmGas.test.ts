/**
 * Golden gas numbers, computed by hand from spec/contract-abi.md §5.2–5.3 (2 per walrus IR instruction
 * directly in a sequence, charged on entry; nop and dead code free; block/loop/if count 1 where they
 * stand; memory.grow: 2 + 28 + 8192 per page), checked against the instrumented module running in V8.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { decodeModule } from "../../src/vm/wasm/decode.ts";
import { instrument } from "../../src/vm/wasm/instrument.ts";
import { fixture, meteredCall } from "../unit/vmWasmHarness.ts";

const bytes = instrument(decodeModule(fixture("gas_golden.wat")));

/** [export, args, expected result, expected gas] */
const GOLDEN: Array<[string, unknown[], unknown, bigint]> = [
  ["straight", [], 9, 10n],
  ["empty", [], undefined, 0n],
  ["nops", [], undefined, 4n],
  ["nested", [], 11, 10n],
  ["loop_n", [1], 1, 4n + 18n],
  ["loop_n", [10], 55, 4n + 18n * 10n],
  ["if_else", [1], 11, 10n],
  ["if_else", [0], 20, 6n],
  ["if_no_else", [5], 7, 10n],
  ["if_no_else", [0], 0, 6n],
  ["dead_br", [], 1, 6n],
  ["dead_return", [], 3, 4n],
  ["br_table", [0], 1, 14n],
  ["br_table", [1], 2, 14n],
  ["br_table", [7], 2, 14n],
  ["calls", [], 18, 26n],
  ["select", [], 2, 8n],
  ["br_if_then", [3], 8, 14n],
  ["br_if_then", [0], 0, 6n],
  ["grow", [0], 1, 4n + 28n],
  ["grow", [1], 1, 4n + 28n + 8192n],
  ["grow", [191], 1, 4n + 28n + 8192n * 191n],
];

describe("golden gas (§5.2)", () => {
  for (const [name, args, result, gas] of GOLDEN) {
    it(`${name}(${args.join(", ")}) costs ${gas}`, () => {
      const out = meteredCall(bytes, name, args);
      assert.equal(out.trap, null);
      assert.equal(out.value, result);
      assert.equal(out.gasUsed, gas);
      assert.equal(out.exhausted, 0n);
    });
  }

  it("unreachable: its own sequence is charged, then the trap (not out of gas)", () => {
    const out = meteredCall(bytes, "dead_unreachable");
    assert.match(out.trap ?? "", /unreachable/);
    assert.equal(out.gasUsed, 2n);
    assert.equal(out.exhausted, 0n);
  });
});

describe("memory.grow (§5.3)", () => {
  it("a grow past the 192-page maximum returns -1 and is still charged", () => {
    const out = meteredCall(bytes, "grow", [192]);
    assert.equal(out.value, -1);
    assert.equal(out.gasUsed, 4n + 28n + 8192n * 192n);
  });

  it("exactly enough gas for a grow succeeds; one less runs the meter's failing arm", () => {
    const cost = 4n + 28n + 8192n;
    const ok = meteredCall(bytes, "grow", [1], cost);
    assert.equal(ok.trap, null);
    assert.equal(ok.remaining, 0n);
    const short = meteredCall(bytes, "grow", [1], cost - 1n);
    assert.match(short.trap ?? "", /unreachable/);
    assert.equal(short.exhausted, 8192n);
    assert.equal(short.remaining, cost - 1n - 4n - 28n - 6n);
  });

  it("a negative page count is a huge unsigned cost", () => {
    const out = meteredCall(bytes, "grow", [-1], 1_000_000n);
    assert.match(out.trap ?? "", /unreachable/);
    assert.equal(out.exhausted, 2n ** 64n - 8192n);
    assert.equal(out.remaining, 1_000_000n - 4n - 28n - 6n);
  });

  it("the meter's entry charge can itself run out", () => {
    const out = meteredCall(bytes, "grow", [1], 4n + 27n);
    assert.equal(out.exhausted, 28n);
    assert.equal(out.remaining, 27n);
  });
});

describe("out of gas exactly at the boundary", () => {
  const cases: Array<[string, unknown[], bigint, bigint, bigint]> = [
    // [export, args, total cost, exhausted when limit = cost - 1, remaining then]
    ["straight", [], 10n, 10n, 9n],
    ["nops", [], 4n, 4n, 3n],
    ["nested", [], 10n, 2n, 1n],
    ["loop_n", [3], 58n, 18n, 17n],
    ["if_else", [1], 10n, 6n, 5n],
    ["calls", [], 26n, 10n, 9n],
  ];
  for (const [name, args, cost, exhausted, remaining] of cases) {
    it(`${name}: limit ${cost} succeeds, ${cost - 1n} traps with gas_limit_exhausted ${exhausted}`, () => {
      const ok = meteredCall(bytes, name, args, cost);
      assert.equal(ok.trap, null);
      assert.equal(ok.remaining, 0n);
      const short = meteredCall(bytes, name, args, cost - 1n);
      assert.match(short.trap ?? "", /unreachable/);
      assert.equal(short.exhausted, exhausted);
      assert.equal(short.remaining, remaining);
    });
  }

  it("a free function runs with a zero limit", () => {
    assert.equal(meteredCall(bytes, "empty", [], 0n).trap, null);
  });

  it("compares unsigned: a limit of 2^64 - 1 is huge, not negative", () => {
    const out = meteredCall(bytes, "straight", [], 2n ** 64n - 1n);
    assert.equal(out.trap, null);
    assert.equal(out.remaining, 2n ** 64n - 1n - 10n);
  });
});
