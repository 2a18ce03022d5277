// A small JSON reader (into a tree of `JsonValue`) and writer (`JsonWriter`), without floats.
//
// Numbers are kept as their source text and converted on access (u8..u64, i64, U128); fractions and
// exponents are refused by the integer accessors. Accessors never trap: a wrong type or a missing field
// records the first error in the document (`value.error`) and returns a neutral value (0, "", false,
// an empty list), so a handler reads all its fields and checks once:
//
//   const count = msg.getU64("count");
//   if (msg.failed) return fail(msg.error!);

/* eslint-disable @typescript-eslint/consistent-type-imports -- AssemblyScript has no type-only imports */

import { base64Decode, base64EncodeInto } from "./base64";
import { ByteBuf, isValidUtf8 } from "./bytes";
import { Err, Ok, Result, StdError } from "./errors";
import { U128 } from "./u128";

export enum JsonKind {
  Null,
  Bool,
  Number,
  String,
  Array,
  Object,
}

/** Shared by all values of one parsed document: the type name used in errors, and the first error. */
export class JsonDoc {
  error: StdError | null = null;
  constructor(public target: string) {}

  fail(msg: string): void {
    if (this.error === null) this.error = StdError.parseErr(this.target, msg);
  }
}

function kindName(kind: JsonKind): string {
  switch (kind) {
    case JsonKind.Null:
      return "null";
    case JsonKind.Bool:
      return "boolean";
    case JsonKind.Number:
      return "number";
    case JsonKind.String:
      return "string";
    case JsonKind.Array:
      return "sequence";
    default:
      return "map";
  }
}

export class JsonValue {
  /** String: the decoded text; Number: the source text; Bool: "true"/"false". */
  text: string = "";
  /** Array elements, or object values (parallel to `keys`). */
  items: Array<JsonValue> | null = null;
  /** Object keys in source order. */
  keys: Array<string> | null = null;

  constructor(
    public kind: JsonKind,
    public doc: JsonDoc,
  ) {}

  // ---- kind tests -----------------------------------------------------------------------------

  get isNull(): bool {
    return this.kind === JsonKind.Null;
  }
  get isBool(): bool {
    return this.kind === JsonKind.Bool;
  }
  get isNumber(): bool {
    return this.kind === JsonKind.Number;
  }
  get isString(): bool {
    return this.kind === JsonKind.String;
  }
  get isArray(): bool {
    return this.kind === JsonKind.Array;
  }
  get isObject(): bool {
    return this.kind === JsonKind.Object;
  }

  /** True once any accessor on this document recorded an error. */
  get failed(): bool {
    return this.doc.error !== null;
  }

  /** The first error recorded on this document (a `ParseErr`), or null. */
  get error(): StdError | null {
    return this.doc.error;
  }

  /** Records an error on the document (for a handler's own validation) and returns it. */
  fail(msg: string): StdError {
    this.doc.fail(msg);
    return this.doc.error!;
  }

  private invalidType(expected: string): void {
    this.doc.fail("invalid type: " + kindName(this.kind) + ", expected " + expected);
  }

  // ---- objects --------------------------------------------------------------------------------

  /** The member `key` (null when absent or when this is not an object). No error recorded. */
  get(key: string): JsonValue | null {
    const keys = this.keys;
    if (keys === null) return null;
    for (let i = 0; i < keys.length; i++) {
      if (keys[i] === key) return this.items![i];
    }
    return null;
  }

  /** True when member `key` exists and is not null (Rust `Option` semantics). */
  has(key: string): bool {
    const v = this.get(key);
    return v !== null && v.kind !== JsonKind.Null;
  }

  /** Member `key`; records `missing field` when absent (or `invalid type` when this is not an object). */
  field(key: string): JsonValue {
    if (this.kind !== JsonKind.Object) {
      this.invalidType("struct with field `" + key + "`");
      return new JsonValue(JsonKind.Null, this.doc);
    }
    const v = this.get(key);
    if (v === null) {
      this.doc.fail("missing field `" + key + "`");
      return new JsonValue(JsonKind.Null, this.doc);
    }
    return v;
  }

