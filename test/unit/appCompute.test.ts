/**
 * The compute module without an enclave worker: the codec of its stored types and queries, the
 * contract address formula against the enclave's own, compile-cost rounding, the exact JSON reader,
 * the stateless message checks and their codes (through CheckTx), the amino JSON of §2.4 against
 * secretjs's own `toAmino` (a LEGACY_AMINO_JSON signature over secretjs's document must verify),
 * genesis validation, and the routes of a node without a compute enclave.
 */
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { describe, it } from "node:test";
import fc from "fast-check";
import { APP_STORE_NAMES, SecretApp, contractAddress } from "../../src/app/index.ts";
import { compileGas } from "../../src/app/compute/keeper.ts";
import { parseJsonExact } from "../../src/app/compute/jsonValue.ts";
import type { EnclaveForCompute } from "../../src/app/compute/types.ts";
import {
  COMPUTE_QUERY_PATHS,
  COMPUTE_URLS,
  decodeCodeInfo,
  decodeContractCodeHistoryEntry,
  decodeContractInfo,
  decodeContractKey,
  decodeMsgDataResponse,
  decodeQueryCodesResponse,
  decodeQuerySecretContractRequest,
  encodeCodeInfo,
  encodeContractCodeHistoryEntry,
  encodeContractInfo,
  encodeContractKey,
  encodeMsgClearAdmin,
  encodeMsgExecuteContract,
  encodeMsgInstantiateContract,
  encodeMsgStoreCode,
  encodeMsgUpdateAdmin,
  encodeQueryByContractAddressRequest,
  encodeQuerySecretContractRequest,
} from "../../src/codec/compute.ts";
import { decodeTxMsgData } from "../../src/codec/abci.ts";
import { decodeCoinResponse, encodeQueryBalanceRequest } from "../../src/codec/bank.ts";
import { type Any, SignMode } from "../../src/codec/tx.ts";
import { sha256 } from "../../src/crypto/index.ts";
import { contractAddress as enclaveContractAddress } from "../../src/enclave/contractKey.ts";
import { Dec } from "../../src/primitives/amount.ts";
import { toBase64 } from "../../src/primitives/base64.ts";
import { encodeAddress } from "../../src/primitives/bech32.ts";
import { createMemoryDatabase, openMultiStore } from "../../src/store/index.ts";
import { scriptedOutcome } from "../helpers/appCompute.ts";
import { blockTime, genesisFor, signTx, testKey } from "../helpers/appTx.ts";

const require = createRequire(import.meta.url);
const sj = require("secretjs") as {
  EncryptionUtilsImpl: new (url: string, seed?: Uint8Array) => { consensusIoPubKey: Uint8Array };
  MsgExecuteContract: new (m: object) => SjMsg;
  MsgInstantiateContract: new (m: object) => SjMsg;
};
interface SjMsg {
  toProto(enc: unknown): Promise<{ type_url: string; encode(): Uint8Array }>;
  toAmino(enc: unknown): Promise<unknown>;
}

const alice = testKey("compute alice");
const bob = testKey("compute bob");

/** An enclave that must never be reached (the checks under test come first). */
const unreachable: EnclaveForCompute = {
  call: () => assert.fail("the enclave was called"),
  checkCode: () => assert.fail("the code check was called"),
};

/** `enclave` null: a node without a compute enclave. */
function freshApp(enclave: EnclaveForCompute | null = unreachable, compute?: unknown): SecretApp {
  const store = openMultiStore(createMemoryDatabase(), { storeNames: APP_STORE_NAMES });
  const app = new SecretApp({ store, ...(enclave === null ? {} : { enclave }) });
  const doc = genesisFor([
    { key: alice, coins: [{ denom: "uscrt", amount: "100000000" }] },
    { key: bob, coins: [{ denom: "uscrt", amount: "100000000" }] },
  ]);
  app.initChain({ ...doc, appState: { ...(doc.appState as object), ...(compute === undefined ? {} : { compute }) } });
  app.finalizeBlock({ height: 1, timeNanos: blockTime(1), txs: [] });
  app.commit();
  return app;
}

const check = (app: SecretApp, messages: Any[]) =>
  app.checkTx(signTx({ messages, signer: alice, accountNumber: 0n, sequence: 0n, gas: 200_000n }));

const bytes = (n: number, fill: number) => new Uint8Array(n).fill(fill);

