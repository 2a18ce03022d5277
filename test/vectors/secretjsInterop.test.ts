/**
 * Our enclave against the REAL secretjs 1.22.1 client (crypto.md §4, §5, §13.3–§13.5):
 * - secretjs's `EncryptionUtilsImpl` fetches our IO public key from a loopback `tx-key` endpoint and
 *   encrypts; our `decryptInputEnvelope` recovers the code hash and message, and our client-side
 *   `encryptInputEnvelope` produces the very same bytes for the same nonce;
 * - our data, attribute, error and query-answer encryption is decoded by secretjs's own code paths:
 *   `decrypt`, `SecretNetworkClient.decodeTxResponse` and `ComputeQuerier.queryContract` against a
 *   loopback LCD stub whose "contract" runs on our enclave functions;
 * - the §13.3 / §13.5 envelopes are reproduced byte for byte by giving secretjs the fixed
 *   `encryptionSeed` and stubbing its `secure-random` nonce source.
 */
import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createRequire } from "node:module";
import { after, before, describe, it } from "node:test";
import fc from "fast-check";
import { fromHex, toHex } from "../../src/primitives/hex.ts";
import { fromBase64, toBase64 } from "../../src/primitives/base64.ts";
import { utf8Decode, utf8Encode } from "../../src/primitives/bytes.ts";
import { sha256 } from "../../src/crypto/index.ts";
import { KeyChain } from "../../src/enclave/keys.ts";
import { decryptInputEnvelope, encryptInputEnvelope, splitCodeHash } from "../../src/enclave/io.ts";
import {
  encryptAttribute,
  encryptData,
  encryptError,
  encryptQueryAnswer,
  errorText,
  parseSerdeJson,
  type SerdeValue,
} from "../../src/enclave/outputs.ts";

// --- Load secretjs with its nonce source stubbed --------------------------------------------------

const require = createRequire(import.meta.url);
const sjRequire = createRequire(require.resolve("secretjs/dist/encryption.js"));
const secureRandomPath = sjRequire.resolve("secure-random");
const realSecureRandom = sjRequire("secure-random") as (n: number, opts: unknown) => Uint8Array;
/** Nonces handed to the next `secure-random` calls, in order; real randomness once empty. */
const queuedNonces: Uint8Array[] = [];
const secureRandomModule = require.cache[secureRandomPath];
assert.ok(secureRandomModule !== undefined, "secure-random must be loaded before secretjs");
secureRandomModule.exports = (n: number, opts: unknown): Uint8Array => {
  const next = queuedNonces.shift();
  if (next === undefined) return realSecureRandom(n, opts);
  assert.equal(n, next.length);
  return Uint8Array.from(next);
};

interface SjEncryptionUtils {
  encrypt(codeHash: string, msg: object): Promise<Uint8Array>;
  decrypt(ciphertext: Uint8Array, nonce: Uint8Array): Promise<Uint8Array>;
  getPubkey(): Promise<Uint8Array>;
  getTxEncryptionKey(nonce: Uint8Array): Promise<Uint8Array>;
}
type SjEncryptionCtor = new (url: string, seed?: Uint8Array) => SjEncryptionUtils;
// Load through the package entry point: its module order resolves secretjs's internal import cycles.
const secretjs = require("secretjs") as {
  EncryptionUtilsImpl: SjEncryptionCtor;
  ComputeQuerier: new (
    url: string,
    enc: SjEncryptionUtils,
  ) => { queryContract(req: { contract_address: string; code_hash: string; query: object }): Promise<unknown> };
  SecretNetworkClient: {
    prototype: { decodeTxResponse(this: unknown, tx: unknown, opts: unknown): Promise<SjTxResponse> };
  };
};
const { EncryptionUtilsImpl, ComputeQuerier, SecretNetworkClient } = secretjs;
const sjAbci = require("secretjs/dist/protobuf/cosmos/base/abci/v1beta1/abci.js");
const sjMsg = require("secretjs/dist/protobuf/secret/compute/v1beta1/msg.js");

