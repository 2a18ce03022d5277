/**
 * Contract state encryption (crypto.md §8): the current format (state-encryption version 3), the
 * legacy reader, format recognition, the call salt and the per-call write cache.
 *
 * Upstream: `cosmwasm/enclaves/shared/contract-engine/src/db.rs`, `…/utils/src/kv_cache.rs`,
 * `…/contract-engine/src/wasm3/mod.rs` (`get_encryption_salt`, `flush_cache`).
 */
import { be64, bytesEqual, compareBytes, concatBytes, le16, le32, le64, readLe64 } from "../primitives/bytes.ts";
import { toHex } from "../primitives/hex.ts";
import { AesSiv, sha256, sivDecrypt } from "../crypto/index.ts";
import { EnclaveError, requireLength } from "./errors.ts";
import {
  CONSENSUS_SEED_VERSION,
  deriveFromKey,
  ENCRYPTED_KEY_MAGIC_BYTES,
  STATE_ENCRYPTION_VERSION,
  type KeyChain,
} from "./keys.ts";

export const CONTRACT_KEY_LENGTH = 64;
export const SALT_LENGTH = 24;
export const LEGACY_KEY_LENGTH = 32;
/** The seed id of a value with no trailer (§8.1). */
export const DEFAULT_STATE_SEED_ID = 2;
/** `db_write` pseudo gas per value byte (`kv_cache.rs` `PSEUDO_GAS_STORE_PER_BYTE`). */
export const PSEUDO_GAS_STORE_PER_BYTE = 5_000n;

/** Header of a current-format stored key: LE64(6) ‖ "secret" ‖ LE16(2) ‖ LE32(3). */
const KEY_HEADER = concatBytes(
  le64(ENCRYPTED_KEY_MAGIC_BYTES.length),
  ENCRYPTED_KEY_MAGIC_BYTES,
  le16(CONSENSUS_SEED_VERSION),
  le32(STATE_ENCRYPTION_VERSION),
);
const NO_AD: readonly Uint8Array[] = Object.freeze([]);

/** Encrypted keys one `ContractStateKeys` remembers before it starts over. */
const ENCRYPTED_KEY_CACHE = 1024;

/** A string key for a Map: one char per byte (injective). */
function latin1(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]!);
  return s;
}

function checkContractKey(ck: Uint8Array): void {
  requireLength(ck, CONTRACT_KEY_LENGTH, "contractKey");
}

/** `K_key = KDFk(state_ikm[1], ck)`: fixed to seed id 2 (§8.1). */
export function stateKeyEncryptionKey(keys: KeyChain, ck: Uint8Array): Uint8Array {
  checkContractKey(ck);
  return deriveFromKey(keys.stateIkm(1), ck);
}

/**
 * `K_val = KDFk(state_ikm[seedId − 1], ck)`. Seed id 0 or above the seed count is BAD_STATE_SEED_ID
 * (upstream `get_symmetrical_key_new`: EncryptionError).
 */
export function stateValueKey(keys: KeyChain, ck: Uint8Array, seedId: number): Uint8Array {
  checkContractKey(ck);
  if (!Number.isInteger(seedId) || seedId < 1 || seedId > keys.seedCount) {
    throw new EnclaveError("BAD_STATE_SEED_ID", { seedId, seedCount: keys.seedCount });
  }
  return deriveFromKey(keys.stateIkm(seedId - 1), ck);
}

/**
 * The state keys of one contract key, derived once: the AES-SIV instance under `K_key` and, lazily,
 * one under `K_val` for each seed id met. The free functions (`encryptStateKeyBytes`,
 * `encryptStateValue`, `decryptStateValue`, `encryptStateEntry`) are one-shot uses of it, so the layout
 * lives here only. Instances are synchronous and not re-entrant, as `AesSiv`.
 */
export class ContractStateKeys {
  readonly #keys: KeyChain;
  readonly #ck: Uint8Array;
  #keySiv: AesSiv | undefined;
  readonly #valueSivs: (AesSiv | undefined)[] = [];
  /** Plaintext key (latin1) → `ek`. */
  readonly #encryptedKeys = new Map<string, Uint8Array>();

  /**
   * Checks the contract key at once and derives `K_key`; `K_val`s are derived per seed id on first use.
   * `eager = false` (the one-shot free functions) defers the check and the derivation to first use, so
   * their errors arise in the order they always did.
   */
  constructor(keys: KeyChain, ck: Uint8Array, eager = true) {
    this.#keys = keys;
    this.#ck = Uint8Array.from(ck);
    if (eager) this.#keyEncryption();
  }

