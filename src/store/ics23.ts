/**
 * ICS-23 commitment proofs (cosmos/ics23 `proofs.proto`), the messages this node emits in
 * `abci_query` proof ops, and the two specs it produces proofs for:
 * - `ics23:iavl`: a key in a module store's IAVL tree (cosmos/iavl `proof_ics23.go`);
 * - `ics23:simple`: a store's root in the app hash (Tendermint simple Merkle map, cosmos-sdk
 *   `store/internal/proofs`).
 */
import { ProtoWriter } from "../codec/protobuf.ts";

/** ics23.HashOp */
export const HashOp = Object.freeze({ NO_HASH: 0, SHA256: 1 });
/** ics23.LengthOp */
export const LengthOp = Object.freeze({ NO_PREFIX: 0, VAR_PROTO: 1 });

export interface LeafOp {
  readonly hash: number;
  readonly prehashKey: number;
  readonly prehashValue: number;
  readonly length: number;
  readonly prefix: Uint8Array;
}

export interface InnerOp {
  readonly hash: number;
  readonly prefix: Uint8Array;
  readonly suffix: Uint8Array;
}

/** A key and value with the ops from the leaf up to the root (`path[0]` is next to the leaf). */
export interface ExistenceProof {
  readonly key: Uint8Array;
  readonly value: Uint8Array;
  readonly leaf: LeafOp;
  readonly path: readonly InnerOp[];
}

/** Proof that `key` is absent: existence proofs of its neighbours (either may be absent at an edge). */
export interface NonExistenceProof {
  readonly key: Uint8Array;
  readonly left: ExistenceProof | undefined;
  readonly right: ExistenceProof | undefined;
}

export type CommitmentProof =
  | { readonly exist: ExistenceProof; readonly nonexist?: undefined }
  | { readonly nonexist: NonExistenceProof; readonly exist?: undefined };

/** The ProofOp type names upstream uses in `abci_query` responses. */
export const PROOF_OP_IAVL = "ics23:iavl";
export const PROOF_OP_SIMPLE = "ics23:simple";

/** One op of a Tendermint `ProofOps` (`crypto.ProofOp{type, key, data}`). */
export interface ProofOp {
  readonly type: string;
  readonly key: Uint8Array;
  readonly data: Uint8Array;
}

// LeafOp {1 hash, 2 prehash_key, 3 prehash_value, 4 length, 5 prefix}
export function encodeLeafOp(op: LeafOp): Uint8Array {
  return new ProtoWriter()
    .uint(1, op.hash)
    .uint(2, op.prehashKey)
    .uint(3, op.prehashValue)
    .uint(4, op.length)
    .bytes(5, op.prefix)
    .finish();
}

// InnerOp {1 hash, 2 prefix, 3 suffix}
export function encodeInnerOp(op: InnerOp): Uint8Array {
  return new ProtoWriter().uint(1, op.hash).bytes(2, op.prefix).bytes(3, op.suffix).finish();
}

// ExistenceProof {1 key, 2 value, 3 leaf, 4 repeated path}
export function encodeExistenceProof(proof: ExistenceProof): Uint8Array {
  const w = new ProtoWriter().bytes(1, proof.key).bytes(2, proof.value).message(3, encodeLeafOp(proof.leaf));
  for (const op of proof.path) w.message(4, encodeInnerOp(op));
  return w.finish();
}

// NonExistenceProof {1 key, 2 left, 3 right}
export function encodeNonExistenceProof(proof: NonExistenceProof): Uint8Array {
  const w = new ProtoWriter().bytes(1, proof.key);
  if (proof.left !== undefined) w.message(2, encodeExistenceProof(proof.left));
  if (proof.right !== undefined) w.message(3, encodeExistenceProof(proof.right));
  return w.finish();
}

// CommitmentProof {oneof: 1 exist, 2 nonexist, 3 batch, 4 compressed}
export function encodeCommitmentProof(proof: CommitmentProof): Uint8Array {
  const w = new ProtoWriter();
  if (proof.exist !== undefined) w.message(1, encodeExistenceProof(proof.exist));
  else w.message(2, encodeNonExistenceProof(proof.nonexist));
  return w.finish();
}
