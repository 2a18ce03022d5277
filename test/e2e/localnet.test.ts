/**
 * `scrt localnet`: 4 validators as separate processes on 127.0.0.1 (libp2p gossip, block sync).
 * One network through the steps below, in order (each step starts from the previous one's state):
 * progress with a bank send seen by every node; 1 of 4 SIGKILLed, the others go on; 2 of 4 down,
 * no commit; one of them (SIGKILLed mid-height) restarts from its WAL, the chain resumes with the same
 * blocks everywhere; a node with wiped data syncs from height 1 to the same app hash; blocks fetched
 * over the sync protocol verify, and tampered ones are refused.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  initLocalnet,
  localnetAccountAddress,
  localnetAccountKey,
  resetNodeData,
  spawnValidator,
  type Localnet,
  type ValidatorProcess,
} from "../../src/node/localnet.ts";
import { msgSend, signDirectTx } from "../../src/node/txBuilder.ts";
import { startEnclave } from "../../src/node/enclave.ts";
import { blockIdOf, decodeBlock } from "../../src/node/blockCodec.ts";
import { decodeSyncedBlock, encodeSyncedBlock, verifyAndApplySyncedBlock, type SyncHost } from "../../src/node/sync.ts";
import { BlockIdFlag } from "../../src/codec/consensus.ts";
import { createValidatorSet } from "../../src/consensus/index.ts";
import { secp256k1PublicKey, sha256 } from "../../src/crypto/index.ts";
import { createP2P, generateNodeKey, testP2POptions } from "../../src/p2p/index.ts";
import { fromBase64, toBase64 } from "../../src/primitives/base64.ts";
import { isCodedError } from "../../src/primitives/errors.ts";
import { rpcCall } from "../helpers/net.ts";

type Obj = Record<string, unknown>;

let dir: string;
let net: Localnet;
const procs: (ValidatorProcess | undefined)[] = [];

function rpc(i: number, method: string, params: Obj = {}): Promise<Obj> {
  return rpcCall(net.nodes[i]!.rpcPort, method, params, 5000);
}

async function height(i: number): Promise<number> {
  const s = await rpc(i, "status");
  return Number((s["sync_info"] as Obj)["latest_block_height"]);
}

async function blockAt(i: number, h: number): Promise<{ hash: string; appHash: string }> {
  const b = await rpc(i, "block", { height: String(h) });
  return {
    hash: (b["block_id"] as Obj)["hash"] as string,
    appHash: ((b["block"] as Obj)["header"] as Obj)["app_hash"] as string,
  };
}

/** Waits until every listed node is at `h` or above. */
async function waitHeight(nodes: readonly number[], h: number, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const hs = await Promise.all(nodes.map((i) => height(i).catch(() => -1)));
    if (hs.every((x) => x >= h)) return;
    if (Date.now() > deadline) {
      const logs = nodes.map((i) => `--- node${i}\n${procs[i]?.output().slice(-3000) ?? ""}`).join("\n");
      throw new Error(`nodes ${nodes.join(",")} at ${hs.join(",")}, wanted ${h}\n${logs}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

function start(i: number): ValidatorProcess {
  const p = spawnValidator(net, i, { logLevel: "info", enclave: false });
  procs[i] = p;
  return p;
}

async function kill(i: number): Promise<void> {
  const p = procs[i];
  if (p === undefined) return;
  p.child.kill("SIGKILL");
  await p.exited;
  procs[i] = undefined;
}

/** The same block (and app hash) at every height from 1 to `upTo` on the listed nodes. */
async function assertSameChain(nodes: readonly number[], upTo: number): Promise<void> {
  for (let h = 1; h <= upTo; h++) {
    const blocks = await Promise.all(nodes.map((i) => blockAt(i, h)));
    for (const b of blocks.slice(1)) assert.deepEqual(b, blocks[0], `height ${h} differs between nodes`);
  }
}

let sequence = 0n;
let accountNumber = -1n;

/** A signed bank send from localnet account 0 to account 1, broadcast to node `i`. */
async function sendTx(i: number, amount: string): Promise<string> {
  const lcd = `http://127.0.0.1:${net.nodes[i]!.lcdPort}`;
  if (accountNumber < 0n) {
    const a = (await (await fetch(`${lcd}/cosmos/auth/v1beta1/accounts/${localnetAccountAddress(0)}`)).json()) as {
      account: { account_number: string };
    };
    accountNumber = BigInt(a.account.account_number);
  }
  const key = localnetAccountKey(0);
  const tx = signDirectTx({
    messages: [msgSend(localnetAccountAddress(0), localnetAccountAddress(1), [{ denom: "uscrt", amount }])],
    key: { privateKey: key, publicKey: secp256k1PublicKey(key) },
    chainId: net.chainId,
    accountNumber,
    sequence,
    fee: [{ denom: "uscrt", amount: "5000" }],
    gas: 200_000n,
  });
  const r = await rpc(i, "broadcast_tx_sync", { tx: toBase64(tx) });
  assert.equal(r["code"], 0, JSON.stringify(r));
  sequence++;
  return r["hash"] as string;
}

async function balanceOf(i: number, address: string): Promise<string> {
  const lcd = `http://127.0.0.1:${net.nodes[i]!.lcdPort}`;
  const r = (await (await fetch(`${lcd}/cosmos/bank/v1beta1/balances/${address}/by_denom?denom=uscrt`)).json()) as {
    balance: { amount: string };
  };
  return r.balance.amount;
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "scrt-localnet-"));
  net = await initLocalnet({ dir, validators: 4, accounts: 2 });
  const all = [0, 1, 2, 3].map(start);
  await Promise.all(all.map((p) => p.ready));
});

