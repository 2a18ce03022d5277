/**
 * The compute keeper: stored codes, contract instances and their metadata, and every contract call
 * through the enclave (upstream `x/compute/internal/keeper/keeper.go`, `msg_dispatcher.go`,
 * `query_plugins.go`).
 *
 * A call charges the instance cost, runs one ecall whose ocalls read and write the contract's
 * encrypted state in the context's branch (store gas charged on the context's meter and reported back
 * to the enclave), then charges the wasm gas (`floor(reported / 1000) + 1`) and the SDK gas of the
 * nested queries the enclave ran. A successful response emits the `wasm` events and dispatches the
 * contract's messages, each on its own branch, replying to the contract when it asked.
 */
import {
  type AbsoluteTxPosition,
  type CodeInfo,
  type ContractCodeHistoryEntry,
  type ContractInfo,
  type StoredContractKey,
  HISTORY_OPERATION,
  decodeCodeInfo,
  decodeContractCodeHistoryEntry,
  decodeContractInfo,
  decodeContractKey,
  encodeCodeInfo,
  encodeContractCodeHistoryEntry,
  encodeContractInfo,
  encodeContractKey,
} from "../../codec/compute.ts";
import { ripemd160, sha256 } from "../../crypto/index.ts";
import type { EcallRequest, OcallHandlers } from "../../enclave-api/index.ts";

/**
 * A block's random as its header carries it (crypto.md §9): the encrypted `r` (48 bytes), its proof
 * (32), and the header's app and validators hashes the proof and encryption are bound to. The enclave
 * checks and opens it inside each contract call; the host never sees `r`.
 */
export type EncryptedBlockRandom = NonNullable<EcallRequest<"contractExecute">["blockRandom"]>;
import { type Dec, isValidCoinSet } from "../../primitives/amount.ts";
import { fromBase64, toBase64 } from "../../primitives/base64.ts";
import { encodeAddress, parseAccountAddress } from "../../primitives/bech32.ts";
import {
  be64,
  bytesEqual,
  compareBytes,
  concatBytes,
  readBe64,
  utf8Decode,
  utf8Encode,
} from "../../primitives/bytes.ts";
import { toHex } from "../../primitives/hex.ts";
import { encodeAccountAddress } from "../auth/addressCache.ts";
import { type Coin, coinsString, coinsToProto } from "../coins.ts";
import { Context } from "../context.ts";
import { AppError, InvariantError, SdkErrors } from "../errors.ts";
import { type AppEvent, createEvent } from "../events.ts";
import { BasicGasMeter, OutOfGasSignal } from "../gas.ts";
import { ComputeErrors, ContractCallError, type FailedCallReply, LastTxMarkerError } from "./errors.ts";
import { executeEvent, instantiateEvent, migrateEvent, replyEvent, updateAdminEvent } from "./events.ts";
import { type SignatureHint, signatureHintOf } from "./hints.ts";
import { type JsonValue, isJsonObject, parseJsonExact, variantOf } from "./jsonValue.ts";
import {
  CODE_PREFIX,
  COMPUTE_STORE,
  CONTRACT_PREFIX,
  LAST_CODE_ID_KEY,
  LAST_INSTANCE_ID_KEY,
  PARAMS_KEY,
  byCodeKey,
  byCodePrefix,
  codeKey,
  contractKey,
  contractStateKey,
  contractStatePrefix,
  enclaveKeyKey,
  historyKey,
  historyPrefix,
  labelKey,
  wasmKey,
} from "./keys.ts";
import {
  type ComputeParams,
  DEFAULT_COMPUTE_PARAMS,
  DEFAULT_QUERY_GAS_LIMIT,
  GAS_MULTIPLIER,
  INSTANCE_COST,
  MAX_CALL_DEPTH,
  MAX_WASM_GAS,
  decodeComputeParams,
  encodeComputeParams,
} from "./params.ts";
import type {
  AuthForCompute,
  BankForCompute,
  ComputeTxInfo,
  ContractEcall,
  ContractOutcome,
  EnclaveForCompute,
} from "./types.ts";

const EMPTY: Uint8Array = new Uint8Array(0);
const CODE_CACHE_SIZE = 32;

/**
 * Decoded code infos, contract infos and contract keys by the stored bytes they came from: every call
 * reads them, and the stores hand out the same never-mutated array until the value is written again,
 * so each is decoded once (a decoding is a pure function of the bytes). The objects handed out are
 * frozen; their byte fields are views into the stored bytes, as a fresh decoding's are.
 */
const decodedCodeInfos = new WeakMap<Uint8Array, CodeInfo>();
const decodedContractInfos = new WeakMap<Uint8Array, ContractInfo>();
const decodedContractKeys = new WeakMap<Uint8Array, StoredContractKey>();

function memoDecode<T extends object>(memo: WeakMap<Uint8Array, T>, raw: Uint8Array, decode: (b: Uint8Array) => T): T {
  let value = memo.get(raw);
  if (value === undefined) {
    value = Object.freeze(decode(raw));
    memo.set(raw, value);
  }
  return value;
}

function decodeContractInfoFrozen(raw: Uint8Array): ContractInfo {
  const info = decodeContractInfo(raw);
  if (info.created !== undefined) Object.freeze(info.created);
  return info;
}

export interface ComputeKeeperOptions {
  /** SDK gas limit of a top-level smart query (a node option; default 10,000,000). */
  readonly queryGasLimit?: number;
}

/** The call counter of crypto.md §8.3, kept per block by the host. */
interface CallCounter {
  readonly height: bigint;
  readonly counter: bigint;
}

/** A sub-message as the host dispatches it (v0.10 messages become `reply_on: never`, id 0). */
interface SubMsg {
  readonly id: bigint;
  readonly msg: JsonValue;
  readonly gasLimit: bigint | undefined;
  readonly replyOn: "always" | "success" | "error" | "never";
  readonly wasMsgEncrypted: boolean;
}

/** What one dispatched message produced. */
interface Dispatched {
  readonly data: Uint8Array | null;
  /** The callee's reply routing, for wasm messages. */
  readonly reply: FailedCallReply | undefined;
}

/** The contract and code behind an address. */
interface Instance {
  readonly info: ContractInfo;
  readonly code: CodeInfo;
}

/** `ripemd160(sha256(BE64((code_id << 32) + instance_id) ‖ creator))` (crypto.md §7.1, upstream `contractAddress`). */
export function contractAddress(codeId: bigint, instanceId: bigint, creator: Uint8Array): Uint8Array {
  const id = BigInt.asUintN(64, (codeId << 32n) + instanceId);
  return ripemd160(sha256(concatBytes(be64(id), creator)));
}

/** `round(compile_cost × n)`, SDK decimal rounding (half to even). */
export function compileGas(compileCost: Dec, bytes: number): bigint {
  const one = 10n ** 18n;
  const product = compileCost.atomics * BigInt(bytes);
  const q = product / one;
  const r = product % one;
  const twice = r * 2n;
  return twice > one || (twice === one && q % 2n === 1n) ? q + 1n : q;
}

const notFound = (what: string): AppError => ComputeErrors.NotFound.wrap(what);

