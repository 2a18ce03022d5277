/**
 * Branch (cache) stores: a sorted write buffer over a parent store. Reads see the buffer first
 * (a deletion hides the parent's entry), iteration merges the buffer with the parent's iteration, and
 * `write()` applies the buffer to the parent in ascending key order, so the parent receives the same
 * operations whatever order the writes were made in (a parent that is itself a branch keeps its buffer
 * sorted, so it takes the entries over in any order, with the same result).
 */
import { compareBytes } from "../primitives/bytes.ts";
import { assertBound, assertKey, assertValue, copyBytes, keyToString } from "./keys.ts";
import { SortedMap } from "./sortedMap.ts";
import type { BranchStore, KVPair, KVStore, ReadonlyKVStore } from "./types.ts";

/**
 * A store that can also be read with the key's string form (`keyToString(key)`) already made, so that
 * a read falling through stacked branches down to the tree makes it once, not once per level.
 */
export interface KeyedReader {
  getKeyed(key: Uint8Array, keyString: string): Uint8Array | undefined;
  hasKeyed(key: Uint8Array, keyString: string): boolean;
}

export function isKeyedReader(store: ReadonlyKVStore): store is ReadonlyKVStore & KeyedReader {
  return typeof (store as Partial<KeyedReader>).getKeyed === "function";
}

/**
 * A parent that can take a branch's buffered entries as they are (keys checked and values copied when
 * they were written into the branch, which is cleared right after), in any order. `absorbEntries`
 * returns false, having taken nothing, when it cannot; the branch then writes them one by one in order.
 */
export interface EntrySink {
  absorbEntries(
    entries: Iterable<{ readonly key: Uint8Array; readonly keyString: string; readonly value: BufferedValue }>,
  ): boolean;
}

function isEntrySink(store: object): store is EntrySink {
  return typeof (store as Partial<EntrySink>).absorbEntries === "function";
}

/** A buffered write: the new value, or `null` for a deletion. */
export type BufferedValue = Uint8Array | null;

/**
 * Buffered writes over a read-only parent. Shared by branch stores and by the tree's working state
 * (whose "write" is the commit).
 */
export class WriteBuffer implements KeyedReader {
  readonly writes = new SortedMap<BufferedValue>();

  constructor(readonly parent: ReadonlyKVStore) {}

  get(key: Uint8Array): Uint8Array | undefined {
    return this.getKeyed(key, keyToString(key));
  }

  has(key: Uint8Array): boolean {
    return this.hasKeyed(key, keyToString(key));
  }

  /** `get` with `keyString = keyToString(key)` already made: passed down through stacked stores. */
  getKeyed(key: Uint8Array, keyString: string): Uint8Array | undefined {
    const entry = this.writes.getEntryByString(keyString);
    if (entry !== undefined) return entry.value ?? undefined;
    const parent = this.parent;
    return isKeyedReader(parent) ? parent.getKeyed(key, keyString) : parent.get(key);
  }

  /** `has` with `keyString = keyToString(key)` already made. */
  hasKeyed(key: Uint8Array, keyString: string): boolean {
    const entry = this.writes.getEntryByString(keyString);
    if (entry !== undefined) return entry.value !== null;
    const parent = this.parent;
    return isKeyedReader(parent) ? parent.hasKeyed(key, keyString) : parent.has(key);
  }

  set(key: Uint8Array, value: Uint8Array): void {
    assertKey(key);
    assertValue(value);
    const s = keyToString(key);
    const entry = this.writes.getEntryByString(s);
    if (entry !== undefined) entry.value = copyBytes(value);
    else this.writes.insertNew(s, copyBytes(key), copyBytes(value));
  }

  /** `set` keeping the caller's arrays (see `KVStore.setOwned`). */
  setOwned(key: Uint8Array, value: Uint8Array): void {
    assertKey(key);
    assertValue(value);
    const s = keyToString(key);
    const entry = this.writes.getEntryByString(s);
    if (entry !== undefined) entry.value = value;
    else this.writes.insertNew(s, key, value);
  }

  delete(key: Uint8Array): void {
    assertKey(key);
    const s = keyToString(key);
    const entry = this.writes.getEntryByString(s);
    if (entry !== undefined) entry.value = null;
    else this.writes.insertNew(s, copyBytes(key), null);
  }

