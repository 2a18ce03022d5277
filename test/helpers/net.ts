/** Network helpers for tests that start child processes on fixed loopback ports. */
import type { ChildProcess } from "node:child_process";
import { createServer } from "node:net";

/** A loopback port free at the time of asking (for child processes that take a fixed port). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address !== null ? resolve(address.port) : reject()));
    });
  });
}

/** Waits until a dev chain's LCD at `url` serves the latest block; fails early if `child` exits. */
export async function waitForLcd(url: string, child: ChildProcess, logs: () => string): Promise<void> {
  for (let attempt = 0; attempt < 600; attempt++) {
    if (child.exitCode !== null) throw new Error(`scrt dev exited with ${child.exitCode}:\n${logs()}`);
    try {
      const res = await fetch(`${url}/cosmos/base/tendermint/v1beta1/blocks/latest`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the dev chain did not answer on ${url}:\n${logs()}`);
}

type Obj = Record<string, unknown>;

/**
 * One JSON-RPC call (POST) to the Tendermint RPC on `127.0.0.1:port`: its result, or an Error naming
 * the method and the RPC error. `timeoutMs` bounds the request (none by default).
 */
export async function rpcCall(port: number, method: string, params: Obj = {}, timeoutMs?: number): Promise<Obj> {
  const res = await fetch(`http://127.0.0.1:${port}/`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
    ...(timeoutMs === undefined ? {} : { signal: AbortSignal.timeout(timeoutMs) }),
  });
  const body = (await res.json()) as { result?: Obj; error?: unknown };
  if (body.result === undefined) throw new Error(`${method}: ${JSON.stringify(body.error)}`);
  return body.result;
}
