/**
 * The block store: blocks, commits, block results, app hashes and validator sets by height, a tx index
 * by hash, and event indexes that serve `searchTxs` / `searchBlocks` with CometBFT's query language.
 * One `Database` (LMDB under `data/blockstore`, or memory in tests); each save is one transaction.
 *
 * Keys (heights `be64`, tx positions `be64(height) ‖ be32(index)`):
 *
 * | key | value |
 * |---|---|
 * | `b ‖ h` | block bytes (protobuf `Block`) |
 * | `i ‖ h` | block id (protobuf `BlockID`) |
 * | `c ‖ h` | the seen commit of `h` (protobuf `Commit`, what this node decided with) |
 * | `v ‖ h` | validator set used at `h` (canonical JSON) |
 * | `r ‖ h` | block results (`encodeResults`: binary, version byte 1; legacy/fallback canonical JSON) |
 * | `a ‖ h` | app hash after `h` (only when saved by a replay; else the next header's, or the node's latest) |
 * | `h ‖ block hash` | `be64(h)` |
 * | `t ‖ tx hash` | tx position |
 * | `x ‖ h` | the hashes of the block's txs, in order (32 bytes each; absent for a block without txs) |
 * | `e ‖ type.key ‖ 0 ‖ value ‖ 0 ‖ h` | `be32` indexes (ascending, distinct) of the block's txs with that indexed attribute |
 * | `f ‖ type.key ‖ 0 ‖ value ‖ 0 ‖ h` | empty: a finalize-block event attribute |
 * | `m height` | `be64` latest block saved |
 *
 * The tx event index has one entry per distinct attribute of a block rather than one per tx and
 * attribute: a bank send repeats its fee, action, module, amounts and fee collector across the block,
 * so a block of sends writes ≈ 8 index entries per tx instead of ≈ 29. Each entry is an LMDB put at a
 * key ordered by value (scattered over the tree), and those puts are most of a save's cost.
 *
 * A decided block is saved with its `finalizeBlock` results in one transaction, before the app's
 * commit; a crash before that save leaves the decision in the consensus WAL, which re-announces it.
 * Recovery compares the app's height with `height` and replays the block when the app is one behind.
 */
import type { BlockRecord, BlockResultsRecord, IndexedTx, SearchOptions, SearchResult } from "../api/backend.ts";
import type { AppEvent, EventAttribute, TxResult } from "../app/index.ts";
import { decodeBlockId, encodeBlockId, encodeCommit, type BlockId, type Commit } from "../codec/consensus.ts";
import { fromCanonicalJson, toCanonicalJson, type ValidatorSet } from "../consensus/index.ts";
import { fromHex, toHex } from "../primitives/hex.ts";
import { sha256 } from "../crypto/index.ts";
import { be64, concatBytes, readBe64, utf8Decode, utf8Encode } from "../primitives/bytes.ts";
import { CodedError } from "../primitives/errors.ts";
import type { Database, DatabaseWriter } from "../store/index.ts";
import { decodeBlock, decodeCommit, type Block } from "./blockCodec.ts";
import { heightRange, matchValue, parseQuery, QueryError, type Condition } from "./query.ts";

const P = {
  block: 0x62, // b
  blockId: 0x69, // i
  commit: 0x63, // c
  validators: 0x76, // v
  results: 0x72, // r
  appHash: 0x61, // a
  byHash: 0x68, // h
  tx: 0x74, // t
  txs: 0x78, // x
  txEvent: 0x65, // e
  blockEvent: 0x66, // f
  meta: 0x6d, // m
} as const;

const META_HEIGHT = utf8Encode("mheight");
const EMPTY = new Uint8Array(0);
const ZERO = Uint8Array.of(0);

const hKey = (prefix: number, h: number): Uint8Array => concatBytes(Uint8Array.of(prefix), be64(h));
const readPos = (b: Uint8Array, at = 0): { height: number; index: number } => ({
  height: Number(readBe64(b, at)),
  index: new DataView(b.buffer, b.byteOffset + at + 8, 4).getUint32(0),
});

