/**
 * Layout of the `acc` store (Cosmos SDK 0.50 `x/auth` collections):
 * - `0x00` → Params (protobuf)
 * - `0x01 ‖ address` → the account as protobuf `Any` (BaseAccount or ModuleAccount)
 * - `0x02` → the next account number, big-endian uint64
 * - `0x03 ‖ be64 account number` → address (the reverse index)
 */
import { be64, concatBytes } from "../../primitives/bytes.ts";

export const AUTH_STORE = "acc";
export const PARAMS_KEY = Uint8Array.of(0x00);
export const ACCOUNT_PREFIX = Uint8Array.of(0x01);
export const GLOBAL_ACCOUNT_NUMBER_KEY = Uint8Array.of(0x02);
export const ACCOUNT_NUMBER_PREFIX = Uint8Array.of(0x03);

export const accountKey = (address: Uint8Array): Uint8Array => concatBytes(ACCOUNT_PREFIX, address);
export const accountNumberKey = (n: bigint): Uint8Array => concatBytes(ACCOUNT_NUMBER_PREFIX, be64(n));
