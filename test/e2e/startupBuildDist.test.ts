/**
 * `bin/scrt.js` runs dist/, which scripts/build-dist.mjs keeps in step with src/: a stale dist/ is
 * rebuilt (only the changed files), deleted sources lose their outputs, a config change rebuilds
 * everything, concurrent starts do not trip over each other, a dead builder's lock is taken over.
 * Each case runs in a small project of its own (its own src/, the real bin/, builder and configs,
 * node_modules linked), never in the checkout's dist/.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

interface Builder {
  ensureDist(
    root: string,
    options?: { force?: boolean; log?: (m: string) => void; lockWaitMs?: number },
  ): Promise<{ built: boolean; compiled: number; removed: number }>;
  checkDist(root: string): { state: string; changed: string[]; removed: string[] };
  LOCK_FILE: string;
  STAMP_FILE: string;
}

const builder = (await import(pathToFileURL(join(ROOT, "scripts", "build-dist.mjs")).href)) as Builder;

const made: string[] = [];
after(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** A project whose CLI prints the greeting of src/lib/greet.ts. */
function makeProject(options: { linkModules?: boolean } = {}): string {
  const root = mkdtempSync(join(tmpdir(), "scrt-build-dist-"));
  made.push(root);
  mkdirSync(join(root, "scripts"));
  for (const path of ["bin", "package.json", "tsconfig.json", "tsconfig.build.json", "scripts/build-dist.mjs"]) {
    cpSync(join(ROOT, path), join(root, path), { recursive: true });
  }
  if (options.linkModules !== false) symlinkSync(join(ROOT, "node_modules"), join(root, "node_modules"), "dir");
  writeSource(
    root,
    "cli/main.ts",
    'import { greeting } from "../lib/greet.ts";\nprocess.stdout.write(`${greeting()}\\n`);\n',
  );
  writeSource(root, "lib/greet.ts", 'export const greeting = (): string => "v1";\n');
  writeSource(root, "lib/old.ts", "export const old = 1;\n");
  return root;
}

let tick = 0;
/** Writes a source with an mtime later than anything written before (coarse clocks see a change). */
function writeSource(root: string, path: string, text: string): void {
  const file = join(root, "src", ...path.split("/"));
  mkdirSync(join(file, ".."), { recursive: true });
  writeFileSync(file, text);
  const t = Date.now() / 1000 + ++tick;
  utimesSync(file, t, t);
}

function runScrt(root: string): { stdout: string; stderr: string; status: number | null } {
  const r = spawnSync(process.execPath, [join(root, "bin", "scrt.js")], { encoding: "utf8" });
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
}

function tempFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".tmp"));
}

