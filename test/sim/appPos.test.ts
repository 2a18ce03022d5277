/**
 * Randomized proof-of-stake simulation: many delegators delegating, undelegating, redelegating and
 * withdrawing across a capped validator set, fees and inflation every block, validators going
 * offline (downtime jail) and double signing. After every block the harness checks the module
 * invariants (pools = staked tokens, shares = delegations, distribution holds what it owes, gov
 * holds the deposits); this test also checks that the supply equals genesis + minted − burned and
 * the sum of all balances, and that rewards never come from nothing.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DISTRIBUTION_URLS, encodeStringsAndCoins } from "../../src/codec/distribution.ts";
import { STAKING_URLS, encodeMsgBeginRedelegate } from "../../src/codec/staking.ts";
import type { AppEvent } from "../../src/app/events.ts";
import { addDecCoins, amountOf } from "../../src/app/distribution/decCoins.ts";
import { Dec } from "../../src/primitives/amount.ts";
import { encodeAddress } from "../../src/primitives/bech32.ts";
import { toHex } from "../../src/primitives/hex.ts";
import type { Misbehavior } from "../../src/app/modules/abci.ts";
import {
  TestChain,
  account,
  anyOf,
  attr,
  coin,
  consKey,
  createValidatorAny,
  delegateAny,
  undelegateAny,
  type Account,
} from "../unit/appStakingHarness.ts";

const M = 1_000_000n;

/** xorshift32: deterministic per seed. */
function rng(seed: number): (n: number) => number {
  let x = seed >>> 0 || 1;
  return (n: number) => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x % n;
  };
}

const sumCoinEvents = (events: readonly AppEvent[], type: string, who: string, key: string): bigint =>
  events
    .filter((e) => e.type === type && e.attributes.some((a) => a.key === key && a.value === who))
    .flatMap((e) => e.attributes.filter((a) => a.key === "amount").map((a) => a.value))
    .reduce(
      (s, text) =>
        s + text.split(",").reduce((t, c) => t + (c.endsWith("uscrt") ? BigInt(c.slice(0, -5) || "0") : 0n), 0n),
      0n,
    );

