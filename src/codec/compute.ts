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
