/**
 * `cosmos.staking.v1beta1` (Cosmos SDK 0.50): messages, stored records and queries, with upstream's
 * field numbers, plus the protobuf pieces the proof-of-stake modules share: `google.protobuf.Timestamp`
 * and `Duration` (as bigint nanoseconds), LegacyDec fields (the atomics' decimal text without a point,
 * chain-api.md §1.2), `DecCoin`, and `PageRequest`/`PageResponse`.
 *
 * Wire input (messages, requests) keeps amounts and decimals as text: the module parses them and turns
 * a bad one into its own error. Stored records and responses carry bigint and `Dec`.
 */
import { Dec, parseUint } from "../primitives/amount.ts";
import { CodecError } from "./errors.ts";
import { ProtoWriter, decodeFields, field } from "./protobuf.ts";
import { type Any, type ProtoCoin, decodeAny, decodeCoin, encodeAny, encodeCoin } from "./tx.ts";

// ---------------------------------------------------------------------------------------------------
// Shared pieces

const NANOS = 1_000_000_000n;
const EMPTY = new Uint8Array(0);

/** Timestamp `{1 seconds, 2 nanos}` of a non-negative instant in nanoseconds since the epoch. */
export function encodeTimestamp(nanos: bigint): Uint8Array {
  if (nanos < 0n) throw new CodecError("CODEC_INVALID_VALUE", "timestamp before 1970");
  return new ProtoWriter()
    .uint(1, nanos / NANOS)
    .uint(2, nanos % NANOS)
    .finish();
}

export function decodeTimestamp(bytes: Uint8Array): bigint {
  let seconds = 0n;
  let nanos = 0;
  decodeFields(bytes, "Timestamp", {
    1: field.uint64((v) => (seconds = v)),
    2: field.uint32((v) => (nanos = v)),
  });
  if (seconds >> 63n !== 0n) throw new CodecError("CODEC_INVALID_VALUE", "timestamp before 1970");
  if (nanos >= 1_000_000_000) throw new CodecError("CODEC_INVALID_VALUE", "timestamp nanos out of range");
  return seconds * NANOS + BigInt(nanos);
}

/** Duration `{1 seconds, 2 nanos}` (same layout as Timestamp). */
export const encodeDuration = encodeTimestamp;
export const decodeDuration = (bytes: Uint8Array): bigint => decodeTimestamp(bytes);

/** A LegacyDec protobuf field: the atomics as decimal text (0.05 → "50000000000000000"). */
export function encodeDecField(d: Dec): string {
  return d.atomics.toString();
}

export function decodeDecField(text: string): Dec {
  if (text === "") return Dec.ZERO;
  if (!/^-?(0|[1-9][0-9]*)$/.test(text)) throw new CodecError("CODEC_INVALID_VALUE", `invalid LegacyDec ${text}`);
  return Dec.fromAtomics(BigInt(text));
}

/** A `math.Int` protobuf field (decimal text, non-negative here). */
export function decodeIntField(text: string): bigint {
  if (text === "") return 0n;
  try {
    return parseUint(text);
  } catch {
    throw new CodecError("CODEC_INVALID_VALUE", `invalid Int ${text.slice(0, 80)}`);
  }
}

export interface DecCoin {
  readonly denom: string;
  readonly amount: Dec;
}

export function encodeDecCoin(c: DecCoin): Uint8Array {
  return new ProtoWriter().string(1, c.denom).string(2, encodeDecField(c.amount)).finish();
}

export function decodeDecCoin(bytes: Uint8Array): DecCoin {
  let denom = "";
  let amount = "";
  decodeFields(bytes, "DecCoin", {
    1: field.string((v) => (denom = v)),
    2: field.string((v) => (amount = v)),
  });
  return { denom, amount: decodeDecField(amount) };
}

export function writeDecCoins(w: ProtoWriter, fieldNumber: number, coins: readonly DecCoin[]): ProtoWriter {
  for (const c of coins) w.message(fieldNumber, encodeDecCoin(c));
  return w;
}

/** A message holding only `repeated DecCoin` at field 1 (DecCoins wrappers of distribution). */
export function encodeDecCoinsMessage(coins: readonly DecCoin[]): Uint8Array {
  return writeDecCoins(new ProtoWriter(), 1, coins).finish();
}

export function decodeDecCoinsMessage(bytes: Uint8Array, what = "DecCoins"): DecCoin[] {
  const out: DecCoin[] = [];
  decodeFields(bytes, what, { 1: field.message(decodeDecCoin, (v) => out.push(v)) });
  return out;
}