export interface StoredResults {
  readonly txResults: readonly TxResult[];
  readonly finalizeBlockEvents: readonly AppEvent[];
  readonly validatorUpdates: readonly { readonly pubKey: Uint8Array; readonly power: bigint }[];
}

const MAX_PER_PAGE = 100;
const DEFAULT_PER_PAGE = 30;

function page<T>(all: readonly T[], options: SearchOptions = {}): SearchResult<T> {
  const perPage = Math.min(Math.max(options.perPage ?? DEFAULT_PER_PAGE, 1), MAX_PER_PAGE);
  const pageNo = Math.max(options.page ?? 1, 1);
  const pages = Math.max(Math.ceil(all.length / perPage), 1);
  if (pageNo > pages) throw new QueryError(`page should be within [1, ${pages}] range, given ${pageNo}`);
  return { items: all.slice((pageNo - 1) * perPage, pageNo * perPage), total: all.length };
}

export class BlockStore {
  private latest: number;

  constructor(private readonly db: Database) {
    const h = db.get(META_HEIGHT);
    this.latest = h === undefined ? 0 : Number(readBe64(h));
  }

  /** The latest height whose block is saved (0: none). */
  get height(): number {
    return this.latest;
  }

  /** The first height kept (nothing is pruned yet: 1 when any block is saved). */
  get base(): number {
    return this.latest === 0 ? 0 : (this.firstHeight() ?? 1);
  }

  private firstHeight(): number | undefined {
    for (const [k] of this.db.iterator(Uint8Array.of(P.block), Uint8Array.of(P.block + 1))) {
      return Number(readBe64(k, 1));
    }
    return undefined;
  }

  close(): Promise<void> {
    return this.db.close();
  }

  /**
   * Saves a decided block, and (when given) its `finalizeBlock` results with the tx and event indexes,
   * in one transaction.
   */
  saveBlock(
    height: number,
    blockBytes: Uint8Array,
    blockId: BlockId,
    seenCommit: Commit,
    validators: ValidatorSet,
    results?: { readonly txs: readonly Uint8Array[]; readonly results: StoredResults },
  ): void {
    this.db.transaction((w) => {
      w.put(hKey(P.block, height), blockBytes);
      w.put(hKey(P.blockId, height), encodeBlockId(blockId));
      w.put(hKey(P.commit, height), encodeCommit(seenCommit));
      w.put(hKey(P.validators, height), utf8Encode(toCanonicalJson(validators)));
      w.put(concatBytes(Uint8Array.of(P.byHash), blockId.hash), be64(height));
      if (height > this.latest) w.put(META_HEIGHT, be64(height));
      if (results !== undefined) this.writeResults(w, height, results.txs, results.results);
    });
    if (this.decodedLatest?.height === height) this.decodedLatest = undefined;
    if (height > this.latest) this.latest = height;
  }

  /** Results of `finalizeBlock` for a saved block, with the tx and event indexes. */
  saveResults(height: number, txs: readonly Uint8Array[], results: StoredResults): void {
    this.db.transaction((w) => this.writeResults(w, height, txs, results));
  }

