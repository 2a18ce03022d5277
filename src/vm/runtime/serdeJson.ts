/**
 * A port of the parts of `serde_json` 1.0.60 (`src/de.rs`, `src/read.rs` `SliceRead`, `src/error.rs`)
 * and `serde` 1.0.118 that decide what upstream's enclave accepts from a contract and which error text
 * it produces: the byte-level JSON reader with its positions ("… at line L column C"), the visitor
 * protocol with serde's default "invalid type" answers, and `deserialize_any` into a buffered value
 * tree (serde's private `Content`, used for untagged enums).
 *
 * Control flow mirrors the Rust code function by function so that the error position (which depends
 * on how far the reader has consumed when an error is created or "fixed") comes out the same.
 */

// ---------------------------------------------------------------------------------------------------
// Errors

/** A serde_json error: a message and, when known, a 1-based line and a column (0 = unknown). */
export class SerdeJsonError extends Error {
  override readonly name = "SerdeJsonError";
  readonly msg: string;
  readonly line: number;
  readonly column: number;

  constructor(msg: string, line: number, column: number) {
    super(line === 0 ? msg : `${msg} at line ${line} column ${column}`);
    this.msg = msg;
    this.line = line;
    this.column = column;
  }
}

/**
 * `de::Error::custom`: serde_json's `make_error`, which takes a trailing " at line L column C" in the
 * message as the position (a quirk kept because the message may contain contract-chosen text).
 */
export function customError(message: string): SerdeJsonError {
  const start = message.lastIndexOf(" at line ");
  if (start >= 0) {
    const rest = message.slice(start + " at line ".length);
    const m = /^([0-9]*) column ([0-9]*)$/.exec(rest);
    if (m) {
      const line = m[1] === "" ? NaN : Number(m[1]);
      const column = m[2] === "" ? NaN : Number(m[2]);
      if (Number.isSafeInteger(line) && Number.isSafeInteger(column)) {
        return new SerdeJsonError(message.slice(0, start), line, column);
      }
    }
  }
  return new SerdeJsonError(message, 0, 0);
}

const CODES = {
  EofWhileParsingList: "EOF while parsing a list",
  EofWhileParsingObject: "EOF while parsing an object",
  EofWhileParsingString: "EOF while parsing a string",
  EofWhileParsingValue: "EOF while parsing a value",
  ExpectedColon: "expected `:`",
  ExpectedListCommaOrEnd: "expected `,` or `]`",
  ExpectedObjectCommaOrEnd: "expected `,` or `}`",
  ExpectedSomeIdent: "expected ident",
  ExpectedSomeValue: "expected value",
  InvalidEscape: "invalid escape",
  InvalidNumber: "invalid number",
  NumberOutOfRange: "number out of range",
  InvalidUnicodeCodePoint: "invalid unicode code point",
  ControlCharacterWhileParsingString: "control character (\\u0000-\\u001F) found while parsing a string",
  KeyMustBeAString: "key must be a string",
  LoneLeadingSurrogateInHexEscape: "lone leading surrogate in hex escape",
  TrailingComma: "trailing comma",
  TrailingCharacters: "trailing characters",
  UnexpectedEndOfHexEscape: "unexpected end of hex escape",
  RecursionLimitExceeded: "recursion limit exceeded",
} as const;
type Code = keyof typeof CODES;

// ---------------------------------------------------------------------------------------------------
// Rust formatting helpers used in error texts

/** Rust's `Display` for a finite f64: shortest round-trip digits, never an exponent. */
export function rustF64Display(x: number): string {
  if (x === 0) return Object.is(x, -0) ? "-0" : "0";
  const neg = x < 0;
  const [mant, expText] = Math.abs(x).toExponential().split("e") as [string, string];
  const digits = mant.replace(".", "");
  const exp = Number(expText);
  let out: string;
  if (exp >= 0) {
    out =
      digits.length <= exp + 1
        ? digits + "0".repeat(exp + 1 - digits.length)
        : `${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
  } else {
    out = `0.${"0".repeat(-exp - 1)}${digits}`;
  }
  return neg ? `-${out}` : out;
}

const NON_PRINTABLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cn}\p{Co}\p{Cs}\p{Grapheme_Extend}]|(?! )\p{Zs}/u;

/**
 * Rust's `{:?}` for `str` (used by serde for `Unexpected::Str`): `\t \r \n \\ \" \0` escaped, other
 * non-printable characters as `\u{hex}`. Printability is approximated with Unicode categories (Rust
 * uses its own tables); ASCII and ordinary text are exact.
 */
export function rustStrDebug(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === "\t") out += "\\t";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\\") out += "\\\\";
    else if (ch === '"') out += '\\"';
    else if (c === 0) out += "\\0";
    else if (c >= 0x20 && c < 0x7f) out += ch;
    else if (c < 0x20 || c === 0x7f || NON_PRINTABLE.test(ch)) out += `\\u{${c.toString(16)}}`;
    else out += ch;
  }
  return `${out}"`;
}

// ---------------------------------------------------------------------------------------------------
// serde's Unexpected and the visitor protocol

export type Unexpected =
  | { readonly k: "bool"; readonly v: boolean }
  | { readonly k: "unsigned"; readonly v: bigint }
  | { readonly k: "signed"; readonly v: bigint }
  | { readonly k: "float"; readonly v: number }
  | { readonly k: "str"; readonly v: string }
  | { readonly k: "unit" | "option" | "seq" | "map" | "enum" | "unit variant" | "newtype struct" };

