// secp256k1 ECDSA verification (no secrets, so nothing here is constant-time), compiled by
// scripts/build-secp256k1.mjs, which puts its generated field arithmetic (feMul, feSqr, feAdd, feSub,
// feMulSmall: fully unrolled 10×26-bit limb code) in front of this file.
//
// Field elements mod p = 2^256 − 2^32 − 977 are ten little-endian 26-bit limbs held in i64 memory
// words. Every operation takes and returns them "weakly normalised": limbs 0, 1 and 3…8 below 2^26,
// limb 2 at most 2^26, limb 9 below 2^22, so the value is below 2^256 + 2^79 but maybe not below p;
// feNormalize reduces fully.
// The host (src/crypto/secp256k1Wasm.ts) does all scalar arithmetic mod n in BigInt and talks to this
// module through the fixed IO area below.

// ---- memory layout (bytes; nothing here uses the AssemblyScript heap) ----------------------------

/** Input/output area shared with the host; numbers are 32-byte big-endian. */
const IO: usize = 1024;
const IO_KEY: usize = IO; // 65 bytes
const IO_U1: usize = IO + 128; // |first GLV half| of u1
const IO_U2: usize = IO + 160; // |first GLV half| of u2
const IO_R: usize = IO + 192; // r
const IO_RN: usize = IO + 224; // r + n, when below p
const IO_QX: usize = IO + 256; // 64 bytes: the generator's x ‖ y for init
const IO_U1B: usize = IO + 320; // |second GLV half| of u1
const IO_U2B: usize = IO + 352; // |second GLV half| of u2
const IO_BETA: usize = IO + 384; // β, a cube root of unity mod p, for init
const IO_Y: usize = IO + 416; // loadKey's output: y of the parsed key (32-byte big-endian)
// verifyCached: the GLV halves split again at bit 65, |half| = low + high·2^65; the low parts are at
// IO_U1, IO_U1B, IO_U2, IO_U2B, the high parts here
const IO_U1H: usize = IO + 448;
const IO_U1BH: usize = IO + 480;
const IO_U2H: usize = IO + 512;
const IO_U2BH: usize = IO + 544;
const IO_INV: usize = IO + 576; // invertScalar: the scalar in, its inverse mod n out (32-byte big-endian)

const FE: usize = 80; // a field element: 10 little-endian i64 limbs of 26 bits
const PT: usize = 256; // a Jacobian point: X, Y, Z, then an i32 "infinity" flag at +240
const AFF: usize = 160; // an affine point: x, y

const SCRATCH: usize = 4096; // 32 field-element temporaries
const WORDS: usize = SCRATCH + 32 * FE; // 5 u64 words for scalar/bytes conversion
const QAFF: usize = WORDS + 64; // the key, affine
const ACC: usize = QAFF + AFF; // accumulator point
const TMP_PT: usize = ACC + PT;
const GAFF: usize = TMP_PT + PT; // the generator, affine
const WNAF_Q: usize = GAFF + AFF; // 258 i32
const WNAF_G: usize = WNAF_Q + 258 * 4;
const WNAF_Q2: usize = WNAF_G + 258 * 4;
const WNAF_G2: usize = WNAF_Q2 + 258 * 4;
const BETA: usize = WNAF_G2 + 258 * 4; // β as a field element
const WNAF_G3: usize = BETA + FE; // verifyCached's wNAFs of the high parts (SPLIT_BITS + 1 i32 each)
const WNAF_G4: usize = WNAF_G3 + 96 * 4;
const WNAF_Q3: usize = WNAF_G4 + 96 * 4;
const WNAF_Q4: usize = WNAF_Q3 + 96 * 4;
const QTABLE: usize = 16384; // Q, 3Q, …, 15Q in 256-byte slots: x, y affine on the isomorphic curve E_K
const QTABLE2: usize = QTABLE + 8 * PT; // λ times those: (βX, Y)
const QSCALE: usize = QTABLE2 + 8 * PT; // K of the isomorphic curve the Q tables and the accumulator use
const QRATIO: usize = QSCALE + FE; // 8 Z ratios while building the Q table
const GTABLE: usize = 65536; // 2^(G_WINDOW-2) affine points
const Q_WINDOW: i32 = 5;
const G_WINDOW: i32 = 12;
const G_COUNT: i32 = 1 << (G_WINDOW - 2);
const GTABLE2: usize = GTABLE + <usize>G_COUNT * AFF; // λ times those: (βx, y)
const GTABLE3: usize = GTABLE2 + <usize>G_COUNT * AFF; // the same for G' = 2^SPLIT·G
const GTABLE4: usize = GTABLE3 + <usize>G_COUNT * AFF; // λ times those
const BUILD: usize = GTABLE4 + <usize>G_COUNT * AFF; // table-building scratch: Jacobian points, then prefix products
const MEMORY_END: usize = BUILD + 2 * <usize>G_COUNT * (PT + FE);
/** Where the per-key tables start (`init(slots)` makes room for `slots` of them). */
const KEYS: usize = (MEMORY_END + 65535) & ~(<usize>65535);
/** The wNAF window of a cached key's tables (its tables are built once, so wider than Q_WINDOW). */
const KEY_WINDOW: i32 = 6;
const Q_COUNT: usize = 1 << (KEY_WINDOW - 2);
/** One cached key: odd multiples of Q, λQ, Q' = 2^SPLIT·Q and λQ', Q_COUNT affine points each. */
const KEY_SLOT: usize = 4 * Q_COUNT * AFF;
/** verifyCached splits each GLV half (below 2^129) at this bit: 65 doublings instead of 129. */
const SPLIT: i32 = 65;
/** wNAF digits computed for the split parts (below 2^65; no window is ever cut at this bound). */
const SPLIT_BITS: i32 = 80;

@inline function tmp(i: usize): usize {
  return SCRATCH + i * FE;
}

// ---- field helpers -----------------------------------------------------------------------------

