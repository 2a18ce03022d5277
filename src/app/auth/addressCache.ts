/**
 * Memoized bech32 for account addresses. A block touches the same few addresses (senders, recipients,
 * the fee collector) many times: every send encodes both ends for its events and decodes them from the
 * message and from the stored account. These functions return exactly what `encodeAddress`,
 * `decodeAddress` and `parseAccountAddress` (default `secret` prefix) return, and throw exactly what
 * they throw (failures are never cached). The caches are bounded and simply cleared when full, so
 * memory stays small whatever the traffic; being pure functions of their input, they cannot change a
 * result.
 */
import { decodeAddress, encodeAddress, parseAccountAddress, SECRET_PREFIX } from "../../primitives/bech32.ts";
import { bytesEqual } from "../../primitives/bytes.ts";
import { bytesId } from "../bytesId.ts";

const MAX_ENTRIES = 8192;

const encoded = new Map<string, string>();
/** Decoded addresses by prefix, then text (the prefixes are the chain's few: account, valoper…). */
const decodedByPrefix = new Map<string, Map<string, Uint8Array>>();
const parsed = new Map<string, Uint8Array>();

function remember<V>(map: Map<string, V>, key: string, value: V): void {
  if (map.size >= MAX_ENTRIES) map.clear();
  map.set(key, value);
}

/**
 * The last few addresses encoded and their texts, compared byte for byte before the map: a tx encodes
 * its sender, recipient and the fee collector several times each, and a hit here makes no id string.
 */
const RECENT = 8;
const recentBytes: Uint8Array[] = [];
const recentTexts: string[] = [];
let recentNext = 0;

/** `encodeAddress(canonical)` with the `secret` prefix. */
export function encodeAccountAddress(canonical: Uint8Array): string {
  for (let i = 0; i < recentBytes.length; i++) if (bytesEqual(recentBytes[i]!, canonical)) return recentTexts[i]!;
  const text = encodeAccountAddressMapped(canonical);
  // A private copy: the caller's array may change after the call.
  recentBytes[recentNext] = canonical.slice();
  recentTexts[recentNext] = text;
  recentNext = (recentNext + 1) % RECENT;
  return text;
}

function encodeAccountAddressMapped(canonical: Uint8Array): string {
  const key = bytesId(canonical);
  let text = encoded.get(key);
  if (text === undefined) {
    text = encodeAddress(canonical);
    remember(encoded, key, text);
  }
  return text;
}

/** `decodeAddress(text)` with the `secret` prefix; a fresh copy of the bytes on every call. */
export function decodeAccountAddress(text: string): Uint8Array {
  return decodeAddressCached(text, SECRET_PREFIX);
}

/** `decodeAddress(text, prefix)`; a fresh copy of the bytes on every call. */
export function decodeAddressCached(text: string, prefix: string): Uint8Array {
  let decoded = decodedByPrefix.get(prefix);
  if (decoded === undefined) decodedByPrefix.set(prefix, (decoded = new Map()));
  let bytes = decoded.get(text);
  if (bytes === undefined) {
    bytes = decodeAddress(text, prefix);
    remember(decoded, text, new Uint8Array(bytes));
    return bytes;
  }
  return new Uint8Array(bytes);
}

/** `parseAccountAddress(text)` with the `secret` prefix; a fresh copy of the bytes on every call. */
export function parseAccountAddressCached(text: string): Uint8Array {
  let bytes = parsed.get(text);
  if (bytes === undefined) {
    bytes = parseAccountAddress(text);
    remember(parsed, text, new Uint8Array(bytes));
    return bytes;
  }
  return new Uint8Array(bytes);
}