describe("dist/ follows src/ (scripts/build-dist.mjs, bin/scrt.js)", () => {
  it("builds a missing dist/, then reuses it while the sources are unchanged", async () => {
    const root = makeProject();
    assert.equal(builder.checkDist(root).state, "missing");
    const first = runScrt(root);
    assert.equal(first.status, 0, first.stderr);
    assert.equal(first.stdout, "v1\n");
    assert.match(first.stderr, /compiling 3 of 3 files/);
    assert.ok(existsSync(join(root, "dist", "lib", "greet.js.map")));
    assert.equal(builder.checkDist(root).state, "fresh");
    const again = await builder.ensureDist(root);
    assert.deepEqual(again.built, false);
    const second = runScrt(root);
    assert.equal(second.stdout, "v1\n");
    assert.equal(second.stderr, "", "nothing is compiled when dist/ is fresh");
  });

  it("builds many files across threads with the same result", async () => {
    const root = makeProject();
    const n = 150;
    for (let i = 0; i < n; i++) writeSource(root, `many/m${i}.ts`, `export const value: number = ${i};\n`);
    const imports = Array.from({ length: n }, (_, i) => `import { value as v${i} } from "../many/m${i}.ts";`);
    const sum = Array.from({ length: n }, (_, i) => `v${i}`).join(" + ");
    writeSource(root, "lib/greet.ts", `${imports.join("\n")}\nexport const greeting = (): string => String(${sum});\n`);
    const result = await builder.ensureDist(root);
    assert.equal(result.compiled, n + 3);
    assert.equal(runScrt(root).stdout, `${(n * (n - 1)) / 2}\n`);
    const m7 = readFileSync(join(root, "dist", "many", "m7.js"), "utf8");
    await builder.ensureDist(root, { force: true });
    assert.equal(readFileSync(join(root, "dist", "many", "m7.js"), "utf8"), m7);
    assert.deepEqual(tempFiles(join(root, "dist")), []);
  });

  it("recompiles only the changed file when a source is edited", async () => {
    const root = makeProject();
    await builder.ensureDist(root);
    writeSource(root, "lib/greet.ts", 'export const greeting = (): string => "v2";\n');
    const check = builder.checkDist(root);
    assert.equal(check.state, "stale");
    assert.deepEqual(check.changed, ["lib/greet.ts"]);
    const r = runScrt(root);
    assert.equal(r.stdout, "v2\n", r.stderr);
    assert.match(r.stderr, /compiling 1 of 3 files/);
  });

  it("removes the outputs of a deleted source, and picks up a new one", async () => {
    const root = makeProject();
    await builder.ensureDist(root);
    assert.ok(existsSync(join(root, "dist", "lib", "old.js")));
    rmSync(join(root, "src", "lib", "old.ts"));
    writeSource(root, "lib/name.ts", 'export const name = "new";\n');
    writeSource(
      root,
      "lib/greet.ts",
      'import { name } from "./name.ts";\nexport const greeting = (): string => `v3 ${name}`;\n',
    );
    const result = await builder.ensureDist(root);
    assert.equal(result.compiled, 2);
    assert.equal(result.removed, 1);
    assert.equal(existsSync(join(root, "dist", "lib", "old.js")), false);
    assert.equal(existsSync(join(root, "dist", "lib", "old.js.map")), false);
    assert.equal(runScrt(root).stdout, "v3 new\n");
  });

  it("copies data files (.json, .wasm) a module reads next to itself, and removes them with their source", async () => {
    const root = makeProject();
    writeSource(root, "lib/words.json", '{"word":"v8"}\n');
    writeSource(
      root,
      "lib/greet.ts",
      'import { readFileSync } from "node:fs";\n' +
        'const data = JSON.parse(readFileSync(new URL("./words.json", import.meta.url), "utf8")) as { word: string };\n' +
        "export const greeting = (): string => data.word;\n",
    );
    assert.equal(runScrt(root).stdout, "v8\n");
    writeSource(root, "lib/words.json", '{"word":"v9"}\n');
    assert.deepEqual(builder.checkDist(root).changed, ["lib/words.json"]);
    assert.equal(runScrt(root).stdout, "v9\n");
    rmSync(join(root, "src", "lib", "words.json"));
    await builder.ensureDist(root);
    assert.equal(existsSync(join(root, "dist", "lib", "words.json")), false);
    assert.ok(existsSync(join(root, "dist", builder.STAMP_FILE)), "the stamp is not an orphan");
  });

  it("recompiles everything when the build configuration changes, and drops orphaned outputs", async () => {
    const root = makeProject();
    await builder.ensureDist(root);
    writeFileSync(join(root, "dist", "lib", "stray.js"), "export {};\n"); // e.g. left by an older build
    const config = JSON.parse(readFileSync(join(root, "tsconfig.build.json"), "utf8")) as {
      compilerOptions: Record<string, unknown>;
    };
    config.compilerOptions["sourceMap"] = false;
    writeFileSync(join(root, "tsconfig.build.json"), JSON.stringify(config));
    assert.equal(builder.checkDist(root).state, "missing");
    const result = await builder.ensureDist(root);
    assert.equal(result.compiled, 3);
    assert.equal(existsSync(join(root, "dist", "lib", "stray.js")), false);
    assert.equal(readFileSync(join(root, "dist", "lib", "greet.js"), "utf8").includes("sourceMappingURL"), false);
  });

  it("serializes concurrent starts: every process runs the new code, no temporary file is left", async () => {
    const root = makeProject();
    await builder.ensureDist(root);
    writeSource(root, "lib/greet.ts", 'export const greeting = (): string => "v4";\n');
    const runs = await Promise.all(
      [1, 2, 3].map(
        () =>
          new Promise<string>((resolve, reject) => {
            const child = spawn(process.execPath, [join(root, "bin", "scrt.js")], {
              stdio: ["ignore", "pipe", "pipe"],
            });
            let out = "";
            child.stdout.on("data", (d: Buffer) => (out += d.toString()));
            child.on("error", reject);
            child.on("exit", () => resolve(out));
          }),
      ),
    );
    assert.deepEqual(runs, ["v4\n", "v4\n", "v4\n"]);
    assert.deepEqual(tempFiles(join(root, "dist")), []);
    assert.equal(existsSync(join(root, "dist", builder.LOCK_FILE)), false);
    assert.equal(builder.checkDist(root).state, "fresh");
  });

  it("takes over the lock of a builder that died, and waits for a live one", async () => {
    const root = makeProject();
    await builder.ensureDist(root);
    const dead = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
    writeFileSync(join(root, "dist", builder.LOCK_FILE), dead.stdout);
    writeSource(root, "lib/greet.ts", 'export const greeting = (): string => "v5";\n');
    const result = await builder.ensureDist(root, { lockWaitMs: 5_000 });
    assert.equal(result.compiled, 1);
    assert.equal(existsSync(join(root, "dist", builder.LOCK_FILE)), false);

    writeFileSync(join(root, "dist", builder.LOCK_FILE), String(process.pid)); // alive: this process
    writeSource(root, "lib/greet.ts", 'export const greeting = (): string => "v6";\n');
    await assert.rejects(builder.ensureDist(root, { lockWaitMs: 200 }), { code: "BUILD_LOCKED" });
    rmSync(join(root, "dist", builder.LOCK_FILE));
    assert.equal((await builder.ensureDist(root)).compiled, 1);
  });

  it("reports a syntax error with its place and still writes the file (as tsc does)", async () => {
    const root = makeProject();
    await builder.ensureDist(root);
    writeSource(root, "lib/old.ts", "export const old = ;\n");
    const logged: string[] = [];
    const result = await builder.ensureDist(root, { log: (m) => logged.push(m) });
    assert.equal(result.compiled, 1);
    assert.ok(
      logged.some((m) => m.startsWith("src/lib/old.ts(1,20): ")),
      logged.join("\n"),
    );
    assert.equal(runScrt(root).stdout, "v1\n", "a broken file that is not imported does not stop the CLI");
  });

  it("without TypeScript: runs an existing dist/ as it is, refuses clearly when there is none", async () => {
    const root = makeProject({ linkModules: false });
    await assert.rejects(builder.ensureDist(root), { code: "BUILD_NO_COMPILER" });
    const r = runScrt(root);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /TypeScript \(a development dependency\) is not installed/);
    symlinkSync(join(ROOT, "node_modules"), join(root, "node_modules"), "dir");
    await builder.ensureDist(root);
    rmSync(join(root, "node_modules"));
    writeSource(root, "lib/greet.ts", 'export const greeting = (): string => "v7";\n');
    const check = spawnSync(process.execPath, [join(root, "scripts", "build-dist.mjs"), "--check"], {
      encoding: "utf8",
    });
    assert.equal(check.stdout, "unbuildable\n"); // a process of its own: this one caches module resolution
    assert.equal(runScrt(root).stdout, "v1\n", "the existing build runs");
  });
});
