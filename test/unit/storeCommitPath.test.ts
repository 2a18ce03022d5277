/**
 * The commit path's fast parts: the in-place SHA-256 of short inputs, node hashing through it, the shared
 * node-key buffer of a save, and app hashes pinned from the version that hashed with node:crypto.
 */
import assert from "node:assert/strict";
import { hash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import fc from "fast-check";
import { isCodedError } from "../../src/primitives/errors.ts";
import { createMemoryDatabase, openDatabase, openMultiStore, type CommitMultiStore } from "../../src/store/index.ts";
import { innerHash, leafHash } from "../../src/store/iavl/node.ts";
import { NodeCache, NodeDb } from "../../src/store/iavl/nodeDb.ts";
import { SHORT_INPUT_LIMIT, sha256Into } from "../../src/store/iavl/sha256.ts";

const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function reference(data: Uint8Array): Uint8Array {
  return new Uint8Array(hash("sha256", data, "buffer"));
}

/** Go's unsigned varint. */
function uvarint(n: number): number[] {
  const out: number[] = [];
  let v = n;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return out;
}

/** Go's signed (zigzag) varint of a non-negative number. */
const varint = (n: number): number[] => uvarint(n * 2);

describe("sha256Into", () => {
  it("matches node:crypto for every length up to past the short-input limit, at any output offset", () => {
    for (let length = 0; length <= SHORT_INPUT_LIMIT + 80; length++) {
      const data = new Uint8Array(length);
      for (let i = 0; i < length; i++) data[i] = (i * 151 + length) & 0xff;
      const out = new Uint8Array(32 + 7).fill(0xaa);
      sha256Into(data, length, out, 5);
      assert.deepEqual(out.subarray(5, 37), reference(data), `length ${length}`);
      assert.equal(out[4], 0xaa, "nothing written before the offset");
      assert.equal(out[37], 0xaa, "nothing written after the digest");
    }
  });

  it("hashes only the first `length` bytes, and may write its digest over its own input", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 700 }), fc.nat({ max: 700 }), (bytes, cut) => {
        const length = Math.min(cut, bytes.length);
        const want = reference(bytes.subarray(0, length));
        const out = new Uint8Array(32);
        sha256Into(bytes, length, out, 0);
        assert.deepEqual(out, want);
        const aliased = new Uint8Array(Math.max(length, 32));
        aliased.set(bytes.subarray(0, length));
        sha256Into(aliased, length, aliased, 0);
        assert.deepEqual(aliased.subarray(0, 32), want);
      }),
      { numRuns: 300 },
    );
  });
});

