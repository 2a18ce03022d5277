/** Gov params: Secret's defaults with the dev chain's overrides (chain-api.md §9). */
import type { GovParams } from "../../codec/gov.ts";
import { Dec } from "../../primitives/amount.ts";

export type { GovParams } from "../../codec/gov.ts";

const SECOND = 1_000_000_000n;

export const DEFAULT_GOV_PARAMS: GovParams = Object.freeze({
  minDeposit: [{ denom: "uscrt", amount: "1000000000" }],
  maxDepositPeriod: 7n * 24n * 3600n * SECOND,
  votingPeriod: 90n * SECOND,
  quorum: "0.334000000000000000",
  threshold: "0.500000000000000000",
  vetoThreshold: "0.334000000000000000",
  minInitialDepositRatio: "0.000000000000000000",
  proposalCancelRatio: "0.500000000000000000",
  proposalCancelDest: "",
  expeditedVotingPeriod: 15n * SECOND,
  expeditedThreshold: "0.666666666666666667",
  expeditedMinDeposit: [{ denom: "uscrt", amount: "2500000000" }],
  burnVoteQuorum: false,
  burnProposalDepositPrevote: false,
  burnVoteVeto: true,
  minDepositRatio: "0.010000000000000000",
});

export const GOV_MODULE = "gov";
/** `DefaultConfig().MaxMetadataLen`. */
export const MAX_METADATA_LEN = 255;

/** A gov v1 decimal param (plain decimal text). */
export function govDec(text: string): Dec {
  return text === "" ? Dec.ZERO : Dec.parse(text);
}

export function govParamsProblem(p: GovParams): string | undefined {
  try {
    const unit = (t: string, name: string): string | undefined => {
      const d = govDec(t);
      return d.isNegative() || d.compare(Dec.ONE) > 0 ? `${name} must be between 0 and 1: ${t}` : undefined;
    };
    for (const [t, n] of [
      [p.quorum, "quorum"],
      [p.threshold, "vote threshold"],
      [p.vetoThreshold, "veto threshold"],
      [p.minInitialDepositRatio, "minimum initial deposit ratio"],
      [p.proposalCancelRatio, "proposal cancel ratio"],
      [p.expeditedThreshold, "expedited threshold"],
      [p.minDepositRatio, "minimum deposit ratio"],
    ] as const) {
      const problem = unit(t, n);
      if (problem !== undefined) return problem;
    }
    if (govDec(p.threshold).isZero()) return "vote threshold must be positive";
    if (govDec(p.vetoThreshold).isZero()) return "veto threshold must be positive";
    if (govDec(p.expeditedThreshold).compare(govDec(p.threshold)) <= 0) {
      return `expedited threshold must be greater than the threshold: ${p.expeditedThreshold}`;
    }
  } catch {
    return "invalid decimal in gov params";
  }
  if (p.minDeposit.length === 0) return "minimum deposit cannot be empty";
  if (p.maxDepositPeriod <= 0n) return "maximum deposit period must be positive";
  if (p.votingPeriod <= 0n) return "voting period must be positive";
  if (p.expeditedVotingPeriod <= 0n || p.expeditedVotingPeriod >= p.votingPeriod) {
    return "expedited voting period must be positive and strictly less than the voting period";
  }
  return undefined;
}
