/**
 * A test double of the node behind the RPC (on test/helpers/testBackend.ts): a real `SecretApp` on
 * an in-memory store, funded at genesis, whose blocks the double makes itself (shortly after an
 * admitted broadcast by default), with a genesis document, peers and the CometBFT query language for
 * searches. Headers and commits are plausible but not real consensus data (hashes are sha256 of their
 * encodings, signatures are fixed bytes).
 */
import type {
  BlockRecord,
  IndexedTx,
  PeerRecord,
  SearchOptions,
  SearchResult,
  ValidatorRecord,
} from "../../src/api/backend.ts";
import { eventAttributeMap, matchesEventQuery, parseEventQuery } from "../../src/api/rpc/index.ts";
import type { TxResult } from "../../src/app/index.ts";
import {
  BlockIdFlag,
  NIL_BLOCK_ID,
  type BlockId,
  type Commit,
  type Header,
  type Timestamp,
  encodeHeader,
} from "../../src/codec/consensus.ts";
import { sha256 } from "../../src/crypto/index.ts";
import { bytesEqual, concatBytes, utf8Encode } from "../../src/primitives/bytes.ts";
import { CHAIN_ID, blockTime, genesisFor, newApp, type TestKey } from "../helpers/appTx.ts";
import { type NewBlockInput, TestBackendBase, pageOf } from "../helpers/testBackend.ts";
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

export class TestNode extends TestBackendBase {
  private readonly waiters = new Set<(tx: IndexedTx) => void>();
  private readonly genesisDoc: Record<string, unknown>;
  private pendingBlock: ReturnType<typeof setTimeout> | undefined;
  /** Optional per-height consensus params (tests set it to exercise the backend path). */
  consensusParams?: (height: number) => unknown;
  private readonly autoBlocks: boolean;
  private readonly encryptedRandom: boolean;

  constructor(options: TestNodeOptions) {
    super(newApp(), CHAIN_ID, { moniker: "test-node", abciData: "SecretNetwork", abciVersion: "1.15.0" });
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

  protected blockTime(height: number): { timeNanos: bigint; headerTime: Timestamp } {
    const timeNanos = blockTime(height);
    return { timeNanos, headerTime: { seconds: timeNanos / 1_000_000_000n, nanos: 123_000_000 } };
  }

  protected buildBlock(
    { height, txs, prev, prevAppHash }: NewBlockInput,
    time: Timestamp,
  ): { header: Header; blockId: BlockId; lastCommit: Commit } {
    const header: Header = {
      version: { block: 11n, app: 0n },
      chainId: CHAIN_ID,
      height: BigInt(height),
      time,
      lastBlockId: prev?.blockId ?? NIL_BLOCK_ID,
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
    return { header, blockId, lastCommit };
  }

  protected override included(txs: readonly IndexedTx[]): void {
    for (const rec of txs) for (const w of this.waiters) w(rec);
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

  protected scheduleBlock(): void {
    if (this.autoBlocks && this.pendingBlock === undefined) {
      this.pendingBlock = setTimeout(() => {
        this.pendingBlock = undefined;
        this.produceBlock();
      }, 20);
    }
  }

  protected validator(): ValidatorRecord {
    return VALIDATOR;
  }

  close(): void {
    if (this.pendingBlock !== undefined) clearTimeout(this.pendingBlock);
  }

  // ApiBackend -------------------------------------------------------------------------------------

  override status(): ReturnType<TestBackendBase["status"]> {
    if (this.blocks.length === 0) throw new Error("no blocks yet");
    return super.status();
  }

  peers(): readonly PeerRecord[] {
    return [{ id: "aa".repeat(20), moniker: "peer", remoteIp: "127.0.0.2", isOutbound: true }];
  }

  genesis(): unknown {
    return this.genesisDoc;
  }

  commit(height?: number): Commit | undefined {
    const b = this.block(height);
    return b === undefined ? undefined : this.commitFor(b);
  }

  validators(height?: number): { height: number; validators: readonly ValidatorRecord[] } | undefined {
    return { height: height ?? this.blocks.length, validators: [VALIDATOR] };
  }

  searchTxs(query: string, options: SearchOptions = {}): SearchResult<IndexedTx> {
    const q = parseEventQuery(query);
    const all = this.indexed.filter((t) => {
      const events = eventAttributeMap(t.result.events);
      events.set("tx.hash", [Buffer.from(t.hash).toString("hex").toUpperCase()]);
      events.set("tx.height", [String(t.height)]);
      return matchesEventQuery(q, events);
    });
    return pageOf(all, options);
  }

  searchBlocks(query: string, options: SearchOptions = {}): SearchResult<BlockRecord> {
    const q = parseEventQuery(query);
    const all = this.blocks.filter((b, i) => {
      const events = eventAttributeMap(this.results[i]!.finalizeBlockEvents);
      events.set("block.height", [b.header.height.toString()]);
      return matchesEventQuery(q, events);
    });
    return pageOf(all, options);
  }

  /** `check_tx` keeps nothing: run it on a throwaway branch (the app's simulate path). */
  checkTx(tx: Uint8Array): TxResult {
    const { msgResponses: _unused, ...result } = this.app.simulate(tx);
    return result;
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
}
