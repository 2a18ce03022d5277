import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { ProtoReader, ProtoWriter, decodeFields, field } from "../../src/codec/protobuf.ts";
import { decodeAuthInfo, decodeTxBody, decodeTxRaw, encodeTxBody } from "../../src/codec/tx.ts";
import { isCodedError } from "../../src/primitives/errors.ts";
import { fromHex } from "../../src/primitives/hex.ts";

const code = (c: string) => (e: unknown) => isCodedError(e, c);

describe("protobuf wire format", () => {
  it("round-trips any uint64 varint", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), (v) => {
        const bytes = new ProtoWriter().uint(1, v, true).finish();
        const r = new ProtoReader(bytes);
        assert.deepEqual(r.tag(), { field: 1, wire: 0 });
        assert.equal(r.varint(), v);
        assert.ok(r.eof());
      }),
    );
  });

  it("reads varints at every length boundary, padded ones included", () => {
    for (let bits = 0n; bits <= 64n; bits++) {
      for (const v of [(1n << bits) - 1n, 1n << bits]) {
        if (v >= 1n << 64n) continue;
        const bytes = new ProtoWriter().uint(1, v, true).finish().subarray(1);
        assert.equal(new ProtoReader(bytes).varint(), v, `2^${bits} boundary ${v}`);
      }
    }
    // Non-minimal (zero-padded) encodings of 5 and 2^49 decode to the value, as before.
    assert.equal(new ProtoReader(fromHex("8580808080808000")).varint(), 5n);
    assert.equal(new ProtoReader(fromHex("8080808080808001")).varint(), 1n << 49n);
    assert.throws(() => new ProtoReader(fromHex("80808080808080")).varint(), code("PROTO_TRUNCATED"));
  });

  it("refuses overlong and overflowing varints, truncation and bad wire types", () => {
    assert.throws(() => new ProtoReader(fromHex("ffffffffffffffffffff01")).varint(), code("PROTO_VARINT"));
    assert.throws(() => new ProtoReader(fromHex("ffffffffffffffffff02")).varint(), code("PROTO_VARINT"));
    assert.throws(() => new ProtoReader(fromHex("80")).varint(), code("PROTO_TRUNCATED"));
    assert.throws(() => new ProtoReader(fromHex("0a05aabb")).bytes(), code("PROTO_TRUNCATED"));
    assert.throws(() => new ProtoReader(fromHex("0b")).tag(), code("PROTO_WIRE_TYPE")); // group start
    assert.throws(() => new ProtoReader(fromHex("00")).tag(), code("PROTO_FIELD_RANGE")); // field 0
  });

  it("refuses unknown critical fields, tolerates non-critical ones where allowed", () => {
    const handlers = { 1: field.uint64(() => undefined) };
    assert.throws(() => decodeFields(fromHex("1001"), "M", handlers), code("PROTO_UNKNOWN_FIELD"));
    const nonCritical = new ProtoWriter().uint(1025, 1).finish(); // bit 10 set
    decodeFields(nonCritical, "M", handlers, { allowNonCritical: true });
    const critical = new ProtoWriter().uint(2048, 1).finish(); // bit 10 clear
    assert.throws(() => decodeFields(critical, "M", handlers, { allowNonCritical: true }), code("PROTO_UNKNOWN_FIELD"));
  });

  it("refuses a field with the wrong wire type and strings that are not UTF-8", () => {
    assert.throws(
      () => decodeFields(fromHex("0801"), "M", { 1: field.bytes(() => undefined) }),
      code("PROTO_WIRE_TYPE"),
    );
    assert.throws(
      () => decodeFields(fromHex("0a01ff"), "M", { 1: field.string(() => undefined) }),
      code("PROTO_INVALID_UTF8"),
    );
  });
});

describe("ProtoWriter buffers and strings", () => {
  const utf8 = new TextEncoder();

  it("a string field is its UTF-8 bytes field, for any text and length, and decodes back", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 80 }),
          fc.string({ unit: "grapheme", maxLength: 40 }),
          fc.string({ maxLength: 300 }),
        ),
        fc.boolean(),
        (text, always) => {
          const viaString = new ProtoWriter().uint(1, 7n).string(2, text, always).uint(3, 9n).finish();
          const viaBytes = new ProtoWriter().uint(1, 7n).bytes(2, utf8.encode(text), always).uint(3, 9n).finish();
          assert.deepEqual(viaString, viaBytes);
          let back: string | undefined;
          decodeFields(viaString, "T", {
            1: field.uint64(() => undefined),
            2: field.string((v) => (back = v)),
            3: field.uint64(() => undefined),
          });
          assert.equal(back ?? "", text);
        },
      ),
    );
  });

  it("nested writers, large messages, a second finish and writes after finish give the right bytes", () => {
    const big = new Uint8Array(5000).map((_, i) => i & 0xff);
    const inner = () => new ProtoWriter().string(1, "inner").bytes(2, big).finish();
    const w = new ProtoWriter().string(1, "outer");
    const nested = new ProtoWriter().message(1, inner()).message(2, inner()).finish();
    const first = w.message(2, nested).finish();
    const again = w.finish();
    assert.deepEqual(again, first);
    assert.notEqual(again, first, "a fresh copy each time");
    const more = w.uint(3, 1n).finish();
    assert.deepEqual(more.subarray(0, first.length), first);
    assert.deepEqual([...more.subarray(first.length)], [0x18, 0x01]);
    assert.deepEqual(first, new ProtoWriter().string(1, "outer").message(2, nested).finish(), "first not changed");
    // Many writers in a row (buffers go back to the pool) never see each other's bytes.
    for (let i = 0; i < 50; i++) {
      const a = new ProtoWriter().string(1, `a${i}`);
      const b = new ProtoWriter().string(1, `b${i}`).finish();
      assert.deepEqual(a.finish(), new Uint8Array([0x0a, 1 + String(i).length, 0x61, ...utf8.encode(String(i))]));
      assert.deepEqual(b, new Uint8Array([0x0a, 1 + String(i).length, 0x62, ...utf8.encode(String(i))]));
    }
  });
});

describe("transaction decoders", () => {
  it("refuse unknown fields in TxBody and AuthInfo, and a deprecated tip", () => {
    const body = encodeTxBody({ messages: [{ typeUrl: "/x", value: new Uint8Array(0) }] });
    const withUnknown = new Uint8Array([...body, ...new ProtoWriter().uint(5, 1).finish()]);
    assert.throws(() => decodeTxBody(withUnknown), code("PROTO_UNKNOWN_FIELD"));
    const tip = new ProtoWriter().message(3, new Uint8Array(0)).finish();
    assert.throws(() => decodeAuthInfo(tip), code("PROTO_UNKNOWN_FIELD"));
  });

  it("never throws anything but a coded error on random bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        for (const decode of [decodeTxRaw, decodeTxBody, decodeAuthInfo]) {
          try {
            decode(bytes);
          } catch (e) {
            assert.ok(isCodedError(e), `non-coded error: ${String(e)}`);
          }
        }
      }),
    );
  });

  it("stops deeply nested multisig mode infos", () => {
    let mode = new ProtoWriter().message(1, new ProtoWriter().uint(1, 1).finish()).finish();
    for (let i = 0; i < 20; i++)
      mode = new ProtoWriter().message(2, new ProtoWriter().message(2, mode).finish()).finish();
    const authInfo = new ProtoWriter().message(1, new ProtoWriter().message(2, mode).finish()).finish();
    assert.throws(() => decodeAuthInfo(authInfo), code("PROTO_TOO_DEEP"));
  });
});
