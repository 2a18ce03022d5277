/** Coin lists as the SDK's `sdk.Coins`: sorted by denom, no zero amounts; bigint amounts. */
import type { ProtoCoin } from "../codec/tx.ts";
import { type Coin, parseUint } from "../primitives/amount.ts";
import { SdkErrors } from "./errors.ts";

export type { Coin } from "../primitives/amount.ts";
export { formatCoins, isValidCoinSet } from "../primitives/amount.ts";

/** Protobuf coins to bigint coins; an amount that is not an integer is a decode error (sdk 2). */
export function coinsFromProto(coins: readonly ProtoCoin[]): Coin[] {
  const out: Coin[] = [];
  for (let i = 0; i < coins.length; i++) {
    const c = coins[i]!;
    let amount: bigint;
    try {
      amount = parseUint(c.amount);
    } catch {
      throw SdkErrors.TxDecode.wrap(`invalid coin amount ${JSON.stringify(c.amount)}`);
    }
    out.push({ denom: c.denom, amount });
  }
  return out;
}

export function coinsToProto(coins: readonly Coin[]): ProtoCoin[] {
  return coins.map((c) => ({ denom: c.denom, amount: c.amount.toString() }));
}

/** Sum of two valid coin sets (sorted, merged). */
export function addCoins(a: readonly Coin[], b: readonly Coin[]): Coin[] {
  const totals = new Map<string, bigint>();
  for (const c of a) totals.set(c.denom, (totals.get(c.denom) ?? 0n) + c.amount);
  for (const c of b) totals.set(c.denom, (totals.get(c.denom) ?? 0n) + c.amount);
  return [...totals.entries()]
    .filter(([, amount]) => amount !== 0n)
    .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))
    .map(([denom, amount]) => ({ denom, amount }));
}

export function coinsEqual(a: readonly Coin[], b: readonly Coin[]): boolean {
  return a.length === b.length && a.every((c, i) => c.denom === b[i]!.denom && c.amount === b[i]!.amount);
}

/** `sdk.Coins.String()` (what `formatCoins` gives, built without intermediate arrays). */
export function coinsString(coins: readonly Coin[]): string {
  if (coins.length === 1) return coins[0]!.amount.toString() + coins[0]!.denom;
  let text = "";
  for (let i = 0; i < coins.length; i++) {
    const c = coins[i]!;
    text += (i === 0 ? "" : ",") + c.amount.toString() + c.denom;
  }
  return text;
}
