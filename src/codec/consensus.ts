/**
 * CometBFT consensus types (`tendermint.types`, CometBFT 0.38) and their protobuf forms: `BlockID`,
 * `PartSetHeader`, `Vote`, `Proposal`, `CommitSig`, `Commit`, `Header`, `DuplicateVoteEvidence`, and the
 * canonical sign bytes (`CanonicalVote`, `CanonicalProposal`, length-prefixed with a uvarint, as
 * `protoio.MarshalDelimited`).
 *
 * Field numbers are those of `proto/tendermint/types/{types,canonical,evidence}.proto`; the sign bytes
 * are checked against CometBFT's own vectors in `test/vectors/consensusSignBytes.test.ts`.
 * Quirks kept on purpose: proto3 omits zero values, so height 0 / round 0 are absent from the sign bytes
 * even though they are `sfixed64`; a nil vote (zero BlockID) has no `block_id` field at all in its
 * canonical form; the timestamp is non-nullable and therefore always written, even Go's zero time
 * (seconds −62135596800).
 */
import { compareBytes, concatBytes, utf8Encode } from "../primitives/bytes.ts";
import { CodecError } from "./errors.ts";
import { decodeFields, field, WIRE_FIXED64, WIRE_LEN, WIRE_VARINT, type FieldHandler } from "./protobuf.ts";

/** `SignedMsgType`. */
export const SignedMsgType = { Unknown: 0, Prevote: 1, Precommit: 2, Proposal: 32 } as const;
export type SignedMsgType = (typeof SignedMsgType)[keyof typeof SignedMsgType];
export type VoteType = typeof SignedMsgType.Prevote | typeof SignedMsgType.Precommit;

/** `BlockIDFlag` of a `CommitSig`. */
export const BlockIdFlag = { Unknown: 0, Absent: 1, Commit: 2, Nil: 3 } as const;
export type BlockIdFlag = (typeof BlockIdFlag)[keyof typeof BlockIdFlag];

/** `google.protobuf.Timestamp`. */
export interface Timestamp {
  readonly seconds: bigint;
  readonly nanos: number;
}

/** Go's zero `time.Time` (0001-01-01T00:00:00Z), what CometBFT signs for an unset timestamp. */
export const ZERO_TIME: Timestamp = { seconds: -62135596800n, nanos: 0 };

export interface PartSetHeader {
  readonly total: number;
  readonly hash: Uint8Array;
}

export interface BlockId {
  readonly hash: Uint8Array;
  readonly partSetHeader: PartSetHeader;
}

/** The zero BlockID: what a nil vote carries. */
export const NIL_BLOCK_ID: BlockId = { hash: new Uint8Array(0), partSetHeader: { total: 0, hash: new Uint8Array(0) } };

export interface Vote {
  readonly type: VoteType;
  readonly height: bigint;
  readonly round: number;
  /** The zero BlockID for a nil vote. */
  readonly blockId: BlockId;
  readonly timestamp: Timestamp;
  readonly validatorAddress: Uint8Array;
  readonly validatorIndex: number;
  readonly signature: Uint8Array;
}

export interface Proposal {
  readonly height: bigint;
  readonly round: number;
  /** −1 when the proposer has no proof of lock. */
  readonly polRound: number;
  readonly blockId: BlockId;
  readonly timestamp: Timestamp;
  readonly signature: Uint8Array;
}

export interface CommitSig {
  readonly blockIdFlag: BlockIdFlag;
  readonly validatorAddress: Uint8Array;
  readonly timestamp: Timestamp;
  readonly signature: Uint8Array;
}

export interface Commit {
  readonly height: bigint;
  readonly round: number;
  readonly blockId: BlockId;
  readonly signatures: readonly CommitSig[];
}

export interface ConsensusVersion {
  readonly block: bigint;
  readonly app: bigint;
}

