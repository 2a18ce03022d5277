/**
 * Building and signing transactions with SIGN_MODE_DIRECT (chain-api.md §2.1, §2.3): TxBody and
 * AuthInfo through the shared codec, `SignDoc{body, auth_info, chain_id, account_number}`, a
 * secp256k1 signature over its SHA-256 (64 bytes, low-S), and the TxRaw bytes that get broadcast.
 */
import { SECP256K1_PUBKEY_URL, encodePubKeyBytes } from "../codec/keys.ts";
import { type Any, SignMode, encodeAuthInfo, encodeSignDoc, encodeTxBody, encodeTxRaw } from "../codec/tx.ts";
import { secp256k1PublicKey, secp256k1Sign, sha256 } from "../crypto/index.ts";
import type { Coin } from "../primitives/amount.ts";
import { toHex } from "../primitives/hex.ts";
import { ClientError } from "./errors.ts";
import { coinsToProto } from "./msgs/coins.ts";

export interface TxSignerData {
  readonly chainId: string;
  readonly accountNumber: bigint;
  readonly sequence: bigint;
}

export interface TxFee {
  readonly amount: readonly Coin[];
  readonly gasLimit: bigint;
  readonly granter?: string;
}

export interface UnsignedTx {
  readonly messages: readonly Any[];
  readonly memo?: string;
  readonly fee: TxFee;
}

export interface SignedTx {
  readonly txBytes: Uint8Array;
  readonly bodyBytes: Uint8Array;
  readonly authInfoBytes: Uint8Array;
  readonly signBytes: Uint8Array;
  /** Uppercase hex of sha256(txBytes), as the chain reports it. */
  readonly hash: string;
}

export const MAX_MEMO_BYTES = 256;

/** The AuthInfo of one secp256k1 signer in SIGN_MODE_DIRECT with the tx's fee. */
function directAuthInfo(tx: UnsignedTx, signer: TxSignerData, publicKey: Uint8Array): Uint8Array {
  return encodeAuthInfo({
    signerInfos: [
      {
        publicKey: { typeUrl: SECP256K1_PUBKEY_URL, value: encodePubKeyBytes(publicKey) },
        modeInfo: { kind: "single", mode: SignMode.DIRECT },
        sequence: signer.sequence,
      },
    ],
    fee: { amount: coinsToProto(tx.fee.amount), gasLimit: tx.fee.gasLimit, payer: "", granter: tx.fee.granter ?? "" },
  });
}

/** Builds the body and auth info, signs the SignDoc with `privateKey`, returns the TxRaw bytes. */
export function signTxDirect(tx: UnsignedTx, signer: TxSignerData, privateKey: Uint8Array): SignedTx {
  if (tx.messages.length === 0) throw new ClientError("CLIENT_BAD_INPUT", "a transaction needs at least one message");
  const memo = tx.memo ?? "";
  if (new TextEncoder().encode(memo).length > MAX_MEMO_BYTES) {
    throw new ClientError("CLIENT_BAD_INPUT", `the memo is longer than ${MAX_MEMO_BYTES} bytes`);
  }
  if (signer.chainId === "") throw new ClientError("CLIENT_BAD_INPUT", "a chain id is needed to sign");
  const publicKey = secp256k1PublicKey(privateKey);
  const bodyBytes = encodeTxBody({ messages: tx.messages, memo });
  const authInfoBytes = directAuthInfo(tx, signer, publicKey);
  const signBytes = encodeSignDoc({
    bodyBytes,
    authInfoBytes,
    chainId: signer.chainId,
    accountNumber: signer.accountNumber,
  });
  const signature = secp256k1Sign(privateKey, sha256(signBytes));
  const txBytes = encodeTxRaw({ bodyBytes, authInfoBytes, signatures: [signature] });
  return { txBytes, bodyBytes, authInfoBytes, signBytes, hash: txHash(txBytes) };
}

/** A tx for gas estimation: real body and auth info, a 64-byte zero signature (as secretjs simulates). */
export function simulationTx(tx: UnsignedTx, signer: TxSignerData, publicKey: Uint8Array): Uint8Array {
  const bodyBytes = encodeTxBody({ messages: tx.messages, memo: tx.memo ?? "" });
  const authInfoBytes = directAuthInfo(tx, signer, publicKey);
  return encodeTxRaw({ bodyBytes, authInfoBytes, signatures: [new Uint8Array(64)] });
}

export function txHash(txBytes: Uint8Array): string {
  return toHex(sha256(txBytes)).toUpperCase();
}

/** `ceil(gasLimit × price)` in the price's denom; `price` is a decimal like "0.1". */
export function feeForGas(gasLimit: bigint, price: { readonly denom: string; readonly amount: string }): Coin {
  const m = /^(0|[1-9][0-9]*)(?:\.([0-9]{1,18}))?$/.exec(price.amount);
  if (m === null) throw new ClientError("CLIENT_BAD_INPUT", `invalid gas price ${JSON.stringify(price.amount)}`);
  const frac = (m[2] ?? "").padEnd(18, "0");
  const atomics = BigInt(m[1]!) * 10n ** 18n + BigInt(frac);
  const scale = 10n ** 18n;
  const amount = (gasLimit * atomics + scale - 1n) / scale;
  return { denom: price.denom, amount };
}

/** Parses a gas price like `0.1uscrt`. */
export function parseGasPrice(text: string): { readonly denom: string; readonly amount: string } {
  const m = /^((?:0|[1-9][0-9]*)(?:\.[0-9]{1,18})?)([a-zA-Z][a-zA-Z0-9/:._-]{2,127})$/.exec(text.trim());
  if (m === null)
    throw new ClientError("CLIENT_BAD_INPUT", `invalid gas price ${JSON.stringify(text)} (expected e.g. 0.1uscrt)`);
  return { amount: m[1]!, denom: m[2]! };
}
