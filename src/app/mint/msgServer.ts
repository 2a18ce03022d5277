/** `cosmos.mint.v1beta1.Msg/UpdateParams` (authority = gov). */
import { MINT_URLS, decodeMintParams } from "../../codec/mint.ts";
import { govSignerCheck, updateParamsService } from "../staking/msgServer.ts";
import type { MsgService } from "../types.ts";
import type { MintKeeper } from "./keeper.ts";
import { mintParamsProblem } from "./params.ts";

export function mintMsgServices(keeper: MintKeeper, authority: Uint8Array): MsgService[] {
  const updateParams = updateParamsService({
    typeUrl: MINT_URLS.MsgUpdateParams,
    checkSigner: govSignerCheck(authority),
    decodeParams: decodeMintParams,
    problem: mintParamsProblem,
    setParams: (ctx, params) => keeper.setParams(ctx, params),
  });
  return [updateParams as MsgService];
}
