/**
 * The bank keeper: balances, supply, denom metadata, transfers. Transfers follow Cosmos SDK 0.50
 * `SendCoins` / `InputOutputCoins` step by step (so the events and the gas are in upstream's order):
 * subtract per coin (refusing a balance below the amount), emit `coin_spent`, add, emit
 * `coin_received`, create the recipient's account if absent, emit `transfer` and `message{sender}`.
 */
import { decodeMetadata, encodeBankParams, encodeMetadata } from "../../codec/bank.ts";
import { decodeFields, field } from "../../codec/protobuf.ts";
import { parseUint } from "../../primitives/amount.ts";
import { encodeAccountAddress as encodeAddress } from "../auth/addressCache.ts";
import { utf8Decode } from "../../primitives/bytes.ts";
import { toHex } from "../../primitives/hex.ts";
import { bytesId } from "../bytesId.ts";
import { prefixEnd, setOwned } from "../../store/index.ts";
import { type Coin, coinsString } from "../coins.ts";
import type { Context } from "../context.ts";
import { InvariantError, SdkErrors } from "../errors.ts";
import { createEvent } from "../events.ts";
import type { BankIo } from "../../codec/bank.ts";
import { BankErrors } from "./errors.ts";
import { coinReceivedEvent, coinSpentEvent, messageSenderEvent, transferEvent } from "./events.ts";
import {
  BALANCES_PREFIX,
  BANK_STORE,
  METADATA_PREFIX,
  PARAMS_KEY,
  SUPPLY_PREFIX,
  balanceKey,
  balanceKeyShared,
  balancesPrefix,
  metadataKey,
  supplyKey,
} from "./keys.ts";
import { type BankParams, DEFAULT_BANK_PARAMS } from "./params.ts";
import type { AuthForBank, Metadata } from "./types.ts";

/** Decoded params by the stored bytes they came from. */
const decodedParams = new WeakMap<Uint8Array, BankParams>();

/**
 * Decoded long amounts by the stored bytes they came from (store values are shared and never
 * mutated): a sender's committed balance is read by CheckTx and again by the block. Amounts of up to
 * 15 digits are decoded directly: that is cheaper than a WeakMap entry for every balance a tx writes.
 */
const decodedAmounts = new WeakMap<Uint8Array, bigint>();

/** A stored balance or supply amount (decimal ASCII), memoized by the stored array; InvariantError when it is not one. */
export function decodeStoredAmount(bytes: Uint8Array): bigint {
  const small = decodeSmallAmount(bytes);
  if (small !== undefined) return small;
  const known = decodedAmounts.get(bytes);
  if (known !== undefined) return known;
  let amount: bigint;
  try {
    amount = parseUint(utf8Decode(bytes));
  } catch {
    throw new InvariantError("stored amount is not an unsigned integer");
  }
  decodedAmounts.set(bytes, amount);
  return amount;
}

/** Up to 15 digits a decimal is exact in a double. */
const SMALL_AMOUNT_DIGITS = 15;

/**
 * `parseUint(utf8Decode(bytes))` for the common stored amount: 1 to 15 ASCII digits without a leading
 * zero (or "0"), read without the text decoder; undefined for anything else (the caller then takes
 * the general path, which also gives the errors).
 */
function decodeSmallAmount(bytes: Uint8Array): bigint | undefined {
  const n = bytes.length;
  if (n === 0 || n > SMALL_AMOUNT_DIGITS || (bytes[0] === 0x30 && n > 1)) return undefined;
  let value = 0;
  for (let i = 0; i < n; i++) {
    const digit = bytes[i]! - 0x30;
    if (digit < 0 || digit > 9) return undefined;
    value = value * 10 + digit;
  }
  return BigInt(value);
}

/** The decimal digits of `amount` as ASCII bytes (what `utf8Encode(amount.toString())` gives). */
function encodeAmount(amount: bigint): Uint8Array {
  const text = amount.toString();
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}

/** A transfer's output with a parsed address. */
export interface Output {
  readonly address: Uint8Array;
  readonly coins: readonly Coin[];
}

