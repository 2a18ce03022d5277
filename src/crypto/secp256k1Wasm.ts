/**
 * secp256k1 ECDSA verification in WebAssembly: the point arithmetic of `src/crypto/wasm/secp256k1.as`
 * (10×26-bit limbs, GLV with wNAF, tables of odd multiples of G and λG built on first use, per-key
 * tables for keys verified more than once), with the inversion of s mod n in the module too and the
 * rest of the scalar arithmetic mod n here in BigInt. About 3× (a key's first verification) to 5× (a
 * known key) faster than OpenSSL through node:crypto and over 10× faster than @noble/curves
 * (bench/crypto.ts). Acceptance is noble's with `lowS: true`; the callers in `secp256k1.ts` parse
 * keys first.
 */
import { SECP256K1_WASM_BASE64 } from "./secp256k1WasmBytes.ts";

const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const P = 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2fn;
const HALF_N = N >> 1n;
const GX = 0x79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798n;
const GY = 0x483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8n;
/** A cube root of unity mod p: (x, y) ↦ (βx, y) is multiplication by λ. */
const BETA = 0x7ae96a2b657c07106e64479eac3434e99cf0497512f58995c1396c28719501een;
/** The cube root of unity mod n that goes with β. */
export const LAMBDA = 0x5363ad4cc05c30e0a5261c028812645a122e22ea20816678df02967c1b23bd72n;
/** A short basis of the lattice {(a, b) : a + bλ ≡ 0 (mod n)}: (A1, B1) and (A2, B2). */
const A1 = 0x3086d221a7d46bcde86c90e49284eb15n;
const B1 = -0xe4437ed6010e88286f547fa90abfe4c3n;
const A2 = 0x114ca50f7a8e2f3f657c1108d9d44cfd8n;
const B2 = A1;
const MASK64 = 0xffffffffffffffffn;

// The IO area of the module (byte offsets; see secp256k1.as).
const IO_KEY = 1024;
const IO_U1 = 1024 + 128;
const IO_U2 = 1024 + 160;
const IO_R = 1024 + 192;
const IO_RN = 1024 + 224;
const IO_G = 1024 + 256;
const IO_U1B = 1024 + 320;
const IO_U2B = 1024 + 352;
const IO_BETA = 1024 + 384;
const IO_Y = 1024 + 416;
const IO_U1H = 1024 + 448;
const IO_U1BH = 1024 + 480;
const IO_U2H = 1024 + 512;
const IO_U2BH = 1024 + 544;
const IO_INV = 1024 + 576;
/** `verifyCached` splits each GLV half at this bit (`SPLIT` in secp256k1.as). */
const SPLIT = 65n;
const SPLIT_MASK = (1n << SPLIT) - 1n;

/** Keys whose tables the module can hold (memory reserved at load: 10 KiB a key, touched when used). */
export const SECP256K1_KEY_CACHE_MAX = 1024;
/** Keys whose tables are kept unless `setSecp256k1KeyCacheSize` says otherwise. */
export const SECP256K1_DEFAULT_KEY_CACHE = 1024;
/** Keys seen once, remembered (bounded) so that a key's second verification caches its tables. */
const SEEN_ONCE_MAX = 8192;

/** The slice of the WebAssembly JS API used here (the project's tsconfig has no DOM lib). */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { readonly exports: Record<string, unknown> };
  Memory: abstract new (...args: never[]) => WasmMemory;
}
const WA = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;

interface Verifier {
  readonly loadKey: (length: number) => number;
  readonly verify: (negative: number, withRn: number) => number;
  readonly cacheKey: (slot: number) => void;
  readonly invertScalar: () => number;
  readonly verifyCached: (slot: number, negative: number, withRn: number) => number;
  readonly testFieldOp: (op: number) => void;
  readonly bytes: Uint8Array;
  readonly view: DataView;
}

let verifier: Verifier | undefined;

function writeScalar(view: DataView, at: number, n: bigint): void {
  view.setBigUint64(at, n >> 192n);
  view.setBigUint64(at + 8, (n >> 128n) & MASK64);
  view.setBigUint64(at + 16, (n >> 64n) & MASK64);
  view.setBigUint64(at + 24, n & MASK64);
}

function readScalar(bytes: Uint8Array, at: number): bigint {
  const view = new DataView(bytes.buffer, bytes.byteOffset + at, 32);
  return (
    (view.getBigUint64(0) << 192n) |
    (view.getBigUint64(8) << 128n) |
    (view.getBigUint64(16) << 64n) |
    view.getBigUint64(24)
  );
}

