/**
 * Reading a committed tx back the way secretjs's `decodeTxResponse` does (crypto.md §4.5, §5.1,
 * §5.3): for each compute message whose envelope carries one of our encryption public keys, recover
 * the nonce, then decrypt the input itself, the message's `data` in `TxMsgData`, the attributes of
 * its `wasm` events (`msg_index` = that message) and an encrypted error in `raw_log`. What is not ours
 * is shown as the chain returned it.
 */
import { decodeTxMsgData } from "../codec/abci.ts";
import { decodeFields, field } from "../codec/protobuf.ts";
import { fromBase64, toBase64 } from "../primitives/base64.ts";
import { utf8Decode } from "../primitives/bytes.ts";
import { fromHex } from "../primitives/hex.ts";
import { type ClientEncryption, decryptTxRawLog, splitEnvelope } from "./encryption.ts";
import { type JsonObject, asObject, isObject } from "./json.ts";

const COMPUTE_ENVELOPE_FIELD: Readonly<Record<string, string>> = {
  "/secret.compute.v1beta1.MsgInstantiateContract": "init_msg",
  "/secret.compute.v1beta1.MsgExecuteContract": "msg",
  "/secret.compute.v1beta1.MsgMigrateContract": "msg",
};

/** The protobuf field that holds the encrypted data in each compute response. */
const RESPONSE_DATA_FIELD: Readonly<Record<string, number>> = {
  "/secret.compute.v1beta1.MsgInstantiateContractResponse": 2,
  "/secret.compute.v1beta1.MsgExecuteContractResponse": 1,
  "/secret.compute.v1beta1.MsgMigrateContractResponse": 1,
};

export interface DecodedMessage {
  readonly index: number;
  readonly type: string;
  /** The contract message we sent, when it is ours: the code hash and the JSON (parsed when it parses). */
  readonly input?: { readonly codeHash: string; readonly msg: unknown };
  /** Name of our key that made the envelope. */
  readonly encryptedBy?: string;
}

export interface DecodedData {
  readonly index: number;
  readonly type: string;
  /** UTF-8 text of the decrypted contract data (or b64 when it is not UTF-8). */
  readonly data: string;
  readonly encoding: "utf8" | "base64";
}

export interface DecodedTx {
  readonly txhash: string;
  readonly height: string;
  readonly code: number;
  readonly codespace: string;
  readonly rawLog: string;
  readonly gasWanted: string;
  readonly gasUsed: string;
  readonly timestamp: string;
  readonly messages: readonly DecodedMessage[];
  readonly data: readonly DecodedData[];
  readonly events: readonly unknown[];
  /** The decrypted contract error, when the tx failed in one of our messages. */
  readonly error?: string;
  /** Whether anything was decrypted. */
  readonly decrypted: boolean;
}

/** Finds our encryption identity for an envelope's public key (from the keyring). */
export type EncryptionLookup = (
  publicKey: Uint8Array,
) => { readonly name: string; readonly enc: ClientEncryption } | undefined;

const str = (v: unknown): string => (typeof v === "string" ? v : typeof v === "number" ? String(v) : "");

function bytesToShown(bytes: Uint8Array): { data: string; encoding: "utf8" | "base64" } {
  try {
    return { data: utf8Decode(bytes), encoding: "utf8" };
  } catch {
    return { data: toBase64(bytes), encoding: "base64" };
  }
}

function parseMaybeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function messagesOf(body: JsonObject): unknown[] {
  const r = isObject(body["tx_response"]) ? body["tx_response"] : {};
  const txJson = isObject(body["tx"]) ? body["tx"] : isObject(r["tx"]) ? r["tx"] : {};
  const bodyJson = isObject(txJson["body"]) ? txJson["body"] : {};
  return Array.isArray(bodyJson["messages"]) ? (bodyJson["messages"] as unknown[]) : [];
}

/** The encryption public keys in the tx's compute envelopes (to find which of our keys to open). */
export function envelopePublicKeys(body: JsonObject): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const m of messagesOf(body)) {
    if (!isObject(m)) continue;
    const envField = COMPUTE_ENVELOPE_FIELD[str(m["@type"])];
    if (envField === undefined || typeof m[envField] !== "string") continue;
    try {
      const parts = splitEnvelope(fromBase64(m[envField]));
      if (parts !== undefined) out.push(parts.publicKey);
    } catch {
      // not base64: not an envelope
    }
  }
  return out;
}

