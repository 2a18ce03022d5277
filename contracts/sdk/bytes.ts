// Byte helpers: a growable byte buffer, UTF-8, hex, comparisons. AssemblyScript (see ../README.md).

/** A growable byte buffer in linear memory (never shrinks; freed with the instance). */
export class ByteBuf {
  ptr: usize = 0;
  len: i32 = 0;
  cap: i32 = 0;

  constructor(initialCapacity: i32 = 64) {
    this.cap = initialCapacity > 0 ? initialCapacity : 16;
    this.ptr = heap.alloc(<usize>this.cap);
  }

  /** Makes room for `extra` more bytes. */
  reserve(extra: i32): void {
    const need = this.len + extra;
    if (need <= this.cap) return;
    let cap = this.cap << 1;
    while (cap < need) cap <<= 1;
    this.ptr = heap.realloc(this.ptr, <usize>cap);
    this.cap = cap;
  }

  byte(b: u32): void {
    if (this.len === this.cap) this.reserve(1);
    store<u8>(this.ptr + <usize>this.len, <u8>b);
    this.len++;
  }

  raw(src: usize, n: i32): void {
    if (n <= 0) return;
    this.reserve(n);
    memory.copy(this.ptr + <usize>this.len, src, <usize>n);
    this.len += n;
  }

  bytes(data: Uint8Array): void {
    this.raw(data.dataStart, data.length);
  }

  /** Appends the UTF-8 encoding of `s`. */
  str(s: string): void {
    const n = String.UTF8.byteLength(s);
    this.reserve(n);
    String.UTF8.encodeUnsafe(changetype<usize>(s), s.length, this.ptr + <usize>this.len);
    this.len += n;
  }

  /** Appends ASCII text (every char < 0x80; faster than `str`). */
  ascii(s: string): void {
    const n = s.length;
    this.reserve(n);
    const dst = this.ptr + <usize>this.len;
    for (let i = 0; i < n; i++) store<u8>(dst + <usize>i, <u8>s.charCodeAt(i));
    this.len += n;
  }

  toBytes(): Uint8Array {
    const out = new Uint8Array(this.len);
    memory.copy(out.dataStart, this.ptr, <usize>this.len);
    return out;
  }

  toString(): string {
    return String.UTF8.decodeUnsafe(this.ptr, <usize>this.len);
  }
}

/** UTF-8 encoding of a string. */
export function utf8Encode(s: string): Uint8Array {
  return Uint8Array.wrap(String.UTF8.encode(s));
}

/** Decodes UTF-8 bytes (no validation; see `isValidUtf8`). */
export function utf8Decode(data: Uint8Array): string {
  return String.UTF8.decodeUnsafe(data.dataStart, <usize>data.length);
}

/** Strict UTF-8 validation (no overlongs, no surrogates, ≤ U+10FFFF), like Rust's `str::from_utf8`. */
export function isValidUtf8(ptr: usize, len: usize): bool {
  let i: usize = 0;
  while (i < len) {
    const b0 = <u32>load<u8>(ptr + i);
    if (b0 < 0x80) {
      i++;
      continue;
    }
    // Continuation-byte count, smallest code point for that length (no overlongs), payload bits.
    const n: usize = (b0 & 0xe0) === 0xc0 ? 1 : (b0 & 0xf0) === 0xe0 ? 2 : (b0 & 0xf8) === 0xf0 ? 3 : 0;
    if (n === 0) return false;
    const min: u32 = n === 1 ? 0x80 : n === 2 ? 0x800 : 0x10000;
    let cp: u32 = b0 & (0x7f >> (<u32>n + 1));
    if (i + n >= len) return false; // truncated sequence
    for (let k: usize = 1; k <= n; k++) {
      const b = <u32>load<u8>(ptr + i + k);
      if ((b & 0xc0) !== 0x80) return false;
      cp = (cp << 6) | (b & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += n + 1;
  }
  return true;
}

const HEX_DIGITS = "0123456789abcdef";

/** Lower-case hex. */
export function hexEncode(data: Uint8Array): string {
  const buf = new ByteBuf(data.length * 2 + 1);
  for (let i = 0; i < data.length; i++) {
    const b = <i32>data[i];
    buf.byte(HEX_DIGITS.charCodeAt(b >> 4));
    buf.byte(HEX_DIGITS.charCodeAt(b & 15));
  }
  return buf.toString();
}

function hexValue(c: i32): i32 {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** Decodes hex (either case); null if the length is odd or a character is not a hex digit. */
export function hexDecode(s: string): Uint8Array | null {
  const n = s.length;
  if (n & 1) return null;
  const out = new Uint8Array(n >> 1);
  for (let i = 0; i < n; i += 2) {
    const hi = hexValue(s.charCodeAt(i));
    const lo = hexValue(s.charCodeAt(i + 1));
    if (hi < 0 || lo < 0) return null;
    out[i >> 1] = <u8>((hi << 4) | lo);
  }
  return out;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): bool {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Compares without an early exit on the first differing byte (the running time depends only on the
 * lengths). Use it for secrets such as viewing-key hashes.
 */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): bool {
  const n = a.length > b.length ? a.length : b.length;
  let diff: u32 = <u32>(a.length ^ b.length);
  for (let i = 0; i < n; i++) {
    const x = i < a.length ? <u32>a[i] : 0;
    const y = i < b.length ? <u32>b[i] : 0;
    diff |= x ^ y;
  }
  return diff === 0;
}

export function concatBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  memory.copy(out.dataStart, a.dataStart, <usize>a.length);
  memory.copy(out.dataStart + <usize>a.length, b.dataStart, <usize>b.length);
  return out;
}

/** Big-endian encoding of a u64 (8 bytes). */
export function u64ToBytesBE(v: u64): Uint8Array {
  const out = new Uint8Array(8);
  for (let i = 7; i >= 0; i--) {
    out[i] = <u8>(v & 0xff);
    v >>= 8;
  }
  return out;
}

/** Big-endian decoding of up to 8 bytes. */
export function u64FromBytesBE(data: Uint8Array): u64 {
  let v: u64 = 0;
  for (let i = 0; i < data.length; i++) v = (v << 8) | (<u64>data[i]);
  return v;
}
