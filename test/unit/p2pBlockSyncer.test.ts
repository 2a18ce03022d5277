/** BlockSyncer against an in-memory SyncNetwork: ordering, retries, penalties, parallelism, failures. */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { isCodedError } from "../../src/primitives/errors.ts";
import { BlockSyncer, P2PError, type Offence, type PeerStatus, type SyncNetwork } from "../../src/p2p/index.ts";

const block = (h: bigint): Uint8Array => Uint8Array.from([Number(h & 0xffn), Number((h >> 8n) & 0xffn), 42]);

type Behaviour = "good" | "garbage" | "timeout" | "short" | "empty" | "badFromHalf";

interface FakePeer {
  status: PeerStatus;
  behaviour: Behaviour;
  /** Milliseconds before answering. */
  delay?: number;
}

class FakeNet implements SyncNetwork {
  readonly penalties: [string, Offence][] = [];
  readonly requests: [string, bigint, number][] = [];
  inFlight = 0;
  maxInFlight = 0;

  constructor(readonly peers: Map<string, FakePeer>) {}

  syncPeers(): readonly string[] {
    return [...this.peers.keys()];
  }

  async requestStatus(peer: string): Promise<PeerStatus> {
    const p = this.peers.get(peer)!;
    if (p.behaviour === "timeout") throw new P2PError("P2P_TIMEOUT", "slow");
    return p.status;
  }

  async requestBlocks(peer: string, from: bigint, count: number): Promise<readonly Uint8Array[]> {
    this.requests.push([peer, from, count]);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      const p = this.peers.get(peer)!;
      await new Promise((r) => setTimeout(r, p.delay ?? 0));
      if (p.behaviour === "timeout") throw new P2PError("P2P_TIMEOUT", "slow");
      if (p.behaviour === "empty") return [];
      const out: Uint8Array[] = [];
      const n = p.behaviour === "short" ? Math.min(count, 3) : count;
      for (let i = 0; i < n; i++) {
        const h = from + BigInt(i);
        if (h > p.status.latest) break;
        const half = p.status.latest / 2n;
        out.push(
          p.behaviour === "garbage" || (p.behaviour === "badFromHalf" && h > half) ? new Uint8Array([0]) : block(h),
        );
      }
      return out;
    } finally {
      this.inFlight--;
    }
  }

  penalize(peer: string, offence: Offence): void {
    this.penalties.push([peer, offence]);
  }
}

function verifyingApply(applied: bigint[]): (h: bigint, b: Uint8Array) => Promise<void> {
  return async (h, b) => {
    const want = block(h);
    if (b.length !== want.length || b.some((x, i) => x !== want[i])) throw new Error(`bad block ${h}`);
    applied.push(h);
  };
}

const range = (from: bigint, to: bigint): bigint[] => {
  const out: bigint[] = [];
  for (let h = from; h <= to; h++) out.push(h);
  return out;
};

