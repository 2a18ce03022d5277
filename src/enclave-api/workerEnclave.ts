/**
 * The worker-thread enclave: `src/enclave/main.ts` runs in its own `worker_threads` Worker (its own
 * V8 isolate and heap, with resource limits), started by a small supervisor thread, and reached only
 * through the SharedArrayBuffer channel (`channel.ts`) carrying the frames of `protocol.ts`.
 *
 * ```
 * host thread ──(SAB channel: ecalls, ocalls; Atomics.wait/notify)──► enclave thread
 *      │                                                                 ▲
 *      └──(postMessage: start, terminate)──► supervisor thread ──spawns──┘ (watches its exit)
 * ```
 *
 * Startup is asynchronous; calls are synchronous. While the host waits for an ecall's answer, the
 * enclave may send ocall frames; the host services each with the handlers passed to `call` and waits
 * again.
 */
import type { ResourceLimits, Worker } from "node:worker_threads";
import {
  ChannelEndpoint,
  createChannelBuffer,
  DEFAULT_CHANNEL_CAPACITY,
  DEFAULT_MAX_MESSAGE_BYTES,
  DEFAULT_SPIN_MICROS,
  ExitReason,
  SpinStats,
} from "./channel.ts";
import type { EnclaveClient, IdleWork, OcallHandlers } from "./client.ts";
import { EnclaveApiError, EnclaveCallError } from "./errors.ts";
import {
  decodeErrorPayload,
  decodeFrame,
  ECALLS,
  ENCLAVE_PROTOCOL_VERSION,
  encodeErrorFrame,
  encodeMessageFrame,
  encodePostedAck,
  FrameType,
  OCALL_NAMES_BY_ID,
  OCALLS,
  splitPostedFrames,
  type CallDefinition,
  type EcallName,
  type EcallRequest,
  type EcallResponse,
  type Frame,
} from "./protocol.ts";
import { defaultLoaderFor, ownExtension, spawnModuleWorker } from "./spawn.ts";
import type { SupervisorData, SupervisorMessage } from "./supervisor.ts";
import { decodeValue, Writer, type Schema } from "./wire.ts";

export const DEFAULT_ENCLAVE_RESOURCE_LIMITS: ResourceLimits = {
  maxOldGenerationSizeMb: 1024,
  maxYoungGenerationSizeMb: 64,
  stackSizeMb: 4,
};

export interface WorkerEnclaveOptions {
  /** Path or file URL of the enclave entry (`src/enclave/main.ts` from source, `dist/enclave/main.js` built). */
  readonly entry: string | URL;
  /** The node home; the enclave keeps its platform key and sealed files in `<home>/enclave/`. */
  readonly home: string;
  /** Heap limits of the enclave isolate (default `DEFAULT_ENCLAVE_RESOURCE_LIMITS`). */
  readonly resourceLimits?: ResourceLimits;
  /** Data bytes of the shared channel; longer messages go in chunks (default 256 KiB). */
  readonly channelBytes?: number;
  /** Largest message either side may send (default 64 MiB). */
  readonly maxMessageBytes?: number;
  /**
   * How long each side polls before sleeping while it waits for the other (default 50 µs). Polling
   * cuts a round trip from tens of microseconds (a futex wake-up) to a few; 0 turns it off.
   */
  readonly spinMicros?: number;
  /** Fail (and terminate the enclave) when one ecall takes longer (default: no limit). */
  readonly callTimeoutMs?: number;
  /** How long startup (measurement, platform key) may take (default 60 s). */
  readonly startupTimeoutMs?: number;
  /**
   * Module whose `register()` is called in each worker before its entry, to load TypeScript. Default:
   * tsx for `.ts` entries, none for `.js`. `null` forces none.
   */
  readonly loader?: string | null;
}

/** Ocall answers of one ecall whose following waits keep spin records of their own (see `#afterOcallSpin`). */
const AFTER_OCALL_ORDINALS = 8;

function toUrl(entry: string | URL): URL {
  if (entry instanceof URL) return entry;
  if (entry.startsWith("file:")) return new URL(entry);
  return new URL(`file://${entry.startsWith("/") ? "" : "/"}${entry.split("\\").join("/")}`);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null;
}

