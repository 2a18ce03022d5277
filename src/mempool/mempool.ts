/**
 * The pool of transactions waiting for a block. It never imports the app: the node gives it a `check`
 * function (the app's CheckTx plus the tx's fee per gas and sender) and a `hashTx` function.
 *
 * - Admission: size bounds (count and bytes, per tx and total) and duplicates (by tx hash, including a
 *   cache of recently seen and included hashes) are refused before the check runs; a tx the check
 *   refuses is not kept (and leaves the cache, so it can be sent again).
 * - Order: by priority (fee per gas, higher first), then arrival; the txs of one sender keep their
 *   arrival order (a later sequence number can never be reaped before an earlier one).
 * - `reap(maxBytes, maxGas)` takes txs in that order while they fit (a tx that does not fit ends its
 *   sender's run for this block; others continue).
 * - `update(included, hashes?)` after each commit removes the included txs and re-checks the rest in
 *   arrival order (the app's check state starts over at every commit), dropping those that no longer
 *   pass. A caller that has the included txs' hashes passes them, and no tx is hashed again.
 * - `reapWithHashes` gives the reaped txs' hashes too (the hash of each tx is computed once, at
 *   admission).
 */
import { toHex as bytesToHex } from "../primitives/hex.ts";
import { MempoolError, type MempoolErrorCode } from "./errors.ts";

/** What the node's check says about a tx. */
export interface CheckOutcome<R> {
  /** Admitted by the app (CheckTx code 0). */
  readonly ok: boolean;
  /** The tx's gas limit (what a block's max gas counts). */
  readonly gasWanted: bigint;
  /** Higher first: the fee per unit of gas, scaled to an integer by the caller. */
  readonly priority: bigint;
  /** Txs with the same non-empty sender keep their arrival order. */
  readonly sender: string;
  /** The caller's own result (e.g. the CheckTx `TxResult`), handed back unchanged. */
  readonly result: R;
}

export type CheckFn<R> = (tx: Uint8Array) => CheckOutcome<R>;

export interface MempoolOptions {
  /** Most txs kept (CometBFT `size`, default 5000). */
  readonly maxTxs?: number;
  /** Most bytes of all txs kept (default 64 MiB). */
  readonly maxBytes?: number;
  /** Largest single tx (CometBFT `max_tx_bytes`, default 1 MiB). */
  readonly maxTxBytes?: number;
  /** Hashes remembered after they left the pool by inclusion (duplicates refused; default 10 000). */
  readonly cacheSize?: number;
}

export const DEFAULT_MEMPOOL_OPTIONS: Required<MempoolOptions> = {
  maxTxs: 5000,
  maxBytes: 64 * 1024 * 1024,
  maxTxBytes: 1024 * 1024,
  cacheSize: 10_000,
};

/** Small bounds for tests. */
export function testMempoolOptions(): Required<MempoolOptions> {
  return { maxTxs: 100, maxBytes: 64 * 1024, maxTxBytes: 4096, cacheSize: 100 };
}

interface Entry {
  readonly tx: Uint8Array;
  readonly hash: Uint8Array;
  readonly key: string;
  readonly seq: number;
  gasWanted: bigint;
  priority: bigint;
  sender: string;
}

export interface AddResult<R> {
  readonly hash: Uint8Array;
  /** The check's outcome; when `ok` is false the tx was not kept. */
  readonly outcome: CheckOutcome<R>;
}

/** Why `tryAdd` refused a tx before its check (the code and text `add` would throw). */
export interface Refusal {
  readonly refused: Exclude<MempoolErrorCode, "MEMPOOL_INVALID_OPTIONS">;
  readonly message: string;
}

const DUPLICATE: Refusal = { refused: "MEMPOOL_DUPLICATE", message: "tx already exists in cache" };

export interface UpdateResult {
  /** Txs removed because a block included them. */
  readonly included: number;
  /** Txs dropped because the re-check refused them. */
  readonly dropped: number;
}