  iterator(start?: Uint8Array, end?: Uint8Array, reverse = false): IterableIterator<KVPair> {
    assertBound(start, "start");
    assertBound(end, "end");
    return mergeIterators(this.parent.iterator(start, end, reverse), this.writes.entries(start, end, reverse), reverse);
  }
}

/**
 * Merges a parent's iteration with buffered writes over the same range: on equal keys the buffer wins,
 * and buffered deletions hide the parent's entries.
 */
export function* mergeIterators(
  parent: Iterator<KVPair>,
  buffer: Iterator<{ readonly key: Uint8Array; readonly value: BufferedValue }>,
  reverse: boolean,
): Generator<KVPair, void, undefined> {
  let p = parent.next();
  let b = buffer.next();
  try {
    while (!p.done || !b.done) {
      if (b.done) {
        yield p.value as KVPair;
        p = parent.next();
        continue;
      }
      const buffered = b.value;
      let order = -1;
      if (!p.done) {
        order = compareBytes(buffered.key, p.value[0]);
        if (reverse) order = -order;
      }
      if (order > 0) {
        // The parent's key comes first.
        yield p.value as KVPair;
        p = parent.next();
        continue;
      }
      if (order === 0) p = parent.next();
      b = buffer.next();
      // Read the value when yielding, after both cursors moved: a deletion in the buffer hides it.
      if (buffered.value !== null) yield [buffered.key, buffered.value];
    }
  } finally {
    parent.return?.();
    buffer.return?.();
  }
}

/** A branch of `parent`; see `BranchStore`. */
export class CacheStore implements BranchStore, KeyedReader {
  private readonly buffer: WriteBuffer;

  constructor(private readonly parent: KVStore) {
    this.buffer = new WriteBuffer(parent);
  }

  /** The buffered writes (read by a child branch's lookups, which walk down the stack directly). */
  get writeBuffer(): WriteBuffer {
    return this.buffer;
  }

  get(key: Uint8Array): Uint8Array | undefined {
    return this.buffer.get(key);
  }

  has(key: Uint8Array): boolean {
    return this.buffer.has(key);
  }

  getKeyed(key: Uint8Array, keyString: string): Uint8Array | undefined {
    return this.buffer.getKeyed(key, keyString);
  }

  hasKeyed(key: Uint8Array, keyString: string): boolean {
    return this.buffer.hasKeyed(key, keyString);
  }

  set(key: Uint8Array, value: Uint8Array): void {
    this.buffer.set(key, value);
  }

  setOwned(key: Uint8Array, value: Uint8Array): void {
    this.buffer.setOwned(key, value);
  }

  delete(key: Uint8Array): void {
    this.buffer.delete(key);
  }

  iterator(start?: Uint8Array, end?: Uint8Array, reverse = false): IterableIterator<KVPair> {
    return this.buffer.iterator(start, end, reverse);
  }

  branch(): BranchStore {
    return new CacheStore(this);
  }

  /** Number of buffered writes (sets and deletions). */
  get pendingWrites(): number {
    return this.buffer.writes.size;
  }

  write(): void {
    const writes = this.buffer.writes;
    const parent = this.parent;
    if (parent instanceof CacheStore) {
      // Branch into branch: hand the entries over as they are (keys checked and values copied when
      // they were written here, and this buffer is cleared below, so nothing else holds them). The
      // target keeps its own order, so these go over in any order.
      const target = parent.buffer.writes;
      for (const { key, keyString, value } of writes.unorderedEntries()) {
        const entry = target.getEntryByString(keyString);
        if (entry !== undefined) entry.value = value;
        else target.insertNew(keyString, key, value);
      }
    } else if (!(isEntrySink(parent) && parent.absorbEntries(writes.unorderedEntries()))) {
      for (const { key, value } of writes.entries()) {
        if (value === null) parent.delete(key);
        else parent.set(key, value);
      }
    }
    writes.clear();
  }
}

/** `store.setOwned(key, value)` when the store has it, else `store.set(key, value)` (see `KVStore.setOwned`). */
export function setOwned(store: KVStore, key: Uint8Array, value: Uint8Array): void {
  if (store.setOwned !== undefined) store.setOwned(key, value);
  else store.set(key, value);
}

/** A branch over any store. */
export function createBranch(parent: KVStore): BranchStore {
  return new CacheStore(parent);
}
