/**
 * The enclave's ecall table and its worker loop: decodes the worker's start data, opens the sealing
 * platform, and serves the ecalls of `src/enclave-api/protocol.ts` with an `EnclaveLifecycle`.
 * Loaded by `main.ts` only after the bundle has been measured.
 */
import type { MessagePort } from "node:worker_threads";
import { CodedError } from "../primitives/errors.ts";
import { ChannelEndpoint } from "../enclave-api/channel.ts";
import { ENCLAVE_PROTOCOL_VERSION } from "../enclave-api/protocol.ts";
import { serveEcalls, type EcallHandlers } from "../enclave-api/server.ts";
import { createContractEcalls } from "./contractEcalls.ts";
import { EnclaveLifecycle } from "./lifecycle.ts";
import { enclaveDir, openSoftwarePlatform } from "./platform.ts";

/** The ecall handlers over one lifecycle. Every answer is public: keys, hashes, ciphertexts. */
export function createEcallHandlers(lifecycle: EnclaveLifecycle): EcallHandlers {
  return createEnclaveServer(lifecycle).handlers;
}

/** The handlers and the work they leave for after their answers (hinted signature verifications). */
export function createEnclaveServer(lifecycle: EnclaveLifecycle): {
  handlers: EcallHandlers;
  idle: (interrupted: () => boolean) => void;
} {
  const contracts = createContractEcalls(() => lifecycle.keychain());
  const handlers: EcallHandlers = {
    ping: () => ({}),
    getStatus: () => ({ protocolVersion: ENCLAVE_PROTOCOL_VERSION, ...lifecycle.status() }),
    bootstrap: (req) => {
      const out = lifecycle.bootstrap(req.policy);
      return { ...out, measurement: lifecycle.measurement };
    },
    load: () => ({ ...lifecycle.load(), measurement: lifecycle.measurement }),
    getPublicKeys: () => lifecycle.publicKeys(),
    createRegistration: (_req, ctx) => lifecycle.createRegistration((report) => ctx.ocall("quote", report).evidence),
    registerNode: (req) => ({ encryptedSeeds: lifecycle.registerNode(req.evidence, req.blockTimeSeconds) }),
    acceptSeeds: (req) => lifecycle.acceptSeeds(req.nodeExchKey, req.seedInput),
    setPolicy: (req) => lifecycle.setPolicy(req.policy),
    exportUpgrade: (req) => ({ fileName: lifecycle.exportUpgrade(req.targetMeasurement) }),
    importUpgrade: () => lifecycle.importUpgrade(),
    blockRandomCreate: (req) => {
      const out = lifecycle.createBlockRandom(req.height, req.appHash, req.validatorsHash);
      return { random: out.encrypted, proof: out.proof };
    },
    blockRandomCheck: (req) => {
      lifecycle.openBlockRandom(req.height, req.appHash, req.validatorsHash, req.random, req.proof);
      return {};
    },
    ...contracts.handlers,
  };
  return { handlers, idle: contracts.idle };
}

/** What `createWorkerEnclave` hands the enclave thread (via the supervisor). */
interface EnclaveStartData {
  readonly sab: SharedArrayBuffer;
  readonly home: string;
  readonly maxMessageBytes: number;
  readonly spinMicros: number;
  readonly protocolVersion: number;
}

class StartupError extends CodedError<string> {
  override readonly name = "StartupError";
}

function decodeStartData(data: unknown): EnclaveStartData {
  if (typeof data !== "object" || data === null) throw new StartupError("ENCLAVE_API_MALFORMED", "no start data");
  const d = data as Record<string, unknown>;
  const { sab, home, maxMessageBytes, spinMicros, protocolVersion } = d;
  if (!(sab instanceof SharedArrayBuffer))
    throw new StartupError("ENCLAVE_API_MALFORMED", "start data lacks the channel");
  if (typeof home !== "string" || home.length === 0)
    throw new StartupError("ENCLAVE_API_MALFORMED", "start data lacks the home");
  if (typeof maxMessageBytes !== "number" || !Number.isInteger(maxMessageBytes)) {
    throw new StartupError("ENCLAVE_API_MALFORMED", "start data lacks the maximum message size");
  }
  if (typeof spinMicros !== "number" || !(spinMicros >= 0)) {
    throw new StartupError("ENCLAVE_API_MALFORMED", "start data lacks the spin time");
  }
  if (protocolVersion !== ENCLAVE_PROTOCOL_VERSION) {
    throw new StartupError(
      "ENCLAVE_API_VERSION_MISMATCH",
      `the host speaks protocol ${String(protocolVersion)}, this enclave ${ENCLAVE_PROTOCOL_VERSION}`,
    );
  }
  return { sab, home, maxMessageBytes, spinMicros, protocolVersion };
}

/**
 * Runs the enclave in the current worker thread: opens the platform of `home`, tells the supervisor
 * it is ready, then serves ecalls until the host closes the channel. Startup failures are reported
 * as `{ type: "startupFailed", code, message }` and end the thread.
 */
export function runEnclaveWorker(port: MessagePort, startData: unknown, measurement: Uint8Array): void {
  let channel: ChannelEndpoint;
  let lifecycle: EnclaveLifecycle;
  try {
    const data = decodeStartData(startData);
    channel = new ChannelEndpoint(data.sab, "enclave", {
      maxMessageBytes: data.maxMessageBytes,
      spinMicros: data.spinMicros,
    });
    const platform = openSoftwarePlatform(data.home);
    lifecycle = new EnclaveLifecycle({ platform, measurement, dir: enclaveDir(data.home) });
  } catch (e) {
    const code = e instanceof CodedError ? e.code : "ENCLAVE_INTERNAL";
    const message = e instanceof CodedError ? e.message : `startup failed (${e instanceof Error ? e.name : typeof e})`;
    port.postMessage({ type: "startupFailed", code, message });
    return;
  }
  port.postMessage({ type: "ready" });
  const server = createEnclaveServer(lifecycle);
  serveEcalls(channel, server.handlers, { idle: server.idle });
}
