/**
 * Store benchmarks. Rows:
 * - blocks of 1 000 random 32-byte-key writes + commit on LMDB (keys/s), against the same pairs written
 *   with raw lmdb `putSync` in one transaction (the storage engine's ceiling for the same data);
 * - the same on the in-memory database (the tree's own cost without disk), same baseline;
 * - ICS-23 proof generation (existence proof + store-root proof, as `abci_query prove`), against a
 *   plain read of the same key at that version;
 * - the commit of a block of bank sends' writes (each send rewrites the sender's and the recipient's
 *   balances, the sender's account and the fee collector's balance) over 10k keys on LMDB without
 *   pruning, as a node commits: median process CPU per commit, against raw LMDB puts of the same
 *   number of keys in one transaction.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { open } from "lmdb";
import {
  createMemoryDatabase,
  openDatabase,
  openMultiStore,
  type CommitMultiStore,
  type Database,
} from "../src/store/index.ts";
import { type BenchRow, measure } from "./harness.ts";

const BLOCK = 1000;
const PRELOAD_BLOCKS = 50;
const SENDS = 300;
const ACCOUNTS = 5000;
const SEND_BLOCKS = 60;

function randomPairs(n: number): Array<[Uint8Array, Uint8Array]> {
  const out: Array<[Uint8Array, Uint8Array]> = [];
  for (let i = 0; i < n; i++) out.push([new Uint8Array(randomBytes(32)), new Uint8Array(randomBytes(64))]);
  return out;
}

function commitBlock(ms: CommitMultiStore, pairs: ReadonlyArray<[Uint8Array, Uint8Array]>): void {
  const bank = ms.getStore("bank");
  for (const [k, v] of pairs) bank.set(k, v);
  ms.commit();
}

/** keys/s of blocks of BLOCK writes + commit, over a tree preloaded with PRELOAD_BLOCKS blocks. */
async function treeWrites(db: Database): Promise<number> {
  const ms = openMultiStore(db, { storeNames: ["acc", "bank", "compute", "staking"], keepRecent: 100 });
  for (let i = 0; i < PRELOAD_BLOCKS; i++) commitBlock(ms, randomPairs(BLOCK));
  const blocks = Array.from({ length: 64 }, () => randomPairs(BLOCK));
  let i = 0;
  const blocksPerSecond = await measure(() => commitBlock(ms, blocks[i++ % blocks.length]!), {
    minMs: 2000,
    warmupMs: 300,
  });
  await ms.close();
  return blocksPerSecond * BLOCK;
}

async function rawLmdbWrites(dir: string): Promise<number> {
  const db = open<Uint8Array, Uint8Array>({ path: dir, encoding: "binary", keyEncoding: "binary", compression: false });
  const blocks = Array.from({ length: 64 }, () => randomPairs(BLOCK));
  let i = 0;
  const blocksPerSecond = await measure(
    () => {
      const pairs = blocks[i++ % blocks.length]!;
      db.transactionSync(() => {
        for (const [k, v] of pairs) db.putSync(k, v);
      });
    },
    { minMs: 2000, warmupMs: 300 },
  );
  await db.close();
  return blocksPerSecond * BLOCK;
}

/** Process CPU time (user + system, every thread) in ms. */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1]!;
}

