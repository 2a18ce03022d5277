/**
 * The example contracts and the hostile fixtures end to end through the enclave's contract engine,
 * in process. Inputs are encrypted as secretjs does and user transactions are signed by the real
 * secretjs wallet. The host double below keeps every contract's encrypted state in one map and also
 * plays the compute module's dispatcher: it decodes the wasm sub-messages of `messagesJson`, runs
 * the callee through the engine with the callback signature, and calls the caller's `reply` with the
 * callee's internal reply fields, discarding a failed sub-message's writes (contract-abi.md §8.1).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { before, describe, it } from "node:test";
import {
  COMPUTE_URLS,
  encodeMsgExecuteContract,
  encodeMsgInstantiateContract,
  encodeMsgMigrateContract,
} from "../../src/codec/compute.ts";
import type { Any } from "../../src/codec/tx.ts";
import { SECRET_HKDF_SALT, hkdfSha256, sha256 } from "../../src/crypto/index.ts";
import { type EnvContractKey, contractAddress } from "../../src/enclave/contractKey.ts";
import {
  type CallFailure,
  type CallSuccess,
  type ContractHost,
  ContractEngine,
  type QuerySuccess,
  type ReplyCall,
} from "../../src/enclave/contracts.ts";
import { clientDecrypt, clientPublicKey, clientTxKey, encryptInputEnvelope } from "../../src/enclave/io.ts";
import { KeyChain } from "../../src/enclave/keys.ts";
import { encryptData, replyInfoForOutput } from "../../src/enclave/outputs.ts";
import type { StateWriteOp } from "../../src/enclave/state.ts";
import type { SigInfo } from "../../src/enclave/txVerify.ts";
import { fromBase64, toBase64 } from "../../src/primitives/base64.ts";
import { decodeAddress, encodeAddress } from "../../src/primitives/bech32.ts";
import { concatBytes, utf8Decode, utf8Encode } from "../../src/primitives/bytes.ts";
import { toHex } from "../../src/primitives/hex.ts";
import { createVm } from "../../src/vm/index.ts";
import { MNEMONICS, Wallet, signDirect } from "../helpers/secretjsTx.ts";

const keys = KeyChain.fromSeeds([new Uint8Array(32).fill(0x11), new Uint8Array(32).fill(0x22)]);
const ioPk = keys.publicKeys().ioExchKey;
const GAS = 5_000_000_000n;
const CHAIN_ID = "secretdev-1";

const CODE_NAMES = [
  "counter",
  "token",
  "caller",
  "random",
  "counter-v010",
  "floats",
  "start",
  "memory193",
  "endless-loop",
  "recursion",
  "memory-bomb",
  "huge-alloc",
] as const;
type CodeName = (typeof CODE_NAMES)[number];
const codes = new Map<CodeName, { code: Uint8Array; hash: string; id: bigint }>();

before(() => {
  const build = spawnSync(process.execPath, ["scripts/build-contracts.mjs"], { encoding: "utf8" });
  assert.equal(build.status, 0, build.stderr);
  CODE_NAMES.forEach((name, i) => {
    const code = new Uint8Array(readFileSync(`contracts/build/${name}.wasm`));
    codes.set(name, { code, hash: toHex(sha256(code)), id: BigInt(i + 1) });
  });
});

const codeOf = (name: CodeName) => codes.get(name)!;

// ---------------------------------------------------------------------------------------------------
// Users: a secretjs wallet and the client encryption key secretjs would use

interface User {
  readonly wallet: InstanceType<typeof Wallet>;
  readonly address: string;
  readonly canonical: Uint8Array;
  readonly clientSk: Uint8Array;
}

function user(mnemonic: string, keyByte: number): User {
  const wallet = new Wallet(mnemonic);
  return {
    wallet,
    address: wallet.address,
    canonical: decodeAddress(wallet.address),
    clientSk: new Uint8Array(32).fill(keyByte),
  };
}

const decryptText = (u: User, nonce: Uint8Array, ciphertext: Uint8Array) =>
  utf8Decode(clientDecrypt(ioPk, u.clientSk, nonce, ciphertext));

/** The contract's `data` as the sender reads it: SIV⁻¹, then the base64 text decoded (§5.1). */
const decryptData = (u: User, nonce: Uint8Array, data: Uint8Array) =>
  utf8Decode(fromBase64(decryptText(u, nonce, data)));

// ---------------------------------------------------------------------------------------------------
// The chain double

interface Contract {
  readonly address: Uint8Array;
  readonly name: CodeName;
  contractKey: EnvContractKey;
  adminProof: Uint8Array;
}

type Outcome = CallSuccess | CallFailure;

/** One step of a dispatched tx, for assertions: the call, its outcome and the callee. */
interface Step {
  readonly kind: "execute" | "reply";
  readonly contract: Contract;
  readonly outcome: Outcome;
}

interface TxResult {
  readonly ok: boolean;
  /** The top-level call's outcome. */
  readonly outcome: Outcome;
  /** Every call in order (top level, sub-messages, replies). */
  readonly steps: Step[];
  /** The data the tx returns (a reply's data replaces the caller's, §8.1 step 6). */
  readonly data: Uint8Array | null;
  readonly nonce: Uint8Array;
}

class Chain {
  readonly engine = new ContractEngine(keys, createVm());
  readonly state = new Map<string, Uint8Array>();
  readonly contracts = new Map<string, Contract>();
  readonly block = { height: 100n, timeNanos: 1_700_000_000_000_000_000n, chainId: CHAIN_ID };
  blockRandom: Uint8Array | null = null;
  callCounter = { height: 0n, counter: 0n };
  #instances = 0n;
  #nonces = 0;

  readonly host: ContractHost = {
    stateRead: (contract, key) => ({ value: this.state.get(stateId(contract, key)), gas: 10n }),
    stateRemove: (contract, key) => {
      this.state.delete(stateId(contract, key));
      return { gas: 10n };
    },
    stateWrite: (contract, ops: readonly StateWriteOp[]) => {
      for (const op of ops) {
        this.state.delete(stateId(contract, op.legacyKey));
        this.state.set(stateId(contract, op.storedKey), op.storedValue);
      }
    },
    contract: (address) => {
      const c = this.contracts.get(toHex(address));
      return c === undefined ? undefined : { code: codeOf(c.name).code, contractKey: c.contractKey };
    },
    chainQuery: () => ({ response: utf8Encode('{"Err":{"unsupported_request":{"kind":"test"}}}'), gas: 0n }),
  };

