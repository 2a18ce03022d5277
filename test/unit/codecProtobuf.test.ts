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
