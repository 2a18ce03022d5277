/**
 * The `scrt` command. Sub-commands are added as the node grows; each prints a clear message and a
 * non-zero exit code when it cannot do its work yet, rather than pretending.
 */
import { parseArgs } from "node:util";

export const VERSION = "0.1.0";

const USAGE = `scrt — a TypeScript node for the Secret Network protocol

Usage: scrt <command> [options]

Commands:
  dev         run the one-command dev chain (chain id secretdev-1)
  start       run a node from its home folder
  init        create a node home, keys and genesis
  localnet    run N validators as separate processes on loopback
  keys        manage keys (coin type 529)
  tx          sign and broadcast transactions
  query       query the chain
  version     print the version

Options:
  -h, --help  show this help
`;

/** Commands the CLI knows about but whose subsystems have not landed yet. */
const PENDING: Readonly<Record<string, string>> = {
  dev: "the dev chain needs the state machine, consensus and the APIs",
  start: "running a node needs the state machine, consensus and the APIs",
  init: "node homes need genesis and the enclave key lifecycle",
  localnet: "a localnet needs consensus and p2p",
  keys: "key management needs the wallet codec",
  tx: "transactions need the codec and the APIs",
  query: "queries need the APIs",
};

export function run(argv: readonly string[]): number {
  const { positionals, values } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: false,
    options: { help: { type: "boolean", short: "h" } },
  });
  const command = positionals[0];
  if (command === undefined || values.help === true || command === "help") {
    process.stdout.write(USAGE);
    return command === undefined && values.help !== true ? 1 : 0;
  }
  if (command === "version") {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  const pending = PENDING[command];
  if (pending !== undefined) {
    process.stderr.write(`scrt ${command}: not available in this version yet — ${pending}.\n`);
    return 3;
  }
  process.stderr.write(`scrt: unknown command '${command}'\n\n${USAGE}`);
  return 2;
}

process.exitCode = run(process.argv.slice(2));
