/**
 * SHA-256 (FIPS 180-4) of short inputs, written straight into a caller's array.
 *
 * A tree commit hashes thousands of small preimages (a leaf value, a 70-byte node preimage). For those,
 * node:crypto's per-call cost (a fresh digest context, a Buffer for the result) is several times the
 * compression itself; this in-process version allocates nothing and lets the caller choose where the
 * 32 bytes go. Inputs longer than `SHORT_INPUT_LIMIT` go to node:crypto, which is faster on long data.
 */
import { sha256 } from "../../crypto/hash.ts";

/** Longest input hashed here; longer ones go to node:crypto. */
export const SHORT_INPUT_LIMIT = 119;

// prettier-ignore
const K = Int32Array.of(
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
);

const W = new Int32Array(64);
const H = new Int32Array(8);
/** The last one or two blocks of a message: its tail, the 0x80 marker, zeros and the bit length. */
const tail = new Uint8Array(128);

function compress(bytes: Uint8Array, offset: number): void {
  const w = W;
  for (let i = 0; i < 16; i++) {
    const p = offset + 4 * i;
    w[i] = (bytes[p]! << 24) | (bytes[p + 1]! << 16) | (bytes[p + 2]! << 8) | bytes[p + 3]!;
  }
  for (let i = 16; i < 64; i++) {
    const x = w[i - 15]!;
    const y = w[i - 2]!;
    const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
    const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
    w[i] = (w[i - 16]! + s0 + w[i - 7]! + s1) | 0;
  }
  let a = H[0]!;
  let b = H[1]!;
  let c = H[2]!;
  let d = H[3]!;
  let e = H[4]!;
  let f = H[5]!;
  let g = H[6]!;
  let h = H[7]!;
  for (let i = 0; i < 64; i++) {
    const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const ch = (e & f) ^ (~e & g);
    const t1 = (h + S1 + ch + K[i]! + w[i]!) | 0;
    const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const maj = (a & b) ^ (a & c) ^ (b & c);
    const t2 = (S0 + maj) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  H[0] = (H[0]! + a) | 0;
  H[1] = (H[1]! + b) | 0;
  H[2] = (H[2]! + c) | 0;
  H[3] = (H[3]! + d) | 0;
  H[4] = (H[4]! + e) | 0;
  H[5] = (H[5]! + f) | 0;
  H[6] = (H[6]! + g) | 0;
  H[7] = (H[7]! + h) | 0;
}

/**
 * Writes sha256(data[0 .. length)) to out[outOffset .. outOffset + 32). `out` may be `data` itself
 * (the digest is written after every input byte has been read).
 */
export function sha256Into(data: Uint8Array, length: number, out: Uint8Array, outOffset: number): void {
  if (length > SHORT_INPUT_LIMIT) {
    out.set(sha256(data.subarray(0, length)), outOffset);
    return;
  }
  H[0] = 0x6a09e667;
  H[1] = 0xbb67ae85 | 0;
  H[2] = 0x3c6ef372;
  H[3] = 0xa54ff53a | 0;
  H[4] = 0x510e527f;
  H[5] = 0x9b05688c | 0;
  H[6] = 0x1f83d9ab;
  H[7] = 0x5be0cd19;
  const full = length & ~63;
  for (let at = 0; at < full; at += 64) compress(data, at);
  const rest = length - full;
  const t = tail;
  for (let i = 0; i < rest; i++) t[i] = data[full + i]!;
  t[rest] = 0x80;
  // The bit length (< 2^32 here) goes big-endian in the last 8 bytes of the last block.
  const blocks = rest < 56 ? 1 : 2;
  const end = blocks * 64;
  for (let i = rest + 1; i < end - 4; i++) t[i] = 0;
  const bits = length * 8;
  t[end - 4] = bits >>> 24;
  t[end - 3] = (bits >>> 16) & 0xff;
  t[end - 2] = (bits >>> 8) & 0xff;
  t[end - 1] = bits & 0xff;
  compress(t, 0);
  if (blocks === 2) compress(t, 64);
  for (let i = 0; i < 8; i++) {
    const v = H[i]!;
    const p = outOffset + 4 * i;
    out[p] = v >>> 24;
    out[p + 1] = (v >>> 16) & 0xff;
    out[p + 2] = (v >>> 8) & 0xff;
    out[p + 3] = v & 0xff;
  }
}
