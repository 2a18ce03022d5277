/** `cosmos.slashing.v1beta1.Msg`: Unjail (signer = the operator's account), UpdateParams (gov). */
import { SLASHING_URLS, decodeMsgUnjail, decodeSlashingParams } from "../../codec/slashing.ts";
import { type MsgUpdateParamsRaw, decodeMsgUpdateParams } from "../../codec/staking.ts";
import { encodeAddress } from "../../primitives/bech32.ts";
import { ErrorDef, SdkErrors } from "../errors.ts";
import { parseAccount, parseValoper } from "../staking/msgServer.ts";
import type { MsgService } from "../types.ts";
import type { SlashingKeeper } from "./keeper.ts";
import { slashingParamsProblem } from "./params.ts";

const EMPTY = new Uint8Array(0);
const InvalidSigner = new ErrorDef("gov", 13, "expected gov account as only signer for proposal message");

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
  const updateParams: MsgService<MsgUpdateParamsRaw> = {
    typeUrl: SLASHING_URLS.MsgUpdateParams,
    decode: decodeMsgUpdateParams,
    signers: (m) => [parseAccount(m.authority, "authority")],
    handle(ctx, m) {
      const expected = encodeAddress(authority);
      if (m.authority !== expected)
        throw InvalidSigner.wrap(`invalid authority; expected ${expected}, got ${m.authority}`);
      const params = decodeSlashingParams(m.params);
      const problem = slashingParamsProblem(params);
      if (problem !== undefined) throw SdkErrors.InvalidRequest.wrap(problem);
      keeper.setParams(ctx, params);
      return EMPTY;
    },
  };
  return [unjail, updateParams] as MsgService[];
}
