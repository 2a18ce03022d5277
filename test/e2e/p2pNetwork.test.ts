/**
 * Real libp2p nodes in one process on 127.0.0.1 (port 0): gossip across a line of three nodes,
 * persistent-peer reconnection after a restart, a peer sending garbage and oversized gossip until it
 * is banned, and peers of another chain refused at the handshake.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { sha256 } from "../../src/crypto/hash.ts";
import { utf8Encode } from "../../src/primitives/bytes.ts";
import { isCodedError } from "../../src/primitives/errors.ts";
import { encodeTxRaw } from "../../src/codec/tx.ts";
import { NIL_BLOCK_ID, SignedMsgType, type Vote } from "../../src/codec/consensus.ts";
import type { ConsensusMessage } from "../../src/codec/p2p.ts";
import type { Metrics } from "../../src/primitives/observability.ts";
import {
  createP2P,
  generateNodeKey,
  testP2POptions,
  topicName,
  type ChannelName,
  type GossipSource,
  type P2PEvents,
  type P2PNode,
} from "../../src/p2p/index.ts";
import { quietEmptyLengthDecodes } from "../../src/p2p/lengthDecoder.ts";
import { p2pNodeStarter, waitFor } from "../helpers/p2p.ts";

const CHAIN = "p2p-test-1";
const GENESIS = sha256(utf8Encode("genesis of p2p-test-1"));

const startNode = p2pNodeStarter(CHAIN, GENESIS);

function fakeMetrics(): { values: Map<string, number>; metrics: Metrics } {
  const values = new Map<string, number>();
  const add = (n: string, by: number): void => void values.set(n, (values.get(n) ?? 0) + by);
  return {
    values,
    metrics: {
      counter: (n) => ({ inc: (by = 1) => add(n, by) }),
      gauge: (n) => ({ set: (v) => void values.set(n, v) }),
      histogram: () => ({ observe: () => {} }),
    },
  };
}

function collect<K extends keyof P2PEvents>(node: P2PNode, event: K): P2PEvents[K][] {
  const out: P2PEvents[K][] = [];
  node.on(event, (e) => out.push(e));
  return out;
}

interface Received {
  channel: ChannelName;
  value: unknown;
  from: GossipSource;
}

function record(node: P2PNode): Received[] {
  const got: Received[] = [];
  node.handle("txs", (value, from) => {
    got.push({ channel: "txs", value, from });
    return "accept";
  });
  node.handle("consensus", (value, from) => {
    got.push({ channel: "consensus", value, from });
    return "accept";
  });
  node.handle("evidence", (value, from) => {
    got.push({ channel: "evidence", value, from });
    return "accept";
  });
  return got;
}

function sampleTx(tag: string): Uint8Array {
  return encodeTxRaw({
    bodyBytes: utf8Encode(`body ${tag}`),
    authInfoBytes: utf8Encode(`auth ${tag}`),
    signatures: [new Uint8Array(64).fill(7)],
  });
}

function sampleVote(height: bigint): Vote {
  return {
    type: SignedMsgType.Prevote,
    height,
    round: 0,
    blockId: NIL_BLOCK_ID,
    timestamp: { seconds: 1_700_000_000n, nanos: 5 },
    validatorAddress: new Uint8Array(20).fill(3),
    validatorIndex: 2,
    signature: new Uint8Array(64).fill(9),
  };
}

describe("p2p network", () => {
  test("three nodes in a line A–B–C get each other's gossip through B", async () => {
    const bMetrics = fakeMetrics();
    const [a, b, c] = await Promise.all([
      startNode({ moniker: "a" }),
      startNode({ moniker: "b", metrics: bMetrics.metrics }),
      startNode({ moniker: "c" }),
    ]);
    const gotA = record(a);
    const gotB = record(b);
    const gotC = record(c);
    await a.dial(b.multiaddrs()[0]!);
    await c.dial(b.multiaddrs()[0]!);
    await waitFor("B verified A and C", () => b.connectedPeers().length === 2);
    await waitFor("A and C verified B", () => a.isVerified(b.peerId.toString()) && c.isVerified(b.peerId.toString()));
    for (const ch of ["txs", "consensus"] as const) {
      await waitFor(
        `meshes of ${ch}`,
        () => b.meshPeers(ch).length === 2 && a.meshPeers(ch).length === 1 && c.meshPeers(ch).length === 1,
      );
    }
    assert.deepEqual(
      a.connectedPeers().map((p) => p.nodeId),
      [b.nodeId],
      "A is connected to B only",
    );
    assert.equal(a.connectedPeers()[0]!.moniker, "b");

    const tx = sampleTx("from A");
    assert.equal(await a.publish("txs", [tx]), 1, "A sends to its one peer");
    const vote: ConsensusMessage = { type: "vote", vote: sampleVote(7n) };
    await c.publish("consensus", vote);

    await waitFor("C got A's tx", () => gotC.some((r) => r.channel === "txs"));
    await waitFor("A got C's vote", () => gotA.some((r) => r.channel === "consensus"));
    await waitFor("B got both", () => gotB.length === 2);

    const txAtC = gotC.find((r) => r.channel === "txs")!;
    assert.deepEqual(txAtC.value, [tx]);
    assert.equal(txAtC.from.nodeId, b.nodeId, "C received it from B, its only peer");
    const voteAtA = gotA.find((r) => r.channel === "consensus")!;
    assert.deepEqual(voteAtA.value, vote);
    assert.equal(voteAtA.from.peerId, b.peerId.toString());
    assert.equal(gotA.filter((r) => r.channel === "txs").length, 0, "no echo of A's own tx");
    assert.equal(await a.publish("txs", [tx]), 0, "a duplicate is not sent again");
    assert.equal(bMetrics.values.get("p2p_gossip_accepted_total"), 2);
    assert.equal(gotB.filter((r) => r.channel === "txs").length, 1);
    assert.equal(bMetrics.values.get("p2p_peers"), 2);

    // broadcastTx batches: two txs handed in together reach C (through B) as one message, in order.
    const [t1, t2] = [sampleTx("batched 1"), sampleTx("batched 2")];
    a.broadcastTx(t1);
    a.broadcastTx(t2);
    await waitFor("C got A's batch", () => gotC.filter((r) => r.channel === "txs").length === 2);
    assert.deepEqual(gotC.filter((r) => r.channel === "txs").at(-1)!.value, [t1, t2]);

    // A handler's reject stops the forwarding and costs the sender score.
    b.handle("txs", () => "reject");
    await a.publish("txs", [sampleTx("rejected by B")]);
    await waitFor("B rejected A's second tx", () => b.stats().gossip.rejected === 1);
    assert.ok(b.score(a.peerId.toString()) < 0, "A's score at B went down");
    await b.gossipIdle();
    assert.equal(gotC.filter((r) => r.channel === "txs").length, 2, "the rejected tx never reached C");
  });

  test("a full mesh of four: a spread consensus relay delay sends fewer duplicate copies, and every vote still arrives once", async () => {
    // Copies of a message that gossipsub received again (after the first): counted where gossipsub
    // scores them (an internal of js-gossipsub; the test fails clearly if it moves).
    const countDuplicates = (nodes: readonly P2PNode[]): { count: number } => {
      const counter = { count: 0 };
      for (const n of nodes) {
        const score = (n.libp2p.services.pubsub as unknown as { score?: Record<string, unknown> }).score;
        const original = score?.["duplicateMessage"];
        assert.equal(typeof original, "function", "gossipsub's score.duplicateMessage exists");
        score!["duplicateMessage"] = (...args: unknown[]): unknown => {
          counter.count++;
          return (original as (...a: unknown[]) => unknown).apply(score, args);
        };
      }
      return counter;
    };
    const run = async (consensusRelay: { minMs: number; maxMs: number }): Promise<number> => {
      const nodes: P2PNode[] = [];
      for (let i = 0; i < 4; i++) {
        nodes.push(
          await startNode({ moniker: `m${i}`, consensusRelay, persistentPeers: nodes.map((n) => n.multiaddrs()[0]!) }),
        );
      }
      const got = nodes.map(record);
      await waitFor("full mesh", () => nodes.every((n) => n.meshPeers("consensus").length === 3));
      // Every real connection has the frame decoder the p2p layer quiets (lengthDecoder.ts).
      for (const n of nodes) {
        for (const conn of n.libp2p.getConnections()) assert.equal(quietEmptyLengthDecodes(conn), true);
      }
      const dups = countDuplicates(nodes);
      const votes = 12;
      for (let k = 0; k < votes; k++) {
        await nodes[k % 4]!.publish("consensus", { type: "vote", vote: sampleVote(100n + BigInt(k)) });
      }
      await waitFor("every node got the others' votes", () =>
        got.every((g) => g.filter((r) => r.channel === "consensus").length === votes - votes / 4),
      );
      await Promise.all(nodes.map((n) => n.gossipIdle()));
      await new Promise((r) => setTimeout(r, consensusRelay.maxMs + 300)); // let the last relays go out
      for (const g of got) {
        const heights = g.filter((r) => r.channel === "consensus").map((r) => (r.value as { vote: Vote }).vote.height);
        assert.equal(new Set(heights).size, heights.length, "each vote reached the handler once");
      }
      await Promise.all(nodes.map((n) => n.stop()));
      return dups.count;
    };
    const immediate = await run({ minMs: 0, maxMs: 0 });
    const spread = await run({ minMs: 20, maxMs: 150 });
    assert.ok(immediate > 0, "relaying at once sends duplicates on a full mesh");
    assert.ok(spread < immediate, `spread delays: ${spread} duplicate copies, relaying at once: ${immediate}`);
  });

  test("a persistent peer is redialled after it restarts", async () => {
    const keyA = generateNodeKey();
    const a1 = await startNode({ moniker: "a" }, keyA);
    const port = a1.listenPort();
    const b = await startNode({ persistentPeers: [a1.multiaddrs()[0]!] });
    const gotB = record(b);
    const connected = collect(b, "peerConnected");
    const disconnected = collect(b, "peerDisconnected");
    await waitFor("B connected to A", () => connected.length === 1);
    assert.equal(connected[0]!.nodeId, a1.nodeId);
    assert.equal(connected[0]!.direction, "outbound");

    await a1.stop();
    await waitFor("B saw A leave", () => disconnected.length === 1);
    assert.equal(b.connectedPeers().length, 0);
    // Let at least one redial fail while A is down.
    await new Promise((r) => setTimeout(r, 200));

    const a2 = await startNode({ moniker: "a", listenPort: port }, keyA);
    await waitFor("B reconnected to the restarted A", () => connected.length === 2);
    assert.equal(connected[1]!.nodeId, a2.nodeId);
    await waitFor("mesh re-formed", () => a2.meshPeers("consensus").length === 1);
    await a2.publish("consensus", { type: "vote", vote: sampleVote(9n) });
    await waitFor("B got gossip from the restarted A", () => gotB.length === 1);
    assert.equal(gotB[0]!.from.nodeId, a2.nodeId);
  });

  test("a gossip link broken under a live connection is repaired by reconnecting", async () => {
    const a = await startNode({ moniker: "a" });
    const b = await startNode({ moniker: "b" });
    const gotB = record(b);
    const reconnects = collect(a, "peerConnected");
    await a.dial(b.multiaddrs()[0]!);
    await waitFor("mesh", () => a.meshPeers("consensus").length === 1 && b.meshPeers("consensus").length === 1);
    // Kill the gossipsub streams inside the connection; the connection itself stays up.
    for (const conn of a.libp2p.getConnections(b.peerId)) {
      for (const stream of conn.streams) {
        if (stream.protocol.startsWith("/meshsub/")) stream.abort(new Error("test: broken gossip stream"));
      }
    }
    // B's gossipsub drops A (its inbound stream died) while A still lists B: only B can notice, and
    // its link check reconnects.
    await waitFor("reconnected", () => reconnects.length === 2, 10_000);
    await waitFor("mesh again", () => a.meshPeers("consensus").length === 1, 10_000);
    await a.publish("consensus", { type: "vote", vote: sampleVote(11n) });
    await waitFor("gossip flows again", () => gotB.length === 1);
  });

  test("a flooding peer fills only its own bounded queue; the oldest messages are dropped", async () => {
    const a = await startNode();
    const b = await startNode({ queue: { maxPerPeer: 4, concurrency: 1 } });
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => (release = r));
    const handled: string[] = [];
    b.handle("txs", async (txs): Promise<"accept"> => {
      await gate;
      handled.push(new TextDecoder().decode(txs[0]).slice(-3));
      return "accept";
    });
    await a.dial(b.multiaddrs()[0]!);
    await waitFor("mesh", () => a.meshPeers("txs").length === 1 && b.isVerified(a.peerId.toString()));
    const tag = (i: number): string => `#${String(i).padStart(2, "0")}`;
    for (let i = 0; i < 20; i++) {
      await a.publish("txs", [
        encodeTxRaw({ bodyBytes: utf8Encode("b"), authInfoBytes: utf8Encode(`flood ${tag(i)}`), signatures: [] }),
      ]);
    }
    await waitFor("B received all 20", () => b.stats().gossip.received === 20);
    const q = b.stats().queue;
    assert.equal(q.inFlight, 1);
    assert.equal(q.queued, 4);
    assert.equal(q.droppedFull, 15);
    release();
    await waitFor("B handled the rest", () => handled.length === 5);
    await b.gossipIdle();
    assert.deepEqual(handled, ["#00", "#16", "#17", "#18", "#19"], "the first (in flight) and the newest four");
    assert.equal(b.score(a.peerId.toString()), 0, "flooding alone is not an offence");
  });

  test("garbage and oversized gossip are dropped and the sender's score falls until it is banned", async () => {
    const a = await startNode({
      maxMessageBytes: { txs: 4096, consensus: 65_536, evidence: 4096 },
    });
    const gotA = record(a);
    const m = await startNode({ moniker: "mallory" });
    const banned = collect(a, "peerBanned");
    const mId = m.peerId.toString();
    await m.dial(a.multiaddrs()[0]!);
    await waitFor("A verified M", () => a.isVerified(mId));
    await waitFor(
      "M knows A subscribes",
      () => m.subscribers("consensus").length === 1 && m.subscribers("txs").length === 1,
    );

    // M bypasses its own encoder: raw bytes straight into gossipsub.
    const pubsub = m.libp2p.services.pubsub;
    const scores: number[] = [a.score(mId)];
    assert.equal(scores[0], 0);
    await pubsub.publish(topicName(CHAIN, "txs"), new Uint8Array(10_000).fill(1));
    await waitFor("oversized tx penalised", () => a.score(mId) < scores.at(-1)!);
    scores.push(a.score(mId));
    for (let i = 0; banned.length === 0; i++) {
      assert.ok(i < 10, "M should have been banned by now");
      const garbage = utf8Encode(`\xff\xff garbage #${i}`);
      await pubsub.publish(topicName(CHAIN, "consensus"), garbage);
      await waitFor(`garbage #${i} penalised`, () => a.score(mId) < scores.at(-1)! || banned.length > 0);
      scores.push(a.score(mId));
    }
    for (let i = 1; i < scores.length; i++)
      assert.ok(scores[i]! < scores[i - 1]!, `score fell at step ${i}: ${scores}`);
    assert.equal(banned[0]!.peerId, mId);
    assert.ok(banned[0]!.score <= -100);
    assert.ok(a.isBanned(mId));
    const stats = a.stats();
    assert.equal(stats.gossip.oversized, 1);
    assert.ok(stats.gossip.undecodable >= 1);
    assert.equal(stats.offences.gossipOversized, 1);
    assert.equal(gotA.length, 0, "no garbage reached the handler");

    await waitFor(
      "M disconnected",
      () => a.libp2p.getConnections(m.peerId).length === 0 && m.libp2p.getConnections(a.peerId).length === 0,
    );
    assert.equal(a.connectedPeers().length, 0);
    // A banned peer cannot come back: A's connection gater drops the new connection (the dialer may
    // see it open for a moment, as noise negotiates the muxer early) and it never passes the handshake.
    await assert.rejects(a.dial(m.multiaddrs()[0]!), (e) => isCodedError(e, "P2P_PEER_BANNED"));
    const connectedAtA = collect(a, "peerConnected");
    await m.dial(a.multiaddrs()[0]!).catch(() => undefined);
    await waitFor(
      "the new connection dropped",
      () => a.libp2p.getConnections(m.peerId).length === 0 && m.libp2p.getConnections(a.peerId).length === 0,
    );
    assert.equal(connectedAtA.length, 0);
    assert.equal(a.connectedPeers().length, 0);
  });

  test("peers of another chain id or genesis are refused at the handshake", async () => {
    const a = await startNode();
    const refusedAtA = collect(a, "peerRefused");
    const z = await startNode({ chainId: "other-chain-7", genesisHash: sha256(utf8Encode("other genesis")) });
    const refusedAtZ = collect(z, "peerRefused");
    const y = await startNode({ genesisHash: sha256(utf8Encode("same chain id, other genesis")) });
    const connectedAtA = collect(a, "peerConnected");

    await z.dial(a.multiaddrs()[0]!);
    await waitFor("A refused Z", () => refusedAtA.length === 1);
    await waitFor("Z refused A", () => refusedAtZ.length === 1);
    assert.equal(refusedAtA[0]!.peerId, z.peerId.toString());
    assert.equal(refusedAtA[0]!.code, "P2P_CHAIN_MISMATCH");
    assert.equal(refusedAtZ[0]!.code, "P2P_CHAIN_MISMATCH");
    await waitFor(
      "Z disconnected",
      () => a.libp2p.getConnections(z.peerId).length === 0 && z.libp2p.getConnections(a.peerId).length === 0,
    );
    await z.dial(a.multiaddrs()[0]!).catch(() => undefined);
    await waitFor(
      "Z's second attempt dropped",
      () => a.libp2p.getConnections(z.peerId).length === 0 && z.libp2p.getConnections(a.peerId).length === 0,
    );
    assert.ok(a.isBanned(z.peerId.toString()), "refused peers stay out for a while");

    await y.dial(a.multiaddrs()[0]!);
    await waitFor("A refused Y", () => refusedAtA.length === 2);
    assert.equal(refusedAtA[1]!.peerId, y.peerId.toString());
    assert.equal(refusedAtA[1]!.code, "P2P_CHAIN_MISMATCH");
    assert.match(refusedAtA[1]!.message, /genesis/);
    assert.equal(connectedAtA.length, 0);
    assert.equal(a.connectedPeers().length, 0);
  });

  test("lifecycle: a taken port is a coded error; calls before start and after stop are refused", async () => {
    const a = await startNode();
    const clash = createP2P(
      testP2POptions({ chainId: CHAIN, genesisHash: GENESIS, nodeKey: generateNodeKey(), listenPort: a.listenPort() }),
    );
    await assert.rejects(clash.start(), (e) => isCodedError(e, "P2P_LISTEN_FAILED"));
    const idle = createP2P(testP2POptions({ chainId: CHAIN, genesisHash: GENESIS, nodeKey: generateNodeKey() }));
    await assert.rejects(idle.publish("txs", [sampleTx("early")]), (e) => isCodedError(e, "P2P_NOT_STARTED"));
    assert.throws(
      () => idle.multiaddrs(),
      (e) => isCodedError(e, "P2P_NOT_STARTED"),
    );
    await idle.start();
    await assert.rejects(idle.publish("txs", [new Uint8Array(2_000_000)]), (e) =>
      isCodedError(e, "P2P_MESSAGE_TOO_LARGE"),
    );
    await idle.stop();
    await idle.stop();
    await assert.rejects(idle.publish("txs", [sampleTx("late")]), (e) => isCodedError(e, "P2P_NOT_STARTED"));
  });

  test("CometBFT-style id@host:port: the peer's key must hash to the node id", async () => {
    const a = await startNode();
    const x = await startNode();
    const refusedAtX = collect(x, "peerRefused");
    const wrongId = "0".repeat(40);
    await assert.rejects(x.dial(`${wrongId}@127.0.0.1:${a.listenPort()}`), (e) =>
      isCodedError(e, "P2P_NODE_ID_MISMATCH"),
    );
    assert.equal(refusedAtX[0]!.code, "P2P_NODE_ID_MISMATCH");
    assert.equal(x.connectedPeers().length, 0);

    const w = await startNode();
    assert.equal(await w.dial(`${a.nodeId}@127.0.0.1:${a.listenPort()}`), a.peerId.toString());
    await waitFor("W verified A", () => w.isVerified(a.peerId.toString()));
    assert.equal(w.connectedPeers()[0]!.nodeId, a.nodeId);
  });
});
