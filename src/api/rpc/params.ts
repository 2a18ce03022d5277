/**
 * Parameters of RPC methods, declared once per method and decoded from either transport:
 * - JSON-RPC (POST or WebSocket): `params` is an object of named values or an array in declaration
 *   order; integers as numbers or decimal strings (cosmjs sends strings), `bytes` as base64, `hex` as
 *   hex (CometBFT's `HexBytes`), strings and booleans as JSON.
 * - URI GET (`/block?height=5`): CometBFT's rules (`rpc/jsonrpc/server/http_uri_handler.go`): a bare
 *   integer for integer params; `0x…` hex for string and byte params; a double-quoted string for
 *   string params (or a byte param: its UTF-8 bytes); anything else must be the JSON of the value.
 * A parameter that is absent, `null` or an empty URI value takes its default (CometBFT's zero value).
 */
import { Buffer } from "node:buffer";
import { fromHex, isHex } from "../../primitives/hex.ts";
import { utf8Decode, utf8Encode } from "../../primitives/bytes.ts";
import { RpcError } from "./errors.ts";

export type ParamKind = "int" | "string" | "bytes" | "hex" | "bool";

export interface ParamSpec {
  readonly name: string;
  readonly kind: ParamKind;
}

export type ParamValue = number | string | Uint8Array | boolean;

/** Decoded params by name; absent ones are missing. */
export type Params = ReadonlyMap<string, ParamValue>;

const INT = /^-?[0-9]+$/;

/** The 6-bit value of a base64 letter (anything else: -1). */
function base64Value(c: number): number {
  if (c >= 65 && c <= 90) return c - 65; // A-Z
  if (c >= 97 && c <= 122) return c - 71; // a-z
  if (c >= 48 && c <= 57) return c + 4; // 0-9
  return c === 43 ? 62 : c === 47 ? 63 : -1; // + /
}

/**
 * Strict RFC 4648 base64, the same texts as primitives' `fromBase64` accepts (length a multiple of 4,
 * standard alphabet, padding only at the end, no set bits under the padding), without re-encoding to
 * compare: Buffer's decoder skips what is not a base64 letter (or stops at a `=`), so a text is
 * canonical when it has no URL-safe letter (which Buffer takes), the bits under its padding are
 * zero, and it decodes to exactly 3 bytes per 4 letters less the padding. A tx param is decoded once,
 * into a view of Buffer's shared pool (no buffer of its own; whoever keeps the bytes copies them, as
 * the mempool does). `undefined` when not canonical.
 */
export function decodeBase64Param(text: string): Uint8Array | undefined {
  const n = text.length;
  if (n % 4 !== 0 || text.includes("-") || text.includes("_")) return undefined;
  const pad = n === 0 || text.charCodeAt(n - 1) !== 61 ? 0 : text.charCodeAt(n - 2) === 61 ? 2 : 1;
  if (pad > 0) {
    const last = base64Value(text.charCodeAt(n - 1 - pad));
    if (last < 0 || (last & (pad === 1 ? 0x3 : 0xf)) !== 0) return undefined;
  }
  const decoded = Buffer.from(text, "base64");
  if (decoded.length !== (n / 4) * 3 - pad) return undefined;
  return new Uint8Array(decoded.buffer, decoded.byteOffset, decoded.length);
}

class ParamError extends Error {}

function intFromString(name: string, text: string): number {
  if (!INT.test(text)) throw new ParamError(`${name}: invalid integer "${text}"`);
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new ParamError(`${name}: integer ${text} out of range`);
  return n;
}

function fromJsonValue(spec: ParamSpec, raw: unknown): ParamValue {
  const { name, kind } = spec;
  switch (kind) {
    case "int":
      if (typeof raw === "number") {
        if (!Number.isSafeInteger(raw)) throw new ParamError(`${name}: ${raw} is not an integer`);
        return raw;
      }
      if (typeof raw === "string") return intFromString(name, raw);
      throw new ParamError(`${name}: expected an integer (number or decimal string)`);
    case "string":
      if (typeof raw !== "string") throw new ParamError(`${name}: expected a string`);
      return raw;
    case "bool":
      if (typeof raw !== "boolean") throw new ParamError(`${name}: expected a boolean`);
      return raw;
    case "bytes":
      if (typeof raw !== "string") throw new ParamError(`${name}: expected a base64 string`);
      {
        const bytes = decodeBase64Param(raw);
        if (bytes === undefined) throw new ParamError(`${name}: illegal base64 data`);
        return bytes;
      }
    case "hex":
      if (typeof raw !== "string") throw new ParamError(`${name}: expected a hex string`);
      if (!isHex(raw)) throw new ParamError(`${name}: invalid hex "${raw}"`);
      return fromHex(raw);
  }
}

