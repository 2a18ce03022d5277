/**
 * Starting a module as a worker thread. Under Node 20 a worker does not run the parent's `--import`
 * hooks, so a `.ts` entry (running from source under tsx) needs its loader registered inside the
 * worker first: the worker then starts from a two-line bootstrap that imports the loader module, calls
 * its `register()`, and imports the entry. A build runs `.js` entries directly, with no loader.
 */
import { Worker, type WorkerOptions } from "node:worker_threads";
import { EnclaveApiError } from "./errors.ts";

/** The loader module for `entry`: tsx's ESM API for `.ts`/`.mts` entries, none for `.js`. */
export function defaultLoaderFor(entry: URL): string | undefined {
  if (!/\.m?ts$/.test(entry.pathname)) return undefined;
  try {
    return import.meta.resolve("tsx/esm/api");
  } catch {
    throw new EnclaveApiError(
      "ENCLAVE_API_STARTUP_FAILED",
      "a TypeScript worker entry needs a loader (tsx) or a built .js entry",
    );
  }
}

/** Starts `entry` in a worker thread, registering `loader` (a module URL with `register()`) first. */
export function spawnModuleWorker(entry: URL, options: WorkerOptions, loader: string | undefined): Worker {
  if (loader === undefined) return new Worker(entry, options);
  const bootstrap =
    `import(${JSON.stringify(loader)})` +
    `.then((m) => { m.register(); return import(${JSON.stringify(entry.href)}); })`;
  return new Worker(bootstrap, { ...options, eval: true });
}

/** This module's own extension (`.ts` from source, `.js` in a build), for sibling worker entries. */
export function ownExtension(url: string): string {
  const match = /\.[cm]?[jt]s$/.exec(new URL(url).pathname);
  return match === null ? ".js" : match[0];
}
