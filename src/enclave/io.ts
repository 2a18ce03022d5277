/**
 * Transaction input encryption (crypto.md §4): the per-message key, the envelope, the enclave's
 * decryption with upstream's plaintext fallback, the code-hash prefix and reply headers; and the
 * client-side counterpart (what secretjs does).
 *
 * Upstream: `cosmwasm/enclaves/shared/contract-engine/src/{io,types,message_utils,execute_message,
 * contract_validation}.rs`; `scrtlabs/secret.js: src/encryption.ts`.
 */
import { bytesEqual, concatBytes, readBe64, be64, utf8Encode } from "../primitives/bytes.ts";
import { fromHex, isHex } from "../primitives/hex.ts";
import { sivDecrypt, sivEncrypt, x25519PublicKey, x25519SharedSecret } from "../crypto/index.ts";
import { EnclaveError, requireLength } from "./errors.ts";
import { deriveFromKey, REPLY_ENCRYPTION_MAGIC_BYTES } from "./keys.ts";

export const IO_NONCE_LENGTH = 32;
export const IO_PUBKEY_LENGTH = 32;
/** Upstream refuses a shorter envelope before trying to decrypt (`types.rs` `from_slice`). */
export const MIN_ENVELOPE_LENGTH = 82;
/** Code hash as lowercase/uppercase hex text at the front of every input plaintext. */
export const CODE_HASH_HEX_LENGTH = 64;
const U64_LENGTH = 8;
const REPLY_HEADER_LENGTH = REPLY_ENCRYPTION_MAGIC_BYTES.length + U64_LENGTH + CODE_HASH_HEX_LENGTH;

/** The AD of all IO: exactly one empty component (§2.3). */
export const IO_AD: readonly Uint8Array[] = Object.freeze([new Uint8Array(0)]);

const ZERO_32 = new Uint8Array(32);

/**
 * Recent X25519 shared secrets by (IO secret key, client public key), least recently used evicted
 * first. A client (secretjs) keeps its key pair across transactions, so most messages reuse a secret;
 * X25519 is a pure function, so the cache never changes a result. It lives in the enclave's isolate.
 */
const sharedSecrets = new Map<string, Uint8Array>();
const SHARED_SECRET_CACHE = 1024;

function latin1(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]!);
  return s;
}

function ioSharedSecret(ioSecretKey: Uint8Array, clientPublicKey: Uint8Array): Uint8Array {
  const id = latin1(ioSecretKey) + latin1(clientPublicKey);
  const cached = sharedSecrets.get(id);
  if (cached !== undefined) {
    sharedSecrets.delete(id);
    sharedSecrets.set(id, cached);
    return cached;
  }
  const secret = x25519SharedSecret(ioSecretKey, clientPublicKey);
  if (sharedSecrets.size >= SHARED_SECRET_CACHE) sharedSecrets.delete(sharedSecrets.keys().next().value!);
  sharedSecrets.set(id, secret);
  return secret;
}

/** `tx_key = KDFk(X25519(io_sk, client_pk), nonce)` (§4.2). Low-order public keys give the all-zero secret. */
export function txEncryptionKey(ioSecretKey: Uint8Array, clientPublicKey: Uint8Array, nonce: Uint8Array): Uint8Array {
  requireLength(ioSecretKey, 32, "ioSecretKey");
  requireLength(clientPublicKey, IO_PUBKEY_LENGTH, "clientPublicKey");
  requireLength(nonce, IO_NONCE_LENGTH, "nonce");
  return deriveFromKey(ioSharedSecret(ioSecretKey, clientPublicKey), nonce);
}

/** `Eraw(s) = SIV(k, s, [ [] ])` (§5). */
export function ioEncrypt(txKey: Uint8Array, plaintext: Uint8Array): Uint8Array {
  requireLength(txKey, 32, "txKey");
  return sivEncrypt(txKey, plaintext, IO_AD);
}