function unexpectedText(u: Unexpected): string {
  switch (u.k) {
    case "bool":
      return `boolean \`${String(u.v)}\``;
    case "unsigned":
    case "signed":
      return `integer \`${u.v.toString()}\``;
    case "float":
      return `floating point \`${rustF64Display(u.v)}\``;
    case "str":
      return `string ${rustStrDebug(u.v)}`;
    case "unit":
      return "unit value";
    case "option":
      return "Option value";
    case "seq":
      return "sequence";
    case "map":
      return "map";
    case "enum":
      return "enum";
    case "unit variant":
      return "unit variant";
    case "newtype struct":
      return "newtype struct";
  }
}

/** serde_json's `invalid_type` (null is named "null" rather than "unit value"). */
export function invalidType(u: Unexpected, expecting: string): SerdeJsonError {
  if (u.k === "unit") return customError(`invalid type: null, expected ${expecting}`);
  return customError(`invalid type: ${unexpectedText(u)}, expected ${expecting}`);
}

export function invalidValue(u: Unexpected, expecting: string): SerdeJsonError {
  return customError(`invalid value: ${unexpectedText(u)}, expected ${expecting}`);
}

export function invalidLength(len: number, expecting: string): SerdeJsonError {
  return customError(`invalid length ${len}, expected ${expecting}`);
}

export function missingField(name: string): SerdeJsonError {
  return customError(`missing field \`${name}\``);
}

export function duplicateField(name: string): SerdeJsonError {
  return customError(`duplicate field \`${name}\``);
}

function oneOf(names: readonly string[]): string {
  if (names.length === 1) return `\`${names[0]!}\``;
  if (names.length === 2) return `\`${names[0]!}\` or \`${names[1]!}\``;
  return `one of ${names.map((n) => `\`${n}\``).join(", ")}`;
}

export function unknownVariant(variant: string, expected: readonly string[]): SerdeJsonError {
  if (expected.length === 0) return customError(`unknown variant \`${variant}\`, there are no variants`);
  return customError(`unknown variant \`${variant}\`, expected ${oneOf(expected)}`);
}

export function unknownField(field: string, expected: readonly string[]): SerdeJsonError {
  if (expected.length === 0) return customError(`unknown field \`${field}\`, there are no fields`);
  return customError(`unknown field \`${field}\`, expected ${oneOf(expected)}`);
}

/** A serde Visitor. Absent methods answer like serde's defaults: "invalid type: …, expected <expecting>". */
export interface Visitor<T> {
  readonly expecting: string;
  visitBool?(v: boolean): T;
  visitU64?(v: bigint): T;
  visitI64?(v: bigint): T;
  visitF64?(v: number): T;
  visitStr?(v: string): T;
  visitUnit?(): T;
  visitNone?(): T;
  visitSome?(de: JsonDe): T;
  visitSeq?(seq: SeqAccess): T;
  visitMap?(map: MapAccess): T;
  visitEnum?(data: EnumAccess): T;
  visitNewtypeStruct?(de: JsonDe): T;
}

function vBool<T>(v: Visitor<T>, b: boolean): T {
  if (v.visitBool) return v.visitBool(b);
  throw invalidType({ k: "bool", v: b }, v.expecting);
}
function vU64<T>(v: Visitor<T>, n: bigint): T {
  if (v.visitU64) return v.visitU64(n);
  throw invalidType({ k: "unsigned", v: n }, v.expecting);
}
function vI64<T>(v: Visitor<T>, n: bigint): T {
  if (v.visitI64) return v.visitI64(n);
  throw invalidType({ k: "signed", v: n }, v.expecting);
}
function vF64<T>(v: Visitor<T>, n: number): T {
  if (v.visitF64) return v.visitF64(n);
  throw invalidType({ k: "float", v: n }, v.expecting);
}
function vStr<T>(v: Visitor<T>, s: string): T {
  if (v.visitStr) return v.visitStr(s);
  throw invalidType({ k: "str", v: s }, v.expecting);
}
function vUnit<T>(v: Visitor<T>): T {
  if (v.visitUnit) return v.visitUnit();
  throw invalidType({ k: "unit" }, v.expecting);
}
function vNone<T>(v: Visitor<T>): T {
  if (v.visitNone) return v.visitNone();
  throw invalidType({ k: "option" }, v.expecting);
}
function vSome<T>(v: Visitor<T>, de: JsonDe): T {
  if (v.visitSome) return v.visitSome(de);
  throw invalidType({ k: "option" }, v.expecting);
}
function vSeq<T>(v: Visitor<T>, seq: SeqAccess): T {
  if (v.visitSeq) return v.visitSeq(seq);
  throw invalidType({ k: "seq" }, v.expecting);
}
function vMap<T>(v: Visitor<T>, map: MapAccess): T {
  if (v.visitMap) return v.visitMap(map);
  throw invalidType({ k: "map" }, v.expecting);
}
function vEnum<T>(v: Visitor<T>, data: EnumAccess): T {
  if (v.visitEnum) return v.visitEnum(data);
  throw invalidType({ k: "enum" }, v.expecting);
}

/** A value deserializer driven by a JsonDe (serde's `Deserialize` for one type). */
export type Deserialize<T> = (de: JsonDe) => T;

// ---------------------------------------------------------------------------------------------------
// Numbers

type ParserNumber =
  | { readonly k: "u64"; readonly v: bigint }
  | { readonly k: "i64"; readonly v: bigint }
  | { readonly k: "f64"; readonly v: number };

const U64_MAX = (1n << 64n) - 1n;
const POW10: number[] = [];
for (let i = 0; i <= 308; i++) POW10.push(Number(`1e${i}`));

