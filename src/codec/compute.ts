/** `secret.compute.v1beta1` messages (chain-api.md §3.1): field numbers and types exactly as upstream's proto. */
import { ProtoWriter, decodeFields, field } from "./protobuf.ts";
import { type ProtoCoin, decodeCoin, writeCoins } from "./tx.ts";

export const COMPUTE_URLS = {
  storeCode: "/secret.compute.v1beta1.MsgStoreCode",
  instantiate: "/secret.compute.v1beta1.MsgInstantiateContract",
  execute: "/secret.compute.v1beta1.MsgExecuteContract",
  migrate: "/secret.compute.v1beta1.MsgMigrateContract",
  updateAdmin: "/secret.compute.v1beta1.MsgUpdateAdmin",
  clearAdmin: "/secret.compute.v1beta1.MsgClearAdmin",
} as const;

const EMPTY: Uint8Array = new Uint8Array(0);

export interface MsgStoreCode {
  readonly sender: Uint8Array;
  readonly wasmByteCode: Uint8Array;
  readonly source: string;
  readonly builder: string;
}

export function decodeMsgStoreCode(bytes: Uint8Array): MsgStoreCode {
  let sender = EMPTY;
  let wasmByteCode = EMPTY;
  let source = "";
  let builder = "";
  decodeFields(bytes, "MsgStoreCode", {
    1: field.bytes((v) => (sender = v)),
    2: field.bytes((v) => (wasmByteCode = v)),
    3: field.string((v) => (source = v)),
    4: field.string((v) => (builder = v)),
  });
  return { sender, wasmByteCode, source, builder };
}

export function encodeMsgStoreCode(m: MsgStoreCode): Uint8Array {
  return new ProtoWriter()
    .bytes(1, m.sender)
    .bytes(2, m.wasmByteCode)
    .string(3, m.source)
    .string(4, m.builder)
    .finish();
}

export interface MsgInstantiateContract {
  readonly sender: Uint8Array;
  readonly callbackCodeHash: string;
  readonly codeId: bigint;
  readonly label: string;
  readonly initMsg: Uint8Array;
  readonly initFunds: readonly ProtoCoin[];
  readonly callbackSig: Uint8Array;
  readonly admin: string;
}

export function decodeMsgInstantiateContract(bytes: Uint8Array): MsgInstantiateContract {
  let sender = EMPTY;
  let callbackCodeHash = "";
  let codeId = 0n;
  let label = "";
  let initMsg = EMPTY;
  const initFunds: ProtoCoin[] = [];
  let callbackSig = EMPTY;
  let admin = "";
  decodeFields(bytes, "MsgInstantiateContract", {
    1: field.bytes((v) => (sender = v)),
    2: field.string((v) => (callbackCodeHash = v)),
    3: field.uint64((v) => (codeId = v)),
    4: field.string((v) => (label = v)),
    5: field.bytes((v) => (initMsg = v)),
    6: field.message(decodeCoin, (v) => initFunds.push(v)),
    7: field.bytes((v) => (callbackSig = v)),
    8: field.string((v) => (admin = v)),
  });
  return { sender, callbackCodeHash, codeId, label, initMsg, initFunds, callbackSig, admin };
}

export function encodeMsgInstantiateContract(m: MsgInstantiateContract): Uint8Array {
  const w = new ProtoWriter().bytes(1, m.sender).string(2, m.callbackCodeHash).uint(3, m.codeId).string(4, m.label);
  w.bytes(5, m.initMsg);
  writeCoins(w, 6, m.initFunds);
  return w.bytes(7, m.callbackSig).string(8, m.admin).finish();
}

export interface MsgExecuteContract {
  readonly sender: Uint8Array;
  readonly contract: Uint8Array;
  readonly msg: Uint8Array;
  readonly callbackCodeHash: string;
  readonly sentFunds: readonly ProtoCoin[];
  readonly callbackSig: Uint8Array;
}

