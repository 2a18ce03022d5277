import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { fromBase64, toBase64 } from "../../src/primitives/base64.ts";
import {
  be16,
  be32,
  be64,
  bytesEqual,
  compareBytes,
  concatBytes,
  le16,
  le32,
  le64,
  readBe64,
  readLe64,
  utf8Decode,
  utf8Encode,
} from "../../src/primitives/bytes.ts";
import { isCodedError } from "../../src/primitives/errors.ts";
import { fromHex, isHex, toHex } from "../../src/primitives/hex.ts";

const bytes = fc.uint8Array({ maxLength: 300 });

describe("hex", () => {
  it("matches Buffer's encoding and round-trips", () => {
    fc.assert(
      fc.property(bytes, (b) => {
        const text = toHex(b);
        assert.equal(text, Buffer.from(b).toString("hex"));
        assert.deepEqual(fromHex(text), b);
        assert.deepEqual(fromHex(text.toUpperCase()), b);
        assert.ok(isHex(text));
      }),
    );
  });

  it("refuses odd lengths and non-hex characters", () => {
    for (const junk of ["a", "abc", "0g", "0x00", " 00", "00 ", "zz", "é0"]) {
      assert.throws(
        () => fromHex(junk),
        (e: unknown) => isCodedError(e, "HEX_INVALID"),
        junk,
      );
      assert.equal(isHex(junk), false, junk);
    }
  });
});

describe("base64", () => {
  it("matches Buffer's standard encoding and round-trips", () => {
    fc.assert(
      fc.property(bytes, (b) => {
        const text = toBase64(b);
        assert.equal(text, Buffer.from(b).toString("base64"));
        assert.deepEqual(fromBase64(text), b);
      }),
    );
  });

  it("accepts exactly one encoding per byte string", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 12 }), (text) => {
        let decoded: Uint8Array | undefined;
        try {
          decoded = fromBase64(text);
        } catch (e) {
          assert.ok(isCodedError(e, "BASE64_INVALID"));
          return;
        }
        assert.equal(toBase64(decoded), text);
      }),
    );
  });

  it("refuses junk: url-safe alphabet, missing padding, non-canonical bits, whitespace", () => {
    for (const junk of ["-_8=", "QQ", "QR==", "QUI=A===", "Q U=", "QUI", "=AAA", "AA=A", "QUJD\n"]) {
      assert.throws(
        () => fromBase64(junk),
        (e: unknown) => isCodedError(e, "BASE64_INVALID"),
        junk,
      );
    }
  });
});

describe("bytes", () => {
  it("concatenates and compares", () => {
    fc.assert(
      fc.property(bytes, bytes, (a, b) => {
        const c = concatBytes(a, b);
        assert.deepEqual(c, Uint8Array.from([...a, ...b]));
        assert.equal(bytesEqual(a, b), Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0);
        assert.equal(Math.sign(compareBytes(a, b)), Buffer.compare(Buffer.from(a), Buffer.from(b)));
      }),
    );
  });

  it("writes big- and little-endian integers and refuses out-of-range values", () => {
    assert.equal(toHex(be16(0x1234)), "1234");
    assert.equal(toHex(le16(0x1234)), "3412");
    assert.equal(toHex(be32(1)), "00000001");
    assert.equal(toHex(le32(0x01020304)), "04030201");
    assert.equal(toHex(be64(1234n)), "00000000000004d2");
    assert.equal(toHex(le64(6)), "0600000000000000");
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), (n) => {
        assert.equal(readBe64(be64(n)), n);
        assert.equal(readLe64(le64(n)), n);
      }),
    );
    for (const bad of [-1, 2 ** 32, 1.5, Number.NaN]) {
      assert.throws(
        () => be32(bad),
        (e: unknown) => isCodedError(e, "INT_RANGE"),
        String(bad),
      );
    }
    assert.throws(
      () => be64(1n << 64n),
      (e: unknown) => isCodedError(e, "INT_RANGE"),
    );
    assert.throws(
      () => le16(65536),
      (e: unknown) => isCodedError(e, "INT_RANGE"),
    );
  });

  it("decodes UTF-8 strictly", () => {
    fc.assert(fc.property(fc.string({ unit: "grapheme" }), (s) => assert.equal(utf8Decode(utf8Encode(s)), s)));
    for (const bad of [[0xff], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xe2, 0x82]]) {
      assert.throws(
        () => utf8Decode(Uint8Array.from(bad)),
        (e: unknown) => isCodedError(e, "UTF8_INVALID"),
      );
    }
  });
});
