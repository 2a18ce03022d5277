/**
 * The app's per-tx memos (node memory that must never change a result): the decoded-tx cache
 * (CheckTx's decoding reused by the block and by re-checks), the verified-signer memo of the signature
 * cache, the decoded-account and decoded-key memos, and the byte-string ids they use.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { AuthKeeper } from "../../src/app/auth/keeper.ts";
import { BankKeeper } from "../../src/app/bank/keeper.ts";
import { bankMsgServices } from "../../src/app/bank/msgServer.ts";
import { bytesId } from "../../src/app/bytesId.ts";
import { Context } from "../../src/app/context.ts";
import { InfiniteGasMeter } from "../../src/app/gas.ts";
import type { FinalizeBlockResponse, SecretApp } from "../../src/app/index.ts";
import { SignatureCache } from "../../src/app/sigCache.ts";
import { decodeAccountPubKey, type PubKey, type SigData } from "../../src/app/sigVerify.ts";
import { DecodedTxCache, decodeTx, txHashHex } from "../../src/app/txDecode.ts";
import { accountFromAny } from "../../src/app/auth/keeper.ts";
import { accountKey as accountKeyOf, accountKeyShared } from "../../src/app/auth/keys.ts";
import { balanceKey, balanceKeyShared } from "../../src/app/bank/keys.ts";
import { decodeAny } from "../../src/codec/tx.ts";
import { sha256 } from "../../src/crypto/index.ts";
import { toHex } from "../../src/primitives/hex.ts";
import { ED25519_PUBKEY_URL } from "../../src/codec/keys.ts";
import { SignMode } from "../../src/codec/tx.ts";
import { createMemoryDatabase, openMultiStore } from "../../src/store/index.ts";
import { AUTH_STORE } from "../../src/app/auth/keys.ts";
import {
  blockTime,
  genesisFor,
  multiSendMsg,
  newApp,
  pubKeyAny,
  sendMsg,
  signTx,
  testKey,
  type TestKey,
} from "../helpers/appTx.ts";

const keys = [testKey("memo a"), testKey("memo b"), testKey("memo c"), testKey("memo d")];

function appWith(options: Parameters<typeof newApp>[1]): SecretApp {
  const app = newApp(createMemoryDatabase(), options);
  app.initChain(genesisFor(keys.map((key) => ({ key, coins: [{ denom: "uscrt", amount: "10000000" }] }))));
  app.finalizeBlock({ height: 1, timeNanos: blockTime(1), txs: [] });
  app.commit();
  return app;
}

const send = (from: TestKey, to: TestKey, amount: string, sequence: bigint, extra: object = {}): Uint8Array =>
  signTx({
    messages: [sendMsg(from.bech32, to.bech32, [{ denom: "uscrt", amount }])],
    signer: from,
    accountNumber: BigInt(keys.indexOf(from)),
    sequence,
    ...extra,
  });

/** Blocks of txs of every outcome: valid, wrong sequence, bad signature, short funds, undecodable. */
function blocksOfMixedTxs(): Uint8Array[][] {
  const [a, b, c, d] = keys as [TestKey, TestKey, TestKey, TestKey];
  const badSig = send(c, a, "5", 0n);
  badSig[badSig.length - 1] = badSig[badSig.length - 1]! ^ 1;
  return [
    [
      send(a, b, "100", 0n),
      send(a, b, "100", 5n), // wrong sequence
      badSig, // signature does not verify
      send(b, c, "99999999999", 0n), // short funds (fails in the message, after the ante)
      Uint8Array.of(1, 2, 3), // not a tx
      signTx({
        messages: [
          multiSendMsg({
            inputs: [{ address: d.bech32, coins: [{ denom: "uscrt", amount: "20" }] }],
            outputs: [
              { address: a.bech32, coins: [{ denom: "uscrt", amount: "10" }] },
              { address: b.bech32, coins: [{ denom: "uscrt", amount: "10" }] },
            ],
          }),
        ],
        signer: d,
        accountNumber: 3n,
        sequence: 0n,
      }),
    ],
    [send(a, c, "7", 1n), send(b, a, "1", 1n), send(a, c, "7", 1n) /* the same bytes again: sequence used */],
    [send(c, d, "3", 0n, { memo: "third block" }), send(a, b, "1", 2n, { withPubKey: false })],
  ];
}

