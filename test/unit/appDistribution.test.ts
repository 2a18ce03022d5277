/** Distribution (F1): fees by power, commission, withdrawals, withdraw address, community pool; mint. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DISTRIBUTION_URLS, encodeStringsAndCoins } from "../../src/codec/distribution.ts";
import { Dec } from "../../src/primitives/amount.ts";
import { decodeDecCoinsMessage, encodeStringsRequest } from "../../src/codec/staking.ts";
import { amountOf } from "../../src/app/distribution/decCoins.ts";
import { nextInflationRate } from "../../src/app/mint/keeper.ts";
import { DEFAULT_MINT_PARAMS } from "../../src/app/mint/params.ts";
import {
  TestChain,
  account,
  anyOf,
  attr,
  coin,
  consKey,
  createValidatorAny,
  delegateAny,
} from "./appStakingHarness.ts";

const v1 = account("d-v1");
const v2 = account("d-v2");
const alice = account("d-alice");
const carol = account("d-carol");
const M = 1_000_000n;

/** No inflation, so only the fees we send are distributed. */
const NO_MINT = {
  mint: {
    minter: { inflation: "0", annual_provisions: "0" },
    params: { inflation_rate_change: "0", inflation_max: "0", inflation_min: "0" },
  },
};

function chain(): TestChain {
  const c = new TestChain({
    funded: [
      [v1, 1000n * M],
      [v2, 1000n * M],
      [alice, 1000n * M],
      [carol, 10n * M],
    ],
    genesis: NO_MINT,
  });
  c.genesisValidators([{ acc: v1, key: consKey("d1"), amount: 100n * M, rate: "0.1" }]);
  return c;
}

const withdrawRewardAny = (del: typeof alice, val: typeof v1) =>
  anyOf(
    DISTRIBUTION_URLS.MsgWithdrawDelegatorReward,
    encodeStringsAndCoins([
      [1, del.bech32],
      [2, val.valoper],
    ]),
  );
const withdrawCommissionAny = (val: typeof v1) =>
  anyOf(DISTRIBUTION_URLS.MsgWithdrawValidatorCommission, encodeStringsAndCoins([[1, val.valoper]]));

function payFees(c: TestChain, amount: bigint): void {
  c.block((ctx) =>
    c.bank.sendCoinsFromAccountToModule(ctx, carol.address, "fee_collector", [{ denom: "uscrt", amount }]),
  );
}

