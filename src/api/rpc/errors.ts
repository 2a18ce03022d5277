/**
 * JSON-RPC errors with CometBFT's codes and messages (`rpc/jsonrpc/types/types.go`): the `message` is
 * fixed per code and the detail goes in `data`, as CometBFT writes it.
 */
import { CodedError } from "../../primitives/errors.ts";
import type { JsonObject } from "./json.ts";

export type RpcErrorCode =
  | "RPC_PARSE_ERROR"
  | "RPC_INVALID_REQUEST"
  | "RPC_METHOD_NOT_FOUND"
  | "RPC_INVALID_PARAMS"
  | "RPC_INTERNAL_ERROR"
  | "RPC_SERVER_ERROR";

const WIRE: Record<RpcErrorCode, { readonly code: number; readonly message: string }> = {
  RPC_PARSE_ERROR: { code: -32700, message: "Parse error. Invalid JSON" },
  RPC_INVALID_REQUEST: { code: -32600, message: "Invalid Request" },
  RPC_METHOD_NOT_FOUND: { code: -32601, message: "Method not found" },
  RPC_INVALID_PARAMS: { code: -32602, message: "Invalid params" },
  RPC_INTERNAL_ERROR: { code: -32603, message: "Internal error" },
  RPC_SERVER_ERROR: { code: -32000, message: "Server error" },
};

/** An error answer; `message` (the Error's) is the `data` text. */
export class RpcError extends CodedError<RpcErrorCode> {
  override readonly name = "RpcError";

  get jsonRpcCode(): number {
    return WIRE[this.code].code;
  }

  /** The `error` member of a JSON-RPC response (`data` omitted when empty, as CometBFT does). */
  toJson(): JsonObject {
    const wire = WIRE[this.code];
    const out: JsonObject = { code: wire.code, message: wire.message };
    if (this.message !== "") out.data = this.message;
    return out;
  }
}

/** A method failed (CometBFT's handler returned an error): -32603 with the text as `data`. */
export const internalError = (text: string): RpcError => new RpcError("RPC_INTERNAL_ERROR", text);

/** Any thrown value as an RpcError: RpcErrors pass through, other errors become -32603. */
export function asRpcError(e: unknown): RpcError {
  if (e instanceof RpcError) return e;
  return internalError(e instanceof Error ? e.message : String(e));
}
