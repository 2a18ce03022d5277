/** `cosmos.staking.v1beta1.Query` (chain-api.md §7.5), answered from the keeper. */
import {
  BOND_STATUS_NAMES,
  type Delegation,
  type Validator,
  decodeHeightRequest,
  decodeStringsRequest,
  encodeDelegationResponse,
  encodeHistoricalInfo,
  encodeListResponse,
  encodePool,
  encodeRedelegationResponse,
  encodeStakingParams,
  encodeUnbondingDelegation,
  encodeValidator,
  encodeWrapped,
} from "../../codec/staking.ts";
import { decodeAddress, parseAccountAddress } from "../../primitives/bech32.ts";
import type { Context } from "../context.ts";
import { paginate } from "../modules/pagination.ts";
import { type QueryHandler, grpcInvalidArgument, grpcNotFound } from "../query.ts";
import { type StakingKeeper, tokensFromShares } from "./keeper.ts";
import { VALOPER_PREFIX } from "./types.ts";

const S = "/cosmos.staking.v1beta1.Query/";

function valAddr(text: string): Uint8Array {
  if (text === "") throw grpcInvalidArgument("validator address cannot be empty");
  try {
    return decodeAddress(text, VALOPER_PREFIX);
  } catch (e) {
    throw grpcInvalidArgument(`invalid validator address: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function accAddr(text: string): Uint8Array {
  if (text === "") throw grpcInvalidArgument("delegator address cannot be empty");
  try {
    return parseAccountAddress(text);
  } catch (e) {
    throw grpcInvalidArgument(`invalid delegator address: ${e instanceof Error ? e.message : String(e)}`);
  }
}

export function stakingQueryHandlers(keeper: StakingKeeper): Record<string, QueryHandler> {
  const validator = (ctx: Context, text: string): Validator => {
    const v = keeper.getValidator(ctx, valAddr(text));
    if (v === undefined) throw grpcNotFound(`validator ${text} not found`);
    return v;
  };
  const delegationResponse = (ctx: Context, d: Delegation): Uint8Array => {
    const v = keeper.getValidator(ctx, decodeAddress(d.validatorAddress, VALOPER_PREFIX));
    if (v === undefined) throw grpcNotFound(`validator ${d.validatorAddress} not found`);
    const amount = tokensFromShares(v, d.shares).truncateInt();
    return encodeDelegationResponse({
      delegation: d,
      balance: { denom: keeper.bondDenom(ctx), amount: amount.toString() },
    });
  };
  return {
    [`${S}Validators`]: (ctx, data) => {
      const { strings, page } = decodeStringsRequest(data, "QueryValidatorsRequest", 1, 2);
      const status = strings[0]!;
      if (status !== "" && !(BOND_STATUS_NAMES as readonly string[]).includes(status)) {
        throw grpcInvalidArgument("invalid validator status " + status);
      }
      const all = [...keeper.allValidators(ctx)].filter((v) => status === "" || BOND_STATUS_NAMES[v.status] === status);
      const r = paginate(all, page);
      return encodeListResponse(r.items.map(encodeValidator), r.page);
    },
    [`${S}Validator`]: (ctx, data) => {
      const { strings } = decodeStringsRequest(data, "QueryValidatorRequest", 1);
      return encodeWrapped(encodeValidator(validator(ctx, strings[0]!)));
    },
    [`${S}ValidatorDelegations`]: (ctx, data) => {
      const { strings, page } = decodeStringsRequest(data, "QueryValidatorDelegationsRequest", 1, 2);
      const r = paginate(keeper.delegationsTo(ctx, valAddr(strings[0]!)), page);
      return encodeListResponse(
        r.items.map((d) => delegationResponse(ctx, d)),
        r.page,
      );
    },
    [`${S}ValidatorUnbondingDelegations`]: (ctx, data) => {
      const { strings, page } = decodeStringsRequest(data, "QueryValidatorUnbondingDelegationsRequest", 1, 2);
      const r = paginate(keeper.unbondingDelegationsFrom(ctx, valAddr(strings[0]!)), page);
      return encodeListResponse(r.items.map(encodeUnbondingDelegation), r.page);
    },
    [`${S}Delegation`]: (ctx, data) => {
      const { strings } = decodeStringsRequest(data, "QueryDelegationRequest", 2);
      const [d, v] = [strings[0]!, strings[1]!];
      const delegation = keeper.getDelegation(ctx, accAddr(d), valAddr(v));
      if (delegation === undefined) throw grpcNotFound(`delegation with delegator ${d} not found for validator ${v}`);
      return encodeWrapped(delegationResponse(ctx, delegation));
    },
    [`${S}UnbondingDelegation`]: (ctx, data) => {
      const { strings } = decodeStringsRequest(data, "QueryUnbondingDelegationRequest", 2);
      const [d, v] = [strings[0]!, strings[1]!];
      const u = keeper.getUnbondingDelegation(ctx, accAddr(d), valAddr(v));
      if (u === undefined) {
        throw grpcNotFound(`unbonding delegation with delegator ${d} not found for validator ${v}`);
      }
      return encodeWrapped(encodeUnbondingDelegation(u));
    },
    [`${S}DelegatorDelegations`]: (ctx, data) => {
      const { strings, page } = decodeStringsRequest(data, "QueryDelegatorDelegationsRequest", 1, 2);
      const r = paginate(keeper.delegationsOf(ctx, accAddr(strings[0]!)), page);
      return encodeListResponse(
        r.items.map((d) => delegationResponse(ctx, d)),
        r.page,
      );
    },
    [`${S}DelegatorUnbondingDelegations`]: (ctx, data) => {
      const { strings, page } = decodeStringsRequest(data, "QueryDelegatorUnbondingDelegationsRequest", 1, 2);
      const r = paginate(keeper.unbondingDelegationsOf(ctx, accAddr(strings[0]!)), page);
      return encodeListResponse(r.items.map(encodeUnbondingDelegation), r.page);
    },
    [`${S}Redelegations`]: (ctx, data) => {
      const { strings, page } = decodeStringsRequest(data, "QueryRedelegationsRequest", 3, 4);
      const [d, src, dst] = [strings[0]!, strings[1]!, strings[2]!];
      let list = d === "" ? [...keeper.allRedelegations(ctx)] : keeper.redelegationsOf(ctx, accAddr(d));
      if (src !== "") list = list.filter((r) => r.validatorSrcAddress === src);
      if (dst !== "") list = list.filter((r) => r.validatorDstAddress === dst);
      if (d !== "" && src !== "" && dst !== "" && list.length === 0) {
        throw grpcNotFound(`redelegation not found for delegator address ${d} from validator address ${src}`);
      }
      const r = paginate(list, page);
      return encodeListResponse(
        r.items.map((red) => {
          const v = keeper.getValidator(ctx, decodeAddress(red.validatorDstAddress, VALOPER_PREFIX));
          const balances = red.entries.map((e) =>
            v === undefined || v.delegatorShares.isZero() ? 0n : tokensFromShares(v, e.sharesDst).truncateInt(),
          );
          return encodeRedelegationResponse(red, balances);
        }),
        r.page,
      );
    },
    [`${S}DelegatorValidators`]: (ctx, data) => {
      const { strings, page } = decodeStringsRequest(data, "QueryDelegatorValidatorsRequest", 1, 2);
      const vals = keeper
        .delegationsOf(ctx, accAddr(strings[0]!))
        .map((d) => keeper.getValidator(ctx, decodeAddress(d.validatorAddress, VALOPER_PREFIX)))
        .filter((v): v is Validator => v !== undefined);
      const r = paginate(vals, page);
      return encodeListResponse(r.items.map(encodeValidator), r.page);
    },
    [`${S}DelegatorValidator`]: (ctx, data) => {
      const { strings } = decodeStringsRequest(data, "QueryDelegatorValidatorRequest", 2);
      const d = keeper.getDelegation(ctx, accAddr(strings[0]!), valAddr(strings[1]!));
      if (d === undefined) throw grpcNotFound("no delegation for (address, validator) tuple");
      return encodeWrapped(encodeValidator(validator(ctx, strings[1]!)));
    },
    [`${S}HistoricalInfo`]: (ctx, data) => {
      const height = decodeHeightRequest(data, "QueryHistoricalInfoRequest");
      const h = keeper.getHistoricalInfo(ctx, height);
      if (h === undefined) throw grpcNotFound(`historical info for height ${height} not found`);
      return encodeWrapped(encodeHistoricalInfo(h));
    },
    [`${S}Pool`]: (ctx) =>
      encodeWrapped(
        encodePool({ notBondedTokens: keeper.notBondedTokens(ctx), bondedTokens: keeper.bondedTokens(ctx) }),
      ),
    [`${S}Params`]: (ctx) => encodeWrapped(encodeStakingParams(keeper.getParams(ctx))),
  };
}
