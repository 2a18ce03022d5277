/**
 * `cosmos.bank.v1beta1`: MsgSend, MsgMultiSend, their responses, Params, Metadata and the balance and
 * supply queries, with upstream's field numbers. Coin amounts stay text here; the bank module parses
 * them.
 */
import { ProtoWriter, decodeFields, field } from "./protobuf.ts";
import { type ProtoCoin, decodeCoin, encodeCoin, writeCoins } from "./tx.ts";

export const BANK_URLS = {
  MsgSend: "/cosmos.bank.v1beta1.MsgSend",
  MsgMultiSend: "/cosmos.bank.v1beta1.MsgMultiSend",
} as const;

export interface MsgSend {
  readonly fromAddress: string;
  readonly toAddress: string;
  readonly amount: readonly ProtoCoin[];
}

export function decodeMsgSend(bytes: Uint8Array): MsgSend {
  let fromAddress = "";
  let toAddress = "";
  const amount: ProtoCoin[] = [];
  decodeFields(bytes, "MsgSend", {
    1: field.string((v) => (fromAddress = v)),
    2: field.string((v) => (toAddress = v)),
    3: field.message(decodeCoin, (v) => amount.push(v)),
  });
  return { fromAddress, toAddress, amount };
}

export function encodeMsgSend(m: MsgSend): Uint8Array {
  return writeCoins(new ProtoWriter().string(1, m.fromAddress).string(2, m.toAddress), 3, m.amount).finish();
}

/** `Input` and `Output` have the same shape: 1 address, 2 coins. */
export interface BankIo {
  readonly address: string;
  readonly coins: readonly ProtoCoin[];
}

function decodeBankIo(bytes: Uint8Array): BankIo {
  let address = "";
  const coins: ProtoCoin[] = [];
  decodeFields(bytes, "Input/Output", {
    1: field.string((v) => (address = v)),
    2: field.message(decodeCoin, (v) => coins.push(v)),
  });
  return { address, coins };
}

function encodeBankIo(io: BankIo): Uint8Array {
  return writeCoins(new ProtoWriter().string(1, io.address), 2, io.coins).finish();
}

export interface MsgMultiSend {
  readonly inputs: readonly BankIo[];
  readonly outputs: readonly BankIo[];
}

export function decodeMsgMultiSend(bytes: Uint8Array): MsgMultiSend {
  const inputs: BankIo[] = [];
  const outputs: BankIo[] = [];
  decodeFields(bytes, "MsgMultiSend", {
    1: field.message(decodeBankIo, (v) => inputs.push(v)),
    2: field.message(decodeBankIo, (v) => outputs.push(v)),
  });
  return { inputs, outputs };
}

export function encodeMsgMultiSend(m: MsgMultiSend): Uint8Array {
  const w = new ProtoWriter();
  for (const i of m.inputs) w.message(1, encodeBankIo(i));
  for (const o of m.outputs) w.message(2, encodeBankIo(o));
  return w.finish();
}

export interface BankParams {
  readonly defaultSendEnabled: boolean;
}

export function encodeBankParams(p: BankParams): Uint8Array {
  return new ProtoWriter().bool(2, p.defaultSendEnabled).finish();
}

export interface DenomUnit {
  readonly denom: string;
  readonly exponent: number;
  readonly aliases: readonly string[];
}

export interface Metadata {
  readonly description: string;
  readonly denomUnits: readonly DenomUnit[];
  readonly base: string;
  readonly display: string;
  readonly name: string;
  readonly symbol: string;
  readonly uri: string;
  readonly uriHash: string;
}

function encodeDenomUnit(u: DenomUnit): Uint8Array {
  const w = new ProtoWriter().string(1, u.denom).uint(2, u.exponent);
  for (const a of u.aliases) w.string(3, a, true);
  return w.finish();
}

function decodeDenomUnit(bytes: Uint8Array): DenomUnit {
  let denom = "";
  let exponent = 0;
  const aliases: string[] = [];
  decodeFields(bytes, "DenomUnit", {
    1: field.string((v) => (denom = v)),
    2: field.uint32((v) => (exponent = v)),
    3: field.string((v) => aliases.push(v)),
  });
  return { denom, exponent, aliases };
}

