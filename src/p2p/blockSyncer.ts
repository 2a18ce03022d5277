/**
 * Block sync: fetches the heights a node is missing from its peers, in batches with bounded
 * parallelism, and hands them to the node's verify-and-apply callback strictly in height order.
 * A failed request (timeout, bad frame, remote error, nothing returned) is retried from another peer
 * (the network layer penalises timeouts and bad frames itself); a block the callback refuses
 * penalises the peer that sent it, which is not asked again in this run.
 */
import { P2PError } from "./errors.ts";
import type { Offence } from "./score.ts";

export interface PeerStatus {
  /** Lowest height the peer can serve. */
  readonly base: bigint;
  /** Highest height the peer has. */
  readonly latest: bigint;
}

/** What the syncer needs from the network (the P2P node implements it). */
export interface SyncNetwork {
  /** Peers that passed the handshake, by libp2p peer id. */
  syncPeers(): readonly string[];
  requestStatus(peer: string): Promise<PeerStatus>;
  /** Consecutive blocks from `from`, at most `count`, possibly fewer. */
  requestBlocks(peer: string, from: bigint, count: number): Promise<readonly Uint8Array[]>;
  penalize(peer: string, offence: Offence): void;
}

export interface SyncProgress {
  /** The height the run started from (first height to apply). */
  readonly startHeight: bigint;
  /** The last height applied (startHeight − 1 before the first). */
  readonly height: bigint;
  /** The highest height any peer reported. */
  readonly target: bigint;
  readonly appliedBlocks: number;
  readonly peers: number;
}

export interface BlockSyncerOptions {
  /** The first height to fetch (the node's latest + 1). */
  readonly fromHeight: bigint;
  /** Verifies and applies a block; throws to refuse it (the sending peer is penalised). */
  readonly apply: (height: bigint, block: Uint8Array) => Promise<void>;
  readonly onProgress?: (p: SyncProgress) => void;
  /** Blocks per request (default 16). */
  readonly batchSize?: number;
  /** Requests in flight at once (default 4). */
  readonly parallelism?: number;
  readonly signal?: AbortSignal;
}

export interface SyncResult {
  /** The last height applied. */
  readonly height: bigint;
  readonly appliedBlocks: number;
}

interface Range {
  start: bigint;
  end: bigint; // inclusive
  /** Peers that failed this range (not asked again for it). */
  readonly failed: Set<string>;
}

interface Fetched {
  readonly range: Range;
  readonly peer: string;
  readonly blocks: readonly Uint8Array[];
}

type Settled = { readonly range: Range; readonly peer: string } & (
  { readonly ok: true; readonly blocks: readonly Uint8Array[] } | { readonly ok: false; readonly error: unknown }
);

export class BlockSyncer {
  private readonly batchSize: bigint;
  private readonly parallelism: number;
  private readonly statuses = new Map<string, PeerStatus>();
  /** Peers that sent a bad block: out for the rest of the run. */
  private readonly excluded = new Set<string>();
  private readonly load = new Map<string, number>();
  private target = 0n;

  constructor(
    private readonly net: SyncNetwork,
    private readonly options: BlockSyncerOptions,
  ) {
    this.batchSize = BigInt(options.batchSize ?? 16);
    this.parallelism = options.parallelism ?? 4;
    if (this.batchSize < 1n || this.parallelism < 1)
      throw new P2PError("P2P_BAD_OPTIONS", "batchSize and parallelism must be >= 1");
    if (options.fromHeight < 1n) throw new P2PError("P2P_BAD_OPTIONS", "fromHeight must be >= 1");
  }

  /** Syncs until no peer reports a height above the last applied one. */
  async run(): Promise<SyncResult> {
    let next = this.options.fromHeight;
    let applied = 0;
    for (let round = 0; ; round++) {
      await this.refreshStatuses();
      if (round === 0 && this.statuses.size === 0) {
        throw new P2PError("P2P_NO_PEERS", "block sync: no peer answered a status request");
      }
      if (this.target < next) return { height: next - 1n, appliedBlocks: applied };
      const r = await this.syncTo(next, this.target, applied);
      applied = r.appliedBlocks;
      next = r.height + 1n;
    }
  }

  private async refreshStatuses(): Promise<void> {
    const peers = this.net.syncPeers().filter((p) => !this.excluded.has(p));
    const results = await Promise.allSettled(peers.map((p) => this.net.requestStatus(p)));
    this.statuses.clear();
    results.forEach((r, i) => {
      const peer = peers[i]!;
      if (r.status === "fulfilled") this.statuses.set(peer, r.value);
    });
    for (const s of this.statuses.values()) if (s.latest > this.target) this.target = s.latest;
  }

