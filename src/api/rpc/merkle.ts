/**
 * The `TxProof` the `tx` / `tx_search` methods return with `prove: true`, on CometBFT's simple Merkle
 * tree (`src/crypto/merkle.ts`): the items are the txs' sha256 hashes, the root is the block's
 * `data_hash`.
 */
import { merkleAunts, merkleLeafHash, merkleRoot, sha256 } from "../../crypto/index.ts";
import { toBase64 } from "../../primitives/base64.ts";
import { hexUpper, type JsonObject } from "./json.ts";

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
      leaf_hash: toBase64(merkleLeafHash(hashes[index]!)),
      aunts: merkleAunts(hashes, index).map(toBase64),
    },
  };
}
