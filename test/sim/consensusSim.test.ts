/**
 * Randomized simulation of Tendermint consensus: N validators (reducer + driver + in-memory WAL) in one
 * process, a simulated clock and network. Before GST the network drops, duplicates, delays and reorders
 * messages, proposers sometimes build invalid blocks, and nodes crash (losing what their WAL had not
 * synced, possibly mid-record) and recover from their WAL bytes. After GST every message arrives within
 * a bound and no node crashes. Invariants after every simulated event: agreement (no two different
 * decisions at a height), validity (only valid blocks are decided), no honest node signs two different
 * votes for one height/round/type, no evidence against honest nodes. At the end: termination (every node
 * decided every height up to the target).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  decodeProposal,
  decodeVote,
  encodeProposal,
  encodeVote,
  isNilBlockId,
  NIL_BLOCK_ID,
  proposalSignBytes,
  voteSignBytes,
  type Proposal,
  type Timestamp,
  type Vote,
} from "../../src/codec/consensus.ts";
import { ed25519Sign, sha256 } from "../../src/crypto/index.ts";
import { ConsensusDriver, recoverDriver, type DriverIo } from "../../src/consensus/driver/driver.ts";
import { MemoryWal } from "../../src/consensus/driver/memoryWal.ts";
import { createPrivValidator } from "../../src/consensus/privval.ts";
import { createConsensusState } from "../../src/consensus/reducer.ts";
import type { ConsensusEvent } from "../../src/consensus/types.ts";
import { nextHeightValidatorSet, type ValidatorSet } from "../../src/consensus/validatorSet.ts";
import { blockKey } from "../../src/consensus/voteSet.ts";
import { decodeWal } from "../../src/consensus/wal.ts";
import { bytesEqual } from "../../src/primitives/bytes.ts";
import { makeValidators, seedOf, TEST_CONFIG } from "../unit/consensusFixtures.ts";

const te = new TextEncoder();
const td = new TextDecoder();

/** mulberry32: a small deterministic PRNG. */
class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

type Msg =
  | { kind: "vote"; bytes: Uint8Array; height: bigint }
  | { kind: "proposal"; bytes: Uint8Array; block: Uint8Array; height: bigint };

type SimEvent =
  | { kind: "deliver"; to: number; msg: Msg }
  | { kind: "input"; node: number; epoch: number; event: ConsensusEvent }
  | { kind: "gossip" }
  | { kind: "crash"; node: number }
  | { kind: "recover"; node: number };

interface Node {
  index: number;
  driver: ConsensusDriver | null;
  wal: MemoryWal;
  epoch: number;
  /** The app's block store: decided block key by height (survives crashes). */
  committed: Map<bigint, string>;
  /** Messages seen (sent or received) by height, re-gossiped to peers behind. */
  seen: Map<bigint, Msg[]>;
  seenKeys: Set<string>;
}

interface SimOptions {
  n: number;
  seed: number;
  targetHeight: bigint;
  gstMs: number;
  dropRate: number;
  crashRate: number;
  badBlockRate: number;
  /** Node 0 equivocates: conflicting votes to half of its peers, two proposals when it proposes (equal powers, so f = 1 of 4). */
  byzantine?: number;
}

interface SimStats {
  events: number;
  steps: number;
  crashes: number;
  maxRound: number;
  timeMs: number;
  evidence?: number;
}

function isValidBlock(block: Uint8Array, id: { hash: Uint8Array }): boolean {
  return bytesEqual(sha256(block), id.hash) && !td.decode(block).includes(";bad");
}