describe("BlockSyncer", () => {
  test("applies in order with bounded parallelism; garbage and short answers are retried elsewhere", async () => {
    const net = new FakeNet(
      new Map<string, FakePeer>([
        ["good", { status: { base: 1n, latest: 100n }, behaviour: "good", delay: 2 }],
        ["garbage", { status: { base: 1n, latest: 100n }, behaviour: "garbage" }],
        ["short", { status: { base: 1n, latest: 100n }, behaviour: "short", delay: 1 }],
      ]),
    );
    const applied: bigint[] = [];
    const progress: bigint[] = [];
    const result = await new BlockSyncer(net, {
      fromHeight: 11n,
      batchSize: 7,
      parallelism: 3,
      apply: verifyingApply(applied),
      onProgress: (p) => progress.push(p.height),
    }).run();
    assert.deepEqual(applied, range(11n, 100n));
    assert.deepEqual(result, { height: 100n, appliedBlocks: 90 });
    assert.ok(net.maxInFlight <= 3, `parallelism bound: ${net.maxInFlight}`);
    assert.deepEqual(
      net.penalties.filter(([p]) => p === "garbage").map(([, o]) => o),
      ["syncBadBlock"],
      "penalised once, then left out of the run",
    );
    assert.equal(net.penalties.filter(([p]) => p !== "garbage").length, 0);
    assert.ok(net.requests.every(([, from]) => from >= 11n));
    assert.equal(progress.at(-1), 100n);
  });

  test("a peer that is good up to a height and bad after it: the rest comes from another peer", async () => {
    const net = new FakeNet(
      new Map<string, FakePeer>([
        ["half", { status: { base: 1n, latest: 40n }, behaviour: "badFromHalf" }],
        ["good", { status: { base: 1n, latest: 40n }, behaviour: "good", delay: 3 }],
      ]),
    );
    const applied: bigint[] = [];
    await new BlockSyncer(net, { fromHeight: 1n, batchSize: 40, parallelism: 1, apply: verifyingApply(applied) }).run();
    assert.deepEqual(applied, range(1n, 40n));
    assert.deepEqual(net.penalties, [["half", "syncBadBlock"]]);
  });

  test("peers serving different ranges; a chain that grows during the sync", async () => {
    const peers = new Map<string, FakePeer>([
      ["old", { status: { base: 1n, latest: 30n }, behaviour: "good" }],
      ["pruned", { status: { base: 20n, latest: 60n }, behaviour: "good" }],
    ]);
    const net = new FakeNet(peers);
    const applied: bigint[] = [];
    const apply = verifyingApply(applied);
    const result = await new BlockSyncer(net, {
      fromHeight: 1n,
      batchSize: 8,
      parallelism: 2,
      apply: async (h, b) => {
        await apply(h, b);
        if (h === 50n) peers.get("pruned")!.status = { base: 20n, latest: 75n };
      },
    }).run();
    assert.deepEqual(applied, range(1n, 75n));
    assert.equal(result.height, 75n);
    for (const [peer, from, count] of net.requests) {
      const s = peers.get(peer)!.status;
      assert.ok(from >= s.base && from + BigInt(count) - 1n <= s.latest, `${peer} asked for what it has`);
    }
  });

  test("fails with a coded error when nobody can serve a height", async () => {
    const onlyBad = new FakeNet(
      new Map([["bad", { status: { base: 1n, latest: 10n }, behaviour: "garbage" as const }]]),
    );
    const applied: bigint[] = [];
    await assert.rejects(new BlockSyncer(onlyBad, { fromHeight: 1n, apply: verifyingApply(applied) }).run(), (e) =>
      isCodedError(e, "P2P_SYNC_FAILED"),
    );
    assert.deepEqual(applied, []);
    const silent = new FakeNet(
      new Map([["slow", { status: { base: 1n, latest: 10n }, behaviour: "timeout" as const }]]),
    );
    await assert.rejects(new BlockSyncer(silent, { fromHeight: 1n, apply: verifyingApply([]) }).run(), (e) =>
      isCodedError(e, "P2P_NO_PEERS"),
    );
    assert.deepEqual(silent.penalties, [], "the syncer leaves timeout penalties to the network layer");
    const empty = new FakeNet(
      new Map<string, FakePeer>([["liar", { status: { base: 1n, latest: 10n }, behaviour: "empty" }]]),
    );
    await assert.rejects(new BlockSyncer(empty, { fromHeight: 1n, apply: verifyingApply([]) }).run(), (e) =>
      isCodedError(e, "P2P_SYNC_FAILED"),
    );
    await assert.rejects(
      new BlockSyncer(new FakeNet(new Map()), { fromHeight: 5n, apply: verifyingApply([]) }).run(),
      (e) => isCodedError(e, "P2P_NO_PEERS"),
    );
    const behind = new FakeNet(new Map([["behind", { status: { base: 1n, latest: 3n }, behaviour: "good" as const }]]));
    const caughtUp = await new BlockSyncer(behind, { fromHeight: 5n, apply: verifyingApply([]) }).run();
    assert.deepEqual(caughtUp, { height: 4n, appliedBlocks: 0 }, "nothing to do when no peer is ahead");
    assert.deepEqual(behind.requests, []);
  });

  test("property: any mix of peers with at least one honest full peer syncs everything in order", async () => {
    const behaviours: Behaviour[] = ["good", "garbage", "timeout", "short", "empty", "badFromHalf"];
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom(...behaviours), { maxLength: 4 }),
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 1, max: 4 }),
        async (others, latest, batchSize, parallelism) => {
          const peers = new Map<string, FakePeer>([
            ["honest", { status: { base: 1n, latest: BigInt(latest) }, behaviour: "good" }],
          ]);
          others.forEach((b, i) => peers.set(`p${i}`, { status: { base: 1n, latest: BigInt(latest) }, behaviour: b }));
          const net = new FakeNet(peers);
          const applied: bigint[] = [];
          const r = await new BlockSyncer(net, {
            fromHeight: 1n,
            batchSize,
            parallelism,
            apply: verifyingApply(applied),
          }).run();
          assert.deepEqual(applied, range(1n, BigInt(latest)));
          assert.equal(r.height, BigInt(latest));
          assert.ok(net.maxInFlight <= parallelism);
          assert.ok(!net.penalties.some(([p]) => p === "honest"));
        },
      ),
      { numRuns: 60 },
    );
  });
});
