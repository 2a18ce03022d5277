/**
 * What the enclave contract-engine unit tests share: the network keys from two fixed seeds, a client
 * key, the block they run in, a sender and its first contract's address, and the counter contract
 * (built by `scripts/build-contracts.mjs`).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { contractAddress } from "../../src/enclave/contractKey.ts";
import { KeyChain } from "../../src/enclave/keys.ts";

export const keys = KeyChain.fromSeeds([new Uint8Array(32).fill(1), new Uint8Array(32).fill(2)]);
export const ioPk = keys.publicKeys().ioExchKey;
export const clientSk = new Uint8Array(32).fill(0x42);
export const BLOCK = { height: 10n, timeNanos: 1_700_000_000_123_456_789n, chainId: "secretdev-1" };
export const sender = new Uint8Array(20).fill(5);
export const contract = contractAddress(1n, 1n, sender);

/** Builds the project's contracts (a no-op when up to date) and reads the counter's wasm. */
export function buildCounterWasm(): Uint8Array {
  const build = spawnSync(process.execPath, ["scripts/build-contracts.mjs"], { encoding: "utf8" });
  assert.equal(build.status, 0, build.stderr);
  return new Uint8Array(readFileSync("contracts/build/counter.wasm"));
}
