/**
 * Bech32 exactly as the Rust `bech32` crate 0.7.2/0.7.3 that upstream's enclave links (`src/lib.rs`
 * `decode`, `check_hrp`, `encode`, `convert_bits`): the order of the checks, lengths counted in UTF-8
 * bytes, the 5-bit data returned without converting it (so callers decide what a padding failure
 * means), and the crate's Display texts. The address host functions need this precision because the
 * error text is written into contract memory (its length changes gas) and may end up in a response.
 *
 * `src/primitives/bech32.ts` is close but checks characters before the separator, counts UTF-16 units
 * and converts to bytes inside `decode`, which changes error texts for some inputs.
 */

const CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
const CHARSET_REV = new Int8Array(128).fill(-1);
for (let i = 0; i < CHARSET.length; i++) {
  CHARSET_REV[CHARSET.charCodeAt(i)] = i;
  CHARSET_REV[CHARSET.toUpperCase().charCodeAt(i)] = i;
}
const GEN = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];

export type Bech32Decoded = { readonly ok: true; readonly hrp: string; readonly words: Uint8Array };
export type Bech32Failure = { readonly ok: false; readonly error: string };

const encoder = new TextEncoder();

function utf8Length(s: string): number {
  return encoder.encode(s).length;
}

function polymodStep(chk: number, v: number): number {
  const b = chk >>> 25;
  let c = (((chk & 0x1ffffff) << 5) ^ v) >>> 0;
  for (let i = 0; i < 5; i++) if ((b >>> i) & 1) c = (c ^ GEN[i]!) >>> 0;
  return c;
}

function hrpChecksumState(hrpBytes: Uint8Array): number {
  let chk = 1;
  for (const b of hrpBytes) chk = polymodStep(chk, b >>> 5);
  chk = polymodStep(chk, 0);
  for (const b of hrpBytes) chk = polymodStep(chk, b & 0x1f);
  return chk;
}

const enum Case {
  None,
  Lower,
  Upper,
}

/** `bech32::decode`: on success the HRP (lower-cased when it was upper case) and the 5-bit data without checksum. */
export function bech32DecodeRust(s: string): Bech32Decoded | Bech32Failure {
  if (utf8Length(s) < 8) return { ok: false, error: "invalid length" };
  const sep = s.lastIndexOf("1");
  if (sep < 0) return { ok: false, error: 'missing human-readable separator, "1"' };
  const rawHrp = s.slice(0, sep);
  const rawData = s.slice(sep + 1);
  if (utf8Length(rawData) < 6) return { ok: false, error: "invalid length" };

  // check_hrp works on bytes; a non-ASCII byte is reported as `byte as char` (Latin-1).
  const hrpBytes = encoder.encode(rawHrp);
  if (hrpBytes.length === 0 || hrpBytes.length > 83) return { ok: false, error: "invalid length" };
  let hasLower = false;
  let hasUpper = false;
  for (const b of hrpBytes) {
    if (b < 33 || b > 126) return { ok: false, error: `invalid character (code=${String.fromCharCode(b)})` };
    if (b >= 0x61 && b <= 0x7a) hasLower = true;
    else if (b >= 0x41 && b <= 0x5a) hasUpper = true;
    if (hasLower && hasUpper) return { ok: false, error: "mixed-case strings not allowed" };
  }
  let kase: Case = hasUpper ? Case.Upper : hasLower ? Case.Lower : Case.None;
  const hrpLower = kase === Case.Upper ? rawHrp.toLowerCase() : rawHrp;

  const values: number[] = [];
  for (const ch of rawData) {
    const c = ch.codePointAt(0)!;
    if (c >= 0x80) return { ok: false, error: `invalid character (code=${ch})` };
    if (c >= 0x61 && c <= 0x7a) {
      if (kase === Case.Upper) return { ok: false, error: "mixed-case strings not allowed" };
      kase = Case.Lower;
    } else if (c >= 0x41 && c <= 0x5a) {
      if (kase === Case.Lower) return { ok: false, error: "mixed-case strings not allowed" };
      kase = Case.Upper;
    }
    const v = CHARSET_REV[c]!;
    if (v < 0) return { ok: false, error: `invalid character (code=${ch})` };
    values.push(v);
  }

  let chk = hrpChecksumState(encoder.encode(hrpLower));
  for (const v of values) chk = polymodStep(chk, v);
  if (chk !== 1) return { ok: false, error: "invalid checksum" };
  return { ok: true, hrp: hrpLower, words: Uint8Array.from(values.slice(0, values.length - 6)) };
}

/** `bech32::encode` for a valid lower-case HRP (the only use here: `secret`). */
export function bech32EncodeRust(hrp: string, words: Uint8Array): string {
  const hrpBytes = encoder.encode(hrp);
  let chk = hrpChecksumState(hrpBytes);
  let out = `${hrp}1`;
  for (const w of words) {
    chk = polymodStep(chk, w);
    out += CHARSET[w]!;
  }
  for (let i = 0; i < 6; i++) chk = polymodStep(chk, 0);
  const plm = (chk ^ 1) >>> 0;
  for (let i = 0; i < 6; i++) out += CHARSET[(plm >>> (5 * (5 - i))) & 0x1f]!;
  return out;
}

/** `Vec::<u8>::from_base32` (convert_bits 5→8 without padding); undefined on `invalid padding`. */
export function wordsToBytes(words: Uint8Array): Uint8Array | undefined {
  let acc = 0;
  let bits = 0;
  const out: number[] = [];
  for (const v of words) {
    acc = ((acc << 5) | v) >>> 0;
    bits += 5;
    while (bits >= 8) {
      bits -= 8;
      out.push((acc >>> bits) & 0xff);
    }
    acc &= (1 << bits) - 1;
  }
  if (bits >= 5 || ((acc << (8 - bits)) & 0xff) !== 0) return undefined;
  return Uint8Array.from(out);
}

/** `ToBase32` for bytes (convert_bits 8→5 with padding). */
export function bytesToWords(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(Math.ceil((data.length * 8) / 5));
  let acc = 0;
  let bits = 0;
  let n = 0;
  for (const b of data) {
    acc = ((acc << 8) | b) & 0xfff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out[n++] = (acc >>> bits) & 0x1f;
    }
  }
  if (bits > 0) out[n] = (acc << (5 - bits)) & 0x1f;
  return out;
}

/** Characters with the Unicode White_Space property, which Rust's `str::trim` removes. */
function isRustWhitespace(c: number): boolean {
  return (
    (c >= 0x09 && c <= 0x0d) ||
    c === 0x20 ||
    c === 0x85 ||
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000
  );
}

/** Rust's `str::trim` (JavaScript's `trim` also removes U+FEFF and keeps U+0085). */
export function rustTrim(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && isRustWhitespace(s.charCodeAt(start))) start++;
  while (end > start && isRustWhitespace(s.charCodeAt(end - 1))) end--;
  return s.slice(start, end);
}
