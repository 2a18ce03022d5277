/** The bank module's view of its neighbours (narrow expected-keeper interfaces) and its own types. */
import type { AuthKeeper } from "../auth/keeper.ts";

/** What bank needs of auth (upstream `x/bank/types/expected_keepers.go`). */
export type AuthForBank = Pick<
  AuthKeeper,
  "hasAccount" | "setAccount" | "newAccountWithAddress" | "moduleAddress" | "getOrCreateModuleAccount"
>;

export type { Metadata } from "../../codec/bank.ts";
