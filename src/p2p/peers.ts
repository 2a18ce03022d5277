/**
 * Persistent peers: parsing the configured addresses and keeping a connection to each, redialling
 * with exponential backoff (CometBFT's `persistent_peers`).
 */
import { multiaddr, type Multiaddr } from "@multiformats/multiaddr";
import { peerIdFromString } from "@libp2p/peer-id";
import { P2PError } from "./errors.ts";

export interface PeerAddress {
  /** What libp2p dials. */
  readonly multiaddr: Multiaddr;
  /** The libp2p peer id when the address names it (`/p2p/<id>`). */
  readonly peerId?: string;
  /** The CometBFT node id when given as `<node id>@host:port`; checked against the peer's key on connect. */
  readonly nodeId?: string;
  /** The text as configured. */
  readonly text: string;
}

/**
 * Parses `/ip4/1.2.3.4/tcp/26656/p2p/12D3KooW…` (the peer id is required) or CometBFT's
 * `<40 hex node id>@host:port` (host: IPv4, `[IPv6]` or a DNS name).
 */
export function parsePeerAddress(text: string): PeerAddress {
  const trimmed = text.trim();
  if (trimmed.startsWith("/")) {
    let ma: Multiaddr;
    try {
      ma = multiaddr(trimmed);
    } catch (e) {
      throw new P2PError("P2P_BAD_PEER_ADDRESS", `not a multiaddr: ${trimmed} (${(e as Error).message})`);
    }
    const p2p = ma.getComponents().find((c) => c.name === "p2p");
    if (p2p?.value === undefined) {
      throw new P2PError("P2P_BAD_PEER_ADDRESS", `persistent peer ${trimmed} has no /p2p/<peer id>`);
    }
    try {
      peerIdFromString(p2p.value);
    } catch {
      throw new P2PError("P2P_BAD_PEER_ADDRESS", `persistent peer ${trimmed}: invalid peer id`);
    }
    return { multiaddr: ma, peerId: p2p.value, text: trimmed };
  }
  const m = /^([0-9a-fA-F]{40})@(\[[0-9a-fA-F:.]+\]|[^:@/\s]+):(\d{1,5})$/.exec(trimmed);
  if (m === null) {
    throw new P2PError("P2P_BAD_PEER_ADDRESS", `peer address must be a multiaddr or <node id>@host:port: ${trimmed}`);
  }
  const nodeId = m[1]!.toLowerCase();
  const host = m[2]!;
  const port = Number(m[3]);
  if (port < 1 || port > 65535) throw new P2PError("P2P_BAD_PEER_ADDRESS", `bad port in ${trimmed}`);
  let proto: string;
  let hostValue = host;
  if (host.startsWith("[")) {
    proto = "ip6";
    hostValue = host.slice(1, -1);
  } else if (/^\d{1,3}(\.\d{1,3}){3}$/.test(host)) {
    proto = "ip4";
  } else {
    proto = "dns4";
  }
  let ma: Multiaddr;
  try {
    ma = multiaddr(`/${proto}/${hostValue}/tcp/${port}`);
  } catch {
    throw new P2PError("P2P_BAD_PEER_ADDRESS", `bad host in ${trimmed}`);
  }
  return { multiaddr: ma, nodeId, text: trimmed };
}

interface Entry {
  readonly address: PeerAddress;
  /** The peer id, known from the address or learnt on the first connection. */
  peerId: string | undefined;
  attempt: number;
  timer: ReturnType<typeof setTimeout> | undefined;
  dialing: boolean;
}

export interface RedialOptions {
  readonly minMs: number;
  readonly maxMs: number;
}

/**
 * Keeps persistent peers connected. `dial` connects and returns the remote peer id (libp2p's dial); a
 * failure, or a later disconnect, schedules a redial after `min(maxMs, minMs × 2^attempt)` ± 20 %. The
 * backoff resets only when the peer passes the handshake (`onVerified`), so a peer that connects and is
 * then refused is redialled ever more slowly.
 */
export class PersistentPeers {
  private readonly entries: Entry[];
  private stopped = true;

  constructor(
    addresses: readonly PeerAddress[],
    private readonly dial: (address: PeerAddress) => Promise<string>,
    private readonly options: RedialOptions,
    private readonly onDialError: (address: PeerAddress, err: unknown) => void = () => {},
  ) {
    this.entries = addresses.map((address) => ({
      address,
      peerId: address.peerId,
      attempt: 0,
      timer: undefined,
      dialing: false,
    }));
  }

  start(): void {
    this.stopped = false;
    for (const e of this.entries) void this.dialNow(e);
  }

  stop(): void {
    this.stopped = true;
    for (const e of this.entries) {
      if (e.timer !== undefined) clearTimeout(e.timer);
      e.timer = undefined;
    }
  }

  /** True when `peerId` is one of the persistent peers. */
  isPersistent(peerId: string): boolean {
    return this.entries.some((e) => e.peerId === peerId);
  }

  /** The expected node id for a peer dialled by `<node id>@host:port`, if any. */
  expectedNodeId(peerId: string): string | undefined {
    return this.entries.find((e) => e.peerId === peerId)?.address.nodeId;
  }

  onVerified(peerId: string): void {
    for (const e of this.entries) if (e.peerId === peerId) e.attempt = 0;
  }

  onDisconnected(peerId: string): void {
    for (const e of this.entries) if (e.peerId === peerId) this.schedule(e);
  }

  private async dialNow(e: Entry): Promise<void> {
    if (this.stopped || e.dialing) return;
    e.timer = undefined;
    e.dialing = true;
    try {
      const remote = await this.dial(e.address);
      e.peerId ??= remote;
    } catch (err) {
      this.onDialError(e.address, err);
      this.schedule(e);
    } finally {
      e.dialing = false;
    }
  }

  private schedule(e: Entry): void {
    if (this.stopped || e.timer !== undefined) return;
    const base = Math.min(this.options.maxMs, this.options.minMs * 2 ** Math.min(e.attempt, 30));
    const delay = Math.round(base * (0.8 + 0.4 * Math.random()));
    e.attempt++;
    e.timer = setTimeout(() => void this.dialNow(e), delay);
  }
}