/** The module instance, compiled and given its G tables on first use (a few milliseconds, once per isolate). */
function load(): Verifier {
  if (verifier !== undefined) return verifier;
  const module = new WA.Module(Buffer.from(SECP256K1_WASM_BASE64, "base64"));
  const exports = new WA.Instance(module, {}).exports;
  const { memory, init, loadKey, verify, cacheKey, verifyCached, invertScalar, testFieldOp } = exports;
  if (
    !(memory instanceof WA.Memory) ||
    typeof init !== "function" ||
    typeof loadKey !== "function" ||
    typeof verify !== "function" ||
    typeof cacheKey !== "function" ||
    typeof verifyCached !== "function" ||
    typeof invertScalar !== "function" ||
    typeof testFieldOp !== "function"
  ) {
    throw new Error("secp256k1 wasm module lacks its exports");
  }
  const before = new DataView(memory.buffer);
  writeScalar(before, IO_G, GX);
  writeScalar(before, IO_G + 32, GY);
  writeScalar(before, IO_BETA, BETA);
  (init as (keySlots: number) => number)(SECP256K1_KEY_CACHE_MAX);
  // init grows the memory once; the views are taken after it and stay valid.
  verifier = {
    loadKey: loadKey as Verifier["loadKey"],
    verify: verify as Verifier["verify"],
    cacheKey: cacheKey as Verifier["cacheKey"],
    verifyCached: verifyCached as Verifier["verifyCached"],
    invertScalar: invertScalar as Verifier["invertScalar"],
    testFieldOp: testFieldOp as Verifier["testFieldOp"],
    bytes: new Uint8Array(memory.buffer),
    view: new DataView(memory.buffer),
  };
  return verifier;
}

/** a⁻¹ mod n for 0 < a < n by the extended Euclidean algorithm, one BigInt division a step. */
function invertModNEuclid(a: bigint): bigint {
  let r0 = N;
  let r1 = a;
  let t0 = 0n;
  let t1 = 1n;
  while (r1 > 1n) {
    const q = r0 / r1;
    const r2 = r0 - q * r1;
    r0 = r1;
    r1 = r2;
    const t2 = t0 - q * t1;
    t0 = t1;
    t1 = t2;
  }
  return t1 < 0n ? t1 + N : t1;
}

/**
 * a⁻¹ mod n for 0 < a < n: Lehmer's extended Euclid (Knuth, TAOCP 4.5.2, algorithm L), which runs
 * the steps on the leading ≤ 52 bits in doubles (exact there) and applies them to the BigInts about
 * 25 bits at a time; 2.5× faster than one BigInt division a step. The result is checked (a·a⁻¹ ≡ 1),
 * with the plain algorithm as the fallback, so a flaw here could cost time but never a wrong answer.
 */
export function invertModN(a: bigint): bigint {
  let u = N;
  let v = a;
  let uc = 0n;
  let vc = 1n;
  for (let rounds = 0; v !== 0n && rounds < 200; rounds++) {
    const approx = Number(u);
    const shift = approx < 2 ** 52 ? 0n : BigInt(Math.floor(Math.log2(approx)) - 50);
    let uh = Number(u >> shift);
    let vh = Number(v >> shift);
    let A = 1;
    let B = 0;
    let C = 0;
    let D = 1;
    while (vh + C !== 0 && vh + D !== 0) {
      const q = Math.floor((uh + A) / (vh + C));
      if (q !== Math.floor((uh + B) / (vh + D))) break;
      const nc = A - q * C;
      A = C;
      C = nc;
      const nd = B - q * D;
      B = D;
      D = nd;
      const nv = uh - q * vh;
      uh = vh;
      vh = nv;
    }
    if (B === 0) {
      const q = u / v;
      const nv = u - q * v;
      u = v;
      v = nv;
      const nvc = uc - q * vc;
      uc = vc;
      vc = nvc;
    } else {
      const [a1, b1, c1, d1] = [BigInt(A), BigInt(B), BigInt(C), BigInt(D)];
      const nu = a1 * u + b1 * v;
      v = c1 * u + d1 * v;
      u = nu;
      const nuc = a1 * uc + b1 * vc;
      vc = c1 * uc + d1 * vc;
      uc = nuc;
    }
  }
  let inverse = uc % N;
  if (inverse < 0n) inverse += N;
  return v === 0n && u === 1n && (inverse * a) % N === 1n ? inverse : invertModNEuclid(a);
}

let wasmInversionFallbacks = 0;

