/**
 * Outbound tx gossip in batches: txs handed to `add` within `maxDelayMs` of the first one go out as
 * one `Txs` message (one gossipsub message, one encryption, one message id and seen-cache entry for
 * all of them), or sooner once the batch reaches `maxTxs` txs or `maxBytes` bytes. A tx that alone
 * reaches `maxBytes` goes out in a batch of its own. Order is kept.
 */
import { P2PError } from "./errors.ts";

export interface TxBatchOptions {
  /** Longest a tx waits for others (ms). */
  readonly maxDelayMs: number;
  /** Most txs in one batch. */
  readonly maxTxs: number;
  /** Most tx bytes in one batch (keep it below the channel's message limit minus framing). */
  readonly maxBytes: number;
  /**
   * How long an accepted batch from a peer waits before gossipsub relays it (ms): peers that got it
   * straight from its origin meanwhile say so (IDONTWANT) and are skipped. Not used by `TxBatcher`.
   */
  readonly relayDelayMs: number;
}

/** Framing bytes per tx in a `Txs` message (tag and a length varint of at most 5 bytes). */
export const TX_BATCH_OVERHEAD_BYTES = 6;

export class TxBatcher {
  private pending: Uint8Array[] = [];
  private bytes = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;

  constructor(
    private readonly options: TxBatchOptions,
    private readonly send: (txs: Uint8Array[]) => void,
  ) {
    for (const [name, v] of Object.entries(options)) {
      const min = name === "maxDelayMs" || name === "relayDelayMs" ? 0 : 1;
      if (!Number.isSafeInteger(v) || v < min) {
        throw new P2PError("P2P_BAD_OPTIONS", `txBatch.${name} must be an integer ≥ ${min}`);
      }
    }
  }

  /** Txs waiting to go out. */
  get size(): number {
    return this.pending.length;
  }

  add(tx: Uint8Array): void {
    if (this.closed) return;
    const size = tx.length + TX_BATCH_OVERHEAD_BYTES;
    if (this.pending.length > 0 && this.bytes + size > this.options.maxBytes) this.flush();
    this.pending.push(tx);
    this.bytes += size;
    if (
      this.pending.length >= this.options.maxTxs ||
      this.bytes >= this.options.maxBytes ||
      this.options.maxDelayMs === 0
    ) {
      this.flush();
    } else if (this.timer === undefined) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.flush();
      }, this.options.maxDelayMs);
      this.timer.unref?.();
    }
  }

  /** Sends what is pending now. */
  flush(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    this.bytes = 0;
    this.send(batch);
  }

  /** Drops what is pending; later `add`s are ignored. */
  close(): void {
    this.closed = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = [];
    this.bytes = 0;
  }
}
