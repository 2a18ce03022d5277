#!/usr/bin/env node
// Keeps `dist/` (the compiled JavaScript that `bin/scrt.js`, and so `npm start`, runs) in step with
// `src/`, incrementally: a source whose size and mtime match what the last build recorded is not
// compiled again.
//
//   node scripts/build-dist.mjs [--force] [--check]
//
// --force  recompile every source          --check  exit 0 when dist/ is fresh, 1 when a build is due
//
// How it decides (cheap enough to run on every start, ≈ 330 stats and three small reads):
// - `dist/.scrt-build.json` (the stamp) records, per source (`src/**/*.ts`, compiled; `*.json` and
//   `*.wasm`, copied), its size and mtime when it was read, plus a hash of everything else that shapes
//   the output (this file, tsconfig.json, tsconfig.build.json, the TypeScript version).
// - dist/ is fresh when the stamp exists, the config hash matches and the set of sources with their
//   sizes and mtimes is exactly the recorded one. Otherwise the changed and new sources are compiled,
//   the outputs of deleted ones are removed, and the stamp is written last.
//
// How it compiles: file by file with TypeScript's `transpileModule` (no type checking, as tsx runs
// sources; `npm run typecheck` and `npm run build` check types). The project is `isolatedModules`
// with `verbatimModuleSyntax`, so a file's JavaScript depends on that file alone (and a full build is
// spread over worker threads, one per core up to 4). Every output is
// written to a temporary name and renamed into place, and builds of concurrent processes are
// serialized by `dist/.scrt-build.lock` (holding the builder's pid; a lock whose process is gone is
// taken over), so a process never reads a half-written module. Output is deterministic: the same
// sources give the same bytes, hence the same enclave measurement (src/enclave/measurement.ts hashes
// the compiled enclave layers when it runs from dist/).

import { createHash } from "node:crypto";
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import { dirname, join, relative, resolve, sep } from "node:path";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";

export const STAMP_FILE = ".scrt-build.json";
export const LOCK_FILE = ".scrt-build.lock";
const STAMP_VERSION = 1;
const SELF = fileURLToPath(import.meta.url);
/** Outputs a source `x.ts` may have in dist/ (this builder writes the first two; `tsc` the others). */
const OUTPUT_SUFFIXES = [".js", ".js.map", ".d.ts", ".d.ts.map"];
const LOCK_WAIT_MS = 300_000;

/** Thrown when dist/ cannot be brought up to date. */
export class BuildError extends Error {
  name = "BuildError";
  /** @param {string} code @param {string} message */
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

/** Files of src/ that are copied as they are: data a module may read next to itself (`new URL(…, import.meta.url)`). */
const ASSET = /\.(json|wasm)$/;
const isCompiled = (name) => name.endsWith(".ts") && !/\.d\.[cm]?ts$/.test(name);

/**
 * `[size, mtimeMs]` of every source of dist/, by `/`-separated path under src/: `*.ts` except
 * declarations (compiled) and `*.json`/`*.wasm` (copied).
 */
export function listSources(srcDir) {
  /** @type {Map<string, [number, number]>} */
  const out = new Map();
  const walk = (dir, prefix) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const rel = prefix === "" ? entry.name : `${prefix}/${entry.name}`;
      if (entry.isDirectory()) walk(join(dir, entry.name), rel);
      else if (isCompiled(entry.name) || ASSET.test(entry.name)) {
        const st = statSync(join(dir, entry.name));
        if (st.isFile()) out.set(rel, [st.size, st.mtimeMs]);
      }
    }
  };
  walk(srcDir, "");
  return out;
}

/** The resolved `package.json` of TypeScript as seen from `root`, or undefined when not installed. */
function typescriptPackage(root) {
  try {
    return createRequire(join(root, "package.json")).resolve("typescript/package.json");
  } catch {
    return undefined;
  }
}