function feCopy(r: usize, a: usize): void {
  for (let i: usize = 0; i < 80; i += 8) store<i64>(r + i, load<i64>(a + i));
}

function feSetSmall(r: usize, v: i64): void {
  store<i64>(r, v);
  for (let i: usize = 8; i < 80; i += 8) store<i64>(r + i, 0);
}

/** r = the 32-byte big-endian number at `bytes` (exact limbs; may be ≥ p). */
function feFromBytes(r: usize, bytes: usize): void {
  for (let k: usize = 0; k < 4; k++) store<u64>(WORDS + k * 8, bswap<u64>(load<u64>(bytes + 24 - k * 8)));
  store<u64>(WORDS + 32, 0);
  for (let i: usize = 0; i < 10; i++) {
    const pos = i * 26;
    const word = pos >> 6;
    const off = <u64>(pos & 63);
    let v = load<u64>(WORDS + word * 8) >> off;
    if (off > 38) v |= load<u64>(WORDS + word * 8 + 8) << (64 - off);
    store<i64>(r + i * 8, <i64>(v & 0x3ffffff));
  }
}

/** r = a fully reduced into 0…p−1 (limbs exact, limb 9 below 2^22). */
function feNormalize(r: usize, a: usize): void {
  let t0 = load<i64>(a, 0);
  let t1 = load<i64>(a, 8);
  let t2 = load<i64>(a, 16);
  let t3 = load<i64>(a, 24);
  let t4 = load<i64>(a, 32);
  let t5 = load<i64>(a, 40);
  let t6 = load<i64>(a, 48);
  let t7 = load<i64>(a, 56);
  let t8 = load<i64>(a, 64);
  let t9 = load<i64>(a, 72);
  for (let round = 0; round < 2; round++) {
    const c = t9 >> 22;
    t9 &= 0x3fffff;
    t0 += c * 0x3d1;
    t1 += c << 6;
    t1 += t0 >> 26; t0 &= 0x3ffffff;
    t2 += t1 >> 26; t1 &= 0x3ffffff;
    t3 += t2 >> 26; t2 &= 0x3ffffff;
    t4 += t3 >> 26; t3 &= 0x3ffffff;
    t5 += t4 >> 26; t4 &= 0x3ffffff;
    t6 += t5 >> 26; t5 &= 0x3ffffff;
    t7 += t6 >> 26; t6 &= 0x3ffffff;
    t8 += t7 >> 26; t7 &= 0x3ffffff;
    t9 += t8 >> 26; t8 &= 0x3ffffff;
  }
  // now below 2^256; subtract p when value + (2^256 − p) reaches 2^256
  let u0 = t0 + 0x3d1;
  let u1 = t1 + 0x40;
  u1 += u0 >> 26; u0 &= 0x3ffffff;
  let u2 = t2 + (u1 >> 26); u1 &= 0x3ffffff;
  let u3 = t3 + (u2 >> 26); u2 &= 0x3ffffff;
  let u4 = t4 + (u3 >> 26); u3 &= 0x3ffffff;
  let u5 = t5 + (u4 >> 26); u4 &= 0x3ffffff;
  let u6 = t6 + (u5 >> 26); u5 &= 0x3ffffff;
  let u7 = t7 + (u6 >> 26); u6 &= 0x3ffffff;
  let u8 = t8 + (u7 >> 26); u7 &= 0x3ffffff;
  let u9 = t9 + (u8 >> 26); u8 &= 0x3ffffff;
  if (u9 >> 22) {
    t0 = u0; t1 = u1; t2 = u2; t3 = u3; t4 = u4; t5 = u5; t6 = u6; t7 = u7; t8 = u8; t9 = u9 & 0x3fffff;
  }
  store<i64>(r, t0, 0);
  store<i64>(r, t1, 8);
  store<i64>(r, t2, 16);
  store<i64>(r, t3, 24);
  store<i64>(r, t4, 32);
  store<i64>(r, t5, 40);
  store<i64>(r, t6, 48);
  store<i64>(r, t7, 56);
  store<i64>(r, t8, 64);
  store<i64>(r, t9, 72);
}

/** Whether a ≡ b (mod p). Uses temporaries 30 and 31. */
function feEqual(a: usize, b: usize): bool {
  feNormalize(tmp(30), a);
  feNormalize(tmp(31), b);
  for (let i: usize = 0; i < 80; i += 8) if (load<i64>(tmp(30) + i) != load<i64>(tmp(31) + i)) return false;
  return true;
}

/** Whether a ≡ 0 (mod p). Uses temporary 30. */
function feIsZero(a: usize): bool {
  feNormalize(tmp(30), a);
  let acc: i64 = 0;
  for (let i: usize = 0; i < 80; i += 8) acc |= load<i64>(tmp(30) + i);
  return acc == 0;
}

function feSqrN(r: usize, a: usize, n: i32): void {
  feSqr(r, a);
  for (let i = 1; i < n; i++) feSqr(r, r);
}

/** x2, x3, …, x223 of the addition chain for p: x_k = a^(2^k − 1). Uses temporaries 20–28. */
function fePowChain(a: usize): void {
  const x2 = tmp(20), x3 = tmp(21), x6 = tmp(22), x9 = tmp(23), x11 = tmp(24), x22 = tmp(25), x44 = tmp(26), t = tmp(27);
  feSqr(x2, a);
  feMul(x2, x2, a);
  feSqr(x3, x2);
  feMul(x3, x3, a);
  feSqrN(x6, x3, 3);
  feMul(x6, x6, x3);
  feSqrN(x9, x6, 3);
  feMul(x9, x9, x3);
  feSqrN(x11, x9, 2);
  feMul(x11, x11, x2);
  feSqrN(x22, x11, 11);
  feMul(x22, x22, x11);
  feSqrN(x44, x22, 22);
  feMul(x44, x44, x22);
  feSqrN(t, x44, 44); // x88
  feMul(t, t, x44);
  const x88 = tmp(28);
  feCopy(x88, t);
  feSqrN(t, x88, 88); // x176
  feMul(t, t, x88);
  feSqrN(t, t, 44); // x220
  feMul(t, t, x44);
  feSqrN(t, t, 3); // x223
  feMul(t, t, x3);
  feSqrN(t, t, 23);
  feMul(t, t, x22);
}

