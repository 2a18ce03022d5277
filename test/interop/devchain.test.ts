/**
 * Real upstream Secret contract binaries through the whole node: `scrt dev` runs as a child process
 * (temp home, random loopback ports) and the real secretjs drives it through the LCD. Each case names
 * the upstream keeper test (x/compute/internal/keeper/*_test.go in scrtlabs/SecretNetwork) whose data,
 * events, error texts or gas it compares with. Not part of `npm test`: run `npm run test:interop`
 * with SCRT_UPSTREAM_WASM_DIR (see CONTRIBUTING.md).
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { after, before, describe, it } from "node:test";
import { createRequire } from "node:module";
import { decodeMsgDataResponse, decodeMsgInstantiateContractResponse } from "../../src/codec/compute.ts";
import { type SecretjsClient as Client, type TxResponse } from "../helpers/secretjsClient.ts";
import { MNEMONICS, Wallet } from "../helpers/secretjsTx.ts";
import { freePort, waitForLcd } from "../helpers/net.ts";

const DIR = process.env.SCRT_UPSTREAM_WASM_DIR;
if (DIR === undefined || !existsSync(DIR)) {
  throw new Error("set SCRT_UPSTREAM_WASM_DIR to a folder of upstream's keeper testdata .wasm files");
}
const UPSTREAM = DIR;
const ROOT = join(import.meta.dirname, "..", "..");
const read = (name: string) => new Uint8Array(readFileSync(join(UPSTREAM, name)));
/**
 * secretjs 1.22.1 means to gzip raw wasm in MsgStoreCode.toProto but does not await it, so raw bytes
 * go out; upstream's big test contracts (~2 MB) then exceed CometBFT's default max_tx_bytes (1 MiB)
 * on a real node as on ours. Users gzip first, as here; the node stores the uncompressed code.
 */
const readGzipped = (name: string) =>
  name.endsWith(".gz") ? read(name) : new Uint8Array(gzipSync(read(name), { level: 9 }));
const POLL = { broadcastCheckIntervalMs: 200 };
const GAS = { gasLimit: 3_000_000, ...POLL };

interface Encryption {
  decrypt(ciphertext: Uint8Array, nonce: Uint8Array): Promise<Uint8Array>;
}
const secretjs = createRequire(import.meta.url)("secretjs") as {
  SecretNetworkClient: new (options: object) => Client;
  MsgExecuteContract: new (params: object) => object;
  EncryptionUtilsImpl: new (url: string, seed: Uint8Array, chainId: string) => Encryption;
};

function ok(tx: TxResponse): TxResponse {
  assert.equal(tx.code, 0, `tx failed: ${tx.rawLog}`);
  return tx;
}

function failed(tx: TxResponse): TxResponse {
  assert.notEqual(tx.code, 0, `tx should have failed: ${JSON.stringify(tx.arrayLog)}`);
  assert.ok(tx.height > 0, "a failed tx is still included in a block");
  return tx;
}

function logValue(tx: TxResponse, type: string, key: string): string {
  const entry = tx.arrayLog?.find((e) => e.type === type && e.key === key);
  assert.ok(entry, `no ${type}.${key} in ${JSON.stringify(tx.arrayLog)} (rawLog ${tx.rawLog})`);
  return entry.value;
}

/** The decrypted attributes of one event type, in order, as `key=value`. */
function attrs(tx: TxResponse, type: string): string[] {
  return (tx.arrayLog ?? []).filter((e) => e.type === type).map((e) => `${e.key}=${e.value}`);
}

const utf8 = (b: Uint8Array | undefined) => new TextDecoder().decode(b ?? new Uint8Array(0));

/** The contract's data of an execute (secretjs hands back the re-encoded MsgExecuteContractResponse). */
const execData = (tx: TxResponse, i = 0) => decodeMsgDataResponse(tx.data[i] ?? new Uint8Array(0));
const initData = (tx: TxResponse, i = 0) => decodeMsgInstantiateContractResponse(tx.data[i] ?? new Uint8Array(0));

