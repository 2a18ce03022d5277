/**
 * Interfaces for logging, metrics and time. Low layers depend on these; the node supplies the
 * implementations. Pure layers (app, consensus) receive none of them as ambient globals.
 */

export type LogLevel = "debug" | "info" | "warn" | "error";

export type LogFields = Readonly<Record<string, string | number | bigint | boolean | null | undefined>>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every line, e.g. `{ module: "consensus" }`. */
  child(fields: LogFields): Logger;
}

/** Metric names carry their unit: `_seconds`, `_bytes`, `_total`. */
export interface Metrics {
  counter(name: string, help: string): { inc(by?: number): void };
  gauge(name: string, help: string): { set(value: number): void };
  histogram(name: string, help: string): { observe(value: number): void };
}

/** Wall-clock time for the parts of the node that may read it (never app or consensus). */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  nowMs(): number;
}

const noop = (): void => {};

/** A logger that drops everything; for tests and libraries used without a node. */
export const silentLogger: Logger = {
  debug: noop,
  info: noop,
  warn: noop,
  error: noop,
  child: () => silentLogger,
};
