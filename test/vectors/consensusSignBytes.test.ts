/**
 * Byte-exact CometBFT shapes: the sign-bytes vectors of CometBFT's `types/vote_test.go`
 * (`TestVoteSignBytesTestVectors`), and our encoders against secretjs 1.22.1's ts-proto classes for
 * `tendermint.types` (CanonicalVote, CanonicalProposal, Vote, Proposal, Commit, Header), property-based.
 */
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  decodeProposal,
  decodeVote,
  encodeCommit,
  encodeDuplicateVoteEvidence,
  encodeHeader,
  encodeProposal,
  encodeVote,
  NIL_BLOCK_ID,
  proposalSignBytes,
  voteSignBytes,
  ZERO_TIME,
  type BlockId,
  type Header,
  type Proposal,
  type Timestamp,
  type Vote,
  type VoteType,
} from "../../src/codec/consensus.ts";
import { crc32 } from "../../src/consensus/wal.ts";
import { merkleRoot } from "../../src/crypto/index.ts";
import { headerHash } from "../../src/consensus/header.ts";
import { sha256 } from "../../src/crypto/index.ts";

const require = createRequire(import.meta.url);
const sjCanonical = require("secretjs/dist/protobuf/tendermint/types/canonical.js");
const sjTypes = require("secretjs/dist/protobuf/tendermint/types/types.js");
const sjEvidence = require("secretjs/dist/protobuf/tendermint/types/evidence.js");

const ZERO_TS = [0x2a, 0x0b, 0x08, 0x80, 0x92, 0xb8, 0xc3, 0x98, 0xfe, 0xff, 0xff, 0xff, 0x01];
const ONE_LE = [0x01, 0, 0, 0, 0, 0, 0, 0];
const base = { height: 0n, round: 0, blockId: NIL_BLOCK_ID, timestamp: ZERO_TIME };

describe("CometBFT vote sign bytes (types/vote_test.go vectors)", () => {
  const cases: [string, string, Parameters<typeof voteSignBytes>[1], number[]][] = [
    ["0: empty vote", "", { ...base, type: 0 as VoteType }, [0x0d, ...ZERO_TS]],
    [
      "1: precommit h1 r1",
      "",
      { ...base, type: 2, height: 1n, round: 1 },
      [0x21, 0x08, 0x02, 0x11, ...ONE_LE, 0x19, ...ONE_LE, ...ZERO_TS],
    ],
    [
      "2: prevote h1 r1",
      "",
      { ...base, type: 1, height: 1n, round: 1 },
      [0x21, 0x08, 0x01, 0x11, ...ONE_LE, 0x19, ...ONE_LE, ...ZERO_TS],
    ],
    [
      "3: no type h1 r1",
      "",
      { ...base, type: 0 as VoteType, height: 1n, round: 1 },
      [0x1f, 0x11, ...ONE_LE, 0x19, ...ONE_LE, ...ZERO_TS],
    ],
    [
      "4: chain id",
      "test_chain_id",
      { ...base, type: 0 as VoteType, height: 1n, round: 1 },
      [0x2e, 0x11, ...ONE_LE, 0x19, ...ONE_LE, ...ZERO_TS, 0x32, 0x0d, ...new TextEncoder().encode("test_chain_id")],
    ],
  ];
  for (const [name, chainId, vote, want] of cases) {
    it(name, () => assert.deepEqual([...voteSignBytes(chainId, vote)], want));
  }
});

describe("helpers with published vectors", () => {
  it("header hash: CometBFT block_test.go TestHeaderHash golden header", () => {
    const h = (s: string): Uint8Array => sha256(new TextEncoder().encode(s));
    const header: Header = {
      version: { block: 1n, app: 2n },
      chainId: "chainId",
      height: 3n,
      time: { seconds: BigInt(Date.UTC(2019, 9, 13, 16, 14, 44) / 1000), nanos: 0 },
      lastBlockId: { hash: new Uint8Array(32), partSetHeader: { total: 6, hash: new Uint8Array(32) } },
      lastCommitHash: h("last_commit_hash"),
      dataHash: h("data_hash"),
      validatorsHash: h("validators_hash"),
      nextValidatorsHash: h("next_validators_hash"),
      consensusHash: h("consensus_hash"),
      appHash: h("app_hash"),
      lastResultsHash: h("last_results_hash"),
      evidenceHash: h("evidence_hash"),
      proposerAddress: h("proposer_address").slice(0, 20),
    };
    assert.equal(
      Buffer.from(headerHash(header)).toString("hex").toUpperCase(),
      "F740121F553B5418C3EFBD343C2DBFE9E007BB67B0D020A0741374BAB65242A4",
    );
  });

  it("CRC-32 (IEEE) check value", () => assert.equal(crc32(new TextEncoder().encode("123456789")), 0xcbf43926));
  it("RFC 6962 Merkle root: empty list and one leaf", () => {
    assert.deepEqual(merkleRoot([]), sha256(new Uint8Array(0)));
    assert.deepEqual(merkleRoot([Uint8Array.of(7)]), sha256(Uint8Array.of(0, 7)));
    const l = (b: number): Uint8Array => sha256(Uint8Array.of(0, b));
    const inner = (a: Uint8Array, b: Uint8Array): Uint8Array => sha256(Uint8Array.of(1, ...a, ...b));
    // three leaves split 2 + 1
    assert.deepEqual(merkleRoot([1, 2, 3].map((b) => Uint8Array.of(b))), inner(inner(l(1), l(2)), l(3)));
  });
});