/** Decodes `{tx, tx_response}` from `GET /cosmos/tx/v1beta1/txs/{hash}`. */
export function decodeTxResult(body: JsonObject, lookup: EncryptionLookup): DecodedTx {
  const r = asObject(body["tx_response"], "tx_response");
  const rawMessages = messagesOf(body);

  const contexts = new Map<number, { name: string; enc: ClientEncryption; nonce: Uint8Array }>();
  let decrypted = false;
  const messages: DecodedMessage[] = rawMessages.map((m, index) => {
    const type = isObject(m) ? str(m["@type"]) : "";
    const envField = COMPUTE_ENVELOPE_FIELD[type];
    if (envField === undefined || !isObject(m) || typeof m[envField] !== "string") return { index, type };
    let envelope: Uint8Array;
    try {
      envelope = fromBase64(m[envField]);
    } catch {
      return { index, type };
    }
    const parts = splitEnvelope(envelope);
    if (parts === undefined) return { index, type };
    const mine = lookup(parts.publicKey);
    if (mine === undefined) return { index, type };
    contexts.set(index, { ...mine, nonce: parts.nonce });
    try {
      const input = mine.enc.decryptInput(envelope);
      decrypted = true;
      return {
        index,
        type,
        encryptedBy: mine.name,
        input: { codeHash: input.codeHash, msg: parseMaybeJson(input.msg) },
      };
    } catch {
      return { index, type, encryptedBy: mine.name };
    }
  });

  // data: uppercase hex of TxMsgData.
  const data: DecodedData[] = [];
  const dataHex = str(r["data"]);
  if (dataHex !== "" && contexts.size > 0) {
    try {
      const responses = decodeTxMsgData(fromHex(dataHex)).msgResponses;
      responses.forEach((resp, index) => {
        const ctx = contexts.get(index);
        const fieldNo = RESPONSE_DATA_FIELD[resp.typeUrl];
        if (ctx === undefined || fieldNo === undefined) return;
        let encrypted: Uint8Array = new Uint8Array(0);
        decodeFields(
          resp.value,
          resp.typeUrl,
          { [fieldNo]: field.bytes((v) => (encrypted = v)) },
          { allowUnknown: true },
        );
        if (encrypted.length === 0) return;
        try {
          data.push({ index, type: resp.typeUrl, ...bytesToShown(ctx.enc.decryptData(encrypted, ctx.nonce)) });
          decrypted = true;
        } catch {
          // not decryptable with our key: left out
        }
      });
    } catch {
      // data that is not TxMsgData: nothing to decrypt
    }
  }

  // raw_log errors.
  let rawLog = str(r["raw_log"]);
  let error: string | undefined;
  if (rawLog !== "") {
    const m = /; message index: (\d+):/.exec(rawLog);
    const ctx = m === null ? undefined : contexts.get(Number(m[1]));
    if (ctx !== undefined) {
      const out = decryptTxRawLog(ctx.enc, rawLog, (i) => contexts.get(i)?.nonce);
      rawLog = out.rawLog;
      error = out.decrypted;
      if (error !== undefined) decrypted = true;
    }
  }

  // events: only type "wasm" with a msg_index of ours, and only when the tx succeeded (as secretjs).
  const rawEvents = Array.isArray(r["events"]) ? (r["events"] as unknown[]) : [];
  const events = rawEvents.map((e) => {
    if (!isObject(e) || e["type"] !== "wasm" || !Array.isArray(e["attributes"]) || str(r["raw_log"]) !== "") return e;
    const attrs = e["attributes"] as unknown[];
    const msgIndex = attrs.find((a) => isObject(a) && a["key"] === "msg_index");
    const ctx = isObject(msgIndex) ? contexts.get(Number(str(msgIndex["value"]))) : undefined;
    if (ctx === undefined) return e;
    return {
      ...e,
      attributes: attrs.map((a) => {
        if (!isObject(a)) return a;
        const key = str(a["key"]);
        const value = str(a["value"]);
        if (key === "contract_address" || key === "msg_index") return a;
        try {
          const out = {
            ...a,
            key: ctx.enc.decryptAttribute(key, ctx.nonce),
            value: ctx.enc.decryptAttribute(value, ctx.nonce),
          };
          decrypted = true;
          return out;
        } catch {
          return a;
        }
      }),
    };
  });

  const result: DecodedTx = {
    txhash: str(r["txhash"]),
    height: str(r["height"]),
    code: typeof r["code"] === "number" ? r["code"] : 0,
    codespace: str(r["codespace"]),
    rawLog,
    gasWanted: str(r["gas_wanted"]),
    gasUsed: str(r["gas_used"]),
    timestamp: str(r["timestamp"]),
    messages,
    data,
    events,
    decrypted,
  };
  return error === undefined ? result : { ...result, error };
}
