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
 * | `p ‖ value ‖ 0 ‖ h` | posting: version byte 1, varint count, then per `type.key` of the block whose indexed attributes carry `value`: varint place in `k ‖ h`, varint count, varint tx indexes (ascending, distinct) |
 * | `g ‖ type.key ‖ 0 ‖ h` | version byte 1, varint count, then per distinct value of that indexed attribute in the block: varint length + UTF-8 value, varint count, varint tx indexes |
 * | `k ‖ h` | version byte 1, varint count, the block's indexed `type.key`s (varint length + UTF-8), the order postings refer to |
 * | `f ‖ type.key ‖ 0 ‖ value ‖ 0 ‖ h` | empty: a finalize-block event attribute |
 * | `m height` | `be64` latest block saved |
 *
 * The tx event index is keyed by value: a block writes one posting per distinct indexed value, shared
 * by every attribute that carries it (a bank send's sender is `message.sender`, `transfer.sender`,
 * `coin_spent.spender` and `tx.fee_payer`; its recipient `transfer.recipient` and
 * `coin_received.receiver`), so a block of sends writes ≈ 3.3 postings per tx (sender, account
 * sequence, signature; the recipient is often another sender of the block) where the previous layout
 * (`e ‖ type.key ‖ 0 ‖ value ‖ 0 ‖ h`) wrote ≈ 8. Each such put lands at a key ordered by value, on its
 * own page of the B-tree, and those pages are most of a save's cost; the account sequence `sender/n`
 * sorts next to the sender's postings and shares their page. `= 'string'` conditions read the postings
 * of that value in the height range; every other condition (numbers, times, ranges, CONTAINS, EXISTS)
 * reads the `g` lists of its `type.key` in the height range (≈ 20 appended puts per block).
 * Text that is not well-formed UTF-16 is indexed as UTF-8 writes it (a lone surrogate as U+FFFD).
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
  posting: 0x70, // p
  byAttribute: 0x67, // g
  attributeList: 0x6b, // k
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
   * in one transaction. `txHashes` (optional): the txs' hashes, `txHashes[i] = sha256(txs[i])`, when
   * the caller has them (else they are computed here); a list of another length, or a hash that is not
   * 32 bytes, is refused with `NODE_STORE_INVALID_INPUT` before anything is written.
   */
  saveBlock(
    height: number,
    blockBytes: Uint8Array,
    blockId: BlockId,
    seenCommit: Commit,
    validators: ValidatorSet,
    results?: {
      readonly txs: readonly Uint8Array[];
      readonly results: StoredResults;
      readonly txHashes?: readonly Uint8Array[];
    },
  ): void {
    if (results !== undefined) checkTxHashes(results.txs, results.txHashes);
    this.db.transaction((w) => {
      w.put(hKey(P.block, height), blockBytes);
      w.put(hKey(P.blockId, height), encodeBlockId(blockId));
      w.put(hKey(P.commit, height), encodeCommit(seenCommit));
      w.put(hKey(P.validators, height), utf8Encode(toCanonicalJson(validators)));
      w.put(concatBytes(Uint8Array.of(P.byHash), blockId.hash), be64(height));
      if (height > this.latest) w.put(META_HEIGHT, be64(height));
      if (results !== undefined) this.writeResults(w, height, results.txs, results.results, results.txHashes);
    });
    if (this.decodedLatest?.height === height) this.decodedLatest = undefined;
    if (height > this.latest) this.latest = height;
  }

  /** Results of `finalizeBlock` for a saved block, with the tx and event indexes (`txHashes` as above). */
  saveResults(
    height: number,
    txs: readonly Uint8Array[],
    results: StoredResults,
    txHashes?: readonly Uint8Array[],
  ): void {
    checkTxHashes(txs, txHashes);
    this.db.transaction((w) => this.writeResults(w, height, txs, results, txHashes));
  }

  private writeResults(
    w: DatabaseWriter,
    height: number,
    txs: readonly Uint8Array[],
    results: StoredResults,
    txHashes: readonly Uint8Array[] | undefined,
  ): void {
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
    for (let i = 0; i < n; i++) hashes.set(txHashes === undefined ? sha256(txs[i]!) : txHashes[i]!, 32 * i);
    if (n > 0) w.put(hKey(P.txs, height), hashes);
    for (let i = 0; i < n; i++) {
      tKey.set(hashes.subarray(32 * i, 32 * i + 32), 1);
      posView.setUint32(8, i);
      w.put(tKey, pos);
    }
    writeEventIndex(w, hb, groupIndexedAttributes(results.txResults, n));
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

  /** Whether block `height`'s finalize-block events have an indexed attribute `c` matches (texts as stored). */
  private hasBlockEvent(height: number, c: Condition): boolean {
    const key = wellFormed(c.key);
    return (this.results(height)?.finalizeBlockEvents ?? []).some((e) =>
      e.attributes.some(
        (a) => a.index && wellFormed(`${e.type}.${a.key}`) === key && matchValue(c, wellFormed(a.value)),
      ),
    );
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
    if (lo > hi) return out;
    const keyBytes = utf8Encode(c.key);
    if (c.op === "=" && c.operand?.kind === "string") {
      // The postings of the value, height by height; each names the attributes that carry it.
      const valueBytes = utf8Encode(c.operand.value);
      if (!matchValue(c, utf8Decode(valueBytes))) return out;
      const composite = utf8Decode(keyBytes);
      const start = concatBytes(Uint8Array.of(P.posting), valueBytes, ZERO, be64(lo));
      for (const [k, v] of this.db.iterator(start, concatBytes(start.subarray(0, start.length - 8), be64(hi + 1)))) {
        if (k.length !== start.length) continue; // a longer value with a NUL inside
        const height = Number(readBe64(k, k.length - 8));
        const ref = this.attributeRef(height, composite);
        if (ref < 0) continue;
        const r = new ResultsReader(v);
        for (let m = r.uint(), j = 0; j < m; j++) {
          const same = r.uint() === ref;
          for (let count = r.uint(), t = 0; t < count; t++) {
            const index = r.uint();
            if (same) out.add(`${height}:${index}`);
          }
        }
      }
      return out;
    }
    // Any other condition: the block's values of that `type.key`, height by height.
    const start = concatBytes(Uint8Array.of(P.byAttribute), keyBytes, ZERO, be64(lo));
    for (const [k, v] of this.db.iterator(start, concatBytes(start.subarray(0, start.length - 8), be64(hi + 1)))) {
      if (k.length !== start.length) continue; // a longer `type.key` with a NUL inside
      const height = Number(readBe64(k, k.length - 8));
      const r = new ResultsReader(v);
      for (let m = r.uint(), j = 0; j < m; j++) {
        const matches = matchValue(c, r.str());
        for (let count = r.uint(), t = 0; t < count; t++) {
          const index = r.uint();
          if (matches) out.add(`${height}:${index}`);
        }
      }
    }
    return out;
  }

  /** The place of `composite` in the `type.key` list of block `height` (`k ‖ h`), −1 when absent. */
  private attributeRef(height: number, composite: string): number {
    const list = this.db.get(hKey(P.attributeList, height));
    if (list === undefined) return -1;
    const r = new ResultsReader(list);
    for (let m = r.uint(), j = 0; j < m; j++) if (r.str() === composite) return j;
    return -1;
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
      // A NUL inside the stored `type.key` or value makes the key bytes ambiguous ("a.c" + "\0x…" and
      // "a.c\0x" + "…" share them; a query's key has no NUL): such entries are decided by the block's
      // stored events.
      for (const [k] of this.db.iterator(keyBytes, prefixEnd(keyBytes))) {
        const rest = k.subarray(keyBytes.length);
        const valueBytes = rest.subarray(0, rest.length - 9);
        const height = Number(readBe64(rest, rest.length - 8));
        if (valueBytes.includes(0)) {
          if (this.hasBlockEvent(height, c)) set.add(height);
        } else if (matchValue(c, utf8Decode(valueBytes))) set.add(height);
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
export class BlockStoreError extends CodedError<"NODE_STORE_CORRUPT" | "NODE_STORE_INVALID_INPUT"> {
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

  /** UTF-8 of well-formed text, without a length (ASCII written directly). */
  raw(s: string): void {
    const n = s.length;
    this.reserve(n);
    const b = this.buf;
    const start = this.at;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) {
        this.raw8(utf8Encode(s));
        return;
      }
      b[start + i] = c;
    }
    this.at = start + n;
  }

  /** Bytes, without a length. */
  raw8(v: Uint8Array): void {
    this.reserve(v.length);
    this.buf.set(v, this.at);
    this.at += v.length;
  }

  /** A count, then each number (varints). */
  list(v: readonly number[]): void {
    this.uint(v.length);
    for (const x of v) this.uint(x);
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
  return eventKeyBytes(prefix, `${type}.${key}`, value, suffix);
}

/** The event index key, in a fresh array (block events; the tx index is written by `writeEventIndex`). */
function eventKeyBytes(prefix: number, composite: string, value: string, suffix: Uint8Array): Uint8Array {
  const size = 1 + composite.length + 1 + value.length + 1 + suffix.length;
  const out = new Uint8Array(size);
  out[0] = prefix;
  let at = putAscii(out, 1, composite);
  if (at > 0) {
    out[at] = 0;
    at = putAscii(out, at + 1, value);
  }
  if (at < 0) return concatBytes(Uint8Array.of(prefix), utf8Encode(composite), ZERO, utf8Encode(value), ZERO, suffix);
  out[at] = 0;
  out.set(suffix, at + 1);
  return out;
}

function checkTxHashes(txs: readonly Uint8Array[], txHashes: readonly Uint8Array[] | undefined): void {
  if (txHashes === undefined) return;
  if (!Array.isArray(txHashes) || txHashes.length !== txs.length) {
    throw new BlockStoreError(
      "NODE_STORE_INVALID_INPUT",
      `txHashes: expected ${txs.length} hashes (one per tx), got ${Array.isArray(txHashes) ? txHashes.length : typeof txHashes}`,
    );
  }
  for (let i = 0; i < txHashes.length; i++) {
    const h = txHashes[i];
    if (!(h instanceof Uint8Array) || h.length !== 32) {
      throw new BlockStoreError("NODE_STORE_INVALID_INPUT", `txHashes[${i}]: expected 32 bytes`);
    }
  }
}

/** `type.key` → value → the (ascending, distinct) indexes of the block's txs with that indexed attribute. */
type Groups = Map<string, Map<string, number[]>>;

/**
 * The block's indexed tx attributes, grouped by `type.key` text, then value (no string built per
 * attribute; pairs with the same `type.key` text, "a.b"+"c" and "a"+"b.c", share a group). Text that
 * is not well-formed UTF-16 is stored as UTF-8 writes it (a lone surrogate as U+FFFD), so such groups
 * are merged by that text.
 */
function groupIndexedAttributes(txResults: readonly TxResult[], n: number): Groups {
  const byComposite: Groups = new Map();
  const byType = new Map<string, Map<string, Map<string, number[]>>>();
  let illFormed = false;
  for (let i = 0; i < n; i++) {
    const events = txResults[i]?.events;
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
            if (LONE_SURROGATE.test(composite)) illFormed = true;
          }
          byKey.set(a.key, byValue);
        }
        const list = byValue.get(a.value);
        if (list === undefined) {
          byValue.set(a.value, [i]);
          if (LONE_SURROGATE.test(a.value)) illFormed = true;
        } else if (list[list.length - 1] !== i) list.push(i);
      }
    }
  }
  return illFormed ? wellFormedGroups(byComposite) : byComposite;
}

