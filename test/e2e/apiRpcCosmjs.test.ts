/**
 * The RPC server on a loopback port, driven by the real cosmjs clients: Comet38Client over HTTP and
 * over WebSocket (subscriptions), and StargateClient, against a real SecretApp behind a test node.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Comet38Client } from "@cosmjs/tendermint-rpc";
import { StargateClient } from "@cosmjs/stargate";
import { startRpcServer, type RpcServer } from "../../src/api/rpc/index.ts";
import { sha256 } from "../../src/crypto/index.ts";
import { toHex } from "../../src/primitives/hex.ts";
import { CHAIN_ID, sendMsg, signTx, testKey } from "../helpers/appTx.ts";
import { TestNode } from "../unit/apiRpcTestNode.ts";

const alice = testKey("alice");
const bob = testKey("bob");
const nobody = testKey("nobody");

let node: TestNode;
let server: RpcServer;
let http: string;
let ws: string;
let aliceSequence = 0n;

function aliceSend(amount: string): Uint8Array {
  const tx = signTx({
    messages: [sendMsg(alice.bech32, bob.bech32, [{ denom: "uscrt", amount }])],
    signer: alice,
    accountNumber: 0n,
    sequence: aliceSequence,
  });
  aliceSequence += 1n;
  return tx;
}

/**
 * cosmjs's ReconnectingSocket schedules a reconnect (every ≤ 5 s, forever) even after a deliberate
 * disconnect, which would keep this test process alive: make its reconnect a no-op first (a client-side
 * quirk, not the server's).
 */
function disconnectWs(client: Comet38Client): void {
  const inner = (client as unknown as { client: { socket: { socket: { reconnect: () => void } } } }).client.socket;
  inner.socket.reconnect = () => undefined;
  client.disconnect();
}

/** Resolves once the node has a block at `height`. */
async function untilHeight(height: number): Promise<void> {
  while (node.blocks.length < height) await new Promise((r) => setTimeout(r, 5));
}

before(async () => {
  node = new TestNode({
    funded: [
      { key: alice, coins: [{ denom: "uscrt", amount: "10000000" }] },
      { key: bob, coins: [{ denom: "uscrt", amount: "500" }] },
    ],
    encryptedRandom: true,
  });
  node.produceBlock([]);
  node.produceBlock([]);
  server = await startRpcServer({ backend: node, host: "127.0.0.1", port: 0, broadcastTxCommitTimeoutMs: 5000 });
  http = `http://127.0.0.1:${server.port}`;
  ws = `ws://127.0.0.1:${server.port}`;
});

after(async () => {
  await server.close();
  node.close();
});

