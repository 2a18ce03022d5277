/**
 * The P2P node: js-libp2p (TCP, noise, yamux, identify, gossipsub) with the chain's handshake, gossip
 * channels, peer scoring and the block-sync request/response protocol. See README.md.
 */
import "./compat.ts";
import { createLibp2p, type Libp2p } from "libp2p";
import { tcp } from "@libp2p/tcp";
import { noise } from "@chainsafe/libp2p-noise";
import { yamux } from "@chainsafe/libp2p-yamux";
import { gossipsub, TopicValidatorResult, type GossipSub, type GossipsubMessage } from "@libp2p/gossipsub";
import { identify, type Identify } from "@libp2p/identify";
import type { Connection, PeerId, Stream } from "./libp2pTypes.ts";
import { peerIdFromString } from "@libp2p/peer-id";
import { bytesEqual } from "../primitives/bytes.ts";
import { isCodedError } from "../primitives/errors.ts";
import type { Logger, Metrics } from "../primitives/observability.ts";
import { sha256 } from "../crypto/hash.ts";
import {
  decodeNodeInfo,
  decodeSyncRequest,
  decodeSyncResponse,
  encodeNodeInfo,
  encodeSyncRequest,
  encodeSyncResponse,
  type NodeInfo,
  type SyncRequest,
  type SyncResponse,
} from "../codec/p2p.ts";
import { BlockSyncer, type BlockSyncerOptions, type PeerStatus, type SyncNetwork } from "./blockSyncer.ts";
import { CHANNEL_CODECS, CHANNELS, topicName, type ChannelMessages, type ChannelName } from "./channels.ts";
import { P2PError, type P2PErrorCode } from "./errors.ts";
import { FrameReader, withStreamDeadline, writeFrame } from "./frames.ts";
import { nodeIdOfKey, nodeIdOfPeerId, libp2pPrivateKey, peerIdOfNodeKey } from "./identity.ts";
import { validateP2POptions, type P2POptions, type RelayDelayOptions } from "./options.ts";
import { parsePeerAddress, PersistentPeers, type PeerAddress } from "./peers.ts";
import { InboundQueues, type QueueStats } from "./queue.ts";
import { PeerScoreBook, type Offence } from "./score.ts";
import { TxBatcher } from "./txBatch.ts";
import { quietEmptyLengthDecodes } from "./lengthDecoder.ts";
import { installYamuxWindowThreshold } from "./yamuxWindow.ts";

/** Version of this node's p2p protocols; a peer with another one is refused at the handshake. */
export const P2P_PROTOCOL_VERSION = 1;
export const HANDSHAKE_PROTOCOL = "/scrt/handshake/1.0.0";
export const SYNC_PROTOCOL = "/scrt/sync/1.0.0";
/** Largest handshake frame and sync request frame. */
const MAX_HANDSHAKE_BYTES = 1024;
const MAX_SYNC_REQUEST_BYTES = 256;

/** A handler's verdict on a gossip message; it decides whether gossipsub forwards it. */
export type Verdict = "accept" | "reject" | "ignore";

/** Who relayed a gossip message to us (not necessarily who created it). */
export interface GossipSource {
  readonly peerId: string;
  readonly nodeId: string;
}

export type GossipHandler<T> = (message: T, from: GossipSource) => Verdict | Promise<Verdict>;

/** What the node serves to syncing peers. */
export interface BlockProvider {
  status(): PeerStatus | Promise<PeerStatus>;
  /** The stored block of `height` (opaque bytes), or undefined when not stored. */
  getBlock(height: bigint): Uint8Array | undefined | Promise<Uint8Array | undefined>;
}

export interface PeerInfo {
  readonly peerId: string;
  readonly nodeId: string;
  readonly moniker: string;
  readonly direction: "inbound" | "outbound";
  readonly remoteAddr: string;
}

export interface P2PEvents {
  /** A peer passed the handshake. */
  peerConnected: PeerInfo;
  /** A peer that had passed the handshake is gone. */
  peerDisconnected: { readonly peerId: string; readonly nodeId: string };
  /** A peer was refused (other chain, bad handshake, unexpected node id) and disconnected. */
  peerRefused: { readonly peerId: string; readonly code: P2PErrorCode; readonly message: string };
  /** A peer's score reached the ban threshold: disconnected and banned. */
  peerBanned: { readonly peerId: string; readonly score: number; readonly reason: string };
}

export interface GossipStats {
  received: number;
  accepted: number;
  rejected: number;
  ignored: number;
  oversized: number;
  undecodable: number;
}

export interface P2PStats {
  readonly peers: number;
  readonly queue: QueueStats;
  readonly gossip: Readonly<GossipStats>;
  readonly offences: Readonly<Record<Offence, number>>;
  readonly bannedPeers: number;
}

type Services = { identify: Identify; pubsub: GossipSub };

/** The parts of the gossipsub class the public `GossipSub` type does not declare. */
interface GossipSubInternals {
  reportMessageValidationResult(msgId: string, propagationSource: string, acceptance: TopicValidatorResult): void;
  getMeshPeers(topic: string): string[];
  getScore(peerId: string): number;
}

interface PeerState {
  readonly peerId: PeerId;
  status: "pending" | "verified" | "refused";
  info: NodeInfo | undefined;
  direction: "inbound" | "outbound";
  remoteAddr: string;
  waiters: ((ok: boolean) => void)[];
  timer: ReturnType<typeof setTimeout> | undefined;
  /** Consecutive link checks that found the peer missing from our gossipsub topics. */
  unsubscribedChecks: number;
}