  nextBlock(random: Uint8Array | null = null): void {
    this.block.height += 1n;
    this.block.timeNanos += 6_000_000_000n;
    this.blockRandom = random;
  }

  #envelope(u: User, name: CodeName, msg: unknown): { nonce: Uint8Array; bytes: Uint8Array } {
    const nonce = sha256(utf8Encode(`nonce ${++this.#nonces}`));
    const plaintext = utf8Encode(typeof msg === "string" ? msg : JSON.stringify(msg));
    return { nonce, bytes: encryptInputEnvelope(ioPk, u.clientSk, nonce, codeOf(name).hash, plaintext) };
  }

  #track(outcome: Outcome): void {
    this.callCounter = outcome.callCounter;
  }

  async instantiate(
    u: User,
    name: CodeName,
    msg: unknown,
    options: { admin?: User; gas?: bigint } = {},
  ): Promise<{ outcome: Outcome; contract: Contract | undefined; nonce: Uint8Array }> {
    const { code, id } = codeOf(name);
    const address = contractAddress(id, ++this.#instances, u.canonical);
    const input = this.#envelope(u, name, msg);
    const admin = options.admin?.canonical ?? new Uint8Array(0);
    const any: Any = {
      typeUrl: COMPUTE_URLS.instantiate,
      value: encodeMsgInstantiateContract({
        sender: u.canonical,
        callbackCodeHash: "",
        codeId: id,
        label: `${name} ${this.#instances}`,
        initMsg: input.bytes,
        initFunds: [],
        callbackSig: new Uint8Array(0),
        admin: options.admin?.address ?? "",
      }),
    };
    const before = new Map(this.state);
    const outcome = this.engine.instantiate(
      {
        code,
        block: { ...this.block },
        contract: address,
        gasLimitWasm: options.gas ?? GAS,
        sender: u.canonical,
        msg: input.bytes,
        sigInfo: await signDirect(u.wallet, [any]),
        transaction: { index: 0, hash: "AA".repeat(32) },
        blockRandom: this.blockRandom,
        callCounter: this.callCounter,
        funds: [],
        admin,
      },
      this.host,
    );
    this.#track(outcome);
    if (!outcome.ok) {
      restore(this.state, before);
      return { outcome, contract: undefined, nonce: input.nonce };
    }
    const contract: Contract = {
      address,
      name,
      contractKey: { ogContractKey: outcome.contractKey },
      adminProof: outcome.adminProof,
    };
    this.contracts.set(toHex(address), contract);
    return { outcome, contract, nonce: input.nonce };
  }

  /** A user's execute, with its sub-messages and replies dispatched; the whole tx is undone on failure. */
  async execute(u: User, contract: Contract, msg: unknown, options: { gas?: bigint } = {}): Promise<TxResult> {
    const input = this.#envelope(u, contract.name, msg);
    const any: Any = {
      typeUrl: COMPUTE_URLS.execute,
      value: encodeMsgExecuteContract({
        sender: u.canonical,
        contract: contract.address,
        msg: input.bytes,
        callbackCodeHash: "",
        sentFunds: [],
        callbackSig: new Uint8Array(0),
      }),
    };
    const sigInfo = await signDirect(u.wallet, [any]);
    const before = new Map(this.state);
    const steps: Step[] = [];
    const run = this.#executeCall(contract, u.canonical, input.bytes, sigInfo, options.gas ?? GAS, steps);
    if (!run.ok) restore(this.state, before);
    return { ok: run.ok, outcome: steps[0]!.outcome, steps, data: run.data, nonce: input.nonce };
  }

  async migrate(u: User, contract: Contract, msg: unknown, options: { gas?: bigint } = {}): Promise<Outcome> {
    const { code, id } = codeOf(contract.name);
    const input = this.#envelope(u, contract.name, msg);
    const any: Any = {
      typeUrl: COMPUTE_URLS.migrate,
      value: encodeMsgMigrateContract({
        sender: u.address,
        contract: encodeAddress(contract.address),
        codeId: id,
        msg: input.bytes,
        callbackSig: new Uint8Array(0),
        callbackCodeHash: "",
      }),
    };
    const before = new Map(this.state);
    const outcome = this.engine.migrate(
      {
        code,
        block: { ...this.block },
        contract: contract.address,
        gasLimitWasm: options.gas ?? GAS,
        sender: u.canonical,
        msg: input.bytes,
        sigInfo: await signDirect(u.wallet, [any]),
        transaction: { index: 0, hash: "BB".repeat(32) },
        blockRandom: this.blockRandom,
        callCounter: this.callCounter,
        contractKey: contract.contractKey,
        adminProof: contract.adminProof,
      },
      this.host,
    );
    this.#track(outcome);
    if (!outcome.ok) restore(this.state, before);
    return outcome;
  }

  query(u: User, contract: Contract, msg: unknown, options: { gas?: bigint } = {}) {
    const input = this.#envelope(u, contract.name, msg);
    const outcome = this.engine.query(
      {
        code: codeOf(contract.name).code,
        block: { ...this.block },
        contract: contract.address,
        gasLimitWasm: options.gas ?? GAS,
        msg: input.bytes,
        contractKey: contract.contractKey,
        queryDepth: 1,
      },
      this.host,
    );
    return { outcome, nonce: input.nonce };
  }

  /** A query answered with JSON, decrypted for `u`. */
  queryJson(u: User, contract: Contract, msg: unknown): unknown {
    const { outcome, nonce } = this.query(u, contract, msg);
    assert.ok(
      outcome.ok,
      `query failed: ${outcome.ok ? "" : outcome.error.kind === "contract" ? decryptText(u, nonce, fromBase64(outcome.error.b64)) : outcome.error.message}`,
    );
    return JSON.parse(utf8Decode(fromBase64(decryptText(u, nonce, outcome.answer))));
  }

  reply(call: Omit<ReplyCall, "block" | "blockRandom" | "callCounter" | "gasLimitWasm" | "transaction">): Outcome {
    const outcome = this.engine.reply(
      {
        ...call,
        block: { ...this.block },
        gasLimitWasm: GAS,
        transaction: { index: 0, hash: "CC".repeat(32) },
        blockRandom: this.blockRandom,
        callCounter: this.callCounter,
      },
      this.host,
    );
    this.#track(outcome);
    return outcome;
  }

  /** One execute and everything it dispatches (§8.1); `ok` false means the tx fails. */
  #executeCall(
    contract: Contract,
    sender: Uint8Array,
    msg: Uint8Array,
    sigInfo: SigInfo,
    gas: bigint,
    steps: Step[],
  ): { ok: boolean; data: Uint8Array | null } {
    const outcome = this.engine.execute(
      {
        code: codeOf(contract.name).code,
        block: { ...this.block },
        contract: contract.address,
        gasLimitWasm: gas,
        sender,
        msg,
        sigInfo,
        transaction: { index: 0, hash: "DD".repeat(32) },
        blockRandom: this.blockRandom,
        callCounter: this.callCounter,
        funds: [],
        contractKey: contract.contractKey,
      },
      this.host,
    );
    this.#track(outcome);
    steps.push({ kind: "execute", contract, outcome });
    if (!outcome.ok) return { ok: false, data: null };
    return this.#dispatch(contract, outcome, steps);
  }

  #dispatch(caller: Contract, outcome: CallSuccess, steps: Step[]): { ok: boolean; data: Uint8Array | null } {
    let data = outcome.data;
    const messages = JSON.parse(outcome.messagesJson) as SubMsgJson[];
    for (const sub of messages) {
      const exec = sub.msg.wasm?.execute;
      if (exec === undefined) throw new Error(`the test dispatcher handles wasm execute only: ${JSON.stringify(sub)}`);
      const callee = this.contracts.get(toHex(decodeAddress(exec.contract_addr)));
      assert.ok(callee !== undefined, "sub-message to an unknown contract");
      const envelope = fromBase64(exec.msg);
      const sigInfo: SigInfo = {
        txBytes: new Uint8Array(0),
        signBytes: new Uint8Array(0),
        signMode: 0,
        publicKey: new Uint8Array(0),
        signature: new Uint8Array(0),
        callbackSig: fromBase64(exec.callback_sig),
      };
      const branch = new Map(this.state);
      const run = this.#executeCall(callee, caller.address, envelope, sigInfo, GAS, steps);
      const calleeOutcome = steps.findLast((s) => s.contract === callee && s.kind === "execute")!.outcome;
      if (!run.ok) restore(this.state, branch);
      const wantsReply = run.ok
        ? sub.reply_on === "always" || sub.reply_on === "success"
        : sub.reply_on === "always" || sub.reply_on === "error";
      if (!run.ok && !wantsReply) return { ok: false, data: null };
      // Only the callee's own contract error carries reply routing; an enclave error (out of gas, …) or
      // a failure further down fails the whole tx in this double.
      if (!run.ok && (calleeOutcome.ok || calleeOutcome.error.kind !== "contract")) return { ok: false, data: null };
      if (!wantsReply) continue;
      // The host's Reply (§5.6): the callee's internal_msg_id as the id, its events, its encrypted data or error.
      const replyInfo = calleeOutcome.reply;
      assert.ok(replyInfo !== null, "a sub-message that wants a reply must come back with reply info");
      const result = calleeOutcome.ok
        ? {
            ok: {
              events: hostEvents(callee, calleeOutcome),
              data: run.data === null ? null : toBase64(run.data),
            },
          }
        : { error: calleeOutcome.error.kind === "contract" ? calleeOutcome.error.b64 : calleeOutcome.error.message };
      const replyJsonText = JSON.stringify({
        id: toBase64(replyInfo.internalMsgId),
        result,
        was_orig_msg_encrypted: true,
        is_encrypted: true,
      });
      const replied = this.reply({
        code: codeOf(caller.name).code,
        contract: caller.address,
        contractKey: caller.contractKey,
        origin: envelope.subarray(0, 64),
        reply: utf8Encode(replyJsonText),
        callbackSig: replyInfo.internalReplyEnclaveSig,
      });
      steps.push({ kind: "reply", contract: caller, outcome: replied });
      if (!replied.ok) return { ok: false, data: null };
      const nested = this.#dispatch(caller, replied, steps);
      if (!nested.ok) return nested;
      if (replied.data !== null) data = replied.data;
    }
    return { ok: true, data };
  }
}

