/** Options of the p2p layer: defaults, test defaults and validation. None of them can change consensus. */
import type { Clock, Logger, Metrics } from "../primitives/observability.ts";
import { silentLogger } from "../primitives/observability.ts";
import { CHANNELS, type ChannelName } from "./channels.ts";
import { P2PError } from "./errors.ts";
import type { NodeKey } from "./identity.ts";
import type { QueueOptions } from "./queue.ts";
import type { TxBatchOptions } from "./txBatch.ts";
import { DEFAULT_SCORE_OPTIONS, OFFENCES, type ScoreOptions } from "./score.ts";

/** CometBFT's default `max_block_size_bytes` (21 MiB): the largest block a proposal may carry. */
export const DEFAULT_MAX_BLOCK_BYTES = 22_020_096;

export interface SyncOptions {
  /** Deadline of one request (status or a batch of blocks), from opening the stream to its end. */
  readonly requestTimeoutMs: number;
  /** Largest frame accepted on the request/response protocol. */
  readonly maxFrameBytes: number;
  /** The most blocks a server sends for one `getBlocks` request. */
  readonly maxBlocksPerRequest: number;
  /** Concurrent inbound sync streams per connection. */
  readonly maxInboundStreams: number;
}

/** A relay delay range (ms, integers, `0 ≤ minMs ≤ maxMs`). */
export interface RelayDelayOptions {
  readonly minMs: number;
  readonly maxMs: number;
}

export interface P2POptions {
  readonly chainId: string;
  /** sha256 of the genesis file; peers with another one are refused. */
  readonly genesisHash: Uint8Array;
  readonly nodeKey: NodeKey;
  readonly moniker: string;
  /** Listen address (`127.0.0.1` for localnets and tests; `0.0.0.0` to accept remote peers). */
  readonly listenHost: string;
  /** 0 picks a free port (tests). */
  readonly listenPort: number;
  /** `/ip4/…/tcp/…/p2p/<peer id>` multiaddrs, or CometBFT's `<node id>@host:port`. */
  readonly persistentPeers: readonly string[];
  /** Redial backoff of persistent peers: doubles from min to max, ±20 % jitter. */
  readonly redialMinMs: number;
  readonly redialMaxMs: number;
  /** Largest accepted gossip message per channel (encoded bytes). */
  readonly maxMessageBytes: Readonly<Record<ChannelName, number>>;
  readonly queue: QueueOptions;
  /** Outbound tx gossip batching (`broadcastTx`); `maxBytes` is capped by `maxMessageBytes.txs`. */
  readonly txBatch: TxBatchOptions;
  /**
   * How long an accepted consensus message from a peer waits before gossipsub relays it: a delay drawn
   * per message from `[minMs, maxMs]`. On a full mesh every peer got the message from its signer
   * already; the first of them to relay reaches the others before their own delays end, and gossipsub
   * skips a peer that sent it the message, so most relayed copies are never sent (each message is sent
   * about 2 × n − 3 instead of (n − 1)² times for n nodes). A node that only a relay reaches gets the
   * message up to `maxMs` later per hop. `{0, 0}` relays at once.
   */
  readonly consensusRelay: RelayDelayOptions;
  readonly score: ScoreOptions;
  /** How long a refused peer (wrong chain, bad handshake) stays refused. */
  readonly refuseDurationMs: number;
  readonly handshakeTimeoutMs: number;
  /** gossipsub heartbeat (mesh maintenance); 1000 ms in production, shorter in tests. */
  readonly heartbeatIntervalMs: number;
  /** gossipsub's IP-colocation penalty; off by default because localnets put every node on one IP. */
  readonly ipColocationPenalty: boolean;
  readonly sync: SyncOptions;
  readonly logger: Logger;
  /** Counters and gauges (names in README.md); none when undefined. */
  readonly metrics: Metrics | undefined;
  readonly clock: Clock;
}

export type P2POptionsInput = Pick<P2POptions, "chainId" | "genesisHash" | "nodeKey"> & Partial<P2POptions>;

const systemClock: Clock = { nowMs: () => Date.now() };

export function defaultP2POptions(input: P2POptionsInput): P2POptions {
  return {
    moniker: "scrt-node",
    listenHost: "0.0.0.0",
    listenPort: 26656,
    persistentPeers: [],
    redialMinMs: 1000,
    redialMaxMs: 60_000,
    maxMessageBytes: { txs: 1_048_576, consensus: DEFAULT_MAX_BLOCK_BYTES + 65_536, evidence: 65_536 },
    queue: { maxPerPeer: 512, concurrency: 16 },
    txBatch: { maxDelayMs: 20, maxTxs: 1000, maxBytes: 256 * 1024, relayDelayMs: 50 },
    consensusRelay: { minMs: 2, maxMs: 20 },
    score: DEFAULT_SCORE_OPTIONS,
    refuseDurationMs: 60_000,
    handshakeTimeoutMs: 10_000,
    heartbeatIntervalMs: 1000,
    ipColocationPenalty: false,
    sync: {
      requestTimeoutMs: 15_000,
      maxFrameBytes: DEFAULT_MAX_BLOCK_BYTES + 1024,
      maxBlocksPerRequest: 32,
      maxInboundStreams: 8,
    },
    logger: silentLogger,
    metrics: undefined,
    clock: systemClock,
    ...input,
  };
}