describe("compute codec and formulas", () => {
  it("stored types round-trip (property)", () => {
    const position = fc.option(
      fc.record({
        blockHeight: fc.bigInt({ min: 0n, max: (1n << 63n) - 1n }),
        txIndex: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
      }),
      { nil: undefined },
    );
    fc.assert(
      fc.property(
        fc.record({
          codeId: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
          creator: fc.uint8Array({ minLength: 20, maxLength: 20 }),
          label: fc.string(),
          created: position,
          ibcPortId: fc.string(),
          admin: fc.string(),
          adminProof: fc.uint8Array({ maxLength: 32 }),
        }),
        (info) => assert.deepEqual(decodeContractInfo(encodeContractInfo(info)), structuredClone(info)),
      ),
    );
    fc.assert(
      fc.property(
        fc.record({
          codeHash: fc.uint8Array({ minLength: 32, maxLength: 32 }),
          creator: fc.uint8Array({ maxLength: 32 }),
          source: fc.string(),
          builder: fc.string(),
        }),
        (info) => assert.deepEqual(decodeCodeInfo(encodeCodeInfo(info)), structuredClone(info)),
      ),
    );
    fc.assert(
      fc.property(
        fc.record({
          operation: fc.integer({ min: 0, max: 3 }),
          codeId: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
          updated: position,
          msg: fc.uint8Array(),
        }),
        (e) => assert.deepEqual(decodeContractCodeHistoryEntry(encodeContractCodeHistoryEntry(e)), structuredClone(e)),
      ),
    );
    const key = {
      ogContractKey: bytes(64, 1),
      currentContractKey: bytes(64, 2),
      currentContractKeyProof: bytes(32, 3),
    };
    assert.deepEqual(decodeContractKey(encodeContractKey(key)), key);
    const req = { contractAddress: alice.bech32, query: bytes(90, 4) };
    assert.deepEqual(decodeQuerySecretContractRequest(encodeQuerySecretContractRequest(req)), req);
  });

  it("derives contract addresses as the enclave does (sha256 → ripemd160 of BE64(code<<32 + instance) ‖ creator)", () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
        fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
        fc.uint8Array({ minLength: 20, maxLength: 20 }),
        (code, inst, creator) => {
          assert.deepEqual(contractAddress(code, inst, creator), enclaveContractAddress(code, inst, creator));
        },
      ),
    );
    // The u64 wrap of `code_id << 32 + instance_id`, as Go's uint64 arithmetic.
    assert.deepEqual(contractAddress(1n << 32n, 0n, alice.address), contractAddress(0n, 0n, alice.address));
  });

  it("charges compile cost with SDK rounding (half to even)", () => {
    assert.equal(compileGas(Dec.parse("0.8"), 1000), 800n);
    assert.equal(compileGas(Dec.parse("0.8"), 1), 1n); // 0.8 → 1
    assert.equal(compileGas(Dec.parse("0.5"), 1), 0n); // 0.5 → 0 (even)
    assert.equal(compileGas(Dec.parse("0.5"), 3), 2n); // 1.5 → 2
    assert.equal(compileGas(Dec.parse("0.5"), 5), 2n); // 2.5 → 2
    assert.equal(compileGas(Dec.parse("0.8"), 27701), 22161n); // 22160.8 → 22161
  });

  it("reads JSON with exact integers and refuses malformed text", () => {
    assert.deepEqual(parseJsonExact('{"id":18446744073709551615,"x":[1.5,"a\\u0041",null,true]}'), {
      id: 18446744073709551615n,
      x: [1.5, "aA", null, true],
    });
    for (const bad of ["", "{", '{"a":1,}', "[1 2]", '"abc', "01", "{} x"]) {
      assert.throws(() => parseJsonExact(bad), SyntaxError, bad);
    }
    // A key named __proto__ is an ordinary key.
    const o = parseJsonExact('{"__proto__":{"polluted":1}}') as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(o), Object.prototype);
    assert.deepEqual(Object.keys(o), ["__proto__"]);
  });
});

