/**
 * Errors with stable codes. A code is a SCREAMING_SNAKE string that never changes once released, so
 * callers, tests and clients can match on it. The message is for humans and may change.
 */
export class CodedError<Code extends string = string> extends Error {
  override readonly name: string = "CodedError";
  readonly code: Code;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(code: Code, message: string, details?: Readonly<Record<string, unknown>>) {
    super(message);
    this.code = code;
    this.details = details;
  }
}

/** True when `err` is a CodedError, optionally with the given code. */
export function isCodedError(err: unknown, code?: string): err is CodedError {
  return err instanceof CodedError && (code === undefined || err.code === code);
}

/** Error codes of the primitives layer. */
export type PrimitiveErrorCode =
  | "HEX_INVALID"
  | "BASE64_INVALID"
  | "UTF8_INVALID"
  | "BECH32_INVALID"
  | "BECH32_CHECKSUM"
  | "BECH32_PREFIX"
  | "AMOUNT_INVALID"
  | "AMOUNT_OVERFLOW"
  | "INT_RANGE";

export class PrimitiveError extends CodedError<PrimitiveErrorCode> {
  override readonly name = "PrimitiveError";
}
