/** The KV layer: memory store, branches, prefix stores, gas metering, the LMDB database as a KV store. */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import fc from "fast-check";
import { isCodedError } from "../../src/primitives/errors.ts";
import {
  CacheStore,
  createMemoryDatabase,
  GAS_DESCRIPTOR,
  gasKv,
  MemoryStore,
  openDatabase,
  openMultiStore,
  prefixEnd,
  prefixStore,
  SECRET_KV_GAS_CONFIG,
  type GasMeter,
  type KVStore,
} from "../../src/store/index.ts";
import { keyArb, modelRange, opArb, plain, runScript, valueArb, hexOf, type Model } from "../fixtures/store/model.ts";

const te = new TextEncoder();
const b = (s: string): Uint8Array => te.encode(s);

const tmpRoot = mkdtempSync(join(tmpdir(), "scrt-store-unit-"));
after(() => rmSync(tmpRoot, { recursive: true, force: true }));
let dirCounter = 0;
const freshDir = (): string => join(tmpRoot, `db${dirCounter++}`);

const scripts = fc.array(opArb, { maxLength: 150, size: "max" });

describe("MemoryStore and branches against a Map model", () => {
  it("random operations, nested branches written or discarded, iterators both ways with bounds", () => {
    fc.assert(
      fc.property(scripts, (ops) => void runScript(new MemoryStore(), ops)),
      { numRuns: 300 },
    );
  });

  it("a branch of a branch of a store pre-filled with entries", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(keyArb, valueArb), { maxLength: 30 }), scripts, (entries, ops) => {
        const base = new MemoryStore();
        const initial: Model = new Map();
        for (const [k, v] of entries) {
          base.set(k, v);
          initial.set(hexOf(k), [k, v]);
        }
        runScript(base, ops, undefined, initial);
      }),
      { numRuns: 200 },
    );
  });

  it("discarding a branch leaves the parent untouched; write() applies in key order", () => {
    const parent = new MemoryStore();
    parent.set(b("a"), b("1"));
    const branch = parent.branch();
    branch.set(b("b"), b("2"));
    branch.delete(b("a"));
    assert.equal(parent.get(b("b")), undefined);
    assert.deepEqual(parent.get(b("a")), b("1"));
    const order: string[] = [];
    const spy: KVStore = {
      get: (k) => parent.get(k),
      has: (k) => parent.has(k),
      iterator: (s, e, r) => parent.iterator(s, e, r),
      set: (k, v) => {
        order.push(`set ${Buffer.from(k).toString()}`);
        parent.set(k, v);
      },
      delete: (k) => {
        order.push(`del ${Buffer.from(k).toString()}`);
        parent.delete(k);
      },
      branch: () => parent.branch(),
    };
    const b2 = new CacheStore(spy);
    b2.set(b("z"), b("1"));
    b2.delete(b("m"));
    b2.set(b("c"), b("1"));
    b2.write();
    assert.deepEqual(order, ["set c", "del m", "set z"]);
    // The first branch, dropped, never reached the parent.
    assert.deepEqual(plain(parent.iterator()), [
      [b("a"), b("1")],
      [b("c"), b("1")],
      [b("z"), b("1")],
    ]);
  });

  it("writes during an iteration keep it ordered and never repeat a key", () => {
    fc.assert(
      fc.property(
        fc.array(keyArb, { minLength: 1, maxLength: 40 }),
        fc.array(keyArb, { maxLength: 40 }),
        fc.boolean(),
        (initial, inserts, reverse) => {
          const base = new MemoryStore();
          for (const k of initial) base.set(k, k);
          const branch = base.branch();
          let i = 0;
          let previous: Uint8Array | undefined;
          for (const [k] of branch.iterator(undefined, undefined, reverse)) {
            if (previous !== undefined) {
              const order = Buffer.compare(previous, k);
              assert.ok(reverse ? order > 0 : order < 0, "strictly monotonic");
            }
            previous = Uint8Array.from(k);
            const w = inserts[i++];
            if (w !== undefined) {
              if (i % 3 === 0) branch.delete(w);
              else branch.set(w, w);
            }
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it("refuses empty keys and non-byte arguments with stable codes", () => {
    const s = new MemoryStore();
    assert.throws(
      () => s.set(new Uint8Array(0), b("x")),
      (e) => isCodedError(e, "STORE_KEY_EMPTY"),
    );
    assert.throws(
      () => s.branch().delete(new Uint8Array(0)),
      (e) => isCodedError(e, "STORE_KEY_EMPTY"),
    );
    assert.throws(
      () => s.set("k" as unknown as Uint8Array, b("x")),
      (e) => isCodedError(e, "STORE_INVALID_ARGUMENT"),
    );
    assert.throws(
      () => s.set(b("k"), null as unknown as Uint8Array),
      (e) => isCodedError(e, "STORE_INVALID_ARGUMENT"),
    );
    assert.equal(s.get(new Uint8Array(0)), undefined);
  });

  it("copies what it is given", () => {
    const s = new MemoryStore();
    const k = b("key");
    const v = b("value");
    s.set(k, v);
    k[0] = 0;
    v[0] = 0;
    assert.deepEqual(s.get(b("key")), b("value"));
    const br = s.branch();
    const v2 = b("other");
    br.set(b("key"), v2);
    v2[0] = 0;
    assert.deepEqual(br.get(b("key")), b("other"));
  });

  it("keeps order across many keys (chunk splits and merges)", () => {
    const s = new MemoryStore();
    const model: Model = new Map();
    let x = 12345;
    for (let i = 0; i < 20_000; i++) {
      x = (x * 1103515245 + 12345) >>> 0;
      const k = Uint8Array.of(x >>> 24, (x >>> 16) & 0xff, (x >>> 8) & 0xff);
      if (x % 4 === 0) {
        s.delete(k);
        model.delete(hexOf(k));
      } else {
        s.set(k, k);
        model.set(hexOf(k), [k, k]);
      }
    }
    assert.equal(s.size, model.size);
    assert.deepEqual(plain(s.iterator()), modelRange(model));
    const lo = Uint8Array.of(0x40);
    const hi = Uint8Array.of(0x80, 0x10);
    assert.deepEqual(plain(s.iterator(lo, hi, true)), modelRange(model, lo, hi, true));
  });
});

describe("prefixStore", () => {
  it("prefixEnd is the exclusive end of the prefix range", () => {
    assert.deepEqual(prefixEnd(Uint8Array.of(1, 2)), Uint8Array.of(1, 3));
    assert.deepEqual(prefixEnd(Uint8Array.of(1, 0xff)), Uint8Array.of(2));
    assert.equal(prefixEnd(Uint8Array.of(0xff, 0xff)), undefined);
    assert.equal(prefixEnd(new Uint8Array(0)), undefined);
  });

  for (const prefix of [Uint8Array.of(0x7f), Uint8Array.of(0xff), Uint8Array.of(0x00, 0xff)]) {
    it(`matches the model and stays inside prefix ${hexOf(prefix)}`, () => {
      fc.assert(
        fc.property(fc.array(fc.tuple(keyArb, valueArb), { maxLength: 20 }), scripts, (outside, ops) => {
          const parent = new MemoryStore();
          for (const [k, v] of outside) parent.set(k, v);
          const before = plain(parent.iterator());
          // Entries with the prefix written through the parent are part of the view's initial state.
          const initial: Model = new Map();
          for (const [k, v] of before) {
            if (k.length > prefix.length && Buffer.from(k.subarray(0, prefix.length)).equals(prefix)) {
              const inner = k.subarray(prefix.length);
              initial.set(hexOf(inner), [inner, v]);
            }
          }
          runScript(prefixStore(parent, prefix), ops, undefined, initial);
          // Keys outside the prefix are untouched.
          const outsideNow = plain(parent.iterator()).filter(
            ([k]) => !(k.length > prefix.length && Buffer.from(k.subarray(0, prefix.length)).equals(prefix)),
          );
          const outsideBefore = before.filter(
            ([k]) => !(k.length > prefix.length && Buffer.from(k.subarray(0, prefix.length)).equals(prefix)),
          );
          assert.deepEqual(outsideNow, outsideBefore);
        }),
        { numRuns: 100 },
      );
    });
  }
});

describe("gasKv", () => {
  class Meter implements GasMeter {
    used = 0;
    readonly log: Array<[number, string]> = [];
    constructor(readonly limit = Number.MAX_SAFE_INTEGER) {}
    consumeGas(amount: number, descriptor: string): void {
      this.used += amount;
      this.log.push([amount, descriptor]);
      if (this.used > this.limit) throw new Error(`out of gas in location: ${descriptor}`);
    }
  }

  it("charges Secret's store gas (chain-api §2.6) with upstream's descriptors", () => {
    const meter = new Meter();
    const store = gasKv(new MemoryStore(), meter);
    store.set(b("key"), b("value!")); // 200 + 5·3 + 5·6
    assert.equal(meter.used, 245);
    store.get(b("key")); // 100 + 3 + 6
    assert.equal(meter.used, 245 + 109);
    store.get(b("nokey")); // 100 + 5 + 0
    assert.equal(meter.used, 245 + 109 + 105);
    store.has(b("key"));
    store.delete(b("key"));
    assert.equal(meter.used, 245 + 109 + 105 + 200);
    assert.deepEqual(
      meter.log.slice(0, 3).map(([, d]) => d),
      [GAS_DESCRIPTOR.writeFlat, GAS_DESCRIPTOR.writePerByte, GAS_DESCRIPTOR.writePerByte],
    );
    assert.deepEqual(meter.log.at(-2), [100, "Has"]);
    assert.deepEqual(meter.log.at(-1), [100, "Delete"]);
    assert.equal(SECRET_KV_GAS_CONFIG.iterNextCostFlat, 5);
  });

  it("charges iteration as upstream's gas iterator: the opening seek and each step past an entry", () => {
    const inner = new MemoryStore();
    inner.set(b("a"), b("12"));
    inner.set(b("bb"), b("3"));
    const full = new Meter();
    assert.equal([...gasKv(inner, full).iterator()].length, 2);
    // open: (1+2)·1 + 5; past "a": 3 + 5; past "bb": 3 + 5
    assert.equal(full.used, 24);
    const partial = new Meter();
    for (const [k] of gasKv(inner, partial).iterator()) {
      assert.deepEqual(k, b("a"));
      break;
    }
    assert.equal(partial.used, 8);
    const empty = new Meter();
    assert.equal([...gasKv(inner, empty).iterator(b("x"))].length, 0);
    assert.deepEqual(empty.log, [[5, "IterNextFlat"]]);
  });

  it("an out-of-gas write does not reach the store; branches are metered and write for free", () => {
    const meter = new Meter(250);
    const inner = new MemoryStore();
    const store = gasKv(inner, meter);
    assert.throws(() => store.set(b("key"), b("0123456789")), /out of gas in location: WritePerByte/);
    assert.equal(inner.get(b("key")), undefined);

    const meter2 = new Meter();
    const metered = gasKv(inner, meter2);
    const branch = metered.branch();
    branch.set(b("k"), b("v"));
    assert.equal(meter2.used, 210);
    assert.equal(inner.get(b("k")), undefined);
    branch.write();
    assert.equal(meter2.used, 210);
    assert.deepEqual(inner.get(b("k")), b("v"));
  });

  it("refuses a bad gas config", () => {
    assert.throws(
      () => gasKv(new MemoryStore(), new Meter(), { ...SECRET_KV_GAS_CONFIG, hasCost: -1 }),
      (e) => isCodedError(e, "STORE_INVALID_ARGUMENT"),
    );
  });

  it("a metered store matches the model", () => {
    fc.assert(
      fc.property(scripts, (ops) => void runScript(gasKv(new MemoryStore(), new Meter()), ops)),
      { numRuns: 100 },
    );
  });
});

describe("databases as KV stores", () => {
  it("the LMDB database matches the model (bounds, reverse, empty bounds)", async () => {
    const db = openDatabase(freshDir(), { sync: "none" });
    try {
      fc.assert(
        fc.property(scripts, (ops) => {
          for (const [k] of [...db.iterator()]) db.delete(k);
          runScript(
            db,
            ops.filter((op) => op.t !== "commit"),
          );
        }),
        { numRuns: 60 },
      );
    } finally {
      await db.close();
    }
  });

  it("the memory database matches the model", () => {
    fc.assert(
      fc.property(scripts, (ops) => void runScript(createMemoryDatabase(), ops)),
      { numRuns: 100 },
    );
  });

  it("transactions are all or nothing", async () => {
    for (const db of [createMemoryDatabase(), openDatabase(freshDir())]) {
      db.set(b("a"), b("1"));
      assert.throws(() =>
        db.transaction((w) => {
          w.put(b("b"), b("2"));
          w.delete(b("a"));
          throw new Error("boom");
        }),
      );
      assert.deepEqual(plain(db.iterator()), [[b("a"), b("1")]]);
      db.transaction((w) => {
        w.put(b("b"), b("2"));
        w.delete(b("a"));
      });
      assert.deepEqual(plain(db.iterator()), [[b("b"), b("2")]]);
      await db.close();
      assert.throws(
        () => db.get(b("b")),
        (e) => isCodedError(e, "STORE_CLOSED"),
      );
    }
  });

  it("LMDB refuses keys over 1978 bytes with STORE_KEY_TOO_LONG", async () => {
    const db = openDatabase(freshDir(), { sync: "none" });
    assert.throws(
      () => db.set(new Uint8Array(1979).fill(1), b("v")),
      (e) => isCodedError(e, "STORE_KEY_TOO_LONG"),
    );
    db.set(new Uint8Array(1978).fill(1), b("v"));
    await db.close();
  });
});

describe("multistore branches", () => {
  it("the working tree store and multistore branches match the model, with commits in between", () => {
    fc.assert(
      fc.property(scripts, (ops) => {
        const ms = openMultiStore(createMemoryDatabase(), { storeNames: ["bank", "acc"] });
        const branch = ms.branch();
        runScript(ms.getStore("bank"), ops, () => ms.commit());
        // A multistore branch sees the store, buffers per store, writes all.
        const other = branch.getStore("acc");
        other.set(b("x"), b("y"));
        assert.equal(ms.getStore("acc").get(b("x")), undefined);
        const nested = branch.branch();
        nested.getStore("acc").delete(b("x"));
        assert.equal(branch.getStore("acc").get(b("x"))?.length, 1);
        nested.write();
        assert.equal(branch.getStore("acc").get(b("x")), undefined);
        branch.getStore("acc").set(b("z"), b("1"));
        branch.write();
        assert.deepEqual(ms.getStore("acc").get(b("z")), b("1"));
        assert.throws(
          () => branch.getStore("nope"),
          (e) => isCodedError(e, "STORE_UNKNOWN_STORE"),
        );
      }),
      { numRuns: 150 },
    );
  });
});
