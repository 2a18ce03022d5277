/**
 * Signature hints (`src/app/compute/hints.ts`): while a block is delivered, each tx's contract call
 * carries the signature the next tx's call will carry — exactly the bytes the enclave will be asked to
 * verify — and nothing is hinted outside block delivery.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { APP_STORE_NAMES, SecretApp, contractAddress } from "../../src/app/index.ts";
import type { EnclaveForCompute } from "../../src/app/compute/types.ts";
import {
  COMPUTE_URLS,
  encodeMsgExecuteContract,
  encodeMsgInstantiateContract,
  encodeMsgStoreCode,
} from "../../src/codec/compute.ts";
import { sha256 } from "../../src/crypto/index.ts";
import { createMemoryDatabase, openMultiStore } from "../../src/store/index.ts";
import { scriptedOutcome } from "../helpers/appCompute.ts";
import { blockTime, genesisFor, signTx, testKey } from "../helpers/appTx.ts";

type Request = {
  readonly sigInfo: { signMode: number; signBytes: Uint8Array; publicKey: Uint8Array; signature: Uint8Array };
  readonly upcoming?: readonly {
    signMode: number;
    signBytes: Uint8Array;
    publicKey: Uint8Array;
    signature: Uint8Array;
  }[];
};

/** An enclave that answers every call with a success, after recording the request. */
function recordingEnclave(calls: { name: string; request: Request }[]): EnclaveForCompute {
  return {
    checkCode: (code) => ({ code, codeHash: sha256(code) }),
    call: (name, request) => {
      calls.push({ name, request: request as unknown as Request });
      return scriptedOutcome({
        callCounter: { height: 0n, counter: 0n },
        contractKey: new Uint8Array(64),
        adminProof: new Uint8Array(32),
      });
    },
  };
}

const FEE = [{ denom: "uscrt", amount: "5000" }];

describe("compute signature hints", () => {
  it("each delivered tx's call carries the next tx's signature as the enclave will see it, and only then", () => {
    const keys = [0, 1, 2].map((i) => testKey(`hints ${i}`));
    const calls: { name: string; request: Request }[] = [];
    const store = openMultiStore(createMemoryDatabase(), { storeNames: APP_STORE_NAMES });
    const app = new SecretApp({ store, enclave: recordingEnclave(calls) });
    app.initChain(genesisFor(keys.map((key) => ({ key, coins: [{ denom: "uscrt", amount: "1000000000" }] }))));
    const creator = keys[0]!;
    const code = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);
    const store1 = signTx({
      messages: [
        {
          typeUrl: COMPUTE_URLS.storeCode,
          value: encodeMsgStoreCode({ sender: creator.address, wasmByteCode: code, source: "", builder: "" }),
        },
      ],
      signer: creator,
      accountNumber: 0n,
      sequence: 0n,
      gas: 10_000_000n,
      fee: FEE,
    });
    const init = signTx({
      messages: [
        {
          typeUrl: COMPUTE_URLS.instantiate,
          value: encodeMsgInstantiateContract({
            sender: creator.address,
            callbackCodeHash: "",
            codeId: 1n,
            label: "hinted",
            initMsg: new Uint8Array(100),
            initFunds: [],
            callbackSig: new Uint8Array(0),
            admin: "",
          }),
        },
      ],
      signer: creator,
      accountNumber: 0n,
      sequence: 1n,
      gas: 10_000_000n,
      fee: FEE,
    });
    const first = app.finalizeBlock({ height: 1, timeNanos: blockTime(1), txs: [store1, init] });
    assert.deepEqual(
      first.txResults.map((r) => r.code),
      [0, 0],
      first.txResults.map((r) => r.log).join("; "),
    );
    app.commit();
    const contract = contractAddress(1n, 1n, creator.address);
    const executes = keys.map((k, i) =>
      signTx({
        messages: [
          {
            typeUrl: COMPUTE_URLS.execute,
            value: encodeMsgExecuteContract({
              sender: k.address,
              contract,
              msg: new Uint8Array(100).fill(i + 1),
              callbackCodeHash: "",
              sentFunds: [],
              callbackSig: new Uint8Array(0),
            }),
          },
        ],
        signer: k,
        accountNumber: BigInt(i),
        sequence: i === 0 ? 2n : 0n,
        gas: 400_000n,
        fee: FEE,
      }),
    );
    // The instantiate call of block 1 hinted nothing (it was the last tx).
    assert.equal(calls.at(-1)?.name, "contractInstantiate");
    assert.equal(calls.at(-1)?.request.upcoming, undefined);
    calls.length = 0;
    for (const tx of executes) assert.equal(app.checkTx(tx).code, 0);
    assert.equal(calls.length, 0, "CheckTx does not call the enclave");
    const second = app.finalizeBlock({ height: 2, timeNanos: blockTime(2), txs: executes });
    assert.deepEqual(
      second.txResults.map((r) => r.code),
      [0, 0, 0],
      second.txResults.map((r) => r.log).join("; "),
    );
    assert.equal(calls.length, 3);
    for (let i = 0; i < 3; i++) {
      const hinted = calls[i]!.request.upcoming;
      if (i === 2) {
        assert.equal(hinted, undefined, "the last tx of the block has no next tx");
        continue;
      }
      const next = calls[i + 1]!.request.sigInfo;
      assert.equal(hinted?.length, 1);
      assert.deepEqual(hinted[0], {
        signMode: next.signMode,
        signBytes: next.signBytes,
        publicKey: next.publicKey,
        signature: next.signature,
      });
    }
  });
});
