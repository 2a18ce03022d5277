/**
 * The distribution keeper: F1 fee distribution as Cosmos SDK 0.50 `x/distribution/keeper` does it.
 *
 * Each begin block moves the fee collector's balance to the distribution module and splits it by the
 * power of the last commit's votes, after the community tax (and Secret's foundation tax). A
 * validator's share is split into commission (its rate) and delegator rewards, which accumulate in
 * the validator's current period. A delegation's rewards are `stake × (ratio[end] − ratio[start])`,
 * with the cumulative reward-per-token ratio kept per period and the stake reduced at each slash.
 * Truncation dust goes to the community pool. Staking calls in through `hooks()`.
 */
import {
  type CurrentRewards,
  type DistributionParams,
  type HistoricalRewards,
  type SlashEvent,
  type StartingInfo,
  decodeCurrentRewards,
  decodeDistributionParams,
  decodeHistoricalRewards,
  decodeSlashEvent,
  decodeStartingInfo,
  encodeCurrentRewards,
  encodeDistributionParams,
  encodeHistoricalRewards,
  encodeSlashEvent,
  encodeStartingInfo,
} from "../../codec/distribution.ts";
import {
  BondStatus,
  type Delegation,
  type Validator,
  decodeDecCoinsMessage,
  encodeDecCoinsMessage,
} from "../../codec/staking.ts";
import { Dec } from "../../primitives/amount.ts";
import { decodeAddress, encodeAddress } from "../../primitives/bech32.ts";
import { readBe64 } from "../../primitives/bytes.ts";
import { prefixEnd } from "../../store/index.ts";
import type { Context } from "../context.ts";
import { InvariantError, SdkErrors } from "../errors.ts";
import type { VoteInfo } from "../modules/abci.ts";
import { scratchContext } from "../modules/scratch.ts";
import { tokensFromShares, tokensFromSharesTruncated } from "../staking/keeper.ts";
import { type StakingHooks, operatorBytes, valoperAddress } from "../staking/types.ts";
import {
  type DecCoin,
  addDecCoins,
  decCoinsFromCoins,
  decCoinsString,
  intersectDecCoins,
  isZeroDecCoins,
  mulDec,
  mulDecTruncate,
  quoDecTruncate,
  safeSubDecCoins,
  subDecCoins,
  truncateDecCoins,
} from "./decCoins.ts";
import { DistributionErrors } from "./errors.ts";
import { commissionEvent, rewardsEvent, withdrawCommissionEvent, withdrawRewardsEvent } from "./events.ts";
import {
  COMMISSION_PREFIX,
  CURRENT_PREFIX,
  DISTRIBUTION_STORE,
  FEE_POOL_KEY,
  HISTORICAL_PREFIX,
  OUTSTANDING_PREFIX,
  PARAMS_KEY,
  PROPOSER_KEY,
  RESTAKE_PREFIX,
  SLASH_EVENT_PREFIX,
  STARTING_INFO_PREFIX,
  WITHDRAW_ADDR_PREFIX,
  commissionKey,
  currentKey,
  historicalKey,
  historicalPrefix,
  outstandingKey,
  restakeKey,
  restakePrefix,
  slashEventKey,
  slashEventPrefix,
  startingInfoKey,
  withdrawAddrKey,
} from "./keys.ts";
import { DEFAULT_DISTRIBUTION_PARAMS, DISTRIBUTION_MODULE, FEE_COLLECTOR_MODULE } from "./params.ts";
import type { BankForDistribution, DistributionGenesis, StakingForDistribution } from "./types.ts";
import type { Coin } from "../coins.ts";

const EMPTY = new Uint8Array(0);
/** `LegacySmallestDec × 3`: the tolerated stake rounding error. */
const STAKE_MARGIN = Dec.fromAtomics(3n);

const lpSplit = (key: Uint8Array, offset: number): { value: Uint8Array; next: number } => {
  const len = key[offset]!;
  return { value: key.slice(offset + 1, offset + 1 + len), next: offset + 1 + len };
};

