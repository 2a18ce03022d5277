/**
 * Bech32 (BIP-173, the original checksum, not bech32m) with the decoding rules of the Rust `bech32`
 * crate 0.7.2 that upstream's enclave uses: no upper length limit, the separator is the last `1`,
 * a single case (upper or lower), the prefix returned lower-cased.
 */
import { PrimitiveError } from "./errors.ts";

export const SECRET_PREFIX = "secret";

/** The 32 characters of bech32 data, in word order. */
export const BECH32_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
const CHARSET_REV = new Int8Array(128).fill(-1);
for (let i = 0; i < BECH32_CHARSET.length; i++) CHARSET_REV[BECH32_CHARSET.charCodeAt(i)] = i;
const GENERATORS = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];

function polymod(values: readonly number[]): number {
  let chk = 1;
  for (const v of values) {
    const top = chk >>> 25;
    chk = ((chk & 0x1ffffff) << 5) ^ v;
    for (let i = 0; i < 5; i++) if ((top >>> i) & 1) chk ^= GENERATORS[i]!;
  }
  return chk >>> 0;
}

function hrpExpand(hrp: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < hrp.length; i++) out.push(hrp.charCodeAt(i) >> 5);
  out.push(0);
  for (let i = 0; i < hrp.length; i++) out.push(hrp.charCodeAt(i) & 31);
  return out;
}

/** Regroups bits; with `pad` false, leftover bits must be fewer than `from` and all zero. */
function convertBits(data: ArrayLike<number>, from: number, to: number, pad: boolean): number[] {
  let acc = 0;
  let bits = 0;
  const out: number[] = [];
  const maxv = (1 << to) - 1;
  for (let i = 0; i < data.length; i++) {
    acc = (acc << from) | data[i]!;
    bits += from;
    while (bits >= to) {
      bits -= to;
      out.push((acc >>> bits) & maxv);
    }
    acc &= (1 << bits) - 1;
  }
  if (pad) {
    if (bits > 0) out.push((acc << (to - bits)) & maxv);
  } else if (bits >= from || ((acc << (to - bits)) & maxv) !== 0) {
    throw new PrimitiveError("BECH32_INVALID", "invalid padding");
  }
  return out;
}

/** The checksum polymod over a (lower-case) prefix and data words: 1 for valid bech32 (checksum included). */
export function bech32Polymod(hrp: string, words: readonly number[]): number {
  return polymod([...hrpExpand(hrp), ...words]);
}

/** The six checksum characters of a prefix and data words; `constant` 1 is bech32, 0x2bc830a3 bech32m. */
export function bech32ChecksumText(hrp: string, words: readonly number[], constant = 1): string {
  const mod = bech32Polymod(hrp, [...words, 0, 0, 0, 0, 0, 0]) ^ constant;
  let out = "";
  for (let i = 0; i < 6; i++) out += BECH32_CHARSET[(mod >>> (5 * (5 - i))) & 31]!;
  return out;
}

/** Data words (checksum removed) to bytes; undefined when the padding is 5 bits or more, or not zero. */
export function bech32WordsToBytes(words: readonly number[]): Uint8Array | undefined {
  try {
    return Uint8Array.from(convertBits(words, 5, 8, false));
  } catch {
    return undefined;
  }
}

/** Encodes bytes under a prefix, lower case. */
export function bech32Encode(prefix: string, data: Uint8Array): string {
  const hrp = prefix.toLowerCase();
  checkHrp(hrp);
  const words = convertBits(data, 8, 5, true);
  let out = `${hrp}1`;
  for (const w of words) out += BECH32_CHARSET[w]!;
  return out + bech32ChecksumText(hrp, words);
}

function checkHrp(hrp: string): void {
  if (hrp.length < 1 || hrp.length > 83) throw new PrimitiveError("BECH32_INVALID", "invalid length");
  for (let i = 0; i < hrp.length; i++) {
    const c = hrp.charCodeAt(i);
    if (c < 33 || c > 126) throw new PrimitiveError("BECH32_INVALID", `invalid character (code=${hrp[i]!})`);
  }
}

export interface Bech32Decoded {
  /** The human-readable part, lower-cased. */
  readonly prefix: string;
  readonly data: Uint8Array;
}

/** Decodes any bech32 string (either single case). Error messages are the bech32 crate's texts. */
export function bech32Decode(text: string): Bech32Decoded {
  if (text.length < 8) throw new PrimitiveError("BECH32_INVALID", "invalid length");
  let hasLower = false;
  let hasUpper = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 33 || c > 126) throw new PrimitiveError("BECH32_INVALID", `invalid character (code=${text[i]!})`);
    if (c >= 97 && c <= 122) hasLower = true;
    else if (c >= 65 && c <= 90) hasUpper = true;
  }
  if (hasLower && hasUpper) throw new PrimitiveError("BECH32_INVALID", "mixed-case strings not allowed");
  const lower = text.toLowerCase();
  const sep = lower.lastIndexOf("1");
  if (sep < 0) throw new PrimitiveError("BECH32_INVALID", 'missing human-readable separator, "1"');
  const hrp = lower.slice(0, sep);
  const dataPart = lower.slice(sep + 1);
  if (hrp.length < 1 || hrp.length > 83 || dataPart.length < 6)
    throw new PrimitiveError("BECH32_INVALID", "invalid length");
  const values: number[] = [];
  for (let i = 0; i < dataPart.length; i++) {
    const c = dataPart.charCodeAt(i);
    const v = c < 128 ? CHARSET_REV[c]! : -1;
    if (v < 0) throw new PrimitiveError("BECH32_INVALID", `invalid character (code=${dataPart[i]!})`);
    values.push(v);
  }
  if (bech32Polymod(hrp, values) !== 1) throw new PrimitiveError("BECH32_CHECKSUM", "invalid checksum");
  const data = Uint8Array.from(convertBits(values.slice(0, -6), 5, 8, false));
  return { prefix: hrp, data };
}

/** Decodes an address and requires the given prefix (default `secret`). */
export function decodeAddress(address: string, prefix: string = SECRET_PREFIX): Uint8Array {
  const decoded = bech32Decode(address);
  if (decoded.prefix !== prefix) {
    throw new PrimitiveError("BECH32_PREFIX", `wrong address prefix: "${decoded.prefix}"`);
  }
  return decoded.data;
}

/** Encodes a canonical address with the given prefix (default `secret`). */
export function encodeAddress(canonical: Uint8Array, prefix: string = SECRET_PREFIX): string {
  return bech32Encode(prefix, canonical);
}

/**
 * Checks an account or contract address the way the chain's messages do: lower-case `secret`
 * bech32 of 20 or 32 bytes. Returns the canonical bytes.
 */
export function parseAccountAddress(address: string, prefix: string = SECRET_PREFIX): Uint8Array {
  const data = decodeAddress(address, prefix);
  if (address !== address.toLowerCase()) throw new PrimitiveError("BECH32_INVALID", "address is not lower case");
  if (data.length !== 20 && data.length !== 32) {
    throw new PrimitiveError("BECH32_INVALID", `address length must be 20 or 32 bytes, got ${data.length}`);
  }
  return data;
}