interface SjTxResponse {
  rawLog: string;
  jsonLog: unknown;
  arrayLog: { msg: number; type: string; key: string; value: string }[];
  data: Uint8Array[];
  tx: { body: { messages: Record<string, unknown>[] } };
}

// --- A loopback LCD whose contract runs on our enclave functions ----------------------------------

const range = (start: number, n: number) => Uint8Array.from({ length: n }, (_, i) => start + i);
const CODE_HASH_HEX = "93a44bbb96c751218e4c00d479e4c14358122a389acca16205b1e4d0dc5f9476";
const CODE_HASH = fromHex(CODE_HASH_HEX);
const CONTRACT = "secret1zk06mshazu82guaev26vd5wwqw5qm0lwzvcltr";

let chain = KeyChain.fromSeeds([range(0x00, 32), range(0x20, 32)]);
/** What the stub contract answers to the next query: Ok with a base64 string, or Err with a value. */
type ContractAnswer = { ok: string } | { err: SerdeValue; form: "grpc" | "abci" };
let contract: (msg: string) => ContractAnswer = () => ({ ok: toBase64(utf8Encode("{}")) });
const seenQueries: Uint8Array[] = [];

function handle(req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? "/", "http://127.0.0.1");
  const send = (status: number, body: unknown) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  };
  if (url.pathname === "/registration/v1beta1/tx-key") {
    send(200, { key: toBase64(chain.ioPublicKey) });
    return;
  }
  if (url.pathname === `/compute/v1beta1/query/${CONTRACT}`) {
    const envelope = fromBase64(url.searchParams.get("query") ?? "");
    seenQueries.push(envelope);
    const input = decryptInputEnvelope(chain, envelope, { allowPlaintextFallback: false });
    const answer = contract(utf8Decode(splitCodeHash(input.plaintext, CODE_HASH)));
    if ("ok" in answer) {
      send(200, { data: toBase64(encryptQueryAnswer(input.txKey, answer.ok)) });
      return;
    }
    const b64 = encryptError(input.txKey, answer.err).b64;
    const message =
      answer.form === "grpc"
        ? `codespace compute code 4: query contract failed: encrypted: ${b64}`
        : `encrypted: ${b64}: query contract failed: unknown request`;
    send(500, { code: 2, message, details: [] });
    return;
  }
  send(501, { code: 12, message: "Not Implemented", details: [] });
}

const server = createServer(handle);
let baseUrl = "";
before(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

// --- Helpers ---------------------------------------------------------------------------------------

const seedArb = fc.uint8Array({ minLength: 32, maxLength: 32 });
const jsonObject = fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 3 }), {
  maxKeys: 5,
  noNullPrototype: true,
});

/** A tx response as the LCD returns it, for `decodeTxResponse`. */
function txResponse(
  envelope: Uint8Array,
  fields: { code: number; rawLog: string; events: unknown[]; msgResponse?: Uint8Array },
) {
  const msgResponses =
    fields.msgResponse === undefined
      ? []
      : [{ type_url: "/secret.compute.v1beta1.MsgExecuteContractResponse", value: fields.msgResponse }];
  return {
    height: "5",
    txhash: "00",
    code: fields.code,
    raw_log: fields.rawLog,
    events: fields.events,
    data: toHex(sjAbci.TxMsgData.encode({ data: [], msg_responses: msgResponses }).finish()),
    tx: {
      body: {
        messages: [
          {
            "@type": "/secret.compute.v1beta1.MsgExecuteContract",
            sender: "secret1ap26qrlp8mcq2pg6r47w43l0y8zkqm8a450s03",
            contract: CONTRACT,
            msg: toBase64(envelope),
            sent_funds: [],
          },
        ],
      },
    },
    gas_used: "1",
    gas_wanted: "1",
  };
}

function decodeTx(enc: SjEncryptionUtils, resp: unknown): Promise<SjTxResponse> {
  return SecretNetworkClient.prototype.decodeTxResponse.call({ encryptionUtils: enc }, resp, {
    resolveResponses: false,
  });
}

