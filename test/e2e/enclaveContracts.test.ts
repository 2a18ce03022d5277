/**
 * A full encrypted contract flow through the real enclave worker: bootstrap, then instantiate,
 * execute and query the AssemblyScript counter with inputs encrypted for the enclave's IO key and
 * transactions signed by the secretjs wallet. The host side keeps state in a Map behind the ocalls
 * and records every byte it receives from the enclave; the boundary test searches those bytes for
 * the plaintext message and state.
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
import { type WorkerEnclave, createWorkerEnclave } from "../../src/enclave-api/workerEnclave.ts";
import { fromBase64 } from "../../src/primitives/base64.ts";
import { decodeAddress, encodeAddress } from "../../src/primitives/bech32.ts";
import { utf8Decode, utf8Encode } from "../../src/primitives/bytes.ts";
import { toHex } from "../../src/primitives/hex.ts";
import { MNEMONICS, Wallet, signDirect } from "../helpers/secretjsTx.ts";
// Test-side client encryption (what secretjs does; proven equal in test/vectors/secretjsInterop.test.ts).
import { clientDecrypt, encryptInputEnvelope } from "../../src/enclave/io.ts";
import { contractAddress } from "../../src/enclave/contractKey.ts";

const ENTRY = new URL("../../src/enclave/main.ts", import.meta.url);
const home = mkdtempSync(join(tmpdir(), "scrt-enclave-contracts-"));
const clientSk = new Uint8Array(32).fill(0x33);
const BLOCK = { height: 5n, timeNanos: 1_700_000_000_000_000_000n, chainId: "secretdev-1" };
const GAS = 5_000_000_000n;

let enclave: WorkerEnclave;
let ioPk: Uint8Array;
let code: Uint8Array;

/** Host-side state plus a record of everything that crossed from the enclave. */
const state = new Map<string, Uint8Array>();
const received: Uint8Array[] = [];
const stateId = (contract: Uint8Array, key: Uint8Array) => `${toHex(contract)}:${toHex(key)}`;
const ocalls: OcallHandlers = {
  contractStateRead: ({ contract, key }) => {
    received.push(key);
    return { value: state.get(stateId(contract, key)), gas: 100n };
  },
  contractStateRemove: ({ contract, key }) => {
    received.push(key);
    state.delete(stateId(contract, key));
    return { gas: 100n };
  },
  contractStateWrite: ({ contract, ops }) => {
    for (const op of ops) {
      received.push(op.legacyKey, op.storedKey, op.storedValue);
      state.delete(stateId(contract, op.legacyKey));
      state.set(stateId(contract, op.storedKey), op.storedValue);
    }
    return {};
  },
  contractLookup: () => ({ found: undefined }),
  codeLookup: ({ codeHash }) => ({ code: toHex(codeHash) === toHex(sha256(code)) ? code : undefined }),
  chainQuery: ({ request }) => {
    received.push(request);
    return { response: utf8Encode('{"Err":{"unknown":{}}}'), gas: 0n };
  },
};

/** Records every string and byte string of an ecall's outcome. */
function record(value: unknown): void {
  if (value instanceof Uint8Array) received.push(value);
  else if (typeof value === "string") received.push(utf8Encode(value));
  else if (Array.isArray(value)) value.forEach(record);
  else if (typeof value === "object" && value !== null) Object.values(value).forEach(record);
}

before(async () => {
  const build = spawnSync(process.execPath, ["scripts/build-contracts.mjs"], { encoding: "utf8" });
  assert.equal(build.status, 0, build.stderr);
  code = new Uint8Array(readFileSync("contracts/build/counter.wasm"));
  enclave = await createWorkerEnclave({ entry: ENTRY, home });
  ioPk = enclave.call("bootstrap", {}).ioExchKey;
});
after(async () => {
  await enclave.close();
  rmSync(home, { recursive: true, force: true });
});

function envelope(msg: object, nonceByte: number) {
  const nonce = new Uint8Array(32).fill(nonceByte);
  const hash = toHex(sha256(code));
  return { nonce, bytes: encryptInputEnvelope(ioPk, clientSk, nonce, hash, utf8Encode(JSON.stringify(msg))) };
}

