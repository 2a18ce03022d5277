/** Slashing params (SDK defaults; chain-api.md §7.8). */
import type { SlashingParams } from "../../codec/slashing.ts";
import { Dec } from "../../primitives/amount.ts";

export type { SlashingParams } from "../../codec/slashing.ts";

export const DEFAULT_SLASHING_PARAMS: SlashingParams = Object.freeze({
  signedBlocksWindow: 100n,
  minSignedPerWindow: Dec.parse("0.5"),
  downtimeJailDuration: 600n * 1_000_000_000n,
  slashFractionDoubleSign: Dec.parse("0.05"),
  slashFractionDowntime: Dec.parse("0.01"),
});

/** `evidencetypes.DoubleSignJailEndTime`: 9999-12-31T23:59:59Z. */
export const DOUBLE_SIGN_JAIL_END_NANOS = 253_402_300_799n * 1_000_000_000n;

/** Consensus evidence params (`max_age_num_blocks`, `max_age_duration`): CometBFT defaults. */
export const DEFAULT_EVIDENCE_MAX_AGE_BLOCKS = 100_000n;
export const DEFAULT_EVIDENCE_MAX_AGE_NANOS = 48n * 3600n * 1_000_000_000n;

export function slashingParamsProblem(p: SlashingParams): string | undefined {
  const unit = (d: Dec): boolean => !d.isNegative() && d.compare(Dec.ONE) <= 0;
  if (p.signedBlocksWindow <= 0n) return `signed blocks window must be positive: ${p.signedBlocksWindow}`;
  if (!unit(p.minSignedPerWindow)) return `min signed per window must be between 0 and 1: ${p.minSignedPerWindow}`;
  if (p.downtimeJailDuration <= 0n) return "downtime jail duration must be positive";
  if (!unit(p.slashFractionDoubleSign)) return `double sign slash fraction must be between 0 and 1`;
  if (!unit(p.slashFractionDowntime)) return `downtime slash fraction must be between 0 and 1`;
  return undefined;
}
