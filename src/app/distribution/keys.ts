/**
 * Layout of the `distribution` store (prefixes of Cosmos SDK 0.50 `x/distribution/types/keys.go`;
 * `lp(a) = len(a) ‖ a`):
 * - `0x00` → FeePool (community pool); `0x01` → previous proposer consensus address
 * - `0x02 ‖ lp(val)` → ValidatorOutstandingRewards; `0x03 ‖ lp(del)` → withdraw address
 * - `0x04 ‖ lp(val) ‖ lp(del)` → DelegatorStartingInfo
 * - `0x05 ‖ lp(val) ‖ be64(period)` → ValidatorHistoricalRewards
 * - `0x06 ‖ lp(val)` → ValidatorCurrentRewards; `0x07 ‖ lp(val)` → ValidatorAccumulatedCommission
 * - `0x08 ‖ lp(val) ‖ be64(height) ‖ be64(period)` → ValidatorSlashEvent
 * - `0x09` → Params
 * - `0x10 ‖ lp(del) ‖ lp(val)` → "" (Secret auto-restake entries; prefix unverified)
 */
import { be64, concatBytes } from "../../primitives/bytes.ts";

export const DISTRIBUTION_STORE = "distribution";

export const FEE_POOL_KEY = Uint8Array.of(0x00);
export const PROPOSER_KEY = Uint8Array.of(0x01);
export const OUTSTANDING_PREFIX = Uint8Array.of(0x02);
export const WITHDRAW_ADDR_PREFIX = Uint8Array.of(0x03);
export const STARTING_INFO_PREFIX = Uint8Array.of(0x04);
export const HISTORICAL_PREFIX = Uint8Array.of(0x05);
export const CURRENT_PREFIX = Uint8Array.of(0x06);
export const COMMISSION_PREFIX = Uint8Array.of(0x07);
export const SLASH_EVENT_PREFIX = Uint8Array.of(0x08);
export const PARAMS_KEY = Uint8Array.of(0x09);
export const RESTAKE_PREFIX = Uint8Array.of(0x10);

const lp = (a: Uint8Array): Uint8Array => concatBytes(Uint8Array.of(a.length), a);

export const outstandingKey = (val: Uint8Array): Uint8Array => concatBytes(OUTSTANDING_PREFIX, lp(val));
export const withdrawAddrKey = (del: Uint8Array): Uint8Array => concatBytes(WITHDRAW_ADDR_PREFIX, lp(del));
export const startingInfoKey = (val: Uint8Array, del: Uint8Array): Uint8Array =>
  concatBytes(STARTING_INFO_PREFIX, lp(val), lp(del));
export const historicalKey = (val: Uint8Array, period: bigint): Uint8Array =>
  concatBytes(HISTORICAL_PREFIX, lp(val), be64(period));
export const historicalPrefix = (val: Uint8Array): Uint8Array => concatBytes(HISTORICAL_PREFIX, lp(val));
export const currentKey = (val: Uint8Array): Uint8Array => concatBytes(CURRENT_PREFIX, lp(val));
export const commissionKey = (val: Uint8Array): Uint8Array => concatBytes(COMMISSION_PREFIX, lp(val));
export const slashEventPrefix = (val: Uint8Array): Uint8Array => concatBytes(SLASH_EVENT_PREFIX, lp(val));
export const slashEventKey = (val: Uint8Array, height: bigint, period: bigint): Uint8Array =>
  concatBytes(SLASH_EVENT_PREFIX, lp(val), be64(height), be64(period));
export const restakeKey = (del: Uint8Array, val: Uint8Array): Uint8Array =>
  concatBytes(RESTAKE_PREFIX, lp(del), lp(val));
export const restakePrefix = (del: Uint8Array): Uint8Array => concatBytes(RESTAKE_PREFIX, lp(del));