  /** Number of members (object) or elements (array); 0 otherwise. */
  get size(): i32 {
    const items = this.items;
    return items === null ? 0 : items.length;
  }

  /**
   * For an externally tagged enum (`{"increment":{}}` or the unit form `"increment"`): the variant
   * name, "" (with an error) for anything else.
   */
  variant(): string {
    if (this.kind === JsonKind.String) return this.text;
    if (this.kind === JsonKind.Object && this.keys!.length === 1) return this.keys![0];
    if (this.kind === JsonKind.Object) {
      this.doc.fail(
        this.keys!.length === 0
          ? "expected a single-key object (enum variant), found {}"
          : "expected a single-key object (enum variant)",
      );
    } else {
      this.invalidType("enum");
    }
    return "";
  }

  /** The payload of an externally tagged enum variant (`{}` for the unit form). */
  variantValue(): JsonValue {
    if (this.kind === JsonKind.Object && this.keys!.length === 1) return this.items![0];
    const empty = new JsonValue(JsonKind.Object, this.doc);
    empty.keys = new Array<string>();
    empty.items = new Array<JsonValue>();
    return empty;
  }

  /** Records `unknown variant` for `name`, listing the expected variants; returns the error. */
  unknownVariant(name: string, expected: Array<string>): StdError {
    let list = "";
    for (let i = 0; i < expected.length; i++) {
      if (i > 0) list += ", ";
      list += "`" + expected[i] + "`";
    }
    this.doc.fail("unknown variant `" + name + "`, expected " + (expected.length === 1 ? list : "one of " + list));
    return this.doc.error!;
  }

  // ---- scalars --------------------------------------------------------------------------------

  str(): string {
    if (this.kind !== JsonKind.String) {
      this.invalidType("a string");
      return "";
    }
    return this.text;
  }

  bool(): bool {
    if (this.kind !== JsonKind.Bool) {
      this.invalidType("a boolean");
      return false;
    }
    return this.text === "true";
  }