function fromUriValue(spec: ParamSpec, text: string): ParamValue {
  const { name, kind } = spec;
  if (kind === "int" && INT.test(text)) return intFromString(name, text);
  if (text.toLowerCase().startsWith("0x")) {
    if (kind !== "string" && kind !== "bytes" && kind !== "hex") {
      throw new ParamError(`${name}: got a hex string arg, but expected '${kind}'`);
    }
    const digits = text.slice(2);
    if (!isHex(digits)) throw new ParamError(`${name}: invalid hex "${text}"`);
    const bytes = fromHex(digits);
    return kind === "string" ? utf8Decode(bytes) : bytes;
  }
  const quoted = text.length >= 2 && text.startsWith('"') && text.endsWith('"');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ParamError(`${name}: invalid value ${text} (strings must be "quoted", bytes 0x-hex)`);
  }
  if (quoted && (kind === "bytes" || kind === "hex") && typeof json === "string") return utf8Encode(json);
  return fromJsonValue(spec, json);
}

function invalidParams(prefix: string, e: unknown): RpcError {
  const text = e instanceof Error ? e.message : String(e);
  return new RpcError("RPC_INVALID_PARAMS", `${prefix}: ${text}`);
}

/** JSON-RPC `params` (object, array, absent or null) to decoded values, or -32602. */
export function decodeJsonParams(specs: readonly ParamSpec[], raw: unknown): Params {
  const out = new Map<string, ParamValue>();
  try {
    if (raw === undefined || raw === null) return out;
    if (Array.isArray(raw)) {
      if (raw.length !== specs.length) {
        throw new ParamError(
          `expected ${specs.length} parameters (${specs.map((s) => s.name).join(" ")}), got ${raw.length}`,
        );
      }
      specs.forEach((spec, i) => {
        const v: unknown = raw[i];
        if (v !== null && v !== undefined) out.set(spec.name, fromJsonValue(spec, v));
      });
      return out;
    }
    if (typeof raw !== "object") throw new ParamError("unknown type for JSON params: expected map or array");
    const record = raw as Record<string, unknown>;
    for (const spec of specs) {
      const v = Object.hasOwn(record, spec.name) ? record[spec.name] : undefined;
      if (v !== null && v !== undefined) out.set(spec.name, fromJsonValue(spec, v));
    }
    return out;
  } catch (e) {
    throw invalidParams("error converting json params to arguments", e);
  }
}

/** URI query values (already percent-decoded) to decoded values, or -32602. */
export function decodeUriParams(specs: readonly ParamSpec[], query: Readonly<Record<string, unknown>>): Params {
  const out = new Map<string, ParamValue>();
  try {
    for (const spec of specs) {
      let v = Object.hasOwn(query, spec.name) ? query[spec.name] : undefined;
      if (Array.isArray(v)) v = v[0];
      if (typeof v !== "string" || v === "") continue;
      out.set(spec.name, fromUriValue(spec, v));
    }
    return out;
  } catch (e) {
    throw invalidParams("error converting http params to arguments", e);
  }
}

export const paramInt = (p: Params, name: string): number | undefined => {
  const v = p.get(name);
  return typeof v === "number" ? v : undefined;
};
export const paramString = (p: Params, name: string): string | undefined => {
  const v = p.get(name);
  return typeof v === "string" ? v : undefined;
};
export const paramBytes = (p: Params, name: string): Uint8Array | undefined => {
  const v = p.get(name);
  return v instanceof Uint8Array ? v : undefined;
};
export const paramBool = (p: Params, name: string): boolean => p.get(name) === true;
