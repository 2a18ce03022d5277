/**
 * The part of secretjs's SecretNetworkClient the e2e tests use, typed here: secretjs's published
 * .d.ts files import its .ts sources, which do not compile under this project's settings.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { SecretjsWallet } from "./secretjsTx.ts";

const require = createRequire(import.meta.url);

export interface LogEntry {
  readonly msg: number;
  readonly type: string;
  readonly key: string;
  readonly value: string;
}
export interface TxResponse {
  readonly code: number;
  readonly height: number;
  readonly transactionHash: string;
  readonly rawLog: string;
  readonly arrayLog?: LogEntry[];
  readonly data: Uint8Array[];
  readonly gasUsed: number;
}
export type TxFn = ((params: object, options?: object) => Promise<TxResponse>) & {
  simulate(params: object, options?: object): Promise<{ gas_info?: { gas_used: string } }>;
};
export interface SecretjsClient {
  readonly address: string;
  readonly tx: {
    readonly bank: { readonly send: TxFn };
    readonly compute: {
      readonly storeCode: TxFn;
      readonly instantiateContract: TxFn;
      readonly executeContract: TxFn;
      readonly migrateContract: TxFn;
      readonly updateAdmin: TxFn;
    };
  };
  readonly query: {
    readonly bank: { balance(req: object): Promise<{ balance?: { amount: string } }> };
    readonly compute: {
      codeHashByCodeId(req: object): Promise<{ code_hash?: string }>;
      queryContract(req: object): Promise<unknown>;
      contractInfo(req: object): Promise<{ contract_info?: { admin?: string; code_id?: string; label?: string } }>;
      contractHistory(req: object): Promise<{ entries?: { operation: string; msg: string }[] }>;
    };
    getTx(hash: string): Promise<TxResponse | null>;
  };
}

const secretjs = require("secretjs") as { SecretNetworkClient: new (options: object) => SecretjsClient };

export interface SecretjsClientOptions {
  readonly url: string;
  readonly chainId: string;
  readonly wallet?: SecretjsWallet;
  readonly walletAddress?: string;
}

export function secretjsClient(options: SecretjsClientOptions): SecretjsClient {
  return new secretjs.SecretNetworkClient(options);
}

/** What `deployCounter` made: the code, the instance, and the `increment` execute's response. */
export interface DeployedCounter {
  readonly codeId: string;
  readonly codeHash: string;
  readonly contract: string;
  readonly exec: TxResponse;
}

/**
 * Through secretjs, as contract developers do on LocalSecret: stores contracts/build/counter.wasm,
 * instantiates it with `{count}` and executes `increment` once; throws with the raw log when a step
 * is refused.
 */
export async function deployCounter(sj: SecretjsClient, count: number): Promise<DeployedCounter> {
  const sender = sj.address;
  const ok = (r: TxResponse, step: string): TxResponse => {
    if (r.code !== 0) throw new Error(`${step}: code ${r.code}: ${r.rawLog}`);
    return r;
  };
  const logValue = (r: TxResponse, key: string): string => {
    const v = r.arrayLog?.find((l) => l.type === "message" && l.key === key)?.value;
    if (v === undefined) throw new Error(`no message.${key} in the log`);
    return v;
  };
  const wasm = readFileSync(new URL("../../contracts/build/counter.wasm", import.meta.url));
  const stored = ok(
    await sj.tx.compute.storeCode({ sender, wasm_byte_code: wasm, source: "", builder: "" }, { gasLimit: 5_000_000 }),
    "store",
  );
  const codeId = logValue(stored, "code_id");
  const codeHash = (await sj.query.compute.codeHashByCodeId({ code_id: codeId })).code_hash ?? "";
  const inst = ok(
    await sj.tx.compute.instantiateContract(
      { sender, code_id: codeId, code_hash: codeHash, init_msg: { count }, label: "counter" },
      { gasLimit: 500_000 },
    ),
    "instantiate",
  );
  const contract = logValue(inst, "contract_address");
  const exec = ok(
    await sj.tx.compute.executeContract(
      { sender, contract_address: contract, code_hash: codeHash, msg: { increment: {} } },
      { gasLimit: 500_000 },
    ),
    "execute",
  );
  return { codeId, codeHash, contract, exec };
}
