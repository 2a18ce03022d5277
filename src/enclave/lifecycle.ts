/**
 * The enclave's key lifecycle (spec crypto.md §10, §11): bootstrap, load, registration on both sides,
 * the sealed attestation policy and upgrade exports. Holds the only copies of the seeds and the
 * registration secret key outside sealed files; no method returns a seed or a secret key.
 */
import { bytesEqual, concatBytes } from "../primitives/bytes.ts";
import { toHex } from "../primitives/hex.ts";
import { isCodedError } from "../primitives/errors.ts";
import { sha256 } from "../crypto/hash.ts";
import { randomBytes } from "../crypto/random.ts";
import { x25519PublicKey } from "../crypto/x25519.ts";
import { AttestError } from "../attestation/errors.ts";
import { decodeEvidence } from "../attestation/evidence.ts";
import { decodePolicy, encodePolicy, isMeasurementAllowed, type AttestationPolicy } from "../attestation/policy.ts";
import { decodeSoftwareQuote } from "../attestation/softwareQuote.ts";
import { verifyEvidence } from "../attestation/verify.ts";
import { KeyChain, type NetworkPublicKeys } from "./keys.ts";
import { BLOCK_RANDOM_LENGTH, encryptBlockRandom, verifyBlockRandom, type EncryptedBlockRandom } from "./random.ts";
import { decryptSeedsFromNetwork, encryptSeedsForRegistration } from "./seedExchange.ts";
import type { SealingPlatform } from "./platform.ts";
import { LifecycleError, SealError } from "./sealErrors.ts";
import {
  decodeKeychainPlaintext,
  decodeRegistrationKeyPlaintext,
  decodeUpgradeExportPlaintext,
  encodeKeychainPlaintext,
  encodeRegistrationKeyPlaintext,
  encodeUpgradeExportPlaintext,
  readSealedHeader,
  SEALED_FILE_NAMES,
  SealedFileStore,
  SealKind,
  upgradeExportFileName,
  type SealKindValue,
} from "./sealing.ts";

/** What the enclave asks the host's quoting service to sign (the `quote` ocall). */
export interface QuoteRequest {
  readonly teeType: number;
  readonly measurement: Uint8Array;
  readonly platformId: Uint8Array;
  readonly reportData: Uint8Array;
}

export type QuoteService = (request: QuoteRequest) => Uint8Array;

export interface EnclaveStatus {
  readonly measurement: Uint8Array;
  readonly platformId: Uint8Array;
  readonly platformKind: string;
  readonly initialized: boolean;
  readonly hasSealedKeychain: boolean;
  readonly seedCount: number;
  readonly hasRegistrationKey: boolean;
  readonly hasPolicy: boolean;
  readonly publicKeys: NetworkPublicKeys | undefined;
}

export interface LifecycleOptions {
  readonly platform: SealingPlatform;
  readonly measurement: Uint8Array;
  /** The folder of the sealed files (`<home>/enclave`). */
  readonly dir: string;
  /** CSPRNG (default `randomBytes`); injectable for tests. */
  readonly random?: (n: number) => Uint8Array;
}

/** Folder (under the sealed-file folder) where files sealed to an older measurement are set aside. */
export const SUPERSEDED_DIR = "superseded";

export class EnclaveLifecycle {
  readonly #platform: SealingPlatform;
  readonly #measurement: Uint8Array;
  readonly #store: SealedFileStore;
  readonly #random: (n: number) => Uint8Array;
  #keychain: KeyChain | undefined;
  #regSk: Uint8Array | undefined;
  #policy: AttestationPolicy | undefined;

  constructor(options: LifecycleOptions) {
    this.#platform = options.platform;
    this.#measurement = Uint8Array.from(options.measurement);
    this.#store = new SealedFileStore(options.dir, { platform: options.platform, measurement: this.#measurement });
    this.#random = options.random ?? randomBytes;
  }

