/**
 * `secret.registration.v1beta1.Query` (chain-api.md §7.10): TxKey (`Key{key = io_exch_key}`),
 * RegistrationKey (`Key{key = node_exch_key}`), EncryptedSeed (by registration public key:
 * `{encrypted_seed}`, the stored bytes). Before genesis wrote the keys: sdk 9
 * `Chain has not been initialized yet`; an unknown node: sdk 9 `Node has not been authenticated yet`.
 */
import {
  REGISTRATION_QUERY_PATHS,
  decodeQueryEncryptedSeedRequest,
  encodeKeyResponse,
  encodeQueryEncryptedSeedResponse,
} from "../../codec/registration.ts";
import { decodeFields } from "../../codec/protobuf.ts";
import { SdkErrors } from "../errors.ts";
import { type QueryHandler, grpcInvalidArgument } from "../query.ts";
import type { RegistrationKeeper } from "./keeper.ts";

const notInitialized = () => SdkErrors.UnknownAddress.wrap("Chain has not been initialized yet");

export function registrationQueryHandlers(keeper: RegistrationKeeper): Record<string, QueryHandler> {
  return {
    [REGISTRATION_QUERY_PATHS.TxKey]: (ctx, data) => {
      decodeFields(data, "QueryTxKeyRequest", {});
      const key = keeper.getIoExchKey(ctx);
      if (key === undefined) throw notInitialized();
      return encodeKeyResponse(key);
    },
    [REGISTRATION_QUERY_PATHS.RegistrationKey]: (ctx, data) => {
      decodeFields(data, "QueryRegistrationKeyRequest", {});
      const key = keeper.getNodeExchKey(ctx);
      if (key === undefined) throw notInitialized();
      return encodeKeyResponse(key);
    },
    [REGISTRATION_QUERY_PATHS.EncryptedSeed]: (ctx, data) => {
      const pubKey = decodeQueryEncryptedSeedRequest(data);
      if (pubKey.length !== 32) throw grpcInvalidArgument(`public key must be 32 bytes, got ${pubKey.length}`);
      const info = keeper.getNodeInfo(ctx, pubKey);
      if (info === undefined) throw SdkErrors.UnknownAddress.wrap("Node has not been authenticated yet");
      return encodeQueryEncryptedSeedResponse(info.encryptedSeed);
    },
  };
}
