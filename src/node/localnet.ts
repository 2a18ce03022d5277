/**
 * A localnet: N validator homes on one host with a shared genesis, each node its own OS process
 * (`scrt start`) on loopback, all of them persistent peers of each other.
 *
 * ```
 * <dir>/localnet.json           chain id, and per node: home, node id, p2p / rpc / lcd ports
 * <dir>/node0 … node<N−1>/       ordinary homes (config.json carries p2p_laddr and persistent_peers)
 * ```
 *
 * Node 0's home is made by `initHome` (its enclave bootstraps the network's seeds, whose public keys
 * are in genesis `app_state.register`); the other homes get their own keys and node 0's genesis with
 * one gentx per validator (operator `localnetOperatorKey(i)`, equal self-delegations; the set comes
 * from the gentxs at initChain). Funded accounts: `localnetAccountKey(i)` for i < `accounts`, 10^18
 * uscrt each.
 *
 * `genesisModules` overrides module params of the genesis (e.g. a short gov voting period for tests);
 * `addLocalnetNode` adds a full node `node<N>` (not in genesis) to an existing localnet.
 *
 * Nodes 1…N−1 get the network seeds at init through the enclaves' own attestation and seed exchange
 * with node 0's enclave (off chain: `registerEnclaves`); the on-chain MsgRegisterAuth path is not used.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ed25519Address } from "../consensus/index.ts";
import { ripemd160, secp256k1PublicKey, sha256 } from "../crypto/index.ts";
import { genTxJson, valoperAddress } from "../app/index.ts";
import { createSoftwareEvidence, encodePolicy, policyFromJson } from "../attestation/index.ts";
import type { OcallHandlers } from "../enclave-api/index.ts";
import { fromBase64 } from "../primitives/base64.ts";
import { concatBytes } from "../primitives/bytes.ts";
import { decodeAddress, encodeAddress } from "../primitives/bech32.ts";
import { toHex } from "../primitives/hex.ts";
import { utf8Encode } from "../primitives/bytes.ts";
import { silentLogger, type Logger } from "../primitives/observability.ts";
import { NodeError } from "./errors.ts";
import {
  configToJson,
  DEFAULT_NODE_CONFIG,
  loadDevAuthorityKey,
  loadNodeKey,
  loadPrivValidatorKey,
  readJsonFile,
  writeFileDurable,
  writeNewNodeKeys,
  type NodeConfig,
} from "./home.ts";
import { DEV_DENOM, DEV_MODULE_GENESIS } from "./devAccounts.ts";
import type { GenesisAccount } from "./genesis.ts";
import { startEnclave } from "./enclave.ts";
import { initHome } from "./init.ts";
import { homePaths } from "./paths.ts";

export const LOCALNET_CHAIN_ID = "secret-localnet-1";
export const LOCALNET_ACCOUNT_BALANCE = 10n ** 18n;
/** Each validator's self-delegation in its gentx (equal voting power). */
export const LOCALNET_SELF_DELEGATION = 10n ** 17n;
export const MAX_LOCALNET_VALIDATORS = 32;

/** Short timeouts for a loopback network (node options: they never change consensus results). */
export const LOCALNET_CONFIG: Partial<NodeConfig> = {
  timeoutProposeMs: 600,
  timeoutProposeDeltaMs: 200,
  timeoutPrevoteMs: 200,
  timeoutPrevoteDeltaMs: 100,
  timeoutPrecommitMs: 200,
  timeoutPrecommitDeltaMs: 100,
  // Under load, txs that arrive while a block is decided wait this long for the next one: fewer, larger
  // blocks (each block costs every validator a fixed ~25 ms of CPU: votes, WAL, commits, blockers). At
  // 1,000 tx/s on 2 cores, 300 ms instead of 100 ms cut the CPU per tx by ~20 % (bench/localnet.ts);
  // an idle network still starts a height as soon as a tx arrives.
  timeoutCommitMs: 300,
  createEmptyBlocks: false,
};

export interface LocalnetOptions {
  readonly dir: string;
  readonly validators: number;
  readonly chainId?: string;
  /** Funded accounts `localnetAccountKey(0 … accounts−1)` (default 8). */
  readonly accounts?: number;
  /** Config of every node on top of `LOCALNET_CONFIG`. */
  readonly config?: Partial<NodeConfig>;
  /** Run the enclave seed exchange of nodes 1…N−1 at init (default true). */
  readonly registerEnclaves?: boolean;
  /**
   * Genesis module sections over the dev ones (`DEV_MODULE_GENESIS`), per module; a section's `params`
   * are merged key by key (e.g. `{ slashing: { params: { signed_blocks_window: "10" } } }`).
   */
  readonly genesisModules?: Readonly<Record<string, unknown>>;
  readonly logger?: Logger;
}

