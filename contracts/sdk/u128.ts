// Unsigned 128-bit integers (CosmWasm `Uint128`): JSON decimal strings, checked arithmetic, no floats.

/** An immutable u128 as two u64 halves. */
export class U128 {
  constructor(
    readonly hi: u64 = 0,
    readonly lo: u64 = 0,
  ) {}

  static zero(): U128 {
    return new U128(0, 0);
  }

  static fromU64(v: u64): U128 {
    return new U128(0, v);
  }

  static max(): U128 {
    return new U128(u64.MAX_VALUE, u64.MAX_VALUE);
  }

  /** Parses a decimal string of digits only (no sign, no spaces, no exponent); null when invalid or > 2^128-1. */
  static parse(s: string): U128 | null {
    const n = s.length;
    if (n === 0 || n > 39) return null;
    // 32-bit limbs, little-endian.
    let l0: u64 = 0;
    let l1: u64 = 0;
    let l2: u64 = 0;
    let l3: u64 = 0;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c < 48 || c > 57) return null;
      let t: u64 = l0 * 10 + <u64>(c - 48);
      l0 = t & 0xffffffff;
      t = l1 * 10 + (t >> 32);
      l1 = t & 0xffffffff;
      t = l2 * 10 + (t >> 32);
      l2 = t & 0xffffffff;
      t = l3 * 10 + (t >> 32);
      l3 = t & 0xffffffff;
      if (t >> 32 !== 0) return null;
    }
    return new U128((l3 << 32) | l2, (l1 << 32) | l0);
  }

  /** Big-endian 16 bytes. */
  static fromBytesBE(b: Uint8Array): U128 {
    let hi: u64 = 0;
    let lo: u64 = 0;
    const n = b.length;
    for (let i = 0; i < n; i++) {
      hi = (hi << 8) | (lo >> 56);
      lo = (lo << 8) | (<u64>b[i]);
    }
    return new U128(hi, lo);
  }

  toBytesBE(): Uint8Array {
    const out = new Uint8Array(16);
    let hi = this.hi;
    let lo = this.lo;
    for (let i = 7; i >= 0; i--) {
      out[i] = <u8>(hi & 0xff);
      out[i + 8] = <u8>(lo & 0xff);
      hi >>= 8;
      lo >>= 8;
    }
    return out;
  }

  isZero(): bool {
    return (this.hi | this.lo) === 0;
  }

  /** -1, 0 or 1. */
  cmp(o: U128): i32 {
    if (this.hi !== o.hi) return this.hi < o.hi ? -1 : 1;
    if (this.lo !== o.lo) return this.lo < o.lo ? -1 : 1;
    return 0;
  }

  eq(o: U128): bool {
    return this.hi === o.hi && this.lo === o.lo;
  }

  lt(o: U128): bool {
    return this.cmp(o) < 0;
  }

  le(o: U128): bool {
    return this.cmp(o) <= 0;
  }

  gt(o: U128): bool {
    return this.cmp(o) > 0;
  }

  ge(o: U128): bool {
    return this.cmp(o) >= 0;
  }

  /** this + o, or null on overflow. */
  checkedAdd(o: U128): U128 | null {
    const lo = this.lo + o.lo;
    const carry: u64 = lo < this.lo ? 1 : 0;
    const hi1 = this.hi + o.hi;
    if (hi1 < this.hi) return null;
    const hi = hi1 + carry;
    if (hi < hi1) return null;
    return new U128(hi, lo);
  }

  /** this - o, or null when o > this. */
  checkedSub(o: U128): U128 | null {
    if (this.lt(o)) return null;
    const borrow: u64 = this.lo < o.lo ? 1 : 0;
    return new U128(this.hi - o.hi - borrow, this.lo - o.lo);
  }

  /** this - o, or zero when o > this. */
  saturatingSub(o: U128): U128 {
    const r = this.checkedSub(o);
    return r !== null ? r : U128.zero();
  }

  /** this + o, or 2^128-1 on overflow. */
  saturatingAdd(o: U128): U128 {
    const r = this.checkedAdd(o);
    return r !== null ? r : U128.max();
  }

  /** this × m (m a u64), or null on overflow. */
  checkedMulU64(m: u64): U128 | null {
    // Schoolbook on 32-bit limbs.
    const m0 = m & 0xffffffff;
    const m1 = m >> 32;
    const a0 = this.lo & 0xffffffff;
    const a1 = this.lo >> 32;
    const a2 = this.hi & 0xffffffff;
    const a3 = this.hi >> 32;
    // r_k accumulates limb k; each partial product < 2^64, so add with explicit carries.
    let t: u64 = a0 * m0;
    const r0 = t & 0xffffffff;
    let carry: u64 = t >> 32;
    // limb 1: a1*m0 + a0*m1 + carry
    let p = a1 * m0;
    let q = a0 * m1;
    let s = (p & 0xffffffff) + (q & 0xffffffff) + carry;
    const r1 = s & 0xffffffff;
    carry = (s >> 32) + (p >> 32) + (q >> 32);
    // limb 2: a2*m0 + a1*m1 + carry
    p = a2 * m0;
    q = a1 * m1;
    s = (p & 0xffffffff) + (q & 0xffffffff) + (carry & 0xffffffff);
    const r2 = s & 0xffffffff;
    carry = (s >> 32) + (p >> 32) + (q >> 32) + (carry >> 32);
    // limb 3: a3*m0 + a2*m1 + carry
    p = a3 * m0;
    q = a2 * m1;
    s = (p & 0xffffffff) + (q & 0xffffffff) + (carry & 0xffffffff);
    const r3 = s & 0xffffffff;
    carry = (s >> 32) + (p >> 32) + (q >> 32) + (carry >> 32);
    // limb 4 and above must be zero: a3*m1 + carry
    t = a3 * m1;
    if (t !== 0 || carry !== 0) return null;
    return new U128((r3 << 32) | r2, (r1 << 32) | r0);
  }

  /** Decimal text. */
  toString(): string {
    if (this.hi === 0) return this.lo.toString();
    // Repeated division by 10^9 on 32-bit limbs.
    let l3 = this.hi >> 32;
    let l2 = this.hi & 0xffffffff;
    let l1 = this.lo >> 32;
    let l0 = this.lo & 0xffffffff;
    const chunks = new Array<u32>();
    const BASE: u64 = 1000000000;
    while ((l3 | l2 | l1 | l0) !== 0) {
      let rem: u64 = 0;
      let t: u64 = (rem << 32) | l3;
      l3 = t / BASE;
      rem = t % BASE;
      t = (rem << 32) | l2;
      l2 = t / BASE;
      rem = t % BASE;
      t = (rem << 32) | l1;
      l1 = t / BASE;
      rem = t % BASE;
      t = (rem << 32) | l0;
      l0 = t / BASE;
      rem = t % BASE;
      chunks.push(<u32>rem);
    }
    let out = chunks[chunks.length - 1].toString();
    for (let i = chunks.length - 2; i >= 0; i--) {
      const part = chunks[i].toString();
      out += "000000000".substring(0, 9 - part.length) + part;
    }
    return out;
  }
}