  private writeResults(w: DatabaseWriter, height: number, txs: readonly Uint8Array[], results: StoredResults): void {
    // The results go from the scratch buffer straight into the put (LMDB copies it).
    w.put(hKey(P.results, height), encodeResultsScratch(results));
    const n = txs.length;
    const hb = be64(height);
    // `x ‖ h`: the block's tx hashes in order; `t ‖ hash`: the tx's position.
    const hashes = new Uint8Array(32 * n);
    const tKey = new Uint8Array(33);
    tKey[0] = P.tx;
    const pos = new Uint8Array(12);
    pos.set(hb, 0);
    const posView = new DataView(pos.buffer);
    for (let i = 0; i < n; i++) {
      const hash = sha256(txs[i]!);
      hashes.set(hash, 32 * i);
      tKey.set(hash, 1);
      posView.setUint32(8, i);
      w.put(tKey, pos);
    }
    if (n > 0) w.put(hKey(P.txs, height), hashes);
    // `e ‖ type.key ‖ 0 ‖ value ‖ 0 ‖ h`: one entry per distinct indexed attribute of the block's txs,
    // whose value lists (be32, ascending) the txs that carry it. Grouped by type, then key (no string
    // built per attribute); pairs with the same `type.key` text ("a.b"+"c", "a"+"b.c") share a group.
    const byComposite = new Map<string, Map<string, number[]>>();
    const byType = new Map<string, Map<string, Map<string, number[]>>>();
    // Texts whose key bytes could equal another pair's (a NUL in `type.key`, a lone surrogate, which
    // UTF-8 writes as U+FFFD) are merged by their key bytes instead.
    let ambiguous = false;
    for (let i = 0; i < n; i++) {
      const events = results.txResults[i]?.events;
      if (events === undefined) continue;
      for (const e of events) {
        let byKey = byType.get(e.type);
        for (const a of e.attributes) {
          if (!a.index) continue;
          if (byKey === undefined) byType.set(e.type, (byKey = new Map()));
          let byValue = byKey.get(a.key);
          if (byValue === undefined) {
            const composite = `${e.type}.${a.key}`;
            byValue = byComposite.get(composite);
            if (byValue === undefined) {
              byComposite.set(composite, (byValue = new Map()));
              if (composite.includes("\0") || LONE_SURROGATE.test(composite)) ambiguous = true;
            }
            byKey.set(a.key, byValue);
          }
          const list = byValue.get(a.value);
          if (list === undefined) {
            byValue.set(a.value, [i]);
            if (LONE_SURROGATE.test(a.value)) ambiguous = true;
          } else if (list[list.length - 1] !== i) list.push(i);
        }
      }
    }
    if (ambiguous) {
      writeMergedByKey(w, byComposite, hb);
    } else {
      // Every list goes into one buffer and every key into one scratch buffer: lmdb-js looks a value's
      // memory address up once per ArrayBuffer, and copies keys and values inside the put.
      let total = 0;
      for (const byValue of byComposite.values()) for (const list of byValue.values()) total += list.length;
      const lists = new Uint8Array(4 * total);
      const listView = new DataView(lists.buffer);
      let at = 0;
      for (const [composite, byValue] of byComposite) {
        for (const [value, list] of byValue) {
          const start = at;
          for (const i of list) {
            listView.setUint32(at, i);
            at += 4;
          }
          w.put(scratchEventKey(P.txEvent, composite, value, hb), lists.subarray(start, at));
        }
      }
    }
    for (const e of results.finalizeBlockEvents) {
      for (const a of e.attributes) {
        if (a.index) w.put(eventKey(P.blockEvent, e.type, a.key, a.value, hb), EMPTY);
      }
    }
  }

  /** An app hash kept on disk (the replay path); normally it is read from the next header. */
  saveAppHash(height: number, appHash: Uint8Array): void {
    this.db.set(hKey(P.appHash, height), appHash);
  }

  /** The app hash after the latest committed block (held in memory; the node sets it after each commit). */
  setLatestAppHash(height: number, appHash: Uint8Array): void {
    this.latestAppHash = { height, appHash };
  }

  private latestAppHash: { height: number; appHash: Uint8Array } | undefined;

  hasResults(height: number): boolean {
    return this.db.has(hKey(P.results, height));
  }

  /** The app hash after `height`: the next header's, else the latest one the node set, else one saved. */
  appHash(height: number): Uint8Array | undefined {
    const next = this.decodedBlock(height + 1);
    if (next !== undefined) return next.header.appHash;
    if (this.latestAppHash?.height === height) return this.latestAppHash.appHash;
    return this.db.get(hKey(P.appHash, height));
  }

  blockBytes(height: number): Uint8Array | undefined {
    return this.db.get(hKey(P.block, height));
  }

  /** The latest block, decoded once (block building, validation, the RPC and recovery all read it). */
  private decodedLatest: { readonly height: number; readonly block: Block } | undefined;

