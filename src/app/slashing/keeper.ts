/**
 * The slashing keeper (Cosmos SDK 0.50 `x/slashing`, plus `x/evidence`'s equivocation handler):
 * - liveness: each begin block records, per validator in the last commit, whether it signed, in a
 *   sliding window of `signed_blocks_window` blocks; more than `window − min_signed × window` misses
 *   (after the first full window) slashes `slash_fraction_downtime` of its stake at the infraction
 *   height and jails it for `downtime_jail_duration`;
 * - double sign (consensus evidence, not older than the evidence age limits): slashes
 *   `slash_fraction_double_sign`, jails it until 9999-12-31 and tombstones it (it can never unjail);
 * - MsgUnjail after the jail time, with enough self-delegation.
 */
import { BondStatus } from "../../codec/staking.ts";
import {
  type SigningInfo,
  type SlashingParams,
  decodeSigningInfo,
  decodeSlashingParams,
  encodeSigningInfo,
  encodeSlashingParams,
} from "../../codec/slashing.ts";
import { decodeAddress } from "../../primitives/bech32.ts";
import { prefixEnd } from "../../store/index.ts";
import type { Context } from "../context.ts";
import { InvariantError } from "../errors.ts";
import { BlockIdFlag, type Misbehavior, type VoteInfo } from "../modules/abci.ts";
import { type StakingKeeper, tokensFromShares } from "../staking/keeper.ts";
import { VALIDATOR_UPDATE_DELAY } from "../staking/params.ts";
import { type StakingHooks, VALCONS_PREFIX, consAddressOf, valconsAddress } from "../staking/types.ts";
import { SlashingErrors } from "./errors.ts";
import { REASON_DOUBLE_SIGN, REASON_MISSING_SIGNATURE, livenessEvent, slashEvent } from "./events.ts";
import { PARAMS_KEY, SIGNING_INFO_PREFIX, SLASHING_STORE, missedKey, missedPrefix, signingInfoKey } from "./keys.ts";
import {
  DEFAULT_EVIDENCE_MAX_AGE_BLOCKS,
  DEFAULT_EVIDENCE_MAX_AGE_NANOS,
  DEFAULT_SLASHING_PARAMS,
  DOUBLE_SIGN_JAIL_END_NANOS,
} from "./params.ts";

export type StakingForSlashing = Pick<
  StakingKeeper,
  | "getValidator"
  | "getValidatorByConsAddr"
  | "getDelegation"
  | "slash"
  | "jailByConsAddr"
  | "unjailByConsAddr"
  | "bondDenom"
>;

const MISSED = Uint8Array.of(1);

export interface EvidenceLimits {
  readonly maxAgeNumBlocks: bigint;
  readonly maxAgeDurationNanos: bigint;
}

export class SlashingKeeper {
  constructor(
    private readonly staking: StakingForSlashing,
    /** Consensus `evidence` params (the node passes the chain's; CometBFT defaults otherwise). */
    private readonly evidence: EvidenceLimits = {
      maxAgeNumBlocks: DEFAULT_EVIDENCE_MAX_AGE_BLOCKS,
      maxAgeDurationNanos: DEFAULT_EVIDENCE_MAX_AGE_NANOS,
    },
  ) {}

  private kv(ctx: Context) {
    return ctx.kv(SLASHING_STORE);
  }

  getParams(ctx: Context): SlashingParams {
    const b = this.kv(ctx).get(PARAMS_KEY);
    return b === undefined ? DEFAULT_SLASHING_PARAMS : decodeSlashingParams(b);
  }

  setParams(ctx: Context, p: SlashingParams): void {
    this.kv(ctx).set(PARAMS_KEY, encodeSlashingParams(p));
  }

  getSigningInfo(ctx: Context, cons: Uint8Array): SigningInfo | undefined {
    const b = this.kv(ctx).get(signingInfoKey(cons));
    return b === undefined ? undefined : decodeSigningInfo(b);
  }

