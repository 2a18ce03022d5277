/**
 * The node's network: the p2p layer (src/p2p) behind the node's `NodeNetwork` hook.
 *
 * ```
 * driver effects ─► broadcastVote / broadcastProposal ─► gossip "consensus"      (and txs: "txs")
 * gossip "consensus" ─► height = ours ─► node.handleConsensusEvent ─► reducer (checks signatures)
 *                     ├► a later height ─► kept until consensus starts it (heightStarted); the next
 *                     │   height also wakes a node that waits for txs; two or more ahead: block sync
 *                     └► an earlier height ─► ignored
 * gossip "txs" (batches) ─► mempool.tryAdd (CheckTx) each ─► accept (one admitted) / ignore
 * /scrt/sync ─► stored blocks with their seen commits (sync.ts), and catch-up from peers
 * /scrt/consensus-state/1.0.0 ─► a stalled height pulls the peers' proposals and votes of that height
 * ```
 *
 * gossipsub sends a message once (and never re-publishes one it has seen), so a message sent while a
 * peer was away is lost for it; the reducer needs them all again only when its height stalls. So
 * every `stallCheckMs` a height whose round and step have not moved, and every newly connected peer,
 * triggers a pull: the peer answers with every proposal and vote it holds for that height (when it is
 * at that height; a peer already past it is caught up with by block sync).
 *
 * Block sync polls the peers' heights (one stream per peer and check) only when the node may be
 * behind: a check finds the stored height moved since the previous one (consensus is live) and skips
 * the poll, except every `LIVE_POLL_EVERY`-th check; a message from a height two or more ahead, a
 * stalled height or `catchUp()` polls at once. At idle the polls were ~6 streams per second per node.
 *
 * Create it with `createNodeNetwork` (no I/O), pass it as `NodeOptions.network`, then `attach(node)`
 * once the node has started (registers the handlers, starts libp2p and the sync loop).
 */
import { readFileSync } from "node:fs";
import { peerIdFromString } from "@libp2p/peer-id";
import { SignedMsgType, type Proposal, type Vote } from "../codec/consensus.ts";
import { decodeConsensusMessage, encodeConsensusMessage, type ConsensusMessage } from "../codec/p2p.ts";
import { decodeFields, field, ProtoWriter } from "../codec/protobuf.ts";
import type { ConsensusEvent, ConsensusState } from "../consensus/index.ts";
import { FrameReader, withStreamDeadline, writeFrame } from "../p2p/frames.ts";
import type { Connection, Stream } from "../p2p/libp2pTypes.ts";
import { sha256 } from "../crypto/index.ts";
import { isCodedError } from "../primitives/errors.ts";
import { silentLogger, type Logger } from "../primitives/observability.ts";
import {
  createP2P,
  defaultP2POptions,
  parseNodeKeyJson,
  type P2PNode,
  type P2POptions,
  type SyncProgress,
  type Verdict,
} from "../p2p/index.ts";
import { NodeError } from "./errors.ts";
import type { NodeNetwork } from "./node.ts";
import { homePaths } from "./paths.ts";
import { blockProviderOf, NodeBlockSync, type SyncHost, type SyncPeers } from "./sync.ts";

/** What the network needs from the node (`Node` has it). */
export interface NetworkHost extends SyncHost {
  readonly consensus: { readonly state: ConsensusState } | undefined;
  readonly mempool: {
    tryAdd(tx: Uint8Array): { readonly outcome: { readonly ok: boolean } } | { readonly refused: string };
  };
  handleConsensusEvent(event: ConsensusEvent): void;
  wakeHeight(height: number): void;
}

export interface NodeNetworkOptions {
  readonly home: string;
  /** `host:port` to listen on (port 0: a free one). */
  readonly listen: string;
  /** `<node id>@host:port` or multiaddrs with `/p2p/<peer id>`. */
  readonly persistentPeers: readonly string[];
  readonly moniker?: string;
  readonly logger?: Logger;
  /** How often peers' heights are compared with ours (default 1000 ms). */
  readonly syncCheckMs?: number;
  /** Overrides of the p2p layer's options (tests: faster heartbeat, redial). */
  readonly p2p?: Partial<P2POptions>;
  /** Called as block sync applies blocks (the CLI draws a progress bar). */
  readonly onSyncProgress?: (p: SyncProgress) => void;
}

