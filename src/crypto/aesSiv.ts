/**
 * AES-SIV (RFC 5297) with a 256-bit key: `key[0..16)` is the S2V/CMAC key, `key[16..32)` the CTR
 * key (spec crypto.md §2.3). Output is `V(16) ‖ C`. The associated data is an explicit ordered list of
 * components, so `[]`, `[[]]` and `[[], []]` are three different inputs.
 *
 * Built on node:crypto AES for native speed. A native call (and the buffer it allocates) costs far
 * more than the JavaScript around it, so a seal or open makes two: one CBC pass for the final CMAC
 * and one for the keystream (plus one per non-empty associated-data component).
 * - CMAC uses one long-lived `aes-128-cbc` cipher (zero IV, no padding) that is never finalised.
 *   Its chaining value carries over between calls, so each CMAC xors its first block with the last
 *   ciphertext block produced, which makes every call a fresh zero-IV CBC-MAC.
 * - CTR uses a long-lived `aes-128-ecb` cipher over counter blocks built here for inputs up to
 *   2 KiB, and a fresh `aes-128-ctr` cipher for longer ones.
 * - The buffers node:crypto returns become the results, so the arrays returned by encrypt and
 *   decrypt may sit in an ArrayBuffer up to 15 bytes longer than they are (those bytes are zero).
 *   Code that reaches for `.buffer` must honour `byteOffset` and `byteLength`, as for any view.
 */
import { createCipheriv, timingSafeEqual } from "node:crypto";
import type { Cipher } from "node:crypto";
import { CryptoError } from "./errors.ts";
import { assertBytes, assertLength } from "./internal.ts";

/** Length of the synthetic IV (the tag) in bytes. */
export const SIV_TAG_LENGTH = 16;
/** AES-SIV key length used by the protocol (two AES-128 keys). */
export const SIV_KEY_LENGTH = 32;
/** Most associated-data components S2V accepts (RFC 5297 §7: at most 127 inputs with the plaintext). */
export const SIV_MAX_AD_COMPONENTS = 126;

/** Inputs up to this many bytes get their CTR keystream from the ECB cipher (measured crossover). */
const CTR_ECB_MAX = 2048;
/** Padded CMAC inputs up to this size use the reused scratch buffer; longer ones get their own. */
const SCRATCH_MAX = 65536 + 16;
const ZERO_BLOCK = new Uint8Array(16);

/*
 * Scratch shared by all instances: every method runs synchronously to the end without calling out
 * to user code, so no two operations can interleave on it. Both are wiped after each use.
 */
/** Counter blocks for the CTR keystream; the first one is Q. */
const counters = new Uint8Array(CTR_ECB_MAX);
const counters32 = new Uint32Array(counters.buffer);
/** Padded CMAC inputs (grown on demand up to SCRATCH_MAX). */
let scratch = new Uint8Array(1024);

/** A scratch view of `length` bytes (shared up to SCRATCH_MAX bytes, else fresh). */
function scratchBlocks(length: number): Uint8Array {
  if (length > SCRATCH_MAX) return new Uint8Array(length);
  if (scratch.length < length) {
    let size = scratch.length;
    while (size < length) size *= 2;
    scratch = new Uint8Array(Math.min(size, SCRATCH_MAX));
  }
  return scratch.subarray(0, length);
}

/** `out = dbl(x)`: multiplication by x in GF(2¹²⁸) (RFC 5297 §2.3). `out` may be `x`. */
function dbl(x: Uint8Array, out: Uint8Array): void {
  const carry = x[0]! >>> 7;
  for (let i = 0; i < 15; i++) out[i] = ((x[i]! << 1) | (x[i + 1]! >>> 7)) & 0xff;
  out[15] = ((x[15]! << 1) & 0xff) ^ (0x87 & -carry);
}

/** `a[aOff..aOff+16) ^= b[0..16)`. */
function xorBlock(a: Uint8Array, aOff: number, b: Uint8Array): void {
  for (let i = 0; i < 16; i++) a[aOff + i]! ^= b[i]!;
}

/**
 * `out[outOff + i] = a[i] ^ b[i]` for `i < n`; 32 bits at a time when all three are 4-byte aligned
 * (per-byte loops over fresh off-heap buffers cost about 1 ns a byte).
 */
