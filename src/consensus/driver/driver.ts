/**
 * The thin, impure shell around the reducer. For every input it
 *   1. appends the event to the WAL,
 *   2. applies `step`,
 *   3. runs the effects: signing through the `PrivValidator` (whose answer is a new input, back to 1),
 *      broadcasting, timers, questions to the app.
 * Inputs raised while effects run are queued, so the reducer sees one event at a time, in WAL order.
 *
 * Durability: the node's own signed votes and proposals are held back, not broadcast, until the WAL
 * is fsynced; the driver fsyncs once when it is about to release them (at the end of `handle`, when
 * the queue is empty) and before a decision is announced to the app (then releasing what it holds
 * first). So nothing this node signed leaves the process unless the WAL holds it, and a decision is
 * durable before the app executes it; signatures made in one `handle` (a proposer's proposal and its
 * prevote) share one fsync, and an fsync with nothing appended since the last one is skipped.
 *
 * `recoverDriver` rebuilds the state by replaying the WAL's events through the same reducer (no effect
 * is run during replay), rebuilds the privval's last-signed state from the signatures the WAL holds,
 * then runs `resumeEffects` so that timers, pending questions and the node's own messages are re-issued.
 */
import { crc32 as nativeCrc32 } from "node:zlib";
import type { Proposal, Timestamp, Vote } from "../../codec/consensus.ts";
import { SignedMsgType } from "../../codec/consensus.ts";
import { recordSigned, signProposal, signVote, type PrivValidator } from "../privval.ts";
import { resumeEffects, step } from "../reducer.ts";
import { decodeEvent, encodeEvent } from "../serialize.ts";
import type { ConsensusEffect, ConsensusEvent, ConsensusState } from "../types.ts";
import { encodeWalRecordWith } from "../wal.ts";

/** Where WAL records go: `append` writes one record; `sync` makes everything appended durable. */
export interface WalSink {
  append(record: Uint8Array): void;
  sync(): void;
}

/** The outside world, as seen by the driver. */
export interface DriverIo {
  /** Wall-clock time for the node's own votes and proposals. */
  now(): Timestamp;
  broadcastVote(vote: Vote): void;
  broadcastProposal(proposal: Proposal, block: Uint8Array): void;
  scheduleTimeout(effect: Extract<ConsensusEffect, { type: "scheduleTimeout" }>): void;
  requestBlock(effect: Extract<ConsensusEffect, { type: "requestBlock" }>): void;
  validateBlock(effect: Extract<ConsensusEffect, { type: "validateBlock" }>): void;
  decide(effect: Extract<ConsensusEffect, { type: "decide" }>): void;
  evidence(effect: Extract<ConsensusEffect, { type: "evidence" }>): void;
  invalidInput?(reason: string): void;
}

/** The WAL records' CRC-32 through zlib (native code): IEEE CRC-32 as `crc32` of wal.ts. */
export function walCrc32(data: Uint8Array): number {
  return nativeCrc32(data) >>> 0;
}

type Broadcast = Extract<ConsensusEffect, { type: "broadcastVote" | "broadcastProposal" }>;

export class ConsensusDriver {
  private queue: ConsensusEvent[] = [];
  private running = false;
  private closed = false;
  /** The node's own signed messages, held until the WAL that holds them is fsynced. */
  private held: Broadcast[] = [];
  /** Records appended since the last fsync (true at first: replayed records may not be durable yet). */
  private unsynced = true;

  constructor(
    private stateValue: ConsensusState,
    private privvalValue: PrivValidator,
    private readonly wal: WalSink,
    private readonly io: DriverIo,
  ) {}

  get state(): ConsensusState {
    return this.stateValue;
  }

  get privval(): PrivValidator {
    return this.privvalValue;
  }

  /** Stops handling inputs (a crashed or closed node). */
  close(): void {
    this.closed = true;
    this.queue = [];
    this.held = [];
  }

  /** An input from outside (peer message, timer, app answer). Runs to quiescence. */
  handle(event: ConsensusEvent): void {
    if (this.closed) return;
    this.queue.push(event);
    if (this.running) return;
    this.running = true;
    try {
      this.drain();
    } finally {
      this.running = false;
    }
  }

  /** Re-issues what a recovered node must do again (see `resumeEffects`). */
  resume(): void {
    this.running = true;
    try {
      this.runEffects(resumeEffects(this.stateValue));
      this.drain();
    } finally {
      this.running = false;
    }
  }

