/**
 * `secret.compute.v1beta1.Msg` (chain-api.md §3.1–3.2, §5.3): the stateless checks of upstream's
 * `ValidateBasic` in `signers`, the handlers' events around the keeper's calls, and the amino JSON of
 * §2.4 (Store/Instantiate/Execute carry `sender`/`contract` as base64 of the raw bytes).
 */
import {
  COMPUTE_URLS,
  type MsgClearAdmin,
  type MsgExecuteContract,
  type MsgInstantiateContract,
  type MsgMigrateContract,
  type MsgStoreCode,
  type MsgUpdateAdmin,
  decodeMsgClearAdmin,
  decodeMsgExecuteContract,
  decodeMsgInstantiateContract,
  decodeMsgMigrateContract,
  decodeMsgStoreCode,
  decodeMsgUpdateAdmin,
  encodeMsgDataResponse,
  encodeMsgInstantiateContractResponse,
  encodeMsgStoreCodeResponse,
} from "../../codec/compute.ts";
import type { ProtoCoin } from "../../codec/tx.ts";
import { toBase64 } from "../../primitives/base64.ts";
import { encodeAddress, parseAccountAddress } from "../../primitives/bech32.ts";
import { utf8Encode } from "../../primitives/bytes.ts";
import { encodeAccountAddress } from "../auth/addressCache.ts";
import { coinsFromProto, coinsString, isValidCoinSet, type Coin } from "../coins.ts";
import type { Context } from "../context.ts";
import { SdkErrors } from "../errors.ts";
import type { MsgService } from "../types.ts";
import { ComputeErrors } from "./errors.ts";
import { codeIdEvent, computeMessageEvent, storeCodeEvents } from "./events.ts";
import type { ComputeKeeper } from "./keeper.ts";
import { MAX_LABEL_SIZE, MAX_WASM_SIZE } from "./params.ts";

const EMPTY = new Uint8Array(0);
const BUILDER = /^[a-z0-9][a-z0-9._-]*[a-z0-9](\/[a-z0-9][a-z0-9._-]*[a-z0-9])+:[a-zA-Z0-9_][a-zA-Z0-9_.-]*$/;

function canonical(bytes: Uint8Array, what: string): Uint8Array {
  if (bytes.length !== 20 && bytes.length !== 32) {
    throw SdkErrors.UnknownAddress.wrap(`${what}: address length must be 20 or 32 bytes, got ${bytes.length}`);
  }
  return bytes;
}

