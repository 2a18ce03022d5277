/**
 * Block header and commit hashes as CometBFT computes them (`types/block.go`): the header hash is the
 * Merkle root of its fields, each encoded alone (the version and time and last block id as their own
 * messages, every other field wrapped by `cdcEncode`); the commit hash is the Merkle root of its
 * `CommitSig`s' protobuf bytes.
 */
import {
  cdcEncode,
  encodeBlockId,
  encodeCommitSig,
  encodeTimestamp,
  type Commit,
  type Header,
} from "../codec/consensus.ts";
import { merkleRoot } from "../crypto/index.ts";

export function headerHash(h: Header): Uint8Array {
  return merkleRoot([
    cdcEncode.version(h.version),
    cdcEncode.string(h.chainId),
    cdcEncode.int64(h.height),
    encodeTimestamp(h.time),
    encodeBlockId(h.lastBlockId),
    cdcEncode.bytes(h.lastCommitHash),
    cdcEncode.bytes(h.dataHash),
    cdcEncode.bytes(h.validatorsHash),
    cdcEncode.bytes(h.nextValidatorsHash),
    cdcEncode.bytes(h.consensusHash),
    cdcEncode.bytes(h.appHash),
    cdcEncode.bytes(h.lastResultsHash),
    cdcEncode.bytes(h.evidenceHash),
    cdcEncode.bytes(h.proposerAddress),
  ]);
}

export function commitHash(c: Commit): Uint8Array {
  return merkleRoot(c.signatures.map(encodeCommitSig));
}