export class DistributionKeeper {
  constructor(
    private readonly bank: BankForDistribution,
    private readonly staking: StakingForDistribution,
  ) {}

  private kv(ctx: Context) {
    return ctx.kv(DISTRIBUTION_STORE);
  }

  // -------------------------------------------------------------------------------------------------
  // Simple records

  getParams(ctx: Context): DistributionParams {
    const b = this.kv(ctx).get(PARAMS_KEY);
    return b === undefined ? DEFAULT_DISTRIBUTION_PARAMS : decodeDistributionParams(b);
  }

  setParams(ctx: Context, p: DistributionParams): void {
    this.kv(ctx).set(PARAMS_KEY, encodeDistributionParams(p));
  }

  getCommunityPool(ctx: Context): DecCoin[] {
    const b = this.kv(ctx).get(FEE_POOL_KEY);
    return b === undefined ? [] : decodeDecCoinsMessage(b, "FeePool");
  }

  setCommunityPool(ctx: Context, pool: readonly DecCoin[]): void {
    this.kv(ctx).set(FEE_POOL_KEY, encodeDecCoinsMessage(pool));
  }

  private addToCommunityPool(ctx: Context, coins: readonly DecCoin[]): void {
    if (coins.length === 0) return;
    this.setCommunityPool(ctx, addDecCoins(this.getCommunityPool(ctx), coins));
  }

  getPreviousProposer(ctx: Context): Uint8Array | undefined {
    return this.kv(ctx).get(PROPOSER_KEY);
  }

  setPreviousProposer(ctx: Context, cons: Uint8Array): void {
    this.kv(ctx).set(PROPOSER_KEY, cons);
  }

  getOutstanding(ctx: Context, val: Uint8Array): DecCoin[] {
    const b = this.kv(ctx).get(outstandingKey(val));
    return b === undefined ? [] : decodeDecCoinsMessage(b, "ValidatorOutstandingRewards");
  }

  setOutstanding(ctx: Context, val: Uint8Array, coins: readonly DecCoin[]): void {
    this.kv(ctx).set(outstandingKey(val), encodeDecCoinsMessage(coins));
  }

  getCommission(ctx: Context, val: Uint8Array): DecCoin[] {
    const b = this.kv(ctx).get(commissionKey(val));
    return b === undefined ? [] : decodeDecCoinsMessage(b, "ValidatorAccumulatedCommission");
  }

  setCommission(ctx: Context, val: Uint8Array, coins: readonly DecCoin[]): void {
    this.kv(ctx).set(commissionKey(val), encodeDecCoinsMessage(coins));
  }

  getCurrentRewards(ctx: Context, val: Uint8Array): CurrentRewards {
    const b = this.kv(ctx).get(currentKey(val));
    if (b === undefined) throw new InvariantError("validator has no current rewards record");
    return decodeCurrentRewards(b);
  }

  setCurrentRewards(ctx: Context, val: Uint8Array, c: CurrentRewards): void {
    this.kv(ctx).set(currentKey(val), encodeCurrentRewards(c));
  }

  getHistoricalRewards(ctx: Context, val: Uint8Array, period: bigint): HistoricalRewards {
    const b = this.kv(ctx).get(historicalKey(val, period));
    if (b === undefined) throw new InvariantError(`no historical rewards for period ${period}`);
    return decodeHistoricalRewards(b);
  }

  setHistoricalRewards(ctx: Context, val: Uint8Array, period: bigint, h: HistoricalRewards): void {
    this.kv(ctx).set(historicalKey(val, period), encodeHistoricalRewards(h));
  }

  getStartingInfo(ctx: Context, val: Uint8Array, del: Uint8Array): StartingInfo | undefined {
    const b = this.kv(ctx).get(startingInfoKey(val, del));
    return b === undefined ? undefined : decodeStartingInfo(b);
  }

  setStartingInfo(ctx: Context, val: Uint8Array, del: Uint8Array, s: StartingInfo): void {
    this.kv(ctx).set(startingInfoKey(val, del), encodeStartingInfo(s));
  }

  getWithdrawAddress(ctx: Context, del: Uint8Array): Uint8Array {
    return this.kv(ctx).get(withdrawAddrKey(del)) ?? del;
  }

