/**
 * Late precommits join the LastCommit of the next block (`refreshSeenCommit`), now kept in memory
 * instead of rewriting the stored seen commit every height. Four validators run in this process
 * (real `Node`s on LMDB, no enclave) over an in-memory bus that delivers messages asynchronously and,
 * like the network layer, holds a later height's messages until that height starts. Validator 3's
 * precommits reach the others only after they decided (3 of 4 precommits are +2/3), during
 * timeout_commit: every block's LastCommit must still carry all four signatures, whoever proposed it.
 * The NewBlock events (built from the decided block, not read back) equal the stored block records.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { SignedMsgType, type Vote } from "../../src/codec/consensus.ts";
import type { BlockRecord } from "../../src/api/backend.ts";
import { toCanonicalJson } from "../../src/consensus/serialize.ts";
import { initLocalnet } from "../../src/node/localnet.ts";
import { Node } from "../../src/node/node.ts";
import { ConsensusBus } from "../helpers/consensusBus.ts";

const LATE = 3;
const N = 4;
const TARGET = 7;

let dir: string;
const nodes: Node[] = [];
/** Node 0's NewBlock events (built from the block it decoded, not read back from the store). */
const published: BlockRecord[] = [];

/** The bus, except that validator 3's precommits wait until their receiver has decided their height. */
class Bus extends ConsensusBus {
  /** Validator 3's precommits per receiver, until the receiver has decided the precommit's height. */
  private readonly late = new Map<number, Vote[]>();

  constructor() {
    super(nodes, N);
  }

  protected override sendVote(from: number, to: number, vote: Vote): void {
    if (from === LATE && vote.type === SignedMsgType.Precommit) {
      const list = this.late.get(to) ?? [];
      list.push(vote);
      this.late.set(to, list);
    } else super.sendVote(from, to, vote);
  }

  /** The receiver committed `height`: its held late precommits for it go in now (timeout_commit runs). */
  committed(to: number, height: number): void {
    const list = this.late.get(to) ?? [];
    const due = list.filter((v) => v.height === BigInt(height));
    this.late.set(
      to,
      list.filter((v) => v.height > BigInt(height)),
    );
    for (const vote of due) nodes[to]!.handleConsensusEvent({ type: "vote", vote });
  }
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "scrt-node-seen-commit-"));
  const net = await initLocalnet({ dir, validators: N, accounts: 1, registerEnclaves: false });
  const bus = new Bus();
  for (let i = 0; i < N; i++) {
    const node = await Node.start({
      home: net.nodes[i]!.home,
      enclave: false,
      network: bus.network(i),
      // Every height is made at once (no waiting for txs), with time for late precommits.
      config: { createEmptyBlocks: true, timeoutCommitMs: 150, logLevel: "warn" },
    });
    nodes.push(node);
    node.subscribe((e) => {
      if (e.type !== "NewBlock") return;
      if (i === 0) published.push(e.block);
      bus.committed(i, Number(e.block.header.height));
    });
  }
});

after(async () => {
  for (const n of nodes) await n.close().catch(() => {});
  rmSync(dir, { recursive: true, force: true });
});

describe("late precommits (node)", () => {
  it("join the next block's LastCommit although they arrive after the decision", async () => {
    await Promise.all(nodes.map((n) => n.waitForHeight(TARGET, 60_000)));
    for (const n of nodes) assert.equal(n.halted, undefined);
    const store = nodes[0]!.blockStore;
    const proposers = new Set<string>();
    for (let h = 2; h <= TARGET; h++) {
      const block = store.block(h);
      assert.ok(block !== undefined, `block ${h}`);
      proposers.add(Buffer.from(block.header.proposerAddress).toString("hex"));
      const signed = block.lastCommit.signatures.filter((s) => s.signature.length > 0).length;
      assert.equal(signed, N, `block ${h} carries ${signed} of ${N} precommits of height ${h - 1}`);
    }
    // Validator 3's own LastCommits would have all four anyway: others proposed too.
    const late = Buffer.from(nodes[LATE]!.validatorAddress).toString("hex");
    assert.ok(
      [...proposers].some((p) => p !== late),
      "blocks proposed by the validators that saw a late precommit",
    );
    // The stored seen commits are valid +2/3 commits (the one saved with each block).
    for (let h = 1; h < TARGET; h++) {
      const seen = store.seenCommit(h);
      assert.ok(seen !== undefined);
      assert.ok(seen.signatures.filter((s) => s.signature.length > 0).length >= 3);
    }
  });

  it("publishes NewBlock with exactly the stored block record", () => {
    const store = nodes[0]!.blockStore;
    assert.ok(published.length >= TARGET);
    for (const b of published) {
      const stored = store.block(Number(b.header.height));
      assert.ok(stored !== undefined);
      assert.equal(toCanonicalJson(b), toCanonicalJson(stored));
    }
  });
});
