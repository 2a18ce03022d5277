/**
 * The encrypted compute flows of `scrt tx compute …` and `scrt query compute query` / `query tx`
 * against a loopback LCD stub whose "contract" runs on OUR ENCLAVE's IO functions
 * (src/enclave/io.ts, outputs.ts): the stub decrypts what the CLI encrypted, checks the code hash,
 * and answers with data, attributes, errors and query answers encrypted the way the enclave does.
 * The JSON shapes are the upstream ones of chain-api.md §4 and §7.9. Also: the upload progress bar.
 */
import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { after, before, describe, it } from "node:test";
import { run as tx } from "../../src/cli/commands/tx.ts";
import { run as query } from "../../src/cli/commands/query.ts";
import { memoryIo } from "../../src/cli/lib/io.ts";
import { encodeTxMsgData } from "../../src/codec/abci.ts";
import {
  COMPUTE_URLS,
  decodeMsgExecuteContract,
  decodeMsgInstantiateContract,
  decodeMsgMigrateContract,
  decodeMsgStoreCode,
} from "../../src/codec/compute.ts";
import { ProtoWriter } from "../../src/codec/protobuf.ts";
import { decodeAuthInfo, decodeTxBody, decodeTxRaw } from "../../src/codec/tx.ts";
import { randomBytes, secp256k1VerifySha256, sha256 } from "../../src/crypto/index.ts";
import { encodeSignDoc } from "../../src/codec/tx.ts";
import { decodePubKeyBytes } from "../../src/codec/keys.ts";
import { KeyChain } from "../../src/enclave/keys.ts";
import { decryptInputEnvelope, splitCodeHash } from "../../src/enclave/io.ts";
import { encryptAttribute, encryptData, encryptError, encryptQueryAnswer } from "../../src/enclave/outputs.ts";
import { fromBase64, toBase64 } from "../../src/primitives/base64.ts";
import { encodeAddress } from "../../src/primitives/bech32.ts";
import { utf8Decode, utf8Encode } from "../../src/primitives/bytes.ts";
import { fromHex, toHex } from "../../src/primitives/hex.ts";
import { ADDRESS_A, errorCode, recoverKeyA, scrtRunner, signedJson } from "../helpers/cli.ts";

const A = ADDRESS_A;
const CONTRACT = "secret1zk06mshazu82guaev26vd5wwqw5qm0lwzvcltr";
const CHAIN = "secretdev-1";
const CODE_HASH = "c0de".repeat(16);
const range = (start: number, n: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => start + i);
const chain = KeyChain.fromSeeds([range(0x00, 32), range(0x20, 32)]);

// ---- the LCD stub -------------------------------------------------------------------------------

