/** Bank events (chain-api.md §5.1, §5.2), attributes in upstream's order. */
import { createEvent, type AppEvent } from "../events.ts";

export const coinSpentEvent = (spender: string, amount: string): AppEvent =>
  createEvent("coin_spent", ["spender", spender], ["amount", amount]);

export const coinReceivedEvent = (receiver: string, amount: string): AppEvent =>
  createEvent("coin_received", ["receiver", receiver], ["amount", amount]);

export const transferEvent = (recipient: string, sender: string, amount: string): AppEvent =>
  createEvent("transfer", ["recipient", recipient], ["sender", sender], ["amount", amount]);

export const messageSenderEvent = (sender: string): AppEvent => createEvent("message", ["sender", sender]);