function visitNumber<T>(n: ParserNumber, v: Visitor<T>): T {
  switch (n.k) {
    case "u64":
      return vU64(v, n.v);
    case "i64":
      return vI64(v, n.v);
    case "f64":
      return vF64(v, n.v);
  }
}

function numberInvalidType(n: ParserNumber, expecting: string): SerdeJsonError {
  switch (n.k) {
    case "u64":
      return invalidType({ k: "unsigned", v: n.v }, expecting);
    case "i64":
      return invalidType({ k: "signed", v: n.v }, expecting);
    case "f64":
      return invalidType({ k: "float", v: n.v }, expecting);
  }
}

// ---------------------------------------------------------------------------------------------------
// The reader (Deserializer<SliceRead>)

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

function isEscapeByte(b: number): boolean {
  return b < 0x20 || b === 0x22 || b === 0x5c;
}

function hexVal(b: number): number {
  if (b >= 0x30 && b <= 0x39) return b - 0x30;
  if (b >= 0x41 && b <= 0x46) return b - 0x41 + 10;
  if (b >= 0x61 && b <= 0x66) return b - 0x61 + 10;
  return -1;
}

function isDigit(b: number | undefined): b is number {
  return b !== undefined && b >= 0x30 && b <= 0x39;
}

export class JsonDe {
  private readonly bytes: Uint8Array;
  private index = 0;
  private remainingDepth = 128;

  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
  }

  // --- SliceRead

  private position(i: number): [number, number] {
    let line = 1;
    let column = 0;
    for (let k = 0; k < i; k++) {
      if (this.bytes[k] === 0x0a) {
        line++;
        column = 0;
      } else {
        column++;
      }
    }
    return [line, column];
  }

  peek(): number | undefined {
    return this.index < this.bytes.length ? this.bytes[this.index] : undefined;
  }

  private peekOrNull(): number {
    return this.peek() ?? 0;
  }

  eatChar(): void {
    this.index++;
  }

  private nextChar(): number | undefined {
    if (this.index < this.bytes.length) return this.bytes[this.index++];
    return undefined;
  }

  private nextCharOrNull(): number {
    return this.nextChar() ?? 0;
  }

  /** Error caused by a byte from nextChar(): positioned at the current index. */
  error(code: Code | { readonly message: string }): SerdeJsonError {
    const [line, column] = this.position(this.index);
    return new SerdeJsonError(typeof code === "string" ? CODES[code] : code.message, line, column);
  }

  /** Error caused by a byte from peek(): positioned one further (capped at the end). */
  peekError(code: Code): SerdeJsonError {
    const [line, column] = this.position(Math.min(this.bytes.length, this.index + 1));
    return new SerdeJsonError(CODES[code], line, column);
  }

  /** `fix_position`: an error without a position gets the current one. */
  fixPosition(err: unknown): unknown {
    if (err instanceof SerdeJsonError && err.line === 0) return this.error({ message: err.msg });
    return err;
  }

  parseWhitespace(): number | undefined {
    for (;;) {
      const b = this.peek();
      if (b === 0x20 || b === 0x0a || b === 0x09 || b === 0x0d) this.eatChar();
      else return b;
    }
  }

  /** `Deserializer::end`. */
  end(): void {
    if (this.parseWhitespace() !== undefined) throw this.peekError("TrailingCharacters");
  }

  // --- strings

  private parseStrBytes(validate: boolean): Uint8Array {
    const scratch: number[] = [];
    let start = this.index;
    let copied = false;
    const bytes = this.bytes;
    for (;;) {
      while (this.index < bytes.length && !isEscapeByte(bytes[this.index]!)) this.index++;
      if (this.index === bytes.length) throw this.error("EofWhileParsingString");
      const b = bytes[this.index]!;
      if (b === 0x22) {
        if (!copied) {
          const borrowed = bytes.subarray(start, this.index);
          this.index++;
          return borrowed;
        }
        for (let k = start; k < this.index; k++) scratch.push(bytes[k]!);
        this.index++;
        return Uint8Array.from(scratch);
      }
      if (b === 0x5c) {
        for (let k = start; k < this.index; k++) scratch.push(bytes[k]!);
        copied = true;
        this.index++;
        this.parseEscape(scratch);
        start = this.index;
      } else {
        this.index++;
        if (validate) throw this.error("ControlCharacterWhileParsingString");
      }
    }
  }

  /** `read.parse_str`: the string contents, escapes applied, UTF-8 checked. */
  parseStr(): string {
    const raw = this.parseStrBytes(true);
    try {
      return utf8.decode(raw);
    } catch {
      throw this.error("InvalidUnicodeCodePoint");
    }
  }

  private decodeHexEscape(): number {
    if (this.index + 4 > this.bytes.length) {
      this.index = this.bytes.length;
      throw this.error("EofWhileParsingString");
    }
    let n = 0;
    for (let k = 0; k < 4; k++) {
      const v = hexVal(this.bytes[this.index]!);
      this.index++;
      if (v < 0) throw this.error("InvalidEscape");
      n = (n << 4) + v;
    }
    return n;
  }

  private nextOrEof(): number {
    const b = this.nextChar();
    if (b === undefined) throw this.error("EofWhileParsingString");
    return b;
  }

  /** Returns the code point of a `\u` escape (surrogate pairs combined), checking like serde_json. */
  private parseUnicodeEscape(): number {
    const n = this.decodeHexEscape();
    if (n >= 0xdc00 && n <= 0xdfff) throw this.error("LoneLeadingSurrogateInHexEscape");
    if (n >= 0xd800 && n <= 0xdbff) {
      if (this.nextOrEof() !== 0x5c) throw this.error("UnexpectedEndOfHexEscape");
      if (this.nextOrEof() !== 0x75) throw this.error("UnexpectedEndOfHexEscape");
      const n2 = this.decodeHexEscape();
      if (n2 < 0xdc00 || n2 > 0xdfff) throw this.error("LoneLeadingSurrogateInHexEscape");
      return (((n - 0xd800) << 10) | (n2 - 0xdc00)) + 0x10000;
    }
    return n;
  }

  private parseEscape(scratch: number[]): void {
    const ch = this.nextOrEof();
    switch (ch) {
      case 0x22:
        scratch.push(0x22);
        return;
      case 0x5c:
        scratch.push(0x5c);
        return;
      case 0x2f:
        scratch.push(0x2f);
        return;
      case 0x62:
        scratch.push(0x08);
        return;
      case 0x66:
        scratch.push(0x0c);
        return;
      case 0x6e:
        scratch.push(0x0a);
        return;
      case 0x72:
        scratch.push(0x0d);
        return;
      case 0x74:
        scratch.push(0x09);
        return;
      case 0x75: {
        const cp = this.parseUnicodeEscape();
        for (const b of new TextEncoder().encode(String.fromCodePoint(cp))) scratch.push(b);
        return;
      }
      default:
        throw this.error("InvalidEscape");
    }
  }

  private ignoreStr(): void {
    const bytes = this.bytes;
    for (;;) {
      while (this.index < bytes.length && !isEscapeByte(bytes[this.index]!)) this.index++;
      if (this.index === bytes.length) throw this.error("EofWhileParsingString");
      const b = bytes[this.index]!;
      if (b === 0x22) {
        this.index++;
        return;
      }
      if (b === 0x5c) {
        this.index++;
        const ch = this.nextOrEof();
        if (ch === 0x75) this.parseUnicodeEscape();
        else if (![0x22, 0x5c, 0x2f, 0x62, 0x66, 0x6e, 0x72, 0x74].includes(ch)) throw this.error("InvalidEscape");
      } else {
        throw this.error("ControlCharacterWhileParsingString");
      }
    }
  }

  // --- idents and numbers

  private parseIdent(ident: string): void {
    for (let k = 0; k < ident.length; k++) {
      const next = this.nextChar();
      if (next === undefined) throw this.error("EofWhileParsingValue");
      if (next !== ident.charCodeAt(k)) throw this.error("ExpectedSomeIdent");
    }
  }

  private parseInteger(positive: boolean): ParserNumber {
    const next = this.nextChar();
    if (next === undefined) throw this.error("EofWhileParsingValue");
    if (next === 0x30) {
      if (isDigit(this.peekOrNull())) throw this.peekError("InvalidNumber");
      return this.parseNumber(positive, 0n);
    }
    if (next >= 0x31 && next <= 0x39) {
      let significand = BigInt(next - 0x30);
      for (;;) {
        const c = this.peekOrNull();
        if (!isDigit(c)) return this.parseNumber(positive, significand);
        const digit = BigInt(c - 0x30);
        if (significand * 10n + digit > U64_MAX) {
          return { k: "f64", v: this.parseLongInteger(positive, significand) };
        }
        this.eatChar();
        significand = significand * 10n + digit;
      }
    }
    throw this.error("InvalidNumber");
  }

  private parseNumber(positive: boolean, significand: bigint): ParserNumber {
    const c = this.peekOrNull();
    if (c === 0x2e) return { k: "f64", v: this.parseDecimal(positive, significand, 0) };
    if (c === 0x65 || c === 0x45) return { k: "f64", v: this.parseExponent(positive, significand, 0) };
    if (positive) return { k: "u64", v: significand };
    // (significand as i64).wrapping_neg(); a positive result means it did not fit.
    const asI64 = BigInt.asIntN(64, significand);
    const neg = BigInt.asIntN(64, -asI64);
    if (neg > 0n) return { k: "f64", v: -Number(significand) };
    return { k: "i64", v: neg };
  }

  private parseDecimal(positive: boolean, significand0: bigint, exponent0: number): number {
    this.eatChar();
    let significand = significand0;
    let exponent = exponent0;
    for (;;) {
      const c = this.peekOrNull();
      if (!isDigit(c)) break;
      const digit = BigInt(c - 0x30);
      if (significand * 10n + digit > U64_MAX) return this.parseDecimalOverflow(positive, significand, exponent);
      this.eatChar();
      significand = significand * 10n + digit;
      exponent -= 1;
    }
    if (exponent === 0) {
      if (this.peek() !== undefined) throw this.peekError("InvalidNumber");
      throw this.peekError("EofWhileParsingValue");
    }
    const c = this.peekOrNull();
    if (c === 0x65 || c === 0x45) return this.parseExponent(positive, significand, exponent);
    return this.f64FromParts(positive, significand, exponent);
  }

  private parseExponent(positive: boolean, significand: bigint, startingExp: number): number {
    this.eatChar();
    let positiveExp = true;
    const sign = this.peekOrNull();
    if (sign === 0x2b) this.eatChar();
    else if (sign === 0x2d) {
      this.eatChar();
      positiveExp = false;
    }
    const next = this.nextChar();
    if (next === undefined) throw this.error("EofWhileParsingValue");
    if (!isDigit(next)) throw this.error("InvalidNumber");
    let exp = next - 0x30;
    for (;;) {
      const c = this.peekOrNull();
      if (!isDigit(c)) break;
      this.eatChar();
      const digit = c - 0x30;
      if (exp * 10 + digit > 2147483647) {
        return this.parseExponentOverflow(positive, significand === 0n, positiveExp);
      }
      exp = exp * 10 + digit;
    }
    const finalExp = positiveExp ? saturatingI32(startingExp + exp) : saturatingI32(startingExp - exp);
    return this.f64FromParts(positive, significand, finalExp);
  }

  /** serde_json's non-`float_roundtrip` conversion (multiply or divide by a power of ten). */
  private f64FromParts(positive: boolean, significand: bigint, exponent0: number): number {
    let f = Number(significand);
    let exponent = exponent0;
    for (;;) {
      const pow = POW10[Math.abs(exponent)];
      if (pow !== undefined) {
        if (exponent >= 0) {
          f *= pow;
          if (!Number.isFinite(f)) throw this.error("NumberOutOfRange");
        } else {
          f /= pow;
        }
        break;
      }
      if (f === 0) break;
      if (exponent >= 0) throw this.error("NumberOutOfRange");
      f /= 1e308;
      exponent += 308;
    }
    return positive ? f : -f;
  }

  private parseLongInteger(positive: boolean, significand: bigint): number {
    let exponent = 0;
    for (;;) {
      const c = this.peekOrNull();
      if (isDigit(c)) {
        this.eatChar();
        exponent += 1;
      } else if (c === 0x2e) {
        return this.parseDecimal(positive, significand, exponent);
      } else if (c === 0x65 || c === 0x45) {
        return this.parseExponent(positive, significand, exponent);
      } else {
        return this.f64FromParts(positive, significand, exponent);
      }
    }
  }

  private parseDecimalOverflow(positive: boolean, significand: bigint, exponent: number): number {
    while (isDigit(this.peekOrNull())) this.eatChar();
    const c = this.peekOrNull();
    if (c === 0x65 || c === 0x45) return this.parseExponent(positive, significand, exponent);
    return this.f64FromParts(positive, significand, exponent);
  }

  private parseExponentOverflow(positive: boolean, zeroSignificand: boolean, positiveExp: boolean): number {
    if (!zeroSignificand && positiveExp) throw this.error("NumberOutOfRange");
    while (isDigit(this.peekOrNull())) this.eatChar();
    return positive ? 0 : -0;
  }

  // --- structure

  parseObjectColon(): void {
    const b = this.parseWhitespace();
    if (b === 0x3a) {
      this.eatChar();
      return;
    }
    if (b !== undefined) throw this.peekError("ExpectedColon");
    throw this.peekError("EofWhileParsingObject");
  }

  private endSeq(): void {
    const b = this.parseWhitespace();
    if (b === 0x5d) {
      this.eatChar();
      return;
    }
    if (b === 0x2c) {
      this.eatChar();
      let next: number | undefined;
      try {
        next = this.parseWhitespace();
      } catch {
        next = undefined;
      }
      throw this.peekError(next === 0x5d ? "TrailingComma" : "TrailingCharacters");
    }
    if (b !== undefined) throw this.peekError("TrailingCharacters");
    throw this.peekError("EofWhileParsingList");
  }

  private endMap(): void {
    const b = this.parseWhitespace();
    if (b === 0x7d) {
      this.eatChar();
      return;
    }
    if (b === 0x2c) throw this.peekError("TrailingComma");
    if (b !== undefined) throw this.peekError("TrailingCharacters");
    throw this.peekError("EofWhileParsingObject");
  }

  private enterNested(): void {
    this.remainingDepth -= 1;
    if (this.remainingDepth === 0) throw this.peekError("RecursionLimitExceeded");
  }

  private leaveNested(): void {
    this.remainingDepth += 1;
  }

  /** Runs `visit` between `[`…`]` or `{`…`}` like serde_json: the end is checked even when `visit` failed. */
  private nested<T>(visit: () => T, close: () => void): T {
    this.enterNested();
    this.eatChar();
    let ret: { ok: true; v: T } | { ok: false; e: unknown };
    try {
      ret = { ok: true, v: visit() };
    } catch (e) {
      ret = { ok: false, e };
    }
    this.leaveNested();
    let endErr: unknown;
    let endOk = true;
    try {
      close();
    } catch (e) {
      endOk = false;
      endErr = e;
    }
    if (!ret.ok) throw ret.e;
    if (!endOk) throw endErr;
    return ret.v;
  }

  private withFix<T>(f: () => T): T {
    try {
      return f();
    } catch (e) {
      throw this.fixPosition(e);
    }
  }

  /** `peek_invalid_type`: consumes the offending scalar to report it. */
  private peekInvalidType(expecting: string): unknown {
    const b = this.peekOrNull();
    let err: unknown;
    switch (b) {
      case 0x6e:
        this.eatChar();
        try {
          this.parseIdent("ull");
        } catch (e) {
          return e;
        }
        err = invalidType({ k: "unit" }, expecting);
        break;
      case 0x74:
        this.eatChar();
        try {
          this.parseIdent("rue");
        } catch (e) {
          return e;
        }
        err = invalidType({ k: "bool", v: true }, expecting);
        break;
      case 0x66:
        this.eatChar();
        try {
          this.parseIdent("alse");
        } catch (e) {
          return e;
        }
        err = invalidType({ k: "bool", v: false }, expecting);
        break;
      case 0x2d:
        this.eatChar();
        try {
          err = numberInvalidType(this.parseInteger(false), expecting);
        } catch (e) {
          return e;
        }
        break;
      case 0x22:
        this.eatChar();
        try {
          err = invalidType({ k: "str", v: this.parseStr() }, expecting);
        } catch (e) {
          return e;
        }
        break;
      case 0x5b:
        err = invalidType({ k: "seq" }, expecting);
        break;
      case 0x7b:
        err = invalidType({ k: "map" }, expecting);
        break;
      default:
        if (isDigit(b)) {
          try {
            err = numberInvalidType(this.parseInteger(true), expecting);
          } catch (e) {
            return e;
          }
          break;
        }
        err = this.peekError("ExpectedSomeValue");
    }
    return this.fixPosition(err);
  }

  // --- the Deserializer methods

  deserializeAny<T>(v: Visitor<T>): T {
    const peek = this.parseWhitespace();
    if (peek === undefined) throw this.peekError("EofWhileParsingValue");
    return this.withFix(() => {
      switch (peek) {
        case 0x6e:
          this.eatChar();
          this.parseIdent("ull");
          return vUnit(v);
        case 0x74:
          this.eatChar();
          this.parseIdent("rue");
          return vBool(v, true);
        case 0x66:
          this.eatChar();
          this.parseIdent("alse");
          return vBool(v, false);
        case 0x2d:
          this.eatChar();
          return visitNumber(this.parseInteger(false), v);
        case 0x22:
          this.eatChar();
          return vStr(v, this.parseStr());
        case 0x5b:
          return this.nested(
            () => vSeq(v, new SeqAccess(this)),
            () => this.endSeq(),
          );
        case 0x7b:
          return this.nested(
            () => vMap(v, new MapAccess(this)),
            () => this.endMap(),
          );
        default:
          if (isDigit(peek)) return visitNumber(this.parseInteger(true), v);
          throw this.peekError("ExpectedSomeValue");
      }
    });
  }

  deserializeStr<T>(v: Visitor<T>): T {
    const peek = this.parseWhitespace();
    if (peek === undefined) throw this.peekError("EofWhileParsingValue");
    if (peek !== 0x22) throw this.peekInvalidType(v.expecting);
    return this.withFix(() => {
      this.eatChar();
      return vStr(v, this.parseStr());
    });
  }

  deserializeOption<T>(v: Visitor<T>): T {
    if (this.parseWhitespace() === 0x6e) {
      this.eatChar();
      this.parseIdent("ull");
      return vNone(v);
    }
    return vSome(v, this);
  }

  deserializeUnit<T>(v: Visitor<T>): T {
    const peek = this.parseWhitespace();
    if (peek === undefined) throw this.peekError("EofWhileParsingValue");
    if (peek !== 0x6e) throw this.peekInvalidType(v.expecting);
    return this.withFix(() => {
      this.eatChar();
      this.parseIdent("ull");
      return vUnit(v);
    });
  }

  deserializeNewtypeStruct<T>(v: Visitor<T>): T {
    if (v.visitNewtypeStruct) return v.visitNewtypeStruct(this);
    throw invalidType({ k: "newtype struct" }, v.expecting);
  }

  deserializeSeq<T>(v: Visitor<T>): T {
    const peek = this.parseWhitespace();
    if (peek === undefined) throw this.peekError("EofWhileParsingValue");
    if (peek !== 0x5b) throw this.peekInvalidType(v.expecting);
    return this.withFix(() =>
      this.nested(
        () => vSeq(v, new SeqAccess(this)),
        () => this.endSeq(),
      ),
    );
  }

  deserializeStruct<T>(v: Visitor<T>): T {
    const peek = this.parseWhitespace();
    if (peek === undefined) throw this.peekError("EofWhileParsingValue");
    if (peek === 0x5b) {
      return this.withFix(() =>
        this.nested(
          () => vSeq(v, new SeqAccess(this)),
          () => this.endSeq(),
        ),
      );
    }
    if (peek === 0x7b) {
      return this.withFix(() =>
        this.nested(
          () => vMap(v, new MapAccess(this)),
          () => this.endMap(),
        ),
      );
    }
    throw this.peekInvalidType(v.expecting);
  }

  deserializeEnum<T>(v: Visitor<T>): T {
    const peek = this.parseWhitespace();
    if (peek === 0x7b) {
      this.enterNested();
      this.eatChar();
      const value = vEnum(v, new VariantAccess(this));
      this.leaveNested();
      const b = this.parseWhitespace();
      if (b === 0x7d) {
        this.eatChar();
        return value;
      }
      if (b !== undefined) throw this.error("ExpectedSomeValue");
      throw this.error("EofWhileParsingObject");
    }
    if (peek === 0x22) return vEnum(v, new UnitVariantAccess(this));
    if (peek !== undefined) throw this.peekError("ExpectedSomeValue");
    throw this.peekError("EofWhileParsingValue");
  }

  /** `deserialize_identifier` (= `deserialize_str`). */
  deserializeIdentifier<T>(v: Visitor<T>): T {
    return this.deserializeStr(v);
  }

  /** `deserialize_ignored_any`: skips one value, checking its syntax. */
  deserializeIgnoredAny(): void {
    this.ignoreValue();
  }

  private ignoreValue(): void {
    const stack: number[] = [];
    let enclosing: number | undefined;
    for (;;) {
      const peek = this.parseWhitespace();
      if (peek === undefined) throw this.peekError("EofWhileParsingValue");
      let frame: number | undefined;
      switch (peek) {
        case 0x6e:
          this.eatChar();
          this.parseIdent("ull");
          break;
        case 0x74:
          this.eatChar();
          this.parseIdent("rue");
          break;
        case 0x66:
          this.eatChar();
          this.parseIdent("alse");
          break;
        case 0x2d:
          this.eatChar();
          this.ignoreInteger();
          break;
        case 0x22:
          this.eatChar();
          this.ignoreStr();
          break;
        case 0x5b:
        case 0x7b:
          // `scratch.extend(enclosing.take())`; `enclosing` is set again before it is next read.
          if (enclosing !== undefined) stack.push(enclosing);
          this.eatChar();
          frame = peek;
          break;
        default:
          if (isDigit(peek)) {
            this.ignoreInteger();
            break;
          }
          throw this.peekError("ExpectedSomeValue");
      }

      let acceptComma: boolean;
      let current: number;
      if (frame !== undefined) {
        acceptComma = false;
        current = frame;
      } else if (enclosing !== undefined) {
        acceptComma = true;
        current = enclosing;
      } else {
        const popped = stack.pop();
        if (popped === undefined) return;
        acceptComma = true;
        current = popped;
      }

      for (;;) {
        const b = this.parseWhitespace();
        if (b === 0x2c && acceptComma) {
          this.eatChar();
          break;
        } else if (b === 0x5d && current === 0x5b) {
          // closes the frame
        } else if (b === 0x7d && current === 0x7b) {
          // closes the frame
        } else if (b !== undefined) {
          if (acceptComma)
            throw this.peekError(current === 0x5b ? "ExpectedListCommaOrEnd" : "ExpectedObjectCommaOrEnd");
          break;
        } else {
          throw this.peekError(current === 0x5b ? "EofWhileParsingList" : "EofWhileParsingObject");
        }
        this.eatChar();
        const popped = stack.pop();
        if (popped === undefined) return;
        current = popped;
        acceptComma = true;
      }

      if (current === 0x7b) {
        const b = this.parseWhitespace();
        if (b === 0x22) this.eatChar();
        else if (b !== undefined) throw this.peekError("KeyMustBeAString");
        else throw this.peekError("EofWhileParsingObject");
        this.ignoreStr();
        const c = this.parseWhitespace();
        if (c === 0x3a) this.eatChar();
        else if (c !== undefined) throw this.peekError("ExpectedColon");
        else throw this.peekError("EofWhileParsingObject");
      }
      enclosing = current;
    }
  }

  private ignoreInteger(): void {
    const c = this.nextCharOrNull();
    if (c === 0x30) {
      if (isDigit(this.peekOrNull())) throw this.peekError("InvalidNumber");
    } else if (c >= 0x31 && c <= 0x39) {
      while (isDigit(this.peekOrNull())) this.eatChar();
    } else {
      throw this.error("InvalidNumber");
    }
    const n = this.peekOrNull();
    if (n === 0x2e) this.ignoreDecimal();
    else if (n === 0x65 || n === 0x45) this.ignoreExponent();
  }

  private ignoreDecimal(): void {
    this.eatChar();
    let atLeastOne = false;
    while (isDigit(this.peekOrNull())) {
      this.eatChar();
      atLeastOne = true;
    }
    if (!atLeastOne) throw this.peekError("InvalidNumber");
    const n = this.peekOrNull();
    if (n === 0x65 || n === 0x45) this.ignoreExponent();
  }

  private ignoreExponent(): void {
    this.eatChar();
    const s = this.peekOrNull();
    if (s === 0x2b || s === 0x2d) this.eatChar();
    if (!isDigit(this.nextCharOrNull())) throw this.error("InvalidNumber");
    while (isDigit(this.peekOrNull())) this.eatChar();
  }
}

