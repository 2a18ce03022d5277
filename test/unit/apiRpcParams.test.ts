/**
 * The RPC's fast paths: `decodeBase64Param` accepts exactly the texts primitives' strict `fromBase64`
 * accepts, with the same bytes; JSON-RPC `bytes` params go through it.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { fromBase64, toBase64 } from "../../src/primitives/base64.ts";
import { decodeBase64Param, decodeJsonParams, paramBytes } from "../../src/api/rpc/params.ts";
import { RpcError } from "../../src/api/rpc/errors.ts";

const strict = (text: string): Uint8Array | undefined => {
  try {
    return fromBase64(text);
  } catch {
    return undefined;
  }
};

const sameResult = (text: string): void => {
  const ours = decodeBase64Param(text);
  const expected = strict(text);
  if (expected === undefined) assert.equal(ours, undefined, `accepted ${JSON.stringify(text)}`);
  else assert.deepEqual(ours === undefined ? undefined : Uint8Array.from(ours), expected, JSON.stringify(text));
};

// Letters, padding, URL-safe letters, whitespace, punctuation, non-latin1 characters, NUL.
const LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_ \n\t!.é\u0100\u2603\0".split("");

describe("decodeBase64Param", () => {
  it("decodes every canonical encoding to its bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
        const decoded = decodeBase64Param(toBase64(bytes));
        assert.ok(decoded !== undefined);
        assert.deepEqual(Uint8Array.from(decoded), bytes);
      }),
      { numRuns: 2000 },
    );
  });

  it("accepts exactly what fromBase64 accepts (random texts)", () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...LETTERS), { maxLength: 16 }), (letters) => sameResult(letters.join(""))),
      { numRuns: 30_000 },
    );
  });

  it("accepts exactly what fromBase64 accepts (one letter of a canonical text changed)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), fc.nat(), fc.constantFrom(...LETTERS), (bytes, at, letter) => {
        const text = toBase64(bytes);
        const i = at % (text.length + 1);
        sameResult(text.slice(0, i) + letter + text.slice(i + 1)); // replaced (or appended at the end)
        sameResult(text.slice(0, i) + letter + text.slice(i)); // inserted
      }),
      { numRuns: 20_000 },
    );
  });

  it("refuses non-canonical texts Buffer's decoder would take", () => {
    for (const text of [
      "QQ",
      "QR==",
      "QUF=",
      "QUJ=",
      "Q===",
      "QQ==QQ==",
      "-_-_",
      " QQ==",
      "QQ==\n",
      "QUJD\u2603",
      "====",
      "A",
    ]) {
      assert.equal(decodeBase64Param(text), undefined, JSON.stringify(text));
      assert.equal(strict(text), undefined, JSON.stringify(text));
    }
    assert.deepEqual(decodeBase64Param(""), new Uint8Array(0));
  });

  it("is what a JSON-RPC bytes param decodes with, and a bad text is -32602", () => {
    const specs = [{ name: "tx", kind: "bytes" }] as const;
    const tx = Uint8Array.from({ length: 300 }, (_, i) => (i * 7) & 0xff);
    assert.deepEqual(Uint8Array.from(paramBytes(decodeJsonParams(specs, { tx: toBase64(tx) }), "tx")!), tx);
    assert.deepEqual(Uint8Array.from(paramBytes(decodeJsonParams(specs, [toBase64(tx)]), "tx")!), tx);
    assert.throws(
      () => decodeJsonParams(specs, { tx: "QR==" }),
      (e: unknown) =>
        e instanceof RpcError && e.toJson().code === -32602 && /tx: illegal base64 data/.test(String(e.toJson().data)),
    );
  });
});
