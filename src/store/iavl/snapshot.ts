/** A committed version of an IAVL tree: reads, iteration, ICS-23 proofs and a full integrity check. */
import { bytesEqual, compareBytes, readBe64 } from "../../primitives/bytes.ts";
import { StoreError } from "../errors.ts";
import { HashOp, LengthOp, type ExistenceProof, type InnerOp, type NonExistenceProof } from "../ics23.ts";
import { assertBound } from "../keys.ts";
import type { KVPair, ReadonlyKVStore } from "../types.ts";
import { EMPTY_ROOT_HASH, HASH_LENGTH, innerHash, leafHash, nodeHeader, type Node } from "./node.ts";
import type { NodeDb } from "./nodeDb.ts";

/** `iavlSpec` leaf op with upstream's prefix for a leaf saved at `version`. */
function leafOp(version: number) {
  return {
    hash: HashOp.SHA256,
    prehashKey: HashOp.NO_HASH,
    prehashValue: HashOp.SHA256,
    length: LengthOp.VAR_PROTO,
    prefix: nodeHeader(0, 1, version).finish(),
  };
}

/** Facts about a subtree found by `verify`. */
interface SubtreeFacts {
  readonly min: Uint8Array;
  readonly max: Uint8Array;
  readonly height: number;
  readonly size: number;
  readonly hash: Uint8Array;
}

export class TreeSnapshot implements ReadonlyKVStore {
  constructor(
    readonly nodes: NodeDb,
    readonly root: Node | undefined,
    /** The version this snapshot is of (0: nothing committed yet). */
    readonly version: number,
  ) {}

  /** The root hash (sha256 of nothing for an empty tree). */
  get hash(): Uint8Array {
    return this.root?.hash ?? EMPTY_ROOT_HASH;
  }

  /** Number of keys. */
  get size(): number {
    return this.root?.size ?? 0;
  }

  get(key: Uint8Array): Uint8Array | undefined {
    let node = this.root;
    while (node !== undefined) {
      if (node.isLeaf) return bytesEqual(node.key, key) ? node.value : undefined;
      node = compareBytes(key, node.key) < 0 ? this.nodes.left(node) : this.nodes.right(node);
    }
    return undefined;
  }

  has(key: Uint8Array): boolean {
    return this.get(key) !== undefined;
  }

  *iterator(start?: Uint8Array, end?: Uint8Array, reverse = false): IterableIterator<KVPair> {
    assertBound(start, "start");
    assertBound(end, "end");
    if (this.root === undefined) return;
    if (start !== undefined && end !== undefined && compareBytes(start, end) >= 0) return;
    const stack: Node[] = [this.root];
    const nodes = this.nodes;
    while (stack.length > 0) {
      const node = stack.pop()!;
      if (node.isLeaf) {
        const key = node.key;
        if (end !== undefined && compareBytes(key, end) >= 0) {
          if (reverse) continue;
          return;
        }
        if (start !== undefined && compareBytes(key, start) < 0) {
          if (reverse) return;
          continue;
        }
        yield [key, node.value!];
        continue;
      }
      // Left subtree: keys < node.key. Right subtree: keys ≥ node.key.
      const wantLeft = start === undefined || compareBytes(start, node.key) < 0;
      const wantRight = end === undefined || compareBytes(node.key, end) < 0;
      if (reverse) {
        if (wantLeft) stack.push(nodes.left(node));
        if (wantRight) stack.push(nodes.right(node));
      } else {
        if (wantRight) stack.push(nodes.right(node));
        if (wantLeft) stack.push(nodes.left(node));
      }
    }
  }

