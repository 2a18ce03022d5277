/**
 * Cosmos SDK transactions (`cosmos.tx.v1beta1`): TxRaw, TxBody, AuthInfo, SignerInfo, ModeInfo, Fee,
 * SignDoc, plus `google.protobuf.Any` and `cosmos.base.v1beta1.Coin`. Decoders are strict: unknown
 * critical fields are refused, as the SDK's unknown-field rejection does for TxBody and AuthInfo.
 */
import { CodecError } from "./errors.ts";
import { ProtoReader, ProtoWriter, decodeFields, decodeString, field } from "./protobuf.ts";

export interface Any {
  readonly typeUrl: string;
  readonly value: Uint8Array;
}

/** A coin as carried in protobuf: the amount is the decimal text, validated by whoever uses it. */
export interface ProtoCoin {
  readonly denom: string;
  readonly amount: string;
}

export function decodeAny(bytes: Uint8Array): Any {
  let typeUrl = "";
  let value: Uint8Array = new Uint8Array(0);
  decodeFields(bytes, "Any", {
    1: field.string((v) => (typeUrl = v)),
    2: field.bytes((v) => (value = v)),
  });
  return { typeUrl, value };
}

export function encodeAny(any: Any): Uint8Array {
  return new ProtoWriter().string(1, any.typeUrl).bytes(2, any.value).finish();
}

export function decodeCoin(bytes: Uint8Array): ProtoCoin {
  let denom = "";
  let amount = "";
  decodeFields(bytes, "Coin", {
    1: field.string((v) => (denom = v)),
    2: field.string((v) => (amount = v)),
  });
  return { denom, amount };
}

export function encodeCoin(coin: ProtoCoin): Uint8Array {
  return new ProtoWriter().string(1, coin.denom).string(2, coin.amount).finish();
}

/** Appends each coin of a repeated Coin field. */
export function writeCoins(writer: ProtoWriter, fieldNumber: number, coins: readonly ProtoCoin[]): ProtoWriter {
  for (const coin of coins) writer.message(fieldNumber, encodeCoin(coin));
  return writer;
}

// ---------------------------------------------------------------------------------------------------

export interface TxRaw {
  readonly bodyBytes: Uint8Array;
  readonly authInfoBytes: Uint8Array;
  readonly signatures: readonly Uint8Array[];
}

export function decodeTxRaw(bytes: Uint8Array): TxRaw {
  return fastTxRaw(bytes) ?? decodeTxRawFields(bytes);
}

/** TxRaw through `decodeFields` only (the general decoder behind the fast path; tests compare the two). */
export function decodeTxRawFields(bytes: Uint8Array): TxRaw {
  let bodyBytes: Uint8Array = new Uint8Array(0);
  let authInfoBytes: Uint8Array = new Uint8Array(0);
  const signatures: Uint8Array[] = [];
  decodeFields(bytes, "TxRaw", {
    1: field.bytes((v) => (bodyBytes = v)),
    2: field.bytes((v) => (authInfoBytes = v)),
    3: field.bytes((v) => signatures.push(v)),
  });
  return { bodyBytes, authInfoBytes, signatures };
}

export function encodeTxRaw(tx: TxRaw): Uint8Array {
  const w = new ProtoWriter().bytes(1, tx.bodyBytes).bytes(2, tx.authInfoBytes);
  for (const sig of tx.signatures) w.bytes(3, sig, true);
  return w.finish();
}

export interface TxBody {
  readonly messages: readonly Any[];
  readonly memo: string;
  readonly timeoutHeight: bigint;
  readonly extensionOptions: readonly Any[];
  readonly nonCriticalExtensionOptions: readonly Any[];
}

export function decodeTxBody(bytes: Uint8Array): TxBody {
  return fastTxBody(bytes) ?? decodeTxBodyFields(bytes);
}

