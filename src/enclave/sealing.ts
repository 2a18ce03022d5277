/**
 * Sealed files (spec crypto.md §11.2): secrets at rest, bound to an enclave measurement and a machine.
 *
 * File format v1 (big-endian):
 *
 * | offset | length | field |
 * |---|---|---|
 * | 0 | 4 | magic `ASCII("SNSL")` |
 * | 4 | 2 | format version = 1 |
 * | 6 | 2 | kind: 1 keychain, 2 registration key, 3 attestation policy, 4 upgrade export |
 * | 8 | 32 | measurement the file is sealed to (the writer's own; for kind 4, the target's) |
 * | 40 | 32 | `platform_id` |
 * | 72 | 8 | generation (incremented on every save) |
 * | 80 | 12 | GCM nonce |
 * | 92 | 4 | `ct_len` |
 * | 96 | `ct_len` | ciphertext |
 * | 96+`ct_len` | 16 | GCM tag; AAD = bytes `[0, 96)` |
 *
 * Cipher: AES-256-GCM under `seal_key = HKDF(root_key, "scrt-ts/seal/v1", measurement ‖ BE16(kind))`,
 * a fresh random nonce per save.
 */
import {
  closeSync,
  constants,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import { be16, be32, be64, bytesEqual, concatBytes, readBe64, utf8Encode } from "../primitives/bytes.ts";
import { toHex } from "../primitives/hex.ts";
import { aesGcmOpen, aesGcmSeal } from "../crypto/aesGcm.ts";
import { randomBytes } from "../crypto/random.ts";
import type { SealingPlatform } from "./platform.ts";
import { fsyncDir } from "./platform.ts";
import { SealError } from "./sealErrors.ts";

export const SEAL_MAGIC: Uint8Array = utf8Encode("SNSL");
export const SEAL_VERSION = 1;
export const SEAL_HEADER_LENGTH = 96;
export const SEAL_TAG_LENGTH = 16;
/** Header plus tag: the size of a file with an empty plaintext. */
export const SEAL_MIN_LENGTH = SEAL_HEADER_LENGTH + SEAL_TAG_LENGTH;
const NONCE_LENGTH = 12;

export const SealKind = {
  Keychain: 1,
  RegistrationKey: 2,
  Policy: 3,
  UpgradeExport: 4,
} as const;
export type SealKindValue = (typeof SealKind)[keyof typeof SealKind];

/** What a sealed file is checked against when opened. */
export interface SealContext {
  readonly platform: SealingPlatform;
  /** The measurement the file must be sealed to (this enclave's own, except for exports it writes). */
  readonly measurement: Uint8Array;
}

export interface SealedHeader {
  readonly version: number;
  readonly kind: number;
  readonly measurement: Uint8Array;
  readonly platformId: Uint8Array;
  readonly generation: bigint;
}

export interface OpenedSeal {
  readonly plaintext: Uint8Array;
  readonly generation: bigint;
}

/** Encodes a sealed file of `kind` for `ctx.measurement` on `ctx.platform`. `nonce` is for tests only. */
export function sealBytes(
  ctx: SealContext,
  kind: SealKindValue,
  generation: bigint,
  plaintext: Uint8Array,
  nonce: Uint8Array = randomBytes(NONCE_LENGTH),
): Uint8Array {
  if (ctx.measurement.length !== 32) throw new SealError("SEAL_BAD_ARGUMENT", "measurement must be 32 bytes");
  if (nonce.length !== NONCE_LENGTH) throw new SealError("SEAL_BAD_ARGUMENT", "nonce must be 12 bytes");
  const header = concatBytes(
    SEAL_MAGIC,
    be16(SEAL_VERSION),
    be16(kind),
    ctx.measurement,
    ctx.platform.platformId,
    be64(generation),
    nonce,
    be32(plaintext.length),
  );
  const key = ctx.platform.sealKey(ctx.measurement, kind);
  try {
    return concatBytes(header, aesGcmSeal(key, nonce, plaintext, header));
  } finally {
    key.fill(0);
  }
}

/**
 * Opens a sealed file, running the checks of §11.2 in order, each with its code:
 * `SEAL_NOT_A_SEALED_FILE` (under 112 bytes or no magic), `SEAL_UNSUPPORTED_VERSION`,
 * `SEAL_WRONG_KIND`, `SEAL_OTHER_ENCLAVE` (measurement), `SEAL_OTHER_MACHINE` (platform id),
 * `SEAL_TRUNCATED` (length ≠ 112 + ct_len), `SEAL_TAMPERED` (GCM tag).
 */
export function openSealed(bytes: Uint8Array, ctx: SealContext, kind: SealKindValue): OpenedSeal {
  const header = readSealedHeader(bytes);
  if (header.version !== SEAL_VERSION) {
    throw new SealError("SEAL_UNSUPPORTED_VERSION", `sealed file format version ${header.version} is not supported`);
  }
  if (header.kind !== kind) {
    throw new SealError("SEAL_WRONG_KIND", `sealed file of kind ${header.kind}, expected kind ${kind}`);
  }
  if (!bytesEqual(header.measurement, ctx.measurement)) {
    throw new SealError(
      "SEAL_OTHER_ENCLAVE",
      `sealed to enclave measurement ${toHex(header.measurement)}, not ${toHex(ctx.measurement)}; an upgrade export is needed`,
      { sealedTo: toHex(header.measurement) },
    );
  }
  if (!bytesEqual(header.platformId, ctx.platform.platformId)) {
    throw new SealError("SEAL_OTHER_MACHINE", "sealed on another machine (platform id differs): the file was moved");
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const ctLength = view.getUint32(92, false);
  if (bytes.length !== SEAL_MIN_LENGTH + ctLength) {
    throw new SealError(
      "SEAL_TRUNCATED",
      `sealed file is ${bytes.length} bytes; its header says ${SEAL_MIN_LENGTH + ctLength}`,
    );
  }
  const key = ctx.platform.sealKey(ctx.measurement, kind);
  let plaintext: Uint8Array | undefined;
  try {
    plaintext = aesGcmOpen(
      key,
      bytes.subarray(80, 92),
      bytes.subarray(SEAL_HEADER_LENGTH),
      bytes.subarray(0, SEAL_HEADER_LENGTH),
    );
  } finally {
    key.fill(0);
  }
  if (plaintext === undefined) throw new SealError("SEAL_TAMPERED", "sealed file does not authenticate");
  return { plaintext, generation: header.generation };
}

/** The header of a sealed file (only the first check of `openSealed`: length and magic). */
export function readSealedHeader(bytes: Uint8Array): SealedHeader {
  if (bytes.length < SEAL_MIN_LENGTH || !bytesEqual(bytes.subarray(0, 4), SEAL_MAGIC)) {
    throw new SealError("SEAL_NOT_A_SEALED_FILE", "not a sealed file (too short or no SNSL magic)");
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return {
    version: view.getUint16(4, false),
    kind: view.getUint16(6, false),
    measurement: bytes.slice(8, 40),
    platformId: bytes.slice(40, 72),
    generation: readBe64(bytes, 72),
  };
}

// ---------------------------------------------------------------------------------------------------
// Plaintext layouts

export const KEYCHAIN_PLAINTEXT_VERSION = 1;
const SEED_LENGTH = 32;

/** Keychain plaintext (kind 1, v1): `u8 1 ‖ u8 n_seeds (2..5) ‖ n × 32 seeds ‖ u8 has_reg ‖ [32 reg_sk]`. */
export interface KeychainPlaintext {
  readonly seeds: readonly Uint8Array[];
  readonly registrationKey: Uint8Array | undefined;
}

function plaintextInvalid(what: string): SealError {
  return new SealError("SEAL_PLAINTEXT_INVALID", `${what} has an invalid layout`);
}

export function encodeKeychainPlaintext(keychain: KeychainPlaintext): Uint8Array {
  const n = keychain.seeds.length;
  if (n < 2 || n > 5 || keychain.seeds.some((s) => s.length !== SEED_LENGTH)) {
    throw new SealError("SEAL_BAD_ARGUMENT", "a keychain holds 2..5 seeds of 32 bytes");
  }
  const reg = keychain.registrationKey;
  if (reg !== undefined && reg.length !== 32)
    throw new SealError("SEAL_BAD_ARGUMENT", "registration key must be 32 bytes");
  return concatBytes(
    Uint8Array.of(KEYCHAIN_PLAINTEXT_VERSION, n),
    ...keychain.seeds,
    reg === undefined ? Uint8Array.of(0) : concatBytes(Uint8Array.of(1), reg),
  );
}

export function decodeKeychainPlaintext(bytes: Uint8Array): KeychainPlaintext {
  const n = bytes[1];
  if (bytes[0] !== KEYCHAIN_PLAINTEXT_VERSION || n === undefined || n < 2 || n > 5) throw plaintextInvalid("keychain");
  const regFlagAt = 2 + n * SEED_LENGTH;
  const hasReg = bytes[regFlagAt];
  const expected = regFlagAt + 1 + (hasReg === 1 ? 32 : 0);
  if ((hasReg !== 0 && hasReg !== 1) || bytes.length !== expected) throw plaintextInvalid("keychain");
  const seeds: Uint8Array[] = [];
  for (let i = 0; i < n; i++) seeds.push(bytes.slice(2 + i * SEED_LENGTH, 2 + (i + 1) * SEED_LENGTH));
  return { seeds, registrationKey: hasReg === 1 ? bytes.slice(regFlagAt + 1) : undefined };
}

/** Registration key plaintext (kind 2, v1, this project's layout): `u8 1 ‖ reg_sk(32)`. */
export function encodeRegistrationKeyPlaintext(regSk: Uint8Array): Uint8Array {
  if (regSk.length !== 32) throw new SealError("SEAL_BAD_ARGUMENT", "registration key must be 32 bytes");
  return concatBytes(Uint8Array.of(1), regSk);
}

export function decodeRegistrationKeyPlaintext(bytes: Uint8Array): Uint8Array {
  if (bytes.length !== 33 || bytes[0] !== 1) throw plaintextInvalid("registration key");
  return bytes.slice(1);
}

/**
 * Upgrade export plaintext (kind 4, v1, this project's layout):
 * `u8 1 ‖ BE32(len) ‖ keychain plaintext ‖ BE32(len) ‖ policy bytes (empty when none)`.
 */
export interface UpgradeExportPlaintext {
  readonly keychain: Uint8Array;
  readonly policy: Uint8Array | undefined;
}

export function encodeUpgradeExportPlaintext(exp: UpgradeExportPlaintext): Uint8Array {
  const policy = exp.policy ?? new Uint8Array(0);
  return concatBytes(Uint8Array.of(1), be32(exp.keychain.length), exp.keychain, be32(policy.length), policy);
}

export function decodeUpgradeExportPlaintext(bytes: Uint8Array): UpgradeExportPlaintext {
  if (bytes.length < 9 || bytes[0] !== 1) throw plaintextInvalid("upgrade export");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const kcLength = view.getUint32(1, false);
  if (5 + kcLength + 4 > bytes.length) throw plaintextInvalid("upgrade export");
  const policyLength = view.getUint32(5 + kcLength, false);
  if (9 + kcLength + policyLength !== bytes.length) throw plaintextInvalid("upgrade export");
  const keychain = bytes.slice(5, 5 + kcLength);
  const policy = bytes.slice(9 + kcLength);
  return { keychain, policy: policy.length === 0 ? undefined : policy };
}

// ---------------------------------------------------------------------------------------------------
// Files

export const SEALED_FILE_NAMES = {
  keychain: "keychain.sealed",
  registrationKey: "registration.sealed",
  policy: "policy.sealed",
} as const;

/** The name of an upgrade export for `targetMeasurement`. */
export function upgradeExportFileName(targetMeasurement: Uint8Array): string {
  return `upgrade-${toHex(targetMeasurement)}.sealed`;
}

function ioError(e: unknown, action: string, name: string): SealError {
  const errno = (e as NodeJS.ErrnoException).code ?? "unknown";
  return new SealError("SEAL_IO", `could not ${action} ${name}: ${errno}`, { errno });
}

/**
 * Sealed files in one folder (`<home>/enclave`). Opening never changes a file. Saving first opens the
 * current file (if any) to continue its generation counter, so a file that fails to open is never
 * overwritten: the save fails with the open's code. Writes are atomic: temporary file, fsync, rename,
 * fsync the folder.
 */
export class SealedFileStore {
  readonly dir: string;
  readonly #ctx: SealContext;

  constructor(dir: string, ctx: SealContext) {
    this.dir = dir;
    this.#ctx = { platform: ctx.platform, measurement: Uint8Array.from(ctx.measurement) };
  }

  get measurement(): Uint8Array {
    return Uint8Array.from(this.#ctx.measurement);
  }

  path(name: string): string {
    return join(this.dir, name);
  }

  exists(name: string): boolean {
    return existsSync(this.path(name));
  }

  /** The raw bytes of a file, or undefined when absent. */
  readRaw(name: string): Uint8Array | undefined {
    try {
      return new Uint8Array(readFileSync(this.path(name)));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw ioError(e, "read", name);
    }
  }

  /** Opens `name` as `kind` sealed to `measurement` (default: this enclave's); undefined when absent. */
  load(name: string, kind: SealKindValue, measurement: Uint8Array = this.#ctx.measurement): OpenedSeal | undefined {
    const bytes = this.readRaw(name);
    if (bytes === undefined) return undefined;
    return openSealed(bytes, { platform: this.#ctx.platform, measurement }, kind);
  }

  /**
   * Seals `plaintext` into `name` as `kind` for `measurement` (default: this enclave's), with the next
   * generation. Returns the generation written.
   */
  save(
    name: string,
    kind: SealKindValue,
    plaintext: Uint8Array,
    measurement: Uint8Array = this.#ctx.measurement,
  ): bigint {
    const previous = this.load(name, kind, measurement);
    const generation = previous === undefined ? 1n : previous.generation + 1n;
    previous?.plaintext.fill(0);
    const bytes = sealBytes({ platform: this.#ctx.platform, measurement }, kind, generation, plaintext);
    this.#writeAtomic(name, bytes);
    return generation;
  }

  /** Moves `name` into `subdir` (created when needed), keeping it; used to set superseded files aside. */
  moveAside(name: string, subdir: string): void {
    const targetDir = join(this.dir, subdir);
    try {
      mkdirSync(targetDir, { recursive: true, mode: 0o700 });
      const target = join(targetDir, name);
      if (existsSync(target)) throw Object.assign(new Error("exists"), { code: "EEXIST" });
      renameSync(this.path(name), target);
      fsyncDir(targetDir);
      fsyncDir(this.dir);
    } catch (e) {
      throw ioError(e, "move aside", name);
    }
  }

  #writeAtomic(name: string, bytes: Uint8Array): void {
    const tmp = this.path(`.${name}.${toHex(randomBytes(8))}.tmp`);
    try {
      mkdirSync(this.dir, { recursive: true, mode: 0o700 });
      const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
      try {
        let off = 0;
        while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, this.path(name));
      fsyncDir(this.dir);
    } catch (e) {
      try {
        unlinkSync(tmp);
      } catch {
        // the temporary file was not created or is already renamed
      }
      throw ioError(e, "write", name);
    }
  }
}
