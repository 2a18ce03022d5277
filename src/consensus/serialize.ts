/**
 * A canonical text form of the reducer's plain data (state, events, effects): JSON with object keys
 * sorted, `bigint` as `{"$n":"…"}` and `Uint8Array` as `{"$b":"<hex>"}`, `undefined` members dropped.
 * Two values are equal as data exactly when their encodings are equal, which is what the WAL replay
 * tests compare. The WAL stores events in this form (UTF-8).
 */
import { utf8Decode, utf8Encode } from "../primitives/bytes.ts";
import { fromHex, toHex } from "../primitives/hex.ts";
import { ConsensusError } from "./errors.ts";
import type { ConsensusEvent } from "./types.ts";

function normalise(value: unknown): unknown {
  if (typeof value === "bigint") return { $n: value.toString() };
  if (value instanceof Uint8Array) return { $b: toHex(value) };
  if (Array.isArray(value)) return value.map((v) => (v === undefined ? null : normalise(v)));
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = normalise(v);
    }
    return out;
  }
  if (typeof value === "number" && !Number.isFinite(value)) {
    throw new ConsensusError("WAL_DECODE", "non-finite number in consensus data");
  }
  return value;
}

/** An array index as JSON.stringify orders it (integer keys first, ascending): "0", "1", … < 2³² − 1. */
const ARRAY_INDEX = /^(?:0|[1-9][0-9]{0,9})$/;
const isArrayIndex = (key: string): boolean => ARRAY_INDEX.test(key) && Number(key) < 4294967295;

/**
 * The text `JSON.stringify(normalise(value))` gives, written directly (no normalised copy of the
 * value: the WAL encodes every consensus event with it). `undefined` where JSON.stringify drops the
 * member (`undefined`, functions, symbols).
 */
function writeCanonical(value: unknown): string | undefined {
  switch (typeof value) {
    case "string":
      return JSON.stringify(value);
    case "number":
      if (!Number.isFinite(value)) throw new ConsensusError("WAL_DECODE", "non-finite number in consensus data");
      return JSON.stringify(value);
    case "boolean":
      return value ? "true" : "false";
    case "bigint":
      return `{"$n":"${value.toString()}"}`;
    case "object": {
      if (value === null) return "null";
      if (value instanceof Uint8Array) return `{"$b":"${toHex(value)}"}`;
      if (Array.isArray(value)) {
        let out = "[";
        for (let i = 0; i < value.length; i++) {
          if (i > 0) out += ",";
          out += writeCanonical(value[i]) ?? "null";
        }
        return out + "]";
      }
      const keys = Object.keys(value).sort();
      // JSON.stringify puts integer-like keys first in numeric order: leave such rare objects to it.
      if (keys.some(isArrayIndex)) return JSON.stringify(normalise(value));
      let out = "{";
      let first = true;
      for (const key of keys) {
        const v = (value as Record<string, unknown>)[key];
        if (v === undefined) continue;
        const text = writeCanonical(v);
        if (text === undefined) continue;
        out += first ? JSON.stringify(key) + ":" + text : "," + JSON.stringify(key) + ":" + text;
        first = false;
      }
      return out + "}";
    }
    default:
      return undefined; // undefined, function, symbol
  }
}

export function toCanonicalJson(value: unknown): string {
  return writeCanonical(value) as string;
}

export function fromCanonicalJson(text: string): unknown {
  return JSON.parse(text, (_key, v: unknown) => {
    if (v !== null && typeof v === "object" && !Array.isArray(v)) {
      const keys = Object.keys(v);
      if (keys.length === 1 && keys[0] === "$n") return BigInt((v as { $n: string }).$n);
      if (keys.length === 1 && keys[0] === "$b") return fromHex((v as { $b: string }).$b);
    }
    return v;
  });
}

const EVENT_TYPES = new Set<string>([
  "startHeight",
  "proposal",
  "vote",
  "timeout",
  "blockValidity",
  "blockCreated",
  "signedVote",
  "signedProposal",
  "signRefused",
]);

export function encodeEvent(event: ConsensusEvent): Uint8Array {
  return utf8Encode(toCanonicalJson(event));
}

/**
 * Decodes a WAL event. The WAL is this node's own file behind a checksum, so only the event's kind is
 * checked here; the reducer still validates every message it contains.
 */
export function decodeEvent(bytes: Uint8Array): ConsensusEvent {
  let value: unknown;
  try {
    value = fromCanonicalJson(utf8Decode(bytes));
  } catch (e) {
    throw new ConsensusError("WAL_DECODE", `undecodable WAL event: ${(e as Error).message}`);
  }
  if (value === null || typeof value !== "object" || !EVENT_TYPES.has(String((value as { type?: unknown }).type))) {
    throw new ConsensusError("WAL_DECODE", "WAL record is not a consensus event");
  }
  return value as ConsensusEvent;
}
