/**
 * The committed multistore (Cosmos `rootmulti`): one IAVL tree per module store, all committed together
 * as one version in one database transaction, the app hash being the simple Merkle map of
 * (store name → tree root).
 *
 * Database keys besides the trees' own (iavl/nodeDb.ts):
 *   "l"              → be64(latest version)
 *   "c" ‖ be64(v)    → CommitInfo of version v (commitInfo.ts)
 *   "m"              → be32(format) of this layout
 *
 * Pruning (`keepRecent` = N > 0): after committing v, versions ≤ v − N are deleted: their commit infos,
 * their root records, and every node listed in an orphan record of a version ≤ v − N (nodes that left
 * the tree at or before v − N).
 * Nodes still used by a kept version are never orphaned at or before v − N, so kept versions stay
 * whole. The pruning runs inside the commit transaction.
 */
import { be32, be64, bytesEqual, readBe64, utf8Encode } from "../primitives/bytes.ts";
import {
  commitMerkleMap,
  createCommitInfo,
  decodeCommitInfo,
  encodeCommitInfo,
  type CommitInfo,
} from "./commitInfo.ts";
import type { Database } from "./database.ts";
import { StoreError } from "./errors.ts";
import { encodeCommitmentProof, PROOF_OP_IAVL, PROOF_OP_SIMPLE, type CommitmentProof, type ProofOp } from "./ics23.ts";
import { NODE_KEY_LENGTH } from "./iavl/node.ts";
import { NodeCache, NodeDb } from "./iavl/nodeDb.ts";
import { TreeSnapshot } from "./iavl/snapshot.ts";
import { MutableTree, type SavedVersion } from "./iavl/tree.ts";
import { prefixEnd } from "./keys.ts";
import type { SimpleMerkleMap } from "./simpleMerkle.ts";
import { CacheMultiStore } from "./cacheMultiStore.ts";
import type { BranchMultiStore, KVStore, MultiStore } from "./types.ts";

const LATEST_KEY = Uint8Array.of(0x6c); // "l"
const COMMIT_PREFIX = 0x63; // "c"
const FORMAT_KEY = Uint8Array.of(0x6d); // "m"
const FORMAT = 1;

export interface MultiStoreOptions {
  /** The module stores (`acc`, `bank`, `staking`, `compute`, `register`, …). */
  readonly storeNames: readonly string[];
  /** Keep this many most recent versions and prune older ones; 0 (default) keeps every version. */
  readonly keepRecent?: number;
  /** The version of the first commit (a chain's initial height); default 1. */
  readonly initialVersion?: number;
  /** Nodes kept in memory across all trees; default 200 000. */
  readonly nodeCacheSize?: number;
}

/** The result of `query`, the store part of an `abci_query` answer (chain-api.md §8.6). */
export interface StoreQueryResult {
  readonly key: Uint8Array;
  /** The value, or undefined when the key is absent. */
  readonly value: Uint8Array | undefined;
  /** The version answered. */
  readonly height: number;
  /** With `prove`: [ics23:iavl proof of the key in its store, ics23:simple proof of the store root]. */
  readonly proofOps: readonly ProofOp[] | undefined;
}

function commitKey(version: number): Uint8Array {
  const key = new Uint8Array(9);
  key[0] = COMMIT_PREFIX;
  key.set(be64(version), 1);
  return key;
}

function checkStoreNames(names: readonly string[]): string[] {
  const seen = new Set<string>();
  for (const name of names) {
    if (typeof name !== "string" || name.length === 0 || utf8Encode(name).length > 255) {
      throw new StoreError("STORE_INVALID_ARGUMENT", `invalid store name '${String(name)}'`);
    }
    if (seen.has(name)) throw new StoreError("STORE_INVALID_ARGUMENT", `duplicate store name '${name}'`);
    seen.add(name);
  }
  return [...seen].sort();
}

function checkCount(value: number | undefined, what: string, min: number, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < min) {
    throw new StoreError("STORE_INVALID_ARGUMENT", `${what} must be an integer ≥ ${min}`);
  }
  return value;
}