  #keyEncryption(): AesSiv {
    if (this.#keySiv === undefined) {
      const kKey = stateKeyEncryptionKey(this.#keys, this.#ck);
      this.#keySiv = new AesSiv(kKey);
      kKey.fill(0);
    }
    return this.#keySiv;
  }

  /** The contract key these keys were derived from (a copy). */
  get contractKey(): Uint8Array {
    return Uint8Array.from(this.#ck);
  }

  /** The AES-SIV under `K_val` of `seedId`; BAD_STATE_SEED_ID as `stateValueKey`. */
  #valueSiv(seedId: number): AesSiv {
    const cached = Number.isInteger(seedId) ? this.#valueSivs[seedId] : undefined;
    if (cached !== undefined) return cached;
    const kVal = stateValueKey(this.#keys, this.#ck, seedId);
    const siv = new AesSiv(kVal);
    kVal.fill(0);
    this.#valueSivs[seedId] = siv;
    return siv;
  }

  /**
   * `ek = SIV(K_key, plaintext_key, [])`. Deterministic, so recent results are kept (by plaintext key,
   * up to {@link ENCRYPTED_KEY_CACHE} per contract key, then cleared): a call reads a key before it
   * writes it, and hot keys (a token's popular balances, a contract's config) recur across calls.
   */
  encryptKey(plaintextKey: Uint8Array): Uint8Array {
    const id = latin1(plaintextKey);
    const cached = this.#encryptedKeys.get(id);
    if (cached !== undefined) return cached.slice();
    const ek = this.#keyEncryption().encrypt(plaintextKey, NO_AD);
    if (this.#encryptedKeys.size >= ENCRYPTED_KEY_CACHE) this.#encryptedKeys.clear();
    this.#encryptedKeys.set(id, ek.slice());
    return ek;
  }

  /** As `encryptStateValue`. */
  encryptValue(ek: Uint8Array, plaintextValue: Uint8Array, salt: Uint8Array): Uint8Array {
    requireLength(salt, SALT_LENGTH, "salt");
    const seedId = this.#keys.seedCount;
    const ev = this.#valueSiv(seedId).encrypt(plaintextValue, [ek, salt]);
    const body = concatBytes(le64(salt.length), salt, le64(ev.length), ev);
    return seedId > DEFAULT_STATE_SEED_ID ? concatBytes(body, le16(seedId)) : body;
  }

  /** As `decryptStateValue`. */
  decryptValue(ek: Uint8Array, storedValue: Uint8Array): Uint8Array {
    const { salt, ev, seedId } = parseStoredValue(storedValue);
    const pt = this.#valueSiv(seedId).decrypt(ev, [ek, salt]);
    if (pt === undefined) throw new EnclaveError("DECRYPTION_ERROR");
    return pt;
  }

  /** As `encryptStateEntry`. */
  encryptEntry(plaintextKey: Uint8Array, plaintextValue: Uint8Array, salt: Uint8Array): EncryptedStateEntry {
    const ek = this.encryptKey(plaintextKey);
    return {
      storedKey: storedKeyFromEk(ek),
      storedValue: this.encryptValue(ek, plaintextValue, salt),
      legacyKey: legacyStoreKey(this.#ck, plaintextKey),
    };
  }
}

/** `ek = SIV(K_key, plaintext_key, [])` — deterministic, no AD components. */
export function encryptStateKeyBytes(keys: KeyChain, ck: Uint8Array, plaintextKey: Uint8Array): Uint8Array {
  return new ContractStateKeys(keys, ck, false).encryptKey(plaintextKey);
}

/** The stored key (bincode `EncryptedKey`): header ‖ LE64(len(ek)) ‖ ek. */
export function storedKeyFromEk(ek: Uint8Array): Uint8Array {
  return concatBytes(KEY_HEADER, le64(ek.length), ek);
}

/** The store key bytes (after `0x03 ‖ address`) of `plaintextKey` in the current format. */
export function currentStoreKey(keys: KeyChain, ck: Uint8Array, plaintextKey: Uint8Array): Uint8Array {
  return storedKeyFromEk(encryptStateKeyBytes(keys, ck, plaintextKey));
}

/** The legacy store key `SHA-256(plaintext_key ‖ ck)` (§8.4). */
export function legacyStoreKey(ck: Uint8Array, plaintextKey: Uint8Array): Uint8Array {
  checkContractKey(ck);
  return sha256(concatBytes(plaintextKey, ck));
}

/** `salt = BE64(block_time_ns) ‖ BE64(counter_height) ‖ BE64(counter)` (§8.1, §8.3). */
export function stateSalt(blockTimeNs: bigint, counterHeight: bigint | number, counter: bigint | number): Uint8Array {
  return concatBytes(be64(blockTimeNs), be64(counterHeight), be64(counter));
}

/**
 * The stored value (bincode `EncryptedValue` + optional trailer): LE64(24) ‖ salt ‖ LE64(len(ev)) ‖ ev
 * [‖ LE16(seed_id)], with `ev = SIV(K_val(last), value, [ek, salt])` and the trailer only when the
 * enclave holds more than 2 seeds (its value is then the seed count).
 */
export function encryptStateValue(
  keys: KeyChain,
  ck: Uint8Array,
  ek: Uint8Array,
  plaintextValue: Uint8Array,
  salt: Uint8Array,
): Uint8Array {
  return new ContractStateKeys(keys, ck, false).encryptValue(ek, plaintextValue, salt);
}

export interface EncryptedStateEntry {
  /** Store key bytes after `0x03 ‖ address`. */
  readonly storedKey: Uint8Array;
  readonly storedValue: Uint8Array;
  /** The legacy key to delete before this write (§8.2). */
  readonly legacyKey: Uint8Array;
}

/** Encrypts one write in the current format (`create_encrypted_key_value`). */
export function encryptStateEntry(
  keys: KeyChain,
  ck: Uint8Array,
  plaintextKey: Uint8Array,
  plaintextValue: Uint8Array,
  salt: Uint8Array,
): EncryptedStateEntry {
  return new ContractStateKeys(keys, ck, false).encryptEntry(plaintextKey, plaintextValue, salt);
}

export type StoredKeyFormat = "legacy" | "current" | "unknown";

/** §8.5: 32 bytes → legacy; the version-3 header with a consistent LE64 length → current. */
export function recognizeStoredKey(storedKey: Uint8Array): StoredKeyFormat {
  if (storedKey.length === LEGACY_KEY_LENGTH) return "legacy";
  return parseStoredKeyEk(storedKey) === undefined ? "unknown" : "current";
}

/** The `ek` inside a current-format stored key, or undefined when the bytes are not one. */
export function parseStoredKeyEk(storedKey: Uint8Array): Uint8Array | undefined {
  const h = KEY_HEADER.length;
  if (storedKey.length < h + 8 || !bytesEqual(storedKey.subarray(0, h), KEY_HEADER)) return undefined;
  const len = readLe64(storedKey, h);
  if (len !== BigInt(storedKey.length - h - 8)) return undefined;
  return storedKey.slice(h + 8);
}

export interface ParsedStoredValue {
  readonly salt: Uint8Array;
  readonly ev: Uint8Array;
  /** From the trailer, or 2 without one. */
  readonly seedId: number;
}

/**
 * Parses a current-format stored value like upstream's bincode reader: two length-prefixed fields,
 * then, if any bytes remain, a LE16 seed id. Anything else is MALFORMED_STATE. Unlike upstream, bytes
 * after the seed id are refused rather than ignored.
 */
export function parseStoredValue(storedValue: Uint8Array): ParsedStoredValue {
  let offset = 0;
  const readField = (): Uint8Array => {
    if (storedValue.length - offset < 8) throw new EnclaveError("MALFORMED_STATE", { reason: "value layout" });
    const len = readLe64(storedValue, offset);
    offset += 8;
    if (len > BigInt(storedValue.length - offset))
      throw new EnclaveError("MALFORMED_STATE", { reason: "value layout" });
    const field = storedValue.slice(offset, offset + Number(len));
    offset += Number(len);
    return field;
  };
  const salt = readField();
  const ev = readField();
  const rest = storedValue.length - offset;
  if (rest === 0) return { salt, ev, seedId: DEFAULT_STATE_SEED_ID };
  if (rest !== 2) throw new EnclaveError("MALFORMED_STATE", { reason: "seed id trailer" });
  const seedId = storedValue[offset]! | (storedValue[offset + 1]! << 8);
  return { salt, ev, seedId };
}

/**
 * Decrypts a current-format value read under `ek` (§8.1 reads): `K_val` from the value's seed id, AD
 * `[ek, salt]`. DECRYPTION_ERROR when the tag fails; a failure is never a fall-back to legacy (§8.2).
 */
export function decryptStateValue(keys: KeyChain, ck: Uint8Array, ek: Uint8Array, storedValue: Uint8Array): Uint8Array {
  return new ContractStateKeys(keys, ck, false).decryptValue(ek, storedValue);
}

/** Legacy per-field key: `KDFk(state_ikm[0], scrambled ‖ ck)` (§8.4). */
export function legacyValueKey(keys: KeyChain, ck: Uint8Array, scrambled: Uint8Array): Uint8Array {
  checkContractKey(ck);
  requireLength(scrambled, LEGACY_KEY_LENGTH, "scrambled");
  return deriveFromKey(keys.stateIkm(0), concatBytes(scrambled, ck));
}

/**
 * Reads a legacy value stored under `scrambled = SHA-256(plaintext_key ‖ ck)`: `value = ad32 ‖
 * SIV(K, plaintext, [ad32])`. DECRYPTION_ERROR when shorter than 32 bytes or when the tag fails.
 */
export function decryptLegacyValue(
  keys: KeyChain,
  ck: Uint8Array,
  scrambled: Uint8Array,
  value: Uint8Array,
): Uint8Array {
  if (value.length < 32) throw new EnclaveError("MALFORMED_STATE", { reason: "legacy value shorter than its AD" });
  const ad = value.subarray(0, 32);
  const pt = sivDecrypt(legacyValueKey(keys, ck, scrambled), value.subarray(32), [ad]);
  if (pt === undefined) throw new EnclaveError("DECRYPTION_ERROR");
  return pt;
}

/** What a flush (or a legacy re-write) asks the host to do for one key: delete `legacyKey`, then set. */
export interface StateWriteOp {
  readonly legacyKey: Uint8Array;
  readonly storedKey: Uint8Array;
  readonly storedValue: Uint8Array;
}

/**
 * The per-call cache of §8.2 (`kv_cache.rs`): writes are buffered (reads see them first), legacy
 * values read in the call sit in a read-only cache, removes drop the key from both, and the flush at
 * the end of a successful call encrypts every buffered write with the call's salt and returns the
 * writes **sorted by stored-key bytes** (this project's order, §8.2). Keys are plaintext.
 */
export class StateCallCache {
  readonly #writes = new Map<string, { key: Uint8Array; value: Uint8Array }>();
  readonly #readOnly = new Map<string, Uint8Array>();
  #pseudoGas = 0n;

  /** The buffered or read-only-cached value, or undefined when the store must be consulted. */
  read(key: Uint8Array): Uint8Array | undefined {
    const id = toHex(key);
    const w = this.#writes.get(id);
    if (w !== undefined) return Uint8Array.from(w.value);
    const r = this.#readOnly.get(id);
    return r === undefined ? undefined : Uint8Array.from(r);
  }

  /** Buffers a write; returns its pseudo gas, `5000 × len(value)` (refunded on handle; contract-abi §5.4). */
  write(key: Uint8Array, value: Uint8Array): bigint {
    this.#writes.set(toHex(key), { key: Uint8Array.from(key), value: Uint8Array.from(value) });
    const gas = PSEUDO_GAS_STORE_PER_BYTE * BigInt(value.length);
    this.#pseudoGas += gas;
    return gas;
  }

  /** Remembers a value read from the legacy format (`store_in_ro_cache`). */
  storeReadOnly(key: Uint8Array, value: Uint8Array): void {
    this.#readOnly.set(toHex(key), Uint8Array.from(value));
  }

  /** Drops `key` from both caches (the store deletes happen at once, outside the cache). */
  remove(key: Uint8Array): void {
    const id = toHex(key);
    this.#writes.delete(id);
    this.#readOnly.delete(id);
  }

  /** The pseudo gas charged so far, reset to zero (`drain_gas_tracker`). */
  drainPseudoGas(): bigint {
    const g = this.#pseudoGas;
    this.#pseudoGas = 0n;
    return g;
  }

  get pendingWrites(): number {
    return this.#writes.size;
  }

  /**
   * Encrypts every buffered write under the og contract key `ck` and `salt`, empties both caches, and
   * returns the operations sorted by stored-key bytes.
   */
  flush(keys: KeyChain, ck: Uint8Array, salt: Uint8Array): StateWriteOp[] {
    return this.#flushEach((key, value) => encryptStateEntry(keys, ck, key, value, salt));
  }

  /** As `flush`, with the og contract key's state keys already derived. */
  flushWith(stateKeys: () => ContractStateKeys, salt: Uint8Array): StateWriteOp[] {
    return this.#flushEach((key, value) => stateKeys().encryptEntry(key, value, salt));
  }

  #flushEach(encrypt: (key: Uint8Array, value: Uint8Array) => StateWriteOp): StateWriteOp[] {
    const ops = [...this.#writes.values()].map(({ key, value }) => encrypt(key, value));
    this.#writes.clear();
    this.#readOnly.clear();
    ops.sort((a, b) => compareBytes(a.storedKey, b.storedKey));
    return ops;
  }
}
