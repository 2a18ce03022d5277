/** `cosmos.distribution.v1beta1.Query` (chain-api.md §7.6, Secret fork). */
import {
  decodeValidatorSlashesRequest,
  encodeDelegationTotalRewards,
  encodeDistributionParams,
  encodeSlashEvent,
  encodeStringList,
  encodeValidatorDistributionInfo,
} from "../../codec/distribution.ts";
import { ProtoWriter } from "../../codec/protobuf.ts";
import {
  decodeStringsRequest,
  encodeDecCoinsMessage,
  encodeDecField,
  encodeListResponse,
  encodeWrapped,
} from "../../codec/staking.ts";
import { decodeAddress, encodeAddress, parseAccountAddress } from "../../primitives/bech32.ts";
import { paginate } from "../modules/pagination.ts";
import { type QueryHandler, grpcInvalidArgument, grpcNotFound } from "../query.ts";
import { VALOPER_PREFIX } from "../staking/types.ts";
import { type DecCoin, addDecCoins } from "./decCoins.ts";
import type { DistributionKeeper } from "./keeper.ts";
import type { StakingForDistribution } from "./types.ts";

const D = "/cosmos.distribution.v1beta1.Query/";

function valAddr(text: string): Uint8Array {
  if (text === "") throw grpcInvalidArgument("empty validator address");
  try {
    return decodeAddress(text, VALOPER_PREFIX);
  } catch (e) {
    throw grpcInvalidArgument(`invalid validator address: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function accAddr(text: string): Uint8Array {
  if (text === "") throw grpcInvalidArgument("empty delegator address");
  try {
    return parseAccountAddress(text);
  } catch (e) {
    throw grpcInvalidArgument(`invalid delegator address: ${e instanceof Error ? e.message : String(e)}`);
  }
}

export function distributionQueryHandlers(
  keeper: DistributionKeeper,
  staking: StakingForDistribution,
): Record<string, QueryHandler> {
  const one = (data: Uint8Array, what: string, n = 1): string[] => decodeStringsRequest(data, what, n).strings;
  return {
    [`${D}Params`]: (ctx) => encodeWrapped(encodeDistributionParams(keeper.getParams(ctx))),
    [`${D}ValidatorDistributionInfo`]: (ctx, data) => {
      const [text] = one(data, "QueryValidatorDistributionInfoRequest");
      const val = valAddr(text!);
      const v = staking.getValidator(ctx, val);
      if (v === undefined) throw grpcNotFound(`validator ${text} not found`);
      const d = staking.getDelegation(ctx, val, val);
      const self = d === undefined ? [] : keeper.pendingRewards(ctx, v, d);
      return encodeValidatorDistributionInfo(encodeAddress(val), self, keeper.getCommission(ctx, val));
    },
    [`${D}ValidatorOutstandingRewards`]: (ctx, data) => {
      const [text] = one(data, "QueryValidatorOutstandingRewardsRequest");
      const val = valAddr(text!);
      if (staking.getValidator(ctx, val) === undefined) throw grpcNotFound(`validator ${text} does not exist`);
      return encodeWrapped(encodeDecCoinsMessage(keeper.getOutstanding(ctx, val)));
    },
    [`${D}ValidatorCommission`]: (ctx, data) => {
      const [text] = one(data, "QueryValidatorCommissionRequest");
      const val = valAddr(text!);
      if (staking.getValidator(ctx, val) === undefined) throw grpcNotFound(`validator ${text} does not exist`);
      return encodeWrapped(encodeDecCoinsMessage(keeper.getCommission(ctx, val)));
    },
    [`${D}ValidatorSlashes`]: (ctx, data) => {
      const req = decodeValidatorSlashesRequest(data);
      if (req.endingHeight < req.startingHeight) {
        throw grpcInvalidArgument("starting height greater than ending height");
      }
      const val = valAddr(req.validatorAddress);
      const events = keeper.slashEvents(ctx, val, req.startingHeight, req.endingHeight + 1n);
      const r = paginate(events, { key: new Uint8Array(0), offset: 0n, limit: 0n, countTotal: false, reverse: false });
      return encodeListResponse(r.items.map(encodeSlashEvent), r.page);
    },
    [`${D}DelegationRewards`]: (ctx, data) => {
      const [d, v] = one(data, "QueryDelegationRewardsRequest", 2);
      const del = accAddr(d!);
      const val = valAddr(v!);
      const validator = staking.getValidator(ctx, val);
      if (validator === undefined) throw grpcNotFound(`validator ${v} does not exist`);
      const delegation = staking.getDelegation(ctx, del, val);
      if (delegation === undefined) throw grpcNotFound(`delegation does not exist`);
      return encodeDecCoinsMessage(keeper.pendingRewards(ctx, validator, delegation));
    },
    [`${D}DelegationTotalRewards`]: (ctx, data) => {
      const [d] = one(data, "QueryDelegationTotalRewardsRequest");
      const del = accAddr(d!);
      let total: DecCoin[] = [];
      const rewards = staking.delegationsOf(ctx, del).map((delegation) => {
        const validator = staking.getValidator(ctx, decodeAddress(delegation.validatorAddress, VALOPER_PREFIX));
        const reward = validator === undefined ? [] : keeper.pendingRewards(ctx, validator, delegation);
        total = addDecCoins(total, reward);
        return { validatorAddress: delegation.validatorAddress, reward };
      });
      return encodeDelegationTotalRewards(rewards, total);
    },
    [`${D}DelegatorValidators`]: (ctx, data) => {
      const [d] = one(data, "QueryDelegatorValidatorsRequest");
      return encodeStringList(staking.delegationsOf(ctx, accAddr(d!)).map((x) => x.validatorAddress));
    },
    [`${D}DelegatorWithdrawAddress`]: (ctx, data) => {
      const [d] = one(data, "QueryDelegatorWithdrawAddressRequest");
      return new ProtoWriter().string(1, encodeAddress(keeper.getWithdrawAddress(ctx, accAddr(d!)))).finish();
    },
    [`${D}CommunityPool`]: (ctx) => encodeDecCoinsMessage(keeper.getCommunityPool(ctx)),
    [`${D}FoundationTax`]: (ctx) => {
      const p = keeper.getParams(ctx);
      return new ProtoWriter()
        .string(1, encodeDecField(p.secretFoundationTax))
        .string(2, p.secretFoundationAddress)
        .finish();
    },
    [`${D}RestakeThreshold`]: (ctx) =>
      new ProtoWriter().string(1, encodeDecField(keeper.getParams(ctx).minimumRestakeThreshold)).finish(),
    [`${D}RestakingEntries`]: (ctx, data) => {
      const [d] = one(data, "QueryRestakingEntriesRequest");
      return encodeStringList(keeper.restakeValidators(ctx, accAddr(d!)));
    },
  };
}