export function decodeMsgExecuteContract(bytes: Uint8Array): MsgExecuteContract {
  let sender = EMPTY;
  let contract = EMPTY;
  let msg = EMPTY;
  let callbackCodeHash = "";
  const sentFunds: ProtoCoin[] = [];
  let callbackSig = EMPTY;
  decodeFields(bytes, "MsgExecuteContract", {
    1: field.bytes((v) => (sender = v)),
    2: field.bytes((v) => (contract = v)),
    3: field.bytes((v) => (msg = v)),
    4: field.string((v) => (callbackCodeHash = v)),
    5: field.message(decodeCoin, (v) => sentFunds.push(v)),
    6: field.bytes((v) => (callbackSig = v)),
  });
  return { sender, contract, msg, callbackCodeHash, sentFunds, callbackSig };
}

export function encodeMsgExecuteContract(m: MsgExecuteContract): Uint8Array {
  const w = new ProtoWriter().bytes(1, m.sender).bytes(2, m.contract).bytes(3, m.msg).string(4, m.callbackCodeHash);
  writeCoins(w, 5, m.sentFunds);
  return w.bytes(6, m.callbackSig).finish();
}

export interface MsgMigrateContract {
  readonly sender: string;
  readonly contract: string;
  readonly codeId: bigint;
  readonly msg: Uint8Array;
  readonly callbackSig: Uint8Array;
  readonly callbackCodeHash: string;
}

export function decodeMsgMigrateContract(bytes: Uint8Array): MsgMigrateContract {
  let sender = "";
  let contract = "";
  let codeId = 0n;
  let msg = EMPTY;
  let callbackSig = EMPTY;
  let callbackCodeHash = "";
  decodeFields(bytes, "MsgMigrateContract", {
    1: field.string((v) => (sender = v)),
    2: field.string((v) => (contract = v)),
    3: field.uint64((v) => (codeId = v)),
    4: field.bytes((v) => (msg = v)),
    7: field.bytes((v) => (callbackSig = v)),
    8: field.string((v) => (callbackCodeHash = v)),
  });
  return { sender, contract, codeId, msg, callbackSig, callbackCodeHash };
}

export function encodeMsgMigrateContract(m: MsgMigrateContract): Uint8Array {
  return new ProtoWriter()
    .string(1, m.sender)
    .string(2, m.contract)
    .uint(3, m.codeId)
    .bytes(4, m.msg)
    .bytes(7, m.callbackSig)
    .string(8, m.callbackCodeHash)
    .finish();
}

export interface MsgUpdateAdmin {
  readonly sender: string;
  readonly newAdmin: string;
  readonly contract: string;
  readonly callbackSig: Uint8Array;
}

export function decodeMsgUpdateAdmin(bytes: Uint8Array): MsgUpdateAdmin {
  let sender = "";
  let newAdmin = "";
  let contract = "";
  let callbackSig = EMPTY;
  decodeFields(bytes, "MsgUpdateAdmin", {
    1: field.string((v) => (sender = v)),
    2: field.string((v) => (newAdmin = v)),
    3: field.string((v) => (contract = v)),
    7: field.bytes((v) => (callbackSig = v)),
  });
  return { sender, newAdmin, contract, callbackSig };
}

export function encodeMsgUpdateAdmin(m: MsgUpdateAdmin): Uint8Array {
  return new ProtoWriter()
    .string(1, m.sender)
    .string(2, m.newAdmin)
    .string(3, m.contract)
    .bytes(7, m.callbackSig)
    .finish();
}

export interface MsgClearAdmin {
  readonly sender: string;
  readonly contract: string;
  readonly callbackSig: Uint8Array;
}

export function decodeMsgClearAdmin(bytes: Uint8Array): MsgClearAdmin {
  let sender = "";
  let contract = "";
  let callbackSig = EMPTY;
  decodeFields(bytes, "MsgClearAdmin", {
    1: field.string((v) => (sender = v)),
    3: field.string((v) => (contract = v)),
    7: field.bytes((v) => (callbackSig = v)),
  });
  return { sender, contract, callbackSig };
}

