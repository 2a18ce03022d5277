/** Checks on JSON from the wire: every value is `unknown` until one of these accepts it. */
import { ClientError } from "./errors.ts";

export type JsonObject = Readonly<Record<string, unknown>>;

function bad(what: string, expected: string, value: unknown): ClientError {
  const shown = value === undefined ? "nothing" : JSON.stringify(value)?.slice(0, 120);
  return new ClientError("CLIENT_BAD_RESPONSE", `${what}: expected ${expected}, got ${shown}`);
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function asObject(value: unknown, what: string): JsonObject {
  if (!isObject(value)) throw bad(what, "an object", value);
  return value;
}

export function asArray(value: unknown, what: string): readonly unknown[] {
  if (!Array.isArray(value)) throw bad(what, "an array", value);
  return value;
}

export function asString(value: unknown, what: string): string {
  if (typeof value !== "string") throw bad(what, "a string", value);
  return value;
}

/** A uint64 carried as a decimal string (or a safe JSON number). */
export function asUintString(value: unknown, what: string): bigint {
  if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) return BigInt(value);
  if (typeof value !== "string" || !/^(0|[1-9][0-9]{0,19})$/.test(value)) throw bad(what, "an unsigned integer", value);
  return BigInt(value);
}

export function asNumber(value: unknown, what: string): number {
  if (typeof value !== "number" || !Number.isFinite(value)) throw bad(what, "a number", value);
  return value;
}

export function optionalString(value: unknown, what: string): string | undefined {
  return value === undefined || value === null ? undefined : asString(value, what);
}

/** Parses user-supplied JSON text, with a clear error. */
export function parseUserJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new ClientError(
      "CLIENT_BAD_INPUT",
      `${what} is not valid JSON: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
}
