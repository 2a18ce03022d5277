/**
 * The `scrt` CLI against the real dev chain: `scrt dev` runs as a child process (temp home, random
 * loopback ports, like test/e2e/secretjsDevchain.test.ts), and the `keys`, `tx` and `query` commands
 * run in-process against its LCD and RPC: recover the dev account `a`, send coins to a new key and
 * back, read balances, the account, the tx and the block it landed in; then store, instantiate,
 * execute and query the counter contract with client-side encryption.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { run as keys } from "../../src/cli/commands/keys.ts";
import { run as tx } from "../../src/cli/commands/tx.ts";
import { run as query } from "../../src/cli/commands/query.ts";
import { ADDRESS_A, recoverKeyA, scrtRunner } from "../helpers/cli.ts";
import { freePort } from "../helpers/net.ts";

const ROOT = join(import.meta.dirname, "..", "..");
const A = ADDRESS_A;

describe("scrt keys/tx/query against the dev chain", { timeout: 180_000 }, () => {
  let child: ChildProcess;
  let chainHome: string;
  let cliHome: string;
  let output = "";
  let lcd: string;
  let node: string;

  const scrt = scrtRunner(() => ({ SCRT_HOME: cliHome, SCRT_LCD: lcd, SCRT_NODE: node, SCRT_KEYRING_BACKEND: "test" }));

  /** A contract call signed by `a` with a fixed gas, output as JSON. */
  const fromA = (args: readonly string[]): string[] => [
    ...args,
    "--from",
    "a",
    "--gas",
    "2000000",
    "--yes",
    "--output",
    "json",
  ];

  before(async () => {
    chainHome = mkdtempSync(join(tmpdir(), "scrt-cli-devchain-"));
    cliHome = mkdtempSync(join(tmpdir(), "scrt-cli-devchain-keys-"));
    const [rpcPort, lcdPort, faucetPort] = [await freePort(), await freePort(), await freePort()];
    lcd = `http://127.0.0.1:${lcdPort}`;
    node = `http://127.0.0.1:${rpcPort}`;
    const args = ["bin/scrt.js", "dev", "--home", chainHome, "--rpc-port", `${rpcPort}`, "--lcd-port", `${lcdPort}`];
    child = spawn(process.execPath, [...args, "--faucet-port", `${faucetPort}`], { cwd: ROOT });
    child.stdout?.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr?.on("data", (d: Buffer) => (output += d.toString()));
    for (let attempt = 0; ; attempt++) {
      if (child.exitCode !== null) throw new Error(`scrt dev exited with ${child.exitCode}:\n${output}`);
      if (attempt > 600) throw new Error(`the dev chain did not answer:\n${output}`);
      const probe = await scrt(query, ["block", "--timeout", "1"]);
      if (probe.code === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await recoverKeyA(scrt, cliHome);
  });

  after(async () => {
    if (child.exitCode === null) {
      child.kill("SIGTERM");
      await new Promise((r) => child.once("exit", r));
    }
    rmSync(chainHome, { recursive: true, force: true });
    rmSync(cliHome, { recursive: true, force: true });
  });

  it("sends to a new key and back; balances, account, tx and block agree", async () => {
    const fresh = await scrt(keys, ["add", "fresh", "--output", "json"]);
    assert.equal(fresh.code, 0, fresh.err);
    const freshAddress = fresh.json()["address"] as string;

    const sent = await scrt(tx, ["bank", "send", "a", freshAddress, "2000000uscrt", "--yes", "--output", "json"]);
    assert.equal(sent.code, 0, `${sent.err}\n${output.slice(-2000)}`);
    const r = sent.json() as { txhash: string; height: string; code: number };
    assert.equal(r.code, 0);

    const bal = await scrt(query, ["bank", "balances", freshAddress, "--output", "json"]);
    assert.deepEqual(bal.json(), { balances: [{ denom: "uscrt", amount: "2000000" }] });

    // The new key pays its own fee on the way back.
    const back = await scrt(tx, ["bank", "send", "fresh", A, "1000uscrt", "--yes", "--output", "json"]);
    assert.equal(back.code, 0, back.err);
    const fee = BigInt((back.json() as { fee: string }).fee.replace("uscrt", ""));
    const after = await scrt(query, ["bank", "balances", freshAddress, "--denom", "uscrt", "--output", "json"]);
    assert.deepEqual(after.json(), { balances: [{ denom: "uscrt", amount: String(2_000_000n - 1000n - fee) }] });

    const account = await scrt(query, ["auth", "account", freshAddress]);
    assert.match(account.out, /sequence: 1/);
    const found = await scrt(query, ["tx", r.txhash, "--output", "json"]);
    assert.equal((found.json() as { height: string }).height, r.height);
    const block = await scrt(query, ["block", r.height, "--output", "json"]);
    assert.equal(block.code, 0, block.err);
    assert.equal((block.json() as { block: { header: { height: string } } }).block.header.height, r.height);
  });

  it("stores, instantiates, executes and queries the counter contract, encrypted", async (ctx) => {
    const store = await scrt(tx, [
      "compute",
      "store",
      join(ROOT, "contracts", "build", "counter.wasm"),
      "--from",
      "a",
      "--yes",
      "--output",
      "json",
    ]);
    if (store.code !== 0 && /no message handler found for \/secret\.compute/.test(store.err)) {
      // Reported as skipped (not passed) while the node does not route compute messages yet.
      ctx.skip("the dev chain does not run compute messages yet");
      return;
    }
    assert.equal(store.code, 0, `${store.err}\n${output.slice(-2000)}`);
    const codeId = (store.json() as { code_id: string }).code_id;
    assert.match(codeId, /^[1-9][0-9]*$/);
    const inst = await scrt(tx, fromA(["compute", "instantiate", codeId, '{"count":3}', "--label", "cli counter"]));
    assert.equal(inst.code, 0, inst.err);
    const contract = (inst.json() as { contract_address: string }).contract_address;
    assert.match(contract, /^secret1/);
    const exec = await scrt(tx, fromA(["compute", "execute", contract, '{"increment":{}}']));
    assert.equal(exec.code, 0, exec.err);
    const q = await scrt(query, ["compute", "query", contract, '{"get_count":{}}', "--output", "json"]);
    assert.equal(q.code, 0, q.err);
    assert.deepEqual(q.json(), { count: 4 });
    const seen = await scrt(query, ["tx", (exec.json() as { txhash: string }).txhash, "--output", "json"]);
    const t = seen.json() as { decrypted: boolean; messages: { input?: { msg: unknown } }[] };
    assert.equal(t.decrypted, true);
    assert.deepEqual(t.messages[0]!.input?.msg, { increment: {} });
    const info = await scrt(query, ["compute", "contract", contract, "--output", "json"]);
    assert.equal((info.json() as { contract_info: { label: string } }).contract_info.label, "cli counter");
  });
});
