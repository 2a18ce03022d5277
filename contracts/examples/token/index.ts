// A SNIP-20-style token (a subset of the SNIP-20 reference implementation's messages).
//
// instantiate {"name","symbol","decimals","initial_balances":[{"address","amount"}],"prng_seed"?:"<b64>"}
// execute     {"transfer":{"recipient","amount","memo"?}}
//             {"send":{"recipient","recipient_code_hash"?,"amount","msg"?:"<b64>","memo"?}}
//             {"increase_allowance":{"spender","amount"}} / {"decrease_allowance":{"spender","amount"}}
//             {"transfer_from":{"owner","recipient","amount"}}
//             {"set_viewing_key":{"key"}} / {"create_viewing_key":{"entropy"}}
// query       {"token_info":{}} / {"balance":{"address","key"}} / {"allowance":{"owner","spender","key"}}
//
// Amounts are Uint128 decimal strings. Balances, allowances and viewing keys are keyed by canonical
// address. Viewing keys are stored as sha256 hashes and compared without early exit.

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
  Response,
  Singleton,
  StdError,
  StorageMap,
  U128,
  base64Encode,
  concatBytes,
  constantTimeEqual,
  fail,
  failGeneric,
  failQuery,
  queryJson,
  runExecute,
  runInstantiate,
  runQuery,
  sha256,
  u64ToBytesBE,
  utf8Encode,
} from "../../sdk";

export { allocate, deallocate, interface_version_8, requires_random } from "../../sdk";

const NAME = new Singleton<string>("name");
const SYMBOL = new Singleton<string>("symbol");
const DECIMALS = new Singleton<u8>("decimals");
const TOTAL_SUPPLY = new Singleton<U128>("total_supply");
const PRNG_SEED = new Singleton<Uint8Array>("prng_seed");
const BALANCES = new StorageMap<Uint8Array, U128>("balances");
const ALLOWANCES = new StorageMap<Uint8Array, U128>("allowances");
const VIEWING_KEYS = new StorageMap<Uint8Array, Uint8Array>("viewing_keys");

const VIEWING_KEY_PREFIX = "api_key_";
const WRONG_VIEWING_KEY = "Wrong viewing key for this address or viewing key not set";

export function instantiate(env: usize, info: usize, msg: usize): usize {
  return runInstantiate(env, info, msg, onInstantiate);
}

export function execute(env: usize, info: usize, msg: usize): usize {
  return runExecute(env, info, msg, onExecute);
}

export function query(env: usize, msg: usize): usize {
  return runQuery(env, msg, onQuery);
}

// ---- helpers ------------------------------------------------------------------------------------

