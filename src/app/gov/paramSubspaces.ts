/**
 * Legacy `x/params` subspaces for `ParameterChangeProposal`: each module's params by upstream's key
 * names, values in amino JSON (numbers may be quoted: `"\"100\""`; durations as nanoseconds or
 * `"90s"`; decimals as `"\"0.05\""`). Setting validates the whole new params object as the module's
 * `MsgUpdateParams` would. The subspaces here cover auth, bank, staking, distribution, mint, slashing
 * registration (`AttestationPolicy`, the attestation allow-list) and compute (`CompileCost`,
 * `MaxContractSize`).
 */
import { policyFromJson, policyToJson } from "../../attestation/index.ts";
import { Dec } from "../../primitives/amount.ts";
import type { AuthKeeper } from "../auth/keeper.ts";
import type { BankKeeper } from "../bank/keeper.ts";
import type { ComputeParams } from "../compute/params.ts";
import type { Context } from "../context.ts";
import { ErrorDef } from "../errors.ts";
import type { DistributionKeeper } from "../distribution/keeper.ts";
import { distributionParamsProblem } from "../distribution/params.ts";
import type { MintKeeper } from "../mint/keeper.ts";
import { mintParamsProblem } from "../mint/params.ts";
import type { RegistrationKeeper } from "../registration/keeper.ts";
import type { SlashingKeeper } from "../slashing/keeper.ts";
import { slashingParamsProblem } from "../slashing/params.ts";
import type { StakingKeeper } from "../staking/keeper.ts";
import { stakingParamsProblem } from "../staking/params.ts";
import { parseDuration } from "../staking/time.ts";
import type { ParamSubspace } from "./types.ts";

const params = (code: number, description: string): ErrorDef => new ErrorDef("params", code, description);

export const ParamsErrors = {
  UnknownSubspace: params(2, "unknown subspace"),
  SettingParameter: params(3, "failed to set parameter"),
  EmptyChanges: params(4, "submitted parameter changes are empty"),
} as const;

function json(value: string, key: string): unknown {
  try {
    return JSON.parse(value) as unknown;
  } catch {
    throw ParamsErrors.SettingParameter.wrap(`key: ${key}, value: ${value}, err: invalid JSON`);
  }
}

function asUint(value: string, key: string): bigint {
  const v = json(value, key);
  const text = typeof v === "number" && Number.isSafeInteger(v) ? String(v) : v;
  if (typeof text !== "string" || !/^(0|[1-9][0-9]*)$/.test(text)) {
    throw ParamsErrors.SettingParameter.wrap(`key: ${key}, value: ${value}, err: not an unsigned integer`);
  }
  return BigInt(text);
}

function asDec(value: string, key: string): Dec {
  const v = json(value, key);
  try {
    return Dec.parse(typeof v === "number" ? String(v) : (v as string));
  } catch {
    throw ParamsErrors.SettingParameter.wrap(`key: ${key}, value: ${value}, err: not a decimal`);
  }
}

function asBool(value: string, key: string): boolean {
  const v = json(value, key);
  if (typeof v !== "boolean")
    throw ParamsErrors.SettingParameter.wrap(`key: ${key}, value: ${value}, err: not a boolean`);
  return v;
}

function asText(value: string, key: string): string {
  const v = json(value, key);
  if (typeof v !== "string")
    throw ParamsErrors.SettingParameter.wrap(`key: ${key}, value: ${value}, err: not a string`);
  return v;
}

function asDuration(value: string, key: string): bigint {
  const v = json(value, key);
  if (typeof v === "string") {
    if (/^(0|[1-9][0-9]*)$/.test(v)) return BigInt(v);
    const d = parseDuration(v);
    if (d !== undefined) return d;
  }
  if (typeof v === "number" && Number.isSafeInteger(v) && v >= 0) return BigInt(v);
  throw ParamsErrors.SettingParameter.wrap(`key: ${key}, value: ${value}, err: not a duration`);
}

const quoted = (x: { toString(): string }): string => JSON.stringify(x.toString());

/**
 * A subspace over a params record: `fields` maps each key to a reader of the value and a renderer;
 * `check` validates the updated record (a text problem becomes params 3).
 */
function subspace<P extends object>(
  name: string,
  get: (ctx: Context) => P,
  set: (ctx: Context, p: P) => void,
  check: (p: P) => string | undefined,
  fields: Record<string, { read: (value: string, key: string) => Partial<P>; show: (p: P) => string }>,
): ParamSubspace {
  return {
    name,
    keys: Object.keys(fields),
    get: (ctx, key) => fields[key]?.show(get(ctx)),
    set(ctx, key, value) {
      const f = fields[key];
      if (f === undefined) throw ParamsErrors.SettingParameter.wrap(`key: ${key}, value: ${value}, err: unknown key`);
      const next = { ...get(ctx), ...f.read(value, key) } as P;
      const problem = check(next);
      if (problem !== undefined)
        throw ParamsErrors.SettingParameter.wrap(`key: ${key}, value: ${value}, err: ${problem}`);
      set(ctx, next);
    },
  };
}

