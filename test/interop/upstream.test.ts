/**
 * Compatibility with real Secret contract binaries built by upstream's Rust toolchain. Not part of
 * `npm test`: the binaries are not in this repository. Run `npm run test:interop` with
 * SCRT_UPSTREAM_WASM_DIR naming a folder holding upstream's `x/compute/internal/keeper/testdata/*.wasm`
 * (read them out of a scrtlabs/SecretNetwork checkout with git; see CONTRIBUTING.md).
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { COMPUTE_URLS, encodeMsgExecuteContract, encodeMsgInstantiateContract } from "../../src/codec/compute.ts";
import type { Any } from "../../src/codec/tx.ts";
import { sha256 } from "../../src/crypto/index.ts";
import { contractAddress } from "../../src/enclave/contractKey.ts";
import { type ContractHost, ContractEngine } from "../../src/enclave/contracts.ts";
import { clientDecrypt, encryptInputEnvelope } from "../../src/enclave/io.ts";
import { KeyChain } from "../../src/enclave/keys.ts";
import { fromBase64 } from "../../src/primitives/base64.ts";
import { decodeAddress } from "../../src/primitives/bech32.ts";
import { utf8Decode, utf8Encode } from "../../src/primitives/bytes.ts";
import { toHex } from "../../src/primitives/hex.ts";
import { createVm } from "../../src/vm/index.ts";
import { MNEMONICS, Wallet, signDirect } from "../helpers/secretjsTx.ts";

const DIR = process.env.SCRT_UPSTREAM_WASM_DIR;
if (DIR === undefined || !existsSync(DIR)) {
  throw new Error("set SCRT_UPSTREAM_WASM_DIR to a folder of upstream's keeper testdata .wasm files");
}
const read = (name: string) => new Uint8Array(readFileSync(join(DIR, name)));

const keys = KeyChain.fromSeeds([new Uint8Array(32).fill(4), new Uint8Array(32).fill(5)]);
const ioPk = keys.publicKeys().ioExchKey;
const clientSk = new Uint8Array(32).fill(0x21);
const BLOCK = { height: 100n, timeNanos: 1_700_000_000_000_000_000n, chainId: "secretdev-1" };
const GAS = 10_000_000_000n;

function mapHost(): ContractHost {
  const state = new Map<string, Uint8Array>();
  const id = (c: Uint8Array, k: Uint8Array) => `${toHex(c)}:${toHex(k)}`;
  return {
    stateRead: (c, k) => ({ value: state.get(id(c, k)), gas: 100n }),
    stateRemove: (c, k) => (state.delete(id(c, k)), { gas: 100n }),
    stateWrite: (c, ops) => {
      for (const op of ops) {
        state.delete(id(c, op.legacyKey));
        state.set(id(c, op.storedKey), op.storedValue);
      }
    },
    contract: () => undefined,
    chainQuery: () => ({ response: utf8Encode('{"Err":{"unknown":{}}}'), gas: 0n }),
  };
}

/** A small chain of one contract: instantiate, execute and query through the enclave's engine. */
async function deploy(file: string, initMsg: object) {
  const code = read(file);
  const codeHash = toHex(sha256(code));
  const engine = new ContractEngine(keys, createVm());
  const host = mapHost();
  const wallet = new Wallet(MNEMONICS.a);
  const sender = decodeAddress(wallet.address);
  const contract = contractAddress(1n, 1n, sender);
  let nonceByte = 0;
  const envelope = (msg: object) => {
    const nonce = new Uint8Array(32).fill(++nonceByte);
    return { nonce, bytes: encryptInputEnvelope(ioPk, clientSk, nonce, codeHash, utf8Encode(JSON.stringify(msg))) };
  };
  const decrypt = (nonce: Uint8Array, ct: Uint8Array) => utf8Decode(clientDecrypt(ioPk, clientSk, nonce, ct));
  const init = envelope(initMsg);
  const initAny: Any = {
    typeUrl: COMPUTE_URLS.instantiate,
    value: encodeMsgInstantiateContract({
      sender,
      callbackCodeHash: "",
      codeId: 1n,
      label: file,
      initMsg: init.bytes,
      initFunds: [],
      callbackSig: new Uint8Array(0),
      admin: "",
    }),
  };
  const common = {
    code,
    block: BLOCK,
    contract,
    gasLimitWasm: GAS,
    sender,
    transaction: { index: 0, hash: "EE".repeat(32) },
    blockRandom: null,
  };
  const instantiated = engine.instantiate(
    {
      ...common,
      msg: init.bytes,
      sigInfo: await signDirect(wallet, [initAny]),
      callCounter: { height: 0n, counter: 0n },
      funds: [],
      admin: new Uint8Array(0),
    },
    host,
  );
  const execute = async (msg: object) => {
    assert.ok(instantiated.ok);
    const e = envelope(msg);
    const any: Any = {
      typeUrl: COMPUTE_URLS.execute,
      value: encodeMsgExecuteContract({
        sender,
        contract,
        msg: e.bytes,
        callbackCodeHash: "",
        sentFunds: [],
        callbackSig: new Uint8Array(0),
      }),
    };
    const result = engine.execute(
      {
        ...common,
        msg: e.bytes,
        sigInfo: await signDirect(wallet, [any]),
        callCounter: instantiated.callCounter,
        funds: [],
        contractKey: { ogContractKey: instantiated.contractKey },
      },
      host,
    );
    return { nonce: e.nonce, result };
  };
  const query = (msg: object) => {
    assert.ok(instantiated.ok);
    const q = envelope(msg);
    const result = engine.query(
      {
        code,
        block: BLOCK,
        contract,
        gasLimitWasm: GAS,
        msg: q.bytes,
        contractKey: { ogContractKey: instantiated.contractKey },
        queryDepth: 1,
      },
      host,
    );
    return { nonce: q.nonce, result };
  };
  return { init, instantiated, execute, query, decrypt };
}