/** Starts an enclave worker and resolves once it has measured itself and opened its platform. */
export async function createWorkerEnclave(options: WorkerEnclaveOptions): Promise<WorkerEnclave> {
  const entry = toUrl(options.entry);
  const maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  const sab = createChannelBuffer(options.channelBytes ?? DEFAULT_CHANNEL_CAPACITY);
  const spinMicros = options.spinMicros ?? DEFAULT_SPIN_MICROS;
  const channel = new ChannelEndpoint(sab, "host", { maxMessageBytes, spinMicros });
  const loader = options.loader === null ? undefined : (options.loader ?? defaultLoaderFor(entry));
  const supervisorUrl = new URL(`./supervisor${ownExtension(import.meta.url)}`, import.meta.url);
  const data: SupervisorData = {
    entry: entry.href,
    loader,
    sab,
    home: options.home,
    maxMessageBytes,
    spinMicros,
    protocolVersion: ENCLAVE_PROTOCOL_VERSION,
    resourceLimits: options.resourceLimits ?? DEFAULT_ENCLAVE_RESOURCE_LIMITS,
  };
  const supervisor = spawnModuleWorker(
    supervisorUrl,
    { name: "scrt-enclave-supervisor", workerData: data },
    defaultLoaderFor(supervisorUrl),
  );
  await new Promise<void>((resolve, reject) => {
    let startupError: { code: string; message: string } | undefined;
    const fail = (message: string, details: Record<string, unknown> = {}): void => {
      cleanup();
      void supervisor.terminate();
      reject(
        new EnclaveApiError("ENCLAVE_API_STARTUP_FAILED", message, {
          ...details,
          ...(startupError === undefined ? {} : { enclaveCode: startupError.code }),
        }),
      );
    };
    const onMessage = (m: unknown): void => {
      if (!isRecord(m)) return;
      const msg = m as SupervisorMessage;
      if (msg.type === "ready") {
        cleanup();
        resolve();
      } else if (msg.type === "startupFailed") {
        startupError = { code: msg.code, message: msg.message };
      } else if (msg.type === "exited") {
        const why =
          startupError === undefined
            ? `exit code ${msg.exitCode}${msg.error ? `, ${msg.error}` : ""}`
            : `${startupError.code}: ${startupError.message}`;
        fail(`the enclave stopped during startup (${why})`, { exitCode: msg.exitCode });
      }
    };
    const onError = (e: unknown): void =>
      fail(`the enclave supervisor failed: ${e instanceof Error ? e.message : String(e)}`);
    const onExit = (code: number): void => fail(`the enclave supervisor exited during startup (code ${code})`);
    const timer = setTimeout(() => fail("the enclave did not start in time"), options.startupTimeoutMs ?? 60_000);
    const cleanup = (): void => {
      clearTimeout(timer);
      supervisor.off("message", onMessage);
      supervisor.off("error", onError);
      supervisor.off("exit", onExit);
    };
    supervisor.on("message", onMessage);
    supervisor.on("error", onError);
    supervisor.on("exit", onExit);
  });
  return new WorkerEnclave(supervisor, channel, options.callTimeoutMs);
}

type AnyOcall = (request: unknown) => unknown;

/** How the enclave thread ended, as the supervisor reported it. */
export interface EnclaveExitInfo {
  readonly reason: number;
  readonly exitCode: number;
  readonly error: string | undefined;
}

export class WorkerEnclave implements EnclaveClient {
  readonly protocolVersion = ENCLAVE_PROTOCOL_VERSION;
  readonly #supervisor: Worker;
  readonly #channel: ChannelEndpoint;
  readonly #callTimeoutMs: number | undefined;
  readonly #exited: Promise<void>;
  /** Encodes every ecall and ocall answer (each is sent before the next is encoded). */
  readonly #scratch = new Writer(64 * 1024);
  /**
   * Spin records per kind of wait: the first answer to each ecall (a contract call verifies a signature
   * before its first ocall; a ping answers at once), and the enclave's next frame after the n-th ocall
   * answer of each ecall (n capped at {@link AFTER_OCALL_ORDINALS} − 1): a token transfer's second
   * read follows its first within microseconds, while its answer comes only after the rest of the
   * contract, the flush and the output encryption, so the two waits are kept apart.
   */
  readonly #firstWaitSpin = new Map<number, SpinStats>();
  readonly #afterOcallSpin = new Map<number, SpinStats>();
  #idleWork: IdleWork | undefined;
  #busy = false;
  #closed = false;
  #lastExit: EnclaveExitInfo | undefined;

