/**
 * The per-tx fast paths of the app and the store (decoded-tx and signature memos, a context's metered
 * stores, branch bookkeeping, the account and balance memos, event building) change no result: a
 * seeded run of a few hundred sends — valid, failing in the ante (sequence, signature, fee, funds),
 * failing in the message (funds), undecodable, multi-message, repeated, some never seen by CheckTx —
 * through CheckTx + finalizeBlock + commit gives every CheckTx result, every tx result (code, log,
 * gas, events, data), every block's events and every app hash exactly as
 * - a reference app with the memos turned off (no decoded-tx cache, no signature cache) on another
 *   database, compared result by result; and
 * - the digest of the same run recorded with the code as it was before this session's changes.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import type { SecretApp } from "../../src/app/index.ts";
import { decodeTxRaw, encodeTxRaw } from "../../src/codec/tx.ts";
import { createMemoryDatabase, openDatabase } from "../../src/store/index.ts";
import { prng } from "../fixtures/store/model.ts";
import { blockTime, genesisFor, newApp, sendMsg, signTx, testKey, type TestKey } from "../helpers/appTx.ts";

/** sha256 over the JSON of every result of the run below, taken with the code before the change. */
const RECORDED_DIGEST = "6e1314cf8d26e26e7c87eb386cd4ac299d96ecd234431428f935e56b8aa1d548";

const ACCOUNTS = 24;
const BLOCKS = 6;
const TXS_PER_BLOCK = 50;

interface Planned {
  readonly bytes: Uint8Array;
  /** Whether CheckTx sees it before its block. */
  readonly checked: boolean;
}

/** The blocks of the run: signed txs of many kinds (the senders' sequences tracked as the chain will). */
function plan(keys: readonly TestKey[]): Planned[][] {
  const rand = prng(0x5eed);
  const pick = (n: number): number => Math.floor(rand() * n);
  const sequences = keys.map(() => 0n);
  const blocks: Planned[][] = [];
  for (let b = 0; b < BLOCKS; b++) {
    const txs: Planned[] = [];
    for (let t = 0; t < TXS_PER_BLOCK; t++) {
      const from = pick(ACCOUNTS);
      const to = pick(ACCOUNTS);
      const key = keys[from]!;
      const kind = pick(20);
      const amount = String(1 + pick(5000));
      const msg = sendMsg(key.bech32, keys[to]!.bech32, [{ denom: "uscrt", amount }]);
      const base = { messages: [msg], signer: key, accountNumber: BigInt(from), sequence: sequences[from]! };
      let bytes: Uint8Array;
      let advances = true;
      if (kind === 0) {
        // wrong sequence: fails in the ante
        bytes = signTx({ ...base, sequence: base.sequence + 3n });
        advances = false;
      } else if (kind === 1) {
        // a broken signature: fails in the ante
        const raw = decodeTxRaw(signTx(base));
        const sig = raw.signatures[0]!.slice();
        sig[5] = sig[5]! ^ 0x40;
        bytes = encodeTxRaw({ ...raw, signatures: [sig] });
        advances = false;
      } else if (kind === 2) {
        // more than the sender has: the ante passes (fee, sequence), the message fails
        const big = sendMsg(key.bech32, keys[to]!.bech32, [{ denom: "uscrt", amount: "999999999999" }]);
        bytes = signTx({ ...base, messages: [big] });
      } else if (kind === 3) {
        // two messages and a memo
        const second = sendMsg(key.bech32, keys[pick(ACCOUNTS)]!.bech32, [{ denom: "uscrt", amount: "7" }]);
        bytes = signTx({
          ...base,
          messages: [msg, second],
          memo: `memo ${b}/${t}`,
          gas: 60_000n,
          fee: [{ denom: "uscrt", amount: "750" }],
        });
      } else if (kind === 4) {
        // below the min gas price: CheckTx refuses it, the block runs it
        bytes = signTx({ ...base, fee: [{ denom: "uscrt", amount: "1" }] });
      } else if (kind === 5) {
        // not a tx
        bytes = Uint8Array.of(0x0a, 0x03, 1, 2);
        advances = false;
      } else if (kind === 6) {
        // too little gas: out of gas in the ante or the message
        bytes = signTx({ ...base, gas: 1_000n + BigInt(pick(60_000)) });
      } else if (kind === 7) {
        // a fee in a denom nobody has
        bytes = signTx({ ...base, fee: [{ denom: "uatom", amount: "5000" }] });
        advances = false;
      } else {
        bytes = signTx(base);
      }
      // A fee-less or failing ante does not advance the sequence; a message failure does (the ante
      // branch is kept). Kinds 4 and 6 may or may not pass: the plan guesses, the chain decides — a
      // wrong guess only makes later txs of that sender fail, which is just more failures to compare.
      if (advances) sequences[from] = sequences[from]! + 1n;
      const checked = pick(5) !== 0;
      txs.push({ bytes, checked });
      if (pick(12) === 0) txs.push({ bytes: bytes.slice(), checked: false }); // the same tx twice in a block
    }
    blocks.push(txs);
  }
  return blocks;
}

