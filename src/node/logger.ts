/**
 * The node's `Logger` implementation: one line per entry on stderr (or a given sink), with a level
 * threshold. `time LEVEL message key=value …`; values with spaces are JSON-quoted. Never log secrets.
 */
import type { LogFields, Logger, LogLevel } from "../primitives/observability.ts";

const LEVELS: Readonly<Record<LogLevel, number>> = { debug: 10, info: 20, warn: 30, error: 40 };

export function isLogLevel(v: unknown): v is LogLevel {
  return typeof v === "string" && Object.hasOwn(LEVELS, v);
}

function formatValue(v: LogFields[string]): string {
  if (v === undefined || v === null) return String(v);
  const s = typeof v === "string" ? v : v.toString();
  return /^[\w.:/@+-]*$/.test(s) && s !== "" ? s : JSON.stringify(s);
}

export function createLogger(
  level: LogLevel | "silent" = "info",
  sink: (line: string) => void = (line) => process.stderr.write(line),
  fields: LogFields = {},
): Logger {
  const threshold = level === "silent" ? Infinity : LEVELS[level];
  const write = (lvl: LogLevel, message: string, extra?: LogFields): void => {
    if (LEVELS[lvl] < threshold) return;
    const all = { ...fields, ...extra };
    const parts = Object.entries(all)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k}=${formatValue(v)}`);
    sink(
      `${new Date().toISOString()} ${lvl.toUpperCase().padEnd(5)} ${message}${parts.length > 0 ? " " + parts.join(" ") : ""}\n`,
    );
  };
  return {
    debug: (m, f) => write("debug", m, f),
    info: (m, f) => write("info", m, f),
    warn: (m, f) => write("warn", m, f),
    error: (m, f) => write("error", m, f),
    child: (f) => createLogger(level, sink, { ...fields, ...f }),
  };
}
