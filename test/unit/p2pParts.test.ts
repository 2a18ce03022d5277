/** The p2p layer's parts without a network: identity, peer addresses, options, frames, score, queues. */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { generateKeyPairFromSeed } from "@libp2p/crypto/keys";
import { peerIdFromString } from "@libp2p/peer-id";
import { isCodedError } from "../../src/primitives/errors.ts";
import { toBase64 } from "../../src/primitives/base64.ts";
import {
  DEFAULT_SCORE_OPTIONS,
  generateNodeKey,
  nodeIdFromPublicKey,
  nodeIdOfKey,
  nodeIdOfPeerId,
  nodeKeyFromSeed,
  nodeKeyToJson,
  nodeKeyToPrivateKey64,
  parseNodeKeyJson,
  parsePeerAddress,
  PeerScoreBook,
  peerIdOfNodeKey,
  readNodeKeyFile,
  testP2POptions,
  validateP2POptions,
  writeNodeKeyFile,
} from "../../src/p2p/index.ts";
import { encodeFrame, FrameReader } from "../../src/p2p/frames.ts";
import { InboundQueues } from "../../src/p2p/queue.ts";
import { PersistentPeers } from "../../src/p2p/peers.ts";

const seed = Uint8Array.from({ length: 32 }, (_, i) => i + 1);

async function* chunksOf(bytes: Uint8Array, sizes: number[]): AsyncGenerator<Uint8Array> {
  let off = 0;
  let i = 0;
  while (off < bytes.length) {
    const n = Math.max(1, sizes[i++ % sizes.length]!);
    yield bytes.subarray(off, off + n);
    off += n;
  }
}