/**
 * What `queryContract` makes of a decrypted query error `text` (secretjs 1.22.1 `query/compute.ts`):
 * it tries `fromUtf8(fromBase64(text))`; on "Invalid base64 string format" it returns `text`; on any
 * other decoding error it re-throws the LCD body. Texts in the base64 alphabet therefore come back
 * decoded (or as a throw) — a secretjs quirk, reproduced here with its own @cosmjs/encoding.
 */
const cosmjsEncoding = sjRequire("@cosmjs/encoding") as {
  fromBase64(s: string): Uint8Array;
  fromUtf8(b: Uint8Array): string;
};
function secretjsQueryErrorView(text: string): { value: string } | { throws: true } {
  try {
    return { value: cosmjsEncoding.fromUtf8(cosmjsEncoding.fromBase64(text)) };
  } catch (e) {
    if ((e as Error).message === "Invalid base64 string format") return { value: text };
    return { throws: true };
  }
}

// --- Tests ----------------------------------------------------------------------------------------

describe("secretjs → our enclave: input envelopes", () => {
  it("reproduces the §13.3 envelope with the fixed encryptionSeed and nonce", async () => {
    chain = KeyChain.fromSeeds([range(0x00, 32), range(0x20, 32)]);
    const enc = new EncryptionUtilsImpl(
      baseUrl,
      fromHex("404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f"),
    );
    queuedNonces.push(range(0x60, 32));
    const envelope = await enc.encrypt(CODE_HASH_HEX, { increment: { by: 2 } });
    assert.equal(
      toBase64(envelope),
      "YGFiY2RlZmdoaWprbG1ub3BxcnN0dXZ3eHl6e3x9fn95pjHu3hv5yY8SAyzerdDnoHk5j8eGuIzIRuyJr4WlGmaBRmxpiz2Y" +
        "ZQNxpsJ9gUuDD8I1in8Z8cWWmWdnSY/sGdY+y0cYSpBbOCeQdhWUilDrcuTCUDXenG3VdTW0r7bqw62LVgRvfsqh3D3p9q40" +
        "68a2pG1SbAJpOKud3V97z2sYSnSijg==",
    );
    assert.equal(
      toHex(await enc.getTxEncryptionKey(range(0x60, 32))),
      "0ba94438eb68bae04c2a64bbe141379dd7d6a2fdab52eadc08e1375d20222ba2",
    );
  });

  it("decrypts whatever secretjs encrypts, and our client encryption gives the same bytes", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(seedArb, { minLength: 2, maxLength: 5 }),
        seedArb,
        seedArb,
        jsonObject,
        async (seeds, clientSeed, nonce, msg) => {
          chain = KeyChain.fromSeeds(seeds);
          const enc = new EncryptionUtilsImpl(baseUrl, clientSeed);
          queuedNonces.push(nonce);
          const envelope = await enc.encrypt(CODE_HASH_HEX, msg);
          const d = decryptInputEnvelope(chain, envelope, { allowPlaintextFallback: false });
          assert.equal(toHex(d.nonce), toHex(nonce));
          assert.equal(toHex(d.clientPublicKey), toHex(await enc.getPubkey()));
          assert.equal(utf8Decode(splitCodeHash(d.plaintext, CODE_HASH)), JSON.stringify(msg));
          const ours = encryptInputEnvelope(
            chain.ioPublicKey,
            clientSeed,
            nonce,
            CODE_HASH_HEX,
            utf8Encode(JSON.stringify(msg)),
          );
          assert.equal(toHex(ours), toHex(envelope));
          assert.equal(toHex(d.txKey), toHex(await enc.getTxEncryptionKey(nonce)));
        },
      ),
      { numRuns: 25 },
    );
  });
});

