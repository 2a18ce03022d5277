/**
 * Starting the enclave worker of a node home. Light on imports on purpose: the CLI starts the worker
 * first, so that its start-up (measuring and loading its own bundle) overlaps the loading of the node.
 */
import { extname } from "node:path";
import { fileURLToPath } from "node:url";
import { createWorkerEnclave, type WorkerEnclave } from "../enclave-api/index.ts";

/** The enclave entry next to this build (`.ts` from source, `.js` built). */
export function enclaveEntry(): URL {
  const ext = extname(fileURLToPath(import.meta.url));
  return new URL(`../enclave/main${ext}`, import.meta.url);
}

/** Starts the enclave worker of `home` (its sealed files are in `<home>/enclave/`). */
export function startEnclave(home: string): Promise<WorkerEnclave> {
  return createWorkerEnclave({ entry: enclaveEntry(), home });
}
