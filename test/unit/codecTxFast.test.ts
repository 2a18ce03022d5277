/**
 * The fast paths of `decodeTxRaw`, `decodeTxBody` and `decodeAuthInfo` give exactly what the
 * `decodeFields` decoders give — the same value, or the same error (code and text) — for valid
 * envelopes of every shape (several messages, memos in any script, timeouts, extension options,
 * several signers, multisig mode infos, fee payer and granter) and for those bytes damaged at random;
 * likewise `decodeMsgSend`.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  type Any,
  type ModeInfo,
  decodeAuthInfo,
  decodeAuthInfoFields,
  decodeTxBody,
  decodeTxBodyFields,
  decodeTxRaw,
  decodeTxRawFields,
  encodeAuthInfo,
  encodeTxBody,
  encodeTxRaw,
} from "../../src/codec/tx.ts";
import { decodeMsgSend, decodeMsgSendFields, encodeMsgSend } from "../../src/codec/bank.ts";

/** The outcome of a decoder: its value, or its error's code and text. */
function outcome<T>(decode: (b: Uint8Array) => T, bytes: Uint8Array): { ok: T } | { code: unknown; message: string } {
  try {
    return { ok: decode(bytes) };
  } catch (e) {
    return { code: (e as { code?: unknown }).code, message: (e as Error).message };
  }
}

const bytesArb = fc.uint8Array({ maxLength: 40 });
const textArb = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.string({ unit: "grapheme", maxLength: 8 }),
  fc.constant("uscrt"),
);
const anyArb: fc.Arbitrary<Any> = fc.record({ typeUrl: textArb, value: bytesArb });
const u64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });
const single: fc.Arbitrary<ModeInfo> = fc
  .oneof(
    fc.constantFrom(0, 1, 127, 191),
    fc.integer({ min: 0, max: 0x7fffffff }),
    fc.integer({ min: 0x7fffff00, max: 2 ** 40 }),
  )
  .map((mode) => ({ kind: "single", mode }));
const modeInfoArb: fc.Arbitrary<ModeInfo> = fc.oneof(
  { weight: 4, arbitrary: single },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("multi" as const),
      bitarray: fc.record({ extraBitsStored: fc.integer({ min: 0, max: 7 }), elems: fc.uint8Array({ maxLength: 3 }) }),
      modeInfos: fc.array(single, { maxLength: 3 }),
    }),
  },
);
const coinArb = fc.record({
  denom: textArb,
  amount: fc.oneof(fc.bigInt({ min: 0n, max: (1n << 80n) - 1n }).map(String), textArb),
});

const bodyArb = fc
  .record({
    messages: fc.array(anyArb, { maxLength: 3 }),
    memo: textArb,
    timeoutHeight: fc.oneof(fc.constant(0n), u64),
    extensionOptions: fc.oneof(
      { weight: 5, arbitrary: fc.constant([]) },
      { weight: 1, arbitrary: fc.array(anyArb, { maxLength: 2 }) },
    ),
    nonCriticalExtensionOptions: fc.oneof(
      { weight: 5, arbitrary: fc.constant([]) },
      { weight: 1, arbitrary: fc.array(anyArb, { maxLength: 2 }) },
    ),
  })
  .map((b) => encodeTxBody(b));

const authArb = fc
  .record({
    signerInfos: fc.array(
      fc.record({
        publicKey: fc.option(anyArb, { nil: undefined }),
        modeInfo: fc.option(modeInfoArb, { nil: undefined }),
        sequence: u64,
      }),
      { maxLength: 3 },
    ),
    fee: fc.option(
      fc.record({ amount: fc.array(coinArb, { maxLength: 3 }), gasLimit: u64, payer: textArb, granter: textArb }),
      { nil: undefined },
    ),
  })
  .map((a) => encodeAuthInfo(a));

const rawArb = fc
  .record({
    bodyBytes: bodyArb,
    authInfoBytes: authArb,
    signatures: fc.array(fc.uint8Array({ maxLength: 70 }), { maxLength: 3 }),
  })
  .map((t) => encodeTxRaw(t));

/** The bytes, or a damaged copy: bytes flipped, cut short, inserted or appended. */
function damaged(arb: fc.Arbitrary<Uint8Array>): fc.Arbitrary<Uint8Array> {
  return fc.tuple(arb, fc.nat(), fc.nat(255), fc.integer({ min: 0, max: 4 })).map(([b, at, v, how]) => {
    if (how === 0 || b.length === 0) return b;
    const i = at % b.length;
    const out = b.slice();
    if (how === 1) {
      out[i] = v;
      return out;
    }
    if (how === 2) return b.subarray(0, i);
    if (how === 3) return Uint8Array.from([...b.subarray(0, i), v, ...b.subarray(i)]);
    return Uint8Array.from([...b, v, at & 0xff]);
  });
}

describe("tx envelope fast decoders", () => {
  it("TxBody: same value or same error as decodeFields", () => {
    fc.assert(
      fc.property(damaged(bodyArb), (b) => assert.deepEqual(outcome(decodeTxBody, b), outcome(decodeTxBodyFields, b))),
      { numRuns: 1500 },
    );
  });

  it("AuthInfo: same value or same error as decodeFields", () => {
    fc.assert(
      fc.property(damaged(authArb), (b) =>
        assert.deepEqual(outcome(decodeAuthInfo, b), outcome(decodeAuthInfoFields, b)),
      ),
      { numRuns: 1500 },
    );
  });

  it("TxRaw: same value or same error as decodeFields", () => {
    fc.assert(
      fc.property(damaged(rawArb), (b) => assert.deepEqual(outcome(decodeTxRaw, b), outcome(decodeTxRawFields, b))),
      { numRuns: 1000 },
    );
  });

  it("MsgSend: same value or same error as decodeFields", () => {
    const sendArb = fc
      .record({ fromAddress: textArb, toAddress: textArb, amount: fc.array(coinArb, { maxLength: 3 }) })
      .map((m) => encodeMsgSend(m));
    fc.assert(
      fc.property(damaged(sendArb), (b) =>
        assert.deepEqual(outcome(decodeMsgSend, b), outcome(decodeMsgSendFields, b)),
      ),
      { numRuns: 1500 },
    );
  });

  it("a repeated singular field: the last one wins on both paths", () => {
    const body = Uint8Array.from([0x12, 0x01, 0x61, 0x12, 0x01, 0x62, 0x18, 0x05, 0x18, 0x07]);
    const fast = decodeTxBody(body);
    assert.equal(fast.memo, "b");
    assert.equal(fast.timeoutHeight, 7n);
    assert.deepEqual(fast, decodeTxBodyFields(body));
  });
});
