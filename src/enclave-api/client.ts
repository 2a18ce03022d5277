import type { EcallName, EcallRequest, EcallResponse, OcallName, OcallRequest, OcallResponse } from "./protocol.ts";

/**
 * The host's services for the ocalls of one ecall. A missing handler answers the enclave with
 * ENCLAVE_API_OCALL_UNSUPPORTED. A handler that throws makes the enclave see
 * ENCLAVE_API_OCALL_FAILED (no detail crosses into the enclave) and the ecall rethrows the handler's
 * own error on the host.
 */
export type OcallHandlers = { readonly [K in OcallName]?: (request: OcallRequest<K>) => OcallResponse<K> };

/**
 * The host's handle on an enclave. Calls are synchronous: the app's block execution is synchronous,
 * and a contract's storage access is an ocall serviced on the caller's stack. One call at a time;
 * a call made from inside an ocall handler fails with ENCLAVE_API_REENTRANT.
 */
export interface EnclaveClient {
  readonly protocolVersion: number;
  /**
   * Runs ecall `name`. Throws `EnclaveCallError` with the enclave's code when the ecall fails,
   * `EnclaveApiError` for transport failures (ENCLAVE_API_DEAD, ENCLAVE_API_TIMEOUT, …).
   */
  call<K extends EcallName>(name: K, request: EcallRequest<K>, ocalls?: OcallHandlers): EcallResponse<K>;
  /** True once the enclave is gone (crashed, killed or closed); every later call fails. */
  readonly dead: boolean;
  /** Terminates the enclave now and waits (synchronously) until it is gone. Safe inside an ocall handler. */
  kill(): void;
  /** Stops the enclave and releases its thread. Idempotent. */
  close(): Promise<void>;
}
