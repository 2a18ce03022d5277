/**
 * The node's home folder, CometBFT-shaped:
 *
 * ```
 * <home>/config/config.json                node options (JSON; see NodeConfigFile)
 * <home>/config/genesis.json               CometBFT genesis with app_state {auth, bank, register}
 * <home>/config/node_key.json              {"priv_key": {"type": "tendermint/PrivKeyEd25519", "value": b64(seed ‖ pub)}}
 * <home>/config/priv_validator_key.json    {"address", "pub_key", "priv_key"} (CometBFT FilePV key)
 * <home>/config/dev_authority_key.json     the dev attestation authority's Ed25519 seed (dev networks only)
 * <home>/data/priv_validator_state.json    last signed height/round/step (+ signature, sign bytes)
 * <home>/data/application/                 LMDB: the app's multistore
 * <home>/data/blockstore/                  LMDB: blocks, results, indexes
 * <home>/data/cs.wal/wal                   the consensus WAL (the current height only)
 * <home>/enclave/                          the enclave's own sealed files
 * ```
 *
 * Every file is read as untrusted JSON and checked; a bad one is `NODE_HOME_INVALID` with its path.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import type { Timestamp } from "../codec/consensus.ts";
import { ed25519Address, type LastSignState } from "../consensus/index.ts";
import { ed25519PublicKey, randomBytes, sha256 } from "../crypto/index.ts";
import { fromBase64, toBase64 } from "../primitives/base64.ts";
import { fromHex, toHex } from "../primitives/hex.ts";
import { NodeError } from "./errors.ts";

export { homePaths, type HomePaths } from "./paths.ts";

/** Writes a file atomically and durably: temp file, fsync, rename, fsync of the folder. */
export function writeFileDurable(path: string, data: string | Uint8Array, mode = 0o600): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, "w", mode);
  try {
    const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
    let off = 0;
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  try {
    const dfd = openSync(dirname(path), "r");
    try {
      fsyncSync(dfd);
    } finally {
      closeSync(dfd);
    }
  } catch {
    // some platforms cannot fsync a directory
  }
}

export function readJsonFile(path: string): unknown {
  if (!existsSync(path)) throw new NodeError("NODE_HOME_MISSING", `${path} does not exist (run 'scrt init' first)`);
  try {
    return JSON.parse(readFileSync(path, "utf8")) as unknown;
  } catch (e) {
    throw new NodeError("NODE_HOME_INVALID", `${path}: not valid JSON (${(e as Error).message})`);
  }
}

function obj(v: unknown, what: string): Record<string, unknown> {
  if (v === null || typeof v !== "object" || Array.isArray(v))
    throw new NodeError("NODE_HOME_INVALID", `${what} must be an object`);
  return v as Record<string, unknown>;
}

function str(v: unknown, what: string): string {
  if (typeof v !== "string") throw new NodeError("NODE_HOME_INVALID", `${what} must be a string`);
  return v;
}

function b64(v: unknown, what: string, length?: number): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = fromBase64(str(v, what));
  } catch {
    throw new NodeError("NODE_HOME_INVALID", `${what} is not valid base64`);
  }
  if (length !== undefined && bytes.length !== length) {
    throw new NodeError("NODE_HOME_INVALID", `${what} must be ${length} bytes, got ${bytes.length}`);
  }
  return bytes;
}

// ---------------------------------------------------------------------------------------------------
// Keys

export interface Ed25519KeyFile {
  readonly seed: Uint8Array;
  readonly pubKey: Uint8Array;
}

export function privKeyJson(seed: Uint8Array): { type: string; value: string } {
  const pub = ed25519PublicKey(seed);
  const full = new Uint8Array(64);
  full.set(seed);
  full.set(pub, 32);
  return { type: "tendermint/PrivKeyEd25519", value: toBase64(full) };
}

function readPrivKey(v: unknown, what: string): Ed25519KeyFile {
  const o = obj(v, what);
  if (o.type !== "tendermint/PrivKeyEd25519")
    throw new NodeError("NODE_HOME_INVALID", `${what}.type must be tendermint/PrivKeyEd25519`);
  const full = b64(o.value, `${what}.value`, 64);
  const seed = full.slice(0, 32);
  const pubKey = ed25519PublicKey(seed);
  if (toHex(pubKey) !== toHex(full.subarray(32)))
    throw new NodeError("NODE_HOME_INVALID", `${what}: public half does not match`);
  return { seed, pubKey };
}

export function privValidatorKeyJson(seed: Uint8Array): unknown {
  const pub = ed25519PublicKey(seed);
  return {
    address: toHex(ed25519Address(pub)).toUpperCase(),
    pub_key: { type: "tendermint/PubKeyEd25519", value: toBase64(pub) },
    priv_key: privKeyJson(seed),
  };
}

/**
 * Writes a fresh node key (p2p identity) and a fresh validator key into a home (durably); returns the
 * validator key's seed.
 */
