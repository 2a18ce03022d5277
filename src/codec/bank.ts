/**
 * `cosmos.bank.v1beta1`: MsgSend, MsgMultiSend, their responses, Params, Metadata and the balance and
 * supply queries, with upstream's field numbers. Coin amounts stay text here; the bank module parses
 * them.
 */
import { ProtoReader, ProtoWriter, WIRE_LEN, decodeFields, decodeString, field } from "./protobuf.ts";
import {
  type PageRequest,
  type PageResponse,
  decodeListResponse,
  decodePageOnlyRequest,
  decodePageRequest,
  decodePageResponse,
  encodeListResponse,
  encodePageRequest,
  encodePageResponse,
} from "./staking.ts";
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
  return fastMsgSend(bytes) ?? decodeMsgSendFields(bytes);
}

/**
 * The plain MsgSend every bank send carries, read straight off the wire (fields 1, 2 and coins of
 * fields 1 and 2 only); undefined for anything else or any reader error, and the caller then runs
 * `decodeMsgSendFields`, which gives the value or the exact error. For what it accepts it returns what
 * that decoder returns.
 */
function fastMsgSend(bytes: Uint8Array): MsgSend | undefined {
  try {
    const r = new ProtoReader(bytes);
    let fromAddress = "";
    let toAddress = "";
    const amount: ProtoCoin[] = [];
    while (!r.eof()) {
      const key = r.smallVarint();
      if (key === 1 * 8 + WIRE_LEN) fromAddress = decodeString(r.bytes());
      else if (key === 2 * 8 + WIRE_LEN) toAddress = decodeString(r.bytes());
      else if (key === 3 * 8 + WIRE_LEN) {
        const c = new ProtoReader(r.bytes());
        let denom = "";
        let value = "";
        while (!c.eof()) {
          const k = c.smallVarint();
          if (k === 1 * 8 + WIRE_LEN) denom = decodeString(c.bytes());
          else if (k === 2 * 8 + WIRE_LEN) value = decodeString(c.bytes());
          else return undefined;
        }
        amount.push({ denom, amount: value });
      } else return undefined;
    }
    return { fromAddress, toAddress, amount };
  } catch {
    return undefined;
  }
}

