/**
 * Tampered inputs never crash and never release plaintext: every bit of a small envelope flipped, every
 * truncation, a wrong code hash, a wrong nonce, a rotated IO key, random garbage. Each case ends in
 * one specific EnclaveError code, or (the plaintext fallback of init/execute, crypto.md §4.4) in a
 * plaintext result that then fails the code-hash check.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { fromHex, toHex } from "../../src/primitives/hex.ts";
import { bytesEqual, utf8Encode } from "../../src/primitives/bytes.ts";
import { sivEncrypt } from "../../src/crypto/index.ts";
import { EnclaveError, isEnclaveError, UPSTREAM_KINDS, type EnclaveErrorCode } from "../../src/enclave/errors.ts";
import { KeyChain } from "../../src/enclave/keys.ts";
import {
  decryptInputEnvelope,
  encryptInputEnvelope,
  IO_AD,
  MIN_ENVELOPE_LENGTH,
  secretMsgBytes,
  splitCodeHash,
  txEncryptionKey,
} from "../../src/enclave/io.ts";

const range = (start: number, n: number) => Uint8Array.from({ length: n }, (_, i) => start + i);
const keys = KeyChain.fromSeeds([range(0x00, 32), range(0x20, 32)]);
const CODE_HASH_HEX = "93a44bbb96c751218e4c00d479e4c14358122a389acca16205b1e4d0dc5f9476";
const CODE_HASH = fromHex(CODE_HASH_HEX);
const CLIENT_SK = range(0x40, 32);
// A nonce with bytes that are not ASCII hex, so a plaintext fallback can never pass the code-hash check.
const NONCE = Uint8Array.from({ length: 32 }, (_, i) => (i * 37) & 0xff);
const SECRET_MSG = '{"pw":"hunter2"}';
const ENVELOPE = encryptInputEnvelope(keys.ioPublicKey, CLIENT_SK, NONCE, CODE_HASH_HEX, utf8Encode(SECRET_MSG));

const ALLOWED_MESSAGES = new Set<string>(Object.values(UPSTREAM_KINDS));

/** Runs `f`, requires an EnclaveError with `code`, and checks that nothing secret leaks through it. */
function expectCode(f: () => unknown, code: EnclaveErrorCode): void {
  let caught: unknown;
  try {
    f();
  } catch (err) {
    caught = err;
  }
  assert.ok(caught !== undefined, `expected ${code}, got no error`);
  assert.ok(isEnclaveError(caught), `expected an EnclaveError, got ${String(caught)}`);
  assert.equal(caught.code, code);
  assert.ok(ALLOWED_MESSAGES.has(caught.message), `unexpected message ${caught.message}`);
  const dump = `${caught.message} ${JSON.stringify(caught.details ?? {})} ${caught.stack ?? ""}`;
  assert.ok(!dump.includes("hunter2"), "plaintext leaked into the error");
  assert.ok(!dump.includes(toHex(keys.ioSecretKey)), "key leaked into the error");
}

function flipped(bytes: Uint8Array, byte: number, bit: number): Uint8Array {
  const out = Uint8Array.from(bytes);
  out[byte]! ^= 1 << bit;
  return out;
}

