/**
 * The dev chain's well-known accounts (spec/devchain.md): public test mnemonics, coin type 529,
 * account 0, index 0, each funded with 10^18 uscrt at genesis. The faucet has its own account (the
 * validator's mnemonic at index 1) so that its txs never race a client's sequence on `a`. The
 * validator is the only genesis validator: its gentx self-delegates 10^17 uscrt. Also the dev chain's
 * module params.
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
/** The dev validator's self-delegation in its gentx (chain-api.md §9). */
export const DEV_SELF_DELEGATION = 10n ** 17n;

/**
 * The dev chain's module params (`app_state.<module>.params`, chain-api.md §9's table: LocalSecret's
 * genesis plus the Secret fork's defaults), in upstream's genesis JSON shape.
 */
export const DEV_MODULE_GENESIS: Readonly<Record<string, unknown>> = Object.freeze({
  staking: {
    params: {
      unbonding_time: "90s",
      max_validators: 100,
      max_entries: 7,
      historical_entries: 10000,
      bond_denom: DEV_DENOM,
      min_commission_rate: "0.000000000000000000",
    },
  },
  gov: {
    params: {
      min_deposit: [{ denom: DEV_DENOM, amount: "1000000000" }],
      max_deposit_period: "168h0m0s",
      voting_period: "90s",
      quorum: "0.334000000000000000",
      threshold: "0.500000000000000000",
      veto_threshold: "0.334000000000000000",
      min_initial_deposit_ratio: "0.000000000000000000",
      proposal_cancel_ratio: "0.500000000000000000",
      proposal_cancel_dest: "",
      expedited_voting_period: "15s",
      expedited_threshold: "0.666666666666666667",
      expedited_min_deposit: [{ denom: DEV_DENOM, amount: "2500000000" }],
      burn_vote_quorum: false,
      burn_proposal_deposit_prevote: false,
      burn_vote_veto: true,
      min_deposit_ratio: "0.010000000000000000",
    },
  },
  distribution: {
    params: {
      community_tax: "0.020000000000000000",
      base_proposer_reward: "0.000000000000000000",
      bonus_proposer_reward: "0.000000000000000000",
      withdraw_addr_enabled: true,
      secret_foundation_tax: "0.000000000000000000",
      secret_foundation_address: "",
      minimum_restake_threshold: "10000000.000000000000000000",
      restake_period: "1000",
    },
  },
  mint: {
    params: {
      mint_denom: DEV_DENOM,
      inflation_rate_change: "0.130000000000000000",
      inflation_max: "0.200000000000000000",
      inflation_min: "0.070000000000000000",
      goal_bonded: "0.670000000000000000",
      blocks_per_year: "6311520",
    },
  },
  slashing: {
    params: {
      signed_blocks_window: "100",
      min_signed_per_window: "0.500000000000000000",
      downtime_jail_duration: "600s",
      slash_fraction_double_sign: "0.050000000000000000",
      slash_fraction_downtime: "0.010000000000000000",
    },
  },
});

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
