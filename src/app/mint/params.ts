/** Mint params: SDK defaults with `uscrt` (chain-api.md §9; Secret overrides unverified). */
import type { MintParams } from "../../codec/mint.ts";
import { Dec } from "../../primitives/amount.ts";

export type { MintParams } from "../../codec/mint.ts";

export const DEFAULT_MINT_PARAMS: MintParams = Object.freeze({
  mintDenom: "uscrt",
  inflationRateChange: Dec.parse("0.13"),
  inflationMax: Dec.parse("0.2"),
  inflationMin: Dec.parse("0.07"),
  goalBonded: Dec.parse("0.67"),
  blocksPerYear: 6_311_520n,
});

/** Genesis minter: 13 % inflation, no provisions yet. */
export const DEFAULT_INFLATION = Dec.parse("0.13");

export const MINT_MODULE = "mint";

export function mintParamsProblem(p: MintParams): string | undefined {
  if (!/^[a-zA-Z][a-zA-Z0-9/:._-]{2,127}$/.test(p.mintDenom)) return `invalid mint denom ${p.mintDenom}`;
  for (const [name, d] of [
    ["inflation rate change", p.inflationRateChange],
    ["max inflation", p.inflationMax],
    ["min inflation", p.inflationMin],
  ] as const) {
    if (d.isNegative() || d.compare(Dec.ONE) > 0) return `${name} must be between 0 and 1: ${d}`;
  }
  if (p.goalBonded.isNegative() || p.goalBonded.isZero() || p.goalBonded.compare(Dec.ONE) > 0) {
    return `goal bonded must be positive and at most 1: ${p.goalBonded}`;
  }
  if (p.inflationMax.compare(p.inflationMin) < 0) {
    return `max inflation (${p.inflationMax}) must be greater than or equal to min inflation (${p.inflationMin})`;
  }
  if (p.blocksPerYear === 0n) return "blocks per year must be positive: 0";
  return undefined;
}
