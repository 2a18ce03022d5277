// Errors and results. AssemblyScript has no exceptions a contract can catch (`throw` traps), so every
// fallible SDK call returns a `Result<T>` and handlers return `Result<Response>` / `Result<Uint8Array>`.

export enum StdErrorKind {
  Generic,
  InvalidBase64,
  InvalidDataSize,
  InvalidHex,
  InvalidUtf8,
  NotFound,
  ParseErr,
  SerializeErr,
  Overflow,
  DivideByZero,
  Verification,
  Signing,
  RecoverPubkey,
  /** A contract-defined error: displayed as its text, unchanged. */
  Custom,
}

/**
 * The v1 `StdError`. `toString()` is the display text the contract returns in `{"Err":"…"}`, the same
 * strings secret-cosmwasm-std 1.x produces (e.g. `Generic error: <msg>`).
 */
export class StdError {
  constructor(
    readonly kind: StdErrorKind,
    readonly msg: string,
    /** `ParseErr`/`SerializeErr`: the type name; `NotFound`: the kind. */
    readonly target: string = "",
  ) {}

  static generic(msg: string): StdError {
    return new StdError(StdErrorKind.Generic, msg);
  }
  static invalidBase64(msg: string): StdError {
    return new StdError(StdErrorKind.InvalidBase64, msg);
  }
  static invalidDataSize(expected: u64, actual: u64): StdError {
    return new StdError(
      StdErrorKind.InvalidDataSize,
      "expected=" + expected.toString() + " actual=" + actual.toString(),
    );
  }
  static invalidHex(msg: string): StdError {
    return new StdError(StdErrorKind.InvalidHex, msg);
  }
  static invalidUtf8(msg: string): StdError {
    return new StdError(StdErrorKind.InvalidUtf8, msg);
  }
  static notFound(kind: string): StdError {
    return new StdError(StdErrorKind.NotFound, "", kind);
  }
  static parseErr(target: string, msg: string): StdError {
    return new StdError(StdErrorKind.ParseErr, msg, target);
  }
  static serializeErr(source: string, msg: string): StdError {
    return new StdError(StdErrorKind.SerializeErr, msg, source);
  }
  /** `Overflow: Cannot <operation> with <a> and <b>` (operation e.g. `Add`, `Sub`, `Mul`). */
  static overflow(operation: string, a: string, b: string): StdError {
    return new StdError(StdErrorKind.Overflow, "Cannot " + operation + " with " + a + " and " + b);
  }
  static divideByZero(operand: string): StdError {
    return new StdError(StdErrorKind.DivideByZero, "Cannot divide " + operand + " by zero");
  }
  static verification(msg: string): StdError {
    return new StdError(StdErrorKind.Verification, msg);
  }
  static signing(msg: string): StdError {
    return new StdError(StdErrorKind.Signing, msg);
  }
  static recoverPubkey(msg: string): StdError {
    return new StdError(StdErrorKind.RecoverPubkey, msg);
  }
  /** A contract's own error, shown verbatim (like a `thiserror` enum's display). */
  static custom(text: string): StdError {
    return new StdError(StdErrorKind.Custom, text);
  }

  toString(): string {
    switch (this.kind) {
      case StdErrorKind.Generic:
        return "Generic error: " + this.msg;
      case StdErrorKind.InvalidBase64:
        return "Invalid Base64 string: " + this.msg;
      case StdErrorKind.InvalidDataSize:
        return "Invalid data size: " + this.msg;
      case StdErrorKind.InvalidHex:
        return "Invalid hex string: " + this.msg;
      case StdErrorKind.InvalidUtf8:
        return "Cannot decode UTF8 bytes into string: " + this.msg;
      case StdErrorKind.NotFound:
        return this.target + " not found";
      case StdErrorKind.ParseErr:
        return "Error parsing into type " + this.target + ": " + this.msg;
      case StdErrorKind.SerializeErr:
        return "Error serializing type " + this.target + ": " + this.msg;
      case StdErrorKind.Overflow:
        return "Overflow: " + this.msg;
      case StdErrorKind.DivideByZero:
        return "Divide by zero: " + this.msg;
      case StdErrorKind.Verification:
        return "Verification error: " + this.msg;
      case StdErrorKind.Signing:
        return "Signing error: " + this.msg;
      case StdErrorKind.RecoverPubkey:
        return "Recover pubkey error: " + this.msg;
      default:
        return this.msg;
    }
  }
}

function zeroOf<T>(): T {
  if (isReference<T>()) {
    return changetype<T>(<usize>0);
  } else {
    return <T>0;
  }
}

/** Either a value or a `StdError`. Build with `Ok(value)` / `Err<T>(error)`. */
export class Result<T> {
  constructor(
    private readonly _value: T,
    readonly error: StdError | null,
  ) {}

  get isOk(): bool {
    return this.error === null;
  }

  get isErr(): bool {
    return this.error !== null;
  }

  /** The value; meaningless (zero/null) when `isErr`. */
  get value(): T {
    return this._value;
  }

  /** The value, or a trap ("panicked: <error>") when this is an error. */
  unwrap(): T {
    const e = this.error;
    if (e !== null) throw new Error(e.toString());
    return this._value;
  }

  /** The value, or `fallback` when this is an error. */
  unwrapOr(fallback: T): T {
    return this.error === null ? this._value : fallback;
  }

  /** The same error as a `Result` of another type (the value must be an error). */
  mapErr<U>(): Result<U> {
    return new Result<U>(zeroOf<U>(), this.error);
  }
}

export function Ok<T>(value: T): Result<T> {
  return new Result<T>(value, null);
}

export function Err<T>(error: StdError): Result<T> {
  return new Result<T>(zeroOf<T>(), error);
}
