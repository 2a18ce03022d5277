/**
 * Account keys and signatures as the ante handler checks them (Cosmos SDK 0.50 `x/auth/ante/sigverify.go`,
 * `crypto/keys/multisig`): secp256k1 keys, ed25519 keys (refused for accounts after their gas is
 * charged, as upstream) and legacy amino multisig keys (`LegacyAminoPubKey`, nesting allowed), whose
 * address is `sha256(amino bytes)[0:20]`; single signatures per sign mode and multisignatures made of
 * a compact bit array of the signing keys and one signature per set bit.
 */
import { ED25519_PUBKEY_URL, MULTISIG_PUBKEY_URL, SECP256K1_PUBKEY_URL } from "../codec/keys.ts";
import {
  decodeLegacyAminoPubKey,
  decodeMultiSignature,
  decodePubKeyBytes,
  encodeMultiSignature,
} from "../codec/keys.ts";
import { type Any, type CompactBitArray, type ModeInfo, bitArrayGet, bitArrayLength } from "../codec/tx.ts";
import { keccak256, ripemd160, secp256k1Verify, secp256k1VerifySha256, sha256 } from "../crypto/index.ts";
import { bytesEqual, concatBytes } from "../primitives/bytes.ts";
import { SdkErrors } from "./errors.ts";
import { bytesId } from "./bytesId.ts";
import { SignatureCache } from "./sigCache.ts";

export type PubKey =
  | { readonly kind: "secp256k1"; readonly key: Uint8Array; readonly address: Uint8Array }
  | { readonly kind: "ed25519"; readonly key: Uint8Array; readonly address: Uint8Array }
  | {
      readonly kind: "multisig";
      readonly threshold: number;
      readonly keys: readonly PubKey[];
      readonly address: Uint8Array;
    };

export type SigData =
  | { readonly kind: "single"; readonly mode: number; readonly signature: Uint8Array }
  | { readonly kind: "multi"; readonly bitarray: CompactBitArray; readonly signatures: readonly SigData[] };

const MAX_DEPTH = 8;
const EIP_191 = 191;

function varint(n: number): Uint8Array {
  const out: number[] = [];
  let v = n;
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return Uint8Array.from(out);
}

/** Amino encoding of a key (prefix bytes of `tendermint/PubKeySecp256k1` and `…/PubKeyMultisigThreshold`). */
function aminoBytes(key: PubKey): Uint8Array {
  if (key.kind === "secp256k1") return concatBytes(Uint8Array.of(0xeb, 0x5a, 0xe9, 0x87, 0x21), key.key);
  if (key.kind === "ed25519") return concatBytes(Uint8Array.of(0x16, 0x24, 0xde, 0x64, 0x20), key.key);
  const parts: Uint8Array[] = [Uint8Array.of(0x22, 0xc1, 0xf7, 0xe2, 0x08), varint(key.threshold)];
  for (const k of key.keys) {
    const inner = aminoBytes(k);
    parts.push(Uint8Array.of(0x12), varint(inner.length), inner);
  }
  return concatBytes(...parts);
}

function decodeKeyBytes(any: Any, length: number): Uint8Array {
  let key: Uint8Array;
  try {
    key = decodePubKeyBytes(any.value);
  } catch (e) {
    throw SdkErrors.TxDecode.wrap(e instanceof Error ? e.message : String(e));
  }
  if (key.length !== length) throw SdkErrors.InvalidPubKey.wrap(`length of pubkey is incorrect: ${key.length}`);
  return key;
}

/** Addresses of recently seen secp256k1 keys (bounded; cleared when full). A pure function's memo. */
const secp256k1Addresses = new Map<string, Uint8Array>();
const MAX_REMEMBERED_KEYS = 8192;

/** `ripemd160(sha256(key))`, a fresh array on every call. */
function secp256k1Address(key: Uint8Array): Uint8Array {
  const id = bytesId(key);
  const known = secp256k1Addresses.get(id);
  if (known !== undefined) return new Uint8Array(known);
  const address = ripemd160(sha256(key));
  if (secp256k1Addresses.size >= MAX_REMEMBERED_KEYS) secp256k1Addresses.clear();
  secp256k1Addresses.set(id, new Uint8Array(address));
  return address;
}

/**
 * Other decoded keys by the `Any` value bytes they came from (with the type URL checked): a tx's key and its
 * signer's stored key are decoded by CheckTx, by the block and by each ante step from the same arrays
 * (the decoded-tx memo's and the stored account's), which nobody mutates. The keys are frozen.
 */
const decodedKeys = new WeakMap<Uint8Array, { readonly typeUrl: string; readonly key: PubKey }>();

function freezeKey(key: PubKey): PubKey {
  if (key.kind === "multisig") {
    for (const k of key.keys) freezeKey(k);
    Object.freeze(key.keys);
  }
  return Object.freeze(key);
}