describe("contracts through the enclave worker", () => {
  it("instantiate → execute → query, outputs decrypt for the sender, and the host never sees plaintext", async () => {
    const wallet = new Wallet(MNEMONICS.a);
    const sender = decodeAddress(wallet.address);
    const contract = contractAddress(1n, 1n, sender);
    const init = envelope({ count: 7 }, 1);
    const initMsg = {
      typeUrl: COMPUTE_URLS.instantiate,
      value: encodeMsgInstantiateContract({
        sender,
        callbackCodeHash: "",
        codeId: 1n,
        label: "c",
        initMsg: init.bytes,
        initFunds: [],
        callbackSig: new Uint8Array(0),
        admin: "",
      }),
    };
    const sigInfo = { ...(await signDirect(wallet, [initMsg])), callbackSig: new Uint8Array(0) };
    const signed = {
      codeHash: sha256(code),
      block: BLOCK,
      contract,
      gasLimitWasm: GAS,
      sender,
      transaction: { index: 0, hash: "AA".repeat(32) },
    };
    const instantiated = enclave.call(
      "contractInstantiate",
      {
        ...signed,
        msg: init.bytes,
        sigInfo,
        blockRandom: undefined,
        callCounter: { height: 0n, counter: 0n },
        funds: [],
        admin: new Uint8Array(0),
      },
      ocalls,
    );
    record(instantiated);
    assert.ok(instantiated.ok, `${instantiated.errorCode} ${instantiated.errorMessage}`);
    assert.ok(instantiated.contractKey !== undefined);
    const contractKey = {
      ogContractKey: instantiated.contractKey,
      currentContractKey: undefined,
      currentContractKeyProof: undefined,
    };

    const exec = envelope({ increment: {} }, 2);
    const execMsg = {
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
    const executed = enclave.call(
      "contractExecute",
      {
        ...signed,
        msg: exec.bytes,
        sigInfo: { ...(await signDirect(wallet, [execMsg])), callbackSig: new Uint8Array(0) },
        blockRandom: undefined,
        callCounter: instantiated.callCounter,
        funds: [],
        contractKey,
      },
      ocalls,
    );
    record(executed);
    assert.ok(executed.ok, `${executed.errorCode} ${executed.errorMessage}`);
    const action = executed.attributes.find(
      (a) => utf8Decode(clientDecrypt(ioPk, clientSk, exec.nonce, fromBase64(a.key))) === "action",
    );
    assert.ok(action, "the action attribute did not decrypt for the sender");

    const q = envelope({ get_count: {} }, 3);
    const answered = enclave.call(
      "contractQuery",
      { codeHash: sha256(code), block: BLOCK, contract, gasLimitWasm: GAS, msg: q.bytes, contractKey, queryDepth: 1 },
      ocalls,
    );
    record(answered);
    assert.ok(answered.ok && answered.answer !== undefined, `${answered.errorCode} ${answered.errorMessage}`);
    const b64 = utf8Decode(clientDecrypt(ioPk, clientSk, q.nonce, answered.answer));
    assert.deepEqual(JSON.parse(utf8Decode(fromBase64(b64))), { count: 8 });

    // The boundary: the plaintext messages, state keys and the owner address stored in state never
    // reached the host (the contract marks only its "count" attribute plaintext, and none was emitted here).
    const secrets = ["increment", "get_count", '"count"', "owner", encodeAddress(sender)];
    assert.ok(received.length > 10, "nothing was recorded");
    for (const bytes of received) {
      const text = Buffer.from(bytes).toString("latin1");
      for (const secret of secrets) assert.ok(!text.includes(secret), `the host received ${JSON.stringify(secret)}`);
    }
  });

  it("a tampered envelope is refused with the enclave's code and nothing is written", async () => {
    const sizeBefore = state.size;
    const q = envelope({ get_count: {} }, 4).bytes;
    q[90]! ^= 0x10;
    const answered = enclave.call(
      "contractQuery",
      {
        codeHash: sha256(code),
        block: BLOCK,
        contract: new Uint8Array(20),
        gasLimitWasm: GAS,
        msg: q,
        contractKey: {
          ogContractKey: new Uint8Array(64),
          currentContractKey: undefined,
          currentContractKeyProof: undefined,
        },
        queryDepth: 1,
      },
      ocalls,
    );
    assert.equal(answered.ok, false);
    assert.equal(answered.errorKind, "enclave");
    assert.equal(answered.errorCode, "FAILED_CONTRACT_AUTHENTICATION");
    assert.equal(state.size, sizeBefore);
  });

  it("the host names codes by hash: asked for once, refused when unknown or not the bytes of the hash", () => {
    const contractKey = {
      ogContractKey: new Uint8Array(64),
      currentContractKey: undefined,
      currentContractKeyProof: undefined,
    };
    const query = (codeHash: Uint8Array, lookup: OcallHandlers["codeLookup"]) =>
      enclave.call(
        "contractQuery",
        {
          codeHash,
          block: BLOCK,
          contract: new Uint8Array(20),
          gasLimitWasm: GAS,
          msg: envelope({ get_count: {} }, 5).bytes,
          contractKey,
          queryDepth: 1,
        },
        { ...ocalls, codeLookup: lookup! },
      );
    // The counter code ran in the tests above: it is cached, so the host is not asked for it.
    let asked = 0;
    const counted = query(sha256(code), () => {
      asked++;
      return { code };
    });
    assert.equal(asked, 0);
    assert.equal(counted.errorCode, "FAILED_CONTRACT_AUTHENTICATION"); // the code ran up to the key check
    // A hash the host has no code for.
    const unknown = query(sha256(Uint8Array.of(1, 2, 3)), () => ({ code: undefined }));
    assert.equal(unknown.ok, false);
    assert.equal(unknown.errorCode, "CODE_UNAVAILABLE");
    // Bytes that are not the code of the hash (the counter's bytes for the caller's hash) are refused
    // and not kept: asked again, the right bytes are accepted.
    const caller = new Uint8Array(readFileSync("contracts/build/caller.wasm"));
    const lying = query(sha256(caller), () => ({ code }));
    assert.equal(lying.errorCode, "CODE_HASH_MISMATCH");
    asked = 0;
    const honest = query(sha256(caller), () => {
      asked++;
      return { code: caller };
    });
    assert.equal(asked, 1);
    assert.equal(honest.errorCode, "FAILED_CONTRACT_AUTHENTICATION");
  });
});
