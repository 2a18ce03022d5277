/**
 * Block store benchmark. First the validator's case (see "The validator's case" below): `saveBlock`
 * with realistic bank-send results into a store that already holds hundreds of blocks, against the
 * session-4 layout. Then saving decided blocks of BLOCK signed bank sends with their real results
 * (the app executes the sends first, so the events are the app's: ~29 indexed attributes per send)
 * into an LMDB block store on disk, as the node does after `finalizeBlock`. Rows:
 * - CPU per tx of `BlockStore.saveBlock` with results, all threads of the process (`process.cpuUsage`:
 *   LMDB, GC and V8's helper threads included) and the main thread alone (/proc/thread-self/stat);
 * - reading one block's results back (`results(h)`), CPU per tx.
 * Baseline of these rows, measured in the same run: the session-3 write path (kept below, in this
 * file only): results as canonical JSON, every tx hashed, one put per tx hash, per tx position and per
 * indexed attribute of every tx, and results read back with `fromCanonicalJson`.
 * `BENCH_BLOCKSTORE_VALIDATOR_ONLY=1` runs the validator's case alone.
 *
 * Each variant saves HEIGHTS blocks into a fresh database (the first WARMUP not counted); the variants
 * alternate ROUNDS times and the figure is the median round, so a busy shared machine disturbs it less.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Buffer } from "node:buffer";
import type { AppEvent, TxResult } from "../src/app/index.ts";
import {
  encodeBlockId,
  encodeCommit,
  NIL_BLOCK_ID,
  type BlockId,
  type Commit,
  type Header,
} from "../src/codec/consensus.ts";
import { createValidatorSet, fromCanonicalJson, toCanonicalJson, type ValidatorSet } from "../src/consensus/index.ts";
import { sha256 } from "../src/crypto/index.ts";
import { emptyCommit, encodeBlock } from "../src/node/blockCodec.ts";
import { BlockStore, encodeResults, eventKey, type StoredResults } from "../src/node/blockStore.ts";
import { be32, be64, concatBytes, utf8Decode, utf8Encode } from "../src/primitives/bytes.ts";
import { toHex } from "../src/primitives/hex.ts";
import { openDatabase, type Database, type DatabaseWriter } from "../src/store/index.ts";
import { blockTime, genesisFor, newApp, sendMsg, signTx, testKey } from "../test/helpers/appTx.ts";
import type { BenchRow } from "./harness.ts";

const BLOCK = 400;
/** Blocks the app really executes (their results are reused, with distinct tx bytes, at every height). */
const REAL_BLOCKS = 4;
const HEIGHTS = 36;
const WARMUP = 6;
const ROUNDS = 3;

interface Prepared {
  /** Per height: the block's txs (distinct bytes at every height) and the results of its sends. */
  readonly heights: readonly { readonly txs: readonly Uint8Array[]; readonly results: StoredResults }[];
  readonly validators: ValidatorSet;
}

function prepare(): Prepared {
  const keys = Array.from({ length: BLOCK }, (_, i) => testKey(`block store bench ${i}`));
  const app = newApp();
  app.initChain(genesisFor(keys.map((key) => ({ key, coins: [{ denom: "uscrt", amount: "1000000000" }] }))));
  app.finalizeBlock({ height: 1, timeNanos: blockTime(1), txs: [] });
  app.commit();
  const real: { txs: Uint8Array[]; results: StoredResults }[] = [];
  for (let b = 0; b < REAL_BLOCKS; b++) {
    const txs = keys.map((from, i) =>
      signTx({
        messages: [sendMsg(from.bech32, keys[(i + 1 + b) % BLOCK]!.bech32, [{ denom: "uscrt", amount: "1" }])],
        signer: from,
        accountNumber: BigInt(i),
        sequence: BigInt(b),
      }),
    );
    const fin = app.finalizeBlock({ height: b + 2, timeNanos: blockTime(b + 2), txs });
    app.commit();
    const bad = fin.txResults.find((r) => r.code !== 0);
    if (bad !== undefined) throw new Error(`bench send failed: ${bad.log}`);
    real.push({
      txs,
      results: { txResults: fin.txResults, finalizeBlockEvents: fin.events, validatorUpdates: fin.validatorUpdates },
    });
  }
  const heights = Array.from({ length: HEIGHTS }, (_, h) => {
    const r = real[h % REAL_BLOCKS]!;
    // A different tail byte pair per height: distinct tx hashes, as on a chain.
    const txs = r.txs.map((tx) => {
      const copy = tx.slice();
      copy[copy.length - 1] = copy[copy.length - 1]! ^ (h & 0xff);
      copy[copy.length - 2] = copy[copy.length - 2]! ^ ((h >> 8) & 0xff);
      return copy;
    });
    return { txs, results: r.results };
  });
  const validators = createValidatorSet(
    [1, 2, 3, 4].map((i) => ({ pubKey: new Uint8Array(32).fill(i), votingPower: 10n })),
  );
  return { heights, validators };
}

