/**
 * The enclave's contract engine end to end, in process: the AssemblyScript counter is instantiated,
 * executed and queried with inputs encrypted the way secretjs does and transactions signed by the
 * real secretjs wallet; state lives in a host double that records every byte it is given. The last
 * test is the boundary: nothing the host receives contains the plaintext message or state.
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { COMPUTE_URLS, encodeMsgExecuteContract, encodeMsgInstantiateContract } from "../../src/codec/compute.ts";
import type { Any } from "../../src/codec/tx.ts";
import { sha256 } from "../../src/crypto/index.ts";
import { contractAddress } from "../../src/enclave/contractKey.ts";
import { type ContractHost, ContractEngine } from "../../src/enclave/contracts.ts";
import { clientDecrypt, encryptInputEnvelope } from "../../src/enclave/io.ts";
import type { StateWriteOp } from "../../src/enclave/state.ts";
import { fromBase64, toBase64 } from "../../src/primitives/base64.ts";
import { decodeAddress, encodeAddress } from "../../src/primitives/bech32.ts";
import { bytesEqual, utf8Decode, utf8Encode } from "../../src/primitives/bytes.ts";
import { toHex } from "../../src/primitives/hex.ts";
import { createVm } from "../../src/vm/index.ts";
import { MNEMONICS, Wallet, signDirect } from "../helpers/secretjsTx.ts";
import { BLOCK, buildCounterWasm, clientSk, ioPk, keys } from "./enclaveContractsFixture.ts";

const GAS = 5_000_000_000n;

let code: Uint8Array;
let codeHashHex: string;

before(() => {
  code = buildCounterWasm();
  codeHashHex = toHex(sha256(code));
});

/** A host double: a map of stored keys, and a log of every byte that crossed to it. */
function recordingHost() {
  const state = new Map<string, Uint8Array>();
  const seen: Uint8Array[] = [];
  const id = (contract: Uint8Array, key: Uint8Array) => `${toHex(contract)}:${toHex(key)}`;
  const host: ContractHost = {
    stateRead(contract, key) {
      seen.push(key);
      return { value: state.get(id(contract, key)), gas: 100n + BigInt(key.length) };
    },
    stateRemove(contract, key) {
      seen.push(key);
      state.delete(id(contract, key));
      return { gas: 100n };
    },
    stateWrite(contract, ops: readonly StateWriteOp[]) {
      for (const op of ops) {
        seen.push(op.legacyKey, op.storedKey, op.storedValue);
        state.delete(id(contract, op.legacyKey));
        state.set(id(contract, op.storedKey), op.storedValue);
      }
    },
    contract: () => undefined,
    chainQuery: () => ({ response: utf8Encode('{"Err":{"unsupported_request":{"kind":"test"}}}'), gas: 0n }),
  };
  return { host, state, seen };
}

function envelope(msg: object, nonceByte: number) {
  const nonce = new Uint8Array(32).fill(nonceByte);
  return { nonce, bytes: encryptInputEnvelope(ioPk, clientSk, nonce, codeHashHex, utf8Encode(JSON.stringify(msg))) };
}

const decryptFor = (nonce: Uint8Array, ciphertext: Uint8Array) =>
  utf8Decode(clientDecrypt(ioPk, clientSk, nonce, ciphertext));

async function setup() {
  const wallet = new Wallet(MNEMONICS.a);
  const sender = decodeAddress(wallet.address);
  const contract = contractAddress(1n, 1n, sender);
  const engine = new ContractEngine(keys, createVm());
  const recorder = recordingHost();
  const init = envelope({ count: 41 }, 1);
  const instantiateMsg: Any = {
    typeUrl: COMPUTE_URLS.instantiate,
    value: encodeMsgInstantiateContract({
      sender,
      callbackCodeHash: "",
      codeId: 1n,
      label: "counter",
      initMsg: init.bytes,
      initFunds: [],
      callbackSig: new Uint8Array(0),
      admin: "",
    }),
  };
  const instantiated = engine.instantiate(
    {
      code,
      block: BLOCK,
      contract,
      gasLimitWasm: GAS,
      sender,
      msg: init.bytes,
      sigInfo: await signDirect(wallet, [instantiateMsg]),
      transaction: { index: 0, hash: "AB".repeat(32) },
      blockRandom: null,
      callCounter: { height: 0n, counter: 0n },
      funds: [],
      admin: new Uint8Array(0),
    },
    recorder.host,
  );
  return { wallet, sender, contract, engine, recorder, init, instantiated };
}

