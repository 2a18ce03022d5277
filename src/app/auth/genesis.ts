/**
 * Auth genesis: params and accounts, in upstream's JSON shape (`app_state.auth`). Init renumbers
 * duplicated account numbers and sets the global account number past the largest (as upstream), then
 * creates the module accounts upstream's genesis creates; export lists every account in address order,
 * so init(export(s)) exports the same.
 */
import { BASE_ACCOUNT_URL, MODULE_ACCOUNT_URL } from "../../codec/auth.ts";
import { SECP256K1_PUBKEY_URL, decodePubKeyBytes, encodePubKeyBytes } from "../../codec/keys.ts";
import type { Any } from "../../codec/tx.ts";
import { fromBase64, toBase64 } from "../../primitives/base64.ts";
import { encodeAddress, parseAccountAddress } from "../../primitives/bech32.ts";
import { toHex } from "../../primitives/hex.ts";
import { ripemd160, sha256 } from "../../crypto/index.ts";
import { bytesEqual } from "../../primitives/bytes.ts";
import type { Context } from "../context.ts";
import { asArray, asObject, asString, asUint, genesisError } from "../json.ts";
import { type AuthKeeper, moduleAddress } from "./keeper.ts";
import { type AuthParams, DEFAULT_AUTH_PARAMS, validateAuthParams } from "./params.ts";
import { type Account, GENESIS_MODULE_ACCOUNTS } from "./types.ts";

export interface AuthGenesis {
  readonly params: AuthParams;
  readonly accounts: readonly Account[];
}

export const defaultAuthGenesis = (): AuthGenesis => ({ params: DEFAULT_AUTH_PARAMS, accounts: [] });

function pubKeyFromJson(v: unknown, what: string): Any | undefined {
  if (v === undefined || v === null) return undefined;
  const o = asObject(v, what);
  const type = asString(o["@type"], `${what}.@type`);
  if (type !== SECP256K1_PUBKEY_URL) throw genesisError(`${what}: unsupported key type ${type}`);
  const key = fromBase64(asString(o.key, `${what}.key`));
  if (key.length !== 33) throw genesisError(`${what}: secp256k1 key must be 33 bytes`);
  return { typeUrl: type, value: encodePubKeyBytes(key) };
}

function pubKeyToJson(pk: Any | undefined): unknown {
  if (pk === undefined) return null;
  return { "@type": pk.typeUrl, key: toBase64(decodePubKeyBytes(pk.value)) };
}

function baseFromJson(v: unknown, what: string): Omit<Account, "module"> {
  const o = asObject(v, what);
  return {
    address: parseAccountAddress(asString(o.address, `${what}.address`)),
    pubKey: pubKeyFromJson(o.pub_key, `${what}.pub_key`),
    accountNumber: asUint(o.account_number ?? "0", `${what}.account_number`),
    sequence: asUint(o.sequence ?? "0", `${what}.sequence`),
  };
}

function baseToJson(a: Account): Record<string, unknown> {
  return {
    address: encodeAddress(a.address),
    pub_key: pubKeyToJson(a.pubKey),
    account_number: a.accountNumber.toString(),
    sequence: a.sequence.toString(),
  };
}

export function authParamsFromJson(v: unknown): AuthParams {
  if (v === undefined) return DEFAULT_AUTH_PARAMS;
  const o = asObject(v, "auth.params");
  return {
    maxMemoCharacters: asUint(o.max_memo_characters, "max_memo_characters"),
    txSigLimit: asUint(o.tx_sig_limit, "tx_sig_limit"),
    txSizeCostPerByte: asUint(o.tx_size_cost_per_byte, "tx_size_cost_per_byte"),
    sigVerifyCostEd25519: asUint(o.sig_verify_cost_ed25519, "sig_verify_cost_ed25519"),
    sigVerifyCostSecp256k1: asUint(o.sig_verify_cost_secp256k1, "sig_verify_cost_secp256k1"),
  };
}

export function authParamsToJson(p: AuthParams): Record<string, string> {
  return {
    max_memo_characters: p.maxMemoCharacters.toString(),
    tx_sig_limit: p.txSigLimit.toString(),
    tx_size_cost_per_byte: p.txSizeCostPerByte.toString(),
    sig_verify_cost_ed25519: p.sigVerifyCostEd25519.toString(),
    sig_verify_cost_secp256k1: p.sigVerifyCostSecp256k1.toString(),
  };
}

