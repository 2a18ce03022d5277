/**
 * A Tendermint JSON-RPC client (port 26657; chain-api.md §8): POST `{"jsonrpc":"2.0","id","method",
 * "params"}`; an `error` member becomes CLIENT_RPC_ERROR with its code and data.
 */
import { ClientError } from "./errors.ts";
import { checkBaseUrl, requestJson } from "./http.ts";
import { type JsonObject, asObject, isObject } from "./json.ts";

export class RpcClient {
  readonly baseUrl: string;
  readonly timeoutMs: number | undefined;
  #nextId = 1;

  constructor(baseUrl: string, options: { readonly timeoutMs?: number } = {}) {
    this.baseUrl = checkBaseUrl(baseUrl, "RPC URL");
    this.timeoutMs = options.timeoutMs;
  }

  async call(method: string, params: Readonly<Record<string, unknown>> = {}): Promise<JsonObject> {
    const id = this.#nextId++;
    const answer = await requestJson(
      "POST",
      `${this.baseUrl}/`,
      { jsonrpc: "2.0", id, method, params },
      this.timeoutMs === undefined ? {} : { timeoutMs: this.timeoutMs },
    );
    const body = answer.body;
    if (isObject(body) && isObject(body["error"])) {
      const e = body["error"];
      const data = typeof e["data"] === "string" ? e["data"] : "";
      const message = typeof e["message"] === "string" ? e["message"] : "error";
      throw new ClientError("CLIENT_RPC_ERROR", `${method}: ${message}${data === "" ? "" : `: ${data}`}`, {
        rpcCode: e["code"],
        data,
      });
    }
    if (answer.status < 200 || answer.status >= 300) {
      throw new ClientError("CLIENT_HTTP_ERROR", `${method}: HTTP ${answer.status}`, { status: answer.status });
    }
    return asObject(asObject(body, `${method} answer`)["result"], `${method} result`);
  }

  status(): Promise<JsonObject> {
    return this.call("status");
  }

  /** The block at `height`, or the latest. */
  block(height?: bigint): Promise<JsonObject> {
    return this.call("block", height === undefined ? {} : { height: height.toString() });
  }
}