interface SubMsgJson {
  readonly id: number;
  readonly msg: {
    readonly wasm?: {
      readonly execute?: {
        readonly contract_addr: string;
        readonly code_hash: string;
        readonly msg: string;
        readonly callback_sig: string;
      };
    };
  };
  readonly reply_on: "always" | "error" | "success" | "never";
  readonly was_msg_encrypted: boolean;
}

/** The events the host emits for a successful wasm call (§10): `wasm` with `contract_address` first, then `wasm-*`. */
function hostEvents(contract: Contract, outcome: CallSuccess) {
  const sorted = (attrs: readonly { key: string; value: string }[]) =>
    [...attrs].sort((a, b) => Buffer.compare(Buffer.from(a.key), Buffer.from(b.key)));
  const events = [];
  if (outcome.attributes.length > 0) {
    events.push({
      type: "wasm",
      attributes: sorted([{ key: "contract_address", value: encodeAddress(contract.address) }, ...outcome.attributes]),
    });
  }
  for (const e of outcome.events) {
    events.push({
      type: `wasm-${e.type}`,
      attributes: sorted([{ key: "contract_address", value: encodeAddress(contract.address) }, ...e.attributes]),
    });
  }
  return events;
}

const stateId = (contract: Uint8Array, key: Uint8Array) => `${toHex(contract)}:${toHex(key)}`;

function restore(state: Map<string, Uint8Array>, snapshot: ReadonlyMap<string, Uint8Array>): void {
  state.clear();
  for (const [k, v] of snapshot) state.set(k, v);
}

function assertOk(outcome: Outcome): asserts outcome is CallSuccess {
  assert.ok(outcome.ok, `call failed: ${JSON.stringify(outcome.ok ? {} : outcome.error)}`);
}

function enclaveError(outcome: { ok: boolean; error?: CallFailure["error"] }): { code: string; message: string } {
  assert.equal(outcome.ok, false, "the call should have failed");
  const error = (outcome as CallFailure).error;
  assert.equal(error.kind, "enclave", `expected an enclave error, got ${JSON.stringify(error)}`);
  return error as { code: string; message: string };
}

