export * from "./amount.ts";
export * from "./base64.ts";
export * from "./bech32.ts";
export * from "./bytes.ts";
export * from "./errors.ts";
export * from "./hex.ts";
export * from "./observability.ts";
export * from "./result.ts";
