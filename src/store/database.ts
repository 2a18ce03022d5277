/**
 * The raw database under the tree: a key-value store with atomic multi-write transactions. Two
 * implementations: `MemoryDatabase` (tests, `scrt dev` without persistence) and the LMDB one
 * (`openDatabase`, in lmdb.ts).
 */
import { createBranch } from "./branch.ts";
import { StoreError } from "./errors.ts";
import { MemoryStore } from "./memoryStore.ts";
import type { BranchStore, KVPair, KVStore } from "./types.ts";

/**
 * The writes of one transaction. `put` takes its own copy of the key and value before it returns, so a
 * caller may reuse its arrays at once (the tree encodes every node it saves into one scratch buffer).
 */
export interface DatabaseWriter {
  put(key: Uint8Array, value: Uint8Array): void;
  delete(key: Uint8Array): void;
}

export interface Database extends KVStore {
  /**
   * Runs `fn` and commits everything it wrote in one atomic transaction; if `fn` throws, nothing is
   * written. `fn` only writes: whether reads inside it see its own writes is unspecified.
   */
  transaction(fn: (writer: DatabaseWriter) => void): void;
  /** True once closed; every later call throws STORE_CLOSED. */
  readonly closed: boolean;
  close(): Promise<void>;
}

type Op = { readonly key: Uint8Array; readonly value: Uint8Array | null };

/** A Database in memory (a MemoryStore with all-or-nothing transactions). */
export class MemoryDatabase implements Database {
  private readonly store = new MemoryStore();
  private isClosed = false;

  get closed(): boolean {
    return this.isClosed;
  }

  private check(): void {
    if (this.isClosed) throw new StoreError("STORE_CLOSED", "database is closed");
  }

  /** Number of entries (for tests and diagnostics). */
  get size(): number {
    return this.store.size;
  }

  get(key: Uint8Array): Uint8Array | undefined {
    this.check();
    return this.store.get(key);
  }

  has(key: Uint8Array): boolean {
    this.check();
    return this.store.has(key);
  }

  set(key: Uint8Array, value: Uint8Array): void {
    this.check();
    this.store.set(key, value);
  }

  delete(key: Uint8Array): void {
    this.check();
    this.store.delete(key);
  }

  iterator(start?: Uint8Array, end?: Uint8Array, reverse = false): IterableIterator<KVPair> {
    this.check();
    return this.store.iterator(start, end, reverse);
  }

  branch(): BranchStore {
    return createBranch(this);
  }

  transaction(fn: (writer: DatabaseWriter) => void): void {
    this.check();
    const ops: Op[] = [];
    fn({
      put: (key, value) => ops.push({ key: key.slice(), value: value.slice() }),
      delete: (key) => ops.push({ key, value: null }),
    });
    for (const { key, value } of ops) {
      if (value === null) this.store.delete(key);
      else this.store.set(key, value);
    }
  }

  close(): Promise<void> {
    this.isClosed = true;
    return Promise.resolve();
  }
}

/** A fresh in-memory database. */
export function createMemoryDatabase(): MemoryDatabase {
  return new MemoryDatabase();
}
