/**
 * The Region ABI (`spec/contract-abi.md` §3) as the Secret host implements it
 * (`.../contract-engine/src/wasm3/mod.rs` `CWMemory`). A Region is 12 bytes of little-endian u32:
 * `offset`, `capacity`, `length`. Every violation is the host error `failed to read memory` (there is
 * no separate write error: upstream's writer reports its failures as read errors too).
 */
import { VmError } from "./errors.ts";
import type { WasmMemory } from "./wasmApi.ts";

/** Reads the u32 at `addr`, or fails with `failed to read memory` when it is not inside memory. */
function u32At(view: DataView, addr: number): number {
  if (addr + 4 > view.byteLength) throw new VmError("VM_MEMORY_READ", { address: addr });
  return view.getUint32(addr, true);
}

/**
 * `extract_vector`: a Region the contract passed. Pointer ≠ 0; `offset` ≠ 0 even for length 0;
 * `[offset, offset + length)` inside memory; capacity not consulted. Returns a copy.
 */
export function readRegion(memory: WasmMemory, regionPtr: number): Uint8Array {
  const ptr = regionPtr >>> 0;
  if (ptr === 0) throw new VmError("VM_MEMORY_READ", { reason: "null region pointer" });
  const buffer = memory.buffer;
  const view = new DataView(buffer);
  const offset = u32At(view, ptr);
  const length = u32At(view, ptr + 8);
  if (offset === 0) throw new VmError("VM_MEMORY_READ", { reason: "null data pointer" });
  if (offset + length > buffer.byteLength) throw new VmError("VM_MEMORY_READ", { reason: "data out of bounds" });
  return new Uint8Array(buffer, offset, length).slice();
}

/**
 * `decode_sections`: items concatenated, each followed by its length as a big-endian u32, decoded from
 * the end while at least 4 bytes remain (a shorter remainder at the front is ignored). A length larger
 * than what precedes it makes upstream panic; it is a host error (`failed to read memory`) here.
 */
export function readSections(memory: WasmMemory, regionPtr: number): Uint8Array[] {
  const data = readRegion(memory, regionPtr);
  const out: Uint8Array[] = [];
  let remaining = data.length;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  while (remaining >= 4) {
    const len = view.getUint32(remaining - 4, false);
    if (len > remaining - 4) throw new VmError("VM_MEMORY_READ", { reason: "section length exceeds data" });
    const start = remaining - 4 - len;
    out.push(data.slice(start, remaining - 4));
    remaining = start;
  }
  return out.reverse();
}

/**
 * `write_to_allocated_memory`: writes into a Region the contract provided (or `allocate` returned):
 * `offset` ≠ 0, `capacity` ≥ the data length, the data inside memory; then `length` = data length.
 * The Region pointer itself is not null-checked (upstream does not).
 */
export function writeRegion(memory: WasmMemory, regionPtr: number, data: Uint8Array): number {
  const ptr = regionPtr >>> 0;
  const buffer = memory.buffer;
  const view = new DataView(buffer);
  const offset = u32At(view, ptr);
  if (offset === 0) throw new VmError("VM_MEMORY_READ", { reason: "null data pointer" });
  const capacity = u32At(view, ptr + 4);
  if (capacity < data.length) throw new VmError("VM_MEMORY_READ", { reason: "region too small" });
  if (offset + data.length > buffer.byteLength) throw new VmError("VM_MEMORY_READ", { reason: "data out of bounds" });
  new Uint8Array(buffer, offset, data.length).set(data);
  if (ptr + 8 + 4 > buffer.byteLength) throw new VmError("VM_MEMORY_READ", { reason: "region out of bounds" });
  view.setUint32(ptr + 8, data.length, true);
  return ptr;
}
