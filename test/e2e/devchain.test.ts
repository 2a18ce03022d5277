/**
 * `scrt dev` as a child process (temporary home, free ports) used the way client code uses LocalSecret:
 * @cosmjs/stargate with prefix `secret` and HD path m/44'/529'/0'/0/0 sends coins and reads balances
 * and the tx back through RPC; the faucet funds a new address; SIGKILL mid-run, then a restart from the
 * same home continues the chain (WAL and stores); SIGINT shuts down cleanly; `--reset` starts over.
 */
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { DirectSecp256k1HdWallet, makeCosmoshubPath } from "@cosmjs/proto-signing";
import { GasPrice, SigningStargateClient, StargateClient } from "@cosmjs/stargate";
import { deployCounter, secretjsClient } from "../helpers/secretjsClient.ts";
import { Wallet } from "../helpers/secretjsTx.ts";
import { DEV_MNEMONICS } from "../../src/node/devAccounts.ts";
import { encodeAddress } from "../../src/primitives/bech32.ts";

const MAIN = new URL("../../src/cli/main.ts", import.meta.url);
const root = mkdtempSync(join(tmpdir(), "scrt-devchain-e2e-"));
const home = join(root, "home");
const children = new Set<ChildProcess>();
after(() => {
  for (const c of children) c.kill("SIGKILL");
  rmSync(root, { recursive: true, force: true });
});

interface Dev {
  child: ChildProcess;
  rpc: string;
  lcd: string;
  faucet: string;
  stderr: () => string;
  exited: Promise<number | null>;
}

function startDev(...extra: string[]): Promise<Dev> {
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      MAIN.pathname,
      "dev",
      "--home",
      home,
      "--rpc-port",
      "0",
      "--lcd-port",
      "0",
      "--faucet-port",
      "0",
      ...extra,
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  children.add(child);
  let out = "";
  let err = "";
  child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.on("exit", (code) => {
      children.delete(child);
      resolve(code);
    }),
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`scrt dev did not get ready:\n${out}\n${err}`)), 60_000);
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /ready rpc=(\S+) lcd=(\S+) faucet=(\S+)/.exec(out);
      if (m !== null) {
        clearTimeout(timer);
        resolve({ child, rpc: m[1]!, lcd: m[2]!, faucet: m[3]!, stderr: () => err, exited });
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`scrt dev exited (${code}) before ready:\n${out}\n${err}`));
    });
  });
}

/** m/44'/529'/0'/0/0, built from cosmjs's own path type (its Slip10RawIndex class, coin type swapped). */
function secretPath(): ReturnType<typeof makeCosmoshubPath> {
  const cosmos = makeCosmoshubPath(0);
  const Index = cosmos[1]!.constructor as unknown as { hardened(n: number): (typeof cosmos)[number] };
  return [cosmos[0]!, Index.hardened(529), cosmos[2]!, cosmos[3]!, cosmos[4]!];
}

async function wallet(mnemonic: string): Promise<DirectSecp256k1HdWallet> {
  return DirectSecp256k1HdWallet.fromMnemonic(mnemonic, { prefix: "secret", hdPaths: [secretPath()] });
}

async function signer(dev: Dev, w: DirectSecp256k1HdWallet): Promise<SigningStargateClient> {
  return SigningStargateClient.connectWithSigner(dev.rpc, w, {
    gasPrice: GasPrice.fromString("0.0125uscrt"),
    broadcastPollIntervalMs: 50,
    // cosmjs keeps its broadcast timeout timer running after a result; a short one lets the file exit.
    broadcastTimeoutMs: 5_000,
  });
}

const fresh = (n: number): string => encodeAddress(Uint8Array.from({ length: 20 }, (_, i) => (i * 7 + n) & 0xff));

