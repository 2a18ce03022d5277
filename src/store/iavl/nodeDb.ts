/**
 * Where a tree's nodes live in the database, and the node cache.
 *
 * Database keys of one tree, `T` being uint8(len name) ‖ name:
 *   "n" ‖ T ‖ nodeKey(12)               → encoded node (nodeKey = be64 version ‖ be32 nonce)
 *   "r" ‖ T ‖ be64(version)             → root node key at that version (empty value: empty tree)
 *   "o" ‖ T ‖ be64(lastLive)            → nodeKey ‖ nodeKey ‖ … : the nodes that left the tree after
 *                                          version lastLive (they belong to no later version)
 */
import { Buffer } from "node:buffer";
import { concatBytes } from "../../primitives/bytes.ts";
import type { Database } from "../database.ts";
import { StoreError } from "../errors.ts";
import { keyToString } from "../keys.ts";
import { decodeNode, encodeVersion, type Node, NODE_KEY_LENGTH } from "./node.ts";

export const NODE_PREFIX = 0x6e; // "n"
export const ROOT_PREFIX = 0x72; // "r"
export const ORPHAN_PREFIX = 0x6f; // "o"

/** A cache key for a node key: a number while it fits (versions < 2^32, nonces < 2^21), else a string. */
export function cacheKeyOf(nodeKey: Uint8Array): number | string {
  const high = ((nodeKey[0]! << 24) | (nodeKey[1]! << 16) | (nodeKey[2]! << 8) | nodeKey[3]!) >>> 0;
  const version = ((nodeKey[4]! << 24) | (nodeKey[5]! << 16) | (nodeKey[6]! << 8) | nodeKey[7]!) >>> 0;
  const nonce = ((nodeKey[8]! << 24) | (nodeKey[9]! << 16) | (nodeKey[10]! << 8) | nodeKey[11]!) >>> 0;
  if (high === 0 && nonce < 0x20_0000) return version * 0x20_0000 + nonce;
  return keyToString(nodeKey);
}

/** One tree's part of the shared cache: two generations, the old one dropped at each turnover. */
class TreeCache {
  young = new Map<number | string, Node>();
  old = new Map<number | string, Node>();

  turnOver(): void {
    this.old = this.young;
    this.young = new Map();
  }
}

/**
 * A bounded cache of persisted nodes shared by the trees of a multistore. Two generations approximate
 * least-recently-used at O(1) per access: a hit in the old generation moves the node to the young
 * one, and once `capacity / 2` nodes went into young generations, every tree's young generation
 * becomes its old one (dropping the previous old ones). At most `capacity` nodes are held.
 */
export class NodeCache {
  private readonly trees: TreeCache[] = [];
  private inserted = 0;
  private readonly generation: number;

  constructor(readonly capacity: number) {
    this.generation = Math.max(1, Math.floor(capacity / 2));
  }

  /** A new tree's part of the cache. */
  scope(): TreeCache {
    const tree = new TreeCache();
    this.trees.push(tree);
    return tree;
  }

  get(tree: TreeCache, id: number | string): Node | undefined {
    const node = tree.young.get(id);
    if (node !== undefined) return node;
    const aged = tree.old.get(id);
    if (aged !== undefined) this.set(tree, id, aged);
    return aged;
  }

  set(tree: TreeCache, id: number | string, node: Node): void {
    if (this.capacity <= 0) return;
    if (this.inserted >= this.generation) {
      for (const t of this.trees) t.turnOver();
      this.inserted = 0;
    }
    tree.young.set(id, node);
    this.inserted++;
  }

  /** Number of cached entries (a node in both generations counts twice). */
  get size(): number {
    let n = 0;
    for (const t of this.trees) n += t.young.size + t.old.size;
    return n;
  }
}

