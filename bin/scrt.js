#!/usr/bin/env node
// Launches the `scrt` CLI (and `npm start`, which runs `node bin/scrt.js dev`) from the compiled
// JavaScript in dist/: Node loads it directly, with no TypeScript loader in the main thread or in the
// enclave worker. In a source checkout dist/ is first brought up to date with src/ by
// scripts/build-dist.mjs: a stat of every source when nothing changed (a few ms), the changed files
// only when something did, everything on the first run. A production install without TypeScript runs
// dist/ as it is.
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const builder = join(root, "scripts", "build-dist.mjs");
if (existsSync(join(root, "src")) && existsSync(builder)) {
  const { ensureDist } = await import(pathToFileURL(builder).href);
  try {
    await ensureDist(root, { log: (m) => process.stderr.write(`scrt: ${m}\n`) });
  } catch (e) {
    process.stderr.write(`scrt: cannot build dist/: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  }
}
await import(pathToFileURL(join(root, "dist", "cli", "main.js")).href);
