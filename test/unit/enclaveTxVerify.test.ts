/**
 * The enclave's user-transaction verification (crypto.md §6.3) against transactions signed by the real
 * secretjs wallet, in SIGN_MODE_DIRECT and LEGACY_AMINO_JSON, single key and 2-of-3 multisig.
 */
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { describe, it } from "node:test";
import { COMPUTE_URLS, encodeMsgExecuteContract } from "../../src/codec/compute.ts";
import { MULTISIG_PUBKEY_URL, encodeLegacyAminoPubKey, encodeMultiSignature } from "../../src/codec/keys.ts";
import { type Any, type ProtoCoin, SignMode, encodeAny, encodeTxBody, encodeTxRaw } from "../../src/codec/tx.ts";
import { isEnclaveError } from "../../src/enclave/errors.ts";
import { callbackSignature } from "../../src/enclave/outputs.ts";
import { type CallToVerify, type SigInfo, preverifySignature, verifyCall } from "../../src/enclave/txVerify.ts";
import { MNEMONICS, Wallet, secp256k1Any, signDirect } from "../helpers/secretjsTx.ts";
import { fromBase64, toBase64 } from "../../src/primitives/base64.ts";
import { decodeAddress, encodeAddress } from "../../src/primitives/bech32.ts";
import { utf8Encode } from "../../src/primitives/bytes.ts";

const require = createRequire(import.meta.url);
const cosmjsAmino = require("@cosmjs/amino") as {
  serializeSignDoc(doc: unknown): Uint8Array;
  createMultisigThresholdPubkey(keys: unknown[], threshold: number, nosort?: boolean): unknown;
  encodeSecp256k1Pubkey(key: Uint8Array): unknown;
  pubkeyToAddress(key: unknown, prefix: string): string;
};
const { serializeSignDoc } = cosmjsAmino;
const MNEMONIC_A = MNEMONICS.a;
const MNEMONIC_B = MNEMONICS.b;
const MNEMONIC_C = MNEMONICS.c;

const CONTRACT = "secret1zk06mshazu82guaev26vd5wwqw5qm0lwzvcltr";
const ENVELOPE = Uint8Array.from({ length: 120 }, (_, i) => (i * 7 + 3) & 0xff);
const FUNDS: ProtoCoin[] = [{ denom: "uscrt", amount: "100" }];
const CALLBACK_SECRET = new Uint8Array(32).fill(9);
const failed = (e: unknown) => isEnclaveError(e, "FAILED_TX_VERIFICATION");

const secpAny = secp256k1Any;

function executeAny(sender: Uint8Array, envelope = ENVELOPE, funds = FUNDS, contract = CONTRACT): Any {
  return {
    typeUrl: COMPUTE_URLS.execute,
    value: encodeMsgExecuteContract({
      sender,
      contract: decodeAddress(contract),
      msg: envelope,
      callbackCodeHash: "",
      sentFunds: funds,
      callbackSig: new Uint8Array(0),
    }),
  };
}

const secretMessageOf = (envelope: Uint8Array) => ({
  nonce: envelope.subarray(0, 32),
  clientPublicKey: envelope.subarray(32, 64),
  msg: envelope.subarray(64),
});

function call(sender: Uint8Array, overrides: Partial<CallToVerify> & { envelope?: Uint8Array } = {}): CallToVerify {
  const { envelope = ENVELOPE, ...rest } = overrides;
  return {
    kind: "execute",
    sender,
    contractAddress: CONTRACT,
    secretMessage: secretMessageOf(envelope),
    sentFunds: FUNDS,
    ...rest,
  };
}

async function signedDirect(messages: Any[], signedMessages = messages) {
  const wallet = new Wallet(MNEMONIC_A);
  return { sender: decodeAddress(wallet.address), sigInfo: await signDirect(wallet, messages, signedMessages) };
}

function aminoDoc(sender: Uint8Array, funds = FUNDS) {
  return {
    account_number: "7",
    chain_id: "secretdev-1",
    fee: { amount: [{ amount: "2500", denom: "uscrt" }], gas: "200000" },
    memo: "",
    msgs: [
      {
        type: "wasm/MsgExecuteContract",
        value: {
          sender: toBase64(sender),
          contract: toBase64(decodeAddress(CONTRACT)),
          msg: toBase64(ENVELOPE),
          sent_funds: funds.map((c) => ({ amount: c.amount, denom: c.denom })),
        },
      },
    ],
    sequence: "3",
  };
}

