/**
 * Tx building and signing (src/client/tx.ts, msgs/): the spec's real secretjs MsgSend tx is
 * reproduced byte for byte (same hash); messages encode exactly as secretjs's ts-proto encoders do;
 * and a signed bank send is accepted by an in-memory SecretApp (decode, signature, fee, sequence)
 * and moves the coins.
 */
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { describe, it } from "node:test";
import { gunzipSync } from "node:zlib";
import { encodeQueryBalanceRequest, decodeCoinResponse } from "../../src/codec/bank.ts";
import { decodeMsgExecuteContract, decodeMsgStoreCode } from "../../src/codec/compute.ts";
import { decodeTxRaw, decodeAuthInfo, decodeTxBody, encodeTxRaw } from "../../src/codec/tx.ts";
import { fromBase64 } from "../../src/primitives/base64.ts";
import { keyFromMnemonic } from "../../src/client/hd.ts";
import { secp256k1VerifySha256 } from "../../src/crypto/index.ts";
import { decodeAddress, encodeAddress } from "../../src/primitives/bech32.ts";
import { toHex } from "../../src/primitives/hex.ts";
import { isCodedError } from "../../src/primitives/errors.ts";
import { feeForGas, parseGasPrice, signTxDirect, simulationTx, txHash } from "../../src/client/tx.ts";
import { msgSend } from "../../src/client/msgs/bank.ts";
import { msgExecute, msgInstantiate, msgMigrate, msgStoreCode, prepareWasm } from "../../src/client/msgs/compute.ts";
import { msgDelegate, msgUndelegate } from "../../src/client/msgs/staking.ts";
import { msgSubmitProposal, msgVote, parseVoteOption } from "../../src/client/msgs/gov.ts";
import { parseCoinList } from "../../src/client/msgs/coins.ts";
import { addressOf } from "../../src/client/sender.ts";
import { ClientEncryption } from "../../src/client/encryption.ts";
import { CHAIN_ID, blockTime, genesisFor, newApp, type TestKey } from "../helpers/appTx.ts";

const require = createRequire(import.meta.url);
const sjStaking = require("secretjs/dist/protobuf/cosmos/staking/v1beta1/tx.js");
const sjGov = require("secretjs/dist/protobuf/cosmos/gov/v1/tx.js");
const sjCompute = require("secretjs/dist/protobuf/secret/compute/v1beta1/msg.js");
const sjEncode = (
  codec: { encode(m: unknown): { finish(): Uint8Array }; fromPartial(m: unknown): unknown },
  m: unknown,
): string => toHex(codec.encode(codec.fromPartial(m)).finish());

const MNEMONIC_A =
  "grant rice replace explain federal release fix clever romance raise often wild taxi quarter soccer fiber love must tape steak together observe swap guitar";
const A = keyFromMnemonic(MNEMONIC_A);
const A_ADDR = "secret1ap26qrlp8mcq2pg6r47w43l0y8zkqm8a450s03";
const B_ADDR = "secret1fc3fzy78ttp0lwuujw7e52rhspxn8uj52zfyne";
const VALOPER = "secretvaloper1ap26qrlp8mcq2pg6r47w43l0y8zkqm8aynpdzc";