export function encodeMsgClearAdmin(m: MsgClearAdmin): Uint8Array {
  return new ProtoWriter().string(1, m.sender).string(3, m.contract).bytes(7, m.callbackSig).finish();
}

// ---------------------------------------------------------------------------------------------------
// Message responses (chain-api.md §3.5)

/** `MsgStoreCodeResponse{1 code_id}`. */
export function encodeMsgStoreCodeResponse(codeId: bigint): Uint8Array {
  return new ProtoWriter().uint(1, codeId).finish();
}

export function decodeMsgStoreCodeResponse(bytes: Uint8Array): bigint {
  let codeId = 0n;
  decodeFields(bytes, "MsgStoreCodeResponse", { 1: field.uint64((v) => (codeId = v)) });
  return codeId;
}

/** `MsgInstantiateContractResponse{1 address (bech32), 2 data}`. */
export function encodeMsgInstantiateContractResponse(r: { address: string; data: Uint8Array }): Uint8Array {
  return new ProtoWriter().string(1, r.address).bytes(2, r.data).finish();
}

export function decodeMsgInstantiateContractResponse(bytes: Uint8Array): { address: string; data: Uint8Array } {
  let address = "";
  let data = EMPTY;
  decodeFields(bytes, "MsgInstantiateContractResponse", {
    1: field.string((v) => (address = v)),
    2: field.bytes((v) => (data = v)),
  });
  return { address, data };
}

/** `MsgExecuteContractResponse{1 data}` and `MsgMigrateContractResponse{1 data}` (same layout). */
export function encodeMsgDataResponse(data: Uint8Array): Uint8Array {
  return new ProtoWriter().bytes(1, data).finish();
}

export function decodeMsgDataResponse(bytes: Uint8Array): Uint8Array {
  let data = EMPTY;
  decodeFields(bytes, "MsgExecuteContractResponse", { 1: field.bytes((v) => (data = v)) });
  return data;
}

// ---------------------------------------------------------------------------------------------------
// Stored types (`secret/compute/v1beta1/types.proto`)

/** `CodeInfo{1 code_hash, 2 creator bytes, 3 source, 4 builder}`. */
export interface CodeInfo {
  readonly codeHash: Uint8Array;
  readonly creator: Uint8Array;
  readonly source: string;
  readonly builder: string;
}

export function encodeCodeInfo(c: CodeInfo): Uint8Array {
  return new ProtoWriter().bytes(1, c.codeHash).bytes(2, c.creator).string(3, c.source).string(4, c.builder).finish();
}

export function decodeCodeInfo(bytes: Uint8Array): CodeInfo {
  let codeHash = EMPTY;
  let creator = EMPTY;
  let source = "";
  let builder = "";
  decodeFields(bytes, "CodeInfo", {
    1: field.bytes((v) => (codeHash = v)),
    2: field.bytes((v) => (creator = v)),
    3: field.string((v) => (source = v)),
    4: field.string((v) => (builder = v)),
  });
  return { codeHash, creator, source, builder };
}

/** `ContractKey{1 og_contract_key, 2 current_contract_key, 3 current_contract_key_proof}`. */
export interface StoredContractKey {
  readonly ogContractKey: Uint8Array;
  readonly currentContractKey: Uint8Array;
  readonly currentContractKeyProof: Uint8Array;
}

export function encodeContractKey(k: StoredContractKey): Uint8Array {
  return new ProtoWriter()
    .bytes(1, k.ogContractKey)
    .bytes(2, k.currentContractKey)
    .bytes(3, k.currentContractKeyProof)
    .finish();
}

