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
 * | `r ‖ h` | block results (canonical JSON's encoding of bigints and bytes, keys unsorted: `encodeResults`) |
 * | `a ‖ h` | app hash after `h` (only when saved by a replay; else the next header's, or the node's latest) |
 * | `h ‖ block hash` | `be64(h)` |
 * | `t ‖ tx hash` | tx position |
 * | `x ‖ pos` | tx hash (every included tx, in chain order) |
 * | `e ‖ key ‖ 0 ‖ value ‖ 0 ‖ pos` | empty: a tx event attribute `type.key = value` |
 * | `f ‖ key ‖ 0 ‖ value ‖ 0 ‖ be64(h)` | empty: a finalize-block event attribute |
 * | `m height` | `be64` latest block saved |
 *
 * A decided block is saved with its `finalizeBlock` results in one transaction, before the app's
 * commit; a crash before that save leaves the decision in the consensus WAL, which re-announces it.
 * Recovery compares the app's height with `height` and replays the block when the app is one behind.
 */
import type { BlockRecord, BlockResultsRecord, IndexedTx, SearchOptions, SearchResult } from "../api/backend.ts";
import type { AppEvent, TxResult } from "../app/index.ts";
import { decodeBlockId, encodeBlockId, encodeCommit, type BlockId, type Commit } from "../codec/consensus.ts";
import { fromCanonicalJson, toCanonicalJson, type ValidatorSet } from "../consensus/index.ts";
import { toHex } from "../primitives/hex.ts";
import { sha256 } from "../crypto/index.ts";
import { be32, be64, concatBytes, readBe64, utf8Decode, utf8Encode } from "../primitives/bytes.ts";
import type { Database } from "../store/index.ts";
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
const posBytes = (h: number, i: number): Uint8Array => concatBytes(be64(h), be32(i));
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

  /**
   * Replaces the seen commit of a saved height (late precommits joined it before the next height
   * started). False, and nothing written, when no block is saved at `height`.
   */
  updateSeenCommit(height: number, seenCommit: Commit): boolean {
    if (this.db.get(hKey(P.block, height)) === undefined) return false;
    this.db.transaction((w) => w.put(hKey(P.commit, height), encodeCommit(seenCommit)));
    return true;
  }

  /** Results of `finalizeBlock` for a saved block, with the tx and event indexes. */
  saveResults(height: number, txs: readonly Uint8Array[], results: StoredResults): void {
    this.db.transaction((w) => this.writeResults(w, height, txs, results));
  }

  private writeResults(
    w: { put(key: Uint8Array, value: Uint8Array): void },
    height: number,
    txs: readonly Uint8Array[],
    results: StoredResults,
  ): void {
    w.put(hKey(P.results, height), encodeResults(results));
    txs.forEach((tx, i) => {
      const hash = sha256(tx);
      const pos = posBytes(height, i);
      w.put(concatBytes(Uint8Array.of(P.tx), hash), pos);
      w.put(concatBytes(Uint8Array.of(P.txs), pos), hash);
      for (const e of results.txResults[i]?.events ?? []) {
        for (const a of e.attributes) {
          if (a.index) w.put(eventKey(P.txEvent, e.type, a.key, a.value, pos), EMPTY);
        }
      }
    });
    const h = be64(height);
    for (const e of results.finalizeBlockEvents) {
      for (const a of e.attributes) {
        if (a.index) w.put(eventKey(P.blockEvent, e.type, a.key, a.value, h), EMPTY);
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
    return b === undefined ? undefined : (fromCanonicalJson(utf8Decode(b)) as StoredResults);
  }

  blockResults(height: number): BlockResultsRecord | undefined {
    const r = this.results(height);
    const appHash = this.appHash(height);
    if (r === undefined || appHash === undefined) return undefined;
    return { height, ...r, appHash };
  }

  txAt(height: number, index: number): IndexedTx | undefined {
    const block = this.decodedBlock(height);
    const r = block === undefined ? undefined : this.results(height);
    if (block === undefined || r === undefined) return undefined;
    const tx = block.txs[index];
    const result = r.txResults[index];
    if (tx === undefined || result === undefined) return undefined;
    return { hash: sha256(tx), height, index, tx, result };
  }

  tx(hash: Uint8Array): IndexedTx | undefined {
    const pos = this.db.get(concatBytes(Uint8Array.of(P.tx), hash));
    if (pos === undefined) return undefined;
    const { height, index } = readPos(pos);
    return this.txAt(height, index);
  }

  /** Positions (`be64 h ‖ be32 i` as a string key) of txs with an attribute matching `c`. */
  private txPositionsFor(c: Condition): Set<string> {
    const out = new Set<string>();
    const keyBytes = concatBytes(Uint8Array.of(P.txEvent), utf8Encode(c.key), ZERO);
    const start =
      c.op === "=" && c.operand?.kind === "string"
        ? concatBytes(keyBytes, utf8Encode(c.operand.value), ZERO)
        : keyBytes;
    const end = prefixEnd(start);
    for (const [k] of this.db.iterator(start, end)) {
      const rest = k.subarray(keyBytes.length);
      const value = utf8Decode(rest.subarray(0, rest.length - 13));
      if (!matchValue(c, value)) continue;
      out.add(hexKey(rest.subarray(rest.length - 12)));
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
          const pos = this.db.get(concatBytes(Uint8Array.of(P.tx), Uint8Array.from(Buffer.from(hex, "hex"))));
          if (pos !== undefined) set.add(hexKey(pos));
        }
      } else {
        set = this.txPositionsFor(c);
      }
      candidates = candidates === undefined ? set : new Set([...candidates].filter((k) => set.has(k)));
    }
    let positions: { height: number; index: number }[];
    if (candidates === undefined) {
      positions = [];
      if (lo <= hi) {
        for (const [k] of this.db.iterator(
          concatBytes(Uint8Array.of(P.txs), be64(lo)),
          concatBytes(Uint8Array.of(P.txs), be64(hi + 1)),
        )) {
          positions.push(readPos(k, 1));
        }
      }
    } else {
      positions = [...candidates]
        .map((k) => readPos(Uint8Array.from(Buffer.from(k, "hex"))))
        .filter((p) => p.height >= lo && p.height <= hi);
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

/**
 * Block results as stored: the canonical JSON encoding of `../consensus/serialize.ts` (`bigint` as
 * `{"$n"}`, bytes as `{"$b": hex}`, what `fromCanonicalJson` reads back), with the keys in their own
 * order instead of sorted (nothing compares these bytes; sorting copied every result).
 */
export function encodeResults(results: StoredResults): Uint8Array {
  return utf8Encode(
    JSON.stringify(results, (_key, v: unknown) =>
      typeof v === "bigint" ? { $n: v.toString() } : v instanceof Uint8Array ? { $b: toHex(v) } : v,
    ),
  );
}

/**
 * An event index key, `prefix ‖ utf8(type "." key) ‖ 0 ‖ utf8(value) ‖ 0 ‖ suffix`, written in one
 * allocation when the text is ASCII (as nearly every event's is).
 */
export function eventKey(prefix: number, type: string, key: string, value: string, suffix: Uint8Array): Uint8Array {
  const out = new Uint8Array(1 + type.length + 1 + key.length + 1 + value.length + 1 + suffix.length);
  out[0] = prefix;
  let at = putAscii(out, 1, type);
  if (at > 0) {
    out[at] = 0x2e; // "."
    at = putAscii(out, at + 1, key);
  }
  if (at > 0) {
    out[at] = 0;
    at = putAscii(out, at + 1, value);
  }
  if (at < 0) return eventKeySlow(prefix, type, key, value, suffix);
  out[at] = 0;
  out.set(suffix, at + 1);
  return out;
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

function eventKeySlow(prefix: number, type: string, key: string, value: string, suffix: Uint8Array): Uint8Array {
  return concatBytes(Uint8Array.of(prefix), utf8Encode(`${type}.${key}`), ZERO, utf8Encode(value), ZERO, suffix);
}

function hexKey(b: Uint8Array): string {
  return Buffer.from(b).toString("hex");
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
