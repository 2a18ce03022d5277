/**
 * The client half of Secret's contract IO encryption, as secretjs 1.22.1's `EncryptionUtilsImpl`
 * does it (spec crypto.md §4, §5):
 *
 * - the user's X25519 key pair comes from a 32-byte seed: `sk = seed` (clamped when used),
 *   `pk = X25519(seed, 9)`; the keyring keeps the seed so past outputs stay readable;
 * - per message: a fresh 32-byte nonce, `tx_key = HKDF(X25519(sk, io_pk) ‖ nonce, [])` with the
 *   protocol salt, envelope `nonce ‖ pk ‖ SIV(tx_key, code_hash_hex ‖ json, [[]])`;
 * - outputs (data, attributes, errors, query answers) are opened with the same `tx_key`, found again
 *   from the nonce at the front of the envelope that was sent.
 *
 * Standalone: it depends only on `src/crypto` and `src/primitives`, never on the enclave's code.
 */
import { concatBytes, utf8Decode, utf8Encode } from "../primitives/bytes.ts";
import { fromBase64 } from "../primitives/base64.ts";
import {
  randomBytes,
  secretHkdf,
  sivDecrypt,
  sivEncrypt,
  x25519PublicKey,
  x25519SharedSecret,
} from "../crypto/index.ts";
import { ClientError } from "./errors.ts";

export const ENCRYPTION_SEED_LENGTH = 32;
export const NONCE_LENGTH = 32;
export const IO_PUBKEY_LENGTH = 32;
/** `nonce(32) ‖ pubkey(32) ‖ tag(16)` plus at least two bytes: upstream refuses anything shorter than 82. */
export const MIN_ENVELOPE_LENGTH = 82;
/** Every IO ciphertext uses exactly one empty associated-data component (crypto.md §2.3). */
const IO_AD: readonly Uint8Array[] = Object.freeze([new Uint8Array(0)]);

/** secretjs's normalisation of a code hash before it becomes the plaintext prefix. */
export function normalizeCodeHash(codeHash: string): string {
  const hash = codeHash.replace(/^0x/, "").toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(hash)) {
    throw new ClientError("CLIENT_BAD_INPUT", `a code hash is 64 hex characters, got ${JSON.stringify(codeHash)}`);
  }
  return hash;
}

export interface Envelope {
  readonly nonce: Uint8Array;
  readonly publicKey: Uint8Array;
  readonly ciphertext: Uint8Array;
}

/** Splits `nonce ‖ pubkey ‖ ciphertext`; `undefined` when too short to be an envelope. */
export function splitEnvelope(bytes: Uint8Array): Envelope | undefined {
  if (bytes.length < MIN_ENVELOPE_LENGTH) return undefined;
  return {
    nonce: bytes.slice(0, NONCE_LENGTH),
    publicKey: bytes.slice(NONCE_LENGTH, NONCE_LENGTH + IO_PUBKEY_LENGTH),
    ciphertext: bytes.slice(NONCE_LENGTH + IO_PUBKEY_LENGTH),
  };
}

function checkLength(bytes: Uint8Array, length: number, what: string): void {
  if (!(bytes instanceof Uint8Array) || bytes.length !== length) {
    throw new ClientError("CLIENT_BAD_INPUT", `${what} must be ${length} bytes`);
  }
}

/** A user's IO encryption identity against one chain (its consensus IO public key). */
export class ClientEncryption {
  readonly publicKey: Uint8Array;
  readonly #secretKey: Uint8Array;
  readonly #ioPublicKey: Uint8Array;
  readonly #sharedSecret: Uint8Array;
  readonly #nonces: (n: number) => Uint8Array;