/** `cosmos.base.query.v1beta1.PageRequest`. */
export interface PageRequest {
  readonly key: Uint8Array;
  readonly offset: bigint;
  readonly limit: bigint;
  readonly countTotal: boolean;
  readonly reverse: boolean;
}

export const EMPTY_PAGE_REQUEST: PageRequest = {
  key: EMPTY,
  offset: 0n,
  limit: 0n,
  countTotal: false,
  reverse: false,
};

export function decodePageRequest(bytes: Uint8Array): PageRequest {
  let key: Uint8Array = EMPTY;
  let offset = 0n;
  let limit = 0n;
  let countTotal = false;
  let reverse = false;
  decodeFields(bytes, "PageRequest", {
    1: field.bytes((v) => (key = v)),
    2: field.uint64((v) => (offset = v)),
    3: field.uint64((v) => (limit = v)),
    4: field.bool((v) => (countTotal = v)),
    5: field.bool((v) => (reverse = v)),
  });
  return { key, offset, limit, countTotal, reverse };
}

export function encodePageRequest(p: PageRequest): Uint8Array {
  return new ProtoWriter()
    .bytes(1, p.key)
    .uint(2, p.offset)
    .uint(3, p.limit)
    .bool(4, p.countTotal)
    .bool(5, p.reverse)
    .finish();
}

export interface PageResponse {
  readonly nextKey: Uint8Array;
  readonly total: bigint;
}

export function encodePageResponse(p: PageResponse): Uint8Array {
  return new ProtoWriter().bytes(1, p.nextKey).uint(2, p.total).finish();
}

export function decodePageResponse(bytes: Uint8Array): PageResponse {
  let nextKey: Uint8Array = EMPTY;
  let total = 0n;
  decodeFields(bytes, "PageResponse", {
    1: field.bytes((v) => (nextKey = v)),
    2: field.uint64((v) => (total = v)),
  });
  return { nextKey, total };
}

/** A request of one optional page at field 1 (`QueryAccountsRequest`, `QueryTotalSupplyRequest`, …). */
export function decodePageOnlyRequest(
  bytes: Uint8Array,
  what: string,
): { readonly pagination: PageRequest | undefined } {
  let pagination: PageRequest | undefined;
  decodeFields(bytes, what, { 1: field.message(decodePageRequest, (v) => (pagination = v)) });
  return { pagination };
}

export function encodePageOnlyRequest(pagination?: PageRequest): Uint8Array {
  const w = new ProtoWriter();
  if (pagination !== undefined) w.message(1, encodePageRequest(pagination));
  return w.finish();
}

/** A request with only strings at fields 1..n and an optional PageRequest at `pageField`. */
export function decodeStringsRequest(
  bytes: Uint8Array,
  what: string,
  count: number,
  pageField?: number,
): { readonly strings: string[]; readonly page: PageRequest } {
  const strings: string[] = new Array<string>(count).fill("");
  let page = EMPTY_PAGE_REQUEST;
  const handlers: Record<number, ReturnType<typeof field.string>> = {};
  for (let i = 1; i <= count; i++) handlers[i] = field.string((v) => (strings[i - 1] = v));
  if (pageField !== undefined) handlers[pageField] = field.message(decodePageRequest, (v) => (page = v));
  decodeFields(bytes, what, handlers);
  return { strings, page };
}

export function encodeStringsRequest(strings: readonly string[], page?: PageRequest, pageField?: number): Uint8Array {
  const w = new ProtoWriter();
  strings.forEach((s, i) => w.string(i + 1, s));
  if (page !== undefined && pageField !== undefined) w.message(pageField, encodePageRequest(page));
  return w.finish();
}

/** A response `{1 repeated items, 2 pagination}`. */
export function encodeListResponse(items: readonly Uint8Array[], page: PageResponse | undefined): Uint8Array {
  const w = new ProtoWriter();
  for (const it of items) w.message(1, it);
  if (page !== undefined) w.message(2, encodePageResponse(page));
  return w.finish();
}

export function decodeListResponse<T>(
  bytes: Uint8Array,
  what: string,
  decode: (b: Uint8Array) => T,
): { readonly items: T[]; readonly page: PageResponse | undefined } {
  const items: T[] = [];
  let page: PageResponse | undefined;
  decodeFields(bytes, what, {
    1: field.message(decode, (v) => items.push(v)),
    2: field.message(decodePageResponse, (v) => (page = v)),
  });
  return { items, page };
}

/** A message with one embedded message at field 1 (most single-object query responses). */
export function encodeWrapped(inner: Uint8Array | undefined): Uint8Array {
  return inner === undefined ? EMPTY : new ProtoWriter().message(1, inner).finish();
}