/** Inverse of `ioEncrypt`; DECRYPTION_ERROR when the tag does not verify. */
export function ioDecrypt(txKey: Uint8Array, ciphertext: Uint8Array): Uint8Array {
  requireLength(txKey, 32, "txKey");
  const plaintext = sivDecrypt(txKey, ciphertext, IO_AD);
  if (plaintext === undefined) throw new EnclaveError("DECRYPTION_ERROR");
  return plaintext;
}

/** The IO context of one message: what every output of it (and of its sub-messages) is encrypted with. */
export interface IoContext {
  readonly nonce: Uint8Array;
  readonly clientPublicKey: Uint8Array;
  readonly txKey: Uint8Array;
}

export interface DecryptedInput extends IoContext {
  /** The decrypted bytes (code hash ‖ [reply headers] ‖ msg), or the raw input on the plaintext path. */
  readonly plaintext: Uint8Array;
  /** False on the plaintext fallback of §4.4 step 3. */
  readonly wasEncrypted: boolean;
}

export interface DecryptInputOptions {
  /**
   * True for init and execute (§4.4 step 3): an input that does not decrypt is taken as plaintext with
   * a zero nonce and public key. False for query and migrate: it fails with DECRYPTION_ERROR.
   */
  readonly allowPlaintextFallback: boolean;
}

/** Anything that holds the IO secret key (a KeyChain does). */
export interface IoKeyHolder {
  readonly ioSecretKey: Uint8Array;
}

function tryDecrypt(
  ioSecretKey: Uint8Array,
  nonce: Uint8Array,
  clientPublicKey: Uint8Array,
  ciphertext: Uint8Array,
): DecryptedInput | undefined {
  const txKey = txEncryptionKey(ioSecretKey, clientPublicKey, nonce);
  const plaintext = sivDecrypt(txKey, ciphertext, IO_AD);
  if (plaintext === undefined) return undefined;
  return { nonce, clientPublicKey, txKey, plaintext, wasEncrypted: true };
}

/**
 * Splits and decrypts an input envelope `nonce(32) ‖ client_pk(32) ‖ SIV(tx_key, pt, [[]])` (§4.3, §4.4).
 *
 * Strict mode (query, migrate): shorter than 82 bytes → MALFORMED_ENVELOPE; tag mismatch →
 * DECRYPTION_ERROR (both upstream `DecryptionError`).
 *
 * Fallback mode (init, execute; `message_utils.rs` `get_secret_msg`): an envelope of 82 bytes or more
 * that does not decrypt is returned as plaintext with zero nonce and public key. A shorter input is
 * first tried, whole, as a ciphertext under the zero nonce and zero public key (upstream does this,
 * and since that key is a public constant such an input can be made by anyone); if that fails too it
 * is plaintext.
 */
export function decryptInputEnvelope(
  keys: IoKeyHolder,
  envelope: Uint8Array,
  options: DecryptInputOptions,
): DecryptedInput {
  const ioSk = keys.ioSecretKey;
  if (envelope.length < MIN_ENVELOPE_LENGTH) {
    if (!options.allowPlaintextFallback) throw new EnclaveError("MALFORMED_ENVELOPE", { length: envelope.length });
    const zeroKeyed = tryDecrypt(ioSk, ZERO_32, ZERO_32, envelope);
    if (zeroKeyed !== undefined) return zeroKeyed;
    return plaintextInput(ioSk, envelope);
  }
  const nonce = envelope.slice(0, IO_NONCE_LENGTH);
  const clientPublicKey = envelope.slice(IO_NONCE_LENGTH, IO_NONCE_LENGTH + IO_PUBKEY_LENGTH);
  const decrypted = tryDecrypt(ioSk, nonce, clientPublicKey, envelope.subarray(IO_NONCE_LENGTH + IO_PUBKEY_LENGTH));
  if (decrypted !== undefined) return decrypted;
  if (!options.allowPlaintextFallback) throw new EnclaveError("DECRYPTION_ERROR");
  return plaintextInput(ioSk, envelope);
}

