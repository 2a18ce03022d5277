/**
 * Staking genesis in upstream's JSON shape (`app_state.staking`): params, last powers, validators,
 * delegations, unbonding delegations, redelegations, `exported`. Init follows Cosmos SDK 0.50: hooks
 * run for a fresh genesis, the pool balances (from bank genesis) must equal the tokens the records
 * imply, and a fresh genesis computes the first bonded set (`exported` restores the last one).
 *
 * Gentxs (genutil) are not here: the app delivers each `MsgCreateValidator` of `genutil.gen_txs`
 * through the staking message service in genesis mode, then calls `applyValidatorSetUpdates`.
 */
import { ED25519_PUBKEY_URL } from "../../codec/keys.ts";
import { ProtoWriter, decodeFields, field } from "../../codec/protobuf.ts";
import {
  BOND_STATUS_NAMES,
  BondStatus,
  type Delegation,
  type Redelegation,
  type StakingParams,
  type UnbondingDelegation,
  type Validator,
} from "../../codec/staking.ts";
import { Dec } from "../../primitives/amount.ts";
import { fromBase64, toBase64 } from "../../primitives/base64.ts";
import { decodeAddress, parseAccountAddress } from "../../primitives/bech32.ts";
import type { Context } from "../context.ts";
import { asArray, asBool, asObject, asOptionalString, asString, asUint, genesisError } from "../json.ts";
import { BONDED_POOL, DEFAULT_STAKING_PARAMS, NOT_BONDED_POOL, stakingParamsProblem } from "./params.ts";
import { type StakingKeeper, isBonded } from "./keeper.ts";
import { durationString, parseDuration, parseRfc3339, rfc3339Nano } from "./time.ts";
import { VALOPER_PREFIX, type ValidatorUpdate, consAddressOf, valoperAddress } from "./types.ts";
import { toHex } from "../../primitives/hex.ts";

export interface StakingGenesis {
  readonly params: StakingParams;
  readonly lastTotalPower: bigint;
  readonly lastValidatorPowers: ReadonlyArray<{ readonly address: string; readonly power: bigint }>;
  readonly validators: readonly Validator[];
  readonly delegations: readonly Delegation[];
  readonly unbondingDelegations: readonly UnbondingDelegation[];
  readonly redelegations: readonly Redelegation[];
  readonly exported: boolean;
}

export const defaultStakingGenesis = (): StakingGenesis => ({
  params: DEFAULT_STAKING_PARAMS,
  lastTotalPower: 0n,
  lastValidatorPowers: [],
  validators: [],
  delegations: [],
  unbondingDelegations: [],
  redelegations: [],
  exported: false,
});

/** `obj[key]` read by `parse` (named `key` in its errors), or `fallback` when the field is absent. */
export function optionalField<T>(
  obj: Readonly<Record<string, unknown>>,
  key: string,
  parse: (v: unknown, what: string) => T,
  fallback: T,
): T {
  const v = obj[key];
  return v === undefined ? fallback : parse(v, key);
}

export function decJson(v: unknown, what: string): Dec {
  try {
    return Dec.parse(asString(v, what));
  } catch {
    throw genesisError(`${what} must be a decimal`);
  }
}

export function timeJson(v: unknown, what: string): bigint {
  if (v === undefined || v === null) return 0n;
  const t = parseRfc3339(asString(v, what));
  if (t === undefined) throw genesisError(`${what} must be an RFC 3339 UTC time`);
  return t;
}

export function durationJson(v: unknown, what: string): bigint {
  const d = parseDuration(asString(v, what));
  if (d === undefined) throw genesisError(`${what} must be a duration like "90s"`);
  return d;
}

export function stakingParamsFromJson(v: unknown): StakingParams {
  if (v === undefined) return DEFAULT_STAKING_PARAMS;
  const p = asObject(v, "staking.params");
  const d = DEFAULT_STAKING_PARAMS;
  return {
    unbondingTime: optionalField(p, "unbonding_time", durationJson, d.unbondingTime),
    maxValidators:
      p.max_validators === undefined ? d.maxValidators : Number(asUint(p.max_validators, "max_validators", 32)),
    maxEntries: p.max_entries === undefined ? d.maxEntries : Number(asUint(p.max_entries, "max_entries", 32)),
    historicalEntries:
      p.historical_entries === undefined
        ? d.historicalEntries
        : Number(asUint(p.historical_entries, "historical_entries", 32)),
    bondDenom: optionalField(p, "bond_denom", asString, d.bondDenom),
    minCommissionRate: optionalField(p, "min_commission_rate", decJson, d.minCommissionRate),
  };
}

