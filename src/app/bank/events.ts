/** Bank events (chain-api.md §5.1, §5.2), attributes in upstream's order. */
import { attribute, type AppEvent } from "../events.ts";

// Built directly (no `[key, value]` pairs): every send emits these four, twice with its fee.

export const coinSpentEvent = (spender: string, amount: string): AppEvent => ({
  type: "coin_spent",
  attributes: [attribute("spender", spender), attribute("amount", amount)],
});

export const coinReceivedEvent = (receiver: string, amount: string): AppEvent => ({
  type: "coin_received",
  attributes: [attribute("receiver", receiver), attribute("amount", amount)],
});

export const transferEvent = (recipient: string, sender: string, amount: string): AppEvent => ({
  type: "transfer",
  attributes: [attribute("recipient", recipient), attribute("sender", sender), attribute("amount", amount)],
});

export const messageSenderEvent = (sender: string): AppEvent => ({
  type: "message",
  attributes: [attribute("sender", sender)],
});
