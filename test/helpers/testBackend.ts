/**
 * The shared part of the API tests' node doubles (test/unit/apiLcdBackend.ts for the LCD,
 * test/unit/apiRpcTestNode.ts for the RPC): an `ApiBackend` over a real `SecretApp` that "produces
 * blocks" by calling `finalizeBlock`/`commit` itself, keeps the blocks, their results, an index of
 * the included txs and a mempool, and publishes `NewBlock` and `Tx` events. Each double supplies
 * its block times and headers, its commits and validators, its tx search and how a broadcast leads
 * to a block.
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
} from "../../src/api/backend.ts";
import type { QueryResponse, SecretApp, SimulateResponse, TxResult } from "../../src/app/index.ts";
import type { BlockId, Commit, Header, Timestamp } from "../../src/codec/consensus.ts";
import { sha256 } from "../../src/crypto/index.ts";
import { bytesEqual } from "../../src/primitives/bytes.ts";
import { toHex } from "../../src/primitives/hex.ts";

/** What a double reports about itself (`/status`'s node_info, `/abci_info`). */
export interface TestBackendNames {
  readonly moniker: string;
  readonly abciData: string;
  readonly abciVersion: string;
}

/** What a double builds for a new block, given what the base knows before executing it. */
export interface NewBlockInput {
  readonly height: number;
  readonly txs: readonly Uint8Array[];
  readonly prev: BlockRecord | undefined;
  /** The app hash before this block (the header's `app_hash`). */
  readonly prevAppHash: Uint8Array;
}

export abstract class TestBackendBase implements ApiBackend {
  readonly blocks: BlockRecord[] = [];
  readonly results: BlockResultsRecord[] = [];
  /** Every included tx, in order. */
  readonly indexed: IndexedTx[] = [];
  mempool: Uint8Array[] = [];
  protected readonly listeners = new Set<(e: NodeEvent) => void>();
  private readonly byHash = new Map<string, IndexedTx>();

  constructor(
    readonly app: SecretApp,
    readonly chainId: string,
    private readonly names: TestBackendNames,
  ) {}

  /** The app's block time (ns) of `height`, and the header's time. */
  protected abstract blockTime(height: number): { readonly timeNanos: bigint; readonly headerTime: Timestamp };
  /** The header, block id and last commit of a new block. */
  protected abstract buildBlock(
    input: NewBlockInput,
    headerTime: Timestamp,
  ): { readonly header: Header; readonly blockId: BlockId; readonly lastCommit: Commit };
  /** Called after an admitted broadcast: produce a block now, later, or not at all. */
  protected abstract scheduleBlock(): void;

  abstract peers(): readonly PeerRecord[];
  abstract genesis(): unknown;
  abstract commit(height?: number): Commit | undefined;
  abstract validators(height?: number): { height: number; validators: readonly ValidatorRecord[] } | undefined;
  abstract searchTxs(query: string, options?: SearchOptions): SearchResult<IndexedTx>;
  abstract searchBlocks(query: string, options?: SearchOptions): SearchResult<BlockRecord>;
  abstract checkTx(tx: Uint8Array): TxResult;
  abstract waitForTx(hash: Uint8Array, timeoutMs: number): Promise<IndexedTx | undefined>;
  protected abstract validator(): ValidatorRecord;

  /** Executes and commits a block of `txs` (default: the mempool), indexes it and publishes its events. */
  produceBlock(txs: readonly Uint8Array[] = this.takeMempool()): BlockRecord {
    const height = this.app.lastHeight + 1;
    const prev = this.blocks[this.blocks.length - 1];
    const prevAppHash = this.app.lastAppHash;
    const { timeNanos, headerTime } = this.blockTime(height);
    const fin = this.app.finalizeBlock({ height, timeNanos, txs });
    const { appHash } = this.app.commit();
    const { header, blockId, lastCommit } = this.buildBlock({ height, txs, prev, prevAppHash }, headerTime);
    const block: BlockRecord = { blockId, header, txs: [...txs], lastCommit, evidence: [] };
    const results: BlockResultsRecord = {
      height,
      txResults: fin.txResults,
      finalizeBlockEvents: fin.events,
      validatorUpdates: [],
      appHash,
    };
    this.blocks.push(block);
    this.results.push(results);
    const included = txs.map((tx, index) => {
      const rec: IndexedTx = { hash: sha256(tx), height, index, tx, result: fin.txResults[index]! };
      this.indexed.push(rec);
      this.byHash.set(toHex(rec.hash), rec);
      return rec;
    });
    for (const l of this.listeners) l({ type: "NewBlock", block, results });
    for (const rec of included) for (const l of this.listeners) l({ type: "Tx", tx: rec });
    this.included(included);
    return block;
  }