export function stakingParamsToJson(p: StakingParams): Record<string, unknown> {
  return {
    unbonding_time: durationString(p.unbondingTime),
    max_validators: p.maxValidators,
    max_entries: p.maxEntries,
    historical_entries: p.historicalEntries,
    bond_denom: p.bondDenom,
    min_commission_rate: p.minCommissionRate.toString(),
  };
}

function pubkeyFromJson(v: unknown, what: string): { typeUrl: string; value: Uint8Array } {
  const o = asObject(v, what);
  const type = asString(o["@type"], `${what}.@type`);
  if (type !== ED25519_PUBKEY_URL) throw genesisError(`${what} must be an ed25519 key`);
  const key = fromBase64(asString(o.key, `${what}.key`));
  if (key.length !== 32) throw genesisError(`${what}.key must be 32 bytes`);
  return { typeUrl: type, value: new ProtoWriter().bytes(1, key).finish() };
}

function pubkeyToJson(any: { typeUrl: string; value: Uint8Array }): Record<string, unknown> {
  let key: Uint8Array = new Uint8Array(0);
  decodeFields(any.value, "ed25519.PubKey", { 1: field.bytes((b) => (key = b)) });
  return { "@type": any.typeUrl, key: toBase64(key) };
}

export function validatorFromJson(v: unknown, what: string): Validator {
  const o = asObject(v, what);
  const statusName = asString(o.status ?? "BOND_STATUS_UNBONDED", `${what}.status`);
  const status = (BOND_STATUS_NAMES as readonly string[]).indexOf(statusName);
  if (status < 1) throw genesisError(`${what}.status ${statusName} is invalid`);
  const operatorAddress = asString(o.operator_address, `${what}.operator_address`);
  decodeAddress(operatorAddress, VALOPER_PREFIX);
  const d = asObject(o.description ?? {}, `${what}.description`);
  const c = asObject(o.commission ?? {}, `${what}.commission`);
  const r = asObject(c.commission_rates ?? {}, `${what}.commission.commission_rates`);
  return {
    operatorAddress,
    consensusPubkey: pubkeyFromJson(o.consensus_pubkey, `${what}.consensus_pubkey`),
    jailed: o.jailed === undefined ? false : asBool(o.jailed, `${what}.jailed`),
    status: status as BondStatus,
    tokens: asUint(o.tokens ?? "0", `${what}.tokens`, 256),
    delegatorShares: decJson(o.delegator_shares ?? "0", `${what}.delegator_shares`),
    description: {
      moniker: asOptionalString(d.moniker, "moniker"),
      identity: asOptionalString(d.identity, "identity"),
      website: asOptionalString(d.website, "website"),
      securityContact: asOptionalString(d.security_contact, "security_contact"),
      details: asOptionalString(d.details, "details"),
    },
    unbondingHeight: asUint(o.unbonding_height ?? "0", `${what}.unbonding_height`),
    unbondingTime: timeJson(o.unbonding_time, `${what}.unbonding_time`),
    commission: {
      rates: {
        rate: decJson(r.rate ?? "0", "rate"),
        maxRate: decJson(r.max_rate ?? "0", "max_rate"),
        maxChangeRate: decJson(r.max_change_rate ?? "0", "max_change_rate"),
      },
      updateTime: timeJson(c.update_time, `${what}.commission.update_time`),
    },
    minSelfDelegation: asUint(o.min_self_delegation ?? "1", `${what}.min_self_delegation`, 256),
    unbondingOnHoldRefCount: 0n,
    unbondingIds: [],
  };
}

