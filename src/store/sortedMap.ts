/**
 * An ordered map from byte keys to values: a hash map for point reads plus a chunked sorted list of the
 * keys (latin1 strings, which sort like the bytes) for range iteration. The sorted list is built the
 * first time the map is iterated in order (most maps, a tx's branches, never are: they are read by key
 * and written out unordered) and kept up to date from then on until `clear`. Insert and delete are
 * O(1) before that, O(log n + chunk) after, with chunks of at most 1 024 keys; iteration is lazy and
 * survives concurrent writes by re-seeking past the last key it yielded.
 */
import { keyToString } from "./keys.ts";

export interface SortedEntry<V> {
  readonly key: Uint8Array;
  /** `keyToString(key)`, kept so a branch's write can pass it on without recomputing it. */
  readonly keyString: string;
  value: V;
}

const MAX_CHUNK = 1024;

/** The map of every SortedMap nothing was inserted into: never written (inserts replace it first). */
const EMPTY_MAP: unknown = new Map<string, never>();
/** The chunk list of a map not indexed yet: never written (the index is built into a new list). */
const NO_CHUNKS: string[][] = [];

export class SortedMap<V> {
  /** Made on the first insert: many branches are only read through (a shared empty map until then). */
  private map = EMPTY_MAP as Map<string, SortedEntry<V>>;
  private chunks: string[][] = NO_CHUNKS;
  /** Whether `chunks` holds every key (built on the first ordered iteration, dropped by `clear`). */
  private indexed = false;
  /** Bumped by every change to the key set, so live iterators know to re-seek. */
  private modCount = 0;

  get size(): number {
    return this.map.size;
  }

  get(key: Uint8Array): V | undefined {
    return this.map.get(keyToString(key))?.value;
  }

  getEntry(key: Uint8Array): SortedEntry<V> | undefined {
    return this.map.get(keyToString(key));
  }

  /** `getEntry` by the key's string form (`keyToString(key)`), for callers that already made it. */
  getEntryByString(s: string): SortedEntry<V> | undefined {
    return this.map.get(s);
  }

  /** Adds a key known to be absent, given with its string form `s` (`keyToString(key)`). */
  insertNew(s: string, key: Uint8Array, value: V): void {
    this.writable().set(s, { key, keyString: s, value });
    this.insertKey(s);
    this.modCount++;
  }

  /** The map to insert into (the private one, made now if still the shared empty one). */
  private writable(): Map<string, SortedEntry<V>> {
    if (this.map === EMPTY_MAP) this.map = new Map();
    return this.map;
  }

  /** Sets `key` (stored as given: callers copy when they must). */
  set(key: Uint8Array, value: V): void {
    const s = keyToString(key);
    const entry = this.map.get(s);
    if (entry !== undefined) {
      entry.value = value;
      return;
    }
    this.writable().set(s, { key, keyString: s, value });
    this.insertKey(s);
    this.modCount++;
  }

  delete(key: Uint8Array): boolean {
    const s = keyToString(key);
    if (!this.map.delete(s)) return false;
    this.removeKey(s);
    this.modCount++;
    return true;
  }

  clear(): void {
    // A fresh map is made by the next insert (clearing a map allocates a new table anyway).
    this.map = EMPTY_MAP as Map<string, SortedEntry<V>>;
    if (this.chunks.length > 0) this.chunks = NO_CHUNKS;
    this.indexed = false;
    this.modCount++;
  }

  /** Builds the sorted chunks from the keys the map holds. */
  private buildIndex(): void {
    const keys = [...this.map.keys()].sort();
    const chunks: string[][] = [];
    const half = MAX_CHUNK >>> 1;
    for (let at = 0; at < keys.length; at += half) chunks.push(keys.slice(at, at + half));
    this.chunks = chunks;
    this.indexed = true;
  }

  /** Every entry, in insertion order (no sorting, no generator: for callers to whom order is moot). */
  unorderedEntries(): IterableIterator<SortedEntry<V>> {
    return this.map.values();
  }

