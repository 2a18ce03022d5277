/**
 * Block validation (CometBFT `Block.ValidateBasic` + `state.validateBlock`) and commit verification
 * (`VerifyCommit`, `VerifyCommitLight`, `VerifyCommitLightTrusting`): a valid two-block chain, then one
 * tampered field at a time, each refused with its own code.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  BlockIdFlag,
  encodeDeterministicTxResult,
  NIL_BLOCK_ID,
  ZERO_TIME,
  type BlockId,
  type Commit,
  type CommitSig,
  type Header,
  type Timestamp,
} from "../../src/codec/consensus.ts";
import { sha256 } from "../../src/crypto/index.ts";
import { compareTimestamps, medianTime } from "../../src/consensus/bftTime.ts";
import {
  advanceBlockValidationState,
  BLOCK_PROTOCOL,
  genesisBlockValidationState,
  BlockValidationError,
  commitSigSignBytes,
  txResultsHash,
  txsHash,
  txsHashOfHashes,
  validateBlock,
  verifyCommit,
  verifyCommitLight,
  verifyCommitLightTrusting,
  type Block,
  type BlockValidationState,
} from "../../src/consensus/blockValidation.ts";
import { newDuplicateVoteEvidence } from "../../src/consensus/evidence.ts";
import { commitHash, headerHash } from "../../src/consensus/header.ts";
import { merkleRoot } from "../../src/crypto/index.ts";
import { toCanonicalJson } from "../../src/consensus/serialize.ts";
import {
  incrementProposerPriority,
  proposerForRound,
  validatorSetHash,
  type ValidatorSet,
} from "../../src/consensus/validatorSet.ts";
import { evidenceListHash } from "../../src/consensus/evidence.ts";
import { ed25519Sign } from "../../src/crypto/index.ts";
import { fromHex, toHex } from "../../src/primitives/hex.ts";
import { blockFor, CHAIN_ID, makeValidators, makeVote, PREVOTE, type Validators } from "./consensusFixtures.ts";

const V = makeValidators([10n, 10n, 10n, 10n], "blockval");
const GENESIS: Timestamp = { seconds: 1_700_000_000n, nanos: 0 };
const CONSENSUS_HASH = sha256(new TextEncoder().encode("params"));
const APP_HASH_1 = sha256(new TextEncoder().encode("app-after-genesis"));

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof BlockValidationError) return e.code;
    throw e;
  }
  return "OK";
}

const emptyCommit: Commit = { height: 0n, round: 0, blockId: NIL_BLOCK_ID, signatures: [] };

function genesisState(): BlockValidationState {
  return {
    chainId: CHAIN_ID,
    initialHeight: 1n,
    version: { block: BLOCK_PROTOCOL, app: 1n },
    lastBlockHeight: 0n,
    lastBlockId: NIL_BLOCK_ID,
    lastBlockTime: GENESIS,
    lastValidators: null,
    validators: V.set,
    nextValidators: incrementProposerPriority(V.set, 1),
    consensusHash: CONSENSUS_HASH,
    appHash: APP_HASH_1,
    lastResultsHash: txResultsHash([]),
    evidenceMaxBytes: 1_048_576n,
  };
}

function makeBlock(
  s: BlockValidationState,
  opts: { txs?: Uint8Array[]; lastCommit: Commit; time: Timestamp; round?: number; evidence?: Block["evidence"] },
): Block {
  const txs = opts.txs ?? [];
  const evidence = opts.evidence ?? [];
  const header: Header = {
    version: s.version,
    chainId: s.chainId,
    height: s.lastBlockHeight === 0n ? s.initialHeight : s.lastBlockHeight + 1n,
    time: opts.time,
    lastBlockId: s.lastBlockId,
    lastCommitHash: commitHash(opts.lastCommit),
    dataHash: txsHash(txs),
    validatorsHash: validatorSetHash(s.validators),
    nextValidatorsHash: validatorSetHash(s.nextValidators),
    consensusHash: s.consensusHash,
    appHash: s.appHash,
    lastResultsHash: s.lastResultsHash,
    evidenceHash: evidenceListHash(evidence),
    proposerAddress: proposerForRound(s.validators, opts.round ?? 0).address,
  };
  return { header, txs, evidence, lastCommit: opts.lastCommit };
}

function idOf(b: Block): BlockId {
  const hash = headerHash(b.header);
  return { hash, partSetHeader: { total: 1, hash: sha256(hash) } };
}

/** A commit for `id` at `height` by the validators of `v` with flags per index (signed as precommits). */
function signCommit(
  v: Validators,
  set: ValidatorSet,
  height: bigint,
  id: BlockId,
  flags: BlockIdFlag[],
  times: Timestamp[],
): Commit {
  const base: Commit = { height, round: 0, blockId: id, signatures: [] };
  const signatures: CommitSig[] = set.validators.map((val, i) => {
    const flag = flags[i]!;
    if (flag === BlockIdFlag.Absent) {
      return {
        blockIdFlag: flag,
        validatorAddress: new Uint8Array(0),
        timestamp: ZERO_TIME,
        signature: new Uint8Array(0),
      };
    }
    const unsigned: CommitSig = {
      blockIdFlag: flag,
      validatorAddress: val.address,
      timestamp: times[i]!,
      signature: new Uint8Array(0),
    };
    const pv = v.privvals.find((p) => toHex(p.address) === toHex(val.address))!;
    return { ...unsigned, signature: ed25519Sign(pv.seed, commitSigSignBytes(CHAIN_ID, base, unsigned)) };
  });
  return { ...base, signatures };
}

