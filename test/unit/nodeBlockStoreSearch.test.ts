/**
 * The block store's searches against a brute-force scan of the saved results: random events (values
 * shared by several `type.key`s, numbers, times, a NUL inside, non-indexed attributes, finalize-block
 * events) and random queries (every operator, AND, tx.height / block.height, pages, order), on memory
 * and LMDB; the txs' hashes given by the caller (used as given, refused when their count or size is
 * wrong); a store holding blocks indexed by an older layout.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import fc from "fast-check";
import type { AppEvent } from "../../src/app/index.ts";
import { sha256 } from "../../src/crypto/index.ts";
import { blockIdOf, emptyCommit, encodeBlock } from "../../src/node/blockCodec.ts";
import { BlockStore, eventKey } from "../../src/node/blockStore.ts";
import { type ChainBlock, commitOf, header, record, result, saveAll, vals } from "./nodeBlockStoreFixture.ts";
import { matchValue, parseQuery } from "../../src/node/query.ts";
import { be32, be64, concatBytes } from "../../src/primitives/bytes.ts";
import { isCodedError } from "../../src/primitives/errors.ts";
import { toHex } from "../../src/primitives/hex.ts";
import { createMemoryDatabase, openDatabase, type Database } from "../../src/store/index.ts";

// ---- random chains and queries --------------------------------------------------------------------

// Types and keys whose `type.key` texts overlap ("a.b"+"c" and "a"+"b.c"); values shared by all of them.
const TYPES = ["message", "transfer", "tx", "a", "a.b"];
const KEYS = ["sender", "amount", "c", "b.c"];
// Values and keys that extend a shorter one by a NUL and bytes that sort like a height: their index
// keys fall inside the shorter one's key range.
const NUL_TAIL = `${"\u0000".repeat(8)}\u0002`;
const EVENT_KEYS = [...KEYS, `c${NUL_TAIL}`];
const VALUES = [
  "a",
  "b",
  "ab",
  "a\u0000b",
  `a${NUL_TAIL}`,
  "",
  "10",
  "9",
  "9.5",
  "-1",
  "é",
  "2024-01-01",
  "2024-03-01T10:00:00Z",
];

const anyEvent: fc.Arbitrary<AppEvent> = record({
  type: fc.constantFrom(...TYPES),
  attributes: fc.array(
    record({ key: fc.constantFrom(...EVENT_KEYS), value: fc.constantFrom(...VALUES), index: fc.boolean() }),
    { maxLength: 3 },
  ),
});

const anyBlocks: fc.Arbitrary<ChainBlock[]> = fc
  .array(
    record({
      txEvents: fc.array(fc.array(anyEvent, { maxLength: 4 }), { maxLength: 5 }),
      finalize: fc.array(anyEvent, { maxLength: 3 }),
    }),
    { minLength: 1, maxLength: 6 },
  )
  .map((blocks) =>
    blocks.map(({ txEvents, finalize }, hi) => ({
      txs: txEvents.map((_, i) => Uint8Array.of(hi + 1, i, 0x5a)),
      results: { txResults: txEvents.map((e) => result(e)), finalizeBlockEvents: finalize, validatorUpdates: [] },
    })),
  );

const COMPOSITES = [...new Set(TYPES.flatMap((t) => KEYS.map((k) => `${t}.${k}`)))];
const anyCondition: fc.Arbitrary<string> = fc.oneof(
  fc
    .tuple(fc.constantFrom(...COMPOSITES), fc.constantFrom("=", "<", "<=", ">", ">="), fc.constantFrom(...VALUES))
    .map(([k, op, v]) => `${k} ${op} '${v}'`),
  fc
    .tuple(
      fc.constantFrom(...COMPOSITES),
      fc.constantFrom("=", "<", "<=", ">", ">="),
      fc.constantFrom(-1, 0, 9, 9.5, 10),
    )
    .map(([k, op, v]) => `${k} ${op} ${v}`),
  fc
    .tuple(
      fc.constantFrom(...COMPOSITES),
      fc.constantFrom("=", "<", ">="),
      fc.constantFrom("DATE 2024-01-01", "TIME 2024-03-01T10:00:00Z"),
    )
    .map(([k, op, v]) => `${k} ${op} ${v}`),
  fc
    .tuple(fc.constantFrom(...COMPOSITES), fc.constantFrom("a", "b", "", "0", "\u0000"))
    .map(([k, v]) => `${k} CONTAINS '${v}'`),
  fc.constantFrom(...COMPOSITES).map((k) => `${k} EXISTS`),
);
const anyHeightCondition = (key: string): fc.Arbitrary<string> =>
  fc
    .tuple(fc.constantFrom("=", "<", "<=", ">", ">="), fc.constantFrom(0, 1, 2, 2.5, 3, 5, 7))
    .map(([op, v]) => `${key} ${op} ${v}`);

const anyQuery = (heightKey: string): fc.Arbitrary<string> =>
  fc
    .tuple(fc.array(anyCondition, { minLength: 1, maxLength: 3 }), fc.option(anyHeightCondition(heightKey)))
    .map(([cs, h]) => [...cs, ...(h === null ? [] : [h])].join(" AND "));

const anyPaging = record({
  page: fc.integer({ min: 1, max: 4 }),
  perPage: fc.constantFrom(1, 2, 3, 30, 100),
  orderBy: fc.constantFrom<"asc" | "desc">("asc", "desc"),
});

/** Brute force over the saved results: positions of txs where every condition has a matching attribute. */
function modelTxs(blocks: readonly ChainBlock[], query: string): [number, number][] {
  const conditions = parseQuery(query);
  const out: [number, number][] = [];
  blocks.forEach((b, hi) => {
    const h = hi + 1;
    b.results.txResults.forEach((r, i) => {
      const ok = conditions.every((c) => {
        if (c.key === "tx.height") return c.op === "EXISTS" || matchValue(c, String(h));
        return r.events.some((e) =>
          e.attributes.some((a) => a.index && `${e.type}.${a.key}` === c.key && matchValue(c, a.value)),
        );
      });
      if (ok) out.push([h, i]);
    });
  });
  return out;
}

