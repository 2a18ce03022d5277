/**
 * Query routing (chain-api.md §8.6): gRPC-style paths `/<service>/<Method>` answered by the modules'
 * query servers with protobuf bytes. A handler's failure carries the ABCI code upstream derives from
 * the gRPC status: NotFound → 22, InvalidArgument → 18, anything else → its own code.
 */
import { AppError } from "./errors.ts";
import type { Context } from "./context.ts";

export type QueryHandler = (ctx: Context, data: Uint8Array) => Uint8Array;

export const grpcNotFound = (desc: string): AppError =>
  new AppError("sdk", 22, `rpc error: code = NotFound desc = ${desc}: key not found`);

export const grpcInvalidArgument = (desc: string): AppError =>
  new AppError("sdk", 18, `rpc error: code = InvalidArgument desc = ${desc}: invalid request`);
