/** Codespace `register` (upstream `x/registration/internal/types/errors.go`). */
import { ErrorDef } from "../errors.ts";

const register = (code: number, description: string): ErrorDef => new ErrorDef("register", code, description);

export const RegistrationErrors = {
  /**
   * The evidence failed verification, or the enclave refused the node (upstream wraps every failure of
   * `RegisterNode` in this one); the log carries the `ATTEST_*` or enclave code and its reason.
   */
  AuthenticateFailed: register(2, "Failed to authenticate node"),
  /** A malformed query (upstream `ErrInvalid`), e.g. an EncryptedSeed request without a public key. */
  Invalid: register(8, "invalid"),
} as const;