describe("enclave tx verification: SIGN_MODE_DIRECT", () => {
  it("accepts the call a secretjs-signed execute describes", async () => {
    const { sender, sigInfo } = await signedDirect([executeAny(decodeAddress(new Wallet(MNEMONIC_A).address))]);
    verifyCall(sigInfo, call(sender), CALLBACK_SECRET);
  });

  it("refuses another envelope, other funds, another contract, another sender or kind", async () => {
    const wallet = new Wallet(MNEMONIC_A);
    const { sender, sigInfo } = await signedDirect([executeAny(decodeAddress(wallet.address))]);
    const other = ENVELOPE.slice();
    other[100]! ^= 1;
    assert.throws(() => verifyCall(sigInfo, call(sender, { envelope: other }), CALLBACK_SECRET), failed);
    assert.throws(
      () => verifyCall(sigInfo, call(sender, { sentFunds: [{ denom: "uscrt", amount: "101" }] }), CALLBACK_SECRET),
      failed,
    );
    assert.throws(() => verifyCall(sigInfo, call(sender, { sentFunds: [] }), CALLBACK_SECRET), failed);
    // The plaintext path (zero nonce and key, the whole input as msg) never matches a user-signed envelope.
    const plaintextPath = { nonce: new Uint8Array(32), clientPublicKey: new Uint8Array(32), msg: ENVELOPE };
    assert.throws(() => verifyCall(sigInfo, call(sender, { secretMessage: plaintextPath }), CALLBACK_SECRET), failed);
    assert.throws(
      () => verifyCall(sigInfo, call(sender, { contractAddress: encodeAddress(new Uint8Array(20)) }), CALLBACK_SECRET),
      failed,
    );
    const b = decodeAddress(new Wallet(MNEMONIC_B).address);
    assert.throws(() => verifyCall(sigInfo, call(b), CALLBACK_SECRET), failed);
    assert.throws(() => verifyCall(sigInfo, call(sender, { kind: "instantiate" }), CALLBACK_SECRET), failed);
  });

  it("refuses a flipped signature bit and tx bytes whose messages differ from the signed ones", async () => {
    const sender = decodeAddress(new Wallet(MNEMONIC_A).address);
    const { sigInfo } = await signedDirect([executeAny(sender)]);
    const badSig = sigInfo.signature.slice();
    badSig[10]! ^= 0x40;
    assert.throws(() => verifyCall({ ...sigInfo, signature: badSig }, call(sender), CALLBACK_SECRET), failed);
    // The host presents tx bytes with an extra message the signer never signed.
    const swapped = await signedDirect([executeAny(sender), executeAny(sender)], [executeAny(sender)]);
    assert.throws(() => verifyCall(swapped.sigInfo, call(sender), CALLBACK_SECRET), failed);
  });

  it("hinted signatures verified ahead never let a different signature or other bytes through", async () => {
    const sender = decodeAddress(new Wallet(MNEMONIC_A).address);
    const { sigInfo } = await signedDirect([executeAny(sender)]);
    const hint = (over: Partial<SigInfo> = {}) => {
      const s = { ...sigInfo, ...over };
      return { signMode: s.signMode, signBytes: s.signBytes, publicKey: s.publicKey, signature: s.signature };
    };
    const badSig = sigInfo.signature.slice();
    badSig[10]! ^= 0x40;
    const otherBytes = sigInfo.signBytes.slice();
    otherBytes[otherBytes.length - 1]! ^= 1;
    // Hints of a bad signature, of other bytes, and garbage: ignored, and the calls still fail.
    preverifySignature(hint({ signature: badSig }));
    preverifySignature(hint({ signBytes: otherBytes }));
    preverifySignature({
      signMode: SignMode.DIRECT,
      signBytes: new Uint8Array(3),
      publicKey: new Uint8Array(5),
      signature: badSig,
    });
    assert.throws(() => verifyCall({ ...sigInfo, signature: badSig }, call(sender), CALLBACK_SECRET), failed);
    // The valid signature, hinted: the call passes; a call with a flipped bit after it still fails.
    preverifySignature(hint());
    verifyCall(sigInfo, call(sender), CALLBACK_SECRET);
    assert.throws(() => verifyCall({ ...sigInfo, signature: badSig }, call(sender), CALLBACK_SECRET), failed);
    assert.throws(() => verifyCall({ ...sigInfo, signMode: SignMode.EIP_191 }, call(sender), CALLBACK_SECRET), failed);
  });

  it("accepts a call carrying a valid callback signature and refuses a wrong one", async () => {
    const sender = decodeAddress(new Wallet(MNEMONIC_A).address);
    const { sigInfo } = await signedDirect([executeAny(sender)]);
    const sig = callbackSignature(CALLBACK_SECRET, ENVELOPE.subarray(64), FUNDS);
    const contractCaller = new Uint8Array(20).fill(5); // any sender: the callback signature stands for it
    verifyCall({ ...sigInfo, callbackSig: sig }, call(contractCaller), CALLBACK_SECRET);
    const wrong = sig.slice();
    wrong[0]! ^= 1;
    assert.throws(() => verifyCall({ ...sigInfo, callbackSig: wrong }, call(contractCaller), CALLBACK_SECRET), failed);
  });

  it("refuses garbage sign bytes and unknown sign modes with the same code", async () => {
    const sender = decodeAddress(new Wallet(MNEMONIC_A).address);
    const { sigInfo } = await signedDirect([executeAny(sender)]);
    assert.throws(
      () => verifyCall({ ...sigInfo, signBytes: utf8Encode("junk") }, call(sender), CALLBACK_SECRET),
      failed,
    );
    assert.throws(() => verifyCall({ ...sigInfo, signMode: SignMode.TEXTUAL }, call(sender), CALLBACK_SECRET), failed);
  });
});