after(async () => {
  for (const p of procs) p?.child.kill("SIGKILL");
  await Promise.all(procs.map((p) => p?.exited));
  rmSync(dir, { recursive: true, force: true });
});

test("after init, every validator's enclave holds the network's seeds (attestation + seed exchange)", async () => {
  const register = (
    JSON.parse(readFileSync(join(net.nodes[0]!.home, "config", "genesis.json"), "utf8")) as {
      app_state: { register: { node_exch_key: string; io_exch_key: string } };
    }
  ).app_state.register;
  const enclave = await startEnclave(net.nodes[2]!.home);
  try {
    assert.equal(enclave.call("getStatus", {}).hasSealedKeychain, true);
    enclave.call("load", {});
    const keys = enclave.call("getPublicKeys", {});
    assert.equal(toBase64(keys.nodeExchKey), register.node_exch_key);
    assert.equal(toBase64(keys.ioExchKey), register.io_exch_key);
  } finally {
    await enclave.close();
  }
});

test("4 validators make progress, every one signs, and a tx sent to one node is executed by all", async () => {
  await waitHeight([0, 1, 2, 3], 3);
  const validators = await rpc(0, "validators", { height: "2" });
  assert.equal(Number(validators["total"]), 4);
  const hash = await sendTx(1, "1234");
  const deadline = Date.now() + 20_000;
  let txHeight = 0;
  while (txHeight === 0) {
    const r = await rpc(3, "tx", { hash: Buffer.from(hash, "hex").toString("base64") }).catch(() => undefined);
    if (r !== undefined) txHeight = Number(r["height"]);
    else if (Date.now() > deadline) throw new Error("the tx was not committed");
    else await new Promise((res) => setTimeout(res, 200));
  }
  await waitHeight([0, 1, 2, 3], txHeight);
  const balances = await Promise.all([0, 1, 2, 3].map((i) => balanceOf(i, localnetAccountAddress(1))));
  assert.deepEqual(balances, Array(4).fill((10n ** 18n + 1234n).toString()));
  // The commit of a recent block carries signatures of all four validators.
  const commit = await rpc(0, "commit", { height: String(txHeight) });
  const sigs = ((commit["signed_header"] as Obj)["commit"] as Obj)["signatures"] as Obj[];
  assert.equal(sigs.length, 4);
  // Precommits that reach a proposer after its decision (during timeout_commit) join its LastCommit, as
  // in CometBFT: most commits carry all four signatures, not just the first +2/3.
  const last = Math.max(txHeight, 6);
  await waitHeight([0], last + 1);
  let full = 0;
  for (let h = 2; h <= last; h++) {
    const c = await rpc(0, "commit", { height: String(h) });
    const s = ((c["signed_header"] as Obj)["commit"] as Obj)["signatures"] as Obj[];
    if (s.filter((x) => x["block_id_flag"] === 2).length === 4) full++;
  }
  assert.ok(full * 2 >= last - 1, `only ${full} of ${last - 1} commits carry all four precommits`);
});

test("with 1 of 4 killed (SIGKILL) the others keep committing", async () => {
  await kill(3);
  const h = Math.max(...(await Promise.all([0, 1, 2].map(height))));
  await sendTx(0, "1");
  await waitHeight([0, 1, 2], h + 3);
  await assertSameChain([0, 1, 2], h + 3);
});

test("with 2 of 4 down nothing commits; one returns from its WAL and the chain resumes without a fork", async () => {
  await kill(2); // mid-height: consensus of the next height is under way
  await sendTx(0, "2").catch(() => {}); // a pending tx, so a block is wanted
  await new Promise((r) => setTimeout(r, 1500));
  const stalled = await Promise.all([0, 1].map(height));
  await new Promise((r) => setTimeout(r, 3000));
  assert.deepEqual(await Promise.all([0, 1].map(height)), stalled, "committed with 2 of 4 validators down");
  start(2);
  await procs[2]!.ready;
  assert.match(procs[2]!.output(), /node started .*walRecords=[1-9]/, "node2 did not replay its WAL");
  const top = Math.max(...stalled);
  await waitHeight([0, 1, 2], top + 3, 40_000);
  await assertSameChain([0, 1, 2], top + 3);
});

