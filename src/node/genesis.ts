/**
 * genesis.json in CometBFT's shape, with the app's `app_state` ({auth, bank, register, staking,
 * distribution, mint, slashing, gov, genutil: {gen_txs}}). `validators` may be empty: the set then
 * comes from the app's `initChain` (the gentxs), as with upstream's `collect-gentxs`.
 *
 * ```json
 * { "genesis_time": "2026-01-01T00:00:00.000000000Z", "chain_id": "secretdev-1", "initial_height": "1",
 *   "consensus_params": { "block": { "max_bytes": "22020096", "max_gas": "-1" }, "evidence": {…},
 *                         "validator": { "pub_key_types": ["ed25519"] }, "version": { "app": "0" } },
 *   "app_hash": "", "validators": [{ "address": "HEX", "pub_key": { "type": "tendermint/PubKeyEd25519",
 *   "value": "b64" }, "power": "10", "name": "validator" }], "app_state": { … } }
 * ```
 */
import { ed25519Address } from "../consensus/index.ts";
import { fromBase64, toBase64 } from "../primitives/base64.ts";
import { encodeAddress } from "../primitives/bech32.ts";
import { toHex } from "../primitives/hex.ts";
import { NodeError } from "./errors.ts";
import type { ConsensusParams } from "./blockCodec.ts";

export interface GenesisValidator {
  readonly pubKey: Uint8Array;
  readonly power: bigint;
  readonly name: string;
}

export interface Genesis {
  /** Nanoseconds since the epoch. */
  readonly genesisTimeNanos: bigint;
  readonly chainId: string;
  readonly initialHeight: number;
  readonly consensusParams: ConsensusParams;
  readonly validators: readonly GenesisValidator[];
  readonly appState: unknown;
  /** The document as read (what RPC `genesis` returns). */
  readonly json: Record<string, unknown>;
}

export const DEFAULT_CONSENSUS_PARAMS: ConsensusParams = { maxBlockBytes: 22_020_096, maxBlockGas: -1n };

/** RFC 3339 with nanoseconds, as Go prints a `time.Time` in JSON. */
export function formatTimeNanos(nanos: bigint): string {
  const ms = Number(nanos / 1_000_000n);
  const iso = new Date(ms).toISOString(); // …T…:ss.mmmZ
  const frac = (nanos % 1_000_000_000n).toString().padStart(9, "0");
  return `${iso.slice(0, 19)}.${frac}Z`;
}

export function parseTimeNanos(text: string, what: string): bigint {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?Z$/.exec(text);
  if (m === null) throw new NodeError("NODE_HOME_INVALID", `${what}: not an RFC 3339 UTC time`);
  const ms = Date.parse(`${m[1]}Z`);
  if (Number.isNaN(ms)) throw new NodeError("NODE_HOME_INVALID", `${what}: not a valid time`);
  return BigInt(ms) * 1_000_000n + BigInt((m[2] ?? "").padEnd(9, "0"));
}

export interface GenesisAccount {
  /** bech32 `secret1…`. */
  readonly address: string;
  readonly coins: readonly { readonly denom: string; readonly amount: string }[];
}

export function createGenesisJson(opts: {
  chainId: string;
  genesisTimeNanos: bigint;
  /** Usually empty: the gentxs make the set. */
  validators: readonly GenesisValidator[];
  accounts: readonly GenesisAccount[];
  register: unknown;
  /** More `app_state` modules (staking, distribution, mint, slashing, gov) in upstream's JSON shape. */
  modules?: Readonly<Record<string, unknown>>;
  /** `genutil.gen_txs`: JSON txs, each one `MsgCreateValidator` (see src/app/genutil.ts). */
  genTxs?: readonly unknown[];
  consensusParams?: ConsensusParams;
}): Record<string, unknown> {
  const p = opts.consensusParams ?? DEFAULT_CONSENSUS_PARAMS;
  const supply = new Map<string, bigint>();
  for (const a of opts.accounts)
    for (const c of a.coins) supply.set(c.denom, (supply.get(c.denom) ?? 0n) + BigInt(c.amount));
  return {
    genesis_time: formatTimeNanos(opts.genesisTimeNanos),
    chain_id: opts.chainId,
    initial_height: "1",
    consensus_params: {
      block: { max_bytes: String(p.maxBlockBytes), max_gas: p.maxBlockGas.toString() },
      evidence: { max_age_num_blocks: "100000", max_age_duration: "172800000000000", max_bytes: "1048576" },
      validator: { pub_key_types: ["ed25519"] },
      version: { app: "0" },
      abci: { vote_extensions_enable_height: "0" },
    },
    app_hash: "",
    validators: opts.validators.map((v) => ({
      address: toHex(ed25519Address(v.pubKey)).toUpperCase(),
      pub_key: { type: "tendermint/PubKeyEd25519", value: toBase64(v.pubKey) },
      power: v.power.toString(),
      name: v.name,
    })),
    app_state: {
      auth: {
        params: {
          max_memo_characters: "256",
          tx_sig_limit: "7",
          tx_size_cost_per_byte: "10",
          sig_verify_cost_ed25519: "590",
          sig_verify_cost_secp256k1: "1000",
        },
        accounts: opts.accounts.map((a, i) => ({
          "@type": "/cosmos.auth.v1beta1.BaseAccount",
          address: a.address,
          pub_key: null,
          account_number: String(i),
          sequence: "0",
        })),
      },
      bank: {
        balances: opts.accounts.map((a) => ({ address: a.address, coins: a.coins })),
        supply: [...supply]
          .sort(([a], [b]) => (a < b ? -1 : 1))
          .map(([denom, amount]) => ({ denom, amount: amount.toString() })),
      },
      register: opts.register,
      ...opts.modules,
      genutil: { gen_txs: opts.genTxs ?? [] },
    },
  };
}

