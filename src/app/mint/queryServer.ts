/** `cosmos.mint.v1beta1.Query`: Params, Inflation, AnnualProvisions (chain-api.md §7.8). */
import { encodeDecBytesResponse, encodeMintParams } from "../../codec/mint.ts";
import { encodeWrapped } from "../../codec/staking.ts";
import type { QueryHandler } from "../query.ts";
import type { MintKeeper } from "./keeper.ts";

const M = "/cosmos.mint.v1beta1.Query/";

export function mintQueryHandlers(keeper: MintKeeper): Record<string, QueryHandler> {
  return {
    [`${M}Params`]: (ctx) => encodeWrapped(encodeMintParams(keeper.getParams(ctx))),
    [`${M}Inflation`]: (ctx) => encodeDecBytesResponse(keeper.getMinter(ctx).inflation),
    [`${M}AnnualProvisions`]: (ctx) => encodeDecBytesResponse(keeper.getMinter(ctx).annualProvisions),
  };
}
