/**
 * `secret.registration.v1beta1.Msg/RaAuthenticate` (chain-api.md §3.4, crypto.md §10.2):
 * - sender 20 or 32 bytes (sdk 7), certificate non-empty (sdk 18
 *   `Authenticating certificate cannot be empty`) — both also checked before the ante handler;
 * - the evidence verified against the params' policy at the block time, nonce not seen before
 *   (register 2, log `ATTEST_<code>: <reason>: Failed to authenticate node`);
 * - the enclave encrypts the seeds to the evidence's registration key (register 2 / 3 when it refuses);
 * - stored under `0x01 ‖ reg_pk`, the nonce under `0x05 ‖ nonce`; event
 *   `message{module, signer, encrypted_seed, node_id}`; response `{data: "S: <hex>", events: <json>}`.
 */
import {
  REGISTRATION_URLS,
  type MsgRaAuthenticate,
  decodeMsgRaAuthenticate,
  encodeMsgRaAuthenticateResponse,
} from "../../codec/registration.ts";
import { toBase64 } from "../../primitives/base64.ts";
import { encodeAddress } from "../../primitives/bech32.ts";
import { toHex } from "../../primitives/hex.ts";
import type { Context } from "../context.ts";
import { SdkErrors } from "../errors.ts";
import type { AppEvent } from "../events.ts";
import type { MsgService } from "../types.ts";
import { registrationEvent } from "./events.ts";
import type { RegistrationKeeper } from "./keeper.ts";

function checkMsg(msg: MsgRaAuthenticate): void {
  if (msg.sender.length !== 20 && msg.sender.length !== 32) {
    throw SdkErrors.InvalidAddress.wrap(`address length must be 20 or 32 bytes, got ${msg.sender.length}`);
  }
  if (msg.certificate.length === 0) throw SdkErrors.InvalidRequest.wrap("Authenticating certificate cannot be empty");
}

/** The events as JSON text, `[{type, attributes: [{key, value, index}]}]`, for the response. */
function eventsJson(events: readonly AppEvent[]): string {
  return JSON.stringify(
    events.map((e) => ({
      type: e.type,
      attributes: e.attributes.map((a) => ({ key: a.key, value: a.value, index: a.index })),
    })),
  );
}

export function registrationMsgServices(keeper: RegistrationKeeper): MsgService[] {
  const authenticate: MsgService<MsgRaAuthenticate> = {
    typeUrl: REGISTRATION_URLS.RaAuthenticate,
    decode: decodeMsgRaAuthenticate,
    signers(msg) {
      checkMsg(msg);
      return [msg.sender];
    },
    handle(ctx: Context, msg: MsgRaAuthenticate): Uint8Array {
      checkMsg(msg);
      const { publicKey, encryptedSeeds } = keeper.registerNode(ctx, msg.certificate);
      const seedHex = toHex(encryptedSeeds);
      ctx.events.emit(registrationEvent(encodeAddress(msg.sender), seedHex, toHex(publicKey)));
      return encodeMsgRaAuthenticateResponse({ data: `S: ${seedHex}`, events: eventsJson(ctx.events.events) });
    },
    aminoJson: (msg) => ({
      type: "reg/authenticate",
      value: { sender: encodeAddress(msg.sender), certificate: toBase64(msg.certificate) },
    }),
  };
  return [authenticate as MsgService];
}
