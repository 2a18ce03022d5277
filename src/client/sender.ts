/**
 * Sign and send: account number and sequence from the node, gas from a simulation when asked
 * (`gas: "auto"`, times the adjustment), the fee from the gas price, SIGN_MODE_DIRECT, broadcast
 * (sync: CheckTx must pass) and, unless told not to, wait until the tx is in a block.
 */
import type { Any } from "../codec/tx.ts";
import type { Coin } from "../primitives/amount.ts";
import { encodeAddress } from "../primitives/bech32.ts";
import { ripemd160, secp256k1PublicKey, sha256 } from "../crypto/index.ts";
import { ClientError } from "./errors.ts";
import type { BroadcastAnswer, LcdClient } from "./lcd.ts";
import type { JsonObject } from "./json.ts";
import { asObject, asString, isObject } from "./json.ts";
import { feeForGas, signTxDirect, simulationTx } from "./tx.ts";

export interface GasPrice {
  readonly denom: string;
  /** Decimal text, e.g. "0.1". */
  readonly amount: string;
}

/** secretjs's default gas price (0.1 uscrt per gas unit) and adjustment. */
export const DEFAULT_GAS_PRICE: GasPrice = { denom: "uscrt", amount: "0.1" };
export const DEFAULT_GAS_ADJUSTMENT = 1.3;

export type Stage = "account" | "simulate" | "sign" | "broadcast" | "wait";

export interface SendOptions {
  readonly chainId: string;
  readonly memo?: string;
  readonly gas: bigint | "auto";
  readonly gasAdjustment?: number;
  readonly gasPrice?: GasPrice;
  /** Fixed fee; overrides the gas price. */
  readonly fees?: readonly Coin[];
  /** "wait" (default): broadcast sync and wait for inclusion; "sync": CheckTx only; "async": fire and forget. */
  readonly mode?: "wait" | "sync" | "async";
  readonly waitTimeoutMs?: number;
  readonly pollMs?: number;
  readonly onStage?: (stage: Stage) => void;
  readonly onUploadProgress?: (sent: number, total: number) => void;
}

export interface SendResult {
  readonly hash: string;
  readonly gasLimit: bigint;
  readonly fee: readonly Coin[];
  readonly broadcast: BroadcastAnswer;
  /** `{tx, tx_response}` once included (mode "wait"). */
  readonly included?: JsonObject;
}

export interface SigningKey {
  readonly privateKey: Uint8Array;
}

/** The bech32 account address of a private key. */
export function addressOf(privateKey: Uint8Array): string {
  return encodeAddress(ripemd160(sha256(secp256k1PublicKey(privateKey))));
}

export async function signAndSend(
  lcd: LcdClient,
  key: SigningKey,
  messages: readonly Any[],
  options: SendOptions,
): Promise<SendResult> {
  const address = addressOf(key.privateKey);
  const publicKey = secp256k1PublicKey(key.privateKey);
  options.onStage?.("account");
  const account = await lcd.account(address);
  if (account === undefined) {
    throw new ClientError(
      "CLIENT_NOT_FOUND",
      `account ${address} does not exist on the chain yet: send it some funds first`,
    );
  }
  const signer = { chainId: options.chainId, accountNumber: account.accountNumber, sequence: account.sequence };
  const price = options.gasPrice ?? DEFAULT_GAS_PRICE;
  const memo = options.memo ?? "";

  let gasLimit: bigint;
  if (options.gas === "auto") {
    options.onStage?.("simulate");
    const probeGas = 25_000n;
    const probe = simulationTx(
      { messages, memo, fee: { amount: options.fees ?? [feeForGas(probeGas, price)], gasLimit: probeGas } },
      signer,
      publicKey,
    );
    const used = await lcd.simulate(probe);
    const adjustment = options.gasAdjustment ?? DEFAULT_GAS_ADJUSTMENT;
    if (!(adjustment >= 1 && adjustment <= 10))
      throw new ClientError("CLIENT_BAD_INPUT", "gas adjustment must be between 1 and 10");
    gasLimit = BigInt(Math.ceil(Number(used) * adjustment));
  } else {
    gasLimit = options.gas;
  }
  if (gasLimit <= 0n) throw new ClientError("CLIENT_BAD_INPUT", "gas must be positive");
  const fee = options.fees ?? [feeForGas(gasLimit, price)];

  options.onStage?.("sign");
  const signed = signTxDirect({ messages, memo, fee: { amount: fee, gasLimit } }, signer, key.privateKey);

  options.onStage?.("broadcast");
  const mode = options.mode ?? "wait";
  const broadcast = await lcd.broadcast(signed.txBytes, mode === "async" ? "async" : "sync", options.onUploadProgress);
  if (broadcast.code !== 0) {
    throw new ClientError(
      "CLIENT_TX_REJECTED",
      `the node refused the tx: code ${broadcast.code} (codespace ${broadcast.codespace || "sdk"}): ${broadcast.rawLog}`,
      { code: broadcast.code, codespace: broadcast.codespace, rawLog: broadcast.rawLog, hash: signed.hash },
    );
  }
  const base = { hash: signed.hash, gasLimit, fee, broadcast };
  if (mode !== "wait") return base;
  options.onStage?.("wait");
  const included = await lcd.waitForTx(signed.hash, options.waitTimeoutMs ?? 60_000, options.pollMs ?? 500);
  return { ...base, included };
}

/** The chain id the LCD's node reports (`node_info.default_node_info.network`). */
export async function fetchChainId(lcd: LcdClient): Promise<string> {
  const info = await lcd.get("/cosmos/base/tendermint/v1beta1/node_info");
  const node = asObject(info["default_node_info"], "node_info.default_node_info");
  return asString(node["network"], "node_info.default_node_info.network");
}

/** `code`, `codespace` and `raw_log` of an included tx. */
export function txOutcome(included: JsonObject): { code: number; codespace: string; rawLog: string; height: string } {
  const r = isObject(included["tx_response"]) ? included["tx_response"] : {};
  return {
    code: typeof r["code"] === "number" ? r["code"] : 0,
    codespace: typeof r["codespace"] === "string" ? r["codespace"] : "",
    rawLog: typeof r["raw_log"] === "string" ? r["raw_log"] : "",
    height: typeof r["height"] === "string" ? r["height"] : "",
  };
}