/** Reconnections the gossip-link check may make per peer before it gives up on the peer. */
const MAX_LINK_REPAIRS = 3;

interface QueuedGossip {
  readonly channel: ChannelName;
  readonly value: unknown;
  readonly msgId: string;
}

type Listener<K extends keyof P2PEvents> = (event: P2PEvents[K]) => void;

interface Counter {
  inc(by?: number): void;
}

/** The layer's metrics (no-ops without a `Metrics`). */
function createP2PMetrics(m: Metrics | undefined): {
  gossip: Record<"accepted" | "rejected" | "ignored" | "droppedFull", Counter>;
  penalties: Counter;
  bans: Counter;
  refused: Counter;
  blocksServed: Counter;
  peers: { set(v: number): void };
} {
  const noop = { inc: () => {}, set: () => {} };
  const c = (name: string, help: string): Counter => m?.counter(name, help) ?? noop;
  return {
    gossip: {
      accepted: c("p2p_gossip_accepted_total", "gossip messages accepted by the node's handlers"),
      rejected: c("p2p_gossip_rejected_total", "gossip messages rejected (oversized, undecodable, or by a handler)"),
      ignored: c("p2p_gossip_ignored_total", "gossip messages ignored (no handler, peer gone, handler said ignore)"),
      droppedFull: c("p2p_gossip_dropped_total", "gossip messages dropped because the peer's queue was full"),
    },
    penalties: c("p2p_peer_penalties_total", "penalties applied to peers"),
    bans: c("p2p_peer_bans_total", "peers banned for their score"),
    refused: c("p2p_peer_refused_total", "peers refused at the handshake"),
    blocksServed: c("p2p_sync_blocks_served_total", "blocks sent to syncing peers"),
    peers: m?.gauge("p2p_peers", "connected peers that passed the handshake") ?? noop,
  };
}

/** Creates a P2P node (not started). */
export function createP2P(options: P2POptions): P2PNode {
  return new P2PNode(validateP2POptions(options));
}

export class P2PNode implements SyncNetwork {
  /** CometBFT node id: hex(sha256(pubkey)[0..20]). */
  readonly nodeId: string;
  /** The libp2p PeerId of the same key. */
  readonly peerId: PeerId;
  readonly chainId: string;

  private node: Libp2p<Services> | undefined;
  /** True between the end of `start()` and `stop()`: inbound connections are accepted. */
  private accepting = false;
  private linkCheck: ReturnType<typeof setInterval> | undefined;
  private readonly linkRepairs = new Map<string, number>();
  private pubsub: (GossipSub & GossipSubInternals) | undefined;
  private readonly log: Logger;
  private readonly book: PeerScoreBook;
  private readonly queue: InboundQueues<QueuedGossip>;
  private readonly peers = new Map<string, PeerState>();
  private readonly handlers = new Map<ChannelName, GossipHandler<unknown>>();
  private readonly topics = new Map<string, ChannelName>();
  private readonly listeners = new Map<keyof P2PEvents, Set<Listener<keyof P2PEvents>>>();
  private readonly persistentAddresses: readonly PeerAddress[];
  private persistent: PersistentPeers | undefined;
  private provider: BlockProvider | undefined;
  private txBatcher: TxBatcher | undefined;
  private readonly ownInfo: NodeInfo;
  private readonly metrics: ReturnType<typeof createP2PMetrics>;
  private readonly gossip: GossipStats = {
    received: 0,
    accepted: 0,
    rejected: 0,
    ignored: 0,
    oversized: 0,
    undecodable: 0,
  };

  constructor(private readonly options: P2POptions) {
    this.nodeId = nodeIdOfKey(options.nodeKey);
    this.peerId = peerIdOfNodeKey(options.nodeKey);
    this.chainId = options.chainId;
    this.log = options.logger.child({ module: "p2p" });
    this.metrics = createP2PMetrics(options.metrics);
    this.book = new PeerScoreBook(options.score, () => options.clock.nowMs());
    this.persistentAddresses = options.persistentPeers.map(parsePeerAddress);
    this.ownInfo = {
      protocolVersion: P2P_PROTOCOL_VERSION,
      chainId: options.chainId,
      genesisHash: options.genesisHash,
      nodeId: this.nodeId,
      moniker: options.moniker,
    };
    for (const c of CHANNELS) this.topics.set(topicName(options.chainId, c), c);
    this.queue = new InboundQueues<QueuedGossip>(
      options.queue,
      (peer, item) => this.processGossip(peer, item),
      (peer, item, why) => {
        this.gossip.ignored++;
        if (why === "full") this.metrics.gossip.droppedFull.inc();
        this.report(item.msgId, peer, "ignore");
      },
      (peer) => this.peers.get(peer)?.status === "verified",
      (item) => item.channel === "consensus",
    );
  }

  // ------------------------------------------------------------------------------------------------
  // Lifecycle

