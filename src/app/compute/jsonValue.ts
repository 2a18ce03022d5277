/**
 * A strict JSON reader for the enclave's serde_json output (sub-messages, chain query requests) that
 * keeps integers exact: every integer literal becomes a `bigint`, so u64 ids and gas limits survive.
 * Anything malformed throws a `SyntaxError`.
 */
export type JsonValue = null | boolean | bigint | number | string | JsonValue[] | { [key: string]: JsonValue };

export function parseJsonExact(text: string): JsonValue {
  let pos = 0;
  const fail = (what: string): never => {
    throw new SyntaxError(`${what} at position ${pos}`);
  };
  const ws = (): void => {
    while (pos < text.length && " \t\n\r".includes(text[pos]!)) pos++;
  };
  const value = (): JsonValue => {
    ws();
    const c = text[pos];
    if (c === "{") {
      pos++;
      const out: { [key: string]: JsonValue } = {};
      ws();
      if (text[pos] === "}") {
        pos++;
        return out;
      }
      for (;;) {
        ws();
        if (text[pos] !== '"') fail("expected a key");
        const key = string();
        ws();
        if (text[pos] !== ":") fail("expected ':'");
        pos++;
        Object.defineProperty(out, key, { value: value(), enumerable: true, writable: true, configurable: true });
        ws();
        if (text[pos] === ",") {
          pos++;
          continue;
        }
        if (text[pos] === "}") {
          pos++;
          return out;
        }
        fail("expected ',' or '}'");
      }
    }
    if (c === "[") {
      pos++;
      const out: JsonValue[] = [];
      ws();
      if (text[pos] === "]") {
        pos++;
        return out;
      }
      for (;;) {
        out.push(value());
        ws();
        if (text[pos] === ",") {
          pos++;
          continue;
        }
        if (text[pos] === "]") {
          pos++;
          return out;
        }
        fail("expected ',' or ']'");
      }
    }
    if (c === '"') return string();
    if (text.startsWith("true", pos)) {
      pos += 4;
      return true;
    }
    if (text.startsWith("false", pos)) {
      pos += 5;
      return false;
    }
    if (text.startsWith("null", pos)) {
      pos += 4;
      return null;
    }
    const m = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(text.slice(pos, pos + 400));
    if (m === null) return fail("unexpected character");
    pos += m[0].length;
    return m[2] === undefined && m[3] === undefined ? BigInt(m[0]) : Number(m[0]);
  };
  const string = (): string => {
    const start = pos;
    pos++;
    let escaped = false;
    while (pos < text.length) {
      const ch = text[pos]!;
      if (ch === "\\") {
        escaped = true;
        pos += 2;
        continue;
      }
      if (ch === '"') {
        pos++;
        const raw = text.slice(start, pos);
        return escaped ? (JSON.parse(raw) as string) : raw.slice(1, -1);
      }
      if (ch < " ") fail("control character in string");
      pos++;
    }
    return fail("unterminated string");
  };
  const result = value();
  ws();
  if (pos !== text.length) fail("trailing characters");
  return result;
}

export function isJsonObject(v: JsonValue | undefined): v is { [key: string]: JsonValue } {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The only key of an externally tagged enum value (`{"bank":{…}}` → `["bank", {…}]`). */
export function variantOf(v: JsonValue | undefined): [string, JsonValue] | undefined {
  if (!isJsonObject(v)) return undefined;
  const keys = Object.keys(v);
  if (keys.length !== 1) return undefined;
  return [keys[0]!, v[keys[0]!]!];
}
