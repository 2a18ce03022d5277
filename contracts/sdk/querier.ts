// Chain queries through `query_chain`: other contracts' smart queries, bank balances, raw requests.
//
// Requests use the v0.10 `QueryRequest` shape, which is what the Secret host parses. The answer comes
// back as `{"Ok":{"Ok":"<b64>"}}`, `{"Ok":{"Err":<error>}}` (the callee failed) or `{"Err":<system
// error>}`; errors become `Generic error: Querier contract error: …` / `… Querier system error: …`.

/* eslint-disable @typescript-eslint/consistent-type-imports -- AssemblyScript has no type-only imports */

import { newRegionString, regionLength, regionOffset } from "./abi";
import { base64Decode } from "./base64";
import { utf8Decode, utf8Encode } from "./bytes";
import { query_chain } from "./env";
import { Err, Ok, Result, StdError } from "./errors";
import { JsonValue, JsonWriter, parseJsonBytes, parseJsonRaw } from "./json";
import { Coin } from "./types";

function field(v: JsonValue, key: string): string {
  const f = v.get(key);
  return f !== null && f.isString ? f.text : f !== null ? f.toJson() : "";
}

function decodedField(v: JsonValue, key: string): string {
  const f = v.get(key);
  if (f === null || !f.isString) return "";
  const raw = base64Decode(f.text);
  return raw.isOk ? utf8Decode(raw.value) : f.text;
}

/** Display text of a v0.10 StdError object (what the Secret host reports for callee errors). */
function contractErrorText(e: JsonValue): string {
  if (e.isString) return e.text;
  if (!e.isObject || e.size !== 1) return e.toJson();
  const tag = e.keys![0];
  const body = e.items![0];
  if (tag === "generic_err") return "Generic error: " + field(body, "msg");
  if (tag === "invalid_base64") return "Invalid Base64 string: " + field(body, "msg");
  if (tag === "invalid_utf8") return "Cannot decode UTF8 bytes into string: " + field(body, "msg");
  if (tag === "not_found") return field(body, "kind") + " not found";
  if (tag === "null_pointer") return "Received null pointer, refuse to use";
  if (tag === "parse_err") return "Error parsing into type " + field(body, "target") + ": " + field(body, "msg");
  if (tag === "serialize_err") return "Error serializing type " + field(body, "source") + ": " + field(body, "msg");
  if (tag === "unauthorized") return "Unauthorized";
  if (tag === "underflow") return "Cannot subtract " + field(body, "subtrahend") + " from " + field(body, "minuend");
  return e.toJson();
}

function systemErrorText(e: JsonValue): string {
  if (!e.isObject || e.size !== 1) return e.toJson();
  const tag = e.keys![0];
  const body = e.items![0];
  if (tag === "invalid_request")
    return "Cannot parse request: " + field(body, "error") + " in: " + decodedField(body, "request");
  if (tag === "invalid_response")
    return "Cannot parse response: " + field(body, "error") + " in: " + decodedField(body, "response");
  if (tag === "no_such_contract") return "No such contract: " + field(body, "addr");
  if (tag === "unknown") return "Unknown system error";
  if (tag === "unsupported_request") return "Unsupported query type: " + field(body, "kind");
  if (tag === "exceeded_recursion_limit") return "Query exceeds recursion limit";
  return e.toJson();
}

export class Querier {
  /** Sends a raw request (v0.10 `QueryRequest` JSON) and returns the answer bytes. */
  queryRaw(request: string): Result<Uint8Array> {
    const region = query_chain(newRegionString(request));
    const parsed = parseJsonRaw(regionOffset(region), regionLength(region), "QuerierResult");
    if (parsed.isErr) return Err<Uint8Array>(StdError.generic("Querier system error: " + parsed.error!.toString()));
    const top = parsed.value;
    const ok = top.get("Ok");
    if (ok !== null) {
      const answer = ok.get("Ok");
      if (answer !== null && answer.isString) {
        const bytes = base64Decode(answer.text);
        if (bytes.isErr) return Err<Uint8Array>(bytes.error!);
        return Ok(bytes.value);
      }
      const err = ok.get("Err");
      if (err !== null) return Err<Uint8Array>(StdError.generic("Querier contract error: " + contractErrorText(err)));
      return Err<Uint8Array>(StdError.generic("Querier system error: unexpected answer " + top.toJson()));
    }
    const sys = top.get("Err");
    if (sys !== null) return Err<Uint8Array>(StdError.generic("Querier system error: " + systemErrorText(sys)));
    return Err<Uint8Array>(StdError.generic("Querier system error: unexpected answer " + top.toJson()));
  }

  /**
   * Runs another contract's query: `msg` is its JSON query message, `codeHash` the callee's code hash
   * (hex). Returns the raw answer bytes.
   */
  querySmart(contract: string, codeHash: string, msg: string): Result<Uint8Array> {
    const w = new JsonWriter();
    w.beginObject().key("wasm").beginObject().key("smart").beginObject();
    w.propString("contract_addr", contract).propString("callback_code_hash", codeHash);
    w.key("msg").binary(utf8Encode(msg));
    w.endObject().endObject().endObject();
    return this.queryRaw(w.toString());
  }

  /** `querySmart`, with the answer parsed as JSON (`target` names the type in parse errors). */
  querySmartJson(contract: string, codeHash: string, msg: string, target: string = "QueryResponse"): Result<JsonValue> {
    const raw = this.querySmart(contract, codeHash, msg);
    if (raw.isErr) return raw.mapErr<JsonValue>();
    return parseJsonBytes(raw.value, target);
  }

  /** The bank balance of `address` in `denom`. */
  queryBalance(address: string, denom: string): Result<Coin> {
    const w = new JsonWriter();
    w.beginObject().key("bank").beginObject().key("balance").beginObject();
    w.propString("address", address).propString("denom", denom);
    w.endObject().endObject().endObject();
    const raw = this.queryRaw(w.toString());
    if (raw.isErr) return raw.mapErr<Coin>();
    const parsed = parseJsonBytes(raw.value, "BalanceResponse");
    if (parsed.isErr) return parsed.mapErr<Coin>();
    const c = Coin.fromJson(parsed.value.getObject("amount"));
    if (parsed.value.failed) return Err<Coin>(parsed.value.error!);
    return Ok(c);
  }
}
