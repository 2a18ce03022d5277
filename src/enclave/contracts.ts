/**
 * The contract engine inside the enclave: one function per operation (instantiate, execute, query,
 * migrate) that does what upstream's `contract_operations.rs` does around the VM. It decrypts the
 * input, checks the code hash, the contract key and the user's transaction (or callback signature),
 * runs the metered wasm on plaintext state that is encrypted on its way to the host, and encrypts
 * every output for the sender. Only ciphertext, sizes, gas and public metadata go back to the host.
 *
 * The host is reached only through `ContractHost` (ocalls): state reads, removes and the flush of
 * buffered writes, the code and key of another contract for contract-to-contract queries, and the
 * chain's other queries.
 */
import { Buffer } from "node:buffer";
import { sha256 } from "../crypto/index.ts";
import type { ProtoCoin } from "../codec/tx.ts";
import { fromBase64, toBase64 } from "../primitives/base64.ts";
import { decodeAddress, encodeAddress } from "../primitives/bech32.ts";
import { utf8Encode } from "../primitives/bytes.ts";
import { toHex } from "../primitives/hex.ts";
import {
  type CallEnv,
  type CallResult,
  type ContractOutput,
  type ContractQuerier,
  type ContractStorage,
  type EntryPoint,
  type GasReport,
  type Vm,
  VmError,
} from "../vm/index.ts";
import { decodeBase64Rust } from "../vm/runtime/base64Rust.ts";
import { type Content, SerdeJsonError, parseContent } from "../vm/runtime/serdeJson.ts";
import {
  type EnvContractKey,
  createAdminProof,
  createContractKey,
  migrateContractKey,
  validateAdminProof,
  validateEnvContractKey,
} from "./contractKey.ts";
import { EnclaveError, isEnclaveError } from "./errors.ts";
import {
  type DecryptedInput,
  type IoContext,
  type ReplyParam,
  decryptInputEnvelope,
  encryptEnvelopeInContext,
  parseReplyHeaders,
  IO_NONCE_LENGTH,
  IO_PUBKEY_LENGTH,
  MIN_ENVELOPE_LENGTH,
  secretMsgBytes,
  splitCodeHash,
  txEncryptionKey,
} from "./io.ts";
import type { KeyChain } from "./keys.ts";
import {
  type ReplyOutput,
  SerdeNumber,
  type SerdeValue,
  callbackSignature,
  decryptQueryAnswer,
  decryptQueryError,
  decryptReplyData,
  decryptReplyError,
  decryptReplyId,
  encryptAttributes,
  encryptData,
  encryptError,
  encryptQueryAnswer,
  encryptV010WasmMsg,
  encryptV1WasmMsg,
  parseSerdeJson,
  parseU64Decimal,
  replyInfoForOutput,
  replyJson,
  serdeJsonString,
  serdeJsonStringify,
  validateReplyDataForValidation,
  verifyCallbackSignature,
} from "./outputs.ts";
import { contractBlockRandom } from "./random.ts";
import {
  type StateWriteOp,
  ContractStateKeys,
  StateCallCache,
  decryptLegacyValue,
  legacyStoreKey,
  stateSalt,
  storedKeyFromEk,
} from "./state.ts";
import { type CallKind, type SigInfo, verifyCall } from "./txVerify.ts";

// ---------------------------------------------------------------------------------------------------
// What the host provides and passes

/** Ocalls the engine makes during a call. Keys are the enclave's stored-key bytes within the contract's state. */
export interface ContractHost {
  /**
   * Reads a stored key of `contract`'s state; `gas` is the store (SDK) gas the host charged. With
   * `fallbackKey`, a host may also answer, when `storedKey` has no value, the read of `fallbackKey`
   * that follows in `fallback` (one round trip instead of two); without that answer the engine reads
   * `fallbackKey` itself.
   */
  stateRead(
    contract: Uint8Array,
    storedKey: Uint8Array,
    fallbackKey?: Uint8Array,
  ): {
    readonly value: Uint8Array | undefined;
    readonly gas: bigint;
    readonly fallback?: { readonly value: Uint8Array | undefined; readonly gas: bigint } | undefined;
  };
  /**
   * Deletes a stored key of `contract`'s state at once. With `fallbackKey`, a host may delete it too,
   * right after, and answer that delete's gas in `fallbackGas`; without that answer the engine
   * deletes `fallbackKey` itself.
   */
  stateRemove(
    contract: Uint8Array,
    storedKey: Uint8Array,
    fallbackKey?: Uint8Array,
  ): { readonly gas: bigint; readonly fallbackGas?: bigint | undefined };
  /** Applies a flush in order: for each op, delete `legacyKey`, then set `storedKey` to `storedValue`. */
  stateWrite(contract: Uint8Array, ops: readonly StateWriteOp[]): void;
  /**
   * The stored code and contract key of a contract, for a contract-to-contract query; undefined if none.
   * `codeHash`, when given, is the SHA-256 of `code` computed inside the enclave (see `CommonCall`).
   */
  contract(
    address: Uint8Array,
  ): { readonly code: Uint8Array; readonly contractKey: EnvContractKey; readonly codeHash?: Uint8Array } | undefined;
  /**
   * A chain query that is not a wasm smart query (bank, staking, …), given as the request JSON. The
   * host answers with the response envelope of contract-abi.md §9 and the SDK gas it used.
   */
  chainQuery(request: Uint8Array, gasLimitWasm: bigint): { readonly response: Uint8Array; readonly gas: bigint };
}

/** The block a call runs in. */
export interface BlockContext {
  readonly height: bigint;
  readonly timeNanos: bigint;
  readonly chainId: string;
}

/** The per-block call counter of crypto.md §8.3, kept by the host in the block's execution context. */
export interface CallCounter {
  readonly height: bigint;
  readonly counter: bigint;
}

interface CommonCall {
  /** The stored (uncompressed) code; the enclave hashes it itself. */
  readonly code: Uint8Array;
  /**
   * SHA-256 of `code`, when the caller inside the enclave computed it from these very bytes (the ecall
   * layer's code cache, `codeCache.ts`); otherwise the engine hashes `code` itself.
   */
  readonly codeHash?: Uint8Array;
  readonly block: BlockContext;
  /** Canonical contract address. */
  readonly contract: Uint8Array;
  readonly gasLimitWasm: bigint;
}

interface SignedCall extends CommonCall {
  /** Canonical sender. */
  readonly sender: Uint8Array;
  /** The input envelope exactly as signed. */
  readonly msg: Uint8Array;
  readonly sigInfo: SigInfo;
  /** The delivering tx, or null in simulations. */
  readonly transaction: { readonly index: number; readonly hash: string } | null;
  /** The block's random (32 bytes), or null when the block has none. */
  readonly blockRandom: Uint8Array | null;
  readonly callCounter: CallCounter;
}