describe("compute messages: stateless checks and amino JSON", () => {
  it("refuses malformed messages in CheckTx with upstream's codes", () => {
    const app = freshApp();
    const inst = (over: Partial<Parameters<typeof encodeMsgInstantiateContract>[0]>): Any => ({
      typeUrl: COMPUTE_URLS.instantiate,
      value: encodeMsgInstantiateContract({
        sender: alice.address,
        callbackCodeHash: "",
        codeId: 1n,
        label: "l",
        initMsg: bytes(100, 1),
        initFunds: [],
        callbackSig: new Uint8Array(0),
        admin: "",
        ...over,
      }),
    });
    const store = (over: Partial<Parameters<typeof encodeMsgStoreCode>[0]>): Any => ({
      typeUrl: COMPUTE_URLS.storeCode,
      value: encodeMsgStoreCode({
        sender: alice.address,
        wasmByteCode: bytes(10, 0),
        source: "",
        builder: "",
        ...over,
      }),
    });
    const cases: Array<[string, Any, string, number]> = [
      ["sender of 19 bytes", inst({ sender: bytes(19, 1) }), "sdk", 9],
      ["code id 0", inst({ codeId: 0n }), "sdk", 18],
      ["empty label", inst({ label: "" }), "compute", 11],
      ["label of 513 bytes", inst({ label: "x".repeat(513) }), "compute", 12],
      ["bad funds", inst({ initFunds: [{ denom: "uscrt", amount: "0" }] }), "sdk", 10],
      ["bad admin", inst({ admin: "secret1nope" }), "sdk", 7],
      ["empty code", store({ wasmByteCode: new Uint8Array(0) }), "sdk", 18],
      ["code over 2 MiB", store({ wasmByteCode: new Uint8Array(2_097_153) }), "sdk", 18],
      ["http source", store({ source: "http://example.com/x" }), "sdk", 18],
      ["bad builder", store({ builder: "Not A Builder" }), "sdk", 18],
      [
        "execute with a 21-byte contract",
        {
          typeUrl: COMPUTE_URLS.execute,
          value: encodeMsgExecuteContract({
            sender: alice.address,
            contract: bytes(21, 1),
            msg: bytes(90, 1),
            callbackCodeHash: "",
            sentFunds: [],
            callbackSig: new Uint8Array(0),
          }),
        },
        "sdk",
        9,
      ],
      [
        "update admin to the sender",
        {
          typeUrl: COMPUTE_URLS.updateAdmin,
          value: encodeMsgUpdateAdmin({
            sender: alice.bech32,
            newAdmin: alice.bech32,
            contract: bob.bech32,
            callbackSig: new Uint8Array(0),
          }),
        },
        "compute",
        10,
      ],
      [
        "clear admin of a bad contract address",
        {
          typeUrl: COMPUTE_URLS.clearAdmin,
          value: encodeMsgClearAdmin({ sender: alice.bech32, contract: "nope", callbackSig: new Uint8Array(0) }),
        },
        "sdk",
        7,
      ],
    ];
    for (const [what, msg, codespace, code] of cases) {
      const r = check(app, [msg]);
      assert.deepEqual([r.codespace, r.code], [codespace, code], `${what}: ${r.log}`);
    }
    // A well-formed one passes CheckTx (the enclave is not involved before DeliverTx).
    assert.equal(check(app, [inst({})]).code, 0);
  });

  it("signs compute messages in LEGACY_AMINO_JSON exactly as secretjs's toAmino renders them", async () => {
    const app = freshApp();
    const enc = new sj.EncryptionUtilsImpl("http://127.0.0.1:1", bytes(32, 5));
    enc.consensusIoPubKey = bytes(32, 9);
    const msgs = [
      new sj.MsgInstantiateContract({
        sender: alice.bech32,
        code_id: 7,
        label: "amino label",
        init_msg: { count: 1 },
        code_hash: "ab".repeat(32),
        init_funds: [{ denom: "uscrt", amount: "5" }],
        admin: bob.bech32,
      }),
      new sj.MsgExecuteContract({
        sender: alice.bech32,
        contract_address: bob.bech32,
        msg: { increment: {} },
        code_hash: "ab".repeat(32),
        sent_funds: [],
      }),
    ];
    const protos: Any[] = [];
    const aminos: unknown[] = [];
    for (const m of msgs) {
      const p = await m.toProto(enc);
      protos.push({ typeUrl: p.type_url, value: p.encode() });
      aminos.push(await m.toAmino(enc));
    }
    const tx = signTx(
      {
        messages: protos,
        signer: alice,
        accountNumber: 0n,
        sequence: 0n,
        gas: 200_000n,
        signMode: SignMode.LEGACY_AMINO_JSON,
      },
      aminos,
    );
    const r = app.checkTx(tx);
    assert.equal(r.code, 0, r.log);
    // The same document with one field changed does not verify: the check can fail.
    const tampered = structuredClone(aminos) as Array<{ value: Record<string, unknown> }>;
    tampered[0]!.value.label = "other";
    const bad = signTx(
      {
        messages: protos,
        signer: alice,
        accountNumber: 0n,
        sequence: 1n,
        gas: 200_000n,
        signMode: SignMode.LEGACY_AMINO_JSON,
      },
      tampered,
    );
    assert.equal(app.checkTx(bad).code, 4);
  });
});

