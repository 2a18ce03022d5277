/**
 * The node's own peer-to-peer messages (package `scrt.p2p.v1`), carried over libp2p: the handshake's
 * `NodeInfo`, the gossip envelopes of the consensus and evidence channels, and the block-sync
 * request/response frames. Consensus payloads reuse CometBFT's `tendermint.types` encodings
 * (`Vote`, `Proposal`, `DuplicateVoteEvidence`); the envelopes around them are ours (the transport is
 * libp2p, not CometBFT's MConnection, so there is no wire compatibility to keep).
 *
 * Every decoder is strict: unknown fields are refused, a oneof must carry exactly one member, and values
 * are range-checked. A failure is a `CodecError`.
 */
import { CodecError } from "./errors.ts";
import { decodeFields, field, ProtoWriter } from "./protobuf.ts";
import {
  decodeProposal,
  decodeTimestamp,
  decodeVote,
  encodeDuplicateVoteEvidence,
  encodeProposal,
  encodeVote,
  type DuplicateVoteEvidence,
  type Proposal,
  type Timestamp,
  type Vote,
} from "./consensus.ts";

const INT64_MAX = (1n << 63n) - 1n;

// ---------------------------------------------------------------------------------------------------
// Handshake

/** `NodeInfo {1 protocol_version uint32, 2 chain_id, 3 genesis_hash, 4 node_id (40 hex), 5 moniker}`. */
export interface NodeInfo {
  readonly protocolVersion: number;
  readonly chainId: string;
  readonly genesisHash: Uint8Array;
  /** hex(sha256(ed25519 public key)[0..20]), lowercase: CometBFT's node id. */
  readonly nodeId: string;
  readonly moniker: string;
}

export function encodeNodeInfo(info: NodeInfo): Uint8Array {
  return new ProtoWriter()
    .uint(1, info.protocolVersion)
    .string(2, info.chainId)
    .bytes(3, info.genesisHash)
    .string(4, info.nodeId)
    .string(5, info.moniker)
    .finish();
}

export function decodeNodeInfo(bytes: Uint8Array): NodeInfo {
  let protocolVersion = 0;
  let chainId = "";
  let genesisHash: Uint8Array = new Uint8Array(0);
  let nodeId = "";
  let moniker = "";
  decodeFields(bytes, "NodeInfo", {
    1: field.uint32((v) => (protocolVersion = v)),
    2: field.string((v) => (chainId = v)),
    3: field.bytes((v) => (genesisHash = v.slice())),
    4: field.string((v) => (nodeId = v)),
    5: field.string((v) => (moniker = v)),
  });
  if (chainId.length === 0 || chainId.length > 50) {
    throw new CodecError("CODEC_INVALID_VALUE", "NodeInfo.chain_id must be 1..50 characters");
  }
  if (!/^[0-9a-f]{40}$/.test(nodeId))
    throw new CodecError("CODEC_INVALID_VALUE", "NodeInfo.node_id is not 40 hex digits");
  if (genesisHash.length > 64) throw new CodecError("CODEC_INVALID_VALUE", "NodeInfo.genesis_hash is too long");
  if (moniker.length > 128) throw new CodecError("CODEC_INVALID_VALUE", "NodeInfo.moniker is too long");
  return { protocolVersion, chainId, genesisHash, nodeId, moniker };
}

// ---------------------------------------------------------------------------------------------------
// Gossip: consensus and evidence channels

/** One message of the consensus channel: a proposal with its whole block, or a vote. */
export type ConsensusMessage =
  | { readonly type: "proposal"; readonly proposal: Proposal; readonly block: Uint8Array }
  | { readonly type: "vote"; readonly vote: Vote };

/** `ConsensusMessage {oneof: 1 ProposalWithBlock {1 tendermint.types.Proposal, 2 bytes block}, 2 tendermint.types.Vote}`. */
export function encodeConsensusMessage(msg: ConsensusMessage): Uint8Array {
  if (msg.type === "proposal") {
    const inner = new ProtoWriter().message(1, encodeProposal(msg.proposal)).bytes(2, msg.block).finish();
    return new ProtoWriter().message(1, inner).finish();
  }
  return new ProtoWriter().message(2, encodeVote(msg.vote)).finish();
}

