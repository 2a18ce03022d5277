/**
 * `npm run bench -- node`: the dev chain (`scrt dev` as a child process, as a user runs it).
 *
 * - start-up: spawn → RPC and LCD answering with block 1 committed, on a new home
 *   (includes `init`: keys, enclave bootstrap) and on an existing one (the usual restart);
 * - RSS of the process idle and after a burst of sends;
 * - a bank send round trip: RPC `broadcast_tx_commit` (CheckTx → block → commit) median.
 *
 * Baselines: upstream's published LocalSecret figures (tens of seconds to the first block in Docker,
 * 6 s blocks, so a send waits ≈ 3–6 s) are constants, marked as such; the RSS baseline is a bare
 * `node --import tsx` process measured in the same run.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { devAccount, devAccounts } from "../src/node/devAccounts.ts";
import { msgSend, signDirectTx } from "../src/node/txBuilder.ts";
import type { BenchRow } from "./harness.ts";

const MAIN = new URL("../src/cli/main.ts", import.meta.url).pathname;

interface Started {
  child: ChildProcess;
  rpc: string;
  lcd: string;
  readyMs: number;
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const m = /VmRSS:\s+(\d+) kB/.exec(status);
  return m === null ? 0 : Number(m[1]) / 1024;
}

async function getJson(url: string, init?: RequestInit): Promise<unknown> {
  const r = await fetch(url, init);
  if (!r.ok) throw new Error(`${url}: ${r.status}`);
  return r.json();
}

async function startDev(home: string): Promise<Started> {
  const t0 = performance.now();
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      MAIN,
      "dev",
      "--home",
      home,
      "--rpc-port",
      "0",
      "--lcd-port",
      "0",
      "--faucet-port",
      "0",
      "--log-level",
      "warn",
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  let out = "";
  const urls = await new Promise<{ rpc: string; lcd: string }>((resolve, reject) => {
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /listening rpc=(\S+) lcd=(\S+)/.exec(out);
      if (m !== null) resolve({ rpc: m[1]!, lcd: m[2]! });
    });
    child.on("exit", (code) => reject(new Error(`scrt dev exited ${code}`)));
  });
  // `listening` is printed when the servers listen; poll until both answer at height ≥ 1.
  for (;;) {
    try {
      const s = (await getJson(`${urls.rpc}/status`)) as { result: { sync_info: { latest_block_height: string } } };
      await getJson(`${urls.lcd}/cosmos/base/tendermint/v1beta1/node_info`);
      if (Number(s.result.sync_info.latest_block_height) >= 1) break;
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  const readyMs = performance.now() - t0;
  // wait for the full `ready` line (enclave keys loaded) before measuring anything else
  await new Promise<void>((resolve) => {
    const check = (): void => {
      if (out.includes("\nready ")) resolve();
      else setTimeout(check, 5);
    };
    check();
  });
  return { child, ...urls, readyMs };
}

async function stop(child: ChildProcess): Promise<void> {
  const exited = new Promise((r) => child.on("exit", r));
  child.kill("SIGINT");
  await exited;
}

function sendTx(sequence: bigint): Uint8Array {
  const a = devAccount("a");
  return signDirectTx({
    messages: [msgSend(a.address, devAccount("b").address, [{ denom: "uscrt", amount: "1" }])],
    key: a.key,
    chainId: "secretdev-1",
    accountNumber: BigInt(devAccounts().findIndex((x) => x.name === "a")),
    sequence,
    fee: [{ denom: "uscrt", amount: "5000" }],
    gas: 200_000n,
  });
}

async function rpcCall(
  rpc: string,
  method: string,
  params: unknown,
): Promise<{ result?: Record<string, unknown>; error?: unknown }> {
  return (await getJson(rpc, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  })) as { result?: Record<string, unknown>; error?: unknown };
}

/** spawn → `scrt version` exits: the floor any start-up pays here (node + the tsx loader + the CLI). */
async function versionFloorMs(): Promise<number> {
  const t0 = performance.now();
  const child = spawn(process.execPath, ["--import", "tsx", MAIN, "version"], { stdio: "ignore" });
  await new Promise((r) => child.on("exit", r));
  return performance.now() - t0;
}

async function bareNodeRss(): Promise<number> {
  const child = spawn(process.execPath, ["--import", "tsx", "-e", "setTimeout(() => {}, 5000)"], { stdio: "ignore" });
  await new Promise((r) => setTimeout(r, 1000));
  const rss = rssMb(child.pid!);
  child.kill("SIGKILL");
  return rss;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
};

