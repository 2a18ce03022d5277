/**
 * `cosmos.auth.v1beta1`: BaseAccount, ModuleAccount, Params and the account/params queries, with
 * upstream's field numbers.
 */
import { CodecError } from "./errors.ts";
import { ProtoWriter, decodeFields, field } from "./protobuf.ts";
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
