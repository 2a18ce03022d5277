/**
 * The auth module raises only codespace `sdk` errors (chain-api.md §2.5): sequence mismatch (32),
 * unauthorized (4), invalid pubkey (8), unknown address (9), too many signatures (14), memo too large
 * (12), out of gas (11). They are listed in `../errors.ts`; this file names the texts.
 */
import { SdkErrors } from "../errors.ts";
import type { AppError } from "../errors.ts";

export const accountNotFound = (address: string): AppError =>
  SdkErrors.UnknownAddress.wrap(`account ${address} does not exist`);

export const sequenceMismatch = (expected: bigint, got: bigint): AppError =>
  SdkErrors.WrongSequence.wrap(`account sequence mismatch, expected ${expected}, got ${got}`);
