/**
 * The staking keeper (Cosmos SDK 0.50 `x/staking/keeper`): validators with a power index, delegations
 * as shares of a validator's tokens, unbonding and redelegation entries with their time queues, the
 * bonded set (at most `max_validators` by power, jailed ones excluded) recomputed at end block, slashing
 * of validators and their in-flight unbondings, and the historical info kept for IBC-style queries.
 *
 * Tokens live in two module accounts: `bonded_tokens_pool` holds the tokens of bonded validators,
 * `not_bonded_tokens_pool` those of unbonding/unbonded validators and of unbonding delegations.
 */
import {
  BondStatus,
  type Delegation,
  type HistoricalInfo,
  type Redelegation,
  type RedelegationEntry,
  type StakingParams,
  type UnbondingDelegation,
  type UnbondingEntry,
  type Validator,
  decodeDelegation,
  decodeHistoricalInfo,
  decodeRedelegation,
  decodeStakingParams,
  decodeUnbondingDelegation,
  decodeValidator,
  encodeDelegation,
  encodeHistoricalInfo,
  encodeRedelegation,
  encodeStakingParams,
  encodeUnbondingDelegation,
  encodeValidator,
} from "../../codec/staking.ts";
import { Dec } from "../../primitives/amount.ts";
import { decodeAddress, encodeAddress } from "../../primitives/bech32.ts";
import { be64, bytesEqual, readBe64, utf8Decode, utf8Encode } from "../../primitives/bytes.ts";
import { toHex } from "../../primitives/hex.ts";
import { prefixEnd } from "../../store/index.ts";
import type { Context } from "../context.ts";
import { InvariantError } from "../errors.ts";
import { StakingErrors } from "./errors.ts";
import { completeRedelegationEvent, completeUnbondingEvent } from "./events.ts";
import {
  DELEGATION_PREFIX,
  HISTORICAL_PREFIX,
  LAST_POWER_PREFIX,
  LAST_TOTAL_POWER_KEY,
  PARAMS_KEY,
  POWER_INDEX_PREFIX,
  RED_PREFIX,
  RED_QUEUE_PREFIX,
  STAKING_STORE,
  UBD_PREFIX,
  UBD_QUEUE_PREFIX,
  UNBONDING_ID_KEY,
  VALIDATOR_PREFIX,
  VALIDATOR_QUEUE_PREFIX,
  delegationByValKey,
  delegationKey,
  delegationsByValPrefix,
  delegationsOfKey,
  historicalKey,
  lastPowerKey,
  powerIndexKey,
  queueEnd,
  redByDstKey,
  redBySrcKey,
  redKey,
  redQueueKey,
  redsByDstDelPrefix,
  redsBySrcPrefix,
  redsOfKey,
  splitLp,
  ubdByValKey,
  ubdKey,
  ubdQueueKey,
  ubdsByValPrefix,
  ubdsOfKey,
  validatorByConsKey,
  validatorKey,
  validatorQueueKey,
} from "./keys.ts";
import { BONDED_POOL, DEFAULT_STAKING_PARAMS, NOT_BONDED_POOL, POWER_REDUCTION } from "./params.ts";
import {
  type BankForStaking,
  type StakingHooks,
  type ValidatorUpdate,
  VALOPER_PREFIX,
  consAddressOf,
  consensusKeyBytes,
  operatorBytes,
  valoperAddress,
} from "./types.ts";

const EMPTY = new Uint8Array(0);

/** `LegacyDec.QuoInt`: the atomics divided by an integer, truncated. */
export const decQuoInt = (d: Dec, n: bigint): Dec => Dec.fromAtomics(d.atomics / n);

/** `LegacyDec.QuoRoundUp`. */
export function decQuoRoundUp(a: Dec, b: Dec): Dec {
  const num = a.atomics * 10n ** 18n;
  const q = num / b.atomics;
  return Dec.fromAtomics(num % b.atomics === 0n ? q : q + (num > 0n === b.atomics > 0n ? 1n : 0n));
}

/** Consensus power of a token amount. */
export const tokensToPower = (tokens: bigint): bigint => tokens / POWER_REDUCTION;

export const isBonded = (v: Validator): boolean => v.status === BondStatus.Bonded;
export const isUnbonded = (v: Validator): boolean => v.status === BondStatus.Unbonded;

/** `Validator.TokensFromShares`: shares × tokens / delegator shares (rounded as LegacyDec.Quo). */
export function tokensFromShares(v: Validator, shares: Dec): Dec {
  return shares.mulInt(v.tokens).quo(v.delegatorShares);
}

export function tokensFromSharesTruncated(v: Validator, shares: Dec): Dec {
  return shares.mulInt(v.tokens).quoTruncate(v.delegatorShares);
}

/** `Validator.SharesFromTokens`. */
export function sharesFromTokens(v: Validator, amount: bigint): Dec {
  if (v.tokens === 0n) throw StakingErrors.InsufficientShares.error();
  return decQuoInt(v.delegatorShares.mulInt(amount), v.tokens);
}

export function sharesFromTokensTruncated(v: Validator, amount: bigint): Dec {
  if (v.tokens === 0n) throw StakingErrors.InsufficientShares.error();
  return v.delegatorShares.mulInt(amount).quoTruncate(Dec.fromInt(v.tokens));
}

/** `Validator.ConsensusPower`: 0 unless bonded. */
export const consensusPower = (v: Validator): bigint => (isBonded(v) ? tokensToPower(v.tokens) : 0n);

export class StakingKeeper {
  private hooks: readonly StakingHooks[] = [];

  constructor(private readonly bank: BankForStaking) {}

  /** Subscribes hooks (distribution first, then slashing, as upstream's `NewMultiStakingHooks`). */
  setHooks(hooks: readonly StakingHooks[]): void {
    this.hooks = hooks;
  }

