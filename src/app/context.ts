/**
 * The execution context handed to keepers and handlers: the block header (height, time and chain id
 * come from the header only), the execution mode, the store branch the code may write, the gas meter
 * and the event manager of the current scope. Contexts are cheap; derive a new one for a new branch or
 * a new event scope instead of mutating.
 */
import { gasKv } from "../store/index.ts";
import type { KVStore, MultiStore } from "../store/index.ts";
import { EventManager } from "./events.ts";
import type { AppGasMeter } from "./gas.ts";

/** check = CheckTx (mempool), deliver = block execution, simulate = gas estimation, genesis = InitChain. */
export type ExecMode = "check" | "deliver" | "simulate" | "genesis";

export interface BlockHeader {
  readonly height: number;
  /** Block time in nanoseconds since the Unix epoch, from the header. */
  readonly timeNanos: bigint;
  readonly chainId: string;
}

export class Context {
  // Metered views by store name, made on first use: most contexts touch one or two stores, so the
  // first two sit in fields (no Map per context); any further ones go in a Map.
  private name0: string | undefined = undefined;
  private store0: KVStore | undefined = undefined;
  private name1: string | undefined = undefined;
  private store1: KVStore | undefined = undefined;
  private metered: Map<string, KVStore> | undefined = undefined;

  constructor(
    readonly header: BlockHeader,
    readonly mode: ExecMode,
    readonly store: MultiStore,
    readonly gasMeter: AppGasMeter,
    readonly events: EventManager = new EventManager(),
  ) {}

  get height(): number {
    return this.header.height;
  }

  get chainId(): string {
    return this.header.chainId;
  }

  get isCheckTx(): boolean {
    return this.mode === "check";
  }

  get isSimulate(): boolean {
    return this.mode === "simulate";
  }

  /** Module store `name` of this context's branch, every access charged to the gas meter. */
  kv(name: string): KVStore {
    if (this.name0 === name) return this.store0!;
    if (this.name1 === name) return this.store1!;
    return this.kvMore(name);
  }

  private kvMore(name: string): KVStore {
    if (this.name0 === undefined) {
      this.name0 = name;
      return (this.store0 = gasKv(this.store.getStore(name), this.gasMeter));
    }
    if (this.name1 === undefined) {
      this.name1 = name;
      return (this.store1 = gasKv(this.store.getStore(name), this.gasMeter));
    }
    const metered = (this.metered ??= new Map());
    let store = metered.get(name);
    if (store === undefined) {
      store = gasKv(this.store.getStore(name), this.gasMeter);
      metered.set(name, store);
    }
    return store;
  }

  /** The same header, mode and meter over another store branch and a fresh event manager. */
  withStore(store: MultiStore): Context {
    return new Context(this.header, this.mode, store, this.gasMeter, new EventManager());
  }

  /** The same everything with a fresh event manager. */
  withEvents(): Context {
    return new Context(this.header, this.mode, this.store, this.gasMeter, new EventManager());
  }
}