export function decodeWrapped<T>(bytes: Uint8Array, what: string, decode: (b: Uint8Array) => T): T | undefined {
  let out: T | undefined;
  decodeFields(bytes, what, { 1: field.message(decode, (v) => (out = v)) });
  return out;
}

/** An empty request message (Pool, Params, …); anything else in it is refused. */
export function decodeEmptyRequest(bytes: Uint8Array, what: string): void {
  decodeFields(bytes, what, {});
}

/** Messages of the form `{1 authority, 2 params}` (`MsgUpdateParams` of every module). */
export interface MsgUpdateParamsRaw {
  readonly authority: string;
  readonly params: Uint8Array;
}

export function decodeMsgUpdateParams(bytes: Uint8Array): MsgUpdateParamsRaw {
  let authority = "";
  let params: Uint8Array = EMPTY;
  decodeFields(bytes, "MsgUpdateParams", {
    1: field.string((v) => (authority = v)),
    2: field.bytes((v) => (params = v)),
  });
  return { authority, params };
}

export function encodeMsgUpdateParams(m: MsgUpdateParamsRaw): Uint8Array {
  return new ProtoWriter().string(1, m.authority).message(2, m.params).finish();
}

// ---------------------------------------------------------------------------------------------------
// Staking

export const STAKING_URLS = {
  MsgCreateValidator: "/cosmos.staking.v1beta1.MsgCreateValidator",
  MsgEditValidator: "/cosmos.staking.v1beta1.MsgEditValidator",
  MsgDelegate: "/cosmos.staking.v1beta1.MsgDelegate",
  MsgUndelegate: "/cosmos.staking.v1beta1.MsgUndelegate",
  MsgBeginRedelegate: "/cosmos.staking.v1beta1.MsgBeginRedelegate",
  MsgCancelUnbondingDelegation: "/cosmos.staking.v1beta1.MsgCancelUnbondingDelegation",
  MsgUpdateParams: "/cosmos.staking.v1beta1.MsgUpdateParams",
} as const;

export interface Description {
  readonly moniker: string;
  readonly identity: string;
  readonly website: string;
  readonly securityContact: string;
  readonly details: string;
}

export const EMPTY_DESCRIPTION: Description = {
  moniker: "",
  identity: "",
  website: "",
  securityContact: "",
  details: "",
};

export function encodeDescription(d: Description): Uint8Array {
  return new ProtoWriter()
    .string(1, d.moniker)
    .string(2, d.identity)
    .string(3, d.website)
    .string(4, d.securityContact)
    .string(5, d.details)
    .finish();
}

export function decodeDescription(bytes: Uint8Array): Description {
  const d = { moniker: "", identity: "", website: "", securityContact: "", details: "" };
  decodeFields(bytes, "Description", {
    1: field.string((v) => (d.moniker = v)),
    2: field.string((v) => (d.identity = v)),
    3: field.string((v) => (d.website = v)),
    4: field.string((v) => (d.securityContact = v)),
    5: field.string((v) => (d.details = v)),
  });
  return d;
}

/** CommissionRates as text (wire input). */
export interface CommissionRatesText {
  readonly rate: string;
  readonly maxRate: string;
  readonly maxChangeRate: string;
}

function decodeCommissionRatesText(bytes: Uint8Array): CommissionRatesText {
  const r = { rate: "", maxRate: "", maxChangeRate: "" };
  decodeFields(bytes, "CommissionRates", {
    1: field.string((v) => (r.rate = v)),
    2: field.string((v) => (r.maxRate = v)),
    3: field.string((v) => (r.maxChangeRate = v)),
  });
  return r;
}

function encodeCommissionRatesText(r: CommissionRatesText): Uint8Array {
  return new ProtoWriter().string(1, r.rate).string(2, r.maxRate).string(3, r.maxChangeRate).finish();
}

export interface MsgCreateValidator {
  readonly description: Description;
  readonly commission: CommissionRatesText;
  readonly minSelfDelegation: string;
  readonly delegatorAddress: string;
  readonly validatorAddress: string;
  readonly pubkey: Any | undefined;
  readonly value: ProtoCoin | undefined;
}

export function decodeMsgCreateValidator(bytes: Uint8Array): MsgCreateValidator {
  let description = EMPTY_DESCRIPTION;
  let commission: CommissionRatesText = { rate: "", maxRate: "", maxChangeRate: "" };
  let minSelfDelegation = "";
  let delegatorAddress = "";
  let validatorAddress = "";
  let pubkey: Any | undefined;
  let value: ProtoCoin | undefined;
  decodeFields(bytes, "MsgCreateValidator", {
    1: field.message(decodeDescription, (v) => (description = v)),
    2: field.message(decodeCommissionRatesText, (v) => (commission = v)),
    3: field.string((v) => (minSelfDelegation = v)),
    4: field.string((v) => (delegatorAddress = v)),
    5: field.string((v) => (validatorAddress = v)),
    6: field.message(decodeAny, (v) => (pubkey = v)),
    7: field.message(decodeCoin, (v) => (value = v)),
  });
  return { description, commission, minSelfDelegation, delegatorAddress, validatorAddress, pubkey, value };
}