  setWithdrawAddressRecord(ctx: Context, del: Uint8Array, to: Uint8Array): void {
    this.kv(ctx).set(withdrawAddrKey(del), to);
  }

  // -------------------------------------------------------------------------------------------------
  // F1

  private incrementReferenceCount(ctx: Context, val: Uint8Array, period: bigint): void {
    const h = this.getHistoricalRewards(ctx, val, period);
    if (h.referenceCount > 2) throw new InvariantError("reference count should never exceed 2");
    this.setHistoricalRewards(ctx, val, period, { ...h, referenceCount: h.referenceCount + 1 });
  }

  private decrementReferenceCount(ctx: Context, val: Uint8Array, period: bigint): void {
    const h = this.getHistoricalRewards(ctx, val, period);
    if (h.referenceCount === 0) throw new InvariantError("cannot set negative reference count");
    if (h.referenceCount === 1) this.kv(ctx).delete(historicalKey(val, period));
    else this.setHistoricalRewards(ctx, val, period, { ...h, referenceCount: h.referenceCount - 1 });
  }

  /** `initializeValidator` (hook AfterValidatorCreated). */
  initializeValidator(ctx: Context, val: Uint8Array): void {
    this.setHistoricalRewards(ctx, val, 0n, { cumulativeRewardRatio: [], referenceCount: 1 });
    this.setCurrentRewards(ctx, val, { rewards: [], period: 1n });
    this.setCommission(ctx, val, []);
    this.setOutstanding(ctx, val, []);
  }

  /** `IncrementValidatorPeriod`: closes the current period; returns its number. */
  incrementValidatorPeriod(ctx: Context, v: Validator): bigint {
    const val = operatorBytes(v);
    const rewards = this.getCurrentRewards(ctx, val);
    let current: DecCoin[] = [];
    if (v.tokens === 0n) {
      this.addToCommunityPool(ctx, rewards.rewards);
      this.setOutstanding(ctx, val, subDecCoins(this.getOutstanding(ctx, val), rewards.rewards));
    } else {
      current = quoDecTruncate(rewards.rewards, Dec.fromInt(v.tokens));
    }
    const historical = this.getHistoricalRewards(ctx, val, rewards.period - 1n).cumulativeRewardRatio;
    this.decrementReferenceCount(ctx, val, rewards.period - 1n);
    this.setHistoricalRewards(ctx, val, rewards.period, {
      cumulativeRewardRatio: addDecCoins(historical, current),
      referenceCount: 1,
    });
    this.setCurrentRewards(ctx, val, { rewards: [], period: rewards.period + 1n });
    return rewards.period;
  }

  /** `initializeDelegation` (hook AfterDelegationModified). */
  initializeDelegation(ctx: Context, val: Uint8Array, del: Uint8Array): void {
    const previousPeriod = this.getCurrentRewards(ctx, val).period - 1n;
    this.incrementReferenceCount(ctx, val, previousPeriod);
    const v = this.staking.getValidator(ctx, val);
    const d = this.staking.getDelegation(ctx, del, val);
    if (v === undefined || d === undefined) throw new InvariantError("initializing a missing delegation");
    const stake = tokensFromSharesTruncated(v, d.shares);
    this.setStartingInfo(ctx, val, del, { previousPeriod, stake, height: BigInt(ctx.height) });
  }

  private rewardsBetween(ctx: Context, val: Uint8Array, start: bigint, end: bigint, stake: Dec): DecCoin[] {
    if (start > end) throw new InvariantError("starting period after ending period");
    if (stake.isNegative()) throw new InvariantError("stake should not be negative");
    const starting = this.getHistoricalRewards(ctx, val, start).cumulativeRewardRatio;
    const ending = this.getHistoricalRewards(ctx, val, end).cumulativeRewardRatio;
    const difference = safeSubDecCoins(ending, starting);
    if (difference === undefined) throw new InvariantError("negative rewards should not be possible");
    return mulDecTruncate(difference, stake);
  }

