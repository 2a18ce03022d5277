/**
 * Amounts are bigint, never `number`. Text forms are canonical: the parsers accept exactly one
 * spelling of each value and refuse everything else (signs, spaces, exponents, leading zeros, hex).
 */
import { PrimitiveError } from "./errors.ts";

export const MAX_UINT64 = (1n << 64n) - 1n;
export const MAX_UINT128 = (1n << 128n) - 1n;
export const MAX_UINT256 = (1n << 256n) - 1n;

const UINT_TEXT = /^(0|[1-9][0-9]*)$/;

/** Parses the canonical decimal text of an unsigned integer of at most `bits` bits (default 256). */
export function parseUint(text: string, bits = 256): bigint {
  if (typeof text !== "string" || !UINT_TEXT.test(text)) {
    throw new PrimitiveError(
      "AMOUNT_INVALID",
      `invalid unsigned integer: ${JSON.stringify(String(text).slice(0, 80))}`,
    );
  }
  // Cheap length guard before building a huge bigint: 2^bits has at most ceil(bits*log10(2))+1 digits.
  if (text.length > Math.ceil(bits * 0.30103) + 1) {
    throw new PrimitiveError("AMOUNT_OVERFLOW", `integer does not fit in ${bits} bits`);
  }
  const value = BigInt(text);
  if (value >> BigInt(bits) !== 0n) throw new PrimitiveError("AMOUNT_OVERFLOW", `integer does not fit in ${bits} bits`);
  return value;
}

export const parseUint64 = (text: string): bigint => parseUint(text, 64);
export const parseUint128 = (text: string): bigint => parseUint(text, 128);

/** Checks that a bigint is a non-negative integer of at most `bits` bits, and returns it. */
export function checkUint(value: bigint, bits = 256): bigint {
  if (value < 0n || value >> BigInt(bits) !== 0n) {
    throw new PrimitiveError("AMOUNT_OVERFLOW", `value does not fit in an unsigned ${bits}-bit integer`);
  }
  return value;
}

// ---------------------------------------------------------------------------------------------------
// Dec: Cosmos SDK LegacyDec, a signed fixed-point number with 18 decimals.

export const DEC_PRECISION = 18;
const DEC_ONE = 10n ** 18n;
/** LegacyDec values are bounded by 2^(256+60) in magnitude (upstream's maxDecBitLen). */
const DEC_MAX_BITS = 256n + 60n;
const DEC_TEXT = /^(-)?(0|[1-9][0-9]*)(?:\.([0-9]{1,18}))?$/;

export class Dec {
  /** The value times 10^18. */
  readonly atomics: bigint;

  private constructor(atomics: bigint) {
    const magnitude = atomics < 0n ? -atomics : atomics;
    if (magnitude >> DEC_MAX_BITS !== 0n) throw new PrimitiveError("AMOUNT_OVERFLOW", "decimal out of range");
    this.atomics = atomics;
  }

  static readonly ZERO = new Dec(0n);
  static readonly ONE = new Dec(DEC_ONE);

  static fromAtomics(atomics: bigint): Dec {
    return new Dec(atomics);
  }

  static fromInt(value: bigint): Dec {
    return new Dec(value * DEC_ONE);
  }

  /** Parses "1", "0.05", "-2.5" (at most 18 decimals, no exponent, no leading zeros or "+"). */
  static parse(text: string): Dec {
    const m = typeof text === "string" ? DEC_TEXT.exec(text) : null;
    if (!m) throw new PrimitiveError("AMOUNT_INVALID", `invalid decimal: ${JSON.stringify(String(text).slice(0, 80))}`);
    const whole = m[2]!;
    const frac = (m[3] ?? "").padEnd(DEC_PRECISION, "0");
    if (whole.length > 80) throw new PrimitiveError("AMOUNT_OVERFLOW", "decimal out of range");
    const atomics = BigInt(whole) * DEC_ONE + BigInt(frac);
    return new Dec(m[1] ? -atomics : atomics);
  }

  /** The LegacyDec JSON text: always 18 decimals, e.g. "0.050000000000000000". */
  toString(): string {
    const negative = this.atomics < 0n;
    const magnitude = negative ? -this.atomics : this.atomics;
    const whole = magnitude / DEC_ONE;
    const frac = (magnitude % DEC_ONE).toString().padStart(DEC_PRECISION, "0");
    return `${negative ? "-" : ""}${whole}.${frac}`;
  }

  isNegative(): boolean {
    return this.atomics < 0n;
  }