function runSim(opts: SimOptions): SimStats {
  const rng = new Rng(opts.seed);
  const powers = Array.from({ length: opts.n }, () =>
    BigInt(1 + rng.int(opts.seed % 3 === 0 || (opts.byzantine ?? 0) > 0 ? 1 : 5)),
  );
  /** Nodes 0 … byzantine−1 equivocate (equal powers, so they stay below 1/3 when byzantine ≤ f). */
  const isByz = (i: number): boolean => i < (opts.byzantine ?? 0);
  let evidenceCount = 0;
  const vals = makeValidators(powers, `sim-${opts.seed}`);
  const setAt = new Map<bigint, ValidatorSet>([[1n, vals.set]]);
  const validatorsAt = (h: bigint): ValidatorSet => {
    let s = setAt.get(h);
    if (s === undefined) {
      s = nextHeightValidatorSet(validatorsAt(h - 1n));
      setAt.set(h, s);
    }
    return s;
  };

  // The event queue: a binary heap on (time, seq).
  const heap: { time: number; seq: number; ev: SimEvent }[] = [];
  let seq = 0;
  let now = 0;
  const push = (time: number, ev: SimEvent): void => {
    const item = { time, seq: seq++, ev };
    heap.push(item);
    let i = heap.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const a = heap[p]!;
      if (a.time < item.time || (a.time === item.time && a.seq < item.seq)) break;
      heap[i] = a;
      i = p;
    }
    heap[i] = item;
  };
  const pop = (): { time: number; ev: SimEvent } | undefined => {
    const top = heap[0];
    const last = heap.pop();
    if (top === undefined || last === undefined) return undefined;
    if (heap.length > 0) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        const less = (x: number, y: number): boolean =>
          heap[x]!.time < heap[y]!.time || (heap[x]!.time === heap[y]!.time && heap[x]!.seq < heap[y]!.seq);
        if (l < heap.length && less(l, m)) m = l;
        if (r < heap.length && less(r, m)) m = r;
        if (m === i) break;
        [heap[i], heap[m]] = [heap[m]!, heap[i]!];
        i = m;
      }
    }
    return top;
  };

  const decisions = new Map<bigint, string>();
  const signedVotes = new Map<string, string>();
  const stats: SimStats = { events: 0, steps: 0, crashes: 0, maxRound: 0, timeMs: 0 };
  const nodes: Node[] = [];
  const afterGst = (): boolean => now >= opts.gstMs;

  const send = (from: number, to: number, msg: Msg): void => {
    if (!afterGst() && rng.chance(opts.dropRate)) return;
    const delay = afterGst() ? 1 + rng.int(100) : 1 + rng.int(2500);
    push(now + delay, { kind: "deliver", to, msg });
    if (!afterGst() && rng.chance(0.05)) push(now + 1 + rng.int(3000), { kind: "deliver", to, msg });
    void from;
  };

  const remember = (node: Node, msg: Msg): void => {
    const key = `${msg.kind}:${Buffer.from(msg.bytes).toString("hex")}`;
    if (node.seenKeys.has(key)) return;
    node.seenKeys.add(key);
    const list = node.seen.get(msg.height) ?? [];
    list.push(msg);
    node.seen.set(msg.height, list);
  };

  const broadcast = (from: number, msg: Msg): void => {
    remember(nodes[from]!, msg);
    for (const peer of nodes) if (peer.index !== from) send(from, peer.index, msg);
  };

  /** Sends `a` to half of the peers and `b` to the others (both remembered, so gossip spreads both). */
  const split = (from: number, a: Msg, b: Msg): void => {
    remember(nodes[from]!, a);
    remember(nodes[from]!, b);
    for (const peer of nodes) if (peer.index !== from) send(from, peer.index, rng.chance(0.5) ? a : b);
  };
  const byzantineVote = (byz: number, vote: Vote): void => {
    const byzSeed = seedOf(byz, `sim-${opts.seed}`);
    const known = [...(nodes[byz]!.seen.get(vote.height) ?? [])]
      .filter((m) => m.kind === "proposal")
      .map((m) => decodeProposal(m.bytes).blockId)
      .filter((id) => blockKey(id) !== blockKey(vote.blockId));
    const target = isNilBlockId(vote.blockId)
      ? known[0]
      : rng.chance(0.5) || known.length === 0
        ? NIL_BLOCK_ID
        : known[0]!;
    if (target === undefined)
      return void broadcast(byz, { kind: "vote", bytes: encodeVote(vote), height: vote.height });
    const twin = { ...vote, blockId: target };
    const signed = { ...twin, signature: ed25519Sign(byzSeed, voteSignBytes(TEST_CONFIG.chainId, twin)) };
    split(
      byz,
      { kind: "vote", bytes: encodeVote(vote), height: vote.height },
      { kind: "vote", bytes: encodeVote(signed), height: vote.height },
    );
  };
  const byzantineProposal = (byz: number, proposal: Proposal, block: Uint8Array): void => {
    const byzSeed = seedOf(byz, `sim-${opts.seed}`);
    const twinBlock = te.encode(`${td.decode(block)};twin`);
    const hash = sha256(twinBlock);
    const twin = { ...proposal, polRound: -1, blockId: { hash, partSetHeader: { total: 1, hash: sha256(hash) } } };
    const signed = { ...twin, signature: ed25519Sign(byzSeed, proposalSignBytes(TEST_CONFIG.chainId, twin)) };
    split(
      byz,
      { kind: "proposal", bytes: encodeProposal(proposal), block, height: proposal.height },
      { kind: "proposal", bytes: encodeProposal(signed), block: twinBlock, height: proposal.height },
    );
  };

  const simTime = (): Timestamp => ({
    seconds: 1_700_000_000n + BigInt(Math.floor(now / 1000)),
    nanos: (now % 1000) * 1_000_000,
  });

  const makeIo = (node: Node, epoch: number): DriverIo => {
    const input = (delay: number, event: ConsensusEvent): void =>
      push(now + delay, { kind: "input", node: node.index, epoch, event });
    return {
      now: simTime,
      broadcastVote: (vote) => {
        if (isByz(node.index)) return byzantineVote(node.index, vote);
        const key = `${node.index}/${vote.height}/${vote.round}/${vote.type}`;
        const prior = signedVotes.get(key);
        const mine = blockKey(vote.blockId);
        assert.ok(
          prior === undefined || prior === mine,
          `seed ${opts.seed}: node ${node.index} double-signed ${key}: ${prior} vs ${mine}`,
        );
        signedVotes.set(key, mine);
        broadcast(node.index, { kind: "vote", bytes: encodeVote(vote), height: vote.height });
      },
      broadcastProposal: (proposal, block) => {
        if (isByz(node.index)) return byzantineProposal(node.index, proposal, block);
        broadcast(node.index, { kind: "proposal", bytes: encodeProposal(proposal), block, height: proposal.height });
      },
      scheduleTimeout: (e) => input(e.durationMs, { type: "timeout", kind: e.kind, height: e.height, round: e.round }),
      requestBlock: (e) => {
        const bad = !afterGst() && rng.chance(opts.badBlockRate) ? ";bad" : "";
        const block = te.encode(`height=${e.height};round=${e.round};proposer=${node.index};seed=${opts.seed}${bad}`);
        const hash = sha256(block);
        input(1 + rng.int(20), {
          type: "blockCreated",
          height: e.height,
          round: e.round,
          block,
          blockId: { hash, partSetHeader: { total: 1, hash: sha256(hash) } },
        });
      },
      validateBlock: (e) =>
        input(1 + rng.int(20), {
          type: "blockValidity",
          height: e.height,
          blockId: e.blockId,
          valid: isValidBlock(e.block, e.blockId),
        }),
      decide: (e) => {
        const key = blockKey(e.blockId);
        if (isByz(node.index)) {
          if (e.height < opts.targetHeight)
            input(1, { type: "startHeight", height: e.height + 1n, validators: validatorsAt(e.height + 1n) });
          node.committed.set(e.height, key);
          return;
        }
        assert.ok(isValidBlock(e.block, e.blockId), `seed ${opts.seed}: invalid block decided at ${e.height}`);
        const global = decisions.get(e.height);
        assert.ok(global === undefined || global === key, `seed ${opts.seed}: disagreement at height ${e.height}`);
        decisions.set(e.height, key);
        const mine = node.committed.get(e.height);
        assert.ok(mine === undefined || mine === key, `seed ${opts.seed}: node ${node.index} changed its decision`);
        node.committed.set(e.height, key);
        if (e.round > stats.maxRound) stats.maxRound = e.round;
        // The commit carries +2/3 of the power in precommits for the block.
        let power = 0n;
        e.commit.signatures.forEach((s, i) => {
          if (s.blockIdFlag === 2) power += validatorsAt(e.height).validators[i]!.votingPower;
        });
        assert.ok(power * 3n > validatorsAt(e.height).totalVotingPower * 2n, "commit without +2/3");
        if (e.height < opts.targetHeight)
          input(1 + rng.int(20), {
            type: "startHeight",
            height: e.height + 1n,
            validators: validatorsAt(e.height + 1n),
          });
      },
      evidence: (e) => {
        assert.ok(
          vals.privvals.some((pv, i) => isByz(i) && bytesEqual(e.evidence.voteA.validatorAddress, pv.address)),
          `seed ${opts.seed}: evidence against an honest node`,
        );
        assert.ok(bytesEqual(e.evidence.voteB.validatorAddress, e.evidence.voteA.validatorAddress));
        evidenceCount++;
      },
    };
  };

  for (let i = 0; i < opts.n; i++) {
    const node: Node = {
      index: i,
      driver: null,
      wal: new MemoryWal(),
      epoch: 0,
      committed: new Map(),
      seen: new Map(),
      seenKeys: new Set(),
    };
    nodes.push(node);
    const pv = createPrivValidator(seedOf(i, `sim-${opts.seed}`));
    node.driver = new ConsensusDriver(createConsensusState(TEST_CONFIG, pv.address), pv, node.wal, makeIo(node, 0));
    push(rng.int(50), {
      kind: "input",
      node: i,
      epoch: 0,
      event: { type: "startHeight", height: 1n, validators: validatorsAt(1n) },
    });
  }
  push(1000, { kind: "gossip" });
  if (opts.crashRate > 0) {
    for (let t = rng.int(2000); t < opts.gstMs; t += 500 + rng.int(Math.floor(2000 / opts.crashRate))) {
      push(t, { kind: "crash", node: rng.int(opts.n) });
    }
  }

  const honest = (): Node[] => nodes.filter((n) => !isByz(n.index));
  const done = (): boolean => honest().every((n) => n.committed.has(opts.targetHeight));
  const deadline = opts.gstMs + 300_000;
  while (!done()) {
    const item = pop();
    assert.ok(item !== undefined, `seed ${opts.seed}: the simulation ran out of events`);
    now = item.time;
    assert.ok(
      now <= deadline,
      `seed ${opts.seed}: no termination ${deadline - opts.gstMs} ms after GST (heights ${nodes.map((n) => n.driver?.state.height).join(",")})`,
    );
    stats.events++;
    const ev = item.ev;
    switch (ev.kind) {
      case "deliver": {
        const node = nodes[ev.to]!;
        if (node.driver === null) break;
        remember(node, ev.msg);
        stats.steps++;
        if (ev.msg.kind === "vote") node.driver.handle({ type: "vote", vote: decodeVote(ev.msg.bytes) });
        else node.driver.handle({ type: "proposal", proposal: decodeProposal(ev.msg.bytes), block: ev.msg.block });
        break;
      }
      case "input": {
        const node = nodes[ev.node]!;
        if (node.driver === null || node.epoch !== ev.epoch) break;
        stats.steps++;
        node.driver.handle(ev.event);
        break;
      }
      case "gossip": {
        for (const from of nodes) {
          if (from.driver === null) continue;
          for (const to of nodes) {
            if (to === from || to.driver === null || to.driver.state.height > from.driver.state.height) continue;
            for (const msg of from.seen.get(to.driver.state.height) ?? []) send(from.index, to.index, msg);
          }
        }
        push(now + 1000, { kind: "gossip" });
        break;
      }
      case "crash": {
        const node = nodes[ev.node]!;
        if (node.driver === null) break;
        stats.crashes++;
        node.driver.close();
        node.driver = null;
        node.epoch++;
        const survived = node.wal.crash(rng.int(node.wal.unsyncedBytes() + 1));
        node.wal = new MemoryWal(survived); // the bytes on disk; decoded on recovery
        push(Math.min(now + 100 + rng.int(5000), opts.gstMs), { kind: "recover", node: node.index });
        break;
      }
      case "recover": {
        const node = nodes[ev.node]!;
        if (node.driver !== null) break;
        const bytes = node.wal.bytes();
        const decoded = decodeWal(bytes);
        node.wal = new MemoryWal(bytes.subarray(0, decoded.validLength));
        const pv = createPrivValidator(seedOf(node.index, `sim-${opts.seed}`));
        node.driver = recoverDriver(
          createConsensusState(TEST_CONFIG, pv.address),
          pv,
          decoded.records,
          node.wal,
          makeIo(node, node.epoch),
        );
        // The handshake with the app: start after the last height the app committed when the WAL is behind.
        const last = [...node.committed.keys()].reduce((a, b) => (b > a ? b : a), 0n);
        if (last < opts.targetHeight && (node.driver.state.validators === null || node.driver.state.height <= last)) {
          node.driver.handle({ type: "startHeight", height: last + 1n, validators: validatorsAt(last + 1n) });
        }
        break;
      }
    }
  }
  stats.timeMs = now;
  stats.evidence = evidenceCount;
  // Every node decided the same block at every height.
  for (let h = 1n; h <= opts.targetHeight; h++) {
    const keys = new Set(honest().map((n) => n.committed.get(h)));
    assert.equal(keys.size, 1, `seed ${opts.seed}: height ${h}`);
  }
  return stats;
}

