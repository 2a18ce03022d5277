/** Small checked readers for genesis JSON: every value from outside is `unknown` until read here. */
import { parseUint } from "../primitives/amount.ts";
import { AppError } from "./errors.ts";

const invalid = (what: string): AppError => new AppError("genesis", 1, `invalid genesis: ${what}`);

export function asObject(v: unknown, what: string): Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw invalid(`${what} must be an object`);
  return v as Record<string, unknown>;
}

export function asArray(v: unknown, what: string): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw invalid(`${what} must be an array`);
  return v;
}

export function asString(v: unknown, what: string): string {
  if (typeof v !== "string") throw invalid(`${what} must be a string`);
  return v;
}

export function asOptionalString(v: unknown, what: string): string {
  return v === undefined || v === null ? "" : asString(v, what);
}

/** A uint64 written as a decimal string (numbers are accepted too, as some genesis files use them). */
export function asUint(v: unknown, what: string, bits = 64): bigint {
  const text = typeof v === "number" && Number.isSafeInteger(v) ? String(v) : asString(v, what);
  try {
    return parseUint(text, bits);
  } catch {
    throw invalid(`${what} must be an unsigned integer`);
  }
}

export function asBool(v: unknown, what: string): boolean {
  if (typeof v !== "boolean") throw invalid(`${what} must be a boolean`);
  return v;
}

export { invalid as genesisError };
