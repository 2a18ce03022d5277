/**
 * The LCD's routes (chain-api.md §7), defined once as data: the tx service and the Tendermint/node
 * services answered from the backend, the module queries of the gRPC gateway (generated table) turned
 * into `abciQuery(<gRPC path>, <protobuf request>)` calls, and a few constant answers (bech32).
 */
import { MAX_UINT64 } from "../../primitives/amount.ts";
import { encodeTxRaw } from "../../codec/tx.ts";
import { toBase64 } from "../../primitives/base64.ts";
import { decodeAddress, encodeAddress } from "../../primitives/bech32.ts";
import { isHex, fromHex } from "../../primitives/hex.ts";
import type { ApiBackend, BlockRecord, IndexedTx } from "../backend.ts";
import { GrpcCode, LcdError, invalidArgument, notFound, queryError, unknownError } from "./errors.ts";
import { type Json, type JsonObject, type ProtoRegistry, parseLenientBase64 } from "./protoJson.ts";
import { GATEWAY_ROUTES } from "./protoSchemaData.ts";
import {
  blockIdJson,
  blockJson,
  broadcastResponseJson,
  eventsJson,
  txJson,
  txResponseJson,
  txTimestamp,
} from "./render.ts";
import { sha256 } from "../../crypto/index.ts";

export interface LcdRequest {
  readonly params: Readonly<Record<string, string>>;
  /** Query parameters made nested (`pagination.limit` → `{pagination: {limit}}`); repeated keys → arrays. */
  readonly query: Readonly<Record<string, unknown>>;
  /** Parsed JSON body of a POST (`undefined` for GET). */
  readonly body: unknown;
  /** `x-cosmos-block-height`, 0 = latest. */
  readonly height: number;
}