const at = (s: number): Timestamp => ({ seconds: GENESIS.seconds + BigInt(s), nanos: 0 });
const C = BlockIdFlag.Commit;
const N = BlockIdFlag.Nil;
const X = BlockIdFlag.Absent;

// The chain: block 1 (initial), its commit, block 2.
const S1 = genesisState();
const B1 = makeBlock(S1, { txs: [new Uint8Array([1, 2, 3])], lastCommit: emptyCommit, time: GENESIS });
const ID1 = idOf(B1);
const COMMIT1 = signCommit(V, S1.validators, 1n, ID1, [C, C, N, C], [at(3), at(1), at(2), at(4)]);
const S2: BlockValidationState = {
  ...S1,
  lastBlockHeight: 1n,
  lastBlockId: ID1,
  lastBlockTime: GENESIS,
  lastValidators: S1.validators,
  validators: S1.nextValidators,
  nextValidators: incrementProposerPriority(S1.nextValidators, 1),
  appHash: sha256(new TextEncoder().encode("app-after-1")),
  lastResultsHash: txResultsHash([{ code: 0, data: new Uint8Array(0), gasWanted: 10n, gasUsed: 7n }]),
};
const T2 = medianTime(COMMIT1, S1.validators);
const B2 = makeBlock(S2, { lastCommit: COMMIT1, time: T2 });

function withHeader(b: Block, h: Partial<Header>): Block {
  return { ...b, header: { ...b.header, ...h } };
}

describe("validateBlock: a valid chain", () => {
  it("the initial block (genesis time, empty last commit) and the next (median time, verified commit)", () => {
    assert.equal(
      code(() => validateBlock(S1, B1)),
      "OK",
    );
    // equal powers, times 3,1,2,4 → sorted 1,2,3,4; T = 40, median 20: 1 (10) → 10 left, 2 (10) fits
    assert.deepEqual(T2, at(2));
    assert.equal(
      code(() => validateBlock(S2, B2)),
      "OK",
    );
    assert.equal(
      code(() => validateBlock(S2, B2, { round: 0 })),
      "OK",
    );
  });
});