  private kv(ctx: Context) {
    return ctx.kv(STAKING_STORE);
  }

  // -------------------------------------------------------------------------------------------------
  // Params

  getParams(ctx: Context): StakingParams {
    const bytes = this.kv(ctx).get(PARAMS_KEY);
    return bytes === undefined ? DEFAULT_STAKING_PARAMS : decodeStakingParams(bytes);
  }

  setParams(ctx: Context, p: StakingParams): void {
    this.kv(ctx).set(PARAMS_KEY, encodeStakingParams(p));
  }

  bondDenom(ctx: Context): string {
    return this.getParams(ctx).bondDenom;
  }

  // -------------------------------------------------------------------------------------------------
  // Validators

  getValidator(ctx: Context, val: Uint8Array): Validator | undefined {
    const bytes = this.kv(ctx).get(validatorKey(val));
    return bytes === undefined ? undefined : decodeValidator(bytes);
  }

  mustGetValidator(ctx: Context, val: Uint8Array): Validator {
    const v = this.getValidator(ctx, val);
    if (v === undefined) throw StakingErrors.NoValidatorFound.error();
    return v;
  }

  getValidatorByConsAddr(ctx: Context, cons: Uint8Array): Validator | undefined {
    const val = this.kv(ctx).get(validatorByConsKey(cons));
    return val === undefined ? undefined : this.getValidator(ctx, val);
  }

  /** Writes the record and keeps the power index in step (jailed validators are not indexed). */
  setValidator(ctx: Context, v: Validator): void {
    const kv = this.kv(ctx);
    const val = operatorBytes(v);
    const old = this.getValidator(ctx, val);
    if (old !== undefined && !old.jailed) kv.delete(powerIndexKey(tokensToPower(old.tokens), val));
    kv.set(validatorKey(val), encodeValidator(v));
    if (!v.jailed) kv.set(powerIndexKey(tokensToPower(v.tokens), val), val);
  }

  /** A new validator: the record, the consensus-address index, the hook. */
  createValidator(ctx: Context, v: Validator): void {
    const val = operatorBytes(v);
    this.setValidator(ctx, v);
    this.kv(ctx).set(validatorByConsKey(consAddressOf(v)), val);
    for (const h of this.hooks) h.afterValidatorCreated?.(ctx, val);
  }

  /** Every validator in operator-address order. */
  *allValidators(ctx: Context): IterableIterator<Validator> {
    for (const [, value] of this.kv(ctx).iterator(VALIDATOR_PREFIX, prefixEnd(VALIDATOR_PREFIX))) {
      yield decodeValidator(value);
    }
  }

  /** Validators by power, highest first (the power index; jailed excluded). */
  *validatorsByPower(ctx: Context): IterableIterator<Validator> {
    for (const [, val] of this.kv(ctx).iterator(POWER_INDEX_PREFIX, prefixEnd(POWER_INDEX_PREFIX), true)) {
      const v = this.getValidator(ctx, val);
      if (v === undefined) throw new InvariantError("power index names a missing validator");
      yield v;
    }
  }

  private removeValidator(ctx: Context, val: Uint8Array): void {
    const v = this.getValidator(ctx, val);
    if (v === undefined) return;
    if (!isUnbonded(v)) throw new InvariantError("cannot remove a validator that is not unbonded");
    if (v.tokens !== 0n) throw new InvariantError("cannot remove a validator with tokens");
    const kv = this.kv(ctx);
    const cons = consAddressOf(v);
    kv.delete(validatorKey(val));
    kv.delete(validatorByConsKey(cons));
    if (!v.jailed) kv.delete(powerIndexKey(tokensToPower(v.tokens), val));
    for (const h of this.hooks) h.afterValidatorRemoved?.(ctx, cons, val);
  }

  // -------------------------------------------------------------------------------------------------
  // Last bonded set

  getLastValidatorPower(ctx: Context, val: Uint8Array): bigint | undefined {
    const b = this.kv(ctx).get(lastPowerKey(val));
    return b === undefined ? undefined : readBe64(b);
  }

  /** The last bonded set: operator (hex) → power, in key order. */
  lastValidatorPowers(ctx: Context): Map<string, { val: Uint8Array; power: bigint }> {
    const out = new Map<string, { val: Uint8Array; power: bigint }>();
    for (const [key, value] of this.kv(ctx).iterator(LAST_POWER_PREFIX, prefixEnd(LAST_POWER_PREFIX))) {
      const [val] = splitLp(key, 1, 1);
      out.set(toHex(val!), { val: val!, power: readBe64(value) });
    }
    return out;
  }

  getLastTotalPower(ctx: Context): bigint {
    const b = this.kv(ctx).get(LAST_TOTAL_POWER_KEY);
    return b === undefined ? 0n : BigInt(utf8Decode(b));
  }

  setLastTotalPower(ctx: Context, power: bigint): void {
    this.kv(ctx).set(LAST_TOTAL_POWER_KEY, utf8Encode(power.toString()));
  }

  setLastValidatorPower(ctx: Context, val: Uint8Array, power: bigint): void {
    this.kv(ctx).set(lastPowerKey(val), be64(power));
  }

  /** The validators of the last bonded set, by power (highest first). */
  lastValidators(ctx: Context): Validator[] {
    const list = [...this.lastValidatorPowers(ctx).values()].map(({ val }) => this.mustGetValidator(ctx, val));
    return list.sort((a, b) => (a.tokens > b.tokens ? -1 : a.tokens < b.tokens ? 1 : 0));
  }

  // -------------------------------------------------------------------------------------------------
  // Pools

