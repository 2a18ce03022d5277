/**
 * `EnclaveForCompute` over the host's `EnclaveClient` (the worker enclave of `src/enclave-api`): the
 * contract ecalls go straight through; the store-time code check is supplied by the node (it lives in
 * `src/vm`, which the app may not import).
 */
import type { EnclaveClient } from "../../enclave-api/index.ts";
import type { CodeCheck, EnclaveForCompute } from "./types.ts";

export function computeEnclaveFromClient(
  client: Pick<EnclaveClient, "call" | "setIdleWork">,
  checkCode: CodeCheck,
): EnclaveForCompute {
  return {
    call: (name, request, ocalls) => client.call(name, request, ocalls),
    checkCode,
    setIdleWork: (work) => client.setIdleWork?.(work),
  };
}
