/**
 * The RPC methods: each declared once (its params and, for subscriptions, that it needs a WebSocket)
 * and served over JSON-RPC POST, URI GET and WebSocket alike. Results are CometBFT 0.38's
 * `rpc/core/types/responses.go` shapes; failures are -32603 with CometBFT's texts in `data`.
 */
import { toBase64 } from "../../primitives/base64.ts";
import { utf8Encode } from "../../primitives/bytes.ts";
import type { ApiBackend, BlockRecord, IndexedTx, SearchOptions } from "../backend.ts";
import { RpcError, internalError } from "./errors.ts";
import {
  type Json,
  type JsonObject,
  blockIdJson,
  blockResponseJson,
  blockResultsJson,
  blockSize,
  commitJson,
  ed25519PubKeyJson,
  headerJson,
  hexUpper,
  queryResponseJson,
  rfc3339FromNanos,
  txResponseJson,
  txResultJson,
  validatorJson,
} from "./json.ts";
import { txProofJson } from "./merkle.ts";
import { type ParamSpec, type Params, paramBool, paramBytes, paramInt, paramString } from "./params.ts";
import { sha256 } from "../../crypto/index.ts";

/** What a WebSocket connection offers the subscription methods. */
export interface SubscriptionSession {
  subscribe(query: string): void;
  unsubscribe(query: string): void;
  unsubscribeAll(): void;
}

export interface MethodContext {
  readonly backend: ApiBackend;
  /** How long `broadcast_tx_commit` waits for inclusion (CometBFT's `timeout_broadcast_tx_commit`). */
  readonly broadcastTxCommitTimeoutMs: number;
  /** `tcp://host:port` of this server, for `status.node_info.other.rpc_address`. */
  readonly rpcAddress: string;
  /** Present on WebSocket connections only. */
  readonly session?: SubscriptionSession;
}

export interface MethodDef {
  readonly params: readonly ParamSpec[];
  /** Only over WebSocket (subscriptions): HTTP answers -32601 as CometBFT does. */
  readonly wsOnly?: boolean;
  run(ctx: MethodContext, params: Params): Json | Promise<Json>;
}

const p = (name: string, kind: ParamSpec["kind"]): ParamSpec => ({ name, kind });

/** CometBFT's protocol versions: p2p 8, block 11. */
const P2P_PROTOCOL = "8";
const BLOCK_PROTOCOL = "11";
/** Channels of a CometBFT 0.38 node (`node_info.channels`). */
const CHANNELS = "40202122233038606100";
const DEFAULT_PER_PAGE = 30;
const MAX_PER_PAGE = 100;
const MAX_BLOCKCHAIN_METAS = 20;
/** CometBFT `genesisChunkSize`: genesis above this size is only served by `genesis_chunked`. */
const GENESIS_CHUNK_BYTES = 16 * 1024 * 1024;

/** CometBFT's `DefaultConsensusParams()` as JSON. */
export const DEFAULT_CONSENSUS_PARAMS: JsonObject = {
  block: { max_bytes: "22020096", max_gas: "-1" },
  evidence: { max_age_num_blocks: "100000", max_age_duration: "172800000000000", max_bytes: "1048576" },
  validator: { pub_key_types: ["ed25519"] },
  version: { app: "0" },
  abci: { vote_extensions_enable_height: "0" },
};

/** CometBFT's `getHeight`: absent = latest; else within [base, latest]. */
function resolveHeight(backend: ApiBackend, requested: number | undefined, latestOffset = 0): number {
  const status = backend.status();
  const latest = status.latestHeight + latestOffset;
  if (requested === undefined) return latest;
  if (requested <= 0) throw internalError(`height must be greater than 0, but got ${requested}`);
  if (requested > latest) {
    throw internalError(`height ${requested} must be less than or equal to the current blockchain height ${latest}`);
  }
  if (requested < status.earliestHeight) {
    throw internalError(`height ${requested} is not available, lowest height is ${status.earliestHeight}`);
  }
  return requested;
}

function perPageOf(params: Params, name = "per_page"): number {
  const v = paramInt(params, name);
  if (v === undefined || v < 1) return DEFAULT_PER_PAGE;
  return Math.min(v, MAX_PER_PAGE);
}

