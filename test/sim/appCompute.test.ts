/**
 * A randomized run of contract traffic on two apps, each with its own worker enclave of the same
 * network: random blocks of counter increments, unauthorized resets (contract errors), owner resets,
 * caller → counter sub-messages with replies, under-gassed executes and bank sends, from three
 * accounts. Invariants after every block: equal results and app hashes on both apps; every tx's code
 * is the one the model predicts; the counter's encrypted state answers the model's count.
 * The seed is printed; set APP_COMPUTE_SIM_SEED to replay a run.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type SecretApp, contractAddress } from "../../src/app/index.ts";
import { encodeAddress } from "../../src/primitives/bech32.ts";
import { toHex } from "../../src/primitives/hex.ts";
import { sendMsg } from "../helpers/appTx.ts";
import {
  type Account,
  TestNetwork,
  accounts,
  computeGenesis,
  executeMsg,
  hashHex,
  instantiateMsg,
  openApp,
  runBlock,
  secretjsEncryption,
  signedTx,
  smartQuery,
  storeCodeMsg,
} from "../helpers/appCompute.ts";

const BLOCKS = 12;
const root = mkdtempSync(join(tmpdir(), "scrt-app-compute-sim-"));
const network = new TestNetwork(root);
const apps: SecretApp[] = [];
const counter = new Uint8Array(readFileSync("contracts/build/counter.wasm"));
const caller = new Uint8Array(readFileSync("contracts/build/caller.wasm"));
const hash = { counter: hashHex(counter), caller: hashHex(caller) };

before(async () => {
  const enclaves = [await network.bootstrap(), await network.join()];
  apps.push(...enclaves.map((e) => openApp(e)));
});
after(async () => {
  await Promise.all(apps.map((a) => a.close()));
  await network.close();
  rmSync(root, { recursive: true, force: true });
});

/** xorshift32: a small seeded generator, so a failing run can be replayed. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 0x1_0000_0000;
  };
}

describe("compute simulation", () => {
  it(`${BLOCKS} random blocks of contract traffic on two enclaves agree with each other and the model`, async () => {
    const seed = Number(process.env.APP_COMPUTE_SIM_SEED ?? Math.floor(Math.random() * 0xffff_ffff));
    console.log(`APP_COMPUTE_SIM_SEED=${seed}`);
    const random = rng(seed);
    const { a, b, c } = accounts();
    const users: Account[] = [a, b, c];
    const [one, two] = apps as [SecretApp, SecretApp];
    for (const app of apps) app.initChain(computeGenesis(users));
    const enc = secretjsEncryption(network.ioPk, new Uint8Array(32).fill(11));
    const counterAddr = contractAddress(1n, 1n, a.address);
    const callerAddr = contractAddress(2n, 2n, a.address);
    const run = (txs: Uint8Array[]) => {
      const r1 = runBlock(one, txs);
      const r2 = runBlock(two, txs);
      assert.equal(toHex(r1.appHash), toHex(r2.appHash), `app hash at ${one.lastHeight} (seed ${seed})`);
      assert.deepEqual(r1.results, r2.results, `results at ${one.lastHeight} (seed ${seed})`);
      return r1.results;
    };
    run([
      await signedTx(a, [storeCodeMsg(a.address, counter)]),
      await signedTx(a, [storeCodeMsg(a.address, caller)]),
    ]).forEach((r) => assert.equal(r.code, 0, r.log));
    run([
      await signedTx(a, [instantiateMsg(a.address, 1n, "counter", await enc.encrypt(hash.counter, { count: 0 }))]),
      await signedTx(a, [instantiateMsg(a.address, 2n, "caller", await enc.encrypt(hash.caller, {}))]),
    ]).forEach((r) => assert.equal(r.code, 0, r.log));

    let count = 0;
    for (let block = 0; block < BLOCKS; block++) {
      const txs: Uint8Array[] = [];
      const expected: number[] = [];
      const effects: Array<(ok: boolean) => void> = [];
      // One tx per user per block at most (each signs with its next sequence).
      for (const user of users) {
        if (random() < 0.2) continue;
        const pick = random();
        if (pick < 0.35) {
          txs.push(
            await signedTx(user, [
              executeMsg(user.address, counterAddr, await enc.encrypt(hash.counter, { increment: {} })),
            ]),
          );
          expected.push(0);
          effects.push(() => count++);
        } else if (pick < 0.5) {
          const target = Math.floor(random() * 100);
          txs.push(
            await signedTx(user, [
              executeMsg(user.address, counterAddr, await enc.encrypt(hash.counter, { reset: { count: target } })),
            ]),
          );
          // Only the instantiator owns the counter.
          expected.push(user === a ? 0 : 3);
          effects.push(() => {
            if (user === a) count = target;
          });
        } else if (pick < 0.7) {
          const msg = await enc.encrypt(hash.caller, {
            call_increment: { contract: encodeAddress(counterAddr), code_hash: hash.counter },
          });
          txs.push(await signedTx(user, [executeMsg(user.address, callerAddr, msg)]));
          expected.push(0);
          effects.push(() => count++);
        } else if (pick < 0.8) {
          // Not enough gas for the call: out of gas, nothing changes.
          txs.push(
            await signedTx(
              user,
              [executeMsg(user.address, counterAddr, await enc.encrypt(hash.counter, { increment: {} }))],
              27_000n,
            ),
          );
          expected.push(11);
          effects.push(() => undefined);
        } else {
          const to = users[Math.floor(random() * users.length)]!;
          txs.push(
            await signedTx(user, [sendMsg(user.bech32, to.bech32, [{ denom: "uscrt", amount: "7" }])], 100_000n),
          );
          expected.push(0);
          effects.push(() => undefined);
        }
      }
      const results = run(txs);
      assert.deepEqual(
        results.map((r) => r.code),
        expected,
        `codes at ${one.lastHeight} (seed ${seed}): ${results.map((r) => r.log).join(" | ")}`,
      );
      effects.forEach((f, i) => f(results[i]!.code === 0));
      for (const app of apps) {
        const q = await smartQuery(app, enc, encodeAddress(counterAddr), hash.counter, { get_count: {} });
        assert.deepEqual(q.value, { count }, `count at ${app.lastHeight} (seed ${seed})`);
      }
    }
  });
});
