/** Staking: validators, delegations, unbonding, redelegation, the active set and its updates. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  BondStatus,
  STAKING_URLS,
  decodeDelegationResponse,
  decodeListResponse,
  decodePool,
  decodeStakingParams,
  decodeValidator,
  decodeWrapped,
  encodeMsgBeginRedelegate,
  encodeMsgCancelUnbondingDelegation,
  encodeMsgCreateValidator,
  encodeMsgEditValidator,
  encodeStringsRequest,
} from "../../src/codec/staking.ts";
import { paginate } from "../../src/app/modules/pagination.ts";
import { Dec } from "../../src/primitives/amount.ts";
import { toHex } from "../../src/primitives/hex.ts";
import {
  TestChain,
  account,
  anyOf,
  attr,
  coin,
  consKey,
  consPubkeyAny,
  createValidatorAny,
  createValidatorMsg,
  delegateAny,
  undelegateAny,
} from "./appStakingHarness.ts";

const v1 = account("v1");
const v2 = account("v2");
const v3 = account("v3");
const alice = account("alice");
const bob = account("bob");
const M = 1_000_000n;

function chain(maxValidators?: number): TestChain {
  const c = new TestChain({
    funded: [
      [v1, 1000n * M],
      [v2, 1000n * M],
      [v3, 1000n * M],
      [alice, 1000n * M],
      [bob, 1000n * M],
    ],
    genesis: maxValidators === undefined ? {} : { staking: { params: { max_validators: maxValidators } } },
  });
  c.genesisValidators([{ acc: v1, key: consKey(1), amount: 100n * M }]);
  return c;
}

/** Sum of the `withdraw_rewards` amounts (uscrt) in events. */
const paid = (events: Parameters<typeof attr>[0]): bigint =>
  attr(events, "withdraw_rewards", "amount").reduce((s, a) => s + BigInt(a.replace(/uscrt$/, "")), 0n);

const redelegateAny = (del: typeof alice, src: typeof v1, dst: typeof v1, amount: bigint) =>
  anyOf(
    STAKING_URLS.MsgBeginRedelegate,
    encodeMsgBeginRedelegate({
      delegatorAddress: del.bech32,
      validatorSrcAddress: src.valoper,
      validatorDstAddress: dst.valoper,
      amount: coin(amount),
    }),
  );

