/**
 * Registration params: the attestation policy (crypto.md §11.5), changed only by governance. JSON as in
 * `src/attestation/README.md` under `params.attestation_policy`.
 */
import { createPolicy, type AttestationPolicy } from "../../attestation/index.ts";

export interface RegistrationParams {
  readonly attestationPolicy: AttestationPolicy;
}

/** No measurement and no authority: nothing registers until genesis or governance says otherwise. */
export const DEFAULT_REGISTRATION_PARAMS: RegistrationParams = Object.freeze({ attestationPolicy: createPolicy({}) });
