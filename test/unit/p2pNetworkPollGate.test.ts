/**
 * The block-sync status poll gate of the node's network (src/node/network.ts `StatusPollGate`):
 * no poll of the peers' heights while the stored height moves between checks, except every
 * `LIVE_POLL_EVERY`-th check; a poll whenever the height stands still, on the first check, and on
 * the next check after `want()` (a message from far ahead, a stalled height, `catchUp()`).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { LIVE_POLL_EVERY, StatusPollGate } from "../../src/node/network.ts";

describe("p2p network: status poll gate", () => {
  it("polls on the first check and whenever the height stands still", () => {
    const gate = new StatusPollGate();
    assert.equal(gate.shouldPoll(5), true);
    assert.equal(gate.shouldPoll(5), true);
    assert.equal(gate.shouldPoll(5), true);
    // A height that went back (a restarted store, a test) is "not moving" too.
    assert.equal(gate.shouldPoll(4), true);
  });

  it("skips while the height moves, but polls every LIVE_POLL_EVERY-th check", () => {
    const gate = new StatusPollGate();
    assert.equal(gate.shouldPoll(1), true);
    const polls: number[] = [];
    for (let i = 1; i <= 3 * LIVE_POLL_EVERY; i++) if (gate.shouldPoll(1 + i)) polls.push(i);
    assert.deepEqual(polls, [LIVE_POLL_EVERY, 2 * LIVE_POLL_EVERY, 3 * LIVE_POLL_EVERY]);
  });

  it("polls on the next check after want(), once", () => {
    const gate = new StatusPollGate();
    gate.shouldPoll(1);
    assert.equal(gate.shouldPoll(2), false);
    gate.want();
    assert.equal(gate.shouldPoll(3), true);
    assert.equal(gate.shouldPoll(4), false);
  });

  it("never lets more than LIVE_POLL_EVERY - 1 checks in a row pass without a poll (any heights)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ step: fc.integer({ min: -1, max: 3 }), want: fc.boolean() }), { maxLength: 200 }),
        (checks) => {
          const gate = new StatusPollGate();
          let height = 10;
          let last: number | undefined;
          let wanted = false;
          let sincePoll = 0;
          for (const c of checks) {
            if (c.want) {
              gate.want();
              wanted = true;
            }
            height = Math.max(0, height + c.step);
            const moved = last !== undefined && height > last;
            last = height;
            const poll = gate.shouldPoll(height);
            // Must poll whenever the node may be behind.
            if (!moved || wanted) assert.equal(poll, true);
            if (poll) {
              sincePoll = 0;
              wanted = false;
            } else sincePoll++;
            assert.ok(sincePoll < LIVE_POLL_EVERY);
          }
        },
      ),
    );
  });
});
