/**
 * The block pre-pass with a real worker enclave: while the enclave runs a tx, the app verifies the
 * next txs' signatures into its signature cache (the enclave client's idle work). Two apps over the
 * same enclave, one whose enclave client runs the idle work and one whose client has none, fed the
 * same blocks (txs never seen by CheckTx and txs it admitted, a bad signature, a wrong sequence, two txs of one signer),
 * agree on every result and app hash; the idle work runs only while an ecall computes, never inside
 * an ocall handler, and a piece that throws or calls the enclave does not disturb the call.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  APP_STORE_NAMES,
  SecretApp,
  computeEnclaveFromClient,
  contractAddress,
  type TxResult,
} from "../../src/app/index.ts";
import type { EnclaveForCompute } from "../../src/app/compute/types.ts";
import { decodeTxRaw, encodeTxRaw } from "../../src/codec/tx.ts";
import type { IdleWork, OcallHandlers } from "../../src/enclave-api/index.ts";
import type { WorkerEnclave } from "../../src/enclave-api/workerEnclave.ts";
import { toHex } from "../../src/primitives/hex.ts";
import { createMemoryDatabase, openMultiStore } from "../../src/store/index.ts";
import {
  TestNetwork,
  accounts,
  checkCode,
  computeGenesis,
  executeMsg,
  hashHex,
  instantiateMsg,
  runBlock,
  secretjsEncryption,
  signedTx,
  storeCodeMsg,
} from "../helpers/appCompute.ts";

const root = mkdtempSync(join(tmpdir(), "scrt-app-compute-idle-"));
const network = new TestNetwork(root);
const counter = new Uint8Array(readFileSync("contracts/build/counter.wasm"));
const counterHash = hashHex(counter);
let enclave: WorkerEnclave;

before(async () => {
  enclave = await network.bootstrap();
});
after(async () => {
  await network.close();
  rmSync(root, { recursive: true, force: true });
});

function openWith(compute: EnclaveForCompute): SecretApp {
  return new SecretApp({
    store: openMultiStore(createMemoryDatabase(), { storeNames: APP_STORE_NAMES }),
    enclave: compute,
  });
}

const resultText = (r: TxResult): string =>
  JSON.stringify(r, (_k, v: unknown) =>
    typeof v === "bigint" ? v.toString() : v instanceof Uint8Array ? toHex(v) : v,
  );

function badSignature(tx: Uint8Array): Uint8Array {
  const raw = decodeTxRaw(tx);
  const sig = Uint8Array.from(raw.signatures[0]!);
  sig[5]! ^= 1;
  return encodeTxRaw({ ...raw, signatures: [sig] });
}

describe("compute: signature pre-pass during ecalls", () => {
  it("gives the same results and app hashes as an app without it, running only while an ecall computes", async () => {
    const { a, b, c } = accounts();
    let inCall = false;
    let inOcall = false;
    let pieces = 0;
    let misplaced = 0;
    const wrapOcalls = (ocalls: OcallHandlers): OcallHandlers =>
      Object.fromEntries(
        Object.entries(ocalls).map(([name, handler]) => [
          name,
          (request: unknown) => {
            inOcall = true;
            try {
              return (handler as (r: unknown) => unknown)(request);
            } finally {
              inOcall = false;
            }
          },
        ]),
      ) as OcallHandlers;
    const withIdle = openWith(
      computeEnclaveFromClient(
        {
          call: (name, request, ocalls) => {
            inCall = true;
            try {
              return enclave.call(name, request, wrapOcalls(ocalls ?? {}));
            } finally {
              inCall = false;
            }
          },
          setIdleWork: (work: IdleWork | undefined) =>
            enclave.setIdleWork(
              work === undefined
                ? undefined
                : () => {
                    pieces++;
                    if (!inCall || inOcall) misplaced++;
                    return work();
                  },
            ),
        },
        checkCode,
      ),
    );
    const without = openWith({ call: (name, request, ocalls) => enclave.call(name, request, ocalls), checkCode });
    for (const app of [withIdle, without]) app.initChain(computeGenesis([a, b, c]));
    const enc = secretjsEncryption(network.ioPk, new Uint8Array(32).fill(4));
    const addr = contractAddress(1n, 1n, a.address);
    const increment = async () => enc.encrypt(counterHash, { increment: {} });
    const setup: Uint8Array[][] = [
      [await signedTx(a, [storeCodeMsg(a.address, counter)])],
      [await signedTx(a, [instantiateMsg(a.address, 1n, "counter", await enc.encrypt(counterHash, { count: 0 }))])],
    ];
    const wrongSequence = { ...c, sequence: c.sequence + 5n };
    const busy: Uint8Array[] = [
      // b and c have no public key on their accounts yet: the pre-pass takes it from the tx
      await signedTx(b, [executeMsg(b.address, addr, await increment())]),
      await signedTx(c, [executeMsg(c.address, addr, await increment())]),
      badSignature(await signedTx({ ...a }, [executeMsg(a.address, addr, await increment())])),
      await signedTx(a, [executeMsg(a.address, addr, await increment())]),
      await signedTx(a, [executeMsg(a.address, addr, await increment())]),
      await signedTx(wrongSequence, [executeMsg(c.address, addr, await increment())]),
      await signedTx(b, [executeMsg(b.address, addr, await enc.encrypt(counterHash, { reset: { count: 3 } }))]),
      await signedTx(c, [executeMsg(c.address, addr, await increment())]),
    ];
    let lastResults: TxResult[] = [];
    for (const txs of [...setup, busy]) {
      // the first two txs of the busy block were admitted by CheckTx (the pre-pass skips them)
      if (txs === busy) for (const app of [withIdle, without]) for (const tx of txs.slice(0, 2)) app.checkTx(tx);
      const one = runBlock(withIdle, txs);
      const two = runBlock(without, txs);
      assert.deepEqual(one.results.map(resultText), two.results.map(resultText));
      assert.equal(toHex(one.appHash), toHex(two.appHash));
      lastResults = one.results;
    }
    // the block exercised what it meant to: successes, the bad signature (sdk 4), the wrong
    // sequence (sdk 32), a contract error (only the owner may reset: compute 3)
    assert.deepEqual(
      lastResults.map((r) => r.code),
      [0, 0, 4, 0, 0, 32, 3, 0],
    );
    assert.ok(pieces > 0, "the pre-pass never ran");
    assert.equal(misplaced, 0, "idle work ran outside an ecall or inside an ocall handler");
    await Promise.all([withIdle.close(), without.close()]);
  });

  it("a piece that throws or calls the enclave leaves the call's answer intact", () => {
    let pieces = 0;
    const refused: string[] = [];
    enclave.setIdleWork(() => {
      pieces++;
      if (pieces === 1) throw new Error("idle work failed");
      try {
        enclave.call("ping", {});
      } catch (e) {
        refused.push((e as { code?: string }).code ?? "");
      }
      return pieces < 3;
    });
    try {
      for (let i = 0; i < 20; i++) {
        const status = enclave.call("getStatus", {});
        assert.equal(status.initialized, true);
        assert.equal(status.seedCount >= 1, true);
      }
    } finally {
      enclave.setIdleWork(undefined);
    }
    assert.ok(
      refused.every((code) => code === "ENCLAVE_API_REENTRANT"),
      refused.join(","),
    );
    assert.equal(enclave.dead, false);
    assert.equal(enclave.call("ping", {}) !== undefined, true);
  });
});
