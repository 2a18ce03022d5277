/**
 * Layout of the `staking` store (prefixes as Cosmos SDK 0.50 `x/staking/types/keys.go`; addresses are
 * length-prefixed, `lp(a) = len(a) ‖ a`):
 * - `0x11 ‖ lp(val)` → last bonded power (8 bytes big-endian); `0x12` → last total power (decimal text)
 * - `0x21 ‖ lp(val)` → Validator (protobuf); `0x22 ‖ lp(cons)` → operator address
 * - `0x23 ‖ be64(power) ‖ lp(~val)` → operator address: the power index (reverse iteration gives
 *   the highest power first, ties by lower operator address first, as upstream)
 * - `0x31 ‖ lp(del) ‖ lp(val)` → Delegation; `0x71 ‖ lp(val) ‖ lp(del)` → "" (by validator)
 * - `0x32 ‖ lp(del) ‖ lp(val)` → UnbondingDelegation; `0x33 ‖ lp(val) ‖ lp(del)` → ""
 * - `0x34 ‖ lp(del) ‖ lp(src) ‖ lp(dst)` → Redelegation; `0x35 ‖ lp(src) ‖ lp(del) ‖ lp(dst)` and
 *   `0x36 ‖ lp(dst) ‖ lp(del) ‖ lp(src)` → ""
 * - `0x37` → next unbonding id (8 bytes)
 * - queues, ordered by completion time: `0x41 ‖ be64(time) ‖ lp(del) ‖ lp(val)` (unbondings),
 *   `0x42 ‖ be64(time) ‖ lp(del) ‖ lp(src) ‖ lp(dst)` (redelegations),
 *   `0x43 ‖ be64(time) ‖ be64(height) ‖ lp(val)` (unbonding validators) → ""
 * - `0x50 ‖ be64(height)` → HistoricalInfo; `0x51` → Params
 */
import { be64, concatBytes } from "../../primitives/bytes.ts";

export const STAKING_STORE = "staking";

export const LAST_POWER_PREFIX = Uint8Array.of(0x11);
export const LAST_TOTAL_POWER_KEY = Uint8Array.of(0x12);
export const VALIDATOR_PREFIX = Uint8Array.of(0x21);
export const VALIDATOR_BY_CONS_PREFIX = Uint8Array.of(0x22);
export const POWER_INDEX_PREFIX = Uint8Array.of(0x23);
export const DELEGATION_PREFIX = Uint8Array.of(0x31);
export const UBD_PREFIX = Uint8Array.of(0x32);
export const UBD_BY_VAL_PREFIX = Uint8Array.of(0x33);
export const RED_PREFIX = Uint8Array.of(0x34);
export const RED_BY_SRC_PREFIX = Uint8Array.of(0x35);
export const RED_BY_DST_PREFIX = Uint8Array.of(0x36);
export const UNBONDING_ID_KEY = Uint8Array.of(0x37);
export const UBD_QUEUE_PREFIX = Uint8Array.of(0x41);
export const RED_QUEUE_PREFIX = Uint8Array.of(0x42);
export const VALIDATOR_QUEUE_PREFIX = Uint8Array.of(0x43);
export const HISTORICAL_PREFIX = Uint8Array.of(0x50);
export const PARAMS_KEY = Uint8Array.of(0x51);
export const DELEGATION_BY_VAL_PREFIX = Uint8Array.of(0x71);

export const lp = (a: Uint8Array): Uint8Array => concatBytes(Uint8Array.of(a.length), a);

/** Splits `lp(a) ‖ lp(b) ‖ …` starting at `offset`. */
export function splitLp(key: Uint8Array, offset: number, count: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  let pos = offset;
  for (let i = 0; i < count; i++) {
    const len = key[pos]!;
    out.push(key.slice(pos + 1, pos + 1 + len));
    pos += 1 + len;
  }
  return out;
}

