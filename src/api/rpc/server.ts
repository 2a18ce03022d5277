/**
 * The Tendermint RPC server (CometBFT 0.38's `rpc/jsonrpc/server` behaviour) on fastify and ws:
 * - `POST /` (or `/v1`): JSON-RPC 2.0, one request or a batch (array in, array out). Method failures
 *   are HTTP 200 with an `error` member; an unparsable body is HTTP 500 with -32700; an empty body
 *   lists the routes.
 * - `GET /<method>?arg=…`: URI calls (id -1); failures are HTTP 500, WebSocket-only methods 404.
 * - `GET /websocket` (upgrade): JSON-RPC over WebSocket, the only place for `subscribe`.
 * Bodies above `maxBodyBytes` are refused with HTTP 400 and -32600, as CometBFT's `MaxBytesReader`.
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import Fastify, { type FastifyReply } from "fastify";
import { WebSocketServer, type RawData, type WebSocket } from "ws";
import { type Logger, silentLogger } from "../../primitives/observability.ts";
import type { ApiBackend } from "../backend.ts";
import { SCHEMALESS_SERVER } from "../fastifyOptions.ts";
import { RpcError, asRpcError } from "./errors.ts";
import type { Json, JsonObject } from "./json.ts";
import { METHODS, type MethodContext, type SubscriptionSession } from "./methods.ts";
import { decodeJsonParams, decodeUriParams } from "./params.ts";
import { type JsonRpcId, SubscriptionHub } from "./subscriptions.ts";

export interface RpcServerOptions {
  readonly backend: ApiBackend;
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** Largest accepted HTTP body or WebSocket message (CometBFT `max_body_bytes`, default 1 000 000). */
  readonly maxBodyBytes?: number;
  readonly logger?: Logger;
  /** CometBFT `timeout_broadcast_tx_commit` (default 10 s). */
  readonly broadcastTxCommitTimeoutMs?: number;
  /** CometBFT `max_subscriptions_per_client` (default 5). */
  readonly maxSubscriptionsPerClient?: number;
  /** Output a WebSocket client may leave unread before its subscriptions are cancelled (default 16 MiB). */
  readonly maxWsBufferedBytes?: number;
  /** Open WebSocket connections at most (CometBFT `max_open_connections`, default 900). */
  readonly maxWsConnections?: number;
  /** Ping period; a client that has not answered the previous ping is dropped (default 27 s, as CometBFT). */
  readonly wsPingIntervalMs?: number;
}

export interface RpcServer {
  readonly port: number;
  close(): Promise<void>;
}

export const DEFAULT_MAX_BODY_BYTES = 1_000_000;
const URI_REQUEST_ID = -1;

type Response = JsonObject;

function errorResponse(id: JsonRpcId | null, err: RpcError): Response {
  return { jsonrpc: "2.0", id, error: err.toJson() };
}

const isId = (v: unknown): v is JsonRpcId =>
  typeof v === "string" || (typeof v === "number" && Number.isSafeInteger(v));

/**
 * One JSON-RPC request object to its response; `undefined` for a notification (no `id`), which
 * CometBFT does not answer. Synchronous when the method is (most are, `broadcast_tx_sync` above all):
 * a batch of them then costs no promise per request.
 */
function handleRequest(
  base: Omit<MethodContext, "session">,
  raw: unknown,
  transport: "http" | { session(id: JsonRpcId): SubscriptionSession },
): Response | undefined | Promise<Response | undefined> {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    return errorResponse(null, new RpcError("RPC_INVALID_REQUEST", "a request must be a JSON object"));
  }
  const req = raw as Record<string, unknown>;
  if (req.id === undefined || req.id === null) return undefined;
  if (!isId(req.id)) {
    return errorResponse(null, new RpcError("RPC_INVALID_REQUEST", "json-rpc ID must be a string or an integer"));
  }
  const id = req.id;
  if (req.jsonrpc !== "2.0") return errorResponse(id, new RpcError("RPC_INVALID_REQUEST", 'jsonrpc must be "2.0"'));
  if (typeof req.method !== "string") {
    return errorResponse(id, new RpcError("RPC_INVALID_REQUEST", "method must be a string"));
  }
  const method = METHODS.get(req.method);
  if (method === undefined || (method.wsOnly === true && transport === "http")) {
    return errorResponse(id, new RpcError("RPC_METHOD_NOT_FOUND", ""));
  }
  let result: Json | Promise<Json>;
  try {
    const params = decodeJsonParams(method.params, req.params);
    const ctx: MethodContext = transport === "http" ? base : { ...base, session: transport.session(id) };
    result = method.run(ctx, params);
  } catch (e) {
    return errorResponse(id, asRpcError(e));
  }
  if (result instanceof Promise) {
    return result.then(
      (r): Response => ({ jsonrpc: "2.0", id, result: r }),
      (e: unknown) => errorResponse(id, asRpcError(e)),
    );
  }
  return { jsonrpc: "2.0", id, result };
}