  /**
   * `seed`: the 32-byte encryption seed (keep it to read your outputs later; `randomBytes(32)` for
   * a throwaway identity). `ioPublicKey`: the chain's `/registration/v1beta1/tx-key`.
   * `nonceSource` is for tests that need fixed nonces.
   */
  constructor(seed: Uint8Array, ioPublicKey: Uint8Array, nonceSource: (n: number) => Uint8Array = randomBytes) {
    checkLength(seed, ENCRYPTION_SEED_LENGTH, "encryption seed");
    checkLength(ioPublicKey, IO_PUBKEY_LENGTH, "chain IO public key");
    this.#secretKey = Uint8Array.from(seed);
    this.#ioPublicKey = Uint8Array.from(ioPublicKey);
    this.publicKey = x25519PublicKey(this.#secretKey);
    this.#sharedSecret = x25519SharedSecret(this.#secretKey, this.#ioPublicKey);
    this.#nonces = nonceSource;
  }

  get ioPublicKey(): Uint8Array {
    return Uint8Array.from(this.#ioPublicKey);
  }

  /** `HKDF(X25519(sk, io_pk) ‖ nonce, [])` (crypto.md §4.2). */
  txKey(nonce: Uint8Array): Uint8Array {
    checkLength(nonce, NONCE_LENGTH, "nonce");
    return secretHkdf(concatBytes(this.#sharedSecret, nonce));
  }

  /**
   * The envelope for a contract message: `msg` is JSON-serialised as secretjs does
   * (`JSON.stringify`, the caller's key order); a string is taken as the JSON text itself.
   */
  encrypt(codeHash: string, msg: unknown): Uint8Array {
    const json = typeof msg === "string" ? msg : JSON.stringify(msg);
    if (json === undefined) throw new ClientError("CLIENT_BAD_INPUT", "the contract message is not JSON-serialisable");
    return this.encryptBytes(codeHash, utf8Encode(json));
  }

  /** As `encrypt`, with the message bytes given verbatim. */
  encryptBytes(codeHash: string, msgBytes: Uint8Array): Uint8Array {
    const nonce = this.#nonces(NONCE_LENGTH);
    checkLength(nonce, NONCE_LENGTH, "nonce");
    const plaintext = concatBytes(utf8Encode(normalizeCodeHash(codeHash)), msgBytes);
    return concatBytes(nonce, this.publicKey, sivEncrypt(this.txKey(nonce), plaintext, IO_AD));
  }

  /** secretjs `decrypt`: empty in, empty out; CLIENT_DECRYPT_FAILED when the tag does not verify. */
  decrypt(ciphertext: Uint8Array, nonce: Uint8Array): Uint8Array {
    if (ciphertext.length === 0) return new Uint8Array(0);
    const plaintext = sivDecrypt(this.txKey(nonce), ciphertext, IO_AD);
    if (plaintext === undefined) {
      throw new ClientError("CLIENT_DECRYPT_FAILED", "the ciphertext does not open with this key and nonce");
    }
    return plaintext;
  }

  /** True when `envelope` was made with this identity (its public key is ours). */
  owns(envelope: Uint8Array): boolean {
    const parts = splitEnvelope(envelope);
    if (parts === undefined) return false;
    return parts.publicKey.every((b, i) => b === this.publicKey[i]);
  }

  /** The input of an envelope we made: the code hash and the message text. */
  decryptInput(envelope: Uint8Array): { readonly codeHash: string; readonly msg: string } {
    const parts = splitEnvelope(envelope);
    if (parts === undefined) throw new ClientError("CLIENT_BAD_INPUT", "too short to be an encrypted message");
    const text = utf8Decode(this.decrypt(parts.ciphertext, parts.nonce));
    return { codeHash: text.slice(0, 64), msg: text.slice(64) };
  }

  /** `data` of an instantiate/execute/migrate response: the plaintext is the base64 text of the data. */
  decryptData(data: Uint8Array, nonce: Uint8Array): Uint8Array {
    if (data.length === 0) return new Uint8Array(0);
    return fromBase64Text(utf8Decode(this.decrypt(data, nonce)), "contract data");
  }

  /** A smart-query answer: `JSON.parse(utf8(base64⁻¹(utf8(pt))))`; an empty plaintext gives `{}`. */
  decryptQueryAnswer(data: Uint8Array, nonce: Uint8Array): unknown {
    const inner = utf8Decode(this.decrypt(data, nonce));
    if (inner === "") return {};
    const text = utf8Decode(fromBase64Text(inner, "query answer"));
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }

  /** An attribute key or value of a `wasm` event (b64 of the ciphertext), trimmed as secretjs does. */
  decryptAttribute(b64: string, nonce: Uint8Array): string {
    return utf8Decode(this.decrypt(fromBase64Text(b64, "attribute"), nonce)).trim();
  }
}

function fromBase64Text(text: string, what: string): Uint8Array {
  try {
    return fromBase64(text);
  } catch {
    throw new ClientError("CLIENT_DECRYPT_FAILED", `${what}: the decrypted text is not base64`);
  }
}

/** The regex secretjs uses on a tx `raw_log` (crypto.md §5.3). */
export const TX_ERROR_PATTERN =
  /; message index: (\d+):(?: dispatch: submessages:)* encrypted: (.+?): (?:instantiate|execute|query|reply to|migrate) contract failed/;
/** The two regexes secretjs tries on a failed query's message. */
export const QUERY_ERROR_PATTERNS: readonly RegExp[] = [
  /encrypted: (.+?): (?:instantiate|execute|query|reply to|migrate) contract failed/,
  /(?:instantiate|execute|query|reply to|migrate) contract failed: encrypted: ([\w+/=]+)/,
];

/**
 * Replaces the encrypted error in a tx's `raw_log` with its plaintext, when the failing message is
 * one of ours (`nonceOf(index)` gives its nonce). Returns the log unchanged otherwise.
 */
export function decryptTxRawLog(
  enc: ClientEncryption,
  rawLog: string,
  nonceOf: (msgIndex: number) => Uint8Array | undefined,
): { readonly rawLog: string; readonly decrypted: string | undefined } {
  const m = TX_ERROR_PATTERN.exec(rawLog);
  if (m === null) return { rawLog, decrypted: undefined };
  const nonce = nonceOf(Number(m[1]));
  if (nonce === undefined) return { rawLog, decrypted: undefined };
  try {
    const plaintext = utf8Decode(enc.decrypt(fromBase64(m[2]!), nonce));
    return { rawLog: rawLog.replace(`encrypted: ${m[2]!}`, plaintext), decrypted: plaintext };
  } catch {
    return { rawLog, decrypted: undefined };
  }
}

/**
 * The plaintext of a failed smart query's error message (secretjs `queryContract`): the UTF-8 of
 * the base64 inside when it is base64, else the decrypted text itself; `undefined` when the message
 * carries no ciphertext of ours.
 */
export function decryptQueryError(enc: ClientEncryption, message: string, nonce: Uint8Array): string | undefined {
  for (const pattern of QUERY_ERROR_PATTERNS) {
    const m = pattern.exec(message);
    if (m === null) continue;
    let plaintext: string;
    try {
      plaintext = utf8Decode(enc.decrypt(fromBase64(m[1]!), nonce));
    } catch {
      continue;
    }
    try {
      return utf8Decode(fromBase64(plaintext));
    } catch {
      return plaintext;
    }
  }
  return undefined;
}
