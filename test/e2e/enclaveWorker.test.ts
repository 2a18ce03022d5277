/**
 * The real enclave (src/enclave/main.ts) in worker threads, in temporary homes: bootstrap, restart and
 * load, a second node's registration through the dev authority, sealed files moved between machines,
 * and death mid-call.
 */
import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { concatBytes } from "../../src/primitives/bytes.ts";
import { isCodedError } from "../../src/primitives/errors.ts";
import { ed25519PublicKey } from "../../src/crypto/ed25519.ts";
import { randomBytes } from "../../src/crypto/random.ts";
import { createPolicy, encodePolicy } from "../../src/attestation/policy.ts";
import { createSoftwareEvidence } from "../../src/attestation/softwareQuote.ts";
import { createWorkerEnclave, type WorkerEnclave } from "../../src/enclave-api/workerEnclave.ts";
import type { OcallHandlers } from "../../src/enclave-api/client.ts";

const ENTRY = new URL("../../src/enclave/main.ts", import.meta.url);
const root = mkdtempSync(join(tmpdir(), "scrt-enclave-e2e-"));
const homes = { a: join(root, "a"), b: join(root, "b"), c: join(root, "c"), d: join(root, "d") };
const opened: WorkerEnclave[] = [];
after(async () => {
  await Promise.all(opened.map((e) => e.close()));
  rmSync(root, { recursive: true, force: true });
});

async function start(home: string): Promise<WorkerEnclave> {
  const enclave = await createWorkerEnclave({ entry: ENTRY, home });
  opened.push(enclave);
  return enclave;
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (isCodedError(e)) return e.code;
    throw e;
  }
  assert.fail("expected a coded error");
}

const authoritySeed = randomBytes(32);
const now = (): bigint => BigInt(Math.floor(Date.now() / 1000));
/** The host's quoting service: the dev authority signs whatever its node asks for (crypto.md §11.4). */
const devAuthority: OcallHandlers = {
  quote: (report) => ({ evidence: createSoftwareEvidence(report, now(), authoritySeed) }),
};