export interface InstantiateCall extends SignedCall {
  readonly funds: readonly ProtoCoin[];
  /** Canonical admin, or empty for none. */
  readonly admin: Uint8Array;
}

export interface ExecuteCall extends SignedCall {
  readonly funds: readonly ProtoCoin[];
  readonly contractKey: EnvContractKey;
}

export interface MigrateCall extends SignedCall {
  readonly contractKey: EnvContractKey;
  /** The contract's admin proof as stored (§7.5). */
  readonly adminProof: Uint8Array;
}

/** Update-admin / clear-admin (`newAdmin` empty); `msg` is empty (admin messages carry no input). */
export interface UpdateAdminCall extends SignedCall {
  readonly contractKey: EnvContractKey;
  /** The contract's admin proof as stored (§7.5), for the current admin (the sender). */
  readonly adminProof: Uint8Array;
  /** Canonical new admin, or empty to clear. */
  readonly newAdmin: Uint8Array;
}

/**
 * A v1 `reply` to the calling contract after one of its sub-messages ran (contract-abi.md §8.3,
 * crypto.md §5.6). `code`, `contract` and `contractKey` are the caller's (the contract being replied to).
 */
export interface ReplyCall extends CommonCall {
  readonly contractKey: EnvContractKey;
  /** `nonce ‖ client_pk`: the first 64 bytes of the original message's envelope. */
  readonly origin: Uint8Array;
  /**
   * The `Reply` JSON the host built: `{"id":"<b64>","result":{"ok":{"events":[…],"data":…}}|{"error":"…"},
   * "was_orig_msg_encrypted":…,"is_encrypted":…}`. For a wasm sub-message `id` is the callee's
   * `internal_msg_id` and data/error are the callee's encrypted outputs; for any other sub-message `id`
   * is the decimal id in clear and `is_encrypted` false.
   */
  readonly reply: Uint8Array;
  /** The callee's `internal_reply_enclave_sig` (empty for plaintext replies, which are not signed). */
  readonly callbackSig: Uint8Array;
  /** The delivering tx, or null in simulations. */
  readonly transaction: { readonly index: number; readonly hash: string } | null;
  /** The block's random (32 bytes), or null when the block has none. */
  readonly blockRandom: Uint8Array | null;
  readonly callCounter: CallCounter;
}

export interface QueryCall extends CommonCall {
  readonly msg: Uint8Array;
  readonly contractKey: EnvContractKey;
  /** 1 for a top-level query. */
  readonly queryDepth: number;
}

// ---------------------------------------------------------------------------------------------------
// What goes back to the host

export interface OutputAttribute {
  readonly key: string;
  readonly value: string;
}

export interface CallSuccess {
  readonly ok: true;
  readonly apiVersion: "v0.10" | "v1";
  /** Encrypted `data` (raw bytes for the Msg*Response), or null. */
  readonly data: Uint8Array | null;
  /** Attributes of the `wasm` event (v0.10 `log`, v1 `attributes`), encrypted where the contract asked. */
  readonly attributes: readonly OutputAttribute[];
  /** v1 custom events (the host prefixes `wasm-`). */
  readonly events: readonly { readonly type: string; readonly attributes: readonly OutputAttribute[] }[];
  /** The response's messages as JSON (v0.10 CosmosMsg list, v1 SubMsg list), wasm inputs re-encrypted and signed. */
  readonly messagesJson: string;
  /** Reply routing when this call is a sub-message whose caller wants a reply (§5.6). */
  readonly reply: { readonly internalMsgId: Uint8Array; readonly internalReplyEnclaveSig: Uint8Array } | null;
  readonly gas: GasReport;
  /** SDK gas of the contract-to-contract queries this call ran inside the enclave, for the host to charge (see README). */
  readonly queryGas: bigint;
  readonly callCounter: CallCounter;
}

export interface InstantiateSuccess extends CallSuccess {
  readonly contractKey: Uint8Array;
  readonly adminProof: Uint8Array;
}

export interface UpdateAdminSuccess extends CallSuccess {
  /** The new admin's proof (§7.5). */
  readonly adminProof: Uint8Array;
}

export interface MigrateSuccess extends CallSuccess {
  readonly newContractKey: Uint8Array;
  readonly newContractKeyProof: Uint8Array;
}

/**
 * A failed call. `contract` errors are the contract's own, encrypted for the sender:
 * `json` is `{"generic_err":{"msg":"<b64>"}}`. `enclave` errors are plaintext system errors (codes of
 * the enclave and the VM, upstream's display texts).
 */
export type CallFailure = {
  readonly ok: false;
  readonly error:
    | { readonly kind: "contract"; readonly b64: string; readonly json: string }
    | { readonly kind: "enclave"; readonly code: string; readonly message: string };
  readonly reply: { readonly internalMsgId: Uint8Array; readonly internalReplyEnclaveSig: Uint8Array } | null;
  readonly gas: GasReport | null;
  /** As `CallSuccess.queryGas`: a failed call's nested queries are paid for too. */
  readonly queryGas: bigint;
  readonly callCounter: CallCounter;
};

export interface QuerySuccess {
  readonly ok: true;
  /** The encrypted answer (`QuerySecretContractResponse.data`). */
  readonly answer: Uint8Array;
  readonly gas: GasReport;
  /** As `CallSuccess.queryGas` (the queries this query ran in turn). */
  readonly queryGas: bigint;
}

// ---------------------------------------------------------------------------------------------------
// Storage on encrypted state

/** The contract's plaintext storage, encrypted on its way to the host (crypto.md §8). */
class EncryptedStorage implements ContractStorage {
  readonly cache = new StateCallCache();
  #gas = 0n;

  #stateKeys: ContractStateKeys | undefined;

  constructor(
    private readonly keys: KeyChain,
    private readonly ogKey: Uint8Array,
    private readonly contract: Uint8Array,
    private readonly host: ContractHost,
    /** Salt for a legacy value re-written during the call; null in queries, which never write. */
    private readonly salt: Uint8Array | null,
    /** The state keys of `ogKey` (derived on first use, typically from the engine's cache). */
    private readonly deriveStateKeys: (ck: Uint8Array) => ContractStateKeys,
  ) {}

  /** The og key's state keys, derived on the first state operation of the call. */
  #state = (): ContractStateKeys => (this.#stateKeys ??= this.deriveStateKeys(this.ogKey));

