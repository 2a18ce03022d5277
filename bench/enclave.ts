/**
 * The enclave boundary's cost: synchronous ecalls into the worker-thread enclave over the
 * SharedArrayBuffer channel, against the usual way to talk to a worker (an async `postMessage`
 * round trip) measured in the same run.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { createWorkerEnclave } from "../src/enclave-api/workerEnclave.ts";
import { type BenchRow, measure } from "./harness.ts";

const ENTRY = new URL("../src/enclave/main.ts", import.meta.url);

/** A worker that echoes every message: the baseline transport. */
function startEchoWorker(): Worker {
  return new Worker(
    "const { parentPort } = require('node:worker_threads'); parentPort.on('message', (m) => parentPort.postMessage(m));",
    {
      eval: true,
    },
  );
}

export async function enclaveBenchmarks(): Promise<BenchRow[]> {
  const home = mkdtempSync(join(tmpdir(), "scrt-bench-enclave-"));
  const started = performance.now();
  const enclave = await createWorkerEnclave({ entry: ENTRY, home });
  const startupMs = performance.now() - started;
  const echo = startEchoWorker();
  const postMessageRoundTrip = () =>
    new Promise<void>((resolve) => {
      echo.once("message", () => resolve());
      echo.postMessage(0);
    });
  try {
    const ecalls = await measure(() => enclave.call("ping", {}));
    const baseline = await measure(postMessageRoundTrip);
    const mib = new Uint8Array(1 << 20);
    const bigMessage = await measure(
      () =>
        new Promise<void>((resolve) => {
          echo.once("message", () => resolve());
          echo.postMessage(mib);
        }),
      { minMs: 300 },
    );
    const bigEcall = await measure(() => {
      try {
        enclave.call("registerNode", { evidence: mib, blockTimeSeconds: 1n });
      } catch {
        // Refused (no keys, not evidence): the 1 MiB still crossed the channel.
      }
    });
    return [
      {
        name: "empty ecall round trip",
        ours: ecalls,
        baseline,
        baselineName: "worker postMessage round trip",
        unit: "calls/s",
        higherIsBetter: true,
        target: "≥ 10× baseline",
        targetMet: ecalls >= 10 * baseline,
      },
      {
        name: "1 MiB request through the 256 KiB channel",
        ours: bigEcall,
        baseline: bigMessage,
        baselineName: "postMessage of 1 MiB (structured clone)",
        unit: "calls/s",
        higherIsBetter: true,
        target: "informational",
      },
      {
        name: "enclave startup (measure bundle, open platform)",
        ours: startupMs,
        baseline: 1000,
        baselineName: "1 s budget",
        unit: "ms",
        higherIsBetter: false,
        target: "< 1 s",
        targetMet: startupMs < 1000,
      },
    ];
  } finally {
    await echo.terminate();
    await enclave.close();
    rmSync(home, { recursive: true, force: true });
  }
}
