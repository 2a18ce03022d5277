/**
 * The application: a deterministic, synchronous state machine with an ABCI-like interface that
 * consensus drives (`initChain`, `checkTx`, `finalizeBlock`, `commit`, `query`, `simulate`).
 *
 * State (chain-api.md §2.7): a branch of the committed store per block; inside it a branch per tx for
 * the ante handler and another for the messages. The ante branch is written when the ante handler
 * passes (fee, pubkey, sequence stay even if a message fails); the message branch only when every
 * message succeeds. CheckTx runs only the ante handler, against a branch of the last committed state
 * that lives until the next commit (so a sender's sequence advances across its pending txs); simulate
 * runs everything on a throwaway branch of that state with an infinite gas meter and no signature check.
 */
import { decodeSimulateRequest, encodeSimulateResponse, encodeTxMsgData } from "../codec/abci.ts";
import { type Any, type AuthInfo, decodeAuthInfo, decodeTxRaw, encodeSignDoc, SignMode } from "../codec/tx.ts";
import type { IdleWork } from "../enclave-api/index.ts";
import { Dec } from "../primitives/amount.ts";
import { encodeAccountAddress } from "./auth/addressCache.ts";
import type { BranchMultiStore, CommitMultiStore, MultiStore, ProofOp } from "../store/index.ts";
import { type AnteOptions, type DecCoin, runAnte } from "./ante.ts";
import { AuthKeeper } from "./auth/keeper.ts";
import { authGenesisFromJson, authGenesisToJson, exportAuthGenesis, initAuthGenesis } from "./auth/genesis.ts";
import { authQueryHandlers } from "./auth/queryServer.ts";
import { AUTH_STORE } from "./auth/keys.ts";
import { BankKeeper } from "./bank/keeper.ts";
import { bankGenesisFromJson, bankGenesisToJson, exportBankGenesis, initBankGenesis } from "./bank/genesis.ts";
import { bankMsgServices } from "./bank/msgServer.ts";
import { bankQueryHandlers } from "./bank/queryServer.ts";
import { BANK_STORE } from "./bank/keys.ts";
import { LastTxMarkerError } from "./compute/errors.ts";
import { createParamSubspaces } from "./gov/paramSubspaces.ts";
import { ComputeKeeper, type EncryptedBlockRandom } from "./compute/keeper.ts";
import {
  computeGenesisFromJson,
  computeGenesisToJson,
  exportComputeGenesis,
  initComputeGenesis,
} from "./compute/genesis.ts";
import { computeMsgServices } from "./compute/msgServer.ts";
import { computeQueryHandlers } from "./compute/queryServer.ts";
import { COMPUTE_STORE } from "./compute/keys.ts";
import { createTxInfo } from "./compute/txInfo.ts";
import type { EnclaveForCompute } from "./compute/types.ts";
import { RegistrationKeeper } from "./registration/keeper.ts";
import {
  exportRegistrationGenesis,
  initRegistrationGenesis,
  registrationGenesisFromJson,
  registrationGenesisToJson,
} from "./registration/genesis.ts";
import { registrationMsgServices } from "./registration/msgServer.ts";
import { registrationQueryHandlers } from "./registration/queryServer.ts";
import { REGISTRATION_STORE } from "./registration/keys.ts";
import type { EnclaveForRegistration } from "./registration/types.ts";
import { type BlockHeader, Context, type ExecMode } from "./context.ts";
import { AppError, InvariantError, SdkErrors } from "./errors.ts";
import { type AppEvent, type EventAttribute, appendAttribute, attribute } from "./events.ts";
import { BasicGasMeter, InfiniteGasMeter, OutOfGasSignal, gasLimitToNumber, type AppGasMeter } from "./gas.ts";
import { asObject } from "./json.ts";
import type { QueryHandler } from "./query.ts";
import { ReadonlyMultiStore } from "./readonlyStore.ts";
import { bytesId } from "./bytesId.ts";
import { SignatureCache } from "./sigCache.ts";
import { decodeAccountPubKey, verifySignature } from "./sigVerify.ts";
import { type DecodedTx, DecodedTxCache, decodeTx } from "./txDecode.ts";
import type { MsgService } from "./types.ts";
import { createValidatorMsgsFromGenesis } from "./genutil.ts";
import type { Misbehavior, VoteInfo } from "./modules/abci.ts";
import { POS_STORE_NAMES, PosModules } from "./modules/pos.ts";
import type { UpgradeHandler } from "./gov/upgrade.ts";
import type { EvidenceLimits } from "./slashing/keeper.ts";
import type { ValidatorUpdate } from "./staking/types.ts";

