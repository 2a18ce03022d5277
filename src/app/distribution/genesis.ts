/**
 * Distribution genesis in upstream's JSON shape (`app_state.distribution`): params (Secret's fields
 * included), fee pool, withdraw addresses, previous proposer and the F1 records (outstanding rewards,
 * accumulated commissions, historical and current rewards, starting infos, slash events). Init checks
 * that the module account holds the community pool plus every outstanding reward (whole coins), as
 * upstream's `InitGenesis` does.
 */
import type { DistributionParams } from "../../codec/distribution.ts";
import { decodeAddress, encodeAddress, parseAccountAddress } from "../../primitives/bech32.ts";
import type { Context } from "../context.ts";
import { asArray, asBool, asObject, asString, asUint, genesisError } from "../json.ts";
import { decJson, optionalField } from "../staking/genesis.ts";
import { VALCONS_PREFIX, VALOPER_PREFIX, valoperAddress } from "../staking/types.ts";
import { type DecCoin, addDecCoins, truncateDecCoins } from "./decCoins.ts";
import type { DistributionKeeper } from "./keeper.ts";
import type { DistributionGenesis } from "./types.ts";
import { DEFAULT_DISTRIBUTION_PARAMS, distributionParamsProblem } from "./params.ts";

export type { DistributionGenesis } from "./types.ts";

export const defaultDistributionGenesis = (): DistributionGenesis => ({
  params: DEFAULT_DISTRIBUTION_PARAMS,
  communityPool: [],
  withdrawInfos: [],
  previousProposer: undefined,
  outstanding: [],
  commissions: [],
  historical: [],
  current: [],
  startingInfos: [],
  slashEvents: [],
});

function decCoinsJson(v: unknown, what: string): DecCoin[] {
  return asArray(v, what).map((c, i) => {
    const o = asObject(c, `${what}[${i}]`);
    return { denom: asString(o.denom, "denom"), amount: decJson(o.amount, "amount") };
  });
}

const decCoinsToJson = (c: readonly DecCoin[]): unknown[] =>
  c.map((x) => ({ denom: x.denom, amount: x.amount.toString() }));

const valoper = (v: unknown, what: string): Uint8Array => decodeAddress(asString(v, what), VALOPER_PREFIX);

export function distributionParamsFromJson(v: unknown): DistributionParams {
  if (v === undefined) return DEFAULT_DISTRIBUTION_PARAMS;
  const p = asObject(v, "distribution.params");
  const d = DEFAULT_DISTRIBUTION_PARAMS;
  return {
    communityTax: optionalField(p, "community_tax", decJson, d.communityTax),
    baseProposerReward: optionalField(p, "base_proposer_reward", decJson, d.baseProposerReward),
    bonusProposerReward: optionalField(p, "bonus_proposer_reward", decJson, d.bonusProposerReward),
    withdrawAddrEnabled: optionalField(p, "withdraw_addr_enabled", asBool, d.withdrawAddrEnabled),
    secretFoundationTax: optionalField(p, "secret_foundation_tax", decJson, d.secretFoundationTax),
    secretFoundationAddress:
      p.secret_foundation_address === undefined
        ? ""
        : asString(p.secret_foundation_address, "secret_foundation_address"),
    minimumRestakeThreshold: optionalField(p, "minimum_restake_threshold", decJson, d.minimumRestakeThreshold),
    restakePeriod: optionalField(p, "restake_period", asUint, d.restakePeriod),
  };
}

export function distributionParamsToJson(p: DistributionParams): Record<string, unknown> {
  return {
    community_tax: p.communityTax.toString(),
    base_proposer_reward: p.baseProposerReward.toString(),
    bonus_proposer_reward: p.bonusProposerReward.toString(),
    withdraw_addr_enabled: p.withdrawAddrEnabled,
    secret_foundation_tax: p.secretFoundationTax.toString(),
    secret_foundation_address: p.secretFoundationAddress,
    minimum_restake_threshold: p.minimumRestakeThreshold.toString(),
    restake_period: p.restakePeriod.toString(),
  };
}

