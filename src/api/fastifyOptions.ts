/**
 * Fastify options shared by the RPC and LCD servers. Neither declares route schemas (each handler
 * decodes and checks its own input, which is `unknown` until then), so Fastify gets schema compilers
 * that refuse to compile: it then never loads Ajv and fast-json-stringify (≈ 60 ms of CPU at every
 * start of a node), and a schema added by mistake fails when the server starts instead of being
 * half-applied.
 */
import type { FastifyServerOptions } from "fastify";

function refuseSchemas(): never {
  throw new Error("route schemas are not used by this server: decode the request in its handler");
}

export const SCHEMALESS_SERVER: Pick<FastifyServerOptions, "schemaController"> = {
  schemaController: { compilersFactory: { buildValidator: () => refuseSchemas, buildSerializer: () => refuseSchemas } },
};
