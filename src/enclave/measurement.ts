/**
 * The enclave measurement (spec crypto.md §11.1):
 *
 * ```
 * measurement = SHA-256( manifest )
 * manifest    = ASCII("scrt-ts-enclave-measurement v1\n")
 *             ‖ for each file, sorted by path bytes: ASCII(hex(SHA-256(file)) + " " + path + "\n")
 * ```
 *
 * **What the bundle is, for this TypeScript enclave.** Every module the enclave isolate can load: the
 * layers `src/enclave` imports (`attestation codec crypto enclave enclave-api primitives vm`, as
 * `.ts` sources when run from source or `.js` in a build) and the npm packages those layers import
 * (`@noble/curves`, `@noble/hashes`). Paths are relative to the project root (the folder holding
 * `src/` or `dist/` and `node_modules/`), with `/`. A package found in an ancestor's `node_modules`
 * is still listed as `node_modules/<name>/…`. Files that are never loaded (READMEs, type
 * declarations, source maps) are left out, so editing documentation does not change the identity.
 *
 * **Who computes it.** The enclave itself, in `main.ts`, from the files on disk, before it evaluates
 * any other enclave module: this file imports only Node built-ins (hashing here uses node:crypto
 * directly rather than `src/crypto`, which would be enclave code evaluated before measurement). The
 * host never supplies the value, so a host cannot make an enclave seal or attest under an identity
 * it chose. See README.md for what this does and does not protect on the software platform.
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";

export const MEASUREMENT_HEADER = "scrt-ts-enclave-measurement v1\n";

/** The source layers the enclave may load (its own folder and everything it may import). */
export const ENCLAVE_LAYERS: readonly string[] = [
  "attestation",
  "codec",
  "crypto",
  "enclave",
  "enclave-api",
  "primitives",
  "vm",
];

/** npm packages the enclave layers import. A unit test keeps this list in step with the sources. */
export const ENCLAVE_PACKAGES: readonly string[] = ["@noble/curves", "@noble/hashes"];

/** Extensions of files a loader may evaluate or read as code/data. `.d.ts`/`.d.mts`/`.d.cts` are excluded. */
const MEASURED_EXTENSIONS = [".ts", ".mts", ".cts", ".js", ".mjs", ".cjs", ".json", ".wasm"];
const DECLARATION = /\.d\.[cm]?ts$/;
/** Folders never loaded by the enclave. */
const SKIPPED_DIRS = new Set(["node_modules", ".git"]);

export interface BundleFile {
  /** Path relative to the bundle root, `/`-separated, no leading `/`, no `.` or `..` segments. */
  readonly path: string;
  readonly content: Uint8Array;
}

export interface Measurement {
  /** SHA-256 of the manifest (32 bytes). */
  readonly measurement: Uint8Array;
  /** The manifest text, for audits and reproducibility checks. */
  readonly manifest: string;
  readonly fileCount: number;
}

/** Thrown when the bundle cannot be measured (a missing layer, an invalid path). */
export class MeasurementError extends Error {
  override readonly name = "MeasurementError";
  readonly code = "ENCLAVE_MEASUREMENT_FAILED";
}

function checkPath(path: string): void {
  const segments = path.split("/");
  if (
    path.length === 0 ||
    path.includes("\\") ||
    path.includes("\n") ||
    segments.some((s) => s === "" || s === "." || s === "..")
  ) {
    throw new MeasurementError(`invalid bundle path ${JSON.stringify(path)}`);
  }
}

function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** The manifest of a list of files (any order; sorted here by path bytes). Pure. */
export function manifestOf(files: readonly BundleFile[]): string {
  const entries = files.map((file) => {
    checkPath(file.path);
    return { path: file.path, key: Buffer.from(file.path, "utf8"), digest: sha256Hex(file.content) };
  });
  entries.sort((a, b) => Buffer.compare(a.key, b.key));
  let manifest = MEASUREMENT_HEADER;
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i]!;
    if (i > 0 && entries[i - 1]!.path === entry.path) throw new MeasurementError(`duplicate bundle path ${entry.path}`);
    manifest += `${entry.digest} ${entry.path}\n`;
  }
  return manifest;
}

/** The measurement of a list of files. Pure. */
export function measureFiles(files: readonly BundleFile[]): Measurement {
  const manifest = manifestOf(files);
  const measurement = new Uint8Array(createHash("sha256").update(manifest, "utf8").digest());
  return { measurement, manifest, fileCount: files.length };
}

function isMeasured(name: string): boolean {
  return !DECLARATION.test(name) && MEASURED_EXTENSIONS.some((ext) => name.endsWith(ext));
}

/** Files under `dir` (recursively), with paths `<prefix>/<relative>`. Follows symlinks to files only. */
function collectDir(dir: string, prefix: string, out: BundleFile[], depth = 0): void {
  if (depth > 32) throw new MeasurementError(`bundle folder nesting too deep at ${prefix}`);
  const names = readdirSync(dir).sort();
  for (const name of names) {
    const full = join(dir, name);
    const stat = statSync(full);
    if (stat.isDirectory()) {
      if (!SKIPPED_DIRS.has(name)) collectDir(full, `${prefix}/${name}`, out, depth + 1);
    } else if (stat.isFile() && isMeasured(name)) {
      out.push({ path: `${prefix}/${name}`, content: readFileSync(full) });
    }
  }
}

/** The folder of package `name` as Node would resolve it from `fromDir`: the nearest `node_modules`. */
function findPackageDir(fromDir: string, name: string): string {
  let dir = fromDir;
  for (;;) {
    const candidate = join(dir, "node_modules", ...name.split("/"));
    if (existsSync(join(candidate, "package.json"))) return realpathSync(candidate);
    const parent = dirname(dir);
    if (parent === dir) throw new MeasurementError(`package ${name} not found from ${fromDir}`);
    dir = parent;
  }
}

export interface BundleLayout {
  /** The project root: the folder holding the layer root and `node_modules/`. */
  readonly root: string;
  /** The folder holding the layers, relative to `root` (`src` or `dist`). */
  readonly layerRoot: string;
  readonly layers: readonly string[];
  readonly packages: readonly string[];
}

/** The layout of the bundle whose `enclave/` folder holds the module at `entryUrl` (main.ts or main.js). */
export function bundleLayoutOf(entryUrl: string | URL): BundleLayout {
  const entryDir = dirname(realpathSync(fileURLToPath(entryUrl)));
  const layerRootDir = dirname(entryDir);
  const root = dirname(layerRootDir);
  return {
    root,
    layerRoot: relative(root, layerRootDir).split(sep).join("/"),
    layers: ENCLAVE_LAYERS,
    packages: ENCLAVE_PACKAGES,
  };
}

/** Reads every file of the bundle. A missing layer folder is skipped (nothing there can be loaded). */
export function collectBundle(layout: BundleLayout): BundleFile[] {
  const files: BundleFile[] = [];
  for (const layer of layout.layers) {
    const dir = join(layout.root, layout.layerRoot, layer);
    if (existsSync(dir) && statSync(dir).isDirectory()) collectDir(dir, `${layout.layerRoot}/${layer}`, files);
  }
  for (const name of layout.packages) {
    collectDir(findPackageDir(join(layout.root, layout.layerRoot), name), `node_modules/${name}`, files);
  }
  return files;
}

/** Measures the bundle the module at `entryUrl` belongs to. */
export function measureBundle(entryUrl: string | URL): Measurement {
  return measureFiles(collectBundle(bundleLayoutOf(entryUrl)));
}
