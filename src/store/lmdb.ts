/**
 * The persistent database: one LMDB environment, binary keys and values, synchronous reads and
 * synchronous write transactions (`transactionSync`), so a commit is a single atomic LMDB transaction.
 *
 * Durability: by default lmdb-js commits with `overlappingSync` (Linux, macOS): the commit is atomic and
 * visible at once, and the flush to disk follows; after a process crash the database holds the last
 * commit, after a power loss the last flushed one (never a torn state). `sync: "full"` waits for the
 * flush inside every commit; `sync: "none"` never flushes (scratch databases).
 */
import { Buffer } from "node:buffer";
import { open, type RootDatabase } from "lmdb";
import { createBranch } from "./branch.ts";
import type { Database, DatabaseWriter } from "./database.ts";
import { StoreError } from "./errors.ts";
import { assertBound, assertKey, assertValue, plainBytes } from "./keys.ts";
import type { BranchStore, KVPair } from "./types.ts";

/** LMDB's largest key with the default page size. */
export const LMDB_MAX_KEY_LENGTH = 1978;

export interface DatabaseOptions {
  /** "overlapping" (default), "full" (flush inside each commit) or "none" (never flush). */
  readonly sync?: "overlapping" | "full" | "none";
  /** Maximum size of the memory map in bytes (grows automatically in lmdb-js; this is the start). */
  readonly mapSize?: number;
}

function checkKey(key: Uint8Array): void {
  if (key.length > LMDB_MAX_KEY_LENGTH) {
    throw new StoreError("STORE_KEY_TOO_LONG", `key of ${key.length} bytes exceeds LMDB's ${LMDB_MAX_KEY_LENGTH}`);
  }
}

class LmdbDatabase implements Database {
  private isClosed = false;

  constructor(private readonly db: RootDatabase<Uint8Array, Uint8Array>) {}

  get closed(): boolean {
    return this.isClosed;
  }

  private check(): void {
    if (this.isClosed) throw new StoreError("STORE_CLOSED", "database is closed");
  }

  get(key: Uint8Array): Uint8Array | undefined {
    this.check();
    if (key.length === 0 || key.length > LMDB_MAX_KEY_LENGTH) return undefined;
    const value = this.db.get(key);
    return value === undefined ? undefined : plainBytes(value);
  }

  has(key: Uint8Array): boolean {
    return this.get(key) !== undefined;
  }

  set(key: Uint8Array, value: Uint8Array): void {
    this.check();
    assertKey(key);
    assertValue(value);
    checkKey(key);
    this.db.putSync(key, value);
  }

  delete(key: Uint8Array): void {
    this.check();
    assertKey(key);
    checkKey(key);
    this.db.removeSync(key);
  }

  *iterator(start?: Uint8Array, end?: Uint8Array, reverse = false): IterableIterator<KVPair> {
    this.check();
    assertBound(start, "start");
    assertBound(end, "end");
    if (end !== undefined && end.length === 0) return;
    const lo = start !== undefined && start.length > 0 ? start : undefined;
    if (lo !== undefined && end !== undefined && Buffer.compare(lo, end) >= 0) return;
    // Backwards, lmdb-js takes `start` as the high bound and `end` as the low one; without an explicit
    // low bound it stops before the key 0x00, so the low bound is always given (inclusive).
    const range = reverse
      ? {
          reverse: true,
          ...(end !== undefined ? { start: end, exclusiveStart: true } : {}),
          end: lo ?? Uint8Array.of(0),
          inclusiveEnd: true,
        }
      : { ...(lo !== undefined ? { start: lo } : {}), ...(end !== undefined ? { end } : {}) };
    for (const { key, value } of this.db.getRange(range)) yield [plainBytes(key), plainBytes(value)];
  }

  branch(): BranchStore {
    return createBranch(this);
  }

  transaction(fn: (writer: DatabaseWriter) => void): void {
    this.check();
    const db = this.db;
    const writer: DatabaseWriter = {
      put(key, value) {
        checkKey(key);
        // Inside the write transaction lmdb-js writes at once: LMDB has copied both arrays on return.
        db.putSync(key, value);
      },
      delete(key) {
        db.removeSync(key);
      },
    };
    db.transactionSync(() => fn(writer));
  }

  async close(): Promise<void> {
    if (this.isClosed) return;
    this.isClosed = true;
    await this.db.close();
  }
}

/** Opens (creating if needed) the LMDB database in directory `path`. */
export function openDatabase(path: string, options: DatabaseOptions = {}): Database {
  const sync = options.sync ?? "overlapping";
  const db = open<Uint8Array, Uint8Array>({
    path,
    encoding: "binary",
    keyEncoding: "binary",
    compression: false,
    cache: false,
    noSync: sync === "none",
    overlappingSync: sync === "overlapping",
    ...(options.mapSize !== undefined ? { mapSize: options.mapSize } : {}),
  });
  return new LmdbDatabase(db);
}
