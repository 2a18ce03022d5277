/**
 * The `ApiBackend` the RPC and LCD servers run on, implemented over a running `Node`: reads from the
 * block store and the app, writes only through the mempool.
 */
import type {
  ApiBackend,
  BlockRecord,
  BlockResultsRecord,
  BroadcastResult,
  IndexedTx,
  NodeEvent,
  NodeIdentity,
  NodeStatus,
  PeerRecord,
  SearchOptions,
  SearchResult,
  ValidatorRecord,
} from "../api/backend.ts";
import type { QueryResponse, SimulateResponse, TxResult } from "../app/index.ts";
import type { Commit } from "../codec/consensus.ts";
import { timestampToNanos } from "../consensus/index.ts";
import { sha256 } from "../crypto/index.ts";
import { bytesEqual } from "../primitives/bytes.ts";
import { toHex } from "../primitives/hex.ts";
import { COMETBFT_VERSION, type Node } from "./node.ts";

const EMPTY = new Uint8Array(0);

export class NodeBackend implements ApiBackend {
  private readonly waiters = new Map<string, Set<(tx: IndexedTx) => void>>();
  private readonly unsubscribe: () => void;

  constructor(
    private readonly node: Node,
    private readonly listenAddr = "tcp://0.0.0.0:26656",
  ) {
    this.unsubscribe = node.subscribe((e) => {
      // Every committed tx passes here: nothing to do (no hex key) unless someone waits.
      if (e.type !== "Tx" || this.waiters.size === 0) return;
      const key = toHex(e.tx.hash);
      const set = this.waiters.get(key);
      if (set === undefined) return;
      this.waiters.delete(key);
      for (const resolve of set) resolve(e.tx);
    });
  }

  get chainId(): string {
    return this.node.chainId;
  }

  close(): void {
    this.unsubscribe();
    for (const set of this.waiters.values()) for (const resolve of set) resolve(undefined as unknown as IndexedTx);
    this.waiters.clear();
  }

  identity(): NodeIdentity {
    return {
      id: this.node.nodeId,
      moniker: this.node.config.moniker,
      network: this.node.chainId,
      version: COMETBFT_VERSION,
      listenAddr: this.listenAddr,
    };
  }

  private validatorRecord(height: number): ValidatorRecord {
    const set = this.node.validatorsAt(Math.max(height, this.node.genesis.initialHeight));
    const own = set.validators.find((v) => bytesEqual(v.address, this.node.validatorAddress));
    return (
      own ?? {
        address: this.node.validatorAddress,
        pubKey: this.node.validatorPubKey,
        votingPower: 0n,
        proposerPriority: 0n,
      }
    );
  }

  /** Header time and app hash of the earliest stored block (never changes for a height). */
  private earliest: { readonly height: number; readonly timeNanos: bigint; readonly appHash: Uint8Array } | undefined;

  status(): NodeStatus {
    const bs = this.node.blockStore;
    const latest = bs.height;
    const base = bs.base;
    // The latest block is kept decoded by the block store; the earliest one is read once per base.
    const latestHeader = latest > 0 ? bs.decodedBlock(latest)?.header : undefined;
    if (this.earliest?.height !== base) {
      const header = base > 0 ? bs.decodedBlock(base)?.header : undefined;
      this.earliest =
        header === undefined
          ? undefined
          : { height: base, timeNanos: timestampToNanos(header.time), appHash: header.appHash };
    }
    const earliest = this.earliest;
    return {
      latestHeight: latest,
      latestBlockHash: latest > 0 ? (bs.blockId(latest)?.hash ?? EMPTY) : EMPTY,
      latestAppHash: this.node.app.lastAppHash,
      latestBlockTimeNanos:
        latestHeader === undefined ? this.node.genesis.genesisTimeNanos : timestampToNanos(latestHeader.time),
      earliestHeight: base,
      earliestBlockHash: base > 0 ? (bs.blockId(base)?.hash ?? EMPTY) : EMPTY,
      earliestAppHash: earliest?.appHash ?? EMPTY,
      earliestBlockTimeNanos: earliest?.timeNanos ?? this.node.genesis.genesisTimeNanos,
      catchingUp: false,
      validator: this.validatorRecord(latest + 1),
    };
  }

  peers(): readonly PeerRecord[] {
    return [];
  }

  genesis(): unknown {
    return this.node.genesis.json;
  }

