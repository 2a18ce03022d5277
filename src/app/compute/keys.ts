/**
 * Layout of the `compute` store (upstream `x/compute/internal/types/keys.go`, plus `0x0B`/`0x0C` of
 * this project):
 * - `0x01 ‖ BE64(code_id)` → CodeInfo (protobuf)
 * - `0x02 ‖ contract` → ContractInfo (protobuf)
 * - `0x03 ‖ contract ‖ stored key` → a contract's encrypted state (keys and values chosen by the enclave)
 * - `0x04 ‖ "lastCodeId"`, `0x04 ‖ "lastContractId"` → BE64 next id (absent: 1)
 * - `0x06 ‖ contract` → ContractKey (protobuf)
 * - `0x07 ‖ label` → contract address (labels are globally unique)
 * - `0x09 ‖ contract ‖ BE64(position)` → ContractCodeHistoryEntry (protobuf), positions from 1
 * - `0x0A ‖ BE64(code_id) ‖ BE64(height) ‖ BE64(tx_index) ‖ contract` → empty: contracts by code, in
 *   creation (or migration) order
 * - `0x0B ‖ code_hash` → the uncompressed wasm (upstream keeps it in files beside the store)
 * - `0x0C` → params (protobuf `Params`)
 */
import { be64, concatBytes, utf8Encode } from "../../primitives/bytes.ts";

export const COMPUTE_STORE = "compute";
export const COMPUTE_MODULE = "compute";

export const CODE_PREFIX = Uint8Array.of(0x01);
export const CONTRACT_PREFIX = Uint8Array.of(0x02);
export const CONTRACT_STATE_PREFIX = Uint8Array.of(0x03);
export const SEQUENCE_PREFIX = Uint8Array.of(0x04);
export const CONTRACT_KEY_PREFIX = Uint8Array.of(0x06);
export const LABEL_PREFIX = Uint8Array.of(0x07);
export const HISTORY_PREFIX = Uint8Array.of(0x09);
export const BY_CODE_PREFIX = Uint8Array.of(0x0a);
export const WASM_PREFIX = Uint8Array.of(0x0b);
export const PARAMS_KEY = Uint8Array.of(0x0c);

export const LAST_CODE_ID_KEY = concatBytes(SEQUENCE_PREFIX, utf8Encode("lastCodeId"));
export const LAST_INSTANCE_ID_KEY = concatBytes(SEQUENCE_PREFIX, utf8Encode("lastContractId"));

export const codeKey = (codeId: bigint): Uint8Array => concatBytes(CODE_PREFIX, be64(codeId));
export const contractKey = (contract: Uint8Array): Uint8Array => concatBytes(CONTRACT_PREFIX, contract);
export const contractStatePrefix = (contract: Uint8Array): Uint8Array => concatBytes(CONTRACT_STATE_PREFIX, contract);
export const contractStateKey = (contract: Uint8Array, key: Uint8Array): Uint8Array =>
  concatBytes(CONTRACT_STATE_PREFIX, contract, key);
export const enclaveKeyKey = (contract: Uint8Array): Uint8Array => concatBytes(CONTRACT_KEY_PREFIX, contract);
export const labelKey = (label: string): Uint8Array => concatBytes(LABEL_PREFIX, utf8Encode(label));
export const historyPrefix = (contract: Uint8Array): Uint8Array => concatBytes(HISTORY_PREFIX, contract);
export const historyKey = (contract: Uint8Array, position: bigint): Uint8Array =>
  concatBytes(HISTORY_PREFIX, contract, be64(position));
export const byCodePrefix = (codeId: bigint): Uint8Array => concatBytes(BY_CODE_PREFIX, be64(codeId));
export const byCodeKey = (codeId: bigint, height: bigint, txIndex: bigint, contract: Uint8Array): Uint8Array =>
  concatBytes(BY_CODE_PREFIX, be64(codeId), be64(height), be64(txIndex), contract);
export const wasmKey = (codeHash: Uint8Array): Uint8Array => concatBytes(WASM_PREFIX, codeHash);
