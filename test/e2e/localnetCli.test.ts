/**
 * `scrt localnet` as a user runs it: a child process that creates the homes, starts the validators as
 * its own children, prints the endpoints and `ready`, and stops them all on SIGINT (exit 0); bad
 * options are refused with a usage error.
 */
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const MAIN = new URL("../../src/cli/main.ts", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "scrt-localnet-cli-"));

after(() => rmSync(dir, { recursive: true, force: true }));

test("bad options are usage errors (exit 2) or coded errors (exit 1)", () => {
  const bad = spawnSync(process.execPath, ["--import", "tsx", MAIN, "localnet", "--validators", "many"], {
    encoding: "utf8",
  });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--validators must be a non-negative integer/);
  const zero = spawnSync(
    process.execPath,
    ["--import", "tsx", MAIN, "localnet", "--validators", "0", "--dir", join(dir, "zero")],
    { encoding: "utf8" },
  );
  assert.equal(zero.status, 1);
  assert.match(zero.stderr, /NODE_INVALID_OPTIONS: --validators must be 1\.\.32/);
});

test("2 validators start, commit blocks, and stop on SIGINT with exit 0", async () => {
  const netDir = join(dir, "net");
  const child = spawn(
    process.execPath,
    ["--import", "tsx", MAIN, "localnet", "--validators", "2", "--dir", netDir, "--no-enclave", "--log-level", "warn"],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let out = "";
  let err = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr.on("data", (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  try {
    const deadline = Date.now() + 60_000;
    while (!out.includes("ready\n")) {
      if (Date.now() > deadline) throw new Error(`not ready:\n${out}\n${err}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(existsSync(join(netDir, "localnet.json")));
    const rpcs = [...out.matchAll(/rpc (http:\/\/127\.0\.0\.1:\d+)/g)].map((m) => m[1]!);
    assert.equal(rpcs.length, 2);
    // Both validators are needed for +2/3: a height ≥ 2 on each means they reached each other.
    for (const rpc of rpcs) {
      for (;;) {
        const s = (await (await fetch(`${rpc}/status`)).json()) as {
          result: { sync_info: { latest_block_height: string } };
        };
        if (Number(s.result.sync_info.latest_block_height) >= 2) break;
        if (Date.now() > deadline) throw new Error(`${rpc} did not reach height 2:\n${err}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    child.kill("SIGINT");
    assert.equal(await exited, 0, err);
  } finally {
    if (child.exitCode === null) child.kill("SIGKILL");
  }
});
