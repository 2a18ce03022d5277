/**
 * `SortedMap` (the write buffer of branches and the memory store) against a plain model: point reads,
 * ordered ranges in both directions, and iterators that keep going while the map changes (each step
 * yields the next key after the last one yielded in the map as it is then). The sorted key index is
 * built on the first ordered iteration and kept from then on, so the runs mix writes before any
 * iteration, between iterations, inside them, and after `clear`.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { SortedMap } from "../../src/store/sortedMap.ts";
import { keyToString } from "../../src/store/keys.ts";

type Op =
  | { kind: "set"; key: number[]; value: number }
  | { kind: "insertNew"; key: number[]; value: number }
  | { kind: "delete"; key: number[] }
  | { kind: "clear" }
  | { kind: "range"; lo: number[] | undefined; hi: number[] | undefined; reverse: boolean }
  | { kind: "open"; lo: number[] | undefined; hi: number[] | undefined; reverse: boolean }
  | { kind: "step"; count: number };

const keyArb = fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 3 });
const boundArb = fc.option(fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 0, maxLength: 3 }), {
  nil: undefined,
});
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant("set" as const), key: keyArb, value: fc.nat(99) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("insertNew" as const), key: keyArb, value: fc.nat(99) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("delete" as const), key: keyArb }) },
  { weight: 1, arbitrary: fc.constant({ kind: "clear" as const }) },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant("range" as const), lo: boundArb, hi: boundArb, reverse: fc.boolean() }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant("open" as const), lo: boundArb, hi: boundArb, reverse: fc.boolean() }),
  },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant("step" as const), count: fc.integer({ min: 1, max: 3 }) }) },
);

const str = (k: readonly number[]): string => keyToString(Uint8Array.from(k));

/** The model's next key of an iteration, in the map as it is now. */
function modelNext(
  model: Map<string, number>,
  lo: string | undefined,
  hi: string | undefined,
  reverse: boolean,
  last: string | undefined,
): string | undefined {
  const keys = [...model.keys()].sort();
  if (lo !== undefined && hi !== undefined && lo >= hi) return undefined;
  if (!reverse) {
    return keys.find(
      (k) => (last === undefined ? lo === undefined || k >= lo : k > last) && (hi === undefined || k < hi),
    );
  }
  const below = keys.filter(
    (k) => (last === undefined ? hi === undefined || k < hi : k < last) && (lo === undefined || k >= lo),
  );
  return below[below.length - 1];
}

describe("SortedMap", () => {
  it("agrees with a model through writes, ranges, clears and iterators open across writes", () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 1, maxLength: 80 }), (ops) => {
        const map = new SortedMap<number>();
        const model = new Map<string, number>();
        let open:
          | {
              it: Iterator<{ key: Uint8Array; keyString: string; value: number }>;
              lo: string | undefined;
              hi: string | undefined;
              reverse: boolean;
              last: string | undefined;
              done: boolean;
            }
          | undefined;
        for (const op of ops) {
          switch (op.kind) {
            case "set":
              map.set(Uint8Array.from(op.key), op.value);
              model.set(str(op.key), op.value);
              break;
            case "insertNew":
              if (model.has(str(op.key))) break;
              map.insertNew(str(op.key), Uint8Array.from(op.key), op.value);
              model.set(str(op.key), op.value);
              break;
            case "delete":
              assert.equal(map.delete(Uint8Array.from(op.key)), model.delete(str(op.key)));
              break;
            case "clear":
              map.clear();
              model.clear();
              open = undefined; // iterating across a clear is not a supported use
              break;
            case "range": {
              const lo = op.lo === undefined ? undefined : Uint8Array.from(op.lo);
              const hi = op.hi === undefined ? undefined : Uint8Array.from(op.hi);
              const got = [...map.entries(lo, hi, op.reverse)].map((e) => [e.keyString, e.value]);
              const want: Array<[string, number]> = [];
              let last: string | undefined;
              for (;;) {
                const k = modelNext(model, op.lo && str(op.lo), op.hi && str(op.hi), op.reverse, last);
                if (k === undefined) break;
                want.push([k, model.get(k)!]);
                last = k;
              }
              assert.deepEqual(got, want);
              break;
            }
            case "open":
              open = {
                it: map.entries(
                  op.lo === undefined ? undefined : Uint8Array.from(op.lo),
                  op.hi === undefined ? undefined : Uint8Array.from(op.hi),
                  op.reverse,
                ),
                lo: op.lo && str(op.lo),
                hi: op.hi && str(op.hi),
                reverse: op.reverse,
                last: undefined,
                done: false,
              };
              break;
            case "step":
              for (let i = 0; i < op.count && open !== undefined && !open.done; i++) {
                const r = open.it.next();
                const want = modelNext(model, open.lo, open.hi, open.reverse, open.last);
                if (r.done === true) {
                  assert.equal(want, undefined);
                  open.done = true;
                } else {
                  assert.equal(r.value.keyString, want);
                  assert.deepEqual(
                    r.value.key,
                    Uint8Array.from(r.value.keyString, (c) => c.charCodeAt(0)),
                  );
                  assert.equal(r.value.value, model.get(want!));
                  open.last = want;
                }
              }
              break;
          }
          assert.equal(map.size, model.size);
          for (const [k, v] of model) assert.equal(map.getEntryByString(k)?.value, v);
        }
        const all = [...map.entries()].map((e) => e.keyString);
        assert.deepEqual(all, [...model.keys()].sort());
      }),
      { numRuns: 400 },
    );
  });

  it("keeps chunked order across more keys than a chunk, written before and after the first iteration", () => {
    const map = new SortedMap<number>();
    const keyOf = (i: number): Uint8Array => Uint8Array.of(i >> 8, i & 0xff);
    const order = Array.from({ length: 3000 }, (_, i) => (i * 1237) % 3000);
    for (const i of order.slice(0, 1500)) map.set(keyOf(i), i);
    const firstHalf = [...map.entries()].map((e) => e.value);
    assert.deepEqual(
      firstHalf,
      [...order.slice(0, 1500)].sort((a, b) => a - b),
    );
    for (const i of order.slice(1500)) map.set(keyOf(i), i);
    for (let i = 0; i < 3000; i += 3) map.delete(keyOf(i));
    const want = order.filter((i) => i % 3 !== 0).sort((a, b) => a - b);
    assert.deepEqual(
      [...map.entries()].map((e) => e.value),
      want,
    );
    assert.deepEqual(
      [...map.entries(keyOf(1000), keyOf(2000), true)].map((e) => e.value),
      want.filter((i) => i >= 1000 && i < 2000).reverse(),
    );
  });
});