  constructor(supervisor: Worker, channel: ChannelEndpoint, callTimeoutMs: number | undefined) {
    this.#supervisor = supervisor;
    this.#channel = channel;
    this.#callTimeoutMs = callTimeoutMs;
    supervisor.on("message", (m: unknown) => {
      if (isRecord(m) && m["type"] === "exited") this.#lastExit = m as unknown as EnclaveExitInfo;
    });
    supervisor.on("error", () => {
      // the supervisor itself failed: nothing watches the enclave any more
      this.#channel.markDead(ExitReason.Unknown);
    });
    this.#exited = new Promise((resolve) => {
      supervisor.once("exit", () => {
        if (!this.#channel.isDead()) this.#channel.markDead(ExitReason.Unknown);
        resolve();
      });
    });
    // The enclave does not keep the host process alive; `close()` ends it.
    supervisor.unref();
  }

  get dead(): boolean {
    return this.#channel.isDead();
  }

  /** The enclave thread's exit, once the supervisor has reported it (undefined while alive). */
  get exitInfo(): EnclaveExitInfo | undefined {
    return this.#lastExit;
  }

  /**
   * Sets the host's idle work (see `IdleWork`): after sending an ecall, the host runs pieces of it
   * until the enclave's first answer (an ocall or the result) is there or the work is done, then waits
   * as usual. Never while an ocall is being served.
   */
  setIdleWork(work: IdleWork | undefined): void {
    this.#idleWork = work;
  }

  call<K extends EcallName>(name: K, request: EcallRequest<K>, ocalls: OcallHandlers = {}): EcallResponse<K> {
    if (this.#closed) throw new EnclaveApiError("ENCLAVE_API_CLOSED", "the enclave client is closed");
    if (this.#busy) throw new EnclaveApiError("ENCLAVE_API_REENTRANT", `ecall ${name} made during another ecall`);
    if (this.#channel.isDead()) throw this.#channel.deadError();
    const def = ECALLS[name];
    if (def === undefined) throw new EnclaveApiError("ENCLAVE_API_UNKNOWN_CALL", `unknown ecall ${String(name)}`);
    const frame = encodeMessageFrame(FrameType.Ecall, def.id, def.request, request, `ecall ${name}`, this.#scratch);
    if (frame.length > this.#channel.maxMessageBytes) {
      throw new EnclaveApiError(
        "ENCLAVE_API_MESSAGE_TOO_LARGE",
        `ecall ${name} request of ${frame.length} bytes; at most ${this.#channel.maxMessageBytes}`,
      );
    }
    const deadline = this.#callTimeoutMs === undefined ? undefined : performance.now() + this.#callTimeoutMs;
    this.#busy = true;
    let handlerError: { error: unknown } | undefined;
    // The first failure of a posted ocall: later ocalls are refused and the call throws it at the end.
    let postedError: { error: unknown } | undefined;
    try {
      this.#channel.send(frame, deadline);
      this.#runIdleWork();
      let spin = this.#firstWaitSpin.get(def.id);
      if (spin === undefined) this.#firstWaitSpin.set(def.id, (spin = new SpinStats()));
      for (let answered = 0; ; answered++) {
        const message = this.#channel.receive(deadline, spin);
        const kind = def.id * AFTER_OCALL_ORDINALS + Math.min(answered, AFTER_OCALL_ORDINALS - 1);
        spin = this.#afterOcallSpin.get(kind);
        if (spin === undefined) this.#afterOcallSpin.set(kind, (spin = new SpinStats()));
        let bytes = message;
        if (message[0] === FrameType.OcallPosted) {
          const { posted, rest } = splitPostedFrames(message);
          for (const p of posted) {
            if (postedError !== undefined) break;
            postedError = this.#servePosted(p.callId, p.payload, ocalls);
          }
          if (rest.length === 0) {
            this.#channel.send(encodePostedAck(), deadline);
            continue;
          }
          bytes = rest;
        }
        const reply = decodeFrame(bytes);
        if (reply.type === FrameType.EcallOk || reply.type === FrameType.EcallError) {
          if (reply.callId !== def.id && reply.callId !== 0) {
            throw this.#broken(`answer to ecall ${reply.callId} while waiting for ${name}`);
          }
          if (postedError !== undefined) throw postedError.error;
          if (reply.type === FrameType.EcallOk) {
            return decodeValue(def.response as Schema, reply.payload, `ecall ${name} response`) as EcallResponse<K>;
          }
          const error = decodeErrorPayload(reply.payload);
          if (handlerError !== undefined && error.code === "ENCLAVE_API_OCALL_FAILED") throw handlerError.error;
          throw new EnclaveCallError(error.code, error.message);
        }
        if (reply.type !== FrameType.Ocall) throw this.#broken(`unexpected frame type ${reply.type}`);
        const answer =
          postedError === undefined
            ? this.#serveOcall(reply, ocalls, (error) => {
                handlerError = { error };
              })
            : encodeErrorFrame(FrameType.OcallError, reply.callId, {
                code: "ENCLAVE_API_OCALL_FAILED",
                message: "an earlier posted ocall of this call failed on the host",
              });
        // The deadline covers the whole call, ocall handlers included (the enclave may answer at once).
        if (deadline !== undefined && performance.now() > deadline) {
          throw new EnclaveApiError("ENCLAVE_API_TIMEOUT", "the enclave call did not finish in time");
        }
        this.#channel.send(answer, deadline);
      }
    } catch (e) {
      // A transport or protocol failure leaves the channel in an unknown state: stop the enclave.
      // (A handler's own error, rethrown above, is not one of them.)
      if (
        e instanceof EnclaveApiError &&
        e !== handlerError?.error &&
        e !== postedError?.error &&
        e.code !== "ENCLAVE_API_DEAD"
      ) {
        this.kill();
      }
      throw e;
    } finally {
      this.#busy = false;
    }
  }

  /** Runs pieces of the idle work while the enclave owns the channel; a piece that throws ends it for this wait. */
  #runIdleWork(): void {
    const work = this.#idleWork;
    if (work === undefined) return;
    while (!this.#channel.isMyTurn() && !this.#channel.isDead()) {
      let more: boolean;
      try {
        more = work();
      } catch {
        more = false;
      }
      if (!more) return;
    }
  }

  /**
   * Runs one posted ocall; returns its failure, if any (the enclave never sees it). A posted frame of
   * an ocall that is not posted, or a malformed one, breaks the protocol.
   */
  #servePosted(id: number, payload: Uint8Array, ocalls: OcallHandlers): { error: unknown } | undefined {
    const name = OCALL_NAMES_BY_ID.get(id);
    const def: CallDefinition | undefined = name === undefined ? undefined : OCALLS[name];
    if (name === undefined || def?.posted !== true) throw this.#broken(`posted frame of ocall ${id}`);
    const handler = ocalls[name] as AnyOcall | undefined;
    if (handler === undefined) {
      return {
        error: new EnclaveApiError("ENCLAVE_API_OCALL_UNSUPPORTED", `the host serves no ${name} ocall for this ecall`),
      };
    }
    let request: unknown;
    try {
      request = decodeValue(def.request, payload, `ocall ${name} request`);
    } catch {
      throw this.#broken(`malformed posted ${name} ocall`);
    }
    try {
      handler(request);
    } catch (error) {
      return { error };
    }
    return undefined;
  }

  #broken(what: string): EnclaveApiError {
    this.kill();
    return new EnclaveApiError("ENCLAVE_API_MALFORMED", `enclave broke the protocol: ${what}`);
  }

  #serveOcall(frame: Frame, ocalls: OcallHandlers, onHandlerError: (e: unknown) => void): Uint8Array {
    const id = frame.callId;
    const name = OCALL_NAMES_BY_ID.get(id);
    if (name === undefined) {
      return encodeErrorFrame(FrameType.OcallError, id, {
        code: "ENCLAVE_API_UNKNOWN_CALL",
        message: `ocall ${id} is unknown`,
      });
    }
    const handler = ocalls[name] as AnyOcall | undefined;
    if (handler === undefined) {
      return encodeErrorFrame(FrameType.OcallError, id, {
        code: "ENCLAVE_API_OCALL_UNSUPPORTED",
        message: `the host serves no ${name} ocall for this ecall`,
      });
    }
    const def = OCALLS[name];
    let request: unknown;
    try {
      request = decodeValue(def.request as Schema, frame.payload, `ocall ${name} request`);
    } catch {
      return encodeErrorFrame(FrameType.OcallError, id, {
        code: "ENCLAVE_API_MALFORMED",
        message: `malformed ${name} ocall`,
      });
    }
    let answer: Uint8Array;
    try {
      const response = handler(request);
      answer = encodeMessageFrame(
        FrameType.OcallOk,
        id,
        def.response,
        response,
        `ocall ${name} response`,
        this.#scratch,
      );
    } catch (e) {
      onHandlerError(e);
      return encodeErrorFrame(FrameType.OcallError, id, {
        code: "ENCLAVE_API_OCALL_FAILED",
        message: `the host's ${name} handler failed`,
      });
    }
    if (answer.length > this.#channel.maxMessageBytes) {
      return encodeErrorFrame(FrameType.OcallError, id, {
        code: "ENCLAVE_API_MESSAGE_TOO_LARGE",
        message: `${name} answer of ${answer.length} bytes; at most ${this.#channel.maxMessageBytes}`,
      });
    }
    return answer;
  }

  kill(): void {
    if (this.#channel.isDead()) return;
    this.#supervisor.postMessage({ type: "terminate" });
    if (!this.#channel.waitForDeath(10_000)) {
      this.#channel.markDead(ExitReason.Terminated);
      void this.#supervisor.terminate();
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (!this.#channel.isDead()) this.#supervisor.postMessage({ type: "terminate" });
    const timer = setTimeout(() => void this.#supervisor.terminate(), 10_000);
    this.#supervisor.ref();
    try {
      await this.#exited;
    } finally {
      clearTimeout(timer);
    }
  }
}
