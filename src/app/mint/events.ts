/** Mint's begin-block event (upstream `EventTypeMint`). */
import { type AppEvent, createEvent } from "../events.ts";

export const mintEvent = (bondedRatio: string, inflation: string, annualProvisions: string, amount: string): AppEvent =>
  createEvent(
    "mint",
    ["bonded_ratio", bondedRatio],
    ["inflation", inflation],
    ["annual_provisions", annualProvisions],
    ["amount", amount],
  );
