/** The p2p layer: libp2p transport, handshake, gossip channels, peer scoring, block sync. See README.md. */
export { createP2P, HANDSHAKE_PROTOCOL, P2P_PROTOCOL_VERSION, P2PNode, SYNC_PROTOCOL } from "./p2p.ts";
export type {
  BlockProvider,
  GossipHandler,
  GossipSource,
  GossipStats,
  P2PEvents,
  P2PStats,
  PeerInfo,
  Verdict,
} from "./p2p.ts";
export { BlockSyncer } from "./blockSyncer.ts";
export type { BlockSyncerOptions, PeerStatus, SyncNetwork, SyncProgress, SyncResult } from "./blockSyncer.ts";
export { CHANNEL_CODECS, CHANNELS, topicName } from "./channels.ts";
export type { ChannelCodec, ChannelMessages, ChannelName } from "./channels.ts";
export { P2PError } from "./errors.ts";
export type { P2PErrorCode } from "./errors.ts";
export {
  generateNodeKey,
  libp2pPrivateKey,
  NODE_KEY_TYPE,
  nodeIdFromPublicKey,
  nodeIdOfKey,
  nodeIdOfPeerId,
  nodeKeyFromPrivateKey64,
  nodeKeyFromSeed,
  nodeKeyToJson,
  nodeKeyToPrivateKey64,
  parseNodeKeyJson,
  peerIdOfNodeKey,
  readNodeKeyFile,
  writeNodeKeyFile,
} from "./identity.ts";
export type { NodeKey } from "./identity.ts";
export { DEFAULT_MAX_BLOCK_BYTES, defaultP2POptions, testP2POptions, validateP2POptions } from "./options.ts";
export { drawRelayDelay, msgIdToString } from "./p2p.ts";
export type { P2POptions, P2POptionsInput, RelayDelayOptions, SyncOptions } from "./options.ts";
export { parsePeerAddress } from "./peers.ts";
export type { PeerAddress } from "./peers.ts";
export { DEFAULT_SCORE_OPTIONS, OFFENCES, PeerScoreBook } from "./score.ts";
export type { Ban, Offence, ScoreOptions } from "./score.ts";
export type { QueueOptions, QueueStats } from "./queue.ts";
