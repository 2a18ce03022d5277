/**
 * Bounded per-peer inbound queues with a shared concurrency limit. Each peer gets its own FIFO of at
 * most `maxPerPeer` items; when a peer's queue is full its oldest item is dropped (and counted), so a
 * flooding peer only ever displaces its own messages. Peers are served round-robin, at most
 * `concurrency` items in flight overall; a peer that is not ready yet (handshake pending) keeps its
 * items queued until `wake()` finds it ready or `dropPeer` discards them.
 *
 * Items the `isUrgent` predicate picks (consensus messages) are served before all others, and a full
 * queue drops its oldest non-urgent item first: a burst of txs never delays or displaces votes.
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
  private readonly queues = new Map<string, PeerQueue<T>>();
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
    private readonly isUrgent: (item: T) => boolean = () => false,
  ) {}

  push(peer: string, item: T): void {
    let q = this.queues.get(peer);
    if (q === undefined) {
      q = { urgent: [], rest: [] };
      this.queues.set(peer, q);
    }
    (this.isUrgent(item) ? q.urgent : q.rest).push(item);
    while (q.urgent.length + q.rest.length > this.options.maxPerPeer) {
      const dropped = q.rest.length > 0 ? q.rest.shift()! : q.urgent.shift()!;
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
    for (const item of [...q.urgent, ...q.rest]) {
      this.discarded++;
      this.onDrop(peer, item, "discarded");
    }
    this.settleIdle();
  }

  queuedFor(peer: string): number {
    const q = this.queues.get(peer);
    return q === undefined ? 0 : q.urgent.length + q.rest.length;
  }

  stats(): QueueStats {
    let queued = 0;
    for (const q of this.queues.values()) queued += q.urgent.length + q.rest.length;
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
    for (const [peer, q] of this.queues) if (q.urgent.length + q.rest.length > 0 && this.isReady(peer)) return false;
    return true;
  }

  private settleIdle(): void {
    if (this.idleWaiters.length === 0 || !this.isIdle()) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  private takeNext(): [string, T] | undefined {
    return this.takeFrom("urgent") ?? this.takeFrom("rest");
  }

  /** Round-robin over the ready peers with an item of that kind. */
  private takeFrom(kind: "urgent" | "rest"): [string, T] | undefined {
    const peers = [...this.queues.keys()];
    for (let i = 0; i < peers.length; i++) {
      const idx = (this.cursor + i) % peers.length;
      const peer = peers[idx]!;
      const q = this.queues.get(peer)!;
      if (q.urgent.length + q.rest.length === 0) {
        this.queues.delete(peer);
        continue;
      }
      if (q[kind].length === 0 || !this.isReady(peer)) continue;
      this.cursor = idx + 1;
      const item = q[kind].shift()!;
      if (q.urgent.length + q.rest.length === 0) this.queues.delete(peer);
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

interface PeerQueue<T> {
  /** Served first, dropped last. */
  readonly urgent: T[];
  readonly rest: T[];
}