const wellFormed = (s: string): string => s.replace(LONE_SURROGATES, "\ufffd");
const LONE_SURROGATES = /\p{Cs}/gu;

function wellFormedGroups(groups: Groups): Groups {
  const out: Groups = new Map();
  for (const [composite, byValue] of groups) {
    const c = wellFormed(composite);
    let merged = out.get(c);
    if (merged === undefined) out.set(c, (merged = new Map()));
    for (const [value, list] of byValue) {
      const v = wellFormed(value);
      const prev = merged.get(v);
      merged.set(v, prev === undefined ? list : [...new Set([...prev, ...list])].sort((x, y) => x - y));
    }
  }
  return out;
}

const indexScratch = new ResultsWriter();

/**
 * Writes the block's tx event index (README, "Event index"): per distinct value one posting
 * `p ‖ value ‖ 0 ‖ h` naming the `type.key`s that carry it and their txs, and per `type.key` one list
 * `g ‖ type.key ‖ 0 ‖ h` of its values and their txs. Keys and values are built in one scratch buffer
 * first (lmdb-js copies both inside the put), postings in the order of their keys.
 */
function writeEventIndex(w: DatabaseWriter, hb: Uint8Array, groups: Groups): void {
  if (groups.size === 0) return;
  const s = indexScratch;
  s.at = 0;
  /** [key start, key end, value end] per put; a value starts where its key ends. */
  const spans: number[] = [];
  // `k ‖ h`: the block's `type.key`s in order; a posting names one by its place in this list.
  s.u8(P.attributeList);
  s.raw8(hb);
  spans.push(0, s.at);
  s.u8(INDEX_V1);
  s.uint(groups.size);
  for (const composite of groups.keys()) s.str(composite);
  spans.push(s.at);
  // Per value, a chain of (place of its `type.key`, tx list) pairs, in ascending place.
  const firstPair = new Map<string, number>();
  const pairRef: number[] = [];
  const pairList: number[][] = [];
  const pairNext: number[] = [];
  const lastPair: number[] = [];
  let ref = 0;
  for (const [composite, values] of groups) {
    const keyStart = s.at;
    s.u8(P.byAttribute);
    s.raw(composite);
    s.u8(0);
    s.raw8(hb);
    const keyEnd = s.at;
    s.u8(INDEX_V1);
    s.uint(values.size);
    for (const [value, list] of values) {
      s.str(value);
      s.list(list);
      const pair = pairRef.length;
      pairRef.push(ref);
      pairList.push(list);
      pairNext.push(-1);
      const first = firstPair.get(value);
      if (first === undefined) {
        firstPair.set(value, pair);
        lastPair[pair] = pair;
      } else {
        pairNext[lastPair[first]!] = pair;
        lastPair[first] = pair;
      }
    }
    spans.push(keyStart, keyEnd, s.at);
    ref++;
  }
  for (const value of [...firstPair.keys()].sort()) {
    const first = firstPair.get(value)!;
    const keyStart = s.at;
    s.u8(P.posting);
    s.raw(value);
    s.u8(0);
    s.raw8(hb);
    const keyEnd = s.at;
    s.u8(INDEX_V1);
    let count = 0;
    for (let pair = first; pair >= 0; pair = pairNext[pair]!) count++;
    s.uint(count);
    for (let pair = first; pair >= 0; pair = pairNext[pair]!) {
      s.uint(pairRef[pair]!);
      s.list(pairList[pair]!);
    }
    spans.push(keyStart, keyEnd, s.at);
  }
  const buf = s.buf;
  for (let j = 0; j < spans.length; j += 3) {
    w.put(buf.subarray(spans[j]!, spans[j + 1]!), buf.subarray(spans[j + 1]!, spans[j + 2]!));
  }
}

/** First byte of an event index value (`p`, `g`): the format version. */
const INDEX_V1 = 0x01;

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
