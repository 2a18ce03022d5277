/**
 * `scrt init [--home DIR] [--chain-id ID] [--moniker M] [--dev-accounts]`: creates a node home (keys,
 * config, the enclave's sealed network keys, genesis.json). `--dev-accounts` funds the dev chain's
 * well-known accounts (validator, a, b, c, d, faucet) with 10^18 uscrt each.
 *
 * `scrt init --genesis FILE [--authority-key FILE]`: a home for a node joining an existing network
 * instead (src/node/join.ts): its own keys, that genesis, an enclave holding the genesis attestation
 * policy but no seeds; `scrt register` then gets the seeds on chain.
 *
 * Also the home default shared by `start` and `dev`. Heavy modules load lazily (see `dev.ts`).
 */
import { homedir } from "node:os";
import { join } from "node:path";
import { isCodedError } from "../../primitives/errors.ts";
import { createLogger } from "../../node/logger.ts";
import { flagBool, flagString, parseArgs, type ParsedArgs } from "../lib/args.ts";
import { type CliIo, processIo } from "../lib/io.ts";

const USAGE = `Usage: scrt init [--home DIR] [--chain-id ID] [--moniker NAME] [--dev-accounts]
       scrt init --genesis FILE [--home DIR] [--moniker NAME] [--authority-key FILE]
                 [--p2p-laddr HOST:PORT] [--persistent-peers ID@HOST:PORT,...]

  --home DIR              node home (default $SCRT_HOME or ~/.scrt)
  --chain-id ID           chain id of a new network (default secretdev-1)
  --moniker NAME          this node's name (default node)
  --dev-accounts          fund the well-known dev accounts at genesis
  --genesis FILE          join the network of this genesis.json instead of starting one (no seeds
                          yet: run 'scrt register' next)
  --authority-key FILE    attestation authority key file copied into the home (its quotes vouch for
                          the enclave at 'scrt register')
  --p2p-laddr HOST:PORT   p2p listen address written to config.json
  --persistent-peers LIST peers written to config.json
`;

/** `$SCRT_HOME`, else `~/.scrt-dev` for the dev chain and `~/.scrt` otherwise. */
export function defaultHome(devChain: boolean): string {
  const env = process.env.SCRT_HOME;
  if (env !== undefined && env !== "") return env;
  return join(homedir(), devChain ? ".scrt-dev" : ".scrt");
}

function usageError(io: CliIo, message: string): number {
  io.stderr(`scrt init: ${message}\n\n${USAGE}`);
  return 2;
}

function failure(io: CliIo, e: unknown): number {
  io.stderr(`scrt init: ${isCodedError(e) ? `${e.code}: ` : ""}${(e as Error).message}\n`);
  return 1;
}

export async function run(args: readonly string[], io: CliIo = processIo()): Promise<number> {
  let p: ParsedArgs;
  try {
    p = parseArgs(args, {
      home: "string",
      "chain-id": "string",
      moniker: "string",
      "dev-accounts": "boolean",
      genesis: "string",
      "authority-key": "string",
      "p2p-laddr": "string",
      "persistent-peers": "string",
      help: "boolean",
    });
  } catch (e) {
    return usageError(io, (e as Error).message);
  }
  if (flagBool(p, "help")) {
    io.stdout(USAGE);
    return 0;
  }
  if (p.positionals.length > 0) return usageError(io, `unexpected argument '${p.positionals[0]!}'`);
  const home = flagString(p, "home") ?? defaultHome(false);
  const moniker = flagString(p, "moniker") ?? "node";
  const genesisFile = flagString(p, "genesis");
  const p2pListen = flagString(p, "p2p-laddr");
  const persistentPeers = flagString(p, "persistent-peers");
  if (genesisFile === undefined) {
    for (const only of ["authority-key", "p2p-laddr", "persistent-peers"]) {
      if (p.flags[only] !== undefined) return usageError(io, `--${only} goes with --genesis`);
    }
  } else {
    if (flagBool(p, "dev-accounts")) {
      return usageError(io, "--dev-accounts makes a new network's genesis; it cannot go with --genesis");
    }
    if (flagString(p, "chain-id") !== undefined) {
      return usageError(io, "--chain-id is taken from the --genesis file; leave it out");
    }
    try {
      const { initJoinHome } = await import("../../node/join.ts");
      const authorityKeyFile = flagString(p, "authority-key");
      const r = await initJoinHome({
        home,
        genesisFile,
        moniker,
        config: {
          ...(p2pListen === undefined ? {} : { p2pListen }),
          ...(persistentPeers === undefined ? {} : { persistentPeers }),
        },
        ...(authorityKeyFile === undefined ? {} : { authorityKeyFile }),
        logger: createLogger("info"),
      });
      io.stdout(
        `Initialized ${home} to join ${r.chainId}\n  node id      ${r.nodeId}\n  measurement  ${Buffer.from(r.measurement).toString("hex")}\n` +
          `next: scrt register --home ${home} --node <RPC URL of a running node> --from <funded key>\n`,
      );
      if (!r.measurementAllowed) {
        io.stderr(
          `scrt init: warning: the genesis attestation policy does not allow this enclave build's measurement; registration will be refused\n`,
        );
      }
      return 0;
    } catch (e) {
      return failure(io, e);
    }
  }
  const chainId = flagString(p, "chain-id") ?? "secretdev-1";
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
    io.stdout(
      `Initialized ${home}\n  chain id   ${r.chainId}\n  validator  ${Buffer.from(r.validatorPubKey).toString("base64")}\n`,
    );
    return 0;
  } catch (e) {
    return failure(io, e);
  }
}
