// Caller: talks to another contract (e.g. the counter example).
//
// execute {"call_increment":{"contract","code_hash"}}    sends {"increment":{}} as a sub-message
//         {"call_reset":{"contract","code_hash","count"}} sends {"reset":{"count":n}} (fails unless
//                                                         this contract owns the counter)
//         both with reply_on "always" and id 1 / 2; `reply` stores the outcome.
// query   {"last_reply":{}}                              → {"id","ok","data","error","events"} or null
//         {"remote_count":{"contract","code_hash"}}      → the callee's {"get_count":{}} answer,
//                                                          fetched with query_chain

/* eslint-disable @typescript-eslint/consistent-type-imports -- AssemblyScript has no type-only imports */

import {
  ContractResult,
  CosmosMsg,
  Deps,
  Env,
  JsonValue,
  JsonWriter,
  MessageInfo,
  Ok,
  QueryResult,
  Reply,
  Response,
  Singleton,
  SubMsg,
  fail,
  failQuery,
  queryJsonString,
  runExecute,
  runInstantiate,
  runQuery,
  runReply,
} from "../../sdk";

export { allocate, deallocate, interface_version_8 } from "../../sdk";

const LAST_REPLY = new Singleton<string>("last_reply");

const ID_INCREMENT: u64 = 1;
const ID_RESET: u64 = 2;

export function instantiate(env: usize, info: usize, msg: usize): usize {
  return runInstantiate(env, info, msg, onInstantiate);
}

export function execute(env: usize, info: usize, msg: usize): usize {
  return runExecute(env, info, msg, onExecute);
}

export function query(env: usize, msg: usize): usize {
  return runQuery(env, msg, onQuery);
}

export function reply(env: usize, msg: usize): usize {
  return runReply(env, msg, onReply);
}

function onInstantiate(_deps: Deps, _env: Env, _info: MessageInfo, _msg: JsonValue): ContractResult {
  return Ok(new Response().addAttribute("action", "instantiate"));
}

function onExecute(_deps: Deps, _env: Env, _info: MessageInfo, msg: JsonValue): ContractResult {
  const variant = msg.variant();
  const body = msg.variantValue();
  if (variant === "call_increment") {
    const contract = body.getStr("contract");
    const codeHash = body.getStr("code_hash");
    if (msg.failed) return fail(msg.error!);
    const call = CosmosMsg.wasmExecute(contract, codeHash, '{"increment":{}}');
    return Ok(
      new Response().addAttribute("action", "call_increment").addSubMessage(SubMsg.replyAlways(ID_INCREMENT, call)),
    );
  }
  if (variant === "call_reset") {
    const contract = body.getStr("contract");
    const codeHash = body.getStr("code_hash");
    const count = body.getU64("count");
    if (msg.failed) return fail(msg.error!);
    const inner = new JsonWriter()
      .beginObject()
      .key("reset")
      .beginObject()
      .propU64("count", count)
      .endObject()
      .endObject();
    const call = CosmosMsg.wasmExecute(contract, codeHash, inner.toString());
    return Ok(new Response().addAttribute("action", "call_reset").addSubMessage(SubMsg.replyAlways(ID_RESET, call)));
  }
  return fail(msg.unknownVariant(variant, ["call_increment", "call_reset"]));
}

function onReply(deps: Deps, _env: Env, reply: Reply): ContractResult {
  const w = new JsonWriter().beginObject().propU64("id", reply.id).propBool("ok", reply.isOk);
  w.key("data").binary(reply.data);
  w.key("error").optString(reply.isOk ? null : reply.error);
  w.key("events").beginArray();
  for (let i = 0; i < reply.events.length; i++) w.string(reply.events[i].type);
  w.endArray().endObject();
  LAST_REPLY.save(deps.storage, w.toString());
  return Ok(
    new Response()
      .addAttributePlaintext("reply_id", reply.id.toString())
      .addAttributePlaintext("reply_ok", reply.isOk ? "true" : "false"),
  );
}

function onQuery(deps: Deps, _env: Env, msg: JsonValue): QueryResult {
  const variant = msg.variant();
  const body = msg.variantValue();
  if (variant === "last_reply") {
    return queryJsonString(LAST_REPLY.loadOr(deps.storage, "null"));
  }
  if (variant === "remote_count") {
    const contract = body.getStr("contract");
    const codeHash = body.getStr("code_hash");
    if (msg.failed) return failQuery(msg.error!);
    const answer = deps.querier.querySmartJson(contract, codeHash, '{"get_count":{}}', "CountResponse");
    if (answer.isErr) return failQuery(answer.error!);
    const count = answer.value.getU64("count");
    if (answer.value.failed) return failQuery(answer.value.error!);
    return queryJsonString(new JsonWriter().beginObject().propU64("count", count).endObject().toString());
  }
  return failQuery(msg.unknownVariant(variant, ["last_reply", "remote_count"]));
}