/** MsgSend through `decodeFields` only (the general decoder behind the fast path). */
export function decodeMsgSendFields(bytes: Uint8Array): MsgSend {
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

// Queries (SDK 0.50 field numbers; pages in `staking.ts`).

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
export interface QueryAllBalancesRequest {
  readonly address: string;
  readonly pagination?: PageRequest | undefined;
  readonly resolveDenom?: boolean;
}

export function decodeQueryAllBalancesRequest(bytes: Uint8Array): Required<QueryAllBalancesRequest> {
  let address = "";
  let pagination: PageRequest | undefined;
  let resolveDenom = false;
  decodeFields(bytes, "QueryAllBalancesRequest", {
    1: field.string((v) => (address = v)),
    2: field.message(decodePageRequest, (v) => (pagination = v)),
    3: field.bool((v) => (resolveDenom = v)),
  });
  return { address, pagination, resolveDenom };
}

export function encodeQueryAllBalancesRequest(req: QueryAllBalancesRequest): Uint8Array {
  const w = new ProtoWriter().string(1, req.address);
  if (req.pagination !== undefined) w.message(2, encodePageRequest(req.pagination));
  return w.bool(3, req.resolveDenom ?? false).finish();
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

/** `QueryTotalSupplyRequest{1 pagination}`, `QueryDenomsMetadataRequest{1 pagination}`. */
export function decodeQueryTotalSupplyRequest(
  bytes: Uint8Array,
  what = "QueryTotalSupplyRequest",
): {
  readonly pagination: PageRequest | undefined;
} {
  return decodePageOnlyRequest(bytes, what);
}

/** A request of one page only (`QueryTotalSupplyRequest`, `QueryDenomsMetadataRequest`). */
export { encodePageOnlyRequest } from "./staking.ts";

/**
 * `{1 balances|supply: Coin[], 2 pagination}`: AllBalances, SpendableBalances and TotalSupply
 * responses with the page upstream computed (always present).
 */
export function encodeCoinsPageResponse(coins: readonly ProtoCoin[], page: PageResponse): Uint8Array {
  return encodeListResponse(coins.map(encodeCoin), page);
}

export function decodeCoinsPageResponse(bytes: Uint8Array): {
  readonly coins: ProtoCoin[];
  readonly pagination: PageResponse | undefined;
} {
  const { items, page } = decodeListResponse(bytes, "QueryCoinsResponse", decodeCoin);
  return { coins: items, pagination: page };
}

/** `QuerySpendableBalancesRequest{1 address, 2 pagination}`, `QueryDenomOwnersRequest{1 denom, 2 pagination}`. */
export function decodeStringPageRequest(
  bytes: Uint8Array,
  what: string,
): { readonly text: string; readonly pagination: PageRequest | undefined } {
  let text = "";
  let pagination: PageRequest | undefined;
  decodeFields(bytes, what, {
    1: field.string((v) => (text = v)),
    2: field.message(decodePageRequest, (v) => (pagination = v)),
  });
  return { text, pagination };
}

export function encodeStringPageRequest(text: string, pagination?: PageRequest): Uint8Array {
  const w = new ProtoWriter().string(1, text);
  if (pagination !== undefined) w.message(2, encodePageRequest(pagination));
  return w.finish();
}

/** `QuerySupplyOfRequest{1 denom}`, `QueryDenomMetadataRequest{1 denom}` (and its by-query-string twin). */
export function encodeDenomRequest(denom: string): Uint8Array {
  return new ProtoWriter().string(1, denom).finish();
}

/** `QueryDenomMetadataResponse{1 metadata}` (non-nullable). */
export function encodeQueryDenomMetadataResponse(m: Metadata): Uint8Array {
  return new ProtoWriter().message(1, encodeMetadata(m)).finish();
}

export function decodeQueryDenomMetadataResponse(bytes: Uint8Array): Metadata | undefined {
  let m: Metadata | undefined;
  decodeFields(bytes, "QueryDenomMetadataResponse", { 1: field.message(decodeMetadata, (v) => (m = v)) });
  return m;
}

/** `QueryDenomsMetadataResponse{1 metadatas, 2 pagination}`. */
export function encodeQueryDenomsMetadataResponse(list: readonly Metadata[], page: PageResponse): Uint8Array {
  return encodeListResponse(list.map(encodeMetadata), page);
}

export function decodeQueryDenomsMetadataResponse(bytes: Uint8Array): {
  readonly metadatas: Metadata[];
  readonly pagination: PageResponse | undefined;
} {
  const { items, page } = decodeListResponse(bytes, "QueryDenomsMetadataResponse", decodeMetadata);
  return { metadatas: items, pagination: page };
}

/** `DenomOwner{1 address, 2 balance Coin}`. */
export interface DenomOwner {
  readonly address: string;
  readonly balance: ProtoCoin;
}

function decodeDenomOwner(bytes: Uint8Array): DenomOwner {
  let address = "";
  let balance: ProtoCoin = { denom: "", amount: "" };
  decodeFields(bytes, "DenomOwner", {
    1: field.string((v) => (address = v)),
    2: field.message(decodeCoin, (v) => (balance = v)),
  });
  return { address, balance };
}

/** `QueryDenomOwnersResponse{1 denom_owners, 2 pagination}`. */
const encodeDenomOwner = (o: DenomOwner): Uint8Array =>
  new ProtoWriter().string(1, o.address).message(2, encodeCoin(o.balance)).finish();

export function encodeQueryDenomOwnersResponse(owners: readonly DenomOwner[], page: PageResponse): Uint8Array {
  return encodeListResponse(owners.map(encodeDenomOwner), page);
}

export function decodeQueryDenomOwnersResponse(bytes: Uint8Array): {
  readonly owners: DenomOwner[];
  readonly pagination: PageResponse | undefined;
} {
  const { items, page } = decodeListResponse(bytes, "QueryDenomOwnersResponse", decodeDenomOwner);
  return { owners: items, pagination: page };
}

/** `SendEnabled{1 denom, 2 enabled}`. */
export interface SendEnabled {
  readonly denom: string;
  readonly enabled: boolean;
}

function decodeSendEnabled(bytes: Uint8Array): SendEnabled {
  let denom = "";
  let enabled = false;
  decodeFields(bytes, "SendEnabled", {
    1: field.string((v) => (denom = v)),
    2: field.bool((v) => (enabled = v)),
  });
  return { denom, enabled };
}

/** `QuerySendEnabledRequest{1 denoms string[], 99 pagination}`. */
export function decodeQuerySendEnabledRequest(bytes: Uint8Array): {
  readonly denoms: string[];
  readonly pagination: PageRequest | undefined;
} {
  const denoms: string[] = [];
  let pagination: PageRequest | undefined;
  decodeFields(bytes, "QuerySendEnabledRequest", {
    1: field.string((v) => denoms.push(v)),
    99: field.message(decodePageRequest, (v) => (pagination = v)),
  });
  return { denoms, pagination };
}

export function encodeQuerySendEnabledRequest(req: {
  readonly denoms?: readonly string[];
  readonly pagination?: PageRequest;
}): Uint8Array {
  const w = new ProtoWriter();
  for (const d of req.denoms ?? []) w.string(1, d, true);
  if (req.pagination !== undefined) w.message(99, encodePageRequest(req.pagination));
  return w.finish();
}

/** `QuerySendEnabledResponse{1 send_enabled, 99 pagination}`; the page is absent when denoms were named. */
export function encodeQuerySendEnabledResponse(
  list: readonly SendEnabled[],
  page: PageResponse | undefined,
): Uint8Array {
  const w = new ProtoWriter();
  for (const e of list) w.message(1, new ProtoWriter().string(1, e.denom).bool(2, e.enabled).finish());
  if (page !== undefined) w.message(99, encodePageResponse(page));
  return w.finish();
}

export function decodeQuerySendEnabledResponse(bytes: Uint8Array): {
  readonly sendEnabled: SendEnabled[];
  readonly pagination: PageResponse | undefined;
} {
  const sendEnabled: SendEnabled[] = [];
  let pagination: PageResponse | undefined;
  decodeFields(bytes, "QuerySendEnabledResponse", {
    1: field.message(decodeSendEnabled, (v) => sendEnabled.push(v)),
    99: field.message(decodePageResponse, (v) => (pagination = v)),
  });
  return { sendEnabled, pagination };
}

/** `Params{1 send_enabled (deprecated, empty here), 2 default_send_enabled}`. */
export function decodeBankParams(bytes: Uint8Array): BankParams {
  let defaultSendEnabled = false;
  decodeFields(bytes, "bank.Params", {
    1: field.message(decodeSendEnabled, () => undefined),
    2: field.bool((v) => (defaultSendEnabled = v)),
  });
  return { defaultSendEnabled };
}
