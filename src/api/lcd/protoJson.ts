/**
 * A descriptor-driven protobuf ↔ JSON mapper with the rules of the SDK 0.50 gateway's gogoproto
 * marshaller (`OrigName: true, EmitDefaults: true`, chain-api.md §1.3). Message schemas are data
 * (`protoSchemaData.ts`, generated; `protoOverrides.ts`, the gogoproto options), so a module's queries
 * and every message type inside a tx are just entries in those tables.
 *
 * Rendering (`toJson`): proto field names; int64/uint64 as strings; int32/uint32/bool as JSON numbers
 * and booleans; enums by name; bytes as base64 (`null` when absent); nested messages `null` when absent
 * unless marked non-nullable; repeated fields `[]` when empty; `google.protobuf.Any` as
 * `{"@type": url, ...fields}`; Timestamp RFC 3339 (0/3/6/9 fractional digits), Duration `"<s>s"`;
 * gogoproto casts: bytes as AccAddress → bech32, LegacyDec strings or bytes → `"0.050000000000000000"`.
 *
 * Parsing (`fromJson`, for REST requests): the same names (or their lowerCamelCase JSON names),
 * numbers as strings or numbers, enums by name or number, bytes as standard or URL-safe base64,
 * repeated fields as arrays. Unknown keys are ignored, as the gateway's query-parameter parser does.
 */
import { decodeAny } from "../../codec/tx.ts";
import { ProtoReader, ProtoWriter, WIRE_FIXED32, WIRE_FIXED64, WIRE_LEN, WIRE_VARINT } from "../../codec/protobuf.ts";
import { Dec } from "../../primitives/amount.ts";
import { toBase64 } from "../../primitives/base64.ts";
import { decodeAddress, encodeAddress } from "../../primitives/bech32.ts";
import { utf8Decode, utf8Encode } from "../../primitives/bytes.ts";
import { CodedError } from "../../primitives/errors.ts";

export type ProtoJsonErrorCode = "PROTOJSON_UNKNOWN_TYPE" | "PROTOJSON_DECODE" | "PROTOJSON_INVALID_VALUE";

export class ProtoJsonError extends CodedError<ProtoJsonErrorCode> {
  override readonly name = "ProtoJsonError";
}

const SCALARS = new Set([
  "string",
  "bool",
  "bytes",
  "int32",
  "uint32",
  "sint32",
  "int64",
  "uint64",
  "sint64",
  "fixed32",
  "sfixed32",
  "fixed64",
  "sfixed64",
  "double",
  "float",
]);

/** gogoproto options ts-proto does not keep. */
export type FieldCast = "accAddress" | "dec" | "decBytes";

export interface FieldSchema {
  readonly no: number;
  readonly name: string;
  readonly jsonName: string;
  /** A scalar name, or the full name of a message or enum. */
  readonly type: string;
  readonly kind: "scalar" | "message" | "enum";
  readonly repeated: boolean;
  readonly cast: FieldCast | undefined;
  /** gogoproto `nullable = false`: an absent message renders as its defaults. */
  readonly nonNullable: boolean;
  /** A member of a oneof: rendered only when set. */
  readonly oneof: boolean;
}

export interface MessageSchema {
  readonly name: string;
  readonly fields: readonly FieldSchema[];
  readonly byNo: ReadonlyMap<number, FieldSchema>;
  readonly byName: ReadonlyMap<string, FieldSchema>;
}

export interface ProtoOverrides {
  /** `pkg.Message.field` → cast. */
  readonly casts: Readonly<Record<string, FieldCast>>;
  /** `pkg.Message.field` entries with gogoproto `nullable = false`. */
  readonly nonNullable: readonly string[];
  /** `pkg.Message.field` entries that are members of a oneof. */
  readonly oneofFields?: readonly string[];
}

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

const camel = (name: string): string => name.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());

const TWO_64 = 1n << 64n;
const TWO_63 = 1n << 63n;

function toSigned64(v: bigint): bigint {
  return v >= TWO_63 ? v - TWO_64 : v;
}

function zigzagDecode(v: bigint): bigint {
  return (v & 1n) === 0n ? v >> 1n : -((v + 1n) >> 1n);
}

