/**
 * Validator set changes from the state machine, as CometBFT applies them (`ValidatorSet.
 * UpdateWithChangeSet` and `state.updateState`):
 *
 * - a change is `{pubKey, power}`; power 0 removes the validator, a new key joins, a known key gets its
 *   new power and keeps its proposer priority;
 * - checks: no duplicate key in one batch, power ≥ 0 and ≤ MaxTotalVotingPower, every removed validator
 *   exists, the set does not become empty, the total after the changes stays ≤ MaxTotalVotingPower;
 * - a new validator starts at priority −(T + T/8) (≈ −1.125 × T, T = the total after the updates and
 *   before the removals), so that it cannot propose right after joining and cannot game the rotation
 *   by leaving and re-joining;
 * - then the priorities are rescaled to a spread ≤ 2 × total and centred on their floored average.
 *
 * Timing (`advanceValidatorSchedule`): updates returned by the app at the end of block H are applied to
 * the *next* validator set of H + 1, so they first sign at H + 2 (CometBFT `updateState`: Validators ←
 * NextValidators, NextValidators ← NextValidators + changes, incremented once).
 */
import { bytesEqual, compareBytes } from "../primitives/bytes.ts";
import { toHex } from "../primitives/hex.ts";
import { CodedError } from "../primitives/errors.ts";
import {
  ed25519Address,
  incrementProposerPriority,
  MAX_TOTAL_VOTING_POWER,
  PRIORITY_WINDOW_SIZE_FACTOR,
  type Validator,
  type ValidatorSet,
} from "./validatorSet.ts";

export type ValidatorUpdateErrorCode =
  | "VALSET_UPDATE_DUPLICATE"
  | "VALSET_UPDATE_NEGATIVE_POWER"
  | "VALSET_UPDATE_POWER_TOO_HIGH"
  | "VALSET_UPDATE_BAD_PUBKEY"
  | "VALSET_UPDATE_REMOVE_UNKNOWN"
  | "VALSET_UPDATE_EMPTY_SET"
  | "VALSET_UPDATE_TOTAL_TOO_HIGH";

export class ValidatorUpdateError extends CodedError<ValidatorUpdateErrorCode> {
  override readonly name = "ValidatorUpdateError";
}

/** ABCI `ValidatorUpdate` with an ed25519 key (the app's `ValidatorUpdate` has this shape). */
export interface ValidatorUpdate {
  readonly pubKey: Uint8Array;
  readonly power: bigint;
}

const INT64_MAX = (1n << 63n) - 1n;
const INT64_MIN = -(1n << 63n);

function clip(v: bigint): bigint {
  return v > INT64_MAX ? INT64_MAX : v < INT64_MIN ? INT64_MIN : v;
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n ? q - 1n : q;
}

function sortByPower(vals: Validator[]): Validator[] {
  return vals.sort((a, b) =>
    a.votingPower === b.votingPower ? compareBytes(a.address, b.address) : a.votingPower > b.votingPower ? -1 : 1,
  );
}

/** `RescalePriorities(2 × total)` then `shiftByAvgProposerPriority`. */
export function rescaleAndCentre(vals: readonly Validator[], total: bigint): Validator[] {
  let prios = vals.map((v) => v.proposerPriority);
  if (prios.length === 0) return [];
  const diffMax = PRIORITY_WINDOW_SIZE_FACTOR * total;
  let max = prios[0]!;
  let min = prios[0]!;
  for (const p of prios) {
    if (p > max) max = p;
    if (p < min) min = p;
  }
  let diff = max - min;
  if (diff > INT64_MAX) diff = INT64_MAX;
  if (diffMax > 0n && diff > diffMax) {
    const ratio = (diff + diffMax - 1n) / diffMax;
    prios = prios.map((p) => p / ratio); // truncation toward zero, as Go
  }
  const avg = floorDiv(
    prios.reduce((a, b) => a + b, 0n),
    BigInt(prios.length),
  );
  return vals.map((v, i) => ({ ...v, proposerPriority: clip(prios[i]! - avg) }));
}

/** The index of the highest priority (ties: the smaller address), CometBFT `findProposer`. */
function findProposer(vals: readonly Validator[]): number {
  let best = 0;
  for (let i = 1; i < vals.length; i++) {
    const v = vals[i]!;
    const b = vals[best]!;
    if (v.proposerPriority > b.proposerPriority) best = i;
    else if (v.proposerPriority === b.proposerPriority && compareBytes(v.address, b.address) < 0) best = i;
  }
  return best;
}

/**
 * `UpdateWithChangeSet`: a new set (the input is untouched). An empty change list returns the set as
 * is. The result's `proposerIndex` is the highest-priority validator (CometBFT leaves the proposer to
 * the `IncrementProposerPriority(1)` that always follows; `advanceValidatorSchedule` does that).
 */
