/**
 * The composition root of a running node: the home's keys and genesis, the app on its LMDB store, the
 * enclave worker, the block store, the mempool, and the consensus driver with its WAL, wired together.
 *
 * One height, as a single validator runs it:
 *
 * ```
 * mempool has txs (or create_empty_blocks / the empty-block interval)
 *   └► driver.handle(startHeight h) ─► requestBlock ─► buildBlock (reap, header) ─► blockCreated
 *        ─► sign proposal, prevote, precommit (privval; each leaves after a WAL fsync) ─► decide
 *   └► executeDecided: app.finalizeBlock ─► blockStore.saveBlock (block + results, one transaction)
 *        ─► app.commit ─► mempool.update (re-check) ─► publish NewBlock/Tx
 *   └► (WAL past its size bound: privval state saved, WAL started over) ─► wait for the next txs
 * ```
 *
 * Recovery on start: the app and the block store must agree on the last height; when the block store
 * is one ahead (a crash between saving a block and the app's commit) the block is executed again. Then
 * the WAL (only the current height's events) is replayed through `recoverDriver`, which re-issues what
 * was pending — including a decision not yet executed.
 *
 * Peers plug in through `NodeNetwork` (votes and proposals out; their messages in through
 * `handleConsensusEvent`); without one, the node is a single validator.
 */
import { existsSync, mkdirSync } from "node:fs";
import type { BlockRecord, BlockResultsRecord, IndexedTx, NodeEvent } from "../api/backend.ts";
import {
  APP_STORE_NAMES,
  computeEnclaveFromClient,
  DEFAULT_MIN_GAS_PRICES,
  InvariantError,
  SecretApp,
  type DecCoin,
  type TxResult,
} from "../app/index.ts";
import {
  blockIdsEqual,
  NIL_BLOCK_ID,
  type BlockId,
  type Commit,
  type Proposal,
  type Timestamp,
  type Vote,
} from "../codec/consensus.ts";
import {
  commitHash,
  createConsensusState,
  createPrivValidator,
  createValidatorSet,
  decidedCommit,
  nanosToTimestamp,
  txsHashOfHashes,
  nextHeightValidatorSet,
  timestampToNanos,
  validatorSetHash,
  type ConsensusConfig,
  type ConsensusEffect,
  type ConsensusEvent,
  type ValidatorSet,
} from "../consensus/index.ts";
import {
  applyValidatorUpdates,
  checkBlockEvidence,
  createEvidencePool,
  DEFAULT_EVIDENCE_PARAMS,
  evidenceListHash,
  pendingEvidence,
  reportConflictingVotes,
  updateEvidencePool,
  type EvidenceChainView,
  type EvidencePool,
} from "../consensus/index.ts";
import { BlockIdFlag, type FinalizeBlockRequest, type Misbehavior, type VoteInfo } from "../app/index.ts";
import { recoverDriver, type ConsensusDriver, type DriverIo, type WalSink } from "../consensus/driver/driver.ts";
import { openFileWal, type FileWal } from "../consensus/driver/fileWal.ts";
import { sha256 } from "../crypto/index.ts";
import type { EnclaveClient, IdleWork, WorkerEnclave } from "../enclave-api/index.ts";
import { Mempool, type CheckOutcome } from "../mempool/index.ts";
import { Dec } from "../primitives/amount.ts";
import { bytesEqual } from "../primitives/bytes.ts";
import { toHex } from "../primitives/hex.ts";
import { silentLogger, type Logger } from "../primitives/observability.ts";
import { finalizeBlockRandom, proposedBlockRandomValid, proposerBlockRandom } from "./blockRandom.ts";
import { openDatabase, openMultiStore } from "../store/index.ts";
import {
  BLOCK_PROTOCOL,
  blockIdOf,
  consensusParamsHash,
  decodeBlock,
  emptyCommit,
  encodeBlock,
  resultsHash,
  type Block,
} from "./blockCodec.ts";
import { BlockStore } from "./blockStore.ts";
import { checkCode } from "./compute.ts";
import { NodeError } from "./errors.ts";
import { parseGenesis, type Genesis } from "./genesis.ts";
import {
  homePaths,
  loadConfig,
  loadNodeKey,
  loadPrivValidatorKey,
  loadPrivValidatorState,
  readJsonFile,
  savePrivValidatorState,
  type HomePaths,
  type NodeConfig,
} from "./home.ts";
import { startEnclave } from "./enclave.ts";

export const NODE_VERSION = "0.1.0";
/** The CometBFT version this node speaks (clients pick their RPC dialect from it). */
export const COMETBFT_VERSION = "0.38.17";

/** Where a multi-validator network plugs in (src/p2p); absent for a single validator. */
export interface NodeNetwork {
  broadcastVote(vote: Vote): void;
  broadcastProposal(proposal: Proposal, block: Uint8Array): void;
  broadcastTx?(tx: Uint8Array): void;
  /** Consensus has started `height` (peers' messages for it that arrived early can be delivered now). */
  heightStarted?(height: number): void;
}

export interface NodeOptions {
  readonly home: string;
  /** Overrides of config/config.json. */
  readonly config?: Partial<NodeConfig>;
  readonly logger?: Logger;
  /** Wall clock in ms (tests may pass a fake one). */
  readonly nowMs?: () => number;
  readonly network?: NodeNetwork;
  /**
   * Start the enclave worker (default true), or an enclave the caller already started from this home
   * (so that its start-up overlaps module loading). `false`: none; registration txs are not routed.
   */
  readonly enclave?: boolean | Promise<WorkerEnclave>;
  /**
   * Fault injection for crash tests, called at each step of executing a decided block: `decided`
   * (nothing saved yet), `blockSaved` (block and results saved, before the app's commit). A throw
   * halts the node there, as a crash would.
   */
  readonly faultPoint?: (point: "decided" | "blockSaved", height: number) => void;
}