  get measurement(): Uint8Array {
    return Uint8Array.from(this.#measurement);
  }

  status(): EnclaveStatus {
    return {
      measurement: this.measurement,
      platformId: this.#platform.platformId,
      platformKind: this.#platform.kind,
      initialized: this.#keychain !== undefined,
      hasSealedKeychain: this.#store.exists(SEALED_FILE_NAMES.keychain),
      seedCount: this.#keychain?.seedCount ?? 0,
      hasRegistrationKey: this.#regSk !== undefined || this.#store.exists(SEALED_FILE_NAMES.registrationKey),
      hasPolicy: this.#policy !== undefined || this.#store.exists(SEALED_FILE_NAMES.policy),
      publicKeys: this.#keychain?.publicKeys(),
    };
  }

  /**
   * A new network (§10.1): two CSPRNG seeds and a registration key pair, sealed as the keychain; the
   * genesis policy, when given, sealed too. Refused when a sealed keychain exists, whatever its state.
   */
  bootstrap(policyBytes: Uint8Array | undefined): NetworkPublicKeys & { registrationPublicKey: Uint8Array } {
    this.#refuseIfKeychainExists("bootstrap");
    const policy = policyBytes === undefined ? undefined : decodePolicy(policyBytes);
    if (policy !== undefined) this.#savePolicy(policy);
    const seeds = [this.#random(32), this.#random(32)];
    const regSk = this.#random(32);
    const keychain = KeyChain.fromSeeds(seeds);
    this.#saveKeychain(seeds, regSk);
    seeds.forEach((s) => s.fill(0));
    this.#keychain = keychain;
    this.#regSk = regSk;
    return { ...keychain.publicKeys(), registrationPublicKey: x25519PublicKey(regSk) };
  }

  /** Unseals the keychain of the home. Idempotent once loaded. */
  load(): NetworkPublicKeys & { seedCount: number } {
    if (this.#keychain === undefined) {
      const opened = this.#store.load(SEALED_FILE_NAMES.keychain, SealKind.Keychain);
      if (opened === undefined) {
        throw new LifecycleError("ENCLAVE_NO_SEALED_KEYCHAIN", `no sealed keychain in ${this.#store.dir}`);
      }
      const plain = decodeKeychainPlaintext(opened.plaintext);
      opened.plaintext.fill(0);
      this.#keychain = KeyChain.fromSeeds(plain.seeds);
      plain.seeds.forEach((s) => s.fill(0));
      if (plain.registrationKey !== undefined) this.#regSk = plain.registrationKey;
    }
    return { ...this.#keychain.publicKeys(), seedCount: this.#keychain.seedCount };
  }

  publicKeys(): NetworkPublicKeys {
    return this.#requireKeychain().publicKeys();
  }

  /** The loaded keychain, for the contract engine inside this enclave. Never crosses the boundary. */
  keychain(): KeyChain {
    return this.#requireKeychain();
  }

  /** The proposer's block random (crypto.md §9 step 1): a fresh `r`, encrypted and proved. */
  createBlockRandom(height: bigint, appHash: Uint8Array, validatorsHash: Uint8Array): EncryptedBlockRandom {
    return encryptBlockRandom(
      this.#requireKeychain(),
      this.#random(BLOCK_RANDOM_LENGTH),
      validatorsHash,
      height,
      appHash,
    );
  }

  /** A header's block random (§9 step 3): the proof checked, `r` decrypted (RANDOM_PROOF_INVALID / DECRYPTION_ERROR). */
  openBlockRandom(
    height: bigint,
    appHash: Uint8Array,
    validatorsHash: Uint8Array,
    encrypted: Uint8Array,
    proof: Uint8Array,
  ): Uint8Array {
    return verifyBlockRandom(this.#requireKeychain(), encrypted, proof, validatorsHash, height, appHash).random;
  }

  /**
   * A new node (§10.2 step 1): evidence whose report data is `reg_pk ‖ nonce`, from the host's quoting
   * service, for the node's registration key pair (created and sealed, kind 2, on first use; reused
   * afterwards, so evidence from an earlier call stays usable). The nonce is fresh on every call. The
   * evidence must carry exactly what was asked and, when the enclave holds a policy, pass it (except
   * freshness, which only the block time decides). A new key is sealed only once its quote checked out.
   */
  createRegistration(quote: QuoteService): { registrationPublicKey: Uint8Array; evidence: Uint8Array } {
    this.#refuseIfKeychainExists("createRegistration");
    const existing = this.#registrationKeyIfAny();
    const regSk = existing ?? this.#random(32);
    const regPk = x25519PublicKey(regSk);
    const report: QuoteRequest = {
      teeType: this.#platform.teeType,
      measurement: this.measurement,
      platformId: this.#platform.platformId,
      reportData: concatBytes(regPk, this.#random(32)),
    };
    const evidence = quote(report);
    const issuedAt = this.#checkQuote(evidence, report);
    const policy = this.#currentPolicy();
    if (policy !== undefined) {
      const verified = verifyEvidence(evidence, { blockTimeSeconds: issuedAt, policy });
      if (!verified.ok) throw AttestError.from(verified.error);
    }
    if (existing === undefined) {
      this.#store.save(
        SEALED_FILE_NAMES.registrationKey,
        SealKind.RegistrationKey,
        encodeRegistrationKeyPlaintext(regSk),
      );
      this.#regSk = regSk;
    }
    return { registrationPublicKey: regPk, evidence };
  }

  /**
   * The network side (§10.2 step 2): checks 1–7 and 9 of §11.5 against the enclave's own sealed
   * policy at the host-given block time, then encrypts every seed to `report_data[0..32)`.
   */
  registerNode(evidence: Uint8Array, blockTimeSeconds: bigint): Uint8Array {
    const keychain = this.#requireKeychain();
    const policy = this.#currentPolicy();
    if (policy === undefined)
      throw new LifecycleError("ENCLAVE_NO_POLICY", "registerNode needs the attestation policy");
    const verified = verifyEvidence(evidence, { blockTimeSeconds, policy });
    if (!verified.ok) throw AttestError.from(verified.error);
    return encryptSeedsForRegistration(keychain, verified.value.enclavePublicKey);
  }

  /**
   * The new node's side (§10.3): decrypts the seeds with its registration key, checks that they give
   * the network's `node_exch_key`, seals the keychain. Ignored (accepted = false) when seeds are held.
   */
  acceptSeeds(nodeExchKey: Uint8Array, seedInput: Uint8Array): NetworkPublicKeys & { accepted: boolean } {
    if (this.#keychain !== undefined) return { accepted: false, ...this.#keychain.publicKeys() };
    this.#refuseIfKeychainExists("acceptSeeds");
    const regSk = this.#registrationKey();
    const seeds = decryptSeedsFromNetwork(regSk, nodeExchKey, seedInput);
    const keychain = KeyChain.fromSeeds(seeds);
    if (!bytesEqual(keychain.publicKeys().nodeExchKey, nodeExchKey)) {
      seeds.forEach((s) => s.fill(0));
      throw new LifecycleError(
        "ENCLAVE_SEEDS_MISMATCH",
        "the received seeds do not produce the network's node_exch_key",
      );
    }
    this.#saveKeychain(seeds, regSk);
    seeds.forEach((s) => s.fill(0));
    this.#keychain = keychain;
    return { accepted: true, ...keychain.publicKeys() };
  }

  /** Replaces the sealed policy with one the host delivers (JSON bytes; stored in canonical form). */
  setPolicy(policyBytes: Uint8Array): { policyHash: Uint8Array; generation: bigint } {
    const policy = decodePolicy(policyBytes);
    const generation = this.#savePolicy(policy);
    return { policyHash: sha256(encodePolicy(policy)), generation };
  }

  /**
   * Seals the keychain and policy for enclave `target` on this machine (kind 4), only if `target` is in
   * the sealed policy's allow-list and is not this enclave. Returns the file name written.
   */
  exportUpgrade(target: Uint8Array): string {
    const keychain = this.#requireKeychain();
    const policy = this.#currentPolicy();
    if (policy === undefined)
      throw new LifecycleError("ENCLAVE_NO_POLICY", "exportUpgrade needs the attestation policy");
    if (bytesEqual(target, this.#measurement)) {
      throw new LifecycleError("ENCLAVE_UPGRADE_NOT_ALLOWED", "the target is this enclave's own measurement");
    }
    if (!isMeasurementAllowed(policy, target)) {
      throw new LifecycleError(
        "ENCLAVE_UPGRADE_NOT_ALLOWED",
        `measurement ${toHex(target)} is not in the policy's allow-list`,
      );
    }
    const seeds = keychain.seeds;
    const keychainPlain = encodeKeychainPlaintext({ seeds, registrationKey: this.#regSk });
    seeds.forEach((s) => s.fill(0));
    const plaintext = encodeUpgradeExportPlaintext({ keychain: keychainPlain, policy: encodePolicy(policy) });
    keychainPlain.fill(0);
    const name = upgradeExportFileName(target);
    this.#store.save(name, SealKind.UpgradeExport, plaintext, target);
    plaintext.fill(0);
    return name;
  }

  /**
   * Imports the upgrade export addressed to this enclave. Files of the home sealed to the previous
   * enclave are moved (never deleted) to `superseded/<old measurement>/`; a file that fails to open
   * for any other reason stops the import before anything changes.
   */
  importUpgrade(): NetworkPublicKeys & { seedCount: number; supersededMeasurement: Uint8Array | undefined } {
    if (this.#keychain !== undefined) {
      throw new LifecycleError("ENCLAVE_ALREADY_INITIALIZED", "a keychain is already loaded");
    }
    const opened = this.#store.load(upgradeExportFileName(this.#measurement), SealKind.UpgradeExport);
    if (opened === undefined) {
      throw new LifecycleError(
        "ENCLAVE_NO_UPGRADE_EXPORT",
        "no upgrade export addressed to this enclave's measurement",
      );
    }
    const exported = decodeUpgradeExportPlaintext(opened.plaintext);
    opened.plaintext.fill(0);
    const plain = decodeKeychainPlaintext(exported.keychain);
    exported.keychain.fill(0);
    const exportedPolicy = exported.policy === undefined ? undefined : decodePolicy(exported.policy);
    const keychain = KeyChain.fromSeeds(plain.seeds);

    // Decide for every existing file before changing anything.
    const keychainState = this.#fileState(SEALED_FILE_NAMES.keychain, SealKind.Keychain);
    if (keychainState.state === "ours") {
      throw new LifecycleError("ENCLAVE_ALREADY_INITIALIZED", "a keychain sealed to this enclave exists; use load");
    }
    const regState = this.#fileState(SEALED_FILE_NAMES.registrationKey, SealKind.RegistrationKey);
    const policyState = this.#fileState(SEALED_FILE_NAMES.policy, SealKind.Policy);
    let superseded: Uint8Array | undefined;
    for (const [name, st] of [
      [SEALED_FILE_NAMES.keychain, keychainState],
      [SEALED_FILE_NAMES.registrationKey, regState],
      [SEALED_FILE_NAMES.policy, policyState],
    ] as const) {
      if (st.state === "other") {
        superseded ??= st.measurement;
        this.#store.moveAside(name, `${SUPERSEDED_DIR}/${toHex(st.measurement)}`);
      }
    }
    if (exportedPolicy !== undefined && policyState.state !== "ours") this.#savePolicy(exportedPolicy);
    this.#saveKeychain(plain.seeds, plain.registrationKey);
    plain.seeds.forEach((s) => s.fill(0));
    this.#keychain = keychain;
    if (plain.registrationKey !== undefined) this.#regSk = plain.registrationKey;
    return { ...keychain.publicKeys(), seedCount: keychain.seedCount, supersededMeasurement: superseded };
  }

  // -------------------------------------------------------------------------------------------------

  #requireKeychain(): KeyChain {
    if (this.#keychain === undefined) {
      throw new LifecycleError("ENCLAVE_NOT_INITIALIZED", "no keychain loaded (bootstrap, load or acceptSeeds first)");
    }
    return this.#keychain;
  }

  #refuseIfKeychainExists(action: string): void {
    if (this.#keychain !== undefined || this.#store.exists(SEALED_FILE_NAMES.keychain)) {
      throw new LifecycleError("ENCLAVE_ALREADY_INITIALIZED", `${action}: a sealed keychain already exists`);
    }
  }

  #registrationKey(): Uint8Array {
    const regSk = this.#registrationKeyIfAny();
    if (regSk === undefined) {
      throw new LifecycleError("ENCLAVE_NO_REGISTRATION_KEY", "no registration key (createRegistration first)");
    }
    return regSk;
  }

  #registrationKeyIfAny(): Uint8Array | undefined {
    if (this.#regSk === undefined) {
      const opened = this.#store.load(SEALED_FILE_NAMES.registrationKey, SealKind.RegistrationKey);
      if (opened === undefined) return undefined;
      this.#regSk = decodeRegistrationKeyPlaintext(opened.plaintext);
      opened.plaintext.fill(0);
    }
    return this.#regSk;
  }

  #currentPolicy(): AttestationPolicy | undefined {
    if (this.#policy === undefined) {
      const opened = this.#store.load(SEALED_FILE_NAMES.policy, SealKind.Policy);
      if (opened !== undefined) this.#policy = decodePolicy(opened.plaintext);
    }
    return this.#policy;
  }

  #savePolicy(policy: AttestationPolicy): bigint {
    const generation = this.#store.save(SEALED_FILE_NAMES.policy, SealKind.Policy, encodePolicy(policy));
    this.#policy = policy;
    return generation;
  }

  #saveKeychain(seeds: readonly Uint8Array[], regSk: Uint8Array | undefined): void {
    const plaintext = encodeKeychainPlaintext({ seeds, registrationKey: regSk });
    try {
      this.#store.save(SEALED_FILE_NAMES.keychain, SealKind.Keychain, plaintext);
    } finally {
      plaintext.fill(0);
    }
  }

  /** Whether `name` is absent, sealed to this enclave, or sealed to another one (other failures throw). */
  #fileState(
    name: string,
    kind: SealKindValue,
  ): { state: "absent" } | { state: "ours" } | { state: "other"; measurement: Uint8Array } {
    try {
      const opened = this.#store.load(name, kind);
      if (opened === undefined) return { state: "absent" };
      opened.plaintext.fill(0);
      return { state: "ours" };
    } catch (e) {
      if (!isCodedError(e, "SEAL_OTHER_ENCLAVE")) throw e;
      const raw = this.#store.readRaw(name);
      if (raw === undefined) throw new SealError("SEAL_IO", `${name} disappeared`);
      return { state: "other", measurement: readSealedHeader(raw).measurement };
    }
  }

  /** The fields of the evidence must be exactly those asked for; returns its issued_at. */
  #checkQuote(evidence: Uint8Array, report: QuoteRequest): bigint {
    const envelope = decodeEvidence(evidence);
    if (!envelope.ok)
      throw new LifecycleError("ENCLAVE_QUOTE_MISMATCH", `the quote is malformed: ${envelope.error.message}`);
    if (envelope.value.teeType !== report.teeType) {
      throw new LifecycleError("ENCLAVE_QUOTE_MISMATCH", `the quote is of tee_type ${envelope.value.teeType}`);
    }
    const quote = decodeSoftwareQuote(envelope.value.body);
    if (!quote.ok) throw new LifecycleError("ENCLAVE_QUOTE_MISMATCH", `the quote is malformed: ${quote.error.message}`);
    const q = quote.value;
    if (
      !bytesEqual(q.measurement, report.measurement) ||
      !bytesEqual(q.platformId, report.platformId) ||
      !bytesEqual(q.reportData, report.reportData)
    ) {
      throw new LifecycleError("ENCLAVE_QUOTE_MISMATCH", "the quote does not carry this enclave's report");
    }
    return q.issuedAtSeconds;
  }
}
