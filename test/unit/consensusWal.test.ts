/**
 * The WAL: record format, torn tails, mid-file corruption, the file implementation, replay giving the
 * identical state (canonical bytes) at every point, and the fsync-before-signature rule of the driver.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, appendFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import fc from "fast-check";
import { sha256 } from "../../src/crypto/index.ts";
import {
  ConsensusDriver,
  replayEvents,
  recoverDriver,
  walCrc32,
  type DriverIo,
} from "../../src/consensus/driver/driver.ts";
import { openFileWal } from "../../src/consensus/driver/fileWal.ts";
import { MemoryWal } from "../../src/consensus/driver/memoryWal.ts";
import { createConsensusState } from "../../src/consensus/reducer.ts";
import { decodeEvent, encodeEvent, toCanonicalJson } from "../../src/consensus/serialize.ts";
import type { ConsensusEvent } from "../../src/consensus/types.ts";
import { nextHeightValidatorSet } from "../../src/consensus/validatorSet.ts";
import { crc32, decodeWal, encodeWalRecord, encodeWalRecordWith } from "../../src/consensus/wal.ts";
import { isCodedError } from "../../src/primitives/errors.ts";
import { makeValidators, TEST_CONFIG } from "./consensusFixtures.ts";

const tmpRoot = mkdtempSync(join(tmpdir(), "scrt-consensus-wal-"));
after(() => rmSync(tmpRoot, { recursive: true, force: true }));
let counter = 0;
const freshPath = (): string => join(tmpRoot, `wal${counter++}`);

const V = makeValidators([1n, 1n, 1n, 1n]);
const events: ConsensusEvent[] = [
  { type: "startHeight", height: 1n, validators: V.set },
  { type: "timeout", kind: "propose", height: 1n, round: 0 },
  { type: "timeout", kind: "prevote", height: 1n, round: 0 },
];
const payloads = events.map(encodeEvent);
const records = payloads.map(encodeWalRecord);
const whole = Uint8Array.from(records.flatMap((r) => [...r]));

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (e) {
    return isCodedError(e) ? e.code : String(e);
  }
}

describe("WAL records", () => {
  it("the driver's native CRC-32 is wal.ts's: the same value, the same record bytes", () => {
    assert.equal(walCrc32(new TextEncoder().encode("123456789")), 0xcbf43926);
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 3000 }), (payload) => {
        assert.equal(walCrc32(payload), crc32(payload));
        assert.deepEqual(encodeWalRecordWith(payload, walCrc32), encodeWalRecord(payload));
      }),
    );
    // A payload at an offset of a larger buffer (as encoders hand out subarrays).
    const big = new Uint8Array(5000).map((_, i) => (i * 7) & 0xff);
    const sub = big.subarray(123, 4000);
    assert.equal(walCrc32(sub), crc32(sub));
  });

  it("round-trips events exactly", () => {
    const d = decodeWal(whole);
    assert.equal(d.tornBytes, 0);
    assert.equal(d.validLength, whole.length);
    assert.deepEqual(
      d.records.map((r) => toCanonicalJson(decodeEvent(r))),
      events.map(toCanonicalJson),
    );
  });

  it("a torn last record (cut anywhere, or zero-filled) is dropped; the rest is kept", () => {
    const lastStart = whole.length - records[2]!.length;
    for (let cut = lastStart + 1; cut < whole.length; cut++) {
      const d = decodeWal(whole.subarray(0, cut));
      assert.equal(d.records.length, 2);
      assert.equal(d.validLength, lastStart);
      assert.equal(d.tornBytes, cut - lastStart);
    }
    const zeros = Uint8Array.from([...whole, ...new Uint8Array(37)]);
    assert.equal(decodeWal(zeros).records.length, 3);
    assert.equal(decodeWal(zeros).validLength, whole.length);
    // a last record complete in length but with garbage payload (the write did not reach the disk)
    const garbled = whole.slice();
    garbled[whole.length - 1]! ^= 0xff;
    assert.equal(decodeWal(garbled).records.length, 2);
  });

  it("corruption before the last record is refused with WAL_CORRUPT", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: whole.length - records[2]!.length - 1 }),
        fc.integer({ min: 1, max: 255 }),
        (pos, x) => {
          const bad = whole.slice();
          bad[pos]! ^= x;
          const code = codeOf(() => decodeWal(bad));
          // a flipped length byte may also make the record run past the end: then it reads as torn,
          // which can only swallow the records after it if their bytes happen to parse; never silently mixed.
          if (code === undefined) {
            const d = decodeWal(bad);
            assert.ok(d.records.length < 3, "a changed byte is never accepted as the same WAL");
          } else {
            assert.equal(code, "WAL_CORRUPT");
          }
        },
      ),
      { numRuns: 500 },
    );
    const payloadFlip = whole.slice();
    payloadFlip[records[0]!.length + 10]! ^= 1;
    assert.equal(
      codeOf(() => decodeWal(payloadFlip)),
      "WAL_CORRUPT",
    );
  });

  it("undecodable payloads behind a good checksum are WAL_DECODE", () => {
    assert.equal(
      codeOf(() => decodeEvent(new TextEncoder().encode('{"type":"nope"}'))),
      "WAL_DECODE",
    );
    assert.equal(
      codeOf(() => decodeEvent(new TextEncoder().encode("{"))),
      "WAL_DECODE",
    );
  });
});

describe("WAL file", () => {
  it("appends, reopens, truncates a torn tail on open", () => {
    const path = freshPath();
    const a = openFileWal(path);
    for (const r of records) a.wal.append(r);
    a.wal.sync();
    a.wal.close();
    appendFileSync(path, records[0]!.subarray(0, 11)); // a torn write
    const b = openFileWal(path);
    assert.equal(b.truncatedBytes, 11);
    assert.equal(b.records.length, 3);
    assert.equal(statSync(path).size, whole.length);
    b.wal.append(records[1]!);
    b.wal.close();
    assert.equal(openFileWal(path).records.length, 4);
  });

  it("refuses a corrupt middle and leaves the file untouched", () => {
    const path = freshPath();
    const bad = whole.slice();
    bad[records[0]!.length + 12]! ^= 0x40;
    writeFileSync(path, bad);
    assert.equal(
      codeOf(() => openFileWal(path)),
      "WAL_CORRUPT",
    );
    assert.deepEqual(new Uint8Array(readFileSync(path)), bad);
  });
});

/** Four drivers wired by a FIFO in-process network; every node's app accepts every block. */
function network(onStep?: (i: number, d: ConsensusDriver, wal: MemoryWal) => void) {
  const queue: (() => void)[] = [];
  const wals = V.byIndex.map(() => new MemoryWal());
  const drivers: ConsensusDriver[] = [];
  const decided: bigint[][] = V.byIndex.map(() => []);
  let clock = 0;
  const io = (i: number): DriverIo => ({
    now: () => ({ seconds: 1_700_000_000n + BigInt(clock++), nanos: 0 }),
    broadcastVote: (vote) => {
      assert.equal(wals[i]!.unsyncedBytes(), 0, "the WAL is synced before the own vote leaves");
      drivers.forEach((d, j) => j !== i && queue.push(() => d.handle({ type: "vote", vote })));
    },
    broadcastProposal: (proposal, block) => {
      assert.equal(wals[i]!.unsyncedBytes(), 0, "the WAL is synced before the own proposal leaves");
      drivers.forEach((d, j) => j !== i && queue.push(() => d.handle({ type: "proposal", proposal, block })));
    },
    scheduleTimeout: () => undefined,
    requestBlock: (e) => {
      const block = new TextEncoder().encode(`block ${e.height}/${e.round}`);
      const hash = sha256(block);
      queue.push(() =>
        drivers[i]!.handle({
          type: "blockCreated",
          height: e.height,
          round: e.round,
          block,
          blockId: { hash, partSetHeader: { total: 1, hash } },
        }),
      );
    },
    validateBlock: (e) =>
      queue.push(() =>
        drivers[i]!.handle({ type: "blockValidity", height: e.height, blockId: e.blockId, valid: true }),
      ),
    decide: (e) => {
      decided[i]!.push(e.height);
      if (e.height < 3n) {
        let set = V.set;
        for (let h = 1n; h <= e.height; h++) set = nextHeightValidatorSet(set);
        queue.push(() => drivers[i]!.handle({ type: "startHeight", height: e.height + 1n, validators: set }));
      }
    },
    evidence: () => assert.fail("no evidence expected"),
  });
  V.byIndex.forEach((pv, i) =>
    drivers.push(new ConsensusDriver(createConsensusState(TEST_CONFIG, pv.address), pv, wals[i]!, io(i))),
  );
  const run = (): void => {
    drivers.forEach((d) => queue.push(() => d.handle({ type: "startHeight", height: 1n, validators: V.set })));
    let steps = 0;
    while (queue.length > 0) {
      const next = queue.shift()!;
      next();
      steps++;
      drivers.forEach((d, i) => onStep?.(i, d, wals[i]!));
      assert.ok(steps < 100_000);
    }
  };
  return { drivers, wals, decided, run, io };
}