function checkPage(page: number | undefined, perPage: number, total: number): number {
  if (page === undefined) return 1;
  const pages = Math.max(1, Math.floor((total - 1) / perPage) + 1);
  if (page <= 0 || page > pages) {
    throw internalError(`page should be within [1, ${pages}] range, given ${page}`);
  }
  return page;
}

function orderOf(params: Params): "asc" | "desc" {
  const v = paramString(params, "order_by") ?? "";
  if (v === "" || v === "asc") return "asc";
  if (v === "desc") return "desc";
  throw internalError("expected order_by to be either `asc` or `desc` or empty");
}

function searchOptions(params: Params): { options: SearchOptions; page: number | undefined; perPage: number } {
  const perPage = perPageOf(params);
  const page = paramInt(params, "page");
  return { options: { page: page ?? 1, perPage, orderBy: orderOf(params) }, page, perPage };
}

/** `ResultTx`, with the Merkle proof of the tx in its block when asked. */
function txJson(backend: ApiBackend, t: IndexedTx, prove: boolean): JsonObject {
  const out = txResponseJson(t);
  if (prove) {
    const block = backend.block(t.height);
    if (block === undefined) throw internalError(`block at height ${t.height} not found`);
    out.proof = txProofJson(block.txs, t.index);
  }
  return out;
}

/** CometBFT's answer for a block it does not have: an empty BlockID and a null block. */
const NO_BLOCK: JsonObject = { block_id: { hash: "", parts: { total: 0, hash: "" } }, block: null };

function requireBlock(backend: ApiBackend, height: number): BlockRecord {
  const block = backend.block(height);
  if (block === undefined) throw internalError(`block at height ${height} not found`);
  return block;
}

/** A byte param; absent is empty (CometBFT's nil slice). */
function bytesParam(params: Params, name: string): Uint8Array {
  return paramBytes(params, name) ?? new Uint8Array(0);
}

function broadcastSyncJson(
  hash: Uint8Array,
  check: { code: number; data: Uint8Array; log: string; codespace: string },
) {
  return {
    code: check.code,
    data: hexUpper(check.data),
    log: check.log,
    codespace: check.codespace,
    hash: hexUpper(hash),
  };
}

function genesisText(backend: ApiBackend): string {
  return JSON.stringify(backend.genesis());
}

function consensusParamsOf(backend: ApiBackend, height: number): Json {
  const own = backend.consensusParams?.(height);
  if (typeof own === "object" && own !== null) return own as Json;
  const genesis = backend.genesis();
  if (typeof genesis === "object" && genesis !== null) {
    const cp = (genesis as Record<string, unknown>).consensus_params;
    if (typeof cp === "object" && cp !== null) return { ...DEFAULT_CONSENSUS_PARAMS, ...(cp as JsonObject) };
  }
  return DEFAULT_CONSENSUS_PARAMS;
}

function nodeInfoJson(ctx: MethodContext): JsonObject {
  const id = ctx.backend.identity();
  return {
    protocol_version: {
      p2p: P2P_PROTOCOL,
      block: BLOCK_PROTOCOL,
      app: ctx.backend.abciInfo().appVersion.toString(),
    },
    id: id.id,
    listen_addr: id.listenAddr,
    network: id.network,
    version: id.version,
    channels: CHANNELS,
    moniker: id.moniker,
    other: { tx_index: "on", rpc_address: ctx.rpcAddress },
  };
}

const ZERO_MONITOR: JsonObject = {
  Start: "0001-01-01T00:00:00Z",
  Bytes: "0",
  Samples: "0",
  InstRate: "0",
  CurRate: "0",
  AvgRate: "0",
  PeakRate: "0",
  BytesRem: "0",
  Duration: "0",
  Idle: "0",
  TimeRem: "0",
  Progress: 0,
  Active: false,
};

