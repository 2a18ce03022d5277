/**
 * The proof-of-stake and gov codecs against secretjs 1.22.1's ts-proto encoders: the messages
 * secretjs builds decode to the same values here, and our records and responses decode in secretjs.
 */
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { describe, it } from "node:test";
import fc from "fast-check";
import { decodeStringsAndCoins, encodeDistributionParams } from "../../src/codec/distribution.ts";
import {
  decodeMsgDeposit,
  decodeMsgSubmitProposal,
  decodeMsgVote,
  decodeMsgVoteWeighted,
  encodeGovParams,
  encodeProposal,
  ProposalStatus,
} from "../../src/codec/gov.ts";
import { encodeMintParams } from "../../src/codec/mint.ts";
import { decodeMsgUnjail, encodeSigningInfo, encodeSlashingParams } from "../../src/codec/slashing.ts";
import {
  BondStatus,
  decodeMsgBeginRedelegate,
  decodeMsgCreateValidator,
  decodeMsgDelegate,
  decodeMsgEditValidator,
  encodeMsgCreateValidator,
  encodeMsgDelegate,
  encodeStakingParams,
  encodeValidator,
} from "../../src/codec/staking.ts";
import { DEFAULT_DISTRIBUTION_PARAMS } from "../../src/app/distribution/params.ts";
import { DEFAULT_GOV_PARAMS } from "../../src/app/gov/params.ts";
import { DEFAULT_MINT_PARAMS } from "../../src/app/mint/params.ts";
import { DEFAULT_SLASHING_PARAMS } from "../../src/app/slashing/params.ts";
import { DEFAULT_STAKING_PARAMS } from "../../src/app/staking/params.ts";
import { Dec } from "../../src/primitives/amount.ts";

const require = createRequire(import.meta.url);
const sjStakingTx = require("secretjs/dist/protobuf/cosmos/staking/v1beta1/tx.js");
const sjStaking = require("secretjs/dist/protobuf/cosmos/staking/v1beta1/staking.js");
const sjGovTx = require("secretjs/dist/protobuf/cosmos/gov/v1/tx.js");
const sjGov = require("secretjs/dist/protobuf/cosmos/gov/v1/gov.js");
const sjDistrTx = require("secretjs/dist/protobuf/cosmos/distribution/v1beta1/tx.js");
const sjDistr = require("secretjs/dist/protobuf/cosmos/distribution/v1beta1/distribution.js");
const sjMint = require("secretjs/dist/protobuf/cosmos/mint/v1beta1/mint.js");
const sjSlashing = require("secretjs/dist/protobuf/cosmos/slashing/v1beta1/slashing.js");
const sjSlashingTx = require("secretjs/dist/protobuf/cosmos/slashing/v1beta1/tx.js");

type SjType = { encode(m: unknown): { finish(): Uint8Array }; decode(b: Uint8Array): Record<string, unknown> };
const encodeSj = (type: SjType, m: unknown): Uint8Array => new Uint8Array(type.encode(m).finish());

const text = fc.string({ maxLength: 40 });
const coin = fc.record(
  {
    denom: fc.stringMatching(/^[a-z]{3,8}$/),
    amount: fc.bigInt({ min: 1n, max: 10n ** 30n }).map(String),
  },
  { noNullPrototype: true },
);
const decAtomics = fc.bigInt({ min: 0n, max: 10n ** 18n }).map(String);

