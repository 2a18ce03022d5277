/**
 * The guard rails prove themselves: the purity lint rule and the import table each fail on a
 * deliberate violation, and pass on the same code where it is allowed.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, it } from "node:test";
import { ESLint } from "eslint";

const IMPURE_SOURCE = `import { readFileSync } from "node:fs";
import os from "os";
export function stamp(): number {
  setTimeout(() => undefined, 1);
  return Date.now() + Math.random() + process.pid + readFileSync("x").length + os.cpus().length;
}
`;

async function ruleIds(filePath: string, source: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: process.cwd() });
  const [result] = await eslint.lintText(source, { filePath });
  assert.ok(result, "eslint returned no result");
  return result.messages.map((m) => m.ruleId ?? "fatal");
}

describe("purity lint rule", () => {
  it("rejects clock, randomness, timers, process and node: imports in src/app/", async () => {
    const ids = await ruleIds("src/app/bank/keeper.ts", IMPURE_SOURCE);
    assert.equal(ids.filter((id) => id === "no-restricted-imports").length, 2, ids.join(","));
    assert.ok(ids.includes("no-restricted-properties"), "Date.now / Math.random not caught");
    // setTimeout, Date and process
    assert.equal(ids.filter((id) => id === "no-restricted-globals").length, 3, ids.join(","));
  });

  it("rejects the same in the consensus reducer but not in its driver", async () => {
    assert.ok((await ruleIds("src/consensus/reducer.ts", IMPURE_SOURCE)).includes("no-restricted-imports"));
    assert.deepEqual(await ruleIds("src/consensus/driver/timers.ts", IMPURE_SOURCE), []);
  });

  it("allows the same code in the node layer", async () => {
    assert.deepEqual(await ruleIds("src/node/clock.ts", IMPURE_SOURCE), []);
  });
});

describe("import table (dependency-cruiser)", () => {
  it("fails on the deliberate violations in test/fixtures/layering and names each rule", () => {
    const run = spawnSync(
      process.execPath,
      [
        "node_modules/dependency-cruiser/bin/dependency-cruise.mjs",
        "--config",
        ".dependency-cruiser.cjs",
        "--output-type",
        "json",
        "test/fixtures/layering/src",
      ],
      { encoding: "utf8" },
    );
    const report = JSON.parse(run.stdout) as {
      summary: { error: number; violations: Array<{ from: string; to: string; rule: { name: string } }> };
    };
    assert.equal(report.summary.error, 4, "dependency-cruiser passed a tree with violations");
    const found = report.summary.violations.map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`).sort();
    assert.deepEqual(found, [
      "enclave-sealed: test/fixtures/layering/src/app/bank.ts -> test/fixtures/layering/src/enclave/keys.ts",
      "layer-app: test/fixtures/layering/src/app/bank.ts -> test/fixtures/layering/src/enclave/keys.ts",
      "layer-app: test/fixtures/layering/src/app/bank.ts -> test/fixtures/layering/src/node/wiring.ts",
      "layer-vm: test/fixtures/layering/src/vm/runner.ts -> test/fixtures/layering/src/node/wiring.ts",
    ]);
  });

  it("passes on the real source tree", () => {
    const run = spawnSync(
      process.execPath,
      ["node_modules/dependency-cruiser/bin/dependency-cruise.mjs", "--config", ".dependency-cruiser.cjs", "src"],
      { encoding: "utf8" },
    );
    assert.equal(run.status, 0, run.stdout + run.stderr);
  });
});
