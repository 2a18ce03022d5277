/**
 * The record of one commit (Cosmos `storetypes.CommitInfo`): the version and each store's root hash.
 * Stored under "c" ‖ be64(version) as protobuf:
 *   CommitInfo {1 version int64, 2 store_infos repeated StoreInfo}
 *   StoreInfo  {1 name string, 2 commit_id CommitID}
 *   CommitID   {1 version int64, 2 hash bytes}
 */
import { decodeFields, field, ProtoWriter } from "../codec/protobuf.ts";
import { isCodedError } from "../primitives/errors.ts";
import { StoreError } from "./errors.ts";
import { SimpleMerkleMap } from "./simpleMerkle.ts";

export interface StoreInfo {
  readonly name: string;
  /** The store's tree root at this version. */
  readonly hash: Uint8Array;
}

export interface CommitInfo {
  readonly version: number;
  /** Sorted by name. */
  readonly storeInfos: readonly StoreInfo[];
  /** Root of the simple Merkle map name → store hash: the block's app hash. */
  readonly appHash: Uint8Array;
}

/** Builds the commit info (computing the app hash) from each store's root. */
export function createCommitInfo(version: number, storeInfos: readonly StoreInfo[]): CommitInfo {
  const sorted = [...storeInfos].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const appHash = new SimpleMerkleMap(sorted.map((s) => ({ name: s.name, value: s.hash }))).root;
  return { version, storeInfos: sorted, appHash };
}

/** The simple Merkle map of a commit (for store-root proofs). */
export function commitMerkleMap(info: CommitInfo): SimpleMerkleMap {
  return new SimpleMerkleMap(info.storeInfos.map((s) => ({ name: s.name, value: s.hash })));
}

export function encodeCommitInfo(info: CommitInfo): Uint8Array {
  const w = new ProtoWriter().uint(1, info.version);
  for (const store of info.storeInfos) {
    const commitId = new ProtoWriter().uint(1, info.version).bytes(2, store.hash).finish();
    w.message(2, new ProtoWriter().string(1, store.name).message(2, commitId).finish());
  }
  return w.finish();
}

export function decodeCommitInfo(bytes: Uint8Array): CommitInfo {
  try {
    let version = 0n;
    const stores: StoreInfo[] = [];
    decodeFields(bytes, "CommitInfo", {
      1: field.uint64((v) => (version = v)),
      2: field.message(
        (b) => {
          let name = "";
          let hash = new Uint8Array(0);
          decodeFields(b, "StoreInfo", {
            1: field.string((v) => (name = v)),
            2: field.message(
              (c) =>
                decodeFields(c, "CommitID", {
                  1: field.uint64(() => undefined),
                  2: field.bytes((v) => (hash = new Uint8Array(v))),
                }),
              () => undefined,
            ),
          });
          return { name, hash };
        },
        (s) => stores.push(s),
      ),
    });
    if (version > BigInt(Number.MAX_SAFE_INTEGER)) throw new StoreError("STORE_CORRUPT", "commit version too large");
    return createCommitInfo(Number(version), stores);
  } catch (e) {
    if (e instanceof StoreError) throw e;
    if (isCodedError(e)) throw new StoreError("STORE_CORRUPT", `commit info does not decode: ${e.message}`);
    throw e;
  }
}