export interface LocalnetNode {
  readonly index: number;
  readonly home: string;
  readonly moniker: string;
  readonly nodeId: string;
  readonly validatorAddress: string;
  readonly p2pPort: number;
  readonly rpcPort: number;
  readonly lcdPort: number;
}

export interface Localnet {
  readonly dir: string;
  readonly chainId: string;
  readonly accounts: number;
  readonly nodes: readonly LocalnetNode[];
}

/** The private key of funded localnet account `i` (deterministic, public: for tests and benchmarks only). */
export function localnetAccountKey(i: number): Uint8Array {
  return sha256(utf8Encode(`scrt localnet account ${i}`));
}

export function localnetAccountAddress(i: number): string {
  return encodeAddress(ripemd160(sha256(secp256k1PublicKey(localnetAccountKey(i)))));
}

/** The operator account of validator `i` (funded, self-delegating `LOCALNET_SELF_DELEGATION`). */
export function localnetOperatorKey(i: number): Uint8Array {
  return sha256(utf8Encode(`scrt localnet operator ${i}`));
}

export function localnetOperatorAddress(i: number): string {
  return encodeAddress(ripemd160(sha256(secp256k1PublicKey(localnetOperatorKey(i)))));
}

/** A free TCP port on 127.0.0.1 (free when asked; another process may take it before it is used). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const a = s.address();
      const port = typeof a === "object" && a !== null ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

const manifestPath = (dir: string): string => join(dir, "localnet.json");

/** Creates the homes and genesis of a localnet in `dir` (which must not hold one already). */
export async function initLocalnet(o: LocalnetOptions): Promise<Localnet> {
  const n = o.validators;
  if (!Number.isSafeInteger(n) || n < 1 || n > MAX_LOCALNET_VALIDATORS) {
    throw new NodeError("NODE_INVALID_OPTIONS", `--validators must be 1..${MAX_LOCALNET_VALIDATORS}`);
  }
  const accounts = o.accounts ?? 8;
  if (!Number.isSafeInteger(accounts) || accounts < 0 || accounts > 100_000) {
    throw new NodeError("NODE_INVALID_OPTIONS", "accounts must be 0..100000");
  }
  if (existsSync(manifestPath(o.dir))) {
    throw new NodeError("NODE_HOME_EXISTS", `${manifestPath(o.dir)} already exists (use --reset to start over)`);
  }
  const chainId = o.chainId ?? LOCALNET_CHAIN_ID;
  const log = o.logger ?? silentLogger;
  mkdirSync(o.dir, { recursive: true });
  const ports: number[] = [];
  while (ports.length < 3 * n) {
    const p = await freePort();
    if (!ports.includes(p)) ports.push(p);
  }
  const nodes: LocalnetNode[] = [];
  const pubKeys: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    const home = join(o.dir, `node${i}`);
    const moniker = `node${i}`;
    const [p2pPort, rpcPort, lcdPort] = [ports[3 * i]!, ports[3 * i + 1]!, ports[3 * i + 2]!];
    const config: Partial<NodeConfig> = {
      ...LOCALNET_CONFIG,
      ...o.config,
      moniker,
      rpcListen: `127.0.0.1:${rpcPort}`,
      lcdListen: `127.0.0.1:${lcdPort}`,
      p2pListen: `127.0.0.1:${p2pPort}`,
    };
    if (i === 0) {
      const funded = (address: string): GenesisAccount => ({
        address,
        coins: [{ denom: DEV_DENOM, amount: LOCALNET_ACCOUNT_BALANCE.toString() }],
      });
      await initHome({
        home,
        chainId,
        moniker,
        config,
        accounts: [
          ...Array.from({ length: n }, (_, k) => funded(localnetOperatorAddress(k))),
          ...Array.from({ length: accounts }, (_, k) => funded(localnetAccountAddress(k))),
        ],
        validatorOperator: { address: localnetOperatorAddress(0), selfDelegation: LOCALNET_SELF_DELEGATION },
        modules: mergeModuleGenesis(DEV_MODULE_GENESIS, o.genesisModules ?? {}),
        logger: log,
      });
    } else {
      const p = homePaths(home);
      mkdirSync(join(home, "config"), { recursive: true });
      mkdirSync(join(home, "data"), { recursive: true });
      writeNewNodeKeys(p);
    }
    const node = localnetNodeOf(i, home, moniker, { p2pPort, rpcPort, lcdPort });
    pubKeys.push(node.pubKey);
    nodes.push(node.node);
  }
  // Every node: its config with all other nodes as persistent peers, and the shared genesis with one
  // gentx per validator (node 0's is already there), equal self-delegations.
  const genesis = readJsonFile(homePaths(nodes[0]!.home).genesis) as {
    app_state: { genutil: { gen_txs: unknown[] } };
  };
  for (let i = 1; i < n; i++) {
    genesis.app_state.genutil.gen_txs.push(
      genTxJson({
        moniker: nodes[i]!.moniker,
        delegatorAddress: localnetOperatorAddress(i),
        validatorAddress: valoperAddress(decodeAddress(localnetOperatorAddress(i))),
        consensusPubKey: pubKeys[i]!,
        selfDelegation: { denom: DEV_DENOM, amount: LOCALNET_SELF_DELEGATION },
      }),
    );
  }
  const genesisText = JSON.stringify(genesis, null, 2) + "\n";
  for (const node of nodes) {
    const p = homePaths(node.home);
    const peers = nodes.filter((x) => x !== node).map((x) => `${x.nodeId}@127.0.0.1:${x.p2pPort}`);
    const config: NodeConfig = {
      ...DEFAULT_NODE_CONFIG,
      ...LOCALNET_CONFIG,
      ...o.config,
      moniker: node.moniker,
      rpcListen: `127.0.0.1:${node.rpcPort}`,
      lcdListen: `127.0.0.1:${node.lcdPort}`,
      p2pListen: `127.0.0.1:${node.p2pPort}`,
      persistentPeers: peers.join(","),
    };
    writeFileSync(p.config, JSON.stringify(configToJson(config), null, 2) + "\n");
    writeFileDurable(p.genesis, genesisText, 0o644);
  }
  if (o.registerEnclaves !== false) await registerEnclaves(nodes[0]!, nodes.slice(1), genesis, log);
  const net: Localnet = { dir: o.dir, chainId, accounts, nodes };
  writeFileDurable(manifestPath(o.dir), JSON.stringify(net, null, 2) + "\n", 0o644);
  return net;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** `base` with each module section of `over` laid on top (a section's `params` merged key by key). */
export function mergeModuleGenesis(
  base: Readonly<Record<string, unknown>>,
  over: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [module, section] of Object.entries(over)) {
    if (!isRecord(section)) throw new NodeError("NODE_INVALID_OPTIONS", `genesis module ${module} must be an object`);
    const prev = out[module];
    if (!isRecord(prev)) {
      out[module] = section;
      continue;
    }
    const params =
      isRecord(prev.params) && isRecord(section.params) ? { ...prev.params, ...section.params } : undefined;
    out[module] = { ...prev, ...section, ...(params === undefined ? {} : { params }) };
  }
  return out;
}