/** TxBody through `decodeFields` only (see `decodeTxRawFields`). */
export function decodeTxBodyFields(bytes: Uint8Array): TxBody {
  const messages: Any[] = [];
  let memo = "";
  let timeoutHeight = 0n;
  const extensionOptions: Any[] = [];
  const nonCriticalExtensionOptions: Any[] = [];
  decodeFields(
    bytes,
    "TxBody",
    {
      1: field.message(decodeAny, (v) => messages.push(v)),
      2: field.string((v) => (memo = v)),
      3: field.uint64((v) => (timeoutHeight = v)),
      1023: field.message(decodeAny, (v) => extensionOptions.push(v)),
      2047: field.message(decodeAny, (v) => nonCriticalExtensionOptions.push(v)),
    },
    { allowNonCritical: true },
  );
  return { messages, memo, timeoutHeight, extensionOptions, nonCriticalExtensionOptions };
}

export function encodeTxBody(body: Partial<TxBody> & { readonly messages: readonly Any[] }): Uint8Array {
  const w = new ProtoWriter();
  for (const m of body.messages) w.message(1, encodeAny(m));
  w.string(2, body.memo ?? "").uint(3, body.timeoutHeight ?? 0n);
  for (const m of body.extensionOptions ?? []) w.message(1023, encodeAny(m));
  for (const m of body.nonCriticalExtensionOptions ?? []) w.message(2047, encodeAny(m));
  return w.finish();
}

export interface CompactBitArray {
  readonly extraBitsStored: number;
  readonly elems: Uint8Array;
}

/** Number of bits in a CompactBitArray. */
export function bitArrayLength(bits: CompactBitArray): number {
  if (bits.elems.length === 0) return 0;
  return bits.extraBitsStored === 0 ? bits.elems.length * 8 : (bits.elems.length - 1) * 8 + bits.extraBitsStored;
}

/** Whether bit `i` is set (most significant bit of each byte first, as the SDK). */
export function bitArrayGet(bits: CompactBitArray, i: number): boolean {
  if (i < 0 || i >= bitArrayLength(bits)) return false;
  return ((bits.elems[i >> 3]! >> (7 - (i & 7))) & 1) === 1;
}

export type ModeInfo =
  | { readonly kind: "single"; readonly mode: number }
  | { readonly kind: "multi"; readonly bitarray: CompactBitArray; readonly modeInfos: readonly ModeInfo[] };

const MAX_MODE_INFO_DEPTH = 8;

function decodeCompactBitArray(bytes: Uint8Array): CompactBitArray {
  let extraBitsStored = 0;
  let elems: Uint8Array = new Uint8Array(0);
  decodeFields(bytes, "CompactBitArray", {
    1: field.uint32((v) => (extraBitsStored = v)),
    2: field.bytes((v) => (elems = v)),
  });
  if (extraBitsStored > 7) throw new CodecError("CODEC_INVALID_VALUE", "CompactBitArray: extra_bits_stored > 7");
  return { extraBitsStored, elems };
}

function decodeModeInfoAt(bytes: Uint8Array, depth: number): ModeInfo {
  if (depth > MAX_MODE_INFO_DEPTH) throw new CodecError("PROTO_TOO_DEEP", "ModeInfo nested too deeply");
  let result: ModeInfo | undefined;
  decodeFields(bytes, "ModeInfo", {
    1: field.message(
      (b) => {
        let mode = 0;
        decodeFields(b, "ModeInfo.Single", { 1: field.enumeration((v) => (mode = v)) });
        return mode;
      },
      (mode) => (result = { kind: "single", mode }),
    ),
    2: field.message(
      (b) => {
        let bitarray: CompactBitArray = { extraBitsStored: 0, elems: new Uint8Array(0) };
        const modeInfos: ModeInfo[] = [];
        decodeFields(b, "ModeInfo.Multi", {
          1: field.message(decodeCompactBitArray, (v) => (bitarray = v)),
          2: field.message(
            (m) => decodeModeInfoAt(m, depth + 1),
            (v) => modeInfos.push(v),
          ),
        });
        return { bitarray, modeInfos };
      },
      (multi) => (result = { kind: "multi", ...multi }),
    ),
  });
  if (result === undefined) throw new CodecError("CODEC_INVALID_VALUE", "ModeInfo: no sum type set");
  return result;
}

