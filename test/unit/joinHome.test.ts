/**
 * The joining node's side without a running chain (src/node/join.ts, `scrt init --genesis`,
 * `scrt register`): genesis checks, refusals before anything is written, the CLI's usage errors
 * (exit 2) and coded errors (exit 1), and the RPC half of `registerOnChain` / `sendRaAuthenticate`
 * against a scripted JSON-RPC server on 127.0.0.1 (chain mismatch, unknown account, CheckTx refusal,
 * failed tx with the chain's log, the encrypted-seed query); with a real enclave worker, a seed
 * already on chain is used without a tx and a seed the enclave cannot open is refused.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { createPolicy, policyToJson } from "../../src/attestation/index.ts";
import { run as init } from "../../src/cli/commands/init.ts";
import { run as keys } from "../../src/cli/commands/keys.ts";
import { run as register } from "../../src/cli/commands/register.ts";
import { RpcClient } from "../../src/client/rpc.ts";
import { encodeBaseAccount, encodeQueryAccountResponse, BASE_ACCOUNT_URL } from "../../src/codec/auth.ts";
import { decodeTxRaw, decodeTxBody } from "../../src/codec/tx.ts";
import { decodeMsgRaAuthenticate, encodeQueryEncryptedSeedResponse } from "../../src/codec/registration.ts";
import { ed25519PublicKey, randomBytes } from "../../src/crypto/index.ts";
import { homePaths, privKeyJson } from "../../src/node/home.ts";
import {
  accountOf,
  initJoinHome,
  loadNetworkGenesis,
  queryEncryptedSeed,
  registerOnChain,
  sendRaAuthenticate,
} from "../../src/node/join.ts";
import { fromBase64, toBase64 } from "../../src/primitives/base64.ts";
import { isCodedError } from "../../src/primitives/errors.ts";
import { scrtRunner } from "../helpers/cli.ts";
import { MNEMONIC_A } from "../helpers/cli.ts";

const root = mkdtempSync(join(tmpdir(), "scrt-join-unit-"));
after(() => rmSync(root, { recursive: true, force: true }));

const authoritySeed = randomBytes(32);
const nodeExchKey = randomBytes(32);
const ioExchKey = randomBytes(32);
const policy = createPolicy({
  allowedMeasurements: [{ measurement: randomBytes(32), label: "build" }],
  authorities: [{ teeType: 1, publicKey: ed25519PublicKey(authoritySeed), label: "dev authority" }],
});

function genesisDoc(register: unknown = undefined): Record<string, unknown> {
  return {
    genesis_time: "2026-01-01T00:00:00Z",
    chain_id: "join-test-1",
    initial_height: "1",
    app_state: {
      register: register ?? {
        node_exch_key: toBase64(nodeExchKey),
        io_exch_key: toBase64(ioExchKey),
        params: { attestation_policy: policyToJson(policy) },
      },
    },
  };
}

let n = 0;
function file(content: string | object): string {
  const path = join(root, `f${n++}.json`);
  writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content));
  return path;
}

async function rejectsWith(p: Promise<unknown>, code: string, message?: RegExp): Promise<unknown> {
  const e = await p.then(
    () => assert.fail(`expected ${code}`),
    (err: unknown) => err,
  );
  assert.ok(isCodedError(e, code), `expected ${code}, got ${String(e)} ${(e as { code?: string }).code ?? ""}`);
  if (message !== undefined) assert.match((e as Error).message, message);
  return e;
}

describe("loadNetworkGenesis", () => {
  it("reads chain id, keys and policy, and keeps the bytes", () => {
    const text = JSON.stringify(genesisDoc(), null, 3);
    const g = loadNetworkGenesis(file(text));
    assert.equal(g.chainId, "join-test-1");
    assert.deepEqual(g.nodeExchKey, nodeExchKey);
    assert.deepEqual(g.ioExchKey, ioExchKey);
    assert.equal(g.policy.authorities.length, 1);
    assert.equal(Buffer.from(g.bytes).toString("utf8"), text);
  });

  it("refuses what no node could join with JOIN_GENESIS_INVALID", () => {
    const cases: [string, string | object][] = [
      ["missing", ""],
      ["not JSON", "{"],
      ["no chain id", { genesis_time: "2026-01-01T00:00:00Z" }],
      ["no register", { ...genesisDoc(), app_state: {} }],
      [
        "short key",
        genesisDoc({
          node_exch_key: toBase64(randomBytes(31)),
          io_exch_key: toBase64(ioExchKey),
          params: { attestation_policy: policyToJson(policy) },
        }),
      ],
      ["no policy", genesisDoc({ node_exch_key: toBase64(nodeExchKey), io_exch_key: toBase64(ioExchKey) })],
      [
        "bad policy",
        genesisDoc({
          node_exch_key: toBase64(nodeExchKey),
          io_exch_key: toBase64(ioExchKey),
          params: { attestation_policy: { authorities: "x" } },
        }),
      ],
    ];
    for (const [what, content] of cases) {
      const path = what === "missing" ? join(root, "does-not-exist.json") : file(content);
      assert.throws(
        () => loadNetworkGenesis(path),
        (e: unknown) => isCodedError(e, "JOIN_GENESIS_INVALID"),
        what,
      );
    }
  });
});

describe("initJoinHome refusals", () => {
  it("writes nothing for a bad genesis or authority key, and never overwrites a home", async () => {
    const home = join(root, "bad-home");
    await rejectsWith(initJoinHome({ home, genesisFile: file("{") }), "JOIN_GENESIS_INVALID");
    await rejectsWith(
      initJoinHome({ home, genesisFile: file(genesisDoc()), authorityKeyFile: join(root, "nope.json") }),
      "JOIN_AUTHORITY_KEY",
    );
    await rejectsWith(
      initJoinHome({
        home,
        genesisFile: file(genesisDoc()),
        authorityKeyFile: file({ priv_key: { type: "x", value: "" } }),
      }),
      "JOIN_AUTHORITY_KEY",
    );
    assert.equal(existsSync(home), false);
    const existing = join(root, "existing");
    mkdirSync(join(existing, "config"), { recursive: true });
    writeFileSync(homePaths(existing).genesis, "{}");
    await rejectsWith(initJoinHome({ home: existing, genesisFile: file(genesisDoc()) }), "NODE_HOME_EXISTS");
  });
});

describe("scrt init --genesis and scrt register: usage and coded errors", () => {
  const scrt = scrtRunner(() => ({}));

  it("init: usage errors exit 2, a bad genesis exits 1 with its code", async () => {
    const g = file(genesisDoc());
    const home = join(root, "cli-home");
    for (const args of [
      ["--home", home, "--genesis", g, "--dev-accounts"],
      ["--home", home, "--genesis", g, "--chain-id", "x"],
      ["--home", home, "--authority-key", g],
      ["--home", home, "--persistent-peers", "a@b:1"],
      ["--home", home, "--genesis"],
      ["--home", home, "extra"],
    ]) {
      const r = await scrt(init, args);
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.err}`);
      assert.match(r.err, /Usage: scrt init/);
    }
    const bad = await scrt(init, ["--home", home, "--genesis", file("[]")]);
    assert.equal(bad.code, 1, bad.err);
    assert.match(bad.err, /JOIN_GENESIS_INVALID/);
    assert.equal(existsSync(home), false);
  });

  it("register: usage errors exit 2, a missing key or home exits 1 with its code", async () => {
    const keyringDir = join(root, "keyring");
    for (const args of [
      ["--home", root],
      ["--home", root, "--from", "a", "--gas", "0"],
      ["--home", root, "--from", "a", "--gas", "x"],
      ["--home", root, "--from", "a", "--fees", "12atom"],
      ["--home", root, "--from", "a", "--fees", "1uscrt", "--gas-prices", "0.1uscrt"],
      ["--home", root, "--from", "a", "--bogus"],
      ["--home", root, "--from", "a", "positional"],
      ["--home", root, "--from", "a", "--chain-id", "join-test-1"],
    ]) {
      const r = await scrt(register, [...args, "--keyring-dir", keyringDir]);
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.err}`);
    }
    const noHome = await scrt(register, [
      "--home",
      join(root, "no-home"),
      "--from",
      "a",
      "--keyring-dir",
      keyringDir,
      "--output",
      "json",
    ]);
    assert.equal(noHome.code, 1, noHome.err);
    assert.equal((JSON.parse(noHome.err) as { error: { code: string } }).error.code, "NODE_HOME_MISSING");
    const keyHome = join(root, "key-home");
    mkdirSync(join(keyHome, "config"), { recursive: true });
    writeFileSync(homePaths(keyHome).genesis, JSON.stringify(genesisDoc()));
    const noKey = await scrt(register, [
      "--home",
      keyHome,
      "--from",
      "a",
      "--keyring-dir",
      keyringDir,
      "--output",
      "json",
    ]);
    assert.equal(noKey.code, 1);
    assert.equal((JSON.parse(noKey.err) as { error: { code: string } }).error.code, "CLIENT_KEY_NOT_FOUND");
    writeFileSync(join(root, "mnemonic-a"), MNEMONIC_A);
    const added = await scrt(keys, [
      "add",
      "a",
      "--recover",
      "--mnemonic-file",
      join(root, "mnemonic-a"),
      "--keyring-backend",
      "test",
      "--keyring-dir",
      keyringDir,
    ]);
    assert.equal(added.code, 0, added.err);
    // With the key: the home has no authority key yet; with one, the registration meets no node.
    const withKey = [
      "--home",
      keyHome,
      "--from",
      "a",
      "--keyring-dir",
      keyringDir,
      "--node",
      "http://127.0.0.1:1",
      "--output",
      "json",
    ];
    const noAuthority = await scrt(register, withKey);
    assert.equal(noAuthority.code, 1, noAuthority.err);
    assert.equal((JSON.parse(noAuthority.err) as { error: { code: string } }).error.code, "JOIN_AUTHORITY_KEY");
    writeFileSync(homePaths(keyHome).devAuthorityKey, JSON.stringify({ priv_key: privKeyJson(authoritySeed) }));
    const noNode = await scrt(register, withKey);
    assert.equal(noNode.code, 1, noNode.err);
    assert.equal((JSON.parse(noNode.err) as { error: { code: string } }).error.code, "CLIENT_UNREACHABLE");
    const help = await scrt(register, ["--help"]);
    assert.equal(help.code, 0);
    assert.match(help.out, /Usage: scrt register/);
  });
});

// ---------------------------------------------------------------------------------------------------
// A scripted JSON-RPC server

type Handler = (params: Record<string, unknown>) => unknown;

describe("the RPC half of registration", () => {
  let server: Server;
  let url = "";
  const handlers = new Map<string, Handler>();
  const sent: Uint8Array[] = [];

  before(async () => {
    server = createServer((req, res) => {
      let body = "";
      req.on("data", (d: Buffer) => (body += d.toString()));
      req.on("end", () => {
        const call = JSON.parse(body) as { id: number; method: string; params: Record<string, unknown> };
        const h = handlers.get(call.method);
        let answer: unknown;
        try {
          answer =
            h === undefined ? { error: { code: -32601, message: "Method not found" } } : { result: h(call.params) };
        } catch (e) {
          answer = { error: { code: -32603, message: "Internal error", data: (e as Error).message } };
        }
        res.setHeader("content-type", "application/json");
        res.end(JSON.stringify({ jsonrpc: "2.0", id: call.id, ...(answer as object) }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const a = server.address();
    url = `http://127.0.0.1:${typeof a === "object" && a !== null ? a.port : 0}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const signer = { privateKey: randomBytes(32) };
  const accountAnswer = (): unknown => ({
    response: {
      value: toBase64(
        encodeQueryAccountResponse({
          typeUrl: BASE_ACCOUNT_URL,
          value: encodeBaseAccount({
            address: accountOf(signer.privateKey),
            pubKey: undefined,
            accountNumber: 7n,
            sequence: 3n,
          }),
        }),
      ),
    },
  });
  const tx = (): Parameters<typeof sendRaAuthenticate>[1] => ({
    chainId: "join-test-1",
    signer,
    certificate: Uint8Array.of(1, 2, 3),
    gas: 200_000n,
    fee: { denom: "uscrt", amount: 20_000n },
    waitTimeoutMs: 2000,
    pollMs: 20,
  });

  it("registerOnChain refuses a node of another chain before touching the enclave", async () => {
    const home = join(root, "rpc-home");
    mkdirSync(join(home, "config"), { recursive: true });
    writeFileSync(homePaths(home).genesis, JSON.stringify(genesisDoc()));
    writeFileSync(homePaths(home).devAuthorityKey, JSON.stringify({ priv_key: privKeyJson(authoritySeed) }));
    handlers.set("status", () => ({ node_info: { network: "other-chain" } }));
    await rejectsWith(registerOnChain({ home, node: url, signer }), "JOIN_CHAIN_MISMATCH", /other-chain/);
    await rejectsWith(
      registerOnChain({ home, node: url, signer, authorityKeyFile: join(root, "none.json") }),
      "JOIN_AUTHORITY_KEY",
    );
    await rejectsWith(registerOnChain({ home, node: "http://127.0.0.1:1", signer }), "CLIENT_UNREACHABLE");
  });

  it("an unknown account, a CheckTx refusal and a failed tx are coded, with the chain's log", async () => {
    handlers.set("abci_query", () => ({ response: { code: 22, codespace: "sdk", log: "account not found" } }));
    await rejectsWith(sendRaAuthenticate(new RpcClient(url), tx()), "JOIN_ACCOUNT_NOT_FOUND", /fund it/);

    handlers.set("abci_query", accountAnswer);
    handlers.set("broadcast_tx_sync", (p) => {
      sent.push(fromBase64(String(p.tx)));
      return { code: 13, codespace: "sdk", log: "insufficient fee", hash: "AB" };
    });
    const rejected = await rejectsWith(
      sendRaAuthenticate(new RpcClient(url), tx()),
      "JOIN_TX_REJECTED",
      /insufficient fee/,
    );
    assert.equal((rejected as { details: { code: number } }).details.code, 13);
    // What was signed: one RaAuthenticate from the signer's address with the certificate.
    const body = decodeTxBody(decodeTxRaw(sent[0]!).bodyBytes);
    assert.equal(body.messages.length, 1);
    assert.equal(body.messages[0]!.typeUrl, "/secret.registration.v1beta1.RaAuthenticate");
    assert.deepEqual(decodeMsgRaAuthenticate(body.messages[0]!.value).certificate, Uint8Array.of(1, 2, 3));

    handlers.set("broadcast_tx_sync", () => ({ code: 0, log: "", hash: "AB" }));
    let polls = 0;
    handlers.set("tx", () => {
      if (polls++ < 2) throw new Error("tx not found");
      return {
        height: "9",
        tx_result: { code: 2, codespace: "register", log: "ATTEST_UNKNOWN_AUTHORITY: x: Failed to authenticate node" },
      };
    });
    const failed = await rejectsWith(
      sendRaAuthenticate(new RpcClient(url), tx()),
      "JOIN_TX_FAILED",
      /ATTEST_UNKNOWN_AUTHORITY/,
    );
    assert.deepEqual(
      { ...(failed as { details: Record<string, unknown> }).details, hash: "" },
      {
        code: 2,
        codespace: "register",
        log: "ATTEST_UNKNOWN_AUTHORITY: x: Failed to authenticate node",
        hash: "",
        height: 9,
      },
    );
    assert.ok(polls >= 3);

    handlers.set("tx", () => {
      throw new Error("tx not found");
    });
    await rejectsWith(sendRaAuthenticate(new RpcClient(url), { ...tx(), waitTimeoutMs: 100 }), "JOIN_TIMEOUT");

    handlers.set("tx", () => ({
      height: "10",
      tx_result: { events: [{ type: "message", attributes: [{ key: "module", value: "register" }] }] },
    }));
    const ok = await sendRaAuthenticate(new RpcClient(url), tx());
    assert.equal(ok.height, 10);
    assert.deepEqual(ok.events, [{ type: "message", attributes: [{ key: "module", value: "register" }] }]);
  });

  it("queryEncryptedSeed: the stored bytes, or undefined while not registered", async () => {
    const seed = randomBytes(48);
    handlers.set("abci_query", (p) => {
      assert.equal(p.path, "/secret.registration.v1beta1.Query/EncryptedSeed");
      return { response: { value: toBase64(encodeQueryEncryptedSeedResponse(seed)) } };
    });
    assert.deepEqual(await queryEncryptedSeed(new RpcClient(url), randomBytes(32)), seed);
    handlers.set("abci_query", () => ({ response: { code: 9, log: "Node has not been authenticated yet" } }));
    assert.equal(await queryEncryptedSeed(new RpcClient(url), randomBytes(32)), undefined);
  });

  it("a seed already on chain is used without a tx; one the enclave cannot open is JOIN_SEEDS_REFUSED", async () => {
    // A home under a policy that does not know this enclave build, then one that does.
    const first = await initJoinHome({ home: join(root, "enclave-a"), genesisFile: file(genesisDoc()) });
    assert.equal(first.measurementAllowed, false);
    const allowing = createPolicy({
      allowedMeasurements: [{ measurement: first.measurement, label: "this build" }],
      authorities: [{ teeType: 1, publicKey: ed25519PublicKey(authoritySeed), label: "dev authority" }],
    });
    const authorityFile = file({ priv_key: privKeyJson(authoritySeed) });
    const home = join(root, "enclave-b");
    const joined = await initJoinHome({
      home,
      authorityKeyFile: authorityFile,
      genesisFile: file(
        genesisDoc({
          node_exch_key: toBase64(nodeExchKey),
          io_exch_key: toBase64(ioExchKey),
          params: { attestation_policy: policyToJson(allowing) },
        }),
      ),
    });
    assert.equal(joined.measurementAllowed, true);

    let broadcasts = 0;
    handlers.set("status", () => ({ node_info: { network: "join-test-1" } }));
    handlers.set("broadcast_tx_sync", () => {
      broadcasts++;
      return { code: 13, log: "not expected" };
    });
    const asked: string[] = [];
    let seedAnswer = randomBytes(48);
    handlers.set("abci_query", (p) => {
      asked.push(String(p.path));
      return { response: { value: toBase64(encodeQueryEncryptedSeedResponse(seedAnswer)) } };
    });
    await rejectsWith(registerOnChain({ home, node: url, signer }), "JOIN_SEEDS_REFUSED", /DECRYPTION|decrypt/i);
    assert.equal(broadcasts, 0);
    assert.deepEqual(asked, ["/secret.registration.v1beta1.Query/EncryptedSeed"]);
    seedAnswer = randomBytes(47);
    await rejectsWith(registerOnChain({ home, node: url, signer }), "JOIN_SEED_NOT_FOUND", /47 bytes/);
    assert.equal(broadcasts, 0);
  });
});