/** The plaintext of a contract error, as the sender decrypts it. */
function contractError(u: User, nonce: Uint8Array, outcome: Outcome | QuerySuccess): string {
  assert.equal(outcome.ok, false, "the call should have failed");
  const error = (outcome as CallFailure).error;
  assert.equal(error.kind, "contract", `expected a contract error, got ${JSON.stringify(error)}`);
  assert.ok(error.kind === "contract");
  assert.equal(error.json, `{"generic_err":{"msg":"${error.b64}"}}`);
  return decryptText(u, nonce, fromBase64(error.b64));
}

const attr = (u: User, nonce: Uint8Array, a: { key: string; value: string }) => ({
  key: decryptText(u, nonce, fromBase64(a.key)),
  value: decryptText(u, nonce, fromBase64(a.value)),
});

// ---------------------------------------------------------------------------------------------------

let alice: User;
let bob: User;
let carol: User;
before(() => {
  alice = user(MNEMONICS.a, 0xa1);
  bob = user(MNEMONICS.b, 0xb2);
  carol = user(MNEMONICS.c, 0xc3);
});

describe("token example through the engine", () => {
  it("instantiates with balances, transfers, sets viewing keys and answers balance queries with them", async () => {
    const chain = new Chain();
    const { outcome, contract, nonce } = await chain.instantiate(alice, "token", {
      name: "Secret Token",
      symbol: "STKN",
      decimals: 6,
      initial_balances: [
        { address: alice.address, amount: "1000" },
        { address: bob.address, amount: "500" },
      ],
    });
    assertOk(outcome);
    assert.ok(contract !== undefined);
    assert.deepEqual(outcome.attributes[1], { key: "total_supply", value: "1500" });
    assert.deepEqual(attr(alice, nonce, outcome.attributes[0]!), { key: "action", value: "instantiate" });
    assert.deepEqual(chain.queryJson(carol, contract, { token_info: {} }), {
      token_info: { name: "Secret Token", symbol: "STKN", decimals: 6, total_supply: "1500" },
    });

    const vk = await chain.execute(alice, contract, { set_viewing_key: { key: "alice key" } });
    assert.ok(vk.ok);
    assert.deepEqual(JSON.parse(decryptData(alice, vk.nonce, vk.data!)), { set_viewing_key: { status: "success" } });
    assert.ok((await chain.execute(carol, contract, { set_viewing_key: { key: "carol key" } })).ok);

    const transfer = await chain.execute(alice, contract, { transfer: { recipient: carol.address, amount: "250" } });
    assert.ok(transfer.ok);
    assert.deepEqual(JSON.parse(decryptData(alice, transfer.nonce, transfer.data!)), {
      transfer: { status: "success" },
    });
    assertOk(transfer.outcome);
    assert.deepEqual(attr(alice, transfer.nonce, transfer.outcome.attributes[0]!), {
      key: "action",
      value: "transfer",
    });

    const balance = (u: User, address: string, key: string) =>
      chain.queryJson(u, contract, { balance: { address, key } });
    assert.deepEqual(balance(alice, alice.address, "alice key"), { balance: { amount: "750" } });
    assert.deepEqual(balance(carol, carol.address, "carol key"), { balance: { amount: "250" } });
    const wrongKey = { viewing_key_error: { msg: "Wrong viewing key for this address or viewing key not set" } };
    assert.deepEqual(balance(bob, alice.address, "guess"), wrongKey);
    assert.deepEqual(balance(bob, bob.address, "no key set"), wrongKey);

    // create_viewing_key mixes in env.block.random (the token exports requires_random); the key it
    // returns opens the balance.
    chain.nextBlock(sha256(utf8Encode("token block random")));
    const created = await chain.execute(bob, contract, { create_viewing_key: { entropy: "bob's entropy" } });
    assert.ok(created.ok);
    const { create_viewing_key: createdKey } = JSON.parse(decryptData(bob, created.nonce, created.data!)) as {
      create_viewing_key: { key: string };
    };
    assert.match(createdKey.key, /^api_key_[A-Za-z0-9+/]{43}=$/);
    assert.deepEqual(balance(bob, bob.address, createdKey.key), { balance: { amount: "500" } });
    const again = await chain.execute(bob, contract, { create_viewing_key: { entropy: "bob's entropy" } });
    assert.notEqual(
      (JSON.parse(decryptData(bob, again.nonce, again.data!)) as { create_viewing_key: { key: string } })
        .create_viewing_key.key,
      createdKey.key,
      "a second key from the same entropy in the same block differs (the call counter moved)",
    );

    // Too much: a contract error for the sender, and nothing written.
    const snapshot = new Map(chain.state);
    const broke = await chain.execute(carol, contract, { transfer: { recipient: bob.address, amount: "251" } });
    assert.equal(broke.ok, false);
    assert.equal(
      contractError(carol, broke.nonce, broke.outcome),
      "Generic error: insufficient funds: balance=250, required=251",
    );
    assert.deepEqual(chain.state, snapshot);
  });

  it("allowances: increase, query with either key, transfer_from; an unauthorized transfer_from fails encrypted and changes nothing", async () => {
    const chain = new Chain();
    const { contract } = await chain.instantiate(alice, "token", {
      name: "Secret Token",
      symbol: "STKN",
      decimals: 6,
      initial_balances: [{ address: alice.address, amount: "1000" }],
    });
    assert.ok(contract !== undefined);
    for (const [u, key] of [
      [alice, "ka"],
      [bob, "kb"],
      [carol, "kc"],
    ] as const) {
      assert.ok((await chain.execute(u, contract, { set_viewing_key: { key } })).ok);
    }
    const inc = await chain.execute(alice, contract, { increase_allowance: { spender: bob.address, amount: "300" } });
    assert.ok(inc.ok);
    assert.deepEqual(JSON.parse(decryptData(alice, inc.nonce, inc.data!)), {
      increase_allowance: { spender: bob.address, owner: alice.address, allowance: "300" },
    });
    const allowance = (u: User, key: string) =>
      chain.queryJson(u, contract, { allowance: { owner: alice.address, spender: bob.address, key } });
    const expected = (n: string) => ({
      allowance: { spender: bob.address, owner: alice.address, allowance: n, expiration: null },
    });
    assert.deepEqual(allowance(bob, "kb"), expected("300"));
    assert.deepEqual(allowance(alice, "ka"), expected("300"));
    assert.deepEqual(allowance(carol, "kc"), {
      viewing_key_error: { msg: "Wrong viewing key for this address or viewing key not set" },
    });

    const spent = await chain.execute(bob, contract, {
      transfer_from: { owner: alice.address, recipient: carol.address, amount: "120" },
    });
    assert.ok(spent.ok);
    assert.deepEqual(JSON.parse(decryptData(bob, spent.nonce, spent.data!)), { transfer_from: { status: "success" } });
    assert.deepEqual(allowance(bob, "kb"), expected("180"));
    assert.deepEqual(chain.queryJson(alice, contract, { balance: { address: alice.address, key: "ka" } }), {
      balance: { amount: "880" },
    });
    assert.deepEqual(chain.queryJson(carol, contract, { balance: { address: carol.address, key: "kc" } }), {
      balance: { amount: "120" },
    });

    // Carol has no allowance from Alice.
    const snapshot = new Map(chain.state);
    const stolen = await chain.execute(carol, contract, {
      transfer_from: { owner: alice.address, recipient: carol.address, amount: "10" },
    });
    assert.equal(stolen.ok, false);
    assert.equal(
      contractError(carol, stolen.nonce, stolen.outcome),
      "Generic error: insufficient allowance: allowance=0, required=10",
    );
    // Only Carol's key opens the error.
    const error = (stolen.outcome as CallFailure).error;
    assert.ok(error.kind === "contract");
    assert.throws(() => clientDecrypt(ioPk, alice.clientSk, stolen.nonce, fromBase64(error.b64)));
    assert.deepEqual(chain.state, snapshot);
    // More than allowed, by the spender: also refused.
    const over = await chain.execute(bob, contract, {
      transfer_from: { owner: alice.address, recipient: bob.address, amount: "181" },
    });
    assert.equal(
      contractError(bob, over.nonce, over.outcome),
      "Generic error: insufficient allowance: allowance=180, required=181",
    );
    assert.deepEqual(chain.state, snapshot);
  });
});