describe("p2p identity", () => {
  test("node key: 64-byte private key = seed ‖ pubkey, as libp2p's own Ed25519 key", async () => {
    const key = nodeKeyFromSeed(seed);
    const libp2pKey = await generateKeyPairFromSeed("Ed25519", seed);
    assert.deepEqual(nodeKeyToPrivateKey64(key), libp2pKey.raw);
    assert.deepEqual(key.publicKey, libp2pKey.publicKey.raw);
    const pid = peerIdOfNodeKey(key);
    assert.equal(pid.toString(), peerIdFromString(pid.toString()).toString());
    assert.deepEqual(pid.publicKey?.raw, key.publicKey);
  });

  test("node id = hex(sha256(pubkey)[0..20]), from the key and from the PeerId", () => {
    const key = nodeKeyFromSeed(seed);
    const expected = createHash("sha256").update(key.publicKey).digest("hex").slice(0, 40);
    assert.equal(nodeIdOfKey(key), expected);
    assert.equal(nodeIdFromPublicKey(key.publicKey), expected);
    assert.equal(nodeIdOfPeerId(peerIdOfNodeKey(key)), expected);
    assert.throws(
      () => nodeIdFromPublicKey(new Uint8Array(31)),
      (e) => isCodedError(e, "P2P_BAD_NODE_KEY"),
    );
  });

  test("node_key.json: round trip, CometBFT shape, corrupt files refused", async () => {
    const key = generateNodeKey();
    const json = nodeKeyToJson(key);
    assert.equal(json.priv_key.type, "tendermint/PrivKeyEd25519");
    assert.deepEqual(parseNodeKeyJson(JSON.parse(JSON.stringify(json))), key);
    const bad = (v: unknown): void =>
      assert.throws(
        () => parseNodeKeyJson(v),
        (e) => isCodedError(e, "P2P_BAD_NODE_KEY"),
      );
    bad(null);
    bad({ priv_key: { type: "tendermint/PrivKeySecp256k1", value: json.priv_key.value } });
    bad({ priv_key: { type: "tendermint/PrivKeyEd25519", value: "!!" } });
    bad({ priv_key: { type: "tendermint/PrivKeyEd25519", value: toBase64(new Uint8Array(32)) } });
    const wrongPub = nodeKeyToPrivateKey64(key);
    wrongPub[40]! ^= 1;
    bad({ priv_key: { type: "tendermint/PrivKeyEd25519", value: toBase64(wrongPub) } });

    const dir = await mkdtemp(join(tmpdir(), "p2p-key-"));
    try {
      const path = join(dir, "node_key.json");
      await writeNodeKeyFile(path, key);
      assert.equal((await stat(path)).mode & 0o777, 0o600);
      assert.deepEqual(await readNodeKeyFile(path), key);
      assert.match(await readFile(path, "utf8"), /"priv_key"/);
      await assert.rejects(writeNodeKeyFile(path, generateNodeKey()), "never overwrites a key");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("p2p peer addresses and options", () => {
  test("multiaddr with /p2p/ and CometBFT id@host:port", () => {
    const pid = peerIdOfNodeKey(nodeKeyFromSeed(seed)).toString();
    const a = parsePeerAddress(`/ip4/10.0.0.1/tcp/26656/p2p/${pid}`);
    assert.equal(a.peerId, pid);
    assert.equal(a.multiaddr.toString(), `/ip4/10.0.0.1/tcp/26656/p2p/${pid}`);
    const id = "AB".repeat(20);
    const b = parsePeerAddress(`${id}@192.168.1.2:26656`);
    assert.equal(b.nodeId, id.toLowerCase());
    assert.equal(b.multiaddr.toString(), "/ip4/192.168.1.2/tcp/26656");
    assert.equal(parsePeerAddress(`${id}@node-1.example.com:1`).multiaddr.toString(), "/dns4/node-1.example.com/tcp/1");
    assert.equal(parsePeerAddress(`${id}@[::1]:26656`).multiaddr.toString(), "/ip6/::1/tcp/26656");
    for (const badText of [
      "/ip4/10.0.0.1/tcp/26656",
      "/ip4/10.0.0.1/tcp/26656/p2p/notapeerid",
      "/nonsense",
      `${id}@host`,
      `${id.slice(2)}@host:1`,
      `${id}@host:70000`,
      "",
    ]) {
      assert.throws(
        () => parsePeerAddress(badText),
        (e) => isCodedError(e, "P2P_BAD_PEER_ADDRESS"),
        badText,
      );
    }
  });

  test("options are validated", () => {
    const base = { chainId: "c-1", genesisHash: new Uint8Array(32), nodeKey: nodeKeyFromSeed(seed) };
    assert.doesNotThrow(() => validateP2POptions(testP2POptions(base)));
    const bad = (extra: object): void =>
      assert.throws(
        () => validateP2POptions(testP2POptions({ ...base, ...extra })),
        (e) => isCodedError(e, "P2P_BAD_OPTIONS"),
      );
    bad({ chainId: "" });
    bad({ chainId: "has space" });
    bad({ genesisHash: new Uint8Array(31) });
    bad({ listenPort: 70000 });
    bad({ redialMinMs: 500, redialMaxMs: 100 });
    bad({ maxMessageBytes: { txs: 0, consensus: 1, evidence: 1 } });
    bad({ queue: { maxPerPeer: 0, concurrency: 1 } });
    bad({ score: { ...DEFAULT_SCORE_OPTIONS, banThreshold: 5 } });
    bad({ score: { ...DEFAULT_SCORE_OPTIONS, decayFactor: 1.5 } });
  });

  test("persistent peers: redial with doubling backoff until a dial succeeds; reset on verification", async () => {
    const address = parsePeerAddress(`${"cd".repeat(20)}@127.0.0.1:9`);
    const attempts: number[] = [];
    let failUntil = 3;
    const peers = new PersistentPeers(
      [address],
      () => {
        attempts.push(Date.now());
        if (attempts.length <= failUntil) return Promise.reject(new Error("refused"));
        return Promise.resolve("peer-x");
      },
      { minMs: 10, maxMs: 40 },
    );
    peers.start();
    const deadline = Date.now() + 3000;
    while (attempts.length < 4 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    assert.equal(attempts.length, 4, "three failures, then success");
    assert.equal(peers.isPersistent("peer-x"), true);
    assert.equal(peers.expectedNodeId("peer-x"), "cd".repeat(20));
    // A disconnect schedules another dial.
    failUntil = 0;
    peers.onVerified("peer-x");
    peers.onDisconnected("peer-x");
    while (attempts.length < 5 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    assert.equal(attempts.length, 5);
    peers.stop();
    peers.onDisconnected("peer-x");
    await new Promise((r) => setTimeout(r, 80));
    assert.equal(attempts.length, 5, "no dial after stop");
  });
});

describe("p2p frames", () => {
  test("frames survive any chunking", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 6 }),
        fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 5 }),
        async (payloads, sizes) => {
          const wire = Uint8Array.from(payloads.flatMap((p) => [...encodeFrame(p)]));
          const reader = new FrameReader(chunksOf(wire, sizes), 1000);
          for (const p of payloads) assert.deepEqual(await reader.next(), p);
          assert.equal(await reader.next(), undefined);
        },
      ),
      { numRuns: 200 },
    );
  });

  test("oversized, truncated and endless prefixes are refused", async () => {
    const big = encodeFrame(new Uint8Array(2000));
    await assert.rejects(new FrameReader(chunksOf(big, [3]), 1999).next(), (e) =>
      isCodedError(e, "P2P_FRAME_TOO_LARGE"),
    );
    const cut = encodeFrame(new Uint8Array(10)).subarray(0, 6);
    await assert.rejects(new FrameReader(chunksOf(cut, [2]), 100).next(), (e) => isCodedError(e, "P2P_PROTOCOL"));
    const endless = new Uint8Array(8).fill(0x80);
    await assert.rejects(new FrameReader(chunksOf(endless, [1]), 1 << 30).next(), (e) =>
      isCodedError(e, "P2P_FRAME_TOO_LARGE"),
    );
    const halfPrefix = Uint8Array.from([0x80]);
    await assert.rejects(new FrameReader(chunksOf(halfPrefix, [1]), 100).next(), (e) =>
      isCodedError(e, "P2P_PROTOCOL"),
    );
    assert.equal(await new FrameReader(chunksOf(new Uint8Array(0), [1]), 100).next(), undefined);
    assert.deepEqual([...encodeFrame(new Uint8Array(300)).subarray(0, 2)], [0xac, 0x02]);
  });
});

