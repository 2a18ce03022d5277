/**
 * `scrt init [--home DIR] [--chain-id ID] [--moniker M] [--dev-accounts]`: creates a node home (keys,
 * config, the enclave's sealed network keys, genesis.json). `--dev-accounts` funds the dev chain's
 * well-known accounts (validator, a, b, c, d, faucet) with 10^18 uscrt each.
 *
 * Also the home default shared by `start` and `dev`. Heavy modules load lazily (see `dev.ts`).
 */
import { homedir } from "node:os";
import { join } from "node:path";
import { isCodedError } from "../../primitives/errors.ts";
import { createLogger } from "../../node/logger.ts";
import { flagBool, flagString, parseArgs } from "../lib/args.ts";

const USAGE = `Usage: scrt init [--home DIR] [--chain-id ID] [--moniker NAME] [--dev-accounts]

  --home DIR        node home (default $SCRT_HOME or ~/.scrt)
  --chain-id ID     chain id (default secretdev-1)
  --moniker NAME    this node's name (default node)
  --dev-accounts    fund the well-known dev accounts at genesis
`;

/** `$SCRT_HOME`, else `~/.scrt-dev` for the dev chain and `~/.scrt` otherwise. */
export function defaultHome(devChain: boolean): string {
  const env = process.env.SCRT_HOME;
  if (env !== undefined && env !== "") return env;
  return join(homedir(), devChain ? ".scrt-dev" : ".scrt");
}

export async function run(args: readonly string[]): Promise<number> {
  let p;
  try {
    p = parseArgs(args, {
      home: "string",
      "chain-id": "string",
      moniker: "string",
      "dev-accounts": "boolean",
      help: "boolean",
    });
  } catch (e) {
    process.stderr.write(`scrt init: ${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (flagBool(p, "help")) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (p.positionals.length > 0) {
    process.stderr.write(`scrt init: unexpected argument '${p.positionals[0]}'\n\n${USAGE}`);
    return 2;
  }
  const home = flagString(p, "home") ?? defaultHome(false);
  const chainId = flagString(p, "chain-id") ?? "secretdev-1";
  const moniker = flagString(p, "moniker") ?? "node";
  try {
    const { DEV_ACCOUNT_BALANCE, DEV_DENOM, devAccounts } = await import("../../node/devAccounts.ts");
    const { initHome } = await import("../../node/init.ts");
    const r = await initHome({
      home,
      chainId,
      moniker,
      accounts: flagBool(p, "dev-accounts")
        ? devAccounts().map((a) => ({
            address: a.address,
            coins: [{ denom: DEV_DENOM, amount: DEV_ACCOUNT_BALANCE.toString() }],
          }))
        : [],
      logger: createLogger("info"),
    });
    process.stdout.write(
      `Initialized ${home}\n  chain id   ${r.chainId}\n  validator  ${Buffer.from(r.validatorPubKey).toString("base64")}\n`,
    );
    return 0;
  } catch (e) {
    process.stderr.write(`scrt init: ${isCodedError(e) ? `${e.code}: ` : ""}${(e as Error).message}\n`);
    return 1;
  }
}
