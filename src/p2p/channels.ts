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
import { decodeFields, field, ProtoWriter } from "../codec/protobuf.ts";

export type ChannelName = "txs" | "consensus" | "evidence";

export const CHANNELS: readonly ChannelName[] = ["txs", "consensus", "evidence"];

/** The decoded value of each channel. */
export interface ChannelMessages {
  /**
   * A batch of raw `cosmos.tx.v1beta1.TxRaw` (CometBFT's mempool `Txs {repeated bytes txs = 1}`): at
   * least one, each checked to decode as a TxRaw with a body and auth info.
   */
  readonly txs: readonly Uint8Array[];
  readonly consensus: ConsensusMessage;
  readonly evidence: DuplicateVoteEvidence;
}

export interface ChannelCodec<T> {
  encode(value: T): Uint8Array;
  /** Throws a coded error for anything that is not a well-formed message of the channel. */
  decode(bytes: Uint8Array): T;
}

export const CHANNEL_CODECS: { readonly [K in ChannelName]: ChannelCodec<ChannelMessages[K]> } = {
  txs: { encode: encodeTxBatch, decode: decodeTxBatch },
  consensus: { encode: encodeConsensusMessage, decode: decodeConsensusMessage },
  evidence: { encode: encodeEvidenceMessage, decode: decodeEvidenceMessage },
};

/** `Txs {repeated bytes txs = 1}`. */
export function encodeTxBatch(txs: readonly Uint8Array[]): Uint8Array {
  const w = new ProtoWriter();
  for (const tx of txs) w.bytes(1, tx, true);
  return w.finish();
}

/** Throws a coded error for an empty batch or any tx that is not a TxRaw with a body and auth info. */
export function decodeTxBatch(bytes: Uint8Array): Uint8Array[] {
  const txs: Uint8Array[] = [];
  decodeFields(bytes, "Txs", { 1: field.bytes((tx) => txs.push(tx)) });
  if (txs.length === 0) throw new CodecError("CODEC_INVALID_VALUE", "Txs without txs");
  for (const tx of txs) {
    const raw = decodeTxRaw(tx);
    if (raw.bodyBytes.length === 0 || raw.authInfoBytes.length === 0) {
      throw new CodecError("CODEC_INVALID_VALUE", "TxRaw without body or auth info");
    }
  }
  // Views into the message (no copy): the mempool keeps a copy of each tx it admits.
  return txs;
}

/** Wire version of each channel's payload (in the topic name, so that nodes of two versions never mix). */
const CHANNEL_VERSIONS: { readonly [K in ChannelName]: number } = { txs: 2, consensus: 1, evidence: 1 };

/** The gossipsub topic of a channel: `/scrt/<chain-id>/<channel>/<version>` (txs: 2, a batch; others: 1). */
export function topicName(chainId: string, channel: ChannelName): string {
  return `/scrt/${chainId}/${channel}/${CHANNEL_VERSIONS[channel]}`;
}
