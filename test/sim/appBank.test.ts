/**
 * A randomized run of the app: blocks of signed bank sends and multi-sends from many accounts, with
 * bad txs mixed in (wrong sequence, bad signature, over-spending, sends to module accounts, fees too
 * large), through two independent app instances — one on LMDB, one in memory — fed the same blocks.
 * After every block: equal app hashes and results; total supply unchanged; the balances sum to it;
 * no zero or negative stored balance; no sequence goes down. Halfway, the LMDB instance is closed and
 * reopened from disk. Length: APP_SIM_BLOCKS (default 40);
 * seed: APP_SIM_SEED.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import type { SecretApp, TxResult } from "../../src/app/index.ts";
import { moduleAddress } from "../../src/app/index.ts";
import { decodeBaseAccount, decodeQueryAccountResponse, encodeQueryAccountRequest } from "../../src/codec/auth.ts";
import { decodeTxRaw, encodeTxRaw } from "../../src/codec/tx.ts";
import { encodeAddress } from "../../src/primitives/bech32.ts";
import { toHex } from "../../src/primitives/hex.ts";
import { openDatabase } from "../../src/store/index.ts";
import { prng } from "../fixtures/store/model.ts";
import {
  CHAIN_ID,
  blockTime,
  genesisFor,
  multiSendMsg,
  newApp,
  sendMsg,
  signTx,
  testKey,
  type TestKey,
} from "../helpers/appTx.ts";

const BLOCKS = Number(process.env["APP_SIM_BLOCKS"] ?? 40);
const SEED = Number(process.env["APP_SIM_SEED"] ?? 20251124);
const ACCOUNTS = 24;
const TXS_PER_BLOCK = 25;

interface Totals {
  readonly supply: Map<string, bigint>;
}

function sequenceOf(app: SecretApp, key: TestKey): bigint {
  const r = app.query("/cosmos.auth.v1beta1.Query/Account", encodeQueryAccountRequest({ address: key.bech32 }));
  if (r.code !== 0) return 0n;
  return decodeBaseAccount(decodeQueryAccountResponse(r.value).value).sequence;
}

function checkInvariants(app: SecretApp, initial: Totals): void {
  const state = app.exportGenesis();
  const supply = new Map<string, bigint>();
  for (const c of state.bank.supply as Array<{ denom: string; amount: string }>) supply.set(c.denom, BigInt(c.amount));
  assert.deepEqual(supply, initial.supply, "total supply changed");
  const sums = new Map<string, bigint>();
  for (const b of state.bank.balances as Array<{ coins: Array<{ denom: string; amount: string }> }>) {
    for (const c of b.coins) {
      const amount = BigInt(c.amount);
      assert.ok(amount > 0n, "a stored balance is zero or negative");
      sums.set(c.denom, (sums.get(c.denom) ?? 0n) + amount);
    }
  }
  assert.deepEqual(sums, supply, "balances do not sum to the supply");
}

describe("app simulation: random bank traffic, invariants, determinism", () => {
  const dir = mkdtempSync(join(tmpdir(), "scrt-app-sim-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it(`${BLOCKS} blocks of ${TXS_PER_BLOCK} txs (seed ${SEED})`, async () => {
    const rand = prng(SEED);
    const int = (n: number): number => Math.floor(rand() * n);
    const keys = Array.from({ length: ACCOUNTS }, (_, i) => testKey(`sim ${i}`));
    const outsiders = Array.from({ length: 8 }, (_, i) => testKey(`outsider ${i}`));
    const genesis = genesisFor(
      keys.map((key, i) => ({
        key,
        coins:
          i % 3 === 0
            ? [
                { denom: "uatom", amount: String(1000 + i) },
                { denom: "uscrt", amount: String(200_000 + i * 1000) },
              ]
            : [{ denom: "uscrt", amount: String(200_000 + i * 1000) }],
      })),
    );
    const apps = [newApp(openDatabase(dir)), newApp()];
    for (const app of apps) app.initChain(genesis);
    const initial: Totals = { supply: new Map() };
    for (const c of apps[1]!.exportGenesis().bank.supply as Array<{ denom: string; amount: string }>) {
      initial.supply.set(c.denom, BigInt(c.amount));
    }
    const feeCollector = encodeAddress(moduleAddress("fee_collector"));
    const nextSeq = new Map<string, bigint>(keys.map((k) => [k.bech32, 0n]));
    const lastSeen = new Map<string, bigint>(keys.map((k) => [k.bech32, 0n]));
    const tally = new Map<number, number>();

    for (let height = 1; height <= BLOCKS; height++) {
      if (height === Math.floor(BLOCKS / 2)) {
        // Restart the LMDB-backed instance from disk mid-run: it must go on exactly where it stopped.
        await apps[0]!.close();
        apps[0] = newApp(openDatabase(dir), { chainId: CHAIN_ID });
        assert.equal(apps[0].lastHeight, height - 1);
        assert.equal(toHex(apps[0].lastAppHash), toHex(apps[1]!.lastAppHash));
      }
      const txs: Uint8Array[] = [];
      const signers: TestKey[] = [];
      for (let t = 0; t < TXS_PER_BLOCK; t++) {
        const i = int(ACCOUNTS);
        const from = keys[i]!;
        const toKey = rand() < 0.8 ? keys[int(ACCOUNTS)]! : outsiders[int(outsiders.length)]!;
        let to = toKey.bech32;
        if (rand() < 0.03) to = feeCollector;
        const denom = i % 3 === 0 && rand() < 0.3 ? "uatom" : "uscrt";
        const amount = String(rand() < 0.05 ? 10_000_000 : 1 + int(5000));
        const kind = rand();
        const messages =
          kind < 0.8
            ? [sendMsg(from.bech32, to, [{ denom, amount }])]
            : [
                multiSendMsg({
                  inputs: [{ address: from.bech32, coins: [{ denom: "uscrt", amount: String(2 * Number(amount)) }] }],
                  outputs: [
                    { address: to, coins: [{ denom: "uscrt", amount }] },
                    { address: keys[int(ACCOUNTS)]!.bech32, coins: [{ denom: "uscrt", amount }] },
                  ],
                }),
              ];
        let sequence = nextSeq.get(from.bech32)!;
        if (rand() < 0.05) sequence += 1n + BigInt(int(3)); // a wrong sequence
        const fee = rand() < 0.02 ? "99999999" : String(int(3000));
        let tx = signTx({
          messages,
          signer: from,
          accountNumber: BigInt(i),
          sequence,
          fee: fee === "0" ? [] : [{ denom: "uscrt", amount: fee }],
          gas: rand() < 0.03 ? 3000n : 60_000n,
        });
        if (rand() < 0.04) {
          const raw = decodeTxRaw(tx);
          const sig = raw.signatures[0]!.slice();
          sig[5]! ^= 0x40;
          tx = encodeTxRaw({ ...raw, signatures: [sig] });
        }
        if (rand() < 0.02) tx = tx.slice(0, int(tx.length));
        txs.push(tx);
        signers.push(from);
        // Optimistically advance: a tx that fails its ante handler leaves a gap the next block repairs.
        nextSeq.set(from.bech32, nextSeq.get(from.bech32)! + 1n);
      }

      const results: TxResult[][] = [];
      const hashes: string[] = [];
      for (const app of apps) {
        const res = app.finalizeBlock({ height, timeNanos: blockTime(height), txs });
        const { appHash } = app.commit();
        results.push([...res.txResults]);
        hashes.push(toHex(appHash));
      }
      assert.equal(hashes[0], hashes[1], `app hashes differ at height ${height}`);
      assert.deepEqual(results[0], results[1], `results differ at height ${height}`);
      for (const r of results[0]!) tally.set(r.code, (tally.get(r.code) ?? 0) + 1);

      checkInvariants(apps[1]!, initial);
      for (const k of new Set(signers)) {
        const seq = sequenceOf(apps[0]!, k);
        assert.ok(seq >= lastSeen.get(k.bech32)!, `sequence of ${k.bech32} went down`);
        lastSeen.set(k.bech32, seq);
        nextSeq.set(k.bech32, seq);
      }
    }
    // The run exercised successes and the main failure kinds.
    for (const code of [0, 2, 4, 5, 32])
      assert.ok((tally.get(code) ?? 0) > 0, `no tx ended with code ${code}: ${[...tally]}`);
    await apps[0]!.close();
  });
});