/**
 * Decoded secp256k1 keys by the content of their `Any` value bytes (bounded; cleared when full): every
 * fresh tx CheckTx sees carries its signer's key in new bytes, mostly a key seen before. Each entry is
 * decoded from a private copy of the bytes, so it cannot change when a caller reuses its array; a
 * decoding is a pure function of (type URL, bytes), and failures are never kept.
 */
const secp256k1Keys = new Map<string, PubKey>();
/** Longer values are not a valid secp256k1 key `Any` value (2 + 33 bytes); they take the general path. */
const SECP256K1_ANY_VALUE_MAX = 64;

/** The account key in `any` (sdk 2 when it does not decode, sdk 8 when it has the wrong length). */
export function decodeAccountPubKey(any: Any): PubKey {
  if (any.typeUrl === SECP256K1_PUBKEY_URL && any.value.length <= SECP256K1_ANY_VALUE_MAX) {
    // A tx asks for its signer's key twice (the tx's copy, the account's): the last few keys are
    // compared byte for byte first, which makes no id string.
    const value = any.value;
    for (let i = 0; i < recentKeyValues.length; i++) {
      if (bytesEqual(recentKeyValues[i]!, value)) return recentKeys[i]!;
    }
    const key = secp256k1KeyMapped(value);
    recentKeyValues[recentKeyNext] = value.slice();
    recentKeys[recentKeyNext] = key;
    recentKeyNext = (recentKeyNext + 1) % RECENT_KEYS;
    return key;
  }
  const known = decodedKeys.get(any.value);
  if (known !== undefined && known.typeUrl === any.typeUrl) return known.key;
  const key = freezeKey(decodeAnyPubKey(any, 0));
  if (known === undefined) decodedKeys.set(any.value, { typeUrl: any.typeUrl, key });
  return key;
}

/** The last few secp256k1 key `Any` values decoded (private copies) and their keys. */
const RECENT_KEYS = 8;
const recentKeyValues: Uint8Array[] = [];
const recentKeys: PubKey[] = [];
let recentKeyNext = 0;

/** A secp256k1 key `Any` value's key through the bounded map (decoded from a private copy). */
function secp256k1KeyMapped(value: Uint8Array): PubKey {
  const id = bytesId(value);
  let key = secp256k1Keys.get(id);
  if (key === undefined) {
    key = freezeKey(decodeAnyPubKey({ typeUrl: SECP256K1_PUBKEY_URL, value: value.slice() }, 0));
    if (secp256k1Keys.size >= MAX_REMEMBERED_KEYS) secp256k1Keys.clear();
    secp256k1Keys.set(id, key);
  }
  return key;
}

function decodeAnyPubKey(any: Any, depth: number): PubKey {
  if (any.typeUrl === SECP256K1_PUBKEY_URL) {
    const key = decodeKeyBytes(any, 33);
    return { kind: "secp256k1", key, address: secp256k1Address(key) };
  }
  if (any.typeUrl === ED25519_PUBKEY_URL) {
    const key = decodeKeyBytes(any, 32);
    return { kind: "ed25519", key, address: sha256(key).slice(0, 20) };
  }
  if (any.typeUrl === MULTISIG_PUBKEY_URL) {
    if (depth >= MAX_DEPTH) throw SdkErrors.InvalidPubKey.wrap("multisig key nested too deeply");
    let multi;
    try {
      multi = decodeLegacyAminoPubKey(any.value);
    } catch (e) {
      throw SdkErrors.TxDecode.wrap(e instanceof Error ? e.message : String(e));
    }
    const keys = multi.publicKeys.map((k) => decodeAnyPubKey(k, depth + 1));
    const partial = { kind: "multisig" as const, threshold: multi.threshold, keys, address: new Uint8Array(0) };
    return { ...partial, address: sha256(aminoBytes(partial)).slice(0, 20) };
  }
  throw SdkErrors.TxDecode.wrap(`unable to resolve type URL ${any.typeUrl}`);
}

/** `CountSubKeys`: 1 for a single key, the sum over members for a multisig. */
export function countSubKeys(key: PubKey): number {
  return key.kind === "multisig" ? key.keys.reduce((n, k) => n + countSubKeys(k), 0) : 1;
}

/** The signature data of a signer from its mode info and raw signature bytes (decode errors: sdk 2). */
export function sigDataFrom(mode: ModeInfo | undefined, signature: Uint8Array): SigData {
  if (mode === undefined) throw SdkErrors.TxDecode.wrap("signer info without mode info");
  if (mode.kind === "single") return { kind: "single", mode: mode.mode, signature };
  let parts: Uint8Array[];
  try {
    parts = decodeMultiSignature(signature);
  } catch (e) {
    throw SdkErrors.TxDecode.wrap(e instanceof Error ? e.message : String(e));
  }
  if (parts.length !== mode.modeInfos.length) {
    throw SdkErrors.TxDecode.wrap(
      `number of signatures ${parts.length} ≠ number of mode infos ${mode.modeInfos.length}`,
    );
  }
  return {
    kind: "multi",
    bitarray: mode.bitarray,
    signatures: parts.map((p, i) => sigDataFrom(mode.modeInfos[i], p)),
  };
}

