/**
 * An in-memory network for real `Node`s of one process: every vote and proposal goes to the other
 * nodes asynchronously (setImmediate), and a message of a height its receiver has not started is held
 * until it starts that height (`heightStarted`), the receiver being woken for it. Subclasses may route
 * votes differently (`sendVote`).
 */
import type { Vote } from "../../src/codec/consensus.ts";
import type { ConsensusEvent } from "../../src/consensus/index.ts";
import type { Node, NodeNetwork } from "../../src/node/node.ts";

/** Height of a vote or proposal (the bus holds messages of heights a node has not started). */
function heightOf(e: ConsensusEvent): bigint {
  if (e.type === "vote") return e.vote.height;
  if (e.type === "proposal") return e.proposal.height;
  throw new Error(`unexpected ${e.type}`);
}

export class ConsensusBus {
  private readonly held = new Map<number, ConsensusEvent[]>();

  /** `nodes[i]` is node i once started (the array is filled as the nodes start). */
  constructor(
    protected readonly nodes: readonly (Node | undefined)[],
    private readonly count: number,
  ) {}

  network(from: number): NodeNetwork {
    return {
      broadcastVote: (vote) => {
        for (let to = 0; to < this.count; to++) if (to !== from) this.sendVote(from, to, vote);
      },
      broadcastProposal: (proposal, block) => {
        for (let to = 0; to < this.count; to++) if (to !== from) this.send(to, { type: "proposal", proposal, block });
      },
      heightStarted: (height) => this.flush(from, height),
    };
  }

  /** How a vote from `from` reaches `to` (at once, by default). */
  protected sendVote(_from: number, to: number, vote: Vote): void {
    this.send(to, { type: "vote", vote });
  }

  protected send(to: number, e: ConsensusEvent): void {
    setImmediate(() => {
      const node = this.nodes[to];
      if (node === undefined) return;
      if (heightOf(e) > (node.consensus?.state.height ?? 0n)) {
        const list = this.held.get(to) ?? [];
        list.push(e);
        this.held.set(to, list);
        node.wakeHeight(Number(heightOf(e)));
        return;
      }
      node.handleConsensusEvent(e);
    });
  }

  private flush(to: number, height: number): void {
    const list = this.held.get(to) ?? [];
    this.held.set(
      to,
      list.filter((e) => heightOf(e) > BigInt(height)),
    );
    for (const e of list) if (heightOf(e) === BigInt(height)) this.send(to, e);
  }
}