  /** Slash events of `val` with `start ≤ height < end`, in order. */
  private *slashEventsBetween(ctx: Context, val: Uint8Array, start: bigint, end: bigint): IterableIterator<SlashEvent> {
    const p = slashEventPrefix(val);
    for (const [key, value] of this.kv(ctx).iterator(p, prefixEnd(p))) {
      const height = readBe64(key, p.length);
      if (height < start) continue;
      if (height >= end) break;
      yield decodeSlashEvent(value);
    }
  }

  /** `CalculateDelegationRewards` up to `endingPeriod`. */
  calculateDelegationRewards(ctx: Context, v: Validator, d: Delegation, endingPeriod: bigint): DecCoin[] {
    const val = operatorBytes(v);
    const del = decodeAddress(d.delegatorAddress);
    const info = this.getStartingInfo(ctx, val, del);
    if (info === undefined) throw DistributionErrors.EmptyDelegationDistInfo.error();
    if (info.height === BigInt(ctx.height)) return [];
    let rewards: DecCoin[] = [];
    let startingPeriod = info.previousPeriod;
    let stake = info.stake;
    if (BigInt(ctx.height) > info.height) {
      // Slash events from the starting height through this block's (upstream's range is inclusive).
      for (const event of this.slashEventsBetween(ctx, val, info.height, BigInt(ctx.height) + 1n)) {
        if (event.validatorPeriod > startingPeriod) {
          rewards = addDecCoins(rewards, this.rewardsBetween(ctx, val, startingPeriod, event.validatorPeriod, stake));
          stake = stake.mulTruncate(Dec.ONE.sub(event.fraction));
          startingPeriod = event.validatorPeriod;
        }
      }
    }
    const currentStake = tokensFromShares(v, d.shares);
    if (stake.compare(currentStake) > 0) {
      if (stake.compare(currentStake.add(STAKE_MARGIN)) <= 0) stake = currentStake;
      else {
        throw new InvariantError(
          `calculated final stake for delegator ${d.delegatorAddress} greater than current stake: ${stake} > ${currentStake}`,
        );
      }
    }
    return addDecCoins(rewards, this.rewardsBetween(ctx, val, startingPeriod, endingPeriod, stake));
  }

  /** `withdrawDelegationRewards`: pays the whole coins to the withdraw address; dust to the pool. */
  private withdrawDelegationRewardsInner(ctx: Context, v: Validator, d: Delegation): Coin[] {
    const val = operatorBytes(v);
    const del = decodeAddress(d.delegatorAddress);
    const info = this.getStartingInfo(ctx, val, del);
    if (info === undefined) throw DistributionErrors.EmptyDelegationDistInfo.error();
    const endingPeriod = this.incrementValidatorPeriod(ctx, v);
    const raw = this.calculateDelegationRewards(ctx, v, d, endingPeriod);
    const outstanding = this.getOutstanding(ctx, val);
    const rewards = intersectDecCoins(raw, outstanding);
    const { coins, change } = truncateDecCoins(rewards);
    if (coins.length > 0) {
      this.bank.sendCoinsFromModuleToAccount(ctx, DISTRIBUTION_MODULE, this.getWithdrawAddress(ctx, del), coins);
    }
    this.setOutstanding(ctx, val, subDecCoins(outstanding, rewards));
    this.addToCommunityPool(ctx, change);
    this.decrementReferenceCount(ctx, val, info.previousPeriod);
    this.kv(ctx).delete(startingInfoKey(val, del));
    const shown = coins.length > 0 ? coins : [{ denom: this.staking.bondDenom(ctx), amount: 0n }];
    ctx.events.emit(
      withdrawRewardsEvent(shown.map((c) => `${c.amount}${c.denom}`).join(","), v.operatorAddress, d.delegatorAddress),
    );
    return coins;
  }

  /** `WithdrawDelegationRewards` (the message): withdraw, then start a new period for the delegation. */
  withdrawDelegationRewards(ctx: Context, del: Uint8Array, val: Uint8Array): Coin[] {
    const v = this.staking.getValidator(ctx, val);
    if (v === undefined) throw DistributionErrors.NoValidatorExists.error();
    const d = this.staking.getDelegation(ctx, del, val);
    if (d === undefined) throw DistributionErrors.EmptyDelegationDistInfo.error();
    const coins = this.withdrawDelegationRewardsInner(ctx, v, d);
    this.initializeDelegation(ctx, val, del);
    return coins;
  }

