/**
 * `cosmos.staking.v1beta1.Msg` with the checks of Cosmos SDK 0.50's msg server (`ValidateBasic` folded
 * in, in upstream's order): CreateValidator, EditValidator, Delegate, Undelegate, BeginRedelegate,
 * CancelUnbondingDelegation, UpdateParams (authority = gov).
 */
import { ED25519_PUBKEY_URL } from "../../codec/keys.ts";
import { decodeFields, field } from "../../codec/protobuf.ts";
import {
  BondStatus,
  type CommissionRates,
  type Description,
  type MsgBeginRedelegate,
  type MsgCancelUnbondingDelegation,
  type MsgCreateValidator,
  type MsgDelegate,
  type MsgEditValidator,
  type MsgUpdateParamsRaw,
  STAKING_URLS,
  decodeMsgBeginRedelegate,
  decodeMsgCancelUnbondingDelegation,
  decodeMsgCreateValidator,
  decodeMsgDelegate,
  decodeMsgEditValidator,
  decodeMsgUpdateParams,
  decodeStakingParams,
  encodeCompletionTimeResponse,
  encodeMsgUndelegateResponse,
} from "../../codec/staking.ts";
import type { ProtoCoin } from "../../codec/tx.ts";
import { Dec, isValidDenom, parseUint } from "../../primitives/amount.ts";
import { toBase64 } from "../../primitives/base64.ts";
import { decodeAddress, encodeAddress, parseAccountAddress } from "../../primitives/bech32.ts";
import { bytesEqual } from "../../primitives/bytes.ts";
import type { Context } from "../context.ts";
import { ErrorDef, SdkErrors } from "../errors.ts";
import type { MsgService } from "../types.ts";
import { StakingErrors } from "./errors.ts";
import {
  cancelUnbondingEvent,
  createValidatorEvent,
  delegateEvent,
  editValidatorEvent,
  redelegateEvent,
  unbondEvent,
} from "./events.ts";
import { type StakingKeeper, sharesFromTokens, sharesFromTokensTruncated } from "./keeper.ts";
import { stakingParamsProblem } from "./params.ts";
import { rfc3339Seconds } from "./time.ts";
import { VALOPER_PREFIX, consAddressOfKey, valoperAddress } from "./types.ts";

const EMPTY = new Uint8Array(0);
const DAY_NANOS = 86_400n * 1_000_000_000n;
const DO_NOT_MODIFY = "[do-not-modify]";

export function parseValoper(text: string, what = "validator"): Uint8Array {
  try {
    const b = decodeAddress(text, VALOPER_PREFIX);
    if (b.length !== 20 && b.length !== 32) throw new Error(`address length must be 20 or 32 bytes, got ${b.length}`);
    return b;
  } catch (e) {
    throw SdkErrors.InvalidAddress.wrap(`invalid ${what} address: ${e instanceof Error ? e.message : String(e)}`);
  }
}