  /** A non-negative integer ≤ max from a JSON number or a decimal string (Uint64 style). */
  private unsigned(max: u64, what: string): u64 {
    if (this.kind !== JsonKind.Number && this.kind !== JsonKind.String) {
      this.invalidType(what);
      return 0;
    }
    const s = this.text;
    const n = s.length;
    if (n === 0) {
      this.doc.fail("invalid value: empty string, expected " + what);
      return 0;
    }
    let v: u64 = 0;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c < 48 || c > 57) {
        this.doc.fail(
          "invalid value: " +
            (this.kind === JsonKind.String ? 'string "' : "number `") +
            s +
            (this.kind === JsonKind.String ? '"' : "`") +
            ", expected " +
            what,
        );
        return 0;
      }
      const d = <u64>(c - 48);
      if (v > (u64.MAX_VALUE - d) / 10) {
        this.doc.fail("invalid value: integer `" + s + "`, expected " + what);
        return 0;
      }
      v = v * 10 + d;
    }
    if (v > max) {
      this.doc.fail("invalid value: integer `" + s + "`, expected " + what);
      return 0;
    }
    return v;
  }

  u64(): u64 {
    return this.unsigned(u64.MAX_VALUE, "u64");
  }
  u32(): u32 {
    return <u32>this.unsigned(u32.MAX_VALUE, "u32");
  }
  u16(): u16 {
    return <u16>this.unsigned(u16.MAX_VALUE, "u16");
  }
  u8(): u8 {
    return <u8>this.unsigned(u8.MAX_VALUE, "u8");
  }

  i64(): i64 {
    const s = this.text;
    if ((this.kind === JsonKind.Number || this.kind === JsonKind.String) && s.length > 1 && s.charCodeAt(0) === 45) {
      const save = this.text;
      this.text = s.substring(1);
      const mag = this.unsigned(<u64>i64.MAX_VALUE + 1, "i64");
      this.text = save;
      return <i64>(0 - mag);
    }
    return <i64>this.unsigned(<u64>i64.MAX_VALUE, "i64");
  }

  /** A `Uint128`: a decimal string (CosmWasm's encoding) or a JSON integer. */
  u128(): U128 {
    if (this.kind !== JsonKind.String && this.kind !== JsonKind.Number) {
      this.invalidType("a string-encoded Uint128");
      return U128.zero();
    }
    const v = U128.parse(this.text);
    if (v === null) {
      this.doc.fail("invalid Uint128 '" + this.text + "'");
      return U128.zero();
    }
    return v;
  }

  /** A base64 string (CosmWasm `Binary`). */
  binary(): Uint8Array {
    if (this.kind !== JsonKind.String) {
      this.invalidType("base64-encoded string");
      return new Uint8Array(0);
    }
    const r = base64Decode(this.text);
    if (r.isErr) {
      this.doc.fail(r.error!.toString());
      return new Uint8Array(0);
    }
    return r.value;
  }

  /** Array elements (records an error and returns [] when this is not an array). */
  array(): Array<JsonValue> {
    if (this.kind !== JsonKind.Array) {
      this.invalidType("a sequence");
      return new Array<JsonValue>();
    }
    return this.items!;
  }

  // ---- member shortcuts (required fields) ------------------------------------------------------

  getStr(key: string): string {
    return this.field(key).str();
  }
  getBool(key: string): bool {
    return this.field(key).bool();
  }
  getU64(key: string): u64 {
    return this.field(key).u64();
  }
  getU32(key: string): u32 {
    return this.field(key).u32();
  }
  getU8(key: string): u8 {
    return this.field(key).u8();
  }
  getI64(key: string): i64 {
    return this.field(key).i64();
  }
  getU128(key: string): U128 {
    return this.field(key).u128();
  }
  getBinary(key: string): Uint8Array {
    return this.field(key).binary();
  }
  getArray(key: string): Array<JsonValue> {
    return this.field(key).array();
  }
  getObject(key: string): JsonValue {
    const v = this.field(key);
    if (v.kind !== JsonKind.Object && v.kind !== JsonKind.Null) v.invalidType("a map");
    return v;
  }

  // ---- member shortcuts (optional fields: absent or null → fallback) ----------------------------

  optStr(key: string): string | null {
    return this.has(key) ? this.get(key)!.str() : null;
  }
  optBool(key: string, fallback: bool): bool {
    return this.has(key) ? this.get(key)!.bool() : fallback;
  }
  optU64(key: string, fallback: u64): u64 {
    return this.has(key) ? this.get(key)!.u64() : fallback;
  }
  optU128(key: string): U128 | null {
    return this.has(key) ? this.get(key)!.u128() : null;
  }
  optBinary(key: string): Uint8Array | null {
    return this.has(key) ? this.get(key)!.binary() : null;
  }

  // ---- output ---------------------------------------------------------------------------------

  /** Writes this value (compact JSON) to `w`. */
  writeTo(w: JsonWriter): void {
    switch (this.kind) {
      case JsonKind.Null:
        w.nullValue();
        break;
      case JsonKind.Bool:
        w.bool(this.text === "true");
        break;
      case JsonKind.Number:
        w.rawValue(this.text);
        break;
      case JsonKind.String:
        w.string(this.text);
        break;
      case JsonKind.Array: {
        w.beginArray();
        const items = this.items!;
        for (let i = 0; i < items.length; i++) items[i].writeTo(w);
        w.endArray();
        break;
      }
      default: {
        w.beginObject();
        const keys = this.keys!;
        const items = this.items!;
        for (let i = 0; i < keys.length; i++) {
          w.key(keys[i]);
          items[i].writeTo(w);
        }
        w.endObject();
      }
    }
  }

  /** Compact JSON text of this value. */
  toJson(): string {
    const w = new JsonWriter();
    this.writeTo(w);
    return w.toString();
  }
}

