/** The client layer: what a user's side needs (keys, tx signing, IO encryption, LCD/RPC clients). */
export { ClientError } from "./errors.ts";
export type { ClientErrorCode } from "./errors.ts";
export * from "./encryption.ts";
export * from "./hd.ts";
export * from "./keyring.ts";
export * from "./lcd.ts";
export * from "./rpc.ts";
export * from "./sender.ts";
export * from "./tx.ts";
export * from "./txResults.ts";
export { checkBaseUrl, requestJson } from "./http.ts";
export type { HttpAnswer, HttpOptions } from "./http.ts";
export * from "./msgs/bank.ts";
export * from "./msgs/coins.ts";
export * from "./msgs/compute.ts";
export * from "./msgs/gov.ts";
export * from "./msgs/staking.ts";
