/** Auth params (on-chain, changed by governance) and their defaults on Secret Network. */
import type { AuthParams } from "../../codec/auth.ts";
import { AppError } from "../errors.ts";

export type { AuthParams } from "../../codec/auth.ts";

export const DEFAULT_AUTH_PARAMS: AuthParams = Object.freeze({
  maxMemoCharacters: 256n,
  txSigLimit: 7n,
  txSizeCostPerByte: 10n,
  sigVerifyCostEd25519: 590n,
  sigVerifyCostSecp256k1: 1000n,
});

/** Upstream `Params.Validate`: every value must be positive. */
export function validateAuthParams(p: AuthParams): void {
  for (const [name, value] of Object.entries(p)) {
    if ((value as bigint) <= 0n) throw new AppError("auth", 1, `invalid ${name}: ${value}`);
  }
}
