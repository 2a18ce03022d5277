/**
 * `cosmos.distribution.v1beta1` (Cosmos SDK 0.50 with Secret's fork: foundation tax, auto-restake):
 * messages, stored F1 records and query messages with upstream's field numbers. Params fields 5–8 are
 * Secret's (`secret_foundation_tax`, `secret_foundation_address`, `minimum_restake_threshold`,
 * `restake_period`, as secretjs's generated codec numbers them).
 */
import { Dec } from "../primitives/amount.ts";
import { ProtoWriter, decodeFields, field } from "./protobuf.ts";
import {
  type DecCoin,
  decodeDecCoin,
  decodeDecField,
  decodeIntField,
  encodeDecField,
  writeDecCoins,
} from "./staking.ts";
import { type ProtoCoin, decodeCoin, writeCoins } from "./tx.ts";

export const DISTRIBUTION_URLS = {
  MsgSetWithdrawAddress: "/cosmos.distribution.v1beta1.MsgSetWithdrawAddress",
  MsgWithdrawDelegatorReward: "/cosmos.distribution.v1beta1.MsgWithdrawDelegatorReward",
  MsgWithdrawValidatorCommission: "/cosmos.distribution.v1beta1.MsgWithdrawValidatorCommission",
  MsgFundCommunityPool: "/cosmos.distribution.v1beta1.MsgFundCommunityPool",
  MsgCommunityPoolSpend: "/cosmos.distribution.v1beta1.MsgCommunityPoolSpend",
  MsgDepositValidatorRewardsPool: "/cosmos.distribution.v1beta1.MsgDepositValidatorRewardsPool",
  MsgSetAutoRestake: "/cosmos.distribution.v1beta1.MsgSetAutoRestake",
  MsgUpdateParams: "/cosmos.distribution.v1beta1.MsgUpdateParams",
} as const;

/** A message of string fields 1..n followed by optional repeated coins at `coinsField`. */
export interface StringsAndCoins {
  readonly strings: string[];
  readonly coins: ProtoCoin[];
  readonly flag: boolean;
}

export function decodeStringsAndCoins(
  bytes: Uint8Array,
  what: string,
  stringFields: readonly number[],
  coinsField?: number,
  boolField?: number,
): StringsAndCoins {
  const strings = stringFields.map(() => "");
  const coins: ProtoCoin[] = [];
  let flag = false;
  const handlers: Record<number, ReturnType<typeof field.string>> = {};
  stringFields.forEach((n, i) => (handlers[n] = field.string((v) => (strings[i] = v))));
  if (coinsField !== undefined) handlers[coinsField] = field.message(decodeCoin, (c) => coins.push(c));
  if (boolField !== undefined) handlers[boolField] = field.bool((v) => (flag = v));
  decodeFields(bytes, what, handlers);
  return { strings, coins, flag };
}

export function encodeStringsAndCoins(
  strings: ReadonlyArray<readonly [number, string]>,
  coins?: readonly [number, readonly ProtoCoin[]],
  flag?: readonly [number, boolean],
): Uint8Array {
  const all: Array<[number, () => void]> = [];
  const w = new ProtoWriter();
  for (const [n, s] of strings) all.push([n, () => w.string(n, s)]);
  if (coins !== undefined) all.push([coins[0], () => writeCoins(w, coins[0], coins[1])]);
  if (flag !== undefined) all.push([flag[0], () => w.bool(flag[0], flag[1])]);
  all.sort((a, b) => a[0] - b[0]);
  for (const [, write] of all) write();
  return w.finish();
}

/** `{1 amount Coin[]}` (withdraw responses). */
export const encodeCoinsAmountResponse = (coins: readonly ProtoCoin[]): Uint8Array =>
  writeCoins(new ProtoWriter(), 1, coins).finish();

export interface DistributionParams {
  readonly communityTax: Dec;
  readonly baseProposerReward: Dec;
  readonly bonusProposerReward: Dec;
  readonly withdrawAddrEnabled: boolean;
  readonly secretFoundationTax: Dec;
  readonly secretFoundationAddress: string;
  readonly minimumRestakeThreshold: Dec;
  readonly restakePeriod: bigint;
}

export function encodeDistributionParams(p: DistributionParams): Uint8Array {
  return new ProtoWriter()
    .string(1, encodeDecField(p.communityTax))
    .string(2, encodeDecField(p.baseProposerReward))
    .string(3, encodeDecField(p.bonusProposerReward))
    .bool(4, p.withdrawAddrEnabled)
    .string(5, encodeDecField(p.secretFoundationTax))
    .string(6, p.secretFoundationAddress)
    .string(7, encodeDecField(p.minimumRestakeThreshold))
    .string(8, p.restakePeriod.toString())
    .finish();
}

export function decodeDistributionParams(bytes: Uint8Array): DistributionParams {
  const p = {
    communityTax: Dec.ZERO,
    baseProposerReward: Dec.ZERO,
    bonusProposerReward: Dec.ZERO,
    withdrawAddrEnabled: false,
    secretFoundationTax: Dec.ZERO,
    secretFoundationAddress: "",
    minimumRestakeThreshold: Dec.ZERO,
    restakePeriod: 0n,
  };
  decodeFields(bytes, "distribution.Params", {
    1: field.string((v) => (p.communityTax = decodeDecField(v))),
    2: field.string((v) => (p.baseProposerReward = decodeDecField(v))),
    3: field.string((v) => (p.bonusProposerReward = decodeDecField(v))),
    4: field.bool((v) => (p.withdrawAddrEnabled = v)),
    5: field.string((v) => (p.secretFoundationTax = decodeDecField(v))),
    6: field.string((v) => (p.secretFoundationAddress = v)),
    7: field.string((v) => (p.minimumRestakeThreshold = decodeDecField(v))),
    8: field.string((v) => (p.restakePeriod = decodeIntField(v))),
  });
  return p;
}