describe("client tx signing", () => {
  it("reproduces secretjs's MsgSend tx of chain-api.md §2.1 (same sign doc; same hash with its signature)", () => {
    assert.equal(addressOf(A.privateKey), A_ADDR);
    const signed = signTxDirect(
      {
        messages: [msgSend(A_ADDR, B_ADDR, parseCoinList("1uscrt"))],
        fee: { amount: parseCoinList("2500uscrt"), gasLimit: 25_000n },
      },
      { chainId: "secretdev-1", accountNumber: 0n, sequence: 0n },
      A.privateKey,
    );
    assert.equal(txHash(signed.txBytes), signed.hash);
    const raw = decodeTxRaw(signed.txBytes);
    assert.ok(secp256k1VerifySha256(raw.signatures[0]!, signed.signBytes, A.publicKey));
    // secretjs signs with a random nonce: its signature from the spec verifies over OUR sign bytes,
    // and our TxRaw carrying it has the spec's hash.
    const secretjsSig = fromBase64(
      "4ltKdxT3OHqAAHDXSqSFiUH2F66d21ZdbxDx0Av3vaRYlp7oopRIuPk5x6BEzeyWJbEWbsytFOeWkaRRZ0QGWg==",
    );
    assert.ok(secp256k1VerifySha256(secretjsSig, signed.signBytes, A.publicKey));
    const withTheirs = encodeTxRaw({
      bodyBytes: raw.bodyBytes,
      authInfoBytes: raw.authInfoBytes,
      signatures: [secretjsSig],
    });
    assert.equal(txHash(withTheirs), "7B4D694620894D239632DC98ACA9F5BC60C201260C5552506E0EA9A2A1BA173B");
    const auth = decodeAuthInfo(raw.authInfoBytes);
    assert.equal(auth.fee?.gasLimit, 25_000n);
    assert.deepEqual(auth.signerInfos[0]?.modeInfo, { kind: "single", mode: 1 });
    // The simulation form has the same body and a zero signature.
    const sim = decodeTxRaw(
      simulationTx(
        {
          messages: [msgSend(A_ADDR, B_ADDR, parseCoinList("1uscrt"))],
          fee: { amount: parseCoinList("2500uscrt"), gasLimit: 25_000n },
        },
        { chainId: "secretdev-1", accountNumber: 0n, sequence: 0n },
        A.publicKey,
      ),
    );
    assert.equal(toHex(sim.bodyBytes), toHex(raw.bodyBytes));
    assert.equal(toHex(sim.signatures[0]!), "00".repeat(64));
  });

  it("refuses empty txs, long memos, missing chain ids", () => {
    const fee = { amount: [], gasLimit: 1n };
    const signer = { chainId: "c", accountNumber: 0n, sequence: 0n };
    assert.throws(
      () => signTxDirect({ messages: [], fee }, signer, A.privateKey),
      (e) => isCodedError(e, "CLIENT_BAD_INPUT"),
    );
    const m = [msgSend(A_ADDR, B_ADDR, parseCoinList("1uscrt"))];
    assert.throws(
      () => signTxDirect({ messages: m, fee, memo: "x".repeat(257) }, signer, A.privateKey),
      (e) => isCodedError(e, "CLIENT_BAD_INPUT"),
    );
    assert.throws(
      () => signTxDirect({ messages: m, fee }, { ...signer, chainId: "" }, A.privateKey),
      (e) => isCodedError(e, "CLIENT_BAD_INPUT"),
    );
  });

  it("computes fees as ceil(gas × price) and parses coins strictly", () => {
    assert.deepEqual(feeForGas(25_000n, parseGasPrice("0.1uscrt")), { denom: "uscrt", amount: 2500n });
    assert.deepEqual(feeForGas(3n, parseGasPrice("0.0125uscrt")), { denom: "uscrt", amount: 1n });
    assert.deepEqual(feeForGas(80_000n, parseGasPrice("0.0125uscrt")), { denom: "uscrt", amount: 1000n });
    assert.throws(
      () => parseGasPrice("-1uscrt"),
      (e) => isCodedError(e, "CLIENT_BAD_INPUT"),
    );
    assert.deepEqual(parseCoinList("5ufoo,10uscrt,3ufoo"), [
      { denom: "ufoo", amount: 8n },
      { denom: "uscrt", amount: 10n },
    ]);
    assert.deepEqual(parseCoinList(""), []);
    for (const bad of ["10", "uscrt", "1.5uscrt", "10 uscrt,", "-1uscrt"]) {
      assert.throws(
        () => parseCoinList(bad),
        (e) => isCodedError(e, "CLIENT_BAD_INPUT"),
        bad,
      );
    }
  });
});