  bondedTokens(ctx: Context): bigint {
    return this.bank.getBalance(ctx, this.moduleAddress(BONDED_POOL), this.bondDenom(ctx));
  }

  notBondedTokens(ctx: Context): bigint {
    return this.bank.getBalance(ctx, this.moduleAddress(NOT_BONDED_POOL), this.bondDenom(ctx));
  }

  private poolAddresses = new Map<string, Uint8Array>();

  /** Set by the wiring: module name → address (from auth). */
  setModuleAddresses(addresses: ReadonlyMap<string, Uint8Array>): void {
    this.poolAddresses = new Map(addresses);
  }

  private moduleAddress(name: string): Uint8Array {
    const a = this.poolAddresses.get(name);
    if (a === undefined) throw new InvariantError(`staking: no address for module ${name}`);
    return a;
  }

  private moveTokens(ctx: Context, from: string, to: string, amount: bigint): void {
    if (amount <= 0n) return;
    this.bank.sendCoinsFromModuleToModule(ctx, from, to, [{ denom: this.bondDenom(ctx), amount }]);
  }

  private burn(ctx: Context, pool: string, amount: bigint): void {
    if (amount <= 0n) return;
    this.bank.burnCoins(ctx, pool, [{ denom: this.bondDenom(ctx), amount }]);
  }

  // -------------------------------------------------------------------------------------------------
  // Delegations

  getDelegation(ctx: Context, del: Uint8Array, val: Uint8Array): Delegation | undefined {
    const b = this.kv(ctx).get(delegationKey(del, val));
    return b === undefined ? undefined : decodeDelegation(b);
  }

  setDelegation(ctx: Context, d: Delegation): void {
    const del = decodeAddress(d.delegatorAddress);
    const val = decodeAddress(d.validatorAddress, VALOPER_PREFIX);
    this.kv(ctx).set(delegationKey(del, val), encodeDelegation(d));
    this.kv(ctx).set(delegationByValKey(val, del), EMPTY);
  }

  private removeDelegation(ctx: Context, del: Uint8Array, val: Uint8Array): void {
    for (const h of this.hooks) h.beforeDelegationRemoved?.(ctx, del, val);
    this.kv(ctx).delete(delegationKey(del, val));
    this.kv(ctx).delete(delegationByValKey(val, del));
  }

  delegationsOf(ctx: Context, del: Uint8Array): Delegation[] {
    const p = delegationsOfKey(del);
    return [...this.kv(ctx).iterator(p, prefixEnd(p))].map(([, v]) => decodeDelegation(v));
  }

  delegationsTo(ctx: Context, val: Uint8Array): Delegation[] {
    const p = delegationsByValPrefix(val);
    const out: Delegation[] = [];
    for (const [key] of this.kv(ctx).iterator(p, prefixEnd(p))) {
      const [, del] = splitLp(key, 1, 2);
      const d = this.getDelegation(ctx, del!, val);
      if (d === undefined) throw new InvariantError("delegation index names a missing delegation");
      out.push(d);
    }
    return out;
  }

  *allDelegations(ctx: Context): IterableIterator<Delegation> {
    for (const [, v] of this.kv(ctx).iterator(DELEGATION_PREFIX, prefixEnd(DELEGATION_PREFIX))) {
      yield decodeDelegation(v);
    }
  }

  /**
   * `Delegate`: `amount` of the bond denom into `validator`. With `fromAccount` the coins come from the
   * delegator's account; otherwise (redelegation) they are already in the pool of `tokenSrc` and move
   * between pools as the statuses require. Returns the new shares.
   */
  delegate(
    ctx: Context,
    del: Uint8Array,
    amount: bigint,
    tokenSrc: BondStatus,
    validator: Validator,
    fromAccount: boolean,
  ): Dec {
    if (validator.tokens === 0n && !validator.delegatorShares.isZero()) {
      throw StakingErrors.DelegatorShareExRateInvalid.error();
    }
    const val = operatorBytes(validator);
    const existing = this.getDelegation(ctx, del, val);
    if (existing !== undefined) for (const h of this.hooks) h.beforeDelegationSharesModified?.(ctx, del, val);
    else for (const h of this.hooks) h.beforeDelegationCreated?.(ctx, del, val);
    if (fromAccount) {
      if (tokenSrc === BondStatus.Bonded) throw new InvariantError("delegation from an account cannot be bonded");
      const pool = isBonded(validator) ? BONDED_POOL : NOT_BONDED_POOL;
      this.bank.delegateCoinsFromAccountToModule(ctx, del, pool, [{ denom: this.bondDenom(ctx), amount }]);
    } else if (tokenSrc === BondStatus.Bonded && !isBonded(validator)) {
      this.moveTokens(ctx, BONDED_POOL, NOT_BONDED_POOL, amount);
    } else if (tokenSrc !== BondStatus.Bonded && isBonded(validator)) {
      this.moveTokens(ctx, NOT_BONDED_POOL, BONDED_POOL, amount);
    }
    // The validator may have changed through the hooks (distribution only reads it); re-read.
    const current = this.mustGetValidator(ctx, val);
    const issued = current.delegatorShares.isZero() ? Dec.fromInt(amount) : sharesFromTokens(current, amount);
    this.setValidator(ctx, {
      ...current,
      tokens: current.tokens + amount,
      delegatorShares: current.delegatorShares.add(issued),
    });
    const shares = (existing?.shares ?? Dec.ZERO).add(issued);
    this.setDelegation(ctx, {
      delegatorAddress: encodeAddress(del),
      validatorAddress: valoperAddress(val),
      shares,
    });
    for (const h of this.hooks) h.afterDelegationModified?.(ctx, del, val);
    return issued;
  }

