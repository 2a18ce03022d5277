// Entry-point plumbing: read the Region inputs, parse env/info/msg, call the handler, and return the
// `{"Ok":…}` / `{"Err":"…"}` JSON Region the host expects. A contract's entry file exports functions
// with the ABI names that forward to these (see ../README.md).

/* eslint-disable @typescript-eslint/consistent-type-imports -- AssemblyScript has no type-only imports */

import { newRegionFrom, regionLength, regionOffset } from "./abi";
import { base64EncodeInto } from "./base64";
import { Api } from "./api";
import { ByteBuf } from "./bytes";
import { Err, Ok, Result, StdError } from "./errors";
import { JsonValue, JsonWriter, parseJsonRaw, writeJsonString } from "./json";
import { Querier } from "./querier";
import { ContractResult, QueryResult, Response } from "./response";
import { Storage } from "./storage";
import { Env, MessageInfo, Reply } from "./types";

/** What handlers get to talk to the host. */
export class Deps {
  storage: Storage = new Storage();
  api: Api = new Api();
  querier: Querier = new Querier();
}

export type InstantiateHandler = (deps: Deps, env: Env, info: MessageInfo, msg: JsonValue) => ContractResult;
export type ExecuteHandler = (deps: Deps, env: Env, info: MessageInfo, msg: JsonValue) => ContractResult;
export type QueryHandler = (deps: Deps, env: Env, msg: JsonValue) => QueryResult;
export type MigrateHandler = (deps: Deps, env: Env, msg: JsonValue) => ContractResult;
export type ReplyHandler = (deps: Deps, env: Env, reply: Reply) => ContractResult;

function parseRegion(region: usize, target: string): Result<JsonValue> {
  return parseJsonRaw(regionOffset(region), regionLength(region), target);
}

function parseEnv(region: usize): Result<Env> {
  const v = parseRegion(region, "Env");
  if (v.isErr) return v.mapErr<Env>();
  const env = Env.fromJson(v.value);
  if (v.value.failed) return Err<Env>(v.value.error!);
  return Ok(env);
}

function parseInfo(region: usize): Result<MessageInfo> {
  const v = parseRegion(region, "MessageInfo");
  if (v.isErr) return v.mapErr<MessageInfo>();
  const info = MessageInfo.fromJson(v.value);
  if (v.value.failed) return Err<MessageInfo>(v.value.error!);
  return Ok(info);
}

function bufferRegion(buf: ByteBuf): usize {
  return newRegionFrom(buf.ptr, <usize>buf.len);
}

/** `{"Err":"<display text>"}` */
export function errorRegion(error: StdError): usize {
  const buf = new ByteBuf(64);
  buf.ascii('{"Err":');
  writeJsonString(buf, error.toString());
  buf.byte(0x7d);
  return bufferRegion(buf);
}

/** `{"Ok":<response>}`, or the error. A msg parse error left unchecked by the handler wins over Ok. */
function contractResultRegion(result: ContractResult, msg: JsonValue | null): usize {
  if (result.isErr) return errorRegion(result.error!);
  if (msg !== null && msg.failed) return errorRegion(msg.error!);
  const w = new JsonWriter(256);
  w.buf.ascii('{"Ok":');
  result.value.writeTo(w);
  w.buf.byte(0x7d);
  return bufferRegion(w.buf);
}

/** `{"Ok":"<base64 answer>"}`, or the error. */
function queryResultRegion(result: QueryResult, msg: JsonValue): usize {
  if (result.isErr) return errorRegion(result.error!);
  if (msg.failed) return errorRegion(msg.error!);
  const data = result.value;
  const buf = new ByteBuf(((data.length + 2) / 3) * 4 + 10);
  buf.ascii('{"Ok":"');
  base64EncodeInto(buf, data.dataStart, data.length);
  buf.ascii('"}');
  return bufferRegion(buf);
}

/** Implements the `instantiate(env, info, msg)` export. */
export function runInstantiate(env: usize, info: usize, msg: usize, handler: InstantiateHandler): usize {
  return runWithInfo(env, info, msg, "InstantiateMsg", handler);
}

/** Implements the `execute(env, info, msg)` export. */
export function runExecute(env: usize, info: usize, msg: usize, handler: ExecuteHandler): usize {
  return runWithInfo(env, info, msg, "ExecuteMsg", handler);
}

function runWithInfo(
  envRegion: usize,
  infoRegion: usize,
  msgRegion: usize,
  target: string,
  handler: (deps: Deps, env: Env, info: MessageInfo, msg: JsonValue) => ContractResult,
): usize {
  const env = parseEnv(envRegion);
  if (env.isErr) return errorRegion(env.error!);
  const info = parseInfo(infoRegion);
  if (info.isErr) return errorRegion(info.error!);
  const msg = parseRegion(msgRegion, target);
  if (msg.isErr) return errorRegion(msg.error!);
  return contractResultRegion(handler(new Deps(), env.value, info.value, msg.value), msg.value);
}

/** Implements the `query(env, msg)` export. */
export function runQuery(envRegion: usize, msgRegion: usize, handler: QueryHandler): usize {
  const env = parseEnv(envRegion);
  if (env.isErr) return errorRegion(env.error!);
  const msg = parseRegion(msgRegion, "QueryMsg");
  if (msg.isErr) return errorRegion(msg.error!);
  return queryResultRegion(handler(new Deps(), env.value, msg.value), msg.value);
}

/** Implements the `migrate(env, msg)` export. */
export function runMigrate(envRegion: usize, msgRegion: usize, handler: MigrateHandler): usize {
  const env = parseEnv(envRegion);
  if (env.isErr) return errorRegion(env.error!);
  const msg = parseRegion(msgRegion, "MigrateMsg");
  if (msg.isErr) return errorRegion(msg.error!);
  return contractResultRegion(handler(new Deps(), env.value, msg.value), msg.value);
}

/** Implements the `reply(env, msg)` export. */
export function runReply(envRegion: usize, msgRegion: usize, handler: ReplyHandler): usize {
  const env = parseEnv(envRegion);
  if (env.isErr) return errorRegion(env.error!);
  const msg = parseRegion(msgRegion, "Reply");
  if (msg.isErr) return errorRegion(msg.error!);
  const reply = Reply.fromJson(msg.value);
  if (msg.value.failed) return errorRegion(msg.value.error!);
  return contractResultRegion(handler(new Deps(), env.value, reply), null);
}

/** For tests and tools: the JSON text a `Response` is returned as (without the `Ok` wrapper). */
export function responseJson(response: Response): string {
  const w = new JsonWriter();
  response.writeTo(w);
  return w.toString();
}
