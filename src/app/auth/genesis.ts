/**
 * Auth genesis: params and accounts, in upstream's JSON shape (`app_state.auth`). Init sets the global
 * account number past the largest genesis number (as upstream) and creates the missing module
 * accounts; export lists every account in address order, so init(export(s)) exports the same.
 */
import { BASE_ACCOUNT_URL, MODULE_ACCOUNT_URL } from "../../codec/auth.ts";
import { SECP256K1_PUBKEY_URL, decodePubKeyBytes, encodePubKeyBytes } from "../../codec/keys.ts";
import type { Any } from "../../codec/tx.ts";
import { fromBase64, toBase64 } from "../../primitives/base64.ts";
import { encodeAddress, parseAccountAddress } from "../../primitives/bech32.ts";
import { toHex } from "../../primitives/hex.ts";
import type { Context } from "../context.ts";
import { asArray, asObject, asString, asUint, genesisError } from "../json.ts";
import type { AuthKeeper } from "./keeper.ts";
import { type AuthParams, DEFAULT_AUTH_PARAMS, validateAuthParams } from "./params.ts";
import type { Account } from "./types.ts";

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

/** Upstream `ValidateGenesis`: params valid, addresses and account numbers unique. */
export function validateAuthGenesis(g: AuthGenesis): void {
  validateAuthParams(g.params);
  const addresses = new Set<string>();
  const numbers = new Set<bigint>();
  for (const a of g.accounts) {
    const hex = toHex(a.address);
    if (addresses.has(hex)) throw genesisError(`duplicate account ${encodeAddress(a.address)}`);
    if (numbers.has(a.accountNumber)) throw genesisError(`duplicate account number ${a.accountNumber}`);
    addresses.add(hex);
    numbers.add(a.accountNumber);
  }
}

export function initAuthGenesis(ctx: Context, keeper: AuthKeeper, g: AuthGenesis): void {
  validateAuthGenesis(g);
  keeper.setParams(ctx, g.params);
  const sorted = [...g.accounts].sort((x, y) => (x.accountNumber < y.accountNumber ? -1 : 1));
  let next = 0n;
  for (const acc of sorted) {
    if (acc.accountNumber >= next) next = acc.accountNumber + 1n;
    keeper.setAccount(ctx, acc);
  }
  keeper.setNextAccountNumber(ctx, next);
  for (const name of keeper.moduleAddresses.keys()) keeper.getOrCreateModuleAccount(ctx, name);
}

export function exportAuthGenesis(ctx: Context, keeper: AuthKeeper): AuthGenesis {
  return { params: keeper.getParams(ctx), accounts: [...keeper.accounts(ctx)] };
}
