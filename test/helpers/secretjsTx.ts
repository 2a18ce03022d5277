/**
 * Transactions signed by the real secretjs wallet, for tests of the enclave's verification and
 * engine. secretjs's published .d.ts files import its .ts sources, so its types are declared here.
 */
import { createRequire } from "node:module";
import { SECP256K1_PUBKEY_URL, encodePubKeyBytes } from "../../src/codec/keys.ts";
import {
  type Any,
  SignMode,
  encodeAny,
  encodeAuthInfo,
  encodeSignDoc,
  encodeTxBody,
  encodeTxRaw,
} from "../../src/codec/tx.ts";
import type { SigInfo } from "../../src/enclave/txVerify.ts";
import { fromBase64 } from "../../src/primitives/base64.ts";

const require = createRequire(import.meta.url);

/** The part of secretjs's `Wallet` the tests use. */
export interface SecretjsWallet {
  readonly address: string;
  readonly publicKey: Uint8Array;
  signDirect(address: string, doc: unknown): Promise<{ signature: { signature: string } }>;
  signAmino(address: string, doc: unknown): Promise<{ signature: { signature: string } }>;
}

export const { Wallet } = require("secretjs") as { Wallet: new (mnemonic: string) => SecretjsWallet };

/** The dev chain's well-known mnemonics (devchain.md). */
export const MNEMONICS = {
  a: "grant rice replace explain federal release fix clever romance raise often wild taxi quarter soccer fiber love must tape steak together observe swap guitar",
  b: "jelly shadow frog dirt dragon use armed praise universe win jungle close inmate rain oil canvas beauty pioneer chef soccer icon dizzy thunder meadow",
  c: "chair love bleak wonder skirt permit say assist aunt credit roast size obtain minute throw sand usual age smart exact enough room shadow charge",
} as const;

export const secp256k1Any = (publicKey: Uint8Array): Any => ({
  typeUrl: SECP256K1_PUBKEY_URL,
  value: encodePubKeyBytes(publicKey),
});

/**
 * Signs a tx carrying `messages` with SIGN_MODE_DIRECT (account 7, sequence 3, `secretdev-1`) and
 * returns the enclave's SigInfo for it. `signedMessages` lets a test sign other messages than the
 * tx bytes carry.
 */
export async function signDirect(wallet: SecretjsWallet, messages: Any[], signedMessages = messages): Promise<SigInfo> {
  const authInfoBytes = encodeAuthInfo({
    signerInfos: [
      { publicKey: secp256k1Any(wallet.publicKey), modeInfo: { kind: "single", mode: SignMode.DIRECT }, sequence: 3n },
    ],
    fee: { amount: [{ denom: "uscrt", amount: "2500" }], gasLimit: 200_000n, payer: "", granter: "" },
  });
  const signDoc = {
    bodyBytes: encodeTxBody({ messages: signedMessages }),
    authInfoBytes,
    chainId: "secretdev-1",
    accountNumber: 7n,
  };
  const response = await wallet.signDirect(wallet.address, signDoc);
  const signature = fromBase64(response.signature.signature);
  return {
    txBytes: encodeTxRaw({ bodyBytes: encodeTxBody({ messages }), authInfoBytes, signatures: [signature] }),
    signBytes: encodeSignDoc(signDoc),
    signMode: SignMode.DIRECT,
    publicKey: encodeAny(secp256k1Any(wallet.publicKey)),
    signature,
  };
}
