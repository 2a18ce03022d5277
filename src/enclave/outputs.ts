/**
 * Output encryption (crypto.md §5), callback signatures (§6.1), reply ids and reply signatures (§5.6),
 * and the enclave-side decryption of replies and of contract-to-contract query answers (§5.5, §5.6).
 *
 * Upstream: `cosmwasm/enclaves/shared/contract-engine/src/{io,reply_message,query_chain}.rs`.
 *
 * Every function takes the message's `tx_key` (see `io.ts`); none of them looks at the contract's
 * output JSON as a whole, which is the engine's job. The JSON model below (`SerdeValue`) reproduces
 * serde_json's parsing and compact serialization so that `J(v)` is byte-exact (§5).
 */
import { concatBytes, utf8Decode, utf8Encode } from "../primitives/bytes.ts";
import { fromBase64, toBase64 } from "../primitives/base64.ts";
import { constantTimeEqual, sha256 } from "../crypto/index.ts";
import { EnclaveError, requireLength } from "./errors.ts";
import { REPLY_ENCRYPTION_MAGIC_BYTES } from "./keys.ts";
import {
  CODE_HASH_HEX_LENGTH,
  encodeReplyHeader,
  encryptEnvelopeInContext,
  IO_NONCE_LENGTH,
  IO_PUBKEY_LENGTH,
  ioDecrypt,
  ioEncrypt,
  MIN_ENVELOPE_LENGTH,
  parseReplyHeaders,
  splitCodeHash,
  type IoContext,
  type ReplyParam,
} from "./io.ts";

// ===================================================================================================
// serde_json-compatible JSON values

/** A JSON number as serde_json holds it: an unsigned or signed 64-bit integer, or a finite f64. */
export class SerdeNumber {
  private constructor(
    readonly kind: "u64" | "i64" | "f64",
    readonly value: bigint | number,
  ) {}

  static u64(v: bigint): SerdeNumber {
    if (v < 0n || v > U64_MAX) throw new RangeError("u64 out of range");
    return new SerdeNumber("u64", v);
  }

  static i64(v: bigint): SerdeNumber {
    if (v < I64_MIN || v > I64_MAX) throw new RangeError("i64 out of range");
    return new SerdeNumber("i64", v);
  }

  static f64(v: number): SerdeNumber {
    return new SerdeNumber("f64", v);
  }

  /** serde_json's text: integers in decimal, floats as `ryu::format_finite`, non-finite as `null`. */
  toJsonText(): string {
    if (this.kind !== "f64") return (this.value as bigint).toString();
    return formatF64(this.value as number);
  }
}

const U64_MAX = (1n << 64n) - 1n;
const I64_MIN = -(1n << 63n);
const I64_MAX = (1n << 63n) - 1n;

/**
 * A JSON value. Objects may be a `Map` (what `parseSerdeJson` returns; safe for any key, including
 * `__proto__`) or a plain object. JS `number`s are taken as integers when integral and within
 * [-2^63, 2^64), else as f64; use `parseSerdeJson` to keep serde_json's exact reading of a text.
 */
export type SerdeValue =
  | null
  | boolean
  | string
  | number
  | bigint
  | SerdeNumber
  | readonly SerdeValue[]
  | ReadonlyMap<string, SerdeValue>
  | { readonly [key: string]: SerdeValue };

/** serde_json's recursion limit: 128 levels of remaining depth, so 127 nested arrays/objects parse. */
const SERDE_RECURSION_LIMIT = 128;

/**
 * Parses JSON as `serde_json::from_slice::<Value>` does: strict grammar, UTF-8 only, no control
 * characters in strings, lone surrogates refused, numbers as u64 / i64 / f64 by serde's rules, later
 * duplicate keys win, nesting limited to 127 levels, trailing whitespace only. FAILED_TO_DESERIALIZE on
 * any violation.
 */
export function parseSerdeJson(input: Uint8Array | string): SerdeValue {
  let text: string;
  if (typeof input === "string") {
    if (!isWellFormedUtf16(input)) throw deserializeError("lone surrogate");
    text = input;
  } else {
    try {
      text = utf8Decode(input);
    } catch {
      throw deserializeError("invalid UTF-8");
    }
  }
  const parser = new SerdeParser(text);
  const value = parser.parseValue(SERDE_RECURSION_LIMIT);
  parser.skipWhitespace();
  if (parser.pos !== text.length) throw deserializeError("trailing characters");
  return value;
}

