/**
 * Block sync over real libp2p nodes on 127.0.0.1: the request/response protocol (status, getBlocks,
 * caps, bad frames, timeouts) and the BlockSyncer fetching N blocks from two providers, one of which
 * serves garbage.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { sha256 } from "../../src/crypto/hash.ts";
import { bytesEqual, concatBytes, utf8Encode } from "../../src/primitives/bytes.ts";
import { isCodedError } from "../../src/primitives/errors.ts";
import { SYNC_PROTOCOL, type P2PNode, type SyncProgress } from "../../src/p2p/index.ts";
import { p2pNodeStarter, waitFor } from "../helpers/p2p.ts";

const CHAIN = "p2p-sync-test-1";
const GENESIS = sha256(utf8Encode("genesis of p2p-sync-test-1"));
const N = 120n;

const startNode = p2pNodeStarter(CHAIN, GENESIS);

/** The block of a height: a hash chain, so a verifier can tell a real block from garbage. */
function blockAt(height: bigint): Uint8Array {
  return concatBytes(sha256(utf8Encode(`block ${height}`)), new Uint8Array(200).fill(Number(height % 251n)));
}

function serveChain(node: P2PNode, latest: bigint, garbage = false): { served: bigint[] } {
  const served: bigint[] = [];
  node.setBlockProvider({
    status: () => ({ base: 1n, latest }),
    getBlock: (h) => {
      if (h < 1n || h > latest) return undefined;
      served.push(h);
      return garbage ? sha256(utf8Encode(`junk ${h}`)) : blockAt(h);
    },
  });
  return { served };
}

async function connect(client: P2PNode, server: P2PNode): Promise<void> {
  await client.dial(server.multiaddrs()[0]!);
  await waitFor(
    "handshake",
    () => client.isVerified(server.peerId.toString()) && server.isVerified(client.peerId.toString()),
  );
}

describe("p2p block sync", () => {
  test("status and getBlocks: answers, caps and short answers", async () => {
    const server = await startNode();
    serveChain(server, 40n);
    const client = await startNode();
    await connect(client, server);
    const peer = server.peerId.toString();

    assert.deepEqual(await client.requestStatus(peer), { base: 1n, latest: 40n });
    const three = await client.requestBlocks(peer, 5n, 3);
    assert.equal(three.length, 3);
    three.forEach((b, i) => assert.deepEqual(b, blockAt(5n + BigInt(i))));
    // The server caps a request at maxBlocksPerRequest (16 in testP2POptions).
    assert.equal((await client.requestBlocks(peer, 1n, 100)).length, 16);
    // Past the server's latest the answer is short, or empty.
    assert.equal((await client.requestBlocks(peer, 38n, 10)).length, 3);
    assert.equal((await client.requestBlocks(peer, 41n, 10)).length, 0);
    assert.equal(client.score(peer), 0, "honest answers cost nothing");

    // A node without a provider answers with an error frame, not garbage.
    const bare = await startNode();
    await connect(client, bare);
    await assert.rejects(client.requestStatus(bare.peerId.toString()), (e) => isCodedError(e, "P2P_REMOTE_ERROR"));
    assert.equal(client.score(bare.peerId.toString()), 0);
  });

  test("bad frames, oversized frames and silence are errors that penalise the server", async () => {
    const client = await startNode({
      sync: { requestTimeoutMs: 300, maxFrameBytes: 4096, maxBlocksPerRequest: 16, maxInboundStreams: 8 },
    });
    const server = await startNode();
    await connect(client, server);
    const peer = server.peerId.toString();
    let mode: "garbage" | "huge" | "silent" = "garbage";
    await server.libp2p.handle(
      SYNC_PROTOCOL,
      async (stream) => {
        if (mode === "garbage") stream.send(Uint8Array.from([5, 0xff, 0xfe, 0xfd, 0xfc, 0xfb]));
        else if (mode === "huge") stream.send(Uint8Array.from([0x80, 0x80, 0x04])); // length 65536
        if (mode !== "silent") await stream.close();
      },
      { force: true },
    );
    const s0 = client.score(peer);
    await assert.rejects(client.requestStatus(peer), (e) => isCodedError(e) && e.code.startsWith("P2P_PROTOCOL"));
    const s1 = client.score(peer);
    assert.ok(s1 < s0, "garbage frame penalised");
    mode = "huge";
    await assert.rejects(client.requestBlocks(peer, 1n, 4), (e) => isCodedError(e, "P2P_FRAME_TOO_LARGE"));
    const s2 = client.score(peer);
    assert.ok(s2 < s1, "oversized frame penalised");
    mode = "silent";
    await assert.rejects(client.requestStatus(peer), (e) => isCodedError(e, "P2P_TIMEOUT"));
    assert.ok(client.score(peer) < s2, "timeout penalised");
    assert.equal(client.stats().offences.syncBadFrame, 2);
    assert.equal(client.stats().offences.syncTimeout, 1);
  });

  test("BlockSyncer fetches N blocks in order from two providers, one serving garbage", async () => {
    const good = await startNode({ moniker: "good" });
    const bad = await startNode({ moniker: "bad" });
    const goodServed = serveChain(good, N);
    const badServed = serveChain(bad, N, true);
    const syncer = await startNode({ moniker: "syncer" });
    await connect(syncer, good);
    await connect(syncer, bad);

    const applied: bigint[] = [];
    const progress: SyncProgress[] = [];
    const result = await syncer
      .createBlockSyncer({
        fromHeight: 1n,
        batchSize: 8,
        parallelism: 4,
        apply: async (height, block) => {
          if (!bytesEqual(block, blockAt(height))) throw new Error(`block ${height} does not verify`);
          applied.push(height);
        },
        onProgress: (p) => progress.push(p),
      })
      .run();

    assert.equal(result.height, N);
    assert.equal(result.appliedBlocks, Number(N));
    assert.deepEqual(
      applied,
      Array.from({ length: Number(N) }, (_, i) => BigInt(i + 1)),
      "every height once, in order",
    );
    const badPeer = bad.peerId.toString();
    assert.ok(badServed.served.length > 0, "the garbage provider was asked");
    assert.ok(goodServed.served.length >= Number(N), "the honest provider served the rest");
    assert.ok(syncer.score(badPeer) < 0, "the garbage provider was penalised");
    assert.ok(syncer.stats().offences.syncBadBlock >= 1);
    assert.equal(syncer.score(good.peerId.toString()), 0);
    const last = progress.at(-1)!;
    assert.equal(last.height, N);
    assert.equal(last.target, N);
    for (let i = 1; i < progress.length; i++) assert.ok(progress[i]!.height >= progress[i - 1]!.height);
  });
});