export function decodeContractKey(bytes: Uint8Array): StoredContractKey {
  let ogContractKey = EMPTY;
  let currentContractKey = EMPTY;
  let currentContractKeyProof = EMPTY;
  decodeFields(bytes, "ContractKey", {
    1: field.bytes((v) => (ogContractKey = v)),
    2: field.bytes((v) => (currentContractKey = v)),
    3: field.bytes((v) => (currentContractKeyProof = v)),
  });
  return { ogContractKey, currentContractKey, currentContractKeyProof };
}

/** `AbsoluteTxPosition{1 block_height int64, 2 tx_index}`. */
export interface AbsoluteTxPosition {
  readonly blockHeight: bigint;
  readonly txIndex: bigint;
}

export function encodeAbsoluteTxPosition(p: AbsoluteTxPosition): Uint8Array {
  return new ProtoWriter().uint(1, p.blockHeight).uint(2, p.txIndex).finish();
}

export function decodeAbsoluteTxPosition(bytes: Uint8Array): AbsoluteTxPosition {
  let blockHeight = 0n;
  let txIndex = 0n;
  decodeFields(bytes, "AbsoluteTxPosition", {
    1: field.uint64((v) => (blockHeight = v)),
    2: field.uint64((v) => (txIndex = v)),
  });
  return { blockHeight, txIndex };
}

/**
 * `ContractInfo{1 code_id, 2 creator bytes, 4 label, 5 created, 6 ibc_port_id, 7 admin (bech32 or ""),
 * 8 admin_proof}`.
 */
export interface ContractInfo {
  readonly codeId: bigint;
  readonly creator: Uint8Array;
  readonly label: string;
  readonly created: AbsoluteTxPosition | undefined;
  readonly ibcPortId: string;
  readonly admin: string;
  readonly adminProof: Uint8Array;
}

export function encodeContractInfo(c: ContractInfo): Uint8Array {
  const w = new ProtoWriter().uint(1, c.codeId).bytes(2, c.creator).string(4, c.label);
  if (c.created !== undefined) w.message(5, encodeAbsoluteTxPosition(c.created));
  return w.string(6, c.ibcPortId).string(7, c.admin).bytes(8, c.adminProof).finish();
}

export function decodeContractInfo(bytes: Uint8Array): ContractInfo {
  let codeId = 0n;
  let creator = EMPTY;
  let label = "";
  let created: AbsoluteTxPosition | undefined;
  let ibcPortId = "";
  let admin = "";
  let adminProof = EMPTY;
  decodeFields(bytes, "ContractInfo", {
    1: field.uint64((v) => (codeId = v)),
    2: field.bytes((v) => (creator = v)),
    4: field.string((v) => (label = v)),
    5: field.message(decodeAbsoluteTxPosition, (v) => (created = v)),
    6: field.string((v) => (ibcPortId = v)),
    7: field.string((v) => (admin = v)),
    8: field.bytes((v) => (adminProof = v)),
  });
  return { codeId, creator, label, created, ibcPortId, admin, adminProof };
}

export const HISTORY_OPERATION = {
  unspecified: 0,
  init: 1,
  migrate: 2,
  genesis: 3,
} as const;

export const HISTORY_OPERATION_NAMES: readonly string[] = [
  "CONTRACT_CODE_HISTORY_OPERATION_TYPE_UNSPECIFIED",
  "CONTRACT_CODE_HISTORY_OPERATION_TYPE_INIT",
  "CONTRACT_CODE_HISTORY_OPERATION_TYPE_MIGRATE",
  "CONTRACT_CODE_HISTORY_OPERATION_TYPE_GENESIS",
];

/** `ContractCodeHistoryEntry{1 operation, 2 code_id, 3 updated, 4 msg}`. */
export interface ContractCodeHistoryEntry {
  readonly operation: number;
  readonly codeId: bigint;
  readonly updated: AbsoluteTxPosition | undefined;
  readonly msg: Uint8Array;
}

export function encodeContractCodeHistoryEntry(e: ContractCodeHistoryEntry): Uint8Array {
  const w = new ProtoWriter().uint(1, e.operation).uint(2, e.codeId);
  if (e.updated !== undefined) w.message(3, encodeAbsoluteTxPosition(e.updated));
  return w.bytes(4, e.msg).finish();
}