function simulate(seed: number, blocks: number): { minted: bigint; burned: bigint; jailed: number } {
  const rand = rng(seed);
  const validators: Account[] = Array.from({ length: 6 }, (_, i) => account(`sim-v${seed}-${i}`));
  const delegators: Account[] = Array.from({ length: 14 }, (_, i) => account(`sim-d${seed}-${i}`));
  const payer = account(`sim-payer-${seed}`);
  const funded: Array<readonly [Account, bigint]> = [
    ...validators.map((v) => [v, 500n * M] as const),
    ...delegators.map((d) => [d, 200n * M] as const),
    [payer, 1000n * M],
  ];
  const c = new TestChain({
    funded,
    genesis: {
      staking: { params: { max_validators: 4, unbonding_time: "60s", max_entries: 7 } },
      slashing: { params: { signed_blocks_window: "20", min_signed_per_window: "0.5", downtime_jail_duration: "30s" } },
      mint: { params: { blocks_per_year: "100000" } },
    },
  });
  c.genesisValidators(
    validators
      .slice(0, 3)
      .map((v, i) => ({ acc: v, key: consKey(`sim${seed}-${i}`), amount: (20n + BigInt(i) * 10n) * M })),
  );
  const genesisSupply = c.supply();
  const distribution = encodeAddress(c.auth.moduleAddress("distribution"));
  let minted = 0n;
  let burned = 0n;
  let feesIn = 0n;
  let distributionOut = 0n;
  let jailed = 0;
  let created = 3;
  for (let b = 0; b < blocks; b++) {
    const txEvents: AppEvent[] = [];
    // Occasionally a validator goes offline for a while, or double signs.
    if (rand(25) === 0) {
      const v = validators[rand(created)]!;
      const val = c.pos.staking.getValidator(c.ctx, v.address);
      if (val !== undefined) {
        const cons = toHex(c.consAddress(v));
        if (c.offline.has(cons)) c.offline.delete(cons);
        else c.offline.add(cons);
      }
    }
    const misbehavior: Misbehavior[] = [];
    if (rand(60) === 0 && c.height > 3) {
      const v = validators[rand(created)]!;
      const val = c.pos.staking.getValidator(c.ctx, v.address);
      if (val !== undefined && val.status === 3) {
        misbehavior.push({
          type: "duplicate_vote",
          address: c.consAddress(v),
          power: val.tokens / M,
          height: BigInt(c.height - 1),
          timeNanos: c.time,
        });
      }
    }
    c.block(
      (ctx) => {
        const ops = 1 + rand(4);
        for (let i = 0; i < ops; i++) {
          const d = delegators[rand(delegators.length)]!;
          const v = validators[rand(created)]!;
          const kind = rand(10);
          let r;
          if (kind < 3) r = c.deliver(ctx, delegateAny(d, v, BigInt(1 + rand(20)) * M + BigInt(rand(1000))));
          else if (kind < 5) r = c.deliver(ctx, undelegateAny(d, v, BigInt(1 + rand(10)) * M));
          else if (kind < 6) {
            const w = validators[rand(created)]!;
            r = c.deliver(
              ctx,
              anyOf(
                STAKING_URLS.MsgBeginRedelegate,
                encodeMsgBeginRedelegate({
                  delegatorAddress: d.bech32,
                  validatorSrcAddress: v.valoper,
                  validatorDstAddress: w.valoper,
                  amount: coin(BigInt(1 + rand(5)) * M),
                }),
              ),
            );
          } else if (kind < 8) {
            r = c.deliver(
              ctx,
              anyOf(
                DISTRIBUTION_URLS.MsgWithdrawDelegatorReward,
                encodeStringsAndCoins([
                  [1, d.bech32],
                  [2, v.valoper],
                ]),
              ),
            );
          } else if (kind < 9) {
            r = c.deliver(
              ctx,
              anyOf(DISTRIBUTION_URLS.MsgWithdrawValidatorCommission, encodeStringsAndCoins([[1, v.valoper]])),
            );
          } else if (created < validators.length && rand(3) === 0) {
            const nv = validators[created]!;
            r = c.deliver(
              ctx,
              createValidatorAny(nv, consKey(`sim${seed}-${created}`), BigInt(10 + rand(40)) * M, "0.05"),
            );
            if (r.ok) created++;
          } else {
            const fee = BigInt(1 + rand(5000));
            c.bank.sendCoinsFromAccountToModule(ctx, payer.address, "fee_collector", [{ denom: "uscrt", amount: fee }]);
            feesIn += fee;
          }
          if (r !== undefined && r.ok) txEvents.push(...r.events);
          if (r !== undefined && !r.ok) {
            assert.ok(r.error!.abciCode > 0, "a failed message carries a code");
          }
        }
      },
      { misbehavior },
    );
    const all = [...c.lastEvents, ...txEvents];
    minted += attr(c.lastEvents, "coinbase", "amount").reduce((s, a) => s + BigInt(a.replace(/uscrt$/, "")), 0n);
    burned += attr(all, "burn", "amount").reduce((s, a) => s + BigInt(a.replace(/uscrt$/, "")), 0n);
    distributionOut += sumCoinEvents(all, "coin_spent", distribution, "spender");
    jailed += attr(c.lastEvents, "slash", "reason").length;
    // Supply: genesis + minted − burned, and equal to every balance summed.
    assert.equal(c.supply(), genesisSupply + minted - burned, `supply at height ${c.height}`);
    let total = 0n;
    for (const o of c.bank.allBalances(c.ctx)) total += o.coins.find((x) => x.denom === "uscrt")?.amount ?? 0n;
    assert.equal(total, c.supply(), `sum of balances at height ${c.height}`);
    // No rewards from nothing: what distribution received = what it holds + what it paid out.
    const received = feesIn + minted - c.moduleBalance("fee_collector");
    assert.equal(
      c.moduleBalance("distribution") + distributionOut,
      received,
      `distribution conservation at ${c.height}`,
    );
  }
  // Every delegation can withdraw its rewards: the sum never exceeds the validator's outstanding.
  for (const v of c.pos.staking.allValidators(c.ctx)) {
    const val = c.pos.staking.operatorOf(v);
    let owed = c.pos.distribution.getCommission(c.ctx, val);
    for (const d of c.pos.staking.delegationsTo(c.ctx, val))
      owed = addDecCoins(owed, c.pos.distribution.pendingRewards(c.ctx, v, d));
    const outstanding = amountOf(c.pos.distribution.getOutstanding(c.ctx, val), "uscrt");
    assert.ok(
      amountOf(owed, "uscrt").compare(outstanding.add(Dec.fromAtomics(1000n))) <= 0,
      `validator ${v.operatorAddress} owes more than it holds`,
    );
  }
  return { minted, burned, jailed };
}

describe("proof-of-stake simulation", () => {
  for (const seed of [1, 7, 42]) {
    it(`keeps every invariant over 120 random blocks (seed ${seed})`, () => {
      const r = simulate(seed, 120);
      assert.ok(r.minted > 0n, "inflation minted coins");
      assert.ok(r.jailed > 0 && r.burned > 0n, "the run exercised slashing");
    });
  }
});