let sequence = 0n;
const txs = new Map<string, unknown>();
let lastStoredWasm: Uint8Array | undefined;

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** Runs one compute message the way the enclave would; returns [response Any, events] or an error log. */
function execute(
  typeUrl: string,
  value: Uint8Array,
  index: number,
): { response: { typeUrl: string; value: Uint8Array }; events: unknown[]; json: unknown } | { error: string } {
  const envelope =
    typeUrl === COMPUTE_URLS.execute
      ? decodeMsgExecuteContract(value).msg
      : typeUrl === COMPUTE_URLS.migrate
        ? decodeMsgMigrateContract(value).msg
        : decodeMsgInstantiateContract(value).initMsg;
  const input = decryptInputEnvelope(chain, envelope, { allowPlaintextFallback: false });
  const msg = JSON.parse(utf8Decode(splitCodeHash(input.plaintext, fromHex(CODE_HASH)))) as Record<string, unknown>;
  if ("boom" in msg) {
    return {
      error: `failed to execute message; message index: ${index}: encrypted: ${encryptError(input.txKey, "Generic error: boom").b64}: execute contract failed`,
    };
  }
  const attr = encryptAttribute(input.txKey, { key: "action", value: Object.keys(msg)[0]! });
  const wasm = {
    type: "wasm",
    attributes: [
      { key: "contract_address", value: CONTRACT, index: true },
      { ...attr, index: true },
      { key: "msg_index", value: String(index), index: true },
    ],
  };
  const data = encryptData(input.txKey, utf8Encode('{"count":8}'));
  if (typeUrl === COMPUTE_URLS.migrate) {
    return {
      response: { typeUrl: `${typeUrl}Response`, value: new ProtoWriter().bytes(1, data).finish() },
      events: [wasm],
      json: {
        "@type": typeUrl,
        sender: A,
        contract: CONTRACT,
        code_id: "1",
        msg: toBase64(envelope),
        callback_sig: null,
        callback_code_hash: "",
      },
    };
  }
  if (typeUrl === COMPUTE_URLS.execute) {
    return {
      response: { typeUrl: `${typeUrl}Response`, value: new ProtoWriter().bytes(1, data).finish() },
      events: [
        {
          type: "message",
          attributes: [
            { key: "contract_address", value: CONTRACT, index: true },
            { key: "msg_index", value: String(index), index: true },
          ],
        },
        wasm,
      ],
      json: {
        "@type": typeUrl,
        sender: A,
        contract: CONTRACT,
        msg: toBase64(envelope),
        callback_code_hash: "",
        sent_funds: [],
        callback_sig: null,
      },
    };
  }
  return {
    response: { typeUrl: `${typeUrl}Response`, value: new ProtoWriter().string(1, CONTRACT).bytes(2, data).finish() },
    events: [
      wasm,
      {
        type: "message",
        attributes: [
          { key: "module", value: "compute", index: true },
          { key: "contract_address", value: CONTRACT, index: true },
          { key: "msg_index", value: String(index), index: true },
        ],
      },
    ],
    json: {
      "@type": typeUrl,
      sender: A,
      code_id: "1",
      label: "l",
      init_msg: toBase64(envelope),
      init_funds: [],
      admin: "",
    },
  };
}

