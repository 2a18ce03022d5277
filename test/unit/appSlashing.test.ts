/** Slashing: downtime jail + unjail, double-sign slash + tombstone, slashing of unbonding stake. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DOUBLE_SIGN_JAIL_END_NANOS } from "../../src/app/slashing/params.ts";
import { SLASHING_URLS, encodeMsgUnjail } from "../../src/codec/slashing.ts";
import { BondStatus } from "../../src/codec/staking.ts";
import { toHex } from "../../src/primitives/hex.ts";
import { TestChain, account, anyOf, attr, consKey, delegateAny, undelegateAny } from "./appStakingHarness.ts";

const v1 = account("s-v1");
const v2 = account("s-v2");
const alice = account("s-alice");
const M = 1_000_000n;

function chain(): TestChain {
  const c = new TestChain({
    funded: [
      [v1, 1000n * M],
      [v2, 1000n * M],
      [alice, 1000n * M],
    ],
    genesis: {
      slashing: {
        params: { signed_blocks_window: "10", min_signed_per_window: "0.5", downtime_jail_duration: "600s" },
      },
      mint: {
        minter: { inflation: "0" },
        params: { inflation_rate_change: "0", inflation_max: "0", inflation_min: "0" },
      },
    },
  });
  c.genesisValidators([
    { acc: v1, key: consKey("s1"), amount: 100n * M },
    { acc: v2, key: consKey("s2"), amount: 50n * M },
  ]);
  return c;
}

const unjailAny = (val: typeof v1) => anyOf(SLASHING_URLS.MsgUnjail, encodeMsgUnjail({ validatorAddr: val.valoper }));

describe("slashing", () => {
  it("jails and slashes a validator that misses too many blocks; unjail after the jail time", () => {
    const c = chain();
    const cons = c.consAddress(v2);
    const supply0 = c.supply();
    c.offline.add(toHex(cons));
    let jailedAt = 0;
    for (let i = 0; i < 30 && jailedAt === 0; i++) {
      c.block();
      if (c.pos.staking.mustGetValidator(c.ctx, v2.address).jailed) jailedAt = c.height;
    }
    // window 10, at most 5 misses: jailed once height > start + 10 with 6 misses.
    assert.equal(jailedAt, 11);
    const v = c.pos.staking.mustGetValidator(c.ctx, v2.address);
    assert.equal(v.tokens, 50n * M - 500_000n, "1 % of 50 power × 10^6");
    assert.equal(c.supply(), supply0 - 500_000n, "the slashed tokens are burned");
    assert.ok(c.lastUpdates.some((u) => toHex(u.pubKey) === toHex(consKey("s2")) && u.power === 0n));
    assert.equal(v.status, BondStatus.Unbonding);
    assert.deepEqual(attr(c.lastEvents, "slash", "reason"), ["missing_signature"]);
    assert.ok(attr(c.lastEvents, "liveness", "missed_blocks").length > 0);
    const info = c.pos.slashing.getSigningInfo(c.ctx, cons)!;
    assert.equal(info.missedBlocksCounter, 0n);
    assert.equal(info.jailedUntil, c.time + 600n * 1_000_000_000n);
    c.offline.clear();
    const early = c.block((ctx) => c.deliver(ctx, unjailAny(v2)));
    assert.equal(early.error?.codespace, "slashing");
    assert.equal(early.error?.abciCode, 4);
    c.advance(600n);
    const ok = c.block((ctx) => c.deliver(ctx, unjailAny(v2)));
    assert.ok(ok.ok, ok.error?.message);
    assert.equal(c.pos.staking.mustGetValidator(c.ctx, v2.address).status, BondStatus.Bonded);
    const notJailed = c.block((ctx) => c.deliver(ctx, unjailAny(v2)));
    assert.equal(notJailed.error?.abciCode, 5);
    assert.match(notJailed.error!.message, /validator not jailed; cannot be unjailed/);
  });

  it("slashes a double sign, tombstones, and slashes unbondings started after the infraction", () => {
    const c = chain();
    c.block((ctx) => assert.ok(c.deliver(ctx, delegateAny(alice, v2, 20n * M)).ok));
    const infraction = BigInt(c.height + 1);
    c.block((ctx) => assert.ok(c.deliver(ctx, undelegateAny(alice, v2, 10n * M)).ok));
    const cons = c.consAddress(v2);
    const tokensBefore = c.pos.staking.mustGetValidator(c.ctx, v2.address).tokens;
    const evidence = {
      type: "duplicate_vote" as const,
      address: cons,
      power: 70n,
      height: infraction,
      timeNanos: c.time,
    };
    c.block(() => undefined, { misbehavior: [evidence] });
    const v = c.pos.staking.mustGetValidator(c.ctx, v2.address);
    assert.ok(v.jailed);
    const ubd = c.pos.staking.getUnbondingDelegation(c.ctx, alice.address, v2.address)!;
    assert.equal(ubd.entries[0]!.balance, 10n * M - 500_000n, "5 % of the unbonding entry");
    // 5 % of 70 power = 3.5 M in total; 0.5 M came from the unbonding entry.
    assert.equal(tokensBefore - v.tokens, 3_000_000n);
    const info = c.pos.slashing.getSigningInfo(c.ctx, cons)!;
    assert.equal(info.tombstoned, true);
    assert.equal(info.jailedUntil, DOUBLE_SIGN_JAIL_END_NANOS);
    assert.deepEqual(attr(c.lastEvents, "slash", "reason"), ["double_sign"]);
    const tokens = v.tokens;
    c.block(() => undefined, { misbehavior: [evidence] });
    assert.equal(c.pos.staking.mustGetValidator(c.ctx, v2.address).tokens, tokens, "tombstoned: no second slash");
    c.advance(700n);
    const unjail = c.block((ctx) => c.deliver(ctx, unjailAny(v2)));
    assert.equal(unjail.error?.abciCode, 4);
  });

  it("ignores evidence older than both age limits", () => {
    const c = chain();
    for (let i = 0; i < 3; i++) c.block();
    const cons = c.consAddress(v1);
    const old = { type: "duplicate_vote" as const, address: cons, power: 100n, height: 1n, timeNanos: 0n };
    // Too old by time but not by blocks: still punished.
    c.block(() => undefined, { misbehavior: [old] });
    assert.equal(c.pos.slashing.getSigningInfo(c.ctx, cons)?.tombstoned, true);
  });
});