describe("caller → counter: sub-messages, replies and contract-to-contract queries", () => {
  async function setup() {
    const chain = new Chain();
    const counter = (await chain.instantiate(alice, "counter", { count: 5 })).contract!;
    const caller = (await chain.instantiate(alice, "caller", {})).contract!;
    assert.ok(counter !== undefined && caller !== undefined);
    return { chain, counter, caller };
  }

  it("a wasm execute sub-message with reply_on always runs the callee, then the caller's reply", async () => {
    const { chain, counter, caller } = await setup();
    const target = { contract: encodeAddress(counter.address), code_hash: codeOf("counter").hash };
    const tx = await chain.execute(alice, caller, { call_increment: target });
    assert.ok(tx.ok, JSON.stringify(tx.steps.map((s) => (s.outcome.ok ? "ok" : s.outcome.error))));
    assert.deepEqual(
      tx.steps.map((s) => [s.kind, s.contract.name, s.outcome.ok]),
      [
        ["execute", "caller", true],
        ["execute", "counter", true],
        ["reply", "caller", true],
      ],
    );
    // The caller's sub-message: id 0 in clear, encrypted msg under Alice's nonce, a callback signature.
    const top = tx.outcome;
    assertOk(top);
    const [sub] = JSON.parse(top.messagesJson) as SubMsgJson[];
    assert.equal(sub!.id, 0);
    assert.equal(sub!.reply_on, "always");
    assert.equal(sub!.was_msg_encrypted, true);
    const envelope = fromBase64(sub!.msg.wasm!.execute!.msg);
    assert.deepEqual(envelope.subarray(0, 32), tx.nonce);
    assert.deepEqual(envelope.subarray(32, 64), clientPublicKey(alice.clientSk));
    const subPlain = decryptText(alice, tx.nonce, envelope.subarray(64));
    assert.equal(
      subPlain,
      `${codeOf("counter").hash}REPLY01${"\0".repeat(7)}\u0001${codeOf("caller").hash}{"increment":{}}`,
    );
    // The callee's outputs are for Alice too, and it carries reply routing.
    const callee = tx.steps[1]!.outcome;
    assertOk(callee);
    assert.ok(callee.reply !== null);
    assert.deepEqual(attr(alice, tx.nonce, callee.attributes[0]!), { key: "action", value: "increment" });
    // The reply's own output: plaintext attributes as the caller marked them.
    const replied = tx.steps[2]!.outcome;
    assertOk(replied);
    assert.deepEqual(replied.attributes, [
      { key: "reply_id", value: "1" },
      { key: "reply_ok", value: "true" },
    ]);
    assert.equal(replied.reply, null);

    assert.deepEqual(chain.queryJson(alice, counter, { get_count: {} }), { count: 6 });
    assert.deepEqual(chain.queryJson(bob, caller, { last_reply: {} }), {
      id: 1,
      ok: true,
      data: null,
      error: null,
      events: ["wasm"],
    });
  });

  it("the same sub-message flow costs the same gas every time", async () => {
    const gasOf = async () => {
      const { chain, counter, caller } = await setup();
      const target = { contract: encodeAddress(counter.address), code_hash: codeOf("counter").hash };
      const tx = await chain.execute(alice, caller, { call_increment: target });
      assert.ok(tx.ok);
      return tx.steps.map((s) => [s.kind, s.outcome.gas, s.outcome.callCounter]);
    };
    const first = await gasOf();
    assert.equal(first.length, 3);
    assert.deepEqual(await gasOf(), first);
  });

  it("a failing sub-message: its writes are discarded and the reply gets the decrypted error", async () => {
    const { chain, counter, caller } = await setup();
    const target = { contract: encodeAddress(counter.address), code_hash: codeOf("counter").hash };
    const counterState = () => [...chain.state].filter(([k]) => k.startsWith(toHex(counter.address)));
    const before = counterState();
    // The counter's owner is Alice, not the caller contract: reset fails with "Unauthorized".
    const tx = await chain.execute(alice, caller, { call_reset: { ...target, count: 99 } });
    assert.ok(tx.ok);
    assert.deepEqual(
      tx.steps.map((s) => [s.kind, s.contract.name, s.outcome.ok]),
      [
        ["execute", "caller", true],
        ["execute", "counter", false],
        ["reply", "caller", true],
      ],
    );
    // The callee's error is encrypted for Alice, prefixed with the caller's code hash (Hr).
    const failed = tx.steps[1]!.outcome;
    assert.ok(!failed.ok && failed.error.kind === "contract" && failed.reply !== null);
    assert.equal(decryptText(alice, tx.nonce, fromBase64(failed.error.b64)), `${codeOf("caller").hash}Unauthorized`);
    assert.deepEqual(counterState(), before);
    assert.deepEqual(chain.queryJson(alice, counter, { get_count: {} }), { count: 5 });
    assert.deepEqual(chain.queryJson(alice, caller, { last_reply: {} }), {
      id: 2,
      ok: false,
      data: null,
      error: "Unauthorized",
      events: [],
    });
  });

  it("a contract-to-contract smart query reads the other contract's state inside the enclave", async () => {
    const { chain, counter, caller } = await setup();
    const target = { contract: encodeAddress(counter.address), code_hash: codeOf("counter").hash };
    assert.deepEqual(chain.queryJson(carol, caller, { remote_count: target }), { count: 5 });
    assert.ok((await chain.execute(alice, caller, { call_increment: target })).ok);
    assert.deepEqual(chain.queryJson(carol, caller, { remote_count: target }), { count: 6 });
    // The nested query's SDK gas (20,000 + its own charge) is reported for the host to charge.
    const direct = chain.query(carol, counter, { get_count: {} }).outcome;
    const nested = chain.query(carol, caller, { remote_count: target }).outcome;
    assert.ok(direct.ok && nested.ok);
    assert.equal(direct.queryGas, 0n);
    assert.equal(nested.queryGas, 20_000n + direct.gas.sdkCharge);
    assert.ok(nested.gas.external >= nested.queryGas);
    // A wrong code hash in the nested query: the callee refuses it, the caller reports the querier error.
    const { outcome, nonce } = chain.query(carol, caller, { remote_count: { ...target, code_hash: "00".repeat(32) } });
    assert.equal(
      contractError(carol, nonce, outcome),
      "Generic error: Querier contract error: Generic error: failed to validate transaction",
    );
    // A v1 callee's own error string is not a v0.10 StdError: it comes back as invalid_response.
    const token = (
      await chain.instantiate(alice, "token", { name: "Token", symbol: "TKN", decimals: 0, initial_balances: [] })
    ).contract!;
    const q2 = chain.query(carol, caller, {
      remote_count: { contract: encodeAddress(token.address), code_hash: codeOf("token").hash },
    });
    assert.equal(
      contractError(carol, q2.nonce, q2.outcome),
      "Generic error: Querier system error: Cannot parse response: expected value at line 1 column 1 in: " +
        "Error parsing into type QueryMsg: unknown variant `get_count`, expected one of `token_info`, `balance`, `allowance`",
    );
  });

  it("reply checks: a forged signature, a reply for another contract and a mangled id are refused; nothing is written", async () => {
    const { chain, counter, caller } = await setup();
    const target = { contract: encodeAddress(counter.address), code_hash: codeOf("counter").hash };
    // Capture a genuine callee outcome by running the caller and counter without the reply.
    const tx = await chain.execute(alice, caller, { call_increment: target });
    assertOk(tx.outcome);
    const callee = tx.steps[1]!.outcome;
    assertOk(callee);
    const origin = fromBase64((JSON.parse(tx.outcome.messagesJson) as SubMsgJson[])[0]!.msg.wasm!.execute!.msg).slice(
      0,
      64,
    );
    const replyText = (id: Uint8Array, extra: Record<string, unknown> = {}) =>
      utf8Encode(
        JSON.stringify({
          id: toBase64(id),
          result: { ok: { events: [], data: null } },
          was_orig_msg_encrypted: true,
          is_encrypted: true,
          ...extra,
        }),
      );
    const genuine = {
      code: codeOf("caller").code,
      contract: caller.address,
      contractKey: caller.contractKey,
      origin,
      reply: replyText(callee.reply!.internalMsgId),
      callbackSig: callee.reply!.internalReplyEnclaveSig,
    };
    const snapshot = new Map(chain.state);

    const forged = Uint8Array.from(genuine.callbackSig);
    forged[0]! ^= 1;
    assert.equal(enclaveError(chain.reply({ ...genuine, callbackSig: forged })).code, "FAILED_TX_VERIFICATION");
    assert.equal(
      enclaveError(chain.reply({ ...genuine, callbackSig: new Uint8Array(0) })).code,
      "FAILED_TX_VERIFICATION",
    );
    // The signature covers the data: claiming some other data fails.
    assert.equal(
      enclaveError(
        chain.reply({
          ...genuine,
          reply: replyText(callee.reply!.internalMsgId, { result: { ok: { events: [], data: "AAAA" } } }),
        }),
      ).code,
      "FAILED_TX_VERIFICATION",
    );
    // Delivered to another contract (the counter): the code hash inside the id is not its own.
    assert.equal(
      enclaveError(
        chain.reply({
          ...genuine,
          code: codeOf("counter").code,
          contract: counter.address,
          contractKey: counter.contractKey,
        }),
      ).code,
      "VALIDATION_FAILURE",
    );
    // Another user's nonce and key: the id does not decrypt.
    const otherOrigin = concatBytes(new Uint8Array(32).fill(9), clientPublicKey(bob.clientSk));
    assert.equal(enclaveError(chain.reply({ ...genuine, origin: otherOrigin })).code, "DECRYPTION_ERROR");
    assert.equal(
      enclaveError(chain.reply({ ...genuine, reply: utf8Encode("{this is not JSON at all, and long enough}") })).code,
      "FAILED_TO_DESERIALIZE",
    );
    assert.equal(enclaveError(chain.reply({ ...genuine, origin: origin.subarray(0, 63) })).code, "MALFORMED_ENVELOPE");
    assert.deepEqual(chain.state, snapshot);

    // Events are not signed (upstream empties them before checking), so the host's events pass through.
    const withEvents = chain.reply({
      ...genuine,
      reply: replyText(callee.reply!.internalMsgId, {
        result: { ok: { events: [{ type: "wasm", attributes: [{ key: "k", value: "v" }] }], data: null } },
      }),
    });
    assertOk(withEvents);
    assert.deepEqual(chain.queryJson(alice, caller, { last_reply: {} }), {
      id: 1,
      ok: true,
      data: null,
      error: null,
      events: ["wasm"],
    });
  });

  it("a reply inside a reply chain: the id's REPLY01 blocks become the reply's own reply params", async () => {
    const { chain, caller } = await setup();
    // As if the caller's execute were itself sub-message 9 of a contract with code hash H0 that wants a
    // reply: the callee's id then carries H0's header after the caller's hash (crypto.md §5.6).
    const nonce = new Uint8Array(32).fill(0x77);
    const origin = concatBytes(nonce, clientPublicKey(alice.clientSk));
    const txKey = clientTxKey(ioPk, alice.clientSk, nonce);
    const h0 = utf8Encode("ab".repeat(32));
    const params = [
      { id: 1n, codeHash: utf8Encode(codeOf("caller").hash) },
      { id: 9n, codeHash: h0 },
    ];
    const data = encryptData(txKey, utf8Encode("callee data"), params);
    const info = replyInfoForOutput(txKey, keys.callbackSecret, params, { kind: "v1-ok", encryptedData: data });
    const replied = chain.reply({
      code: codeOf("caller").code,
      contract: caller.address,
      contractKey: caller.contractKey,
      origin,
      reply: utf8Encode(
        JSON.stringify({
          id: toBase64(info.internalMsgId),
          result: { ok: { events: [], data: toBase64(data) } },
          was_orig_msg_encrypted: true,
          is_encrypted: true,
        }),
      ),
      callbackSig: info.internalReplyEnclaveSig,
    });
    assertOk(replied);
    assert.deepEqual(chain.queryJson(alice, caller, { last_reply: {} }), {
      id: 1,
      ok: true,
      data: toBase64(utf8Encode("callee data")),
      error: null,
      events: [],
    });
    // The reply's output is routed on to H0: its id decrypts to H0 ‖ "9".
    assert.ok(replied.reply !== null);
    assert.equal(
      utf8Decode(clientDecrypt(ioPk, alice.clientSk, nonce, replied.reply.internalMsgId)),
      `${"ab".repeat(32)}9`,
    );
  });

  it("a plaintext reply (a non-wasm sub-message): decimal id in clear, no signature, outputs encrypted as the original", async () => {
    const { chain, caller } = await setup();
    const nonce = new Uint8Array(32).fill(0x5a);
    const origin = concatBytes(nonce, clientPublicKey(alice.clientSk));
    const plain = (result: unknown, wasOrigMsgEncrypted: boolean) =>
      utf8Encode(
        JSON.stringify({
          id: toBase64(utf8Encode("7")),
          result,
          was_orig_msg_encrypted: wasOrigMsgEncrypted,
          is_encrypted: false,
        }),
      );
    const common = {
      code: codeOf("caller").code,
      contract: caller.address,
      contractKey: caller.contractKey,
      origin,
      callbackSig: new Uint8Array(0),
    };
    const ok = chain.reply({
      ...common,
      reply: plain({ ok: { events: [], data: toBase64(utf8Encode("proto")) } }, true),
    });
    assertOk(ok);
    assert.deepEqual(ok.attributes, [
      { key: "reply_id", value: "7" },
      { key: "reply_ok", value: "true" },
    ]);
    assert.deepEqual(chain.queryJson(alice, caller, { last_reply: {} }), {
      id: 7,
      ok: true,
      data: toBase64(utf8Encode("proto")),
      error: null,
      events: [],
    });
    const err = chain.reply({
      ...common,
      reply: plain({ error: "the error was redacted (codespace: bank, code: 5)" }, false),
    });
    assertOk(err);
    assert.deepEqual(chain.queryJson(alice, caller, { last_reply: {} }), {
      id: 7,
      ok: false,
      data: null,
      error: "the error was redacted (codespace: bank, code: 5)",
      events: [],
    });
    // The id must be a decimal u64.
    const badId = utf8Encode(
      JSON.stringify({
        id: toBase64(utf8Encode("x7")),
        result: { ok: { events: [], data: null } },
        was_orig_msg_encrypted: true,
        is_encrypted: false,
      }),
    );
    assert.equal(enclaveError(chain.reply({ ...common, reply: badId })).code, "FAILED_TO_DESERIALIZE");
  });
});

