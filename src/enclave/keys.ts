/**
 * Consensus seeds and every key derived from them (crypto.md §3).
 *
 * Upstream: `scrtlabs/SecretNetwork: cosmwasm/enclaves/shared/utils/src/key_manager.rs`,
 * `cosmwasm/enclaves/shared/crypto/src/{kdf,consts}.rs`.
 */
import { concatBytes, be32, le64, utf8Encode } from "../primitives/bytes.ts";
import { secretHkdf, sha256, x25519PublicKey } from "../crypto/index.ts";
import { EnclaveError, requireLength } from "./errors.ts";

export const SEED_LENGTH = 32;
export const MIN_SEEDS = 2;
export const MAX_SEEDS = 5;

/** Derive-order constants (`consts.rs`): the BE32 suffix appended to a seed before HKDF. */
export const DeriveOrder = {
  SEED_EXCHANGE_KEYPAIR: 1,
  IO_EXCHANGE_KEYPAIR: 2,
  STATE_IKM: 3,
  CALLBACK_SECRET: 4,
  RANDOM_ENCRYPTION_KEY: 5,
  INITIAL_RANDOMNESS_SEED: 6,
  ADMIN_PROOF_SECRET: 7,
  CONTRACT_KEY_PROOF_SECRET: 8,
} as const;

export type DeriveOrderValue = (typeof DeriveOrder)[keyof typeof DeriveOrder];

export const ENCRYPTED_KEY_MAGIC_BYTES: Uint8Array = utf8Encode("secret");
export const CONSENSUS_SEED_VERSION = 2;
export const STATE_ENCRYPTION_VERSION = 3;
export const REPLY_ENCRYPTION_MAGIC_BYTES: Uint8Array = utf8Encode("REPLY01");

const SEED_INFO = utf8Encode("seed");

/** `KDFs(seed, order)` = HKDF(seed ‖ BE32(order), info "seed"), protocol salt, 32 bytes (§3.2). */
export function deriveFromSeed(seed: Uint8Array, order: number): Uint8Array {
  requireLength(seed, SEED_LENGTH, "seed");
  if (!Number.isInteger(order) || order < 1 || order > 8) throw new RangeError(`derive order ${order} is not in 1..8`);
  return secretHkdf(concatBytes(seed, be32(order)), SEED_INFO);
}

/** `KDFk(key, data)` = HKDF(key ‖ data, empty info), protocol salt, 32 bytes (§1). */
export function deriveFromKey(key: Uint8Array, data: Uint8Array): Uint8Array {
  requireLength(key, 32, "key");
  return secretHkdf(concatBytes(key, data));
}

/** The two public keys a network publishes in the `register` genesis (§3.3). */
export interface NetworkPublicKeys {
  /** Seed-exchange public key of the last seed (`node_exch_key`). */
  readonly nodeExchKey: Uint8Array;
  /** IO-exchange public key of the last seed (`io_exch_key`, what `tx-key` returns). */
  readonly ioExchKey: Uint8Array;
}

function copySeeds(seeds: readonly Uint8Array[]): Uint8Array[] {
  return seeds.map((seed, i) => {
    requireLength(seed, SEED_LENGTH, `seeds[${i}]`);
    return Uint8Array.from(seed);
  });
}

/**
 * The enclave's key chain: the ordered seed list and everything derived from it (§3.2). Immutable;
 * rotation returns a new chain. Getters hand out copies so no caller can alter the chain's keys.
 */
export class KeyChain {
  readonly #seeds: readonly Uint8Array[];
  readonly #stateIkms: readonly Uint8Array[];
  readonly #seedExchangeSk: Uint8Array;
  readonly #seedExchangePk: Uint8Array;
  readonly #ioSk: Uint8Array;
  readonly #ioPk: Uint8Array;
  readonly #callbackSecret: Uint8Array;

  private constructor(seeds: Uint8Array[]) {
    this.#seeds = seeds;
    const last = seeds[seeds.length - 1]!;
    this.#stateIkms = seeds.map((seed) => deriveFromSeed(seed, DeriveOrder.STATE_IKM));
    this.#seedExchangeSk = deriveFromSeed(last, DeriveOrder.SEED_EXCHANGE_KEYPAIR);
    this.#seedExchangePk = x25519PublicKey(this.#seedExchangeSk);
    this.#ioSk = deriveFromSeed(last, DeriveOrder.IO_EXCHANGE_KEYPAIR);
    this.#ioPk = x25519PublicKey(this.#ioSk);
    this.#callbackSecret = deriveFromSeed(last, DeriveOrder.CALLBACK_SECRET);
  }

  /** Builds a chain from 2..5 seeds of 32 bytes each, in order (`seeds[0]` = genesis). */
  static fromSeeds(seeds: readonly Uint8Array[]): KeyChain {
    if (seeds.length < MIN_SEEDS || seeds.length > MAX_SEEDS) {
      throw new EnclaveError("BAD_SEED_COUNT", { count: seeds.length, min: MIN_SEEDS, max: MAX_SEEDS });
    }
    return new KeyChain(copySeeds(seeds));
  }