describe("apiRpc: Comet38Client over HTTP", () => {
  it("decodes status, health, abci_info, genesis, validators and num_unconfirmed_txs", async () => {
    const client = await Comet38Client.connect(http);
    try {
      const status = await client.status();
      assert.equal(status.nodeInfo.network, CHAIN_ID);
      assert.equal(status.nodeInfo.version, "0.38.17");
      assert.equal(status.syncInfo.latestBlockHeight, node.blocks.length);
      assert.deepEqual(status.syncInfo.latestBlockHash, node.blocks.at(-1)!.blockId.hash);
      assert.deepEqual(status.syncInfo.latestAppHash, node.app.lastAppHash);
      assert.equal(status.syncInfo.catchingUp, false);
      assert.equal(status.validatorInfo.pubkey?.algorithm, "ed25519");
      assert.equal(status.validatorInfo.votingPower, 10n);
      assert.equal(status.syncInfo.latestBlockTime.toISOString(), "2025-01-01T00:00:02.123Z");

      assert.equal(await client.health(), null);
      const info = await client.abciInfo();
      assert.equal(info.data, "SecretNetwork");
      assert.equal(info.lastBlockHeight, node.app.lastHeight);
      assert.deepEqual(info.lastBlockAppHash, node.app.lastAppHash);

      const genesis = await client.genesis();
      assert.equal(genesis.chainId, CHAIN_ID);
      assert.equal(genesis.consensusParams.block?.maxBytes, 22020096);
      assert.equal(genesis.validators.length, 1);
      assert.equal(genesis.appHash.length, 0);

      const vals = await client.validatorsAll();
      assert.equal(vals.total, 1);
      assert.equal(vals.validators[0]!.votingPower, 10n);

      const pending = await client.numUnconfirmedTxs();
      assert.equal(pending.total, 0);
    } finally {
      client.disconnect();
    }
  });

  it("decodes blocks, block results, blockchain and commits, with the header hashes and times intact", async () => {
    const client = await Comet38Client.connect(http);
    try {
      const first = await client.block(1);
      assert.equal(first.block.header.height, 1);
      assert.equal(first.block.lastCommit, null, "height 1 has no last commit");
      assert.deepEqual(first.blockId.hash, node.blocks[0]!.blockId.hash);

      const second = await client.block(2);
      assert.deepEqual(second.block.header.lastBlockId?.hash, node.blocks[0]!.blockId.hash);
      assert.deepEqual(second.block.header.appHash, node.blocks[1]!.header.appHash);
      assert.equal(second.block.lastCommit?.height, 1);
      assert.equal(second.block.lastCommit?.signatures[0]!.signature?.length, 64);
      assert.equal(second.block.header.time.toISOString(), "2025-01-01T00:00:02.123Z");

      const latest = await client.block();
      assert.equal(latest.block.header.height, node.blocks.length);

      const results = await client.blockResults(1);
      assert.equal(results.height, 1);
      assert.deepEqual(results.results, []);

      const chain = await client.blockchain(1, 2);
      assert.equal(chain.lastHeight, node.blocks.length);
      assert.deepEqual(
        chain.blockMetas.map((m) => m.header.height),
        [2, 1],
      );
      assert.ok(chain.blockMetas[0]!.blockSize > 0);

      const commit = await client.commit(1);
      assert.equal(commit.canonical, true);
      assert.equal(commit.header.height, 1);
      assert.deepEqual(commit.commit.blockId.hash, node.blocks[0]!.blockId.hash);
    } finally {
      client.disconnect();
    }
  });

  it("broadcasts (sync, commit), finds the tx by hash and by search, and reports a failing CheckTx", async () => {
    const client = await Comet38Client.connect(http);
    try {
      const tx = aliceSend("11");
      const sync = await client.broadcastTxSync({ tx });
      assert.equal(sync.code, 0, sync.log);
      assert.deepEqual(sync.hash, sha256(tx));
      const included = await node.waitForTx(sha256(tx), 5000);
      assert.ok(included !== undefined);

      const found = await client.tx({ hash: sha256(tx) });
      assert.equal(found.height, included.height);
      assert.equal(found.result.code, 0);
      assert.deepEqual(found.tx, tx);
      assert.ok(found.result.events.some((e) => e.type === "transfer"));
      assert.ok(found.result.gasUsed > 0n);
      const proved = await client.tx({ hash: sha256(tx), prove: true });
      assert.deepEqual(proved.proof?.data, tx);
      assert.equal(proved.proof?.proof.total, 1);
      assert.deepEqual(proved.proof?.proof.leafHash, sha256(Uint8Array.of(0, ...sha256(tx))));

      const search = await client.txSearchAll({ query: `tx.hash='${toHex(sha256(tx)).toUpperCase()}'` });
      assert.equal(search.totalCount, 1);
      assert.deepEqual(search.txs[0]!.hash, sha256(tx));
      const bySender = await client.txSearch({ query: `message.sender='${alice.bech32}'` });
      assert.ok(bySender.totalCount >= 1);

      const blocks = await client.blockSearch({ query: `block.height=${included.height}` });
      assert.equal(blocks.totalCount, 1);
      assert.equal(blocks.blocks[0]!.block.header.height, included.height);

      const committed = await client.broadcastTxCommit({ tx: aliceSend("12") });
      assert.equal(committed.checkTx.code, 0);
      assert.equal(committed.txResult?.code, 0);
      assert.ok(committed.height > included.height);

      const replay = await client.broadcastTxSync({ tx });
      assert.notEqual(replay.code, 0, "a replayed tx fails CheckTx (wrong sequence)");
      assert.equal(replay.codespace, "sdk");
      assert.match(replay.log ?? "", /sequence/);
    } finally {
      client.disconnect();
    }
  });

  it("refuses unknown tx hashes with CometBFT's text", async () => {
    const client = await Comet38Client.connect(http);
    try {
      await assert.rejects(client.tx({ hash: new Uint8Array(32).fill(0xab) }), /tx \((AB){32}\) not found/);
      await assert.rejects(client.block(10_000), /must be less than or equal to the current blockchain height/);
    } finally {
      client.disconnect();
    }
  });
});