/** The saves' other arguments at height `h` (their size matters little: a few puts per block). */
function blockArgs(p: Prepared, h: number): { bytes: Uint8Array; id: BlockId; commit: Commit } {
  return blockArgsFor(h, p.heights[h - 1]!.txs);
}

function blockArgsFor(h: number, txs: readonly Uint8Array[]): { bytes: Uint8Array; id: BlockId; commit: Commit } {
  const b32 = (fill: number): Uint8Array => new Uint8Array(32).fill(fill);
  const header: Header = {
    version: { block: 11n, app: 0n },
    chainId: "bench-1",
    height: BigInt(h),
    time: { seconds: 1_700_000_000n + BigInt(h), nanos: 0 },
    lastBlockId: NIL_BLOCK_ID,
    lastCommitHash: b32(3),
    dataHash: b32(4),
    validatorsHash: b32(5),
    nextValidatorsHash: b32(5),
    consensusHash: b32(6),
    appHash: b32(7),
    lastResultsHash: b32(8),
    evidenceHash: b32(9),
    proposerAddress: new Uint8Array(20).fill(10),
  };
  const bytes = encodeBlock({ header, txs, evidence: [], lastCommit: emptyCommit() });
  const id: BlockId = { hash: sha256(be64(h)), partSetHeader: { total: 1, hash: sha256(bytes) } };
  const commit: Commit = {
    height: BigInt(h),
    round: 0,
    blockId: id,
    signatures: [1, 2, 3, 4].map((i) => ({
      blockIdFlag: 2,
      validatorAddress: new Uint8Array(20).fill(i),
      timestamp: { seconds: 1_700_000_000n + BigInt(h), nanos: 0 },
      signature: new Uint8Array(64).fill(i),
    })),
  };
  return { bytes, id, commit };
}

// ---- The write path before this change (baseline only) -------------------------------------------

function oldEncodeResults(results: StoredResults): Uint8Array {
  return utf8Encode(
    JSON.stringify(results, (_key, v: unknown) =>
      typeof v === "bigint" ? { $n: v.toString() } : v instanceof Uint8Array ? { $b: toHex(v) } : v,
    ),
  );
}

function oldSaveBlock(
  db: Database,
  height: number,
  blockBytes: Uint8Array,
  blockId: BlockId,
  seenCommit: Commit,
  validators: ValidatorSet,
  txs: readonly Uint8Array[],
  results: StoredResults,
): void {
  const hKey = (prefix: number, h: number): Uint8Array => concatBytes(Uint8Array.of(prefix), be64(h));
  db.transaction((w: DatabaseWriter) => {
    w.put(hKey(0x62, height), blockBytes);
    w.put(hKey(0x69, height), encodeBlockId(blockId));
    w.put(hKey(0x63, height), encodeCommit(seenCommit));
    w.put(hKey(0x76, height), utf8Encode(toCanonicalJson(validators)));
    w.put(concatBytes(Uint8Array.of(0x68), blockId.hash), be64(height));
    w.put(utf8Encode("mheight"), be64(height));
    w.put(hKey(0x72, height), oldEncodeResults(results));
    txs.forEach((tx, i) => {
      const hash = sha256(tx);
      const pos = concatBytes(be64(height), be32(i));
      w.put(concatBytes(Uint8Array.of(0x74), hash), pos);
      w.put(concatBytes(Uint8Array.of(0x78), pos), hash);
      for (const e of results.txResults[i]?.events ?? []) {
        for (const a of e.attributes) {
          if (a.index) w.put(eventKey(0x65, e.type, a.key, a.value, pos), new Uint8Array(0));
        }
      }
    });
    const hb = be64(height);
    for (const e of results.finalizeBlockEvents as readonly AppEvent[]) {
      for (const a of e.attributes) {
        if (a.index) w.put(eventKey(0x66, e.type, a.key, a.value, hb), new Uint8Array(0));
      }
    }
  });
}

