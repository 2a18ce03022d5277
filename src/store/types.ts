/**
 * The store interfaces every module sits on. All of them are synchronous: the state machine runs
 * without awaiting, and LMDB reads and writes are synchronous.
 *
 * Keys and values are byte strings. Keys are ordered by unsigned byte value (shorter first on a tie of
 * the common prefix); ranges are half-open `[start, end)`. Arrays handed to `set` are copied; arrays
 * returned by `get` and iterators are shared with the store and must not be mutated.
 */

/** One entry of an iteration. */
export type KVPair = readonly [key: Uint8Array, value: Uint8Array];

/** Reads of a key-value store. */
export interface ReadonlyKVStore {
  /** The value at `key`, or undefined when absent. */
  get(key: Uint8Array): Uint8Array | undefined;
  has(key: Uint8Array): boolean;
  /**
   * Entries with `start ≤ key < end` in ascending key order, or descending with `reverse`. An absent
   * bound is open. Writes made during the iteration may or may not be seen beyond the cursor; the
   * iteration itself stays well defined (no entry twice, order kept).
   */
  iterator(start?: Uint8Array, end?: Uint8Array, reverse?: boolean): IterableIterator<KVPair>;
}

/** A key-value store. `set` and `delete` refuse an empty key (STORE_KEY_EMPTY). */
export interface KVStore extends ReadonlyKVStore {
  set(key: Uint8Array, value: Uint8Array): void;
  /**
   * `set` for arrays the caller made for this write and hands over: the store may keep them instead
   * of copies, so the caller must never change them afterwards. Optional; `setOwned(store, …)`
   * (index.ts) falls back to `set`. Same checks, same gas, same result as `set`.
   */
  setOwned?(key: Uint8Array, value: Uint8Array): void;
  delete(key: Uint8Array): void;
  /** A write-buffered view over this store: writes stay in the branch until `write()`. */
  branch(): BranchStore;
}

/**
 * A write-buffered view of a parent store (Cosmos `cachekv`). Reads see the branch's own writes over
 * the parent. `write()` applies the buffered writes to the parent in key order and empties the buffer
 * (the branch stays usable); dropping the branch discards them.
 */
export interface BranchStore extends KVStore {
  write(): void;
}

/** The module stores of the chain by name (`acc`, `bank`, `compute`, …). */
export interface MultiStore {
  /** The store named `name`; STORE_UNKNOWN_STORE for a name not configured. */
  getStore(name: string): KVStore;
  /** The configured store names, sorted. */
  readonly storeNames: readonly string[];
  /** A write-buffered view over every store at once (per block, per tx, per sub-message). */
  branch(): BranchMultiStore;
}

/** A branch of a multistore: `write()` writes every store's branch to its parent. */
export interface BranchMultiStore extends MultiStore {
  write(): void;
}