/** Hash of everything but the sources that shapes dist/ (undefined: TypeScript is not installed). */
function configHash(root) {
  const tsPackage = typescriptPackage(root);
  if (tsPackage === undefined) return undefined;
  const h = createHash("sha256").update(`scrt-build v${STAMP_VERSION}\n`);
  for (const file of [SELF, join(root, "tsconfig.json"), join(root, "tsconfig.build.json"), tsPackage]) {
    const text = existsSync(file) ? readFileSync(file, "utf8") : "";
    const version = file === tsPackage ? String(JSON.parse(text).version) : text;
    h.update(`${file === SELF ? "builder" : relative(root, file)}\n${version}\n`);
  }
  return h.digest("hex");
}

function readStamp(distDir) {
  try {
    const stamp = JSON.parse(readFileSync(join(distDir, STAMP_FILE), "utf8"));
    if (stamp?.version !== STAMP_VERSION || typeof stamp.config !== "string" || typeof stamp.sources !== "object")
      return undefined;
    return stamp;
  } catch {
    return undefined;
  }
}

/**
 * Whether `<root>/dist` matches `<root>/src`:
 * - `fresh`: nothing to do;
 * - `stale`: `changed` (new or modified sources) must be compiled, `removed` sources' outputs deleted;
 * - `missing`: no usable build or stamp (everything must be compiled);
 * - `unbuildable`: TypeScript is not installed (a production install runs dist/ as it is).
 */
export function checkDist(root) {
  const srcDir = join(root, "src");
  const distDir = join(root, "dist");
  const sources = listSources(srcDir);
  const config = configHash(root);
  if (config === undefined) return { state: "unbuildable", sources, config, changed: [], removed: [] };
  const stamp = readStamp(distDir);
  if (stamp === undefined || stamp.config !== config || !existsSync(join(distDir, "cli", "main.js"))) {
    return { state: "missing", sources, config, changed: [...sources.keys()], removed: [] };
  }
  const changed = [];
  for (const [path, [size, mtime]] of sources) {
    const was = stamp.sources[path];
    if (!Array.isArray(was) || was[0] !== size || was[1] !== mtime) changed.push(path);
  }
  const removed = Object.keys(stamp.sources).filter((path) => !sources.has(path));
  const state = changed.length === 0 && removed.length === 0 ? "fresh" : "stale";
  return { state, sources, config, changed, removed };
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === "EPERM";
  }
}

async function acquireLock(lockPath, waitMs) {
  const start = performance.now();
  for (;;) {
    try {
      const fd = openSync(lockPath, "wx");
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return;
    } catch (e) {
      if (e.code !== "EEXIST") throw e;
    }
    let holder;
    let ageMs;
    try {
      holder = Number(readFileSync(lockPath, "utf8"));
      ageMs = Date.now() - statSync(lockPath).mtimeMs;
    } catch {
      continue; // released meanwhile
    }
    // A lock without a pid is being written (or its writer died at once: give it 10 s).
    const dead = Number.isInteger(holder) && holder > 0 ? !isAlive(holder) : ageMs > 10_000;
    if (dead) {
      rmSync(lockPath, { force: true });
      continue;
    }
    if (performance.now() - start > waitMs) {
      throw new BuildError("BUILD_LOCKED", `another process (pid ${holder}) has been building dist/ for too long`);
    }
    await sleep(25);
  }
}

function writeAtomic(path, data) {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

/** Compiler options for one file at a time, from tsconfig.build.json. */
function transpileOptions(ts, root) {
  const host = { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} };
  const parsed = ts.getParsedCommandLineOfConfigFile(join(root, "tsconfig.build.json"), {}, host);
  if (parsed === undefined || parsed.errors.length > 0) {
    const text = parsed?.errors.map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n")).join("; ");
    throw new BuildError("BUILD_CONFIG", `tsconfig.build.json: ${text ?? "cannot be read"}`);
  }
  // Options about declarations and incremental type checking are for `tsc` (npm run build) only.
  const {
    declaration: _declaration,
    declarationMap: _declarationMap,
    composite: _composite,
    incremental: _incremental,
    tsBuildInfoFile: _tsBuildInfoFile,
    noEmit: _noEmit,
    ...options
  } = parsed.options;
  // "type": "module" makes every .ts an ES module under NodeNext; a single file cannot know that.
  if (options.module === ts.ModuleKind.NodeNext || options.module === ts.ModuleKind.Node16) {
    options.module = ts.ModuleKind.ESNext;
    delete options.moduleResolution; // nothing is resolved file by file
  }
  return options;
}