/** Loads the sealed network keys of a started enclave; a clear error when it cannot. */
function loadSealedKeys(enclave: WorkerEnclave, home: string): void {
  const status = enclave.call("getStatus", {});
  if (!status.hasSealedKeychain && (status.hasPolicy || status.hasRegistrationKey)) {
    // A home made by `scrt init --genesis` (src/node/join.ts) whose enclave has no seeds yet.
    throw new NodeError(
      "NODE_ENCLAVE_NOT_REGISTERED",
      `the enclave in ${home} has not received the network seeds yet: run 'scrt register --home ${home} --node <RPC URL of a running node> --from <funded key>' first`,
    );
  }
  if (!status.hasSealedKeychain) {
    throw new NodeError(
      "NODE_HOME_INVALID",
      `the enclave in ${home} has no sealed keys (was the home made by 'scrt init'?)`,
    );
  }
  try {
    enclave.call("load", {});
  } catch (e) {
    throw new NodeError(
      "NODE_HOME_INVALID",
      `the enclave could not load its sealed keys: ${(e as Error).message} (a changed enclave build cannot open another build's seal; 'scrt dev --reset' starts over)`,
    );
  }
}

/** Least time between empty blocks made only to carry a changed app hash (see `proofBlockWaitMs`). */
export const IDLE_PROOF_BLOCK_DELAY_MS = 1000;

/** Priority scale: fee per gas × 10^6 (integer). */
const PRIORITY_SCALE = 1_000_000n;

/** A WAL sink whose file starts over at every new height (after the privval state is saved). */
class HeightWal implements WalSink {
  private readonly file: FileWal;
  readonly records: readonly Uint8Array[];
  /** Bytes in the file (what was there on open plus what was appended). */
  size: number;

  constructor(path: string) {
    const opened = openFileWal(path);
    this.file = opened.wal;
    this.records = opened.records;
    this.size = opened.records.reduce((n, r) => n + r.length + 8, 0);
  }

  append(record: Uint8Array): void {
    this.file.append(record);
    this.size += record.length;
  }

  sync(): void {
    this.file.sync();
  }

  /** Empties the file (durably; one fsync, of the truncation). */
  reset(): void {
    this.file.truncate();
    this.size = 0;
  }

  close(): void {
    this.file.close();
  }
}

function parseMinGasPrices(text: string): DecCoin[] {
  if (text.trim() === "") return [];
  return text.split(",").map((part) => {
    const m = /^\s*(\d+(?:\.\d+)?)([a-zA-Z][a-zA-Z0-9/:._-]{2,127})\s*$/.exec(part);
    if (m === null) throw new NodeError("NODE_INVALID_OPTIONS", `bad min gas price '${part}'`);
    return { denom: m[2]!, amount: Dec.parse(m[1]!) };
  });
}