describe("upstream contract binaries", () => {
  it("pass or fail the store checks as upstream's keeper tests expect", () => {
    const vm = createVm();
    const files = readdirSync(DIR).filter((f) => f.endsWith(".wasm") || f.endsWith(".wasm.gz"));
    assert.ok(files.length >= 10, `only ${files.length} binaries in ${DIR}`);
    for (const file of files) {
      // Upstream's TestWasmTooHighInitialMemoryStaticFail: 513 initial pages are refused at store.
      const refused = file === "static-too-high-initial-memory.wasm";
      let outcome: string;
      try {
        vm.storeCheck(read(file));
        outcome = "stored";
      } catch (e) {
        outcome = `refused: ${(e as Error).message.slice(0, 120)}`;
      }
      assert.equal(outcome === "stored", !refused, `${file}: ${outcome}`);
    }
  });

  it("stores a gzipped code with the same code hash as the raw one", () => {
    const vm = createVm();
    const gz = vm.storeCheck(read("test_gzip_contract.wasm.gz"));
    const raw = vm.storeCheck(read("test_gzip_contract_raw.wasm"));
    assert.deepEqual(toHex(gz.codeHash as Uint8Array), toHex(raw.codeHash as Uint8Array));
  });

  it("v1 test contract: instantiate, execute and query, encrypted end to end", async () => {
    const c = await deploy("v1-contract.wasm", { counter: { counter: 10, expires: 100 } });
    assert.ok(c.instantiated.ok, JSON.stringify(c.instantiated.ok ? "" : c.instantiated.error));
    const { result } = await c.execute({ increment: { addition: 3 } });
    assert.ok(result.ok, JSON.stringify(result.ok ? "" : result.error));
    const q = c.query({ get: {} });
    assert.ok(q.result.ok, JSON.stringify(q.result.ok ? "" : q.result.error));
    assert.deepEqual(JSON.parse(utf8Decode(fromBase64(c.decrypt(q.nonce, q.result.answer)))), { get: { count: 13 } });
    const err = c.query({ contract_error: { error_type: "generic_err" } });
    assert.ok(!err.result.ok && err.result.error.kind === "contract");
    if (!err.result.ok && err.result.error.kind === "contract") {
      assert.match(c.decrypt(err.nonce, fromBase64(err.result.error.b64)), /^Generic error: /);
    }
  });

  it("v0.10 test contract: init and query, encrypted end to end", async () => {
    const c = await deploy("contract.wasm", { counter: { counter: 5 } });
    assert.ok(c.instantiated.ok, JSON.stringify(c.instantiated.ok ? "" : c.instantiated.error));
    assert.equal(c.instantiated.apiVersion, "v0.10");
    const q = c.query({ get: {} });
    assert.ok(q.result.ok, JSON.stringify(q.result.ok ? "" : q.result.error));
    assert.deepEqual(JSON.parse(utf8Decode(fromBase64(c.decrypt(q.nonce, q.result.answer)))), { get: { count: 5 } });
    const nop = await deploy("contract.wasm", { nop: {} });
    assert.ok(nop.instantiated.ok);
    const attr = nop.instantiated.attributes[0]!;
    assert.equal(nop.decrypt(nop.init.nonce, fromBase64(attr.key)), "init");
    assert.equal(nop.decrypt(nop.init.nonce, fromBase64(attr.value)), "🌈");
  });

  it("stores a 193-page contract but refuses to instantiate it, as upstream's runtime test expects", async () => {
    const c = await deploy("too-high-initial-memory.wasm", { nop: {} });
    assert.ok(!c.instantiated.ok && c.instantiated.error.kind === "enclave");
    if (!c.instantiated.ok && c.instantiated.error.kind === "enclave") {
      assert.equal(c.instantiated.error.message, "failed to initialize wasm memory");
    }
  });

  it("refuses to instantiate the float contract with upstream's error", async () => {
    const c = await deploy("contract_with_floats.wasm", { nop: {} });
    assert.ok(!c.instantiated.ok && c.instantiated.error.kind === "enclave");
    if (!c.instantiated.ok && c.instantiated.error.kind === "enclave") {
      assert.equal(c.instantiated.error.message, "found floating point operation in module code");
    }
  });
});