function deserializeError(reason: string): EnclaveError {
  return new EnclaveError("FAILED_TO_DESERIALIZE", { reason });
}

function isWellFormedUtf16(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (!(d >= 0xdc00 && d <= 0xdfff)) return false;
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      return false;
    }
  }
  return true;
}

class SerdeParser {
  pos = 0;
  constructor(private readonly text: string) {}

  skipWhitespace(): void {
    const t = this.text;
    while (this.pos < t.length) {
      const c = t.charCodeAt(this.pos);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) this.pos++;
      else break;
    }
  }

  parseValue(remainingDepth: number): SerdeValue {
    this.skipWhitespace();
    const t = this.text;
    if (this.pos >= t.length) throw deserializeError("EOF while parsing a value");
    const c = t[this.pos]!;
    switch (c) {
      case "n":
        return this.literal("null", null);
      case "t":
        return this.literal("true", true);
      case "f":
        return this.literal("false", false);
      case '"':
        return this.parseString();
      case "[":
        return this.parseArray(remainingDepth - 1);
      case "{":
        return this.parseObject(remainingDepth - 1);
      default:
        if (c === "-" || (c >= "0" && c <= "9")) return this.parseNumber();
        throw deserializeError("expected value");
    }
  }

  private literal<T extends SerdeValue>(word: string, value: T): T {
    if (!this.text.startsWith(word, this.pos)) throw deserializeError("expected value");
    this.pos += word.length;
    return value;
  }

  private parseNumber(): SerdeNumber {
    const t = this.text;
    const start = this.pos;
    const isDigit = (i: number): boolean => {
      const c = t.charCodeAt(i);
      return c >= 0x30 && c <= 0x39;
    };
    if (t[this.pos] === "-") this.pos++;
    if (t[this.pos] === "0") {
      this.pos++;
      if (isDigit(this.pos)) throw deserializeError("invalid number"); // serde: only one leading zero
    } else if (isDigit(this.pos)) {
      while (isDigit(this.pos)) this.pos++;
    } else {
      throw deserializeError("invalid number");
    }
    let isFloat = false;
    if (t[this.pos] === ".") {
      isFloat = true;
      this.pos++;
      if (!isDigit(this.pos)) throw deserializeError("invalid number");
      while (isDigit(this.pos)) this.pos++;
    }
    if (t[this.pos] === "e" || t[this.pos] === "E") {
      isFloat = true;
      this.pos++;
      if (t[this.pos] === "+" || t[this.pos] === "-") this.pos++;
      if (!isDigit(this.pos)) throw deserializeError("invalid number");
      while (isDigit(this.pos)) this.pos++;
    }
    const literal = t.slice(start, this.pos);
    if (!isFloat) {
      const negative = literal.startsWith("-");
      const magnitude = BigInt(negative ? literal.slice(1) : literal);
      if (magnitude <= U64_MAX) {
        if (!negative) return SerdeNumber.u64(magnitude);
        if (magnitude !== 0n && magnitude <= 1n << 63n) return SerdeNumber.i64(-magnitude);
      }
      // serde_json reads overflowing integers and "-0" as f64.
    }
    const f = Number(literal);
    if (!Number.isFinite(f)) throw deserializeError("number out of range");
    return SerdeNumber.f64(f);
  }

  private parseString(): string {
    const t = this.text;
    this.pos++; // opening quote
    let out = "";
    let runStart = this.pos;
    while (true) {
      if (this.pos >= t.length) throw deserializeError("EOF while parsing a string");
      const c = t.charCodeAt(this.pos);
      if (c === 0x22) {
        out += t.slice(runStart, this.pos);
        this.pos++;
        return out;
      }
      if (c < 0x20) throw deserializeError("control character in string");
      if (c !== 0x5c) {
        this.pos++;
        continue;
      }
      out += t.slice(runStart, this.pos);
      this.pos++;
      const e = t[this.pos];
      this.pos++;
      switch (e) {
        case '"':
          out += '"';
          break;
        case "\\":
          out += "\\";
          break;
        case "/":
          out += "/";
          break;
        case "b":
          out += "\b";
          break;
        case "f":
          out += "\f";
          break;
        case "n":
          out += "\n";
          break;
        case "r":
          out += "\r";
          break;
        case "t":
          out += "\t";
          break;
        case "u": {
          const unit = this.hex4();
          if (unit >= 0xdc00 && unit <= 0xdfff) throw deserializeError("lone trailing surrogate");
          if (unit >= 0xd800 && unit <= 0xdbff) {
            if (t[this.pos] !== "\\" || t[this.pos + 1] !== "u") throw deserializeError("lone leading surrogate");
            this.pos += 2;
            const low = this.hex4();
            if (!(low >= 0xdc00 && low <= 0xdfff)) throw deserializeError("lone leading surrogate");
            out += String.fromCharCode(unit, low);
          } else {
            out += String.fromCharCode(unit);
          }
          break;
        }
        default:
          throw deserializeError("invalid escape");
      }
      runStart = this.pos;
    }
  }

  private hex4(): number {
    const digits = this.text.slice(this.pos, this.pos + 4);
    if (!/^[0-9a-fA-F]{4}$/.test(digits)) throw deserializeError("invalid \\u escape");
    this.pos += 4;
    return parseInt(digits, 16);
  }

  private parseArray(remainingDepth: number): SerdeValue[] {
    if (remainingDepth === 0) throw deserializeError("recursion limit exceeded");
    this.pos++; // [
    const out: SerdeValue[] = [];
    this.skipWhitespace();
    if (this.text[this.pos] === "]") {
      this.pos++;
      return out;
    }
    while (true) {
      out.push(this.parseValue(remainingDepth));
      this.skipWhitespace();
      const c = this.text[this.pos];
      this.pos++;
      if (c === "]") return out;
      if (c !== ",") throw deserializeError("expected `,` or `]`");
    }
  }

  private parseObject(remainingDepth: number): Map<string, SerdeValue> {
    if (remainingDepth === 0) throw deserializeError("recursion limit exceeded");
    this.pos++; // {
    const out = new Map<string, SerdeValue>();
    this.skipWhitespace();
    if (this.text[this.pos] === "}") {
      this.pos++;
      return out;
    }
    while (true) {
      this.skipWhitespace();
      if (this.text[this.pos] !== '"') throw deserializeError("key must be a string");
      const key = this.parseString();
      this.skipWhitespace();
      if (this.text[this.pos] !== ":") throw deserializeError("expected `:`");
      this.pos++;
      out.set(key, this.parseValue(remainingDepth));
      this.skipWhitespace();
      const c = this.text[this.pos];
      this.pos++;
      if (c === "}") return out;
      if (c !== ",") throw deserializeError("expected `,` or `}`");
    }
  }
}