  async start(): Promise<void> {
    if (this.node !== undefined) return;
    const o = this.options;
    installYamuxWindowThreshold();
    const maxGossip = Math.max(...CHANNELS.map((c) => o.maxMessageBytes[c]));
    const ban = o.score.banThreshold;
    const ipFamily = o.listenHost.includes(":") ? "ip6" : "ip4";
    const node = await createLibp2p<Services>(this.libp2pOptions(maxGossip, ban, ipFamily)).catch((e: unknown) => {
      throw new P2PError(
        "P2P_LISTEN_FAILED",
        `cannot start libp2p on ${o.listenHost}:${o.listenPort}: ${errorText(e)}`,
      );
    });
    const pubsub = node.services.pubsub as GossipSub & Partial<GossipSubInternals>;
    if (typeof pubsub.reportMessageValidationResult !== "function" || typeof pubsub.getMeshPeers !== "function") {
      await node.stop();
      throw new P2PError("P2P_BAD_OPTIONS", "the installed gossipsub lacks reportMessageValidationResult/getMeshPeers");
    }
    this.node = node;
    this.pubsub = pubsub as GossipSub & GossipSubInternals;

    node.addEventListener("connection:open", (e) => this.onConnectionOpen(e.detail));
    node.addEventListener("peer:disconnect", (e) => this.onPeerDisconnect(e.detail));
    this.pubsub.addEventListener("gossipsub:message", (e) => this.onGossip(e.detail));
    await node.handle(HANDSHAKE_PROTOCOL, (stream, conn) => this.handleHandshake(stream, conn), {
      maxInboundStreams: 2,
    });
    await node.handle(SYNC_PROTOCOL, (stream, conn) => this.handleSync(stream, conn), {
      maxInboundStreams: o.sync.maxInboundStreams,
    });
    for (const topic of this.topics.keys()) this.pubsub.subscribe(topic);

    this.persistent = new PersistentPeers(
      this.persistentAddresses,
      (address) => this.dialPersistent(address),
      { minMs: o.redialMinMs, maxMs: o.redialMaxMs },
      (address, err) => this.log.debug("persistent peer dial failed", { peer: address.text, error: errorText(err) }),
    );
    this.txBatcher = new TxBatcher(
      { ...o.txBatch, maxBytes: Math.min(o.txBatch.maxBytes, o.maxMessageBytes.txs) },
      (txs) => {
        this.publish("txs", txs).catch((e: unknown) =>
          this.log.debug("tx gossip failed", { txs: txs.length, error: errorText(e) }),
        );
      },
    );
    this.accepting = true;
    this.persistent.start();
    this.linkCheck = setInterval(() => this.checkGossipLinks(), Math.max(500, 5 * o.heartbeatIntervalMs));
    this.linkCheck.unref();
    this.log.info("p2p started", {
      nodeId: this.nodeId,
      peerId: this.peerId.toString(),
      addrs: this.multiaddrs().join(","),
    });
  }