/** r = a^(p−2) = 1/a. */
function feInv(r: usize, a: usize): void {
  fePowChain(a);
  const t = tmp(27);
  feSqrN(t, t, 5);
  feMul(t, t, a);
  feSqrN(t, t, 3);
  feMul(t, t, tmp(20));
  feSqrN(t, t, 2);
  feMul(r, t, a);
}

/** r = a^((p+1)/4), a square root of a when one exists. */
function feSqrt(r: usize, a: usize): void {
  fePowChain(a);
  const t = tmp(27);
  feSqrN(t, t, 6);
  feMul(t, t, tmp(20));
  feSqrN(r, t, 2);
}

// ---- points ------------------------------------------------------------------------------------

@inline function isInf(p: usize): bool {
  return load<i32>(p, 240) != 0;
}
@inline function setInf(p: usize, v: bool): void {
  store<i32>(p, v ? 1 : 0, 240);
}

function ptCopy(r: usize, p: usize): void {
  for (let i: usize = 0; i < PT; i += 8) store<i64>(r + i, load<i64>(p + i));
}

/** r = 2p (a = 0). r may be p. Temporaries 0–6. */
function ptDouble(r: usize, p: usize): void {
  if (isInf(p)) {
    setInf(r, true);
    return;
  }
  const X = p, Y = p + FE, Z = p + 2 * FE;
  const A = tmp(0), B = tmp(1), C = tmp(2), D = tmp(3), E = tmp(4), F = tmp(5), Z3 = tmp(6);
  feMul(Z3, Y, Z);
  feAdd(Z3, Z3, Z3);
  feSqr(A, X);
  feSqr(B, Y);
  feSqr(C, B);
  feAdd(D, X, B);
  feSqr(D, D);
  feSub(D, D, A);
  feSub(D, D, C);
  feAdd(D, D, D);
  feMulSmall(E, A, 3);
  feSqr(F, E);
  // X3 = F − 2D
  feSub(r, F, D);
  feSub(r, r, D);
  // Y3 = E(D − X3) − 8C
  feSub(D, D, r);
  feMul(D, D, E);
  feMulSmall(C, C, 8);
  feSub(r + FE, D, C);
  feCopy(r + 2 * FE, Z3);
  setInf(r, false);
}

/**
 * r = p + (±q) where q is Jacobian, or affine when `affine` (then Z2 = 1). r may be p. Handles
 * infinity, p = q (doubling) and p = −q. Temporaries 7–19 (and 0–6 through ptDouble); H is left in
 * temporary 12 (the ratio Z3/Z1 of a mixed addition). With `affine` and a `zScale` K (non-zero
 * pointer), p lives on the isomorphic curve (x, y) ↦ (K²x, K³y) while q is a point of the curve
 * itself: q is mapped on the fly, which costs one multiplication (Z1·K replaces Z1 in U2 and S2).
 */
function ptAdd(r: usize, p: usize, q: usize, negate: bool, affine: bool, zScale: usize = 0): void {
  if (!affine && isInf(q)) {
    if (r != p) ptCopy(r, p);
    return;
  }
  if (isInf(p)) {
    if (zScale != 0) {
      const k2 = tmp(19);
      feSqr(k2, zScale);
      feMul(r, q, k2);
      feMul(k2, k2, zScale);
      feMul(r + FE, q + FE, k2);
      if (negate) feSub(r + FE, ZERO, r + FE);
    } else {
      feCopy(r, q);
      if (negate) feSub(r + FE, ZERO, q + FE);
      else feCopy(r + FE, q + FE);
    }
    if (affine) feSetSmall(r + 2 * FE, 1);
    else feCopy(r + 2 * FE, q + 2 * FE);
    setInf(r, false);
    return;
  }
  const X1 = p, Y1 = p + FE, Z1 = p + 2 * FE;
  const X2 = q, Y2 = q + FE, Z2 = q + 2 * FE;
  const Z1Z1 = tmp(7), U1 = tmp(8), U2 = tmp(9), S1 = tmp(10), S2 = tmp(11), H = tmp(12), R = tmp(13);
  const HH = tmp(14), HHH = tmp(15), V = tmp(16), T = tmp(17), Z2Z2 = tmp(18);
  let Zu = Z1;
  if (zScale != 0) {
    Zu = tmp(19);
    feMul(Zu, Z1, zScale);
  }
  feSqr(Z1Z1, Zu);
  if (affine) {
    feCopy(U1, X1);
    feCopy(S1, Y1);
  } else {
    feSqr(Z2Z2, Z2);
    feMul(U1, X1, Z2Z2);
    feMul(S1, Y1, Z2);
    feMul(S1, S1, Z2Z2);
  }
  feMul(U2, X2, Z1Z1);
  feMul(S2, Y2, Zu);
  feMul(S2, S2, Z1Z1);
  if (negate) feSub(S2, ZERO, S2);
  feSub(H, U2, U1);
  feSub(R, S2, S1);
  if (feIsZero(H)) {
    if (feIsZero(R)) {
      // p = ±q as chosen: double p
      ptDouble(r, p);
    } else setInf(r, true);
    return;
  }
  feSqr(HH, H);
  feMul(HHH, H, HH);
  feMul(V, U1, HH);
  // Z3 = Z1·Z2·H (before X1/Y1/Z1 may be overwritten)
  if (affine) feMul(r + 2 * FE, Z1, H);
  else {
    feMul(T, Z1, Z2);
    feMul(r + 2 * FE, T, H);
  }
  // X3 = R² − HHH − 2V
  feSqr(T, R);
  feSub(T, T, HHH);
  feSub(T, T, V);
  feSub(r, T, V);
  // Y3 = R(V − X3) − S1·HHH
  feSub(V, V, r);
  feMul(V, V, R);
  feMul(S1, S1, HHH);
  feSub(r + FE, V, S1);
  setInf(r, false);
}