describe("our enclave → secretjs: outputs", () => {
  it("data, attributes and errors decode with secretjs's decrypt and decodeTxResponse", async () => {
    await fc.assert(
      fc.asyncProperty(
        seedArb,
        seedArb,
        fc.uint8Array({ maxLength: 60 }),
        fc.array(fc.tuple(fc.string({ minLength: 1, maxLength: 12 }), fc.string({ maxLength: 12 })), { maxLength: 4 }),
        fc.oneof(
          fc.string({ maxLength: 30 }),
          jsonObject.map((o) => parseSerdeJson(JSON.stringify(o))),
        ),
        async (clientSeed, nonce, data, attrs, err) => {
          chain = KeyChain.fromSeeds([range(0x00, 32), range(0x20, 32)]);
          const enc = new EncryptionUtilsImpl(baseUrl, clientSeed);
          queuedNonces.push(nonce);
          const envelope = await enc.encrypt(CODE_HASH_HEX, { run: {} });
          const input = decryptInputEnvelope(chain, envelope, { allowPlaintextFallback: true });

          // data: secretjs decrypts with the message's nonce and base64-decodes the text.
          const encData = encryptData(input.txKey, data);
          assert.equal(toHex(fromBase64(utf8Decode(await enc.decrypt(encData, nonce)))), toHex(data));
          const ok = await decodeTx(
            enc,
            txResponse(envelope, {
              code: 0,
              rawLog: "",
              events: [
                {
                  type: "wasm",
                  attributes: [
                    { key: "contract_address", value: CONTRACT },
                    ...attrs.map(([key, value]) => encryptAttribute(input.txKey, { key, value })),
                    { key: "msg_index", value: "0" },
                  ],
                },
              ],
              msgResponse: sjMsg.MsgExecuteContractResponse.encode({ data: encData }).finish(),
            }),
          );
          assert.deepEqual(ok.tx.body.messages[0]!["msg"], { run: {} });
          assert.equal(toHex(sjMsg.MsgExecuteContractResponse.decode(ok.data[0]).data), toHex(data));
          const wasm = ok.arrayLog.filter((e) => e.type === "wasm" && e.key !== "contract_address");
          for (const [key, value] of attrs) {
            // secretjs trims decrypted attributes.
            assert.ok(
              wasm.some((e) => e.key === key.trim() && e.value === value.trim()),
              `attribute ${key}`,
            );
          }

          // error: the raw_log regex finds it, decrypts it to J(err), and parses JSON when it is JSON.
          const e = encryptError(input.txKey, err);
          const rawLog = `failed to execute message; message index: 0: dispatch: submessages: encrypted: ${e.b64}: execute contract failed`;
          const failed = await decodeTx(enc, txResponse(envelope, { code: 3, rawLog, events: [] }));
          // secretjs substitutes with String.prototype.replace, so "$$", "$&"… in J(err) act as patterns.
          assert.equal(failed.rawLog, rawLog.replace(`encrypted: ${e.b64}`, errorText(err)));
          if (!errorText(err).includes("$")) {
            assert.equal(
              failed.rawLog,
              `failed to execute message; message index: 0: dispatch: submessages: ${errorText(err)}: execute contract failed`,
            );
          }
          if (typeof err !== "string") assert.deepEqual(failed.jsonLog, JSON.parse(errorText(err)));
        },
      ),
      { numRuns: 20 },
    );
  });

  it("decodes the §13.4 error vectors with decodeTxResponse", async () => {
    chain = KeyChain.fromSeeds([range(0x00, 32), range(0x20, 32)]);
    const enc = new EncryptionUtilsImpl(
      baseUrl,
      fromHex("404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f"),
    );
    queuedNonces.push(range(0x60, 32));
    const envelope = await enc.encrypt(CODE_HASH_HEX, { increment: { by: 2 } });
    const v1 = await decodeTx(
      enc,
      txResponse(envelope, {
        code: 3,
        rawLog:
          "failed to execute message; message index: 0: encrypted: 1ep9HfR03nZecnF/17YXA8xQd8SVq767mG+Lxf1Z2oPP/MU=: execute contract failed",
        events: [],
      }),
    );
    assert.equal(
      v1.rawLog,
      "failed to execute message; message index: 0: Generic error: boom: execute contract failed",
    );
    const v010 = await decodeTx(
      enc,
      txResponse(envelope, {
        code: 3,
        rawLog:
          "failed to execute message; message index: 0: dispatch: submessages: encrypted: 30aKxEeBDLFTXpcZ5WQIS69d9Wi1M27KpBSarQKJ75VKCtU/QlPfZtmlbyrlwQ==: execute contract failed",
        events: [],
      }),
    );
    assert.deepEqual(v010.jsonLog, { generic_err: { msg: "boom" } });
  });
});

