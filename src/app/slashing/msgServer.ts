/** `cosmos.slashing.v1beta1.Msg`: Unjail (signer = the operator's account), UpdateParams (gov). */
import { SLASHING_URLS, decodeMsgUnjail, decodeSlashingParams } from "../../codec/slashing.ts";
import { govSignerCheck, parseValoper, updateParamsService } from "../staking/msgServer.ts";
import type { MsgService } from "../types.ts";
import type { SlashingKeeper } from "./keeper.ts";
import { slashingParamsProblem } from "./params.ts";

const EMPTY = new Uint8Array(0);

export function slashingMsgServices(keeper: SlashingKeeper, authority: Uint8Array): MsgService[] {
  const unjail: MsgService<{ readonly validatorAddr: string }> = {
    typeUrl: SLASHING_URLS.MsgUnjail,
    decode: decodeMsgUnjail,
    signers: (m) => [parseValoper(m.validatorAddr)],
    handle(ctx, m) {
      keeper.unjail(ctx, parseValoper(m.validatorAddr));
      return EMPTY;
    },
    aminoJson: (m) => ({ type: "cosmos-sdk/MsgUnjail", value: { address: m.validatorAddr } }),
  };
  const updateParams = updateParamsService({
    typeUrl: SLASHING_URLS.MsgUpdateParams,
    checkSigner: govSignerCheck(authority),
    decodeParams: decodeSlashingParams,
    problem: slashingParamsProblem,
    setParams: (ctx, params) => keeper.setParams(ctx, params),
  });
  return [unjail, updateParams] as MsgService[];
}