/** An all-zero field element. */
const ZERO: usize = SCRATCH + 29 * FE;

// ---- scalars -----------------------------------------------------------------------------------

/**
 * Width-w NAF of the 32-byte big-endian scalar at `bytes` into `bits` i32 digits (257 for any scalar;
 * fewer for a scalar known to be below 2^(bits − w − 2)); returns the length.
 */
function wnaf(out: usize, bytes: usize, w: i32, bits: i32): i32 {
  for (let k: usize = 0; k < 4; k++) store<u64>(WORDS + k * 8, bswap<u64>(load<u64>(bytes + 24 - k * 8)));
  store<u64>(WORDS + 32, 0);
  for (let i: usize = 0; i < <usize>bits; i++) store<i32>(out + i * 4, 0);
  let carry: i32 = 0;
  let bit: i32 = 0;
  let len: i32 = 0;
  while (bit < bits) {
    if (getBits(bit, 1) == carry) {
      bit++;
      continue;
    }
    let now = w;
    if (now > bits - bit) now = bits - bit;
    let word = getBits(bit, now) + carry;
    carry = (word >> (w - 1)) & 1;
    word -= carry << w;
    store<i32>(out + <usize>bit * 4, word);
    len = bit + 1;
    bit += now;
  }
  return len;
}

function getBits(pos: i32, count: i32): i32 {
  const word = <usize>(pos >> 6);
  const off = <u64>(pos & 63);
  let v = load<u64>(WORDS + word * 8) >> off;
  if (off + <u64>count > 64) v |= load<u64>(WORDS + word * 8 + 8) << (64 - off);
  return <i32>(v & ((<u64>1 << <u64>count) - 1));
}

// ---- entry points ------------------------------------------------------------------------------

function curveRhs(r: usize, x: usize): void {
  feSqr(r, x);
  feMul(r, r, x);
  const seven = tmp(29 - 1);
  feSetSmall(seven, 7);
  feAdd(r, r, seven);
}

/** Parses 32 big-endian bytes into r; false when the number is not below p. */
function feFromBytesChecked(r: usize, bytes: usize): bool {
  feFromBytes(r, bytes);
  feNormalize(tmp(30), r);
  for (let i: usize = 0; i < 80; i += 8) if (load<i64>(tmp(30) + i) != load<i64>(r + i)) return false;
  return true;
}

/** r = the affine point at `aff` as a Jacobian point. */
function ptFromAffine(r: usize, aff: usize): void {
  feCopy(r, aff);
  feCopy(r + FE, aff + FE);
  feSetSmall(r + 2 * FE, 1);
  setInf(r, false);
}

/** The odd multiples of the Jacobian point at `at` (P itself; not infinity) into `at`, `at` + PT, …: P, 3P, …, (2·count − 1)P. */
function oddMultiples(at: usize, count: i32): void {
  ptDouble(TMP_PT, at);
  for (let i: i32 = 1; i < count; i++) {
    const prev = at + <usize>(i - 1) * PT;
    ptAdd(prev + PT, prev, TMP_PT, false, false);
  }
}

/**
 * For the affine point P at `aff` (a curve point of order n), writes four tables of `count` fully
 * reduced affine points, AFF apart, from `out`: P, 3P, …, (2·count − 1)P; λ times those, (βx, y);
 * the same two for P' = 2^SPLIT·P. Uses BUILD (2·count Jacobian points, then their prefix products
 * for one batch inversion), TMP_PT and the temporaries. No multiple is infinity or equal to 2P, so
 * every sum is a plain addition.
 */
function buildTables(aff: usize, count: i32, out: usize): void {
  const total = 2 * count;
  const second = BUILD + <usize>count * PT;
  ptFromAffine(BUILD, aff);
  oddMultiples(BUILD, count);
  ptFromAffine(second, aff);
  for (let i = 0; i < SPLIT; i++) ptDouble(second, second);
  oddMultiples(second, count);
  const prefix = BUILD + <usize>total * PT;
  feCopy(prefix, BUILD + 2 * FE);
  for (let i: i32 = 1; i < total; i++) {
    feMul(prefix + <usize>i * FE, prefix + <usize>(i - 1) * FE, BUILD + <usize>i * PT + 2 * FE);
  }
  const inv = tmp(1), zi = tmp(2), zi2 = tmp(3), t = tmp(4);
  feInv(inv, prefix + <usize>(total - 1) * FE);
  for (let i: i32 = total - 1; i >= 0; i--) {
    const jp = BUILD + <usize>i * PT;
    if (i > 0) feMul(zi, inv, prefix + <usize>(i - 1) * FE);
    else feCopy(zi, inv);
    feMul(inv, inv, jp + 2 * FE);
    feSqr(zi2, zi);
    // P's multiples go to table 0, P′'s to table 2; their λ twins one table further
    const o = out + <usize>(i < count ? i : i + count) * AFF;
    feMul(t, jp, zi2);
    feNormalize(o, t);
    feMul(zi2, zi2, zi);
    feMul(t, jp + FE, zi2);
    feNormalize(o + FE, t);
    const o2 = o + <usize>count * AFF;
    feMul(t, o, BETA);
    feNormalize(o2, t);
    feCopy(o2 + FE, o + FE);
  }
}

/**
 * Builds the tables of odd multiples G, 3G, …, (2^(G_WINDOW−1) − 1)G and of G' = 2^SPLIT·G (and λ
 * times both) in affine coordinates, and grows the memory to hold `keySlots` cached keys. Call once
 * after instantiation; returns the number of entries of each table.
 */
