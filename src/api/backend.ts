/**
 * What the API servers (Tendermint RPC and the LCD gateway) need from a running node. `src/node/`
 * implements it; the servers never see the store, the consensus driver or the enclave directly.
 *
 * Everything here is the node's public data: blocks, results, ciphertext. Heights are numbers (a dev
 * chain will not reach 2^53), amounts and gas are bigint.
 */
import type { BlockId, Commit, DuplicateVoteEvidence, Header } from "../codec/consensus.ts";
import type { AppEvent, QueryResponse, SimulateResponse, TxResult } from "../app/index.ts";

/** A committed block as the block store keeps it. */
export interface BlockRecord {
  readonly blockId: BlockId;
  readonly header: Header;
  readonly txs: readonly Uint8Array[];
  /** The commit for `height - 1` carried in this block (empty signatures at the initial height). */
  readonly lastCommit: Commit;
  readonly evidence: readonly DuplicateVoteEvidence[];
}

/** A validator as consensus sees it at some height. */
export interface ValidatorRecord {
  /** 20-byte consensus address: sha256(ed25519 pubkey)[0..20]. */
  readonly address: Uint8Array;
  /** 32-byte ed25519 public key. */
  readonly pubKey: Uint8Array;
  readonly votingPower: bigint;
  readonly proposerPriority: bigint;
}

/** What `finalizeBlock` produced for a height. */
export interface BlockResultsRecord {
  readonly height: number;
  readonly txResults: readonly TxResult[];
  /** Begin/end-block events of the app. */
  readonly finalizeBlockEvents: readonly AppEvent[];
  readonly validatorUpdates: readonly { readonly pubKey: Uint8Array; readonly power: bigint }[];
  /** The app hash after this block (it appears in the next block's header). */
  readonly appHash: Uint8Array;
}

/** An included transaction with its result. */
export interface IndexedTx {
  /** sha256 of the tx bytes. */
  readonly hash: Uint8Array;
  readonly height: number;
  readonly index: number;
  readonly tx: Uint8Array;
  readonly result: TxResult;
}

export interface NodeIdentity {
  /** The node's p2p id (hex of 20 bytes, as CometBFT prints it). */
  readonly id: string;
  readonly moniker: string;
  readonly network: string;
  readonly version: string;
  readonly listenAddr: string;
}

export interface NodeStatus {
  readonly latestHeight: number;
  readonly latestBlockHash: Uint8Array;
  readonly latestAppHash: Uint8Array;
  /** Nanoseconds since the epoch (header time of the latest block). */
  readonly latestBlockTimeNanos: bigint;
  readonly earliestHeight: number;
  readonly earliestBlockHash: Uint8Array;
  readonly earliestAppHash: Uint8Array;
  readonly earliestBlockTimeNanos: bigint;
  readonly catchingUp: boolean;
  /** This node's own validator key, if it is one (else an observer's key with power 0). */
  readonly validator: ValidatorRecord;
}

export interface PeerRecord {
  readonly id: string;
  readonly moniker: string;
  readonly remoteIp: string;
  readonly isOutbound: boolean;
}

/** Events the node publishes for RPC subscriptions. */
export type NodeEvent =
  | { readonly type: "NewBlock"; readonly block: BlockRecord; readonly results: BlockResultsRecord }
  | { readonly type: "Tx"; readonly tx: IndexedTx };

export interface SearchOptions {
  /** 1-based page; default 1. */
  readonly page?: number;
  /** Default 30, at most 100. */
  readonly perPage?: number;
  readonly orderBy?: "asc" | "desc";
}

export interface SearchResult<T> {
  readonly items: readonly T[];
  readonly total: number;
}

/** Result of handing a tx to the node: the CheckTx result and, when admitted, the tx hash. */
export interface BroadcastResult {
  readonly hash: Uint8Array;
  readonly check: TxResult;
}

export interface ApiBackend {
  readonly chainId: string;
  identity(): NodeIdentity;
  status(): NodeStatus;
  peers(): readonly PeerRecord[];
  /** The genesis document as JSON (CometBFT genesis.json shape, with `app_state`). */
  genesis(): unknown;
  /** `undefined` height: the latest. `undefined` result: not stored (pruned or in the future). */
  block(height?: number): BlockRecord | undefined;
  blockByHash(hash: Uint8Array): BlockRecord | undefined;
  blockResults(height?: number): BlockResultsRecord | undefined;
  /** The commit that finalised `height` (canonical, from block `height + 1`, or the seen commit for the latest). */
  commit(height?: number): Commit | undefined;
  validators(height?: number): { readonly height: number; readonly validators: readonly ValidatorRecord[] } | undefined;
  tx(hash: Uint8Array): IndexedTx | undefined;
  /**
   * CometBFT query language over indexed tx events, e.g. `tx.height=5 AND message.sender='secret1…'`
   * (`=`, `<`, `<=`, `>`, `>=`, `CONTAINS`, `EXISTS`, joined by `AND`). A malformed query throws
   * an `ApiQueryError`-style Error with a message for the client.
   */
  searchTxs(query: string, options?: SearchOptions): SearchResult<IndexedTx>;
  /** The same language over block events (`block.height`, finalize-block events). */
  searchBlocks(query: string, options?: SearchOptions): SearchResult<BlockRecord>;
  /** CheckTx only, nothing kept (RPC `check_tx`). */
  checkTx(tx: Uint8Array): TxResult;
  /** CheckTx and, when it passes, admission to the mempool and gossip. */
  broadcastTx(tx: Uint8Array): BroadcastResult;
  /** Resolves when the tx is included (or `undefined` after `timeoutMs`). */
  waitForTx(hash: Uint8Array, timeoutMs: number): Promise<IndexedTx | undefined>;
  unconfirmedTxs(limit: number): {
    readonly txs: readonly Uint8Array[];
    readonly total: number;
    readonly totalBytes: number;
  };
  abciInfo(): {
    readonly data: string;
    readonly version: string;
    readonly appVersion: bigint;
    readonly lastBlockHeight: number;
    readonly lastBlockAppHash: Uint8Array;
  };
  abciQuery(path: string, data: Uint8Array, height: number, prove: boolean): QueryResponse;
  simulate(tx: Uint8Array): SimulateResponse;
  /**
   * Optional: the consensus params in force at `height`, as CometBFT's `ConsensusParams` JSON
   * (`{block, evidence, validator, version, abci}`). Without it the RPC's `consensus_params` answers
   * the genesis document's `consensus_params` over CometBFT's defaults.
   */
  consensusParams?(height: number): unknown;
  /** Returns the unsubscribe function. Listeners run after the block is committed and indexed. */
  subscribe(listener: (event: NodeEvent) => void): () => void;
}
