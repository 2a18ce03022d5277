/** Slashing events (upstream `x/slashing/types/events.go`). */
import { type AppEvent, createEvent } from "../events.ts";

export const livenessEvent = (address: string, missedBlocks: string, height: string): AppEvent =>
  createEvent("liveness", ["address", address], ["missed_blocks", missedBlocks], ["height", height]);

export const slashEvent = (
  address: string,
  power: string,
  reason: string,
  jailed?: string,
  burned?: string,
): AppEvent => {
  const pairs: Array<[string, string]> = [
    ["address", address],
    ["power", power],
    ["reason", reason],
  ];
  if (jailed !== undefined) pairs.push(["jailed", jailed]);
  if (burned !== undefined) pairs.push(["burned_coins", burned]);
  return createEvent("slash", ...pairs);
};

export const REASON_MISSING_SIGNATURE = "missing_signature";
export const REASON_DOUBLE_SIGN = "double_sign";