/** ValidatorHistoricalRewards `{1 cumulative_reward_ratio, 2 reference_count}`. */
export interface HistoricalRewards {
  readonly cumulativeRewardRatio: readonly DecCoin[];
  readonly referenceCount: number;
}

export function encodeHistoricalRewards(h: HistoricalRewards): Uint8Array {
  return writeDecCoins(new ProtoWriter(), 1, h.cumulativeRewardRatio).uint(2, h.referenceCount).finish();
}

export function decodeHistoricalRewards(bytes: Uint8Array): HistoricalRewards {
  const cumulativeRewardRatio: DecCoin[] = [];
  let referenceCount = 0;
  decodeFields(bytes, "ValidatorHistoricalRewards", {
    1: field.message(decodeDecCoin, (c) => cumulativeRewardRatio.push(c)),
    2: field.uint32((v) => (referenceCount = v)),
  });
  return { cumulativeRewardRatio, referenceCount };
}

/** ValidatorCurrentRewards `{1 rewards, 2 period}`. */
export interface CurrentRewards {
  readonly rewards: readonly DecCoin[];
  readonly period: bigint;
}

export function encodeCurrentRewards(c: CurrentRewards): Uint8Array {
  return writeDecCoins(new ProtoWriter(), 1, c.rewards).uint(2, c.period).finish();
}

export function decodeCurrentRewards(bytes: Uint8Array): CurrentRewards {
  const rewards: DecCoin[] = [];
  let period = 0n;
  decodeFields(bytes, "ValidatorCurrentRewards", {
    1: field.message(decodeDecCoin, (c) => rewards.push(c)),
    2: field.uint64((v) => (period = v)),
  });
  return { rewards, period };
}

/** DelegatorStartingInfo `{1 previous_period, 2 stake, 3 height}`. */
export interface StartingInfo {
  readonly previousPeriod: bigint;
  readonly stake: Dec;
  readonly height: bigint;
}

export function encodeStartingInfo(s: StartingInfo): Uint8Array {
  return new ProtoWriter().uint(1, s.previousPeriod).string(2, encodeDecField(s.stake)).uint(3, s.height).finish();
}

export function decodeStartingInfo(bytes: Uint8Array): StartingInfo {
  let previousPeriod = 0n;
  let stake = Dec.ZERO;
  let height = 0n;
  decodeFields(bytes, "DelegatorStartingInfo", {
    1: field.uint64((v) => (previousPeriod = v)),
    2: field.string((v) => (stake = decodeDecField(v))),
    3: field.uint64((v) => (height = v)),
  });
  return { previousPeriod, stake, height };
}

/** ValidatorSlashEvent `{1 validator_period, 2 fraction}`. */
export interface SlashEvent {
  readonly validatorPeriod: bigint;
  readonly fraction: Dec;
}

export function encodeSlashEvent(e: SlashEvent): Uint8Array {
  return new ProtoWriter().uint(1, e.validatorPeriod).string(2, encodeDecField(e.fraction)).finish();
}

export function decodeSlashEvent(bytes: Uint8Array): SlashEvent {
  let validatorPeriod = 0n;
  let fraction = Dec.ZERO;
  decodeFields(bytes, "ValidatorSlashEvent", {
    1: field.uint64((v) => (validatorPeriod = v)),
    2: field.string((v) => (fraction = decodeDecField(v))),
  });
  return { validatorPeriod, fraction };
}

/** `QueryValidatorSlashesRequest{1 validator_address, 2 starting_height, 3 ending_height, 4 pagination}`. */
export function decodeValidatorSlashesRequest(bytes: Uint8Array): {
  validatorAddress: string;
  startingHeight: bigint;
  endingHeight: bigint;
} {
  let validatorAddress = "";
  let startingHeight = 0n;
  let endingHeight = 0n;
  decodeFields(bytes, "QueryValidatorSlashesRequest", {
    1: field.string((v) => (validatorAddress = v)),
    2: field.uint64((v) => (startingHeight = v)),
    3: field.uint64((v) => (endingHeight = v)),
    4: field.bytes(() => undefined),
  });
  return { validatorAddress, startingHeight, endingHeight };
}

/** DelegationDelegatorReward `{1 validator_address, 2 reward}`. */
export function encodeDelegationTotalRewards(
  rewards: ReadonlyArray<{ readonly validatorAddress: string; readonly reward: readonly DecCoin[] }>,
  total: readonly DecCoin[],
): Uint8Array {
  const w = new ProtoWriter();
  for (const r of rewards) {
    w.message(1, writeDecCoins(new ProtoWriter().string(1, r.validatorAddress), 2, r.reward).finish());
  }
  return writeDecCoins(w, 2, total).finish();
}

/** `QueryValidatorDistributionInfoResponse{1 operator_address, 2 self_bond_rewards, 3 commission}`. */
export function encodeValidatorDistributionInfo(
  operator: string,
  selfBondRewards: readonly DecCoin[],
  commission: readonly DecCoin[],
): Uint8Array {
  return writeDecCoins(
    writeDecCoins(new ProtoWriter().string(1, operator), 2, selfBondRewards),
    3,
    commission,
  ).finish();
}

/** A response of repeated strings at field 1 (`DelegatorValidators`, Secret's `RestakingEntries`). */
export function encodeStringList(values: readonly string[]): Uint8Array {
  const w = new ProtoWriter();
  for (const v of values) w.string(1, v, true);
  return w.finish();
}
