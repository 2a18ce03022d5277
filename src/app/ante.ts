/**
 * The ante handler (chain-api.md §2.5, Secret's `app/ante.go` over Cosmos SDK 0.50 `x/auth/ante`):
 * block gas limit, extension options, basic checks, timeout height, memo, tx size gas, fee (positive
 * gas, CheckTx min gas price, deduction to `fee_collector`), public keys, signature count, signature
 * gas, sequences, signatures, sequence increment. Each step throws the AppError upstream's decorator
 * returns, with its text; state changes go to the context's branch, which the caller keeps or drops.
 */
import { SignMode, encodeSignDoc } from "../codec/tx.ts";
import { type Dec, isValidCoinSet } from "../primitives/amount.ts";
import { toBase64 } from "../primitives/base64.ts";
import { encodeAccountAddress as encodeAddress } from "./auth/addressCache.ts";
import { bytesEqual } from "../primitives/bytes.ts";
import type { AuthKeeper } from "./auth/keeper.ts";
import type { Account } from "./auth/types.ts";
import { accSeqEvent, feeEvent, signatureEvent } from "./auth/events.ts";
import { accountNotFound, sequenceMismatch } from "./auth/errors.ts";
import type { BankKeeper } from "./bank/keeper.ts";
import { type Coin, coinsString } from "./coins.ts";
import type { Context } from "./context.ts";
import { AppError, SdkErrors } from "./errors.ts";
import type { SignatureCache } from "./sigCache.ts";
import { signBytesAminoJson, signBytesEip191 } from "./signing.ts";
import {
  type PubKey,
  type SigData,
  type SigGasPrices,
  consumeSigGas,
  countSubKeys,
  decodeAccountPubKey,
  onlyLegacyAmino,
  sigDataFrom,
  signatureEventBytes,
  verifySignature,
} from "./sigVerify.ts";
import type { DecodedTx } from "./txDecode.ts";

export const FEE_COLLECTOR = "fee_collector";

/** A minimum gas price: `0.0125uscrt` is `{denom: "uscrt", amount: Dec 0.0125}`. */
export interface DecCoin {
  readonly denom: string;
  readonly amount: Dec;
}

export interface AnteOptions {
  readonly auth: Pick<AuthKeeper, "getParams" | "getAccount" | "setAccount">;
  readonly bank: Pick<BankKeeper, "sendCoinsFromAccountToModule">;
  /** The node's min gas prices, enforced in CheckTx only (a node option, never consensus). */
  readonly minGasPrices: readonly DecCoin[];
  /** Consensus `block.max_gas` when set (> 0). */
  readonly maxBlockGas?: bigint | undefined;
  /** Signatures verified before (by CheckTx), not verified again. */
  readonly signatureCache?: SignatureCache | undefined;
}

const MAX_GAS_WANTED = (1n << 63n) - 1n;
const DEC_ONE = 10n ** 18n;

/** `ceil(price × gas)` per denom, as upstream's `checkTxFeeWithValidatorMinGasPrices`. */
export function requiredFees(minGasPrices: readonly DecCoin[], gasLimit: bigint): Coin[] {
  return minGasPrices.map((p) => {
    const atomics = p.amount.mulInt(gasLimit).atomics;
    return { denom: p.denom, amount: (atomics + DEC_ONE - 1n) / DEC_ONE };
  });
}

/**
 * `utf8Encode(text).length` without making the bytes: UTF-8 lengths of the UTF-16 units, a valid
 * surrogate pair 4 bytes, a lone surrogate 3 (the encoder writes U+FFFD for it).
 */
export function utf8Length(text: string): number {
  let n = 0;
  const len = text.length;
  for (let i = 0; i < len; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < len) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 4;
        i++;
      } else n += 3;
    } else n += 3;
  }
  return n;
}

/** The last `requiredFees` asked for, by the prices list and gas limit (clients reuse a gas limit). */
let lastRequired: { prices: readonly DecCoin[]; gasLimit: bigint; fees: readonly Coin[] } | undefined;