  /** Applies the queued inputs, then releases the held messages (after one fsync). */
  private drain(): void {
    while (!this.closed) {
      while (this.queue.length > 0 && !this.closed) this.apply(this.queue.shift()!);
      if (this.closed || this.held.length === 0) return;
      this.release(); // may queue inputs only through io calls that re-enter: apply them too
    }
  }

  /** Makes the WAL durable (when anything was appended since the last fsync). */
  private sync(): void {
    if (!this.unsynced) return;
    this.wal.sync();
    this.unsynced = false;
  }

  /** fsyncs the WAL, then broadcasts the held own messages in the order they were signed. */
  private release(): void {
    this.sync();
    const out = this.held;
    this.held = [];
    for (const e of out) {
      if (this.closed) return;
      if (e.type === "broadcastVote") this.io.broadcastVote(e.vote);
      else this.io.broadcastProposal(e.proposal, e.block);
    }
  }

  private apply(event: ConsensusEvent): void {
    // zlib's CRC-32 (native; the same value as wal.ts's table one), for records that carry a block.
    this.wal.append(encodeWalRecordWith(encodeEvent(event), walCrc32));
    this.unsynced = true;
    const { state, effects } = step(this.stateValue, event);
    this.stateValue = state;
    this.runEffects(effects);
  }

  private runEffects(effects: readonly ConsensusEffect[]): void {
    const chainId = this.stateValue.config.chainId;
    for (const e of effects) {
      if (this.closed) return;
      switch (e.type) {
        case "signVote": {
          const r = signVote(this.privvalValue, chainId, { ...e.vote, timestamp: this.io.now() });
          if (r.ok) {
            this.privvalValue = r.privval;
            this.queue.push({ type: "signedVote", vote: r.signed });
          } else {
            this.queue.push({
              type: "signRefused",
              height: e.vote.height,
              round: e.vote.round,
              signType: e.vote.type,
              code: r.code,
            });
          }
          break;
        }
        case "signProposal": {
          const r = signProposal(this.privvalValue, chainId, { ...e.proposal, timestamp: this.io.now() });
          if (r.ok) {
            this.privvalValue = r.privval;
            this.queue.push({ type: "signedProposal", proposal: r.signed, block: e.block });
          } else {
            this.queue.push({
              type: "signRefused",
              height: e.proposal.height,
              round: e.proposal.round,
              signType: SignedMsgType.Proposal,
              code: r.code,
            });
          }
          break;
        }
        case "broadcastVote":
        case "broadcastProposal":
          // Held until the WAL holding the signature is durable (`release`).
          this.held.push(e);
          break;
        case "scheduleTimeout":
          this.io.scheduleTimeout(e);
          break;
        case "requestBlock":
          this.io.requestBlock(e);
          break;
        case "validateBlock":
          this.io.validateBlock(e);
          break;
        case "decide":
          this.release();
          if (this.closed) return;
          this.io.decide(e);
          break;
        case "evidence":
          this.io.evidence(e);
          break;
        case "invalidInput":
          this.io.invalidInput?.(e.reason);
          break;
      }
    }
  }
}

/** Replays WAL events through the reducer: the state they lead to and the privval's last signature. */
export function replayEvents(
  initial: ConsensusState,
  privval: PrivValidator,
  records: readonly Uint8Array[],
): { state: ConsensusState; privval: PrivValidator } {
  let state = initial;
  let pv = privval;
  const chainId = initial.config.chainId;
  for (const record of records) {
    const event = decodeEvent(record);
    if (event.type === "signedVote") pv = recordSigned(pv, chainId, { kind: "vote", vote: event.vote });
    if (event.type === "signedProposal") pv = recordSigned(pv, chainId, { kind: "proposal", proposal: event.proposal });
    state = step(state, event).state;
  }
  return { state, privval: pv };
}

/**
 * A driver for a node restarted from its WAL records (already read and torn-tail-truncated by the
 * caller): replays them, then `resume()`s. `wal` is where new records are appended.
 */
export function recoverDriver(
  initial: ConsensusState,
  privval: PrivValidator,
  records: readonly Uint8Array[],
  wal: WalSink,
  io: DriverIo,
): ConsensusDriver {
  const { state, privval: pv } = replayEvents(initial, privval, records);
  const driver = new ConsensusDriver(state, pv, wal, io);
  driver.resume();
  return driver;
}
