/**
 * The LCD REST server (port 1317) on fastify: one catch-all route dispatching to the LCD's own router
 * (`routes.ts`), so that secretjs's request forms are all accepted (trailing `?`, repeated leading
 * slashes, bodies without a JSON content type), every answer — errors included — is gateway JSON, and
 * the server keeps serving whatever a request carries.
 */
import Fastify, { type FastifyReply, type FastifyRequest } from "fastify";
import { type Logger, silentLogger } from "../../primitives/observability.ts";
import type { ApiBackend } from "../backend.ts";
import { SCHEMALESS_SERVER } from "../fastifyOptions.ts";
import { GrpcCode, LcdError, invalidArgument } from "./errors.ts";
import { lcdRegistry } from "./registry.ts";
import { type LcdRequest, LcdRouter, type RouteContext, lcdRoutes } from "./routes.ts";

export interface LcdServerOptions {
  readonly backend: ApiBackend;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** 0 picks a free port. Default 1317. */
  readonly port?: number;
  /** Largest POST body accepted; default 8 MiB (a 2 MiB wasm in base64 plus the tx around it, with room). */
  readonly maxBodyBytes?: number;
  readonly logger?: Logger;
  /** `/cosmos/base/node/v1beta1/config` `minimum_gas_price`; default the dev chain's. */
  readonly minimumGasPrice?: string;
}

export interface LcdServer {
  readonly port: number;
  close(): Promise<void>;
}

export const DEFAULT_LCD_MAX_BODY_BYTES = 8 * 1024 * 1024;
const DEFAULT_MIN_GAS_PRICE = "0.012500000000000000uscrt";

const CORS_HEADERS = {
  "access-control-allow-origin": "*",
  "access-control-allow-methods": "GET, POST, PUT, PATCH, DELETE, OPTIONS, HEAD",
  "access-control-expose-headers": "grpc-metadata-x-cosmos-block-height",
} as const;

/** Nested request fields from query parameters: `pagination.limit=1` → `{pagination: {limit: "1"}}`. */
export function nestQuery(search: URLSearchParams): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of search) {
    const path = key.split(".");
    let node: Record<string, unknown> = out;
    for (let i = 0; i < path.length - 1; i++) {
      const k = path[i]!;
      const next = node[k];
      if (next === null || typeof next !== "object" || Array.isArray(next)) node[k] = {};
      node = node[k] as Record<string, unknown>;
    }
    const last = path[path.length - 1]!;
    const existing = node[last];
    if (existing === undefined) node[last] = value;
    else if (Array.isArray(existing)) existing.push(value);
    else if (typeof existing === "string") node[last] = [existing, value];
    else node[last] = value;
  }
  return out;
}

function splitUrl(rawUrl: string): { segments: string[]; search: URLSearchParams } {
  const q = rawUrl.indexOf("?");
  const pathPart = q < 0 ? rawUrl : rawUrl.slice(0, q);
  const search = new URLSearchParams(q < 0 ? "" : rawUrl.slice(q + 1));
  const segments = pathPart
    .split("/")
    .filter((s) => s !== "")
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        throw invalidArgument(`malformed path segment: ${s}`);
      }
    });
  return { segments, search };
}

function parseHeight(header: string | string[] | undefined): number {
  const text = Array.isArray(header) ? header[header.length - 1] : header;
  if (text === undefined || text === "") return 0;
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text))) {
    throw invalidArgument(`invalid height header x-cosmos-block-height: ${text}`);
  }
  return Number(text);
}

export async function startLcdServer(options: LcdServerOptions): Promise<LcdServer> {
  const logger = options.logger ?? silentLogger;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_LCD_MAX_BODY_BYTES;
  const router = new LcdRouter(lcdRoutes());
  const ctx: RouteContext = {
    backend: options.backend,
    registry: lcdRegistry(),
    minimumGasPrice: options.minimumGasPrice ?? DEFAULT_MIN_GAS_PRICE,
    onBackgroundError: (e) =>
      logger.warn("lcd background broadcast failed", { error: e instanceof Error ? e.message : String(e) }),
  };

  const app = Fastify({ ...SCHEMALESS_SERVER, logger: false, bodyLimit: maxBodyBytes, return503OnClosing: true });
  // Bodies are JSON whatever their content type (secretjs sends text/plain); parsed in the handler so
  // that malformed JSON gets the gateway's error shape.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "string" }, (_req, body, done) => done(null, body));

  const send = (
    reply: FastifyReply,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ): FastifyReply =>
    reply
      .code(status)
      .headers({ ...CORS_HEADERS, ...headers, "content-type": "application/json" })
      .send(JSON.stringify(body));

  const sendError = (reply: FastifyReply, e: unknown, request?: FastifyRequest): FastifyReply => {
    if (e instanceof LcdError) return send(reply, e.httpStatus, e.body);
    const err = e as { code?: unknown; statusCode?: unknown; message?: unknown };
    if (err.code === "FST_ERR_CTP_BODY_TOO_LARGE") {
      const body = {
        code: GrpcCode.ResourceExhausted,
        message: `request body larger than ${maxBodyBytes} bytes`,
        details: [],
      };
      return send(reply, 413, body);
    }
    if (typeof err.statusCode === "number" && err.statusCode >= 400 && err.statusCode < 500) {
      return send(reply, err.statusCode, { code: GrpcCode.InvalidArgument, message: String(err.message), details: [] });
    }
    logger.error("lcd request failed", {
      url: request?.url,
      error: e instanceof Error ? (e.stack ?? e.message) : String(e),
    });
    const message = e instanceof Error ? e.message : String(e);
    return send(reply, 500, { code: GrpcCode.Internal, message, details: [] });
  };

  app.setErrorHandler((error, request, reply) => sendError(reply, error, request));

  app.route({
    method: ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"],
    url: "*",
    handler: async (request, reply) => {
      if (request.method === "OPTIONS") {
        const asked = request.headers["access-control-request-headers"];
        return reply
          .code(204)
          .headers({ ...CORS_HEADERS, "access-control-allow-headers": typeof asked === "string" ? asked : "*" })
          .send();
      }
      try {
        const { segments, search } = splitUrl(request.raw.url ?? "/");
        const match = router.match(request.method, segments);
        if (match.kind === "none") throw new LcdError(GrpcCode.Unimplemented, "Not Implemented");
        if (match.kind === "method") throw new LcdError(GrpcCode.Unimplemented, "Method Not Allowed");
        let body: unknown;
        if (match.route.method === "POST") {
          const text = typeof request.body === "string" ? request.body : "";
          if (text.trim() === "") body = {};
          else {
            try {
              body = JSON.parse(text);
            } catch (e) {
              throw invalidArgument(`malformed JSON body: ${e instanceof Error ? e.message : String(e)}`);
            }
          }
          if (body === null || typeof body !== "object" || Array.isArray(body)) {
            throw invalidArgument("the request body must be a JSON object");
          }
        }
        const req: LcdRequest = {
          params: match.params,
          query: nestQuery(search),
          body,
          height: parseHeight(request.headers["x-cosmos-block-height"]),
        };
        const answer = await match.route.handler(ctx, req);
        return send(reply, 200, answer.body, { ...answer.headers });
      } catch (e) {
        return sendError(reply, e, request);
      }
    },
  });

  const address = await app.listen({ host: options.host ?? "127.0.0.1", port: options.port ?? 1317 });
  const port = Number(new URL(address).port);
  logger.info("lcd listening", { address });
  return {
    port,
    close: async () => {
      await app.close();
    },
  };
}
