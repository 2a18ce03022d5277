/**
 * The block store's stored forms: the binary results codec (round trips for any results, the JSON
 * fallback and the legacy JSON form, refusals of damaged bytes), the event index with one entry per
 * distinct attribute of a block (searches equal a brute-force model on memory and on LMDB), and the
 * `x ‖ h` tx lists.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import fc from "fast-check";
import type { AppEvent, TxResult } from "../../src/app/index.ts";
import { toCanonicalJson } from "../../src/consensus/index.ts";
import { sha256 } from "../../src/crypto/index.ts";
import { blockIdOf, emptyCommit, encodeBlock } from "../../src/node/blockCodec.ts";
import {
  BlockStore,
  decodeResults,
  decodeTxResult,
  encodeResults,
  type StoredResults,
} from "../../src/node/blockStore.ts";
import { type ChainBlock, commitOf, header, record, result, saveAll, vals } from "./nodeBlockStoreFixture.ts";
import { matchValue, parseQuery } from "../../src/node/query.ts";
import { be32, be64, concatBytes, utf8Encode } from "../../src/primitives/bytes.ts";
import { isCodedError } from "../../src/primitives/errors.ts";
import { toHex } from "../../src/primitives/hex.ts";
import { createMemoryDatabase, openDatabase, type Database } from "../../src/store/index.ts";

// ---- results codec ------------------------------------------------------------------------------

const anyText = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.string({ unit: "binary", maxLength: 12 }),
  fc.string({ minLength: 120, maxLength: 300 }),
  fc.constantFrom("secret1y3f3yrhqyv0tnj6x49enjk3ke75huamgw8gp0m", "2500uscrt", "é€😀", "\ud800", "a\u0000b"),
);
const anyBig = fc.oneof(
  fc.bigInt({ min: 0n, max: 2n ** 53n - 1n }),
  fc.bigInt({ min: -(2n ** 80n), max: 2n ** 80n }),
  fc.constantFrom(0n, 2n ** 53n - 1n, 2n ** 53n, 2n ** 64n - 1n, -1n),
);
const anyEvent: fc.Arbitrary<AppEvent> = record({
  type: anyText,
  attributes: fc.array(record({ key: anyText, value: anyText, index: fc.boolean() }), { maxLength: 4 }),
});
const anyTxResult: fc.Arbitrary<TxResult> = record({
  code: fc.oneof(fc.nat({ max: 2 ** 32 - 1 }), fc.constant(2 ** 53 - 1)),
  codespace: anyText,
  log: anyText,
  info: anyText,
  gasWanted: anyBig,
  gasUsed: anyBig,
  events: fc.array(anyEvent, { maxLength: 4 }),
  data: fc.uint8Array({ maxLength: 200 }),
});
const anyResults: fc.Arbitrary<StoredResults> = record({
  txResults: fc.array(anyTxResult, { maxLength: 6 }),
  finalizeBlockEvents: fc.array(anyEvent, { maxLength: 3 }),
  validatorUpdates: fc.array(record({ pubKey: fc.uint8Array({ maxLength: 40 }), power: anyBig }), {
    maxLength: 3,
  }),
});

/** The JSON form the store wrote before the binary one (what old homes hold). */
function legacyJson(results: StoredResults): Uint8Array {
  return utf8Encode(
    JSON.stringify(results, (_key, v: unknown) =>
      typeof v === "bigint" ? { $n: v.toString() } : v instanceof Uint8Array ? { $b: toHex(v) } : v,
    ),
  );
}

const corrupt = (e: unknown): boolean => isCodedError(e, "NODE_STORE_CORRUPT");

