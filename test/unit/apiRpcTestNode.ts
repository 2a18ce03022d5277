/**
 * A test double of the node behind the RPC: a real `SecretApp` on an in-memory store that "produces
 * blocks" by calling finalizeBlock/commit directly, keeps the block store, tx index, a mempool and
 * event listeners, and implements `ApiBackend`. Headers and commits are plausible but not real
 * consensus data (hashes are sha256 of their encodings, signatures are fixed bytes).
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
import { eventAttributeMap, matchesEventQuery, parseEventQuery } from "../../src/api/rpc/index.ts";
import type { SecretApp, TxResult, QueryResponse, SimulateResponse } from "../../src/app/index.ts";
import {
  BlockIdFlag,
  NIL_BLOCK_ID,
  type BlockId,
  type Commit,
  type Header,
  encodeHeader,
} from "../../src/codec/consensus.ts";
import { sha256 } from "../../src/crypto/index.ts";
import { bytesEqual, concatBytes, utf8Encode } from "../../src/primitives/bytes.ts";
import { CHAIN_ID, blockTime, genesisFor, newApp, type TestKey } from "../helpers/appTx.ts";
import type { ProtoCoin } from "../../src/codec/tx.ts";

const VALIDATOR: ValidatorRecord = {
  address: sha256(utf8Encode("validator pubkey")).slice(0, 20),
  pubKey: sha256(utf8Encode("validator pubkey")),
  votingPower: 10n,
  proposerPriority: 0n,
};

export interface TestNodeOptions {
  readonly funded: ReadonlyArray<{ readonly key: TestKey; readonly coins: readonly ProtoCoin[] }>;
  /** Produce a block shortly after each admitted broadcast (default true). */
  readonly autoBlocks?: boolean;
  /** Give headers the Secret fork's encrypted_random. */
  readonly encryptedRandom?: boolean;
}

export class TestNode implements ApiBackend {
  readonly chainId = CHAIN_ID;
  readonly app: SecretApp;
  readonly blocks: BlockRecord[] = [];
  readonly results: BlockResultsRecord[] = [];
  private readonly txIndex = new Map<string, IndexedTx>();
  private readonly txList: IndexedTx[] = [];
  private readonly listeners = new Set<(e: NodeEvent) => void>();
  private readonly waiters = new Set<(tx: IndexedTx) => void>();
  private readonly genesisDoc: Record<string, unknown>;
  mempool: Uint8Array[] = [];
  private pendingBlock: ReturnType<typeof setTimeout> | undefined;
  /** Optional per-height consensus params (tests set it to exercise the backend path). */
  consensusParams?: (height: number) => unknown;
  private readonly autoBlocks: boolean;
  private readonly encryptedRandom: boolean;

  constructor(options: TestNodeOptions) {
    this.app = newApp();
    const genesis = genesisFor(options.funded);
    this.app.initChain(genesis);
    this.autoBlocks = options.autoBlocks ?? true;
    this.encryptedRandom = options.encryptedRandom ?? false;
    this.genesisDoc = {
      genesis_time: "2025-01-01T00:00:00Z",
      chain_id: CHAIN_ID,
      initial_height: "1",
      consensus_params: {
        block: { max_bytes: "22020096", max_gas: "-1" },
        evidence: { max_age_num_blocks: "100000", max_age_duration: "172800000000000", max_bytes: "1048576" },
        validator: { pub_key_types: ["ed25519"] },
        version: { app: "0" },
        abci: { vote_extensions_enable_height: "0" },
      },
      validators: [
        {
          address: Buffer.from(VALIDATOR.address).toString("hex").toUpperCase(),
          pub_key: { type: "tendermint/PubKeyEd25519", value: Buffer.from(VALIDATOR.pubKey).toString("base64") },
          power: "10",
          name: "val",
        },
      ],
      app_hash: "",
      app_state: genesis.appState as Record<string, unknown>,
    };
  }

