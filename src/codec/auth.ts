/**
 * `cosmos.auth.v1beta1`: BaseAccount, ModuleAccount, Params and the requests and responses of every
 * `Query` method, with upstream's field numbers. `PageRequest`/`PageResponse` live in `staking.ts`.
 */
import { CodecError } from "./errors.ts";
import { ProtoWriter, decodeFields, field } from "./protobuf.ts";
import {
  type PageRequest,
  type PageResponse,
  decodeListResponse,
  decodePageOnlyRequest,
  encodeListResponse,
  encodePageOnlyRequest,
} from "./staking.ts";
import { type Any, decodeAny, encodeAny } from "./tx.ts";

export const BASE_ACCOUNT_URL = "/cosmos.auth.v1beta1.BaseAccount";
export const MODULE_ACCOUNT_URL = "/cosmos.auth.v1beta1.ModuleAccount";

export interface BaseAccount {
  readonly address: string;
  readonly pubKey: Any | undefined;
  readonly accountNumber: bigint;
  readonly sequence: bigint;
}

export interface ModuleAccount {
  readonly baseAccount: BaseAccount;
  readonly name: string;
  readonly permissions: readonly string[];
}

export function encodeBaseAccount(a: BaseAccount): Uint8Array {
  const w = new ProtoWriter().string(1, a.address);
  if (a.pubKey !== undefined) w.message(2, encodeAny(a.pubKey));
  return w.uint(3, a.accountNumber).uint(4, a.sequence).finish();
}

/** Bytes of `value` as a protobuf varint (`value` a non-negative integer below 2^64). */
function varintSize(value: bigint | number): number {
  let size = 1;
  if (typeof value === "number" || value <= 0xffff_ffffn) {
    // Small numbers (sizes, sequences, account numbers) without BigInt arithmetic.
    let n = Number(value);
    while (n >= 0x80) {
      n = Math.floor(n / 128);
      size++;
    }
    return size;
  }
  let v = value;
  while (v >= 0x80n) {
    v >>= 7n;
    size++;
  }
  return size;
}

function writeVarint(out: Uint8Array, at: number, value: bigint | number): number {
  if (typeof value === "number" || value <= 0xffff_ffffn) {
    let n = Number(value);
    while (n >= 0x80) {
      out[at++] = (n & 0x7f) | 0x80;
      n = Math.floor(n / 128);
    }
    out[at++] = n;
    return at;
  }
  let v = value;
  while (v >= 0x80n) {
    out[at++] = Number(v & 0x7fn) | 0x80;
    v >>= 7n;
  }
  out[at++] = Number(v);
  return at;
}

/** A string field's UTF-8 is its characters: up to 127 characters, all ASCII. */
function isShortAscii(text: string): boolean {
  if (text.length > 127) return false;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) >= 0x80) return false;
  return true;
}

function writeAscii(out: Uint8Array, at: number, text: string): number {
  for (let i = 0; i < text.length; i++) out[at++] = text.charCodeAt(i);
  return at;
}

const MAX_UINT64 = (1n << 64n) - 1n;

/**
 * The account's stored form, `encodeAny({typeUrl: BASE_ACCOUNT_URL, value: encodeBaseAccount(a)})`,
 * byte for byte, written in one pass into one array (every tx's sequence increment stores its
 * signer's account). Accounts outside the common shape (non-ASCII or long strings, a long key, numbers
 * out of range) take the general encoders, which also give their errors.
 */