function fail(msg: string): never {
  throw new NodeError("NODE_HOME_INVALID", `genesis.json: ${msg}`);
}

function decimal(v: unknown, what: string): bigint {
  if (typeof v !== "string" || !/^-?\d+$/.test(v)) fail(`${what} must be a decimal string`);
  return BigInt(v as string);
}

/** Checks a genesis document (the parts the node uses; `app_state` is checked by the app). */
export function parseGenesis(doc: unknown): Genesis {
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) fail("not an object");
  const o = doc as Record<string, unknown>;
  if (typeof o.chain_id !== "string" || o.chain_id.length === 0 || o.chain_id.length > 50)
    fail("chain_id must be 1–50 characters");
  if (typeof o.genesis_time !== "string") fail("genesis_time must be a string");
  const genesisTimeNanos = parseTimeNanos(o.genesis_time as string, "genesis.json genesis_time");
  const initialHeight = o.initial_height === undefined ? 1n : decimal(o.initial_height, "initial_height");
  if (initialHeight < 1n || initialHeight > BigInt(Number.MAX_SAFE_INTEGER)) fail("initial_height out of range");
  let consensusParams = DEFAULT_CONSENSUS_PARAMS;
  if (o.consensus_params !== undefined && o.consensus_params !== null) {
    const cp = o.consensus_params as Record<string, unknown>;
    const block = (cp.block ?? {}) as Record<string, unknown>;
    const maxBytes =
      block.max_bytes === undefined
        ? BigInt(DEFAULT_CONSENSUS_PARAMS.maxBlockBytes)
        : decimal(block.max_bytes, "consensus_params.block.max_bytes");
    const maxGas = block.max_gas === undefined ? -1n : decimal(block.max_gas, "consensus_params.block.max_gas");
    if (maxBytes < 1n || maxBytes > 100n * 1024n * 1024n) fail("consensus_params.block.max_bytes out of range");
    if (maxGas < -1n) fail("consensus_params.block.max_gas must be ≥ -1");
    consensusParams = { maxBlockBytes: Number(maxBytes), maxBlockGas: maxGas };
  }
  if (o.validators !== undefined && o.validators !== null && !Array.isArray(o.validators))
    fail("validators must be a list");
  const validators = ((o.validators ?? []) as unknown[]).map((v, i): GenesisValidator => {
    const val = (v ?? {}) as Record<string, unknown>;
    const pk = (val.pub_key ?? {}) as Record<string, unknown>;
    if (pk.type !== "tendermint/PubKeyEd25519") fail(`validators[${i}].pub_key.type must be tendermint/PubKeyEd25519`);
    let pubKey: Uint8Array;
    try {
      pubKey = fromBase64(String(pk.value));
    } catch {
      fail(`validators[${i}].pub_key.value is not base64`);
    }
    if (pubKey!.length !== 32) fail(`validators[${i}].pub_key must be 32 bytes`);
    const power = decimal(val.power, `validators[${i}].power`);
    if (power <= 0n) fail(`validators[${i}].power must be positive`);
    return { pubKey: pubKey!, power, name: typeof val.name === "string" ? val.name : "" };
  });
  return {
    genesisTimeNanos,
    chainId: o.chain_id as string,
    initialHeight: Number(initialHeight),
    consensusParams,
    validators,
    appState: o.app_state ?? {},
    json: o,
  };
}

/** bech32 of a 20-byte account address. */
export const accountAddress = (address: Uint8Array): string => encodeAddress(address);