  private async syncTo(from: bigint, target: bigint, appliedBefore: number): Promise<SyncResult> {
    const pending: Range[] = [];
    for (let s = from; s <= target; s += this.batchSize) {
      const e = s + this.batchSize - 1n;
      pending.push({ start: s, end: e > target ? target : e, failed: new Set() });
    }
    const ready = new Map<bigint, Fetched>();
    const inflight = new Map<Range, Promise<Settled>>();
    let nextHeight = from;
    let applied = appliedBefore;
    this.report(from, nextHeight - 1n, applied);

    while (nextHeight <= target) {
      this.checkAborted();
      // Schedule requests, lowest range first, keeping at most `parallelism` requests in flight and
      // at most 2 × parallelism ranges fetched ahead of the apply point.
      pending.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
      for (let i = 0; i < pending.length && inflight.size < this.parallelism;) {
        const range = pending[i]!;
        if (inflight.size + ready.size >= 2 * this.parallelism && range.start !== nextHeight) break;
        const peer = this.pickPeer(range);
        if (peer === undefined) {
          i++;
          continue;
        }
        pending.splice(i, 1);
        inflight.set(range, this.fetch(range, peer));
      }
      if (inflight.size === 0 && !ready.has(nextHeight)) {
        const stuck = pending[0];
        throw new P2PError("P2P_SYNC_FAILED", `block sync: no peer can serve height ${stuck?.start ?? nextHeight}`, {
          height: String(stuck?.start ?? nextHeight),
        });
      }

      if (!ready.has(nextHeight)) {
        const settled = await Promise.race(inflight.values());
        inflight.delete(settled.range);
        this.load.set(settled.peer, (this.load.get(settled.peer) ?? 1) - 1);
        if (this.excluded.has(settled.peer)) {
          // The peer sent a bad block meanwhile: nothing more from it in this run.
          pending.push(settled.range);
        } else if (settled.ok && settled.blocks.length > 0) {
          const got = BigInt(settled.blocks.length);
          const blocks = settled.blocks.slice(0, Number(settled.range.end - settled.range.start + 1n));
          ready.set(settled.range.start, { range: settled.range, peer: settled.peer, blocks });
          if (settled.range.start + got <= settled.range.end) {
            // A short answer: the rest of the range goes back to the queue.
            pending.push({ start: settled.range.start + got, end: settled.range.end, failed: new Set([settled.peer]) });
          }
        } else {
          settled.range.failed.add(settled.peer);
          pending.push(settled.range);
        }
        continue;
      }

      // Apply the range that starts at the next height, block by block.
      const fetched = ready.get(nextHeight)!;
      ready.delete(nextHeight);
      if (this.excluded.has(fetched.peer)) {
        pending.push({
          start: nextHeight,
          end: fetched.range.start + BigInt(fetched.blocks.length) - 1n,
          failed: new Set(),
        });
        continue;
      }
      let i = 0;
      for (; i < fetched.blocks.length; i++) {
        this.checkAborted();
        try {
          await this.options.apply(nextHeight, fetched.blocks[i]!);
        } catch {
          this.net.penalize(fetched.peer, "syncBadBlock");
          this.excluded.add(fetched.peer);
          this.statuses.delete(fetched.peer);
          break;
        }
        nextHeight++;
        applied++;
        this.report(from, nextHeight - 1n, applied);
      }
      if (i < fetched.blocks.length) {
        const end = fetched.range.start + BigInt(fetched.blocks.length) - 1n;
        pending.push({ start: nextHeight, end, failed: new Set([fetched.peer]) });
      }
    }
    // Nothing can still be in flight here: every range up to the target was applied. (The promises
    // never reject, so an abandoned one could not surface as an unhandled rejection either.)
    return { height: nextHeight - 1n, appliedBlocks: applied };
  }

  private pickPeer(range: Range): string | undefined {
    let best: string | undefined;
    let bestLoad = Infinity;
    for (const [peer, s] of this.statuses) {
      if (this.excluded.has(peer) || range.failed.has(peer)) continue;
      if (s.base > range.start || s.latest < range.start) continue;
      const load = this.load.get(peer) ?? 0;
      if (load < bestLoad) {
        best = peer;
        bestLoad = load;
      }
    }
    return best;
  }

  private fetch(range: Range, peer: string): Promise<Settled> {
    this.load.set(peer, (this.load.get(peer) ?? 0) + 1);
    const status = this.statuses.get(peer);
    const end = status !== undefined && status.latest < range.end ? status.latest : range.end;
    const count = Number(end - range.start + 1n);
    return this.net.requestBlocks(peer, range.start, count).then(
      (blocks): Settled => ({ range, peer, ok: true, blocks }),
      (error: unknown): Settled => ({ range, peer, ok: false, error }),
    );
  }

  private report(startHeight: bigint, height: bigint, appliedBlocks: number): void {
    this.options.onProgress?.({ startHeight, height, target: this.target, appliedBlocks, peers: this.statuses.size });
  }

  private checkAborted(): void {
    const s = this.options.signal;
    if (s?.aborted === true)
      throw s.reason instanceof Error ? s.reason : new P2PError("P2P_TIMEOUT", "block sync aborted");
  }
}