export function decodeModeInfo(bytes: Uint8Array): ModeInfo {
  return decodeModeInfoAt(bytes, 0);
}

export function encodeModeInfo(info: ModeInfo): Uint8Array {
  if (info.kind === "single") {
    return new ProtoWriter().message(1, new ProtoWriter().uint(1, info.mode).finish()).finish();
  }
  const multi = new ProtoWriter().message(
    1,
    new ProtoWriter().uint(1, info.bitarray.extraBitsStored).bytes(2, info.bitarray.elems).finish(),
  );
  for (const m of info.modeInfos) multi.message(2, encodeModeInfo(m));
  return new ProtoWriter().message(2, multi.finish()).finish();
}

export interface SignerInfo {
  readonly publicKey: Any | undefined;
  readonly modeInfo: ModeInfo | undefined;
  readonly sequence: bigint;
}

export interface Fee {
  readonly amount: readonly ProtoCoin[];
  readonly gasLimit: bigint;
  readonly payer: string;
  readonly granter: string;
}

export interface AuthInfo {
  readonly signerInfos: readonly SignerInfo[];
  readonly fee: Fee | undefined;
}

function decodeSignerInfo(bytes: Uint8Array): SignerInfo {
  let publicKey: Any | undefined;
  let modeInfo: ModeInfo | undefined;
  let sequence = 0n;
  decodeFields(bytes, "SignerInfo", {
    1: field.message(decodeAny, (v) => (publicKey = v)),
    2: field.message(decodeModeInfo, (v) => (modeInfo = v)),
    3: field.uint64((v) => (sequence = v)),
  });
  return { publicKey, modeInfo, sequence };
}

function decodeFee(bytes: Uint8Array): Fee {
  const amount: ProtoCoin[] = [];
  let gasLimit = 0n;
  let payer = "";
  let granter = "";
  decodeFields(bytes, "Fee", {
    1: field.message(decodeCoin, (v) => amount.push(v)),
    2: field.uint64((v) => (gasLimit = v)),
    3: field.string((v) => (payer = v)),
    4: field.string((v) => (granter = v)),
  });
  return { amount, gasLimit, payer, granter };
}

export function decodeAuthInfo(bytes: Uint8Array): AuthInfo {
  return fastAuthInfo(bytes) ?? decodeAuthInfoFields(bytes);
}

/** AuthInfo through `decodeFields` only (see `decodeTxRawFields`). */
export function decodeAuthInfoFields(bytes: Uint8Array): AuthInfo {
  const signerInfos: SignerInfo[] = [];
  let fee: Fee | undefined;
  decodeFields(
    bytes,
    "AuthInfo",
    {
      1: field.message(decodeSignerInfo, (v) => signerInfos.push(v)),
      2: field.message(decodeFee, (v) => (fee = v)),
    },
    { allowNonCritical: true },
  );
  return { signerInfos, fee };
}

export function encodeSignerInfo(info: SignerInfo): Uint8Array {
  const w = new ProtoWriter();
  if (info.publicKey) w.message(1, encodeAny(info.publicKey));
  if (info.modeInfo) w.message(2, encodeModeInfo(info.modeInfo));
  return w.uint(3, info.sequence).finish();
}

export function encodeFee(fee: Fee): Uint8Array {
  const w = writeCoins(new ProtoWriter(), 1, fee.amount);
  return w.uint(2, fee.gasLimit).string(3, fee.payer).string(4, fee.granter).finish();
}

export function encodeAuthInfo(info: AuthInfo): Uint8Array {
  const w = new ProtoWriter();
  for (const s of info.signerInfos) w.message(1, encodeSignerInfo(s));
  if (info.fee) w.message(2, encodeFee(info.fee));
  return w.finish();
}

export interface SignDoc {
  readonly bodyBytes: Uint8Array;
  readonly authInfoBytes: Uint8Array;
  readonly chainId: string;
  readonly accountNumber: bigint;
}

