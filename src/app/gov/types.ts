/** The gov module's view of its neighbours, the message router it executes proposals with, and param subspaces. */
import type { BankKeeper } from "../bank/keeper.ts";
import type { Context } from "../context.ts";
import type { StakingKeeper } from "../staking/keeper.ts";
import type { MsgService } from "../types.ts";

export type BankForGov = Pick<
  BankKeeper,
  "sendCoinsFromAccountToModule" | "sendCoinsFromModuleToAccount" | "burnCoins" | "getBalance"
>;

export type StakingForGov = Pick<
  StakingKeeper,
  "validatorsByPower" | "delegationsOf" | "totalBondedTokens" | "lastValidatorPowers" | "getValidator"
>;

/** Routes a proposal message's type URL to its service (the app's message table). */
export type MsgRouter = (typeUrl: string) => MsgService | undefined;

/**
 * A legacy `x/params` subspace: what a `ParameterChangeProposal` can change. `set` gets the change's
 * `value` (amino JSON, e.g. `"\"0.05\""`, `"100"`, `"true"`) and throws an AppError when the key is
 * unknown or the value invalid; `get` renders the current value the same way (the params query).
 */
export interface ParamSubspace {
  readonly name: string;
  readonly keys: readonly string[];
  get(ctx: Context, key: string): string | undefined;
  set(ctx: Context, key: string, value: string): void;
}