describe("worker enclave: key lifecycle end to end", () => {
  let measurement: Uint8Array;
  let policyBytes: Uint8Array;
  let network: { nodeExchKey: Uint8Array; ioExchKey: Uint8Array };

  it("bootstraps a network in a fresh home", async () => {
    const a = await start(homes.a);
    const status = a.call("getStatus", {});
    assert.equal(status.initialized, false);
    assert.equal(status.hasSealedKeychain, false);
    assert.equal(status.platformKind, "software");
    measurement = status.measurement;
    assert.equal(
      codeOf(() => a.call("load", {})),
      "ENCLAVE_NO_SEALED_KEYCHAIN",
    );
    assert.equal(
      codeOf(() => a.call("getPublicKeys", {})),
      "ENCLAVE_NOT_INITIALIZED",
    );
    policyBytes = encodePolicy(
      createPolicy({
        allowedMeasurements: [{ measurement, label: "this build" }],
        authorities: [{ teeType: 1, publicKey: ed25519PublicKey(authoritySeed), label: "dev authority" }],
      }),
    );
    const boot = a.call("bootstrap", { policy: policyBytes });
    assert.deepEqual(boot.measurement, measurement);
    network = { nodeExchKey: boot.nodeExchKey, ioExchKey: boot.ioExchKey };
    assert.deepEqual(a.call("getPublicKeys", {}), network);
    assert.equal(
      codeOf(() => a.call("bootstrap", {})),
      "ENCLAVE_ALREADY_INITIALIZED",
    );
    await a.close();
  });

  it("restarts and loads the same keys from the sealed keychain", async () => {
    const a = await start(homes.a);
    const status = a.call("getStatus", {});
    assert.deepEqual(status.measurement, measurement);
    assert.equal(status.initialized, false);
    assert.equal(status.hasSealedKeychain, true);
    assert.equal(status.hasPolicy, true);
    const loaded = a.call("load", {});
    assert.equal(loaded.seedCount, 2);
    assert.deepEqual({ nodeExchKey: loaded.nodeExchKey, ioExchKey: loaded.ioExchKey }, network);
    assert.deepEqual(a.call("getPublicKeys", {}), network);
  });

  it("registers a second node: createRegistration → registerNode → acceptSeeds", async () => {
    const a = opened.at(-1)!;
    const b = await start(homes.b);
    b.call("setPolicy", { policy: policyBytes });
    const reg = b.call("createRegistration", {}, devAuthority);
    assert.equal(reg.evidence.length, 12 + 240);
    assert.equal(
      codeOf(() => b.call("createRegistration", {})),
      "ENCLAVE_API_OCALL_UNSUPPORTED",
    );
    // the registration key is the node's: a second call re-attests the same key with a fresh nonce
    const again = b.call("createRegistration", {}, devAuthority);
    assert.deepEqual(again.registrationPublicKey, reg.registrationPublicKey);
    assert.notDeepEqual(again.evidence.subarray(12 + 104, 12 + 136), reg.evidence.subarray(12 + 104, 12 + 136));

    // the network refuses stale, tampered and unknown evidence, with the verifier's codes
    assert.equal(
      codeOf(() => a.call("registerNode", { evidence: reg.evidence, blockTimeSeconds: now() + 2n * 86_400n })),
      "ATTEST_STALE",
    );
    const tampered = Uint8Array.from(reg.evidence);
    tampered[112] = tampered[112]! ^ 1;
    assert.equal(
      codeOf(() => a.call("registerNode", { evidence: tampered, blockTimeSeconds: now() })),
      "ATTEST_BAD_SIGNATURE",
    );
    assert.equal(
      codeOf(() => a.call("registerNode", { evidence: reg.evidence.subarray(1), blockTimeSeconds: now() })),
      "ATTEST_MALFORMED",
    );

    const { encryptedSeeds } = a.call("registerNode", { evidence: reg.evidence, blockTimeSeconds: now() });
    assert.equal(encryptedSeeds.length, 2 * 48);
    const seedInput = concatBytes(Uint8Array.of(encryptedSeeds.length), encryptedSeeds);
    assert.equal(
      codeOf(() => b.call("acceptSeeds", { nodeExchKey: network.ioExchKey, seedInput })),
      "DECRYPTION_ERROR",
    );
    const accepted = b.call("acceptSeeds", { nodeExchKey: network.nodeExchKey, seedInput });
    assert.equal(accepted.accepted, true);
    assert.deepEqual({ nodeExchKey: accepted.nodeExchKey, ioExchKey: accepted.ioExchKey }, network);
    assert.equal(b.call("acceptSeeds", { nodeExchKey: network.nodeExchKey, seedInput }).accepted, false);
    await b.close();

    const b2 = await start(homes.b);
    const loaded = b2.call("load", {});
    assert.deepEqual({ nodeExchKey: loaded.nodeExchKey, ioExchKey: loaded.ioExchKey }, network);
    // the new node can now serve registrations itself
    const c = await start(homes.c);
    const regC = c.call("createRegistration", {}, devAuthority);
    b2.call("setPolicy", { policy: policyBytes });
    assert.equal(
      b2.call("registerNode", { evidence: regC.evidence, blockTimeSeconds: now() }).encryptedSeeds.length,
      96,
    );

    // The block random (crypto.md §9): one node's enclave makes it, another's checks it; `r` never leaves.
    const appHash = randomBytes(32);
    const validatorsHash = randomBytes(32);
    const made = a.call("blockRandomCreate", { height: 42n, appHash, validatorsHash });
    assert.equal(made.random.length, 48);
    assert.equal(made.proof.length, 32);
    const check = { height: 42n, random: made.random, proof: made.proof, appHash, validatorsHash };
    assert.deepEqual(b2.call("blockRandomCheck", check), {});
    const again2 = a.call("blockRandomCreate", { height: 42n, appHash, validatorsHash });
    assert.notDeepEqual(again2.random, made.random); // a fresh r each time
    const flipped = Uint8Array.from(made.proof);
    flipped[0] = flipped[0]! ^ 1;
    assert.equal(
      codeOf(() => b2.call("blockRandomCheck", { ...check, proof: flipped })),
      "RANDOM_PROOF_INVALID",
    );
    assert.equal(
      codeOf(() => b2.call("blockRandomCheck", { ...check, height: 43n })),
      "RANDOM_PROOF_INVALID",
    );
    assert.equal(
      codeOf(() => b2.call("blockRandomCheck", { ...check, appHash: randomBytes(32) })),
      "RANDOM_PROOF_INVALID",
    );
    // The proof does not cover the validators hash; the encryption does.
    assert.equal(
      codeOf(() => b2.call("blockRandomCheck", { ...check, validatorsHash: randomBytes(32) })),
      "DECRYPTION_ERROR",
    );
    // An enclave that holds no seeds yet cannot check it.
    assert.equal(
      codeOf(() => c.call("blockRandomCheck", check)),
      "ENCLAVE_NOT_INITIALIZED",
    );
  });

  it("a sealed keychain moved to a home with another platform key fails with SEAL_OTHER_MACHINE and is left alone", async () => {
    const d = await start(homes.d);
    const source = join(homes.a, "enclave", "keychain.sealed");
    const moved = join(homes.d, "enclave", "keychain.sealed");
    copyFileSync(source, moved);
    const before = readFileSync(moved);
    assert.equal(
      codeOf(() => d.call("load", {})),
      "SEAL_OTHER_MACHINE",
    );
    assert.equal(
      codeOf(() => d.call("bootstrap", {})),
      "ENCLAVE_ALREADY_INITIALIZED",
    );
    assert.equal(
      codeOf(() => d.call("createRegistration", {}, devAuthority)),
      "ENCLAVE_ALREADY_INITIALIZED",
    );
    assert.deepEqual(readFileSync(moved), before);
    assert.deepEqual(d.call("getStatus", {}).initialized, false);
  });

  it("killing the enclave mid-call yields ENCLAVE_API_DEAD for the call and every later one", async () => {
    const e = await start(join(root, "e"));
    assert.throws(
      () =>
        e.call(
          "createRegistration",
          {},
          {
            quote: (report) => {
              e.kill();
              return devAuthority.quote!(report);
            },
          },
        ),
      (err) => isCodedError(err, "ENCLAVE_API_DEAD"),
    );
    assert.equal(
      codeOf(() => e.call("ping", {})),
      "ENCLAVE_API_DEAD",
    );
  });
});
