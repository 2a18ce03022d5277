/** A branch of a multistore: one branch store per module store, created on first use. */
import type { BranchMultiStore, BranchStore, KVStore, MultiStore } from "./types.ts";

export class CacheMultiStore implements BranchMultiStore {
  // The branches made so far, by name, in sorted name order: a tx branches two or three stores, so
  // two short arrays scanned linearly (store names are a handful of constants) instead of a Map.
  private readonly names: string[] = [];
  private readonly branches: BranchStore[] = [];

  constructor(private readonly parent: MultiStore) {}

  get storeNames(): readonly string[] {
    return this.parent.storeNames;
  }

  getStore(name: string): KVStore {
    const names = this.names;
    for (let i = 0; i < names.length; i++) if (names[i] === name) return this.branches[i]!;
    const branch = this.parent.getStore(name).branch();
    const branches = this.branches;
    // Insertion in order (no splice: it allocates the array of removed elements).
    let at = names.length;
    names.push(name);
    branches.push(branch);
    while (at > 0 && names[at - 1]! > name) {
      names[at] = names[at - 1]!;
      branches[at] = branches[at - 1]!;
      at--;
    }
    names[at] = name;
    branches[at] = branch;
    return branch;
  }

  branch(): BranchMultiStore {
    return new CacheMultiStore(this);
  }

  /** Writes every store's branch to the parent, in store-name order. */
  write(): void {
    const branches = this.branches;
    for (let i = 0; i < branches.length; i++) branches[i]!.write();
  }
}
