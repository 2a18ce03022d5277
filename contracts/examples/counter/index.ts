// Counter: instantiate {"count":n}; execute {"increment":{}} | {"reset":{"count":n}} (owner only);
// query {"get_count":{}} → {"count":n}; migrate {"count":n} sets the count.

/* eslint-disable @typescript-eslint/consistent-type-imports -- AssemblyScript has no type-only imports */

import {
  ContractResult,
  Deps,
  Env,
  JsonValue,
  JsonWriter,
  MessageInfo,
  Ok,
  QueryResult,
  Response,
  Singleton,
  StdError,
  fail,
  failQuery,
  queryJson,
  runExecute,
  runInstantiate,
  runMigrate,
  runQuery,
} from "../../sdk";

export { allocate, deallocate, interface_version_8 } from "../../sdk";

const COUNT = new Singleton<u64>("count");
const OWNER = new Singleton<string>("owner");

export function instantiate(env: usize, info: usize, msg: usize): usize {
  return runInstantiate(env, info, msg, onInstantiate);
}

export function execute(env: usize, info: usize, msg: usize): usize {
  return runExecute(env, info, msg, onExecute);
}

export function query(env: usize, msg: usize): usize {
  return runQuery(env, msg, onQuery);
}

export function migrate(env: usize, msg: usize): usize {
  return runMigrate(env, msg, onMigrate);
}

function onInstantiate(deps: Deps, _env: Env, info: MessageInfo, msg: JsonValue): ContractResult {
  const count = msg.getU64("count");
  if (msg.failed) return fail(msg.error!);
  COUNT.save(deps.storage, count);
  OWNER.save(deps.storage, info.sender);
  return Ok(new Response().addAttribute("action", "instantiate").addAttributePlaintext("count", count.toString()));
}

function onExecute(deps: Deps, _env: Env, info: MessageInfo, msg: JsonValue): ContractResult {
  const variant = msg.variant();
  if (variant === "increment") {
    const count = COUNT.loadOr(deps.storage, 0) + 1;
    COUNT.save(deps.storage, count);
    return Ok(new Response().addAttribute("action", "increment").addAttributePlaintext("count", count.toString()));
  }
  if (variant === "reset") {
    const count = msg.variantValue().getU64("count");
    if (msg.failed) return fail(msg.error!);
    if (info.sender !== OWNER.loadOr(deps.storage, "")) return fail(StdError.custom("Unauthorized"));
    COUNT.save(deps.storage, count);
    return Ok(new Response().addAttribute("action", "reset"));
  }
  return fail(msg.unknownVariant(variant, ["increment", "reset"]));
}

function onMigrate(deps: Deps, _env: Env, msg: JsonValue): ContractResult {
  const count = msg.getU64("count");
  if (msg.failed) return fail(msg.error!);
  COUNT.save(deps.storage, count);
  return Ok(new Response().addAttribute("action", "migrate"));
}

function onQuery(deps: Deps, _env: Env, msg: JsonValue): QueryResult {
  const variant = msg.variant();
  if (variant === "get_count") {
    return queryJson(new JsonWriter().beginObject().propU64("count", COUNT.loadOr(deps.storage, 0)).endObject());
  }
  return failQuery(msg.unknownVariant(variant, ["get_count"]));
}
