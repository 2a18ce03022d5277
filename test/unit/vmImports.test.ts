/**
 * Every host import (spec/contract-abi.md §4) called from wasm (`test/fixtures/vm/imports.wat`, a thin
 * wrapper per import) against the real host functions: return values, error codes and texts, Region
 * rules, and the exact gas taken (wrapper instructions + the host's charge + metered allocations).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ed25519PublicKey, ed25519Sign } from "../../src/crypto/ed25519.ts";
import { sha256 } from "../../src/crypto/hash.ts";
import { secp256k1PublicKey, secp256k1Sign } from "../../src/crypto/secp256k1.ts";
import { decodeAddress } from "../../src/primitives/bech32.ts";
import { fromHex, toHex } from "../../src/primitives/hex.ts";
import { isVmError } from "../../src/vm/index.ts";
import { bech32EncodeRust, bytesToWords } from "../../src/vm/runtime/bech32Rust.ts";
import {
  ALLOCATE_GAS,
  ImportHarness,
  MapStorage,
  RecordingQuerier,
  SENDER,
  text,
  utf8,
  wrapperGas,
} from "./vmRuntimeHarness.ts";

const COSMOS = bech32EncodeRust("cosmos", bytesToWords(decodeAddress(SENDER)));
const HIGH = (code: number): bigint => BigInt(code) << 32n;
const SECP_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

function assertVmError(err: unknown, code: string): void {
  assert.ok(isVmError(err), `expected VmError ${code}, got ${String(err)}`);
  assert.equal(err.code, code);
}

describe("Region reading rules (§3)", () => {
  const cases: Array<[string, (h: ImportHarness) => number]> = [
    ["null Region pointer", () => 0],
    ["offset 0 with length 0", (h) => h.region("", { offset: 0, length: 0 })],
    ["offset 0 with length 3", (h) => h.region("key", { offset: 0 })],
    ["data past the end of memory", (h) => h.region("key", { offset: 4 * 65536 - 2 })],
    ["length past the end of memory", (h) => h.region("key", { length: 4 * 65536 })],
    ["Region struct outside memory", () => 4 * 65536 - 8],
    ["Region pointer far outside memory", () => 0x7fffffff],
  ];
  for (const [name, make] of cases) {
    it(`${name} → failed to read memory (after the fixed charge)`, () => {
      const h = new ImportHarness();
      const r = h.call("db_read", make(h));
      assertVmError(r.error, "VM_MEMORY_READ");
      assert.equal(r.error instanceof Error && r.error.message, "failed to read memory");
      assert.equal(r.gas, wrapperGas(1) + 1000n);
    });
  }

  it("length > capacity is accepted; a zero-length Region with a non-null offset is fine", () => {
    const h = new ImportHarness();
    const storage = h.state.storage as MapStorage;
    storage.set("", "empty-key");
    const ptr = h.region("", { capacity: 0 });
    const r = h.call("db_read", ptr);
    assert.equal(r.error, undefined);
    assert.equal(h.readText(r.value as number), "empty-key");
    const r2 = h.call("db_read", h.region("abc", { capacity: 1 }));
    assert.equal(r2.error, undefined);
    assert.equal(r2.value, 0);
  });

  it("writing into a contract Region: capacity too small → failed to read memory; length set, capacity kept", () => {
    const h = new ImportHarness();
    const human = h.region(SENDER);
    const small = h.region(new Uint8Array(0), { capacity: 19 });
    assertVmError(h.call("canonicalize_address", human, small).error, "VM_MEMORY_READ");
    const dest = h.region(new Uint8Array(0), { capacity: 32 });
    assert.equal(h.call("canonicalize_address", human, dest).value, 0);
    const view = new DataView(h.memory.buffer);
    assert.equal(view.getUint32(dest + 4, true), 32);
    assert.equal(view.getUint32(dest + 8, true), 20);
    assert.equal(toHex(h.read(dest)), toHex(decodeAddress(SENDER)));
    const nullOffset = h.region(new Uint8Array(0), { capacity: 32, offset: 0 });
    assertVmError(h.call("canonicalize_address", human, nullOffset).error, "VM_MEMORY_READ");
  });
});

describe("storage imports (§4.2)", () => {
  it("db_read: 1,000 + metered allocate; store gas ×1000 is external; absent → 0 without allocating", () => {
    const storage = new MapStorage();
    storage.set("key", "hello");
    const h = new ImportHarness({ storage });
    const r = h.call("db_read", h.region("key"));
    assert.equal(r.error, undefined);
    assert.equal(h.readText(r.value as number), "hello");
    assert.equal(r.gas, wrapperGas(1) + 1000n + ALLOCATE_GAS);
    assert.equal(h.state.external, (100n + 3n + 5n) * 1000n);
    const miss = h.call("db_read", h.region("nope"));
    assert.equal(miss.value, 0);
    assert.equal(miss.gas, wrapperGas(1) + 1000n);
    assert.equal(h.state.external, (108n + 104n) * 1000n);
  });

  it("db_read: the store-gas multiplier is applied (×1 for instantiate/reply)", () => {
    const storage = new MapStorage();
    storage.set("k", "v");
    const h = new ImportHarness({ storage, multiplier: 1n });
    h.call("db_read", h.region("k"));
    assert.equal(h.state.external, 102n);
  });

  it("db_read: the 1,000 is charged before the key is read; shortage → out of gas, exhausted = 1,000", () => {
    const h = new ImportHarness();
    h.remaining = wrapperGas(1) + 999n;
    const r = h.call("db_read", 0);
    assertVmError(r.error, "VM_OUT_OF_GAS");
    assert.equal(r.exhausted, 1000n);
    assert.equal(h.remaining, 999n);
  });

  it("db_write: 2,000 + 5,000 per value byte (pseudo gas tracked); the write goes to the storage", () => {
    const h = new ImportHarness();
    const r = h.call("db_write", h.region("k"), h.region("value"));
    assert.equal(r.error, undefined);
    assert.equal(r.gas, wrapperGas(2) + 2000n + 25_000n);
    assert.equal(h.state.pseudoCharged, 25_000n);
    assert.equal(text((h.state.storage as MapStorage).buffer.get(toHex(utf8("k")))!), "value");
    const empty = h.call("db_write", h.region("k2"), h.region(""));
    assert.equal(empty.gas, wrapperGas(2) + 2000n);
  });

  it("db_write: the base is charged before reading; a bad value Region fails after it", () => {
    const h = new ImportHarness();
    const r = h.call("db_write", h.region("k"), 0);
    assertVmError(r.error, "VM_MEMORY_READ");
    assert.equal(r.gas, wrapperGas(2) + 2000n);
  });

  it("db_write/db_remove in a query: refused before any charge", () => {
    const h = new ImportHarness({ isQuery: true });
    const w = h.call("db_write", h.region("k"), h.region("v"));
    assertVmError(w.error, "VM_UNAUTHORIZED_WRITE");
    assert.equal((w.error as Error).message, "contract tried to write to storage during a query");
    assert.equal(w.gas, wrapperGas(2));
    const d = h.call("db_remove", 0);
    assertVmError(d.error, "VM_UNAUTHORIZED_WRITE");
    assert.equal(d.gas, wrapperGas(1));
    assert.deepEqual((h.state.storage as MapStorage).log, []);
  });

  it("db_remove: no fixed cost; the store gas is external", () => {
    const storage = new MapStorage();
    storage.set("k", "v");
    const h = new ImportHarness({ storage });
    const r = h.call("db_remove", h.region("k"));
    assert.equal(r.error, undefined);
    assert.equal(r.gas, wrapperGas(1));
    assert.equal(h.state.external, 100_000n);
    assert.equal(storage.committed.size, 0);
  });

  it("db_scan and db_next are not provided at execution", () => {
    const h = new ImportHarness();
    const s = h.call("db_scan", 0, 0, 1);
    assertVmError(s.error, "VM_FAILED_CALL");
    assert.equal((s.error as Error).message, "calling a function in the contract failed for an unexpected reason");
    assertVmError(h.call("db_next", 1).error, "VM_FAILED_CALL");
  });
});

describe("address imports (§4.3)", () => {
  const canonical = decodeAddress(SENDER);

  function canon(
    h: ImportHarness,
    name: string,
    input: Uint8Array | string,
  ): { ret: number; text?: string; bytes?: string; gas: bigint } {
    const dest = h.region(new Uint8Array(0), { capacity: 64 });
    const r = h.call(name, h.region(input), dest);
    if (r.error) throw r.error;
    const ret = r.value as number;
    return ret === 0 ? { ret, bytes: toHex(h.read(dest)), gas: r.gas } : { ret, text: h.readText(ret), gas: r.gas };
  }

  it("canonicalize_address: bytes, 8,192 gas; trims; accepts upper case", () => {
    const h = new ImportHarness();
    const ok = canon(h, "canonicalize_address", SENDER);
    assert.deepEqual(ok, { ret: 0, bytes: toHex(canonical), gas: wrapperGas(2) + 8192n });
    assert.equal(canon(h, "canonicalize_address", ` \t${SENDER}\n\u00a0`).bytes, toHex(canonical));
    assert.equal(canon(h, "canonicalize_address", SENDER.toUpperCase()).bytes, toHex(canonical));
  });

  const errorCases: Array<[string, Uint8Array | string, string, string]> = [
    // [name, input, v0.10 text, v1 text]
    ["empty", "", "input is empty", "Input is empty"],
    ["not UTF-8", Uint8Array.of(0x73, 0xff, 0x31), "input is not valid UTF-8", "input is not valid UTF-8"],
    ["other prefix", COSMOS, 'wrong address prefix: "cosmos"', 'wrong address prefix: "cosmos"'],
    ["bad checksum", SENDER.slice(0, -1) + "q", "invalid checksum", "invalid checksum"],
    ["too short", "abc", "invalid length", "invalid length"],
    ["no separator", "abcdefghijkl", 'missing human-readable separator, "1"', 'missing human-readable separator, "1"'],
    [
      "mixed case",
      "Secret1pgm8hyk0pvphmlvfjc8wsvk4daluz5tgexpkqy",
      "mixed-case strings not allowed",
      "mixed-case strings not allowed",
    ],
    [
      "invalid data character",
      "secret1bgm8hyk0pvphmlvfjc8wsvk4daluz5tgexpkqy",
      "invalid character (code=b)",
      "invalid character (code=b)",
    ],
    ["short data part", "secret1qqqqq", "invalid length", "invalid length"],
  ];
  for (const [name, input, v010, v1] of errorCases) {
    it(`canonicalize_address / addr_canonicalize: ${name} → an error Region`, () => {
      const h = new ImportHarness();
      const a = canon(h, "canonicalize_address", input);
      assert.equal(a.text, v010);
      assert.equal(a.gas, wrapperGas(2) + 8192n + ALLOCATE_GAS);
      assert.equal(canon(h, "addr_canonicalize", input).text, v1);
    });
  }

  it("whitespace: trimmed by canonicalize_address (then empty), a bech32 error for addr_canonicalize", () => {
    const h = new ImportHarness();
    assert.equal(canon(h, "canonicalize_address", " \n ").text, "input is empty");
    assert.equal(canon(h, "addr_canonicalize", ` ${SENDER}`).text, "invalid character (code= )");
  });

  it("a checksum-valid address with bad padding is a host error (upstream EnclaveError::Unknown)", () => {
    const bad = bech32EncodeRust("secret", Uint8Array.of(1));
    const h = new ImportHarness();
    const r = h.call("canonicalize_address", h.region(bad), h.region(new Uint8Array(0), { capacity: 64 }));
    assertVmError(r.error, "VM_UNKNOWN");
    assert.equal((r.error as Error).message, "unknown error");
  });

  it("humanize_address / addr_humanize: any length, lower case; 8,192 gas; capacity checked", () => {
    const h = new ImportHarness();
    for (const name of ["humanize_address", "addr_humanize"]) {
      const dest = h.region(new Uint8Array(0), { capacity: 90 });
      const r = h.call(name, h.region(canonical), dest);
      assert.equal(r.value, 0);
      assert.equal(h.readText(dest), SENDER);
      assert.equal(r.gas, wrapperGas(2) + 8192n);
      const empty = h.region(new Uint8Array(0), { capacity: 13 });
      assert.equal(h.call(name, h.region(new Uint8Array(0), { capacity: 0 }), empty).value, 0);
      assert.equal(h.readText(empty), bech32EncodeRust("secret", new Uint8Array(0)));
      assert.equal(h.readText(empty).length, 13);
      const long = new Uint8Array(50).fill(9);
      const dest2 = h.region(new Uint8Array(0), { capacity: 13 + Math.ceil((50 * 8) / 5) });
      assert.equal(h.call(name, h.region(long), dest2).value, 0);
      const tooSmall = h.region(new Uint8Array(0), { capacity: 44 });
      assertVmError(h.call(name, h.region(canonical), tooSmall).error, "VM_MEMORY_READ");
    }
  });

  it("addr_validate: 0 for a normalised secret address; exact error texts otherwise", () => {
    const h = new ImportHarness();
    const v = (input: Uint8Array | string): string | 0 => {
      const r = h.call("addr_validate", h.region(input));
      if (r.error) throw r.error;
      return r.value === 0 ? 0 : h.readText(r.value as number);
    };
    assert.equal(v(SENDER), 0);
    assert.equal(h.call("addr_validate", h.region(SENDER)).gas, wrapperGas(1) + 8192n);
    assert.equal(v(SENDER.toUpperCase()), "Address is not normalized");
    assert.equal(v(COSMOS), "Address is not normalized");
    assert.equal(v(""), "Input is empty");
    assert.equal(v(Uint8Array.of(0xc3)), "Input is not valid UTF-8");
    assert.equal(v(SENDER.slice(0, -1) + "q"), "invalid checksum");
    assert.equal(v(` ${SENDER}`), "invalid character (code= )");
    // 5-bit data is re-encoded without conversion, so bad padding still validates (upstream quirk).
    assert.equal(v(bech32EncodeRust("secret", Uint8Array.of(1))), 0);
    assertVmError(h.call("addr_validate", 0).error, "VM_MEMORY_READ");
  });
});

describe("secp256k1 imports (§4.4)", () => {
  const sk = fromHex("1f".repeat(32));
  const pk = secp256k1PublicKey(sk, true);
  const pkUncompressed = secp256k1PublicKey(sk, false);
  const digest = sha256(utf8("hello"));
  const sig = secp256k1Sign(sk, digest);
  const verifyGas = wrapperGas(3) + 98_304n;

  function highS(s: Uint8Array): Uint8Array {
    let v = 0n;
    for (const b of s.subarray(32)) v = (v << 8n) | BigInt(b);
    const flipped = SECP_N - v;
    const out = s.slice();
    for (let i = 63; i >= 32; i--) {
      out[i] = Number(BigInt.asUintN(8, flipped >> BigInt((63 - i) * 8)));
    }
    return out;
  }

  function verify(h: ImportHarness, hash: Uint8Array, signature: Uint8Array, key: Uint8Array): number {
    const r = h.call("secp256k1_verify", h.region(hash), h.region(signature), h.region(key));
    if (r.error) throw r.error;
    assert.equal(r.gas, verifyGas);
    return r.value as number;
  }

  it("verify: 0 valid, 1 invalid, high-S invalid, error codes 3/4/5/10", () => {
    const h = new ImportHarness();
    assert.equal(verify(h, digest, sig, pk), 0);
    assert.equal(verify(h, digest, sig, pkUncompressed), 0);
    const hybrid = pkUncompressed.slice();
    hybrid[0] = 0x06 | (pkUncompressed[64]! & 1);
    assert.equal(verify(h, digest, sig, hybrid), 0);
    const wrongHybrid = hybrid.slice();
    wrongHybrid[0] = wrongHybrid[0]! ^ 1;
    assert.equal(verify(h, digest, sig, wrongHybrid), 10);
    assert.equal(verify(h, sha256(utf8("other")), sig, pk), 1);
    assert.equal(verify(h, digest, highS(sig), pk), 1);
    assert.equal(verify(h, digest.subarray(0, 31), sig, pk), 3);
    assert.equal(verify(h, digest, sig.subarray(0, 63), pk), 4);
    assert.equal(verify(h, digest, sig, pk.subarray(0, 32)), 5);
    const wrongPrefix = pk.slice();
    wrongPrefix[0] = 0x04;
    assert.equal(verify(h, digest, sig, wrongPrefix), 5);
    const rTooBig = sig.slice();
    rTooBig.fill(0xff, 0, 32);
    assert.equal(verify(h, digest, rTooBig, pk), 10);
    const notOnCurve = Uint8Array.of(0x02, ...new Uint8Array(31), 5);
    assert.equal(verify(h, digest, sig, notOnCurve), 10);
    assert.equal(verify(h, digest, new Uint8Array(64), pk), 1);
  });

  it("verify: the cost is charged before the arguments are read", () => {
    const h = new ImportHarness();
    const r = h.call("secp256k1_verify", 0, 0, 0);
    assertVmError(r.error, "VM_MEMORY_READ");
    assert.equal(r.gas, verifyGas);
  });

  it("recover_pubkey: 33-byte compressed key in the low half; codes in the high half", () => {
    const h = new ImportHarness();
    let recid = -1;
    for (let i = 0; i < 2; i++) {
      const r = h.call("secp256k1_recover_pubkey", h.region(digest), h.region(sig), i);
      if (r.error) throw r.error;
      const packed = r.value as bigint;
      assert.equal(packed >> 32n, 0n);
      const key = h.read(Number(packed));
      assert.equal(key.length, 33);
      if (toHex(key) === toHex(pk)) recid = i;
      assert.equal(r.gas, wrapperGas(3) + 98_304n + ALLOCATE_GAS);
    }
    assert.ok(recid >= 0, "one recovery id gives the signer");
    // A high-S signature recovers the signer with the other parity (libsecp256k1 does not normalise).
    const high = h.call("secp256k1_recover_pubkey", h.region(digest), h.region(highS(sig)), 1 - recid);
    assert.equal(toHex(h.read(Number(high.value as bigint))), toHex(pk));
    const rec = (hash: Uint8Array, s: Uint8Array, id: number): bigint =>
      h.call("secp256k1_recover_pubkey", h.region(hash), h.region(s), id).value as bigint;
    assert.equal(rec(digest.subarray(1), sig, 0), HIGH(3));
    assert.equal(rec(digest, sig.subarray(1), 0), HIGH(4));
    assert.equal(rec(digest, sig, 4), HIGH(10));
    assert.equal(rec(digest, sig, -1), HIGH(10));
    assert.equal(rec(digest, new Uint8Array(64), 0), HIGH(10));
    const gas = h.call("secp256k1_recover_pubkey", h.region(digest), h.region(sig), 7).gas;
    assert.equal(gas, wrapperGas(3) + 98_304n);
  });

  it("sign: sha256 of the message, RFC 6979 low-S; bad keys → high 1000", () => {
    const h = new ImportHarness();
    const msg = utf8("sign me");
    const r = h.call("secp256k1_sign", h.region(msg), h.region(sk));
    const packed = r.value as bigint;
    assert.equal(packed >> 32n, 0n);
    assert.equal(toHex(h.read(Number(packed))), toHex(secp256k1Sign(sk, sha256(msg))));
    assert.equal(r.gas, wrapperGas(2) + 100_000n + ALLOCATE_GAS);
    const bad = (key: Uint8Array): bigint => h.call("secp256k1_sign", h.region(msg), h.region(key)).value as bigint;
    assert.equal(bad(new Uint8Array(32)), HIGH(1000));
    assert.equal(bad(new Uint8Array(32).fill(0xff)), HIGH(1000));
    assert.equal(bad(sk.subarray(1)), HIGH(1000));
    assert.equal(h.call("secp256k1_sign", h.region(msg), h.region(sk.subarray(1))).gas, wrapperGas(2) + 100_000n);
  });
});

describe("ed25519 imports (§4.4)", () => {
  const seeds = [fromHex("01".repeat(32)), fromHex("02".repeat(32)), fromHex("03".repeat(32))];
  const pks = seeds.map(ed25519PublicKey);
  const msgs = [utf8("m0"), utf8("m1"), utf8("m2")];
  const sigs = seeds.map((s, i) => ed25519Sign(s, msgs[i]!));

  it("verify: 0/1, 4 for a bad signature length, 5 for a bad key length or a non-point", () => {
    const h = new ImportHarness();
    const v = (m: Uint8Array, s: Uint8Array, k: Uint8Array): number => {
      const r = h.call("ed25519_verify", h.region(m), h.region(s), h.region(k));
      if (r.error) throw r.error;
      assert.equal(r.gas, wrapperGas(3) + 73_728n);
      return r.value as number;
    };
    assert.equal(v(msgs[0]!, sigs[0]!, pks[0]!), 0);
    assert.equal(v(msgs[1]!, sigs[0]!, pks[0]!), 1);
    assert.equal(v(msgs[0]!, sigs[0]!.subarray(1), pks[0]!), 4);
    assert.equal(v(msgs[0]!, sigs[0]!, pks[0]!.subarray(1)), 5);
    // y = 2 is not on the curve.
    const notPoint = new Uint8Array(32);
    notPoint[0] = 2;
    assert.equal(v(msgs[0]!, sigs[0]!, notPoint), 5);
    assert.equal(v(new Uint8Array(0), ed25519Sign(seeds[0]!, new Uint8Array(0)), pks[0]!), 0);
  });

  it("batch verify: counts, repeated message or key, charging after the count check", () => {
    const h = new ImportHarness();
    const b = (m: Uint8Array[], s: Uint8Array[], k: Uint8Array[]): { value: number; gas: bigint } => {
      const r = h.call("ed25519_batch_verify", h.sections(m), h.sections(s), h.sections(k));
      if (r.error) throw r.error;
      return { value: r.value as number, gas: r.gas };
    };
    const base = wrapperGas(3);
    assert.deepEqual(b(msgs, sigs, pks), { value: 0, gas: base + 5000n + 3n * 70_000n });
    const oneMsg = seeds.map((s) => ed25519Sign(s, msgs[0]!));
    assert.deepEqual(b([msgs[0]!], oneMsg, pks), { value: 0, gas: base + 5000n + 3n * 70_000n });
    const oneKey = msgs.map((m) => ed25519Sign(seeds[0]!, m));
    assert.deepEqual(b(msgs, oneKey, [pks[0]!]), { value: 0, gas: base + 5000n + 3n * 70_000n });
    assert.deepEqual(b(msgs.slice(0, 2), sigs, pks), { value: 7, gas: base });
    assert.deepEqual(b([], [], []), { value: 0, gas: base + 5000n });
    assert.deepEqual(b([msgs[0]!], [], []), { value: 0, gas: base + 5000n });
    assert.deepEqual(b(msgs, [sigs[0]!, sigs[1]!.subarray(1), sigs[2]!], pks), {
      value: 4,
      gas: base + 5000n + 210_000n,
    });
    assert.deepEqual(b(msgs, sigs, [pks[0]!, pks[1]!, pks[2]!.subarray(1)]), {
      value: 5,
      gas: base + 5000n + 210_000n,
    });
    const notPoint = new Uint8Array(32);
    notPoint[0] = 2;
    assert.equal(b(msgs, sigs, [pks[0]!, notPoint, pks[2]!]).value, 1);
    assert.equal(b(msgs, [sigs[1]!, sigs[0]!, sigs[2]!], pks).value, 1);
  });

  it("batch verify: sections decode from the end (big-endian lengths); < 4 leftover bytes at the front ignored", () => {
    const h = new ImportHarness();
    const enc = (items: Uint8Array[], prefix: number[] = []): number => {
      const parts = [...prefix];
      for (const it of items) parts.push(...it, 0, 0, 0, it.length);
      return h.region(Uint8Array.from(parts));
    };
    const r = h.call("ed25519_batch_verify", enc([msgs[0]!], [9, 9, 9]), enc([sigs[0]!]), enc([pks[0]!], [1]));
    assert.equal(r.value, 0);
    const tooLong = h.region(Uint8Array.of(1, 2, 0, 0, 0, 9));
    assertVmError(h.call("ed25519_batch_verify", tooLong, enc([sigs[0]!]), enc([pks[0]!])).error, "VM_MEMORY_READ");
  });

  it("sign: RFC 8032 over the raw message; bad key length → high 1000", () => {
    const h = new ImportHarness();
    const r = h.call("ed25519_sign", h.region(msgs[1]!), h.region(seeds[1]!));
    assert.equal(toHex(h.read(Number(r.value as bigint))), toHex(sigs[1]!));
    assert.equal(r.gas, wrapperGas(2) + 75_000n + ALLOCATE_GAS);
    const bad = h.call("ed25519_sign", h.region(msgs[1]!), h.region(seeds[1]!.subarray(2)));
    assert.equal(bad.value, HIGH(1000));
    assert.equal(bad.gas, wrapperGas(2) + 75_000n);
  });
});

describe("dcap_quote_verify, check_gas, gas_evaporate, debug (§4.4–4.6)", () => {
  it("dcap_quote_verify: 100,000 gas, then high 10", () => {
    const h = new ImportHarness();
    const r = h.call("dcap_quote_verify", h.region("quote"), h.region(""));
    assert.equal(r.value, HIGH(10));
    assert.equal(r.gas, wrapperGas(2) + 100_000n);
    const r2 = h.call("dcap_quote_verify", h.region("quote"), h.region("collateral"));
    assert.equal(r2.value, HIGH(10));
    const bad = h.call("dcap_quote_verify", 0, 0);
    assertVmError(bad.error, "VM_MEMORY_READ");
    assert.equal(bad.gas, wrapperGas(2) + 100_000n);
  });

  it("check_gas: charges 8,192, returns (limit − remaining) / 1000 including it", () => {
    const h = new ImportHarness({ limit: 1_000_000n });
    h.remaining = 1_000_000n - 1_500n;
    const r = h.call("check_gas");
    assert.equal(r.gas, 2n + 8192n);
    assert.equal(r.value, (1_500n + 2n + 8192n) / 1000n);
    assert.equal(r.value, 9n);
  });

  it("gas_evaporate: signed argument × 1000 (wrapping), at least 8,000", () => {
    const h = new ImportHarness({ limit: 10_000_000_000n });
    const cost = (n: number): ImportCall2 => {
      const r = h.call("gas_evaporate", n);
      return { value: r.value, gas: r.gas - wrapperGas(1), error: r.error, exhausted: r.exhausted };
    };
    assert.deepEqual(cost(0), { value: 0, gas: 8000n, error: undefined, exhausted: 0n });
    assert.equal(cost(5).gas, 8000n);
    assert.equal(cost(8).gas, 8000n);
    assert.equal(cost(9).gas, 9000n);
    assert.equal(cost(1_000_000).gas, 1_000_000_000n);
    const neg = cost(-1);
    assertVmError(neg.error, "VM_OUT_OF_GAS");
    assert.equal(neg.exhausted, (1n << 64n) - 1000n);
    const max = cost(0x7fffffff);
    assertVmError(max.error, "VM_OUT_OF_GAS");
    assert.equal(max.exhausted, 2_147_483_647_000n);
  });

  it("debug and debug_print: free, the message reaches the sink, a bad Region is ignored", () => {
    const h = new ImportHarness();
    const a = h.call("debug", h.region("hello"));
    assert.equal(a.error, undefined);
    assert.equal(a.gas, wrapperGas(1));
    const b = h.call("debug_print", h.region(Uint8Array.of(0xff)));
    assert.equal(b.gas, wrapperGas(1));
    assert.equal(h.call("debug", 0).error, undefined);
    assert.deepEqual(h.debugged.map(toHex), [toHex(utf8("hello")), "ff"]);
    h.state.debug = () => {
      throw new Error("sink failure");
    };
    assert.equal(h.call("debug", h.region("x")).error, undefined);
  });
});

interface ImportCall2 {
  value: unknown;
  gas: bigint;
  error: unknown;
  exhausted: bigint;
}

describe("query_chain (§9)", () => {
  it("depth ≥ 10 → exceeded_recursion_limit without asking the querier or charging", () => {
    const querier = new RecordingQuerier();
    const h = new ImportHarness({ queryDepth: 10, querier });
    const r = h.call("query_chain", h.region('{"bank":{"all_balances":{"address":"a"}}}'));
    assert.equal(h.readText(r.value as number), '{"Err":{"exceeded_recursion_limit":{}}}');
    assert.equal(r.gas, wrapperGas(1) + ALLOCATE_GAS);
    assert.equal(querier.requests.length, 0);
    assert.equal(h.state.external, 0n);
  });

  it("depth 9: the request is re-serialised and run at depth 10 with the remaining gas; its gas is external", () => {
    const querier = new RecordingQuerier(() => '{"Ok":{"Ok":"e30="}}', 1234n);
    const h = new ImportHarness({ queryDepth: 9, querier, limit: 5_000_000n });
    const r = h.call(
      "query_chain",
      h.region('{ "bank" : {"balance":{"denom":"uscrt","extra":[1],"address":"secret1x"}}}'),
    );
    assert.equal(h.readText(r.value as number), '{"Ok":{"Ok":"e30="}}');
    assert.deepEqual(querier.requests, [
      {
        request: '{"bank":{"balance":{"address":"secret1x","denom":"uscrt"}}}',
        depth: 10,
        gasLimitWasm: 5_000_000n - wrapperGas(1),
      },
    ]);
    assert.equal(h.state.external, 1234n);
  });

  it("an unparsable request → invalid_request with serde_json's message, 500 external gas", () => {
    const querier = new RecordingQuerier();
    const h = new ImportHarness({ querier });
    const req = '{"bank":{"supply":{"denom":"x"}}}';
    const r = h.call("query_chain", h.region(req));
    const expected =
      '{"Err":{"invalid_request":{"error":"unknown variant `supply`, expected `balance` or `all_balances` at line 1 column 17","request":"' +
      Buffer.from(req).toString("base64") +
      '"}}}';
    assert.equal(h.readText(r.value as number), expected);
    assert.equal(h.state.external, 500n);
    assert.equal(querier.requests.length, 0);
  });

  it("a bad request Region is a host error; nothing charged", () => {
    const h = new ImportHarness();
    const r = h.call("query_chain", 0);
    assertVmError(r.error, "VM_MEMORY_READ");
    assert.equal(r.gas, wrapperGas(1));
  });
});