/**
 * The bytes upstream's `SecretMessage.msg` holds for an input, which callback signatures and the
 * signed-message match are computed over (§6.1, §6.3): the ciphertext part `envelope[64..)` when the
 * input was a decrypted envelope of 82 bytes or more; the whole input otherwise (the plaintext
 * fallback, and a short input that decrypted under the zero key).
 */
export function secretMsgBytes(envelope: Uint8Array, input: DecryptedInput): Uint8Array {
  return input.wasEncrypted && envelope.length >= MIN_ENVELOPE_LENGTH
    ? envelope.subarray(IO_NONCE_LENGTH + IO_PUBKEY_LENGTH)
    : envelope;
}

function plaintextInput(ioSk: Uint8Array, input: Uint8Array): DecryptedInput {
  return {
    nonce: new Uint8Array(32),
    clientPublicKey: new Uint8Array(32),
    txKey: txEncryptionKey(ioSk, ZERO_32, ZERO_32),
    plaintext: Uint8Array.from(input),
    wasEncrypted: false,
  };
}

/** `nonce ‖ client_pk ‖ Eraw(plaintext)`: an envelope under an existing IO context (§5.4, §5.5). */
export function encryptEnvelopeInContext(ctx: IoContext, plaintext: Uint8Array): Uint8Array {
  requireLength(ctx.nonce, IO_NONCE_LENGTH, "nonce");
  requireLength(ctx.clientPublicKey, IO_PUBKEY_LENGTH, "clientPublicKey");
  return concatBytes(ctx.nonce, ctx.clientPublicKey, ioEncrypt(ctx.txKey, plaintext));
}

/**
 * §4.4 step 4 (`validate_basic_msg`): the first 64 bytes of `plaintext` must be hex (either case)
 * that decodes to `expectedCodeHash` (32 bytes, computed by the enclave from the wasm it runs). Returns
 * the remaining bytes. VALIDATION_FAILURE when shorter than 64 bytes, not hex, or a different hash.
 */
export function splitCodeHash(plaintext: Uint8Array, expectedCodeHash: Uint8Array): Uint8Array {
  requireLength(expectedCodeHash, 32, "expectedCodeHash");
  if (plaintext.length < CODE_HASH_HEX_LENGTH) throw new EnclaveError("VALIDATION_FAILURE", { reason: "short" });
  const received = decodeHexHash(plaintext.subarray(0, CODE_HASH_HEX_LENGTH));
  if (received === undefined) throw new EnclaveError("VALIDATION_FAILURE", { reason: "code hash not hex" });
  if (!bytesEqual(received, expectedCodeHash)) {
    throw new EnclaveError("VALIDATION_FAILURE", { reason: "code hash mismatch" });
  }
  return plaintext.slice(CODE_HASH_HEX_LENGTH);
}

/** Decodes 64 ASCII hex bytes (either case); undefined when any byte is not a hex digit. */
function decodeHexHash(ascii: Uint8Array): Uint8Array | undefined {
  let text = "";
  for (const b of ascii) {
    if (b > 0x7f) return undefined;
    text += String.fromCharCode(b);
  }
  return isHex(text) ? fromHex(text) : undefined;
}

/** One reply parameter: the sub-message id and the 64-byte ASCII hex code hash of the contract to reply to. */
export interface ReplyParam {
  readonly id: bigint;
  /** ASCII bytes of the recipient's code hash, exactly as they travelled (64 bytes). */
  readonly codeHash: Uint8Array;
}

export interface ParsedReplyHeaders {
  /** `reply_params` in order; empty when the message carried no `REPLY01` header. */
  readonly replyParams: ReplyParam[];
  /** The bytes after the last header: the contract's message. */
  readonly msg: Uint8Array;
}

/**
 * §4.4 step 5 / §5.6: while the bytes start with `"REPLY01"`, read `BE64 id` and a 64-byte hash.
 * A header cut short is MALFORMED_REPLY_HEADER (upstream panics on the slice).
 */