export function init(keySlots: i32): i32 {
  const end = KEYS + <usize>keySlots * KEY_SLOT;
  const have = <usize>memory.size() << 16;
  if (have < end) memory.grow(<i32>((end - have + 65535) >> 16));
  feSetSmall(ZERO, 0);
  feFromBytes(BETA, IO_BETA);
  feFromBytes(GAFF, IO_QX);
  feFromBytes(GAFF + FE, IO_QX + 32);
  buildTables(GAFF, G_COUNT, GTABLE);
  return G_COUNT;
}

/**
 * Parses the key at IO_KEY: `len` 33 (02/03 ‖ x) or 65 (04 ‖ x ‖ y; the host maps hybrid keys to 04).
 * Returns 1 and writes y (big-endian) to IO_Y when it is a curve point with x, y below p, else 0.
 */
export function loadKey(len: i32): i32 {
  const x = QAFF, y = QAFF + FE, rhs = tmp(1), yy = tmp(2);
  const prefix = load<u8>(IO_KEY);
  if (!feFromBytesChecked(x, IO_KEY + 1)) return 0;
  curveRhs(rhs, x);
  if (len == 33) {
    if (prefix != 2 && prefix != 3) return 0;
    feSqrt(y, rhs);
    feSqr(yy, y);
    if (!feEqual(yy, rhs)) return 0;
    feNormalize(y, y);
    if (<u32>(load<i64>(y) & 1) != <u32>(prefix & 1)) {
      feSub(y, ZERO, y);
      feNormalize(y, y);
    }
  } else if (len == 65) {
    if (prefix != 4) return 0;
    if (!feFromBytesChecked(y, IO_KEY + 33)) return 0;
    feSqr(yy, y);
    if (!feEqual(yy, rhs)) return 0;
  } else return 0;
  feToBytes(IO_Y, y);
  return 1;
}

/**
 * u1·G + u2·Q for the key last loaded, then whether the result's x ≡ r (mod n). The host splits
 * u1 = a + b·λ and u2 = c + d·λ (GLV) and writes |a|, |b|, |c|, |d| (below 2^129) to IO_U1, IO_U1B,
 * IO_U2, IO_U2B; bit 0…3 of `negative` say which of a, b, c, d are negative. `withRn` says that
 * r + n < p, whose bytes are at IO_RN, is a second candidate for x.
 */
export function verify(negative: i32, withRn: i32): i32 {
  // Odd multiples Q, 3Q, …, 15Q and λ times them, as affine points of an isomorphic curve
  // E_K: (x, y) ↦ (K²x, K³y), so that adding them is a mixed addition. With D = 2Q = (X, Y, C) in
  // Jacobian coordinates, D is affine (X, Y) on E_C; the multiples are summed there from C²x, C³y,
  // and then brought to the Z of the last one, Z7, through the ratios H of the additions. The
  // points are then affine on E_K with K = C·Z7, where the accumulator works too.
  const twoQ = TMP_PT;
  feCopy(twoQ, QAFF);
  feCopy(twoQ + FE, QAFF + FE);
  feSetSmall(twoQ + 2 * FE, 1);
  setInf(twoQ, false);
  ptDouble(twoQ, twoQ);
  const c2 = tmp(20), c3 = tmp(21);
  feSqr(c2, twoQ + 2 * FE);
  feMul(c3, c2, twoQ + 2 * FE);
  feMul(QTABLE, QAFF, c2);
  feMul(QTABLE + FE, QAFF + FE, c3);
  feSetSmall(QTABLE + 2 * FE, 1);
  setInf(QTABLE, false);
  for (let i: usize = 1; i < 8; i++) {
    ptAdd(QTABLE + i * PT, QTABLE + (i - 1) * PT, twoQ, false, true);
    feCopy(QRATIO + i * FE, tmp(12));
  }
  feMul(QSCALE, twoQ + 2 * FE, QTABLE + 7 * PT + 2 * FE);
  const rho = tmp(20), rho2 = tmp(21), rho3 = tmp(22);
  feSetSmall(rho, 1);
  for (let k: i32 = 7; k >= 0; k--) {
    const i = <usize>k;
    const entry = QTABLE + i * PT;
    if (i < 7) {
      feMul(rho, rho, QRATIO + (i + 1) * FE);
      feSqr(rho2, rho);
      feMul(rho3, rho2, rho);
      feMul(entry, entry, rho2);
      feMul(entry + FE, entry + FE, rho3);
    }
    const lambda = QTABLE2 + i * PT;
    feMul(lambda, entry, BETA);
    feCopy(lambda + FE, entry + FE);
  }
  let len = wnaf(WNAF_G, IO_U1, G_WINDOW, 257);
  let l = wnaf(WNAF_G2, IO_U1B, G_WINDOW, 257);
  if (l > len) len = l;
  l = wnaf(WNAF_Q, IO_U2, Q_WINDOW, 257);
  if (l > len) len = l;
  l = wnaf(WNAF_Q2, IO_U2B, Q_WINDOW, 257);
  if (l > len) len = l;
  const negG = (negative & 1) != 0, negG2 = (negative & 2) != 0;
  const negQ = (negative & 4) != 0, negQ2 = (negative & 8) != 0;
  const acc = ACC;
  setInf(acc, true);
  let i = len;
  while (i > 0) {
    i--;
    ptDouble(acc, acc);
    const at = <usize>i * 4;
    let d = load<i32>(WNAF_Q + at);
    if (d != 0) ptAdd(acc, acc, QTABLE + <usize>((d < 0 ? -d : d) >> 1) * PT, (d < 0) != negQ, true);
    d = load<i32>(WNAF_Q2 + at);
    if (d != 0) ptAdd(acc, acc, QTABLE2 + <usize>((d < 0 ? -d : d) >> 1) * PT, (d < 0) != negQ2, true);
    d = load<i32>(WNAF_G + at);
    if (d != 0) ptAdd(acc, acc, GTABLE + <usize>((d < 0 ? -d : d) >> 1) * AFF, (d < 0) != negG, true, QSCALE);
    d = load<i32>(WNAF_G2 + at);
    if (d != 0) ptAdd(acc, acc, GTABLE2 + <usize>((d < 0 ? -d : d) >> 1) * AFF, (d < 0) != negG2, true, QSCALE);
  }
  if (isInf(acc)) return 0;
  // the accumulator (X, Y, Z) on E_K is (X, Y, Z·K) on the curve
  const zz = tmp(1), cand = tmp(2), x = tmp(3);
  feMul(zz, acc + 2 * FE, QSCALE);
  feSqr(zz, zz);
  feNormalize(x, acc);
  feFromBytes(cand, IO_R);
  feMul(cand, cand, zz);
  if (feEqual(cand, x)) return 1;
  if (withRn != 0) {
    feFromBytes(cand, IO_RN);
    feMul(cand, cand, zz);
    if (feEqual(cand, x)) return 1;
  }
  return 0;
}

