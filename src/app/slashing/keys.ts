/**
 * Layout of the `slashing` store (prefixes of Cosmos SDK 0.50; `lp(a) = len(a) ‖ a`):
 * - `0x01 ‖ lp(cons)` → ValidatorSigningInfo
 * - `0x02 ‖ lp(cons) ‖ be64(index)` → `0x01` for a missed block in the window (absent = signed;
 *   upstream packs the same bits into chunks)
 * - `0x00` → Params
 */
import { be64, concatBytes } from "../../primitives/bytes.ts";

export const SLASHING_STORE = "slashing";
export const PARAMS_KEY = Uint8Array.of(0x00);
export const SIGNING_INFO_PREFIX = Uint8Array.of(0x01);
export const MISSED_PREFIX = Uint8Array.of(0x02);

const lp = (a: Uint8Array): Uint8Array => concatBytes(Uint8Array.of(a.length), a);

export const signingInfoKey = (cons: Uint8Array): Uint8Array => concatBytes(SIGNING_INFO_PREFIX, lp(cons));
export const missedPrefix = (cons: Uint8Array): Uint8Array => concatBytes(MISSED_PREFIX, lp(cons));
export const missedKey = (cons: Uint8Array, index: bigint): Uint8Array => concatBytes(missedPrefix(cons), be64(index));