// ---- parser -------------------------------------------------------------------------------------

const MAX_DEPTH = 128;

class Parser {
  pos: usize;
  error: string | null = null;
  depth: i32 = 0;

  constructor(
    readonly start: usize,
    readonly end: usize,
    readonly doc: JsonDoc,
  ) {
    this.pos = start;
  }

  fail(msg: string): void {
    if (this.error === null) this.error = msg + " at byte " + (<u64>(this.pos - this.start)).toString();
  }

  peek(): u32 {
    return this.pos < this.end ? <u32>load<u8>(this.pos) : 0;
  }

  skipWs(): void {
    while (this.pos < this.end) {
      const c = load<u8>(this.pos);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) this.pos++;
      else break;
    }
  }

  literal(word: string): bool {
    const n = <usize>word.length;
    if (this.pos + n > this.end) return false;
    for (let i: usize = 0; i < n; i++) {
      if (<u32>load<u8>(this.pos + i) !== <u32>word.charCodeAt(<i32>i)) return false;
    }
    this.pos += n;
    return true;
  }

  value(): JsonValue | null {
    this.skipWs();
    const c = this.peek();
    if (this.pos >= this.end) {
      this.fail("EOF while parsing a value");
      return null;
    }
    if (c === 0x7b) return this.object();
    if (c === 0x5b) return this.arrayValue();
    if (c === 0x22) {
      const s = this.string();
      if (s === null) return null;
      const v = new JsonValue(JsonKind.String, this.doc);
      v.text = s;
      return v;
    }
    if (c === 0x74) {
      if (!this.literal("true")) {
        this.fail("expected ident");
        return null;
      }
      const v = new JsonValue(JsonKind.Bool, this.doc);
      v.text = "true";
      return v;
    }
    if (c === 0x66) {
      if (!this.literal("false")) {
        this.fail("expected ident");
        return null;
      }
      const v = new JsonValue(JsonKind.Bool, this.doc);
      v.text = "false";
      return v;
    }
    if (c === 0x6e) {
      if (!this.literal("null")) {
        this.fail("expected ident");
        return null;
      }
      return new JsonValue(JsonKind.Null, this.doc);
    }
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return this.number();
    this.fail("expected value");
    return null;
  }

  digits(): i32 {
    let n = 0;
    while (this.pos < this.end) {
      const c = load<u8>(this.pos);
      if (c < 0x30 || c > 0x39) break;
      this.pos++;
      n++;
    }
    return n;
  }

  number(): JsonValue | null {
    const from = this.pos;
    if (this.peek() === 0x2d) this.pos++;
    if (this.peek() === 0x30) {
      this.pos++;
      const next = this.peek();
      if (next >= 0x30 && next <= 0x39) {
        this.fail("invalid number");
        return null;
      }
    } else if (this.digits() === 0) {
      this.fail("invalid number");
      return null;
    }
    if (this.peek() === 0x2e) {
      this.pos++;
      if (this.digits() === 0) {
        this.fail("invalid number");
        return null;
      }
    }
    const e = this.peek();
    if (e === 0x65 || e === 0x45) {
      this.pos++;
      const sign = this.peek();
      if (sign === 0x2b || sign === 0x2d) this.pos++;
      if (this.digits() === 0) {
        this.fail("invalid number");
        return null;
      }
    }
    const v = new JsonValue(JsonKind.Number, this.doc);
    v.text = String.UTF8.decodeUnsafe(from, this.pos - from);
    return v;
  }

  hex4(): i32 {
    if (this.pos + 4 > this.end) return -1;
    let v = 0;
    for (let i = 0; i < 4; i++) {
      const c = <i32>load<u8>(this.pos++);
      let d = -1;
      if (c >= 48 && c <= 57) d = c - 48;
      else if (c >= 97 && c <= 102) d = c - 87;
      else if (c >= 65 && c <= 70) d = c - 55;
      if (d < 0) return -1;
      v = (v << 4) | d;
    }
    return v;
  }

  /** Parses a string starting at the opening quote; null (with an error) when invalid. */
  string(): string | null {
    this.pos++; // opening quote
    const from = this.pos;
    // Fast path: no escapes.
    while (this.pos < this.end) {
      const c = load<u8>(this.pos);
      if (c === 0x22) {
        const len = this.pos - from;
        if (!isValidUtf8(from, len)) {
          this.fail("invalid unicode code point");
          return null;
        }
        this.pos++;
        return String.UTF8.decodeUnsafe(from, len);
      }
      if (c === 0x5c) break;
      if (c < 0x20) {
        this.fail("control character (\\u0000-\\u001F) found while parsing a string");
        return null;
      }
      this.pos++;
    }
    // Slow path: copy with escapes resolved into a UTF-8 buffer.
    const buf = new ByteBuf(<i32>(this.pos - from) + 16);
    buf.raw(from, <i32>(this.pos - from));
    while (this.pos < this.end) {
      const c = <u32>load<u8>(this.pos);
      if (c === 0x22) {
        this.pos++;
        if (!isValidUtf8(buf.ptr, <usize>buf.len)) {
          this.fail("invalid unicode code point");
          return null;
        }
        return buf.toString();
      }
      if (c < 0x20) {
        this.fail("control character (\\u0000-\\u001F) found while parsing a string");
        return null;
      }
      if (c !== 0x5c) {
        buf.byte(c);
        this.pos++;
        continue;
      }
      this.pos++;
      const e = this.peek();
      this.pos++;
      if (e === 0x22 || e === 0x5c || e === 0x2f) buf.byte(e);
      else if (e === 0x62) buf.byte(0x08);
      else if (e === 0x66) buf.byte(0x0c);
      else if (e === 0x6e) buf.byte(0x0a);
      else if (e === 0x72) buf.byte(0x0d);
      else if (e === 0x74) buf.byte(0x09);
      else if (e === 0x75) {
        let cp = this.hex4();
        if (cp < 0) {
          this.fail("invalid escape");
          return null;
        }
        if (cp >= 0xd800 && cp <= 0xdbff) {
          if (!this.literal("\\u")) {
            this.fail("unexpected end of hex escape");
            return null;
          }
          const lo = this.hex4();
          if (lo < 0xdc00 || lo > 0xdfff) {
            this.fail("lone leading surrogate in hex escape");
            return null;
          }
          cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
        } else if (cp >= 0xdc00 && cp <= 0xdfff) {
          this.fail("lone leading surrogate in hex escape");
          return null;
        }
        const u = <u32>cp;
        if (u < 0x80) {
          buf.byte(u);
        } else if (u < 0x800) {
          buf.byte(0xc0 | (u >> 6));
          buf.byte(0x80 | (u & 0x3f));
        } else if (u < 0x10000) {
          buf.byte(0xe0 | (u >> 12));
          buf.byte(0x80 | ((u >> 6) & 0x3f));
          buf.byte(0x80 | (u & 0x3f));
        } else {
          buf.byte(0xf0 | (u >> 18));
          buf.byte(0x80 | ((u >> 12) & 0x3f));
          buf.byte(0x80 | ((u >> 6) & 0x3f));
          buf.byte(0x80 | (u & 0x3f));
        }
      } else {
        this.fail("invalid escape");
        return null;
      }
    }
    this.fail("EOF while parsing a string");
    return null;
  }

  enter(): bool {
    if (++this.depth > MAX_DEPTH) {
      this.fail("recursion limit exceeded");
      return false;
    }
    return true;
  }

  arrayValue(): JsonValue | null {
    if (!this.enter()) return null;
    this.pos++; // [
    const items = new Array<JsonValue>();
    this.skipWs();
    if (this.peek() === 0x5d) {
      this.pos++;
    } else {
      while (true) {
        const v = this.value();
        if (v === null) return null;
        items.push(v);
        this.skipWs();
        const c = this.peek();
        if (c === 0x2c) {
          this.pos++;
          continue;
        }
        if (c === 0x5d) {
          this.pos++;
          break;
        }
        this.fail(this.pos >= this.end ? "EOF while parsing a list" : "expected `,` or `]`");
        return null;
      }
    }
    this.depth--;
    const out = new JsonValue(JsonKind.Array, this.doc);
    out.items = items;
    return out;
  }

  object(): JsonValue | null {
    if (!this.enter()) return null;
    this.pos++; // {
    const keys = new Array<string>();
    const items = new Array<JsonValue>();
    this.skipWs();
    if (this.peek() === 0x7d) {
      this.pos++;
    } else {
      while (true) {
        this.skipWs();
        if (this.peek() !== 0x22) {
          this.fail(this.pos >= this.end ? "EOF while parsing an object" : "key must be a string");
          return null;
        }
        const k = this.string();
        if (k === null) return null;
        this.skipWs();
        if (this.peek() !== 0x3a) {
          this.fail(this.pos >= this.end ? "EOF while parsing an object" : "expected `:`");
          return null;
        }
        this.pos++;
        const v = this.value();
        if (v === null) return null;
        keys.push(k);
        items.push(v);
        this.skipWs();
        const c = this.peek();
        if (c === 0x2c) {
          this.pos++;
          continue;
        }
        if (c === 0x7d) {
          this.pos++;
          break;
        }
        this.fail(this.pos >= this.end ? "EOF while parsing an object" : "expected `,` or `}`");
        return null;
      }
    }
    this.depth--;
    const out = new JsonValue(JsonKind.Object, this.doc);
    out.keys = keys;
    out.items = items;
    return out;
  }
}

