import { CodedError } from "../primitives/errors.ts";

/** Error codes of the p2p layer. */
export type P2PErrorCode =
  /** node_key.json or a raw key is malformed. */
  | "P2P_BAD_NODE_KEY"
  /** A persistent peer / multiaddr in the options cannot be parsed. */
  | "P2P_BAD_PEER_ADDRESS"
  /** Options out of range. */
  | "P2P_BAD_OPTIONS"
  /** `publish` of a value whose encoding is larger than the channel's limit. */
  | "P2P_MESSAGE_TOO_LARGE"
  /** libp2p could not start (e.g. the listen port is taken). */
  | "P2P_LISTEN_FAILED"
  /** The P2P instance is not started (or already stopped). */
  | "P2P_NOT_STARTED"
  /** A frame on a request/response stream is longer than allowed. */
  | "P2P_FRAME_TOO_LARGE"
  /** A stream ended in the middle of a frame, or the remote broke the protocol. */
  | "P2P_PROTOCOL"
  /** A request did not finish in time. */
  | "P2P_TIMEOUT"
  /** The remote answered a request with an error frame. */
  | "P2P_REMOTE_ERROR"
  /** Handshake: the peer belongs to another chain (chain id or genesis hash differ). */
  | "P2P_CHAIN_MISMATCH"
  /** Handshake: incompatible protocol version. */
  | "P2P_VERSION_MISMATCH"
  /** Handshake: the node id the peer claims is not the one of its key, or not the one expected. */
  | "P2P_NODE_ID_MISMATCH"
  /** Handshake: the peer never completed it. */
  | "P2P_HANDSHAKE_FAILED"
  /** The peer is banned (score below the threshold) or refused. */
  | "P2P_PEER_BANNED"
  /** No usable peer (block sync: every peer failed or none has the heights). */
  | "P2P_NO_PEERS"
  /** Block sync: the verify-and-apply callback refused a block from every peer that had it. */
  | "P2P_SYNC_FAILED";

export class P2PError extends CodedError<P2PErrorCode> {
  override readonly name = "P2PError";
}
