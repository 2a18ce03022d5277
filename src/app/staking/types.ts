/** The staking module's view of its neighbours, its hooks, and shared helpers for addresses and power. */
import { ED25519_PUBKEY_URL } from "../../codec/keys.ts";
import type { Validator } from "../../codec/staking.ts";
import { sha256 } from "../../crypto/index.ts";
import type { Dec } from "../../primitives/amount.ts";
import { encodeAddress } from "../../primitives/bech32.ts";
import { decodeAddressCached } from "../auth/addressCache.ts";
import type { BankKeeper } from "../bank/keeper.ts";
import type { Context } from "../context.ts";
import { InvariantError } from "../errors.ts";
import { decodeFields, field } from "../../codec/protobuf.ts";

export type { Validator, Delegation, UnbondingDelegation, Redelegation } from "../../codec/staking.ts";

/** What staking needs of bank (upstream `x/staking/types/expected_keepers.go`). */
export type BankForStaking = Pick<
  BankKeeper,
  | "getBalance"
  | "delegateCoinsFromAccountToModule"
  | "undelegateCoinsFromModuleToAccount"
  | "sendCoinsFromModuleToModule"
  | "burnCoins"
>;

/**
 * Staking hooks (upstream `StakingHooks`): distribution and slashing subscribe. Every method is
 * optional; they run in registration order.
 */
export interface StakingHooks {
  afterValidatorCreated?(ctx: Context, val: Uint8Array): void;
  afterValidatorRemoved?(ctx: Context, cons: Uint8Array, val: Uint8Array): void;
  afterValidatorBonded?(ctx: Context, cons: Uint8Array, val: Uint8Array): void;
  afterValidatorBeginUnbonding?(ctx: Context, cons: Uint8Array, val: Uint8Array): void;
  beforeDelegationCreated?(ctx: Context, del: Uint8Array, val: Uint8Array): void;
  beforeDelegationSharesModified?(ctx: Context, del: Uint8Array, val: Uint8Array): void;
  beforeDelegationRemoved?(ctx: Context, del: Uint8Array, val: Uint8Array): void;
  afterDelegationModified?(ctx: Context, del: Uint8Array, val: Uint8Array): void;
  beforeValidatorSlashed?(ctx: Context, val: Uint8Array, fraction: Dec): void;
}

/** A validator set change for consensus: the ed25519 key and the new power (0 = removed). */
export interface ValidatorUpdate {
  readonly pubKey: Uint8Array;
  readonly power: bigint;
}

export const VALOPER_PREFIX = "secretvaloper";
export const VALCONS_PREFIX = "secretvalcons";

export const valoperAddress = (val: Uint8Array): string => encodeAddress(val, VALOPER_PREFIX);
export const valconsAddress = (cons: Uint8Array): string => encodeAddress(cons, VALCONS_PREFIX);

/**
 * The operator bytes of a stored validator, a fresh copy on every call (memoized: the begin and end
 * blockers decode every validator's several times per block).
 */
export function operatorBytes(v: Validator): Uint8Array {
  return decodeAddressCached(v.operatorAddress, VALOPER_PREFIX);
}

/** The 32-byte ed25519 key inside a stored validator's consensus key Any. */
export function consensusKeyBytes(v: Validator): Uint8Array {
  if (v.consensusPubkey.typeUrl !== ED25519_PUBKEY_URL) throw new InvariantError("validator key is not ed25519");
  let key: Uint8Array = new Uint8Array(0);
  decodeFields(v.consensusPubkey.value, "ed25519.PubKey", { 1: field.bytes((b) => (key = b)) });
  if (key.length !== 32) throw new InvariantError("validator ed25519 key is not 32 bytes");
  return key;
}

/** `sha256(pubkey32)[0:20]` (chain-api.md §1.1). */
export const consAddressOfKey = (pubKey: Uint8Array): Uint8Array => sha256(pubKey).slice(0, 20);

export const consAddressOf = (v: Validator): Uint8Array => consAddressOfKey(consensusKeyBytes(v));