describe("bit flips in an envelope", () => {
  it("starts from an envelope that decrypts", () => {
    const d = decryptInputEnvelope(keys, ENVELOPE, { allowPlaintextFallback: false });
    assert.equal(new TextDecoder().decode(splitCodeHash(d.plaintext, CODE_HASH)), SECRET_MSG);
  });

  it("strict mode (query, migrate): every flip is DECRYPTION_ERROR, except the masked top bit of the public key", () => {
    let accepted = 0;
    for (let byte = 0; byte < ENVELOPE.length; byte++) {
      for (let bit = 0; bit < 8; bit++) {
        const bad = flipped(ENVELOPE, byte, bit);
        if (byte === 63 && bit === 7) {
          // X25519 ignores the top bit of a peer public key (RFC 7748 §5), as x25519-dalek does:
          // the same tx key, the same plaintext.
          const d = decryptInputEnvelope(keys, bad, { allowPlaintextFallback: false });
          assert.equal(new TextDecoder().decode(splitCodeHash(d.plaintext, CODE_HASH)), SECRET_MSG);
          accepted++;
          continue;
        }
        expectCode(() => decryptInputEnvelope(keys, bad, { allowPlaintextFallback: false }), "DECRYPTION_ERROR");
      }
    }
    assert.equal(accepted, 1);
  });

  it("fallback mode (init, execute): every failing flip becomes plaintext that fails the code-hash check", () => {
    for (let byte = 0; byte < ENVELOPE.length; byte++) {
      for (let bit = 0; bit < 8; bit++) {
        if (byte === 63 && bit === 7) continue;
        const bad = flipped(ENVELOPE, byte, bit);
        const d = decryptInputEnvelope(keys, bad, { allowPlaintextFallback: true });
        assert.equal(d.wasEncrypted, false);
        assert.ok(bytesEqual(d.plaintext, bad), "the plaintext path passes the input through unchanged");
        assert.ok(bytesEqual(d.nonce, new Uint8Array(32)) && bytesEqual(d.clientPublicKey, new Uint8Array(32)));
        assert.equal(toHex(d.txKey), "433101c62c022f10bfac5f334e86ac7dd80fe34fdc565852509e1f1c1aa76d2b");
        expectCode(() => splitCodeHash(d.plaintext, CODE_HASH), "VALIDATION_FAILURE");
      }
    }
  });
});

describe("truncation", () => {
  it("is MALFORMED_ENVELOPE below 82 bytes and DECRYPTION_ERROR from 82 on (strict)", () => {
    for (let len = 0; len < ENVELOPE.length; len++) {
      const cut = ENVELOPE.slice(0, len);
      expectCode(
        () => decryptInputEnvelope(keys, cut, { allowPlaintextFallback: false }),
        len < MIN_ENVELOPE_LENGTH ? "MALFORMED_ENVELOPE" : "DECRYPTION_ERROR",
      );
      const d = decryptInputEnvelope(keys, cut, { allowPlaintextFallback: true });
      assert.equal(d.wasEncrypted, false);
      assert.ok(bytesEqual(d.plaintext, cut));
    }
  });

  it("tries a short input as a ciphertext under the public zero key first (fallback mode only)", () => {
    const zeroKey = txEncryptionKey(keys.ioSecretKey, new Uint8Array(32), new Uint8Array(32));
    const short = sivEncrypt(zeroKey, utf8Encode(`${CODE_HASH_HEX.slice(0, 10)}`), IO_AD);
    assert.ok(short.length < MIN_ENVELOPE_LENGTH);
    const d = decryptInputEnvelope(keys, short, { allowPlaintextFallback: true });
    assert.equal(d.wasEncrypted, true);
    assert.equal(new TextDecoder().decode(d.plaintext), CODE_HASH_HEX.slice(0, 10));
    assert.ok(bytesEqual(d.nonce, new Uint8Array(32)));
    expectCode(() => decryptInputEnvelope(keys, short, { allowPlaintextFallback: false }), "MALFORMED_ENVELOPE");
    // Upstream's SecretMessage.msg is then the whole input, not input[64..).
    assert.ok(bytesEqual(secretMsgBytes(short, d), short));
  });

  it("gives the bytes callback signatures cover: the ciphertext part, or the whole plaintext input", () => {
    const ok = decryptInputEnvelope(keys, ENVELOPE, { allowPlaintextFallback: true });
    assert.ok(bytesEqual(secretMsgBytes(ENVELOPE, ok), ENVELOPE.subarray(64)));
    const bad = flipped(ENVELOPE, 100, 0);
    const plain = decryptInputEnvelope(keys, bad, { allowPlaintextFallback: true });
    assert.ok(bytesEqual(secretMsgBytes(bad, plain), bad));
  });
});

