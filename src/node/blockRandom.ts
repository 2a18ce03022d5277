/**
 * The block random on the node's side (crypto.md §9): what a proposer puts in its header, the check a
 * proposed header's random must pass, and what the decided block hands the app. The enclave makes,
 * checks and opens the random; `r` itself never reaches this process.
 */
import type { EncryptedBlockRandom, FinalizeBlockRequest } from "../app/index.ts";
import type { Header } from "../codec/consensus.ts";
import type { EnclaveClient } from "../enclave-api/index.ts";
import type { Logger } from "../primitives/observability.ts";

export type HeaderRandom = NonNullable<Header["encryptedRandom"]>;

/**
 * The `encrypted_random` of a header this node proposes (§9 step 1), made by its enclave: none without
 * a ready enclave, or when the enclave refuses (logged) — a block without a random is valid, its
 * contracts then see none.
 */
export function proposerBlockRandom(
  enclave: EnclaveClient | undefined,
  height: number,
  appHash: Uint8Array,
  validatorsHash: Uint8Array,
  log: Logger,
): { encryptedRandom?: HeaderRandom } {
  if (enclave === undefined) return {};
  try {
    const r = enclave.call("blockRandomCreate", { height: BigInt(height), appHash, validatorsHash });
    return { encryptedRandom: { random: r.random, proof: r.proof } };
  } catch (err) {
    log.warn("no block random: the enclave refused", { height, reason: (err as Error).message });
    return {};
  }
}

/**
 * Whether a proposed header's `encrypted_random` passes (§9 step 3): its proof under the network's
 * seeds, and that it decrypts under the header's validators hash, as this node's enclave checks. No
 * random passes; a node without a ready enclave cannot check and runs no contract call before it has
 * one: it passes too.
 */
export function proposedBlockRandomValid(enclave: EnclaveClient | undefined, h: Header, log: Logger): boolean {
  const er = h.encryptedRandom;
  if (er === undefined || er === null || enclave === undefined) return true;
  if (er.random.length !== 48 || er.proof.length !== 32) return false;
  try {
    enclave.call("blockRandomCheck", {
      height: h.height,
      random: er.random,
      proof: er.proof,
      appHash: h.appHash,
      validatorsHash: h.validatorsHash,
    });
    return true;
  } catch (err) {
    log.warn("invalid block random proposed", { height: h.height, reason: (err as Error).message });
    return false;
  }
}

/** The decided block's random for the app, unopened, with the header hashes it is bound to (or none). */
export function finalizeBlockRandom(h: Header): Pick<FinalizeBlockRequest, "random"> {
  const er = h.encryptedRandom;
  if (er === undefined || er === null) return {};
  const random: EncryptedBlockRandom = {
    random: er.random,
    proof: er.proof,
    appHash: h.appHash,
    validatorsHash: h.validatorsHash,
  };
  return { random };
}
