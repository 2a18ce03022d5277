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
import { sha256 } from "../crypto/index.ts";
import type { ProtoCoin } from "../codec/tx.ts";
import { fromBase64, toBase64 } from "../primitives/base64.ts";
import { decodeAddress, encodeAddress } from "../primitives/bech32.ts";
import { utf8Decode, utf8Encode } from "../primitives/bytes.ts";
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
  secretMsgBytes,
  splitCodeHash,
} from "./io.ts";
import type { KeyChain } from "./keys.ts";
import {
  type ReplyOutput,
  type SerdeValue,
  callbackSignature,
  decryptQueryAnswer,
  encryptAttributes,
  encryptData,
  encryptError,
  encryptQueryAnswer,
  encryptV010WasmMsg,
  encryptV1WasmMsg,
  parseSerdeJson,
  replyInfoForOutput,
  serdeJsonStringify,
} from "./outputs.ts";
import { contractBlockRandom } from "./random.ts";
import {
  type StateWriteOp,
  StateCallCache,
  decryptLegacyValue,
  decryptStateValue,
  encryptStateEntry,
  encryptStateKeyBytes,
  legacyStoreKey,
  stateSalt,
  storedKeyFromEk,
} from "./state.ts";
import { type CallKind, type SigInfo, verifyCall } from "./txVerify.ts";

// ---------------------------------------------------------------------------------------------------
// What the host provides and passes

/** Ocalls the engine makes during a call. Keys are the enclave's stored-key bytes within the contract's state. */
export interface ContractHost {
  /** Reads a stored key of `contract`'s state; `gas` is the store (SDK) gas the host charged. */
  stateRead(
    contract: Uint8Array,
    storedKey: Uint8Array,
  ): { readonly value: Uint8Array | undefined; readonly gas: bigint };
  /** Deletes a stored key of `contract`'s state at once. */
  stateRemove(contract: Uint8Array, storedKey: Uint8Array): { readonly gas: bigint };
  /** Applies a flush in order: for each op, delete `legacyKey`, then set `storedKey` to `storedValue`. */
  stateWrite(contract: Uint8Array, ops: readonly StateWriteOp[]): void;
  /** The stored code and contract key of a contract, for a contract-to-contract query; undefined if none. */
  contract(address: Uint8Array): { readonly code: Uint8Array; readonly contractKey: EnvContractKey } | undefined;
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
  readonly callCounter: CallCounter;
}

export interface InstantiateSuccess extends CallSuccess {
  readonly contractKey: Uint8Array;
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
  readonly callCounter: CallCounter;
};

export interface QuerySuccess {
  readonly ok: true;
  /** The encrypted answer (`QuerySecretContractResponse.data`). */
  readonly answer: Uint8Array;
  readonly gas: GasReport;
}

// ---------------------------------------------------------------------------------------------------
// Storage on encrypted state

/** The contract's plaintext storage, encrypted on its way to the host (crypto.md §8). */
class EncryptedStorage implements ContractStorage {
  readonly cache = new StateCallCache();
  #gas = 0n;

  constructor(
    private readonly keys: KeyChain,
    private readonly ogKey: Uint8Array,
    private readonly contract: Uint8Array,
    private readonly host: ContractHost,
    /** Salt for a legacy value re-written during the call; null in queries, which never write. */
    private readonly salt: Uint8Array | null,
  ) {}

  read(key: Uint8Array): Uint8Array | undefined {
    const cached = this.cache.read(key);
    if (cached !== undefined) return cached;
    const ek = encryptStateKeyBytes(this.keys, this.ogKey, key);
    const current = this.host.stateRead(this.contract, storedKeyFromEk(ek));
    this.#gas += current.gas;
    if (current.value !== undefined) return decryptStateValue(this.keys, this.ogKey, ek, current.value);
    const legacyKey = legacyStoreKey(this.ogKey, key);
    const legacy = this.host.stateRead(this.contract, legacyKey);
    this.#gas += legacy.gas;
    if (legacy.value === undefined) return undefined;
    const value = decryptLegacyValue(this.keys, this.ogKey, legacyKey, legacy.value);
    this.cache.storeReadOnly(key, value);
    if (this.salt !== null) {
      // Outside queries a legacy value moves to the current format at once (§8.2).
      this.host.stateWrite(this.contract, [encryptStateEntry(this.keys, this.ogKey, key, value, this.salt)]);
    }
    return value;
  }

  write(key: Uint8Array, value: Uint8Array): void {
    this.cache.write(key, value);
  }

