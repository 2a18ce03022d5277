/**
 * A keyring in a folder: one JSON file per key (`<name>.json`, mode 0600, folder 0700), written
 * atomically and never overwritten.
 *
 * A key is the secp256k1 key of a BIP-39 mnemonic at `m/44'/529'/0'/0/{index}` plus the 32-byte
 * encryption seed of the user's X25519 IO key (crypto.md §4.1: secretjs draws it at random per client;
 * we draw it once per key and keep it, so `scrt query tx` can decrypt your outputs later).
 *
 * At rest the two secrets are sealed with AES-256-GCM under a key from scrypt(passphrase) — the
 * "file" backend. The "test" backend (like the Cosmos SDK's) stores them in the clear and must be
 * asked for explicitly. Public data (name, address, public keys, path) is readable without the
 * passphrase and is bound to the ciphertext as associated data, so editing it breaks the seal.
 */
import { scrypt as scryptCallback } from "node:crypto";
import {
  existsSync,
  linkSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  unlinkSync,
  writeFileSync,
  chmodSync,
} from "node:fs";
import { join } from "node:path";
import { fromBase64, toBase64 } from "../primitives/base64.ts";
import { encodeAddress } from "../primitives/bech32.ts";
import { bytesEqual, utf8Decode, utf8Encode } from "../primitives/bytes.ts";
import { fromHex, toHex } from "../primitives/hex.ts";
import { hdPath as formatHdPath, keyFromMnemonic, newMnemonic } from "./hd.ts";
import { randomBytes, secp256k1PublicKey, x25519PublicKey } from "../crypto/index.ts";
import { aesGcmOpen, aesGcmSeal } from "../crypto/aesGcm.ts";
import { ClientError } from "./errors.ts";
import { isObject } from "./json.ts";

export type KeyringBackend = "file" | "test";
export const KEYRING_FILE_VERSION = 1;
const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** scrypt cost: N = 2^15, r = 8, p = 1 (about 0.1 s and 32 MiB), as many wallets use. */
const SCRYPT = { N: 1 << 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 } as const;

/** What anyone can read about a key. */
export interface KeyInfo {
  readonly name: string;
  readonly address: string;
  /** 33-byte compressed secp256k1 public key. */
  readonly publicKey: Uint8Array;
  /** 32-byte X25519 public key that appears in this key's encrypted contract messages. */
  readonly encryptionPublicKey: Uint8Array;
  readonly hdPath: string;
  readonly backend: KeyringBackend;
  readonly created: string;
}

/** A key opened for signing and decryption. */
export interface UnlockedKey extends KeyInfo {
  readonly privateKey: Uint8Array;
  readonly encryptionSeed: Uint8Array;
}

export interface AddKeyOptions {
  /** Recover from this mnemonic; a new 24-word one is made when absent. */
  readonly mnemonic?: string;
  readonly account?: number;
  readonly index?: number;
  readonly backend: KeyringBackend;
  /** Required for the "file" backend. */
  readonly passphrase?: string;
  /** 32 bytes to reuse an existing encryption identity (e.g. secretjs's `encryptionSeed`); random otherwise. */
  readonly encryptionSeed?: Uint8Array;
  /** ISO time stamp to record (default now). */
  readonly now?: string;
}

export function checkKeyName(name: string): string {
  if (!NAME_PATTERN.test(name)) {
    throw new ClientError(
      "CLIENT_BAD_INPUT",
      `invalid key name ${JSON.stringify(name)}: use 1–64 letters, digits, '.', '_' or '-', starting with a letter or digit`,
    );
  }
  return name;
}

function scrypt(passphrase: string, salt: Uint8Array): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    scryptCallback(passphrase.normalize("NFKC"), salt, 32, SCRYPT, (err, key) => {
      if (err) reject(err);
      else resolve(new Uint8Array(key));
    });
  });
}

/** The public fields, in a fixed order, authenticated by the seal. */
function associatedData(info: KeyInfo): Uint8Array {
  return utf8Encode(
    JSON.stringify([
      KEYRING_FILE_VERSION,
      info.name,
      info.address,
      toBase64(info.publicKey),
      toBase64(info.encryptionPublicKey),
      info.hdPath,
    ]),
  );
}

