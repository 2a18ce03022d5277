/**
 * Store pagination with the Cosmos SDK 0.50 semantics of `types/query` (chain-api.md §7), over a key
 * range whose keys are given relative to a collection prefix (`next_key` is such a relative key, as
 * upstream strips the collection and pair prefixes):
 *
 * - `collections` (`CollectionPaginate`, used by most 0.50 queries): `limit` 0 means 100 and turns
 *   `count_total` on; `key` and `offset` together are refused; with `key` the page starts at that key
 *   (in `reverse`, at it and below, keys extending it included) and carries no total; without it the
 *   first `offset` entries are skipped and `total` = every entry when counted. An `offset` past the end
 *   answers an empty page with an empty `PageResponse` (upstream's swallowed invalid-iterator error).
 * - `legacy` (`query.Paginate` over a prefix store, e.g. `DenomsMetadata`): the same, except that an
 *   `offset` past the end still counts the total, and `reverse` with a `key` starts at the first key
 *   ≥ `key`.
 */
import type { PageRequest, PageResponse } from "../../codec/staking.ts";
import { compareBytes, concatBytes } from "../../primitives/bytes.ts";
import type { ReadonlyKVStore } from "../../store/index.ts";
import { prefixEnd } from "../../store/index.ts";

export const DEFAULT_PAGE_LIMIT = 100n;

/** Entries with relative keys in `[start, end)`, ascending or descending. */
export type RangeSource<V> = (
  start: Uint8Array | undefined,
  end: Uint8Array | undefined,
  reverse: boolean,
) => Iterable<readonly [Uint8Array, V]>;

/** Refused page request (`key` and `offset` both set); each query wraps it as upstream does. */
export class PaginationError extends Error {
  override readonly name = "PaginationError";
}

export const PAGINATION_KEY_AND_OFFSET = "invalid request, either offset or key is expected, got both";

/** The entries under `prefix` of `kv`, keys relative to the prefix. */
export function prefixSource(kv: ReadonlyKVStore, prefix: Uint8Array): RangeSource<Uint8Array> {
  return function* (start, end, reverse) {
    const from = start === undefined ? prefix : concatBytes(prefix, start);
    const to = end === undefined ? prefixEnd(prefix) : concatBytes(prefix, end);
    for (const [key, value] of kv.iterator(from, to, reverse)) yield [key.subarray(prefix.length), value];
  };
}

/** An in-memory collection (e.g. a derived index); `entries` need not be sorted. */
export function listSource<V>(entries: ReadonlyArray<readonly [Uint8Array, V]>): RangeSource<V> {
  const sorted = [...entries].sort((a, b) => compareBytes(a[0], b[0]));
  return function* (start, end, reverse) {
    const inRange = sorted.filter(
      ([k]) => (start === undefined || compareBytes(k, start) >= 0) && (end === undefined || compareBytes(k, end) < 0),
    );
    if (reverse) inRange.reverse();
    yield* inRange;
  };
}

export interface Page<T> {
  readonly items: T[];
  readonly page: PageResponse;
}

const EMPTY = new Uint8Array(0);

/** Pages through `source`; `transform` runs only on the entries of the page. */
export function paginate<V, T>(
  source: RangeSource<V>,
  request: PageRequest | undefined,
  transform: (key: Uint8Array, value: V) => T,
  mode: "collections" | "legacy" = "collections",
): Page<T> {
  const key = request?.key ?? EMPTY;
  const offset = request?.offset ?? 0n;
  const reverse = request?.reverse ?? false;
  let limit = request?.limit ?? 0n;
  let countTotal = request?.countTotal ?? false;
  if (limit === 0n) {
    limit = DEFAULT_PAGE_LIMIT;
    countTotal = true;
  }
  if (offset > 0n && key.length > 0) throw new PaginationError(PAGINATION_KEY_AND_OFFSET);

  const items: T[] = [];
  if (key.length > 0) {
    let entries: Iterable<readonly [Uint8Array, V]>;
    if (!reverse) entries = source(key, undefined, false);
    else if (mode === "collections") entries = source(undefined, prefixEnd(key), true);
    else entries = source(undefined, secondKeyFrom(source, key), true);
    let count = 0n;
    let nextKey = EMPTY;
    for (const [k, v] of entries) {
      if (count === limit) {
        nextKey = Uint8Array.from(k);
        break;
      }
      items.push(transform(k, v));
      count++;
    }
    return { items, page: { nextKey, total: 0n } };
  }

  let count = 0n;
  let nextKey = EMPTY;
  const end = offset + limit;
  for (const [k, v] of source(undefined, undefined, reverse)) {
    count++;
    if (count <= offset) continue;
    if (count <= end) items.push(transform(k, v));
    else if (count === end + 1n) {
      nextKey = Uint8Array.from(k);
      if (!countTotal) break;
    }
  }
  if (mode === "collections" && count < offset) return { items: [], page: { nextKey: EMPTY, total: 0n } };
  return { items, page: { nextKey, total: countTotal ? count : 0n } };
}

/** Legacy reverse paging: the end bound is the key after the first key ≥ `key` (open when none). */
function secondKeyFrom<V>(source: RangeSource<V>, key: Uint8Array): Uint8Array | undefined {
  let seen = 0;
  for (const [k] of source(key, undefined, false)) {
    if (++seen === 2) return Uint8Array.from(k);
  }
  return undefined;
}
