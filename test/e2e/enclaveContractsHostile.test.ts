/**
 * Hostile fixtures through the real enclave worker: unbounded recursion, an endless loop, a memory bomb
 * and a float module must each end with their error code inside the worker's own limits (stack,
 * heap), write nothing, report the same gas on a second run, and leave the worker serving.
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
import { decodeAddress } from "../../src/primitives/bech32.ts";
import { utf8Encode } from "../../src/primitives/bytes.ts";
import { toHex } from "../../src/primitives/hex.ts";
import { MNEMONICS, Wallet, signDirect } from "../helpers/secretjsTx.ts";
import { encryptInputEnvelope } from "../../src/enclave/io.ts";
import { contractAddress } from "../../src/enclave/contractKey.ts";

const ENTRY = new URL("../../src/enclave/main.ts", import.meta.url);
const home = mkdtempSync(join(tmpdir(), "scrt-enclave-hostile-"));
const clientSk = new Uint8Array(32).fill(0x55);
const BLOCK = { height: 3n, timeNanos: 1_700_000_000_000_000_000n, chainId: "secretdev-1" };
const GAS = 200_000_000n;

let enclave: WorkerEnclave;
let ioPk: Uint8Array;

const state = new Map<string, Uint8Array>();
const stateId = (contract: Uint8Array, key: Uint8Array) => `${toHex(contract)}:${toHex(key)}`;
/** The host's stored codes by hex hash (the enclave asks for one when its cache misses). */
const codes = new Map<string, Uint8Array>();
const ocalls: OcallHandlers = {
  contractStateRead: ({ contract, key }) => ({ value: state.get(stateId(contract, key)), gas: 10n }),
  contractStateRemove: ({ contract, key }) => {
    state.delete(stateId(contract, key));
    return { gas: 10n };
  },
  contractStateWrite: ({ contract, ops }) => {
    for (const op of ops) state.set(stateId(contract, op.storedKey), op.storedValue);
    return {};
  },
  contractLookup: () => ({ found: undefined }),
  chainQuery: () => ({ response: utf8Encode('{"Err":{"unknown":{}}}'), gas: 0n }),
  codeLookup: ({ codeHash }) => ({ code: codes.get(toHex(codeHash)) }),
};

before(async () => {
  const build = spawnSync(process.execPath, ["scripts/build-contracts.mjs"], { encoding: "utf8" });
  assert.equal(build.status, 0, build.stderr);
  enclave = await createWorkerEnclave({ entry: ENTRY, home });
  ioPk = enclave.call("bootstrap", {}).ioExchKey;
});
after(async () => {
  await enclave.close();
  rmSync(home, { recursive: true, force: true });
});

/** Stores `code` on the host side; returns its hash. */
function stored(code: Uint8Array): Uint8Array {
  const codeHash = sha256(code);
  codes.set(toHex(codeHash), code);
  return codeHash;
}

describe("hostile fixtures through the enclave worker", () => {
  it("recursion, an endless loop, a memory bomb and floats fail with their codes; the worker keeps serving", async () => {
    const wallet = new Wallet(MNEMONICS.c);
    const sender = decodeAddress(wallet.address);
    let nonceByte = 0;
    const envelope = (code: Uint8Array) => {
      const nonce = new Uint8Array(32).fill(++nonceByte);
      return encryptInputEnvelope(ioPk, clientSk, nonce, toHex(sha256(code)), utf8Encode("{}"));
    };
    const common = (code: Uint8Array, contract: Uint8Array) => ({
      codeHash: stored(code),
      block: BLOCK,
      contract,
      gasLimitWasm: GAS,
      sender,
      transaction: { index: 0, hash: "AB".repeat(32) },
      blockRandom: undefined,
      callCounter: { height: 0n, counter: 0n },
      funds: [],
    });
    const instantiate = async (name: string, instance: bigint) => {
      const code = new Uint8Array(readFileSync(`contracts/build/${name}.wasm`));
      const contract = contractAddress(instance, instance, sender);
      const msg = envelope(code);
      const any = {
        typeUrl: COMPUTE_URLS.instantiate,
        value: encodeMsgInstantiateContract({
          sender,
          callbackCodeHash: "",
          codeId: instance,
          label: name,
          initMsg: msg,
          initFunds: [],
          callbackSig: new Uint8Array(0),
          admin: "",
        }),
      };
      const out = enclave.call(
        "contractInstantiate",
        {
          ...common(code, contract),
          msg,
          sigInfo: { ...(await signDirect(wallet, [any])), callbackSig: new Uint8Array(0) },
          admin: new Uint8Array(0),
        },
        ocalls,
      );
      return { code, contract, out };
    };
    const execute = async (c: Awaited<ReturnType<typeof instantiate>>) => {
      const msg = envelope(c.code);
      const any = {
        typeUrl: COMPUTE_URLS.execute,
        value: encodeMsgExecuteContract({
          sender,
          contract: c.contract,
          msg,
          callbackCodeHash: "",
          sentFunds: [],
          callbackSig: new Uint8Array(0),
        }),
      };
      const before = new Map(state);
      const out = enclave.call(
        "contractExecute",
        {
          ...common(c.code, c.contract),
          msg,
          sigInfo: { ...(await signDirect(wallet, [any])), callbackSig: new Uint8Array(0) },
          contractKey: {
            ogContractKey: c.out.contractKey!,
            currentContractKey: undefined,
            currentContractKeyProof: undefined,
          },
        },
        ocalls,
      );
      assert.deepEqual(state, before, "a failed call wrote state");
      return out;
    };

    const floats = await instantiate("floats", 1n);
    assert.equal(floats.out.ok, false);
    assert.equal(floats.out.errorCode, "VM_FLOATS");

    for (const [name, code] of [
      ["recursion", "VM_STACK_OVERFLOW"],
      ["endless-loop", "VM_OUT_OF_GAS"],
    ] as const) {
      const c = await instantiate(name, name === "recursion" ? 2n : 3n);
      assert.ok(c.out.ok, `${c.out.errorCode} ${c.out.errorMessage}`);
      const first = await execute(c);
      const second = await execute(c);
      assert.equal(first.ok, false);
      assert.equal(first.errorKind, "enclave");
      assert.equal(first.errorCode, code, `${name}: ${first.errorMessage}`);
      assert.deepEqual(second.gas, first.gas, `${name}: gas differs between runs`);
    }

    const bomb = await instantiate("memory-bomb", 4n);
    assert.ok(bomb.out.ok);
    const grown = await execute(bomb);
    assert.ok(grown.ok, `${grown.errorCode} ${grown.errorMessage}`);
    assert.deepEqual(grown.attributes, [{ key: "pages", value: "192" }]);

    assert.deepEqual(enclave.call("ping", {}), {});
  });
});
