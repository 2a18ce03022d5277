/**
 * The part of secretjs's SecretNetworkClient the e2e tests use, typed here: secretjs's published
 * .d.ts files import its .ts sources, which do not compile under this project's settings.
 */
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