/**
 * Fills key slot `slot` (below the `keySlots` given to init) with the tables of the key last loaded
 * by loadKey (which must have returned 1): odd multiples of Q, λQ, Q' = 2^SPLIT·Q and λQ', affine.
 */
export function cacheKey(slot: i32): void {
  buildTables(QAFF, <i32>Q_COUNT, KEYS + <usize>slot * KEY_SLOT);
}

/** acc += the digit d's odd multiple from `table` (AFF apart), negated when `negate`; d may be 0. */
@inline function addDigit(d: i32, table: usize, negate: bool): void {
  if (d != 0) ptAdd(ACC, ACC, table + <usize>((d < 0 ? -d : d) >> 1) * AFF, (d < 0) != negate, true);
}

/**
 * `verify` for the key cached in `slot`: the host splits each GLV half again, |half| = low +
 * high·2^SPLIT (low parts at IO_U1, IO_U1B, IO_U2, IO_U2B; high parts at IO_U1H, IO_U1BH, IO_U2H,
 * IO_U2BH; `negative` as for verify, for both parts of a half), so u1·G + u2·Q is a sum of eight
 * multiples of fixed points below 2^SPLIT and takes SPLIT doublings instead of 129; every table is
 * affine on the curve itself.
 */
export function verifyCached(slot: i32, negative: i32, withRn: i32): i32 {
  const base = KEYS + <usize>slot * KEY_SLOT;
  const qt = base, qt2 = base + Q_COUNT * AFF, qt3 = base + 2 * Q_COUNT * AFF, qt4 = base + 3 * Q_COUNT * AFF;
  let len = wnaf(WNAF_G, IO_U1, G_WINDOW, SPLIT_BITS);
  let l = wnaf(WNAF_G2, IO_U1B, G_WINDOW, SPLIT_BITS);
  if (l > len) len = l;
  l = wnaf(WNAF_G3, IO_U1H, G_WINDOW, SPLIT_BITS);
  if (l > len) len = l;
  l = wnaf(WNAF_G4, IO_U1BH, G_WINDOW, SPLIT_BITS);
  if (l > len) len = l;
  l = wnaf(WNAF_Q, IO_U2, KEY_WINDOW, SPLIT_BITS);
  if (l > len) len = l;
  l = wnaf(WNAF_Q2, IO_U2B, KEY_WINDOW, SPLIT_BITS);
  if (l > len) len = l;
  l = wnaf(WNAF_Q3, IO_U2H, KEY_WINDOW, SPLIT_BITS);
  if (l > len) len = l;
  l = wnaf(WNAF_Q4, IO_U2BH, KEY_WINDOW, SPLIT_BITS);
  if (l > len) len = l;
  const negG = (negative & 1) != 0, negG2 = (negative & 2) != 0;
  const negQ = (negative & 4) != 0, negQ2 = (negative & 8) != 0;
  setInf(ACC, true);
  let i = len;
  while (i > 0) {
    i--;
    ptDouble(ACC, ACC);
    const at = <usize>i * 4;
    addDigit(load<i32>(WNAF_Q + at), qt, negQ);
    addDigit(load<i32>(WNAF_Q2 + at), qt2, negQ2);
    addDigit(load<i32>(WNAF_Q3 + at), qt3, negQ);
    addDigit(load<i32>(WNAF_Q4 + at), qt4, negQ2);
    addDigit(load<i32>(WNAF_G + at), GTABLE, negG);
    addDigit(load<i32>(WNAF_G2 + at), GTABLE2, negG2);
    addDigit(load<i32>(WNAF_G3 + at), GTABLE3, negG);
    addDigit(load<i32>(WNAF_G4 + at), GTABLE4, negG2);
  }
  if (isInf(ACC)) return 0;
  const zz = tmp(1), cand = tmp(2), x = tmp(3);
  feSqr(zz, ACC + 2 * FE);
  feNormalize(x, ACC);
  feFromBytes(cand, IO_R);
  feMul(cand, cand, zz);
  if (feEqual(cand, x)) return 1;
  if (withRn != 0) {
    feFromBytes(cand, IO_RN);
    feMul(cand, cand, zz);
    if (feEqual(cand, x)) return 1;
  }
  return 0;
}

// ---- scalar inversion mod n ---------------------------------------------------------------------
//
// Binary extended GCD with 31 steps at a time on 64-bit approximations (T. Pornin, "Optimized Binary
// GCD for Modular Inversion", 2020), numbers as nine signed 30-bit limbs in i64 words: a and b (the
// pair whose GCD is taken, b starting at n), u and v with a ≡ u·y and b ≡ v·y (mod n), kept exact by
// dividing u and v by 2^31 mod n (Montgomery style) whenever a and b are divided by 2^31. The host
// checks the result (a·a⁻¹ ≡ 1) and has its own inversion as a fallback.