  read(key: Uint8Array): Uint8Array | undefined {
    const cached = this.cache.read(key);
    if (cached !== undefined) return cached;
    const stateKeys = this.#state();
    const ek = stateKeys.encryptKey(key);
    // The legacy key rides along: a miss reads it next (§8.2) in the same round trip.
    const legacyKey = legacyStoreKey(this.ogKey, key);
    const current = this.host.stateRead(this.contract, storedKeyFromEk(ek), legacyKey);
    this.#gas += current.gas;
    if (current.value !== undefined) return stateKeys.decryptValue(ek, current.value);
    const legacy = current.fallback ?? this.host.stateRead(this.contract, legacyKey);
    this.#gas += legacy.gas;
    if (legacy.value === undefined) return undefined;
    const value = decryptLegacyValue(this.keys, this.ogKey, legacyKey, legacy.value);
    this.cache.storeReadOnly(key, value);
    if (this.salt !== null) {
      // Outside queries a legacy value moves to the current format at once (§8.2).
      this.host.stateWrite(this.contract, [stateKeys.encryptEntry(key, value, this.salt)]);
    }
    return value;
  }

  write(key: Uint8Array, value: Uint8Array): void {
    this.cache.write(key, value);
  }

  remove(key: Uint8Array): void {
    const legacyKey = legacyStoreKey(this.ogKey, key);
    const current = this.host.stateRemove(this.contract, storedKeyFromEk(this.#state().encryptKey(key)), legacyKey);
    const legacyGas = current.fallbackGas ?? this.host.stateRemove(this.contract, legacyKey).gas;
    this.#gas += current.gas + legacyGas;
    this.cache.remove(key);
  }

  takeStoreGas(): bigint {
    const gas = this.#gas;
    this.#gas = 0n;
    return gas;
  }

  flush(salt: Uint8Array): void {
    const ops = this.cache.flushWith(this.#state, salt);
    if (ops.length > 0) this.host.stateWrite(this.contract, ops);
  }
}

// ---------------------------------------------------------------------------------------------------
// The engine

const MAX_QUERY_DEPTH = 10;

const EMPTY = new Uint8Array(0);

/** SDK gas upstream's `QuerySmart` charges before it runs a (nested) query (contract-abi.md §5.6). */
const QUERY_INSTANCE_COST = 20_000n;

/** The SDK gas of the nested smart queries one call ran. */
interface QueryGasMeter {
  sdk: bigint;
}

/** Contract keys whose state keys an engine keeps derived (least recently used evicted first). */
const STATE_KEYS_CACHE_SIZE = 64;
/** Codes whose hash an engine keeps (least recently used evicted first), each with a private copy. */
const CODE_HASH_CACHE_SIZE = 16;
/** Contract-key checks an engine remembers as passed (least recently used evicted first). */
const VALID_KEYS_CACHE_SIZE = 256;

export class ContractEngine {
  /** Hex contract key → its state keys (`K_key`, `K_val` AES-SIV instances), in LRU order. */
  readonly #stateKeys = new Map<string, ContractStateKeys>();
  /** Code length → the cached codes of that length (private copies) and their SHA-256, in LRU order. */
  readonly #codeHashes: { code: Buffer; hash: Uint8Array }[] = [];
  /** The exact inputs of `validateEnvContractKey` calls that passed, in LRU order. */
  readonly #validKeys = new Set<string>();

  constructor(
    private readonly keys: KeyChain,
    private readonly vm: Vm,
  ) {}

  /** The state keys of contract key `ck`, from the cache or derived (and cached) now. */
  #stateKeysFor = (ck: Uint8Array): ContractStateKeys => {
    const id = toHex(ck);
    const cached = this.#stateKeys.get(id);
    if (cached !== undefined) {
      this.#stateKeys.delete(id);
      this.#stateKeys.set(id, cached);
      return cached;
    }
    const derived = new ContractStateKeys(this.keys, ck);
    this.#stateKeys.set(id, derived);
    if (this.#stateKeys.size > STATE_KEYS_CACHE_SIZE) this.#stateKeys.delete(this.#stateKeys.keys().next().value!);
    return derived;
  };

  /**
   * `validateEnvContractKey`, skipped when the very same inputs (every byte) passed before under this
   * engine's keychain; a failing check is never remembered, so it throws as it always did.
   */
  #validateContractKey(env: EnvContractKey, codeHash: Uint8Array, address: Uint8Array): void {
    const id = [
      toHex(env.ogContractKey),
      toHex(env.currentContractKey ?? EMPTY),
      toHex(env.currentContractKeyProof ?? EMPTY),
      toHex(codeHash),
      toHex(address),
    ].join(":");
    if (this.#validKeys.delete(id)) {
      this.#validKeys.add(id);
      return;
    }
    validateEnvContractKey(this.keys, env, codeHash, address);
    this.#validKeys.add(id);
    if (this.#validKeys.size > VALID_KEYS_CACHE_SIZE) this.#validKeys.delete(this.#validKeys.values().next().value!);
  }

  /** The call's code hash: the one its enclave-side caller computed, or the engine's own. */
  #codeHashOf(call: CommonCall): Uint8Array {
    return call.codeHash ?? this.#codeHash(call.code);
  }

  /**
   * SHA-256 of `code`. A hash is reused only for a code whose bytes equal, in full, a private copy of
   * bytes hashed before, so the enclave always uses the hash of exactly the bytes it is given.
   */
  #codeHash(code: Uint8Array): Uint8Array {
    const bytes = Buffer.from(code.buffer, code.byteOffset, code.byteLength);
    const entries = this.#codeHashes;
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i]!;
      if (entry.code.length === bytes.length && entry.code.equals(bytes)) {
        if (i > 0) {
          entries.splice(i, 1);
          entries.unshift(entry);
        }
        return Uint8Array.from(entry.hash);
      }
    }
    const copy = Buffer.from(bytes);
    const hash = sha256(copy);
    entries.unshift({ code: copy, hash: Uint8Array.from(hash) });
    if (entries.length > CODE_HASH_CACHE_SIZE) entries.pop();
    return hash;
  }

  instantiate(call: InstantiateCall, host: ContractHost): InstantiateSuccess | CallFailure {
    const codeHash = this.#codeHashOf(call);
    const counter = this.#counter(call, codeHash);
    return this.#guard(counter.after, (queries) => {
      const input = decryptInputEnvelope(this.keys, call.msg, { allowPlaintextFallback: true });
      const { msg, replyParams } = splitInput(input, codeHash);
      this.#verify(call, "instantiate", input, call.funds, { admin: call.admin });
      const ogKey = createContractKey(this.keys, call.sender, call.block.height, codeHash, call.contract);
      const result = this.#run(
        call,
        "instantiate",
        codeHash,
        ogKey,
        ogKey,
        msg,
        input,
        replyParams,
        host,
        counter,
        queries,
        { sender: encodeAddress(call.sender), funds: call.funds },
      );
      if (!result.ok) return result;
      return { ...result, contractKey: ogKey, adminProof: createAdminProof(this.keys, call.admin, ogKey) };
    });
  }

  execute(call: ExecuteCall, host: ContractHost): CallSuccess | CallFailure {
    const codeHash = this.#codeHashOf(call);
    const counter = this.#counter(call, codeHash);
    return this.#guard(counter.after, (queries) => {
      this.#validateContractKey(call.contractKey, codeHash, call.contract);
      const input = decryptInputEnvelope(this.keys, call.msg, { allowPlaintextFallback: true });
      const { msg, replyParams } = splitInput(input, codeHash);
      this.#verify(call, "execute", input, call.funds, {});
      const latestKey = latestContractKey(call.contractKey);
      return this.#run(
        call,
        "execute",
        codeHash,
        call.contractKey.ogContractKey,
        latestKey,
        msg,
        input,
        replyParams,
        host,
        counter,
        queries,
        {
          sender: encodeAddress(call.sender),
          funds: call.funds,
        },
      );
    });
  }

  migrate(call: MigrateCall, host: ContractHost): MigrateSuccess | CallFailure {
    const codeHash = this.#codeHashOf(call);
    const counter = this.#counter(call, codeHash);
    return this.#guard(counter.after, (queries) => {
      const ogKey = call.contractKey.ogContractKey;
      validateAdminProof(this.keys, call.sender, ogKey, call.adminProof);
      const input = decryptInputEnvelope(this.keys, call.msg, { allowPlaintextFallback: false });
      const { msg, replyParams } = splitInput(input, codeHash);
      this.#verify(call, "migrate", input, [], { admin: call.sender });
      const migrated = migrateContractKey(this.keys, call.sender, call.block.height, codeHash, call.contract, ogKey);
      const result = this.#run(
        call,
        "migrate",
        codeHash,
        ogKey,
        migrated.newContractKey,
        msg,
        input,
        replyParams,
        host,
        counter,
        queries,
        {
          sender: encodeAddress(call.sender),
          funds: [],
        },
      );
      if (!result.ok) return result;
      return { ...result, newContractKey: migrated.newContractKey, newContractKeyProof: migrated.proof };
    });
  }

  /**
   * Update-admin / clear-admin (upstream `update_admin`): the contract key and the current admin's
   * proof must validate, the signed tx must carry exactly this message (or a callback signature must
   * cover the empty input); the answer is the proof for the new admin. No wasm runs, no counter moves.
   */
  updateAdmin(call: UpdateAdminCall, _host: ContractHost): UpdateAdminSuccess | CallFailure {
    const codeHash = this.#codeHashOf(call);
    return this.#guard(call.callCounter, () => {
      this.#validateContractKey(call.contractKey, codeHash, call.contract);
      const ogKey = call.contractKey.ogContractKey;
      validateAdminProof(this.keys, call.sender, ogKey, call.adminProof);
      verifyCall(
        call.sigInfo,
        {
          kind: call.newAdmin.length === 0 ? "clearAdmin" : "updateAdmin",
          sender: call.sender,
          contractAddress: encodeAddress(call.contract),
          secretMessage: { nonce: EMPTY, clientPublicKey: EMPTY, msg: EMPTY },
          sentFunds: [],
          admin: call.sender,
          newAdmin: call.newAdmin,
        },
        this.keys.callbackSecret,
      );
      const noGas = { limit: 0n, remaining: 0n, exhausted: 0n, external: 0n, pseudoCharged: 0n, pseudoRefund: 0n };
      return {
        ok: true,
        apiVersion: "v1",
        data: null,
        attributes: [],
        events: [],
        messagesJson: "[]",
        reply: null,
        gas: { ...noGas, reported: 0n, sdkCharge: 0n },
        queryGas: 0n,
        callCounter: call.callCounter,
        adminProof: createAdminProof(this.keys, call.newAdmin, ogKey),
      };
    });
  }

  /**
   * A v1 `reply` (crypto.md §5.6, upstream `reply_message.rs`). An encrypted reply (a wasm sub-message)
   * must carry the callee's `internal_reply_enclave_sig` over the Reply with its events emptied; its id
   * is decrypted (the caller's code hash in it must be this code's, and the `REPLY01` blocks after it
   * are this call's own reply params), and so are its data or error. A plaintext reply (any other
   * sub-message) has the decimal id in clear, is not signed, and its outputs are encrypted only when
   * `was_orig_msg_encrypted`. The contract gets `{"id":<u64>,"result":{"ok":{"events","data"}}|{"error"}}`.
   */
  reply(call: ReplyCall, host: ContractHost): CallSuccess | CallFailure {
    const codeHash = this.#codeHashOf(call);
    const counter = this.#counter(call, codeHash);
    return this.#guard(counter.after, (queries) => {
      this.#validateContractKey(call.contractKey, codeHash, call.contract);
      const parsed = this.#parseReply(call, codeHash);
      return this.#run(
        call,
        "reply",
        codeHash,
        call.contractKey.ogContractKey,
        latestContractKey(call.contractKey),
        parsed.msg,
        parsed.input,
        parsed.replyParams,
        host,
        counter,
        queries,
        { sender: "", funds: [] },
      );
    });
  }

  /** A query: never writes, never advances the call counter. Errors come back encrypted as in a tx. */
  query(call: QueryCall, host: ContractHost): QuerySuccess | CallFailure {
    const queries: QueryGasMeter = { sdk: 0n };
    const result = this.#query(call, host, queries);
    return { ...result, queryGas: queries.sdk };
  }

  #query(call: QueryCall, host: ContractHost, queries: QueryGasMeter): QuerySuccess | CallFailure {
    const unchanged = { height: 0n, counter: 0n };
    try {
      const codeHash = this.#codeHashOf(call);
      this.#validateContractKey(call.contractKey, codeHash, call.contract);
      const input = decryptInputEnvelope(this.keys, call.msg, { allowPlaintextFallback: false });
      const { msg } = splitInput(input, codeHash);
      const storage = new EncryptedStorage(
        this.keys,
        call.contractKey.ogContractKey,
        call.contract,
        host,
        null,
        this.#stateKeysFor,
      );
      const env: CallEnv = {
        block: blockInfo(call.block),
        contractAddress: encodeAddress(call.contract),
        transaction: null,
      };
      const result = this.vm.call({
        code: call.code,
        codeHash,
        entry: "query",
        env,
        msg,
        gasLimitWasm: call.gasLimitWasm,
        storage,
        querier: this.#querier(input, host, call.block, call.queryDepth, queries),
        queryDepth: call.queryDepth,
      });
      if (!result.ok) return this.#vmFailure(result, input, [], unchanged);
      if (result.output.kind === "error")
        return this.#contractError(result.output.errorJson, input, [], "v1", result.gasReport, unchanged);
      if (result.output.kind !== "query") throw new VmError("VM_RESPONSE_TYPE");
      return {
        ok: true,
        answer: encryptQueryAnswer(input.txKey, result.output.answer),
        gas: result.gasReport,
        queryGas: 0n,
      };
    } catch (e) {
      return systemFailure(e, null, unchanged);
    }
  }

  // -------------------------------------------------------------------------------------------------

  /** §8.3: the counter this call derives its random with, and the counter after it. */
  #counter(
    call: CommonCall & { readonly blockRandom: Uint8Array | null; readonly callCounter: CallCounter },
    codeHash: Uint8Array,
  ): { before: CallCounter; randomCounter: bigint; after: CallCounter } {
    let randomApplies = false;
    if (call.blockRandom !== null) {
      try {
        const info = this.vm.inspect(call.code, codeHash);
        randomApplies = info.apiVersion === "v1" && info.randomEnabled;
      } catch {
        // The call fails in #run with the code's error; it derives no random.
      }
    }
    return { before: call.callCounter, ...advanceCounter(call.callCounter, call.block.height, randomApplies) };
  }

  /**
   * Checks and decrypts a reply's input (`parse_reply_message`). Returns the message for the contract,
   * the IO context its outputs are encrypted with (`wasEncrypted` = whether they are), and this call's
   * own reply params.
   */
  #parseReply(
    call: ReplyCall,
    codeHash: Uint8Array,
  ): { msg: Uint8Array; input: DecryptedInput; replyParams: readonly ReplyParam[] } {
    const headerLength = IO_NONCE_LENGTH + IO_PUBKEY_LENGTH;
    if (call.origin.length !== headerLength || headerLength + call.reply.length < MIN_ENVELOPE_LENGTH) {
      throw new EnclaveError("MALFORMED_ENVELOPE", { length: call.origin.length + call.reply.length });
    }
    const nonce = call.origin.slice(0, IO_NONCE_LENGTH);
    const clientPublicKey = call.origin.slice(IO_NONCE_LENGTH);
    const txKey = txEncryptionKey(this.keys.ioSecretKey, clientPublicKey, nonce);
    const reply = parseHostReply(call.reply);
    let id: bigint;
    let result: DecryptedReplyResult;
    let replyParams: readonly ReplyParam[] = [];
    let encryptOutput: boolean;
    if (reply.isEncrypted) {
      // The signature covers the Reply as the callee's enclave serialised it, events emptied (§5.6).
      const signed = replyJson({
        idB64: toBase64(reply.id),
        result:
          "error" in reply.result
            ? { error: reply.result.error }
            : { ok: { data: reply.result.ok.data === null ? null : toBase64(reply.result.ok.data) } },
        wasOrigMsgEncrypted: reply.wasOrigMsgEncrypted,
        isEncrypted: true,
      });
      verifyCallbackSignature(this.keys.callbackSecret, call.callbackSig, utf8Encode(signed), []);
      const decryptedId = decryptReplyId(txKey, reply.id);
      id = decryptedId.id;
      replyParams = validateReplyDataForValidation(decryptedId.dataForValidation, codeHash) ?? [];
      result =
        "error" in reply.result
          ? { error: decryptReplyError(txKey, reply.result.error) }
          : {
              ok: {
                events: reply.result.ok.events,
                data: reply.result.ok.data === null ? null : decryptReplyData(txKey, reply.result.ok.data),
              },
            };
      encryptOutput = true;
    } else {
      id = parseU64Decimal(reply.id);
      result = reply.result;
      encryptOutput = reply.wasOrigMsgEncrypted;
    }
    const msg = utf8Encode(decryptedReplyJson(id, result));
    return {
      msg,
      input: { nonce, clientPublicKey, txKey, plaintext: msg, wasEncrypted: encryptOutput },
      replyParams,
    };
  }

  /** Runs a call's body; any throw is a system failure. Stamps the SDK gas of the call's nested queries. */
  #guard<T extends CallSuccess | CallFailure>(
    after: CallCounter,
    body: (queries: QueryGasMeter) => T | CallFailure,
  ): T | CallFailure {
    const queries: QueryGasMeter = { sdk: 0n };
    let result: T | CallFailure;
    try {
      result = body(queries);
    } catch (e) {
      result = systemFailure(e, null, after);
    }
    return { ...result, queryGas: queries.sdk };
  }

  #verify(
    call: SignedCall,
    kind: CallKind,
    input: DecryptedInput,
    funds: readonly ProtoCoin[],
    admins: { admin?: Uint8Array },
  ): void {
    verifyCall(
      call.sigInfo,
      {
        kind,
        sender: call.sender,
        contractAddress: encodeAddress(call.contract),
        secretMessage: {
          nonce: input.nonce,
          clientPublicKey: input.clientPublicKey,
          msg: secretMsgBytes(call.msg, input),
        },
        sentFunds: funds,
        admin: admins.admin,
      },
      this.keys.callbackSecret,
    );
  }

  #run(
    call: CommonCall & {
      readonly transaction: { readonly index: number; readonly hash: string } | null;
      readonly blockRandom: Uint8Array | null;
    },
    entry: EntryPoint,
    codeHash: Uint8Array,
    ogKey: Uint8Array,
    randomKey: Uint8Array,
    msg: Uint8Array,
    input: DecryptedInput,
    replyParams: readonly ReplyParam[],
    host: ContractHost,
    counter: { before: CallCounter; randomCounter: bigint; after: CallCounter },
    queries: QueryGasMeter,
    context: { sender: string; funds: readonly ProtoCoin[] },
  ): CallSuccess | CallFailure {
    const info = this.vm.inspect(call.code, codeHash);
    const salt = stateSalt(call.block.timeNanos, counter.after.height, counter.after.counter);
    const storage = new EncryptedStorage(this.keys, ogKey, call.contract, host, salt, this.#stateKeysFor);
    const random =
      info.apiVersion === "v1" && info.randomEnabled && call.blockRandom !== null
        ? fromBase64(contractBlockRandom(call.blockRandom, call.block.height, randomKey, counter.randomCounter))
        : null;
    const env: CallEnv = {
      block: blockInfo(call.block),
      contractAddress: encodeAddress(call.contract),
      sender: context.sender,
      funds: context.funds.map((c) => ({ denom: c.denom, amount: BigInt(c.amount) })),
      random,
      transaction: call.transaction,
    };
    const result = this.vm.call({
      code: call.code,
      codeHash,
      entry,
      env,
      msg,
      gasLimitWasm: call.gasLimitWasm,
      storage,
      querier: this.#querier(input, host, call.block, 1, queries),
      queryDepth: 1,
    });
    if (!result.ok) return this.#vmFailure(result, input, replyParams, counter.after);
    const output = result.output;
    if (output.kind === "error") {
      return this.#contractError(
        output.errorJson,
        input,
        replyParams,
        result.apiVersion,
        result.gasReport,
        counter.after,
      );
    }
    if (output.kind !== "v010" && output.kind !== "v1") throw new VmError("VM_RESPONSE_TYPE");
    storage.flush(salt);
    return this.#success(output, result.rawOutput, codeHash, input, replyParams, result.gasReport, counter.after);
  }

  #success(
    output: Extract<ContractOutput, { kind: "v010" | "v1" }>,
    rawOutput: Uint8Array,
    codeHash: Uint8Array,
    input: DecryptedInput,
    replyParams: readonly ReplyParam[],
    gas: GasReport,
    callCounter: CallCounter,
  ): CallSuccess {
    const encrypt = input.wasEncrypted;
    const data =
      output.data === null ? null : encrypt ? encryptData(input.txKey, output.data, replyParams) : output.data;
    const attributes = encryptAttributes(input.txKey, output.kind === "v010" ? output.log : output.attributes, {
      allPlaintext: !encrypt,
    });
    const events =
      output.kind === "v1"
        ? output.events.map((e) => ({
            type: e.type,
            attributes: encryptAttributes(input.txKey, e.attributes, { allPlaintext: !encrypt }),
          }))
        : [];
    // No messages: the re-parse of the raw output below would only produce "[]".
    const messagesJson =
      output.messages.length === 0
        ? "[]"
        : this.#encryptMessages(rawOutput, output.kind, toHex(codeHash), input, replyParams);
    const reply =
      replyParams.length === 0
        ? null
        : replyInfoForOutput(input.txKey, this.keys.callbackSecret, replyParams, {
            kind: output.kind === "v010" ? "v010-ok" : "v1-ok",
            encryptedData: data,
          } satisfies ReplyOutput);
    return {
      ok: true,
      apiVersion: output.kind === "v010" ? "v0.10" : "v1",
      data,
      attributes,
      events,
      messagesJson,
      reply,
      gas,
      queryGas: 0n,
      callCounter,
    };
  }

  #contractError(
    errorJson: string,
    input: DecryptedInput,
    replyParams: readonly ReplyParam[],
    _apiVersion: string | undefined,
    gas: GasReport,
    callCounter: CallCounter,
  ): CallFailure {
    const encrypted = encryptError(input.txKey, parseSerdeJson(errorJson), replyParams);
    const reply =
      replyParams.length === 0
        ? null
        : replyInfoForOutput(input.txKey, this.keys.callbackSecret, replyParams, {
            kind: "error",
            errorB64: encrypted.b64,
          });
    return {
      ok: false,
      error: { kind: "contract", b64: encrypted.b64, json: encrypted.json },
      reply,
      gas,
      queryGas: 0n,
      callCounter,
    };
  }

  #vmFailure(
    result: Extract<CallResult, { ok: false }>,
    _input: DecryptedInput,
    _replyParams: readonly ReplyParam[],
    callCounter: CallCounter,
  ): CallFailure {
    return systemFailure(result.error, result.gasReport, callCounter);
  }

  /**
   * Re-encrypts the `msg` of every wasm message of the response with the original nonce and key, and
   * signs it with a callback signature (§5.4, §6.1). The rest of each message stays as the contract wrote it.
   */
  #encryptMessages(
    rawOutput: Uint8Array,
    kind: "v010" | "v1",
    ownCodeHash: string,
    ctx: IoContext,
    replyParams: readonly ReplyParam[],
  ): string {
    const root = asMap(parseSerdeJson(rawOutput));
    const ok = asMap(root?.get("Ok") ?? null);
    const messages = ok?.get("messages");
    if (!Array.isArray(messages)) return "[]";
    const out = messages.map((element: SerdeValue) => {
      if (kind === "v010") return this.#encryptV010Msg(element, ctx);
      const sub = asMap(element);
      if (sub === undefined) return element;
      const msg = sub.get("msg") ?? null;
      const wasm = asMap(asMap(msg)?.get("wasm") ?? null);
      if (wasm === undefined) return new Map([...sub, ["was_msg_encrypted", false]]);
      const [variant, body] = [...wasm][0] ?? [];
      const fields = asMap(body ?? null);
      if (variant === undefined || fields === undefined || !["execute", "instantiate", "migrate"].includes(variant)) {
        return new Map([...sub, ["was_msg_encrypted", true]]);
      }
      const plainMsg = decodeBinary(fields.get("msg"));
      const codeHash = stringField(fields.get("code_hash"));
      const id = u64Field(sub.get("id"));
      const replyOn = stringField(sub.get("reply_on")) as "always" | "error" | "success" | "never";
      const envelope = encryptV1WasmMsg(ctx, { codeHash, msg: plainMsg, replyOn, id }, ownCodeHash, replyParams);
      const funds = variant === "migrate" ? [] : coinsField(fields.get("funds") ?? fields.get("send"));
      const sig = callbackSignature(this.keys.callbackSecret, envelope.subarray(64), funds);
      const newFields = new Map([...fields, ["msg", toBase64(envelope)], ["callback_sig", toBase64(sig)]]);
      const newMsg = new Map([["wasm", new Map([[variant, newFields]])]]);
      return new Map([...sub, ["id", 0n], ["msg", newMsg], ["was_msg_encrypted", true]]);
    });
    return serdeJsonStringify(out);
  }

  #encryptV010Msg(element: SerdeValue, ctx: IoContext): SerdeValue {
    const wasm = asMap(asMap(element)?.get("wasm") ?? null);
    if (wasm === undefined) return element;
    const [variant, body] = [...wasm][0] ?? [];
    const fields = asMap(body ?? null);
    if (variant === undefined || fields === undefined || !["execute", "instantiate", "migrate"].includes(variant))
      return element;
    const envelope = encryptV010WasmMsg(
      ctx,
      stringField(fields.get("callback_code_hash")),
      decodeBinary(fields.get("msg")),
    );
    const funds = variant === "migrate" ? [] : coinsField(fields.get("send"));
    const sig = callbackSignature(this.keys.callbackSecret, envelope.subarray(64), funds);
    const newFields = new Map([...fields, ["msg", toBase64(envelope)], ["callback_sig", toBase64(sig)]]);
    return new Map([["wasm", new Map([[variant, newFields]])]]);
  }

  /**
   * The contract's chain querier. Wasm smart queries run here, inside the enclave, on the callee's
   * code and state fetched through the host: the request is encrypted under the caller's IO context
   * as upstream does, so the callee decrypts and checks it exactly as for a user's query.
   */
  #querier(
    ctx: IoContext,
    host: ContractHost,
    block: BlockContext,
    depth: number,
    queries: QueryGasMeter,
  ): ContractQuerier {
    return {
      queryChain: (request, calleeDepth, gasLimitWasm) => {
        const parsed = asMap(parseSerdeJson(request));
        const smart = asMap(asMap(asMap(parsed?.get("wasm") ?? null)?.get("smart") ?? null) ?? null);
        if (smart === undefined) {
          const answer = host.chainQuery(request, gasLimitWasm);
          return { response: answer.response, externalGas: answer.gas };
        }
        if (depth >= MAX_QUERY_DEPTH)
          return { response: utf8Encode('{"Err":{"exceeded_recursion_limit":{}}}'), externalGas: 0n };
        const addressText = stringField(smart.get("contract_addr"));
        const target = decodeAddressOrUndefined(addressText);
        const contract = target === undefined ? undefined : host.contract(target);
        if (target === undefined || contract === undefined) {
          return { response: errJson("no_such_contract", { addr: addressText }), externalGas: 0n };
        }
        const envelope = encryptEnvelopeInContext(
          ctx,
          new Uint8Array([
            ...utf8Encode(stringField(smart.get("callback_code_hash"))),
            ...decodeBinary(smart.get("msg")),
          ]),
        );
        // Upstream runs the callee on the caller's SDK meter: 20,000, its store gas, its wasm gas / 1000
        // + 1, and its own nested queries. The host charged the store gas when it answered the reads;
        // the rest is reported in `queryGas`. The whole is the caller's `external` (§5.5).
        let storeGas = 0n;
        const counting: ContractHost = {
          ...host,
          stateRead: (c, key, fallbackKey) => {
            const read = host.stateRead(c, key, fallbackKey);
            storeGas += read.gas + (read.value === undefined ? (read.fallback?.gas ?? 0n) : 0n);
            return read;
          },
          stateRemove: (c, key, fallbackKey) => {
            const removed = host.stateRemove(c, key, fallbackKey);
            storeGas += removed.gas + (removed.fallbackGas ?? 0n);
            return removed;
          },
        };
        const nested = this.query(
          {
            code: contract.code,
            ...(contract.codeHash === undefined ? {} : { codeHash: contract.codeHash }),
            block,
            contract: target,
            gasLimitWasm,
            msg: envelope,
            contractKey: contract.contractKey,
            queryDepth: calleeDepth,
          },
          counting,
        );
        const sdkGas = QUERY_INSTANCE_COST + (nested.gas === null ? 0n : nested.gas.sdkCharge) + nested.queryGas;
        queries.sdk += sdkGas;
        const externalGas = sdkGas + storeGas;
        if (nested.ok) {
          // The callee's answer bytes, base64 in the envelope (contract-abi.md §9).
          const answer = toBase64(decryptQueryAnswer(ctx.txKey, nested.answer));
          return { response: utf8Encode(`{"Ok":{"Ok":${serdeJsonString(answer)}}}`), externalGas };
        }
        if (nested.error.kind === "contract") {
          // Decrypted and read as a v0.10 StdError (§5.5); a v1 callee's error string is not one.
          const plaintext = decryptQueryError(ctx.txKey, fromBase64(nested.error.b64));
          return { response: utf8Encode(nestedQueryErrorJson(plaintext)), externalGas };
        }
        const text = `{"generic_err":{"msg":${serdeJsonString(nested.error.message)}}}`;
        return { response: utf8Encode(`{"Ok":{"Err":${text}}}`), externalGas };
      },
    };
  }
}

