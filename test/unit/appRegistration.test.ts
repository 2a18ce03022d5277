/**
 * The registration module: genesis (validation, export round trip), the key and encrypted-seed
 * queries, and MsgRaAuthenticate end to end with the real enclave crypto in-process (a bootstrap
 * KeyChain encrypting the seeds, software evidence from the dev authority, the new node decrypting),
 * plus the refusals and their codes, each leaving the registration state as it was; the key routes
 * over the LCD.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { startLcdServer } from "../../src/api/lcd/index.ts";
import type { SecretApp, TxResult } from "../../src/app/index.ts";
import type { EnclaveForRegistration } from "../../src/app/registration/types.ts";
import {
  createSoftwareEvidence,
  policyToJson,
  createPolicy,
  verifyEvidence,
  AttestError,
} from "../../src/attestation/index.ts";
import { decodeTxMsgData } from "../../src/codec/abci.ts";
import { decodeBaseAccount, decodeQueryAccountResponse, encodeQueryAccountRequest } from "../../src/codec/auth.ts";
import {
  REGISTRATION_QUERY_PATHS,
  REGISTRATION_URLS,
  decodeKeyResponse,
  decodeMsgRaAuthenticate,
  decodeMsgRaAuthenticateResponse,
  decodeQueryEncryptedSeedResponse,
  encodeMsgRaAuthenticate,
  encodeMsgRaAuthenticateResponse,
  encodeQueryEncryptedSeedRequest,
} from "../../src/codec/registration.ts";
import type { Any } from "../../src/codec/tx.ts";
import { ed25519PublicKey, sha256, x25519PublicKey } from "../../src/crypto/index.ts";
import { KeyChain } from "../../src/enclave/keys.ts";
import {
  decryptSeedsFromNetwork,
  encryptSeedsForRegistration,
  seedExchangeInput,
} from "../../src/enclave/seedExchange.ts";
import { fromBase64, toBase64 } from "../../src/primitives/base64.ts";
import { concatBytes, utf8Encode } from "../../src/primitives/bytes.ts";
import { toHex } from "../../src/primitives/hex.ts";
import { blockTime, genesisFor, newApp, signTx, testKey, type TestKey } from "../helpers/appTx.ts";
import { TestBackend } from "./apiLcdBackend.ts";

const bytes32 = (label: string): Uint8Array => sha256(utf8Encode(label));

const SEEDS = [bytes32("genesis seed"), bytes32("second seed")];
const NETWORK = KeyChain.fromSeeds(SEEDS);
const NODE_EXCH_KEY = NETWORK.seedExchangePublicKey;
const IO_EXCH_KEY = NETWORK.ioPublicKey;
const AUTHORITY_SEED = bytes32("dev authority");
const OTHER_AUTHORITY_SEED = bytes32("someone else's authority");
const MEASUREMENT = bytes32("bootstrap build");
const PLATFORM = bytes32("platform");
/** 2025-01-01, the time of block 0 in `blockTime`. */
const T0 = 1_735_689_600n;

const POLICY_JSON = policyToJson(
  createPolicy({
    allowedMeasurements: [{ measurement: MEASUREMENT, label: "bootstrap build" }],
    authorities: [{ teeType: 1, publicKey: ed25519PublicKey(AUTHORITY_SEED), label: "dev authority" }],
    maxQuoteAgeSeconds: 3600n,
  }),
);

const alice = testKey("registration alice");
const bob = testKey("registration bob");

function registerSection(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    node_exch_key: toBase64(NODE_EXCH_KEY),
    io_exch_key: toBase64(IO_EXCH_KEY),
    params: { attestation_policy: POLICY_JSON },
    ...extra,
  };
}