describe("validateBlock: each broken rule has its code", () => {
  const cases: [string, BlockValidationState, Block, string][] = [
    ["block protocol", S1, withHeader(B1, { version: { block: 10n, app: 1n } }), "BLOCK_INVALID_HEADER"],
    ["app version", S1, withHeader(B1, { version: { block: BLOCK_PROTOCOL, app: 2n } }), "BLOCK_WRONG_VERSION"],
    ["chain id too long", S1, withHeader(B1, { chainId: "x".repeat(51) }), "BLOCK_INVALID_HEADER"],
    ["chain id", S1, withHeader(B1, { chainId: "other-1" }), "BLOCK_WRONG_CHAIN_ID"],
    ["zero height", S1, withHeader(B1, { height: 0n }), "BLOCK_INVALID_HEADER"],
    ["initial height", S1, withHeader(B1, { height: 2n }), "BLOCK_WRONG_HEIGHT"],
    ["next height", S2, withHeader(B2, { height: 3n }), "BLOCK_WRONG_HEIGHT"],
    [
      "last block id",
      S2,
      withHeader(B2, { lastBlockId: { ...ID1, hash: sha256(ID1.hash) } }),
      "BLOCK_WRONG_LAST_BLOCK_ID",
    ],
    ["hash length", S1, withHeader(B1, { validatorsHash: new Uint8Array(31) }), "BLOCK_INVALID_HEADER"],
    ["proposer length", S1, withHeader(B1, { proposerAddress: new Uint8Array(19) }), "BLOCK_INVALID_HEADER"],
    [
      "last commit hash",
      S1,
      withHeader(B1, { lastCommitHash: sha256(new Uint8Array(1)) }),
      "BLOCK_WRONG_LAST_COMMIT_HASH",
    ],
    ["data hash", S1, { ...B1, txs: [new Uint8Array([9])] }, "BLOCK_WRONG_DATA_HASH"],
    ["evidence hash", S1, withHeader(B1, { evidenceHash: sha256(new Uint8Array(2)) }), "BLOCK_WRONG_EVIDENCE_HASH"],
    ["app hash", S1, withHeader(B1, { appHash: new Uint8Array(32) }), "BLOCK_WRONG_APP_HASH"],
    ["consensus hash", S1, withHeader(B1, { consensusHash: new Uint8Array(32) }), "BLOCK_WRONG_CONSENSUS_HASH"],
    ["last results hash", S2, withHeader(B2, { lastResultsHash: txResultsHash([]) }), "BLOCK_WRONG_LAST_RESULTS_HASH"],
    ["validators hash", S1, withHeader(B1, { validatorsHash: new Uint8Array(32) }), "BLOCK_WRONG_VALIDATORS_HASH"],
    [
      "next validators hash",
      S1,
      withHeader(B1, { nextValidatorsHash: new Uint8Array(32) }),
      "BLOCK_WRONG_NEXT_VALIDATORS_HASH",
    ],
    ["genesis time", S1, withHeader(B1, { time: at(1) }), "BLOCK_WRONG_TIME"],
    ["median time", S2, withHeader(B2, { time: at(3) }), "BLOCK_WRONG_TIME"],
    ["proposer not a validator", S1, withHeader(B1, { proposerAddress: new Uint8Array(20) }), "BLOCK_WRONG_PROPOSER"],
  ];
  for (const [name, state, block, expected] of cases) {
    it(`${name} → ${expected}`, () =>
      assert.equal(
        code(() => validateBlock(state, block)),
        expected,
      ));
  }

  it("the initial block may not carry last-commit signatures", () => {
    const b = makeBlock(S1, { lastCommit: { ...COMMIT1, height: 0n }, time: GENESIS });
    assert.equal(
      code(() => validateBlock(S1, b)),
      "BLOCK_INITIAL_HAS_LAST_COMMIT",
    );
  });

  it("time not after the last block time (commit stamped before it)", () => {
    const early = signCommit(V, S1.validators, 1n, ID1, [C, C, C, C], [at(-5), at(-5), at(-5), at(-5)]);
    const s = { ...S2, lastBlockTime: GENESIS };
    const b = makeBlock(s, { lastCommit: early, time: medianTime(early, S1.validators) });
    assert.equal(
      code(() => validateBlock(s, b)),
      "BLOCK_TIME_NOT_MONOTONIC",
    );
  });

  it("a given round pins the proposer", () => {
    const r1 = proposerForRound(S2.validators, 1).address;
    assert.notEqual(toHex(r1), toHex(B2.header.proposerAddress));
    assert.equal(
      code(() => validateBlock(S2, B2, { round: 1 })),
      "BLOCK_WRONG_PROPOSER",
    );
    const b = makeBlock(S2, { lastCommit: COMMIT1, time: T2, round: 1 });
    assert.equal(
      code(() => validateBlock(S2, b, { round: 1 })),
      "OK",
    );
    assert.equal(
      code(() => validateBlock(S2, b)),
      "OK",
      "without the round any validator may propose",
    );
  });

  it("last commit: not enough power, bad signature, malformed", () => {
    const weak = signCommit(V, S1.validators, 1n, ID1, [C, C, N, X], [at(1), at(1), at(1), at(1)]);
    const b = makeBlock(S2, { lastCommit: weak, time: medianTime(weak, S1.validators) });
    assert.equal(
      code(() => validateBlock(S2, b)),
      "COMMIT_NOT_ENOUGH_POWER",
    );
    const sigs = COMMIT1.signatures.slice();
    sigs[1] = { ...sigs[1]!, signature: sigs[0]!.signature };
    const forged = { ...COMMIT1, signatures: sigs };
    const bf = makeBlock(S2, { lastCommit: forged, time: medianTime(forged, S1.validators) });
    assert.equal(
      code(() => validateBlock(S2, bf)),
      "COMMIT_BAD_SIGNATURE",
    );
    const absentWithSig = COMMIT1.signatures.slice();
    absentWithSig[2] = { ...absentWithSig[2]!, blockIdFlag: X };
    const bad = { ...COMMIT1, signatures: absentWithSig };
    const bb = makeBlock(S2, { lastCommit: bad, time: T2 });
    assert.equal(
      code(() => validateBlock(S2, bb)),
      "BLOCK_INVALID_LAST_COMMIT",
    );
  });

  it("evidence: malformed, over the byte limit", () => {
    const other = blockFor("other").blockId;
    const a = makeVote(V, 0, PREVOTE, 1n, 0, ID1);
    const b = makeVote(V, 0, PREVOTE, 1n, 0, other);
    const ev = newDuplicateVoteEvidence(a, b, GENESIS, S1.validators)!;
    const good = makeBlock(S2, { lastCommit: COMMIT1, time: T2, evidence: [ev] });
    assert.equal(
      code(() => validateBlock(S2, good)),
      "OK",
    );
    assert.equal(
      code(() => validateBlock({ ...S2, evidenceMaxBytes: 100n }, good)),
      "BLOCK_EVIDENCE_OVERFLOW",
    );
    const swapped = { ...ev, voteA: ev.voteB, voteB: ev.voteA };
    const bad = makeBlock(S2, { lastCommit: COMMIT1, time: T2, evidence: [swapped] });
    assert.equal(
      code(() => validateBlock(S2, bad)),
      "BLOCK_INVALID_EVIDENCE",
    );
  });
});

