/**
 * Child process of `bench/rpcPath.ts`: an RPC server whose `broadcast_tx_sync` goes through a real
 * `Mempool` (a check that costs nothing, so only the way in is measured) and, every 100 ms, a "block"
 * that reaps everything and runs `update` on it. `RPC_PATH_MODE=floor` serves the same JSON-RPC batch
 * with a bare `node:http` handler instead (JSON.parse, base64, sha256, JSON.stringify): the floor.
 *
 * IPC: sends `{ port }` once listening; answers `"stats"` with `{ cpuUs, allocatedBytes }` (CPU of the
 * whole process, all threads; allocation sampled by V8's heap profiler, including collected objects,
 * when `RPC_PATH_HEAP=1`, else 0; `RPC_PATH_HEAP_OUT=/tmp/x` also writes each sampled profile there).
 */
import { createHash } from "node:crypto";
import { writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { Session } from "node:inspector/promises";
import type { ApiBackend, BroadcastResult } from "../src/api/backend.ts";
import { startRpcServer } from "../src/api/rpc/index.ts";
import type { TxResult } from "../src/app/index.ts";
import { sha256 } from "../src/crypto/index.ts";
import { Mempool } from "../src/mempool/index.ts";

const EMPTY = new Uint8Array(0);
const OK: TxResult = {
  code: 0,
  codespace: "",
  log: "",
  info: "",
  gasWanted: 200_000n,
  gasUsed: 0n,
  events: [],
  data: EMPTY,
};

const mempool = new Mempool<TxResult>(
  (tx) => ({ ok: true, gasWanted: 200_000n, priority: BigInt(tx[0]! & 3), sender: String(tx[1]! & 63), result: OK }),
  sha256,
  { maxTxs: 50_000, maxBytes: 64 << 20, cacheSize: 20_000 },
);
setInterval(() => mempool.update(mempool.reap(-1, -1n)), 100).unref();

const notServed = (): never => {
  throw new Error("not served by this bench");
};
const backend: ApiBackend = {
  chainId: "bench-1",
  identity: notServed,
  status: notServed,
  peers: () => [],
  genesis: notServed,
  block: () => undefined,
  blockByHash: () => undefined,
  blockResults: () => undefined,
  commit: () => undefined,
  validators: () => undefined,
  tx: () => undefined,
  searchTxs: notServed,
  searchBlocks: notServed,
  checkTx: notServed,
  broadcastTx(tx: Uint8Array): BroadcastResult {
    const { hash, outcome } = mempool.add(tx);
    return { hash, check: outcome.result };
  },
  waitForTx: () => Promise.resolve(undefined),
  unconfirmedTxs: notServed,
  abciInfo: notServed,
  abciQuery: notServed,
  simulate: notServed,
  subscribe: () => () => {},
};

async function startFloor(): Promise<number> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const calls = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { id: number; params: { tx: string } }[];
      const out = calls.map((c) => {
        const hash = createHash("sha256").update(Buffer.from(c.params.tx, "base64")).digest("hex").toUpperCase();
        return { jsonrpc: "2.0", id: c.id, result: { code: 0, data: "", log: "", codespace: "", hash } };
      });
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(out));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  return typeof address === "object" && address !== null ? address.port : 0;
}

let session: Session | undefined;
if (process.env["RPC_PATH_HEAP"] === "1") {
  session = new Session();
  session.connect();
  await session.post("HeapProfiler.startSampling", {
    samplingInterval: 4096,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
}

interface SamplingNode {
  selfSize: number;
  children: SamplingNode[];
}
const sumSizes = (n: SamplingNode): number => n.children.reduce((s, c) => s + sumSizes(c), n.selfSize);

async function allocatedBytes(): Promise<number> {
  if (session === undefined) return 0;
  const { profile } = (await session.post("HeapProfiler.getSamplingProfile")) as { profile: { head: SamplingNode } };
  const out = process.env["RPC_PATH_HEAP_OUT"];
  if (out !== undefined && out !== "")
    writeFileSync(`${out}.${process.pid}.${Date.now()}.heapprofile`, JSON.stringify(profile));
  return sumSizes(profile.head);
}

const port =
  process.env["RPC_PATH_MODE"] === "floor"
    ? await startFloor()
    : (await startRpcServer({ backend, host: "127.0.0.1", port: 0 })).port;
process.send?.({ port });
process.on("message", (m) => {
  if (m !== "stats") return;
  const cpu = process.cpuUsage();
  void allocatedBytes().then((bytes) => process.send?.({ cpuUs: cpu.user + cpu.system, allocatedBytes: bytes }));
});
process.on("disconnect", () => process.exit(0));