function readLe(bytes: Uint8Array): bigint {
  let v = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i]!);
  return v;
}

const MIN_TIMESTAMP_SECONDS = -62135596800n; // 0001-01-01T00:00:00Z
const MAX_TIMESTAMP_SECONDS = 253402300799n; // 9999-12-31T23:59:59Z

/** RFC 3339 in UTC with 0, 3, 6 or 9 fractional digits (Go's `time.RFC3339Nano` as jsonpb prints it). */
export function formatTimestamp(seconds: bigint, nanos: number, fixedNineDigits = false): string {
  // jsonpb refuses times outside years 1–9999, as Go's RFC 3339 formatting does.
  if (seconds < MIN_TIMESTAMP_SECONDS || seconds > MAX_TIMESTAMP_SECONDS || nanos < 0 || nanos > 999_999_999) {
    throw new ProtoJsonError("PROTOJSON_DECODE", `timestamp out of range: ${seconds}s ${nanos}ns`);
  }
  const base = new Date(Number(seconds) * 1000).toISOString().slice(0, 19); // YYYY-MM-DDTHH:MM:SS
  if (fixedNineDigits) return `${base}.${String(nanos).padStart(9, "0")}Z`;
  if (nanos === 0) return `${base}Z`;
  let frac = String(nanos).padStart(9, "0");
  if (frac.endsWith("000000")) frac = frac.slice(0, 3);
  else if (frac.endsWith("000")) frac = frac.slice(0, 6);
  return `${base}.${frac}Z`;
}

export function formatDuration(seconds: bigint, nanos: number): string {
  if (nanos === 0) return `${seconds}s`;
  const negative = seconds < 0n || nanos < 0;
  const s = seconds < 0n ? -seconds : seconds;
  let frac = String(Math.abs(nanos)).padStart(9, "0");
  if (frac.endsWith("000000")) frac = frac.slice(0, 3);
  else if (frac.endsWith("000")) frac = frac.slice(0, 6);
  return `${negative ? "-" : ""}${s}.${frac}s`;
}

/** A LegacyDec's atomics (value × 10^18 as an integer string) as its JSON text. */
export function decFromAtomics(atomics: string): string {
  if (atomics === "") return "0.000000000000000000";
  if (!/^-?\d+$/.test(atomics)) return atomics; // already a decimal text (some modules store it so)
  return Dec.fromAtomics(BigInt(atomics)).toString();
}

/**
 * Standard or URL-safe base64, padding optional (the gateway accepts both alphabets). A space is a `+`
 * that arrived unescaped in a query string.
 */