  /**
   * A saved block, decoded. The latest one is kept decoded, so reading one of its header fields does
   * not decode the whole block again; callers must not change what it returns.
   */
  decodedBlock(height: number): Block | undefined {
    const kept = this.decodedLatest;
    if (kept !== undefined && kept.height === height) return kept.block;
    const bytes = this.blockBytes(height);
    if (bytes === undefined) return undefined;
    const block = decodeBlock(bytes);
    if (height === this.latest) this.decodedLatest = { height, block };
    return block;
  }

  blockId(height: number): BlockId | undefined {
    const b = this.db.get(hKey(P.blockId, height));
    return b === undefined ? undefined : decodeBlockId(b);
  }

  block(height: number): BlockRecord | undefined {
    const b = this.decodedBlock(height);
    const blockId = this.blockId(height);
    if (b === undefined || blockId === undefined) return undefined;
    return { blockId, header: b.header, txs: b.txs, lastCommit: b.lastCommit, evidence: b.evidence };
  }

  heightByHash(hash: Uint8Array): number | undefined {
    const h = this.db.get(concatBytes(Uint8Array.of(P.byHash), hash));
    return h === undefined ? undefined : Number(readBe64(h));
  }

  seenCommit(height: number): Commit | undefined {
    const b = this.db.get(hKey(P.commit, height));
    return b === undefined ? undefined : decodeCommit(b);
  }

  /** The canonical commit of `height` (carried by block `height + 1`), else the seen commit. */
  commit(height: number): Commit | undefined {
    const next = this.decodedBlock(height + 1);
    if (next !== undefined) return next.lastCommit;
    return this.seenCommit(height);
  }

  validators(height: number): ValidatorSet | undefined {
    const b = this.db.get(hKey(P.validators, height));
    return b === undefined ? undefined : (fromCanonicalJson(utf8Decode(b)) as ValidatorSet);
  }

  results(height: number): StoredResults | undefined {
    const b = this.db.get(hKey(P.results, height));
    return b === undefined ? undefined : decodeResults(b);
  }

  blockResults(height: number): BlockResultsRecord | undefined {
    const r = this.results(height);
    const appHash = this.appHash(height);
    if (r === undefined || appHash === undefined) return undefined;
    return { height, ...r, appHash };
  }

  txAt(height: number, index: number): IndexedTx | undefined {
    const block = this.decodedBlock(height);
    const tx = block?.txs[index];
    const stored = tx === undefined ? undefined : this.db.get(hKey(P.results, height));
    const result = stored === undefined ? undefined : decodeTxResult(stored, index);
    if (tx === undefined || result === undefined) return undefined;
    return { hash: sha256(tx), height, index, tx, result };
  }

  tx(hash: Uint8Array): IndexedTx | undefined {
    const pos = this.db.get(concatBytes(Uint8Array.of(P.tx), hash));
    if (pos === undefined) return undefined;
    const { height, index } = readPos(pos);
    return this.txAt(height, index);
  }

  /** Positions (`"height:index"`) of txs with an indexed attribute matching `c`. */
  private txPositionsFor(c: Condition, lo: number, hi: number): Set<string> {
    const out = new Set<string>();
    const keyBytes = concatBytes(Uint8Array.of(P.txEvent), utf8Encode(c.key), ZERO);
    const start =
      c.op === "=" && c.operand?.kind === "string"
        ? concatBytes(keyBytes, utf8Encode(c.operand.value), ZERO)
        : keyBytes;
    const end = prefixEnd(start);
    for (const [k, v] of this.db.iterator(start, end)) {
      const height = Number(readBe64(k, k.length - 8));
      if (height < lo || height > hi) continue;
      // Also for "=": a value with a NUL inside shares the seek prefix of a shorter one.
      if (!matchValue(c, utf8Decode(k.subarray(keyBytes.length, k.length - 9)))) continue;
      const view = new DataView(v.buffer, v.byteOffset, v.length);
      for (let at = 0; at + 4 <= v.length; at += 4) out.add(`${height}:${view.getUint32(at)}`);
    }
    return out;
  }

