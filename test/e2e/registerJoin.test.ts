/**
 * A node joins a running network by on-chain remote attestation, with real processes on loopback:
 * a one-validator chain (`scrt init --dev-accounts`, `scrt start` with p2p and the enclave) stores,
 * instantiates and executes the counter contract through secretjs; a second home is made with
 * `scrt init --genesis`, refuses to start before it has seeds, registers on chain (`scrt register`:
 * RaAuthenticate event and stored seed checked), starts with the validator as persistent peer, syncs
 * and executes the contract txs with the seeds it received (its app hash equals the validator's), and
 * answers an encrypted smart query through its own LCD, also after a restart. Evidence signed by an
 * unknown authority is refused on chain (register code 2, ATTEST_UNKNOWN_AUTHORITY) and stores no seed.
 */
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { run as init } from "../../src/cli/commands/init.ts";
import { run as keys } from "../../src/cli/commands/keys.ts";
import { run as register } from "../../src/cli/commands/register.ts";
import { RpcClient } from "../../src/client/rpc.ts";
import { createSoftwareEvidence } from "../../src/attestation/index.ts";
import { randomBytes } from "../../src/crypto/index.ts";
import { DEV_MNEMONICS } from "../../src/node/devAccounts.ts";
import { homePaths, privKeyJson } from "../../src/node/home.ts";
import { abciQuery, JoinError, queryEncryptedSeed, sendRaAuthenticate } from "../../src/node/join.ts";
import { decodeRegistrationNodeInfo } from "../../src/codec/registration.ts";
import { keyFromMnemonic } from "../../src/client/hd.ts";
import { scrtRunner } from "../helpers/cli.ts";
import { deployCounter, secretjsClient } from "../helpers/secretjsClient.ts";
import { Wallet } from "../helpers/secretjsTx.ts";

const MAIN = new URL("../../src/cli/main.ts", import.meta.url).pathname;
const root = mkdtempSync(join(tmpdir(), "scrt-register-join-"));
const children = new Set<ChildProcess>();
after(() => {
  for (const c of children) c.kill("SIGKILL");
  rmSync(root, { recursive: true, force: true });
});

type Obj = Record<string, unknown>;

interface Started {
  readonly child: ChildProcess;
  readonly nodeId: string;
  readonly rpc: string;
  readonly lcd: string;
  readonly p2p: string;
  readonly output: () => string;
  readonly exited: Promise<number | null>;
}

