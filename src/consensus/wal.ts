/**
 * The WAL's record format (pure; the file handling is in `driver/`). A WAL is a sequence of records
 *
 *     u32 BE payload length ‖ u32 BE CRC-32 (IEEE) of the payload ‖ payload (an encoded event)
 *
 * Reading it back:
 * - a last record cut short (header or payload extends past the end), or whose checksum fails and which
 *   ends exactly at the end of the file, or a zero-filled tail, is a torn write: it is dropped and
 *   `validLength` says where to truncate;
 * - a checksum failure, an empty or oversized record anywhere before the last record is corruption:
 *   `WAL_CORRUPT` with the offset, and nothing is replayed.
 */
import { ConsensusError } from "./errors.ts";

export const WAL_HEADER_BYTES = 8;
export const WAL_MAX_RECORD_BYTES = 64 * 1024 * 1024;

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 (IEEE 802.3, the zlib one): crc32("123456789") = 0xcbf43926. */
export function crc32(data: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = CRC_TABLE[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** One WAL record: `length u32 BE ‖ crc32(payload) u32 BE ‖ payload`. */
export function encodeWalRecord(payload: Uint8Array): Uint8Array {
  return encodeWalRecordWith(payload, crc32);
}

/**
 * `encodeWalRecord` with another implementation `crc` of the same CRC-32 (the impure driver passes
 * zlib's native one; the records are the same bytes).
 */
export function encodeWalRecordWith(payload: Uint8Array, crc: (data: Uint8Array) => number): Uint8Array {
  if (payload.length === 0 || payload.length > WAL_MAX_RECORD_BYTES) {
    throw new ConsensusError("WAL_RECORD_TOO_LARGE", `WAL record of ${payload.length} bytes`);
  }
  const out = new Uint8Array(WAL_HEADER_BYTES + payload.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, payload.length, false);
  view.setUint32(4, crc(payload) >>> 0, false);
  out.set(payload, WAL_HEADER_BYTES);
  return out;
}

export interface DecodedWal {
  readonly records: readonly Uint8Array[];
  /** Bytes up to the end of the last good record: truncate the file here. */
  readonly validLength: number;
  /** Bytes of a torn tail that were dropped (0 when the WAL ended cleanly). */
  readonly tornBytes: number;
}

function allZero(bytes: Uint8Array, from: number): boolean {
  for (let i = from; i < bytes.length; i++) if (bytes[i] !== 0) return false;
  return true;
}

export function decodeWal(bytes: Uint8Array): DecodedWal {
  const records: Uint8Array[] = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 0;
  const torn = (): DecodedWal => ({ records, validLength: pos, tornBytes: bytes.length - pos });
  while (pos < bytes.length) {
    if (bytes.length - pos < WAL_HEADER_BYTES || allZero(bytes, pos)) return torn();
    const length = view.getUint32(pos, false);
    const sum = view.getUint32(pos + 4, false);
    const end = pos + WAL_HEADER_BYTES + length;
    if (end > bytes.length) return torn();
    const payload = bytes.subarray(pos + WAL_HEADER_BYTES, end);
    const bad = length === 0 || length > WAL_MAX_RECORD_BYTES || crc32(payload) !== sum;
    if (bad) {
      if (end === bytes.length) return torn();
      throw new ConsensusError("WAL_CORRUPT", `WAL record at offset ${pos} is corrupt (length ${length})`, {
        offset: pos,
      });
    }
    records.push(payload.slice());
    pos = end;
  }
  return { records, validLength: pos, tornBytes: 0 };
}