// ---- Measuring ------------------------------------------------------------------------------------

/** CPU µs of the process (all threads). */
function processCpu(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

/** CPU µs of the calling thread (Linux; NaN elsewhere), in clock ticks of 10 ms. */
function threadCpu(): number {
  try {
    const fields = readFileSync("/proc/thread-self/stat", "utf8").split(") ")[1]!.split(" ");
    return (Number(fields[11]) + Number(fields[12])) * 10_000;
  } catch {
    return Number.NaN;
  }
}

interface Figures {
  readonly cpuPerTx: number;
  readonly mainPerTx: number;
  readonly readPerTx: number;
}

async function runVariant(p: Prepared, dir: string, variant: "old" | "new"): Promise<Figures> {
  const db = openDatabase(dir);
  const store = new BlockStore(db);
  const save = (h: number): void => {
    const { bytes, id, commit } = blockArgs(p, h);
    const { txs, results } = p.heights[h - 1]!;
    if (variant === "old") oldSaveBlock(db, h, bytes, id, commit, p.validators, txs, results);
    else store.saveBlock(h, bytes, id, commit, p.validators, { txs, results });
  };
  for (let h = 1; h <= WARMUP; h++) save(h);
  const c0 = processCpu();
  const m0 = threadCpu();
  for (let h = WARMUP + 1; h <= HEIGHTS; h++) save(h);
  const cpu = processCpu() - c0;
  const main = threadCpu() - m0;
  const txs = (HEIGHTS - WARMUP) * BLOCK;
  // Reading the results back (what `block_results`, `tx` and the node's validator sets read).
  const r0 = processCpu();
  let read = 0;
  for (let h = WARMUP + 1; h <= HEIGHTS; h++) {
    const back =
      variant === "old"
        ? (fromCanonicalJson(utf8Decode(db.get(concatBytes(Uint8Array.of(0x72), be64(h)))!)) as StoredResults)
        : store.results(h)!;
    read += back.txResults.length;
  }
  const readCpu = processCpu() - r0;
  if (read !== txs) throw new Error("bench read back the wrong number of results");
  await store.close();
  return { cpuPerTx: cpu / txs, mainPerTx: main / txs, readPerTx: readCpu / txs };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The new path must store what the old one stored, read back: checked once before timing. */
function checkSameResults(p: Prepared, dir: string): void {
  const db = openDatabase(dir, { sync: "none" });
  const store = new BlockStore(db);
  const { bytes, id, commit } = blockArgs(p, 1);
  const { txs, results } = p.heights[0]!;
  store.saveBlock(1, bytes, id, commit, p.validators, { txs, results });
  const back = store.results(1)!;
  if (toCanonicalJson(back) !== toCanonicalJson(fromCanonicalJson(utf8Decode(oldEncodeResults(results))))) {
    throw new Error("the block store reads back other results than the old path");
  }
  const sender = (results.txResults[7]!.events as readonly AppEvent[])
    .find((e) => e.type === "message" && e.attributes.some((a) => a.key === "sender"))!
    .attributes.find((a) => a.key === "sender")!.value;
  if (store.searchTxs(`message.sender='${sender}'`).items[0]?.index !== 7) {
    throw new Error("the block store's index does not find the tx");
  }
  void db.close();
}

// ---- The validator's case ------------------------------------------------------------------------
//
// Blocks of VBLOCK bank sends between VACCOUNTS accounts (the events of a real send, with each tx's
// sender, recipient, account sequence and signature its own), saved into a store that already holds
// VPREFILL such blocks, as a validator's store is after a minute of load. The block's other arguments
// and the txs' hashes are made before timing (the node has the hashes already). Baseline: the session-4
// layout (`e ‖ type.key ‖ 0 ‖ value ‖ 0 ‖ h` per distinct attribute, tx hashes hashed inside the save),
// replicated below.

const VBLOCK = 170;
/** As `bench/localnet.ts`: 600 accounts, account a sending to a + 1 in turn. */
const VACCOUNTS = 600;
const VPREFILL = 300;
const VTIMED = 40;
const VROUNDS = 3;

interface VBlock {
  readonly height: number;
  readonly txs: readonly Uint8Array[];
  readonly hashes: readonly Uint8Array[];
  readonly results: StoredResults;
  readonly bytes: Uint8Array;
  readonly id: BlockId;
  readonly commit: Commit;
}

/** A bech32-looking address for account `a` (38 characters from the bech32 alphabet after "secret1"). */
function fakeAddress(a: number): string {
  const alphabet = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
  const h = sha256(utf8Encode(`account ${a}`));
  let out = "secret1";
  for (let i = 0; i < 38; i++) out += alphabet[h[i % 32]! % 32];
  return out;
}

/** The template: one real send's events and the block's finalize events, with its sender and recipient. */
function vTemplate(): { events: readonly AppEvent[]; fin: readonly AppEvent[]; from: string; to: string } {
  const keys = [testKey("validator case 0"), testKey("validator case 1")];
  const app = newApp();
  app.initChain(genesisFor(keys.map((key) => ({ key, coins: [{ denom: "uscrt", amount: "1000000000" }] }))));
  app.finalizeBlock({ height: 1, timeNanos: blockTime(1), txs: [] });
  app.commit();
  const tx = signTx({
    messages: [sendMsg(keys[0]!.bech32, keys[1]!.bech32, [{ denom: "uscrt", amount: "1" }])],
    signer: keys[0]!,
    accountNumber: 0n,
    sequence: 0n,
  });
  const fin = app.finalizeBlock({ height: 2, timeNanos: blockTime(2), txs: [tx] });
  const r = fin.txResults[0]!;
  if (r.code !== 0) throw new Error(`bench send failed: ${r.log}`);
  return { events: r.events, fin: fin.events, from: keys[0]!.bech32, to: keys[1]!.bech32 };
}

function vBlocks(): VBlock[] {
  const t = vTemplate();
  const seqs = new Map<number, number>();
  const addresses = Array.from({ length: VACCOUNTS }, (_, a) => fakeAddress(a));
  const out: VBlock[] = [];
  let n = 0;
  for (let h = 1; h <= VPREFILL + VTIMED; h++) {
    const txs: Uint8Array[] = [];
    const txResults: TxResult[] = [];
    for (let i = 0; i < VBLOCK; i++, n++) {
      const a = n % VACCOUNTS;
      const b = (a + 1) % VACCOUNTS;
      const seq = seqs.get(a) ?? 0;
      seqs.set(a, seq + 1);
      const from = addresses[a]!;
      const to = addresses[b]!;
      const tx = new Uint8Array(250);
      for (let j = 0; j < 250; j += 32) tx.set(sha256(be64(n * 8 + j)).subarray(0, Math.min(32, 250 - j)), j);
      txs.push(tx);
      const signature = Buffer.from(concatBytes(sha256(be32(n)), sha256(be64(n)))).toString("base64");
      const events = t.events.map((e) => ({
        type: e.type,
        attributes: e.attributes.map((x) => ({
          key: x.key,
          value:
            x.key === "acc_seq"
              ? `${from}/${seq}`
              : x.key === "signature"
                ? signature
                : x.value.replaceAll(t.from, from).replaceAll(t.to, to),
          index: x.index,
        })),
      }));
      txResults.push({ ...baseResult, events });
    }
    const results: StoredResults = { txResults, finalizeBlockEvents: t.fin, validatorUpdates: [] };
    const { bytes, id, commit } = blockArgsFor(h, txs);
    out.push({ height: h, txs, hashes: txs.map((tx) => sha256(tx)), results, bytes, id, commit });
  }
  return out;
}

const baseResult: TxResult = {
  code: 0,
  codespace: "",
  log: "",
  info: "",
  gasWanted: 25_000n,
  gasUsed: 20_123n,
  events: [],
  data: Uint8Array.of(0x12, 0x26, 0x0a, 0x24),
};

/** The session-4 write path (baseline of the validator's case). */
function prevSaveBlock(db: Database, b: VBlock, validators: ValidatorSet): void {
  const hKey = (prefix: number, h: number): Uint8Array => concatBytes(Uint8Array.of(prefix), be64(h));
  const height = b.height;
  db.transaction((w: DatabaseWriter) => {
    w.put(hKey(0x62, height), b.bytes);
    w.put(hKey(0x69, height), encodeBlockId(b.id));
    w.put(hKey(0x63, height), encodeCommit(b.commit));
    w.put(hKey(0x76, height), utf8Encode(toCanonicalJson(validators)));
    w.put(concatBytes(Uint8Array.of(0x68), b.id.hash), be64(height));
    w.put(utf8Encode("mheight"), be64(height));
    prevWriteResults(w, height, b.txs, b.results);
  });
}

/** The session-4 `writeResults` (ASCII text only: what the bench writes), as it was. */
function prevWriteResults(w: DatabaseWriter, height: number, txs: readonly Uint8Array[], results: StoredResults): void {
  w.put(concatBytes(Uint8Array.of(0x72), be64(height)), encodeResults(results));
  const n = txs.length;
  const hb = be64(height);
  const hashes = new Uint8Array(32 * n);
  const tKey = new Uint8Array(33);
  tKey[0] = 0x74;
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
  if (n > 0) w.put(concatBytes(Uint8Array.of(0x78), hb), hashes);
  const byComposite = new Map<string, Map<string, number[]>>();
  const byType = new Map<string, Map<string, Map<string, number[]>>>();
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
          if (byValue === undefined) byComposite.set(composite, (byValue = new Map()));
          byKey.set(a.key, byValue);
        }
        const list = byValue.get(a.value);
        if (list === undefined) byValue.set(a.value, [i]);
        else if (list[list.length - 1] !== i) list.push(i);
      }
    }
  }
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
      w.put(prevScratchKey(0x65, composite, value, hb), lists.subarray(start, at));
    }
  }
  for (const e of results.finalizeBlockEvents) {
    for (const a of e.attributes) {
      if (a.index) w.put(prevScratchKey(0x66, `${e.type}.${a.key}`, a.value, hb), new Uint8Array(0));
    }
  }
}

