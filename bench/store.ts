/**
 * Store benchmarks. Rows:
 * - blocks of 1 000 random 32-byte-key writes + commit on LMDB (keys/s), against the same pairs written
 *   with raw lmdb `putSync` in one transaction (the storage engine's ceiling for the same data);
 * - the same on the in-memory database (the tree's own cost without disk), same baseline;
 * - ICS-23 proof generation (existence proof + store-root proof, as `abci_query prove`), against a
 *   plain read of the same key at that version.
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
    ];
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
