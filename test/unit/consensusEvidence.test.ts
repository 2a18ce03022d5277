/**
 * Duplicate-vote evidence: CometBFT `ValidateBasic` / `VerifyDuplicateVote` rules one by one, expiry,
 * the evidence hash and byte size, and the immutable pool (consensus buffer, peers, dedupe, pick by
 * bytes, commit, expiry).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  blockIdKeyBytes,
  encodeDuplicateVoteEvidence,
  voteSignBytes,
  ZERO_TIME,
  type BlockId,
  type DuplicateVoteEvidence,
  type Timestamp,
  type Vote,
} from "../../src/codec/consensus.ts";
import { ed25519PublicKey, ed25519Sign, sha256 } from "../../src/crypto/index.ts";
import { ed25519Address } from "../../src/consensus/validatorSet.ts";
import {
  addEvidence,
  checkBlockEvidence,
  createEvidencePool,
  DEFAULT_EVIDENCE_PARAMS,
  evidenceByteSize,
  evidenceHashOf,
  evidenceListHash,
  EvidenceError,
  isEvidenceExpired,
  newDuplicateVoteEvidence,
  pendingEvidence,
  reportConflictingVotes,
  updateEvidencePool,
  verifyDuplicateVoteEvidence,
  type EvidenceChainView,
  type EvidenceParams,
} from "../../src/consensus/evidence.ts";
import { merkleRoot } from "../../src/crypto/index.ts";
import { createConsensusState, step } from "../../src/consensus/reducer.ts";
import type { ConsensusEffect } from "../../src/consensus/types.ts";
import { compareBytes } from "../../src/primitives/bytes.ts";
import { toHex } from "../../src/primitives/hex.ts";
import { blockFor, CHAIN_ID, makeValidators, makeVote, PRECOMMIT, PREVOTE, TEST_CONFIG } from "./consensusFixtures.ts";

const V = makeValidators([10n, 20n, 30n, 40n], "evidence");
const A = blockFor("A").blockId;
const B = blockFor("B").blockId;
const [LO, HI] = compareBytes(blockIdKeyBytes(A), blockIdKeyBytes(B)) < 0 ? [A, B] : [B, A];
const BLOCK_TIME: Timestamp = { seconds: 1_700_000_100n, nanos: 0 };

function dve(index: number, height = 3n, round = 0): DuplicateVoteEvidence {
  const a = makeVote(V, index, PREVOTE, height, round, A);
  const b = makeVote(V, index, PREVOTE, height, round, B);
  return newDuplicateVoteEvidence(a, b, BLOCK_TIME, V.set)!;
}

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof EvidenceError) return e.code;
    throw e;
  }
  return "OK";
}

describe("newDuplicateVoteEvidence / verifyDuplicateVoteEvidence", () => {
  const e = dve(1);

  it("orders the votes by BlockID.Key() and records the powers", () => {
    assert.equal(toHex(e.voteA.blockId.hash), toHex(LO.hash));
    assert.equal(toHex(e.voteB.blockId.hash), toHex(HI.hash));
    assert.equal(e.validatorPower, V.set.validators[1]!.votingPower);
    assert.equal(e.totalVotingPower, 100n);
    assert.equal(
      code(() => verifyDuplicateVoteEvidence(e, V.set, CHAIN_ID)),
      "OK",
    );
  });

  const vote = (i: number, h: bigint, r: number, t: typeof PREVOTE | typeof PRECOMMIT, id = B): Vote =>
    makeVote(V, i, t, h, r, id);
  const mutated: [string, DuplicateVoteEvidence, string][] = [
    ["swapped order", { ...e, voteA: e.voteB, voteB: e.voteA }, "EVIDENCE_ORDER"],
    ["same block (not ordered strictly)", { ...e, voteB: e.voteA }, "EVIDENCE_ORDER"],
    ["missing signature", { ...e, voteA: { ...e.voteA, signature: new Uint8Array(0) } }, "EVIDENCE_INVALID"],
    ["zero height", { ...e, voteA: { ...e.voteA, height: 0n } }, "EVIDENCE_INVALID"],
    ["short address", { ...e, voteA: { ...e.voteA, validatorAddress: new Uint8Array(19) } }, "EVIDENCE_INVALID"],
    [
      "incomplete block id",
      {
        ...e,
        voteB: { ...e.voteB, blockId: { ...e.voteB.blockId, partSetHeader: { total: 0, hash: e.voteB.blockId.hash } } },
      },
      "EVIDENCE_INVALID",
    ],
    ["different heights", { ...e, voteB: { ...vote(1, 4n, 0, PREVOTE, HI) } }, "EVIDENCE_HRS_MISMATCH"],
    ["different rounds", { ...e, voteB: { ...vote(1, 3n, 1, PREVOTE, HI) } }, "EVIDENCE_HRS_MISMATCH"],
    ["different types", { ...e, voteB: { ...vote(1, 3n, 0, PRECOMMIT, HI) } }, "EVIDENCE_HRS_MISMATCH"],
    ["different signers", { ...e, voteB: { ...vote(2, 3n, 0, PREVOTE, HI) } }, "EVIDENCE_ADDRESS_MISMATCH"],
    ["validator power", { ...e, validatorPower: 21n }, "EVIDENCE_POWER_MISMATCH"],
    ["total power", { ...e, totalVotingPower: 99n }, "EVIDENCE_TOTAL_POWER_MISMATCH"],
    ["bad signature A", { ...e, voteA: { ...e.voteA, signature: e.voteB.signature } }, "EVIDENCE_BAD_SIGNATURE"],
    ["bad signature B", { ...e, voteB: { ...e.voteB, signature: e.voteA.signature } }, "EVIDENCE_BAD_SIGNATURE"],
  ];
  for (const [name, ev, expected] of mutated) {
    it(`${name} → ${expected}`, () =>
      assert.equal(
        code(() => verifyDuplicateVoteEvidence(ev, V.set, CHAIN_ID)),
        expected,
      ));
  }

  it("a signer outside the set of that height", () => {
    const other = makeValidators([10n, 10n], "elsewhere");
    assert.equal(
      code(() => verifyDuplicateVoteEvidence(e, other.set, CHAIN_ID)),
      "EVIDENCE_NOT_VALIDATOR",
    );
  });

  it("signatures are over the chain id", () => {
    assert.equal(
      code(() => verifyDuplicateVoteEvidence(e, V.set, "other-chain")),
      "EVIDENCE_BAD_SIGNATURE",
    );
  });

  it("the votes from the reducer's equivocation detection verify", () => {
    const s0 = createConsensusState(TEST_CONFIG, V.byIndex[0]!.address);
    let s = step(s0, { type: "startHeight", height: 3n, validators: V.set }).state;
    s = step(s, { type: "vote", vote: makeVote(V, 2, PREVOTE, 3n, 0, A) }).state;
    const r = step(s, { type: "vote", vote: makeVote(V, 2, PREVOTE, 3n, 0, B) });
    const evs = r.effects.filter((x): x is Extract<ConsensusEffect, { type: "evidence" }> => x.type === "evidence");
    assert.equal(evs.length, 1);
    const restamped = newDuplicateVoteEvidence(evs[0]!.evidence.voteA, evs[0]!.evidence.voteB, BLOCK_TIME, V.set)!;
    assert.equal(
      code(() => verifyDuplicateVoteEvidence(restamped, V.set, CHAIN_ID)),
      "OK",
    );
  });
});

describe("expiry: older than both max age in blocks and in time", () => {
  const p: EvidenceParams = { maxAgeNumBlocks: 10n, maxAgeDurationNs: 60_000_000_000n, maxBytes: 10_000n };
  const t = (s: number): Timestamp => ({ seconds: BLOCK_TIME.seconds + BigInt(s), nanos: 0 });
  it("hand-computed", () => {
    assert.equal(isEvidenceExpired(p, 14n, t(61), 3n, t(0)), true, "11 blocks and 61 s");
    assert.equal(isEvidenceExpired(p, 13n, t(61), 3n, t(0)), false, "10 blocks is not more than 10");
    assert.equal(isEvidenceExpired(p, 100n, t(60), 3n, t(0)), false, "60 s is not more than 60 s");
    assert.equal(isEvidenceExpired(p, 100n, { ...t(60), nanos: 1 }, 3n, t(0)), true);
  });
  it("verify with an age context: expired, wrong block time, future", () => {
    const e = dve(0);
    const ctx = { params: p, lastHeight: 14n, lastBlockTime: t(61), blockTimeAtHeight: BLOCK_TIME };
    assert.equal(
      code(() => verifyDuplicateVoteEvidence(e, V.set, CHAIN_ID, ctx)),
      "EVIDENCE_EXPIRED",
    );
    assert.equal(
      code(() => verifyDuplicateVoteEvidence(e, V.set, CHAIN_ID, { ...ctx, lastHeight: 5n })),
      "OK",
    );
    assert.equal(
      code(() => verifyDuplicateVoteEvidence(e, V.set, CHAIN_ID, { ...ctx, lastHeight: 5n, blockTimeAtHeight: t(1) })),
      "EVIDENCE_TIME_MISMATCH",
    );
    assert.equal(
      code(() => verifyDuplicateVoteEvidence(e, V.set, CHAIN_ID, { ...ctx, lastHeight: 2n })),
      "EVIDENCE_FUTURE",
    );
  });
});

describe("evidence hash and size", () => {
  it("Tendermint's TestEvidenceVectors: EvidenceList{DuplicateVoteEvidence{VoteA: v2, VoteB: v}}.Hash()", () => {
    // key = GenPrivKeyFromSecret("it's a secret") (seed = sha256(secret)); votes: prevote, index MaxInt32,
    // height MaxInt64, rounds 1 and 2, block ids sha256("blockhash"/"blockhash2") with MaxInt32 parts of
    // sha256("partshash"), time 2019-01-01T00:00:00Z; evidence powers 0 and Go's zero time.
    const te = new TextEncoder();
    const seed = sha256(te.encode("it's a secret"));
    const pub = ed25519PublicKey(seed);
    const bid = (h: string): BlockId => ({
      hash: sha256(te.encode(h)),
      partSetHeader: { total: 2147483647, hash: sha256(te.encode("partshash")) },
    });
    const mk = (round: number, blockId: BlockId): Vote => {
      const v: Vote = {
        type: PREVOTE,
        height: (1n << 63n) - 1n,
        round,
        blockId,
        timestamp: { seconds: 1546300800n, nanos: 0 },
        validatorAddress: ed25519Address(pub),
        validatorIndex: 2147483647,
        signature: new Uint8Array(0),
      };
      return { ...v, signature: ed25519Sign(seed, voteSignBytes("mychain", v)) };
    };
    const ev: DuplicateVoteEvidence = {
      voteA: mk(2, bid("blockhash2")),
      voteB: mk(1, bid("blockhash")),
      totalVotingPower: 0n,
      validatorPower: 0n,
      timestamp: ZERO_TIME,
    };
    assert.equal(toHex(evidenceListHash([ev])), "a9ce28d13bb31001fc3e5b7927051baf98f86abdbd64377643a304164c826923");
  });

  it("EvidenceList.Hash is the Merkle root of the protobuf bytes; the empty list hashes sha256('')", () => {
    const e1 = dve(0);
    const e2 = dve(1);
    assert.deepEqual(evidenceListHash([]), sha256(new Uint8Array(0)));
    assert.deepEqual(
      evidenceListHash([e1, e2]),
      merkleRoot([encodeDuplicateVoteEvidence(e1), encodeDuplicateVoteEvidence(e2)]),
    );
    assert.deepEqual(evidenceHashOf(e1), sha256(encodeDuplicateVoteEvidence(e1)));
  });

  it("byte size inside EvidenceList{Evidence{dve}}: two tags and two length prefixes", () => {
    const e = dve(0);
    const n = encodeDuplicateVoteEvidence(e).length;
    assert.ok(n > 127 && n < 16384, "two-byte length prefix for the dve");
    const inner = 1 + 2 + n;
    const outer = 1 + (inner < 128 ? 1 : 2) + inner;
    assert.equal(evidenceByteSize(e), BigInt(outer));
  });
});

describe("EvidencePool", () => {
  const times = new Map<bigint, Timestamp>([
    [3n, BLOCK_TIME],
    [4n, { seconds: BLOCK_TIME.seconds + 5n, nanos: 0 }],
    [5n, { seconds: BLOCK_TIME.seconds + 10n, nanos: 0 }],
  ]);
  const chain = (lastHeight: bigint, params: EvidenceParams = DEFAULT_EVIDENCE_PARAMS): EvidenceChainView => ({
    chainId: CHAIN_ID,
    params,
    lastHeight,
    lastBlockTime: times.get(lastHeight) ?? { seconds: BLOCK_TIME.seconds + 1000n, nanos: 0 },
    validatorsAt: (h) => (h >= 1n && h <= lastHeight ? V.set : undefined),
    blockTimeAt: (h) => (h <= lastHeight ? times.get(h) : undefined),
  });

  it("adds verified evidence once, refuses invalid, orders by height then hash", () => {
    let pool = createEvidencePool();
    const e0 = dve(0);
    const e1 = dve(1);
    const r = addEvidence(pool, e1, chain(4n));
    assert.equal(r.kind, "added");
    pool = r.pool;
    assert.equal(addEvidence(pool, e1, chain(4n)).kind, "known");
    pool = addEvidence(pool, e0, chain(4n)).pool;
    const expected = [e0, e1].sort((x, y) => (toHex(evidenceHashOf(x)) < toHex(evidenceHashOf(y)) ? -1 : 1));
    assert.deepEqual(pendingEvidence(pool, -1n), expected);
    assert.throws(() => addEvidence(pool, { ...dve(2), validatorPower: 1n }, chain(4n)), EvidenceError);
    assert.equal(
      code(() => addEvidence(pool, dve(2, 9n), chain(4n))),
      "EVIDENCE_FUTURE",
    );
    assert.equal(
      code(() => addEvidence(pool, { ...dve(2), timestamp: times.get(4n)! }, chain(4n))),
      "EVIDENCE_TIME_MISMATCH",
    );
    assert.equal(pool.pending.length, 2, "failed adds leave the pool as it was");
  });

  it("pendingEvidence stops before the first item that does not fit", () => {
    let pool = createEvidencePool();
    for (const i of [0, 1, 2]) pool = addEvidence(pool, dve(i), chain(4n)).pool;
    const [s0, s1] = pool.pending.map((x) => evidenceByteSize(x.evidence));
    assert.equal(pendingEvidence(pool, s0! + s1!).length, 2);
    assert.equal(pendingEvidence(pool, s0! + s1! - 1n).length, 1);
    assert.equal(pendingEvidence(pool, 0n).length, 0);
  });

  it("commit marks evidence committed: it leaves pending, is 'known' again, and a block re-including it is refused", () => {
    let pool = addEvidence(createEvidencePool(), dve(0), chain(4n)).pool;
    pool = addEvidence(pool, dve(1), chain(4n)).pool;
    const u = updateEvidencePool(pool, [dve(0)], chain(5n));
    pool = u.pool;
    assert.deepEqual(pendingEvidence(pool, -1n), [dve(1)]);
    assert.equal(addEvidence(pool, dve(0), chain(5n)).kind, "known");
    assert.equal(
      code(() => checkBlockEvidence(pool, [dve(0)], chain(5n))),
      "EVIDENCE_COMMITTED",
    );
    assert.equal(
      code(() => checkBlockEvidence(pool, [dve(1), dve(1)], chain(5n))),
      "EVIDENCE_DUPLICATE_IN_BLOCK",
    );
    assert.equal(
      code(() => checkBlockEvidence(pool, [dve(1), dve(2)], chain(5n))),
      "OK",
      "pending or verifiable",
    );
    assert.equal(
      code(() => checkBlockEvidence(pool, [{ ...dve(2), totalVotingPower: 1n }], chain(5n))),
      "EVIDENCE_TOTAL_POWER_MISMATCH",
    );
  });

  it("conflicts from this node's consensus wait for their block, then get its time and powers", () => {
    const a = makeVote(V, 3, PRECOMMIT, 5n, 1, A);
    const b = makeVote(V, 3, PRECOMMIT, 5n, 1, B);
    const raw = { voteA: b, voteB: a, totalVotingPower: 0n, validatorPower: 0n, timestamp: a.timestamp };
    let pool = reportConflictingVotes(createEvidencePool(), raw);
    assert.equal(reportConflictingVotes(pool, raw), pool, "reported once");
    assert.equal(reportConflictingVotes(pool, { ...raw, voteA: a, voteB: b }), pool, "in either order");
    let u = updateEvidencePool(pool, [], chain(4n));
    assert.equal(u.pool.buffer.length, 1, "height 5 not committed yet");
    assert.equal(u.pool.pending.length, 0);
    u = updateEvidencePool(u.pool, [], chain(5n));
    pool = u.pool;
    assert.equal(pool.buffer.length, 0);
    assert.deepEqual(u.rejected, []);
    const [ev] = pendingEvidence(pool, -1n);
    assert.ok(ev !== undefined);
    assert.deepEqual(ev.timestamp, times.get(5n));
    assert.equal(ev.validatorPower, 10n, "index 3 of powers sorted 40, 30, 20, 10");
    assert.equal(ev.totalVotingPower, 100n);
    assert.equal(toHex(ev.voteA.blockId.hash), toHex(LO.hash));
  });

  it("expired pending evidence is dropped on update", () => {
    const p: EvidenceParams = { maxAgeNumBlocks: 1n, maxAgeDurationNs: 1n, maxBytes: 10_000n };
    let pool = addEvidence(createEvidencePool(), dve(0), chain(4n, p)).pool;
    assert.equal(pool.pending.length, 1);
    pool = updateEvidencePool(pool, [], chain(5n, p)).pool; // 2 blocks and 10 s old
    assert.equal(pool.pending.length, 0);
  });
});
