/**
 * The `scrt` command. Each sub-command lives in `commands/<name>.ts` and exports
 * `run(args, io): Promise<number>` (the exit code); this file only dispatches. A command whose
 * subsystem has not landed yet prints a clear message and exits 3 rather than pretending.
 */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const VERSION = "0.1.0";

const USAGE = `scrt — a TypeScript node for the Secret Network protocol

Usage: scrt <command> [options]

Commands:
  dev         run the one-command dev chain (chain id secretdev-1)
  start       run a node from its home folder
  init        create a node home, keys and genesis (--genesis FILE: join a network)
  register    register a joining node's enclave on chain and seal the network seeds
  localnet    run N validators as separate processes on loopback
  keys        manage keys (coin type 529)
  tx          sign and broadcast transactions
  query       query the chain
  version     print the version

Run 'scrt <command> --help' for a command's options.
`;

const COMMANDS = ["dev", "start", "init", "register", "localnet", "keys", "tx", "query"] as const;

/** The shape every `commands/<name>.ts` module has. */
export interface CommandModule {
  run(args: readonly string[]): Promise<number>;
}

function commandFile(name: string): string | undefined {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const ext of [".ts", ".js"]) {
    const file = join(here, "commands", `${name}${ext}`);
    if (existsSync(file)) return file;
  }
  return undefined;
}

export async function run(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === "help" || command === "--help" || command === "-h") {
    process.stdout.write(USAGE);
    return command === undefined ? 1 : 0;
  }
  if (command === "version" || command === "--version") {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  if (!(COMMANDS as readonly string[]).includes(command)) {
    process.stderr.write(`scrt: unknown command '${command}'\n\n${USAGE}`);
    return 2;
  }
  const file = commandFile(command);
  if (file === undefined) {
    process.stderr.write(`scrt ${command}: not available in this version yet.\n`);
    return 3;
  }
  const mod = (await import(pathToFileURL(file).href)) as CommandModule;
  return mod.run(rest);
}

process.exitCode = await run(process.argv.slice(2));