async function execute(s: Awaited<ReturnType<typeof setup>>, msg: object, nonceByte: number) {
  const { wallet, sender, contract, engine, recorder, instantiated } = s;
  assert.ok(instantiated.ok);
  const exec = envelope(msg, nonceByte);
  const any: Any = {
    typeUrl: COMPUTE_URLS.execute,
    value: encodeMsgExecuteContract({
      sender,
      contract,
      msg: exec.bytes,
      callbackCodeHash: "",
      sentFunds: [],
      callbackSig: new Uint8Array(0),
    }),
  };
  const result = engine.execute(
    {
      code,
      block: BLOCK,
      contract,
      gasLimitWasm: GAS,
      sender,
      msg: exec.bytes,
      sigInfo: await signDirect(wallet, [any]),
      transaction: { index: 1, hash: "CD".repeat(32) },
      blockRandom: null,
      callCounter: instantiated.callCounter,
      funds: [],
      contractKey: { ogContractKey: instantiated.contractKey },
    },
    recorder.host,
  );
  return { exec, result };
}

function query(s: Awaited<ReturnType<typeof setup>>, msg: object, nonceByte: number) {
  assert.ok(s.instantiated.ok);
  const q = envelope(msg, nonceByte);
  const result = s.engine.query(
    {
      code,
      block: BLOCK,
      contract: s.contract,
      gasLimitWasm: GAS,
      msg: q.bytes,
      contractKey: { ogContractKey: s.instantiated.contractKey },
      queryDepth: 1,
    },
    s.recorder.host,
  );
  return { q, result };
}

