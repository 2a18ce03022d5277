/** Public key and multisig types carried in `Any` (`cosmos.crypto.*`). */
import { CodecError } from "./errors.ts";
import { ProtoWriter, decodeFields, field } from "./protobuf.ts";
import { type Any, decodeAny, encodeAny } from "./tx.ts";

export const SECP256K1_PUBKEY_URL = "/cosmos.crypto.secp256k1.PubKey";
export const ED25519_PUBKEY_URL = "/cosmos.crypto.ed25519.PubKey";
export const MULTISIG_PUBKEY_URL = "/cosmos.crypto.multisig.LegacyAminoPubKey";

/** The `key` bytes of a secp256k1 or ed25519 PubKey message. */
export function decodePubKeyBytes(value: Uint8Array): Uint8Array {
  let key: Uint8Array = new Uint8Array(0);
  decodeFields(value, "PubKey", { 1: field.bytes((v) => (key = v)) });
  return key;
}

export function encodePubKeyBytes(key: Uint8Array): Uint8Array {
  return new ProtoWriter().bytes(1, key).finish();
}

export interface LegacyAminoPubKey {
  readonly threshold: number;
  readonly publicKeys: readonly Any[];
}

export function decodeLegacyAminoPubKey(value: Uint8Array): LegacyAminoPubKey {
  let threshold = 0;
  const publicKeys: Any[] = [];
  decodeFields(value, "LegacyAminoPubKey", {
    1: field.uint32((v) => (threshold = v)),
    2: field.message(decodeAny, (v) => publicKeys.push(v)),
  });
  if (threshold === 0 || threshold > publicKeys.length) {
    throw new CodecError("CODEC_INVALID_VALUE", "LegacyAminoPubKey: threshold must be between 1 and the key count");
  }
  return { threshold, publicKeys };
}

export function encodeLegacyAminoPubKey(key: LegacyAminoPubKey): Uint8Array {
  const w = new ProtoWriter().uint(1, key.threshold);
  for (const k of key.publicKeys) w.message(2, encodeAny(k));
  return w.finish();
}

/** `cosmos.crypto.multisig.v1beta1.MultiSignature`. */
export function decodeMultiSignature(value: Uint8Array): Uint8Array[] {
  const signatures: Uint8Array[] = [];
  decodeFields(value, "MultiSignature", { 1: field.bytes((v) => signatures.push(v)) });
  return signatures;
}

export function encodeMultiSignature(signatures: readonly Uint8Array[]): Uint8Array {
  const w = new ProtoWriter();
  for (const s of signatures) w.bytes(1, s, true);
  return w.finish();
}
