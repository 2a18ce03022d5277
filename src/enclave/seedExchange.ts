/**
 * Seed exchange with a registering node (crypto.md §10.2, §10.3).
 *
 * Upstream: `cosmwasm/enclaves/execute/src/registration/{seed_exchange,onchain,offchain}.rs`
 * (`encrypt_seed`, `decrypt_seed`, `ecall_init_node`).
 */
import { concatBytes } from "../primitives/bytes.ts";
import { sivDecrypt, sivEncrypt, x25519PublicKey, x25519SharedSecret } from "../crypto/index.ts";
import { EnclaveError, requireLength } from "./errors.ts";
import { MAX_SEEDS, SEED_LENGTH, type KeyChain } from "./keys.ts";

/** One encrypted seed: SIV tag (16) ‖ seed (32). */
export const ENCRYPTED_SEED_LENGTH = 48;

function encryptSeed(exchangeSecretKey: Uint8Array, regPk: Uint8Array, seed: Uint8Array): Uint8Array {
  const kEx = x25519SharedSecret(exchangeSecretKey, regPk);
  return sivEncrypt(kEx, seed, [regPk]);
}

/**
 * The network side (§10.2): `k_ex = X25519(seed_exchange_sk(last), reg_pk)` used directly as the SIV
 * key; every seed in order, `SIV(k_ex, seeds[i], [reg_pk])`, 48 bytes each, concatenated.
 */
export function encryptSeedsForRegistration(keys: KeyChain, regPk: Uint8Array): Uint8Array {
  requireLength(regPk, 32, "registration public key");
  const sk = keys.seedExchangeSecretKey;
  return concatBytes(...keys.seeds.map((seed) => encryptSeed(sk, regPk, seed)));
}

/**
 * The legacy genesis-seed helper (§3.4): `seeds[0]` alone, encrypted as in §10.2 but with the
 * seed-exchange key pair of `seeds[0]`.
 */
export function encryptGenesisSeedForRegistration(keys: KeyChain, regPk: Uint8Array): Uint8Array {
  requireLength(regPk, 32, "registration public key");
  return encryptSeed(keys.genesisSeedExchangeSecretKey, regPk, keys.seeds[0]!);
}

/** The enclave input form `u8(len) ‖ enc_seeds` (§10.3). */
export function seedExchangeInput(encSeeds: Uint8Array): Uint8Array {
  if (encSeeds.length === 0 || encSeeds.length % ENCRYPTED_SEED_LENGTH !== 0 || encSeeds.length > 0xff) {
    throw new EnclaveError("BAD_SEED_INPUT", { length: encSeeds.length });
  }
  return concatBytes(Uint8Array.of(encSeeds.length), encSeeds);
}

/**
 * The new node's side (§10.3): `k_ex = X25519(reg_sk, node_exch_key)`, each 48-byte block decrypted
 * with AD `[reg_pk]`, seeds returned in order. `input` must be the length-prefixed form
 * `u8(len) ‖ enc_seeds`, consistent: `len` equal to the number of bytes that follow, a
 * non-zero multiple of 48, at most `MAX_SEEDS` seeds — else BAD_SEED_INPUT. A block that does not
 * decrypt is DECRYPTION_ERROR.
 */
export function decryptSeedsFromNetwork(regSk: Uint8Array, nodeExchKey: Uint8Array, input: Uint8Array): Uint8Array[] {
  requireLength(regSk, 32, "registration secret key");
  requireLength(nodeExchKey, 32, "node exchange key");
  const declared = input[0];
  if (declared === undefined) throw new EnclaveError("BAD_SEED_INPUT", { length: 0 });
  const body = input.subarray(1);
  if (
    declared !== body.length ||
    declared === 0 ||
    declared % ENCRYPTED_SEED_LENGTH !== 0 ||
    declared / ENCRYPTED_SEED_LENGTH > MAX_SEEDS
  ) {
    throw new EnclaveError("BAD_SEED_INPUT", { declared, length: body.length });
  }
  const regPk = x25519PublicKey(regSk);
  const kEx = x25519SharedSecret(regSk, nodeExchKey);
  const seeds: Uint8Array[] = [];
  for (let off = 0; off < body.length; off += ENCRYPTED_SEED_LENGTH) {
    const seed = sivDecrypt(kEx, body.subarray(off, off + ENCRYPTED_SEED_LENGTH), [regPk]);
    if (seed === undefined || seed.length !== SEED_LENGTH) throw new EnclaveError("DECRYPTION_ERROR");
    seeds.push(seed);
  }
  return seeds;
}