  /** `Unbond`: removes `shares` from a delegation; returns the tokens they were worth. */
  unbond(ctx: Context, del: Uint8Array, val: Uint8Array, shares: Dec): bigint {
    const delegation = this.getDelegation(ctx, del, val);
    if (delegation === undefined) throw StakingErrors.NoDelegation.error();
    for (const h of this.hooks) h.beforeDelegationSharesModified?.(ctx, del, val);
    if (delegation.shares.compare(shares) < 0) {
      throw StakingErrors.NotEnoughDelegationShares.wrap(delegation.shares.toString());
    }
    const before = this.mustGetValidator(ctx, val);
    const remaining = delegation.shares.sub(shares);
    // An operator unbonding below its minimum self-delegation is jailed.
    if (bytesEqual(del, val) && !before.jailed) {
      if (tokensFromShares(before, remaining).truncateInt() < before.minSelfDelegation) this.jail(ctx, before);
    }
    if (remaining.isZero()) this.removeDelegation(ctx, del, val);
    else {
      this.setDelegation(ctx, { ...delegation, shares: remaining });
      for (const h of this.hooks) h.afterDelegationModified?.(ctx, del, val);
    }
    const { validator: updated, amount } = removeDelShares(this.mustGetValidator(ctx, val), shares);
    this.setValidator(ctx, updated);
    if (updated.delegatorShares.isZero() && isUnbonded(updated)) this.removeValidator(ctx, val);
    return amount;
  }

  // -------------------------------------------------------------------------------------------------
  // Unbonding delegations

  getUnbondingDelegation(ctx: Context, del: Uint8Array, val: Uint8Array): UnbondingDelegation | undefined {
    const b = this.kv(ctx).get(ubdKey(del, val));
    return b === undefined ? undefined : decodeUnbondingDelegation(b);
  }

  private setUnbondingDelegation(ctx: Context, del: Uint8Array, val: Uint8Array, u: UnbondingDelegation): void {
    if (u.entries.length === 0) {
      this.kv(ctx).delete(ubdKey(del, val));
      this.kv(ctx).delete(ubdByValKey(val, del));
      return;
    }
    this.kv(ctx).set(ubdKey(del, val), encodeUnbondingDelegation(u));
    this.kv(ctx).set(ubdByValKey(val, del), EMPTY);
  }

  unbondingDelegationsOf(ctx: Context, del: Uint8Array): UnbondingDelegation[] {
    const p = ubdsOfKey(del);
    return [...this.kv(ctx).iterator(p, prefixEnd(p))].map(([, v]) => decodeUnbondingDelegation(v));
  }

  unbondingDelegationsFrom(ctx: Context, val: Uint8Array): UnbondingDelegation[] {
    const p = ubdsByValPrefix(val);
    const out: UnbondingDelegation[] = [];
    for (const [key] of this.kv(ctx).iterator(p, prefixEnd(p))) {
      const [, del] = splitLp(key, 1, 2);
      const u = this.getUnbondingDelegation(ctx, del!, val);
      if (u !== undefined) out.push(u);
    }
    return out;
  }

  *allUnbondingDelegations(ctx: Context): IterableIterator<UnbondingDelegation> {
    for (const [, v] of this.kv(ctx).iterator(UBD_PREFIX, prefixEnd(UBD_PREFIX))) yield decodeUnbondingDelegation(v);
  }

  private nextUnbondingId(ctx: Context): bigint {
    const b = this.kv(ctx).get(UNBONDING_ID_KEY);
    const id = (b === undefined ? 0n : readBe64(b)) + 1n;
    this.kv(ctx).set(UNBONDING_ID_KEY, be64(id));
    return id;
  }

  /** `Undelegate`: unbonds the shares and starts an unbonding entry; returns its completion time and amount. */
  undelegate(ctx: Context, del: Uint8Array, val: Uint8Array, shares: Dec): { completionTime: bigint; amount: bigint } {
    const validator = this.mustGetValidator(ctx, val);
    const params = this.getParams(ctx);
    const existing = this.getUnbondingDelegation(ctx, del, val);
    if ((existing?.entries.length ?? 0) >= params.maxEntries) throw StakingErrors.MaxUnbondingDelegationEntries.error();
    const amount = this.unbond(ctx, del, val, shares);
    if (isBonded(validator)) this.moveTokens(ctx, BONDED_POOL, NOT_BONDED_POOL, amount);
    const completionTime = ctx.header.timeNanos + params.unbondingTime;
    const height = BigInt(ctx.height);
    const entries = [...(this.getUnbondingDelegation(ctx, del, val)?.entries ?? [])];
    const same = entries.findIndex((e) => e.creationHeight === height && e.completionTime === completionTime);
    if (same >= 0) {
      const e = entries[same]!;
      entries[same] = { ...e, initialBalance: e.initialBalance + amount, balance: e.balance + amount };
    } else {
      entries.push({
        creationHeight: height,
        completionTime,
        initialBalance: amount,
        balance: amount,
        unbondingId: this.nextUnbondingId(ctx),
      });
    }
    this.setUnbondingDelegation(ctx, del, val, {
      delegatorAddress: encodeAddress(del),
      validatorAddress: valoperAddress(val),
      entries,
    });
    this.kv(ctx).set(ubdQueueKey(completionTime, del, val), EMPTY);
    return { completionTime, amount };
  }

  /** `CompleteUnbonding`: pays out every mature entry; returns the amount paid. */
  completeUnbonding(ctx: Context, del: Uint8Array, val: Uint8Array): bigint {
    const u = this.getUnbondingDelegation(ctx, del, val);
    if (u === undefined) throw StakingErrors.NoUnbondingDelegation.error();
    const now = ctx.header.timeNanos;
    let paid = 0n;
    const kept: UnbondingEntry[] = [];
    for (const e of u.entries) {
      if (e.completionTime <= now) paid += e.balance;
      else kept.push(e);
    }
    this.setUnbondingDelegation(ctx, del, val, { ...u, entries: kept });
    if (paid > 0n) {
      this.bank.undelegateCoinsFromModuleToAccount(ctx, NOT_BONDED_POOL, del, [
        { denom: this.bondDenom(ctx), amount: paid },
      ]);
    }
    return paid;
  }