function address(text: string, what: string): Uint8Array {
  try {
    return parseAccountAddress(text);
  } catch (e) {
    throw SdkErrors.InvalidAddress.wrap(`${what}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function stringField(v: JsonValue | undefined, what: string): string {
  if (typeof v !== "string") throw ComputeErrors.InvalidMsg.wrap(`${what} must be a string`);
  return v;
}

function coinsField(v: JsonValue | undefined): Coin[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw ComputeErrors.InvalidMsg.wrap("coins must be a list");
  const coins = v.map((c) => {
    if (!isJsonObject(c)) throw ComputeErrors.InvalidMsg.wrap("coin must be an object");
    const amount = stringField(c.amount, "coin amount");
    if (!/^[0-9]+$/.test(amount)) throw ComputeErrors.InvalidMsg.wrap(`invalid coin amount ${amount}`);
    return { denom: stringField(c.denom, "coin denom"), amount: BigInt(amount) };
  });
  // As sent: upstream neither drops zero coins nor sorts; the message's own check refuses them.
  return coins;
}

/** The `encrypted` base64 inside a contract error `{"generic_err":{"msg":"<b64>"}}`. */
function encryptedOf(errorJson: string): string {
  try {
    const parsed = JSON.parse(errorJson) as { generic_err?: { msg?: unknown } };
    const msg = parsed.generic_err?.msg;
    return typeof msg === "string" ? msg : errorJson;
  } catch {
    return errorJson;
  }
}

/** Attributes of a sub-message's events sorted by key (stable, byte order), as upstream does for wasm ones. */
function sortAttributes(e: AppEvent): AppEvent {
  const attributes = [...e.attributes].sort((a, b) => compareBytes(utf8Encode(a.key), utf8Encode(b.key)));
  return { type: e.type, attributes };
}

/** The `Reply` JSON the enclave reads (contract-abi.md §8.3). */
function replyJson(
  id: string,
  result: { ok: { events: readonly AppEvent[]; data: string | null } } | { error: string },
  wasOrigMsgEncrypted: boolean,
  isEncrypted: boolean,
): Uint8Array {
  const body =
    "error" in result
      ? { error: result.error }
      : {
          ok: {
            events: result.ok.events.map((e) => ({
              type: e.type,
              attributes: e.attributes.map((a) => ({ key: a.key, value: a.value })),
            })),
            data: result.ok.data,
          },
        };
  return utf8Encode(
    JSON.stringify({ id, result: body, was_orig_msg_encrypted: wasOrigMsgEncrypted, is_encrypted: isEncrypted }),
  );
}

export class ComputeKeeper {
  /** The tx whose messages run now (set by the app around each tx's messages). */
  tx: ComputeTxInfo | undefined;
  /**
   * The tx in which a contract sent `finalize_tx` (upstream's LastMsgMarkerContainer): later messages
   * and sub-messages of that tx fail with sdk 40404. Compared by identity, so each new tx starts clear.
   */
  private lastMsgMarkerTx: ComputeTxInfo | undefined;
  /**
   * The random of the block being delivered (set by the app's finalizeBlock): the header's encrypted
   * random with its proof and hashes, which only the enclave opens; or none.
   */
  blockRandom: EncryptedBlockRandom | undefined;
  /**
   * The txs of the block being delivered (set by the app's finalizeBlock), for signature hints: each
   * delivered contract call tells the enclave the next tx's signature (`hints.ts`). Never changes a result.
   */
  blockTxs: readonly Uint8Array[] | undefined;
  /** The block whose txs were hinted, and the index of the last one hinted. */
  private hinted: { readonly txs: readonly Uint8Array[]; last: number } | undefined;
  private readonly queryGasLimit: number;
  /** Call counter of the block being delivered; a separate one for simulations. */
  private counters: { deliver: CallCounter; other: CallCounter } = {
    deliver: { height: 0n, counter: 0n },
    other: { height: 0n, counter: 0n },
  };
  private depth = 0;
  /** Code hash (hex) → uncompressed wasm, least recently used first. Node memory; never changes results. */
  private readonly codeCache = new Map<string, Uint8Array>();

  constructor(
    private readonly auth: AuthForCompute,
    private readonly bank: BankForCompute,
    readonly enclave: EnclaveForCompute | undefined,
    options: ComputeKeeperOptions = {},
  ) {
    this.queryGasLimit = options.queryGasLimit ?? DEFAULT_QUERY_GAS_LIMIT;
  }

  // -------------------------------------------------------------------------------------------------
  // Params and sequences

  getParams(ctx: Context): ComputeParams {
    const raw = ctx.kv(COMPUTE_STORE).get(PARAMS_KEY);
    return raw === undefined ? DEFAULT_COMPUTE_PARAMS : decodeComputeParams(raw);
  }

  setParams(ctx: Context, params: ComputeParams): void {
    ctx.kv(COMPUTE_STORE).set(PARAMS_KEY, encodeComputeParams(params));
  }

  /** The next id of a sequence (1 when never used), without taking it. */
  peekId(ctx: Context, key: Uint8Array): bigint {
    const raw = ctx.kv(COMPUTE_STORE).get(key);
    return raw === undefined ? 1n : readBe64(raw);
  }

  setNextId(ctx: Context, key: Uint8Array, next: bigint): void {
    ctx.kv(COMPUTE_STORE).set(key, be64(next));
  }

  private autoIncrement(ctx: Context, key: Uint8Array): bigint {
    const id = this.peekId(ctx, key);
    this.setNextId(ctx, key, id + 1n);
    return id;
  }

  // -------------------------------------------------------------------------------------------------
  // Codes

  getCodeInfo(ctx: Context, codeId: bigint): CodeInfo | undefined {
    const raw = ctx.kv(COMPUTE_STORE).get(codeKey(codeId));
    return raw === undefined ? undefined : memoDecode(decodedCodeInfos, raw, decodeCodeInfo);
  }

  /** Every code in id order. */
  codeInfos(ctx: Context): Array<{ codeId: bigint; info: CodeInfo }> {
    const out: Array<{ codeId: bigint; info: CodeInfo }> = [];
    for (const [k, v] of ctx.kv(COMPUTE_STORE).iterator(CODE_PREFIX, CONTRACT_PREFIX)) {
      out.push({ codeId: readBe64(k, 1), info: decodeCodeInfo(v) });
    }
    return out;
  }

  /**
   * The stored wasm of a code hash, read without gas (upstream keeps codes in files outside the store)
   * and cached in node memory by hash.
   */
  getWasm(ctx: Context, codeHash: Uint8Array): Uint8Array {
    const id = toHex(codeHash);
    const cached = this.codeCache.get(id);
    if (cached !== undefined) {
      this.codeCache.delete(id);
      this.codeCache.set(id, cached);
      return cached;
    }
    const raw = ctx.store.getStore(COMPUTE_STORE).get(wasmKey(codeHash));
    if (raw === undefined) throw new InvariantError(`no wasm stored for code hash ${id}`);
    const code = Uint8Array.from(raw);
    this.codeCache.set(id, code);
    if (this.codeCache.size > CODE_CACHE_SIZE) this.codeCache.delete(this.codeCache.keys().next().value!);
    return code;
  }

  /** Writes a code under a fixed id (genesis import). */
  importCode(ctx: Context, codeId: bigint, info: CodeInfo, wasm: Uint8Array): void {
    const kv = ctx.kv(COMPUTE_STORE);
    if (kv.has(codeKey(codeId))) throw ComputeErrors.Duplicate.wrap(`duplicate code: ${codeId}`);
    kv.set(codeKey(codeId), encodeCodeInfo(info));
    kv.set(wasmKey(info.codeHash), wasm);
  }

  /** `MsgStoreCode` after its stateless checks: check, charge the compile cost, store. Returns the code id. */
  storeCode(ctx: Context, creator: Uint8Array, submitted: Uint8Array, source: string, builder: string): bigint {
    const enclave = this.requireEnclave();
    const params = this.getParams(ctx);
    let checked;
    try {
      checked = enclave.checkCode(submitted, Number(params.maxContractSize));
    } catch (e) {
      const code = (e as { code?: unknown }).code;
      if (code === "VM_STORE_TOO_LARGE") throw ComputeErrors.MaxContractSize.error();
      throw ComputeErrors.CreateFailed.wrap(e instanceof Error ? e.message : String(e));
    }
    ctx.gasMeter.consumeGas(Number(compileGas(params.compileCost, checked.code.length)), "Compiling WASM Bytecode");
    const codeId = this.autoIncrement(ctx, LAST_CODE_ID_KEY);
    const kv = ctx.kv(COMPUTE_STORE);
    kv.set(codeKey(codeId), encodeCodeInfo({ codeHash: checked.codeHash, creator, source, builder }));
    // The wasm itself is stored like upstream's file: without store gas.
    ctx.store.getStore(COMPUTE_STORE).set(wasmKey(checked.codeHash), checked.code);
    return codeId;
  }

  // -------------------------------------------------------------------------------------------------
  // Contracts

  getContractInfo(ctx: Context, contract: Uint8Array): ContractInfo | undefined {
    const raw = ctx.kv(COMPUTE_STORE).get(contractKey(contract));
    return raw === undefined ? undefined : memoDecode(decodedContractInfos, raw, decodeContractInfoFrozen);
  }

  setContractInfo(ctx: Context, contract: Uint8Array, info: ContractInfo): void {
    ctx.kv(COMPUTE_STORE).set(contractKey(contract), encodeContractInfo(info));
  }

  /** Every contract in address order. */
  contracts(ctx: Context): Array<{ address: Uint8Array; info: ContractInfo }> {
    const out: Array<{ address: Uint8Array; info: ContractInfo }> = [];
    for (const [k, v] of ctx.kv(COMPUTE_STORE).iterator(CONTRACT_PREFIX, Uint8Array.of(0x03))) {
      out.push({ address: k.slice(1), info: decodeContractInfo(v) });
    }
    return out;
  }

  getContractKey(ctx: Context, contract: Uint8Array): StoredContractKey | undefined {
    const raw = ctx.kv(COMPUTE_STORE).get(enclaveKeyKey(contract));
    return raw === undefined ? undefined : memoDecode(decodedContractKeys, raw, decodeContractKey);
  }

  setContractKey(ctx: Context, contract: Uint8Array, key: StoredContractKey): void {
    ctx.kv(COMPUTE_STORE).set(enclaveKeyKey(contract), encodeContractKey(key));
  }

  contractByLabel(ctx: Context, label: string): Uint8Array | undefined {
    return ctx.kv(COMPUTE_STORE).get(labelKey(label));
  }

  setLabel(ctx: Context, label: string, contract: Uint8Array): void {
    ctx.kv(COMPUTE_STORE).set(labelKey(label), contract);
  }

  history(ctx: Context, contract: Uint8Array): ContractCodeHistoryEntry[] {
    const prefix = historyPrefix(contract);
    const out: ContractCodeHistoryEntry[] = [];
    for (const [, v] of ctx.kv(COMPUTE_STORE).iterator(prefix, prefixEnd(prefix))) {
      out.push(decodeContractCodeHistoryEntry(v));
    }
    return out;
  }

  appendHistory(ctx: Context, contract: Uint8Array, entry: ContractCodeHistoryEntry): void {
    const prefix = historyPrefix(contract);
    const kv = ctx.kv(COMPUTE_STORE);
    let position = 0n;
    for (const [k] of kv.iterator(prefix, prefixEnd(prefix), true)) {
      position = readBe64(k, prefix.length);
      break;
    }
    kv.set(historyKey(contract, position + 1n), encodeContractCodeHistoryEntry(entry));
  }

  /** Contracts whose current code is `codeId`, in creation (or migration) order. */
  contractsByCode(ctx: Context, codeId: bigint): Uint8Array[] {
    const prefix = byCodePrefix(codeId);
    const out: Uint8Array[] = [];
    for (const [k] of ctx.kv(COMPUTE_STORE).iterator(prefix, prefixEnd(prefix))) out.push(k.slice(prefix.length + 16));
    return out;
  }

  private addToCodeIndex(ctx: Context, contract: Uint8Array, entry: ContractCodeHistoryEntry): void {
    const p = entry.updated ?? { blockHeight: 0n, txIndex: 0n };
    ctx.kv(COMPUTE_STORE).set(byCodeKey(entry.codeId, p.blockHeight, p.txIndex, contract), EMPTY);
  }

  private removeFromCodeIndex(ctx: Context, contract: Uint8Array, entry: ContractCodeHistoryEntry): void {
    const p = entry.updated ?? { blockHeight: 0n, txIndex: 0n };
    ctx.kv(COMPUTE_STORE).delete(byCodeKey(entry.codeId, p.blockHeight, p.txIndex, contract));
  }

  /** The encrypted state entries of a contract (stored key without the `0x03 ‖ contract` prefix). */
  contractState(ctx: Context, contract: Uint8Array): Array<{ key: Uint8Array; value: Uint8Array }> {
    const prefix = contractStatePrefix(contract);
    const out: Array<{ key: Uint8Array; value: Uint8Array }> = [];
    for (const [k, v] of ctx.kv(COMPUTE_STORE).iterator(prefix, prefixEnd(prefix))) {
      out.push({ key: k.slice(prefix.length), value: v });
    }
    return out;
  }

  /** Writes a contract under its address (genesis import). */
  importContract(
    ctx: Context,
    contract: Uint8Array,
    info: ContractInfo,
    key: StoredContractKey,
    state: ReadonlyArray<{ key: Uint8Array; value: Uint8Array }>,
    history: readonly ContractCodeHistoryEntry[],
  ): void {
    if (this.getCodeInfo(ctx, info.codeId) === undefined) throw notFound(`code id: ${info.codeId}`);
    if (this.getContractInfo(ctx, contract) !== undefined) {
      throw ComputeErrors.Duplicate.wrap(`contract: ${encodeAddress(contract)}`);
    }
    this.setContractKey(ctx, contract, key);
    this.setLabel(ctx, info.label, contract);
    this.setContractInfo(ctx, contract, info);
    const kv = ctx.kv(COMPUTE_STORE);
    for (const m of state) {
      const k = contractStateKey(contract, m.key);
      if (kv.has(k)) throw ComputeErrors.Duplicate.wrap(`duplicate key: ${toHex(m.key)}`);
      kv.set(k, m.value);
    }
    for (const e of history) this.appendHistory(ctx, contract, e);
    const last = history[history.length - 1];
    if (last !== undefined) this.addToCodeIndex(ctx, contract, last);
  }

  private instance(ctx: Context, contract: Uint8Array): Instance {
    const info = this.getContractInfo(ctx, contract);
    if (info === undefined) throw notFound("contract");
    const code = this.getCodeInfo(ctx, info.codeId);
    if (code === undefined) throw notFound("contract info");
    return { info, code };
  }

  private envContractKey(ctx: Context, contract: Uint8Array): EcallRequest<"contractExecute">["contractKey"] {
    const key = this.getContractKey(ctx, contract);
    if (key === undefined) throw notFound("contract key");
    return {
      ogContractKey: key.ogContractKey,
      currentContractKey: key.currentContractKey.length === 0 ? undefined : key.currentContractKey,
      currentContractKeyProof: key.currentContractKeyProof.length === 0 ? undefined : key.currentContractKeyProof,
    };
  }

  /** Whether a contract set the last-message marker (`finalize_tx`) earlier in the current tx. */
  lastMsgMarkerSet(): boolean {
    return this.tx !== undefined && this.lastMsgMarkerTx === this.tx;
  }

  // -------------------------------------------------------------------------------------------------
  // Calls

  private requireEnclave(): EnclaveForCompute {
    if (this.enclave === undefined) throw SdkErrors.UnknownRequest.wrap("this node runs no compute enclave");
    return this.enclave;
  }

  private block(ctx: Context): EcallRequest<"contractExecute">["block"] {
    return { height: BigInt(ctx.height), timeNanos: ctx.header.timeNanos, chainId: ctx.chainId };
  }

  private transaction(ctx: Context): { index: number; hash: string } | undefined {
    return ctx.mode === "deliver" && this.tx !== undefined ? { index: this.tx.index, hash: this.tx.hash } : undefined;
  }

  private random(ctx: Context): EncryptedBlockRandom | undefined {
    return ctx.mode === "deliver" ? this.blockRandom : undefined;
  }

  private counter(ctx: Context): CallCounter {
    return ctx.mode === "deliver" ? this.counters.deliver : this.counters.other;
  }

  private setCounter(ctx: Context, counter: CallCounter): void {
    if (ctx.mode === "deliver") this.counters.deliver = counter;
    else this.counters.other = counter;
  }

  /** Upstream `gasForContract`: the meter's remaining gas × 1000, at most 10^10. */
  private gasForContract(ctx: Context): bigint {
    const meter = ctx.gasMeter;
    if (!Number.isFinite(meter.limit)) return MAX_WASM_GAS;
    const remaining = BigInt(Math.max(0, meter.limit - meter.consumed)) * GAS_MULTIPLIER;
    return remaining > MAX_WASM_GAS ? MAX_WASM_GAS : remaining;
  }

  /** The enclave's `SigInfo`: the signer's signature of the tx, or the callback signature of a contract. */
  private sigInfo(sender: Uint8Array, callbackSig: Uint8Array): EcallRequest<"contractExecute">["sigInfo"] {
    const txBytes = this.tx?.bytes ?? EMPTY;
    if (callbackSig.length > 0) {
      return { txBytes, signBytes: EMPTY, signMode: 0, publicKey: EMPTY, signature: EMPTY, callbackSig };
    }
    const info = this.tx?.signInfo(sender);
    return {
      txBytes,
      signBytes: info?.signBytes ?? EMPTY,
      signMode: info?.signMode ?? 0,
      publicKey: info?.publicKey ?? EMPTY,
      signature: info?.signature ?? EMPTY,
      callbackSig: EMPTY,
    };
  }

  /**
   * The ocall handlers of a call on `ctx`'s branch. Store gas is charged on the context's meter as the
   * enclave reads and removes; it is reported to the enclave × `multiplier` (1000 for execute, migrate
   * and query; 1 for instantiate and reply, contract-abi.md §5.5).
   */
  private ocalls(ctx: Context, multiplier: bigint, failure: { error?: unknown }): OcallHandlers {
    const kv = ctx.kv(COMPUTE_STORE);
    const meter = ctx.gasMeter;
    // The engine turns an ocall failure into a failed call; the host must see its own error instead
    // (out of gas → the tx's out-of-gas result; a store failure → the node halts).
    const guard =
      <A, R>(f: (a: A) => R) =>
      (a: A): R => {
        try {
          return f(a);
        } catch (e) {
          if (!("error" in failure)) failure.error = e;
          throw e;
        }
      };
    const handlers: OcallHandlers = {
      // Each read and delete is charged on its own, in order, exactly as two separate ocalls would be.
      contractStateRead: ({ contract, key, fallbackKey }) => {
        const before = meter.consumed;
        const value = kv.get(contractStateKey(contract, key));
        const gas = BigInt(meter.consumed - before) * multiplier;
        if (value !== undefined || fallbackKey === undefined) return { value, gas, fallback: undefined };
        const between = meter.consumed;
        const fallbackValue = kv.get(contractStateKey(contract, fallbackKey));
        return { value, gas, fallback: { value: fallbackValue, gas: BigInt(meter.consumed - between) * multiplier } };
      },
      contractStateRemove: ({ contract, key, fallbackKey }) => {
        const before = meter.consumed;
        kv.delete(contractStateKey(contract, key));
        const gas = BigInt(meter.consumed - before) * multiplier;
        if (fallbackKey === undefined) return { gas, fallbackGas: undefined };
        const between = meter.consumed;
        kv.delete(contractStateKey(contract, fallbackKey));
        return { gas, fallbackGas: BigInt(meter.consumed - between) * multiplier };
      },
      contractStateWrite: ({ contract, ops }) => {
        for (const op of ops) {
          if (op.legacyKey.length > 0) kv.delete(contractStateKey(contract, op.legacyKey));
          kv.set(contractStateKey(contract, op.storedKey), op.storedValue);
        }
        return {};
      },
      contractLookup: ({ address: target }) => {
        const info = this.getContractInfo(ctx, target);
        const code = info === undefined ? undefined : this.getCodeInfo(ctx, info.codeId);
        if (info === undefined || code === undefined) return { found: undefined };
        return { found: { codeHash: code.codeHash, contractKey: this.envContractKey(ctx, target) } };
      },
      // The enclave asks for a code's bytes only when its own cache misses; it checks their hash.
      codeLookup: ({ codeHash }) => ({ code: this.getWasm(ctx, codeHash) }),
      chainQuery: ({ request, gasLimitWasm }) => {
        const before = meter.consumed;
        const response = this.chainQuery(ctx, request, gasLimitWasm);
        return { response: utf8Encode(response), gas: BigInt(meter.consumed - before) };
      },
    };
    return {
      contractStateRead: guard(handlers.contractStateRead!),
      contractStateRemove: guard(handlers.contractStateRemove!),
      contractStateWrite: guard(handlers.contractStateWrite!),
      contractLookup: guard(handlers.contractLookup!),
      chainQuery: guard(handlers.chainQuery!),
      codeLookup: guard(handlers.codeLookup!),
    };
  }

  /** One contract ecall on `ctx`'s branch; an ocall handler's own failure is rethrown after it. */
  private callEnclave<K extends ContractEcall>(
    name: K,
    request: EcallRequest<K>,
    ctx: Context,
    multiplier: bigint,
  ): ContractOutcome {
    const failure: { error?: unknown } = {};
    const outcome = this.requireEnclave().call(name, request, this.ocalls(ctx, multiplier, failure)) as ContractOutcome;
    if ("error" in failure) throw failure.error;
    return outcome;
  }

  /**
   * The signature hint of the tx after the current one, when delivering a block's tx (each tx is hinted
   * once, by the first contract call of the tx before it); undefined otherwise.
   */
  private upcoming(ctx: Context): SignatureHint[] | undefined {
    const txs = this.blockTxs;
    const tx = this.tx;
    if (ctx.mode !== "deliver" || txs === undefined || tx === undefined) return undefined;
    const current = txs[tx.index];
    if (current === undefined || (current !== tx.bytes && !bytesEqual(current, tx.bytes))) return undefined;
    if (this.hinted?.txs !== txs) this.hinted = { txs, last: -1 };
    const next = tx.index + 1;
    if (next >= txs.length || this.hinted.last >= next) return undefined;
    this.hinted.last = next;
    const hint = signatureHintOf(txs[next]!, ctx, this.auth);
    return hint === undefined ? undefined : [hint];
  }

  /** Charges a call's gas: its nested queries, then `floor(reported / 1000) + 1`; keeps its call counter. */
  private afterCall(ctx: Context, outcome: ContractOutcome): void {
    if (outcome.callCounter.height !== 0n || outcome.callCounter.counter !== 0n)
      this.setCounter(ctx, outcome.callCounter);
    if (outcome.queryGas > 0n) ctx.gasMeter.consumeGas(Number(outcome.queryGas), "contract query");
    ctx.gasMeter.consumeGas(Number(outcome.gas?.sdkCharge ?? 1n), "wasm contract");
  }

  /** A failed call as upstream renders it: `encrypted: <b64>: <op> contract failed`, or the system error's text. */
  private callError(def: { wrap(text: string): AppError }, outcome: ContractOutcome): ContractCallError {
    if (outcome.errorKind === "contract") {
      const b64 = encryptedOf(outcome.errorJson);
      return new ContractCallError(def.wrap(`encrypted: ${b64}`), b64, outcome.reply);
    }
    const text = outcome.errorMessage === "" ? outcome.errorCode : outcome.errorMessage;
    return new ContractCallError(def.wrap(text), undefined, outcome.reply);
  }

  /** `MsgInstantiateContract` (also a contract's wasm instantiate). Returns the address and the response data. */
  instantiate(
    ctx: Context,
    args: {
      readonly creator: Uint8Array;
      readonly admin: string;
      readonly codeId: bigint;
      readonly label: string;
      readonly initMsg: Uint8Array;
      readonly funds: readonly Coin[];
      readonly callbackSig: Uint8Array;
    },
  ): { address: Uint8Array; data: Uint8Array | null; reply: FailedCallReply | undefined } {
    this.requireEnclave();
    ctx.gasMeter.consumeGas(INSTANCE_COST, "Loading CosmWasm module: init");
    const sigInfo = this.sigInfo(args.creator, args.callbackSig);
    if (this.contractByLabel(ctx, args.label) !== undefined) throw ComputeErrors.AccountExists.wrap(args.label);
    const instanceId = this.autoIncrement(ctx, LAST_INSTANCE_ID_KEY);
    const contract = contractAddress(args.codeId, instanceId, args.creator);
    if (this.auth.hasAccount(ctx, contract)) throw ComputeErrors.AccountExists.wrap(encodeAddress(contract));
    if (args.funds.length > 0) {
      if (this.bank.isBlocked(args.creator)) throw SdkErrors.InvalidAddress.wrap("blocked address can not be used");
      this.bank.sendCoins(ctx, args.creator, contract, args.funds);
    } else {
      this.auth.setAccount(ctx, this.auth.newAccountWithAddress(ctx, contract));
    }
    const code = this.getCodeInfo(ctx, args.codeId);
    if (code === undefined) throw notFound("code");
    const adminBytes = args.admin === "" ? EMPTY : address(args.admin, "admin");
    const outcome = this.callEnclave(
      "contractInstantiate",
      {
        codeHash: code.codeHash,
        block: this.block(ctx),
        contract,
        gasLimitWasm: this.gasForContract(ctx),
        sender: args.creator,
        msg: args.initMsg,
        sigInfo,
        transaction: this.transaction(ctx),
        blockRandom: this.random(ctx),
        callCounter: this.counter(ctx),
        funds: coinsToProto(args.funds),
        admin: adminBytes,
        upcoming: this.upcoming(ctx),
      },
      ctx,
      1n,
    );
    this.afterCall(ctx, outcome);
    if (!outcome.ok) throw this.callError(ComputeErrors.InstantiateFailed, outcome);
    if (outcome.contractKey === undefined) throw new InvariantError("instantiate outcome without a contract key");
    const created: AbsoluteTxPosition = { blockHeight: BigInt(ctx.height), txIndex: BigInt(this.tx?.index ?? 0) };
    const info: ContractInfo = {
      codeId: args.codeId,
      creator: args.creator,
      label: args.label,
      created,
      ibcPortId: "",
      admin: args.admin,
      adminProof: outcome.adminProof ?? EMPTY,
    };
    if (outcome.apiVersion === "v1") ctx.events.emit(instantiateEvent(encodeAccountAddress(contract), args.codeId));
    const entry: ContractCodeHistoryEntry = {
      operation: HISTORY_OPERATION.init,
      codeId: args.codeId,
      updated: created,
      msg: args.initMsg,
    };
    this.addToCodeIndex(ctx, contract, entry);
    this.appendHistory(ctx, contract, entry);
    this.setContractInfo(ctx, contract, info);
    this.setContractKey(ctx, contract, {
      ogContractKey: outcome.contractKey,
      currentContractKey: EMPTY,
      currentContractKeyProof: EMPTY,
    });
    this.setLabel(ctx, args.label, contract);
    const { data, reply } = this.handleResponse(ctx, contract, outcome, args.initMsg);
    return { address: contract, data, reply };
  }

  /** `MsgExecuteContract` (also a contract's wasm execute). Returns the response data. */
  execute(
    ctx: Context,
    args: {
      readonly contract: Uint8Array;
      readonly caller: Uint8Array;
      readonly msg: Uint8Array;
      readonly funds: readonly Coin[];
      readonly callbackSig: Uint8Array;
    },
  ): { data: Uint8Array | null; reply: FailedCallReply | undefined } {
    this.requireEnclave();
    ctx.gasMeter.consumeGas(INSTANCE_COST, "Loading Compute module: execute");
    const sigInfo = this.sigInfo(args.caller, args.callbackSig);
    const { code } = this.instance(ctx, args.contract);
    if (args.funds.length > 0) {
      if (this.bank.isBlocked(args.caller)) throw SdkErrors.InvalidAddress.wrap("blocked address can not be used");
      this.bank.sendCoins(ctx, args.caller, args.contract, args.funds);
    }
    const key = this.envContractKey(ctx, args.contract);
    const outcome = this.callEnclave(
      "contractExecute",
      {
        codeHash: code.codeHash,
        block: this.block(ctx),
        contract: args.contract,
        gasLimitWasm: this.gasForContract(ctx),
        sender: args.caller,
        msg: args.msg,
        sigInfo,
        transaction: this.transaction(ctx),
        blockRandom: this.random(ctx),
        callCounter: this.counter(ctx),
        funds: coinsToProto(args.funds),
        contractKey: key,
        upcoming: this.upcoming(ctx),
      },
      ctx,
      GAS_MULTIPLIER,
    );
    this.afterCall(ctx, outcome);
    if (!outcome.ok) throw this.callError(ComputeErrors.ExecuteFailed, outcome);
    if (outcome.apiVersion === "v1") ctx.events.emit(executeEvent(encodeAccountAddress(args.contract)));
    return this.handleResponse(ctx, args.contract, outcome, args.msg);
  }

  /** `MsgMigrateContract`: admin only; the contract's code and key change, a history entry is added. */
  migrate(
    ctx: Context,
    args: {
      readonly contract: Uint8Array;
      readonly caller: Uint8Array;
      readonly codeId: bigint;
      readonly msg: Uint8Array;
      readonly callbackSig: Uint8Array;
    },
  ): { data: Uint8Array | null; reply: FailedCallReply | undefined } {
    this.requireEnclave();
    ctx.gasMeter.consumeGas(INSTANCE_COST, "Loading CosmWasm module: migrate");
    const sigInfo = this.sigInfo(args.caller, args.callbackSig);
    const info = this.getContractInfo(ctx, args.contract);
    if (info === undefined) throw SdkErrors.InvalidRequest.wrap("unknown contract: contract: not found");
    const newCode = this.getCodeInfo(ctx, args.codeId);
    if (newCode === undefined) {
      throw SdkErrors.InvalidRequest.wrap(`unknown code: failed to get code info for code id ${args.codeId}`);
    }
    const key = this.envContractKey(ctx, args.contract);
    if (info.admin !== encodeAddress(args.caller))
      throw ComputeErrors.MigrationFailed.wrap("requires migrate from admin");
    const outcome = this.callEnclave(
      "contractMigrate",
      {
        codeHash: newCode.codeHash,
        block: this.block(ctx),
        contract: args.contract,
        gasLimitWasm: this.gasForContract(ctx),
        sender: args.caller,
        msg: args.msg,
        sigInfo,
        transaction: this.transaction(ctx),
        blockRandom: this.random(ctx),
        callCounter: this.counter(ctx),
        contractKey: key,
        adminProof: info.adminProof,
      },
      ctx,
      GAS_MULTIPLIER,
    );
    this.afterCall(ctx, outcome);
    if (!outcome.ok) throw this.callError(ComputeErrors.MigrationFailed, outcome);
    this.setContractKey(ctx, args.contract, {
      ogContractKey: key.ogContractKey,
      currentContractKey: outcome.contractKey ?? EMPTY,
      currentContractKeyProof: outcome.newContractKeyProof ?? EMPTY,
    });
    const history = this.history(ctx, args.contract);
    const last = history[history.length - 1];
    if (last !== undefined) this.removeFromCodeIndex(ctx, args.contract, last);
    const entry: ContractCodeHistoryEntry = {
      operation: HISTORY_OPERATION.migrate,
      codeId: args.codeId,
      updated: { blockHeight: BigInt(ctx.height), txIndex: BigInt(this.tx?.index ?? 0) },
      msg: args.msg,
    };
    this.appendHistory(ctx, args.contract, entry);
    this.addToCodeIndex(ctx, args.contract, entry);
    this.setContractInfo(ctx, args.contract, { ...info, codeId: args.codeId });
    ctx.events.emit(migrateEvent(args.codeId, encodeAddress(args.contract)));
    return this.handleResponse(ctx, args.contract, outcome, args.msg);
  }

  /**
   * `MsgUpdateAdmin` / `MsgClearAdmin` (`newAdmin` empty): admin only (sdk 4 `caller is not the
   * admin`); the enclave verifies the signed message and the current admin proof and returns the new one.
   */
  updateAdmin(
    ctx: Context,
    args: {
      readonly contract: Uint8Array;
      readonly caller: Uint8Array;
      readonly newAdmin: Uint8Array;
      readonly callbackSig: Uint8Array;
    },
  ): void {
    this.requireEnclave();
    ctx.gasMeter.consumeGas(INSTANCE_COST, "Loading CosmWasm module: update-contract-admin");
    const { info, code } = this.instance(ctx, args.contract);
    if (info.admin !== encodeAddress(args.caller)) throw SdkErrors.Unauthorized.wrap("caller is not the admin");
    const sigInfo = this.sigInfo(args.caller, args.callbackSig);
    const key = this.envContractKey(ctx, args.contract);
    const outcome = this.callEnclave(
      "contractUpdateAdmin",
      {
        codeHash: code.codeHash,
        block: this.block(ctx),
        contract: args.contract,
        gasLimitWasm: this.gasForContract(ctx),
        sender: args.caller,
        msg: EMPTY,
        sigInfo,
        transaction: this.transaction(ctx),
        blockRandom: this.random(ctx),
        callCounter: this.counter(ctx),
        contractKey: key,
        adminProof: info.adminProof,
        newAdmin: args.newAdmin,
      },
      ctx,
      GAS_MULTIPLIER,
    );
    if (!outcome.ok) {
      const text = outcome.errorMessage === "" ? outcome.errorCode : outcome.errorMessage;
      throw SdkErrors.Unauthorized.wrap(text);
    }
    const newAdmin = args.newAdmin.length === 0 ? "" : encodeAddress(args.newAdmin);
    this.setContractInfo(ctx, args.contract, { ...info, admin: newAdmin, adminProof: outcome.adminProof ?? EMPTY });
    ctx.events.emit(updateAdminEvent(encodeAddress(args.contract), newAdmin));
  }

  /**
   * A top-level smart query on `ctx`'s (read-only) store under its own meter of the node's query gas
   * limit. Returns the encrypted answer; a failure is compute 4 (`encrypted: <b64>: query contract failed`).
   */
  querySmart(ctx: Context, contract: Uint8Array, msg: Uint8Array): Uint8Array {
    this.requireEnclave();
    const meter = new BasicGasMeter(this.queryGasLimit);
    const qctx = new Context(ctx.header, ctx.mode, ctx.store, meter);
    try {
      meter.consumeGas(INSTANCE_COST, "Loading CosmWasm module: query");
      const { code } = this.instance(qctx, contract);
      const key = this.envContractKey(qctx, contract);
      const outcome = this.callEnclave(
        "contractQuery",
        {
          codeHash: code.codeHash,
          block: this.block(qctx),
          contract,
          gasLimitWasm: this.gasForContract(qctx),
          msg,
          contractKey: key,
          queryDepth: 1,
        },
        qctx,
        GAS_MULTIPLIER,
      );
      if (outcome.queryGas > 0n) meter.consumeGas(Number(outcome.queryGas), "contract query");
      meter.consumeGas(Number(outcome.gas?.sdkCharge ?? 1n), "wasm contract");
      if (!outcome.ok || outcome.answer === undefined) throw this.callError(ComputeErrors.QueryFailed, outcome);
      return outcome.answer;
    } catch (e) {
      if (e instanceof OutOfGasSignal) {
        throw SdkErrors.OutOfGas.wrap(`out of gas in location: ${e.descriptor}; gasWanted: ${this.queryGasLimit}`);
      }
      throw e;
    }
  }

  // -------------------------------------------------------------------------------------------------
  // Responses, sub-messages and replies (contract-abi.md §8, §10)

  /**
   * Emits the call's `wasm` and `wasm-*` events, dispatches its messages; returns the data and the reply
   * routing for this call's caller. A reply may override both: upstream carries the routing inside the
   * data (`DataWithInternalReplyInfo`), so a reply's data, signed for the caller's reply, replaces the
   * call's own.
   */
  private handleResponse(ctx: Context, contract: Uint8Array, outcome: ContractOutcome, ogMsg: Uint8Array): Dispatched {
    const contractText = encodeAccountAddress(contract);
    ctx.events.emit(
      createEvent(
        "wasm",
        ["contract_address", contractText],
        ...outcome.attributes.filter((a) => a.key !== "contract_address").map((a) => [a.key, a.value] as const),
      ),
    );
    for (const e of outcome.events) {
      let event: AppEvent;
      try {
        event = customEvent(e, contractText);
      } catch (err) {
        // Upstream's handleContractResponse fails before dispatching; the caller wraps it "dispatch".
        if (err instanceof AppError) throw err.wrap("dispatch");
        throw err;
      }
      ctx.events.emit(event);
    }
    const messages = parseMessages(outcome.messagesJson, outcome.apiVersion, contractText);
    const own: Dispatched = { data: outcome.data ?? null, reply: outcome.reply };
    if (messages.length === 0) return own;
    let replied: Dispatched | null;
    this.depth++;
    try {
      if (this.depth > MAX_CALL_DEPTH) throw ComputeErrors.MaxCallDepth.error();
      replied = this.dispatchSubmessages(ctx, contract, messages, ogMsg);
    } catch (e) {
      if (e instanceof AppError) throw rewrap(e, "dispatch: submessages");
      throw e;
    } finally {
      this.depth--;
    }
    return replied ?? own;
  }

  private dispatchSubmessages(
    ctx: Context,
    contract: Uint8Array,
    messages: readonly SubMsg[],
    ogMsg: Uint8Array,
  ): Dispatched | null {
    let result: Dispatched | null = null;
    for (const sub of messages) {
      if (this.lastMsgMarkerSet()) {
        throw LastTxMarkerError.wrap("Cannot send messages or submessages after last tx marker was set");
      }
      if (variantOf(sub.msg)?.[0] === "finalize_tx") {
        // upstream: set the marker and stop dispatching this response's messages
        this.lastMsgMarkerTx = this.tx;
        break;
      }
      const branch = ctx.store.branch();
      const remaining = ctx.gasMeter.limit - ctx.gasMeter.consumed;
      const limited = sub.gasLimit !== undefined && Number(sub.gasLimit) < remaining;
      const meter = limited ? new BasicGasMeter(Number(sub.gasLimit)) : ctx.gasMeter;
      const subCtx = new Context(ctx.header, ctx.mode, branch, meter);
      const isWasm = variantOf(sub.msg)?.[0] === "wasm";
      let ok: Dispatched | undefined;
      let error: AppError | undefined;
      try {
        ok = this.dispatchMsg(subCtx, contract, sub.msg);
      } catch (e) {
        if (limited && e instanceof OutOfGasSignal) {
          ctx.gasMeter.consumeGas(Number(sub.gasLimit), "SubMsg hit gas limit");
          error = SdkErrors.OutOfGas.wrap("SubMsg hit gas limit");
        } else if (e instanceof AppError) {
          error = e;
        } else {
          throw e;
        }
      }
      if (limited && error === undefined) ctx.gasMeter.consumeGas(meter.consumed, "sub-message");
      let events: AppEvent[] = [];
      if (ok !== undefined) {
        branch.write();
        events = subCtx.events.events.filter((e) => e.type !== "message").map((e) => (isWasm ? sortAttributes(e) : e));
        ctx.events.emitAll(events);
      }
      if (error !== undefined && (sub.replyOn === "success" || sub.replyOn === "never")) throw error;
      const reply =
        (ok !== undefined && (sub.replyOn === "always" || sub.replyOn === "success")) ||
        (error !== undefined && (sub.replyOn === "always" || sub.replyOn === "error"));
      if (!reply) continue;
      let json: Uint8Array;
      let callbackSig = EMPTY;
      if (isWasm && sub.wasMsgEncrypted) {
        const routing = ok !== undefined ? ok.reply : error instanceof ContractCallError ? error.reply : undefined;
        if (routing === undefined || (error !== undefined && !(error instanceof ContractCallError))) {
          throw ComputeErrors.ReplyFailed.wrap(
            `an sdk error occurred while sending a sub-message: ${redacted(error ?? SdkErrors.Logic.error())}`,
          );
        }
        callbackSig = routing.internalReplyEnclaveSig;
        const id = toBase64(routing.internalMsgId);
        if (ok !== undefined) {
          json = replyJson(id, { ok: { events, data: ok.data === null ? null : toBase64(ok.data) } }, true, true);
        } else {
          const encrypted = (error as ContractCallError).encrypted;
          json = replyJson(id, { error: encrypted ?? redacted(error!) }, true, true);
        }
      } else {
        const id = toBase64(utf8Encode(sub.id.toString()));
        json =
          ok !== undefined
            ? replyJson(id, { ok: { events: [], data: null } }, sub.wasMsgEncrypted, false)
            : replyJson(id, { error: redacted(error!) }, sub.wasMsgEncrypted, false);
      }
      const replied = this.reply(ctx, contract, json, ogMsg.slice(0, 64), callbackSig);
      if (replied !== null) result = replied;
    }
    return result;
  }

  /** Runs one contract-emitted message with the contract as its signer (contract-abi.md §7.4). */
  private dispatchMsg(ctx: Context, contract: Uint8Array, msg: JsonValue): Dispatched {
    const [kind, body] = variantOf(msg) ?? ["", null];
    const [variant, fields] = variantOf(body) ?? ["", null];
    if (kind === "bank") {
      if (variant !== "send" || !isJsonObject(fields)) throw ComputeErrors.InvalidMsg.wrap("Unknown variant of Bank");
      if (fields.from_address !== undefined && fields.from_address !== encodeAddress(contract)) {
        throw SdkErrors.Unauthorized.wrap(
          "contract doesn't have permission to send funds from another account (using BankMsg)",
        );
      }
      const to = address(stringField(fields.to_address, "to_address"), "to");
      const coins = coinsField(fields.amount);
      if (coins.length === 0) return { data: null, reply: undefined };
      if (!isValidCoinSet(coins)) throw SdkErrors.InvalidCoins.wrap(coinsString(coins));
      if (this.bank.isBlocked(to))
        throw SdkErrors.Unauthorized.wrap(`${encodeAddress(to)} is not allowed to receive funds`);
      this.bank.sendCoins(ctx, contract, to, coins);
      return { data: null, reply: undefined };
    }
    if (kind === "wasm" && isJsonObject(fields)) {
      const callbackSig = fromBase64(stringField(fields.callback_sig ?? "", "callback_sig"));
      const funds = coinsField(fields.funds ?? fields.send);
      // upstream: MsgExecuteContract / MsgInstantiateContract ValidateBasic (`SentFunds.IsValid()`)
      if (funds.length > 0 && !isValidCoinSet(funds)) {
        throw variant === "execute" ? SdkErrors.InvalidCoins.wrap("sentFunds") : SdkErrors.InvalidCoins.error();
      }
      if (variant === "execute") {
        const target = address(stringField(fields.contract_addr, "contract_addr"), "contract");
        const msgBytes = fromBase64(stringField(fields.msg, "msg"));
        const r = this.execute(ctx, { contract: target, caller: contract, msg: msgBytes, funds, callbackSig });
        return { data: r.data, reply: r.reply };
      }
      if (variant === "instantiate") {
        const codeId = fields.code_id;
        if (typeof codeId !== "bigint" && typeof codeId !== "string") throw ComputeErrors.InvalidMsg.wrap("code_id");
        const admin = typeof fields.admin === "string" ? fields.admin : "";
        const r = this.instantiate(ctx, {
          creator: contract,
          admin,
          codeId: BigInt(codeId),
          label: stringField(fields.label, "label"),
          initMsg: fromBase64(stringField(fields.msg, "msg")),
          funds,
          callbackSig,
        });
        return { data: r.data, reply: r.reply };
      }
      if (variant === "migrate") {
        const codeId = fields.code_id ?? fields.new_code_id;
        if (typeof codeId !== "bigint" && typeof codeId !== "string") throw ComputeErrors.InvalidMsg.wrap("code_id");
        const r = this.migrate(ctx, {
          contract: address(stringField(fields.contract_addr, "contract_addr"), "contract"),
          caller: contract,
          codeId: BigInt(codeId),
          msg: fromBase64(stringField(fields.msg, "msg")),
          callbackSig,
        });
        return { data: r.data, reply: r.reply };
      }
      throw ComputeErrors.InvalidMsg.wrap(`Unknown variant of Wasm: ${variant}`);
    }
    if (kind === "custom") throw ComputeErrors.InvalidMsg.wrap("Custom variant not supported");
    throw ComputeErrors.InvalidMsg.wrap(`unsupported message from the contract: ${kind}`);
  }

  /** A v1 `reply` to `contract` in the parent context (contract-abi.md §8.1 step 6). */
  private reply(
    ctx: Context,
    contract: Uint8Array,
    json: Uint8Array,
    origin: Uint8Array,
    callbackSig: Uint8Array,
  ): Dispatched | null {
    this.requireEnclave();
    const { code } = this.instance(ctx, contract);
    ctx.gasMeter.consumeGas(INSTANCE_COST, "Loading Compute module: reply");
    const key = this.envContractKey(ctx, contract);
    const outcome = this.callEnclave(
      "contractReply",
      {
        codeHash: code.codeHash,
        block: this.block(ctx),
        contract,
        gasLimitWasm: this.gasForContract(ctx),
        contractKey: key,
        origin,
        reply: json,
        callbackSig,
        transaction: this.transaction(ctx),
        blockRandom: this.random(ctx),
        callCounter: this.counter(ctx),
      },
      ctx,
      1n,
    );
    this.afterCall(ctx, outcome);
    if (!outcome.ok) throw this.callError(ComputeErrors.ReplyFailed, outcome);
    if (outcome.apiVersion !== "v1") {
      throw ComputeErrors.ReplyFailed.wrap("response of reply should always be a CosmWasm v1 response type");
    }
    // Upstream charges the reply's wasm gas a second time here.
    ctx.gasMeter.consumeGas(Number(outcome.gas?.sdkCharge ?? 1n), "wasm contract");
    ctx.events.emit(replyEvent(encodeAccountAddress(contract)));
    try {
      const handled = this.handleResponse(ctx, contract, outcome, concatBytes(origin, EMPTY));
      // With reply routing (this contract was itself called as a sub-message with a reply wanted) the
      // reply's output always stands for the call's, as upstream's DataWithInternalReplyInfo does.
      if (handled.reply !== undefined) return handled;
      return handled.data === null ? null : { data: handled.data, reply: undefined };
    } catch (e) {
      if (e instanceof AppError && !(e instanceof ContractCallError)) throw ComputeErrors.ReplyFailed.wrap(e.message);
      throw e;
    }
  }

  // -------------------------------------------------------------------------------------------------
  // Chain queries from contracts (contract-abi.md §9; wasm smart queries run inside the enclave)

  private chainQuery(ctx: Context, request: Uint8Array, _gasLimitWasm: bigint): string {
    let parsed: JsonValue;
    try {
      parsed = parseJsonExact(utf8Decode(request));
    } catch (e) {
      return JSON.stringify({
        Err: { invalid_request: { error: e instanceof Error ? e.message : String(e), request: toBase64(request) } },
      });
    }
    const [kind, body] = variantOf(parsed) ?? ["", null];
    const [variant, fields] = variantOf(body) ?? ["", null];
    const ok = (answer: unknown): string =>
      JSON.stringify({ Ok: { Ok: toBase64(utf8Encode(JSON.stringify(answer))) } });
    const genericErr = (msg: string): string => JSON.stringify({ Ok: { Err: { generic_err: { msg } } } });
    try {
      if (kind === "bank" && isJsonObject(fields)) {
        const who = address(stringField(fields.address, "address"), "address");
        if (variant === "balance") {
          const denom = stringField(fields.denom, "denom");
          return ok({ amount: { denom, amount: this.bank.getBalance(ctx, who, denom).toString() } });
        }
        if (variant === "all_balances") {
          return ok({
            amount: this.bank.getAllBalances(ctx, who).map((c) => ({ denom: c.denom, amount: c.amount.toString() })),
          });
        }
      }
      if (kind === "staking" && variant === "bonded_denom") return ok({ denom: "uscrt" });
      if (kind === "wasm" && isJsonObject(fields)) {
        if (variant === "contract_info") {
          const target = address(stringField(fields.contract_addr, "contract_addr"), "contract");
          const info = this.getContractInfo(ctx, target);
          if (info === undefined) return genericErr(`contract not found: ${encodeAddress(target)}`);
          return `{"Ok":{"Ok":"${toBase64(
            utf8Encode(
              `{"code_id":${info.codeId},"creator":${JSON.stringify(encodeAddress(info.creator))},"pinned":false}`,
            ),
          )}"}}`;
        }
        if (variant === "raw") return ok([]);
      }
    } catch (e) {
      if (e instanceof AppError) return genericErr(e.message);
      throw e;
    }
    return JSON.stringify({ Err: { unsupported_request: { kind: kind === "" ? "unknown" : kind } } });
  }

  /** Runs a wasm smart query for the app's gRPC route (see queryServer.ts). */
  contractCodeHash(ctx: Context, contract: Uint8Array): Uint8Array | undefined {
    const info = this.getContractInfo(ctx, contract);
    return info === undefined ? undefined : this.getCodeInfo(ctx, info.codeId)?.codeHash;
  }
}

