/** An in-memory sorted key-value store, for tests and as a scratch store. */
import { createBranch } from "./branch.ts";
import { assertBound, assertKey, assertValue, copyBytes } from "./keys.ts";
import { SortedMap } from "./sortedMap.ts";
import type { BranchStore, KVPair, KVStore } from "./types.ts";

export class MemoryStore implements KVStore {
  private readonly data = new SortedMap<Uint8Array>();

  /** Number of entries. */
  get size(): number {
    return this.data.size;
  }

  get(key: Uint8Array): Uint8Array | undefined {
    return this.data.get(key);
  }

  has(key: Uint8Array): boolean {
    return this.data.get(key) !== undefined;
  }

  set(key: Uint8Array, value: Uint8Array): void {
    assertKey(key);
    assertValue(value);
    this.data.set(copyBytes(key), copyBytes(value));
  }

  delete(key: Uint8Array): void {
    assertKey(key);
    this.data.delete(key);
  }

  *iterator(start?: Uint8Array, end?: Uint8Array, reverse = false): IterableIterator<KVPair> {
    assertBound(start, "start");
    assertBound(end, "end");
    for (const entry of this.data.entries(start, end, reverse)) yield [entry.key, entry.value];
  }

  branch(): BranchStore {
    return createBranch(this);
  }
}