/** `ryu::Buffer::format_finite` (what serde_json writes for an f64); `null` for NaN and infinities. */
function formatF64(v: number): string {
  if (!Number.isFinite(v)) return "null";
  if (v === 0) return Object.is(v, -0) ? "-0.0" : "0.0";
  const sign = v < 0 ? "-" : "";
  // toExponential() without an argument gives the shortest round-tripping digits, like ryu.
  const [mant, expText] = Math.abs(v).toExponential().split("e") as [string, string];
  const digits = mant.replace(".", "");
  const length = digits.length;
  const kk = Number(expText) + 1; // 10^(kk-1) <= |v| < 10^kk
  const k = kk - length; // |v| = digits × 10^k
  let body: string;
  if (k >= 0 && kk <= 16) body = `${digits}${"0".repeat(k)}.0`;
  else if (kk > 0 && kk <= 16) body = `${digits.slice(0, kk)}.${digits.slice(kk)}`;
  else if (kk > -5 && kk <= 0) body = `0.${"0".repeat(-kk)}${digits}`;
  else if (length === 1) body = `${digits}e${kk - 1}`;
  else body = `${digits[0]!}.${digits.slice(1)}e${kk - 1}`;
  return sign + body;
}

/** serde_json's string escaping: `\"`, `\\`, `\b \f \n \r \t`, other controls as `\u00xx`, the rest raw. */
export function serdeJsonString(s: string): string {
  if (!isWellFormedUtf16(s)) throw new EnclaveError("FAILED_TO_SERIALIZE", { reason: "lone surrogate" });
  let out = '"';
  let runStart = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let esc: string | undefined;
    if (c === 0x22) esc = '\\"';
    else if (c === 0x5c) esc = "\\\\";
    else if (c < 0x20) {
      if (c === 0x08) esc = "\\b";
      else if (c === 0x0c) esc = "\\f";
      else if (c === 0x0a) esc = "\\n";
      else if (c === 0x0d) esc = "\\r";
      else if (c === 0x09) esc = "\\t";
      else esc = `\\u00${c.toString(16).padStart(2, "0")}`;
    }
    if (esc !== undefined) {
      out += s.slice(runStart, i) + esc;
      runStart = i + 1;
    }
  }
  return `${out}${s.slice(runStart)}"`;
}

