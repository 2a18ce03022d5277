#!/usr/bin/env node
// Builds the test contracts: every AssemblyScript example `contracts/examples/<name>/index.ts` (with
// the SDK in contracts/sdk) and every hand-written fixture `contracts/fixtures/<name>.wat`, into
// `contracts/build/<name>.wasm`. Outputs newer than all their inputs are skipped.
//
//   node scripts/build-contracts.mjs [--force] [--wat] [name ...]
//
// --force  rebuild even when up to date      --wat  also write contracts/build/<name>.wat (examples)
//
// Every example binary is checked against Secret's store/load rules for v1 contracts (allowed imports,
// required exports, one memory with no maximum and ≤ 192 initial pages, no start section, MVP +
// sign-extension opcodes only, no floats); a violation fails the build. Fixtures are not checked: some
// break those rules on purpose. Exit status: 0 on success, 1 on any failure.

import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { TextDecoder } from "node:util";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const CONTRACTS = join(ROOT, "contracts");
const SDK = join(CONTRACTS, "sdk");
const EXAMPLES = join(CONTRACTS, "examples");
const FIXTURES = join(CONTRACTS, "fixtures");
const OUT = join(CONTRACTS, "build");
const RUNTIME = join(SDK, "runtime", "stub.as");
const SELF = fileURLToPath(import.meta.url);

/** Name under which asc exports the start function, removed again by the transform below. */
const START_EXPORT = "__sdk_start";

/**
 * asc flags, and why:
 * - `--runtime stub` with contracts/sdk/runtime/stub.as injected in place of AssemblyScript's stub:
 *   a bump allocator without GC (an instance lives for one call) whose heap pointer is initialised on
 *   first use rather than in a start function.
 * - `--exportStart __sdk_start`: top-level initialisers (e.g. `const COUNT = new Singleton<u64>("count")`)
 *   compile into this exported, idempotent function instead of a start section; the transform then
 *   calls it at the top of every exported function and removes the export.
 * - `--use abort=contracts/sdk/abi/sdkAbort`: no `env.abort` import; panics log via `env.debug` and trap.
 * - `--disable bulk-memory,nontrapping-f2i,mutable-globals`: upstream decodes MVP + sign-extension only
 *   (sign-extension stays on; asc enables the other three by default). No `--maximumMemory`: the store
 *   check refuses a declared maximum.
 * - `-O3`: fewer executed instructions means less gas (every instruction is metered).
 */
function ascArgs(name, entry, outFile, watFile) {
  const abiPath = relative(ROOT, join(SDK, "abi")).split("\\").join("/");
  const args = [
    relative(ROOT, entry),
    "--baseDir",
    ROOT,
    "--outFile",
    relative(ROOT, outFile),
    "--runtime",
    "stub",
    "--exportStart",
    START_EXPORT,
    "--use",
    `abort=${abiPath}/sdkAbort`,
    "--disable",
    "bulk-memory,nontrapping-f2i,mutable-globals",
    "-O3",
    "--noColors",
  ];
  if (watFile) args.push("--textFile", relative(ROOT, watFile));
  void name;
  return args;
}

// ---- store/load rules ---------------------------------------------------------------------------

export const V1_IMPORTS = new Set([
  "db_read",
  "db_write",
  "db_remove",
  "addr_validate",
  "addr_canonicalize",
  "addr_humanize",
  "secp256k1_verify",
  "secp256k1_recover_pubkey",
  "ed25519_verify",
  "ed25519_batch_verify",
  "secp256k1_sign",
  "ed25519_sign",
  "check_gas",
  "gas_evaporate",
  "debug",
  "query_chain",
]);
export const V1_REQUIRED_EXPORTS = ["interface_version_8", "allocate", "deallocate", "instantiate"];
const SUPPORTED_FEATURES = new Set(["staking", "stargate", "ibc3", "random"]);
const MAX_INITIAL_PAGES = 192;

function readU32Leb(bytes, pos) {
  let result = 0;
  let shift = 0;
  for (;;) {
    if (pos >= bytes.length) throw new Error("truncated LEB128");
    const b = bytes[pos++];
    result |= (b & 0x7f) << shift;
    if ((b & 0x80) === 0) break;
    shift += 7;
    if (shift > 28) throw new Error("LEB128 too long");
  }
  return [result >>> 0, pos];
}

function readName(bytes, pos) {
  const [len, p] = readU32Leb(bytes, pos);
  return [new TextDecoder().decode(bytes.subarray(p, p + len)), p + len];
}

