/**
 * The enclave side of the protocol: a loop that receives ecall frames, decodes them by schema,
 * dispatches to handlers, and answers; handlers make ocalls through their context. Used by
 * `src/enclave/main.ts` (and by test fixtures that stand in for an enclave).
 */
import { CodedError, isCodedError } from "../primitives/errors.ts";
import type { ChannelEndpoint } from "./channel.ts";
import { ExitReason, SpinStats } from "./channel.ts";
import { EnclaveApiError } from "./errors.ts";
import {
  decodeErrorPayload,
  decodeFrame,
  ECALL_NAMES_BY_ID,
  ECALLS,
  encodeErrorFrame,
  encodeMessageFrame,
  encodePostedFrame,
  FrameType,
  OCALLS,
  type CallDefinition,
  type EcallName,
  type EcallRequest,
  type EcallResponse,
  type ErrorPayload,
  type OcallName,
  type OcallRequest,
  type OcallResponse,
} from "./protocol.ts";
import { decodeValue, Writer, type Schema } from "./wire.ts";

/** What an ecall handler may do besides computing: call back into the host. */
export interface EcallContext {
  ocall<K extends OcallName>(name: K, request: OcallRequest<K>): OcallResponse<K>;
}

export type EcallHandler<K extends EcallName> = (request: EcallRequest<K>, ctx: EcallContext) => EcallResponse<K>;
export type EcallHandlers = { readonly [K in EcallName]: EcallHandler<K> };

/** An error the host answered an ocall with. */
export class OcallError extends CodedError<string> {
  override readonly name = "OcallError";
}

/**
 * The wire form of an error thrown by a handler: a CodedError's code and message (code-carrying
 * errors of this project never put secrets in their messages); anything else becomes
 * `ENCLAVE_INTERNAL` naming only the error's class, since a runtime error's message can quote data.
 */
export function errorToWire(e: unknown): ErrorPayload {
  if (e instanceof CodedError) return { code: e.code, message: e.message };
  const kind = e instanceof Error ? e.name : typeof e;
  return { code: "ENCLAVE_INTERNAL", message: `internal error (${kind})` };
}

export interface ServeOptions {
  readonly errorToWire?: (e: unknown) => ErrorPayload;
  /**
   * Work to do after an answer is sent, while the host computes: called with `interrupted`, which
   * turns true as soon as the host's next frame is there (the work should then stop at its next step).
   * Its errors are dropped; it must not make ocalls (there is no ecall to make them in).
   */
  readonly idle?: (interrupted: () => boolean) => void;
}

type AnyHandler = (request: unknown, ctx: EcallContext) => unknown;

/**
 * Serves ecalls until the host closes the channel (returns) or breaks the protocol (marks the channel
 * dead and returns). Handlers missing from `handlers` answer ENCLAVE_API_UNKNOWN_CALL.
 */
