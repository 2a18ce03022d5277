/**
 * A synchronous, half-duplex message channel over one SharedArrayBuffer, between the host thread and
 * the enclave thread. Exactly one side owns the buffer at a time (the "turn"); a side writes a chunk,
 * hands the turn over with `Atomics.compareExchange` and `Atomics.notify`, and sleeps in
 * `Atomics.wait` until the turn comes back. Nothing else is shared: every received message is copied
 * out of the buffer before it is decoded, so the other side cannot change bytes under the decoder.
 *
 * Layout: a 64-byte header of Int32 words, then `capacity` data bytes.
 *
 * | word | meaning |
 * |---|---|
 * | 0 TURN | 0 host owns the buffer, 1 enclave owns it, 2 dead (the enclave thread is gone or the host closed) |
 * | 1 CHUNK_LEN | bytes of this chunk in the data area |
 * | 2 FLAGS | bit 0 first chunk, bit 1 last chunk |
 * | 3 TOTAL_LEN | whole message length (on the first chunk) |
 * | 4 EXIT_REASON | why the enclave is dead (set by the supervisor): see `ExitReason` |
 * | 5 EXIT_CODE | the enclave thread's exit code |
 *
 * Messages longer than `capacity` go in chunks: after each non-final chunk the receiver hands the
 * turn straight back (an acknowledgement) and the sender writes the next. A message over
 * `maxMessageBytes` is refused by the sender before anything is written, and by the receiver from
 * the declared total before anything is allocated.
 */
import { EnclaveApiError } from "./errors.ts";

export const CHANNEL_HEADER_BYTES = 64;
export const DEFAULT_CHANNEL_CAPACITY = 256 * 1024;
export const DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

const TURN = 0;
const CHUNK_LEN = 1;
const FLAGS = 2;
const TOTAL_LEN = 3;
const EXIT_REASON = 4;
const EXIT_CODE = 5;

const FIRST = 1;
const LAST = 2;

export const Turn = { Host: 0, Enclave: 1, Dead: 2 } as const;
export type Side = "host" | "enclave";

/** Why the enclave died, as the supervisor records it. */
export const ExitReason = {
  Unknown: 0,
  /** The host asked for it (`kill`, `close`, a timeout). */
  Terminated: 1,
  /** The enclave's heap reached its resource limits. */
  OutOfMemory: 2,
  /** An uncaught exception in the enclave thread. */
  Crashed: 3,
  /** The enclave's loop ended (it saw the host close the channel, or it stopped on a protocol violation). */
  Exited: 4,
} as const;
export type ExitReasonValue = (typeof ExitReason)[keyof typeof ExitReason];

const EXIT_REASON_TEXT: Record<number, string> = {
  0: "unknown cause",
  1: "terminated by the host",
  2: "out of memory",
  3: "uncaught error",
  4: "exited",
};

export function createChannelBuffer(capacity: number = DEFAULT_CHANNEL_CAPACITY): SharedArrayBuffer {
  if (!Number.isInteger(capacity) || capacity < 64 || capacity > 1 << 30) {
    throw new RangeError(`channel capacity ${capacity} is not in 64..2^30`);
  }
  return new SharedArrayBuffer(CHANNEL_HEADER_BYTES + capacity);
}

/** Marks the channel dead and wakes the other side (the supervisor does this when the enclave exits). */
export function markChannelDead(sab: SharedArrayBuffer, reason: ExitReasonValue, exitCode: number): void {
  const ctl = new Int32Array(sab, 0, CHANNEL_HEADER_BYTES / 4);
  if (Atomics.load(ctl, TURN) !== Turn.Dead) {
    Atomics.store(ctl, EXIT_REASON, reason);
    Atomics.store(ctl, EXIT_CODE, exitCode | 0);
    Atomics.store(ctl, TURN, Turn.Dead);
  }
  Atomics.notify(ctl, TURN);
}

export interface ChannelOptions {
  /** Largest message either side may send (default 64 MiB, at most 1 GiB). */
  readonly maxMessageBytes?: number;
  /** How long to poll the turn word before sleeping in `Atomics.wait` (default 50 µs; 0 never spins). */
  readonly spinMicros?: number;
}

export const DEFAULT_SPIN_MICROS = 50;

