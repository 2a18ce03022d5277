/**
 * Blocks as consensus carries them: CometBFT's `tendermint.types.Block` protobuf {1 header, 2 data{1
 * repeated txs}, 3 evidence{1 repeated Evidence{1 duplicate_vote_evidence}}, 4 last_commit}, and the
 * header fields the node computes (data hash, last results hash, consensus params hash, block id).
 *
 * Decoders treat every byte as untrusted (a block may come from a peer): unknown fields, negative
 * heights and malformed nested messages are `CodecError`s.
 */
import {
  decodeBlockId,
  decodeTimestamp,
  decodeVote,
  encodeBlockId,
  encodeCommit,
  encodeDuplicateVoteEvidence,
  encodeHeader,
  NIL_BLOCK_ID,
  type BlockId,
  type BlockIdFlag,
  type Commit,
  type CommitSig,
  type DuplicateVoteEvidence,
  type Header,
  type Timestamp,
  type Vote,
} from "../codec/consensus.ts";
import { CodecError } from "../codec/errors.ts";
import { decodeFields, field, ProtoWriter } from "../codec/protobuf.ts";
import { headerHash } from "../consensus/index.ts";
import { sha256 } from "../crypto/index.ts";

export interface Block {
  readonly header: Header;
  readonly txs: readonly Uint8Array[];
  readonly evidence: readonly DuplicateVoteEvidence[];
  readonly lastCommit: Commit;
}

/** CometBFT's block protocol version (0.38). */
export const BLOCK_PROTOCOL = 11n;

const INT64_MAX = (1n << 63n) - 1n;

function int64(what: string, set: (v: bigint) => void) {
  return field.uint64((v) => {
    if (v > INT64_MAX) throw new CodecError("CODEC_INVALID_VALUE", `${what} is negative`);
    set(v);
  });
}

function int32(what: string, set: (v: number) => void) {
  return field.uint64((v) => {
    if (v > 0x7fffffffn) throw new CodecError("CODEC_INVALID_VALUE", `${what} out of range`);
    set(Number(v));
  });
}

export function encodeBlock(b: Block): Uint8Array {
  const data = new ProtoWriter();
  for (const tx of b.txs) data.bytes(1, tx, true);
  const evidence = new ProtoWriter();
  for (const e of b.evidence)
    evidence.message(1, new ProtoWriter().message(1, encodeDuplicateVoteEvidence(e)).finish());
  return new ProtoWriter()
    .message(1, encodeHeader(b.header))
    .message(2, data.finish())
    .message(3, evidence.finish())
    .message(4, encodeCommit(b.lastCommit))
    .finish();
}

export function decodeHeader(bytes: Uint8Array): Header {
  let version = { block: 0n, app: 0n };
  let chainId = "";
  let height = 0n;
  let time: Timestamp = { seconds: 0n, nanos: 0 };
  let lastBlockId: BlockId = NIL_BLOCK_ID;
  const h: Record<string, Uint8Array> = {};
  const b = (name: string) => field.bytes((v) => (h[name] = v.slice()));
  let encryptedRandom: { random: Uint8Array; proof: Uint8Array } | null = null;
  decodeFields(bytes, "Header", {
    1: field.message(
      (vb) => {
        const v = { block: 0n, app: 0n };
        decodeFields(vb, "Consensus", { 1: field.uint64((x) => (v.block = x)), 2: field.uint64((x) => (v.app = x)) });
        return v;
      },
      (v) => (version = v),
    ),
    2: field.string((v) => (chainId = v)),
    3: int64("Header.height", (v) => (height = v)),
    4: field.message(decodeTimestamp, (v) => (time = v)),
    5: field.message(decodeBlockId, (v) => (lastBlockId = v)),
    6: b("lastCommitHash"),
    7: b("dataHash"),
    8: b("validatorsHash"),
    9: b("nextValidatorsHash"),
    10: b("consensusHash"),
    11: b("appHash"),
    12: b("lastResultsHash"),
    13: b("evidenceHash"),
    14: b("proposerAddress"),
    15: field.message(
      (eb) => {
        const er = { random: new Uint8Array(0), proof: new Uint8Array(0) };
        decodeFields(eb, "EncryptedRandom", {
          1: field.bytes((x) => (er.random = x.slice())),
          2: field.bytes((x) => (er.proof = x.slice())),
        });
        return er;
      },
      (v) => (encryptedRandom = v),
    ),
  });
  const get = (name: string): Uint8Array => h[name] ?? new Uint8Array(0);
  return {
    version,
    chainId,
    height,
    time,
    lastBlockId,
    lastCommitHash: get("lastCommitHash"),
    dataHash: get("dataHash"),
    validatorsHash: get("validatorsHash"),
    nextValidatorsHash: get("nextValidatorsHash"),
    consensusHash: get("consensusHash"),
    appHash: get("appHash"),
    lastResultsHash: get("lastResultsHash"),
    evidenceHash: get("evidenceHash"),
    proposerAddress: get("proposerAddress"),
    ...(encryptedRandom === null ? {} : { encryptedRandom }),
  };
}

