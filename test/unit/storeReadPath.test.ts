/**
 * The fast read paths of the stores: stacked branches read through to the right level, a branch
 * written into a branch hands its entries over intact, and a tree's remembered reads follow every
 * commit (rewritten keys, deleted keys, keys first read as absent and then created).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { compareBytes, utf8Encode } from "../../src/primitives/bytes.ts";
import { createMemoryDatabase, openMultiStore } from "../../src/store/index.ts";
import { keyToString } from "../../src/store/keys.ts";

const b = (text: string): Uint8Array => utf8Encode(text);
const text = (bytes: Uint8Array | undefined): string | undefined =>
  bytes === undefined ? undefined : new TextDecoder().decode(bytes);

describe("store read paths", () => {
  it("keyToString gives one character per byte (views included) and sorts like the bytes", () => {
    const keys: Uint8Array[] = [];
    for (let i = 0; i < 300; i++) {
      const whole = Uint8Array.from({ length: (i % 40) + 3 }, (_, j) => (i * 31 + j * 97) & 0xff);
      keys.push(whole.subarray(i % 3));
    }
    for (const k of keys) {
      const s = keyToString(k);
      assert.equal(s.length, k.length);
      for (let j = 0; j < k.length; j++) assert.equal(s.charCodeAt(j), k[j]);
    }
    const byBytes = [...keys].sort(compareBytes).map(keyToString);
    const byStrings = keys.map(keyToString).sort();
    assert.deepEqual(byStrings, byBytes);
  });

  it("remembered tree reads follow writes, deletions and creations across commits", () => {
    const ms = openMultiStore(createMemoryDatabase(), { storeNames: ["bank"] });
    const store = ms.getStore("bank");
    store.set(b("a"), b("1"));
    store.set(b("b"), b("2"));
    ms.commit();
    // Read (and so remember) a present key and an absent one.
    assert.equal(text(store.get(b("a"))), "1");
    assert.equal(store.get(b("c")), undefined);
    assert.equal(store.has(b("c")), false);
    store.set(b("a"), b("10"));
    store.delete(b("b"));
    store.set(b("c"), b("3"));
    ms.commit();
    assert.equal(text(store.get(b("a"))), "10");
    assert.equal(store.get(b("b")), undefined);
    assert.equal(store.has(b("b")), false);
    assert.equal(text(store.get(b("c"))), "3");
    assert.equal(store.has(b("c")), true);
    // The same answers from a fresh store over the same database (no memo).
    ms.commit();
    const snapshot = ms.storeAt(3, "bank");
    assert.equal(text(snapshot.get(b("a"))), "10");
    assert.equal(snapshot.get(b("b")), undefined);
    assert.equal(text(snapshot.get(b("c"))), "3");
  });

  it("stacked branches read the nearest write and write down level by level", () => {
    const ms = openMultiStore(createMemoryDatabase(), { storeNames: ["bank"] });
    const base = ms.getStore("bank");
    base.set(b("k1"), b("base"));
    base.set(b("k2"), b("base"));
    ms.commit();
    const block = base.branch();
    const tx = block.branch();
    const msg = tx.branch();
    block.set(b("k1"), b("block"));
    tx.delete(b("k2"));
    msg.set(b("k3"), b("msg"));
    assert.equal(text(msg.get(b("k1"))), "block");
    assert.equal(msg.get(b("k2")), undefined);
    assert.equal(msg.has(b("k2")), false);
    assert.equal(text(msg.get(b("k3"))), "msg");
    assert.equal(tx.get(b("k3")), undefined);
    msg.write();
    assert.equal(text(tx.get(b("k3"))), "msg");
    // Writing again after a write changes nothing more (the buffer was handed over and emptied).
    msg.write();
    tx.write();
    assert.equal(block.get(b("k2")), undefined);
    assert.equal(text(base.get(b("k2"))), "base");
    block.write();
    assert.equal(base.get(b("k2")), undefined);
    assert.equal(text(base.get(b("k1"))), "block");
    assert.equal(text(base.get(b("k3"))), "msg");
    assert.deepEqual(
      [...base.iterator()].map(([k, v]) => `${text(k)}=${text(v)}`),
      ["k1=block", "k3=msg"],
    );
  });

  it("a value set in a branch is copied: changing the caller's array later changes nothing", () => {
    const ms = openMultiStore(createMemoryDatabase(), { storeNames: ["bank"] });
    const tx = ms.getStore("bank").branch();
    const msg = tx.branch();
    const value = b("v1");
    msg.set(b("k"), value);
    value[1] = 0x39;
    msg.write();
    tx.write();
    assert.equal(text(ms.getStore("bank").get(b("k"))), "v1");
  });
});