/** Defaults for tests: loopback, port 0, fast heartbeat and redial, short timeouts. */
export function testP2POptions(input: P2POptionsInput): P2POptions {
  return defaultP2POptions({
    listenHost: "127.0.0.1",
    listenPort: 0,
    redialMinMs: 50,
    redialMaxMs: 400,
    handshakeTimeoutMs: 2000,
    heartbeatIntervalMs: 100,
    refuseDurationMs: 5000,
    sync: { requestTimeoutMs: 2000, maxFrameBytes: 1_048_576, maxBlocksPerRequest: 16, maxInboundStreams: 8 },
    ...input,
  });
}

function positiveInt(name: string, v: number): void {
  if (!Number.isSafeInteger(v) || v <= 0) throw new P2PError("P2P_BAD_OPTIONS", `${name} must be a positive integer`);
}

export function validateP2POptions(o: P2POptions): P2POptions {
  if (
    typeof o.chainId !== "string" ||
    o.chainId.length === 0 ||
    o.chainId.length > 50 ||
    !/^[\w.-]+$/.test(o.chainId)
  ) {
    throw new P2PError("P2P_BAD_OPTIONS", "chainId must be 1..50 characters of [A-Za-z0-9_.-]");
  }
  if (!(o.genesisHash instanceof Uint8Array) || o.genesisHash.length !== 32) {
    throw new P2PError("P2P_BAD_OPTIONS", "genesisHash must be 32 bytes");
  }
  if (!Number.isSafeInteger(o.listenPort) || o.listenPort < 0 || o.listenPort > 65535) {
    throw new P2PError("P2P_BAD_OPTIONS", "listenPort must be 0..65535");
  }
  if (o.moniker.length > 128) throw new P2PError("P2P_BAD_OPTIONS", "moniker is longer than 128 characters");
  positiveInt("redialMinMs", o.redialMinMs);
  positiveInt("redialMaxMs", o.redialMaxMs);
  if (o.redialMaxMs < o.redialMinMs) throw new P2PError("P2P_BAD_OPTIONS", "redialMaxMs is below redialMinMs");
  for (const c of CHANNELS) positiveInt(`maxMessageBytes.${c}`, o.maxMessageBytes[c]);
  positiveInt("queue.maxPerPeer", o.queue.maxPerPeer);
  positiveInt("queue.concurrency", o.queue.concurrency);
  for (const k of ["maxDelayMs", "relayDelayMs"] as const) {
    if (!Number.isSafeInteger(o.txBatch[k]) || o.txBatch[k] < 0) {
      throw new P2PError("P2P_BAD_OPTIONS", `txBatch.${k} must be a non-negative integer`);
    }
  }
  positiveInt("txBatch.maxTxs", o.txBatch.maxTxs);
  const r = o.consensusRelay;
  if (!Number.isSafeInteger(r.minMs) || !Number.isSafeInteger(r.maxMs) || r.minMs < 0 || r.maxMs < r.minMs) {
    throw new P2PError("P2P_BAD_OPTIONS", "consensusRelay must be integers with 0 <= minMs <= maxMs");
  }
  positiveInt("txBatch.maxBytes", o.txBatch.maxBytes);
  positiveInt("handshakeTimeoutMs", o.handshakeTimeoutMs);
  positiveInt("heartbeatIntervalMs", o.heartbeatIntervalMs);
  positiveInt("refuseDurationMs", o.refuseDurationMs);
  positiveInt("sync.requestTimeoutMs", o.sync.requestTimeoutMs);
  positiveInt("sync.maxFrameBytes", o.sync.maxFrameBytes);
  positiveInt("sync.maxBlocksPerRequest", o.sync.maxBlocksPerRequest);
  positiveInt("sync.maxInboundStreams", o.sync.maxInboundStreams);
  const s = o.score;
  if (!(s.banThreshold < 0)) throw new P2PError("P2P_BAD_OPTIONS", "score.banThreshold must be negative");
  for (const off of OFFENCES) {
    if (!(s.penalties[off] <= 0)) throw new P2PError("P2P_BAD_OPTIONS", `score.penalties.${off} must be <= 0`);
  }
  if (!(s.decayFactor > 0 && s.decayFactor <= 1))
    throw new P2PError("P2P_BAD_OPTIONS", "score.decayFactor must be in (0, 1]");
  positiveInt("score.decayIntervalMs", s.decayIntervalMs);
  positiveInt("score.banDurationMs", s.banDurationMs);
  return o;
}