let prevKeyScratch = new Uint8Array(1024);

function prevScratchKey(prefix: number, composite: string, value: string, suffix: Uint8Array): Uint8Array {
  const size = 1 + composite.length + 1 + value.length + 1 + suffix.length;
  if (size > prevKeyScratch.length) prevKeyScratch = new Uint8Array(Math.max(size, 2 * prevKeyScratch.length));
  const out = prevKeyScratch;
  out[0] = prefix;
  let at = 1;
  for (let i = 0; i < composite.length; i++) out[at++] = composite.charCodeAt(i);
  out[at++] = 0;
  for (let i = 0; i < value.length; i++) out[at++] = value.charCodeAt(i);
  out[at++] = 0;
  out.set(suffix, at);
  return out.subarray(0, at + suffix.length);
}

async function runValidatorCase(
  blocks: readonly VBlock[],
  validators: ValidatorSet,
  dir: string,
  variant: "old" | "new",
): Promise<Figures> {
  const db = openDatabase(dir);
  const store = new BlockStore(db);
  const save = (b: VBlock): void => {
    if (variant === "old") prevSaveBlock(db, b, validators);
    else
      store.saveBlock(b.height, b.bytes, b.id, b.commit, validators, {
        txs: b.txs,
        results: b.results,
        txHashes: b.hashes,
      });
  };
  for (let h = 1; h <= VPREFILL; h++) save(blocks[h - 1]!);
  const c0 = processCpu();
  const m0 = threadCpu();
  for (let h = VPREFILL + 1; h <= VPREFILL + VTIMED; h++) save(blocks[h - 1]!);
  const cpu = processCpu() - c0;
  const main = threadCpu() - m0;
  await store.close();
  const txs = VTIMED * VBLOCK;
  return { cpuPerTx: cpu / txs, mainPerTx: main / txs, readPerTx: 0 };
}