describe("enclave contract engine", () => {
  it("instantiates: encrypted attributes for the sender, plaintext ones clear, a valid contract key and admin proof", async () => {
    const s = await setup();
    assert.ok(s.instantiated.ok, JSON.stringify(s.instantiated.ok ? {} : s.instantiated.error));
    assert.equal(s.instantiated.contractKey.length, 64);
    assert.equal(s.instantiated.adminProof.length, 32);
    const [action, count] = s.instantiated.attributes;
    assert.equal(decryptFor(s.init.nonce, fromBase64(action!.key)), "action");
    assert.equal(decryptFor(s.init.nonce, fromBase64(action!.value)), "instantiate");
    assert.deepEqual(count, { key: "count", value: "41" });
    assert.ok(s.instantiated.gas.sdkCharge > 0n);
    assert.deepEqual(s.instantiated.callCounter, { height: 10n, counter: 0n });
    assert.ok(s.recorder.state.size >= 2, "state was not flushed");
  });

  it("executes and queries: the counter moves and the answer decrypts for the sender only", async () => {
    const s = await setup();
    const { result } = await execute(s, { increment: {} }, 2);
    assert.ok(result.ok, JSON.stringify(result.ok ? {} : result.error));
    assert.deepEqual(result.callCounter, { height: 10n, counter: 1n });
    const { q, result: answer } = query(s, { get_count: {} }, 3);
    assert.ok(answer.ok, JSON.stringify(answer.ok ? {} : answer.error));
    const b64 = decryptFor(q.nonce, answer.answer);
    assert.deepEqual(JSON.parse(utf8Decode(fromBase64(b64))), { count: 42 });
    // Another client key cannot read it.
    assert.throws(() => clientDecrypt(ioPk, new Uint8Array(32).fill(7), q.nonce, answer.answer));
  });

  it("returns contract errors encrypted for the sender and leaves state untouched", async () => {
    const s = await setup();
    const before = new Map(s.recorder.state);
    const { exec, result } = await execute(s, { no_such_variant: {} }, 4);
    assert.ok(!result.ok);
    assert.equal(result.error.kind, "contract");
    if (result.error.kind !== "contract") return;
    assert.match(result.error.json, /^\{"generic_err":\{"msg":"[A-Za-z0-9+/=]+"\}\}$/);
    assert.match(decryptFor(exec.nonce, fromBase64(result.error.b64)), /no_such_variant|unknown variant/i);
    assert.deepEqual(new Map(s.recorder.state), before);
  });

  it("refuses a wrong code hash, a tampered envelope and a forged signer with the enclave's codes", async () => {
    const s = await setup();
    assert.ok(s.instantiated.ok);
    const wrongHash = encryptInputEnvelope(
      ioPk,
      clientSk,
      new Uint8Array(32).fill(5),
      "00".repeat(32),
      utf8Encode("{}"),
    );
    const q1 = s.engine.query(
      {
        code,
        block: BLOCK,
        contract: s.contract,
        gasLimitWasm: GAS,
        msg: wrongHash,
        contractKey: { ogContractKey: s.instantiated.contractKey },
        queryDepth: 1,
      },
      s.recorder.host,
    );
    assert.ok(!q1.ok && q1.error.kind === "enclave" && q1.error.code === "VALIDATION_FAILURE");
    const tampered = envelope({ get_count: {} }, 6).bytes;
    tampered[100]! ^= 1;
    const q2 = s.engine.query(
      {
        code,
        block: BLOCK,
        contract: s.contract,
        gasLimitWasm: GAS,
        msg: tampered,
        contractKey: { ogContractKey: s.instantiated.contractKey },
        queryDepth: 1,
      },
      s.recorder.host,
    );
    assert.ok(!q2.ok && q2.error.kind === "enclave" && q2.error.code === "DECRYPTION_ERROR");
    const forgedKey = { ogContractKey: new Uint8Array(64).fill(3) };
    const q3 = s.engine.query(
      {
        code,
        block: BLOCK,
        contract: s.contract,
        gasLimitWasm: GAS,
        msg: envelope({ get_count: {} }, 7).bytes,
        contractKey: forgedKey,
        queryDepth: 1,
      },
      s.recorder.host,
    );
    assert.ok(!q3.ok && q3.error.kind === "enclave" && q3.error.code === "FAILED_CONTRACT_AUTHENTICATION");
  });

  it("uses exactly the same gas for the same call every time", async () => {
    const a = await setup();
    const b = await setup();
    const ra = await execute(a, { increment: {} }, 8);
    const rb = await execute(b, { increment: {} }, 8);
    assert.ok(ra.result.ok && rb.result.ok);
    assert.deepEqual(ra.result.gas, rb.result.gas);
  });

  it("boundary: the host never receives the plaintext message, state keys or state values", async () => {
    const s = await setup();
    const { result } = await execute(s, { increment: {} }, 9);
    assert.ok(result.ok);
    const { result: answer } = query(s, { get_count: {} }, 10);
    assert.ok(answer.ok);
    const received: Uint8Array[] = [
      ...s.recorder.seen,
      ...s.recorder.state.values(),
      answer.answer,
      utf8Encode(result.messagesJson),
    ];
    for (const attr of [...result.attributes, ...(s.instantiated.ok ? s.instantiated.attributes : [])]) {
      if (attr.key !== "count") received.push(utf8Encode(attr.key), utf8Encode(attr.value));
    }
    const secrets = ["increment", "get_count", '"count"', "owner", encodeAddress(s.sender), '{"count":42}'];
    for (const bytes of received) {
      const text = Buffer.from(bytes).toString("latin1");
      for (const secret of secrets) assert.ok(!text.includes(secret), `host saw ${JSON.stringify(secret)}`);
      assert.ok(!bytesEqual(bytes, utf8Encode("42")));
    }
    assert.ok(toBase64(answer.answer).length > 0);
  });
});