/** The enclave side, as `EnclaveLifecycle.registerNode` does it: checks 1–7 and 9, then encrypts. */
function testEnclave(keys: KeyChain = NETWORK): EnclaveForRegistration & { calls: number } {
  const policy = createPolicy({
    allowedMeasurements: [{ measurement: MEASUREMENT, label: "" }],
    authorities: [{ teeType: 1, publicKey: ed25519PublicKey(AUTHORITY_SEED), label: "" }],
    maxQuoteAgeSeconds: 3600n,
  });
  const enclave = {
    calls: 0,
    registerNode(evidence: Uint8Array, blockTimeSeconds: bigint): Uint8Array {
      enclave.calls++;
      const verified = verifyEvidence(evidence, { blockTimeSeconds, policy });
      if (!verified.ok) throw AttestError.from(verified.error);
      return encryptSeedsForRegistration(keys, verified.value.enclavePublicKey);
    },
  };
  return enclave;
}

/** `enclave` null: a node without an enclave. */
function freshApp(
  enclave: EnclaveForRegistration | null = testEnclave(),
  register: unknown = registerSection(),
): SecretApp {
  const app = newApp(undefined, enclave === null ? {} : { registrationEnclave: enclave });
  const doc = genesisFor([
    { key: alice, coins: [{ denom: "uscrt", amount: "10000000" }] },
    { key: bob, coins: [{ denom: "uscrt", amount: "10000000" }] },
  ]);
  app.initChain({ ...doc, appState: { ...(doc.appState as Record<string, unknown>), register } });
  return app;
}

function block(app: SecretApp, txs: Uint8Array[]): TxResult[] {
  const h = app.lastHeight + 1;
  const res = app.finalizeBlock({ height: h, timeNanos: blockTime(h), txs });
  app.commit();
  return [...res.txResults];
}

function account(app: SecretApp, key: TestKey): { accountNumber: bigint; sequence: bigint } {
  const r = app.query("/cosmos.auth.v1beta1.Query/Account", encodeQueryAccountRequest({ address: key.bech32 }));
  assert.equal(r.code, 0, r.log);
  const base = decodeBaseAccount(decodeQueryAccountResponse(r.value).value);
  return { accountNumber: base.accountNumber, sequence: base.sequence };
}

const raMsg = (sender: Uint8Array, certificate: Uint8Array): Any => ({
  typeUrl: REGISTRATION_URLS.RaAuthenticate,
  value: encodeMsgRaAuthenticate({ sender, certificate }),
});

function registerTx(app: SecretApp, signer: TestKey, certificate: Uint8Array): Uint8Array {
  const { accountNumber, sequence } = account(app, signer);
  return signTx({
    messages: [raMsg(signer.address, certificate)],
    signer,
    accountNumber,
    sequence,
    gas: 400_000n,
    fee: [{ denom: "uscrt", amount: "5000" }],
  });
}

interface NewNode {
  readonly regSk: Uint8Array;
  readonly regPk: Uint8Array;
  readonly nonce: Uint8Array;
}

function newNode(label: string, nonce = bytes32(`nonce ${label}`)): NewNode {
  const regSk = bytes32(`registration key ${label}`);
  return { regSk, regPk: x25519PublicKey(regSk), nonce };
}

function evidenceFor(
  node: NewNode,
  o: { issuedAt?: bigint; authority?: Uint8Array; measurement?: Uint8Array } = {},
): Uint8Array {
  return createSoftwareEvidence(
    {
      measurement: o.measurement ?? MEASUREMENT,
      platformId: PLATFORM,
      reportData: concatBytes(node.regPk, node.nonce),
    },
    o.issuedAt ?? T0,
    o.authority ?? AUTHORITY_SEED,
  );
}

function query(app: SecretApp, path: string, data: Uint8Array = new Uint8Array(0)) {
  return app.query(path, data);
}

function encryptedSeedOf(app: SecretApp, regPk: Uint8Array): Uint8Array | undefined {
  const r = query(app, REGISTRATION_QUERY_PATHS.EncryptedSeed, encodeQueryEncryptedSeedRequest(regPk));
  if (r.code !== 0) {
    assert.equal(r.code, 9);
    assert.match(r.log, /Node has not been authenticated yet/);
    return undefined;
  }
  return decodeQueryEncryptedSeedResponse(r.value);
}