export const METHODS: ReadonlyMap<string, MethodDef> = new Map<string, MethodDef>([
  ["health", { params: [], run: () => ({}) }],
  [
    "status",
    {
      params: [],
      run: (ctx) => {
        const s = ctx.backend.status();
        return {
          node_info: nodeInfoJson(ctx),
          sync_info: {
            latest_block_hash: hexUpper(s.latestBlockHash),
            latest_app_hash: hexUpper(s.latestAppHash),
            latest_block_height: String(s.latestHeight),
            latest_block_time: rfc3339FromNanos(s.latestBlockTimeNanos),
            earliest_block_hash: hexUpper(s.earliestBlockHash),
            earliest_app_hash: hexUpper(s.earliestAppHash),
            earliest_block_height: String(s.earliestHeight),
            earliest_block_time: rfc3339FromNanos(s.earliestBlockTimeNanos),
            catching_up: s.catchingUp,
          },
          validator_info: {
            address: hexUpper(s.validator.address),
            pub_key: ed25519PubKeyJson(s.validator.pubKey),
            voting_power: s.validator.votingPower.toString(),
          },
        };
      },
    },
  ],
  [
    "net_info",
    {
      params: [],
      run: (ctx) => {
        const id = ctx.backend.identity();
        const peers = ctx.backend.peers();
        return {
          listening: true,
          listeners: [`Listener(@${id.listenAddr})`],
          n_peers: String(peers.length),
          peers: peers.map((peer) => ({
            node_info: {
              protocol_version: { p2p: P2P_PROTOCOL, block: BLOCK_PROTOCOL, app: "0" },
              id: peer.id,
              listen_addr: "",
              network: id.network,
              version: "",
              channels: "",
              moniker: peer.moniker,
              other: { tx_index: "", rpc_address: "" },
            },
            is_outbound: peer.isOutbound,
            connection_status: { Duration: "0", SendMonitor: ZERO_MONITOR, RecvMonitor: ZERO_MONITOR, Channels: null },
            remote_ip: peer.remoteIp,
          })),
        };
      },
    },
  ],
  [
    "genesis",
    {
      params: [],
      run: (ctx) => {
        if (utf8Encode(genesisText(ctx.backend)).length > GENESIS_CHUNK_BYTES) {
          throw internalError("genesis response is large, please use the genesis_chunked API instead");
        }
        return { genesis: ctx.backend.genesis() as Json };
      },
    },
  ],
  [
    "genesis_chunked",
    {
      params: [p("chunk", "int")],
      run: (ctx, params) => {
        const bytes = utf8Encode(genesisText(ctx.backend));
        const total = Math.max(1, Math.ceil(bytes.length / GENESIS_CHUNK_BYTES));
        const chunk = paramInt(params, "chunk") ?? 0;
        if (chunk < 0 || chunk > total - 1) {
          throw internalError(`there are ${total} chunks, ${chunk} is invalid`);
        }
        const data = bytes.subarray(chunk * GENESIS_CHUNK_BYTES, (chunk + 1) * GENESIS_CHUNK_BYTES);
        return { chunk: String(chunk), total: String(total), data: toBase64(data) };
      },
    },
  ],
  [
    "block",
    {
      params: [p("height", "int")],
      run: (ctx, params) => {
        const height = resolveHeight(ctx.backend, paramInt(params, "height"));
        const block = ctx.backend.block(height);
        return block === undefined ? NO_BLOCK : blockResponseJson(block);
      },
    },
  ],
  [
    "block_by_hash",
    {
      params: [p("hash", "bytes")],
      run: (ctx, params) => {
        const block = ctx.backend.blockByHash(bytesParam(params, "hash"));
        return block === undefined ? NO_BLOCK : blockResponseJson(block);
      },
    },
  ],
  [
    "header",
    {
      params: [p("height", "int")],
      run: (ctx, params) => {
        const height = resolveHeight(ctx.backend, paramInt(params, "height"));
        const block = ctx.backend.block(height);
        return { header: block === undefined ? null : headerJson(block.header) };
      },
    },
  ],
  [
    "header_by_hash",
    {
      params: [p("hash", "bytes")],
      run: (ctx, params) => {
        const block = ctx.backend.blockByHash(bytesParam(params, "hash"));
        return { header: block === undefined ? null : headerJson(block.header) };
      },
    },
  ],
  [
    "block_results",
    {
      params: [p("height", "int")],
      run: (ctx, params) => {
        const height = resolveHeight(ctx.backend, paramInt(params, "height"));
        const results = ctx.backend.blockResults(height);
        if (results === undefined) throw internalError(`could not find results for height #${height}`);
        return blockResultsJson(results);
      },
    },
  ],
  [
    "blockchain",
    {
      params: [p("minHeight", "int"), p("maxHeight", "int")],
      run: (ctx, params) => {
        const status = ctx.backend.status();
        let min = paramInt(params, "minHeight") ?? 0;
        let max = paramInt(params, "maxHeight") ?? 0;
        if (min < 0 || max < 0) throw internalError("heights must be non-negative");
        if (min === 0) min = 1;
        if (max === 0) max = status.latestHeight;
        max = Math.min(status.latestHeight, max);
        min = Math.max(status.earliestHeight, min, max - MAX_BLOCKCHAIN_METAS + 1);
        if (min > max) throw internalError(`min height ${min} can't be greater than max height ${max}`);
        const metas: JsonObject[] = [];
        for (let h = max; h >= min; h--) {
          const block = ctx.backend.block(h);
          if (block === undefined) continue;
          metas.push({
            block_id: blockIdJson(block.blockId),
            block_size: String(blockSize(block)),
            header: headerJson(block.header),
            num_txs: String(block.txs.length),
          });
        }
        return { last_height: String(status.latestHeight), block_metas: metas };
      },
    },
  ],
  [
    "commit",
    {
      params: [p("height", "int")],
      run: (ctx, params) => {
        const latest = ctx.backend.status().latestHeight;
        const height = resolveHeight(ctx.backend, paramInt(params, "height"));
        const block = requireBlock(ctx.backend, height);
        const commit = ctx.backend.commit(height);
        if (commit === undefined) throw internalError(`commit for height ${height} not found`);
        return {
          signed_header: { header: headerJson(block.header), commit: commitJson(commit) },
          canonical: height < latest,
        };
      },
    },
  ],
  [
    "validators",
    {
      params: [p("height", "int"), p("page", "int"), p("per_page", "int")],
      run: (ctx, params) => {
        // Like CometBFT, the default is the next height (the last block's next validators); a node
        // that keeps sets only for committed heights answers with the latest one.
        const requested = paramInt(params, "height");
        const height = resolveHeight(ctx.backend, requested, 1);
        const set =
          ctx.backend.validators(height) ?? (requested === undefined ? ctx.backend.validators(height - 1) : undefined);
        if (set === undefined) throw internalError(`could not find validator set for height #${height}`);
        const perPage = perPageOf(params);
        const page = checkPage(paramInt(params, "page"), perPage, set.validators.length);
        const slice = set.validators.slice((page - 1) * perPage, page * perPage);
        return {
          block_height: String(set.height),
          validators: slice.map(validatorJson),
          count: String(slice.length),
          total: String(set.validators.length),
        };
      },
    },
  ],
  [
    "consensus_params",
    {
      params: [p("height", "int")],
      run: (ctx, params) => {
        const height = resolveHeight(ctx.backend, paramInt(params, "height"));
        return { block_height: String(height), consensus_params: consensusParamsOf(ctx.backend, height) };
      },
    },
  ],
  [
    "tx",
    {
      params: [p("hash", "bytes"), p("prove", "bool")],
      run: (ctx, params) => {
        const hash = bytesParam(params, "hash");
        const tx = ctx.backend.tx(hash);
        if (tx === undefined) throw internalError(`tx (${hexUpper(hash)}) not found`);
        return txJson(ctx.backend, tx, paramBool(params, "prove"));
      },
    },
  ],
  [
    "tx_search",
    {
      params: [
        p("query", "string"),
        p("prove", "bool"),
        p("page", "int"),
        p("per_page", "int"),
        p("order_by", "string"),
      ],
      run: (ctx, params) => {
        const { options, page, perPage } = searchOptions(params);
        const result = ctx.backend.searchTxs(paramString(params, "query") ?? "", options);
        checkPage(page, perPage, result.total);
        const prove = paramBool(params, "prove");
        return {
          txs: result.items.map((t) => txJson(ctx.backend, t, prove)),
          total_count: String(result.total),
        };
      },
    },
  ],
  [
    "block_search",
    {
      params: [p("query", "string"), p("page", "int"), p("per_page", "int"), p("order_by", "string")],
      run: (ctx, params) => {
        const { options, page, perPage } = searchOptions(params);
        const result = ctx.backend.searchBlocks(paramString(params, "query") ?? "", options);
        checkPage(page, perPage, result.total);
        return { blocks: result.items.map(blockResponseJson), total_count: String(result.total) };
      },
    },
  ],
  [
    "check_tx",
    {
      params: [p("tx", "bytes")],
      run: (ctx, params) => ({ ResponseCheckTx: txResultJson(ctx.backend.checkTx(bytesParam(params, "tx"))) }),
    },
  ],
  [
    "broadcast_tx_sync",
    {
      params: [p("tx", "bytes")],
      run: (ctx, params) => {
        const r = ctx.backend.broadcastTx(bytesParam(params, "tx"));
        return broadcastSyncJson(r.hash, r.check);
      },
    },
  ],
  [
    "broadcast_tx_async",
    {
      params: [p("tx", "bytes")],
      run: (ctx, params) => {
        const tx = bytesParam(params, "tx");
        // CometBFT answers before CheckTx runs; the result of the check is only visible later.
        setImmediate(() => {
          try {
            ctx.backend.broadcastTx(tx);
          } catch {
            // Same as CometBFT: an async broadcast reports nothing after its answer.
          }
        });
        return { code: 0, data: "", log: "", codespace: "", hash: hexUpper(sha256(tx)) };
      },
    },
  ],
  [
    "broadcast_tx_commit",
    {
      params: [p("tx", "bytes")],
      run: async (ctx, params) => {
        const r = ctx.backend.broadcastTx(bytesParam(params, "tx"));
        if (r.check.code !== 0) {
          return { check_tx: txResultJson(r.check), tx_result: {}, hash: hexUpper(r.hash), height: "0" };
        }
        const included = await ctx.backend.waitForTx(r.hash, ctx.broadcastTxCommitTimeoutMs);
        if (included === undefined) throw internalError("timed out waiting for tx to be included in a block");
        return {
          check_tx: txResultJson(r.check),
          tx_result: txResultJson(included.result),
          hash: hexUpper(r.hash),
          height: String(included.height),
        };
      },
    },
  ],
  [
    "unconfirmed_txs",
    {
      params: [p("limit", "int")],
      run: (ctx, params) => {
        const u = ctx.backend.unconfirmedTxs(perPageOf(params, "limit"));
        return {
          n_txs: String(u.txs.length),
          total: String(u.total),
          total_bytes: String(u.totalBytes),
          txs: u.txs.map(toBase64),
        };
      },
    },
  ],
  [
    "num_unconfirmed_txs",
    {
      params: [],
      run: (ctx) => {
        const u = ctx.backend.unconfirmedTxs(0);
        return { n_txs: String(u.total), total: String(u.total), total_bytes: String(u.totalBytes), txs: null };
      },
    },
  ],
  [
    "abci_info",
    {
      params: [],
      run: (ctx) => {
        const info = ctx.backend.abciInfo();
        const response: JsonObject = {};
        if (info.data !== "") response.data = info.data;
        if (info.version !== "") response.version = info.version;
        if (info.appVersion !== 0n) response.app_version = info.appVersion.toString();
        if (info.lastBlockHeight !== 0) response.last_block_height = String(info.lastBlockHeight);
        if (info.lastBlockAppHash.length > 0) response.last_block_app_hash = toBase64(info.lastBlockAppHash);
        return { response };
      },
    },
  ],
  [
    "abci_query",
    {
      params: [p("path", "string"), p("data", "hex"), p("height", "int"), p("prove", "bool")],
      run: (ctx, params) => {
        const path = paramString(params, "path") ?? "";
        const data = paramBytes(params, "data") ?? new Uint8Array(0);
        const height = paramInt(params, "height") ?? 0;
        const r = ctx.backend.abciQuery(path, data, height, paramBool(params, "prove"));
        return { response: queryResponseJson(r, path.startsWith("/store/") ? data : undefined) };
      },
    },
  ],
  [
    "subscribe",
    {
      params: [p("query", "string")],
      wsOnly: true,
      run: (ctx, params) => {
        session(ctx).subscribe(paramString(params, "query") ?? "");
        return {};
      },
    },
  ],
  [
    "unsubscribe",
    {
      params: [p("query", "string")],
      wsOnly: true,
      run: (ctx, params) => {
        session(ctx).unsubscribe(paramString(params, "query") ?? "");
        return {};
      },
    },
  ],
  [
    "unsubscribe_all",
    {
      params: [],
      wsOnly: true,
      run: (ctx) => {
        session(ctx).unsubscribeAll();
        return {};
      },
    },
  ],
]);

function session(ctx: MethodContext): SubscriptionSession {
  if (ctx.session === undefined) throw new RpcError("RPC_METHOD_NOT_FOUND", "");
  return ctx.session;
}
