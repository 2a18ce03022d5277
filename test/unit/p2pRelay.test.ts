/**
 * The consensus relay delay: drawn per message within `consensusRelay` (so peers that hold the same
 * message relay one after the other and skip each other), and validated with the other options.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  drawRelayDelay,
  generateNodeKey,
  msgIdToString,
  testP2POptions,
  validateP2POptions,
} from "../../src/p2p/index.ts";
import { sha256 } from "../../src/crypto/index.ts";
import { isCodedError } from "../../src/primitives/errors.ts";

describe("consensus relay delay", () => {
  it("stays within [minMs, maxMs], reaches both ends, and is minMs for an empty span", () => {
    fc.assert(
      fc.property(
        fc.nat(100),
        fc.nat(100),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (a, b, u) => {
          const range = { minMs: Math.min(a, b), maxMs: Math.max(a, b) };
          const d = drawRelayDelay(range, u);
          assert.ok(
            Number.isInteger(d) && d >= range.minMs && d <= range.maxMs,
            `${d} in ${range.minMs}..${range.maxMs}`,
          );
        },
      ),
    );
    assert.equal(drawRelayDelay({ minMs: 2, maxMs: 20 }, 0), 2);
    assert.equal(drawRelayDelay({ minMs: 2, maxMs: 20 }, 0.999_999), 20);
    assert.equal(drawRelayDelay({ minMs: 7, maxMs: 7 }, 0.5), 7);
    assert.equal(drawRelayDelay({ minMs: 0, maxMs: 0 }, 0.9), 0);
    // Spread: different draws give different delays (the point of drawing one per message).
    const seen = new Set([0, 0.25, 0.5, 0.75].map((u) => drawRelayDelay({ minMs: 2, maxMs: 20 }, u)));
    assert.equal(seen.size, 4);
  });

  it("the defaults relay consensus messages after a short spread delay; bad ranges are refused", () => {
    const base = { chainId: "relay-1", genesisHash: sha256(new Uint8Array(1)), nodeKey: generateNodeKey() };
    const o = testP2POptions(base);
    assert.ok(o.consensusRelay.minMs >= 0 && o.consensusRelay.maxMs > o.consensusRelay.minMs);
    for (const consensusRelay of [
      { minMs: 5, maxMs: 4 },
      { minMs: -1, maxMs: 4 },
      { minMs: 0, maxMs: 1.5 },
    ]) {
      assert.throws(
        () => validateP2POptions(testP2POptions({ ...base, consensusRelay })),
        (e: unknown) => isCodedError(e) && e.code === "P2P_BAD_OPTIONS",
        JSON.stringify(consensusRelay),
      );
    }
    validateP2POptions(testP2POptions({ ...base, consensusRelay: { minMs: 0, maxMs: 0 } }));
  });
});

describe("gossip message id text", () => {
  it("is the id's base64, also for a view into a larger buffer, and tells different ids apart", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        (a, b) => {
          assert.equal(msgIdToString(a), Buffer.from(a).toString("base64"));
          assert.equal(msgIdToString(a) === msgIdToString(b), Buffer.compare(a, b) === 0);
        },
      ),
    );
    const big = Uint8Array.from({ length: 80 }, (_, i) => i);
    assert.equal(msgIdToString(big.subarray(8, 40)), msgIdToString(big.slice(8, 40)));
  });
});