  /** Runs finalizeBlock + commit over the mempool (or the given txs) and publishes the events. */
  produceBlock(txs: readonly Uint8Array[] = this.takeMempool()): BlockRecord {
    const height = this.blocks.length + 1;
    const prev = this.blocks[height - 2];
    const prevAppHash = this.app.lastAppHash;
    const fin = this.app.finalizeBlock({ height, timeNanos: blockTime(height), txs });
    const committed = this.app.commit();
    const lastBlockId: BlockId = prev?.blockId ?? NIL_BLOCK_ID;
    const header: Header = {
      version: { block: 11n, app: 0n },
      chainId: CHAIN_ID,
      height: BigInt(height),
      time: { seconds: blockTime(height) / 1_000_000_000n, nanos: 123_000_000 },
      lastBlockId,
      lastCommitHash: sha256(utf8Encode(`last commit ${height}`)),
      dataHash: sha256(concatBytes(...txs)),
      validatorsHash: sha256(utf8Encode("vals")),
      nextValidatorsHash: sha256(utf8Encode("vals")),
      consensusHash: sha256(utf8Encode("params")),
      appHash: prevAppHash,
      lastResultsHash: sha256(utf8Encode(`results ${height - 1}`)),
      evidenceHash: sha256(new Uint8Array(0)),
      proposerAddress: VALIDATOR.address,
      ...(this.encryptedRandom
        ? { encryptedRandom: { random: sha256(utf8Encode(`rand ${height}`)), proof: new Uint8Array([1, 2, 3]) } }
        : {}),
    };
    const hash = sha256(encodeHeader(header));
    const blockId: BlockId = { hash, partSetHeader: { total: 1, hash: sha256(hash) } };
    const lastCommit: Commit =
      prev === undefined ? { height: 0n, round: 0, blockId: NIL_BLOCK_ID, signatures: [] } : this.commitFor(prev);
    const block: BlockRecord = { blockId, header, txs: [...txs], lastCommit, evidence: [] };
    const results: BlockResultsRecord = {
      height,
      txResults: fin.txResults,
      finalizeBlockEvents: fin.events,
      validatorUpdates: [],
      appHash: committed.appHash,
    };
    this.blocks.push(block);
    this.results.push(results);
    const indexed = txs.map((tx, index) => {
      const rec: IndexedTx = { hash: sha256(tx), height, index, tx, result: fin.txResults[index]! };
      this.txIndex.set(Buffer.from(rec.hash).toString("hex"), rec);
      this.txList.push(rec);
      return rec;
    });
    for (const l of this.listeners) l({ type: "NewBlock", block, results });
    for (const rec of indexed) {
      for (const l of this.listeners) l({ type: "Tx", tx: rec });
      for (const w of this.waiters) w(rec);
    }
    return block;
  }

  private commitFor(b: BlockRecord): Commit {
    return {
      height: b.header.height,
      round: 0,
      blockId: b.blockId,
      signatures: [
        {
          blockIdFlag: BlockIdFlag.Commit,
          validatorAddress: VALIDATOR.address,
          timestamp: { seconds: b.header.time.seconds + 1n, nanos: 5 },
          signature: new Uint8Array(64).fill(7),
        },
      ],
    };
  }

  private takeMempool(): Uint8Array[] {
    const txs = this.mempool;
    this.mempool = [];
    return txs;
  }

  close(): void {
    if (this.pendingBlock !== undefined) clearTimeout(this.pendingBlock);
  }

  // ApiBackend -------------------------------------------------------------------------------------

  identity(): NodeIdentity {
    return {
      id: "0123456789abcdef0123456789abcdef01234567",
      moniker: "test-node",
      network: CHAIN_ID,
      version: "0.38.17",
      listenAddr: "tcp://127.0.0.1:26656",
    };
  }

