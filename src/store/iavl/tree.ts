/**
 * The working state of one IAVL tree: the last committed snapshot plus buffered writes.
 *
 * Writes are not applied to the tree as they come: they wait in a sorted buffer, and the next version
 * is built from the committed tree by applying the buffered writes in ascending key order. So the root
 * of version v depends only on version v−1 and on the final value (or deletion) of each key written
 * during v — not on the order of the writes, nor on how they were split into branches. The insert,
 * remove and rebalancing steps are those of cosmos/iavl (`recursiveSet`, `recursiveRemove`, `balance`),
 * so the same writes give the same tree shape and hashes as upstream.
 *
 * Building is copy-on-write: persisted nodes are never changed. A persisted node replaced while
 * building version v is an orphan: it belongs to versions up to v−1. The orphans of each version are
 * recorded together (one record of node keys), which is all pruning needs.
 */
import { compareBytes } from "../../primitives/bytes.ts";
import { type BufferedValue, createBranch, type EntrySink, type KeyedReader, WriteBuffer } from "../branch.ts";
import type { DatabaseWriter } from "../database.ts";
import { keyToString } from "../keys.ts";
import type { BranchStore, KVPair, KVStore, ReadonlyKVStore } from "../types.ts";
import { EMPTY_ROOT_HASH, encodeNodeKey, encodeNodeScratch, hashDirty, Node, NODE_KEY_LENGTH } from "./node.ts";
import type { NodeDb } from "./nodeDb.ts";
import { TreeSnapshot } from "./snapshot.ts";

/** The next version of a tree, built in memory and not yet saved. */
export interface BuiltVersion {
  readonly version: number;
  readonly root: Node | undefined;
  /** Persisted nodes that are not part of this version. */
  readonly orphans: readonly Node[];
  readonly hash: Uint8Array;
}

/** A saved version's nodes, ready to become the committed snapshot once the transaction commits. */
export interface SavedVersion {
  readonly built: BuiltVersion;
  readonly newNodes: readonly Node[];
  /** The node keys given to the new nodes (set on them by `finishSave`). */
  readonly nodeKeys: ReadonlyMap<Node, Uint8Array>;
}

class Builder {
  /** Persisted nodes left out of the new version (each is met at most once per build). */
  readonly orphans: Node[] = [];

  constructor(
    private readonly nodes: NodeDb,
    private readonly version: number,
  ) {}

  private orphan(node: Node): void {
    if (node.nodeKey !== undefined) this.orphans.push(node);
  }

  private leaf(key: Uint8Array, value: Uint8Array): Node {
    return new Node(key, value, 0, 1, this.version);
  }

  /** The node itself when dirty; otherwise a dirty copy of it (and the original becomes an orphan). */
  private mutable(node: Node): Node {
    if (node.nodeKey === undefined) return node;
    this.orphan(node);
    const copy = new Node(node.key, node.value, node.height, node.size, this.version);
    copy.leftNodeKey = node.leftNodeKey;
    copy.rightNodeKey = node.rightNodeKey;
    copy.leftHash = node.leftHash;
    copy.rightHash = node.rightHash;
    return copy;
  }

  private left(node: Node): Node {
    return this.nodes.left(node);
  }

  private right(node: Node): Node {
    return this.nodes.right(node);
  }

  private setLeft(node: Node, child: Node): void {
    node.leftNode = child;
    node.leftNodeKey = undefined;
    node.leftHash = undefined;
    node.hash = undefined;
  }

  private setRight(node: Node, child: Node): void {
    node.rightNode = child;
    node.rightNodeKey = undefined;
    node.rightHash = undefined;
    node.hash = undefined;
  }

  private updateHeightAndSize(node: Node): void {
    const left = this.left(node);
    const right = this.right(node);
    node.height = Math.max(left.height, right.height) + 1;
    node.size = left.size + right.size;
  }

  private balanceOf(node: Node): number {
    return this.left(node).height - this.right(node).height;
  }

  private rotateRight(node: Node): Node {
    const top = this.mutable(this.left(node));
    this.setLeft(node, this.right(top));
    this.setRight(top, node);
    this.updateHeightAndSize(node);
    this.updateHeightAndSize(top);
    return top;
  }

  private rotateLeft(node: Node): Node {
    const top = this.mutable(this.right(node));
    this.setRight(node, this.left(top));
    this.setLeft(top, node);
    this.updateHeightAndSize(node);
    this.updateHeightAndSize(top);
    return top;
  }

