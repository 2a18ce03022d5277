/**
 * `PageRequest` over an in-memory list, as the SDK's `query.Paginate`: `limit` 0 means 100 and counts
 * the total; `key` (when set) is the opaque `next_key` of a previous page (here: the 8-byte big-endian
 * offset); `count_total` fills `total` (not for key-based pages); `reverse` walks from the end.
 */
import type { PageRequest, PageResponse } from "../../codec/staking.ts";
import { be64, readBe64 } from "../../primitives/bytes.ts";
import { grpcInvalidArgument } from "../query.ts";

export const DEFAULT_PAGE_LIMIT = 100n;

export function paginate<T>(all: readonly T[], page: PageRequest): { items: T[]; page: PageResponse } {
  if (page.key.length > 0 && page.offset > 0n) {
    throw grpcInvalidArgument("paginate: invalid request, either offset or key is expected, got both");
  }
  let start: bigint;
  if (page.key.length > 0) {
    if (page.key.length !== 8) throw grpcInvalidArgument("invalid pagination key");
    start = readBe64(page.key);
  } else start = page.offset;
  const limit = page.limit === 0n ? DEFAULT_PAGE_LIMIT : page.limit;
  const list = page.reverse ? [...all].reverse() : all;
  const n = BigInt(list.length);
  const from = start > n ? n : start;
  const to = from + limit > n ? n : from + limit;
  const items = list.slice(Number(from), Number(to));
  const nextKey = to < n ? be64(to) : new Uint8Array(0);
  // Upstream counts the total when asked or when no limit was given, never for key-based pages.
  const total = page.key.length === 0 && (page.countTotal || page.limit === 0n) ? n : 0n;
  return { items, page: { nextKey, total } };
}
