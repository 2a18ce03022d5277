/**
 * Determinism and genesis of the compute module with real worker enclaves:
 * - two app instances, each with its own enclave (the second joined the first's network through
 *   registration, so both derive the same keys), fed the same blocks of contract stores, instantiates,
 *   executes, sub-messages with replies and failures, have equal results and app hashes at every height;
 * - the state exported as genesis (codes, contracts with their encrypted state, keys and history)
 *   initialises a fresh app whose contracts answer and execute as before, and exports the same JSON.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type SecretApp, contractAddress } from "../../src/app/index.ts";
import type { WorkerEnclave } from "../../src/enclave-api/workerEnclave.ts";
import { encodeAddress } from "../../src/primitives/bech32.ts";
import { toHex } from "../../src/primitives/hex.ts";
import {
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

const root = mkdtempSync(join(tmpdir(), "scrt-app-compute-det-"));
const network = new TestNetwork(root);
const counter = new Uint8Array(readFileSync("contracts/build/counter.wasm"));
const caller = new Uint8Array(readFileSync("contracts/build/caller.wasm"));
const hash = { counter: hashHex(counter), caller: hashHex(caller) };
let enclaves: WorkerEnclave[] = [];
const apps: SecretApp[] = [];

before(async () => {
  enclaves = [await network.bootstrap(), await network.join()];
});
after(async () => {
  await Promise.all(apps.map((a) => a.close()));
  await network.close();
  rmSync(root, { recursive: true, force: true });
});

describe("compute: determinism across enclaves, genesis round trip", () => {
  it("two apps with their own enclaves agree on every result and app hash", async () => {
    const { a, b, c } = accounts();
    const [one, two] = enclaves.map((e) => openApp(e)) as [SecretApp, SecretApp];
    apps.push(one, two);
    for (const app of [one, two]) app.initChain(computeGenesis([a, b, c]));
    const enc = secretjsEncryption(network.ioPk, new Uint8Array(32).fill(9));
    const counterAddr = contractAddress(1n, 1n, a.address);
    const callerAddr = contractAddress(2n, 2n, b.address);
    const blocks: Uint8Array[][] = [
      [],
      [await signedTx(a, [storeCodeMsg(a.address, counter)]), await signedTx(b, [storeCodeMsg(b.address, caller)])],
      [
        await signedTx(a, [instantiateMsg(a.address, 1n, "counter", await enc.encrypt(hash.counter, { count: 1 }))]),
        await signedTx(b, [instantiateMsg(b.address, 2n, "caller", await enc.encrypt(hash.caller, {}))]),
        // duplicate label: fails in the block
        await signedTx(c, [instantiateMsg(c.address, 1n, "counter", await enc.encrypt(hash.counter, { count: 2 }))]),
      ],
      [
        await signedTx(a, [executeMsg(a.address, counterAddr, await enc.encrypt(hash.counter, { increment: {} }))]),
        await signedTx(c, [
          executeMsg(c.address, counterAddr, await enc.encrypt(hash.counter, { reset: { count: 9 } })),
        ]),
        await signedTx(b, [
          executeMsg(
            b.address,
            callerAddr,
            await enc.encrypt(hash.caller, {
              call_increment: { contract: encodeAddress(counterAddr), code_hash: hash.counter },
            }),
          ),
        ]),
        await signedTx(
          a,
          [executeMsg(a.address, counterAddr, await enc.encrypt(hash.counter, { increment: {} }))],
          26_000n,
        ),
      ],
      [
        await signedTx(b, [
          executeMsg(
            b.address,
            callerAddr,
            await enc.encrypt(hash.caller, {
              call_reset: { contract: encodeAddress(counterAddr), code_hash: hash.counter, count: 0 },
            }),
          ),
        ]),
        await signedTx(a, [executeMsg(a.address, counterAddr, await enc.encrypt(hash.counter, { increment: {} }))]),
      ],
    ];
    const codes: number[] = [];
    for (const txs of blocks) {
      const r1 = runBlock(one, txs);
      const r2 = runBlock(two, txs);
      assert.equal(toHex(r1.appHash), toHex(r2.appHash), `app hash at height ${one.lastHeight}`);
      assert.deepEqual(r1.results, r2.results, `results at height ${one.lastHeight}`);
      codes.push(...r1.results.map((r) => r.code));
    }
    // The blocks did what they meant to: successes and the planned failures (6 label, 3 contract, 11 gas).
    assert.deepEqual(codes, [0, 0, 0, 0, 6, 0, 3, 0, 11, 0, 0]);
    for (const app of [one, two]) {
      assert.deepEqual(
        (await smartQuery(app, enc, encodeAddress(counterAddr), hash.counter, { get_count: {} })).value,
        {
          count: 4,
        },
      );
    }
  });

  it("export → init round trip with contracts, state and history", async () => {
    const source = apps[0]!;
    const exported = source.exportGenesis();
    const compute = exported.compute as { codes: unknown[]; contracts: Array<{ contract_state: unknown[] }> };
    assert.equal(compute.codes.length, 2);
    assert.equal(compute.contracts.length, 2);
    assert.ok(compute.contracts.every((ct) => ct.contract_state.length > 0));
    // A fresh app on the other enclave starts from the export.
    const fresh = openApp(enclaves[1]!);
    apps.push(fresh);
    fresh.initChain({ chainId: "secretdev-1", appState: exported });
    // Compared before any block: each block now mints (mint's begin block changes supply and fee collector).
    assert.deepEqual(fresh.exportGenesis(), exported);
    runBlock(fresh, []);
    const enc = secretjsEncryption(network.ioPk, new Uint8Array(32).fill(10));
    const { a } = accounts();
    const counterAddr = contractAddress(1n, 1n, a.address);
    assert.deepEqual(
      (await smartQuery(fresh, enc, encodeAddress(counterAddr), hash.counter, { get_count: {} })).value,
      {
        count: 4,
      },
    );
    const acc = exported.auth as { accounts: Array<{ address: string; sequence: string }> };
    a.sequence = BigInt(acc.accounts.find((x) => x.address === a.bech32)!.sequence);
    const { results } = runBlock(fresh, [
      await signedTx(a, [executeMsg(a.address, counterAddr, await enc.encrypt(hash.counter, { increment: {} }))]),
    ]);
    assert.equal(results[0]!.code, 0, results[0]!.log);
    assert.deepEqual(
      (await smartQuery(fresh, enc, encodeAddress(counterAddr), hash.counter, { get_count: {} })).value,
      {
        count: 5,
      },
    );
    // Next ids continue after the imported ones.
    const next = fresh.exportGenesis().compute as { sequences: Array<{ id_key: string; value: string }> };
    assert.deepEqual(next.sequences, [
      { id_key: "lastCodeId", value: "3" },
      { id_key: "lastContractId", value: "3" },
    ]);
  });
});
