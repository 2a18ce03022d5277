/** Building and signing a tx (SIGN_MODE_DIRECT, one secp256k1 signer) for the node's own faucet. */
import { encodeMsgSend, BANK_URLS } from "../codec/bank.ts";
import { encodePubKeyBytes, SECP256K1_PUBKEY_URL } from "../codec/keys.ts";
import {
  encodeAuthInfo,
  encodeSignDoc,
  encodeTxBody,
  encodeTxRaw,
  SignMode,
  type Any,
  type ProtoCoin,
} from "../codec/tx.ts";
import { secp256k1Sign, sha256 } from "../crypto/index.ts";

export interface SignerKey {
  readonly privateKey: Uint8Array;
  readonly publicKey: Uint8Array;
}

export function msgSend(from: string, to: string, amount: readonly ProtoCoin[]): Any {
  return { typeUrl: BANK_URLS.MsgSend, value: encodeMsgSend({ fromAddress: from, toAddress: to, amount }) };
}

export function signDirectTx(o: {
  readonly messages: readonly Any[];
  readonly key: SignerKey;
  readonly chainId: string;
  readonly accountNumber: bigint;
  readonly sequence: bigint;
  readonly fee: readonly ProtoCoin[];
  readonly gas: bigint;
  readonly memo?: string;
}): Uint8Array {
  const bodyBytes = encodeTxBody({ messages: o.messages, memo: o.memo ?? "", timeoutHeight: 0n, extensionOptions: [] });
  const authInfoBytes = encodeAuthInfo({
    signerInfos: [
      {
        publicKey: { typeUrl: SECP256K1_PUBKEY_URL, value: encodePubKeyBytes(o.key.publicKey) },
        modeInfo: { kind: "single", mode: SignMode.DIRECT },
        sequence: o.sequence,
      },
    ],
    fee: { amount: o.fee, gasLimit: o.gas, payer: "", granter: "" },
  });
  const signDoc = encodeSignDoc({ bodyBytes, authInfoBytes, chainId: o.chainId, accountNumber: o.accountNumber });
  const signature = secp256k1Sign(o.key.privateKey, sha256(signDoc));
  return encodeTxRaw({ bodyBytes, authInfoBytes, signatures: [signature] });
}