/** `signatureDataToBz`: the bytes each `tx{signature}` event shows (sub-signatures, then the aggregate). */
export function signatureEventBytes(data: SigData): Uint8Array[] {
  if (data.kind === "single") return [data.signature];
  const subs = data.signatures.flatMap(signatureEventBytes);
  return [...subs, encodeMultiSignature(subs)];
}

/** True when every leaf signs with LEGACY_AMINO_JSON (upstream picks the error text by it). */
export function onlyLegacyAmino(data: SigData): boolean {
  return data.kind === "single" ? data.mode === 127 : data.signatures.every(onlyLegacyAmino);
}

export interface SigGasPrices {
  readonly secp256k1: number;
  readonly ed25519: number;
}

/** `DefaultSigVerificationGasConsumer`: charges per key; ed25519 is charged, then refused (sdk 8). */
export function consumeSigGas(
  consume: (amount: number, descriptor: string) => void,
  key: PubKey,
  data: SigData,
  prices: SigGasPrices,
): void {
  if (key.kind === "secp256k1") {
    consume(prices.secp256k1, "ante verify: secp256k1");
    return;
  }
  if (key.kind === "ed25519") {
    consume(prices.ed25519, "ante verify: ed25519");
    throw SdkErrors.InvalidPubKey.wrap("ED25519 public keys are unsupported");
  }
  if (data.kind !== "multi") throw SdkErrors.InvalidPubKey.wrap("expected multisig signature data for a multisig key");
  const size = bitArrayLength(data.bitarray);
  let sigIndex = 0;
  for (let i = 0; i < size; i++) {
    if (!bitArrayGet(data.bitarray, i)) continue;
    const sub = data.signatures[sigIndex];
    const subKey = key.keys[i];
    if (sub === undefined || subKey === undefined) throw SdkErrors.TxDecode.wrap("multisig bit array does not match");
    consumeSigGas(consume, subKey, sub, prices);
    sigIndex++;
  }
}

/**
 * Verifies `data` against `key`; `signBytes(mode)` gives the bytes of a sign mode (undefined: the mode
 * is unsupported or cannot sign this tx). Returns undefined when valid, else upstream's reason text.
 * A signature found in `cache` counts as verified; one verified here is added to it.
 */
export function verifySignature(
  key: PubKey,
  data: SigData,
  signBytes: (mode: number) => Uint8Array | undefined,
  cache?: SignatureCache,
): string | undefined {
  if (data.kind === "single") {
    if (key.kind === "multisig") return "unable to verify single signer signature";
    const bytes = signBytes(data.mode);
    if (bytes === undefined) return `unsupported sign mode ${data.mode}`;
    if (key.kind !== "secp256k1") return "unable to verify single signer signature";
    const id = cache?.enabled === true ? SignatureCache.idOf(key.key, data.signature, bytes) : undefined;
    if (id !== undefined && cache!.hasId(id)) return undefined;
    const valid =
      data.mode === EIP_191
        ? secp256k1Verify(data.signature, keccak256(bytes), key.key)
        : secp256k1VerifySha256(data.signature, bytes, key.key);
    if (!valid) return "unable to verify single signer signature";
    if (id !== undefined) cache!.addId(id);
    return undefined;
  }
  if (key.kind !== "multisig") return "unable to verify multisignature: key is not a multisig";
  const size = bitArrayLength(data.bitarray);
  if (key.keys.length !== size) return `bit array size is incorrect, expecting: ${key.keys.length}`;
  if (data.signatures.length < key.threshold || data.signatures.length > size) {
    return `signature size is incorrect ${data.signatures.length}`;
  }
  let set = 0;
  for (let i = 0; i < size; i++) if (bitArrayGet(data.bitarray, i)) set++;
  if (set < key.threshold) return `not enough signatures set, have ${set}, expected ${key.threshold}`;
  let sigIndex = 0;
  for (let i = 0; i < size; i++) {
    if (!bitArrayGet(data.bitarray, i)) continue;
    const sub = data.signatures[sigIndex];
    if (sub === undefined) return `signature size is incorrect ${data.signatures.length}`;
    const problem = verifySignature(key.keys[i]!, sub, signBytes, cache);
    if (problem !== undefined) return `unable to verify signature at index ${i}`;
    sigIndex++;
  }
  return undefined;
}