  /** cosmos/iavl `balance` on a dirty node. */
  private balance(node: Node): Node {
    const balance = this.balanceOf(node);
    if (balance > 1) {
      const left = this.left(node);
      if (this.balanceOf(left) >= 0) return this.rotateRight(node);
      this.setLeft(node, this.rotateLeft(this.mutable(left)));
      return this.rotateRight(node);
    }
    if (balance < -1) {
      const right = this.right(node);
      if (this.balanceOf(right) <= 0) return this.rotateLeft(node);
      this.setRight(node, this.rotateRight(this.mutable(right)));
      return this.rotateLeft(node);
    }
    return node;
  }

  /**
   * Whether the last `set` updated an existing key (rather than adding one): upstream's second result
   * of `recursiveSet`, kept here instead of in a pair allocated at every level.
   */
  private updated = false;

  /** cosmos/iavl `recursiveSet`: returns the new subtree; `updated` tells whether the key existed. */
  set(node: Node | undefined, key: Uint8Array, value: Uint8Array): Node {
    if (node === undefined) {
      this.updated = false;
      return this.leaf(key, value);
    }
    if (node.isLeaf) {
      const order = compareBytes(key, node.key);
      if (order === 0) {
        this.orphan(node);
        this.updated = true;
        return this.leaf(key, value);
      }
      const inner = new Node(order < 0 ? node.key : key, undefined, 1, 2, this.version);
      const fresh = this.leaf(key, value);
      if (order < 0) {
        inner.leftNode = fresh;
        inner.rightNode = node;
      } else {
        inner.leftNode = node;
        inner.rightNode = fresh;
      }
      this.updated = false;
      return inner;
    }
    const self = this.mutable(node);
    if (compareBytes(key, self.key) < 0) this.setLeft(self, this.set(this.left(self), key, value));
    else this.setRight(self, this.set(this.right(self), key, value));
    // `updated` is the child's answer: nothing below changes it after the recursive call returns.
    if (this.updated) return self;
    this.updateHeightAndSize(self);
    return this.balance(self);
  }

  /**
   * cosmos/iavl `recursiveRemove`: the new subtree (undefined when it was the removed leaf), the new
   * leftmost key to give the nearest ancestor reached from its right (if it changed), whether removed.
   */
  remove(node: Node, key: Uint8Array): { node: Node | undefined; newKey: Uint8Array | undefined; removed: boolean } {
    if (node.isLeaf) {
      if (compareBytes(key, node.key) === 0) {
        this.orphan(node);
        return { node: undefined, newKey: undefined, removed: true };
      }
      return { node, newKey: undefined, removed: false };
    }
    if (compareBytes(key, node.key) < 0) {
      const result = this.remove(this.left(node), key);
      if (!result.removed) return { node, newKey: undefined, removed: false };
      if (result.node === undefined) {
        const right = this.right(node);
        this.orphan(node);
        return { node: right, newKey: node.key, removed: true };
      }
      const self = this.mutable(node);
      this.setLeft(self, result.node);
      this.updateHeightAndSize(self);
      return { node: this.balance(self), newKey: result.newKey, removed: true };
    }
    const result = this.remove(this.right(node), key);
    if (!result.removed) return { node, newKey: undefined, removed: false };
    if (result.node === undefined) {
      const left = this.left(node);
      this.orphan(node);
      return { node: left, newKey: undefined, removed: true };
    }
    const self = this.mutable(node);
    this.setRight(self, result.node);
    if (result.newKey !== undefined) self.key = result.newKey;
    this.updateHeightAndSize(self);
    return { node: this.balance(self), newKey: undefined, removed: true };
  }
}

/**
 * How buffered writes are applied when a version is built:
 * - "key" (the default, and what the multistore uses): the final value of each written key, in
 *   ascending key order, as Cosmos does when a block's cache store is written to the tree;
 * - "write": every write in the order it was made, as cosmos/iavl's MutableTree does when called
 *   directly (used to replay upstream's own test vectors).
 */
export type ApplyOrder = "key" | "write";

/** Point reads remembered per tree; beyond this many keys the memo starts over. */
const MAX_REMEMBERED_READS = 65_536;

/**
 * Point reads of the committed snapshot, remembered: a key read again (a sender's balance and account
 * in the next block) skips the walk down the tree. The snapshot is immutable, so a remembered answer
 * stays right for it; `next` carries the memo to the following version, forgetting the keys written.
 */
