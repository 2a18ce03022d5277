/**
 * Bounded per-peer inbound queues with a shared concurrency limit. Each peer gets its own FIFO of at
 * most `maxPerPeer` items; when a peer's queue is full its oldest item is dropped (and counted), so a
 * flooding peer only ever displaces its own messages. Peers are served round-robin, at most
 * `concurrency` items in flight overall; a peer that is not ready yet (handshake pending) keeps its
 * items queued until `wake()` finds it ready or `dropPeer` discards them.
 */

export interface QueueOptions {
  readonly maxPerPeer: number;
  readonly concurrency: number;
}

export interface QueueStats {
  readonly queued: number;
  readonly inFlight: number;
  readonly processed: number;
  /** Items dropped because their peer's queue was full. */
  readonly droppedFull: number;
  /** Items discarded with their peer (disconnect, ban, refused handshake). */
  readonly discarded: number;
}

export class InboundQueues<T> {
  private readonly queues = new Map<string, T[]>();
  private cursor = 0;
  private inFlight = 0;
  private processed = 0;
  private droppedFull = 0;
  private discarded = 0;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly options: QueueOptions,
    private readonly process: (peer: string, item: T) => Promise<void>,
    /** Told about every item that leaves without being processed. */
    private readonly onDrop: (peer: string, item: T, why: "full" | "discarded") => void,
    private readonly isReady: (peer: string) => boolean = () => true,
  ) {}

  push(peer: string, item: T): void {
    let q = this.queues.get(peer);
    if (q === undefined) {
      q = [];
      this.queues.set(peer, q);
    }
    q.push(item);
    while (q.length > this.options.maxPerPeer) {
      const dropped = q.shift()!;
      this.droppedFull++;
      this.onDrop(peer, dropped, "full");
    }
    this.pump();
  }

  /** Re-checks readiness (call when a peer becomes ready). */
  wake(): void {
    this.pump();
  }

  /** Discards everything queued for `peer`. */
  dropPeer(peer: string): void {
    const q = this.queues.get(peer);
    if (q === undefined) return;
    this.queues.delete(peer);
    for (const item of q) {
      this.discarded++;
      this.onDrop(peer, item, "discarded");
    }
    this.settleIdle();
  }

  queuedFor(peer: string): number {
    return this.queues.get(peer)?.length ?? 0;
  }

  stats(): QueueStats {
    let queued = 0;
    for (const q of this.queues.values()) queued += q.length;
    return {
      queued,
      inFlight: this.inFlight,
      processed: this.processed,
      droppedFull: this.droppedFull,
      discarded: this.discarded,
    };
  }

  /** Resolves when nothing is in flight and no ready peer has queued items. */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private isIdle(): boolean {
    if (this.inFlight > 0) return false;
    for (const [peer, q] of this.queues) if (q.length > 0 && this.isReady(peer)) return false;
    return true;
  }

  private settleIdle(): void {
    if (this.idleWaiters.length === 0 || !this.isIdle()) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  private takeNext(): [string, T] | undefined {
    const peers = [...this.queues.keys()];
    for (let i = 0; i < peers.length; i++) {
      const idx = (this.cursor + i) % peers.length;
      const peer = peers[idx]!;
      const q = this.queues.get(peer)!;
      if (q.length === 0) {
        this.queues.delete(peer);
        continue;
      }
      if (!this.isReady(peer)) continue;
      this.cursor = idx + 1;
      const item = q.shift()!;
      if (q.length === 0) this.queues.delete(peer);
      return [peer, item];
    }
    return undefined;
  }

  private pump(): void {
    while (this.inFlight < this.options.concurrency) {
      const next = this.takeNext();
      if (next === undefined) break;
      const [peer, item] = next;
      this.inFlight++;
      void this.process(peer, item)
        .catch(() => undefined)
        .finally(() => {
          this.inFlight--;
          this.processed++;
          this.pump();
        });
    }
    this.settleIdle();
  }
}
