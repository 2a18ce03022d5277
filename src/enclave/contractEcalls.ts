/**
 * The contract ecalls: wire requests in, the contract engine run with an ocall-backed host, wire
 * outcomes out. Nothing here sees more than the engine returns (ciphertext and public metadata).
 */
import type { EcallContext } from "../enclave-api/server.ts";
import type { EcallRequest, EcallResponse } from "../enclave-api/protocol.ts";
import { createVm } from "../vm/index.ts";
import {
  type CallFailure,
  type CallSuccess,
  type ContractHost,
  ContractEngine,
  type QuerySuccess,
} from "./contracts.ts";
import { CodeCache, type CodeSource } from "./codeCache.ts";
import type { KeyChain } from "./keys.ts";
import { verifyBlockRandom } from "./random.ts";
import { bytesEqual } from "../primitives/bytes.ts";
import { type SignatureHint, preverifySignature } from "./txVerify.ts";

type Outcome = EcallResponse<"contractExecute">;

/** The host's stored codes, asked for only when the enclave's cache misses. */
const codeSource =
  (ctx: EcallContext): CodeSource =>
  (codeHash) =>
    ctx.ocall("codeLookup", { codeHash }).code;

/** A ContractHost whose every method is an ocall (codes of nested queries come from `codes`). */
function ocallHost(ctx: EcallContext, codes: CodeCache): ContractHost {
  return {
    stateRead: (contract, key, fallbackKey) => {
      const { value, gas, fallback } = ctx.ocall("contractStateRead", { contract, key, fallbackKey });
      return {
        value,
        gas,
        fallback: fallback === undefined ? undefined : { value: fallback.value, gas: fallback.gas },
      };
    },
    stateRemove: (contract, key, fallbackKey) => ctx.ocall("contractStateRemove", { contract, key, fallbackKey }),
    stateWrite: (contract, ops) => {
      ctx.ocall("contractStateWrite", { contract, ops: [...ops] });
    },
    contract: (address) => {
      const found = ctx.ocall("contractLookup", { address }).found;
      if (found === undefined) return undefined;
      // The cache hands out only bytes that hash to `found.codeHash` (checked when fetched).
      const code = codes.get(found.codeHash, codeSource(ctx));
      return { code, codeHash: found.codeHash, contractKey: found.contractKey };
    },
    chainQuery: (request, gasLimitWasm) => ctx.ocall("chainQuery", { request, gasLimitWasm }),
  };
}

const EMPTY_OUTCOME = {
  ok: false,
  apiVersion: "",
  data: undefined,
  attributes: [],
  events: [],
  messagesJson: "[]",
  reply: undefined,
  errorKind: "",
  errorCode: "",
  errorMessage: "",
  errorJson: "",
  gas: undefined,
  queryGas: 0n,
  callCounter: { height: 0n, counter: 0n },
  contractKey: undefined,
  adminProof: undefined,
  newContractKeyProof: undefined,
  answer: undefined,
} satisfies Outcome;

function toOutcome(
  result: CallSuccess | CallFailure | QuerySuccess,
  extra: Partial<Pick<Outcome, "contractKey" | "adminProof" | "newContractKeyProof">> = {},
): Outcome {
  if (!result.ok) {
    const error = result.error;
    return {
      ...EMPTY_OUTCOME,
      errorKind: error.kind,
      errorCode: error.kind === "enclave" ? error.code : "",
      errorMessage: error.kind === "enclave" ? error.message : "",
      errorJson: error.kind === "contract" ? error.json : "",
      reply: result.reply ?? undefined,
      gas: result.gas ?? undefined,
      queryGas: result.queryGas,
      callCounter: result.callCounter,
    };
  }
  if ("answer" in result) {
    return { ...EMPTY_OUTCOME, ok: true, answer: result.answer, gas: result.gas, queryGas: result.queryGas };
  }
  return {
    ...EMPTY_OUTCOME,
    ok: true,
    apiVersion: result.apiVersion,
    data: result.data ?? undefined,
    attributes: [...result.attributes],
    events: result.events.map((e) => ({ type: e.type, attributes: [...e.attributes] })),
    messagesJson: result.messagesJson,
    reply: result.reply ?? undefined,
    gas: result.gas,
    queryGas: result.queryGas,
    callCounter: result.callCounter,
    ...extra,
  };
}

