/**
 * CometBFT's simple Merkle tree (`crypto/merkle`, RFC 6962 prefixes: leaf `sha256(0x00 ‖ item)`, inner
 * `sha256(0x01 ‖ left ‖ right)`, split at the largest power of two below n) and the `TxProof` the
 * `tx` / `tx_search` methods return with `prove: true`: the items are the txs' sha256 hashes, the root
 * is the block's `data_hash`.
 */
import { createHash } from "node:crypto";
import { toBase64 } from "../../primitives/base64.ts";
import { hexUpper, type JsonObject } from "./json.ts";

const sha256 = (...parts: Uint8Array[]): Uint8Array => {
  const h = createHash("sha256");
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
};

const LEAF = Uint8Array.of(0);
const INNER = Uint8Array.of(1);

function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

export function merkleRoot(items: readonly Uint8Array[]): Uint8Array {
  if (items.length === 0) return sha256();
  if (items.length === 1) return sha256(LEAF, items[0]!);
  const k = splitPoint(items.length);
  return sha256(INNER, merkleRoot(items.slice(0, k)), merkleRoot(items.slice(k)));
}

/** Sibling hashes from the leaf up to the root. */
export function merkleAunts(items: readonly Uint8Array[], index: number): Uint8Array[] {
  if (items.length <= 1) return [];
  const k = splitPoint(items.length);
  if (index < k) return [...merkleAunts(items.slice(0, k), index), merkleRoot(items.slice(k))];
  return [...merkleAunts(items.slice(k), index - k), merkleRoot(items.slice(0, k))];
}

/** `types.TxProof` of `txs[index]` as JSON. */
export function txProofJson(txs: readonly Uint8Array[], index: number): JsonObject {
  const hashes = txs.map((tx) => sha256(tx));
  const tx = txs[index];
  if (tx === undefined) throw new RangeError(`tx index ${index} outside the block's ${txs.length} txs`);
  return {
    root_hash: hexUpper(merkleRoot(hashes)),
    data: toBase64(tx),
    proof: {
      total: String(txs.length),
      index: String(index),
      leaf_hash: toBase64(sha256(LEAF, hashes[index]!)),
      aunts: merkleAunts(hashes, index).map(toBase64),
    },
  };
}
