/**
 * `scrt tx bank send` and `scrt query …` end to end over HTTP: the CLI (run in-process) talks to the
 * real LCD gateway (src/api/lcd) on a loopback port, in front of an in-memory SecretApp behind the
 * LCD's test backend (test/unit/apiLcdBackend.ts), which makes a block after each broadcast. Also:
 * gas estimation through simulate, CheckTx rejections, an unreachable LCD and one that never answers.
 */
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { startLcdServer, type LcdServer } from "../../src/api/lcd/index.ts";
import { startRpcServer, type RpcServer } from "../../src/api/rpc/index.ts";
import { run as tx } from "../../src/cli/commands/tx.ts";
import { run as query } from "../../src/cli/commands/query.ts";
import { toBase64 } from "../../src/primitives/base64.ts";
import { LcdClient } from "../../src/client/lcd.ts";
import { signTxDirect } from "../../src/client/tx.ts";
import { msgSend } from "../../src/client/msgs/bank.ts";
import { keyFromMnemonic } from "../../src/client/hd.ts";
import { CHAIN_ID, genesisForAddresses, newApp } from "../helpers/appTx.ts";
import { ADDRESS_A, MNEMONIC_A, errorCode, recoverKeyA, scrtRunner, signedJson } from "../helpers/cli.ts";
import { TestBackend } from "../unit/apiLcdBackend.ts";

const A = ADDRESS_A;
const B = "secret1fc3fzy78ttp0lwuujw7e52rhspxn8uj52zfyne";
const START = 1_000_000_000n;

const home = mkdtempSync(join(tmpdir(), "scrt-cli-tx-"));
const passFile = join(home, "pass");
let server: LcdServer;
let rpcServer: RpcServer;
let lcd: string;
let node: string;
let backend: TestBackend;

const scrt = scrtRunner(() => ({ SCRT_HOME: home }));
/** The flags of a signed command against this LCD, output as JSON. */
const signed = (args: readonly string[]): string[] => signedJson(args, passFile, "--lcd", lcd);

before(async () => {
  const app = newApp();
  app.initChain(
    genesisForAddresses([{ address: A, coins: [{ denom: "uscrt", amount: START.toString() }] }], {
      register: {
        node_exch_key: toBase64(new Uint8Array(32).fill(1)),
        io_exch_key: toBase64(new Uint8Array(32).fill(2)),
      },
    }),
  );
  backend = new TestBackend(app, CHAIN_ID);
  server = await startLcdServer({ backend, host: "127.0.0.1", port: 0 });
  lcd = `http://127.0.0.1:${server.port}`;
  rpcServer = await startRpcServer({ backend, host: "127.0.0.1", port: 0 });
  node = `http://127.0.0.1:${rpcServer.port}`;
  writeFileSync(passFile, "lcd test passphrase\n");
  await recoverKeyA(scrt, home, passFile);
});
after(async () => {
  await server.close();
  await rpcServer.close();
  rmSync(home, { recursive: true, force: true });
});