/** Messages kept for heights consensus has not started yet: at most this many heights ahead … */
const FUTURE_HEIGHTS = 3n;
/** … and this many messages in all. */
const MAX_FUTURE_MESSAGES = 4096;

/** The pull protocol of a stalled height's proposals and votes. */
export const CONSENSUS_STATE_PROTOCOL = "/scrt/consensus-state/1.0.0";
const STATE_REQUEST_TIMEOUT_MS = 5000;
/** Largest answer frame: one proposal with its block (the consensus channel's limit). */
const MAX_STATE_FRAME_BYTES = 22_020_096 + 65_536;

/** `ConsensusStateRequest {1 uint64 height}`. */
function encodeStateRequest(height: bigint): Uint8Array {
  return new ProtoWriter().uint(1, height).finish();
}

function decodeStateRequest(bytes: Uint8Array): bigint {
  let height = 0n;
  decodeFields(bytes, "ConsensusStateRequest", { 1: field.uint64((v) => (height = v)) });
  if (height < 1n) throw new NodeError("NODE_INVALID_OPTIONS", "ConsensusStateRequest.height must be ≥ 1");
  return height;
}

/** Every proposal and vote a consensus state holds for its height (what a stalled peer asks for). */
export function heldMessages(s: ConsensusState): ConsensusMessage[] {
  const out: ConsensusMessage[] = [];
  const rounds = (r: Readonly<Record<string, unknown>>): string[] =>
    Object.keys(r).sort((a, b) => Number(a) - Number(b));
  for (const r of rounds(s.proposals)) out.push({ type: "proposal", ...s.proposals[r]! });
  for (const r of rounds(s.quorumProposals)) out.push({ type: "proposal", ...s.quorumProposals[r]! });
  for (const r of rounds(s.votes)) {
    const rv = s.votes[r]!;
    for (const set of [rv.prevotes, rv.precommits]) {
      for (const vote of set.votes) if (vote !== null) out.push({ type: "vote", vote });
    }
  }
  return out;
}