describe("client messages encode as secretjs's", () => {
  it("staking and gov", () => {
    const coin = { denom: "uscrt", amount: 1000n };
    const sjCoin = { denom: "uscrt", amount: "1000" };
    assert.equal(
      toHex(msgDelegate(A_ADDR, VALOPER, coin).value),
      sjEncode(sjStaking.MsgDelegate, { delegator_address: A_ADDR, validator_address: VALOPER, amount: sjCoin }),
    );
    assert.equal(
      toHex(msgUndelegate(A_ADDR, VALOPER, coin).value),
      sjEncode(sjStaking.MsgUndelegate, { delegator_address: A_ADDR, validator_address: VALOPER, amount: sjCoin }),
    );
    assert.equal(msgDelegate(A_ADDR, VALOPER, coin).typeUrl, "/cosmos.staking.v1beta1.MsgDelegate");
    assert.equal(
      toHex(
        msgSubmitProposal({
          proposer: A_ADDR,
          title: "T",
          summary: "S",
          metadata: "M",
          deposit: [coin],
          expedited: true,
        }).value,
      ),
      sjEncode(sjGov.MsgSubmitProposal, {
        messages: [],
        initial_deposit: [sjCoin],
        proposer: A_ADDR,
        metadata: "M",
        title: "T",
        summary: "S",
        expedited: true,
      }),
    );
    assert.equal(
      toHex(msgVote(A_ADDR, 7n, parseVoteOption("no_with_veto")).value),
      sjEncode(sjGov.MsgVote, { proposal_id: "7", voter: A_ADDR, option: 4, metadata: "" }),
    );
    assert.throws(
      () => parseVoteOption("maybe"),
      (e) => isCodedError(e, "CLIENT_BAD_INPUT"),
    );
    assert.throws(
      () => msgDelegate(A_ADDR, B_ADDR, coin),
      (e) => isCodedError(e, "CLIENT_BAD_INPUT"),
    );
    assert.throws(
      () => msgSubmitProposal({ proposer: A_ADDR, title: "", summary: "S", metadata: "", deposit: [] }),
      (e) => isCodedError(e, "CLIENT_BAD_INPUT"),
    );
  });

  it("compute", () => {
    const envelope = Uint8Array.from({ length: 100 }, (_, i) => i);
    const funds = [{ denom: "uscrt", amount: 5n }];
    assert.equal(
      toHex(msgExecute(A_ADDR, B_ADDR, envelope, funds).value),
      sjEncode(sjCompute.MsgExecuteContract, {
        sender: A.address,
        contract: decodeAddress(B_ADDR),
        msg: envelope,
        callback_code_hash: "",
        sent_funds: [{ denom: "uscrt", amount: "5" }],
        callback_sig: new Uint8Array(0),
      }),
    );
    assert.equal(
      toHex(msgInstantiate({ sender: A_ADDR, codeId: 3n, label: "l", initMsg: envelope, admin: B_ADDR }).value),
      sjEncode(sjCompute.MsgInstantiateContract, {
        sender: A.address,
        callback_code_hash: "",
        code_id: "3",
        label: "l",
        init_msg: envelope,
        init_funds: [],
        callback_sig: new Uint8Array(0),
        admin: B_ADDR,
      }),
    );
    assert.equal(
      toHex(msgMigrate(A_ADDR, B_ADDR, 4n, envelope).value),
      sjEncode(sjCompute.MsgMigrateContract, {
        sender: A_ADDR,
        contract: B_ADDR,
        code_id: "4",
        msg: envelope,
        callback_sig: new Uint8Array(0),
        callback_code_hash: "",
      }),
    );
    // Raw wasm is gzipped; gzip is kept; anything else is refused.
    const wasm = Uint8Array.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
    const stored = decodeMsgStoreCode(msgStoreCode(A_ADDR, wasm, "https://x.example/c.tgz", "").value);
    assert.equal(toHex(gunzipSync(stored.wasmByteCode)), toHex(wasm));
    assert.equal(stored.source, "https://x.example/c.tgz");
    assert.equal(toHex(prepareWasm(stored.wasmByteCode)), toHex(stored.wasmByteCode));
    assert.throws(
      () => prepareWasm(Uint8Array.from([1, 2, 3, 4])),
      (e) => isCodedError(e, "CLIENT_BAD_INPUT"),
    );
    assert.throws(
      () => msgInstantiate({ sender: A_ADDR, codeId: 0n, label: "l", initMsg: envelope }),
      (e) => isCodedError(e, "CLIENT_BAD_INPUT"),
    );
    assert.throws(
      () => msgExecute(A_ADDR, "secret1notanaddress", envelope),
      (e) => isCodedError(e, "CLIENT_BAD_INPUT"),
    );
    assert.equal(decodeMsgExecuteContract(msgExecute(A_ADDR, B_ADDR, envelope).value).msg.length, 100);
  });
});

