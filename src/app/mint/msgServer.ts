/** `cosmos.mint.v1beta1.Msg/UpdateParams` (authority = gov). */
import { MINT_URLS, decodeMintParams } from "../../codec/mint.ts";
import { type MsgUpdateParamsRaw, decodeMsgUpdateParams } from "../../codec/staking.ts";
import { encodeAddress } from "../../primitives/bech32.ts";
import { ErrorDef, SdkErrors } from "../errors.ts";
import { parseAccount } from "../staking/msgServer.ts";
import type { MsgService } from "../types.ts";
import type { MintKeeper } from "./keeper.ts";
import { mintParamsProblem } from "./params.ts";

const InvalidSigner = new ErrorDef("gov", 13, "expected gov account as only signer for proposal message");

export function mintMsgServices(keeper: MintKeeper, authority: Uint8Array): MsgService[] {
  const updateParams: MsgService<MsgUpdateParamsRaw> = {
    typeUrl: MINT_URLS.MsgUpdateParams,
    decode: decodeMsgUpdateParams,
    signers: (m) => [parseAccount(m.authority, "authority")],
    handle(ctx, m) {
      const expected = encodeAddress(authority);
      if (m.authority !== expected)
        throw InvalidSigner.wrap(`invalid authority; expected ${expected}, got ${m.authority}`);
      const params = decodeMintParams(m.params);
      const problem = mintParamsProblem(params);
      if (problem !== undefined) throw SdkErrors.InvalidRequest.wrap(problem);
      keeper.setParams(ctx, params);
      return new Uint8Array(0);
    },
  };
  return [updateParams as MsgService];
}
