/**
 * The whole path with the real secretjs, unchanged: `scrt dev` runs as a child process (temp home,
 * random loopback ports); secretjs encrypts, our node orders the tx, the enclave runs the contract on
 * encrypted state, secretjs decrypts the answers.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type SecretjsClient as Client, type TxResponse, secretjsClient } from "../helpers/secretjsClient.ts";
import { MNEMONICS, Wallet } from "../helpers/secretjsTx.ts";
import { freePort, waitForLcd } from "../helpers/net.ts";

const ROOT = join(import.meta.dirname, "..", "..");

function logValue(tx: TxResponse, type: string, key: string): string {
  const entry = tx.arrayLog?.find((e) => e.type === type && e.key === key);
  assert.ok(entry, `no ${type}.${key} in ${JSON.stringify(tx.arrayLog)} (rawLog ${tx.rawLog})`);
  return entry.value;
}

function ok(tx: TxResponse): TxResponse {
  assert.equal(tx.code, 0, `tx failed: ${tx.rawLog}`);
  return tx;
}

describe("secretjs against the dev chain", { timeout: 180_000 }, () => {
  let child: ChildProcess;
  let home: string;
  let output = "";
  let lcd: string;
  let a: Client;
  let b: Client;
  const gas = { gasLimit: 2_000_000 };

  before(async () => {
    home = mkdtempSync(join(tmpdir(), "scrt-devchain-"));
    const [rpcPort, lcdPort, faucetPort] = [await freePort(), await freePort(), await freePort()];
    lcd = `http://127.0.0.1:${lcdPort}`;
    const args = ["bin/scrt.js", "dev", "--home", home, "--rpc-port", `${rpcPort}`, "--lcd-port", `${lcdPort}`];
    child = spawn(process.execPath, [...args, "--faucet-port", `${faucetPort}`], { cwd: ROOT });
    child.stdout?.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr?.on("data", (d: Buffer) => (output += d.toString()));
    await waitForLcd(lcd, child, () => output);
    const client = (mnemonic: string): Client => {
      const wallet = new Wallet(mnemonic);
      return secretjsClient({ url: lcd, chainId: "secretdev-1", wallet, walletAddress: wallet.address });
    };
    a = client(MNEMONICS.a);
    b = client(MNEMONICS.b);
  });

  after(async () => {
    if (child.exitCode === null) {
      child.kill("SIGTERM");
      await new Promise((r) => child.once("exit", r));
    }
    rmSync(home, { recursive: true, force: true });
  });

  it("sends coins and charges the whole fee", async () => {
    const before = BigInt((await a.query.bank.balance({ address: b.address, denom: "uscrt" })).balance?.amount ?? "0");
    const tx = ok(
      await a.tx.bank.send(
        { from_address: a.address, to_address: b.address, amount: [{ denom: "uscrt", amount: "1000" }] },
        { gasLimit: 25_000 },
      ),
    );
    const after = BigInt((await a.query.bank.balance({ address: b.address, denom: "uscrt" })).balance?.amount ?? "0");
    assert.equal(after - before, 1000n);
    const back = await a.query.getTx(tx.transactionHash);
    assert.equal(back?.code, 0);
    assert.equal(back?.height, tx.height);
  });

  describe("contracts", () => {
    let counterCodeId: string;
    let counterHash: string;
    let counter: string;

    it("stores, instantiates, executes and queries with encrypted inputs and outputs", async () => {
      const wasm = readFileSync(join(ROOT, "contracts", "build", "counter.wasm"));
      const stored = ok(
        await a.tx.compute.storeCode({ sender: a.address, wasm_byte_code: wasm, source: "", builder: "" }, gas),
      );
      counterCodeId = logValue(stored, "message", "code_id");
      counterHash = (await a.query.compute.codeHashByCodeId({ code_id: counterCodeId })).code_hash ?? "";
      assert.match(counterHash, /^[0-9a-f]{64}$/);

      const init = ok(
        await a.tx.compute.instantiateContract(
          {
            sender: a.address,
            code_id: counterCodeId,
            code_hash: counterHash,
            init_msg: { count: 7 },
            label: `counter-${Date.now()}`,
            admin: a.address,
          },
          gas,
        ),
      );
      counter = logValue(init, "message", "contract_address");
      // the contract's own attribute, decrypted by secretjs
      assert.equal(logValue(init, "wasm", "action"), "instantiate");

      const exec = ok(
        await b.tx.compute.executeContract(
          { sender: b.address, contract_address: counter, code_hash: counterHash, msg: { increment: {} } },
          gas,
        ),
      );
      assert.equal(logValue(exec, "wasm", "action"), "increment");
      assert.equal(logValue(exec, "wasm", "count"), "8");

      const answer = await a.query.compute.queryContract({
        contract_address: counter,
        code_hash: counterHash,
        query: { get_count: {} },
      });
      assert.deepEqual(answer, { count: 8 });

      // read back from the chain and decrypted again with the nonce secretjs kept
      const back = await b.query.getTx(exec.transactionHash);
      assert.equal(back?.code, 0);
      assert.equal(back && logValue(back, "wasm", "action"), "increment");
    });

    it("commits a failing execute with its error decrypted and the state unchanged", async () => {
      const tx = await b.tx.compute.executeContract(
        { sender: b.address, contract_address: counter, code_hash: counterHash, msg: { reset: { count: 0 } } },
        gas,
      );
      assert.notEqual(tx.code, 0);
      assert.match(tx.rawLog, /Unauthorized/);
      assert.ok(tx.height > 0, "a failed execute is still included in a block");
      const answer = await a.query.compute.queryContract({
        contract_address: counter,
        code_hash: counterHash,
        query: { get_count: {} },
      });
      assert.deepEqual(answer, { count: 8 });
    });

    it("simulates a store but refuses to simulate an execute", async () => {
      const wasm = readFileSync(join(ROOT, "contracts", "build", "counter.wasm"));
      const sim = await a.tx.compute.storeCode.simulate({
        sender: a.address,
        wasm_byte_code: wasm,
        source: "",
        builder: "",
      });
      assert.ok(Number(sim.gas_info?.gas_used ?? 0) > 0);
      await assert.rejects(
        a.tx.compute.executeContract.simulate({
          sender: a.address,
          contract_address: counter,
          code_hash: counterHash,
          msg: { increment: {} },
        }),
      );
    });

    it("migrates with the admin, and keeps the history", async () => {
      const wasm = readFileSync(join(ROOT, "contracts", "build", "counter.wasm"));
      const stored = ok(
        await a.tx.compute.storeCode({ sender: a.address, wasm_byte_code: wasm, source: "", builder: "" }, gas),
      );
      const newCodeId = logValue(stored, "message", "code_id");
      assert.notEqual(newCodeId, counterCodeId);
      const refused = await b.tx.compute.migrateContract(
        { sender: b.address, contract_address: counter, code_id: newCodeId, code_hash: counterHash, msg: { count: 1 } },
        gas,
      );
      assert.notEqual(refused.code, 0);
      ok(
        await a.tx.compute.migrateContract(
          {
            sender: a.address,
            contract_address: counter,
            code_id: newCodeId,
            code_hash: counterHash,
            msg: { count: 100 },
          },
          gas,
        ),
      );
      const info = await a.query.compute.contractInfo({ contract_address: counter });
      assert.equal(info.contract_info?.code_id, newCodeId);
      const answer = await a.query.compute.queryContract({
        contract_address: counter,
        code_hash: counterHash,
        query: { get_count: {} },
      });
      assert.deepEqual(answer, { count: 100 });
      const history = await a.query.compute.contractHistory({ contract_address: counter });
      assert.deepEqual(
        history.entries?.map((e) => e.operation),
        ["CONTRACT_CODE_HISTORY_OPERATION_TYPE_INIT", "CONTRACT_CODE_HISTORY_OPERATION_TYPE_MIGRATE"],
      );
    });

    it("calls a contract from a contract (execute, reply and query)", async () => {
      const wasm = readFileSync(join(ROOT, "contracts", "build", "caller.wasm"));
      const stored = ok(
        await a.tx.compute.storeCode({ sender: a.address, wasm_byte_code: wasm, source: "", builder: "" }, gas),
      );
      const codeId = logValue(stored, "message", "code_id");
      const codeHash = (await a.query.compute.codeHashByCodeId({ code_id: codeId })).code_hash ?? "";
      const init = ok(
        await a.tx.compute.instantiateContract(
          { sender: a.address, code_id: codeId, code_hash: codeHash, init_msg: {}, label: `caller-${Date.now()}` },
          gas,
        ),
      );
      const caller = logValue(init, "message", "contract_address");
      ok(
        await a.tx.compute.executeContract(
          {
            sender: a.address,
            contract_address: caller,
            code_hash: codeHash,
            msg: { call_increment: { contract: counter, code_hash: counterHash } },
          },
          gas,
        ),
      );
      const count = await a.query.compute.queryContract({
        contract_address: counter,
        code_hash: counterHash,
        query: { get_count: {} },
      });
      assert.deepEqual(count, { count: 101 });
      const remote = await a.query.compute.queryContract({
        contract_address: caller,
        code_hash: codeHash,
        query: { remote_count: { contract: counter, code_hash: counterHash } },
      });
      assert.deepEqual(remote, { count: 101 });
      const lastReply = (await a.query.compute.queryContract({
        contract_address: caller,
        code_hash: codeHash,
        query: { last_reply: {} },
      })) as { id: number; ok: boolean };
      assert.equal(lastReply.id, 1);
      assert.equal(lastReply.ok, true);
    });
  });
});