export function decodeSignDoc(bytes: Uint8Array): SignDoc {
  let bodyBytes: Uint8Array = new Uint8Array(0);
  let authInfoBytes: Uint8Array = new Uint8Array(0);
  let chainId = "";
  let accountNumber = 0n;
  decodeFields(bytes, "SignDoc", {
    1: field.bytes((v) => (bodyBytes = v)),
    2: field.bytes((v) => (authInfoBytes = v)),
    3: field.string((v) => (chainId = v)),
    4: field.uint64((v) => (accountNumber = v)),
  });
  return { bodyBytes, authInfoBytes, chainId, accountNumber };
}

export function encodeSignDoc(doc: SignDoc): Uint8Array {
  return new ProtoWriter()
    .bytes(1, doc.bodyBytes)
    .bytes(2, doc.authInfoBytes)
    .string(3, doc.chainId)
    .uint(4, doc.accountNumber)
    .finish();
}

/** Sign modes the chain knows (`cosmos.tx.signing.v1beta1.SignMode`). */
export const SignMode = {
  UNSPECIFIED: 0,
  DIRECT: 1,
  TEXTUAL: 2,
  LEGACY_AMINO_JSON: 127,
  EIP_191: 191,
} as const;

// ---------------------------------------------------------------------------------------------------
// Fast paths for the tx envelope every CheckTx decodes: TxRaw, TxBody, AuthInfo (single-mode signer
// infos, fee, coins, Any) read straight off the wire, without the per-field handler objects and
// closures of `decodeFields`. They accept only plain well-formed input: any field or wire type they do
// not expect (unknown, non-critical, multisig mode info) and any error of the reader make them return
// undefined, and the caller then runs the `decodeFields` decoder, which gives the result or the exact
// error. What they return for the input they accept is what that decoder returns (same fields, the
// last occurrence of a repeated singular field winning, views into the input for bytes fields,
// `decodeString` for strings).

/** The key of the next field: `field * 8 + wire` (compared with the expected fields' keys below). */
function fastKey(r: ProtoReader): number {
  return r.smallVarint();
}

const KEY_LEN = 2;
const KEY_VARINT = 0;

function fastAnyAt(bytes: Uint8Array): Any | undefined {
  const r = new ProtoReader(bytes);
  let typeUrl = "";
  let value: Uint8Array | undefined;
  while (!r.eof()) {
    const key = fastKey(r);
    if (key === 1 * 8 + KEY_LEN) typeUrl = decodeString(r.bytes());
    else if (key === 2 * 8 + KEY_LEN) value = r.bytes();
    else return undefined;
  }
  return { typeUrl, value: value ?? new Uint8Array(0) };
}

function fastCoinAt(bytes: Uint8Array): ProtoCoin | undefined {
  const r = new ProtoReader(bytes);
  let denom = "";
  let amount = "";
  while (!r.eof()) {
    const key = fastKey(r);
    if (key === 1 * 8 + KEY_LEN) denom = decodeString(r.bytes());
    else if (key === 2 * 8 + KEY_LEN) amount = decodeString(r.bytes());
    else return undefined;
  }
  return { denom, amount };
}

function fastTxRaw(bytes: Uint8Array): TxRaw | undefined {
  try {
    const r = new ProtoReader(bytes);
    let bodyBytes: Uint8Array | undefined;
    let authInfoBytes: Uint8Array | undefined;
    const signatures: Uint8Array[] = [];
    while (!r.eof()) {
      const key = fastKey(r);
      if (key === 1 * 8 + KEY_LEN) bodyBytes = r.bytes();
      else if (key === 2 * 8 + KEY_LEN) authInfoBytes = r.bytes();
      else if (key === 3 * 8 + KEY_LEN) signatures.push(r.bytes());
      else return undefined;
    }
    return {
      bodyBytes: bodyBytes ?? new Uint8Array(0),
      authInfoBytes: authInfoBytes ?? new Uint8Array(0),
      signatures,
    };
  } catch {
    return undefined;
  }
}

