/**
 * What the block store's unit tests share: a one-validator set, headers and commits for any height,
 * tx results with given events, and saving a chain of blocks with their results at heights 1….
 */
import fc from "fast-check";
import type { AppEvent, TxResult } from "../../src/app/index.ts";
import { NIL_BLOCK_ID, type Commit, type Header } from "../../src/codec/consensus.ts";
import { createValidatorSet } from "../../src/consensus/index.ts";
import { ed25519PublicKey, sha256 } from "../../src/crypto/index.ts";
import { blockIdOf, emptyCommit, encodeBlock } from "../../src/node/blockCodec.ts";
import type { BlockStore, StoredResults } from "../../src/node/blockStore.ts";

/** Records with a plain prototype (deepEqual compares prototypes). */
export const record = <T>(model: { [K in keyof T]: fc.Arbitrary<T[K]> }): fc.Arbitrary<T> =>
  fc.record(model, { noNullPrototype: true });

export const vals = createValidatorSet([{ pubKey: ed25519PublicKey(new Uint8Array(32).fill(1)), votingPower: 10n }]);

export function header(height: number): Header {
  const b = (fill: number): Uint8Array => new Uint8Array(32).fill(fill);
  return {
    version: { block: 11n, app: 0n },
    chainId: "secretdev-1",
    height: BigInt(height),
    time: { seconds: 1_700_000_000n + BigInt(height), nanos: 0 },
    lastBlockId: NIL_BLOCK_ID,
    lastCommitHash: b(3),
    dataHash: b(4),
    validatorsHash: b(5),
    nextValidatorsHash: b(5),
    consensusHash: b(6),
    appHash: b(7),
    lastResultsHash: b(8),
    evidenceHash: b(9),
    proposerAddress: new Uint8Array(20).fill(10),
  };
}

export const commitOf = (height: number): Commit => ({ ...emptyCommit(), height: BigInt(height) });

export const result = (events: AppEvent[]): TxResult => ({
  code: 0,
  codespace: "",
  log: "",
  info: "",
  gasWanted: 10n,
  gasUsed: 5n,
  events,
  data: new Uint8Array(0),
});

export interface ChainBlock {
  readonly txs: readonly Uint8Array[];
  readonly results: StoredResults;
}

/**
 * Saves `blocks` at heights 1… (block + results in one save, as the node does); `withHashes`: the
 * txs' hashes given by the caller, as the node gives them.
 */
export function saveAll(store: BlockStore, blocks: readonly ChainBlock[], withHashes = false): void {
  blocks.forEach((b, i) => {
    const h = i + 1;
    const bytes = encodeBlock({ header: header(h), txs: b.txs, evidence: [], lastCommit: emptyCommit() });
    store.saveBlock(h, bytes, blockIdOf(header(h), bytes), commitOf(h), vals, {
      txs: b.txs,
      results: b.results,
      ...(withHashes ? { txHashes: b.txs.map((tx) => sha256(tx)) } : {}),
    });
  });
}