function requiredFeesMemo(minGasPrices: readonly DecCoin[], gasLimit: bigint): readonly Coin[] {
  const last = lastRequired;
  if (last !== undefined && last.prices === minGasPrices && last.gasLimit === gasLimit) return last.fees;
  const fees = requiredFees(minGasPrices, gasLimit); // read only: compared and printed
  lastRequired = { prices: minGasPrices, gasLimit, fees };
  return fees;
}

/**
 * `idCache`: where verifications are remembered by (key, signature, sign bytes) — the options' cache
 * by default; the app passes none in CheckTx for a tx the decoded-tx cache keeps, whose block run will
 * find the verified-signer memo of this very decoded tx (saves hashing the sign bytes for an id).
 */
export function runAnte(
  ctx: Context,
  tx: DecodedTx,
  options: AnteOptions,
  idCache: SignatureCache | undefined = options.signatureCache,
): void {
  const { auth, bank } = options;
  const simulate = ctx.isSimulate;
  const { fee, raw, body, authInfo, signers } = tx;

  // SetUpContextDecorator: the meter is set by the caller; the block gas limit is checked here.
  const maxBlockGas = options.maxBlockGas;
  if (maxBlockGas !== undefined && maxBlockGas > 0n && fee.gasLimit > maxBlockGas) {
    throw SdkErrors.InvalidGasLimit.wrap(`tx gas limit ${fee.gasLimit} exceeds block max gas ${maxBlockGas}`);
  }
  // RejectExtensionOptionsDecorator.
  if (body.extensionOptions.length > 0) throw SdkErrors.UnknownExtensionOptions.error();
  // ValidateBasicDecorator.
  if (raw.signatures.length === 0) throw SdkErrors.NoSignatures.error();
  if (raw.signatures.length !== signers.length) {
    throw SdkErrors.Unauthorized.wrap(
      `wrong number of signers; expected ${signers.length}, got ${raw.signatures.length}`,
    );
  }
  if (authInfo.signerInfos.length !== signers.length) {
    throw SdkErrors.Unauthorized.wrap(
      `wrong number of signer infos; expected ${signers.length}, got ${authInfo.signerInfos.length}`,
    );
  }
  if (fee.gasLimit > MAX_GAS_WANTED) {
    throw SdkErrors.InvalidRequest.wrap(`invalid gas supplied; ${fee.gasLimit} > ${MAX_GAS_WANTED}`);
  }
  // TxTimeoutHeightDecorator.
  if (body.timeoutHeight > 0n && BigInt(ctx.height) > body.timeoutHeight) {
    throw SdkErrors.TxTimeoutHeight.wrap(`block height: ${ctx.height}, timeout height: ${body.timeoutHeight}`);
  }
  // ValidateMemoDecorator.
  const params = auth.getParams(ctx);
  const memoLength = utf8Length(body.memo);
  if (BigInt(memoLength) > params.maxMemoCharacters) {
    throw SdkErrors.MemoTooLarge.wrap(
      `maximum number of characters is ${params.maxMemoCharacters} but received ${memoLength} characters`,
    );
  }
  // ConsumeGasForTxSizeDecorator.
  ctx.gasMeter.consumeGas(Number(params.txSizeCostPerByte) * tx.bytes.length, "txSize");

  // DeductFeeDecorator.
  if (!simulate && ctx.height > 0 && fee.gasLimit === 0n)
    throw SdkErrors.InvalidGasLimit.wrap("must provide positive gas");
  if (!simulate && ctx.isCheckTx && options.minGasPrices.length > 0) {
    const required = requiredFeesMemo(options.minGasPrices, fee.gasLimit);
    // sdk.Coins.IsAnyGTE: some denom of `required` where the fee has at least that much (and not zero).
    const enough = required.some((r) =>
      fee.amount.some((c) => c.denom === r.denom && c.amount >= r.amount && c.amount > 0n),
    );
    if (!enough) {
      throw SdkErrors.InsufficientFee.wrap(
        `insufficient fees; got: ${coinsString(fee.amount)} required: ${coinsString(required)}`,
      );
    }
  }
  if (fee.granter !== "") throw SdkErrors.InvalidRequest.wrap("fee grants are not enabled");
  const payerText = encodeAddress(fee.payer);
  if (auth.getAccount(ctx, fee.payer) === undefined) {
    throw SdkErrors.UnknownAddress.wrap(`fee payer address: ${payerText} does not exist`);
  }
  // sdk.Coins.IsZero: an empty fee, or one of zero amounts only, is not deducted.
  if (fee.amount.some((c) => c.amount !== 0n)) {
    if (!isValidCoinSet(fee.amount))
      throw SdkErrors.InsufficientFee.wrap(`invalid fee amount: ${coinsString(fee.amount)}`);
    try {
      bank.sendCoinsFromAccountToModule(ctx, fee.payer, FEE_COLLECTOR, fee.amount);
    } catch (e) {
      if (e instanceof AppError) throw SdkErrors.InsufficientFunds.wrap(e.message);
      throw e;
    }
  }
  ctx.events.emit(feeEvent(coinsString(fee.amount), payerText));

  // SetPubKeyDecorator. (Plain loops filling fresh arrays: a tx has one signer or a few.)
  const signerCount = signers.length;
  const signerTexts: string[] = [];
  for (let i = 0; i < signerCount; i++) signerTexts.push(encodeAddress(signers[i]!));
  const sigData: SigData[] = [];
  for (let i = 0; i < signerCount; i++)
    sigData.push(sigDataFrom(authInfo.signerInfos[i]!.modeInfo, raw.signatures[i]!));
  const txKeys: Array<PubKey | undefined> = [];
  for (let i = 0; i < signerCount; i++) {
    const info = authInfo.signerInfos[i]!;
    if (info.publicKey === undefined) {
      txKeys.push(undefined);
      continue;
    }
    const pk = decodeAccountPubKey(info.publicKey);
    txKeys.push(pk);
    if (!simulate && !bytesEqual(pk.address, signers[i]!)) {
      throw SdkErrors.InvalidPubKey.wrap(
        `pubKey does not match signer address ${signerTexts[i]} with signer index: ${i}`,
      );
    }
    const acc = auth.getAccount(ctx, signers[i]!);
    if (acc === undefined) throw accountNotFound(signerTexts[i]!);
    if (acc.pubKey !== undefined) continue;
    auth.setAccount(ctx, { ...acc, pubKey: info.publicKey });
  }
  for (let i = 0; i < signerCount; i++) {
    ctx.events.emit(accSeqEvent(signerTexts[i]!, authInfo.signerInfos[i]!.sequence));
    const data = sigData[i]!;
    if (data.kind === "single") ctx.events.emit(signatureEvent(toBase64(data.signature)));
    else for (const bytes of signatureEventBytes(data)) ctx.events.emit(signatureEvent(toBase64(bytes)));
  }

  // ValidateSigCountDecorator: sub-keys of the keys the tx carries.
  let sigCount = 0;
  for (let i = 0; i < signerCount; i++) {
    const k = txKeys[i];
    sigCount += k === undefined ? 0 : countSubKeys(k);
  }
  if (BigInt(sigCount) > params.txSigLimit) {
    throw SdkErrors.TooManySignatures.wrap(`signatures: ${sigCount}, limit: ${params.txSigLimit}`);
  }

  // SigGasConsumeDecorator, SigVerificationDecorator, IncrementSequenceDecorator.
  const accounts: Account[] = [];
  const keys: Array<PubKey | undefined> = [];
  for (let i = 0; i < signerCount; i++) {
    const acc = auth.getAccount(ctx, signers[i]!);
    if (acc === undefined) throw accountNotFound(signerTexts[i]!);
    accounts.push(acc);
  }
  for (let i = 0; i < signerCount; i++) {
    const acc = accounts[i]!;
    keys.push(acc.pubKey === undefined ? undefined : decodeAccountPubKey(acc.pubKey));
  }
  const prices = sigGasPrices(params);
  for (let i = 0; i < signerCount; i++) {
    const key = keys[i];
    // An absent key only happens when simulating: upstream charges a simulated secp256k1 key.
    if (key === undefined) ctx.gasMeter.consumeGas(prices.secp256k1, "ante verify: secp256k1");
    else if (key.kind === "secp256k1") ctx.gasMeter.consumeGas(prices.secp256k1, "ante verify: secp256k1");
    else consumeSigGas(gasConsumer(ctx), key, sigData[i]!, prices);
  }
  for (let i = 0; i < signerCount; i++) {
    const acc = accounts[i]!;
    const key = keys[i];
    const info = authInfo.signerInfos[i]!;
    if (!simulate && key === undefined) throw SdkErrors.InvalidPubKey.wrap("pubkey on account is not set");
    if (info.sequence !== acc.sequence) throw sequenceMismatch(acc.sequence, info.sequence);
    if (simulate || key === undefined) continue;
    const accountNumber = ctx.height === 0 ? 0n : acc.accountNumber;
    const cache = options.signatureCache;
    const data = sigData[i]!;
    if (cache?.wasVerified(tx, i, key, data, accountNumber, ctx.chainId) === true) continue;
    const problem = verifySignature(key, data, signBytesFor(ctx, tx, accountNumber, info.sequence), idCache);
    if (problem === undefined) cache?.rememberVerified(tx, i, key, data, accountNumber, ctx.chainId);
    if (problem !== undefined) {
      throw SdkErrors.Unauthorized.wrap(
        onlyLegacyAmino(data)
          ? `signature verification failed; please verify account number (${accountNumber}), sequence (${acc.sequence}) and chain-id (${ctx.chainId})`
          : `signature verification failed; please verify account number (${accountNumber}) and chain-id (${ctx.chainId}): (${problem})`,
      );
    }
  }
  for (let i = 0; i < signerCount; i++) {
    const acc = auth.getAccount(ctx, signers[i]!)!;
    auth.setAccount(ctx, { ...acc, sequence: acc.sequence + 1n });
  }
}

