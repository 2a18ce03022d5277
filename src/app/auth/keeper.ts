/**
 * The auth keeper: accounts, account numbers, params. Every access goes through the context's metered
 * store, so reads and writes cost gas as upstream's.
 */
import {
  BASE_ACCOUNT_URL,
  MODULE_ACCOUNT_URL,
  decodeAuthParams,
  decodeBaseAccount,
  decodeModuleAccount,
  encodeAuthParams,
  encodeBaseAccount,
  encodeBaseAccountAny,
  encodeModuleAccount,
} from "../../codec/auth.ts";
import { type Any, decodeAny, encodeAny } from "../../codec/tx.ts";
import { sha256 } from "../../crypto/index.ts";
import { decodeAccountAddress as decodeAddress, encodeAccountAddress as encodeAddress } from "./addressCache.ts";
import { be64, bytesEqual, readBe64, utf8Encode } from "../../primitives/bytes.ts";
import { prefixEnd, setOwned } from "../../store/index.ts";
import type { Context } from "../context.ts";
import { InvariantError } from "../errors.ts";
import {
  ACCOUNT_PREFIX,
  AUTH_STORE,
  GLOBAL_ACCOUNT_NUMBER_KEY,
  PARAMS_KEY,
  accountKeyShared,
  accountNumberKey,
} from "./keys.ts";
import { type AuthParams, DEFAULT_AUTH_PARAMS } from "./params.ts";
import { type Account, MODULE_ACCOUNT_PERMISSIONS } from "./types.ts";

/** `sha256(module name)[0:20]` (chain-api.md §1.1). */
export function moduleAddress(name: string): Uint8Array {
  return sha256(utf8Encode(name)).slice(0, 20);
}

export function accountToAny(acc: Account): Any {
  const base = {
    address: encodeAddress(acc.address),
    pubKey: acc.pubKey,
    accountNumber: acc.accountNumber,
    sequence: acc.sequence,
  };
  if (acc.module !== undefined) {
    return {
      typeUrl: MODULE_ACCOUNT_URL,
      value: encodeModuleAccount({ baseAccount: base, name: acc.module.name, permissions: acc.module.permissions }),
    };
  }
  return { typeUrl: BASE_ACCOUNT_URL, value: encodeBaseAccount(base) };
}

/** `encodeAny(accountToAny(acc))`: the stored form of an account (base accounts in one pass). */
export function encodeAccount(acc: Account): Uint8Array {
  if (acc.module !== undefined) return encodeAny(accountToAny(acc));
  return encodeBaseAccountAny({
    address: encodeAddress(acc.address),
    pubKey: acc.pubKey,
    accountNumber: acc.accountNumber,
    sequence: acc.sequence,
  });
}

/** The account in an Any; `address`, when the caller knows it, saves decoding the bech32 text. */
export function accountFromAny(any: Any, address?: Uint8Array): Account {
  if (any.typeUrl === BASE_ACCOUNT_URL) {
    const b = decodeBaseAccount(any.value);
    return {
      address: address ?? decodeAddress(b.address),
      pubKey: b.pubKey,
      accountNumber: b.accountNumber,
      sequence: b.sequence,
    };
  }
  if (any.typeUrl === MODULE_ACCOUNT_URL) {
    const m = decodeModuleAccount(any.value);
    const b = m.baseAccount;
    return {
      address: decodeAddress(b.address),
      pubKey: b.pubKey,
      accountNumber: b.accountNumber,
      sequence: b.sequence,
      module: { name: m.name, permissions: m.permissions },
    };
  }
  throw new InvariantError(`stored account of unknown type ${any.typeUrl}`);
}

/** Decoded params by the stored bytes they came from (store values are shared and never mutated). */
const decodedParams = new WeakMap<Uint8Array, AuthParams>();

/**
 * Decoded accounts by the stored bytes they came from. A tx reads its signer's account several times
 * (fee payer, public key, signature, sequence), and CheckTx and the block read the same committed
 * bytes: the store hands out the same never-mutated array each time, so the decoding is done once.
 * The accounts handed out are frozen, so sharing them cannot leak a change from one reader to another.
 */