export function validatorToJson(v: Validator): Record<string, unknown> {
  return {
    operator_address: v.operatorAddress,
    consensus_pubkey: pubkeyToJson(v.consensusPubkey),
    jailed: v.jailed,
    status: BOND_STATUS_NAMES[v.status],
    tokens: v.tokens.toString(),
    delegator_shares: v.delegatorShares.toString(),
    description: {
      moniker: v.description.moniker,
      identity: v.description.identity,
      website: v.description.website,
      security_contact: v.description.securityContact,
      details: v.description.details,
    },
    unbonding_height: v.unbondingHeight.toString(),
    unbonding_time: rfc3339Nano(v.unbondingTime),
    commission: {
      commission_rates: {
        rate: v.commission.rates.rate.toString(),
        max_rate: v.commission.rates.maxRate.toString(),
        max_change_rate: v.commission.rates.maxChangeRate.toString(),
      },
      update_time: rfc3339Nano(v.commission.updateTime),
    },
    min_self_delegation: v.minSelfDelegation.toString(),
    unbonding_on_hold_ref_count: v.unbondingOnHoldRefCount.toString(),
    unbonding_ids: v.unbondingIds.map(String),
  };
}

export function stakingGenesisFromJson(v: unknown): StakingGenesis {
  if (v === undefined) return defaultStakingGenesis();
  const o = asObject(v, "staking");
  return {
    params: stakingParamsFromJson(o.params),
    lastTotalPower: asUint(o.last_total_power ?? "0", "last_total_power", 256),
    lastValidatorPowers: asArray(o.last_validator_powers, "last_validator_powers").map((p, i) => {
      const po = asObject(p, `last_validator_powers[${i}]`);
      return { address: asString(po.address, "address"), power: asUint(po.power, "power") };
    }),
    validators: asArray(o.validators, "staking.validators").map((x, i) => validatorFromJson(x, `validators[${i}]`)),
    delegations: asArray(o.delegations, "staking.delegations").map((x, i) => {
      const d = asObject(x, `delegations[${i}]`);
      const delegatorAddress = asString(d.delegator_address, "delegator_address");
      const validatorAddress = asString(d.validator_address, "validator_address");
      parseAccountAddress(delegatorAddress);
      decodeAddress(validatorAddress, VALOPER_PREFIX);
      return { delegatorAddress, validatorAddress, shares: decJson(d.shares, "shares") };
    }),
    unbondingDelegations: asArray(o.unbonding_delegations, "unbonding_delegations").map((x, i) => {
      const u = asObject(x, `unbonding_delegations[${i}]`);
      return {
        delegatorAddress: asString(u.delegator_address, "delegator_address"),
        validatorAddress: asString(u.validator_address, "validator_address"),
        entries: asArray(u.entries, "entries").map((e, j) => {
          const eo = asObject(e, `entries[${j}]`);
          return {
            creationHeight: asUint(eo.creation_height ?? "0", "creation_height"),
            completionTime: timeJson(eo.completion_time, "completion_time"),
            initialBalance: asUint(eo.initial_balance, "initial_balance", 256),
            balance: asUint(eo.balance, "balance", 256),
            unbondingId: asUint(eo.unbonding_id ?? "0", "unbonding_id"),
          };
        }),
      };
    }),
    redelegations: asArray(o.redelegations, "redelegations").map((x, i) => {
      const r = asObject(x, `redelegations[${i}]`);
      return {
        delegatorAddress: asString(r.delegator_address, "delegator_address"),
        validatorSrcAddress: asString(r.validator_src_address, "validator_src_address"),
        validatorDstAddress: asString(r.validator_dst_address, "validator_dst_address"),
        entries: asArray(r.entries, "entries").map((e, j) => {
          const eo = asObject(e, `entries[${j}]`);
          return {
            creationHeight: asUint(eo.creation_height ?? "0", "creation_height"),
            completionTime: timeJson(eo.completion_time, "completion_time"),
            initialBalance: asUint(eo.initial_balance, "initial_balance", 256),
            sharesDst: decJson(eo.shares_dst, "shares_dst"),
            unbondingId: asUint(eo.unbonding_id ?? "0", "unbonding_id"),
          };
        }),
      };
    }),
    exported: o.exported === undefined ? false : asBool(o.exported, "exported"),
  };
}

