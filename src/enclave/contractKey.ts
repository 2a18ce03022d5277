/**
 * Contract addresses, contract keys, migration key proofs and admin proofs (crypto.md §7).
 *
 * Upstream: `cosmwasm/enclaves/shared/contract-engine/src/contract_validation.rs`
 * (`generate_contract_key`, `generate_sender_id`, `generate_contract_id`, `validate_contract_key`,
 * `generate_admin_proof`, `validate_admin_proof`, `generate_contract_key_proof`,
 * `validate_contract_key_proof`); `x/compute/internal/keeper/keeper.go` (`contractAddress`).
 */
import { be64, concatBytes } from "../primitives/bytes.ts";
import { constantTimeEqual, hmacSha256, ripemd160, sha256 } from "../crypto/index.ts";
import { EnclaveError, requireLength } from "./errors.ts";
import { deriveFromKey, type KeyChain } from "./keys.ts";

export const CONTRACT_KEY_LENGTH = 64;
export const CODE_HASH_LENGTH = 32;
const U64_MASK = (1n << 64n) - 1n;

/**
 * Contract address = RIPEMD-160(SHA-256(BE64((code_id << 32) + instance_id) ‖ creator)), with Go's
 * wrapping uint64 arithmetic (§7.1). Returns the 20-byte canonical address.
 */
export function contractAddress(codeId: bigint, instanceId: bigint, creator: Uint8Array): Uint8Array {
  if (codeId < 0n || instanceId < 0n || codeId > U64_MASK || instanceId > U64_MASK) {
    throw new RangeError("code id and instance id are u64");
  }
  const contractId = ((codeId << 32n) + instanceId) & U64_MASK;
  return ripemd160(sha256(concatBytes(be64(contractId), creator)));
}

/** `sender_id = SHA-256(sender ‖ BE64(block_height))` (canonical sender). */
export function senderId(sender: Uint8Array, blockHeight: bigint | number): Uint8Array {
  return sha256(concatBytes(sender, be64(blockHeight)));
}

/**
 * `contract_id = HMAC(KDFk(state_ikm[0], sender_id), sender_id ‖ code_hash ‖ address [‖ og_key])`.
 */
export function contractId(
  keys: KeyChain,
  senderIdBytes: Uint8Array,
  codeHash: Uint8Array,
  address: Uint8Array,
  ogContractKey?: Uint8Array,
): Uint8Array {
  requireLength(senderIdBytes, 32, "senderId");
  requireLength(codeHash, CODE_HASH_LENGTH, "codeHash");
  if (ogContractKey !== undefined) requireLength(ogContractKey, CONTRACT_KEY_LENGTH, "ogContractKey");
  const authKey = deriveFromKey(keys.stateIkm(0), senderIdBytes);
  return hmacSha256(authKey, concatBytes(senderIdBytes, codeHash, address, ogContractKey ?? new Uint8Array(0)));
}

/**
 * `contract_key = sender_id ‖ contract_id` (64 bytes, §7.2). With `ogContractKey` this is the key of a
 * migrated contract (§7.4).
 */
export function createContractKey(
  keys: KeyChain,
  sender: Uint8Array,
  blockHeight: bigint | number,
  codeHash: Uint8Array,
  address: Uint8Array,
  ogContractKey?: Uint8Array,
): Uint8Array {
  const sid = senderId(sender, blockHeight);
  return concatBytes(sid, contractId(keys, sid, codeHash, address, ogContractKey));
}

/**
 * §7.3 for one key (`validate_current_contract_key`): recompute `contract_id` from `key[0..32)`, the
 * code hash of the code being run and the address. FAILED_CONTRACT_AUTHENTICATION on mismatch.
 */
export function validateContractKey(
  keys: KeyChain,
  contractKey: Uint8Array,
  codeHash: Uint8Array,
  address: Uint8Array,
  ogContractKey?: Uint8Array,
): void {
  if (contractKey.length !== CONTRACT_KEY_LENGTH) {
    throw new EnclaveError("FAILED_TO_DESERIALIZE", { reason: "contract key length" });
  }
  const expected = contractId(keys, contractKey.subarray(0, 32), codeHash, address, ogContractKey);
  if (!constantTimeEqual(expected, contractKey.subarray(32))) throw new EnclaveError("FAILED_CONTRACT_AUTHENTICATION");
}

/** The contract-key fields of `env` (§7.3): the og key, and for a migrated contract the current key and its proof. */
export interface EnvContractKey {
  readonly ogContractKey: Uint8Array;
  readonly currentContractKey?: Uint8Array | undefined;
  readonly currentContractKeyProof?: Uint8Array | undefined;
}