describe("our enclave → secretjs: queries through ComputeQuerier", () => {
  it("reproduces the §13.5 query envelope and returns {count: 7}", async () => {
    chain = KeyChain.fromSeeds([range(0x00, 32), range(0x20, 32)]);
    const enc = new EncryptionUtilsImpl(
      baseUrl,
      fromHex("404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f"),
    );
    const querier = new ComputeQuerier(baseUrl, enc);
    contract = (msg) => {
      assert.equal(msg, '{"get_count":{}}');
      return { ok: "eyJjb3VudCI6N30=" };
    };
    queuedNonces.push(range(0x80, 32));
    seenQueries.length = 0;
    const answer = await querier.queryContract({
      contract_address: CONTRACT,
      code_hash: `0x${CODE_HASH_HEX.toUpperCase()}`,
      query: { get_count: {} },
    });
    assert.deepEqual(answer, { count: 7 });
    assert.equal(
      toHex(seenQueries[0]!),
      "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f" +
        "79a631eede1bf9c98f12032cdeadd0e7a079398fc786b88cc846ec89af85a51a" +
        "0d1103a44b8084f2a359b7e977f6770db8fbe52a2d3d959c10c6c81d52af2dbb7456d0bdb624572143a67e14e4932162" +
        "34e2be160725bbe4038c2b136e878853ae2d0357820520da023705506800635de53e510eeb8cf6d011449466262913b6",
    );
  });

  it("returns answers and error strings for random queries", async () => {
    await fc.assert(
      fc.asyncProperty(
        seedArb,
        jsonObject,
        jsonObject,
        fc.oneof(
          fc.constant(undefined),
          fc.string({ maxLength: 30 }),
          jsonObject.map((o) => parseSerdeJson(JSON.stringify(o))),
        ),
        fc.constantFrom("grpc" as const, "abci" as const),
        async (clientSeed, query, result, err, form) => {
          chain = KeyChain.fromSeeds([range(0x00, 32), range(0x20, 32)]);
          const querier = new ComputeQuerier(baseUrl, new EncryptionUtilsImpl(baseUrl, clientSeed));
          contract = (msg) => {
            assert.equal(msg, JSON.stringify(query));
            return err === undefined ? { ok: toBase64(utf8Encode(JSON.stringify(result))) } : { err, form };
          };
          const pending = querier.queryContract({ contract_address: CONTRACT, code_hash: CODE_HASH_HEX, query });
          if (err === undefined) {
            assert.deepEqual(await pending, JSON.parse(JSON.stringify(result)));
            return;
          }
          const view = secretjsQueryErrorView(errorText(err));
          if ("value" in view) assert.equal(await pending, view.value);
          else await assert.rejects(pending, (body: { code?: number }) => body.code === 2);
        },
      ),
      { numRuns: 20 },
    );
  });

  it("gives {} for an empty answer", async () => {
    chain = KeyChain.fromSeeds([range(0x00, 32), range(0x20, 32)]);
    const querier = new ComputeQuerier(baseUrl, new EncryptionUtilsImpl(baseUrl));
    contract = () => ({ ok: "" });
    assert.deepEqual(
      await querier.queryContract({ contract_address: CONTRACT, code_hash: CODE_HASH_HEX, query: {} }),
      {},
    );
  });
});

describe("secretjs's view of our keys", () => {
  it("fetches io_exch_key from tx-key and agrees on tx_key", async () => {
    chain = KeyChain.fromSeeds([range(0x00, 32), range(0x20, 32)]);
    const enc = new EncryptionUtilsImpl(baseUrl, range(0x40, 32));
    const nonce = sha256(utf8Encode("n"));
    const d = decryptInputEnvelope(
      chain,
      encryptInputEnvelope(chain.ioPublicKey, range(0x40, 32), nonce, CODE_HASH_HEX, utf8Encode("{}")),
      {
        allowPlaintextFallback: false,
      },
    );
    assert.equal(toHex(await enc.getTxEncryptionKey(nonce)), toHex(d.txKey));
  });
});
