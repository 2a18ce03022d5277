/**
 * `scrt dev` (= `npm start`): the one-command dev chain, a drop-in for LocalSecret. Chain id
 * secretdev-1, one validator, blocks as soon as there are txs, the well-known accounts funded at
 * genesis, RPC 26657, LCD 1317, faucet 5000. Data stays in the home across restarts; `--reset` starts
 * over. Home: `--home`, else `$SCRT_HOME`, else `~/.scrt-dev`.
 */
import { existsSync, rmSync } from "node:fs";
import { isCodedError } from "../../primitives/errors.ts";
import { startEnclave } from "../../node/enclave.ts";
import { createLogger, isLogLevel } from "../../node/logger.ts";
import { homePaths } from "../../node/paths.ts";
import type { RunningServices } from "../../node/services.ts";
import { flagBool, flagString, parseArgs, type ParsedArgs } from "../lib/args.ts";
import { defaultHome } from "./init.ts";
import { portFlag, runUntilSignal } from "./start.ts";

export const DEV_CHAIN_ID = "secretdev-1";

const USAGE = `Usage: scrt dev [--home DIR] [--reset] [--host HOST] [--rpc-port 26657] [--lcd-port 1317]
                [--faucet-port 5000] [--block-interval MS] [--log-level info]

  --home DIR           dev chain home (default $SCRT_HOME or ~/.scrt-dev)
  --reset              delete the home first and start a new chain
  --host HOST          interface to listen on (default 127.0.0.1; 0.0.0.0 for all)
  --rpc-port N         Tendermint RPC (default 26657; 0 picks a free port)
  --lcd-port N         LCD REST (default 1317)
  --faucet-port N      faucet, GET /faucet?address=... (default 5000)
  --block-interval MS  also make an empty block after MS without txs (default: only blocks with txs)
  --no-enclave         run without the enclave worker (tests, debugging: compute and registration are not routed)
`;

export async function run(args: readonly string[]): Promise<number> {
  const t0 = performance.now();
  let p: ParsedArgs;
  let ports: { rpc: number; lcd: number; faucet: number };
  let interval = 0;
  try {
    p = parseArgs(args, {
      home: "string",
      reset: "boolean",
      host: "string",
      "rpc-port": "string",
      "lcd-port": "string",
      "faucet-port": "string",
      "block-interval": "string",
      "log-level": "string",
      "no-enclave": "boolean",
      help: "boolean",
    });
    if (flagBool(p, "help")) {
      process.stdout.write(USAGE);
      return 0;
    }
    ports = {
      rpc: portFlag(p, "rpc-port", 26657),
      lcd: portFlag(p, "lcd-port", 1317),
      faucet: portFlag(p, "faucet-port", 5000),
    };
    const bi = flagString(p, "block-interval");
    if (bi !== undefined) {
      if (!/^\d{1,9}$/.test(bi)) throw new Error("--block-interval must be milliseconds");
      interval = Number(bi);
    }
  } catch (e) {
    process.stderr.write(`scrt dev: ${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const level = flagString(p, "log-level") ?? "info";
  if (!isLogLevel(level)) {
    process.stderr.write(`scrt dev: --log-level must be debug, info, warn or error\n`);
    return 2;
  }
  const log = createLogger(level);
  const home = flagString(p, "home") ?? defaultHome(true);
  const host = flagString(p, "host") ?? "127.0.0.1";
  let s: RunningServices;
  let accounts: readonly { name: string; address: string; mnemonic: string }[];
  try {
    if (flagBool(p, "reset") && existsSync(home)) {
      log.info("reset: removing the dev chain home", { home });
      rmSync(home, { recursive: true, force: true });
    }
    const fresh = !existsSync(homePaths(home).genesis);
    // On an existing home the enclave worker starts first (in its own thread), then the node's modules
    // load, the services' and the dev accounts' at once, so that their file reads overlap.
    const enclave = flagBool(p, "no-enclave") ? false : fresh ? true : startEnclave(home);
    if (enclave instanceof Promise) enclave.catch(() => {});
    const servicesModule = import("../../node/services.ts");
    servicesModule.catch(() => {});
    const { DEV_ACCOUNT_BALANCE, DEV_DENOM, devAccounts } = await import("../../node/devAccounts.ts");
    if (fresh) {
      log.info("creating the dev chain", { home });
      const { initHome } = await import("../../node/init.ts");
      await initHome({
        home,
        chainId: DEV_CHAIN_ID,
        moniker: "secretdev",
        accounts: devAccounts().map((a) => ({
          address: a.address,
          coins: [{ denom: DEV_DENOM, amount: DEV_ACCOUNT_BALANCE.toString() }],
        })),
        logger: log,
      });
    }
    const { startServices } = await servicesModule;
    s = await startServices({
      node: { home, logger: log, config: { emptyBlockIntervalMs: interval }, enclave },
      host,
      rpcPort: ports.rpc,
      lcdPort: ports.lcd,
      faucetPort: ports.faucet,
      logger: log,
    });
    process.stdout.write(
      `listening rpc=http://${host}:${s.rpcPort} lcd=http://${host}:${s.lcdPort} faucet=http://${host}:${s.faucetPort}\n`,
    );
    await s.node.waitForHeight(1, 30_000);
    await s.node.enclaveReady;
    if (s.node.halted !== undefined) {
      const reason = s.node.halted;
      await s.close();
      throw reason;
    }
    accounts = devAccounts();
  } catch (e) {
    process.stderr.write(`scrt dev: ${isCodedError(e) ? `${e.code}: ` : ""}${(e as Error).message}\n`);
    return 1;
  }
  const lines = [
    `secretdev-1 is running (home ${home}, height ${s.node.height}, ready in ${Math.round(performance.now() - t0)} ms)`,
    "",
    "Accounts (10^18 uscrt each at genesis; coin type 529):",
    ...accounts.map(
      (a) => `  ${a.name.padEnd(9)} ${a.address}${a.name === "faucet" ? "" : `\n            ${a.mnemonic}`}`,
    ),
    "",
    "Endpoints:",
    `  rpc     http://${host}:${s.rpcPort}`,
    `  lcd     http://${host}:${s.lcdPort}`,
    `  faucet  http://${host}:${s.faucetPort}/faucet?address=<secret1...>`,
    "",
    `ready rpc=http://${host}:${s.rpcPort} lcd=http://${host}:${s.lcdPort} faucet=http://${host}:${s.faucetPort}`,
    "",
  ];
  process.stdout.write(lines.join("\n"));
  return runUntilSignal(s, { info: (m) => log.info(m), error: (m) => log.error(m) });
}