function run(app: SecretApp, blocks: readonly Uint8Array[][], precheck: boolean) {
  const out: Array<{ checks: unknown[]; block: FinalizeBlockResponse; appHash: Uint8Array }> = [];
  for (let i = 0; i < blocks.length; i++) {
    const height = app.lastHeight + 1;
    const checks = precheck ? blocks[i]!.map((tx) => app.checkTx(tx)) : [];
    const block = app.finalizeBlock({ height, timeNanos: blockTime(height), txs: blocks[i]! });
    out.push({ checks, block, appHash: app.commit().appHash });
  }
  return out;
}

describe("decoded-tx cache", () => {
  it("block results, gas, events and app hashes are those of an app without any memo", () => {
    const blocks = blocksOfMixedTxs();
    const plain = run(appWith({ decodedTxCacheSize: 0, signatureCacheSize: 0 }), blocks, true);
    const memo = run(appWith({}), blocks, true);
    const cold = run(appWith({}), blocks, false);
    assert.deepEqual(memo, plain);
    assert.deepEqual(
      cold.map((b) => [b.block, b.appHash]),
      plain.map((b) => [b.block, b.appHash]),
    );
    // The mix really has every outcome.
    const codes = new Set(plain.flatMap((b) => b.block.txResults.map((r) => r.code)));
    assert.ok(codes.size >= 4, `codes ${[...codes].join(",")}`);
  });

  it("a caller reusing its buffer after CheckTx changes nothing remembered", () => {
    const app = appWith({});
    const [a, b] = keys as [TestKey, TestKey];
    const buffer = send(a, b, "10", 0n);
    const original = buffer.slice();
    assert.equal(app.checkTx(buffer).code, 0);
    buffer[buffer.length - 1] = buffer[buffer.length - 1]! ^ 1; // now a different tx (its signature broken)
    const res = app.finalizeBlock({ height: 2, timeNanos: blockTime(2), txs: [buffer, original] });
    assert.equal(res.txResults[0]!.code, 4, res.txResults[0]!.log);
    assert.match(res.txResults[0]!.log, /signature verification failed/);
    assert.equal(res.txResults[1]!.code, 0, res.txResults[1]!.log);
  });

  it("remembers only what decodes, from a private copy, bounded, oldest out first", () => {
    const routes = new Map(bankMsgServices(new BankKeeper(new AuthKeeper(), [])).map((s) => [s.typeUrl, s]));
    const cache = new DecodedTxCache(2);
    const txs = [0n, 1n, 2n].map((s) => send(keys[0]!, keys[1]!, "1", s));
    const ids = txs.map((tx) => DecodedTxCache.idOf(tx));
    assert.equal(new Set(ids).size, 3);
    const junk = Uint8Array.of(9);
    assert.throws(() => cache.decodeAndKeep(junk, routes));
    assert.equal(cache.size, 0, "a failed decoding is not kept");
    const decoded = cache.decodeAndKeep(txs[0]!, routes);
    assert.notEqual(decoded.bytes, txs[0], "decoded from a copy");
    assert.deepEqual(decoded.bytes, txs[0]);
    assert.equal(cache.get(txs[0]!), decoded);
    assert.equal(cache.get(txs[0]!.slice()), decoded, "found by the bytes, not the array");
    assert.equal(cache.decodeAndKeep(txs[0]!, routes), decoded, "kept decodings are handed out again");
    cache.decodeAndKeep(txs[1]!, routes);
    cache.decodeAndKeep(txs[2]!, routes);
    assert.equal(cache.size, 2);
    assert.equal(cache.get(txs[0]!), undefined, "the oldest went first");
    assert.deepEqual(cache.take(txs[1]!)?.bytes, txs[1]);
    assert.equal(cache.get(txs[1]!), undefined, "take removes");
    assert.notEqual(cache.get(txs[2]!), undefined);
    // The byte bound: txs of one length L under a budget of 16·L keep 16; a longer tx is not kept.
    const many = Array.from({ length: 20 }, (_, s) => send(keys[0]!, keys[1]!, "1", BigInt(s + 1)));
    const length = many[0]!.length;
    assert.ok(many.every((tx) => tx.length === length));
    const byBytes = new DecodedTxCache(100, 16 * length);
    for (const tx of many) byBytes.decodeAndKeep(tx, routes);
    assert.equal(byBytes.size, 16);
    assert.equal(byBytes.bytes, 16 * length);
    assert.equal(byBytes.get(many[3]!), undefined);
    assert.notEqual(byBytes.get(many[4]!), undefined);
    const long = send(keys[0]!, keys[1]!, "1", 0n, { memo: "m".repeat(100) });
    byBytes.decodeAndKeep(long, routes);
    assert.equal(byBytes.get(long), undefined, "above a sixteenth of the budget");
    byBytes.take(many[19]!);
    assert.equal(byBytes.bytes, 15 * length);
    const off = new DecodedTxCache(0);
    off.decodeAndKeep(txs[0]!, routes);
    assert.equal(off.size, 0);
  });

  it("txs whose ids collide (same length and tail, other bytes) never get each other's decoding", () => {
    const routes = new Map(bankMsgServices(new BankKeeper(new AuthKeeper(), [])).map((s) => [s.typeUrl, s]));
    const cache = new DecodedTxCache(10);
    const a = send(keys[0]!, keys[1]!, "1", 0n);
    const b = send(keys[0]!, keys[1]!, "2", 0n);
    assert.equal(a.length, b.length);
    // b with a's tail: the same id, other bytes (its signature no longer matches, but it decodes).
    const twin = b.slice();
    twin.set(a.subarray(a.length - 24), twin.length - 24);
    assert.equal(DecodedTxCache.idOf(twin), DecodedTxCache.idOf(a));
    const first = cache.decodeAndKeep(a, routes);
    assert.equal(cache.get(twin), undefined, "a colliding id is a miss");
    assert.equal(cache.take(twin), undefined);
    const other = cache.decodeAndKeep(twin, routes);
    assert.notEqual(other, first);
    assert.deepEqual(other.bytes, twin);
    assert.equal(cache.get(a), first, "the kept entry stays");
    assert.deepEqual(
      other.msgs.map((m) => m.msg),
      decodeTx(twin, routes).msgs.map((m) => m.msg),
    );
    assert.equal(cache.take(a), first);
    assert.equal(cache.size, 0);
  });
});

