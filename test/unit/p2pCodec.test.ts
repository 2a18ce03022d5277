/** The p2p wire messages (src/codec/p2p.ts) and the gossip channel codecs: round trips and strictness. */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  decodeConsensusMessage,
  decodeEvidenceMessage,
  decodeNodeInfo,
  decodeSyncRequest,
  decodeSyncResponse,
  encodeConsensusMessage,
  encodeEvidenceMessage,
  encodeNodeInfo,
  encodeSyncRequest,
  encodeSyncResponse,
  type ConsensusMessage,
  type NodeInfo,
  type SyncRequest,
  type SyncResponse,
} from "../../src/codec/p2p.ts";
import { encodeVote, SignedMsgType, type DuplicateVoteEvidence, type Vote } from "../../src/codec/consensus.ts";
import { ProtoWriter } from "../../src/codec/protobuf.ts";
import { encodeTxRaw } from "../../src/codec/tx.ts";
import { isCodedError } from "../../src/primitives/errors.ts";
import { CHANNEL_CODECS, CHANNELS, topicName } from "../../src/p2p/channels.ts";

const vote = (height: bigint, fill: number): Vote => ({
  type: SignedMsgType.Precommit,
  height,
  round: 1,
  blockId: { hash: new Uint8Array(32).fill(fill), partSetHeader: { total: 1, hash: new Uint8Array(32).fill(2) } },
  timestamp: { seconds: 1_700_000_123n, nanos: 456 },
  validatorAddress: new Uint8Array(20).fill(4),
  validatorIndex: 0,
  signature: new Uint8Array(64).fill(5),
});

const info: NodeInfo = {
  protocolVersion: 1,
  chainId: "secret-4",
  genesisHash: new Uint8Array(32).fill(0xab),
  nodeId: "0123456789abcdef0123456789abcdef01234567",
  moniker: "node-0",
};

/** A decoder must either succeed or throw a coded error: never a TypeError or a RangeError. */
function onlyCodedErrors(decode: (b: Uint8Array) => unknown): void {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
      try {
        decode(bytes);
      } catch (e) {
        assert.ok(isCodedError(e), `uncoded error: ${String(e)}`);
      }
    }),
    { numRuns: 400 },
  );
}