// ---------------------------------------------------------------------------------------------------
// Helpers

/** §8.3: the counter state after this call, and the counter the block random of this call uses. */
function advanceCounter(
  before: CallCounter,
  height: bigint,
  randomApplies: boolean,
): { randomCounter: bigint; after: CallCounter } {
  // Step 1 (only when a random is derived): a new height resets the counter before it is used.
  const start = randomApplies && before.height !== height ? { height, counter: 0n } : before;
  // Step 2: a new height resets it, otherwise it advances.
  const after = start.height === height ? { height, counter: start.counter + 1n } : { height, counter: 0n };
  return { randomCounter: start.height === height ? start.counter : 0n, after };
}

function splitInput(input: DecryptedInput, codeHash: Uint8Array): { msg: Uint8Array; replyParams: ReplyParam[] } {
  const rest = splitCodeHash(input.plaintext, codeHash);
  const { replyParams, msg } = parseReplyHeaders(rest);
  return { msg, replyParams };
}

function latestContractKey(key: EnvContractKey): Uint8Array {
  return key.currentContractKey !== undefined && key.currentContractKey.length > 0
    ? key.currentContractKey
    : key.ogContractKey;
}

interface ReplyEvent {
  readonly type: string;
  readonly attributes: readonly { readonly key: string; readonly value: string }[];
}