  setSigningInfo(ctx: Context, cons: Uint8Array, info: SigningInfo): void {
    this.kv(ctx).set(signingInfoKey(cons), encodeSigningInfo(info));
  }

  *allSigningInfos(ctx: Context): IterableIterator<SigningInfo> {
    for (const [, v] of this.kv(ctx).iterator(SIGNING_INFO_PREFIX, prefixEnd(SIGNING_INFO_PREFIX))) {
      yield decodeSigningInfo(v);
    }
  }

  /** Missed indexes of the window (genesis export). */
  missedIndexes(ctx: Context, cons: Uint8Array): bigint[] {
    const p = missedPrefix(cons);
    const out: bigint[] = [];
    for (const [key] of this.kv(ctx).iterator(p, prefixEnd(p))) {
      let v = 0n;
      for (let i = p.length; i < key.length; i++) v = (v << 8n) | BigInt(key[i]!);
      out.push(v);
    }
    return out;
  }

  setMissed(ctx: Context, cons: Uint8Array, index: bigint, missed: boolean): void {
    if (missed) this.kv(ctx).set(missedKey(cons, index), MISSED);
    else this.kv(ctx).delete(missedKey(cons, index));
  }

  private clearMissed(ctx: Context, cons: Uint8Array): void {
    const p = missedPrefix(cons);
    for (const [key] of [...this.kv(ctx).iterator(p, prefixEnd(p))]) this.kv(ctx).delete(key);
  }

  isTombstoned(ctx: Context, cons: Uint8Array): boolean {
    return this.getSigningInfo(ctx, cons)?.tombstoned ?? false;
  }

  /** `MinSignedPerWindowInt`. */
  static minSignedPerWindow(p: SlashingParams): bigint {
    return p.minSignedPerWindow.mulInt(p.signedBlocksWindow).roundInt();
  }

  /** `HandleValidatorSignature` for one entry of the last commit. */
  handleValidatorSignature(ctx: Context, vote: VoteInfo): void {
    const cons = vote.address;
    const validator = this.staking.getValidatorByConsAddr(ctx, cons);
    if (validator !== undefined && validator.jailed) return;
    const info = this.getSigningInfo(ctx, cons);
    if (info === undefined) throw new InvariantError(`no validator signing info found for ${valconsAddress(cons)}`);
    const params = this.getParams(ctx);
    const window = params.signedBlocksWindow;
    const index = info.indexOffset % window;
    let indexOffset = info.indexOffset + 1n;
    let counter = info.missedBlocksCounter;
    const previous = this.kv(ctx).has(missedKey(cons, index));
    const missed = vote.blockIdFlag === BlockIdFlag.Absent;
    if (!previous && missed) {
      this.setMissed(ctx, cons, index, true);
      counter++;
    } else if (previous && !missed) {
      this.setMissed(ctx, cons, index, false);
      counter--;
    }
    const height = BigInt(ctx.height);
    const address = valconsAddress(cons);
    if (missed) ctx.events.emit(livenessEvent(address, counter.toString(), height.toString()));
    const minHeight = info.startHeight + window;
    const maxMissed = window - SlashingKeeper.minSignedPerWindow(params);
    let jailedUntil = info.jailedUntil;
    if (height > minHeight && counter > maxMissed) {
      const v = this.staking.getValidatorByConsAddr(ctx, cons);
      if (v !== undefined && !v.jailed) {
        const distributionHeight = height - BigInt(VALIDATOR_UPDATE_DELAY) - 1n;
        const burned = this.staking.slash(ctx, cons, distributionHeight, vote.power, params.slashFractionDowntime);
        ctx.events.emit(
          slashEvent(
            address,
            vote.power.toString(),
            REASON_MISSING_SIGNATURE,
            address,
            `${burned}${this.staking.bondDenom(ctx)}`,
          ),
        );
        this.staking.jailByConsAddr(ctx, cons);
        jailedUntil = ctx.header.timeNanos + params.downtimeJailDuration;
        counter = 0n;
        indexOffset = 0n;
        this.clearMissed(ctx, cons);
      }
    }
    this.setSigningInfo(ctx, cons, { ...info, indexOffset, missedBlocksCounter: counter, jailedUntil });
  }

