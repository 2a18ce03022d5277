/**
 * The enclave measurement (crypto.md §11.1) that sealing and attestation bind to: the exact manifest,
 * what the bundle contains, and a guard that every package the enclave layers import is measured.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { after, describe, it } from "node:test";
import { utf8Encode } from "../../src/primitives/bytes.ts";
import { toHex } from "../../src/primitives/hex.ts";
import {
  bundleLayoutOf,
  collectBundle,
  ENCLAVE_LAYERS,
  ENCLAVE_PACKAGES,
  manifestOf,
  measureBundle,
  measureFiles,
} from "../../src/enclave/measurement.ts";

const MAIN = new URL("../../src/enclave/main.ts", import.meta.url);
const PROJECT = fileURLToPath(new URL("../../", import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), "scrt-measure-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

const sha = (b: Uint8Array | string): string => createHash("sha256").update(b).digest("hex");

describe("measurement manifest", () => {
  it("is the header then `hex(sha256) path` lines sorted by path bytes", () => {
    const files = [
      { path: "src/z.ts", content: utf8Encode("z") },
      { path: "src/é.ts", content: utf8Encode("e") },
      { path: "src/B.ts", content: utf8Encode("B") },
      { path: "src/a/b.ts", content: new Uint8Array(0) },
      { path: "src/a.ts", content: utf8Encode("a") },
    ];
    const manifest = manifestOf(files);
    const expected =
      "scrt-ts-enclave-measurement v1\n" +
      `${sha("B")} src/B.ts\n` +
      `${sha("a")} src/a.ts\n` +
      `${sha("")} src/a/b.ts\n` +
      `${sha("z")} src/z.ts\n` +
      `${sha("e")} src/é.ts\n`;
    assert.equal(manifest, expected);
    const m = measureFiles(files);
    assert.equal(toHex(m.measurement), sha(expected));
    assert.equal(m.fileCount, 5);
    assert.deepEqual(measureFiles([...files].reverse()).measurement, m.measurement);
    assert.equal(manifestOf([]), "scrt-ts-enclave-measurement v1\n");
  });

  it("refuses paths that are not clean relative paths, and duplicates", () => {
    for (const path of ["", "/abs.ts", "a//b.ts", "a/./b.ts", "a/../b.ts", "a\\b.ts", "a\nb.ts", "a/"]) {
      assert.throws(
        () => manifestOf([{ path, content: new Uint8Array(0) }]),
        (e: Error & { code?: string }) => e.code === "ENCLAVE_MEASUREMENT_FAILED",
        path,
      );
    }
    assert.throws(() =>
      manifestOf([
        { path: "a.ts", content: new Uint8Array(0) },
        { path: "a.ts", content: new Uint8Array(1) },
      ]),
    );
  });
});

describe("the enclave bundle", () => {
  it("is the enclave's layers and packages, relative to the project root", () => {
    const layout = bundleLayoutOf(MAIN);
    assert.equal(layout.root, PROJECT.replace(/\/$/, ""));
    assert.equal(layout.layerRoot, "src");
    const paths = collectBundle(layout).map((f) => f.path);
    assert.ok(paths.includes("src/enclave/main.ts"));
    assert.ok(paths.includes("src/enclave/measurement.ts"));
    assert.ok(paths.includes("src/enclave-api/channel.ts"));
    assert.ok(paths.includes("src/attestation/verify.ts"));
    assert.ok(paths.includes("node_modules/@noble/hashes/package.json"));
    assert.ok(paths.some((p) => p.startsWith("node_modules/@noble/curves/") && p.endsWith(".js")));
    assert.ok(!paths.some((p) => p.endsWith(".md") || p.endsWith(".d.ts") || p.endsWith(".map")));
    assert.ok(!paths.some((p) => p.startsWith("src/app/") || p.startsWith("src/node/") || p.startsWith("test/")));
    const measured = measureBundle(MAIN);
    assert.deepEqual(measureBundle(MAIN).measurement, measured.measurement);
    assert.equal(measured.fileCount, paths.length);
  });

  it("changes with any loaded file and not with documentation", () => {
    const root = join(tmp, "bundle");
    const write = (rel: string, text: string): void => {
      mkdirSync(dirname(join(root, rel)), { recursive: true });
      writeFileSync(join(root, rel), text);
    };
    write("src/enclave/main.ts", "export {};");
    write("src/enclave/README.md", "docs");
    write("src/crypto/hash.ts", "export const x = 1;");
    write("src/app/ignored.ts", "not enclave code");
    for (const pkg of ENCLAVE_PACKAGES) {
      write(`node_modules/${pkg}/package.json`, "{}");
      write(`node_modules/${pkg}/index.js`, "export {};");
      write(`node_modules/${pkg}/index.d.ts`, "export {};");
    }
    const url = pathToFileURL(join(root, "src/enclave/main.ts"));
    const base = measureBundle(url);
    assert.equal(base.fileCount, 2 + 2 * ENCLAVE_PACKAGES.length);
    write("src/enclave/README.md", "other docs");
    write("src/app/ignored.ts", "changed");
    write(`node_modules/${ENCLAVE_PACKAGES[0]!}/index.d.ts`, "changed");
    assert.deepEqual(measureBundle(url).measurement, base.measurement);
    write("src/crypto/hash.ts", "export const x = 2;");
    assert.notDeepEqual(measureBundle(url).measurement, base.measurement);
    write("src/crypto/hash.ts", "export const x = 1;");
    write(`node_modules/${ENCLAVE_PACKAGES[0]!}/index.js`, "export const y = 1;");
    assert.notDeepEqual(measureBundle(url).measurement, base.measurement);
  });

  it("measures every npm package the enclave layers import", () => {
    const imported = new Set<string>();
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir)) {
        const full = join(dir, name);
        if (statSync(full).isDirectory()) walk(full);
        else if (name.endsWith(".ts")) {
          const text = readFileSync(full, "utf8");
          const specifiers = [
            ...text.matchAll(/^\s*(?:import|export)\s[^;]*?\bfrom\s*["']([^"']+)["']/gm),
            ...text.matchAll(/^\s*import\s*["']([^"']+)["']/gm),
            ...text.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g),
          ].map((m) => m[1]!);
          for (const spec of specifiers) {
            if (spec.startsWith(".") || spec.startsWith("node:")) continue;
            imported.add(spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0]!);
          }
        }
      }
    };
    for (const layer of ENCLAVE_LAYERS) {
      const dir = join(PROJECT, "src", layer);
      try {
        statSync(dir);
      } catch {
        continue;
      }
      walk(dir);
    }
    assert.ok(imported.has("@noble/hashes"), "the import scanner finds the packages src/crypto uses");
    for (const pkg of imported)
      assert.ok(ENCLAVE_PACKAGES.includes(pkg), `the enclave imports ${pkg}, which is not measured`);
  });
});
