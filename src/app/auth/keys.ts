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

/** `0x01 ‖ address`, built in one array (every tx reads and writes its signer's account). */
export const accountKey = (address: Uint8Array): Uint8Array => {
  const out = new Uint8Array(1 + address.length);
  out[0] = 0x01;
  out.set(address, 1);
  return out;
};

const TWO_POW_32 = 1n << 32n;

/** `0x03 ‖ be64(n)`, built in one array (as `concatBytes(ACCOUNT_NUMBER_PREFIX, be64(n))`). */
export const accountNumberKey = (n: bigint): Uint8Array => {
  if (n < 0n || n >= TWO_POW_32) return concatBytes(ACCOUNT_NUMBER_PREFIX, be64(n));
  const v = Number(n);
  const out = new Uint8Array(9);
  out[0] = 0x03;
  out[5] = v >>> 24;
  out[6] = (v >>> 16) & 0xff;
  out[7] = (v >>> 8) & 0xff;
  out[8] = v & 0xff;
  return out;
};

/**
 * `accountKey(address)` from a small ring of the last keys made (compared by content): a tx reads and
 * writes its signer's, the fee collector's and its recipient's accounts several times. The array is
 * shared (with the ring, and with the stores it is handed to): nobody may change it.
 */
export function accountKeyShared(address: Uint8Array): Uint8Array {
  const n = address.length;
  for (let r = 0; r < RING; r++) {
    const key = ring[r];
    if (key === undefined || key.length !== n + 1) continue;
    let same = true;
    for (let i = 0; i < n; i++) {
      if (key[i + 1] !== address[i]) {
        same = false;
        break;
      }
    }
    if (same) return key;
  }
  const key = accountKey(address);
  ring[ringNext] = key;
  ringNext = (ringNext + 1) % RING;
  return key;
}

const RING = 8;
const ring: Array<Uint8Array | undefined> = [];
let ringNext = 0;