  /** `WithdrawValidatorCommission`. */
  withdrawValidatorCommission(ctx: Context, val: Uint8Array): Coin[] {
    const accumulated = this.getCommission(ctx, val);
    if (isZeroDecCoins(accumulated)) throw DistributionErrors.NoValidatorCommission.error();
    const { coins, change } = truncateDecCoins(accumulated);
    this.setCommission(ctx, val, change);
    this.setOutstanding(ctx, val, subDecCoins(this.getOutstanding(ctx, val), decCoinsFromCoins(coins)));
    if (coins.length > 0) {
      this.bank.sendCoinsFromModuleToAccount(ctx, DISTRIBUTION_MODULE, this.getWithdrawAddress(ctx, val), coins);
    }
    ctx.events.emit(withdrawCommissionEvent(coins.map((c) => `${c.amount}${c.denom}`).join(",")));
    return coins;
  }

  /** Rewards a delegation would withdraw now (query), without writing. */
  pendingRewards(ctx: Context, v: Validator, d: Delegation): DecCoin[] {
    // Ending the current period on a scratch layer is what upstream's query does (cache context).
    const scratch = scratchContext(ctx);
    const end = this.incrementValidatorPeriod(scratch, v);
    return this.calculateDelegationRewards(scratch, v, d, end);
  }

  // -------------------------------------------------------------------------------------------------
  // Allocation

  /** `AllocateTokensToValidator`: commission at the validator's rate, the rest to its delegators. */
  allocateTokensToValidator(ctx: Context, v: Validator, tokens: readonly DecCoin[]): void {
    const val = operatorBytes(v);
    const commission = mulDec(tokens, v.commission.rates.rate);
    const shared = subDecCoins(tokens, commission);
    ctx.events.emit(commissionEvent(decCoinsString(commission), v.operatorAddress));
    this.setCommission(ctx, val, addDecCoins(this.getCommission(ctx, val), commission));
    const current = this.getCurrentRewards(ctx, val);
    this.setCurrentRewards(ctx, val, { ...current, rewards: addDecCoins(current.rewards, shared) });
    ctx.events.emit(rewardsEvent(decCoinsString(tokens), v.operatorAddress));
    this.setOutstanding(ctx, val, addDecCoins(this.getOutstanding(ctx, val), tokens));
  }

  /** `AllocateTokens`: the fee collector's balance split by the votes' power. */
  allocateTokens(ctx: Context, totalPower: bigint, votes: readonly VoteInfo[]): void {
    const feeCollector = this.bank.getAllBalances(ctx, this.moduleAddress(FEE_COLLECTOR_MODULE));
    if (feeCollector.length > 0) {
      this.bank.sendCoinsFromModuleToModule(ctx, FEE_COLLECTOR_MODULE, DISTRIBUTION_MODULE, feeCollector);
    }
    let fees = decCoinsFromCoins(feeCollector);
    const params = this.getParams(ctx);
    // Secret: the foundation's share comes off the top (whole coins), before the community tax.
    if (!params.secretFoundationTax.isZero() && params.secretFoundationAddress !== "") {
      const { coins } = truncateDecCoins(mulDecTruncate(fees, params.secretFoundationTax));
      if (coins.length > 0) {
        this.bank.sendCoinsFromModuleToAccount(
          ctx,
          DISTRIBUTION_MODULE,
          decodeAddress(params.secretFoundationAddress),
          coins,
        );
        fees = subDecCoins(fees, decCoinsFromCoins(coins));
      }
    }
    if (totalPower === 0n) {
      this.addToCommunityPool(ctx, fees);
      return;
    }
    let remaining = fees;
    const feeMultiplier = mulDecTruncate(fees, Dec.ONE.sub(params.communityTax));
    for (const vote of votes) {
      const v = this.staking.getValidatorByConsAddr(ctx, vote.address);
      if (v === undefined) continue;
      const fraction = Dec.fromInt(vote.power).quoTruncate(Dec.fromInt(totalPower));
      const reward = mulDecTruncate(feeMultiplier, fraction);
      this.allocateTokensToValidator(ctx, v, reward);
      remaining = subDecCoins(remaining, reward);
    }
    this.addToCommunityPool(ctx, remaining);
  }