export function serveEcalls(
  channel: ChannelEndpoint,
  handlers: Partial<EcallHandlers>,
  options: ServeOptions = {},
): void {
  const toWire = options.errorToWire ?? errorToWire;
  const fatal = (what: string): EnclaveApiError => {
    channel.markDead(ExitReason.Exited);
    return new EnclaveApiError("ENCLAVE_API_MALFORMED", what);
  };
  // Encodes every ocall and ecall answer; each is sent (or copied behind the posted frames) before the
  // next one is encoded.
  const scratch = new Writer(64 * 1024);
  // Spin records per kind of wait: the next ecall (the host runs its own work in between), and the
  // answer to each ocall (usually a quick store access).
  const nextEcallSpin = new SpinStats();
  const ocallSpin = new Map<number, SpinStats>();
  // Posted ocalls waiting to travel in front of the next frame (see protocol.ts).
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  const takePending = (): Uint8Array => {
    const out = new Uint8Array(pendingBytes);
    let at = 0;
    for (const f of pending) {
      out.set(f, at);
      at += f.length;
    }
    pending = [];
    pendingBytes = 0;
    return out;
  };
  /** Sends the pending posted frames alone and waits for the host's acknowledgement. */
  const flushPosted = (): void => {
    channel.send(takePending());
    let ack;
    try {
      ack = decodeFrame(channel.receive());
    } catch (e) {
      if (isCodedError(e, "ENCLAVE_API_DEAD")) throw e;
      throw fatal("bad acknowledgement of posted ocalls");
    }
    if (ack.type !== FrameType.OcallOk || ack.callId !== 0 || ack.payload.length !== 0) {
      throw fatal("bad acknowledgement of posted ocalls");
    }
  };
  /** Sends `frame` with the pending posted frames in front of it (in one message when they fit). */
  const sendFrame = (frame: Uint8Array): void => {
    if (pendingBytes === 0) return channel.send(frame);
    if (pendingBytes + frame.length > channel.maxMessageBytes) {
      flushPosted();
      return channel.send(frame);
    }
    const message = new Uint8Array(pendingBytes + frame.length);
    message.set(takePending(), 0);
    message.set(frame, message.length - frame.length);
    channel.send(message);
  };
  const ctx: EcallContext = {
    ocall<K extends OcallName>(name: K, request: OcallRequest<K>): OcallResponse<K> {
      const def: CallDefinition = OCALLS[name];
      if (def.posted === true) {
        const frame = encodePostedFrame(def.id, def.request, request, `ocall ${name}`);
        if (frame.length > channel.maxMessageBytes) {
          throw new EnclaveApiError(
            "ENCLAVE_API_MESSAGE_TOO_LARGE",
            `message of ${frame.length} bytes; at most ${channel.maxMessageBytes}`,
            { length: frame.length, max: channel.maxMessageBytes },
          );
        }
        if (pendingBytes + frame.length > channel.maxMessageBytes) flushPosted();
        pending.push(frame);
        pendingBytes += frame.length;
        return {} as OcallResponse<K>;
      }
      sendFrame(encodeMessageFrame(FrameType.Ocall, def.id, def.request, request, `ocall ${name}`, scratch));
      let reply;
      try {
        let spin = ocallSpin.get(def.id);
        if (spin === undefined) ocallSpin.set(def.id, (spin = new SpinStats()));
        reply = decodeFrame(channel.receive(undefined, spin));
      } catch (e) {
        if (isCodedError(e, "ENCLAVE_API_DEAD")) throw e;
        throw fatal(`bad answer to ocall ${name}`);
      }
      if (reply.callId !== def.id) throw fatal(`answer to ocall ${reply.callId} while waiting for ${name}`);
      if (reply.type === FrameType.OcallOk) {
        return decodeValue(def.response as Schema, reply.payload, `ocall ${name} response`) as OcallResponse<K>;
      }
      if (reply.type === FrameType.OcallError) {
        const error = decodeErrorPayload(reply.payload);
        throw new OcallError(error.code, error.message);
      }
      throw fatal(`frame type ${reply.type} while waiting for ocall ${name}`);
    },
  };

  const answer = (bytes: Uint8Array): Uint8Array => {
    let frame;
    try {
      frame = decodeFrame(bytes);
    } catch (e) {
      return encodeErrorFrame(FrameType.EcallError, 0, toWire(e));
    }
    const id = frame.callId;
    if (frame.type !== FrameType.Ecall) {
      return encodeErrorFrame(FrameType.EcallError, id, {
        code: "ENCLAVE_API_MALFORMED",
        message: `expected an ecall frame, got type ${frame.type}`,
      });
    }
    const name = ECALL_NAMES_BY_ID.get(id);
    const handler = name === undefined ? undefined : (handlers[name] as AnyHandler | undefined);
    if (name === undefined || handler === undefined) {
      return encodeErrorFrame(FrameType.EcallError, id, {
        code: "ENCLAVE_API_UNKNOWN_CALL",
        message: `ecall ${id} is not served`,
      });
    }
    try {
      const def = ECALLS[name];
      const request = decodeValue(def.request as Schema, frame.payload, `ecall ${name} request`);
      const response = handler(request, ctx);
      const reply = encodeMessageFrame(
        FrameType.EcallOk,
        id,
        def.response,
        response,
        `ecall ${name} response`,
        scratch,
      );
      if (reply.length > channel.maxMessageBytes) {
        return encodeErrorFrame(FrameType.EcallError, id, {
          code: "ENCLAVE_API_MESSAGE_TOO_LARGE",
          message: `response of ${reply.length} bytes; at most ${channel.maxMessageBytes}`,
        });
      }
      return reply;
    } catch (e) {
      if (channel.isDead()) throw e;
      return encodeErrorFrame(FrameType.EcallError, id, toWire(e));
    }
  };

  const idle = options.idle;
  const interrupted = (): boolean => channel.isMyTurn() || channel.isDead();
  for (;;) {
    try {
      pending = [];
      pendingBytes = 0;
      sendFrame(answer(channel.receive(undefined, nextEcallSpin)));
      if (idle !== undefined && !interrupted()) {
        try {
          idle(interrupted);
        } catch {
          // idle work never fails a call
        }
      }
    } catch (e) {
      if (isCodedError(e, "ENCLAVE_API_DEAD")) return;
      if (isCodedError(e) && e.code.startsWith("ENCLAVE_API_")) {
        // the channel is out of step (a chunking violation, an oversized declared message): stop.
        channel.markDead(ExitReason.Exited);
        return;
      }
      throw e;
    }
  }
}