/** How many signatures of CheckTx-admitted txs the block pre-pass remembers (node memory). */
const CHECKED_SIGNATURES_KEPT = 100_000;

/** A signature as a compact map key (one UTF-16 unit per byte). */
const signatureId = bytesId;

/** The module stores this app writes; the multistore must be opened with at least these. */
export const APP_STORE_NAMES: readonly string[] = [
  AUTH_STORE,
  BANK_STORE,
  COMPUTE_STORE,
  REGISTRATION_STORE,
  ...POS_STORE_NAMES,
];

/** The dev chain's min gas price (a node option). */
export const DEFAULT_MIN_GAS_PRICES: readonly DecCoin[] = [{ denom: "uscrt", amount: Dec.parse("0.0125") }];

export interface AppOptions {
  /** The committed store; opened with `initialVersion` = the chain's initial height. */
  readonly store: CommitMultiStore;
  /** Enforced in CheckTx only. Default 0.0125uscrt. */
  readonly minGasPrices?: readonly DecCoin[];
  /** Consensus `block.max_gas` (> 0 to enforce). */
  readonly maxBlockGas?: bigint;
  /** The chain id, when the app starts on an existing store (initChain sets it otherwise). */
  readonly chainId?: string;
  /**
   * How many verified signatures to remember so that block execution skips the ones CheckTx already
   * verified (node memory; cannot change a result). Default 100 000; 0 disables.
   */
  readonly signatureCacheSize?: number;
  /**
   * How many txs CheckTx decoded to remember so that the block (and the re-check after a commit) does
   * not decode them again (node memory; cannot change a result). Default 10 000; 0 disables.
   */
  readonly decodedTxCacheSize?: number;
  /** Module accounts that may not receive funds by a bank message; default every module account. */
  readonly blockedModules?: readonly string[];
  /**
   * The enclave that encrypts the seeds for a node registering (the node backs it with the
   * `registerNode` ecall). Absent: `RaAuthenticate` is not routed (sdk 6); the queries still answer.
   */
  readonly registrationEnclave?: EnclaveForRegistration;
  /**
   * The enclave that runs contracts (`computeEnclaveFromClient` over the node's worker enclave).
   * Absent: the compute messages are not routed (sdk 6); the metadata queries still answer, smart
   * queries fail (sdk 6).
   */
  readonly enclave?: EnclaveForCompute;
  /** SDK gas limit of a top-level smart query (node option; default 10,000,000). */
  readonly contractQueryGasLimit?: number;
  /** Upgrade handlers this binary has, by plan name (a plan without one halts the chain at its height). */
  readonly upgradeHandlers?: ReadonlyMap<string, UpgradeHandler>;
  /** Consensus evidence age limits (genesis `consensus_params.evidence`; CometBFT defaults otherwise). */
  readonly evidence?: EvidenceLimits;
}

export interface GenesisDoc {
  readonly chainId: string;
  /** Default 1. */
  readonly initialHeight?: number;
  /** Genesis time, nanoseconds since the epoch. */
  readonly timeNanos?: bigint;
  /**
   * `app_state` JSON in upstream's shape: `{auth, bank, compute, register, staking, distribution, mint,
   * slashing, gov, genutil: {gen_txs}}` (every module optional; defaults otherwise).
   */
  readonly appState: unknown;
}

/** What `initChain` hands consensus: the initial validator set (gentxs', else staking genesis'). */
export interface InitChainResponse {
  readonly validators: readonly ValidatorUpdate[];
}

export interface TxResult {
  readonly code: number;
  readonly codespace: string;
  /** raw_log: "" on success, the error text on failure. */
  readonly log: string;
  readonly info: string;
  readonly gasWanted: bigint;
  readonly gasUsed: bigint;
  readonly events: readonly AppEvent[];
  /** TxMsgData bytes; empty for a failed tx. */
  readonly data: Uint8Array;
}

export interface FinalizeBlockRequest {
  readonly height: number;
  readonly timeNanos: bigint;
  readonly chainId?: string;
  readonly txs: readonly Uint8Array[];
  /**
   * The block's random as its header carries it (crypto.md §9: the encrypted `r`, 48 bytes, its proof,
   * 32, and the header's app hash and validators hash, 32), which the enclave checks and opens inside
   * each contract call and from which it derives `env.block.random` for contracts that export
   * `requires_random`. The host never sees `r`. Absent: those contracts see none.
   */
  readonly random?: EncryptedBlockRandom;
  /** The last commit's votes (`DecidedLastCommit`); none at the initial height. */
  readonly votes?: readonly VoteInfo[];
  /** The block's evidence of misbehaviour. */
  readonly misbehavior?: readonly Misbehavior[];
  /** Consensus address (20 bytes) of the block's proposer. */
  readonly proposer?: Uint8Array;
}

