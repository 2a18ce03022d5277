/**
 * Memos on the per-block path: `lastDecodedMemo` (node.ts: a proposed block decoded for validation is
 * not decoded again for its decision) answers only for the very same bytes object, and staking's
 * `operatorBytes` (decoded operator addresses, used many times by the begin/end blockers) answers
 * per address, a fresh copy each time, and never remembers a failure.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { operatorBytes, valoperAddress, type Validator } from "../../src/app/staking/types.ts";
import { lastDecodedMemo } from "../../src/node/node.ts";
import { toHex } from "../../src/primitives/hex.ts";

describe("lastDecodedMemo", () => {
  it("decodes again for any other bytes object, equal or not, and remembers only the last", () => {
    let calls = 0;
    const memo = lastDecodedMemo((b) => {
      calls++;
      return { hex: toHex(b) };
    });
    const a = Uint8Array.of(1, 2, 3);
    const first = memo(a);
    assert.equal(memo(a), first, "the same object: the kept value");
    assert.equal(calls, 1);
    const copy = a.slice();
    assert.notEqual(memo(copy), first, "equal bytes in another array are decoded again");
    assert.equal(calls, 2);
    const b = Uint8Array.of(9);
    assert.equal(memo(b).hex, "09");
    assert.equal(memo(a).hex, "010203", "a is no longer the last: decoded again");
    assert.equal(calls, 4);
  });

  it("never answers with another input's value (random sequences)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 6 }), { minLength: 1, maxLength: 5 }),
        fc.array(fc.nat(), { maxLength: 20 }),
        (arrays, picks) => {
          const memo = lastDecodedMemo((x) => toHex(x));
          for (const p of picks) {
            const bytes = arrays[p % arrays.length]!;
            assert.equal(memo(bytes), toHex(bytes));
          }
        },
      ),
    );
  });

  it("does not remember a failed decoding", () => {
    let fail = true;
    const memo = lastDecodedMemo((b) => {
      if (fail) throw new Error("bad");
      return b.length;
    });
    const a = Uint8Array.of(1);
    assert.throws(() => memo(a), /bad/);
    fail = false;
    assert.equal(memo(a), 1);
  });
});

describe("operatorBytes (memoized)", () => {
  const validator = (operatorAddress: string): Validator => ({ operatorAddress }) as unknown as Validator;

  it("gives each address its own bytes, a fresh copy every time", () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ minLength: 20, maxLength: 20 }), { minLength: 1, maxLength: 8 }), (vals) => {
        for (let round = 0; round < 2; round++) {
          for (const val of vals) {
            const got = operatorBytes(validator(valoperAddress(val)));
            assert.equal(toHex(got), toHex(val));
            got.fill(0xee); // a caller changing its copy changes nothing kept
          }
        }
      }),
    );
  });

  it("refuses a bad address every time, with the bech32 error", () => {
    const bad = validator("secretvaloper1notanaddress");
    assert.throws(() => operatorBytes(bad));
    assert.throws(() => operatorBytes(bad));
    const good = new Uint8Array(20).fill(7);
    assert.throws(() => operatorBytes(validator(valoperAddress(good).replace("secretvaloper", "secret"))));
  });
});