/** Reads `app_state.auth`. */
export function authGenesisFromJson(v: unknown): AuthGenesis {
  if (v === undefined) return defaultAuthGenesis();
  const o = asObject(v, "auth");
  const accounts = asArray(o.accounts, "auth.accounts").map((a, i): Account => {
    const what = `auth.accounts[${i}]`;
    const ao = asObject(a, what);
    const type = asString(ao["@type"], `${what}.@type`);
    if (type === BASE_ACCOUNT_URL) return baseFromJson(ao, what);
    if (type === MODULE_ACCOUNT_URL) {
      const base = baseFromJson(ao.base_account, `${what}.base_account`);
      const permissions = asArray(ao.permissions, `${what}.permissions`).map((p) => asString(p, `${what}.permissions`));
      return { ...base, module: { name: asString(ao.name, `${what}.name`), permissions } };
    }
    throw genesisError(`${what}: unsupported account type ${type}`);
  });
  return { params: authParamsFromJson(o.params), accounts };
}

export function authGenesisToJson(g: AuthGenesis): Record<string, unknown> {
  return {
    params: authParamsToJson(g.params),
    accounts: g.accounts.map((a) =>
      a.module === undefined
        ? { "@type": BASE_ACCOUNT_URL, ...baseToJson(a) }
        : {
            "@type": MODULE_ACCOUNT_URL,
            base_account: baseToJson(a),
            name: a.module.name,
            permissions: [...a.module.permissions],
          },
    ),
  };
}

/**
 * Upstream `ValidateGenesis`: params valid, addresses unique, each account valid (a public key must
 * match the address; a module account needs a name and the address derived from it).
 */
export function validateAuthGenesis(g: AuthGenesis): void {
  validateAuthParams(g.params);
  const addresses = new Set<string>();
  for (const a of g.accounts) {
    const hex = toHex(a.address);
    const bech32 = encodeAddress(a.address);
    if (addresses.has(hex)) throw genesisError(`duplicate account found in genesis state; address: ${bech32}`);
    addresses.add(hex);
    const invalid = accountInvalidity(a);
    if (invalid !== undefined) {
      throw genesisError(`invalid account found in genesis state; address: ${bech32}, error: ${invalid}`);
    }
  }
}

function accountInvalidity(a: Account): string | undefined {
  if (a.pubKey !== undefined && a.pubKey.typeUrl === SECP256K1_PUBKEY_URL) {
    const derived = ripemd160(sha256(decodePubKeyBytes(a.pubKey.value)));
    if (!bytesEqual(derived, a.address)) return "account address and pubkey address do not match";
  }
  if (a.module !== undefined) {
    if (a.module.name.trim() === "") return "module account name cannot be blank";
    if (!bytesEqual(moduleAddress(a.module.name), a.address)) {
      return `address ${encodeAddress(a.address)} cannot be derived from the module name '${a.module.name}'`;
    }
  }
  return undefined;
}

/**
 * Upstream `SanitizeGenesisAccounts`: a duplicated account number (e.g. every account at 0, as
 * `add-genesis-account` writes them) moves to the lowest unused number, the first holder keeping it;
 * then the accounts are ordered by number.
 */
export function sanitizeGenesisAccounts(accounts: readonly Account[]): Account[] {
  const seen = new Set<bigint>();
  const duplicates = new Map<bigint, number[]>();
  accounts.forEach((a, i) => {
    if (!seen.has(a.accountNumber)) seen.add(a.accountNumber);
    else duplicates.set(a.accountNumber, [...(duplicates.get(a.accountNumber) ?? []), i]);
  });
  const out = [...accounts];
  let free = 0n;
  for (const n of [...duplicates.keys()].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0))) {
    for (const i of duplicates.get(n)!) {
      while (seen.has(free)) free++;
      out[i] = { ...out[i]!, accountNumber: free };
      seen.add(free);
    }
  }
  return out.sort((x, y) => (x.accountNumber < y.accountNumber ? -1 : x.accountNumber > y.accountNumber ? 1 : 0));
}

/**
 * Writes params and accounts; the global account number moves past the largest genesis number (as
 * upstream). Then the module accounts that upstream's InitGenesis of auth, distribution, staking, gov
 * and mint create are created, in that order (`GENESIS_MODULE_ACCOUNTS`); the others are created on
 * first use.
 */
export function initAuthGenesis(ctx: Context, keeper: AuthKeeper, g: AuthGenesis): void {
  validateAuthGenesis(g);
  keeper.setParams(ctx, g.params);
  let next = 0n;
  for (const acc of sanitizeGenesisAccounts(g.accounts)) {
    if (acc.accountNumber >= next) next = acc.accountNumber + 1n;
    keeper.setAccount(ctx, acc);
  }
  keeper.setNextAccountNumber(ctx, next);
  for (const name of GENESIS_MODULE_ACCOUNTS) {
    if (keeper.moduleAddresses.has(name)) keeper.getOrCreateModuleAccount(ctx, name);
  }
}

export function exportAuthGenesis(ctx: Context, keeper: AuthKeeper): AuthGenesis {
  return { params: keeper.getParams(ctx), accounts: [...keeper.accounts(ctx)] };
}