/** The exclusive upper bound of a prefix range. */
function prefixEnd(prefix: Uint8Array): Uint8Array | undefined {
  const end = Uint8Array.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i]! < 0xff) {
      end[i]!++;
      return end.subarray(0, i + 1);
    }
  }
  return undefined;
}

/** Upstream's redacted reply error for non-contract failures (contract-abi.md §8.3). */
function redacted(e: AppError): string {
  return `the error was redacted (codespace: ${e.codespace}, code: ${e.abciCode}). For more info use latest localsecret and reproduce the issue`;
}

/** The same codes with `context: ` in front, keeping a ContractCallError's reply routing. */
function rewrap(e: AppError, context: string): AppError {
  if (e instanceof ContractCallError) {
    return new ContractCallError(e.wrap(context), e.encrypted, e.reply);
  }
  return e.wrap(context);
}

/** A v1 custom event as `wasm-<type>` with its checks (contract-abi.md §10, code 21). */
function customEvent(e: ContractOutcome["events"][number], contract: string): AppEvent {
  const type = e.type.trim();
  if (type.length <= 2) throw ComputeErrors.InvalidEvent.wrap(`Event type too short: '${type}'`);
  const pairs: Array<[string, string]> = [["contract_address", contract]];
  for (const a of e.attributes) {
    const key = a.key.trim();
    const value = a.value.trim();
    if (key === "") throw ComputeErrors.InvalidEvent.wrap(`Empty attribute key. Value: ${value}`);
    if (value === "") throw ComputeErrors.InvalidEvent.wrap(`Empty attribute value. Key: ${key}`);
    if (key.startsWith("_"))
      throw ComputeErrors.InvalidEvent.wrap(`Attribute key starts with reserved prefix _: '${key}'`);
    pairs.push([key, value]);
  }
  return createEvent(`wasm-${type}`, ...pairs);
}

