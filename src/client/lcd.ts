/**
 * A client for the LCD REST gateway (port 1317; chain-api.md §7). Every answer is checked before use;
 * errors become `ClientError`s: CLIENT_HTTP_ERROR carries the HTTP status and the gateway's
 * `{code, message}`, CLIENT_NOT_FOUND a 404, CLIENT_BAD_RESPONSE a body of the wrong shape.
 */
import { fromBase64, toBase64 } from "../primitives/base64.ts";
import { ClientError } from "./errors.ts";
import { type HttpOptions, checkBaseUrl, joinUrl, requestJson } from "./http.ts";
import { type JsonObject, asArray, asObject, asString, asUintString, isObject } from "./json.ts";

export interface LcdOptions {
  readonly timeoutMs?: number;
}

export interface AccountState {
  readonly address: string;
  readonly accountNumber: bigint;
  readonly sequence: bigint;
  /** The account JSON as the LCD gave it. */
  readonly raw: JsonObject;
}

export interface LcdCoin {
  readonly denom: string;
  readonly amount: string;
}

export interface BroadcastAnswer {
  readonly txhash: string;
  readonly code: number;
  readonly codespace: string;
  readonly rawLog: string;
}

export type BroadcastMode = "sync" | "async";

const seg = (s: string): string => encodeURIComponent(s);

export class LcdClient {
  readonly baseUrl: string;
  readonly timeoutMs: number | undefined;

  constructor(baseUrl: string, options: LcdOptions = {}) {
    this.baseUrl = checkBaseUrl(baseUrl, "LCD URL");
    this.timeoutMs = options.timeoutMs;
  }

  private http(extra: HttpOptions = {}): HttpOptions {
    return this.timeoutMs === undefined ? extra : { timeoutMs: this.timeoutMs, ...extra };
  }

  /** GET a path; 2xx bodies are returned, anything else throws. */
  async get(path: string): Promise<JsonObject> {
    const url = joinUrl(this.baseUrl, path);
    const answer = await requestJson("GET", url, undefined, this.http());
    return this.checked(answer.status, answer.body, `GET ${path}`);
  }

  async post(path: string, body: unknown, extra: HttpOptions = {}): Promise<JsonObject> {
    const url = joinUrl(this.baseUrl, path);
    const answer = await requestJson("POST", url, body, this.http(extra));
    return this.checked(answer.status, answer.body, `POST ${path}`);
  }

  private checked(status: number, body: unknown, what: string): JsonObject {
    if (status >= 200 && status < 300) return asObject(body, what);
    const message =
      isObject(body) && typeof body["message"] === "string" ? body["message"] : JSON.stringify(body ?? "");
    const grpcCode = isObject(body) && typeof body["code"] === "number" ? body["code"] : undefined;
    const details = { status, grpcCode, message };
    if (status === 404) throw new ClientError("CLIENT_NOT_FOUND", `${what}: ${message}`, details);
    throw new ClientError("CLIENT_HTTP_ERROR", `${what}: HTTP ${status}: ${message}`, details);
  }

  /** The chain's consensus IO public key (32 bytes). */
  async txKey(): Promise<Uint8Array> {
    const body = await this.get("/registration/v1beta1/tx-key");
    let key: Uint8Array;
    try {
      key = fromBase64(asString(body["key"], "tx-key.key"));
    } catch (err) {
      if (err instanceof ClientError) throw err;
      throw new ClientError("CLIENT_BAD_RESPONSE", "tx-key: key is not base64");
    }
    if (key.length !== 32) throw new ClientError("CLIENT_BAD_RESPONSE", `tx-key: expected 32 bytes, got ${key.length}`);
    return key;
  }

  /** The account, or `undefined` when the chain does not know the address. */
  async account(address: string): Promise<AccountState | undefined> {
    let body: JsonObject;
    try {
      body = await this.get(`/cosmos/auth/v1beta1/accounts/${seg(address)}`);
    } catch (err) {
      if (err instanceof ClientError && err.code === "CLIENT_NOT_FOUND") return undefined;
      throw err;
    }
    const account = asObject(body["account"], "account");
    return { ...baseAccountFields(account), raw: account };
  }

  async balances(address: string): Promise<LcdCoin[]> {
    const body = await this.get(`/cosmos/bank/v1beta1/balances/${seg(address)}`);
    return asArray(body["balances"], "balances").map((c, i) => checkCoin(c, `balances[${i}]`));
  }

  async balance(address: string, denom: string): Promise<LcdCoin> {
    const body = await this.get(`/cosmos/bank/v1beta1/balances/${seg(address)}/by_denom?denom=${seg(denom)}`);
    return checkCoin(body["balance"], "balance");
  }

  /** Gas used by the tx in simulation; CLIENT_SIMULATE_FAILED with the chain's text when it fails. */
  async simulate(txBytes: Uint8Array): Promise<bigint> {
    let body: JsonObject;
    try {
      body = await this.post("/cosmos/tx/v1beta1/simulate", { txBytes: toBase64(txBytes) });
    } catch (err) {
      if (err instanceof ClientError && (err.code === "CLIENT_HTTP_ERROR" || err.code === "CLIENT_NOT_FOUND")) {
        const message = (err.details?.["message"] as string | undefined) ?? err.message;
        throw new ClientError("CLIENT_SIMULATE_FAILED", `gas estimation failed: ${message}`, err.details);
      }
      throw err;
    }
    const gasInfo = asObject(body["gas_info"], "simulate.gas_info");
    return asUintString(gasInfo["gas_used"], "simulate.gas_info.gas_used");
  }

