/**
 * Byte strings as compact Map/Set keys for the app's memos: one UTF-16 unit per byte, made in one
 * step (a per-character loop allocates an intermediate string per byte). Only equality is meant:
 * equal bytes give equal ids and different bytes different ids.
 */

/** Beyond this many bytes the ids are built in slices (an argument list has a size limit). */
const SLICE = 4096;

export function bytesId(bytes: Uint8Array): string {
  if (bytes.length <= SLICE) return String.fromCharCode.apply(null, bytes as unknown as number[]);
  let id = "";
  for (let at = 0; at < bytes.length; at += SLICE) {
    id += String.fromCharCode.apply(null, bytes.subarray(at, at + SLICE) as unknown as number[]);
  }
  return id;
}
