/**
 * Building and signing transactions for the app's tests and benchmark: deterministic test keys,
 * MsgSend/MultiSend txs signed with SIGN_MODE_DIRECT (or LEGACY_AMINO_JSON), and a fresh app on an
 * in-memory store with a genesis of funded accounts.
 */
import assert from "node:assert/strict";
import { APP_STORE_NAMES, SecretApp, type AppOptions, type GenesisDoc } from "../../src/app/index.ts";
import { sortedJson } from "../../src/app/signing.ts";
import { BANK_URLS, encodeMsgMultiSend, encodeMsgSend, type MsgMultiSend } from "../../src/codec/bank.ts";
import { SECP256K1_PUBKEY_URL, encodePubKeyBytes } from "../../src/codec/keys.ts";
import {
  type Any,
  type ProtoCoin,
  SignMode,
  encodeAuthInfo,
  encodeSignDoc,
  encodeTxBody,
  encodeTxRaw,
} from "../../src/codec/tx.ts";
import { ripemd160, secp256k1PublicKey, secp256k1Sign, sha256 } from "../../src/crypto/index.ts";
import { encodeAddress } from "../../src/primitives/bech32.ts";
import { utf8Encode } from "../../src/primitives/bytes.ts";
import { createMemoryDatabase, openMultiStore, type Database } from "../../src/store/index.ts";

export const CHAIN_ID = "secretdev-1";

export interface TestKey {
  readonly sk: Uint8Array;
  readonly pubKey: Uint8Array;
  readonly address: Uint8Array;
  readonly bech32: string;
}

export function testKey(seed: string | number): TestKey {
  const sk = sha256(utf8Encode(`app test key ${seed}`));
  const pubKey = secp256k1PublicKey(sk);
  const address = ripemd160(sha256(pubKey));
  return { sk, pubKey, address, bech32: encodeAddress(address) };
}

export const pubKeyAny = (pubKey: Uint8Array): Any => ({
  typeUrl: SECP256K1_PUBKEY_URL,
  value: encodePubKeyBytes(pubKey),
});

export const sendMsg = (from: string, to: string, amount: readonly ProtoCoin[]): Any => ({
  typeUrl: BANK_URLS.MsgSend,
  value: encodeMsgSend({ fromAddress: from, toAddress: to, amount }),
});

export const multiSendMsg = (m: MsgMultiSend): Any => ({
  typeUrl: BANK_URLS.MsgMultiSend,
  value: encodeMsgMultiSend(m),
});

export interface TxOptions {
  readonly messages: readonly Any[];
  readonly signer: TestKey;
  readonly accountNumber: bigint;
  readonly sequence: bigint;
  readonly fee?: readonly ProtoCoin[];
  readonly gas?: bigint;
  readonly chainId?: string;
  readonly memo?: string;
  readonly timeoutHeight?: bigint;
  readonly signMode?: number;
  /** Include the public key in the signer info (default true). */
  readonly withPubKey?: boolean;
  readonly extensionOptions?: readonly Any[];
}

export function signTx(o: TxOptions, aminoMsgs?: readonly unknown[]): Uint8Array {
  const fee = o.fee ?? [{ denom: "uscrt", amount: "2500" }];
  const gas = o.gas ?? 25_000n;
  const mode = o.signMode ?? SignMode.DIRECT;
  const bodyBytes = encodeTxBody({
    messages: o.messages,
    memo: o.memo ?? "",
    timeoutHeight: o.timeoutHeight ?? 0n,
    extensionOptions: o.extensionOptions ?? [],
  });
  const authInfoBytes = encodeAuthInfo({
    signerInfos: [
      {
        publicKey: o.withPubKey === false ? undefined : pubKeyAny(o.signer.pubKey),
        modeInfo: { kind: "single", mode },
        sequence: o.sequence,
      },
    ],
    fee: { amount: fee, gasLimit: gas, payer: "", granter: "" },
  });
  const chainId = o.chainId ?? CHAIN_ID;
  let signBytes: Uint8Array;
  if (mode === SignMode.LEGACY_AMINO_JSON) {
    if (aminoMsgs === undefined) throw new Error("amino signing needs the amino messages");
    signBytes = utf8Encode(
      sortedJson({
        account_number: o.accountNumber.toString(),
        chain_id: chainId,
        fee: { amount: fee.map((c) => ({ amount: c.amount, denom: c.denom })), gas: gas.toString() },
        memo: o.memo ?? "",
        msgs: aminoMsgs,
        sequence: o.sequence.toString(),
      }),
    );
  } else {
    signBytes = encodeSignDoc({ bodyBytes, authInfoBytes, chainId, accountNumber: o.accountNumber });
  }
  const signature = secp256k1Sign(o.signer.sk, sha256(signBytes));
  return encodeTxRaw({ bodyBytes, authInfoBytes, signatures: [signature] });
}

/** Genesis JSON with each key funded and given account number = its index. */
export function genesisFor(
  funded: ReadonlyArray<{ readonly key: TestKey; readonly coins: readonly ProtoCoin[] }>,
  chainId = CHAIN_ID,
): GenesisDoc {
  return genesisForAddresses(
    funded.map((f) => ({ address: f.key.bech32, coins: f.coins })),
    {},
    chainId,
  );
}

/**
 * Genesis JSON with each bech32 address a BaseAccount (account number = its index, no public key)
 * holding its coins; `extra` adds other modules' sections (e.g. `register`).
 */
export function genesisForAddresses(
  funded: ReadonlyArray<{ readonly address: string; readonly coins: readonly ProtoCoin[] }>,
  extra: Readonly<Record<string, unknown>> = {},
  chainId = CHAIN_ID,
): GenesisDoc {
  return {
    chainId,
    appState: {
      auth: {
        accounts: funded.map((f, i) => ({
          "@type": "/cosmos.auth.v1beta1.BaseAccount",
          address: f.address,
          pub_key: null,
          account_number: String(i),
          sequence: "0",
        })),
      },
      bank: { balances: funded.map((f) => ({ address: f.address, coins: f.coins })) },
      ...extra,
    },
  };
}

export function newApp(db: Database = createMemoryDatabase(), options: Partial<AppOptions> = {}): SecretApp {
  const store = openMultiStore(db, { storeNames: APP_STORE_NAMES });
  return new SecretApp({ store, ...options });
}

/** Nanoseconds of a block time `height` seconds after 2025-01-01. */
export const blockTime = (height: number): bigint => (1_735_689_600n + BigInt(height)) * 1_000_000_000n;

/** A fresh app on `genesis` with an empty block 1 committed, so that queries see committed state. */
export function appAfterFirstBlock(genesis: GenesisDoc): SecretApp {
  const app = newApp();
  app.initChain(genesis);
  app.finalizeBlock({ height: 1, timeNanos: blockTime(1), txs: [] });
  app.commit();
  return app;
}

/** A query through the app's router that must succeed (else the test fails with its log); the answer. */
export function queryOk(app: SecretApp, path: string, data: Uint8Array = new Uint8Array(0)): Uint8Array {
  const r = app.query(path, data);
  assert.equal(r.code, 0, `${path}: ${r.log}`);
  return r.value;
}
