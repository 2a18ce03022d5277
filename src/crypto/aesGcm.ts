/**
 * AES-256-GCM (NIST SP 800-38D) on node:crypto, with a 12-byte nonce and a 16-byte tag. Used for
 * sealing (spec crypto.md §11.2). Output of a seal is `ciphertext ‖ tag`; an open that does not
 * authenticate returns `undefined` and releases no plaintext.
 */
import { createCipheriv, createDecipheriv } from "node:crypto";
import { assertBytes, assertLength, fromBuffer } from "./internal.ts";

export const AES_GCM_KEY_LENGTH = 32;
export const AES_GCM_NONCE_LENGTH = 12;
export const AES_GCM_TAG_LENGTH = 16;

/** `ciphertext ‖ tag(16)` of `plaintext` under `key32` and `nonce12`, authenticating `aad`. */
export function aesGcmSeal(key32: Uint8Array, nonce12: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Uint8Array {
  assertLength(key32, AES_GCM_KEY_LENGTH, "AES-256-GCM key", "CRYPTO_BAD_KEY_LENGTH");
  assertLength(nonce12, AES_GCM_NONCE_LENGTH, "AES-GCM nonce");
  assertBytes(plaintext, "plaintext");
  assertBytes(aad, "associated data");
  const cipher = createCipheriv("aes-256-gcm", key32, nonce12, { authTagLength: AES_GCM_TAG_LENGTH });
  cipher.setAAD(aad);
  const head = cipher.update(plaintext);
  const tail = cipher.final();
  const tag = cipher.getAuthTag();
  const out = new Uint8Array(head.length + tail.length + tag.length);
  out.set(head, 0);
  out.set(tail, head.length);
  out.set(tag, head.length + tail.length);
  return out;
}

/**
 * The plaintext of `sealed` (= `ciphertext ‖ tag(16)`), or `undefined` when the tag does not verify
 * (wrong key, nonce, associated data or any changed byte) or `sealed` is shorter than a tag.
 */
export function aesGcmOpen(
  key32: Uint8Array,
  nonce12: Uint8Array,
  sealed: Uint8Array,
  aad: Uint8Array,
): Uint8Array | undefined {
  assertLength(key32, AES_GCM_KEY_LENGTH, "AES-256-GCM key", "CRYPTO_BAD_KEY_LENGTH");
  assertLength(nonce12, AES_GCM_NONCE_LENGTH, "AES-GCM nonce");
  assertBytes(sealed, "sealed data");
  assertBytes(aad, "associated data");
  if (sealed.length < AES_GCM_TAG_LENGTH) return undefined;
  const ctLength = sealed.length - AES_GCM_TAG_LENGTH;
  const decipher = createDecipheriv("aes-256-gcm", key32, nonce12, { authTagLength: AES_GCM_TAG_LENGTH });
  decipher.setAAD(aad);
  decipher.setAuthTag(sealed.subarray(ctLength));
  const head = decipher.update(sealed.subarray(0, ctLength));
  try {
    const tail = decipher.final();
    if (tail.length === 0) return fromBuffer(head);
    const out = new Uint8Array(head.length + tail.length);
    out.set(head, 0);
    out.set(tail, head.length);
    head.fill(0);
    return out;
  } catch {
    head.fill(0);
    return undefined;
  }
}