  remove(key: Uint8Array): void {
    const current = this.host.stateRemove(
      this.contract,
      storedKeyFromEk(encryptStateKeyBytes(this.keys, this.ogKey, key)),
    );
    const legacy = this.host.stateRemove(this.contract, legacyStoreKey(this.ogKey, key));
    this.#gas += current.gas + legacy.gas;
    this.cache.remove(key);
  }

  takeStoreGas(): bigint {
    const gas = this.#gas;
    this.#gas = 0n;
    return gas;
  }

  flush(salt: Uint8Array): void {
    const ops = this.cache.flush(this.keys, this.ogKey, salt);
    if (ops.length > 0) this.host.stateWrite(this.contract, ops);
  }
}

// ---------------------------------------------------------------------------------------------------
// The engine

const MAX_QUERY_DEPTH = 10;

export class ContractEngine {
  constructor(
    private readonly keys: KeyChain,
    private readonly vm: Vm,
  ) {}

  instantiate(call: InstantiateCall, host: ContractHost): InstantiateSuccess | CallFailure {
    const codeHash = sha256(call.code);
    const counter = { before: call.callCounter, ...advanceCounter(call.callCounter, call.block.height) };
    return this.#guard(counter.after, () => {
      const input = decryptInputEnvelope(this.keys, call.msg, { allowPlaintextFallback: true });
      const { msg, replyParams } = splitInput(input, codeHash);
      this.#verify(call, "instantiate", input, call.funds, { admin: call.admin });
      const ogKey = createContractKey(this.keys, call.sender, call.block.height, codeHash, call.contract);
      const result = this.#run(call, "instantiate", codeHash, ogKey, ogKey, msg, input, replyParams, host, counter, {
        sender: call.sender,
        funds: call.funds,
        transaction: call.transaction,
        blockRandom: call.blockRandom,
      });
      if (!result.ok) return result;
      return { ...result, contractKey: ogKey, adminProof: createAdminProof(this.keys, call.admin, ogKey) };
    });
  }

  execute(call: ExecuteCall, host: ContractHost): CallSuccess | CallFailure {
    const codeHash = sha256(call.code);
    const counter = { before: call.callCounter, ...advanceCounter(call.callCounter, call.block.height) };
    return this.#guard(counter.after, () => {
      validateEnvContractKey(this.keys, call.contractKey, codeHash, call.contract);
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
        {
          sender: call.sender,
          funds: call.funds,
          transaction: call.transaction,
          blockRandom: call.blockRandom,
        },
      );
    });
  }

  migrate(call: MigrateCall, host: ContractHost): MigrateSuccess | CallFailure {
    const codeHash = sha256(call.code);
    const counter = { before: call.callCounter, ...advanceCounter(call.callCounter, call.block.height) };
    return this.#guard(counter.after, () => {
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
        {
          sender: call.sender,
          funds: [],
          transaction: call.transaction,
          blockRandom: call.blockRandom,
        },
      );
      if (!result.ok) return result;
      return { ...result, newContractKey: migrated.newContractKey, newContractKeyProof: migrated.proof };
    });
  }

  /** A query: never writes, never advances the call counter. Errors come back encrypted as in a tx. */
  query(call: QueryCall, host: ContractHost): QuerySuccess | CallFailure {
    const unchanged = { height: 0n, counter: 0n };
    try {
      const codeHash = sha256(call.code);
      validateEnvContractKey(this.keys, call.contractKey, codeHash, call.contract);
      const input = decryptInputEnvelope(this.keys, call.msg, { allowPlaintextFallback: false });
      const { msg } = splitInput(input, codeHash);
      const storage = new EncryptedStorage(this.keys, call.contractKey.ogContractKey, call.contract, host, null);
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
        querier: this.#querier(input, host, call.block, call.queryDepth),
        queryDepth: call.queryDepth,
      });
      if (!result.ok) return this.#vmFailure(result, input, [], unchanged);
      if (result.output.kind === "error")
        return this.#contractError(result.output.errorJson, input, [], "v1", result.gasReport, unchanged);
      if (result.output.kind !== "query") throw new VmError("VM_RESPONSE_TYPE");
      return { ok: true, answer: encryptQueryAnswer(input.txKey, result.output.answer), gas: result.gasReport };
    } catch (e) {
      return systemFailure(e, null, unchanged);
    }
  }

  // -------------------------------------------------------------------------------------------------

  #guard<T extends CallSuccess | CallFailure>(after: CallCounter, body: () => T | CallFailure): T | CallFailure {
    try {
      return body();
    } catch (e) {
      return systemFailure(e, null, after);
    }
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
    call: SignedCall,
    entry: EntryPoint,
    codeHash: Uint8Array,
    ogKey: Uint8Array,
    randomKey: Uint8Array,
    msg: Uint8Array,
    input: DecryptedInput,
    replyParams: readonly ReplyParam[],
    host: ContractHost,
    counter: { before: CallCounter; randomCounter: bigint; after: CallCounter },
    context: {
      sender: Uint8Array;
      funds: readonly ProtoCoin[];
      transaction: { index: number; hash: string } | null;
      blockRandom: Uint8Array | null;
    },
  ): CallSuccess | CallFailure {
    const info = this.vm.inspect(call.code, codeHash);
    const salt = stateSalt(call.block.timeNanos, counter.after.height, counter.after.counter);
    const storage = new EncryptedStorage(this.keys, ogKey, call.contract, host, salt);
    const random =
      info.randomEnabled && context.blockRandom !== null
        ? fromBase64(contractBlockRandom(context.blockRandom, call.block.height, randomKey, counter.randomCounter))
        : null;
    const env: CallEnv = {
      block: blockInfo(call.block),
      contractAddress: encodeAddress(call.contract),
      sender: encodeAddress(context.sender),
      funds: context.funds.map((c) => ({ denom: c.denom, amount: BigInt(c.amount) })),
      random,
      transaction: context.transaction,
    };
    const result = this.vm.call({
      code: call.code,
      codeHash,
      entry,
      env,
      msg,
      gasLimitWasm: call.gasLimitWasm,
      storage,
      querier: this.#querier(input, host, call.block, 1),
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
    const messagesJson = this.#encryptMessages(rawOutput, output.kind, toHex(codeHash), input, replyParams);
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
      const id = BigInt(String(sub.get("id") ?? 0));
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
  #querier(ctx: IoContext, host: ContractHost, block: BlockContext, depth: number): ContractQuerier {
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
        const nested = this.query(
          {
            code: contract.code,
            block,
            contract: target,
            gasLimitWasm,
            msg: envelope,
            contractKey: contract.contractKey,
            queryDepth: calleeDepth,
          },
          host,
        );
        const externalGas = nested.gas === null ? 0n : nested.gas.sdkCharge;
        if (nested.ok) {
          const answer = utf8Decode(decryptQueryAnswer(ctx.txKey, nested.answer));
          return { response: utf8Encode(`{"Ok":{"Ok":${JSON.stringify(answer)}}}`), externalGas };
        }
        const text =
          nested.error.kind === "contract"
            ? nested.error.json
            : JSON.stringify({ generic_err: { msg: nested.error.message } });
        return { response: utf8Encode(`{"Ok":{"Err":${text}}}`), externalGas };
      },
    };
  }
}

