/**
 * A WAL in memory with the durability of a file: bytes appended since the last `sync` may be lost, in
 * whole or in part, when the node "crashes". Used by the simulation and tests.
 */
import { concatBytes } from "../../primitives/bytes.ts";
import type { WalSink } from "./driver.ts";

export class MemoryWal implements WalSink {
  private chunks: Uint8Array[] = [];
  private syncedChunks = 0;
  syncCount = 0;

  constructor(initial?: Uint8Array) {
    if (initial !== undefined && initial.length > 0) {
      this.chunks.push(initial.slice());
      this.syncedChunks = 1;
    }
  }

  append(record: Uint8Array): void {
    this.chunks.push(record.slice());
  }

  sync(): void {
    this.syncedChunks = this.chunks.length;
    this.syncCount++;
  }

  bytes(): Uint8Array {
    return concatBytes(...this.chunks);
  }

  /**
   * What survives a crash: everything synced, plus `keepUnsynced` bytes of what was not (a torn write
   * when that cuts a record).
   */
  crash(keepUnsynced: number): Uint8Array {
    const durable = concatBytes(...this.chunks.slice(0, this.syncedChunks));
    const rest = concatBytes(...this.chunks.slice(this.syncedChunks));
    return concatBytes(durable, rest.subarray(0, Math.max(0, Math.min(keepUnsynced, rest.length))));
  }

  unsyncedBytes(): number {
    let n = 0;
    for (const c of this.chunks.slice(this.syncedChunks)) n += c.length;
    return n;
  }
}