describe("node hashing through sha256Into", () => {
  it("leaf and inner hashes equal upstream's preimages hashed by node:crypto", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 200 }),
        fc.uint8Array({ maxLength: 300 }),
        fc.integer({ min: 0, max: 2 ** 40 }),
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 2, max: 2 ** 31 }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        (key, value, version, height, size, left, right) => {
          const leafPreimage = Uint8Array.from([
            ...varint(0),
            ...varint(1),
            ...varint(version),
            ...uvarint(key.length),
            ...key,
            32,
            ...reference(value),
          ]);
          assert.deepEqual(leafHash(key, value, version), reference(leafPreimage));
          const innerPreimage = Uint8Array.from([
            ...varint(height),
            ...varint(size),
            ...varint(version),
            32,
            ...left,
            32,
            ...right,
          ]);
          assert.deepEqual(innerHash(height, size, version, left, right), reference(innerPreimage));
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("nodeDbKeyScratch", () => {
  it("gives nodeDbKey's bytes in one shared array, and refuses a node key of the wrong length", () => {
    const nodes = new NodeDb(createMemoryDatabase(), "bank", new NodeCache(16));
    const a = Uint8Array.from({ length: 12 }, (_, i) => i + 1);
    const b = Uint8Array.from({ length: 12 }, (_, i) => 200 - i);
    const first = nodes.nodeDbKeyScratch(a);
    assert.deepEqual(Uint8Array.from(first), nodes.nodeDbKey(a));
    const second = nodes.nodeDbKeyScratch(b);
    assert.equal(second, first, "the same array is reused");
    assert.deepEqual(Uint8Array.from(second), nodes.nodeDbKey(b));
    assert.throws(
      () => nodes.nodeDbKeyScratch(new Uint8Array(11)),
      (e: unknown) => isCodedError(e) && e.code === "STORE_CORRUPT",
    );
  });
});

/**
 * App hashes of a fixed script (values of lengths on both sides of every SHA-256 block boundary and of
 * the short-input limit, updates of existing keys, deletions), computed by the code that hashed every
 * node with node:crypto and allocated a pair per level of `set`.
 */
const PINNED = [
  "0c5a3dc0dbdc1156d508c82be09776c6651eb3b03f297794ff3903de20b0682f",
  "fe9f9911efed64d6f516073b6780330c28bed39a75c5d64c1deb297867428c04",
  "64d9b0a328663b5b1a41c19ee41392f22d894fb097b77016a9363dbf95841acd",
  "7d5fc2321683ff3795fc580943cde7093deace2b0e397adc6436c41d881d2bbd",
  "9a8f3f5375e2b2895647c598c33501363d658af554be338256a60ae5793b686d",
  "a5bdfa4d0658fba665f5128afc5730114678fe80b37fc16d0cace862cd98b9eb",
  "f847aaeaa3139eed777893279890561ffc94e5dc93e5c8eb38e303522ca68a63",
  "1575124fd506e354d7a056a015cfd237541e00df9aee5bf57b42129a6f408196",
  "9f3b614d53225b0b2fb3f238f64e184b11f3cbf40cb54e01dd5b6b520ff0cf73",
  "10f9a29bfb0bc4f7abfa90876f332f199e4e8ab1a64eaff644c69f70f9831af6",
  "e648c543ba6516d2ae9926534fe627f42552d7cdb365e6e3d0bd7af39f5a1213",
  "eb6e4932d675b337248993b1d3b190a2da532c3034f6b4f60e0d70489a698b8b",
];

function runScript(ms: CommitMultiStore): string[] {
  let s = 0x12345678;
  const next = (): number => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
  const bytes = (n: number): Uint8Array => Uint8Array.from({ length: n }, () => next() & 0xff);
  const lengths = [0, 1, 12, 31, 55, 56, 63, 64, 65, 119, 120, 121, 200, 512, 513, 3000];
  const keys: Uint8Array[] = [];
  const hashes: string[] = [];
  for (let v = 0; v < PINNED.length; v++) {
    for (let i = 0; i < 40; i++) {
      const store = ms.getStore(next() % 2 === 0 ? "acc" : "bank");
      const r = next() % 10;
      if (r < 6 || keys.length === 0) {
        const k = bytes(1 + (next() % 40));
        keys.push(k);
        store.set(k, bytes(lengths[next() % lengths.length]!));
      } else if (r < 9) {
        store.set(keys[next() % keys.length]!, bytes(lengths[next() % lengths.length]!));
      } else {
        store.delete(keys[next() % keys.length]!);
      }
    }
    hashes.push(Buffer.from(ms.commit().appHash).toString("hex"));
  }
  return hashes;
}

describe("pinned app hashes", () => {
  it("a fixed script gives the same app hashes as before, in memory and on LMDB, and reopens whole", async () => {
    const memory = openMultiStore(createMemoryDatabase(), { storeNames: ["acc", "bank"] });
    assert.deepEqual(runScript(memory), PINNED);
    const dir = mkdtempSync(join(tmpdir(), "store-commit-path-"));
    dirs.push(dir);
    const disk = openMultiStore(openDatabase(dir, { sync: "none" }), { storeNames: ["acc", "bank"] });
    assert.deepEqual(runScript(disk), PINNED);
    await disk.close();
    // Every node was stored under its own key (the shared key buffer was copied at each put).
    const reopened = openMultiStore(openDatabase(dir, { sync: "none" }), { storeNames: ["acc", "bank"] });
    for (let v = 1; v <= PINNED.length; v++) {
      reopened.verify(v);
      assert.equal(Buffer.from(reopened.commitInfoAt(v).appHash).toString("hex"), PINNED[v - 1]);
    }
    for (const name of ["acc", "bank"]) {
      assert.deepEqual(
        [...reopened.getStore(name).iterator()].map(([k, v]) => [Uint8Array.from(k), Uint8Array.from(v)]),
        [...memory.getStore(name).iterator()].map(([k, v]) => [Uint8Array.from(k), Uint8Array.from(v)]),
      );
    }
    await reopened.close();
    await memory.close();
  });
});
