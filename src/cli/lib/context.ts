/**
 * Options every `keys`/`tx`/`query` command shares, their defaults and environment variables, the
 * keyring location, passphrase input, confirmation, and how results and errors are printed.
 *
 * | option | env | default |
 * |---|---|---|
 * | `--node URL` | `SCRT_NODE` | `http://127.0.0.1:26657` |
 * | `--lcd URL` | `SCRT_LCD` | `http://127.0.0.1:1317` |
 * | `--chain-id ID` | `SCRT_CHAIN_ID` | asked from the LCD's node_info |
 * | `--keyring-dir DIR` | `SCRT_HOME` (→ `$SCRT_HOME/keyring`) | `~/.scrt/keyring` |
 * | `--keyring-backend file\|test` | `SCRT_KEYRING_BACKEND` | `file` |
 * | `--passphrase-file FILE` | `SCRT_KEYRING_PASSPHRASE` | prompt on a terminal |
 * | `--output json\|text` | | `text` |
 * | `--timeout SECONDS` | | 30 (HTTP), 60 (waiting for a block) |
 */
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { isCodedError } from "../../primitives/errors.ts";
import { toBase64 } from "../../primitives/base64.ts";
import { Keyring, type KeyringBackend } from "../../client/keyring.ts";
import { LcdClient } from "../../client/lcd.ts";
import { RpcClient } from "../../client/rpc.ts";
import { ClientError } from "../../client/errors.ts";
import { type FlagSpec, type ParsedArgs, flagBool, flagString, parseArgs } from "./args.ts";
import { CliError } from "./errors.ts";
import type { CliIo } from "./io.ts";

export const COMMON_FLAGS: FlagSpec = {
  node: "string",
  lcd: "string",
  "chain-id": "string",
  from: "string",
  output: "string",
  yes: "boolean",
  help: "boolean",
  "keyring-dir": "string",
  "keyring-backend": "string",
  "passphrase-file": "string",
  timeout: "string",
};

export type OutputFormat = "json" | "text";

export interface Common {
  readonly output: OutputFormat;
  readonly node: string;
  readonly lcd: string;
  readonly chainId: string | undefined;
  readonly from: string | undefined;
  readonly yes: boolean;
  readonly keyringDir: string;
  readonly backend: KeyringBackend;
  readonly passphraseFile: string | undefined;
  readonly timeoutMs: number;
}

/** A subcommand's arguments parsed with `flags`; undefined when `--help` was given and `usage` printed. */
export function parseSubcommand(
  rest: readonly string[],
  flags: FlagSpec,
  io: CliIo,
  usage: string,
): { readonly p: ParsedArgs; readonly c: Common } | undefined {
  const p = parseArgs(rest, flags);
  if (flagBool(p, "help")) {
    io.stdout(usage);
    return undefined;
  }
  return { p, c: commonOptions(p, io) };
}

export function commonOptions(p: ParsedArgs, io: CliIo): Common {
  const output = flagString(p, "output") ?? "text";
  if (output !== "json" && output !== "text") throw new CliError("CLI_USAGE", "--output must be json or text");
  const backend = flagString(p, "keyring-backend") ?? io.env["SCRT_KEYRING_BACKEND"] ?? "file";
  if (backend !== "file" && backend !== "test")
    throw new CliError("CLI_USAGE", "--keyring-backend must be file or test");
  const home = io.env["SCRT_HOME"];
  const keyringDir =
    flagString(p, "keyring-dir") ?? (home ? join(home, "keyring") : join(homedir(), ".scrt", "keyring"));
  const timeoutText = flagString(p, "timeout");
  let timeoutMs = 30_000;
  if (timeoutText !== undefined) {
    const s = Number(timeoutText);
    if (!Number.isFinite(s) || s <= 0 || s > 3600)
      throw new CliError("CLI_USAGE", "--timeout is a number of seconds in (0, 3600]");
    timeoutMs = Math.round(s * 1000);
  }
  return {
    output,
    node: flagString(p, "node") ?? io.env["SCRT_NODE"] ?? "http://127.0.0.1:26657",
    lcd: flagString(p, "lcd") ?? io.env["SCRT_LCD"] ?? "http://127.0.0.1:1317",
    chainId: flagString(p, "chain-id") ?? io.env["SCRT_CHAIN_ID"],
    from: flagString(p, "from"),
    yes: flagBool(p, "yes"),
    keyringDir,
    backend,
    passphraseFile: flagString(p, "passphrase-file"),
    timeoutMs,
  };
}