  /** A new chain with `seed` appended; allowed only while 2 ≤ n ≤ 4 (§3.1, `apply_rot_seed`). */
  withAppendedSeed(seed: Uint8Array): KeyChain {
    if (this.#seeds.length >= MAX_SEEDS) {
      throw new EnclaveError("BAD_SEED_COUNT", { count: this.#seeds.length + 1, max: MAX_SEEDS });
    }
    return new KeyChain(copySeeds([...this.#seeds, seed]));
  }

  get seeds(): Uint8Array[] {
    return this.#seeds.map((s) => Uint8Array.from(s));
  }

  get seedCount(): number {
    return this.#seeds.length;
  }

  /** Seed-exchange ("node master") secret key of the last seed (order 1). */
  get seedExchangeSecretKey(): Uint8Array {
    return Uint8Array.from(this.#seedExchangeSk);
  }

  get seedExchangePublicKey(): Uint8Array {
    return Uint8Array.from(this.#seedExchangePk);
  }

  /** IO-exchange secret key of the last seed (order 2). */
  get ioSecretKey(): Uint8Array {
    return Uint8Array.from(this.#ioSk);
  }

  get ioPublicKey(): Uint8Array {
    return Uint8Array.from(this.#ioPk);
  }

  /** `state_ikm[i] = KDFs(seeds[i], 3)` for every seed, in seed order. */
  get stateIkms(): Uint8Array[] {
    return this.#stateIkms.map((k) => Uint8Array.from(k));
  }

  /** `state_ikm[index]` (0-based). */
  stateIkm(index: number): Uint8Array {
    return Uint8Array.from(this.#stateIkms[this.#checkIndex(index)]!);
  }

  /** Callback secret of the last seed (order 4), raw 32 bytes. */
  get callbackSecret(): Uint8Array {
    return Uint8Array.from(this.#callbackSecret);
  }

  /** REK (order 5) of `seeds[seedIndex]`, default the last seed. */
  randomEncryptionKey(seedIndex: number = this.#seeds.length - 1): Uint8Array {
    return deriveFromSeed(this.#seeds[this.#checkIndex(seedIndex)]!, DeriveOrder.RANDOM_ENCRYPTION_KEY);
  }

  /** IRS (order 6) of `seeds[seedIndex]`, default the last seed. */
  initialRandomnessSeed(seedIndex: number = this.#seeds.length - 1): Uint8Array {
    return deriveFromSeed(this.#seeds[this.#checkIndex(seedIndex)]!, DeriveOrder.INITIAL_RANDOMNESS_SEED);
  }

  /** Admin-proof secret (order 7) used to create proofs: that of the last seed. */
  get adminProofSecret(): Uint8Array {
    return deriveFromSeed(this.#seeds[this.#seeds.length - 1]!, DeriveOrder.ADMIN_PROOF_SECRET);
  }

  /** Admin-proof secrets accepted when verifying: `KDFs(seeds[i], 7)` for i in 1..n, in order. */
  get adminProofSecrets(): Uint8Array[] {
    return this.#seeds.slice(1).map((s) => deriveFromSeed(s, DeriveOrder.ADMIN_PROOF_SECRET));
  }

  /** Contract-key-proof secret (order 8) used to create proofs: that of the last seed. */
  get contractKeyProofSecret(): Uint8Array {
    return deriveFromSeed(this.#seeds[this.#seeds.length - 1]!, DeriveOrder.CONTRACT_KEY_PROOF_SECRET);
  }

  /** Contract-key-proof secrets accepted when verifying: `KDFs(seeds[i], 8)` for i in 1..n, in order. */
  get contractKeyProofSecrets(): Uint8Array[] {
    return this.#seeds.slice(1).map((s) => deriveFromSeed(s, DeriveOrder.CONTRACT_KEY_PROOF_SECRET));
  }

  /** Seed-exchange secret key of the genesis seed, for the legacy genesis-seed helper (§3.4). */
  get genesisSeedExchangeSecretKey(): Uint8Array {
    return deriveFromSeed(this.#seeds[0]!, DeriveOrder.SEED_EXCHANGE_KEYPAIR);
  }

  /** What the `register` genesis and the registration queries publish (§3.3). */
  publicKeys(): NetworkPublicKeys {
    return { nodeExchKey: this.seedExchangePublicKey, ioExchKey: this.ioPublicKey };
  }

  /**
   * Validator-set evidence for the next height (§3.4, `key_manager.rs` `encrypt_hash_ex`, called with
   * `height + 1`): SHA-256(last ‖ next_validators_hash ‖ LE64(height + 1)).
   */
  validatorSetEvidence(nextValidatorsHash: Uint8Array, height: bigint | number): Uint8Array {
    requireLength(nextValidatorsHash, 32, "nextValidatorsHash");
    const next = BigInt(height) + 1n;
    return sha256(concatBytes(this.#seeds[this.#seeds.length - 1]!, nextValidatorsHash, le64(next)));
  }

  #checkIndex(index: number): number {
    if (!Number.isInteger(index) || index < 0 || index >= this.#seeds.length) {
      throw new RangeError(`seed index ${index} is not in 0..${this.#seeds.length - 1}`);
    }
    return index;
  }
}