/** Orders strings by code point (= UTF-8 byte order, Rust's `String` order), not by UTF-16 unit. */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800) x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
    if (y >= 0xd800) y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    return x - y;
  }
  return a.length - b.length;
}

function jsNumberText(n: number): string {
  if (Number.isInteger(n) && !Object.is(n, -0) && n >= -(2 ** 63) && n < 2 ** 64) return BigInt(n).toString();
  return formatF64(n);
}

/**
 * Compact serde_json serialization of a generic `Value`: object keys sorted by code point at every
 * level (serde_json's `Map` is a `BTreeMap`), no whitespace, serde's escaping and number formatting.
 */
export function serdeJsonStringify(value: SerdeValue): string {
  return writeValue(value, 0);
}

function writeValue(value: SerdeValue, depth: number): string {
  if (depth > 1000) throw new EnclaveError("FAILED_TO_SERIALIZE", { reason: "too deep" });
  if (value === null) return "null";
  switch (typeof value) {
    case "boolean":
      return value ? "true" : "false";
    case "string":
      return serdeJsonString(value);
    case "number":
      return jsNumberText(value);
    case "bigint":
      if (value < I64_MIN || value > U64_MAX)
        throw new EnclaveError("FAILED_TO_SERIALIZE", { reason: "integer range" });
      return value.toString();
    case "object":
      break;
    default:
      throw new EnclaveError("FAILED_TO_SERIALIZE", { reason: `unsupported ${typeof value}` });
  }
  if (value instanceof SerdeNumber) return value.toJsonText();
  if (Array.isArray(value)) {
    return `[${(value as readonly SerdeValue[]).map((v) => writeValue(v, depth + 1)).join(",")}]`;
  }
  const entries: [string, SerdeValue][] =
    value instanceof Map
      ? [...(value as ReadonlyMap<string, SerdeValue>).entries()]
      : Object.entries(value as { readonly [key: string]: SerdeValue });
  entries.sort((a, b) => compareCodePoints(a[0], b[0]));
  return `{${entries.map(([k, v]) => `${serdeJsonString(k)}:${writeValue(v, depth + 1)}`).join(",")}}`;
}

/**
 * `J(v)` (§5): compact serde_json of `v`, then ALL leading and ALL trailing `"` removed
 * (`io.rs` `encrypt_serializable`: `trim_start_matches('"').trim_end_matches('"')`).
 */
export function errorText(value: SerdeValue): string {
  return trimQuotes(serdeJsonStringify(value));
}

function trimQuotes(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && s.charCodeAt(start) === 0x22) start++;
  while (end > start && s.charCodeAt(end - 1) === 0x22) end--;
  return s.slice(start, end);
}

// ===================================================================================================
// Output encryption (§5.1, §5.3)

/**
 * The optional `Hr` prefix: `reply_params[0].codeHash` when this call is a wasm sub-message whose
 * caller wants a reply (§5.6). Pass the reply params as parsed from the input, or undefined.
 */
function replyPrefix(replyParams: readonly ReplyParam[] | undefined): Uint8Array {
  if (replyParams === undefined || replyParams.length === 0) return new Uint8Array(0);
  return replyParams[0]!.codeHash;
}

/**
 * Encrypts `data` of init/execute/migrate (and an IBC acknowledgement): `Eraw([Hr ‖] ASCII(b64(data)))`,
 * returned as the raw bytes that go into the response's `data` field (§5.1).
 */
export function encryptData(txKey: Uint8Array, data: Uint8Array, replyParams?: readonly ReplyParam[]): Uint8Array {
  return ioEncrypt(txKey, concatBytes(replyPrefix(replyParams), utf8Encode(toBase64(data))));
}

/**
 * Encrypts a query answer, the string of the contract's `{"Ok":"<b64>"}`: `Eraw(J(answer))`. For a
 * base64 answer `J` is the text itself. Returns the raw bytes of `QuerySecretContractResponse.data`.
 */
export function encryptQueryAnswer(txKey: Uint8Array, answer: string): Uint8Array {
  return ioEncrypt(txKey, utf8Encode(errorText(answer)));
}

/** A contract attribute (v0.10 `LogAttribute`, v1 `Attribute`); `encrypted` defaults to true. */
export interface OutputAttribute {
  readonly key: string;
  readonly value: string;
  readonly encrypted?: boolean;
}

