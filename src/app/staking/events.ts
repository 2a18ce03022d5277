/** Staking events (chain-api.md §5.2), attributes in upstream's order. */
import { type AppEvent, createEvent } from "../events.ts";

export const createValidatorEvent = (validator: string, amount: string): AppEvent =>
  createEvent("create_validator", ["validator", validator], ["amount", amount]);

export const editValidatorEvent = (commissionRate: string, minSelfDelegation: string): AppEvent =>
  createEvent("edit_validator", ["commission_rate", commissionRate], ["min_self_delegation", minSelfDelegation]);

export const delegateEvent = (validator: string, delegator: string, amount: string, newShares: string): AppEvent =>
  createEvent(
    "delegate",
    ["validator", validator],
    ["delegator", delegator],
    ["amount", amount],
    ["new_shares", newShares],
  );

export const unbondEvent = (validator: string, delegator: string, amount: string, completionTime: string): AppEvent =>
  createEvent(
    "unbond",
    ["validator", validator],
    ["delegator", delegator],
    ["amount", amount],
    ["completion_time", completionTime],
  );

export const redelegateEvent = (src: string, dst: string, amount: string, completionTime: string): AppEvent =>
  createEvent(
    "redelegate",
    ["source_validator", src],
    ["destination_validator", dst],
    ["amount", amount],
    ["completion_time", completionTime],
  );

export const cancelUnbondingEvent = (
  amount: string,
  validator: string,
  delegator: string,
  creationHeight: string,
): AppEvent =>
  createEvent(
    "cancel_unbonding_delegation",
    ["amount", amount],
    ["validator", validator],
    ["delegator", delegator],
    ["creation_height", creationHeight],
  );

export const completeUnbondingEvent = (amount: string, validator: string, delegator: string): AppEvent =>
  createEvent("complete_unbonding", ["amount", amount], ["validator", validator], ["delegator", delegator]);

export const completeRedelegationEvent = (amount: string, delegator: string, src: string, dst: string): AppEvent =>
  createEvent(
    "complete_redelegation",
    ["amount", amount],
    ["delegator", delegator],
    ["source_validator", src],
    ["destination_validator", dst],
  );
