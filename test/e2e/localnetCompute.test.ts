/**
 * Secret contracts on `scrt localnet`: 4 validators as separate processes, each with its own enclave
 * (node 0's bootstrapped the seeds at init, nodes 1–3 received them through attestation and the seed
 * exchange). The real secretjs stores the counter contract via node 0, instantiates it via node 1,
 * executes it via node 2 and queries it via node 3; every node then answers the encrypted query the
 * same, reaches the same app hash, and serves the same tx result. A contract error is decrypted by the
 * sender and changes no contract state anywhere; a SIGKILLed validator restarts (its enclave unseals
 * the seeds again), catches up over a contract tx it missed, and answers the encrypted query.
 *
 * One network through the steps below, in order (each step starts from the previous one's state).
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { initLocalnet, localnetAccountAddress, localnetAccountKey } from "../../src/node/localnet.ts";
import { msgSend } from "../../src/node/txBuilder.ts";
import { ClientEncryption } from "../../src/client/encryption.ts";
import {
  LocalnetComputeDriver,
  decryptRpcTx,
  testEncryptionSeed,
  type DecryptedRpcTx,
} from "../helpers/localnetCompute.ts";
import type { SecretjsClient, TxResponse } from "../helpers/secretjsClient.ts";
import { MNEMONICS, Wallet } from "../helpers/secretjsTx.ts";

const ROOT = join(import.meta.dirname, "..", "..");
const ALL = [0, 1, 2, 3] as const;
const GAS = { gasLimit: 2_000_000 };
/** Upper bounds so that a stuck network fails the file instead of hanging the suite (not timing assertions). */
const STEP = { timeout: 90_000 };

let dir: string;
let driver: LocalnetComputeDriver;
/** secretjs clients of accounts a and b, one per node (client i talks to node i's LCD). */
let aOn: SecretjsClient[];
let bOn: SecretjsClient[];
let encA: ClientEncryption;
let encB: ClientEncryption;

let codeHash = "";
let contract = "";
let executeHash = "";
let executeHeight = 0;

function logValue(tx: TxResponse, type: string, key: string): string {
  const entry = tx.arrayLog?.find((e) => e.type === type && e.key === key);
  assert.ok(entry, `no ${type}.${key} in ${JSON.stringify(tx.arrayLog)} (rawLog ${tx.rawLog})`);
  return entry.value;
}

function ok(tx: TxResponse): TxResponse {
  assert.equal(tx.code, 0, `tx failed: ${tx.rawLog}\n${driver.logs([...ALL])}`);
  return tx;
}

/** Every listed node has committed `h` (so its LCD sees the accounts and contracts of that block). */
const committed = (h: number, nodes: readonly number[] = ALL): Promise<void> => driver.waitHeight(nodes, h, 40_000);

/** The block at `h + 1` (whose header carries the app hash after `h`) is the same on every listed node. */
async function sameAppHashAfter(h: number, nodes: readonly number[] = ALL): Promise<string> {
  await committed(h + 1, nodes);
  const headers = await Promise.all(nodes.map((i) => driver.blockAt(i, h + 1)));
  for (const [k, hd] of headers.entries()) {
    assert.deepEqual(hd, headers[0], `node${nodes[k]} differs from node${nodes[0]} at height ${h + 1}`);
  }
  return headers[0]!.appHash;
}

/** The tx as each listed node's RPC serves it: identical raw answers, decrypted the same. */
async function sameRpcTx(hash: string, enc: ClientEncryption, nodes: readonly number[] = ALL): Promise<DecryptedRpcTx> {
  const raw = await Promise.all(nodes.map((i) => driver.until(`tx ${hash} on node${i}`, () => driver.rpcTx(i, hash))));
  for (const [k, r] of raw.entries())
    assert.deepEqual(r, raw[0], `RPC tx differs between node${nodes[0]} and node${nodes[k]}`);
  const decrypted = raw.map((r) => decryptRpcTx(enc, r));
  for (const d of decrypted) assert.deepEqual(d, decrypted[0]);
  return decrypted[0]!;
}

/** The contract's own `wasm` attributes (decrypted), after checking the public ones the chain adds. */
function contractAttributes(tx: DecryptedRpcTx): (readonly [string, string])[] {
  assert.deepEqual(
    tx.wasm.filter(([k]) => k === "contract_address"),
    [["contract_address", contract]],
  );
  return tx.wasm.filter(([k]) => k !== "contract_address" && k !== "msg_index");
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "scrt-localnet-compute-"));
  // Fresh homes every run: a home sealed by one enclave build does not open with another.
  const net = await initLocalnet({ dir, validators: 4, accounts: 1 });
  driver = new LocalnetComputeDriver(net);
  await Promise.all(ALL.map((i) => driver.startReady(i)));
  await committed(2);
  const walletA = new Wallet(MNEMONICS.a);
  const walletB = new Wallet(MNEMONICS.b);
  const fund = await driver.sendTx(0, localnetAccountKey(0), localnetAccountAddress(0), [
    msgSend(localnetAccountAddress(0), walletA.address, [{ denom: "uscrt", amount: "100000000000" }]),
    msgSend(localnetAccountAddress(0), walletB.address, [{ denom: "uscrt", amount: "100000000000" }]),
  ]);
  assert.equal(fund.code, 0, fund.log);
  await committed(fund.height);
  const seedA = testEncryptionSeed("a");
  const seedB = testEncryptionSeed("b");
  aOn = ALL.map((i) => driver.secretjs(i, walletA, seedA));
  bOn = ALL.map((i) => driver.secretjs(i, walletB, seedB));
  const io = await driver.ioPublicKey(0);
  encA = new ClientEncryption(seedA, io);
  encB = new ClientEncryption(seedB, io);
}, STEP);