function broadcast(txBytes: Uint8Array): unknown {
  const raw = decodeTxRaw(txBytes);
  const body = decodeTxBody(raw.bodyBytes);
  const auth = decodeAuthInfo(raw.authInfoBytes);
  const hash = toHex(sha256(txBytes)).toUpperCase();
  const pk = decodePubKeyBytes(auth.signerInfos[0]!.publicKey!.value);
  const signBytes = encodeSignDoc({
    bodyBytes: raw.bodyBytes,
    authInfoBytes: raw.authInfoBytes,
    chainId: CHAIN,
    accountNumber: 0n,
  });
  if (!secp256k1VerifySha256(raw.signatures[0]!, signBytes, pk) || auth.signerInfos[0]!.sequence !== sequence) {
    return {
      tx_response: {
        height: "0",
        txhash: hash,
        codespace: "sdk",
        code: 4,
        raw_log: "signature verification failed",
        events: [],
      },
    };
  }
  sequence++;
  const responses: { typeUrl: string; value: Uint8Array }[] = [];
  const events: unknown[] = [];
  const messages: unknown[] = [];
  let rawLog = "";
  body.messages.forEach((any, i) => {
    if (any.typeUrl === COMPUTE_URLS.storeCode) {
      lastStoredWasm = decodeMsgStoreCode(any.value).wasmByteCode;
      responses.push({ typeUrl: `${any.typeUrl}Response`, value: new ProtoWriter().uint(1, 2n).finish() });
      events.push({
        type: "message",
        attributes: [
          { key: "code_id", value: "2", index: true },
          { key: "msg_index", value: String(i), index: true },
        ],
      });
      messages.push({ "@type": any.typeUrl });
      return;
    }
    const out = execute(any.typeUrl, any.value, i);
    if ("error" in out) {
      rawLog = out.error;
      const m = decodeMsgExecuteContract(any.value);
      messages.push({
        "@type": any.typeUrl,
        sender: A,
        contract: encodeAddress(m.contract),
        msg: toBase64(m.msg),
        callback_code_hash: "",
        sent_funds: [],
        callback_sig: null,
      });
      return;
    }
    responses.push(out.response);
    events.push(...out.events);
    messages.push(out.json);
  });
  const failed = rawLog !== "";
  txs.set(hash, {
    tx: { body: { messages }, auth_info: {}, signatures: [] },
    tx_response: {
      height: String(10 + txs.size),
      txhash: hash,
      codespace: failed ? "compute" : "",
      code: failed ? 3 : 0,
      data: failed ? "" : toHex(encodeTxMsgData({ msgResponses: responses })).toUpperCase(),
      raw_log: rawLog,
      logs: [],
      info: "",
      gas_wanted: String(auth.fee!.gasLimit),
      gas_used: "123456",
      tx: null,
      timestamp: "2025-01-02T03:04:05Z",
      events: failed ? [] : events,
    },
  });
  return {
    tx_response: {
      height: "0",
      txhash: hash,
      codespace: "",
      code: 0,
      data: "",
      raw_log: "",
      logs: [],
      info: "",
      gas_wanted: "0",
      gas_used: "0",
      tx: null,
      timestamp: "",
      events: [],
    },
  };
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? "/", "http://x");
  const path = url.pathname;
  if (path === "/cosmos/base/tendermint/v1beta1/node_info")
    return send(res, 200, { default_node_info: { network: CHAIN } });
  if (path === "/registration/v1beta1/tx-key") return send(res, 200, { key: toBase64(chain.ioPublicKey) });
  if (path === `/cosmos/auth/v1beta1/accounts/${A}`) {
    return send(res, 200, {
      account: {
        "@type": "/cosmos.auth.v1beta1.BaseAccount",
        address: A,
        pub_key: null,
        account_number: "0",
        sequence: String(sequence),
      },
    });
  }
  if (
    path === `/compute/v1beta1/code_hash/by_contract_address/${CONTRACT}` ||
    path === "/compute/v1beta1/code_hash/by_code_id/1"
  ) {
    return send(res, 200, { code_hash: CODE_HASH });
  }
  if (path === `/compute/v1beta1/query/${CONTRACT}`) {
    const envelope = fromBase64(url.searchParams.get("query") ?? "");
    const input = decryptInputEnvelope(chain, envelope, { allowPlaintextFallback: false });
    const q = JSON.parse(utf8Decode(splitCodeHash(input.plaintext, fromHex(CODE_HASH)))) as Record<string, unknown>;
    if ("get_count" in q)
      return send(res, 200, { data: toBase64(encryptQueryAnswer(input.txKey, toBase64(utf8Encode('{"count":7}')))) });
    const e = encryptError(input.txKey, "Generic error: nope").b64;
    return send(res, 500, {
      code: 2,
      message: `codespace compute code 4: query contract failed: encrypted: ${e}`,
      details: [],
    });
  }
  if (path === "/cosmos/tx/v1beta1/simulate" && req.method === "POST") {
    const body = JSON.parse(await readBody(req)) as { txBytes: string };
    const bodyMsgs = decodeTxBody(decodeTxRaw(fromBase64(body.txBytes)).bodyBytes).messages;
    if (bodyMsgs.some((m) => m.typeUrl !== COMPUTE_URLS.storeCode)) {
      return send(res, 500, { code: 2, message: "rpc error: code = Unknown desc = not simulated", details: [] });
    }
    return send(res, 200, { gas_info: { gas_wanted: "18446744073709551615", gas_used: "1000000" }, result: null });
  }
  if (path === "/cosmos/tx/v1beta1/txs" && req.method === "POST") {
    const body = JSON.parse(await readBody(req)) as { txBytes: string };
    return send(res, 200, broadcast(fromBase64(body.txBytes)));
  }
  const m = /^\/cosmos\/tx\/v1beta1\/txs\/([0-9A-F]{64})$/.exec(path);
  if (m !== null) {
    const found = txs.get(m[1]!);
    return found === undefined
      ? send(res, 404, { code: 5, message: `tx not found: ${m[1]!}`, details: [] })
      : send(res, 200, found);
  }
  send(res, 501, { code: 12, message: "Not Implemented", details: [] });
}