/**
 * Parses `len` bytes of JSON at `ptr`. `target` names the type in error texts (`Error parsing into
 * type <target>: …`).
 */
export function parseJsonRaw(ptr: usize, len: usize, target: string): Result<JsonValue> {
  const doc = new JsonDoc(target);
  const p = new Parser(ptr, ptr + len, doc);
  const v = p.value();
  if (v !== null) {
    p.skipWs();
    if (p.pos < p.end) p.fail("trailing characters");
  }
  const err = p.error;
  if (err !== null || v === null) {
    return Err<JsonValue>(StdError.parseErr(target, err !== null ? err : "invalid JSON"));
  }
  return Ok<JsonValue>(v);
}

export function parseJsonBytes(data: Uint8Array, target: string): Result<JsonValue> {
  return parseJsonRaw(data.dataStart, <usize>data.length, target);
}

export function parseJson(text: string, target: string = "JSON"): Result<JsonValue> {
  const bytes = String.UTF8.encode(text);
  return parseJsonRaw(changetype<usize>(bytes), <usize>bytes.byteLength, target);
}

// ---- writer -------------------------------------------------------------------------------------

/**
 * Builds compact JSON (UTF-8) the way serde_json writes it: `w.beginObject().key("count").u64(5).endObject()`.
 * Commas are inserted automatically.
 */