describe("block store: results codec", () => {
  it("round-trips any results exactly, and reads one tx's result alone", () => {
    fc.assert(
      fc.property(anyResults, (results) => {
        const stored = encodeResults(results);
        assert.deepEqual(decodeResults(stored), results);
        for (let i = 0; i < results.txResults.length; i++) {
          assert.deepEqual(decodeTxResult(stored, i), results.txResults[i]);
        }
        assert.equal(decodeTxResult(stored, results.txResults.length), undefined);
        assert.equal(decodeTxResult(stored, -1), undefined);
      }),
      { numRuns: 300 },
    );
  });

  it("writes the binary form for well-formed text and falls back to JSON for a lone surrogate", () => {
    const tx = (log: string): TxResult => ({
      code: 0,
      codespace: "",
      log,
      info: "",
      gasWanted: 1n,
      gasUsed: 1n,
      events: [],
      data: new Uint8Array(0),
    });
    const plain = { txResults: [tx("é€😀 ok")], finalizeBlockEvents: [], validatorUpdates: [] };
    assert.equal(encodeResults(plain)[0], 0x01);
    const lone = { txResults: [tx("bad \udc00 half")], finalizeBlockEvents: [], validatorUpdates: [] };
    const stored = encodeResults(lone);
    assert.equal(stored[0], 0x7b, "JSON");
    assert.equal(decodeResults(stored).txResults[0]!.log, "bad \udc00 half");
  });

  it("reads the legacy JSON form", () => {
    fc.assert(
      fc.property(anyResults, (results) => {
        const stored = legacyJson(results);
        assert.equal(toCanonicalJson(decodeResults(stored)), toCanonicalJson(results));
        if (results.txResults.length > 0) {
          assert.equal(toCanonicalJson(decodeTxResult(stored, 0)), toCanonicalJson(results.txResults[0]));
        }
      }),
      { numRuns: 50 },
    );
  });

  it("refuses truncated, extended and unknown bytes with NODE_STORE_CORRUPT", () => {
    const results: StoredResults = {
      txResults: [
        {
          code: 3,
          codespace: "sdk",
          log: "x",
          info: "",
          gasWanted: 2n ** 64n,
          gasUsed: 7n,
          events: [{ type: "t", attributes: [{ key: "k", value: "v", index: true }] }],
          data: Uint8Array.of(1, 2, 3),
        },
      ],
      finalizeBlockEvents: [{ type: "mint", attributes: [{ key: "amount", value: "1", index: false }] }],
      validatorUpdates: [{ pubKey: new Uint8Array(32).fill(4), power: 10n }],
    };
    const stored = encodeResults(results);
    for (let n = 1; n < stored.length; n++) {
      assert.throws(() => decodeResults(stored.subarray(0, n)), corrupt, `prefix of ${n} bytes`);
    }
    assert.throws(() => decodeResults(concatBytes(stored, Uint8Array.of(0))), corrupt);
    assert.throws(() => decodeResults(Uint8Array.of(0x02, 0)), corrupt);
    assert.throws(() => decodeResults(new Uint8Array(0)), corrupt);
    // Any single damaged byte: a coded refusal or different results, never a crash of another kind.
    for (let i = 0; i < stored.length; i++) {
      const bad = stored.slice();
      bad[i] = bad[i]! ^ 0xff;
      try {
        assert.notDeepEqual(decodeResults(bad), results);
      } catch (e) {
        assert.ok(isCodedError(e), `byte ${i}: ${String(e)}`);
      }
    }
  });
});

// ---- index and search ---------------------------------------------------------------------------

/** Brute force: positions of txs where every condition has a matching indexed attribute. */
function model(blocks: readonly ChainBlock[], query: string): [number, number][] {
  const conditions = parseQuery(query);
  const out: [number, number][] = [];
  blocks.forEach((b, hi) => {
    const h = hi + 1;
    b.results.txResults.forEach((r, i) => {
      const ok = conditions.every((c) => {
        if (c.key === "tx.height") return matchValue(c, String(h));
        if (c.key === "tx.hash") return toHex(sha256(b.txs[i]!)) === (c.operand?.value as string).toLowerCase();
        return r.events.some((e) =>
          e.attributes.some((a) => a.index && `${e.type}.${a.key}` === c.key && matchValue(c, a.value)),
        );
      });
      if (ok) out.push([h, i]);
    });
  });
  return out;
}

const VALUES = ["a", "b", "a\u0000b", "10", "9", "é", ""];
const anyBlocks: fc.Arbitrary<ChainBlock[]> = fc
  .array(
    fc.array(
      fc.array(
        record({
          type: fc.constantFrom("message", "transfer"),
          attributes: fc.array(
            record({
              key: fc.constantFrom("sender", "amount"),
              value: fc.constantFrom(...VALUES),
              index: fc.boolean(),
            }),
            { maxLength: 3 },
          ),
        }),
        { maxLength: 3 },
      ),
      { maxLength: 4 },
    ),
    { minLength: 1, maxLength: 5 },
  )
  .map((blocks) =>
    blocks.map((txEvents, hi) => ({
      txs: txEvents.map((_, i) => Uint8Array.of(hi + 1, i, 0xaa)),
      results: {
        txResults: txEvents.map((events) => result(events)),
        finalizeBlockEvents: [],
        validatorUpdates: [],
      },
    })),
  );