export function encodeMsgCreateValidator(m: MsgCreateValidator): Uint8Array {
  const w = new ProtoWriter()
    .message(1, encodeDescription(m.description))
    .message(2, encodeCommissionRatesText(m.commission))
    .string(3, m.minSelfDelegation)
    .string(4, m.delegatorAddress)
    .string(5, m.validatorAddress);
  if (m.pubkey !== undefined) w.message(6, encodeAny(m.pubkey));
  if (m.value !== undefined) w.message(7, encodeCoin(m.value));
  return w.finish();
}

export interface MsgEditValidator {
  readonly description: Description;
  readonly validatorAddress: string;
  /** Absent or "": unchanged. */
  readonly commissionRate: string;
  readonly minSelfDelegation: string;
}

export function decodeMsgEditValidator(bytes: Uint8Array): MsgEditValidator {
  let description = EMPTY_DESCRIPTION;
  let validatorAddress = "";
  let commissionRate = "";
  let minSelfDelegation = "";
  decodeFields(bytes, "MsgEditValidator", {
    1: field.message(decodeDescription, (v) => (description = v)),
    2: field.string((v) => (validatorAddress = v)),
    3: field.string((v) => (commissionRate = v)),
    4: field.string((v) => (minSelfDelegation = v)),
  });
  return { description, validatorAddress, commissionRate, minSelfDelegation };
}

export function encodeMsgEditValidator(m: MsgEditValidator): Uint8Array {
  return new ProtoWriter()
    .message(1, encodeDescription(m.description))
    .string(2, m.validatorAddress)
    .string(3, m.commissionRate)
    .string(4, m.minSelfDelegation)
    .finish();
}

/** MsgDelegate and MsgUndelegate: `{1 delegator_address, 2 validator_address, 3 amount}`. */
export interface MsgDelegate {
  readonly delegatorAddress: string;
  readonly validatorAddress: string;
  readonly amount: ProtoCoin | undefined;
}

export function decodeMsgDelegate(bytes: Uint8Array): MsgDelegate {
  let delegatorAddress = "";
  let validatorAddress = "";
  let amount: ProtoCoin | undefined;
  decodeFields(bytes, "MsgDelegate", {
    1: field.string((v) => (delegatorAddress = v)),
    2: field.string((v) => (validatorAddress = v)),
    3: field.message(decodeCoin, (v) => (amount = v)),
  });
  return { delegatorAddress, validatorAddress, amount };
}

export function encodeMsgDelegate(m: MsgDelegate): Uint8Array {
  const w = new ProtoWriter().string(1, m.delegatorAddress).string(2, m.validatorAddress);
  if (m.amount !== undefined) w.message(3, encodeCoin(m.amount));
  return w.finish();
}

export interface MsgBeginRedelegate {
  readonly delegatorAddress: string;
  readonly validatorSrcAddress: string;
  readonly validatorDstAddress: string;
  readonly amount: ProtoCoin | undefined;
}

export function decodeMsgBeginRedelegate(bytes: Uint8Array): MsgBeginRedelegate {
  let delegatorAddress = "";
  let validatorSrcAddress = "";
  let validatorDstAddress = "";
  let amount: ProtoCoin | undefined;
  decodeFields(bytes, "MsgBeginRedelegate", {
    1: field.string((v) => (delegatorAddress = v)),
    2: field.string((v) => (validatorSrcAddress = v)),
    3: field.string((v) => (validatorDstAddress = v)),
    4: field.message(decodeCoin, (v) => (amount = v)),
  });
  return { delegatorAddress, validatorSrcAddress, validatorDstAddress, amount };
}

export function encodeMsgBeginRedelegate(m: MsgBeginRedelegate): Uint8Array {
  const w = new ProtoWriter()
    .string(1, m.delegatorAddress)
    .string(2, m.validatorSrcAddress)
    .string(3, m.validatorDstAddress);
  if (m.amount !== undefined) w.message(4, encodeCoin(m.amount));
  return w.finish();
}

export interface MsgCancelUnbondingDelegation extends MsgDelegate {
  readonly creationHeight: bigint;
}

