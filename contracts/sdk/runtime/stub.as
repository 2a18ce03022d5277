// AssemblyScript source (not linted as TypeScript: it needs decorators on functions and globals).
//
// The SDK's memory runtime: a bump allocator that stands in for `~lib/rt/stub.ts`. The build script
// (scripts/build-contracts.mjs) injects it by overriding `libraryFiles["rt/stub"]` and compiling with
// `--runtime stub`, so it must export the entry points the compiler links against: __alloc, __realloc,
// __free, __reset, __new, __renew, __link, __pin, __unpin, __visit, __collect. The block and object
// headers are the compiler's own (`./common`); only the bookkeeping here is ours.
//
// Why not the stock runtime:
// - No start function. The heap top is zero until the first allocation, which places it just after
//   `__heap_base`. (Secret's engine refuses modules with a start section: `WasmModuleWithStart`.)
// - Memory grows by exactly the pages a request needs: each page costs 8,192 wasm gas.
// - Nothing is ever collected. A contract instance lives for one call, so a bump pointer is enough;
//   only the most recent block can be freed or resized in place.

import { AL_MASK, OBJECT, OBJECT_OVERHEAD, BLOCK_MAXSIZE, BLOCK_OVERHEAD, BLOCK, OBJECT_MAXSIZE } from "./common";
import { E_ALLOCATION_TOO_LARGE } from "../util/error";

/** Address of the next free block header; 0 until the first allocation. */
// @ts-ignore: decorator
@lazy let heapTop: usize = 0;

/** Rounds `n` up to the allocation alignment. */
// @ts-ignore: decorator
@inline function alignUp(n: usize): usize {
  return (n + AL_MASK) & ~AL_MASK;
}

/** Payload size of a block that can hold `size` bytes, keeping the next header aligned. */
// @ts-ignore: decorator
@inline function payloadFor(size: usize): usize {
  return alignUp(size + BLOCK_OVERHEAD) - BLOCK_OVERHEAD;
}

/** The first block header: payloads (header + BLOCK_OVERHEAD) are aligned. */
// @ts-ignore: decorator
@inline function firstHeader(): usize {
  return alignUp(__heap_base + BLOCK_OVERHEAD) - BLOCK_OVERHEAD;
}

/** Makes sure bytes below `end` are backed by memory, growing by the missing pages only. */
function ensureMemory(end: usize): void {
  const available = <usize>memory.size() << 16;
  if (end <= available) return;
  const missingPages = <i32>((end - available + 0xffff) >>> 16);
  if (memory.grow(missingPages) < 0) unreachable(); // beyond the engine's cap: trap
}

/** Header of the block whose payload starts at `ptr`. */
// @ts-ignore: decorator
@inline function headerOf(ptr: usize): BLOCK {
  return changetype<BLOCK>(ptr - BLOCK_OVERHEAD);
}

/** True when the block at `ptr` is the last one handed out. */
// @ts-ignore: decorator
@inline function isTopmost(ptr: usize): bool {
  return ptr + headerOf(ptr).mmInfo == heapTop;
}

// @ts-ignore: decorator
@unsafe @global
export function __alloc(size: usize): usize {
  if (size > BLOCK_MAXSIZE) throw new Error(E_ALLOCATION_TOO_LARGE);
  if (heapTop == 0) heapTop = firstHeader();
  const header = heapTop;
  const ptr = header + BLOCK_OVERHEAD;
  const payload = payloadFor(size);
  ensureMemory(ptr + payload);
  changetype<BLOCK>(header).mmInfo = payload;
  heapTop = ptr + payload;
  return ptr;
}

// @ts-ignore: decorator
@unsafe @global
export function __realloc(ptr: usize, size: usize): usize {
  assert(ptr != 0 && (ptr & AL_MASK) == 0);
  if (size > BLOCK_MAXSIZE) throw new Error(E_ALLOCATION_TOO_LARGE);
  const current = headerOf(ptr).mmInfo;
  const payload = payloadFor(size);
  if (isTopmost(ptr)) {
    // The last block can grow or shrink where it is.
    ensureMemory(ptr + payload);
    headerOf(ptr).mmInfo = payload;
    heapTop = ptr + payload;
    return ptr;
  }
  if (size <= current) return ptr;
  // Elsewhere: move to a new block, doubling to amortise repeated growth.
  const moved = __alloc(max<usize>(payload, current << 1));
  memory.copy(moved, ptr, current);
  return moved;
}

// @ts-ignore: decorator
@unsafe @global
export function __free(ptr: usize): void {
  assert(ptr != 0 && (ptr & AL_MASK) == 0);
  if (isTopmost(ptr)) heapTop = ptr - BLOCK_OVERHEAD;
}

// @ts-ignore: decorator
@unsafe @global
export function __reset(): void {
  heapTop = firstHeader();
}

// @ts-ignore: decorator
@unsafe @global
export function __new(size: usize, id: u32): usize {
  if (size > OBJECT_MAXSIZE) throw new Error(E_ALLOCATION_TOO_LARGE);
  const block = __alloc(OBJECT_OVERHEAD + size);
  const object = changetype<OBJECT>(block - BLOCK_OVERHEAD);
  object.gcInfo = 0;
  object.gcInfo2 = 0;
  object.rtId = id;
  object.rtSize = <u32>size;
  return block + OBJECT_OVERHEAD;
}

// @ts-ignore: decorator
@unsafe @global
export function __renew(oldPtr: usize, size: usize): usize {
  if (size > OBJECT_MAXSIZE) throw new Error(E_ALLOCATION_TOO_LARGE);
  const block = __realloc(oldPtr - OBJECT_OVERHEAD, OBJECT_OVERHEAD + size);
  changetype<OBJECT>(block - BLOCK_OVERHEAD).rtSize = <u32>size;
  return block + OBJECT_OVERHEAD;
}

// Garbage-collector hooks the compiler calls; with nothing to collect they do nothing.

// @ts-ignore: decorator
@global @unsafe
export function __link(parentPtr: usize, childPtr: usize, expectMultiple: bool): void {}

// @ts-ignore: decorator
@global @unsafe
export function __pin(ptr: usize): usize {
  return ptr;
}

// @ts-ignore: decorator
@global @unsafe
export function __unpin(ptr: usize): void {}

// @ts-ignore: decorator
@global @unsafe
function __visit(ptr: usize, cookie: u32): void {} // eslint-disable-line @typescript-eslint/no-unused-vars

// @ts-ignore: decorator
@global @unsafe
export function __collect(): void {}
