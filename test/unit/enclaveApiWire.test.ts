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
  encodePostedAck,
  encodePostedFrame,
  FrameType,
  OCALLS,
  splitPostedFrames,
  type CallDefinition,
} from "../../src/enclave-api/protocol.ts";
import { decodeValue, encodeValue, w, type Schema } from "../../src/enclave-api/wire.ts";
import {
  ChannelEndpoint,
  createChannelBuffer,
  ExitReason,
  markChannelDead,
  SpinStats,
} from "../../src/enclave-api/channel.ts";

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

  it("posted ocall frames: length-delimited in front of one ordinary frame, split off in order", () => {
    const def = OCALLS.contractStateWrite;
    assert.equal((def as CallDefinition).posted, true);
    const value = (n: number) => ({
      contract: Uint8Array.of(n),
      ops: [{ legacyKey: new Uint8Array(0), storedKey: Uint8Array.of(1, 2), storedValue: new Uint8Array(n) }],
    });
    const a = encodePostedFrame(def.id, def.request, value(3), "a");
    assert.deepEqual(a.subarray(0, 5), Uint8Array.of(7, 0, ENCLAVE_PROTOCOL_VERSION, 0, def.id));
    assert.equal(new DataView(a.buffer, a.byteOffset).getUint32(5), a.length - 9);
    const b = encodePostedFrame(def.id, def.request, value(5), "b");
    const tail = encodeFrame(FrameType.EcallOk, 13, Uint8Array.of(9));
    const { posted, rest } = splitPostedFrames(concatBytes(a, b, tail));
    assert.deepEqual(
      posted.map((p) => decodeValue(def.request, p.payload)),
      [value(3), value(5)],
    );
    assert.deepEqual(
      posted.map((p) => p.callId),
      [def.id, def.id],
    );
    assert.deepEqual(rest, tail);
    // posted frames only (answered by the acknowledgement), and a message without any
    assert.equal(splitPostedFrames(a).rest.length, 0);
    assert.deepEqual(splitPostedFrames(tail), { posted: [], rest: tail });
    assert.deepEqual(decodeFrame(encodePostedAck()), {
      type: FrameType.OcallOk,
      version: ENCLAVE_PROTOCOL_VERSION,
      callId: 0,
      payload: new Uint8Array(0),
    });
    // truncated, short header, other version
    assert.equal(
      codeOf(() => splitPostedFrames(a.subarray(0, a.length - 1))),
      "ENCLAVE_API_MALFORMED",
    );
    assert.equal(
      codeOf(() => splitPostedFrames(a.subarray(0, 7))),
      "ENCLAVE_API_MALFORMED",
    );
    const other = Uint8Array.from(a);
    other[2] = ENCLAVE_PROTOCOL_VERSION + 1;
    assert.equal(
      codeOf(() => splitPostedFrames(other)),
      "ENCLAVE_API_VERSION_MISMATCH",
    );
    // only empty-answer ocalls may be posted
    for (const d of Object.values(OCALLS) as CallDefinition[]) {
      if (d.posted === true) assert.equal(d.response.kind === "struct" && d.response.entries.length, 0);
    }
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

  it("spin records: a kind of wait that keeps sleeping stops spinning but probes every 16th wait", () => {
    const stats = new SpinStats();
    // hits keep it spinning, however many
    for (let i = 0; i < 20; i++) {
      assert.equal(stats.shouldSpin(), true);
      stats.record(true);
    }
    // from the top (8), twelve misses bring it below -4
    for (let i = 0; i < 12; i++) {
      assert.equal(stats.shouldSpin(), true);
      stats.record(false);
    }
    const pattern: boolean[] = [];
    for (let i = 0; i < 32; i++) pattern.push(stats.shouldSpin());
    assert.deepEqual(
      pattern.map((p, i) => (p ? i : -1)).filter((i) => i >= 0),
      [15, 31],
    );
    // a probe that hits brings spinning back
    stats.record(true);
    assert.equal(stats.shouldSpin(), true);
    // a receive whose turn has already come counts as a hit
    const sab = createChannelBuffer(64);
    const host = new ChannelEndpoint(sab, "host");
    const enclave = new ChannelEndpoint(sab, "enclave");
    const cold = new SpinStats();
    for (let i = 0; i < 5; i++) cold.record(false);
    host.send(Uint8Array.of(9));
    assert.deepEqual(enclave.receive(undefined, cold), Uint8Array.of(9));
    assert.equal(cold.shouldSpin(), true);
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
