/** Read-only views for queries: a committed version (or the working state) as a `MultiStore`. */
import type { BranchMultiStore, BranchStore, KVPair, KVStore, MultiStore, ReadonlyKVStore } from "../store/index.ts";
import { AppError } from "./errors.ts";

const readOnly = (): AppError => new AppError("sdk", 35, "write to a read-only query store: internal logic error");

class ReadonlyKv implements KVStore {
  constructor(private readonly inner: ReadonlyKVStore) {}
  get(key: Uint8Array): Uint8Array | undefined {
    return this.inner.get(key);
  }
  has(key: Uint8Array): boolean {
    return this.inner.has(key);
  }
  iterator(start?: Uint8Array, end?: Uint8Array, reverse?: boolean): IterableIterator<KVPair> {
    return this.inner.iterator(start, end, reverse);
  }
  set(): void {
    throw readOnly();
  }
  delete(): void {
    throw readOnly();
  }
  branch(): BranchStore {
    throw readOnly();
  }
}

export class ReadonlyMultiStore implements MultiStore {
  private readonly stores = new Map<string, KVStore>();

  constructor(
    readonly storeNames: readonly string[],
    private readonly open: (name: string) => ReadonlyKVStore,
  ) {}

  getStore(name: string): KVStore {
    let s = this.stores.get(name);
    if (s === undefined) {
      s = new ReadonlyKv(this.open(name));
      this.stores.set(name, s);
    }
    return s;
  }

  branch(): BranchMultiStore {
    throw readOnly();
  }
}