export function encodeBaseAccountAny(a: BaseAccount): Uint8Array {
  const { address, pubKey, accountNumber, sequence } = a;
  if (
    !isShortAscii(address) ||
    (pubKey !== undefined && (!isShortAscii(pubKey.typeUrl) || pubKey.value.length > 127)) ||
    accountNumber < 0n ||
    accountNumber > MAX_UINT64 ||
    sequence < 0n ||
    sequence > MAX_UINT64
  ) {
    return encodeAny({ typeUrl: BASE_ACCOUNT_URL, value: encodeBaseAccount(a) });
  }
  // Field sizes as ProtoWriter writes them: empty strings and bytes and zero numbers are left out,
  // an embedded message is always written.
  const keySize =
    pubKey === undefined
      ? 0
      : (pubKey.typeUrl.length > 0 ? 2 + pubKey.typeUrl.length : 0) +
        (pubKey.value.length > 0 ? 2 + pubKey.value.length : 0);
  const valueSize =
    (address.length > 0 ? 2 + address.length : 0) +
    (pubKey === undefined ? 0 : 1 + varintSize(keySize) + keySize) +
    (accountNumber !== 0n ? 1 + varintSize(accountNumber) : 0) +
    (sequence !== 0n ? 1 + varintSize(sequence) : 0);
  const total = 2 + BASE_ACCOUNT_URL.length + (valueSize > 0 ? 1 + varintSize(valueSize) + valueSize : 0);
  const out = new Uint8Array(total);
  out[0] = 0x0a;
  out[1] = BASE_ACCOUNT_URL.length;
  let at = writeAscii(out, 2, BASE_ACCOUNT_URL);
  if (valueSize === 0) return out;
  out[at++] = 0x12;
  at = writeVarint(out, at, valueSize);
  if (address.length > 0) {
    out[at++] = 0x0a;
    out[at++] = address.length;
    at = writeAscii(out, at, address);
  }
  if (pubKey !== undefined) {
    out[at++] = 0x12;
    at = writeVarint(out, at, keySize);
    if (pubKey.typeUrl.length > 0) {
      out[at++] = 0x0a;
      out[at++] = pubKey.typeUrl.length;
      at = writeAscii(out, at, pubKey.typeUrl);
    }
    if (pubKey.value.length > 0) {
      out[at++] = 0x12;
      out[at++] = pubKey.value.length;
      out.set(pubKey.value, at);
      at += pubKey.value.length;
    }
  }
  if (accountNumber !== 0n) {
    out[at++] = 0x18;
    at = writeVarint(out, at, accountNumber);
  }
  if (sequence !== 0n) {
    out[at++] = 0x20;
    at = writeVarint(out, at, sequence);
  }
  if (at !== total) throw new CodecError("CODEC_INVALID_VALUE", "BaseAccount size mismatch");
  return out;
}

export function decodeBaseAccount(bytes: Uint8Array): BaseAccount {
  let address = "";
  let pubKey: Any | undefined;
  let accountNumber = 0n;
  let sequence = 0n;
  decodeFields(bytes, "BaseAccount", {
    1: field.string((v) => (address = v)),
    2: field.message(decodeAny, (v) => (pubKey = v)),
    3: field.uint64((v) => (accountNumber = v)),
    4: field.uint64((v) => (sequence = v)),
  });
  return { address, pubKey, accountNumber, sequence };
}

export function encodeModuleAccount(a: ModuleAccount): Uint8Array {
  const w = new ProtoWriter().message(1, encodeBaseAccount(a.baseAccount)).string(2, a.name);
  for (const p of a.permissions) w.string(3, p, true);
  return w.finish();
}

export function decodeModuleAccount(bytes: Uint8Array): ModuleAccount {
  let baseAccount: BaseAccount | undefined;
  let name = "";
  const permissions: string[] = [];
  decodeFields(bytes, "ModuleAccount", {
    1: field.message(decodeBaseAccount, (v) => (baseAccount = v)),
    2: field.string((v) => (name = v)),
    3: field.string((v) => permissions.push(v)),
  });
  if (baseAccount === undefined) throw new CodecError("CODEC_INVALID_VALUE", "ModuleAccount: no base_account");
  return { baseAccount, name, permissions };
}

export interface AuthParams {
  readonly maxMemoCharacters: bigint;
  readonly txSigLimit: bigint;
  readonly txSizeCostPerByte: bigint;
  readonly sigVerifyCostEd25519: bigint;
  readonly sigVerifyCostSecp256k1: bigint;
}