// ---------------------------------------------------------------------------------------------------
// Helpers

/** §8.3: the counter state after this call, and the counter the block random of this call uses. */
function advanceCounter(before: CallCounter, height: bigint): { randomCounter: bigint; after: CallCounter } {
  const sameHeight = before.height === height;
  return {
    randomCounter: sameHeight ? before.counter : 0n,
    after: { height, counter: sameHeight ? before.counter + 1n : 0n },
  };
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

function blockInfo(block: BlockContext): CallEnv["block"] {
  return { height: block.height, timeNanos: block.timeNanos, chainId: block.chainId };
}

function systemFailure(e: unknown, gas: GasReport | null, callCounter: CallCounter): CallFailure {
  if (isEnclaveError(e) || e instanceof VmError) {
    return { ok: false, error: { kind: "enclave", code: e.code, message: e.message }, reply: null, gas, callCounter };
  }
  const code = e instanceof Error ? (e as unknown as { code?: unknown }).code : undefined;
  if (e instanceof Error && typeof code === "string") {
    return { ok: false, error: { kind: "enclave", code, message: e.message }, reply: null, gas, callCounter };
  }
  // Anything else is a bug in the enclave: report it without its (possibly sensitive) message.
  return {
    ok: false,
    error: { kind: "enclave", code: "ENCLAVE_INTERNAL", message: "internal error during execution" },
    reply: null,
    gas,
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

function errJson(kind: string, fields: Record<string, string>): Uint8Array {
  return utf8Encode(JSON.stringify({ Err: { [kind]: fields } }));
}
