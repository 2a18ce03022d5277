/** Distribution events (chain-api.md §5.2), attributes in upstream's order. */
import { type AppEvent, createEvent } from "../events.ts";

export const commissionEvent = (amount: string, validator: string): AppEvent =>
  createEvent("commission", ["amount", amount], ["validator", validator]);

export const rewardsEvent = (amount: string, validator: string): AppEvent =>
  createEvent("rewards", ["amount", amount], ["validator", validator]);

export const withdrawRewardsEvent = (amount: string, validator: string, delegator: string): AppEvent =>
  createEvent("withdraw_rewards", ["amount", amount], ["validator", validator], ["delegator", delegator]);

export const withdrawCommissionEvent = (amount: string): AppEvent =>
  createEvent("withdraw_commission", ["amount", amount]);

export const setWithdrawAddressEvent = (address: string): AppEvent =>
  createEvent("set_withdraw_address", ["withdraw_address", address]);

/** Secret's MsgSetAutoRestake event (chain-api.md §5.2). */
export const autoRestakeEvent = (sender: string): AppEvent =>
  createEvent("message", ["module", "distribution"], ["sender", sender]);
