/** The host's view of the enclave: the protocol, the client interface and the worker transport. */
export type { EnclaveClient, IdleWork, OcallHandlers } from "./client.ts";
export { EnclaveApiError, EnclaveCallError } from "./errors.ts";
export type { EnclaveApiErrorCode, EnclaveLifecycleErrorCode, SealErrorCode } from "./errors.ts";
export {
  ECALLS,
  ENCLAVE_PROTOCOL_VERSION,
  OCALLS,
  type EcallName,
  type EcallRequest,
  type EcallResponse,
  type OcallName,
  type OcallRequest,
  type OcallResponse,
} from "./protocol.ts";
export { DEFAULT_CHANNEL_CAPACITY, DEFAULT_MAX_MESSAGE_BYTES, DEFAULT_SPIN_MICROS, ExitReason } from "./channel.ts";
export {
  createWorkerEnclave,
  DEFAULT_ENCLAVE_RESOURCE_LIMITS,
  WorkerEnclave,
  type EnclaveExitInfo,
  type WorkerEnclaveOptions,
} from "./workerEnclave.ts";
