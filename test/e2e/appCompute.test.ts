/**
 * The compute module through the app with the real worker enclave: contract inputs encrypted by
 * secretjs's EncryptionUtilsImpl, txs signed by the secretjs wallet. Store (raw and gzip), instantiate,
 * execute, smart queries, a failing execute (encrypted error, state kept), out of gas, duplicate label,
 * unknown code id, migrate with and without admin rights, update/clear admin, a contract-to-contract
 * execute with a reply and a contract-to-contract query, and the metadata queries — each with the
 * events and codes of chain-api.md §5.3, §6 and contract-abi.md §10.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { after, before, describe, it } from "node:test";
import { type EncryptedBlockRandom, type SecretApp, type TxResult, contractAddress } from "../../src/app/index.ts";
import { decodeTxMsgData } from "../../src/codec/abci.ts";
import {
  COMPUTE_QUERY_PATHS,
  COMPUTE_URLS,
  HISTORY_OPERATION,
  decodeContractInfoWithAddress,
  decodeMsgDataResponse,
  decodeMsgInstantiateContractResponse,
  decodeMsgStoreCodeResponse,
  decodeQueryCodesResponse,
  decodeQueryContractHistoryResponse,
  decodeQueryContractsByCodeIdResponse,
  decodeStringResponse,
  encodeMsgClearAdmin,
  encodeMsgMigrateContract,
  encodeMsgUpdateAdmin,
  encodeQueryByCodeIdRequest,
  encodeQueryByContractAddressRequest,
  encodeQueryByLabelRequest,
} from "../../src/codec/compute.ts";
import { fromBase64 } from "../../src/primitives/base64.ts";
import { decodeAddress as fromBech, encodeAddress } from "../../src/primitives/bech32.ts";
import { utf8Decode } from "../../src/primitives/bytes.ts";
import {
  type Account,
  TestNetwork,
  accounts,
  computeGenesis,
  executeMsg,
  hashHex,
  instantiateMsg,
  openApp,
  runBlock,
  secretjsEncryption,
  signedTx,
  smartQuery,
  storeCodeMsg,
} from "../helpers/appCompute.ts";

const root = mkdtempSync(join(tmpdir(), "scrt-app-compute-"));
const network = new TestNetwork(root);
const { a, b } = accounts();
const code = {
  counter: new Uint8Array(readFileSync("contracts/build/counter.wasm")),
  caller: new Uint8Array(readFileSync("contracts/build/caller.wasm")),
  token: new Uint8Array(readFileSync("contracts/build/token.wasm")),
  random: new Uint8Array(readFileSync("contracts/build/random.wasm")),
};
const hash = {
  counter: hashHex(code.counter),
  caller: hashHex(code.caller),
  token: hashHex(code.token),
  random: hashHex(code.random),
};
let app: SecretApp;
let enc: ReturnType<typeof secretjsEncryption>;

let enclave: Awaited<ReturnType<typeof network.bootstrap>>;

before(async () => {
  enclave = await network.bootstrap();
  app = openApp(enclave);
  app.initChain(computeGenesis([a, b, accounts().c]));
  runBlock(app, []);
  enc = secretjsEncryption(network.ioPk, new Uint8Array(32).fill(7));
});
after(async () => {
  await app.close();
  await network.close();
  rmSync(root, { recursive: true, force: true });
});

type Attr = readonly [string, string];
/** The message's events of a type (the ante's are left out), without `msg_index`. */
const events = (r: TxResult, type: string): Attr[][] =>
  r.events
    .filter((e) => e.type === type && e.attributes.some((x) => x.key === "msg_index"))
    .map((e) => e.attributes.filter((x) => x.key !== "msg_index").map((x) => [x.key, x.value] as const));
