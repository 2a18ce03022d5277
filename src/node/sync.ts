/**
 * Block sync into the node: what it serves to peers (a stored block with its seen commit) and how it
 * catches up (fetch the missing heights from peers, verify each block's chain link and commit, execute
 * it as a decided block). See README.md, "Several validators".
 *
 * ```
 * every checkIntervalMs, or soon after a peer's message for a height ≥ ours + 2:
 *   status of every peer ─► a peer is ≥ 2 ahead, or 1 ahead for 3 checks without moving ─► BlockSyncer.run()
 *     └► per height, in order: decode ─► header (chain id, height, last block id, app hash, hashes)
 *          ─► verifyCommit(validatorsAt(h)) ─► node.applySyncedBlock ─► consensus starts h + 1
 * ```
 */
import { blockIdsEqual, NIL_BLOCK_ID, type BlockId, type Commit } from "../codec/consensus.ts";
import { encodeCommit } from "../codec/consensus.ts";
import { decodeFields, field, ProtoWriter } from "../codec/protobuf.ts";
import { commitHash, validatorSetHash, verifyCommit, type ValidatorSet } from "../consensus/index.ts";
import type { BlockProvider, PeerStatus, BlockSyncerOptions, SyncProgress, SyncResult } from "../p2p/index.ts";
import { bytesEqual } from "../primitives/bytes.ts";
import { isCodedError } from "../primitives/errors.ts";
import { toHex } from "../primitives/hex.ts";
import type { Logger } from "../primitives/observability.ts";
import { blockIdOf, dataHash, decodeBlock, decodeCommit } from "./blockCodec.ts";
import type { BlockStore } from "./blockStore.ts";
import { NodeError } from "./errors.ts";

/** A block as block sync carries it: `SyncedBlock {1 bytes block (tendermint.types.Block), 2 Commit seen_commit}`. */
export interface SyncedBlock {
  readonly block: Uint8Array;
  readonly commit: Commit;
}

export function encodeSyncedBlock(b: SyncedBlock): Uint8Array {
  return new ProtoWriter().bytes(1, b.block).message(2, encodeCommit(b.commit)).finish();
}

/** Decodes an untrusted `SyncedBlock`; a coded error for anything else. */
export function decodeSyncedBlock(bytes: Uint8Array): SyncedBlock {
  let block: Uint8Array | undefined;
  let commit: Commit | undefined;
  decodeFields(bytes, "SyncedBlock", {
    1: field.bytes((v) => (block = v.slice())),
    2: field.message(decodeCommit, (v) => (commit = v)),
  });
  if (block === undefined || block.length === 0)
    throw new NodeError("NODE_SYNC_INVALID_BLOCK", "SyncedBlock without block");
  if (commit === undefined) throw new NodeError("NODE_SYNC_INVALID_BLOCK", "SyncedBlock without commit");
  return { block, commit };
}

/** What block sync needs from the node (the `Node` class has it). */
export interface SyncHost {
  readonly chainId: string;
  readonly genesis: { readonly initialHeight: number };
  readonly blockStore: BlockStore;
  readonly app: { readonly lastAppHash: Uint8Array };
  readonly halted: Error | undefined;
  validatorsAt(height: number): ValidatorSet;
  applySyncedBlock(height: number, blockId: BlockId, block: Uint8Array, commit: Commit): void;
}

/** What block sync needs from the p2p layer (`P2PNode` has it). */
export interface SyncPeers {
  syncPeers(): readonly string[];
  requestStatus(peer: string): Promise<PeerStatus>;
  createBlockSyncer(options: BlockSyncerOptions): { run(): Promise<SyncResult> };
}