/**
 * A call refused before it runs: its code could not be had (the host has none for the hash, or sent
 * other bytes, or its `codeLookup` handler failed), or its block random does not verify
 * (RANDOM_PROOF_INVALID, DECRYPTION_ERROR): an enclave error in the outcome, as the engine reports its own.
 */
function codeFailure(e: unknown, callCounter: Outcome["callCounter"]): Outcome {
  const code = e instanceof Error ? (e as { code?: unknown }).code : undefined;
  const coded = e instanceof Error && typeof code === "string";
  return {
    ...EMPTY_OUTCOME,
    errorKind: "enclave",
    errorCode: coded ? code : "ENCLAVE_INTERNAL",
    errorMessage: coded ? e.message : "internal error during execution",
    callCounter,
  };
}

/** A call's block random as the host passes it: the header's encrypted random, proof and hashes. */
type EncryptedBlockRandom = NonNullable<EcallRequest<"contractExecute">["blockRandom"]>;

/** The engine is created on first use, once the keychain is loaded; the code cache lives as long as the thread. */
export function createContractEcalls(keychain: () => KeyChain, codes: CodeCache = new CodeCache()) {
  let engine: ContractEngine | undefined;
  let engineKeys: KeyChain | undefined;
  // The last block random opened (every call of a block carries the same one): checked and decrypted
  // once per block, kept only in here.
  let opened: { keys: KeyChain; height: bigint; proof: Uint8Array; random: Uint8Array; r: Uint8Array } | undefined;
  /** `r` of the call's block random (crypto.md §9 step 3), or null when the block has none. */
  const blockRandom = (height: bigint, given: EncryptedBlockRandom | undefined): Uint8Array | null => {
    if (given === undefined) return null;
    const keys = keychain();
    const o = opened;
    if (
      o !== undefined &&
      o.keys === keys &&
      o.height === height &&
      bytesEqual(o.proof, given.proof) &&
      bytesEqual(o.random, given.random)
    )
      return o.r;
    const r = verifyBlockRandom(keys, given.random, given.proof, given.validatorsHash, height, given.appHash).random;
    opened = { keys, height, proof: given.proof.slice(), random: given.random.slice(), r };
    return r;
  };
  const current = (): ContractEngine => {
    const keys = keychain();
    if (engine === undefined || engineKeys !== keys) {
      engine = new ContractEngine(keys, createVm());
      engineKeys = keys;
    }
    return engine;
  };
  const signed = (
    req:
      | EcallRequest<"contractExecute">
      | EcallRequest<"contractInstantiate">
      | EcallRequest<"contractMigrate">
      | EcallRequest<"contractUpdateAdmin">,
    code: Uint8Array,
  ) => ({
    code,
    codeHash: req.codeHash,
    block: req.block,
    contract: req.contract,
    gasLimitWasm: req.gasLimitWasm,
    sender: req.sender,
    msg: req.msg,
    sigInfo: req.sigInfo,
    transaction: req.transaction ?? null,
    blockRandom: blockRandom(req.block.height, req.blockRandom),
    callCounter: req.callCounter,
  });
  // Hinted signatures of the next calls, verified after the answer (see `idle`), newest last.
  let hints: SignatureHint[] = [];
  const noCounter = { height: 0n, counter: 0n };
  /** Runs `body` with the request's code (cached, or fetched and checked); a code failure is an outcome. */
  const withCode = (
    req: {
      readonly codeHash: Uint8Array;
      readonly callCounter?: Outcome["callCounter"];
      readonly block?: { readonly height: bigint };
      readonly blockRandom?: EncryptedBlockRandom | undefined;
    },
    ctx: EcallContext,
    body: (code: Uint8Array, host: ContractHost) => Outcome,
  ): Outcome => {
    let code: Uint8Array;
    try {
      code = codes.get(req.codeHash, codeSource(ctx));
      // A block random that does not verify fails the call here, as a code that cannot be had.
      if (req.block !== undefined) blockRandom(req.block.height, req.blockRandom);
    } catch (e) {
      return codeFailure(e, req.callCounter ?? noCounter);
    }
    return body(code, ocallHost(ctx, codes));
  };
  /** Queues a signed call's hints (replacing older ones, which the host has moved past). */
  const hinted = <R extends { readonly upcoming?: readonly SignatureHint[] | undefined }>(req: R): R => {
    if (req.upcoming !== undefined && req.upcoming.length > 0) hints = [...req.upcoming];
    return req;
  };
  /** Verifies queued hints one at a time until none is left or the host's next frame is there. */
  const idle = (interrupted: () => boolean): void => {
    while (hints.length > 0 && !interrupted()) preverifySignature(hints.shift()!);
  };
  const handlers = {
    contractInstantiate: (req: EcallRequest<"contractInstantiate">, ctx: EcallContext): Outcome =>
      withCode(hinted(req), ctx, (code, host) => {
        const result = current().instantiate({ ...signed(req, code), funds: req.funds, admin: req.admin }, host);
        return result.ok
          ? toOutcome(result, { contractKey: result.contractKey, adminProof: result.adminProof })
          : toOutcome(result);
      }),
    contractExecute: (req: EcallRequest<"contractExecute">, ctx: EcallContext): Outcome =>
      withCode(hinted(req), ctx, (code, host) =>
        toOutcome(current().execute({ ...signed(req, code), funds: req.funds, contractKey: req.contractKey }, host)),
      ),
    contractMigrate: (req: EcallRequest<"contractMigrate">, ctx: EcallContext): Outcome =>
      withCode(hinted(req), ctx, (code, host) => {
        const result = current().migrate(
          { ...signed(req, code), contractKey: req.contractKey, adminProof: req.adminProof },
          host,
        );
        return result.ok
          ? toOutcome(result, { contractKey: result.newContractKey, newContractKeyProof: result.newContractKeyProof })
          : toOutcome(result);
      }),
    contractUpdateAdmin: (req: EcallRequest<"contractUpdateAdmin">, ctx: EcallContext): Outcome =>
      withCode(hinted(req), ctx, (code, host) => {
        const result = current().updateAdmin(
          { ...signed(req, code), contractKey: req.contractKey, adminProof: req.adminProof, newAdmin: req.newAdmin },
          host,
        );
        return result.ok ? toOutcome(result, { adminProof: result.adminProof }) : toOutcome(result);
      }),
    contractReply: (req: EcallRequest<"contractReply">, ctx: EcallContext): Outcome =>
      withCode(req, ctx, (code, host) =>
        toOutcome(
          current().reply(
            {
              code,
              codeHash: req.codeHash,
              block: req.block,
              contract: req.contract,
              gasLimitWasm: req.gasLimitWasm,
              contractKey: req.contractKey,
              origin: req.origin,
              reply: req.reply,
              callbackSig: req.callbackSig,
              transaction: req.transaction ?? null,
              blockRandom: blockRandom(req.block.height, req.blockRandom),
              callCounter: req.callCounter,
            },
            host,
          ),
        ),
      ),
    contractQuery: (req: EcallRequest<"contractQuery">, ctx: EcallContext): Outcome =>
      withCode(req, ctx, (code, host) =>
        toOutcome(
          current().query(
            {
              code,
              codeHash: req.codeHash,
              block: req.block,
              contract: req.contract,
              gasLimitWasm: req.gasLimitWasm,
              msg: req.msg,
              contractKey: req.contractKey,
              queryDepth: req.queryDepth,
            },
            host,
          ),
        ),
      ),
  };
  return { handlers, idle };
}
