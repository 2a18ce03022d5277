// The Region ABI, the exports every contract needs, and the panic handler.
//
// A Region is 12 bytes in linear memory: { offset: u32, capacity: u32, length: u32 } (little-endian).
// The host calls `allocate(n)` to get a Region with room for n bytes, writes into it, and passes the
// Region pointer to the entry point. Entry points return a Region pointer to their JSON result.

import { debug } from "./env";

/** Exported as `allocate`: a Region with `capacity` = size and `length` = 0, data right after it. */
export function allocate(size: usize): usize {
  if (size > 0x3fff0000) throw new Error("Allocation too large"); // also keeps 12 + size from wrapping
  const region = heap.alloc(12 + size);
  store<u32>(region, <u32>(region + 12), 0);
  store<u32>(region, <u32>size, 4);
  store<u32>(region, 0, 8);
  return region;
}

/** Exported as `deallocate`. The host never calls it; memory lives as long as the instance (one call). */
export function deallocate(region: usize): void {
  if (region !== 0 && (region & 15) === 0) heap.free(region);
}

/** API marker: re-export it from the contract's entry file. */
export function interface_version_8(): void {}

/** Feature marker: re-export it to receive `env.block.random` in instantiate/execute/migrate/reply. */
export function requires_random(): void {}

export function regionOffset(region: usize): usize {
  return <usize>load<u32>(region, 0);
}

export function regionCapacity(region: usize): usize {
  return <usize>load<u32>(region, 4);
}

export function regionLength(region: usize): usize {
  return <usize>load<u32>(region, 8);
}

/** Copies a Region's bytes out. */
export function readRegion(region: usize): Uint8Array {
  const len = regionLength(region);
  const out = new Uint8Array(<i32>len);
  memory.copy(out.dataStart, regionOffset(region), len);
  return out;
}

/** Decodes a Region's bytes as UTF-8. */
export function readRegionString(region: usize): string {
  return String.UTF8.decodeUnsafe(regionOffset(region), regionLength(region));
}

/** A new Region (via `allocate`) holding a copy of `len` bytes at `src`. */
export function newRegionFrom(src: usize, len: usize): usize {
  const region = allocate(len);
  memory.copy(regionOffset(region), src, len);
  store<u32>(region, <u32>len, 8);
  return region;
}

/** A new Region holding a copy of `data`. */
export function newRegion(data: Uint8Array): usize {
  return newRegionFrom(data.dataStart, <usize>data.length);
}

/** A new Region holding the UTF-8 encoding of `s`. */
export function newRegionString(s: string): usize {
  const n = <usize>String.UTF8.byteLength(s);
  const region = allocate(n);
  String.UTF8.encodeUnsafe(changetype<usize>(s), s.length, regionOffset(region));
  store<u32>(region, <u32>n, 8);
  return region;
}

/**
 * A Region describing `data` in place (no copy), for passing arguments to host functions. `data` must
 * stay unchanged while the host reads it. The data offset is never 0, even for empty arrays.
 */
export function viewRegion(data: Uint8Array): usize {
  const region = heap.alloc(12);
  store<u32>(region, <u32>data.dataStart, 0);
  store<u32>(region, <u32>data.length, 4);
  store<u32>(region, <u32>data.length, 8);
  return region;
}

/** Sends a message to the node's debug log (`env.debug`; ignored on production nodes, free of gas). */
export function debugPrint(message: string): void {
  debug(newRegionString(message));
}

/**
 * The `abort` replacement (wired in by the build with `--use abort=…`): AssemblyScript calls it for
 * `throw`, failed bounds checks and `assert`. It logs through `env.debug` and traps; the host reports
 * the call as failed ("the contract panicked"). Return errors as `Result`s instead of throwing.
 */
export function sdkAbort(message: string | null, fileName: string | null, line: u32, column: u32): void {
  let text = "panicked: " + (message !== null ? message : "abort");
  if (fileName !== null) text += " at " + fileName + ":" + line.toString() + ":" + column.toString();
  debugPrint(text);
  unreachable();
}
