/**
 * Fewer round trips, same outcome: a state read that misses carries its legacy key along, and a host
 * that answers that second read in the same reply (as the node's does) sees one ocall where a host
 * that does not sees two — with the same keys, in the same order, and the same gas and answer.
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { sha256 } from "../../src/crypto/index.ts";
import { createContractKey } from "../../src/enclave/contractKey.ts";
import { type ContractHost, ContractEngine } from "../../src/enclave/contracts.ts";
import { encryptInputEnvelope } from "../../src/enclave/io.ts";
import { utf8Encode } from "../../src/primitives/bytes.ts";
import { toHex } from "../../src/primitives/hex.ts";
import { createVm } from "../../src/vm/index.ts";
import { BLOCK, buildCounterWasm, clientSk, contract, ioPk, keys, sender } from "./enclaveContractsFixture.ts";

let code: Uint8Array;

before(() => {
  code = buildCounterWasm();
});

/** A host over an empty store whose reads cost 7 gas; `combined` answers the fallback read too. */
function recordingHost(combined: boolean) {
  const ocalls: string[] = [];
  const host: ContractHost = {
    stateRead: (_c, key, fallbackKey) => {
      ocalls.push(`read ${toHex(key)}${combined && fallbackKey ? ` then ${toHex(fallbackKey)}` : ""}`);
      if (!combined || fallbackKey === undefined) return { value: undefined, gas: 7n };
      return { value: undefined, gas: 7n, fallback: { value: undefined, gas: 7n } };
    },
    stateRemove: () => ({ gas: 0n }),
    stateWrite: () => undefined,
    contract: () => undefined,
    chainQuery: () => ({ response: utf8Encode('{"Err":{"unsupported_request":{"kind":"test"}}}'), gas: 0n }),
  };
  return { host, ocalls };
}

describe("state ocalls", () => {
  it("a missed read and its legacy read go in one ocall to a host that answers both, with the same outcome", () => {
    const hash = sha256(code);
    const ck = createContractKey(keys, sender, 1n, hash, contract);
    const run = (combined: boolean) => {
      const { host, ocalls } = recordingHost(combined);
      const msg = encryptInputEnvelope(
        ioPk,
        clientSk,
        new Uint8Array(32).fill(3),
        toHex(hash),
        utf8Encode('{"get_count":{}}'),
      );
      const result = new ContractEngine(keys, createVm()).query(
        {
          code,
          block: BLOCK,
          contract,
          gasLimitWasm: 5_000_000_000n,
          msg,
          contractKey: { ogContractKey: ck },
          queryDepth: 1,
        },
        host,
      );
      return { result, ocalls };
    };
    const separate = run(false);
    const together = run(true);
    assert.deepEqual(together.result, separate.result);
    assert.ok(separate.result.gas !== null && separate.result.gas.external > 0n, "the reads were not charged");
    assert.ok(separate.ocalls.length >= 2 && separate.ocalls.length % 2 === 0, separate.ocalls.join("\n"));
    assert.equal(together.ocalls.length, separate.ocalls.length / 2);
    // The same keys, in the same order: each combined ocall is a current read followed by its legacy read.
    const pairs = together.ocalls.map((o) => o.split(" then "));
    assert.deepEqual(
      pairs.flat().map((k) => k.replace(/^read /, "")),
      separate.ocalls.map((k) => k.replace(/^read /, "")),
    );
  });
});