  /** The ICS-23 existence proof of `key` (cosmos/iavl `createExistenceProof`); STORE_KEY_ABSENT if absent. */
  existenceProof(key: Uint8Array): ExistenceProof {
    const path: InnerOp[] = [];
    let node = this.root;
    while (node !== undefined && !node.isLeaf) {
      const header = nodeHeader(node.height, node.size, node.version);
      if (compareBytes(key, node.key) < 0) {
        const suffix = new Uint8Array(1 + HASH_LENGTH);
        suffix[0] = HASH_LENGTH;
        suffix.set(node.rightHash!, 1);
        path.push({ hash: HashOp.SHA256, prefix: header.byte(HASH_LENGTH).finish(), suffix });
        node = this.nodes.left(node);
      } else {
        const prefix = header.lengthPrefixed(node.leftHash!).byte(HASH_LENGTH).finish();
        path.push({ hash: HashOp.SHA256, prefix, suffix: new Uint8Array(0) });
        node = this.nodes.right(node);
      }
    }
    if (node === undefined || !bytesEqual(node.key, key)) {
      throw new StoreError("STORE_KEY_ABSENT", `key is absent from ${this.nodes.name} at version ${this.version}`);
    }
    path.reverse();
    return { key: node.key, value: node.value!, leaf: leafOp(node.version), path };
  }

  /**
   * The ICS-23 non-existence proof of `key`: existence proofs of its neighbours. In an empty tree
   * there are none, and no verifier accepts the proof (as upstream). STORE_KEY_PRESENT if present.
   */
  nonExistenceProof(key: Uint8Array): NonExistenceProof {
    if (this.has(key)) {
      throw new StoreError("STORE_KEY_PRESENT", `key is present in ${this.nodes.name} at version ${this.version}`);
    }
    const before = this.iterator(undefined, key, true).next();
    const after = this.iterator(key, undefined, false).next();
    return {
      key,
      left: before.done === true ? undefined : this.existenceProof(before.value[0]),
      right: after.done === true ? undefined : this.existenceProof(after.value[0]),
    };
  }

  /**
   * Walks the whole tree and checks every invariant: stored hashes equal recomputed ones, sizes and
   * heights add up, AVL balance (|left height − right height| ≤ 1), keys ordered with each inner key
   * the smallest key of its right subtree, node versions consistent. Throws STORE_CORRUPT on the
   * first violation; returns the number of keys.
   */
  verify(): number {
    if (this.root === undefined) return 0;
    return this.verifyNode(this.root).size;
  }

  private verifyNode(node: Node): SubtreeFacts {
    const fail = (why: string): never => {
      throw new StoreError("STORE_CORRUPT", `tree ${this.nodes.name} at version ${this.version}: ${why}`);
    };
    if (node.version > this.version || node.version < 1) fail(`node version ${node.version} out of range`);
    if (node.nodeKey !== undefined && readBe64(node.nodeKey) !== BigInt(node.version)) {
      fail("node key does not match the node's version");
    }
    if (node.isLeaf) {
      if (node.size !== 1) fail("leaf size is not 1");
      const hash = leafHash(node.key, node.value!, node.version);
      if (node.hash === undefined || !bytesEqual(hash, node.hash)) fail("leaf hash mismatch");
      return { min: node.key, max: node.key, height: 0, size: 1, hash };
    }
    const left = this.verifyNode(this.nodes.left(node));
    const right = this.verifyNode(this.nodes.right(node));
    if (!bytesEqual(left.hash, node.leftHash!) || !bytesEqual(right.hash, node.rightHash!)) {
      fail("child hash mismatch");
    }
    if (node.height !== Math.max(left.height, right.height) + 1) fail("height mismatch");
    if (Math.abs(left.height - right.height) > 1) fail("unbalanced node");
    if (node.size !== left.size + right.size) fail("size mismatch");
    if (!bytesEqual(node.key, right.min)) fail("inner key is not the smallest key of its right subtree");
    if (compareBytes(left.max, right.min) >= 0) fail("keys out of order");
    const hash = innerHash(node.height, node.size, node.version, left.hash, right.hash);
    if (node.hash === undefined || !bytesEqual(hash, node.hash)) fail("inner hash mismatch");
    return { min: left.min, max: right.max, height: node.height, size: node.size, hash };
  }
}
