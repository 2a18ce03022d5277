/**
 * The tx behind the current compute messages, as the enclave needs it to re-verify the signer
 * (crypto.md §6.2, upstream `GetTxInfo`): the tx bytes, and per signer the sign bytes of its sign mode,
 * its public key (`Any` bytes) and signature, rebuilt from the decoded tx and the signer's account.
 */
import { SignMode } from "../../codec/tx.ts";
import { bytesEqual } from "../../primitives/bytes.ts";
import type { Context } from "../context.ts";
import { signBytesAminoJson, signBytesEip191 } from "../signing.ts";
import { type DecodedTx, txHashHex } from "../txDecode.ts";
import { directSignBytes, publicKeyBytes } from "./hints.ts";
import type { AuthForCompute, ComputeTxInfo, SignerInfoForEnclave } from "./types.ts";

/**
 * `ctx` reads the signers' accounts (any gas meter; the reads are not charged to the tx). `ctx` is a
 * function so that a tx without compute messages (which never asks) does not make one.
 */
export function createTxInfo(
  tx: DecodedTx,
  index: number,
  ctx: Context | (() => Context),
  auth: AuthForCompute,
): ComputeTxInfo {
  return new TxInfo(tx, index, ctx, auth);
}

/** The tx info of one tx: the hash and the contexts are made on first use. */
class TxInfo implements ComputeTxInfo {
  private txHash: string | undefined;
  private context: Context | undefined;

  constructor(
    private readonly tx: DecodedTx,
    readonly index: number,
    private readonly makeContext: Context | (() => Context),
    private readonly auth: AuthForCompute,
  ) {}

  get bytes(): Uint8Array {
    return this.tx.bytes;
  }

  get hash(): string {
    return (this.txHash ??= txHashHex(this.tx));
  }

  private get ctx(): Context {
    const make = this.makeContext;
    return (this.context ??= typeof make === "function" ? make() : make);
  }

  signInfo(signer: Uint8Array): SignerInfoForEnclave | undefined {
    const tx = this.tx;
    const ctx = this.ctx;
    const i = tx.signers.findIndex((s) => bytesEqual(s, signer));
    const info = tx.authInfo.signerInfos[i];
    const signature = tx.raw.signatures[i];
    if (i < 0 || info === undefined || signature === undefined) return undefined;
    const account = this.auth.getAccount(ctx, signer);
    const publicKey = info.publicKey ?? account?.pubKey;
    const mode = info.modeInfo?.kind === "single" ? info.modeInfo.mode : SignMode.UNSPECIFIED;
    const accountNumber = ctx.height === 0 ? 0n : (account?.accountNumber ?? 0n);
    let signBytes: Uint8Array | undefined;
    if (mode === SignMode.DIRECT) {
      signBytes = directSignBytes(tx.raw.bodyBytes, tx.raw.authInfoBytes, ctx.chainId, accountNumber);
    } else if (mode === SignMode.LEGACY_AMINO_JSON) {
      signBytes = signBytesAminoJson(tx, ctx.chainId, accountNumber, info.sequence);
    } else if (mode === SignMode.EIP_191) {
      signBytes = signBytesEip191(tx, ctx.chainId, accountNumber, info.sequence);
    }
    return {
      signBytes: signBytes ?? new Uint8Array(0),
      signMode: mode,
      publicKey: publicKey === undefined ? new Uint8Array(0) : publicKeyBytes(publicKey),
      signature,
    };
  }
}
