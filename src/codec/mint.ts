/**
 * `cosmos.mint.v1beta1` (Cosmos SDK 0.50): Minter, Params, the queries' responses (`inflation` and
 * `annual_provisions` are `bytes` fields holding the LegacyDec atomics text) and MsgUpdateParams.
 */
import { Dec } from "../primitives/amount.ts";
import { utf8Encode } from "../primitives/bytes.ts";
import { ProtoWriter, decodeFields, field } from "./protobuf.ts";
import { decodeDecField, encodeDecField } from "./staking.ts";

export const MINT_URLS = { MsgUpdateParams: "/cosmos.mint.v1beta1.MsgUpdateParams" } as const;

export interface Minter {
  readonly inflation: Dec;
  readonly annualProvisions: Dec;
}

export function encodeMinter(m: Minter): Uint8Array {
  return new ProtoWriter()
    .string(1, encodeDecField(m.inflation))
    .string(2, encodeDecField(m.annualProvisions))
    .finish();
}

export function decodeMinter(bytes: Uint8Array): Minter {
  let inflation = Dec.ZERO;
  let annualProvisions = Dec.ZERO;
  decodeFields(bytes, "Minter", {
    1: field.string((v) => (inflation = decodeDecField(v))),
    2: field.string((v) => (annualProvisions = decodeDecField(v))),
  });
  return { inflation, annualProvisions };
}

export interface MintParams {
  readonly mintDenom: string;
  readonly inflationRateChange: Dec;
  readonly inflationMax: Dec;
  readonly inflationMin: Dec;
  readonly goalBonded: Dec;
  readonly blocksPerYear: bigint;
}

export function encodeMintParams(p: MintParams): Uint8Array {
  return new ProtoWriter()
    .string(1, p.mintDenom)
    .string(2, encodeDecField(p.inflationRateChange))
    .string(3, encodeDecField(p.inflationMax))
    .string(4, encodeDecField(p.inflationMin))
    .string(5, encodeDecField(p.goalBonded))
    .uint(6, p.blocksPerYear)
    .finish();
}

export function decodeMintParams(bytes: Uint8Array): MintParams {
  const p = {
    mintDenom: "",
    inflationRateChange: Dec.ZERO,
    inflationMax: Dec.ZERO,
    inflationMin: Dec.ZERO,
    goalBonded: Dec.ZERO,
    blocksPerYear: 0n,
  };
  decodeFields(bytes, "mint.Params", {
    1: field.string((v) => (p.mintDenom = v)),
    2: field.string((v) => (p.inflationRateChange = decodeDecField(v))),
    3: field.string((v) => (p.inflationMax = decodeDecField(v))),
    4: field.string((v) => (p.inflationMin = decodeDecField(v))),
    5: field.string((v) => (p.goalBonded = decodeDecField(v))),
    6: field.uint64((v) => (p.blocksPerYear = v)),
  });
  return p;
}

/** `{1 bytes}` holding a LegacyDec's atomics text (QueryInflationResponse, QueryAnnualProvisionsResponse). */
export const encodeDecBytesResponse = (d: Dec): Uint8Array =>
  new ProtoWriter().bytes(1, utf8Encode(encodeDecField(d))).finish();