// --- property tests against secretjs ---------------------------------------------------------------

/** Plain-prototype records, so deep equality compares values only. */
const rec = <T>(model: { [K in keyof T]: fc.Arbitrary<T[K]> }): fc.Arbitrary<T> =>
  fc.record(model, { noNullPrototype: true }) as fc.Arbitrary<T>;
const bytes = (min = 0, max = 40) => fc.uint8Array({ minLength: min, maxLength: max });
const i64 = fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n });
const u63 = fc.bigInt({ min: 0n, max: (1n << 63n) - 1n });
const i32 = fc.integer({ min: 0, max: 2 ** 31 - 1 });
const ts: fc.Arbitrary<Timestamp> = rec({ seconds: i64, nanos: fc.integer({ min: 0, max: 999_999_999 }) });
const blockId: fc.Arbitrary<BlockId> = fc.oneof(
  fc.constant(NIL_BLOCK_ID),
  rec({
    hash: bytes(1, 32),
    partSetHeader: rec({ total: fc.integer({ min: 0, max: 2 ** 32 - 1 }), hash: bytes(0, 32) }),
  }),
);
const vote: fc.Arbitrary<Vote> = rec({
  type: fc.constantFrom(1 as const, 2 as const),
  height: u63,
  round: i32,
  blockId,
  timestamp: ts,
  validatorAddress: bytes(0, 20),
  validatorIndex: i32,
  signature: bytes(0, 64),
});
const proposal: fc.Arbitrary<Proposal> = rec({
  height: u63,
  round: i32,
  polRound: fc.integer({ min: -1, max: 2 ** 31 - 1 }),
  blockId,
  timestamp: ts,
  signature: bytes(0, 64),
});

const u8 = (b: Uint8Array): Uint8Array => Uint8Array.from(b);
const sjTs = (t: Timestamp) => ({ seconds: t.seconds.toString(), nanos: t.nanos });
const sjBlockId = (id: BlockId) => ({
  hash: id.hash,
  part_set_header: { total: id.partSetHeader.total, hash: id.partSetHeader.hash },
});
const isNil = (id: BlockId) =>
  id.hash.length === 0 && id.partSetHeader.total === 0 && id.partSetHeader.hash.length === 0;
const delimited = (m: Uint8Array) => {
  const out: number[] = [];
  let n = m.length;
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return Uint8Array.from([...out, ...m]);
};