async function validatorCaseRows(root: string): Promise<BenchRow[]> {
  const validators = createValidatorSet(
    [1, 2, 3, 4].map((i) => ({ pubKey: new Uint8Array(32).fill(i), votingPower: 10n })),
  );
  const blocks = vBlocks();
  const runs: { old: Figures[]; new: Figures[] } = { old: [], new: [] };
  for (let round = 0; round < VROUNDS; round++) {
    for (const variant of round % 2 === 0 ? (["old", "new"] as const) : (["new", "old"] as const)) {
      const dir = join(root, `v-${variant}-${round}`);
      runs[variant].push(await runValidatorCase(blocks, validators, dir, variant));
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const pick = (v: "old" | "new", f: keyof Figures): number => median(runs[v].map((r) => r[f]));
  const spread = (v: "old" | "new", f: keyof Figures): string => runs[v].map((r) => r[f].toFixed(1)).join(", ");
  console.error(
    `block store, validator case (blocks of ${VBLOCK} sends, ${VACCOUNTS} accounts, ${VPREFILL} blocks before, ` +
      `${VTIMED} timed × ${VROUNDS} rounds): save CPU µs/tx new [${spread("new", "cpuPerTx")}] ` +
      `session-4 [${spread("old", "cpuPerTx")}]; main thread new [${spread("new", "mainPerTx")}] ` +
      `session-4 [${spread("old", "mainPerTx")}]`,
  );
  const baselineName = "the session-4 layout (an entry per distinct type.key and value; txs hashed in the save)";
  const cpu = pick("new", "cpuPerTx");
  const base = pick("old", "cpuPerTx");
  return [
    {
      name: `validator case: saveBlock, blocks of ${VBLOCK} sends of ${VACCOUNTS} accounts into a store of ${VPREFILL} blocks, CPU per tx, all threads`,
      ours: cpu,
      baseline: base,
      baselineName,
      unit: "µs",
      higherIsBetter: false,
      target: "≤ ½ of the session-4 layout",
      targetMet: cpu * 2 <= base,
    },
    {
      name: `validator case: same, main thread CPU per tx`,
      ours: pick("new", "mainPerTx"),
      baseline: pick("old", "mainPerTx"),
      baselineName,
      unit: "µs",
      higherIsBetter: false,
      target: "informational",
    },
  ];
}

export async function blockStoreBenchmarks(): Promise<BenchRow[]> {
  const root = mkdtempSync(join(tmpdir(), "scrt-blockstore-bench-"));
  try {
    const validatorCase = await validatorCaseRows(root);
    if (process.env.BENCH_BLOCKSTORE_VALIDATOR_ONLY === "1") return validatorCase;
    const p = prepare();
    checkSameResults(p, join(root, "check"));
    const runs: { old: Figures[]; new: Figures[] } = { old: [], new: [] };
    for (let round = 0; round < ROUNDS; round++) {
      for (const variant of round % 2 === 0 ? (["old", "new"] as const) : (["new", "old"] as const)) {
        const dir = join(root, `${variant}-${round}`);
        runs[variant].push(await runVariant(p, dir, variant));
        rmSync(dir, { recursive: true, force: true });
      }
    }
    const pick = (v: "old" | "new", f: keyof Figures): number => median(runs[v].map((r) => r[f]));
    const spread = (v: "old" | "new", f: keyof Figures): string => runs[v].map((r) => r[f].toFixed(1)).join(", ");
    console.error(
      `block store (blocks of ${BLOCK} sends, ${HEIGHTS - WARMUP} timed heights × ${ROUNDS} rounds): save CPU µs/tx ` +
        `new [${spread("new", "cpuPerTx")}] old [${spread("old", "cpuPerTx")}]; main thread new [${spread("new", "mainPerTx")}] ` +
        `old [${spread("old", "mainPerTx")}]; read new [${spread("new", "readPerTx")}] old [${spread("old", "readPerTx")}]`,
    );
    const baselineName = "the session-3 write path (JSON results, one put per tx position and indexed attribute)";
    const saveCpu = pick("new", "cpuPerTx");
    const saveBase = pick("old", "cpuPerTx");
    return [
      ...validatorCase,
      {
        name: `BlockStore.saveBlock with results, blocks of ${BLOCK} bank sends (LMDB), CPU per tx, all threads`,
        ours: saveCpu,
        baseline: saveBase,
        baselineName,
        unit: "µs",
        higherIsBetter: false,
        target: "≤ ½ of the previous path",
        targetMet: saveCpu * 2 <= saveBase,
      },
      {
        name: `same, main thread CPU per tx`,
        ours: pick("new", "mainPerTx"),
        baseline: pick("old", "mainPerTx"),
        baselineName,
        unit: "µs",
        higherIsBetter: false,
        target: "informational",
      },
      {
        name: `reading a block's results back (results(h)), CPU per tx`,
        ours: pick("new", "readPerTx"),
        baseline: pick("old", "readPerTx"),
        baselineName: "fromCanonicalJson of the JSON form",
        unit: "µs",
        higherIsBetter: false,
        target: "informational",
      },
    ] satisfies BenchRow[];
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
