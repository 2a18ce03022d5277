/**
 * Shared setup for the `scrt` CLI's tests: the dev chain's account `a` (devchain.md), a runner of
 * the CLI's commands in-process (a `memoryIo` with the given environment, output captured), the
 * `error.code` of a failed command's JSON error, the flags of a signed command, and recovering `a`
 * into a test keyring.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { run as keys } from "../../src/cli/commands/keys.ts";
import { memoryIo } from "../../src/cli/lib/io.ts";
import { DEV_MNEMONICS } from "../../src/node/devAccounts.ts";

/** The dev chain's account `a`. */
export const MNEMONIC_A = DEV_MNEMONICS.a;
export const ADDRESS_A = "secret1ap26qrlp8mcq2pg6r47w43l0y8zkqm8a450s03";

/** One `scrt` command (`run` of src/cli/commands/*.ts). */
export type ScrtCommand = (args: readonly string[], io: ReturnType<typeof memoryIo>) => Promise<number>;

export interface ScrtRun {
  readonly code: number;
  readonly out: string;
  readonly err: string;
  /** stdout parsed as a JSON object. */
  readonly json: () => Record<string, unknown>;
}

export type Scrt = (cmd: ScrtCommand, args: readonly string[], tty?: boolean) => Promise<ScrtRun>;

/** A runner of commands in-process; `env` is read at each call (URLs known only after `before`). */
export function scrtRunner(env: () => Readonly<Record<string, string | undefined>>): Scrt {
  return async (cmd, args, tty = false) => {
    const io = memoryIo({ env: env(), tty });
    const code = await cmd(args, io);
    const out = io.out();
    return { code, out, err: io.err(), json: () => JSON.parse(out) as Record<string, unknown> };
  };
}

/** `args`, then `extra`, then the flags of a confirmed command signed with `passFile`'s passphrase, output as JSON. */
export const signedJson = (args: readonly string[], passFile: string, ...extra: string[]): string[] => [
  ...args,
  ...extra,
  "--passphrase-file",
  passFile,
  "--yes",
  "--output",
  "json",
];

/** The `error.code` of a command's JSON error output (stderr). */
export const errorCode = (r: { readonly err: string }): string =>
  (JSON.parse(r.err) as { error: { code: string } }).error.code;

/**
 * `scrt keys add a --recover` from `MNEMONIC_A` (written to `dir/mnemonic`), encrypted under the
 * passphrase in `passFile` when given (else the keyring's backend decides). Fails the test on error.
 */
export async function recoverKeyA(scrt: Scrt, dir: string, passFile?: string): Promise<void> {
  const mnemonicFile = join(dir, "mnemonic");
  writeFileSync(mnemonicFile, MNEMONIC_A);
  const pass = passFile === undefined ? [] : ["--passphrase-file", passFile];
  const added = await scrt(keys, ["add", "a", "--recover", "--mnemonic-file", mnemonicFile, ...pass]);
  assert.equal(added.code, 0, added.err);
}
