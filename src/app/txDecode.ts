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
import { bytesEqual } from "../primitives/bytes.ts";
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
  const seen: SeenSigners = { ids: undefined };
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

/** The ids of the signers listed, made once a tx has more than a few (a tx has one or two). */
interface SeenSigners {
  ids: Set<string> | undefined;
}

/** Up to this many signers are compared byte for byte; past it, by id in a set. */
const SIGNERS_SCANNED = 8;

/** Appends `s` to `signers` unless the same bytes are already there. */
function addSigner(signers: Uint8Array[], seen: SeenSigners, s: Uint8Array): void {
  if (seen.ids === undefined) {
    for (let i = 0; i < signers.length; i++) if (bytesEqual(signers[i]!, s)) return;
    if (signers.length < SIGNERS_SCANNED) {
      signers.push(s);
      return;
    }
    seen.ids = new Set(signers.map(bytesId));
  }
  const id = bytesId(s);
  if (!seen.ids.has(id)) {
    seen.ids.add(id);
    signers.push(s);
  }
}

/** Tx hashes already computed, by decoded tx (a compute tx asks for its hash once per message). */
const knownHashes = new WeakMap<DecodedTx, string>();

const HEX_DIGITS = "0123456789ABCDEF";

/** The tx hash as upstream prints it: sha256 of the tx bytes, upper-case hex (computed on first use). */
export function txHashHex(tx: DecodedTx): string {
  let hex = knownHashes.get(tx);
  if (hex === undefined) {
    hex = "";
    for (const b of sha256(tx.bytes)) hex += HEX_DIGITS[b >> 4]! + HEX_DIGITS[b & 15]!;
    knownHashes.set(tx, hex);
  }
  return hex;
}

/** How many of a tx's last bytes (its last signature's tail) its cache id holds. */
const ID_TAIL = 24;
const ID_SCRATCH = new Uint8Array(4 + ID_TAIL);

/**
 * Decoded txs by their bytes, so that a tx CheckTx decoded (and re-checked after each commit) is not
 * decoded again when its block runs. Decoding is a pure function of the bytes (and of the app's fixed
 * message routes), so a remembered decoding is the one a fresh decode would give: it cannot change a
 * result. Entries are found by a cheap id (the length and the last bytes, i.e. the tail of the last
 * signature) and then compared byte for byte with the asked bytes, so txs whose ids collide only miss
 * the cache (no hashing per tx). Only successful decodings are kept, each made from a private copy of
 * the bytes (the caller's array may be reused after the call). Bounded: the oldest entry goes first.
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

  /**
   * The lookup id of `bytes`: their length and last bytes. Equal bytes give equal ids; different bytes
   * may share one (the entry's bytes are compared before it is used).
   */
  static idOf(bytes: Uint8Array): string {
    // Built in one scratch array and made a string in one step (a concatenation would make a string
    // the map lookup has to flatten first): 4 length bytes, then the tail, zero-padded.
    const n = bytes.length;
    const scratch = ID_SCRATCH;
    scratch[0] = n & 0xff;
    scratch[1] = (n >>> 8) & 0xff;
    scratch[2] = (n >>> 16) & 0xff;
    scratch[3] = n >>> 24;
    const from = n <= ID_TAIL ? 0 : n - ID_TAIL;
    let at = 4;
    for (let i = from; i < n; i++) scratch[at++] = bytes[i]!;
    while (at < scratch.length) scratch[at++] = 0;
    return bytesId(scratch);
  }

  /** The remembered decoding of exactly these bytes, if any. */
  get(bytes: Uint8Array): DecodedTx | undefined {
    const tx = this.entries.get(DecodedTxCache.idOf(bytes));
    return tx !== undefined && bytesEqual(tx.bytes, bytes) ? tx : undefined;
  }

  /** Whether `tx` itself is the entry kept for its bytes. */
  holds(tx: DecodedTx): boolean {
    return this.entries.get(DecodedTxCache.idOf(tx.bytes)) === tx;
  }

  /** Removes and returns the entry (a block runs a tx once; its decoding is not needed after). */
  take(bytes: Uint8Array): DecodedTx | undefined {
    const id = DecodedTxCache.idOf(bytes);
    const tx = this.entries.get(id);
    if (tx === undefined || !bytesEqual(tx.bytes, bytes)) return undefined;
    this.drop(id, tx);
    return tx;
  }

  private drop(id: string, tx: DecodedTx): void {
    this.entries.delete(id);
    this.keptBytes -= tx.bytes.length;
  }

  /**
   * The remembered decoding of these bytes, else decodes a copy of them and remembers the result
   * (unless another tx holds its id); throws what `decodeTx` throws.
   */
  decodeAndKeep(bytes: Uint8Array, services: ReadonlyMap<string, MsgService>): DecodedTx {
    const id = DecodedTxCache.idOf(bytes);
    const known = this.entries.get(id);
    if (known !== undefined && bytesEqual(known.bytes, bytes)) return known;
    const tx = decodeTx(bytes.slice(), services);
    if (this.capacity <= 0 || bytes.length > this.maxBytes / 16 || known !== undefined) return tx;
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