export function encodeAuthParams(p: AuthParams): Uint8Array {
  return new ProtoWriter()
    .uint(1, p.maxMemoCharacters)
    .uint(2, p.txSigLimit)
    .uint(3, p.txSizeCostPerByte)
    .uint(4, p.sigVerifyCostEd25519)
    .uint(5, p.sigVerifyCostSecp256k1)
    .finish();
}

export function decodeAuthParams(bytes: Uint8Array): AuthParams {
  const p = {
    maxMemoCharacters: 0n,
    txSigLimit: 0n,
    txSizeCostPerByte: 0n,
    sigVerifyCostEd25519: 0n,
    sigVerifyCostSecp256k1: 0n,
  };
  decodeFields(bytes, "auth.Params", {
    1: field.uint64((v) => (p.maxMemoCharacters = v)),
    2: field.uint64((v) => (p.txSigLimit = v)),
    3: field.uint64((v) => (p.txSizeCostPerByte = v)),
    4: field.uint64((v) => (p.sigVerifyCostEd25519 = v)),
    5: field.uint64((v) => (p.sigVerifyCostSecp256k1 = v)),
  });
  return p;
}

/** `QueryAccountRequest{1 address}`. */
export function decodeQueryAccountRequest(bytes: Uint8Array): { readonly address: string } {
  let address = "";
  decodeFields(bytes, "QueryAccountRequest", { 1: field.string((v) => (address = v)) });
  return { address };
}

export function encodeQueryAccountRequest(req: { readonly address: string }): Uint8Array {
  return new ProtoWriter().string(1, req.address).finish();
}

/** `QueryAccountResponse{1 account Any}`. */
export function encodeQueryAccountResponse(account: Any): Uint8Array {
  return new ProtoWriter().message(1, encodeAny(account)).finish();
}

export function decodeQueryAccountResponse(bytes: Uint8Array): Any {
  let account: Any | undefined;
  decodeFields(bytes, "QueryAccountResponse", { 1: field.message(decodeAny, (v) => (account = v)) });
  if (account === undefined) throw new CodecError("CODEC_INVALID_VALUE", "QueryAccountResponse: no account");
  return account;
}

/** `QueryParamsResponse{1 params}` (auth and bank share the shape). */
export function encodeParamsResponse(params: Uint8Array): Uint8Array {
  return new ProtoWriter().message(1, params).finish();
}

export function decodeParamsResponse(bytes: Uint8Array): Uint8Array {
  let params: Uint8Array = new Uint8Array(0);
  decodeFields(bytes, "QueryParamsResponse", { 1: field.bytes((v) => (params = v)) });
  return params;
}

// The other `cosmos.auth.v1beta1.Query` methods (SDK 0.50 field numbers).

/** `QueryAccountsRequest{1 pagination}`. */
export function decodeQueryAccountsRequest(bytes: Uint8Array): { readonly pagination: PageRequest | undefined } {
  return decodePageOnlyRequest(bytes, "QueryAccountsRequest");
}

export function encodeQueryAccountsRequest(req: { readonly pagination?: PageRequest | undefined }): Uint8Array {
  return encodePageOnlyRequest(req.pagination);
}

/** `QueryAccountsResponse{1 accounts Any[], 2 pagination}` (pagination always present, as upstream). */
export function encodeQueryAccountsResponse(accounts: readonly Any[], page: PageResponse): Uint8Array {
  return encodeListResponse(accounts.map(encodeAny), page);
}

export function decodeQueryAccountsResponse(bytes: Uint8Array): {
  readonly accounts: Any[];
  readonly pagination: PageResponse | undefined;
} {
  const { items, page } = decodeListResponse(bytes, "QueryAccountsResponse", decodeAny);
  return { accounts: items, pagination: page };
}

