/** Governance: proposals, deposits, votes (weighted), tally, execution, burns, upgrade halt. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { UpgradeHaltError } from "../../src/app/gov/upgrade.ts";
import { AppError } from "../../src/app/errors.ts";
import { MINT_URLS } from "../../src/codec/mint.ts";
import { SLASHING_URLS } from "../../src/codec/slashing.ts";
import { DISTRIBUTION_URLS, encodeStringsAndCoins } from "../../src/codec/distribution.ts";
import {
  GOV_URLS,
  ProposalStatus,
  VoteOption,
  decodeProposalIdResponse,
  encodeMsgCancelProposal,
  encodeMsgDeposit,
  encodeMsgExecLegacyContent,
  encodeMsgSoftwareUpgrade,
  encodeMsgSubmitProposal,
  encodeMsgSubmitProposalV1Beta1,
  encodeMsgVote,
  encodeMsgVoteWeighted,
  encodeParameterChangeProposal,
  encodeTextProposal,
  decodeTallyResult,
  encodeProposalRequest,
} from "../../src/codec/gov.ts";
import {
  STAKING_URLS,
  decodeListResponse,
  decodeWrapped,
  encodeMsgDelegate,
  encodeMsgUpdateParams,
  encodeStakingParams,
} from "../../src/codec/staking.ts";
import type { Any } from "../../src/codec/tx.ts";
import { encodeAddress } from "../../src/primitives/bech32.ts";
import { toBase64 } from "../../src/primitives/base64.ts";
import { DEFAULT_STAKING_PARAMS } from "../../src/app/staking/params.ts";
import { TestChain, account, anyOf, attr, coin, consKey, delegateAny } from "./appStakingHarness.ts";
import type { Context } from "../../src/app/context.ts";
import { createRequire } from "node:module";
import { ProtoWriter } from "../../src/codec/protobuf.ts";

const sjGovV1Beta1 = createRequire(import.meta.url)("secretjs/dist/protobuf/cosmos/gov/v1beta1/query.js");
const encodeParamsType = (type: string): Uint8Array => new ProtoWriter().string(1, type).finish();

const v1 = account("g-v1");
const v2 = account("g-v2");
const alice = account("g-alice");
const bob = account("g-bob");
const M = 1_000_000n;
const MIN_DEPOSIT = 1000n * M;

function chain(
  validators: ReadonlyArray<readonly [typeof v1, bigint]> = [[v1, 100n * M]],
  handlers?: Map<string, () => void>,
): TestChain {
  const c = new TestChain({
    funded: [
      [v1, 10_000n * M],
      [v2, 10_000n * M],
      [alice, 10_000n * M],
      [bob, 10_000n * M],
    ],
    genesis: {
      mint: {
        minter: { inflation: "0" },
        params: { inflation_rate_change: "0", inflation_max: "0", inflation_min: "0" },
      },
    },
    ...(handlers === undefined ? {} : { upgradeHandlers: new Map([...handlers].map(([k, f]) => [k, () => f()])) }),
  });
  c.genesisValidators(validators.map(([acc, amount], i) => ({ acc, key: consKey(`g${i}`), amount })));
  return c;
}

const govAddress = (c: TestChain) => encodeAddress(c.auth.moduleAddress("gov"));

function submit(
  c: TestChain,
  ctx: Context,
  messages: Any[],
  deposit = MIN_DEPOSIT,
  proposer = alice,
  expedited = false,
) {
  return c.deliver(
    ctx,
    anyOf(
      GOV_URLS.MsgSubmitProposal,
      encodeMsgSubmitProposal({
        messages,
        initialDeposit: deposit === 0n ? [] : [coin(deposit)],
        proposer: proposer.bech32,
        metadata: messages.length === 0 ? "ipfs://text-only" : "",
        title: "t",
        summary: "s",
        expedited,
      }),
    ),
  );
}

const vote = (voter: typeof v1, id: bigint, option: number) =>
  anyOf(GOV_URLS.MsgVote, encodeMsgVote({ proposalId: id, voter: voter.bech32, option }));

function propose(c: TestChain, messages: Any[], deposit = MIN_DEPOSIT): bigint {
  const r = c.block((ctx) => submit(c, ctx, messages, deposit));
  assert.ok(r.ok, r.error?.message);
  return decodeProposalIdResponse(r.response);
}

const paramChange = (c: TestChain, subspace: string, key: string, value: string): Any => ({
  typeUrl: GOV_URLS.MsgExecLegacyContent,
  value: encodeMsgExecLegacyContent({
    content: {
      typeUrl: GOV_URLS.ParameterChangeProposal,
      value: encodeParameterChangeProposal({ title: "p", description: "d", changes: [{ subspace, key, value }] }),
    },
    authority: govAddress(c),
  }),
});

describe("gov", () => {
  it("a parameter-change proposal passes and applies (staking and the attestation allow-list)", () => {
    const c = chain();
    const policy = JSON.stringify({
      allowed_measurements: [{ measurement: toBase64(new Uint8Array(32).fill(7)), label: "m1" }],
      authorities: [],
    });
    const r = c.block((ctx) =>
      submit(c, ctx, [
        paramChange(c, "staking", "MaxValidators", "7"),
        paramChange(c, "register", "AttestationPolicy", policy),
      ]),
    );
    assert.ok(r.ok, r.error?.message);
    const id = decodeProposalIdResponse(r.response);
    assert.deepEqual(attr(r.events, "submit_proposal", "voting_period_start"), [id.toString()]);
    assert.deepEqual(attr(r.events, "submit_proposal", "proposal_messages"), [
      `,${GOV_URLS.MsgExecLegacyContent},${GOV_URLS.MsgExecLegacyContent}`,
    ]);
    assert.equal(c.moduleBalance("gov"), MIN_DEPOSIT);
    const v = c.block((ctx) => c.deliver(ctx, vote(v1, id, VoteOption.Yes)));
    assert.deepEqual(attr(v.events, "proposal_vote", "option"), ['[{"option":1,"weight":"1.000000000000000000"}]']);
    c.advance(90n);
    const p = c.pos.gov.getProposal(c.ctx, id)!;
    assert.equal(p.status, ProposalStatus.Passed, p.failedReason);
    assert.equal(c.pos.staking.getParams(c.ctx).maxValidators, 7);
    assert.equal(c.registration.getParams(c.ctx).attestationPolicy.allowedMeasurements.length, 1);
    assert.equal(c.moduleBalance("gov"), 0n, "deposit refunded");
    assert.equal(p.finalTallyResult.yes, 100n * M);
  });

  it("a MsgUpdateParams proposal passes; a bad parameter value fails the proposal without changes", () => {
    const c = chain();
    const update: Any = {
      typeUrl: STAKING_URLS.MsgUpdateParams,
      value: encodeMsgUpdateParams({
        authority: govAddress(c),
        params: encodeStakingParams({ ...DEFAULT_STAKING_PARAMS, maxEntries: 3 }),
      }),
    };
    const id = propose(c, [update]);
    c.block((ctx) => assert.ok(c.deliver(ctx, vote(v1, id, VoteOption.Yes)).ok));
    c.advance(90n);
    assert.equal(c.pos.staking.getParams(c.ctx).maxEntries, 3);
    // A legacy param change is tried at submission: a bad value is refused there (gov 5).
    const refused = c.block((ctx) => submit(c, ctx, [paramChange(c, "staking", "MaxValidators", "0")]));
    assert.equal(refused.error?.codespace, "gov");
    assert.equal(refused.error?.abciCode, 5);
    assert.match(refused.error!.message, /max validators must be positive/);
    // MsgUpdateParams is only checked when executed: the whole proposal fails, nothing is kept.
    const withParams = (p: Partial<typeof DEFAULT_STAKING_PARAMS>): Any => ({
      typeUrl: STAKING_URLS.MsgUpdateParams,
      value: encodeMsgUpdateParams({
        authority: govAddress(c),
        params: encodeStakingParams({ ...DEFAULT_STAKING_PARAMS, ...p }),
      }),
    });
    const bad = propose(c, [withParams({ maxEntries: 5 }), withParams({ maxValidators: 0 })]);
    c.block((ctx) => assert.ok(c.deliver(ctx, vote(v1, bad, VoteOption.Yes)).ok));
    c.advance(90n);
    const p = c.pos.gov.getProposal(c.ctx, bad)!;
    assert.equal(p.status, ProposalStatus.Failed);
    assert.match(p.failedReason, /max validators must be positive/);
    assert.equal(c.pos.staking.getParams(c.ctx).maxEntries, 3, "nothing of a failed proposal is kept");
  });

  it("fails quorum (deposit refunded) and is vetoed (deposit burned)", () => {
    const c = chain([
      [v1, 100n * M],
      [v2, 300n * M],
    ]);
    const text: Any = {
      typeUrl: GOV_URLS.MsgExecLegacyContent,
      value: encodeMsgExecLegacyContent({
        content: { typeUrl: GOV_URLS.TextProposal, value: encodeTextProposal({ title: "t", description: "d" }) },
        authority: govAddress(c),
      }),
    };
    const aliceStart = c.balance(alice);
    const quorum = propose(c, [text]);
    c.block((ctx) => assert.ok(c.deliver(ctx, vote(v1, quorum, VoteOption.Yes)).ok));
    c.advance(90n);
    assert.equal(c.pos.gov.getProposal(c.ctx, quorum)!.status, ProposalStatus.Rejected);
    assert.equal(c.balance(alice), aliceStart, "quorum failure refunds (burn_vote_quorum false)");
    const supply = c.supply();
    const veto = propose(c, [text]);
    c.block((ctx) => {
      assert.ok(c.deliver(ctx, vote(v1, veto, VoteOption.Yes)).ok);
      assert.ok(c.deliver(ctx, vote(v2, veto, VoteOption.NoWithVeto)).ok);
    });
    c.advance(90n);
    assert.equal(c.pos.gov.getProposal(c.ctx, veto)!.status, ProposalStatus.Rejected);
    assert.equal(c.balance(alice), aliceStart - MIN_DEPOSIT, "veto burns the deposit");
    assert.equal(c.supply(), supply - MIN_DEPOSIT);
    assert.equal(c.moduleBalance("gov"), 0n);
  });

  it("tallies weighted votes with delegator overrides", () => {
    const c = chain();
    c.block((ctx) => assert.ok(c.deliver(ctx, delegateAny(alice, v1, 100n * M)).ok));
    const id = propose(c, [], MIN_DEPOSIT);
    const weighted = (options: Array<{ option: number; weight: string }>) =>
      anyOf(
        GOV_URLS.MsgVoteWeighted,
        encodeMsgVoteWeighted({ proposalId: id, voter: alice.bech32, options, metadata: "" }),
      );
    c.block((ctx) => {
      const over = c.deliver(
        ctx,
        weighted([
          { option: 1, weight: "0.7" },
          { option: 3, weight: "0.4" },
        ]),
      );
      assert.equal(over.error?.abciCode, 7);
      assert.match(over.error!.message, /total weight overflow 1.00/);
      const dup = c.deliver(
        ctx,
        weighted([
          { option: 1, weight: "0.5" },
          { option: 1, weight: "0.5" },
        ]),
      );
      assert.match(dup.error!.message, /duplicated vote option/);
      const badOption = c.deliver(ctx, weighted([{ option: 9, weight: "1" }]));
      assert.equal(badOption.error?.abciCode, 7);
      const ok = c.deliver(
        ctx,
        weighted([
          { option: 1, weight: "0.7" },
          { option: 3, weight: "0.3" },
        ]),
      );
      assert.ok(ok.ok, ok.error?.message);
      assert.deepEqual(attr(ok.events, "proposal_vote", "option"), [
        '[{"option":1,"weight":"0.7"},{"option":3,"weight":"0.3"}]',
      ]);
      assert.ok(c.deliver(ctx, vote(v1, id, VoteOption.No)).ok);
    });
    // The live tally on a read-only query view (computed on a scratch layer; votes stay).
    const live = decodeWrapped(
      c.query("/cosmos.gov.v1.Query/TallyResult", encodeProposalRequest(id)),
      "r",
      decodeTallyResult,
    )!;
    assert.equal(live.yes, 70n * M);
    assert.equal(c.pos.gov.votes(c.ctx, id).length, 2);
    c.advance(90n);
    const p = c.pos.gov.getProposal(c.ctx, id)!;
    assert.equal(p.finalTallyResult.yes, 70n * M);
    assert.equal(p.finalTallyResult.no, 130n * M, "v1 votes only its own shares; alice's are hers");
    assert.equal(p.status, ProposalStatus.Rejected);
    assert.equal(c.pos.gov.votes(c.ctx, id).length, 0, "votes are deleted by the tally");
  });

  it("checks submissions, deposits and votes; cancel burns half the deposit", () => {
    const c = chain();
    c.block((ctx) => {
      const foreign = submit(c, ctx, [
        anyOf(
          STAKING_URLS.MsgDelegate,
          encodeMsgDelegate({ delegatorAddress: bob.bech32, validatorAddress: v1.valoper, amount: coin(1n) }),
        ),
      ]);
      assert.equal(foreign.error?.codespace, "gov");
      assert.equal(foreign.error?.abciCode, 13);
      const unroutable = submit(c, ctx, [{ typeUrl: "/nope.Msg", value: new Uint8Array(0) }]);
      assert.equal(unroutable.error?.abciCode, 10);
      const noTitle = c.deliver(
        ctx,
        anyOf(
          GOV_URLS.MsgSubmitProposal,
          encodeMsgSubmitProposal({
            messages: [],
            initialDeposit: [],
            proposer: alice.bech32,
            metadata: "",
            title: "t",
            summary: "s",
            expedited: false,
          }),
        ),
      );
      assert.equal(noTitle.error?.abciCode, 11, "no messages and no metadata");
    });
    const id = propose(c, [], 10n * M);
    assert.equal(c.pos.gov.getProposal(c.ctx, id)!.status, ProposalStatus.DepositPeriod);
    const early = c.block((ctx) => c.deliver(ctx, vote(v1, id, VoteOption.Yes)));
    assert.equal(early.error?.abciCode, 3);
    const denom = c.block((ctx) =>
      c.deliver(
        ctx,
        anyOf(
          GOV_URLS.MsgDeposit,
          encodeMsgDeposit({ proposalId: id, depositor: bob.bech32, amount: [coin(10n * M, "ufoo")] }),
        ),
      ),
    );
    assert.equal(denom.error?.abciCode, 23);
    const tiny = c.block((ctx) =>
      c.deliver(
        ctx,
        anyOf(GOV_URLS.MsgDeposit, encodeMsgDeposit({ proposalId: id, depositor: bob.bech32, amount: [coin(1n)] })),
      ),
    );
    assert.equal(tiny.error?.abciCode, 16);
    const d = c.block((ctx) =>
      c.deliver(
        ctx,
        anyOf(
          GOV_URLS.MsgDeposit,
          encodeMsgDeposit({ proposalId: id, depositor: bob.bech32, amount: [coin(MIN_DEPOSIT)] }),
        ),
      ),
    );
    assert.ok(d.ok, d.error?.message);
    assert.deepEqual(attr(d.events, "proposal_deposit", "voting_period_start"), [id.toString()]);
    assert.equal(c.pos.gov.getProposal(c.ctx, id)!.status, ProposalStatus.VotingPeriod);
    const supply = c.supply();
    const bobBefore = c.balance(bob);
    const notProposer = c.block((ctx) =>
      c.deliver(
        ctx,
        anyOf(GOV_URLS.MsgCancelProposal, encodeMsgCancelProposal({ proposalId: id, proposer: bob.bech32 })),
      ),
    );
    assert.equal(notProposer.error?.abciCode, 18);
    const cancel = c.block((ctx) =>
      c.deliver(
        ctx,
        anyOf(GOV_URLS.MsgCancelProposal, encodeMsgCancelProposal({ proposalId: id, proposer: alice.bech32 })),
      ),
    );
    assert.ok(cancel.ok, cancel.error?.message);
    assert.equal(c.pos.gov.getProposal(c.ctx, id), undefined);
    assert.equal(c.supply(), supply - (MIN_DEPOSIT + 10n * M) / 2n);
    assert.equal(c.balance(bob), bobBefore + MIN_DEPOSIT / 2n);
  });

  it("spends the community pool through a passed proposal (v1beta1 submit)", () => {
    const c = chain();
    c.block((ctx) =>
      assert.ok(
        c.deliver(
          ctx,
          anyOf(DISTRIBUTION_URLS.MsgFundCommunityPool, encodeStringsAndCoins([[2, bob.bech32]], [1, [coin(5000n)]])),
        ).ok,
      ),
    );
    const spend: Any = {
      typeUrl: DISTRIBUTION_URLS.MsgCommunityPoolSpend,
      value: encodeStringsAndCoins(
        [
          [1, govAddress(c)],
          [2, alice.bech32],
        ],
        [3, [coin(3000n)]],
      ),
    };
    const id = propose(c, [spend]);
    c.block((ctx) => assert.ok(c.deliver(ctx, vote(v1, id, VoteOption.Yes)).ok));
    const before = c.balance(alice);
    c.advance(90n);
    assert.equal(c.balance(alice), before + 3000n + MIN_DEPOSIT);
    // v1beta1 text proposal: converted to MsgExecLegacyContent.
    const r = c.block((ctx) =>
      c.deliver(
        ctx,
        anyOf(
          GOV_URLS.V1Beta1MsgSubmitProposal,
          encodeMsgSubmitProposalV1Beta1({
            content: {
              typeUrl: GOV_URLS.TextProposal,
              value: encodeTextProposal({ title: "hello", description: "world" }),
            },
            initialDeposit: [coin(MIN_DEPOSIT)],
            proposer: alice.bech32,
          }),
        ),
      ),
    );
    assert.ok(r.ok, r.error?.message);
    const textId = decodeProposalIdResponse(r.response);
    const p = c.pos.gov.getProposal(c.ctx, textId)!;
    assert.equal(p.title, "hello");
    assert.equal(p.messages[0]?.typeUrl, GOV_URLS.MsgExecLegacyContent);
    // v1beta1 queries show the legacy content (decoded by secretjs's v1beta1 codec).
    const v1beta1 = sjGovV1Beta1.QueryProposalResponse.decode(
      c.query("/cosmos.gov.v1beta1.Query/Proposal", encodeProposalRequest(textId)),
    ) as { proposal: { proposal_id: string; content: { type_url: string }; status: number } };
    assert.equal(v1beta1.proposal.proposal_id, textId.toString());
    assert.equal(v1beta1.proposal.content.type_url, GOV_URLS.TextProposal);
    assert.equal(v1beta1.proposal.status, ProposalStatus.VotingPeriod);
    const params = sjGovV1Beta1.QueryParamsResponse.decode(
      c.query("/cosmos.gov.v1beta1.Query/Params", encodeParamsType("tallying")),
    ) as { tally_params: { quorum: Uint8Array } };
    assert.equal(new TextDecoder().decode(params.tally_params.quorum), "334000000000000000");
  });

  it("each module's MsgUpdateParams: authority signs, a wrong one is its module's error, bad params are refused", () => {
    const c = chain();
    const cases: ReadonlyArray<readonly [string, string, number]> = [
      [STAKING_URLS.MsgUpdateParams, "staking", 43],
      [DISTRIBUTION_URLS.MsgUpdateParams, "gov", 13],
      [MINT_URLS.MsgUpdateParams, "gov", 13],
      [SLASHING_URLS.MsgUpdateParams, "gov", 13],
      [GOV_URLS.MsgUpdateParams, "gov", 13],
    ];
    for (const [url, codespace, code] of cases) {
      const s = c.pos.msgServices().find((x) => x.typeUrl === url)!;
      const wrong = s.decode(encodeMsgUpdateParams({ authority: alice.bech32, params: new Uint8Array(0) }));
      assert.deepEqual(s.signers(wrong), [alice.address], url);
      assert.throws(
        () => s.handle(c.ctx, wrong),
        (e) =>
          e instanceof AppError && e.codespace === codespace && e.abciCode === code && e.message.includes(alice.bech32),
        url,
      );
      // All-zero params: refused as sdk 18 InvalidRequest (distribution allows a zero tax: accepted).
      const zero = s.decode(encodeMsgUpdateParams({ authority: govAddress(c), params: new Uint8Array(0) }));
      if (url === DISTRIBUTION_URLS.MsgUpdateParams) {
        c.block((ctx) => assert.deepEqual(s.handle(ctx, zero), new Uint8Array(0)));
        assert.equal(c.pos.distribution.getParams(c.ctx).communityTax.toString(), "0.000000000000000000");
      } else {
        assert.throws(
          () => s.handle(c.ctx, zero),
          (e) => e instanceof AppError && e.codespace === "sdk" && e.abciCode === 18,
          url,
        );
      }
    }
  });

  it("v1 and v1beta1 queries share lookups, filters and errors", () => {
    const c = chain();
    const id = propose(c, [paramChange(c, "staking", "MaxValidators", "7")]);
    c.block((ctx) => assert.ok(c.deliver(ctx, vote(bob, id, VoteOption.Yes)).ok));
    const byDepositor = (who: typeof alice) => new ProtoWriter().string(3, who.bech32).finish();
    const byVoter = (who: typeof alice) => new ProtoWriter().string(2, who.bech32).finish();
    for (const prefix of ["/cosmos.gov.v1.Query/", "/cosmos.gov.v1beta1.Query/"]) {
      const q = (method: string, data: Uint8Array) => c.query(`${prefix}${method}`, data);
      assert.ok(q("Deposit", encodeProposalRequest(id, alice.bech32)).length > 0, prefix);
      assert.throws(() => q("Deposit", encodeProposalRequest(id, bob.bech32)), /depositer: .* not found for proposal/);
      assert.deepEqual(
        q("Deposits", encodeProposalRequest(id)),
        c.query("/cosmos.gov.v1.Query/Deposits", encodeProposalRequest(id)),
      );
      assert.ok(q("Vote", encodeProposalRequest(id, bob.bech32)).length > 0, prefix);
      assert.throws(() => q("Vote", encodeProposalRequest(id, alice.bech32)), /voter: .* not found for proposal/);
      assert.throws(() => q("Vote", encodeProposalRequest(id, "secret1xyz")), /invalid voter address/);
      const count = (data: Uint8Array) => decodeListResponse(q("Proposals", data), "r", (b) => b).items.length;
      assert.equal(count(new Uint8Array(0)), 1, prefix);
      assert.equal(count(byDepositor(alice)), 1, prefix);
      assert.equal(count(byDepositor(bob)), 0, prefix);
      assert.equal(count(byVoter(bob)), 1, prefix);
      assert.equal(count(byVoter(alice)), 0, prefix);
      assert.throws(() => q("Params", encodeParamsType("nope")), /unknown params type: nope/);
      assert.throws(() => q("Proposal", encodeProposalRequest(0n)), /proposal id can not be 0/);
      assert.throws(() => q("TallyResult", encodeProposalRequest(99n)), /proposal 99 doesn't exist/);
      const tally = decodeWrapped(q("TallyResult", encodeProposalRequest(id)), "r", decodeTallyResult)!;
      assert.equal(tally.yes, 0n, "bob has no stake");
    }
  });

  it("halts the chain at an upgrade plan's height with upstream's message; a binary with the handler applies it", () => {
    for (const withHandler of [false, true]) {
      let applied = 0;
      const c = chain([[v1, 100n * M]], withHandler ? new Map([["v2", () => applied++]]) : undefined);
      const plan = { name: "v2", height: 30n, info: "https://example/binaries" };
      const msg: Any = {
        typeUrl: GOV_URLS.MsgSoftwareUpgrade,
        value: encodeMsgSoftwareUpgrade({ authority: govAddress(c), plan }),
      };
      const id = propose(c, [msg]);
      c.block((ctx) => assert.ok(c.deliver(ctx, vote(v1, id, VoteOption.Yes)).ok));
      if (withHandler) {
        // A binary that already knows the plan refuses to run before its height.
        assert.throws(() => c.advance(90n), /BINARY UPDATED BEFORE TRIGGER/);
        continue;
      }
      c.advance(90n);
      assert.equal(c.pos.gov.getProposal(c.ctx, id)!.status, ProposalStatus.Passed);
      assert.equal(c.pos.upgrade.getPlan(c.ctx)?.name, "v2");
      while (c.height < 28) c.block();
      c.block();
      assert.equal(c.height, 29);
      assert.throws(
        () => c.block(),
        (e: unknown) =>
          e instanceof UpgradeHaltError && e.message === 'UPGRADE "v2" NEEDED at height: 30: https://example/binaries',
      );
      assert.equal(applied, 0);
    }
  });

  it("applies an upgrade with the registered handler at the plan's height", () => {
    let applied = 0;
    const d = new TestChain({ funded: [[v1, 1000n * M]], upgradeHandlers: new Map([["v3", () => void applied++]]) });
    d.genesisValidators([{ acc: v1, key: consKey("u"), amount: 100n * M }]);
    assert.throws(
      () => d.pos.upgrade.scheduleUpgrade(d.ctx, { name: "v3", height: 0n, info: "" }),
      /height must be greater than 0/,
    );
    d.pos.upgrade.scheduleUpgrade(d.ctx, { name: "v3", height: 1n, info: "" });
    d.block();
    assert.equal(applied, 1);
    assert.equal(d.pos.upgrade.getPlan(d.ctx), undefined);
    assert.equal(d.pos.upgrade.doneHeight(d.ctx, "v3"), 1n);
  });
});
