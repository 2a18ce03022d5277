import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  Dec,
  MAX_UINT64,
  formatCoins,
  isValidCoinSet,
  parseCoin,
  parseCoins,
  parseUint,
  parseUint64,
} from "../../src/primitives/amount.ts";
import { isCodedError } from "../../src/primitives/errors.ts";

describe("unsigned integers", () => {
  it("round-trip every value in range", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 256n) - 1n }), (n) => {
        assert.equal(parseUint(n.toString()), n);
      }),
    );
  });

  it("refuse junk with AMOUNT_INVALID", () => {
    const junk = ["", " 1", "1 ", "+1", "-1", "01", "00", "1e3", "0x10", "1.0", "1_000", "١", "NaN", "Infinity"];
    for (const text of junk) {
      assert.throws(
        () => parseUint(text),
        (e: unknown) => isCodedError(e, "AMOUNT_INVALID"),
        JSON.stringify(text),
      );
    }
  });

  it("refuse any string that is not canonical decimal digits", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), (text) => {
        const canonical = /^(0|[1-9][0-9]*)$/.test(text) && text.length < 70;
        try {
          const v = parseUint(text);
          assert.ok(canonical, `accepted ${JSON.stringify(text)}`);
          assert.equal(v.toString(), text);
        } catch (e) {
          assert.ok(!canonical && isCodedError(e), `refused ${JSON.stringify(text)}`);
        }
      }),
    );
  });

  it("refuse overflow with AMOUNT_OVERFLOW", () => {
    assert.equal(parseUint64(MAX_UINT64.toString()), MAX_UINT64);
    assert.throws(
      () => parseUint64((MAX_UINT64 + 1n).toString()),
      (e: unknown) => isCodedError(e, "AMOUNT_OVERFLOW"),
    );
    assert.throws(
      () => parseUint("9".repeat(100)),
      (e: unknown) => isCodedError(e, "AMOUNT_OVERFLOW"),
    );
    assert.equal(parseUint((1n << 256n) - 1n + "", 256), (1n << 256n) - 1n);
    assert.throws(
      () => parseUint((1n << 256n).toString()),
      (e: unknown) => isCodedError(e, "AMOUNT_OVERFLOW"),
    );
  });
});

describe("Dec (LegacyDec)", () => {
  it("formats with 18 decimals and parses its own output", () => {
    assert.equal(Dec.parse("0.05").toString(), "0.050000000000000000");
    assert.equal(Dec.parse("1").toString(), "1.000000000000000000");
    assert.equal(Dec.parse("-2.5").toString(), "-2.500000000000000000");
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }), (atomics) => {
        const d = Dec.fromAtomics(atomics);
        assert.equal(Dec.parse(d.toString()).atomics, atomics);
      }),
    );
  });

  it("refuses junk", () => {
    for (const text of ["", ".5", "5.", "1.0000000000000000001", "+1", "01.5", "1e5", " 1", "1,5", "--1"]) {
      assert.throws(
        () => Dec.parse(text),
        (e: unknown) => isCodedError(e, "AMOUNT_INVALID"),
        text,
      );
    }
  });

  it("rounds products and quotients half to even, as upstream", () => {
    // 0.5 × 0.000000000000000001 = 0.0000000000000000005 → ties to even → 0
    assert.equal(Dec.parse("0.5").mul(Dec.fromAtomics(1n)).atomics, 0n);
    // 1.5 × 0.000000000000000001 → 1.5 atomics → 2
    assert.equal(Dec.parse("1.5").mul(Dec.fromAtomics(1n)).atomics, 2n);
    assert.equal(Dec.parse("1.5").mulTruncate(Dec.fromAtomics(1n)).atomics, 1n);
    assert.equal(Dec.ONE.quo(Dec.fromInt(3n)).toString(), "0.333333333333333333");
    assert.equal(Dec.fromInt(2n).quo(Dec.fromInt(3n)).toString(), "0.666666666666666667");
    assert.equal(Dec.fromInt(2n).quoTruncate(Dec.fromInt(3n)).toString(), "0.666666666666666666");
    assert.equal(Dec.parse("2.5").roundInt(), 2n);
    assert.equal(Dec.parse("3.5").roundInt(), 4n);
    assert.equal(Dec.parse("-3.5").roundInt(), -4n);
    assert.equal(Dec.parse("-3.7").truncateInt(), -3n);
    assert.throws(
      () => Dec.ONE.quo(Dec.ZERO),
      (e: unknown) => isCodedError(e, "AMOUNT_INVALID"),
    );
  });

  it("keeps add/sub exact and multiplication by one the identity", () => {
    const dec = fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }).map(Dec.fromAtomics);
    fc.assert(
      fc.property(dec, dec, (a, b) => {
        assert.equal(a.add(b).sub(b).atomics, a.atomics);
        assert.equal(a.mul(Dec.ONE).atomics, a.atomics);
        assert.equal(a.quo(Dec.ONE).atomics, a.atomics);
      }),
    );
  });
});

describe("coins", () => {
  it("parses and formats coin lists", () => {
    assert.deepEqual(parseCoin("2500uscrt"), { denom: "uscrt", amount: 2500n });
    assert.deepEqual(parseCoins("1uscrt,5ibc/ABC"), [
      { denom: "uscrt", amount: 1n },
      { denom: "ibc/ABC", amount: 5n },
    ]);
    assert.deepEqual(parseCoins(""), []);
    assert.equal(
      formatCoins([
        { denom: "uscrt", amount: 2500n },
        { denom: "zz0", amount: 1n },
      ]),
      "2500uscrt,1zz0",
    );
  });

  it("refuses junk coins", () => {
    for (const text of ["uscrt", "1", "-1uscrt", "1.5uscrt", "1 uscrt", "01uscrt", "1u", "1uscrt,", "1 1uscrt"]) {
      assert.throws(
        () => parseCoins(text),
        (e: unknown) => isCodedError(e),
        text,
      );
    }
  });

  it("validates coin sets as sdk.Coins.IsValid", () => {
    assert.ok(
      isValidCoinSet([
        { denom: "aaa", amount: 1n },
        { denom: "uscrt", amount: 2n },
      ]),
    );
    assert.ok(
      !isValidCoinSet([
        { denom: "uscrt", amount: 2n },
        { denom: "aaa", amount: 1n },
      ]),
    );
    assert.ok(
      !isValidCoinSet([
        { denom: "uscrt", amount: 1n },
        { denom: "uscrt", amount: 1n },
      ]),
    );
    assert.ok(!isValidCoinSet([{ denom: "uscrt", amount: 0n }]));
    assert.ok(isValidCoinSet([]));
  });
});
