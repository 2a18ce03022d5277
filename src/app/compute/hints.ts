/**
 * Signature hints: while block txs run, each contract call tells the enclave the signature the next
 * tx's contract call will carry, so the enclave verifies it after answering, while the host runs that
 * tx's ante handler, instead of on the call's own critical path. A hint is only a guess the enclave
 * checks itself (it caches only signatures it verified, by every byte verified): a wrong or stale hint
 * costs the enclave one verification and changes no result.
 *
 * Being a guess, a hint reads only the few fields it needs (the first message's type and sender, the
 * first signer's key, mode and signature) with a lean walk over the protobuf, not a full decoding of
 * the tx; for a well-formed tx the hint is the same as the one a full decoding gives.
 */
import { COMPUTE_URLS } from "../../codec/compute.ts";
import { ProtoReader } from "../../codec/protobuf.ts";
import { SignMode, decodeAny, encodeAny, encodeSignDoc } from "../../codec/tx.ts";
import type { EcallRequest } from "../../enclave-api/index.ts";
import { bytesEqual, utf8Encode } from "../../primitives/bytes.ts";
import { Context } from "../context.ts";
import { InfiniteGasMeter } from "../gas.ts";
import type { AuthForCompute } from "./types.ts";

export type SignatureHint = NonNullable<EcallRequest<"contractExecute">["upcoming"]>[number];

const EXECUTE_URL = utf8Encode(COMPUTE_URLS.execute);
const INSTANTIATE_URL = utf8Encode(COMPUTE_URLS.instantiate);
const WIRE_VARINT = 0;
const WIRE_LEN = 2;

/** The last length-delimited field `wanted` of a message (first when `first`), or undefined. */
function lenField(bytes: Uint8Array, wanted: number, first = false): Uint8Array | undefined {
  const r = new ProtoReader(bytes);
  let found: Uint8Array | undefined;
  while (!r.eof()) {
    const { field, wire } = r.tag();
    if (field === wanted && wire === WIRE_LEN) {
      found = r.bytes();
      if (first) return found;
    } else r.skip(wire);
  }
  return found;
}

/** `ModeInfo.single.mode`, or undefined when the mode info is not a single one. */
function singleMode(modeInfo: Uint8Array): number | undefined {
  const single = lenField(modeInfo, 1);
  if (single === undefined || lenField(modeInfo, 2) !== undefined) return undefined;
  const r = new ProtoReader(single);
  let mode = 0;
  while (!r.eof()) {
    const { field, wire } = r.tag();
    if (field === 1 && wire === WIRE_VARINT) mode = r.smallVarint();
    else r.skip(wire);
  }
  return mode;
}

/** Recent sign docs (`encodeSignDoc` is a pure function of its four inputs, compared by content). */
const recentSignDocs: Array<{
  readonly bodyBytes: Uint8Array;
  readonly authInfoBytes: Uint8Array;
  readonly chainId: string;
  readonly accountNumber: bigint;
  readonly signBytes: Uint8Array;
}> = [];
const RECENT_SIGN_DOCS = 4;

/**
 * `encodeSignDoc` of a SIGN_MODE_DIRECT signer, remembered for a few calls: the hint of tx i+1 and
 * that tx's own call build the same sign doc. A hit is compared byte for byte, so it is exactly the
 * fresh encoding; the arrays handed out are shared and must not be mutated (nobody does).
 */
export function directSignBytes(
  bodyBytes: Uint8Array,
  authInfoBytes: Uint8Array,
  chainId: string,
  accountNumber: bigint,
): Uint8Array {
  for (const d of recentSignDocs) {
    if (
      d.accountNumber === accountNumber &&
      d.chainId === chainId &&
      bytesEqual(d.bodyBytes, bodyBytes) &&
      bytesEqual(d.authInfoBytes, authInfoBytes)
    ) {
      return d.signBytes;
    }
  }
  const signBytes = encodeSignDoc({ bodyBytes, authInfoBytes, chainId, accountNumber });
  if (recentSignDocs.length >= RECENT_SIGN_DOCS) recentSignDocs.shift();
  // Copies: the caller's arrays may be reused after the call.
  recentSignDocs.push({
    bodyBytes: bodyBytes.slice(),
    authInfoBytes: authInfoBytes.slice(),
    chainId,
    accountNumber,
    signBytes,
  });
  return signBytes;
}

/** Recently encoded key `Any`s (`encodeAny` is a pure function of the type URL and value bytes). */
const recentKeys: Array<{ readonly typeUrl: string; readonly value: Uint8Array; readonly bytes: Uint8Array }> = [];

/**
 * `encodeAny(publicKey)`, remembered for a few calls like `directSignBytes` (the hint of tx i+1 and
 * that tx's own call encode the same key); a hit is compared by type URL and every value byte.
 */
export function publicKeyBytes(publicKey: { readonly typeUrl: string; readonly value: Uint8Array }): Uint8Array {
  for (const k of recentKeys) {
    if (k.typeUrl === publicKey.typeUrl && bytesEqual(k.value, publicKey.value)) return k.bytes;
  }
  const bytes = encodeAny(publicKey);
  if (recentKeys.length >= RECENT_SIGN_DOCS) recentKeys.shift();
  recentKeys.push({ typeUrl: publicKey.typeUrl, value: publicKey.value.slice(), bytes });
  return bytes;
}

/**
 * The hint for `txBytes`: its first signer's SIGN_MODE_DIRECT signature over the sign doc with the
 * account number `ctx` sees, when its first message is a user's execute or instantiate and that signer
 * is the message's sender with a single key. Undefined otherwise, or when a field it reads does not
 * decode. Reads accounts without gas (on a meter of its own) and writes nothing.
 */
export function signatureHintOf(txBytes: Uint8Array, ctx: Context, auth: AuthForCompute): SignatureHint | undefined {
  try {
    const bodyBytes = lenField(txBytes, 1) ?? new Uint8Array(0);
    const authInfoBytes = lenField(txBytes, 2) ?? new Uint8Array(0);
    const signature = lenField(txBytes, 3, true);
    const first = lenField(bodyBytes, 1, true);
    if (first === undefined || signature === undefined) return undefined;
    const typeUrl = lenField(first, 1);
    if (typeUrl === undefined || !(bytesEqual(typeUrl, EXECUTE_URL) || bytesEqual(typeUrl, INSTANTIATE_URL))) {
      return undefined;
    }
    // MsgExecuteContract and MsgInstantiateContract both carry the sender in field 1.
    const sender = lenField(lenField(first, 2) ?? new Uint8Array(0), 1);
    if (sender === undefined) return undefined;
    const info = lenField(authInfoBytes, 1, true);
    if (info === undefined) return undefined;
    const modeInfo = lenField(info, 2);
    if (modeInfo === undefined || singleMode(modeInfo) !== SignMode.DIRECT) return undefined;
    const keyBytes = lenField(info, 1);
    const free = new Context(ctx.header, ctx.mode, ctx.store, new InfiniteGasMeter());
    const account = auth.getAccount(free, sender);
    const publicKey = keyBytes !== undefined ? decodeAny(keyBytes) : account?.pubKey;
    if (account === undefined || publicKey === undefined) return undefined;
    const signBytes = directSignBytes(
      bodyBytes,
      authInfoBytes,
      ctx.chainId,
      ctx.height === 0 ? 0n : account.accountNumber,
    );
    return { signMode: SignMode.DIRECT, signBytes, publicKey: publicKeyBytes(publicKey), signature };
  } catch {
    return undefined;
  }
}