function fastTxBody(bytes: Uint8Array): TxBody | undefined {
  try {
    const r = new ProtoReader(bytes);
    const messages: Any[] = [];
    let memo = "";
    let timeoutHeight = 0n;
    const extensionOptions: Any[] = [];
    const nonCriticalExtensionOptions: Any[] = [];
    while (!r.eof()) {
      const key = fastKey(r);
      if (key === 1 * 8 + KEY_LEN) {
        const any = fastAnyAt(r.bytes());
        if (any === undefined) return undefined;
        messages.push(any);
      } else if (key === 2 * 8 + KEY_LEN) {
        memo = decodeString(r.bytes());
      } else if (key === 3 * 8 + KEY_VARINT) {
        timeoutHeight = r.varint();
      } else {
        // extension options and anything else: the general decoder
        return undefined;
      }
    }
    return { messages, memo, timeoutHeight, extensionOptions, nonCriticalExtensionOptions };
  } catch {
    return undefined;
  }
}

/** A single-mode ModeInfo (`{1: Single{1: mode}}`); undefined for anything else. */
function fastModeInfo(bytes: Uint8Array): ModeInfo | undefined {
  const r = new ProtoReader(bytes);
  let result: ModeInfo | undefined;
  while (!r.eof()) {
    if (fastKey(r) !== 1 * 8 + KEY_LEN) return undefined;
    const single = new ProtoReader(r.bytes());
    let mode = 0;
    while (!single.eof()) {
      if (fastKey(single) !== 1 * 8 + KEY_VARINT) return undefined;
      const v = single.varint();
      if (v > 0x7fffffffn) return undefined;
      mode = Number(v);
    }
    result = { kind: "single", mode };
  }
  return result;
}

function fastSignerInfo(bytes: Uint8Array): SignerInfo | undefined {
  const r = new ProtoReader(bytes);
  let publicKey: Any | undefined;
  let modeInfo: ModeInfo | undefined;
  let sequence = 0n;
  while (!r.eof()) {
    const key = fastKey(r);
    if (key === 1 * 8 + KEY_LEN) {
      publicKey = fastAnyAt(r.bytes());
      if (publicKey === undefined) return undefined;
    } else if (key === 2 * 8 + KEY_LEN) {
      modeInfo = fastModeInfo(r.bytes());
      if (modeInfo === undefined) return undefined;
    } else if (key === 3 * 8 + KEY_VARINT) {
      sequence = r.varint();
    } else {
      return undefined;
    }
  }
  return { publicKey, modeInfo, sequence };
}

function fastFee(bytes: Uint8Array): Fee | undefined {
  const r = new ProtoReader(bytes);
  const amount: ProtoCoin[] = [];
  let gasLimit = 0n;
  let payer = "";
  let granter = "";
  while (!r.eof()) {
    const key = fastKey(r);
    if (key === 1 * 8 + KEY_LEN) {
      const coin = fastCoinAt(r.bytes());
      if (coin === undefined) return undefined;
      amount.push(coin);
    } else if (key === 2 * 8 + KEY_VARINT) {
      gasLimit = r.varint();
    } else if (key === 3 * 8 + KEY_LEN) {
      payer = decodeString(r.bytes());
    } else if (key === 4 * 8 + KEY_LEN) {
      granter = decodeString(r.bytes());
    } else {
      return undefined;
    }
  }
  return { amount, gasLimit, payer, granter };
}

function fastAuthInfo(bytes: Uint8Array): AuthInfo | undefined {
  try {
    const r = new ProtoReader(bytes);
    const signerInfos: SignerInfo[] = [];
    let fee: Fee | undefined;
    while (!r.eof()) {
      const key = fastKey(r);
      if (key === 1 * 8 + KEY_LEN) {
        const info = fastSignerInfo(r.bytes());
        if (info === undefined) return undefined;
        signerInfos.push(info);
      } else if (key === 2 * 8 + KEY_LEN) {
        fee = fastFee(r.bytes());
        if (fee === undefined) return undefined;
      } else {
        return undefined;
      }
    }
    return { signerInfos, fee };
  } catch {
    return undefined;
  }
}