/** Minimal section walk: imports, exports, memories, start/data-count presence. */
export function walkModule(bytes) {
  const info = { imports: [], exports: [], memories: [], importedMemories: 0, hasStart: false, hasDataCount: false };
  if (bytes.length < 8 || bytes[0] !== 0 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d) {
    throw new Error("not a wasm module");
  }
  let pos = 8;
  while (pos < bytes.length) {
    const id = bytes[pos++];
    let size;
    [size, pos] = readU32Leb(bytes, pos);
    const end = pos + size;
    let p = pos;
    if (id === 2) {
      let n;
      [n, p] = readU32Leb(bytes, p);
      for (let i = 0; i < n; i++) {
        let module, name;
        [module, p] = readName(bytes, p);
        [name, p] = readName(bytes, p);
        const kind = bytes[p++];
        info.imports.push({ module, name, kind });
        if (kind === 0) [, p] = readU32Leb(bytes, p);
        else if (kind === 1) {
          p++;
          const flags = bytes[p++];
          [, p] = readU32Leb(bytes, p);
          if (flags & 1) [, p] = readU32Leb(bytes, p);
        } else if (kind === 2) {
          info.importedMemories++;
          const flags = bytes[p++];
          [, p] = readU32Leb(bytes, p);
          if (flags & 1) [, p] = readU32Leb(bytes, p);
        } else if (kind === 3) p += 2;
      }
    } else if (id === 5) {
      let n;
      [n, p] = readU32Leb(bytes, p);
      for (let i = 0; i < n; i++) {
        const flags = bytes[p++];
        let initial;
        let maximum = null;
        [initial, p] = readU32Leb(bytes, p);
        if (flags & 1) [maximum, p] = readU32Leb(bytes, p);
        info.memories.push({ initial, maximum });
      }
    } else if (id === 7) {
      let n;
      [n, p] = readU32Leb(bytes, p);
      for (let i = 0; i < n; i++) {
        let name;
        [name, p] = readName(bytes, p);
        const kind = bytes[p++];
        [, p] = readU32Leb(bytes, p);
        info.exports.push({ name, kind });
      }
    } else if (id === 8) info.hasStart = true;
    else if (id === 12) info.hasDataCount = true;
    pos = end;
  }
  return info;
}

const MVP_SIGN_EXT = {
  exceptions: false,
  mutable_globals: false,
  sat_float_to_int: false,
  sign_extension: true,
  simd: false,
  threads: false,
  function_references: false,
  multi_value: false,
  tail_call: false,
  bulk_memory: false,
  reference_types: false,
  annotations: false,
  code_metadata: false,
  gc: false,
  memory64: false,
  extended_const: false,
  relaxed_simd: false,
};

/** Lines of wasm text that use f32/f64 (types or instructions), ignoring data segments. */
export function floatLines(wat) {
  return wat
    .split("\n")
    .filter((line) => !line.trimStart().startsWith("(data"))
    .filter((line) => /\bf(32|64)\b/.test(line));
}

/** Problems that would make upstream refuse or fail the v1 contract; [] when it is fine. */
export function checkV1Contract(bytes, wabt) {
  const problems = [];
  let info;
  try {
    info = walkModule(bytes);
  } catch (e) {
    return [`cannot decode: ${e.message}`];
  }
  for (const imp of info.imports) {
    if (imp.module !== "env" || !V1_IMPORTS.has(imp.name) || imp.kind !== 0) {
      problems.push(
        `import ${imp.module}.${imp.name} is not allowed (only functions env.{${[...V1_IMPORTS].join(",")}})`,
      );
    }
  }
  const exportNames = new Set(info.exports.map((e) => e.name));
  for (const name of V1_REQUIRED_EXPORTS) if (!exportNames.has(name)) problems.push(`missing export ${name}`);
  for (const e of info.exports) {
    if (e.kind === 0 && e.name.startsWith("requires_") && !SUPPORTED_FEATURES.has(e.name.slice(9))) {
      problems.push(`export ${e.name} declares an unsupported feature`);
    }
  }
  if (exportNames.has(START_EXPORT)) problems.push(`export ${START_EXPORT} was not removed`);
  if (info.hasStart) problems.push("has a start section (refused: WasmModuleWithStart)");
  if (info.hasDataCount) problems.push("has a data-count section (bulk memory)");
  if (info.importedMemories > 0) problems.push("imports its memory");
  if (info.memories.length !== 1) problems.push(`defines ${info.memories.length} memories (exactly one required)`);
  for (const m of info.memories) {
    if (m.maximum !== null) problems.push(`memory declares a maximum (${m.maximum}); it must be unset`);
    if (m.initial > MAX_INITIAL_PAGES)
      problems.push(`memory has ${m.initial} initial pages (max ${MAX_INITIAL_PAGES})`);
  }
  let mod;
  try {
    mod = wabt.readWasm(bytes, { readDebugNames: false, check: true, ...MVP_SIGN_EXT });
    mod.validate();
    const floats = floatLines(mod.toText({ foldExprs: false, inlineExport: false }));
    if (floats.length > 0) {
      problems.push(
        `uses floats (${floats.length} lines), e.g.: ${floats
          .slice(0, 3)
          .map((l) => l.trim())
          .join(" | ")}`,
      );
    }
  } catch (e) {
    problems.push(`not MVP + sign-extension: ${String(e.message ?? e).split("\n")[0]}`);
  } finally {
    mod?.destroy();
  }
  return problems;
}