  /**
   * `CancelUnbondingDelegation`: takes `amount` back out of the entry created at `creationHeight` and
   * delegates it again to the validator.
   */
  cancelUnbonding(ctx: Context, del: Uint8Array, val: Uint8Array, amount: bigint, creationHeight: bigint): void {
    const validator = this.mustGetValidator(ctx, val);
    if (validator.jailed) throw StakingErrors.ValidatorJailed.error();
    const u = this.getUnbondingDelegation(ctx, del, val);
    if (u === undefined) throw StakingErrors.NoUnbondingDelegation.error();
    const i = u.entries.findIndex((e) => e.creationHeight === creationHeight);
    const entry = u.entries[i];
    if (entry === undefined) {
      throw StakingErrors.NoUnbondingDelegation.wrap(
        `unbonding delegation entry is not found at block height ${creationHeight}`,
      );
    }
    if (entry.balance < amount)
      throw StakingErrors.NoUnbondingDelegation.wrap(`amount is greater than the unbonding delegation entry balance`);
    if (entry.completionTime <= ctx.header.timeNanos)
      throw StakingErrors.NoUnbondingDelegation.wrap("unbonding delegation is already processed");
    // Tokens leave the not-bonded pool to the validator's pool.
    this.delegate(ctx, del, amount, BondStatus.Unbonding, validator, false);
    const entries = [...u.entries];
    if (entry.balance === amount) entries.splice(i, 1);
    else entries[i] = { ...entry, balance: entry.balance - amount, initialBalance: entry.initialBalance - amount };
    this.setUnbondingDelegation(ctx, del, val, { ...u, entries });
  }

  // -------------------------------------------------------------------------------------------------
  // Redelegations

  getRedelegation(ctx: Context, del: Uint8Array, src: Uint8Array, dst: Uint8Array): Redelegation | undefined {
    const b = this.kv(ctx).get(redKey(del, src, dst));
    return b === undefined ? undefined : decodeRedelegation(b);
  }

  private setRedelegation(ctx: Context, del: Uint8Array, src: Uint8Array, dst: Uint8Array, r: Redelegation): void {
    const kv = this.kv(ctx);
    if (r.entries.length === 0) {
      kv.delete(redKey(del, src, dst));
      kv.delete(redBySrcKey(src, del, dst));
      kv.delete(redByDstKey(dst, del, src));
      return;
    }
    kv.set(redKey(del, src, dst), encodeRedelegation(r));
    kv.set(redBySrcKey(src, del, dst), EMPTY);
    kv.set(redByDstKey(dst, del, src), EMPTY);
  }

  redelegationsOf(ctx: Context, del: Uint8Array): Redelegation[] {
    const p = redsOfKey(del);
    return [...this.kv(ctx).iterator(p, prefixEnd(p))].map(([, v]) => decodeRedelegation(v));
  }

  redelegationsFrom(ctx: Context, src: Uint8Array): Redelegation[] {
    const p = redsBySrcPrefix(src);
    const out: Redelegation[] = [];
    for (const [key] of this.kv(ctx).iterator(p, prefixEnd(p))) {
      const [, del, dst] = splitLp(key, 1, 3);
      const r = this.getRedelegation(ctx, del!, src, dst!);
      if (r !== undefined) out.push(r);
    }
    return out;
  }

  *allRedelegations(ctx: Context): IterableIterator<Redelegation> {
    for (const [, v] of this.kv(ctx).iterator(RED_PREFIX, prefixEnd(RED_PREFIX))) yield decodeRedelegation(v);
  }

  /** True when `del` has a redelegation in progress whose destination is `val`. */
  hasReceivingRedelegation(ctx: Context, del: Uint8Array, val: Uint8Array): boolean {
    const p = redsByDstDelPrefix(val, del);
    for (const _entry of this.kv(ctx).iterator(p, prefixEnd(p))) return true;
    return false;
  }

  /** `BeginRedelegation`: returns the completion time (the block time when it completes at once). */
  beginRedelegation(ctx: Context, del: Uint8Array, src: Uint8Array, dst: Uint8Array, shares: Dec): bigint {
    if (bytesEqual(src, dst)) throw StakingErrors.SelfRedelegation.error();
    const dstValidator = this.getValidator(ctx, dst);
    if (dstValidator === undefined) throw StakingErrors.BadRedelegationDst.error();
    const srcValidator = this.getValidator(ctx, src);
    if (srcValidator === undefined) throw StakingErrors.BadRedelegationSrc.error();
    if (this.hasReceivingRedelegation(ctx, del, src)) throw StakingErrors.TransitiveRedelegation.error();
    const params = this.getParams(ctx);
    const existing = this.getRedelegation(ctx, del, src, dst);
    if ((existing?.entries.length ?? 0) >= params.maxEntries) throw StakingErrors.MaxRedelegationEntries.error();
    const amount = this.unbond(ctx, del, src, shares);
    if (amount === 0n) throw StakingErrors.TinyRedelegationAmount.error();
    const srcAfter = this.getValidator(ctx, src);
    const dstNow = this.mustGetValidator(ctx, dst);
    const sharesCreated = this.delegate(ctx, del, amount, srcValidator.status, dstNow, false);
    // Completion as upstream's getBeginInfo, from the source validator's state after the unbond.
    let completionTime = ctx.header.timeNanos;
    let height = BigInt(ctx.height);
    let completeNow = true;
    if (srcAfter !== undefined && isBonded(srcAfter)) {
      completionTime = ctx.header.timeNanos + params.unbondingTime;
      completeNow = false;
    } else if (srcAfter !== undefined && srcAfter.status === BondStatus.Unbonding) {
      completionTime = srcAfter.unbondingTime;
      height = srcAfter.unbondingHeight;
      completeNow = false;
    }
    if (completeNow) return completionTime;
    const entries: RedelegationEntry[] = [
      ...(existing?.entries ?? []),
      {
        creationHeight: height,
        completionTime,
        initialBalance: amount,
        sharesDst: sharesCreated,
        unbondingId: this.nextUnbondingId(ctx),
      },
    ];
    this.setRedelegation(ctx, del, src, dst, {
      delegatorAddress: encodeAddress(del),
      validatorSrcAddress: valoperAddress(src),
      validatorDstAddress: valoperAddress(dst),
      entries,
    });
    this.kv(ctx).set(redQueueKey(completionTime, del, src, dst), EMPTY);
    return completionTime;
  }