type DecryptedReplyResult =
  | { readonly ok: { readonly events: readonly ReplyEvent[]; readonly data: Uint8Array | null } }
  | { readonly error: string };

interface HostReply {
  /** The id bytes (base64-decoded). */
  readonly id: Uint8Array;
  /** `data` base64-decoded; `error` as given. */
  readonly result: DecryptedReplyResult;
  readonly wasOrigMsgEncrypted: boolean;
  readonly isEncrypted: boolean;
}

const replyDeserializeError = (reason: string): EnclaveError => new EnclaveError("FAILED_TO_DESERIALIZE", { reason });

/**
 * The host's `Reply` JSON as upstream's serde types read it: unknown fields ignored, `result` an
 * externally tagged `ok`/`error`, `Binary` fields base64 (the base64 crate's rules), `data` optional.
 */
function parseHostReply(bytes: Uint8Array): HostReply {
  const root = asMap(parseSerdeJson(bytes));
  if (root === undefined) throw replyDeserializeError("reply is not an object");
  const id = binaryField(root.get("id"), "id");
  if (id === null) throw replyDeserializeError("reply id missing");
  const resultMap = asMap(root.get("result") ?? null);
  if (resultMap === undefined || resultMap.size !== 1) throw replyDeserializeError("reply result");
  const [[variant, body]] = [...resultMap] as [[string, SerdeValue]];
  let result: DecryptedReplyResult;
  if (variant === "ok") {
    const ok = asMap(body);
    const events = ok?.get("events");
    if (ok === undefined || !Array.isArray(events)) throw replyDeserializeError("reply ok");
    result = { ok: { events: events.map(replyEvent), data: binaryField(ok.get("data"), "data") } };
  } else if (variant === "error") {
    if (typeof body !== "string") throw replyDeserializeError("reply error");
    result = { error: body };
  } else {
    throw replyDeserializeError("reply result variant");
  }
  return {
    id,
    result,
    wasOrigMsgEncrypted: boolField(root.get("was_orig_msg_encrypted")),
    isEncrypted: boolField(root.get("is_encrypted")),
  };
}

