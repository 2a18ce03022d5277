/**
 * Errors of the state machine, as upstream's `(codespace, code)` registry (chain-api.md §6). A
 * registered error renders as its description; `wrap` prefixes context the way `errorsmod.Wrap` does
 * (`ctx: <inner text>`), keeping the innermost codes. The text is what goes into `raw_log`.
 */
import { CodedError } from "../primitives/errors.ts";

export class AppError extends CodedError<string> {
  override readonly name = "AppError";

  constructor(
    readonly codespace: string,
    readonly abciCode: number,
    message: string,
  ) {
    super(`${codespace}:${abciCode}`, message);
  }

  /** The same codes with `context: ` in front of the text. */
  wrap(context: string): AppError {
    return new AppError(this.codespace, this.abciCode, `${context}: ${this.message}`);
  }
}

/** A registered error: its codes and description. */
export class ErrorDef {
  constructor(
    readonly codespace: string,
    readonly code: number,
    readonly description: string,
  ) {}

  /** The bare error (text = description). */
  error(): AppError {
    return new AppError(this.codespace, this.code, this.description);
  }

  /** `errorsmod.Wrap(err, text)`: `text: description`. */
  wrap(text: string): AppError {
    return new AppError(this.codespace, this.code, `${text}: ${this.description}`);
  }
}

export const SDK_CODESPACE = "sdk";

const sdk = (code: number, description: string): ErrorDef => new ErrorDef(SDK_CODESPACE, code, description);

/** Codespace `sdk` (`types/errors/errors.go`), the ones this app raises. */
export const SdkErrors = {
  TxDecode: sdk(2, "tx parse error"),
  InvalidSequence: sdk(3, "invalid sequence"),
  Unauthorized: sdk(4, "unauthorized"),
  InsufficientFunds: sdk(5, "insufficient funds"),
  UnknownRequest: sdk(6, "unknown request"),
  InvalidAddress: sdk(7, "invalid address"),
  InvalidPubKey: sdk(8, "invalid pubkey"),
  UnknownAddress: sdk(9, "unknown address"),
  InvalidCoins: sdk(10, "invalid coins"),
  OutOfGas: sdk(11, "out of gas"),
  MemoTooLarge: sdk(12, "memo too large"),
  InsufficientFee: sdk(13, "insufficient fee"),
  TooManySignatures: sdk(14, "maximum number of signatures exceeded"),
  NoSignatures: sdk(15, "no signatures supplied"),
  InvalidRequest: sdk(18, "invalid request"),
  KeyNotFound: sdk(22, "key not found"),
  InvalidHeight: sdk(26, "invalid height"),
  InvalidChainId: sdk(28, "invalid chain-id"),
  TxTimeoutHeight: sdk(30, "tx timeout height"),
  UnknownExtensionOptions: sdk(31, "unknown extension options"),
  WrongSequence: sdk(32, "incorrect account sequence"),
  Logic: sdk(35, "internal logic error"),
  InvalidGasLimit: sdk(41, "invalid gas limit"),
} as const;

/** Codes of an arbitrary thrown value: an AppError keeps its own; anything else is `undefined`/1. */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  const text = err instanceof Error ? err.message : String(err);
  return new AppError("undefined", 1, text);
}

/**
 * A broken invariant: the node must halt rather than go on. Never turned into a tx result.
 */
export class InvariantError extends CodedError<"APP_INVARIANT"> {
  override readonly name = "InvariantError";

  constructor(message: string) {
    super("APP_INVARIANT", message);
  }
}