describe("a client-signed bank send in an in-memory SecretApp", () => {
  it("is accepted (decode, signature, fee, sequence) and moves the coins; a replay is refused", () => {
    const key: TestKey = {
      sk: A.privateKey,
      pubKey: A.publicKey,
      address: A.address,
      bech32: encodeAddress(A.address),
    };
    const app = newApp();
    app.initChain(genesisFor([{ key, coins: [{ denom: "uscrt", amount: "1000000" }] }]));
    const balance = (address: string): bigint => {
      const r = app.query("/cosmos.bank.v1beta1.Query/Balance", encodeQueryBalanceRequest({ address, denom: "uscrt" }));
      return BigInt(decodeCoinResponse(r.value)?.amount ?? "0");
    };
    const tx = signTxDirect(
      {
        messages: [msgSend(A_ADDR, B_ADDR, parseCoinList("1234uscrt"))],
        fee: { amount: parseCoinList("2500uscrt"), gasLimit: 100_000n },
        memo: "from the client",
      },
      { chainId: CHAIN_ID, accountNumber: 0n, sequence: 0n },
      A.privateKey,
    );
    assert.equal(decodeTxBody(decodeTxRaw(tx.txBytes).bodyBytes).memo, "from the client");
    assert.equal(app.checkTx(tx.txBytes).code, 0, app.checkTx(tx.txBytes).log);
    const res = app.finalizeBlock({ height: 1, timeNanos: blockTime(1), txs: [tx.txBytes, tx.txBytes] });
    app.commit();
    assert.equal(res.txResults[0]!.code, 0, res.txResults[0]!.log);
    assert.equal(res.txResults[1]!.code, 32, "the replayed tx fails the sequence check");
    assert.equal(balance(B_ADDR), 1234n);
    assert.equal(balance(A_ADDR), 1_000_000n - 1234n - 2500n);
    // Signed for another chain id: refused by the signature check.
    const wrongChain = signTxDirect(
      {
        messages: [msgSend(A_ADDR, B_ADDR, parseCoinList("1uscrt"))],
        fee: { amount: parseCoinList("2500uscrt"), gasLimit: 100_000n },
      },
      { chainId: "other-1", accountNumber: 0n, sequence: 1n },
      A.privateKey,
    );
    assert.equal(app.checkTx(wrongChain.txBytes).code, 4);
  });
});

describe("client-signed compute txs pass the app's CheckTx (decode, stateless checks, fee, sequence, signature)", () => {
  it("store, instantiate, execute, migrate; a forged signature is refused", () => {
    const key: TestKey = { sk: A.privateKey, pubKey: A.publicKey, address: A.address, bech32: A_ADDR };
    // CheckTx runs only the ante handler, so the enclave is never called: a stub routes the messages.
    const app = newApp(undefined, { enclave: {} as never });
    app.initChain(genesisFor([{ key, coins: [{ denom: "uscrt", amount: "100000000" }] }]));
    const enc = new ClientEncryption(
      Uint8Array.from({ length: 32 }, (_, i) => i),
      Uint8Array.from({ length: 32 }, (_, i) => 100 + i),
    );
    const envelope = enc.encrypt("ab".repeat(32), { increment: {} });
    const wasm = Uint8Array.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
    const messages = [
      msgStoreCode(A_ADDR, wasm),
      msgInstantiate({
        sender: A_ADDR,
        codeId: 1n,
        label: "counter",
        initMsg: envelope,
        funds: parseCoinList("1uscrt"),
      }),
      msgExecute(A_ADDR, B_ADDR, envelope),
      msgMigrate(A_ADDR, B_ADDR, 2n, envelope),
    ];
    messages.forEach((m, i) => {
      const signed = signTxDirect(
        { messages: [m], fee: { amount: parseCoinList("50000uscrt"), gasLimit: 400_000n } },
        { chainId: CHAIN_ID, accountNumber: 0n, sequence: BigInt(i) },
        A.privateKey,
      );
      const r = app.checkTx(signed.txBytes);
      assert.equal(r.code, 0, `${m.typeUrl}: ${r.log}`);
    });
    const next = signTxDirect(
      { messages: [messages[2]!], fee: { amount: parseCoinList("50000uscrt"), gasLimit: 400_000n } },
      { chainId: CHAIN_ID, accountNumber: 0n, sequence: 4n },
      A.privateKey,
    );
    const raw = decodeTxRaw(next.txBytes);
    const forged = Uint8Array.from(raw.signatures[0]!);
    forged[5]! ^= 1;
    const r = app.checkTx(encodeTxRaw({ ...raw, signatures: [forged] }));
    assert.equal(r.code, 4, r.log);
  });
});