describe("random example: env.block.random as crypto.md §9", () => {
  const expectedRandom = (r: Uint8Array, height: bigint, key: Uint8Array, counter: bigint) => {
    const be64 = (v: bigint) => {
      const out = new Uint8Array(8);
      new DataView(out.buffer).setBigUint64(0, v);
      return out;
    };
    return hkdfSha256(r, SECRET_HKDF_SALT, concatBytes(be64(height), key, be64(counter)));
  };

  it("derives a different random per call from the block random, the contract key and the call counter", async () => {
    const chain = new Chain();
    const r = sha256(utf8Encode("block random"));
    chain.nextBlock(r);
    const height = chain.block.height;
    const inst = await chain.instantiate(alice, "random", {});
    assertOk(inst.outcome);
    const contract = inst.contract!;
    const key = contract.contractKey.ogContractKey;
    // First call of the height: random with counter 0; with a random, the counter is then 1 (§8.3).
    assert.deepEqual(inst.outcome.attributes[0], { key: "has_random", value: "true" });
    assert.deepEqual(
      fromBase64(decryptText(alice, inst.nonce, inst.outcome.data!)),
      expectedRandom(r, height, key, 0n),
    );
    assert.deepEqual(inst.outcome.callCounter, { height, counter: 1n });

    const first = await chain.execute(bob, contract, { store_random: {} });
    const second = await chain.execute(bob, contract, { store_random: {} });
    assert.ok(first.ok && second.ok);
    const got1 = fromBase64(decryptText(bob, first.nonce, first.data!));
    const got2 = fromBase64(decryptText(bob, second.nonce, second.data!));
    assert.deepEqual(got1, expectedRandom(r, height, key, 1n));
    assert.deepEqual(got2, expectedRandom(r, height, key, 2n));
    assert.notDeepEqual(got1, got2);
    assert.deepEqual(chain.queryJson(bob, contract, { last_random: {} }), {
      random: toBase64(got2),
      height: Number(height),
    });

    // The next block: a new random, the counter starts over.
    const r2 = sha256(utf8Encode("next block random"));
    chain.nextBlock(r2);
    const third = await chain.execute(bob, contract, { store_random: {} });
    assert.ok(third.ok);
    assert.deepEqual(
      fromBase64(decryptText(bob, third.nonce, third.data!)),
      expectedRandom(r2, chain.block.height, key, 0n),
    );

    // A block without a random: no field, no data.
    chain.nextBlock(null);
    const none = await chain.execute(bob, contract, { store_random: {} });
    assert.ok(none.ok);
    assert.equal(none.data, null);
    assertOk(none.outcome);
    assert.deepEqual(none.outcome.attributes[0], { key: "has_random", value: "false" });
    assert.deepEqual(chain.queryJson(bob, contract, { last_random: {} }), {
      random: null,
      height: Number(chain.block.height),
    });
  });
});