export class BankKeeper {
  private readonly blocked: ReadonlySet<string>;

  /** `blockedAddresses`: canonical addresses that may not receive funds by a bank message. */
  constructor(
    private readonly auth: AuthForBank,
    blockedAddresses: readonly Uint8Array[],
  ) {
    this.blocked = new Set(blockedAddresses.map(bytesId));
  }

  isBlocked(address: Uint8Array): boolean {
    return this.blocked.has(bytesId(address));
  }

  getParams(ctx: Context): BankParams {
    const bytes = ctx.kv(BANK_STORE).get(PARAMS_KEY);
    if (bytes === undefined) return DEFAULT_BANK_PARAMS;
    // Every send reads the params; the store hands out the same (never mutated) array until they change.
    const known = decodedParams.get(bytes);
    if (known !== undefined) return known;
    let defaultSendEnabled = false;
    decodeFields(bytes, "bank.Params", {
      1: field.bytes(() => undefined),
      2: field.bool((v) => (defaultSendEnabled = v)),
    });
    const params = Object.freeze({ defaultSendEnabled });
    decodedParams.set(bytes, params);
    return params;
  }

  setParams(ctx: Context, params: BankParams): void {
    ctx.kv(BANK_STORE).set(PARAMS_KEY, encodeBankParams(params));
  }

  /** Bank 5 when sends are disabled (only the chain-wide default is kept). */
  checkSendEnabled(ctx: Context, coins: readonly Coin[]): void {
    if (this.getParams(ctx).defaultSendEnabled) return;
    const first = coins[0];
    if (first !== undefined) throw BankErrors.SendDisabled.wrap(`${first.denom} transfers are currently disabled`);
  }

  getBalance(ctx: Context, address: Uint8Array, denom: string): bigint {
    const bytes = ctx.kv(BANK_STORE).get(balanceKeyShared(address, denom));
    return bytes === undefined ? 0n : decodeStoredAmount(bytes);
  }

  getAllBalances(ctx: Context, address: Uint8Array): Coin[] {
    const prefix = balancesPrefix(address);
    const out: Coin[] = [];
    for (const [key, value] of ctx.kv(BANK_STORE).iterator(prefix, prefixEnd(prefix))) {
      out.push({ denom: utf8Decode(key.subarray(prefix.length)), amount: decodeStoredAmount(value) });
    }
    return out;
  }

  /** Writes a balance; zero deletes the entry (as upstream). */
  private setBalance(ctx: Context, address: Uint8Array, denom: string, amount: bigint): void {
    if (amount < 0n) throw new InvariantError("negative balance");
    const kv = ctx.kv(BANK_STORE);
    if (amount === 0n) kv.delete(balanceKey(address, denom));
    else setOwned(kv, balanceKeyShared(address, denom), encodeAmount(amount)); // a never-changed key, a fresh value
  }

  /** Genesis and tests: set a balance without events or supply changes. */
  initBalance(ctx: Context, address: Uint8Array, coin: Coin): void {
    this.setBalance(ctx, address, coin.denom, coin.amount);
  }

  /** `bech32` and `amountText` (the address's and the coins' texts), when the caller has them already. */
  private subUnlockedCoins(
    ctx: Context,
    address: Uint8Array,
    coins: readonly Coin[],
    bech32?: string,
    amountText?: string,
  ): void {
    for (const coin of coins) {
      const balance = this.getBalance(ctx, address, coin.denom);
      if (balance < coin.amount) {
        throw SdkErrors.InsufficientFunds.wrap(
          `spendable balance ${balance}${coin.denom} is smaller than ${coin.amount}${coin.denom}`,
        );
      }
      this.setBalance(ctx, address, coin.denom, balance - coin.amount);
    }
    ctx.events.emit(coinSpentEvent(bech32 ?? encodeAddress(address), amountText ?? coinsString(coins)));
  }