class SnapshotReader implements ReadonlyKVStore, KeyedReader {
  constructor(
    readonly snapshot: TreeSnapshot,
    /** keyToString(key) → value, or null for a key known to be absent. */
    private readonly values: Map<string, Uint8Array | null> = new Map(),
  ) {}

  get(key: Uint8Array): Uint8Array | undefined {
    return this.getKeyed(key, keyToString(key));
  }

  getKeyed(key: Uint8Array, id: string): Uint8Array | undefined {
    const known = this.values.get(id);
    if (known !== undefined) return known ?? undefined;
    const value = this.snapshot.get(key);
    if (this.values.size >= MAX_REMEMBERED_READS) this.values.clear();
    this.values.set(id, value ?? null);
    return value;
  }

  has(key: Uint8Array): boolean {
    return this.get(key) !== undefined;
  }

  hasKeyed(key: Uint8Array, id: string): boolean {
    return this.getKeyed(key, id) !== undefined;
  }

  iterator(start?: Uint8Array, end?: Uint8Array, reverse = false): IterableIterator<KVPair> {
    return this.snapshot.iterator(start, end, reverse);
  }

  /** The reader of `snapshot`, the version made from this one by writing (or deleting) `written`. */
  next(snapshot: TreeSnapshot, written: Iterable<{ readonly keyString: string }>): SnapshotReader {
    for (const { keyString } of written) this.values.delete(keyString);
    return new SnapshotReader(snapshot, this.values);
  }
}

/** A tree's working state: a KVStore whose writes become the next version at commit. */
export class MutableTree implements KVStore, KeyedReader, EntrySink {
  private buffer: WriteBuffer;
  private reader: SnapshotReader;
  private built: BuiltVersion | undefined;
  /** Every write since the last commit, in order (only with applyOrder "write"). */
  private journal: Array<{ readonly key: Uint8Array; readonly value: Uint8Array | null }> | undefined;

  constructor(
    readonly nodes: NodeDb,
    private committed: TreeSnapshot,
    readonly applyOrder: ApplyOrder = "key",
  ) {
    this.reader = new SnapshotReader(committed);
    this.buffer = new WriteBuffer(this.reader);
    this.journal = applyOrder === "write" ? [] : undefined;
  }

  get name(): string {
    return this.nodes.name;
  }

  /** The last committed version of this tree. */
  get lastCommitted(): TreeSnapshot {
    return this.committed;
  }

  /** Number of keys written since the last commit. */
  get pendingWrites(): number {
    return this.buffer.writes.size;
  }

  get(key: Uint8Array): Uint8Array | undefined {
    return this.buffer.get(key);
  }

  has(key: Uint8Array): boolean {
    return this.buffer.has(key);
  }

  getKeyed(key: Uint8Array, keyString: string): Uint8Array | undefined {
    return this.buffer.getKeyed(key, keyString);
  }

  hasKeyed(key: Uint8Array, keyString: string): boolean {
    return this.buffer.hasKeyed(key, keyString);
  }

  set(key: Uint8Array, value: Uint8Array): void {
    this.buffer.set(key, value);
    this.journal?.push({ key: this.buffer.writes.getEntry(key)!.key, value: this.buffer.get(key)! });
    this.built = undefined;
  }

  /**
   * A branch's entries handed over as they are (`EntrySink`): the next version depends only on the
   * final value of each key, not on the order they arrive in. Not when writes are journaled in order.
   */
  absorbEntries(
    entries: Iterable<{ readonly key: Uint8Array; readonly keyString: string; readonly value: BufferedValue }>,
  ): boolean {
    if (this.journal !== undefined) return false;
    const target = this.buffer.writes;
    for (const { key, keyString, value } of entries) {
      const entry = target.getEntryByString(keyString);
      if (entry !== undefined) entry.value = value;
      else target.insertNew(keyString, key, value);
    }
    this.built = undefined;
    return true;
  }

  delete(key: Uint8Array): void {
    this.buffer.delete(key);
    this.journal?.push({ key: this.buffer.writes.getEntry(key)!.key, value: null });
    this.built = undefined;
  }

  iterator(start?: Uint8Array, end?: Uint8Array, reverse = false): IterableIterator<KVPair> {
    return this.buffer.iterator(start, end, reverse);
  }

  branch(): BranchStore {
    return createBranch(this);
  }

  /** Forgets every write since the last commit. */
  discardPending(): void {
    this.buffer = new WriteBuffer(this.reader);
    if (this.journal !== undefined) this.journal = [];
    this.built = undefined;
  }