function replyEvent(v: SerdeValue): ReplyEvent {
  const m = asMap(v);
  const attributes = m?.get("attributes");
  if (m === undefined || !Array.isArray(attributes)) throw replyDeserializeError("reply event");
  return {
    type: stringField(m.get("type")),
    attributes: attributes.map((a: SerdeValue) => {
      const attr = asMap(a);
      return { key: stringField(attr?.get("key")), value: stringField(attr?.get("value")) };
    }),
  };
}

function binaryField(v: SerdeValue | undefined, name: string): Uint8Array | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== "string") throw replyDeserializeError(`${name} is not a string`);
  const bytes = decodeBase64Rust(v);
  if (bytes === undefined) throw replyDeserializeError(`${name} is not base64`);
  return bytes;
}

function boolField(v: SerdeValue | undefined): boolean {
  if (typeof v !== "boolean") throw replyDeserializeError("bool field expected");
  return v;
}

/** What the contract's `reply` gets (upstream `DecryptedReply`): `{"id":<u64>,"result":…}`, compact. */
function decryptedReplyJson(id: bigint, result: DecryptedReplyResult): string {
  if ("error" in result) return `{"id":${id.toString()},"result":{"error":${serdeJsonString(result.error)}}}`;
  const events = result.ok.events
    .map(
      (e) =>
        `{"type":${serdeJsonString(e.type)},"attributes":[${e.attributes
          .map((a) => `{"key":${serdeJsonString(a.key)},"value":${serdeJsonString(a.value)}}`)
          .join(",")}]}`,
    )
    .join(",");
  const data = result.ok.data === null ? "null" : serdeJsonString(toBase64(result.ok.data));
  return `{"id":${id.toString()},"result":{"ok":{"events":[${events}],"data":${data}}}}`;
}

