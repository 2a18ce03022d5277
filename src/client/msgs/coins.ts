/** Coin lists the way messages carry them: sorted by denom, merged, no zero amounts. */
import { type Coin, isValidCoinSet, parseCoins } from "../../primitives/amount.ts";
import type { ProtoCoin } from "../../codec/tx.ts";
import { ClientError } from "../errors.ts";

/** Parses `"10uscrt,5ufoo"` into a valid coin set (sorted, merged, no zeros); `""` is the empty list. */
export function parseCoinList(text: string, what = "amount"): Coin[] {
  let coins: Coin[];
  try {
    coins = parseCoins(text);
  } catch (err) {
    throw new ClientError(
      "CLIENT_BAD_INPUT",
      `${what}: ${err instanceof Error ? err.message : String(err)} (expected e.g. 1000uscrt)`,
    );
  }
  const merged = new Map<string, bigint>();
  for (const c of coins) merged.set(c.denom, (merged.get(c.denom) ?? 0n) + c.amount);
  const out = [...merged.entries()]
    .filter(([, amount]) => amount > 0n)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([denom, amount]) => ({ denom, amount }));
  if (!isValidCoinSet(out)) throw new ClientError("CLIENT_BAD_INPUT", `${what}: not a valid coin list`);
  return out;
}

/** One positive coin, e.g. a delegation amount. */
export function parseSingleCoin(text: string, what = "amount"): Coin {
  const coins = parseCoinList(text, what);
  if (coins.length !== 1)
    throw new ClientError("CLIENT_BAD_INPUT", `${what}: exactly one positive coin is needed, e.g. 1000uscrt`);
  return coins[0]!;
}

export function coinsToProto(coins: readonly Coin[]): ProtoCoin[] {
  return coins.map((c) => ({ denom: c.denom, amount: c.amount.toString() }));
}