describe("v0.10 counter (WAT fixture) through the engine", () => {
  it("init, handle and query with the v0.10 ABI", async () => {
    const chain = new Chain();
    const inst = await chain.instantiate(alice, "counter-v010", { count: 5 });
    assertOk(inst.outcome);
    assert.equal(inst.outcome.apiVersion, "v0.10");
    const contract = inst.contract!;
    assert.deepEqual(chain.queryJson(bob, contract, { get_count: {} }), { count: 5 });
    const inc = await chain.execute(bob, contract, { increment: {} });
    assert.ok(inc.ok);
    assertOk(inc.outcome);
    assert.equal(inc.outcome.apiVersion, "v0.10");
    assert.equal(inc.data, null);
    assert.equal(inc.outcome.messagesJson, "[]");
    assert.deepEqual(chain.queryJson(bob, contract, { get_count: {} }), { count: 6 });
    assert.ok((await chain.execute(carol, contract, { reset: { count: 42 } })).ok);
    assert.deepEqual(chain.queryJson(alice, contract, { get_count: {} }), { count: 42 });
    // A block random is never given to a v0.10 contract, and the counter is not advanced twice.
    chain.nextBlock(sha256(utf8Encode("r")));
    const withRandom = await chain.execute(carol, contract, { increment: {} });
    assert.ok(withRandom.ok);
    assert.deepEqual(withRandom.outcome.callCounter, { height: chain.block.height, counter: 0n });
  });
});