/** `E(s) = b64(Eraw(UTF8(s)))` — attribute keys and values (§5.1). Never prefixed with `Hr`. */
export function encryptString(txKey: Uint8Array, s: string): string {
  return toBase64(ioEncrypt(txKey, utf8Encode(s)));
}

/**
 * Encrypts one attribute: key and value separately when `encrypted !== false`, else unchanged. The
 * result carries no `encrypted` flag (it is read on input, never written on output, §5.2).
 */
export function encryptAttribute(txKey: Uint8Array, attr: OutputAttribute): { key: string; value: string } {
  if (attr.encrypted === false) return { key: attr.key, value: attr.value };
  return { key: encryptString(txKey, attr.key), value: encryptString(txKey, attr.value) };
}

/**
 * Encrypts a list of attributes. `allPlaintext` is the plaintext-execute case of §4.4 (every attribute
 * becomes plaintext, `set_all_logs_to_plaintext`).
 */
export function encryptAttributes(
  txKey: Uint8Array,
  attrs: readonly OutputAttribute[],
  options: { readonly allPlaintext?: boolean } = {},
): { key: string; value: string }[] {
  return attrs.map((a) =>
    options.allPlaintext === true ? { key: a.key, value: a.value } : encryptAttribute(txKey, a),
  );
}

export interface EncryptedError {
  /** `E([Hr ‖] J(err))`. */
  readonly b64: string;
  /** `{"generic_err":{"msg":"<b64>"}}` as compact JSON text (what replaces the contract's error). */
  readonly json: string;
}

/**
 * Encrypts a contract error (§5.3): `E([Hr ‖] J(err))`, wrapped as `{"generic_err":{"msg":"<b64>"}}`.
 * `err` is the error value the contract returned (v0.10: the StdError JSON; v1: the error string).
 */
export function encryptError(txKey: Uint8Array, err: SerdeValue, replyParams?: readonly ReplyParam[]): EncryptedError {
  const plaintext = concatBytes(replyPrefix(replyParams), utf8Encode(errorText(err)));
  const b64 = toBase64(ioEncrypt(txKey, plaintext));
  return { b64, json: genericErrJson(b64) };
}

/** `{"generic_err":{"msg":<msg>}}`, compact (`io.rs` `format_generic_error_message`). */
export function genericErrJson(msg: string): string {
  return `{"generic_err":{"msg":${serdeJsonString(msg)}}}`;
}

// ===================================================================================================
// Callback signatures (§6.1)

/** A coin as the v0.10 `Coin` type: denom and an unsigned 128-bit amount (string or bigint). */
export interface CallbackCoin {
  readonly denom: string;
  readonly amount: string | bigint;
}

const U128_MAX = (1n << 128n) - 1n;

function normalizeAmount(amount: string | bigint): string {
  let v: bigint;
  if (typeof amount === "bigint") v = amount;
  else {
    // Rust's `u128::from_str` (used by `Uint128`): optional '+', then ASCII digits.
    if (!/^\+?[0-9]+$/.test(amount)) throw new EnclaveError("FAILED_TO_DESERIALIZE", { reason: "coin amount" });
    v = BigInt(amount.replace(/^\+/, ""));
  }
  if (v < 0n || v > U128_MAX) throw new EnclaveError("FAILED_TO_DESERIALIZE", { reason: "coin amount range" });
  return v.toString();
}

/** `JSON(funds)` of §6.1: `[{"denom":"uscrt","amount":"100"}]`, compact, `[]` when empty. */
export function fundsJson(funds: readonly CallbackCoin[]): string {
  return `[${funds.map((c) => `{"denom":${serdeJsonString(c.denom)},"amount":"${normalizeAmount(c.amount)}"}`).join(",")}]`;
}

/** `SHA-256(callback_secret ‖ msg_bytes ‖ JSON(funds))` (`io.rs` `create_callback_signature`). */
export function callbackSignature(
  callbackSecret: Uint8Array,
  msgBytes: Uint8Array,
  funds: readonly CallbackCoin[],
): Uint8Array {
  requireLength(callbackSecret, 32, "callbackSecret");
  return sha256(concatBytes(callbackSecret, msgBytes, utf8Encode(fundsJson(funds))));
}

/**
 * The callback signature of a v1 wasm execute/instantiate/migrate sub-message, over the ciphertext
 * part of its envelope. Upstream parses the envelope first (`SecretMessage::from_slice`), so an
 * envelope shorter than 82 bytes is MALFORMED_ENVELOPE.
 */
