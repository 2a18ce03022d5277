/**
 * Secret contracts through the LCD with the real secretjs client: a SecretApp whose compute module
 * runs on the real enclave worker (bootstrapped in a temp home), behind the LCD test backend. secretjs
 * fetches the tx key, encrypts, signs and broadcasts store/instantiate/execute, polls GetTx, decrypts
 * the contract's events, and runs an encrypted smart query (chain-api.md §7.9, §7.10, §4).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { startLcdServer, type LcdServer } from "../../src/api/lcd/index.ts";
import { computeEnclaveFromClient } from "../../src/app/compute/enclaveClient.ts";
import { type WorkerEnclave, createWorkerEnclave } from "../../src/enclave-api/workerEnclave.ts";
import { toBase64 } from "../../src/primitives/base64.ts";
import { storeCheck } from "../../src/vm/runtime/store.ts";
import { CHAIN_ID, genesisForAddresses, newApp } from "../helpers/appTx.ts";
import { MNEMONICS, Wallet } from "../helpers/secretjsTx.ts";
import { TestBackend } from "../unit/apiLcdBackend.ts";

const require = createRequire(import.meta.url);
const ROOT = join(import.meta.dirname, "..", "..");
const ENTRY = new URL("../../src/enclave/main.ts", import.meta.url);

interface LogEntry {
  readonly msg: number;
  readonly type: string;
  readonly key: string;
  readonly value: string;
}
interface TxResponse {
  readonly code: number;
  readonly height: number;
  readonly transactionHash: string;
  readonly rawLog: string;
  readonly arrayLog?: LogEntry[];
}
type TxFn = (params: object, options?: object) => Promise<TxResponse>;
interface Client {
  readonly tx: {
    readonly compute: { readonly storeCode: TxFn; readonly instantiateContract: TxFn; readonly executeContract: TxFn };
  };
  readonly query: {
    readonly compute: {
      codeHashByCodeId(req: object): Promise<{ code_hash?: string }>;
      queryContract(req: object): Promise<unknown>;
      contractInfo(req: object): Promise<{ contract_address?: string; contract_info?: Record<string, unknown> }>;
      contractHistory(req: object): Promise<{ entries?: Array<Record<string, unknown>> }>;
    };
    getTx(hash: string): Promise<TxResponse | null>;
  };
}
const { SecretNetworkClient } = require("secretjs") as {
  SecretNetworkClient: new (o: { url: string; chainId: string; wallet: unknown; walletAddress: string }) => Client;
};

const home = mkdtempSync(join(tmpdir(), "scrt-lcd-compute-"));
const walletA = new Wallet(MNEMONICS.a);
const walletB = new Wallet(MNEMONICS.b);
const gas = { gasLimit: 5_000_000, broadcastCheckIntervalMs: 20 };

let enclave: WorkerEnclave;
let server: LcdServer;
let backend: TestBackend;
let url: string;

function logValue(tx: TxResponse, type: string, key: string): string {
  const entry = tx.arrayLog?.find((l) => l.type === type && l.key === key);
  assert.ok(entry, `no ${type}.${key} in ${JSON.stringify(tx.arrayLog)} (raw log: ${tx.rawLog})`);
  return entry.value;
}

function ok(tx: TxResponse): TxResponse {
  assert.equal(tx.code, 0, tx.rawLog);
  return tx;
}

before(async () => {
  const build = spawnSync(process.execPath, ["scripts/build-contracts.mjs"], { encoding: "utf8" });
  assert.equal(build.status, 0, build.stderr);
  enclave = await createWorkerEnclave({ entry: ENTRY, home });
  const keys = enclave.call("bootstrap", {});
  const app = newApp(undefined, {
    enclave: computeEnclaveFromClient(enclave, (submitted, maxContractSize) => {
      const checked = storeCheck(submitted, { maxContractSize });
      return { code: checked.code, codeHash: checked.codeHash };
    }),
  });
  const accounts = [walletA.address, walletB.address];
  app.initChain(
    genesisForAddresses(
      accounts.map((address) => ({ address, coins: [{ denom: "uscrt", amount: "1000000000000" }] })),
      { register: { node_exch_key: toBase64(keys.nodeExchKey), io_exch_key: toBase64(keys.ioExchKey) } },
    ),
  );
  backend = new TestBackend(app, CHAIN_ID);
  backend.produceBlock([]);
  server = await startLcdServer({ backend, port: 0 });
  url = `http://127.0.0.1:${server.port}`;
});

after(async () => {
  await server?.close();
  await enclave?.close();
  rmSync(home, { recursive: true, force: true });
});

describe("secret contracts through the LCD", () => {
  it("stores, instantiates, executes and queries with encrypted inputs and outputs", async () => {
    const a = new SecretNetworkClient({ url, chainId: CHAIN_ID, wallet: walletA, walletAddress: walletA.address });
    const b = new SecretNetworkClient({ url, chainId: CHAIN_ID, wallet: walletB, walletAddress: walletB.address });
    const wasm = readFileSync(join(ROOT, "contracts", "build", "counter.wasm"));
    const stored = ok(
      await a.tx.compute.storeCode({ sender: walletA.address, wasm_byte_code: wasm, source: "", builder: "" }, gas),
    );
    const codeId = logValue(stored, "message", "code_id");
    const codeHash = (await a.query.compute.codeHashByCodeId({ code_id: codeId })).code_hash ?? "";
    assert.match(codeHash, /^[0-9a-f]{64}$/);

    const init = ok(
      await a.tx.compute.instantiateContract(
        {
          sender: walletA.address,
          code_id: codeId,
          code_hash: codeHash,
          init_msg: { count: 7 },
          label: "lcd-counter",
          admin: "",
        },
        gas,
      ),
    );
    const contract = logValue(init, "message", "contract_address");
    assert.equal(logValue(init, "wasm", "action"), "instantiate");

    const exec = ok(
      await b.tx.compute.executeContract(
        { sender: walletB.address, contract_address: contract, code_hash: codeHash, msg: { increment: {} } },
        gas,
      ),
    );
    assert.equal(logValue(exec, "wasm", "count"), "8");
    const back = await b.query.getTx(exec.transactionHash);
    assert.equal(back && logValue(back, "wasm", "action"), "increment");

    assert.deepEqual(
      await a.query.compute.queryContract({
        contract_address: contract,
        code_hash: codeHash,
        query: { get_count: {} },
      }),
      { count: 8 },
    );

    // A contract error comes back encrypted in the gateway's message; secretjs decrypts it and returns it.
    const failed = await a.query.compute.queryContract({
      contract_address: contract,
      code_hash: codeHash,
      query: { no_such_query: {} },
    });
    assert.equal(typeof failed, "string");
    assert.doesNotMatch(failed as string, /encrypted:|contract failed/);
    assert.ok((failed as string).length > 0);

    const info = await a.query.compute.contractInfo({ contract_address: contract });
    assert.equal(info.contract_address, contract);
    assert.equal(info.contract_info?.creator, walletA.address);
    assert.equal(info.contract_info?.label, "lcd-counter");
    assert.equal(info.contract_info?.code_id, codeId);
    const history = await a.query.compute.contractHistory({ contract_address: contract });
    assert.equal(history.entries?.[0]?.operation, "CONTRACT_CODE_HISTORY_OPERATION_TYPE_INIT");
    assert.deepEqual(JSON.parse(String(history.entries?.[0]?.msg)), { count: 7 });

    // The execute as the gateway renders it inside tx_response.tx: bech32 addresses, null callback_sig.
    const raw = (await (await fetch(`${url}/cosmos/tx/v1beta1/txs/${exec.transactionHash}`)).json()) as {
      tx_response: { tx: { "@type": string; body: { messages: Array<Record<string, unknown>> } } };
    };
    const m = raw.tx_response.tx.body.messages[0]!;
    assert.deepEqual(Object.keys(m), [
      "@type",
      "sender",
      "contract",
      "msg",
      "callback_code_hash",
      "sent_funds",
      "callback_sig",
    ]);
    assert.equal(m.sender, walletB.address);
    assert.equal(m.contract, contract);
    assert.equal(m.callback_sig, null);
    // …and complete: the LCD encodes that JSON back to exactly the bytes secretjs signed.
    const encoded = (await (
      await fetch(`${url}/cosmos/tx/v1beta1/encode`, {
        method: "POST",
        body: JSON.stringify({ tx: (({ "@type": _t, ...rest }) => rest)(raw.tx_response.tx) }),
      })
    ).json()) as { tx_bytes: string };
    const bytes = Buffer.from(encoded.tx_bytes, "base64");
    assert.equal(createHash("sha256").update(bytes).digest("hex").toUpperCase(), exec.transactionHash);
  });

  it("answers a failing smart query with the gRPC route's error text that secretjs decrypts", async () => {
    const r = await fetch(`${url}/compute/v1beta1/query/${walletA.address}?query=AAAA`);
    const body = (await r.json()) as { code: number; message: string; details: unknown[] };
    assert.equal(r.status, 500);
    assert.equal(body.code, 2);
    assert.match(body.message, /^codespace compute code \d+: /);
    assert.deepEqual(body.details, []);
  });
});