const ok = (r: TxResult | undefined): TxResult => {
  assert.ok(r !== undefined);
  assert.equal(r.code, 0, `${r.codespace} ${r.code}: ${r.log}`);
  return r;
};
async function tx(
  from: Account,
  msgs: Parameters<typeof signedTx>[1],
  gas?: bigint,
  random?: EncryptedBlockRandom,
): Promise<TxResult> {
  const { results } = runBlock(app, [await signedTx(from, msgs, gas)], random);
  return results[0]!;
}
/** The next block's random as a proposer's enclave makes it for the header (crypto.md §9). */
function nextBlockRandom(): EncryptedBlockRandom {
  const appHash = app.lastAppHash;
  const validatorsHash = new Uint8Array(32).fill(0x11);
  const r = enclave.call("blockRandomCreate", { height: BigInt(app.lastHeight + 1), appHash, validatorsHash });
  return { random: r.random, proof: r.proof, appHash, validatorsHash };
}
const msgData = (r: TxResult): Uint8Array => decodeTxMsgData(r.data).msgResponses[0]!.value;
const stringQuery = (path: string, data: Uint8Array): string => {
  const r = app.query(path, data);
  assert.equal(r.code, 0, r.log);
  return decodeStringResponse(r.value);
};
/** Decrypts a b64 attribute (key or value) with secretjs for the given input envelope. */
async function decryptAttr(envelope: Uint8Array, b64: string): Promise<string> {
  return utf8Decode(await enc.decrypt(fromBase64(b64), envelope.slice(0, 32)));
}

let counterAddr = "";
let callerAddr = "";

