/**
 * The simple Merkle map that Cosmos `rootmulti` uses for the app hash, over the Tendermint simple Merkle
 * tree of `src/crypto/merkle.ts`:
 *   leaf(name, storeHash) = sha256(0x00 ‖ uvarint(len name) ‖ name ‖ uvarint(32) ‖ sha256(storeHash))
 *   inner(l, r)           = sha256(0x01 ‖ l ‖ r)
 * over the stores sorted by name; the root of nothing is sha256 of nothing.
 * Proofs are ICS-23 existence proofs for `tendermintSpec` (cosmos-sdk `store/internal/proofs`).
 */
import { sha256 } from "../crypto/hash.ts";
import { merkleLeafHash, merkleRootOfLeafHashes, merkleSplitPoint } from "../crypto/merkle.ts";
import { compareBytes, utf8Encode } from "../primitives/bytes.ts";
import { StoreError } from "./errors.ts";
import { HashOp, LengthOp, type ExistenceProof, type InnerOp } from "./ics23.ts";
import { ByteWriter } from "./iavl/node.ts";

/** Inner ops from the leaf at `index` up to the root of hashes[from, to). */
function pathOf(hashes: readonly Uint8Array[], from: number, to: number, index: number, out: InnerOp[]): void {
  const n = to - from;
  if (n === 1) return;
  const k = merkleSplitPoint(n);
  if (index < from + k) {
    pathOf(hashes, from, from + k, index, out);
    out.push({
      hash: HashOp.SHA256,
      prefix: Uint8Array.of(1),
      suffix: merkleRootOfLeafHashes(hashes.slice(from + k, to)),
    });
  } else {
    pathOf(hashes, from + k, to, index, out);
    const left = merkleRootOfLeafHashes(hashes.slice(from, from + k));
    const prefix = new Uint8Array(1 + left.length);
    prefix[0] = 1;
    prefix.set(left, 1);
    out.push({ hash: HashOp.SHA256, prefix, suffix: new Uint8Array(0) });
  }
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
      return { name: nameBytes, value, leafHash: merkleLeafHash(kv.view()) };
    });
    leaves.sort((a, b) => compareBytes(a.name, b.name));
    for (let i = 1; i < leaves.length; i++) {
      if (compareBytes(leaves[i - 1]!.name, leaves[i]!.name) === 0) {
        throw new StoreError("STORE_INVALID_ARGUMENT", "simple Merkle map: duplicate name");
      }
    }
    this.leaves = leaves;
    this.root = merkleRootOfLeafHashes(leaves.map((l) => l.leafHash));
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
