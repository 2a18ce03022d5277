/**
 * Crash safety of the app with contracts: a child process runs blocks of encrypted contract executions
 * through the app on LMDB with a real worker enclave and is SIGKILLed at a random moment (often inside
 * a commit). After each kill the restarted app (same LMDB, the enclave reloaded from its sealed
 * keychain) is at the last committed height or the one whose commit had just finished, its app hash is
 * the one the child printed for that height, and the contract's encrypted state answers the count that
 * height implies. The next round continues from there.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { APP_STORE_NAMES, SecretApp, computeEnclaveFromClient, contractAddress } from "../../src/app/index.ts";
import { createWorkerEnclave } from "../../src/enclave-api/workerEnclave.ts";
import { encodeAddress } from "../../src/primitives/bech32.ts";
import { toHex } from "../../src/primitives/hex.ts";
import { openDatabase, openMultiStore } from "../../src/store/index.ts";
import {
  CHAIN_ID,
  ENCLAVE_ENTRY,
  accounts,
  checkCode,
  hashHex,
  secretjsEncryption,
  smartQuery,
} from "../helpers/appCompute.ts";

const CHILD = join(import.meta.dirname, "..", "fixtures", "appCompute", "commitLoop.ts");
const ROUNDS = 3;

interface RunResult {
  readonly startHeight: number;
  readonly committed: Map<number, string>;
}

function runAndKill(dir: string, killAfterMs: number): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", CHILD, dir], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    let timer: NodeJS.Timeout | undefined;
    child.stdout.setEncoding("utf8");
    child.stderr.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      out += chunk;
      if (timer === undefined && out.includes("start ")) timer = setTimeout(() => child.kill("SIGKILL"), killAfterMs);
    });
    child.stderr.on("data", (chunk: string) => (err += chunk));
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      if (timer !== undefined) clearTimeout(timer);
      if (signal !== "SIGKILL") return reject(new Error(`child exited with ${code ?? signal}: ${err}`));
      const lines = out.split("\n");
      const start = lines.find((l) => l.startsWith("start "));
      if (start === undefined) return reject(new Error(`child never started: ${err}`));
      const committed = new Map<number, string>();
      for (const l of lines.filter((x) => x.startsWith("committed "))) {
        const [, h, hash] = l.split(" ");
        committed.set(Number(h), hash!);
      }
      resolve({ startHeight: Number(start.slice(6)), committed });
    });
  });
}

describe("app crash safety with contracts", () => {
  const dir = mkdtempSync(join(tmpdir(), "scrt-app-compute-crash-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it(`SIGKILL mid-run (${ROUNDS} rounds): the restarted app is at a whole committed height`, async () => {
    const counter = new Uint8Array(readFileSync("contracts/build/counter.wasm"));
    const { a } = accounts();
    const contract = encodeAddress(contractAddress(1n, 1n, a.address));
    const printed = new Map<number, string>();
    let progressed = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const run = await runAndKill(dir, 400 + Math.floor(Math.random() * 800));
      for (const [h, hash] of run.committed) printed.set(h, hash);
      const lastPrinted = Math.max(run.startHeight, ...run.committed.keys());
      const enclave = await createWorkerEnclave({ entry: ENCLAVE_ENTRY, home: join(dir, "enclave") });
      const store = openMultiStore(openDatabase(join(dir, "db")), { storeNames: APP_STORE_NAMES });
      const app = new SecretApp({ store, enclave: computeEnclaveFromClient(enclave, checkCode), chainId: CHAIN_ID });
      try {
        const ioPk = enclave.call("load", {}).ioExchKey;
        const latest = app.lastHeight;
        assert.ok(
          latest === lastPrinted || latest === lastPrinted + 1,
          `latest ${latest}, last printed ${lastPrinted}`,
        );
        if (printed.has(latest)) assert.equal(toHex(app.lastAppHash), printed.get(latest), `app hash at ${latest}`);
        if (latest > run.startHeight) progressed++;
        if (latest >= 1) {
          const enc = secretjsEncryption(ioPk, new Uint8Array(32).fill(round + 1));
          const q = await smartQuery(app, enc, contract, hashHex(counter), { get_count: {} });
          assert.equal(q.code, 0, q.log);
          assert.deepEqual(q.value, { count: latest - 1 });
        }
      } finally {
        await app.close();
        await enclave.close();
      }
    }
    assert.ok(progressed > 0, "the child committed blocks in at least one round");
  });
});