describe("compute genesis and a node without an enclave", () => {
  const wasm = bytes(64, 0x61);
  const codeHashB64 = toBase64(sha256(wasm));
  const code = (id: string, hash = codeHashB64) => ({
    code_id: id,
    code_info: { code_hash: hash, creator: alice.bech32, source: "", builder: "" },
    code_bytes: toBase64(wasm),
  });

  it("validates genesis: code hash, duplicates, unknown codes", () => {
    const cases: Array<[string, unknown, RegExp]> = [
      ["wrong hash", { codes: [code("1", toBase64(bytes(32, 0)))] }, /code_hash is not the sha256/],
      ["duplicate code", { codes: [code("1"), code("1")] }, /duplicate code: 1: duplicate/],
      [
        "contract of an unknown code",
        {
          contracts: [
            {
              contract_address: bob.bech32,
              contract_info: { code_id: "5", creator: alice.bech32, label: "x" },
              contract_custom_info: { enclave_key: { og_contract_key: toBase64(bytes(64, 1)) }, label: "x" },
            },
          ],
        },
        /code id: 5: not found/,
      ],
      [
        "code id above the sequence",
        { codes: [code("3")], sequences: [{ id_key: "lastCodeId", value: "2" }] },
        /lastCodeId/,
      ],
      ["unknown sequence", { sequences: [{ id_key: "other", value: "2" }] }, /unknown id_key/],
    ];
    for (const [what, compute, message] of cases) {
      assert.throws(() => freshApp(unreachable, compute), message, what);
    }
  });

  it("without an enclave: compute messages are not routed (sdk 6); metadata queries answer; smart queries sdk 6", () => {
    const app = freshApp(null, { codes: [code("1")] });
    const r = check(app, [
      {
        typeUrl: COMPUTE_URLS.storeCode,
        value: encodeMsgStoreCode({ sender: alice.address, wasmByteCode: wasm, source: "", builder: "" }),
      },
    ]);
    assert.deepEqual([r.codespace, r.code], ["sdk", 6]);
    const codes = decodeQueryCodesResponse(app.query(COMPUTE_QUERY_PATHS.Codes, new Uint8Array(0)).value);
    assert.deepEqual(
      codes.map((c) => [c.codeId, c.creator]),
      [[1n, alice.bech32]],
    );
    const smart = app.query(
      COMPUTE_QUERY_PATHS.QuerySecretContract,
      encodeQuerySecretContractRequest({ contractAddress: bob.bech32, query: bytes(90, 1) }),
    );
    assert.deepEqual([smart.codespace, smart.code], ["sdk", 6]);
    const info = app.query(COMPUTE_QUERY_PATHS.ContractInfo, encodeQueryByContractAddressRequest(bob.bech32));
    assert.deepEqual([info.codespace, info.code], ["compute", 9]);
    const badAddress = app.query(COMPUTE_QUERY_PATHS.ContractInfo, encodeQueryByContractAddressRequest("nope"));
    assert.equal(badAddress.code, 18);
    // The export of the imported code round-trips.
    const exported = app.exportGenesis().compute as { codes: unknown[] };
    assert.deepEqual(exported.codes, [code("1")]);
  });
});