  private moduleAddresses = new Map<string, Uint8Array>();

  /** Set by the wiring: module name → address (from auth). */
  setModuleAddresses(addresses: ReadonlyMap<string, Uint8Array>): void {
    this.moduleAddresses = new Map(addresses);
  }

  private moduleAddress(name: string): Uint8Array {
    const a = this.moduleAddresses.get(name);
    if (a === undefined) throw new InvariantError(`distribution: no address for module ${name}`);
    return a;
  }

  /**
   * Begin block (upstream order): allocate the previous block's fees by the last commit's votes
   * (from height 2), remember this block's proposer, then Secret's auto-restake every
   * `restake_period` blocks.
   */
  beginBlock(ctx: Context, votes: readonly VoteInfo[], proposer: Uint8Array): void {
    let total = 0n;
    for (const v of votes) total += v.power;
    if (ctx.height > 1) this.allocateTokens(ctx, total, votes);
    this.setPreviousProposer(ctx, proposer);
    const period = this.getParams(ctx).restakePeriod;
    if (period > 0n && BigInt(ctx.height) % period === 0n) this.performRestake(ctx);
  }

  // -------------------------------------------------------------------------------------------------
  // Community pool

  fundCommunityPool(ctx: Context, depositor: Uint8Array, coins: readonly Coin[]): void {
    this.bank.sendCoinsFromAccountToModule(ctx, depositor, DISTRIBUTION_MODULE, coins);
    this.addToCommunityPool(ctx, decCoinsFromCoins(coins));
  }

  /** `DistributeFromFeePool`. */
  distributeFromCommunityPool(ctx: Context, coins: readonly Coin[], recipient: Uint8Array): void {
    const pool = safeSubDecCoins(this.getCommunityPool(ctx), decCoinsFromCoins(coins));
    if (pool === undefined) throw DistributionErrors.BadDistribution.error();
    this.setCommunityPool(ctx, pool);
    this.bank.sendCoinsFromModuleToAccount(ctx, DISTRIBUTION_MODULE, recipient, coins);
  }

  /** `DepositValidatorRewardsPool`: the depositor's coins become rewards of `v` (commission included). */
  depositValidatorRewardsPool(
    ctx: Context,
    depositor: Uint8Array,
    v: Validator,
    coins: readonly Coin[],
    dec: readonly DecCoin[],
  ): void {
    this.bank.sendCoinsFromAccountToModule(ctx, depositor, DISTRIBUTION_MODULE, coins);
    this.allocateTokensToValidator(ctx, v, dec);
  }

  setWithdrawAddress(ctx: Context, del: Uint8Array, to: Uint8Array): void {
    if (this.bank.isBlocked(to)) {
      throw SdkErrors.Unauthorized.wrap(`${encodeAddress(to)} is not allowed to receive external funds`);
    }
    if (!this.getParams(ctx).withdrawAddrEnabled) throw DistributionErrors.SetWithdrawAddrDisabled.error();
    this.setWithdrawAddressRecord(ctx, del, to);
  }

  // -------------------------------------------------------------------------------------------------
  // Secret auto-restake (unverified details: entries need ≥ threshold stake; rewards are re-delegated)

  setAutoRestake(ctx: Context, del: Uint8Array, val: Uint8Array, enabled: boolean): void {
    if (!enabled) {
      this.kv(ctx).delete(restakeKey(del, val));
      return;
    }
    const v = this.staking.getValidator(ctx, val);
    if (v === undefined) throw DistributionErrors.NoValidatorExists.error();
    const d = this.staking.getDelegation(ctx, del, val);
    if (d === undefined) throw DistributionErrors.NoDelegationExists.error();
    const threshold = this.getParams(ctx).minimumRestakeThreshold;
    if (tokensFromShares(v, d.shares).compare(threshold) < 0) {
      throw SdkErrors.InvalidRequest.wrap(
        `cannot enable auto-restake for a delegation below ${threshold.truncateInt()}`,
      );
    }
    this.kv(ctx).set(restakeKey(del, val), EMPTY);
  }