export function envelopeCallbackSignature(
  callbackSecret: Uint8Array,
  envelope: Uint8Array,
  funds: readonly CallbackCoin[],
): Uint8Array {
  if (envelope.length < MIN_ENVELOPE_LENGTH) throw new EnclaveError("MALFORMED_ENVELOPE", { length: envelope.length });
  return callbackSignature(callbackSecret, envelope.subarray(IO_NONCE_LENGTH + IO_PUBKEY_LENGTH), funds);
}

/**
 * A callee's check of a non-empty `callback_sig` (`verify_callback_sig`): recompute it over its own
 * input ciphertext (or plaintext input) and `sent_funds`. FAILED_TX_VERIFICATION when empty or different.
 */
export function verifyCallbackSignature(
  callbackSecret: Uint8Array,
  signature: Uint8Array,
  msgBytes: Uint8Array,
  funds: readonly CallbackCoin[],
): void {
  if (signature.length === 0) throw new EnclaveError("FAILED_TX_VERIFICATION", { reason: "empty callback_sig" });
  const expected = callbackSignature(callbackSecret, msgBytes, funds);
  if (!constantTimeEqual(signature, expected)) throw new EnclaveError("FAILED_TX_VERIFICATION");
}

// ===================================================================================================
// Wasm sub-messages (§5.4, §5.6)

/**
 * v0.10 wasm execute/instantiate/migrate: the envelope `nonce ‖ client_pk ‖ Eraw(ASCII(callback_code_hash)
 * ‖ msg)` under the ORIGINAL message's context (`encrypt_v010_wasm_msg`).
 */
export function encryptV010WasmMsg(ctx: IoContext, callbackCodeHash: string, msg: Uint8Array): Uint8Array {
  return encryptEnvelopeInContext(ctx, concatBytes(utf8Encode(callbackCodeHash), msg));
}

export type ReplyOn = "always" | "error" | "success" | "never";

export interface V1WasmSubMsg {
  /** The `code_hash` the contract put in the sub-message, used verbatim. */
  readonly codeHash: string;
  readonly msg: Uint8Array;
  readonly replyOn: ReplyOn;
  /** The sub-message's `id` (u64). */
  readonly id: bigint;
}

/**
 * v1 plaintext of a wasm sub-message (`attach_reply_headers_to_v1_wasm_msg`):
 * `ASCII(code_hash) ‖ ["REPLY01" ‖ BE64(id) ‖ ASCII(own_code_hash)] ‖ { "REPLY01" ‖ BE64(p.id) ‖ p.hash }* ‖ msg`,
 * the first header only when `reply_on ≠ never`, then the calling contract's own inherited reply params.
 */
export function v1SubMsgPlaintext(
  sub: V1WasmSubMsg,
  ownCodeHash: string,
  inheritedReplyParams: readonly ReplyParam[] | undefined,
): Uint8Array {
  const parts: Uint8Array[] = [utf8Encode(sub.codeHash)];
  if (sub.replyOn !== "never") {
    const own = utf8Encode(ownCodeHash);
    parts.push(concatBytes(REPLY_ENCRYPTION_MAGIC_BYTES, u64Be(sub.id), own));
  }
  for (const p of inheritedReplyParams ?? []) parts.push(encodeReplyHeader(p));
  parts.push(sub.msg);
  return concatBytes(...parts);
}

function u64Be(v: bigint): Uint8Array {
  if (v < 0n || v > U64_MAX) throw new EnclaveError("FAILED_TO_SERIALIZE", { reason: "u64 range" });
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, v, false);
  return out;
}

/** The envelope of a v1 wasm sub-message (`encrypt_wasm_submsg` after the headers are attached). */
export function encryptV1WasmMsg(
  ctx: IoContext,
  sub: V1WasmSubMsg,
  ownCodeHash: string,
  inheritedReplyParams: readonly ReplyParam[] | undefined,
): Uint8Array {
  return encryptEnvelopeInContext(ctx, v1SubMsgPlaintext(sub, ownCodeHash, inheritedReplyParams));
}

// ===================================================================================================
// Reply ids and reply signatures (§5.6)

/**
 * `internal_msg_id` = `Eraw( p0.hash ‖ [ {"REPLY01" ‖ BE64(p.id) ‖ p.hash} for p in params[1..] ] ‖
 * ASCII(decimal(p0.id)) )`, the bracket only when `appendAllReplyParams` (v1 outputs and errors; not
 * v0.10 outputs) (`get_reply_info_for_output`).
 */