function xorInto(out: Uint8Array, outOff: number, a: Uint8Array, b: Uint8Array, n: number): void {
  let i = 0;
  const start = out.byteOffset + outOff;
  if (n >= 32 && ((start | a.byteOffset | b.byteOffset) & 3) === 0) {
    const words = n >>> 2;
    const o32 = new Int32Array(out.buffer, start, words);
    const a32 = new Int32Array(a.buffer, a.byteOffset, words);
    const b32 = new Int32Array(b.buffer, b.byteOffset, words);
    for (let w = 0; w < words; w++) o32[w] = a32[w]! ^ b32[w]!;
    i = words << 2;
  }
  for (; i < n; i++) out[outOff + i] = a[i]! ^ b[i]!;
}

function checkAd(ad: readonly Uint8Array[]): void {
  if (!Array.isArray(ad)) throw new CryptoError("CRYPTO_BAD_INPUT", "associated data must be an array of Uint8Array");
  if (ad.length > SIV_MAX_AD_COMPONENTS) {
    throw new CryptoError("CRYPTO_TOO_MANY_AD", `at most ${SIV_MAX_AD_COMPONENTS} associated-data components`, {
      actual: ad.length,
    });
  }
  for (const component of ad) assertBytes(component, "associated-data component");
}

/**
 * AES-SIV under one key. Caches the CMAC subkeys, CMAC(0¹²⁸), CMAC("") and long-lived AES cipher
 * objects, so reusing an instance for many messages under one key is the fast path. Methods are
 * synchronous and not re-entrant (an instance holds scratch state between its native calls).
 */
export class AesSiv {
  /** Long-lived CBC cipher under the MAC key. */
  readonly #mac: Cipher;
  /** The CBC chaining value, which is also the result of the latest CMAC. */
  readonly #chain = new Uint8Array(16);
  readonly #k1 = new Uint8Array(16);
  readonly #k2 = new Uint8Array(16);
  /** CMAC(0¹²⁸): the S2V state before any component. */
  readonly #d0 = new Uint8Array(16);
  /** CMAC(""). */
  readonly #cmacEmpty = new Uint8Array(16);
  /** dbl(CMAC(0¹²⁸)) ⊕ CMAC(""): the S2V state after one empty component (the IO form). */
  readonly #dEmpty = new Uint8Array(16);
  /** S2V accumulator. */
  readonly #d = new Uint8Array(16);
  readonly #ctrKey: Uint8Array;
  #ctrEcb: Cipher | undefined;
  /** L = AES(K1, 0¹²⁸). */
  readonly #l = new Uint8Array(16);
  /** V while sealing. */
  readonly #q = new Uint8Array(16);