export function writeNewNodeKeys(p: { readonly nodeKey: string; readonly privValidatorKey: string }): Uint8Array {
  writeFileDurable(p.nodeKey, JSON.stringify({ priv_key: privKeyJson(newKeySeed()) }, null, 2) + "\n");
  const pvSeed = newKeySeed();
  writeFileDurable(p.privValidatorKey, JSON.stringify(privValidatorKeyJson(pvSeed), null, 2) + "\n");
  return pvSeed;
}

export function loadPrivValidatorKey(path: string): Ed25519KeyFile {
  const o = obj(readJsonFile(path), path);
  const key = readPrivKey(o.priv_key, `${path} priv_key`);
  const pub = b64(obj(o.pub_key, `${path} pub_key`).value, `${path} pub_key.value`, 32);
  if (toHex(pub) !== toHex(key.pubKey))
    throw new NodeError("NODE_HOME_INVALID", `${path}: pub_key does not match priv_key`);
  return key;
}

export function loadNodeKey(path: string): Ed25519KeyFile & { readonly id: string } {
  const key = readPrivKey(obj(readJsonFile(path), path).priv_key, `${path} priv_key`);
  return { ...key, id: toHex(sha256(key.pubKey).slice(0, 20)) };
}

export function loadDevAuthorityKey(path: string): Uint8Array | undefined {
  if (!existsSync(path)) return undefined;
  return readPrivKey(obj(readJsonFile(path), path).priv_key, `${path} priv_key`).seed;
}

// ---------------------------------------------------------------------------------------------------
// Privval state (double-sign protection across WAL rotations)

export function savePrivValidatorState(path: string, last: LastSignState): void {
  const doc: Record<string, unknown> = { height: last.height.toString(), round: last.round, step: last.step };
  if (last.signature !== null) doc.signature = toBase64(last.signature);
  if (last.signBytes !== null) doc.signbytes = toHex(last.signBytes).toUpperCase();
  if (last.timestamp !== null)
    doc.timestamp = { seconds: last.timestamp.seconds.toString(), nanos: last.timestamp.nanos };
  writeFileDurable(path, JSON.stringify(doc, null, 2) + "\n");
}

export function loadPrivValidatorState(path: string): LastSignState {
  if (!existsSync(path)) return { height: 0n, round: 0, step: 0, signBytes: null, signature: null, timestamp: null };
  const o = obj(readJsonFile(path), path);
  const heightText = str(o.height, `${path} height`);
  if (!/^\d+$/.test(heightText)) throw new NodeError("NODE_HOME_INVALID", `${path}: height must be a decimal string`);
  const round = o.round;
  const step = o.step;
  if (typeof round !== "number" || !Number.isSafeInteger(round) || round < 0)
    throw new NodeError("NODE_HOME_INVALID", `${path}: bad round`);
  if (typeof step !== "number" || ![0, 1, 2, 3].includes(step))
    throw new NodeError("NODE_HOME_INVALID", `${path}: bad step`);
  let timestamp: Timestamp | null = null;
  if (o.timestamp !== undefined) {
    const t = obj(o.timestamp, `${path} timestamp`);
    const s = str(t.seconds, `${path} timestamp.seconds`);
    if (!/^-?\d+$/.test(s) || typeof t.nanos !== "number" || !Number.isInteger(t.nanos)) {
      throw new NodeError("NODE_HOME_INVALID", `${path}: bad timestamp`);
    }
    timestamp = { seconds: BigInt(s), nanos: t.nanos };
  }
  let signBytes: Uint8Array | null = null;
  if (o.signbytes !== undefined) {
    try {
      signBytes = fromHex(str(o.signbytes, `${path} signbytes`).toLowerCase());
    } catch {
      throw new NodeError("NODE_HOME_INVALID", `${path}: signbytes is not hex`);
    }
  }
  return {
    height: BigInt(heightText),
    round,
    step,
    signBytes,
    signature: o.signature === undefined ? null : b64(o.signature, `${path} signature`),
    timestamp,
  };
}

// ---------------------------------------------------------------------------------------------------
// Config