export async function nodeBenchmarks(): Promise<BenchRow[]> {
  const home = join(mkdtempSync(join(tmpdir(), "scrt-bench-node-")), "home");
  const UPSTREAM_START_MS = 30_000;
  const UPSTREAM_BLOCK_MS = 6_000;
  const rows: BenchRow[] = [];
  const children: ChildProcess[] = [];
  try {
    const floor = await versionFloorMs();
    const cold = await startDev(home);
    await stop(cold.child);
    const warm = await startDev(home);
    children.push(warm.child);
    rows.push(
      {
        name: "dev chain: spawn → RPC/LCD answering at height ≥ 1, new home (init + enclave bootstrap)",
        ours: cold.readyMs,
        baseline: UPSTREAM_START_MS,
        baselineName: "LocalSecret published (Docker)",
        unit: "ms",
        higherIsBetter: false,
      },
      {
        name: "dev chain: spawn → RPC/LCD answering at height ≥ 1, existing home (vs the process floor)",
        ours: warm.readyMs,
        baseline: floor,
        baselineName: "spawn → `scrt version` exits (same run)",
        unit: "ms",
        higherIsBetter: false,
      },
      {
        name: "dev chain: spawn → RPC/LCD answering at height ≥ 1, existing home",
        ours: warm.readyMs,
        baseline: UPSTREAM_START_MS,
        baselineName: "LocalSecret published (Docker)",
        unit: "ms",
        higherIsBetter: false,
        target: "< 1 000 ms",
        targetMet: warm.readyMs < 1000,
      },
    );
    await new Promise((r) => setTimeout(r, 500));
    const bare = await bareNodeRss();
    const idle = rssMb(warm.child.pid!);
    rows.push({
      name: "dev chain: RSS idle (node + enclave worker)",
      ours: idle,
      baseline: bare,
      baselineName: "bare node --import tsx",
      unit: "MB",
      higherIsBetter: false,
      target: "< 250 MB",
      targetMet: idle < 250,
    });

    // Round trips, one at a time.
    const times: number[] = [];
    let seq = 0n;
    for (let i = 0; i < 30; i++) {
      const tx = Buffer.from(sendTx(seq++)).toString("base64");
      const t0 = performance.now();
      const r = await rpcCall(warm.rpc, "broadcast_tx_commit", { tx });
      const dt = performance.now() - t0;
      const res = r.result as { check_tx?: { code: number }; tx_result?: { code: number } } | undefined;
      if (res === undefined || (res.check_tx?.code ?? 0) !== 0 || (res.tx_result?.code ?? 0) !== 0)
        throw new Error(`send failed: ${JSON.stringify(r)}`);
      times.push(dt);
    }
    const rt = median(times);
    rows.push({
      name: "dev chain: bank send round trip (broadcast_tx_commit) median",
      ours: rt,
      baseline: UPSTREAM_BLOCK_MS / 2,
      baselineName: "LocalSecret: half a 6 s block (published)",
      unit: "ms",
      higherIsBetter: false,
      target: "< 100 ms",
      targetMet: rt < 100,
    });

    // Load: 500 sends broadcast (sync) at once, then wait until all are included.
    const burst = 500;
    const t0 = performance.now();
    const hashes: string[] = [];
    await Promise.all(
      Array.from({ length: burst }, async () => {
        const tx = Buffer.from(sendTx(seq++)).toString("base64");
        const r = await rpcCall(warm.rpc, "broadcast_tx_sync", { tx });
        hashes.push(String((r.result as { hash?: string } | undefined)?.hash ?? ""));
      }),
    );
    let peak = rssMb(warm.child.pid!);
    for (;;) {
      const r = await rpcCall(warm.rpc, "num_unconfirmed_txs", {});
      peak = Math.max(peak, rssMb(warm.child.pid!));
      if (Number((r.result as { total?: string } | undefined)?.total ?? "1") === 0) break;
      await new Promise((res) => setTimeout(res, 20));
    }
    const loadMs = performance.now() - t0;
    rows.push(
      {
        name: `dev chain: ${burst} sends broadcast at once → all included`,
        ours: (burst * 1000) / loadMs,
        baseline: 0,
        baselineName: "—",
        unit: "tx/s",
        higherIsBetter: true,
      },
      {
        name: "dev chain: peak RSS under that load",
        ours: peak,
        baseline: bare,
        baselineName: "bare node --import tsx",
        unit: "MB",
        higherIsBetter: false,
        target: "< 250 MB",
        targetMet: peak < 250,
      },
    );
    await stop(warm.child);
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
    rmSync(join(home, ".."), { recursive: true, force: true });
  }
  return rows;
}
