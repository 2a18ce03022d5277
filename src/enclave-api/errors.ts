import { CodedError } from "../primitives/errors.ts";

/**
 * Codes of the enclave interface itself: transport, framing and schema failures. They are raised on
 * the host side by the client, or on the enclave side and carried back in an error response.
 */
export type EnclaveApiErrorCode =
  /** The enclave thread is gone (crashed, killed, out of memory); this call and every later one fail. */
  | "ENCLAVE_API_DEAD"
  /** The client was closed. */
  | "ENCLAVE_API_CLOSED"
  /** The enclave did not start (its own error code, when it sent one, is in `details.enclaveCode`). */
  | "ENCLAVE_API_STARTUP_FAILED"
  /** A frame or payload that does not follow the schema (truncated, trailing bytes, bad UTF-8, bad length). */
  | "ENCLAVE_API_MALFORMED"
  /** The two sides speak different protocol versions. */
  | "ENCLAVE_API_VERSION_MISMATCH"
  /** A message over the configured maximum size. */
  | "ENCLAVE_API_MESSAGE_TOO_LARGE"
  /** An ecall or ocall id the other side does not know or does not serve. */
  | "ENCLAVE_API_UNKNOWN_CALL"
  /** The host gave no handler for an ocall the enclave made during this ecall. */
  | "ENCLAVE_API_OCALL_UNSUPPORTED"
  /** The host's ocall handler threw; the host rethrows its own error, the enclave sees this code. */
  | "ENCLAVE_API_OCALL_FAILED"
  /** An ecall made from inside an ocall handler (calls are strictly nested one deep). */
  | "ENCLAVE_API_REENTRANT"
  /** The call did not complete within the configured call timeout; the enclave is terminated. */
  | "ENCLAVE_API_TIMEOUT"
  /** A request value that cannot be encoded (e.g. a field of the wrong length or type). */
  | "ENCLAVE_API_BAD_REQUEST";

/** Codes of the enclave's key lifecycle (`src/enclave/lifecycle.ts`), carried back by ecall errors. */
export type EnclaveLifecycleErrorCode =
  /** No keychain loaded: run `bootstrap`, `load`, `acceptSeeds` or `importUpgrade` first. */
  | "ENCLAVE_NOT_INITIALIZED"
  /** A sealed keychain already exists; `bootstrap`/`createRegistration` refuse to replace it. */
  | "ENCLAVE_ALREADY_INITIALIZED"
  /** `load` found no sealed keychain in the home. */
  | "ENCLAVE_NO_SEALED_KEYCHAIN"
  /** An operation that needs the attestation policy found none (deliver one with `setPolicy`). */
  | "ENCLAVE_NO_POLICY"
  /** `acceptSeeds` found no registration key (run `createRegistration` first). */
  | "ENCLAVE_NO_REGISTRATION_KEY"
  /** The decrypted seeds do not produce the network's `node_exch_key`. */
  | "ENCLAVE_SEEDS_MISMATCH"
  /** The quote the host returned does not carry what the enclave asked to have quoted. */
  | "ENCLAVE_QUOTE_MISMATCH"
  /** An upgrade export to a measurement the sealed policy does not allow, or to the enclave itself. */
  | "ENCLAVE_UPGRADE_NOT_ALLOWED"
  /** `importUpgrade` found no export for this measurement. */
  | "ENCLAVE_NO_UPGRADE_EXPORT"
  /** The enclave's bundle could not be measured at startup. */
  | "ENCLAVE_MEASUREMENT_FAILED"
  /** An unexpected failure inside the enclave; the message names only the error's class. */
  | "ENCLAVE_INTERNAL";

/** Codes of sealed storage (spec crypto.md §11.2), carried back by ecall errors. */
export type SealErrorCode =
  | "SEAL_NOT_A_SEALED_FILE"
  | "SEAL_UNSUPPORTED_VERSION"
  | "SEAL_WRONG_KIND"
  | "SEAL_OTHER_ENCLAVE"
  | "SEAL_OTHER_MACHINE"
  | "SEAL_TRUNCATED"
  | "SEAL_TAMPERED"
  /** `platform.key` exists but has the wrong size, is not a file, or is readable by others. */
  | "SEAL_PLATFORM_KEY_INVALID"
  /** A sealed file opened, but its plaintext does not have the layout of its kind. */
  | "SEAL_PLAINTEXT_INVALID"
  /** A wrong argument to a sealing function (programming error). */
  | "SEAL_BAD_ARGUMENT"
  /** Reading or writing a sealed file failed in the file system (`details.errno`). */
  | "SEAL_IO";

export class EnclaveApiError extends CodedError<EnclaveApiErrorCode> {
  override readonly name = "EnclaveApiError";
}

/**
 * An error an ecall returned: the enclave's code (any of `EnclaveApiErrorCode`,
 * `EnclaveLifecycleErrorCode`, `SealErrorCode`, the `ATTEST_*` codes of `src/attestation`, or the codes
 * of `src/enclave/errors.ts`) and its message. Only code and message cross the boundary; the enclave
 * never puts secrets in either.
 */
export class EnclaveCallError extends CodedError<string> {
  override readonly name = "EnclaveCallError";
}
