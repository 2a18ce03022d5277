/**
 * App benchmark: signed bank MsgSends through the app on an LMDB-backed store, one core, blocks of
 * BLOCK pre-signed txs from distinct senders (so every tx of a block is valid). Rows:
 * - `finalizeBlock` + `commit` of blocks no CheckTx saw (a node catching up, or txs it never got);
 * - CheckTx of each block's fresh txs, as a node's mempool admits them (src/mempool calls the app's
 *   `checkTx`), on the check state of the last commit;
 * - the same blocks after every tx passed CheckTx (block execution finds CheckTx's decoding and
 *   verified signatures), block execution + commit;
 * - CheckTx + finalizeBlock + commit: what a validator pays per tx;
 * - `finalizeBlock` alone against verification alone.
 * Baseline, measured in the same run: the unavoidable work for the same txs — one secp256k1
 * verification each plus the raw LMDB puts of the keys a send changes (sender, recipient and
 * fee-collector balances, the sender's account and its number index), in one transaction per block.
 *
 * Each figure is the median over the blocks after the first (which warms the JIT and the caches) of
 * the block's wall time, so a busy shared machine disturbs it less than a sum would. The per-tx CPU
 * time of the process (all threads: GC, LMDB) is printed too, and the garbage collections of the
 * CheckTx + block + commit run per 1,000 txs (scavenges, and the other kinds), a proxy for the bytes
 * allocated per tx.
 *
 * `SCRT_BENCH_FROM=dist npm run bench -- app` measures the compiled `dist/` the node runs (brought
 * up to date first by scripts/build-dist.mjs) instead of the sources through tsx, whose keep-names
 * transform adds a `__name` call to every named closure.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { PerformanceObserver, constants as perfConstants, performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { open } from "lmdb";
import type * as AppModule from "../src/app/index.ts";
import type * as StoreModule from "../src/store/index.ts";
import { encodeSignDoc, decodeTxRaw, decodeAuthInfo } from "../src/codec/tx.ts";
import { secp256k1VerifySha256, sha256 } from "../src/crypto/index.ts";
import { CHAIN_ID, blockTime, genesisFor, sendMsg, signTx, testKey, type TestKey } from "../test/helpers/appTx.ts";
import type { BenchRow } from "./harness.ts";

const BLOCK = 500;
const BLOCKS = 8;
const SENDERS = BLOCK;
const WRITES_PER_SEND = 6;

interface Prepared {
  readonly keys: readonly TestKey[];
  readonly blocks: readonly Uint8Array[][];
}

interface Loaded {
  readonly app: typeof AppModule;
  readonly store: typeof StoreModule;
  /** "src (tsx)" or "dist". */
  readonly from: string;
}

const ROOT = resolve(import.meta.dirname, "..");

/** The app and store modules, from src/ (as imported here, through tsx) or from an up-to-date dist/. */
async function loadModules(): Promise<Loaded> {
  if (process.env.SCRT_BENCH_FROM !== "dist") {
    return {
      app: await import("../src/app/index.ts"),
      store: await import("../src/store/index.ts"),
      from: "src (tsx)",
    };
  }
  const builder = (await import(pathToFileURL(join(ROOT, "scripts", "build-dist.mjs")).href)) as {
    ensureDist(root: string): Promise<unknown>;
  };
  await builder.ensureDist(ROOT);
  return {
    app: (await import(pathToFileURL(join(ROOT, "dist", "app", "index.js")).href)) as typeof AppModule,
    store: (await import(pathToFileURL(join(ROOT, "dist", "store", "index.js")).href)) as typeof StoreModule,
    from: "dist",
  };
}