describe("proof-of-stake codecs vs secretjs protobuf", () => {
  it("MsgDelegate, MsgUndelegate, MsgBeginRedelegate", () => {
    fc.assert(
      fc.property(text, text, coin, (del, val, amount) => {
        const theirs = encodeSj(sjStakingTx.MsgDelegate, { delegator_address: del, validator_address: val, amount });
        assert.deepEqual(decodeMsgDelegate(theirs), { delegatorAddress: del, validatorAddress: val, amount });
        assert.deepEqual(encodeMsgDelegate({ delegatorAddress: del, validatorAddress: val, amount }), theirs);
        const red = encodeSj(sjStakingTx.MsgBeginRedelegate, {
          delegator_address: del,
          validator_src_address: val,
          validator_dst_address: del,
          amount,
        });
        assert.deepEqual(decodeMsgBeginRedelegate(red), {
          delegatorAddress: del,
          validatorSrcAddress: val,
          validatorDstAddress: del,
          amount,
        });
      }),
    );
  });

  it("MsgCreateValidator and MsgEditValidator", () => {
    fc.assert(
      fc.property(
        text,
        text,
        decAtomics,
        decAtomics,
        coin,
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        (moniker, val, rate, max, value, key) => {
          const pubkey = { type_url: "/cosmos.crypto.ed25519.PubKey", value: new Uint8Array([10, 32, ...key]) };
          const theirs = encodeSj(sjStakingTx.MsgCreateValidator, {
            description: { moniker, identity: "", website: "", security_contact: "", details: "d" },
            commission: { rate, max_rate: max, max_change_rate: "1" },
            min_self_delegation: "1",
            delegator_address: "",
            validator_address: val,
            pubkey,
            value,
          });
          const ours = decodeMsgCreateValidator(theirs);
          assert.equal(ours.description.moniker, moniker);
          assert.equal(ours.commission.rate, rate);
          assert.equal(ours.validatorAddress, val);
          assert.deepEqual(ours.pubkey?.value, pubkey.value);
          assert.deepEqual(encodeMsgCreateValidator(ours), theirs, "re-encodes to the same bytes");
          const edit = encodeSj(sjStakingTx.MsgEditValidator, {
            description: { moniker, identity: "", website: "", security_contact: "", details: "" },
            validator_address: val,
            commission_rate: rate,
            min_self_delegation: "",
          });
          const e = decodeMsgEditValidator(edit);
          assert.equal(e.commissionRate, rate);
          assert.equal(e.validatorAddress, val);
        },
      ),
    );
  });

  it("Validator and staking Params decode in secretjs", () => {
    const v = sjStaking.Validator.decode(
      encodeValidator({
        operatorAddress: "secretvaloper1x",
        consensusPubkey: { typeUrl: "/cosmos.crypto.ed25519.PubKey", value: new Uint8Array([10, 1, 7]) },
        jailed: true,
        status: BondStatus.Bonded,
        tokens: 12345n,
        delegatorShares: Dec.parse("12345.5"),
        description: { moniker: "m", identity: "i", website: "w", securityContact: "s", details: "d" },
        unbondingHeight: 9n,
        unbondingTime: 1_700_000_000_123_000_000n,
        commission: {
          rates: { rate: Dec.parse("0.1"), maxRate: Dec.parse("0.2"), maxChangeRate: Dec.parse("0.01") },
          updateTime: 1_700_000_000n * 1_000_000_000n,
        },
        minSelfDelegation: 1n,
        unbondingOnHoldRefCount: 0n,
        unbondingIds: [3n, 300n],
      }),
    );
    assert.equal(v.operator_address, "secretvaloper1x");
    assert.equal(v.jailed, true);
    assert.equal(v.status, 3);
    assert.equal(v.tokens, "12345");
    assert.equal(v.delegator_shares, "12345500000000000000000");
    assert.equal(v.unbonding_height, "9");
    assert.deepEqual(v.unbonding_time, { seconds: "1700000000", nanos: 123_000_000 });
    assert.equal((v.commission as { commission_rates: { rate: string } }).commission_rates.rate, "100000000000000000");
    assert.deepEqual(v.unbonding_ids, ["3", "300"]);
    const p = sjStaking.Params.decode(encodeStakingParams(DEFAULT_STAKING_PARAMS));
    assert.deepEqual(p.unbonding_time, { seconds: "90", nanos: 0 });
    assert.equal(p.max_validators, 100);
    assert.equal(p.max_entries, 7);
    assert.equal(p.historical_entries, 10000);
    assert.equal(p.bond_denom, "uscrt");
  });

  it("gov v1 messages from secretjs decode here; Proposal and Params decode in secretjs", () => {
    const submit = encodeSj(sjGovTx.MsgSubmitProposal, {
      messages: [{ type_url: "/cosmos.gov.v1.MsgExecLegacyContent", value: new Uint8Array([1, 2]) }],
      initial_deposit: [{ denom: "uscrt", amount: "1000000000" }],
      proposer: "secret1p",
      metadata: "m",
      title: "t",
      summary: "s",
      expedited: true,
    });
    const m = decodeMsgSubmitProposal(submit);
    assert.equal(m.messages[0]?.typeUrl, "/cosmos.gov.v1.MsgExecLegacyContent");
    assert.equal(m.expedited, true);
    assert.equal(m.title, "t");
    const vote = decodeMsgVote(encodeSj(sjGovTx.MsgVote, { proposal_id: "5", voter: "v", option: 4, metadata: "" }));
    assert.deepEqual(vote, {
      proposalId: 5n,
      voter: "v",
      options: [{ option: 4, weight: "1.000000000000000000" }],
      metadata: "",
    });
    const weighted = decodeMsgVoteWeighted(
      encodeSj(sjGovTx.MsgVoteWeighted, {
        proposal_id: "5",
        voter: "v",
        options: [
          { option: 1, weight: "0.7" },
          { option: 2, weight: "0.3" },
        ],
        metadata: "",
      }),
    );
    assert.deepEqual(weighted.options, [
      { option: 1, weight: "0.7" },
      { option: 2, weight: "0.3" },
    ]);
    const dep = decodeMsgDeposit(
      encodeSj(sjGovTx.MsgDeposit, { proposal_id: "2", depositor: "d", amount: [{ denom: "uscrt", amount: "7" }] }),
    );
    assert.deepEqual(dep, { proposalId: 2n, depositor: "d", amount: [{ denom: "uscrt", amount: "7" }] });
    const p = sjGov.Proposal.decode(
      encodeProposal({
        id: 3n,
        messages: [],
        status: ProposalStatus.VotingPeriod,
        finalTallyResult: { yes: 1n, abstain: 0n, no: 2n, noWithVeto: 0n },
        submitTime: 5_000_000_000n,
        depositEndTime: 6_000_000_000n,
        totalDeposit: [{ denom: "uscrt", amount: "110000000" }],
        votingStartTime: 5_000_000_000n,
        votingEndTime: 95_000_000_000n,
        metadata: "",
        title: "t",
        summary: "s",
        proposer: "secret1p",
        expedited: false,
        failedReason: "",
      }),
    );
    assert.equal(p.id, "3");
    assert.equal(p.status, 2);
    assert.deepEqual(p.total_deposit, [{ denom: "uscrt", amount: "110000000" }]);
    assert.deepEqual(p.voting_end_time, { seconds: "95", nanos: 0 });
    assert.equal((p.final_tally_result as { no_count: string }).no_count, "2");
    const gp = sjGov.Params.decode(encodeGovParams(DEFAULT_GOV_PARAMS));
    assert.equal(gp.quorum, "0.334000000000000000");
    assert.equal(gp.burn_vote_veto, true);
    assert.deepEqual(gp.expedited_min_deposit, [{ denom: "uscrt", amount: "2500000000" }]);
    assert.deepEqual(gp.voting_period, { seconds: "90", nanos: 0 });
  });

  it("distribution, mint and slashing messages and params", () => {
    const w = decodeStringsAndCoins(
      encodeSj(sjDistrTx.MsgWithdrawDelegatorReward, { delegator_address: "d", validator_address: "v" }),
      "MsgWithdrawDelegatorReward",
      [1, 2],
    );
    assert.deepEqual(w.strings, ["d", "v"]);
    const fund = decodeStringsAndCoins(
      encodeSj(sjDistrTx.MsgFundCommunityPool, { amount: [{ denom: "uscrt", amount: "9" }], depositor: "x" }),
      "MsgFundCommunityPool",
      [2],
      1,
    );
    assert.deepEqual(fund.coins, [{ denom: "uscrt", amount: "9" }]);
    assert.deepEqual(fund.strings, ["x"]);
    const dp = sjDistr.Params.decode(encodeDistributionParams(DEFAULT_DISTRIBUTION_PARAMS));
    assert.equal(dp.community_tax, "20000000000000000");
    assert.equal(dp.withdraw_addr_enabled, true);
    assert.equal(dp.minimum_restake_threshold, "10000000000000000000000000");
    assert.equal(dp.restake_period, "1000");
    const mp = sjMint.Params.decode(encodeMintParams(DEFAULT_MINT_PARAMS));
    assert.equal(mp.mint_denom, "uscrt");
    assert.equal(mp.goal_bonded, "670000000000000000");
    assert.equal(mp.blocks_per_year, "6311520");
    const sp = sjSlashing.Params.decode(encodeSlashingParams(DEFAULT_SLASHING_PARAMS));
    assert.equal(sp.signed_blocks_window, "100");
    assert.deepEqual(sp.downtime_jail_duration, { seconds: "600", nanos: 0 });
    assert.deepEqual(
      [...(sp.slash_fraction_double_sign as Uint8Array)],
      [..."50000000000000000"].map((c) => c.charCodeAt(0)),
    );
    const info = sjSlashing.ValidatorSigningInfo.decode(
      encodeSigningInfo({
        address: "secretvalcons1x",
        startHeight: 4n,
        indexOffset: 9n,
        jailedUntil: 0n,
        tombstoned: true,
        missedBlocksCounter: 2n,
      }),
    );
    assert.equal(info.start_height, "4");
    assert.equal(info.tombstoned, true);
    assert.equal(info.missed_blocks_counter, "2");
    assert.deepEqual(decodeMsgUnjail(encodeSj(sjSlashingTx.MsgUnjail, { validator_addr: "secretvaloper1y" })), {
      validatorAddr: "secretvaloper1y",
    });
  });
});