/** Signature gas prices by the (frozen, memoized) params object they come from. */
const pricesOfParams = new WeakMap<object, SigGasPrices>();

function sigGasPrices(params: {
  readonly sigVerifyCostSecp256k1: bigint;
  readonly sigVerifyCostEd25519: bigint;
}): SigGasPrices {
  let prices = pricesOfParams.get(params);
  if (prices === undefined) {
    prices = { secp256k1: Number(params.sigVerifyCostSecp256k1), ed25519: Number(params.sigVerifyCostEd25519) };
    // Only frozen params are never changed after this (the keeper's decoded ones are).
    if (Object.isFrozen(params)) pricesOfParams.set(params, prices);
  }
  return prices;
}

// The two closures below are made by factories rather than declared inline: a named inline closure is
// rebuilt (and, under a keep-names transpiler, renamed) on every call of `runAnte`.

/** `ctx.gasMeter.consumeGas` as a plain function. */
function gasConsumer(ctx: Context): (amount: number, descriptor: string) => void {
  return (amount, descriptor) => ctx.gasMeter.consumeGas(amount, descriptor);
}

/** The bytes a signer signed in each sign mode (undefined for a mode the chain does not accept). */
function signBytesFor(
  ctx: Context,
  tx: DecodedTx,
  accountNumber: bigint,
  sequence: bigint,
): (mode: number) => Uint8Array | undefined {
  return (mode) => {
    if (mode === SignMode.DIRECT) {
      return encodeSignDoc({
        bodyBytes: tx.raw.bodyBytes,
        authInfoBytes: tx.raw.authInfoBytes,
        chainId: ctx.chainId,
        accountNumber,
      });
    }
    if (mode === SignMode.LEGACY_AMINO_JSON) return signBytesAminoJson(tx, ctx.chainId, accountNumber, sequence);
    if (mode === SignMode.EIP_191) return signBytesEip191(tx, ctx.chainId, accountNumber, sequence);
    return undefined;
  };
}
