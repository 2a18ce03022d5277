/** `cosmos.auth.v1beta1.Query`: Account, Params. */
import {
  decodeQueryAccountRequest,
  encodeAuthParams,
  encodeParamsResponse,
  encodeQueryAccountResponse,
} from "../../codec/auth.ts";
import { parseAccountAddress } from "../../primitives/bech32.ts";
import { type QueryHandler, grpcInvalidArgument, grpcNotFound } from "../query.ts";
import { accountToAny, type AuthKeeper } from "./keeper.ts";

export function authQueryHandlers(keeper: AuthKeeper): Record<string, QueryHandler> {
  return {
    "/cosmos.auth.v1beta1.Query/Account": (ctx, data) => {
      const { address } = decodeQueryAccountRequest(data);
      let bytes: Uint8Array;
      try {
        bytes = parseAccountAddress(address);
      } catch (e) {
        throw grpcInvalidArgument(e instanceof Error ? e.message : "invalid address");
      }
      const acc = keeper.getAccount(ctx, bytes);
      if (acc === undefined) throw grpcNotFound(`account ${address} not found`);
      return encodeQueryAccountResponse(accountToAny(acc));
    },
    "/cosmos.auth.v1beta1.Query/Params": (ctx) => encodeParamsResponse(encodeAuthParams(keeper.getParams(ctx))),
  };
}