describe("WAL replay", () => {
  it("replaying the WAL gives the identical state (canonical bytes) at every point", () => {
    let checks = 0;
    const net = network((i, d, wal) => {
      if (i !== 0 && i !== 2) return;
      const replayed = replayEvents(
        createConsensusState(TEST_CONFIG, d.privval.address),
        V.byIndex[i]!,
        decodeWal(wal.bytes()).records,
      );
      assert.equal(toCanonicalJson(replayed.state), toCanonicalJson(d.state));
      assert.equal(toCanonicalJson(replayed.privval.last), toCanonicalJson(d.privval.last));
      checks++;
    });
    net.run();
    assert.deepEqual(
      net.decided,
      V.byIndex.map(() => [1n, 2n, 3n]),
    );
    assert.ok(checks > 100);
  });

  it("a node recovered from its WAL (torn tail cut off) resumes: no double sign, same decisions", () => {
    const net = network();
    net.run();
    const bytes = net.wals[1]!.bytes();
    const torn = Uint8Array.from([...bytes, ...encodeWalRecord(encodeEvent(events[1]!)).subarray(0, 5)]);
    const d = decodeWal(torn);
    assert.equal(d.tornBytes, 5);
    const rec = recoverDriver(
      createConsensusState(TEST_CONFIG, V.byIndex[1]!.address),
      V.byIndex[1]!,
      d.records,
      new MemoryWal(torn.subarray(0, d.validLength)),
      {
        ...net.io(1),
        broadcastVote: () => undefined,
        broadcastProposal: () => undefined,
        decide: () => undefined,
      },
    );
    assert.equal(toCanonicalJson(rec.state), toCanonicalJson(net.drivers[1]!.state));
    assert.equal(rec.state.height, 3n);
    assert.equal(rec.state.step, "commit");
  });
});