const decodedAccounts = new WeakMap<Uint8Array, Account>();

function freezeAccount(acc: Account): Account {
  if (acc.pubKey !== undefined) Object.freeze(acc.pubKey);
  if (acc.module !== undefined) {
    Object.freeze(acc.module.permissions);
    Object.freeze(acc.module);
  }
  return Object.freeze(acc);
}

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/** Key type URLs found printable ASCII (a chain has a handful; tested once each). */
const printableTypeUrls = new Set<string>();

function isPrintableAscii(text: string): boolean {
  if (printableTypeUrls.has(text)) return true;
  if (!PRINTABLE_ASCII.test(text)) return false;
  if (printableTypeUrls.size < 64) printableTypeUrls.add(text);
  return true;
}

/**
 * What decoding the stored form of base account `acc` gives (`accountFromAny(decodeAny(bytes), address)`):
 * the same fields in the same order, with copies of its arrays, frozen.
 */
function decodedCopy(acc: Account): Account {
  // Arrays and keys that already belong to a remembered account (the usual case: the ante writes a
  // copy of an account it read, with a new sequence) are never changed by anyone: shared, not copied.
  const pubKey =
    acc.pubKey === undefined || memoOwned.has(acc.pubKey)
      ? acc.pubKey
      : owned({ typeUrl: acc.pubKey.typeUrl, value: acc.pubKey.value.slice() });
  return freezeAccount({
    address: memoOwned.has(acc.address) ? acc.address : owned(acc.address.slice()),
    pubKey,
    accountNumber: acc.accountNumber,
    sequence: acc.sequence,
  });
}

/** Arrays and key objects of remembered accounts: private to the memo (copies or stored bytes). */
const memoOwned = new WeakSet<object>();

function owned<T extends object>(x: T): T {
  memoOwned.add(x);
  return x;
}

export class AuthKeeper {
  /** Module name → address, for the module accounts of this chain. */
  readonly moduleAddresses: ReadonlyMap<string, Uint8Array>;

  constructor(readonly modulePermissions: Readonly<Record<string, readonly string[]>> = MODULE_ACCOUNT_PERMISSIONS) {
    this.moduleAddresses = new Map(Object.keys(modulePermissions).map((n) => [n, moduleAddress(n)]));
  }

  getParams(ctx: Context): AuthParams {
    const bytes = ctx.kv(AUTH_STORE).get(PARAMS_KEY);
    if (bytes === undefined) return DEFAULT_AUTH_PARAMS;
    // Every tx reads the params; the store hands out the same (never mutated) array until they change.
    let params = decodedParams.get(bytes);
    if (params === undefined) {
      params = Object.freeze(decodeAuthParams(bytes));
      decodedParams.set(bytes, params);
    }
    return params;
  }

  setParams(ctx: Context, params: AuthParams): void {
    ctx.kv(AUTH_STORE).set(PARAMS_KEY, encodeAuthParams(params));
  }

  getAccount(ctx: Context, address: Uint8Array): Account | undefined {
    const bytes = ctx.kv(AUTH_STORE).get(accountKeyShared(address));
    if (bytes === undefined) return undefined;
    const known = decodedAccounts.get(bytes);
    // The same bytes under another key (never the case for values the stores hand out) decode afresh.
    if (known !== undefined && bytesEqual(known.address, address)) return known;
    // The address is copied: the caller's array stays the caller's.
    const acc = freezeAccount(accountFromAny(decodeAny(bytes), address.slice()));
    if (known === undefined) {
      // Its address is a private copy and its key is decoded from the stored bytes (never changed).
      owned(acc.address);
      if (acc.pubKey !== undefined) owned(acc.pubKey);
      decodedAccounts.set(bytes, acc);
    }
    return acc;
  }

  hasAccount(ctx: Context, address: Uint8Array): boolean {
    return ctx.kv(AUTH_STORE).has(accountKeyShared(address));
  }

