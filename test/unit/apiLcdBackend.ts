/**
 * A test double of the node for the LCD tests: an `ApiBackend` over a real `SecretApp` (in-memory
 * store) that "produces blocks" by calling `finalizeBlock`/`commit` itself, keeps the blocks and an
 * index of included txs, and answers tx searches with a small subset of the CometBFT query language
 * (`type.key='value'`, `tx.height=N`, `tx.hash='HEX'`, joined by AND).
 */
import { createHash } from "node:crypto";
import type {
  ApiBackend,
  BlockRecord,
  BlockResultsRecord,
  BroadcastResult,
  IndexedTx,
  NodeEvent,
  NodeIdentity,
  NodeStatus,
  SearchOptions,
  SearchResult,
  ValidatorRecord,
} from "../../src/api/backend.ts";
import type { QueryResponse, SecretApp, SimulateResponse, TxResult } from "../../src/app/index.ts";
import type { Commit, Header } from "../../src/codec/consensus.ts";
import { toHex } from "../../src/primitives/hex.ts";

const sha = (...parts: Array<Uint8Array | string>): Uint8Array => {
  const h = createHash("sha256");
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
};

export const VALIDATOR: ValidatorRecord = {
  address: sha("validator key").subarray(0, 20),
  pubKey: sha("validator pubkey"),
  votingPower: 10n,
  proposerPriority: 0n,
};

export interface TestBackendOptions {
  /** Produce a block (with every admitted tx) right after each broadcast; default true. */
  readonly autoBlock?: boolean;
  /** Time of block 1 in seconds; blocks are 1 s apart. */
  readonly genesisSeconds?: bigint;
}

export class TestBackend implements ApiBackend {
  readonly chainId: string;
  readonly blocks: BlockRecord[] = [];
  readonly results: BlockResultsRecord[] = [];
  readonly indexed: IndexedTx[] = [];
  private readonly byHash = new Map<string, IndexedTx>();
  private mempool: Uint8Array[] = [];
  private readonly listeners = new Set<(e: NodeEvent) => void>();
  private readonly autoBlock: boolean;
  private readonly genesisSeconds: bigint;
  broadcastCount = 0;

  constructor(
    readonly app: SecretApp,
    chainId: string,
    options: TestBackendOptions = {},
  ) {
    this.chainId = chainId;
    this.autoBlock = options.autoBlock ?? true;
    this.genesisSeconds = options.genesisSeconds ?? 1_735_689_600n;
  }

  /** Executes and commits a block of `txs` (default: the mempool). */
  produceBlock(txs: readonly Uint8Array[] = this.takeMempool()): BlockRecord {
    const height = this.app.lastHeight + 1;
    const seconds = this.genesisSeconds + BigInt(height);
    const nanos = 123_456_000 + height; // never a whole microsecond: exercises the 9-digit rendering
    const timeNanos = seconds * 1_000_000_000n + BigInt(nanos);
    const prev = this.blocks[this.blocks.length - 1];
    const res = this.app.finalizeBlock({ height, timeNanos, txs });
    const { appHash } = this.app.commit();
    const header: Header = {
      version: { block: 11n, app: 0n },
      chainId: this.chainId,
      height: BigInt(height),
      time: { seconds, nanos },
      lastBlockId: prev?.blockId ?? { hash: new Uint8Array(0), partSetHeader: { total: 0, hash: new Uint8Array(0) } },
      lastCommitHash: sha("last commit", String(height)),
      dataHash: sha("data", String(height)),
      validatorsHash: sha("validators"),
      nextValidatorsHash: sha("validators"),
      consensusHash: sha("consensus"),
      appHash: prev === undefined ? new Uint8Array(0) : this.results[this.results.length - 1]!.appHash,
      lastResultsHash: sha("results", String(height)),
      evidenceHash: sha("evidence"),
      proposerAddress: VALIDATOR.address,
      encryptedRandom: { random: sha("random", String(height)), proof: sha("proof", String(height)) },
    };
    const lastCommit: Commit = {
      height: BigInt(height - 1),
      round: 0,
      blockId: header.lastBlockId,
      signatures:
        prev === undefined
          ? []
          : [
              {
                blockIdFlag: 2,
                validatorAddress: VALIDATOR.address,
                timestamp: header.time,
                signature: sha("sig", String(height)),
              },
            ],
    };
    const block: BlockRecord = {
      blockId: { hash: sha("block", String(height)), partSetHeader: { total: 1, hash: sha("parts", String(height)) } },
      header,
      txs,
      lastCommit,
      evidence: [],
    };
    const results: BlockResultsRecord = {
      height,
      txResults: res.txResults,
      finalizeBlockEvents: res.events,
      validatorUpdates: [],
      appHash,
    };
    this.blocks.push(block);
    this.results.push(results);
    txs.forEach((tx, index) => {
      const indexed: IndexedTx = { hash: sha(tx), height, index, tx, result: res.txResults[index]! };
      this.indexed.push(indexed);
      this.byHash.set(toHex(indexed.hash), indexed);
    });
    for (const l of this.listeners) l({ type: "NewBlock", block, results });
    return block;
  }