export interface AddNodeOptions {
  /** Run the enclave seed exchange with node 0's enclave (default true; node 0's enclave must be free). */
  readonly registerEnclave?: boolean;
  readonly logger?: Logger;
}

/**
 * Adds a full node (not in genesis) to an existing localnet: a new home `node<N>` with its own keys,
 * the network's genesis, and every existing node as a persistent peer; the manifest gains the node.
 * It becomes a validator only if an operator later sends a MsgCreateValidator with its consensus key
 * (the ed25519 key of its `config/priv_validator_key.json`).
 */
export async function addLocalnetNode(net: Localnet, o: AddNodeOptions = {}): Promise<Localnet> {
  if (net.nodes.length >= MAX_LOCALNET_VALIDATORS) {
    throw new NodeError("NODE_INVALID_OPTIONS", `a localnet holds at most ${MAX_LOCALNET_VALIDATORS} nodes`);
  }
  const first = net.nodes[0];
  if (first === undefined) throw new NodeError("NODE_HOME_INVALID", "the localnet has no nodes");
  const index = net.nodes.length;
  const used = new Set(net.nodes.flatMap((x) => [x.p2pPort, x.rpcPort, x.lcdPort]));
  const ports: number[] = [];
  while (ports.length < 3) {
    const p = await freePort();
    if (!used.has(p) && !ports.includes(p)) ports.push(p);
  }
  const [p2pPort, rpcPort, lcdPort] = [ports[0]!, ports[1]!, ports[2]!];
  const home = join(net.dir, `node${index}`);
  if (existsSync(home)) throw new NodeError("NODE_HOME_EXISTS", `${home} already exists`);
  const moniker = `node${index}`;
  const p = homePaths(home);
  mkdirSync(join(home, "config"), { recursive: true });
  mkdirSync(join(home, "data"), { recursive: true });
  writeNewNodeKeys(p);
  const firstConfig = readJsonFile(homePaths(first.home).config) as Record<string, unknown>;
  const config = {
    ...firstConfig,
    moniker,
    rpc_laddr: `127.0.0.1:${rpcPort}`,
    lcd_laddr: `127.0.0.1:${lcdPort}`,
    p2p_laddr: `127.0.0.1:${p2pPort}`,
    persistent_peers: net.nodes.map((x) => `${x.nodeId}@127.0.0.1:${x.p2pPort}`).join(","),
  };
  writeFileSync(p.config, JSON.stringify(config, null, 2) + "\n");
  copyFileSync(homePaths(first.home).genesis, p.genesis);
  const { node } = localnetNodeOf(index, home, moniker, { p2pPort, rpcPort, lcdPort });
  if (o.registerEnclave !== false) {
    await registerEnclaves(first, [node], readJsonFile(p.genesis), o.logger ?? silentLogger);
  }
  const grown: Localnet = { ...net, nodes: [...net.nodes, node] };
  writeFileDurable(manifestPath(net.dir), JSON.stringify(grown, null, 2) + "\n", 0o644);
  return grown;
}