export function encodeMetadata(m: Metadata): Uint8Array {
  const w = new ProtoWriter().string(1, m.description);
  for (const u of m.denomUnits) w.message(2, encodeDenomUnit(u));
  return w
    .string(3, m.base)
    .string(4, m.display)
    .string(5, m.name)
    .string(6, m.symbol)
    .string(7, m.uri)
    .string(8, m.uriHash)
    .finish();
}

export function decodeMetadata(bytes: Uint8Array): Metadata {
  let description = "";
  const denomUnits: DenomUnit[] = [];
  const s = { base: "", display: "", name: "", symbol: "", uri: "", uriHash: "" };
  decodeFields(bytes, "Metadata", {
    1: field.string((v) => (description = v)),
    2: field.message(decodeDenomUnit, (v) => denomUnits.push(v)),
    3: field.string((v) => (s.base = v)),
    4: field.string((v) => (s.display = v)),
    5: field.string((v) => (s.name = v)),
    6: field.string((v) => (s.symbol = v)),
    7: field.string((v) => (s.uri = v)),
    8: field.string((v) => (s.uriHash = v)),
  });
  return { description, denomUnits, ...s };
}

// Queries. Pagination (a nested message) is accepted and ignored: answers are complete.

/** `QueryBalanceRequest{1 address, 2 denom}`. */
export function decodeQueryBalanceRequest(bytes: Uint8Array): { readonly address: string; readonly denom: string } {
  let address = "";
  let denom = "";
  decodeFields(bytes, "QueryBalanceRequest", {
    1: field.string((v) => (address = v)),
    2: field.string((v) => (denom = v)),
  });
  return { address, denom };
}

export function encodeQueryBalanceRequest(req: { readonly address: string; readonly denom: string }): Uint8Array {
  return new ProtoWriter().string(1, req.address).string(2, req.denom).finish();
}

/** `QueryBalanceResponse{1 balance}` and `QuerySupplyOfResponse{1 amount}`. */
export function encodeCoinResponse(coin: ProtoCoin): Uint8Array {
  return new ProtoWriter().message(1, encodeCoin(coin)).finish();
}

export function decodeCoinResponse(bytes: Uint8Array): ProtoCoin | undefined {
  let coin: ProtoCoin | undefined;
  decodeFields(bytes, "QueryBalanceResponse", { 1: field.message(decodeCoin, (v) => (coin = v)) });
  return coin;
}

/** `QueryAllBalancesRequest{1 address, 2 pagination, 3 resolve_denom}`. */
export function decodeQueryAllBalancesRequest(bytes: Uint8Array): { readonly address: string } {
  let address = "";
  decodeFields(bytes, "QueryAllBalancesRequest", {
    1: field.string((v) => (address = v)),
    2: field.bytes(() => undefined),
    3: field.bool(() => undefined),
  });
  return { address };
}

export function encodeQueryAllBalancesRequest(req: { readonly address: string }): Uint8Array {
  return new ProtoWriter().string(1, req.address).finish();
}

/** `{1 balances|supply: Coin[], 2 pagination{1 next_key, 2 total}}`. */
export function encodeCoinsResponse(coins: readonly ProtoCoin[]): Uint8Array {
  return writeCoins(new ProtoWriter(), 1, coins).message(2, new ProtoWriter().uint(2, coins.length).finish()).finish();
}

export function decodeCoinsResponse(bytes: Uint8Array): ProtoCoin[] {
  const coins: ProtoCoin[] = [];
  decodeFields(bytes, "QueryCoinsResponse", {
    1: field.message(decodeCoin, (v) => coins.push(v)),
    2: field.bytes(() => undefined),
  });
  return coins;
}

/** `QuerySupplyOfRequest{1 denom}`. */
export function decodeQuerySupplyOfRequest(bytes: Uint8Array): { readonly denom: string } {
  let denom = "";
  decodeFields(bytes, "QuerySupplyOfRequest", { 1: field.string((v) => (denom = v)) });
  return { denom };
}

/** `QueryTotalSupplyRequest{1 pagination}`. */
export function decodeQueryTotalSupplyRequest(bytes: Uint8Array): void {
  decodeFields(bytes, "QueryTotalSupplyRequest", { 1: field.bytes(() => undefined) });
}