function sendJson(reply: FastifyReply, status: number, body: Json): FastifyReply {
  return reply.code(status).header("content-type", "application/json").send(JSON.stringify(body));
}

function routesHtml(host: string): string {
  const noArgs: string[] = [];
  const withArgs: string[] = [];
  for (const [name, def] of [...METHODS].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (def.params.length === 0) noArgs.push(`<a href="//${host}/${name}">${name}</a><br>`);
    else {
      const link = `//${host}/${name}?${def.params.map((p) => `${p.name}=_`).join("&")}`;
      withArgs.push(`<a href="${link}">${link}</a></br>`);
    }
  }
  return `<html><body><br>Available endpoints:<br>${noArgs.join("")}<br>Endpoints that require arguments:<br>${withArgs.join("")}</body></html>`;
}

export async function startRpcServer(options: RpcServerOptions): Promise<RpcServer> {
  const logger = (options.logger ?? silentLogger).child({ module: "rpc" });
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const hub = new SubscriptionHub(
    options.backend,
    {
      maxSubscriptionsPerClient: options.maxSubscriptionsPerClient ?? 5,
      maxBufferedBytes: options.maxWsBufferedBytes ?? 16 * 1024 * 1024,
    },
    logger,
  );
  const base: { backend: ApiBackend; broadcastTxCommitTimeoutMs: number; rpcAddress: string } = {
    backend: options.backend,
    broadcastTxCommitTimeoutMs: options.broadcastTxCommitTimeoutMs ?? 10_000,
    rpcAddress: "",
  };

  const app = Fastify({ ...SCHEMALESS_SERVER, logger: false, bodyLimit: maxBodyBytes, forceCloseConnections: true });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "string", bodyLimit: maxBodyBytes }, (_req, body, done) => {
    done(null, body);
  });

  app.setErrorHandler((err: { code?: string; message?: string }, _req, reply) => {
    if (err.code === "FST_ERR_CTP_BODY_TOO_LARGE") {
      const e = new RpcError("RPC_INVALID_REQUEST", "error reading request body: http: request body too large");
      return sendJson(reply, 400, errorResponse(null, e));
    }
    if (typeof err.code === "string" && err.code.startsWith("FST_ERR_CTP_")) {
      const e = new RpcError("RPC_INVALID_REQUEST", `error reading request body: ${err.message ?? err.code}`);
      return sendJson(reply, 400, errorResponse(null, e));
    }
    logger.error("rpc: unexpected server error", { error: String(err.message ?? err) });
    return sendJson(reply, 500, errorResponse(null, new RpcError("RPC_INTERNAL_ERROR", "internal server error")));
  });

  app.setNotFoundHandler((_req, reply) => reply.code(404).type("text/plain").send("404 page not found\n"));

  const jsonRpcPost = async (body: unknown, reply: FastifyReply, host: string): Promise<FastifyReply> => {
    const text = typeof body === "string" ? body : "";
    if (text.length === 0) return reply.code(200).type("text/html").send(routesHtml(host));
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      const err = new RpcError("RPC_PARSE_ERROR", `error unmarshaling request: ${(e as Error).message}`);
      return sendJson(reply, 500, errorResponse(null, err));
    }
    if (Array.isArray(parsed)) {
      if (parsed.length === 0) {
        return sendJson(reply, 200, errorResponse(null, new RpcError("RPC_INVALID_REQUEST", "empty batch")));
      }
      const responses: Response[] = [];
      for (const item of parsed) {
        const pending = handleRequest(base, item, "http");
        const r = pending instanceof Promise ? await pending : pending;
        if (r !== undefined) responses.push(r);
      }
      if (responses.length === 0) return reply.code(200).send("");
      return sendJson(reply, 200, responses);
    }
    const pending = handleRequest(base, parsed, "http");
    const r = pending instanceof Promise ? await pending : pending;
    if (r === undefined) return reply.code(200).send("");
    return sendJson(reply, 200, r);
  };

  app.post("/", (req, reply) => jsonRpcPost(req.body, reply, req.host));
  app.post("/v1", (req, reply) => jsonRpcPost(req.body, reply, req.host));
  app.get("/", (req, reply) => reply.code(200).type("text/html").send(routesHtml(req.host)));

  for (const [name, method] of METHODS) {
    app.route({
      method: ["GET", "POST"],
      url: `/${name}`,
      handler: async (req, reply) => {
        if (method.wsOnly === true) {
          return sendJson(reply, 404, errorResponse(URI_REQUEST_ID, new RpcError("RPC_METHOD_NOT_FOUND", "")));
        }
        try {
          const params = decodeUriParams(method.params, (req.query ?? {}) as Record<string, unknown>);
          const result = await method.run(base, params);
          return sendJson(reply, 200, { jsonrpc: "2.0", id: URI_REQUEST_ID, result });
        } catch (e) {
          return sendJson(reply, 500, errorResponse(URI_REQUEST_ID, asRpcError(e)));
        }
      },
    });
  }

  // WebSocket: the upgrade is taken before fastify's routing.
  const wss = new WebSocketServer({ noServer: true, maxPayload: maxBodyBytes });
  const sockets = new Set<WebSocket>();
  const alive = new WeakSet<WebSocket>();
  const maxWsConnections = options.maxWsConnections ?? 900;
  const pinger = setInterval(() => {
    for (const ws of sockets) {
      if (!alive.has(ws)) {
        ws.terminate();
        continue;
      }
      alive.delete(ws);
      ws.ping();
    }
  }, options.wsPingIntervalMs ?? 27_000);
  pinger.unref();
  app.server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = (req.url ?? "").split("?")[0];
    if (path !== "/websocket" && path !== "/v1/websocket") {
      socket.end("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
      return;
    }
    if (sockets.size >= maxWsConnections) {
      socket.end("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws));
  });

  function onConnection(ws: WebSocket): void {
    sockets.add(ws);
    alive.add(ws);
    ws.on("pong", () => alive.add(ws));
    const conn = hub.connect({
      send: (text) => {
        if (ws.readyState === ws.OPEN) ws.send(text);
      },
      bufferedBytes: () => ws.bufferedAmount,
    });
    const reply = (r: Response | undefined): void => {
      if (r !== undefined && ws.readyState === ws.OPEN) ws.send(JSON.stringify(r));
    };
    ws.on("message", (data: RawData, isBinary: boolean) => {
      const text = isBinary ? "" : data.toString();
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (e) {
        reply(
          errorResponse(null, new RpcError("RPC_PARSE_ERROR", `error unmarshaling request: ${(e as Error).message}`)),
        );
        return;
      }
      if (Array.isArray(parsed)) {
        reply(
          errorResponse(null, new RpcError("RPC_INVALID_REQUEST", "batch requests are not supported over WebSocket")),
        );
        return;
      }
      const pending = handleRequest(base, parsed, conn);
      if (!(pending instanceof Promise)) reply(pending);
      else {
        pending.then(reply, (e: unknown) => {
          logger.error("rpc: websocket request failed", { error: String(e) });
        });
      }
    });
    ws.on("close", () => {
      conn.disconnect();
      sockets.delete(ws);
    });
    ws.on("error", (e) => {
      logger.debug("rpc: websocket error", { error: e.message });
    });
  }

  try {
    await app.listen({ host: options.host, port: options.port });
  } catch (e) {
    clearInterval(pinger);
    hub.close();
    await app.close();
    throw e;
  }
  const address = app.server.address();
  const port = typeof address === "object" && address !== null ? address.port : options.port;
  base.rpcAddress = `tcp://${options.host}:${port}`;
  logger.info("rpc: listening", { host: options.host, port });

  let closed: Promise<void> | undefined;
  return {
    port,
    close(): Promise<void> {
      closed ??= (async () => {
        clearInterval(pinger);
        hub.close();
        for (const ws of sockets) ws.terminate();
        sockets.clear();
        await new Promise<void>((resolve) => wss.close(() => resolve()));
        await app.close();
      })();
      return closed;
    },
  };
}
