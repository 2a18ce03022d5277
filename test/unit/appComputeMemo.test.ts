/**
 * The compute module's node-memory shortcuts, which must never change a result: the lean signature
 * hint (same hint as a full decoding gives), the remembered sign docs and key encodings (the fresh
 * encodings, whatever the caller does with its arrays afterwards), and the decoded contract metadata
 * (frozen, the fresh decoding of the stored bytes).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import type { Account } from "../../src/app/auth/types.ts";
import { directSignBytes, publicKeyBytes, signatureHintOf } from "../../src/app/compute/hints.ts";
import { ComputeKeeper } from "../../src/app/compute/keeper.ts";
import { COMPUTE_STORE } from "../../src/app/compute/keys.ts";
import type { AuthForCompute } from "../../src/app/compute/types.ts";
import { Context } from "../../src/app/context.ts";
import { InfiniteGasMeter } from "../../src/app/gas.ts";
import {
  COMPUTE_URLS,
  decodeMsgExecuteContract,
  encodeMsgExecuteContract,
  encodeMsgInstantiateContract,
} from "../../src/codec/compute.ts";
import {
  SignMode,
  decodeAuthInfo,
  decodeTxBody,
  decodeTxRaw,
  encodeAny,
  encodeAuthInfo,
  encodeSignDoc,
  encodeTxRaw,
} from "../../src/codec/tx.ts";
import { createMemoryDatabase, openMultiStore } from "../../src/store/index.ts";
import { CHAIN_ID, pubKeyAny, sendMsg, signTx, testKey } from "../helpers/appTx.ts";

const sender = testKey("memo sender");
const other = testKey("memo other");

function ctxOf(height = 5): Context {
  const store = openMultiStore(createMemoryDatabase(), { storeNames: [COMPUTE_STORE] });
  return new Context({ height, timeNanos: 0n, chainId: CHAIN_ID }, "deliver", store.branch(), new InfiniteGasMeter());
}

/** An auth keeper that knows one account per address (by bech32), with a fixed account number. */
function authWith(accounts: readonly Account[]): AuthForCompute {
  return {
    getAccount: (_ctx: Context, address: Uint8Array) =>
      accounts.find((a) => a.address.length === address.length && a.address.every((b, i) => b === address[i])),
  } as unknown as AuthForCompute;
}

const executeMsg = (from: Uint8Array) => ({
  typeUrl: COMPUTE_URLS.execute,
  value: encodeMsgExecuteContract({
    sender: from,
    contract: other.address,
    msg: Uint8Array.of(1, 2, 3),
    callbackCodeHash: "",
    sentFunds: [],
    callbackSig: new Uint8Array(0),
  }),
});

/** The hint as a full decoding of the tx computes it (the shape of hints.ts before its lean walk). */
function referenceHint(txBytes: Uint8Array, accountNumber: bigint, accountKey: Account["pubKey"]) {
  const raw = decodeTxRaw(txBytes);
  const first = decodeTxBody(raw.bodyBytes).messages[0]!;
  assert.equal(first.typeUrl, COMPUTE_URLS.execute);
  decodeMsgExecuteContract(first.value);
  const info = decodeAuthInfo(raw.authInfoBytes).signerInfos[0]!;
  const publicKey = info.publicKey ?? accountKey!;
  return {
    signMode: SignMode.DIRECT,
    signBytes: encodeSignDoc({
      bodyBytes: raw.bodyBytes,
      authInfoBytes: raw.authInfoBytes,
      chainId: CHAIN_ID,
      accountNumber,
    }),
    publicKey: encodeAny(publicKey),
    signature: raw.signatures[0]!,
  };
}

