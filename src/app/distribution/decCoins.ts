/**
 * `sdk.DecCoins` arithmetic with LegacyDec rounding: sorted by denom, no zero amounts. Every
 * operation returns a fresh list.
 */
import type { DecCoin } from "../../codec/staking.ts";
import { Dec } from "../../primitives/amount.ts";
import type { Coin } from "../coins.ts";
import { InvariantError } from "../errors.ts";

export type { DecCoin } from "../../codec/staking.ts";

function normalize(map: Map<string, Dec>): DecCoin[] {
  return [...map.entries()]
    .filter(([, a]) => !a.isZero())
    .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))
    .map(([denom, amount]) => ({ denom, amount }));
}

export function decCoinsFromCoins(coins: readonly Coin[]): DecCoin[] {
  return normalize(new Map(coins.map((c) => [c.denom, Dec.fromInt(c.amount)])));
}

export function addDecCoins(a: readonly DecCoin[], b: readonly DecCoin[]): DecCoin[] {
  const m = new Map<string, Dec>();
  for (const c of a) m.set(c.denom, (m.get(c.denom) ?? Dec.ZERO).add(c.amount));
  for (const c of b) m.set(c.denom, (m.get(c.denom) ?? Dec.ZERO).add(c.amount));
  return normalize(m);
}

/** `a − b`; a negative result is a broken invariant (upstream panics). */
export function subDecCoins(a: readonly DecCoin[], b: readonly DecCoin[]): DecCoin[] {
  const r = safeSubDecCoins(a, b);
  if (r === undefined) throw new InvariantError("negative decimal coin amount");
  return r;
}

/** `a − b`, or undefined when some amount would be negative (`SafeSub`). */
export function safeSubDecCoins(a: readonly DecCoin[], b: readonly DecCoin[]): DecCoin[] | undefined {
  const m = new Map<string, Dec>();
  for (const c of a) m.set(c.denom, c.amount);
  for (const c of b) {
    const v = (m.get(c.denom) ?? Dec.ZERO).sub(c.amount);
    if (v.isNegative()) return undefined;
    m.set(c.denom, v);
  }
  return normalize(m);
}

export const mulDec = (a: readonly DecCoin[], d: Dec): DecCoin[] =>
  normalize(new Map(a.map((c) => [c.denom, c.amount.mul(d)])));

export const mulDecTruncate = (a: readonly DecCoin[], d: Dec): DecCoin[] =>
  normalize(new Map(a.map((c) => [c.denom, c.amount.mulTruncate(d)])));

export const quoDecTruncate = (a: readonly DecCoin[], d: Dec): DecCoin[] =>
  normalize(new Map(a.map((c) => [c.denom, c.amount.quoTruncate(d)])));

/** `TruncateDecimal`: the whole coins and the fractional change. */
export function truncateDecCoins(a: readonly DecCoin[]): { coins: Coin[]; change: DecCoin[] } {
  const coins: Coin[] = [];
  const change = new Map<string, Dec>();
  for (const c of a) {
    const whole = c.amount.truncateInt();
    if (whole > 0n) coins.push({ denom: c.denom, amount: whole });
    change.set(c.denom, c.amount.sub(Dec.fromInt(whole)));
  }
  return { coins, change: normalize(change) };
}

/** `Intersect`: per denom the smaller amount. */
export function intersectDecCoins(a: readonly DecCoin[], b: readonly DecCoin[]): DecCoin[] {
  const m = new Map<string, Dec>();
  const other = new Map(b.map((c) => [c.denom, c.amount]));
  for (const c of a) {
    const o = other.get(c.denom) ?? Dec.ZERO;
    m.set(c.denom, c.amount.compare(o) < 0 ? c.amount : o);
  }
  return normalize(m);
}

export const isZeroDecCoins = (a: readonly DecCoin[]): boolean => a.every((c) => c.amount.isZero());

export const amountOf = (a: readonly DecCoin[], denom: string): Dec =>
  a.find((c) => c.denom === denom)?.amount ?? Dec.ZERO;

/** `DecCoins.String()`: `1.500000000000000000uscrt,2.000000000000000000ufoo`. */
export const decCoinsString = (a: readonly DecCoin[]): string => a.map((c) => `${c.amount}${c.denom}`).join(",");
