/**
 * A node joining a running network by on-chain remote attestation (crypto.md §10.2–10.3, chain-api.md
 * §3.4), the path upstream takes with `secretd init-enclave` → `secretd tx register auth` →
 * `secretd q register secret-network-params` / the node's encrypted seed → `secretd configure-secret`:
 *
 * ```
 * initJoinHome (scrt init --genesis FILE)        registerOnChain (scrt register)
 *   own node / validator keys, the network's       enclave.createRegistration ─ quote ocall ─► dev authority key
 *   genesis (checked), the genesis attestation     MsgRaAuthenticate{sender, evidence} signed DIRECT ─► RPC broadcast_tx_sync
 *   policy set into the enclave; NO seeds          tx result (code 0, `register` message event) ◄─ RPC tx
 *                                                  abci_query EncryptedSeed{reg_pk} ─► enclave.acceptSeeds ─► sealed
 * ```
 *
 * The seeds reach this node only encrypted to its enclave's registration key; the host sees ciphertext.
 * Once accepted they are sealed in `<home>/enclave/`, so `scrt start` loads them on every start.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createSoftwareEvidence, encodePolicy, policyFromJson, type AttestationPolicy } from "../attestation/index.ts";
import { RpcClient } from "../client/rpc.ts";
import { feeForGas, signTxDirect } from "../client/tx.ts";
import {
  BASE_ACCOUNT_URL,
  decodeBaseAccount,
  decodeQueryAccountResponse,
  encodeQueryAccountRequest,
} from "../codec/auth.ts";
import {
  decodeQueryEncryptedSeedResponse,
  encodeMsgRaAuthenticate,
  encodeQueryEncryptedSeedRequest,
  REGISTRATION_QUERY_PATHS,
  REGISTRATION_URLS,
} from "../codec/registration.ts";
import type { Any } from "../codec/tx.ts";
import { ripemd160, secp256k1PublicKey, sha256 } from "../crypto/index.ts";
import type { OcallHandlers, WorkerEnclave } from "../enclave-api/index.ts";
import { fromBase64, toBase64 } from "../primitives/base64.ts";
import { encodeAddress } from "../primitives/bech32.ts";
import { bytesEqual, concatBytes } from "../primitives/bytes.ts";
import { CodedError, isCodedError } from "../primitives/errors.ts";
import { fromHex, toHex } from "../primitives/hex.ts";
import { silentLogger, type Logger } from "../primitives/observability.ts";
import { startEnclave } from "./enclave.ts";
import { parseGenesis } from "./genesis.ts";
import {
  configToJson,
  DEFAULT_NODE_CONFIG,
  homePaths,
  loadDevAuthorityKey,
  loadNodeKey,
  writeFileDurable,
  writeNewNodeKeys,
  type NodeConfig,
} from "./home.ts";
import { NodeError } from "./errors.ts";

export type JoinErrorCode =
  /** The genesis file is missing, not JSON, not a genesis, or has no usable `app_state.register`. */
  | "JOIN_GENESIS_INVALID"
  /** The attestation authority key file is missing or not an ed25519 key file. */
  | "JOIN_AUTHORITY_KEY"
  /** The home's enclave already holds the network seeds: nothing to register. */
  | "JOIN_ALREADY_REGISTERED"
  /** The enclave refused to attest (its quote does not pass the genesis policy, e.g. an unknown authority). */
  | "JOIN_ATTESTATION_REFUSED"
  /** The node behind the RPC runs another chain than the home's genesis. */
  | "JOIN_CHAIN_MISMATCH"
  /** The signing account does not exist on the chain (it needs funds for the fee). */
  | "JOIN_ACCOUNT_NOT_FOUND"
  /** CheckTx refused the RaAuthenticate tx (fee, sequence, signature…). */
  | "JOIN_TX_REJECTED"
  /** The tx was included but failed: the chain refused the registration (log in the details). */
  | "JOIN_TX_FAILED"
  /** The tx or the encrypted seed did not show up in time. */
  | "JOIN_TIMEOUT"
  /** The chain answered something other than the seed of this registration key. */
  | "JOIN_SEED_NOT_FOUND"
  /** The enclave could not open the seeds, or they do not give the genesis's network keys. */
  | "JOIN_SEEDS_REFUSED";

export class JoinError extends CodedError<JoinErrorCode> {
  override readonly name = "JoinError";
}