describe("compute: ocall failures are the host's own", () => {
  it("running out of gas inside an ocall fails the tx with sdk 11, not as a contract failure", () => {
    let reads = 0;
    // Behaves as the engine does: any ocall failure becomes a failed call with ENCLAVE_API_OCALL_FAILED.
    const fake: EnclaveForCompute = {
      checkCode: (code) => ({ code, codeHash: sha256(code) }),
      call: (_name, _request, ocalls) => {
        try {
          for (let i = 0; i < 10_000; i++) {
            reads++;
            ocalls.contractStateRead!({ contract: bytes(20, 1), key: bytes(40, i & 0xff) });
          }
          assert.fail("the meter never ran out");
        } catch {
          return {
            ok: false,
            apiVersion: "",
            data: undefined,
            attributes: [],
            events: [],
            messagesJson: "[]",
            reply: undefined,
            errorKind: "enclave",
            errorCode: "ENCLAVE_API_OCALL_FAILED",
            errorMessage: "an ocall failed",
            errorJson: "",
            gas: undefined,
            queryGas: 0n,
            callCounter: { height: 0n, counter: 0n },
            contractKey: undefined,
            adminProof: undefined,
            newContractKeyProof: undefined,
            answer: undefined,
          } as never;
        }
      },
    };
    const app = freshApp(fake);
    const store = signTx({
      messages: [
        {
          typeUrl: COMPUTE_URLS.storeCode,
          value: encodeMsgStoreCode({ sender: alice.address, wasmByteCode: bytes(100, 7), source: "", builder: "" }),
        },
      ],
      signer: alice,
      accountNumber: 0n,
      sequence: 0n,
      gas: 200_000n,
    });
    const inst = signTx({
      messages: [
        {
          typeUrl: COMPUTE_URLS.instantiate,
          value: encodeMsgInstantiateContract({
            sender: alice.address,
            callbackCodeHash: "",
            codeId: 1n,
            label: "l",
            initMsg: bytes(100, 1),
            initFunds: [],
            callbackSig: new Uint8Array(0),
            admin: "",
          }),
        },
      ],
      signer: alice,
      accountNumber: 0n,
      sequence: 1n,
      gas: 60_000n,
    });
    const { txResults } = app.finalizeBlock({ height: 2, timeNanos: blockTime(2), txs: [store, inst] });
    assert.equal(txResults[0]!.code, 0, txResults[0]!.log);
    assert.deepEqual([txResults[1]!.codespace, txResults[1]!.code], ["sdk", 11], txResults[1]!.log);
    assert.match(txResults[1]!.log, /^out of gas in location: ReadFlat; gasWanted: 60000/);
    assert.ok(reads > 1 && reads < 10_000);
  });
});

