/** The registration module's view of its neighbours (narrow interfaces it declares) and its own types. */
export type { MsgRaAuthenticate, RegistrationNodeInfo } from "../../codec/registration.ts";

/**
 * What registration needs of the enclave: the encrypted seeds for a node whose evidence the host has
 * verified (crypto.md §10.2). The node backs it with the `registerNode` ecall; it must be
 * deterministic (SIV), so every validator stores the same bytes. It throws a coded `ATTEST_*` error
 * when the enclave's own policy copy refuses the evidence; any other throw halts the node.
 */
export interface EnclaveForRegistration {
  registerNode(evidence: Uint8Array, blockTimeSeconds: bigint): Uint8Array;
}
