/** The store layer: KV interfaces, memory/LMDB databases, branches, gas, the IAVL multistore, proofs. */
export { StoreError } from "./errors.ts";
export type { StoreErrorCode } from "./errors.ts";
export type { BranchMultiStore, BranchStore, KVPair, KVStore, MultiStore, ReadonlyKVStore } from "./types.ts";
export { MemoryStore } from "./memoryStore.ts";
export { CacheStore, createBranch, setOwned } from "./branch.ts";
export { prefixStore } from "./prefix.ts";
export { prefixEnd } from "./keys.ts";
export { gasKv, GAS_DESCRIPTOR, SECRET_KV_GAS_CONFIG } from "./gas.ts";
export type { GasMeter, KvGasConfig } from "./gas.ts";
export { createMemoryDatabase, MemoryDatabase } from "./database.ts";
export type { Database, DatabaseWriter } from "./database.ts";
export { LMDB_MAX_KEY_LENGTH, openDatabase } from "./lmdb.ts";
export type { DatabaseOptions } from "./lmdb.ts";
export { CommitMultiStore, openMultiStore } from "./multiStore.ts";
export type { MultiStoreOptions, StoreQueryResult } from "./multiStore.ts";
export { CacheMultiStore } from "./cacheMultiStore.ts";
export { createCommitInfo, decodeCommitInfo, encodeCommitInfo } from "./commitInfo.ts";
export type { CommitInfo, StoreInfo } from "./commitInfo.ts";
export { TreeSnapshot } from "./iavl/snapshot.ts";
export { EMPTY_ROOT_HASH } from "./iavl/node.ts";
export { SimpleMerkleMap } from "./simpleMerkle.ts";
export {
  encodeCommitmentProof,
  encodeExistenceProof,
  encodeNonExistenceProof,
  HashOp,
  LengthOp,
  PROOF_OP_IAVL,
  PROOF_OP_SIMPLE,
} from "./ics23.ts";
export type { CommitmentProof, ExistenceProof, InnerOp, LeafOp, NonExistenceProof, ProofOp } from "./ics23.ts";