export class Keyring {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = dir;
  }

  private file(name: string): string {
    return join(this.dir, `${checkKeyName(name)}.json`);
  }

  /** Creates (or recovers) a key. Returns its info and, for a new key, the mnemonic to write down. */
  async add(name: string, options: AddKeyOptions): Promise<{ readonly info: KeyInfo; readonly mnemonic?: string }> {
    const file = this.file(name);
    if (existsSync(file)) throw new ClientError("CLIENT_KEY_EXISTS", `a key named '${name}' already exists`);
    if (options.backend === "file" && (options.passphrase === undefined || options.passphrase.length === 0)) {
      throw new ClientError("CLIENT_PASSPHRASE_REQUIRED", "the file keyring needs a non-empty passphrase");
    }
    const generated = options.mnemonic === undefined ? newMnemonic() : undefined;
    const mnemonic = options.mnemonic ?? generated!;
    const path = { account: options.account ?? 0, index: options.index ?? 0 };
    for (const [k, v] of Object.entries(path)) {
      if (!Number.isInteger(v) || v < 0 || v >= 2 ** 31) {
        throw new ClientError("CLIENT_BAD_INPUT", `${k} must be an integer in [0, 2^31)`);
      }
    }
    let hd;
    try {
      hd = keyFromMnemonic(mnemonic, path);
    } catch (err) {
      throw new ClientError("CLIENT_BAD_INPUT", err instanceof Error ? err.message : String(err));
    }
    const encryptionSeed = options.encryptionSeed ?? randomBytes(32);
    if (encryptionSeed.length !== 32) throw new ClientError("CLIENT_BAD_INPUT", "an encryption seed is 32 bytes");
    const info: KeyInfo = {
      name,
      address: encodeAddress(hd.address),
      publicKey: hd.publicKey,
      encryptionPublicKey: x25519PublicKey(encryptionSeed),
      hdPath: formatHdPath(path),
      backend: options.backend,
      created: options.now ?? new Date().toISOString(),
    };
    const secretJson = utf8Encode(
      JSON.stringify({ private_key: toHex(hd.privateKey), encryption_seed: toHex(encryptionSeed) }),
    );
    let secret: Record<string, unknown>;
    if (options.backend === "test") {
      secret = { private_key: toHex(hd.privateKey), encryption_seed: toHex(encryptionSeed) };
    } else {
      const salt = randomBytes(16);
      const nonce = randomBytes(12);
      const kek = await scrypt(options.passphrase!, salt);
      const sealed = aesGcmSeal(kek, nonce, secretJson, associatedData(info));
      kek.fill(0);
      secret = {
        kdf: "scrypt",
        n: SCRYPT.N,
        r: SCRYPT.r,
        p: SCRYPT.p,
        salt: toBase64(salt),
        cipher: "aes-256-gcm",
        nonce: toBase64(nonce),
        ciphertext: toBase64(sealed),
      };
    }
    secretJson.fill(0);
    this.writeNew(file, {
      version: KEYRING_FILE_VERSION,
      name,
      type: "local",
      algo: "secp256k1",
      address: info.address,
      pubkey: toBase64(info.publicKey),
      encryption_pubkey: toBase64(info.encryptionPublicKey),
      hd_path: info.hdPath,
      backend: info.backend,
      created: info.created,
      secret,
    });
    return generated === undefined ? { info } : { info, mnemonic: generated };
  }

  private writeNew(file: string, doc: unknown): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const tmp = `${file}.${process.pid}.${toHex(randomBytes(4))}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(doc, null, 2)}\n`, { mode: 0o600, flag: "wx" });
    try {
      chmodSync(tmp, 0o600);
      linkSync(tmp, file);
    } catch (err) {
      if ((err as { code?: unknown }).code === "EEXIST") {
        throw new ClientError("CLIENT_KEY_EXISTS", `a key file already exists at ${file}`);
      }
      throw err;
    } finally {
      unlinkSync(tmp);
    }
  }

  /**
   * Every key file: the readable keys sorted by name, and the files that could not be read with
   * their coded errors (so one broken file does not hide the others).
   */
  scan(): { readonly keys: KeyInfo[]; readonly problems: { readonly name: string; readonly error: ClientError }[] } {
    if (!existsSync(this.dir)) return { keys: [], problems: [] };
    const keys: KeyInfo[] = [];
    const problems: { name: string; error: ClientError }[] = [];
    for (const f of readdirSync(this.dir)) {
      if (!f.endsWith(".json") || !NAME_PATTERN.test(f.slice(0, -5))) continue;
      const name = f.slice(0, -5);
      try {
        keys.push(this.show(name));
      } catch (err) {
        if (!(err instanceof ClientError)) throw err;
        problems.push({ name, error: err });
      }
    }
    keys.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return { keys, problems };
  }

  /** The readable keys, sorted by name (see `scan` for the files that are not). */
  list(): KeyInfo[] {
    return this.scan().keys;
  }

  has(name: string): boolean {
    return existsSync(this.file(name));
  }

  show(name: string): KeyInfo {
    return parseKeyFile(this.read(name), name).info;
  }

  delete(name: string): KeyInfo {
    const info = this.show(name);
    unlinkSync(this.file(name));
    return info;
  }

  /** The key whose encryption public key is `pk`, if any. */
  findByEncryptionKey(pk: Uint8Array): KeyInfo | undefined {
    return this.list().find((k) => bytesEqual(k.encryptionPublicKey, pk));
  }

  /** Opens a key; the passphrase is needed for the "file" backend. */
  async unlock(name: string, passphrase: string | undefined): Promise<UnlockedKey> {
    const { info, secret } = parseKeyFile(this.read(name), name);
    let privateKey: Uint8Array;
    let encryptionSeed: Uint8Array;
    if (info.backend === "test") {
      ({ privateKey, encryptionSeed } = parseSecret(secret, name));
    } else {
      if (passphrase === undefined) {
        throw new ClientError("CLIENT_PASSPHRASE_REQUIRED", `key '${name}' is encrypted: a passphrase is needed`);
      }
      const s = checkSealed(secret, name);
      const kek = await scrypt(passphrase, s.salt);
      const opened = aesGcmOpen(kek, s.nonce, s.ciphertext, associatedData(info));
      kek.fill(0);
      if (opened === undefined) {
        throw new ClientError(
          "CLIENT_WRONG_PASSPHRASE",
          `wrong passphrase for key '${name}' (or the key file was altered)`,
        );
      }
      let doc: unknown;
      try {
        doc = JSON.parse(utf8Decode(opened)) as unknown;
      } finally {
        opened.fill(0);
      }
      ({ privateKey, encryptionSeed } = parseSecret(doc, name));
    }
    if (
      !bytesEqual(secp256k1PublicKey(privateKey), info.publicKey) ||
      !bytesEqual(x25519PublicKey(encryptionSeed), info.encryptionPublicKey)
    ) {
      throw new ClientError("CLIENT_KEYRING_CORRUPT", `key file '${name}': the secret does not match the public keys`);
    }
    return { ...info, privateKey, encryptionSeed };
  }

  private read(name: string): unknown {
    const file = this.file(name);
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (err) {
      if ((err as { code?: unknown }).code === "ENOENT") {
        throw new ClientError("CLIENT_KEY_NOT_FOUND", `no key named '${name}' in ${this.dir}`);
      }
      throw new ClientError("CLIENT_KEYRING_CORRUPT", `cannot read ${file}: ${String(err)}`);
    }
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new ClientError("CLIENT_KEYRING_CORRUPT", `${file} is not JSON`);
    }
  }
}