// ---- the tests ----------------------------------------------------------------------------------

const home = mkdtempSync(join(tmpdir(), "scrt-cli-compute-"));
const passFile = join(home, "pass");
let server: Server;
let lcd: string;

const scrt = scrtRunner(() => ({ SCRT_HOME: home, SCRT_LCD: lcd }));
/** The flags of a command signed by key `a`, output as JSON. */
const signed = (args: readonly string[]): string[] => signedJson(args, passFile, "--from", "a");

before(async () => {
  server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => send(res, 500, { code: 13, message: String(err), details: [] }));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  lcd = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  writeFileSync(passFile, "compute test passphrase\n");
  await recoverKeyA(scrt, home, passFile);
});
after(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
  rmSync(home, { recursive: true, force: true });
});

describe("scrt tx compute / query compute with client-side encryption", () => {
  let executeHash = "";

  it("execute: the enclave side reads the message; the CLI decrypts data and attributes", async () => {
    const r = await scrt(tx, signed(["compute", "execute", CONTRACT, '{"increment":{}}']));
    assert.equal(r.code, 0, r.err);
    const out = JSON.parse(r.out) as {
      txhash: string;
      gas_wanted: string;
      data: { data: string }[];
      events: { type: string; attributes: { key: string; value: string }[] }[];
    };
    assert.equal(out.gas_wanted, "300000", "compute defaults to a fixed gas (the chain does not simulate it)");
    assert.deepEqual(
      out.data.map((d) => d.data),
      ['{"count":8}'],
    );
    const wasm = out.events.find((e) => e.type === "wasm")!;
    assert.deepEqual(wasm.attributes[1], { key: "action", value: "increment", index: true });
    executeHash = out.txhash;
  });

  it("query tx decrypts your own input and output later, from the keyring", async () => {
    const r = await scrt(query, ["tx", executeHash, "--passphrase-file", passFile, "--output", "json"]);
    assert.equal(r.code, 0, r.err);
    const t = JSON.parse(r.out) as {
      decrypted: boolean;
      messages: { input?: { msg: unknown; codeHash: string }; encryptedBy?: string }[];
      data: { data: string }[];
    };
    assert.equal(t.decrypted, true);
    assert.deepEqual(t.messages[0]!.input, { codeHash: CODE_HASH, msg: { increment: {} } });
    assert.equal(t.messages[0]!.encryptedBy, "a");
    assert.equal(t.data[0]!.data, '{"count":8}');
    // Without the passphrase: shown encrypted, with a note.
    const noPass = await scrt(query, ["tx", executeHash, "--output", "json"]);
    assert.equal(noPass.code, 0, noPass.err);
    assert.equal((JSON.parse(noPass.out) as { decrypted: boolean }).decrypted, false);
    assert.match(noPass.err, /key 'a' made this tx/);
    // Without the keyring's key (another home) nothing is decrypted.
    const io = memoryIo({ env: { SCRT_HOME: join(home, "elsewhere"), SCRT_LCD: lcd } });
    assert.equal(await query(["tx", executeHash, "--output", "json"], io), 0, io.err());
    assert.equal((JSON.parse(io.out()) as { decrypted: boolean }).decrypted, false);
  });

  it("a failing execute reports the decrypted contract error", async () => {
    const r = await scrt(tx, signed(["compute", "execute", CONTRACT, '{"boom":{}}']));
    assert.equal(r.code, 1);
    const err = JSON.parse(r.err) as { error: { code: string; message: string; details: { rawLog: string } } };
    assert.equal(err.error.code, "CLIENT_TX_FAILED");
    assert.match(err.error.details.rawLog, /message index: 0: Generic error: boom: execute contract failed/);
    assert.equal((JSON.parse(r.out) as { error: string }).error, "Generic error: boom");
  });

  it("instantiate reports the contract address; bad JSON is refused before signing", async () => {
    const r = await scrt(tx, signed(["compute", "instantiate", "1", '{"count":1}', "--label", "l"]));
    assert.equal(r.code, 0, r.err);
    const out = JSON.parse(r.out) as { contract_address: string; data: { data: string }[] };
    assert.equal(out.contract_address, CONTRACT);
    assert.equal(out.data[0]!.data, '{"count":8}');
    const bad = await scrt(tx, signed(["compute", "instantiate", "1", "{count:1}", "--label", "l"]));
    assert.equal(bad.code, 1);
    assert.equal(errorCode(bad), "CLIENT_BAD_INPUT");
    const noLabel = await scrt(tx, [
      "compute",
      "instantiate",
      "1",
      "{}",
      "--from",
      "a",
      "--passphrase-file",
      passFile,
      "--yes",
    ]);
    assert.equal(noLabel.code, 2);
  });

  it("migrate encrypts for the new code and reads the output; --gas auto on a contract call explains itself", async () => {
    const r = await scrt(tx, signed(["compute", "migrate", CONTRACT, "1", '{"migrate":{}}']));
    assert.equal(r.code, 0, r.err);
    const out = JSON.parse(r.out) as {
      data: { data: string }[];
      events: { type: string; attributes: { key: string; value: string }[] }[];
    };
    assert.equal(out.data[0]!.data, '{"count":8}');
    assert.deepEqual(out.events[0]!.attributes[1], { key: "action", value: "migrate", index: true });
    const auto = await scrt(tx, signed(["compute", "execute", CONTRACT, "{}", "--gas", "auto"]));
    const e = JSON.parse(auto.err) as { error: { code: string; message: string } };
    assert.equal(e.error.code, "CLIENT_SIMULATE_FAILED");
    assert.match(e.error.message, /give --gas N/);
  });

  it("smart queries are encrypted and their answers and errors decrypted (no key needed)", async () => {
    const ok = await scrt(query, ["compute", "query", CONTRACT, '{"get_count":{}}', "--output", "json"]);
    assert.equal(ok.code, 0, ok.err);
    assert.deepEqual(JSON.parse(ok.out), { count: 7 });
    const withKey = await scrt(query, [
      "compute",
      "query",
      CONTRACT,
      '{"get_count":{}}',
      "--from",
      "a",
      "--passphrase-file",
      passFile,
    ]);
    assert.match(withKey.out, /"count": 7/);
    const fail = await scrt(query, ["compute", "query", CONTRACT, '{"other":{}}', "--output", "json"]);
    assert.equal(fail.code, 1);
    const e = JSON.parse(fail.err) as { error: { code: string; message: string } };
    assert.equal(e.error.code, "CLIENT_QUERY_FAILED");
    assert.match(e.error.message, /Generic error: nope/);
  });

  it("store: a large wasm is gzipped, estimated by simulation and uploaded with a progress bar on a terminal", async () => {
    const wasm = randomBytes(1_200_000); // incompressible: about 1.2 MB goes on the wire
    wasm.set([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
    const file = join(home, "big.wasm");
    writeFileSync(file, wasm);
    const r = await scrt(tx, ["compute", "store", file, "--from", "a", "--passphrase-file", passFile, "--yes"], true);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /code_id: 2/);
    assert.match(r.err, /uploading \[#+\] 100%/);
    assert.match(r.out, /gas: 123456\/1300000/);
    assert.deepEqual(gunzipSync(lastStoredWasm!), Buffer.from(wasm));
    // Not a terminal: no bar.
    const quiet = await scrt(tx, signed(["compute", "store", file]));
    assert.equal(quiet.code, 0, quiet.err);
    assert.doesNotMatch(quiet.err, /uploading/);
    const notWasm = join(home, "x.txt");
    writeFileSync(notWasm, "hello");
    const bad = await scrt(tx, signed(["compute", "store", notWasm]));
    assert.equal(errorCode(bad), "CLIENT_BAD_INPUT");
  });
});
