/**
 * `toCanonicalJson` writes its text directly (it encodes every WAL event); the WAL format must not
 * change, so its output is compared with the definition it replaced — `JSON.stringify` of a copy with
 * sorted keys, `{"$n"}` bigints, `{"$b"}` hex bytes, `undefined` members dropped — on random data, on
 * real consensus events, and on the corner cases (integer-like keys, undefined in arrays, -0, escapes).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { decodeEvent, encodeEvent, fromCanonicalJson, toCanonicalJson } from "../../src/consensus/serialize.ts";
import type { ConsensusEvent } from "../../src/consensus/types.ts";
import { isCodedError } from "../../src/primitives/errors.ts";
import { toHex } from "../../src/primitives/hex.ts";
import { blockFor, makeProposal, makeValidators, makeVote, PRECOMMIT, PREVOTE } from "./consensusFixtures.ts";

/** The previous definition, kept as the reference. */
function referenceNormalise(value: unknown): unknown {
  if (typeof value === "bigint") return { $n: value.toString() };
  if (value instanceof Uint8Array) return { $b: toHex(value) };
  if (Array.isArray(value)) return value.map((v) => (v === undefined ? null : referenceNormalise(v)));
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = referenceNormalise(v);
    }
    return out;
  }
  if (typeof value === "number" && !Number.isFinite(value)) throw new Error("non-finite");
  return value;
}
const reference = (value: unknown): string => JSON.stringify(referenceNormalise(value));

const leaf = fc.oneof(
  fc.string(),
  fc.string({ unit: "grapheme", maxLength: 8 }),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.bigInt(),
  fc.uint8Array({ maxLength: 40 }),
  fc.constantFrom(-0, 1e21, 5e-324, "\u2028", '"\\', "\u0000"),
);
const key = fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom("0", "1", "10", "9", "01", "-1", "4294967295", "$n"));
const value = fc.letrec((tie) => ({
  v: fc.oneof({ depthSize: "small" }, leaf, tie("arr"), tie("obj")),
  arr: fc.array(tie("v"), { maxLength: 5 }),
  obj: fc.dictionary(key, tie("v"), { maxKeys: 6 }),
})).v;

describe("toCanonicalJson", () => {
  it("gives the reference text for random plain data", () => {
    fc.assert(
      fc.property(value, (v) => {
        assert.equal(toCanonicalJson(v), reference(v));
      }),
      { numRuns: 2000 },
    );
  });

  it("gives the reference text for consensus events (the WAL's bytes are unchanged)", () => {
    const V = makeValidators([1n, 2n, 3n, 4n]);
    const { block, blockId } = blockFor("block");
    const vote = makeVote(V, 2, PREVOTE, 5n, 1, blockId);
    const events: ConsensusEvent[] = [
      { type: "startHeight", height: 5n, validators: V.set },
      { type: "vote", vote },
      { type: "signedVote", vote: makeVote(V, 0, PRECOMMIT, 5n, 1, null) },
      { type: "proposal", proposal: makeProposal(V.byIndex[1]!, 5n, 1, -1, blockId), block },
      { type: "timeout", kind: "prevote", height: 5n, round: 1 },
      { type: "blockCreated", height: 5n, round: 1, blockId, block },
      { type: "blockValidity", height: 5n, blockId, valid: false },
    ];
    for (const e of events) {
      const text = toCanonicalJson(e);
      assert.equal(text, reference(e));
      assert.equal(toCanonicalJson(decodeEvent(encodeEvent(e))), text);
      assert.equal(toCanonicalJson(fromCanonicalJson(text)), text);
    }
  });

  it("keeps the corner cases of JSON.stringify", () => {
    assert.equal(toCanonicalJson({ b: 1, a: undefined, c: [undefined, -0] }), '{"b":1,"c":[null,0]}');
    assert.equal(toCanonicalJson({ "10": 1, "9": 2, x: 3, "01": 4 }), '{"9":2,"10":1,"01":4,"x":3}');
    assert.equal(toCanonicalJson({ n: 12n, b: Uint8Array.of(0, 255) }), '{"b":{"$b":"00ff"},"n":{"$n":"12"}}');
    assert.equal(toCanonicalJson([() => 1, Symbol("s")]), "[null,null]");
    assert.equal(toCanonicalJson({ f: () => 1 }), "{}");
  });

  it("refuses non-finite numbers with a code", () => {
    for (const bad of [NaN, Infinity, -Infinity]) {
      try {
        toCanonicalJson({ x: [bad] });
        assert.fail("accepted a non-finite number");
      } catch (e) {
        assert.ok(isCodedError(e) && e.code === "WAL_DECODE", String(e));
      }
    }
  });
});