  /** Hook for doubles that wait for txs. */
  protected included(_txs: readonly IndexedTx[]): void {}

  protected takeMempool(): Uint8Array[] {
    const txs = this.mempool;
    this.mempool = [];
    return txs;
  }

  identity(): NodeIdentity {
    return {
      id: "0123456789abcdef0123456789abcdef01234567",
      moniker: this.names.moniker,
      network: this.chainId,
      version: "0.38.17",
      listenAddr: "tcp://127.0.0.1:26656",
    };
  }

  /** Before the first block: zero heights, empty hashes. */
  status(): NodeStatus {
    const first = this.blocks[0];
    const last = this.blocks[this.blocks.length - 1];
    const nanos = (b: BlockRecord | undefined): bigint =>
      b === undefined ? 0n : b.header.time.seconds * 1_000_000_000n + BigInt(b.header.time.nanos);
    return {
      latestHeight: this.app.lastHeight,
      latestBlockHash: last?.blockId.hash ?? new Uint8Array(0),
      latestAppHash: this.app.lastAppHash,
      latestBlockTimeNanos: nanos(last),
      earliestHeight: first === undefined ? 0 : Number(first.header.height),
      earliestBlockHash: first?.blockId.hash ?? new Uint8Array(0),
      earliestAppHash: first?.header.appHash ?? new Uint8Array(0),
      earliestBlockTimeNanos: nanos(first),
      catchingUp: false,
      validator: this.validator(),
    };
  }

  block(height?: number): BlockRecord | undefined {
    return this.blocks[(height ?? this.blocks.length) - 1];
  }

  blockByHash(hash: Uint8Array): BlockRecord | undefined {
    return this.blocks.find((b) => bytesEqual(b.blockId.hash, hash));
  }

  blockResults(height?: number): BlockResultsRecord | undefined {
    return this.results[(height ?? this.results.length) - 1];
  }

  tx(hash: Uint8Array): IndexedTx | undefined {
    return this.byHash.get(toHex(hash));
  }

  /** CheckTx through the app; an admitted tx joins the mempool and `scheduleBlock` decides when it lands. */
  broadcastTx(tx: Uint8Array): BroadcastResult {
    const check = this.app.checkTx(tx);
    if (check.code === 0) {
      this.mempool.push(tx);
      this.scheduleBlock();
    }
    return { hash: sha256(tx), check };
  }

  unconfirmedTxs(limit: number): { txs: Uint8Array[]; total: number; totalBytes: number } {
    return {
      txs: this.mempool.slice(0, limit),
      total: this.mempool.length,
      totalBytes: this.mempool.reduce((n, t) => n + t.length, 0),
    };
  }

  abciInfo(): {
    data: string;
    version: string;
    appVersion: bigint;
    lastBlockHeight: number;
    lastBlockAppHash: Uint8Array;
  } {
    return {
      data: this.names.abciData,
      version: this.names.abciVersion,
      appVersion: 0n,
      lastBlockHeight: this.app.lastHeight,
      lastBlockAppHash: this.app.lastAppHash,
    };
  }

  abciQuery(path: string, data: Uint8Array, height: number, prove: boolean): QueryResponse {
    return this.app.query(path, data, height, prove);
  }

  simulate(tx: Uint8Array): SimulateResponse {
    return this.app.simulate(tx);
  }

  subscribe(listener: (event: NodeEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/** One page of `all` (1-based `page`, `perPage` default 30 capped at `maxPerPage`), newest first on `desc`. */
export function pageOf<T>(all: readonly T[], options: SearchOptions, maxPerPage = Infinity): SearchResult<T> {
  const ordered = options.orderBy === "desc" ? [...all].reverse() : all;
  const perPage = Math.min(options.perPage ?? 30, maxPerPage);
  const page = options.page ?? 1;
  return { items: ordered.slice((page - 1) * perPage, page * perPage), total: all.length };
}