  private takeMempool(): Uint8Array[] {
    const txs = this.mempool;
    this.mempool = [];
    return txs;
  }

  identity(): NodeIdentity {
    return {
      id: "0123456789abcdef0123456789abcdef01234567",
      moniker: "lcd-test",
      network: this.chainId,
      version: "0.38.17",
      listenAddr: "tcp://127.0.0.1:26656",
    };
  }

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
      validator: VALIDATOR,
    };
  }

  peers(): [] {
    return [];
  }

  genesis(): unknown {
    return { chain_id: this.chainId };
  }

  block(height?: number): BlockRecord | undefined {
    if (height === undefined) return this.blocks[this.blocks.length - 1];
    return this.blocks.find((b) => Number(b.header.height) === height);
  }

  blockByHash(hash: Uint8Array): BlockRecord | undefined {
    return this.blocks.find((b) => toHex(b.blockId.hash) === toHex(hash));
  }

  blockResults(height?: number): BlockResultsRecord | undefined {
    if (height === undefined) return this.results[this.results.length - 1];
    return this.results.find((r) => r.height === height);
  }

  commit(height?: number): Commit | undefined {
    const h = height ?? this.app.lastHeight;
    return this.block(h + 1)?.lastCommit;
  }

  validators(height?: number): { height: number; validators: ValidatorRecord[] } | undefined {
    const h = height ?? this.app.lastHeight;
    if (h < 1 || h > this.app.lastHeight) return undefined;
    return { height: h, validators: [VALIDATOR] };
  }

  tx(hash: Uint8Array): IndexedTx | undefined {
    return this.byHash.get(toHex(hash));
  }

  searchTxs(query: string, options: SearchOptions = {}): SearchResult<IndexedTx> {
    const conditions = query.split(/\s+AND\s+/).map((c) => {
      const m = /^\s*([\w.]+)\s*=\s*(?:'([^']*)'|(\d+))\s*$/.exec(c);
      if (m === null) throw new Error(`invalid query condition: ${c}`);
      return { key: m[1]!, value: m[2] ?? m[3]! };
    });
    const matches = this.indexed.filter((t) =>
      conditions.every(({ key, value }) => {
        if (key === "tx.height") return String(t.height) === value;
        if (key === "tx.hash") return toHex(t.hash).toUpperCase() === value.toUpperCase();
        const dot = key.indexOf(".");
        const type = key.slice(0, dot);
        const attr = key.slice(dot + 1);
        return t.result.events.some(
          (e) => e.type === type && e.attributes.some((a) => a.key === attr && a.value === value),
        );
      }),
    );
    const ordered = options.orderBy === "desc" ? [...matches].reverse() : matches;
    const perPage = Math.min(options.perPage ?? 30, 100);
    const page = options.page ?? 1;
    return { items: ordered.slice((page - 1) * perPage, page * perPage), total: matches.length };
  }

  searchBlocks(): SearchResult<BlockRecord> {
    return { items: [], total: 0 };
  }

  checkTx(tx: Uint8Array): TxResult {
    return this.app.checkTx(tx);
  }

  broadcastTx(tx: Uint8Array): BroadcastResult {
    this.broadcastCount++;
    const check = this.app.checkTx(tx);
    if (check.code === 0) {
      this.mempool.push(tx);
      if (this.autoBlock) setImmediate(() => this.produceBlock());
    }
    return { hash: sha(tx), check };
  }

  async waitForTx(hash: Uint8Array): Promise<IndexedTx | undefined> {
    return this.tx(hash);
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
      data: "secret",
      version: "test",
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