  /** `HandleEquivocationEvidence` (x/evidence) for a double sign. */
  handleEquivocation(ctx: Context, m: Misbehavior): void {
    const cons = m.address;
    const ageDuration = ctx.header.timeNanos - m.timeNanos;
    const ageBlocks = BigInt(ctx.height) - m.height;
    if (ageDuration > this.evidence.maxAgeDurationNanos && ageBlocks > this.evidence.maxAgeNumBlocks) return;
    const validator = this.staking.getValidatorByConsAddr(ctx, cons);
    if (validator === undefined || validator.status === BondStatus.Unbonded) return;
    const info = this.getSigningInfo(ctx, cons);
    if (info === undefined) throw new InvariantError(`no signing info for ${valconsAddress(cons)}`);
    if (info.tombstoned) return;
    const params = this.getParams(ctx);
    const distributionHeight = m.height - BigInt(VALIDATOR_UPDATE_DELAY);
    const address = valconsAddress(cons);
    const burned = this.staking.slash(ctx, cons, distributionHeight, m.power, params.slashFractionDoubleSign);
    ctx.events.emit(
      slashEvent(address, m.power.toString(), REASON_DOUBLE_SIGN, undefined, `${burned}${this.staking.bondDenom(ctx)}`),
    );
    if (!validator.jailed) {
      this.staking.jailByConsAddr(ctx, cons);
      ctx.events.emit({ type: "slash", attributes: [{ key: "jailed", value: address, index: true }] });
    }
    this.setSigningInfo(ctx, cons, { ...info, jailedUntil: DOUBLE_SIGN_JAIL_END_NANOS, tombstoned: true });
  }

  /** Begin block: liveness of the last commit (x/slashing), then the block's evidence (x/evidence), in the module manager's order. */
  beginBlock(ctx: Context, votes: readonly VoteInfo[], misbehavior: readonly Misbehavior[]): void {
    for (const vote of votes) this.handleValidatorSignature(ctx, vote);
    for (const m of misbehavior) this.handleEquivocation(ctx, m);
  }

  /** `Unjail` (MsgUnjail), upstream's checks in order. */
  unjail(ctx: Context, val: Uint8Array): void {
    const validator = this.staking.getValidator(ctx, val);
    if (validator === undefined) throw SlashingErrors.NoValidatorForAddress.error();
    const self = this.staking.getDelegation(ctx, val, val);
    if (self === undefined) throw SlashingErrors.MissingSelfDelegation.error();
    const tokens = tokensFromShares(validator, self.shares).truncateInt();
    if (tokens < validator.minSelfDelegation) {
      throw SlashingErrors.SelfDelegationTooLowToUnjail.wrap(`${tokens} less than ${validator.minSelfDelegation}`);
    }
    if (!validator.jailed) throw SlashingErrors.ValidatorNotJailed.error();
    const cons = consAddressOf(validator);
    const info = this.getSigningInfo(ctx, cons);
    if (info !== undefined) {
      if (info.tombstoned) throw SlashingErrors.ValidatorJailed.wrap("validator was tombstoned");
      if (ctx.header.timeNanos < info.jailedUntil) throw SlashingErrors.ValidatorJailed.error();
    }
    this.staking.unjailByConsAddr(ctx, cons);
  }

  hooks(): StakingHooks {
    return {
      afterValidatorBonded: (ctx, cons) => {
        const info = this.getSigningInfo(ctx, cons);
        const height = BigInt(ctx.height);
        this.setSigningInfo(
          ctx,
          cons,
          info === undefined
            ? {
                address: valconsAddress(cons),
                startHeight: height,
                indexOffset: 0n,
                jailedUntil: 0n,
                tombstoned: false,
                missedBlocksCounter: 0n,
              }
            : { ...info, startHeight: height },
        );
      },
    };
  }

  static consFromBech32(text: string): Uint8Array {
    return decodeAddress(text, VALCONS_PREFIX);
  }
}
