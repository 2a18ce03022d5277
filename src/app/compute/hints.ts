/**
 * Signature hints: while block txs run, each contract call tells the enclave the signature the next
 * tx's contract call will carry, so the enclave verifies it after answering, while the host runs that
 * tx's ante handler, instead of on the call's own critical path. A hint is only a guess the enclave
 * checks itself (it caches only signatures it verified, by every byte verified): a wrong or stale hint
 * costs the enclave one verification and changes no result.
 */
import { COMPUTE_URLS, decodeMsgExecuteContract, decodeMsgInstantiateContract } from "../../codec/compute.ts";
import { SignMode, decodeAuthInfo, decodeTxBody, decodeTxRaw, encodeAny, encodeSignDoc } from "../../codec/tx.ts";
import type { EcallRequest } from "../../enclave-api/index.ts";
import { Context } from "../context.ts";
import { InfiniteGasMeter } from "../gas.ts";
import type { AuthForCompute } from "./types.ts";

export type SignatureHint = NonNullable<EcallRequest<"contractExecute">["upcoming"]>[number];

/**
 * The hint for `txBytes`: its first signer's SIGN_MODE_DIRECT signature over the sign doc with the
 * account number `ctx` sees, when its first message is a user's execute or instantiate and that signer
 * is the message's sender with a single key. Undefined otherwise, or when anything does not decode.
 * Reads accounts without gas (on a meter of its own) and writes nothing.
 */
export function signatureHintOf(txBytes: Uint8Array, ctx: Context, auth: AuthForCompute): SignatureHint | undefined {
  try {
    const raw = decodeTxRaw(txBytes);
    const first = decodeTxBody(raw.bodyBytes).messages[0];
    if (first === undefined) return undefined;
    let sender: Uint8Array;
    if (first.typeUrl === COMPUTE_URLS.execute) sender = decodeMsgExecuteContract(first.value).sender;
    else if (first.typeUrl === COMPUTE_URLS.instantiate) sender = decodeMsgInstantiateContract(first.value).sender;
    else return undefined;
    const info = decodeAuthInfo(raw.authInfoBytes).signerInfos[0];
    const signature = raw.signatures[0];
    if (info === undefined || signature === undefined) return undefined;
    if (info.modeInfo?.kind !== "single" || info.modeInfo.mode !== SignMode.DIRECT) return undefined;
    const free = new Context(ctx.header, ctx.mode, ctx.store, new InfiniteGasMeter());
    const account = auth.getAccount(free, sender);
    const publicKey = info.publicKey ?? account?.pubKey;
    if (account === undefined || publicKey === undefined) return undefined;
    const signBytes = encodeSignDoc({
      bodyBytes: raw.bodyBytes,
      authInfoBytes: raw.authInfoBytes,
      chainId: ctx.chainId,
      accountNumber: ctx.height === 0 ? 0n : account.accountNumber,
    });
    return { signMode: SignMode.DIRECT, signBytes, publicKey: encodeAny(publicKey), signature };
  } catch {
    return undefined;
  }
}