/**
 * a⁻¹ mod n for 0 < a < n in the module (binary GCD 31 steps at a time, no BigInt until the result:
 * about a fifth of `invertModN`'s time and none of its garbage), checked (a·a⁻¹ ≡ 1) with
 * `invertModN` as the fallback, so a flaw there could cost time but never a wrong answer.
 */
export function invertModNWasm(a: bigint): bigint {
  const v = load();
  writeScalar(v.view, IO_INV, a);
  if (v.invertScalar() === 1) {
    const inverse = readScalar(v.bytes, IO_INV);
    if ((inverse * a) % N === 1n) return inverse;
  }
  wasmInversionFallbacks++;
  return invertModN(a);
}

/** How often `invertModNWasm` fell back to `invertModN` (tests: never, for any input). */
export function secp256k1WasmInversionFallbacks(): number {
  return wasmInversionFallbacks;
}

/** k ≡ k1 + k2·λ (mod n) with |k1|, |k2| < 2^129, for 0 ≤ k < n (GLV). */
export function splitScalar(k: bigint): [bigint, bigint] {
  const c1 = (B2 * k + HALF_N) / N;
  const c2 = (-B1 * k + HALF_N) / N;
  return [k - c1 * A1 - c2 * A2, -c1 * B1 - c2 * B2];
}

/** Uncompressed encodings of recently used compressed keys (most recent last): saves the square root. */
const decompressed = new Map<string, Uint8Array>();
const DECOMPRESSED_CACHE = 4096;

/**
 * The per-key tables (`cacheKey` / `verifyCached` of the module): a key verified a second time gets
 * a slot holding its odd multiples (and those of 2^65 times it), so that its later verifications
 * skip parsing the key, building its table and half the doublings. Keyed by the exact key bytes
 * (so a slot is only ever used for the point it was built from), least recently used evicted.
 */
const keySlots = new Map<string, number>();
/** Keys verified once and not cached (oldest first, bounded). */
const seenOnce = new Set<string>();
let keySlotCount = SECP256K1_DEFAULT_KEY_CACHE;
let cachedVerifications = 0;

/**
 * Sets how many keys keep their tables (0…SECP256K1_KEY_CACHE_MAX; 0 disables the cache) and forgets
 * every cached and seen key. For tests and benchmarks; results never depend on it.
 */
export function setSecp256k1KeyCacheSize(slots: number): void {
  if (!Number.isInteger(slots) || slots < 0 || slots > SECP256K1_KEY_CACHE_MAX) {
    throw new RangeError(`secp256k1 key cache size must be an integer in 0…${SECP256K1_KEY_CACHE_MAX}`);
  }
  keySlotCount = slots;
  keySlots.clear();
  seenOnce.clear();
}

/** Keys with cached tables now, and verifications that used them since the process started. */
export function secp256k1KeyCacheStats(): { readonly keys: number; readonly cachedVerifications: number } {
  return { keys: keySlots.size, cachedVerifications };
}

/** The cache slot of `id` when its tables are built (made most recently used), else undefined. */
function cachedSlot(id: string): number | undefined {
  const slot = keySlots.get(id);
  if (slot !== undefined) {
    keySlots.delete(id);
    keySlots.set(id, slot);
  }
  return slot;
}

/**
 * For a key just loaded into the module (loadKey returned true): its slot with the tables built
 * when this is its second time, else undefined (and the key is remembered as seen once).
 */
function slotForLoadedKey(v: Verifier, id: string): number | undefined {
  if (keySlotCount === 0) return undefined;
  if (!seenOnce.delete(id)) {
    if (seenOnce.size >= SEEN_ONCE_MAX) seenOnce.delete(seenOnce.values().next().value as string);
    seenOnce.add(id);
    return undefined;
  }
  let slot: number;
  if (keySlots.size < keySlotCount) slot = keySlots.size;
  else {
    const [oldest, oldSlot] = keySlots.entries().next().value as [string, number];
    keySlots.delete(oldest);
    slot = oldSlot;
  }
  v.cacheKey(slot);
  keySlots.set(id, slot);
  return slot;
}

function keyIdOf(key: Uint8Array): string {
  return Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString("latin1");
}

/** Loads a parsed key (02/03 ‖ x or 04 ‖ x ‖ y) into the module; false when it is not a curve point. */
function loadKey(v: Verifier, key: Uint8Array, id: string): boolean {
  if (key.length === 65) {
    v.bytes.set(key, IO_KEY);
    return v.loadKey(65) === 1;
  }
  const cached = decompressed.get(id);
  if (cached !== undefined) {
    decompressed.delete(id);
    decompressed.set(id, cached);
    v.bytes.set(cached, IO_KEY);
    return v.loadKey(65) === 1;
  }
  v.bytes.set(key, IO_KEY);
  if (v.loadKey(33) !== 1) return false;
  const full = new Uint8Array(65);
  full[0] = 0x04;
  full.set(key.subarray(1, 33), 1);
  full.set(v.bytes.subarray(IO_Y, IO_Y + 32), 33);
  if (decompressed.size >= DECOMPRESSED_CACHE) decompressed.delete(decompressed.keys().next().value as string);
  decompressed.set(id, full);
  return true;
}

