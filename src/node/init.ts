/**
 * Creating a node home (`scrt init`, and `scrt dev` on first start): keys, config, the enclave's
 * network bootstrap (its public keys go into genesis `app_state.register`), and genesis.json.
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { createPolicy, encodePolicy, policyToJson } from "../attestation/index.ts";
import { ed25519PublicKey } from "../crypto/index.ts";
import { toBase64 } from "../primitives/base64.ts";
import { silentLogger, type Logger } from "../primitives/observability.ts";
import { startEnclave } from "./enclave.ts";
import { NodeError } from "./errors.ts";
import { createGenesisJson, type GenesisAccount } from "./genesis.ts";
import {
  configToJson,
  DEFAULT_NODE_CONFIG,
  homePaths,
  newKeySeed,
  privKeyJson,
  privValidatorKeyJson,
  writeFileDurable,
  type NodeConfig,
} from "./home.ts";

export interface InitOptions {
  readonly home: string;
  readonly chainId: string;
  readonly moniker?: string;
  /** Funded at genesis with the given coins (account numbers in this order). */
  readonly accounts?: readonly GenesisAccount[];
  /** Validator power (default 10). */
  readonly power?: bigint;
  readonly genesisTimeNanos?: bigint;
  readonly config?: Partial<NodeConfig>;
  readonly logger?: Logger;
}

export interface InitResult {
  readonly chainId: string;
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
  const nodeSeed = newKeySeed();
  writeFileDurable(p.nodeKey, JSON.stringify({ priv_key: privKeyJson(nodeSeed) }, null, 2) + "\n");
  const pvSeed = newKeySeed();
  writeFileDurable(p.privValidatorKey, JSON.stringify(privValidatorKeyJson(pvSeed), null, 2) + "\n");
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
  const genesis = createGenesisJson({
    chainId: o.chainId,
    genesisTimeNanos,
    validators: [{ pubKey: validatorPubKey, power: o.power ?? 10n, name: config.moniker }],
    accounts: o.accounts ?? [],
    register: {
      node_exch_key: toBase64(boot.nodeExchKey),
      io_exch_key: toBase64(boot.ioExchKey),
      params: { attestation_policy: policyToJson(policy) },
    },
  });
  writeFileDurable(p.genesis, JSON.stringify(genesis, null, 2) + "\n", 0o644);
  return { chainId: o.chainId, validatorPubKey, ioExchKey: boot.ioExchKey, measurement };
}