function saturatingI32(n: number): number {
  return Math.max(-2147483648, Math.min(2147483647, n));
}

export class SeqAccess {
  private first = true;
  constructor(private readonly de: JsonDe) {}

  /** `next_element_seed`: undefined at the end of the list. */
  nextElement<T>(seed: Deserialize<T>): { value: T } | undefined {
    const de = this.de;
    let peek = de.parseWhitespace();
    if (peek === 0x5d) return undefined;
    if (peek === 0x2c && !this.first) {
      de.eatChar();
      peek = de.parseWhitespace();
    } else if (peek !== undefined) {
      if (this.first) this.first = false;
      else throw de.peekError("ExpectedListCommaOrEnd");
    } else {
      throw de.peekError("EofWhileParsingList");
    }
    if (peek === 0x5d) throw de.peekError("TrailingComma");
    if (peek === undefined) throw de.peekError("EofWhileParsingValue");
    return { value: seed(de) };
  }
}

export class MapAccess {
  private first = true;
  constructor(private readonly de: JsonDe) {}

  /** `next_key_seed` with a string key (MapKey: the key is always read as a string). */
  nextKey(): string | undefined {
    const de = this.de;
    let peek = de.parseWhitespace();
    if (peek === 0x7d) return undefined;
    if (peek === 0x2c && !this.first) {
      de.eatChar();
      peek = de.parseWhitespace();
    } else if (peek !== undefined) {
      if (this.first) this.first = false;
      else throw de.peekError("ExpectedObjectCommaOrEnd");
    } else {
      throw de.peekError("EofWhileParsingObject");
    }
    if (peek === 0x22) {
      de.eatChar();
      return de.parseStr();
    }
    if (peek === 0x7d) throw de.peekError("TrailingComma");
    if (peek !== undefined) throw de.peekError("KeyMustBeAString");
    throw de.peekError("EofWhileParsingValue");
  }