function blockInfo(block: BlockContext): CallEnv["block"] {
  return { height: block.height, timeNanos: block.timeNanos, chainId: block.chainId };
}

function systemFailure(e: unknown, gas: GasReport | null, callCounter: CallCounter): CallFailure {
  if (isEnclaveError(e) || e instanceof VmError) {
    return {
      ok: false,
      error: { kind: "enclave", code: e.code, message: e.message },
      reply: null,
      gas,
      queryGas: 0n,
      callCounter,
    };
  }
  const code = e instanceof Error ? (e as unknown as { code?: unknown }).code : undefined;
  if (e instanceof Error && typeof code === "string") {
    return {
      ok: false,
      error: { kind: "enclave", code, message: e.message },
      reply: null,
      gas,
      queryGas: 0n,
      callCounter,
    };
  }
  // Anything else is a bug in the enclave: report it without its (possibly sensitive) message.
  return {
    ok: false,
    error: { kind: "enclave", code: "ENCLAVE_INTERNAL", message: "internal error during execution" },
    reply: null,
    gas,
    queryGas: 0n,
    callCounter,
  };
}

function asMap(v: SerdeValue | undefined): ReadonlyMap<string, SerdeValue> | undefined {
  return v instanceof Map ? (v as ReadonlyMap<string, SerdeValue>) : undefined;
}