function decodeCommitSig(bytes: Uint8Array): CommitSig {
  let blockIdFlag = 0;
  let validatorAddress: Uint8Array = new Uint8Array(0);
  let timestamp: Timestamp = { seconds: 0n, nanos: 0 };
  let signature: Uint8Array = new Uint8Array(0);
  decodeFields(bytes, "CommitSig", {
    1: field.enumeration((v) => (blockIdFlag = v)),
    2: field.bytes((v) => (validatorAddress = v.slice())),
    3: field.message(decodeTimestamp, (v) => (timestamp = v)),
    4: field.bytes((v) => (signature = v.slice())),
  });
  if (blockIdFlag < 1 || blockIdFlag > 3) throw new CodecError("CODEC_INVALID_VALUE", "CommitSig.block_id_flag");
  return { blockIdFlag: blockIdFlag as BlockIdFlag, validatorAddress, timestamp, signature };
}

export function decodeCommit(bytes: Uint8Array): Commit {
  let height = 0n;
  let round = 0;
  let blockId: BlockId = NIL_BLOCK_ID;
  const signatures: CommitSig[] = [];
  decodeFields(bytes, "Commit", {
    1: int64("Commit.height", (v) => (height = v)),
    2: int32("Commit.round", (v) => (round = v)),
    3: field.message(decodeBlockId, (v) => (blockId = v)),
    4: field.message(decodeCommitSig, (v) => signatures.push(v)),
  });
  return { height, round, blockId, signatures };
}

function decodeDuplicateVoteEvidence(bytes: Uint8Array): DuplicateVoteEvidence {
  let voteA: Vote | undefined;
  let voteB: Vote | undefined;
  let totalVotingPower = 0n;
  let validatorPower = 0n;
  let timestamp: Timestamp = { seconds: 0n, nanos: 0 };
  decodeFields(bytes, "DuplicateVoteEvidence", {
    1: field.message(decodeVote, (v) => (voteA = v)),
    2: field.message(decodeVote, (v) => (voteB = v)),
    3: int64("total_voting_power", (v) => (totalVotingPower = v)),
    4: int64("validator_power", (v) => (validatorPower = v)),
    5: field.message(decodeTimestamp, (v) => (timestamp = v)),
  });
  if (voteA === undefined || voteB === undefined) {
    throw new CodecError("CODEC_INVALID_VALUE", "DuplicateVoteEvidence needs both votes");
  }
  return { voteA, voteB, totalVotingPower, validatorPower, timestamp };
}

export function decodeBlock(bytes: Uint8Array): Block {
  let header: Header | undefined;
  const txs: Uint8Array[] = [];
  const evidence: DuplicateVoteEvidence[] = [];
  let lastCommit: Commit | undefined;
  decodeFields(bytes, "Block", {
    1: field.message(decodeHeader, (v) => (header = v)),
    2: field.message(
      (d) => decodeFields(d, "Data", { 1: field.bytes((tx) => txs.push(tx.slice())) }),
      () => {},
    ),
    3: field.message(
      (d) =>
        decodeFields(d, "EvidenceList", {
          1: field.message(
            (e) =>
              decodeFields(e, "Evidence", {
                1: field.message(decodeDuplicateVoteEvidence, (v) => evidence.push(v)),
              }),
            () => {},
          ),
        }),
      () => {},
    ),
    4: field.message(decodeCommit, (v) => (lastCommit = v)),
  });
  if (header === undefined) throw new CodecError("CODEC_INVALID_VALUE", "Block has no header");
  return { header, txs, evidence, lastCommit: lastCommit ?? emptyCommit() };
}

/** The last commit of the initial block: nothing signed. */
export function emptyCommit(): Commit {
  return { height: 0n, round: 0, blockId: NIL_BLOCK_ID, signatures: [] };
}

/**
 * `Txs.Hash()` (the header's `data_hash`) and `LastResultsHash` (the Merkle root of the deterministic
 * tx result fields): the consensus layer's definitions, which block validation checks against.
 */
export { txsHash as dataHash, txResultsHash as resultsHash } from "../consensus/index.ts";

export interface ConsensusParams {
  readonly maxBlockBytes: number;
  /** −1: no bound. */
  readonly maxBlockGas: bigint;
}

/** `HashedParams{1 block_max_bytes, 2 block_max_gas}` hashed with SHA-256 (CometBFT `ConsensusParams.Hash`). */
export function consensusParamsHash(p: ConsensusParams): Uint8Array {
  const gas = p.maxBlockGas < 0n ? (1n << 64n) + p.maxBlockGas : p.maxBlockGas;
  return sha256(new ProtoWriter().uint(1, p.maxBlockBytes).uint(2, gas).finish());
}

/** The block id consensus votes on: the header hash and a one-part part set over the block bytes. */
export function blockIdOf(header: Header, blockBytes: Uint8Array): BlockId {
  return { hash: headerHash(header), partSetHeader: { total: 1, hash: sha256(blockBytes) } };
}

export { encodeBlockId };