export class JsonWriter {
  readonly buf: ByteBuf;
  private needComma: bool = false;

  constructor(initialCapacity: i32 = 128) {
    this.buf = new ByteBuf(initialCapacity);
  }

  private sep(): void {
    if (this.needComma) this.buf.byte(0x2c);
  }

  beginObject(): JsonWriter {
    this.sep();
    this.buf.byte(0x7b);
    this.needComma = false;
    return this;
  }

  endObject(): JsonWriter {
    this.buf.byte(0x7d);
    this.needComma = true;
    return this;
  }

  beginArray(): JsonWriter {
    this.sep();
    this.buf.byte(0x5b);
    this.needComma = false;
    return this;
  }

  endArray(): JsonWriter {
    this.buf.byte(0x5d);
    this.needComma = true;
    return this;
  }

  /** An object key; the next call writes its value. */
  key(k: string): JsonWriter {
    this.sep();
    writeJsonString(this.buf, k);
    this.buf.byte(0x3a);
    this.needComma = false;
    return this;
  }

  string(s: string): JsonWriter {
    this.sep();
    writeJsonString(this.buf, s);
    this.needComma = true;
    return this;
  }

  /** A string, or null. */
  optString(s: string | null): JsonWriter {
    if (s === null) return this.nullValue();
    return this.string(s);
  }