export function parseReplyHeaders(bytes: Uint8Array): ParsedReplyHeaders {
  const replyParams: ReplyParam[] = [];
  let offset = 0;
  const magic = REPLY_ENCRYPTION_MAGIC_BYTES;
  while (bytes.length - offset >= magic.length && bytesEqual(bytes.subarray(offset, offset + magic.length), magic)) {
    if (bytes.length - offset < REPLY_HEADER_LENGTH) {
      throw new EnclaveError("MALFORMED_REPLY_HEADER", { remaining: bytes.length - offset });
    }
    const id = readBe64(bytes, offset + magic.length);
    const start = offset + magic.length + U64_LENGTH;
    replyParams.push({ id, codeHash: bytes.slice(start, start + CODE_HASH_HEX_LENGTH) });
    offset += REPLY_HEADER_LENGTH;
  }
  return { replyParams, msg: bytes.slice(offset) };
}

/** `"REPLY01" ‖ BE64(id) ‖ hash64`, one block of the header chain (§5.6). */
export function encodeReplyHeader(param: ReplyParam): Uint8Array {
  requireLength(param.codeHash, CODE_HASH_HEX_LENGTH, "reply codeHash");
  return concatBytes(REPLY_ENCRYPTION_MAGIC_BYTES, be64(param.id), param.codeHash);
}

// ---------------------------------------------------------------------------------------------------
// Client side (secretjs `EncryptionUtilsImpl`)

/** secretjs's client key pair from a 32-byte seed (`curve25519-js` `generateKeyPair`): pk = X25519(seed, 9). */
export function clientPublicKey(clientSecretKey: Uint8Array): Uint8Array {
  requireLength(clientSecretKey, 32, "clientSecretKey");
  return x25519PublicKey(clientSecretKey);
}

/** secretjs's normalisation of a code hash: strip a leading `0x`, lowercase. */
export function normalizeCodeHashHex(codeHash: string): string {
  return codeHash.replace(/^0x/, "").toLowerCase();
}

/**
 * What secretjs's `encrypt(codeHash, msg)` produces, for a given nonce: `nonce ‖ client_pk ‖
 * SIV(tx_key, ASCII(code_hash_hex) ‖ msg, [[]])`. `msgBytes` is the message as sent (secretjs uses
 * `JSON.stringify(msg)`); `codeHashHex` is used verbatim (normalise with `normalizeCodeHashHex` first,
 * as secretjs's callers do).
 */
export function encryptInputEnvelope(
  ioPublicKey: Uint8Array,
  clientSecretKey: Uint8Array,
  nonce: Uint8Array,
  codeHashHex: string,
  msgBytes: Uint8Array,
): Uint8Array {
  requireLength(ioPublicKey, 32, "ioPublicKey");
  requireLength(clientSecretKey, 32, "clientSecretKey");
  requireLength(nonce, IO_NONCE_LENGTH, "nonce");
  const txKey = clientTxKey(ioPublicKey, clientSecretKey, nonce);
  const plaintext = concatBytes(utf8Encode(codeHashHex), msgBytes);
  return concatBytes(nonce, clientPublicKey(clientSecretKey), ioEncrypt(txKey, plaintext));
}

/** The client's view of `tx_key` (§4.2): KDFk(X25519(client_sk, io_pk), nonce). */
export function clientTxKey(ioPublicKey: Uint8Array, clientSecretKey: Uint8Array, nonce: Uint8Array): Uint8Array {
  return txEncryptionKey(clientSecretKey, ioPublicKey, nonce);
}

/** secretjs `decrypt(ciphertext, nonce)`: empty input gives empty output; otherwise SIV⁻¹ under the client's tx key. */
export function clientDecrypt(
  ioPublicKey: Uint8Array,
  clientSecretKey: Uint8Array,
  nonce: Uint8Array,
  ciphertext: Uint8Array,
): Uint8Array {
  if (ciphertext.length === 0) return new Uint8Array(0);
  return ioDecrypt(clientTxKey(ioPublicKey, clientSecretKey, nonce), ciphertext);
}
