/**
 * Starting the enclave worker of a node home. Light on imports on purpose: the CLI starts the worker
 * first, so that its start-up (measuring and loading its own bundle) overlaps the loading of the node.
 */
import { availableParallelism } from "node:os";
import { extname } from "node:path";
import { fileURLToPath } from "node:url";
import { createWorkerEnclave, DEFAULT_SPIN_MICROS, type WorkerEnclave } from "../enclave-api/index.ts";
import { NodeError } from "./errors.ts";

/** The enclave entry next to this build (`.ts` from source, `.js` built). */
export function enclaveEntry(): URL {
  const ext = extname(fileURLToPath(import.meta.url));
  return new URL(`../enclave/main${ext}`, import.meta.url);
}

/** How long a thread spins on a machine with spare cores before it sleeps (see `enclaveSpinMicros`). */
export const SPARE_CORES_SPIN_MICROS = 300;

/**
 * How long the host and enclave threads poll the channel before sleeping in `Atomics.wait`. Waking a
 * sleeping thread costs tens of microseconds on virtual machines, several times per contract call, so
 * spinning through the short gaps of a call (an ocall answer, the host's work between two ecalls) is
 * faster — but only when a core is free for it: on a busy machine a spinning thread takes the CPU the
 * other one needs. Default: 300 µs with 4 or more cores (a validator's machine), else the channel's
 * 50 µs; `SCRT_ENCLAVE_SPIN_US` (0…1,000,000) overrides it.
 */
export function enclaveSpinMicros(
  env: Readonly<Record<string, string | undefined>> = process.env,
  cores: number = availableParallelism(),
): number {
  const v = env["SCRT_ENCLAVE_SPIN_US"];
  if (v === undefined || v === "") return cores >= 4 ? SPARE_CORES_SPIN_MICROS : DEFAULT_SPIN_MICROS;
  const n = Number(v);
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(n) || n > 1_000_000) {
    throw new NodeError("NODE_INVALID_OPTIONS", `SCRT_ENCLAVE_SPIN_US=${v}: expected microseconds in 0…1000000`);
  }
  return n;
}

/** Starts the enclave worker of `home` (its sealed files are in `<home>/enclave/`). */
export function startEnclave(home: string): Promise<WorkerEnclave> {
  let spinMicros: number;
  try {
    spinMicros = enclaveSpinMicros();
  } catch (e) {
    return Promise.reject(e);
  }
  return createWorkerEnclave({ entry: enclaveEntry(), home, spinMicros });
}
