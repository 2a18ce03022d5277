/**
 * CometBFT's `crypto/merkle.HashFromByteSlices`: RFC 6962 hashing (leaf = sha256(0x00 ‖ item), inner =
 * sha256(0x01 ‖ left ‖ right)), split at the largest power of two strictly less than the count; the
 * empty list hashes to sha256("").
 */
import { sha256, sha256Concat } from "../crypto/index.ts";

const LEAF = Uint8Array.of(0);
const INNER = Uint8Array.of(1);

function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

export function merkleRoot(items: readonly Uint8Array[]): Uint8Array {
  if (items.length === 0) return sha256(new Uint8Array(0));
  if (items.length === 1) return sha256Concat(LEAF, items[0]!);
  const k = splitPoint(items.length);
  return sha256Concat(INNER, merkleRoot(items.slice(0, k)), merkleRoot(items.slice(k)));
}
