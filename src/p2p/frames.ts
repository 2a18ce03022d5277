/**
 * Length-prefixed frames on a libp2p stream: `uvarint(length) ‖ payload`, the length at most
 * `maxFrameBytes` (checked before the payload is read, so an oversized frame costs nothing to refuse).
 */
import type { Stream } from "./libp2pTypes.ts";
import { P2PError } from "./errors.ts";

/** The most bytes a uvarint length prefix may take (lengths below 2^35). */
const MAX_PREFIX_BYTES = 5;

export function encodeFrame(payload: Uint8Array): Uint8Array {
  const prefix: number[] = [];
  let n = payload.length;
  while (n >= 0x80) {
    prefix.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  prefix.push(n);
  const out = new Uint8Array(prefix.length + payload.length);
  out.set(prefix, 0);
  out.set(payload, prefix.length);
  return out;
}

type Chunk = Uint8Array | { subarray(): Uint8Array };

function chunkBytes(chunk: Chunk): Uint8Array {
  const bytes = chunk instanceof Uint8Array ? chunk : chunk.subarray();
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Reads frames from a stream (or any async iterable of byte chunks). */
export class FrameReader {
  private readonly iterator: AsyncIterator<Chunk>;
  private chunks: Uint8Array[] = [];
  private buffered = 0;
  private ended = false;
  /** Bytes of the length prefix found by the last successful `tryPrefix`. */
  private prefixLength = 0;

  constructor(
    source: AsyncIterable<Chunk>,
    private readonly maxFrameBytes: number,
  ) {
    this.iterator = source[Symbol.asyncIterator]();
  }

  /** The next frame's payload, or undefined when the stream ended cleanly between frames. */
  async next(): Promise<Uint8Array | undefined> {
    let length: number | undefined;
    while ((length = this.tryPrefix()) === undefined) {
      if (!(await this.fill())) {
        if (this.buffered === 0) return undefined;
        throw new P2PError("P2P_PROTOCOL", "stream ended inside a frame length");
      }
    }
    while (this.buffered < length + this.prefixLength) {
      if (!(await this.fill())) throw new P2PError("P2P_PROTOCOL", "stream ended inside a frame");
    }
    this.take(this.prefixLength);
    return this.take(length);
  }

  /** Parses the length prefix from the buffer without consuming it; undefined if incomplete. */
  private tryPrefix(): number | undefined {
    let value = 0;
    let scale = 1;
    let i = 0;
    for (const chunk of this.chunks) {
      for (const b of chunk) {
        value += (b & 0x7f) * scale;
        i++;
        if ((b & 0x80) === 0) {
          if (value > this.maxFrameBytes) {
            throw new P2PError("P2P_FRAME_TOO_LARGE", `frame of ${value} bytes exceeds ${this.maxFrameBytes}`, {
              length: value,
              max: this.maxFrameBytes,
            });
          }
          this.prefixLength = i;
          return value;
        }
        if (i >= MAX_PREFIX_BYTES) throw new P2PError("P2P_FRAME_TOO_LARGE", "frame length prefix too long");
        scale *= 128;
      }
    }
    return undefined;
  }

  private async fill(): Promise<boolean> {
    if (this.ended) return false;
    const r = await this.iterator.next();
    if (r.done === true) {
      this.ended = true;
      return false;
    }
    const bytes = chunkBytes(r.value);
    if (bytes.length > 0) {
      this.chunks.push(bytes);
      this.buffered += bytes.length;
    }
    return true;
  }

  private take(n: number): Uint8Array {
    const out = new Uint8Array(n);
    let offset = 0;
    while (offset < n) {
      const head = this.chunks[0]!;
      const want = n - offset;
      if (head.length <= want) {
        out.set(head, offset);
        offset += head.length;
        this.chunks.shift();
      } else {
        out.set(head.subarray(0, want), offset);
        this.chunks[0] = head.subarray(want);
        offset += want;
      }
    }
    this.buffered -= n;
    return out;
  }
}

/** Sends one frame, waiting for the stream to drain when its buffer is full. */
export async function writeFrame(stream: Stream, payload: Uint8Array, signal?: AbortSignal): Promise<void> {
  const ok = stream.send(encodeFrame(payload));
  if (!ok) await stream.onDrain(signal === undefined ? {} : { signal });
}

/**
 * Runs `work` with a deadline: on timeout (or when `parent` aborts) the stream is aborted, which makes
 * pending reads and writes fail, and the error is a `P2P_TIMEOUT`.
 */
export async function withStreamDeadline<T>(
  stream: Stream,
  timeoutMs: number,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    const err = new P2PError("P2P_TIMEOUT", `stream ${stream.protocol} timed out after ${timeoutMs} ms`);
    controller.abort(err);
    stream.abort(err);
  }, timeoutMs);
  try {
    return await work(controller.signal);
  } catch (e) {
    if (timedOut) throw new P2PError("P2P_TIMEOUT", `stream ${stream.protocol} timed out after ${timeoutMs} ms`);
    throw e;
  } finally {
    clearTimeout(timer);
  }
}