export class Node {
  readonly paths: HomePaths;
  readonly config: NodeConfig;
  readonly genesis: Genesis;
  readonly app: SecretApp;
  readonly blockStore: BlockStore;
  readonly mempool: Mempool<TxResult>;
  readonly nodeId: string;
  readonly validatorPubKey: Uint8Array;
  readonly validatorAddress: Uint8Array;
  readonly log: Logger;
  readonly startedAtMs: number;
  private readonly nowMs: () => number;
  private readonly network: NodeNetwork | undefined;
  private readonly wal: HeightWal;
  private driver: ConsensusDriver | undefined;
  private readonly pendingInputs: ConsensusEvent[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly listeners = new Set<(e: NodeEvent) => void>();
  private readonly haltListeners = new Set<(e: Error) => void>();
  private waitingForTxs: (() => void) | undefined;
  private emptyBlockTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private haltError: Error | undefined;
  /** The initial height's set: initChain's (the gentxs'), else genesis.json's; from the block store on restart. */
  private genesisValidators: ValidatorSet | undefined;
  /** Conflicting votes seen by consensus, verified evidence not yet in a block, committed evidence (memory only). */
  private evidencePool: EvidencePool = createEvidencePool();
  private readonly consensusHash: Uint8Array;

  private constructor(
    o: NodeOptions,
    parts: {
      paths: HomePaths;
      config: NodeConfig;
      genesis: Genesis;
      app: SecretApp;
      blockStore: BlockStore;
      nodeId: string;
      pvSeed: Uint8Array;
      log: Logger;
    },
  ) {
    this.paths = parts.paths;
    this.config = parts.config;
    this.genesis = parts.genesis;
    this.app = parts.app;
    this.blockStore = parts.blockStore;
    this.nodeId = parts.nodeId;
    this.log = parts.log;
    this.nowMs = o.nowMs ?? Date.now;
    this.startedAtMs = this.nowMs();
    this.network = o.network;
    this.faultPoint = o.faultPoint;
    const pv = createPrivValidator(parts.pvSeed, loadPrivValidatorState(parts.paths.privValidatorState));
    this.validatorPubKey = pv.pubKey;
    this.validatorAddress = pv.address;
    this.genesisValidators =
      parts.genesis.validators.length === 0
        ? undefined
        : createValidatorSet(parts.genesis.validators.map((v) => ({ pubKey: v.pubKey, votingPower: v.power })));
    this.consensusHash = consensusParamsHash(parts.genesis.consensusParams);
    this.mempool = new Mempool<TxResult>((tx) => this.checkForMempool(tx), sha256, {
      maxTxs: parts.config.mempoolSize,
      maxBytes: parts.config.mempoolMaxBytes,
      maxTxBytes: parts.config.maxTxBytes,
    });
    mkdirSync(parts.paths.walDir, { recursive: true });
    this.wal = new HeightWal(parts.paths.wal);
    this.pvSeedForRecovery = parts.pvSeed;
  }

  private readonly pvSeedForRecovery: Uint8Array;
  private readonly faultPoint: NodeOptions["faultPoint"];

  /** Opens the home and starts producing blocks. */
  static async start(o: NodeOptions): Promise<Node> {
    const given = o.enclave instanceof Promise ? o.enclave : undefined;
    try {
      return await Node.open(o, given);
    } catch (e) {
      // An enclave the caller started is ours to close when the node does not start.
      await (await given?.catch(() => undefined))?.close();
      throw e;
    }
  }

  private static async open(o: NodeOptions, given: Promise<WorkerEnclave> | undefined): Promise<Node> {
    const paths = homePaths(o.home);
    if (!existsSync(paths.genesis)) {
      throw new NodeError("NODE_HOME_MISSING", `${paths.genesis} not found: run 'scrt init --home ${o.home}' first`);
    }
    const config: NodeConfig = { ...loadConfig(paths.config), ...o.config };
    const log = o.logger ?? silentLogger;
    const genesis = parseGenesis(readJsonFile(paths.genesis));
    const pvKey = loadPrivValidatorKey(paths.privValidatorKey);
    const nodeKey = loadNodeKey(paths.nodeKey);
    // The enclave worker starts (≈ 0.4–0.6 s) while the stores open and the first (empty) blocks are
    // made; contract and registration calls wait for it (a height with txs starts only once it is up).
    const enclavePromise = given ?? (o.enclave === false ? undefined : startEnclave(o.home));
    let app: SecretApp | undefined;
    let blockStore: BlockStore | undefined;
    const lazy: { current: WorkerEnclave | undefined } = { current: undefined };
    const need = (): WorkerEnclave => {
      if (lazy.current === undefined) throw new NodeError("NODE_ENCLAVE_NOT_READY", "the enclave is still starting");
      return lazy.current;
    };
    try {
      mkdirSync(paths.appDb, { recursive: true });
      mkdirSync(paths.blockDb, { recursive: true });
      const store = openMultiStore(openDatabase(paths.appDb), {
        storeNames: APP_STORE_NAMES,
        initialVersion: genesis.initialHeight,
      });
      blockStore = new BlockStore(openDatabase(paths.blockDb));
      const lazyClient = {
        call: ((name, request, ocalls) => need().call(name, request, ocalls)) as EnclaveClient["call"],
        setIdleWork: (work: IdleWork | undefined) => lazy.current?.setIdleWork(work),
      };
      app = new SecretApp({
        store,
        chainId: genesis.chainId,
        minGasPrices: config.minGasPrices === "" ? DEFAULT_MIN_GAS_PRICES : parseMinGasPrices(config.minGasPrices),
        ...(genesis.consensusParams.maxBlockGas > 0n ? { maxBlockGas: genesis.consensusParams.maxBlockGas } : {}),
        ...(enclavePromise === undefined
          ? {}
          : {
              enclave: computeEnclaveFromClient(lazyClient, checkCode),
              registrationEnclave: {
                registerNode: (evidence: Uint8Array, blockTimeSeconds: bigint) =>
                  need().call("registerNode", { evidence, blockTimeSeconds }).encryptedSeeds,
              },
            }),
      });
      const node = new Node(o, {
        paths,
        config,
        genesis,
        app,
        blockStore,
        nodeId: nodeKey.id,
        pvSeed: pvKey.seed,
        log,
      });
      node.enclavePromise = enclavePromise;
      node.enclaveReady =
        enclavePromise === undefined
          ? Promise.resolve(undefined)
          : enclavePromise.then(
              (enclave) => {
                try {
                  loadSealedKeys(enclave, o.home);
                } catch (err) {
                  node.halt(err);
                  return undefined;
                }
                lazy.current = enclave;
                node.enclaveValue = enclave;
                if (node.closed) void enclave.close();
                return enclave;
              },
              (err: unknown) => {
                node.halt(err);
                return undefined;
              },
            );
      node.recover();
      return node;
    } catch (err) {
      await app?.close().catch(() => {});
      await blockStore?.close().catch(() => {});
      if (given === undefined) await (await enclavePromise?.catch(() => undefined))?.close();
      throw err;
    }
  }

  /** The enclave worker once it has loaded its sealed keys (undefined before, or without one). */
  get enclave(): WorkerEnclave | undefined {
    return this.enclaveValue;
  }

  /**
   * Resolves when the enclave has loaded its sealed keys (undefined: no enclave, or it failed — the
   * node halts then, with the reason).
   */
  enclaveReady: Promise<WorkerEnclave | undefined> = Promise.resolve(undefined);
  private enclaveValue: WorkerEnclave | undefined;
  private enclavePromise: Promise<WorkerEnclave> | undefined;

  get chainId(): string {
    return this.genesis.chainId;
  }

  /** The latest committed height (0 before the first block). */
  get height(): number {
    return this.app.lastHeight;
  }

  get halted(): Error | undefined {
    return this.haltError;
  }

  /** Consensus state (read-only; for status and tests). */
  get consensus(): ConsensusDriver | undefined {
    return this.driver;
  }

  subscribe(listener: (e: NodeEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onHalt(listener: (e: Error) => void): () => void {
    this.haltListeners.add(listener);
    return () => this.haltListeners.delete(listener);
  }

  /** Resolves once `height` is committed (rejects when the node halts or closes first, or after `timeoutMs`). */
  waitForHeight(height: number, timeoutMs = 30_000): Promise<void> {
    if (this.app.lastHeight >= height) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        cleanup();
        reject(new NodeError("NODE_HALTED", `height ${height} not reached in ${timeoutMs} ms`));
      }, timeoutMs);
      const offBlock = this.subscribe((e) => {
        if (e.type === "NewBlock" && Number(e.block.header.height) >= height) {
          cleanup();
          resolve();
        }
      });
      const offHalt = this.onHalt((err) => {
        cleanup();
        reject(err);
      });
      const cleanup = (): void => {
        clearTimeout(timer);
        offBlock();
        offHalt();
      };
    });
  }

  /** The app's version string (ABCI info). */
  readonly appVersion = NODE_VERSION;

  /** Gossip an admitted tx (no-op without a network). */
  broadcastTxToPeers(tx: Uint8Array): void {
    this.network?.broadcastTx?.(tx);
  }

  /** A consensus message from a peer (for the p2p layer). */
  handleConsensusEvent(event: ConsensusEvent): void {
    this.deliver(event);
  }

  /**
   * Validators used at `height`: stored per block; the initial height's set from initChain; otherwise
   * the set of `height − 1` with the app's end-block updates of block `height − 2` applied, then its
   * proposer priorities incremented once (CometBFT `updateState`: updates take effect at H + 2).
   */
  validatorsAt(height: number): ValidatorSet {
    const initial = this.genesis.initialHeight;
    if (height <= initial) {
      const set = this.genesisValidators ?? this.blockStore.validators(initial);
      if (set === undefined) throw new NodeError("NODE_HALTED", "no initial validator set (initChain returned none)");
      return set;
    }
    const stored = this.blockStore.validators(height);
    if (stored !== undefined) return stored;
    if (height > this.blockStore.height + 2) {
      throw new NodeError("NODE_HALTED", `no validator set known for height ${height}`);
    }
    const cached = this.derivedValidators.get(height);
    if (cached !== undefined) return cached;
    const prev = this.validatorsAt(height - 1);
    const results =
      height - 2 < initial
        ? undefined
        : (this.recentValidatorUpdates.get(height - 2) ?? this.blockStore.results(height - 2)?.validatorUpdates);
    const set = nextHeightValidatorSet(applyValidatorUpdates(prev, results ?? []));
    // Reading block results decodes every tx result: keep the sets of the next heights (they are asked
    // for by block building, validation and the RPC many times per height). Only once the results they
    // depend on are stored, so a later save cannot make a kept set stale.
    const prevFinal =
      height - 1 <= initial ||
      this.derivedValidators.has(height - 1) ||
      this.blockStore.validators(height - 1) !== undefined;
    if (prevFinal && (height - 2 < initial || results !== undefined)) {
      for (const h of this.derivedValidators.keys()) if (h <= this.blockStore.height) this.derivedValidators.delete(h);
      this.derivedValidators.set(height, set);
    }
    return set;
  }

  /** The end-block validator updates of the last executed block (saves decoding its stored results). */
  private readonly recentValidatorUpdates = new Map<number, BlockResultsRecord["validatorUpdates"]>();

  private rememberValidatorUpdates(height: number, updates: BlockResultsRecord["validatorUpdates"]): void {
    this.recentValidatorUpdates.clear();
    this.recentValidatorUpdates.set(height, updates);
  }

  /** Validator sets of heights not stored yet, derived by `validatorsAt`. */
  private readonly derivedValidators = new Map<number, ValidatorSet>();

  /**
   * The app's `FinalizeBlock` request for a decided block: its txs, the last commit's votes (with the
   * powers of the set that signed it), its evidence as misbehaviour, and its proposer.
   */
  private finalizeRequest(height: number, block: Block): FinalizeBlockRequest {
    const votes: VoteInfo[] = [];
    if (height > this.genesis.initialHeight) {
      const signers = this.validatorsAt(height - 1);
      signers.validators.forEach((v, i) => {
        const sig = block.lastCommit.signatures[i];
        const flag =
          sig === undefined || sig.blockIdFlag === BlockIdFlag.Unknown ? BlockIdFlag.Absent : sig.blockIdFlag;
        votes.push({ address: v.address, power: v.votingPower, blockIdFlag: flag });
      });
    }
    const misbehavior: Misbehavior[] = block.evidence.map((e) => ({
      type: "duplicate_vote",
      address: e.voteA.validatorAddress,
      power: e.validatorPower,
      height: e.voteA.height,
      timeNanos: timestampToNanos(e.timestamp),
    }));
    return {
      height,
      timeNanos: timestampToNanos(block.header.time),
      chainId: this.chainId,
      txs: block.txs,
      votes,
      misbehavior,
      proposer: block.header.proposerAddress,
      // Opened by the enclave inside each contract call that uses it; the host never sees `r`.
      ...finalizeBlockRandom(block.header),
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.driver !== undefined && this.haltError === undefined) {
      try {
        savePrivValidatorState(this.paths.privValidatorState, this.driver.privval.last);
      } catch (e) {
        this.log.warn("could not save the privval state", { error: (e as Error).message });
      }
    }
    this.driver?.close();
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    if (this.emptyBlockTimer !== undefined) clearTimeout(this.emptyBlockTimer);
    this.waitingForTxs?.();
    this.waitingForTxs = undefined;
    try {
      this.wal.close();
    } catch {
      // already closed
    }
    await this.app.close();
    await this.blockStore.close();
    await (await this.enclavePromise?.catch(() => undefined))?.close();
    this.log.info("node stopped");
  }

  // ------------------------------------------------------------------------------------------------
  // Mempool admission

  private checkForMempool(tx: Uint8Array): CheckOutcome<TxResult> {
    // The app's check decoded the tx: its AuthInfo gives the priority and sender (no second decoding).
    const { result, authInfo: auth } = this.app.checkTxWithAuthInfo(tx);
    let priority = 0n;
    let sender = "";
    if (result.code === 0 && auth !== undefined) {
      try {
        const fee = auth.fee;
        const uscrt = fee?.amount.find((c) => c.denom === "uscrt");
        if (fee !== undefined && uscrt !== undefined && fee.gasLimit > 0n) {
          priority = (BigInt(uscrt.amount) * PRIORITY_SCALE) / fee.gasLimit;
        }
        const pk = auth.signerInfos[0]?.publicKey;
        if (pk !== undefined) sender = toHex(pk.value);
      } catch {
        // an amount that is not an integer: priority 0
      }
    }
    return { ok: result.code === 0, gasWanted: result.gasWanted, priority, sender, result };
  }

  // ------------------------------------------------------------------------------------------------
  // Recovery

  private recover(): void {
    const A = this.app.lastHeight;
    const B = this.blockStore.height;
    if (A === 0) {
      const init = this.app.initChain({
        chainId: this.genesis.chainId,
        initialHeight: this.genesis.initialHeight,
        timeNanos: this.genesis.genesisTimeNanos,
        appState: this.genesis.appState,
      });
      // As CometBFT: a non-empty set from the app replaces genesis.json's validators.
      if (init.validators.length > 0) {
        this.genesisValidators = createValidatorSet(
          init.validators.map((v) => ({ pubKey: v.pubKey, votingPower: v.power })),
        );
      }
      if (this.genesisValidators === undefined) {
        throw new NodeError("NODE_HOME_INVALID", "no genesis validators: genesis.json has none and no gentx made one");
      }
    }
    if (B === A + 1) {
      const bytes = this.blockStore.blockBytes(B)!;
      this.log.info("replaying the last block into the app", { height: B });
      this.applyBlock(B, decodeBlock(bytes));
    } else if (A === B) {
      if (A > 0) this.blockStore.setLatestAppHash(A, this.app.lastAppHash);
    } else {
      throw new NodeError(
        "NODE_STORE_MISMATCH",
        `the app is at height ${A} and the block store at ${B}; only a block store one ahead can be repaired`,
      );
    }
    const io = this.driverIo();
    const privval = createPrivValidator(this.pvSeedForRecovery, loadPrivValidatorState(this.paths.privValidatorState));
    const config: ConsensusConfig = {
      chainId: this.genesis.chainId,
      timeoutPropose: { baseMs: this.config.timeoutProposeMs, deltaMs: this.config.timeoutProposeDeltaMs },
      timeoutPrevote: { baseMs: this.config.timeoutPrevoteMs, deltaMs: this.config.timeoutPrevoteDeltaMs },
      timeoutPrecommit: { baseMs: this.config.timeoutPrecommitMs, deltaMs: this.config.timeoutPrecommitDeltaMs },
    };
    const initial = createConsensusState(config, privval.address);
    this.decidedDuringResume = false;
    this.driver = recoverDriver(initial, privval, this.wal.records, this.wal, io);
    const walHeight = Number(this.driver.state.height);
    this.log.info("node started", {
      chain: this.chainId,
      height: this.app.lastHeight,
      walRecords: this.wal.records.length,
      walHeight,
    });
    this.flushPending();
    if (!this.decidedDuringResume && walHeight <= this.blockStore.height) {
      this.scheduleHeight(this.blockStore.height + 1);
    }
  }

  private decidedDuringResume = false;

  // ------------------------------------------------------------------------------------------------
  // Driver I/O

  private deliver(event: ConsensusEvent): void {
    if (this.closed || this.haltError !== undefined) return;
    if (this.driver === undefined) {
      this.pendingInputs.push(event);
      return;
    }
    try {
      this.driver.handle(event);
    } catch (e) {
      this.halt(e);
    }
  }

  private flushPending(): void {
    while (this.pendingInputs.length > 0) this.deliver(this.pendingInputs.shift()!);
  }

  private driverIo(): DriverIo {
    return {
      now: () => nanosToTimestamp(BigInt(this.nowMs()) * 1_000_000n),
      broadcastVote: (vote) => this.network?.broadcastVote(vote),
      broadcastProposal: (proposal, block) => this.network?.broadcastProposal(proposal, block),
      scheduleTimeout: (e) => this.scheduleTimeout(e),
      requestBlock: (e) => this.guard(() => this.buildBlock(Number(e.height), e.round)),
      validateBlock: (e) => this.guard(() => this.validateBlock(e)),
      decide: (e) => this.guard(() => this.executeDecided(e)),
      evidence: (e) => {
        this.log.warn("duplicate vote evidence", { validator: toHex(e.evidence.voteA.validatorAddress) });
        // Re-built and verified once its height is committed (`updateEvidence`), then proposed.
        this.evidencePool = reportConflictingVotes(this.evidencePool, e.evidence);
      },
      invalidInput: (reason) => this.log.debug("invalid consensus input", { reason }),
    };
  }

  private guard(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.halt(e);
    }
  }

  /** Stops the node's consensus for good (a broken invariant, an enclave that cannot load). */
  halt(e: unknown): void {
    if (this.haltError !== undefined) return;
    const err = e instanceof Error ? e : new Error(String(e));
    this.haltError = err;
    this.log.error("node halted", { error: err.message, code: (err as { code?: string }).code ?? "" });
    this.driver?.close();
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const l of [...this.haltListeners]) l(err);
  }

  private scheduleTimeout(e: Extract<ConsensusEffect, { type: "scheduleTimeout" }>): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      const s = this.driver?.state;
      // A timeout of a height already decided or left changes nothing: do not log it in the WAL.
      if (s === undefined || s.height !== e.height || s.decision !== null) return;
      this.deliver({ type: "timeout", kind: e.kind, height: e.height, round: e.round });
    }, e.durationMs);
    t.unref();
    this.timers.add(t);
  }

  // ------------------------------------------------------------------------------------------------
  // Heights

  /** Starts `height` now, or when the mempool has txs (create_empty_blocks = false). */
  private scheduleHeight(height: number): void {
    if (this.closed || this.haltError !== undefined) return;
    // A newer schedule (after a block from block sync) replaces a pending one.
    this.cancelScheduledStart();
    const start = (): void => {
      this.cancelScheduledStart();
      const go = (): void => {
        if (this.closed || this.haltError !== undefined) return;
        if (this.driver !== undefined && this.driver.state.height >= BigInt(height)) return;
        if (height !== this.blockStore.height + 1) return; // block sync has moved past it
        this.refreshSeenCommit(height - 1);
        if (this.mempool.size > 0 && this.enclavePromise !== undefined && this.enclaveValue === undefined) {
          void this.enclaveReady.then(go); // txs may call the enclave: wait until it is up
          return;
        }
        this.deliver({ type: "startHeight", height: BigInt(height), validators: this.validatorsAt(height) });
        this.network?.heightStarted?.(height);
      };
      // timeout_commit: txs arriving right after a commit are collected into the next block.
      const wait = this.lastCommitAtMs + this.config.timeoutCommitMs - this.nowMs();
      if (wait > 0) {
        const t = setTimeout(() => {
          this.timers.delete(t);
          go();
        }, wait);
        this.timers.add(t);
      } else {
        setImmediate(go);
      }
    };
    const proofWait = this.needProofBlock(height) ? this.proofBlockWaitMs(height) : undefined;
    if (this.config.createEmptyBlocks || this.mempool.size > 0 || proofWait === 0) {
      start();
      return;
    }
    this.waitingForTxs = this.mempool.onTxAvailable(start);
    this.scheduledStart = { height, start };
    const idle = [proofWait ?? 0, this.config.emptyBlockIntervalMs].filter((ms) => ms > 0);
    if (idle.length > 0) {
      this.emptyBlockTimer = setTimeout(start, Math.min(...idle));
      this.emptyBlockTimer.unref();
    }
  }

  /**
   * How long a due proof block may wait for txs. The begin and end blockers (mint, distribution,
   * slashing's signing info, staking's historical info) change the app hash in every block, so under
   * CometBFT's rule an idle chain never stops; after an empty block the next proof block is paced at
   * `IDLE_PROOF_BLOCK_DELAY_MS` (a chain with txs still gets its proof block at once).
   */
  private proofBlockWaitMs(height: number): number {
    if (height <= this.genesis.initialHeight + 1) return 0;
    const prev = this.blockStore.decodedBlock(height - 1);
    return prev !== undefined && prev.txs.length === 0 ? IDLE_PROOF_BLOCK_DELAY_MS : 0;
  }

  /**
   * Before `height + 1` starts: precommits for `height` that arrived after the decision (during
   * timeout_commit) join its seen commit, which the next block carries as its LastCommit. Without this a
   * validator whose precommit came a moment late would count as absent (slashing's downtime, rewards).
   * As CometBFT's `cs.LastCommit`, the larger commit is kept in memory for block building only; the
   * stored seen commit stays the one saved with the block (a valid +2/3 commit), so no extra database
   * transaction (and fsync) is made per height.
   */
  private refreshSeenCommit(height: number): void {
    const s = this.driver?.state;
    if (s === undefined || s.height !== BigInt(height)) return;
    const commit = decidedCommit(s);
    if (commit === undefined) return;
    const saved =
      this.savedSeenCommit?.height === height ? this.savedSeenCommit.commit : this.blockStore.seenCommit(height);
    if (saved === undefined || !blockIdsEqual(commit.blockId, saved.blockId)) return;
    if (signedCount(commit) > signedCount(saved)) this.lastCommitForProposal = { height, commit };
  }

  /** The seen commit saved with the last decided block (saves reading it back to compare). */
  private savedSeenCommit: { readonly height: number; readonly commit: Commit } | undefined;

  /** The seen commit of `height` with the late precommits that joined it (`refreshSeenCommit`). */
  private lastCommitForProposal: { readonly height: number; readonly commit: Commit } | undefined;

  /** The LastCommit a block at `height + 1` carries: the refreshed seen commit of `height`, else the stored one. */
  private lastCommitFor(height: number): Commit | undefined {
    const kept = this.lastCommitForProposal;
    if (kept !== undefined && kept.height === height) return kept.commit;
    return this.blockStore.seenCommit(height);
  }

  /**
   * A proposed block is decoded to validate it and again when it is decided (the same bytes object
   * passes through consensus): the last one decoded is kept for the decision.
   */
  private readonly decodeProposed = lastDecodedMemo(decodeBlock);

  /** The next height, while it waits for txs (`wakeHeight` starts it). */
  private scheduledStart: { readonly height: number; readonly start: () => void } | undefined;

  private cancelScheduledStart(): void {
    if (this.emptyBlockTimer !== undefined) clearTimeout(this.emptyBlockTimer);
    this.emptyBlockTimer = undefined;
    this.waitingForTxs?.();
    this.waitingForTxs = undefined;
    this.scheduledStart = undefined;
  }

  /**
   * Starts `height` now when it is the next height and waits for txs: a peer's proposal or vote for it
   * arrived, so another validator has started it (the network layer calls this).
   */
  wakeHeight(height: number): void {
    const s = this.scheduledStart;
    if (s !== undefined && s.height === height) s.start();
  }

  /**
   * A block from block sync whose commit the caller has verified against `validatorsAt(height)`:
   * executed as a decided block. A height already stored is skipped; a failure halts the node.
   */
  applySyncedBlock(height: number, blockId: BlockId, block: Uint8Array, commit: Commit): void {
    if (this.closed || this.haltError !== undefined) throw new NodeError("NODE_HALTED", "the node is not running");
    if (height <= this.blockStore.height) return;
    try {
      this.executeDecided({ type: "decide", height: BigInt(height), round: commit.round, blockId, block, commit });
    } catch (e) {
      this.halt(e);
      throw e;
    }
  }

  /**
   * CometBFT's `needProofBlock`: the initial block, and any block after one that changed the app hash,
   * are made even without txs, so that a header carries every new app hash (and clients can query the
   * genesis state at height 1).
   */
  private needProofBlock(height: number): boolean {
    if (height <= this.genesis.initialHeight) return true;
    const prevAppHash = this.blockStore.appHash(height - 1);
    const prevBlock = this.blockStore.decodedBlock(height - 1);
    if (prevAppHash === undefined || prevBlock === undefined) return true;
    return !bytesEqual(prevAppHash, prevBlock.header.appHash);
  }

  private lastBlockTimeNanos(height: number): bigint {
    if (height < this.genesis.initialHeight) return this.genesis.genesisTimeNanos;
    const b = this.blockStore.decodedBlock(height);
    return b === undefined ? this.genesis.genesisTimeNanos : timestampToNanos(b.header.time);
  }

  /**
   * The tx results of the last block this node executed, and their hash once asked for (the next
   * header's `LastResultsHash`; reading them back from the block store decodes every result).
   */
  private lastResults:
    { readonly height: number; readonly txResults: readonly TxResult[]; hash?: Uint8Array } | undefined;

  private rememberResults(height: number, txResults: readonly TxResult[]): void {
    this.lastResults = { height, txResults };
  }

  /** `LastResultsHash` of the block after `height`: from the results kept in memory, else the stored ones. */
  private resultsHashOf(height: number): Uint8Array {
    const kept = this.lastResults;
    if (kept !== undefined && kept.height === height) {
      kept.hash ??= resultsHash(kept.txResults);
      return kept.hash;
    }
    return resultsHash(this.blockStore.results(height)?.txResults ?? []);
  }

  private buildBlock(height: number, round: number): void {
    if (height !== this.app.lastHeight + 1 || height !== this.blockStore.height + 1) return;
    const initial = height === this.genesis.initialHeight;
    const prev = height - 1;
    const lastBlockId: BlockId = initial ? NIL_BLOCK_ID : this.blockStore.blockId(prev)!;
    const lastCommit: Commit = initial ? emptyCommit() : this.lastCommitFor(prev)!;
    const prevTime = this.lastBlockTimeNanos(prev);
    const nowNanos = BigInt(this.nowMs()) * 1_000_000n;
    const timeNanos = initial
      ? nowNanos > prevTime
        ? nowNanos
        : prevTime
      : nowNanos > prevTime
        ? nowNanos
        : prevTime + 1_000_000n;
    const params = this.genesis.consensusParams;
    const enclaveStarting = this.enclavePromise !== undefined && this.enclaveValue === undefined;
    const { txs, hashes } = enclaveStarting
      ? { txs: [], hashes: [] }
      : this.mempool.reapWithHashes(params.maxBlockBytes - 8192, params.maxBlockGas);
    const validators = this.validatorsAt(height);
    const evidence = pendingEvidence(this.evidencePool, DEFAULT_EVIDENCE_PARAMS.maxBytes);
    const header = {
      version: { block: BLOCK_PROTOCOL, app: 0n },
      chainId: this.chainId,
      height: BigInt(height),
      time: nanosToTimestamp(timeNanos),
      lastBlockId,
      lastCommitHash: commitHash(lastCommit),
      dataHash: txsHashOfHashes(hashes),
      validatorsHash: validatorSetHash(validators),
      nextValidatorsHash: validatorSetHash(this.validatorsAt(height + 1)),
      consensusHash: this.consensusHash,
      appHash: this.app.lastAppHash,
      lastResultsHash: initial ? resultsHash([]) : this.resultsHashOf(prev),
      evidenceHash: evidenceListHash(evidence),
      proposerAddress: this.validatorAddress,
      ...proposerBlockRandom(this.enclaveValue, height, this.app.lastAppHash, validatorSetHash(validators), this.log),
    };
    const block: Block = { header, txs, evidence, lastCommit };
    const bytes = encodeBlock(block);
    this.blockTxHashes.set(bytes, hashes);
    this.deliver({
      type: "blockCreated",
      height: BigInt(height),
      round,
      blockId: blockIdOf(header, bytes),
      block: bytes,
    });
  }

  /** The checks a proposal's block must pass before this node prevotes for it. */
  private validateBlock(e: Extract<ConsensusEffect, { type: "validateBlock" }>): void {
    let valid = false;
    let reason = "";
    try {
      const height = Number(e.height);
      const b = this.decodeProposed(e.block);
      const h = b.header;
      const initial = height === this.genesis.initialHeight;
      const validators = this.validatorsAt(height);
      const txHashes = b.txs.map((tx) => sha256(tx));
      this.blockTxHashes.set(e.block, txHashes);
      const checks: [boolean, string][] = [
        [bytesEqual(blockIdOf(h, e.block).hash, e.blockId.hash), "block id does not match the header"],
        [bytesEqual(sha256(e.block), e.blockId.partSetHeader.hash) && e.blockId.partSetHeader.total === 1, "part set"],
        [h.chainId === this.chainId, "chain id"],
        [h.height === e.height && height === this.blockStore.height + 1, "height"],
        [blockIdsEqual(h.lastBlockId, initial ? NIL_BLOCK_ID : this.blockStore.blockId(height - 1)!), "last block id"],
        [bytesEqual(h.appHash, this.app.lastAppHash), "app hash"],
        [bytesEqual(h.dataHash, txsHashOfHashes(txHashes)), "data hash"],
        [bytesEqual(h.validatorsHash, validatorSetHash(validators)), "validators hash"],
        [bytesEqual(h.consensusHash, this.consensusHash), "consensus hash"],
        [bytesEqual(h.lastCommitHash, commitHash(b.lastCommit)), "last commit hash"],
        [bytesEqual(h.evidenceHash, evidenceListHash(b.evidence)), "evidence hash"],
        [this.evidenceValid(b), "evidence"],
        [bytesEqual(h.nextValidatorsHash, validatorSetHash(this.validatorsAt(height + 1))), "next validators hash"],
        [timestampToNanos(h.time) > this.lastBlockTimeNanos(height - 1) || initial, "time not after the last block"],
        [proposedBlockRandomValid(this.enclaveValue, h, this.log), "encrypted random"],
      ];
      const failed = checks.find(([ok]) => !ok);
      valid = failed === undefined;
      if (failed !== undefined) reason = failed[1];
    } catch (err) {
      reason = (err as Error).message;
    }
    if (!valid) this.log.warn("invalid block proposed", { height: e.height, reason });
    this.deliver({ type: "blockValidity", height: e.height, blockId: e.blockId, valid });
  }

  private executeDecided(e: Extract<ConsensusEffect, { type: "decide" }>): void {
    this.decidedDuringResume = true;
    const height = Number(e.height);
    if (height <= this.blockStore.height && this.blockStore.appHash(height) !== undefined) {
      // Executed before a restart: go on with the next height.
      this.afterHeight(height, e.commit, []);
      return;
    }
    if (height !== this.blockStore.height + 1 || height !== this.app.lastHeight + 1) {
      throw new InvariantError(
        `decided height ${height}, but the block store is at ${this.blockStore.height} and the app at ${this.app.lastHeight}`,
      );
    }
    this.faultPoint?.("decided", height);
    const block = this.decodeProposed(e.block);
    const txHashes = this.txHashesOf(e.block, block);
    const t0 = performance.now();
    const fin = this.app.finalizeBlock(this.finalizeRequest(height, block));
    const stored = {
      txResults: fin.txResults,
      finalizeBlockEvents: fin.events,
      validatorUpdates: fin.validatorUpdates,
    };
    this.blockStore.saveBlock(height, e.block, e.blockId, e.commit, this.validatorsAt(height), {
      txs: block.txs,
      results: stored,
      txHashes,
    });
    this.savedSeenCommit = { height, commit: e.commit };
    this.rememberValidatorUpdates(height, fin.validatorUpdates);
    this.rememberResults(height, fin.txResults);
    this.faultPoint?.("blockSaved", height);
    const { appHash } = this.app.commit();
    this.blockStore.setLatestAppHash(height, appHash);
    this.updateEvidence(block);
    const results: BlockResultsRecord = { height, ...stored, appHash };
    this.log.info("committed block", {
      height,
      txs: block.txs.length,
      appHash: toHex(this.app.lastAppHash).slice(0, 16),
      ms: Math.round((performance.now() - t0) * 10) / 10,
    });
    this.afterHeight(height, e.commit, block.txs, txHashes);
    // The record `blockStore.block(height)` would give, from the block decoded here (no decoding again).
    const record: BlockRecord = {
      blockId: e.blockId,
      header: block.header,
      txs: block.txs,
      lastCommit: block.lastCommit,
      evidence: block.evidence,
    };
    this.publish(height, results, record, txHashes);
  }

  /**
   * The SHA-256 hashes of the txs of a block this node built (from the mempool, which hashed each tx
   * once at admission) or validated, keyed by the very bytes object consensus passes around (as
   * `decodeProposed`): a decided block's txs are not hashed again for the block store's tx index, the
   * mempool update and the events.
   */
  private readonly blockTxHashes = new WeakMap<Uint8Array, readonly Uint8Array[]>();

  /** The hashes of `block`'s txs (decoded from `bytes`): remembered from building or validating it, else computed. */
  private txHashesOf(bytes: Uint8Array, block: Block): readonly Uint8Array[] {
    const kept = this.blockTxHashes.get(bytes);
    this.blockTxHashes.delete(bytes);
    if (kept !== undefined && kept.length === block.txs.length) return kept;
    return block.txs.map((tx) => sha256(tx));
  }

  /** The chain as the evidence pool reads it (block store and validator sets). */
  private evidenceChain(): EvidenceChainView {
    const last = this.blockStore.height;
    const timeAt = (h: bigint): Timestamp | undefined => this.blockStore.decodedBlock(Number(h))?.header.time;
    return {
      chainId: this.chainId,
      params: DEFAULT_EVIDENCE_PARAMS,
      lastHeight: BigInt(last),
      lastBlockTime: timeAt(BigInt(last)) ?? nanosToTimestamp(this.genesis.genesisTimeNanos),
      validatorsAt: (h) => (h < 1n || h > BigInt(last) ? undefined : this.validatorsAt(Number(h))),
      blockTimeAt: timeAt,
    };
  }

  /** A proposed block's evidence: none twice, none committed, each pending here or verifying. */
  private evidenceValid(block: Block): boolean {
    if (block.evidence.length === 0) return true;
    try {
      checkBlockEvidence(this.evidencePool, block.evidence, this.evidenceChain());
      return true;
    } catch (err) {
      this.log.warn("invalid evidence in a proposed block", { reason: (err as Error).message });
      return false;
    }
  }

  /** After a commit: the block's evidence is committed, expired evidence dropped, seen conflicts verified. */
  private updateEvidence(block: Block): void {
    const u = updateEvidencePool(this.evidencePool, block.evidence, this.evidenceChain());
    this.evidencePool = u.pool;
    for (const r of u.rejected) this.log.warn("conflicting votes not turned into evidence", r);
  }

  /** Replay of a saved block the app has not committed: finalizeBlock → results saved → commit. */
  private applyBlock(height: number, block: Block): BlockResultsRecord {
    const fin = this.app.finalizeBlock(this.finalizeRequest(height, block));
    const stored = {
      txResults: fin.txResults,
      finalizeBlockEvents: fin.events,
      validatorUpdates: fin.validatorUpdates,
    };
    this.blockStore.saveResults(height, block.txs, stored);
    this.rememberValidatorUpdates(height, fin.validatorUpdates);
    this.rememberResults(height, fin.txResults);
    const { appHash } = this.app.commit();
    this.blockStore.setLatestAppHash(height, appHash);
    this.updateEvidence(block);
    return { height, ...stored, appHash };
  }

  private afterHeight(
    height: number,
    _commit: Commit,
    included: readonly Uint8Array[],
    includedHashes?: readonly Uint8Array[],
  ): void {
    const r = this.mempool.update(included, includedHashes);
    if (r.dropped > 0) this.log.debug("mempool re-check dropped txs", { dropped: r.dropped });
    this.lastCommitAtMs = this.nowMs();
    // At a height boundary, once the WAL has grown past the bound: keep the privval's last signature
    // (durably), then start the WAL over. Recovery replays at most this much.
    if (this.wal.size >= this.config.walRotateBytes) this.rotateWal();
    this.scheduleHeight(height + 1);
  }

  private rotateWal(): void {
    if (this.driver !== undefined) savePrivValidatorState(this.paths.privValidatorState, this.driver.privval.last);
    this.wal.reset();
  }

  private lastCommitAtMs = 0;

  private publish(
    height: number,
    results: BlockResultsRecord,
    record?: BlockRecord,
    txHashes?: readonly Uint8Array[],
  ): void {
    if (this.listeners.size === 0) return;
    const block: BlockRecord | undefined = record ?? this.blockStore.block(height);
    if (block === undefined) return;
    const events: NodeEvent[] = [{ type: "NewBlock", block, results }];
    block.txs.forEach((tx, index) => {
      const result = results.txResults[index];
      if (result !== undefined) {
        const indexed: IndexedTx = { hash: txHashes?.[index] ?? sha256(tx), height, index, tx, result };
        events.push({ type: "Tx", tx: indexed });
      }
    });
    for (const ev of events) {
      for (const l of [...this.listeners]) {
        try {
          l(ev);
        } catch (err) {
          this.log.warn("event listener failed", { error: (err as Error).message });
        }
      }
    }
  }
}

/** How many validators signed a commit (for the block or for nil). */
function signedCount(c: Commit): number {
  return c.signatures.filter((sig) => sig.signature.length > 0).length;
}

/**
 * `decode` remembering its last answer, for the very same bytes object only (the caller never
 * changes the bytes it passes; equal bytes in another array are decoded again). Callers must not
 * change what it returns.
 */
export function lastDecodedMemo<T>(decode: (bytes: Uint8Array) => T): (bytes: Uint8Array) => T {
  let lastBytes: Uint8Array | undefined;
  let lastLength = -1;
  let lastValue: T | undefined;
  return (bytes) => {
    if (bytes === lastBytes && bytes.length === lastLength) return lastValue as T;
    const value = decode(bytes);
    lastBytes = bytes;
    lastLength = bytes.length;
    lastValue = value;
    return value;
  };
}