export function distributionGenesisFromJson(v: unknown): DistributionGenesis {
  if (v === undefined) return defaultDistributionGenesis();
  const o = asObject(v, "distribution");
  const pool = o.fee_pool === undefined ? {} : asObject(o.fee_pool, "fee_pool");
  const proposer = o.previous_proposer === undefined ? "" : asString(o.previous_proposer, "previous_proposer");
  return {
    params: distributionParamsFromJson(o.params),
    communityPool: decCoinsJson(pool.community_pool, "fee_pool.community_pool"),
    withdrawInfos: asArray(o.delegator_withdraw_infos, "delegator_withdraw_infos").map((x, i) => {
      const w = asObject(x, `delegator_withdraw_infos[${i}]`);
      return {
        delegator: parseAccountAddress(asString(w.delegator_address, "delegator_address")),
        withdraw: parseAccountAddress(asString(w.withdraw_address, "withdraw_address")),
      };
    }),
    previousProposer: proposer === "" ? undefined : decodeAddress(proposer, VALCONS_PREFIX),
    outstanding: asArray(o.outstanding_rewards, "outstanding_rewards").map((x) => {
      const r = asObject(x, "outstanding_rewards[]");
      return {
        val: valoper(r.validator_address, "validator_address"),
        rewards: decCoinsJson(r.outstanding_rewards, "outstanding_rewards"),
      };
    }),
    commissions: asArray(o.validator_accumulated_commissions, "validator_accumulated_commissions").map((x) => {
      const r = asObject(x, "validator_accumulated_commissions[]");
      const acc = asObject(r.accumulated ?? {}, "accumulated");
      return {
        val: valoper(r.validator_address, "validator_address"),
        commission: decCoinsJson(acc.commission, "commission"),
      };
    }),
    historical: asArray(o.validator_historical_rewards, "validator_historical_rewards").map((x) => {
      const r = asObject(x, "validator_historical_rewards[]");
      const rw = asObject(r.rewards ?? {}, "rewards");
      return {
        val: valoper(r.validator_address, "validator_address"),
        period: asUint(r.period, "period"),
        ratio: decCoinsJson(rw.cumulative_reward_ratio, "cumulative_reward_ratio"),
        referenceCount: Number(asUint(rw.reference_count ?? 0, "reference_count", 32)),
      };
    }),
    current: asArray(o.validator_current_rewards, "validator_current_rewards").map((x) => {
      const r = asObject(x, "validator_current_rewards[]");
      const rw = asObject(r.rewards ?? {}, "rewards");
      return {
        val: valoper(r.validator_address, "validator_address"),
        rewards: decCoinsJson(rw.rewards, "rewards"),
        period: asUint(rw.period, "period"),
      };
    }),
    startingInfos: asArray(o.delegator_starting_infos, "delegator_starting_infos").map((x) => {
      const r = asObject(x, "delegator_starting_infos[]");
      const s = asObject(r.starting_info ?? {}, "starting_info");
      return {
        val: valoper(r.validator_address, "validator_address"),
        del: parseAccountAddress(asString(r.delegator_address, "delegator_address")),
        previousPeriod: asUint(s.previous_period, "previous_period"),
        stake: decJson(s.stake, "stake"),
        height: asUint(s.height, "height"),
      };
    }),
    slashEvents: asArray(o.validator_slash_events, "validator_slash_events").map((x) => {
      const r = asObject(x, "validator_slash_events[]");
      const e = asObject(r.validator_slash_event ?? {}, "validator_slash_event");
      return {
        val: valoper(r.validator_address, "validator_address"),
        height: asUint(r.height, "height"),
        period: asUint(e.validator_period, "validator_period"),
        fraction: decJson(e.fraction, "fraction"),
      };
    }),
  };
}