describe("upstream binaries through scrt dev and secretjs", { timeout: 600_000 }, () => {
  let child: ChildProcess | undefined;
  let home: string;
  let output = "";
  let a: Client;
  let b: Client;

  function startDev(args: string[]): Promise<void> {
    output = "";
    const started = spawn(process.execPath, ["bin/scrt.js", "dev", "--home", home, ...args], { cwd: ROOT });
    started.stdout?.on("data", (d: Buffer) => (output += d.toString()));
    started.stderr?.on("data", (d: Buffer) => (output += d.toString()));
    child = started;
    return waitForLcd(lcd, started, () => output);
  }

  async function stopDev(): Promise<void> {
    const running = child;
    if (running !== undefined && running.exitCode === null) {
      const exited = new Promise((r) => running.once("exit", r));
      running.kill("SIGTERM");
      await exited;
    }
  }

  let lcd: string;
  let encryptionA: Encryption;

  /**
   * secretjs decrypts only `wasm` events; upstream encrypts `wasm-*` attributes too. Decrypt them with
   * a's encryption keys and the nonce of the tx's first message (the first 32 bytes of its `msg`).
   */
  async function decryptedEvent(tx: TxResponse, type: string): Promise<string[]> {
    const raw = (await (await fetch(`${lcd}/cosmos/tx/v1beta1/txs/${tx.transactionHash}`)).json()) as {
      tx: { body: { messages: { msg: string }[] } };
    };
    const nonce = Buffer.from(raw.tx.body.messages[0]?.msg ?? "", "base64").subarray(0, 32);
    const open = async (v: string) => {
      try {
        return utf8(await encryptionA.decrypt(Buffer.from(v, "base64"), nonce)).trim();
      } catch {
        return v; // plaintext (contract_address, plaintext attributes)
      }
    };
    const out: string[] = [];
    for (const e of (tx.arrayLog ?? []).filter((x) => x.type === type)) {
      out.push(`${await open(e.key)}=${await open(e.value)}`);
    }
    return out;
  }
  before(async () => {
    home = mkdtempSync(join(tmpdir(), "scrt-interop-"));
    const [rpcPort, lcdPort, faucetPort] = [await freePort(), await freePort(), await freePort()];
    lcd = `http://127.0.0.1:${lcdPort}`;
    const args = ["--rpc-port", `${rpcPort}`, "--lcd-port", `${lcdPort}`, "--faucet-port", `${faucetPort}`];
    // Upstream's v1-contract.wasm and contract.wasm are ~2 MB (1.3 MB gzipped: a 1.2 MB data
    // segment), over CometBFT's default max_tx_bytes of 1 MiB on any node. Like an operator raising
    // the mempool's max_tx_bytes, create the home, raise it in config.json and start again.
    await startDev(args);
    await stopDev();
    const configPath = join(home, "config", "config.json");
    const config = JSON.parse(readFileSync(configPath, "utf8")) as Record<string, unknown>;
    writeFileSync(configPath, JSON.stringify({ ...config, max_tx_bytes: 4 * 1024 * 1024 }, null, 2));
    await startDev(args);
    const client = (mnemonic: string, seed: number): Client => {
      const wallet = new Wallet(mnemonic);
      const encryptionUtils = new secretjs.EncryptionUtilsImpl(lcd, new Uint8Array(32).fill(seed), "secretdev-1");
      if (seed === 1) encryptionA = encryptionUtils;
      return new secretjs.SecretNetworkClient({
        url: lcd,
        chainId: "secretdev-1",
        wallet,
        walletAddress: wallet.address,
        encryptionUtils,
      });
    };
    a = client(MNEMONICS.a, 1);
    b = client(MNEMONICS.b, 2);
  });

  after(async () => {
    await stopDev();
    rmSync(home, { recursive: true, force: true });
  });

  async function store(file: string, from: Client = a): Promise<{ codeId: string; codeHash: string; tx: TxResponse }> {
    const tx = ok(
      await from.tx.compute.storeCode(
        { sender: from.address, wasm_byte_code: readGzipped(file), source: "", builder: "" },
        { gasLimit: 40_000_000, ...POLL },
      ),
    );
    const codeId = logValue(tx, "message", "code_id");
    const codeHash = (await from.query.compute.codeHashByCodeId({ code_id: codeId })).code_hash ?? "";
    assert.match(codeHash, /^[0-9a-f]{64}$/);
    return { codeId, codeHash, tx };
  }

  let label = 0;
  async function instantiate(
    code: { codeId: string; codeHash: string },
    initMsg: object,
    extra: { admin?: string; funds?: { denom: string; amount: string }[]; from?: Client } = {},
  ): Promise<TxResponse> {
    const from = extra.from ?? a;
    return from.tx.compute.instantiateContract(
      {
        sender: from.address,
        code_id: code.codeId,
        code_hash: code.codeHash,
        init_msg: initMsg,
        label: `interop-${++label}`,
        init_funds: extra.funds ?? [],
        ...(extra.admin === undefined ? {} : { admin: extra.admin }),
      },
      GAS,
    );
  }

  async function execute(
    contract: string,
    codeHash: string,
    msg: object,
    extra: { funds?: { denom: string; amount: string }[]; from?: Client; gasLimit?: number } = {},
  ): Promise<TxResponse> {
    const from = extra.from ?? a;
    return from.tx.compute.executeContract(
      { sender: from.address, contract_address: contract, code_hash: codeHash, msg, sent_funds: extra.funds ?? [] },
      { gasLimit: extra.gasLimit ?? GAS.gasLimit, ...POLL },
    );
  }

  const balance = async (address: string, denom = "uscrt") =>
    BigInt((await a.query.bank.balance({ address, denom })).balance?.amount ?? "0");

  describe("v1-contract.wasm (cosmwasm v1 test contract)", () => {
    let v1: { codeId: string; codeHash: string };
    let counter: string;
    let nop: string;

    it("stores and instantiates with data = the contract's address (InstantiateMsg::Counter)", async () => {
      v1 = await store("v1-contract.wasm");
      const tx = ok(await instantiate(v1, { counter: { counter: 10, expires: 100 } }, { admin: a.address }));
      counter = logValue(tx, "message", "contract_address");
      assert.equal(logValue(tx, "instantiate", "contract_address"), counter);
      assert.equal(logValue(tx, "instantiate", "code_id"), v1.codeId);
      const initResponse = initData(tx);
      assert.equal(initResponse.address, counter);
      assert.equal(utf8(initResponse.data), counter);
    });

    it("refuses a zero counter at init with the contract's error, decrypted (InstantiateMsg::Counter)", async () => {
      const tx = failed(await instantiate(v1, { counter: { counter: 0, expires: 100 } }));
      assert.match(tx.rawLog, /got wrong counter on init/);
    });

    it("increments and queries the counter (ExecuteMsg::Increment, QueryMsg::Get)", async () => {
      ok(await execute(counter, v1.codeHash, { increment: { addition: 3 } }));
      const answer = await a.query.compute.queryContract({
        contract_address: counter,
        code_hash: v1.codeHash,
        query: { get: {} },
      });
      assert.deepEqual(answer, { get: { count: 13 } });
    });

    it("init logs: contract_address then init=🌈 (TestInitLogs)", async () => {
      const tx = ok(await instantiate(v1, { nop: {} }));
      nop = logValue(tx, "message", "contract_address");
      assert.deepEqual(attrs(tx, "wasm"), [`contract_address=${nop}`, "init=🌈"]);
    });

    it("set/get/remove state (TestState)", async () => {
      const get = async () => execData(ok(await execute(nop, v1.codeHash, { get_state: { key: "banana" } })));
      assert.equal(utf8(await get()), "");
      ok(await execute(nop, v1.codeHash, { set_state: { key: "banana", value: "🍌" } }));
      assert.equal(utf8(await get()), "🍌");
      ok(await execute(nop, v1.codeHash, { remove_state: { key: "banana" } }));
      assert.equal(utf8(await get()), "");
    });

    it("unicode data and attributes added by execute (TestUnicodeData, add_attributes)", async () => {
      const data = ok(await execute(nop, v1.codeHash, { unicode_data: {} }));
      assert.equal(utf8(execData(data)), "🍆🥑🍄");
      const tx = ok(await execute(nop, v1.codeHash, { add_attributes: {} }));
      assert.deepEqual(attrs(tx, "wasm"), [`contract_address=${nop}`, "attr1=🦄", "attr2=🌈"]);
      assert.equal(logValue(tx, "execute", "contract_address"), nop);
    });

    it("custom events become wasm-<type> events (add_events)", async () => {
      const tx = ok(await execute(nop, v1.codeHash, { add_events: {} }));
      // encrypted on the chain, as upstream (getDecryptedWasmEvents decrypts them)
      assert.ok(!attrs(tx, "wasm-cyber1").includes("attr1=🦄"), JSON.stringify(tx.arrayLog));
      assert.deepEqual(await decryptedEvent(tx, "wasm-cyber1"), [`contract_address=${nop}`, "attr1=🦄", "attr2=🌈"]);
      assert.deepEqual(await decryptedEvent(tx, "wasm-cyber2"), [`contract_address=${nop}`, "attr3=🐙", "attr4=🦄"]);
    });

    it("plaintext attributes stay in clear (add_plaintext_attributes)", async () => {
      const tx = ok(await execute(nop, v1.codeHash, { add_plaintext_attributes: {} }));
      assert.deepEqual(attrs(tx, "wasm"), [`contract_address=${nop}`, "attr1=🦄", "attr2=🌈"]);
    });

    it("contract errors are encrypted for the sender and decrypted by secretjs (TestExecContractError)", async () => {
      for (const [type, text] of [
        ["generic_err", "la la 🤯"],
        ["invalid_base64", "ra ra 🤯"],
        ["not_found", "za za 🤯"],
        ["unauthorized", "catch-all 🤯"],
      ] as const) {
        const tx = failed(await execute(nop, v1.codeHash, { contract_error: { error_type: type } }));
        assert.ok(tx.rawLog.includes(text), `${type}: ${tx.rawLog}`);
        assert.doesNotMatch(tx.rawLog, /encrypted: [A-Za-z0-9+/=]{20,}/, `${type}: left encrypted: ${tx.rawLog}`);
      }
    });

    it("a panic is a plaintext VM error (TestExecPanic)", async () => {
      const tx = failed(await execute(nop, v1.codeHash, { panic: {} }));
      assert.match(tx.rawLog, /the contract panicked/);
    });

    it("a query's contract error is decrypted by secretjs (TestQueryContractError)", async () => {
      const answer = await a.query.compute.queryContract({
        contract_address: nop,
        code_hash: v1.codeHash,
        query: { contract_error: { error_type: "generic_err" } },
      });
      assert.equal(typeof answer, "string");
      assert.match(answer as string, /la la 🤯/);
    });

    it("a → b → c sub-messages: events in order and the first call's data (TestCallbackSanity)", async () => {
      const tx = ok(await execute(nop, v1.codeHash, { a: { contract_addr: nop, code_hash: v1.codeHash, x: 2, y: 3 } }));
      assert.deepEqual(attrs(tx, "wasm"), [`contract_address=${nop}`, "banana=🍌", "kiwi=🥝", "watermelon=🍉"]);
      assert.deepEqual([...execData(tx)], [2, 3]);
    });

    it("a sub-message with reply: add_attributes_with_submessage (TestAttrsWithSubmessage)", async () => {
      const tx = ok(await execute(nop, v1.codeHash, { add_attributes_with_submessage: { id: 0 } }));
      const all = attrs(tx, "wasm");
      for (const kv of ["attr1=🦄", "attr2=🌈", "attr3=🍉", "attr4=🥝"]) assert.ok(all.includes(kv), all.join(", "));
    });

    it("contract-to-contract query (ExecuteMsg::CallToQuery → QueryMsg::Get)", async () => {
      const tx = ok(
        await execute(nop, v1.codeHash, {
          call_to_query: {
            addr: counter,
            code_hash: v1.codeHash,
            msg: JSON.stringify({ receive_external_query_v1: { num: 1 } }),
          },
        }),
      );
      assert.ok(attrs(tx, "wasm").includes("c=2"), JSON.stringify(tx.arrayLog));
    });

    it("external queries: an answer, the callee's error, the recursion limit (TestExternalQueryWorks, TestExternalQueryCalleeStdError, TestQueryRecursionLimitEnforcedInHandles)", async () => {
      const works = ok(await execute(nop, v1.codeHash, { send_external_query: { to: nop, code_hash: v1.codeHash } }));
      assert.deepEqual([...execData(works)], [3]);
      const calleeError = failed(
        await execute(nop, v1.codeHash, { send_external_query_error: { to: nop, code_hash: v1.codeHash } }),
      );
      assert.match(calleeError.rawLog, /la la 🤯/);
      const limit = ok(
        await execute(
          nop,
          v1.codeHash,
          { send_external_query_recursion_limit: { to: nop, code_hash: v1.codeHash, depth: 1 } },
          { gasLimit: 5_000_000 },
        ),
      );
      assert.equal(utf8(execData(limit)), '"Recursion limit was correctly enforced"');
    });

    it("callback_to_init: the new contract's events follow the caller's (TestExecCallbackToInit)", async () => {
      const tx = ok(
        await execute(nop, v1.codeHash, { callback_to_init: { code_id: Number(v1.codeId), code_hash: v1.codeHash } }),
      );
      assert.equal(execData(tx).length, 0);
      const wasm = attrs(tx, "wasm");
      assert.deepEqual(wasm.slice(0, 2), [`contract_address=${nop}`, "instantiating a new contract=🪂"]);
      assert.ok(wasm.includes("init=🌈"), wasm.join(", "));
      const second = wasm.find((kv) => kv.startsWith("contract_address=") && kv !== `contract_address=${nop}`);
      assert.ok(second, wasm.join(", "));
      const data = ok(await execute(second.slice("contract_address=".length), v1.codeHash, { unicode_data: {} }));
      assert.equal(utf8(execData(data)), "🍆🥑🍄");
    });

    it("a reply chain across five contracts, all succeeding or the last failing (TestV1ReplyChainAllSuccess, TestV1ReplyChainWithError)", async () => {
      const chain = [nop];
      for (let i = 1; i < 5; i++)
        chain.push(logValue(ok(await instantiate(v1, { nop: {} })), "message", "contract_address"));
      const details = (lastErrors: boolean) =>
        chain.slice(1).map((address, i) => ({
          contract_address: address,
          contract_hash: v1.codeHash,
          should_error: lastErrors && i === chain.length - 2,
          msg_id: 9000,
          data: `${i + 1}`,
        }));
      const all = ok(await execute(nop, v1.codeHash, { execute_multiple_contracts: { details: details(false) } }));
      assert.equal(utf8(execData(all)), [...chain].reverse().join(" -> "));
      const withError = ok(await execute(nop, v1.codeHash, { execute_multiple_contracts: { details: details(true) } }));
      assert.equal(utf8(execData(withError)), `err -> ${chain[1]} -> ${chain[0]}`);
    });

    it("nested sub-messages and a reply: attributes in order, the reply's data (TestNestedAttribute)", async () => {
      const tx = ok(await execute(nop, v1.codeHash, { add_attribute_step1: {} }, { gasLimit: 5_000_000 }));
      assert.deepEqual(attrs(tx, "wasm"), [
        `contract_address=${nop}`,
        "attr1=🦄",
        "attr2=🦄",
        "attr3=🦄",
        "attr4=🦄",
        "attr_reply=🦄",
      ]);
      assert.equal(utf8(execData(tx)), '"reply"');
    });

    it("finalize_tx: the marker stops the response's later messages and the tx's later messages (TestLastMsgMarker, TestLastMsgMarkerMultipleMsgsInATx, TestLastMsgMarkerWithMoreThanOneTx)", async () => {
      const c = logValue(
        ok(await instantiate(v1, { counter: { counter: 10, expires: 100 } })),
        "message",
        "contract_address",
      );
      const count = async () =>
        (
          (await a.query.compute.queryContract({
            contract_address: c,
            code_hash: v1.codeHash,
            query: { get: {} },
          })) as {
            get: { count: number };
          }
        ).get.count;
      // four increments, then finalize_tx: the increment and the (invalid) bank send after it never run
      ok(await execute(c, v1.codeHash, { last_msg_marker: {} }, { gasLimit: 5_000_000 }));
      assert.equal(await count(), 14);
      // the marker belongs to that tx only
      ok(await execute(c, v1.codeHash, { increment_times: { times: 5 } }, { gasLimit: 5_000_000 }));
      assert.equal(await count(), 19);
      // two messages in one tx: the second one, after the marker, fails the tx (sdk 40404)
      const msg = () =>
        new secretjs.MsgExecuteContract({
          sender: a.address,
          contract_address: c,
          code_hash: v1.codeHash,
          msg: { last_msg_marker_nop: {} },
          sent_funds: [],
        });
      const broadcast = (a.tx as unknown as { broadcast(m: object[], o: object): Promise<TxResponse> }).broadcast;
      const two = failed(await broadcast([msg(), msg()], GAS));
      assert.equal(two.code, 40404, two.rawLog);
      assert.match(two.rawLog, /message index: 1: Cannot send messages after last tx marker was set/);
    });

    it("contract errors through callbacks and an unsupported CosmosMsg (TestExecCallbackContractError, TestCosmosMsgCustom)", async () => {
      const callback = failed(
        await execute(nop, v1.codeHash, { callback_contract_error: { contract_addr: nop, code_hash: v1.codeHash } }),
      );
      assert.match(callback.rawLog, /la la 🤯/);
      const custom = failed(await execute(nop, v1.codeHash, { cosmos_msg_custom: {} }));
      assert.match(custom.rawLog, /Custom variant not supported: invalid CosmosMsg from the contract/);
    });

    it("instantiates another contract from a contract (ExecuteMsg::CallToInit)", async () => {
      const tx = ok(
        await execute(nop, v1.codeHash, {
          call_to_init: {
            code_id: Number(v1.codeId),
            code_hash: v1.codeHash,
            label: `from-contract-${++label}`,
            msg: JSON.stringify({ nop: {} }),
          },
        }),
      );
      const addresses = (tx.arrayLog ?? []).filter((e) => e.type === "instantiate" && e.key === "contract_address");
      assert.equal(addresses.length, 1, JSON.stringify(tx.arrayLog));
      const child = addresses[0]!.value;
      assert.notEqual(child, nop);
      const info = await a.query.compute.contractInfo({ contract_address: child });
      assert.equal(info.contract_info?.code_id, v1.codeId);
      assert.ok(attrs(tx, "wasm").includes("init=🌈"), JSON.stringify(tx.arrayLog));
      assert.ok(attrs(tx, "wasm").includes("a=a"), JSON.stringify(tx.arrayLog));
    });

    it("deposits to and sends funds from a contract (TestContractSendFunds)", async () => {
      const deposit = ok(
        await execute(nop, v1.codeHash, { deposit_to_contract: {} }, { funds: [{ denom: "uscrt", amount: "17" }] }),
      );
      assert.deepEqual(JSON.parse(utf8(execData(deposit))), [{ denom: "uscrt", amount: "17" }]);
      assert.equal(await balance(nop), 17n);
      const before = await balance(b.address);
      ok(
        await execute(nop, v1.codeHash, {
          send_funds: { from: nop, to: b.address, denom: "uscrt", amount: 17 },
        }),
      );
      assert.equal(await balance(nop), 0n);
      assert.equal((await balance(b.address)) - before, 17n);
    });

    it("bank_msg_send from a contract, and its insufficient-funds error (TestBankMsgSend)", async () => {
      const init = ok(await instantiate(v1, { nop: {} }, { funds: [{ denom: "uscrt", amount: "2" }] }));
      const contract = logValue(init, "message", "contract_address");
      const before = await balance(b.address);
      const tooMuch = failed(
        await execute(contract, v1.codeHash, {
          bank_msg_send: { to: b.address, amount: [{ amount: "3", denom: "uscrt" }] },
        }),
      );
      // upstream's test prints `encrypted: ` + the keeper's error (GenericErr.Error()); the chain's text:
      const prefix = "failed to execute message; message index: 0: dispatch: submessages: ";
      assert.equal(tooMuch.rawLog, `${prefix}spendable balance 2uscrt is smaller than 3uscrt: insufficient funds`);
      assert.equal(await balance(b.address), before);
      const zero = failed(
        await execute(contract, v1.codeHash, {
          bank_msg_send: { to: b.address, amount: [{ amount: "0", denom: "uscrt" }] },
        }),
      );
      assert.equal(zero.rawLog, `${prefix}0uscrt: invalid coins`);
      const none = ok(await execute(contract, v1.codeHash, { bank_msg_send: { to: b.address, amount: [] } }));
      assert.ok(!attrs(none, "transfer").length, JSON.stringify(none.arrayLog));
      ok(
        await execute(contract, v1.codeHash, {
          bank_msg_send: { to: b.address, amount: [{ amount: "2", denom: "uscrt" }] },
        }),
      );
      assert.equal((await balance(b.address)) - before, 2n);
      assert.equal(await balance(contract), 0n);
    });

    it("a wasm sub-message whose funds fail, with a reply (TestV1SendsFundsWithErrorWithReply)", async () => {
      const tx = failed(await execute(nop, v1.codeHash, { send_funds_with_error_with_reply: {} }));
      assert.match(tx.rawLog, /an sdk error occurred while sending a sub-message/);
    });

    describe("with the v0.10 test contract (contract.wasm)", () => {
      let v010: { codeId: string; codeHash: string };
      let old: string;

      it("stores contract.wasm and inits it with a log (TestInitLogs v0.10)", async () => {
        v010 = await store("contract.wasm");
        const tx = ok(await instantiate(v010, { nop: {} }));
        old = logValue(tx, "message", "contract_address");
        assert.deepEqual(attrs(tx, "wasm"), [`contract_address=${old}`, "init=🌈"]);
      });

      it("v0.10 state, a → b → c and errors (TestState, TestCallbackSanity, TestExecContractError)", async () => {
        ok(await execute(old, v010.codeHash, { set_state: { key: "banana", value: "🍌" } }));
        const got = ok(await execute(old, v010.codeHash, { get_state: { key: "banana" } }));
        assert.equal(utf8(execData(got)), "🍌");
        const abc = ok(
          await execute(old, v010.codeHash, { a: { contract_addr: old, code_hash: v010.codeHash, x: 2, y: 3 } }),
        );
        assert.deepEqual(attrs(abc, "wasm"), [`contract_address=${old}`, "banana=🍌", "kiwi=🥝", "watermelon=🍉"]);
        assert.deepEqual([...execData(abc)], [2, 3]);
        const err = failed(await execute(old, v010.codeHash, { contract_error: { error_type: "generic_err" } }));
        assert.match(err.rawLog, /la la 🤯/);
        // v0.10 errors keep their StdError variant (upstream: err.Underflow.Minuend == "minuend 🤯")
        const underflow = failed(await execute(old, v010.codeHash, { contract_error: { error_type: "underflow" } }));
        assert.ok(
          underflow.rawLog.includes('{"underflow":{"minuend":"minuend 🤯","subtrahend":"subtrahend 🤯"}}'),
          underflow.rawLog,
        );
      });

      it("v1 instantiates, executes and queries a v0.10 contract (init_v10, exec_v10, query_v10)", async () => {
        // TestV1InitV010ContractWithReplyWithError: the v0.10 init's error goes to the v1 caller's reply
        ok(
          await execute(nop, v1.codeHash, {
            init_v10_with_error: { code_id: Number(v010.codeId), code_hash: v010.codeHash },
          }),
        );
        const init = ok(
          await execute(nop, v1.codeHash, {
            init_v10: { counter: 80, code_id: Number(v010.codeId), code_hash: v010.codeHash },
          }),
        );
        // a v0.10 instantiate emits no `instantiate` event (upstream keeper: v1 only); its `wasm` does
        const created = (init.arrayLog ?? []).find(
          (e) => e.type === "wasm" && e.key === "contract_address" && e.value !== nop,
        );
        assert.ok(created, JSON.stringify(init.arrayLog));
        assert.ok(!(init.arrayLog ?? []).some((e) => e.type === "instantiate"), JSON.stringify(init.arrayLog));
        const v10 = created.value;
        // TestV1InitV010ContractWithReply: the reply sets the new address as the data
        assert.equal(utf8(execData(init)), v10);
        assert.equal(
          (await a.query.compute.contractInfo({ contract_address: v10 })).contract_info?.code_id,
          v010.codeId,
        );
        ok(await execute(nop, v1.codeHash, { exec_v10: { address: v10, code_hash: v010.codeHash } }));
        const q = ok(await execute(nop, v1.codeHash, { query_v10: { address: v10, code_hash: v010.codeHash } }));
        // init_from_v1 stores 80, execute_from_v1 sets 20
        assert.deepEqual([...execData(q)], [0, 0, 0, 20]);
        // TestV1ExecuteV010ContractWithReplyWithError: the v0.10 error goes to the v1 caller's reply
        ok(await execute(nop, v1.codeHash, { exec_v10_with_error: { address: v10, code_hash: v010.codeHash } }));
        // init_v10_with_error uses init_v10's label "new2231231", now taken: an SDK error (compute 6)
        // that, for an encrypted wasm sub-message, fails the call instead of reaching the reply
        const taken = failed(
          await execute(nop, v1.codeHash, {
            init_v10_with_error: { code_id: Number(v010.codeId), code_hash: v010.codeHash },
          }),
        );
        assert.match(
          taken.rawLog,
          /an sdk error occurred while sending a sub-message: the error was redacted \(codespace: compute, code: 6\)/,
        );
      });
    });
  });

  describe("migrations (migrate_contract_v1 → migrate_contract_v2)", () => {
    let v1: { codeId: string; codeHash: string };
    let v2: { codeId: string; codeHash: string };
    let contract: string;

    it("migrates with the admin; keeps the storage; refuses others (TestContractAfterMigrate, TestWithStorageAfterMigrate, TestMigrateContractFromNonAdminAccount)", async () => {
      v1 = await store("migrate_contract_v1.wasm");
      v2 = await store("migrate_contract_v2.wasm");
      const init = ok(await instantiate(v1, { Nop: {} }, { admin: a.address }));
      contract = logValue(init, "message", "contract_address");
      const test = ok(await execute(contract, v1.codeHash, { test: {} }));
      assert.equal(execData(test).length, 0);

      const refused = await b.tx.compute.migrateContract(
        {
          sender: b.address,
          contract_address: contract,
          code_id: v2.codeId,
          code_hash: v2.codeHash,
          msg: { migrate: {} },
        },
        GAS,
      );
      failed(refused);
      assert.match(refused.rawLog, /requires migrate from admin: migrate contract failed/);

      const vmError = failed(
        await a.tx.compute.migrateContract(
          {
            sender: a.address,
            contract_address: contract,
            code_id: v2.codeId,
            code_hash: v2.codeHash,
            msg: { yolo: {} },
          },
          GAS,
        ),
      );
      assert.match(
        vmError.rawLog,
        /Error parsing into type migrate_contract_v2::msg::MigrateMsg: unknown variant `yolo`/,
      );

      const stdError = failed(
        await a.tx.compute.migrateContract(
          {
            sender: a.address,
            contract_address: contract,
            code_id: v2.codeId,
            code_hash: v2.codeHash,
            msg: { std_error: {} },
          },
          GAS,
        ),
      );
      assert.match(stdError.rawLog, /Generic error: this is an std error/);

      const migrated = ok(
        await a.tx.compute.migrateContract(
          {
            sender: a.address,
            contract_address: contract,
            code_id: v2.codeId,
            code_hash: v2.codeHash,
            msg: { migrate: {} },
          },
          GAS,
        ),
      );
      assert.equal(logValue(migrated, "migrate", "code_id"), v2.codeId);
      assert.equal(
        (await a.query.compute.contractInfo({ contract_address: contract })).contract_info?.code_id,
        v2.codeId,
      );
      ok(await execute(contract, v2.codeHash, { new_function: {} }));
      ok(await execute(contract, v2.codeHash, { new_function_with_storage: {} }));
      const count = await a.query.compute.queryContract({
        contract_address: contract,
        code_hash: v2.codeHash,
        query: { get_counter: {} },
      });
      // v1's instantiate wrote 1; new_function_with_storage added 1
      assert.equal(count, 2);
      const history = await a.query.compute.contractHistory({ contract_address: contract });
      assert.deepEqual(
        history.entries?.map((e) => e.operation),
        ["CONTRACT_CODE_HISTORY_OPERATION_TYPE_INIT", "CONTRACT_CODE_HISTORY_OPERATION_TYPE_MIGRATE"],
      );
    });

    it("v1-contract → v1-contract-v2 keeps the counter", async () => {
      const from = await store("v1-contract.wasm");
      const to = await store("v1-contract-v2.wasm");
      const init = ok(await instantiate(from, { counter: { counter: 10, expires: 100 } }, { admin: a.address }));
      const c = logValue(init, "message", "contract_address");
      ok(
        await a.tx.compute.migrateContract(
          { sender: a.address, contract_address: c, code_id: to.codeId, code_hash: to.codeHash, msg: { nop: {} } },
          GAS,
        ),
      );
      const answer = await a.query.compute.queryContract({
        contract_address: c,
        code_hash: to.codeHash,
        query: { get: {} },
      });
      assert.deepEqual(answer, { get: { count: 10 } });
    });
  });

  describe("store-time and init-time checks", () => {
    it("stores a gzipped code under the raw code's hash (TestCreateWithGzippedPayload)", async () => {
      const gz = await store("test_gzip_contract.wasm.gz");
      // raw bytes on the wire (secretjs would gzip them itself if it awaited its own gzip)
      const rawTx = ok(
        await a.tx.compute.storeCode(
          { sender: a.address, wasm_byte_code: read("test_gzip_contract_raw.wasm"), source: "", builder: "" },
          { gasLimit: 40_000_000, ...POLL },
        ),
      );
      const rawId = logValue(rawTx, "message", "code_id");
      const raw = { codeId: rawId, codeHash: (await a.query.compute.codeHashByCodeId({ code_id: rawId })).code_hash };
      assert.equal(gz.codeHash, raw.codeHash);
      assert.notEqual(gz.codeId, raw.codeId);
    });

    it("refuses 513 initial pages at store (TestWasmTooHighInitialMemoryStaticFail)", async () => {
      const tx = await a.tx.compute.storeCode(
        {
          sender: a.address,
          wasm_byte_code: readGzipped("static-too-high-initial-memory.wasm"),
          source: "",
          builder: "",
        },
        { gasLimit: 40_000_000, ...POLL },
      );
      failed(tx);
      assert.match(
        tx.rawLog,
        /Error during static Wasm validation: Wasm contract memory's minimum must not exceed 512 pages/,
      );
    });

    it("stores too-high-initial-memory.wasm but refuses to instantiate it (TestWasmTooHighInitialMemoryRuntimeFail)", async () => {
      const code = await store("too-high-initial-memory.wasm");
      const tx = failed(await instantiate(code, { nop: {} }));
      assert.match(tx.rawLog, /failed to initialize wasm memory/);
    });

    it("refuses floats at instantiate (TestWasmWithFloatingPoints)", async () => {
      const code = await store("contract_with_floats.wasm");
      const tx = failed(await instantiate(code, { nop: {} }));
      assert.match(tx.rawLog, /found floating point operation in module code/);
    });
  });

  describe("plaintext_logs.wasm", () => {
    it("emits encrypted and plaintext logs, all readable through secretjs", async () => {
      const code = await store("plaintext_logs.wasm");
      const init = ok(await instantiate(code, {}));
      const contract = logValue(init, "message", "contract_address");
      const tx = ok(await execute(contract, code.codeHash, {}));
      assert.deepEqual(attrs(tx, "wasm"), [
        `contract_address=${contract}`,
        "encrypted log=encrypted value",
        "ZW5jb2RlZCBsb2cK=ZW5jb2RlZCB2YWx1ZQo=",
        "plaintext log=plaintext value",
      ]);
    });
  });

  describe("evaporate.wasm (gas_evaporate and check_gas)", () => {
    let code: { codeId: string; codeHash: string };
    let contract: string;

    it("evaporates exactly the asked gas above the base (TestEvaporateGas)", async () => {
      code = await store("evaporate.wasm");
      contract = logValue(ok(await instantiate(code, { Nop: {} })), "message", "contract_address");
      // equal message lengths so the tx-size gas is equal: only the evaporated amount differs
      const used = async (amount: number) =>
        ok(await execute(contract, code.codeHash, { evaporate: { amount } }, { gasLimit: 2_000_000 })).gasUsed;
      const g1000 = await used(1000);
      const g2200 = await used(2200);
      const g100000 = await used(100000);
      const g400000 = await used(400000);
      assert.equal(g2200 - g1000, 1200);
      assert.equal(g400000 - g100000, 300000);
      const out = await execute(contract, code.codeHash, { evaporate: { amount: 500000 } }, { gasLimit: 400_000 });
      failed(out);
      assert.match(out.rawLog, /out of gas/);
    });

    it("check_gas reports the gas used so far (TestCheckGas)", async () => {
      const tx = ok(await execute(contract, code.codeHash, { check_gas: {} }));
      const reported = Number(logValue(tx, "wasm", "gas"));
      assert.ok(Number.isInteger(reported) && reported > 0 && reported < tx.gasUsed, `${reported} vs ${tx.gasUsed}`);
    });
  });

  describe("v1_random_test.wasm", () => {
    let code: { codeId: string; codeHash: string };
    let init: TxResponse;
    let contract: string;
    type Env = {
      block: { height: number; time: string; chain_id: string; random?: string };
      transaction?: { index: number; hash: string };
      contract: { address: string; code_hash: string };
    };

    it("gives the env upstream expects: height, time, chain id, tx hash, contract (TestRandomEnv)", async () => {
      code = await store("v1_random_test.wasm");
      init = ok(await instantiate(code, { get_env: {} }, { funds: [{ denom: "uscrt", amount: "1" }] }));
      contract = logValue(init, "message", "contract_address");
      const env = JSON.parse(logValue(init, "wasm", "env")) as Env;
      assert.deepEqual(Object.keys(env.block).slice(0, 3), ["height", "time", "chain_id"]);
      assert.equal(env.block.chain_id, "secretdev-1");
      assert.equal(env.block.height, init.height);
      assert.match(env.block.time, /^\d+$/);
      assert.equal(env.contract.address, contract);
      assert.equal(env.contract.code_hash, code.codeHash);
      assert.equal(env.transaction?.hash, init.transactionHash);
      const info = JSON.parse(logValue(init, "wasm", "info")) as { sender: string; funds: unknown };
      assert.deepEqual(info, { sender: a.address, funds: [{ denom: "uscrt", amount: "1" }] });
    });

    // The dev chain's proposer enclave puts an encrypted random in every header (crypto.md §9); the
    // enclave opens it inside each call of a contract that exports `requires_random`.
    it("gives env.block.random, 32 bytes, new for each call (TestRandomEnv)", async () => {
      const env = JSON.parse(logValue(init, "wasm", "env")) as Env;
      assert.equal(typeof env.block.random, "string", `no env.block.random: ${JSON.stringify(env)}`);
      assert.equal(Buffer.from(env.block.random ?? "", "base64").length, 32);
      const exec = ok(await execute(contract, code.codeHash, { get_env: {} }));
      const env2 = JSON.parse(logValue(exec, "wasm", "env")) as Env;
      assert.equal(Buffer.from(env2.block.random ?? "", "base64").length, 32);
      assert.notEqual(env2.block.random, env.block.random);
    });
  });
});