describe("compute: responses, sub-messages and replies (scripted enclave)", () => {
  type Outcome = ReturnType<EnclaveForCompute["call"]>;
  const outcome = (over: Record<string, unknown>): Outcome => scriptedOutcome(over);

  /** The enclave answers executes with `script.execute`, records replies and answers them with `script.reply`. */
  function scripted(script: { execute: Outcome; reply?: Outcome }) {
    const replies: string[] = [];
    const enclave: EnclaveForCompute = {
      checkCode: (code) => ({ code, codeHash: sha256(code) }),
      call: (name, request) => {
        if (name === "contractInstantiate") return outcome({ contractKey: bytes(64, 3), adminProof: bytes(32, 4) });
        if (name === "contractExecute") return script.execute;
        if (name === "contractReply") {
          replies.push(new TextDecoder().decode((request as { reply: Uint8Array }).reply));
          return script.reply ?? outcome({});
        }
        return assert.fail(`unexpected ecall ${name}`);
      },
    };
    return { enclave, replies };
  }

  async function setup(script: { execute: Outcome; reply?: Outcome }) {
    const { enclave, replies } = scripted(script);
    const app = freshApp(enclave);
    let sequence = 0n;
    const send = (messages: Any[], gas = 1_000_000n) =>
      signTx({ messages, signer: alice, accountNumber: 0n, sequence: sequence++, gas });
    const contract = contractAddress(1n, 1n, alice.address);
    const { txResults } = app.finalizeBlock({
      height: 2,
      timeNanos: blockTime(2),
      txs: [
        send([
          {
            typeUrl: COMPUTE_URLS.storeCode,
            value: encodeMsgStoreCode({ sender: alice.address, wasmByteCode: bytes(50, 1), source: "", builder: "" }),
          },
        ]),
        send([
          {
            typeUrl: COMPUTE_URLS.instantiate,
            value: encodeMsgInstantiateContract({
              sender: alice.address,
              callbackCodeHash: "",
              codeId: 1n,
              label: "scripted",
              initMsg: bytes(100, 2),
              initFunds: [{ denom: "uscrt", amount: "100" }],
              callbackSig: new Uint8Array(0),
              admin: "",
            }),
          },
        ]),
      ],
    });
    for (const r of txResults) assert.equal(r.code, 0, r.log);
    app.commit();
    const execute = (gas?: bigint, messages = 1) => {
      const tx = send(
        Array.from({ length: messages }, () => ({
          typeUrl: COMPUTE_URLS.execute,
          value: encodeMsgExecuteContract({
            sender: alice.address,
            contract,
            msg: bytes(100, 5),
            callbackCodeHash: "",
            sentFunds: [],
            callbackSig: new Uint8Array(0),
          }),
        })),
        gas,
      );
      const h = app.lastHeight + 1;
      const r = app.finalizeBlock({ height: h, timeNanos: blockTime(h), txs: [tx] }).txResults[0]!;
      app.commit();
      return r;
    };
    const balance = (who: Uint8Array): bigint => {
      const r = app.query(
        "/cosmos.bank.v1beta1.Query/Balance",
        encodeQueryBalanceRequest({ address: encodeAddress(who), denom: "uscrt" }),
      );
      assert.equal(r.code, 0, r.log);
      return BigInt(decodeCoinResponse(r.value)?.amount ?? "0");
    };
    return { app, replies, contract, execute, balance };
  }

  const bankSend = (to: string, amount: string, replyOn: string, id = 7) =>
    JSON.stringify([
      {
        id,
        msg: { bank: { send: { to_address: to, amount: [{ denom: "uscrt", amount }] } } },
        gas_limit: null,
        reply_on: replyOn,
        was_msg_encrypted: false,
      },
    ]);

  it("an invalid custom event fails the call with compute 21 (dispatch)", async () => {
    const { execute } = await setup({
      execute: outcome({ events: [{ type: " ab ", attributes: [] }] }),
    });
    const r = execute();
    assert.deepEqual([r.codespace, r.code], ["compute", 21]);
    assert.equal(
      r.log,
      "failed to execute message; message index: 0: dispatch: Event type too short: 'ab': invalid event",
    );
  });

  it("a bank sub-message with reply_on success: funds move, plaintext reply, its data replaces the contract's", async () => {
    const { execute, replies, balance, contract } = await setup({
      execute: outcome({ data: bytes(4, 9), messagesJson: bankSend(bob.bech32, "30", "success") }),
      reply: outcome({ data: bytes(3, 8), attributes: [{ key: "replied", value: "yes" }] }),
    });
    const before = balance(bob.address);
    const r = execute();
    assert.equal(r.code, 0, r.log);
    assert.equal(balance(bob.address) - before, 30n);
    assert.equal(balance(contract), 70n);
    assert.equal(replies.length, 1);
    assert.deepEqual(JSON.parse(replies[0]!), {
      id: toBase64(new TextEncoder().encode("7")),
      result: { ok: { events: [], data: null } },
      was_orig_msg_encrypted: false,
      is_encrypted: false,
    });
    const types = r.events.filter((e) => e.attributes.some((a) => a.key === "msg_index")).map((e) => e.type);
    // No `message` event from the sub-message; the reply's events after it.
    assert.deepEqual(types, [
      "message",
      "message",
      "execute",
      "wasm",
      "coin_spent",
      "coin_received",
      "transfer",
      "reply",
      "wasm",
    ]);
    const data = decodeMsgDataResponse(decodeTxMsgData(r.data).msgResponses[0]!.value);
    assert.deepEqual(data, bytes(3, 8));
  });

  it("a failing bank sub-message: replied with the redacted error (reply_on error), or failing the call (never)", async () => {
    const replied = await setup({ execute: outcome({ messagesJson: bankSend(bob.bech32, "1000", "error") }) });
    const r = replied.execute();
    assert.equal(r.code, 0, r.log);
    assert.equal(replied.balance(replied.contract), 100n);
    assert.deepEqual(JSON.parse(replied.replies[0]!).result, {
      error:
        "the error was redacted (codespace: sdk, code: 5). For more info use latest localsecret and reproduce the issue",
    });
    const failing = await setup({ execute: outcome({ messagesJson: bankSend(bob.bech32, "1000", "never") }) });
    const f = failing.execute();
    assert.deepEqual([f.codespace, f.code], ["sdk", 5]);
    assert.match(f.log, /^failed to execute message; message index: 0: dispatch: submessages: .*insufficient funds$/);
    assert.equal(failing.replies.length, 0);
  });

  it("a bank sub-message's coins as sent: a zero or unsorted list is sdk 10, an empty one sends nothing (upstream TestBankMsgSend)", async () => {
    const send = (amount: unknown[]) =>
      JSON.stringify([
        {
          id: 0,
          msg: { bank: { send: { to_address: bob.bech32, amount } } },
          gas_limit: null,
          reply_on: "never",
          was_msg_encrypted: false,
        },
      ]);
    const zero = await setup({ execute: outcome({ messagesJson: send([{ denom: "uscrt", amount: "0" }]) }) });
    const z = zero.execute();
    assert.deepEqual([z.codespace, z.code], ["sdk", 10]);
    assert.equal(z.log, "failed to execute message; message index: 0: dispatch: submessages: 0uscrt: invalid coins");
    assert.equal(zero.balance(zero.contract), 100n);
    const unsorted = await setup({
      execute: outcome({
        messagesJson: send([
          { denom: "uscrt", amount: "1" },
          { denom: "abc", amount: "1" },
        ]),
      }),
    });
    const u = unsorted.execute();
    assert.deepEqual([u.codespace, u.code], ["sdk", 10]);
    const none = await setup({ execute: outcome({ messagesJson: send([]) }) });
    const before = none.balance(bob.address);
    assert.equal(none.execute().code, 0);
    assert.equal(none.balance(bob.address), before);
  });

  it("finalize_tx sets the tx's last-message marker: later sub-messages are skipped, later messages are sdk 40404", async () => {
    const bank = JSON.parse(bankSend(bob.bech32, "30", "never")) as unknown[];
    const finalize = { id: 0, msg: { finalize_tx: {} }, gas_limit: null, reply_on: "never", was_msg_encrypted: false };
    const { execute, balance } = await setup({
      execute: outcome({ messagesJson: JSON.stringify([finalize, ...bank]) }),
    });
    const before = balance(bob.address);
    const one = execute();
    assert.equal(one.code, 0, one.log);
    assert.equal(balance(bob.address), before, "the bank send after finalize_tx did not run");
    const two = execute(undefined, 2);
    assert.deepEqual([two.codespace, two.code], ["sdk", 40404]);
    assert.equal(
      two.log,
      "failed to execute message; message index: 1: Cannot send messages after last tx marker was set",
    );
    // a new tx starts without the marker
    assert.equal(execute().code, 0);
  });

  it("unsupported messages from the contract are compute 10", async () => {
    const { execute } = await setup({
      execute: outcome({
        messagesJson: JSON.stringify([
          { id: 0, msg: { custom: {} }, gas_limit: null, reply_on: "never", was_msg_encrypted: false },
        ]),
      }),
    });
    const r = execute();
    assert.deepEqual([r.codespace, r.code], ["compute", 10]);
    assert.match(r.log, /Custom variant not supported/);
  });

  const selfCall = (contract: string, gasLimit: number | null, replyOn = "never") =>
    JSON.stringify([
      {
        id: 0,
        msg: {
          wasm: {
            execute: {
              contract_addr: contract,
              code_hash: "ab".repeat(32),
              msg: toBase64(bytes(100, 6)),
              funds: [],
              callback_sig: toBase64(bytes(32, 7)),
            },
          },
        },
        gas_limit: gasLimit,
        reply_on: replyOn,
        was_msg_encrypted: true,
      },
    ]);

  it("a contract calling itself forever stops at depth 100 with compute 30", async () => {
    const contract = encodeAddress(contractAddress(1n, 1n, alice.address));
    const { execute } = await setup({ execute: outcome({ messagesJson: selfCall(contract, null) }) });
    const r = execute(20_000_000n);
    assert.deepEqual([r.codespace, r.code], ["compute", 30], r.log);
    assert.match(r.log, /max call depth exceeded$/);
  });

  it("a sub-message over its own gas limit: sdk 11 `SubMsg hit gas limit`, the whole limit charged", async () => {
    const contract = encodeAddress(contractAddress(1n, 1n, alice.address));
    const { execute } = await setup({ execute: outcome({ messagesJson: selfCall(contract, 30_000) }) });
    const r = execute();
    assert.deepEqual([r.codespace, r.code], ["sdk", 11], r.log);
    assert.match(r.log, /SubMsg hit gas limit: out of gas$/);
  });
});