after(async () => {
  if (driver !== undefined) await driver.killAll();
  rmSync(dir, { recursive: true, force: true });
});

test("every node serves the network IO key of genesis (what secretjs encrypts to)", STEP, async () => {
  const keys = await Promise.all(ALL.map((i) => driver.ioPublicKey(i)));
  const register = (
    JSON.parse(readFileSync(join(driver.net.nodes[0]!.home, "config", "genesis.json"), "utf8")) as {
      app_state: { register: { io_exch_key: string } };
    }
  ).app_state.register;
  for (const k of keys) assert.equal(Buffer.from(k).toString("base64"), register.io_exch_key);
});

/** Stores `contracts/build/<name>.wasm` through node 0 and waits until every node has the block. */
async function storeContract(name: string): Promise<string> {
  const wasm = readFileSync(join(ROOT, "contracts", "build", `${name}.wasm`));
  const a0 = aOn[0]!;
  const stored = ok(
    await a0.tx.compute.storeCode({ sender: a0.address, wasm_byte_code: wasm, source: "", builder: "" }, GAS),
  );
  await committed(stored.height);
  return logValue(stored, "message", "code_id");
}

test("stored via node 0, instantiated via node 1, executed via node 2, queried via node 3", STEP, async () => {
  const codeId = await storeContract("counter");
  const hashes = await Promise.all(aOn.map((c) => c.query.compute.codeHashByCodeId({ code_id: codeId })));
  codeHash = hashes[0]!.code_hash ?? "";
  assert.match(codeHash, /^[0-9a-f]{64}$/);
  for (const h of hashes) assert.equal(h.code_hash, codeHash);

  const a1 = aOn[1]!;
  const init = ok(
    await a1.tx.compute.instantiateContract(
      {
        sender: a1.address,
        code_id: codeId,
        code_hash: codeHash,
        init_msg: { count: 7 },
        label: "counter",
        admin: a1.address,
      },
      GAS,
    ),
  );
  contract = logValue(init, "message", "contract_address");
  assert.equal(logValue(init, "wasm", "action"), "instantiate"); // encrypted by node 1's enclave, decrypted by secretjs
  await committed(init.height);

  const b2 = bOn[2]!;
  const exec = ok(
    await b2.tx.compute.executeContract(
      { sender: b2.address, contract_address: contract, code_hash: codeHash, msg: { increment: {} } },
      GAS,
    ),
  );
  assert.equal(logValue(exec, "wasm", "action"), "increment");
  assert.equal(logValue(exec, "wasm", "count"), "8");
  executeHash = exec.transactionHash;
  executeHeight = exec.height;
  await committed(exec.height);

  const answer = await aOn[3]!.query.compute.queryContract({
    contract_address: contract,
    code_hash: codeHash,
    query: { get_count: {} },
  });
  assert.deepEqual(answer, { count: 8 });
  // Every node's enclave decrypts the query and the state the same way (and b's identity reads it too).
  assert.deepEqual(await driver.queryOn(aOn, contract, codeHash, { get_count: {} }), Array(4).fill({ count: 8 }));
  assert.deepEqual(await driver.queryOn(bOn, contract, codeHash, { get_count: {} }), Array(4).fill({ count: 8 }));
});

test("all four reach the same app hash after the execute and serve the same tx result", STEP, async () => {
  assert.ok(executeHeight > 0, "the execute did not run");
  await sameAppHashAfter(executeHeight);
  // each app's own commit (abci_info), not only the header every validator checked against its own
  assert.ok((await driver.sameAbciAppHash(ALL)).height > executeHeight);
  const tx = await sameRpcTx(executeHash, encB);
  assert.equal(tx.code, 0);
  assert.equal(tx.height, executeHeight);
  assert.deepEqual(contractAttributes(tx), [
    ["action", "increment"],
    ["count", "8"],
  ]);
  // "action" travels encrypted; "count" is one the contract made plaintext on purpose
  assert.deepEqual(tx.encryptedKeys, ["action"]);
  assert.equal(tx.error, undefined);
  // secretjs reads it back through every node's LCD and decrypts the same attributes.
  const back = await Promise.all(bOn.map((c) => c.query.getTx(executeHash)));
  for (const t of back) {
    assert.ok(t !== null);
    assert.equal(t.code, 0);
    assert.equal(t.height, executeHeight);
    assert.equal(logValue(t, "wasm", "action"), "increment");
    assert.deepEqual(t.arrayLog, back[0]!.arrayLog);
  }
});