  /** `next_value_seed`. */
  nextValue<T>(seed: Deserialize<T>): T {
    this.de.parseObjectColon();
    return seed(this.de);
  }
}

/** serde's EnumAccess + VariantAccess for one enum value. */
export interface EnumAccess {
  /** Reads the variant name (deserialize_identifier with the given visitor). */
  variant<T>(identifier: Visitor<T>): T;
  unitVariant(): void;
  newtypeVariant<T>(seed: Deserialize<T>): T;
  structVariant<T>(v: Visitor<T>): T;
}

class VariantAccess implements EnumAccess {
  constructor(private readonly de: JsonDe) {}
  variant<T>(identifier: Visitor<T>): T {
    const val = this.de.deserializeIdentifier(identifier);
    this.de.parseObjectColon();
    return val;
  }
  unitVariant(): void {
    // `()`'s Deserialize: deserialize_unit (only `null`).
    this.de.deserializeUnit({ expecting: "unit", visitUnit: () => undefined });
  }
  newtypeVariant<T>(seed: Deserialize<T>): T {
    return seed(this.de);
  }
  structVariant<T>(v: Visitor<T>): T {
    return this.de.deserializeStruct(v);
  }
}

class UnitVariantAccess implements EnumAccess {
  constructor(private readonly de: JsonDe) {}
  variant<T>(identifier: Visitor<T>): T {
    return this.de.deserializeIdentifier(identifier);
  }
  unitVariant(): void {}
  newtypeVariant<T>(_seed: Deserialize<T>): T {
    throw invalidType({ k: "unit variant" }, "newtype variant");
  }
  structVariant<T>(_v: Visitor<T>): T {
    throw invalidType({ k: "unit variant" }, "struct variant");
  }
}