export class CommitMultiStore implements MultiStore {
  readonly storeNames: readonly string[];
  private readonly trees = new Map<string, MutableTree>();
  private readonly keepRecent: number;
  private readonly initialVersion: number;
  private latest: number;
  private earliest: number;
  private lastInfo: CommitInfo | undefined;
  /** Simple Merkle maps of recent commits (store-root proofs), most recently used last. */
  private readonly merkleMaps = new Map<number, SimpleMerkleMap>();

  private constructor(
    private readonly db: Database,
    options: MultiStoreOptions,
  ) {
    this.storeNames = checkStoreNames(options.storeNames);
    this.keepRecent = checkCount(options.keepRecent, "keepRecent", 0, 0);
    this.initialVersion = checkCount(options.initialVersion, "initialVersion", 1, 1);
    const cache = new NodeCache(checkCount(options.nodeCacheSize, "nodeCacheSize", 0, 200_000));

    const format = db.get(FORMAT_KEY);
    if (format !== undefined && !bytesEqual(format, be32(FORMAT))) {
      throw new StoreError("STORE_CORRUPT", "unknown store format");
    }
    const latestBytes = db.get(LATEST_KEY);
    this.latest = latestBytes === undefined ? 0 : Number(readBe64(latestBytes));
    this.lastInfo = this.latest === 0 ? undefined : this.loadCommitInfo(this.latest);
    this.earliest = this.latest === 0 ? 0 : this.findEarliest();
    if (this.lastInfo !== undefined) {
      const unknown = this.lastInfo.storeInfos.map((s) => s.name).filter((n) => !this.storeNames.includes(n));
      if (unknown.length > 0) {
        throw new StoreError("STORE_SET_MISMATCH", `the database has stores not configured: ${unknown.join(", ")}`);
      }
    }
    for (const name of this.storeNames) {
      const nodes = new NodeDb(db, name, cache);
      this.trees.set(name, new MutableTree(nodes, this.loadSnapshot(nodes, this.latest)));
    }
  }

  /** Opens the multistore kept in `db` (empty when nothing was committed yet). */
  static open(db: Database, options: MultiStoreOptions): CommitMultiStore {
    return new CommitMultiStore(db, options);
  }

  /** The last committed version (0 before the first commit). */
  get latestVersion(): number {
    return this.latest;
  }

  /** The oldest version still readable (0 before the first commit). */
  get earliestVersion(): number {
    return this.earliest;
  }

  /** The commit info of the latest version (undefined before the first commit). */
  get lastCommitInfo(): CommitInfo | undefined {
    return this.lastInfo;
  }

  /** The latest app hash; empty before the first commit (Cosmos's zero CommitID). */
  get lastAppHash(): Uint8Array {
    return this.lastInfo?.appHash ?? new Uint8Array(0);
  }

  private tree(name: string): MutableTree {
    const tree = this.trees.get(name);
    if (tree === undefined) throw new StoreError("STORE_UNKNOWN_STORE", `no store named '${name}'`);
    return tree;
  }

  /** The working store `name`: reads see uncommitted writes; writes wait for `commit`. */
  getStore(name: string): KVStore {
    return this.tree(name);
  }

  branch(): BranchMultiStore {
    return new CacheMultiStore(this);
  }

  /** Number of keys written since the last commit, over all stores. */
  get pendingWrites(): number {
    let n = 0;
    for (const tree of this.trees.values()) n += tree.pendingWrites;
    return n;
  }

  /** Forgets every write since the last commit. */
  discardPending(): void {
    for (const tree of this.trees.values()) tree.discardPending();
  }

  private nextVersion(): number {
    return this.latest === 0 ? this.initialVersion : this.latest + 1;
  }

  /** The commit info (and app hash) the next commit would produce, without committing. */
  workingCommitInfo(): CommitInfo {
    const version = this.nextVersion();
    return createCommitInfo(
      version,
      this.storeNames.map((name) => ({ name, hash: this.tree(name).workingHash(version) })),
    );
  }

