import { PrimitiveError } from "./errors.ts";

/** Concatenates byte strings into a new array. */
export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** Byte equality; not constant time (use the crypto layer's `constantTimeEqual` for secrets). */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Lexicographic comparison by unsigned byte value: negative, zero or positive. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = (a[i] as number) - (b[i] as number);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

export function utf8Encode(text: string): Uint8Array {
  return encoder.encode(text);
}

/** Decodes UTF-8, refusing invalid sequences (no replacement characters). */
export function utf8Decode(bytes: Uint8Array): string {
  try {
    return decoder.decode(bytes);
  } catch {
    throw new PrimitiveError("UTF8_INVALID", "invalid UTF-8 byte sequence");
  }
}

function checkUint(n: number | bigint, bits: number): bigint {
  const v = typeof n === "bigint" ? n : Number.isSafeInteger(n) ? BigInt(n) : -1n;
  if (v < 0n || v >= 1n << BigInt(bits)) {
    throw new PrimitiveError("INT_RANGE", `value ${String(n)} does not fit in an unsigned ${bits}-bit integer`);
  }
  return v;
}

export function be16(n: number): Uint8Array {
  const v = Number(checkUint(n, 16));
  return Uint8Array.of(v >>> 8, v & 0xff);
}

export function be32(n: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, Number(checkUint(n, 32)), false);
  return out;
}

export function be64(n: number | bigint): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, checkUint(n, 64), false);
  return out;
}

export function le16(n: number): Uint8Array {
  const v = Number(checkUint(n, 16));
  return Uint8Array.of(v & 0xff, v >>> 8);
}

export function le32(n: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, Number(checkUint(n, 32)), true);
  return out;
}

export function le64(n: number | bigint): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, checkUint(n, 64), true);
  return out;
}

/** Reads an unsigned big-endian 64-bit integer at `offset`. */
export function readBe64(bytes: Uint8Array, offset = 0): bigint {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(offset, false);
}

/** Reads an unsigned little-endian 64-bit integer at `offset`. */
export function readLe64(bytes: Uint8Array, offset = 0): bigint {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(offset, true);
}