// ---- building -----------------------------------------------------------------------------------

function newestMtime(paths) {
  let newest = 0;
  const visit = (p) => {
    const st = statSync(p);
    if (st.isDirectory()) {
      for (const entry of readdirSync(p)) visit(join(p, entry));
    } else if (st.mtimeMs > newest) newest = st.mtimeMs;
  };
  for (const p of paths) if (existsSync(p)) visit(p);
  return newest;
}

function upToDate(outFile, inputs) {
  if (!existsSync(outFile)) return false;
  return statSync(outFile).mtimeMs >= newestMtime(inputs);
}

/** Writes via a temporary file so readers never see a partial binary. */
function writeAtomic(path, data) {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

/**
 * asc transform: if the program has top-level initialisers, asc emitted them as the exported
 * function `__sdk_start` (idempotent, guarded by `~started`). Call it first in every exported function
 * (entry points and `allocate`, which the host calls before the entry point) and drop the export, so
 * the module has no start section.
 */
class StartIntoExports {
  afterCompile(module) {
    const binaryen = this.binaryen;
    const ref = module.getExport(START_EXPORT);
    if (!ref) return;
    const startFn = binaryen.getExportInfo(ref).value;
    module.removeExport(START_EXPORT);
    const bodyRef = binaryen.getFunctionInfo(module.getFunction(startFn)).body;
    const id = bodyRef ? binaryen.getExpressionId(bodyRef) : binaryen.NopId;
    const empty = id === binaryen.NopId || (id === binaryen.BlockId && binaryen.Block.getNumChildren(bodyRef) === 0);
    if (empty) return;
    const wrap = [];
    for (let i = 0; i < module.getNumExports(); i++) {
      const e = binaryen.getExportInfo(module.getExportByIndex(i));
      if (e.kind !== binaryen.ExternalFunction) continue;
      if (/^(interface_version_|requires_|cosmwasm_vm_version_)/.test(e.name)) continue;
      wrap.push(e);
    }
    for (const e of wrap) {
      const fn = binaryen.getFunctionInfo(module.getFunction(e.value));
      const params = binaryen.expandType(fn.params);
      const wrapper = `${e.value}~withStart`;
      if (!module.getFunction(wrapper)) {
        const call = module.call(
          e.value,
          params.map((t, idx) => module.local.get(idx, t)),
          fn.results,
        );
        module.addFunction(
          wrapper,
          fn.params,
          fn.results,
          [],
          module.block(null, [module.call(startFn, [], binaryen.none), call], fn.results),
        );
      }
      module.removeExport(e.name);
      module.addFunctionExport(wrapper, e.name);
    }
  }
}

let ascModule = null;
async function loadAsc() {
  if (ascModule) return ascModule;
  const asc = (await import("assemblyscript/asc")).default;
  if (typeof asc.libraryFiles?.["rt/stub"] !== "string") {
    throw new Error("this AssemblyScript version has no library file rt/stub to replace (expected 0.28.x)");
  }
  asc.libraryFiles["rt/stub"] = readFileSync(RUNTIME, "utf8");
  ascModule = asc;
  return asc;
}

let wabtModule = null;
async function loadWabt() {
  if (!wabtModule) wabtModule = await (await import("wabt")).default();
  return wabtModule;
}

async function buildExample(name, opts) {
  const dir = join(EXAMPLES, name);
  const entry = join(dir, "index.ts");
  const outFile = join(OUT, `${name}.wasm`);
  const watFile = opts.wat ? join(OUT, `${name}.wat`) : null;
  const inputs = [dir, SDK, SELF, join(ROOT, "node_modules", "assemblyscript", "package.json")];
  if (!opts.force && upToDate(outFile, inputs) && (!watFile || upToDate(watFile, inputs))) return "up to date";
  const asc = await loadAsc();
  const tmpOut = join(OUT, `.${name}.${process.pid}.wasm`);
  const stdout = asc.createMemoryStream();
  const stderr = asc.createMemoryStream();
  const { error } = await asc.main(ascArgs(name, entry, tmpOut, watFile), {
    stdout,
    stderr,
    transforms: [StartIntoExports],
  });
  if (error) {
    if (existsSync(tmpOut)) unlinkSync(tmpOut);
    throw new Error(`asc failed: ${error.message}\n${stderr.toString()}${stdout.toString()}`.trimEnd());
  }
  const bytes = readFileSync(tmpOut);
  const problems = checkV1Contract(bytes, await loadWabt());
  if (problems.length > 0) {
    unlinkSync(tmpOut);
    throw new Error(`output breaks Secret's v1 rules:\n  - ${problems.join("\n  - ")}`);
  }
  renameSync(tmpOut, outFile);
  const warnings = stderr.toString().trim();
  return `${bytes.length} bytes${warnings ? `\n${warnings}` : ""}`;
}

async function buildFixture(name, opts) {
  const src = join(FIXTURES, `${name}.wat`);
  const outFile = join(OUT, `${name}.wasm`);
  if (!opts.force && upToDate(outFile, [src, SELF])) return "up to date";
  const wabt = await loadWabt();
  // Fixtures may use any feature wabt knows (some are meant to be refused); sign-extension etc. on.
  const mod = wabt.parseWat(`${name}.wat`, readFileSync(src, "utf8"), {
    sign_extension: true,
    mutable_globals: true,
    bulk_memory: true,
    sat_float_to_int: true,
    multi_value: true,
  });
  try {
    mod.resolveNames();
    mod.validate();
    const { buffer } = mod.toBinary({});
    writeAtomic(outFile, buffer);
    return `${buffer.length} bytes`;
  } finally {
    mod.destroy();
  }
}

function list(dir, pick) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap(pick).sort();
}