const registerState = (app: SecretApp): unknown => app.exportGenesis().register;

describe("registration genesis", () => {
  it("stores the keys and the policy and exports them back (round trip)", () => {
    const app = freshApp();
    const exported = app.exportGenesis().register;
    assert.deepEqual(exported, { ...registerSection(), registrations: [], used_nonces: [] });
    const again = freshApp(testEnclave(), exported);
    assert.deepEqual(again.exportGenesis().register, exported);
  });

  it("leaves the module uninitialised without a register section", () => {
    const app = newApp();
    app.initChain(genesisFor([{ key: alice, coins: [{ denom: "uscrt", amount: "1" }] }]));
    assert.equal(app.exportGenesis().register, undefined);
    for (const path of [REGISTRATION_QUERY_PATHS.TxKey, REGISTRATION_QUERY_PATHS.RegistrationKey]) {
      const r = query(app, path);
      assert.equal(r.code, 9);
      assert.equal(r.codespace, "sdk");
      assert.match(r.log, /Chain has not been initialized yet/);
    }
  });

  it("refuses missing or malformed keys, a bad policy, duplicate entries", () => {
    const bad: Array<[Record<string, unknown>, RegExp]> = [
      [{ ...registerSection(), node_exch_key: undefined }, /node_exch_key is required/],
      [{ ...registerSection(), io_exch_key: undefined }, /io_exch_key is required/],
      [{ ...registerSection(), io_exch_key: toBase64(new Uint8Array(31)) }, /io_exch_key must be 32 bytes/],
      [{ ...registerSection(), node_exch_key: "not base64!" }, /node_exch_key is not valid base64/],
      [
        { ...registerSection(), params: { attestation_policy: { authorities: [{ tee_type: 9 }] } } },
        /attestation_policy/,
      ],
      [{ ...registerSection(), params: { other: 1 } }, /unknown field 'other'/],
      [{ ...registerSection(), used_nonces: [toBase64(bytes32("n")), toBase64(bytes32("n"))] }, /duplicate used nonce/],
      [
        {
          ...registerSection(),
          registrations: [{ public_key: toBase64(bytes32("k")), certificate: "AQ==", encrypted_seed: "AQ==" }],
        },
        /multiple of 48/,
      ],
    ];
    for (const [section, message] of bad) {
      const app = newApp(undefined, { registrationEnclave: testEnclave() });
      assert.throws(
        () => app.initChain({ chainId: "secretdev-1", appState: { register: JSON.parse(JSON.stringify(section)) } }),
        (e: unknown) => e instanceof Error && message.test(e.message),
        String(message),
      );
    }
  });
});

describe("registration queries", () => {
  it("answer the tx key, the registration key and an unknown node", () => {
    const app = freshApp();
    block(app, []);
    const tx = query(app, REGISTRATION_QUERY_PATHS.TxKey);
    assert.equal(tx.code, 0, tx.log);
    assert.equal(toBase64(decodeKeyResponse(tx.value)), toBase64(IO_EXCH_KEY));
    // Upstream (querier.go, v1.22) answers the registration key as json.Marshal of a GenesisState.
    const reg = query(app, REGISTRATION_QUERY_PATHS.RegistrationKey);
    assert.equal(reg.code, 0, reg.log);
    const text = new TextDecoder().decode(decodeKeyResponse(reg.value));
    assert.equal(
      text,
      `{"reg_info":null,"node_exch_key":{"bytes":"${toBase64(NODE_EXCH_KEY)}"},"io_exch_key":{"bytes":"${toBase64(IO_EXCH_KEY)}"}}`,
    );
    assert.deepEqual(JSON.parse(text), {
      reg_info: null,
      node_exch_key: { bytes: toBase64(NODE_EXCH_KEY) },
      io_exch_key: { bytes: toBase64(IO_EXCH_KEY) },
    });
    assert.equal(encryptedSeedOf(app, newNode("unknown").regPk), undefined);
    // Any key that is not registered (whatever its length) is an unknown node; none at all is invalid.
    const short = query(
      app,
      REGISTRATION_QUERY_PATHS.EncryptedSeed,
      encodeQueryEncryptedSeedRequest(new Uint8Array(5).fill(1)),
    );
    assert.equal(short.code, 9);
    assert.equal(short.log, "Node has not been authenticated yet: unknown address");
    const empty = query(app, REGISTRATION_QUERY_PATHS.EncryptedSeed, new Uint8Array(0));
    assert.deepEqual([empty.codespace, empty.code, empty.log], ["register", 8, "public key: invalid"]);
  });
});