const replacer = (_: string, v: unknown): unknown =>
  typeof v === "bigint" ? `${v}n` : v instanceof Uint8Array ? Buffer.from(v).toString("hex") : v;

/** Every result of the run, in order, as JSON lines. */
function run(app: SecretApp, keys: readonly TestKey[], blocks: readonly Planned[][]): string[] {
  const out: string[] = [];
  app.initChain(
    genesisFor(keys.map((key, i) => ({ key, coins: [{ denom: "uscrt", amount: String(20_000 + i * 1000) }] }))),
  );
  app.finalizeBlock({ height: 1, timeNanos: blockTime(1), txs: [] });
  out.push(JSON.stringify({ appHash: app.commit().appHash }, replacer));
  for (let b = 0; b < blocks.length; b++) {
    const height = b + 2;
    for (const tx of blocks[b]!) {
      if (!tx.checked) continue;
      out.push(JSON.stringify({ check: app.checkTx(tx.bytes) }, replacer));
    }
    const res = app.finalizeBlock({ height, timeNanos: blockTime(height), txs: blocks[b]!.map((t) => t.bytes) });
    for (const r of res.txResults) out.push(JSON.stringify({ deliver: r }, replacer));
    out.push(JSON.stringify({ events: res.events, updates: res.validatorUpdates }, replacer));
    out.push(JSON.stringify({ commit: app.commit() }, replacer));
    // After the commit: CheckTx of the next block's txs again sees the new state (re-check).
  }
  return out;
}

describe("app pipeline equivalence", () => {
  const keys = Array.from({ length: ACCOUNTS }, (_, i) => testKey(`equivalence ${i}`));
  const blocks = plan(keys);

  it("CheckTx + finalizeBlock + commit give the same results and app hashes as the reference and as recorded", async () => {
    const dir = mkdtempSync(join(tmpdir(), "app-equivalence-"));
    try {
      const fast = newApp(openDatabase(dir));
      const got = run(fast, keys, blocks);
      await fast.close();
      const reference = newApp(createMemoryDatabase(), { decodedTxCacheSize: 0, signatureCacheSize: 0 });
      const want = run(reference, keys, blocks);
      assert.equal(got.length, want.length);
      for (let i = 0; i < want.length; i++) assert.equal(got[i], want[i], `result ${i}`);
      // The run covers what it claims: successes and failures of several kinds, in CheckTx and blocks.
      const codes = new Set(
        got
          .filter((l) => l.startsWith('{"deliver"'))
          .map((l) => (JSON.parse(l) as { deliver: { code: number } }).deliver.code),
      );
      const checkCodes = new Set(
        got
          .filter((l) => l.startsWith('{"check"'))
          .map((l) => (JSON.parse(l) as { check: { code: number } }).check.code),
      );
      for (const code of [0, 2, 4, 5, 11, 32])
        assert.ok(codes.has(code), `a block result with code ${code}: ${[...codes].join(",")}`);
      for (const code of [0, 4, 13, 32])
        assert.ok(checkCodes.has(code), `a CheckTx result with code ${code}: ${[...checkCodes].join(",")}`);
      const digest = createHash("sha256").update(got.join("\n")).digest("hex");
      if (process.env.APP_EQUIVALENCE_PRINT === "1") console.log(`digest ${digest} lines ${got.length}`);
      assert.equal(digest, RECORDED_DIGEST);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