// ---------------------------------------------------------------------------------------------------
// Content: deserialize_any into a tree (serde's private `Content`), keeping duplicate keys and order

export type Content =
  | { readonly t: "unit" }
  | { readonly t: "bool"; readonly v: boolean }
  | { readonly t: "u64"; readonly v: bigint }
  | { readonly t: "i64"; readonly v: bigint }
  | { readonly t: "f64"; readonly v: number }
  | { readonly t: "str"; readonly v: string }
  | { readonly t: "seq"; readonly v: readonly Content[] }
  | { readonly t: "map"; readonly v: readonly (readonly [string, Content])[] };

const CONTENT_VISITOR: Visitor<Content> = {
  expecting: "any value",
  visitBool: (v) => ({ t: "bool", v }),
  visitU64: (v) => ({ t: "u64", v }),
  visitI64: (v) => ({ t: "i64", v }),
  visitF64: (v) => ({ t: "f64", v }),
  visitStr: (v) => ({ t: "str", v }),
  visitUnit: () => ({ t: "unit" }),
  visitSeq: (seq) => {
    const out: Content[] = [];
    for (;;) {
      const e = seq.nextElement(deserializeContent);
      if (e === undefined) return { t: "seq", v: out };
      out.push(e.value);
    }
  },
  visitMap: (map) => {
    const out: (readonly [string, Content])[] = [];
    for (;;) {
      const k = map.nextKey();
      if (k === undefined) return { t: "map", v: out };
      out.push([k, map.nextValue(deserializeContent)]);
    }
  },
};

