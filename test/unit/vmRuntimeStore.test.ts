/**
 * `storeCheck` (spec/contract-abi.md §2.1): gzip handled like Go's `gzip.Reader` with
 * `Multistream(false)` behind `io.LimitReader(2 MiB)`, the size limit, the static checks, the hash.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { gzipSync } from "node:zlib";
import { sha256 } from "../../src/crypto/hash.ts";
import { toHex } from "../../src/primitives/hex.ts";
import { createVm, MAX_WASM_SIZE, uncompressCode, VmStoreError } from "../../src/vm/index.ts";
import { WasmError } from "../../src/vm/wasm/errors.ts";
import { baseV1, regionData, V1_RESPONSE } from "./vmRuntimeHarness.ts";

const code = baseV1({
  data: regionData(2048, V1_RESPONSE),
  funcs: '(func (export "instantiate") (param i32 i32 i32) (result i32) (i32.const 2048))',
});

function gzipError(f: () => unknown, message: string): void {
  assert.throws(
    f,
    (err: unknown) => err instanceof VmStoreError && err.code === "VM_STORE_GZIP" && err.message === message,
  );
}

describe("storeCheck (§2.1–2.2)", () => {
  it("plain and gzipped codes give the same stored bytes and hash", () => {
    const vm = createVm();
    const plain = vm.storeCheck(code);
    assert.equal(plain.apiVersion, "v1");
    assert.equal(toHex(plain.codeHash), toHex(sha256(code)));
    const zipped = vm.storeCheck(gzipSync(code));
    assert.deepEqual(zipped.code, code);
    assert.equal(toHex(zipped.codeHash), toHex(plain.codeHash));
  });

  it("only the first gzip member is read; trailing bytes are ignored", () => {
    const two = Buffer.concat([gzipSync(code), gzipSync(Buffer.from("second member")), Buffer.from("junk")]);
    assert.deepEqual(uncompressCode(two), code);
  });

  it("Go's errors: checksum, truncation, header", () => {
    const z = Buffer.from(gzipSync(code));
    const badCrc = Buffer.from(z);
    badCrc[badCrc.length - 8] = badCrc[badCrc.length - 8]! ^ 1;
    gzipError(() => uncompressCode(badCrc), "gzip: invalid checksum");
    const badSize = Buffer.from(z);
    badSize[badSize.length - 1] = badSize[badSize.length - 1]! ^ 1;
    gzipError(() => uncompressCode(badSize), "gzip: invalid checksum");
    gzipError(() => uncompressCode(z.subarray(0, z.length - 4)), "unexpected EOF");
    gzipError(() => uncompressCode(z.subarray(0, 20)), "unexpected EOF");
    gzipError(() => uncompressCode(Uint8Array.of(0x1f, 0x8b, 0x08, 0)), "unexpected EOF");
    const badHcrc = Buffer.from(z);
    badHcrc[3] = badHcrc[3]! | 2; // FHCRC set: the next two bytes (deflate data) are taken as a wrong header CRC
    gzipError(() => uncompressCode(badHcrc), "gzip: invalid header");
    // Not gzip at all (third byte not 8): passed through, then refused by the static checks.
    assert.deepEqual(uncompressCode(Uint8Array.of(0x1f, 0x8b, 0x07)), Uint8Array.of(0x1f, 0x8b, 0x07));
  });

  it("a member longer than 2 MiB is cut to exactly 2 MiB, without a checksum error", () => {
    const big = new Uint8Array(3 * 1024 * 1024);
    for (let i = 0; i < big.length; i++) big[i] = (i * 7) & 0xff;
    const z = Buffer.from(gzipSync(big));
    z[z.length - 8] = z[z.length - 8]! ^ 1; // a broken trailer is never reached
    const out = uncompressCode(z);
    assert.equal(out.length, MAX_WASM_SIZE);
    assert.deepEqual(out, big.subarray(0, MAX_WASM_SIZE));
    const exact = uncompressCode(gzipSync(big.subarray(0, MAX_WASM_SIZE)));
    assert.equal(exact.length, MAX_WASM_SIZE);
  });

  it("the size limit, then the static checks (their WasmError passes through)", () => {
    const vm = createVm();
    assert.throws(
      () => vm.storeCheck(code, { maxContractSize: code.length - 1 }),
      (err: unknown) =>
        err instanceof VmStoreError &&
        err.code === "VM_STORE_TOO_LARGE" &&
        err.message === "max contract size exceeded",
    );
    assert.throws(() => vm.storeCheck(Uint8Array.of(0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 0xff)), WasmError);
  });
});