describe("enclave tx verification: LEGACY_AMINO_JSON", () => {
  it("accepts a secretjs amino signature (compute addresses as base64 bytes) and refuses tampering", async () => {
    const wallet = new Wallet(MNEMONIC_A);
    const sender = decodeAddress(wallet.address);
    const doc = aminoDoc(sender);
    const response = await wallet.signAmino(wallet.address, doc);
    const sigInfo: SigInfo = {
      txBytes: encodeTxRaw({
        bodyBytes: encodeTxBody({ messages: [executeAny(sender)] }),
        authInfoBytes: new Uint8Array(0),
        signatures: [],
      }),
      signBytes: serializeSignDoc(doc),
      signMode: SignMode.LEGACY_AMINO_JSON,
      publicKey: encodeAny(secpAny(wallet.publicKey)),
      signature: fromBase64(response.signature.signature),
    };
    verifyCall(sigInfo, call(sender), CALLBACK_SECRET);
    const otherDoc = serializeSignDoc(aminoDoc(sender, [{ denom: "uscrt", amount: "5" }]));
    assert.throws(() => verifyCall({ ...sigInfo, signBytes: otherDoc }, call(sender), CALLBACK_SECRET), failed);
    const otherKey = encodeAny(secpAny(new Wallet(MNEMONIC_B).publicKey));
    assert.throws(() => verifyCall({ ...sigInfo, publicKey: otherKey }, call(sender), CALLBACK_SECRET), failed);
  });

  it("accepts a 2-of-3 multisig and refuses 1-of-3", async () => {
    const wallets = [MNEMONIC_A, MNEMONIC_B, MNEMONIC_C].map((m) => new Wallet(m));
    const multisigKey = { threshold: 2, publicKeys: wallets.map((w) => secpAny(w.publicKey)) };
    const publicKey = encodeAny({ typeUrl: MULTISIG_PUBKEY_URL, value: encodeLegacyAminoPubKey(multisigKey) });
    // The multisig address as cosmjs derives it (an independent oracle for our amino encoding).
    const cosmjsKey = cosmjsAmino.createMultisigThresholdPubkey(
      wallets.map((w) => cosmjsAmino.encodeSecp256k1Pubkey(w.publicKey)),
      2,
      true,
    );
    const sender = decodeAddress(cosmjsAmino.pubkeyToAddress(cosmjsKey, "secret"));
    const doc = aminoDoc(sender);
    const sigs = await Promise.all(
      wallets.map(async (w) => fromBase64((await w.signAmino(w.address, doc)).signature.signature)),
    );
    const base: SigInfo = {
      txBytes: encodeTxRaw({
        bodyBytes: encodeTxBody({ messages: [executeAny(sender)] }),
        authInfoBytes: new Uint8Array(0),
        signatures: [],
      }),
      signBytes: serializeSignDoc(doc),
      signMode: SignMode.LEGACY_AMINO_JSON,
      publicKey,
      signature: encodeMultiSignature([sigs[0]!, sigs[2]!]),
    };
    verifyCall(base, call(sender), CALLBACK_SECRET);
    assert.throws(
      () => verifyCall({ ...base, signature: encodeMultiSignature([sigs[1]!]) }, call(sender), CALLBACK_SECRET),
      failed,
    );
    assert.throws(
      () =>
        verifyCall({ ...base, signature: encodeMultiSignature([sigs[1]!, sigs[1]!]) }, call(sender), CALLBACK_SECRET),
      failed,
    );
  });
});