function prepare(): Prepared {
  const keys = Array.from({ length: SENDERS }, (_, i) => testKey(`bench ${i}`));
  const blocks: Uint8Array[][] = [];
  for (let b = 0; b < BLOCKS; b++) {
    const txs: Uint8Array[] = [];
    for (let i = 0; i < BLOCK; i++) {
      const from = keys[i]!;
      const to = keys[(i + 1 + b) % SENDERS]!;
      txs.push(
        signTx({
          messages: [sendMsg(from.bech32, to.bech32, [{ denom: "uscrt", amount: "1" }])],
          signer: from,
          accountNumber: BigInt(i),
          sequence: BigInt(b),
        }),
      );
    }
    blocks.push(txs);
  }
  return { keys, blocks };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Process CPU time (user + system, every thread) in ms. */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Per-tx figures of one run: txs/s from the median block, and CPU µs per tx over all timed blocks. */
interface Phase {
  readonly perSecond: number;
  readonly cpuMicros: number;
}

interface AppRun {
  readonly check: Phase;
  readonly exec: Phase;
  readonly commitMs: number;
  /** finalizeBlock + commit. */
  readonly block: Phase;
  /** CheckTx + finalizeBlock + commit. */
  readonly validator: Phase;
  /** Garbage collections during the timed blocks, per 1,000 txs: scavenges (minor) and the others. */
  readonly gc: { readonly minorPer1000: number; readonly majorPer1000: number };
}

/**
 * Counts the process's garbage collections that start between `start()` and `stop()` (the bench runs
 * synchronously, so the observer's entries arrive afterwards; they are told apart by start time).
 */
function gcCounter(): { start(): void; stop(): Promise<{ minor: number; major: number }> } {
  const entries: Array<{ readonly startTime: number; readonly minor: boolean }> = [];
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = (entry as { readonly detail?: { readonly kind?: number } }).detail?.kind;
      entries.push({ startTime: entry.startTime, minor: kind === perfConstants.NODE_PERFORMANCE_GC_MINOR });
    }
  });
  observer.observe({ entryTypes: ["gc"] });
  let from = Infinity;
  return {
    start() {
      from = performance.now();
    },
    async stop() {
      const to = performance.now();
      // Let the pending entries arrive.
      await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setTimeout(resolve, 10));
      observer.disconnect();
      let minor = 0;
      let major = 0;
      for (const e of entries) {
        if (e.startTime < from || e.startTime > to) continue;
        if (e.minor) minor++;
        else major++;
      }
      return { minor, major };
    },
  };
}

async function runApp(m: Loaded, dir: string, p: Prepared, precheck: boolean): Promise<AppRun> {
  const store = m.store.openMultiStore(m.store.openDatabase(dir), { storeNames: m.app.APP_STORE_NAMES });
  const app = new m.app.SecretApp({ store });
  app.initChain(genesisFor(p.keys.map((key) => ({ key, coins: [{ denom: "uscrt", amount: "1000000000" }] }))));
  app.finalizeBlock({ height: 1, timeNanos: blockTime(1), txs: [] });
  app.commit();
  const wall = { check: [] as number[], exec: [] as number[], commit: [] as number[], block: [] as number[] };
  const wallValidator: number[] = [];
  const cpu = { check: 0, exec: 0, commit: 0 };
  const gc = gcCounter();
  for (let b = 0; b < p.blocks.length; b++) {
    // Counting starts with the timed blocks (the first one warms up).
    if (b === 1) gc.start();
    const height = b + 2;
    const c0 = performance.now();
    const u0 = cpuMs();
    if (precheck) {
      // The mempool's admission, as every tx of a real block has passed it.
      for (const tx of p.blocks[b]!) if (app.checkTx(tx).code !== 0) throw new Error("bench CheckTx failed");
    }
    const t0 = performance.now();
    const u1 = cpuMs();
    const res = app.finalizeBlock({ height, timeNanos: blockTime(height), txs: p.blocks[b]! });
    const t1 = performance.now();
    const u2 = cpuMs();
    app.commit();
    const t2 = performance.now();
    const u3 = cpuMs();
    const failed = res.txResults.find((r) => r.code !== 0);
    if (failed !== undefined) throw new Error(`bench tx failed: ${failed.log}`);
    // The first block warms the JIT and the caches; it is not counted.
    if (b === 0) continue;
    wall.check.push(t0 - c0);
    wall.exec.push(t1 - t0);
    wall.commit.push(t2 - t1);
    wall.block.push(t2 - t0);
    wallValidator.push(t2 - c0);
    cpu.check += u1 - u0;
    cpu.exec += u2 - u1;
    cpu.commit += u3 - u2;
  }
  const gcs = await gc.stop();
  await app.close();
  const txs = (p.blocks.length - 1) * BLOCK;
  const phase = (ms: readonly number[], cpuTotal: number): Phase => ({
    perSecond: (BLOCK * 1000) / median(ms),
    cpuMicros: (cpuTotal * 1000) / txs,
  });
  return {
    check: phase(wall.check, cpu.check),
    exec: phase(wall.exec, cpu.exec),
    commitMs: median(wall.commit),
    block: phase(wall.block, cpu.exec + cpu.commit),
    validator: phase(wallValidator, cpu.check + cpu.exec + cpu.commit),
    gc: { minorPer1000: (gcs.minor * 1000) / txs, majorPer1000: (gcs.major * 1000) / txs },
  };
}