describe("distribution", () => {
  it("splits fees: community tax, commission, delegator rewards; withdrawals pay exact amounts", () => {
    const c = chain();
    payFees(c, 1000n);
    c.block(); // allocation of the previous block's fees
    const pool = c.pos.distribution.getCommunityPool(c.ctx);
    assert.equal(amountOf(pool, "uscrt").toString(), Dec.fromInt(20n).toString());
    assert.equal(
      amountOf(c.pos.distribution.getCommission(c.ctx, v1.address), "uscrt").toString(),
      Dec.fromInt(98n).toString(),
    );
    const before = c.balance(v1);
    const r = c.block((ctx) => [c.deliver(ctx, withdrawCommissionAny(v1)), c.deliver(ctx, withdrawRewardAny(v1, v1))]);
    assert.ok(r[0]!.ok && r[1]!.ok, r[0]!.error?.message ?? r[1]!.error?.message);
    assert.deepEqual(attr(r[0]!.events, "withdraw_commission", "amount"), ["98uscrt"]);
    assert.deepEqual(attr(r[1]!.events, "withdraw_rewards", "amount"), ["882uscrt"]);
    assert.equal(c.balance(v1), before + 980n);
    const again = c.block((ctx) => c.deliver(ctx, withdrawCommissionAny(v1)));
    assert.equal(again.error?.codespace, "distribution");
    assert.equal(again.error?.abciCode, 7);
  });

  it("shares delegator rewards by stake and validator rewards by power", () => {
    const c = chain();
    c.block((ctx) => {
      assert.ok(c.deliver(ctx, delegateAny(alice, v1, 100n * M)).ok);
    });
    payFees(c, 10_000n);
    c.block();
    const r = c.block((ctx) => [
      c.deliver(ctx, withdrawRewardAny(alice, v1)),
      c.deliver(ctx, withdrawRewardAny(v1, v1)),
    ]);
    // 10 000 − 2 % = 9 800; commission 980; 8 820 shared equally by two equal stakes.
    assert.deepEqual(attr(r[0]!.events, "withdraw_rewards", "amount"), ["4410uscrt"]);
    assert.deepEqual(attr(r[1]!.events, "withdraw_rewards", "amount"), ["4410uscrt"]);
    // A second validator with a third of the power gets a third of the next fees.
    c.block((ctx) => assert.ok(c.deliver(ctx, createValidatorAny(v2, consKey("d2"), 100n * M, "0.1")).ok));
    payFees(c, 30_000n);
    c.block();
    const c1 = amountOf(c.pos.distribution.getOutstanding(c.ctx, v1.address), "uscrt");
    const c2 = amountOf(c.pos.distribution.getOutstanding(c.ctx, v2.address), "uscrt");
    // v1: 200 power, v2: 100 power → 2 : 1 of 29 400, fractions truncated as LegacyDec does
    // (v1 still holds its earlier 980 commission).
    const share = (power: bigint): Dec =>
      Dec.fromInt(29_400n).mulTruncate(Dec.fromInt(power).quoTruncate(Dec.fromInt(300n)));
    assert.equal(c1.toString(), share(200n).add(Dec.fromInt(980n)).toString());
    assert.equal(c2.toString(), share(100n).toString());
    assert.equal(c1.truncateInt(), 20_579n);
  });

  it("pays to the withdraw address and refuses module accounts as one", () => {
    const c = chain();
    c.block((ctx) => assert.ok(c.deliver(ctx, delegateAny(alice, v1, 50n * M)).ok));
    const setWithdrawAddress = (to: string) =>
      c.block((ctx) =>
        c.deliver(
          ctx,
          anyOf(
            DISTRIBUTION_URLS.MsgSetWithdrawAddress,
            encodeStringsAndCoins([
              [1, alice.bech32],
              [2, to],
            ]),
          ),
        ),
      );
    const set = setWithdrawAddress(carol.bech32);
    assert.ok(set.ok, set.error?.message);
    assert.deepEqual(attr(set.events, "set_withdraw_address", "withdraw_address"), [carol.bech32]);
    const blocked = setWithdrawAddress("secret1jv65s3grqf6v6jl3dp4t6c9t9rk99cd896s45r");
    assert.equal(blocked.error?.abciCode, 4);
    payFees(c, 3000n);
    c.block();
    const carolBefore = c.balance(carol);
    const aliceBefore = c.balance(alice);
    assert.ok(c.block((ctx) => c.deliver(ctx, withdrawRewardAny(alice, v1))).ok);
    assert.equal(c.balance(alice), aliceBefore);
    assert.ok(c.balance(carol) > carolBefore);
  });

  it("answers reward and pool queries on a read-only view", () => {
    const c = chain();
    c.block((ctx) => assert.ok(c.deliver(ctx, delegateAny(alice, v1, 100n * M)).ok));
    payFees(c, 10_000n);
    c.block();
    const req = encodeStringsRequest([alice.bech32, v1.valoper]);
    const rewards = decodeDecCoinsMessage(c.query("/cosmos.distribution.v1beta1.Query/DelegationRewards", req));
    assert.equal(amountOf(rewards, "uscrt").truncateInt(), 4410n);
    const total = c.query(
      "/cosmos.distribution.v1beta1.Query/DelegationTotalRewards",
      encodeStringsRequest([alice.bech32]),
    );
    assert.ok(total.length > 0);
    const pool = decodeDecCoinsMessage(c.query("/cosmos.distribution.v1beta1.Query/CommunityPool", new Uint8Array(0)));
    assert.equal(amountOf(pool, "uscrt").truncateInt(), 200n);
    // The query wrote nothing: withdrawing still pays the same amount.
    const r = c.block((ctx) => c.deliver(ctx, withdrawRewardAny(alice, v1)));
    assert.deepEqual(attr(r.events, "withdraw_rewards", "amount"), ["4410uscrt"]);
    assert.throws(
      () =>
        c.query(
          "/cosmos.distribution.v1beta1.Query/DelegationRewards",
          encodeStringsRequest([alice.bech32, "secretvaloper1bad"]),
        ),
      (e: unknown) => e instanceof Error && /InvalidArgument/.test(e.message),
    );
  });

  it("funds the community pool", () => {
    const c = chain();
    const r = c.block((ctx) =>
      c.deliver(
        ctx,
        anyOf(DISTRIBUTION_URLS.MsgFundCommunityPool, encodeStringsAndCoins([[2, alice.bech32]], [1, [coin(777n)]])),
      ),
    );
    assert.ok(r.ok, r.error?.message);
    assert.equal(amountOf(c.pos.distribution.getCommunityPool(c.ctx), "uscrt").truncateInt(), 777n);
    assert.equal(c.moduleBalance("distribution"), 777n);
    const bad = c.block((ctx) =>
      c.deliver(
        ctx,
        anyOf(DISTRIBUTION_URLS.MsgFundCommunityPool, encodeStringsAndCoins([[2, alice.bech32]], [1, []])),
      ),
    );
    assert.equal(bad.error?.abciCode, 10);
  });
});

describe("mint", () => {
  it("mints each block into the fee collector and moves inflation toward the goal", () => {
    const c = new TestChain({ funded: [[v1, 1000n * M]] });
    c.genesisValidators([{ acc: v1, key: consKey("m1"), amount: 100n * M }]);
    const supply0 = c.supply();
    c.block();
    const minted = c.supply() - supply0;
    // 13 % of 1 000 M a year over 6 311 520 blocks ≈ 20 uscrt a block (bonded ratio 0.1 < 0.67: up).
    const m = c.pos.mint.getMinter(c.ctx);
    const expected = nextInflationRate(
      { inflation: Dec.parse("0.13"), annualProvisions: Dec.ZERO },
      DEFAULT_MINT_PARAMS,
      Dec.parse("0.1"),
    );
    assert.equal(m.inflation.toString(), expected.toString());
    assert.ok(m.inflation.compare(Dec.parse("0.13")) > 0);
    assert.equal(minted, m.annualProvisions.truncateInt() / 6_311_520n);
    assert.deepEqual(attr(c.lastEvents, "mint", "amount"), [minted.toString()]);
  });
});
