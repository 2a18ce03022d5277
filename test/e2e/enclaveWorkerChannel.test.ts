/**
 * The worker transport against a fixture enclave (test/fixtures/enclave/fixtureEnclave.ts): chunked
 * messages both ways, size limits, ocall handlers and their failures, error mapping, and death.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { isCodedError } from "../../src/primitives/errors.ts";
import {
  createWorkerEnclave,
  type WorkerEnclave,
  type WorkerEnclaveOptions,
} from "../../src/enclave-api/workerEnclave.ts";
import { EnclaveCallError } from "../../src/enclave-api/errors.ts";
import { ExitReason } from "../../src/enclave-api/channel.ts";

const FIXTURE = new URL("../fixtures/enclave/fixtureEnclave.ts", import.meta.url);
const home = mkdtempSync(join(tmpdir(), "scrt-enclave-channel-"));
const opened: WorkerEnclave[] = [];
after(async () => {
  await Promise.all(opened.map((e) => e.close()));
  rmSync(home, { recursive: true, force: true });
});

async function start(options: Partial<WorkerEnclaveOptions> = {}): Promise<WorkerEnclave> {
  const enclave = await createWorkerEnclave({ entry: FIXTURE, home, ...options });
  opened.push(enclave);
  return enclave;
}

function bytes(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 31 + seed) & 0xff;
  return out;
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (isCodedError(e)) return e.code;
    throw e;
  }
  assert.fail("expected a coded error");
}

describe("worker enclave transport", () => {
  it("carries messages far larger than the channel, both ways, through ocalls", async () => {
    const enclave = await start({ channelBytes: 1024 });
    const store = new Map<string, Uint8Array>();
    const blob = bytes(300_000);
    const out = enclave.call(
      "setPolicy",
      { policy: blob },
      {
        storageWrite: ({ key, value }) => {
          store.set(Buffer.from(key).toString("hex"), value);
          return {};
        },
        storageRead: ({ key }) => ({ value: store.get(Buffer.from(key).toString("hex")) }),
      },
    );
    assert.equal(out.generation, 300_000n);
    assert.deepEqual(out.policyHash, blob.subarray(0, 32));
    assert.deepEqual(store.get(Buffer.from("blob").toString("hex")), blob);

    const big = enclave.call("registerNode", { evidence: bytes(1000, 7), blockTimeSeconds: 500n });
    assert.equal(big.encryptedSeeds.length, 500_000);
    assert.deepEqual(big.encryptedSeeds.subarray(1000, 2000), bytes(1000, 7));
    // exact multiples of the capacity, and empty messages
    for (const n of [0, 1, 1024 - 14, 1024, 2048, 4096 + 3]) {
      const r = enclave.call("registerNode", { evidence: bytes(n, n), blockTimeSeconds: 1n });
      assert.deepEqual(r.encryptedSeeds, bytes(n, n));
    }
  });

  it("runs the enclave's idle work after each answer, stops it at the host's next frame, drops its errors", async () => {
    const enclave = await start();
    // The host waits between calls, so the enclave is in its idle work (polling until the next frame)
    // when each call arrives; a run that never saw the interruption would hang the next call.
    for (let i = 0; i < 6; i++) {
      enclave.call("ping", {});
      await new Promise((resolve) => setTimeout(resolve, 30));
    }
    const { seedCount } = enclave.call("importUpgrade", {});
    // Runs start only after an answer, and only while the host has not sent its next frame yet.
    assert.ok(seedCount >= 3 && seedCount <= 6, `idle work ran ${seedCount} times`);
    // The third run threw; the enclave kept serving.
    enclave.call("ping", {});
    assert.ok(enclave.call("importUpgrade", {}).seedCount >= seedCount);
  });

  it("refuses messages over the maximum size on either side and stays usable", async () => {
    const enclave = await start({ channelBytes: 4096, maxMessageBytes: 64 * 1024 });
    assert.equal(
      codeOf(() => enclave.call("registerNode", { evidence: bytes(70_000), blockTimeSeconds: 1n })),
      "ENCLAVE_API_MESSAGE_TOO_LARGE",
    );
    // the enclave's answer would be too large: it answers with the error instead
    assert.equal(
      codeOf(() => enclave.call("registerNode", { evidence: bytes(1000), blockTimeSeconds: 100n })),
      "ENCLAVE_API_MESSAGE_TOO_LARGE",
    );
    // the host's ocall answer would be too large: the enclave sees the error
    assert.equal(
      codeOf(() =>
        enclave.call(
          "setPolicy",
          { policy: bytes(10) },
          { storageWrite: () => ({}), storageRead: () => ({ value: bytes(70_000) }) },
        ),
      ),
      "ENCLAVE_API_MESSAGE_TOO_LARGE",
    );
    enclave.call("ping", {});
  });

  it("maps failures: missing ocall handler, handler error rethrown, internal errors without their message", async () => {
    const enclave = await start();
    assert.equal(
      codeOf(() => enclave.call("getPublicKeys", {})),
      "ENCLAVE_API_OCALL_UNSUPPORTED",
    );
    const mine = new Error("host storage is broken");
    assert.throws(
      () =>
        enclave.call(
          "getPublicKeys",
          {},
          {
            storageRead: () => {
              throw mine;
            },
          },
        ),
      (e) => e === mine,
    );
    assert.throws(
      () => enclave.call("load", {}),
      (e) =>
        e instanceof EnclaveCallError &&
        e.code === "ENCLAVE_INTERNAL" &&
        !e.message.includes("secret") &&
        !e.message.includes("dead"),
    );
    assert.throws(
      () => enclave.call("acceptSeeds", { nodeExchKey: new Uint8Array(32), seedInput: new Uint8Array(0) }),
      (e) => {
        return (
          e instanceof EnclaveCallError && e.code === "FIXTURE_FAILED" && e.message === "the fixture failed on purpose"
        );
      },
    );
    // an ecall made from inside an ocall handler
    let inner: unknown;
    enclave.call(
      "getPublicKeys",
      {},
      {
        storageRead: () => {
          try {
            enclave.call("ping", {});
          } catch (e) {
            inner = e;
          }
          return { value: undefined };
        },
      },
    );
    assert.ok(isCodedError(inner, "ENCLAVE_API_REENTRANT"));
    // a request that does not fit its schema never reaches the enclave
    assert.equal(
      codeOf(() => enclave.call("acceptSeeds", { nodeExchKey: new Uint8Array(31), seedInput: new Uint8Array(0) })),
      "ENCLAVE_API_BAD_REQUEST",
    );
    // an ecall the enclave does not serve
    assert.equal(
      codeOf(() => enclave.call("getStatus", {})),
      "ENCLAVE_API_UNKNOWN_CALL",
    );
    enclave.call("ping", {});
  });

  it("an enclave that runs out of memory mid-call surfaces as ENCLAVE_API_DEAD, now and later", async () => {
    const enclave = await start({ resourceLimits: { maxOldGenerationSizeMb: 32, maxYoungGenerationSizeMb: 8 } });
    enclave.call("ping", {});
    assert.throws(
      () => enclave.call("bootstrap", {}),
      (e) => isCodedError(e, "ENCLAVE_API_DEAD") && /out of memory/.test(e.message),
    );
    assert.equal(enclave.dead, true);
    assert.equal(
      codeOf(() => enclave.call("ping", {})),
      "ENCLAVE_API_DEAD",
    );
  });

  it("an enclave thread that exits mid-call surfaces as ENCLAVE_API_DEAD", async () => {
    const enclave = await start();
    assert.throws(
      () =>
        enclave.call("createRegistration", {}, { queryChain: () => ({ response: new TextEncoder().encode("exit") }) }),
      (e) => isCodedError(e, "ENCLAVE_API_DEAD") && e.details?.["exitCode"] === 7,
    );
  });

  it("kill() from inside an ocall handler ends the pending call with ENCLAVE_API_DEAD", async () => {
    const enclave = await start();
    assert.throws(
      () =>
        enclave.call(
          "createRegistration",
          {},
          {
            queryChain: () => {
              enclave.kill();
              assert.equal(enclave.dead, true);
              return { response: new Uint8Array(1) };
            },
          },
        ),
      (e) => isCodedError(e, "ENCLAVE_API_DEAD") && e.details?.["reason"] === ExitReason.Terminated,
    );
    assert.equal(
      codeOf(() => enclave.call("ping", {})),
      "ENCLAVE_API_DEAD",
    );
  });

  it("a call over its timeout fails with ENCLAVE_API_TIMEOUT and terminates the enclave", async () => {
    const enclave = await start({ callTimeoutMs: 200 });
    assert.equal(
      codeOf(() =>
        enclave.call(
          "createRegistration",
          {},
          {
            queryChain: () => {
              const until = performance.now() + 300;
              while (performance.now() < until) {
                // the deadline covers the whole call, ocall handlers included
              }
              return { response: new Uint8Array(1) };
            },
          },
        ),
      ),
      "ENCLAVE_API_TIMEOUT",
    );
    assert.equal(enclave.dead, true);
  });

  it("close() ends the worker; later calls fail with ENCLAVE_API_CLOSED", async () => {
    const enclave = await start();
    enclave.call("ping", {});
    await enclave.close();
    await enclave.close();
    assert.equal(
      codeOf(() => enclave.call("ping", {})),
      "ENCLAVE_API_CLOSED",
    );
  });

  describe("posted ocalls (contractStateWrite)", () => {
    const upgrade = (n: number, kib: number, skipRead = 0) => {
      const m = new Uint8Array(32);
      m.set([n, kib, skipRead]);
      return { targetMeasurement: m };
    };
    /** Handlers over a map that log every call in order. */
    const logged = (log: string[], store = new Map<string, Uint8Array>()) => ({
      contractStateWrite: ({ contract, ops }: { contract: Uint8Array; ops: Array<{ storedValue: Uint8Array }> }) => {
        log.push(`write ${contract[0]} ${ops[0]!.storedValue.length}`);
        store.set("k", ops[0]!.storedValue);
        return {};
      },
      contractStateRead: ({ contract }: { contract: Uint8Array }) => {
        log.push(`read ${contract[0]}`);
        return { value: store.get("k"), gas: 0n };
      },
    });

    it("run in order before the enclave's next frame, with its ocall or with the ecall's answer", async () => {
      const enclave = await start({ channelBytes: 1024 });
      const log: string[] = [];
      const store = new Map<string, Uint8Array>();
      assert.equal(enclave.call("exportUpgrade", upgrade(3, 2), logged(log, store)).fileName, "2048");
      assert.deepEqual(log, ["write 0 2048", "write 1 2048", "write 2 2048", "read 0"]);
      assert.deepEqual(store.get("k"), new Uint8Array(2048).fill(2));
      log.length = 0;
      assert.equal(enclave.call("exportUpgrade", upgrade(2, 1, 1), logged(log)).fileName, "-");
      assert.deepEqual(log, ["write 0 1024", "write 1 1024"]);
      enclave.call("ping", {});
    });

    it("that would not fit beside the next frame go first on their own, acknowledged", async () => {
      const enclave = await start({ channelBytes: 4096, maxMessageBytes: 64 * 1024 });
      const log: string[] = [];
      assert.equal(enclave.call("exportUpgrade", upgrade(3, 30), logged(log)).fileName, String(30 * 1024));
      assert.deepEqual(log, ["write 0 30720", "write 1 30720", "write 2 30720", "read 0"]);
      // one posted frame over the maximum is refused in the enclave, as an ordinary ocall would be
      assert.equal(
        codeOf(() => enclave.call("exportUpgrade", upgrade(1, 70), logged([]))),
        "ENCLAVE_API_MESSAGE_TOO_LARGE",
      );
      enclave.call("ping", {});
    });

    it("a failed one fails the call with the handler's own error; later ocalls never reach a handler", async () => {
      const enclave = await start();
      const mine = new Error("host store is full");
      const log: string[] = [];
      const handlers = {
        ...logged(log),
        contractStateWrite: () => {
          log.push("write");
          throw mine;
        },
      };
      assert.throws(
        () => enclave.call("exportUpgrade", upgrade(2, 1), handlers),
        (e) => e === mine,
      );
      // the second write and the read were refused without running their handlers
      assert.deepEqual(log, ["write"]);
      // with the write travelling beside the ecall's answer
      assert.throws(
        () => enclave.call("exportUpgrade", upgrade(1, 1, 1), handlers),
        (e) => e === mine,
      );
      // no handler for the posted ocall
      assert.equal(
        codeOf(() => enclave.call("exportUpgrade", upgrade(1, 1), { contractStateRead: () => ({ gas: 0n }) })),
        "ENCLAVE_API_OCALL_UNSUPPORTED",
      );
      enclave.call("ping", {});
      assert.equal(enclave.dead, false);
    });
  });

  it("a missing entry fails startup with ENCLAVE_API_STARTUP_FAILED", async () => {
    await assert.rejects(
      createWorkerEnclave({
        entry: new URL("../fixtures/enclave/doesNotExist.ts", import.meta.url),
        home,
        startupTimeoutMs: 20_000,
      }),
      (e) => isCodedError(e, "ENCLAVE_API_STARTUP_FAILED"),
    );
  });
});
