/**
 * CometBFT's event query language (`libs/pubsub/query`), used for subscriptions:
 *
 *   query     := condition { "AND" condition }
 *   condition := tag ( "=" | "<" | "<=" | ">" | ">=" | "CONTAINS" ) operand | tag "EXISTS"
 *   operand   := 'string' | number | DATE yyyy-mm-dd | TIME rfc3339
 *
 * A condition holds when any value of its tag (`type.key`, or `tm.event`, `tx.hash`, `tx.height`)
 * satisfies it; a query holds when every condition does. Numbers compare numerically (a value that is
 * not a number does not match), strings exactly or by substring, dates and times as instants.
 */
import { CodedError } from "../../primitives/errors.ts";

export type QueryOp = "=" | "<" | "<=" | ">" | ">=" | "CONTAINS" | "EXISTS";

export type Operand =
  | { readonly kind: "string"; readonly value: string }
  | { readonly kind: "number"; readonly value: number; readonly text: string }
  | { readonly kind: "time"; readonly value: number };

export interface Condition {
  readonly tag: string;
  readonly op: QueryOp;
  readonly operand?: Operand;
}

export interface EventQuery {
  readonly text: string;
  readonly conditions: readonly Condition[];
}

export class QueryParseError extends CodedError<"RPC_QUERY_INVALID"> {
  override readonly name = "QueryParseError";
  constructor(message: string) {
    super("RPC_QUERY_INVALID", message);
  }
}

const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.\-/]*/;
const NUMBER = /^-?[0-9]+(?:\.[0-9]+)?/;
const DATE = /^DATE\s+([0-9]{4}-[0-9]{2}-[0-9]{2})/;
const TIME = /^TIME\s+([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+(?:Z|[+-][0-9]{2}:[0-9]{2}))/;

export function parseEventQuery(text: string): EventQuery {
  const conditions: Condition[] = [];
  let rest = text.trim();
  const fail = (what: string): never => {
    throw new QueryParseError(`failed to parse query: ${what} at offset ${text.length - rest.length}`);
  };
  if (rest === "") fail("empty query");
  while (true) {
    const tag = TAG.exec(rest)?.[0];
    if (tag === undefined) return fail("expected a tag");
    rest = rest.slice(tag.length).trimStart();
    let op: QueryOp | undefined;
    for (const candidate of ["<=", ">=", "=", "<", ">", "CONTAINS", "EXISTS"] as const) {
      if (rest.startsWith(candidate)) {
        op = candidate;
        break;
      }
    }
    if (op === undefined) return fail("expected an operator");
    rest = rest.slice(op.length).trimStart();
    if (op === "EXISTS") {
      conditions.push({ tag, op });
    } else {
      let operand: Operand | undefined;
      if (rest.startsWith("'")) {
        const end = rest.indexOf("'", 1);
        if (end < 0) return fail("unterminated string");
        operand = { kind: "string", value: rest.slice(1, end) };
        rest = rest.slice(end + 1);
      } else {
        const date = DATE.exec(rest);
        const time = TIME.exec(rest);
        const num = NUMBER.exec(rest);
        if (date !== null) {
          const ms = Date.parse(`${date[1]}T00:00:00Z`);
          if (Number.isNaN(ms)) return fail("invalid date");
          operand = { kind: "time", value: ms };
          rest = rest.slice(date[0].length);
        } else if (time !== null) {
          const ms = Date.parse(time[1]!);
          if (Number.isNaN(ms)) return fail("invalid time");
          operand = { kind: "time", value: ms };
          rest = rest.slice(time[0].length);
        } else if (num !== null) {
          operand = { kind: "number", value: Number(num[0]), text: num[0] };
          rest = rest.slice(num[0].length);
        } else {
          return fail("expected an operand");
        }
      }
      if (op === "CONTAINS" && operand.kind !== "string") return fail("CONTAINS needs a string operand");
      conditions.push({ tag, op, operand });
    }
    rest = rest.trimStart();
    if (rest === "") break;
    if (!/^AND\s/.test(rest)) return fail("expected AND");
    rest = rest.slice(3).trimStart();
  }
  return { text, conditions };
}

function compare(op: QueryOp, a: number, b: number): boolean {
  switch (op) {
    case "=":
      return a === b;
    case "<":
      return a < b;
    case "<=":
      return a <= b;
    case ">":
      return a > b;
    case ">=":
      return a >= b;
    default:
      return false;
  }
}

function valueMatches(c: Condition, value: string): boolean {
  const operand = c.operand;
  if (operand === undefined) return true;
  switch (operand.kind) {
    case "string":
      if (c.op === "CONTAINS") return value.includes(operand.value);
      return c.op === "=" ? value === operand.value : false;
    case "number": {
      if (!/^-?[0-9]+(?:\.[0-9]+)?$/.test(value)) return false;
      // Integers compare exactly (heights, amounts beyond 2^53); anything with a fraction as floats.
      if (!value.includes(".") && !operand.text.includes(".")) {
        const a = BigInt(value);
        const b = BigInt(operand.text);
        return compare(c.op, a === b ? 0 : a < b ? -1 : 1, 0);
      }
      return compare(c.op, Number(value), operand.value);
    }
    case "time": {
      const ms = Date.parse(value);
      return !Number.isNaN(ms) && compare(c.op, ms, operand.value);
    }
  }
}

/** True when every condition holds for the event map (`type.key → values`). */
export function matchesEventQuery(query: EventQuery, events: ReadonlyMap<string, readonly string[]>): boolean {
  return query.conditions.every((c) => {
    const values = events.get(c.tag);
    if (values === undefined || values.length === 0) return false;
    return c.op === "EXISTS" || values.some((v) => valueMatches(c, v));
  });
}