  /** `CompleteRedelegation`: drops mature entries; returns the sum of their initial balances. */
  completeRedelegation(ctx: Context, del: Uint8Array, src: Uint8Array, dst: Uint8Array): bigint {
    const r = this.getRedelegation(ctx, del, src, dst);
    if (r === undefined) throw StakingErrors.NoRedelegation.error();
    const now = ctx.header.timeNanos;
    let balance = 0n;
    const kept = r.entries.filter((e) => {
      if (e.completionTime <= now) {
        balance += e.initialBalance;
        return false;
      }
      return true;
    });
    this.setRedelegation(ctx, del, src, dst, { ...r, entries: kept });
    return balance;
  }

  // -------------------------------------------------------------------------------------------------
  // Jail, slash

  jail(ctx: Context, v: Validator): void {
    if (v.jailed) throw new InvariantError("cannot jail an already jailed validator");
    this.setValidator(ctx, { ...v, jailed: true });
  }

  jailByConsAddr(ctx: Context, cons: Uint8Array): void {
    const v = this.getValidatorByConsAddr(ctx, cons);
    if (v === undefined) throw new InvariantError("jail: no validator for consensus address");
    if (!v.jailed) this.jail(ctx, v);
  }

  unjailByConsAddr(ctx: Context, cons: Uint8Array): void {
    const v = this.getValidatorByConsAddr(ctx, cons);
    if (v === undefined) throw new InvariantError("unjail: no validator for consensus address");
    if (!v.jailed) throw new InvariantError("cannot unjail a validator that is not jailed");
    this.setValidator(ctx, { ...v, jailed: false });
  }

  /**
   * `Slash`: burns `fraction` of the stake the validator had at `infractionHeight` (power × 10^6),
   * first from unbonding delegations and redelegations that started at or after the infraction, the
   * rest from the validator's tokens. Returns the tokens burned from the validator itself.
   */
  slash(ctx: Context, cons: Uint8Array, infractionHeight: bigint, power: bigint, fraction: Dec): bigint {
    if (fraction.isNegative()) throw new InvariantError("negative slash fraction");
    const slashAmount = Dec.fromInt(power * POWER_REDUCTION)
      .mul(fraction)
      .truncateInt();
    const validator = this.getValidatorByConsAddr(ctx, cons);
    if (validator === undefined) return 0n;
    if (isUnbonded(validator)) throw new InvariantError("should not be slashing an unbonded validator");
    const val = operatorBytes(validator);
    let remaining = slashAmount;
    if (infractionHeight < BigInt(ctx.height)) {
      for (const u of this.unbondingDelegationsFrom(ctx, val)) {
        remaining -= this.slashUnbondingDelegation(ctx, u, infractionHeight, fraction);
      }
      for (const r of this.redelegationsFrom(ctx, val)) {
        remaining -= this.slashRedelegation(ctx, r, infractionHeight, fraction);
      }
    }
    const current = this.mustGetValidator(ctx, val);
    let toBurn = remaining < current.tokens ? remaining : current.tokens;
    if (toBurn < 0n) toBurn = 0n;
    if (toBurn === 0n) return 0n;
    let effective = decQuoRoundUp(Dec.fromInt(toBurn), Dec.fromInt(current.tokens));
    if (effective.compare(Dec.ONE) > 0) effective = Dec.ONE;
    for (const h of this.hooks) h.beforeValidatorSlashed?.(ctx, val, effective);
    const after = this.mustGetValidator(ctx, val);
    this.setValidator(ctx, { ...after, tokens: after.tokens - toBurn });
    this.burn(ctx, isBonded(after) ? BONDED_POOL : NOT_BONDED_POOL, toBurn);
    return toBurn;
  }

  private slashUnbondingDelegation(
    ctx: Context,
    u: UnbondingDelegation,
    infractionHeight: bigint,
    fraction: Dec,
  ): bigint {
    const now = ctx.header.timeNanos;
    let total = 0n;
    let burned = 0n;
    const entries = u.entries.map((e) => {
      if (e.creationHeight < infractionHeight || e.completionTime <= now) return e;
      const amount = Dec.fromInt(e.initialBalance).mul(fraction).truncateInt();
      total += amount;
      const cut = amount < e.balance ? amount : e.balance;
      if (cut <= 0n) return e;
      burned += cut;
      return { ...e, balance: e.balance - cut };
    });
    const del = decodeAddress(u.delegatorAddress);
    const val = decodeAddress(u.validatorAddress, VALOPER_PREFIX);
    this.setUnbondingDelegation(ctx, del, val, { ...u, entries });
    this.burn(ctx, NOT_BONDED_POOL, burned);
    return total;
  }

