/**
 * The enclave interface's messages: schema-derived property tests of the binary encoding for every
 * ecall and ocall, refusal of malformed frames and payloads, and the channel's single-threaded rules.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { concatBytes } from "../../src/primitives/bytes.ts";
import { isCodedError } from "../../src/primitives/errors.ts";
import {
  decodeErrorPayload,
  decodeFrame,
  ECALLS,
  ENCLAVE_PROTOCOL_VERSION,
  encodeErrorFrame,
  encodeFrame,
  encodeMessageFrame,
  FrameType,
  OCALLS,
  type CallDefinition,
} from "../../src/enclave-api/protocol.ts";
import { decodeValue, encodeValue, w, type Schema } from "../../src/enclave-api/wire.ts";
import { ChannelEndpoint, createChannelBuffer, ExitReason, markChannelDead } from "../../src/enclave-api/channel.ts";

function arbitraryOf(schema: Schema): fc.Arbitrary<unknown> {
  switch (schema.kind) {
    case "bytes":
      return schema.length === undefined
        ? fc.uint8Array({ maxLength: 300 })
        : fc.uint8Array({ minLength: schema.length, maxLength: schema.length });
    case "u32":
      return fc.nat({ max: 0xffff_ffff });
    case "u64":
      return fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });
    case "bool":
      return fc.boolean();
    case "string":
      return fc.string({ unit: "grapheme", maxLength: 40 });
    case "optional":
      return fc.option(arbitraryOf(schema.of), { nil: undefined });
    case "list":
      return fc.array(arbitraryOf(schema.of), { maxLength: Math.min(schema.max, 5) });
    case "struct":
      return fc.record(Object.fromEntries(schema.entries.map(([name, field]) => [name, arbitraryOf(field)])), {
        noNullPrototype: true,
      });
  }
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (isCodedError(e)) return e.code;
    throw e;
  }
  return "OK";
}

const ALL: [string, CallDefinition][] = [
  ...Object.entries(ECALLS).map(([n, d]): [string, CallDefinition] => [`ecall ${n}`, d]),
  ...Object.entries(OCALLS).map(([n, d]): [string, CallDefinition] => [`ocall ${n}`, d]),
];

describe("wire encoding", () => {
  for (const [name, def] of ALL) {
    for (const side of ["request", "response"] as const) {
      it(`${name} ${side}: decode(encode(v)) = v, and every strict prefix is refused`, () => {
        const schema = def[side];
        fc.assert(
          fc.property(arbitraryOf(schema), (value) => {
            const bytes = encodeValue(schema, value as never);
            assert.deepEqual(decodeValue(schema, bytes), value);
            const frame = encodeMessageFrame(FrameType.Ecall, def.id, schema, value, "v");
            assert.deepEqual(frame.subarray(5), bytes);
            assert.equal(decodeFrame(frame).callId, def.id);
            for (let cut = 0; cut < bytes.length; cut += Math.max(1, Math.floor(bytes.length / 16))) {
              assert.equal(
                codeOf(() => decodeValue(schema, bytes.subarray(0, cut))),
                "ENCLAVE_API_MALFORMED",
              );
            }
            assert.equal(
              codeOf(() => decodeValue(schema, concatBytes(bytes, Uint8Array.of(0)))),
              "ENCLAVE_API_MALFORMED",
            );
          }),
          { numRuns: 60 },
        );
      });
    }
  }

  it("never throws anything but ENCLAVE_API_MALFORMED on random bytes", () => {
    fc.assert(
      fc.property(fc.constantFrom(...ALL), fc.uint8Array({ maxLength: 200 }), ([, def], bytes) => {
        for (const schema of [def.request, def.response]) {
          const code = codeOf(() => decodeValue(schema, bytes));
          assert.ok(code === "OK" || code === "ENCLAVE_API_MALFORMED", code);
        }
      }),
      { numRuns: 500 },
    );
  });

  it("refuses bad tags, bad UTF-8, long lists and lengths beyond the data", () => {
    const s = w.struct({ b: w.bool, o: w.optional(w.u32), t: w.string, l: w.list(w.u32, 2), x: w.bytes() });
    const good = encodeValue(s, { b: true, o: 7, t: "é", l: [1], x: Uint8Array.of(9) });
    assert.deepEqual(decodeValue(s, good), { b: true, o: 7, t: "é", l: [1], x: Uint8Array.of(9) });
    const mut = (i: number, v: number): Uint8Array => {
      const b = Uint8Array.from(good);
      b[i] = v;
      return b;
    };
    assert.equal(
      codeOf(() => decodeValue(s, mut(0, 2))),
      "ENCLAVE_API_MALFORMED",
    ); // bool
    assert.equal(
      codeOf(() => decodeValue(s, mut(1, 2))),
      "ENCLAVE_API_MALFORMED",
    ); // option tag
    assert.equal(
      codeOf(() => decodeValue(s, mut(11, 0x41))),
      "ENCLAVE_API_MALFORMED",
    ); // UTF-8 (é = c3 a9 → c3 41)
    assert.equal(
      codeOf(() => decodeValue(s, mut(15, 3))),
      "ENCLAVE_API_MALFORMED",
    ); // list count 3 > 2 (BE32 at 12..16)
    assert.equal(
      codeOf(() => decodeValue(s, mut(20, 0xff))),
      "ENCLAVE_API_MALFORMED",
    ); // bytes length beyond data
    // a huge declared length is refused before any allocation
    assert.equal(
      codeOf(() => decodeValue(w.bytes(), Uint8Array.of(0xff, 0xff, 0xff, 0xff))),
      "ENCLAVE_API_MALFORMED",
    );
  });

  it("refuses to encode values that do not fit the schema (ENCLAVE_API_BAD_REQUEST)", () => {
    const cases: [Schema, unknown][] = [
      [w.bytes(32), new Uint8Array(31)],
      [w.bytes(), "not bytes"],
      [w.u32, -1],
      [w.u32, 2 ** 32],
      [w.u32, 1.5],
      [w.u64, -1n],
      [w.u64, 1 << 30],
      [w.u64, 1n << 64n],
      [w.bool, 1],
      [w.string, 5],
      [w.list(w.u32, 1), [1, 2]],
      [w.struct({ a: w.u32 }), {}],
      [w.struct({ a: w.u32 }), null],
    ];
    for (const [schema, value] of cases)
      assert.equal(
        codeOf(() => encodeValue(schema, value as never)),
        "ENCLAVE_API_BAD_REQUEST",
      );
  });
});

describe("frames", () => {
  it("header: u8 type ‖ BE16 version ‖ BE16 call id", () => {
    const f = encodeFrame(FrameType.Ocall, 0x0102, Uint8Array.of(0xaa));
    assert.deepEqual(f, Uint8Array.of(4, 0, ENCLAVE_PROTOCOL_VERSION, 1, 2, 0xaa));
    assert.deepEqual(decodeFrame(f), {
      type: 4,
      version: ENCLAVE_PROTOCOL_VERSION,
      callId: 0x0102,
      payload: Uint8Array.of(0xaa),
    });
  });

  it("refuses short headers, unknown types and other protocol versions", () => {
    assert.equal(
      codeOf(() => decodeFrame(Uint8Array.of(1, 0, 1, 0))),
      "ENCLAVE_API_MALFORMED",
    );
    assert.equal(
      codeOf(() => decodeFrame(Uint8Array.of(0, 0, 1, 0, 1))),
      "ENCLAVE_API_MALFORMED",
    );
    assert.equal(
      codeOf(() => decodeFrame(Uint8Array.of(7, 0, 1, 0, 1))),
      "ENCLAVE_API_MALFORMED",
    );
    assert.equal(
      codeOf(() => decodeFrame(Uint8Array.of(1, 0, ENCLAVE_PROTOCOL_VERSION + 1, 0, 1))),
      "ENCLAVE_API_VERSION_MISMATCH",
    );
  });

  it("error payloads carry a well-formed code and a bounded message", () => {
    const f = decodeFrame(
      encodeErrorFrame(FrameType.EcallError, 3, { code: "SEAL_TAMPERED", message: "x".repeat(5000) }),
    );
    const e = decodeErrorPayload(f.payload);
    assert.equal(e.code, "SEAL_TAMPERED");
    assert.equal(e.message.length, 1024);
    const bad = decodeFrame(encodeErrorFrame(FrameType.EcallError, 3, { code: "not a code", message: "" }));
    assert.equal(
      codeOf(() => decodeErrorPayload(bad.payload)),
      "ENCLAVE_API_MALFORMED",
    );
  });

  it("every call id is unique per direction", () => {
    assert.equal(new Set(Object.values(ECALLS).map((d) => d.id)).size, Object.keys(ECALLS).length);
    assert.equal(new Set(Object.values(OCALLS).map((d) => d.id)).size, Object.keys(OCALLS).length);
  });
});

describe("channel (single thread)", () => {
  it("hands a message over and copies it out of shared memory", () => {
    const sab = createChannelBuffer(64);
    const host = new ChannelEndpoint(sab, "host", { spinMicros: 0 });
    const enclave = new ChannelEndpoint(sab, "enclave", { spinMicros: 0 });
    assert.equal(host.isMyTurn(), true);
    host.send(Uint8Array.of(1, 2, 3));
    assert.equal(host.isMyTurn(), false);
    const got = enclave.receive();
    assert.deepEqual(got, Uint8Array.of(1, 2, 3));
    assert.ok(!(got.buffer instanceof SharedArrayBuffer));
    assert.equal(
      codeOf(() => host.send(Uint8Array.of(1))),
      "ENCLAVE_API_MALFORMED",
    ); // out of turn
    enclave.send(new Uint8Array(64));
    assert.equal(host.receive().length, 64);
  });

  it("refuses messages over the maximum before writing", () => {
    const sab = createChannelBuffer(64);
    const host = new ChannelEndpoint(sab, "host", { maxMessageBytes: 10 });
    assert.equal(
      codeOf(() => host.send(new Uint8Array(11))),
      "ENCLAVE_API_MESSAGE_TOO_LARGE",
    );
    assert.equal(host.isMyTurn(), true);
  });

  it("a dead channel fails sends and receives with ENCLAVE_API_DEAD and its cause", () => {
    const sab = createChannelBuffer(64);
    const host = new ChannelEndpoint(sab, "host");
    markChannelDead(sab, ExitReason.OutOfMemory, 1);
    assert.equal(host.isDead(), true);
    assert.throws(
      () => host.send(Uint8Array.of(1)),
      (e) => isCodedError(e, "ENCLAVE_API_DEAD") && /out of memory/.test(e.message),
    );
    assert.equal(
      codeOf(() => host.receive()),
      "ENCLAVE_API_DEAD",
    );
    assert.equal(host.waitForDeath(0), true);
  });

  it("times out waiting when given a deadline", () => {
    const sab = createChannelBuffer(64);
    const host = new ChannelEndpoint(sab, "host", { spinMicros: 0 });
    host.send(Uint8Array.of(1));
    assert.equal(
      codeOf(() => host.receive(performance.now() + 20)),
      "ENCLAVE_API_TIMEOUT",
    );
  });
});