function isValidSymbol(symbol: string): bool {
  if (symbol.length < 3 || symbol.length > 20) return false;
  for (let i = 0; i < symbol.length; i++) {
    const c = symbol.charCodeAt(i);
    const ok = (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 45;
    if (!ok) return false;
  }
  return true;
}

function statusData(action: string): string {
  return new JsonWriter()
    .beginObject()
    .key(action)
    .beginObject()
    .propString("status", "success")
    .endObject()
    .endObject()
    .toString();
}

function allowanceKey(owner: Uint8Array, spender: Uint8Array): Uint8Array {
  return concatBytes(owner, spender);
}

/** Moves `amount` from `from` to `to` (canonical addresses); null on success. */
function transferBalance(deps: Deps, from: Uint8Array, to: Uint8Array, amount: U128): StdError | null {
  const fromBalance = BALANCES.loadOr(deps.storage, from, U128.zero());
  const left = fromBalance.checkedSub(amount);
  if (left === null) {
    return StdError.generic(
      "insufficient funds: balance=" + fromBalance.toString() + ", required=" + amount.toString(),
    );
  }
  BALANCES.save(deps.storage, from, left);
  const toBalance = BALANCES.loadOr(deps.storage, to, U128.zero());
  const sum = toBalance.checkedAdd(amount);
  if (sum === null) return StdError.generic("recipient balance overflow");
  BALANCES.save(deps.storage, to, sum);
  return null;
}

/** True when `key` matches the viewing key stored for `account` (always hashes, no early exit). */
function checkViewingKey(deps: Deps, account: Uint8Array, key: string): bool {
  const stored = VIEWING_KEYS.loadOr(deps.storage, account, new Uint8Array(32));
  const exists = VIEWING_KEYS.has(deps.storage, account);
  const matches = constantTimeEqual(sha256(utf8Encode(key)), stored);
  return exists && matches;
}

// ---- instantiate --------------------------------------------------------------------------------

function onInstantiate(deps: Deps, env: Env, info: MessageInfo, msg: JsonValue): ContractResult {
  const name = msg.getStr("name");
  const symbol = msg.getStr("symbol");
  const decimals = msg.getU8("decimals");
  const initial = msg.has("initial_balances") ? msg.getArray("initial_balances") : new Array<JsonValue>();
  const seed = msg.optBinary("prng_seed");
  if (msg.failed) return fail(msg.error!);
  if (name.length < 3 || name.length > 30) return failGeneric("Name is not in the expected format (3-30 characters)");
  if (!isValidSymbol(symbol)) return failGeneric("Ticker symbol is not in expected format [A-Za-z0-9-]{3,20}");
  if (decimals > 18) return failGeneric("Decimals must not exceed 18");

  let total = U128.zero();
  for (let i = 0; i < initial.length; i++) {
    const address = initial[i].getStr("address");
    const amount = initial[i].getU128("amount");
    if (msg.failed) return fail(msg.error!);
    const canonical = deps.api.addrCanonicalize(address);
    if (canonical.isErr) return fail(canonical.error!);
    const sum = total.checkedAdd(amount);
    if (sum === null) return failGeneric("The sum of all initial balances exceeds the maximum possible total supply");
    total = sum;
    const balance = BALANCES.loadOr(deps.storage, canonical.value, U128.zero());
    BALANCES.save(deps.storage, canonical.value, balance.saturatingAdd(amount));
  }
  NAME.save(deps.storage, name);
  SYMBOL.save(deps.storage, symbol);
  DECIMALS.save(deps.storage, decimals);
  TOTAL_SUPPLY.save(deps.storage, total);
  // Seed for create_viewing_key: the given one, else derived from the instantiation context.
  const seedBytes =
    seed !== null ? seed : sha256(utf8Encode(env.contract.address + info.sender + env.block.height.toString()));
  PRNG_SEED.save(deps.storage, sha256(seedBytes));
  return Ok(
    new Response().addAttribute("action", "instantiate").addAttributePlaintext("total_supply", total.toString()),
  );
}

// ---- execute ------------------------------------------------------------------------------------

function onExecute(deps: Deps, env: Env, info: MessageInfo, msg: JsonValue): ContractResult {
  const variant = msg.variant();
  const body = msg.variantValue();
  if (variant === "transfer") return transfer(deps, info, body, false);
  if (variant === "send") return transfer(deps, info, body, true);
  if (variant === "increase_allowance") return changeAllowance(deps, info, body, true);
  if (variant === "decrease_allowance") return changeAllowance(deps, info, body, false);
  if (variant === "transfer_from") return transferFrom(deps, info, body);
  if (variant === "set_viewing_key") return setViewingKey(deps, info, body);
  if (variant === "create_viewing_key") return createViewingKey(deps, env, info, body);
  return fail(
    msg.unknownVariant(variant, [
      "transfer",
      "send",
      "increase_allowance",
      "decrease_allowance",
      "transfer_from",
      "set_viewing_key",
      "create_viewing_key",
    ]),
  );
}

function transfer(deps: Deps, info: MessageInfo, body: JsonValue, isSend: bool): ContractResult {
  const recipient = body.getStr("recipient");
  const amount = body.getU128("amount");
  const memo = body.optStr("memo");
  const codeHash = isSend ? body.optStr("recipient_code_hash") : null;
  const inner = isSend ? body.optStr("msg") : null;
  if (body.failed) return fail(body.error!);
  const from = deps.api.addrCanonicalize(info.sender);
  if (from.isErr) return fail(from.error!);
  const to = deps.api.addrCanonicalize(recipient);
  if (to.isErr) return fail(to.error!);
  const err = transferBalance(deps, from.value, to.value, amount);
  if (err !== null) return fail(err);

  const response = new Response()
    .addAttribute("action", isSend ? "send" : "transfer")
    .setDataJson(statusData(isSend ? "send" : "transfer"));
  if (codeHash !== null) {
    // Notify the recipient contract: {"receive":{"sender","from","amount","memo"?,"msg"?}}.
    const w = new JsonWriter().beginObject().key("receive").beginObject();
    w.propString("sender", info.sender).propString("from", info.sender).propU128("amount", amount);
    if (memo !== null) w.propString("memo", memo);
    if (inner !== null) w.propString("msg", inner);
    w.endObject().endObject();
    response.addMessage(CosmosMsg.wasmExecute(recipient, codeHash, w.toString()));
  }
  return Ok(response);
}

function changeAllowance(deps: Deps, info: MessageInfo, body: JsonValue, increase: bool): ContractResult {
  const spender = body.getStr("spender");
  const amount = body.getU128("amount");
  if (body.failed) return fail(body.error!);
  const owner = deps.api.addrCanonicalize(info.sender);
  if (owner.isErr) return fail(owner.error!);
  const spenderRaw = deps.api.addrCanonicalize(spender);
  if (spenderRaw.isErr) return fail(spenderRaw.error!);
  const key = allowanceKey(owner.value, spenderRaw.value);
  const current = ALLOWANCES.loadOr(deps.storage, key, U128.zero());
  const next = increase ? current.saturatingAdd(amount) : current.saturatingSub(amount);
  ALLOWANCES.save(deps.storage, key, next);
  const action = increase ? "increase_allowance" : "decrease_allowance";
  const data = new JsonWriter().beginObject().key(action).beginObject();
  data.propString("spender", spender).propString("owner", info.sender).propU128("allowance", next);
  data.endObject().endObject();
  return Ok(new Response().addAttribute("action", action).setDataJson(data.toString()));
}

function transferFrom(deps: Deps, info: MessageInfo, body: JsonValue): ContractResult {
  const owner = body.getStr("owner");
  const recipient = body.getStr("recipient");
  const amount = body.getU128("amount");
  if (body.failed) return fail(body.error!);
  const ownerRaw = deps.api.addrCanonicalize(owner);
  if (ownerRaw.isErr) return fail(ownerRaw.error!);
  const spenderRaw = deps.api.addrCanonicalize(info.sender);
  if (spenderRaw.isErr) return fail(spenderRaw.error!);
  const to = deps.api.addrCanonicalize(recipient);
  if (to.isErr) return fail(to.error!);
  const key = allowanceKey(ownerRaw.value, spenderRaw.value);
  const allowance = ALLOWANCES.loadOr(deps.storage, key, U128.zero());
  const left = allowance.checkedSub(amount);
  if (left === null) {
    return failGeneric("insufficient allowance: allowance=" + allowance.toString() + ", required=" + amount.toString());
  }
  ALLOWANCES.save(deps.storage, key, left);
  const err = transferBalance(deps, ownerRaw.value, to.value, amount);
  if (err !== null) return fail(err);
  return Ok(new Response().addAttribute("action", "transfer_from").setDataJson(statusData("transfer_from")));
}

function setViewingKey(deps: Deps, info: MessageInfo, body: JsonValue): ContractResult {
  const key = body.getStr("key");
  if (body.failed) return fail(body.error!);
  const account = deps.api.addrCanonicalize(info.sender);
  if (account.isErr) return fail(account.error!);
  VIEWING_KEYS.save(deps.storage, account.value, sha256(utf8Encode(key)));
  return Ok(new Response().setDataJson(statusData("set_viewing_key")));
}

function createViewingKey(deps: Deps, env: Env, info: MessageInfo, body: JsonValue): ContractResult {
  const entropy = body.getStr("entropy");
  if (body.failed) return fail(body.error!);
  const account = deps.api.addrCanonicalize(info.sender);
  if (account.isErr) return fail(account.error!);
  // key = "api_key_" + base64(sha256(seed ‖ block random ‖ height ‖ time ‖ sender ‖ entropy))
  let material = PRNG_SEED.loadOr(deps.storage, new Uint8Array(0));
  const random = env.block.random;
  if (random !== null) material = concatBytes(material, random);
  material = concatBytes(material, u64ToBytesBE(env.block.height));
  material = concatBytes(material, u64ToBytesBE(env.block.time));
  material = concatBytes(material, account.value);
  material = concatBytes(material, utf8Encode(entropy));
  const key = VIEWING_KEY_PREFIX + base64Encode(sha256(material));
  VIEWING_KEYS.save(deps.storage, account.value, sha256(utf8Encode(key)));
  const data = new JsonWriter().beginObject().key("create_viewing_key").beginObject().propString("key", key);
  data.endObject().endObject();
  return Ok(new Response().setDataJson(data.toString()));
}

// ---- query --------------------------------------------------------------------------------------

function viewingKeyError(): QueryResult {
  const w = new JsonWriter().beginObject().key("viewing_key_error").beginObject();
  w.propString("msg", WRONG_VIEWING_KEY).endObject().endObject();
  return queryJson(w);
}

function onQuery(deps: Deps, _env: Env, msg: JsonValue): QueryResult {
  const variant = msg.variant();
  const body = msg.variantValue();
  if (variant === "token_info") {
    const w = new JsonWriter().beginObject().key("token_info").beginObject();
    w.propString("name", NAME.loadOr(deps.storage, ""));
    w.propString("symbol", SYMBOL.loadOr(deps.storage, ""));
    w.propU64("decimals", DECIMALS.loadOr(deps.storage, 0));
    w.propU128("total_supply", TOTAL_SUPPLY.loadOr(deps.storage, U128.zero()));
    return queryJson(w.endObject().endObject());
  }
  if (variant === "balance") {
    const address = body.getStr("address");
    const key = body.getStr("key");
    if (body.failed) return failQuery(body.error!);
    const account = deps.api.addrCanonicalize(address);
    if (account.isErr) return failQuery(account.error!);
    if (!checkViewingKey(deps, account.value, key)) return viewingKeyError();
    const amount = BALANCES.loadOr(deps.storage, account.value, U128.zero());
    return queryJson(
      new JsonWriter().beginObject().key("balance").beginObject().propU128("amount", amount).endObject().endObject(),
    );
  }
  if (variant === "allowance") {
    const owner = body.getStr("owner");
    const spender = body.getStr("spender");
    const key = body.getStr("key");
    if (body.failed) return failQuery(body.error!);
    const ownerRaw = deps.api.addrCanonicalize(owner);
    if (ownerRaw.isErr) return failQuery(ownerRaw.error!);
    const spenderRaw = deps.api.addrCanonicalize(spender);
    if (spenderRaw.isErr) return failQuery(spenderRaw.error!);
    const ownerOk = checkViewingKey(deps, ownerRaw.value, key);
    const spenderOk = checkViewingKey(deps, spenderRaw.value, key);
    if (!ownerOk && !spenderOk) return viewingKeyError();
    const allowance = ALLOWANCES.loadOr(deps.storage, allowanceKey(ownerRaw.value, spenderRaw.value), U128.zero());
    const w = new JsonWriter().beginObject().key("allowance").beginObject();
    w.propString("spender", spender).propString("owner", owner).propU128("allowance", allowance);
    w.key("expiration").nullValue().endObject().endObject();
    return queryJson(w);
  }
  return failQuery(msg.unknownVariant(variant, ["token_info", "balance", "allowance"]));
}
