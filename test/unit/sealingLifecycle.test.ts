/**
 * The enclave key lifecycle in-process (src/enclave/lifecycle.ts), over real sealed files: the
 * registration checks, the sealed policy, and upgrade exports between two measurements.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { concatBytes, utf8Encode } from "../../src/primitives/bytes.ts";
import { toHex } from "../../src/primitives/hex.ts";
import { isCodedError } from "../../src/primitives/errors.ts";
import { sha256 } from "../../src/crypto/hash.ts";
import { ed25519PublicKey } from "../../src/crypto/ed25519.ts";
import { createPolicy, encodePolicy } from "../../src/attestation/policy.ts";
import { createSoftwareEvidence } from "../../src/attestation/softwareQuote.ts";
import { EnclaveLifecycle, type QuoteService } from "../../src/enclave/lifecycle.ts";
import { softwarePlatform } from "../../src/enclave/platform.ts";
import { upgradeExportFileName } from "../../src/enclave/sealing.ts";

const root = mkdtempSync(join(tmpdir(), "scrt-lifecycle-"));
after(() => rmSync(root, { recursive: true, force: true }));

const authoritySeed = new Uint8Array(32).fill(0xa5);
const v1 = sha256(utf8Encode("enclave v1"));
const v2 = sha256(utf8Encode("enclave v2"));
const v3 = sha256(utf8Encode("enclave v3"));
const T = 1_800_000_000n;
const policyBytes = encodePolicy(
  createPolicy({
    allowedMeasurements: [
      { measurement: v1, label: "v1" },
      { measurement: v2, label: "v2" },
    ],
    authorities: [{ teeType: 1, publicKey: ed25519PublicKey(authoritySeed), label: "dev" }],
  }),
);
const devAuthority: QuoteService = (report) => createSoftwareEvidence(report, T, authoritySeed);
const machine1 = softwarePlatform(new Uint8Array(32).fill(1));

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (isCodedError(e)) return e.code;
    throw e;
  }
  return "OK";
}

function lifecycle(dir: string, measurement: Uint8Array): EnclaveLifecycle {
  return new EnclaveLifecycle({ platform: machine1, measurement, dir: join(root, dir) });
}

describe("enclave lifecycle", () => {
  it("needs a policy to register nodes, and checks quotes against what it asked", () => {
    const network = lifecycle("net", v1);
    const keys = network.bootstrap(undefined);
    const node = lifecycle("node", v1);
    assert.equal(
      codeOf(() => node.createRegistration(() => new Uint8Array(10))),
      "ENCLAVE_QUOTE_MISMATCH",
    );
    assert.equal(
      codeOf(() => node.createRegistration((r) => devAuthority({ ...r, reportData: new Uint8Array(64).fill(1) }))),
      "ENCLAVE_QUOTE_MISMATCH",
    );
    assert.equal(
      codeOf(() => node.createRegistration((r) => devAuthority({ ...r, measurement: v2 }))),
      "ENCLAVE_QUOTE_MISMATCH",
    );
    // a failed attempt seals nothing
    assert.equal(node.status().hasRegistrationKey, false);
    // with a policy, the enclave refuses evidence its network would refuse (here: unknown authority)
    node.setPolicy(policyBytes);
    assert.equal(
      codeOf(() => node.createRegistration((r) => createSoftwareEvidence(r, T, new Uint8Array(32).fill(9)))),
      "ATTEST_UNKNOWN_AUTHORITY",
    );
    const reg = node.createRegistration(devAuthority);
    assert.equal(
      codeOf(() => network.registerNode(reg.evidence, T)),
      "ENCLAVE_NO_POLICY",
    );
    assert.equal(
      codeOf(() => node.acceptSeeds(keys.nodeExchKey, new Uint8Array(1))),
      "BAD_SEED_INPUT",
    );
    network.setPolicy(policyBytes);
    const enc = network.registerNode(reg.evidence, T);
    const accepted = node.acceptSeeds(keys.nodeExchKey, concatBytes(Uint8Array.of(enc.length), enc));
    assert.deepEqual(accepted, { accepted: true, nodeExchKey: keys.nodeExchKey, ioExchKey: keys.ioExchKey });
    assert.equal(node.status().seedCount, 2);
    assert.equal(
      codeOf(() => lifecycle("empty", v1).acceptSeeds(keys.nodeExchKey, new Uint8Array(97))),
      "ENCLAVE_NO_REGISTRATION_KEY",
    );
  });

  it("counts policy generations and refuses invalid policies", () => {
    const e = lifecycle("policy", v1);
    assert.equal(e.setPolicy(policyBytes).generation, 1n);
    const second = e.setPolicy(policyBytes);
    assert.equal(second.generation, 2n);
    assert.equal(toHex(second.policyHash), toHex(sha256(policyBytes)));
    assert.equal(
      codeOf(() => e.setPolicy(utf8Encode("{}x"))),
      "ATTEST_POLICY_INVALID",
    );
  });

  it("exports for an allow-listed measurement only, and the new enclave imports it", () => {
    const old = lifecycle("upgrade", v1);
    assert.equal(
      codeOf(() => old.exportUpgrade(v2)),
      "ENCLAVE_NOT_INITIALIZED",
    );
    const keys = old.bootstrap(policyBytes);
    assert.equal(
      codeOf(() => old.exportUpgrade(v3)),
      "ENCLAVE_UPGRADE_NOT_ALLOWED",
    );
    assert.equal(
      codeOf(() => old.exportUpgrade(v1)),
      "ENCLAVE_UPGRADE_NOT_ALLOWED",
    );
    assert.equal(old.exportUpgrade(v2), upgradeExportFileName(v2));

    // the new build finds a keychain sealed to the old one
    const next = lifecycle("upgrade", v2);
    assert.equal(
      codeOf(() => next.load()),
      "SEAL_OTHER_ENCLAVE",
    );
    assert.equal(
      codeOf(() => next.bootstrap(undefined)),
      "ENCLAVE_ALREADY_INITIALIZED",
    );
    // an enclave the export is not addressed to cannot use it
    assert.equal(
      codeOf(() => lifecycle("upgrade", v3).importUpgrade()),
      "ENCLAVE_NO_UPGRADE_EXPORT",
    );
    const imported = next.importUpgrade();
    assert.deepEqual(imported.supersededMeasurement, v1);
    assert.deepEqual(
      { nodeExchKey: imported.nodeExchKey, ioExchKey: imported.ioExchKey },
      { nodeExchKey: keys.nodeExchKey, ioExchKey: keys.ioExchKey },
    );
    const dir = join(root, "upgrade");
    assert.ok(existsSync(join(dir, "superseded", toHex(v1), "keychain.sealed")));
    assert.ok(existsSync(join(dir, "superseded", toHex(v1), "policy.sealed")));
    assert.ok(existsSync(join(dir, upgradeExportFileName(v2))));
    // restart the new build: everything loads, including the policy carried by the export
    const restarted = lifecycle("upgrade", v2);
    assert.deepEqual(restarted.load().ioExchKey, keys.ioExchKey);
    assert.equal(restarted.status().hasPolicy, true);
    assert.equal(
      codeOf(() => restarted.importUpgrade()),
      "ENCLAVE_ALREADY_INITIALIZED",
    );
    assert.equal(
      codeOf(() => lifecycle("upgrade", v2).importUpgrade()),
      "ENCLAVE_ALREADY_INITIALIZED",
    );
    assert.deepEqual(readdirSync(join(dir, "superseded")), [toHex(v1)]);
  });

  it("an import never moves a file that fails to open for another reason", () => {
    const old = lifecycle("upgrade2", v1);
    old.bootstrap(policyBytes);
    old.exportUpgrade(v2);
    const other = softwarePlatform(new Uint8Array(32).fill(2));
    const next = new EnclaveLifecycle({ platform: other, measurement: v2, dir: join(root, "upgrade2") });
    // the export was sealed on machine 1: on machine 2 it is refused and nothing moves
    assert.equal(
      codeOf(() => next.importUpgrade()),
      "SEAL_OTHER_MACHINE",
    );
    assert.ok(existsSync(join(root, "upgrade2", "keychain.sealed")));
    assert.equal(existsSync(join(root, "upgrade2", "superseded")), false);
  });
});