const L30: i64 = 0x3fffffff;
const INV_A: usize = SCRATCH - 512; // a, b, u, v: 10 i64 words each (9 limbs used), then a product
const INV_B: usize = INV_A + 80;
const INV_U: usize = INV_B + 80;
const INV_V: usize = INV_U + 80;
const INV_T: usize = INV_V + 80; // 11 words of a product
/** n^(−1) mod 2^31. */
const N_INV31: i64 = 0x2a774ec1;
/** Outer iterations: 18·31 = 558 steps, above the bound of 2·256 − 1 (once b = 1 and a = 0, more rounds change nothing). */
const INV_ROUNDS: i32 = 18;

@inline function nLimb(i: i32): i64 {
  switch (i) {
    case 0: return 0x10364141;
    case 1: return 0x3f497a33;
    case 2: return 0x348a03bb;
    case 3: return 0x2bb739ab;
    case 4: return 0x3ffffeba;
    case 8: return 0xffff;
    default: return 0x3fffffff;
  }
}

/** The 32-byte big-endian number at `bytes` into nine 30-bit limbs at `r`. */
function limbsFromBytes(r: usize, bytes: usize): void {
  for (let k: usize = 0; k < 4; k++) store<u64>(WORDS + k * 8, bswap<u64>(load<u64>(bytes + 24 - k * 8)));
  store<u64>(WORDS + 32, 0);
  for (let i: usize = 0; i < 9; i++) {
    const pos = i * 30;
    const word = pos >> 6;
    const off = <u64>(pos & 63);
    let v = load<u64>(WORDS + word * 8) >> off;
    if (off > 34) v |= load<u64>(WORDS + word * 8 + 8) << (64 - off);
    store<i64>(r + i * 8, <i64>(v & 0x3fffffff));
  }
}

/** Nine 30-bit limbs at `a` (a value below 2^256) as 32 big-endian bytes at `bytes`. */
function limbsToBytes(bytes: usize, a: usize): void {
  for (let k: usize = 0; k < 5; k++) store<u64>(WORDS + k * 8, 0);
  for (let i: usize = 0; i < 9; i++) {
    const pos = i * 30;
    const word = pos >> 6;
    const off = <u64>(pos & 63);
    const v = <u64>load<i64>(a + i * 8);
    store<u64>(WORDS + word * 8, load<u64>(WORDS + word * 8) | (v << off));
    if (off > 34) store<u64>(WORDS + word * 8 + 8, load<u64>(WORDS + word * 8 + 8) | (v >> (64 - off)));
  }
  for (let k: usize = 0; k < 4; k++) store<u64>(bytes + 24 - k * 8, bswap<u64>(load<u64>(WORDS + k * 8)));
}

/** `count` (≤ 33) bits of the non-negative limbs at `a` from bit `pos`. */
function limbBits(a: usize, pos: i32, count: i32): u64 {
  const first = pos / 30;
  const off = pos % 30;
  let v: u64 = <u64>load<i64>(a + <usize>first * 8) >> <u64>off;
  let have = 30 - off;
  let next = first + 1;
  while (have < count && next < 9) {
    v |= <u64>load<i64>(a + <usize>next * 8) << <u64>have;
    have += 30;
    next++;
  }
  return v & ((<u64>1 << <u64>count) - 1);
}

/** Bit length of the non-negative limbs at `a` (0 for zero). */
function limbBitLength(a: usize): i32 {
  for (let i = 8; i >= 0; i--) {
    const l = load<i64>(a + <usize>i * 8);
    if (l != 0) return i * 30 + 64 - <i32>clz<i64>(l);
  }
  return 0;
}

/**
 * INV_T = x·f + y·g (nine limbs each, f and g below 2^31 in magnitude), carried into limbs 0…9 of
 * 30 bits with a signed top limb 9.
 */
function linearCombination(x: usize, y: usize, f: i64, g: i64): void {
  let carry: i64 = 0;
  for (let i: usize = 0; i < 9; i++) {
    const s = load<i64>(x + i * 8) * f + load<i64>(y + i * 8) * g + carry;
    store<i64>(INV_T + i * 8, s & L30);
    carry = s >> 30;
  }
  store<i64>(INV_T + 72, carry);
}

/** r = INV_T / 2^31 (exact: the caller made the low 31 bits zero); limbs 0…7 of 30 bits, limb 8 signed. */
function shiftProduct(r: usize): void {
  for (let i: usize = 0; i < 8; i++) {
    store<i64>(r + i * 8, (load<i64>(INV_T + (i + 1) * 8) >> 1) | ((load<i64>(INV_T + (i + 2) * 8) & 1) << 29));
  }
  store<i64>(r + 64, load<i64>(INV_T + 72) >> 1);
}

/** r = −r for limbs as `shiftProduct` leaves them. */
function limbsNegate(r: usize): void {
  let carry: i64 = 0;
  for (let i: usize = 0; i < 8; i++) {
    const s = carry - load<i64>(r + i * 8);
    store<i64>(r + i * 8, s & L30);
    carry = s >> 30;
  }
  store<i64>(r + 64, carry - load<i64>(r + 64));
}

/** r += sign·n (sign ±1) for limbs as `shiftProduct` leaves them. */
function limbsAddN(r: usize, sign: i64): void {
  let carry: i64 = 0;
  for (let i = 0; i < 8; i++) {
    const s = load<i64>(r + <usize>i * 8) + sign * nLimb(i) + carry;
    store<i64>(r + <usize>i * 8, s & L30);
    carry = s >> 30;
  }
  store<i64>(r + 64, load<i64>(r + 64) + sign * nLimb(8) + carry);
}

/** Whether the limbs at `r` (non-negative top) are ≥ n. */
function limbsAtLeastN(r: usize): bool {
  for (let i = 8; i >= 0; i--) {
    const l = load<i64>(r + <usize>i * 8);
    const m = nLimb(i);
    if (l != m) return l > m;
  }
  return true;
}