function decodeProposalWithBlock(bytes: Uint8Array): { proposal: Proposal; block: Uint8Array } {
  let proposal: Proposal | undefined;
  let block: Uint8Array = new Uint8Array(0);
  decodeFields(bytes, "ProposalWithBlock", {
    1: field.message(decodeProposal, (v) => (proposal = v)),
    2: field.bytes((v) => (block = v.slice())),
  });
  if (proposal === undefined) throw new CodecError("CODEC_INVALID_VALUE", "ProposalWithBlock.proposal is missing");
  return { proposal, block };
}

export function decodeConsensusMessage(bytes: Uint8Array): ConsensusMessage {
  const found: ConsensusMessage[] = [];
  decodeFields(bytes, "ConsensusMessage", {
    1: field.message(decodeProposalWithBlock, (v) => found.push({ type: "proposal", ...v })),
    2: field.message(decodeVote, (vote) => found.push({ type: "vote", vote })),
  });
  if (found.length !== 1) {
    throw new CodecError("CODEC_INVALID_VALUE", `ConsensusMessage must carry exactly one message, got ${found.length}`);
  }
  return found[0]!;
}

/** `tendermint.types.Evidence {oneof: 1 DuplicateVoteEvidence}` (light-client attacks are not gossiped). */
export function encodeEvidenceMessage(evidence: DuplicateVoteEvidence): Uint8Array {
  return new ProtoWriter().message(1, encodeDuplicateVoteEvidence(evidence)).finish();
}

function int64NonNegative(what: string, set: (v: bigint) => void): ReturnType<typeof field.uint64> {
  return field.uint64((v) => {
    if (v > INT64_MAX) throw new CodecError("CODEC_INVALID_VALUE", `${what} is negative or out of range`);
    set(v);
  });
}

/** `tendermint.types.DuplicateVoteEvidence {1 vote_a, 2 vote_b, 3 total_voting_power, 4 validator_power, 5 timestamp}`. */
export function decodeDuplicateVoteEvidence(bytes: Uint8Array): DuplicateVoteEvidence {
  let voteA: Vote | undefined;
  let voteB: Vote | undefined;
  let totalVotingPower = 0n;
  let validatorPower = 0n;
  let timestamp: Timestamp | undefined;
  decodeFields(bytes, "DuplicateVoteEvidence", {
    1: field.message(decodeVote, (v) => (voteA = v)),
    2: field.message(decodeVote, (v) => (voteB = v)),
    3: int64NonNegative("total_voting_power", (v) => (totalVotingPower = v)),
    4: int64NonNegative("validator_power", (v) => (validatorPower = v)),
    5: field.message(decodeTimestamp, (v) => (timestamp = v)),
  });
  if (voteA === undefined || voteB === undefined || timestamp === undefined) {
    throw new CodecError("CODEC_INVALID_VALUE", "DuplicateVoteEvidence: vote_a, vote_b and timestamp are required");
  }
  return { voteA, voteB, totalVotingPower, validatorPower, timestamp };
}

export function decodeEvidenceMessage(bytes: Uint8Array): DuplicateVoteEvidence {
  let evidence: DuplicateVoteEvidence | undefined;
  let count = 0;
  decodeFields(bytes, "Evidence", {
    1: field.message(decodeDuplicateVoteEvidence, (v) => {
      evidence = v;
      count++;
    }),
  });
  if (evidence === undefined || count !== 1) {
    throw new CodecError("CODEC_INVALID_VALUE", "Evidence must carry exactly one DuplicateVoteEvidence");
  }
  return evidence;
}

// ---------------------------------------------------------------------------------------------------
// Block sync (request/response)

export type SyncRequest =
  { readonly type: "status" } | { readonly type: "getBlocks"; readonly from: bigint; readonly count: number };

export type SyncResponse =
  | { readonly type: "status"; readonly base: bigint; readonly latest: bigint }
  | { readonly type: "block"; readonly height: bigint; readonly block: Uint8Array }
  | { readonly type: "error"; readonly code: string; readonly message: string };