  private slashRedelegation(ctx: Context, r: Redelegation, infractionHeight: bigint, fraction: Dec): bigint {
    const now = ctx.header.timeNanos;
    const del = decodeAddress(r.delegatorAddress);
    const dst = decodeAddress(r.validatorDstAddress, VALOPER_PREFIX);
    let total = 0n;
    let bondedBurn = 0n;
    let notBondedBurn = 0n;
    for (const e of r.entries) {
      if (e.creationHeight < infractionHeight || e.completionTime <= now) continue;
      total += Dec.fromInt(e.initialBalance).mul(fraction).truncateInt();
      let shares = fraction.mul(e.sharesDst);
      if (shares.isZero()) continue;
      const delegation = this.getDelegation(ctx, del, dst);
      if (delegation === undefined) continue;
      if (shares.compare(delegation.shares) > 0) shares = delegation.shares;
      const tokens = this.unbond(ctx, del, dst, shares);
      const dstValidator = this.getValidator(ctx, dst);
      if (dstValidator !== undefined && isBonded(dstValidator)) bondedBurn += tokens;
      else notBondedBurn += tokens;
    }
    this.burn(ctx, BONDED_POOL, bondedBurn);
    this.burn(ctx, NOT_BONDED_POOL, notBondedBurn);
    return total;
  }

  // -------------------------------------------------------------------------------------------------
  // Block hooks

  /** Begin block: `TrackHistoricalInfo`. */
  trackHistoricalInfo(ctx: Context): void {
    const entries = BigInt(this.getParams(ctx).historicalEntries);
    const kv = this.kv(ctx);
    for (let h = BigInt(ctx.height) - entries; h >= 0n; h--) {
      if (!kv.has(historicalKey(h))) break;
      kv.delete(historicalKey(h));
    }
    if (entries === 0n) return;
    const info: HistoricalInfo = {
      chainId: ctx.chainId,
      height: BigInt(ctx.height),
      timeNanos: ctx.header.timeNanos,
      valset: this.lastValidators(ctx),
    };
    kv.set(historicalKey(BigInt(ctx.height)), encodeHistoricalInfo(info));
  }

  getHistoricalInfo(ctx: Context, height: bigint): HistoricalInfo | undefined {
    const b = this.kv(ctx).get(historicalKey(height));
    return b === undefined ? undefined : decodeHistoricalInfo(b);
  }

  *allHistoricalInfo(ctx: Context): IterableIterator<HistoricalInfo> {
    for (const [, v] of this.kv(ctx).iterator(HISTORICAL_PREFIX, prefixEnd(HISTORICAL_PREFIX))) {
      yield decodeHistoricalInfo(v);
    }
  }

  /**
   * `ApplyAndReturnValidatorSetUpdates`: the top `max_validators` by power become (or stay) bonded,
   * the rest of the last set begin unbonding; tokens move between the pools; returns the changes.
   */
  applyValidatorSetUpdates(ctx: Context): ValidatorUpdate[] {
    const max = this.getParams(ctx).maxValidators;
    const last = this.lastValidatorPowers(ctx);
    const updates: ValidatorUpdate[] = [];
    let totalPower = 0n;
    let toBonded = 0n;
    let toNotBonded = 0n;
    let count = 0;
    for (const v of [...this.validatorsByPower(ctx)]) {
      if (count >= max) break;
      if (v.jailed) throw new InvariantError("a jailed validator is in the power index");
      const potential = tokensToPower(v.tokens);
      if (potential === 0n) break;
      const val = operatorBytes(v);
      let current = v;
      if (!isBonded(v)) {
        toBonded += v.tokens;
        current = this.bondValidator(ctx, v);
      }
      const hex = toHex(val);
      const old = last.get(hex);
      const power = consensusPower(current);
      if (old === undefined || old.power !== power) {
        updates.push({ pubKey: consensusKeyBytes(current), power });
        this.setLastValidatorPower(ctx, val, power);
      }
      last.delete(hex);
      count++;
      totalPower += power;
    }
    const gone = [...last.values()].sort((a, b) => (toHex(a.val) < toHex(b.val) ? -1 : 1));
    for (const { val } of gone) {
      const v = this.mustGetValidator(ctx, val);
      if (isBonded(v)) {
        toNotBonded += v.tokens;
        this.beginUnbondingValidator(ctx, v);
      }
      this.kv(ctx).delete(lastPowerKey(val));
      updates.push({ pubKey: consensusKeyBytes(v), power: 0n });
    }
    if (toBonded > toNotBonded) this.moveTokens(ctx, NOT_BONDED_POOL, BONDED_POOL, toBonded - toNotBonded);
    else if (toNotBonded > toBonded) this.moveTokens(ctx, BONDED_POOL, NOT_BONDED_POOL, toNotBonded - toBonded);
    if (updates.length > 0) this.setLastTotalPower(ctx, totalPower);
    return updates;
  }

  private bondValidator(ctx: Context, v: Validator): Validator {
    const val = operatorBytes(v);
    if (v.status === BondStatus.Unbonding) {
      this.kv(ctx).delete(validatorQueueKey(v.unbondingTime, v.unbondingHeight, val));
    }
    const bonded: Validator = { ...v, status: BondStatus.Bonded };
    this.setValidator(ctx, bonded);
    for (const h of this.hooks) h.afterValidatorBonded?.(ctx, consAddressOf(v), val);
    return bonded;
  }

  private beginUnbondingValidator(ctx: Context, v: Validator): void {
    const val = operatorBytes(v);
    const time = ctx.header.timeNanos + this.getParams(ctx).unbondingTime;
    const height = BigInt(ctx.height);
    this.setValidator(ctx, { ...v, status: BondStatus.Unbonding, unbondingTime: time, unbondingHeight: height });
    this.kv(ctx).set(validatorQueueKey(time, height, val), EMPTY);
    for (const h of this.hooks) h.afterValidatorBeginUnbonding?.(ctx, consAddressOf(v), val);
  }

