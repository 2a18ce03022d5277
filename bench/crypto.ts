/**
 * AES-SIV against miscreant 0.3.2 (the pure-JS implementation secretjs uses) and against the
 * hardware ceiling of two node:crypto AES-128-CTR passes (SIV reads the input twice: CMAC and CTR);
 * X25519 against @noble/curves; secp256k1 verification (WebAssembly) against OpenSSL through node:crypto
 * with a cached KeyObject (the previous implementation) and against @noble/curves; Ed25519 strict
 * verification (OpenSSL fast path with noble's acceptance rules) against noble's strict verify alone.
 * Baselines run in the same process, interleaved with ours; each figure is the best of a few rounds,
 * which keeps ratios steady on a busy machine.
 */
import { createCipheriv, createPublicKey, hash as oneShotHash, verify as opensslVerify } from "node:crypto";
import { x25519 as nobleX25519 } from "@noble/curves/ed25519.js";
import { secp256k1 as nobleSecp256k1 } from "@noble/curves/secp256k1.js";
import { AesSiv, sivEncrypt } from "../src/crypto/aesSiv.ts";
import { ed25519PublicKey, ed25519Sign, ed25519Verify, ed25519VerifyNoble } from "../src/crypto/ed25519.ts";
import { secp256k1PublicKey, secp256k1Sign, secp256k1VerifySha256 } from "../src/crypto/secp256k1.ts";
import { SECP256K1_DEFAULT_KEY_CACHE, setSecp256k1KeyCacheSize } from "../src/crypto/secp256k1Wasm.ts";
import { x25519PublicKey, x25519SharedSecret } from "../src/crypto/x25519.ts";
import { type BenchRow, measure } from "./harness.ts";

/** The slice of miscreant's API used here. */
interface MiscreantSiv {
  seal(plaintext: Uint8Array, associatedData: Uint8Array[]): Promise<Uint8Array>;
  open(sealed: Uint8Array, associatedData: Uint8Array[]): Promise<Uint8Array>;
}
interface Miscreant {
  SIV: { importKey(key: Uint8Array, alg: "AES-SIV", provider: unknown): Promise<MiscreantSiv> };
  PolyfillCryptoProvider: new () => unknown;
}

/**
 * miscreant's package.json points its types at its TypeScript sources, which do not compile under
 * this project's settings; a non-literal specifier keeps tsc from following it.
 */
async function loadMiscreant(): Promise<Miscreant> {
  const specifier: string = "miscreant";
  return (await import(specifier)) as Miscreant;
}

const ROUNDS = 3;
const IO_AD: readonly Uint8Array[] = [new Uint8Array(0)];
const MISCREANT = "miscreant 0.3.2";