  private addCoins(
    ctx: Context,
    address: Uint8Array,
    coins: readonly Coin[],
    bech32?: string,
    amountText?: string,
  ): void {
    for (const coin of coins) {
      this.setBalance(ctx, address, coin.denom, this.getBalance(ctx, address, coin.denom) + coin.amount);
    }
    ctx.events.emit(coinReceivedEvent(bech32 ?? encodeAddress(address), amountText ?? coinsString(coins)));
  }

  private ensureAccount(ctx: Context, address: Uint8Array): void {
    if (!this.auth.hasAccount(ctx, address)) this.auth.setAccount(ctx, this.auth.newAccountWithAddress(ctx, address));
  }

  /** `SendCoins`: no blocked-address check (the message server does it). */
  sendCoins(ctx: Context, from: Uint8Array, to: Uint8Array, coins: readonly Coin[]): void {
    const sender = encodeAddress(from);
    const recipient = encodeAddress(to);
    // The coins' text, once for the three events that show it.
    const amountText = coinsString(coins);
    this.subUnlockedCoins(ctx, from, coins, sender, amountText);
    this.addCoins(ctx, to, coins, recipient, amountText);
    this.ensureAccount(ctx, to);
    ctx.events.emit(transferEvent(recipient, sender, amountText));
    ctx.events.emit(messageSenderEvent(sender));
  }

  sendCoinsFromAccountToModule(ctx: Context, from: Uint8Array, module: string, coins: readonly Coin[]): void {
    const moduleAccount = this.auth.getOrCreateModuleAccount(ctx, module);
    this.sendCoins(ctx, from, moduleAccount.address, coins);
  }

  /** The module account's address (created on first use), checking a permission when one is named. */
  private moduleAccountAddress(ctx: Context, module: string, permission?: string): Uint8Array {
    const acc = this.auth.getOrCreateModuleAccount(ctx, module);
    if (permission !== undefined && !(acc.module?.permissions ?? []).includes(permission)) {
      throw SdkErrors.Unauthorized.wrap(`module account ${module} does not have permissions to ${permission}`);
    }
    return acc.address;
  }

  sendCoinsFromModuleToAccount(ctx: Context, module: string, to: Uint8Array, coins: readonly Coin[]): void {
    this.sendCoins(ctx, this.moduleAccountAddress(ctx, module), to, coins);
  }

  sendCoinsFromModuleToModule(ctx: Context, from: string, to: string, coins: readonly Coin[]): void {
    this.sendCoins(ctx, this.moduleAccountAddress(ctx, from), this.moduleAccountAddress(ctx, to), coins);
  }

  /** `DelegateCoinsFromAccountToModule`: `coin_spent` and `coin_received`, no `transfer` (as upstream). */
  delegateCoinsFromAccountToModule(ctx: Context, from: Uint8Array, module: string, coins: readonly Coin[]): void {
    const to = this.moduleAccountAddress(ctx, module, "staking");
    for (const coin of coins) {
      const balance = this.getBalance(ctx, from, coin.denom);
      if (balance < coin.amount) {
        throw SdkErrors.InsufficientFunds.wrap(
          `failed to delegate; ${balance}${coin.denom} is smaller than ${coin.amount}${coin.denom}`,
        );
      }
    }
    this.subUnlockedCoins(ctx, from, coins);
    this.addCoins(ctx, to, coins);
  }

  /** `UndelegateCoinsFromModuleToAccount`: `coin_spent` and `coin_received`, no `transfer`. */
  undelegateCoinsFromModuleToAccount(ctx: Context, module: string, to: Uint8Array, coins: readonly Coin[]): void {
    const from = this.moduleAccountAddress(ctx, module, "staking");
    this.subUnlockedCoins(ctx, from, coins);
    this.addCoins(ctx, to, coins);
    this.ensureAccount(ctx, to);
  }

  /** `MintCoins`: needs the `minter` permission; `coin_received`, supply up, `coinbase{minter, amount}`. */
  mintCoins(ctx: Context, module: string, coins: readonly Coin[]): void {
    const address = this.moduleAccountAddress(ctx, module, "minter");
    this.addCoins(ctx, address, coins);
    for (const c of coins) this.setSupply(ctx, { denom: c.denom, amount: this.getSupply(ctx, c.denom) + c.amount });
    ctx.events.emit(createEvent("coinbase", ["minter", encodeAddress(address)], ["amount", coinsString(coins)]));
  }

