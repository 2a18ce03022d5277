/** `cosmos.slashing.v1beta1.Query`: Params, SigningInfo, SigningInfos (chain-api.md §7.8). */
import { encodeSigningInfo, encodeSlashingParams } from "../../codec/slashing.ts";
import { decodeStringsRequest, encodeListResponse, encodeWrapped } from "../../codec/staking.ts";
import { paginate } from "../modules/pagination.ts";
import { type QueryHandler, grpcInvalidArgument, grpcNotFound } from "../query.ts";
import { SlashingKeeper } from "./keeper.ts";

const Q = "/cosmos.slashing.v1beta1.Query/";

export function slashingQueryHandlers(keeper: SlashingKeeper): Record<string, QueryHandler> {
  return {
    [`${Q}Params`]: (ctx) => encodeWrapped(encodeSlashingParams(keeper.getParams(ctx))),
    [`${Q}SigningInfo`]: (ctx, data) => {
      const [text] = decodeStringsRequest(data, "QuerySigningInfoRequest", 1).strings;
      if (text === "") throw grpcInvalidArgument("empty address");
      let cons: Uint8Array;
      try {
        cons = SlashingKeeper.consFromBech32(text!);
      } catch (e) {
        throw grpcInvalidArgument(`invalid address: ${e instanceof Error ? e.message : String(e)}`);
      }
      const info = keeper.getSigningInfo(ctx, cons);
      if (info === undefined) throw grpcNotFound(`SigningInfo not found for validator ${text}`);
      return encodeWrapped(encodeSigningInfo(info));
    },
    [`${Q}SigningInfos`]: (ctx, data) => {
      const { page } = decodeStringsRequest(data, "QuerySigningInfosRequest", 0, 1);
      const r = paginate([...keeper.allSigningInfos(ctx)], page);
      return encodeListResponse(r.items.map(encodeSigningInfo), r.page);
    },
  };
}