  restakeValidators(ctx: Context, del: Uint8Array): string[] {
    const p = restakePrefix(del);
    return [...this.kv(ctx).iterator(p, prefixEnd(p))].map(([key]) => {
      const { next } = lpSplit(key, 1);
      return valoperAddress(lpSplit(key, next).value);
    });
  }

  private performRestake(ctx: Context): void {
    const entries = [...this.kv(ctx).iterator(RESTAKE_PREFIX, prefixEnd(RESTAKE_PREFIX))].map(([key]) => {
      const a = lpSplit(key, 1);
      return { del: a.value, val: lpSplit(key, a.next).value };
    });
    const threshold = this.getParams(ctx).minimumRestakeThreshold;
    const denom = this.staking.bondDenom(ctx);
    for (const { del, val } of entries) {
      const v = this.staking.getValidator(ctx, val);
      const d = this.staking.getDelegation(ctx, del, val);
      if (v === undefined || d === undefined || tokensFromShares(v, d.shares).compare(threshold) < 0) {
        this.kv(ctx).delete(restakeKey(del, val));
        continue;
      }
      const coins = this.withdrawDelegationRewards(ctx, del, val);
      const amount = coins.find((c) => c.denom === denom)?.amount ?? 0n;
      if (amount === 0n) continue;
      const withdrawTo = this.getWithdrawAddress(ctx, del);
      if (withdrawTo.length !== del.length || !withdrawTo.every((b, i) => b === del[i])) continue;
      this.staking.delegate(ctx, del, amount, BondStatus.Unbonded, this.staking.getValidator(ctx, val)!, true);
    }
  }

  // -------------------------------------------------------------------------------------------------
  // Hooks

  hooks(): StakingHooks {
    return {
      afterValidatorCreated: (ctx, val) => this.initializeValidator(ctx, val),
      afterValidatorRemoved: (ctx, _cons, val) => this.afterValidatorRemoved(ctx, val),
      beforeDelegationCreated: (ctx, _del, val) => {
        const v = this.staking.getValidator(ctx, val);
        if (v === undefined) throw new InvariantError("delegation to a missing validator");
        this.incrementValidatorPeriod(ctx, v);
      },
      beforeDelegationSharesModified: (ctx, del, val) => {
        const v = this.staking.getValidator(ctx, val);
        const d = this.staking.getDelegation(ctx, del, val);
        if (v === undefined || d === undefined) throw new InvariantError("modifying a missing delegation");
        this.withdrawDelegationRewardsInner(ctx, v, d);
      },
      afterDelegationModified: (ctx, del, val) => this.initializeDelegation(ctx, val, del),
      beforeValidatorSlashed: (ctx, val, fraction) => this.updateValidatorSlashFraction(ctx, val, fraction),
    };
  }

  private afterValidatorRemoved(ctx: Context, val: Uint8Array): void {
    let outstanding = this.getOutstanding(ctx, val);
    const commission = this.getCommission(ctx, val);
    if (!isZeroDecCoins(commission)) {
      outstanding = subDecCoins(outstanding, commission);
      const { coins, change } = truncateDecCoins(commission);
      this.addToCommunityPool(ctx, change);
      if (coins.length > 0) {
        this.bank.sendCoinsFromModuleToAccount(ctx, DISTRIBUTION_MODULE, this.getWithdrawAddress(ctx, val), coins);
      }
    }
    this.addToCommunityPool(ctx, outstanding);
    const kv = this.kv(ctx);
    kv.delete(outstandingKey(val));
    kv.delete(commissionKey(val));
    kv.delete(currentKey(val));
    for (const p of [slashEventPrefix(val), historicalPrefix(val)]) {
      for (const [key] of [...kv.iterator(p, prefixEnd(p))]) kv.delete(key);
    }
  }

