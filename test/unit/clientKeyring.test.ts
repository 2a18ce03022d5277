/**
 * The keyring (src/client/keyring.ts): the dev chain's mnemonics give the spec's addresses and the
 * same addresses as secretjs's `Wallet`; keys sealed with a passphrase open only with it; edited or
 * broken files are refused with coded errors; list/show/delete.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { Keyring } from "../../src/client/keyring.ts";
import { isCodedError } from "../../src/primitives/errors.ts";
import { toHex } from "../../src/primitives/hex.ts";
import { x25519PublicKey } from "../../src/crypto/index.ts";
import { DEV_MNEMONICS } from "../../src/node/devAccounts.ts";

const require = createRequire(import.meta.url);
const { Wallet } = require("secretjs") as {
  Wallet: new (mnemonic: string) => { address: string; publicKey: Uint8Array };
};

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "scrt-keyring-"));
  dirs.push(dir);
  return dir;
}
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const code = (c: string) => (e: unknown) => isCodedError(e, c);

describe("keyring", () => {
  it("recovers the dev-chain keys: the spec's addresses, and secretjs Wallet's", async () => {
    const ring = new Keyring(tempDir());
    for (const [name, mnemonic] of Object.entries(DEV_MNEMONICS)) {
      const { info, mnemonic: generated } = await ring.add(name, { mnemonic, backend: "test" });
      assert.equal(generated, undefined);
      const wallet = new Wallet(mnemonic);
      assert.equal(info.address, wallet.address, name);
      assert.equal(toHex(info.publicKey), toHex(wallet.publicKey), name);
      assert.equal(info.hdPath, "m/44'/529'/0'/0/0");
    }
    assert.equal(ring.show("a").address, "secret1ap26qrlp8mcq2pg6r47w43l0y8zkqm8a450s03");
    assert.equal(ring.show("b").address, "secret1fc3fzy78ttp0lwuujw7e52rhspxn8uj52zfyne");
    assert.equal(toHex(ring.show("a").publicKey), "034ee8249f67e136139c3ed94ad63288f6c1de45ce66fa883247211a698f440cdf");
    assert.deepEqual(
      ring.list().map((k) => k.name),
      ["a", "b", "c", "d", "validator"],
    );
    // Another index gives another key.
    const other = await ring.add("a1", { mnemonic: DEV_MNEMONICS.a, index: 1, backend: "test" });
    assert.notEqual(other.info.address, ring.show("a").address);
    assert.equal(other.info.hdPath, "m/44'/529'/0'/0/1");
  });

  it("seals the secrets with the passphrase; a wrong one is a clear error", async () => {
    const dir = tempDir();
    const ring = new Keyring(dir);
    const seed = Uint8Array.from({ length: 32 }, (_, i) => i + 7);
    const { info } = await ring.add("a", {
      mnemonic: DEV_MNEMONICS.a,
      backend: "file",
      passphrase: "correct horse",
      encryptionSeed: seed,
    });
    assert.equal(toHex(info.encryptionPublicKey), toHex(x25519PublicKey(seed)));
    const text = readFileSync(join(dir, "a.json"), "utf8");
    const key = await ring.unlock("a", "correct horse");
    assert.equal(key.address, "secret1ap26qrlp8mcq2pg6r47w43l0y8zkqm8a450s03");
    assert.equal(toHex(key.encryptionSeed), toHex(seed));
    assert.ok(!text.includes(toHex(key.privateKey)), "no clear private key in the file");
    assert.ok(!text.includes(toHex(seed)), "no clear encryption seed in the file");
    assert.equal(statSync(join(dir, "a.json")).mode & 0o777, 0o600);
    await assert.rejects(ring.unlock("a", "wrong horse"), code("CLIENT_WRONG_PASSPHRASE"));
    await assert.rejects(ring.unlock("a", undefined), code("CLIENT_PASSPHRASE_REQUIRED"));
    await assert.rejects(
      ring.add("b", { mnemonic: DEV_MNEMONICS.b, backend: "file" }),
      code("CLIENT_PASSPHRASE_REQUIRED"),
    );
    // The public part is bound to the seal: pointing the file at another address breaks it.
    const doc = JSON.parse(text) as Record<string, unknown>;
    writeFileSync(
      join(dir, "a.json"),
      JSON.stringify({ ...doc, address: "secret1fc3fzy78ttp0lwuujw7e52rhspxn8uj52zfyne" }),
    );
    await assert.rejects(ring.unlock("a", "correct horse"), code("CLIENT_WRONG_PASSPHRASE"));
    assert.equal(readdirSync(dir).filter((f) => f.endsWith(".tmp")).length, 0);
  });

  it("the test backend stores in the clear and needs no passphrase; a new key comes with a mnemonic", async () => {
    const dir = tempDir();
    const ring = new Keyring(dir);
    const { info, mnemonic } = await ring.add("fresh", { backend: "test" });
    assert.ok(mnemonic !== undefined && mnemonic.split(" ").length === 24);
    const recovered = await new Keyring(tempDir()).add("again", { mnemonic, backend: "test" });
    assert.equal(recovered.info.address, info.address);
    const key = await ring.unlock("fresh", undefined);
    assert.ok(readFileSync(join(dir, "fresh.json"), "utf8").includes(toHex(key.privateKey)));
    // Two keys never share an encryption seed by accident.
    assert.notEqual(toHex(recovered.info.encryptionPublicKey), toHex(info.encryptionPublicKey));
  });

  it("names, duplicates, missing keys, bad mnemonics and broken files give coded errors", async () => {
    const dir = tempDir();
    const ring = new Keyring(dir);
    await ring.add("a", { mnemonic: DEV_MNEMONICS.a, backend: "test" });
    await assert.rejects(ring.add("a", { mnemonic: DEV_MNEMONICS.b, backend: "test" }), code("CLIENT_KEY_EXISTS"));
    await assert.rejects(ring.add("../evil", { backend: "test" }), code("CLIENT_BAD_INPUT"));
    await assert.rejects(ring.add("", { backend: "test" }), code("CLIENT_BAD_INPUT"));
    await assert.rejects(
      ring.add("x", { mnemonic: "not a mnemonic at all", backend: "test" }),
      code("CLIENT_BAD_INPUT"),
    );
    await assert.rejects(
      ring.add("y", { mnemonic: DEV_MNEMONICS.a, index: -1, backend: "test" }),
      code("CLIENT_BAD_INPUT"),
    );
    assert.throws(() => ring.show("nobody"), code("CLIENT_KEY_NOT_FOUND"));
    await assert.rejects(ring.unlock("nobody", "x"), code("CLIENT_KEY_NOT_FOUND"));
    writeFileSync(join(dir, "broken.json"), "{not json");
    assert.throws(() => ring.show("broken"), code("CLIENT_KEYRING_CORRUPT"));
    writeFileSync(join(dir, "broken.json"), JSON.stringify({ version: 99, name: "broken" }));
    assert.throws(() => ring.show("broken"), code("CLIENT_KEYRING_CORRUPT"));
    // One broken file does not hide the others; it is reported by scan().
    assert.deepEqual(
      ring.list().map((k) => k.name),
      ["a"],
    );
    const scanned = ring.scan();
    assert.deepEqual(
      scanned.problems.map((p) => [p.name, p.error.code]),
      [["broken", "CLIENT_KEYRING_CORRUPT"]],
    );
    rmSync(join(dir, "broken.json"));
    // A test-backend file whose secret does not match its public key.
    const doc = JSON.parse(readFileSync(join(dir, "a.json"), "utf8")) as { secret: Record<string, string> };
    doc.secret["private_key"] = "11".repeat(32);
    writeFileSync(join(dir, "a.json"), JSON.stringify(doc));
    await assert.rejects(ring.unlock("a", undefined), code("CLIENT_KEYRING_CORRUPT"));
    assert.equal(ring.delete("a").name, "a");
    assert.deepEqual(ring.list(), []);
    assert.throws(() => ring.delete("a"), code("CLIENT_KEY_NOT_FOUND"));
    assert.deepEqual(new Keyring(join(dir, "does-not-exist")).list(), []);
  });
});