/** The nodes of one named tree. */
export class NodeDb {
  readonly treePrefix: Uint8Array;
  private readonly cacheScope: TreeCache;
  /** `nodeDbKey`'s bytes for `nodeDbKeyScratch`: the prefix stays, the node key is rewritten. */
  private readonly keyScratch: Uint8Array;

  constructor(
    readonly db: Database,
    readonly name: string,
    readonly cache: NodeCache,
  ) {
    const nameBytes = new TextEncoder().encode(name);
    this.treePrefix = concatBytes(Uint8Array.of(nameBytes.length), nameBytes);
    this.cacheScope = cache.scope();
    this.keyScratch = this.nodeDbKey(new Uint8Array(NODE_KEY_LENGTH));
  }

  private dbKey(kind: number, ...parts: readonly Uint8Array[]): Uint8Array {
    let length = 1 + this.treePrefix.length;
    for (const part of parts) length += part.length;
    const out = new Uint8Array(length);
    out[0] = kind;
    out.set(this.treePrefix, 1);
    let offset = 1 + this.treePrefix.length;
    for (const part of parts) {
      out.set(part, offset);
      offset += part.length;
    }
    return out;
  }

  nodeDbKey(nodeKey: Uint8Array): Uint8Array {
    // Made for every node saved or loaded: written out rather than through `dbKey`.
    const prefix = this.treePrefix;
    const out = new Uint8Array(1 + prefix.length + nodeKey.length);
    out[0] = NODE_PREFIX;
    out.set(prefix, 1);
    out.set(nodeKey, 1 + prefix.length);
    return out;
  }

  /**
   * `nodeDbKey(nodeKey)` in one array shared by every call: valid only until the next call (for a
   * transaction's `put`, which copies its key before it returns). Saves an array per saved node.
   */
  nodeDbKeyScratch(nodeKey: Uint8Array): Uint8Array {
    if (nodeKey.length !== NODE_KEY_LENGTH) throw new StoreError("STORE_CORRUPT", "node key of wrong length");
    const out = this.keyScratch;
    const at = out.length - NODE_KEY_LENGTH;
    for (let i = 0; i < NODE_KEY_LENGTH; i++) out[at + i] = nodeKey[i]!;
    return out;
  }

  rootDbKey(version: number): Uint8Array {
    return this.dbKey(ROOT_PREFIX, encodeVersion(version));
  }

  orphansDbKey(lastLiveVersion: number): Uint8Array {
    return this.dbKey(ORPHAN_PREFIX, encodeVersion(lastLiveVersion));
  }

  /** The prefix of every orphan record of this tree. */
  orphanPrefix(): Uint8Array {
    return concatBytes(Uint8Array.of(ORPHAN_PREFIX), this.treePrefix);
  }

  /** The prefix of every root record of this tree. */
  rootPrefix(): Uint8Array {
    return concatBytes(Uint8Array.of(ROOT_PREFIX), this.treePrefix);
  }

  /** The persisted node `nodeKey`; STORE_CORRUPT when it is missing (pruned under a reader, or lost). */
  load(nodeKey: Uint8Array): Node {
    const id = cacheKeyOf(nodeKey);
    const cached = this.cache.get(this.cacheScope, id);
    if (cached !== undefined) return cached;
    const bytes = this.db.get(this.nodeDbKey(nodeKey));
    if (bytes === undefined) {
      throw new StoreError(
        "STORE_CORRUPT",
        `tree ${this.name}: node ${Buffer.from(nodeKey).toString("hex")} is missing`,
      );
    }
    const node = decodeNode(nodeKey, bytes);
    this.cache.set(this.cacheScope, id, node);
    return node;
  }

  /** Puts a freshly saved node in the cache. */
  remember(node: Node): void {
    this.cache.set(this.cacheScope, cacheKeyOf(node.nodeKey!), node);
  }

  left(node: Node): Node {
    return node.leftNode ?? this.load(node.leftNodeKey!);
  }

  right(node: Node): Node {
    return node.rightNode ?? this.load(node.rightNodeKey!);
  }
}
