/**
 * Gossip channels: one gossipsub topic each, namespaced by chain id, with a codec that checks every
 * inbound message before the node's handler sees it.
 */
import { decodeTxRaw } from "../codec/tx.ts";
import {
  decodeConsensusMessage,
  decodeEvidenceMessage,
  encodeConsensusMessage,
  encodeEvidenceMessage,
  type ConsensusMessage,
} from "../codec/p2p.ts";
import type { DuplicateVoteEvidence } from "../codec/consensus.ts";
import { CodecError } from "../codec/errors.ts";

export type ChannelName = "txs" | "consensus" | "evidence";

export const CHANNELS: readonly ChannelName[] = ["txs", "consensus", "evidence"];

/** The decoded value of each channel. */
export interface ChannelMessages {
  /** A raw `cosmos.tx.v1beta1.TxRaw` (checked to decode as one, with a body and auth info). */
  readonly txs: Uint8Array;
  readonly consensus: ConsensusMessage;
  readonly evidence: DuplicateVoteEvidence;
}

export interface ChannelCodec<T> {
  encode(value: T): Uint8Array;
  /** Throws a coded error for anything that is not a well-formed message of the channel. */
  decode(bytes: Uint8Array): T;
}

export const CHANNEL_CODECS: { readonly [K in ChannelName]: ChannelCodec<ChannelMessages[K]> } = {
  txs: {
    encode: (tx) => tx,
    decode: (bytes) => {
      const raw = decodeTxRaw(bytes);
      if (raw.bodyBytes.length === 0 || raw.authInfoBytes.length === 0) {
        throw new CodecError("CODEC_INVALID_VALUE", "TxRaw without body or auth info");
      }
      return bytes.slice();
    },
  },
  consensus: { encode: encodeConsensusMessage, decode: decodeConsensusMessage },
  evidence: { encode: encodeEvidenceMessage, decode: decodeEvidenceMessage },
};

/** The gossipsub topic of a channel: `/scrt/<chain-id>/<channel>/1`. */
export function topicName(chainId: string, channel: ChannelName): string {
  return `/scrt/${chainId}/${channel}/1`;
}