  /** Entries with `start ≤ key < end`, ascending or (with `reverse`) descending. */
  *entries(start?: Uint8Array, end?: Uint8Array, reverse = false): Generator<SortedEntry<V>, void, undefined> {
    const lo = start === undefined ? undefined : keyToString(start);
    const hi = end === undefined ? undefined : keyToString(end);
    if (lo !== undefined && hi !== undefined && lo >= hi) return;
    if (!this.indexed) this.buildIndex();
    let seen = this.modCount;
    let [ci, i] = reverse ? this.lastBefore(hi) : this.firstAtOrAfter(lo);
    let last: string | undefined;
    while (true) {
      if (seen !== this.modCount) {
        seen = this.modCount;
        if (last !== undefined) [ci, i] = reverse ? this.lastBefore(last) : this.firstAfter(last);
      }
      const chunk = this.chunks[ci];
      if (chunk === undefined || i < 0 || i >= chunk.length) return;
      const s = chunk[i]!;
      if (reverse ? lo !== undefined && s < lo : hi !== undefined && s >= hi) return;
      last = s;
      if (reverse) {
        i--;
        if (i < 0) {
          ci--;
          i = ci >= 0 ? this.chunks[ci]!.length - 1 : -1;
        }
      } else {
        i++;
        if (i >= chunk.length) {
          ci++;
          i = 0;
        }
      }
      yield this.map.get(s)!;
    }
  }

  /** Index of the first chunk whose last key is ≥ s (chunks.length when none). */
  private chunkIndex(s: string): number {
    let lo = 0;
    let hi = this.chunks.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const chunk = this.chunks[mid]!;
      if (chunk[chunk.length - 1]! < s) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private static lowerBound(chunk: readonly string[], s: string): number {
    let lo = 0;
    let hi = chunk.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (chunk[mid]! < s) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private static upperBound(chunk: readonly string[], s: string): number {
    let lo = 0;
    let hi = chunk.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (chunk[mid]! <= s) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private firstAtOrAfter(s: string | undefined): [number, number] {
    if (s === undefined) return [0, 0];
    const ci = this.chunkIndex(s);
    if (ci >= this.chunks.length) return [ci, 0];
    return [ci, SortedMap.lowerBound(this.chunks[ci]!, s)];
  }

  private firstAfter(s: string): [number, number] {
    let ci = this.chunkIndex(s);
    if (ci >= this.chunks.length) return [ci, 0];
    const i = SortedMap.upperBound(this.chunks[ci]!, s);
    if (i < this.chunks[ci]!.length) return [ci, i];
    ci++;
    return [ci, 0];
  }

  /** Position of the last key < s (or the very last key when s is undefined); [-1, -1] when none. */
  private lastBefore(s: string | undefined): [number, number] {
    if (this.chunks.length === 0) return [-1, -1];
    if (s === undefined) {
      const ci = this.chunks.length - 1;
      return [ci, this.chunks[ci]!.length - 1];
    }
    let ci = this.chunkIndex(s);
    if (ci >= this.chunks.length) ci = this.chunks.length - 1;
    const i = SortedMap.lowerBound(this.chunks[ci]!, s) - 1;
    if (i >= 0) return [ci, i];
    ci--;
    return ci >= 0 ? [ci, this.chunks[ci]!.length - 1] : [-1, -1];
  }

  private insertKey(s: string): void {
    if (!this.indexed) return;
    if (this.chunks.length === 0) {
      this.chunks = [[s]];
      return;
    }
    let ci = this.chunkIndex(s);
    if (ci >= this.chunks.length) ci = this.chunks.length - 1;
    const chunk = this.chunks[ci]!;
    chunk.splice(SortedMap.lowerBound(chunk, s), 0, s);
    if (chunk.length > MAX_CHUNK) this.chunks.splice(ci + 1, 0, chunk.splice(MAX_CHUNK >>> 1));
  }

  private removeKey(s: string): void {
    if (!this.indexed) return;
    const ci = this.chunkIndex(s);
    const chunk = this.chunks[ci]!;
    chunk.splice(SortedMap.lowerBound(chunk, s), 1);
    if (chunk.length === 0) this.chunks.splice(ci, 1);
  }
}
