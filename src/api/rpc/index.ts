/** The Tendermint RPC server (CometBFT 0.38 shapes) over an `ApiBackend`. */
export { DEFAULT_MAX_BODY_BYTES, startRpcServer } from "./server.ts";
export type { RpcServer, RpcServerOptions } from "./server.ts";
export { RpcError } from "./errors.ts";
export type { RpcErrorCode } from "./errors.ts";
export { METHODS, DEFAULT_CONSENSUS_PARAMS } from "./methods.ts";
export { QueryParseError, matchesEventQuery, parseEventQuery } from "./query.ts";
export type { EventQuery } from "./query.ts";
export { eventAttributeMap } from "./json.ts";
