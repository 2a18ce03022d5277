/** The auth module's domain types. */
import type { Any } from "../../codec/tx.ts";

/** An account as the state machine sees it (BaseAccount, or a ModuleAccount when `module` is set). */
export interface Account {
  /** Canonical address bytes (20, or 32 for derived accounts). */
  readonly address: Uint8Array;
  /** The public key as a protobuf Any; undefined until the first signed tx. */
  readonly pubKey: Any | undefined;
  readonly accountNumber: bigint;
  readonly sequence: bigint;
  readonly module?: { readonly name: string; readonly permissions: readonly string[] } | undefined;
}

/**
 * The module accounts of the chain and their permissions: upstream's `ModuleAccountPermissions`
 * (`scrtlabs/SecretNetwork: app/modules.go`, v1.22) without the modules this chain does not run
 * (`transfer`, `interchainaccounts`, `feeibc`, `emergencybutton`, `cron`).
 */
export const MODULE_ACCOUNT_PERMISSIONS: Readonly<Record<string, readonly string[]>> = {
  fee_collector: [],
  distribution: [],
  mint: ["minter"],
  bonded_tokens_pool: ["burner", "staking"],
  not_bonded_tokens_pool: ["burner", "staking"],
  gov: ["burner"],
  compute: ["burner"],
};

/**
 * The module accounts genesis creates, in the order upstream's InitGenesis calls create them
 * (`GetModuleAccount` creates on first use): auth (`fee_collector`), distribution, staking (bonded then
 * not bonded pool), gov, mint. Any other (here `compute`) is created when first used.
 */
export const GENESIS_MODULE_ACCOUNTS: readonly string[] = [
  "fee_collector",
  "distribution",
  "bonded_tokens_pool",
  "not_bonded_tokens_pool",
  "gov",
  "mint",
];

/**
 * Module accounts a bank message may send to (upstream `allowedReceivingModAcc`); every other module
 * account is a blocked address.
 */
export const MODULE_ACCOUNTS_ALLOWED_TO_RECEIVE: readonly string[] = ["distribution"];