/** Median CPU ms of a commit of SENDS sends' writes (and of raw LMDB puts of as many keys). */
async function sendCommits(dir: string): Promise<{ tree: number; raw: number; keys: number }> {
  const ms = openMultiStore(openDatabase(join(dir, "sends")), { storeNames: ["acc", "bank", "distribution"] });
  const accounts = Array.from({ length: ACCOUNTS }, () => new Uint8Array(randomBytes(20)));
  const balanceKey = (a: Uint8Array): Uint8Array => Uint8Array.from([0x02, 20, ...a, ...Buffer.from("uscrt")]);
  const accountKey = (a: Uint8Array): Uint8Array => Uint8Array.from([0x01, ...a]);
  const feeCollector = balanceKey(new Uint8Array(randomBytes(20)));
  const acc = ms.getStore("acc");
  const bank = ms.getStore("bank");
  for (const a of accounts) {
    acc.set(accountKey(a), new Uint8Array(randomBytes(110)));
    bank.set(balanceKey(a), new Uint8Array(randomBytes(12)));
  }
  ms.commit();
  const tree: number[] = [];
  let keys = 0;
  for (let b = 0; b < SEND_BLOCKS; b++) {
    for (let i = 0; i < SENDS; i++) {
      const sender = accounts[randomBytes(4).readUInt32BE() % ACCOUNTS]!;
      const recipient = accounts[randomBytes(4).readUInt32BE() % ACCOUNTS]!;
      bank.set(balanceKey(sender), new Uint8Array(randomBytes(12)));
      bank.set(balanceKey(recipient), new Uint8Array(randomBytes(12)));
      acc.set(accountKey(sender), new Uint8Array(randomBytes(110)));
      bank.set(feeCollector, new Uint8Array(randomBytes(12)));
    }
    keys = ms.pendingWrites;
    const t0 = cpuMs();
    ms.commit();
    if (b >= 10) tree.push(cpuMs() - t0);
  }
  const db = open<Uint8Array, Uint8Array>({
    path: join(dir, "sends-raw"),
    encoding: "binary",
    keyEncoding: "binary",
    compression: false,
  });
  const raw: number[] = [];
  for (let b = 0; b < SEND_BLOCKS; b++) {
    const pairs = Array.from({ length: keys }, () => [
      new Uint8Array(randomBytes(28)),
      new Uint8Array(randomBytes(60)),
    ]);
    const t0 = cpuMs();
    db.transactionSync(() => {
      for (const [k, v] of pairs) db.putSync(k!, v!);
    });
    if (b >= 10) raw.push(cpuMs() - t0);
  }
  await db.close();
  await ms.close();
  return { tree: median(tree), raw: median(raw), keys };
}

export async function storeBenchmarks(): Promise<BenchRow[]> {
  const root = mkdtempSync(join(tmpdir(), "scrt-store-bench-"));
  try {
    const lmdbTree = await treeWrites(openDatabase(join(root, "tree")));
    const raw = await rawLmdbWrites(join(root, "raw"));
    const memoryTree = await treeWrites(createMemoryDatabase());

    const ms = openMultiStore(openDatabase(join(root, "proofs")), { storeNames: ["acc", "bank", "compute"] });
    const keys: Uint8Array[] = [];
    for (let b = 0; b < 20; b++) {
      const pairs = randomPairs(BLOCK);
      for (const [k] of pairs) keys.push(k);
      commitBlock(ms, pairs);
    }
    let j = 0;
    const proofs = await measure(() => ms.query("bank", keys[j++ % keys.length]!, { prove: true }));
    const reads = await measure(() => ms.query("bank", keys[j++ % keys.length]!));
    await ms.close();
    const sends = await sendCommits(root);

    const writeRow = (name: string, ours: number): BenchRow => ({
      name,
      ours,
      baseline: raw,
      baselineName: "lmdb putSync, 1 txn",
      unit: "keys/s",
      higherIsBetter: true,
      target: "≥ 0.05× baseline (a tree write saves ~log2(n) nodes)",
      targetMet: ours >= raw * 0.05,
    });
    return [
      writeRow(`IAVL set+commit, blocks of ${BLOCK} (LMDB, ${PRELOAD_BLOCKS}k keys)`, lmdbTree),
      writeRow(`IAVL set+commit, blocks of ${BLOCK} (memory db, ${PRELOAD_BLOCKS}k keys)`, memoryTree),
      {
        name: "abci_query prove (ics23:iavl + ics23:simple), 20k keys",
        ours: proofs,
        baseline: reads,
        baselineName: "same query without proof",
        unit: "ops/s",
        higherIsBetter: true,
        target: "informational",
      },
      {
        name: `commit of ${SENDS} bank sends' writes (${sends.keys} keys, 10k-key trees, LMDB), CPU per commit`,
        ours: sends.tree,
        baseline: sends.raw,
        baselineName: `lmdb putSync of ${sends.keys} keys, 1 txn`,
        unit: "ms",
        higherIsBetter: false,
        target: "informational",
      },
    ];
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
