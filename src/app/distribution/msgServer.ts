/**
 * `cosmos.distribution.v1beta1.Msg` (Cosmos SDK 0.50 + Secret's MsgSetAutoRestake): SetWithdrawAddress,
 * WithdrawDelegatorReward, WithdrawValidatorCommission, FundCommunityPool, CommunityPoolSpend (gov),
 * DepositValidatorRewardsPool, SetAutoRestake, UpdateParams (gov).
 */
import {
  DISTRIBUTION_URLS,
  type StringsAndCoins,
  decodeDistributionParams,
  decodeStringsAndCoins,
  encodeCoinsAmountResponse,
} from "../../codec/distribution.ts";
import { type Coin, coinsFromProto, coinsString, coinsToProto, isValidCoinSet } from "../coins.ts";
import { SdkErrors } from "../errors.ts";
import { govSignerCheck, parseAccount, parseValoper, updateParamsService } from "../staking/msgServer.ts";
import { valoperAddress } from "../staking/types.ts";
import type { MsgService } from "../types.ts";
import { decCoinsFromCoins } from "./decCoins.ts";
import { DistributionErrors } from "./errors.ts";
import { autoRestakeEvent, setWithdrawAddressEvent } from "./events.ts";
import type { DistributionKeeper } from "./keeper.ts";
import { distributionParamsProblem } from "./params.ts";
import type { StakingForDistribution } from "./types.ts";

const EMPTY = new Uint8Array(0);

function validCoins(coins: readonly Coin[], allowEmpty = false): void {
  if ((!allowEmpty && coins.length === 0) || !isValidCoinSet(coins))
    throw SdkErrors.InvalidCoins.wrap(coinsString(coins));
}

const aminoCoins = (m: StringsAndCoins): unknown[] => m.coins.map((c) => ({ amount: c.amount, denom: c.denom }));

