/**
 * The mint keeper (Cosmos SDK 0.50 `x/mint`): each begin block moves inflation toward the rate that
 * brings the bonded ratio to `goal_bonded` (by at most `inflation_rate_change` per year, clamped to
 * [min, max]), sets annual provisions = inflation × supply of the mint denom, mints one block's share
 * (provisions / blocks per year, truncated) and sends it to the fee collector, where distribution
 * picks it up next block.
 */
import {
  type MintParams,
  type Minter,
  decodeMintParams,
  decodeMinter,
  encodeMintParams,
  encodeMinter,
} from "../../codec/mint.ts";
import { Dec } from "../../primitives/amount.ts";
import type { BankKeeper } from "../bank/keeper.ts";
import type { Context } from "../context.ts";
import type { StakingKeeper } from "../staking/keeper.ts";
import { mintEvent } from "./events.ts";
import { MINTER_KEY, MINT_STORE, PARAMS_KEY } from "./keys.ts";
import { DEFAULT_INFLATION, DEFAULT_MINT_PARAMS, MINT_MODULE } from "./params.ts";

export type BankForMint = Pick<BankKeeper, "getSupply" | "mintCoins" | "sendCoinsFromModuleToModule">;
export type StakingForMint = Pick<StakingKeeper, "totalBondedTokens">;

export const FEE_COLLECTOR = "fee_collector";

/** `Minter.NextInflationRate`. */
export function nextInflationRate(m: Minter, p: MintParams, bondedRatio: Dec): Dec {
  const perYear = Dec.ONE.sub(bondedRatio.quo(p.goalBonded)).mul(p.inflationRateChange);
  const change = perYear.quo(Dec.fromInt(p.blocksPerYear));
  let inflation = m.inflation.add(change);
  if (inflation.compare(p.inflationMax) > 0) inflation = p.inflationMax;
  if (inflation.compare(p.inflationMin) < 0) inflation = p.inflationMin;
  return inflation;
}

export class MintKeeper {
  constructor(
    private readonly bank: BankForMint,
    private readonly staking: StakingForMint,
  ) {}

  getParams(ctx: Context): MintParams {
    const b = ctx.kv(MINT_STORE).get(PARAMS_KEY);
    return b === undefined ? DEFAULT_MINT_PARAMS : decodeMintParams(b);
  }

  setParams(ctx: Context, p: MintParams): void {
    ctx.kv(MINT_STORE).set(PARAMS_KEY, encodeMintParams(p));
  }

  getMinter(ctx: Context): Minter {
    const b = ctx.kv(MINT_STORE).get(MINTER_KEY);
    return b === undefined ? { inflation: DEFAULT_INFLATION, annualProvisions: Dec.ZERO } : decodeMinter(b);
  }

  setMinter(ctx: Context, m: Minter): void {
    ctx.kv(MINT_STORE).set(MINTER_KEY, encodeMinter(m));
  }

  /** Begin block; returns the amount minted. */
  beginBlock(ctx: Context): bigint {
    const params = this.getParams(ctx);
    const minter = this.getMinter(ctx);
    const supply = this.bank.getSupply(ctx, params.mintDenom);
    const bonded = this.staking.totalBondedTokens(ctx);
    const bondedRatio = supply === 0n ? Dec.ZERO : Dec.fromInt(bonded).quoTruncate(Dec.fromInt(supply));
    const inflation = nextInflationRate(minter, params, bondedRatio);
    const annualProvisions = inflation.mulInt(supply);
    this.setMinter(ctx, { inflation, annualProvisions });
    const amount = Dec.fromAtomics(annualProvisions.atomics / params.blocksPerYear).truncateInt();
    if (amount > 0n) {
      const coins = [{ denom: params.mintDenom, amount }];
      this.bank.mintCoins(ctx, MINT_MODULE, coins);
      this.bank.sendCoinsFromModuleToModule(ctx, MINT_MODULE, FEE_COLLECTOR, coins);
    }
    ctx.events.emit(
      mintEvent(bondedRatio.toString(), inflation.toString(), annualProvisions.toString(), amount.toString()),
    );
    return amount;
  }
}
