/**
 * `scrt start [--home DIR] [--host H] [--rpc-port N] [--lcd-port N] [--log-level L]`: runs the node of a
 * home made by `scrt init`, with its RPC and LCD servers, until Ctrl-C (SIGINT/SIGTERM close it cleanly).
 */
import { isCodedError } from "../../primitives/errors.ts";
import { startEnclave } from "../../node/enclave.ts";
import { createLogger, isLogLevel } from "../../node/logger.ts";
import type { RunningServices } from "../../node/services.ts";
import { flagBool, flagString, parseArgs, type ParsedArgs } from "../lib/args.ts";
import { defaultHome } from "./init.ts";

const USAGE = `Usage: scrt start [--home DIR] [--host HOST] [--rpc-port 26657] [--lcd-port 1317] [--log-level info]
`;

export function portFlag(p: ParsedArgs, name: string, fallback: number): number {
  const v = flagString(p, name);
  if (v === undefined) return fallback;
  if (!/^\d{1,5}$/.test(v) || Number(v) > 65535)
    throw new Error(`--${name} must be a port number (0 picks a free one)`);
  return Number(v);
}

export function listenPort(laddr: string, fallback: number): number {
  const m = /:(\d{1,5})$/.exec(laddr);
  return m === null ? fallback : Number(m[1]);
}

/** Runs until SIGINT/SIGTERM or a halt; returns the exit code. */
export function runUntilSignal(
  s: RunningServices,
  log: { info(m: string): void; error(m: string): void },
): Promise<number> {
  return new Promise((resolve) => {
    let stopping = false;
    const stop = (code: number): void => {
      if (stopping) return;
      stopping = true;
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      log.info("shutting down");
      s.close().then(
        () => resolve(code),
        () => resolve(1),
      );
    };
    const onSignal = (): void => stop(0);
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
    const halted = s.node.halted;
    if (halted !== undefined) {
      log.error(`node halted: ${halted.message}`);
      stop(1);
      return;
    }
    s.node.onHalt((e) => {
      log.error(`node halted: ${e.message}`);
      stop(1);
    });
  });
}

export async function run(args: readonly string[]): Promise<number> {
  let p: ParsedArgs;
  let rpcPort: number;
  let lcdPort: number;
  const spec = {
    home: "string",
    host: "string",
    "rpc-port": "string",
    "lcd-port": "string",
    "log-level": "string",
    help: "boolean",
  } as const;
  let home: string;
  try {
    p = parseArgs(args, spec);
    if (flagBool(p, "help")) {
      process.stdout.write(USAGE);
      return 0;
    }
    home = flagString(p, "home") ?? defaultHome(false);
    const { loadConfig, homePaths } = await import("../../node/home.ts");
    const config = loadConfig(homePaths(home).config);
    rpcPort = portFlag(p, "rpc-port", listenPort(config.rpcListen, 26657));
    lcdPort = portFlag(p, "lcd-port", listenPort(config.lcdListen, 1317));
  } catch (e) {
    process.stderr.write(`scrt start: ${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const level = flagString(p, "log-level") ?? "info";
  if (!isLogLevel(level)) {
    process.stderr.write(`scrt start: --log-level must be debug, info, warn or error\n`);
    return 2;
  }
  const log = createLogger(level);
  let s: RunningServices;
  try {
    const { existsSync } = await import("node:fs");
    const { homePaths } = await import("../../node/paths.ts");
    if (!existsSync(homePaths(home).genesis))
      throw new Error(`no node in ${home}: run 'scrt init --home ${home}' first`);
    const enclave = startEnclave(home); // overlaps loading the node's modules
    enclave.catch(() => {});
    const { startServices } = await import("../../node/services.ts");
    s = await startServices({
      node: { home, logger: log, enclave },
      host: flagString(p, "host") ?? "127.0.0.1",
      rpcPort,
      lcdPort,
      faucetPort: null,
      logger: log,
    });
  } catch (e) {
    process.stderr.write(`scrt start: ${isCodedError(e) ? `${e.code}: ` : ""}${(e as Error).message}\n`);
    return 1;
  }
  const host = flagString(p, "host") ?? "127.0.0.1";
  process.stdout.write(
    `node ${s.node.nodeId} on ${s.node.chainId}\n  rpc  http://${host}:${s.rpcPort}\n  lcd  http://${host}:${s.lcdPort}\n`,
  );
  return runUntilSignal(s, { info: (m) => log.info(m), error: (m) => log.error(m) });
}