  constructor(key: Uint8Array) {
    assertLength(key, SIV_KEY_LENGTH, "AES-SIV key", "CRYPTO_BAD_KEY_LENGTH");
    this.#mac = createCipheriv("aes-128-cbc", key.subarray(0, 16), ZERO_BLOCK);
    this.#mac.setAutoPadding(false);
    this.#ctrKey = key.slice(16, 32);
    // L = AES(K, 0¹²⁸); K1 = dbl(L); K2 = dbl(K1) (RFC 4493 §2.3).
    const block = new Uint8Array(16);
    this.#cbcMac(block);
    this.#l.set(this.#chain);
    dbl(this.#l, this.#k1);
    dbl(this.#k1, this.#k2);
    // CMAC(0¹²⁸): one complete block, xored with K1.
    block.set(this.#k1);
    this.#cbcMac(block);
    this.#d0.set(this.#chain);
    // CMAC(""): the padded block 10…0, xored with K2.
    block.set(this.#k2);
    block[0]! ^= 0x80;
    this.#cbcMac(block);
    this.#cmacEmpty.set(this.#chain);
    dbl(this.#d0, this.#dEmpty);
    xorBlock(this.#dEmpty, 0, this.#cmacEmpty);
  }

  /** Seals `plaintext` under `ad`; returns `V(16) ‖ C`. */
  encrypt(plaintext: Uint8Array, ad: readonly Uint8Array[]): Uint8Array {
    assertBytes(plaintext, "plaintext");
    checkAd(ad);
    // The final CMAC's output buffer (16 + ⌈n⌉₁₆ bytes, V at its end) becomes the result buffer.
    const buf = this.#s2v(ad, plaintext);
    const n = plaintext.length;
    const vOff = buf.length - 16;
    this.#q.set(buf.subarray(vOff));
    buf.set(this.#q, 0);
    this.#ctr(this.#q, plaintext, buf, SIV_TAG_LENGTH);
    buf.fill(0, SIV_TAG_LENGTH + n);
    return new Uint8Array(buf.buffer, buf.byteOffset, SIV_TAG_LENGTH + n);
  }

  /**
   * Opens `V ‖ C` under `ad`. Returns the plaintext, or `undefined` when the input is shorter than
   * the tag or the tag does not match (compared in constant time; no plaintext is released).
   */
  decrypt(sealed: Uint8Array, ad: readonly Uint8Array[]): Uint8Array | undefined {
    assertBytes(sealed, "sealed input");
    checkAd(ad);
    if (sealed.length < SIV_TAG_LENGTH) return undefined;
    const v = sealed.subarray(0, SIV_TAG_LENGTH);
    const plaintext = this.#ctr(v, sealed.subarray(SIV_TAG_LENGTH), undefined, 0);
    const buf = this.#s2v(ad, plaintext);
    if (!timingSafeEqual(buf.subarray(buf.length - 16), v)) {
      plaintext.fill(0);
      return undefined;
    }
    return plaintext;
  }

  /**
   * Zero-IV CBC-MAC of `blocks` (a multiple of 16 bytes, already padded and xored with the CMAC
   * subkey) into `#chain`. Overwrites the first block of `blocks`.
   */
  #cbcMac(blocks: Uint8Array): void {
    xorBlock(blocks, 0, this.#chain);
    const out = this.#mac.update(blocks);
    this.#chain.set(out.subarray(out.length - 16));
  }

  /** AES-CMAC (RFC 4493) of a non-empty `message` into `#chain`. */
  #cmac(message: Uint8Array): void {
    const n = message.length;
    const rem = n & 15;
    const padded = rem === 0 ? n : n + 16 - rem;
    const blocks = scratchBlocks(padded);
    blocks.set(message);
    if (rem === 0) {
      xorBlock(blocks, padded - 16, this.#k1);
    } else {
      blocks[n] = 0x80;
      for (let i = n + 1; i < padded; i++) blocks[i] = 0;
      xorBlock(blocks, padded - 16, this.#k2);
    }
    this.#cbcMac(blocks);
    blocks.fill(0);
  }

  /**
   * S2V(K, AD_1, …, AD_m, plaintext) (RFC 5297 §2.4). The final CMAC runs over a lead block equal
   * to the chaining value (so its output block is AES(0¹²⁸) = L, which is cached) followed by T with
   * its first block xored with L. Returns that call's output buffer: 16 + ⌈|T|⌉₁₆ fresh bytes whose
   * last block is V.
   */
  #s2v(ad: readonly Uint8Array[], plaintext: Uint8Array): Buffer {
    const d = this.#d;
    let i = 0;
    if (ad.length > 0 && ad[0]!.length === 0) {
      d.set(this.#dEmpty);
      i = 1;
    } else {
      d.set(this.#d0);
    }
    for (; i < ad.length; i++) {
      const component = ad[i]!;
      dbl(d, d);
      if (component.length === 0) {
        xorBlock(d, 0, this.#cmacEmpty);
      } else {
        this.#cmac(component);
        xorBlock(d, 0, this.#chain);
      }
    }
    const n = plaintext.length;
    let blocks: Uint8Array;
    if (n >= 16) {
      // T = plaintext xorend D.
      const rem = n & 15;
      const padded = rem === 0 ? n : n + 16 - rem;
      blocks = scratchBlocks(16 + padded);
      blocks.set(plaintext, 16);
      xorBlock(blocks, n, d);
      if (rem === 0) {
        xorBlock(blocks, padded, this.#k1);
      } else {
        blocks[16 + n] = 0x80;
        for (let j = 17 + n; j < 16 + padded; j++) blocks[j] = 0;
        xorBlock(blocks, padded, this.#k2);
      }
    } else {
      // T = dbl(D) ⊕ pad(plaintext): one complete block, so CMAC xors it with K1.
      blocks = scratchBlocks(32);
      dbl(d, d);
      for (let j = 0; j < n; j++) d[j]! ^= plaintext[j]!;
      d[n]! ^= 0x80;
      xorBlock(d, 0, this.#k1);
      blocks.set(d, 16);
    }
    blocks.set(this.#chain, 0);
    xorBlock(blocks, 16, this.#l);
    const out = this.#mac.update(blocks);
    blocks.fill(0);
    d.fill(0);
    this.#chain.set(out.subarray(out.length - 16));
    return out;
  }

  /**
   * CTR with the keystream starting at Q = V with the top bits of bytes 8 and 12 cleared, counting
   * as a 128-bit big-endian integer. Writes `input ⊕ keystream` to `out[outOff..)`, or, without
   * `out`, returns it in a fresh array.
   */
  #ctr(v: Uint8Array, input: Uint8Array, out: Uint8Array | undefined, outOff: number): Uint8Array {
    const n = input.length;
    if (n === 0) return out ?? new Uint8Array(0);
    const q = counters.subarray(0, 16);
    q.set(v);
    q[8]! &= 0x7f;
    q[12]! &= 0x7f;
    if (n > CTR_ECB_MAX) {
      const result = createCipheriv("aes-128-ctr", this.#ctrKey, q).update(input);
      q.fill(0);
      if (out === undefined) return plainView(result, n);
      out.set(result, outOff);
      return out;
    }
    // Counter blocks Q, Q+1, …: bit 31 of Q is clear, so fewer than 2³¹ increments never carry
    // out of the last 32-bit word (this path uses at most 128).
    const blocks = (n + 15) >>> 4;
    const c8 = counters;
    const c32 = counters32;
    const w0 = c32[0]!;
    const w1 = c32[1]!;
    const w2 = c32[2]!;
    const low = ((c8[12]! << 24) | (c8[13]! << 16) | (c8[14]! << 8) | c8[15]!) >>> 0;
    for (let b = 1; b < blocks; b++) {
      const w = b << 2;
      c32[w] = w0;
      c32[w + 1] = w1;
      c32[w + 2] = w2;
      const x = low + b;
      const o = (w << 2) + 12;
      c8[o] = x >>> 24;
      c8[o + 1] = x >>> 16;
      c8[o + 2] = x >>> 8;
      c8[o + 3] = x;
    }
    let ecb = this.#ctrEcb;
    if (ecb === undefined) {
      ecb = createCipheriv("aes-128-ecb", this.#ctrKey, null);
      ecb.setAutoPadding(false);
      this.#ctrEcb = ecb;
    }
    const keystream = ecb.update(c8.subarray(0, blocks << 4));
    c8.fill(0, 0, blocks << 4);
    if (out === undefined) {
      // Decrypt in place in the keystream buffer, wiping the unused keystream tail.
      xorInto(keystream, 0, input, keystream, n);
      keystream.fill(0, n);
      return plainView(keystream, n);
    }
    xorInto(out, outOff, input, keystream, n);
    keystream.fill(0);
    return out;
  }
}

/** A plain Uint8Array over the first `length` bytes of a Buffer that node:crypto just allocated. */
function plainView(buf: Buffer, length: number): Uint8Array {
  return new Uint8Array(buf.buffer, buf.byteOffset, length);
}

/**
 * One-shot calls keep the AesSiv of the last few keys they saw (compared by value, in constant
 * time), since a key is typically used for several messages in a row: a transaction key for the
 * input and every output, a contract's state key for each read and write.
 */
const CACHE_SIZE = 4;
const cache: { key: Uint8Array; siv: AesSiv }[] = [];

function instanceFor(key: Uint8Array): AesSiv {
  assertLength(key, SIV_KEY_LENGTH, "AES-SIV key", "CRYPTO_BAD_KEY_LENGTH");
  for (let i = 0; i < cache.length; i++) {
    const entry = cache[i]!;
    let diff = 0;
    for (let j = 0; j < SIV_KEY_LENGTH; j++) diff |= entry.key[j]! ^ key[j]!;
    if (diff === 0) {
      if (i > 0) {
        cache.splice(i, 1);
        cache.unshift(entry);
      }
      return entry.siv;
    }
  }
  const siv = new AesSiv(key);
  cache.unshift({ key: key.slice(), siv });
  if (cache.length > CACHE_SIZE) cache.pop()!.key.fill(0);
  return siv;
}

/** `SIV(key, plaintext, ad)`: returns `V(16) ‖ C`. See {@link AesSiv}. */
export function sivEncrypt(key: Uint8Array, plaintext: Uint8Array, ad: readonly Uint8Array[]): Uint8Array {
  return instanceFor(key).encrypt(plaintext, ad);
}

/** Opens `V ‖ C`; `undefined` on a bad tag or an input shorter than 16 bytes. See {@link AesSiv}. */
export function sivDecrypt(key: Uint8Array, sealed: Uint8Array, ad: readonly Uint8Array[]): Uint8Array | undefined {
  return instanceFor(key).decrypt(sealed, ad);
}
