/**
 * The engine's caches never change an outcome: a code array changed in place is hashed again (so a
 * contract key made for the old bytes no longer validates), a contract key that once passed does not
 * let a different key through, and a key that failed keeps failing.
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { sha256 } from "../../src/crypto/index.ts";
import { createContractKey } from "../../src/enclave/contractKey.ts";
import { type CallFailure, type ContractHost, ContractEngine, type QuerySuccess } from "../../src/enclave/contracts.ts";
import { encryptInputEnvelope } from "../../src/enclave/io.ts";
import { utf8Encode } from "../../src/primitives/bytes.ts";
import { toHex } from "../../src/primitives/hex.ts";
import { createVm } from "../../src/vm/index.ts";
import { BLOCK, buildCounterWasm, clientSk, contract, ioPk, keys, sender } from "./enclaveContractsFixture.ts";

let code: Uint8Array;

before(() => {
  code = buildCounterWasm();
});

const host: ContractHost = {
  stateRead: () => ({ value: undefined, gas: 0n }),
  stateRemove: () => ({ gas: 0n }),
  stateWrite: () => undefined,
  contract: () => undefined,
  chainQuery: () => ({ response: utf8Encode('{"Err":{"unsupported_request":{"kind":"test"}}}'), gas: 0n }),
};

function query(
  engine: ContractEngine,
  codeBytes: Uint8Array,
  ogContractKey: Uint8Array,
  hashHex: string,
): QuerySuccess | CallFailure {
  const msg = encryptInputEnvelope(ioPk, clientSk, new Uint8Array(32).fill(3), hashHex, utf8Encode('{"get_count":{}}'));
  return engine.query(
    {
      code: codeBytes,
      block: BLOCK,
      contract,
      gasLimitWasm: 5_000_000_000n,
      msg,
      contractKey: { ogContractKey },
      queryDepth: 1,
    },
    host,
  );
}

const authFailed = (r: QuerySuccess | CallFailure): boolean =>
  !r.ok && r.error.kind === "enclave" && r.error.code === "FAILED_CONTRACT_AUTHENTICATION";

describe("engine caches", () => {
  it("hashes a code array again when its bytes changed in place", () => {
    const engine = new ContractEngine(keys, createVm());
    const bytes = Uint8Array.from(code);
    const hash = sha256(bytes);
    const ck = createContractKey(keys, sender, 1n, hash, contract);
    const first = query(engine, bytes, ck, toHex(hash));
    assert.ok(first.ok, JSON.stringify(first.ok ? {} : first.error));
    assert.ok(query(engine, bytes, ck, toHex(hash)).ok);
    bytes[bytes.length - 1]! ^= 1;
    assert.ok(authFailed(query(engine, bytes, ck, toHex(hash))));
    // A key made for the changed bytes validates under them.
    const changedHash = sha256(bytes);
    const changedKey = createContractKey(keys, sender, 1n, changedHash, contract);
    assert.ok(!authFailed(query(engine, bytes, changedKey, toHex(changedHash))));
    bytes[bytes.length - 1]! ^= 1;
    assert.ok(authFailed(query(engine, bytes, changedKey, toHex(changedHash))));
    assert.ok(!authFailed(query(engine, Uint8Array.from(bytes), ck, toHex(hash))));
  });

  it("remembers only passed contract-key checks, for the exact same inputs", () => {
    const engine = new ContractEngine(keys, createVm());
    const hash = sha256(code);
    const ck = createContractKey(keys, sender, 1n, hash, contract);
    const bad = Uint8Array.from(ck);
    bad[63]! ^= 1;
    assert.ok(authFailed(query(engine, code, bad, toHex(hash))));
    assert.ok(query(engine, code, ck, toHex(hash)).ok);
    assert.ok(authFailed(query(engine, code, bad, toHex(hash))));
    assert.ok(query(engine, code, ck, toHex(hash)).ok);
  });
});
