/**
 * A throwaway write layer over any multistore, including a read-only query view (whose `branch()`
 * refuses): reads fall through, writes stay in memory and are dropped with the object. Used where
 * upstream computes a query on a cache context (pending rewards end the current period; the live
 * tally deletes votes).
 */
import {
  type BranchMultiStore,
  type BranchStore,
  type KVStore,
  type MultiStore,
  createBranch,
} from "../../store/index.ts";
import type { Context } from "../context.ts";

class ScratchMultiStore implements BranchMultiStore {
  private readonly layers = new Map<string, BranchStore>();

  constructor(private readonly parent: MultiStore) {}

  get storeNames(): readonly string[] {
    return this.parent.storeNames;
  }

  getStore(name: string): KVStore {
    let layer = this.layers.get(name);
    if (layer === undefined) {
      layer = createBranch(this.parent.getStore(name));
      this.layers.set(name, layer);
    }
    return layer;
  }

  branch(): BranchMultiStore {
    return new ScratchMultiStore(this);
  }

  /** Nothing to write to: a scratch layer is never kept. */
  write(): void {}
}

/** The same header, mode and meter over a scratch layer of `ctx`'s store. */
export function scratchContext(ctx: Context): Context {
  return ctx.withStore(new ScratchMultiStore(ctx.store));
}