export interface NodeConfig {
  readonly moniker: string;
  readonly logLevel: "debug" | "info" | "warn" | "error";
  /** Timeouts (ms) of round 0 and the per-round increase. */
  readonly timeoutProposeMs: number;
  readonly timeoutProposeDeltaMs: number;
  readonly timeoutPrevoteMs: number;
  readonly timeoutPrevoteDeltaMs: number;
  readonly timeoutPrecommitMs: number;
  readonly timeoutPrecommitDeltaMs: number;
  /** CometBFT `create_empty_blocks`: false = a new height starts only when the mempool has txs. */
  readonly createEmptyBlocks: boolean;
  /** With `createEmptyBlocks` false: still make an empty block after this long without txs (0: never). */
  readonly emptyBlockIntervalMs: number;
  /** Least time between a commit and the next height's start, to collect txs into one block. */
  readonly timeoutCommitMs: number;
  /** The WAL starts over at the first height boundary after it has grown past this many bytes. */
  readonly walRotateBytes: number;
  readonly mempoolSize: number;
  readonly mempoolMaxBytes: number;
  readonly maxTxBytes: number;
  /** Minimum gas price CheckTx enforces, e.g. `0.0125uscrt`. */
  readonly minGasPrices: string;
  readonly rpcListen: string;
  readonly lcdListen: string;
  /** p2p listen address `host:port` (empty: no p2p, a lone validator). */
  readonly p2pListen: string;
  /** Comma-separated `<node id>@host:port` or `/ip4/…/tcp/…/p2p/<peer id>`, dialled and redialled. */
  readonly persistentPeers: string;
}

export const DEFAULT_NODE_CONFIG: NodeConfig = {
  moniker: "node",
  logLevel: "info",
  timeoutProposeMs: 1000,
  timeoutProposeDeltaMs: 500,
  timeoutPrevoteMs: 200,
  timeoutPrevoteDeltaMs: 200,
  timeoutPrecommitMs: 200,
  timeoutPrecommitDeltaMs: 200,
  createEmptyBlocks: false,
  emptyBlockIntervalMs: 0,
  timeoutCommitMs: 10,
  walRotateBytes: 1024 * 1024,
  mempoolSize: 5000,
  mempoolMaxBytes: 64 * 1024 * 1024,
  maxTxBytes: 1024 * 1024,
  minGasPrices: "0.0125uscrt",
  rpcListen: "127.0.0.1:26657",
  lcdListen: "127.0.0.1:1317",
  p2pListen: "",
  persistentPeers: "",
};

const CONFIG_KEYS: Readonly<Record<keyof NodeConfig, string>> = {
  moniker: "moniker",
  logLevel: "log_level",
  timeoutProposeMs: "timeout_propose_ms",
  timeoutProposeDeltaMs: "timeout_propose_delta_ms",
  timeoutPrevoteMs: "timeout_prevote_ms",
  timeoutPrevoteDeltaMs: "timeout_prevote_delta_ms",
  timeoutPrecommitMs: "timeout_precommit_ms",
  timeoutPrecommitDeltaMs: "timeout_precommit_delta_ms",
  createEmptyBlocks: "create_empty_blocks",
  emptyBlockIntervalMs: "empty_block_interval_ms",
  timeoutCommitMs: "timeout_commit_ms",
  walRotateBytes: "wal_rotate_bytes",
  mempoolSize: "mempool_size",
  mempoolMaxBytes: "mempool_max_bytes",
  maxTxBytes: "max_tx_bytes",
  minGasPrices: "min_gas_prices",
  rpcListen: "rpc_laddr",
  lcdListen: "lcd_laddr",
  p2pListen: "p2p_laddr",
  persistentPeers: "persistent_peers",
};

export function configToJson(c: NodeConfig): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, name] of Object.entries(CONFIG_KEYS)) out[name] = c[k as keyof NodeConfig];
  return out;
}

/** Checks a config.json document; missing fields take the defaults, unknown fields are refused. */
export function configFromJson(v: unknown, what = "config.json"): NodeConfig {
  const o = obj(v, what);
  const byName = new Map(Object.entries(CONFIG_KEYS).map(([k, name]) => [name, k as keyof NodeConfig]));
  const out: Record<string, unknown> = { ...DEFAULT_NODE_CONFIG };
  for (const [name, value] of Object.entries(o)) {
    const k = byName.get(name);
    if (k === undefined) throw new NodeError("NODE_HOME_INVALID", `${what}: unknown field ${name}`);
    const def = DEFAULT_NODE_CONFIG[k];
    if (typeof def === "number") {
      if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
        throw new NodeError("NODE_HOME_INVALID", `${what}: ${name} must be a non-negative integer`);
      }
    } else if (typeof value !== typeof def) {
      throw new NodeError("NODE_HOME_INVALID", `${what}: ${name} must be a ${typeof def}`);
    }
    out[k] = value;
  }
  const c = out as unknown as NodeConfig;
  if (!["debug", "info", "warn", "error"].includes(c.logLevel))
    throw new NodeError("NODE_HOME_INVALID", `${what}: bad log_level`);
  if (c.mempoolSize < 1 || c.mempoolMaxBytes < 1 || c.maxTxBytes < 1) {
    throw new NodeError("NODE_HOME_INVALID", `${what}: mempool bounds must be positive`);
  }
  return c;
}

export function loadConfig(path: string): NodeConfig {
  return existsSync(path) ? configFromJson(readJsonFile(path), path) : DEFAULT_NODE_CONFIG;
}

export function newKeySeed(): Uint8Array {
  return randomBytes(32);
}