export function parseLenientBase64(text: string): Uint8Array {
  const std = text.replace(/ /g, "+").replace(/-/g, "+").replace(/_/g, "/").replace(/=+$/, "");
  if (!/^[A-Za-z0-9+/]*$/.test(std) || std.length % 4 === 1) {
    throw new ProtoJsonError("PROTOJSON_INVALID_VALUE", `invalid base64: ${text.slice(0, 64)}`);
  }
  const padded = std + "=".repeat((4 - (std.length % 4)) % 4);
  const bin = atob(padded);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** A LegacyDec's JSON text (`"0.05"`, `"0.050000000000000000"`) back to its atomics. */
function decToAtomics(text: string, path: string): string {
  try {
    return Dec.parse(text).atomics.toString();
  } catch {
    throw new ProtoJsonError("PROTOJSON_INVALID_VALUE", `${path}: invalid decimal ${JSON.stringify(text)}`);
  }
}

function addressBytes(text: string, path: string): Uint8Array {
  try {
    return decodeAddress(text);
  } catch {
    throw new ProtoJsonError("PROTOJSON_INVALID_VALUE", `${path}: invalid bech32 address ${JSON.stringify(text)}`);
  }
}

export class ProtoRegistry {
  private readonly messages = new Map<string, MessageSchema>();
  private readonly enums = new Map<string, { byNumber: Map<number, string>; byName: Map<string, number> }>();

  constructor(
    messages: Readonly<Record<string, string>>,
    enums: Readonly<Record<string, string>>,
    overrides: ProtoOverrides,
  ) {
    for (const [name, spec] of Object.entries(enums)) {
      const byNumber = new Map<number, string>();
      const byName = new Map<string, number>();
      for (const part of spec.split("|")) {
        const [num, value] = part.split(" ");
        if (num === undefined || value === undefined) continue;
        if (!byNumber.has(Number(num))) byNumber.set(Number(num), value);
        byName.set(value, Number(num));
      }
      this.enums.set(name, { byNumber, byName });
    }
    const nonNullable = new Set(overrides.nonNullable);
    const oneofs = new Set(overrides.oneofFields ?? []);
    for (const [name, spec] of Object.entries(messages)) {
      const fields: FieldSchema[] = [];
      for (const part of spec === "" ? [] : spec.split("|")) {
        const [num, fieldName, rawType] = part.split(" ");
        if (num === undefined || fieldName === undefined || rawType === undefined) {
          throw new ProtoJsonError("PROTOJSON_UNKNOWN_TYPE", `bad schema entry for ${name}: ${part}`);
        }
        const repeated = rawType.endsWith("[]");
        const type = repeated ? rawType.slice(0, -2) : rawType;
        const kind = SCALARS.has(type) ? "scalar" : enums[type] !== undefined ? "enum" : "message";
        const key = `${name}.${fieldName}`;
        fields.push({
          no: Number(num),
          name: fieldName,
          jsonName: camel(fieldName),
          type,
          kind,
          repeated,
          cast: overrides.casts[key],
          nonNullable: nonNullable.has(key),
          oneof: oneofs.has(key),
        });
      }
      this.messages.set(name, {
        name,
        fields,
        byNo: new Map(fields.map((f) => [f.no, f])),
        byName: new Map(fields.flatMap((f) => [[f.name, f] as const, [f.jsonName, f] as const])),
      });
    }
    for (const schema of this.messages.values()) {
      for (const f of schema.fields) {
        if (f.kind === "message" && !this.messages.has(f.type)) {
          throw new ProtoJsonError("PROTOJSON_UNKNOWN_TYPE", `${schema.name}.${f.name}: unknown type ${f.type}`);
        }
      }
    }
  }

  has(typeName: string): boolean {
    return this.messages.has(typeName);
  }

  schema(typeName: string): MessageSchema {
    const s = this.messages.get(typeName);
    if (s === undefined) throw new ProtoJsonError("PROTOJSON_UNKNOWN_TYPE", `unknown message type ${typeName}`);
    return s;
  }

  /** Protobuf bytes of `typeName` → gateway JSON. */
  toJson(typeName: string, bytes: Uint8Array): JsonObject {
    const special = this.wellKnownToJson(typeName, bytes);
    if (special !== undefined) return { value: special };
    return this.messageToJson(this.schema(typeName), bytes, 0);
  }

  /** `google.protobuf.Any` bytes → `{"@type", ...fields}`. */
  anyToJson(bytes: Uint8Array): JsonObject {
    return this.anyValueToJson(bytes, 0);
  }

  /** An Any's parts → `{"@type", ...fields}`; an unknown type keeps its bytes as `value`. */
  anyPartsToJson(typeUrl: string, value: Uint8Array, depth = 0): JsonObject {
    const typeName = typeUrl.slice(typeUrl.lastIndexOf("/") + 1);
    const wk = this.wellKnownToJson(typeName, value);
    if (wk !== undefined) return { "@type": typeUrl, value: wk };
    if (!this.messages.has(typeName)) return { "@type": typeUrl, value: toBase64(value) };
    return { "@type": typeUrl, ...this.messageToJson(this.schema(typeName), value, depth + 1) };
  }

  /** Gateway JSON (or query parameters made nested) → protobuf bytes of `typeName`. */
  fromJson(typeName: string, json: unknown): Uint8Array {
    return this.messageFromJson(this.schema(typeName), json, typeName);
  }

  // -------------------------------------------------------------------------------------------------

  private wellKnownToJson(typeName: string, bytes: Uint8Array): Json | undefined {
    if (typeName === "google.protobuf.Timestamp") {
      const { seconds, nanos } = this.secondsNanos(bytes, typeName);
      return formatTimestamp(seconds, nanos);
    }
    if (typeName === "google.protobuf.Duration") {
      const { seconds, nanos } = this.secondsNanos(bytes, typeName);
      return formatDuration(seconds, nanos);
    }
    return undefined;
  }

  private secondsNanos(bytes: Uint8Array, what: string): { seconds: bigint; nanos: number } {
    let seconds = 0n;
    let nanos = 0;
    const r = new ProtoReader(bytes);
    while (!r.eof()) {
      const { field, wire } = r.tag();
      if (wire !== WIRE_VARINT) {
        r.skip(wire);
        continue;
      }
      const v = r.varint();
      if (field === 1) seconds = toSigned64(v);
      else if (field === 2) nanos = Number(BigInt.asIntN(32, v));
    }
    if (nanos < -999_999_999 || nanos > 999_999_999) {
      throw new ProtoJsonError("PROTOJSON_DECODE", `${what}: nanos out of range`);
    }
    return { seconds, nanos };
  }

  private anyValueToJson(bytes: Uint8Array, depth: number): JsonObject {
    const any = decodeAny(bytes);
    return this.anyPartsToJson(any.typeUrl, any.value, depth);
  }

  private messageToJson(schema: MessageSchema, bytes: Uint8Array, depth: number): JsonObject {
    if (depth > 32) throw new ProtoJsonError("PROTOJSON_DECODE", `${schema.name}: nested too deeply`);
    const values = new Map<number, Json[]>();
    const r = new ProtoReader(bytes);
    while (!r.eof()) {
      const { field, wire } = r.tag();
      const f = schema.byNo.get(field);
      if (f === undefined) {
        r.skip(wire);
        continue;
      }
      let list = values.get(field);
      if (list === undefined) {
        list = [];
        values.set(field, list);
      }
      if (wire === WIRE_LEN && f.repeated && f.kind !== "message" && f.type !== "string" && f.type !== "bytes") {
        const packed = new ProtoReader(r.bytes());
        const innerWire =
          f.type.includes("fixed64") || f.type === "double"
            ? WIRE_FIXED64
            : f.type.includes("fixed32") || f.type === "float"
              ? WIRE_FIXED32
              : WIRE_VARINT;
        while (!packed.eof()) list.push(this.readValue(f, packed, innerWire, depth, schema));
        continue;
      }
      const value = this.readValue(f, r, wire, depth, schema);
      if (f.repeated) list.push(value);
      else values.set(field, [value]);
    }
    const out: JsonObject = {};
    for (const f of schema.fields) {
      const list = values.get(f.no);
      if (f.repeated) {
        out[f.name] = list ?? [];
      } else if (list !== undefined && list.length > 0) {
        out[f.name] = list[0]!;
      } else if (!f.oneof) {
        out[f.name] = this.defaultJson(f, depth);
      }
    }
    return out;
  }

  private defaultJson(f: FieldSchema, depth: number): Json {
    if (f.kind === "enum") return this.enums.get(f.type)?.byNumber.get(0) ?? 0;
    if (f.kind === "message") {
      if (!f.nonNullable) return null;
      if (f.type === "google.protobuf.Timestamp") return "0001-01-01T00:00:00Z";
      if (f.type === "google.protobuf.Duration") return "0s";
      return this.messageToJson(this.schema(f.type), new Uint8Array(0), depth + 1);
    }
    switch (f.cast) {
      case "accAddress":
        return "";
      case "dec":
      case "decBytes":
        return "0.000000000000000000";
      default:
        break;
    }
    switch (f.type) {
      case "string":
        return "";
      case "bool":
        return false;
      case "bytes":
        return null;
      case "int64":
      case "uint64":
      case "sint64":
      case "fixed64":
      case "sfixed64":
        return "0";
      default:
        return 0;
    }
  }

  private readValue(f: FieldSchema, r: ProtoReader, wire: number, depth: number, schema: MessageSchema): Json {
    const expected =
      f.kind === "message" || f.type === "string" || f.type === "bytes"
        ? WIRE_LEN
        : f.type.includes("fixed64") || f.type === "double"
          ? WIRE_FIXED64
          : f.type.includes("fixed32") || f.type === "float"
            ? WIRE_FIXED32
            : WIRE_VARINT;
    if (wire !== expected) {
      throw new ProtoJsonError("PROTOJSON_DECODE", `${schema.name}.${f.name}: wire type ${wire}, expected ${expected}`);
    }
    if (f.kind === "message") {
      const inner = r.bytes();
      if (f.type === "google.protobuf.Any") return this.anyValueToJson(inner, depth);
      const wk = this.wellKnownToJson(f.type, inner);
      if (wk !== undefined) return wk;
      return this.messageToJson(this.schema(f.type), inner, depth + 1);
    }
    if (f.kind === "enum") {
      const v = Number(BigInt.asIntN(32, r.varint()));
      return this.enums.get(f.type)?.byNumber.get(v) ?? v;
    }
    switch (f.type) {
      case "string": {
        const text = utf8Decode(r.bytes());
        return f.cast === "dec" ? decFromAtomics(text) : text;
      }
      case "bytes": {
        const b = r.bytes();
        if (f.cast === "accAddress") return b.length === 0 ? "" : encodeAddress(b);
        if (f.cast === "decBytes") return decFromAtomics(utf8Decode(b));
        return toBase64(b);
      }
      case "bool":
        return r.varint() !== 0n;
      case "int32":
        return Number(BigInt.asIntN(32, r.varint()));
      case "uint32":
        return Number(BigInt.asUintN(32, r.varint()));
      case "sint32":
        return Number(zigzagDecode(r.varint()));
      case "int64":
        return toSigned64(r.varint()).toString();
      case "uint64":
        return r.varint().toString();
      case "sint64":
        return zigzagDecode(r.varint()).toString();
      case "fixed64":
        return readLe(r.fixed64()).toString();
      case "sfixed64":
        return toSigned64(readLe(r.fixed64())).toString();
      case "fixed32":
        return Number(readLe(r.fixed32()));
      case "sfixed32":
        return Number(BigInt.asIntN(32, readLe(r.fixed32())));
      case "double": {
        const b = r.fixed64();
        return new DataView(b.buffer, b.byteOffset, 8).getFloat64(0, true);
      }
      case "float": {
        const b = r.fixed32();
        return new DataView(b.buffer, b.byteOffset, 4).getFloat32(0, true);
      }
      default:
        throw new ProtoJsonError("PROTOJSON_UNKNOWN_TYPE", `${schema.name}.${f.name}: unsupported type ${f.type}`);
    }
  }

  // -------------------------------------------------------------------------------------------------

  private messageFromJson(schema: MessageSchema, json: unknown, path: string): Uint8Array {
    if (json === null || json === undefined) return new Uint8Array(0);
    if (typeof json !== "object" || Array.isArray(json)) {
      throw new ProtoJsonError("PROTOJSON_INVALID_VALUE", `${path}: expected an object`);
    }
    const w = new ProtoWriter();
    const entries = Object.entries(json as Record<string, unknown>)
      .map(([k, v]) => [schema.byName.get(k), v] as const)
      .filter((e): e is readonly [FieldSchema, unknown] => e[0] !== undefined)
      .sort((a, b) => a[0].no - b[0].no);
    for (const [f, raw] of entries) {
      const fieldPath = `${path}.${f.name}`;
      const items = f.repeated ? (Array.isArray(raw) ? raw : raw === undefined || raw === null ? [] : [raw]) : [raw];
      if (!f.repeated && Array.isArray(raw)) {
        // A repeated query key for a singular field: the gateway takes the last one.
        items.splice(0, items.length, raw[raw.length - 1]);
      }
      for (const item of items) {
        if (item === undefined || item === null) continue;
        this.writeValue(w, f, item, fieldPath, f.repeated);
      }
    }
    return w.finish();
  }

  /** `{"@type": url, ...fields}` → `google.protobuf.Any` bytes; the type must be in the table. */
  anyFromJson(v: unknown, path = "Any"): Uint8Array {
    if (v === null || typeof v !== "object" || Array.isArray(v)) {
      throw new ProtoJsonError("PROTOJSON_INVALID_VALUE", `${path}: expected an object with "@type"`);
    }
    const { "@type": typeUrl, ...fields } = v as Record<string, unknown>;
    if (typeof typeUrl !== "string" || typeUrl === "") {
      throw new ProtoJsonError("PROTOJSON_INVALID_VALUE", `${path}: "@type" is required`);
    }
    const typeName = typeUrl.slice(typeUrl.lastIndexOf("/") + 1);
    if (!this.messages.has(typeName)) {
      throw new ProtoJsonError("PROTOJSON_UNKNOWN_TYPE", `${path}: unknown Any type ${typeUrl}`);
    }
    const value = this.messageFromJson(this.schema(typeName), fields, `${path}<${typeName}>`);
    return new ProtoWriter().string(1, typeUrl).bytes(2, value).finish();
  }

  private writeValue(w: ProtoWriter, f: FieldSchema, v: unknown, path: string, always: boolean): void {
    const bad = (what: string): never => {
      throw new ProtoJsonError("PROTOJSON_INVALID_VALUE", `${path}: ${what}`);
    };
    if (f.kind === "message") {
      if (f.type === "google.protobuf.Any") {
        w.message(f.no, this.anyFromJson(v, path));
        return;
      }
      if (f.type === "google.protobuf.Timestamp" || f.type === "google.protobuf.Duration") {
        bad(`${f.type} values are not accepted in requests`);
      }
      w.message(f.no, this.messageFromJson(this.schema(f.type), v, path));
      return;
    }
    if (f.kind === "enum") {
      const e = this.enums.get(f.type);
      let n: number | undefined;
      if (typeof v === "number" && Number.isInteger(v)) n = v;
      else if (typeof v === "string" && /^-?\d+$/.test(v)) n = Number(v);
      else if (typeof v === "string") n = e?.byName.get(v);
      if (n === undefined) return bad(`invalid value ${JSON.stringify(v)} for enum ${f.type}`);
      w.uint(f.no, n < 0 ? BigInt(n) + TWO_64 : n, always);
      return;
    }
    switch (f.type) {
      case "string":
        if (typeof v !== "string" && typeof v !== "number") return bad("expected a string");
        w.string(f.no, f.cast === "dec" ? decToAtomics(String(v), path) : String(v), always);
        return;
      case "bytes":
        if (typeof v !== "string") return bad("expected base64 text");
        if (f.cast === "accAddress") w.bytes(f.no, v === "" ? new Uint8Array(0) : addressBytes(v, path), always);
        else if (f.cast === "decBytes") w.bytes(f.no, utf8Encode(decToAtomics(v, path)), always);
        else w.bytes(f.no, parseLenientBase64(v), always);
        return;
      case "bool": {
        if (v === true || v === "true") w.uint(f.no, 1, always);
        else if (v === false || v === "false") w.uint(f.no, 0, always);
        else bad("expected true or false");
        return;
      }
      case "int32":
      case "int64":
      case "uint32":
      case "uint64":
      case "sint32":
      case "sint64": {
        const text = typeof v === "number" && Number.isInteger(v) ? String(v) : typeof v === "string" ? v : "";
        if (!/^-?\d+$/.test(text)) return bad(`invalid integer ${JSON.stringify(v)}`);
        const n = BigInt(text);
        const unsigned = f.type.startsWith("u");
        const bits = f.type.endsWith("32") ? 32 : 64;
        const min = unsigned ? 0n : -(1n << BigInt(bits - 1));
        const max = unsigned ? (1n << BigInt(bits)) - 1n : (1n << BigInt(bits - 1)) - 1n;
        if (n < min || n > max) return bad(`integer ${text} out of range for ${f.type}`);
        let wireValue = n;
        if (f.type.startsWith("sint")) wireValue = n < 0n ? -2n * n - 1n : 2n * n;
        else if (n < 0n) wireValue = n + TWO_64;
        w.uint(f.no, wireValue, always);
        return;
      }
      default:
        bad(`type ${f.type} is not accepted in requests`);
    }
  }
}