const QUERIES = [
  ...["message.sender", "transfer.amount", "transfer.sender"].flatMap((k) => [
    ...VALUES.map((v) => `${k} = '${v}'`),
    `${k} EXISTS`,
    `${k} CONTAINS 'a'`,
    `${k} > 9`,
    `${k} <= 9`,
  ]),
  "message.sender = 'a' AND transfer.amount = '10'",
  "message.sender EXISTS AND tx.height >= 2 AND tx.height < 4",
  "tx.height > 0",
  "tx.height = 3",
];

function checkSearches(store: BlockStore, blocks: readonly ChainBlock[]): void {
  for (const q of QUERIES) {
    const expected = model(blocks, q);
    const asc = store.searchTxs(q, { perPage: 100 });
    assert.equal(asc.total, expected.length, q);
    assert.deepEqual(
      asc.items.map((t) => [t.height, t.index]),
      expected,
      q,
    );
    for (const t of asc.items) {
      assert.deepEqual(t.result, blocks[t.height - 1]!.results.txResults[t.index], q);
      assert.deepEqual(t.tx, blocks[t.height - 1]!.txs[t.index]);
      assert.deepEqual(t.hash, sha256(t.tx));
    }
    const desc = store.searchTxs(q, { perPage: 100, orderBy: "desc" });
    assert.deepEqual(
      desc.items.map((t) => [t.height, t.index]),
      [...expected].reverse(),
      q,
    );
  }
  blocks.forEach((b, hi) =>
    b.txs.forEach((tx, i) => {
      const found = store.tx(sha256(tx));
      assert.equal(found?.height, hi + 1);
      assert.equal(found?.index, i);
      const q = `tx.hash = '${toHex(sha256(tx)).toUpperCase()}'`;
      assert.deepEqual(
        store.searchTxs(q).items.map((t) => [t.height, t.index]),
        [[hi + 1, i]],
      );
    }),
  );
}

