/**
 * The supervisor thread: starts the enclave worker and watches it. The host's thread blocks in
 * `Atomics.wait` during a call, so it cannot receive the enclave worker's `exit` event; this thread
 * can (a worker's events go to the thread that created it). When the enclave thread ends for any
 * reason (crash, out of memory, termination) the supervisor marks the shared channel dead and wakes
 * the host, which then fails the pending call with ENCLAVE_API_DEAD.
 *
 * Started by `createWorkerEnclave` with `workerData` = `SupervisorData`; it holds no secrets and only
 * relays startup status and exit causes.
 */
import { parentPort, workerData, type ResourceLimits } from "node:worker_threads";
import { ExitReason, markChannelDead, type ExitReasonValue } from "./channel.ts";
import { spawnModuleWorker } from "./spawn.ts";

export interface SupervisorData {
  readonly entry: string;
  readonly loader: string | undefined;
  readonly sab: SharedArrayBuffer;
  readonly home: string;
  readonly maxMessageBytes: number;
  readonly spinMicros: number;
  readonly protocolVersion: number;
  readonly resourceLimits: ResourceLimits;
}

/** Messages the supervisor sends to the host. */
export type SupervisorMessage =
  | { readonly type: "ready" }
  | { readonly type: "startupFailed"; readonly code: string; readonly message: string }
  | { readonly type: "exited"; readonly reason: number; readonly exitCode: number; readonly error: string | undefined };

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null;
}

function start(data: SupervisorData): void {
  const port = parentPort!;
  let terminating = false;
  let reason: ExitReasonValue = ExitReason.Exited;
  let errorText: string | undefined;
  const enclave = spawnModuleWorker(
    new URL(data.entry),
    {
      name: "scrt-enclave",
      workerData: {
        sab: data.sab,
        home: data.home,
        maxMessageBytes: data.maxMessageBytes,
        spinMicros: data.spinMicros,
        protocolVersion: data.protocolVersion,
      },
      resourceLimits: data.resourceLimits,
    },
    data.loader,
  );
  enclave.on("message", (m: unknown) => {
    if (!isRecord(m)) return;
    if (m["type"] === "ready") port.postMessage({ type: "ready" } satisfies SupervisorMessage);
    else if (m["type"] === "startupFailed" && typeof m["code"] === "string" && typeof m["message"] === "string") {
      port.postMessage({ type: "startupFailed", code: m["code"], message: m["message"] } satisfies SupervisorMessage);
    }
  });
  enclave.on("error", (e: unknown) => {
    const code = isRecord(e) && typeof e["code"] === "string" ? e["code"] : undefined;
    reason = code === "ERR_WORKER_OUT_OF_MEMORY" ? ExitReason.OutOfMemory : ExitReason.Crashed;
    // Only the class and code: an uncaught error's message could quote enclave data.
    errorText = `${e instanceof Error ? e.name : typeof e}${code === undefined ? "" : ` ${code}`}`;
  });
  enclave.on("exit", (exitCode: number) => {
    const finalReason = terminating ? ExitReason.Terminated : reason;
    markChannelDead(data.sab, finalReason, exitCode);
    port.postMessage({ type: "exited", reason: finalReason, exitCode, error: errorText } satisfies SupervisorMessage);
    port.close();
  });
  port.on("message", (m: unknown) => {
    if (isRecord(m) && m["type"] === "terminate") {
      terminating = true;
      void enclave.terminate();
    }
  });
}

start(workerData as SupervisorData);