  private resolveHeight(height: number | undefined): number {
    return height === undefined || height === 0 ? this.node.blockStore.height : height;
  }

  block(height?: number): BlockRecord | undefined {
    const h = this.resolveHeight(height);
    return h > 0 ? this.node.blockStore.block(h) : undefined;
  }

  blockByHash(hash: Uint8Array): BlockRecord | undefined {
    const h = this.node.blockStore.heightByHash(hash);
    return h === undefined ? undefined : this.node.blockStore.block(h);
  }

  blockResults(height?: number): BlockResultsRecord | undefined {
    const h = this.resolveHeight(height);
    return h > 0 ? this.node.blockStore.blockResults(h) : undefined;
  }

  commit(height?: number): Commit | undefined {
    const h = this.resolveHeight(height);
    return h > 0 ? this.node.blockStore.commit(h) : undefined;
  }

  validators(
    height?: number,
  ): { readonly height: number; readonly validators: readonly ValidatorRecord[] } | undefined {
    const h = height === undefined || height === 0 ? this.node.blockStore.height + 1 : height;
    if (h < 1 || h > this.node.blockStore.height + 1) return undefined;
    const set = this.node.validatorsAt(h);
    return { height: h, validators: set.validators };
  }

  tx(hash: Uint8Array): IndexedTx | undefined {
    return this.node.blockStore.tx(hash);
  }

  searchTxs(query: string, options?: SearchOptions): SearchResult<IndexedTx> {
    return this.node.blockStore.searchTxs(query, options);
  }

  searchBlocks(query: string, options?: SearchOptions): SearchResult<BlockRecord> {
    return this.node.blockStore.searchBlocks(query, options);
  }

  checkTx(tx: Uint8Array): TxResult {
    // Nothing may be kept, and the app's CheckTx advances the sender's pending sequence: use simulate's
    // throwaway branch (it skips the signature check and the min gas price; see README).
    const { msgResponses: _unused, ...result } = this.node.app.simulate(tx);
    return result;
  }

  /** Throws `MempoolError` (duplicate, full, too large) before the check runs. */
  broadcastTx(tx: Uint8Array): BroadcastResult {
    const { hash, outcome } = this.node.mempool.add(tx);
    if (outcome.ok) this.node.broadcastTxToPeers(tx);
    return { hash, check: outcome.result };
  }

  waitForTx(hash: Uint8Array, timeoutMs: number): Promise<IndexedTx | undefined> {
    const found = this.node.blockStore.tx(hash);
    if (found !== undefined) return Promise.resolve(found);
    const key = toHex(hash);
    return new Promise((resolve) => {
      let set = this.waiters.get(key);
      if (set === undefined) {
        set = new Set();
        this.waiters.set(key, set);
      }
      const timer = setTimeout(() => {
        set.delete(done);
        if (set.size === 0) this.waiters.delete(key);
        resolve(this.node.blockStore.tx(hash));
      }, timeoutMs);
      const done = (tx: IndexedTx | undefined): void => {
        clearTimeout(timer);
        resolve(tx);
      };
      set.add(done);
    });
  }

  unconfirmedTxs(limit: number): {
    readonly txs: readonly Uint8Array[];
    readonly total: number;
    readonly totalBytes: number;
  } {
    return { txs: this.node.mempool.txs(limit), total: this.node.mempool.size, totalBytes: this.node.mempool.bytes };
  }

  abciInfo(): {
    readonly data: string;
    readonly version: string;
    readonly appVersion: bigint;
    readonly lastBlockHeight: number;
    readonly lastBlockAppHash: Uint8Array;
  } {
    return {
      data: "SecretNetwork",
      version: this.node.appVersion,
      appVersion: 0n,
      lastBlockHeight: this.node.app.lastHeight,
      lastBlockAppHash: this.node.app.lastAppHash,
    };
  }

  abciQuery(path: string, data: Uint8Array, height: number, prove: boolean): QueryResponse {
    return this.node.app.query(path, data, height, prove);
  }

  simulate(tx: Uint8Array): SimulateResponse {
    return this.node.app.simulate(tx);
  }

  subscribe(listener: (event: NodeEvent) => void): () => void {
    return this.node.subscribe(listener);
  }
}

/** sha256 of a tx: its hash as CometBFT shows it. */
export const txHash = (tx: Uint8Array): Uint8Array => sha256(tx);