export function internalMsgId(
  txKey: Uint8Array,
  replyParams: readonly ReplyParam[],
  appendAllReplyParams: boolean,
): Uint8Array {
  const first = replyParams[0];
  if (first === undefined) throw new RangeError("internalMsgId needs at least one reply param");
  const parts: Uint8Array[] = [first.codeHash];
  if (appendAllReplyParams) for (const p of replyParams.slice(1)) parts.push(encodeReplyHeader(p));
  parts.push(utf8Encode(first.id.toString()));
  return ioEncrypt(txKey, concatBytes(...parts));
}

/** The `result` of a `Reply`, with events always empty (what is signed). */
export type ReplyResult = { readonly ok: { readonly data: string | null } } | { readonly error: string };

export interface ReplyFields {
  /** b64 of the id bytes (`internal_msg_id`, or the decimal id in clear for plaintext replies). */
  readonly idB64: string;
  readonly result: ReplyResult;
  readonly wasOrigMsgEncrypted: boolean;
  readonly isEncrypted: boolean;
}

/**
 * Compact JSON of cosmwasm v1 `Reply` with `events: []`, fields in struct order:
 * `{"id":…,"result":{"ok":{"events":[],"data":…}}|{"error":…},"was_orig_msg_encrypted":…,"is_encrypted":…}`.
 */
export function replyJson(reply: ReplyFields): string {
  const result =
    "ok" in reply.result
      ? `{"ok":{"events":[],"data":${reply.result.ok.data === null ? "null" : serdeJsonString(reply.result.ok.data)}}}`
      : `{"error":${serdeJsonString(reply.result.error)}}`;
  return `{"id":${serdeJsonString(reply.idB64)},"result":${result},"was_orig_msg_encrypted":${String(reply.wasOrigMsgEncrypted)},"is_encrypted":${String(reply.isEncrypted)}}`;
}

/** `internal_reply_enclave_sig = SHA-256(callback_secret ‖ JSON(Reply) ‖ "[]")` (a callback signature with no funds). */
export function internalReplyEnclaveSig(callbackSecret: Uint8Array, replyJsonText: string): Uint8Array {
  return callbackSignature(callbackSecret, utf8Encode(replyJsonText), []);
}

export type ReplyOutput =
  /** v0.10 success: the id carries only `Hr`. `encryptedData` is the raw output of `encryptData`, or null. */
  | { readonly kind: "v010-ok"; readonly encryptedData: Uint8Array | null }
  /** v1 success. */
  | { readonly kind: "v1-ok"; readonly encryptedData: Uint8Array | null }
  /** An error of either version: `errorB64` is `EncryptedError.b64`. */
  | { readonly kind: "error"; readonly errorB64: string };

export interface ReplyInfo {
  readonly internalMsgId: Uint8Array;
  readonly internalReplyEnclaveSig: Uint8Array;
}

/** B's `internal_msg_id` and `internal_reply_enclave_sig` for one output (`adapt_output_for_reply`). */
export function replyInfoForOutput(
  txKey: Uint8Array,
  callbackSecret: Uint8Array,
  replyParams: readonly ReplyParam[],
  output: ReplyOutput,
): ReplyInfo {
  const id = internalMsgId(txKey, replyParams, output.kind !== "v010-ok");
  const result: ReplyResult =
    output.kind === "error"
      ? { error: output.errorB64 }
      : { ok: { data: output.encryptedData === null ? null : toBase64(output.encryptedData) } };
  const json = replyJson({ idB64: toBase64(id), result, wasOrigMsgEncrypted: true, isEncrypted: true });
  return { internalMsgId: id, internalReplyEnclaveSig: internalReplyEnclaveSig(callbackSecret, json) };
}

// --- A's side: decrypting what a reply carries (`reply_message.rs`)

export interface DecryptedReplyId {
  readonly id: bigint;
  /**
   * The caller's code hash (64 ASCII bytes) followed by the `REPLY01` blocks found in the id: A checks
   * the hash against its own code and takes the blocks as its reply params (`validate_basic_msg` with
   * `data_for_validation`). Use `validateReplyDataForValidation`.
   */
  readonly dataForValidation: Uint8Array;
}

/**
 * Decrypts an encrypted reply id (`parse_message_id_of_encrypted_reply`): drop 64 bytes, collect the
 * `REPLY01` blocks, parse the rest as a decimal u64 (Rust `u64::from_str`: optional `+`, digits).
 */
