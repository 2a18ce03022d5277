#!/usr/bin/env node
// Runs the test suites with node's test runner: `node scripts/test.mjs [kind ...]`, kinds being the
// folders of test/ (unit, vectors, sim, e2e). With no argument, all of them.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";

const KINDS = ["unit", "vectors", "sim", "e2e"];
/** Kinds that run only when asked for: interop needs upstream binaries that are not in the repo. */
const OPTIONAL_KINDS = ["interop"];
const kinds = process.argv.slice(2).length > 0 ? process.argv.slice(2) : KINDS;
for (const kind of kinds) {
  if (!KINDS.includes(kind) && !OPTIONAL_KINDS.includes(kind)) {
    console.error(`unknown test kind '${kind}'; expected one of ${[...KINDS, ...OPTIONAL_KINDS].join(", ")}`);
    process.exit(2);
  }
}

/** @param {string} dir @returns {string[]} */
function collect(dir) {
  if (!existsSync(dir)) return [];
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...collect(path));
    else if (entry.name.endsWith(".test.ts")) out.push(path);
  }
  return out.sort();
}

const files = kinds.flatMap((kind) => collect(join("test", kind)));
if (files.length === 0) {
  console.error(`no test files found under test/{${kinds.join(",")}}`);
  process.exit(1);
}
const reporter = process.env.CI ? "spec" : (process.env.TEST_REPORTER ?? "spec");
const result = spawnSync(
  process.execPath,
  ["--import", "tsx", "--test", "--test-concurrency=2", `--test-reporter=${reporter}`, ...files],
  { stdio: "inherit" },
);
process.exit(result.status ?? 1);
