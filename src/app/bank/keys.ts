/**
 * Layout of the `bank` store (Cosmos SDK 0.50 `x/bank` collections):
 * - `0x00 ‖ denom` → total supply, decimal text (`math.Int` encoding)
 * - `0x01 ‖ denom` → denom Metadata (protobuf)
 * - `0x02 ‖ len(address) ‖ address ‖ denom` → balance, decimal text; absent when zero
 * - `0x05` → Params (protobuf)
 */
import { concatBytes, utf8Encode } from "../../primitives/bytes.ts";

export const BANK_STORE = "bank";
export const SUPPLY_PREFIX = Uint8Array.of(0x00);
export const METADATA_PREFIX = Uint8Array.of(0x01);
export const BALANCES_PREFIX = Uint8Array.of(0x02);
export const PARAMS_KEY = Uint8Array.of(0x05);

export const balancesPrefix = (address: Uint8Array): Uint8Array =>
  concatBytes(BALANCES_PREFIX, Uint8Array.of(address.length), address);
export const balanceKey = (address: Uint8Array, denom: string): Uint8Array => {
  // The hot key of every send: built in one buffer (denoms are ASCII; others take the general path).
  const n = address.length;
  const out = new Uint8Array(2 + n + denom.length);
  out[0] = 0x02;
  out[1] = n;
  out.set(address, 2);
  for (let i = 0; i < denom.length; i++) {
    const c = denom.charCodeAt(i);
    if (c >= 0x80) return concatBytes(balancesPrefix(address), utf8Encode(denom));
    out[2 + n + i] = c;
  }
  return out;
};
export const supplyKey = (denom: string): Uint8Array => concatBytes(SUPPLY_PREFIX, utf8Encode(denom));
export const metadataKey = (denom: string): Uint8Array => concatBytes(METADATA_PREFIX, utf8Encode(denom));

/**
 * `balanceKey(address, denom)` from a small ring of the last keys made (compared by content): a send
 * reads and writes the sender's, the recipient's and the fee collector's balances. The array is shared
 * (with the ring, and with the stores it is handed to): nobody may change it.
 */
export function balanceKeyShared(address: Uint8Array, denom: string): Uint8Array {
  const n = address.length;
  for (let r = 0; r < RING; r++) {
    const entry = ring[r];
    if (entry === undefined || entry.denom !== denom) continue;
    const key = entry.key;
    if (key[1] !== n || key.length < 2 + n) continue;
    let same = true;
    for (let i = 0; i < n; i++) {
      if (key[i + 2] !== address[i]) {
        same = false;
        break;
      }
    }
    if (same) return key;
  }
  const key = balanceKey(address, denom);
  ring[ringNext] = { denom, key };
  ringNext = (ringNext + 1) % RING;
  return key;
}

const RING = 8;
const ring: Array<{ readonly denom: string; readonly key: Uint8Array } | undefined> = [];
let ringNext = 0;
