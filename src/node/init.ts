/**
 * Creating a node home (`scrt init`, and `scrt dev` on first start): keys, config, the enclave's
 * network bootstrap (its public keys go into genesis `app_state.register`), and genesis.json with a
 * gentx: the operator's `MsgCreateValidator` with this node's ed25519 consensus key and its
 * self-delegation (the validator set comes from it at `initChain`).
 *
 * The operator: `validatorOperator` if given; else the dev `validator` account when it is funded (the
 * dev chain: 10^17 uscrt self-delegated, and the module params of chain-api.md §9); else the first
 * funded account (a tenth of its uscrt); else a new key whose mnemonic is written to
 * `config/operator_key.json` (0600), funded with 10^18 uscrt and self-delegating 10^17.
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { genTxJson, valoperAddress } from "../app/index.ts";
import { createPolicy, encodePolicy, policyToJson } from "../attestation/index.ts";
import { keyFromMnemonic, newMnemonic } from "../client/hd.ts";
import { ed25519PublicKey } from "../crypto/index.ts";
import { toBase64 } from "../primitives/base64.ts";
import { decodeAddress, encodeAddress } from "../primitives/bech32.ts";
import { silentLogger, type Logger } from "../primitives/observability.ts";
import { startEnclave } from "./enclave.ts";
import { NodeError } from "./errors.ts";
import { createGenesisJson, type GenesisAccount } from "./genesis.ts";
import { DEV_ACCOUNT_BALANCE, DEV_DENOM, DEV_MODULE_GENESIS, DEV_SELF_DELEGATION, devAccount } from "./devAccounts.ts";
import {
  configToJson,
  DEFAULT_NODE_CONFIG,
  homePaths,
  newKeySeed,
  privKeyJson,
  writeFileDurable,
  writeNewNodeKeys,
  type NodeConfig,
} from "./home.ts";

export interface InitOptions {
  readonly home: string;
  readonly chainId: string;
  readonly moniker?: string;
  /** Funded at genesis with the given coins (account numbers in this order). */
  readonly accounts?: readonly GenesisAccount[];
  /** The validator's operator account (bech32 `secret1…`, funded in `accounts`) and its self-delegation in uscrt. */
  readonly validatorOperator?: { readonly address: string; readonly selfDelegation: bigint };
  /** `app_state` module sections (staking, gov, …); default: the dev chain's when it is the dev chain, else none. */
  readonly modules?: Readonly<Record<string, unknown>>;
  readonly genesisTimeNanos?: bigint;
  readonly config?: Partial<NodeConfig>;
  readonly logger?: Logger;
}

export interface InitResult {
  readonly chainId: string;
  /** bech32 of the operator account and its `secretvaloper1…`. */
  readonly operatorAddress: string;
  readonly validatorAddress: string;
  readonly validatorPubKey: Uint8Array;
  readonly ioExchKey: Uint8Array;
  readonly measurement: Uint8Array;
}

