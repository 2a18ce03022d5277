/**
 * The enclave's single entry point, started by file path as a worker thread (never imported).
 *
 * Order matters: the bundle is measured (crypto.md §11.1) before any other enclave module is
 * evaluated. This file and `measurement.ts` import only Node built-ins; everything else is loaded
 * with a dynamic import afterwards.
 */
import { isMainThread, parentPort, workerData } from "node:worker_threads";
import { measureBundle, type Measurement } from "./measurement.ts";

if (isMainThread || parentPort === null) {
  throw new Error("src/enclave/main.ts runs only as a worker thread started by createWorkerEnclave");
}
const port = parentPort;

let measured: Measurement | undefined;
try {
  measured = measureBundle(import.meta.url);
} catch (e) {
  const message = e instanceof Error ? e.message : String(e);
  port.postMessage({ type: "startupFailed", code: "ENCLAVE_MEASUREMENT_FAILED", message });
}

if (measured !== undefined) {
  const { runEnclaveWorker } = await import("./ecalls.ts");
  runEnclaveWorker(port, workerData, measured.measurement);
}