describe("verified-signer memo", () => {
  const key = decodeAccountPubKey(pubKeyAny(keys[0]!.pubKey));
  const other = decodeAccountPubKey(pubKeyAny(keys[1]!.pubKey));
  const direct: SigData = { kind: "single", mode: SignMode.DIRECT, signature: new Uint8Array(64) };
  const tx = { raw: { bodyBytes: Uint8Array.of(1), authInfoBytes: Uint8Array.of(2) } };

  it("answers only for the same tx object, signer, key, account number and chain id", () => {
    const cache = new SignatureCache(10);
    assert.equal(cache.wasVerified(tx, 0, key, direct, 5n, "c-1"), false);
    cache.rememberVerified(tx, 0, key, direct, 5n, "c-1");
    assert.equal(cache.wasVerified(tx, 0, key, direct, 5n, "c-1"), true);
    assert.equal(cache.wasVerified(tx, 1, key, direct, 5n, "c-1"), false, "another signer");
    assert.equal(cache.wasVerified(tx, 0, other, direct, 5n, "c-1"), false, "another key");
    assert.equal(cache.wasVerified(tx, 0, key, direct, 6n, "c-1"), false, "another account number");
    assert.equal(cache.wasVerified(tx, 0, key, direct, 5n, "c-2"), false, "another chain");
    const copy = { raw: { ...tx.raw } };
    assert.equal(cache.wasVerified(copy, 0, key, direct, 5n, "c-1"), false, "another tx object");
  });

  it("remembers nothing for other sign modes or keys, nor when the cache is disabled", () => {
    const cache = new SignatureCache(10);
    const amino: SigData = { kind: "single", mode: SignMode.LEGACY_AMINO_JSON, signature: new Uint8Array(64) };
    cache.rememberVerified(tx, 0, key, amino, 5n, "c-1");
    assert.equal(cache.wasVerified(tx, 0, key, amino, 5n, "c-1"), false);
    const ed: PubKey = { kind: "ed25519", key: new Uint8Array(32), address: new Uint8Array(20) };
    cache.rememberVerified(tx, 1, ed, direct, 5n, "c-1");
    assert.equal(cache.wasVerified(tx, 1, ed, direct, 5n, "c-1"), false);
    const off = new SignatureCache(0);
    off.rememberVerified(tx, 0, key, direct, 5n, "c-1");
    assert.equal(off.wasVerified(tx, 0, key, direct, 5n, "c-1"), false);
  });

  it("has and add agree with the ids (length-prefixed fields)", () => {
    const cache = new SignatureCache(2);
    const k = Uint8Array.of(1);
    const s = Uint8Array.of(2, 3);
    const b = Uint8Array.of(4);
    assert.equal(cache.hasId(SignatureCache.idOf(k, s, b)), false);
    cache.add(k, s, b);
    assert.ok(cache.hasId(SignatureCache.idOf(k, s, b)));
    assert.notEqual(SignatureCache.idOf(k, s, b), SignatureCache.idOf(k, Uint8Array.of(2), Uint8Array.of(3, 4)));
  });
});

