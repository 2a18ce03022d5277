/** `cosmos.bank.v1beta1.Query`: Balance, AllBalances, TotalSupply, SupplyOf, Params. */
import {
  decodeQueryAllBalancesRequest,
  decodeQueryBalanceRequest,
  decodeQuerySupplyOfRequest,
  decodeQueryTotalSupplyRequest,
  encodeBankParams,
  encodeCoinResponse,
  encodeCoinsResponse,
} from "../../codec/bank.ts";
import { encodeParamsResponse } from "../../codec/auth.ts";
import { isValidDenom } from "../../primitives/amount.ts";
import { parseAccountAddress } from "../../primitives/bech32.ts";
import { coinsToProto } from "../coins.ts";
import { type QueryHandler, grpcInvalidArgument } from "../query.ts";
import type { BankKeeper } from "./keeper.ts";

function address(text: string): Uint8Array {
  try {
    return parseAccountAddress(text);
  } catch (e) {
    throw grpcInvalidArgument(`invalid address: ${e instanceof Error ? e.message : String(e)}`);
  }
}

export function bankQueryHandlers(keeper: BankKeeper): Record<string, QueryHandler> {
  return {
    "/cosmos.bank.v1beta1.Query/Balance": (ctx, data) => {
      const req = decodeQueryBalanceRequest(data);
      const addr = address(req.address);
      if (!isValidDenom(req.denom)) throw grpcInvalidArgument(`invalid denom: ${req.denom}`);
      const amount = keeper.getBalance(ctx, addr, req.denom);
      return encodeCoinResponse({ denom: req.denom, amount: amount.toString() });
    },
    "/cosmos.bank.v1beta1.Query/AllBalances": (ctx, data) => {
      const req = decodeQueryAllBalancesRequest(data);
      return encodeCoinsResponse(coinsToProto(keeper.getAllBalances(ctx, address(req.address))));
    },
    "/cosmos.bank.v1beta1.Query/TotalSupply": (ctx, data) => {
      decodeQueryTotalSupplyRequest(data);
      return encodeCoinsResponse(coinsToProto(keeper.getTotalSupply(ctx)));
    },
    "/cosmos.bank.v1beta1.Query/SupplyOf": (ctx, data) => {
      const { denom } = decodeQuerySupplyOfRequest(data);
      if (!isValidDenom(denom)) throw grpcInvalidArgument(`invalid denom: ${denom}`);
      return encodeCoinResponse({ denom, amount: keeper.getSupply(ctx, denom).toString() });
    },
    "/cosmos.bank.v1beta1.Query/Params": (ctx) => encodeParamsResponse(encodeBankParams(keeper.getParams(ctx))),
  };
}