function modelBlocks(blocks: readonly ChainBlock[], query: string): number[] {
  const conditions = parseQuery(query);
  const out: number[] = [];
  blocks.forEach((b, hi) => {
    const h = hi + 1;
    const ok = conditions.every((c) => {
      if (c.key === "block.height") return c.op === "EXISTS" || matchValue(c, String(h));
      return b.results.finalizeBlockEvents.some((e) =>
        e.attributes.some((a) => a.index && `${e.type}.${a.key}` === c.key && matchValue(c, a.value)),
      );
    });
    if (ok) out.push(h);
  });
  return out;
}

/** The page the store should answer, or "refused" (a page past the last). */
function pageOf<T>(all: readonly T[], p: { page: number; perPage: number; orderBy: "asc" | "desc" }): T[] | "refused" {
  const ordered = p.orderBy === "desc" ? [...all].reverse() : [...all];
  const pages = Math.max(Math.ceil(ordered.length / p.perPage), 1);
  if (p.page > pages) return "refused";
  return ordered.slice((p.page - 1) * p.perPage, p.page * p.perPage);
}

const refused = (e: unknown): boolean => isCodedError(e, "NODE_QUERY_INVALID");

function checkTxQuery(
  store: BlockStore,
  blocks: readonly ChainBlock[],
  q: string,
  p: { page: number; perPage: number; orderBy: "asc" | "desc" },
): void {
  const all = modelTxs(blocks, q);
  const expected = pageOf(all, p);
  if (expected === "refused") {
    assert.throws(() => store.searchTxs(q, p), refused, q);
    return;
  }
  const got = store.searchTxs(q, p);
  assert.equal(got.total, all.length, q);
  assert.deepEqual(
    got.items.map((t) => [t.height, t.index]),
    expected,
    q,
  );
  for (const t of got.items) {
    assert.deepEqual(t.result, blocks[t.height - 1]!.results.txResults[t.index], q);
    assert.deepEqual(t.hash, sha256(blocks[t.height - 1]!.txs[t.index]!));
  }
}

function checkBlockQuery(
  store: BlockStore,
  blocks: readonly ChainBlock[],
  q: string,
  p: { page: number; perPage: number; orderBy: "asc" | "desc" },
): void {
  const all = modelBlocks(blocks, q);
  const expected = pageOf(all, p);
  if (expected === "refused") {
    assert.throws(() => store.searchBlocks(q, p), refused, q);
    return;
  }
  const got = store.searchBlocks(q, p);
  assert.equal(got.total, all.length, q);
  assert.deepEqual(
    got.items.map((b) => Number(b.header.height)),
    expected,
    q,
  );
}

const anyCase = fc.record({
  blocks: anyBlocks,
  txQueries: fc.array(fc.tuple(anyQuery("tx.height"), anyPaging), { minLength: 1, maxLength: 12 }),
  blockQueries: fc.array(fc.tuple(anyQuery("block.height"), anyPaging), { minLength: 1, maxLength: 4 }),
});

