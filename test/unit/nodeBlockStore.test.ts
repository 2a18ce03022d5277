/**
 * The node's block codec (CometBFT `Block` protobuf), the event query language, and the block store's
 * indexes and search on an in-memory database.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import type { TxResult } from "../../src/app/index.ts";
import { BlockIdFlag, encodeHeader, NIL_BLOCK_ID, type Commit, type Header } from "../../src/codec/consensus.ts";
import { createValidatorSet, headerHash, merkleRoot } from "../../src/consensus/index.ts";
import { ed25519PublicKey, sha256 } from "../../src/crypto/index.ts";
import {
  blockIdOf,
  dataHash,
  decodeBlock,
  decodeCommit,
  emptyCommit,
  encodeBlock,
  resultsHash,
} from "../../src/node/blockCodec.ts";
import { BlockStore, decodeResults, encodeResults, eventKey } from "../../src/node/blockStore.ts";
import { toCanonicalJson } from "../../src/consensus/index.ts";
import { concatBytes, utf8Encode } from "../../src/primitives/bytes.ts";
import { matchValue, parseQuery } from "../../src/node/query.ts";
import { isCodedError } from "../../src/primitives/errors.ts";
import { createMemoryDatabase } from "../../src/store/index.ts";

const bytes = (n: number, fill: number): Uint8Array => new Uint8Array(n).fill(fill);

function header(height: bigint, over: Partial<Header> = {}): Header {
  return {
    version: { block: 11n, app: 0n },
    chainId: "secretdev-1",
    height,
    time: { seconds: 1_700_000_000n + height, nanos: 5 },
    lastBlockId: height === 1n ? NIL_BLOCK_ID : { hash: bytes(32, 1), partSetHeader: { total: 1, hash: bytes(32, 2) } },
    lastCommitHash: bytes(32, 3),
    dataHash: bytes(32, 4),
    validatorsHash: bytes(32, 5),
    nextValidatorsHash: bytes(32, 5),
    consensusHash: bytes(32, 6),
    appHash: bytes(32, 7),
    lastResultsHash: bytes(32, 8),
    evidenceHash: bytes(32, 9),
    proposerAddress: bytes(20, 10),
    ...over,
  };
}

const commitOf = (height: bigint): Commit => ({
  height,
  round: 0,
  blockId: { hash: bytes(32, 11), partSetHeader: { total: 1, hash: bytes(32, 12) } },
  signatures: [
    {
      blockIdFlag: BlockIdFlag.Commit,
      validatorAddress: bytes(20, 10),
      timestamp: { seconds: 5n, nanos: 6 },
      signature: bytes(64, 13),
    },
  ],
});

const ok = (events: TxResult["events"] = []): TxResult => ({
  code: 0,
  codespace: "",
  log: "",
  info: "",
  gasWanted: 200_000n,
  gasUsed: 50_000n,
  events,
  data: Uint8Array.of(1, 2),
});

const ev = (type: string, ...pairs: [string, string][]) => ({
  type,
  attributes: pairs.map(([key, value]) => ({ key, value, index: true })),
});

describe("block codec", () => {
  it("round-trips blocks, and the header hash is the block id", () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ minLength: 1, maxLength: 40 }), { maxLength: 6 }),
        fc.bigInt({ min: 1n, max: 1n << 40n }),
        (txs, height) => {
          const b = {
            header: header(height),
            txs,
            evidence: [],
            lastCommit: height === 1n ? emptyCommit() : commitOf(height - 1n),
          };
          const enc = encodeBlock(b);
          const dec = decodeBlock(enc);
          assert.deepEqual(dec.txs, txs);
          assert.deepEqual(encodeHeader(dec.header), encodeHeader(b.header));
          assert.deepEqual(dec.lastCommit, b.lastCommit);
          assert.deepEqual(blockIdOf(dec.header, enc).hash, headerHash(b.header));
          assert.deepEqual(blockIdOf(dec.header, enc).partSetHeader.hash, sha256(enc));
        },
      ),
      { numRuns: 50 },
    );
  });

  it("refuses malformed blocks with codec errors", () => {
    const enc = encodeBlock({ header: header(2n), txs: [Uint8Array.of(1)], evidence: [], lastCommit: commitOf(1n) });
    assert.throws(
      () => decodeBlock(enc.subarray(0, enc.length - 3)),
      (e: unknown) => isCodedError(e),
    );
    assert.throws(
      () => decodeBlock(Uint8Array.of(0x50, 0x01)),
      (e: unknown) => isCodedError(e),
    ); // unknown field 10
    assert.throws(() => decodeBlock(new Uint8Array(0)), /no header/);
    assert.throws(
      () => decodeCommit(Uint8Array.of(0x22, 0x02, 0x08, 0x09)),
      (e: unknown) => isCodedError(e),
    ); // flag 9
  });

  it("data and results hashes are Merkle roots of tx hashes and deterministic results", () => {
    const txs = [Uint8Array.of(1), Uint8Array.of(2, 3)];
    assert.deepEqual(dataHash(txs), merkleRoot(txs.map((t) => sha256(t))));
    assert.deepEqual(dataHash([]), sha256(new Uint8Array(0)));
    // events and logs are not part of the results hash
    const otherLog: TxResult = { ...ok(), log: "different" };
    assert.deepEqual(resultsHash([ok([ev("a", ["k", "v"])])]), resultsHash([otherLog]));
    assert.notDeepEqual(resultsHash([ok()]), resultsHash([{ ...ok(), code: 5 }]));
  });
});

describe("event query language", () => {
  it("parses conditions joined by AND", () => {
    const q = parseQuery(
      "tx.height >= 5 AND message.sender='secret1abc' AND transfer.amount CONTAINS 'uscrt' AND wasm.x EXISTS",
    );
    assert.deepEqual(
      q.map((c) => [c.key, c.op, c.operand?.value]),
      [
        ["tx.height", ">=", 5],
        ["message.sender", "=", "secret1abc"],
        ["transfer.amount", "CONTAINS", "uscrt"],
        ["wasm.x", "EXISTS", undefined],
      ],
    );
    assert.equal(parseQuery("block.time > TIME 2026-01-01T00:00:00Z")[0]?.operand?.kind, "time");
  });

  for (const bad of [
    "",
    "tx.height",
    "tx.height ==",
    "a.b = 'x' OR c.d = 'y'",
    "a.b = 'unterminated",
    "a.b CONTAINS 5",
    "= 5",
  ]) {
    it(`refuses ${JSON.stringify(bad)} with NODE_QUERY_INVALID`, () => {
      assert.throws(
        () => parseQuery(bad),
        (e: unknown) => isCodedError(e, "NODE_QUERY_INVALID"),
      );
    });
  }

  it("compares numbers as numbers and strings as strings", () => {
    const [gt] = parseQuery("x.y > 9");
    assert.equal(matchValue(gt!, "10"), true);
    assert.equal(matchValue(gt!, "abc"), false);
    const [eq] = parseQuery("x.y = '10'");
    assert.equal(matchValue(eq!, "10"), true);
    assert.equal(matchValue(eq!, "010"), false);
  });
});

describe("block store", () => {
  const vals = createValidatorSet([{ pubKey: ed25519PublicKey(bytes(32, 1)), votingPower: 10n }]);

  function storeWithBlocks(n: number): { store: BlockStore; txs: Uint8Array[][] } {
    const store = new BlockStore(createMemoryDatabase());
    const all: Uint8Array[][] = [];
    for (let h = 1; h <= n; h++) {
      const txs = Array.from({ length: h % 3 }, (_, i) => Uint8Array.of(h, i));
      all.push(txs);
      const enc = encodeBlock({
        header: header(BigInt(h)),
        txs,
        evidence: [],
        lastCommit: h === 1 ? emptyCommit() : commitOf(BigInt(h - 1)),
      });
      store.saveBlock(h, enc, blockIdOf(header(BigInt(h)), enc), commitOf(BigInt(h)), vals);
      store.saveResults(h, txs, {
        txResults: txs.map((_, i) => ok([ev("message", ["sender", `s${i}`]), ev("transfer", ["amount", `${h}uscrt`])])),
        finalizeBlockEvents: [ev("mint", ["amount", String(h * 10)])],
        validatorUpdates: [],
      });
      store.saveAppHash(h, bytes(32, h));
    }
    return { store, txs: all };
  }

  it("saves and reads blocks, commits, results and txs", () => {
    const { store, txs } = storeWithBlocks(5);
    assert.equal(store.height, 5);
    assert.equal(store.base, 1);
    const b = store.block(4)!;
    assert.deepEqual(b.txs, txs[3]);
    assert.equal(store.heightByHash(b.blockId.hash), 4);
    // canonical commit of 4 comes from block 5; of the latest, the seen commit
    assert.deepEqual(store.commit(4), commitOf(4n));
    assert.deepEqual(store.commit(5), commitOf(5n));
    // the app hash after a block is the next header's; for the latest, the one the node set or saved
    assert.deepEqual(store.blockResults(2)?.appHash, header(3n).appHash);
    assert.deepEqual(store.blockResults(5)?.appHash, bytes(32, 5));
    store.setLatestAppHash(5, bytes(32, 55));
    assert.deepEqual(store.appHash(5), bytes(32, 55));
    const tx = store.tx(sha256(Uint8Array.of(4, 0)))!;
    assert.equal(tx.height, 4);
    assert.equal(tx.index, 0);
    assert.equal(store.tx(sha256(Uint8Array.of(99))), undefined);
    assert.equal(store.block(6), undefined);
    assert.equal(store.validators(3)?.totalVotingPower, 10n);
  });

  it("searches txs by events and height, with pages and order", () => {
    const { store } = storeWithBlocks(9);
    // heights with txs: h % 3 = 1 → 1 tx, 2 → 2 txs; 6 blocks have txs, 9 txs in all
    assert.equal(store.searchTxs("tx.height > 0").total, 9);
    assert.equal(store.searchTxs("message.sender='s1'").total, 3);
    assert.deepEqual(
      store.searchTxs("message.sender='s0' AND tx.height <= 4").items.map((t) => t.height),
      [1, 2, 4],
    );
    assert.deepEqual(
      store.searchTxs("transfer.amount CONTAINS '8'", { orderBy: "desc" }).items.map((t) => [t.height, t.index]),
      [
        [8, 1],
        [8, 0],
      ],
    );
    const page2 = store.searchTxs("tx.height >= 1", { perPage: 4, page: 2 });
    assert.equal(page2.total, 9);
    assert.equal(page2.items.length, 4);
    assert.throws(
      () => store.searchTxs("tx.height >= 1", { perPage: 4, page: 4 }),
      (e: unknown) => isCodedError(e, "NODE_QUERY_INVALID"),
    );
    const hash = Buffer.from(sha256(Uint8Array.of(5, 1)))
      .toString("hex")
      .toUpperCase();
    assert.equal(store.searchTxs(`tx.hash='${hash}'`).items[0]?.height, 5);
  });

  it("searches blocks by height and finalize-block events", () => {
    const { store } = storeWithBlocks(6);
    assert.deepEqual(
      store.searchBlocks("block.height >= 5").items.map((b) => Number(b.header.height)),
      [5, 6],
    );
    assert.deepEqual(
      store.searchBlocks("mint.amount > 25 AND block.height < 6").items.map((b) => Number(b.header.height)),
      [3, 4, 5],
    );
  });

  it("keeps the latest block decoded, and forgets it when that height is saved again", () => {
    const { store } = storeWithBlocks(3);
    const latest = store.decodedBlock(3)!;
    assert.equal(store.decodedBlock(3), latest, "the latest block is decoded once");
    assert.deepEqual(latest, decodeBlock(store.blockBytes(3)!));
    assert.notEqual(store.decodedBlock(2), store.decodedBlock(2), "older blocks are not kept");
    const other = encodeBlock({
      header: header(3n, { appHash: bytes(32, 99) }),
      txs: [],
      evidence: [],
      lastCommit: commitOf(2n),
    });
    store.saveBlock(3, other, blockIdOf(header(3n, { appHash: bytes(32, 99) }), other), commitOf(3n), vals);
    assert.deepEqual(store.decodedBlock(3)!.header.appHash, bytes(32, 99));
    assert.deepEqual(store.block(3)!.txs, []);
    assert.equal(store.decodedBlock(7), undefined);
  });

  it("stores results in a form decodeResults reads back exactly", () => {
    const results = {
      txResults: [
        ok([ev("message", ["sender", "s0"])]),
        { ...ok([]), code: 5, codespace: "sdk", log: "insufficient funds: é", gasWanted: 2n ** 64n - 1n },
      ],
      finalizeBlockEvents: [ev("mint", ["amount", "10"])],
      validatorUpdates: [{ pubKey: bytes(32, 3), power: 0n }],
    };
    const stored = encodeResults(results);
    assert.equal(stored[0], 1, "the binary form, version 1");
    const back = decodeResults(stored);
    assert.equal(toCanonicalJson(back), toCanonicalJson(results));
    assert.deepEqual(back, results);
  });

  it("event index keys are prefix ‖ type.key ‖ 0 ‖ value ‖ 0 ‖ suffix, for any text", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: "binary" }),
        fc.string({ unit: "binary" }),
        fc.string({ unit: "binary" }),
        fc.uint8Array({ maxLength: 12 }),
        (type, key, value, suffix) => {
          const expected = concatBytes(
            Uint8Array.of(0x65),
            utf8Encode(`${type}.${key}`),
            Uint8Array.of(0),
            utf8Encode(value),
            Uint8Array.of(0),
            suffix,
          );
          assert.deepEqual(eventKey(0x65, type, key, value, suffix), expected);
        },
      ),
    );
    assert.deepEqual(
      eventKey(0x66, "tränsfer", "amount", "1€", Uint8Array.of(9)),
      concatBytes(
        Uint8Array.of(0x66),
        utf8Encode("tränsfer.amount"),
        Uint8Array.of(0),
        utf8Encode("1€"),
        Uint8Array.of(0, 9),
      ),
    );
  });
});