async function main(argv) {
  const opts = { force: false, wat: false };
  const names = [];
  for (const arg of argv) {
    if (arg === "--force") opts.force = true;
    else if (arg === "--wat") opts.wat = true;
    else if (arg.startsWith("-")) {
      console.error(`unknown option ${arg}; usage: build-contracts.mjs [--force] [--wat] [name ...]`);
      return 2;
    } else names.push(arg);
  }
  const examples = list(EXAMPLES, (d) =>
    d.isDirectory() && existsSync(join(EXAMPLES, d.name, "index.ts")) ? [d.name] : [],
  );
  const fixtures = list(FIXTURES, (d) => (d.isFile() && d.name.endsWith(".wat") ? [d.name.slice(0, -4)] : []));
  const clash = examples.filter((n) => fixtures.includes(n));
  if (clash.length > 0) {
    console.error(`build-contracts: names used by both an example and a fixture: ${clash.join(", ")}`);
    return 1;
  }
  const unknown = names.filter((n) => !examples.includes(n) && !fixtures.includes(n));
  if (unknown.length > 0) {
    console.error(`build-contracts: no example or fixture named ${unknown.join(", ")}`);
    return 1;
  }
  const want = (n) => names.length === 0 || names.includes(n);
  mkdirSync(OUT, { recursive: true });
  let failed = 0;
  const started = Date.now();
  const jobs = [
    ...examples.filter(want).map((n) => ({ n, kind: "example", run: () => buildExample(n, opts) })),
    ...fixtures.filter(want).map((n) => ({ n, kind: "fixture", run: () => buildFixture(n, opts) })),
  ];
  for (const job of jobs) {
    try {
      const note = await job.run();
      if (note !== "up to date" || process.env.BUILD_CONTRACTS_VERBOSE) console.log(`  ${job.kind} ${job.n}: ${note}`);
    } catch (e) {
      failed++;
      const src = job.kind === "example" ? `contracts/examples/${job.n}/index.ts` : `contracts/fixtures/${job.n}.wat`;
      console.error(
        `build-contracts: ${job.kind} ${job.n} (${src}) FAILED:\n${e instanceof Error ? e.message : String(e)}`,
      );
    }
  }
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  if (failed > 0) {
    console.error(`build-contracts: ${failed} of ${jobs.length} failed (${secs}s)`);
    return 1;
  }
  console.log(`build-contracts: ${jobs.length} contracts ok in contracts/build (${secs}s)`);
  return 0;
}

if (process.argv[1] && resolve(process.argv[1]) === SELF) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e) => {
      console.error(`build-contracts: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      process.exit(1);
    },
  );
}
