/**
 * Bank genesis in upstream's JSON shape (`app_state.bank`): params, balances, supply, denom metadata.
 * Validation as upstream: addresses valid and unique, coin sets valid, and a non-empty `supply` must
 * equal the sum of the balances (an empty one is computed). Export lists balances by address key
 * order and the supply by denom.
 */
import { encodeAddress, parseAccountAddress } from "../../primitives/bech32.ts";
import { toHex } from "../../primitives/hex.ts";
import {
  type Coin,
  addCoins,
  coinsEqual,
  coinsFromProto,
  coinsString,
  coinsToProto,
  isValidCoinSet,
} from "../coins.ts";
import type { Context } from "../context.ts";
import { asArray, asBool, asObject, asOptionalString, asString, asUint, genesisError } from "../json.ts";
import type { BankKeeper, Output } from "./keeper.ts";
import { type BankParams, DEFAULT_BANK_PARAMS } from "./params.ts";
import type { Metadata } from "./types.ts";

export interface BankGenesis {
  readonly params: BankParams;
  readonly balances: readonly Output[];
  /** Empty: computed from the balances. */
  readonly supply: readonly Coin[];
  readonly denomMetadata: readonly Metadata[];
}

export const defaultBankGenesis = (): BankGenesis => ({
  params: DEFAULT_BANK_PARAMS,
  balances: [],
  supply: [],
  denomMetadata: [],
});

function coinsFromJson(v: unknown, what: string): Coin[] {
  return coinsFromProto(
    asArray(v, what).map((c, i) => {
      const o = asObject(c, `${what}[${i}]`);
      return { denom: asString(o.denom, `${what}[${i}].denom`), amount: asString(o.amount, `${what}[${i}].amount`) };
    }),
  );
}

function metadataFromJson(v: unknown, what: string): Metadata {
  const o = asObject(v, what);
  return {
    description: asOptionalString(o.description, `${what}.description`),
    denomUnits: asArray(o.denom_units, `${what}.denom_units`).map((u, i) => {
      const uo = asObject(u, `${what}.denom_units[${i}]`);
      return {
        denom: asString(uo.denom, "denom"),
        exponent: Number(asUint(uo.exponent ?? 0, "exponent", 32)),
        aliases: asArray(uo.aliases, "aliases").map((a) => asString(a, "alias")),
      };
    }),
    base: asString(o.base, `${what}.base`),
    display: asOptionalString(o.display, `${what}.display`),
    name: asOptionalString(o.name, `${what}.name`),
    symbol: asOptionalString(o.symbol, `${what}.symbol`),
    uri: asOptionalString(o.uri, `${what}.uri`),
    uriHash: asOptionalString(o.uri_hash, `${what}.uri_hash`),
  };
}

function metadataToJson(m: Metadata): Record<string, unknown> {
  return {
    description: m.description,
    denom_units: m.denomUnits.map((u) => ({ denom: u.denom, exponent: u.exponent, aliases: [...u.aliases] })),
    base: m.base,
    display: m.display,
    name: m.name,
    symbol: m.symbol,
    uri: m.uri,
    uri_hash: m.uriHash,
  };
}

export function bankGenesisFromJson(v: unknown): BankGenesis {
  if (v === undefined) return defaultBankGenesis();
  const o = asObject(v, "bank");
  const p = o.params === undefined ? undefined : asObject(o.params, "bank.params");
  return {
    params: {
      defaultSendEnabled: p === undefined ? true : asBool(p.default_send_enabled ?? true, "default_send_enabled"),
    },
    balances: asArray(o.balances, "bank.balances").map((b, i) => {
      const bo = asObject(b, `bank.balances[${i}]`);
      return {
        address: parseAccountAddress(asString(bo.address, `bank.balances[${i}].address`)),
        coins: coinsFromJson(bo.coins, `bank.balances[${i}].coins`),
      };
    }),
    supply: coinsFromJson(o.supply, "bank.supply"),
    denomMetadata: asArray(o.denom_metadata, "bank.denom_metadata").map((m, i) =>
      metadataFromJson(m, `bank.denom_metadata[${i}]`),
    ),
  };
}

export function bankGenesisToJson(g: BankGenesis): Record<string, unknown> {
  return {
    params: { send_enabled: [], default_send_enabled: g.params.defaultSendEnabled },
    balances: g.balances.map((b) => ({ address: encodeAddress(b.address), coins: coinsToProto(b.coins) })),
    supply: coinsToProto(g.supply),
    denom_metadata: g.denomMetadata.map(metadataToJson),
    send_enabled: [],
  };
}

/** Validates and returns the total supply the balances imply. */
export function validateBankGenesis(g: BankGenesis): Coin[] {
  const seen = new Set<string>();
  let total: Coin[] = [];
  for (const b of g.balances) {
    const hex = toHex(b.address);
    if (seen.has(hex)) throw genesisError(`duplicate balance for address ${encodeAddress(b.address)}`);
    seen.add(hex);
    if (!isValidCoinSet(b.coins))
      throw genesisError(`invalid coins for ${encodeAddress(b.address)}: ${coinsString(b.coins)}`);
    total = addCoins(total, b.coins);
  }
  if (g.supply.length > 0) {
    if (!isValidCoinSet(g.supply)) throw genesisError(`invalid supply ${coinsString(g.supply)}`);
    if (!coinsEqual(g.supply, total)) {
      throw genesisError(`genesis supply is incorrect, expected ${coinsString(g.supply)}, got ${coinsString(total)}`);
    }
  }
  const bases = new Set<string>();
  for (const m of g.denomMetadata) {
    if (bases.has(m.base)) throw genesisError(`duplicate denom metadata ${m.base}`);
    bases.add(m.base);
  }
  return total;
}

export function initBankGenesis(ctx: Context, keeper: BankKeeper, g: BankGenesis): void {
  const total = validateBankGenesis(g);
  keeper.setParams(ctx, g.params);
  for (const b of g.balances) for (const coin of b.coins) keeper.initBalance(ctx, b.address, coin);
  for (const coin of total) keeper.setSupply(ctx, coin);
  for (const m of g.denomMetadata) keeper.setDenomMetadata(ctx, m);
}

export function exportBankGenesis(ctx: Context, keeper: BankKeeper): BankGenesis {
  return {
    params: keeper.getParams(ctx),
    balances: [...keeper.allBalances(ctx)],
    supply: keeper.getTotalSupply(ctx),
    denomMetadata: keeper.allDenomMetadata(ctx),
  };
}
