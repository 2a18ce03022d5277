/**
 * `scrt keys` run in-process (src/cli/commands/keys.ts): recover from a mnemonic file or piped stdin,
 * list/show/delete with JSON and text output, passphrase from a file or the environment, and clear
 * coded errors with the right exit codes.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { run } from "../../src/cli/commands/keys.ts";
import { memoryIo } from "../../src/cli/lib/io.ts";

const MNEMONIC_A =
  "grant rice replace explain federal release fix clever romance raise often wild taxi quarter soccer fiber love must tape steak together observe swap guitar";
const MNEMONIC_B =
  "jelly shadow frog dirt dragon use armed praise universe win jungle close inmate rain oil canvas beauty pioneer chef soccer icon dizzy thunder meadow";
const ADDRESS_A = "secret1ap26qrlp8mcq2pg6r47w43l0y8zkqm8a450s03";
const ADDRESS_B = "secret1fc3fzy78ttp0lwuujw7e52rhspxn8uj52zfyne";

const root = mkdtempSync(join(tmpdir(), "scrt-cli-keys-"));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshHome = (): string => join(root, `home${n++}`);

async function scrt(args: string[], opts: Parameters<typeof memoryIo>[0] = {}) {
  const io = memoryIo(opts);
  const code = await run(args, io);
  return { code, out: io.out(), err: io.err() };
}

describe("scrt keys", () => {
  it("add --recover (test backend) gives the spec's address; list, show, show --address, delete", async () => {
    const home = freshHome();
    const env = { SCRT_HOME: home };
    const file = join(root, "mnemonic-a.txt");
    writeFileSync(file, `  ${MNEMONIC_A.replace(/ /g, "\n")}\n`);
    const add = await scrt(
      ["add", "a", "--recover", "--mnemonic-file", file, "--keyring-backend", "test", "--output", "json"],
      { env },
    );
    assert.equal(add.code, 0, add.err);
    const added = JSON.parse(add.out) as Record<string, unknown>;
    assert.equal(added["address"], ADDRESS_A);
    assert.equal(added["name"], "a");
    assert.deepEqual(added["pubkey"], {
      "@type": "/cosmos.crypto.secp256k1.PubKey",
      key: "A07oJJ9n4TYTnD7ZStYyiPbB3kXOZvqIMkchGmmPRAzf",
    });
    assert.equal(added["mnemonic"], undefined);

    // Recover from piped stdin, same home via the environment.
    const addB = await scrt(["add", "b", "--recover", "--keyring-backend=test"], { env, stdin: `${MNEMONIC_B}\n` });
    assert.equal(addB.code, 0, addB.err);
    assert.match(addB.out, new RegExp(`address: ${ADDRESS_B}`));

    const list = await scrt(["list", "--output", "json"], { env });
    assert.equal(list.code, 0);
    assert.deepEqual(
      (JSON.parse(list.out) as { name: string; address: string }[]).map((k) => [k.name, k.address]),
      [
        ["a", ADDRESS_A],
        ["b", ADDRESS_B],
      ],
    );
    writeFileSync(join(home, "keyring", "broken.json"), "{");
    const listWithBroken = await scrt(["list"], { env });
    assert.equal(listWithBroken.code, 0);
    assert.match(listWithBroken.out, new RegExp(ADDRESS_A));
    assert.match(listWithBroken.err, /key file 'broken' skipped: .*CLIENT_KEYRING_CORRUPT/);
    const show = await scrt(["show", "b", "--address"], { env });
    assert.equal(show.out, `${ADDRESS_B}\n`);
    const del = await scrt(["delete", "b", "--yes", "--output", "json"], { env });
    assert.equal(del.code, 0);
    assert.deepEqual(JSON.parse(del.out), { deleted: "b", address: ADDRESS_B });
    const gone = await scrt(["show", "b", "--output", "json"], { env });
    assert.equal(gone.code, 1);
    assert.equal((JSON.parse(gone.err) as { error: { code: string } }).error.code, "CLIENT_KEY_NOT_FOUND");
  });

  it("a new key prints its mnemonic once; the file backend needs a passphrase and refuses a wrong one", async () => {
    const dir = join(freshHome(), "ring");
    const pass = join(root, "pass.txt");
    writeFileSync(pass, "a good passphrase\nignored second line\n");
    const add = await scrt(["add", "k", "--keyring-dir", dir, "--passphrase-file", pass, "--output", "json"]);
    assert.equal(add.code, 0, add.err);
    const mnemonic = (JSON.parse(add.out) as { mnemonic: string }).mnemonic;
    assert.equal(mnemonic.split(" ").length, 24);

    // Without a passphrase source and without a terminal: a clear error.
    const noPass = await scrt(["add", "k2", "--keyring-dir", dir]);
    assert.equal(noPass.code, 1);
    assert.match(noPass.err, /passphrase-file|SCRT_KEYRING_PASSPHRASE/);
    assert.match(noPass.err, /CLIENT_PASSPHRASE_REQUIRED/);

    // Interactive: asked twice; a mismatch is refused.
    const mismatch = await scrt(["add", "k3", "--keyring-dir", dir], {
      tty: true,
      lines: ["first passphrase", "second passphrase"],
    });
    assert.equal(mismatch.code, 1);
    assert.match(mismatch.err, /do not match/);
    const ok = await scrt(["add", "k3", "--keyring-dir", dir, "--recover"], {
      tty: true,
      lines: [MNEMONIC_A, "same passphrase", "same passphrase"],
    });
    assert.equal(ok.code, 0, ok.err);
    assert.match(ok.out, new RegExp(ADDRESS_A));

    // The env passphrase opens k3 through the tx path; here: a duplicate name is refused first.
    const dup = await scrt(["add", "k3", "--keyring-dir", dir, "--output", "json"], {
      env: { SCRT_KEYRING_PASSPHRASE: "x" },
    });
    assert.equal(dup.code, 1);
    assert.equal((JSON.parse(dup.err) as { error: { code: string } }).error.code, "CLIENT_KEY_EXISTS");
  });

  it("usage errors exit 2; bad input exits 1 with a code", async () => {
    const env = { SCRT_HOME: freshHome() };
    const unknown = await scrt(["list", "--bogus"], { env });
    assert.equal(unknown.code, 2);
    assert.match(unknown.err, /unknown option --bogus/);
    assert.equal((await scrt(["frobnicate"], { env })).code, 2);
    assert.equal((await scrt(["show"], { env })).code, 2);
    const badName = await scrt(["add", "../x", "--keyring-backend", "test"], { env });
    assert.equal(badName.code, 1);
    assert.match(badName.err, /CLIENT_BAD_INPUT/);
    const badMnemonic = await scrt(["add", "x", "--recover", "--keyring-backend", "test", "--output", "json"], {
      env,
      stdin: "abandon abandon abandon",
    });
    assert.equal(badMnemonic.code, 1);
    assert.equal((JSON.parse(badMnemonic.err) as { error: { code: string } }).error.code, "CLIENT_BAD_INPUT");
    const help = await scrt(["--help"]);
    assert.equal(help.code, 0);
    assert.match(help.out, /add NAME \[--recover\]/);
  });
});
