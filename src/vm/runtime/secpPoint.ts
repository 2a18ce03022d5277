/**
 * The two libsecp256k1 parse checks `secp256k1_verify` needs to tell "malformed" (error 10) from
 * "invalid signature" (1), which `src/crypto`'s verifier does not distinguish:
 * `ecdsa_signature_parse_compact` (r and s below the group order; 0 parses) and `ec_pubkey_parse`
 * (coordinates below p, on the curve; hybrid 06/07 keys with matching y parity).
 */

const P = 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2fn;
const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

function beInt(bytes: Uint8Array, start: number, end: number): bigint {
  let v = 0n;
  for (let i = start; i < end; i++) v = (v << 8n) | BigInt(bytes[i]!);
  return v;
}

function modPow(base: bigint, exp: bigint, m: bigint): bigint {
  let result = 1n;
  let b = base % m;
  let e = exp;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % m;
    b = (b * b) % m;
    e >>= 1n;
  }
  return result;
}

/** `secp256k1_ecdsa_signature_parse_compact`: r and s must be below n. */
export function secpSignatureParses(sig64: Uint8Array): boolean {
  return sig64.length === 64 && beInt(sig64, 0, 32) < N && beInt(sig64, 32, 64) < N;
}

/** `secp256k1_ec_pubkey_parse` for 33-byte (02/03) and 65-byte (04/06/07) encodings. */
export function secpPublicKeyParses(pk: Uint8Array): boolean {
  const prefix = pk[0];
  if (pk.length === 33 && (prefix === 0x02 || prefix === 0x03)) {
    const x = beInt(pk, 1, 33);
    if (x >= P) return false;
    const rhs = (x * x * x + 7n) % P;
    // p ≡ 3 (mod 4): a square root exists iff rhs^((p+1)/4) squares back to rhs.
    const y = modPow(rhs, (P + 1n) / 4n, P);
    return (y * y) % P === rhs;
  }
  if (pk.length === 65 && (prefix === 0x04 || prefix === 0x06 || prefix === 0x07)) {
    const x = beInt(pk, 1, 33);
    const y = beInt(pk, 33, 65);
    if (x >= P || y >= P) return false;
    if (prefix !== 0x04 && Number(y & 1n) !== (prefix & 1)) return false;
    return (y * y) % P === (x * x * x + 7n) % P;
  }
  return false;
}

const ED_P = (1n << 255n) - 19n;
const ED_D = (((-121665n * modPow(121666n, ED_P - 2n, ED_P)) % ED_P) + ED_P) % ED_P;

/**
 * ed25519-zebra 2.2 `VerificationKey::try_from` (curve25519-dalek decompression): 32 bytes whose
 * low 255 bits, taken modulo p (non-canonical encodings accepted), are the y of a curve point.
 */
export function ed25519PublicKeyDecompresses(pk: Uint8Array): boolean {
  if (pk.length !== 32) return false;
  let y = 0n;
  for (let i = 31; i >= 0; i--) y = (y << 8n) | BigInt(pk[i]!);
  y = (y & ((1n << 255n) - 1n)) % ED_P;
  const yy = (y * y) % ED_P;
  const u = (yy - 1n + ED_P) % ED_P;
  const v = (ED_D * yy + 1n) % ED_P;
  if (u === 0n) return true;
  // x² = u / v must be a square: Euler's criterion on u·v^(p−2).
  const x2 = (u * modPow(v, ED_P - 2n, ED_P)) % ED_P;
  return modPow(x2, (ED_P - 1n) / 2n, ED_P) === 1n;
}
