/**
 * The sealing platform (spec crypto.md §11.2): the machine-bound secret sealing keys derive from, and
 * the platform id that names the machine.
 *
 * The software platform (dev and test) keeps 32 CSPRNG bytes in `<home>/enclave/platform.key`
 * (mode 0600, created once, never replaced) and sets
 * `platform_id = SHA-256(ASCII("scrt-ts/platform-id/v1") ‖ root_key)`. It protects nothing against the
 * host's root user; it exists so that the same code path runs everywhere. A hardware platform
 * implements the same interface with its own seal key (SGX MRENCLAVE policy, SEV-SNP derived key).
 */
import {
  closeSync,
  constants,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  statSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import { be16, concatBytes, utf8Encode } from "../primitives/bytes.ts";
import { toHex } from "../primitives/hex.ts";
import { sha256 } from "../crypto/hash.ts";
import { hkdfSha256 } from "../crypto/hkdf.ts";
import { randomBytes } from "../crypto/random.ts";
import { TeeType } from "../attestation/evidence.ts";
import { SealError } from "./sealErrors.ts";

export const PLATFORM_KEY_LENGTH = 32;
/** `tee_type` of the software platform's quotes (crypto.md §11.3). */
export const SOFTWARE_TEE_TYPE: number = TeeType.Software;
const PLATFORM_ID_PREFIX = utf8Encode("scrt-ts/platform-id/v1");
const SEAL_KEY_SALT = utf8Encode("scrt-ts/seal/v1");

export interface SealingPlatform {
  /** `"software"` for the key-file platform; hardware platforms name themselves. */
  readonly kind: string;
  /** The attestation `tee_type` whose quotes this platform produces (1 for the software platform). */
  readonly teeType: number;
  /** 32 bytes naming this machine (its root key's identity, never the key). */
  readonly platformId: Uint8Array;
  /** `HKDF-SHA256(root_key, salt "scrt-ts/seal/v1", info measurement ‖ BE16(kind), 32)`. */
  sealKey(measurement: Uint8Array, kind: number): Uint8Array;
}

/** The software platform of a root key (the key stays in this closure). */
export function softwarePlatform(rootKey: Uint8Array): SealingPlatform {
  if (rootKey.length !== PLATFORM_KEY_LENGTH) {
    throw new SealError("SEAL_PLATFORM_KEY_INVALID", `platform root key must be ${PLATFORM_KEY_LENGTH} bytes`);
  }
  const key = Uint8Array.from(rootKey);
  const platformId = sha256(concatBytes(PLATFORM_ID_PREFIX, key));
  return {
    kind: "software",
    teeType: SOFTWARE_TEE_TYPE,
    get platformId() {
      return Uint8Array.from(platformId);
    },
    sealKey(measurement: Uint8Array, kind: number): Uint8Array {
      if (measurement.length !== 32) throw new SealError("SEAL_BAD_ARGUMENT", "measurement must be 32 bytes");
      return hkdfSha256(key, SEAL_KEY_SALT, concatBytes(measurement, be16(kind)), 32);
    },
  };
}

/** `<home>/enclave`, where the platform key and the sealed files live. */
export function enclaveDir(home: string): string {
  return join(home, "enclave");
}

export function platformKeyPath(home: string): string {
  return join(enclaveDir(home), "platform.key");
}

/** fsync a folder so a rename or link in it is durable. */
export function fsyncDir(dir: string): void {
  const fd = openSync(dir, constants.O_RDONLY);
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function readPlatformKey(path: string): Uint8Array {
  const stat = statSync(path);
  if (!stat.isFile()) throw new SealError("SEAL_PLATFORM_KEY_INVALID", `${path} is not a regular file`);
  if (process.platform !== "win32" && (stat.mode & 0o077) !== 0) {
    throw new SealError(
      "SEAL_PLATFORM_KEY_INVALID",
      `${path} is readable by group or others (mode ${(stat.mode & 0o777).toString(8)}); it must be 0600`,
    );
  }
  const bytes = new Uint8Array(readFileSync(path));
  if (bytes.length !== PLATFORM_KEY_LENGTH) {
    throw new SealError("SEAL_PLATFORM_KEY_INVALID", `${path} holds ${bytes.length} bytes, not ${PLATFORM_KEY_LENGTH}`);
  }
  return bytes;
}

/**
 * The software platform of `home`: reads `<home>/enclave/platform.key`, or creates it when absent.
 * Creation is atomic and exclusive (temporary file, fsync, hard link to the final name, which fails if
 * another process created it first, fsync the folder), so the key is written once and never replaced.
 * A key file of the wrong size or with a permissive mode is refused, not repaired.
 */
export function openSoftwarePlatform(home: string): SealingPlatform {
  const dir = enclaveDir(home);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = platformKeyPath(home);
  try {
    return softwarePlatform(readPlatformKey(path));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
  }
  const key = randomBytes(PLATFORM_KEY_LENGTH);
  const tmp = join(dir, `.platform.key.${toHex(randomBytes(8))}.tmp`);
  const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  try {
    writeSync(fd, key);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(tmp, path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
  } finally {
    unlinkSync(tmp);
  }
  fsyncDir(dir);
  key.fill(0);
  return softwarePlatform(readPlatformKey(path));
}