describe("block store: searches against a brute-force scan of the saved results", () => {
  it("random events and random queries (memory)", () => {
    fc.assert(
      fc.property(anyCase, ({ blocks, txQueries, blockQueries }) => {
        const store = new BlockStore(createMemoryDatabase());
        saveAll(store, blocks);
        for (const [q, p] of txQueries) checkTxQuery(store, blocks, q, p);
        for (const [q, p] of blockQueries) checkBlockQuery(store, blocks, q, p);
      }),
      { numRuns: 150 },
    );
  });

  it("every value and every operator on one chain, on LMDB, also after reopening", async () => {
    const dir = mkdtempSync(join(tmpdir(), "scrt-blockstore-search-"));
    try {
      const blocks = fc.sample(anyBlocks, { numRuns: 8, seed: 1234 }).flat();
      const chain: ChainBlock[] = blocks.map((b, hi) => ({
        txs: b.txs.map((tx) => Uint8Array.of(hi + 1, ...tx.subarray(1))),
        results: b.results,
      }));
      const queries = [
        ...COMPOSITES.flatMap((k) => [
          ...VALUES.map((v) => `${k} = '${v}'`),
          `${k} EXISTS`,
          `${k} CONTAINS 'a'`,
          `${k} > 9`,
          `${k} <= 9.5`,
          `${k} < 'b'`,
          `${k} >= DATE 2024-01-01`,
        ]),
        "message.sender = 'a' AND transfer.amount EXISTS AND tx.height >= 2",
        "tx.height > 0",
      ];
      const p = { page: 1, perPage: 100, orderBy: "asc" as const };
      let db: Database = openDatabase(dir, { sync: "none" });
      let store = new BlockStore(db);
      saveAll(store, chain, true);
      for (const q of queries) checkTxQuery(store, chain, q, p);
      await store.close();
      db = openDatabase(dir, { sync: "none" });
      store = new BlockStore(db);
      for (const q of queries) checkTxQuery(store, chain, q, { ...p, orderBy: "desc" });
      await store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("block store: the txs' hashes from the caller", () => {
  const block = (n: number, h = 1): ChainBlock => ({
    txs: Array.from({ length: n }, (_, i) => Uint8Array.of(h, i, 7)),
    results: {
      txResults: Array.from({ length: n }, (_, i) =>
        result([{ type: "message", attributes: [{ key: "sender", value: `s${i % 2}`, index: true }] }]),
      ),
      finalizeBlockEvents: [],
      validatorUpdates: [],
    },
  });
  const dump = (db: Database): string[] => [...db.iterator()].map(([k, v]) => `${toHex(k)}=${toHex(v)}`);

  it("stores exactly what it stores when it hashes the txs itself", () => {
    const a = createMemoryDatabase();
    const b = createMemoryDatabase();
    saveAll(new BlockStore(a), [block(3), block(2, 2)]);
    saveAll(new BlockStore(b), [block(3), block(2, 2)], true);
    assert.deepEqual(dump(b), dump(a));
    // The replay path too.
    const c = createMemoryDatabase();
    const store = new BlockStore(c);
    const only = block(3);
    const bytes = encodeBlock({ header: header(1), txs: only.txs, evidence: [], lastCommit: emptyCommit() });
    store.saveBlock(1, bytes, blockIdOf(header(1), bytes), commitOf(1), vals);
    store.saveResults(
      1,
      only.txs,
      only.results,
      only.txs.map((tx) => sha256(tx)),
    );
    const d = createMemoryDatabase();
    const plain = new BlockStore(d);
    plain.saveBlock(1, bytes, blockIdOf(header(1), bytes), commitOf(1), vals);
    plain.saveResults(1, only.txs, only.results);
    assert.deepEqual(dump(c), dump(d));
  });

  it("indexes the hashes it is given (they are not computed again)", () => {
    const store = new BlockStore(createMemoryDatabase());
    const b = block(2);
    const given = [new Uint8Array(32).fill(0xa1), new Uint8Array(32).fill(0xb2)];
    const bytes = encodeBlock({ header: header(1), txs: b.txs, evidence: [], lastCommit: emptyCommit() });
    store.saveBlock(1, bytes, blockIdOf(header(1), bytes), commitOf(1), vals, {
      txs: b.txs,
      results: b.results,
      txHashes: given,
    });
    assert.equal(store.tx(given[1]!)?.index, 1);
    assert.equal(store.tx(sha256(b.txs[1]!)), undefined);
  });

  it("refuses a list of another length, or a hash that is not 32 bytes, with NODE_STORE_INVALID_INPUT, writing nothing", () => {
    const db = createMemoryDatabase();
    const store = new BlockStore(db);
    const b = block(3);
    const bytes = encodeBlock({ header: header(1), txs: b.txs, evidence: [], lastCommit: emptyCommit() });
    const hashes = b.txs.map((tx) => sha256(tx));
    const bad: unknown[] = [
      hashes.slice(0, 2),
      [...hashes, sha256(Uint8Array.of(9))],
      [],
      [hashes[0], hashes[1], hashes[2]!.subarray(0, 31)],
      [hashes[0], hashes[1], concatBytes(hashes[2]!, Uint8Array.of(0))],
      [hashes[0], hashes[1], "00".repeat(32)],
    ];
    const invalid = (e: unknown): boolean => isCodedError(e, "NODE_STORE_INVALID_INPUT");
    for (const txHashes of bad) {
      assert.throws(
        () =>
          store.saveBlock(1, bytes, blockIdOf(header(1), bytes), commitOf(1), vals, {
            txs: b.txs,
            results: b.results,
            txHashes: txHashes as Uint8Array[],
          }),
        invalid,
      );
      assert.throws(() => store.saveResults(1, b.txs, b.results, txHashes as Uint8Array[]), invalid);
    }
    assert.equal(store.height, 0);
    assert.deepEqual([...db.iterator()], []);
  });
});

describe("block store: a store with blocks indexed by an older layout", () => {
  it("reads those blocks and their txs by hash, finds only the newer blocks' txs by events, and never fails", () => {
    const db = createMemoryDatabase();
    const store = new BlockStore(db);
    const ev = (value: string): AppEvent[] => [
      { type: "message", attributes: [{ key: "sender", value, index: true }] },
    ];
    const blocks: ChainBlock[] = [1, 2].map((h) => ({
      txs: [Uint8Array.of(h, 0), Uint8Array.of(h, 1)],
      results: { txResults: [result(ev("a")), result(ev("b"))], finalizeBlockEvents: [], validatorUpdates: [] },
    }));
    saveAll(store, blocks.slice(0, 1));
    // Block 1 as the previous layout indexed it: `e ‖ type.key ‖ 0 ‖ value ‖ 0 ‖ h` → be32 indexes.
    const newIndex = [...db.iterator()].filter(([k]) => [0x70, 0x67, 0x6b].includes(k[0]!));
    assert.ok(newIndex.length > 0);
    db.transaction((w) => {
      for (const [k] of newIndex) w.delete(k);
      w.put(eventKey(0x65, "message", "sender", "a", be64(1)), be32(0));
      w.put(eventKey(0x65, "message", "sender", "b", be64(1)), be32(1));
    });
    const bytes = encodeBlock({ header: header(2), txs: blocks[1]!.txs, evidence: [], lastCommit: emptyCommit() });
    store.saveBlock(2, bytes, blockIdOf(header(2), bytes), commitOf(2), vals, {
      txs: blocks[1]!.txs,
      results: blocks[1]!.results,
    });
    const found = (q: string): number[][] => store.searchTxs(q).items.map((t) => [t.height, t.index]);
    assert.deepEqual(found("message.sender = 'a'"), [[2, 0]]);
    assert.deepEqual(found("message.sender EXISTS"), [
      [2, 0],
      [2, 1],
    ]);
    assert.deepEqual(found("message.sender CONTAINS 'b' AND tx.height <= 2"), [[2, 1]]);
    assert.deepEqual(found("tx.height = 1"), [
      [1, 0],
      [1, 1],
    ]);
    assert.equal(store.tx(sha256(Uint8Array.of(1, 1)))?.index, 1);
    assert.deepEqual(store.results(1), blocks[0]!.results);
  });
});

describe("block store: finalize-block attributes whose key bytes are ambiguous", () => {
  it("a NUL inside type.key or the value never makes another attribute match (fast-check's counterexample)", () => {
    const store = new BlockStore(createMemoryDatabase());
    const block = (type: string, key: string, value: string): ChainBlock => ({
      txs: [],
      results: {
        txResults: [],
        finalizeBlockEvents: [{ type, attributes: [{ key, value, index: true }] }],
        validatorUpdates: [],
      },
    });
    // Key bytes `f a.c 0 …`: block 1's `type.key` is "a.c\0…", block 2's value is "x\0y", block 3 is plain.
    saveAll(store, [block("a", "c\0\0\x02", "a"), block("a", "c", "x\0y"), block("a", "c", "x")]);
    const heights = (q: string): number[] => store.searchBlocks(q).items.map((b) => Number(b.header.height));
    assert.deepEqual(heights("a.c EXISTS"), [2, 3]);
    assert.deepEqual(heights("a.c = 'x'"), [3]);
    assert.deepEqual(heights("a.c CONTAINS 'y'"), [2]);
  });
});