describe("consensus codec vs secretjs protobuf", () => {
  it("CanonicalVote sign bytes", () => {
    fc.assert(
      fc.property(vote, fc.string({ maxLength: 30 }), (v, chainId) => {
        const theirs = u8(
          sjCanonical.CanonicalVote.encode({
            type: v.type,
            height: v.height.toString(),
            round: String(v.round),
            block_id: isNil(v.blockId) ? undefined : sjBlockId(v.blockId),
            timestamp: sjTs(v.timestamp),
            chain_id: chainId,
          }).finish() as Uint8Array,
        );
        assert.deepEqual(voteSignBytes(chainId, v), delimited(theirs));
      }),
      { numRuns: 300 },
    );
  });

  it("CanonicalProposal sign bytes", () => {
    fc.assert(
      fc.property(proposal, fc.string({ maxLength: 30 }), (p, chainId) => {
        const theirs = u8(
          sjCanonical.CanonicalProposal.encode({
            type: 32,
            height: p.height.toString(),
            round: String(p.round),
            pol_round: String(p.polRound),
            block_id: isNil(p.blockId) ? undefined : sjBlockId(p.blockId),
            timestamp: sjTs(p.timestamp),
            chain_id: chainId,
          }).finish() as Uint8Array,
        );
        assert.deepEqual(proposalSignBytes(chainId, p), delimited(theirs));
      }),
      { numRuns: 300 },
    );
  });

  it("Vote and Proposal wire form, both ways", () => {
    fc.assert(
      fc.property(vote, proposal, (v, p) => {
        const sjVote = u8(
          sjTypes.Vote.encode({
            type: v.type,
            height: v.height.toString(),
            round: v.round,
            block_id: sjBlockId(v.blockId),
            timestamp: sjTs(v.timestamp),
            validator_address: v.validatorAddress,
            validator_index: v.validatorIndex,
            signature: v.signature,
            extension: new Uint8Array(0),
            extension_signature: new Uint8Array(0),
          }).finish() as Uint8Array,
        );
        assert.deepEqual(encodeVote(v), sjVote);
        assert.deepEqual(decodeVote(sjVote), v);
        const sjProp = u8(
          sjTypes.Proposal.encode({
            type: 32,
            height: p.height.toString(),
            round: p.round,
            pol_round: p.polRound,
            block_id: sjBlockId(p.blockId),
            timestamp: sjTs(p.timestamp),
            signature: p.signature,
          }).finish() as Uint8Array,
        );
        assert.deepEqual(encodeProposal(p), sjProp);
        assert.deepEqual(decodeProposal(sjProp), p);
      }),
      { numRuns: 300 },
    );
  });

  it("DuplicateVoteEvidence wire form", () => {
    const sjVote = (v: Vote) => ({
      type: v.type,
      height: v.height.toString(),
      round: v.round,
      block_id: sjBlockId(v.blockId),
      timestamp: sjTs(v.timestamp),
      validator_address: v.validatorAddress,
      validator_index: v.validatorIndex,
      signature: v.signature,
      extension: new Uint8Array(0),
      extension_signature: new Uint8Array(0),
    });
    fc.assert(
      fc.property(vote, vote, u63, u63, ts, (a, b, totalVotingPower, validatorPower, timestamp) => {
        const theirs = u8(
          sjEvidence.DuplicateVoteEvidence.encode({
            vote_a: sjVote(a),
            vote_b: sjVote(b),
            total_voting_power: totalVotingPower.toString(),
            validator_power: validatorPower.toString(),
            timestamp: sjTs(timestamp),
          }).finish() as Uint8Array,
        );
        assert.deepEqual(
          encodeDuplicateVoteEvidence({ voteA: a, voteB: b, totalVotingPower, validatorPower, timestamp }),
          theirs,
        );
      }),
      { numRuns: 200 },
    );
  });

  it("Commit and Header wire form", () => {
    const commitSig = rec({
      blockIdFlag: fc.constantFrom(1 as const, 2 as const, 3 as const),
      validatorAddress: bytes(0, 20),
      timestamp: ts,
      signature: bytes(0, 64),
    });
    const header = rec<Header>({
      version: rec({ block: fc.bigInt({ min: 0n, max: 20n }), app: fc.bigInt({ min: 0n, max: 20n }) }),
      chainId: fc.string({ maxLength: 20 }),
      height: u63,
      time: ts,
      lastBlockId: blockId,
      lastCommitHash: bytes(0, 32),
      dataHash: bytes(0, 32),
      validatorsHash: bytes(0, 32),
      nextValidatorsHash: bytes(0, 32),
      consensusHash: bytes(0, 32),
      appHash: bytes(0, 32),
      lastResultsHash: bytes(0, 32),
      evidenceHash: bytes(0, 32),
      proposerAddress: bytes(0, 20),
      encryptedRandom: fc.option(rec({ random: bytes(0, 48), proof: bytes(0, 32) })),
    });
    fc.assert(
      fc.property(u63, i32, blockId, fc.array(commitSig, { maxLength: 5 }), header, (height, round, id, sigs, h) => {
        const theirs = u8(
          sjTypes.Commit.encode({
            height: height.toString(),
            round,
            block_id: sjBlockId(id),
            signatures: sigs.map((s) => ({
              block_id_flag: s.blockIdFlag,
              validator_address: s.validatorAddress,
              timestamp: sjTs(s.timestamp),
              signature: s.signature,
            })),
          }).finish() as Uint8Array,
        );
        assert.deepEqual(encodeCommit({ height, round, blockId: id, signatures: sigs }), theirs);
        const sjHeader = u8(
          sjTypes.Header.encode({
            version: { block: h.version.block.toString(), app: h.version.app.toString() },
            chain_id: h.chainId,
            height: h.height.toString(),
            time: sjTs(h.time),
            last_block_id: sjBlockId(h.lastBlockId),
            last_commit_hash: h.lastCommitHash,
            data_hash: h.dataHash,
            validators_hash: h.validatorsHash,
            next_validators_hash: h.nextValidatorsHash,
            consensus_hash: h.consensusHash,
            app_hash: h.appHash,
            last_results_hash: h.lastResultsHash,
            evidence_hash: h.evidenceHash,
            proposer_address: h.proposerAddress,
            encrypted_random: h.encryptedRandom ?? undefined,
          }).finish() as Uint8Array,
        );
        assert.deepEqual(encodeHeader(h), sjHeader);
      }),
      { numRuns: 200 },
    );
  });
});