  /** Builds (or reuses) the tree of `version` from the committed tree and the buffered writes. */
  build(version: number): BuiltVersion {
    if (this.built?.version === version) return this.built;
    const builder = new Builder(this.nodes, version);
    let root = this.committed.root;
    for (const { key, value } of this.journal ?? this.buffer.writes.entries()) {
      if (value === null) {
        if (root !== undefined) root = builder.remove(root, key).node;
      } else {
        root = builder.set(root, key, value);
      }
    }
    const hash = root === undefined ? EMPTY_ROOT_HASH : hashDirty(root);
    this.built = { version, root, orphans: builder.orphans, hash };
    return this.built;
  }

  /**
   * Writes version `version` (nodes, orphan records, root record) into `writer`, the multistore's
   * commit transaction. With `dropOrphans` (version − 1 is pruned in the same transaction) the nodes
   * leaving the tree are deleted at once instead of being recorded. Nothing in memory changes until
   * `finishSave` after the transaction commits.
   */
  save(version: number, writer: DatabaseWriter, dropOrphans = false): SavedVersion {
    const built = this.build(version);
    const newNodes: Node[] = [];
    const nodeKeys = new Map<Node, Uint8Array>();
    const assign = (node: Node): void => {
      if (node.nodeKey !== undefined || nodeKeys.has(node)) return;
      nodeKeys.set(node, encodeNodeKey(version, nodeKeys.size + 1));
      newNodes.push(node);
      if (node.leftNode !== undefined) assign(node.leftNode);
      if (node.rightNode !== undefined) assign(node.rightNode);
    };
    if (built.root !== undefined) assign(built.root);
    const keyOf = (node: Node): Uint8Array => node.nodeKey ?? nodeKeys.get(node)!;
    for (const node of newNodes) {
      // A view into a scratch buffer: the writer copies it before the next node is encoded.
      const encoded = node.isLeaf
        ? encodeNodeScratch(node, undefined, undefined, undefined, undefined)
        : encodeNodeScratch(
            node,
            node.leftNode !== undefined ? keyOf(node.leftNode) : node.leftNodeKey,
            node.rightNode !== undefined ? keyOf(node.rightNode) : node.rightNodeKey,
            node.leftNode?.hash ?? node.leftHash,
            node.rightNode?.hash ?? node.rightHash,
          );
      // The key is a shared view too: `put` copies both before it returns.
      writer.put(this.nodes.nodeDbKeyScratch(keyOf(node)), encoded);
    }
    if (dropOrphans) {
      for (const orphan of built.orphans) writer.delete(this.nodes.nodeDbKey(orphan.nodeKey!));
    } else if (built.orphans.length > 0) {
      const record = new Uint8Array(built.orphans.length * NODE_KEY_LENGTH);
      built.orphans.forEach((orphan, i) => record.set(orphan.nodeKey!, i * NODE_KEY_LENGTH));
      writer.put(this.nodes.orphansDbKey(version - 1), record);
    }
    writer.put(this.nodes.rootDbKey(version), built.root === undefined ? new Uint8Array(0) : keyOf(built.root));
    return { built, newNodes, nodeKeys };
  }

  /** After the commit transaction succeeded: the saved version becomes the committed snapshot. */
  finishSave(saved: SavedVersion): void {
    for (const node of saved.newNodes) node.nodeKey = saved.nodeKeys.get(node)!;
    for (const node of saved.newNodes) {
      if (node.leftNode !== undefined) {
        node.leftNodeKey = node.leftNode.nodeKey;
        node.leftHash = node.leftNode.hash;
        node.leftNode = undefined;
      }
      if (node.rightNode !== undefined) {
        node.rightNodeKey = node.rightNode.nodeKey;
        node.rightHash = node.rightNode.hash;
        node.rightNode = undefined;
      }
      this.nodes.remember(node);
    }
    this.committed = new TreeSnapshot(this.nodes, saved.built.root, saved.built.version);
    this.reader = this.reader.next(this.committed, this.buffer.writes.entries());
    this.buffer = new WriteBuffer(this.reader);
    if (this.journal !== undefined) this.journal = [];
    this.built = undefined;
  }

  /** After a failed commit transaction: drop the built version (it is rebuilt on the next try). */
  abortSave(): void {
    this.built = undefined;
  }

  /** The root hash the next commit would produce at `version`. */
  workingHash(version: number): Uint8Array {
    return this.build(version).hash;
  }
}

/** An empty tree snapshot at version 0. */
export function emptySnapshot(nodes: NodeDb): TreeSnapshot {
  return new TreeSnapshot(nodes, undefined, 0);
}
