// The v1 `Response`, `SubMsg` and `CosmosMsg` (Secret's JSON forms), and the handler result types.

/* eslint-disable @typescript-eslint/consistent-type-imports -- AssemblyScript has no type-only imports */

import { Err, Ok, Result, StdError } from "./errors";
import { JsonValue, JsonWriter } from "./json";
import { base64Encode } from "./base64";
import { utf8Encode } from "./bytes";
import { Attribute, Coin, Event, writeCoins } from "./types";

/** What an instantiate/execute/migrate/reply handler returns. */
export type ContractResult = Result<Response>;
/** What a query handler returns: the answer bytes (usually JSON), base64-encoded by the SDK. */
export type QueryResult = Result<Uint8Array>;

/** A failed `ContractResult`. */
export function fail(error: StdError): ContractResult {
  return Err<Response>(error);
}

/** A failed `ContractResult` with `Generic error: <msg>`. */
export function failGeneric(msg: string): ContractResult {
  return Err<Response>(StdError.generic(msg));
}

/** A failed `QueryResult`. */
export function failQuery(error: StdError): QueryResult {
  return Err<Uint8Array>(error);
}

/** A successful `QueryResult` carrying the JSON written to `w`. */
export function queryJson(w: JsonWriter): QueryResult {
  return Ok(w.toBytes());
}

/** A successful `QueryResult` carrying `json` (UTF-8). */
export function queryJsonString(json: string): QueryResult {
  return Ok(utf8Encode(json));
}

/** A message the contract sends (as the signer). Holds its JSON form. */
export class CosmosMsg {
  constructor(readonly json: string) {}

  /** `{"bank":{"send":{"to_address","amount"}}}` */
  static bankSend(toAddress: string, amount: Array<Coin>): CosmosMsg {
    const w = new JsonWriter();
    w.beginObject().key("bank").beginObject().key("send").beginObject();
    w.propString("to_address", toAddress).key("amount");
    writeCoins(w, amount);
    w.endObject().endObject().endObject();
    return new CosmosMsg(w.toString());
  }

  /**
   * `{"wasm":{"execute":{"contract_addr","code_hash","msg":"<b64>","send":[…]}}}`; `msg` is the
   * callee's JSON message (the SDK base64-encodes it; the enclave encrypts it).
   */
  static wasmExecute(
    contract: string,
    codeHash: string,
    msg: string,
    funds: Array<Coin> = new Array<Coin>(),
  ): CosmosMsg {
    const w = new JsonWriter();
    w.beginObject().key("wasm").beginObject().key("execute").beginObject();
    w.propString("contract_addr", contract).propString("code_hash", codeHash);
    w.key("msg").binary(utf8Encode(msg));
    w.key("send");
    writeCoins(w, funds);
    w.endObject().endObject().endObject();
    return new CosmosMsg(w.toString());
  }

  /** `{"wasm":{"instantiate":{"admin"?,"code_id","code_hash","msg","send","label"}}}` */
  static wasmInstantiate(
    codeId: u64,
    codeHash: string,
    msg: string,
    label: string,
    funds: Array<Coin> = new Array<Coin>(),
    admin: string | null = null,
  ): CosmosMsg {
    const w = new JsonWriter();
    w.beginObject().key("wasm").beginObject().key("instantiate").beginObject();
    if (admin !== null) w.propString("admin", admin);
    w.propU64("code_id", codeId).propString("code_hash", codeHash);
    w.key("msg").binary(utf8Encode(msg));
    w.key("send");
    writeCoins(w, funds);
    w.propString("label", label);
    w.endObject().endObject().endObject();
    return new CosmosMsg(w.toString());
  }

  /** `{"wasm":{"migrate":{"contract_addr","code_hash","code_id","msg"}}}` */
  static wasmMigrate(contract: string, codeHash: string, codeId: u64, msg: string): CosmosMsg {
    const w = new JsonWriter();
    w.beginObject().key("wasm").beginObject().key("migrate").beginObject();
    w.propString("contract_addr", contract).propString("code_hash", codeHash).propU64("code_id", codeId);
    w.key("msg").binary(utf8Encode(msg));
    w.endObject().endObject().endObject();
    return new CosmosMsg(w.toString());
  }