export class Mempool<R> {
  private readonly options: Required<MempoolOptions>;
  private readonly entries = new Map<string, Entry>();
  /** Recently seen hashes (pool members and included txs), oldest first. */
  private readonly cache = new Set<string>();
  private totalBytes = 0;
  private nextSeq = 0;
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly check: CheckFn<R>,
    private readonly hashTx: (tx: Uint8Array) => Uint8Array,
    options: MempoolOptions = {},
  ) {
    this.options = { ...DEFAULT_MEMPOOL_OPTIONS, ...options };
    for (const [name, v] of Object.entries(this.options)) {
      if (!Number.isSafeInteger(v) || v < (name === "cacheSize" ? 0 : 1)) {
        throw new MempoolError("MEMPOOL_INVALID_OPTIONS", `mempool option ${name} must be a positive integer`);
      }
    }
  }

  get size(): number {
    return this.entries.size;
  }

  get bytes(): number {
    return this.totalBytes;
  }

  has(hash: Uint8Array): boolean {
    return this.entries.has(bytesToHex(hash));
  }

  /** Called (synchronously) whenever a tx is admitted; returns the unsubscribe function. */
  onTxAvailable(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Checks and, when the check passes, keeps `tx`. Throws `MempoolError` for an empty, oversized or
   * duplicate tx or a full pool (the check does not run then).
   */
  add(tx: Uint8Array): AddResult<R> {
    const r = this.tryAdd(tx);
    if ("refused" in r) throw new MempoolError(r.refused, r.message);
    return r;
  }

  /**
   * `add` without the throw: a refusal before the check comes back as `{ refused, message }` (for a
   * caller that expects many, e.g. txs gossiped by several peers, where an error per duplicate would
   * cost a stack trace each).
   */
  tryAdd(tx: Uint8Array): AddResult<R> | Refusal {
    if (tx.length === 0) return { refused: "MEMPOOL_TX_EMPTY", message: "tx is empty" };
    if (tx.length > this.options.maxTxBytes) {
      return {
        refused: "MEMPOOL_TX_TOO_LARGE",
        message: `tx too large. Max size is ${this.options.maxTxBytes}, but got ${tx.length}`,
      };
    }
    const hash = this.hashTx(tx);
    const key = bytesToHex(hash);
    if (this.entries.has(key) || this.cache.has(key)) return DUPLICATE;
    if (this.entries.size >= this.options.maxTxs || this.totalBytes + tx.length > this.options.maxBytes) {
      return {
        refused: "MEMPOOL_FULL",
        message: `mempool is full: number of txs ${this.entries.size} (max: ${this.options.maxTxs}), total txs bytes ${this.totalBytes} (max: ${this.options.maxBytes})`,
      };
    }
    const outcome = this.check(tx);
    if (!outcome.ok) return { hash, outcome };
    const copy = tx.slice();
    this.entries.set(key, {
      tx: copy,
      hash,
      key,
      seq: this.nextSeq++,
      gasWanted: outcome.gasWanted,
      priority: outcome.priority,
      sender: outcome.sender,
    });
    this.totalBytes += copy.length;
    this.remember(key);
    if (this.listeners.size > 0) for (const l of [...this.listeners]) l();
    return { hash, outcome };
  }

  /** Txs in arrival order (RPC `unconfirmed_txs`), at most `limit`. */
  txs(limit = Number.MAX_SAFE_INTEGER): Uint8Array[] {
    const out: Uint8Array[] = [];
    for (const e of this.entries.values()) {
      if (out.length >= limit) break;
      out.push(e.tx);
    }
    return out;
  }

  /**
   * Txs for a block, best first, while the total size stays ≤ `maxBytes` and the total gas ≤ `maxGas`
   * (−1: no bound). The txs stay in the pool until `update`.
   */
  reap(maxBytes = -1, maxGas = -1n): Uint8Array[] {
    return this.reapEntries(maxBytes, maxGas).map((e) => e.tx);
  }

  /** `reap`, with each tx's hash (`hashTx(tx)`, computed when it was admitted) at the same index. */
  reapWithHashes(maxBytes = -1, maxGas = -1n): { readonly txs: Uint8Array[]; readonly hashes: Uint8Array[] } {
    const entries = this.reapEntries(maxBytes, maxGas);
    return { txs: entries.map((e) => e.tx), hashes: entries.map((e) => e.hash) };
  }

  private reapEntries(maxBytes: number, maxGas: bigint): Entry[] {
    // One queue per sender in arrival order (a sender "" is a queue per tx).
    const queues: Entry[][] = [];
    const bySender = new Map<string, Entry[]>();
    for (const e of this.entries.values()) {
      if (e.sender === "") {
        queues.push([e]);
        continue;
      }
      let q = bySender.get(e.sender);
      if (q === undefined) {
        q = [];
        bySender.set(e.sender, q);
        queues.push(q);
      }
      q.push(e);
    }
    const heap = new EntryHeap();
    for (const q of queues) heap.push({ entry: q[0]!, queue: q, index: 0 });
    const out: Entry[] = [];
    let bytes = 0;
    let gas = 0n;
    for (let top = heap.pop(); top !== undefined; top = heap.pop()) {
      const e = top.entry;
      if ((maxBytes >= 0 && bytes + e.tx.length > maxBytes) || (maxGas >= 0n && gas + e.gasWanted > maxGas)) {
        continue; // this sender's run ends for this block
      }
      out.push(e);
      bytes += e.tx.length;
      gas += e.gasWanted;
      const next = top.queue[top.index + 1];
      if (next !== undefined) {
        // The sender's next tx takes the popped item's place (one item per sender, reused).
        top.index++;
        top.entry = next;
        heap.push(top);
      }
    }
    return out;
  }

  /**
   * After a block is committed: removes its txs (remembering their hashes so a re-broadcast is a
   * duplicate), then re-checks the rest in arrival order and drops those that fail. `hashes`, when
   * given, are the included txs' hashes (`hashTx(included[i])`, same order): no tx is hashed again.
   * Throws MEMPOOL_INVALID_OPTIONS when their count differs from the txs'.
   */
  update(included: readonly Uint8Array[], hashes?: readonly Uint8Array[]): UpdateResult {
    if (hashes !== undefined && hashes.length !== included.length) {
      throw new MempoolError(
        "MEMPOOL_INVALID_OPTIONS",
        `update: ${hashes.length} hashes given for ${included.length} included txs`,
      );
    }
    let removed = 0;
    for (let i = 0; i < included.length; i++) {
      const key = bytesToHex(hashes?.[i] ?? this.hashTx(included[i]!));
      const e = this.entries.get(key);
      if (e !== undefined) {
        this.entries.delete(key);
        this.totalBytes -= e.tx.length;
        removed++;
      }
      this.remember(key);
    }
    let dropped = 0;
    // Deleting the visited entry of a Map while iterating it is well defined (no copy of the pool).
    for (const e of this.entries.values()) {
      const outcome = this.check(e.tx);
      if (outcome.ok) {
        e.gasWanted = outcome.gasWanted;
        e.priority = outcome.priority;
        e.sender = outcome.sender;
      } else {
        this.entries.delete(e.key);
        this.cache.delete(e.key);
        this.totalBytes -= e.tx.length;
        dropped++;
      }
    }
    return { included: removed, dropped };
  }

  /** Empties the pool (the cache of included hashes stays). */
  clear(): void {
    for (const key of this.entries.keys()) this.cache.delete(key);
    this.entries.clear();
    this.totalBytes = 0;
  }

  private remember(key: string): void {
    this.cache.delete(key);
    this.cache.add(key);
    while (this.cache.size > this.options.cacheSize + this.entries.size) {
      const oldest = this.cache.values().next();
      if (oldest.done === true) break;
      if (this.entries.has(oldest.value)) {
        // Pool members stay in the cache; move them to the back.
        this.cache.delete(oldest.value);
        this.cache.add(oldest.value);
        continue;
      }
      this.cache.delete(oldest.value);
    }
  }
}

/** A sender's queue in the heap: its next tx (`queue[index]`). */
interface HeapItem {
  entry: Entry;
  readonly queue: Entry[];
  index: number;
}

/** Max-heap on (priority, then earlier arrival). */
class EntryHeap {
  private readonly items: HeapItem[] = [];

  private static before(a: HeapItem, b: HeapItem): boolean {
    if (a.entry.priority !== b.entry.priority) return a.entry.priority > b.entry.priority;
    return a.entry.seq < b.entry.seq;
  }

  push(item: HeapItem): void {
    const h = this.items;
    h.push(item);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!EntryHeap.before(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }

  pop(): HeapItem | undefined {
    const h = this.items;
    const top = h[0];
    const last = h.pop();
    if (top === undefined || last === undefined || h.length === 0) return top;
    h[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && EntryHeap.before(h[l]!, h[m]!)) m = l;
      if (r < h.length && EntryHeap.before(h[r]!, h[m]!)) m = r;
      if (m === i) break;
      [h[i], h[m]] = [h[m]!, h[i]!];
      i = m;
    }
    return top;
  }
}
