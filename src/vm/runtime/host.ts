/**
 * What the VM's caller (the enclave) provides to a contract call, and what it gets back. The VM knows
 * nothing of keys: storage keys and values cross this interface in plaintext; the enclave encrypts,
 * buffers writes, caches reads and talks to the host's store. The VM charges wasm gas, enforces the
 * query-mode rules and the query depth, and accounts the external gas the enclave reports.
 */

/** A contract's key-value storage as seen by the contract (plaintext keys and values). */
export interface ContractStorage {
  /** The value under `key` (the enclave looks in its write buffer, its read cache, then the store). */
  read(key: Uint8Array): Uint8Array | undefined;
  /** Records a write (the enclave buffers it and flushes only after a successful call). */
  write(key: Uint8Array, value: Uint8Array): void;
  /** Removes `key` (upstream deletes in the store immediately and drops it from both caches). */
  remove(key: Uint8Array): void;
  /**
   * Store (SDK) gas consumed by the store operations since the previous call of this method: reads
   * (including a legacy-format second read and the legacy re-write), and removes. The VM calls it right
   * after every `read` and `remove`, multiplies it by the call's store-gas multiplier (§5.5: ×1000 for
   * execute, query, migrate and sudo; ×1 for instantiate, reply and IBC calls) and adds it to the
   * call's external gas. Absent means 0.
   */
  takeStoreGas?(): bigint;
}

/** The answer of the chain querier. */
export interface QueryChainResult {
  /** The JSON the contract receives (`{"Ok":{"Ok":"<b64>"}}`, `{"Ok":{"Err":…}}`, `{"Err":…}`, §9). */
  readonly response: Uint8Array;
  /** Gas to add to the call's external gas as it is (upstream: the nested query's raw SDK gas, §5.5). */
  readonly externalGas: bigint;
}

/** Runs a chain query for the contract (the enclave encrypts smart queries and decrypts their answers). */
export interface ContractQuerier {
  /**
   * @param request the request re-serialised after it parsed as a v0.10 `QueryRequest` (§9 step 2)
   * @param depth the query depth of the callee (the caller's depth + 1)
   * @param gasLimitWasm the caller's remaining wasm gas (the nested query's SDK limit is this / 1000)
   */
  queryChain(request: Uint8Array, depth: number, gasLimitWasm: bigint): QueryChainResult;
}

/** Receives `debug` / `debug_print` messages (raw bytes; upstream logs them as UTF-8 or hex). */
export type DebugSink = (message: Uint8Array) => void;