describe("MsgRaAuthenticate", () => {
  it("codec round trip (and the later field 3 is accepted)", () => {
    const m = { sender: alice.address, certificate: Uint8Array.of(1, 2, 3) };
    assert.deepEqual(decodeMsgRaAuthenticate(encodeMsgRaAuthenticate(m)), m);
    const withField3 = concatBytes(encodeMsgRaAuthenticate(m), Uint8Array.of(0x1a, 1, 0x78));
    assert.deepEqual(decodeMsgRaAuthenticate(withField3), m);
    const r = { data: "S: 00", events: "[]" };
    assert.deepEqual(decodeMsgRaAuthenticateResponse(encodeMsgRaAuthenticateResponse(r)), r);
  });

  it("registers a node: the new node decrypts the network's seeds from what the chain stored", () => {
    const enclave = testEnclave();
    const app = freshApp(enclave);
    const node = newNode("one");
    const evidence = evidenceFor(node, { issuedAt: T0 - 60n });
    const [r] = block(app, [registerTx(app, alice, evidence)]);
    assert.equal(r!.code, 0, r!.log);
    assert.equal(enclave.calls, 1);

    const expected = encryptSeedsForRegistration(NETWORK, node.regPk);
    assert.equal(expected.length, 2 * 48);
    const stored = encryptedSeedOf(app, node.regPk);
    assert.ok(stored !== undefined);
    assert.equal(toHex(stored), toHex(expected));

    // The new node's side: the registration secret key and the published node_exch_key.
    const seeds = decryptSeedsFromNetwork(node.regSk, NODE_EXCH_KEY, seedExchangeInput(stored));
    assert.deepEqual(seeds.map(toHex), SEEDS.map(toHex));
    assert.equal(toHex(KeyChain.fromSeeds(seeds).ioPublicKey), toHex(IO_EXCH_KEY));

    // Event and response.
    const ev = r!.events.find((e) => e.type === "message" && e.attributes.some((a) => a.key === "node_id"));
    assert.ok(ev !== undefined);
    assert.deepEqual(
      ev.attributes.map((a) => [a.key, a.value]),
      [
        ["module", "register"],
        ["signer", alice.bech32],
        ["encrypted_seed", `0x${toHex(expected)}`],
        ["node_id", `0x${toHex(node.regPk)}`],
        ["msg_index", "0"],
      ],
    );
    const any = decodeTxMsgData(r!.data).msgResponses[0]!;
    assert.equal(any.typeUrl, "/secret.registration.v1beta1.RaAuthenticateResponse");
    const response = decodeMsgRaAuthenticateResponse(any.value);
    assert.equal(response.data, `S: ${toHex(expected)}`);
    const events = JSON.parse(response.events) as Array<{
      type: string;
      attributes: Array<{ key: string; value: string }>;
    }>;
    assert.equal(events.length, 1);
    assert.equal(events[0]!.type, "message");
    assert.deepEqual(
      events[0]!.attributes.find((a) => a.key === "node_id"),
      { key: "node_id", value: `0x${toHex(node.regPk)}`, index: true },
    );

    // Exported with the registration and the used nonce; a chain started from it answers the same.
    const exported = app.exportGenesis().register as Record<string, unknown>;
    assert.deepEqual(exported.registrations, [
      { public_key: toBase64(node.regPk), certificate: toBase64(evidence), encrypted_seed: toBase64(expected) },
    ]);
    assert.deepEqual(exported.used_nonces, [toBase64(node.nonce)]);
    const restarted = freshApp(testEnclave(), exported);
    block(restarted, []);
    assert.equal(toHex(encryptedSeedOf(restarted, node.regPk)!), toHex(expected));
    assert.deepEqual(restarted.exportGenesis().register, exported);
    // The imported nonce is refused too.
    const [again] = block(restarted, [
      registerTx(restarted, bob, evidenceFor(newNode("other key", node.nonce), { issuedAt: T0 })),
    ]);
    assert.equal(again!.codespace, "register");
    assert.match(again!.log, /ATTEST_NONCE_REUSED/);
  });

  it("is not routed on a node without an enclave (sdk 6)", () => {
    const app = freshApp(null);
    const [r] = block(app, [registerTx(app, alice, evidenceFor(newNode("x")))]);
    assert.equal(r!.code, 6);
    assert.equal(r!.codespace, "sdk");
  });

  it("refuses an empty certificate (sdk 18) before the ante handler", () => {
    const enclave = testEnclave();
    const app = freshApp(enclave);
    const before = registerState(app);
    const seqBefore = account(app, alice).sequence;
    const [r] = block(app, [registerTx(app, alice, new Uint8Array(0))]);
    assert.equal(r!.code, 18);
    assert.equal(r!.codespace, "sdk");
    assert.match(r!.log, /Authenticating certificate cannot be empty/);
    assert.equal(account(app, alice).sequence, seqBefore);
    assert.deepEqual(registerState(app), before);
    assert.equal(enclave.calls, 0);
  });

  it("refuses a sender of the wrong length (sdk 7)", () => {
    const app = freshApp();
    const tx = signTx({
      messages: [raMsg(new Uint8Array(21), evidenceFor(newNode("len")))],
      signer: alice,
      accountNumber: 0n,
      sequence: 0n,
      gas: 400_000n,
      fee: [{ denom: "uscrt", amount: "5000" }],
    });
    const [r] = block(app, [tx]);
    assert.equal(r!.code, 7);
    assert.equal(r!.codespace, "sdk");
  });

  const refusals: Array<[string, (node: NewNode) => Uint8Array, string]> = [
    ["an unknown authority", (n) => evidenceFor(n, { authority: OTHER_AUTHORITY_SEED }), "ATTEST_UNKNOWN_AUTHORITY"],
    [
      "a measurement not allowed",
      (n) => evidenceFor(n, { measurement: bytes32("other build") }),
      "ATTEST_MEASUREMENT_NOT_ALLOWED",
    ],
    ["a stale quote", (n) => evidenceFor(n, { issuedAt: T0 - 3600n - 10n }), "ATTEST_STALE"],
    ["a quote from the future", (n) => evidenceFor(n, { issuedAt: T0 + 1000n }), "ATTEST_STALE"],
    ["malformed evidence", () => Uint8Array.of(1, 2, 3), "ATTEST_MALFORMED"],
  ];
  for (const [what, make, code] of refusals) {
    it(`refuses ${what} (register 2, ${code}) and changes nothing`, () => {
      const enclave = testEnclave();
      const app = freshApp(enclave);
      const node = newNode(what);
      const before = registerState(app);
      const [r] = block(app, [registerTx(app, alice, make(node))]);
      assert.equal(r!.codespace, "register");
      assert.equal(r!.code, 2);
      assert.match(
        r!.log,
        new RegExp(`^failed to execute message; message index: 0: ${code}: .*: Failed to authenticate node$`),
      );
      assert.deepEqual(r!.data, new Uint8Array(0));
      assert.deepEqual(registerState(app), before);
      assert.equal(encryptedSeedOf(app, node.regPk), undefined);
      assert.equal(enclave.calls, 0);
      // The nonce of the refused evidence was not consumed: valid evidence with it registers.
      const [ok] = block(app, [registerTx(app, alice, evidenceFor(node, { issuedAt: T0 }))]);
      assert.equal(ok!.code, 0, ok!.log);
    });
  }

  it("refuses a reused nonce (register 2, ATTEST_NONCE_REUSED), in a later block or the same one", () => {
    const enclave = testEnclave();
    const app = freshApp(enclave);
    const first = newNode("first");
    const [ok] = block(app, [registerTx(app, alice, evidenceFor(first))]);
    assert.equal(ok!.code, 0, ok!.log);
    const before = registerState(app);
    // The very same evidence again, and new evidence for another key with the same nonce.
    const replay = newNode("replayer", first.nonce);
    const [r1] = block(app, [registerTx(app, bob, evidenceFor(first))]);
    const [r2] = block(app, [registerTx(app, bob, evidenceFor(replay, { issuedAt: T0 + 1n }))]);
    for (const r of [r1!, r2!]) {
      assert.equal(r.codespace, "register");
      assert.equal(r.code, 2);
      assert.match(r.log, /ATTEST_NONCE_REUSED/);
    }
    assert.deepEqual(registerState(app), before);
    assert.equal(encryptedSeedOf(app, replay.regPk), undefined);
    assert.equal(enclave.calls, 1);

    // Two txs with one nonce in one block: the first registers, the second is refused.
    const a = newNode("same block a");
    const b = newNode("same block b", a.nonce);
    const txA = registerTx(app, alice, evidenceFor(a));
    const txB = registerTx(app, bob, evidenceFor(b));
    const [ra, rb] = block(app, [txA, txB]);
    assert.equal(ra!.code, 0, ra!.log);
    assert.match(rb!.log, /ATTEST_NONCE_REUSED/);
  });

  it("maps the enclave's own ATTEST refusal to register 2 and stores nothing", () => {
    const strict: EnclaveForRegistration = {
      registerNode() {
        throw new AttestError("ATTEST_MEASUREMENT_NOT_ALLOWED", "not in the enclave's sealed policy");
      },
    };
    const app = freshApp(strict);
    const node = newNode("enclave refuses");
    const before = registerState(app);
    const [r] = block(app, [registerTx(app, alice, evidenceFor(node))]);
    assert.equal(r!.codespace, "register");
    assert.equal(r!.code, 2);
    assert.match(r!.log, /ATTEST_MEASUREMENT_NOT_ALLOWED: enclave:/);
    assert.deepEqual(registerState(app), before);
  });
});

describe("registration queries over the LCD (chain-api.md §7.10)", () => {
  it("tx-key is b64 of the IO key; registration-key is b64 of upstream's JSON document", async () => {
    const backend = new TestBackend(freshApp(), "secretdev-1");
    backend.produceBlock([]);
    const server = await startLcdServer({ backend, host: "127.0.0.1", port: 0 });
    try {
      const get = async (path: string) => (await fetch(`http://127.0.0.1:${server.port}${path}`)).json();
      assert.deepEqual(await get("/registration/v1beta1/tx-key"), { key: toBase64(IO_EXCH_KEY) });
      const reg = (await get("/registration/v1beta1/registration-key?")) as { key: string };
      const json = JSON.parse(new TextDecoder().decode(fromBase64(reg.key))) as unknown;
      assert.deepEqual(json, {
        reg_info: null,
        node_exch_key: { bytes: toBase64(NODE_EXCH_KEY) },
        io_exch_key: { bytes: toBase64(IO_EXCH_KEY) },
      });
    } finally {
      await server.close();
    }
  });
});