/** `QueryModuleAccountsResponse{1 accounts Any[]}` (its request is empty). */
export function encodeQueryModuleAccountsResponse(accounts: readonly Any[]): Uint8Array {
  return encodeListResponse(accounts.map(encodeAny), undefined);
}

export function decodeQueryModuleAccountsResponse(bytes: Uint8Array): Any[] {
  const accounts: Any[] = [];
  decodeFields(bytes, "QueryModuleAccountsResponse", { 1: field.message(decodeAny, (v) => accounts.push(v)) });
  return accounts;
}

/** `QueryModuleAccountByNameRequest{1 name}`; its response has the shape of `QueryAccountResponse`. */
export function decodeQueryModuleAccountByNameRequest(bytes: Uint8Array): { readonly name: string } {
  let name = "";
  decodeFields(bytes, "QueryModuleAccountByNameRequest", { 1: field.string((v) => (name = v)) });
  return { name };
}

export function encodeQueryModuleAccountByNameRequest(req: { readonly name: string }): Uint8Array {
  return new ProtoWriter().string(1, req.name).finish();
}

/**
 * `QueryAccountAddressByIDRequest{1 id int64 (deprecated), 2 account_id uint64}`. `id` is kept as the
 * raw varint (a negative int64 is a large number here); only "zero or not" matters.
 */
export function decodeQueryAccountAddressByIdRequest(bytes: Uint8Array): {
  readonly id: bigint;
  readonly accountId: bigint;
} {
  let id = 0n;
  let accountId = 0n;
  decodeFields(bytes, "QueryAccountAddressByIDRequest", {
    1: field.uint64((v) => (id = v)),
    2: field.uint64((v) => (accountId = v)),
  });
  return { id, accountId };
}

export function encodeQueryAccountAddressByIdRequest(req: {
  readonly id?: bigint;
  readonly accountId: bigint;
}): Uint8Array {
  return new ProtoWriter()
    .uint(1, req.id ?? 0n)
    .uint(2, req.accountId)
    .finish();
}

/**
 * One-string messages: `QueryAccountAddressByIDResponse{1 account_address}`, `Bech32PrefixResponse{1
 * bech32_prefix}`, `AddressBytesToStringResponse{1 address_string}`, `AddressStringToBytesRequest{1
 * address_string}`, `QueryAccountInfoRequest{1 address}`.
 */
export function encodeStringMessage(value: string): Uint8Array {
  return new ProtoWriter().string(1, value).finish();
}

export function decodeStringMessage(bytes: Uint8Array, what: string): string {
  let value = "";
  decodeFields(bytes, what, { 1: field.string((v) => (value = v)) });
  return value;
}

/** One-bytes messages: `AddressBytesToStringRequest{1 address_bytes}`, `AddressStringToBytesResponse{1 address_bytes}`. */
export function encodeBytesMessage(value: Uint8Array): Uint8Array {
  return new ProtoWriter().bytes(1, value).finish();
}

export function decodeBytesMessage(bytes: Uint8Array, what: string): Uint8Array {
  let value: Uint8Array = new Uint8Array(0);
  decodeFields(bytes, what, { 1: field.bytes((v) => (value = v)) });
  return value;
}

/** `QueryAccountInfoResponse{1 info BaseAccount}`. */
export function encodeQueryAccountInfoResponse(info: BaseAccount): Uint8Array {
  return new ProtoWriter().message(1, encodeBaseAccount(info)).finish();
}

export function decodeQueryAccountInfoResponse(bytes: Uint8Array): BaseAccount | undefined {
  let info: BaseAccount | undefined;
  decodeFields(bytes, "QueryAccountInfoResponse", { 1: field.message(decodeBaseAccount, (v) => (info = v)) });
  return info;
}

/** An empty request message (`Bech32PrefixRequest`, `QueryModuleAccountsRequest`, `QueryParamsRequest`). */
export function decodeEmptyRequest(bytes: Uint8Array, what: string): void {
  decodeFields(bytes, what, {});
}