export interface LcdReply {
  readonly body: Json;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface RouteContext {
  readonly backend: ApiBackend;
  readonly registry: ProtoRegistry;
  readonly minimumGasPrice: string;
  /** Errors of background work (async broadcast). */
  readonly onBackgroundError: (e: unknown) => void;
}

export type RouteHandler = (ctx: RouteContext, req: LcdRequest) => LcdReply | Promise<LcdReply>;

export interface Route {
  readonly method: "GET" | "POST";
  readonly template: string;
  readonly segments: readonly string[];
  readonly handler: RouteHandler;
  /** gRPC method answered by `abciQuery`, for generated routes. */
  readonly grpcPath?: string;
}

const route = (method: "GET" | "POST", template: string, handler: RouteHandler, grpcPath?: string): Route => ({
  method,
  template,
  segments: template.split("/").filter((s) => s !== ""),
  handler,
  ...(grpcPath === undefined ? {} : { grpcPath }),
});

// ---------------------------------------------------------------------------------------------------
// Request helpers

function str(v: unknown): string | undefined {
  if (Array.isArray(v)) return str(v[v.length - 1]);
  return typeof v === "string" ? v : typeof v === "number" ? String(v) : undefined;
}

function intParam(v: unknown, what: string, options: { min?: number; def?: number } = {}): number {
  const text = str(v);
  if (text === undefined || text === "") {
    if (options.def !== undefined) return options.def;
    throw invalidArgument(`${what} is required`);
  }
  if (!/^-?\d+$/.test(text) || !Number.isSafeInteger(Number(text))) throw invalidArgument(`invalid ${what}: ${text}`);
  const n = Number(text);
  if (options.min !== undefined && n < options.min) throw invalidArgument(`invalid ${what}: ${text}`);
  return n;
}

/** A `cosmos.tx.v1beta1.Tx` in gateway JSON → TxRaw bytes (the encode route, simulate's `tx` form). */
function txBytesFromJson(registry: ProtoRegistry, tx: unknown): Uint8Array {
  if (tx === null || typeof tx !== "object" || Array.isArray(tx)) throw invalidArgument("tx must be a JSON object");
  const o = tx as Record<string, unknown>;
  const signatures = o.signatures ?? [];
  if (!Array.isArray(signatures) || signatures.some((s) => typeof s !== "string")) {
    throw invalidArgument("tx.signatures must be a list of base64 strings");
  }
  try {
    return encodeTxRaw({
      bodyBytes: registry.fromJson("cosmos.tx.v1beta1.TxBody", o.body),
      authInfoBytes: registry.fromJson("cosmos.tx.v1beta1.AuthInfo", o.auth_info ?? o.authInfo),
      signatures: (signatures as string[]).map(parseLenientBase64),
    });
  } catch (e) {
    throw invalidArgument(`invalid tx; ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** `txBytes` / `tx_bytes` of a POST body as bytes (or, with `registry`, the deprecated `tx` JSON form). */
function bodyTxBytes(body: unknown, emptyMessage: string, registry?: ProtoRegistry): Uint8Array {
  const o = body !== null && typeof body === "object" && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
  const raw = o.txBytes ?? o.tx_bytes;
  if (
    (raw === undefined || raw === null || raw === "") &&
    registry !== undefined &&
    o.tx !== undefined &&
    o.tx !== null
  ) {
    return txBytesFromJson(registry, o.tx);
  }
  if (raw === undefined || raw === null || raw === "") throw invalidArgument(emptyMessage);
  if (typeof raw !== "string") throw invalidArgument("tx_bytes must be a base64 string");
  let bytes: Uint8Array;
  try {
    bytes = parseLenientBase64(raw);
  } catch {
    throw invalidArgument("tx_bytes is not valid base64");
  }
  if (bytes.length === 0) throw invalidArgument(emptyMessage);
  return bytes;
}

function hashParam(text: string | undefined): Uint8Array {
  if (text === undefined || text === "") throw invalidArgument("tx hash cannot be empty");
  if (text.length !== 64 || !isHex(text.toLowerCase())) throw invalidArgument(`invalid tx hash: ${text}`);
  return fromHex(text.toLowerCase());
}

function blockTimes(backend: ApiBackend): (height: number) => string {
  const cache = new Map<number, string>();
  return (height) => {
    let t = cache.get(height);
    if (t === undefined) {
      t = txTimestamp(backend.block(height));
      cache.set(height, t);
    }
    return t;
  };
}

// ---------------------------------------------------------------------------------------------------
// Tx service (§4, §7.1)

const BROADCAST_MODES: Readonly<Record<string, number>> = {
  BROADCAST_MODE_UNSPECIFIED: 0,
  BROADCAST_MODE_BLOCK: 1,
  BROADCAST_MODE_SYNC: 2,
  BROADCAST_MODE_ASYNC: 3,
};

const broadcast: RouteHandler = (ctx, req) => {
  const body = req.body as Record<string, unknown> | undefined;
  const modeRaw = body?.mode;
  let mode = 0;
  if (typeof modeRaw === "number" && Number.isInteger(modeRaw)) mode = modeRaw;
  else if (typeof modeRaw === "string" && BROADCAST_MODES[modeRaw] !== undefined) mode = BROADCAST_MODES[modeRaw];
  else if (typeof modeRaw === "string" && /^\d+$/.test(modeRaw)) mode = Number(modeRaw);
  else if (modeRaw !== undefined && modeRaw !== null)
    throw invalidArgument(`invalid broadcast mode ${JSON.stringify(modeRaw)}`);
  const txBytes = bodyTxBytes(req.body, "invalid empty tx");
  if (mode === 2) {
    const r = ctx.backend.broadcastTx(txBytes);
    return { body: { tx_response: broadcastResponseJson(r.hash, r.check) } };
  }
  if (mode === 3) {
    const hash = sha256(txBytes);
    setImmediate(() => {
      try {
        ctx.backend.broadcastTx(txBytes);
      } catch (e) {
        ctx.onBackgroundError(e);
      }
    });
    return {
      body: {
        tx_response: broadcastResponseJson(hash, {
          code: 0,
          codespace: "",
          log: "",
          data: new Uint8Array(0),
          info: "",
        }),
      },
    };
  }
  const name = mode === 1 ? "block" : mode === 0 ? "unspecified" : String(modeRaw);
  throw unknownError(`unsupported return type ${name}; supported types: sync, async`);
};

const simulate: RouteHandler = (ctx, req) => {
  const txBytes = bodyTxBytes(req.body, "empty txBytes is not allowed", ctx.registry);
  const r = ctx.backend.simulate(txBytes);
  if (r.code !== 0) {
    throw unknownError(
      `rpc error: code = Unknown desc = ${r.log} With gas wanted: '${MAX_UINT64}' and gas used: '${r.gasUsed}' : unknown request`,
    );
  }
  return {
    body: {
      gas_info: { gas_wanted: MAX_UINT64.toString(), gas_used: r.gasUsed.toString() },
      result: {
        data: r.data.length === 0 ? null : toBase64(r.data),
        log: r.log,
        events: eventsJson(r.events),
        msg_responses: r.msgResponses.map((m) => ctx.registry.anyPartsToJson(m.typeUrl, m.value)),
      },
    },
  };
};

const getTx: RouteHandler = (ctx, req) => {
  const text = req.params.hash;
  const hash = hashParam(text);
  const tx = ctx.backend.tx(hash);
  if (tx === undefined) throw notFound(`tx not found: ${text}`);
  return {
    body: {
      tx: txJson(ctx.registry, tx.tx),
      tx_response: txResponseJson(ctx.registry, tx, txTimestamp(ctx.backend.block(tx.height))),
    },
  };
};

const ORDER_BY: Readonly<Record<string, "asc" | "desc" | undefined>> = {
  ORDER_BY_UNSPECIFIED: undefined,
  ORDER_BY_ASC: "asc",
  ORDER_BY_DESC: "desc",
  "0": undefined,
  "1": "asc",
  "2": "desc",
};

const searchTxs: RouteHandler = (ctx, req) => {
  let query = str(req.query.query) ?? "";
  if (query === "") {
    const events = req.query.events;
    const list = Array.isArray(events) ? events.map(String) : typeof events === "string" ? [events] : [];
    query = list.filter((e) => e !== "").join(" AND ");
  }
  if (query.trim() === "") throw unknownError("query cannot be empty");
  const page = intParam(req.query.page, "page", { min: 1, def: 1 });
  const limit = intParam(req.query.limit, "limit", { min: 1, def: 100 });
  const orderText = str(req.query.order_by) ?? "ORDER_BY_UNSPECIFIED";
  if (!(orderText in ORDER_BY)) throw invalidArgument(`invalid order_by: ${orderText}`);
  const orderBy = ORDER_BY[orderText];
  let found;
  try {
    found = ctx.backend.searchTxs(query, {
      page,
      perPage: Math.min(limit, 100),
      ...(orderBy === undefined ? {} : { orderBy }),
    });
  } catch (e) {
    throw new LcdError(GrpcCode.Internal, e instanceof Error ? e.message : String(e));
  }
  const time = blockTimes(ctx.backend);
  return {
    body: {
      txs: found.items.map((t) => txJson(ctx.registry, t.tx)),
      tx_responses: found.items.map((t: IndexedTx) => txResponseJson(ctx.registry, t, time(t.height))),
      pagination: null,
      total: String(found.total),
    },
  };
};

function heightParam(text: string | undefined): number {
  const h = intParam(text, "height");
  if (h <= 0) throw invalidArgument(`height must be greater than 0, got ${h}`);
  return h;
}

function requireBlock(backend: ApiBackend, height: number | undefined): BlockRecord {
  const latest = backend.status().latestHeight;
  if (height !== undefined && height > latest) {
    throw invalidArgument(`requested block height is bigger then the chain length`);
  }
  const block = backend.block(height);
  if (block === undefined) throw notFound(`block ${height ?? "latest"} not found`);
  return block;
}

const blockWithTxs: RouteHandler = (ctx, req) => {
  const block = requireBlock(ctx.backend, heightParam(req.params.height));
  return {
    body: {
      txs: block.txs.map((t) => txJson(ctx.registry, t)),
      block_id: blockIdJson(block.blockId),
      block: blockJson(ctx.registry, block, false),
      pagination: { next_key: null, total: String(block.txs.length) },
    },
  };
};

const decodeTx: RouteHandler = (ctx, req) => {
  const bytes = bodyTxBytes(req.body, "invalid empty tx bytes");
  return { body: { tx: txJson(ctx.registry, bytes) } };
};

const encodeTx: RouteHandler = (ctx, req) => {
  const tx = (req.body as Record<string, unknown>).tx;
  if (tx === undefined || tx === null) throw invalidArgument("invalid empty tx");
  return { body: { tx_bytes: toBase64(txBytesFromJson(ctx.registry, tx)) } };
};

// ---------------------------------------------------------------------------------------------------
// Tendermint base and node services (§7.4)

/** CometBFT's channel ids of a full node, as `node_info.channels` carries them. */
const NODE_CHANNELS = Uint8Array.from([0x40, 0x20, 0x21, 0x22, 0x23, 0x30, 0x38, 0x60, 0x61, 0x00]);

const nodeInfo: RouteHandler = (ctx) => {
  const id = ctx.backend.identity();
  return {
    body: {
      default_node_info: {
        protocol_version: { p2p: "8", block: "11", app: "0" },
        default_node_id: id.id,
        listen_addr: id.listenAddr,
        network: id.network,
        version: id.version,
        channels: toBase64(NODE_CHANNELS),
        moniker: id.moniker,
        other: { tx_index: "on", rpc_address: "" },
      },
      application_version: {
        name: "SecretNetwork",
        app_name: "secretd",
        version: id.version,
        git_commit: "",
        build_tags: "",
        go_version: "",
        build_deps: [],
        cosmos_sdk_version: "v0.50.14",
      },
    },
  };
};

function blockAnswer(ctx: RouteContext, block: BlockRecord): LcdReply {
  return {
    body: {
      block_id: blockIdJson(block.blockId),
      block: blockJson(ctx.registry, block, false),
      sdk_block: blockJson(ctx.registry, block, true),
    },
  };
}

function validatorSetAnswer(ctx: RouteContext, height: number | undefined): LcdReply {
  if (height !== undefined && height > ctx.backend.status().latestHeight) {
    throw invalidArgument("requested block height is bigger then the chain length");
  }
  const set = ctx.backend.validators(height);
  if (set === undefined) throw notFound(`validator set at height ${height ?? "latest"} not found`);
  return {
    body: {
      block_height: String(set.height),
      validators: set.validators.map((v) => ({
        address: encodeAddress(v.address, "secretvalcons"),
        pub_key: { "@type": "/cosmos.crypto.ed25519.PubKey", key: toBase64(v.pubKey) },
        voting_power: v.votingPower.toString(),
        proposer_priority: v.proposerPriority.toString(),
      })),
      pagination: { next_key: null, total: String(set.validators.length) },
    },
  };
}

const abciQueryRoute: RouteHandler = (ctx, req) => {
  const path = str(req.query.path) ?? "";
  if (path === "") throw invalidArgument("path is required");
  const dataText = str(req.query.data) ?? "";
  let data: Uint8Array;
  try {
    data = parseLenientBase64(dataText);
  } catch {
    throw invalidArgument("data is not valid base64");
  }
  const height = intParam(req.query.height, "height", { min: 0, def: 0 });
  const prove = str(req.query.prove) === "true";
  const r = ctx.backend.abciQuery(path, data, height, prove);
  return {
    body: {
      code: r.code,
      log: r.log,
      info: "",
      index: "0",
      key: toBase64(data),
      value: toBase64(r.value),
      proof_ops:
        r.proofOps === undefined
          ? null
          : { ops: r.proofOps.map((op) => ({ type: op.type, key: toBase64(op.key), data: toBase64(op.data) })) },
      height: String(r.height),
      codespace: r.codespace,
    },
  };
};

const nodeStatus: RouteHandler = (ctx) => {
  const s = ctx.backend.status();
  const block = ctx.backend.block(s.latestHeight);
  return {
    body: {
      earliest_store_height: String(s.earliestHeight),
      height: String(s.latestHeight),
      timestamp: block === undefined ? null : txTimestamp(block),
      app_hash: toBase64(s.latestAppHash),
      validator_hash: block === undefined ? null : toBase64(block.header.validatorsHash),
    },
  };
};

// ---------------------------------------------------------------------------------------------------
// Module queries through abciQuery

/** secretjs interpolates bytes path parameters as comma-separated decimals (§7.10); hex is accepted too. */
function bytesPathParam(text: string): string {
  if (/^\d{1,3}(,\d{1,3})+$/.test(text)) {
    const bytes = Uint8Array.from(text.split(",").map(Number));
    return toBase64(bytes);
  }
  if (/^[0-9a-fA-F]{64}$/.test(text)) return toBase64(fromHex(text.toLowerCase()));
  return text;
}

function grpcQueryHandler(grpcPath: string, requestType: string, responseType: string): RouteHandler {
  return (ctx, req) => {
    const schema = ctx.registry.schema(requestType);
    const request: Record<string, unknown> = { ...req.query };
    for (const [name, value] of Object.entries(req.params)) {
      request[name] = schema.byName.get(name)?.type === "bytes" ? bytesPathParam(value) : value;
    }
    let requestBytes: Uint8Array;
    try {
      requestBytes = ctx.registry.fromJson(requestType, request);
    } catch (e) {
      throw invalidArgument(e instanceof Error ? e.message : String(e));
    }
    const r = ctx.backend.abciQuery(grpcPath, requestBytes, req.height, false);
    if (r.code !== 0) throw queryError(r);
    return {
      body: ctx.registry.toJson(responseType, r.value),
      headers: { "grpc-metadata-x-cosmos-block-height": String(r.height) },
    };
  };
}

// ---------------------------------------------------------------------------------------------------

const bech32Prefix: RouteHandler = () => ({ body: { bech32_prefix: "secret" } });

const addressBytesToString: RouteHandler = (_ctx, req) => {
  const text = req.params.address_bytes ?? "";
  try {
    const decoded = decodeAddress(text);
    return { body: { address_bytes: toBase64(decoded) } };
  } catch {
    // not a bech32 string: bytes to string
  }
  let bytes: Uint8Array;
  try {
    bytes = parseLenientBase64(text);
  } catch {
    throw invalidArgument(`invalid address bytes: ${text}`);
  }
  if (bytes.length !== 20 && bytes.length !== 32) {
    throw invalidArgument(`address length must be 20 or 32 bytes, got ${bytes.length}`);
  }
  return { body: { address_string: encodeAddress(bytes) } };
};

/** Every route, most specific first where templates overlap. */
export function lcdRoutes(): Route[] {
  const routes: Route[] = [
    route("POST", "/cosmos/tx/v1beta1/simulate", simulate, "/cosmos.tx.v1beta1.Service/Simulate"),
    route("POST", "/cosmos/tx/v1beta1/txs", broadcast),
    route("GET", "/cosmos/tx/v1beta1/txs", searchTxs),
    route("GET", "/cosmos/tx/v1beta1/txs/block/{height}", blockWithTxs),
    route("GET", "/cosmos/tx/v1beta1/txs/{hash}", getTx),
    route("POST", "/cosmos/tx/v1beta1/decode", decodeTx),
    route("POST", "/cosmos/tx/v1beta1/encode", encodeTx),
    route("GET", "/cosmos/base/tendermint/v1beta1/node_info", nodeInfo),
    route("GET", "/cosmos/base/tendermint/v1beta1/syncing", (ctx) => ({
      body: { syncing: ctx.backend.status().catchingUp },
    })),
    route("GET", "/cosmos/base/tendermint/v1beta1/blocks/latest", (ctx) =>
      blockAnswer(ctx, requireBlock(ctx.backend, undefined)),
    ),
    route("GET", "/cosmos/base/tendermint/v1beta1/blocks/{height}", (ctx, req) =>
      blockAnswer(ctx, requireBlock(ctx.backend, heightParam(req.params.height))),
    ),
    route("GET", "/cosmos/base/tendermint/v1beta1/validatorsets/latest", (ctx) => validatorSetAnswer(ctx, undefined)),
    route("GET", "/cosmos/base/tendermint/v1beta1/validatorsets/{height}", (ctx, req) =>
      validatorSetAnswer(ctx, heightParam(req.params.height)),
    ),
    route("GET", "/cosmos/base/tendermint/v1beta1/abci_query", abciQueryRoute),
    route("GET", "/cosmos/base/node/v1beta1/status", nodeStatus),
    route("GET", "/cosmos/base/node/v1beta1/config", (ctx) => ({
      body: {
        minimum_gas_price: ctx.minimumGasPrice,
        pruning_keep_recent: "0",
        pruning_interval: "0",
        halt_height: "0",
      },
    })),
    route("GET", "/cosmos/auth/v1beta1/bech32", bech32Prefix),
    route("GET", "/cosmos/auth/v1beta1/bech32/{address_bytes}", addressBytesToString),
  ];
  const taken = new Set(routes.map((r) => `${r.method} ${r.template}`));
  for (const [template, grpcPath, requestType, responseType] of GATEWAY_ROUTES) {
    if (taken.has(`GET ${template}`)) continue;
    taken.add(`GET ${template}`);
    routes.push(route("GET", template, grpcQueryHandler(grpcPath, requestType, responseType), grpcPath));
  }
  return routes;
}

export type RouteMatch =
  | { readonly kind: "route"; readonly route: Route; readonly params: Record<string, string> }
  | { readonly kind: "method" }
  | { readonly kind: "none" };

function matchSegments(route: Route, segments: readonly string[]): Record<string, string> | undefined {
  if (route.segments.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const t = route.segments[i]!;
    const s = segments[i]!;
    if (t.startsWith("{") && t.endsWith("}")) {
      if (s === "") return undefined;
      params[t.slice(1, -1)] = s;
    } else if (t !== s) {
      return undefined;
    }
  }
  return params;
}

/** Literal segments beat parameters, position by position (`blocks/latest` before `blocks/{height}`). */
function specificity(route: Route): string {
  return route.segments.map((s) => (s.startsWith("{") ? "0" : "1")).join("");
}

export class LcdRouter {
  private readonly routes: Route[];

  constructor(routes: readonly Route[]) {
    this.routes = [...routes].sort((a, b) =>
      specificity(a) < specificity(b) ? 1 : specificity(a) > specificity(b) ? -1 : 0,
    );
  }

  get all(): readonly Route[] {
    return this.routes;
  }

  /** `segments` are URL-decoded path segments. */
  match(method: string, segments: readonly string[]): RouteMatch {
    let methodMismatch = false;
    for (const r of this.routes) {
      const params = matchSegments(r, segments);
      if (params === undefined) continue;
      if (r.method === method || (method === "HEAD" && r.method === "GET")) return { kind: "route", route: r, params };
      methodMismatch = true;
    }
    return methodMismatch ? { kind: "method" } : { kind: "none" };
  }
}

export type { JsonObject };
