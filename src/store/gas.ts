/**
 * Gas metering of store access (Cosmos `gaskv`): a wrapper that charges the app's meter before each
 * operation reaches the store, so an out-of-gas error thrown by the meter stops the operation.
 *
 * Charges (descriptors are the ones upstream uses in "out of gas in location: <descriptor>"):
 * - `get`: ReadFlat, then ReadPerByte × key length, then ReadPerByte × value length (0 when absent);
 * - `set`: WriteFlat, WritePerByte × key length, WritePerByte × value length, then the write;
 * - `has`: Has; `delete`: Delete;
 * - iteration, as upstream's gas iterator: opening it charges IterNextFlat plus ValuePerByte × (key +
 *   value length) of the first entry (if any); each step past an entry (asking for the next one)
 *   charges IterNextFlat plus ValuePerByte × that entry's key + value length. So a full iteration of n
 *   entries costs (n + 1) IterNextFlat and the first entry's bytes twice; stopping after an entry costs
 *   nothing more.
 */
import { StoreError } from "./errors.ts";
import type { BranchStore, KVPair, KVStore } from "./types.ts";

/** The app's gas meter; `consumeGas` throws (out of gas) to stop the operation. */
export interface GasMeter {
  consumeGas(amount: number, descriptor: string): void;
}

/** Store gas prices. */
export interface KvGasConfig {
  readonly hasCost: number;
  readonly deleteCost: number;
  readonly readCostFlat: number;
  readonly readCostPerByte: number;
  readonly writeCostFlat: number;
  readonly writeCostPerByte: number;
  readonly iterNextCostFlat: number;
}

/** Secret Network's store gas (chain-api.md §2.6; scrtlabs/cosmos-sdk-store types/gas.go). */
export const SECRET_KV_GAS_CONFIG: KvGasConfig = Object.freeze({
  hasCost: 100,
  deleteCost: 100,
  readCostFlat: 100,
  readCostPerByte: 1,
  writeCostFlat: 200,
  writeCostPerByte: 5,
  iterNextCostFlat: 5,
});

/** Upstream's gas descriptors. */
export const GAS_DESCRIPTOR = Object.freeze({
  has: "Has",
  delete: "Delete",
  readFlat: "ReadFlat",
  readPerByte: "ReadPerByte",
  writeFlat: "WriteFlat",
  writePerByte: "WritePerByte",
  iterNextFlat: "IterNextFlat",
  valuePerByte: "ValuePerByte",
});

class GasKVStore implements KVStore {
  constructor(
    protected readonly inner: KVStore,
    protected readonly meter: GasMeter,
    protected readonly config: KvGasConfig,
  ) {}

  get(key: Uint8Array): Uint8Array | undefined {
    const { meter, config } = this;
    meter.consumeGas(config.readCostFlat, GAS_DESCRIPTOR.readFlat);
    const value = this.inner.get(key);
    meter.consumeGas(config.readCostPerByte * key.length, GAS_DESCRIPTOR.readPerByte);
    meter.consumeGas(config.readCostPerByte * (value?.length ?? 0), GAS_DESCRIPTOR.readPerByte);
    return value;
  }

  has(key: Uint8Array): boolean {
    this.meter.consumeGas(this.config.hasCost, GAS_DESCRIPTOR.has);
    return this.inner.has(key);
  }

  set(key: Uint8Array, value: Uint8Array): void {
    const { meter, config } = this;
    meter.consumeGas(config.writeCostFlat, GAS_DESCRIPTOR.writeFlat);
    meter.consumeGas(config.writeCostPerByte * key.length, GAS_DESCRIPTOR.writePerByte);
    meter.consumeGas(config.writeCostPerByte * value.length, GAS_DESCRIPTOR.writePerByte);
    this.inner.set(key, value);
  }

  setOwned(key: Uint8Array, value: Uint8Array): void {
    const { meter, config } = this;
    meter.consumeGas(config.writeCostFlat, GAS_DESCRIPTOR.writeFlat);
    meter.consumeGas(config.writeCostPerByte * key.length, GAS_DESCRIPTOR.writePerByte);
    meter.consumeGas(config.writeCostPerByte * value.length, GAS_DESCRIPTOR.writePerByte);
    const inner = this.inner;
    if (inner.setOwned !== undefined) inner.setOwned(key, value);
    else inner.set(key, value);
  }

  delete(key: Uint8Array): void {
    this.meter.consumeGas(this.config.deleteCost, GAS_DESCRIPTOR.delete);
    this.inner.delete(key);
  }

  *iterator(start?: Uint8Array, end?: Uint8Array, reverse = false): IterableIterator<KVPair> {
    const inner = this.inner.iterator(start, end, reverse);
    try {
      let current = inner.next();
      this.consumeSeek(current); // opening the iterator
      while (current.done !== true) {
        yield current.value;
        this.consumeSeek(current); // the caller moves past this entry (upstream `Next`)
        current = inner.next();
      }
    } finally {
      inner.return?.();
    }
  }

  private consumeSeek(current: IteratorResult<KVPair>): void {
    const { meter, config } = this;
    if (current.done !== true) {
      const [key, value] = current.value;
      meter.consumeGas(config.readCostPerByte * key.length, GAS_DESCRIPTOR.valuePerByte);
      meter.consumeGas(config.readCostPerByte * value.length, GAS_DESCRIPTOR.valuePerByte);
    }
    meter.consumeGas(config.iterNextCostFlat, GAS_DESCRIPTOR.iterNextFlat);
  }

  /** A metered branch: operations on it are charged as they happen; `write()` itself is free. */
  branch(): BranchStore {
    return new GasBranchStore(this.inner.branch(), this.meter, this.config);
  }
}

class GasBranchStore extends GasKVStore implements BranchStore {
  constructor(
    private readonly innerBranch: BranchStore,
    meter: GasMeter,
    config: KvGasConfig,
  ) {
    super(innerBranch, meter, config);
  }

  write(): void {
    this.innerBranch.write();
  }
}

/** Configs already checked (a context wraps its stores once per branch; the check need not repeat). */
const checkedConfigs = new WeakSet<KvGasConfig>();

function assertConfig(config: KvGasConfig): void {
  if (checkedConfigs.has(config)) return;
  for (const [name, value] of Object.entries(config)) {
    if (!Number.isSafeInteger(value) || (value as number) < 0) {
      throw new StoreError("STORE_INVALID_ARGUMENT", `gas config ${name} must be a non-negative safe integer`);
    }
  }
  if (Object.isFrozen(config)) checkedConfigs.add(config);
}

/** `store` with every access charged to `meter` at the prices of `config` (default: Secret's). */
export function gasKv(store: KVStore, meter: GasMeter, config: KvGasConfig = SECRET_KV_GAS_CONFIG): KVStore {
  assertConfig(config);
  return new GasKVStore(store, meter, config);
}
