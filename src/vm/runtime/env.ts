/**
 * The `env` and `info` JSON handed to contracts (`spec/contract-abi.md` §6), byte-exact: compact, keys
 * in upstream's order (`.../cosmwasm-types/generic/src/lib.rs` `into_v010`/`into_v1`), strings escaped
 * like serde_json (which JSON.stringify matches for well-formed strings). Their length changes the
 * metered `allocate` call, so every byte counts.
 */
import { toBase64 } from "../../primitives/base64.ts";

export interface EnvCoin {
  readonly denom: string;
  /** Decimal amount. */
  readonly amount: bigint;
}

export interface BlockInfo {
  readonly height: bigint;
  /** Block time in nanoseconds since the Unix epoch. */
  readonly timeNanos: bigint;
  readonly chainId: string;
}

export interface EnvV010Input {
  readonly block: BlockInfo;
  /** `message.sender`: bech32 signer, calling contract, or "" for IBC calls. */
  readonly sender: string;
  readonly sentFunds: readonly EnvCoin[];
  readonly contractAddress: string;
  /** Lowercase hex sha256 of the code being run. */
  readonly codeHash: string;
}

export interface TransactionInfo {
  readonly index: number;
  /** UPPERCASE hex sha256 of the tx bytes. */
  readonly hash: string;
}

export interface EnvV1Input {
  readonly block: BlockInfo;
  /** `block.random` (32 bytes), or null to omit the field. */
  readonly random: Uint8Array | null;
  readonly contractAddress: string;
  readonly codeHash: string;
  readonly transaction: TransactionInfo | null;
}

export interface InfoV1Input {
  readonly sender: string;
  readonly funds: readonly EnvCoin[];
}

const encoder = new TextEncoder();
const str = (s: string): string => JSON.stringify(s);

function coins(list: readonly EnvCoin[]): string {
  return `[${list.map((c) => `{"denom":${str(c.denom)},"amount":"${c.amount.toString()}"}`).join(",")}]`;
}

/** v0.10 env: `block.time` in whole seconds; `contract_key` and `transaction` always null. */
export function envV010Json(e: EnvV010Input): string {
  const seconds = e.block.timeNanos / 1_000_000_000n;
  return (
    `{"block":{"height":${e.block.height.toString()},"time":${seconds.toString()},"chain_id":${str(e.block.chainId)}},` +
    `"message":{"sender":${str(e.sender)},"sent_funds":${coins(e.sentFunds)}},` +
    `"contract":{"address":${str(e.contractAddress)}},"contract_key":null,` +
    `"contract_code_hash":${str(e.codeHash)},"transaction":null}`
  );
}

/** v1 env: `block.time` as a decimal string of nanoseconds; `random` only when given. */
export function envV1Json(e: EnvV1Input): string {
  const random = e.random === null ? "" : `,"random":${str(toBase64(e.random))}`;
  const tx =
    e.transaction === null ? "null" : `{"index":${String(e.transaction.index)},"hash":${str(e.transaction.hash)}}`;
  return (
    `{"block":{"height":${e.block.height.toString()},"time":"${e.block.timeNanos.toString()}",` +
    `"chain_id":${str(e.block.chainId)}${random}},` +
    `"contract":{"address":${str(e.contractAddress)},"code_hash":${str(e.codeHash)}},"transaction":${tx}}`
  );
}

/**
 * The fixed `block.random` upstream puts in every v1 query env, `"AA=="` (one zero byte; contract-abi.md,
 * v1 env): queries get no block random by design, so this is the protocol's value, not a stand-in.
 */
export const QUERY_RANDOM = Uint8Array.of(0);

/** v1 query env: random `"AA=="` whatever the exports, transaction null. */
export function queryEnvV1Json(e: Omit<EnvV1Input, "random" | "transaction">): string {
  return envV1Json({ ...e, random: QUERY_RANDOM, transaction: null });
}

/** v1 `MessageInfo`. */
export function infoV1Json(i: InfoV1Input): string {
  return `{"sender":${str(i.sender)},"funds":${coins(i.funds)}}`;
}

export function utf8(s: string): Uint8Array {
  return encoder.encode(s);
}