function bech32(text: string, what: string): Uint8Array {
  try {
    return parseAccountAddress(text);
  } catch (e) {
    throw SdkErrors.InvalidAddress.wrap(`${what}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function funds(coins: readonly ProtoCoin[]): Coin[] {
  const parsed = coinsFromProto(coins);
  if (parsed.length > 0 && (!isValidCoinSet(parsed) || parsed.some((c) => c.amount <= 0n))) {
    throw SdkErrors.InvalidCoins.wrap(coinsString(parsed));
  }
  return parsed;
}

function isHttpsUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === "https:" && url.host !== "";
  } catch {
    return false;
  }
}

function validateStoreCode(msg: MsgStoreCode): void {
  if (msg.wasmByteCode.length === 0) throw SdkErrors.InvalidRequest.wrap("code bytes is required: empty");
  if (msg.wasmByteCode.length > MAX_WASM_SIZE) {
    throw SdkErrors.InvalidRequest.wrap(`code bytes cannot be longer than ${MAX_WASM_SIZE} bytes: exceeds limit`);
  }
  if (msg.source !== "") {
    if (!isHttpsUrl(msg.source)) throw SdkErrors.InvalidRequest.wrap("source must be an absolute https url: invalid");
  }
  if (msg.builder !== "" && (msg.builder.length > 128 || !BUILDER.test(msg.builder))) {
    throw SdkErrors.InvalidRequest.wrap("builder invalid docker image name: invalid");
  }
}

function validateLabel(label: string): void {
  if (label === "") throw ComputeErrors.Empty.wrap("label is required");
  if (utf8Encode(label).length > MAX_LABEL_SIZE) {
    throw ComputeErrors.LimitExceeded.wrap(`label cannot be longer than ${MAX_LABEL_SIZE} characters`);
  }
}

const aminoCoins = (coins: readonly ProtoCoin[]): unknown[] => coins.map((c) => ({ amount: c.amount, denom: c.denom }));

/** Only the non-empty string fields (amino omits empty ones). */
function nonEmpty(fields: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== ""));
}

export function computeMsgServices(keeper: ComputeKeeper): MsgService[] {
  const storeCode: MsgService<MsgStoreCode> = {
    typeUrl: COMPUTE_URLS.storeCode,
    decode: decodeMsgStoreCode,
    signers(msg) {
      const sender = canonical(msg.sender, "sender");
      validateStoreCode(msg);
      return [sender];
    },
    handle(ctx: Context, msg: MsgStoreCode): Uint8Array {
      const sender = encodeAddress(msg.sender);
      ctx.events.emit(storeCodeEvents(sender));
      const codeId = keeper.storeCode(ctx, msg.sender, msg.wasmByteCode, msg.source, msg.builder);
      ctx.events.emit(codeIdEvent(codeId));
      return encodeMsgStoreCodeResponse(codeId);
    },
    aminoJson: (msg) => ({
      type: "wasm/MsgStoreCode",
      value: nonEmpty({
        sender: toBase64(msg.sender),
        wasm_byte_code: toBase64(msg.wasmByteCode),
        source: msg.source,
        builder: msg.builder,
      }),
    }),
  };

  const instantiate: MsgService<MsgInstantiateContract> = {
    typeUrl: COMPUTE_URLS.instantiate,
    decode: decodeMsgInstantiateContract,
    signers(msg) {
      const sender = canonical(msg.sender, "sender");
      if (msg.codeId === 0n) throw SdkErrors.InvalidRequest.wrap("code_id is required");
      validateLabel(msg.label);
      funds(msg.initFunds);
      if (msg.admin !== "") bech32(msg.admin, "admin");
      return [sender];
    },
    handle(ctx: Context, msg: MsgInstantiateContract): Uint8Array {
      const r = keeper.instantiate(ctx, {
        creator: msg.sender,
        admin: msg.admin,
        codeId: msg.codeId,
        label: msg.label,
        initMsg: msg.initMsg,
        funds: funds(msg.initFunds),
        callbackSig: msg.callbackSig,
      });
      const address = encodeAccountAddress(r.address);
      ctx.events.emit(computeMessageEvent(encodeAccountAddress(msg.sender), address));
      return encodeMsgInstantiateContractResponse({ address, data: r.data ?? EMPTY });
    },
    aminoJson: (msg) => ({
      type: "wasm/MsgInstantiateContract",
      value: {
        ...nonEmpty({
          sender: toBase64(msg.sender),
          callback_code_hash: msg.callbackCodeHash,
          code_id: msg.codeId === 0n ? "" : msg.codeId.toString(),
          label: msg.label,
          init_msg: toBase64(msg.initMsg),
          callback_sig: toBase64(msg.callbackSig),
          admin: msg.admin,
        }),
        init_funds: aminoCoins(msg.initFunds),
      },
    }),
  };

  const execute: MsgService<MsgExecuteContract> = {
    typeUrl: COMPUTE_URLS.execute,
    decode: decodeMsgExecuteContract,
    signers(msg) {
      const sender = canonical(msg.sender, "sender");
      canonical(msg.contract, "contract");
      funds(msg.sentFunds);
      return [sender];
    },
    handle(ctx: Context, msg: MsgExecuteContract): Uint8Array {
      ctx.events.emit(computeMessageEvent(encodeAccountAddress(msg.sender), encodeAccountAddress(msg.contract)));
      const r = keeper.execute(ctx, {
        contract: msg.contract,
        caller: msg.sender,
        msg: msg.msg,
        funds: funds(msg.sentFunds),
        callbackSig: msg.callbackSig,
      });
      return encodeMsgDataResponse(r.data ?? EMPTY);
    },
    aminoJson: (msg) => ({
      type: "wasm/MsgExecuteContract",
      value: {
        ...nonEmpty({
          sender: toBase64(msg.sender),
          contract: toBase64(msg.contract),
          msg: toBase64(msg.msg),
          callback_code_hash: msg.callbackCodeHash,
          callback_sig: toBase64(msg.callbackSig),
        }),
        sent_funds: aminoCoins(msg.sentFunds),
      },
    }),
  };

  const migrate: MsgService<MsgMigrateContract> = {
    typeUrl: COMPUTE_URLS.migrate,
    decode: decodeMsgMigrateContract,
    signers(msg) {
      const sender = bech32(msg.sender, "sender");
      bech32(msg.contract, "contract");
      if (msg.codeId === 0n) throw SdkErrors.InvalidRequest.wrap("code id is required");
      return [sender];
    },
    handle(ctx: Context, msg: MsgMigrateContract): Uint8Array {
      ctx.events.emit(computeMessageEvent(msg.sender));
      const r = keeper.migrate(ctx, {
        contract: bech32(msg.contract, "contract"),
        caller: bech32(msg.sender, "sender"),
        codeId: msg.codeId,
        msg: msg.msg,
        callbackSig: msg.callbackSig,
      });
      return encodeMsgDataResponse(r.data ?? EMPTY);
    },
    aminoJson: (msg) => ({
      type: "wasm/MsgMigrateContract",
      value: nonEmpty({
        sender: msg.sender,
        contract: msg.contract,
        code_id: msg.codeId === 0n ? "" : msg.codeId.toString(),
        msg: toBase64(msg.msg),
        callback_sig: toBase64(msg.callbackSig),
        callback_code_hash: msg.callbackCodeHash,
      }),
    }),
  };

  const updateAdmin: MsgService<MsgUpdateAdmin> = {
    typeUrl: COMPUTE_URLS.updateAdmin,
    decode: decodeMsgUpdateAdmin,
    signers(msg) {
      const sender = bech32(msg.sender, "sender");
      bech32(msg.contract, "contract");
      bech32(msg.newAdmin, "new admin");
      if (msg.newAdmin === msg.sender) throw ComputeErrors.InvalidMsg.wrap("new admin is the same as the old");
      return [sender];
    },
    handle(ctx: Context, msg: MsgUpdateAdmin): Uint8Array {
      ctx.events.emit(computeMessageEvent(msg.sender));
      keeper.updateAdmin(ctx, {
        contract: bech32(msg.contract, "contract"),
        caller: bech32(msg.sender, "sender"),
        newAdmin: bech32(msg.newAdmin, "new admin"),
        callbackSig: msg.callbackSig,
      });
      return EMPTY;
    },
    aminoJson: (msg) => ({
      type: "wasm/MsgUpdateAdmin",
      value: nonEmpty({
        sender: msg.sender,
        new_admin: msg.newAdmin,
        contract: msg.contract,
        callback_sig: toBase64(msg.callbackSig),
      }),
    }),
  };

  const clearAdmin: MsgService<MsgClearAdmin> = {
    typeUrl: COMPUTE_URLS.clearAdmin,
    decode: decodeMsgClearAdmin,
    signers(msg) {
      const sender = bech32(msg.sender, "sender");
      bech32(msg.contract, "contract");
      return [sender];
    },
    handle(ctx: Context, msg: MsgClearAdmin): Uint8Array {
      ctx.events.emit(computeMessageEvent(msg.sender));
      keeper.updateAdmin(ctx, {
        contract: bech32(msg.contract, "contract"),
        caller: bech32(msg.sender, "sender"),
        newAdmin: EMPTY,
        callbackSig: msg.callbackSig,
      });
      return EMPTY;
    },
    aminoJson: (msg) => ({
      type: "wasm/MsgClearAdmin",
      value: nonEmpty({ sender: msg.sender, contract: msg.contract, callback_sig: toBase64(msg.callbackSig) }),
    }),
  };

  // The last-message marker (upstream's baseapp refuses every later message of the tx) is checked by
  // the app's message loop, for every module's messages.
  return [storeCode, instantiate, execute, migrate, updateAdmin, clearAdmin] as MsgService[];
}