  private updateValidatorSlashFraction(ctx: Context, val: Uint8Array, fraction: Dec): void {
    if (fraction.isNegative() || fraction.compare(Dec.ONE) > 0) throw new InvariantError("invalid slash fraction");
    const v = this.staking.getValidator(ctx, val);
    if (v === undefined) throw new InvariantError("slashing a missing validator");
    const period = this.incrementValidatorPeriod(ctx, v);
    this.incrementReferenceCount(ctx, val, period);
    this.kv(ctx).set(
      slashEventKey(val, BigInt(ctx.height), period),
      encodeSlashEvent({ validatorPeriod: period, fraction }),
    );
  }

  // -------------------------------------------------------------------------------------------------
  // Iteration (genesis, queries)

  slashEvents(ctx: Context, val: Uint8Array, start: bigint, end: bigint): SlashEvent[] {
    return [...this.slashEventsBetween(ctx, val, start, end)];
  }

  /** Total outstanding rewards of every validator (invariant checks). */
  totalOutstanding(ctx: Context): DecCoin[] {
    let total: DecCoin[] = [];
    for (const [, v] of this.kv(ctx).iterator(OUTSTANDING_PREFIX, prefixEnd(OUTSTANDING_PREFIX))) {
      total = addDecCoins(total, decodeDecCoinsMessage(v));
    }
    return total;
  }

  importSlashEvents(
    ctx: Context,
    events: ReadonlyArray<{ val: Uint8Array; height: bigint; period: bigint; fraction: Dec }>,
  ): void {
    for (const e of events) {
      this.kv(ctx).set(
        slashEventKey(e.val, e.height, e.period),
        encodeSlashEvent({ validatorPeriod: e.period, fraction: e.fraction }),
      );
    }
  }

  /** Every record in genesis form (key order). */
  exportRecords(ctx: Context): DistributionGenesis {
    const kv = this.kv(ctx);
    const scan = (prefix: Uint8Array): Array<readonly [Uint8Array, Uint8Array]> =>
      [...kv.iterator(prefix, prefixEnd(prefix))].map(([k, v]) => [k.subarray(prefix.length), v] as const);
    return {
      params: this.getParams(ctx),
      communityPool: this.getCommunityPool(ctx),
      withdrawInfos: scan(WITHDRAW_ADDR_PREFIX).map(([k, v]) => ({ delegator: lpSplit(k, 0).value, withdraw: v })),
      previousProposer: this.getPreviousProposer(ctx),
      outstanding: scan(OUTSTANDING_PREFIX).map(([k, v]) => ({
        val: lpSplit(k, 0).value,
        rewards: decodeDecCoinsMessage(v),
      })),
      commissions: scan(COMMISSION_PREFIX).map(([k, v]) => ({
        val: lpSplit(k, 0).value,
        commission: decodeDecCoinsMessage(v),
      })),
      historical: scan(HISTORICAL_PREFIX).map(([k, v]) => {
        const { value, next } = lpSplit(k, 0);
        const h = decodeHistoricalRewards(v);
        return {
          val: value,
          period: readBe64(k, next),
          ratio: h.cumulativeRewardRatio,
          referenceCount: h.referenceCount,
        };
      }),
      current: scan(CURRENT_PREFIX).map(([k, v]) => {
        const c = decodeCurrentRewards(v);
        return { val: lpSplit(k, 0).value, rewards: c.rewards, period: c.period };
      }),
      startingInfos: scan(STARTING_INFO_PREFIX).map(([k, v]) => {
        const a = lpSplit(k, 0);
        const s = decodeStartingInfo(v);
        return { val: a.value, del: lpSplit(k, a.next).value, ...s };
      }),
      slashEvents: scan(SLASH_EVENT_PREFIX).map(([k, v]) => {
        const { value, next } = lpSplit(k, 0);
        const e = decodeSlashEvent(v);
        return { val: value, height: readBe64(k, next), period: e.validatorPeriod, fraction: e.fraction };
      }),
    };
  }
}
