/**
 * `scrt localnet [--validators 4] [--dir DIR] [--chain-id ID] [--accounts 8] [--reset] [--add-node] [--log-level info]`:
 * N validators as separate processes on 127.0.0.1 with a shared genesis (src/node/localnet.ts). The
 * first run creates the homes under DIR; later runs start the same network again. Each node's log
 * lines are printed with a `[nodeI]` prefix; SIGINT/SIGTERM stop every node (exit 0); a node that
 * exits on its own stops the others (exit 1). `--add-node` first adds a full node (`addLocalnetNode`: not
 * in genesis, a validator only once its operator stakes with MsgCreateValidator) to the localnet.
 */
import { join } from "node:path";
import { isCodedError } from "../../primitives/errors.ts";
import { flagBool, flagString, parseArgs, type ParsedArgs } from "../lib/args.ts";
import { defaultHome } from "./init.ts";

const USAGE = `Usage: scrt localnet [--validators 4] [--dir DIR] [--chain-id ID] [--accounts 8] [--reset] [--no-enclave]
                     [--add-node] [--log-level info]

  --validators N   validators, each its own process (default 4, at most 32)
  --dir DIR        where the homes are (default <home>/localnet, home = $SCRT_HOME or ~/.scrt)
  --chain-id ID    chain id of a new localnet (default secret-localnet-1)
  --accounts N     funded accounts of a new localnet (default 8; keys: localnetAccountKey(i))
  --reset          delete DIR's localnet first
  --add-node       add a full node (not a validator) to DIR's localnet, then start all of them
  --no-enclave     run the nodes without their enclave workers (no contract execution)
  --log-level L    the nodes' log level (default info)
`;

function intFlag(p: ParsedArgs, name: string, fallback: number): number {
  const v = flagString(p, name);
  if (v === undefined) return fallback;
  if (!/^\d{1,6}$/.test(v)) throw new Error(`--${name} must be a non-negative integer`);
  return Number(v);
}

export async function run(args: readonly string[]): Promise<number> {
  let p: ParsedArgs;
  let validators: number;
  let accounts: number;
  try {
    p = parseArgs(args, {
      validators: "string",
      dir: "string",
      "chain-id": "string",
      accounts: "string",
      reset: "boolean",
      "add-node": "boolean",
      "no-enclave": "boolean",
      "log-level": "string",
      help: "boolean",
    });
    if (flagBool(p, "help")) {
      process.stdout.write(USAGE);
      return 0;
    }
    validators = intFlag(p, "validators", 4);
    accounts = intFlag(p, "accounts", 8);
  } catch (e) {
    process.stderr.write(`scrt localnet: ${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const level = flagString(p, "log-level") ?? "info";
  if (!["debug", "info", "warn", "error"].includes(level)) {
    process.stderr.write(`scrt localnet: --log-level must be debug, info, warn or error\n`);
    return 2;
  }
  const dir = flagString(p, "dir") ?? join(defaultHome(false), "localnet");
  const { existsSync, rmSync } = await import("node:fs");
  const { addLocalnetNode, initLocalnet, loadLocalnet, spawnValidator } = await import("../../node/localnet.ts");
  let net;
  try {
    if (flagBool(p, "reset")) rmSync(dir, { recursive: true, force: true });
    if (existsSync(join(dir, "localnet.json"))) {
      net = loadLocalnet(dir);
      if (net.nodes.length !== validators && flagString(p, "validators") !== undefined) {
        throw new Error(`${dir} holds a localnet of ${net.nodes.length} validators (use --reset to make a new one)`);
      }
    } else {
      const chainId = flagString(p, "chain-id");
      net = await initLocalnet({ dir, validators, accounts, ...(chainId === undefined ? {} : { chainId }) });
    }
    if (flagBool(p, "add-node")) net = await addLocalnetNode(net, { registerEnclave: !flagBool(p, "no-enclave") });
  } catch (e) {
    process.stderr.write(`scrt localnet: ${isCodedError(e) ? `${e.code}: ` : ""}${(e as Error).message}\n`);
    return 1;
  }
  const logLevel = level as "debug" | "info" | "warn" | "error";
  const procs = net.nodes.map((n) =>
    spawnValidator(net, n.index, {
      logLevel,
      enclave: !flagBool(p, "no-enclave"),
      onLine: (line) => process.stderr.write(`[node${n.index}] ${line}\n`),
    }),
  );
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (code: number): void => {
      if (stopping) return;
      stopping = true;
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      for (const pr of procs) if (pr.child.exitCode === null) pr.child.kill("SIGTERM");
      void Promise.all(procs.map((pr) => pr.exited)).then(() => resolve(code));
    };
    const onSignal = (): void => stop(0);
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
    for (const pr of procs) {
      void pr.exited.then((code) => {
        if (!stopping) {
          process.stderr.write(`scrt localnet: node${pr.node.index} exited (${code}); stopping the others\n`);
          stop(1);
        }
      });
    }
    void Promise.all(procs.map((pr) => pr.ready)).then(
      () => {
        process.stdout.write(`localnet ${net.chainId}: ${net.nodes.length} nodes in ${dir}\n`);
        for (const n of net.nodes) {
          process.stdout.write(
            `  node${n.index} ${n.nodeId} rpc http://127.0.0.1:${n.rpcPort} lcd http://127.0.0.1:${n.lcdPort} p2p 127.0.0.1:${n.p2pPort}\n`,
          );
        }
        process.stdout.write("ready\n");
      },
      () => {},
    );
  });
}
