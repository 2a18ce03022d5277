/**
 * Per-block randomness (crypto.md §9): the proposer's encryption and proof, every node's verification
 * with upstream's fallback order, and the per-call `env.block.random`.
 *
 * Upstream: `cosmwasm/enclaves/execute/src/registration/offchain.rs` (`ecall_generate_random`),
 * `cosmwasm/enclaves/shared/utils/src/random.rs` (`create_random_proof`, `create_legacy_proof`),
 * `cosmwasm/enclaves/shared/block-verifier/src/verify/random.rs`, `…/contract-engine/src/random.rs`.
 */
import { be64, concatBytes } from "../primitives/bytes.ts";
import { toBase64 } from "../primitives/base64.ts";
import { constantTimeEqual, hmacSha256, secretHkdf, sha256, sivDecrypt, sivEncrypt } from "../crypto/index.ts";
import { EnclaveError, requireLength } from "./errors.ts";
import type { KeyChain } from "./keys.ts";

export const BLOCK_RANDOM_LENGTH = 32;
export const ENCRYPTED_RANDOM_LENGTH = 48;
export const RANDOM_PROOF_LENGTH = 32;

export interface EncryptedBlockRandom {
  /** `SIV(REK(last), r, [validator_set_hash])`, 48 bytes. */
  readonly encrypted: Uint8Array;
  /** `HMAC(IRS(last), BE64(height) ‖ encrypted ‖ app_hash)`, 32 bytes. */
  readonly proof: Uint8Array;
}

/** `HMAC(irs, BE64(height) ‖ encrypted ‖ app_hash)` (`create_random_proof`). */
export function randomProof(
  irs: Uint8Array,
  height: bigint | number,
  encrypted: Uint8Array,
  appHash: Uint8Array,
): Uint8Array {
  return hmacSha256(irs, concatBytes(be64(height), encrypted, appHash));
}

/** `SHA-256(BE64(height) ‖ encrypted ‖ app_hash ‖ irs)` (`create_legacy_proof`). */
export function legacyRandomProof(
  irs: Uint8Array,
  height: bigint | number,
  encrypted: Uint8Array,
  appHash: Uint8Array,
): Uint8Array {
  return sha256(concatBytes(be64(height), encrypted, appHash, irs));
}

/** The proposer's side (§9 step 1): encrypts `r` for the header and proves it. */
export function encryptBlockRandom(
  keys: KeyChain,
  r: Uint8Array,
  validatorSetHash: Uint8Array,
  height: bigint | number,
  appHash: Uint8Array,
): EncryptedBlockRandom {
  requireLength(r, BLOCK_RANDOM_LENGTH, "random");
  const encrypted = sivEncrypt(keys.randomEncryptionKey(), r, [validatorSetHash]);
  return { encrypted, proof: randomProof(keys.initialRandomnessSeed(), height, encrypted, appHash) };
}

export interface VerifiedBlockRandom {
  readonly random: Uint8Array;
  /** The 0-based index of the older seed whose keys verified it; undefined for the last seed or legacy form. */
  readonly seedIndex: number | undefined;
}

export interface VerifyRandomOptions {
  /** Upstream's `last_block_seed` (default 1): the first seed index tried after the last seed fails. */
  readonly lastBlockSeed?: number;
}

/**
 * Every node's side (§9 step 3, `validate_encrypted_random`): accepts the proof under IRS(last), else
 * under IRS(seeds[i]) for i from `lastBlockSeed` upward (then REK(seeds[i]) decrypts), else in the
 * legacy SHA-256 form under IRS(last); then decrypts `r` with AD `[validator_set_hash]`.
 * RANDOM_PROOF_INVALID when no proof form matches; DECRYPTION_ERROR when `r` does not decrypt.
 */
export function verifyBlockRandom(
  keys: KeyChain,
  encrypted: Uint8Array,
  proof: Uint8Array,
  validatorSetHash: Uint8Array,
  height: bigint | number,
  appHash: Uint8Array,
  options: VerifyRandomOptions = {},
): VerifiedBlockRandom {
  if (encrypted.length !== ENCRYPTED_RANDOM_LENGTH) {
    throw new EnclaveError("RANDOM_PROOF_INVALID", { reason: "encrypted random length" });
  }
  const seedIndex = matchProof(keys, encrypted, proof, height, appHash, options.lastBlockSeed ?? 1);
  const rek = keys.randomEncryptionKey(seedIndex ?? keys.seedCount - 1);
  const random = sivDecrypt(rek, encrypted, [validatorSetHash]);
  if (random === undefined) throw new EnclaveError("DECRYPTION_ERROR");
  return { random, seedIndex };
}

/** As `verifyBlockRandom`, for upstream's single input `encrypted(48) ‖ proof`. */
export function verifyBlockRandomConcatenated(
  keys: KeyChain,
  randomAndProof: Uint8Array,
  validatorSetHash: Uint8Array,
  height: bigint | number,
  appHash: Uint8Array,
  options: VerifyRandomOptions = {},
): VerifiedBlockRandom {
  if (randomAndProof.length < ENCRYPTED_RANDOM_LENGTH) {
    throw new EnclaveError("RANDOM_PROOF_INVALID", { reason: "input shorter than the encrypted random" });
  }
  return verifyBlockRandom(
    keys,
    randomAndProof.subarray(0, ENCRYPTED_RANDOM_LENGTH),
    randomAndProof.subarray(ENCRYPTED_RANDOM_LENGTH),
    validatorSetHash,
    height,
    appHash,
    options,
  );
}

function matchProof(
  keys: KeyChain,
  encrypted: Uint8Array,
  proof: Uint8Array,
  height: bigint | number,
  appHash: Uint8Array,
  lastBlockSeed: number,
): number | undefined {
  const irsLast = keys.initialRandomnessSeed();
  if (constantTimeEqual(randomProof(irsLast, height, encrypted, appHash), proof)) return undefined;
  for (let i = Math.max(0, lastBlockSeed); i < keys.seedCount; i++) {
    if (constantTimeEqual(randomProof(keys.initialRandomnessSeed(i), height, encrypted, appHash), proof)) return i;
  }
  if (constantTimeEqual(legacyRandomProof(irsLast, height, encrypted, appHash), proof)) return undefined;
  throw new EnclaveError("RANDOM_PROOF_INVALID");
}

/**
 * `env.block.random` for one call (§9 step 5, `derive_random`):
 * `b64(HKDF(ikm = r, info = BE64(height) ‖ contract_key ‖ BE64(counter)))` with the protocol salt.
 */
export function contractBlockRandom(
  r: Uint8Array,
  height: bigint | number,
  contractKey: Uint8Array,
  counter: bigint | number,
): string {
  requireLength(r, BLOCK_RANDOM_LENGTH, "random");
  requireLength(contractKey, 64, "contractKey");
  return toBase64(secretHkdf(r, concatBytes(be64(height), contractKey, be64(counter))));
}