export function distributionGenesisToJson(g: DistributionGenesis): Record<string, unknown> {
  return {
    params: distributionParamsToJson(g.params),
    fee_pool: { community_pool: decCoinsToJson(g.communityPool) },
    delegator_withdraw_infos: g.withdrawInfos.map((w) => ({
      delegator_address: encodeAddress(w.delegator),
      withdraw_address: encodeAddress(w.withdraw),
    })),
    previous_proposer: g.previousProposer === undefined ? "" : encodeAddress(g.previousProposer, VALCONS_PREFIX),
    outstanding_rewards: g.outstanding.map((r) => ({
      validator_address: valoperAddress(r.val),
      outstanding_rewards: decCoinsToJson(r.rewards),
    })),
    validator_accumulated_commissions: g.commissions.map((r) => ({
      validator_address: valoperAddress(r.val),
      accumulated: { commission: decCoinsToJson(r.commission) },
    })),
    validator_historical_rewards: g.historical.map((r) => ({
      validator_address: valoperAddress(r.val),
      period: r.period.toString(),
      rewards: { cumulative_reward_ratio: decCoinsToJson(r.ratio), reference_count: r.referenceCount },
    })),
    validator_current_rewards: g.current.map((r) => ({
      validator_address: valoperAddress(r.val),
      rewards: { rewards: decCoinsToJson(r.rewards), period: r.period.toString() },
    })),
    delegator_starting_infos: g.startingInfos.map((s) => ({
      delegator_address: encodeAddress(s.del),
      validator_address: valoperAddress(s.val),
      starting_info: {
        previous_period: s.previousPeriod.toString(),
        stake: s.stake.toString(),
        height: s.height.toString(),
      },
    })),
    validator_slash_events: g.slashEvents.map((e) => ({
      validator_address: valoperAddress(e.val),
      height: e.height.toString(),
      period: e.period.toString(),
      validator_slash_event: { validator_period: e.period.toString(), fraction: e.fraction.toString() },
    })),
  };
}

/**
 * Writes the genesis state. Run after bank (balances) and before staking (whose genesis hooks
 * initialise the validators and delegations of a fresh genesis), as upstream's genesis order.
 * `moduleBalance` is the distribution module account's balance of each denom.
 */
export function initDistributionGenesis(
  ctx: Context,
  keeper: DistributionKeeper,
  g: DistributionGenesis,
  moduleBalance: (denom: string) => bigint,
): void {
  const problem = distributionParamsProblem(g.params);
  if (problem !== undefined) throw genesisError(`distribution params: ${problem}`);
  keeper.setParams(ctx, g.params);
  keeper.setCommunityPool(ctx, g.communityPool);
  for (const w of g.withdrawInfos) keeper.setWithdrawAddressRecord(ctx, w.delegator, w.withdraw);
  if (g.previousProposer !== undefined) keeper.setPreviousProposer(ctx, g.previousProposer);
  let owed = g.communityPool;
  for (const r of g.outstanding) {
    keeper.setOutstanding(ctx, r.val, r.rewards);
    owed = addDecCoins(owed, r.rewards);
  }
  for (const r of g.commissions) keeper.setCommission(ctx, r.val, r.commission);
  for (const r of g.historical) {
    keeper.setHistoricalRewards(ctx, r.val, r.period, {
      cumulativeRewardRatio: r.ratio,
      referenceCount: r.referenceCount,
    });
  }
  for (const r of g.current) keeper.setCurrentRewards(ctx, r.val, { rewards: r.rewards, period: r.period });
  for (const s of g.startingInfos) {
    keeper.setStartingInfo(ctx, s.val, s.del, { previousPeriod: s.previousPeriod, stake: s.stake, height: s.height });
  }
  keeper.importSlashEvents(ctx, g.slashEvents);
  for (const c of truncateDecCoins(owed).coins) {
    const balance = moduleBalance(c.denom);
    if (balance !== c.amount) {
      throw genesisError(
        `distribution module balance does not match the module holdings: ${balance}${c.denom} <-> ${c.amount}${c.denom}`,
      );
    }
  }
}

export function exportDistributionGenesis(ctx: Context, keeper: DistributionKeeper): DistributionGenesis {
  return keeper.exportRecords(ctx);
}