export const lastPowerKey = (val: Uint8Array): Uint8Array => concatBytes(LAST_POWER_PREFIX, lp(val));
export const validatorKey = (val: Uint8Array): Uint8Array => concatBytes(VALIDATOR_PREFIX, lp(val));
export const validatorByConsKey = (cons: Uint8Array): Uint8Array => concatBytes(VALIDATOR_BY_CONS_PREFIX, lp(cons));

export function powerIndexKey(power: bigint, val: Uint8Array): Uint8Array {
  const inverted = val.map((b) => 255 - b);
  return concatBytes(POWER_INDEX_PREFIX, be64(power), lp(inverted));
}

export const delegationKey = (del: Uint8Array, val: Uint8Array): Uint8Array =>
  concatBytes(DELEGATION_PREFIX, lp(del), lp(val));
export const delegationsOfKey = (del: Uint8Array): Uint8Array => concatBytes(DELEGATION_PREFIX, lp(del));
export const delegationByValKey = (val: Uint8Array, del: Uint8Array): Uint8Array =>
  concatBytes(DELEGATION_BY_VAL_PREFIX, lp(val), lp(del));
export const delegationsByValPrefix = (val: Uint8Array): Uint8Array => concatBytes(DELEGATION_BY_VAL_PREFIX, lp(val));

export const ubdKey = (del: Uint8Array, val: Uint8Array): Uint8Array => concatBytes(UBD_PREFIX, lp(del), lp(val));
export const ubdsOfKey = (del: Uint8Array): Uint8Array => concatBytes(UBD_PREFIX, lp(del));
export const ubdByValKey = (val: Uint8Array, del: Uint8Array): Uint8Array =>
  concatBytes(UBD_BY_VAL_PREFIX, lp(val), lp(del));
export const ubdsByValPrefix = (val: Uint8Array): Uint8Array => concatBytes(UBD_BY_VAL_PREFIX, lp(val));

export const redKey = (del: Uint8Array, src: Uint8Array, dst: Uint8Array): Uint8Array =>
  concatBytes(RED_PREFIX, lp(del), lp(src), lp(dst));
export const redsOfKey = (del: Uint8Array): Uint8Array => concatBytes(RED_PREFIX, lp(del));
export const redBySrcKey = (src: Uint8Array, del: Uint8Array, dst: Uint8Array): Uint8Array =>
  concatBytes(RED_BY_SRC_PREFIX, lp(src), lp(del), lp(dst));
export const redsBySrcPrefix = (src: Uint8Array): Uint8Array => concatBytes(RED_BY_SRC_PREFIX, lp(src));
export const redByDstKey = (dst: Uint8Array, del: Uint8Array, src: Uint8Array): Uint8Array =>
  concatBytes(RED_BY_DST_PREFIX, lp(dst), lp(del), lp(src));
export const redsByDstDelPrefix = (dst: Uint8Array, del: Uint8Array): Uint8Array =>
  concatBytes(RED_BY_DST_PREFIX, lp(dst), lp(del));

export const ubdQueueKey = (time: bigint, del: Uint8Array, val: Uint8Array): Uint8Array =>
  concatBytes(UBD_QUEUE_PREFIX, be64(time), lp(del), lp(val));
export const redQueueKey = (time: bigint, del: Uint8Array, src: Uint8Array, dst: Uint8Array): Uint8Array =>
  concatBytes(RED_QUEUE_PREFIX, be64(time), lp(del), lp(src), lp(dst));
export const validatorQueueKey = (time: bigint, height: bigint, val: Uint8Array): Uint8Array =>
  concatBytes(VALIDATOR_QUEUE_PREFIX, be64(time), be64(height), lp(val));
/** The end (exclusive) of a queue's entries due at `time` or earlier. */
export const queueEnd = (prefix: Uint8Array, time: bigint): Uint8Array => concatBytes(prefix, be64(time + 1n));

export const historicalKey = (height: bigint): Uint8Array => concatBytes(HISTORICAL_PREFIX, be64(height));
