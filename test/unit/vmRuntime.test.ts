/**
 * Whole contract calls through `createVm().call` (spec/contract-abi.md §1.2, §3, §5, §7, §11): inputs
 * written in upstream's order through the metered `allocate`, exact gas, the reported-gas formula,
 * determinism across runs, fresh instances, trap mapping, hostile contracts, the module cache.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { sha256 } from "../../src/crypto/hash.ts";
import { toHex } from "../../src/primitives/hex.ts";
import {
  createVm,
  envV010Json,
  envV1Json,
  infoV1Json,
  isVmError,
  queryEnvV1Json,
  type CallResult,
} from "../../src/vm/index.ts";
import {
  ALLOCATE_GAS,
  baseV1,
  CONTRACT,
  fixtureBytes,
  MapStorage,
  QUERY_RESPONSE,
  regionData,
  request,
  SENDER,
  TEST_ENV,
  text,
  utf8,
  V010_RESPONSE,
  V1_RESPONSE,
} from "./vmRuntimeHarness.ts";

function assertFailure(r: CallResult, code: string): Error {
  assert.equal(r.ok, false, "expected the call to fail");
  if (r.ok) throw new Error("unreachable");
  assert.ok(isVmError(r.error), `expected a VmError, got ${String(r.error)}`);
  assert.equal(r.error.code, code, r.error.message);
  return r.error;
}

function assertOk(r: CallResult): Extract<CallResult, { ok: true }> {
  if (!r.ok) assert.fail(`call failed: ${r.error.message}`);
  return r;
}

const STORAGE_DATA = [regionData(256, "key"), regionData(288, "hello"), regionData(2048, V1_RESPONSE)].join("\n");
const storageCode = fixtureBytes("storage_v1.wat", { DATA: STORAGE_DATA });

describe("exact gas of a call (§5)", () => {
  it("execute: 3 input allocations + body + db_write + db_read + the value's allocation, refund of the pseudo gas", () => {
    const vm = createVm();
    const storage = new MapStorage();
    const r = assertOk(vm.call(request(storageCode, "execute", '{"x":1}', { storage })));
    // allocate(msg), allocate(env), allocate(info): 3 × 40; execute body: 17 instructions × 2;
    // db_write: 2,000 + 5,000 × 5; db_read: 1,000 (buffer hit, no store gas) + allocate 40.
    const used = 3n * ALLOCATE_GAS + 34n + 2000n + 25_000n + 1000n + ALLOCATE_GAS;
    assert.equal(used, 28_194n);
    assert.deepEqual(r.gasReport, {
      limit: 10_000_000n,
      remaining: 10_000_000n - used,
      exhausted: 0n,
      external: 0n,
      pseudoCharged: 25_000n,
      pseudoRefund: 25_000n,
      reported: used - 25_000n,
      sdkCharge: (used - 25_000n) / 1000n + 1n,
    });
    assert.equal(r.gasReport.sdkCharge, 4n);
    assert.equal(r.output.kind, "v1");
    assert.equal(text(storage.buffer.get(toHex(utf8("key")))!), "hello");
    assert.deepEqual(storage.log, [`write ${toHex(utf8("key"))}`, `read ${toHex(utf8("key"))}`]);
  });

  it("instantiate: no refund (§5.4); store gas is external ×1, execute ×1000 (§5.5)", () => {
    const vm = createVm();
    const inst = assertOk(vm.call(request(storageCode, "instantiate", "{}")));
    const used = 3n * ALLOCATE_GAS + 14n + 27_000n + 1000n + ALLOCATE_GAS;
    assert.equal(inst.gasReport.remaining, 10_000_000n - used);
    assert.equal(inst.gasReport.pseudoRefund, 0n);
    assert.equal(inst.gasReport.reported, used);

    // A storage that reports 7 SDK gas per read: subtracted as 7 (instantiate) or 7,000 (execute).
    const gassy = (g: bigint): MapStorage => {
      const s = new MapStorage();
      s.takeStoreGas = () => g;
      return s;
    };
    const i2 = assertOk(vm.call(request(storageCode, "instantiate", "{}", { storage: gassy(7n) })));
    assert.equal(i2.gasReport.external, 7n);
    assert.equal(i2.gasReport.reported, used - 7n);
    const e2 = assertOk(vm.call(request(storageCode, "execute", "{}", { storage: gassy(2n) })));
    assert.equal(e2.gasReport.external, 2000n);
    assert.equal(e2.gasReport.reported, 28_194n - 2000n - 25_000n);
  });

  it("the report saturates: external above the VM gas gives 0, then + exhausted", () => {
    const vm = createVm();
    const storage = new MapStorage();
    storage.takeStoreGas = () => 1_000_000n;
    const r = assertOk(vm.call(request(storageCode, "execute", "{}", { storage })));
    assert.equal(r.gasReport.external, 1_000_000_000n);
    assert.equal(r.gasReport.reported, 0n);
    assert.equal(r.gasReport.sdkCharge, 1n);
  });

  it("20 repeated runs give identical gas and output", () => {
    const vm = createVm();
    const reports = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const r = assertOk(vm.call(request(storageCode, "execute", '{"x":1}')));
      reports.add(JSON.stringify(r.gasReport, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v)));
    }
    assert.equal(reports.size, 1);
  });

  it("out of gas at the exact point: limit = cost succeeds, cost − 1 fails with the shortfall reported", () => {
    const vm = createVm();
    const full = assertOk(vm.call(request(storageCode, "execute", "{}")));
    const cost = full.gasReport.limit - full.gasReport.remaining;
    assertOk(vm.call(request(storageCode, "execute", "{}", { gasLimitWasm: cost })));
    const short = vm.call(request(storageCode, "execute", "{}", { gasLimitWasm: cost - 1n }));
    // The last charge is the 40 gas of `allocate` for db_read's value: its sequence check traps with
    // exhausted = 40, and the host reports the failed allocation (upstream: MemoryAllocationError).
    assertFailure(short, "VM_MEMORY_ALLOCATION");
    assert.equal(short.gasReport.exhausted, 40n);
    assert.equal(short.gasReport.remaining, 39n);
    assert.equal(short.gasReport.reported, cost);
    assert.equal(short.gasReport.pseudoRefund, 0n);
    // A shortage in the host's own charge (db_write's 25,000 pseudo gas) is out of gas.
    const pseudo = vm.call(
      request(storageCode, "execute", "{}", { gasLimitWasm: 3n * ALLOCATE_GAS + 34n + 2000n + 24_999n }),
    );
    assertFailure(pseudo, "VM_OUT_OF_GAS");
    assert.equal(pseudo.gasReport.exhausted, 25_000n);
    assert.equal(pseudo.gasReport.remaining, 24_999n);
  });
});

describe("determinism", () => {
  it("any message: two VMs (one cold, one warm) give identical results and gas", () => {
    const warm = createVm();
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 0, maxLength: 300 }),
        fc.bigInt({ min: 20_000n, max: 40_000n }),
        (msg, limit) => {
          const a = warm.call(request(storageCode, "execute", msg, { gasLimitWasm: limit }));
          const b = createVm().call(request(storageCode, "execute", msg, { gasLimitWasm: limit }));
          assert.deepEqual(a.gasReport, b.gasReport);
          assert.equal(a.ok, b.ok);
          if (!a.ok && !b.ok) assert.equal((a.error as Error).message, (b.error as Error).message);
          // An empty message makes the contract read address 0's byte: still deterministic.
          if (a.ok) assert.notEqual(msg[0], 116);
        },
      ),
      { numRuns: 60 },
    );
  });

  it("inspect reports the analysis (cached)", () => {
    const vm = createVm();
    assert.deepEqual(vm.inspect(storageCode, sha256(storageCode)), {
      apiVersion: "v1",
      randomEnabled: false,
      hasFloats: false,
    });
    assert.equal(vm.cache.size, 1);
  });
});

describe("fresh instances and the module cache", () => {
  it("a trap leaves the cached module usable and the next call gets a fresh instance", () => {
    const vm = createVm();
    const trap = vm.call(request(storageCode, "execute", "trap"));
    assertFailure(trap, "VM_PANIC");
    assert.equal((trap.ok ? null : trap.error)?.message, "the contract panicked");
    assert.equal(trap.gasReport.limit - trap.gasReport.remaining, 28_194n + 2n);
    assert.equal(trap.gasReport.pseudoRefund, 0n);
    // execute traps if its `$calls` global is not 0: a reused instance would panic.
    for (let i = 0; i < 3; i++) assertOk(vm.call(request(storageCode, "execute", "ok")));
    assert.deepEqual(vm.cache, { size: 1, hits: 3, misses: 1 });
  });

  it("LRU eviction never changes outcomes; a wrong code hash is refused", () => {
    const vm = createVm({ cacheSize: 1 });
    const other = baseV1({
      data: regionData(2048, V1_RESPONSE),
      funcs: '(func (export "execute") (param i32 i32 i32) (result i32) (i32.const 2048))',
    });
    const a1 = assertOk(vm.call(request(storageCode, "execute", "{}")));
    assertOk(vm.call(request(other, "execute", "{}")));
    const a2 = assertOk(vm.call(request(storageCode, "execute", "{}")));
    assert.deepEqual(a1.gasReport, a2.gasReport);
    assert.equal(vm.cache.size, 1);
    assert.equal(vm.cache.misses, 3);
    assert.throws(
      () => vm.call({ ...request(storageCode, "execute", "{}"), codeHash: toHex(sha256(other)) }),
      TypeError,
    );
    const noCache = createVm({ cacheSize: 0 });
    assert.deepEqual(assertOk(noCache.call(request(storageCode, "execute", "{}"))).gasReport, a1.gasReport);
  });
});

describe("entry points and their inputs (§1.2, §6)", () => {
  function order(
    code: Uint8Array,
    entry: Parameters<typeof request>[1],
    msg = '{"m":1}',
    extra = {},
  ): { sizes: number[]; args: string[]; result: CallResult } {
    const log: Uint8Array[] = [];
    const result = createVm().call(request(code, entry, msg, { debug: (m) => log.push(m), ...extra }));
    const sizes: number[] = [];
    const args: string[] = [];
    for (const m of log) {
      if (m.length === 4 && args.length === 0) sizes.push(new DataView(m.buffer, m.byteOffset, 4).getUint32(0, true));
      else args.push(text(m));
    }
    return { sizes, args, result };
  }

  const v1Data = [regionData(2048, V1_RESPONSE), regionData(3072, QUERY_RESPONSE)].join("\n");
  const v1 = fixtureBytes("order_v1.wat", { DATA: v1Data });
  const v1Random = fixtureBytes("order_v1.wat", { DATA: v1Data, EXTRA: '(func (export "requires_random"))' });
  const v010 = fixtureBytes("order_v010.wat", {
    DATA: [regionData(2048, V010_RESPONSE), regionData(3072, QUERY_RESPONSE)].join("\n"),
  });
  const hashOf = (code: Uint8Array): string => toHex(sha256(code));
  const msg = '{"m":1}';

  const envV1 = (code: Uint8Array, random: Uint8Array | null): string =>
    envV1Json({
      block: TEST_ENV.block,
      random,
      contractAddress: CONTRACT,
      codeHash: hashOf(code),
      transaction: TEST_ENV.transaction!,
    });
  const info = infoV1Json({ sender: SENDER, funds: TEST_ENV.funds! });

  it("v1 instantiate: env, msg, info written in that order; called as (env, info, msg)", () => {
    const o = order(v1, "instantiate");
    assertOk(o.result);
    const env = envV1(v1, null);
    assert.deepEqual(o.sizes, [env.length, msg.length, info.length]);
    assert.deepEqual(o.args, [env, info, msg]);
  });

  it("v1 execute: msg, env, info; random only with requires_random", () => {
    const o = order(v1, "execute");
    assert.deepEqual(o.sizes, [msg.length, envV1(v1, null).length, info.length]);
    assert.deepEqual(o.args, [envV1(v1, null), info, msg]);
    const r = order(v1Random, "execute");
    assert.equal(r.args[0], envV1(v1Random, TEST_ENV.random!));
    assert.match(r.args[0]!, /"random":"BwcH/);
  });

  it("v1 query: msg then env; the query env has random AA== and transaction null", () => {
    const o = order(v1Random, "query");
    const env = queryEnvV1Json({ block: TEST_ENV.block, contractAddress: CONTRACT, codeHash: hashOf(v1Random) });
    assert.deepEqual(o.sizes, [msg.length, env.length]);
    assert.deepEqual(o.args, [env, msg]);
    const out = assertOk(o.result).output;
    assert.deepEqual(out, { kind: "query", answer: "e30=", lowerCaseOk: false });
  });

  it("v1 migrate: env, msg; reply and sudo: msg, env; all called as (env, msg)", () => {
    const env = envV1(v1, null);
    assert.deepEqual(order(v1, "migrate").sizes, [env.length, msg.length]);
    for (const entry of ["reply", "sudo"] as const) {
      const o = order(v1, entry);
      assert.deepEqual(o.sizes, [msg.length, env.length]);
      assert.deepEqual(o.args, [env, msg]);
      assert.equal(assertOk(o.result).gasReport.pseudoRefund, 0n);
    }
  });

  it("a missing entry point fails after the inputs were allocated (and charged)", () => {
    const o = order(v1, "ibc_channel_open");
    const err = assertFailure(o.result, "VM_FAILED_CALL");
    assert.equal(err.message, "calling a function in the contract failed for an unexpected reason");
    assert.equal(o.sizes.length, 2);
    assert.ok(o.result.gasReport.remaining < o.result.gasReport.limit);
  });

  it("v0.10: init (env, msg), handle (msg, env), query (msg only), migrate (env, msg) with no funds", () => {
    const env = (funds: boolean): string =>
      envV010Json({
        block: TEST_ENV.block,
        sender: SENDER,
        sentFunds: funds ? TEST_ENV.funds! : [],
        contractAddress: CONTRACT,
        codeHash: hashOf(v010),
      });
    const init = order(v010, "instantiate");
    assert.deepEqual(init.sizes, [env(true).length, msg.length]);
    assert.deepEqual(init.args, [env(true), msg]);
    assert.deepEqual(assertOk(init.result).output, {
      kind: "v010",
      messages: [],
      log: [],
      data: null,
      internalMsgId: null,
      internalReplyEnclaveSig: null,
    });
    const handle = order(v010, "execute");
    assert.deepEqual(handle.sizes, [msg.length, env(true).length]);
    assert.deepEqual(handle.args, [env(true), msg]);
    const query = order(v010, "query");
    assert.deepEqual(query.sizes, [msg.length]);
    assert.deepEqual(query.args, [msg]);
    const migrate = order(v010, "migrate");
    assert.deepEqual(migrate.args, [env(false), msg]);
    // Every handle type runs `handle`.
    assert.deepEqual(order(v010, "reply").args, [env(true), msg]);
  });
});

describe("failures and their errors (§7.5, §11.11)", () => {
  const response = regionData(2048, V1_RESPONSE);

  it("an import declared with another signature fails every call before anything runs", () => {
    const code = baseV1({
      imports: '(import "env" "db_read" (func $db_read (param i32 i32) (result i32)))',
      data: response,
      funcs: '(func (export "execute") (param i32 i32 i32) (result i32) (i32.const 2048))',
    });
    const r = createVm().call(request(code, "execute", "{}"));
    assertFailure(r, "VM_FAILED_CALL");
    assert.equal(r.gasReport.reported, 0n);
    assert.equal(r.gasReport.sdkCharge, 1n);
  });

  it("an entry point with another signature, a missing allocate, a bad output Region", () => {
    const vm = createVm();
    const twoParams = baseV1({
      data: response,
      funcs: '(func (export "execute") (param i32 i32) (result i32) (i32.const 2048))',
    });
    assertFailure(vm.call(request(twoParams, "execute", "{}")), "VM_FAILED_CALL");
    const noAlloc = baseV1({
      data: response,
      allocateName: "alloc",
      funcs: '(func (export "execute") (param i32 i32 i32) (result i32) (i32.const 2048))',
    });
    assertFailure(vm.call(request(noAlloc, "execute", "{}")), "VM_MEMORY_ALLOCATION");
    const nullOut = baseV1({ funcs: '(func (export "execute") (param i32 i32 i32) (result i32) (i32.const 0))' });
    const err = assertFailure(vm.call(request(nullOut, "execute", "{}")), "VM_MEMORY_READ");
    assert.equal(err.message, "failed to read memory");
  });

  it("results that are not an accepted envelope, or not usable by the call", () => {
    const vm = createVm();
    const out = (json: string, entry: "execute" | "query" = "execute"): CallResult =>
      vm.call(
        request(
          baseV1({
            data: regionData(2048, json),
            funcs:
              '(func (export "execute") (param i32 i32 i32) (result i32) (i32.const 2048))' +
              '(func (export "query") (param i32 i32) (result i32) (i32.const 2048))',
          }),
          entry,
          "{}",
        ),
      );
    assert.equal(assertFailure(out("not json"), "VM_DESERIALIZE").message, "failed to deserialize data");
    assertFailure(out('{"ok":{"messages":[]}}'.replace("ok", "Ok")), "VM_DESERIALIZE");
    assertFailure(out(QUERY_RESPONSE), "VM_RESPONSE_TYPE");
    assertFailure(out(V1_RESPONSE, "query"), "VM_RESPONSE_TYPE");
    assertFailure(out('{"error":"x"}'), "VM_RESPONSE_TYPE");
    const err = assertOk(out('{"Err":"Generic error: nope"}'));
    assert.equal(err.output.kind, "error");
    assert.equal(err.gasReport.pseudoRefund, 0n);
  });

  it("contract traps map to upstream's texts", () => {
    const vm = createVm();
    const trap = (body: string): CallResult =>
      vm.call(
        request(
          baseV1({
            funcs: `(type $t (func)) (table 2 funcref) (elem (i32.const 0) $allocate)\n(func (export "execute") (param i32 i32 i32) (result i32) ${body})`,
          }),
          "execute",
          "{}",
        ),
      );
    const cases: Array<[string, string, string]> = [
      ["unreachable", "VM_PANIC", "the contract panicked"],
      [
        "(i32.load (i32.const 0x7ffffff0))",
        "VM_MEMORY_OUT_OF_BOUNDS",
        "the contract tried to access memory out of bounds",
      ],
      ["(i32.div_u (i32.const 1) (i32.const 0))", "VM_DIVIDE_BY_ZERO", "the contract tried to divide by zero"],
      ["(i32.div_s (i32.const 0x80000000) (i32.const -1))", "VM_PANIC", "the contract panicked"],
      [
        "(call_indirect (type $t) (i32.const 5)) (i32.const 0)",
        "VM_TABLE_OUT_OF_BOUNDS",
        "the contract tried to access a nonexistent resource",
      ],
      [
        "(call_indirect (type $t) (i32.const 0)) (i32.const 0)",
        "VM_INDIRECT_SIGNATURE",
        "the contract tried to call a function but expected an incorrect function signature",
      ],
    ];
    for (const [body, code, message] of cases) {
      assert.equal(assertFailure(trap(body), code).message, message, body);
    }
  });

  it("writes in a query are refused", () => {
    const code = baseV1({
      imports: '(import "env" "db_write" (func $db_write (param i32 i32)))',
      data: regionData(256, "k"),
      funcs:
        '(func (export "query") (param i32 i32) (result i32) (call $db_write (i32.const 256) (i32.const 256)) (i32.const 0))',
    });
    const r = createVm().call(request(code, "query", "{}"));
    assertFailure(r, "VM_UNAUTHORIZED_WRITE");
  });

  it("an error thrown by the host's storage ends the call and is returned as it is, with the gas", () => {
    const boom = new Error("failed to decrypt data");
    const storage = new MapStorage();
    storage.read = () => {
      throw boom;
    };
    const r = createVm().call(request(storageCode, "execute", "{}", { storage }));
    assert.equal(r.ok, false);
    if (!r.ok) assert.equal(r.error, boom);
    assert.equal(r.gasReport.limit - r.gasReport.remaining, 3n * ALLOCATE_GAS + 34n + 27_000n + 1000n);
  });

  it("first-use checks: start function, memory above 192 pages, invalid module, floats on instantiate only", () => {
    const vm = createVm();
    const exec = '(func (export "execute") (param i32 i32 i32) (result i32) (i32.const 2048))';
    const start = baseV1({ data: response, funcs: `${exec} (func $s) (start $s)` });
    assert.equal(
      assertFailure(vm.call(request(start, "execute", "{}")), "VM_WASM_START").message,
      "WasmModuleWithStart",
    );
    const bigMemory = baseV1({ data: response, funcs: exec, memory: 193 });
    assert.equal(
      assertFailure(vm.call(request(bigMemory, "execute", "{}")), "VM_MEMORY_INIT").message,
      "failed to initialize wasm memory",
    );
    assertOk(vm.call(request(baseV1({ data: response, funcs: exec, memory: 192 }), "execute", "{}")));
    const floats = baseV1({
      data: response,
      funcs:
        `(func $f (param i32) (result i32) (i32.trunc_f32_s (f32.convert_i32_s (local.get 0))))` +
        `(func (export "instantiate") (param i32 i32 i32) (result i32) (i32.const 2048))` +
        `(func (export "execute") (param i32 i32 i32) (result i32)` +
        `  (if (i32.eq (i32.load8_u (i32.load (local.get 2))) (i32.const 102)) (then (drop (call $f (i32.const 1)))))` +
        `  (i32.const 2048))`,
    });
    assertOk(vm.call(request(floats, "execute", "{}")));
    const floatErr = assertFailure(vm.call(request(floats, "execute", "f")), "VM_INVALID_WASM");
    assert.equal(floatErr.message, "tried to load invalid wasm code");
    for (let i = 0; i < 2; i++) {
      const e = assertFailure(vm.call(request(floats, "instantiate", "{}")), "VM_FLOATS");
      assert.equal(e.message, "found floating point operation in module code");
    }
    const garbage = Uint8Array.of(0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 99);
    const invalid = vm.call(request(garbage, "execute", "{}"));
    assertFailure(invalid, "VM_INVALID_WASM");
    assert.equal(invalid.gasReport.reported, 0n);
  });
});

describe("hostile contracts (§11)", () => {
  const hostile = fixtureBytes("hostile_v1.wat", {
    DATA: [regionData(256, "big"), regionData(2048, V1_RESPONSE)].join("\n"),
  });

  it("an endless loop runs out of gas; the shortfall is reported", () => {
    const r = createVm().call(request(hostile, "execute", "l", { gasLimitWasm: 1_000_000n }));
    assert.equal(assertFailure(r, "VM_OUT_OF_GAS").message, "execution ran out of gas");
    assert.ok(r.gasReport.exhausted > 0n);
    assert.ok(r.gasReport.remaining < r.gasReport.exhausted);
    assert.equal(r.gasReport.reported, 1_000_000n - r.gasReport.remaining + r.gasReport.exhausted);
    assert.ok(r.gasReport.reported > 1_000_000n);
  });

  it("unbounded recursion hits the call-depth limit, deterministically", () => {
    const vm = createVm();
    const runs = [0, 1, 2].map(() => vm.call(request(hostile, "execute", "r", { gasLimitWasm: 100_000_000n })));
    for (const r of runs) {
      assert.equal(assertFailure(r, "VM_STACK_OVERFLOW").message, "the contract has run out of space on the stack");
    }
    assert.equal(new Set(runs.map((r) => r.gasReport.remaining)).size, 1);
  });

  it("memory.grow stops at 192 pages (returns −1), a 200-page grow returns −1", () => {
    const vm = createVm();
    assertOk(vm.call(request(hostile, "execute", "m", { gasLimitWasm: 100_000_000n })));
    const g = assertOk(vm.call(request(hostile, "execute", "g", { gasLimitWasm: 100_000_000n })));
    // The failed grow is still charged: 200 × 8,192 (+ its meter).
    assert.ok(g.gasReport.limit - g.gasReport.remaining > 200n * 8192n);
  });

  it("a value or message too big for 192 pages: the contract's allocate fails → failed to allocate memory", () => {
    const vm = createVm();
    const storage = new MapStorage();
    storage.set("big", new Uint8Array(13 * 1024 * 1024));
    const r = vm.call(request(hostile, "execute", "d", { storage, gasLimitWasm: 1_000_000_000n }));
    assert.equal(assertFailure(r, "VM_MEMORY_ALLOCATION").message, "failed to allocate memory");
    const huge = vm.call(
      request(hostile, "execute", new Uint8Array(13 * 1024 * 1024), { gasLimitWasm: 1_000_000_000n }),
    );
    assertFailure(huge, "VM_MEMORY_ALLOCATION");
  });
});
