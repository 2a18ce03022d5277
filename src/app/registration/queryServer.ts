/**
 * `secret.registration.v1beta1.Query` (chain-api.md §7.10, upstream
 * `x/registration/internal/keeper/querier.go` at v1.22): TxKey (`Key{key = io_exch_key}`),
 * RegistrationKey (`Key{key = UTF-8 of the JSON document upstream's json.Marshal makes of
 * GenesisState{reg_info: nil, node_exch_key, io_exch_key}}`), EncryptedSeed (by registration public
 * key: `{encrypted_seed}`, the stored bytes). Before genesis wrote the keys: sdk 9
 * `Chain has not been initialized yet`; an unknown node: sdk 9 `Node has not been authenticated yet`.
 */
import {
  REGISTRATION_QUERY_PATHS,
  decodeQueryEncryptedSeedRequest,
  encodeKeyResponse,
  encodeQueryEncryptedSeedResponse,
} from "../../codec/registration.ts";
import { decodeFields } from "../../codec/protobuf.ts";
import { toBase64 } from "../../primitives/base64.ts";
import { utf8Encode } from "../../primitives/bytes.ts";
import { SdkErrors } from "../errors.ts";
import type { QueryHandler } from "../query.ts";
import { RegistrationErrors } from "./errors.ts";
import type { RegistrationKeeper } from "./keeper.ts";

/**
 * What Go's `json.Marshal` writes for upstream's `GenesisState{Registration: nil, NodeExchMasterKey:
 * {Bytes}, IoMasterKey: {Bytes}}` (json tags `reg_info`, `node_exch_key`, `io_exch_key`; `MasterKey`'s
 * `bytes,omitempty` as standard base64): `{"reg_info":null,"node_exch_key":{"bytes":"…"},"io_exch_key":{"bytes":"…"}}`.
 */
export function registrationKeyJson(nodeExchKey: Uint8Array, ioExchKey: Uint8Array): string {
  const masterKey = (k: Uint8Array): Record<string, string> => (k.length === 0 ? {} : { bytes: toBase64(k) });
  return JSON.stringify({ reg_info: null, node_exch_key: masterKey(nodeExchKey), io_exch_key: masterKey(ioExchKey) });
}

const notInitialized = () => SdkErrors.UnknownAddress.wrap("Chain has not been initialized yet");

export function registrationQueryHandlers(keeper: RegistrationKeeper): Record<string, QueryHandler> {
  return {
    [REGISTRATION_QUERY_PATHS.TxKey]: (ctx, data) => {
      decodeFields(data, "QueryTxKeyRequest", {});
      const key = keeper.getIoExchKey(ctx);
      if (key === undefined || keeper.getNodeExchKey(ctx) === undefined) throw notInitialized();
      return encodeKeyResponse(key);
    },
    [REGISTRATION_QUERY_PATHS.RegistrationKey]: (ctx, data) => {
      decodeFields(data, "QueryRegistrationKeyRequest", {});
      const nodeExchKey = keeper.getNodeExchKey(ctx);
      const ioExchKey = keeper.getIoExchKey(ctx);
      if (nodeExchKey === undefined || ioExchKey === undefined) throw notInitialized();
      return encodeKeyResponse(utf8Encode(registrationKeyJson(nodeExchKey, ioExchKey)));
    },
    [REGISTRATION_QUERY_PATHS.EncryptedSeed]: (ctx, data) => {
      const pubKey = decodeQueryEncryptedSeedRequest(data);
      if (pubKey.length === 0) throw RegistrationErrors.Invalid.wrap("public key");
      const info = keeper.getNodeInfo(ctx, pubKey);
      if (info === undefined) throw SdkErrors.UnknownAddress.wrap("Node has not been authenticated yet");
      return encodeQueryEncryptedSeedResponse(info.encryptedSeed);
    },
  };
}
