/**
 * `scrt start [--home DIR] [--host H] [--rpc-port N] [--lcd-port N] [--log-level L]`: runs the node of a
 * home made by `scrt init`, with its RPC and LCD servers, until Ctrl-C (SIGINT/SIGTERM close it cleanly).
 * With a p2p listen address (config `p2p_laddr` or `--p2p-laddr`) the node joins its peers (config
 * `persistent_peers` or `--persistent-peers`) over libp2p; without one it is a lone validator.
 */
import { isCodedError } from "../../primitives/errors.ts";
import { startEnclave } from "../../node/enclave.ts";
import { createLogger, isLogLevel } from "../../node/logger.ts";
import type { P2PNetwork } from "../../node/network.ts";
import type { RunningServices } from "../../node/services.ts";
import { flagBool, flagString, parseArgs, type ParsedArgs } from "../lib/args.ts";
import { processIo } from "../lib/io.ts";
import { BLOCKS, createProgress } from "../lib/progress.ts";
import { defaultHome } from "./init.ts";

const USAGE = `Usage: scrt start [--home DIR] [--host HOST] [--rpc-port 26657] [--lcd-port 1317] [--log-level info]
                  [--p2p-laddr HOST:PORT] [--persistent-peers ID@HOST:PORT,...] [--no-enclave]
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
    "p2p-laddr": "string",
    "persistent-peers": "string",
    "no-enclave": "boolean",
    help: "boolean",
  } as const;
  let home: string;
  let p2pListen: string;
  let persistentPeers: string;
  let moniker: string;
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
    p2pListen = flagString(p, "p2p-laddr") ?? config.p2pListen;
    persistentPeers = flagString(p, "persistent-peers") ?? config.persistentPeers;
    moniker = config.moniker;
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
  let p2pLine = "";
  try {
    const { existsSync } = await import("node:fs");
    const { homePaths } = await import("../../node/paths.ts");
    if (!existsSync(homePaths(home).genesis))
      throw new Error(`no node in ${home}: run 'scrt init --home ${home}' first`);
    const enclave = flagBool(p, "no-enclave") ? false : startEnclave(home); // overlaps loading the node's modules
    if (enclave !== false) enclave.catch(() => {});
    const { startServices } = await import("../../node/services.ts");
    let network: P2PNetwork | undefined;
    const syncBar = createProgress(processIo(), "block sync", 2, BLOCKS);
    if (p2pListen !== "") {
      const { createNodeNetwork, parsePersistentPeers } = await import("../../node/network.ts");
      network = createNodeNetwork({
        home,
        listen: p2pListen,
        persistentPeers: parsePersistentPeers(persistentPeers),
        moniker,
        logger: log,
        onSyncProgress: (sp) => {
          const done = Number(sp.height - sp.startHeight + 1n);
          const total = Number(sp.target - sp.startHeight + 1n);
          syncBar.update(done, total);
          if (done >= total) syncBar.finish();
        },
      });
    }
    s = await startServices({
      node: { home, logger: log, enclave, ...(network === undefined ? {} : { network }) },
      host: flagString(p, "host") ?? "127.0.0.1",
      rpcPort,
      lcdPort,
      faucetPort: null,
      logger: log,
    });
    if (network !== undefined) {
      const services = s;
      const net = network;
      try {
        // Blocks from peers may carry contract txs: execute none before the enclave has its keys.
        await services.node.enclaveReady;
        if (services.node.halted !== undefined) throw services.node.halted;
        await net.attach(services.node);
      } catch (e) {
        await services.close();
        throw e;
      }
      s = {
        ...services,
        close: async () => {
          await net.close();
          await services.close();
        },
      };
      p2pLine = `  p2p  ${net.p2p.multiaddrs().join(" ")}\n`;
    }
  } catch (e) {
    process.stderr.write(`scrt start: ${isCodedError(e) ? `${e.code}: ` : ""}${(e as Error).message}\n`);
    return 1;
  }
  const host = flagString(p, "host") ?? "127.0.0.1";
  process.stdout.write(
    `node ${s.node.nodeId} on ${s.node.chainId}\n  rpc  http://${host}:${s.rpcPort}\n  lcd  http://${host}:${s.lcdPort}\n${p2pLine}`,
  );
  return runUntilSignal(s, { info: (m) => log.info(m), error: (m) => log.error(m) });
}