  /**
   * Commits every store's writes as the next version, atomically: the new nodes, the root records, the
   * commit info, the latest version and the pruning all go in one transaction. If it fails, nothing is
   * committed and the writes stay pending.
   */
  commit(): CommitInfo {
    const version = this.nextVersion();
    const pruneTo = this.keepRecent > 0 ? version - this.keepRecent : 0;
    const pruning = pruneTo >= this.earliest && this.earliest > 0 ? this.collectPrunable(pruneTo) : undefined;
    // With keepRecent = 1 the previous version goes in this very commit: its orphans go with it.
    const dropOrphans = pruning !== undefined && pruneTo >= version - 1;
    const saved = new Map<string, SavedVersion>();
    let info: CommitInfo | undefined;
    try {
      this.db.transaction((writer) => {
        for (const name of this.storeNames) {
          saved.set(name, this.tree(name).save(version, writer, dropOrphans));
        }
        info = createCommitInfo(
          version,
          this.storeNames.map((name) => ({ name, hash: saved.get(name)!.built.hash })),
        );
        writer.put(commitKey(version), encodeCommitInfo(info));
        writer.put(LATEST_KEY, be64(version));
        writer.put(FORMAT_KEY, be32(FORMAT));
        if (pruning !== undefined) for (const key of pruning) writer.delete(key);
      });
    } catch (e) {
      for (const tree of this.trees.values()) tree.abortSave();
      throw e;
    }
    for (const [name, s] of saved) this.tree(name).finishSave(s);
    this.latest = version;
    this.lastInfo = info!;
    if (this.earliest === 0) this.earliest = version;
    if (pruning !== undefined) this.earliest = pruneTo + 1;
    return info!;
  }

  /** Database keys to delete to drop every version ≤ pruneTo (read before the commit transaction). */
  private collectPrunable(pruneTo: number): Uint8Array[] {
    const keys: Uint8Array[] = [];
    for (const tree of this.trees.values()) {
      const nodes = tree.nodes;
      const orphanPrefix = nodes.orphanPrefix();
      for (const [key, record] of this.db.iterator(orphanPrefix, nodes.orphansDbKey(pruneTo + 1))) {
        if (record.length % NODE_KEY_LENGTH !== 0) throw new StoreError("STORE_CORRUPT", "orphan record length");
        keys.push(key);
        for (let at = 0; at < record.length; at += NODE_KEY_LENGTH) {
          keys.push(nodes.nodeDbKey(record.subarray(at, at + NODE_KEY_LENGTH)));
        }
      }
      for (const [key] of this.db.iterator(nodes.rootPrefix(), nodes.rootDbKey(pruneTo + 1))) keys.push(key);
    }
    for (const [key] of this.db.iterator(Uint8Array.of(COMMIT_PREFIX), commitKey(pruneTo + 1))) keys.push(key);
    return keys;
  }

  private findEarliest(): number {
    const first = this.db.iterator(Uint8Array.of(COMMIT_PREFIX), prefixEnd(Uint8Array.of(COMMIT_PREFIX))).next();
    if (first.done === true) throw new StoreError("STORE_CORRUPT", "latest version set but no commit info");
    return Number(readBe64(first.value[0], 1));
  }

  private loadCommitInfo(version: number): CommitInfo {
    const bytes = this.db.get(commitKey(version));
    if (bytes === undefined) throw new StoreError("STORE_CORRUPT", `commit info of version ${version} is missing`);
    return decodeCommitInfo(bytes);
  }

  private loadSnapshot(nodes: NodeDb, version: number): TreeSnapshot {
    if (version === 0) return new TreeSnapshot(nodes, undefined, 0);
    const rootKey = this.db.get(nodes.rootDbKey(version));
    // No root record: the store did not exist yet at that version.
    if (rootKey === undefined || rootKey.length === 0) return new TreeSnapshot(nodes, undefined, version);
    return new TreeSnapshot(nodes, nodes.load(rootKey), version);
  }

  private checkVersion(version: number): void {
    if (!Number.isSafeInteger(version) || version < 1 || version > this.latest) {
      throw new StoreError("STORE_VERSION_NOT_FOUND", `version ${version} was not committed (latest ${this.latest})`);
    }
    if (version < this.earliest) {
      const code = version < this.initialVersion ? "STORE_VERSION_NOT_FOUND" : "STORE_VERSION_PRUNED";
      throw new StoreError(code, `version ${version} is not available (earliest ${this.earliest})`);
    }
  }