export interface FinalizeBlockResponse {
  readonly txResults: readonly TxResult[];
  /**
   * Begin-block events (each with `mode=BeginBlock`), then end-block events (`mode=EndBlock`), as
   * SDK 0.50's `FinalizeBlock` reports them.
   */
  readonly events: readonly AppEvent[];
  /** Validator set changes for consensus (`{ed25519 key, power}`, power 0 removes); in force at H+2. */
  readonly validatorUpdates: readonly ValidatorUpdate[];
}

export interface CommitResponse {
  readonly height: number;
  readonly appHash: Uint8Array;
}

export interface QueryResponse {
  readonly code: number;
  readonly codespace: string;
  readonly log: string;
  readonly value: Uint8Array;
  readonly height: number;
  readonly proofOps?: readonly ProofOp[] | undefined;
}

export interface SimulateResponse extends TxResult {
  readonly msgResponses: readonly Any[];
}

const EMPTY = new Uint8Array(0);

/** Modules of the routed type URLs (a handful), remembered: every message event names one. */
const modulesOfTypeUrls = new Map<string, string>();

/** The second segment of a type URL: `/cosmos.bank.v1beta1.MsgSend` → `bank`. */
function moduleOfTypeUrl(typeUrl: string): string {
  let module = modulesOfTypeUrls.get(typeUrl);
  if (module === undefined) {
    module = typeUrl.replace(/^\//, "").split(".")[1] ?? "";
    if (modulesOfTypeUrls.size < 1024) modulesOfTypeUrls.set(typeUrl, module);
  }
  return module;
}

/** A context reading `store` with an infinite meter, made when first asked for. */
function readContext(header: BlockHeader, mode: ExecMode, store: MultiStore): () => Context {
  return () => new Context(header, mode, store, new InfiniteGasMeter());
}

/** Whether some event has a `module` attribute. */
function hasModuleAttribute(events: readonly AppEvent[]): boolean {
  for (let e = 0; e < events.length; e++) {
    const attributes = events[e]!.attributes;
    for (let a = 0; a < attributes.length; a++) if (attributes[a]!.key === "module") return true;
  }
  return false;
}

/** The `msg_index` attributes of the first message indexes (shared: attributes are read-only). */
const MSG_INDEX_ATTRIBUTES = Array.from({ length: 16 }, (_, i) => Object.freeze(attribute("msg_index", String(i))));

function msgIndexAttribute(i: number): EventAttribute {
  return MSG_INDEX_ATTRIBUTES[i] ?? attribute("msg_index", String(i));
}

/** `appendAttribute` with the attribute already made. */
function withAttribute(event: AppEvent, extra: EventAttribute): AppEvent {
  // Pushed one by one into a fresh array: one backing store (a copy then a push would grow it again).
  const from = event.attributes;
  const attributes: EventAttribute[] = [];
  for (let a = 0; a < from.length; a++) attributes.push(from[a]!);
  attributes.push(extra);
  return { type: event.type, attributes };
}

/** `${typeUrl}Response` of the routed type URLs, remembered. */
const responseTypeUrls = new Map<string, string>();

function responseTypeUrl(typeUrl: string): string {
  let url = responseTypeUrls.get(typeUrl);
  if (url === undefined) {
    url = `${typeUrl}Response`;
    if (responseTypeUrls.size < 1024) responseTypeUrls.set(typeUrl, url);
  }
  return url;
}

function outOfGas(signal: OutOfGasSignal, meter: AppGasMeter, gasWanted: bigint): AppError {
  return SdkErrors.OutOfGas.wrap(
    `out of gas in location: ${signal.descriptor}; gasWanted: ${gasWanted}, gasUsed: ${meter.consumed}`,
  );
}

/** Expected failures become results; anything else is a bug or a broken invariant and propagates. */
function asResultError(e: unknown, meter: AppGasMeter, gasWanted: bigint): AppError {
  if (e instanceof OutOfGasSignal) return outOfGas(e, meter, gasWanted);
  if (e instanceof AppError) return e;
  throw e;
}

function failed(err: AppError, gasWanted: bigint, gasUsed: number, events: readonly AppEvent[]): SimulateResponse {
  return {
    code: err.abciCode,
    codespace: err.codespace,
    log: err.message,
    info: "",
    gasWanted,
    gasUsed: BigInt(gasUsed),
    events,
    data: EMPTY,
    msgResponses: [],
  };
}

export class SecretApp {
  readonly auth: AuthKeeper;
  readonly bank: BankKeeper;
  readonly registration: RegistrationKeeper;
  readonly compute: ComputeKeeper;
  /** staking, distribution, mint, slashing, gov, upgrade (src/app/modules). */
  readonly pos: PosModules;
  private readonly services = new Map<string, MsgService>();
  private readonly queries = new Map<string, QueryHandler>();
  private readonly store: CommitMultiStore;
  private readonly ante: AnteOptions;
  private readonly enclave: EnclaveForCompute | undefined;
  private chainId: string | undefined;
  /** Header of the last committed block (CheckTx runs at its height). */
  private lastHeader: BlockHeader;
  private checkState: BranchMultiStore;
  private deliver: { header: BlockHeader; state: BranchMultiStore } | undefined;
  private readonly decodedTxs: DecodedTxCache;

  constructor(options: AppOptions) {
    this.store = options.store;
    for (const name of APP_STORE_NAMES) {
      if (!this.store.storeNames.includes(name)) throw new InvariantError(`the multistore has no store '${name}'`);
    }
    this.auth = new AuthKeeper();
    const blocked = options.blockedModules ?? [...this.auth.moduleAddresses.keys()];
    this.bank = new BankKeeper(
      this.auth,
      blocked.map((m) => this.auth.moduleAddress(m)),
    );
    this.registration = new RegistrationKeeper(options.registrationEnclave);
    this.enclave = options.enclave;
    this.compute = new ComputeKeeper(
      this.auth,
      this.bank,
      options.enclave,
      options.contractQueryGasLimit === undefined ? {} : { queryGasLimit: options.contractQueryGasLimit },
    );
    for (const s of bankMsgServices(this.bank)) this.services.set(s.typeUrl, s);
    if (options.enclave !== undefined) {
      for (const s of computeMsgServices(this.compute)) this.services.set(s.typeUrl, s);
    }
    if (options.registrationEnclave !== undefined) {
      for (const s of registrationMsgServices(this.registration)) this.services.set(s.typeUrl, s);
    }
    for (const [path, h] of Object.entries({
      ...authQueryHandlers(this.auth),
      ...bankQueryHandlers(this.bank),
      ...registrationQueryHandlers(this.registration),
      ...computeQueryHandlers(this.compute),
    })) {
      this.queries.set(path, h);
    }
    this.pos = new PosModules({
      auth: this.auth,
      bank: this.bank,
      registration: this.registration,
      extraSubspaces: createParamSubspaces({ compute: this.compute }),
      ...(options.upgradeHandlers === undefined ? {} : { upgradeHandlers: options.upgradeHandlers }),
      ...(options.evidence === undefined ? {} : { evidence: options.evidence }),
    });
    for (const s of this.pos.msgServices()) this.services.set(s.typeUrl, s);
    for (const [path, h] of Object.entries(this.pos.queryHandlers())) this.queries.set(path, h);
    this.pos.setRouter((typeUrl) => this.services.get(typeUrl));
    this.ante = {
      auth: this.auth,
      bank: this.bank,
      minGasPrices: options.minGasPrices ?? DEFAULT_MIN_GAS_PRICES,
      maxBlockGas: options.maxBlockGas,
      signatureCache: new SignatureCache(options.signatureCacheSize ?? 100_000),
    };
    this.decodedTxs = new DecodedTxCache(options.decodedTxCacheSize ?? 10_000);
    this.chainId = options.chainId;
    this.lastHeader = { height: this.store.latestVersion, timeNanos: 0n, chainId: this.chainId ?? "" };
    this.checkState = this.store.branch();
  }

  get lastHeight(): number {
    return this.store.latestVersion;
  }

  get lastAppHash(): Uint8Array {
    return this.store.lastAppHash;
  }

  /** Closes the store (the only asynchronous step: LMDB's close). */
  close(): Promise<void> {
    return this.store.close();
  }

  /** Message type URLs this app routes. */
  get messageTypes(): readonly string[] {
    return [...this.services.keys()];
  }

  /**
   * Loads, validates and writes the genesis state (committed with the first block, as upstream), in
   * upstream's order: auth, bank, registration, compute, then distribution, staking, slashing, gov,
   * mint, then the gentxs. Returns the initial validator set.
   */
  initChain(genesis: GenesisDoc): InitChainResponse {
    if (this.store.latestVersion !== 0) throw new InvariantError("initChain on a store that has committed blocks");
    const appState = asObject(genesis.appState ?? {}, "app_state");
    const authGenesis = authGenesisFromJson(appState.auth);
    const bankGenesis = bankGenesisFromJson(appState.bank);
    const registrationGenesis = registrationGenesisFromJson(appState.register);
    const computeGenesis = computeGenesisFromJson(appState.compute);
    const initialHeight = genesis.initialHeight ?? 1;
    this.chainId = genesis.chainId;
    const header: BlockHeader = {
      height: initialHeight > 1 ? initialHeight : 0,
      timeNanos: genesis.timeNanos ?? 0n,
      chainId: genesis.chainId,
    };
    const branch = this.store.branch();
    const ctx = new Context(header, "genesis", branch, new InfiniteGasMeter());
    initAuthGenesis(ctx, this.auth, authGenesis);
    initBankGenesis(ctx, this.bank, bankGenesis);
    if (registrationGenesis !== undefined) initRegistrationGenesis(ctx, this.registration, registrationGenesis);
    initComputeGenesis(ctx, this.compute, computeGenesis);
    const fromStaking = this.pos.initGenesis(ctx, appState);
    const fromGenTxs = this.pos.deliverGenTxs(ctx, createValidatorMsgsFromGenesis(appState.genutil));
    branch.write();
    this.lastHeader = header;
    this.checkState = this.store.branch();
    return { validators: fromGenTxs.length > 0 ? fromGenTxs : fromStaking };
  }

  /**
   * The state as genesis JSON (`{auth, bank, compute, register, staking, distribution, mint, slashing,
   * gov}`; `register` only when genesis had it), read from the latest committed version.
   */
  exportGenesis(): {
    auth: Record<string, unknown>;
    bank: Record<string, unknown>;
    compute: Record<string, unknown>;
    register?: Record<string, unknown>;
    [module: string]: Record<string, unknown> | undefined;
  } {
    const ctx = this.queryContext(0);
    const registration = exportRegistrationGenesis(ctx, this.registration);
    return {
      auth: authGenesisToJson(exportAuthGenesis(ctx, this.auth)),
      bank: bankGenesisToJson(exportBankGenesis(ctx, this.bank)),
      compute: computeGenesisToJson(exportComputeGenesis(ctx, this.compute)),
      ...(registration === undefined ? {} : { register: registrationGenesisToJson(registration) }),
      ...this.pos.exportGenesis(ctx),
    };
  }

  /**
   * The crisis invariants of the proof-of-stake modules on the latest committed state (throws
   * `InvariantError`; see src/app/modules/README.md).
   */
  checkInvariants(): void {
    this.pos.checkInvariants(this.queryContext(0));
  }

  checkTx(txBytes: Uint8Array): TxResult {
    return this.runTx("check", txBytes, this.checkState, this.checkHeader());
  }

  /**
   * `checkTx`, with the tx's `AuthInfo` as this check decoded it (undefined when the tx did not
   * decode): the mempool reads the fee and first signer from it instead of decoding the tx again.
   */
  checkTxWithAuthInfo(txBytes: Uint8Array): { readonly result: TxResult; readonly authInfo: AuthInfo | undefined } {
    let authInfo: AuthInfo | undefined;
    const result = this.runTx("check", txBytes, this.checkState, this.checkHeader(), 0, (tx) => {
      authInfo = tx.authInfo;
    });
    return { result, authInfo };
  }

  simulate(txBytes: Uint8Array): SimulateResponse {
    return this.runTx("simulate", txBytes, this.checkState.branch(), this.checkHeader());
  }

  finalizeBlock(req: FinalizeBlockRequest): FinalizeBlockResponse {
    const expected = this.store.latestVersion === 0 ? this.initialHeight() : this.store.latestVersion + 1;
    if (req.height !== expected) {
      throw new InvariantError(`finalizeBlock at height ${req.height}, expected ${expected}`);
    }
    if (this.deliver !== undefined) throw new InvariantError("finalizeBlock twice without commit");
    const chainId = req.chainId ?? this.chainId;
    if (chainId === undefined) throw new InvariantError("no chain id: run initChain or pass it");
    if (this.chainId !== undefined && chainId !== this.chainId) throw new InvariantError(`block of chain ${chainId}`);
    this.chainId = chainId;
    const random = req.random;
    if (
      random !== undefined &&
      (random.random.length !== 48 || random.proof.length !== 32 || random.validatorsHash.length !== 32)
    ) {
      throw new InvariantError(
        `block random of ${random.random.length} bytes with a proof of ${random.proof.length} and a validators hash of ${random.validatorsHash.length}, expected 48, 32 and 32`,
      );
    }
    if (req.proposer !== undefined && req.proposer.length !== 20) {
      throw new InvariantError(`proposer address of ${req.proposer.length} bytes, expected 20`);
    }
    const header: BlockHeader = { height: req.height, timeNanos: req.timeNanos, chainId };
    const state = this.store.branch();
    // Pre-block and begin block: the upgrade module may throw `UpgradeHaltError` (not a result: the
    // node stops, nothing of this block is kept).
    const begin = new Context(header, "deliver", state, new InfiniteGasMeter());
    this.pos.preBlock(begin);
    this.pos.beginBlock(begin, {
      votes: req.votes ?? [],
      misbehavior: req.misbehavior ?? [],
      proposer: req.proposer ?? new Uint8Array(20),
    });
    this.deliver = { header, state };
    this.compute.blockRandom = req.random;
    this.compute.blockTxs = req.txs;
    // While the enclave runs tx i, the host verifies the signatures of txs i+1… into the signature cache.
    let running = 0;
    const prepass = this.signaturePrepass(
      req.txs,
      () => running,
      new Context(header, "deliver", state, new InfiniteGasMeter()),
    );
    if (prepass !== undefined) this.enclave?.setIdleWork?.(prepass);
    let txResults;
    try {
      txResults = req.txs.map((tx, index) => {
        running = index;
        const { msgResponses: _unused, ...result } = this.runTx("deliver", tx, state, header, index);
        return result;
      });
    } finally {
      if (prepass !== undefined) this.enclave?.setIdleWork?.(undefined);
    }
    const end = new Context(header, "deliver", state, new InfiniteGasMeter());
    const validatorUpdates = this.pos.endBlock(end);
    const events = [
      ...begin.events.events.map((ev) => appendAttribute(ev, "mode", "BeginBlock")),
      ...end.events.events.map((ev) => appendAttribute(ev, "mode", "EndBlock")),
    ];
    return { txResults, events, validatorUpdates };
  }

  /** Writes the finalized block and commits it; returns the app hash of the new version. */
  commit(): CommitResponse {
    const deliver = this.deliver;
    if (deliver === undefined) throw new InvariantError("commit without finalizeBlock");
    deliver.state.write();
    const info = this.store.commit();
    this.deliver = undefined;
    this.lastHeader = deliver.header;
    this.checkState = this.store.branch();
    return { height: info.version, appHash: this.store.lastAppHash };
  }

  /**
   * `abci_query`: `/store/<name>/key` (raw key, `prove` for ICS-23 proofs) or a gRPC method path with a
   * protobuf request. `height` 0 or absent: the latest committed version.
   */
  query(path: string, data: Uint8Array, height = 0, prove = false): QueryResponse {
    const latest = this.store.latestVersion;
    if (height < 0 || height > latest) {
      const err = SdkErrors.InvalidHeight.wrap("cannot query with height in the future; please provide a valid height");
      return { code: err.abciCode, codespace: err.codespace, log: err.message, value: EMPTY, height };
    }
    const answered = height === 0 ? latest : height;
    try {
      const storeMatch = /^\/store\/([^/]+)\/key$/.exec(path);
      if (storeMatch !== null) {
        const r = this.store.query(storeMatch[1]!, data, { height: answered, prove });
        return { code: 0, codespace: "", log: "", value: r.value ?? EMPTY, height: r.height, proofOps: r.proofOps };
      }
      if (path === "/cosmos.tx.v1beta1.Service/Simulate") return this.simulateQuery(data, answered);
      const handler = this.queries.get(path);
      if (handler === undefined) throw SdkErrors.UnknownRequest.wrap(`unknown query path ${path}`);
      const value = handler(this.queryContext(answered), data);
      return { code: 0, codespace: "", log: "", value, height: answered };
    } catch (e) {
      const err = e instanceof AppError ? e : SdkErrors.InvalidRequest.wrap(e instanceof Error ? e.message : String(e));
      return { code: err.abciCode, codespace: err.codespace, log: err.message, value: EMPTY, height: answered };
    }
  }

  /** `/cosmos.tx.v1beta1.Service/Simulate` (always on the latest state, as upstream). */
  private simulateQuery(data: Uint8Array, height: number): QueryResponse {
    const r = this.simulate(decodeSimulateRequest(data));
    if (r.code !== 0) {
      const err = SdkErrors.UnknownRequest.wrap(
        `${r.log} With gas wanted: '${r.gasWanted}' and gas used: '${r.gasUsed}' `,
      );
      return { code: err.abciCode, codespace: err.codespace, log: err.message, value: EMPTY, height };
    }
    const value = encodeSimulateResponse({
      gasInfo: { gasWanted: r.gasWanted, gasUsed: r.gasUsed },
      data: r.data,
      log: r.log,
      events: r.events,
      msgResponses: r.msgResponses,
    });
    return { code: 0, codespace: "", log: "", value, height };
  }

  private initialHeight(): number {
    return this.lastHeader.height > 1 ? this.lastHeader.height : 1;
  }

  /** The last `checkHeader` made, and from what (every CheckTx asks; it changes once per commit). */
  private checkHeaderMemo: { from: BlockHeader; chainId: string; header: BlockHeader } | undefined;

  private checkHeader(): BlockHeader {
    const chainId = this.chainId ?? "";
    const memo = this.checkHeaderMemo;
    if (memo !== undefined && memo.from === this.lastHeader && memo.chainId === chainId) return memo.header;
    // A literal in the block headers' own field order (one object shape for every header).
    const last = this.lastHeader;
    const header: BlockHeader = { height: last.height, timeNanos: last.timeNanos, chainId };
    this.checkHeaderMemo = { from: this.lastHeader, chainId, header };
    return header;
  }

  /** A read-only context at `version` (0: latest; the working state before the first commit). */
  private queryContext(version: number): Context {
    const latest = this.store.latestVersion;
    const v = version === 0 ? latest : version;
    const store: MultiStore =
      v === 0
        ? new ReadonlyMultiStore(this.store.storeNames, (name) => this.store.getStore(name))
        : new ReadonlyMultiStore(this.store.storeNames, (name) => this.store.storeAt(v, name));
    const header: BlockHeader = { height: v, timeNanos: this.lastHeader.timeNanos, chainId: this.chainId ?? "" };
    return new Context(header, "check", store, new InfiniteGasMeter());
  }

  /** Signatures of txs CheckTx admitted (their verifications are in the cache): the pre-pass skips them. */
  private readonly checkedSignatures = new Set<string>();

  private rememberChecked(signatures: readonly Uint8Array[]): void {
    const first = signatures[0];
    if (first === undefined) return;
    if (this.checkedSignatures.size >= CHECKED_SIGNATURES_KEPT) this.checkedSignatures.clear();
    this.checkedSignatures.add(signatureId(first));
  }

  /**
   * Idle work for a block's execution (see `IdleWork`): each piece takes the next tx after the one
   * running, and verifies its SIGN_MODE_DIRECT signatures of single secp256k1 keys with the account
   * numbers and keys `read` sees, adding the valid ones to the signature cache. A cache entry is a
   * correct verification whatever the guess was, so this cannot change a result: a tx whose signer,
   * account number or key differs by the time it runs just misses the cache. Nothing is written.
   * Undefined when there is nothing to gain (no cache, fewer than two txs).
   */
  private signaturePrepass(txs: readonly Uint8Array[], running: () => number, read: Context): IdleWork | undefined {
    const cache = this.ante.signatureCache;
    if (cache === undefined || txs.length < 2) return undefined;
    const chainId = read.chainId;
    let next = 0;
    return () => {
      next = Math.max(next, running() + 1);
      if (next >= txs.length) return false;
      const txBytes = txs[next++]!;
      const raw = decodeTxRaw(txBytes);
      const first = raw.signatures[0];
      if (first !== undefined && this.checkedSignatures.has(signatureId(first))) return next < txs.length;
      const signerInfos = decodeAuthInfo(raw.authInfoBytes).signerInfos;
      for (let i = 0; i < signerInfos.length; i++) {
        const info = signerInfos[i]!;
        const signature = raw.signatures[i];
        if (info.publicKey === undefined || signature === undefined) continue;
        if (info.modeInfo?.kind !== "single" || info.modeInfo.mode !== SignMode.DIRECT) continue;
        const txKey = decodeAccountPubKey(info.publicKey);
        if (txKey.kind !== "secp256k1") continue;
        const account = this.auth.getAccount(read, txKey.address);
        if (account === undefined) continue;
        const key = account.pubKey === undefined ? txKey : decodeAccountPubKey(account.pubKey);
        const signBytes = encodeSignDoc({
          bodyBytes: raw.bodyBytes,
          authInfoBytes: raw.authInfoBytes,
          chainId,
          accountNumber: account.accountNumber,
        });
        verifySignature(key, { kind: "single", mode: SignMode.DIRECT, signature }, () => signBytes, cache);
      }
      return next < txs.length;
    };
  }

  /**
   * `decodeTx`, through the decoded-tx cache: CheckTx decodes and remembers, the block takes the
   * remembered decoding (and drops it), simulate only looks.
   */
  private decode(mode: ExecMode, txBytes: Uint8Array): DecodedTx {
    const cache = this.decodedTxs;
    if (cache.capacity <= 0 || mode === "genesis") return decodeTx(txBytes, this.services);
    if (mode === "deliver") return cache.take(txBytes) ?? decodeTx(txBytes, this.services);
    if (mode === "check") return cache.decodeAndKeep(txBytes, this.services);
    return cache.get(txBytes) ?? decodeTx(txBytes, this.services);
  }

  private runTx(
    mode: ExecMode,
    txBytes: Uint8Array,
    parent: MultiStore,
    header: BlockHeader,
    txIndex = 0,
    onDecoded?: (tx: DecodedTx) => void,
  ): SimulateResponse {
    let tx;
    try {
      tx = this.decode(mode, txBytes);
    } catch (e) {
      return failed(asResultError(e, new InfiniteGasMeter(), 0n), 0n, 0, []);
    }
    onDecoded?.(tx);
    const gasWanted = tx.fee.gasLimit;
    const meter: AppGasMeter =
      mode === "simulate" || header.height === 0
        ? new InfiniteGasMeter()
        : new BasicGasMeter(gasLimitToNumber(gasWanted));

    const anteState = parent.branch();
    const anteCtx = new Context(header, mode, anteState, meter);
    try {
      // CheckTx of a tx the decoded-tx cache keeps: its block run finds this decoded tx's verified
      // signers, so the verifications need no (hashed) id.
      const idCache = mode === "check" && this.decodedTxs.holds(tx) ? undefined : this.ante.signatureCache;
      runAnte(anteCtx, tx, this.ante, idCache);
    } catch (e) {
      return failed(asResultError(e, meter, gasWanted), gasWanted, meter.consumed, []);
    }
    anteState.write();
    const anteEvents = anteCtx.events.events;
    if (mode === "check") {
      this.rememberChecked(tx.raw.signatures);
      return {
        code: 0,
        codespace: "",
        log: "",
        info: "",
        gasWanted,
        gasUsed: BigInt(meter.consumed),
        events: anteEvents,
        data: EMPTY,
        msgResponses: [],
      };
    }

    const msgState = parent.branch();
    const events: AppEvent[] = [...anteEvents];
    const msgResponses: Any[] = [];
    this.compute.tx = createTxInfo(tx, txIndex, readContext(header, mode, msgState), this.auth);
    try {
      return this.runMsgs(tx, mode, header, msgState, meter, gasWanted, anteEvents, events, msgResponses);
    } finally {
      this.compute.tx = undefined;
    }
  }

  private runMsgs(
    tx: DecodedTx,
    mode: ExecMode,
    header: BlockHeader,
    msgState: BranchMultiStore,
    meter: AppGasMeter,
    gasWanted: bigint,
    anteEvents: readonly AppEvent[],
    events: AppEvent[],
    msgResponses: Any[],
  ): SimulateResponse {
    for (let i = 0; i < tx.msgs.length; i++) {
      const m = tx.msgs[i]!;
      const ctx = new Context(header, mode, msgState, meter);
      let response: Uint8Array;
      try {
        // a contract ended the tx with the last-message marker: nothing after it runs (upstream's baseapp)
        if (this.compute.lastMsgMarkerSet()) throw LastTxMarkerError.error();
        response = m.service.handle(ctx, m.msg);
      } catch (e) {
        if (e instanceof OutOfGasSignal) {
          return failed(outOfGas(e, meter, gasWanted), gasWanted, meter.consumed, anteEvents);
        }
        const err = asResultError(e, meter, gasWanted).wrap(`failed to execute message; message index: ${i}`);
        return failed(err, gasWanted, meter.consumed, anteEvents);
      }
      const own = ctx.events.events;
      const attributes = [attribute("action", m.typeUrl), attribute("sender", encodeAccountAddress(m.signers[0]!))];
      if (!hasModuleAttribute(own)) attributes.push(attribute("module", moduleOfTypeUrl(m.typeUrl)));
      // One `msg_index` attribute for the message and all its events (attributes are never mutated).
      const msgIndex = msgIndexAttribute(i);
      attributes.push(msgIndex);
      events.push({ type: "message", attributes });
      for (let e = 0; e < own.length; e++) events.push(withAttribute(own[e]!, msgIndex));
      msgResponses.push({ typeUrl: responseTypeUrl(m.typeUrl), value: response });
    }
    msgState.write();
    return {
      code: 0,
      codespace: "",
      log: "",
      info: "",
      gasWanted,
      gasUsed: BigInt(meter.consumed),
      events,
      data: encodeTxMsgData({ msgResponses }),
      msgResponses,
    };
  }
}