describe("compute through the app and the worker enclave", () => {
  it("stores codes (raw and gzip) with ids, events and code hashes", async () => {
    const r = ok(await tx(a, [storeCodeMsg(a.address, gzipSync(code.counter))]));
    assert.equal(decodeMsgStoreCodeResponse(msgData(r)), 1n);
    assert.deepEqual(events(r, "message"), [
      [
        ["action", COMPUTE_URLS.storeCode],
        ["sender", a.bech32],
      ],
      [
        ["module", "compute"],
        ["sender", a.bech32],
        ["signer", a.bech32],
      ],
      [["code_id", "1"]],
    ]);
    const r2 = ok(await tx(a, [storeCodeMsg(a.address, code.caller), storeCodeMsg(a.address, code.token)]));
    assert.equal(decodeTxMsgData(r2.data).msgResponses.length, 2);
    assert.equal(stringQuery(COMPUTE_QUERY_PATHS.CodeHashByCodeId, encodeQueryByCodeIdRequest(1n)), hash.counter);
    assert.equal(stringQuery(COMPUTE_QUERY_PATHS.CodeHashByCodeId, encodeQueryByCodeIdRequest(3n)), hash.token);
    const codes = decodeQueryCodesResponse(app.query(COMPUTE_QUERY_PATHS.Codes, new Uint8Array(0)).value);
    assert.deepEqual(
      codes.map((c) => [c.codeId, c.creator, c.codeHash]),
      [
        [1n, a.bech32, hash.counter],
        [2n, a.bech32, hash.caller],
        [3n, a.bech32, hash.token],
      ],
    );
    // Not wasm: compute 15, nothing stored.
    const bad = await tx(a, [storeCodeMsg(a.address, Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8))]);
    assert.equal(bad.codespace, "compute");
    assert.equal(bad.code, 15);
    assert.match(bad.log, /^failed to execute message; message index: 0: .*create contract failed$/);
    assert.equal(app.query(COMPUTE_QUERY_PATHS.CodeHashByCodeId, encodeQueryByCodeIdRequest(4n)).code, 9);
  });

  it("instantiates the counter: address, events, label and info queries", async () => {
    const init = await enc.encrypt(hash.counter, { count: 7 });
    const r = ok(await tx(a, [instantiateMsg(a.address, 1n, "counter", init, a.bech32)]));
    const expected = encodeAddress(contractAddress(1n, 1n, a.address));
    counterAddr = decodeMsgInstantiateContractResponse(msgData(r)).address;
    assert.equal(counterAddr, expected);
    assert.deepEqual(events(r, "instantiate"), [
      [
        ["contract_address", counterAddr],
        ["code_id", "1"],
      ],
    ]);
    const wasm = events(r, "wasm");
    assert.equal(wasm.length, 1);
    assert.deepEqual(wasm[0]![0], ["contract_address", counterAddr]);
    assert.ok(wasm[0]!.length > 1, "the contract's attributes are in the wasm event");
    assert.equal(await decryptAttr(init, wasm[0]![1]![0]), "action");
    // Order: instantiate, wasm, then the handler's message event last.
    const types = r.events.filter((e) => e.attributes.some((x) => x.key === "msg_index")).map((e) => e.type);
    assert.deepEqual(types, ["message", "instantiate", "wasm", "message"]);
    assert.deepEqual(events(r, "message").at(-1), [
      ["module", "compute"],
      ["sender", a.bech32],
      ["contract_address", counterAddr],
    ]);
    assert.equal(stringQuery(COMPUTE_QUERY_PATHS.AddressByLabel, encodeQueryByLabelRequest("counter")), counterAddr);
    assert.equal(
      stringQuery(COMPUTE_QUERY_PATHS.LabelByAddress, encodeQueryByContractAddressRequest(counterAddr)),
      "counter",
    );
    assert.equal(
      stringQuery(COMPUTE_QUERY_PATHS.CodeHashByContractAddress, encodeQueryByContractAddressRequest(counterAddr)),
      hash.counter,
    );
    const info = decodeContractInfoWithAddress(
      app.query(COMPUTE_QUERY_PATHS.ContractInfo, encodeQueryByContractAddressRequest(counterAddr)).value,
    );
    assert.equal(info.contractInfo.codeId, 1n);
    assert.equal(info.contractInfo.admin, a.bech32);
    assert.equal(info.contractInfo.label, "counter");
    assert.equal(info.contractInfo.adminProof.length, 0, "the admin proof is not served");
    assert.equal(info.contractInfo.created?.blockHeight, BigInt(app.lastHeight));
    assert.deepEqual((await smartQuery(app, enc, counterAddr, hash.counter, { get_count: {} })).value, { count: 7 });
    const unknownLabel = app.query(COMPUTE_QUERY_PATHS.AddressByLabel, encodeQueryByLabelRequest("nope"));
    assert.equal(unknownLabel.code, 9);
    assert.equal(unknownLabel.codespace, "sdk");
    assert.equal(unknownLabel.log, "unknown address: nope");
  });

  it("executes: execute and wasm events, encrypted attributes, state changes", async () => {
    const msg = await enc.encrypt(hash.counter, { increment: {} });
    const r = ok(await tx(a, [executeMsg(a.address, fromBech(counterAddr), msg)]));
    const types = r.events.filter((e) => e.attributes.some((x) => x.key === "msg_index")).map((e) => e.type);
    assert.deepEqual(types, ["message", "message", "execute", "wasm"]);
    assert.deepEqual(events(r, "message")[1], [
      ["module", "compute"],
      ["sender", a.bech32],
      ["contract_address", counterAddr],
    ]);
    assert.deepEqual(events(r, "execute"), [[["contract_address", counterAddr]]]);
    const wasm = events(r, "wasm")[0]!;
    assert.equal(await decryptAttr(msg, wasm[1]![0]), "action");
    assert.equal(await decryptAttr(msg, wasm[1]![1]), "increment");
    assert.deepEqual((await smartQuery(app, enc, counterAddr, hash.counter, { get_count: {} })).value, { count: 8 });
    assert.ok(r.gasUsed > 20_000n && r.gasUsed < 5_000_000n, `gas used ${r.gasUsed}`);
  });

  it("a failing execute: compute 3 with the error encrypted for the sender; state and events dropped", async () => {
    const msg = await enc.encrypt(hash.counter, { reset: {} });
    const r = await tx(a, [executeMsg(a.address, fromBech(counterAddr), msg)]);
    assert.equal(r.codespace, "compute");
    assert.equal(r.code, 3);
    const m =
      /^failed to execute message; message index: 0: encrypted: ([A-Za-z0-9+/=]+): execute contract failed$/.exec(
        r.log,
      );
    assert.ok(m !== null, r.log);
    const plaintext = utf8Decode(await enc.decrypt(fromBase64(m[1]!), msg.slice(0, 32)));
    assert.match(plaintext, /missing field `count`/);
    assert.equal(r.data.length, 0);
    assert.deepEqual(events(r, "wasm"), []);
    assert.deepEqual((await smartQuery(app, enc, counterAddr, hash.counter, { get_count: {} })).value, { count: 8 });
    // A query the contract refuses: compute 4 with its error encrypted.
    const q = await smartQuery(app, enc, counterAddr, hash.counter, { nope: {} });
    assert.equal(q.code, 4);
    assert.match(q.log, /^encrypted: [A-Za-z0-9+/=]+: query contract failed$/);
  });

  it("out of gas: sdk 11, nothing written", async () => {
    const msg = await enc.encrypt(hash.counter, { increment: {} });
    const r = await tx(a, [executeMsg(a.address, fromBech(counterAddr), msg)], 28_000n);
    assert.equal(r.codespace, "sdk");
    assert.equal(r.code, 11);
    assert.match(r.log, /^out of gas in location: [^;]+; gasWanted: 28000, gasUsed: \d+: out of gas$/);
    assert.deepEqual((await smartQuery(app, enc, counterAddr, hash.counter, { get_count: {} })).value, { count: 8 });
  });

  it("duplicate label (compute 6) and unknown code id (compute 9)", async () => {
    const init = await enc.encrypt(hash.counter, { count: 1 });
    const dup = await tx(a, [instantiateMsg(a.address, 1n, "counter", init)]);
    assert.equal(dup.codespace, "compute");
    assert.equal(dup.code, 6);
    assert.equal(dup.log, "failed to execute message; message index: 0: counter: contract account already exists");
    const unknown = await tx(a, [instantiateMsg(a.address, 99n, "other", init)]);
    assert.equal(unknown.codespace, "compute");
    assert.equal(unknown.code, 9);
    assert.equal(unknown.log, "failed to execute message; message index: 0: code: not found");
  });

  it("migrate: refused for a non-admin (compute 5), done by the admin with history and events", async () => {
    const migrateMsg = async (from: Account, count: number) => ({
      typeUrl: COMPUTE_URLS.migrate,
      value: encodeMsgMigrateContract({
        sender: from.bech32,
        contract: counterAddr,
        codeId: 1n,
        msg: await enc.encrypt(hash.counter, { count }),
        callbackSig: new Uint8Array(0),
        callbackCodeHash: "",
      }),
    });
    const wrong = await tx(b, [await migrateMsg(b, 50)]);
    assert.equal(wrong.codespace, "compute");
    assert.equal(wrong.code, 5);
    assert.equal(
      wrong.log,
      "failed to execute message; message index: 0: requires migrate from admin: migrate contract failed",
    );
    const r = ok(await tx(a, [await migrateMsg(a, 100)]));
    assert.deepEqual(events(r, "migrate"), [
      [
        ["code_id", "1"],
        ["contract_address", counterAddr],
      ],
    ]);
    assert.deepEqual(events(r, "message")[1], [
      ["module", "compute"],
      ["sender", a.bech32],
    ]);
    assert.equal(events(r, "wasm").length, 1);
    assert.deepEqual((await smartQuery(app, enc, counterAddr, hash.counter, { get_count: {} })).value, { count: 100 });
    const history = decodeQueryContractHistoryResponse(
      app.query(COMPUTE_QUERY_PATHS.ContractHistory, encodeQueryByContractAddressRequest(counterAddr)).value,
    );
    assert.deepEqual(
      history.map((h) => [h.operation, h.codeId]),
      [
        [HISTORY_OPERATION.init, 1n],
        [HISTORY_OPERATION.migrate, 1n],
      ],
    );
    // After the migration the contract still executes with its new key.
    const inc = await enc.encrypt(hash.counter, { increment: {} });
    ok(await tx(a, [executeMsg(a.address, fromBech(counterAddr), inc)]));
    assert.deepEqual((await smartQuery(app, enc, counterAddr, hash.counter, { get_count: {} })).value, { count: 101 });
  });

  it("update admin (only by the admin), the new admin migrates, clear admin", async () => {
    const update = (from: Account, newAdmin: string) => ({
      typeUrl: COMPUTE_URLS.updateAdmin,
      value: encodeMsgUpdateAdmin({
        sender: from.bech32,
        newAdmin,
        contract: counterAddr,
        callbackSig: new Uint8Array(0),
      }),
    });
    const denied = await tx(b, [update(b, accounts().c.bech32)]);
    assert.equal(denied.codespace, "sdk");
    assert.equal(denied.code, 4);
    assert.equal(denied.log, "failed to execute message; message index: 0: caller is not the admin: unauthorized");
    const r = ok(await tx(a, [update(a, b.bech32)]));
    assert.deepEqual(events(r, "update_contract_admin"), [
      [
        ["contract_address", counterAddr],
        ["new_admin_address", b.bech32],
      ],
    ]);
    const migrate = ok(
      await tx(b, [
        {
          typeUrl: COMPUTE_URLS.migrate,
          value: encodeMsgMigrateContract({
            sender: b.bech32,
            contract: counterAddr,
            codeId: 1n,
            msg: await enc.encrypt(hash.counter, { count: 5 }),
            callbackSig: new Uint8Array(0),
            callbackCodeHash: "",
          }),
        },
      ]),
    );
    assert.equal(events(migrate, "migrate").length, 1);
    assert.deepEqual((await smartQuery(app, enc, counterAddr, hash.counter, { get_count: {} })).value, { count: 5 });
    const cleared = ok(
      await tx(b, [
        {
          typeUrl: COMPUTE_URLS.clearAdmin,
          value: encodeMsgClearAdmin({ sender: b.bech32, contract: counterAddr, callbackSig: new Uint8Array(0) }),
        },
      ]),
    );
    assert.deepEqual(events(cleared, "update_contract_admin"), [
      [
        ["contract_address", counterAddr],
        ["new_admin_address", ""],
      ],
    ]);
    const info = decodeContractInfoWithAddress(
      app.query(COMPUTE_QUERY_PATHS.ContractInfo, encodeQueryByContractAddressRequest(counterAddr)).value,
    );
    assert.equal(info.contractInfo.admin, "");
  });

  it("caller → counter: sub-message execute with a reply, events in order, and a contract-to-contract query", async () => {
    const init = await enc.encrypt(hash.caller, {});
    const r = ok(await tx(a, [instantiateMsg(a.address, 2n, "caller", init)]));
    callerAddr = decodeMsgInstantiateContractResponse(msgData(r)).address;
    const before = (await smartQuery(app, enc, counterAddr, hash.counter, { get_count: {} })).value as {
      count: number;
    };
    const msg = await enc.encrypt(hash.caller, { call_increment: { contract: counterAddr, code_hash: hash.counter } });
    const x = ok(await tx(a, [executeMsg(a.address, fromBech(callerAddr), msg)]));
    const types = x.events.filter((e) => e.attributes.some((y) => y.key === "msg_index")).map((e) => e.type);
    // caller's execute + wasm, the counter's execute + wasm (no message events), then the reply.
    assert.deepEqual(types, ["message", "message", "execute", "wasm", "execute", "wasm", "reply", "wasm"]);
    const wasm = events(x, "wasm");
    assert.equal(wasm[0]![0]![1], callerAddr);
    // A wasm sub-message's event attributes are sorted by key (upstream sorts them in place).
    const sub = wasm[1]!;
    assert.deepEqual(
      sub.find(([k]) => k === "contract_address"),
      ["contract_address", counterAddr],
    );
    assert.deepEqual(
      sub.map(([k]) => k),
      sub.map(([k]) => k).sort(),
    );
    assert.deepEqual(events(x, "reply"), [[["contract_address", callerAddr]]]);
    assert.deepEqual(wasm[2], [
      ["contract_address", callerAddr],
      ["reply_id", "1"],
      ["reply_ok", "true"],
    ]);
    assert.deepEqual((await smartQuery(app, enc, counterAddr, hash.counter, { get_count: {} })).value, {
      count: before.count + 1,
    });
    const last = (await smartQuery(app, enc, callerAddr, hash.caller, { last_reply: {} })).value as {
      id: number;
      ok: boolean;
    };
    assert.equal(last.id, 1);
    assert.equal(last.ok, true);
    const remote = await smartQuery(app, enc, callerAddr, hash.caller, {
      remote_count: { contract: counterAddr, code_hash: hash.counter },
    });
    assert.deepEqual(remote.value, { count: before.count + 1 });
    // A sub-message whose contract fails (reset: the caller does not own the counter) is replied to
    // with its error; the callee's state and events are dropped, the caller's reply is kept.
    const reset = await enc.encrypt(hash.caller, {
      call_reset: { contract: counterAddr, code_hash: hash.counter, count: 0 },
    });
    const y = ok(await tx(a, [executeMsg(a.address, fromBech(callerAddr), reset)]));
    const lastBad = (await smartQuery(app, enc, callerAddr, hash.caller, { last_reply: {} })).value as {
      id: number;
      ok: boolean;
      error: string;
    };
    assert.equal(lastBad.id, 2);
    assert.equal(lastBad.ok, false, "the failed sub-message was replied to with its error");
    assert.match(lastBad.error, /Unauthorized/);
    assert.deepEqual(events(y, "reply"), [[["contract_address", callerAddr]]]);
    assert.equal(events(y, "wasm").length, 2, "the caller's own and its reply's wasm events only");
    assert.deepEqual((await smartQuery(app, enc, counterAddr, hash.counter, { get_count: {} })).value, {
      count: before.count + 1,
    });
    // A wasm sub-message refused by the enclave itself (wrong code hash) cannot be replied to: the
    // whole call fails (upstream: `an sdk error occurred while sending a sub-message`).
    const wrongHash = await enc.encrypt(hash.caller, {
      call_increment: { contract: counterAddr, code_hash: hash.token },
    });
    const z = await tx(a, [executeMsg(a.address, fromBech(callerAddr), wrongHash)]);
    assert.equal(z.codespace, "compute");
    assert.equal(z.code, 19);
    assert.match(
      z.log,
      /dispatch: submessages: an sdk error occurred while sending a sub-message: the error was redacted/,
    );
  });

  it("lists contracts by code, and the data of an execute comes back in the response", async () => {
    const list = decodeQueryContractsByCodeIdResponse(
      app.query(COMPUTE_QUERY_PATHS.ContractsByCodeId, encodeQueryByCodeIdRequest(1n)).value,
    );
    assert.deepEqual(
      list.map((c) => c.contractAddress),
      [counterAddr],
    );
    assert.equal(list[0]!.contractInfo.created, undefined);
    const msg = await enc.encrypt(hash.counter, { increment: {} });
    const r = ok(await tx(a, [executeMsg(a.address, fromBech(counterAddr), msg)]));
    assert.equal(decodeMsgDataResponse(msgData(r)).length, 0);
  });

  it("a token transfer between two accounts", async () => {
    const init = await enc.encrypt(hash.token, {
      name: "Token",
      symbol: "TKN",
      decimals: 6,
      initial_balances: [{ address: a.bech32, amount: "1000" }],
    });
    const r = ok(await tx(a, [instantiateMsg(a.address, 3n, "token", init)]));
    const token = decodeMsgInstantiateContractResponse(msgData(r)).address;
    const transfer = await enc.encrypt(hash.token, { transfer: { recipient: b.bech32, amount: "250" } });
    ok(await tx(a, [executeMsg(a.address, fromBech(token), transfer)]));
    const tooMuch = await enc.encrypt(hash.token, { transfer: { recipient: b.bech32, amount: "5000" } });
    const failed = await tx(a, [executeMsg(a.address, fromBech(token), tooMuch)]);
    assert.equal(failed.code, 3);
    assert.equal(failed.codespace, "compute");
  });

  it("the random contract gets env.block.random from the block's random, and none without it", async () => {
    const stored = ok(await tx(a, [storeCodeMsg(a.address, code.random)]));
    const codeId = decodeMsgStoreCodeResponse(msgData(stored));
    const init = await enc.encrypt(hash.random, {});
    const r = ok(await tx(a, [instantiateMsg(a.address, codeId, "random", init)], undefined, nextBlockRandom()));
    const address = decodeMsgInstantiateContractResponse(msgData(r)).address;
    assert.deepEqual(
      events(r, "wasm")[0]!.find(([k]) => k === "has_random"),
      ["has_random", "true"],
    );
    const first = (await smartQuery(app, enc, address, hash.random, { last_random: {} })).value as { random: string };
    assert.equal(fromBase64(first.random).length, 32);
    // Another call in another block with another random: a different value.
    const again = await enc.encrypt(hash.random, { store_random: {} });
    ok(await tx(a, [executeMsg(a.address, fromBech(address), again)], undefined, nextBlockRandom()));
    const second = (await smartQuery(app, enc, address, hash.random, { last_random: {} })).value as { random: string };
    assert.notEqual(second.random, first.random);
    // A block without a random: the contract sees none.
    const none = await enc.encrypt(hash.random, { store_random: {} });
    const x = ok(await tx(a, [executeMsg(a.address, fromBech(address), none)]));
    assert.deepEqual(
      events(x, "wasm")[0]!.find(([k]) => k === "has_random"),
      ["has_random", "false"],
    );
    const third = (await smartQuery(app, enc, address, hash.random, { last_random: {} })).value as { random: unknown };
    assert.equal(third.random, null);
    // A random whose proof does not verify (a byte changed, or proved for another height): the enclave
    // refuses to open it, the call fails and the contract keeps what it had.
    for (const bad of [
      (x: EncryptedBlockRandom): EncryptedBlockRandom => ({
        ...x,
        proof: x.proof.map((v, i) => (i === 0 ? v ^ 1 : v)),
      }),
      (x: EncryptedBlockRandom): EncryptedBlockRandom => ({ ...x, appHash: new Uint8Array(32) }),
    ]) {
      const msg = await enc.encrypt(hash.random, { store_random: {} });
      const refused = await tx(a, [executeMsg(a.address, fromBech(address), msg)], undefined, bad(nextBlockRandom()));
      assert.notEqual(refused.code, 0);
      assert.match(refused.log, /failed to validate transaction/);
      const still = (await smartQuery(app, enc, address, hash.random, { last_random: {} })).value as {
        random: unknown;
      };
      assert.equal(still.random, null);
    }
  });

  it("a CosmWasm v0.10 contract: no instantiate/execute events, a wasm event, its state and queries", async () => {
    const v010 = new Uint8Array(readFileSync("contracts/build/counter-v010.wasm"));
    const v010Hash = hashHex(v010);
    const stored = ok(await tx(a, [storeCodeMsg(a.address, v010)]));
    const codeId = decodeMsgStoreCodeResponse(msgData(stored));
    const r = ok(await tx(a, [instantiateMsg(a.address, codeId, "v010", await enc.encrypt(v010Hash, { count: 5 }))]));
    const address = decodeMsgInstantiateContractResponse(msgData(r)).address;
    assert.deepEqual(events(r, "instantiate"), []);
    assert.deepEqual(events(r, "wasm"), [[["contract_address", address]]]);
    const x = ok(
      await tx(a, [executeMsg(a.address, fromBech(address), await enc.encrypt(v010Hash, { increment: {} }))]),
    );
    assert.deepEqual(events(x, "execute"), []);
    assert.deepEqual(events(x, "wasm"), [[["contract_address", address]]]);
    assert.deepEqual((await smartQuery(app, enc, address, v010Hash, { get_count: {} })).value, { count: 6 });
  });

  it("simulate runs a signed execute through the enclave without keeping anything", async () => {
    const before = (await smartQuery(app, enc, counterAddr, hash.counter, { get_count: {} })).value as {
      count: number;
    };
    const msg = await enc.encrypt(hash.counter, { increment: {} });
    const signed = await signedTx(a, [executeMsg(a.address, fromBech(counterAddr), msg)]);
    a.sequence--; // the simulation does not use up the sequence
    const sim = app.simulate(signed);
    assert.equal(sim.code, 0, sim.log);
    assert.ok(sim.gasUsed > 20_000n);
    assert.equal(events({ ...sim }, "execute").length, 1);
    assert.deepEqual((await smartQuery(app, enc, counterAddr, hash.counter, { get_count: {} })).value, before);
  });
});
