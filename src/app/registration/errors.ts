/** Codespace `register` (upstream `x/registration/internal/types/errors.go`). */
import { ErrorDef } from "../errors.ts";

const register = (code: number, description: string): ErrorDef => new ErrorDef("register", code, description);

export const RegistrationErrors = {
  /** The evidence failed verification; the log carries the `ATTEST_*` code and its reason. */
  AuthenticateFailed: register(2, "failed to authenticate node"),
  /** The enclave refused to encrypt the seeds for the node. */
  SeedEncryptionFailed: register(3, "failed to encrypt seed"),
} as const;