export function decryptReplyId(txKey: Uint8Array, idBytes: Uint8Array): DecryptedReplyId {
  const pt = ioDecrypt(txKey, idBytes);
  if (pt.length < CODE_HASH_HEX_LENGTH) throw new EnclaveError("MALFORMED_REPLY_HEADER", { reason: "short id" });
  const { msg } = parseReplyHeaders(pt.subarray(CODE_HASH_HEX_LENGTH));
  const dataForValidation = pt.slice(0, pt.length - msg.length);
  return { id: parseU64Decimal(msg), dataForValidation };
}

/** Parses ASCII decimal as Rust's `u64::from_str`; FAILED_TO_DESERIALIZE otherwise. */
export function parseU64Decimal(bytes: Uint8Array): bigint {
  let text: string;
  try {
    text = utf8Decode(bytes);
  } catch {
    throw new EnclaveError("FAILED_TO_DESERIALIZE", { reason: "reply id not UTF-8" });
  }
  if (!/^\+?[0-9]+$/.test(text)) throw new EnclaveError("FAILED_TO_DESERIALIZE", { reason: "reply id not a number" });
  const v = BigInt(text.replace(/^\+/, ""));
  if (v > U64_MAX) throw new EnclaveError("FAILED_TO_DESERIALIZE", { reason: "reply id out of range" });
  return v;
}

/**
 * A's check of `data_for_validation` (`validate_basic_msg`): the first 64 bytes are the hex code hash of
 * the code A runs; the following `REPLY01` blocks are A's own reply params (possibly none → undefined).
 */
export function validateReplyDataForValidation(
  dataForValidation: Uint8Array,
  expectedCodeHash: Uint8Array,
): ReplyParam[] | undefined {
  const rest = splitCodeHash(dataForValidation, expectedCodeHash);
  const { replyParams } = parseReplyHeaders(rest);
  return replyParams.length === 0 ? undefined : replyParams;
}

/** Decrypts a reply's `data` (`get_data_from_reply`): SIV⁻¹, drop the 64-byte `Hr`, base64-decode the text. */
export function decryptReplyData(txKey: Uint8Array, data: Uint8Array): Uint8Array {
  const pt = ioDecrypt(txKey, data);
  if (pt.length < CODE_HASH_HEX_LENGTH) throw new EnclaveError("FAILED_TO_DESERIALIZE", { reason: "short reply data" });
  return decodeB64Text(pt.subarray(CODE_HASH_HEX_LENGTH));
}

/**
 * Decrypts a reply's `error` string (`parse_encrypted_error_reply`): base64-decode (upstream maps a bad
 * base64 to FailedToSerialize), SIV⁻¹, drop the 64-byte `Hr`, UTF-8.
 */
export function decryptReplyError(txKey: Uint8Array, errorB64: string): string {
  let ct: Uint8Array;
  try {
    ct = fromBase64(errorB64);
  } catch {
    throw new EnclaveError("FAILED_TO_SERIALIZE", { reason: "reply error not base64" });
  }
  const pt = ioDecrypt(txKey, ct);
  if (pt.length < CODE_HASH_HEX_LENGTH)
    throw new EnclaveError("FAILED_TO_DESERIALIZE", { reason: "short reply error" });
  try {
    return utf8Decode(pt.subarray(CODE_HASH_HEX_LENGTH));
  } catch {
    throw new EnclaveError("FAILED_TO_DESERIALIZE", { reason: "reply error not UTF-8" });
  }
}

function decodeB64Text(bytes: Uint8Array): Uint8Array {
  try {
    return fromBase64(utf8Decode(bytes));
  } catch {
    throw new EnclaveError("FAILED_TO_DESERIALIZE", { reason: "not base64 text" });
  }
}

// --- Contract-to-contract queries (§5.5, `query_chain.rs`)

/** The envelope of a nested smart query: `ASCII(callback_code_hash) ‖ msg` under the current context. */
export function encryptNestedQuery(ctx: IoContext, callbackCodeHash: string, msg: Uint8Array): Uint8Array {
  return encryptEnvelopeInContext(ctx, concatBytes(utf8Encode(callbackCodeHash), msg));
}

/** `fromBase64(SIV⁻¹(answer))` (`decrypt_query_response`). */
export function decryptQueryAnswer(txKey: Uint8Array, answer: Uint8Array): Uint8Array {
  return decodeB64Text(ioDecrypt(txKey, answer));
}

/** SIV⁻¹ of a nested query's encrypted error (`decrypt_query_response_error`): the raw `J(err)` bytes. */
export function decryptQueryError(txKey: Uint8Array, encryptedError: Uint8Array): Uint8Array {
  return ioDecrypt(txKey, encryptedError);
}
