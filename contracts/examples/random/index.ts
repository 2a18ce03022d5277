// Random: exports `requires_random`, so the chain fills `env.block.random` (32 bytes, per call) in
// instantiate, execute, migrate and reply.
//
// instantiate {}                  stores env.block.random, returns it as data
// execute     {"store_random":{}} same
// query       {"last_random":{}}  → {"random":"<b64>"|null,"height":n}
//
// Uses the plain `Storage` API with literal keys (no top-level objects), so the module needs no
// initialiser at all; compare the counter, whose top-level `Singleton`s are set up on each call.

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
  base64Encode,
  fail,
  failQuery,
  queryJson,
  runExecute,
  runInstantiate,
  runQuery,
  u64FromBytesBE,
  u64ToBytesBE,
  utf8Encode,
} from "../../sdk";

export { allocate, deallocate, interface_version_8, requires_random } from "../../sdk";

export function instantiate(env: usize, info: usize, msg: usize): usize {
  return runInstantiate(env, info, msg, onInstantiate);
}

export function execute(env: usize, info: usize, msg: usize): usize {
  return runExecute(env, info, msg, onExecute);
}

export function query(env: usize, msg: usize): usize {
  return runQuery(env, msg, onQuery);
}

function storeRandom(deps: Deps, env: Env): ContractResult {
  const random = env.block.random;
  if (random === null) {
    deps.storage.remove(utf8Encode("last_random"));
  } else {
    deps.storage.set(utf8Encode("last_random"), random);
  }
  deps.storage.set(utf8Encode("last_height"), u64ToBytesBE(env.block.height));
  const response = new Response().addAttributePlaintext("has_random", random !== null ? "true" : "false");
  if (random !== null) response.setData(random).addAttribute("random", base64Encode(random));
  return Ok(response);
}

function onInstantiate(deps: Deps, env: Env, _info: MessageInfo, _msg: JsonValue): ContractResult {
  return storeRandom(deps, env);
}

function onExecute(deps: Deps, env: Env, _info: MessageInfo, msg: JsonValue): ContractResult {
  const variant = msg.variant();
  if (variant === "store_random") return storeRandom(deps, env);
  return fail(msg.unknownVariant(variant, ["store_random"]));
}

function onQuery(deps: Deps, _env: Env, msg: JsonValue): QueryResult {
  const variant = msg.variant();
  if (variant === "last_random") {
    const w = new JsonWriter().beginObject();
    w.key("random").binary(deps.storage.get(utf8Encode("last_random")));
    const height = deps.storage.get(utf8Encode("last_height"));
    w.propU64("height", height !== null ? u64FromBytesBE(height) : 0).endObject();
    return queryJson(w);
  }
  return failQuery(msg.unknownVariant(variant, ["last_random"]));
}