/** `scrt start` as a child process; resolves once it printed its endpoints (or rejects if it exits first). */
function startNode(
  home: string,
  ...extra: string[]
): Promise<Started> & { exited: Promise<number | null>; output: () => string } {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", MAIN, "start", "--home", home, "--rpc-port", "0", "--lcd-port", "0", ...extra],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  children.add(child);
  let out = "";
  const exited = new Promise<number | null>((resolve) =>
    child.on("exit", (code) => {
      children.delete(child);
      resolve(code);
    }),
  );
  const output = (): string => out;
  const started = new Promise<Started>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`scrt start did not get ready:\n${out}`)), 60_000);
    const onData = (d: Buffer): void => {
      out += d.toString();
      const m = /node (\S+) on \S+\n\s+rpc\s+(\S+)\n\s+lcd\s+(\S+)\n(?:\s+p2p\s+(\S+))?/.exec(out);
      if (m !== null && (m[4] !== undefined || !extra.includes("--p2p-laddr"))) {
        clearTimeout(timer);
        resolve({ child, nodeId: m[1]!, rpc: m[2]!, lcd: m[3]!, p2p: m[4] ?? "", output, exited });
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`scrt start exited with ${code}:\n${out}`));
    });
  });
  started.catch(() => {});
  return Object.assign(started, { exited, output });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until<T>(
  what: string,
  check: () => Promise<T | undefined>,
  logs: () => string,
  ms = 20_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${logs().slice(-4000)}`);
    await sleep(200);
  }
}

/** The raw `register` store entry of registration key `regPk` (empty when there is none). */
async function registerStore(rpc: RpcClient, regPk: Uint8Array): Promise<Uint8Array> {
  const r = await abciQuery(rpc, "/store/register/key", new Uint8Array([1, ...regPk]));
  assert.equal(r.code, 0, r.log);
  return r.value;
}

const attr = (events: readonly Obj[], type: string, key: string): string | undefined =>
  events
    .filter((e) => e.type === type)
    .flatMap((e) => (e.attributes ?? []) as Obj[])
    .find((a) => a.key === key)?.value as string | undefined;

describe("a node joins a running network by on-chain remote attestation", () => {
  it("registers on chain, syncs the contract txs with its seeds and answers encrypted queries", async () => {
    const home1 = join(root, "validator");
    const home2 = join(root, "joiner");
    const scrt = scrtRunner(() => ({}));

    // The network: one validator with the enclave, p2p on a free port.
    const made = await scrt(init, ["--home", home1, "--dev-accounts"]);
    assert.equal(made.code, 0, made.err);
    const v = await startNode(home1, "--p2p-laddr", "127.0.0.1:0");
    const rpc1 = new RpcClient(v.rpc);

    // Contract txs on the validator, through secretjs: store, instantiate, execute.
    const wallet = new Wallet(DEV_MNEMONICS.c);
    const sj = secretjsClient({ url: v.lcd, chainId: "secretdev-1", wallet, walletAddress: wallet.address });
    const { codeHash, contract, exec } = await deployCounter(sj, 41);
    const execHeight = exec.height;

    // The joining home: the network's genesis, no seeds. Usage errors first.
    const genesisFile = homePaths(home1).genesis;
    const authority = homePaths(home1).devAuthorityKey;
    const both = await scrt(init, ["--home", home2, "--genesis", genesisFile, "--dev-accounts"]);
    assert.equal(both.code, 2);
    assert.match(both.err, /--dev-accounts/);
    const joined = await scrt(init, ["--home", home2, "--genesis", genesisFile, "--authority-key", authority]);
    assert.equal(joined.code, 0, joined.err);
    assert.match(joined.out, /to join secretdev-1/);
    assert.ok(!joined.err.includes("warning"), joined.err);
    assert.equal(readFileSync(homePaths(home2).genesis, "utf8"), readFileSync(genesisFile, "utf8"));
    const again = await scrt(init, ["--home", home2, "--genesis", genesisFile]);
    assert.equal(again.code, 1);
    assert.match(again.err, /NODE_HOME_EXISTS/);

    // Without seeds the node does not run, and says what to do.
    const early = startNode(home2);
    assert.equal(await early.exited, 1, early.output());
    assert.match(early.output(), /NODE_ENCLAVE_NOT_REGISTERED/);
    assert.match(early.output(), /scrt register/);

    // Evidence from an authority the genesis policy does not know: refused on chain, no seed stored.
    const unknownSeed = randomBytes(32);
    const regPk = randomBytes(32);
    const evidence = createSoftwareEvidence(
      {
        measurement: randomBytes(32),
        platformId: randomBytes(32),
        reportData: new Uint8Array([...regPk, ...randomBytes(32)]),
      },
      BigInt(Math.floor(Date.now() / 1000)),
      unknownSeed,
    );
    const keyB = keyFromMnemonic(DEV_MNEMONICS.b);
    const refused = await sendRaAuthenticate(rpc1, {
      chainId: "secretdev-1",
      signer: keyB,
      certificate: evidence,
      gas: 200_000n,
      fee: { denom: "uscrt", amount: 20_000n },
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(refused instanceof JoinError, String(refused));
    assert.equal(refused.code, "JOIN_TX_FAILED");
    assert.equal(refused.details?.code, 2);
    assert.equal(refused.details?.codespace, "register");
    assert.match(String(refused.details?.log), /ATTEST_UNKNOWN_AUTHORITY/);
    assert.equal(await queryEncryptedSeed(rpc1, regPk), undefined);
    assert.equal((await registerStore(rpc1, regPk)).length, 0);

    // The CLI with that authority: the enclave itself refuses to attest (nothing is sent).
    const keyringDir = join(root, "keyring");
    const mnemonicFile = join(root, "mnemonic-b");
    writeFileSync(mnemonicFile, DEV_MNEMONICS.b);
    const added = await scrt(keys, [
      "add",
      "b",
      "--recover",
      "--mnemonic-file",
      mnemonicFile,
      "--keyring-backend",
      "test",
      "--keyring-dir",
      keyringDir,
    ]);
    assert.equal(added.code, 0, added.err);
    const unknownFile = join(root, "unknown_authority.json");
    writeFileSync(unknownFile, JSON.stringify({ priv_key: privKeyJson(unknownSeed) }));
    const common = ["--home", home2, "--node", v.rpc, "--from", "b", "--keyring-dir", keyringDir, "--output", "json"];
    const badAuthority = await scrt(register, [...common, "--authority-key", unknownFile]);
    assert.equal(badAuthority.code, 1, badAuthority.err);
    assert.equal((JSON.parse(badAuthority.err) as { error: { code: string } }).error.code, "JOIN_ATTESTATION_REFUSED");
    assert.match(badAuthority.err, /ATTEST_UNKNOWN_AUTHORITY/);
    const usage = await scrt(register, ["--home", home2, "--node", v.rpc]);
    assert.equal(usage.code, 2, usage.err);

    // Registration on chain.
    const reg = await scrt(register, common);
    assert.equal(reg.code, 0, reg.err);
    const r = reg.json();
    const regKey = r.registration_key as string;
    assert.match(regKey, /^[0-9a-f]{64}$/);
    const tx = await rpc1.call("tx", { hash: Buffer.from(r.txhash as string, "hex").toString("base64") });
    const events = ((tx.tx_result as Obj).events ?? []) as Obj[];
    assert.equal(attr(events, "message", "module"), "register");
    assert.equal(attr(events, "message", "node_id"), `0x${regKey}`);
    assert.equal(attr(events, "message", "encrypted_seed"), `0x${r.encrypted_seed as string}`);
    const onChain = await queryEncryptedSeed(rpc1, Buffer.from(regKey, "hex"));
    assert.equal(Buffer.from(onChain!).toString("hex"), r.encrypted_seed);
    // The `register` store itself: 0x01 ‖ reg_pk → RegistrationNodeInfo{certificate, encrypted_seed}.
    const entry = decodeRegistrationNodeInfo(await registerStore(rpc1, Buffer.from(regKey, "hex")));
    assert.equal(Buffer.from(entry.encryptedSeed).toString("hex"), r.encrypted_seed);
    assert.ok(entry.certificate.length > 0);
    const twice = await scrt(register, common);
    assert.equal(twice.code, 1);
    assert.match(twice.err, /JOIN_ALREADY_REGISTERED/);

    // The joined node: syncs from the validator, executes the contract txs with its own enclave.
    let j = await startNode(home2, "--p2p-laddr", "127.0.0.1:0", "--persistent-peers", v.p2p);
    const logs = (): string => `--- validator\n${v.output().slice(-3000)}\n--- joiner\n${j.output().slice(-3000)}`;
    const rpc2 = new RpcClient(j.rpc);
    const h2 = await until(
      "the joined node to pass the execute's height",
      async () => {
        const info = ((await rpc2.call("abci_info")).response ?? {}) as Obj;
        const h = Number(info.last_block_height ?? 0);
        return h > execHeight ? h : undefined;
      },
      logs,
    );
    // Its app hash after h2 is the one the validator put in header h2 + 1.
    const info2 = ((await rpc2.call("abci_info")).response ?? {}) as Obj;
    const at = Number(info2.last_block_height);
    assert.ok(at >= h2);
    const header = await until(
      `the validator's block ${at + 1}`,
      async () => ((await rpc1.block(BigInt(at + 1))).block as Obj).header as Obj,
      logs,
    );
    assert.equal(
      Buffer.from(info2.last_block_app_hash as string, "base64")
        .toString("hex")
        .toUpperCase(),
      header.app_hash,
    );

    // An encrypted smart query through the joined node's LCD, decrypted by the client.
    const query = async (lcd: string): Promise<unknown> =>
      secretjsClient({ url: lcd, chainId: "secretdev-1" }).query.compute.queryContract({
        contract_address: contract,
        code_hash: codeHash,
        query: { get_count: {} },
      });
    assert.deepEqual(await query(j.lcd).catch((e: unknown) => assert.fail(`${String(e)}\n${logs()}`)), { count: 42 });

    // The sealed seeds survive a restart.
    j.child.kill("SIGINT");
    assert.equal(await j.exited, 0, logs());
    j = await startNode(home2, "--p2p-laddr", "127.0.0.1:0", "--persistent-peers", v.p2p);
    assert.deepEqual(await query(j.lcd).catch((e: unknown) => assert.fail(`${String(e)}\n${logs()}`)), { count: 42 });

    j.child.kill("SIGINT");
    v.child.kill("SIGINT");
    assert.equal(await j.exited, 0, logs());
    assert.equal(await v.exited, 0, logs());
  });
});