export const openKeyring = (c: Common): Keyring => new Keyring(c.keyringDir);
export const lcdClient = (c: Common): LcdClient => new LcdClient(c.lcd, { timeoutMs: c.timeoutMs });
export const rpcClient = (c: Common): RpcClient => new RpcClient(c.node, { timeoutMs: c.timeoutMs });

/**
 * The keyring passphrase: `--passphrase-file` (first line), `$SCRT_KEYRING_PASSPHRASE`, or a prompt
 * on a terminal (twice when `confirm`). Without any of them: CLIENT_PASSPHRASE_REQUIRED.
 */
export async function readPassphrase(io: CliIo, c: Common, confirm = false): Promise<string> {
  if (c.passphraseFile !== undefined) {
    let text: string;
    try {
      text = readFileSync(c.passphraseFile, "utf8");
    } catch (err) {
      throw new CliError("CLI_FILE", `cannot read the passphrase file ${c.passphraseFile}: ${(err as Error).message}`);
    }
    const line = text.split(/\r?\n/)[0] ?? "";
    if (line === "") throw new ClientError("CLIENT_PASSPHRASE_REQUIRED", "the passphrase file is empty");
    return line;
  }
  const env = io.env["SCRT_KEYRING_PASSPHRASE"];
  if (env !== undefined && env !== "") return env;
  if (!io.stdinIsTTY) {
    throw new ClientError(
      "CLIENT_PASSPHRASE_REQUIRED",
      "the keyring is encrypted: give --passphrase-file FILE or set SCRT_KEYRING_PASSPHRASE (or use --keyring-backend test for throwaway keys)",
    );
  }
  const first = await io.readLine("Enter keyring passphrase: ", true);
  if (first === "") throw new ClientError("CLIENT_PASSPHRASE_REQUIRED", "an empty passphrase is not allowed");
  if (confirm) {
    if (first.length < 8) throw new ClientError("CLIENT_BAD_INPUT", "choose a passphrase of at least 8 characters");
    const again = await io.readLine("Re-enter keyring passphrase: ", true);
    if (again !== first) throw new ClientError("CLIENT_BAD_INPUT", "the passphrases do not match");
  }
  return first;
}

/** Asks for confirmation on a terminal unless --yes; without a terminal, proceeds (scripts). */
export async function confirmOrAbort(io: CliIo, c: Common, question: string): Promise<void> {
  if (c.yes || !io.stdinIsTTY) return;
  const answer = (await io.readLine(`${question} [y/N]: `)).trim().toLowerCase();
  if (answer !== "y" && answer !== "yes") throw new CliError("CLI_ABORTED", "aborted");
}

/** JSON with bigints as strings and bytes as base64. */
export function toJson(value: unknown): string {
  return JSON.stringify(
    value,
    (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v instanceof Uint8Array ? toBase64(v) : v),
    2,
  );
}

export function printResult(io: CliIo, output: OutputFormat, json: unknown, text: string): void {
  io.stdout(output === "json" ? `${toJson(json)}\n` : text.endsWith("\n") ? text : `${text}\n`);
}

/** Prints an error (JSON on stderr with `--output json`) and returns the exit code: 2 usage, 1 otherwise. */
export function reportError(io: CliIo, output: OutputFormat, command: string, err: unknown): number {
  const code = isCodedError(err) ? err.code : "CLI_INTERNAL";
  const message = err instanceof Error ? err.message : String(err);
  if (output === "json") {
    const details = isCodedError(err) && err.details !== undefined ? { details: err.details } : {};
    io.stderr(`${toJson({ error: { code, message, ...details } })}\n`);
  } else {
    io.stderr(`scrt ${command}: ${message} [${code}]\n`);
    if (code === "CLI_USAGE") io.stderr(`Run 'scrt ${command.split(" ")[0]!} --help' for usage.\n`);
  }
  return code === "CLI_USAGE" ? 2 : 1;
}

/** The `--output` value if it parses, for reporting errors that happen before the options are read. */
export function outputOf(args: readonly string[]): OutputFormat {
  const i = args.findIndex((a) => a === "--output" || a === "-o");
  const v = i >= 0 ? args[i + 1] : args.find((a) => a.startsWith("--output="))?.slice(9);
  return v === "json" ? "json" : "text";
}