describe("p2p score book", () => {
  test("penalties add up, decay towards zero, and ban at the threshold for a while", () => {
    let now = 1_000_000;
    const book = new PeerScoreBook(DEFAULT_SCORE_OPTIONS, () => now);
    assert.equal(book.score("p"), 0);
    assert.deepEqual(book.penalize("p", "gossipDecode"), { score: -20, banned: false });
    now += 1000;
    assert.ok(Math.abs(book.score("p") - -20 * 0.98) < 1e-9, "one decay interval");
    now += 100_000;
    assert.ok(book.score("p") > -3, "decays towards zero");
    const before = book.score("p");
    let r = book.penalize("p", "syncBadBlock");
    assert.ok(r.score < before);
    for (let i = 0; i < 2; i++) r = book.penalize("p", "syncBadBlock");
    assert.equal(r.banned, true);
    assert.ok(r.score <= -100);
    assert.equal(book.isBanned("p"), true);
    assert.equal(book.bans().length, 1);
    assert.equal(book.penalize("p", "syncTimeout").banned, false, "a ban is reported once");
    now += DEFAULT_SCORE_OPTIONS.banDurationMs;
    assert.equal(book.isBanned("p"), false, "bans expire");
    assert.equal(book.offenceCounts().syncBadBlock, 3);
    assert.equal(book.score("q"), 0, "other peers are unaffected");
  });
});

describe("p2p inbound queues", () => {
  test("bounded per peer (oldest dropped), round-robin across peers, concurrency-limited", async () => {
    const order: string[] = [];
    const dropped: string[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    let release: () => void = () => {};
    let gate = new Promise<void>((r) => (release = r));
    const q = new InboundQueues<string>(
      { maxPerPeer: 3, concurrency: 2 },
      async (_peer, item) => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await gate;
        order.push(item);
        inFlight--;
      },
      (_peer, item, why) => dropped.push(`${item}:${why}`),
    );
    // The first two items start at once and block on the gate; the rest queue up.
    q.push("a", "a0");
    q.push("b", "b0");
    for (let i = 1; i <= 5; i++) q.push("a", `a${i}`);
    q.push("b", "b1");
    assert.deepEqual(dropped, ["a1:full", "a2:full"], "a's queue keeps its newest 3");
    assert.equal(q.queuedFor("a"), 3);
    assert.equal(q.stats().droppedFull, 2);
    release();
    await q.idle();
    assert.equal(maxInFlight, 2);
    assert.deepEqual(order.slice(0, 2).sort(), ["a0", "b0"]);
    assert.deepEqual(
      order.filter((x) => x.startsWith("a")),
      ["a0", "a3", "a4", "a5"],
      "per-peer FIFO",
    );
    assert.ok(order.indexOf("b1") < order.indexOf("a5"), "b is not starved behind a's backlog");
    gate = Promise.resolve();
  });

  test("items of a peer that is not ready wait; dropping the peer discards them", async () => {
    const ready = new Set<string>();
    const done: string[] = [];
    const dropped: string[] = [];
    const q = new InboundQueues<string>(
      { maxPerPeer: 10, concurrency: 4 },
      async (_p, item) => {
        done.push(item);
      },
      (_p, item, why) => dropped.push(`${item}:${why}`),
      (peer) => ready.has(peer),
    );
    q.push("x", "x0");
    q.push("y", "y0");
    q.push("y", "y1");
    await q.idle();
    assert.deepEqual(done, []);
    ready.add("x");
    q.wake();
    await q.idle();
    assert.deepEqual(done, ["x0"]);
    q.dropPeer("y");
    assert.deepEqual(dropped, ["y0:discarded", "y1:discarded"]);
    assert.equal(q.stats().queued, 0);
  });

  test("urgent items (consensus) are served first and dropped last", async () => {
    const done: string[] = [];
    const dropped: string[] = [];
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => (release = r));
    const q = new InboundQueues<string>(
      { maxPerPeer: 3, concurrency: 1 },
      async (_p, item) => {
        await gate;
        done.push(item);
      },
      (_p, item, why) => dropped.push(`${item}:${why}`),
      () => true,
      (item) => item.startsWith("vote"),
    );
    q.push("a", "tx0"); // starts at once, waits on the gate
    q.push("a", "tx1");
    q.push("a", "tx2");
    q.push("b", "tx3");
    q.push("a", "vote0");
    q.push("a", "vote1"); // a's queue is over its bound: its oldest tx goes, not a vote
    assert.deepEqual(dropped, ["tx1:full"]);
    q.push("a", "vote2");
    q.push("a", "vote3"); // only votes left to drop: the oldest vote goes
    assert.deepEqual(dropped, ["tx1:full", "tx2:full", "vote0:full"]);
    release();
    await q.idle();
    assert.deepEqual(done, ["tx0", "vote1", "vote2", "vote3", "tx3"]);
  });
});