const SEEDS_4 = Number(process.env.CONSENSUS_SIM_SEEDS ?? 8);
const SEEDS_7 = Math.max(1, Math.floor(SEEDS_4 / 2));

function runMany(n: number, seeds: number, base: number, extra: Partial<SimOptions>): SimStats {
  const total: SimStats = { events: 0, steps: 0, crashes: 0, maxRound: 0, timeMs: 0 };
  for (let s = 0; s < seeds; s++) {
    const stats = runSim({
      n,
      seed: base + s,
      targetHeight: 4n,
      gstMs: 20_000,
      dropRate: 0.2,
      crashRate: 0,
      badBlockRate: 0.15,
      ...extra,
    });
    total.events += stats.events;
    total.steps += stats.steps;
    total.crashes += stats.crashes;
    total.maxRound = Math.max(total.maxRound, stats.maxRound);
    total.timeMs += stats.timeMs;
    total.evidence = (total.evidence ?? 0) + (stats.evidence ?? 0);
  }
  return total;
}

describe("consensus simulation", () => {
  it(`N=4, lossy network, bad blocks, ${SEEDS_4} seeds`, (t) => {
    const s = runMany(4, SEEDS_4, 1000, {});
    t.diagnostic(`steps ${s.steps}, sim events ${s.events}, max decision round ${s.maxRound}`);
  });

  it(`N=4 with crashes and WAL recovery (torn tails), ${SEEDS_4} seeds`, (t) => {
    const s = runMany(4, SEEDS_4, 2000, { crashRate: 1 });
    assert.ok(s.crashes > SEEDS_4, "crashes happened");
    t.diagnostic(`steps ${s.steps}, sim events ${s.events}, crashes ${s.crashes}, max decision round ${s.maxRound}`);
  });

  it(`N=7 with crashes and WAL recovery, ${SEEDS_7} seeds`, (t) => {
    const s = runMany(7, SEEDS_7, 3000, { crashRate: 1 });
    t.diagnostic(`steps ${s.steps}, sim events ${s.events}, crashes ${s.crashes}, max decision round ${s.maxRound}`);
  });

  it(`N=4 with one equivocating validator (f = 1), crashes, ${SEEDS_4} seeds`, (t) => {
    const s = runMany(4, SEEDS_4, 5000, { crashRate: 1, byzantine: 1 });
    assert.ok((s.evidence ?? 0) > 0, "the equivocation was detected");
    t.diagnostic(
      `steps ${s.steps}, sim events ${s.events}, crashes ${s.crashes}, evidence ${s.evidence}, max decision round ${s.maxRound}`,
    );
  });

  it(`N=7 with two equivocating validators (f = 2), crashes, ${SEEDS_7} seeds`, (t) => {
    const s = runMany(7, SEEDS_7, 6000, { crashRate: 1, byzantine: 2 });
    assert.ok((s.evidence ?? 0) > 0, "the equivocation was detected");
    t.diagnostic(
      `steps ${s.steps}, sim events ${s.events}, crashes ${s.crashes}, evidence ${s.evidence}, max decision round ${s.maxRound}`,
    );
  });

  it("N=4, heavy loss (50%) until GST, no crashes", (t) => {
    const s = runMany(4, Math.max(1, Math.floor(SEEDS_4 / 4)), 4000, { dropRate: 0.5, gstMs: 30_000 });
    t.diagnostic(`steps ${s.steps}, sim events ${s.events}, max decision round ${s.maxRound}`);
  });
});