describe("verifyCommit / verifyCommitLight / verifyCommitLightTrusting", () => {
  const set = S1.validators;

  it("wrong size, height, block id", () => {
    assert.equal(
      code(() => verifyCommit(CHAIN_ID, set, ID1, 1n, COMMIT1)),
      "OK",
    );
    assert.equal(
      code(() => verifyCommit(CHAIN_ID, set, ID1, 1n, { ...COMMIT1, signatures: COMMIT1.signatures.slice(1) })),
      "COMMIT_WRONG_SIZE",
    );
    assert.equal(
      code(() => verifyCommit(CHAIN_ID, set, ID1, 2n, COMMIT1)),
      "COMMIT_WRONG_HEIGHT",
    );
    assert.equal(
      code(() => verifyCommit(CHAIN_ID, set, blockFor("x").blockId, 1n, COMMIT1)),
      "COMMIT_WRONG_BLOCK_ID",
    );
    assert.equal(
      code(() => verifyCommit("other-chain", set, ID1, 1n, COMMIT1)),
      "COMMIT_BAD_SIGNATURE",
    );
  });

  it("exactly 2/3 is not enough; more is", () => {
    // powers 10 × 4 = 40: needed > 26 (⌊80/3⌋); 3 × 10 = 30 passes, 2 × 10 + nil does not
    const three = signCommit(V, set, 1n, ID1, [C, C, C, X], [at(1), at(1), at(1), at(1)]);
    assert.equal(
      code(() => verifyCommit(CHAIN_ID, set, ID1, 1n, three)),
      "OK",
    );
    const v3 = makeValidators([1n, 1n, 1n], "thirds");
    const id = blockFor("thirds").blockId;
    const two = signCommit(v3, v3.set, 1n, id, [C, C, X], [at(1), at(1), at(1)]);
    assert.equal(
      code(() => verifyCommit(CHAIN_ID, v3.set, id, 1n, two)),
      "COMMIT_NOT_ENOUGH_POWER",
    ); // 2 of 3: 2 > 2 fails
  });

  it("the light check stops at +2/3 and ignores nil votes; the full check verifies everything", () => {
    // a bad signature on a nil vote: full fails, light never looks at it
    const sigs = COMMIT1.signatures.slice();
    sigs[2] = { ...sigs[2]!, signature: new Uint8Array(64).fill(7) };
    const c = { ...COMMIT1, signatures: sigs };
    assert.equal(
      code(() => verifyCommit(CHAIN_ID, set, ID1, 1n, c)),
      "COMMIT_BAD_SIGNATURE",
    );
    assert.equal(
      code(() => verifyCommitLight(CHAIN_ID, set, ID1, 1n, c)),
      "OK",
    );
    // a bad signature after +2/3 is reached: light stops before it
    const all = signCommit(V, set, 1n, ID1, [C, C, C, C], [at(1), at(1), at(1), at(1)]);
    const late = all.signatures.slice();
    late[3] = { ...late[3]!, signature: new Uint8Array(64).fill(9) };
    assert.equal(
      code(() => verifyCommitLight(CHAIN_ID, set, ID1, 1n, { ...all, signatures: late })),
      "OK",
    );
    assert.equal(
      code(() => verifyCommit(CHAIN_ID, set, ID1, 1n, { ...all, signatures: late })),
      "COMMIT_BAD_SIGNATURE",
    );
  });

  it("a signature slot must carry its validator's address", () => {
    const sigs = COMMIT1.signatures.slice();
    sigs[0] = { ...sigs[0]!, validatorAddress: sigs[1]!.validatorAddress };
    assert.equal(
      code(() => verifyCommit(CHAIN_ID, set, ID1, 1n, { ...COMMIT1, signatures: sigs })),
      "COMMIT_WRONG_ADDRESS",
    );
  });

  it("trusting: signers found by address in another set, more than 1/3 of its power", () => {
    // trusted set: validator 0 (10) + a stranger (15): 10 of 25 ≤ 1/3? 10 > ⌊25/3⌋ = 8 → trusted
    const stranger = makeValidators([15n], "stranger");
    const me = set.validators[0]!;
    const trusted: ValidatorSet = {
      validators: [{ ...stranger.set.validators[0]! }, { ...me }],
      totalVotingPower: 25n,
      proposerIndex: 0,
    };
    assert.equal(
      code(() => verifyCommitLightTrusting(CHAIN_ID, trusted, COMMIT1)),
      "OK",
    );
    const heavier: ValidatorSet = {
      ...trusted,
      validators: [{ ...stranger.set.validators[0]!, votingPower: 30n }, { ...me }],
      totalVotingPower: 40n,
    };
    // 10 > ⌊40/3⌋ = 13? no
    assert.equal(
      code(() => verifyCommitLightTrusting(CHAIN_ID, heavier, COMMIT1)),
      "COMMIT_NOT_ENOUGH_POWER",
    );
    assert.equal(
      code(() => verifyCommitLightTrusting(CHAIN_ID, trusted, COMMIT1, { numerator: 1n, denominator: 0n })),
      "COMMIT_BAD_TRUST_LEVEL",
    );
    const dup = COMMIT1.signatures.slice();
    dup[1] = dup[0]!;
    assert.equal(
      code(() => verifyCommitLightTrusting(CHAIN_ID, set, { ...COMMIT1, signatures: dup })),
      "COMMIT_DOUBLE_VOTE",
    );
  });
});

