/** The distribution module's view of its neighbours (upstream `expected_keepers.go`). */
import type { BankKeeper } from "../bank/keeper.ts";
import type { StakingKeeper } from "../staking/keeper.ts";
import type { DistributionParams } from "../../codec/distribution.ts";
import type { DecCoin } from "../../codec/staking.ts";
import type { Dec } from "../../primitives/amount.ts";

export type BankForDistribution = Pick<
  BankKeeper,
  | "getBalance"
  | "getAllBalances"
  | "sendCoinsFromModuleToModule"
  | "sendCoinsFromModuleToAccount"
  | "sendCoinsFromAccountToModule"
  | "isBlocked"
>;

export type StakingForDistribution = Pick<
  StakingKeeper,
  | "getValidator"
  | "getValidatorByConsAddr"
  | "getDelegation"
  | "delegationsOf"
  | "delegate"
  | "bondDenom"
  | "allValidators"
  | "allDelegations"
>;

/** The module's genesis state (JSON in `genesis.ts`). */
export interface DistributionGenesis {
  readonly params: DistributionParams;
  readonly communityPool: readonly DecCoin[];
  readonly withdrawInfos: ReadonlyArray<{ readonly delegator: Uint8Array; readonly withdraw: Uint8Array }>;
  readonly previousProposer: Uint8Array | undefined;
  readonly outstanding: ReadonlyArray<{ readonly val: Uint8Array; readonly rewards: readonly DecCoin[] }>;
  readonly commissions: ReadonlyArray<{ readonly val: Uint8Array; readonly commission: readonly DecCoin[] }>;
  readonly historical: ReadonlyArray<{
    readonly val: Uint8Array;
    readonly period: bigint;
    readonly ratio: readonly DecCoin[];
    readonly referenceCount: number;
  }>;
  readonly current: ReadonlyArray<{
    readonly val: Uint8Array;
    readonly rewards: readonly DecCoin[];
    readonly period: bigint;
  }>;
  readonly startingInfos: ReadonlyArray<{
    readonly val: Uint8Array;
    readonly del: Uint8Array;
    readonly previousPeriod: bigint;
    readonly stake: Dec;
    readonly height: bigint;
  }>;
  readonly slashEvents: ReadonlyArray<{
    readonly val: Uint8Array;
    readonly height: bigint;
    readonly period: bigint;
    readonly fraction: Dec;
  }>;
}