  /** `UnbondAllMatureValidators`. */
  unbondMatureValidators(ctx: Context): void {
    const kv = this.kv(ctx);
    const due = [...kv.iterator(VALIDATOR_QUEUE_PREFIX, queueEnd(VALIDATOR_QUEUE_PREFIX, ctx.header.timeNanos))];
    for (const [key] of due) {
      const height = readBe64(key, 9);
      if (height > BigInt(ctx.height)) continue;
      const [val] = splitLp(key, 17, 1);
      kv.delete(key);
      const v = this.getValidator(ctx, val!);
      if (v === undefined || v.status !== BondStatus.Unbonding) continue;
      const unbonded: Validator = { ...v, status: BondStatus.Unbonded };
      this.setValidator(ctx, unbonded);
      if (unbonded.delegatorShares.isZero()) this.removeValidator(ctx, val!);
    }
  }

  /** End block: the set updates, then mature validators, unbondings and redelegations (upstream order). */
  endBlock(ctx: Context): ValidatorUpdate[] {
    const updates = this.applyValidatorSetUpdates(ctx);
    this.unbondMatureValidators(ctx);
    const kv = this.kv(ctx);
    const now = ctx.header.timeNanos;
    const denom = this.bondDenom(ctx);
    for (const [key] of [...kv.iterator(UBD_QUEUE_PREFIX, queueEnd(UBD_QUEUE_PREFIX, now))]) {
      kv.delete(key);
      const [del, val] = splitLp(key, 9, 2);
      if (this.getUnbondingDelegation(ctx, del!, val!) === undefined) continue;
      const paid = this.completeUnbonding(ctx, del!, val!);
      ctx.events.emit(completeUnbondingEvent(`${paid}${denom}`, valoperAddress(val!), encodeAddress(del!)));
    }
    for (const [key] of [...kv.iterator(RED_QUEUE_PREFIX, queueEnd(RED_QUEUE_PREFIX, now))]) {
      kv.delete(key);
      const [del, src, dst] = splitLp(key, 9, 3);
      if (this.getRedelegation(ctx, del!, src!, dst!) === undefined) continue;
      const balance = this.completeRedelegation(ctx, del!, src!, dst!);
      ctx.events.emit(
        completeRedelegationEvent(
          `${balance}${denom}`,
          encodeAddress(del!),
          valoperAddress(src!),
          valoperAddress(dst!),
        ),
      );
    }
    return updates;
  }

  // -------------------------------------------------------------------------------------------------
  // Genesis

  /** A genesis validator: record and indexes; `runHooks` for a fresh genesis (AfterValidatorCreated). */
  initValidator(ctx: Context, v: Validator, runHooks: boolean): void {
    if (runHooks) {
      this.createValidator(ctx, v);
      return;
    }
    this.setValidator(ctx, v);
    this.kv(ctx).set(validatorByConsKey(consAddressOf(v)), operatorBytes(v));
  }

  enqueueUnbondingValidator(ctx: Context, v: Validator): void {
    this.kv(ctx).set(validatorQueueKey(v.unbondingTime, v.unbondingHeight, operatorBytes(v)), EMPTY);
  }

  initDelegation(ctx: Context, d: Delegation, runHooks: boolean): void {
    const del = decodeAddress(d.delegatorAddress);
    const val = decodeAddress(d.validatorAddress, VALOPER_PREFIX);
    if (runHooks) for (const h of this.hooks) h.beforeDelegationCreated?.(ctx, del, val);
    this.setDelegation(ctx, d);
    if (runHooks) for (const h of this.hooks) h.afterDelegationModified?.(ctx, del, val);
  }

  initUnbondingDelegation(ctx: Context, u: UnbondingDelegation): void {
    const del = decodeAddress(u.delegatorAddress);
    const val = decodeAddress(u.validatorAddress, VALOPER_PREFIX);
    this.setUnbondingDelegation(ctx, del, val, u);
    for (const e of u.entries) this.kv(ctx).set(ubdQueueKey(e.completionTime, del, val), EMPTY);
  }

  initRedelegation(ctx: Context, r: Redelegation): void {
    const del = decodeAddress(r.delegatorAddress);
    const src = decodeAddress(r.validatorSrcAddress, VALOPER_PREFIX);
    const dst = decodeAddress(r.validatorDstAddress, VALOPER_PREFIX);
    this.setRedelegation(ctx, del, src, dst, r);
    for (const e of r.entries) this.kv(ctx).set(redQueueKey(e.completionTime, del, src, dst), EMPTY);
  }

  poolBalance(ctx: Context, pool: string, denom: string): bigint {
    return this.bank.getBalance(ctx, this.moduleAddress(pool), denom);
  }

  /** The operator bytes of a validator record. */
  operatorOf(v: Validator): Uint8Array {
    return operatorBytes(v);
  }

  /** Total tokens of bonded validators (gov tally, mint's bonded ratio). */
  totalBondedTokens(ctx: Context): bigint {
    return this.bondedTokens(ctx);
  }
}

/** `Validator.RemoveDelShares`. */
export function removeDelShares(v: Validator, shares: Dec): { validator: Validator; amount: bigint } {
  const remaining = v.delegatorShares.sub(shares);
  let amount: bigint;
  if (remaining.isZero()) amount = v.tokens;
  else amount = tokensFromShares(v, shares).truncateInt();
  if (amount > v.tokens) throw new InvariantError("removing more tokens than the validator has");
  return { validator: { ...v, tokens: v.tokens - amount, delegatorShares: remaining }, amount };
}