export interface Header {
  readonly version: ConsensusVersion;
  readonly chainId: string;
  readonly height: bigint;
  readonly time: Timestamp;
  readonly lastBlockId: BlockId;
  readonly lastCommitHash: Uint8Array;
  readonly dataHash: Uint8Array;
  readonly validatorsHash: Uint8Array;
  readonly nextValidatorsHash: Uint8Array;
  readonly consensusHash: Uint8Array;
  readonly appHash: Uint8Array;
  readonly lastResultsHash: Uint8Array;
  readonly evidenceHash: Uint8Array;
  readonly proposerAddress: Uint8Array;
  /** Secret fork: field 15 `EncryptedRandom{1 random, 2 proof}`; absent when null. Not part of `headerHash` (unverified). */
  readonly encryptedRandom?: { readonly random: Uint8Array; readonly proof: Uint8Array } | null;
}

export interface DuplicateVoteEvidence {
  readonly voteA: Vote;
  readonly voteB: Vote;
  readonly totalVotingPower: bigint;
  readonly validatorPower: bigint;
  readonly timestamp: Timestamp;
}

// ---------------------------------------------------------------------------------------------------
// A writer for the wire types ProtoWriter lacks (sfixed64, negative int64/int32), same omission rules.

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;

function varintBytes(value: bigint): number[] {
  let v = value;
  const out: number[] = [];
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return out;
}

class Writer {
  private readonly parts: Uint8Array[] = [];

  private raw(bytes: Uint8Array | number[]): void {
    this.parts.push(bytes instanceof Uint8Array ? bytes : Uint8Array.from(bytes));
  }

  private key(fieldNumber: number, wire: number): void {
    this.raw(varintBytes(BigInt(fieldNumber * 8 + wire)));
  }

  /** int64 / int32 / enum / uint32 / uint64 as a varint; negative values as 10-byte two's complement. */
  int(fieldNumber: number, value: bigint | number): this {
    const v = BigInt(value);
    if (v === 0n) return this;
    if (v < INT64_MIN || v > (1n << 64n) - 1n) throw new CodecError("PROTO_FIELD_RANGE", "integer out of range");
    this.key(fieldNumber, WIRE_VARINT);
    this.raw(varintBytes(v < 0n ? v + (1n << 64n) : v));
    return this;
  }

  sfixed64(fieldNumber: number, value: bigint | number): this {
    const v = BigInt(value);
    if (v === 0n) return this;
    if (v < INT64_MIN || v > INT64_MAX) throw new CodecError("PROTO_FIELD_RANGE", "sfixed64 out of range");
    this.key(fieldNumber, WIRE_FIXED64);
    const out = new Uint8Array(8);
    new DataView(out.buffer).setBigInt64(0, v, true);
    this.raw(out);
    return this;
  }

  bytes(fieldNumber: number, value: Uint8Array, always = false): this {
    if (!always && value.length === 0) return this;
    this.key(fieldNumber, WIRE_LEN);
    this.raw(varintBytes(BigInt(value.length)));
    this.raw(value);
    return this;
  }

  string(fieldNumber: number, value: string): this {
    return this.bytes(fieldNumber, utf8Encode(value));
  }

  message(fieldNumber: number, encoded: Uint8Array): this {
    return this.bytes(fieldNumber, encoded, true);
  }

  finish(): Uint8Array {
    return concatBytes(...this.parts);
  }
}

/** A uvarint length prefix followed by the message (`protoio.MarshalDelimited`). */
export function lengthPrefixed(message: Uint8Array): Uint8Array {
  return concatBytes(Uint8Array.from(varintBytes(BigInt(message.length))), message);
}

// Decoding helpers for signed integers.

function toInt64(v: bigint): bigint {
  return v >= 1n << 63n ? v - (1n << 64n) : v;
}

function int64Field(set: (v: bigint) => void): FieldHandler {
  return { wire: WIRE_VARINT, read: (r) => set(toInt64(r.varint())) };
}