  private libp2pOptions(
    maxGossip: number,
    ban: number,
    ipFamily: string,
  ): Parameters<typeof createLibp2p<Services>>[0] {
    const o = this.options;
    return {
      privateKey: libp2pPrivateKey(o.nodeKey),
      addresses: { listen: [`/${ipFamily}/${o.listenHost}/tcp/${o.listenPort}`] },
      transports: [tcp()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      connectionGater: {
        // Inbound connections wait until every service (gossipsub above all) has started: a
        // gossipsub stream that arrives while it is starting is dropped for good.
        denyInboundConnection: () => !this.accepting,
        denyDialPeer: (peerId) => this.book.isBanned(peerId.toString()),
        denyInboundEncryptedConnection: (peerId) => this.book.isBanned(peerId.toString()),
        denyOutboundEncryptedConnection: (peerId) => this.book.isBanned(peerId.toString()),
      },
      services: {
        identify: identify(),
        pubsub: gossipsub({
          globalSignaturePolicy: "StrictNoSign",
          asyncValidation: true,
          emitSelf: false,
          allowPublishToZeroTopicPeers: true,
          ignoreDuplicatePublishError: true,
          // Our own messages are encoded once for all peers (a proposal with its block, a tx batch)
          // instead of once per peer; pending control messages go out with the next heartbeat.
          batchPublish: true,
          fallbackToFloodsub: false,
          doPX: false,
          heartbeatInterval: o.heartbeatIntervalMs,
          msgIdFn: (msg) => sha256(msg.data),
          // The id's text for gossipsub's maps and our validation reports: native base64 (gossipsub's
          // own goes through multiformats' base64, for every copy received).
          msgIdToStrFn: msgIdToString,
          allowedTopics: [...this.topics.keys()],
          maxInboundDataLength: maxGossip + 65_536,
          scoreParams: {
            appSpecificScore: (peer) => this.book.score(peer),
            appSpecificWeight: 1,
            ...(o.ipColocationPenalty ? {} : { IPColocationFactorWeight: 0 }),
          },
          scoreThresholds: {
            gossipThreshold: ban / 2,
            publishThreshold: (ban * 3) / 4,
            graylistThreshold: ban,
          },
        }),
      },
    };
  }

  async stop(): Promise<void> {
    const node = this.node;
    if (node === undefined) return;
    this.persistent?.stop();
    if (this.linkCheck !== undefined) clearInterval(this.linkCheck);
    this.linkCheck = undefined;
    this.accepting = false;
    this.txBatcher?.close();
    this.txBatcher = undefined;
    this.node = undefined;
    for (const [peer, st] of this.peers) {
      if (st.timer !== undefined) clearTimeout(st.timer);
      this.settleWaiters(st, false);
      this.queue.dropPeer(peer);
    }
    this.peers.clear();
    await node.stop();
    this.pubsub = undefined;
    this.log.info("p2p stopped");
  }

  /** The listening addresses with `/p2p/<peer id>` (dialable by other nodes). */
  multiaddrs(): string[] {
    return this.requireNode()
      .getMultiaddrs()
      .map((m) => m.toString());
  }

  /** The TCP port actually listened on (useful with port 0). */
  listenPort(): number {
    for (const m of this.requireNode().getMultiaddrs()) {
      const tcpPart = m.getComponents().find((c) => c.name === "tcp");
      if (tcpPart?.value !== undefined) return Number(tcpPart.value);
    }
    throw new P2PError("P2P_NOT_STARTED", "not listening");
  }

  /** The underlying libp2p node, for diagnostics and tests. */
  get libp2p(): Libp2p<Services> {
    return this.requireNode();
  }

  /** Dials a peer (a multiaddr with /p2p/ or `<node id>@host:port`) once, without redialling. */
  async dial(address: string): Promise<string> {
    return this.dialPersistent(parsePeerAddress(address));
  }

  // ------------------------------------------------------------------------------------------------
  // Events

  on<K extends keyof P2PEvents>(event: K, listener: Listener<K>): () => void {
    let set = this.listeners.get(event);
    if (set === undefined) {
      set = new Set();
      this.listeners.set(event, set);
    }
    set.add(listener as Listener<keyof P2PEvents>);
    return () => set.delete(listener as Listener<keyof P2PEvents>);
  }

  private emit<K extends keyof P2PEvents>(event: K, payload: P2PEvents[K]): void {
    for (const l of this.listeners.get(event) ?? []) {
      try {
        (l as Listener<K>)(payload);
      } catch (e) {
        this.log.warn("p2p event listener threw", { event, error: errorText(e) });
      }
    }
  }

  // ------------------------------------------------------------------------------------------------
  // Peers, handshake, scoring

  /** Peers that passed the handshake and are connected. */
  connectedPeers(): PeerInfo[] {
    const out: PeerInfo[] = [];
    for (const st of this.peers.values()) {
      if (st.status !== "verified" || st.info === undefined) continue;
      out.push({
        peerId: st.peerId.toString(),
        nodeId: st.info.nodeId,
        moniker: st.info.moniker,
        direction: st.direction,
        remoteAddr: st.remoteAddr,
      });
    }
    return out;
  }

  isVerified(peerId: string): boolean {
    return this.peers.get(peerId)?.status === "verified";
  }

  /** Resolves true once `peerId` passed the handshake, false if it is refused, gone or too slow. */
  whenVerified(peerId: string, timeoutMs = this.options.handshakeTimeoutMs): Promise<boolean> {
    const st = this.peers.get(peerId);
    if (st === undefined || st.status === "refused") return Promise.resolve(false);
    if (st.status === "verified") return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => done(false), timeoutMs);
      const done = (ok: boolean): void => {
        clearTimeout(timer);
        resolve(ok);
      };
      st.waiters.push(done);
    });
  }

  score(peerId: string): number {
    return this.book.score(peerId);
  }

  isBanned(peerId: string): boolean {
    return this.book.isBanned(peerId);
  }

  /** Records an offence; at the ban threshold the peer is disconnected and banned. */
  penalize(peerId: string, offence: Offence): void {
    const r = this.book.penalize(peerId, offence);
    this.metrics.penalties.inc();
    this.log.debug("peer penalised", { peer: peerId, offence, score: r.score });
    if (r.banned) {
      this.log.warn("peer banned", { peer: peerId, score: r.score, offence });
      this.metrics.bans.inc();
      this.queue.dropPeer(peerId);
      this.emit("peerBanned", { peerId, score: r.score, reason: offence });
      this.disconnect(peerId);
    }
  }

  /** The peers in this node's gossipsub mesh for a channel. */
  meshPeers(channel: ChannelName): string[] {
    return this.pubsub?.getMeshPeers(topicName(this.chainId, channel)) ?? [];
  }

  /** Subscribers (of any status) of a channel's topic that gossipsub knows. */
  subscribers(channel: ChannelName): string[] {
    return (this.pubsub?.getSubscribers(topicName(this.chainId, channel)) ?? []).map((p) => p.toString());
  }

  stats(): P2PStats {
    return {
      peers: this.connectedPeers().length,
      queue: this.queue.stats(),
      gossip: { ...this.gossip },
      offences: this.book.offenceCounts(),
      bannedPeers: this.book.bans().length,
    };
  }

  private async dialPersistent(address: PeerAddress): Promise<string> {
    const node = this.requireNode();
    if (address.peerId !== undefined && this.book.isBanned(address.peerId)) {
      throw new P2PError("P2P_PEER_BANNED", `${address.text} is banned for now`);
    }
    const conn = await node.dial(address.multiaddr);
    const peer = conn.remotePeer.toString();
    if (address.nodeId !== undefined && nodeIdOfPeerId(conn.remotePeer) !== address.nodeId) {
      this.refuse(peer, "P2P_NODE_ID_MISMATCH", `dialled ${address.text} but the peer's node id differs`);
      throw new P2PError("P2P_NODE_ID_MISMATCH", `${address.text}: unexpected node id`);
    }
    return peer;
  }

  private peerState(conn: Connection): PeerState {
    const key = conn.remotePeer.toString();
    let st = this.peers.get(key);
    if (st === undefined) {
      st = {
        peerId: conn.remotePeer,
        status: "pending",
        info: undefined,
        direction: conn.direction,
        remoteAddr: conn.remoteAddr.toString(),
        waiters: [],
        timer: undefined,
        unsubscribedChecks: 0,
      };
      this.peers.set(key, st);
    }
    return st;
  }

  private onConnectionOpen(conn: Connection): void {
    quietEmptyLengthDecodes(conn);
    const st = this.peerState(conn);
    if (st.status !== "pending") return;
    if (st.timer === undefined) {
      st.timer = setTimeout(() => {
        st.timer = undefined;
        if (st.status === "pending" && this.peers.get(st.peerId.toString()) === st) {
          this.refuse(st.peerId.toString(), "P2P_HANDSHAKE_FAILED", "no handshake in time");
        }
      }, this.options.handshakeTimeoutMs);
    }
    if (conn.direction === "outbound") void this.handshakeOutbound(conn);
  }

  private onPeerDisconnect(peerId: PeerId): void {
    const key = peerId.toString();
    const st = this.peers.get(key);
    this.peers.delete(key);
    this.queue.dropPeer(key);
    if (st !== undefined) {
      if (st.timer !== undefined) clearTimeout(st.timer);
      this.settleWaiters(st, false);
      if (st.status === "verified" && st.info !== undefined) {
        this.log.info("peer disconnected", { peer: key, nodeId: st.info.nodeId });
        this.metrics.peers.set(this.connectedPeers().length);
        this.emit("peerDisconnected", { peerId: key, nodeId: st.info.nodeId });
      }
    }
    this.persistent?.onDisconnected(key);
  }

  private async handshakeOutbound(conn: Connection): Promise<void> {
    const peer = conn.remotePeer.toString();
    const timeout = this.options.handshakeTimeoutMs;
    try {
      const stream = await conn.newStream(HANDSHAKE_PROTOCOL, { signal: AbortSignal.timeout(timeout) });
      const info = await withStreamDeadline(stream, timeout, async (signal) => {
        await writeFrame(stream, encodeNodeInfo(this.ownInfo), signal);
        const frame = await new FrameReader(stream, MAX_HANDSHAKE_BYTES).next();
        if (frame === undefined) throw new P2PError("P2P_HANDSHAKE_FAILED", "peer closed the handshake");
        return decodeNodeInfo(frame);
      });
      // The answer is in; a refusing peer may already be hanging up, so closing is best effort.
      stream.close().catch(() => undefined);
      this.conclude(conn, info);
    } catch (e) {
      if (this.node === undefined || this.peers.get(peer)?.status !== "pending") return;
      this.refuse(peer, codeOf(e, "P2P_HANDSHAKE_FAILED"), `handshake failed: ${errorText(e)}`);
    }
  }

  private async handleHandshake(stream: Stream, conn: Connection): Promise<void> {
    const peer = conn.remotePeer.toString();
    this.peerState(conn);
    try {
      const info = await withStreamDeadline(stream, this.options.handshakeTimeoutMs, async (signal) => {
        const frame = await new FrameReader(stream, MAX_HANDSHAKE_BYTES).next();
        if (frame === undefined) throw new P2PError("P2P_HANDSHAKE_FAILED", "peer closed the handshake");
        const decoded = decodeNodeInfo(frame);
        // Answer even when refusing, so the other side learns why.
        await writeFrame(stream, encodeNodeInfo(this.ownInfo), signal);
        await stream.close({ signal });
        return decoded;
      });
      this.conclude(conn, info);
    } catch (e) {
      stream.abort(e instanceof Error ? e : new Error(String(e)));
      if (this.node === undefined || this.peers.get(peer)?.status !== "pending") return;
      this.refuse(peer, codeOf(e, "P2P_HANDSHAKE_FAILED"), `handshake failed: ${errorText(e)}`);
    }
  }

  private checkNodeInfo(peerId: PeerId, info: NodeInfo): { code: P2PErrorCode; message: string } | undefined {
    if (info.protocolVersion !== P2P_PROTOCOL_VERSION) {
      return {
        code: "P2P_VERSION_MISMATCH",
        message: `protocol version ${info.protocolVersion}, want ${P2P_PROTOCOL_VERSION}`,
      };
    }
    if (info.chainId !== this.chainId) {
      return {
        code: "P2P_CHAIN_MISMATCH",
        message: `peer is on chain ${JSON.stringify(info.chainId)}, not ${this.chainId}`,
      };
    }
    if (!bytesEqual(info.genesisHash, this.options.genesisHash)) {
      return { code: "P2P_CHAIN_MISMATCH", message: "peer has another genesis hash" };
    }
    if (nodeIdOfPeerId(peerId) !== info.nodeId) {
      return { code: "P2P_NODE_ID_MISMATCH", message: "node id does not match the peer's key" };
    }
    return undefined;
  }

  private conclude(conn: Connection, info: NodeInfo): void {
    const peer = conn.remotePeer.toString();
    if (this.node === undefined) return;
    const st = this.peers.get(peer);
    if (st !== undefined && st.status !== "pending") return;
    const problem = this.checkNodeInfo(conn.remotePeer, info);
    if (problem !== undefined) {
      // Also when the peer already hung up on us: the ban keeps it from coming back at once.
      this.refuse(peer, problem.code, problem.message);
      return;
    }
    if (st === undefined) return;
    st.status = "verified";
    st.info = info;
    if (st.timer !== undefined) clearTimeout(st.timer);
    st.timer = undefined;
    this.settleWaiters(st, true);
    this.persistent?.onVerified(peer);
    this.queue.wake();
    this.log.info("peer connected", { peer, nodeId: info.nodeId, moniker: info.moniker, direction: st.direction });
    this.metrics.peers.set(this.connectedPeers().length);
    this.emit("peerConnected", {
      peerId: peer,
      nodeId: info.nodeId,
      moniker: info.moniker,
      direction: st.direction,
      remoteAddr: st.remoteAddr,
    });
  }

  private refuse(peer: string, code: P2PErrorCode, message: string): void {
    const st = this.peers.get(peer);
    if (st !== undefined) {
      st.status = "refused";
      if (st.timer !== undefined) clearTimeout(st.timer);
      st.timer = undefined;
      this.settleWaiters(st, false);
    }
    this.queue.dropPeer(peer);
    this.book.ban(peer, code, this.options.refuseDurationMs);
    this.log.warn("peer refused", { peer, code, reason: message });
    this.metrics.refused.inc();
    this.emit("peerRefused", { peerId: peer, code, message });
    this.disconnect(peer);
  }

  private disconnect(peer: string): void {
    const node = this.node;
    if (node === undefined) return;
    let pid: PeerId;
    try {
      pid = peerIdFromString(peer);
    } catch {
      return;
    }
    node.hangUp(pid).catch((e: unknown) => this.log.debug("hang up failed", { peer, error: errorText(e) }));
  }

  /**
   * Repairs a gossip link that libp2p/gossipsub left half-open. Every node of ours subscribes to all
   * its channels at start, so a verified peer that gossipsub still does not list as a subscriber after
   * two checks has a dead gossipsub stream towards us (observed when a peer restarts and redials at
   * once: gossipsub opens one stream per direction and never reopens a lost one). The connection is
   * closed and dialled again, which gives gossipsub fresh streams; at most `MAX_LINK_REPAIRS` times
   * per peer.
   */
  private checkGossipLinks(): void {
    const node = this.node;
    if (node === undefined) return;
    const subscribed = new Set(this.subscribers("consensus"));
    for (const [peer, st] of this.peers) {
      if (st.status !== "verified" || subscribed.has(peer)) {
        st.unsubscribedChecks = 0;
        continue;
      }
      st.unsubscribedChecks++;
      const repairs = this.linkRepairs.get(peer) ?? 0;
      if (st.unsubscribedChecks < 2 || repairs >= MAX_LINK_REPAIRS) continue;
      this.linkRepairs.set(peer, repairs + 1);
      st.unsubscribedChecks = 0;
      this.log.warn("gossip link to peer is broken; reconnecting", { peer, repair: repairs + 1 });
      const pid = st.peerId;
      void node
        .hangUp(pid)
        .then(() => (this.node === node ? node.dial(pid) : undefined))
        .catch((e: unknown) => this.log.debug("gossip link repair failed", { peer, error: errorText(e) }));
    }
  }

  private settleWaiters(st: PeerState, ok: boolean): void {
    const waiters = st.waiters;
    st.waiters = [];
    for (const w of waiters) w(ok);
  }

  // ------------------------------------------------------------------------------------------------
  // Gossip

  /**
   * Registers the node's handler of a channel (one per channel; a second call replaces it). Messages
   * reach it decoded, in per-peer order, only from peers that passed the handshake.
   */
  handle<K extends ChannelName>(channel: K, handler: GossipHandler<ChannelMessages[K]>): void {
    this.handlers.set(channel, handler as GossipHandler<unknown>);
  }

  /**
   * Publishes a message on a channel; returns how many peers it was sent to (0 also for a duplicate
   * of a message seen recently). Throws P2P_MESSAGE_TOO_LARGE above the channel's limit.
   */
  async publish<K extends ChannelName>(channel: K, message: ChannelMessages[K]): Promise<number> {
    const pubsub = this.pubsub;
    if (pubsub === undefined) throw new P2PError("P2P_NOT_STARTED", "p2p is not started");
    const codec = CHANNEL_CODECS[channel] as { encode(v: ChannelMessages[K]): Uint8Array };
    const bytes = codec.encode(message);
    const max = this.options.maxMessageBytes[channel];
    if (bytes.length > max) {
      throw new P2PError("P2P_MESSAGE_TOO_LARGE", `${channel} message of ${bytes.length} bytes exceeds ${max}`, {
        size: bytes.length,
        max,
      });
    }
    const result = await pubsub.publish(topicName(this.chainId, channel), bytes);
    return result.recipients.length;
  }

  /**
   * Gossips a tx on the `txs` channel, batched with the others handed in within `txBatch.maxDelayMs`
   * (one message per batch; see txBatch.ts). A no-op before `start` and after `stop`.
   */
  broadcastTx(tx: Uint8Array): void {
    this.txBatcher?.add(tx);
  }

  /** Sends the pending tx batch now (tests, orderly shutdown). */
  flushTxs(): void {
    this.txBatcher?.flush();
  }

  private report(msgId: string, peer: string, verdict: Verdict): void {
    this.metrics.gossip[verdict === "accept" ? "accepted" : verdict === "reject" ? "rejected" : "ignored"].inc();
    const acceptance =
      verdict === "accept"
        ? TopicValidatorResult.Accept
        : verdict === "reject"
          ? TopicValidatorResult.Reject
          : TopicValidatorResult.Ignore;
    this.pubsub?.reportMessageValidationResult(msgId, peer, acceptance);
  }

  private onGossip(detail: GossipsubMessage): void {
    const peer = detail.propagationSource.toString();
    const { msg, msgId } = detail;
    // gossipsub hands out Buffers; decoders and handlers get plain Uint8Arrays (no copy).
    const data = new Uint8Array(msg.data.buffer, msg.data.byteOffset, msg.data.byteLength);
    this.gossip.received++;
    const channel = this.topics.get(msg.topic);
    if (channel === undefined || this.book.isBanned(peer) || this.peers.get(peer)?.status === "refused") {
      this.gossip.ignored++;
      this.report(msgId, peer, "ignore");
      return;
    }
    if (data.length > this.options.maxMessageBytes[channel]) {
      this.gossip.oversized++;
      this.gossip.rejected++;
      this.report(msgId, peer, "reject");
      this.penalize(peer, "gossipOversized");
      return;
    }
    let value: unknown;
    try {
      value = CHANNEL_CODECS[channel].decode(data);
    } catch (e) {
      this.gossip.undecodable++;
      this.gossip.rejected++;
      this.log.debug("undecodable gossip", { peer, channel, error: errorText(e) });
      this.report(msgId, peer, "reject");
      this.penalize(peer, "gossipDecode");
      return;
    }
    this.queue.push(peer, { channel, value, msgId });
  }

  private async processGossip(peer: string, item: QueuedGossip): Promise<void> {
    const handler = this.handlers.get(item.channel);
    const info = this.peers.get(peer)?.info;
    if (handler === undefined || info === undefined) {
      this.gossip.ignored++;
      this.report(item.msgId, peer, "ignore");
      return;
    }
    let verdict: Verdict;
    try {
      verdict = await handler(item.value, { peerId: peer, nodeId: info.nodeId });
    } catch (e) {
      this.log.warn("gossip handler threw", { channel: item.channel, error: errorText(e) });
      verdict = "ignore";
    }
    if (verdict !== "accept" && verdict !== "reject") verdict = "ignore";
    this.gossip[verdict === "accept" ? "accepted" : verdict === "reject" ? "rejected" : "ignored"]++;
    const relayDelay =
      verdict !== "accept"
        ? 0
        : item.channel === "txs"
          ? this.options.txBatch.relayDelayMs
          : item.channel === "consensus"
            ? drawRelayDelay(this.options.consensusRelay, Math.random())
            : 0;
    if (relayDelay > 0) {
      // Forwarded a little later: peers that got the message straight from its origin have had time to
      // say so (a tx batch: gossipsub IDONTWANT) or to relay it to us first (a consensus message: each
      // node waits its own random delay), and are skipped. The relay itself goes out from a
      // setImmediate: after a busy stretch of the event loop the timer and the peers' IDONTWANTs or
      // copies are due together, and timers run before socket reads; the check phase runs after them.
      const msgId = item.msgId;
      const t = setTimeout(() => setImmediate(() => this.report(msgId, peer, "accept")), relayDelay);
      t.unref();
    } else {
      this.report(item.msgId, peer, verdict);
    }
    if (verdict === "reject") this.penalize(peer, "gossipRejected");
  }

  /** Resolves when no gossip is queued or being handled (tests, orderly shutdown). */
  gossipIdle(): Promise<void> {
    return this.queue.idle();
  }

  // ------------------------------------------------------------------------------------------------
  // Block sync: server

  /** Sets what this node serves to syncing peers. */
  setBlockProvider(provider: BlockProvider): void {
    this.provider = provider;
  }

  private async handleSync(stream: Stream, conn: Connection): Promise<void> {
    const peer = conn.remotePeer.toString();
    const o = this.options.sync;
    try {
      await withStreamDeadline(stream, o.requestTimeoutMs, async (signal) => {
        const send = (res: SyncResponse): Promise<void> => writeFrame(stream, encodeSyncResponse(res), signal);
        if (!(await this.whenVerified(peer))) {
          await send({ type: "error", code: "P2P_HANDSHAKE_FAILED", message: "handshake not completed" });
          await stream.close({ signal });
          return;
        }
        let req: SyncRequest;
        try {
          const frame = await new FrameReader(stream, MAX_SYNC_REQUEST_BYTES).next();
          if (frame === undefined) throw new P2PError("P2P_PROTOCOL", "no request");
          req = decodeSyncRequest(frame);
        } catch (e) {
          this.penalize(peer, "syncBadFrame");
          await send({ type: "error", code: "P2P_PROTOCOL", message: errorText(e) });
          await stream.close({ signal });
          return;
        }
        const provider = this.provider;
        if (provider === undefined) {
          await send({ type: "error", code: "P2P_NO_PROVIDER", message: "this node serves no blocks" });
        } else if (req.type === "status") {
          const s = await provider.status();
          await send({ type: "status", base: s.base, latest: s.latest });
        } else {
          const count = Math.min(req.count, o.maxBlocksPerRequest);
          for (let i = 0; i < count; i++) {
            const height = req.from + BigInt(i);
            const block = await provider.getBlock(height);
            if (block === undefined) break;
            const frame = encodeSyncResponse({ type: "block", height, block });
            if (frame.length > o.maxFrameBytes) {
              this.log.warn("block too large to serve", { height: String(height), bytes: block.length });
              break;
            }
            await writeFrame(stream, frame, signal);
            this.metrics.blocksServed.inc();
          }
        }
        await stream.close({ signal });
      });
    } catch (e) {
      this.log.debug("sync request failed", { peer, error: errorText(e) });
      stream.abort(e instanceof Error ? e : new Error(String(e)));
    }
  }

  // ------------------------------------------------------------------------------------------------
  // Block sync: client (SyncNetwork)

  syncPeers(): readonly string[] {
    return this.connectedPeers().map((p) => p.peerId);
  }

  /** The block range a peer serves. */
  async requestStatus(peer: string): Promise<PeerStatus> {
    let status: PeerStatus | undefined;
    await this.request(peer, { type: "status" }, (res) => {
      if (res.type !== "status" || status !== undefined) {
        throw new P2PError("P2P_PROTOCOL", `expected one status frame, got ${res.type}`);
      }
      status = { base: res.base, latest: res.latest };
    });
    if (status === undefined) throw new P2PError("P2P_PROTOCOL", "no status in the answer");
    return status;
  }

  /** Up to `count` consecutive blocks from `from` (fewer when the peer has fewer or caps the count). */
  async requestBlocks(peer: string, from: bigint, count: number): Promise<Uint8Array[]> {
    if (from < 1n || !Number.isSafeInteger(count) || count < 1) {
      throw new P2PError("P2P_BAD_OPTIONS", "requestBlocks: from >= 1 and count >= 1");
    }
    const blocks: Uint8Array[] = [];
    await this.request(peer, { type: "getBlocks", from, count }, (res) => {
      if (res.type !== "block") throw new P2PError("P2P_PROTOCOL", `expected block frames, got ${res.type}`);
      if (res.height !== from + BigInt(blocks.length) || blocks.length >= count) {
        throw new P2PError("P2P_PROTOCOL", `unexpected block height ${res.height}`);
      }
      blocks.push(res.block);
    });
    return blocks;
  }

  /** A BlockSyncer over this node's verified peers. */
  createBlockSyncer(options: BlockSyncerOptions): BlockSyncer {
    return new BlockSyncer(this, options);
  }

  private async request(peer: string, req: SyncRequest, onFrame: (res: SyncResponse) => void): Promise<void> {
    const node = this.requireNode();
    const o = this.options.sync;
    if (this.book.isBanned(peer)) throw new P2PError("P2P_PEER_BANNED", `peer ${peer} is banned for now`);
    if (!(await this.whenVerified(peer))) {
      throw new P2PError("P2P_HANDSHAKE_FAILED", `peer ${peer} has not passed the handshake`);
    }
    let stream: Stream;
    try {
      stream = await node.dialProtocol(peerIdFromString(peer), SYNC_PROTOCOL, {
        signal: AbortSignal.timeout(o.requestTimeoutMs),
      });
    } catch (e) {
      throw new P2PError("P2P_PROTOCOL", `cannot open a sync stream to ${peer}: ${errorText(e)}`);
    }
    try {
      await withStreamDeadline(stream, o.requestTimeoutMs, async (signal) => {
        await writeFrame(stream, encodeSyncRequest(req), signal);
        await stream.close({ signal });
        const reader = new FrameReader(stream, o.maxFrameBytes);
        for (;;) {
          const frame = await reader.next();
          if (frame === undefined) break;
          const res = decodeSyncResponse(frame);
          if (res.type === "error") {
            throw new P2PError("P2P_REMOTE_ERROR", `peer answered ${res.code}: ${res.message}`, { code: res.code });
          }
          onFrame(res);
        }
      });
    } catch (e) {
      stream.abort(e instanceof Error ? e : new Error(String(e)));
      const code = isCodedError(e) ? e.code : "";
      if (code === "P2P_TIMEOUT") this.penalize(peer, "syncTimeout");
      else if (code !== "P2P_REMOTE_ERROR" && code !== "") this.penalize(peer, "syncBadFrame");
      if (e instanceof P2PError) throw e;
      throw new P2PError("P2P_PROTOCOL", `bad answer from ${peer}: ${errorText(e)}`, { cause: code });
    }
  }

  private requireNode(): Libp2p<Services> {
    if (this.node === undefined) throw new P2PError("P2P_NOT_STARTED", "p2p is not started");
    return this.node;
  }
}

/** A gossip message id as text (base64; only used as a key in this process). */
export function msgIdToString(id: Uint8Array): string {
  return Buffer.from(id.buffer, id.byteOffset, id.byteLength).toString("base64");
}

/**
 * The relay delay of one message: `minMs + ⌊u × (maxMs − minMs + 1)⌋` for `u` in [0, 1) (clamped to
 * the range), so that the peers holding the same message relay one after the other.
 */
export function drawRelayDelay(range: RelayDelayOptions, u: number): number {
  const span = range.maxMs - range.minMs;
  if (span <= 0) return range.minMs;
  return Math.min(range.maxMs, range.minMs + Math.floor(u * (span + 1)));
}

function errorText(e: unknown): string {
  if (isCodedError(e)) return `${e.code}: ${e.message}`;
  return e instanceof Error ? e.message : String(e);
}

function codeOf(e: unknown, fallback: P2PErrorCode): P2PErrorCode {
  if (e instanceof P2PError) return e.code;
  return fallback;
}