  /** Hands the tx to the node; a CheckTx rejection is reported in `code`, not thrown. */
  async broadcast(
    txBytes: Uint8Array,
    mode: BroadcastMode = "sync",
    onProgress?: (sent: number, total: number) => void,
  ): Promise<BroadcastAnswer> {
    const body = await this.post(
      "/cosmos/tx/v1beta1/txs",
      { txBytes: toBase64(txBytes), mode: mode === "sync" ? "BROADCAST_MODE_SYNC" : "BROADCAST_MODE_ASYNC" },
      onProgress === undefined ? {} : { onProgress },
    );
    const r = asObject(body["tx_response"], "tx_response");
    return {
      txhash: asString(r["txhash"], "tx_response.txhash"),
      code: typeof r["code"] === "number" ? r["code"] : 0,
      codespace: typeof r["codespace"] === "string" ? r["codespace"] : "",
      rawLog: typeof r["raw_log"] === "string" ? r["raw_log"] : "",
    };
  }

  /** `{tx, tx_response}` of an included tx, or `undefined` while the chain does not have it. */
  async tx(hash: string): Promise<JsonObject | undefined> {
    if (!/^[0-9a-fA-F]{64}$/.test(hash))
      throw new ClientError("CLIENT_BAD_INPUT", `a tx hash is 64 hex characters, got ${JSON.stringify(hash)}`);
    try {
      const body = await this.get(`/cosmos/tx/v1beta1/txs/${hash.toUpperCase()}`);
      asObject(body["tx_response"], "tx_response");
      return body;
    } catch (err) {
      if (err instanceof ClientError && err.code === "CLIENT_NOT_FOUND") return undefined;
      throw err;
    }
  }

  /** Polls until the tx is included; CLIENT_TX_TIMEOUT after `timeoutMs`. */
  async waitForTx(hash: string, timeoutMs: number, pollMs = 500, onPoll?: () => void): Promise<JsonObject> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = await this.tx(hash);
      if (found !== undefined) return found;
      if (Date.now() + pollMs > deadline) {
        throw new ClientError(
          "CLIENT_TX_TIMEOUT",
          `tx ${hash} was not included within ${Math.round(timeoutMs / 1000)} s; it may still be`,
          {
            hash,
          },
        );
      }
      onPoll?.();
      await new Promise((r) => setTimeout(r, pollMs));
    }
  }

  async codeHashByCodeId(codeId: bigint): Promise<string> {
    const body = await this.get(`/compute/v1beta1/code_hash/by_code_id/${codeId}`);
    return asString(body["code_hash"], "code_hash");
  }

  async codeHashByContract(address: string): Promise<string> {
    const body = await this.get(`/compute/v1beta1/code_hash/by_contract_address/${seg(address)}`);
    return asString(body["code_hash"], "code_hash");
  }

  async contractInfo(address: string): Promise<JsonObject> {
    return this.get(`/compute/v1beta1/info/${seg(address)}`);
  }

  /** Code info without the wasm (which can be megabytes). */
  async codeInfo(codeId: bigint): Promise<JsonObject> {
    const body = await this.get("/compute/v1beta1/codes");
    const infos = asArray(body["code_infos"], "code_infos");
    const found = infos.find((c) => isObject(c) && String(c["code_id"]) === codeId.toString());
    if (found === undefined) throw new ClientError("CLIENT_NOT_FOUND", `no code with id ${codeId}`);
    return asObject(found, "code_info");
  }

  /**
   * An encrypted smart query. Resolves with the encrypted answer bytes; a failed query throws
   * CLIENT_HTTP_ERROR whose `details.message` holds the (encrypted) error text.
   */
  async querySecretContract(address: string, envelope: Uint8Array): Promise<Uint8Array> {
    const body = await this.get(
      `/compute/v1beta1/query/${seg(address)}?query=${encodeURIComponent(toBase64(envelope))}`,
    );
    try {
      return fromBase64(asString(body["data"], "query.data"));
    } catch (err) {
      if (err instanceof ClientError) throw err;
      throw new ClientError("CLIENT_BAD_RESPONSE", "query.data is not base64");
    }
  }

  async latestBlock(): Promise<JsonObject> {
    return this.get("/cosmos/base/tendermint/v1beta1/blocks/latest");
  }
}

function baseAccountFields(account: JsonObject): { address: string; accountNumber: bigint; sequence: bigint } {
  // BaseAccount fields sit at the top; vesting and module accounts nest them (chain-api.md §7.2).
  let base: JsonObject = account;
  if (isObject(account["base_vesting_account"]))
    base = asObject(account["base_vesting_account"]["base_account"], "base_account");
  else if (isObject(account["base_account"])) base = account["base_account"];
  return {
    address: asString(base["address"], "account.address"),
    accountNumber: asUintString(base["account_number"], "account.account_number"),
    sequence: asUintString(base["sequence"], "account.sequence"),
  };
}

function checkCoin(value: unknown, what: string): LcdCoin {
  const c = asObject(value, what);
  return { denom: asString(c["denom"], `${what}.denom`), amount: asString(c["amount"], `${what}.amount`) };
}
