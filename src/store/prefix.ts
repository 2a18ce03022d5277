/** A view of the keys of a store that start with a prefix, with the prefix stripped. */
import { concatBytes } from "../primitives/bytes.ts";
import { createBranch } from "./branch.ts";
import { StoreError } from "./errors.ts";
import { assertBound, assertKey, assertValue, prefixEnd } from "./keys.ts";
import type { BranchStore, KVPair, KVStore } from "./types.ts";

const LOWEST_KEY = Uint8Array.of(0);

class PrefixStore implements KVStore {
  private readonly end: Uint8Array | undefined;

  constructor(
    private readonly parent: KVStore,
    private readonly prefix: Uint8Array,
  ) {
    this.end = prefixEnd(prefix);
  }

  private full(key: Uint8Array): Uint8Array {
    return concatBytes(this.prefix, key);
  }

  // The parent's entry at the prefix itself would be this view's empty key, which no store holds: it
  // is not part of the view.

  get(key: Uint8Array): Uint8Array | undefined {
    return key.length === 0 ? undefined : this.parent.get(this.full(key));
  }

  has(key: Uint8Array): boolean {
    return key.length !== 0 && this.parent.has(this.full(key));
  }

  set(key: Uint8Array, value: Uint8Array): void {
    assertKey(key);
    assertValue(value);
    this.parent.set(this.full(key), value);
  }

  delete(key: Uint8Array): void {
    assertKey(key);
    this.parent.delete(this.full(key));
  }

  *iterator(start?: Uint8Array, end?: Uint8Array, reverse = false): IterableIterator<KVPair> {
    assertBound(start, "start");
    assertBound(end, "end");
    const from = this.full(start === undefined || start.length === 0 ? LOWEST_KEY : start);
    const to = end === undefined ? this.end : this.full(end);
    const n = this.prefix.length;
    for (const [key, value] of this.parent.iterator(from, to, reverse)) yield [key.subarray(n), value];
  }

  branch(): BranchStore {
    return createBranch(this);
  }
}

/** The keys of `store` under `prefix`, with the prefix stripped (Cosmos `prefix.NewStore`). */
export function prefixStore(store: KVStore, prefix: Uint8Array): KVStore {
  if (!(prefix instanceof Uint8Array)) throw new StoreError("STORE_INVALID_ARGUMENT", "prefix must be a Uint8Array");
  return new PrefixStore(store, new Uint8Array(prefix));
}