export function decodeMsgCancelUnbondingDelegation(bytes: Uint8Array): MsgCancelUnbondingDelegation {
  let delegatorAddress = "";
  let validatorAddress = "";
  let amount: ProtoCoin | undefined;
  let creationHeight = 0n;
  decodeFields(bytes, "MsgCancelUnbondingDelegation", {
    1: field.string((v) => (delegatorAddress = v)),
    2: field.string((v) => (validatorAddress = v)),
    3: field.message(decodeCoin, (v) => (amount = v)),
    4: field.uint64((v) => (creationHeight = v)),
  });
  return { delegatorAddress, validatorAddress, amount, creationHeight };
}

export function encodeMsgCancelUnbondingDelegation(m: MsgCancelUnbondingDelegation): Uint8Array {
  const w = new ProtoWriter().string(1, m.delegatorAddress).string(2, m.validatorAddress);
  if (m.amount !== undefined) w.message(3, encodeCoin(m.amount));
  return w.uint(4, m.creationHeight).finish();
}

/** `{1 completion_time}` (MsgBeginRedelegateResponse). */
export const encodeCompletionTimeResponse = (nanos: bigint): Uint8Array =>
  new ProtoWriter().message(1, encodeTimestamp(nanos)).finish();

/** MsgUndelegateResponse `{1 completion_time, 2 amount}`. */
export const encodeMsgUndelegateResponse = (nanos: bigint, amount: ProtoCoin): Uint8Array =>
  new ProtoWriter().message(1, encodeTimestamp(nanos)).message(2, encodeCoin(amount)).finish();

export function decodeCompletionTime(bytes: Uint8Array): bigint {
  let t = 0n;
  decodeFields(bytes, "CompletionTimeResponse", {
    1: field.message(decodeTimestamp, (v) => (t = v)),
    2: field.bytes(() => undefined),
  });
  return t;
}

export interface StakingParams {
  /** Nanoseconds. */
  readonly unbondingTime: bigint;
  readonly maxValidators: number;
  readonly maxEntries: number;
  readonly historicalEntries: number;
  readonly bondDenom: string;
  readonly minCommissionRate: Dec;
}

export function encodeStakingParams(p: StakingParams): Uint8Array {
  return new ProtoWriter()
    .message(1, encodeDuration(p.unbondingTime))
    .uint(2, p.maxValidators)
    .uint(3, p.maxEntries)
    .uint(4, p.historicalEntries)
    .string(5, p.bondDenom)
    .string(6, encodeDecField(p.minCommissionRate))
    .finish();
}

export function decodeStakingParams(bytes: Uint8Array): StakingParams {
  let unbondingTime = 0n;
  let maxValidators = 0;
  let maxEntries = 0;
  let historicalEntries = 0;
  let bondDenom = "";
  let minCommissionRate = Dec.ZERO;
  decodeFields(bytes, "staking.Params", {
    1: field.message(decodeDuration, (v) => (unbondingTime = v)),
    2: field.uint32((v) => (maxValidators = v)),
    3: field.uint32((v) => (maxEntries = v)),
    4: field.uint32((v) => (historicalEntries = v)),
    5: field.string((v) => (bondDenom = v)),
    6: field.string((v) => (minCommissionRate = decodeDecField(v))),
  });
  return { unbondingTime, maxValidators, maxEntries, historicalEntries, bondDenom, minCommissionRate };
}

/** BondStatus enum. */
export const BondStatus = { Unspecified: 0, Unbonded: 1, Unbonding: 2, Bonded: 3 } as const;
export type BondStatus = (typeof BondStatus)[keyof typeof BondStatus];
export const BOND_STATUS_NAMES = [
  "BOND_STATUS_UNSPECIFIED",
  "BOND_STATUS_UNBONDED",
  "BOND_STATUS_UNBONDING",
  "BOND_STATUS_BONDED",
] as const;

export interface CommissionRates {
  readonly rate: Dec;
  readonly maxRate: Dec;
  readonly maxChangeRate: Dec;
}

export interface Commission {
  readonly rates: CommissionRates;
  readonly updateTime: bigint;
}

export interface Validator {
  /** Bech32 `secretvaloper…`. */
  readonly operatorAddress: string;
  /** The ed25519 public key as an Any (`/cosmos.crypto.ed25519.PubKey`). */
  readonly consensusPubkey: Any;
  readonly jailed: boolean;
  readonly status: BondStatus;
  readonly tokens: bigint;
  readonly delegatorShares: Dec;
  readonly description: Description;
  readonly unbondingHeight: bigint;
  readonly unbondingTime: bigint;
  readonly commission: Commission;
  readonly minSelfDelegation: bigint;
  readonly unbondingOnHoldRefCount: bigint;
  readonly unbondingIds: readonly bigint[];
}