describe("scrt tx/query against the LCD gateway", () => {
  it("bank send with gas auto: included, balances and sequence change, query tx finds it", async () => {
    const sent = await scrt(tx, signed(["bank", "send", "a", B, "1000uscrt"]));
    assert.equal(sent.code, 0, sent.err);
    const r = JSON.parse(sent.out) as {
      txhash: string;
      code: number;
      height: string;
      gas_wanted: string;
      gas_used: string;
      fee: string;
    };
    assert.equal(r.code, 0);
    assert.match(r.txhash, /^[0-9A-F]{64}$/);
    assert.ok(BigInt(r.gas_wanted) >= BigInt(r.gas_used), "simulated gas × 1.3 covers the real use");
    assert.equal(r.fee, `${(BigInt(r.gas_wanted) + 9n) / 10n}uscrt`, "fee = ceil(gas × 0.1)");

    const balB = await scrt(query, ["bank", "balances", B, "--lcd", lcd, "--output", "json"]);
    assert.equal(balB.code, 0, balB.err);
    assert.deepEqual(JSON.parse(balB.out), { balances: [{ denom: "uscrt", amount: "1000" }] });
    const balA = await scrt(query, ["bank", "balances", A, "--lcd", lcd]);
    assert.equal(balA.out.trim(), `${START - 1000n - BigInt(r.fee.replace("uscrt", ""))}uscrt`);

    const account = await scrt(query, ["auth", "account", A, "--lcd", lcd]);
    assert.match(account.out, /sequence: 1/);
    const found = await scrt(query, ["tx", r.txhash.toLowerCase(), "--lcd", lcd, "--output", "json"]);
    assert.equal(found.code, 0, found.err);
    const t = JSON.parse(found.out) as { txhash: string; height: string; code: number; messages: { type: string }[] };
    assert.equal(t.txhash, r.txhash);
    assert.equal(t.height, r.height);
    assert.deepEqual(
      t.messages.map((m) => m.type),
      ["/cosmos.bank.v1beta1.MsgSend"],
    );
  });

  it("query block reads blocks from the Tendermint RPC", async () => {
    const latest = await scrt(query, ["block", "--node", node, "--output", "json"]);
    assert.equal(latest.code, 0, latest.err);
    const b = JSON.parse(latest.out) as {
      block: { header: { height: string; chain_id: string }; data: { txs: string[] } };
    };
    assert.equal(b.block.header.chain_id, CHAIN_ID);
    const h = b.block.header.height;
    assert.equal(h, String(backend.app.lastHeight));
    const one = await scrt(query, ["block", "1", "--node", node, "--output", "json"]);
    assert.equal((JSON.parse(one.out) as { block: { data: { txs: string[] } } }).block.data.txs.length, 1);
    const future = await scrt(query, ["block", "999", "--node", node, "--output", "json"]);
    assert.equal(future.code, 1);
    assert.equal(errorCode(future), "CLIENT_RPC_ERROR");
    const badHeight = await scrt(query, ["block", "-1", "--node", node]);
    assert.equal(badHeight.code, 2);
  });

  it("a second send with a fixed gas and fee uses the next sequence", async () => {
    const sent = await scrt(
      tx,
      signed([
        "bank",
        "send",
        A,
        B,
        "5uscrt",
        "--from",
        "a",
        "--gas",
        "60000",
        "--fees",
        "750uscrt",
        "--chain-id",
        CHAIN_ID,
      ]),
    );
    assert.equal(sent.code, 0, sent.err);
    assert.equal((JSON.parse(sent.out) as { fee: string }).fee, "750uscrt");
    const balB = await scrt(query, ["bank", "balances", B, "--lcd", lcd, "--output", "json", "--denom", "uscrt"]);
    assert.deepEqual(JSON.parse(balB.out), { balances: [{ denom: "uscrt", amount: "1005" }] });
  });

  it("refusals come back as coded errors", async () => {
    const tooMuch = await scrt(tx, signed(["bank", "send", "a", B, `${START * 2n}uscrt`, "--gas", "50000"]));
    assert.equal(tooMuch.code, 1);
    // CheckTx does not run messages, so the overdraft fails in the block (code 5 insufficient funds).
    assert.match(errorCode(tooMuch), /^CLIENT_TX_(FAILED|REJECTED)$/);
    const lowFee = await scrt(tx, signed(["bank", "send", "a", B, "1uscrt", "--gas", "50000", "--fees", "1uscrt"]));
    assert.equal(lowFee.code, 1);
    assert.equal(errorCode(lowFee), "CLIENT_TX_REJECTED");
    assert.match(lowFee.err, /insufficient fee/);
    const wrongPass = join(home, "wrong");
    writeFileSync(wrongPass, "not it\n");
    const bad = await scrt(tx, [
      "bank",
      "send",
      "a",
      B,
      "1uscrt",
      "--lcd",
      lcd,
      "--passphrase-file",
      wrongPass,
      "--yes",
      "--output",
      "json",
    ]);
    assert.equal(errorCode(bad), "CLIENT_WRONG_PASSPHRASE");
    const badAddr = await scrt(tx, signed(["bank", "send", "a", "secret1xyz", "1uscrt"]));
    assert.equal(errorCode(badAddr), "CLIENT_BAD_INPUT");
    const noFrom = await scrt(tx, ["compute", "execute", B, "{}", "--lcd", lcd]);
    assert.equal(noFrom.code, 2);
    const missing = await scrt(query, ["tx", "AB".repeat(32), "--lcd", lcd, "--output", "json"]);
    assert.equal(errorCode(missing), "CLIENT_NOT_FOUND");
    const unknownAccount = await scrt(query, [
      "auth",
      "account",
      "secret1zk06mshazu82guaev26vd5wwqw5qm0lwzvcltr",
      "--lcd",
      lcd,
      "--output",
      "json",
    ]);
    assert.equal(errorCode(unknownAccount), "CLIENT_NOT_FOUND");
  });

  it("staking and gov messages are built, signed and estimated; a chain refusal in simulate is a clear error", async () => {
    // No such validator / proposal: simulation fails whatever modules the app has.
    const delegate = await scrt(
      tx,
      signed(["staking", "delegate", "secretvaloper1ap26qrlp8mcq2pg6r47w43l0y8zkqm8aynpdzc", "10uscrt", "--from", "a"]),
    );
    assert.equal(delegate.code, 1);
    assert.equal(errorCode(delegate), "CLIENT_SIMULATE_FAILED");
    const vote = await scrt(tx, signed(["gov", "vote", "999", "yes", "--from", "a"]));
    assert.equal(errorCode(vote), "CLIENT_SIMULATE_FAILED");
    const badOption = await scrt(tx, signed(["gov", "vote", "1", "perhaps", "--from", "a"]));
    assert.equal(errorCode(badOption), "CLIENT_BAD_INPUT");
    const badValidator = await scrt(tx, signed(["staking", "unbond", B, "10uscrt", "--from", "a"]));
    assert.equal(errorCode(badValidator), "CLIENT_BAD_INPUT");
  });

  it("a streamed upload with progress reaches the gateway intact", async () => {
    const key = keyFromMnemonic(MNEMONIC_A);
    const client = new LcdClient(lcd);
    const account = await client.account(A);
    assert.ok(account !== undefined);
    const signed = signTxDirect(
      {
        messages: [msgSend(A, B, [{ denom: "uscrt", amount: 1n }])],
        memo: "m".repeat(200),
        fee: { amount: [{ denom: "uscrt", amount: 5000n }], gasLimit: 100_000n },
      },
      { chainId: CHAIN_ID, accountNumber: account.accountNumber, sequence: account.sequence },
      key.privateKey,
    );
    const seen: number[] = [];
    const answer = await client.broadcast(signed.txBytes, "sync", (sent, total) => {
      assert.ok(sent <= total);
      seen.push(sent);
    });
    assert.equal(answer.code, 0, answer.rawLog);
    assert.equal(answer.txhash, signed.hash);
    assert.ok(seen.length >= 1);
    const included = await client.waitForTx(signed.hash, 10_000, 50);
    assert.equal((included["tx_response"] as { code: number }).code, 0);
  });

  it("an unreachable LCD and one that never answers", async () => {
    const dead: Server = createServer();
    await new Promise<void>((r) => dead.listen(0, "127.0.0.1", r));
    const deadPort = (dead.address() as AddressInfo).port;
    await new Promise<void>((r) => dead.close(() => r()));
    const refused = await scrt(query, [
      "bank",
      "balances",
      B,
      "--lcd",
      `http://127.0.0.1:${deadPort}`,
      "--output",
      "json",
    ]);
    assert.equal(errorCode(refused), "CLIENT_UNREACHABLE");

    const silent: Server = createServer(() => {
      /* never answers */
    });
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
    try {
      const port = (silent.address() as AddressInfo).port;
      const slow = await scrt(query, [
        "bank",
        "balances",
        B,
        "--lcd",
        `http://127.0.0.1:${port}`,
        "--timeout",
        "0.2",
        "--output",
        "json",
      ]);
      assert.equal(errorCode(slow), "CLIENT_TIMEOUT");
    } finally {
      silent.closeAllConnections();
      await new Promise<void>((r) => silent.close(() => r()));
    }
    const notUrl = await scrt(query, ["bank", "balances", B, "--lcd", "ftp://x", "--output", "json"]);
    assert.equal(errorCode(notUrl), "CLIENT_BAD_INPUT");
  });
});