describe("p2p codec", () => {
  test("NodeInfo round-trips and is checked", () => {
    assert.deepEqual(decodeNodeInfo(encodeNodeInfo(info)), info);
    assert.throws(
      () => decodeNodeInfo(encodeNodeInfo({ ...info, nodeId: "XYZ" })),
      (e) => isCodedError(e, "CODEC_INVALID_VALUE"),
    );
    assert.throws(
      () => decodeNodeInfo(encodeNodeInfo({ ...info, chainId: "" })),
      (e) => isCodedError(e, "CODEC_INVALID_VALUE"),
    );
    const unknownField = new ProtoWriter().string(2, "c").string(9, "x").finish();
    assert.throws(
      () => decodeNodeInfo(unknownField),
      (e) => isCodedError(e, "PROTO_UNKNOWN_FIELD"),
    );
  });

  test("consensus messages: proposal with block, vote; exactly one member", () => {
    const p: ConsensusMessage = {
      type: "proposal",
      proposal: {
        height: 10n,
        round: 2,
        polRound: -1,
        blockId: vote(10n, 1).blockId,
        timestamp: { seconds: 1n, nanos: 0 },
        signature: new Uint8Array(64).fill(1),
      },
      block: new Uint8Array([1, 2, 3, 4]),
    };
    assert.deepEqual(decodeConsensusMessage(encodeConsensusMessage(p)), p);
    const v: ConsensusMessage = { type: "vote", vote: vote(3n, 7) };
    assert.deepEqual(decodeConsensusMessage(encodeConsensusMessage(v)), v);
    const both = new ProtoWriter()
      .message(2, encodeVote(vote(1n, 1)))
      .message(2, encodeVote(vote(1n, 2)))
      .finish();
    assert.throws(
      () => decodeConsensusMessage(both),
      (e) => isCodedError(e, "CODEC_INVALID_VALUE"),
    );
    assert.throws(
      () => decodeConsensusMessage(new Uint8Array(0)),
      (e) => isCodedError(e, "CODEC_INVALID_VALUE"),
    );
  });

  test("duplicate-vote evidence round-trips; missing votes are refused", () => {
    const ev: DuplicateVoteEvidence = {
      voteA: vote(5n, 1),
      voteB: vote(5n, 2),
      totalVotingPower: 100n,
      validatorPower: 10n,
      timestamp: { seconds: 1_700_000_000n, nanos: 0 },
    };
    assert.deepEqual(decodeEvidenceMessage(encodeEvidenceMessage(ev)), ev);
    const onlyA = new ProtoWriter().message(1, new ProtoWriter().message(1, encodeVote(ev.voteA)).finish()).finish();
    assert.throws(
      () => decodeEvidenceMessage(onlyA),
      (e) => isCodedError(e, "CODEC_INVALID_VALUE"),
    );
  });

  test("sync requests and responses round-trip; out-of-range values are refused", () => {
    const reqs: SyncRequest[] = [{ type: "status" }, { type: "getBlocks", from: 1n, count: 16 }];
    for (const r of reqs) assert.deepEqual(decodeSyncRequest(encodeSyncRequest(r)), r);
    const ress: SyncResponse[] = [
      { type: "status", base: 0n, latest: 0n },
      { type: "status", base: 3n, latest: 99n },
      { type: "block", height: 7n, block: new Uint8Array([9, 9]) },
      { type: "error", code: "P2P_NO_PROVIDER", message: "none" },
    ];
    for (const r of ress) assert.deepEqual(decodeSyncResponse(encodeSyncResponse(r)), r);
    assert.throws(() => decodeSyncRequest(encodeSyncRequest({ type: "getBlocks", from: 0n, count: 1 })));
    assert.throws(() => decodeSyncRequest(encodeSyncRequest({ type: "getBlocks", from: 1n, count: 0 })));
    assert.throws(() => decodeSyncResponse(encodeSyncResponse({ type: "status", base: 5n, latest: 4n })));
    assert.throws(
      () => decodeSyncResponse(encodeSyncResponse({ type: "block", height: 1n << 63n, block: new Uint8Array(1) })),
      (e) => isCodedError(e, "CODEC_INVALID_VALUE"),
    );
  });

  test("random bytes give only coded errors", () => {
    for (const d of [
      decodeNodeInfo,
      decodeConsensusMessage,
      decodeEvidenceMessage,
      decodeSyncRequest,
      decodeSyncResponse,
    ]) {
      onlyCodedErrors(d);
    }
    for (const c of CHANNELS) onlyCodedErrors((b) => CHANNEL_CODECS[c].decode(b));
  });

  test("channel codecs: txs is a non-empty batch of TxRaws with body and auth info; topics are namespaced", () => {
    const tx = encodeTxRaw({ bodyBytes: new Uint8Array([1]), authInfoBytes: new Uint8Array([2]), signatures: [] });
    const tx2 = encodeTxRaw({ bodyBytes: new Uint8Array([3]), authInfoBytes: new Uint8Array([4]), signatures: [] });
    const batch = CHANNEL_CODECS.txs.encode([tx, tx2]);
    // Txs {repeated bytes txs = 1}: two length-delimited field-1 entries, in order.
    assert.deepEqual(batch, new Uint8Array([0x0a, tx.length, ...tx, 0x0a, tx2.length, ...tx2]));
    assert.deepEqual(CHANNEL_CODECS.txs.decode(batch), [tx, tx2]);
    const noAuth = encodeTxRaw({ bodyBytes: new Uint8Array([1]), authInfoBytes: new Uint8Array(0), signatures: [] });
    for (const bad of [CHANNEL_CODECS.txs.encode([tx, noAuth]), new Uint8Array(0), tx]) {
      assert.throws(
        () => CHANNEL_CODECS.txs.decode(bad),
        (e) => isCodedError(e),
        "one bad tx, an empty batch or a bare TxRaw refuses the whole message",
      );
    }
    assert.equal(topicName("secret-4", "consensus"), "/scrt/secret-4/consensus/1");
    assert.equal(topicName("secret-4", "txs"), "/scrt/secret-4/txs/2");
    assert.notEqual(topicName("a", "txs"), topicName("b", "txs"));
  });
});
