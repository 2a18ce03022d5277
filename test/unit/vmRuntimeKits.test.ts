/**
 * Recycled import objects and memories (`src/vm/runtime/engine.ts` `InstanceKit`): every call must
 * still see a fresh instance — zeroed memory of the initial size with the data segments rewritten —
 * after calls that wrote memory, trapped, grew memory, or ran a nested call of the same code.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createVm, isVmError, type CallResult, type ContractQuerier } from "../../src/vm/index.ts";
import { ModuleCache, runCall } from "../../src/vm/runtime/engine.ts";
import { sha256 } from "../../src/crypto/index.ts";
import { toHex } from "../../src/primitives/hex.ts";
import { baseV1, QUERY_RESPONSE, regionData, request, utf8, V1_RESPONSE } from "./vmRuntimeHarness.ts";

// execute(env, info, msg) / query(env, msg): the first byte of msg picks what to do. Every call first
// checks that the probe bytes (one in each of the two initial pages) are 0 and that memory has 2 pages,
// and traps otherwise; then it dirties them.
//   'w': overwrite the first byte of the response's data segment and trap
//   'g': grow memory by one page and return
//   'q': write 0xab at the probe, call query_chain (the querier re-enters the same code), check the probe
//   anything else: return the response (execute) or the query result (query)
const FUNCS = `
  (func $msgByte (param $region i32) (result i32)
    local.get $region
    i32.load
    i32.load8_u)
  (func $fresh
    i32.const 60000
    i32.load8_u
    i32.const 131071
    i32.load8_u
    i32.or
    if
      unreachable
    end
    memory.size
    i32.const 2
    i32.ne
    if
      unreachable
    end
    i32.const 60000
    i32.const 0xff
    i32.store8
    i32.const 131071
    i32.const 0xff
    i32.store8)
  (func $run (param $msg i32) (result i32)
    (local $op i32)
    call $fresh
    local.get $msg
    call $msgByte
    local.set $op
    local.get $op
    i32.const 119
    i32.eq
    if
      i32.const 2060
      i32.const 88
      i32.store8
      unreachable
    end
    local.get $op
    i32.const 103
    i32.eq
    if
      i32.const 1
      memory.grow
      drop
    end
    local.get $op
    i32.const 113
    i32.eq
    if
      i32.const 60000
      i32.const 0xab
      i32.store8
      i32.const 256
      call $query_chain
      drop
      i32.const 60000
      i32.load8_u
      i32.const 0xab
      i32.ne
      if
        unreachable
      end
    end
    i32.const 2048)
  (func (export "execute") (param i32 i32 i32) (result i32)
    local.get 2
    call $run)
  (func (export "query") (param i32 i32) (result i32)
    local.get 1
    call $run
    drop
    i32.const 2400)
`;

const code = baseV1({
  imports: '(import "env" "query_chain" (func $query_chain (param i32) (result i32)))',
  data: [
    regionData(256, '{"bank":{"all_balances":{"address":"a"}}}'),
    regionData(2048, V1_RESPONSE),
    regionData(2400, QUERY_RESPONSE),
  ].join("\n"),
  funcs: FUNCS,
});

function ok(r: CallResult): Extract<CallResult, { ok: true }> {
  if (!r.ok) assert.fail(`call failed: ${r.error.message}`);
  return r;
}

function panicked(r: CallResult): void {
  assert.equal(r.ok, false);
  if (r.ok) return;
  assert.ok(isVmError(r.error));
  assert.equal(r.error.code, "VM_PANIC");
}

describe("recycled instance kits", () => {
  it("each call sees zeroed memory of the initial size and its data segments, whatever came before", () => {
    const vm = createVm();
    const first = ok(vm.call(request(code, "execute", "x")));
    assert.equal(new TextDecoder().decode(first.rawOutput), V1_RESPONSE);
    for (let round = 0; round < 3; round++) {
      // Dirtied memory, then a trap after overwriting the response's data segment.
      panicked(vm.call(request(code, "execute", "w")));
      const afterTrap = ok(vm.call(request(code, "execute", "x")));
      assert.equal(new TextDecoder().decode(afterTrap.rawOutput), V1_RESPONSE);
      assert.deepEqual(afterTrap.gasReport, first.gasReport);
      // A grown memory is not linked again.
      ok(vm.call(request(code, "execute", "g")));
      assert.deepEqual(ok(vm.call(request(code, "execute", "x"))).gasReport, first.gasReport);
    }
  });

  it("a nested call of the same code gets its own memory and leaves the caller's alone", () => {
    const vm = createVm();
    let nested = 0;
    const querier: ContractQuerier = {
      queryChain: () => {
        nested++;
        // The same code re-entered while the caller's instance is live; it checks its memory is fresh.
        const inner = ok(vm.call(request(code, "query", "x", { queryDepth: 2 })));
        assert.equal(new TextDecoder().decode(inner.rawOutput), QUERY_RESPONSE);
        return { response: utf8('{"Ok":"e30="}'), externalGas: 0n };
      },
    };
    for (let i = 0; i < 3; i++) {
      ok(vm.call(request(code, "execute", "q", { querier })));
      ok(vm.call(request(code, "execute", "x")));
    }
    assert.equal(nested, 3);
  });

  it("gas is the same on a fresh VM and on one whose kits were used many times", () => {
    const used = createVm();
    for (let i = 0; i < 20; i++) used.call(request(code, "execute", i % 3 === 0 ? "w" : i % 3 === 1 ? "g" : "x"));
    for (const msg of ["x", "g", "w"]) {
      const a = createVm().call(request(code, "execute", msg));
      const b = used.call(request(code, "execute", msg));
      assert.deepEqual(b.gasReport, a.gasReport);
      assert.equal(b.ok, a.ok);
    }
  });

  it("idle memories stay within the cache's budget, are given back on eviction, and none without a cache", () => {
    const variant = (i: number): Uint8Array =>
      baseV1({
        imports: '(import "env" "query_chain" (func $query_chain (param i32) (result i32)))',
        data: [regionData(256, "{}"), regionData(2048, V1_RESPONSE), regionData(4000, `variant ${i}`)].join("\n"),
        funcs: FUNCS,
      });
    const codes = [0, 1, 2].map(variant);
    const cache = new ModuleCache(2);
    const full = cache.pooledMemoryBudget;
    assert.ok(full > 0);
    ok(runCall(cache, request(codes[0]!, "execute", "x")));
    assert.equal(cache.pooledMemoryBudget, full - 1);
    ok(runCall(cache, request(codes[0]!, "execute", "x")));
    assert.equal(cache.pooledMemoryBudget, full - 1, "the same code reuses its memory");
    ok(runCall(cache, request(codes[1]!, "execute", "x")));
    assert.equal(cache.pooledMemoryBudget, full - 2);
    ok(runCall(cache, request(codes[2]!, "execute", "x")));
    assert.equal(cache.pooledMemoryBudget, full - 2, "evicting the first code gave its memory back");
    ok(runCall(cache, request(codes[2]!, "execute", "g")));
    assert.equal(cache.pooledMemoryBudget, full - 1, "a grown memory is not kept");
    const none = new ModuleCache(0);
    for (let i = 0; i < 3; i++) ok(runCall(none, request(codes[0]!, "execute", "x")));
    assert.equal(none.pooledMemoryBudget, 0);
  });

  it("a reused instance starts with every mutable global at its initial value, after a trap too", () => {
    // execute checks its two globals hold their initial values (7, -5) and traps otherwise, then sets
    // them to other values; msg 'w' traps after that, anything else returns the response.
    const withGlobals = baseV1({
      data: regionData(2048, V1_RESPONSE),
      funcs: `
        (global $small (mut i32) (i32.const 7))
        (global $wide (mut i64) (i64.const -5))
        (func (export "execute") (param i32 i32 i32) (result i32)
          global.get $small
          i32.const 7
          i32.ne
          global.get $wide
          i64.const -5
          i64.ne
          i32.or
          if
            unreachable
          end
          i32.const 99
          global.set $small
          i64.const 1234567890123
          global.set $wide
          local.get 2
          i32.load
          i32.load8_u
          i32.const 119
          i32.eq
          if
            unreachable
          end
          i32.const 2048)
      `,
    });
    const cache = new ModuleCache(4);
    const first = ok(runCall(cache, request(withGlobals, "execute", "x")));
    for (let i = 0; i < 4; i++) {
      panicked(runCall(cache, request(withGlobals, "execute", "w")));
      const again = ok(runCall(cache, request(withGlobals, "execute", "x")));
      assert.deepEqual(again.gasReport, first.gasReport);
      assert.equal(new TextDecoder().decode(again.rawOutput), V1_RESPONSE);
    }
    // The instance really is reused: the cache built the module once and kept one kit.
    const prepared = cache.get(withGlobals, toHex(sha256(withGlobals)));
    assert.notEqual(prepared.reset, undefined);
    assert.equal(prepared.kits.length, 1);
    assert.notEqual(prepared.kits[0]!.instance, undefined);
  });
});
