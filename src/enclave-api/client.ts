import type { EcallName, EcallRequest, EcallResponse, OcallName, OcallRequest, OcallResponse } from "./protocol.ts";

/**
 * The host's services for the ocalls of one ecall. A missing handler answers the enclave with
 * ENCLAVE_API_OCALL_UNSUPPORTED. A handler that throws makes the enclave see
 * ENCLAVE_API_OCALL_FAILED (no detail crosses into the enclave) and the ecall rethrows the handler's
 * own error on the host.
 */
export type OcallHandlers = { readonly [K in OcallName]?: (request: OcallRequest<K>) => OcallResponse<K> };

/**
 * Host work to do while an ecall runs in the enclave: each call does one small piece (well under a
 * millisecond) and returns true while more remains. It runs on the host thread while the enclave owns
 * the channel, never inside an ocall handler, and must not change anything a result depends on (it
 * may fill caches whose entries are correct however they were obtained). Its errors are ignored.
 */
export type IdleWork = () => boolean;

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
  /**
   * Sets (or clears, with undefined) the host's idle work, run while the enclave computes an ecall's
   * first answer. Optional: a transport without a wait to fill leaves it out.
   */
  setIdleWork?(work: IdleWork | undefined): void;
  /** True once the enclave is gone (crashed, killed or closed); every later call fails. */
  readonly dead: boolean;
  /** Terminates the enclave now and waits (synchronously) until it is gone. Safe inside an ocall handler. */
  kill(): void;
  /** Stops the enclave and releases its thread. Idempotent. */
  close(): Promise<void>;
}