/**
 * Whether spinning pays for one kind of wait (say, "the answer to a contractExecute ecall"): a wait
 * whose spin caught the turn counts +2, one that slept anyway −1, within −8..8. Below −4 (the spin
 * catches fewer than about a third of the waits) the wait goes straight to sleep, except every 16th,
 * which spins to notice when spinning pays again. This keeps the fast path of short calls (an empty
 * ecall, an ocall answer) and stops burning a core on waits that are always long (an ecall that
 * verifies a signature and runs wasm), which matters most when the machine is short of CPU.
 */
export class SpinStats {
  #score = 0;
  #skipped = 0;

  /** Whether the next wait of this kind should spin first. */
  shouldSpin(): boolean {
    if (this.#score > -4) return true;
    if (++this.#skipped < 16) return false;
    this.#skipped = 0;
    return true;
  }

  /** Records a wait that spun: `hit` when the turn came during the spin. */
  record(hit: boolean): void {
    this.#score = hit ? Math.min(8, this.#score + 2) : Math.max(-8, this.#score - 1);
  }
}

export class ChannelEndpoint {
  readonly side: Side;
  readonly maxMessageBytes: number;
  readonly spinMicros: number;
  readonly #ctl: Int32Array;
  readonly #data: Uint8Array;
  readonly #mine: number;
  readonly #theirs: number;

  constructor(sab: SharedArrayBuffer, side: Side, options: ChannelOptions = {}) {
    const maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
    const spinMicros = options.spinMicros ?? DEFAULT_SPIN_MICROS;
    if (!(spinMicros >= 0 && spinMicros <= 1_000_000))
      throw new RangeError(`spin of ${spinMicros} µs is not in 0..1 s`);
    this.spinMicros = spinMicros;
    if (sab.byteLength <= CHANNEL_HEADER_BYTES) throw new RangeError("channel buffer too small");
    if (!Number.isInteger(maxMessageBytes) || maxMessageBytes < 0 || maxMessageBytes > 1 << 30) {
      throw new RangeError(`maximum message size ${maxMessageBytes} is not in 0..2^30`);
    }
    this.side = side;
    this.maxMessageBytes = maxMessageBytes;
    this.#ctl = new Int32Array(sab, 0, CHANNEL_HEADER_BYTES / 4);
    this.#data = new Uint8Array(sab, CHANNEL_HEADER_BYTES);
    this.#mine = side === "host" ? Turn.Host : Turn.Enclave;
    this.#theirs = side === "host" ? Turn.Enclave : Turn.Host;
  }

  get capacity(): number {
    return this.#data.length;
  }

  isDead(): boolean {
    return Atomics.load(this.#ctl, TURN) === Turn.Dead;
  }

  /** True when this side owns the buffer (may send). */
  isMyTurn(): boolean {
    return Atomics.load(this.#ctl, TURN) === this.#mine;
  }

  /** A description of why the channel is dead, for error messages. */
  deathCause(): { reason: number; exitCode: number; text: string } {
    const reason = Atomics.load(this.#ctl, EXIT_REASON);
    const exitCode = Atomics.load(this.#ctl, EXIT_CODE);
    return { reason, exitCode, text: EXIT_REASON_TEXT[reason] ?? "unknown cause" };
  }

  /** Marks the channel dead from this side (the host closing, or either side giving up). */
  markDead(reason: ExitReasonValue = ExitReason.Terminated): void {
    if (Atomics.load(this.#ctl, EXIT_REASON) === ExitReason.Unknown) Atomics.store(this.#ctl, EXIT_REASON, reason);
    Atomics.store(this.#ctl, TURN, Turn.Dead);
    Atomics.notify(this.#ctl, TURN);
  }

  /** Blocks until the channel is dead or `timeoutMs` passed; true when dead. */
  waitForDeath(timeoutMs: number): boolean {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const turn = Atomics.load(this.#ctl, TURN);
      if (turn === Turn.Dead) return true;
      const left = deadline - performance.now();
      if (left <= 0) return false;
      Atomics.wait(this.#ctl, TURN, turn, left);
    }
  }

  deadError(): EnclaveApiError {
    const cause = this.deathCause();
    return new EnclaveApiError("ENCLAVE_API_DEAD", `the enclave is dead (${cause.text}, exit code ${cause.exitCode})`, {
      reason: cause.reason,
      exitCode: cause.exitCode,
    });
  }

  /** Sends one message; returns when its last chunk is handed over. */
  send(message: Uint8Array, deadline?: number): void {
    if (message.length > this.maxMessageBytes) {
      throw new EnclaveApiError(
        "ENCLAVE_API_MESSAGE_TOO_LARGE",
        `message of ${message.length} bytes; at most ${this.maxMessageBytes}`,
        { length: message.length, max: this.maxMessageBytes },
      );
    }
    const cap = this.#data.length;
    let offset = 0;
    let first = true;
    do {
      if (!first) this.#waitForTurn(deadline);
      else if (!this.isMyTurn()) throw this.isDead() ? this.deadError() : this.#outOfTurn();
      const n = Math.min(cap, message.length - offset);
      this.#data.set(message.subarray(offset, offset + n), 0);
      offset += n;
      const flags = (first ? FIRST : 0) | (offset === message.length ? LAST : 0);
      Atomics.store(this.#ctl, CHUNK_LEN, n);
      Atomics.store(this.#ctl, FLAGS, flags);
      if (first) Atomics.store(this.#ctl, TOTAL_LEN, message.length);
      this.#handOver();
      first = false;
    } while (offset < message.length);
  }

  /**
   * Waits for and returns the next whole message (a private copy). With `spin`, whether to spin before
   * sleeping follows that kind of wait's record (see `SpinStats`); without, it always spins.
   */
  receive(deadline?: number, spin?: SpinStats): Uint8Array {
    this.#waitForTurn(deadline, spin);
    let flags = Atomics.load(this.#ctl, FLAGS);
    if ((flags & FIRST) === 0) throw this.#violation("message does not start with a first chunk");
    const total = Atomics.load(this.#ctl, TOTAL_LEN);
    if (total < 0 || total > this.maxMessageBytes) {
      throw new EnclaveApiError(
        "ENCLAVE_API_MESSAGE_TOO_LARGE",
        `incoming message of ${total >>> 0} bytes; at most ${this.maxMessageBytes}`,
      );
    }
    const message = new Uint8Array(total);
    let offset = 0;
    for (;;) {
      const n = Atomics.load(this.#ctl, CHUNK_LEN);
      if (n < 0 || n > this.#data.length || offset + n > total) throw this.#violation("chunk overruns the message");
      message.set(this.#data.subarray(0, n), offset);
      offset += n;
      if ((flags & LAST) !== 0) break;
      if (n === 0) throw this.#violation("empty non-final chunk");
      this.#handOver();
      this.#waitForTurn(deadline);
      flags = Atomics.load(this.#ctl, FLAGS);
      if ((flags & FIRST) !== 0) throw this.#violation("a new message started inside a chunked one");
    }
    if (offset !== total) throw this.#violation("message shorter than declared");
    return message;
  }

  #handOver(): void {
    const prev = Atomics.compareExchange(this.#ctl, TURN, this.#mine, this.#theirs);
    if (prev !== this.#mine) throw prev === Turn.Dead ? this.deadError() : this.#outOfTurn();
    Atomics.notify(this.#ctl, TURN);
  }

  #waitForTurn(deadline: number | undefined, stats?: SpinStats): void {
    if (this.spinMicros > 0 && Atomics.load(this.#ctl, TURN) === this.#mine) {
      stats?.record(true);
      return;
    }
    if (this.spinMicros > 0 && (stats === undefined || stats.shouldSpin())) {
      // Spin briefly before sleeping: waking a thread parked in a futex costs tens of microseconds on
      // virtual machines, far more than a short ecall or ocall takes.
      const spinUntil = performance.now() + this.spinMicros / 1000;
      for (let i = 1; ; i++) {
        const turn = Atomics.load(this.#ctl, TURN);
        if (turn === this.#mine) {
          stats?.record(true);
          return;
        }
        if (turn === Turn.Dead) break;
        if ((i & 63) === 0 && performance.now() > spinUntil) {
          stats?.record(false);
          break;
        }
      }
    }
    for (;;) {
      const turn = Atomics.load(this.#ctl, TURN);
      if (turn === this.#mine) return;
      if (turn === Turn.Dead) throw this.deadError();
      if (deadline === undefined) {
        Atomics.wait(this.#ctl, TURN, turn);
      } else {
        const left = deadline - performance.now();
        if (left <= 0) throw new EnclaveApiError("ENCLAVE_API_TIMEOUT", "the enclave did not answer in time");
        Atomics.wait(this.#ctl, TURN, turn, left);
      }
    }
  }

  #outOfTurn(): EnclaveApiError {
    return new EnclaveApiError("ENCLAVE_API_MALFORMED", `${this.side} side used the channel out of turn`);
  }

  #violation(what: string): EnclaveApiError {
    return new EnclaveApiError("ENCLAVE_API_MALFORMED", `channel protocol violation: ${what}`);
  }
}
