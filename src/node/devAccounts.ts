/**
 * The dev chain's well-known accounts (spec/devchain.md): public test mnemonics, coin type 529,
 * account 0, index 0, each funded with 10^18 uscrt at genesis. The faucet has its own account (the
 * validator's mnemonic at index 1) so that its txs never race a client's sequence on `a`.
 */
import { keyFromMnemonic, type HdKey } from "../client/hd.ts";
import { encodeAddress } from "../primitives/bech32.ts";

export const DEV_MNEMONICS = {
  validator:
    "push certain add next grape invite tobacco bubble text romance again lava crater pill genius vital fresh guard great patch knee series era tonight",
  a: "grant rice replace explain federal release fix clever romance raise often wild taxi quarter soccer fiber love must tape steak together observe swap guitar",
  b: "jelly shadow frog dirt dragon use armed praise universe win jungle close inmate rain oil canvas beauty pioneer chef soccer icon dizzy thunder meadow",
  c: "chair love bleak wonder skirt permit say assist aunt credit roast size obtain minute throw sand usual age smart exact enough room shadow charge",
  d: "word twist toast cloth movie predict advance crumble escape whale sail such angry muffin balcony keen move employ cook valve hurt glimpse breeze brick",
} as const;

export const DEV_ACCOUNT_BALANCE = 10n ** 18n;
export const DEV_DENOM = "uscrt";

export interface DevAccount {
  readonly name: string;
  readonly mnemonic: string;
  readonly key: HdKey;
  readonly address: string;
}

let cached: DevAccount[] | undefined;

/** validator, a, b, c, d, then faucet (validator mnemonic, index 1). Derived once per process. */
export function devAccounts(): readonly DevAccount[] {
  if (cached !== undefined) return cached;
  const list: DevAccount[] = Object.entries(DEV_MNEMONICS).map(([name, mnemonic]) => {
    const key = keyFromMnemonic(mnemonic);
    return { name, mnemonic, key, address: encodeAddress(key.address) };
  });
  const faucetKey = keyFromMnemonic(DEV_MNEMONICS.validator, { index: 1 });
  list.push({
    name: "faucet",
    mnemonic: DEV_MNEMONICS.validator,
    key: faucetKey,
    address: encodeAddress(faucetKey.address),
  });
  cached = list;
  return list;
}

export function devAccount(name: string): DevAccount {
  const a = devAccounts().find((x) => x.name === name);
  if (a === undefined) throw new Error(`no dev account ${name}`);
  return a;
}