describe("scrt dev (child process) with cosmjs", () => {
  let heightBeforeKill = 0;
  let receiver = "";
  let received = 0n;

  it("sends coins and reads the balance and the tx back through RPC", async () => {
    const dev = await startDev("--reset");
    const w = await wallet(DEV_MNEMONICS.a);
    const [a] = await w.getAccounts();
    const client = await signer(dev, w);
    assert.equal(await client.getChainId(), "secretdev-1");
    const start = await client.getBalance(a!.address, "uscrt");
    assert.equal(start.amount, (10n ** 18n).toString());
    receiver = fresh(1);
    const res = await client.sendTokens(a!.address, receiver, [{ denom: "uscrt", amount: "12345" }], "auto", "hello");
    assert.equal(res.code, 0, res.rawLog);
    received = 12345n;
    assert.equal((await client.getBalance(receiver, "uscrt")).amount, "12345");
    const tx = await client.getTx(res.transactionHash);
    assert.equal(tx?.height, res.height);
    assert.equal(tx?.code, 0);
    const found = await client.searchTx(`transfer.recipient='${receiver}'`);
    assert.equal(found.length, 1);
    // a second tx from the same account (sequence from the chain)
    const res2 = await client.sendTokens(a!.address, receiver, [{ denom: "uscrt", amount: "5" }], "auto");
    assert.equal(res2.code, 0, res2.rawLog);
    received += 5n;

    // the faucet funds a new address through a real tx
    const target = fresh(2);
    const f = (await (await fetch(`${dev.faucet}/faucet?address=${target}`)).json()) as Record<string, string>;
    assert.ok(/^[0-9A-F]{64}$/.test(f.txhash ?? ""), JSON.stringify(f));
    assert.equal((await client.getBalance(target, "uscrt")).amount, "1000000000");
    // LCD answers too
    const lcd = (await (await fetch(`${dev.lcd}/cosmos/bank/v1beta1/balances/${receiver}`)).json()) as {
      balances: { denom: string; amount: string }[];
    };
    assert.equal(lcd.balances[0]?.amount, received.toString());

    // secretjs through the LCD, as contract developers use LocalSecret: store, instantiate, execute, query
    const sw = new Wallet(DEV_MNEMONICS.c);
    const sj = secretjsClient({ url: dev.lcd, chainId: "secretdev-1", wallet: sw, walletAddress: sw.address });
    const { codeHash, contract } = await deployCounter(sj, 41);
    const count = await sj.query.compute.queryContract({
      contract_address: contract,
      code_hash: codeHash,
      query: { get_count: {} },
    });
    assert.deepEqual(count, { count: 42 });

    // Ctrl-C: clean shutdown
    client.disconnect();
    dev.child.kill("SIGINT");
    assert.equal(await dev.exited, 0, dev.stderr());
  });

  // Restarts run without the enclave worker: other work may change the enclave's code (and so its
  // measurement, which its seal is bound to) while this file runs. The first start above used it.
  it("survives SIGKILL mid-run and continues from its WAL and stores", async () => {
    const dev = await startDev("--no-enclave");
    const w = await wallet(DEV_MNEMONICS.b);
    const [b] = await w.getAccounts();
    const client = await signer(dev, w);
    assert.equal((await client.getBalance(receiver, "uscrt")).amount, received.toString(), "data kept across restarts");
    for (let i = 0; i < 3; i++) {
      const r = await client.sendTokens(b!.address, receiver, [{ denom: "uscrt", amount: "1" }], "auto");
      assert.equal(r.code, 0, r.rawLog);
      received += 1n;
    }
    heightBeforeKill = await client.getHeight();
    // one more tx in flight, then kill without warning
    const pending = client
      .sendTokens(b!.address, receiver, [{ denom: "uscrt", amount: "1" }], "auto")
      .catch(() => undefined);
    await new Promise((r) => setTimeout(r, 5));
    dev.child.kill("SIGKILL");
    await dev.exited;
    const maybe = await pending;
    client.disconnect();

    const again = await startDev("--no-enclave");
    const reader = await StargateClient.connect(again.rpc);
    const height = await reader.getHeight();
    assert.ok(height >= heightBeforeKill, `height ${height} ≥ ${heightBeforeKill}`);
    const bal = BigInt((await reader.getBalance(receiver, "uscrt")).amount);
    // the in-flight tx is either committed or gone, never half-applied
    assert.ok(
      bal === received || (bal === received + 1n && maybe !== undefined) || bal === received + 1n,
      `balance ${bal}`,
    );
    received = bal;
    const client2 = await signer(again, w);
    const r = await client2.sendTokens(b!.address, receiver, [{ denom: "uscrt", amount: "2" }], "auto");
    assert.equal(r.code, 0, r.rawLog);
    assert.ok(r.height > height);
    assert.equal((await client2.getBalance(receiver, "uscrt")).amount, (received + 2n).toString());
    client2.disconnect();
    reader.disconnect();
    again.child.kill("SIGINT");
    assert.equal(await again.exited, 0, again.stderr());
  });

  it("--reset starts a new chain", async () => {
    const dev = await startDev("--reset");
    const reader = await StargateClient.connect(dev.rpc);
    assert.ok((await reader.getHeight()) < heightBeforeKill);
    assert.equal((await reader.getBalance(receiver, "uscrt")).amount, "0");
    reader.disconnect();
    dev.child.kill("SIGTERM");
    assert.equal(await dev.exited, 0);
  });
});