/**
 * Compiles `src/<path>` to `dist/<path minus .ts>.js` (and its source map), or copies an asset;
 * returns diagnostics text.
 */
function buildOne(ts, options, root, path) {
  const srcFile = join(root, "src", ...path.split("/"));
  if (!isCompiled(path)) {
    const target = join(root, "dist", ...path.split("/"));
    mkdirSync(dirname(target), { recursive: true });
    writeAtomic(target, readFileSync(srcFile));
    return [];
  }
  const jsFile = join(root, "dist", ...path.replace(/\.ts$/, ".js").split("/"));
  const source = readFileSync(srcFile, "utf8");
  const out = ts.transpileModule(source, { compilerOptions: options, fileName: srcFile, reportDiagnostics: true });
  mkdirSync(dirname(jsFile), { recursive: true });
  let js = out.outputText;
  if (out.sourceMapText !== undefined) {
    const map = JSON.parse(out.sourceMapText);
    map.file = jsFile.slice(dirname(jsFile).length + 1);
    map.sources = [relative(dirname(jsFile), srcFile).split(sep).join("/")];
    writeAtomic(`${jsFile}.map`, JSON.stringify(map));
  }
  if (!js.endsWith("\n")) js += "\n";
  writeAtomic(jsFile, js);
  return (out.diagnostics ?? []).map((d) => {
    const where = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : undefined;
    const at = where === undefined ? "" : `(${where.line + 1},${where.character + 1})`;
    return `src/${path}${at}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`;
  });
}

/** Builds `paths` in this thread; returns the diagnostics. */
function buildChunk(root, paths) {
  const ts = createRequire(join(root, "package.json"))("typescript");
  const options = transpileOptions(ts, root);
  const diagnostics = [];
  for (const path of paths) diagnostics.push(...buildOne(ts, options, root, path));
  return diagnostics;
}

/** Below this many files per thread, one thread is faster (each thread loads TypeScript, ≈ 0.2 s). */
const FILES_PER_THREAD = 60;

/** Builds `paths`, spread over up to 4 threads when there are many (a first build, a config change). */
async function buildAll(root, paths) {
  const threads = Math.min(availableParallelism(), Math.floor(paths.length / FILES_PER_THREAD), 4);
  if (threads <= 1) return buildChunk(root, paths);
  const chunks = Array.from({ length: threads }, (_, i) => paths.filter((_, j) => j % threads === i));
  const others = chunks.slice(1).map(
    (chunk) =>
      new Promise((resolvePromise, reject) => {
        const worker = new Worker(new URL(import.meta.url), { workerData: { scrtBuildDist: { root, paths: chunk } } });
        worker.once("message", resolvePromise);
        worker.once("error", reject);
        worker.once("exit", (code) => reject(new BuildError("BUILD_FAILED", `a build thread exited with ${code}`)));
      }),
  );
  // The other threads' failures are collected below, after this thread's share.
  others.forEach((p) => p.catch(() => {}));
  const mine = buildChunk(root, chunks[0]);
  return [...mine, ...(await Promise.all(others)).flat()];
}

function removeOutputs(root, path) {
  if (!isCompiled(path)) {
    rmSync(join(root, "dist", ...path.split("/")), { force: true });
    return;
  }
  const base = join(root, "dist", ...path.replace(/\.ts$/, "").split("/"));
  for (const suffix of OUTPUT_SUFFIXES) rmSync(base + suffix, { force: true });
}

/** Outputs in dist/ whose source is gone (left by an older build, or by `tsc` before a file moved). */
function orphanOutputs(root, sources) {
  const orphans = [];
  const walk = (dir, prefix) => {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const rel = prefix === "" ? entry.name : `${prefix}/${entry.name}`;
      if (entry.name.startsWith(".")) continue; // the stamp, the lock, tsc's build info
      if (entry.isDirectory()) walk(join(dir, entry.name), rel);
      else if (ASSET.test(rel)) {
        if (!sources.has(rel)) orphans.push(join(dir, entry.name));
      } else {
        const m = /^(.*)\.(js|js\.map|d\.ts|d\.ts\.map)$/.exec(rel);
        if (m !== null && !sources.has(`${m[1]}.ts`)) orphans.push(join(dir, entry.name));
      }
    }
  };
  walk(join(root, "dist"), "");
  return orphans;
}

