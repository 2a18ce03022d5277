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
import type { KeyChain } from "./keys.ts";

type Outcome = EcallResponse<"contractExecute">;

/** A ContractHost whose every method is an ocall. */
function ocallHost(ctx: EcallContext): ContractHost {
  return {
    stateRead: (contract, key) => {
      const { value, gas } = ctx.ocall("contractStateRead", { contract, key });
      return { value, gas };
    },
    stateRemove: (contract, key) => ctx.ocall("contractStateRemove", { contract, key }),
    stateWrite: (contract, ops) => {
      ctx.ocall("contractStateWrite", { contract, ops: [...ops] });
    },
    contract: (address) => ctx.ocall("contractLookup", { address }).found,
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

/** The engine is created on first use, once the keychain is loaded. */
export function createContractEcalls(keychain: () => KeyChain) {
  let engine: ContractEngine | undefined;
  let engineKeys: KeyChain | undefined;
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
  ) => ({
    code: req.code,
    block: req.block,
    contract: req.contract,
    gasLimitWasm: req.gasLimitWasm,
    sender: req.sender,
    msg: req.msg,
    sigInfo: req.sigInfo,
    transaction: req.transaction ?? null,
    blockRandom: req.blockRandom ?? null,
    callCounter: req.callCounter,
  });
  return {
    contractInstantiate: (req: EcallRequest<"contractInstantiate">, ctx: EcallContext): Outcome => {
      const result = current().instantiate({ ...signed(req), funds: req.funds, admin: req.admin }, ocallHost(ctx));
      return result.ok
        ? toOutcome(result, { contractKey: result.contractKey, adminProof: result.adminProof })
        : toOutcome(result);
    },
    contractExecute: (req: EcallRequest<"contractExecute">, ctx: EcallContext): Outcome =>
      toOutcome(current().execute({ ...signed(req), funds: req.funds, contractKey: req.contractKey }, ocallHost(ctx))),
    contractMigrate: (req: EcallRequest<"contractMigrate">, ctx: EcallContext): Outcome => {
      const result = current().migrate(
        { ...signed(req), contractKey: req.contractKey, adminProof: req.adminProof },
        ocallHost(ctx),
      );
      return result.ok
        ? toOutcome(result, { contractKey: result.newContractKey, newContractKeyProof: result.newContractKeyProof })
        : toOutcome(result);
    },
    contractUpdateAdmin: (req: EcallRequest<"contractUpdateAdmin">, ctx: EcallContext): Outcome => {
      const result = current().updateAdmin(
        { ...signed(req), contractKey: req.contractKey, adminProof: req.adminProof, newAdmin: req.newAdmin },
        ocallHost(ctx),
      );
      return result.ok ? toOutcome(result, { adminProof: result.adminProof }) : toOutcome(result);
    },
    contractReply: (req: EcallRequest<"contractReply">, ctx: EcallContext): Outcome =>
      toOutcome(
        current().reply(
          {
            code: req.code,
            block: req.block,
            contract: req.contract,
            gasLimitWasm: req.gasLimitWasm,
            contractKey: req.contractKey,
            origin: req.origin,
            reply: req.reply,
            callbackSig: req.callbackSig,
            transaction: req.transaction ?? null,
            blockRandom: req.blockRandom ?? null,
            callCounter: req.callCounter,
          },
          ocallHost(ctx),
        ),
      ),
    contractQuery: (req: EcallRequest<"contractQuery">, ctx: EcallContext): Outcome =>
      toOutcome(
        current().query(
          {
            code: req.code,
            block: req.block,
            contract: req.contract,
            gasLimitWasm: req.gasLimitWasm,
            msg: req.msg,
            contractKey: req.contractKey,
            queryDepth: req.queryDepth,
          },
          ocallHost(ctx),
        ),
      ),
  };
}