  searchTxs(query: string, options: SearchOptions = {}): SearchResult<IndexedTx> {
    const conditions = parseQuery(query);
    let candidates: Set<string> | undefined;
    const [lo, hi] = heightRange(conditions, "tx.height", this.latest);
    for (const c of conditions) {
      if (c.key === "tx.height") continue;
      let set: Set<string>;
      if (c.key === "tx.hash") {
        if (c.op !== "=" || c.operand?.kind !== "string") throw new QueryError("tx.hash supports = 'HEX' only");
        set = new Set();
        const hex = c.operand.value;
        if (/^[0-9a-fA-F]{64}$/.test(hex)) {
          const pos = this.db.get(concatBytes(Uint8Array.of(P.tx), fromHex(hex)));
          if (pos !== undefined && pos.length === 12) {
            const { height, index } = readPos(pos);
            if (height >= lo && height <= hi) set.add(`${height}:${index}`);
          }
        }
      } else {
        set = this.txPositionsFor(c, lo, hi);
      }
      candidates = candidates === undefined ? set : new Set([...candidates].filter((k) => set.has(k)));
    }
    let positions: { height: number; index: number }[];
    if (candidates === undefined) {
      positions = [];
      if (lo <= hi) {
        for (const [k, v] of this.db.iterator(hKey(P.txs, lo), hKey(P.txs, hi + 1))) {
          if (k.length !== 9) continue; // the earlier layout's `x ‖ pos` keys
          const height = Number(readBe64(k, 1));
          for (let index = 0; index < v.length >> 5; index++) positions.push({ height, index });
        }
      }
    } else {
      positions = [...candidates].map((k) => {
        const at = k.indexOf(":");
        return { height: Number(k.slice(0, at)), index: Number(k.slice(at + 1)) };
      });
    }
    positions.sort((a, b) => a.height - b.height || a.index - b.index);
    if (options.orderBy === "desc") positions.reverse();
    const selected = page(positions, options);
    return {
      total: selected.total,
      items: selected.items.map((p) => this.txAt(p.height, p.index)).filter((t): t is IndexedTx => t !== undefined),
    };
  }

  searchBlocks(query: string, options: SearchOptions = {}): SearchResult<BlockRecord> {
    const conditions = parseQuery(query);
    const [lo, hi] = heightRange(conditions, "block.height", this.latest);
    let candidates: Set<number> | undefined;
    for (const c of conditions) {
      if (c.key === "block.height") continue;
      const set = new Set<number>();
      const keyBytes = concatBytes(Uint8Array.of(P.blockEvent), utf8Encode(c.key), ZERO);
      for (const [k] of this.db.iterator(keyBytes, prefixEnd(keyBytes))) {
        const rest = k.subarray(keyBytes.length);
        const value = utf8Decode(rest.subarray(0, rest.length - 9));
        if (matchValue(c, value)) set.add(Number(readBe64(rest, rest.length - 8)));
      }
      candidates = candidates === undefined ? set : new Set([...candidates].filter((h) => set.has(h)));
    }
    let heights: number[] = [];
    if (candidates === undefined) {
      for (let h = Math.max(lo, this.base); h <= hi; h++) heights.push(h);
    } else {
      heights = [...candidates].filter((h) => h >= lo && h <= hi);
    }
    heights.sort((a, b) => a - b);
    if (options.orderBy === "desc") heights.reverse();
    const selected = page(heights, options);
    return {
      total: selected.total,
      items: selected.items.map((h) => this.block(h)).filter((b): b is BlockRecord => b !== undefined),
    };
  }
}

/** Refusal to read stored bytes that are not in a format this store writes. */
export class BlockStoreError extends CodedError<"NODE_STORE_CORRUPT"> {
  override readonly name = "BlockStoreError";
}

/** First byte of the binary results format (version 1); the legacy JSON form starts with `{`. */
const RESULTS_V1 = 0x01;

/**
 * Block results as stored: a compact binary form (README, "Stored results"), or — when a value does
 * not fit it (a string that is not well-formed UTF-16, a number that is not a uint53, a missing field)
 * — the canonical JSON encoding of `../consensus/serialize.ts` as before. `decodeResults` reads both.
 */