/**
 * Brings `<root>/dist` up to date with `<root>/src` (see the top of this file). Returns what it did;
 * throws BuildError when TypeScript is missing and there is no build, or the config is unreadable.
 * Files with syntax errors are still written (as `tsc` does) and the errors passed to `log`.
 */
export async function ensureDist(root, { force = false, log = () => {}, lockWaitMs = LOCK_WAIT_MS } = {}) {
  const t0 = performance.now();
  root = resolve(root);
  const distDir = join(root, "dist");
  let check = checkDist(root);
  if (check.state === "unbuildable") {
    if (existsSync(join(distDir, "cli", "main.js"))) return { built: false, compiled: 0, removed: 0, ms: 0 };
    throw new BuildError(
      "BUILD_NO_COMPILER",
      "dist/ is missing and TypeScript (a development dependency) is not installed: run `npm install`",
    );
  }
  if (check.state === "fresh" && !force) return { built: false, compiled: 0, removed: 0, ms: performance.now() - t0 };
  mkdirSync(distDir, { recursive: true });
  const lockPath = join(distDir, LOCK_FILE);
  await acquireLock(lockPath, lockWaitMs);
  try {
    check = checkDist(root); // another process may have built while we waited
    if (check.state === "fresh" && !force) return { built: false, compiled: 0, removed: 0, ms: performance.now() - t0 };
    const all = force || check.state === "missing";
    const todo = all ? [...check.sources.keys()] : check.changed;
    log(`compiling ${todo.length} of ${check.sources.size} files of src/ into dist/…`);
    const diagnostics = await buildAll(root, todo);
    for (const line of new Set(diagnostics)) log(line);
    let removed = 0;
    for (const path of check.removed) {
      removeOutputs(root, path);
      removed++;
    }
    if (all) {
      for (const file of orphanOutputs(root, check.sources)) {
        rmSync(file, { force: true });
        removed++;
      }
    }
    // The stamp records each source as stat-ed before it was read: a file edited during the build
    // looks changed next time and is compiled again.
    const stamp = { version: STAMP_VERSION, config: check.config, sources: Object.fromEntries(check.sources) };
    writeAtomic(join(distDir, STAMP_FILE), JSON.stringify(stamp));
    const ms = performance.now() - t0;
    log(`dist/ is up to date (${todo.length} compiled, ${removed} removed, ${Math.round(ms)} ms)`);
    return { built: true, compiled: todo.length, removed, ms };
  } finally {
    try {
      unlinkSync(lockPath);
    } catch {
      // taken over as stale; nothing to release
    }
  }
}

if (!isMainThread && workerData?.scrtBuildDist !== undefined) {
  const { root, paths } = workerData.scrtBuildDist;
  parentPort.postMessage(buildChunk(root, paths));
} else if (isMainThread && process.argv[1] !== undefined && resolve(process.argv[1]) === SELF) {
  const root = resolve(dirname(SELF), "..");
  const args = process.argv.slice(2);
  const unknown = args.filter((a) => a !== "--force" && a !== "--check");
  if (unknown.length > 0) {
    process.stderr.write(`build-dist: unknown option ${unknown[0]}\nusage: build-dist.mjs [--force] [--check]\n`);
    process.exitCode = 2;
  } else if (args.includes("--check")) {
    const check = checkDist(root);
    process.stdout.write(`${check.state}${check.changed.length > 0 ? ` (${check.changed.length} to compile)` : ""}\n`);
    process.exitCode = check.state === "fresh" ? 0 : 1;
  } else {
    try {
      await ensureDist(root, {
        force: args.includes("--force"),
        log: (m) => process.stderr.write(`build-dist: ${m}\n`),
      });
    } catch (e) {
      process.stderr.write(`build-dist: ${e.code ?? "BUILD_FAILED"}: ${e.message}\n`);
      process.exitCode = 1;
    }
  }
}