describe("block store: event index", () => {
  it("searches equal a brute-force model of the indexed attributes (memory)", () => {
    fc.assert(
      fc.property(anyBlocks, (blocks) => {
        const store = new BlockStore(createMemoryDatabase());
        saveAll(store, blocks);
        checkSearches(store, blocks);
      }),
      { numRuns: 60 },
    );
  });

  it("writes one posting per distinct value, one list per type.key, and the block's type.key list", () => {
    const db = createMemoryDatabase();
    const store = new BlockStore(db);
    const attr = (type: string, key: string, v: string, index = true): AppEvent => ({
      type,
      attributes: [
        { key, value: v, index },
        { key: "memo", value: "hidden", index: false },
      ],
    });
    const sender = (v: string): AppEvent => attr("message", "sender", v);
    const blocks: ChainBlock[] = [
      {
        txs: [Uint8Array.of(1), Uint8Array.of(2), Uint8Array.of(3)],
        results: {
          txResults: [
            result([sender("a"), sender("a"), attr("transfer", "amount", "hidden", false)]),
            result([sender("b")]),
            result([sender("a"), attr("transfer", "recipient", "b"), sender("a")]),
          ],
          finalizeBlockEvents: [],
          validatorUpdates: [],
        },
      },
    ];
    saveAll(store, blocks);
    const str = (s: string): Uint8Array => concatBytes(Uint8Array.of(s.length), utf8Encode(s));
    const key = (prefix: number, text: string): Uint8Array =>
      concatBytes(Uint8Array.of(prefix), utf8Encode(text), Uint8Array.of(0), be64(1));
    const index = [...db.iterator()].filter(([k]) => [0x65, 0x67, 0x6b, 0x70].includes(k[0]!));
    assert.deepEqual(index, [
      // g ‖ type.key ‖ 0 ‖ h: per value, its txs.
      [
        key(0x67, "message.sender"),
        concatBytes(Uint8Array.of(1, 2), str("a"), Uint8Array.of(2, 0, 2), str("b"), Uint8Array.of(1, 1)),
      ],
      [key(0x67, "transfer.recipient"), concatBytes(Uint8Array.of(1, 1), str("b"), Uint8Array.of(1, 2))],
      // k ‖ h: the block's type.keys, in the order postings name them.
      [
        concatBytes(Uint8Array.of(0x6b), be64(1)),
        concatBytes(Uint8Array.of(1, 2), str("message.sender"), str("transfer.recipient")),
      ],
      // p ‖ value ‖ 0 ‖ h: per type.key carrying the value, its txs.
      [key(0x70, "a"), Uint8Array.of(1, 1, 0, 2, 0, 2)],
      [key(0x70, "b"), Uint8Array.of(1, 2, 0, 1, 1, 1, 1, 2)],
    ]);
    const list = db.get(concatBytes(Uint8Array.of(0x78), be64(1)));
    assert.deepEqual(list, concatBytes(...blocks[0]!.txs.map((tx) => sha256(tx))));
    assert.deepEqual(db.get(concatBytes(Uint8Array.of(0x74), sha256(Uint8Array.of(3)))), concatBytes(be64(1), be32(2)));
  });

  it("keeps every tx of pairs whose keys coincide: same `type.key` text, lone surrogates", () => {
    const attr = (type: string, key: string, value: string): AppEvent => ({
      type,
      attributes: [{ key, value, index: true }],
    });
    const block = (events: AppEvent[][]): ChainBlock => ({
      txs: events.map((_, i) => Uint8Array.of(0xee, i)),
      results: { txResults: events.map((e) => result(e)), finalizeBlockEvents: [], validatorUpdates: [] },
    });
    const positions = (store: BlockStore, q: string): number[][] =>
      store.searchTxs(q).items.map((t) => [t.height, t.index]);
    const sameText = new BlockStore(createMemoryDatabase());
    saveAll(sameText, [block([[attr("a.b", "c", "v")], [attr("a", "b.c", "v")], [attr("a", "b.c", "w")]])]);
    assert.deepEqual(positions(sameText, "a.b.c = 'v'"), [
      [1, 0],
      [1, 1],
    ]);
    assert.deepEqual(positions(sameText, "a.b.c EXISTS"), [
      [1, 0],
      [1, 1],
      [1, 2],
    ]);
    // "\ud800" is written as U+FFFD, as "\ufffd" is: one key, both txs (a NUL in the type likewise).
    const lone = new BlockStore(createMemoryDatabase());
    saveAll(lone, [
      block([
        [attr("t", "k", "\ud800")],
        [attr("t", "k", "\ufffd")],
        [attr("t\u0000x", "k", "v")],
        [attr("t", "k", "z")],
      ]),
    ]);
    assert.deepEqual(positions(lone, "t.k = '\ufffd'"), [
      [1, 0],
      [1, 1],
    ]);
    assert.deepEqual(positions(lone, "t.k = 'z'"), [[1, 3]]);
  });

  it("on LMDB: the same searches and reads, also after reopening the store", async () => {
    const dir = mkdtempSync(join(tmpdir(), "scrt-blockstore-index-"));
    try {
      const samples = fc.sample(anyBlocks, { numRuns: 6, seed: 42 });
      // One chain of all samples' blocks, so the scratch buffers are reused across many saves.
      const blocks = samples.flat().map((b, hi) => ({
        txs: b.txs.map((tx) => Uint8Array.of(hi + 1, ...tx.subarray(1))),
        results: b.results,
      }));
      let db: Database = openDatabase(dir, { sync: "none" });
      let store = new BlockStore(db);
      saveAll(store, blocks);
      checkSearches(store, blocks);
      await store.close();
      db = openDatabase(dir, { sync: "none" });
      store = new BlockStore(db);
      assert.equal(store.height, blocks.length);
      checkSearches(store, blocks);
      blocks.forEach((b, hi) => assert.deepEqual(store.results(hi + 1), b.results));
      await store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("saveResults after saveBlock (the replay path) indexes the same way", () => {
    const blocks = fc.sample(anyBlocks, { numRuns: 1, seed: 7 })[0]!;
    const store = new BlockStore(createMemoryDatabase());
    blocks.forEach((b, i) => {
      const h = i + 1;
      const bytes = encodeBlock({ header: header(h), txs: b.txs, evidence: [], lastCommit: emptyCommit() });
      store.saveBlock(h, bytes, blockIdOf(header(h), bytes), commitOf(h), vals);
      assert.equal(store.hasResults(h), false);
      store.saveResults(h, b.txs, b.results);
      // Saving the same results twice (a replay after a crash) changes nothing.
      store.saveResults(h, b.txs, b.results);
    });
    checkSearches(store, blocks);
  });
});