  isZero(): boolean {
    return this.atomics === 0n;
  }

  compare(other: Dec): -1 | 0 | 1 {
    return this.atomics < other.atomics ? -1 : this.atomics > other.atomics ? 1 : 0;
  }

  add(other: Dec): Dec {
    return new Dec(this.atomics + other.atomics);
  }

  sub(other: Dec): Dec {
    return new Dec(this.atomics - other.atomics);
  }

  neg(): Dec {
    return new Dec(-this.atomics);
  }

  /** Product rounded half to even (LegacyDec.Mul). */
  mul(other: Dec): Dec {
    return new Dec(roundHalfEven(this.atomics * other.atomics, DEC_ONE));
  }

  /** Product truncated toward zero (LegacyDec.MulTruncate). */
  mulTruncate(other: Dec): Dec {
    return new Dec((this.atomics * other.atomics) / DEC_ONE);
  }

  mulInt(value: bigint): Dec {
    return new Dec(this.atomics * value);
  }

  /** Quotient rounded half to even (LegacyDec.Quo). */
  quo(other: Dec): Dec {
    if (other.atomics === 0n) throw new PrimitiveError("AMOUNT_INVALID", "division by zero");
    // As upstream: truncate (a·10^36)/b first, then round the 18 extra digits half to even.
    return new Dec(roundHalfEven((this.atomics * DEC_ONE * DEC_ONE) / other.atomics, DEC_ONE));
  }

  /** Quotient truncated toward zero (LegacyDec.QuoTruncate). */
  quoTruncate(other: Dec): Dec {
    if (other.atomics === 0n) throw new PrimitiveError("AMOUNT_INVALID", "division by zero");
    return new Dec((this.atomics * DEC_ONE) / other.atomics);
  }

  /** The integer part, truncated toward zero. */
  truncateInt(): bigint {
    return this.atomics / DEC_ONE;
  }

  /** The nearest integer, ties to even. */
  roundInt(): bigint {
    return roundHalfEven(this.atomics, DEC_ONE);
  }
}

/** `numerator / denominator` (denominator > 0 after sign normalisation) rounded half to even. */
function roundHalfEven(numerator: bigint, denominator: bigint): bigint {
  let n = numerator;
  let d = denominator;
  if (d < 0n) {
    n = -n;
    d = -d;
  }
  const negative = n < 0n;
  const magnitude = negative ? -n : n;
  let q = magnitude / d;
  const r2 = (magnitude % d) * 2n;
  if (r2 > d || (r2 === d && q % 2n === 1n)) q += 1n;
  return negative ? -q : q;
}

// ---------------------------------------------------------------------------------------------------
// Coins

export interface Coin {
  readonly denom: string;
  readonly amount: bigint;
}

/** Cosmos SDK's default denom rule. */
const DENOM = /^[a-zA-Z][a-zA-Z0-9/:._-]{2,127}$/;
const COIN_TEXT = /^(0|[1-9][0-9]*)([a-zA-Z][a-zA-Z0-9/:._-]{2,127})$/;

export function isValidDenom(denom: string): boolean {
  return DENOM.test(denom);
}

/** Parses "100uscrt". */
export function parseCoin(text: string): Coin {
  const m = typeof text === "string" ? COIN_TEXT.exec(text.trim()) : null;
  if (!m) throw new PrimitiveError("AMOUNT_INVALID", `invalid coin: ${JSON.stringify(String(text).slice(0, 80))}`);
  return { denom: m[2]!, amount: parseUint(m[1]!) };
}

/** Parses "100uscrt,5ufoo" (an empty string is the empty list). Does not sort or validate the set. */
export function parseCoins(text: string): Coin[] {
  if (text.trim() === "") return [];
  return text.split(",").map(parseCoin);
}

/** The compact event-attribute form: "2500uscrt,1ufoo". */
export function formatCoins(coins: readonly Coin[]): string {
  return coins.map((c) => `${c.amount}${c.denom}`).join(",");
}

/** True when the list is sorted by denom, without duplicates or zero amounts (sdk.Coins.IsValid). */
export function isValidCoinSet(coins: readonly Coin[]): boolean {
  for (let i = 0; i < coins.length; i++) {
    const c = coins[i]!;
    if (!isValidDenom(c.denom) || c.amount <= 0n || c.amount > MAX_UINT256) return false;
    if (i > 0 && coins[i - 1]!.denom >= c.denom) return false;
  }
  return true;
}
