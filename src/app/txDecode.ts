/**
 * Decoding a broadcast tx into what the ante handler and the message router need (chain-api.md §2.5,
 * the rows before the ante chain): TxRaw, TxBody and AuthInfo strictly (sdk 2), every message's type
 * registered and decodable (sdk 2 `unable to resolve type URL …`), at least one message (sdk 18),
 * every message routable (sdk 6), the stateless checks of each message (its signer addresses), and the
 * signer list: each message's signers in order without repeats, then the fee payer if it is not one.
 */
import { type AuthInfo, type TxBody, type TxRaw, decodeAuthInfo, decodeTxBody, decodeTxRaw } from "../codec/tx.ts";
import { sha256 } from "../crypto/index.ts";
import { parseAccountAddress } from "../primitives/bech32.ts";
import { bytesId } from "./bytesId.ts";
import { type Coin, coinsFromProto } from "./coins.ts";
import { AppError, SdkErrors } from "./errors.ts";
import type { MsgService, RoutedMsg } from "./types.ts";

export interface DecodedTx {
  readonly bytes: Uint8Array;
  readonly raw: TxRaw;
  readonly body: TxBody;
  readonly authInfo: AuthInfo;
  readonly msgs: readonly RoutedMsg[];
  /** Unique signers in order; `signatures[i]` and `authInfo.signerInfos[i]` belong to `signers[i]`. */
  readonly signers: readonly Uint8Array[];
  readonly fee: {
    readonly amount: readonly Coin[];
    readonly gasLimit: bigint;
    /** The account that pays: `fee.payer` when set, else the first signer. */
    readonly payer: Uint8Array;
    readonly granter: string;
  };
}

/** Message types the chain knows but this app has no handler for yet (sdk 6 instead of sdk 2). */
export const KNOWN_UNROUTED_TYPE_URLS: readonly string[] = [
  "/secret.compute.v1beta1.MsgStoreCode",
  "/secret.compute.v1beta1.MsgInstantiateContract",
  "/secret.compute.v1beta1.MsgExecuteContract",
  "/secret.compute.v1beta1.MsgMigrateContract",
  "/secret.compute.v1beta1.MsgUpdateAdmin",
  "/secret.compute.v1beta1.MsgClearAdmin",
  "/secret.registration.v1beta1.RaAuthenticate",
  "/cosmos.staking.v1beta1.MsgCreateValidator",
  "/cosmos.staking.v1beta1.MsgEditValidator",
  "/cosmos.staking.v1beta1.MsgDelegate",
  "/cosmos.staking.v1beta1.MsgBeginRedelegate",
  "/cosmos.staking.v1beta1.MsgUndelegate",
  "/cosmos.distribution.v1beta1.MsgWithdrawDelegatorReward",
  "/cosmos.distribution.v1beta1.MsgSetWithdrawAddress",
  "/cosmos.distribution.v1beta1.MsgFundCommunityPool",
  "/cosmos.gov.v1.MsgSubmitProposal",
  "/cosmos.gov.v1.MsgVote",
  "/cosmos.gov.v1.MsgDeposit",
  "/cosmos.slashing.v1beta1.MsgUnjail",
];

const parseError = (e: unknown): AppError =>
  e instanceof AppError ? e : SdkErrors.TxDecode.wrap(e instanceof Error ? e.message : String(e));

export function decodeTx(bytes: Uint8Array, services: ReadonlyMap<string, MsgService>): DecodedTx {
  let raw: TxRaw;
  let body: TxBody;
  let authInfo: AuthInfo;
  try {
    raw = decodeTxRaw(bytes);
    body = decodeTxBody(raw.bodyBytes);
    authInfo = decodeAuthInfo(raw.authInfoBytes);
  } catch (e) {
    throw parseError(e);
  }
  const decoded: Array<{ typeUrl: string; service: MsgService | undefined; msg: unknown }> = [];
  for (const any of body.messages) {
    const service = services.get(any.typeUrl);
    if (service === undefined) {
      if (KNOWN_UNROUTED_TYPE_URLS.includes(any.typeUrl)) {
        decoded.push({ typeUrl: any.typeUrl, service: undefined, msg: undefined });
        continue;
      }
      throw SdkErrors.TxDecode.wrap(`unable to resolve type URL ${any.typeUrl}`);
    }
    try {
      decoded.push({ typeUrl: any.typeUrl, service, msg: service.decode(any.value) });
    } catch (e) {
      throw parseError(e);
    }
  }
  const fee = authInfo.fee ?? { amount: [], gasLimit: 0n, payer: "", granter: "" };
  const feeAmount = coinsFromProto(fee.amount);
  if (decoded.length === 0) throw SdkErrors.InvalidRequest.wrap("must contain at least one message");
  const msgs: RoutedMsg[] = [];
  const signers: Uint8Array[] = [];
  const seen = new Set<string>();
  for (const d of decoded) {
    if (d.service === undefined) throw SdkErrors.UnknownRequest.wrap(`no message handler found for ${d.typeUrl}`);
    const msgSigners = d.service.signers(d.msg);
    msgs.push({ typeUrl: d.typeUrl, service: d.service, msg: d.msg, signers: msgSigners });
    for (const s of msgSigners) addSigner(signers, seen, s);
  }
  let payer = signers[0]!;
  if (fee.payer !== "") {
    try {
      payer = parseAccountAddress(fee.payer);
    } catch (e) {
      throw SdkErrors.InvalidAddress.wrap(`invalid fee payer address: ${e instanceof Error ? e.message : String(e)}`);
    }
    addSigner(signers, seen, payer);
  }
  return {
    bytes,
    raw,
    body,
    authInfo,
    msgs,
    signers,
    fee: { amount: feeAmount, gasLimit: fee.gasLimit, payer, granter: fee.granter },
  };
}