describe("compute signature hints (lean walk)", () => {
  const account: Account = {
    address: sender.address,
    pubKey: pubKeyAny(sender.pubKey),
    accountNumber: 7n,
    sequence: 3n,
  };
  const auth = authWith([account]);

  it("an execute or instantiate gets the hint a full decoding gives, with or without the key in the tx", () => {
    for (const withPubKey of [true, false]) {
      const tx = signTx({
        messages: [executeMsg(sender.address)],
        signer: sender,
        accountNumber: 7n,
        sequence: 3n,
        withPubKey,
      });
      assert.deepStrictEqual(signatureHintOf(tx, ctxOf(), auth), referenceHint(tx, 7n, account.pubKey));
    }
    const instantiate = signTx({
      messages: [
        {
          typeUrl: COMPUTE_URLS.instantiate,
          value: encodeMsgInstantiateContract({
            sender: sender.address,
            callbackCodeHash: "",
            codeId: 1n,
            label: "l",
            initMsg: Uint8Array.of(9),
            initFunds: [],
            callbackSig: new Uint8Array(0),
            admin: "",
          }),
        },
      ],
      signer: sender,
      accountNumber: 7n,
      sequence: 3n,
    });
    const hint = signatureHintOf(instantiate, ctxOf(), auth)!;
    assert.deepStrictEqual(hint.signature, decodeTxRaw(instantiate).signatures[0]);
    // At height 0 the sign doc carries account number 0.
    const tx = signTx({ messages: [executeMsg(sender.address)], signer: sender, accountNumber: 0n, sequence: 3n });
    assert.deepStrictEqual(signatureHintOf(tx, ctxOf(0), auth), referenceHint(tx, 0n, account.pubKey));
  });

  it("no hint for other messages, unknown senders, other sign modes, or bytes that are not a tx", () => {
    const bank = signTx({
      messages: [sendMsg(sender.bech32, other.bech32, [{ denom: "uscrt", amount: "1" }])],
      signer: sender,
      accountNumber: 7n,
      sequence: 3n,
    });
    assert.equal(signatureHintOf(bank, ctxOf(), auth), undefined);
    const stranger = signTx({ messages: [executeMsg(other.address)], signer: other, accountNumber: 1n, sequence: 0n });
    assert.equal(signatureHintOf(stranger, ctxOf(), auth), undefined);
    // The same tx with its signer's mode turned into LEGACY_AMINO_JSON.
    const tx = signTx({ messages: [executeMsg(sender.address)], signer: sender, accountNumber: 7n, sequence: 3n });
    const raw = decodeTxRaw(tx);
    const authInfo = decodeAuthInfo(raw.authInfoBytes);
    const amino = encodeTxRaw({
      ...raw,
      authInfoBytes: encodeAuthInfo({
        ...authInfo,
        signerInfos: [{ ...authInfo.signerInfos[0]!, modeInfo: { kind: "single", mode: SignMode.LEGACY_AMINO_JSON } }],
      }),
    });
    assert.equal(signatureHintOf(amino, ctxOf(), auth), undefined);
    assert.equal(signatureHintOf(encodeTxRaw({ ...raw, signatures: [] }), ctxOf(), auth), undefined);
    for (const junk of [new Uint8Array(0), Uint8Array.of(0xff, 0xff, 0xff), tx.subarray(0, tx.length - 40)]) {
      assert.equal(signatureHintOf(junk, ctxOf(), auth), undefined);
    }
  });
});

describe("remembered sign docs and key encodings", () => {
  it("directSignBytes is encodeSignDoc, also after the caller reused its arrays", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 60 }),
        fc.uint8Array({ maxLength: 60 }),
        fc.constantFrom("a-1", "b-2"),
        fc.bigInt({ min: 0n, max: 3n }),
        (body, authInfo, chainId, accountNumber) => {
          const want = encodeSignDoc({ bodyBytes: body, authInfoBytes: authInfo, chainId, accountNumber });
          assert.deepStrictEqual(directSignBytes(body, authInfo, chainId, accountNumber), want);
          assert.deepStrictEqual(directSignBytes(body, authInfo, chainId, accountNumber), want);
          if (body.length > 0) {
            body[0] = body[0]! ^ 1; // the caller reuses its array
            const fresh = encodeSignDoc({ bodyBytes: body, authInfoBytes: authInfo, chainId, accountNumber });
            assert.deepStrictEqual(directSignBytes(body, authInfo, chainId, accountNumber), fresh);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("publicKeyBytes is encodeAny, also after the caller reused its arrays", () => {
    fc.assert(
      fc.property(fc.constantFrom("/k.A", "/k.B"), fc.uint8Array({ maxLength: 40 }), (typeUrl, value) => {
        assert.deepStrictEqual(publicKeyBytes({ typeUrl, value }), encodeAny({ typeUrl, value }));
        if (value.length > 0) {
          value[0] = value[0]! ^ 1;
          assert.deepStrictEqual(publicKeyBytes({ typeUrl, value }), encodeAny({ typeUrl, value }));
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe("decoded contract metadata", () => {
  it("code info, contract info and contract key read back frozen, equal to what was written", () => {
    const keeper = new ComputeKeeper(authWith([]), {} as never, undefined);
    const ctx = ctxOf();
    const contract = other.address;
    const info = {
      codeId: 3n,
      creator: sender.address,
      label: "memo",
      created: { blockHeight: 4n, txIndex: 1n },
      ibcPortId: "",
      admin: "",
      adminProof: Uint8Array.of(5, 6),
    };
    keeper.setContractInfo(ctx, contract, info);
    const first = keeper.getContractInfo(ctx, contract)!;
    assert.deepStrictEqual(first, info);
    assert.equal(keeper.getContractInfo(ctx, contract), first);
    assert.ok(Object.isFrozen(first) && Object.isFrozen(first.created));
    assert.throws(() => ((first as { label: string }).label = "x"), TypeError);
    // A new write is read as the new value.
    keeper.setContractInfo(ctx, contract, { ...info, label: "renamed" });
    assert.equal(keeper.getContractInfo(ctx, contract)!.label, "renamed");
    assert.equal(first.label, "memo");

    const key = {
      ogContractKey: Uint8Array.of(1),
      currentContractKey: Uint8Array.of(2),
      currentContractKeyProof: Uint8Array.of(3),
    };
    keeper.setContractKey(ctx, contract, key);
    assert.deepStrictEqual(keeper.getContractKey(ctx, contract), key);
    assert.ok(Object.isFrozen(keeper.getContractKey(ctx, contract)));
    assert.equal(keeper.getCodeInfo(ctx, 1n), undefined);
  });
});