/** The response's messages as sub-messages: v1 `SubMsg`s as given, v0.10 `CosmosMsg`s as id 0, `never`. */
function parseMessages(json: string, apiVersion: string, _contract: string): SubMsg[] {
  // Most calls send no message: the empty list needs no parser.
  if (json === "[]") return [];
  let parsed: JsonValue;
  try {
    parsed = parseJsonExact(json);
  } catch (e) {
    throw new InvariantError(`the enclave returned malformed messages: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!Array.isArray(parsed)) throw new InvariantError("the enclave returned messages that are not a list");
  if (apiVersion !== "v1") {
    return parsed.map((msg) => ({ id: 0n, msg, gasLimit: undefined, replyOn: "never", wasMsgEncrypted: true }));
  }
  return parsed.map((sub) => {
    if (!isJsonObject(sub)) throw ComputeErrors.InvalidMsg.wrap("sub-message must be an object");
    const id = typeof sub.id === "bigint" ? sub.id : 0n;
    const gasLimit = typeof sub.gas_limit === "bigint" ? sub.gas_limit : undefined;
    const replyOn = sub.reply_on;
    if (replyOn !== "always" && replyOn !== "success" && replyOn !== "error" && replyOn !== "never") {
      throw ComputeErrors.InvalidMsg.wrap(`unknown reply_on ${String(replyOn)}`);
    }
    return { id, msg: sub.msg ?? null, gasLimit, replyOn, wasMsgEncrypted: sub.was_msg_encrypted !== false };
  });
}
