/** Distribution params (Secret fork; chain-api.md §9 dev-chain values as defaults). */
import type { DistributionParams } from "../../codec/distribution.ts";
import { Dec } from "../../primitives/amount.ts";

export type { DistributionParams } from "../../codec/distribution.ts";

export const DEFAULT_DISTRIBUTION_PARAMS: DistributionParams = Object.freeze({
  communityTax: Dec.parse("0.02"),
  baseProposerReward: Dec.ZERO,
  bonusProposerReward: Dec.ZERO,
  withdrawAddrEnabled: true,
  secretFoundationTax: Dec.ZERO,
  secretFoundationAddress: "",
  minimumRestakeThreshold: Dec.fromInt(10_000_000n),
  restakePeriod: 1000n,
});

export const DISTRIBUTION_MODULE = "distribution";
export const FEE_COLLECTOR_MODULE = "fee_collector";

export function distributionParamsProblem(p: DistributionParams): string | undefined {
  const inUnit = (d: Dec): boolean => !d.isNegative() && d.compare(Dec.ONE) <= 0;
  if (!inUnit(p.communityTax)) return `community tax must be between 0 and 1: ${p.communityTax}`;
  if (!inUnit(p.secretFoundationTax)) return `foundation tax must be between 0 and 1: ${p.secretFoundationTax}`;
  if (p.minimumRestakeThreshold.isNegative()) return "minimum restake threshold must be non-negative";
  return undefined;
}