  /** `{"staking":{"delegate":{"validator","amount"}}}` */
  static stakingDelegate(validator: string, amount: Coin): CosmosMsg {
    const w = new JsonWriter();
    w.beginObject().key("staking").beginObject().key("delegate").beginObject();
    w.propString("validator", validator).key("amount");
    amount.writeTo(w);
    w.endObject().endObject().endObject();
    return new CosmosMsg(w.toString());
  }

  /** Secret's `{"finalize_tx":{}}`. */
  static finalizeTx(): CosmosMsg {
    return new CosmosMsg('{"finalize_tx":{}}');
  }

  /** Any other variant, given as its JSON (not checked). */
  static fromJson(json: string): CosmosMsg {
    return new CosmosMsg(json);
  }
}

export enum ReplyOn {
  Never,
  Success,
  Error,
  Always,
}

function replyOnName(r: ReplyOn): string {
  switch (r) {
    case ReplyOn.Success:
      return "success";
    case ReplyOn.Error:
      return "error";
    case ReplyOn.Always:
      return "always";
    default:
      return "never";
  }
}

/** A message plus reply settings. With `ReplyOn.Never` it is a plain message. */
export class SubMsg {
  gasLimit: u64 = 0;
  hasGasLimit: bool = false;

  constructor(
    public msg: CosmosMsg,
    public id: u64 = 0,
    public replyOn: ReplyOn = ReplyOn.Never,
  ) {}

  static replyAlways(id: u64, msg: CosmosMsg): SubMsg {
    return new SubMsg(msg, id, ReplyOn.Always);
  }

  static replyOnSuccess(id: u64, msg: CosmosMsg): SubMsg {
    return new SubMsg(msg, id, ReplyOn.Success);
  }

  static replyOnError(id: u64, msg: CosmosMsg): SubMsg {
    return new SubMsg(msg, id, ReplyOn.Error);
  }

  /** Runs the message under its own SDK gas limit. */
  withGasLimit(limit: u64): SubMsg {
    this.gasLimit = limit;
    this.hasGasLimit = true;
    return this;
  }

  writeTo(w: JsonWriter): void {
    w.beginObject().propU64("id", this.id).key("msg").rawValue(this.msg.json).key("gas_limit");
    if (this.hasGasLimit) w.u64(this.gasLimit);
    else w.nullValue();
    w.propString("reply_on", replyOnName(this.replyOn)).endObject();
  }
}

/** The v1 `Response` builder. */
export class Response {
  messages: Array<SubMsg> = new Array<SubMsg>();
  attributes: Array<Attribute> = new Array<Attribute>();
  events: Array<Event> = new Array<Event>();
  data: Uint8Array | null = null;

  /** An encrypted attribute on the `wasm` event. */
  addAttribute(key: string, value: string): Response {
    this.attributes.push(new Attribute(key, value, true));
    return this;
  }

  /** A plaintext attribute on the `wasm` event (visible to everyone, indexable). */
  addAttributePlaintext(key: string, value: string): Response {
    this.attributes.push(new Attribute(key, value, false));
    return this;
  }

  addEvent(event: Event): Response {
    this.events.push(event);
    return this;
  }

  /** A plain message (id 0, no reply). */
  addMessage(msg: CosmosMsg): Response {
    this.messages.push(new SubMsg(msg));
    return this;
  }

  addSubMessage(sub: SubMsg): Response {
    this.messages.push(sub);
    return this;
  }

  setData(data: Uint8Array): Response {
    this.data = data;
    return this;
  }

  /** Sets `data` to the UTF-8 of `json` (e.g. a SNIP-20 `{"transfer":{"status":"success"}}`). */
  setDataJson(json: string): Response {
    this.data = utf8Encode(json);
    return this;
  }

  writeTo(w: JsonWriter): void {
    w.beginObject().key("messages").beginArray();
    for (let i = 0; i < this.messages.length; i++) this.messages[i].writeTo(w);
    w.endArray().key("attributes").beginArray();
    for (let i = 0; i < this.attributes.length; i++) this.attributes[i].writeTo(w);
    w.endArray().key("events").beginArray();
    for (let i = 0; i < this.events.length; i++) this.events[i].writeTo(w);
    w.endArray().key("data").binary(this.data).endObject();
  }
}

/** The message of a JSON `value` as base64 (for fields typed `Binary`). */
export function toBinary(value: JsonValue): string {
  return base64Encode(utf8Encode(value.toJson()));
}
