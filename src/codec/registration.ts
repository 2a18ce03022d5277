/**
 * `secret.registration.v1beta1`: RaAuthenticate and its response, RegistrationNodeInfo, the key and
 * encrypted-seed queries, with upstream's field numbers (v1.22: RaAuthenticate has fields 1–2 only).
 * The module's params (the attestation policy) are kept as the policy's canonical JSON bytes
 * (`src/attestation` `encodePolicy`), not as protobuf.
 */
import { ProtoWriter, decodeFields, field } from "./protobuf.ts";

export const REGISTRATION_URLS = {
  RaAuthenticate: "/secret.registration.v1beta1.RaAuthenticate",
} as const;

export const REGISTRATION_QUERY_PATHS = {
  TxKey: "/secret.registration.v1beta1.Query/TxKey",
  RegistrationKey: "/secret.registration.v1beta1.Query/RegistrationKey",
  EncryptedSeed: "/secret.registration.v1beta1.Query/EncryptedSeed",
} as const;

/** `RaAuthenticate{1 sender bytes, 2 certificate bytes}`. */
export interface MsgRaAuthenticate {
  readonly sender: Uint8Array;
  readonly certificate: Uint8Array;
}

export function decodeMsgRaAuthenticate(bytes: Uint8Array): MsgRaAuthenticate {
  let sender: Uint8Array = new Uint8Array(0);
  let certificate: Uint8Array = new Uint8Array(0);
  decodeFields(bytes, "RaAuthenticate", {
    1: field.bytes((v) => (sender = v)),
    2: field.bytes((v) => (certificate = v)),
    // Later upstream versions add `3 replace_machine_id`; accepted and ignored.
    3: field.string(() => undefined),
  });
  return { sender, certificate };
}

export function encodeMsgRaAuthenticate(m: MsgRaAuthenticate): Uint8Array {
  return new ProtoWriter().bytes(1, m.sender).bytes(2, m.certificate).finish();
}

/** `RaAuthenticateResponse{1 data string, 2 events string}`. */
export interface MsgRaAuthenticateResponse {
  readonly data: string;
  readonly events: string;
}

export function encodeMsgRaAuthenticateResponse(r: MsgRaAuthenticateResponse): Uint8Array {
  return new ProtoWriter().string(1, r.data).string(2, r.events).finish();
}

export function decodeMsgRaAuthenticateResponse(bytes: Uint8Array): MsgRaAuthenticateResponse {
  let data = "";
  let events = "";
  decodeFields(bytes, "RaAuthenticateResponse", {
    1: field.string((v) => (data = v)),
    2: field.string((v) => (events = v)),
  });
  return { data, events };
}

/** `RegistrationNodeInfo{1 certificate bytes, 2 encrypted_seed bytes}`. */
export interface RegistrationNodeInfo {
  readonly certificate: Uint8Array;
  readonly encryptedSeed: Uint8Array;
}

export function encodeRegistrationNodeInfo(info: RegistrationNodeInfo): Uint8Array {
  return new ProtoWriter().bytes(1, info.certificate).bytes(2, info.encryptedSeed).finish();
}

export function decodeRegistrationNodeInfo(bytes: Uint8Array): RegistrationNodeInfo {
  let certificate: Uint8Array = new Uint8Array(0);
  let encryptedSeed: Uint8Array = new Uint8Array(0);
  decodeFields(bytes, "RegistrationNodeInfo", {
    1: field.bytes((v) => (certificate = v)),
    2: field.bytes((v) => (encryptedSeed = v)),
  });
  return { certificate, encryptedSeed };
}

/** `Key{1 key bytes}`: the answer of the TxKey and RegistrationKey queries (their requests are empty). */
export function encodeKeyResponse(key: Uint8Array): Uint8Array {
  return new ProtoWriter().bytes(1, key).finish();
}

export function decodeKeyResponse(bytes: Uint8Array): Uint8Array {
  let key: Uint8Array = new Uint8Array(0);
  decodeFields(bytes, "Key", { 1: field.bytes((v) => (key = v)) });
  return key;
}

/** `QueryEncryptedSeedRequest{1 pub_key bytes}`. */
export function encodeQueryEncryptedSeedRequest(pubKey: Uint8Array): Uint8Array {
  return new ProtoWriter().bytes(1, pubKey).finish();
}

export function decodeQueryEncryptedSeedRequest(bytes: Uint8Array): Uint8Array {
  let pubKey: Uint8Array = new Uint8Array(0);
  decodeFields(bytes, "QueryEncryptedSeedRequest", { 1: field.bytes((v) => (pubKey = v)) });
  return pubKey;
}

/** `QueryEncryptedSeedResponse{1 encrypted_seed bytes}`. */
export function encodeQueryEncryptedSeedResponse(encryptedSeed: Uint8Array): Uint8Array {
  return new ProtoWriter().bytes(1, encryptedSeed).finish();
}

export function decodeQueryEncryptedSeedResponse(bytes: Uint8Array): Uint8Array {
  let encryptedSeed: Uint8Array = new Uint8Array(0);
  decodeFields(bytes, "QueryEncryptedSeedResponse", { 1: field.bytes((v) => (encryptedSeed = v)) });
  return encryptedSeed;
}