  setAccount(ctx: Context, acc: Account): void {
    const kv = ctx.kv(AUTH_STORE);
    const key = accountKeyShared(acc.address);
    setOwned(kv, key, encodeAccount(acc)); // a never-changed key, a fresh value
    kv.set(accountNumberKey(acc.accountNumber), acc.address);
    // The branch's own copy of the bytes (read without gas) decodes to this very account: remember it,
    // so the next read of the account (the tx's messages, the next tx of the sender) skips decoding.
    // (Base accounts whose key type is plain ASCII: a string that is not well-formed UTF-16 would not
    // come back the same from its UTF-8 bytes.)
    if (acc.module === undefined && (acc.pubKey === undefined || isPrintableAscii(acc.pubKey.typeUrl))) {
      const stored = ctx.store.getStore(AUTH_STORE).get(key);
      if (stored !== undefined && !decodedAccounts.has(stored)) decodedAccounts.set(stored, decodedCopy(acc));
    }
  }

  /** Takes the next number from the global counter. */
  nextAccountNumber(ctx: Context): bigint {
    const kv = ctx.kv(AUTH_STORE);
    const bytes = kv.get(GLOBAL_ACCOUNT_NUMBER_KEY);
    const n = bytes === undefined ? 0n : readBe64(bytes);
    kv.set(GLOBAL_ACCOUNT_NUMBER_KEY, be64(n + 1n));
    return n;
  }

  /** The counter's next value without taking it. */
  peekAccountNumber(ctx: Context): bigint {
    const bytes = ctx.kv(AUTH_STORE).get(GLOBAL_ACCOUNT_NUMBER_KEY);
    return bytes === undefined ? 0n : readBe64(bytes);
  }

  setNextAccountNumber(ctx: Context, n: bigint): void {
    ctx.kv(AUTH_STORE).set(GLOBAL_ACCOUNT_NUMBER_KEY, be64(n));
  }

  /** A fresh BaseAccount for `address` with the next account number (not stored yet). */
  newAccountWithAddress(ctx: Context, address: Uint8Array): Account {
    return { address, pubKey: undefined, accountNumber: this.nextAccountNumber(ctx), sequence: 0n };
  }

  moduleAddress(name: string): Uint8Array {
    const address = this.moduleAddresses.get(name);
    if (address === undefined) throw new InvariantError(`no module account named ${name}`);
    return address;
  }

  /** The module account `name`, created with the next account number if absent. */
  getOrCreateModuleAccount(ctx: Context, name: string): Account {
    const address = this.moduleAddress(name);
    const existing = this.getAccount(ctx, address);
    if (existing !== undefined) {
      if (existing.module === undefined) throw new InvariantError(`account of module ${name} is not a module account`);
      return existing;
    }
    const acc: Account = {
      address,
      pubKey: undefined,
      accountNumber: this.nextAccountNumber(ctx),
      sequence: 0n,
      module: { name, permissions: this.modulePermissions[name] ?? [] },
    };
    this.setAccount(ctx, acc);
    return acc;
  }

  /** The address holding account number `n` (the `0x03` index), if any. */
  addressByNumber(ctx: Context, n: bigint): Uint8Array | undefined {
    return ctx.kv(AUTH_STORE).get(accountNumberKey(n));
  }

  /**
   * The module account `name` as `GetModuleAccount` returns it, without writing: the stored one, or a
   * fresh one with account number `nextNumber` (what upstream creates, in a query's throwaway branch,
   * for a module account not created yet). Undefined for a name that is not a module of this chain.
   */
  viewModuleAccount(ctx: Context, name: string, nextNumber: bigint): Account | undefined {
    const address = this.moduleAddresses.get(name);
    if (address === undefined) return undefined;
    const existing = this.getAccount(ctx, address);
    if (existing !== undefined) {
      if (existing.module === undefined) throw new InvariantError(`account of module ${name} is not a module account`);
      return existing;
    }
    const permissions = this.modulePermissions[name] ?? [];
    return { address, pubKey: undefined, accountNumber: nextNumber, sequence: 0n, module: { name, permissions } };
  }

  /** Every account in address order. */
  *accounts(ctx: Context): IterableIterator<Account> {
    for (const [, value] of ctx.kv(AUTH_STORE).iterator(ACCOUNT_PREFIX, prefixEnd(ACCOUNT_PREFIX))) {
      yield accountFromAny(decodeAny(value));
    }
  }
}