/** `SyncRequest {oneof: 1 StatusRequest {}, 2 BlocksRequest {1 from_height uint64, 2 count uint32}}`. */
export function encodeSyncRequest(req: SyncRequest): Uint8Array {
  if (req.type === "status") return new ProtoWriter().message(1, new Uint8Array(0)).finish();
  const inner = new ProtoWriter().uint(1, req.from).uint(2, req.count).finish();
  return new ProtoWriter().message(2, inner).finish();
}

function decodeEmpty(bytes: Uint8Array): true {
  decodeFields(bytes, "StatusRequest", {});
  return true;
}

function decodeBlocksRequest(bytes: Uint8Array): { from: bigint; count: number } {
  let from = 0n;
  let count = 0;
  decodeFields(bytes, "BlocksRequest", {
    1: int64NonNegative("from_height", (v) => (from = v)),
    2: field.uint32((v) => (count = v)),
  });
  if (from < 1n) throw new CodecError("CODEC_INVALID_VALUE", "BlocksRequest.from_height must be at least 1");
  if (count < 1) throw new CodecError("CODEC_INVALID_VALUE", "BlocksRequest.count must be at least 1");
  return { from, count };
}

export function decodeSyncRequest(bytes: Uint8Array): SyncRequest {
  const found: SyncRequest[] = [];
  decodeFields(bytes, "SyncRequest", {
    1: field.message(decodeEmpty, () => found.push({ type: "status" })),
    2: field.message(decodeBlocksRequest, (v) => found.push({ type: "getBlocks", ...v })),
  });
  if (found.length !== 1) throw new CodecError("CODEC_INVALID_VALUE", "SyncRequest must carry exactly one request");
  return found[0]!;
}

/**
 * `SyncResponse {oneof: 1 StatusResponse {1 base uint64, 2 latest uint64}, 2 BlockResponse {1 height
 * uint64, 2 bytes block}, 3 ErrorResponse {1 code, 2 message}}`.
 */
export function encodeSyncResponse(res: SyncResponse): Uint8Array {
  const w = new ProtoWriter();
  if (res.type === "status")
    return w.message(1, new ProtoWriter().uint(1, res.base).uint(2, res.latest).finish()).finish();
  if (res.type === "block") {
    return w.message(2, new ProtoWriter().uint(1, res.height).bytes(2, res.block).finish()).finish();
  }
  return w.message(3, new ProtoWriter().string(1, res.code).string(2, res.message).finish()).finish();
}

function decodeStatusResponse(bytes: Uint8Array): { base: bigint; latest: bigint } {
  let base = 0n;
  let latest = 0n;
  decodeFields(bytes, "StatusResponse", {
    1: int64NonNegative("base", (v) => (base = v)),
    2: int64NonNegative("latest", (v) => (latest = v)),
  });
  if (base > latest) throw new CodecError("CODEC_INVALID_VALUE", "StatusResponse.base is above latest");
  return { base, latest };
}

function decodeBlockResponse(bytes: Uint8Array): { height: bigint; block: Uint8Array } {
  let height = 0n;
  let block: Uint8Array = new Uint8Array(0);
  decodeFields(bytes, "BlockResponse", {
    1: int64NonNegative("height", (v) => (height = v)),
    2: field.bytes((v) => (block = v.slice())),
  });
  if (height < 1n) throw new CodecError("CODEC_INVALID_VALUE", "BlockResponse.height must be at least 1");
  return { height, block };
}

function decodeErrorResponse(bytes: Uint8Array): { code: string; message: string } {
  let code = "";
  let message = "";
  decodeFields(bytes, "ErrorResponse", {
    1: field.string((v) => (code = v)),
    2: field.string((v) => (message = v)),
  });
  return { code: code.slice(0, 64), message: message.slice(0, 512) };
}

export function decodeSyncResponse(bytes: Uint8Array): SyncResponse {
  const found: SyncResponse[] = [];
  decodeFields(bytes, "SyncResponse", {
    1: field.message(decodeStatusResponse, (v) => found.push({ type: "status", ...v })),
    2: field.message(decodeBlockResponse, (v) => found.push({ type: "block", ...v })),
    3: field.message(decodeErrorResponse, (v) => found.push({ type: "error", ...v })),
  });
  if (found.length !== 1) throw new CodecError("CODEC_INVALID_VALUE", "SyncResponse must carry exactly one response");
  return found[0]!;
}
