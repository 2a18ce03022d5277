/**
 * App benchmark: signed bank MsgSends applied per second through `finalizeBlock` + `commit` on an
 * LMDB-backed store, one core, blocks of BLOCK pre-signed txs from distinct senders (so every tx of a
 * block is valid). Baseline, measured in the same run: the unavoidable work for the same txs — one
 * secp256k1 verification each plus the raw LMDB puts of the keys a send changes (sender, recipient and
 * fee-collector balances, the sender's account and its number index), in one transaction per block.
 * A second row runs the same blocks after every tx passed CheckTx (as in a node, where the mempool
 * admits each tx first): block execution then finds the signatures in the app's signature cache.
 * A third splits execution from commit: `finalizeBlock` alone against verification alone.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { open } from "lmdb";
import { APP_STORE_NAMES, SecretApp } from "../src/app/index.ts";
import { encodeSignDoc, decodeTxRaw, decodeAuthInfo } from "../src/codec/tx.ts";
import { secp256k1VerifySha256, sha256 } from "../src/crypto/index.ts";
import { openDatabase, openMultiStore } from "../src/store/index.ts";
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

async function runApp(
  dir: string,
  p: Prepared,
  precheck = false,
): Promise<{ total: number; exec: number; commit: number; check: number }> {
  const store = openMultiStore(openDatabase(dir), { storeNames: APP_STORE_NAMES });
  const app = new SecretApp({ store });
  app.initChain(genesisFor(p.keys.map((key) => ({ key, coins: [{ denom: "uscrt", amount: "1000000000" }] }))));
  app.finalizeBlock({ height: 1, timeNanos: blockTime(1), txs: [] });
  app.commit();
  let exec = 0;
  let commit = 0;
  let check = 0;
  for (let b = 0; b < p.blocks.length; b++) {
    const height = b + 2;
    if (precheck) {
      // The mempool's admission, as every tx of a real block has passed it (not timed with the block).
      const c0 = performance.now();
      for (const tx of p.blocks[b]!) if (app.checkTx(tx).code !== 0) throw new Error("bench CheckTx failed");
      if (b > 0) check += performance.now() - c0;
    }
    const t0 = performance.now();
    const res = app.finalizeBlock({ height, timeNanos: blockTime(height), txs: p.blocks[b]! });
    const t1 = performance.now();
    app.commit();
    const t2 = performance.now();
    const failed = res.txResults.find((r) => r.code !== 0);
    if (failed !== undefined) throw new Error(`bench tx failed: ${failed.log}`);
    // The first block warms the JIT and the caches; it is not counted.
    if (b > 0) {
      exec += t1 - t0;
      commit += t2 - t1;
    }
  }
  await app.close();
  const txs = (p.blocks.length - 1) * BLOCK;
  return {
    total: (txs * 1000) / (exec + commit),
    exec: (txs * 1000) / exec,
    commit: commit / (p.blocks.length - 1),
    check: check > 0 ? (txs * 1000) / check : 0,
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
  let verifyMs = 0;
  let totalMs = 0;
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
      verifyMs += t1 - t0;
      totalMs += t2 - t0;
    }
  }
  await db.close();
  const txs = (work.length - 1) * BLOCK;
  return { total: (txs * 1000) / totalMs, verify: (txs * 1000) / verifyMs };
}

export async function appBenchmarks(): Promise<BenchRow[]> {
  const root = mkdtempSync(join(tmpdir(), "scrt-app-bench-"));
  try {
    const prepared = prepare();
    const ours = await runApp(join(root, "app"), prepared);
    const base = await runBaseline(join(root, "raw"), prepared);
    const checked = await runApp(join(root, "checked"), prepared, true);
    console.error(
      `app: ${ours.total.toFixed(0)} sends/s overall, execution alone ${ours.exec.toFixed(0)} sends/s, ` +
        `commit ${ours.commit.toFixed(1)} ms per block of ${BLOCK}; secp256k1 verify alone ${base.verify.toFixed(0)}/s; ` +
        `CheckTx ${checked.check.toFixed(0)} txs/s, then the block ${checked.total.toFixed(0)} sends/s`,
    );
    return [
      {
        name: `signed MsgSend, finalizeBlock + commit (LMDB, blocks of ${BLOCK})`,
        ours: ours.total,
        baseline: base.total,
        baselineName: `secp256k1 verify (secp256k1VerifySha256) + ${WRITES_PER_SEND} raw LMDB puts per tx`,
        unit: "sends/s",
        higherIsBetter: true,
        target: "≥ 5,000 sends/s",
        targetMet: ours.total >= 5000,
      },
      {
        name: `same, txs admitted by CheckTx first (signature cache), block execution + commit`,
        ours: checked.total,
        baseline: base.total,
        baselineName: `secp256k1 verify (secp256k1VerifySha256) + ${WRITES_PER_SEND} raw LMDB puts per tx`,
        unit: "sends/s",
        higherIsBetter: true,
        target: "≥ 5,000 sends/s",
        targetMet: checked.total >= 5000,
      },
      {
        name: `signed MsgSend, finalizeBlock only (blocks of ${BLOCK})`,
        ours: ours.exec,
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