export function decodeContractCodeHistoryEntry(bytes: Uint8Array): ContractCodeHistoryEntry {
  let operation = 0;
  let codeId = 0n;
  let updated: AbsoluteTxPosition | undefined;
  let msg = EMPTY;
  decodeFields(bytes, "ContractCodeHistoryEntry", {
    1: field.enumeration((v) => (operation = v)),
    2: field.uint64((v) => (codeId = v)),
    3: field.message(decodeAbsoluteTxPosition, (v) => (updated = v)),
    4: field.bytes((v) => (msg = v)),
  });
  return { operation, codeId, updated, msg };
}

// ---------------------------------------------------------------------------------------------------
// Queries (`secret/compute/v1beta1/query.proto`, chain-api.md §7.9)

export const COMPUTE_QUERY_PATHS = {
  ContractInfo: "/secret.compute.v1beta1.Query/ContractInfo",
  ContractsByCodeId: "/secret.compute.v1beta1.Query/ContractsByCodeId",
  QuerySecretContract: "/secret.compute.v1beta1.Query/QuerySecretContract",
  Code: "/secret.compute.v1beta1.Query/Code",
  Codes: "/secret.compute.v1beta1.Query/Codes",
  CodeHashByContractAddress: "/secret.compute.v1beta1.Query/CodeHashByContractAddress",
  CodeHashByCodeId: "/secret.compute.v1beta1.Query/CodeHashByCodeId",
  LabelByAddress: "/secret.compute.v1beta1.Query/LabelByAddress",
  AddressByLabel: "/secret.compute.v1beta1.Query/AddressByLabel",
  ContractHistory: "/secret.compute.v1beta1.Query/ContractHistory",
  Params: "/secret.compute.v1beta1.Query/Params",
  AuthorizedMigration: "/secret.compute.v1beta1.Query/AuthorizedMigration",
} as const;

/** `QueryByContractAddressRequest{1 contract_address}` (also ContractHistory and AuthorizedMigration requests). */
export function encodeQueryByContractAddressRequest(contractAddress: string): Uint8Array {
  return new ProtoWriter().string(1, contractAddress).finish();
}

export function decodeQueryByContractAddressRequest(bytes: Uint8Array): string {
  let address = "";
  decodeFields(bytes, "QueryByContractAddressRequest", { 1: field.string((v) => (address = v)) });
  return address;
}

/** `QueryByCodeIdRequest{1 code_id}`. */
export function encodeQueryByCodeIdRequest(codeId: bigint): Uint8Array {
  return new ProtoWriter().uint(1, codeId).finish();
}

export function decodeQueryByCodeIdRequest(bytes: Uint8Array): bigint {
  let codeId = 0n;
  decodeFields(bytes, "QueryByCodeIdRequest", { 1: field.uint64((v) => (codeId = v)) });
  return codeId;
}

/** `QueryByLabelRequest{1 label}`. */
export function encodeQueryByLabelRequest(label: string): Uint8Array {
  return new ProtoWriter().string(1, label).finish();
}

export function decodeQueryByLabelRequest(bytes: Uint8Array): string {
  let label = "";
  decodeFields(bytes, "QueryByLabelRequest", { 1: field.string((v) => (label = v)) });
  return label;
}

/** `QuerySecretContractRequest{1 contract_address, 2 query}`. */
export interface QuerySecretContractRequest {
  readonly contractAddress: string;
  readonly query: Uint8Array;
}

export function encodeQuerySecretContractRequest(r: QuerySecretContractRequest): Uint8Array {
  return new ProtoWriter().string(1, r.contractAddress).bytes(2, r.query).finish();
}

