/**
 * `scrt keys`: a keyring of secp256k1 keys from BIP-39 mnemonics (coin type 529), each with the
 * encryption seed of its contract-IO identity. See src/cli/README.md.
 */
import { readFileSync } from "node:fs";
import type { KeyInfo } from "../../client/keyring.ts";
import { toBase64 } from "../../primitives/base64.ts";
import { fromHex } from "../../primitives/hex.ts";
import { ClientError } from "../../client/errors.ts";
import { expectPositionals, flagBool, flagString, parseUintArg } from "../lib/args.ts";
import {
  COMMON_FLAGS,
  parseSubcommand,
  confirmOrAbort,
  openKeyring,
  outputOf,
  printResult,
  readPassphrase,
  reportError,
} from "../lib/context.ts";
import { CliError } from "../lib/errors.ts";
import { type CliIo, processIo } from "../lib/io.ts";

const USAGE = `Usage: scrt keys <subcommand> [options]

  add NAME [--recover]      create a key (or recover it from a mnemonic) and store it
  list                      list the keys
  show NAME [--address]     show a key (or only its address)
  delete NAME [--yes]       delete a key from the keyring

Options:
  --recover                 read a BIP-39 mnemonic (from --mnemonic-file, a prompt, or piped stdin)
  --mnemonic-file FILE      the mnemonic for --recover
  --account N, --index N    HD path m/44'/529'/N'/0/INDEX (default 0, 0)
  --encryption-seed HEX     reuse a 32-byte contract-encryption seed (default: random, kept in the keyring)
  --keyring-dir DIR         default $SCRT_HOME/keyring or ~/.scrt/keyring
  --keyring-backend B       file (encrypted with a passphrase, default) or test (stored in the clear)
  --passphrase-file FILE    non-interactive passphrase (or $SCRT_KEYRING_PASSPHRASE)
  --output json|text
`;

const FLAGS = {
  ...COMMON_FLAGS,
  recover: "boolean",
  "mnemonic-file": "string",
  account: "string",
  index: "string",
  "encryption-seed": "string",
  address: "boolean",
} as const;

export function keyJson(k: KeyInfo): Record<string, unknown> {
  return {
    name: k.name,
    type: "local",
    address: k.address,
    pubkey: { "@type": "/cosmos.crypto.secp256k1.PubKey", key: toBase64(k.publicKey) },
    encryption_pubkey: toBase64(k.encryptionPublicKey),
    hd_path: k.hdPath,
    backend: k.backend,
    created: k.created,
  };
}

function keyText(k: KeyInfo): string {
  return [
    `- name: ${k.name}`,
    `  address: ${k.address}`,
    `  pubkey: ${toBase64(k.publicKey)}`,
    `  encryption_pubkey: ${toBase64(k.encryptionPublicKey)}`,
    `  hd_path: ${k.hdPath}`,
    `  backend: ${k.backend}`,
  ].join("\n");
}

export async function run(args: readonly string[], io: CliIo = processIo()): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === "--help" || sub === "-h" || sub === "help") {
    io.stdout(USAGE);
    return sub === undefined ? 2 : 0;
  }
  try {
    const parsed = parseSubcommand(rest, FLAGS, io, USAGE);
    if (parsed === undefined) return 0;
    const { p, c } = parsed;
    const keyring = openKeyring(c);
    switch (sub) {
      case "add": {
        const [name] = expectPositionals(p, ["NAME"]);
        if (keyring.has(name!)) throw new ClientError("CLIENT_KEY_EXISTS", `a key named '${name!}' already exists`);
        let mnemonic: string | undefined;
        if (flagBool(p, "recover")) mnemonic = await readMnemonic(io, flagString(p, "mnemonic-file"));
        else if (flagString(p, "mnemonic-file") !== undefined)
          throw new CliError("CLI_USAGE", "--mnemonic-file needs --recover");
        const seedHex = flagString(p, "encryption-seed");
        let encryptionSeed: Uint8Array | undefined;
        if (seedHex !== undefined) {
          try {
            encryptionSeed = fromHex(seedHex.replace(/^0x/, ""));
          } catch {
            throw new CliError("CLI_USAGE", "--encryption-seed must be 64 hex characters");
          }
          if (encryptionSeed.length !== 32)
            throw new CliError("CLI_USAGE", "--encryption-seed must be 64 hex characters");
        }
        const account = Number(parseUintArg(flagString(p, "account") ?? "0", "--account"));
        const index = Number(parseUintArg(flagString(p, "index") ?? "0", "--index"));
        const passphrase = c.backend === "file" ? await readPassphrase(io, c, true) : undefined;
        const { info, mnemonic: generated } = await keyring.add(name!, {
          backend: c.backend,
          account,
          index,
          ...(mnemonic === undefined ? {} : { mnemonic }),
          ...(passphrase === undefined ? {} : { passphrase }),
          ...(encryptionSeed === undefined ? {} : { encryptionSeed }),
        });
        const text =
          generated === undefined
            ? keyText(info)
            : `${keyText(info)}\n\n**Important** write this mnemonic phrase in a safe place.\nIt is the only way to recover your account if you ever forget your password.\n\n${generated}\n`;
        printResult(
          io,
          c.output,
          generated === undefined ? keyJson(info) : { ...keyJson(info), mnemonic: generated },
          text,
        );
        return 0;
      }
      case "list": {
        expectPositionals(p, []);
        const { keys, problems } = keyring.scan();
        for (const bad of problems)
          io.stderr(`warning: key file '${bad.name}' skipped: ${bad.error.message} [${bad.error.code}]\n`);
        printResult(io, c.output, keys.map(keyJson), keys.length === 0 ? "no keys" : keys.map(keyText).join("\n"));
        return 0;
      }
      case "show": {
        const [name] = expectPositionals(p, ["NAME"]);
        const info = keyring.show(name!);
        if (flagBool(p, "address")) printResult(io, c.output, { address: info.address }, info.address);
        else printResult(io, c.output, keyJson(info), keyText(info));
        return 0;
      }
      case "delete": {
        const [name] = expectPositionals(p, ["NAME"]);
        keyring.show(name!);
        await confirmOrAbort(io, c, `Key '${name!}' will be deleted. Continue?`);
        const info = keyring.delete(name!);
        printResult(io, c.output, { deleted: info.name, address: info.address }, `Key '${info.name}' deleted`);
        return 0;
      }
      default:
        throw new CliError("CLI_USAGE", `unknown subcommand 'keys ${sub}'`);
    }
  } catch (err) {
    return reportError(io, outputOf(args), `keys ${sub}`, err);
  }
}

async function readMnemonic(io: CliIo, file: string | undefined): Promise<string> {
  let text: string;
  if (file !== undefined) {
    try {
      text = readFileSync(file, "utf8");
    } catch (err) {
      throw new CliError("CLI_FILE", `cannot read the mnemonic file ${file}: ${(err as Error).message}`);
    }
  } else if (io.stdinIsTTY) {
    text = await io.readLine("Enter your bip39 mnemonic: ", true);
  } else {
    text = await io.readAll();
  }
  const words = text.trim().split(/\s+/).join(" ");
  if (words === "") throw new ClientError("CLIENT_BAD_INPUT", "no mnemonic given");
  return words;
}