export function distributionMsgServices(
  keeper: DistributionKeeper,
  staking: StakingForDistribution,
  authority: Uint8Array,
): MsgService[] {
  const checkAuthority = govSignerCheck(authority);
  const decoder =
    (what: string, strings: number[], coins?: number, flag?: number) =>
    (b: Uint8Array): StringsAndCoins =>
      decodeStringsAndCoins(b, what, strings, coins, flag);

  const setWithdrawAddress: MsgService<StringsAndCoins> = {
    typeUrl: DISTRIBUTION_URLS.MsgSetWithdrawAddress,
    decode: decoder("MsgSetWithdrawAddress", [1, 2]),
    signers: (m) => [parseAccount(m.strings[0]!, "delegator")],
    handle(ctx, m) {
      const del = parseAccount(m.strings[0]!, "delegator");
      const to = parseAccount(m.strings[1]!, "withdraw");
      keeper.setWithdrawAddress(ctx, del, to);
      ctx.events.emit(setWithdrawAddressEvent(m.strings[1]!));
      return EMPTY;
    },
    aminoJson: (m) => ({
      type: "cosmos-sdk/MsgModifyWithdrawAddress",
      value: { delegator_address: m.strings[0], withdraw_address: m.strings[1] },
    }),
  };

  const withdrawReward: MsgService<StringsAndCoins> = {
    typeUrl: DISTRIBUTION_URLS.MsgWithdrawDelegatorReward,
    decode: decoder("MsgWithdrawDelegatorReward", [1, 2]),
    signers: (m) => [parseAccount(m.strings[0]!, "delegator")],
    handle(ctx, m) {
      const val = parseValoper(m.strings[1]!);
      const del = parseAccount(m.strings[0]!, "delegator");
      if (staking.getValidator(ctx, val) === undefined) throw DistributionErrors.NoValidatorExists.error();
      const coins = keeper.withdrawDelegationRewards(ctx, del, val);
      return encodeCoinsAmountResponse(coinsToProto(coins));
    },
    aminoJson: (m) => ({
      type: "cosmos-sdk/MsgWithdrawDelegationReward",
      value: { delegator_address: m.strings[0], validator_address: m.strings[1] },
    }),
  };

  const withdrawCommission: MsgService<StringsAndCoins> = {
    typeUrl: DISTRIBUTION_URLS.MsgWithdrawValidatorCommission,
    decode: decoder("MsgWithdrawValidatorCommission", [1]),
    signers: (m) => [parseValoper(m.strings[0]!)],
    handle(ctx, m) {
      const val = parseValoper(m.strings[0]!);
      const coins = keeper.withdrawValidatorCommission(ctx, val);
      return encodeCoinsAmountResponse(coinsToProto(coins));
    },
    aminoJson: (m) => ({ type: "cosmos-sdk/MsgWithdrawValCommission", value: { validator_address: m.strings[0] } }),
  };

  const fundCommunityPool: MsgService<StringsAndCoins> = {
    typeUrl: DISTRIBUTION_URLS.MsgFundCommunityPool,
    decode: decoder("MsgFundCommunityPool", [2], 1),
    signers: (m) => [parseAccount(m.strings[0]!, "depositor")],
    handle(ctx, m) {
      const depositor = parseAccount(m.strings[0]!, "depositor");
      const coins = coinsFromProto(m.coins);
      validCoins(coins);
      keeper.fundCommunityPool(ctx, depositor, coins);
      return EMPTY;
    },
    aminoJson: (m) => ({
      type: "cosmos-sdk/MsgFundCommunityPool",
      value: { amount: aminoCoins(m), depositor: m.strings[0] },
    }),
  };

  const communityPoolSpend: MsgService<StringsAndCoins> = {
    typeUrl: DISTRIBUTION_URLS.MsgCommunityPoolSpend,
    decode: decoder("MsgCommunityPoolSpend", [1, 2], 3),
    signers: (m) => [parseAccount(m.strings[0]!, "authority")],
    handle(ctx, m) {
      checkAuthority(m.strings[0]!);
      const coins = coinsFromProto(m.coins);
      validCoins(coins);
      const recipient = parseAccount(m.strings[1]!, "recipient");
      keeper.distributeFromCommunityPool(ctx, coins, recipient);
      return EMPTY;
    },
    aminoJson: (m) => ({
      type: "cosmos-sdk/distr/MsgCommunityPoolSpend",
      value: { authority: m.strings[0], recipient: m.strings[1], amount: aminoCoins(m) },
    }),
  };

  const depositRewardsPool: MsgService<StringsAndCoins> = {
    typeUrl: DISTRIBUTION_URLS.MsgDepositValidatorRewardsPool,
    decode: decoder("MsgDepositValidatorRewardsPool", [1, 2], 3),
    signers: (m) => [parseAccount(m.strings[0]!, "depositor")],
    handle(ctx, m) {
      const depositor = parseAccount(m.strings[0]!, "depositor");
      const val = parseValoper(m.strings[1]!);
      const coins = coinsFromProto(m.coins);
      validCoins(coins);
      const v = staking.getValidator(ctx, val);
      if (v === undefined) throw DistributionErrors.NoValidatorExists.wrap(valoperAddress(val));
      keeper.depositValidatorRewardsPool(ctx, depositor, v, coins, decCoinsFromCoins(coins));
      return EMPTY;
    },
  };

  const setAutoRestake: MsgService<StringsAndCoins> = {
    typeUrl: DISTRIBUTION_URLS.MsgSetAutoRestake,
    decode: decoder("MsgSetAutoRestake", [1, 2], undefined, 3),
    signers: (m) => [parseAccount(m.strings[0]!, "delegator")],
    handle(ctx, m) {
      const del = parseAccount(m.strings[0]!, "delegator");
      const val = parseValoper(m.strings[1]!);
      keeper.setAutoRestake(ctx, del, val, m.flag);
      ctx.events.emit(autoRestakeEvent(m.strings[0]!));
      return EMPTY;
    },
    aminoJson: (m) => ({
      type: "cosmos-sdk/MsgSetAutoRestake",
      value: { delegator_address: m.strings[0], validator_address: m.strings[1], ...(m.flag ? { enabled: true } : {}) },
    }),
  };

  const updateParams = updateParamsService({
    typeUrl: DISTRIBUTION_URLS.MsgUpdateParams,
    checkSigner: checkAuthority,
    decodeParams: decodeDistributionParams,
    problem: distributionParamsProblem,
    setParams: (ctx, params) => keeper.setParams(ctx, params),
  });

  return [
    setWithdrawAddress,
    withdrawReward,
    withdrawCommission,
    fundCommunityPool,
    communityPoolSpend,
    depositRewardsPool,
    setAutoRestake,
    updateParams,
  ] as MsgService[];
}
