/**
 * `setOwned`: the same checks, gas and result as `set`, keeping the caller's arrays (branch and
 * metered branch), falling back to `set` (copies) on stores without it; and the branch bookkeeping
 * shortcuts (a multistore branch's stores in name order, a sorted map's shared empty state).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  CacheStore,
  MemoryStore,
  gasKv,
  openMultiStore,
  createMemoryDatabase,
  setOwned,
} from "../../src/store/index.ts";
import { SortedMap } from "../../src/store/sortedMap.ts";

class Meter {
  consumed = 0;
  readonly log: string[] = [];
  consumeGas(amount: number, descriptor: string): void {
    this.consumed += amount;
    this.log.push(`${descriptor}:${amount}`);
  }
}

const k = (...b: number[]) => Uint8Array.from(b);

describe("setOwned", () => {
  it("charges what set charges and stores the same entries, keeping the arrays in a branch", () => {
    const a = new Meter();
    const b = new Meter();
    const viaSet = gasKv(new CacheStore(new MemoryStore()), a);
    const viaOwned = gasKv(new CacheStore(new MemoryStore()), b);
    const key = k(1, 2, 3);
    const value = k(9, 9);
    viaSet.set(key, value);
    setOwned(viaOwned, key, value);
    assert.deepEqual(b.log, a.log);
    assert.equal(b.consumed, 200 + 5 * 3 + 5 * 2);
    assert.deepEqual(viaOwned.get(k(1, 2, 3)), value);
    assert.equal(viaOwned.get(k(1, 2, 3)), value, "the branch kept the handed-over array");
    assert.notEqual(viaSet.get(k(1, 2, 3)), value, "set copies");
    // Overwriting an entry, then writing the branch out: the parent sees the last value.
    const parent = new MemoryStore();
    const branch = new CacheStore(parent);
    setOwned(branch, k(5), k(1));
    setOwned(branch, k(5), k(2));
    branch.setOwned(k(4), k());
    branch.write();
    assert.deepEqual(
      [...parent.iterator()],
      [
        [k(4), k()],
        [k(5), k(2)],
      ],
    );
  });

  it("refuses what set refuses, and falls back to set (a copy) where a store has no setOwned", () => {
    const branch = new CacheStore(new MemoryStore());
    assert.throws(() => branch.setOwned(k(), k(1)), { code: "STORE_KEY_EMPTY" });
    assert.throws(() => branch.setOwned("x" as unknown as Uint8Array, k(1)), { code: "STORE_INVALID_ARGUMENT" });
    const plain = new MemoryStore();
    const value = k(7);
    setOwned(plain, k(1), value);
    value[0] = 8;
    assert.deepEqual(plain.get(k(1)), k(7));
  });
});

describe("branch bookkeeping", () => {
  it("a multistore branch writes its stores in name order whatever order they were first used in", () => {
    const ms = openMultiStore(createMemoryDatabase(), { storeNames: ["acc", "bank", "gov", "staking"] });
    const block = ms.branch();
    const tx = block.branch();
    for (const name of ["staking", "acc", "gov", "bank"]) tx.getStore(name).set(k(1), new TextEncoder().encode(name));
    assert.equal(tx.getStore("gov"), tx.getStore("gov"), "one branch per store");
    tx.write();
    for (const name of ["acc", "bank", "gov", "staking"]) {
      assert.equal(new TextDecoder().decode(block.getStore(name).get(k(1))), name);
    }
    assert.throws(() => tx.getStore("nope"));
  });

  it("a sorted map cleared or never written behaves as empty, and maps do not share entries", () => {
    const a = new SortedMap<number>();
    const b = new SortedMap<number>();
    assert.equal(a.size, 0);
    assert.deepEqual([...a.entries()], []);
    assert.equal(a.delete(k(1)), false);
    a.set(k(2), 2);
    assert.equal(b.size, 0);
    assert.equal(b.get(k(2)), undefined);
    a.clear();
    assert.equal(a.size, 0);
    assert.deepEqual([...a.entries()], []);
    a.set(k(3), 3);
    assert.equal(b.get(k(3)), undefined);
    assert.deepEqual(
      [...a.entries()].map((e) => e.value),
      [3],
    );
    // Indexed (iterated in order), cleared, then written again: the index is rebuilt correctly.
    a.set(k(1), 1);
    assert.deepEqual(
      [...a.entries()].map((e) => e.value),
      [1, 3],
    );
    a.clear();
    a.set(k(9), 9);
    a.set(k(0), 0);
    assert.deepEqual(
      [...a.entries()].map((e) => e.value),
      [0, 9],
    );
    assert.deepEqual([...new SortedMap<number>().entries()], []);
  });
});