/** r = (x·f + y·g) / 2^31 mod n, in 0…n−1, for x, y in 0…n−1. */
function updateModN(r: usize, x: usize, y: usize, f: i64, g: i64): void {
  linearCombination(x, y, f, g);
  // add k·n with k ≡ −t·n⁻¹ (mod 2^31), which makes the low 31 bits zero
  const low = load<i64>(INV_T) | ((load<i64>(INV_T + 8) & 1) << 30);
  const k = (-(low * N_INV31)) & 0x7fffffff;
  let carry: i64 = 0;
  for (let i = 0; i < 9; i++) {
    const s = load<i64>(INV_T + <usize>i * 8) + k * nLimb(i) + carry;
    store<i64>(INV_T + <usize>i * 8, s & L30);
    carry = s >> 30;
  }
  store<i64>(INV_T + 72, load<i64>(INV_T + 72) + carry);
  shiftProduct(r);
  while (load<i64>(r + 64) < 0) limbsAddN(r, 1);
  while (limbsAtLeastN(r)) limbsAddN(r, -1);
}

/**
 * The inverse mod n of the scalar at IO_INV (1…n−1), written back to IO_INV; returns 1, or 0 when
 * the run did not end with gcd 1 (the host then inverts on its own).
 */
export function invertScalar(): i32 {
  limbsFromBytes(INV_A, IO_INV);
  for (let i = 0; i < 9; i++) {
    store<i64>(INV_B + <usize>i * 8, nLimb(i));
    store<i64>(INV_U + <usize>i * 8, i == 0 ? 1 : 0);
    store<i64>(INV_V + <usize>i * 8, 0);
  }
  for (let round = 0; round < INV_ROUNDS; round++) {
    let len = limbBitLength(INV_A);
    const lb = limbBitLength(INV_B);
    if (lb > len) len = lb;
    if (len < 64) len = 64;
    let xa: u64 = limbBits(INV_A, 0, 31) | (limbBits(INV_A, len - 33, 33) << 31);
    let xb: u64 = limbBits(INV_B, 0, 31) | (limbBits(INV_B, len - 33, 33) << 31);
    let f0: i64 = 1, g0: i64 = 0, f1: i64 = 0, g1: i64 = 1;
    for (let j = 0; j < 31; j++) {
      if ((xa & 1) != 0) {
        if (xa < xb) {
          const t = xa; xa = xb; xb = t;
          let s = f0; f0 = f1; f1 = s;
          s = g0; g0 = g1; g1 = s;
        }
        xa -= xb;
        f0 -= f1;
        g0 -= g1;
      }
      xa >>= 1;
      f1 <<= 1;
      g1 <<= 1;
    }
    linearCombination(INV_A, INV_B, f0, g0);
    shiftProduct(tmp(0));
    linearCombination(INV_A, INV_B, f1, g1);
    shiftProduct(tmp(1));
    if (load<i64>(tmp(0) + 64) < 0) {
      limbsNegate(tmp(0));
      f0 = -f0;
      g0 = -g0;
    }
    if (load<i64>(tmp(1) + 64) < 0) {
      limbsNegate(tmp(1));
      f1 = -f1;
      g1 = -g1;
    }
    for (let i: usize = 0; i < 72; i += 8) {
      store<i64>(INV_A + i, load<i64>(tmp(0) + i));
      store<i64>(INV_B + i, load<i64>(tmp(1) + i));
    }
    updateModN(tmp(2), INV_U, INV_V, f0, g0);
    updateModN(tmp(3), INV_U, INV_V, f1, g1);
    for (let i: usize = 0; i < 72; i += 8) {
      store<i64>(INV_U + i, load<i64>(tmp(2) + i));
      store<i64>(INV_V + i, load<i64>(tmp(3) + i));
    }
  }
  // b = 1 (and a = 0): v·y ≡ 1
  if (load<i64>(INV_B) != 1) return 0;
  for (let i: usize = 8; i < 72; i += 8) if (load<i64>(INV_B + i) != 0) return 0;
  limbsToBytes(IO_INV, INV_V);
  return 1;
}

function feToBytes(bytes: usize, a: usize): void {
  feNormalize(tmp(30), a);
  for (let k: usize = 0; k < 5; k++) store<u64>(WORDS + k * 8, 0);
  for (let i: usize = 0; i < 10; i++) {
    const pos = i * 26;
    const word = pos >> 6;
    const off = <u64>(pos & 63);
    const v = <u64>load<i64>(tmp(30) + i * 8);
    store<u64>(WORDS + word * 8, load<u64>(WORDS + word * 8) | (v << off));
    if (off > 38) store<u64>(WORDS + word * 8 + 8, load<u64>(WORDS + word * 8 + 8) | (v >> (64 - off)));
  }
  for (let k: usize = 0; k < 4; k++) store<u64>(bytes + 24 - k * 8, bswap<u64>(load<u64>(WORDS + k * 8)));
}

/**
 * Field arithmetic for tests: op 0 a·b, 1 a², 2 a + b, 3 a − b, 4 1/a, 5 a^((p+1)/4), else a, with
 * a and b read from IO_U1 and IO_U2 (big-endian) and the reduced result written to IO_R.
 */
export function testFieldOp(op: i32): void {
  const a = tmp(10), b = tmp(11), c = tmp(12);
  feFromBytes(a, IO_U1);
  feFromBytes(b, IO_U2);
  if (op == 0) feMul(c, a, b);
  else if (op == 1) feSqr(c, a);
  else if (op == 2) feAdd(c, a, b);
  else if (op == 3) feSub(c, a, b);
  else if (op == 4) feInv(c, a);
  else if (op == 5) feSqrt(c, a);
  else feCopy(c, a);
  feToBytes(IO_R, c);
}
