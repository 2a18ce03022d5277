/** A branch of a multistore: one branch store per module store, created on first use. */
import type { BranchMultiStore, BranchStore, KVStore, MultiStore } from "./types.ts";

export class CacheMultiStore implements BranchMultiStore {
  private readonly branches = new Map<string, BranchStore>();
  /** The names of `branches` in sorted order (kept on insertion: a tx branches two or three stores). */
  private readonly sortedNames: string[] = [];

  constructor(private readonly parent: MultiStore) {}

  get storeNames(): readonly string[] {
    return this.parent.storeNames;
  }

  getStore(name: string): KVStore {
    let branch = this.branches.get(name);
    if (branch === undefined) {
      branch = this.parent.getStore(name).branch();
      this.branches.set(name, branch);
      const names = this.sortedNames;
      let at = names.length;
      while (at > 0 && names[at - 1]! > name) at--;
      names.splice(at, 0, name);
    }
    return branch;
  }

  branch(): BranchMultiStore {
    return new CacheMultiStore(this);
  }

  /** Writes every store's branch to the parent, in store-name order. */
  write(): void {
    for (const name of this.sortedNames) this.branches.get(name)!.write();
  }
}