describe("decoded accounts and keys", () => {
  function keeperCtx(): { auth: AuthKeeper; ctx: Context } {
    const store = openMultiStore(createMemoryDatabase(), { storeNames: [AUTH_STORE] });
    const ctx = new Context(
      { height: 1, timeNanos: 0n, chainId: "c" },
      "deliver",
      store.branch(),
      new InfiniteGasMeter(),
    );
    return { auth: new AuthKeeper(), ctx };
  }

  it("an account read twice is one frozen object, not tied to the caller's address array", () => {
    const { auth, ctx } = keeperCtx();
    const address = keys[0]!.address.slice();
    auth.setAccount(ctx, { address, pubKey: pubKeyAny(keys[0]!.pubKey), accountNumber: 3n, sequence: 4n });
    const first = auth.getAccount(ctx, address)!;
    const second = auth.getAccount(ctx, address)!;
    assert.equal(first, second);
    assert.ok(Object.isFrozen(first) && Object.isFrozen(first.pubKey));
    assert.throws(() => ((first as { sequence: bigint }).sequence = 9n), TypeError);
    address[0] = address[0]! ^ 0xff; // the caller reuses its array
    assert.deepEqual(first.address, keys[0]!.address);
    // A write stores new bytes: the next read decodes them.
    auth.setAccount(ctx, { ...first, sequence: 5n });
    assert.equal(auth.getAccount(ctx, keys[0]!.address)!.sequence, 5n);
    assert.equal(first.sequence, 4n);
  });

  it("an account written is read back exactly as a fresh decoding of its stored bytes gives it", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 20, maxLength: 20 }),
        fc.option(
          fc.record({
            // ASCII type URLs are remembered at the write; others (a lone surrogate) are decoded.
            typeUrl: fc.oneof(
              fc.string({ maxLength: 12 }),
              fc.constant("/x\ud800"),
              fc.string({ maxLength: 4, unit: "grapheme" }),
            ),
            value: fc.uint8Array({ maxLength: 40 }),
          }),
          {
            nil: undefined,
          },
        ),
        fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
        fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
        (address, pubKey, accountNumber, sequence) => {
          const { auth, ctx } = keeperCtx();
          const written = { address: address.slice(), pubKey, accountNumber, sequence };
          auth.setAccount(ctx, written);
          const read = auth.getAccount(ctx, address)!;
          const stored = ctx.store.getStore(AUTH_STORE).get(accountKeyOf(address))!;
          assert.deepStrictEqual(read, accountFromAny(decodeAny(stored), address.slice()));
          assert.ok(Object.isFrozen(read));
          // Not tied to the writer's arrays.
          written.address[0] = written.address[0]! ^ 0xff;
          if (pubKey !== undefined && pubKey.value.length > 0) pubKey.value[0] = pubKey.value[0]! ^ 0xff;
          assert.deepStrictEqual(auth.getAccount(ctx, address), accountFromAny(decodeAny(stored), address.slice()));
        },
      ),
      { numRuns: 200 },
    );
  });

  it("a key's memo is per type URL: the same bytes under another type decode (and fail) as that type", () => {
    const any = pubKeyAny(keys[0]!.pubKey);
    const k = decodeAccountPubKey(any);
    assert.equal(decodeAccountPubKey(any), k);
    assert.ok(Object.isFrozen(k));
    assert.equal(k.kind, "secp256k1");
    assert.throws(
      () => decodeAccountPubKey({ typeUrl: ED25519_PUBKEY_URL, value: any.value }),
      /length of pubkey is incorrect/,
    );
    assert.equal(decodeAccountPubKey(any), k);
  });
});