export async function initHome(o: InitOptions): Promise<InitResult> {
  const log = o.logger ?? silentLogger;
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,49}$/.test(o.chainId)) {
    throw new NodeError("NODE_INVALID_OPTIONS", `chain id '${o.chainId}' must be 1–50 characters of [A-Za-z0-9._-]`);
  }
  const p = homePaths(o.home);
  if (existsSync(p.genesis))
    throw new NodeError("NODE_HOME_EXISTS", `${p.genesis} already exists; use another --home or remove it`);
  mkdirSync(`${o.home}/config`, { recursive: true });
  mkdirSync(`${o.home}/data`, { recursive: true });

  const config: NodeConfig = { ...DEFAULT_NODE_CONFIG, ...o.config, moniker: o.moniker ?? o.config?.moniker ?? "node" };
  writeFileSync(p.config, JSON.stringify(configToJson(config), null, 2) + "\n");
  const pvSeed = writeNewNodeKeys(p);
  const authoritySeed = newKeySeed();
  writeFileDurable(p.devAuthorityKey, JSON.stringify({ priv_key: privKeyJson(authoritySeed) }, null, 2) + "\n");

  // The enclave bootstraps the network's seeds; genesis publishes its keys and the attestation policy.
  const enclave = await startEnclave(o.home);
  let boot;
  let measurement: Uint8Array;
  let policy;
  try {
    measurement = enclave.call("getStatus", {}).measurement;
    policy = createPolicy({
      allowedMeasurements: [{ measurement, label: "genesis build" }],
      authorities: [{ teeType: 1, publicKey: ed25519PublicKey(authoritySeed), label: "dev authority" }],
    });
    boot = enclave.call("bootstrap", { policy: encodePolicy(policy) });
  } finally {
    await enclave.close();
  }
  log.info("enclave bootstrapped", { measurement: Buffer.from(measurement).toString("hex").slice(0, 16) });

  const genesisTimeNanos = o.genesisTimeNanos ?? BigInt(Date.now()) * 1_000_000n;
  const validatorPubKey = ed25519PublicKey(pvSeed);
  const op = chooseOperator(o, p.config.replace(/config\.json$/, "operator_key.json"));
  const operatorBytes = decodeAddress(op.address);
  const genTx = genTxJson({
    moniker: config.moniker,
    delegatorAddress: op.address,
    validatorAddress: valoperAddress(operatorBytes),
    consensusPubKey: validatorPubKey,
    selfDelegation: { denom: DEV_DENOM, amount: op.selfDelegation },
  });
  const genesis = createGenesisJson({
    chainId: o.chainId,
    genesisTimeNanos,
    validators: [],
    genTxs: [genTx],
    ...(op.modules === undefined ? {} : { modules: op.modules }),
    accounts: op.accounts,
    register: {
      node_exch_key: toBase64(boot.nodeExchKey),
      io_exch_key: toBase64(boot.ioExchKey),
      params: { attestation_policy: policyToJson(policy) },
    },
  });
  writeFileDurable(p.genesis, JSON.stringify(genesis, null, 2) + "\n", 0o644);
  return {
    chainId: o.chainId,
    operatorAddress: op.address,
    validatorAddress: valoperAddress(operatorBytes),
    validatorPubKey,
    ioExchKey: boot.ioExchKey,
    measurement,
  };
}

function chooseOperator(
  o: InitOptions,
  operatorKeyPath: string,
): {
  address: string;
  selfDelegation: bigint;
  accounts: readonly GenesisAccount[];
  modules: Readonly<Record<string, unknown>> | undefined;
} {
  const accounts = o.accounts ?? [];
  const uscrtOf = (address: string): bigint =>
    accounts
      .filter((a) => a.address === address)
      .flatMap((a) => a.coins)
      .filter((c) => c.denom === DEV_DENOM)
      .reduce((s, c) => s + BigInt(c.amount), 0n);
  const check = (address: string, selfDelegation: bigint): void => {
    if (selfDelegation <= 0n) {
      throw new NodeError("NODE_INVALID_OPTIONS", "the validator's self-delegation must be positive");
    }
    if (uscrtOf(address) < selfDelegation) {
      throw new NodeError(
        "NODE_INVALID_OPTIONS",
        `the validator operator ${address} has ${uscrtOf(address)}uscrt at genesis, less than its self-delegation ${selfDelegation}uscrt`,
      );
    }
  };
  if (o.validatorOperator !== undefined) {
    check(o.validatorOperator.address, o.validatorOperator.selfDelegation);
    return { ...o.validatorOperator, accounts, modules: o.modules };
  }
  const dev = devAccount("validator").address;
  if (uscrtOf(dev) >= DEV_SELF_DELEGATION) {
    return { address: dev, selfDelegation: DEV_SELF_DELEGATION, accounts, modules: o.modules ?? DEV_MODULE_GENESIS };
  }
  const first = accounts.find((a) => uscrtOf(a.address) >= 10n);
  if (first !== undefined) {
    return { address: first.address, selfDelegation: uscrtOf(first.address) / 10n, accounts, modules: o.modules };
  }
  const mnemonic = newMnemonic();
  const address = encodeAddress(keyFromMnemonic(mnemonic).address);
  writeFileDurable(operatorKeyPath, JSON.stringify({ address, mnemonic }, null, 2) + "\n", 0o600);
  return {
    address,
    selfDelegation: DEV_SELF_DELEGATION,
    accounts: [...accounts, { address, coins: [{ denom: DEV_DENOM, amount: DEV_ACCOUNT_BALANCE.toString() }] }],
    modules: o.modules,
  };
}