function filled(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** Best ops/s of `ours` and `baseline` over interleaved rounds. */
async function pair(ours: () => unknown, baseline: () => unknown, minMs: number): Promise<[number, number]> {
  let a = 0;
  let b = 0;
  for (let r = 0; r < ROUNDS; r++) {
    a = Math.max(a, await measure(ours, { minMs }));
    b = Math.max(b, await measure(baseline, { minMs }));
  }
  return [a, b];
}

function label(size: number): string {
  return size >= 1024 ? `${size / 1024} KiB` : `${size} B`;
}

export async function cryptoBenchmarks(): Promise<BenchRow[]> {
  const key = filled(32, 1);
  const ours = new AesSiv(key);
  const { SIV, PolyfillCryptoProvider } = await loadMiscreant();
  const theirs = await SIV.importKey(key, "AES-SIV", new PolyfillCryptoProvider());
  const rows: BenchRow[] = [];

  for (const size of [64, 1024, 65536]) {
    const plaintext = filled(size, size);
    const sealed = ours.encrypt(plaintext, IO_AD);
    const minMs = size > 4096 ? 400 : 250;
    const target = size === 1024 ? "≥ 10× miscreant" : undefined;
    const rowFor = (op: string, [o, b]: [number, number]): BenchRow => ({
      name: `AES-SIV ${op} ${label(size)} (AesSiv instance)`,
      ours: o,
      baseline: b,
      baselineName: MISCREANT,
      unit: "ops/s",
      higherIsBetter: true,
      ...(target === undefined ? {} : { target, targetMet: o >= 10 * b }),
    });
    rows.push(
      rowFor(
        "seal",
        await pair(
          () => ours.encrypt(plaintext, IO_AD),
          () => theirs.seal(plaintext, [...IO_AD]),
          minMs,
        ),
      ),
      rowFor(
        "open",
        await pair(
          () => ours.decrypt(sealed, IO_AD),
          () => theirs.open(sealed, [...IO_AD]),
          minMs,
        ),
      ),
    );
  }

  // A new key per message, as secretjs does (it imports the key for every call).
  {
    const plaintext = filled(1024, 7);
    const keys = Array.from({ length: 256 }, (_, i) => filled(32, 1000 + i));
    let i = 0;
    let j = 0;
    const provider = new PolyfillCryptoProvider();
    const [o, b] = await pair(
      () => sivEncrypt(keys[i++ & 255]!.slice(), plaintext, IO_AD),
      async () => (await SIV.importKey(keys[j++ & 255]!.slice(), "AES-SIV", provider)).seal(plaintext, [...IO_AD]),
      250,
    );
    rows.push({
      name: "AES-SIV seal 1 KiB, new key each call (sivEncrypt)",
      ours: o,
      baseline: b,
      baselineName: `${MISCREANT} importKey + seal`,
      unit: "ops/s",
      higherIsBetter: true,
      target: "informational",
    });
  }

  // Throughput at 64 KiB against two AES-128-CTR passes over the same bytes.
  {
    const size = 65536;
    const plaintext = filled(size, 3);
    const sealed = ours.encrypt(plaintext, IO_AD);
    const k1 = key.subarray(0, 16);
    const k2 = key.subarray(16, 32);
    const iv = new Uint8Array(16);
    const twoCtr = (): void => {
      createCipheriv("aes-128-ctr", k1, iv).update(plaintext);
      createCipheriv("aes-128-ctr", k2, iv).update(plaintext);
    };
    const mb = (opsPerSecond: number): number => (opsPerSecond * size) / 1e6;
    for (const [op, fn] of [
      ["seal", () => ours.encrypt(plaintext, IO_AD)],
      ["open", () => ours.decrypt(sealed, IO_AD)],
    ] as const) {
      const [o, b] = await pair(fn, twoCtr, 400);
      rows.push({
        name: `AES-SIV ${op} 64 KiB throughput`,
        ours: mb(o),
        baseline: mb(b),
        baselineName: "2× node AES-128-CTR",
        unit: "MB/s",
        higherIsBetter: true,
        target: "≥ 1/3 of 2×CTR",
        targetMet: 3 * o >= b,
      });
    }
  }
  // X25519 on OpenSSL against the pure-JS @noble/curves ladder.
  {
    const sk = filled(32, 11);
    const pk = x25519PublicKey(filled(32, 12));
    const [o, b] = await pair(
      () => x25519SharedSecret(sk, pk),
      () => nobleX25519.getSharedSecret(sk, pk),
      250,
    );
    rows.push({
      name: "X25519 shared secret",
      ours: o,
      baseline: b,
      baselineName: "@noble/curves 2.4.0",
      unit: "ops/s",
      higherIsBetter: true,
      target: "informational",
    });
  }
  rows.push(...(await secp256k1Rows()));
  rows.push(...(await ed25519Rows()));
  return rows;
}

/**
 * Ed25519 strict verification of a 160-byte message (about a vote's sign bytes) by a known key, as
 * consensus checks votes: `ed25519Verify` (OpenSSL, cached key) against noble's strict verify, for a
 * valid and for an invalid signature.
 */
async function ed25519Rows(): Promise<BenchRow[]> {
  const seed = filled(32, 31);
  const message = filled(160, 32);
  const pk = ed25519PublicKey(seed);
  const sig = ed25519Sign(seed, message);
  const bad = sig.slice();
  bad[5]! ^= 1;
  const ours = (): boolean => ed25519Verify(sig, message, pk);
  const noble = (): boolean => ed25519VerifyNoble(sig, message, pk);
  if (!ours() || !noble() || ed25519Verify(bad, message, pk)) throw new Error("ed25519 bench: wrong answer");
  const [o, n] = await pair(ours, noble, 300);
  // An invalid signature is refused only after noble agrees: OpenSSL's time is added to noble's.
  const [ob, nb] = await pair(
    () => ed25519Verify(bad, message, pk),
    () => ed25519VerifyNoble(bad, message, pk),
    300,
  );
  return [
    {
      name: "Ed25519 strict verify, 160 B (ed25519Verify, OpenSSL fast path)",
      ours: o,
      baseline: n,
      baselineName: "@noble/curves 2.4.0 strict",
      unit: "ops/s",
      higherIsBetter: true,
      target: "≥ 3× noble",
      targetMet: o >= 3 * n,
    },
    {
      name: "Ed25519 strict verify of an invalid signature (OpenSSL, then noble decides)",
      ours: ob,
      baseline: nb,
      baselineName: "@noble/curves 2.4.0 strict",
      unit: "ops/s",
      higherIsBetter: true,
      target: "informational",
    },
  ];
}

/** secp256k1 ECDSA verification of a 200-byte message (SHA-256 included), compressed key. */
async function secp256k1Rows(): Promise<BenchRow[]> {
  const sk = filled(32, 21);
  const message = filled(200, 22);
  const pk = secp256k1PublicKey(sk, true);
  const sig = secp256k1Sign(sk, oneShotHash("sha256", message, "buffer"));
  const { x, y } = nobleSecp256k1.Point.fromBytes(pk).toAffine();
  const b64 = (n: bigint): string => Buffer.from(n.toString(16).padStart(64, "0"), "hex").toString("base64url");
  const key = createPublicKey({ key: { kty: "EC", crv: "secp256k1", x: b64(x), y: b64(y) }, format: "jwk" });
  const openssl = (): boolean => opensslVerify("sha256", message, { key, dsaEncoding: "ieee-p1363" }, sig);
  const noble = (): boolean =>
    nobleSecp256k1.verify(sig, oneShotHash("sha256", message, "buffer"), pk, {
      prehash: false,
      lowS: true,
      format: "compact",
    });
  const ours = (): boolean => secp256k1VerifySha256(sig, message, pk);
  if (!ours() || !openssl() || !noble()) throw new Error("secp256k1 bench: a verifier refused a valid signature");
  const [o, b] = await pair(ours, openssl, 300);
  const [o2, n] = await pair(ours, noble, 300);
  // The same key every time is the cached-key path (its tables built on the second verification);
  // without the cache every verification parses the key and builds its table, as a key seen once does.
  setSecp256k1KeyCacheSize(0);
  let uncached: [number, number];
  try {
    uncached = await pair(ours, openssl, 300);
  } finally {
    setSecp256k1KeyCacheSize(SECP256K1_DEFAULT_KEY_CACHE);
  }
  return [
    {
      name: "secp256k1 verify, SHA-256 of 200 B (secp256k1VerifySha256, wasm)",
      ours: o,
      baseline: b,
      baselineName: "OpenSSL via node:crypto, cached KeyObject",
      unit: "ops/s",
      higherIsBetter: true,
      target: "≥ 1.5× OpenSSL",
      targetMet: o >= 1.5 * b,
    },
    {
      name: "secp256k1 verify, SHA-256 of 200 B, key cache off (a key's first verification)",
      ours: uncached[0],
      baseline: uncached[1],
      baselineName: "OpenSSL via node:crypto, cached KeyObject",
      unit: "ops/s",
      higherIsBetter: true,
      target: "informational",
    },
    {
      name: "secp256k1 verify, SHA-256 of 200 B (secp256k1VerifySha256, wasm) vs noble",
      ours: o2,
      baseline: n,
      baselineName: "@noble/curves 2.4.0",
      unit: "ops/s",
      higherIsBetter: true,
      target: "informational",
    },
  ];
}
