/**
 * CometBFT's event query language (`tx_search`, `block_search`, subscriptions):
 *
 *   condition { "AND" condition }
 *   condition = key op operand | key "EXISTS"
 *   op        = "=" | "<" | "<=" | ">" | ">=" | "CONTAINS"
 *   operand   = 'string' | number | DATE yyyy-mm-dd | TIME rfc3339
 *
 * Keys are composite (`<event type>.<attribute key>`, or `tx.height`, `tx.hash`, `block.height`).
 * A malformed query throws `QueryError` (`NODE_QUERY_INVALID`) with a message for the client.
 */
import { CodedError } from "../primitives/errors.ts";

export class QueryError extends CodedError<"NODE_QUERY_INVALID"> {
  override readonly name = "QueryError";
  constructor(message: string) {
    super("NODE_QUERY_INVALID", message);
  }
}

export type QueryOp = "=" | "<" | "<=" | ">" | ">=" | "CONTAINS" | "EXISTS";

export type Operand =
  | { readonly kind: "string"; readonly value: string }
  | { readonly kind: "number"; readonly value: number }
  /** Milliseconds since the epoch. */
  | { readonly kind: "time"; readonly value: number };

export interface Condition {
  readonly key: string;
  readonly op: QueryOp;
  readonly operand: Operand | undefined;
}

const MAX_QUERY_LENGTH = 512;

export function parseQuery(text: string): Condition[] {
  if (typeof text !== "string") throw new QueryError("query must be a string");
  if (text.length > MAX_QUERY_LENGTH) throw new QueryError(`query is longer than ${MAX_QUERY_LENGTH} characters`);
  let i = 0;
  const s = text;
  const ws = (): void => {
    while (i < s.length && /\s/.test(s[i]!)) i++;
  };
  const fail = (what: string): never => {
    throw new QueryError(`failed to parse query: ${what} at position ${i + 1}: ${JSON.stringify(text)}`);
  };
  const conditions: Condition[] = [];
  ws();
  if (i >= s.length) fail("empty query");
  for (;;) {
    ws();
    const keyMatch = /^[A-Za-z_][A-Za-z0-9_.\-/]*/.exec(s.slice(i));
    if (keyMatch === null) fail("expected a key");
    const key = keyMatch![0];
    i += key.length;
    ws();
    let op: QueryOp;
    const rest = s.slice(i);
    if (rest.startsWith("<=")) op = "<=";
    else if (rest.startsWith(">=")) op = ">=";
    else if (rest.startsWith("=")) op = "=";
    else if (rest.startsWith("<")) op = "<";
    else if (rest.startsWith(">")) op = ">";
    else if (/^CONTAINS\b/i.test(rest)) op = "CONTAINS";
    else if (/^EXISTS\b/i.test(rest)) op = "EXISTS";
    else op = fail("expected an operator (=, <, <=, >, >=, CONTAINS, EXISTS)");
    i += op === "CONTAINS" ? 8 : op === "EXISTS" ? 6 : op.length;
    ws();
    let operand: Operand | undefined;
    if (op !== "EXISTS") {
      const r = s.slice(i);
      if (r.startsWith("'")) {
        const end = s.indexOf("'", i + 1);
        if (end < 0) fail("unterminated string");
        operand = { kind: "string", value: s.slice(i + 1, end) };
        i = end + 1;
      } else {
        const date = /^(DATE|TIME)\s+(\S+)/.exec(r);
        const num = /^-?\d+(\.\d+)?(?![\w.])/.exec(r);
        if (date !== null) {
          const ms = Date.parse(date[1] === "DATE" ? `${date[2]}T00:00:00Z` : date[2]!);
          if (Number.isNaN(ms)) fail(`bad ${date[1]}`);
          operand = { kind: "time", value: ms };
          i += date[0].length;
        } else if (num !== null) {
          operand = { kind: "number", value: Number(num[0]) };
          i += num[0].length;
        } else {
          fail("expected an operand ('string', number, DATE or TIME)");
        }
      }
      if (op === "CONTAINS" && operand?.kind !== "string") fail("CONTAINS needs a string operand");
    }
    conditions.push({ key, op, operand });
    ws();
    if (i >= s.length) break;
    const and = /^AND\b/i.exec(s.slice(i));
    if (and === null) fail("expected AND");
    i += 3;
  }
  return conditions;
}

/** Whether an attribute value satisfies a condition (EXISTS: any value). */
export function matchValue(c: Condition, value: string): boolean {
  const o = c.operand;
  if (c.op === "EXISTS" || o === undefined) return true;
  if (c.op === "CONTAINS") return value.includes(o.value as string);
  let cmp: number;
  if (o.kind === "string") {
    if (c.op === "=") return value === o.value;
    cmp = value < o.value ? -1 : value > o.value ? 1 : 0;
  } else {
    const v = o.kind === "time" ? Date.parse(value) : Number(value);
    if (value.trim() === "" || Number.isNaN(v)) return false;
    cmp = v < o.value ? -1 : v > o.value ? 1 : 0;
  }
  switch (c.op) {
    case "=":
      return cmp === 0;
    case "<":
      return cmp < 0;
    case "<=":
      return cmp <= 0;
    case ">":
      return cmp > 0;
    case ">=":
      return cmp >= 0;
  }
}

/** The inclusive height range a set of conditions on `key` (e.g. `tx.height`) allows. */
export function heightRange(conditions: readonly Condition[], key: string, latest: number): [number, number] {
  let lo = 1;
  let hi = latest;
  for (const c of conditions) {
    if (c.key !== key) continue;
    if (c.op === "EXISTS") continue;
    if (c.operand?.kind !== "number") throw new QueryError(`${key} needs a number`);
    const v = c.operand.value;
    switch (c.op) {
      case "=":
        lo = Math.max(lo, Math.ceil(v));
        hi = Math.min(hi, Math.floor(v));
        break;
      case "<":
        hi = Math.min(hi, Math.ceil(v) - 1);
        break;
      case "<=":
        hi = Math.min(hi, Math.floor(v));
        break;
      case ">":
        lo = Math.max(lo, Math.floor(v) + 1);
        break;
      case ">=":
        lo = Math.max(lo, Math.ceil(v));
        break;
      default:
        throw new QueryError(`${key} does not support ${c.op}`);
    }
  }
  return [lo, hi];
}
