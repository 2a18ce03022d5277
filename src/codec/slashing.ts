/**
 * `cosmos.slashing.v1beta1` (Cosmos SDK 0.50): Params (the LegacyDec fields are `bytes` holding the
 * atomics text), ValidatorSigningInfo, MsgUnjail and the query messages.
 */
import { Dec } from "../primitives/amount.ts";
import { utf8Decode, utf8Encode } from "../primitives/bytes.ts";
import { ProtoWriter, decodeFields, field } from "./protobuf.ts";
import {
  decodeDecField,
  decodeDuration,
  decodeTimestamp,
  encodeDecField,
  encodeDuration,
  encodeTimestamp,
} from "./staking.ts";

export const SLASHING_URLS = {
  MsgUnjail: "/cosmos.slashing.v1beta1.MsgUnjail",
  MsgUpdateParams: "/cosmos.slashing.v1beta1.MsgUpdateParams",
} as const;

export interface SlashingParams {
  readonly signedBlocksWindow: bigint;
  readonly minSignedPerWindow: Dec;
  /** Nanoseconds. */
  readonly downtimeJailDuration: bigint;
  readonly slashFractionDoubleSign: Dec;
  readonly slashFractionDowntime: Dec;
}

const decBytes = (d: Dec): Uint8Array => utf8Encode(encodeDecField(d));
const bytesDec = (b: Uint8Array): Dec => decodeDecField(utf8Decode(b));

export function encodeSlashingParams(p: SlashingParams): Uint8Array {
  return new ProtoWriter()
    .uint(1, p.signedBlocksWindow)
    .bytes(2, decBytes(p.minSignedPerWindow))
    .message(3, encodeDuration(p.downtimeJailDuration))
    .bytes(4, decBytes(p.slashFractionDoubleSign))
    .bytes(5, decBytes(p.slashFractionDowntime))
    .finish();
}

export function decodeSlashingParams(bytes: Uint8Array): SlashingParams {
  const p = {
    signedBlocksWindow: 0n,
    minSignedPerWindow: Dec.ZERO,
    downtimeJailDuration: 0n,
    slashFractionDoubleSign: Dec.ZERO,
    slashFractionDowntime: Dec.ZERO,
  };
  decodeFields(bytes, "slashing.Params", {
    1: field.uint64((v) => (p.signedBlocksWindow = v)),
    2: field.bytes((v) => (p.minSignedPerWindow = bytesDec(v))),
    3: field.message(decodeDuration, (v) => (p.downtimeJailDuration = v)),
    4: field.bytes((v) => (p.slashFractionDoubleSign = bytesDec(v))),
    5: field.bytes((v) => (p.slashFractionDowntime = bytesDec(v))),
  });
  return p;
}

export interface SigningInfo {
  /** Bech32 `secretvalcons…`. */
  readonly address: string;
  readonly startHeight: bigint;
  readonly indexOffset: bigint;
  readonly jailedUntil: bigint;
  readonly tombstoned: boolean;
  readonly missedBlocksCounter: bigint;
}

export function encodeSigningInfo(s: SigningInfo): Uint8Array {
  return new ProtoWriter()
    .string(1, s.address)
    .uint(2, s.startHeight)
    .uint(3, s.indexOffset)
    .message(4, encodeTimestamp(s.jailedUntil))
    .bool(5, s.tombstoned)
    .uint(6, s.missedBlocksCounter)
    .finish();
}

export function decodeSigningInfo(bytes: Uint8Array): SigningInfo {
  const s = {
    address: "",
    startHeight: 0n,
    indexOffset: 0n,
    jailedUntil: 0n,
    tombstoned: false,
    missedBlocksCounter: 0n,
  };
  decodeFields(bytes, "ValidatorSigningInfo", {
    1: field.string((v) => (s.address = v)),
    2: field.uint64((v) => (s.startHeight = v)),
    3: field.uint64((v) => (s.indexOffset = v)),
    4: field.message(decodeTimestamp, (v) => (s.jailedUntil = v)),
    5: field.bool((v) => (s.tombstoned = v)),
    6: field.uint64((v) => (s.missedBlocksCounter = v)),
  });
  return s;
}

/** MsgUnjail `{1 validator_addr}`. */
export function decodeMsgUnjail(bytes: Uint8Array): { readonly validatorAddr: string } {
  let validatorAddr = "";
  decodeFields(bytes, "MsgUnjail", { 1: field.string((v) => (validatorAddr = v)) });
  return { validatorAddr };
}

export const encodeMsgUnjail = (m: { readonly validatorAddr: string }): Uint8Array =>
  new ProtoWriter().string(1, m.validatorAddr).finish();