  /** `BurnCoins`: needs the `burner` permission; `coin_spent`, supply down, `burn{burner, amount}`. */
  burnCoins(ctx: Context, module: string, coins: readonly Coin[]): void {
    const address = this.moduleAccountAddress(ctx, module, "burner");
    this.subUnlockedCoins(ctx, address, coins);
    for (const c of coins) {
      const supply = this.getSupply(ctx, c.denom);
      if (supply < c.amount) throw new InvariantError(`burning more ${c.denom} than the supply`);
      this.setSupply(ctx, { denom: c.denom, amount: supply - c.amount });
    }
    ctx.events.emit(createEvent("burn", ["burner", encodeAddress(address)], ["amount", coinsString(coins)]));
  }

  /** `InputOutputCoins` with one input; the caller has checked that the sums match. */
  inputOutputCoins(ctx: Context, input: Output, outputs: readonly Output[]): void {
    const sender = encodeAddress(input.address);
    this.subUnlockedCoins(ctx, input.address, input.coins, sender);
    ctx.events.emit(messageSenderEvent(sender));
    for (const out of outputs) {
      const recipient = encodeAddress(out.address);
      this.addCoins(ctx, out.address, out.coins, recipient);
      ctx.events.emit(transferEvent(recipient, sender, coinsString(out.coins)));
      this.ensureAccount(ctx, out.address);
    }
  }

  getSupply(ctx: Context, denom: string): bigint {
    const bytes = ctx.kv(BANK_STORE).get(supplyKey(denom));
    return bytes === undefined ? 0n : decodeStoredAmount(bytes);
  }

  setSupply(ctx: Context, coin: Coin): void {
    const kv = ctx.kv(BANK_STORE);
    if (coin.amount === 0n) kv.delete(supplyKey(coin.denom));
    else kv.set(supplyKey(coin.denom), encodeAmount(coin.amount));
  }

  getTotalSupply(ctx: Context): Coin[] {
    const out: Coin[] = [];
    for (const [key, value] of ctx.kv(BANK_STORE).iterator(SUPPLY_PREFIX, prefixEnd(SUPPLY_PREFIX))) {
      out.push({ denom: utf8Decode(key.subarray(1)), amount: decodeStoredAmount(value) });
    }
    return out;
  }

  /** Every (address, balances) in address-key order. */
  *allBalances(ctx: Context): IterableIterator<Output> {
    let current: { address: Uint8Array; coins: Coin[] } | undefined;
    for (const [key, value] of ctx.kv(BANK_STORE).iterator(BALANCES_PREFIX, prefixEnd(BALANCES_PREFIX))) {
      const len = key[1]!;
      const address = key.slice(2, 2 + len);
      const denom = utf8Decode(key.subarray(2 + len));
      if (current === undefined || toHex(current.address) !== toHex(address)) {
        if (current !== undefined) yield current;
        current = { address, coins: [] };
      }
      current.coins.push({ denom, amount: decodeStoredAmount(value) });
    }
    if (current !== undefined) yield current;
  }

  getDenomMetadata(ctx: Context, denom: string): Metadata | undefined {
    const bytes = ctx.kv(BANK_STORE).get(metadataKey(denom));
    return bytes === undefined ? undefined : decodeMetadata(bytes);
  }

  setDenomMetadata(ctx: Context, m: Metadata): void {
    ctx.kv(BANK_STORE).set(metadataKey(m.base), encodeMetadata(m));
  }

  allDenomMetadata(ctx: Context): Metadata[] {
    const out: Metadata[] = [];
    for (const [, value] of ctx.kv(BANK_STORE).iterator(METADATA_PREFIX, prefixEnd(METADATA_PREFIX))) {
      out.push(decodeMetadata(value));
    }
    return out;
  }
}

export type { BankIo };
