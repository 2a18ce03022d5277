/**
 * `npm run bench -- rpcPath`: the way of a tx into the mempool through the Tendermint RPC, without the
 * app's check. A child process (`rpcPathServer.ts`) serves `broadcast_tx_sync` over a real `Mempool`
 * (its check costs nothing; every 100 ms a "block" reaps everything and runs `update`); this process
 * sends JSON-RPC batches of 10 distinct 300-byte txs (as the localnet bench does), 4 requests in
 * flight, and reads the child's CPU (all threads) and, in a second run with V8's sampling heap
 * profiler, the bytes it allocated, per tx. Baseline: a bare `node:http` server doing the minimum
 * for the same batches (JSON.parse, base64, sha256, JSON.stringify), measured in the same run.
 * Each figure is the median of 3 runs, ours and the floor interleaved.
 */
import { fork, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import type { BenchRow } from "./harness.ts";

const SERVER = fileURLToPath(new URL("./rpcPathServer.ts", import.meta.url));
const BATCH = 10;
const WARMUP_TXS = 5_000;
const MEASURED_TXS = 20_000;
const IN_FLIGHT = 4;
const RUNS = Number(process.env["RPC_PATH_RUNS"] ?? 3);
/** `RPC_PATH_NODE_FLAGS="--cpu-prof --cpu-prof-dir=/tmp/X"`: node flags of the server process. */
const NODE_FLAGS = (process.env["RPC_PATH_NODE_FLAGS"] ?? "").split(" ").filter((f) => f !== "");

interface Stats {
  readonly cpuUs: number;
  readonly allocatedBytes: number;
}

function ask(child: ChildProcess): Promise<Stats> {
  return new Promise((resolve) => {
    child.once("message", (m) => resolve(m as Stats));
    child.send("stats");
  });
}

async function sendAll(port: number, txs: readonly string[]): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < txs.length) {
      const from = next;
      next += BATCH;
      const body = JSON.stringify(
        txs
          .slice(from, from + BATCH)
          .map((tx, id) => ({ jsonrpc: "2.0", id, method: "broadcast_tx_sync", params: { tx } })),
      );
      const res = await fetch(`http://127.0.0.1:${port}/`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
      });
      const answers = (await res.json()) as { result?: { code: number } }[];
      if (answers.length !== BATCH || answers.some((a) => a.result?.code !== 0)) {
        throw new Error(`unexpected answer: ${JSON.stringify(answers[0])}`);
      }
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
}

/** One run: µs of server CPU and bytes allocated per measured tx. */
async function run(mode: "ours" | "floor", heap: boolean): Promise<{ cpuUsPerTx: number; bytesPerTx: number }> {
  const child = fork(SERVER, [], {
    execArgv: ["--import", "tsx", ...NODE_FLAGS],
    env: { ...process.env, RPC_PATH_MODE: mode, RPC_PATH_HEAP: heap ? "1" : "0" },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  try {
    const { port } = await new Promise<{ port: number }>((resolve, reject) => {
      child.once("message", (m) => resolve(m as { port: number }));
      child.once("exit", (code) => reject(new Error(`rpcPathServer exited with ${code}`)));
    });
    const txs = Array.from({ length: WARMUP_TXS + MEASURED_TXS }, () => randomBytes(300).toString("base64"));
    await sendAll(port, txs.slice(0, WARMUP_TXS));
    const before = await ask(child);
    await sendAll(port, txs.slice(WARMUP_TXS));
    const after = await ask(child);
    return {
      cpuUsPerTx: (after.cpuUs - before.cpuUs) / MEASURED_TXS,
      bytesPerTx: (after.allocatedBytes - before.allocatedBytes) / MEASURED_TXS,
    };
  } finally {
    // A disconnect ends the child normally (so that --cpu-prof can write its profile).
    const exited = new Promise((resolve) => child.once("exit", resolve));
    if (child.connected) child.disconnect();
    const timer = setTimeout(() => child.kill(), 5000);
    await exited;
    clearTimeout(timer);
  }
}

const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function rpcPathBenchmarks(): Promise<BenchRow[]> {
  const cpu = { ours: [] as number[], floor: [] as number[] };
  const bytes = { ours: [] as number[], floor: [] as number[] };
  for (let i = 0; i < RUNS; i++) {
    for (const mode of ["ours", "floor"] as const) {
      cpu[mode].push((await run(mode, false)).cpuUsPerTx);
      bytes[mode].push((await run(mode, true)).bytesPerTx);
    }
  }
  const spread = (xs: readonly number[]): string => xs.map((x) => x.toFixed(0)).join("/");
  console.error(
    `  rpcPath: cpu µs/tx ours ${spread(cpu.ours)} floor ${spread(cpu.floor)}; bytes/tx ours ${spread(bytes.ours)} floor ${spread(bytes.floor)}`,
  );
  const row = (name: string, unit: string, ours: number, floor: number): BenchRow => ({
    name,
    ours,
    baseline: floor,
    baselineName: "bare node:http JSON-RPC",
    unit,
    higherIsBetter: false,
  });
  return [
    row(`broadcast_tx_sync batch of ${BATCH} → mempool, server CPU per tx`, "µs", median(cpu.ours), median(cpu.floor)),
    row(
      `broadcast_tx_sync batch of ${BATCH} → mempool, allocated per tx`,
      "B",
      median(bytes.ours),
      median(bytes.floor),
    ),
  ];
}