/**
 * Whether `sig64` (compact r ‖ s) is a low-S ECDSA signature of the 32-byte `digest32` under `key`,
 * which must already be a 33-byte (02/03) or 65-byte (04) encoding; anything else is false. r and s
 * must be in 1…n−1 and s ≤ n/2; the key's coordinates must be below p and on the curve. Never throws
 * on bad input.
 */
export function secp256k1WasmVerify(sig64: Uint8Array, digest32: Uint8Array, key: Uint8Array): boolean {
  if (sig64.length !== 64 || digest32.length !== 32) return false;
  if (!(key.length === 33 && (key[0] === 0x02 || key[0] === 0x03)) && !(key.length === 65 && key[0] === 0x04)) {
    return false;
  }
  const r = readScalar(sig64, 0);
  const s = readScalar(sig64, 32);
  if (r === 0n || r >= N || s === 0n || s > HALF_N) return false;
  let z = readScalar(digest32, 0);
  if (z >= N) z -= N;
  const v = load();
  const id = keyIdOf(key);
  let slot = keySlotCount === 0 ? undefined : cachedSlot(id);
  if (slot === undefined) {
    if (!loadKey(v, key, id)) return false;
    slot = slotForLoadedKey(v, id);
  }
  const w = invertModNWasm(s);
  const [a, b] = splitScalar((z * w) % N);
  const [c, d] = splitScalar((r * w) % N);
  const view = v.view;
  const negative = (a < 0n ? 1 : 0) | (b < 0n ? 2 : 0) | (c < 0n ? 4 : 0) | (d < 0n ? 8 : 0);
  writeScalar(view, IO_R, r);
  // x(R) ∈ [0, p) reduced mod n equals r when x(R) = r or, if r + n < p, x(R) = r + n.
  const withRn = r + N < P ? 1 : 0;
  if (withRn === 1) writeScalar(view, IO_RN, r + N);
  if (slot === undefined) {
    writeScalar(view, IO_U1, a < 0n ? -a : a);
    writeScalar(view, IO_U1B, b < 0n ? -b : b);
    writeScalar(view, IO_U2, c < 0n ? -c : c);
    writeScalar(view, IO_U2B, d < 0n ? -d : d);
    return v.verify(negative, withRn) === 1;
  }
  writeSplit(view, IO_U1, IO_U1H, a < 0n ? -a : a);
  writeSplit(view, IO_U1B, IO_U1BH, b < 0n ? -b : b);
  writeSplit(view, IO_U2, IO_U2H, c < 0n ? -c : c);
  writeSplit(view, IO_U2B, IO_U2BH, d < 0n ? -d : d);
  cachedVerifications++;
  return v.verifyCached(slot, negative, withRn) === 1;
}

/** Writes n (below 2^129) as low = n mod 2^65 at `atLow` and high = n >> 65 at `atHigh`, 32 bytes each. */
function writeSplit(view: DataView, atLow: number, atHigh: number, n: bigint): void {
  const low = n & SPLIT_MASK;
  const high = n >> SPLIT;
  view.setBigUint64(atLow, 0n);
  view.setBigUint64(atLow + 8, 0n);
  view.setBigUint64(atLow + 16, low >> 64n);
  view.setBigUint64(atLow + 24, low & MASK64);
  view.setBigUint64(atHigh, 0n);
  view.setBigUint64(atHigh + 8, 0n);
  view.setBigUint64(atHigh + 16, high >> 64n);
  view.setBigUint64(atHigh + 24, high & MASK64);
}

/**
 * The module's field arithmetic, for tests: op 0 a·b, 1 a², 2 a + b, 3 a − b, 4 a⁻¹, 5 a^((p+1)/4),
 * 6 a, over a, b < 2^256 (reduced mod p on the way out).
 */
export function secp256k1WasmFieldOp(op: number, a: bigint, b: bigint): bigint {
  const v = load();
  writeScalar(v.view, IO_U1, a);
  writeScalar(v.view, IO_U2, b);
  v.testFieldOp(op);
  return readScalar(v.bytes, IO_R);
}