function corrupt(name: string, what: string): ClientError {
  return new ClientError("CLIENT_KEYRING_CORRUPT", `key file '${name}': ${what}`);
}

function bytesField(
  doc: Readonly<Record<string, unknown>>,
  key: string,
  length: number | undefined,
  name: string,
  hex = false,
): Uint8Array {
  const v = doc[key];
  if (typeof v !== "string") throw corrupt(name, `missing ${key}`);
  let bytes: Uint8Array;
  try {
    bytes = hex ? fromHex(v) : fromBase64(v);
  } catch {
    throw corrupt(name, `${key} is not ${hex ? "hex" : "base64"}`);
  }
  if (length !== undefined && bytes.length !== length) throw corrupt(name, `${key} must be ${length} bytes`);
  return bytes;
}

function parseKeyFile(doc: unknown, name: string): { readonly info: KeyInfo; readonly secret: unknown } {
  if (!isObject(doc)) throw corrupt(name, "not an object");
  if (doc["version"] !== KEYRING_FILE_VERSION) throw corrupt(name, `unknown version ${JSON.stringify(doc["version"])}`);
  if (doc["name"] !== name) throw corrupt(name, "the name inside does not match the file name");
  const backend = doc["backend"];
  if (backend !== "file" && backend !== "test") throw corrupt(name, "unknown backend");
  for (const key of ["address", "hd_path", "created"]) {
    if (typeof doc[key] !== "string") throw corrupt(name, `missing ${key}`);
  }
  const publicKey = bytesField(doc, "pubkey", 33, name);
  const info: KeyInfo = {
    name,
    address: doc["address"] as string,
    publicKey,
    encryptionPublicKey: bytesField(doc, "encryption_pubkey", 32, name),
    hdPath: doc["hd_path"] as string,
    backend,
    created: doc["created"] as string,
  };
  return { info, secret: doc["secret"] };
}

function parseSecret(secret: unknown, name: string): { privateKey: Uint8Array; encryptionSeed: Uint8Array } {
  if (!isObject(secret)) throw corrupt(name, "missing secret");
  return {
    privateKey: bytesField(secret, "private_key", 32, name, true),
    encryptionSeed: bytesField(secret, "encryption_seed", 32, name, true),
  };
}

function checkSealed(secret: unknown, name: string): { salt: Uint8Array; nonce: Uint8Array; ciphertext: Uint8Array } {
  if (!isObject(secret)) throw corrupt(name, "missing secret");
  if (secret["kdf"] !== "scrypt" || secret["cipher"] !== "aes-256-gcm") throw corrupt(name, "unknown kdf or cipher");
  if (secret["n"] !== SCRYPT.N || secret["r"] !== SCRYPT.r || secret["p"] !== SCRYPT.p) {
    throw corrupt(name, "unsupported scrypt parameters");
  }
  return {
    salt: bytesField(secret, "salt", 16, name),
    nonce: bytesField(secret, "nonce", 12, name),
    ciphertext: bytesField(secret, "ciphertext", undefined, name),
  };
}