describe("advanceBlockValidationState: CometBFT updateState", () => {
  it("matches the hand-built state, and a validator update first changes NextValidatorsHash, then ValidatorsHash", () => {
    const g = genesisBlockValidationState({
      chainId: CHAIN_ID,
      initialHeight: 1n,
      genesisTime: GENESIS,
      appVersion: 1n,
      validators: V.set,
      consensusHash: CONSENSUS_HASH,
      appHash: APP_HASH_1,
      evidenceMaxBytes: 1_048_576n,
    });
    assert.equal(toCanonicalJson(g), toCanonicalJson(S1));
    const results = [{ code: 0, data: new Uint8Array(0), gasWanted: 10n, gasUsed: 7n }];
    const s2 = advanceBlockValidationState(g, {
      block: B1,
      blockId: ID1,
      results,
      validatorUpdates: [],
      appHash: S2.appHash,
    });
    assert.equal(toCanonicalJson(s2), toCanonicalJson(S2));
    assert.equal(
      code(() => validateBlock(s2, B2)),
      "OK",
    );

    // block 2 executed; the app adds a fifth validator: block 3 keeps ValidatorsHash, changes NextValidatorsHash
    const newcomer = makeValidators([10n], "newcomer");
    const s3 = advanceBlockValidationState(s2, {
      block: B2,
      blockId: idOf(B2),
      results: [],
      validatorUpdates: [{ pubKey: newcomer.privvals[0]!.pubKey, power: 10n }],
      appHash: S2.appHash,
    });
    assert.deepEqual(validatorSetHash(s3.validators), validatorSetHash(s2.nextValidators));
    assert.equal(s3.validators.validators.length, 4);
    assert.equal(s3.nextValidators.validators.length, 5);
    assert.notDeepEqual(validatorSetHash(s3.nextValidators), validatorSetHash(s2.nextValidators));
    // block 3 signed by the old four; at height 4 the five sign
    const commit2 = signCommit(V, s2.validators, 2n, idOf(B2), [C, C, C, C], [at(5), at(5), at(5), at(5)]);
    const b3 = makeBlock(s3, { lastCommit: commit2, time: at(5) });
    assert.equal(
      code(() => validateBlock(s3, b3)),
      "OK",
    );
    const s4 = advanceBlockValidationState(s3, {
      block: b3,
      blockId: idOf(b3),
      results: [],
      validatorUpdates: [],
      appHash: S2.appHash,
    });
    assert.equal(s4.validators.validators.length, 5);
    assert.equal(s4.lastValidators?.validators.length, 4);
    // a header still claiming the old set at height 4 is refused
    const stale = withHeader(makeBlock(s4, { lastCommit: emptyCommit, time: at(6) }), {
      validatorsHash: validatorSetHash(s3.validators),
    });
    assert.equal(
      code(() => validateBlock(s4, stale)),
      "BLOCK_WRONG_VALIDATORS_HASH",
    );
  });
});

