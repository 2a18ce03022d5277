/**
 * `base64::decode` of the Rust `base64` crate 0.13 (STANDARD config) that upstream's enclave uses for
 * every `Binary` field: standard alphabet; padding optional and its count not checked; `=` only in
 * the third or fourth place of a 4-character group of the final chunk and nothing but `=` after it; a
 * 6-bit remainder refused; non-zero trailing bits refused. Returns undefined where the crate errs.
 */

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const DECODE = new Int16Array(256).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DECODE[ALPHABET.charCodeAt(i)] = i;
const PAD = 0x3d;

/** Decodes the UTF-8 bytes of a JSON string the way base64 0.13 does. */
export function decodeBase64Rust(text: string): Uint8Array | undefined {
  const input = new TextEncoder().encode(text);
  const len = input.length;
  const rem = len % 8;
  if (rem === 1 || rem === 5) return undefined;
  const chunks = Math.ceil(len / 8);
  const leftoverStart = chunks === 0 ? 0 : (chunks - 1) * 8;
  const out: number[] = [];
  // Every chunk before the last one: 8 symbols, no padding.
  for (let i = 0; i < leftoverStart; i += 4) {
    let acc = 0;
    for (let j = 0; j < 4; j++) {
      const v = DECODE[input[i + j]!]!;
      if (v < 0) return undefined;
      acc = (acc << 6) | v;
    }
    out.push((acc >>> 16) & 0xff, (acc >>> 8) & 0xff, acc & 0xff);
  }
  // The last chunk (1..8 bytes): padding rules and the trailing-bits check.
  let morsels = 0;
  let padding = 0;
  let bits = 0n;
  for (let i = 0; leftoverStart + i < len; i++) {
    const b = input[leftoverStart + i]!;
    if (b === PAD) {
      if (i % 4 < 2) return undefined;
      padding++;
      continue;
    }
    if (padding > 0) return undefined;
    const v = DECODE[b]!;
    if (v < 0) return undefined;
    bits |= BigInt(v) << BigInt(64 - (morsels + 1) * 6);
    morsels++;
  }
  const ready = [0, -1, 8, 16, 24, -1, 32, 40, 48][morsels]!;
  if (ready < 0) return undefined;
  const mask = ready === 64 ? 0n : ((1n << 64n) - 1n) >> BigInt(ready);
  if ((bits & mask) !== 0n) return undefined;
  for (let shift = 56; shift > 56 - ready; shift -= 8) out.push(Number((bits >> BigInt(shift)) & 0xffn));
  return Uint8Array.from(out);
}