describe("hostile fixtures through the engine", () => {
  /** Runs every hostile case on a fresh chain; returns the gas numbers seen, for a determinism check. */
  async function hostileRun(): Promise<unknown[]> {
    const chain = new Chain();
    const gas: unknown[] = [];
    const unchanged = async <T extends Outcome | QuerySuccess>(what: string, f: () => Promise<T> | T): Promise<T> => {
      const before = new Map(chain.state);
      const outcome = await f();
      assert.deepEqual(chain.state, before, `${what} changed the host's state`);
      gas.push([what, outcome.ok, outcome.gas]);
      return outcome;
    };

    // Refused when instantiated.
    for (const [name, code, message] of [
      ["floats", "VM_FLOATS", "found floating point operation in module code"],
      ["start", "VM_WASM_START", "WasmModuleWithStart"],
      ["memory193", "VM_MEMORY_INIT", "failed to initialize wasm memory"],
    ] as const) {
      const outcome = await unchanged(name, async () => (await chain.instantiate(alice, name, {})).outcome);
      assert.deepEqual(enclaveError(outcome), { kind: "enclave", code, message });
    }

    const instantiate = async (name: CodeName) => {
      const { outcome, contract } = await chain.instantiate(alice, name, {}, { admin: alice });
      assertOk(outcome);
      return contract!;
    };
    const endless = await instantiate("endless-loop");
    const recursion = await instantiate("recursion");
    const bomb = await instantiate("memory-bomb");
    const huge = await instantiate("huge-alloc");
    const SMALL = 50_000_000n;

    const loop = await unchanged(
      "endless execute",
      async () => (await chain.execute(alice, endless, {}, { gas: SMALL })).outcome,
    );
    assert.equal(enclaveError(loop).code, "VM_OUT_OF_GAS");
    assert.equal(loop.gas?.limit, SMALL);
    assert.equal(loop.gas?.remaining, 0n);
    const loopQuery = await unchanged("endless query", () => chain.query(bob, endless, {}, { gas: SMALL }).outcome);
    assert.equal(enclaveError(loopQuery).code, "VM_OUT_OF_GAS");

    const deep = await unchanged("recursion execute", async () => (await chain.execute(alice, recursion, {})).outcome);
    assert.deepEqual(enclaveError(deep), {
      kind: "enclave",
      code: "VM_STACK_OVERFLOW",
      message: "the contract has run out of space on the stack",
    });
    const deepQuery = await unchanged("recursion query", () => chain.query(bob, recursion, {}).outcome);
    assert.equal(enclaveError(deepQuery).code, "VM_STACK_OVERFLOW");

    // The memory bomb stops at the 192-page cap and succeeds (a bounded, paid-for amount of memory)...
    const capped = await chain.execute(alice, bomb, {});
    assert.ok(capped.ok);
    assertOk(capped.outcome);
    assert.deepEqual(capped.outcome.attributes, [{ key: "pages", value: "192" }]);
    gas.push(["bomb execute", capped.outcome.gas]);
    // ... and its query: after growing to the cap it asks allocate for 16 MiB, beyond the cap: a trap.
    const bombQuery = await unchanged("bomb query", () => chain.query(bob, bomb, {}).outcome);
    assert.equal(enclaveError(bombQuery).code, "VM_PANIC");
    // With too little gas for 191 pages it runs out of gas instead.
    const bombPoor = await unchanged(
      "bomb execute, little gas",
      async () => (await chain.execute(alice, bomb, {}, { gas: 1_000_000n })).outcome,
    );
    assert.equal(enclaveError(bombPoor).code, "VM_OUT_OF_GAS");

    // memory.grow(65536) is charged 65,536 × 8,192 gas, then fails: the contract's own error.
    const grow = await unchanged("huge execute", async () => {
      const tx = await chain.execute(carol, huge, {});
      assert.equal(contractError(carol, tx.nonce, tx.outcome), "memory.grow failed");
      return tx.outcome;
    });
    assert.ok(grow.gas !== null && grow.gas.reported > 65_536n * 8_192n);
    const growPoor = await unchanged(
      "huge execute, little gas",
      async () => (await chain.execute(carol, huge, {}, { gas: SMALL })).outcome,
    );
    assert.equal(enclaveError(growPoor).code, "VM_OUT_OF_GAS");
    const alloc = await unchanged("huge query", () => chain.query(bob, huge, {}).outcome);
    assert.equal(enclaveError(alloc).code, "VM_PANIC");
    // memory.grow(-1): an enormous unsigned page count, out of gas whatever the limit.
    const negative = await unchanged("huge migrate", () => chain.migrate(alice, huge, {}));
    assert.equal(enclaveError(negative).code, "VM_OUT_OF_GAS");
    return gas;
  }

  it("every case fails with its own error, leaves the host's state unchanged, and costs the same gas twice", async () => {
    const first = await hostileRun();
    const second = await hostileRun();
    assert.deepEqual(second, first);
    assert.ok(first.length >= 12);
  });
});