describe("staking", () => {
  it("a gentx validator is bonded at genesis and reported to consensus", () => {
    const c = chain();
    const v = c.pos.staking.mustGetValidator(c.ctx, v1.address);
    assert.equal(v.status, BondStatus.Bonded);
    assert.equal(v.tokens, 100n * M);
    assert.equal(c.lastUpdates.length, 1);
    assert.equal(toHex(c.lastUpdates[0]!.pubKey), toHex(consKey(1)));
    assert.equal(c.lastUpdates[0]!.power, 100n);
    assert.equal(c.moduleBalance("bonded_tokens_pool"), 100n * M);
    assert.equal(c.balance(v1), 900n * M);
  });

  it("MsgCreateValidator: unbonded until end block, then bonded with events and an update", () => {
    const c = chain();
    const r = c.block((ctx) => c.deliver(ctx, createValidatorAny(v2, consKey(2), 5n * M)));
    assert.ok(r.ok, r.error?.message);
    assert.deepEqual(attr(r.events, "create_validator", "amount"), ["5000000uscrt"]);
    assert.deepEqual(attr(r.events, "coin_received", "receiver").length, 1);
    assert.equal(attr(r.events, "transfer", "amount").length, 0, "delegation moves coins without a transfer event");
    const v = c.pos.staking.mustGetValidator(c.ctx, v2.address);
    assert.equal(v.status, BondStatus.Bonded);
    assert.ok(c.lastUpdates.some((u) => toHex(u.pubKey) === toHex(consKey(2)) && u.power === 5n));
    assert.equal(c.moduleBalance("bonded_tokens_pool"), 105n * M);
    assert.equal(c.moduleBalance("not_bonded_tokens_pool"), 0n);
  });

  it("refuses duplicate operators and keys, other key types, wrong denoms and low commission", () => {
    const c = chain();
    c.block((ctx) => {
      const dupOperator = c.deliver(ctx, createValidatorAny(v1, consKey(9), M));
      assert.equal(dupOperator.error?.codespace, "staking");
      assert.equal(dupOperator.error?.abciCode, 4);
      const dupKey = c.deliver(ctx, createValidatorAny(v2, consKey(1), M));
      assert.equal(dupKey.error?.abciCode, 5);
      const secp = createValidatorMsg(v2, consKey(2), M);
      const badKey = c.deliver(
        ctx,
        anyOf(
          STAKING_URLS.MsgCreateValidator,
          encodeMsgCreateValidator({
            ...secp,
            pubkey: { typeUrl: "/cosmos.crypto.secp256k1.PubKey", value: consPubkeyAny(consKey(2)).value },
          }),
        ),
      );
      assert.equal(badKey.error?.abciCode, 6);
      const badDenom = c.deliver(
        ctx,
        anyOf(STAKING_URLS.MsgCreateValidator, encodeMsgCreateValidator({ ...secp, value: coin(M, "ufoo") })),
      );
      assert.equal(badDenom.error?.abciCode, 18);
      assert.match(badDenom.error!.message, /invalid coin denomination: got ufoo, expected uscrt/);
      const tooHigh = c.deliver(ctx, createValidatorAny(v2, consKey(2), M, "0.3"));
      assert.match(tooHigh.error!.message, /commission cannot be more than the max rate/);
    });
    assert.equal(c.pos.staking.getValidator(c.ctx, v2.address), undefined);
  });

  it("delegates: tokens and shares grow, delegate event, balance moves to the bonded pool", () => {
    const c = chain();
    const r = c.block((ctx) => c.deliver(ctx, delegateAny(alice, v1, 7n * M)));
    assert.ok(r.ok, r.error?.message);
    assert.deepEqual(attr(r.events, "delegate", "new_shares"), [Dec.fromInt(7n * M).toString()]);
    const d = c.pos.staking.getDelegation(c.ctx, alice.address, v1.address);
    assert.equal(d?.shares.toString(), Dec.fromInt(7n * M).toString());
    assert.equal(c.pos.staking.mustGetValidator(c.ctx, v1.address).tokens, 107n * M);
    assert.equal(c.balance(alice), 993n * M);
    assert.equal(c.moduleBalance("bonded_tokens_pool"), 107n * M);
    assert.ok(c.lastUpdates.some((u) => u.power === 107n));
    const poor = c.block((ctx) => c.deliver(ctx, delegateAny(alice, v1, 10_000n * M)));
    assert.equal(poor.error?.abciCode, 5);
  });

  it("undelegates through the unbonding period", () => {
    const c = chain();
    c.block((ctx) => c.deliver(ctx, delegateAny(alice, v1, 10n * M)));
    const r = c.block((ctx) => c.deliver(ctx, undelegateAny(alice, v1, 4n * M)));
    assert.ok(r.ok, r.error?.message);
    assert.deepEqual(attr(r.events, "unbond", "amount"), ["4000000uscrt"]);
    assert.match(attr(r.events, "unbond", "completion_time")[0]!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.equal(c.moduleBalance("not_bonded_tokens_pool"), 4n * M);
    // Undelegating withdraws the pending rewards first (inflation since the delegation).
    const rewards = paid(r.events);
    assert.ok(rewards > 0n);
    assert.equal(c.balance(alice), 990n * M + rewards, "no principal paid before the unbonding time");
    const ubd = c.pos.staking.getUnbondingDelegation(c.ctx, alice.address, v1.address);
    assert.equal(ubd?.entries.length, 1);
    c.advance(85n);
    assert.equal(c.balance(alice) < 994n * M, true);
    c.advance(10n);
    assert.ok(c.balance(alice) >= 994n * M, "paid out after 90 s");
    assert.equal(c.moduleBalance("not_bonded_tokens_pool"), 0n);
    assert.equal(c.pos.staking.getUnbondingDelegation(c.ctx, alice.address, v1.address), undefined);
    const tooMuch = c.block((ctx) => c.deliver(ctx, undelegateAny(alice, v1, 100n * M)));
    assert.equal(tooMuch.ok, false);
    const none = c.block((ctx) => c.deliver(ctx, undelegateAny(bob, v1, M)));
    assert.equal(none.error?.codespace, "staking");
    assert.equal(none.error?.abciCode, 19);
  });

  it("redelegates, refuses a transitive hop and a self redelegation, completes after the period", () => {
    const c = chain();
    c.block((ctx) => {
      assert.ok(c.deliver(ctx, createValidatorAny(v2, consKey(2), 10n * M)).ok);
      assert.ok(c.deliver(ctx, createValidatorAny(v3, consKey(3), 10n * M)).ok);
      assert.ok(c.deliver(ctx, delegateAny(alice, v1, 20n * M)).ok);
    });
    const r = c.block((ctx) => c.deliver(ctx, redelegateAny(alice, v1, v2, 5n * M)));
    assert.ok(r.ok, r.error?.message);
    assert.deepEqual(attr(r.events, "redelegate", "amount"), ["5000000uscrt"]);
    assert.equal(c.pos.staking.mustGetValidator(c.ctx, v2.address).tokens, 15n * M);
    assert.equal(c.pos.staking.mustGetValidator(c.ctx, v1.address).tokens, 115n * M);
    assert.equal(c.balance(alice), 980n * M + paid(r.events), "a redelegation pays only the pending rewards");
    const transitive = c.block((ctx) => c.deliver(ctx, redelegateAny(alice, v2, v3, M)));
    assert.equal(transitive.error?.codespace, "staking");
    assert.equal(transitive.error?.abciCode, 32);
    const self = c.block((ctx) => c.deliver(ctx, redelegateAny(alice, v1, v1, M)));
    assert.equal(self.error?.codespace, "staking");
    assert.equal(self.error?.abciCode, 29);
    assert.match(self.error!.message, /cannot redelegate to the same validator/);
    c.advance(95n);
    assert.equal(c.pos.staking.getRedelegation(c.ctx, alice.address, v1.address, v2.address), undefined);
    assert.ok(c.block((ctx) => c.deliver(ctx, redelegateAny(alice, v2, v3, M))).ok, "allowed once completed");
  });

  it("caps the active set at max_validators and rotates it by power", () => {
    const c = chain(2);
    c.block((ctx) => {
      assert.ok(c.deliver(ctx, createValidatorAny(v2, consKey(2), 50n * M)).ok);
      assert.ok(c.deliver(ctx, createValidatorAny(v3, consKey(3), 20n * M)).ok);
    });
    const status = (a: typeof v1) => c.pos.staking.mustGetValidator(c.ctx, a.address).status;
    assert.equal(status(v1), BondStatus.Bonded);
    assert.equal(status(v2), BondStatus.Bonded);
    assert.equal(status(v3), BondStatus.Unbonded);
    assert.equal(c.valset.size, 2);
    assert.equal(c.moduleBalance("not_bonded_tokens_pool"), 20n * M);
    // v3 overtakes v2: v2 leaves the set (power 0 update) and starts unbonding.
    c.block((ctx) => assert.ok(c.deliver(ctx, delegateAny(alice, v3, 40n * M)).ok));
    assert.equal(status(v3), BondStatus.Bonded);
    assert.equal(status(v2), BondStatus.Unbonding);
    assert.ok(c.lastUpdates.some((u) => toHex(u.pubKey) === toHex(consKey(2)) && u.power === 0n));
    assert.ok(c.lastUpdates.some((u) => toHex(u.pubKey) === toHex(consKey(3)) && u.power === 60n));
    assert.equal(c.moduleBalance("not_bonded_tokens_pool"), 50n * M);
    assert.equal(c.pos.staking.getLastTotalPower(c.ctx), 160n);
    c.advance(95n);
    assert.equal(status(v2), BondStatus.Unbonded);
  });

  it("answers queries on a read-only view (validators, delegation, pool, params, not found)", () => {
    const c = chain();
    c.block((ctx) => {
      assert.ok(c.deliver(ctx, createValidatorAny(v2, consKey(2), 5n * M)).ok);
      assert.ok(c.deliver(ctx, delegateAny(alice, v1, 3n * M)).ok);
    });
    const S = "/cosmos.staking.v1beta1.Query/";
    const all = decodeListResponse(c.query(`${S}Validators`, new Uint8Array(0)), "r", decodeValidator);
    assert.deepEqual(
      all.items.map((v) => v.operatorAddress),
      [v1, v2].sort((a, b) => (toHex(a.address) < toHex(b.address) ? -1 : 1)).map((a) => a.valoper),
    );
    assert.equal(all.page?.total, 2n);
    const bonded = decodeListResponse(
      c.query(`${S}Validators`, encodeStringsRequest(["BOND_STATUS_UNBONDED"])),
      "r",
      decodeValidator,
    );
    assert.equal(bonded.items.length, 0);
    const d = decodeWrapped(
      c.query(`${S}Delegation`, encodeStringsRequest([alice.bech32, v1.valoper])),
      "r",
      decodeDelegationResponse,
    )!;
    assert.deepEqual(d.balance, coin(3n * M));
    assert.throws(
      () => c.query(`${S}Delegation`, encodeStringsRequest([bob.bech32, v1.valoper])),
      (e: unknown) => e instanceof Error && /rpc error: code = NotFound .*key not found/.test(e.message),
    );
    const pool = decodeWrapped(c.query(`${S}Pool`, new Uint8Array(0)), "r", decodePool)!;
    assert.equal(pool.bondedTokens, 108n * M);
    const params = decodeWrapped(c.query(`${S}Params`, new Uint8Array(0)), "r", decodeStakingParams)!;
    assert.equal(params.unbondingTime, 90n * 1_000_000_000n);
  });

  it("edits a validator (commission once a day, within max change) and cancels an unbonding", () => {
    const c = chain();
    const edit = (rate: string, minSelf = "") =>
      anyOf(
        STAKING_URLS.MsgEditValidator,
        encodeMsgEditValidator({
          description: {
            moniker: "[do-not-modify]",
            identity: "id",
            website: "[do-not-modify]",
            securityContact: "[do-not-modify]",
            details: "[do-not-modify]",
          },
          validatorAddress: v1.valoper,
          commissionRate: rate === "" ? "" : Dec.parse(rate).atomics.toString(),
          minSelfDelegation: minSelf,
        }),
      );
    const early = c.block((ctx) => c.deliver(ctx, edit("0.105")));
    assert.equal(early.error?.codespace, "staking");
    assert.equal(early.error?.abciCode, 12);
    const tooFar = c.block((ctx) => c.deliver(ctx, edit("0.2")), { seconds: 86_400n });
    assert.match(tooFar.error!.message, /commission cannot be changed more than max change rate/);
    const ok = c.block((ctx) => c.deliver(ctx, edit("0.105", "2")));
    assert.ok(ok.ok, ok.error?.message);
    assert.deepEqual(attr(ok.events, "edit_validator", "commission_rate"), ["0.105000000000000000"]);
    const v = c.pos.staking.mustGetValidator(c.ctx, v1.address);
    assert.equal(v.description.identity, "id");
    assert.equal(v.description.moniker.startsWith("val-"), true, "[do-not-modify] keeps the moniker");
    assert.equal(v.minSelfDelegation, 2n);
    const lower = c.block((ctx) => c.deliver(ctx, edit("", "1")), { seconds: 86_400n });
    assert.match(lower.error!.message, /minimum self delegation cannot be decrease/);

    c.block((ctx) => assert.ok(c.deliver(ctx, delegateAny(alice, v1, 10n * M)).ok));
    c.block((ctx) => assert.ok(c.deliver(ctx, undelegateAny(alice, v1, 4n * M)).ok));
    const created = BigInt(c.height);
    const cancel = (amount: bigint, height: bigint) =>
      anyOf(
        STAKING_URLS.MsgCancelUnbondingDelegation,
        encodeMsgCancelUnbondingDelegation({
          delegatorAddress: alice.bech32,
          validatorAddress: v1.valoper,
          amount: coin(amount),
          creationHeight: height,
        }),
      );
    const wrong = c.block((ctx) => c.deliver(ctx, cancel(M, created + 100n)));
    assert.equal(wrong.error?.abciCode, 26);
    const r = c.block((ctx) => c.deliver(ctx, cancel(M, created)));
    assert.ok(r.ok, r.error?.message);
    assert.deepEqual(attr(r.events, "cancel_unbonding_delegation", "creation_height"), [created.toString()]);
    const ubd = c.pos.staking.getUnbondingDelegation(c.ctx, alice.address, v1.address)!;
    assert.equal(ubd.entries[0]!.balance, 3n * M);
    assert.equal(c.moduleBalance("not_bonded_tokens_pool"), 3n * M);
    const d = c.pos.staking.getDelegation(c.ctx, alice.address, v1.address)!;
    assert.equal(d.shares.truncateInt(), 7n * M);
  });

  it("paginates as query.Paginate: default limit 100 with a total, next_key pages, offset, reverse", () => {
    const all = Array.from({ length: 250 }, (_, i) => i);
    const none = { key: new Uint8Array(0), offset: 0n, limit: 0n, countTotal: false, reverse: false };
    const first = paginate(all, none);
    assert.equal(first.items.length, 100);
    assert.equal(first.page.total, 250n);
    const second = paginate(all, { ...none, key: first.page.nextKey, limit: 100n });
    assert.deepEqual([second.items[0], second.items.at(-1)], [100, 199]);
    assert.equal(second.page.total, 0n);
    const last = paginate(all, { ...none, offset: 240n, limit: 20n, countTotal: true });
    assert.equal(last.items.length, 10);
    assert.equal(last.page.nextKey.length, 0);
    assert.equal(last.page.total, 250n);
    assert.equal(paginate(all, { ...none, reverse: true, limit: 1n }).items[0], 249);
    assert.throws(() => paginate(all, { ...none, key: first.page.nextKey, offset: 1n }), /either offset or key/);
  });

  it("keeps historical info for past heights", () => {
    const c = chain();
    c.block();
    c.block();
    const h = c.pos.staking.getHistoricalInfo(c.ctx, 2n);
    assert.equal(h?.height, 2n);
    assert.equal(h?.valset.length, 1);
    assert.equal(h?.valset[0]?.operatorAddress, v1.valoper);
  });
});
