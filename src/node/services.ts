/**
 * A node with its public services: the node itself, the Tendermint RPC server, the LCD gateway and
 * (dev chain) the faucet. Started in that order, closed in reverse.
 */
import type { startLcdServer as StartLcd } from "../api/lcd/index.ts";
import type { startRpcServer as StartRpc } from "../api/rpc/index.ts";
import { silentLogger, type Logger } from "../primitives/observability.ts";
import { NodeBackend } from "./backend.ts";
import { devAccount } from "./devAccounts.ts";
import { startFaucet } from "./faucet.ts";
import { Node, type NodeOptions } from "./node.ts";

export interface ServicesOptions {
  readonly node: NodeOptions;
  readonly host?: string;
  /** 0: a free port; `null`: do not start. */
  readonly rpcPort?: number | null;
  readonly lcdPort?: number | null;
  readonly faucetPort?: number | null;
  readonly logger?: Logger;
}

export interface RunningServices {
  readonly node: Node;
  readonly backend: NodeBackend;
  readonly rpcPort: number | undefined;
  readonly lcdPort: number | undefined;
  readonly faucetPort: number | undefined;
  close(): Promise<void>;
}

export async function startServices(o: ServicesOptions): Promise<RunningServices> {
  const log = o.logger ?? silentLogger;
  const host = o.host ?? "127.0.0.1";
  // The API modules load while the node opens its stores and the enclave worker starts.
  const nodeStarting = Node.start(o.node);
  const apiModules = Promise.all([import("../api/rpc/index.ts"), import("../api/lcd/index.ts")]);
  apiModules.catch(() => {});
  const node = await nodeStarting;
  let startRpcServer: typeof StartRpc;
  let startLcdServer: typeof StartLcd;
  try {
    const [rpcModule, lcdModule] = await apiModules;
    startRpcServer = rpcModule.startRpcServer;
    startLcdServer = lcdModule.startLcdServer;
  } catch (e) {
    await node.close();
    throw e;
  }
  const backend = new NodeBackend(node);
  const closers: (() => Promise<void>)[] = [
    async () => {
      backend.close();
      await node.close();
    },
  ];
  const closeAll = async (): Promise<void> => {
    for (const c of closers.reverse()) {
      try {
        await c();
      } catch (e) {
        log.warn("error while closing", { error: (e as Error).message });
      }
    }
    closers.length = 0;
  };
  // The servers start together, so that each one's socket set-up overlaps the others' work.
  const starting: readonly (Promise<StartedServer> | undefined)[] = [
    o.rpcPort === null
      ? undefined
      : startRpcServer({ backend, host, port: o.rpcPort ?? 26657, logger: log.child({ module: "rpc" }) }),
    o.lcdPort === null
      ? undefined
      : startLcdServer({ backend, host, port: o.lcdPort ?? 1317, logger: log.child({ module: "lcd" }) }),
    o.faucetPort === null || o.faucetPort === undefined
      ? undefined
      : startDevFaucet(backend, host, o.faucetPort, log.child({ module: "faucet" })),
  ];
  const settled = await Promise.allSettled(starting);
  const ports: (number | undefined)[] = [];
  let failed: { reason: unknown } | undefined;
  for (const r of settled) {
    if (r.status === "rejected") failed ??= { reason: r.reason };
    const server = r.status === "fulfilled" ? r.value : undefined;
    if (server !== undefined) closers.push(() => server.close());
    ports.push(server?.port);
  }
  if (failed !== undefined) {
    await closeAll();
    throw failed.reason;
  }
  const [rpcPort, lcdPort, faucetPort] = ports;
  return { node, backend, rpcPort, lcdPort, faucetPort, close: closeAll };
}

interface StartedServer {
  readonly port: number;
  close(): Promise<void>;
}

/** The dev chain's faucet, sending from its own well-known account. */
async function startDevFaucet(
  backend: NodeBackend,
  host: string,
  port: number,
  logger: Logger,
): Promise<StartedServer> {
  const f = devAccount("faucet");
  return startFaucet({ backend, key: f.key, address: f.address, host, port, logger });
}
