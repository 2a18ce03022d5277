/**
 * chain-api.md vectors through the app: the MsgSend of §2.1 signed by the real secretjs 1.22.1 wallet
 * (mnemonic `a`, account 0, sequence 0, `secretdev-1`, gas 25 000, fee 2500uscrt) is accepted, has the
 * documented tx hash and signature, emits exactly the 12 events of §5.4 and returns §3.5's TxMsgData.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BANK_URLS, encodeMsgSend } from "../../src/codec/bank.ts";
import { SignMode, encodeAuthInfo, encodeTxBody, encodeTxRaw } from "../../src/codec/tx.ts";
import { sha256 } from "../../src/crypto/index.ts";
import { fromBase64 } from "../../src/primitives/base64.ts";
import { toHex } from "../../src/primitives/hex.ts";
import { MNEMONICS, Wallet, secp256k1Any } from "../helpers/secretjsTx.ts";
import { blockTime, newApp } from "../helpers/appTx.ts";

const FEE_COLLECTOR = "secret17xpfvakm2amg962yls6f84z3kell8c5ljuhfkp";

describe("app vectors: chain-api.md §2.1, §3.5, §5.4", () => {
  it("a secretjs-signed MsgSend a → b: tx hash, signature, events and data as documented", async () => {
    const a = new Wallet(MNEMONICS.a);
    const b = new Wallet(MNEMONICS.b);
    assert.equal(a.address, "secret1ap26qrlp8mcq2pg6r47w43l0y8zkqm8a450s03");
    const bodyBytes = encodeTxBody({
      messages: [
        {
          typeUrl: BANK_URLS.MsgSend,
          value: encodeMsgSend({
            fromAddress: a.address,
            toAddress: b.address,
            amount: [{ denom: "uscrt", amount: "1" }],
          }),
        },
      ],
    });
    const authInfoBytes = encodeAuthInfo({
      signerInfos: [
        { publicKey: secp256k1Any(a.publicKey), modeInfo: { kind: "single", mode: SignMode.DIRECT }, sequence: 0n },
      ],
      fee: { amount: [{ denom: "uscrt", amount: "2500" }], gasLimit: 25_000n, payer: "", granter: "" },
    });
    const signed = await a.signDirect(a.address, {
      bodyBytes,
      authInfoBytes,
      chainId: "secretdev-1",
      accountNumber: 0n,
    });
    // secretjs signs with a random nonce (its signature differs per run); the spec's signature is one
    // such signature over the same document, so the spec's tx is rebuilt with it.
    const walletTx = encodeTxRaw({ bodyBytes, authInfoBytes, signatures: [fromBase64(signed.signature.signature)] });
    const sigB64 = "4ltKdxT3OHqAAHDXSqSFiUH2F66d21ZdbxDx0Av3vaRYlp7oopRIuPk5x6BEzeyWJbEWbsytFOeWkaRRZ0QGWg==";
    const txBytes = encodeTxRaw({ bodyBytes, authInfoBytes, signatures: [fromBase64(sigB64)] });
    assert.equal(
      toHex(sha256(txBytes)).toUpperCase(),
      "7B4D694620894D239632DC98ACA9F5BC60C201260C5552506E0EA9A2A1BA173B",
    );

    const app = newApp();
    app.initChain({
      chainId: "secretdev-1",
      appState: {
        auth: {
          accounts: [
            {
              "@type": "/cosmos.auth.v1beta1.BaseAccount",
              address: a.address,
              pub_key: null,
              account_number: "0",
              sequence: "0",
            },
            {
              "@type": "/cosmos.auth.v1beta1.BaseAccount",
              address: b.address,
              pub_key: null,
              account_number: "1",
              sequence: "0",
            },
          ],
        },
        bank: { balances: [{ address: a.address, coins: [{ denom: "uscrt", amount: "1000000000" }] }] },
      },
    });
    app.finalizeBlock({ height: 1, timeNanos: blockTime(1), txs: [] });
    app.commit();
    const check = app.checkTx(walletTx);
    assert.equal(check.code, 0, `CheckTx accepts the tx just signed by secretjs: ${check.log}`);
    assert.equal(app.checkTx(txBytes).code, 32, "the same tx again (other signature) is a replay in the mempool");
    const [r] = app.finalizeBlock({ height: 2, timeNanos: blockTime(2), txs: [txBytes] }).txResults;
    app.commit();
    assert.equal(r!.code, 0, r!.log);
    assert.equal(r!.log, "");
    assert.equal(r!.codespace, "");
    assert.equal(
      toHex(r!.data).toUpperCase(),
      "12260A242F636F736D6F732E62616E6B2E763162657461312E4D736753656E64526573706F6E7365",
    );
    const A = a.address;
    const B = b.address;
    const expected: Array<[string, Array<[string, string]>]> = [
      [
        "coin_spent",
        [
          ["spender", A],
          ["amount", "2500uscrt"],
        ],
      ],
      [
        "coin_received",
        [
          ["receiver", FEE_COLLECTOR],
          ["amount", "2500uscrt"],
        ],
      ],
      [
        "transfer",
        [
          ["recipient", FEE_COLLECTOR],
          ["sender", A],
          ["amount", "2500uscrt"],
        ],
      ],
      ["message", [["sender", A]]],
      [
        "tx",
        [
          ["fee", "2500uscrt"],
          ["fee_payer", A],
        ],
      ],
      ["tx", [["acc_seq", `${A}/0`]]],
      ["tx", [["signature", sigB64]]],
      [
        "message",
        [
          ["action", "/cosmos.bank.v1beta1.MsgSend"],
          ["sender", A],
          ["module", "bank"],
          ["msg_index", "0"],
        ],
      ],
      [
        "coin_spent",
        [
          ["spender", A],
          ["amount", "1uscrt"],
          ["msg_index", "0"],
        ],
      ],
      [
        "coin_received",
        [
          ["receiver", B],
          ["amount", "1uscrt"],
          ["msg_index", "0"],
        ],
      ],
      [
        "transfer",
        [
          ["recipient", B],
          ["sender", A],
          ["amount", "1uscrt"],
          ["msg_index", "0"],
        ],
      ],
      [
        "message",
        [
          ["sender", A],
          ["msg_index", "0"],
        ],
      ],
    ];
    assert.deepEqual(
      r!.events,
      expected.map(([type, attrs]) => ({
        type,
        attributes: attrs.map(([key, value]) => ({ key, value, index: true })),
      })),
    );
    assert.equal(B, "secret1fc3fzy78ttp0lwuujw7e52rhspxn8uj52zfyne");
  });
});
