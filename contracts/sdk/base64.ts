// Standard base64 (RFC 4648 alphabet, `=` padding), as used by CosmWasm `Binary`.

/* eslint-disable @typescript-eslint/consistent-type-imports -- AssemblyScript has no type-only imports */

import { ByteBuf } from "./bytes";
import { Err, Ok, Result, StdError } from "./errors";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** Encodes with padding. */
export function base64Encode(data: Uint8Array): string {
  return base64EncodeRaw(data.dataStart, data.length);
}

/** Encodes `len` bytes at `src` with padding. */
export function base64EncodeRaw(src: usize, len: i32): string {
  const buf = new ByteBuf(((len + 2) / 3) * 4 + 1);
  base64EncodeInto(buf, src, len);
  return buf.toString();
}

/** Appends the padded base64 of `len` bytes at `src` to `buf` (ASCII). */
export function base64EncodeInto(buf: ByteBuf, src: usize, len: i32): void {
  buf.reserve(((len + 2) / 3) * 4);
  const table = changetype<usize>(ALPHABET);
  let i = 0;
  for (; i + 3 <= len; i += 3) {
    const n =
      ((<u32>load<u8>(src + <usize>i)) << 16) |
      ((<u32>load<u8>(src + <usize>i + 1)) << 8) |
      (<u32>load<u8>(src + <usize>i + 2));
    buf.byte(load<u16>(table + (((<usize>(n >> 18)) & 63) << 1)));
    buf.byte(load<u16>(table + (((<usize>(n >> 12)) & 63) << 1)));
    buf.byte(load<u16>(table + (((<usize>(n >> 6)) & 63) << 1)));
    buf.byte(load<u16>(table + (((<usize>n) & 63) << 1)));
  }
  const rest = len - i;
  if (rest === 1) {
    const n = (<u32>load<u8>(src + <usize>i)) << 16;
    buf.byte(load<u16>(table + (((<usize>(n >> 18)) & 63) << 1)));
    buf.byte(load<u16>(table + (((<usize>(n >> 12)) & 63) << 1)));
    buf.byte(61);
    buf.byte(61);
  } else if (rest === 2) {
    const n = ((<u32>load<u8>(src + <usize>i)) << 16) | ((<u32>load<u8>(src + <usize>i + 1)) << 8);
    buf.byte(load<u16>(table + (((<usize>(n >> 18)) & 63) << 1)));
    buf.byte(load<u16>(table + (((<usize>(n >> 12)) & 63) << 1)));
    buf.byte(load<u16>(table + (((<usize>(n >> 6)) & 63) << 1)));
    buf.byte(61);
  }
}

function decodeChar(c: i32): i32 {
  if (c >= 65 && c <= 90) return c - 65;
  if (c >= 97 && c <= 122) return c - 71;
  if (c >= 48 && c <= 57) return c + 4;
  if (c === 43) return 62;
  if (c === 47) return 63;
  return -1;
}

/**
 * Decodes standard base64. Padding is optional, but when present it must be correct; errors carry
 * `Invalid Base64 string: …` texts in the style of the Rust `base64` crate.
 */
export function base64Decode(s: string): Result<Uint8Array> {
  let len = s.length;
  // Strip up to two trailing '=' (only where padding is allowed).
  let pad = 0;
  while (len > 0 && pad < 2 && s.charCodeAt(len - 1) === 61) {
    len--;
    pad++;
  }
  if (pad > 0 && (len + pad) % 4 !== 0) {
    return Err<Uint8Array>(StdError.invalidBase64("Invalid byte 61, offset " + len.toString() + "."));
  }
  if (len % 4 === 1) {
    return Err<Uint8Array>(StdError.invalidBase64("Encoded text cannot have a 6-bit remainder."));
  }
  const outLen = (len / 4) * 3 + (len % 4 === 0 ? 0 : (len % 4) - 1);
  const out = new Uint8Array(outLen);
  let acc: u32 = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < len; i++) {
    const c = s.charCodeAt(i);
    const v = decodeChar(c);
    if (v < 0) {
      return Err<Uint8Array>(StdError.invalidBase64("Invalid byte " + c.toString() + ", offset " + i.toString() + "."));
    }
    acc = (acc << 6) | (<u32>v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      if (o < outLen) out[o++] = <u8>((acc >> (<u32>bits)) & 0xff);
    }
  }
  // Trailing bits must be zero (canonical encoding).
  if (bits > 0 && (acc & ((1 << (<u32>bits)) - 1)) !== 0) {
    return Err<Uint8Array>(
      StdError.invalidBase64(
        "Invalid last symbol " + s.charCodeAt(len - 1).toString() + ", offset " + (len - 1).toString() + ".",
      ),
    );
  }
  return Ok(out);
}