/** Appends `s` to `signers` unless already there (`seen` holds the ids of those listed). */
function addSigner(signers: Uint8Array[], seen: Set<string>, s: Uint8Array): void {
  const id = bytesId(s);
  if (!seen.has(id)) {
    seen.add(id);
    signers.push(s);
  }
}

/** The sha256 of a decoded tx's bytes, when the decoded-tx cache computed it (its id). */
const knownHashes = new WeakMap<DecodedTx, string>();

/** The last id `DecodedTxCache.idOf` made, and of which array. */
let lastId: { readonly bytes: Uint8Array; readonly id: string } | undefined;

const HEX_DIGITS = "0123456789ABCDEF";

/**
 * The tx hash as upstream prints it: sha256 of the tx bytes, upper-case hex. Taken from the
 * decoded-tx cache's id when the tx came through it (the id is that very digest), else computed.
 */
export function txHashHex(tx: DecodedTx): string {
  const id = knownHashes.get(tx);
  if (id === undefined) {
    let hex = "";
    for (const b of sha256(tx.bytes)) hex += HEX_DIGITS[b >> 4]! + HEX_DIGITS[b & 15]!;
    return hex;
  }
  let hex = "";
  for (let i = 0; i < id.length; i++) {
    const b = id.charCodeAt(i);
    hex += HEX_DIGITS[b >> 4]! + HEX_DIGITS[b & 15]!;
  }
  return hex;
}

/**
 * Decoded txs by the sha256 of their bytes, so that a tx CheckTx decoded (and re-checked after each
 * commit) is not decoded again when its block runs. Decoding is a pure function of the bytes (and of
 * the app's fixed message routes), so a remembered decoding is the one a fresh decode would give: it
 * cannot change a result. Only successful decodings are kept, each made from a private copy of the
 * bytes (the caller's array may be reused after the call). Bounded: the oldest entry goes first.
 */
export class DecodedTxCache {
  private readonly entries = new Map<string, DecodedTx>();
  private keptBytes = 0;

  /**
   * At most `capacity` txs and `maxBytes` bytes of them (a stored contract's tx can be a megabyte);
   * a tx above a sixteenth of `maxBytes` is decoded but not kept.
   */
  constructor(
    readonly capacity: number,
    readonly maxBytes = 64 * 1024 * 1024,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** Bytes of the txs kept. */
  get bytes(): number {
    return this.keptBytes;
  }

  /** The cache id of `bytes`: their sha256 as a 32-character string. */
  static idOf(bytes: Uint8Array): string {
    const id = bytesId(sha256(bytes));
    lastId = { bytes, id };
    return id;
  }

  get(id: string): DecodedTx | undefined {
    return this.entries.get(id);
  }

  /** Removes and returns the entry (a block runs a tx once; its decoding is not needed after). */
  take(id: string): DecodedTx | undefined {
    const tx = this.entries.get(id);
    if (tx !== undefined) this.drop(id, tx);
    return tx;
  }

  private drop(id: string, tx: DecodedTx): void {
    this.entries.delete(id);
    this.keptBytes -= tx.bytes.length;
  }

  /** Decodes a copy of `bytes` and remembers the result under `id`; throws what `decodeTx` throws. */
  decodeAndKeep(id: string, bytes: Uint8Array, services: ReadonlyMap<string, MsgService>): DecodedTx {
    const tx = decodeTx(bytes.slice(), services);
    // The id is known to be the digest only when `idOf` just made it from these very bytes.
    if (lastId?.bytes === bytes && lastId.id === id) knownHashes.set(tx, id);
    if (this.capacity <= 0 || bytes.length > this.maxBytes / 16 || this.entries.has(id)) return tx;
    while (
      this.entries.size > 0 &&
      (this.entries.size >= this.capacity || this.keptBytes + bytes.length > this.maxBytes)
    ) {
      const [oldId, old] = this.entries.entries().next().value!;
      this.drop(oldId, old);
    }
    this.entries.set(id, tx);
    this.keptBytes += bytes.length;
    return tx;
  }
}