export function stakingGenesisToJson(g: StakingGenesis): Record<string, unknown> {
  return {
    params: stakingParamsToJson(g.params),
    last_total_power: g.lastTotalPower.toString(),
    last_validator_powers: g.lastValidatorPowers.map((p) => ({ address: p.address, power: p.power.toString() })),
    validators: g.validators.map(validatorToJson),
    delegations: g.delegations.map((d) => ({
      delegator_address: d.delegatorAddress,
      validator_address: d.validatorAddress,
      shares: d.shares.toString(),
    })),
    unbonding_delegations: g.unbondingDelegations.map((u) => ({
      delegator_address: u.delegatorAddress,
      validator_address: u.validatorAddress,
      entries: u.entries.map((e) => ({
        creation_height: e.creationHeight.toString(),
        completion_time: rfc3339Nano(e.completionTime),
        initial_balance: e.initialBalance.toString(),
        balance: e.balance.toString(),
        unbonding_id: e.unbondingId.toString(),
        unbonding_on_hold_ref_count: "0",
      })),
    })),
    redelegations: g.redelegations.map((r) => ({
      delegator_address: r.delegatorAddress,
      validator_src_address: r.validatorSrcAddress,
      validator_dst_address: r.validatorDstAddress,
      entries: r.entries.map((e) => ({
        creation_height: e.creationHeight.toString(),
        completion_time: rfc3339Nano(e.completionTime),
        initial_balance: e.initialBalance.toString(),
        shares_dst: e.sharesDst.toString(),
        unbonding_id: e.unbondingId.toString(),
        unbonding_on_hold_ref_count: "0",
      })),
    })),
    exported: g.exported,
  };
}

/**
 * Writes the genesis state; returns the initial validator set (empty for an exported genesis, whose
 * set consensus already has). Bank genesis must have run (the pools' balances are checked).
 */
export function initStakingGenesis(ctx: Context, keeper: StakingKeeper, g: StakingGenesis): ValidatorUpdate[] {
  const problem = stakingParamsProblem(g.params);
  if (problem !== undefined) throw genesisError(`staking params: ${problem}`);
  keeper.setParams(ctx, g.params);
  keeper.setLastTotalPower(ctx, g.lastTotalPower);
  let bonded = 0n;
  let notBonded = 0n;
  const seen = new Set<string>();
  for (const v of g.validators) {
    const key = toHex(consAddressOf(v));
    if (seen.has(v.operatorAddress) || seen.has(key)) throw genesisError(`duplicate validator ${v.operatorAddress}`);
    seen.add(v.operatorAddress);
    seen.add(key);
    if (v.jailed && isBonded(v)) throw genesisError(`validator ${v.operatorAddress} is bonded and jailed`);
    keeper.initValidator(ctx, v, !g.exported);
    if (isBonded(v)) bonded += v.tokens;
    else notBonded += v.tokens;
    if (v.status === BondStatus.Unbonding) keeper.enqueueUnbondingValidator(ctx, v);
  }
  for (const d of g.delegations) keeper.initDelegation(ctx, d, !g.exported);
  for (const u of g.unbondingDelegations) {
    keeper.initUnbondingDelegation(ctx, u);
    for (const e of u.entries) notBonded += e.balance;
  }
  for (const r of g.redelegations) keeper.initRedelegation(ctx, r);
  const denom = g.params.bondDenom;
  const bondedBalance = keeper.poolBalance(ctx, BONDED_POOL, denom);
  const notBondedBalance = keeper.poolBalance(ctx, NOT_BONDED_POOL, denom);
  if (bondedBalance !== bonded) {
    throw genesisError(`bonded pool balance is different from bonded coins: ${bondedBalance} <-> ${bonded}`);
  }
  if (notBondedBalance !== notBonded) {
    throw genesisError(
      `not bonded pool balance is different from not bonded coins: ${notBondedBalance} <-> ${notBonded}`,
    );
  }
  if (g.exported) {
    for (const p of g.lastValidatorPowers) {
      keeper.setLastValidatorPower(ctx, decodeAddress(p.address, VALOPER_PREFIX), p.power);
    }
    return [];
  }
  return keeper.applyValidatorSetUpdates(ctx);
}

export function exportStakingGenesis(ctx: Context, keeper: StakingKeeper): StakingGenesis {
  return {
    params: keeper.getParams(ctx),
    lastTotalPower: keeper.getLastTotalPower(ctx),
    lastValidatorPowers: [...keeper.lastValidatorPowers(ctx).values()].map(({ val, power }) => ({
      address: valoperAddress(val),
      power,
    })),
    validators: [...keeper.allValidators(ctx)],
    delegations: [...keeper.allDelegations(ctx)],
    unbondingDelegations: [...keeper.allUnbondingDelegations(ctx)],
    redelegations: [...keeper.allRedelegations(ctx)],
    exported: true,
  };
}