describe("apiRpc: StargateClient", () => {
  it("reads chain id, height, balances and accounts, broadcasts and finds txs", async () => {
    const client = await StargateClient.connect(http);
    try {
      assert.equal(await client.getChainId(), CHAIN_ID);
      assert.equal(await client.getHeight(), node.blocks.length);
      const before = await client.getBalance(bob.bech32, "uscrt");
      assert.equal(before.denom, "uscrt");
      const account = await client.getAccount(alice.bech32);
      assert.equal(account?.address, alice.bech32);
      assert.equal(BigInt(account?.accountNumber ?? -1), 0n);
      assert.equal(BigInt(account?.sequence ?? -1), aliceSequence);
      assert.equal(await client.getAccount(nobody.bech32), null);

      const tx = aliceSend("7");
      const delivered = await client.broadcastTx(tx, 10_000, 50);
      assert.equal(delivered.code, 0, delivered.rawLog);
      assert.equal(delivered.transactionHash, toHex(sha256(tx)).toUpperCase());
      const after = await client.getBalance(bob.bech32, "uscrt");
      assert.equal(BigInt(after.amount) - BigInt(before.amount), 7n);

      const got = await client.getTx(delivered.transactionHash);
      assert.equal(got?.height, delivered.height);
      assert.equal(got?.code, 0);
      const searched = await client.searchTx(`message.sender='${alice.bech32}'`);
      assert.ok(searched.some((t) => t.hash === delivered.transactionHash));
      assert.equal(await client.getTx("00".repeat(32)), null);

      const blk = await client.getBlock(delivered.height);
      assert.equal(blk.header.height, delivered.height);
      assert.equal(blk.txs.length, 1);
    } finally {
      client.disconnect();
    }
  });
});

describe("apiRpc: Comet38Client over WebSocket", () => {
  it("answers calls and streams NewBlock and Tx events for matching queries", async () => {
    const client = await Comet38Client.connect(ws);
    try {
      const status = await client.status();
      assert.equal(status.nodeInfo.network, CHAIN_ID);

      const blocks: number[] = [];
      const gotBlock = new Promise<void>((resolve, reject) => {
        const sub = client.subscribeNewBlock().subscribe({
          next: (b) => {
            blocks.push(b.header.height);
            sub.unsubscribe();
            resolve();
          },
          error: reject,
        });
      });
      const txEvents: Uint8Array[] = [];
      const tx = aliceSend("3");
      const gotTx = new Promise<void>((resolve, reject) => {
        const sub = client.subscribeTx(`message.sender='${alice.bech32}'`).subscribe({
          next: (e) => {
            txEvents.push(e.hash);
            assert.equal(e.result.code, 0);
            sub.unsubscribe();
            resolve();
          },
          error: reject,
        });
      });
      // Subscriptions are sent asynchronously; a round trip on the same socket orders them first.
      await client.health();
      const heightBefore = node.blocks.length;
      node.broadcastTx(tx);
      await Promise.all([gotBlock, gotTx]);
      assert.deepEqual(blocks, [heightBefore + 1]);
      assert.deepEqual(txEvents, [sha256(tx)]);
      await untilHeight(heightBefore + 1);
    } finally {
      disconnectWs(client);
    }
  });
});