  status(): NodeStatus {
    const latest = this.blocks[this.blocks.length - 1];
    const first = this.blocks[0];
    if (latest === undefined || first === undefined) throw new Error("no blocks yet");
    const nanos = (b: BlockRecord) => b.header.time.seconds * 1_000_000_000n + BigInt(b.header.time.nanos);
    return {
      latestHeight: Number(latest.header.height),
      latestBlockHash: latest.blockId.hash,
      latestAppHash: this.app.lastAppHash,
      latestBlockTimeNanos: nanos(latest),
      earliestHeight: 1,
      earliestBlockHash: first.blockId.hash,
      earliestAppHash: first.header.appHash,
      earliestBlockTimeNanos: nanos(first),
      catchingUp: false,
      validator: VALIDATOR,
    };
  }

  peers(): readonly PeerRecord[] {
    return [{ id: "aa".repeat(20), moniker: "peer", remoteIp: "127.0.0.2", isOutbound: true }];
  }

  genesis(): unknown {
    return this.genesisDoc;
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

  commit(height?: number): Commit | undefined {
    const b = this.block(height);
    return b === undefined ? undefined : this.commitFor(b);
  }

  validators(height?: number): { height: number; validators: readonly ValidatorRecord[] } | undefined {
    return { height: height ?? this.blocks.length, validators: [VALIDATOR] };
  }

  tx(hash: Uint8Array): IndexedTx | undefined {
    return this.txIndex.get(Buffer.from(hash).toString("hex"));
  }

  searchTxs(query: string, options: SearchOptions = {}): SearchResult<IndexedTx> {
    const q = parseEventQuery(query);
    const all = this.txList.filter((t) => {
      const events = eventAttributeMap(t.result.events);
      events.set("tx.hash", [Buffer.from(t.hash).toString("hex").toUpperCase()]);
      events.set("tx.height", [String(t.height)]);
      return matchesEventQuery(q, events);
    });
    return page(all, options);
  }

  searchBlocks(query: string, options: SearchOptions = {}): SearchResult<BlockRecord> {
    const q = parseEventQuery(query);
    const all = this.blocks.filter((b, i) => {
      const events = eventAttributeMap(this.results[i]!.finalizeBlockEvents);
      events.set("block.height", [b.header.height.toString()]);
      return matchesEventQuery(q, events);
    });
    return page(all, options);
  }

  /** `check_tx` keeps nothing: run it on a throwaway branch (the app's simulate path). */
  checkTx(tx: Uint8Array): TxResult {
    const { msgResponses: _unused, ...result } = this.app.simulate(tx);
    return result;
  }

  broadcastTx(tx: Uint8Array): BroadcastResult {
    const check = this.app.checkTx(tx);
    if (check.code === 0) {
      this.mempool.push(tx);
      if (this.autoBlocks && this.pendingBlock === undefined) {
        this.pendingBlock = setTimeout(() => {
          this.pendingBlock = undefined;
          this.produceBlock();
        }, 20);
      }
    }
    return { hash: sha256(tx), check };
  }

  waitForTx(hash: Uint8Array, timeoutMs: number): Promise<IndexedTx | undefined> {
    const known = this.tx(hash);
    if (known !== undefined) return Promise.resolve(known);
    return new Promise((resolve) => {
      const waiter = (rec: IndexedTx): void => {
        if (!bytesEqual(rec.hash, hash)) return;
        this.waiters.delete(waiter);
        clearTimeout(timer);
        resolve(rec);
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        resolve(undefined);
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  unconfirmedTxs(limit: number) {
    return {
      txs: this.mempool.slice(0, limit),
      total: this.mempool.length,
      totalBytes: this.mempool.reduce((n, t) => n + t.length, 0),
    };
  }

  abciInfo() {
    return {
      data: "SecretNetwork",
      version: "1.15.0",
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

function page<T>(all: readonly T[], options: SearchOptions): SearchResult<T> {
  const ordered = options.orderBy === "desc" ? [...all].reverse() : all;
  const perPage = options.perPage ?? 30;
  const p = options.page ?? 1;
  return { items: ordered.slice((p - 1) * perPage, p * perPage), total: all.length };
}