/**
 * Full §7.3 check (`validate_contract_key`): an unmigrated contract validates its og key; a migrated
 * one validates the current key with the og key appended, then the key proof.
 */
export function validateEnvContractKey(
  keys: KeyChain,
  env: EnvContractKey,
  codeHash: Uint8Array,
  address: Uint8Array,
): void {
  if (env.ogContractKey.length !== CONTRACT_KEY_LENGTH) {
    throw new EnclaveError("FAILED_TO_DESERIALIZE", { reason: "og contract key length" });
  }
  if (env.currentContractKey === undefined || env.currentContractKey.length === 0) {
    validateContractKey(keys, env.ogContractKey, codeHash, address);
    return;
  }
  validateContractKey(keys, env.currentContractKey, codeHash, address, env.ogContractKey);
  const proof = env.currentContractKeyProof;
  if (proof === undefined || proof.length !== 32) {
    throw new EnclaveError("FAILED_TO_DESERIALIZE", { reason: "contract key proof length" });
  }
  validateContractKeyProof(keys, address, codeHash, env.ogContractKey, env.currentContractKey, proof);
}

function contractKeyProofWith(
  secret: Uint8Array,
  address: Uint8Array,
  codeHash: Uint8Array,
  ogContractKey: Uint8Array,
  newContractKey: Uint8Array,
): Uint8Array {
  return hmacSha256(secret, concatBytes(address, codeHash, ogContractKey, newContractKey));
}

/** `HMAC(KDFs(last, 8), address ‖ new_code_hash ‖ og_key ‖ new_key)` (§7.4). */
export function createContractKeyProof(
  keys: KeyChain,
  address: Uint8Array,
  newCodeHash: Uint8Array,
  ogContractKey: Uint8Array,
  newContractKey: Uint8Array,
): Uint8Array {
  return contractKeyProofWith(keys.contractKeyProofSecret, address, newCodeHash, ogContractKey, newContractKey);
}

/** Accepts a key proof made under `KDFs(seeds[i], 8)` for any i ≥ 1; VALIDATION_FAILURE otherwise. */
export function validateContractKeyProof(
  keys: KeyChain,
  address: Uint8Array,
  codeHash: Uint8Array,
  ogContractKey: Uint8Array,
  contractKey: Uint8Array,
  proof: Uint8Array,
): void {
  let ok = false;
  for (const secret of keys.contractKeyProofSecrets) {
    // Evaluate every candidate: the time taken does not reveal which seed matched.
    if (constantTimeEqual(contractKeyProofWith(secret, address, codeHash, ogContractKey, contractKey), proof))
      ok = true;
  }
  if (!ok) throw new EnclaveError("VALIDATION_FAILURE", { reason: "contract key proof" });
}

export interface MigratedContractKey {
  readonly newContractKey: Uint8Array;
  readonly proof: Uint8Array;
}

/**
 * Migration (§7.4): the new key (sender = migrating admin, current height, NEW code hash, og key
 * appended) and its proof. The host stores `newContractKey ‖ proof`.
 */
export function migrateContractKey(
  keys: KeyChain,
  sender: Uint8Array,
  blockHeight: bigint | number,
  newCodeHash: Uint8Array,
  address: Uint8Array,
  ogContractKey: Uint8Array,
): MigratedContractKey {
  const newContractKey = createContractKey(keys, sender, blockHeight, newCodeHash, address, ogContractKey);
  return {
    newContractKey,
    proof: createContractKeyProof(keys, address, newCodeHash, ogContractKey, newContractKey),
  };
}

function adminProofWith(secret: Uint8Array, admin: Uint8Array, ogContractKey: Uint8Array): Uint8Array {
  return hmacSha256(secret, concatBytes(admin, ogContractKey));
}

/** `admin_proof = HMAC(KDFs(last, 7), admin ‖ og_key)`; `admin` empty when there is no admin (§7.5). */
export function createAdminProof(keys: KeyChain, admin: Uint8Array, ogContractKey: Uint8Array): Uint8Array {
  return adminProofWith(keys.adminProofSecret, admin, ogContractKey);
}

/**
 * Migrate / update-admin / clear-admin: `HMAC(KDFs(seeds[i], 7), sender ‖ og_key) == admin_proof` for
 * some i ≥ 1 (§7.5). VALIDATION_FAILURE otherwise.
 */
export function validateAdminProof(
  keys: KeyChain,
  sender: Uint8Array,
  ogContractKey: Uint8Array,
  proof: Uint8Array,
): void {
  let ok = false;
  for (const secret of keys.adminProofSecrets) {
    if (constantTimeEqual(adminProofWith(secret, sender, ogContractKey), proof)) ok = true;
  }
  if (!ok) throw new EnclaveError("VALIDATION_FAILURE", { reason: "admin proof" });
}