export function decodeQuerySecretContractRequest(bytes: Uint8Array): QuerySecretContractRequest {
  let contractAddress = "";
  let query = EMPTY;
  decodeFields(bytes, "QuerySecretContractRequest", {
    1: field.string((v) => (contractAddress = v)),
    2: field.bytes((v) => (query = v)),
  });
  return { contractAddress, query };
}

/** `QuerySecretContractResponse{1 data}`. */
export const encodeQuerySecretContractResponse = (data: Uint8Array): Uint8Array =>
  new ProtoWriter().bytes(1, data).finish();

export function decodeQuerySecretContractResponse(bytes: Uint8Array): Uint8Array {
  let data = EMPTY;
  decodeFields(bytes, "QuerySecretContractResponse", { 1: field.bytes((v) => (data = v)) });
  return data;
}

/** `QueryContractInfoResponse{1 contract_address, 2 contract_info}` (= `ContractInfoWithAddress`). */
export interface ContractInfoWithAddress {
  readonly contractAddress: string;
  readonly contractInfo: ContractInfo;
}

export function encodeContractInfoWithAddress(r: ContractInfoWithAddress): Uint8Array {
  return new ProtoWriter().string(1, r.contractAddress).message(2, encodeContractInfo(r.contractInfo)).finish();
}

export function decodeContractInfoWithAddress(bytes: Uint8Array): ContractInfoWithAddress {
  let contractAddress = "";
  let contractInfo: ContractInfo | undefined;
  decodeFields(bytes, "ContractInfoWithAddress", {
    1: field.string((v) => (contractAddress = v)),
    2: field.message(decodeContractInfo, (v) => (contractInfo = v)),
  });
  return { contractAddress, contractInfo: contractInfo ?? decodeContractInfo(EMPTY) };
}

/** `QueryContractsByCodeIdResponse{1 repeated ContractInfoWithAddress}`. */
export function encodeQueryContractsByCodeIdResponse(list: readonly ContractInfoWithAddress[]): Uint8Array {
  const w = new ProtoWriter();
  for (const c of list) w.message(1, encodeContractInfoWithAddress(c));
  return w.finish();
}

export function decodeQueryContractsByCodeIdResponse(bytes: Uint8Array): ContractInfoWithAddress[] {
  const out: ContractInfoWithAddress[] = [];
  decodeFields(bytes, "QueryContractsByCodeIdResponse", {
    1: field.message(decodeContractInfoWithAddress, (v) => out.push(v)),
  });
  return out;
}

/** `CodeInfoResponse{1 code_id, 2 creator (bech32), 3 code_hash (hex), 4 source, 5 builder}`. */
export interface CodeInfoResponse {
  readonly codeId: bigint;
  readonly creator: string;
  readonly codeHash: string;
  readonly source: string;
  readonly builder: string;
}

export function encodeCodeInfoResponse(c: CodeInfoResponse): Uint8Array {
  return new ProtoWriter()
    .uint(1, c.codeId)
    .string(2, c.creator)
    .string(3, c.codeHash)
    .string(4, c.source)
    .string(5, c.builder)
    .finish();
}

export function decodeCodeInfoResponse(bytes: Uint8Array): CodeInfoResponse {
  let codeId = 0n;
  let creator = "";
  let codeHash = "";
  let source = "";
  let builder = "";
  decodeFields(bytes, "CodeInfoResponse", {
    1: field.uint64((v) => (codeId = v)),
    2: field.string((v) => (creator = v)),
    3: field.string((v) => (codeHash = v)),
    4: field.string((v) => (source = v)),
    5: field.string((v) => (builder = v)),
  });
  return { codeId, creator, codeHash, source, builder };
}

/** `QueryCodeResponse{1 code_info, 2 wasm}`. */
export function encodeQueryCodeResponse(r: { codeInfo: CodeInfoResponse; wasm: Uint8Array }): Uint8Array {
  return new ProtoWriter().message(1, encodeCodeInfoResponse(r.codeInfo)).bytes(2, r.wasm).finish();
}