function encodeCommission(c: Commission): Uint8Array {
  const rates = new ProtoWriter()
    .string(1, encodeDecField(c.rates.rate))
    .string(2, encodeDecField(c.rates.maxRate))
    .string(3, encodeDecField(c.rates.maxChangeRate))
    .finish();
  return new ProtoWriter().message(1, rates).message(2, encodeTimestamp(c.updateTime)).finish();
}

function decodeCommission(bytes: Uint8Array): Commission {
  let rates: CommissionRates = { rate: Dec.ZERO, maxRate: Dec.ZERO, maxChangeRate: Dec.ZERO };
  let updateTime = 0n;
  decodeFields(bytes, "Commission", {
    1: field.message(decodeCommissionRatesText, (t) => {
      rates = {
        rate: decodeDecField(t.rate),
        maxRate: decodeDecField(t.maxRate),
        maxChangeRate: decodeDecField(t.maxChangeRate),
      };
    }),
    2: field.message(decodeTimestamp, (v) => (updateTime = v)),
  });
  return { rates, updateTime };
}

export function encodeValidator(v: Validator): Uint8Array {
  const w = new ProtoWriter()
    .string(1, v.operatorAddress)
    .message(2, encodeAny(v.consensusPubkey))
    .bool(3, v.jailed)
    .uint(4, v.status)
    .string(5, v.tokens.toString())
    .string(6, encodeDecField(v.delegatorShares))
    .message(7, encodeDescription(v.description))
    .uint(8, v.unbondingHeight)
    .message(9, encodeTimestamp(v.unbondingTime))
    .message(10, encodeCommission(v.commission))
    .string(11, v.minSelfDelegation.toString())
    .uint(12, v.unbondingOnHoldRefCount);
  // packed repeated uint64: the varints one after another in one length-delimited field
  if (v.unbondingIds.length > 0) w.bytes(13, concatVarints(v.unbondingIds), true);
  return w.finish();
}