export interface SubspaceKeepers {
  readonly auth?: AuthKeeper;
  readonly bank?: BankKeeper;
  readonly staking?: StakingKeeper;
  readonly distribution?: DistributionKeeper;
  readonly mint?: MintKeeper;
  readonly slashing?: SlashingKeeper;
  readonly registration?: RegistrationKeeper;
  readonly compute?: {
    getParams(ctx: Context): ComputeParams;
    setParams(ctx: Context, params: ComputeParams): void;
  };
}

/** The subspaces of the keepers given. */
export function createParamSubspaces(k: SubspaceKeepers): ParamSubspace[] {
  const out: ParamSubspace[] = [];
  if (k.auth !== undefined) {
    const a = k.auth;
    const positive = (p: { txSigLimit: bigint; maxMemoCharacters: bigint }): string | undefined =>
      p.txSigLimit === 0n
        ? "invalid tx signature limit: 0"
        : p.maxMemoCharacters === 0n
          ? "invalid max memo characters: 0"
          : undefined;
    out.push(
      subspace(
        "auth",
        (c) => a.getParams(c),
        (c, p) => a.setParams(c, p),
        positive,
        {
          MaxMemoCharacters: {
            read: (v, key) => ({ maxMemoCharacters: asUint(v, key) }),
            show: (p) => quoted(p.maxMemoCharacters),
          },
          TxSigLimit: { read: (v, key) => ({ txSigLimit: asUint(v, key) }), show: (p) => quoted(p.txSigLimit) },
          TxSizeCostPerByte: {
            read: (v, key) => ({ txSizeCostPerByte: asUint(v, key) }),
            show: (p) => quoted(p.txSizeCostPerByte),
          },
          SigVerifyCostED25519: {
            read: (v, key) => ({ sigVerifyCostEd25519: asUint(v, key) }),
            show: (p) => quoted(p.sigVerifyCostEd25519),
          },
          SigVerifyCostSecp256k1: {
            read: (v, key) => ({ sigVerifyCostSecp256k1: asUint(v, key) }),
            show: (p) => quoted(p.sigVerifyCostSecp256k1),
          },
        },
      ),
    );
  }
  if (k.bank !== undefined) {
    const b = k.bank;
    out.push(
      subspace(
        "bank",
        (c) => b.getParams(c),
        (c, p) => b.setParams(c, p),
        () => undefined,
        {
          DefaultSendEnabled: {
            read: (v, key) => ({ defaultSendEnabled: asBool(v, key) }),
            show: (p) => String(p.defaultSendEnabled),
          },
        },
      ),
    );
  }
  if (k.staking !== undefined) {
    const s = k.staking;
    out.push(
      subspace(
        "staking",
        (c) => s.getParams(c),
        (c, p) => s.setParams(c, p),
        stakingParamsProblem,
        {
          UnbondingTime: {
            read: (v, key) => ({ unbondingTime: asDuration(v, key) }),
            show: (p) => quoted(p.unbondingTime),
          },
          MaxValidators: {
            read: (v, key) => ({ maxValidators: Number(asUint(v, key)) }),
            show: (p) => String(p.maxValidators),
          },
          MaxEntries: { read: (v, key) => ({ maxEntries: Number(asUint(v, key)) }), show: (p) => String(p.maxEntries) },
          HistoricalEntries: {
            read: (v, key) => ({ historicalEntries: Number(asUint(v, key)) }),
            show: (p) => String(p.historicalEntries),
          },
          BondDenom: { read: (v, key) => ({ bondDenom: asText(v, key) }), show: (p) => JSON.stringify(p.bondDenom) },
          MinCommissionRate: {
            read: (v, key) => ({ minCommissionRate: asDec(v, key) }),
            show: (p) => quoted(p.minCommissionRate),
          },
        },
      ),
    );
  }
  if (k.distribution !== undefined) {
    const d = k.distribution;
    out.push(
      subspace(
        "distribution",
        (c) => d.getParams(c),
        (c, p) => d.setParams(c, p),
        distributionParamsProblem,
        {
          communitytax: { read: (v, key) => ({ communityTax: asDec(v, key) }), show: (p) => quoted(p.communityTax) },
          baseproposerreward: {
            read: (v, key) => ({ baseProposerReward: asDec(v, key) }),
            show: (p) => quoted(p.baseProposerReward),
          },
          bonusproposerreward: {
            read: (v, key) => ({ bonusProposerReward: asDec(v, key) }),
            show: (p) => quoted(p.bonusProposerReward),
          },
          withdrawaddrenabled: {
            read: (v, key) => ({ withdrawAddrEnabled: asBool(v, key) }),
            show: (p) => String(p.withdrawAddrEnabled),
          },
          secretfoundationtax: {
            read: (v, key) => ({ secretFoundationTax: asDec(v, key) }),
            show: (p) => quoted(p.secretFoundationTax),
          },
          secretfoundationaddress: {
            read: (v, key) => ({ secretFoundationAddress: asText(v, key) }),
            show: (p) => JSON.stringify(p.secretFoundationAddress),
          },
          minimumrestakethreshold: {
            read: (v, key) => ({ minimumRestakeThreshold: asDec(v, key) }),
            show: (p) => quoted(p.minimumRestakeThreshold),
          },
          restakeperiod: {
            read: (v, key) => ({ restakePeriod: asUint(v, key) }),
            show: (p) => quoted(p.restakePeriod),
          },
        },
      ),
    );
  }
  if (k.mint !== undefined) {
    const m = k.mint;
    out.push(
      subspace(
        "mint",
        (c) => m.getParams(c),
        (c, p) => m.setParams(c, p),
        mintParamsProblem,
        {
          MintDenom: { read: (v, key) => ({ mintDenom: asText(v, key) }), show: (p) => JSON.stringify(p.mintDenom) },
          InflationRateChange: {
            read: (v, key) => ({ inflationRateChange: asDec(v, key) }),
            show: (p) => quoted(p.inflationRateChange),
          },
          InflationMax: { read: (v, key) => ({ inflationMax: asDec(v, key) }), show: (p) => quoted(p.inflationMax) },
          InflationMin: { read: (v, key) => ({ inflationMin: asDec(v, key) }), show: (p) => quoted(p.inflationMin) },
          GoalBonded: { read: (v, key) => ({ goalBonded: asDec(v, key) }), show: (p) => quoted(p.goalBonded) },
          BlocksPerYear: {
            read: (v, key) => ({ blocksPerYear: asUint(v, key) }),
            show: (p) => quoted(p.blocksPerYear),
          },
        },
      ),
    );
  }
  if (k.slashing !== undefined) {
    const s = k.slashing;
    out.push(
      subspace(
        "slashing",
        (c) => s.getParams(c),
        (c, p) => s.setParams(c, p),
        slashingParamsProblem,
        {
          SignedBlocksWindow: {
            read: (v, key) => ({ signedBlocksWindow: asUint(v, key) }),
            show: (p) => quoted(p.signedBlocksWindow),
          },
          MinSignedPerWindow: {
            read: (v, key) => ({ minSignedPerWindow: asDec(v, key) }),
            show: (p) => quoted(p.minSignedPerWindow),
          },
          DowntimeJailDuration: {
            read: (v, key) => ({ downtimeJailDuration: asDuration(v, key) }),
            show: (p) => quoted(p.downtimeJailDuration),
          },
          SlashFractionDoubleSign: {
            read: (v, key) => ({ slashFractionDoubleSign: asDec(v, key) }),
            show: (p) => quoted(p.slashFractionDoubleSign),
          },
          SlashFractionDowntime: {
            read: (v, key) => ({ slashFractionDowntime: asDec(v, key) }),
            show: (p) => quoted(p.slashFractionDowntime),
          },
        },
      ),
    );
  }
  if (k.compute !== undefined) {
    const c = k.compute;
    out.push(
      subspace(
        "compute",
        (ctx) => c.getParams(ctx),
        (ctx, p) => c.setParams(ctx, p),
        (p) =>
          p.compileCost.isNegative()
            ? `compile cost must not be negative: ${p.compileCost.toString()}`
            : p.maxContractSize === 0n
              ? "max contract size must be positive"
              : undefined,
        {
          CompileCost: { read: (v, key) => ({ compileCost: asDec(v, key) }), show: (p) => quoted(p.compileCost) },
          MaxContractSize: {
            read: (v, key) => ({ maxContractSize: asUint(v, key) }),
            show: (p) => quoted(p.maxContractSize),
          },
        },
      ),
    );
  }
  if (k.registration !== undefined) {
    const r = k.registration;
    out.push(
      subspace(
        "register",
        (c) => r.getParams(c),
        (c, p) => r.setParams(c, p),
        () => undefined,
        {
          AttestationPolicy: {
            read: (v, key) => {
              try {
                return { attestationPolicy: policyFromJson(json(v, key)) };
              } catch (e) {
                throw ParamsErrors.SettingParameter.wrap(
                  `key: ${key}, value: ${v}, err: ${e instanceof Error ? e.message : String(e)}`,
                );
              }
            },
            show: (p) => JSON.stringify(policyToJson(p.attestationPolicy)),
          },
        },
      ),
    );
  }
  return out;
}