export function applyValidatorUpdates(set: ValidatorSet, changes: readonly ValidatorUpdate[]): ValidatorSet {
  if (changes.length === 0) return set;
  const seen = new Set<string>();
  for (const c of changes) {
    if (c.pubKey.length !== 32) {
      throw new ValidatorUpdateError("VALSET_UPDATE_BAD_PUBKEY", "validator update pubkey must be 32 bytes (ed25519)");
    }
    const key = toHex(c.pubKey);
    if (seen.has(key)) {
      throw new ValidatorUpdateError("VALSET_UPDATE_DUPLICATE", `duplicate entry ${key} in validator changes`);
    }
    seen.add(key);
    if (c.power < 0n) {
      throw new ValidatorUpdateError("VALSET_UPDATE_NEGATIVE_POWER", `voting power can't be negative: ${c.power}`);
    }
    if (c.power > MAX_TOTAL_VOTING_POWER) {
      throw new ValidatorUpdateError(
        "VALSET_UPDATE_POWER_TOO_HIGH",
        `voting power ${c.power} exceeds MaxTotalVotingPower ${MAX_TOTAL_VOTING_POWER}`,
      );
    }
  }
  const byAddress = (address: Uint8Array): Validator | undefined =>
    set.validators.find((v) => bytesEqual(v.address, address));
  const updates = changes
    .filter((c) => c.power > 0n)
    .map((c) => ({ address: ed25519Address(c.pubKey), pubKey: c.pubKey.slice(), votingPower: c.power }));
  const deletes = changes.filter((c) => c.power === 0n).map((c) => ed25519Address(c.pubKey));

  // verifyRemovals
  let removedPower = 0n;
  for (const address of deletes) {
    const v = byAddress(address);
    if (v === undefined) {
      throw new ValidatorUpdateError(
        "VALSET_UPDATE_REMOVE_UNKNOWN",
        `failed to find validator ${toHex(address)} to remove`,
      );
    }
    removedPower += v.votingPower;
  }
  const newCount = updates.filter((u) => byAddress(u.address) === undefined).length;
  if (newCount === 0 && deletes.length === set.validators.length) {
    throw new ValidatorUpdateError(
      "VALSET_UPDATE_EMPTY_SET",
      "applying the validator changes would result in empty set",
    );
  }

  // verifyUpdates: the running total over updates sorted by power delta (ascending) stays in bounds
  const delta = (u: { address: Uint8Array; votingPower: bigint }): bigint =>
    u.votingPower - (byAddress(u.address)?.votingPower ?? 0n);
  const deltas = updates.map(delta).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  let running = set.totalVotingPower - removedPower;
  for (const d of deltas) {
    running += d;
    if (running > MAX_TOTAL_VOTING_POWER) {
      throw new ValidatorUpdateError(
        "VALSET_UPDATE_TOTAL_TOO_HIGH",
        `total voting power of resulting valset exceeds max ${MAX_TOTAL_VOTING_POWER}`,
      );
    }
  }
  const tvpAfterUpdatesBeforeRemovals = running + removedPower;

  // computeNewPriorities, applyUpdates, applyRemovals
  const newPriority = -(tvpAfterUpdatesBeforeRemovals + (tvpAfterUpdatesBeforeRemovals >> 3n));
  const merged = new Map<string, Validator>();
  for (const v of set.validators) merged.set(toHex(v.address), v);
  for (const u of updates) {
    const old = merged.get(toHex(u.address));
    merged.set(toHex(u.address), { ...u, proposerPriority: old === undefined ? newPriority : old.proposerPriority });
  }
  for (const address of deletes) merged.delete(toHex(address));
  const vals = [...merged.values()];
  const total = vals.reduce((a, v) => a + v.votingPower, 0n);
  if (total > MAX_TOTAL_VOTING_POWER) {
    throw new ValidatorUpdateError("VALSET_UPDATE_TOTAL_TOO_HIGH", "total voting power exceeds MaxTotalVotingPower");
  }
  const centred = sortByPower(rescaleAndCentre(vals, total));
  return { validators: centred, totalVotingPower: total, proposerIndex: findProposer(centred) };
}

/** The three validator sets CometBFT's `State` carries. */
export interface ValidatorSchedule {
  /** Signed the last block (its commit is in the next block's `LastCommit`); null before the first block. */
  readonly lastValidators: ValidatorSet | null;
  /** Sign the next block (`startHeight`'s set; `Header.ValidatorsHash`). */
  readonly validators: ValidatorSet;
  /** Sign the block after (`Header.NextValidatorsHash`). */
  readonly nextValidators: ValidatorSet;
  /** The height from which the current change is in force (CometBFT `LastHeightValidatorsChanged`). */
  readonly lastHeightValidatorsChanged: bigint;
}

/** `MakeGenesisState`: the genesis set signs the initial height, and (incremented once) the one after. */
export function genesisValidatorSchedule(set: ValidatorSet, initialHeight: bigint): ValidatorSchedule {
  return {
    lastValidators: null,
    validators: set,
    nextValidators: incrementProposerPriority(set, 1),
    lastHeightValidatorsChanged: initialHeight,
  };
}

/**
 * `updateState` after block `height` was executed and the app returned `changes`: the current next set
 * becomes the current set (it signs `height + 1`); the changes go into the new next set, which signs
 * `height + 2`.
 */
export function advanceValidatorSchedule(
  s: ValidatorSchedule,
  height: bigint,
  changes: readonly ValidatorUpdate[],
): ValidatorSchedule {
  const updated = applyValidatorUpdates(s.nextValidators, changes);
  return {
    lastValidators: s.validators,
    validators: s.nextValidators,
    nextValidators: incrementProposerPriority(updated, 1),
    lastHeightValidatorsChanged: changes.length > 0 ? height + 2n : s.lastHeightValidatorsChanged,
  };
}
