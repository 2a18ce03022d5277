/**
 * Slashing genesis (`app_state.slashing`): params, signing infos and the missed-block windows in
 * upstream's JSON shape. Signing infos of a fresh chain are created by the AfterValidatorBonded hook.
 */
import type { SigningInfo } from "../../codec/slashing.ts";
import type { Context } from "../context.ts";
import { asArray, asBool, asObject, asString, asUint, genesisError } from "../json.ts";
import { decJson, durationJson, optionalField, timeJson } from "../staking/genesis.ts";
import { durationString, rfc3339Nano } from "../staking/time.ts";
import { SlashingKeeper } from "./keeper.ts";
import { DEFAULT_SLASHING_PARAMS, type SlashingParams, slashingParamsProblem } from "./params.ts";

export interface SlashingGenesis {
  readonly params: SlashingParams;
  readonly signingInfos: readonly SigningInfo[];
  readonly missed: ReadonlyArray<{ readonly address: string; readonly indexes: readonly bigint[] }>;
}

export const defaultSlashingGenesis = (): SlashingGenesis => ({
  params: DEFAULT_SLASHING_PARAMS,
  signingInfos: [],
  missed: [],
});

export function slashingParamsFromJson(v: unknown): SlashingParams {
  if (v === undefined) return DEFAULT_SLASHING_PARAMS;
  const p = asObject(v, "slashing.params");
  const d = DEFAULT_SLASHING_PARAMS;
  return {
    signedBlocksWindow: optionalField(p, "signed_blocks_window", asUint, d.signedBlocksWindow),
    minSignedPerWindow: optionalField(p, "min_signed_per_window", decJson, d.minSignedPerWindow),
    downtimeJailDuration: optionalField(p, "downtime_jail_duration", durationJson, d.downtimeJailDuration),
    slashFractionDoubleSign: optionalField(p, "slash_fraction_double_sign", decJson, d.slashFractionDoubleSign),
    slashFractionDowntime: optionalField(p, "slash_fraction_downtime", decJson, d.slashFractionDowntime),
  };
}

export function slashingParamsToJson(p: SlashingParams): Record<string, unknown> {
  return {
    signed_blocks_window: p.signedBlocksWindow.toString(),
    min_signed_per_window: p.minSignedPerWindow.toString(),
    downtime_jail_duration: durationString(p.downtimeJailDuration),
    slash_fraction_double_sign: p.slashFractionDoubleSign.toString(),
    slash_fraction_downtime: p.slashFractionDowntime.toString(),
  };
}

export function slashingGenesisFromJson(v: unknown): SlashingGenesis {
  if (v === undefined) return defaultSlashingGenesis();
  const o = asObject(v, "slashing");
  return {
    params: slashingParamsFromJson(o.params),
    signingInfos: asArray(o.signing_infos, "signing_infos").map((x, i) => {
      const e = asObject(x, `signing_infos[${i}]`);
      const s = asObject(e.validator_signing_info, "validator_signing_info");
      return {
        address: asString(e.address, "address"),
        startHeight: asUint(s.start_height ?? "0", "start_height"),
        indexOffset: asUint(s.index_offset ?? "0", "index_offset"),
        jailedUntil: timeJson(s.jailed_until, "jailed_until"),
        tombstoned: s.tombstoned === undefined ? false : asBool(s.tombstoned, "tombstoned"),
        missedBlocksCounter: asUint(s.missed_blocks_counter ?? "0", "missed_blocks_counter"),
      };
    }),
    missed: asArray(o.missed_blocks, "missed_blocks").map((x, i) => {
      const e = asObject(x, `missed_blocks[${i}]`);
      return {
        address: asString(e.address, "address"),
        indexes: asArray(e.missed_blocks, "missed_blocks")
          .map((m) => asObject(m, "missed_block"))
          .filter((m) => m.missed === true)
          .map((m) => asUint(m.index, "index")),
      };
    }),
  };
}

export function slashingGenesisToJson(g: SlashingGenesis): Record<string, unknown> {
  return {
    params: slashingParamsToJson(g.params),
    signing_infos: g.signingInfos.map((s) => ({
      address: s.address,
      validator_signing_info: {
        address: s.address,
        start_height: s.startHeight.toString(),
        index_offset: s.indexOffset.toString(),
        jailed_until: rfc3339Nano(s.jailedUntil),
        tombstoned: s.tombstoned,
        missed_blocks_counter: s.missedBlocksCounter.toString(),
      },
    })),
    missed_blocks: g.missed.map((m) => ({
      address: m.address,
      missed_blocks: m.indexes.map((index) => ({ index: index.toString(), missed: true })),
    })),
  };
}

export function initSlashingGenesis(ctx: Context, keeper: SlashingKeeper, g: SlashingGenesis): void {
  const problem = slashingParamsProblem(g.params);
  if (problem !== undefined) throw genesisError(`slashing params: ${problem}`);
  keeper.setParams(ctx, g.params);
  for (const s of g.signingInfos) keeper.setSigningInfo(ctx, SlashingKeeper.consFromBech32(s.address), s);
  for (const m of g.missed) {
    const cons = SlashingKeeper.consFromBech32(m.address);
    for (const i of m.indexes) keeper.setMissed(ctx, cons, i, true);
  }
}

export function exportSlashingGenesis(ctx: Context, keeper: SlashingKeeper): SlashingGenesis {
  const infos = [...keeper.allSigningInfos(ctx)];
  return {
    params: keeper.getParams(ctx),
    signingInfos: infos,
    missed: infos.map((s) => ({
      address: s.address,
      indexes: keeper.missedIndexes(ctx, SlashingKeeper.consFromBech32(s.address)),
    })),
  };
}
