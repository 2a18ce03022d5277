/**
 * The bank keeper's reading of stored amounts (`decodeStoredAmount`): its fast path for short digit
 * strings gives exactly what the general `parseUint(utf8Decode(bytes))` gives, and everything else
 * (leading zeros, non-digits, empty, too many digits for a double, beyond 256 bits) is decided by the
 * general path, with an InvariantError for what is not an amount.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { decodeStoredAmount } from "../../src/app/bank/keeper.ts";
import { InvariantError } from "../../src/app/errors.ts";
import { parseUint } from "../../src/primitives/amount.ts";
import { utf8Decode, utf8Encode } from "../../src/primitives/bytes.ts";

/** The reference: the general path, or "invariant" when it throws. */
function reference(bytes: Uint8Array): bigint | "invariant" {
  try {
    return parseUint(utf8Decode(bytes));
  } catch {
    return "invariant";
  }
}

function ours(bytes: Uint8Array): bigint | "invariant" {
  try {
    return decodeStoredAmount(bytes);
  } catch (e) {
    assert.ok(e instanceof InvariantError, `unexpected ${String(e)}`);
    return "invariant";
  }
}

const digitBytes = fc
  .array(fc.oneof(fc.integer({ min: 0x30, max: 0x39 }), fc.constantFrom(0x2f, 0x3a, 0x20, 0x2d, 0x2b, 0xc3, 0x00)), {
    minLength: 0,
    maxLength: 20,
  })
  .map((a) => Uint8Array.from(a));

describe("bank stored amounts", () => {
  it("agree with parseUint(utf8Decode(bytes)) on any bytes, fresh arrays (no memo hit)", () => {
    fc.assert(
      fc.property(fc.oneof(digitBytes, fc.uint8Array({ maxLength: 20 })), (bytes) => {
        assert.deepEqual(ours(bytes.slice()), reference(bytes));
      }),
      { numRuns: 3000 },
    );
  });

  it("reads every number of digits up to 2^256 − 1 and refuses the edges the general path refuses", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 256n) - 1n }), (n) => {
        const bytes = utf8Encode(n.toString());
        assert.equal(decodeStoredAmount(bytes), n);
        assert.equal(decodeStoredAmount(bytes.slice()), n);
        // The same array again (long amounts come from the memo, short ones are decoded again).
        assert.equal(decodeStoredAmount(bytes), n);
      }),
      { numRuns: 500 },
    );
    for (const text of ["0", "7", "999999999999999", "1000000000000000", "9007199254740993", "123456789012345678901"]) {
      assert.equal(decodeStoredAmount(utf8Encode(text)), BigInt(text), text);
    }
    for (const text of ["", "00", "01", "-1", "+1", " 1", "1 ", "1.0", "1e3", "０", (1n << 256n).toString()]) {
      assert.throws(() => decodeStoredAmount(utf8Encode(text)), InvariantError, JSON.stringify(text));
    }
  });
});
