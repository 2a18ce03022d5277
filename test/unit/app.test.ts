/** The app: tx pipeline (§2.5 codes and texts), bank messages, events, state branches, queries, genesis. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { moduleAddress, type SecretApp, type TxResult } from "../../src/app/index.ts";
import {
  decodeQueryAccountResponse,
  decodeBaseAccount,
  encodeQueryAccountRequest,
  decodeModuleAccount,
} from "../../src/codec/auth.ts";
import {
  decodeCoinResponse,
  decodeCoinsResponse,
  encodeQueryAllBalancesRequest,
  encodeQueryBalanceRequest,
} from "../../src/codec/bank.ts";
import { decodeSimulateResponseGas, decodeTxMsgData } from "../../src/codec/abci.ts";
import { ProtoWriter } from "../../src/codec/protobuf.ts";
import { SignMode, encodeAuthInfo, encodeTxBody, encodeTxRaw, decodeTxRaw } from "../../src/codec/tx.ts";
import { MULTISIG_PUBKEY_URL, encodeLegacyAminoPubKey, encodeMultiSignature } from "../../src/codec/keys.ts";
import { keccak256, secp256k1Sign, sha256 } from "../../src/crypto/index.ts";
import { concatBytes } from "../../src/primitives/bytes.ts";
import { indentJson, sortedJson } from "../../src/app/signing.ts";
import { SignatureCache } from "../../src/app/sigCache.ts";
import { encodeAddress } from "../../src/primitives/bech32.ts";
import { toHex } from "../../src/primitives/hex.ts";
import { COMPUTE_URLS, encodeMsgExecuteContract } from "../../src/codec/compute.ts";
import {
  CHAIN_ID,
  blockTime,
  genesisFor,
  multiSendMsg,
  newApp,
  pubKeyAny,
  sendMsg,
  signTx,
  testKey,
  type TestKey,
  type TxOptions,
} from "../helpers/appTx.ts";

const alice = testKey("alice");
const bob = testKey("bob");
const carol = testKey("carol");
const poor = testKey("poor");
const FEE_COLLECTOR = encodeAddress(moduleAddress("fee_collector"));

function freshApp(): SecretApp {
  const app = newApp();
  app.initChain(
    genesisFor([
      { key: alice, coins: [{ denom: "uscrt", amount: "1000000" }] },
      {
        key: bob,
        coins: [
          { denom: "ufoo", amount: "7" },
          { denom: "uscrt", amount: "500000" },
        ],
      },
      { key: poor, coins: [{ denom: "uscrt", amount: "100" }] },
    ]),
  );
  return app;
}

let height = 0;
function block(app: SecretApp, txs: Uint8Array[]): TxResult[] {
  const h = app.lastHeight + 1;
  height = h;
  const res = app.finalizeBlock({ height: h, timeNanos: blockTime(h), txs });
  app.commit();
  return [...res.txResults];
}

function balance(app: SecretApp, who: TestKey | string, denom = "uscrt"): bigint {
  const address = typeof who === "string" ? who : who.bech32;
  const r = app.query("/cosmos.bank.v1beta1.Query/Balance", encodeQueryBalanceRequest({ address, denom }));
  assert.equal(r.code, 0, r.log);
  return BigInt(decodeCoinResponse(r.value)!.amount);
}

function account(
  app: SecretApp,
  who: TestKey | string,
): { accountNumber: bigint; sequence: bigint; hasKey: boolean } | undefined {
  const address = typeof who === "string" ? who : who.bech32;
  const r = app.query("/cosmos.auth.v1beta1.Query/Account", encodeQueryAccountRequest({ address }));
  if (r.code === 22) return undefined;
  assert.equal(r.code, 0, r.log);
  const any = decodeQueryAccountResponse(r.value);
  const base = any.typeUrl.endsWith("ModuleAccount")
    ? decodeModuleAccount(any.value).baseAccount
    : decodeBaseAccount(any.value);
  return { accountNumber: base.accountNumber, sequence: base.sequence, hasKey: base.pubKey !== undefined };
}

const send = (o: Partial<TxOptions> & { amount?: string; to?: string } = {}): Uint8Array =>
  signTx({
    messages: [sendMsg((o.signer ?? alice).bech32, o.to ?? bob.bech32, [{ denom: "uscrt", amount: o.amount ?? "1" }])],
    signer: alice,
    accountNumber: 0n,
    sequence: 0n,
    ...o,
  });

const pairs = (r: TxResult): string[][] =>
  r.events.map((e) => [e.type, ...e.attributes.map((a) => `${a.key}=${a.value}`)]);

describe("app: a MsgSend end to end", () => {
  it("moves coins, pays the whole fee, bumps the sequence, sets the key, emits §5.1 events and TxMsgData", () => {
    const app = freshApp();
    const [r] = block(app, [send({ amount: "5" })]);
    assert.equal(r!.code, 0, r!.log);
    assert.equal(r!.log, "");
    assert.equal(r!.gasWanted, 25_000n);
    assert.ok(r!.gasUsed > 0n && r!.gasUsed < 25_000n, `gas used ${r!.gasUsed}`);
    assert.equal(balance(app, alice), 1_000_000n - 5n - 2500n);
    assert.equal(balance(app, bob), 500_005n);
    assert.equal(balance(app, FEE_COLLECTOR), 2500n);
    assert.deepEqual(account(app, alice), { accountNumber: 0n, sequence: 1n, hasKey: true });
    const sig = toHex(decodeTxRaw(send({ amount: "5" })).signatures[0]!);
    assert.ok(sig.length === 128);
    assert.deepEqual(
      pairs(r!).map((p) => p[0]),
      [
        "coin_spent",
        "coin_received",
        "transfer",
        "message",
        "tx",
        "tx",
        "tx",
        "message",
        "coin_spent",
        "coin_received",
        "transfer",
        "message",
      ],
    );
    assert.deepEqual(pairs(r!)[7], [
      "message",
      "action=/cosmos.bank.v1beta1.MsgSend",
      `sender=${alice.bech32}`,
      "module=bank",
      "msg_index=0",
    ]);
    assert.deepEqual(pairs(r!)[10], [
      "transfer",
      `recipient=${bob.bech32}`,
      `sender=${alice.bech32}`,
      "amount=5uscrt",
      "msg_index=0",
    ]);
    assert.deepEqual(pairs(r!)[4], ["tx", "fee=2500uscrt", `fee_payer=${alice.bech32}`]);
    assert.deepEqual(pairs(r!)[5], ["tx", `acc_seq=${alice.bech32}/0`]);
    assert.equal(
      toHex(r!.data).toUpperCase(),
      "12260A242F636F736D6F732E62616E6B2E763162657461312E4D736753656E64526573706F6E7365",
    );
    assert.equal(decodeTxMsgData(r!.data).msgResponses[0]!.typeUrl, "/cosmos.bank.v1beta1.MsgSendResponse");
  });

  it("creates the recipient's account with the next global account number", () => {
    const app = freshApp();
    assert.equal(account(app, carol), undefined);
    const [r] = block(app, [send({ to: carol.bech32 })]);
    assert.equal(r!.code, 0, r!.log);
    const modules = 6;
    assert.deepEqual(account(app, carol), { accountNumber: BigInt(3 + modules), sequence: 0n, hasKey: false });
  });

  it("a failed message keeps the ante effects (fee, sequence) and only the ante events", () => {
    const app = freshApp();
    const [r] = block(app, [send({ amount: "999999999" })]);
    assert.equal(r!.code, 5);
    assert.equal(r!.codespace, "sdk");
    assert.equal(
      r!.log,
      "failed to execute message; message index: 0: spendable balance 997500uscrt is smaller than 999999999uscrt: insufficient funds",
    );
    assert.equal(r!.data.length, 0);
    assert.equal(balance(app, alice), 1_000_000n - 2500n);
    assert.equal(account(app, alice)!.sequence, 1n);
    assert.ok(r!.events.every((e) => e.attributes.every((a) => a.key !== "msg_index")));
    assert.equal(r!.events.length, 7);
  });

  it("refuses sends to module accounts (sdk 4)", () => {
    const app = freshApp();
    const [r] = block(app, [send({ to: FEE_COLLECTOR })]);
    assert.equal(r!.code, 4);
    assert.equal(
      r!.log,
      `failed to execute message; message index: 0: ${FEE_COLLECTOR} is not allowed to receive funds: unauthorized`,
    );
  });

  it("MultiSend: one input, outputs summing to it; bank codes otherwise", () => {
    const app = freshApp();
    const coin = (a: string) => [{ denom: "uscrt", amount: a }];
    const ok = signTx({
      messages: [
        multiSendMsg({
          inputs: [{ address: alice.bech32, coins: coin("30") }],
          outputs: [
            { address: bob.bech32, coins: coin("10") },
            { address: carol.bech32, coins: coin("20") },
          ],
        }),
      ],
      signer: alice,
      accountNumber: 0n,
      sequence: 0n,
    });
    const mismatch = signTx({
      messages: [
        multiSendMsg({
          inputs: [{ address: alice.bech32, coins: coin("30") }],
          outputs: [{ address: bob.bech32, coins: coin("10") }],
        }),
      ],
      signer: alice,
      accountNumber: 0n,
      sequence: 1n,
    });
    const noOutputs = signTx({
      messages: [multiSendMsg({ inputs: [{ address: alice.bech32, coins: coin("30") }], outputs: [] })],
      signer: alice,
      accountNumber: 0n,
      sequence: 2n,
    });
    const [a, b, c] = block(app, [ok, mismatch, noOutputs]);
    assert.equal(a!.code, 0, a!.log);
    assert.deepEqual(
      pairs(a!)
        .slice(7)
        .map((p) => p[0]),
      ["message", "coin_spent", "message", "coin_received", "transfer", "coin_received", "transfer"],
    );
    assert.equal(balance(app, carol), 20n);
    assert.deepEqual(
      [b!.codespace, b!.code, b!.log],
      ["bank", 4, "failed to execute message; message index: 0: sum inputs != sum outputs"],
    );
    assert.deepEqual([c!.codespace, c!.code], ["bank", 3]);
  });
});

describe("app: admission checks reject bad txs with upstream's codes and change nothing", () => {
  const cases: Array<[string, () => Uint8Array, number, string | RegExp]> = [
    ["malformed bytes", () => Uint8Array.of(0x0a, 0xff, 0x01), 2, /tx parse error$/],
    [
      "unknown message type",
      () =>
        signTx({
          messages: [{ typeUrl: "/foo.Bar", value: new Uint8Array(0) }],
          signer: alice,
          accountNumber: 0n,
          sequence: 0n,
        }),
      2,
      "unable to resolve type URL /foo.Bar: tx parse error",
    ],
    [
      "no messages",
      () => signTx({ messages: [], signer: alice, accountNumber: 0n, sequence: 0n }),
      18,
      "must contain at least one message: invalid request",
    ],
    [
      "a known message without a handler",
      () =>
        signTx({
          messages: [
            {
              typeUrl: COMPUTE_URLS.execute,
              value: encodeMsgExecuteContract({
                sender: alice.address,
                contract: bob.address,
                msg: new Uint8Array(1),
                callbackCodeHash: "",
                sentFunds: [],
                callbackSig: new Uint8Array(0),
              }),
            },
          ],
          signer: alice,
          accountNumber: 0n,
          sequence: 0n,
        }),
      6,
      /^no message handler found for \/secret\.compute\.v1beta1\.MsgExecuteContract: unknown request$/,
    ],
    [
      "an invalid sender address",
      () => send({ messages: [sendMsg("secret1xyz", bob.bech32, [{ denom: "uscrt", amount: "1" }])] }),
      7,
      /^invalid from address: .*: invalid address$/,
    ],
    [
      "extension options",
      () => send({ extensionOptions: [{ typeUrl: "/x.Y", value: new Uint8Array(0) }] }),
      31,
      "unknown extension options",
    ],
    [
      "no signatures",
      () => {
        const t = decodeTxRaw(send());
        return encodeTxRaw({ ...t, signatures: [] });
      },
      15,
      "no signatures supplied",
    ],
    [
      "timeout height passed",
      () => send({ timeoutHeight: 1n }),
      30,
      /^block height: \d+, timeout height: 1: tx timeout height$/,
    ],
    [
      "memo too long",
      () => send({ memo: "x".repeat(257) }),
      12,
      "maximum number of characters is 256 but received 257 characters: memo too large",
    ],
    // Upstream reads the auth params through the metered store before the fee decorator's positive-gas
    // check, so a zero gas limit runs out of gas at the first read (as it does here).
    [
      "zero gas",
      () => send({ gas: 0n }),
      11,
      "out of gas in location: ReadFlat; gasWanted: 0, gasUsed: 100: out of gas",
    ],
    [
      "fee above the balance",
      () => send({ signer: poor, accountNumber: 2n }),
      5,
      "spendable balance 100uscrt is smaller than 2500uscrt: insufficient funds: insufficient funds",
    ],
    [
      "fee payer without account",
      () => send({ signer: carol }),
      9,
      `fee payer address: ${carol.bech32} does not exist: unknown address`,
    ],
    [
      "a key of another address",
      () =>
        signTx({
          messages: [sendMsg(alice.bech32, bob.bech32, [{ denom: "uscrt", amount: "1" }])],
          signer: bob,
          accountNumber: 0n,
          sequence: 0n,
        }),
      8,
      `pubKey does not match signer address ${alice.bech32} with signer index: 0: invalid pubkey`,
    ],
    [
      "a replayed (wrong) sequence",
      () => send({ sequence: 5n }),
      32,
      "account sequence mismatch, expected 0, got 5: incorrect account sequence",
    ],
    [
      "a wrong account number",
      () => send({ accountNumber: 9n }),
      4,
      `signature verification failed; please verify account number (0) and chain-id (${CHAIN_ID}): (unable to verify single signer signature): unauthorized`,
    ],
    [
      "a wrong chain id",
      () => send({ chainId: "other-1" }),
      4,
      /^signature verification failed; please verify account number \(0\) and chain-id \(secretdev-1\)/,
    ],
    [
      "a tampered signature",
      () => {
        const t = decodeTxRaw(send());
        const s = t.signatures[0]!.slice();
        s[10]! ^= 1;
        return encodeTxRaw({ ...t, signatures: [s] });
      },
      4,
      /unauthorized$/,
    ],
    [
      "an unsupported sign mode",
      () => send({ signMode: SignMode.TEXTUAL }),
      4,
      /\(unsupported sign mode 2\): unauthorized$/,
    ],
    [
      "out of gas",
      () => send({ gas: 1000n }),
      11,
      /^out of gas in location: txSize; gasWanted: 1000, gasUsed: \d+: out of gas$/,
    ],
  ];

  for (const [name, make, code, text] of cases) {
    it(`${name} → sdk ${code}`, () => {
      const app = freshApp();
      const reference = freshApp();
      for (let i = 0; i < 2; i++) {
        block(app, []);
        block(reference, []);
      }
      const tx = make();
      const check = app.checkTx(tx);
      assert.equal(check.code, code, `CheckTx: ${check.log}`);
      const [r] = block(app, [tx]);
      block(reference, []);
      assert.equal(r!.code, code, r!.log);
      assert.equal(r!.codespace, "sdk");
      if (typeof text === "string") assert.equal(r!.log, text);
      else assert.match(r!.log, text);
      assert.deepEqual(r!.events, []);
      assert.equal(r!.data.length, 0);
      assert.equal(toHex(app.lastAppHash), toHex(reference.lastAppHash), "state changed");
    });
  }

  it("a gas limit above the block's max gas → sdk 41", () => {
    const app = newApp(undefined, { maxBlockGas: 20_000n });
    app.initChain(genesisFor([{ key: alice, coins: [{ denom: "uscrt", amount: "1000000" }] }]));
    const [r] = block(app, [send()]);
    assert.equal(r!.code, 41);
    assert.equal(r!.log, "tx gas limit 25000 exceeds block max gas 20000: invalid gas limit");
  });

  it("CheckTx enforces the min gas price (sdk 13); DeliverTx does not", () => {
    const app = freshApp();
    block(app, []);
    const tx = send({ fee: [{ denom: "uscrt", amount: "312" }] });
    const r = app.checkTx(tx);
    assert.equal(r.code, 13);
    assert.equal(r.log, "insufficient fees; got: 312uscrt required: 313uscrt: insufficient fee");
    assert.equal(app.checkTx(send({ fee: [] })).log, "insufficient fees; got:  required: 313uscrt: insufficient fee");
    assert.equal(block(app, [tx])[0]!.code, 0);
  });

  it("a fee of zero amounts is not deducted (DeliverTx) and has no fee transfer events", () => {
    const app = freshApp();
    const [r] = block(app, [send({ fee: [{ denom: "uscrt", amount: "0" }] })]);
    assert.equal(r!.code, 0, r!.log);
    assert.deepEqual(pairs(r!)[0], ["tx", "fee=0uscrt", `fee_payer=${alice.bech32}`]);
    assert.equal(balance(app, alice), 1_000_000n - 1n);
  });

  it("CheckTx advances the sequence across pending txs and resets at commit", () => {
    const app = freshApp();
    block(app, []);
    assert.equal(app.checkTx(send({ sequence: 0n })).code, 0);
    assert.equal(app.checkTx(send({ sequence: 0n })).code, 32);
    assert.equal(app.checkTx(send({ sequence: 1n })).code, 0);
    block(app, []);
    assert.equal(app.checkTx(send({ sequence: 0n })).code, 0, "state after commit is the committed one");
    assert.equal(account(app, alice)!.sequence, 0n, "CheckTx never reaches committed state");
  });
});

describe("app: simulate, queries, amino signing, genesis", () => {
  it("simulate runs the messages, reports gas and changes nothing", () => {
    const app = freshApp();
    block(app, []);
    const hash = toHex(app.lastAppHash);
    const tx = send({ gas: 0n, fee: [] });
    const sim = app.simulate(tx);
    assert.equal(sim.code, 0, sim.log);
    assert.ok(sim.gasUsed > 1000n);
    assert.equal(sim.msgResponses[0]!.typeUrl, "/cosmos.bank.v1beta1.MsgSendResponse");
    const wrongSig = decodeTxRaw(tx);
    assert.equal(
      app.simulate(encodeTxRaw({ ...wrongSig, signatures: [new Uint8Array(0)] })).code,
      0,
      "no signature check",
    );
    const viaQuery = app.query("/cosmos.tx.v1beta1.Service/Simulate", new ProtoWriter().bytes(2, tx).finish());
    assert.equal(viaQuery.code, 0, viaQuery.log);
    assert.equal(decodeSimulateResponseGas(viaQuery.value).gasUsed, sim.gasUsed);
    const bad = app.query(
      "/cosmos.tx.v1beta1.Service/Simulate",
      new ProtoWriter().bytes(2, send({ sequence: 7n })).finish(),
    );
    assert.equal(bad.code, 6);
    assert.match(
      bad.log,
      /^account sequence mismatch, expected 0, got 7: incorrect account sequence With gas wanted: '25000' and gas used: '\d+' : unknown request$/,
    );
    block(app, []);
    assert.equal(balance(app, bob), 500_000n);
    assert.notEqual(toHex(app.lastAppHash), "");
    void hash;
  });

  it("accepts SIGN_MODE_LEGACY_AMINO_JSON for bank messages", () => {
    const app = freshApp();
    block(app, []);
    const amount = [{ denom: "uscrt", amount: "3" }];
    const opts: TxOptions = {
      messages: [sendMsg(alice.bech32, bob.bech32, amount)],
      signer: alice,
      accountNumber: 0n,
      sequence: 0n,
      signMode: SignMode.LEGACY_AMINO_JSON,
    };
    const amino = [
      {
        type: "cosmos-sdk/MsgSend",
        value: { amount: [{ amount: "3", denom: "uscrt" }], from_address: alice.bech32, to_address: bob.bech32 },
      },
    ];
    const bad = signTx({ ...opts, sequence: 0n }, [{ ...amino[0], type: "cosmos-sdk/MsgMultiSend" }]);
    const [b] = block(app, [bad]);
    assert.equal(b!.code, 4);
    assert.equal(
      b!.log,
      `signature verification failed; please verify account number (0), sequence (0) and chain-id (${CHAIN_ID}): unauthorized`,
    );
    const [r] = block(app, [signTx(opts, amino)]);
    assert.equal(r!.code, 0, r!.log);
    assert.equal(balance(app, bob), 500_003n);
  });

  it("answers balance, all balances, supply, params, account (NotFound → 22) and store queries with proofs", () => {
    const app = freshApp();
    block(app, [send({ amount: "5" })]);
    const all = app.query(
      "/cosmos.bank.v1beta1.Query/AllBalances",
      encodeQueryAllBalancesRequest({ address: bob.bech32 }),
    );
    assert.deepEqual(decodeCoinsResponse(all.value), [
      { denom: "ufoo", amount: "7" },
      { denom: "uscrt", amount: "500005" },
    ]);
    const supply = app.query("/cosmos.bank.v1beta1.Query/TotalSupply", new Uint8Array(0));
    assert.deepEqual(decodeCoinsResponse(supply.value), [
      { denom: "ufoo", amount: "7" },
      { denom: "uscrt", amount: "1500100" },
    ]);
    const missing = app.query(
      "/cosmos.auth.v1beta1.Query/Account",
      encodeQueryAccountRequest({ address: carol.bech32 }),
    );
    assert.equal(missing.code, 22);
    assert.equal(missing.log, `rpc error: code = NotFound desc = account ${carol.bech32} not found: key not found`);
    assert.equal(app.query("/cosmos.auth.v1beta1.Query/Params", new Uint8Array(0)).code, 0);
    assert.equal(app.query("/nope", new Uint8Array(0)).code, 6);
    assert.equal(
      app.query(
        "/cosmos.bank.v1beta1.Query/Balance",
        encodeQueryBalanceRequest({ address: alice.bech32, denom: "uscrt" }),
        99,
      ).code,
      26,
    );
    const key = Uint8Array.of(0x01, ...alice.address);
    const stored = app.query("/store/acc/key", key, 0, true);
    assert.equal(stored.code, 0);
    assert.ok(stored.value.length > 0 && stored.proofOps?.length === 2);
    // Queries at an older height see the older state.
    block(app, [send({ amount: "5", sequence: 1n })]);
    const old = app.query(
      "/cosmos.bank.v1beta1.Query/Balance",
      encodeQueryBalanceRequest({ address: bob.bech32, denom: "uscrt" }),
      1,
    );
    assert.equal(decodeCoinResponse(old.value)!.amount, "500005");
    assert.equal(balance(app, bob), 500_010n);
  });

  it("genesis round-trips: init, export, init the export, export again: equal", () => {
    const app = freshApp();
    block(app, [send({ amount: "5", to: carol.bech32 })]);
    const exported = app.exportGenesis();
    const copy = newApp();
    copy.initChain({ chainId: CHAIN_ID, appState: exported });
    // Compared before any block: each block now mints (the mint module's begin block changes the minter).
    assert.deepEqual(copy.exportGenesis(), exported);
    const accounts = (exported.auth.accounts as Array<Record<string, unknown>>).length;
    assert.equal(accounts, 3 + 6 + 1);
    assert.deepEqual((exported.bank.supply as unknown[]).length, 2);
  });

  it("refuses invalid genesis: wrong supply, duplicate accounts", () => {
    const g = genesisFor([{ key: alice, coins: [{ denom: "uscrt", amount: "10" }] }]);
    const state = g.appState as { bank: Record<string, unknown>; auth: { accounts: unknown[] } };
    assert.throws(
      () =>
        newApp().initChain({
          ...g,
          appState: { ...state, bank: { ...state.bank, supply: [{ denom: "uscrt", amount: "11" }] } },
        }),
      /genesis supply is incorrect/,
    );
    assert.throws(
      () =>
        newApp().initChain({
          ...g,
          appState: { ...state, auth: { accounts: [...state.auth.accounts, ...state.auth.accounts] } },
        }),
      /duplicate account/,
    );
  });

  it("records the block height used for errors in block results", () => {
    assert.ok(height > 0);
  });
});

describe("app: multisig accounts (LegacyAminoPubKey, LEGACY_AMINO_JSON)", () => {
  const members = [testKey("m0"), testKey("m1"), testKey("m2")];
  const multisigAny = {
    typeUrl: MULTISIG_PUBKEY_URL,
    value: encodeLegacyAminoPubKey({ threshold: 2, publicKeys: members.map((m) => pubKeyAny(m.pubKey)) }),
  };
  // chain-api.md §1.1: sha256(amino encoding of the LegacyAminoPubKey)[0:20], built here by hand.
  const amino = concatBytes(
    Uint8Array.of(0x22, 0xc1, 0xf7, 0xe2, 0x08, 2),
    ...members.map((m) => concatBytes(Uint8Array.of(0x12, 0x26, 0xeb, 0x5a, 0xe9, 0x87, 0x21), m.pubKey)),
  );
  const multisigAddress = encodeAddress(sha256(amino).slice(0, 20));

  function multisigTx(signing: number[], sequence: bigint, bits = signing): Uint8Array {
    const msgs = [sendMsg(multisigAddress, bob.bech32, [{ denom: "uscrt", amount: "9" }])];
    const fee = [{ denom: "uscrt", amount: "2500" }];
    const bodyBytes = encodeTxBody({ messages: msgs });
    const authInfoBytes = encodeAuthInfo({
      signerInfos: [
        {
          publicKey: multisigAny,
          modeInfo: {
            kind: "multi",
            bitarray: { extraBitsStored: 3, elems: Uint8Array.of(bits.reduce((b, i) => b | (0x80 >> i), 0)) },
            modeInfos: signing.map(() => ({ kind: "single" as const, mode: SignMode.LEGACY_AMINO_JSON })),
          },
          sequence,
        },
      ],
      fee: { amount: fee, gasLimit: 60_000n, payer: "", granter: "" },
    });
    const doc = sortedJson({
      account_number: "3",
      chain_id: CHAIN_ID,
      fee: { amount: [{ amount: "2500", denom: "uscrt" }], gas: "60000" },
      memo: "",
      msgs: [
        {
          type: "cosmos-sdk/MsgSend",
          value: { amount: [{ amount: "9", denom: "uscrt" }], from_address: multisigAddress, to_address: bob.bech32 },
        },
      ],
      sequence: sequence.toString(),
    });
    const digest = sha256(new TextEncoder().encode(doc));
    const sigs = signing.map((i) => secp256k1Sign(members[i]!.sk, digest));
    return encodeTxRaw({ bodyBytes, authInfoBytes, signatures: [encodeMultiSignature(sigs)] });
  }

  it("accepts 2 of 3 signatures and emits sub-signature events; refuses 1 of 3 and misplaced bits", () => {
    const app = newApp();
    const g = genesisFor([
      { key: alice, coins: [{ denom: "uscrt", amount: "10" }] },
      { key: bob, coins: [{ denom: "uscrt", amount: "10" }] },
      { key: carol, coins: [{ denom: "uscrt", amount: "10" }] },
    ]);
    const state = g.appState as { auth: { accounts: unknown[] }; bank: { balances: unknown[] } };
    state.auth.accounts.push({
      "@type": "/cosmos.auth.v1beta1.BaseAccount",
      address: multisigAddress,
      pub_key: null,
      account_number: "3",
      sequence: "0",
    });
    state.bank.balances.push({ address: multisigAddress, coins: [{ denom: "uscrt", amount: "100000" }] });
    app.initChain(g);
    block(app, []);
    const [ok] = block(app, [multisigTx([0, 2], 0n)]);
    assert.equal(ok!.code, 0, ok!.log);
    assert.equal(balance(app, bob), 19n);
    const sigEvents = ok!.events.filter((e) => e.attributes[0]!.key === "signature");
    assert.equal(sigEvents.length, 3, "two sub-signatures and the aggregate");
    const [one] = block(app, [multisigTx([1], 1n)]);
    assert.equal(one!.code, 4);
    assert.equal(
      one!.log,
      `signature verification failed; please verify account number (3), sequence (1) and chain-id (${CHAIN_ID}): unauthorized`,
    );
    const [forged] = block(app, [multisigTx([0, 1], 1n, [0, 2])]);
    assert.equal(forged!.code, 4, "signatures must belong to the keys whose bits are set");
    const [again] = block(app, [multisigTx([1, 2], 1n)]);
    assert.equal(again!.code, 0, again!.log);
  });
});

describe("app: SIGN_MODE_EIP_191 (MetaMask)", () => {
  it("verifies keccak256 over the prefixed 4-space-indented amino document, as JSON.stringify(doc, null, 4) makes it", () => {
    const app = freshApp();
    block(app, []);
    const msgs = [sendMsg(alice.bech32, bob.bech32, [{ denom: "uscrt", amount: "4" }])];
    const make = (memo: string, sequence: bigint): Uint8Array => {
      const bodyBytes = encodeTxBody({ messages: msgs, memo });
      const authInfoBytes = encodeAuthInfo({
        signerInfos: [
          { publicKey: pubKeyAny(alice.pubKey), modeInfo: { kind: "single", mode: SignMode.EIP_191 }, sequence },
        ],
        fee: { amount: [{ denom: "uscrt", amount: "2500" }], gasLimit: 25_000n, payer: "", granter: "" },
      });
      const doc = {
        account_number: "0",
        chain_id: CHAIN_ID,
        fee: { amount: [{ amount: "2500", denom: "uscrt" }], gas: "25000" },
        memo,
        msgs: [
          {
            type: "cosmos-sdk/MsgSend",
            value: { amount: [{ amount: "4", denom: "uscrt" }], from_address: alice.bech32, to_address: bob.bech32 },
          },
        ],
        sequence: sequence.toString(),
      };
      const json = new TextEncoder().encode(JSON.stringify(doc, null, 4)); // secretjs MetaMaskWallet
      const prefix = new TextEncoder().encode(`\x19Ethereum Signed Message:\n${json.length}`);
      const sig = secp256k1Sign(alice.sk, keccak256(concatBytes(prefix, json)));
      return encodeTxRaw({ bodyBytes, authInfoBytes, signatures: [sig] });
    };
    const [r] = block(app, [make("hello", 0n)]);
    assert.equal(r!.code, 0, r!.log);
    assert.equal(balance(app, bob), 500_004n);
    assert.equal(
      indentJson('{"a":[],"b":{"c":"\\u003c,:"},"d":[1,2]}'),
      '{\n    "a": [],\n    "b": {\n        "c": "\\u003c,:"\n    },\n    "d": [\n        1,\n        2\n    ]\n}',
    );
  });
});

describe("app: robustness and gas budgets", () => {
  it("random bytes and mutated txs give coded results, never exceptions", () => {
    const app = freshApp();
    block(app, []);
    const valid = send();
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 300 }),
          fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 1, max: 255 })).map(([i, x]) => {
            const t = valid.slice();
            t[i]! ^= x;
            return t;
          }),
        ),
        (bytes) => {
          const r = app.checkTx(bytes);
          assert.ok(Number.isInteger(r.code));
          if (r.code !== 0) assert.notEqual(r.log, "");
          const s = app.simulate(bytes);
          assert.ok(Number.isInteger(s.code));
        },
      ),
      { numRuns: 400, seed: 424242 },
    );
  });

  it("fits the gas limits the secretjs suite hard-codes (chain-api.md §2.6)", () => {
    const app = freshApp();
    block(app, []);
    const coin = [{ denom: "uscrt", amount: "1" }];
    const outputs = (n: number) =>
      Array.from({ length: n }, (_, i) => ({ address: testKey(`out ${i}`).bech32, coins: coin }));
    const multi = (n: number, sequence: bigint, gas: bigint) =>
      signTx({
        messages: [
          multiSendMsg({
            inputs: [{ address: alice.bech32, coins: [{ denom: "uscrt", amount: String(n) }] }],
            outputs: outputs(n),
          }),
        ],
        signer: alice,
        accountNumber: 0n,
        sequence,
        gas,
      });
    const [s, m2, m18] = block(app, [send({ sequence: 0n }), multi(2, 1n, 20_000n), multi(18, 2n, 200_000n)]);
    assert.equal(s!.code, 0, s!.log);
    assert.equal(m2!.code, 0, m2!.log);
    assert.equal(m18!.code, 0, m18!.log);
    assert.ok(s!.gasUsed <= 25_000n && m2!.gasUsed <= 20_000n && m18!.gasUsed <= 200_000n);
  });
});

describe("app: signature cache", () => {
  it("remembers exactly (key, signature, sign bytes) and evicts the oldest beyond its capacity", () => {
    const cache = new SignatureCache(2);
    const [k, s, b] = [Uint8Array.of(1), Uint8Array.of(2), Uint8Array.of(3)];
    cache.add(k, s, b);
    assert.ok(cache.has(k, s, b));
    assert.ok(!cache.has(k, Uint8Array.of(2, 0), b));
    assert.ok(!cache.has(Uint8Array.of(1, 2), Uint8Array.of(), b), "fields are length-prefixed");
    cache.add(k, s, Uint8Array.of(4));
    cache.add(k, s, Uint8Array.of(5));
    assert.equal(cache.size, 2);
    assert.ok(!cache.has(k, s, b));
    const off = new SignatureCache(0);
    off.add(k, s, b);
    assert.ok(!off.has(k, s, b));
  });

  it("a tx verified by CheckTx executes with the same result; a different signature is still checked", () => {
    const app = freshApp();
    const reference = newApp(undefined, { signatureCacheSize: 0 });
    reference.initChain(
      genesisFor([
        { key: alice, coins: [{ denom: "uscrt", amount: "1000000" }] },
        {
          key: bob,
          coins: [
            { denom: "ufoo", amount: "7" },
            { denom: "uscrt", amount: "500000" },
          ],
        },
        { key: poor, coins: [{ denom: "uscrt", amount: "100" }] },
      ]),
    );
    block(app, []);
    block(reference, []);
    const tx = send();
    assert.equal(app.checkTx(tx).code, 0);
    const raw = decodeTxRaw(tx);
    const forged = raw.signatures[0]!.slice();
    forged[3]! ^= 1;
    const txs = [encodeTxRaw({ ...raw, signatures: [forged] }), tx];
    const [r1, r2] = block(app, txs);
    const [q1, q2] = block(reference, txs);
    assert.equal(r1!.code, 4);
    assert.deepEqual([r1, r2], [q1, q2]);
    assert.equal(toHex(app.lastAppHash), toHex(reference.lastAppHash));
  });
});
