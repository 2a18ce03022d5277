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
import { bytesEqual, utf8Encode } from "../primitives/bytes.ts";
import type { AuthKeeper } from "./auth/keeper.ts";
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

export function runAnte(ctx: Context, tx: DecodedTx, options: AnteOptions): void {
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
  const memoLength = utf8Encode(body.memo).length;
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
    const required = requiredFees(options.minGasPrices, fee.gasLimit);
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

  // SetPubKeyDecorator.
  const signerTexts = signers.map((s) => encodeAddress(s));
  const sigData = signers.map((_, i) => sigDataFrom(authInfo.signerInfos[i]!.modeInfo, raw.signatures[i]!));
  const txKeys: Array<PubKey | undefined> = [];
  for (let i = 0; i < signers.length; i++) {
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
  for (let i = 0; i < signers.length; i++) {
    ctx.events.emit(accSeqEvent(signerTexts[i]!, authInfo.signerInfos[i]!.sequence));
    for (const bytes of signatureEventBytes(sigData[i]!)) ctx.events.emit(signatureEvent(toBase64(bytes)));
  }

  // ValidateSigCountDecorator: sub-keys of the keys the tx carries.
  let sigCount = 0;
  for (const k of txKeys) sigCount += k === undefined ? 0 : countSubKeys(k);
  if (BigInt(sigCount) > params.txSigLimit) {
    throw SdkErrors.TooManySignatures.wrap(`signatures: ${sigCount}, limit: ${params.txSigLimit}`);
  }

  // SigGasConsumeDecorator, SigVerificationDecorator, IncrementSequenceDecorator.
  const accounts = signers.map((s, i) => {
    const acc = auth.getAccount(ctx, s);
    if (acc === undefined) throw accountNotFound(signerTexts[i]!);
    return acc;
  });
  const keys = accounts.map((acc) => (acc.pubKey === undefined ? undefined : decodeAccountPubKey(acc.pubKey)));
  const prices = { secp256k1: Number(params.sigVerifyCostSecp256k1), ed25519: Number(params.sigVerifyCostEd25519) };
  const consume = gasConsumer(ctx);
  for (let i = 0; i < signers.length; i++) {
    const key = keys[i];
    // An absent key only happens when simulating: upstream charges a simulated secp256k1 key.
    if (key === undefined) consume(prices.secp256k1, "ante verify: secp256k1");
    else consumeSigGas(consume, key, sigData[i]!, prices);
  }
  for (let i = 0; i < signers.length; i++) {
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
    const problem = verifySignature(key, data, signBytesFor(ctx, tx, accountNumber, info.sequence), cache);
    if (problem === undefined) cache?.rememberVerified(tx, i, key, data, accountNumber, ctx.chainId);
    if (problem !== undefined) {
      throw SdkErrors.Unauthorized.wrap(
        onlyLegacyAmino(data)
          ? `signature verification failed; please verify account number (${accountNumber}), sequence (${acc.sequence}) and chain-id (${ctx.chainId})`
          : `signature verification failed; please verify account number (${accountNumber}) and chain-id (${ctx.chainId}): (${problem})`,
      );
    }
  }
  for (let i = 0; i < signers.length; i++) {
    const acc = auth.getAccount(ctx, signers[i]!)!;
    auth.setAccount(ctx, { ...acc, sequence: acc.sequence + 1n });
  }
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
