// Contract storage (`db_read`/`db_write`/`db_remove`) and typed wrappers over it.
//
// Keys and values are bytes; the enclave encrypts both. Writes are buffered by the host and committed
// only when the call succeeds. In queries, writes and removes are host errors (the call fails).

/* eslint-disable @typescript-eslint/consistent-type-imports -- AssemblyScript has no type-only imports */

import { newRegionString, readRegion, readRegionString, viewRegion } from "./abi";
import { utf8Decode, utf8Encode } from "./bytes";
import { db_read, db_remove, db_write } from "./env";
import { Err, Ok, Result, StdError } from "./errors";
import { U128 } from "./u128";

export class Storage {
  /** The value stored under `key`, or null. */
  get(key: Uint8Array): Uint8Array | null {
    const region = db_read(viewRegion(key));
    if (region === 0) return null;
    return readRegion(region);
  }

  has(key: Uint8Array): bool {
    return db_read(viewRegion(key)) !== 0;
  }

  set(key: Uint8Array, value: Uint8Array): void {
    db_write(viewRegion(key), viewRegion(value));
  }

  remove(key: Uint8Array): void {
    db_remove(viewRegion(key));
  }

  /** UTF-8 key and value. */
  getString(key: string): string | null {
    const region = db_read(newRegionString(key));
    if (region === 0) return null;
    return readRegionString(region);
  }

  /** UTF-8 key and value. */
  setString(key: string, value: string): void {
    db_write(newRegionString(key), newRegionString(value));
  }

  /** UTF-8 key. */
  removeString(key: string): void {
    db_remove(newRegionString(key));
  }
}

/**
 * Storage encoding used by `Singleton` and `StorageMap`: `bool` → 1 byte; integers → big-endian of
 * their width; `string` → UTF-8; `Uint8Array` → as is; `U128` → 16 bytes big-endian.
 */
export function encodeValue<T>(v: T): Uint8Array {
  if (isBoolean<T>()) {
    const out = new Uint8Array(1);
    out[0] = v ? 1 : 0;
    return out;
  } else if (isInteger<T>()) {
    const n = <i32>sizeof<T>();
    const out = new Uint8Array(n);
    let x = <u64>v;
    for (let i = n - 1; i >= 0; i--) {
      out[i] = <u8>(x & 0xff);
      x >>= 8;
    }
    return out;
  } else if (isString<T>()) {
    return utf8Encode(changetype<string>(v));
  } else if (isReference<T>()) {
    if (idof<T>() === idof<Uint8Array>()) return changetype<Uint8Array>(v);
    if (idof<T>() === idof<U128>()) return changetype<U128>(v).toBytesBE();
    throw new Error("unsupported storage type " + nameof<T>());
  } else {
    throw new Error("unsupported storage type " + nameof<T>());
  }
}

export function decodeValue<T>(b: Uint8Array): T {
  if (isBoolean<T>()) {
    return <T>(b.length > 0 && b[0] !== 0);
  } else if (isInteger<T>()) {
    let x: u64 = 0;
    for (let i = 0; i < b.length; i++) x = (x << 8) | (<u64>b[i]);
    return <T>x;
  } else if (isString<T>()) {
    return changetype<T>(utf8Decode(b));
  } else if (isReference<T>()) {
    if (idof<T>() === idof<Uint8Array>()) return changetype<T>(b);
    if (idof<T>() === idof<U128>()) return changetype<T>(U128.fromBytesBE(b));
    throw new Error("unsupported storage type " + nameof<T>());
  } else {
    throw new Error("unsupported storage type " + nameof<T>());
  }
}

/**
 * One value under a fixed key (the namespace's UTF-8 bytes), like cw-storage-plus `Item`.
 * `T`: bool, an integer type, string, Uint8Array or U128.
 *
 *   const COUNT = new Singleton<u64>("count");
 *   COUNT.save(deps.storage, COUNT.loadOr(deps.storage, 0) + 1);
 */
export class Singleton<T> {
  readonly key: Uint8Array;

  constructor(namespace: string) {
    this.key = utf8Encode(namespace);
  }

  exists(storage: Storage): bool {
    return storage.has(this.key);
  }

  /** The value, or `<type> not found`. */
  load(storage: Storage): Result<T> {
    const raw = storage.get(this.key);
    if (raw === null) return Err<T>(StdError.notFound(nameof<T>()));
    return Ok<T>(decodeValue<T>(raw));
  }

  loadOr(storage: Storage, fallback: T): T {
    const raw = storage.get(this.key);
    return raw === null ? fallback : decodeValue<T>(raw);
  }

  save(storage: Storage, value: T): void {
    storage.set(this.key, encodeValue<T>(value));
  }

  remove(storage: Storage): void {
    storage.remove(this.key);
  }
}

/**
 * Values under `len(namespace) as u16 BE ‖ namespace ‖ encode(key)`, like cw-storage-plus `Map`
 * with a single key. `K` and `V` use the `Singleton` encodings (string keys are raw UTF-8).
 *
 *   const BALANCES = new StorageMap<Uint8Array, U128>("balances");
 */
export class StorageMap<K, V> {
  readonly prefix: Uint8Array;

  constructor(namespace: string) {
    const ns = utf8Encode(namespace);
    const p = new Uint8Array(ns.length + 2);
    p[0] = <u8>((ns.length >> 8) & 0xff);
    p[1] = <u8>(ns.length & 0xff);
    memory.copy(p.dataStart + 2, ns.dataStart, <usize>ns.length);
    this.prefix = p;
  }

  /** The full storage key of `key`. */
  keyFor(key: K): Uint8Array {
    const k = encodeValue<K>(key);
    const out = new Uint8Array(this.prefix.length + k.length);
    memory.copy(out.dataStart, this.prefix.dataStart, <usize>this.prefix.length);
    memory.copy(out.dataStart + <usize>this.prefix.length, k.dataStart, <usize>k.length);
    return out;
  }

  has(storage: Storage, key: K): bool {
    return storage.has(this.keyFor(key));
  }

  /** The value, or `<type> not found`. */
  load(storage: Storage, key: K): Result<V> {
    const raw = storage.get(this.keyFor(key));
    if (raw === null) return Err<V>(StdError.notFound(nameof<V>()));
    return Ok<V>(decodeValue<V>(raw));
  }

  loadOr(storage: Storage, key: K, fallback: V): V {
    const raw = storage.get(this.keyFor(key));
    return raw === null ? fallback : decodeValue<V>(raw);
  }

  save(storage: Storage, key: K, value: V): void {
    storage.set(this.keyFor(key), encodeValue<V>(value));
  }

  remove(storage: Storage, key: K): void {
    storage.remove(this.keyFor(key));
  }
}
