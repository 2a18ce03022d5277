/**
 * CometBFT's simple Merkle tree (`crypto/merkle`): RFC 6962 hashing, leaf = sha256(0x00 ‖ item), inner =
 * sha256(0x01 ‖ left ‖ right), a list split at the largest power of two strictly below its length, the
 * empty list hashing to sha256(""). The one implementation the block hashes (consensus), the app hash
 * map (store) and the RPC's tx proofs share.
 */
import { sha256 } from "./hash.ts";

/** The largest power of two strictly below n (n ≥ 2): where the tree splits a list of n. */
export function merkleSplitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** sha256(0x00 ‖ item). */
export function merkleLeafHash(item: Uint8Array): Uint8Array {
  const preimage = new Uint8Array(1 + item.length);
  preimage.set(item, 1);
  return sha256(preimage);
}

/** CometBFT `HashFromByteSlices`: the root of `items`, each hashed as a leaf. */
export function merkleRoot(items: readonly Uint8Array[]): Uint8Array {
  return merkleRootOfLeafHashes(items.map(merkleLeafHash));
}

/** The root of items already hashed as leaves (sha256("") for none). */
export function merkleRootOfLeafHashes(leafHashes: readonly Uint8Array[]): Uint8Array {
  if (leafHashes.length === 0) return sha256(new Uint8Array(0));
  // Each inner node is one one-shot SHA-256 of `0x01 ‖ left ‖ right` laid out in one scratch buffer.
  const inner = new Uint8Array(65);
  inner[0] = 1;
  const root = (from: number, to: number): Uint8Array => {
    if (to - from === 1) return leafHashes[from]!;
    const k = merkleSplitPoint(to - from);
    const left = root(from, from + k);
    const right = root(from + k, to);
    inner.set(left, 1);
    inner.set(right, 33);
    return sha256(inner);
  };
  return root(0, leafHashes.length);
}

/** CometBFT's `Proof.Aunts` of `items[index]`: the sibling subtree roots from the leaf up to the root. */
export function merkleAunts(items: readonly Uint8Array[], index: number): Uint8Array[] {
  const leaves = items.map(merkleLeafHash);
  const out: Uint8Array[] = [];
  const walk = (from: number, to: number): void => {
    if (to - from <= 1) return;
    const k = merkleSplitPoint(to - from);
    if (index < from + k) {
      walk(from, from + k);
      out.push(merkleRootOfLeafHashes(leaves.slice(from + k, to)));
    } else {
      walk(from + k, to);
      out.push(merkleRootOfLeafHashes(leaves.slice(from, from + k)));
    }
  };
  walk(0, leaves.length);
  return out;
}
