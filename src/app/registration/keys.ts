/**
 * Layout of the `register` store:
 * - `0x01 ‖ reg_pk` → RegistrationNodeInfo (protobuf)
 * - `0x02` → node_exch_key (32 raw bytes)
 * - `0x03` → io_exch_key (32 raw bytes)
 * - `0x04` → params: the attestation policy's canonical JSON bytes (`encodePolicy`)
 * - `0x05 ‖ nonce` → `0x01`: a registration nonce already used (crypto.md §11.5 check 8)
 */
import { concatBytes } from "../../primitives/bytes.ts";

export const REGISTRATION_STORE = "register";
export const REGISTRATION_MODULE = "register";
export const NODE_INFO_PREFIX = Uint8Array.of(0x01);
export const NODE_EXCH_KEY_KEY = Uint8Array.of(0x02);
export const IO_EXCH_KEY_KEY = Uint8Array.of(0x03);
export const PARAMS_KEY = Uint8Array.of(0x04);
export const NONCE_PREFIX = Uint8Array.of(0x05);

export const nodeInfoKey = (regPk: Uint8Array): Uint8Array => concatBytes(NODE_INFO_PREFIX, regPk);
export const nonceKey = (nonce: Uint8Array): Uint8Array => concatBytes(NONCE_PREFIX, nonce);