describe("decoded secp256k1 keys by content", () => {
  it("the same key in another array is the same decoding; a caller reusing its array changes nothing", () => {
    // Keys no other test decodes, so the first decoding here is the memo's.
    const own = [testKey("content memo a"), testKey("content memo b")] as const;
    const first = pubKeyAny(own[0].pubKey);
    const k = decodeAccountPubKey(first);
    assert.equal(k.kind, "secp256k1");
    assert.ok(Object.isFrozen(k));
    if (k.kind !== "secp256k1") return;
    assert.deepEqual(k.key, own[0].pubKey);
    assert.deepEqual(k.address, own[0].address);
    const copy = { typeUrl: first.typeUrl, value: first.value.slice() };
    assert.equal(decodeAccountPubKey(copy), k);
    // The first caller overwrites its bytes with another key: the memo keeps the decoding of the old
    // content, and the new content decodes as that other key.
    first.value.set(pubKeyAny(own[1].pubKey).value);
    assert.deepEqual(k.key, own[0].pubKey);
    const now = decodeAccountPubKey(first);
    assert.equal(now.kind, "secp256k1");
    assert.deepEqual(now.address, own[1].address);
    assert.equal(decodeAccountPubKey(copy), k);
  });

  it("bytes that are not a key fail every time, with the general path's errors", () => {
    const short = { typeUrl: pubKeyAny(keys[0]!.pubKey).typeUrl, value: Uint8Array.of(0x0a, 2, 1, 2) };
    for (let i = 0; i < 2; i++) assert.throws(() => decodeAccountPubKey(short), /length of pubkey is incorrect: 2/);
    const garbage = { typeUrl: short.typeUrl, value: Uint8Array.of(0xff) };
    for (let i = 0; i < 2; i++) assert.throws(() => decodeAccountPubKey(garbage), { codespace: "sdk", abciCode: 2 });
  });
});

describe("tx hashes", () => {
  it("txHashHex is the upper-case hex sha256 of the bytes, through the cache's id or not", () => {
    const services = new Map(bankMsgServices(new BankKeeper(new AuthKeeper(), [])).map((s) => [s.typeUrl, s]));
    const cache = new DecodedTxCache(10);
    const txs = [0n, 1n, 2n].map((seq) => send(keys[0]!, keys[1]!, "1", seq));
    const want = (b: Uint8Array) => toHex(sha256(b)).toUpperCase();
    // Through the cache, twice (the second answer is the memo's).
    const viaCache = cache.decodeAndKeep(txs[0]!, services);
    assert.equal(txHashHex(viaCache), want(txs[0]!));
    assert.equal(txHashHex(viaCache), want(txs[0]!));
    const other = cache.decodeAndKeep(txs[1]!, services);
    assert.equal(txHashHex(other), want(txs[1]!));
    // Without the cache.
    assert.equal(txHashHex(decodeTx(txs[2]!, services)), want(txs[2]!));
  });
});

describe("bytesId", () => {
  it("equal bytes give equal ids, different bytes different ids (any length)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 70 }), fc.uint8Array({ maxLength: 70 }), (a, b) => {
        assert.equal(bytesId(a) === bytesId(b), a.length === b.length && a.every((x, i) => x === b[i]));
        assert.equal(bytesId(a).length, a.length);
      }),
    );
    const big = new Uint8Array(10_000).map((_, i) => i * 7);
    const changed = big.slice();
    changed[9_999] = changed[9_999]! ^ 1;
    assert.equal(bytesId(big), bytesId(big.slice()));
    assert.notEqual(bytesId(big), bytesId(changed));
    assert.equal(bytesId(big).length, 10_000);
  });
});