describe("WAL fsyncs", () => {
  it("a single validator's height: its proposal and votes leave after one fsync, before the decision", () => {
    const one = makeValidators([1n]);
    const wal = new MemoryWal();
    const log: string[] = [];
    const io: DriverIo = {
      now: () => ({ seconds: 1_700_000_000n, nanos: 0 }),
      broadcastVote: (vote) => {
        assert.equal(wal.unsyncedBytes(), 0, "the WAL is synced before the own vote leaves");
        log.push(`vote ${vote.type} after ${wal.syncCount} fsync(s)`);
      },
      broadcastProposal: () => {
        assert.equal(wal.unsyncedBytes(), 0, "the WAL is synced before the own proposal leaves");
        log.push(`proposal after ${wal.syncCount} fsync(s)`);
      },
      scheduleTimeout: () => undefined,
      requestBlock: (e) => {
        const block = new TextEncoder().encode(`block ${e.height}/${e.round}`);
        const hash = sha256(block);
        // answered at once, from inside the driver's handle (as the node does)
        driver.handle({
          type: "blockCreated",
          height: e.height,
          round: e.round,
          block,
          blockId: { hash, partSetHeader: { total: 1, hash } },
        });
      },
      validateBlock: () => assert.fail("the proposer's own block needs no validation"),
      decide: (e) => {
        assert.equal(wal.unsyncedBytes(), 0, "the WAL is synced before the decision is announced");
        log.push(`decide ${e.height} after ${wal.syncCount} fsync(s)`);
      },
      evidence: () => assert.fail("no evidence expected"),
    };
    const driver: ConsensusDriver = new ConsensusDriver(
      createConsensusState(TEST_CONFIG, one.byIndex[0]!.address),
      one.byIndex[0]!,
      wal,
      io,
    );
    driver.handle({ type: "startHeight", height: 1n, validators: one.set });
    assert.deepEqual(log, [
      "proposal after 1 fsync(s)",
      "vote 1 after 1 fsync(s)",
      "vote 2 after 1 fsync(s)",
      "decide 1 after 1 fsync(s)",
    ]);
    // The recovered node holds every signature it released.
    const replayed = replayEvents(
      createConsensusState(TEST_CONFIG, one.byIndex[0]!.address),
      one.byIndex[0]!,
      decodeWal(wal.crash(0)).records,
    );
    assert.equal(toCanonicalJson(replayed.privval.last), toCanonicalJson(driver.privval.last));
  });

  it("four validators: every own message and every decision after an fsync; a proposer's proposal and prevote share one", () => {
    const net = network();
    const decideUnsynced: number[] = [];
    net.drivers.forEach((_, i) => {
      const io = net.io(i);
      // re-wire decide to record the WAL's unsynced bytes at that moment
      (net.drivers[i] as unknown as { io: DriverIo }).io = {
        ...io,
        decide: (e) => {
          decideUnsynced.push(net.wals[i]!.unsyncedBytes());
          io.decide(e);
        },
      };
    });
    net.run();
    assert.deepEqual(
      net.decided,
      V.byIndex.map(() => [1n, 2n, 3n]),
    );
    assert.deepEqual(
      decideUnsynced,
      net.decided.flat().map(() => 0),
    );
    // Per validator and height: prevote, precommit, decision (the proposer's proposal shares the prevote's).
    for (const wal of net.wals) assert.ok(wal.syncCount <= 3 * 3, `${wal.syncCount} fsyncs for 3 heights`);
  });
});
