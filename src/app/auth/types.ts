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

/** The module accounts of the chain and their permissions (upstream `maccPerms`). */
export const MODULE_ACCOUNT_PERMISSIONS: Readonly<Record<string, readonly string[]>> = {
  fee_collector: [],
  distribution: [],
  bonded_tokens_pool: ["burner", "staking"],
  not_bonded_tokens_pool: ["burner", "staking"],
  gov: ["burner"],
  mint: ["minter"],
};
