/**
 * CometBFT's BFT time (`state.MedianTime` + `cmttime.WeightedMedian`): the time of block H + 1 is the
 * median of the timestamps in the commit of block H, each weighted by its signer's voting power in the
 * validator set that signed it. Absent signatures do not count; nil precommits do (they are votes of
 * that round too). Signers not in the set are skipped. As long as more than 2/3 of the power is honest,
 * the median lies between two honest timestamps, so faulty validators cannot move it arbitrarily.
 */
import { BlockIdFlag, ZERO_TIME, type Commit, type Timestamp } from "../codec/consensus.ts";
import { validatorIndexByAddress, type ValidatorSet } from "./validatorSet.ts";

const NANOS = 1_000_000_000n;

/** Nanoseconds since the Unix epoch (Go's `UnixNano` without its int64 overflow). */
export function timestampToNanos(t: Timestamp): bigint {
  return t.seconds * NANOS + BigInt(t.nanos);
}

export function nanosToTimestamp(n: bigint): Timestamp {
  let seconds = n / NANOS;
  let nanos = n % NANOS;
  if (nanos < 0n) {
    nanos += NANOS;
    seconds -= 1n;
  }
  return { seconds, nanos: Number(nanos) };
}

/** −1, 0 or 1. */
export function compareTimestamps(a: Timestamp, b: Timestamp): number {
  const d = timestampToNanos(a) - timestampToNanos(b);
  return d < 0n ? -1 : d > 0n ? 1 : 0;
}

export function timestampsEqual(a: Timestamp, b: Timestamp): boolean {
  return a.seconds === b.seconds && a.nanos === b.nanos;
}

export interface WeightedTime {
  readonly time: Timestamp;
  readonly weight: bigint;
}

/**
 * `WeightedMedian`: sort by time (stable), then walk up from the earliest until the running `median =
 * total / 2` (floored) fits within an entry's weight. Go's zero time when there is nothing to weigh.
 */
export function weightedMedian(times: readonly WeightedTime[], totalWeight: bigint): Timestamp {
  const sorted = times
    .map((t, i) => ({ ...t, i, ns: timestampToNanos(t.time) }))
    .sort((a, b) => (a.ns < b.ns ? -1 : a.ns > b.ns ? 1 : a.i - b.i));
  let median = totalWeight / 2n;
  for (const t of sorted) {
    if (median <= t.weight) return t.time;
    median -= t.weight;
  }
  return ZERO_TIME;
}

/** `MedianTime(commit, validators)`: the BFT time of the block whose `LastCommit` is `commit`. */
export function medianTime(commit: Commit, validators: ValidatorSet): Timestamp {
  const times: WeightedTime[] = [];
  let total = 0n;
  for (const sig of commit.signatures) {
    if (sig.blockIdFlag === BlockIdFlag.Absent) continue;
    const index = validatorIndexByAddress(validators, sig.validatorAddress);
    const val = validators.validators[index];
    if (val === undefined) continue;
    total += val.votingPower;
    times.push({ time: sig.timestamp, weight: val.votingPower });
  }
  return weightedMedian(times, total);
}

/**
 * The timestamp a node puts on its own vote (CometBFT `voteTime`): its clock, but at least 1 ms after the
 * header time of the block it votes on (the locked block, else the proposal's block; null when there is
 * none). Every precommit of block H is then after H's time, so the median time of H + 1 is too.
 */
export function clampVoteTime(now: Timestamp, votedBlockTime: Timestamp | null): Timestamp {
  if (votedBlockTime === null) return now;
  const min = timestampToNanos(votedBlockTime) + 1_000_000n;
  return timestampToNanos(now) < min ? nanosToTimestamp(min) : now;
}
