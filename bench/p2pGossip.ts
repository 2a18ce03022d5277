/**
 * `npm run bench -- p2pGossip`: CPU of the p2p layer per gossiped tx. Each run is a child process
 * (`p2pGossipNodes.ts`) with 4 real libp2p nodes in full mesh under 1,000 txs/s of tx gossip plus a
 * 100 KB proposal and 8 votes every 600 ms; the figure is the process's CPU per tx (delivered to the
 * 3 other nodes). Baseline: the same with js-yamux's own window updates (one per frame received)
 * instead of ours at half the window. Median of `P2P_GOSSIP_RUNS` (default 5) interleaved runs each;
 * the window updates per tx that reached yamux's own method are printed with the spread.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { BenchRow } from "./harness.ts";

const NODES_SCRIPT = fileURLToPath(new URL("./p2pGossipNodes.ts", import.meta.url));
const RUNS = Number(process.env["P2P_GOSSIP_RUNS"] ?? 5);

interface RunResult {
  readonly cpuUsPerTx: number;
  readonly windowUpdatesPerTx: number;
}

function run(window: "half" | "perFrame"): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", NODES_SCRIPT], {
      env: { ...process.env, P2P_GOSSIP_WINDOW: window },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.on("exit", (code) => {
      const line = out.trim().split("\n").pop() ?? "";
      try {
        const r = JSON.parse(line) as RunResult & { arrived: number; expected: number };
        if (r.arrived !== r.expected) throw new Error(`only ${r.arrived} of ${r.expected} txs arrived`);
        resolve(r);
      } catch (e) {
        reject(new Error(`p2pGossipNodes exited with ${code}: ${(e as Error).message}`));
      }
    });
  });
}

const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function p2pGossipBenchmarks(): Promise<BenchRow[]> {
  const ours: RunResult[] = [];
  const perFrame: RunResult[] = [];
  for (let i = 0; i < RUNS; i++) {
    ours.push(await run("half"));
    perFrame.push(await run("perFrame"));
  }
  const list = (xs: readonly RunResult[], key: keyof RunResult, digits: number): string =>
    xs.map((x) => x[key].toFixed(digits)).join("/");
  console.error(
    `  p2pGossip: cpu µs/tx ours ${list(ours, "cpuUsPerTx", 0)} per-frame ${list(perFrame, "cpuUsPerTx", 0)}; ` +
      `window updates/tx ours ${list(ours, "windowUpdatesPerTx", 2)} per-frame ${list(perFrame, "windowUpdatesPerTx", 2)}`,
  );
  return [
    {
      name: "p2p gossip, 4 nodes, 1,000 tx/s + proposals and votes: CPU per tx",
      ours: median(ours.map((r) => r.cpuUsPerTx)),
      baseline: median(perFrame.map((r) => r.cpuUsPerTx)),
      baselineName: "js-yamux window update per frame",
      unit: "µs",
      higherIsBetter: false,
    },
  ];
}