describe("wrong parameters", () => {
  it("a wrong code hash is VALIDATION_FAILURE", () => {
    const other = "00".repeat(32);
    const env = encryptInputEnvelope(keys.ioPublicKey, CLIENT_SK, NONCE, other, utf8Encode(SECRET_MSG));
    const d = decryptInputEnvelope(keys, env, { allowPlaintextFallback: false });
    expectCode(() => splitCodeHash(d.plaintext, CODE_HASH), "VALIDATION_FAILURE");
  });

  it("accepts the code hash in either case, refuses non-hex and short plaintexts", () => {
    const upper = encryptInputEnvelope(
      keys.ioPublicKey,
      CLIENT_SK,
      NONCE,
      CODE_HASH_HEX.toUpperCase(),
      utf8Encode("{}"),
    );
    const d = decryptInputEnvelope(keys, upper, { allowPlaintextFallback: false });
    assert.equal(new TextDecoder().decode(splitCodeHash(d.plaintext, CODE_HASH)), "{}");
    const notHex = utf8Encode(`${CODE_HASH_HEX.slice(0, 63)}g{}`);
    expectCode(() => splitCodeHash(notHex, CODE_HASH), "VALIDATION_FAILURE");
    const nonAscii = utf8Encode(`${CODE_HASH_HEX.slice(0, 62)}é{}`);
    expectCode(() => splitCodeHash(nonAscii, CODE_HASH), "VALIDATION_FAILURE");
    expectCode(() => splitCodeHash(utf8Encode(CODE_HASH_HEX.slice(0, 63)), CODE_HASH), "VALIDATION_FAILURE");
    assert.equal(splitCodeHash(utf8Encode(CODE_HASH_HEX), CODE_HASH).length, 0);
  });

  it("a wrong nonce is DECRYPTION_ERROR", () => {
    const env = Uint8Array.from(ENVELOPE);
    env.set(range(0x90, 32), 0);
    expectCode(() => decryptInputEnvelope(keys, env, { allowPlaintextFallback: false }), "DECRYPTION_ERROR");
  });

  it("an input for the pre-rotation IO key does not decrypt after a rotation", () => {
    const rotated = keys.withAppendedSeed(range(0x60, 32));
    expectCode(() => decryptInputEnvelope(rotated, ENVELOPE, { allowPlaintextFallback: false }), "DECRYPTION_ERROR");
    assert.equal(decryptInputEnvelope(rotated, ENVELOPE, { allowPlaintextFallback: true }).wasEncrypted, false);
  });

  it("a low-order client public key gives the zero shared secret, not a crash", () => {
    const env = Uint8Array.from(ENVELOPE);
    env.fill(0, 32, 64);
    expectCode(() => decryptInputEnvelope(keys, env, { allowPlaintextFallback: false }), "DECRYPTION_ERROR");
    const zeroKey = txEncryptionKey(keys.ioSecretKey, new Uint8Array(32), NONCE);
    const made = new Uint8Array([
      ...NONCE,
      ...new Uint8Array(32),
      ...sivEncrypt(zeroKey, utf8Encode(`${CODE_HASH_HEX}{}`), IO_AD),
    ]);
    const d = decryptInputEnvelope(keys, made, { allowPlaintextFallback: false });
    assert.equal(new TextDecoder().decode(splitCodeHash(d.plaintext, CODE_HASH)), "{}");
  });
});

describe("random inputs", () => {
  it("only ever fail with the expected codes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.boolean(), (input, fallback) => {
        try {
          const d = decryptInputEnvelope(keys, input, { allowPlaintextFallback: fallback });
          splitCodeHash(d.plaintext, CODE_HASH);
        } catch (err) {
          if (!(err instanceof EnclaveError)) throw err;
          const expected: EnclaveErrorCode[] = ["MALFORMED_ENVELOPE", "DECRYPTION_ERROR", "VALIDATION_FAILURE"];
          assert.ok(expected.includes(err.code), err.code);
          return;
        }
        assert.fail("random bytes must not pass the code-hash check");
      }),
      { numRuns: 300 },
    );
  });
});