/**
 * The seed exchange of nodes 1…N−1 with node 0's enclave, before any of them runs: each new enclave
 * takes the genesis attestation policy, attests its registration key (a quote from the dev authority of
 * node 0's home, whose key every home gets a copy of), node 0's enclave checks the evidence against the
 * policy and encrypts the network seeds to that key (`registerNode`, as the registration module's
 * MsgRegisterAuth does on chain), and the new enclave accepts and seals them.
 */
async function registerEnclaves(
  first: LocalnetNode,
  joining: readonly LocalnetNode[],
  genesis: unknown,
  log: Logger,
): Promise<void> {
  if (joining.length === 0) return;
  const home0 = homePaths(first.home);
  const authoritySeed = loadDevAuthorityKey(home0.devAuthorityKey);
  if (authoritySeed === undefined) throw new NodeError("NODE_HOME_INVALID", `${home0.devAuthorityKey} is missing`);
  const register = (
    genesis as { app_state: { register: { node_exch_key: string; params: { attestation_policy: unknown } } } }
  ).app_state.register;
  const policy = encodePolicy(policyFromJson(register.params.attestation_policy));
  const nodeExchKey = fromBase64(register.node_exch_key);
  const nowSeconds = (): bigint => BigInt(Math.floor(Date.now() / 1000));
  const quote: OcallHandlers = {
    quote: (report) => ({ evidence: createSoftwareEvidence(report, nowSeconds(), authoritySeed) }),
  };
  const bootstrap = await startEnclave(first.home);
  try {
    bootstrap.call("load", {});
    for (const node of joining) {
      copyFileSync(home0.devAuthorityKey, homePaths(node.home).devAuthorityKey);
      const enclave = await startEnclave(node.home);
      try {
        enclave.call("setPolicy", { policy });
        const reg = enclave.call("createRegistration", {}, quote);
        const { encryptedSeeds } = bootstrap.call("registerNode", {
          evidence: reg.evidence,
          blockTimeSeconds: nowSeconds(),
        });
        const seedInput = concatBytes(Uint8Array.of(encryptedSeeds.length), encryptedSeeds);
        const accepted = enclave.call("acceptSeeds", { nodeExchKey, seedInput });
        if (!accepted.accepted)
          throw new NodeError("NODE_HOME_INVALID", `${node.moniker}: the enclave refused the seeds`);
        log.info("enclave registered", { node: node.moniker });
      } finally {
        await enclave.close();
      }
    }
  } finally {
    await bootstrap.close();
  }
}

