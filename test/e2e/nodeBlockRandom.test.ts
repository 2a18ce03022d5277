/**
 * The node's side of the block random (src/node/blockRandom.ts) with a real worker enclave in a
 * temporary home: what a proposer puts in its header, which proposed headers pass (tampered, resized,
 * moved to another height or app hash, a foreign validators hash: refused), and what the app is handed.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { NIL_BLOCK_ID, type Header } from "../../src/codec/consensus.ts";
import { randomBytes } from "../../src/crypto/random.ts";
import { createWorkerEnclave, type WorkerEnclave } from "../../src/enclave-api/workerEnclave.ts";
import {
  finalizeBlockRandom,
  proposedBlockRandomValid,
  proposerBlockRandom,
  type HeaderRandom,
} from "../../src/node/blockRandom.ts";
import { silentLogger } from "../../src/primitives/observability.ts";

const ENTRY = new URL("../../src/enclave/main.ts", import.meta.url);
const root = mkdtempSync(join(tmpdir(), "scrt-node-random-"));
let enclave: WorkerEnclave;
let unseeded: WorkerEnclave;

before(async () => {
  enclave = await createWorkerEnclave({ entry: ENTRY, home: join(root, "a") });
  enclave.call("bootstrap", {});
  unseeded = await createWorkerEnclave({ entry: ENTRY, home: join(root, "b") });
});
after(async () => {
  await enclave.close();
  await unseeded.close();
  rmSync(root, { recursive: true, force: true });
});

function header(height: bigint, appHash: Uint8Array, validatorsHash: Uint8Array, er?: HeaderRandom | null): Header {
  const b = (fill: number): Uint8Array => new Uint8Array(32).fill(fill);
  return {
    version: { block: 11n, app: 0n },
    chainId: "secretdev-1",
    height,
    time: { seconds: 1_700_000_000n, nanos: 0 },
    lastBlockId: NIL_BLOCK_ID,
    lastCommitHash: b(1),
    dataHash: b(2),
    validatorsHash,
    nextValidatorsHash: validatorsHash,
    consensusHash: b(3),
    appHash,
    lastResultsHash: b(4),
    evidenceHash: b(5),
    proposerAddress: new Uint8Array(20).fill(6),
    ...(er === undefined ? {} : { encryptedRandom: er }),
  };
}

/** A logger that keeps its warnings. */
function recording(): { log: typeof silentLogger; warnings: string[] } {
  const warnings: string[] = [];
  const log = { ...silentLogger, warn: (msg: string) => void warnings.push(msg) };
  return { log, warnings };
}

describe("node: the block random", () => {
  const appHash = randomBytes(32);
  const validatorsHash = randomBytes(32);

  it("a proposer with an enclave puts a 48-byte random and a 32-byte proof in its header; without one, none", () => {
    const made = proposerBlockRandom(enclave, 7, appHash, validatorsHash, silentLogger).encryptedRandom;
    assert.ok(made !== undefined);
    assert.equal(made.random.length, 48);
    assert.equal(made.proof.length, 32);
    const other = proposerBlockRandom(enclave, 7, appHash, validatorsHash, silentLogger).encryptedRandom;
    assert.notDeepEqual(other?.random, made.random); // a fresh r per block
    assert.deepEqual(proposerBlockRandom(undefined, 7, appHash, validatorsHash, silentLogger), {});
    // An enclave without the network's seeds refuses: the block goes out without a random (logged).
    const { log, warnings } = recording();
    assert.deepEqual(proposerBlockRandom(unseeded, 7, appHash, validatorsHash, log), {});
    assert.deepEqual(warnings, ["no block random: the enclave refused"]);
  });

  it("a proposed header passes with its own random, and fails when anything it is bound to changes", () => {
    const er = proposerBlockRandom(enclave, 9, appHash, validatorsHash, silentLogger).encryptedRandom!;
    assert.equal(proposedBlockRandomValid(enclave, header(9n, appHash, validatorsHash, er), silentLogger), true);
    const flip = (b: Uint8Array, i: number): Uint8Array => b.map((v, k) => (k === i ? v ^ 1 : v));
    const bad: [string, Header][] = [
      ["proof changed", header(9n, appHash, validatorsHash, { ...er, proof: flip(er.proof, 31) })],
      ["ciphertext changed", header(9n, appHash, validatorsHash, { ...er, random: flip(er.random, 0) })],
      ["another height", header(10n, appHash, validatorsHash, er)],
      ["another app hash", header(9n, randomBytes(32), validatorsHash, er)],
      ["another validators hash", header(9n, appHash, randomBytes(32), er)],
      ["random too short", header(9n, appHash, validatorsHash, { ...er, random: er.random.subarray(0, 47) })],
      ["proof too long", header(9n, appHash, validatorsHash, { ...er, proof: new Uint8Array(33) })],
    ];
    for (const [what, h] of bad) {
      const { log } = recording();
      assert.equal(proposedBlockRandomValid(enclave, h, log), false, what);
    }
    // The warning names the reason.
    const { log, warnings } = recording();
    proposedBlockRandomValid(enclave, bad[0]![1], log);
    assert.deepEqual(warnings, ["invalid block random proposed"]);
  });

  it("no random, or no enclave to check it with, passes", () => {
    assert.equal(proposedBlockRandomValid(enclave, header(9n, appHash, validatorsHash), silentLogger), true);
    assert.equal(proposedBlockRandomValid(enclave, header(9n, appHash, validatorsHash, null), silentLogger), true);
    const forged = { random: new Uint8Array(48), proof: new Uint8Array(32) };
    assert.equal(proposedBlockRandomValid(undefined, header(9n, appHash, validatorsHash, forged), silentLogger), true);
    assert.equal(proposedBlockRandomValid(enclave, header(9n, appHash, validatorsHash, forged), silentLogger), false);
  });

  it("the app is handed the header's random unopened, with the hashes it is bound to", () => {
    const er = proposerBlockRandom(enclave, 11, appHash, validatorsHash, silentLogger).encryptedRandom!;
    assert.deepEqual(finalizeBlockRandom(header(11n, appHash, validatorsHash, er)), {
      random: { random: er.random, proof: er.proof, appHash, validatorsHash },
    });
    assert.deepEqual(finalizeBlockRandom(header(11n, appHash, validatorsHash)), {});
    assert.deepEqual(finalizeBlockRandom(header(11n, appHash, validatorsHash, null)), {});
  });
});
