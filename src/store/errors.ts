import { CodedError } from "../primitives/errors.ts";

/** Error codes of the store layer. Stable: callers and tests match on them. */
export type StoreErrorCode =
  /** A key given to `set`/`delete` is empty (no store accepts an empty key). */
  | "STORE_KEY_EMPTY"
  /** An argument has the wrong type or is out of range (not a Uint8Array, bad option, bad store name). */
  | "STORE_INVALID_ARGUMENT"
  /** A key is longer than the database accepts (LMDB: 1978 bytes). */
  | "STORE_KEY_TOO_LONG"
  /** No module store has this name. */
  | "STORE_UNKNOWN_STORE"
  /** The on-disk multistore has stores the caller did not name (a store was dropped without a migration). */
  | "STORE_SET_MISMATCH"
  /** The version was never committed (above the latest, or below the initial version). */
  | "STORE_VERSION_NOT_FOUND"
  /** The version was committed but has been pruned. */
  | "STORE_VERSION_PRUNED"
  /** An existence proof was asked for a key that is absent at that version. */
  | "STORE_KEY_ABSENT"
  /** A non-existence proof was asked for a key that is present at that version. */
  | "STORE_KEY_PRESENT"
  /** The database or multistore was used after `close()`. */
  | "STORE_CLOSED"
  /** Stored bytes do not decode, a node is missing, or a recomputed hash differs: a broken invariant. */
  | "STORE_CORRUPT";

export class StoreError extends CodedError<StoreErrorCode> {
  override readonly name = "StoreError";
}
