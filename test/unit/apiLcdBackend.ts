/**
 * A test double of the node for the LCD tests (on test/helpers/testBackend.ts): a real `SecretApp`
 * (in-memory store) whose blocks the double makes itself, right after each broadcast by default, and
 * tx searches in a small subset of the CometBFT query language (`type.key='value'`, `tx.height=N`,
 * `tx.hash='HEX'`, joined by AND).
 */
import { createHash } from "node:crypto";
import type { BlockRecord, IndexedTx, SearchOptions, SearchResult, ValidatorRecord } from "../../src/api/backend.ts";
import type { SecretApp, TxResult } from "../../src/app/index.ts";
import type { BlockId, Commit, Header, Timestamp } from "../../src/codec/consensus.ts";
import { toHex } from "../../src/primitives/hex.ts";
import { type NewBlockInput, TestBackendBase, pageOf } from "../helpers/testBackend.ts";

const sha = (...parts: Array<Uint8Array | string>): Uint8Array => {
  const h = createHash("sha256");
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
};

export const VALIDATOR: ValidatorRecord = {
  address: sha("validator key").subarray(0, 20),
  pubKey: sha("validator pubkey"),
  votingPower: 10n,
  proposerPriority: 0n,
};

export interface TestBackendOptions {
  /** Produce a block (with every admitted tx) right after each broadcast; default true. */
  readonly autoBlock?: boolean;
  /** Time of block 1 in seconds; blocks are 1 s apart. */
  readonly genesisSeconds?: bigint;
}

export class TestBackend extends TestBackendBase {
  private readonly autoBlock: boolean;
  private readonly genesisSeconds: bigint;
  broadcastCount = 0;

  constructor(app: SecretApp, chainId: string, options: TestBackendOptions = {}) {
    super(app, chainId, { moniker: "lcd-test", abciData: "secret", abciVersion: "test" });
    this.autoBlock = options.autoBlock ?? true;
    this.genesisSeconds = options.genesisSeconds ?? 1_735_689_600n;
  }

  protected blockTime(height: number): { timeNanos: bigint; headerTime: Timestamp } {
    const seconds = this.genesisSeconds + BigInt(height);
    const nanos = 123_456_000 + height; // never a whole microsecond: exercises the 9-digit rendering
    return { timeNanos: seconds * 1_000_000_000n + BigInt(nanos), headerTime: { seconds, nanos } };
  }

  protected buildBlock(
    { height, prev, prevAppHash }: NewBlockInput,
    time: Timestamp,
  ): { header: Header; blockId: BlockId; lastCommit: Commit } {
    const header: Header = {
      version: { block: 11n, app: 0n },
      chainId: this.chainId,
      height: BigInt(height),
      time,
      lastBlockId: prev?.blockId ?? { hash: new Uint8Array(0), partSetHeader: { total: 0, hash: new Uint8Array(0) } },
      lastCommitHash: sha("last commit", String(height)),
      dataHash: sha("data", String(height)),
      validatorsHash: sha("validators"),
      nextValidatorsHash: sha("validators"),
      consensusHash: sha("consensus"),
      appHash: prev === undefined ? new Uint8Array(0) : prevAppHash,
      lastResultsHash: sha("results", String(height)),
      evidenceHash: sha("evidence"),
      proposerAddress: VALIDATOR.address,
      encryptedRandom: { random: sha("random", String(height)), proof: sha("proof", String(height)) },
    };
    const lastCommit: Commit = {
      height: BigInt(height - 1),
      round: 0,
      blockId: header.lastBlockId,
      signatures:
        prev === undefined
          ? []
          : [
              {
                blockIdFlag: 2,
                validatorAddress: VALIDATOR.address,
                timestamp: header.time,
                signature: sha("sig", String(height)),
              },
            ],
    };
    const blockId = {
      hash: sha("block", String(height)),
      partSetHeader: { total: 1, hash: sha("parts", String(height)) },
    };
    return { header, blockId, lastCommit };
  }

  protected scheduleBlock(): void {
    if (this.autoBlock) setImmediate(() => this.produceBlock());
  }

  protected validator(): ValidatorRecord {
    return VALIDATOR;
  }

  override broadcastTx(tx: Uint8Array) {
    this.broadcastCount++;
    return super.broadcastTx(tx);
  }

  peers(): [] {
    return [];
  }

  genesis(): unknown {
    return { chain_id: this.chainId };
  }

  commit(height?: number): Commit | undefined {
    const h = height ?? this.app.lastHeight;
    return this.block(h + 1)?.lastCommit;
  }

  validators(height?: number): { height: number; validators: ValidatorRecord[] } | undefined {
    const h = height ?? this.app.lastHeight;
    if (h < 1 || h > this.app.lastHeight) return undefined;
    return { height: h, validators: [VALIDATOR] };
  }

  searchTxs(query: string, options: SearchOptions = {}): SearchResult<IndexedTx> {
    const conditions = query.split(/\s+AND\s+/).map((c) => {
      const m = /^\s*([\w.]+)\s*=\s*(?:'([^']*)'|(\d+))\s*$/.exec(c);
      if (m === null) throw new Error(`invalid query condition: ${c}`);
      return { key: m[1]!, value: m[2] ?? m[3]! };
    });
    const matches = this.indexed.filter((t) =>
      conditions.every(({ key, value }) => {
        if (key === "tx.height") return String(t.height) === value;
        if (key === "tx.hash") return toHex(t.hash).toUpperCase() === value.toUpperCase();
        const dot = key.indexOf(".");
        const type = key.slice(0, dot);
        const attr = key.slice(dot + 1);
        return t.result.events.some(
          (e) => e.type === type && e.attributes.some((a) => a.key === attr && a.value === value),
        );
      }),
    );
    return pageOf(matches, options, 100);
  }

  searchBlocks(): SearchResult<BlockRecord> {
    return { items: [], total: 0 };
  }

  checkTx(tx: Uint8Array): TxResult {
    return this.app.checkTx(tx);
  }

  async waitForTx(hash: Uint8Array): Promise<IndexedTx | undefined> {
    return this.tx(hash);
  }
}