export function encodeResults(results: StoredResults): Uint8Array {
  return encodeResultsScratch(results).slice();
}

/** `encodeResults` into the shared scratch buffer (valid until the next call): for a put that copies. */
function encodeResultsScratch(results: StoredResults): Uint8Array {
  const w = scratchWriter;
  w.at = 0;
  try {
    w.u8(RESULTS_V1);
    w.uint(results.txResults.length);
    for (const r of results.txResults) {
      // Each tx result is prefixed with its length (≤ 4 bytes reserved), so a reader can skip to one tx.
      const lenAt = w.at;
      w.reserve(4);
      w.at += 4;
      w.uint(r.code);
      w.str(r.codespace);
      w.str(r.log);
      w.str(r.info);
      w.big(r.gasWanted);
      w.big(r.gasUsed);
      w.events(r.events);
      w.bytes(r.data);
      w.fixedUint4(lenAt, w.at - lenAt - 4);
    }
    w.events(results.finalizeBlockEvents);
    w.uint(results.validatorUpdates.length);
    for (const u of results.validatorUpdates) {
      w.bytes(u.pubKey);
      w.big(u.power);
    }
  } catch (e) {
    if (e !== UNFIT) throw e;
    return utf8Encode(
      JSON.stringify(results, (_key, v: unknown) =>
        typeof v === "bigint" ? { $n: v.toString() } : v instanceof Uint8Array ? { $b: toHex(v) } : v,
      ),
    );
  }
  return w.buf.subarray(0, w.at);
}

/** Reads what `encodeResults` wrote (either form); `BlockStoreError` for anything else. */
export function decodeResults(bytes: Uint8Array): StoredResults {
  if (bytes[0] === 0x7b) return fromCanonicalJson(utf8Decode(bytes)) as StoredResults;
  const r = new ResultsReader(bytes);
  const txResults: TxResult[] = [];
  for (let n = r.txCount(), i = 0; i < n; i++) txResults.push(r.txResult());
  const finalizeBlockEvents = r.events();
  const validatorUpdates: { pubKey: Uint8Array; power: bigint }[] = [];
  for (let n = r.uint(), i = 0; i < n; i++) validatorUpdates.push({ pubKey: r.bytes(), power: r.big() });
  r.end();
  return { txResults, finalizeBlockEvents, validatorUpdates };
}

/** One tx's result from stored results (either form) without decoding the others. */
export function decodeTxResult(bytes: Uint8Array, index: number): TxResult | undefined {
  if (bytes[0] === 0x7b) return decodeResults(bytes).txResults[index];
  const r = new ResultsReader(bytes);
  const n = r.txCount();
  if (!Number.isSafeInteger(index) || index < 0 || index >= n) return undefined;
  for (let i = 0; i < index; i++) r.skipTx();
  return r.txResult();
}

/** Thrown inside the binary writer when a value does not fit the binary form (then JSON is written). */
const UNFIT = Symbol("unfit");

class ResultsWriter {
  buf = new Uint8Array(1 << 16);
  at = 0;