test("a node with wiped data syncs from height 1, verifying commits, and ends with the same app hash", async () => {
  resetNodeData(net.nodes[3]!);
  start(3);
  await procs[3]!.ready;
  const target = Math.max(...(await Promise.all([0, 1, 2].map(height))));
  await waitHeight([3], target + 1, 40_000);
  await assertSameChain([0, 3], target + 1);
  assert.match(procs[3]!.output(), /block sync done/);
  // It also takes part in consensus again: some of the next blocks carry its signature.
  await sendTx(3, "3");
  const h = await height(3);
  await waitHeight([0, 1, 2, 3], h + 7, 40_000);
  const addr3 = net.nodes[3]!.validatorAddress;
  let signed = 0;
  for (let x = h + 1; x <= h + 6; x++) {
    const commit = await rpc(0, "commit", { height: String(x) });
    const sigs = ((commit["signed_header"] as Obj)["commit"] as Obj)["signatures"] as Obj[];
    if (sigs.some((s) => s["validator_address"] === addr3 && s["block_id_flag"] === 2)) signed++;
  }
  assert.ok(signed > 0, `node3 (${addr3}) signed none of blocks ${h + 1}..${h + 6}`);
});

test("blocks served by block sync verify, and tampered ones are refused with NODE_SYNC_INVALID_BLOCK", async () => {
  // A client of our own on the chain's p2p network fetches blocks 1–3 as a syncing node does.
  const genesisBytes = readFileSync(join(net.nodes[0]!.home, "config", "genesis.json"));
  const client = createP2P(
    testP2POptions({
      chainId: net.chainId,
      genesisHash: sha256(genesisBytes),
      nodeKey: generateNodeKey(),
      persistentPeers: [`${net.nodes[0]!.nodeId}@127.0.0.1:${net.nodes[0]!.p2pPort}`],
    }),
  );
  await client.start();
  try {
    let peer: string | undefined;
    const deadline = Date.now() + 15_000;
    while ((peer = client.syncPeers()[0]) === undefined) {
      if (Date.now() > deadline) throw new Error("no p2p connection to node0");
      await new Promise((r) => setTimeout(r, 100));
    }
    const [b1, b2, b3] = await client.requestBlocks(peer, 1n, 3);
    assert.ok(b1 !== undefined && b2 !== undefined && b3 !== undefined);
    const block1 = decodeSyncedBlock(b1).block;
    const header2 = decodeBlock(decodeSyncedBlock(b2).block).header;
    const vals = (await rpc(0, "validators", { height: "2" }))["validators"] as Obj[];
    const validators = createValidatorSet(
      vals.map((v) => ({
        pubKey: fromBase64((v["pub_key"] as Obj)["value"] as string),
        votingPower: BigInt(v["voting_power"] as string),
      })),
    );
    const applied: number[] = [];
    const host = (appHash: Uint8Array): SyncHost => ({
      chainId: net.chainId,
      genesis: { initialHeight: 1 },
      blockStore: {
        height: 1,
        blockId: (h: number) => (h === 1 ? blockIdOf(decodeBlock(block1).header, block1) : undefined),
      } as unknown as SyncHost["blockStore"],
      app: { lastAppHash: appHash },
      halted: undefined,
      validatorsAt: () => validators,
      applySyncedBlock: (h) => void applied.push(h),
    });
    const refused = (bytes: Uint8Array, h = host(header2.appHash), height = 2): void =>
      assert.throws(
        () => verifyAndApplySyncedBlock(h, height, bytes),
        (e: unknown) => isCodedError(e) && /^(NODE_SYNC_INVALID_BLOCK|CODEC_|PROTO_)/.test(e.code),
      );

    verifyAndApplySyncedBlock(host(header2.appHash), 2, b2);
    assert.deepEqual(applied, [2]);

    const synced = decodeSyncedBlock(b2);
    const sigs = synced.commit.signatures;
    const firstSigned = sigs.findIndex((s) => s.blockIdFlag === BlockIdFlag.Commit);
    // A flipped bit in one commit signature.
    const badSig = sigs.map((s, i) => {
      if (i !== firstSigned) return s;
      const signature = s.signature.slice();
      signature[0] = signature[0]! ^ 1;
      return { ...s, signature };
    });
    refused(encodeSyncedBlock({ block: synced.block, commit: { ...synced.commit, signatures: badSig } }));
    // Only one validator's signature left: not more than 2/3 of the power.
    const oneLeft = sigs.map((s, i) =>
      i === firstSigned
        ? s
        : { ...s, blockIdFlag: BlockIdFlag.Absent, signature: new Uint8Array(0), validatorAddress: new Uint8Array(0) },
    );
    refused(encodeSyncedBlock({ block: synced.block, commit: { ...synced.commit, signatures: oneLeft } }));
    // The commit of another block (block 3's) with block 2.
    refused(encodeSyncedBlock({ block: synced.block, commit: decodeSyncedBlock(b3).commit }));
    // Block 3 offered as height 2; an app hash that is not ours; garbage.
    refused(b3);
    refused(b2, host(new Uint8Array(32)));
    refused(Uint8Array.of(1, 2, 3));
    assert.deepEqual(applied, [2], "a refused block was applied");
  } finally {
    await client.stop();
  }
});
