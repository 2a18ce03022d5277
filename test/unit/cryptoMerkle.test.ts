/**
 * src/crypto/merkle.ts, the one simple Merkle tree of the node: `merkleRoot` (CometBFT
 * `merkle.HashFromByteSlices`) against CometBFT's own test vectors and the textbook recursion (leaf =
 * sha256(0x00 ‖ item), inner = sha256(0x01 ‖ left ‖ right), split at the largest power of two below
 * the count) on random lists, items of mixed lengths included; `merkleAunts` against CometBFT's
 * `computeHashFromAunts`.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { merkleAunts, merkleLeafHash, merkleRoot, merkleRootOfLeafHashes } from "../../src/crypto/index.ts";
import { sha256Concat, sha256 } from "../../src/crypto/index.ts";
import { toHex } from "../../src/primitives/hex.ts";

function reference(items: readonly Uint8Array[]): Uint8Array {
  if (items.length === 0) return sha256(new Uint8Array(0));
  if (items.length === 1) return sha256Concat(Uint8Array.of(0), items[0]!);
  let k = 1;
  while (k * 2 < items.length) k *= 2;
  return sha256Concat(Uint8Array.of(1), reference(items.slice(0, k)), reference(items.slice(k)));
}

describe("merkleRoot", () => {
  it("CometBFT's vectors (crypto/merkle tree_test.go)", () => {
    const cases: [number[][], string][] = [
      [[], "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"],
      [[[1, 2, 3]], "054edec1d0211f624fed0cbca9d4f9400b0e491c43742af2c5b0abebf0c990d8"],
      [[[]], "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"],
      [
        [
          [1, 2, 3],
          [4, 5, 6],
        ],
        "82e6cfce00453804379b53962939eaa7906b39904be0813fcadd31b100773c4b",
      ],
      [
        [
          [1, 2],
          [3, 4],
          [5, 6],
          [7, 8],
          [9, 10],
        ],
        "f326493eceab4f2d9ffbc78c59432a0a005d6ea98392045c74df5d14a113be18",
      ],
    ];
    for (const [items, hex] of cases) assert.equal(toHex(merkleRoot(items.map((i) => Uint8Array.from(i)))), hex);
  });

  it("equals the textbook recursion on random lists (mixed lengths, subarrays)", () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 70 }), { maxLength: 40 }), (items) => {
        assert.deepEqual(merkleRoot(items), reference(items));
      }),
    );
    // Items that are views into one buffer (as decoders hand them out), a long one after short ones.
    const buf = Uint8Array.from({ length: 500 }, (_, i) => i & 0xff);
    const views = [buf.subarray(3, 5), buf.subarray(10, 400), buf.subarray(0, 0), buf.subarray(7, 9)];
    assert.deepEqual(merkleRoot(views), reference(views));
    assert.deepEqual(
      buf,
      Uint8Array.from({ length: 500 }, (_, i) => i & 0xff),
      "the items are not changed",
    );
  });

  it("aunts lead from every leaf back to the root (CometBFT computeHashFromAunts)", () => {
    const fromAunts = (index: number, total: number, leaf: Uint8Array, aunts: Uint8Array[]): Uint8Array => {
      if (total === 1) return leaf;
      let k = 1;
      while (k * 2 < total) k *= 2;
      const last = aunts[aunts.length - 1]!;
      const rest = aunts.slice(0, -1);
      return index < k
        ? sha256Concat(Uint8Array.of(1), fromAunts(index, k, leaf, rest), last)
        : sha256Concat(Uint8Array.of(1), last, fromAunts(index - k, total - k, leaf, rest));
    };
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 40 }), { minLength: 1, maxLength: 20 }), (items) => {
        const root = merkleRoot(items);
        assert.deepEqual(merkleRootOfLeafHashes(items.map(merkleLeafHash)), root);
        items.forEach((item, i) => {
          const aunts = merkleAunts(items, i);
          assert.deepEqual(fromAunts(i, items.length, merkleLeafHash(item), aunts), root);
        });
      }),
    );
    assert.deepEqual(merkleAunts([Uint8Array.of(1)], 0), []);
  });
});