  reserve(n: number): void {
    if (this.at + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.at + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.at));
    this.buf = next;
  }

  u8(v: number): void {
    this.reserve(1);
    this.buf[this.at++] = v;
  }

  /** A uint53 as a LEB128 varint. */
  uint(v: number): void {
    if (!Number.isSafeInteger(v) || v < 0) throw UNFIT;
    this.reserve(8);
    const b = this.buf;
    while (v >= 0x80) {
      b[this.at++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    b[this.at++] = v;
  }

  /** Writes `v` (< 2^28) as a 4-byte varint at `at` (fixed width: the length prefix reserved before). */
  fixedUint4(at: number, v: number): void {
    if (v >= 1 << 28) throw UNFIT;
    const b = this.buf;
    b[at] = (v & 0x7f) | 0x80;
    b[at + 1] = ((v >> 7) & 0x7f) | 0x80;
    b[at + 2] = ((v >> 14) & 0x7f) | 0x80;
    b[at + 3] = v >> 21;
  }

  /** A bigint: tag 0 + varint when 0 ≤ v < 2^53, else tag 1 + its decimal text. */
  big(v: bigint): void {
    if (typeof v !== "bigint") throw UNFIT;
    if (v >= 0n && v <= 0x1f_ffff_ffff_ffffn) {
      this.u8(0);
      this.uint(Number(v));
    } else {
      this.u8(1);
      this.str(v.toString());
    }
  }

  /** A string: varint byte length + UTF-8 (ASCII written directly). */
  str(s: string): void {
    if (typeof s !== "string") throw UNFIT;
    const n = s.length;
    if (n < 0x80) {
      this.reserve(n + 1);
      const b = this.buf;
      const start = this.at + 1;
      let i = 0;
      for (; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        b[start + i] = c;
      }
      if (i === n) {
        b[this.at] = n;
        this.at = start + n;
        return;
      }
    }
    if (LONE_SURROGATE.test(s)) throw UNFIT;
    this.bytes(utf8Encode(s));
  }

  bytes(v: Uint8Array): void {
    if (!(v instanceof Uint8Array)) throw UNFIT;
    this.uint(v.length);
    this.reserve(v.length);
    this.buf.set(v, this.at);
    this.at += v.length;
  }

  events(list: readonly AppEvent[]): void {
    if (!Array.isArray(list)) throw UNFIT;
    this.uint(list.length);
    for (const e of list) {
      this.str(e.type);
      if (!Array.isArray(e.attributes)) throw UNFIT;
      this.uint(e.attributes.length);
      for (const a of e.attributes) {
        this.str(a.key);
        this.str(a.value);
        if (typeof a.index !== "boolean") throw UNFIT;
        this.u8(a.index ? 1 : 0);
      }
    }
  }
}

const scratchWriter = new ResultsWriter();
const LONE_SURROGATE = /\p{Cs}/u;

class ResultsReader {
  private at = 1;

  constructor(private readonly b: Uint8Array) {
    if (b[0] !== RESULTS_V1) throw corrupt("unknown results format");
  }

  txCount(): number {
    return this.uint();
  }

  private need(n: number): void {
    if (this.at + n > this.b.length) throw corrupt("truncated results");
  }

  u8(): number {
    this.need(1);
    return this.b[this.at++]!;
  }

  uint(): number {
    let v = 0;
    let scale = 1;
    for (;;) {
      const byte = this.u8();
      v += (byte & 0x7f) * scale;
      if (byte < 0x80) break;
      scale *= 0x80;
      if (scale > 2 ** 49) throw corrupt("varint too long");
    }
    return v;
  }

  big(): bigint {
    const tag = this.u8();
    if (tag === 0) return BigInt(this.uint());
    if (tag !== 1) throw corrupt("bad integer tag");
    const text = this.str();
    if (!/^-?\d+$/.test(text)) throw corrupt("bad integer");
    return BigInt(text);
  }

  str(): string {
    const n = this.uint();
    this.need(n);
    const b = this.b;
    const start = this.at;
    this.at += n;
    let ascii = true;
    for (let i = start; i < start + n; i++) {
      if (b[i]! >= 0x80) {
        ascii = false;
        break;
      }
    }
    return ascii && n <= 64
      ? String.fromCharCode.apply(null, b.subarray(start, start + n) as unknown as number[])
      : utf8Decode(b.subarray(start, start + n));
  }

  bytes(): Uint8Array {
    const n = this.uint();
    this.need(n);
    const out = this.b.slice(this.at, this.at + n);
    this.at += n;
    return out;
  }

  events(): AppEvent[] {
    const out: AppEvent[] = [];
    for (let n = this.uint(), i = 0; i < n; i++) {
      const type = this.str();
      const attributes: EventAttribute[] = [];
      for (let m = this.uint(), j = 0; j < m; j++) {
        const key = this.str();
        const value = this.str();
        const index = this.u8();
        if (index > 1) throw corrupt("bad index flag");
        attributes.push({ key, value, index: index === 1 });
      }
      out.push({ type, attributes });
    }
    return out;
  }

  skipTx(): void {
    const n = this.uint();
    this.need(n);
    this.at += n;
  }

  txResult(): TxResult {
    const len = this.uint();
    this.need(len);
    const end = this.at + len;
    const r: TxResult = {
      code: this.uint(),
      codespace: this.str(),
      log: this.str(),
      info: this.str(),
      gasWanted: this.big(),
      gasUsed: this.big(),
      events: this.events(),
      data: this.bytes(),
    };
    if (this.at !== end) throw corrupt("tx result length mismatch");
    return r;
  }

  end(): void {
    if (this.at !== this.b.length) throw corrupt("trailing bytes after results");
  }
}

function corrupt(what: string): BlockStoreError {
  return new BlockStoreError("NODE_STORE_CORRUPT", `stored block results: ${what}`);
}

/** An event index key, `prefix ‖ utf8(type "." key) ‖ 0 ‖ utf8(value) ‖ 0 ‖ suffix`, in a fresh array. */
export function eventKey(prefix: number, type: string, key: string, value: string, suffix: Uint8Array): Uint8Array {
  return scratchEventKey(prefix, `${type}.${key}`, value, suffix).slice();
}

let keyScratch = new Uint8Array(1024);

/**
 * The event index key of `composite` = `type.key`, written in a scratch buffer when the text is ASCII
 * (as nearly every event's is; valid until the next call: for a put that copies it), else in a fresh
 * array by `eventKeyBytes`.
 */
function scratchEventKey(prefix: number, composite: string, value: string, suffix: Uint8Array): Uint8Array {
  const size = 1 + composite.length + 1 + value.length + 1 + suffix.length;
  if (size > keyScratch.length) keyScratch = new Uint8Array(Math.max(size, 2 * keyScratch.length));
  const out = keyScratch;
  out[0] = prefix;
  let at = putAscii(out, 1, composite);
  if (at > 0) {
    out[at] = 0;
    at = putAscii(out, at + 1, value);
  }
  if (at < 0) return eventKeyBytes(prefix, composite, value, suffix);
  out[at] = 0;
  out.set(suffix, at + 1);
  return out.subarray(0, at + 1 + suffix.length);
}

/** The event index key of `composite` = `type.key` for any text, in a fresh array. */
function eventKeyBytes(prefix: number, composite: string, value: string, suffix: Uint8Array): Uint8Array {
  return concatBytes(Uint8Array.of(prefix), utf8Encode(composite), ZERO, utf8Encode(value), ZERO, suffix);
}

/** The index entries of groups whose key bytes may coincide: merged (sorted, distinct) per key. */
function writeMergedByKey(w: DatabaseWriter, byComposite: Map<string, Map<string, number[]>>, hb: Uint8Array): void {
  const merged = new Map<string, { key: Uint8Array; txs: Set<number> }>();
  for (const [composite, byValue] of byComposite) {
    for (const [value, list] of byValue) {
      const key = eventKeyBytes(P.txEvent, composite, value, hb);
      const id = toHex(key);
      let entry = merged.get(id);
      if (entry === undefined) merged.set(id, (entry = { key, txs: new Set() }));
      for (const i of list) entry.txs.add(i);
    }
  }
  for (const { key, txs } of merged.values()) {
    const sorted = [...txs].sort((a, b) => a - b);
    const value = new Uint8Array(4 * sorted.length);
    const view = new DataView(value.buffer);
    sorted.forEach((i, j) => view.setUint32(4 * j, i));
    w.put(key, value);
  }
}

/** Writes ASCII `text` at `at`: the position after it, or −1 at the first character that is not ASCII. */
function putAscii(out: Uint8Array, at: number, text: string): number {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x80) return -1;
    out[at + i] = c;
  }
  return at + text.length;
}

function prefixEnd(prefix: Uint8Array): Uint8Array {
  const end = prefix.slice();
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i]! < 0xff) {
      end[i]!++;
      return end.subarray(0, i + 1);
    }
  }
  return new Uint8Array(0);
}