// ---------------------------------------------------------------------------------------------------
// The network's genesis

/** What a joining node takes from the network's genesis. */
export interface NetworkGenesis {
  readonly chainId: string;
  readonly nodeExchKey: Uint8Array;
  readonly ioExchKey: Uint8Array;
  readonly policy: AttestationPolicy;
  /** The file as read, copied byte for byte into the home (peers compare the genesis hash). */
  readonly bytes: Uint8Array;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function key32(v: unknown, what: string): Uint8Array {
  let bytes: Uint8Array;
  try {
    if (typeof v !== "string") throw new Error("not a string");
    bytes = fromBase64(v);
  } catch {
    throw new JoinError("JOIN_GENESIS_INVALID", `${what} must be base64`);
  }
  if (bytes.length !== 32) throw new JoinError("JOIN_GENESIS_INVALID", `${what} must be 32 bytes, got ${bytes.length}`);
  return bytes;
}

/** Reads and checks a network's genesis.json: CometBFT shape, and a `register` section with keys and a policy. */
export function loadNetworkGenesis(file: string): NetworkGenesis {
  let bytes: Uint8Array;
  let text: string;
  try {
    bytes = new Uint8Array(readFileSync(file));
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch (e) {
    throw new JoinError("JOIN_GENESIS_INVALID", `cannot read the genesis file ${file}: ${(e as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text) as unknown;
  } catch (e) {
    throw new JoinError("JOIN_GENESIS_INVALID", `${file} is not JSON: ${(e as Error).message}`);
  }
  let chainId: string;
  let appState: unknown;
  try {
    const g = parseGenesis(doc);
    chainId = g.chainId;
    appState = g.appState;
  } catch (e) {
    throw new JoinError("JOIN_GENESIS_INVALID", `${file}: ${(e as Error).message}`);
  }
  const register = isRecord(appState) ? appState.register : undefined;
  if (!isRecord(register)) {
    throw new JoinError(
      "JOIN_GENESIS_INVALID",
      `${file} has no app_state.register: the network publishes no keys to register with`,
    );
  }
  const nodeExchKey = key32(register.node_exch_key, "app_state.register.node_exch_key");
  const ioExchKey = key32(register.io_exch_key, "app_state.register.io_exch_key");
  const params = register.params;
  if (!isRecord(params) || params.attestation_policy === undefined) {
    throw new JoinError("JOIN_GENESIS_INVALID", `${file}: app_state.register.params.attestation_policy is missing`);
  }
  let policy: AttestationPolicy;
  try {
    policy = policyFromJson(params.attestation_policy);
  } catch (e) {
    throw new JoinError("JOIN_GENESIS_INVALID", `${file}: attestation_policy: ${(e as Error).message}`);
  }
  return { chainId, nodeExchKey, ioExchKey, policy, bytes };
}

// ---------------------------------------------------------------------------------------------------
// The joining node's home

export interface JoinHomeOptions {
  readonly home: string;
  /** The network's genesis.json (from a running node's `config/genesis.json`, or RPC `genesis`). */
  readonly genesisFile: string;
  readonly moniker?: string;
  /** Node options on top of the defaults (e.g. `p2pListen`, `persistentPeers`). */
  readonly config?: Partial<NodeConfig>;
  /**
   * The attestation authority's key file (`{"priv_key": …}`, as `config/dev_authority_key.json`),
   * copied into the home: the software stand-in for the platform's quoting service.
   */
  readonly authorityKeyFile?: string;
  readonly logger?: Logger;
}

export interface JoinHomeResult {
  readonly chainId: string;
  readonly nodeId: string;
  readonly measurement: Uint8Array;
  /** Whether the genesis policy allow-lists this enclave build (if not, registration will be refused). */
  readonly measurementAllowed: boolean;
}

/**
 * A home for a node joining an existing network: its own node and validator keys, the network's
 * genesis, and an enclave that holds the genesis attestation policy but no seeds (they come from
 * `registerOnChain`). Nothing is bootstrapped.
 */
export async function initJoinHome(o: JoinHomeOptions): Promise<JoinHomeResult> {
  const log = o.logger ?? silentLogger;
  const p = homePaths(o.home);
  if (existsSync(p.genesis)) {
    throw new NodeError("NODE_HOME_EXISTS", `${p.genesis} already exists; use another --home or remove it`);
  }
  const network = loadNetworkGenesis(o.genesisFile);
  if (o.authorityKeyFile !== undefined) readAuthorityKey(o.authorityKeyFile); // checked before anything is written
  mkdirSync(`${o.home}/config`, { recursive: true });
  mkdirSync(`${o.home}/data`, { recursive: true });
  const config: NodeConfig = { ...DEFAULT_NODE_CONFIG, ...o.config, moniker: o.moniker ?? o.config?.moniker ?? "node" };
  writeFileSync(p.config, JSON.stringify(configToJson(config), null, 2) + "\n");
  writeNewNodeKeys(p);
  if (o.authorityKeyFile !== undefined) copyFileSync(o.authorityKeyFile, p.devAuthorityKey);

  const enclave = await startEnclave(o.home);
  let measurement: Uint8Array;
  try {
    const status = enclave.call("getStatus", {});
    if (status.hasSealedKeychain) {
      throw new JoinError("JOIN_ALREADY_REGISTERED", `the enclave in ${o.home} already holds network seeds`);
    }
    measurement = status.measurement;
    enclave.call("setPolicy", { policy: encodePolicy(network.policy) });
  } finally {
    await enclave.close();
  }
  // The genesis goes in last: a home with a genesis is a finished home (`init` refuses it again).
  writeFileDurable(p.genesis, network.bytes, 0o644);
  const measurementAllowed = network.policy.allowedMeasurements.some((m) => bytesEqual(m.measurement, measurement));
  log.info("join home created", { chainId: network.chainId, measurement: toHex(measurement).slice(0, 16) });
  return { chainId: network.chainId, nodeId: loadNodeKey(p.nodeKey).id, measurement, measurementAllowed };
}

function readAuthorityKey(file: string): Uint8Array {
  let seed: Uint8Array | undefined;
  try {
    seed = loadDevAuthorityKey(file);
  } catch (e) {
    throw new JoinError("JOIN_AUTHORITY_KEY", `${file} is not an authority key file: ${(e as Error).message}`);
  }
  if (seed === undefined) throw new JoinError("JOIN_AUTHORITY_KEY", `the authority key file ${file} does not exist`);
  return seed;
}

// ---------------------------------------------------------------------------------------------------
// Registration on chain

export interface RegisterOptions {
  readonly home: string;
  /** A running node's Tendermint RPC, e.g. `http://127.0.0.1:26657`. */
  readonly node: string;
  /** The funded account that signs and pays for the RaAuthenticate tx (secp256k1 private key). */
  readonly signer: { readonly privateKey: Uint8Array };
  /** The attestation authority key file; default the home's `config/dev_authority_key.json`. */
  readonly authorityKeyFile?: string;
  /** Gas limit of the tx (default 200 000) and its price (default 0.1 uscrt), or a fixed fee in uscrt. */
  readonly gas?: bigint;
  readonly gasPrice?: { readonly denom: string; readonly amount: string };
  readonly feeUscrt?: bigint;
  /** Per HTTP request (default 30 s). */
  readonly requestTimeoutMs?: number;
  /** For the tx to be included and the seed to be readable (default 60 s). */
  readonly waitTimeoutMs?: number;
  readonly pollMs?: number;
  readonly logger?: Logger;
  /** Called as each step starts (CLI progress). */
  readonly onStep?: (step: RegisterStep) => void;
}

export type RegisterStep = "attest" | "broadcast" | "wait" | "seed" | "accept";

export interface RpcEvent {
  readonly type: string;
  readonly attributes: readonly { readonly key: string; readonly value: string }[];
}

export interface RegisterResult {
  readonly chainId: string;
  readonly registrationPublicKey: Uint8Array;
  /** The RaAuthenticate tx; undefined when the chain already held a seed for this key (an earlier run). */
  readonly tx?: { readonly hash: string; readonly height: number; readonly events: readonly RpcEvent[] };
  readonly encryptedSeed: Uint8Array;
  readonly nodeExchKey: Uint8Array;
  readonly ioExchKey: Uint8Array;
}

const DEFAULT_GAS = 200_000n;
const DEFAULT_GAS_PRICE = { denom: "uscrt", amount: "0.1" } as const;

/**
 * Registers the home's enclave with the network through a running node: attest (the enclave's
 * registration key, quoted by the authority key), send `RaAuthenticate` signed by `signer`, check the
 * tx result, read the node's encrypted seed by its registration key, and give it to the enclave, which
 * decrypts, checks it against the genesis `node_exch_key` and seals it. Running it again after a
 * failure is safe: the enclave keeps its registration key, and a seed already on chain is used as is.
 */
export async function registerOnChain(o: RegisterOptions): Promise<RegisterResult> {
  const log = o.logger ?? silentLogger;
  const p = homePaths(o.home);
  if (!existsSync(p.genesis)) {
    throw new NodeError(
      "NODE_HOME_MISSING",
      `${p.genesis} not found: run 'scrt init --genesis FILE --home ${o.home}' first`,
    );
  }
  const network = loadNetworkGenesis(p.genesis);
  const authorityFile = o.authorityKeyFile ?? p.devAuthorityKey;
  const authoritySeed = readAuthorityKey(authorityFile);
  const rpc = new RpcClient(o.node, { timeoutMs: o.requestTimeoutMs ?? 30_000 });
  const status = await rpc.status();
  const nodeInfo = isRecord(status.node_info) ? status.node_info : {};
  if (nodeInfo.network !== network.chainId) {
    throw new JoinError(
      "JOIN_CHAIN_MISMATCH",
      `${o.node} runs chain '${String(nodeInfo.network)}', the home's genesis is '${network.chainId}'`,
    );
  }
  const waitMs = o.waitTimeoutMs ?? 60_000;
  const pollMs = o.pollMs ?? 250;

  const enclave = await startEnclave(o.home);
  try {
    const es = enclave.call("getStatus", {});
    if (es.hasSealedKeychain) {
      throw new JoinError(
        "JOIN_ALREADY_REGISTERED",
        `the enclave in ${o.home} already holds the network seeds: start the node ('scrt start --home ${o.home}')`,
      );
    }
    // The policy may have been set at init already; setting the genesis one again is harmless.
    if (!es.hasPolicy) enclave.call("setPolicy", { policy: encodePolicy(network.policy) });

    o.onStep?.("attest");
    const nowSeconds = (): bigint => BigInt(Math.floor(Date.now() / 1000));
    const quote: OcallHandlers = {
      quote: (report) => ({ evidence: createSoftwareEvidence(report, nowSeconds(), authoritySeed) }),
    };
    let reg: { registrationPublicKey: Uint8Array; evidence: Uint8Array };
    try {
      reg = enclave.call("createRegistration", {}, quote);
    } catch (e) {
      if (!isCodedError(e)) throw e;
      throw new JoinError(
        "JOIN_ATTESTATION_REFUSED",
        `the enclave refused to attest with the authority key ${authorityFile}: ${e.code}: ${e.message}`,
        { enclaveCode: e.code },
      );
    }
    const regPk = reg.registrationPublicKey;
    log.info("registration key attested", { key: toHex(regPk).slice(0, 16) });

    let tx: RegisterResult["tx"];
    let encryptedSeed = await queryEncryptedSeed(rpc, regPk);
    if (encryptedSeed === undefined) {
      o.onStep?.("broadcast");
      tx = await sendRaAuthenticate(rpc, {
        chainId: network.chainId,
        signer: o.signer,
        certificate: reg.evidence,
        gas: o.gas ?? DEFAULT_GAS,
        ...(o.feeUscrt === undefined
          ? { fee: feeForGas(o.gas ?? DEFAULT_GAS, o.gasPrice ?? DEFAULT_GAS_PRICE) }
          : { fee: { denom: "uscrt", amount: o.feeUscrt } }),
        waitTimeoutMs: waitMs,
        pollMs,
        onWait: () => o.onStep?.("wait"),
      });
      log.info("RaAuthenticate committed", { hash: tx.hash, height: tx.height });
      o.onStep?.("seed");
      // The tx index may be written before the app commits the block: ask until the seed is there.
      const deadline = Date.now() + waitMs;
      for (;;) {
        encryptedSeed = await queryEncryptedSeed(rpc, regPk);
        if (encryptedSeed !== undefined) break;
        if (Date.now() > deadline) {
          throw new JoinError(
            "JOIN_TIMEOUT",
            `the registration tx ${tx.hash} is in block ${tx.height}, but ${o.node} has no seed for key ${toHex(regPk)}`,
          );
        }
        await sleep(pollMs);
      }
    } else {
      log.info("the chain already holds a seed for this registration key: using it");
    }
    if (encryptedSeed.length === 0 || encryptedSeed.length % 48 !== 0 || encryptedSeed.length > 255) {
      throw new JoinError(
        "JOIN_SEED_NOT_FOUND",
        `the encrypted seed from ${o.node} is ${encryptedSeed.length} bytes, not n × 48 (n ≤ 5)`,
      );
    }

    o.onStep?.("accept");
    const accepted = acceptSeeds(enclave, network, encryptedSeed);
    log.info("network seeds accepted and sealed", { seeds: encryptedSeed.length / 48 });
    return {
      chainId: network.chainId,
      registrationPublicKey: regPk,
      ...(tx === undefined ? {} : { tx }),
      encryptedSeed,
      nodeExchKey: accepted.nodeExchKey,
      ioExchKey: accepted.ioExchKey,
    };
  } finally {
    await enclave.close();
  }
}

function acceptSeeds(
  enclave: WorkerEnclave,
  network: NetworkGenesis,
  encryptedSeed: Uint8Array,
): { nodeExchKey: Uint8Array; ioExchKey: Uint8Array } {
  let r;
  try {
    r = enclave.call("acceptSeeds", {
      nodeExchKey: network.nodeExchKey,
      seedInput: concatBytes(Uint8Array.of(encryptedSeed.length), encryptedSeed),
    });
  } catch (e) {
    if (!isCodedError(e)) throw e;
    throw new JoinError("JOIN_SEEDS_REFUSED", `the enclave refused the seeds: ${e.code}: ${e.message}`, {
      enclaveCode: e.code,
    });
  }
  if (!r.accepted || !bytesEqual(r.ioExchKey, network.ioExchKey)) {
    throw new JoinError("JOIN_SEEDS_REFUSED", "the seeds do not give the genesis's io_exch_key");
  }
  return { nodeExchKey: r.nodeExchKey, ioExchKey: r.ioExchKey };
}

// ---------------------------------------------------------------------------------------------------
// Through the RPC

export interface RaAuthenticateTx {
  readonly chainId: string;
  readonly signer: { readonly privateKey: Uint8Array };
  /** The attestation evidence (MsgRaAuthenticate.certificate). */
  readonly certificate: Uint8Array;
  readonly gas: bigint;
  readonly fee: { readonly denom: string; readonly amount: bigint };
  readonly waitTimeoutMs?: number;
  readonly pollMs?: number;
  readonly onWait?: () => void;
}

/** The `secret1…` address of a secp256k1 private key. */
export const accountOf = (privateKey: Uint8Array): string =>
  encodeAddress(ripemd160(sha256(secp256k1PublicKey(privateKey))));

export function raAuthenticateMsg(sender: Uint8Array, certificate: Uint8Array): Any {
  return { typeUrl: REGISTRATION_URLS.RaAuthenticate, value: encodeMsgRaAuthenticate({ sender, certificate }) };
}

/**
 * Signs `RaAuthenticate{sender, certificate}` (SIGN_MODE_DIRECT; account number and sequence by
 * abci_query), broadcasts it (`broadcast_tx_sync`) and waits until it is in a block. A CheckTx refusal
 * is JOIN_TX_REJECTED, an included tx that failed JOIN_TX_FAILED (details: code, codespace, log, hash,
 * height). Exported on its own so that a test can send evidence the local enclave would not make.
 */
export async function sendRaAuthenticate(
  rpc: RpcClient,
  t: RaAuthenticateTx,
): Promise<{ hash: string; height: number; events: RpcEvent[] }> {
  const publicKey = secp256k1PublicKey(t.signer.privateKey);
  const senderBytes = ripemd160(sha256(publicKey));
  const address = encodeAddress(senderBytes);
  const account = await queryAccount(rpc, address);
  const signed = signTxDirect(
    {
      messages: [raAuthenticateMsg(senderBytes, t.certificate)],
      fee: { amount: [{ denom: t.fee.denom, amount: t.fee.amount }], gasLimit: t.gas },
    },
    { chainId: t.chainId, accountNumber: account.accountNumber, sequence: account.sequence },
    t.signer.privateKey,
  );
  const check = await rpc.call("broadcast_tx_sync", { tx: toBase64(signed.txBytes) });
  const checkCode = typeof check.code === "number" ? check.code : 0;
  if (checkCode !== 0) {
    const log = typeof check.log === "string" ? check.log : "";
    const codespace = typeof check.codespace === "string" ? check.codespace : "";
    throw new JoinError(
      "JOIN_TX_REJECTED",
      `the node refused the RaAuthenticate tx: code ${checkCode} (${codespace || "sdk"}): ${log}`,
      { code: checkCode, codespace, log, hash: signed.hash },
    );
  }
  t.onWait?.();
  const deadline = Date.now() + (t.waitTimeoutMs ?? 60_000);
  const hashB64 = toBase64(fromHex(signed.hash));
  for (;;) {
    let found;
    try {
      found = await rpc.call("tx", { hash: hashB64 });
    } catch (e) {
      if (!isCodedError(e, "CLIENT_RPC_ERROR")) throw e; // "tx … not found" until it is indexed
    }
    if (found !== undefined) {
      const result = isRecord(found.tx_result) ? found.tx_result : {};
      const code = typeof result.code === "number" ? result.code : 0;
      const codespace = typeof result.codespace === "string" ? result.codespace : "";
      const log = typeof result.log === "string" ? result.log : "";
      const height = Number(found.height);
      if (code !== 0) {
        throw new JoinError(
          "JOIN_TX_FAILED",
          `the chain refused the registration (tx ${signed.hash}, block ${height}): code ${code} (${codespace || "sdk"}): ${log}`,
          { code, codespace, log, hash: signed.hash, height },
        );
      }
      return { hash: signed.hash, height, events: eventsOf(result.events) };
    }
    if (Date.now() > deadline) {
      throw new JoinError("JOIN_TIMEOUT", `the RaAuthenticate tx ${signed.hash} was not included in time`, {
        hash: signed.hash,
      });
    }
    await sleep(t.pollMs ?? 250);
  }
}

function eventsOf(v: unknown): RpcEvent[] {
  if (!Array.isArray(v)) return [];
  return v.filter(isRecord).map((e) => ({
    type: typeof e.type === "string" ? e.type : "",
    attributes: (Array.isArray(e.attributes) ? e.attributes : []).filter(isRecord).map((a) => ({
      key: typeof a.key === "string" ? a.key : "",
      value: typeof a.value === "string" ? a.value : "",
    })),
  }));
}

/** `abci_query` at the latest height: the answer's code, log and value. */
export async function abciQuery(
  rpc: RpcClient,
  path: string,
  data: Uint8Array,
): Promise<{ code: number; codespace: string; log: string; value: Uint8Array }> {
  const r = await rpc.call("abci_query", { path, data: toHex(data) });
  const response = isRecord(r.response) ? r.response : {};
  let value: Uint8Array = new Uint8Array(0);
  if (typeof response.value === "string") {
    try {
      value = fromBase64(response.value);
    } catch {
      throw new JoinError("JOIN_SEED_NOT_FOUND", `abci_query ${path}: the value is not base64`);
    }
  }
  return {
    code: typeof response.code === "number" ? response.code : 0,
    codespace: typeof response.codespace === "string" ? response.codespace : "",
    log: typeof response.log === "string" ? response.log : "",
    value,
  };
}

async function queryAccount(rpc: RpcClient, address: string): Promise<{ accountNumber: bigint; sequence: bigint }> {
  const r = await abciQuery(rpc, "/cosmos.auth.v1beta1.Query/Account", encodeQueryAccountRequest({ address }));
  if (r.code !== 0) {
    throw new JoinError(
      "JOIN_ACCOUNT_NOT_FOUND",
      `account ${address} is not on the chain (${r.log || `code ${r.code}`}): it pays the registration fee, fund it first`,
    );
  }
  const any = decodeQueryAccountResponse(r.value);
  if (any.typeUrl !== BASE_ACCOUNT_URL) {
    throw new JoinError("JOIN_ACCOUNT_NOT_FOUND", `account ${address} is a ${any.typeUrl}, not a base account`);
  }
  const a = decodeBaseAccount(any.value);
  return { accountNumber: a.accountNumber, sequence: a.sequence };
}

/** The chain's encrypted seed for registration key `regPk`, or undefined while there is none. */
export async function queryEncryptedSeed(rpc: RpcClient, regPk: Uint8Array): Promise<Uint8Array | undefined> {
  const r = await abciQuery(rpc, REGISTRATION_QUERY_PATHS.EncryptedSeed, encodeQueryEncryptedSeedRequest(regPk));
  if (r.code !== 0) return undefined; // sdk 9 "Node has not been authenticated yet"
  const seed = decodeQueryEncryptedSeedResponse(r.value);
  return seed.length === 0 ? undefined : seed;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
