/**
 * The WAL on disk: one append-only file of records (`../wal.ts`). `openFileWal` reads it back, truncates
 * a torn last record (and syncs the truncation), refuses corruption before the end (`WAL_CORRUPT`), and
 * returns the records for replay together with a sink for new ones (opened for appending, so new records
 * go to the end, also after `truncate`).
 */
import { closeSync, existsSync, fsyncSync, ftruncateSync, openSync, readFileSync, writeSync } from "node:fs";
import { decodeWal } from "../wal.ts";
import type { WalSink } from "./driver.ts";

export class FileWal implements WalSink {
  private fd: number | null;

  constructor(fd: number) {
    this.fd = fd;
  }

  append(record: Uint8Array): void {
    if (this.fd === null) throw new Error("WAL is closed");
    let written = 0;
    while (written < record.length) written += writeSync(this.fd, record, written, record.length - written);
  }

  sync(): void {
    if (this.fd !== null) fsyncSync(this.fd);
  }

  /** Empties the file durably (the records are no longer needed: nothing of them is synced first). */
  truncate(): void {
    if (this.fd === null) throw new Error("WAL is closed");
    ftruncateSync(this.fd, 0);
    fsyncSync(this.fd);
  }

  close(): void {
    if (this.fd === null) return;
    fsyncSync(this.fd);
    closeSync(this.fd);
    this.fd = null;
  }
}

export interface OpenedWal {
  readonly wal: FileWal;
  readonly records: readonly Uint8Array[];
  /** Bytes of a torn tail removed on open. */
  readonly truncatedBytes: number;
}

export function openFileWal(path: string): OpenedWal {
  const bytes = existsSync(path) ? new Uint8Array(readFileSync(path)) : new Uint8Array(0);
  const decoded = decodeWal(bytes); // throws WAL_CORRUPT before touching the file
  const fd = openSync(path, "a+");
  if (decoded.tornBytes > 0) {
    ftruncateSync(fd, decoded.validLength);
    fsyncSync(fd);
  }
  return { wal: new FileWal(fd), records: decoded.records, truncatedBytes: decoded.tornBytes };
}
