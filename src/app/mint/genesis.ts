/** Mint genesis (`app_state.mint`): `{minter{inflation, annual_provisions}, params}` in upstream's JSON. */
import { Dec } from "../../primitives/amount.ts";
import type { Minter } from "../../codec/mint.ts";
import type { Context } from "../context.ts";
import { asObject, asString, asUint, genesisError } from "../json.ts";
import { decJson, optionalField } from "../staking/genesis.ts";
import type { MintKeeper } from "./keeper.ts";
import { DEFAULT_INFLATION, DEFAULT_MINT_PARAMS, type MintParams, mintParamsProblem } from "./params.ts";

export interface MintGenesis {
  readonly minter: Minter;
  readonly params: MintParams;
}

export const defaultMintGenesis = (): MintGenesis => ({
  minter: { inflation: DEFAULT_INFLATION, annualProvisions: Dec.ZERO },
  params: DEFAULT_MINT_PARAMS,
});

export function mintParamsFromJson(v: unknown): MintParams {
  if (v === undefined) return DEFAULT_MINT_PARAMS;
  const p = asObject(v, "mint.params");
  const d = DEFAULT_MINT_PARAMS;
  return {
    mintDenom: optionalField(p, "mint_denom", asString, d.mintDenom),
    inflationRateChange: optionalField(p, "inflation_rate_change", decJson, d.inflationRateChange),
    inflationMax: optionalField(p, "inflation_max", decJson, d.inflationMax),
    inflationMin: optionalField(p, "inflation_min", decJson, d.inflationMin),
    goalBonded: optionalField(p, "goal_bonded", decJson, d.goalBonded),
    blocksPerYear: optionalField(p, "blocks_per_year", asUint, d.blocksPerYear),
  };
}

export function mintParamsToJson(p: MintParams): Record<string, unknown> {
  return {
    mint_denom: p.mintDenom,
    inflation_rate_change: p.inflationRateChange.toString(),
    inflation_max: p.inflationMax.toString(),
    inflation_min: p.inflationMin.toString(),
    goal_bonded: p.goalBonded.toString(),
    blocks_per_year: p.blocksPerYear.toString(),
  };
}

export function mintGenesisFromJson(v: unknown): MintGenesis {
  if (v === undefined) return defaultMintGenesis();
  const o = asObject(v, "mint");
  const m = o.minter === undefined ? {} : asObject(o.minter, "mint.minter");
  return {
    minter: {
      inflation: m.inflation === undefined ? DEFAULT_INFLATION : decJson(m.inflation, "inflation"),
      annualProvisions:
        m.annual_provisions === undefined ? Dec.ZERO : decJson(m.annual_provisions, "annual_provisions"),
    },
    params: mintParamsFromJson(o.params),
  };
}

export function mintGenesisToJson(g: MintGenesis): Record<string, unknown> {
  return {
    minter: { inflation: g.minter.inflation.toString(), annual_provisions: g.minter.annualProvisions.toString() },
    params: mintParamsToJson(g.params),
  };
}

export function initMintGenesis(ctx: Context, keeper: MintKeeper, g: MintGenesis): void {
  const problem = mintParamsProblem(g.params);
  if (problem !== undefined) throw genesisError(`mint params: ${problem}`);
  if (g.minter.inflation.isNegative()) throw genesisError("mint: negative inflation");
  keeper.setParams(ctx, g.params);
  keeper.setMinter(ctx, g.minter);
}

export function exportMintGenesis(ctx: Context, keeper: MintKeeper): MintGenesis {
  return { minter: keeper.getMinter(ctx), params: keeper.getParams(ctx) };
}