  /** True when `version` can be read. */
  hasVersion(version: number): boolean {
    return Number.isSafeInteger(version) && version >= this.earliest && version <= this.latest && version >= 1;
  }

  /** The commit info of a readable version. */
  commitInfoAt(version: number): CommitInfo {
    this.checkVersion(version);
    if (version === this.latest) return this.lastInfo!;
    return this.loadCommitInfo(version);
  }

  /** Store `name` as committed at `version` (read-only; valid until that version is pruned). */
  storeAt(version: number, name: string): TreeSnapshot {
    const tree = this.tree(name);
    this.checkVersion(version);
    if (version === this.latest) return tree.lastCommitted;
    return this.loadSnapshot(tree.nodes, version);
  }

  /** The value of `key` in store `name` at `version`. */
  getAt(version: number, name: string, key: Uint8Array): Uint8Array | undefined {
    return this.storeAt(version, name).get(key);
  }

  /**
   * Answers `/store/<name>/key` at `height` (0 or absent: the latest version), with ICS-23 proofs
   * when `prove` is set: they verify against the app hash of that version.
   */
  query(
    name: string,
    key: Uint8Array,
    options: { readonly height?: number; readonly prove?: boolean } = {},
  ): StoreQueryResult {
    const height = options.height === undefined || options.height === 0 ? this.latest : options.height;
    const snapshot = this.storeAt(height, name);
    const value = snapshot.get(key);
    if (options.prove !== true) return { key, value, height, proofOps: undefined };
    const iavl: CommitmentProof =
      value !== undefined ? { exist: snapshot.existenceProof(key) } : { nonexist: snapshot.nonExistenceProof(key) };
    const storeProof = this.merkleMapAt(height).proof(name);
    return {
      key,
      value,
      height,
      proofOps: [
        { type: PROOF_OP_IAVL, key, data: encodeCommitmentProof(iavl) },
        { type: PROOF_OP_SIMPLE, key: utf8Encode(name), data: encodeCommitmentProof({ exist: storeProof }) },
      ],
    };
  }

  private merkleMapAt(version: number): SimpleMerkleMap {
    let map = this.merkleMaps.get(version);
    if (map === undefined) {
      map = commitMerkleMap(this.commitInfoAt(version));
      if (this.merkleMaps.size >= 16) this.merkleMaps.delete(this.merkleMaps.keys().next().value!);
    } else {
      this.merkleMaps.delete(version);
    }
    this.merkleMaps.set(version, map);
    return map;
  }

  /**
   * Checks every tree of `version` (default: the latest) node by node and its commit info: hashes,
   * sizes, balance, key order, and that the app hash recomputes. Throws STORE_CORRUPT; returns the
   * number of keys per store.
   */
  verify(version: number = this.latest): Map<string, number> {
    const sizes = new Map<string, number>();
    if (version === 0 && this.latest === 0) return sizes;
    const info = this.commitInfoAt(version);
    const recomputed = createCommitInfo(
      version,
      info.storeInfos.map((s) => ({ name: s.name, hash: this.storeAt(version, s.name).hash })),
    );
    for (const s of info.storeInfos) {
      const snapshot = this.storeAt(version, s.name);
      sizes.set(s.name, snapshot.verify());
      if (!bytesEqual(snapshot.hash, s.hash)) {
        throw new StoreError("STORE_CORRUPT", `store ${s.name} root differs from the commit info at ${version}`);
      }
    }
    if (!bytesEqual(recomputed.appHash, info.appHash)) {
      throw new StoreError("STORE_CORRUPT", `app hash of version ${version} does not recompute`);
    }
    return sizes;
  }

  /** Closes the database. */
  close(): Promise<void> {
    return this.db.close();
  }
}

/** Opens the multistore kept in `db`. */
export function openMultiStore(db: Database, options: MultiStoreOptions): CommitMultiStore {
  return CommitMultiStore.open(db, options);
}
