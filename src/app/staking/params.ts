/** Staking params (chain-api.md §9: the dev chain's values are the defaults here). */
import type { StakingParams } from "../../codec/staking.ts";
import { Dec } from "../../primitives/amount.ts";

export type { StakingParams } from "../../codec/staking.ts";

export const DEFAULT_STAKING_PARAMS: StakingParams = Object.freeze({
  unbondingTime: 90n * 1_000_000_000n,
  maxValidators: 100,
  maxEntries: 7,
  historicalEntries: 10_000,
  bondDenom: "uscrt",
  minCommissionRate: Dec.ZERO,
});

/** Tokens per unit of consensus power (`sdk.DefaultPowerReduction`). */
export const POWER_REDUCTION = 1_000_000n;

/** Upstream `ValidatorUpdateDelay`: a set change takes effect this many blocks after its end block. */
export const VALIDATOR_UPDATE_DELAY = 1;

export const BONDED_POOL = "bonded_tokens_pool";
export const NOT_BONDED_POOL = "not_bonded_tokens_pool";

/** `validateParams`: throws a text for the caller to wrap. */
export function stakingParamsProblem(p: StakingParams): string | undefined {
  if (p.unbondingTime <= 0n) return `unbonding time must be positive: ${p.unbondingTime}`;
  if (p.maxValidators === 0) return "max validators must be positive";
  if (p.maxEntries === 0) return "max entries must be positive";
  if (!/^[a-zA-Z][a-zA-Z0-9/:._-]{2,127}$/.test(p.bondDenom)) return `invalid bond denom ${p.bondDenom}`;
  if (p.minCommissionRate.isNegative()) return "minimum commission rate cannot be negative";
  if (p.minCommissionRate.compare(Dec.ONE) > 0) return "minimum commission rate cannot be greater than 100%";
  return undefined;
}
