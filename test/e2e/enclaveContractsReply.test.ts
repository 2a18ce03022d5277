/**
 * A sub-message and its reply through the real enclave worker: the caller example sends a wasm execute
 * to the counter with reply_on "always"; the host side (this test) dispatches it with
 * `contractExecute` and the callback signature, then calls `contractReply` with the callee's internal
 * reply fields, as the compute module does. A forged reply signature is refused over the same ecall.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { COMPUTE_URLS, encodeMsgExecuteContract, encodeMsgInstantiateContract } from "../../src/codec/compute.ts";
import { sha256 } from "../../src/crypto/index.ts";
import type { OcallHandlers } from "../../src/enclave-api/client.ts";
import type { EcallResponse } from "../../src/enclave-api/protocol.ts";
import { type WorkerEnclave, createWorkerEnclave } from "../../src/enclave-api/workerEnclave.ts";
import { fromBase64, toBase64 } from "../../src/primitives/base64.ts";
import { decodeAddress, encodeAddress } from "../../src/primitives/bech32.ts";
import { utf8Decode, utf8Encode } from "../../src/primitives/bytes.ts";
import { toHex } from "../../src/primitives/hex.ts";
import { MNEMONICS, Wallet, signDirect } from "../helpers/secretjsTx.ts";
// Test-side client encryption (what secretjs does; proven equal in test/vectors/secretjsInterop.test.ts).
import { clientDecrypt, encryptInputEnvelope } from "../../src/enclave/io.ts";
import { contractAddress } from "../../src/enclave/contractKey.ts";

const ENTRY = new URL("../../src/enclave/main.ts", import.meta.url);
const home = mkdtempSync(join(tmpdir(), "scrt-enclave-reply-"));
const clientSk = new Uint8Array(32).fill(0x44);
const BLOCK = { height: 9n, timeNanos: 1_700_000_000_000_000_000n, chainId: "secretdev-1" };
const GAS = 5_000_000_000n;
const NO_SIG = {
  txBytes: new Uint8Array(0),
  signBytes: new Uint8Array(0),
  signMode: 0,
  publicKey: new Uint8Array(0),
  signature: new Uint8Array(0),
};

let enclave: WorkerEnclave;
let ioPk: Uint8Array;
const code = { counter: new Uint8Array(0), caller: new Uint8Array(0) };
const hash = (c: Uint8Array) => toHex(sha256(c));

const state = new Map<string, Uint8Array>();
const stateId = (contract: Uint8Array, key: Uint8Array) => `${toHex(contract)}:${toHex(key)}`;
const ocalls: OcallHandlers = {
  contractStateRead: ({ contract, key }) => ({ value: state.get(stateId(contract, key)), gas: 10n }),
  contractStateRemove: ({ contract, key }) => {
    state.delete(stateId(contract, key));
    return { gas: 10n };
  },
  contractStateWrite: ({ contract, ops }) => {
    for (const op of ops) {
      state.delete(stateId(contract, op.legacyKey));
      state.set(stateId(contract, op.storedKey), op.storedValue);
    }
    return {};
  },
  contractLookup: () => ({ found: undefined }),
  chainQuery: () => ({ response: utf8Encode('{"Err":{"unknown":{}}}'), gas: 0n }),
  codeLookup: ({ codeHash }) => ({ code: [code.counter, code.caller].find((c) => hash(c) === toHex(codeHash)) }),
};

before(async () => {
  const build = spawnSync(process.execPath, ["scripts/build-contracts.mjs"], { encoding: "utf8" });
  assert.equal(build.status, 0, build.stderr);
  code.counter = new Uint8Array(readFileSync("contracts/build/counter.wasm"));
  code.caller = new Uint8Array(readFileSync("contracts/build/caller.wasm"));
  enclave = await createWorkerEnclave({ entry: ENTRY, home });
  ioPk = enclave.call("bootstrap", {}).ioExchKey;
});
after(async () => {
  await enclave.close();
  rmSync(home, { recursive: true, force: true });
});

type Outcome = EcallResponse<"contractExecute">;
const failure = (o: Outcome) => `${o.errorKind} ${o.errorCode} ${o.errorMessage}`;

function envelope(c: Uint8Array, msg: object, nonceByte: number) {
  const nonce = new Uint8Array(32).fill(nonceByte);
  return { nonce, bytes: encryptInputEnvelope(ioPk, clientSk, nonce, hash(c), utf8Encode(JSON.stringify(msg))) };
}

describe("reply through the enclave worker", () => {
  it("caller → counter sub-message → reply, and a forged reply signature is refused", async () => {
    const wallet = new Wallet(MNEMONICS.b);
    const sender = decodeAddress(wallet.address);
    let callCounter = { height: 0n, counter: 0n };
    const common = (c: Uint8Array, contract: Uint8Array) => ({
      codeHash: sha256(c),
      block: BLOCK,
      contract,
      gasLimitWasm: GAS,
      transaction: { index: 0, hash: "EE".repeat(32) },
      blockRandom: undefined,
    });
    const keyOf = (o: Outcome) => ({
      ogContractKey: o.contractKey!,
      currentContractKey: undefined,
      currentContractKeyProof: undefined,
    });

    const contracts: { address: Uint8Array; key: ReturnType<typeof keyOf> }[] = [];
    for (const [i, c] of [code.counter, code.caller].entries()) {
      const address = contractAddress(BigInt(i + 1), BigInt(i + 1), sender);
      const init = envelope(c, i === 0 ? { count: 10 } : {}, 1 + i);
      const msg = {
        typeUrl: COMPUTE_URLS.instantiate,
        value: encodeMsgInstantiateContract({
          sender,
          callbackCodeHash: "",
          codeId: BigInt(i + 1),
          label: `c${i}`,
          initMsg: init.bytes,
          initFunds: [],
          callbackSig: new Uint8Array(0),
          admin: "",
        }),
      };
      const out = enclave.call(
        "contractInstantiate",
        {
          ...common(c, address),
          sender,
          msg: init.bytes,
          sigInfo: { ...(await signDirect(wallet, [msg])), callbackSig: new Uint8Array(0) },
          callCounter,
          funds: [],
          admin: new Uint8Array(0),
        },
        ocalls,
      );
      assert.ok(out.ok, failure(out));
      callCounter = out.callCounter;
      contracts.push({ address, key: keyOf(out) });
    }
    const [counter, caller] = contracts as [(typeof contracts)[0], (typeof contracts)[0]];

    // The user's execute of the caller.
    const exec = envelope(
      code.caller,
      { call_increment: { contract: encodeAddress(counter.address), code_hash: hash(code.counter) } },
      3,
    );
    const execMsg = {
      typeUrl: COMPUTE_URLS.execute,
      value: encodeMsgExecuteContract({
        sender,
        contract: caller.address,
        msg: exec.bytes,
        callbackCodeHash: "",
        sentFunds: [],
        callbackSig: new Uint8Array(0),
      }),
    };
    const top = enclave.call(
      "contractExecute",
      {
        ...common(code.caller, caller.address),
        sender,
        msg: exec.bytes,
        sigInfo: { ...(await signDirect(wallet, [execMsg])), callbackSig: new Uint8Array(0) },
        callCounter,
        funds: [],
        contractKey: caller.key,
      },
      ocalls,
    );
    assert.ok(top.ok, failure(top));
    callCounter = top.callCounter;
    const [sub] = JSON.parse(top.messagesJson) as {
      reply_on: string;
      msg: { wasm: { execute: { msg: string; callback_sig: string } } };
    }[];
    assert.equal(sub!.reply_on, "always");

    // The dispatcher: the callee runs with the callback signature, the calling contract as sender.
    const subEnvelope = fromBase64(sub!.msg.wasm.execute.msg);
    const callee = enclave.call(
      "contractExecute",
      {
        ...common(code.counter, counter.address),
        sender: caller.address,
        msg: subEnvelope,
        sigInfo: { ...NO_SIG, callbackSig: fromBase64(sub!.msg.wasm.execute.callback_sig) },
        callCounter,
        funds: [],
        contractKey: counter.key,
      },
      ocalls,
    );
    assert.ok(callee.ok, failure(callee));
    assert.ok(callee.reply !== undefined);
    callCounter = callee.callCounter;

    const replyRequest = (callbackSig: Uint8Array) => ({
      ...common(code.caller, caller.address),
      contractKey: caller.key,
      origin: subEnvelope.slice(0, 64),
      reply: utf8Encode(
        JSON.stringify({
          id: toBase64(callee.reply!.internalMsgId),
          result: { ok: { events: [], data: null } },
          was_orig_msg_encrypted: true,
          is_encrypted: true,
        }),
      ),
      callbackSig,
      callCounter,
    });
    const forged = Uint8Array.from(callee.reply.internalReplyEnclaveSig);
    forged[31]! ^= 0x80;
    const refused = enclave.call("contractReply", replyRequest(forged), ocalls);
    assert.equal(refused.ok, false);
    assert.equal(refused.errorCode, "FAILED_TX_VERIFICATION");

    const replied = enclave.call("contractReply", replyRequest(callee.reply.internalReplyEnclaveSig), ocalls);
    assert.ok(replied.ok, failure(replied));
    assert.deepEqual(replied.attributes, [
      { key: "reply_id", value: "1" },
      { key: "reply_ok", value: "true" },
    ]);

    const query = (c: Uint8Array, target: (typeof contracts)[0], msg: object, nonceByte: number) => {
      const q = envelope(c, msg, nonceByte);
      const out = enclave.call(
        "contractQuery",
        { ...common(c, target.address), msg: q.bytes, contractKey: target.key, queryDepth: 1 },
        ocalls,
      );
      assert.ok(out.ok && out.answer !== undefined, failure(out));
      return JSON.parse(utf8Decode(fromBase64(utf8Decode(clientDecrypt(ioPk, clientSk, q.nonce, out.answer)))));
    };
    assert.deepEqual(query(code.counter, counter, { get_count: {} }, 4), { count: 11 });
    assert.deepEqual(query(code.caller, caller, { last_reply: {} }, 5), {
      id: 1,
      ok: true,
      data: null,
      error: null,
      events: [],
    });
  });
});