function int32Field(set: (v: number) => void): FieldHandler {
  return {
    wire: WIRE_VARINT,
    read: (r) => {
      const v = toInt64(r.varint());
      if (v < -(1n << 31n) || v >= 1n << 31n) throw new CodecError("PROTO_FIELD_RANGE", "int32 out of range");
      set(Number(v));
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// Timestamp, PartSetHeader, BlockID

export function encodeTimestamp(t: Timestamp): Uint8Array {
  return new Writer().int(1, t.seconds).int(2, t.nanos).finish();
}

export function decodeTimestamp(bytes: Uint8Array): Timestamp {
  let seconds = 0n;
  let nanos = 0;
  decodeFields(bytes, "Timestamp", { 1: int64Field((v) => (seconds = v)), 2: int32Field((v) => (nanos = v)) });
  if (nanos < 0 || nanos > 999_999_999) throw new CodecError("CODEC_INVALID_VALUE", "Timestamp.nanos out of range");
  return { seconds, nanos };
}

export function encodePartSetHeader(p: PartSetHeader): Uint8Array {
  return new Writer().int(1, p.total).bytes(2, p.hash).finish();
}

export function decodePartSetHeader(bytes: Uint8Array): PartSetHeader {
  let total = 0;
  let hash: Uint8Array = new Uint8Array(0);
  decodeFields(bytes, "PartSetHeader", { 1: field.uint32((v) => (total = v)), 2: field.bytes((v) => (hash = v)) });
  return { total, hash: hash.slice() };
}

export function encodeBlockId(id: BlockId): Uint8Array {
  return new Writer().bytes(1, id.hash).message(2, encodePartSetHeader(id.partSetHeader)).finish();
}

export function decodeBlockId(bytes: Uint8Array): BlockId {
  let hash: Uint8Array = new Uint8Array(0);
  let partSetHeader: PartSetHeader = NIL_BLOCK_ID.partSetHeader;
  decodeFields(bytes, "BlockID", {
    1: field.bytes((v) => (hash = v.slice())),
    2: field.message(decodePartSetHeader, (v) => (partSetHeader = v)),
  });
  return { hash, partSetHeader };
}

/** True for the zero BlockID (a nil vote). */
export function isNilBlockId(id: BlockId): boolean {
  return id.hash.length === 0 && id.partSetHeader.total === 0 && id.partSetHeader.hash.length === 0;
}

export function blockIdsEqual(a: BlockId, b: BlockId): boolean {
  return (
    compareBytes(a.hash, b.hash) === 0 &&
    a.partSetHeader.total === b.partSetHeader.total &&
    compareBytes(a.partSetHeader.hash, b.partSetHeader.hash) === 0
  );
}

/** `BlockID.Key()`: hash ‖ PartSetHeader proto bytes (used to order DuplicateVoteEvidence). */
export function blockIdKeyBytes(id: BlockId): Uint8Array {
  return concatBytes(id.hash, encodePartSetHeader(id.partSetHeader));
}

function encodeCanonicalBlockId(id: BlockId): Uint8Array {
  const psh = new Writer().int(1, id.partSetHeader.total).bytes(2, id.partSetHeader.hash).finish();
  return new Writer().bytes(1, id.hash).message(2, psh).finish();
}

// ---------------------------------------------------------------------------------------------------
// Sign bytes

/** `VoteSignBytes(chainID, vote)`: length-prefixed `CanonicalVote` {1 type, 2 sfixed64 height, 3 sfixed64 round, 4 block_id (absent if nil), 5 timestamp, 6 chain_id}. */
export function voteSignBytes(
  chainId: string,
  vote: Pick<Vote, "type" | "height" | "round" | "blockId" | "timestamp">,
): Uint8Array {
  const w = new Writer().int(1, vote.type).sfixed64(2, vote.height).sfixed64(3, vote.round);
  if (!isNilBlockId(vote.blockId)) w.message(4, encodeCanonicalBlockId(vote.blockId));
  w.message(5, encodeTimestamp(vote.timestamp)).string(6, chainId);
  return lengthPrefixed(w.finish());
}

/** `ProposalSignBytes(chainID, p)`: length-prefixed `CanonicalProposal` {1 type = 32, 2 height, 3 round (sfixed64), 4 pol_round (int64), 5 block_id, 6 timestamp, 7 chain_id}. */
export function proposalSignBytes(chainId: string, p: Omit<Proposal, "signature">): Uint8Array {
  const w = new Writer().int(1, SignedMsgType.Proposal).sfixed64(2, p.height).sfixed64(3, p.round).int(4, p.polRound);
  if (!isNilBlockId(p.blockId)) w.message(5, encodeCanonicalBlockId(p.blockId));
  w.message(6, encodeTimestamp(p.timestamp)).string(7, chainId);
  return lengthPrefixed(w.finish());
}

// ---------------------------------------------------------------------------------------------------
// Vote, Proposal, Commit, Header, evidence (wire forms)

/** `tendermint.types.Vote` (extension fields 9 and 10 are not produced; they are refused on decode). */
export function encodeVote(v: Vote): Uint8Array {
  return new Writer()
    .int(1, v.type)
    .int(2, v.height)
    .int(3, v.round)
    .message(4, encodeBlockId(v.blockId))
    .message(5, encodeTimestamp(v.timestamp))
    .bytes(6, v.validatorAddress)
    .int(7, v.validatorIndex)
    .bytes(8, v.signature)
    .finish();
}

export function decodeVote(bytes: Uint8Array): Vote {
  let type = 0;
  let height = 0n;
  let round = 0;
  let blockId = NIL_BLOCK_ID;
  let timestamp: Timestamp = { seconds: 0n, nanos: 0 };
  let validatorAddress: Uint8Array = new Uint8Array(0);
  let validatorIndex = 0;
  let signature: Uint8Array = new Uint8Array(0);
  decodeFields(bytes, "Vote", {
    1: field.enumeration((v) => (type = v)),
    2: int64Field((v) => (height = v)),
    3: int32Field((v) => (round = v)),
    4: field.message(decodeBlockId, (v) => (blockId = v)),
    5: field.message(decodeTimestamp, (v) => (timestamp = v)),
    6: field.bytes((v) => (validatorAddress = v.slice())),
    7: int32Field((v) => (validatorIndex = v)),
    8: field.bytes((v) => (signature = v.slice())),
  });
  if (type !== SignedMsgType.Prevote && type !== SignedMsgType.Precommit) {
    throw new CodecError("CODEC_INVALID_VALUE", `Vote.type ${type} is not prevote or precommit`);
  }
  if (height < 0n || round < 0 || validatorIndex < 0)
    throw new CodecError("CODEC_INVALID_VALUE", "Vote: negative field");
  return { type, height, round, blockId, timestamp, validatorAddress, validatorIndex, signature };
}

export function encodeProposal(p: Proposal): Uint8Array {
  return new Writer()
    .int(1, SignedMsgType.Proposal)
    .int(2, p.height)
    .int(3, p.round)
    .int(4, p.polRound)
    .message(5, encodeBlockId(p.blockId))
    .message(6, encodeTimestamp(p.timestamp))
    .bytes(7, p.signature)
    .finish();
}

export function decodeProposal(bytes: Uint8Array): Proposal {
  let type = 0;
  let height = 0n;
  let round = 0;
  let polRound = 0;
  let blockId = NIL_BLOCK_ID;
  let timestamp: Timestamp = { seconds: 0n, nanos: 0 };
  let signature: Uint8Array = new Uint8Array(0);
  decodeFields(bytes, "Proposal", {
    1: field.enumeration((v) => (type = v)),
    2: int64Field((v) => (height = v)),
    3: int32Field((v) => (round = v)),
    4: int32Field((v) => (polRound = v)),
    5: field.message(decodeBlockId, (v) => (blockId = v)),
    6: field.message(decodeTimestamp, (v) => (timestamp = v)),
    7: field.bytes((v) => (signature = v.slice())),
  });
  if (type !== SignedMsgType.Proposal) throw new CodecError("CODEC_INVALID_VALUE", `Proposal.type ${type} is not 32`);
  if (height < 0n || round < 0 || polRound < -1)
    throw new CodecError("CODEC_INVALID_VALUE", "Proposal: negative field");
  return { height, round, polRound, blockId, timestamp, signature };
}

export function encodeCommitSig(s: CommitSig): Uint8Array {
  return new Writer()
    .int(1, s.blockIdFlag)
    .bytes(2, s.validatorAddress)
    .message(3, encodeTimestamp(s.timestamp))
    .bytes(4, s.signature)
    .finish();
}

export function encodeCommit(c: Commit): Uint8Array {
  const w = new Writer().int(1, c.height).int(2, c.round).message(3, encodeBlockId(c.blockId));
  for (const s of c.signatures) w.message(4, encodeCommitSig(s));
  return w.finish();
}

export function encodeHeader(h: Header): Uint8Array {
  const version = new Writer().int(1, h.version.block).int(2, h.version.app).finish();
  const w = new Writer()
    .message(1, version)
    .string(2, h.chainId)
    .int(3, h.height)
    .message(4, encodeTimestamp(h.time))
    .message(5, encodeBlockId(h.lastBlockId))
    .bytes(6, h.lastCommitHash)
    .bytes(7, h.dataHash)
    .bytes(8, h.validatorsHash)
    .bytes(9, h.nextValidatorsHash)
    .bytes(10, h.consensusHash)
    .bytes(11, h.appHash)
    .bytes(12, h.lastResultsHash)
    .bytes(13, h.evidenceHash)
    .bytes(14, h.proposerAddress);
  const er = h.encryptedRandom;
  if (er !== undefined && er !== null) w.message(15, new Writer().bytes(1, er.random).bytes(2, er.proof).finish());
  return w.finish();
}

/** `tendermint.types.DuplicateVoteEvidence` {1 vote_a, 2 vote_b, 3 total_voting_power, 4 validator_power, 5 timestamp}. */
export function encodeDuplicateVoteEvidence(e: DuplicateVoteEvidence): Uint8Array {
  return new Writer()
    .message(1, encodeVote(e.voteA))
    .message(2, encodeVote(e.voteB))
    .int(3, e.totalVotingPower)
    .int(4, e.validatorPower)
    .message(5, encodeTimestamp(e.timestamp))
    .finish();
}

/** Primitive wrappers as CometBFT's `cdcEncode` writes them for the header hash (gogotypes *Value, field 1). */
export const cdcEncode = {
  string: (v: string): Uint8Array => new Writer().string(1, v).finish(),
  int64: (v: bigint): Uint8Array => new Writer().int(1, v).finish(),
  bytes: (v: Uint8Array): Uint8Array => new Writer().bytes(1, v).finish(),
  version: (v: ConsensusVersion): Uint8Array => new Writer().int(1, v.block).int(2, v.app).finish(),
} as const;

/** `SimpleValidator{1 pub_key: PublicKey{1 ed25519}, 2 voting_power}`: the leaf of the validators hash. */
export function encodeSimpleValidatorEd25519(pubKey: Uint8Array, votingPower: bigint): Uint8Array {
  const pk = new Writer().bytes(1, pubKey).finish();
  return new Writer().message(1, pk).int(2, votingPower).finish();
}

/** The fields of an `ExecTxResult` (`ResponseDeliverTx`) that CometBFT hashes into `LastResultsHash`. */
export interface DeterministicTxResult {
  readonly code: number;
  readonly data: Uint8Array;
  readonly gasWanted: bigint;
  readonly gasUsed: bigint;
}

/** `deterministicExecTxResult` bytes: `ExecTxResult{1 code, 2 data, 5 gas_wanted, 6 gas_used}` (log, info, events, codespace dropped). */
export function encodeDeterministicTxResult(r: DeterministicTxResult): Uint8Array {
  return new Writer().int(1, r.code).bytes(2, r.data).int(5, r.gasWanted).int(6, r.gasUsed).finish();
}
