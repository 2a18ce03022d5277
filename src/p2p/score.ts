/**
 * The node's own score per peer: penalties for provable misbehaviour, exponential decay back towards
 * zero, and a temporary ban when the score falls to the threshold. The same number is fed to gossipsub
 * as its application-specific score (P5), so a falling peer is first left out of gossip and finally
 * disconnected. Time comes from the injected clock; decay is computed lazily (no timer).
 */

/** What a peer did wrong. Stable names: they appear in logs and metrics. */
export type Offence =
  /** A gossip message that does not decode as its channel's type. */
  | "gossipDecode"
  /** A gossip message larger than its channel's limit. */
  | "gossipOversized"
  /** A well-formed gossip message the node's handler rejected (bad signature, wrong proposer, …). */
  | "gossipRejected"
  /** A request/response frame that is malformed, oversized or out of protocol. */
  | "syncBadFrame"
  /** A block that the verify-and-apply callback refused. */
  | "syncBadBlock"
  /** A request that timed out. */
  | "syncTimeout";

export const OFFENCES: readonly Offence[] = [
  "gossipDecode",
  "gossipOversized",
  "gossipRejected",
  "syncBadFrame",
  "syncBadBlock",
  "syncTimeout",
];

export interface ScoreOptions {
  /** Negative amounts added to the score per offence. */
  readonly penalties: Readonly<Record<Offence, number>>;
  /** At or below this (negative) score the peer is disconnected and banned. */
  readonly banThreshold: number;
  readonly banDurationMs: number;
  /** The score is multiplied by `decayFactor` every `decayIntervalMs` (continuously). */
  readonly decayIntervalMs: number;
  readonly decayFactor: number;
}

export const DEFAULT_SCORE_OPTIONS: ScoreOptions = {
  penalties: {
    gossipDecode: -20,
    gossipOversized: -30,
    gossipRejected: -10,
    syncBadFrame: -20,
    syncBadBlock: -40,
    syncTimeout: -5,
  },
  banThreshold: -100,
  banDurationMs: 10 * 60_000,
  decayIntervalMs: 1000,
  decayFactor: 0.98,
};

export interface Ban {
  readonly peer: string;
  readonly untilMs: number;
  readonly reason: string;
}

export interface PenaltyResult {
  readonly score: number;
  /** True when this penalty crossed the threshold and banned the peer. */
  readonly banned: boolean;
}

interface Entry {
  value: number;
  atMs: number;
}

export class PeerScoreBook {
  private readonly entries = new Map<string, Entry>();
  private readonly banned = new Map<string, Ban>();
  private readonly counts = new Map<Offence, number>();

  constructor(
    private readonly options: ScoreOptions,
    private readonly nowMs: () => number,
  ) {}

  /** The current score of a peer (0 for an unknown peer). */
  score(peer: string): number {
    const e = this.entries.get(peer);
    if (e === undefined) return 0;
    const now = this.nowMs();
    const elapsed = Math.max(0, now - e.atMs);
    if (elapsed > 0) {
      e.value *= Math.pow(this.options.decayFactor, elapsed / this.options.decayIntervalMs);
      e.atMs = now;
      if (Math.abs(e.value) < 1e-3) {
        // Back to neutral: forget the peer, so the book only holds peers with a live penalty.
        this.entries.delete(peer);
        return 0;
      }
    }
    return e.value;
  }

  /** Applies the penalty of `offence`; bans the peer when the score reaches the threshold. */
  penalize(peer: string, offence: Offence): PenaltyResult {
    this.counts.set(offence, (this.counts.get(offence) ?? 0) + 1);
    const value = this.score(peer) + this.options.penalties[offence];
    this.entries.set(peer, { value, atMs: this.nowMs() });
    if (value <= this.options.banThreshold && !this.isBanned(peer)) {
      this.ban(peer, `score ${value.toFixed(1)} after ${offence}`);
      return { score: value, banned: true };
    }
    return { score: value, banned: false };
  }

  /** Bans a peer for `durationMs` (default: the configured ban duration). */
  ban(peer: string, reason: string, durationMs = this.options.banDurationMs): Ban {
    const ban: Ban = { peer, untilMs: this.nowMs() + durationMs, reason };
    this.banned.set(peer, ban);
    return ban;
  }

  isBanned(peer: string): boolean {
    const ban = this.banned.get(peer);
    if (ban === undefined) return false;
    if (ban.untilMs <= this.nowMs()) {
      this.banned.delete(peer);
      return false;
    }
    return true;
  }

  /** Bans still in force. */
  bans(): Ban[] {
    return [...this.banned.keys()].filter((p) => this.isBanned(p)).map((p) => this.banned.get(p)!);
  }

  /** How many times each offence was recorded (all peers). */
  offenceCounts(): Readonly<Record<Offence, number>> {
    const out = {} as Record<Offence, number>;
    for (const o of OFFENCES) out[o] = this.counts.get(o) ?? 0;
    return out;
  }
}