export function decodeQueryCodeResponse(bytes: Uint8Array): { codeInfo: CodeInfoResponse; wasm: Uint8Array } {
  let codeInfo: CodeInfoResponse | undefined;
  let wasm = EMPTY;
  decodeFields(bytes, "QueryCodeResponse", {
    1: field.message(decodeCodeInfoResponse, (v) => (codeInfo = v)),
    2: field.bytes((v) => (wasm = v)),
  });
  return { codeInfo: codeInfo ?? decodeCodeInfoResponse(EMPTY), wasm };
}

/** `QueryCodesResponse{1 repeated CodeInfoResponse}`. */
export function encodeQueryCodesResponse(list: readonly CodeInfoResponse[]): Uint8Array {
  const w = new ProtoWriter();
  for (const c of list) w.message(1, encodeCodeInfoResponse(c));
  return w.finish();
}

export function decodeQueryCodesResponse(bytes: Uint8Array): CodeInfoResponse[] {
  const out: CodeInfoResponse[] = [];
  decodeFields(bytes, "QueryCodesResponse", { 1: field.message(decodeCodeInfoResponse, (v) => out.push(v)) });
  return out;
}

/**
 * One-string responses: `QueryContractAddressResponse{1 contract_address}`,
 * `QueryContractLabelResponse{1 label}`, `QueryCodeHashResponse{1 code_hash}`.
 */
export const encodeStringResponse = (value: string): Uint8Array => new ProtoWriter().string(1, value).finish();

export function decodeStringResponse(bytes: Uint8Array): string {
  let value = "";
  decodeFields(bytes, "QueryStringResponse", { 1: field.string((v) => (value = v)) });
  return value;
}

/** `QueryContractHistoryResponse{1 repeated ContractCodeHistoryEntry}`. */
export function encodeQueryContractHistoryResponse(entries: readonly ContractCodeHistoryEntry[]): Uint8Array {
  const w = new ProtoWriter();
  for (const e of entries) w.message(1, encodeContractCodeHistoryEntry(e));
  return w.finish();
}

export function decodeQueryContractHistoryResponse(bytes: Uint8Array): ContractCodeHistoryEntry[] {
  const out: ContractCodeHistoryEntry[] = [];
  decodeFields(bytes, "QueryContractHistoryResponse", {
    1: field.message(decodeContractCodeHistoryEntry, (v) => out.push(v)),
  });
  return out;
}

/** `QueryAuthorizedMigrationResponse{1 new_code_id}`. */
export const encodeQueryAuthorizedMigrationResponse = (newCodeId: bigint): Uint8Array =>
  new ProtoWriter().uint(1, newCodeId).finish();

/**
 * `Params{1 compile_cost (LegacyDec string), 2 max_contract_size}` inside `ParamsResponse{1 params}`
 * (field layout unverified against upstream's params.proto).
 */
export interface ComputeParamsProto {
  readonly compileCost: string;
  readonly maxContractSize: bigint;
}

export function encodeComputeParams(p: ComputeParamsProto): Uint8Array {
  return new ProtoWriter().string(1, p.compileCost).uint(2, p.maxContractSize).finish();
}

export function decodeComputeParams(bytes: Uint8Array): ComputeParamsProto {
  let compileCost = "";
  let maxContractSize = 0n;
  decodeFields(bytes, "Params", {
    1: field.string((v) => (compileCost = v)),
    2: field.uint64((v) => (maxContractSize = v)),
  });
  return { compileCost, maxContractSize };
}

export const encodeComputeParamsResponse = (p: ComputeParamsProto): Uint8Array =>
  new ProtoWriter().message(1, encodeComputeParams(p)).finish();

export function decodeComputeParamsResponse(bytes: Uint8Array): ComputeParamsProto {
  let params: ComputeParamsProto = { compileCost: "", maxContractSize: 0n };
  decodeFields(bytes, "ParamsResponse", { 1: field.message(decodeComputeParams, (v) => (params = v)) });
  return params;
}
