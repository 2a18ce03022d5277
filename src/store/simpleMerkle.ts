/**
 * The Tendermint simple Merkle tree (RFC 6962 hashing, split at the largest power of two below n) and
 * the simple Merkle map over it that Cosmos `rootmulti` uses for the app hash:
 *   leaf(name, storeHash) = sha256(0x00 ‖ uvarint(len name) ‖ name ‖ uvarint(32) ‖ sha256(storeHash))
 *   inner(l, r)           = sha256(0x01 ‖ l ‖ r)
 * over the stores sorted by name; the root of nothing is sha256 of nothing.
 * Proofs are ICS-23 existence proofs for `tendermintSpec` (cosmos-sdk `store/internal/proofs`).
 */
import { sha256 } from "../crypto/hash.ts";
import { compareBytes, utf8Encode } from "../primitives/bytes.ts";
import { StoreError } from "./errors.ts";
import { HashOp, LengthOp, type ExistenceProof, type InnerOp } from "./ics23.ts";
import { ByteWriter } from "./iavl/node.ts";

/** The largest power of two strictly below n (n ≥ 2). */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function innerHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  const preimage = new Uint8Array(1 + left.length + right.length);
  preimage[0] = 1;
  preimage.set(left, 1);
  preimage.set(right, 1 + left.length);
  return sha256(preimage);
}

function rootOfLeafHashes(hashes: readonly Uint8Array[], from: number, to: number): Uint8Array {
  const n = to - from;
  if (n === 1) return hashes[from]!;
  const k = splitPoint(n);
  return innerHash(rootOfLeafHashes(hashes, from, from + k), rootOfLeafHashes(hashes, from + k, to));
}

/** Inner ops from the leaf at `index` up to the root of hashes[from, to). */
function pathOf(hashes: readonly Uint8Array[], from: number, to: number, index: number, out: InnerOp[]): void {
  const n = to - from;
  if (n === 1) return;
  const k = splitPoint(n);
  if (index < from + k) {
    pathOf(hashes, from, from + k, index, out);
    out.push({ hash: HashOp.SHA256, prefix: Uint8Array.of(1), suffix: rootOfLeafHashes(hashes, from + k, to) });
  } else {
    pathOf(hashes, from + k, to, index, out);
    const left = rootOfLeafHashes(hashes, from, from + k);
    const prefix = new Uint8Array(1 + left.length);
    prefix[0] = 1;
    prefix.set(left, 1);
    out.push({ hash: HashOp.SHA256, prefix, suffix: new Uint8Array(0) });
  }
}

/** The Merkle root of items already hashed as leaves. */
export function simpleMerkleRootOfLeafHashes(leafHashes: readonly Uint8Array[]): Uint8Array {
  if (leafHashes.length === 0) return sha256(new Uint8Array(0));
  return rootOfLeafHashes(leafHashes, 0, leafHashes.length);
}

/** The Merkle root of raw items (each hashed as a leaf: sha256(0x00 ‖ item)); cometbft `HashFromByteSlices`. */
export function simpleMerkleRoot(items: readonly Uint8Array[]): Uint8Array {
  return simpleMerkleRootOfLeafHashes(
    items.map((item) => {
      const preimage = new Uint8Array(1 + item.length);
      preimage.set(item, 1);
      return sha256(preimage);
    }),
  );
}

interface MapLeaf {
  readonly name: Uint8Array;
  readonly value: Uint8Array;
  readonly leafHash: Uint8Array;
}

/** A simple Merkle map from names to 32-byte-or-any values, with its root and proofs. */
export class SimpleMerkleMap {
  private readonly leaves: MapLeaf[];
  private readonly proofs = new Map<string, ExistenceProof>();
  readonly root: Uint8Array;

  constructor(entries: ReadonlyArray<{ readonly name: string; readonly value: Uint8Array }>) {
    const leaves = entries.map(({ name, value }) => {
      const nameBytes = utf8Encode(name);
      const kv = new ByteWriter(nameBytes.length + 48).lengthPrefixed(nameBytes).lengthPrefixed(sha256(value));
      const preimage = new Uint8Array(1 + kv.length);
      preimage.set(kv.view(), 1);
      return { name: nameBytes, value, leafHash: sha256(preimage) };
    });
    leaves.sort((a, b) => compareBytes(a.name, b.name));
    for (let i = 1; i < leaves.length; i++) {
      if (compareBytes(leaves[i - 1]!.name, leaves[i]!.name) === 0) {
        throw new StoreError("STORE_INVALID_ARGUMENT", "simple Merkle map: duplicate name");
      }
    }
    this.leaves = leaves;
    this.root = simpleMerkleRootOfLeafHashes(leaves.map((l) => l.leafHash));
  }

  /** The existence proof of `name` → its value (`tendermintSpec`); STORE_UNKNOWN_STORE if absent. */
  proof(name: string): ExistenceProof {
    let proof = this.proofs.get(name);
    if (proof === undefined) {
      proof = this.buildProof(name);
      this.proofs.set(name, proof);
    }
    return proof;
  }

  private buildProof(name: string): ExistenceProof {
    const nameBytes = utf8Encode(name);
    const index = this.leaves.findIndex((l) => compareBytes(l.name, nameBytes) === 0);
    if (index < 0) throw new StoreError("STORE_UNKNOWN_STORE", `no store named '${name}' in the commit`);
    const path: InnerOp[] = [];
    pathOf(
      this.leaves.map((l) => l.leafHash),
      0,
      this.leaves.length,
      index,
      path,
    );
    return {
      key: nameBytes,
      value: this.leaves[index]!.value,
      leaf: {
        hash: HashOp.SHA256,
        prehashKey: HashOp.NO_HASH,
        prehashValue: HashOp.SHA256,
        length: LengthOp.VAR_PROTO,
        prefix: Uint8Array.of(0),
      },
      path,
    };
  }
}