describe("signer lists and shared keys", () => {
  it("decodeTx lists each signer once, in first-appearance order, for few and for many signers", () => {
    const services = new Map(bankMsgServices(new BankKeeper(new AuthKeeper(), [])).map((s) => [s.typeUrl, s]));
    const many = Array.from({ length: 14 }, (_, i) => testKey(`signers ${i}`));
    for (const count of [1, 3, 8, 9, 14]) {
      // Each of `count` senders twice, interleaved, plus a repeat of the first at the end.
      const order = [
        ...Array.from({ length: count }, (_, i) => i),
        ...Array.from({ length: count }, (_, i) => count - 1 - i),
        0,
      ];
      const messages = order.map((i) => sendMsg(many[i]!.bech32, many[0]!.bech32, [{ denom: "uscrt", amount: "1" }]));
      const tx = decodeTx(signTx({ messages, signer: many[0]!, accountNumber: 0n, sequence: 0n }), services);
      assert.deepEqual(
        tx.signers.map((s) => toHex(s)),
        many.slice(0, count).map((k) => toHex(k.address)),
        `${count} signers`,
      );
    }
  });

  it("the shared account and balance keys are the keys, whatever was asked before", () => {
    const addresses = Array.from({ length: 20 }, (_, i) => sha256(Uint8Array.of(i)).subarray(0, 20 - (i % 3)));
    for (let round = 0; round < 3; round++) {
      for (const a of addresses) {
        assert.deepEqual(accountKeyShared(a), accountKeyOf(a));
        for (const denom of ["uscrt", "ufoo", "é"]) assert.deepEqual(balanceKeyShared(a, denom), balanceKey(a, denom));
      }
    }
    // Prefixes of one another: an address never matches a longer one's key.
    const long = Uint8Array.from({ length: 32 }, (_, i) => i);
    assert.deepEqual(accountKeyShared(long), accountKeyOf(long));
    assert.deepEqual(accountKeyShared(long.subarray(0, 20)), accountKeyOf(long.subarray(0, 20)));
    assert.deepEqual(balanceKeyShared(long.subarray(0, 20), "uscrt"), balanceKey(long.subarray(0, 20), "uscrt"));
    assert.deepEqual(balanceKeyShared(long, "uscrt"), balanceKey(long, "uscrt"));
  });
});

describe("verifications across CheckTx, re-check and the block", () => {
  it("a tx CheckTx verified is not verified again by a re-check or by its block; a tx it never saw is", () => {
    const app = appWith({});
    let verified = 0;
    let memoHits = 0;
    const remember = SignatureCache.prototype.rememberVerified;
    const was = SignatureCache.prototype.wasVerified;
    SignatureCache.prototype.rememberVerified = function (...args: Parameters<typeof remember>) {
      verified++;
      return remember.apply(this, args);
    };
    SignatureCache.prototype.wasVerified = function (...args: Parameters<typeof was>) {
      const hit = was.apply(this, args);
      if (hit) memoHits++;
      return hit;
    };
    try {
      const checked = [send(keys[0]!, keys[1]!, "5", 0n), send(keys[1]!, keys[2]!, "6", 0n)];
      const unseen = send(keys[2]!, keys[3]!, "7", 0n);
      for (const tx of checked) assert.equal(app.checkTx(tx).code, 0);
      assert.equal(verified, 2, "CheckTx verifies each once");
      for (const tx of checked) assert.equal(app.checkTx(tx.slice()).code, 32, "a repeat is a sequence mismatch");
      assert.equal(verified, 2);
      const res = app.finalizeBlock({ height: 2, timeNanos: blockTime(2), txs: [...checked, unseen] });
      assert.deepEqual(
        res.txResults.map((r) => r.code),
        [0, 0, 0],
      );
      assert.equal(verified, 3, "only the tx CheckTx never saw is verified in the block");
      assert.ok(memoHits >= 2, `the block found CheckTx's verifications (${memoHits})`);
    } finally {
      SignatureCache.prototype.rememberVerified = remember;
      SignatureCache.prototype.wasVerified = was;
    }
  });
});