export function deserializeContent(de: JsonDe): Content {
  return de.deserializeAny(CONTENT_VISITOR);
}

/** `serde_json::from_slice` into Content (any JSON value, whole input). Throws SerdeJsonError. */
export function parseContent(bytes: Uint8Array): Content {
  const de = new JsonDe(bytes);
  const value = deserializeContent(de);
  de.end();
  return value;
}

// ---------------------------------------------------------------------------------------------------
// serde_json::Value re-serialisation (BTreeMap objects: keys sorted by bytes, the last duplicate wins)

function compareUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

/** ryu's shortest formatting as serde_json writes f64 (`1.0`, `1e21`, `1.5e-7`). */
export function ryuFormat(x: number): string {
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const neg = x < 0;
  const [mant, expText] = Math.abs(x).toExponential().split("e") as [string, string];
  const digits = mant.replace(".", "");
  const length = digits.length;
  const k = Number(expText) - (length - 1); // value = digits × 10^k
  const kk = length + k;
  let out: string;
  if (k >= 0 && kk <= 16) {
    out = `${digits}${"0".repeat(k)}.0`;
  } else if (kk > 0 && kk <= 16) {
    out = `${digits.slice(0, kk)}.${digits.slice(kk)}`;
  } else if (kk > -5 && kk <= 0) {
    out = `0.${"0".repeat(-kk)}${digits}`;
  } else if (length === 1) {
    out = `${digits}e${kk - 1}`;
  } else {
    out = `${digits[0]!}.${digits.slice(1)}e${kk - 1}`;
  }
  return neg ? `-${out}` : out;
}

/** Serialises Content as `serde_json::to_vec(&Value)` would after parsing it into a Value. */
export function contentToValueJson(c: Content): string {
  switch (c.t) {
    case "unit":
      return "null";
    case "bool":
      return c.v ? "true" : "false";
    case "u64":
    case "i64":
      return c.v.toString();
    case "f64":
      return Number.isFinite(c.v) ? ryuFormat(c.v) : "null";
    case "str":
      return JSON.stringify(c.v);
    case "seq":
      return `[${c.v.map(contentToValueJson).join(",")}]`;
    case "map": {
      const merged = new Map<string, Content>();
      for (const [k, v] of c.v) merged.set(k, v);
      const keys = [...merged.keys()].sort(compareUtf8);
      return `{${keys.map((k) => `${JSON.stringify(k)}:${contentToValueJson(merged.get(k)!)}`).join(",")}}`;
    }
  }
}