export function parseAccount(text: string, what: string): Uint8Array {
  try {
    return parseAccountAddress(text);
  } catch (e) {
    throw SdkErrors.InvalidAddress.wrap(`invalid ${what} address: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function parseDec(text: string, what: string): Dec {
  try {
    return Dec.fromAtomics(parseDecAtomics(text));
  } catch {
    throw SdkErrors.InvalidRequest.wrap(`invalid ${what}: ${text.slice(0, 80)}`);
  }
}

/** A LegacyDec protobuf field: atomics text (secretjs), or a decimal with a point (some clients). */
function parseDecAtomics(text: string): bigint {
  if (/^-?(0|[1-9][0-9]*)$/.test(text)) return BigInt(text);
  return Dec.parse(text).atomics;
}

function parseInt(text: string, what: string): bigint {
  try {
    return parseUint(text);
  } catch {
    throw SdkErrors.InvalidRequest.wrap(`invalid ${what}: ${text.slice(0, 80)}`);
  }
}

/** A positive coin of the message (sdk 18 "invalid delegation amount" otherwise). */
function positiveCoin(c: ProtoCoin | undefined, what = "invalid delegation amount"): { denom: string; amount: bigint } {
  if (c === undefined || !isValidDenom(c.denom)) throw SdkErrors.InvalidRequest.wrap(what);
  let amount: bigint;
  try {
    amount = parseUint(c.amount);
  } catch {
    throw SdkErrors.InvalidRequest.wrap(what);
  }
  if (amount <= 0n) throw SdkErrors.InvalidRequest.wrap(what);
  return { denom: c.denom, amount };
}

function checkBondDenom(keeper: StakingKeeper, ctx: Context, denom: string): void {
  const bond = keeper.bondDenom(ctx);
  if (denom !== bond) throw SdkErrors.InvalidRequest.wrap(`invalid coin denomination: got ${denom}, expected ${bond}`);
}

const DESCRIPTION_LIMITS: ReadonlyArray<readonly [keyof Description, string, number]> = [
  ["moniker", "moniker", 70],
  ["identity", "identity", 3000],
  ["website", "website", 140],
  ["securityContact", "security contact", 140],
  ["details", "details", 280],
];

/** `Description.EnsureLength`. */
function ensureDescriptionLength(d: Description): void {
  for (const [key, name, max] of DESCRIPTION_LIMITS) {
    const len = [...d[key]].length;
    if (len > max) throw SdkErrors.InvalidRequest.wrap(`invalid ${name} length; got: ${len}, max: ${max}`);
  }
}

const isEmptyDescription = (d: Description): boolean =>
  d.moniker === "" && d.identity === "" && d.website === "" && d.securityContact === "" && d.details === "";

/** `CommissionRates.Validate`. */
function validateCommission(c: CommissionRates): void {
  if (c.maxRate.isNegative()) throw StakingErrors.CommissionNegative.error();
  if (c.maxRate.compare(Dec.ONE) > 0) throw StakingErrors.CommissionHuge.error();
  if (c.rate.isNegative()) throw StakingErrors.CommissionNegative.error();
  if (c.rate.compare(c.maxRate) > 0) throw StakingErrors.CommissionGTMaxRate.error();
  if (c.maxChangeRate.isNegative()) throw StakingErrors.CommissionChangeRateNegative.error();
  if (c.maxChangeRate.compare(c.maxRate) > 0) throw StakingErrors.CommissionChangeRateGTMaxRate.error();
}

/** The 32-byte key of an ed25519 PubKey Any; other key types are refused as upstream. */
function ed25519Key(any: { typeUrl: string; value: Uint8Array } | undefined): Uint8Array {
  if (any === undefined) throw StakingErrors.EmptyValidatorPubKey.error();
  if (any.typeUrl !== ED25519_PUBKEY_URL) {
    throw StakingErrors.ValidatorPubKeyTypeNotSupported.wrap(
      `got: ${any.typeUrl.replace(/^\//, "")}, expected: [ed25519]`,
    );
  }
  let key: Uint8Array = EMPTY;
  try {
    decodeFields(any.value, "ed25519.PubKey", { 1: field.bytes((b) => (key = b)) });
  } catch {
    throw SdkErrors.InvalidPubKey.wrap("invalid ed25519 public key");
  }
  if (key.length !== 32) throw SdkErrors.InvalidPubKey.wrap(`invalid ed25519 public key length ${key.length}`);
  return key;
}

/** `ValidateUnbondAmount`: the shares `amount` tokens are worth, capped at the delegation's shares. */
function validateUnbondAmount(
  keeper: StakingKeeper,
  ctx: Context,
  del: Uint8Array,
  val: Uint8Array,
  amount: bigint,
): Dec {
  const validator = keeper.mustGetValidator(ctx, val);
  const delegation = keeper.getDelegation(ctx, del, val);
  if (delegation === undefined) throw StakingErrors.NoDelegation.error();
  let shares = sharesFromTokens(validator, amount);
  const truncated = sharesFromTokensTruncated(validator, amount);
  if (truncated.compare(delegation.shares) > 0) throw SdkErrors.InvalidRequest.wrap("invalid shares amount");
  if (shares.compare(delegation.shares) > 0) shares = delegation.shares;
  return shares;
}

const coinText = (c: { denom: string; amount: bigint }): string => `${c.amount}${c.denom}`;

const aminoCoin = (c: ProtoCoin | undefined): unknown =>
  c === undefined ? undefined : { amount: c.amount, denom: c.denom };

/** Amino JSON of a LegacyDec protobuf field (atomics text) as its decimal form. */
function aminoDec(text: string): string {
  try {
    return Dec.fromAtomics(parseDecAtomics(text)).toString();
  } catch {
    return text;
  }
}

function aminoDescription(d: Description): Record<string, string> {
  const out: Record<string, string> = {};
  if (d.moniker !== "") out.moniker = d.moniker;
  if (d.identity !== "") out.identity = d.identity;
  if (d.website !== "") out.website = d.website;
  if (d.securityContact !== "") out.security_contact = d.securityContact;
  if (d.details !== "") out.details = d.details;
  return out;
}

export function stakingMsgServices(keeper: StakingKeeper, authority: Uint8Array): MsgService[] {
  const createValidator: MsgService<MsgCreateValidator> = {
    typeUrl: STAKING_URLS.MsgCreateValidator,
    decode: decodeMsgCreateValidator,
    signers: (msg) => [parseValoper(msg.validatorAddress)],
    handle(ctx, msg) {
      const val = parseValoper(msg.validatorAddress);
      const key = ed25519Key(msg.pubkey);
      const value = positiveCoin(msg.value);
      if (isEmptyDescription(msg.description)) throw SdkErrors.InvalidRequest.wrap("empty description");
      const rates: CommissionRates = {
        rate: parseDec(msg.commission.rate, "commission rate"),
        maxRate: parseDec(msg.commission.maxRate, "max rate"),
        maxChangeRate: parseDec(msg.commission.maxChangeRate, "max change rate"),
      };
      if (rates.rate.isZero() && rates.maxRate.isZero() && rates.maxChangeRate.isZero()) {
        throw SdkErrors.InvalidRequest.wrap("empty commission");
      }
      validateCommission(rates);
      const minSelf = msg.minSelfDelegation === "" ? 0n : parseInt(msg.minSelfDelegation, "minimum self delegation");
      if (minSelf <= 0n) throw SdkErrors.InvalidRequest.wrap("minimum self delegation must be a positive integer");
      if (value.amount < minSelf) throw StakingErrors.SelfDelegationBelowMinimum.error();
      const params = keeper.getParams(ctx);
      if (rates.rate.compare(params.minCommissionRate) < 0) {
        throw StakingErrors.CommissionLTMinRate.wrap(
          `cannot set validator commission to less than minimum rate of ${params.minCommissionRate}`,
        );
      }
      if (keeper.getValidator(ctx, val) !== undefined) throw StakingErrors.ValidatorOwnerExists.error();
      if (keeper.getValidatorByConsAddr(ctx, consAddressOfKey(key)) !== undefined) {
        throw StakingErrors.ValidatorPubKeyExists.error();
      }
      checkBondDenom(keeper, ctx, value.denom);
      ensureDescriptionLength(msg.description);
      keeper.createValidator(ctx, {
        operatorAddress: valoperAddress(val),
        consensusPubkey: msg.pubkey!,
        jailed: false,
        status: BondStatus.Unbonded,
        tokens: 0n,
        delegatorShares: Dec.ZERO,
        description: msg.description,
        unbondingHeight: 0n,
        unbondingTime: 0n,
        commission: { rates, updateTime: ctx.header.timeNanos },
        minSelfDelegation: minSelf,
        unbondingOnHoldRefCount: 0n,
        unbondingIds: [],
      });
      keeper.delegate(ctx, val, value.amount, BondStatus.Unbonded, keeper.mustGetValidator(ctx, val), true);
      ctx.events.emit(createValidatorEvent(msg.validatorAddress, coinText(value)));
      return EMPTY;
    },
    aminoJson: (msg) => ({
      type: "cosmos-sdk/MsgCreateValidator",
      value: {
        description: aminoDescription(msg.description),
        commission: {
          rate: aminoDec(msg.commission.rate),
          max_rate: aminoDec(msg.commission.maxRate),
          max_change_rate: aminoDec(msg.commission.maxChangeRate),
        },
        min_self_delegation: msg.minSelfDelegation,
        ...(msg.delegatorAddress === "" ? {} : { delegator_address: msg.delegatorAddress }),
        validator_address: msg.validatorAddress,
        pubkey:
          msg.pubkey === undefined
            ? undefined
            : { type: "tendermint/PubKeyEd25519", value: toBase64(ed25519KeyOrEmpty(msg.pubkey)) },
        value: aminoCoin(msg.value),
      },
    }),
  };

  const editValidator: MsgService<MsgEditValidator> = {
    typeUrl: STAKING_URLS.MsgEditValidator,
    decode: decodeMsgEditValidator,
    signers: (msg) => [parseValoper(msg.validatorAddress)],
    handle(ctx, msg) {
      const val = parseValoper(msg.validatorAddress);
      if (isEmptyDescription(msg.description)) throw SdkErrors.InvalidRequest.wrap("empty description");
      const minSelf =
        msg.minSelfDelegation === "" ? undefined : parseInt(msg.minSelfDelegation, "minimum self delegation");
      if (minSelf !== undefined && minSelf <= 0n) {
        throw SdkErrors.InvalidRequest.wrap("minimum self delegation must be a positive integer");
      }
      const newRate = msg.commissionRate === "" ? undefined : parseDec(msg.commissionRate, "commission rate");
      if (newRate !== undefined && (newRate.compare(Dec.ONE) > 0 || newRate.isNegative())) {
        throw SdkErrors.InvalidRequest.wrap("commission rate must be between 0 and 1 (inclusive)");
      }
      const validator = keeper.mustGetValidator(ctx, val);
      const pick = (next: string, old: string): string => (next === DO_NOT_MODIFY ? old : next);
      const description: Description = {
        moniker: pick(msg.description.moniker, validator.description.moniker),
        identity: pick(msg.description.identity, validator.description.identity),
        website: pick(msg.description.website, validator.description.website),
        securityContact: pick(msg.description.securityContact, validator.description.securityContact),
        details: pick(msg.description.details, validator.description.details),
      };
      ensureDescriptionLength(description);
      let commission = validator.commission;
      if (newRate !== undefined) {
        const c = validator.commission;
        if (ctx.header.timeNanos - c.updateTime < DAY_NANOS) throw StakingErrors.CommissionUpdateTime.error();
        if (newRate.isNegative()) throw StakingErrors.CommissionNegative.error();
        if (newRate.compare(c.rates.maxRate) > 0) throw StakingErrors.CommissionGTMaxRate.error();
        const diff = newRate.sub(c.rates.rate);
        const abs = diff.isNegative() ? diff.neg() : diff;
        if (abs.compare(c.rates.maxChangeRate) > 0) throw StakingErrors.CommissionGTMaxChangeRate.error();
        const min = keeper.getParams(ctx).minCommissionRate;
        if (newRate.compare(min) < 0) {
          throw StakingErrors.CommissionLTMinRate.wrap(
            `cannot set validator commission to less than minimum rate of ${min}`,
          );
        }
        commission = { rates: { ...c.rates, rate: newRate }, updateTime: ctx.header.timeNanos };
      }
      let minSelfDelegation = validator.minSelfDelegation;
      if (minSelf !== undefined) {
        if (minSelf < validator.minSelfDelegation) throw StakingErrors.MinSelfDelegationDecreased.error();
        if (minSelf > validator.tokens) throw StakingErrors.SelfDelegationBelowMinimum.error();
        minSelfDelegation = minSelf;
      }
      keeper.setValidator(ctx, { ...validator, description, commission, minSelfDelegation });
      ctx.events.emit(editValidatorEvent(commission.rates.rate.toString(), minSelfDelegation.toString()));
      return EMPTY;
    },
    aminoJson: (msg) => ({
      type: "cosmos-sdk/MsgEditValidator",
      value: {
        description: aminoDescription(msg.description),
        validator_address: msg.validatorAddress,
        ...(msg.commissionRate === "" ? {} : { commission_rate: aminoDec(msg.commissionRate) }),
        ...(msg.minSelfDelegation === "" ? {} : { min_self_delegation: msg.minSelfDelegation }),
      },
    }),
  };

  const delegate: MsgService<MsgDelegate> = {
    typeUrl: STAKING_URLS.MsgDelegate,
    decode: decodeMsgDelegate,
    signers: (msg) => [parseAccount(msg.delegatorAddress, "delegator")],
    handle(ctx, msg) {
      const val = parseValoper(msg.validatorAddress);
      const del = parseAccount(msg.delegatorAddress, "delegator");
      const amount = positiveCoin(msg.amount);
      const validator = keeper.mustGetValidator(ctx, val);
      checkBondDenom(keeper, ctx, amount.denom);
      const shares = keeper.delegate(ctx, del, amount.amount, BondStatus.Unbonded, validator, true);
      ctx.events.emit(delegateEvent(msg.validatorAddress, msg.delegatorAddress, coinText(amount), shares.toString()));
      return EMPTY;
    },
    aminoJson: (msg) => ({
      type: "cosmos-sdk/MsgDelegate",
      value: {
        delegator_address: msg.delegatorAddress,
        validator_address: msg.validatorAddress,
        amount: aminoCoin(msg.amount),
      },
    }),
  };

  const undelegate: MsgService<MsgDelegate> = {
    typeUrl: STAKING_URLS.MsgUndelegate,
    decode: decodeMsgDelegate,
    signers: (msg) => [parseAccount(msg.delegatorAddress, "delegator")],
    handle(ctx, msg) {
      const val = parseValoper(msg.validatorAddress);
      const del = parseAccount(msg.delegatorAddress, "delegator");
      const amount = positiveCoin(msg.amount, "invalid shares amount");
      const shares = validateUnbondAmount(keeper, ctx, del, val, amount.amount);
      checkBondDenom(keeper, ctx, amount.denom);
      const { completionTime, amount: returned } = keeper.undelegate(ctx, del, val, shares);
      const coin = { denom: amount.denom, amount: returned };
      ctx.events.emit(
        unbondEvent(msg.validatorAddress, msg.delegatorAddress, coinText(coin), rfc3339Seconds(completionTime)),
      );
      return encodeMsgUndelegateResponse(completionTime, { denom: coin.denom, amount: coin.amount.toString() });
    },
    aminoJson: (msg) => ({
      type: "cosmos-sdk/MsgUndelegate",
      value: {
        delegator_address: msg.delegatorAddress,
        validator_address: msg.validatorAddress,
        amount: aminoCoin(msg.amount),
      },
    }),
  };

  const redelegate: MsgService<MsgBeginRedelegate> = {
    typeUrl: STAKING_URLS.MsgBeginRedelegate,
    decode: decodeMsgBeginRedelegate,
    signers: (msg) => [parseAccount(msg.delegatorAddress, "delegator")],
    handle(ctx, msg) {
      const src = parseValoper(msg.validatorSrcAddress, "source validator");
      const dst = parseValoper(msg.validatorDstAddress, "destination validator");
      const del = parseAccount(msg.delegatorAddress, "delegator");
      const amount = positiveCoin(msg.amount, "invalid shares amount");
      if (bytesEqual(src, dst)) throw StakingErrors.SelfRedelegation.error();
      const shares = validateUnbondAmount(keeper, ctx, del, src, amount.amount);
      checkBondDenom(keeper, ctx, amount.denom);
      const completionTime = keeper.beginRedelegation(ctx, del, src, dst, shares);
      ctx.events.emit(
        redelegateEvent(
          msg.validatorSrcAddress,
          msg.validatorDstAddress,
          coinText(amount),
          rfc3339Seconds(completionTime),
        ),
      );
      return encodeCompletionTimeResponse(completionTime);
    },
    aminoJson: (msg) => ({
      type: "cosmos-sdk/MsgBeginRedelegate",
      value: {
        delegator_address: msg.delegatorAddress,
        validator_src_address: msg.validatorSrcAddress,
        validator_dst_address: msg.validatorDstAddress,
        amount: aminoCoin(msg.amount),
      },
    }),
  };

  const cancelUnbonding: MsgService<MsgCancelUnbondingDelegation> = {
    typeUrl: STAKING_URLS.MsgCancelUnbondingDelegation,
    decode: decodeMsgCancelUnbondingDelegation,
    signers: (msg) => [parseAccount(msg.delegatorAddress, "delegator")],
    handle(ctx, msg) {
      const val = parseValoper(msg.validatorAddress);
      const del = parseAccount(msg.delegatorAddress, "delegator");
      const amount = positiveCoin(msg.amount, "invalid amount");
      if (msg.creationHeight <= 0n) throw SdkErrors.InvalidRequest.wrap("invalid height");
      checkBondDenom(keeper, ctx, amount.denom);
      keeper.cancelUnbonding(ctx, del, val, amount.amount, msg.creationHeight);
      ctx.events.emit(
        cancelUnbondingEvent(
          coinText(amount),
          msg.validatorAddress,
          msg.delegatorAddress,
          msg.creationHeight.toString(),
        ),
      );
      return EMPTY;
    },
    aminoJson: (msg) => ({
      type: "cosmos-sdk/MsgCancelUnbondingDelegation",
      value: {
        delegator_address: msg.delegatorAddress,
        validator_address: msg.validatorAddress,
        amount: aminoCoin(msg.amount),
        creation_height: msg.creationHeight.toString(),
      },
    }),
  };

  const updateParams = updateParamsService({
    typeUrl: STAKING_URLS.MsgUpdateParams,
    checkSigner: (given) => checkAuthority(given, authority),
    decodeParams: decodeStakingParams,
    problem: stakingParamsProblem,
    setParams: (ctx, params) => keeper.setParams(ctx, params),
  });

  return [
    createValidator,
    editValidator,
    delegate,
    undelegate,
    redelegate,
    cancelUnbonding,
    updateParams,
  ] as MsgService[];
}

function ed25519KeyOrEmpty(any: { typeUrl: string; value: Uint8Array }): Uint8Array {
  try {
    return ed25519Key(any);
  } catch {
    return EMPTY;
  }
}

/** staking's `MsgUpdateParams` authority check (`ErrInvalidSigner`, staking 43). */
export function checkAuthority(given: string, authority: Uint8Array): void {
  const expected = encodeAddress(authority);
  if (given !== expected) {
    throw StakingErrors.InvalidSigner.wrap(`invalid authority; expected ${expected}, got ${given}`);
  }
}

/** gov's `ErrInvalidSigner` (gov 13), which distribution, mint and slashing use for their authority checks. */
const GovInvalidSigner = new ErrorDef("gov", 13, "expected gov account as only signer for proposal message");

/** The authority check of distribution, mint and slashing: `invalid authority; expected …, got …` (gov 13). */
export function govSignerCheck(authority: Uint8Array): (given: string) => void {
  return (given) => {
    const expected = encodeAddress(authority);
    if (given !== expected) throw GovInvalidSigner.wrap(`invalid authority; expected ${expected}, got ${given}`);
  };
}

/**
 * A module's `Msg/UpdateParams`: signed by the authority, checked by `checkSigner`, the params decoded
 * and validated (a problem is sdk 18 `InvalidRequest`), then stored; the response is empty.
 */
export function updateParamsService<P>(spec: {
  readonly typeUrl: string;
  readonly checkSigner: (given: string) => void;
  readonly decodeParams: (bytes: Uint8Array) => P;
  readonly problem: (params: P) => string | undefined;
  readonly setParams: (ctx: Context, params: P) => void;
}): MsgService<MsgUpdateParamsRaw> {
  return {
    typeUrl: spec.typeUrl,
    decode: decodeMsgUpdateParams,
    signers: (m) => [parseAccount(m.authority, "authority")],
    handle(ctx, m) {
      spec.checkSigner(m.authority);
      const params = spec.decodeParams(m.params);
      const problem = spec.problem(params);
      if (problem !== undefined) throw SdkErrors.InvalidRequest.wrap(problem);
      spec.setParams(ctx, params);
      return EMPTY;
    },
  };
}
