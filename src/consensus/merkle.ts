/**
 * CometBFT's `crypto/merkle.HashFromByteSlices`: RFC 6962 hashing (leaf = sha256(0x00 ‖ item), inner =
 * sha256(0x01 ‖ left ‖ right)), split at the largest power of two strictly less than the count; the
 * empty list hashes to sha256("").
 *
 * Each node is one one-shot SHA-256 of bytes laid out in a scratch buffer (no hash object and no
 * three `update` calls per node, no copies of the item list per level): a block's data and results
 * hashes are two trees over all its txs.
 */
import { sha256 } from "../crypto/index.ts";

function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

export function merkleRoot(items: readonly Uint8Array[]): Uint8Array {
  const n = items.length;
  if (n === 0) return sha256(new Uint8Array(0));
  let longest = 0;
  for (const item of items) if (item.length > longest) longest = item.length;
  // `0x00 ‖ item` for leaves; `0x01 ‖ left ‖ right` for inner nodes (filled once both are hashed).
  const leaf = new Uint8Array(1 + longest);
  const inner = new Uint8Array(65);
  inner[0] = 1;
  const root = (from: number, to: number): Uint8Array => {
    if (to - from === 1) {
      const item = items[from]!;
      leaf.set(item, 1);
      return sha256(leaf.subarray(0, 1 + item.length));
    }
    const k = splitPoint(to - from);
    const left = root(from, from + k);
    const right = root(from + k, to);
    inner.set(left, 1);
    inner.set(right, 33);
    return sha256(inner);
  };
  return root(0, n);
}
