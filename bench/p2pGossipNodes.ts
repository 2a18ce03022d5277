/**
 * Child process of `bench/p2pGossip.ts`: 4 P2P nodes (real libp2p on 127.0.0.1, full mesh) in this
 * process, under a localnet-like gossip load for `P2P_GOSSIP_SECONDS`: every 10 ms each node hands
 * its share of 1,000 distinct 300-byte txs/s to `broadcastTx` (batched, relayed with IDONTWANT as
 * in a node), and every 600 ms one node (in turn) publishes a proposal with a 100 KB block and every
 * node two votes. Handlers accept everything (no app). Prints one JSON line: the process's CPU (all
 * threads) per tx delivered to the 3 other nodes, and the txs that arrived (a check that the load
 * went through) and the yamux window updates per tx that reached yamux (all nodes).
 * `P2P_GOSSIP_WINDOW=perFrame` keeps js-yamux's own window updates (the baseline).
 */
import { YamuxStream } from "@chainsafe/libp2p-yamux/stream";
import { randomBytes } from "node:crypto";
import { NIL_BLOCK_ID, SignedMsgType, type Vote, type VoteType } from "../src/codec/consensus.ts";
import { encodeTxRaw } from "../src/codec/tx.ts";
import { sha256 } from "../src/crypto/hash.ts";
import { utf8Encode } from "../src/primitives/bytes.ts";
import { createP2P, generateNodeKey, testP2POptions, type P2PNode } from "../src/p2p/index.ts";

const SECONDS = Number(process.env["P2P_GOSSIP_SECONDS"] ?? 4);
const TXS_PER_SECOND = 1000;
const NODES = 4;

// Counts the window updates that reach yamux's own method (wrapped before p2p.ts installs the
// threshold over it): with the threshold, the ones it did not hold back.
let windowUpdates = 0;
const yamuxProto = YamuxStream.prototype as unknown as { sendWindowUpdate(this: unknown): void };
const yamuxSendWindowUpdate = yamuxProto.sendWindowUpdate;
yamuxProto.sendWindowUpdate = function countWindowUpdate(this: unknown): void {
  windowUpdates++;
  yamuxSendWindowUpdate.call(this);
};
if (process.env["P2P_GOSSIP_WINDOW"] === "perFrame") {
  // Marks the threshold as installed, so that p2p.ts leaves yamux as it is.
  (YamuxStream.prototype as unknown as Record<symbol, boolean>)[Symbol.for("scrt.p2p.yamuxWindowThreshold")] = true;
}

const chainId = "gossip-bench-1";
const genesisHash = sha256(utf8Encode(chainId));
const nodes: P2PNode[] = [];
const received = new Array<number>(NODES).fill(0);
for (let i = 0; i < NODES; i++) {
  const node = createP2P(
    testP2POptions({
      chainId,
      genesisHash,
      nodeKey: generateNodeKey(),
      moniker: `n${i}`,
      heartbeatIntervalMs: 500, // as the node's network
      persistentPeers: nodes.map((n) => n.multiaddrs()[0]!),
    }),
  );
  node.handle("txs", (txs) => {
    received[i]! += txs.length;
    return "accept";
  });
  node.handle("consensus", () => "accept");
  await node.start();
  nodes.push(node);
}
const meshed = (): boolean =>
  nodes.every((n) => n.meshPeers("txs").length === NODES - 1 && n.meshPeers("consensus").length === NODES - 1);
for (let waited = 0; !meshed(); waited += 50) {
  if (waited > 20_000) throw new Error("the nodes did not form a full mesh");
  await new Promise((r) => setTimeout(r, 50));
}

const total = TXS_PER_SECOND * SECONDS;
const txs = Array.from({ length: total }, () =>
  encodeTxRaw({ bodyBytes: randomBytes(180), authInfoBytes: randomBytes(50), signatures: [randomBytes(64)] }),
);
const vote = (node: number, height: bigint, type: VoteType): Vote => ({
  type,
  height,
  round: 0,
  blockId: NIL_BLOCK_ID,
  timestamp: { seconds: 1_700_000_000n, nanos: node },
  validatorAddress: new Uint8Array(20).fill(node),
  validatorIndex: node,
  signature: randomBytes(64),
});

const cpu0 = process.cpuUsage();
const t0 = performance.now();
let sent = 0;
let height = 1n;
let nextHeightAt = 0;
while (sent < total) {
  const now = performance.now() - t0;
  const due = Math.min(total, Math.floor((now / 1000) * TXS_PER_SECOND));
  for (; sent < due; sent++) nodes[sent % NODES]!.broadcastTx(txs[sent]!);
  if (now >= nextHeightAt) {
    const proposer = nodes[Number(height) % NODES]!;
    void proposer.publish("consensus", {
      type: "proposal",
      proposal: {
        height,
        round: 0,
        polRound: -1,
        blockId: NIL_BLOCK_ID,
        timestamp: { seconds: 1_700_000_000n, nanos: 0 },
        signature: randomBytes(64),
      },
      block: randomBytes(100_000),
    });
    nodes.forEach((n, i) => {
      void n.publish("consensus", { type: "vote", vote: vote(i, height, SignedMsgType.Prevote) });
      void n.publish("consensus", { type: "vote", vote: vote(i, height, SignedMsgType.Precommit) });
    });
    height++;
    nextHeightAt += 600;
  }
  await new Promise((r) => setTimeout(r, 10));
}
for (const n of nodes) n.flushTxs();
const expected = total * (NODES - 1);
const arrived = (): number => received.reduce((a, b) => a + b, 0);
for (let waited = 0; arrived() < expected && waited < 30_000; waited += 20) {
  await new Promise((r) => setTimeout(r, 20));
}
const cpu = process.cpuUsage(cpu0);
console.log(
  JSON.stringify({
    cpuUsPerTx: (cpu.user + cpu.system) / total,
    windowUpdatesPerTx: windowUpdates / total,
    arrived: arrived(),
    expected,
  }),
);
await Promise.all(nodes.map((n) => n.stop()));
process.exit(0);