  u64(v: u64): JsonWriter {
    return this.rawValue(v.toString());
  }

  i64(v: i64): JsonWriter {
    return this.rawValue(v.toString());
  }

  /** A u64 as a decimal string (CosmWasm `Uint64`). */
  u64String(v: u64): JsonWriter {
    return this.string(v.toString());
  }

  /** A Uint128 as a decimal string. */
  u128(v: U128): JsonWriter {
    return this.string(v.toString());
  }

  bool(b: bool): JsonWriter {
    return this.rawValue(b ? "true" : "false");
  }

  nullValue(): JsonWriter {
    return this.rawValue("null");
  }

  /** Bytes as a base64 string (CosmWasm `Binary`), or null. */
  binary(data: Uint8Array | null): JsonWriter {
    if (data === null) return this.nullValue();
    this.sep();
    this.buf.byte(0x22);
    base64EncodeIntoBuf(this.buf, data);
    this.buf.byte(0x22);
    this.needComma = true;
    return this;
  }

  /** Inserts already-serialised JSON as one value (not checked). */
  rawValue(json: string): JsonWriter {
    this.sep();
    this.buf.str(json);
    this.needComma = true;
    return this;
  }

  /** Shortcuts for `key(k).<value>(v)`. */
  propString(k: string, v: string): JsonWriter {
    return this.key(k).string(v);
  }
  propU64(k: string, v: u64): JsonWriter {
    return this.key(k).u64(v);
  }
  propU128(k: string, v: U128): JsonWriter {
    return this.key(k).u128(v);
  }
  propBool(k: string, v: bool): JsonWriter {
    return this.key(k).bool(v);
  }

  toString(): string {
    return this.buf.toString();
  }

  toBytes(): Uint8Array {
    return this.buf.toBytes();
  }
}

function base64EncodeIntoBuf(buf: ByteBuf, data: Uint8Array): void {
  base64EncodeInto(buf, data.dataStart, data.length);
}

const HEX = "0123456789abcdef";

/** Appends `s` as a JSON string literal, escaped like serde_json. */
export function writeJsonString(buf: ByteBuf, s: string): void {
  buf.byte(0x22);
  const n = s.length;
  let runStart = 0;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x20 && c !== 0x22 && c !== 0x5c) continue;
    if (i > runStart) buf.str(s.substring(runStart, i));
    runStart = i + 1;
    if (c === 0x22) buf.ascii('\\"');
    else if (c === 0x5c) buf.ascii("\\\\");
    else if (c === 0x0a) buf.ascii("\\n");
    else if (c === 0x0d) buf.ascii("\\r");
    else if (c === 0x09) buf.ascii("\\t");
    else if (c === 0x08) buf.ascii("\\b");
    else if (c === 0x0c) buf.ascii("\\f");
    else {
      buf.ascii("\\u00");
      buf.byte(HEX.charCodeAt(c >> 4));
      buf.byte(HEX.charCodeAt(c & 15));
    }
  }
  if (runStart === 0) buf.str(s);
  else if (runStart < n) buf.str(s.substring(runStart, n));
  buf.byte(0x22);
}