test(
  "a contract error is decrypted by the sender and leaves the contract state unchanged on all four",
  STEP,
  async () => {
    const b1 = bOn[1]!;
    // reset is owner-only: b is not the owner
    const failed = await b1.tx.compute.executeContract(
      { sender: b1.address, contract_address: contract, code_hash: codeHash, msg: { reset: { count: 0 } } },
      GAS,
    );
    assert.notEqual(failed.code, 0, "the unauthorized reset succeeded");
    assert.ok(failed.height > 0, "a failed execute is still included in a block");
    assert.doesNotMatch(failed.rawLog, /encrypted:/);
    await sameAppHashAfter(failed.height);
    const tx = await sameRpcTx(failed.transactionHash, encB);
    assert.equal(tx.code, failed.code);
    // compute codespace, 3 = execute contract failed; the contract's own error only inside the ciphertext
    assert.deepEqual([tx.codespace, tx.code, tx.error], ["compute", 3, "Unauthorized"]);
    assert.match(
      tx.log,
      /^failed to execute message; message index: 0: encrypted: [A-Za-z0-9+/]+=*: execute contract failed$/,
    );
    assert.equal(failed.rawLog, "failed to execute message; message index: 0: Unauthorized: execute contract failed");
    assert.deepEqual(tx.wasm, []);
    assert.deepEqual(await driver.queryOn(aOn, contract, codeHash, { get_count: {} }), Array(4).fill({ count: 8 }));
  },
);

test(
  "env.block.random: the proposer's enclave puts an encrypted random in the header, every enclave checks and opens it, the same on all four",
  STEP,
  async () => {
    const codeId = await storeContract("random");
    const hash = (await aOn[1]!.query.compute.codeHashByCodeId({ code_id: codeId })).code_hash ?? "";
    const a1 = aOn[1]!;
    const init = ok(
      await a1.tx.compute.instantiateContract(
        { sender: a1.address, code_id: codeId, code_hash: hash, init_msg: {}, label: "random" },
        GAS,
      ),
    );
    const address = logValue(init, "message", "contract_address");
    assert.equal(logValue(init, "wasm", "has_random"), "true");
    const first = logValue(init, "wasm", "random"); // encrypted by the enclave, decrypted by secretjs
    assert.equal(Buffer.from(first, "base64").length, 32);
    await committed(init.height);
    const b2 = bOn[2]!;
    const exec = ok(
      await b2.tx.compute.executeContract(
        { sender: b2.address, contract_address: address, code_hash: hash, msg: { store_random: {} } },
        GAS,
      ),
    );
    const second = logValue(exec, "wasm", "random");
    assert.equal(Buffer.from(second, "base64").length, 32);
    assert.notEqual(second, first);
    await sameAppHashAfter(exec.height);
    // Every node's enclave stored the same random.
    assert.deepEqual(
      await driver.queryOn(aOn, address, hash, { last_random: {} }),
      Array(4).fill({ random: second, height: exec.height }),
    );
    // The header carries the encrypted random (48 bytes) and its proof (32), never `r` itself.
    const block = (await driver.rpc(3, "block", { height: String(exec.height) }))["block"] as {
      header: { encrypted_random?: { random: string; proof: string } };
    };
    const er = block.header.encrypted_random;
    assert.ok(er !== undefined, "no encrypted_random in the header");
    assert.equal(Buffer.from(er.random, "base64").length, 48);
    assert.equal(Buffer.from(er.proof, "base64").length, 32);
  },
);

test(
  "a SIGKILLed validator restarts with its sealed seeds, catches up over a contract tx and answers queries",
  STEP,
  async () => {
    await driver.kill(3);
    const a0 = aOn[0]!;
    const exec = ok(
      await a0.tx.compute.executeContract(
        { sender: a0.address, contract_address: contract, code_hash: codeHash, msg: { increment: {} } },
        GAS,
      ),
    );
    assert.equal(logValue(exec, "wasm", "count"), "9");
    await committed(exec.height, [0, 1, 2]);
    await driver.startReady(3);
    const appHash = await sameAppHashAfter(exec.height);
    assert.match(appHash, /^[0-9A-F]{64}$/);
    assert.ok((await driver.sameAbciAppHash(ALL)).height > exec.height);
    assert.deepEqual(
      await aOn[3]!.query.compute.queryContract({
        contract_address: contract,
        code_hash: codeHash,
        query: { get_count: {} },
      }),
      { count: 9 },
    );
    const tx = await sameRpcTx(exec.transactionHash, encA);
    assert.equal(tx.code, 0);
    assert.deepEqual(contractAttributes(tx), [
      ["action", "increment"],
      ["count", "9"],
    ]);
  },
);