function concatVarints(values: readonly bigint[]): Uint8Array {
  const out: number[] = [];
  for (const value of values) {
    let v = value;
    while (v >= 0x80n) {
      out.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    out.push(Number(v));
  }
  return Uint8Array.from(out);
}

export function decodeValidator(bytes: Uint8Array): Validator {
  let operatorAddress = "";
  let consensusPubkey: Any = { typeUrl: "", value: EMPTY };
  let jailed = false;
  let status: number = 0;
  let tokens = 0n;
  let delegatorShares = Dec.ZERO;
  let description = EMPTY_DESCRIPTION;
  let unbondingHeight = 0n;
  let unbondingTime = 0n;
  let commission: Commission = {
    rates: { rate: Dec.ZERO, maxRate: Dec.ZERO, maxChangeRate: Dec.ZERO },
    updateTime: 0n,
  };
  let minSelfDelegation = 0n;
  let unbondingOnHoldRefCount = 0n;
  const unbondingIds: bigint[] = [];
  decodeFields(bytes, "Validator", {
    1: field.string((v) => (operatorAddress = v)),
    2: field.message(decodeAny, (v) => (consensusPubkey = v)),
    3: field.bool((v) => (jailed = v)),
    4: field.enumeration((v) => (status = v)),
    5: field.string((v) => (tokens = decodeIntField(v))),
    6: field.string((v) => (delegatorShares = decodeDecField(v))),
    7: field.message(decodeDescription, (v) => (description = v)),
    8: field.uint64((v) => (unbondingHeight = v)),
    9: field.message(decodeTimestamp, (v) => (unbondingTime = v)),
    10: field.message(decodeCommission, (v) => (commission = v)),
    11: field.string((v) => (minSelfDelegation = decodeIntField(v))),
    12: field.uint64((v) => (unbondingOnHoldRefCount = v)),
    13: field.bytes(() => undefined),
  });
  if (status > 3) throw new CodecError("CODEC_INVALID_VALUE", `invalid bond status ${status}`);
  return {
    operatorAddress,
    consensusPubkey,
    jailed,
    status: status as BondStatus,
    tokens,
    delegatorShares,
    description,
    unbondingHeight,
    unbondingTime,
    commission,
    minSelfDelegation,
    unbondingOnHoldRefCount,
    unbondingIds,
  };
}

export interface Delegation {
  readonly delegatorAddress: string;
  readonly validatorAddress: string;
  readonly shares: Dec;
}

export function encodeDelegation(d: Delegation): Uint8Array {
  return new ProtoWriter()
    .string(1, d.delegatorAddress)
    .string(2, d.validatorAddress)
    .string(3, encodeDecField(d.shares))
    .finish();
}

export function decodeDelegation(bytes: Uint8Array): Delegation {
  let delegatorAddress = "";
  let validatorAddress = "";
  let shares = Dec.ZERO;
  decodeFields(bytes, "Delegation", {
    1: field.string((v) => (delegatorAddress = v)),
    2: field.string((v) => (validatorAddress = v)),
    3: field.string((v) => (shares = decodeDecField(v))),
  });
  return { delegatorAddress, validatorAddress, shares };
}

export interface UnbondingEntry {
  readonly creationHeight: bigint;
  readonly completionTime: bigint;
  readonly initialBalance: bigint;
  readonly balance: bigint;
  readonly unbondingId: bigint;
}

export interface UnbondingDelegation {
  readonly delegatorAddress: string;
  readonly validatorAddress: string;
  readonly entries: readonly UnbondingEntry[];
}

function encodeUnbondingEntry(e: UnbondingEntry): Uint8Array {
  return new ProtoWriter()
    .uint(1, e.creationHeight)
    .message(2, encodeTimestamp(e.completionTime))
    .string(3, e.initialBalance.toString())
    .string(4, e.balance.toString())
    .uint(5, e.unbondingId)
    .finish();
}

function decodeUnbondingEntry(bytes: Uint8Array): UnbondingEntry {
  const e = { creationHeight: 0n, completionTime: 0n, initialBalance: 0n, balance: 0n, unbondingId: 0n };
  decodeFields(bytes, "UnbondingDelegationEntry", {
    1: field.uint64((v) => (e.creationHeight = v)),
    2: field.message(decodeTimestamp, (v) => (e.completionTime = v)),
    3: field.string((v) => (e.initialBalance = decodeIntField(v))),
    4: field.string((v) => (e.balance = decodeIntField(v))),
    5: field.uint64((v) => (e.unbondingId = v)),
    6: field.uint64(() => undefined),
  });
  return e;
}

export function encodeUnbondingDelegation(u: UnbondingDelegation): Uint8Array {
  const w = new ProtoWriter().string(1, u.delegatorAddress).string(2, u.validatorAddress);
  for (const e of u.entries) w.message(3, encodeUnbondingEntry(e));
  return w.finish();
}

export function decodeUnbondingDelegation(bytes: Uint8Array): UnbondingDelegation {
  let delegatorAddress = "";
  let validatorAddress = "";
  const entries: UnbondingEntry[] = [];
  decodeFields(bytes, "UnbondingDelegation", {
    1: field.string((v) => (delegatorAddress = v)),
    2: field.string((v) => (validatorAddress = v)),
    3: field.message(decodeUnbondingEntry, (v) => entries.push(v)),
  });
  return { delegatorAddress, validatorAddress, entries };
}

export interface RedelegationEntry {
  readonly creationHeight: bigint;
  readonly completionTime: bigint;
  readonly initialBalance: bigint;
  readonly sharesDst: Dec;
  readonly unbondingId: bigint;
}

export interface Redelegation {
  readonly delegatorAddress: string;
  readonly validatorSrcAddress: string;
  readonly validatorDstAddress: string;
  readonly entries: readonly RedelegationEntry[];
}

function encodeRedelegationEntry(e: RedelegationEntry): Uint8Array {
  return new ProtoWriter()
    .uint(1, e.creationHeight)
    .message(2, encodeTimestamp(e.completionTime))
    .string(3, e.initialBalance.toString())
    .string(4, encodeDecField(e.sharesDst))
    .uint(5, e.unbondingId)
    .finish();
}

function decodeRedelegationEntry(bytes: Uint8Array): RedelegationEntry {
  let creationHeight = 0n;
  let completionTime = 0n;
  let initialBalance = 0n;
  let sharesDst = Dec.ZERO;
  let unbondingId = 0n;
  decodeFields(bytes, "RedelegationEntry", {
    1: field.uint64((v) => (creationHeight = v)),
    2: field.message(decodeTimestamp, (v) => (completionTime = v)),
    3: field.string((v) => (initialBalance = decodeIntField(v))),
    4: field.string((v) => (sharesDst = decodeDecField(v))),
    5: field.uint64((v) => (unbondingId = v)),
    6: field.uint64(() => undefined),
  });
  return { creationHeight, completionTime, initialBalance, sharesDst, unbondingId };
}

export function encodeRedelegation(r: Redelegation): Uint8Array {
  const w = new ProtoWriter()
    .string(1, r.delegatorAddress)
    .string(2, r.validatorSrcAddress)
    .string(3, r.validatorDstAddress);
  for (const e of r.entries) w.message(4, encodeRedelegationEntry(e));
  return w.finish();
}

export function decodeRedelegation(bytes: Uint8Array): Redelegation {
  let delegatorAddress = "";
  let validatorSrcAddress = "";
  let validatorDstAddress = "";
  const entries: RedelegationEntry[] = [];
  decodeFields(bytes, "Redelegation", {
    1: field.string((v) => (delegatorAddress = v)),
    2: field.string((v) => (validatorSrcAddress = v)),
    3: field.string((v) => (validatorDstAddress = v)),
    4: field.message(decodeRedelegationEntry, (v) => entries.push(v)),
  });
  return { delegatorAddress, validatorSrcAddress, validatorDstAddress, entries };
}

/** RedelegationResponse `{1 redelegation, 2 entries[{1 redelegation_entry, 4 balance}]}`. */
export function encodeRedelegationResponse(r: Redelegation, balances: readonly bigint[]): Uint8Array {
  const w = new ProtoWriter().message(1, encodeRedelegation(r));
  r.entries.forEach((e, i) => {
    w.message(
      2,
      new ProtoWriter()
        .message(1, encodeRedelegationEntry(e))
        .string(4, (balances[i] ?? 0n).toString())
        .finish(),
    );
  });
  return w.finish();
}

/** DelegationResponse `{1 delegation, 2 balance}`. */
export interface DelegationResponse {
  readonly delegation: Delegation;
  readonly balance: ProtoCoin;
}

export function encodeDelegationResponse(r: DelegationResponse): Uint8Array {
  return new ProtoWriter().message(1, encodeDelegation(r.delegation)).message(2, encodeCoin(r.balance)).finish();
}

export function decodeDelegationResponse(bytes: Uint8Array): DelegationResponse {
  let delegation: Delegation = { delegatorAddress: "", validatorAddress: "", shares: Dec.ZERO };
  let balance: ProtoCoin = { denom: "", amount: "0" };
  decodeFields(bytes, "DelegationResponse", {
    1: field.message(decodeDelegation, (v) => (delegation = v)),
    2: field.message(decodeCoin, (v) => (balance = v)),
  });
  return { delegation, balance };
}

export interface Pool {
  readonly notBondedTokens: bigint;
  readonly bondedTokens: bigint;
}

export function encodePool(p: Pool): Uint8Array {
  return new ProtoWriter().string(1, p.notBondedTokens.toString()).string(2, p.bondedTokens.toString()).finish();
}

export function decodePool(bytes: Uint8Array): Pool {
  let notBondedTokens = 0n;
  let bondedTokens = 0n;
  decodeFields(bytes, "Pool", {
    1: field.string((v) => (notBondedTokens = decodeIntField(v))),
    2: field.string((v) => (bondedTokens = decodeIntField(v))),
  });
  return { notBondedTokens, bondedTokens };
}

/** HistoricalInfo `{1 header (tendermint.types.Header: 2 chain_id, 3 height, 4 time), 2 valset}`. */
export interface HistoricalInfo {
  readonly chainId: string;
  readonly height: bigint;
  readonly timeNanos: bigint;
  readonly valset: readonly Validator[];
}

export function encodeHistoricalInfo(h: HistoricalInfo): Uint8Array {
  const header = new ProtoWriter()
    .string(2, h.chainId)
    .uint(3, h.height)
    .message(4, encodeTimestamp(h.timeNanos))
    .finish();
  const w = new ProtoWriter().message(1, header);
  for (const v of h.valset) w.message(2, encodeValidator(v));
  return w.finish();
}

export function decodeHistoricalInfo(bytes: Uint8Array): HistoricalInfo {
  let chainId = "";
  let height = 0n;
  let timeNanos = 0n;
  const valset: Validator[] = [];
  decodeFields(bytes, "HistoricalInfo", {
    1: field.message(
      (b) =>
        decodeFields(
          b,
          "Header",
          {
            2: field.string((v) => (chainId = v)),
            3: field.uint64((v) => (height = v)),
            4: field.message(decodeTimestamp, (v) => (timeNanos = v)),
          },
          { allowUnknown: true },
        ),
      () => undefined,
    ),
    2: field.message(decodeValidator, (v) => valset.push(v)),
  });
  return { chainId, height, timeNanos, valset };
}

/** `QueryHistoricalInfoRequest{1 height}`. */
export function decodeHeightRequest(bytes: Uint8Array, what: string): bigint {
  let height = 0n;
  decodeFields(bytes, what, { 1: field.uint64((v) => (height = v)) });
  return height;
}

export const encodeHeightRequest = (height: bigint): Uint8Array => new ProtoWriter().uint(1, height).finish();