function stringField(v: SerdeValue | undefined): string {
  if (typeof v !== "string") throw new EnclaveError("FAILED_TO_DESERIALIZE", { reason: "string field expected" });
  return v;
}

/** A u64 as serde_json read it (the VM has already checked the response's shape). */
function u64Field(v: SerdeValue | undefined): bigint {
  if (v instanceof SerdeNumber && v.kind === "u64") return v.value as bigint;
  throw new EnclaveError("FAILED_TO_DESERIALIZE", { reason: "u64 field expected" });
}

function decodeBinary(v: SerdeValue | undefined): Uint8Array {
  const bytes = decodeBase64Rust(stringField(v));
  if (bytes === undefined) throw new EnclaveError("FAILED_TO_DESERIALIZE", { reason: "invalid base64" });
  return bytes;
}

function coinsField(v: SerdeValue | undefined): { denom: string; amount: string }[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new EnclaveError("FAILED_TO_DESERIALIZE", { reason: "coin list expected" });
  return v.map((c: SerdeValue) => {
    const m = asMap(c);
    return { denom: stringField(m?.get("denom")), amount: stringField(m?.get("amount")) };
  });
}

function decodeAddressOrUndefined(address: string): Uint8Array | undefined {
  try {
    return decodeAddress(address);
  } catch {
    return undefined;
  }
}

/** The v0.10 `StdError` variants and their fields in declaration order (contract-abi.md §7.2). */
const STD_ERROR_V010: ReadonlyMap<string, readonly string[]> = new Map([
  ["generic_err", ["msg"]],
  ["invalid_base64", ["msg"]],
  ["invalid_utf8", ["msg"]],
  ["not_found", ["kind"]],
  ["null_pointer", []],
  ["parse_err", ["target", "msg"]],
  ["serialize_err", ["source", "msg"]],
  ["unauthorized", []],
  ["underflow", ["minuend", "subtrahend"]],
]);

/**
 * The `query_chain` envelope for a nested query's contract error (contract-abi.md §9): the decrypted
 * error parsed as a v0.10 StdError → `{"Ok":{"Err":<StdError>}}`, otherwise
 * `{"Err":{"invalid_response":{"error":"<parser message>","response":"<b64 plaintext>"}}}`. JSON syntax
 * errors carry serde_json's exact message; for well-formed JSON of another shape the message is
 * serde's unknown-variant / invalid-type text without a position (an approximation).
 */
function nestedQueryErrorJson(plaintext: Uint8Array): string {
  const invalid = (message: string) =>
    `{"Err":{"invalid_response":{"error":${serdeJsonString(message)},"response":${serdeJsonString(toBase64(plaintext))}}}}`;
  let content: Content;
  try {
    content = parseContent(plaintext);
  } catch (e) {
    if (e instanceof SerdeJsonError) return invalid(e.message);
    throw e;
  }
  const entry = content.t === "map" && content.v.length === 1 ? content.v[0]! : undefined;
  const fields = entry === undefined ? undefined : STD_ERROR_V010.get(entry[0]);
  if (entry === undefined) return invalid("invalid type: expected enum StdError");
  if (fields === undefined) {
    return invalid(
      `unknown variant \`${entry[0]}\`, expected one of ${[...STD_ERROR_V010.keys()].map((k) => `\`${k}\``).join(", ")}`,
    );
  }
  const body = entry[1];
  if (body.t !== "map") return invalid(`invalid type: expected struct variant StdError::${entry[0]}`);
  const values: string[] = [];
  for (const field of fields) {
    const value = body.v.find(([k]) => k === field)?.[1];
    if (value === undefined) return invalid(`missing field \`${field}\``);
    if (value.t !== "str") return invalid(`invalid type: expected a string for \`${field}\``);
    values.push(`${serdeJsonString(field)}:${serdeJsonString(value.v)}`);
  }
  return `{"Ok":{"Err":{${serdeJsonString(entry[0])}:{${values.join(",")}}}}}`;
}

function errJson(kind: string, fields: Record<string, string>): Uint8Array {
  return utf8Encode(JSON.stringify({ Err: { [kind]: fields } }));
}