/** The block provider the p2p layer serves: stored blocks with their seen commits. */
export function blockProviderOf(store: BlockStore): BlockProvider {
  return {
    status: () => ({ base: BigInt(store.base), latest: BigInt(store.height) }),
    getBlock: (height) => {
      if (height > BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
      const h = Number(height);
      const block = store.blockBytes(h);
      const commit = store.seenCommit(h);
      return block === undefined || commit === undefined ? undefined : encodeSyncedBlock({ block, commit });
    },
  };
}

function refuse(height: number, why: string): never {
  throw new NodeError("NODE_SYNC_INVALID_BLOCK", `synced block ${height}: ${why}`);
}

/**
 * Verifies a synced block against the node's state (it must be the next height) and executes it.
 * A height the node already has is skipped (consensus got there first).
 */
export function verifyAndApplySyncedBlock(host: SyncHost, height: number, bytes: Uint8Array): void {
  const store = host.blockStore;
  if (height <= store.height) return;
  if (height !== store.height + 1) refuse(height, `the node is at ${store.height}`);
  const { block: blockBytes, commit } = decodeSyncedBlock(bytes);
  const block = decodeBlock(blockBytes);
  const h = block.header;
  if (h.chainId !== host.chainId) refuse(height, `chain id ${h.chainId}`);
  if (h.height !== BigInt(height)) refuse(height, `header height ${h.height}`);
  const initial = height === host.genesis.initialHeight;
  const lastBlockId = initial ? NIL_BLOCK_ID : store.blockId(height - 1);
  if (lastBlockId === undefined || !blockIdsEqual(h.lastBlockId, lastBlockId)) refuse(height, "last block id");
  if (!bytesEqual(h.appHash, host.app.lastAppHash)) {
    refuse(height, `app hash ${toHex(h.appHash)} is not ours (${toHex(host.app.lastAppHash)})`);
  }
  if (!bytesEqual(h.dataHash, dataHash(block.txs))) refuse(height, "data hash");
  if (!bytesEqual(h.lastCommitHash, commitHash(block.lastCommit))) refuse(height, "last commit hash");
  const validators = host.validatorsAt(height);
  if (!bytesEqual(h.validatorsHash, validatorSetHash(validators))) refuse(height, "validators hash");
  const blockId = blockIdOf(h, blockBytes);
  try {
    verifyCommit(host.chainId, validators, blockId, BigInt(height), commit);
    if (!initial) {
      verifyCommit(host.chainId, host.validatorsAt(height - 1), lastBlockId, BigInt(height - 1), block.lastCommit);
    }
  } catch (e) {
    refuse(height, `commit: ${(e as Error).message}`);
  }
  host.applySyncedBlock(height, blockId, blockBytes, commit);
}

/** Checks in a row one height behind, without moving, before block sync takes over. */
const LAG_CHECKS = 3;

export interface BlockSyncOptions {
  /** How often peers' heights are checked (ms). */
  readonly checkIntervalMs: number;
  /** Delay before a catch-up asked for by a message from a later height (ms). */
  readonly catchUpDelayMs: number;
  readonly logger: Logger;
  /** Called as blocks are applied during a sync run. */
  readonly onProgress?: (p: SyncProgress) => void;
}

/**
 * Keeps the node caught up: polls the peers' heights and runs the `BlockSyncer` when the node is
 * behind. One run at a time.
 */
export class NodeBlockSync {
  private timer: ReturnType<typeof setInterval> | undefined;
  private soon: ReturnType<typeof setTimeout> | undefined;
  private running: Promise<void> | undefined;
  private behindAt: number | undefined;
  private lagChecks = 0;
  private closed = false;
  private readonly abort = new AbortController();
  /** Blocks applied by sync so far (diagnostics and tests). */
  appliedBlocks = 0;

  constructor(
    private readonly peers: SyncPeers,
    private readonly host: SyncHost,
    private readonly options: BlockSyncOptions,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.check(false), this.options.checkIntervalMs);
    this.timer.unref();
  }

  /** A peer's message shows the node is behind: check (and sync) shortly. */
  catchUpSoon(): void {
    if (this.closed || this.soon !== undefined || this.running !== undefined) return;
    this.soon = setTimeout(() => {
      this.soon = undefined;
      void this.check(true);
    }, this.options.catchUpDelayMs);
    this.soon.unref();
  }

  /** Checks the peers now and syncs when they are ahead; resolves when done. */
  async check(urgent: boolean): Promise<void> {
    if (this.closed || this.running !== undefined || this.host.halted !== undefined) return;
    const run = this.checkAndSync(urgent).finally(() => (this.running = undefined));
    this.running = run;
    await run;
  }

  private async checkAndSync(urgent: boolean): Promise<void> {
    const ours = this.host.blockStore.height;
    const statuses = await Promise.all(
      this.peers.syncPeers().map((p) => this.peers.requestStatus(p).catch(() => undefined)),
    );
    let latest = 0n;
    for (const s of statuses) if (s !== undefined && s.latest > latest) latest = s.latest;
    if (latest <= BigInt(ours)) {
      this.behindAt = undefined;
      return;
    }
    // One height behind is normal for a moment (a peer committed first, or this node is slow): act
    // when it is two or more, or when this node's height has not moved for LAG_CHECKS checks.
    this.lagChecks = this.behindAt === ours ? this.lagChecks + 1 : 1;
    this.behindAt = ours;
    if (!urgent && this.lagChecks < LAG_CHECKS && latest < BigInt(ours) + 2n) return;
    this.options.logger.info("block sync", { from: ours + 1, target: Number(latest) });
    try {
      const result = await this.peers
        .createBlockSyncer({
          fromHeight: BigInt(ours + 1),
          apply: async (height, bytes) => {
            verifyAndApplySyncedBlock(this.host, Number(height), bytes);
            this.appliedBlocks++;
          },
          batchSize: 16,
          parallelism: 2,
          signal: this.abort.signal,
          ...(this.options.onProgress === undefined ? {} : { onProgress: this.options.onProgress }),
        })
        .run();
      this.options.logger.info("block sync done", { height: Number(result.height), blocks: result.appliedBlocks });
    } catch (e) {
      if (!this.closed) {
        this.options.logger.warn("block sync stopped", {
          error: (e as Error).message,
          code: isCodedError(e) ? e.code : "",
        });
      }
    }
    this.behindAt = undefined;
    this.lagChecks = 0;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer !== undefined) clearInterval(this.timer);
    if (this.soon !== undefined) clearTimeout(this.soon);
    this.abort.abort();
    await this.running?.catch(() => {});
  }
}