/** A node's manifest entry (ids from the keys in its home) and its consensus public key. */
function localnetNodeOf(
  index: number,
  home: string,
  moniker: string,
  ports: { readonly p2pPort: number; readonly rpcPort: number; readonly lcdPort: number },
): { readonly node: LocalnetNode; readonly pubKey: Uint8Array } {
  const p = homePaths(home);
  const pubKey = loadPrivValidatorKey(p.privValidatorKey).pubKey;
  const node: LocalnetNode = {
    index,
    home,
    moniker,
    nodeId: loadNodeKey(p.nodeKey).id,
    validatorAddress: toHex(ed25519Address(pubKey)).toUpperCase(),
    ...ports,
  };
  return { node, pubKey };
}

/** Reads `<dir>/localnet.json`. */
export function loadLocalnet(dir: string): Localnet {
  const path = manifestPath(dir);
  if (!existsSync(path)) throw new NodeError("NODE_HOME_MISSING", `${path} not found`);
  const v = readJsonFile(path) as Partial<Localnet>;
  if (typeof v.chainId !== "string" || !Array.isArray(v.nodes) || typeof v.accounts !== "number") {
    throw new NodeError("NODE_HOME_INVALID", `${path}: not a localnet manifest`);
  }
  return { dir, chainId: v.chainId, accounts: v.accounts, nodes: v.nodes };
}

/** Removes a node's chain data (stores, WAL, privval state), keeping its keys, config and genesis. */
export function resetNodeData(node: LocalnetNode): void {
  rmSync(join(node.home, "data"), { recursive: true, force: true });
  mkdirSync(join(node.home, "data"), { recursive: true });
}

// ---------------------------------------------------------------------------------------------------
// Processes

const CLI_MAIN = fileURLToPath(
  new URL(`../cli/main${import.meta.url.endsWith(".ts") ? ".ts" : ".js"}`, import.meta.url),
);

export interface ValidatorProcess {
  readonly node: LocalnetNode;
  readonly child: ChildProcess;
  /** Resolves with the exit code (or the signal's name) when the process ends. */
  readonly exited: Promise<number | string>;
  /** Everything the process wrote to stderr (its log) and stdout, the last 1 MiB. */
  output(): string;
  /** Resolves once the process printed its endpoints (RPC, LCD and p2p are up). */
  readonly ready: Promise<void>;
}

export interface SpawnOptions {
  readonly logLevel?: "debug" | "info" | "warn" | "error";
  /** Run the node's enclave worker (default true; false: `--no-enclave`, no contract execution). */
  readonly enclave?: boolean;
  /** Called with every output line (e.g. to prefix and print it). */
  readonly onLine?: (line: string) => void;
  /** Extra flags for the node binary, before the script (e.g. `--cpu-prof --cpu-prof-dir=…`). */
  readonly nodeFlags?: readonly string[];
}

/** Starts validator `index` of the localnet as its own process (`scrt start`). */
export function spawnValidator(net: Localnet, index: number, o: SpawnOptions = {}): ValidatorProcess {
  const node = net.nodes[index];
  if (node === undefined) throw new NodeError("NODE_INVALID_OPTIONS", `no node ${index} in the localnet`);
  const args = [
    ...(CLI_MAIN.endsWith(".ts") ? ["--import", "tsx"] : []),
    ...(o.nodeFlags ?? []),
    CLI_MAIN,
    "start",
    "--home",
    node.home,
    ...(o.enclave === false ? ["--no-enclave"] : []),
    "--log-level",
    o.logLevel ?? "info",
  ];
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let readyResolve: () => void = () => {};
  let readyReject: (e: Error) => void = () => {};
  const ready = new Promise<void>((res, rej) => {
    readyResolve = res;
    readyReject = rej;
  });
  ready.catch(() => {});
  const onData = (d: Buffer): void => {
    const text = d.toString();
    out = (out + text).slice(-1_048_576);
    if (out.includes("  p2p  ")) readyResolve();
    if (o.onLine !== undefined) for (const line of text.split("\n")) if (line !== "") o.onLine(line);
  };
  child.stdout!.on("data", onData);
  child.stderr!.on("data", onData);
  const exited = new Promise<number | string>((resolve) =>
    child.on("exit", (code, signal) => {
      readyReject(new NodeError("NODE_HALTED", `node${index} exited (${code ?? signal}) before it was ready`));
      resolve(code ?? signal ?? -1);
    }),
  );
  return { node, child, exited, output: () => out, ready };
}
