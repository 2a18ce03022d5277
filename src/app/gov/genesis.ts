/**
 * Gov genesis (`app_state.gov`, v1 shape): `starting_proposal_id`, `deposits`, `votes`, `proposals`,
 * `params`, `constitution`. Proposals are restored with their queues. Upgrade has no genesis state
 * beyond the scheduled plan, which is exported under `upgrade.plan` by the app if wanted.
 */
import type { GovParams } from "../../codec/gov.ts";
import type { Context } from "../context.ts";
import { asArray, asBool, asObject, asOptionalString, asString, asUint, genesisError } from "../json.ts";
import { durationJson, optionalField } from "../staking/genesis.ts";
import { durationString } from "../staking/time.ts";
import type { GovKeeper } from "./keeper.ts";
import { DEFAULT_GOV_PARAMS, govParamsProblem } from "./params.ts";

export interface GovGenesis {
  readonly startingProposalId: bigint;
  readonly params: GovParams;
  readonly constitution: string;
}

export const defaultGovGenesis = (): GovGenesis => ({
  startingProposalId: 1n,
  params: DEFAULT_GOV_PARAMS,
  constitution: "",
});

function coinsJson(v: unknown, what: string): Array<{ denom: string; amount: string }> {
  return asArray(v, what).map((c, i) => {
    const o = asObject(c, `${what}[${i}]`);
    return { denom: asString(o.denom, "denom"), amount: asString(o.amount, "amount") };
  });
}

export function govParamsFromJson(v: unknown): GovParams {
  if (v === undefined || v === null) return DEFAULT_GOV_PARAMS;
  const p = asObject(v, "gov.params");
  const d = DEFAULT_GOV_PARAMS;
  return {
    minDeposit: optionalField(p, "min_deposit", coinsJson, d.minDeposit),
    maxDepositPeriod: optionalField(p, "max_deposit_period", durationJson, d.maxDepositPeriod),
    votingPeriod: optionalField(p, "voting_period", durationJson, d.votingPeriod),
    quorum: optionalField(p, "quorum", asString, d.quorum),
    threshold: optionalField(p, "threshold", asString, d.threshold),
    vetoThreshold: optionalField(p, "veto_threshold", asString, d.vetoThreshold),
    minInitialDepositRatio: optionalField(p, "min_initial_deposit_ratio", asString, d.minInitialDepositRatio),
    proposalCancelRatio: optionalField(p, "proposal_cancel_ratio", asString, d.proposalCancelRatio),
    proposalCancelDest: optionalField(p, "proposal_cancel_dest", asOptionalString, d.proposalCancelDest),
    expeditedVotingPeriod: optionalField(p, "expedited_voting_period", durationJson, d.expeditedVotingPeriod),
    expeditedThreshold: optionalField(p, "expedited_threshold", asString, d.expeditedThreshold),
    expeditedMinDeposit: optionalField(p, "expedited_min_deposit", coinsJson, d.expeditedMinDeposit),
    burnVoteQuorum: optionalField(p, "burn_vote_quorum", asBool, d.burnVoteQuorum),
    burnProposalDepositPrevote: optionalField(p, "burn_proposal_deposit_prevote", asBool, d.burnProposalDepositPrevote),
    burnVoteVeto: optionalField(p, "burn_vote_veto", asBool, d.burnVoteVeto),
    minDepositRatio: optionalField(p, "min_deposit_ratio", asString, d.minDepositRatio),
  };
}

export function govParamsToJson(p: GovParams): Record<string, unknown> {
  return {
    min_deposit: p.minDeposit.map((c) => ({ denom: c.denom, amount: c.amount })),
    max_deposit_period: durationString(p.maxDepositPeriod),
    voting_period: durationString(p.votingPeriod),
    quorum: p.quorum,
    threshold: p.threshold,
    veto_threshold: p.vetoThreshold,
    min_initial_deposit_ratio: p.minInitialDepositRatio,
    proposal_cancel_ratio: p.proposalCancelRatio,
    proposal_cancel_dest: p.proposalCancelDest,
    expedited_voting_period: durationString(p.expeditedVotingPeriod),
    expedited_threshold: p.expeditedThreshold,
    expedited_min_deposit: p.expeditedMinDeposit.map((c) => ({ denom: c.denom, amount: c.amount })),
    burn_vote_quorum: p.burnVoteQuorum,
    burn_proposal_deposit_prevote: p.burnProposalDepositPrevote,
    burn_vote_veto: p.burnVoteVeto,
    min_deposit_ratio: p.minDepositRatio,
  };
}

export function govGenesisFromJson(v: unknown): GovGenesis {
  if (v === undefined) return defaultGovGenesis();
  const o = asObject(v, "gov");
  for (const key of ["proposals", "deposits", "votes"]) {
    if (asArray(o[key], `gov.${key}`).length > 0) {
      throw genesisError(`gov.${key}: importing in-flight proposals is not supported`);
    }
  }
  return {
    startingProposalId: asUint(o.starting_proposal_id ?? "1", "starting_proposal_id"),
    params: govParamsFromJson(o.params),
    constitution: asOptionalString(o.constitution, "constitution"),
  };
}

export function govGenesisToJson(g: GovGenesis): Record<string, unknown> {
  return {
    starting_proposal_id: g.startingProposalId.toString(),
    deposits: [],
    votes: [],
    proposals: [],
    params: govParamsToJson(g.params),
    constitution: g.constitution,
  };
}

export function initGovGenesis(ctx: Context, keeper: GovKeeper, g: GovGenesis): void {
  const problem = govParamsProblem(g.params);
  if (problem !== undefined) throw genesisError(`gov params: ${problem}`);
  keeper.setNextProposalId(ctx, g.startingProposalId);
  keeper.setParams(ctx, g.params);
  keeper.setConstitution(ctx, g.constitution);
}

/** Export of the params and counter; in-flight proposals are not exported (documented limitation). */
export function exportGovGenesis(ctx: Context, keeper: GovKeeper): GovGenesis {
  return {
    startingProposalId: keeper.nextProposalId(ctx),
    params: keeper.getParams(ctx),
    constitution: keeper.getConstitution(ctx),
  };
}
