/**
 * The frame decoder's length decoder answers an empty buffer with one `RangeError` made once instead
 * of a new one (with its stack trace) per received chunk; frames decode exactly as before.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { EMPTY_BUFFER, installOn, quietEmptyLengthDecodes, quietOnEmpty } from "../../src/p2p/lengthDecoder.ts";

let created = 0;
/** A stand-in of js-libp2p's LengthPrefixedDecoder: 1-byte lengths, a new RangeError for a short buffer. */
class FakeDecoder {
  buffer: number[] = [];
  lengthDecoder = (buf: { readonly byteLength: number }): number => {
    if (buf.byteLength < 1) {
      created++;
      throw new RangeError("Could not decode length");
    }
    return (buf as unknown as { first: number }).first;
  };
  *decode(chunk: readonly number[]): Generator<number[]> {
    this.buffer.push(...chunk);
    for (;;) {
      let length: number;
      try {
        length = this.lengthDecoder({ byteLength: this.buffer.length, first: this.buffer[0] } as never);
      } catch (err) {
        if (err instanceof RangeError) break;
        throw err;
      }
      if (this.buffer.length < 1 + length) break;
      const frame = this.buffer.slice(1, 1 + length);
      this.buffer = this.buffer.slice(1 + length);
      yield frame;
    }
  }
}

const frames = (chunks: readonly (readonly number[])[], d: FakeDecoder): number[][] =>
  chunks.flatMap((c) => [...d.decode(c)]);

describe("quiet empty length decodes", () => {
  it("decodes the same frames, without a new RangeError for the empty buffer after each chunk", () => {
    const data = fc.array(fc.array(fc.nat(255), { maxLength: 6 }), { maxLength: 8 });
    fc.assert(
      fc.property(data, fc.array(fc.nat(20), { maxLength: 6 }), (payloads, cuts) => {
        const bytes = payloads.flatMap((p) => [p.length, ...p]);
        const chunks: number[][] = [];
        let at = 0;
        for (const c of cuts) {
          chunks.push(bytes.slice(at, at + c));
          at += c;
        }
        chunks.push(bytes.slice(at));
        const plain = frames(chunks, new FakeDecoder());
        class Patched extends FakeDecoder {}
        // The prototype's own decode, as on js-libp2p's class.
        Object.defineProperty(Patched.prototype, "decode", { value: FakeDecoder.prototype.decode, writable: true });
        installOn(Patched.prototype as never);
        installOn(Patched.prototype as never); // once only
        created = 0;
        const quiet = frames(chunks, new Patched());
        assert.deepEqual(quiet, plain);
        assert.deepEqual(quiet, payloads);
        assert.equal(created, 0, "no RangeError made: the buffer is either empty or holds a length byte");
      }),
    );
  });

  it("the wrapper throws the one prepared RangeError for an empty buffer and passes others through", () => {
    const ld = quietOnEmpty((b) => b.byteLength * 10);
    assert.throws(
      () => ld({ byteLength: 0 }),
      (e: unknown) => e === EMPTY_BUFFER && e instanceof RangeError,
    );
    assert.equal(ld({ byteLength: 3 }), 30);
  });

  it("a connection without a muxer's frame decoder is left alone", () => {
    assert.equal(quietEmptyLengthDecodes(undefined), false);
    assert.equal(quietEmptyLengthDecodes({}), false);
    assert.equal(quietEmptyLengthDecodes({ muxer: { maConn: {} } }), false);
    assert.equal(quietEmptyLengthDecodes({ muxer: { maConn: { decoder: { lengthDecoder: 1 } } } }), false);
  });
});

describe("noise's 2-byte lengths", () => {
  it("the fast read equals noise's uint16BEDecode on Uint8Arrays and Uint8ArrayLists of any chunking", async () => {
    // noise's own decoder and the list type it is given (both from the installed packages).
    const { Uint8ArrayList } = await import("uint8arraylist");
    const noiseEncoder = (await import(
      new URL("../../node_modules/@chainsafe/libp2p-noise/dist/src/encoder.js", import.meta.url).href
    )) as { uint16BEDecode: (b: unknown) => number };
    const original = noiseEncoder.uint16BEDecode;
    const fast = quietOnEmpty(original as never);
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 12 }),
        fc.array(fc.nat(4), { maxLength: 5 }),
        (bytes, cuts) => {
          const list = new Uint8ArrayList();
          let at = 0;
          for (const c of cuts) {
            list.append(bytes.subarray(at, at + c));
            at += c;
          }
          list.append(bytes.subarray(at));
          const expect = (b: unknown): number | "range" => {
            try {
              return original(b);
            } catch (e) {
              if (e instanceof RangeError) return "range";
              throw e;
            }
          };
          const got = (b: unknown): number | "range" => {
            try {
              return fast(b as never);
            } catch (e) {
              if (e instanceof RangeError) return "range";
              throw e;
            }
          };
          assert.equal(got(list), expect(list));
          assert.equal(got(bytes), expect(bytes));
        },
      ),
    );
    assert.equal(fast(Uint8Array.of(0x12, 0x34, 9) as never), 0x1234);
    // The fast read is taken for noise's decoder: no getUint16 when the first chunk holds both bytes.
    const proto = Uint8ArrayList.prototype as unknown as { getUint16(this: unknown, ...a: unknown[]): number };
    const getUint16 = proto.getUint16;
    let calls = 0;
    proto.getUint16 = function (this: unknown, ...a: unknown[]): number {
      calls++;
      return getUint16.apply(this, a);
    };
    try {
      const list = new Uint8ArrayList(Uint8Array.of(1, 2, 3), Uint8Array.of(4));
      assert.equal(fast(list as never), 0x0102);
      assert.equal(calls, 0);
      assert.equal(fast(new Uint8ArrayList(Uint8Array.of(1), Uint8Array.of(2)) as never), 0x0102, "split length");
      assert.equal(calls, 1, "a length split over chunks goes to noise's decoder");
    } finally {
      proto.getUint16 = getUint16;
    }
  });
});