async function runBaseline(dir: string, p: Prepared): Promise<{ total: number; verify: number }> {
  const db = open<Uint8Array, Uint8Array>({ path: dir, encoding: "binary", keyEncoding: "binary", compression: false });
  // What verification needs per tx: the pubkey, the sign bytes' digest, the signature.
  const work = p.blocks.map((txs) =>
    txs.map((tx, i) => {
      const raw = decodeTxRaw(tx);
      const info = decodeAuthInfo(raw.authInfoBytes);
      const pk = info.signerInfos[0]!.publicKey!.value.subarray(2);
      const doc = encodeSignDoc({
        bodyBytes: raw.bodyBytes,
        authInfoBytes: raw.authInfoBytes,
        chainId: CHAIN_ID,
        accountNumber: BigInt(i),
      });
      return { sig: raw.signatures[0]!, doc, pk };
    }),
  );
  const verifyMs: number[] = [];
  const totalMs: number[] = [];
  for (let b = 0; b < work.length; b++) {
    const t0 = performance.now();
    for (const w of work[b]!) if (!secp256k1VerifySha256(w.sig, w.doc, w.pk)) throw new Error("baseline verify failed");
    const t1 = performance.now();
    db.transactionSync(() => {
      for (let i = 0; i < BLOCK; i++) {
        for (let k = 0; k < WRITES_PER_SEND; k++) {
          const key = sha256(Uint8Array.of(b, i & 0xff, i >> 8, k));
          db.putSync(key, key.subarray(0, 24));
        }
      }
    });
    const t2 = performance.now();
    if (b > 0) {
      verifyMs.push(t1 - t0);
      totalMs.push(t2 - t0);
    }
  }
  await db.close();
  return { total: (BLOCK * 1000) / median(totalMs), verify: (BLOCK * 1000) / median(verifyMs) };
}

export async function appBenchmarks(): Promise<BenchRow[]> {
  const root = mkdtempSync(join(tmpdir(), "scrt-app-bench-"));
  try {
    const modules = await loadModules();
    const prepared = prepare();
    const ours = await runApp(modules, join(root, "app"), prepared, false);
    const base = await runBaseline(join(root, "raw"), prepared);
    const checked = await runApp(modules, join(root, "checked"), prepared, true);
    const µs = (x: Phase): string => `${x.cpuMicros.toFixed(0)} µs`;
    console.error(
      `app (${modules.from}): cold block ${ours.block.perSecond.toFixed(0)} sends/s (CPU ${µs(ours.block)}/tx), ` +
        `finalizeBlock alone ${ours.exec.perSecond.toFixed(0)}/s (CPU ${µs(ours.exec)}/tx), commit ${ours.commitMs.toFixed(1)} ms ` +
        `per block of ${BLOCK}; secp256k1 verify alone ${base.verify.toFixed(0)}/s; CheckTx ${checked.check.perSecond.toFixed(0)} txs/s ` +
        `(CPU ${µs(checked.check)}/tx), then the block ${checked.block.perSecond.toFixed(0)} sends/s (CPU ${µs(checked.block)}/tx), ` +
        `CheckTx + block ${checked.validator.perSecond.toFixed(0)} txs/s (CPU ${µs(checked.validator)}/tx; ` +
        `GC per 1,000 txs: ${checked.gc.minorPer1000.toFixed(1)} scavenges, ${checked.gc.majorPer1000.toFixed(1)} other)`,
    );
    const baselineName = `secp256k1 verify (secp256k1VerifySha256) + ${WRITES_PER_SEND} raw LMDB puts per tx`;
    const from = modules.from === "dist" ? " [dist]" : "";
    return [
      {
        name: `signed MsgSend, finalizeBlock + commit (LMDB, blocks of ${BLOCK})${from}`,
        ours: ours.block.perSecond,
        baseline: base.total,
        baselineName,
        unit: "sends/s",
        higherIsBetter: true,
        target: "≥ 5,000 sends/s",
        targetMet: ours.block.perSecond >= 5000,
      },
      {
        name: `CheckTx of fresh signed MsgSends (mempool admission, check state of the last commit)${from}`,
        ours: checked.check.perSecond,
        baseline: base.verify,
        baselineName: "secp256k1 verify alone",
        unit: "txs/s",
        higherIsBetter: true,
        target: "informational: verify is the floor",
      },
      {
        name: `same sends, txs admitted by CheckTx first, block execution + commit${from}`,
        ours: checked.block.perSecond,
        baseline: base.total,
        baselineName,
        unit: "sends/s",
        higherIsBetter: true,
        target: "≥ 5,000 sends/s",
        targetMet: checked.block.perSecond >= 5000,
      },
      {
        name: `CheckTx + finalizeBlock + commit (a validator's work per tx)${from}`,
        ours: checked.validator.perSecond,
        baseline: base.total,
        baselineName,
        unit: "txs/s",
        higherIsBetter: true,
        target: "informational",
      },
      {
        name: `signed MsgSend, finalizeBlock only (blocks of ${BLOCK})${from}`,
        ours: ours.exec.perSecond,
        baseline: base.verify,
        baselineName: "secp256k1 verify alone",
        unit: "sends/s",
        higherIsBetter: true,
        target: "informational: the verify share",
      },
    ];
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