/** `host:port` (IPv4 or a name; `[v6]:port`). */
export function parseListenAddress(text: string): { host: string; port: number } {
  const m = /^(?:\[([0-9a-fA-F:]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(text.trim());
  const port = m === null ? NaN : Number(m[3]);
  if (m === null || port > 65535) {
    throw new NodeError("NODE_INVALID_OPTIONS", `p2p listen address '${text}' is not host:port`);
  }
  return { host: m[1] ?? m[2]!, port };
}

/** Splits a comma-separated persistent peer list (config `persistent_peers`). */
export function parsePersistentPeers(text: string): string[] {
  return text
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

export function createNodeNetwork(o: NodeNetworkOptions): P2PNetwork {
  const paths = homePaths(o.home);
  const genesisBytes = readFileSync(paths.genesis);
  const doc = JSON.parse(genesisBytes.toString("utf8")) as { chain_id?: unknown };
  if (typeof doc.chain_id !== "string") throw new NodeError("NODE_HOME_INVALID", "genesis.json: no chain_id");
  const { host, port } = parseListenAddress(o.listen);
  const log = o.logger ?? silentLogger;
  const p2p = createP2P(
    defaultP2POptions({
      chainId: doc.chain_id,
      genesisHash: sha256(genesisBytes),
      nodeKey: parseNodeKeyJson(JSON.parse(readFileSync(paths.nodeKey, "utf8")) as unknown),
      moniker: o.moniker ?? "node",
      listenHost: host,
      listenPort: port,
      persistentPeers: o.persistentPeers,
      redialMinMs: 200,
      redialMaxMs: 5000,
      heartbeatIntervalMs: 500,
      logger: log.child({ module: "p2p" }),
      ...o.p2p,
    }),
  );
  return new P2PNetwork(p2p, log, o.syncCheckMs ?? 1000, o.onSyncProgress);
}

/** While the stored height keeps moving, block sync polls the peers' heights every this many checks. */
export const LIVE_POLL_EVERY = 10;

/**
 * Decides per block-sync check whether the peers' heights are worth a poll: not while the node's
 * stored height moves between checks (it follows consensus), except every `LIVE_POLL_EVERY`-th
 * check; always after `want()` (a sign of being behind) or when the height stands still.
 */
export class StatusPollGate {
  private lastHeight: number | undefined;
  private skipped = 0;
  private wanted = false;

  /** The next check polls whatever the height did. */
  want(): void {
    this.wanted = true;
  }

  /** Called once per check with the stored height: true = poll the peers. */
  shouldPoll(height: number): boolean {
    const moved = this.lastHeight !== undefined && height > this.lastHeight;
    this.lastHeight = height;
    if (this.wanted || !moved || this.skipped + 1 >= LIVE_POLL_EVERY) {
      this.wanted = false;
      this.skipped = 0;
      return true;
    }
    this.skipped++;
    return false;
  }
}

/** Where a height stood at the last stall check. */
interface Progress {
  readonly height: bigint;
  readonly round: number;
  readonly step: string;
}

export class P2PNetwork implements NodeNetwork {
  private host: NetworkHost | undefined;
  private sync: NodeBlockSync | undefined;
  private readonly future = new Map<bigint, ConsensusMessage[]>();
  private futureCount = 0;
  private closed = false;
  private stallTimer: ReturnType<typeof setInterval> | undefined;
  private lastProgress: Progress | undefined;
  private offPeer: (() => void) | undefined;
  /** Proposals and votes received through state pulls (diagnostics and tests). */
  pulledMessages = 0;
  private ticks = 0;
  private readonly pollGate = new StatusPollGate();

  constructor(
    readonly p2p: P2PNode,
    private readonly log: Logger,
    private readonly syncCheckMs: number,
    private readonly onSyncProgress?: (p: SyncProgress) => void,
  ) {}

  /** Blocks applied by block sync since `attach`. */
  get syncedBlocks(): number {
    return this.sync?.appliedBlocks ?? 0;
  }

  /** Registers the handlers, starts libp2p and the catch-up loop. */
  async attach(host: NetworkHost): Promise<void> {
    if (this.host !== undefined) throw new NodeError("NODE_INVALID_OPTIONS", "the network is already attached");
    this.host = host;
    this.p2p.handle("consensus", (msg) => this.onConsensus(msg));
    this.p2p.handle("txs", (txs) => this.onTxs(txs));
    this.p2p.setBlockProvider(blockProviderOf(host.blockStore));
    const p2p = this.p2p;
    const gate = this.pollGate;
    const peers: SyncPeers = {
      // An empty list makes the check end at once ("no peer is ahead"), as with no peers.
      syncPeers: () => (gate.shouldPoll(host.blockStore.height) ? p2p.syncPeers() : []),
      requestStatus: (peer) => p2p.requestStatus(peer),
      createBlockSyncer: (options) => p2p.createBlockSyncer(options),
    };
    this.sync = new NodeBlockSync(peers, host, {
      checkIntervalMs: this.syncCheckMs,
      catchUpDelayMs: Math.max(50, Math.floor(this.syncCheckMs / 4)),
      logger: this.log.child({ module: "sync" }),
      ...(this.onSyncProgress === undefined ? {} : { onProgress: this.onSyncProgress }),
    });
    await this.p2p.start();
    await this.p2p.libp2p.handle(CONSENSUS_STATE_PROTOCOL, (stream, conn) => this.serveState(stream, conn), {
      maxInboundStreams: 4,
    });
    this.offPeer = this.p2p.on("peerConnected", (info) => {
      const h = this.host?.consensus?.state.height;
      if (h !== undefined && h > 0n) void this.pullState(info.peerId, h);
    });
    this.sync.start();
    this.stallTimer = setInterval(() => this.checkStall(), this.syncCheckMs);
    this.stallTimer.unref();
    this.log.info("p2p listening", { addrs: this.p2p.multiaddrs().join(" "), nodeId: this.p2p.nodeId });
  }

  /** Runs a catch-up check now (and a sync when a peer is ahead); resolves when it is done. */
  catchUp(): Promise<void> {
    this.pollGate.want();
    return this.sync?.check(true) ?? Promise.resolve();
  }

  // NodeNetwork ----------------------------------------------------------------------------------

  broadcastVote(vote: Vote): void {
    this.publish({ type: "vote", vote });
  }

  broadcastProposal(proposal: Proposal, block: Uint8Array): void {
    this.publish({ type: "proposal", proposal, block });
  }

  /** Gossips an admitted tx (batched with others for a few ms by the p2p layer). */
  broadcastTx(tx: Uint8Array): void {
    if (this.closed || this.host === undefined) return;
    this.p2p.broadcastTx(tx);
  }

  heightStarted(height: number): void {
    const h = BigInt(height);
    const ready = this.future.get(h) ?? [];
    for (const k of [...this.future.keys()]) {
      if (k <= h) {
        this.futureCount -= this.future.get(k)!.length;
        this.future.delete(k);
      }
    }
    for (const m of ready) this.deliver(m);
  }

  // ----------------------------------------------------------------------------------------------

  private publish(msg: ConsensusMessage): void {
    if (this.closed || this.host === undefined) return;
    this.p2p.publish("consensus", msg).catch((e: unknown) => this.publishFailed("consensus", e));
  }

  private publishFailed(channel: string, e: unknown): void {
    if (this.closed) return;
    this.log.debug("publish failed", { channel, error: (e as Error).message, code: isCodedError(e) ? e.code : "" });
  }

  private deliver(m: ConsensusMessage): void {
    this.host?.handleConsensusEvent(
      m.type === "vote" ? { type: "vote", vote: m.vote } : { type: "proposal", proposal: m.proposal, block: m.block },
    );
  }

  private onConsensus(m: ConsensusMessage): Verdict {
    const host = this.host;
    if (host === undefined || this.closed) return "ignore";
    const height = m.type === "vote" ? m.vote.height : m.proposal.height;
    const current = host.consensus?.state.height ?? 0n;
    const stored = BigInt(host.blockStore.height);
    // A precommit for the decided height that is still in timeout_commit joins its seen commit.
    if (height === current && height === stored && m.type === "vote" && m.vote.type === SignedMsgType.Precommit) {
      this.deliver(m);
      return "accept";
    }
    if (height <= stored) return "ignore"; // decided already
    if (height === current) {
      this.deliver(m);
      return "accept";
    }
    if (height < current) return "ignore";
    // A height consensus has not started: keep the message for it.
    if (height <= stored + FUTURE_HEIGHTS && this.futureCount < MAX_FUTURE_MESSAGES) {
      const list = this.future.get(height) ?? [];
      list.push(m);
      this.future.set(height, list);
      this.futureCount++;
    }
    if (height === stored + 1n) host.wakeHeight(Number(height));
    // Two heights past the one under way: this node has fallen behind (one past is common for a
    // moment: a peer decided first; the periodic check covers it when it lasts).
    else if (height >= stored + 3n) {
      this.pollGate.want();
      this.sync?.catchUpSoon();
    }
    return "accept";
  }

  /** A height whose round and step have not moved since the last check pulls its peers' messages. */
  private checkStall(): void {
    if (++this.ticks % 5 === 0) {
      const st = this.p2p.stats();
      this.log.debug("p2p stats", {
        peers: st.peers,
        queued: st.queue.queued,
        dropped: st.queue.droppedFull,
        accepted: st.gossip.accepted,
        ignored: st.gossip.ignored,
        pulled: this.pulledMessages,
        synced: this.syncedBlocks,
      });
    }
    const s = this.host?.consensus?.state;
    if (s === undefined || s.height === 0n || s.decision !== null || this.closed) return;
    const now: Progress = { height: s.height, round: s.round, step: s.step };
    const last = this.lastProgress;
    this.lastProgress = now;
    if (last === undefined || last.height !== now.height || last.round !== now.round || last.step !== now.step) return;
    this.pollGate.want();
    for (const peer of this.p2p.syncPeers()) void this.pullState(peer, s.height);
  }

  private async serveState(stream: Stream, conn: Connection): Promise<void> {
    const peer = conn.remotePeer.toString();
    try {
      await withStreamDeadline(stream, STATE_REQUEST_TIMEOUT_MS, async (signal) => {
        if (!this.p2p.isVerified(peer)) throw new NodeError("NODE_INVALID_OPTIONS", "handshake not completed");
        const frame = await new FrameReader(stream, 64).next();
        if (frame === undefined) throw new NodeError("NODE_INVALID_OPTIONS", "no request");
        const height = decodeStateRequest(frame);
        const s = this.host?.consensus?.state;
        if (s !== undefined && s.height === height) {
          for (const m of heldMessages(s)) await writeFrame(stream, encodeConsensusMessage(m), signal);
        }
        await stream.close({ signal });
      });
    } catch (e) {
      this.log.debug("consensus state request failed", { peer, error: (e as Error).message });
      stream.abort(e instanceof Error ? e : new Error(String(e)));
    }
  }

  private async pullState(peer: string, height: bigint): Promise<void> {
    if (this.closed) return;
    let stream: Stream;
    try {
      stream = await this.p2p.libp2p.dialProtocol(peerIdFromString(peer), CONSENSUS_STATE_PROTOCOL, {
        signal: AbortSignal.timeout(STATE_REQUEST_TIMEOUT_MS),
      });
    } catch (e) {
      this.log.debug("cannot pull consensus state", { peer, error: (e as Error).message });
      return;
    }
    try {
      await withStreamDeadline(stream, STATE_REQUEST_TIMEOUT_MS, async (signal) => {
        await writeFrame(stream, encodeStateRequest(height), signal);
        await stream.close({ signal });
        const reader = new FrameReader(stream, MAX_STATE_FRAME_BYTES);
        for (;;) {
          const frame = await reader.next();
          if (frame === undefined) break;
          const m = decodeConsensusMessage(frame);
          this.pulledMessages++;
          this.onConsensus(m);
        }
      });
    } catch (e) {
      stream.abort(e instanceof Error ? e : new Error(String(e)));
      this.log.debug("consensus state pull failed", { peer, error: (e as Error).message });
      if (isCodedError(e) && e.code.startsWith("CODEC_")) this.p2p.penalize(peer, "gossipDecode");
    }
  }

  /**
   * A peer's batch of txs: each one through the mempool (CheckTx). The batch is relayed when at least
   * one of its txs was new and admitted here; refused txs are not the relaying peer's fault (a peer
   * with another mempool state may have admitted them), so they never count against it.
   */
  private onTxs(txs: readonly Uint8Array[]): Verdict {
    const host = this.host;
    if (host === undefined || this.closed) return "ignore";
    let admitted = false;
    for (const tx of txs) {
      // A refusal (duplicate, full pool, oversized) is not the relaying peer's fault either; it comes
      // back as a value (no error, no stack trace, per duplicate).
      try {
        const r = host.mempool.tryAdd(tx);
        if (!("refused" in r) && r.outcome.ok) admitted = true;
      } catch (e) {
        this.log.debug("mempool check of a gossiped tx threw", { error: (e as Error).message });
      }
    }
    return admitted ? "accept" : "ignore";
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.stallTimer !== undefined) clearInterval(this.stallTimer);
    this.offPeer?.();
    await this.sync?.close();
    if (this.host !== undefined) await this.p2p.stop();
    this.future.clear();
  }
}