describe("validateBlock property: random last commits", () => {
  it("accepted iff the Commit power is > 2/3 and the time is the (later than last) median", () => {
    const flag = fc.constantFrom(C, N, X);
    fc.assert(
      fc.property(
        fc.array(flag, { minLength: 4, maxLength: 4 }),
        fc.array(fc.integer({ min: -3, max: 3 }), { minLength: 4, maxLength: 4 }),
        (flags, secs) => {
          const commit = signCommit(V, S1.validators, 1n, ID1, flags, secs.map(at));
          const time = medianTime(commit, S1.validators);
          const got = code(() => validateBlock(S2, makeBlock(S2, { lastCommit: commit, time })));
          const commits = flags.filter((f) => f === C).length;
          const expected =
            commits < 3
              ? "COMMIT_NOT_ENOUGH_POWER"
              : compareTimestamps(time, GENESIS) <= 0
                ? "BLOCK_TIME_NOT_MONOTONIC"
                : "OK";
          assert.equal(got, expected);
        },
      ),
      { seed: 11, numRuns: 60 },
    );
  });
});

describe("hashes", () => {
  it("deterministic tx result bytes keep code, data, gas wanted, gas used only", () => {
    assert.equal(
      toHex(encodeDeterministicTxResult({ code: 1, data: fromHex("aa"), gasWanted: 5n, gasUsed: 3n })),
      "080112 01aa 2805 3003".replaceAll(" ", ""),
    );
    // proto3: a zero result is empty
    assert.equal(
      encodeDeterministicTxResult({ code: 0, data: new Uint8Array(0), gasWanted: 0n, gasUsed: 0n }).length,
      0,
    );
    const r = { code: 0, data: new Uint8Array(0), gasWanted: 10n, gasUsed: 7n };
    assert.deepEqual(txResultsHash([r]), merkleRoot([fromHex("280a3007")]));
  });

  it("data hash is the Merkle root of the txs' SHA-256 (CometBFT Txs.Hash); empty = sha256('')", () => {
    const tx = new Uint8Array([1, 2, 3]);
    assert.deepEqual(txsHash([tx]), merkleRoot([sha256(tx)]));
    assert.equal(toHex(txsHash([])), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  });

  it("the data hash from the txs' hashes (txsHashOfHashes) is the data hash of the txs", () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 9 }), (txs) => {
        assert.deepEqual(txsHashOfHashes(txs.map((t) => sha256(t))), txsHash(txs));
      }),
    );
    // Order matters: the hashes are taken in block order.
    const [a, b] = [new Uint8Array([1]), new Uint8Array([2])];
    assert.notDeepEqual(txsHashOfHashes([sha256(b), sha256(a)]), txsHash([a, b]));
  });
});
