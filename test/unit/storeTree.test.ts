/**
 * The authenticated versioned tree and the multistore: upstream hash vectors, AVL invariants,
 * determinism, ICS-23 proofs checked by @confio/ics23, historical reads, pruning, reopening, atomic
 * commits.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import {
  calculateExistenceRoot,
  ics23,
  iavlSpec,
  tendermintSpec,
  verifyMembership,
  verifyNonMembership,
} from "@confio/ics23";
import fc from "fast-check";
import { compareBytes, utf8Encode } from "../../src/primitives/bytes.ts";
import { isCodedError } from "../../src/primitives/errors.ts";
import {
  createMemoryDatabase,
  decodeCommitInfo,
  encodeCommitInfo,
  MemoryDatabase,
  openDatabase,
  openMultiStore,
  SimpleMerkleMap,
  type CommitMultiStore,
  type Database,
  type DatabaseWriter,
} from "../../src/store/index.ts";
import { type TreeSnapshot } from "../../src/store/iavl/snapshot.ts";
import { hexOf, modelRange, plain, prng, type Model } from "../fixtures/store/model.ts";

const tmpRoot = mkdtempSync(join(tmpdir(), "scrt-store-tree-"));
after(() => rmSync(tmpRoot, { recursive: true, force: true }));
let dirCounter = 0;
const freshDir = (): string => join(tmpRoot, `db${dirCounter++}`);
const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");
const STORES = ["acc", "bank", "compute", "register", "staking"];

/** One version's writes: key → value, or null for a deletion. */
type Block = Map<string, [Uint8Array, Uint8Array | null]>;

function randomBlocks(seed: number, count: number, opsPerBlock: number, keySpace: number): Array<Map<string, Block>> {
  const rand = prng(seed);
  const out: Array<Map<string, Block>> = [];
  for (let v = 0; v < count; v++) {
    const byStore = new Map<string, Block>();
    for (let i = 0; i < opsPerBlock; i++) {
      const store = STORES[Math.floor(rand() * STORES.length)]!;
      const n = Math.floor(rand() * keySpace);
      const key = utf8Encode(`k${n.toString(36)}`);
      const value = rand() < 0.25 ? null : utf8Encode(`v${v}.${i}`);
      let block = byStore.get(store);
      if (block === undefined) byStore.set(store, (block = new Map()));
      block.set(hexOf(key), [key, value]);
    }
    out.push(byStore);
  }
  return out;
}

function applyBlock(ms: CommitMultiStore, blocks: Map<string, Block>): void {
  for (const [name, block] of blocks) {
    const store = ms.getStore(name);
    for (const [key, value] of block.values()) {
      if (value === null) store.delete(key);
      else store.set(key, value);
    }
  }
}

function applyModel(models: Map<string, Model>, blocks: Map<string, Block>): void {
  for (const [name, block] of blocks) {
    let model = models.get(name);
    if (model === undefined) models.set(name, (model = new Map()));
    for (const [h, [key, value]] of block) {
      if (value === null) model.delete(h);
      else model.set(h, [key, value]);
    }
  }
}

function cloneModels(models: Map<string, Model>): Map<string, Model> {
  return new Map([...models].map(([k, m]) => [k, new Map(m)]));
}

/** Checks an abci_query proof the way a light client does: IAVL op up to the store root, simple op to the app hash. */
function checkQueryProof(
  ms: CommitMultiStore,
  name: string,
  key: Uint8Array,
  height: number,
  expected: Uint8Array | undefined,
): void {
  const result = ms.query(name, key, { height, prove: true });
  assert.equal(result.height, height);
  assert.deepEqual(result.value === undefined ? undefined : Uint8Array.from(result.value), expected);
  const [iavlOp, simpleOp] = result.proofOps!;
  assert.equal(iavlOp!.type, "ics23:iavl");
  assert.equal(simpleOp!.type, "ics23:simple");
  assert.deepEqual(iavlOp!.key, key);
  assert.deepEqual(simpleOp!.key, utf8Encode(name));
  const appHash = ms.commitInfoAt(height).appHash;
  const storeProof = ics23.CommitmentProof.decode(simpleOp!.data);
  const storeRoot = storeProof.exist!.value!;
  assert.ok(
    verifyMembership(storeProof, tendermintSpec, appHash, utf8Encode(name), storeRoot),
    "store root in app hash",
  );
  assert.deepEqual(Uint8Array.from(storeRoot), ms.storeAt(height, name).hash);
  const keyProof = ics23.CommitmentProof.decode(iavlOp!.data);
  if (expected !== undefined) {
    assert.ok(verifyMembership(keyProof, iavlSpec, storeRoot, key, expected), "key in store");
    assert.ok(!verifyMembership(keyProof, iavlSpec, storeRoot, key, utf8Encode("tampered")), "tampered value fails");
    assert.ok(!verifyNonMembership(keyProof, iavlSpec, storeRoot, key), "existence is not non-existence");
  } else {
    assert.ok(verifyNonMembership(keyProof, iavlSpec, storeRoot, key), "key absent from store");
  }
}

describe("compatibility with upstream", () => {
  it("the empty tree hashes to sha256 of nothing, as upstream", () => {
    const ms = openMultiStore(createMemoryDatabase(), { storeNames: ["bank"] });
    ms.commit();
    assert.equal(hex(ms.storeAt(1, "bank").hash), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  });

  it("the app hash map matches cosmos-sdk's store/internal/maps vectors", () => {
    const vectors: Array<[Array<[string, string]>, string]> = [
      [[], "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"],
      [[["key1", "value1"]], "a44d3cc7daba1a4600b00a2434b30f8b970652169810d6dfa9fb1793a2189324"],
      [[["key1", "value2"]], "0638e99b3445caec9d95c05e1a3fc1487b4ddec6a952ff337080360b0dcc078c"],
      [
        [
          ["key1", "value1"],
          ["key2", "value2"],
        ],
        "8fd19b19e7bb3f2b3ee0574027d8a5a4cec370464ea2db2fbfa5c7d35bb0cff3",
      ],
      [
        [
          ["key2", "value2"],
          ["key1", "value1"],
        ],
        "8fd19b19e7bb3f2b3ee0574027d8a5a4cec370464ea2db2fbfa5c7d35bb0cff3",
      ],
      [
        [
          ["key1", "value1"],
          ["key2", "value2"],
          ["key3", "value3"],
        ],
        "1dd674ec6782a0d586a903c9c63326a41cbe56b3bba33ed6ff5b527af6efb3dc",
      ],
      [
        [
          ["key1", "value1"],
          ["key3", "value3"],
          ["key2", "value2"],
        ],
        "1dd674ec6782a0d586a903c9c63326a41cbe56b3bba33ed6ff5b527af6efb3dc",
      ],
    ];
    for (const [entries, want] of vectors) {
      const map = new SimpleMerkleMap(entries.map(([name, value]) => ({ name, value: utf8Encode(value) })));
      assert.equal(hex(map.root), want);
      for (const [name, value] of entries) {
        const proof = ics23.CommitmentProof.fromObject({ exist: map.proof(name) });
        assert.ok(verifyMembership(proof, tendermintSpec, map.root, utf8Encode(name), utf8Encode(value)));
      }
    }
  });

  it("commit info round-trips through its protobuf encoding", () => {
    const ms = openMultiStore(createMemoryDatabase(), { storeNames: STORES });
    ms.getStore("bank").set(utf8Encode("a"), utf8Encode("b"));
    const info = ms.commit();
    assert.deepEqual(decodeCommitInfo(encodeCommitInfo(info)), info);
  });
});

describe("tree invariants and contents", () => {
  it("AVL balance, sizes, key order and hashes hold after random blocks; contents match the model", () => {
    fc.assert(
      fc.property(
        fc.integer(),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 120 }),
        (seed, count, ops) => {
          const ms = openMultiStore(createMemoryDatabase(), { storeNames: STORES });
          const models = new Map<string, Model>();
          for (const blocks of randomBlocks(seed, count, ops, 60)) {
            applyBlock(ms, blocks);
            applyModel(models, blocks);
            ms.commit();
            const sizes = ms.verify();
            for (const name of STORES) {
              const model = models.get(name) ?? new Map();
              assert.equal(sizes.get(name), model.size);
              assert.deepEqual(plain(ms.getStore(name).iterator()), modelRange(model));
            }
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it("a single key, removing the last key, and re-adding it", () => {
    const ms = openMultiStore(createMemoryDatabase(), { storeNames: ["bank"] });
    const bank = ms.getStore("bank");
    bank.set(utf8Encode("only"), utf8Encode("one"));
    ms.commit();
    checkQueryProof(ms, "bank", utf8Encode("only"), 1, utf8Encode("one"));
    checkQueryProof(ms, "bank", utf8Encode("a"), 1, undefined);
    checkQueryProof(ms, "bank", utf8Encode("z"), 1, undefined);
    bank.delete(utf8Encode("only"));
    ms.commit();
    assert.equal(ms.storeAt(2, "bank").size, 0);
    assert.equal(hex(ms.storeAt(2, "bank").hash), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    bank.set(utf8Encode("only"), utf8Encode("again"));
    ms.commit();
    ms.verify();
    assert.deepEqual(ms.getAt(1, "bank", utf8Encode("only")), utf8Encode("one"));
    assert.equal(ms.getAt(2, "bank", utf8Encode("only")), undefined);
  });
});

describe("determinism", () => {
  it("the same per-block writes give the same app hashes however they are ordered, split into branches, or overwritten", () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 1, max: 8 }), (seed, count) => {
        const blocks = randomBlocks(seed, count, 80, 40);
        const direct = openMultiStore(createMemoryDatabase(), { storeNames: STORES });
        const branched = openMultiStore(createMemoryDatabase(), { storeNames: STORES });
        const rand = prng(seed ^ 0x5bd1e995);
        for (const block of blocks) {
          applyBlock(direct, block);
          // The same final writes through a block branch, per-tx branches (some discarded with junk),
          // nested sub-message branches, in shuffled order, with throwaway writes overwritten later.
          const blockBranch = branched.branch();
          const writes = [...block].flatMap(([name, b]) => [...b.values()].map(([k, v]) => ({ name, k, v })));
          for (let i = writes.length - 1; i > 0; i--) {
            const j = Math.floor(rand() * (i + 1));
            [writes[i], writes[j]] = [writes[j]!, writes[i]!];
          }
          let i = 0;
          while (i < writes.length) {
            const tx = blockBranch.branch();
            const sub = rand() < 0.5 ? tx.branch() : tx;
            const n = 1 + Math.floor(rand() * 5);
            for (const { name, k, v } of writes.slice(i, i + n)) {
              const store = sub.getStore(name);
              store.set(k, utf8Encode("junk"));
              if (v === null) store.delete(k);
              else store.set(k, v);
            }
            if (sub !== tx) sub.write();
            if (rand() < 0.2) {
              const failed = blockBranch.branch();
              failed.getStore(STORES[0]!).set(utf8Encode("never"), utf8Encode("written"));
              // dropped
            }
            tx.write();
            i += n;
          }
          blockBranch.write();
          const a = direct.commit();
          const b = branched.commit();
          assert.equal(hex(b.appHash), hex(a.appHash));
        }
      }),
      { numRuns: 40 },
    );
  });

  it("memory and LMDB databases give the same roots; workingCommitInfo predicts the commit", async () => {
    const blocks = randomBlocks(7, 20, 200, 300);
    const memory = openMultiStore(createMemoryDatabase(), { storeNames: STORES });
    const disk = openMultiStore(openDatabase(freshDir()), { storeNames: STORES });
    for (const block of blocks) {
      applyBlock(memory, block);
      applyBlock(disk, block);
      const predicted = disk.workingCommitInfo();
      const a = memory.commit();
      const b = disk.commit();
      assert.equal(hex(a.appHash), hex(b.appHash));
      assert.deepEqual(predicted, b);
    }
    await disk.close();
  });
});

describe("proofs", () => {
  it("every key's existence proof and random absent keys' non-existence proofs verify against the app hash", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.uint8Array({ minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 60, selector: hexOf }),
        fc.array(fc.uint8Array({ minLength: 1, maxLength: 4 }), { maxLength: 30 }),
        fc.integer({ min: 1, max: 3 }),
        (keys, probes, versions) => {
          const ms = openMultiStore(createMemoryDatabase(), { storeNames: STORES });
          const model: Model = new Map();
          // Spread the keys over a few versions so node versions differ within the tree.
          keys.forEach((k, i) => {
            const value = utf8Encode(`value-${i}`);
            ms.getStore("compute").set(k, value);
            model.set(hexOf(k), [k, value]);
            if (i % Math.ceil(keys.length / versions) === 0) ms.commit();
          });
          ms.getStore("acc").set(utf8Encode("other"), utf8Encode("store"));
          ms.commit();
          const height = ms.latestVersion;
          for (const [k, v] of model.values()) checkQueryProof(ms, "compute", k, height, v);
          for (const probe of probes) {
            checkQueryProof(ms, "compute", probe, height, model.get(hexOf(probe))?.[1]);
          }
          // Below every key and above every key (one-sided non-existence proofs).
          const sorted = [...model.values()].map(([k]) => k).sort(compareBytes);
          if (sorted[0]![sorted[0]!.length - 1] !== 0 || sorted[0]!.length > 1) {
            const below = Uint8Array.of(0);
            if (!model.has(hexOf(below))) checkQueryProof(ms, "compute", below, height, undefined);
          }
          const above = Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff);
          checkQueryProof(ms, "compute", above, height, undefined);
        },
      ),
      { numRuns: 60 },
    );
  });

  it("a proof does not verify against another version's app hash, nor after a byte of it is flipped", () => {
    const ms = openMultiStore(createMemoryDatabase(), { storeNames: ["bank", "acc"] });
    for (let i = 0; i < 50; i++) ms.getStore("bank").set(utf8Encode(`key${i}`), utf8Encode(`v${i}`));
    ms.commit();
    ms.getStore("bank").set(utf8Encode("key7"), utf8Encode("changed"));
    ms.commit();
    const q = ms.query("bank", utf8Encode("key3"), { height: 1, prove: true });
    const keyProof = ics23.CommitmentProof.decode(q.proofOps![0]!.data);
    const root1 = calculateExistenceRoot(keyProof.exist!);
    assert.deepEqual(Uint8Array.from(root1), ms.storeAt(1, "bank").hash);
    assert.ok(!verifyMembership(keyProof, iavlSpec, ms.storeAt(2, "bank").hash, utf8Encode("key3"), utf8Encode("v3")));
    const storeProof = ics23.CommitmentProof.decode(q.proofOps![1]!.data);
    assert.ok(!verifyMembership(storeProof, tendermintSpec, ms.commitInfoAt(2).appHash, utf8Encode("bank"), root1));
    // Flip every bit of the proof: each flip must be rejected, unless it only touches protobuf framing
    // that the reference decoder tolerates (it ignores wire types) and decodes to the very same proof.
    const data = q.proofOps![0]!.data;
    const canonical = hex(ics23.CommitmentProof.encode(keyProof).finish());
    for (let i = 0; i < data.length; i++) {
      for (let bit = 0; bit < 8; bit++) {
        const bad = Uint8Array.from(data);
        bad[i] = bad[i]! ^ (1 << bit);
        let decoded: ics23.CommitmentProof | undefined;
        try {
          decoded = ics23.CommitmentProof.decode(bad);
        } catch {
          continue;
        }
        if (verifyMembership(decoded, iavlSpec, root1, utf8Encode("key3"), utf8Encode("v3"))) {
          assert.equal(
            hex(ics23.CommitmentProof.encode(decoded).finish()),
            canonical,
            `flip of bit ${bit} of byte ${i}`,
          );
        }
      }
    }
  });

  it("an empty value is stored and proven, but ICS-23 verifiers refuse empty values (as for upstream)", () => {
    const ms = openMultiStore(createMemoryDatabase(), { storeNames: ["bank"] });
    ms.getStore("bank").set(utf8Encode("empty"), new Uint8Array(0));
    ms.getStore("bank").set(utf8Encode("full"), utf8Encode("x"));
    ms.commit();
    assert.deepEqual(ms.getAt(1, "bank", utf8Encode("empty")), new Uint8Array(0));
    const q = ms.query("bank", utf8Encode("empty"), { prove: true });
    const proof = ics23.CommitmentProof.decode(q.proofOps![0]!.data);
    // ICS-23 leaf ops need a value: the reference verifier refuses the proof.
    const root = ms.storeAt(1, "bank").hash;
    assert.throws(() => calculateExistenceRoot(proof.exist!), /Value needs to be set|value/i);
    assert.ok(!verifyMembership(proof, iavlSpec, root, utf8Encode("empty"), new Uint8Array(0)));
    checkQueryProof(ms, "bank", utf8Encode("full"), 1, utf8Encode("x"));
  });

  it("asking for the wrong kind of proof is an error with a stable code", () => {
    const ms = openMultiStore(createMemoryDatabase(), { storeNames: ["bank"] });
    ms.getStore("bank").set(utf8Encode("a"), utf8Encode("1"));
    ms.commit();
    const snap = ms.storeAt(1, "bank");
    assert.throws(
      () => snap.existenceProof(utf8Encode("b")),
      (e) => isCodedError(e, "STORE_KEY_ABSENT"),
    );
    assert.throws(
      () => snap.nonExistenceProof(utf8Encode("a")),
      (e) => isCodedError(e, "STORE_KEY_PRESENT"),
    );
    assert.throws(
      () => ms.query("nope", utf8Encode("a")),
      (e) => isCodedError(e, "STORE_UNKNOWN_STORE"),
    );
  });
});

describe("versions", () => {
  it("reads, iterates and proves at every past version", () => {
    const ms = openMultiStore(createMemoryDatabase(), { storeNames: STORES });
    const models = new Map<string, Model>();
    const history: Array<Map<string, Model>> = [];
    for (const blocks of randomBlocks(11, 15, 60, 30)) {
      applyBlock(ms, blocks);
      applyModel(models, blocks);
      ms.commit();
      history.push(cloneModels(models));
    }
    history.forEach((snapshot, i) => {
      const version = i + 1;
      for (const name of STORES) {
        const model = snapshot.get(name) ?? new Map();
        const store = ms.storeAt(version, name);
        assert.deepEqual(plain(store.iterator()), modelRange(model));
        assert.deepEqual(
          plain(store.iterator(utf8Encode("k3"), utf8Encode("kq"), true)),
          modelRange(model, utf8Encode("k3"), utf8Encode("kq"), true),
        );
        for (let n = 0; n < 30; n += 7) {
          const key = utf8Encode(`k${n.toString(36)}`);
          assert.deepEqual(ms.getAt(version, name, key), model.get(hexOf(key))?.[1]);
          checkQueryProof(ms, name, key, version, model.get(hexOf(key))?.[1]);
        }
      }
    });
    assert.throws(
      () => ms.storeAt(16, "bank"),
      (e) => isCodedError(e, "STORE_VERSION_NOT_FOUND"),
    );
    assert.throws(
      () => ms.storeAt(0, "bank"),
      (e) => isCodedError(e, "STORE_VERSION_NOT_FOUND"),
    );
  });

  it("initialVersion numbers the first commit", () => {
    const ms = openMultiStore(createMemoryDatabase(), { storeNames: ["bank"], initialVersion: 100 });
    ms.getStore("bank").set(utf8Encode("a"), utf8Encode("1"));
    assert.equal(ms.commit().version, 100);
    assert.equal(ms.commit().version, 101);
    assert.equal(ms.earliestVersion, 100);
    assert.throws(
      () => ms.storeAt(99, "bank"),
      (e) => isCodedError(e, "STORE_VERSION_NOT_FOUND"),
    );
    checkQueryProof(ms, "bank", utf8Encode("a"), 100, utf8Encode("1"));
  });

  for (const keepRecent of [1, 3]) {
    it(`pruning (keepRecent ${keepRecent}) keeps the recent versions whole and leaves no unreachable node`, () => {
      const db = createMemoryDatabase();
      const ms = openMultiStore(db, { storeNames: STORES, keepRecent });
      const models = new Map<string, Model>();
      const history: Array<Map<string, Model>> = [];
      for (const blocks of randomBlocks(23, 25, 80, 50)) {
        applyBlock(ms, blocks);
        applyModel(models, blocks);
        ms.commit();
        history.push(cloneModels(models));
      }
      assert.equal(ms.earliestVersion, 25 - keepRecent + 1);
      assert.throws(
        () => ms.storeAt(ms.earliestVersion - 1, "bank"),
        (e) => isCodedError(e, "STORE_VERSION_PRUNED"),
      );
      const reachable = new Set<string>();
      for (let v = ms.earliestVersion; v <= 25; v++) {
        ms.verify(v);
        for (const name of STORES) {
          assert.deepEqual(plain(ms.storeAt(v, name).iterator()), modelRange(history[v - 1]!.get(name) ?? new Map()));
          collectNodes(ms.storeAt(v, name), name, reachable);
        }
      }
      assert.deepEqual(storedNodes(db), reachable);
    });
  }
});

/** Node keys ("name/hex") reachable from a snapshot's root. */
function collectNodes(snapshot: TreeSnapshot, name: string, out: Set<string>): void {
  const stack = snapshot.root === undefined ? [] : [snapshot.root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    out.add(`${name}/${hex(node.nodeKey!)}`);
    if (!node.isLeaf) stack.push(snapshot.nodes.left(node), snapshot.nodes.right(node));
  }
}

/** Node keys stored in the database. */
function storedNodes(db: MemoryDatabase): Set<string> {
  const out = new Set<string>();
  for (const [key] of db.iterator(Uint8Array.of(0x6e), Uint8Array.of(0x6f))) {
    const nameLength = key[1]!;
    out.add(`${Buffer.from(key.subarray(2, 2 + nameLength)).toString()}/${hex(key.subarray(2 + nameLength))}`);
  }
  return out;
}

describe("persistence", () => {
  it("reopening from disk gives the same roots, reads and history, and continues identically", async () => {
    const dir = freshDir();
    const blocks = randomBlocks(31, 30, 100, 80);
    const reference = openMultiStore(createMemoryDatabase(), { storeNames: STORES, keepRecent: 10 });
    let ms = openMultiStore(openDatabase(dir), { storeNames: STORES, keepRecent: 10 });
    for (let i = 0; i < blocks.length; i++) {
      applyBlock(reference, blocks[i]!);
      applyBlock(ms, blocks[i]!);
      const want = reference.commit();
      assert.equal(hex(ms.commit().appHash), hex(want.appHash));
      if (i % 7 === 6) {
        await ms.close();
        ms = openMultiStore(openDatabase(dir), { storeNames: STORES, keepRecent: 10 });
        assert.equal(ms.latestVersion, i + 1);
        assert.deepEqual(ms.lastCommitInfo, want);
        assert.equal(ms.earliestVersion, reference.earliestVersion);
        ms.verify();
        for (const name of STORES) {
          assert.deepEqual(plain(ms.getStore(name).iterator()), plain(reference.getStore(name).iterator()));
          const old = Math.max(ms.earliestVersion, i - 3);
          assert.deepEqual(plain(ms.storeAt(old, name).iterator()), plain(reference.storeAt(old, name).iterator()));
        }
      }
    }
    await ms.close();
  });

  it("a store added to the configuration starts empty; a dropped one is refused", async () => {
    const dir = freshDir();
    let ms = openMultiStore(openDatabase(dir), { storeNames: ["bank", "acc"] });
    ms.getStore("bank").set(utf8Encode("a"), utf8Encode("1"));
    ms.commit();
    await ms.close();
    assert.throws(
      () => openMultiStore(openDatabase(dir), { storeNames: ["bank"] }),
      (e) => isCodedError(e, "STORE_SET_MISMATCH"),
    );
    ms = openMultiStore(openDatabase(dir), { storeNames: ["bank", "acc", "compute"] });
    assert.equal(ms.getStore("compute").get(utf8Encode("a")), undefined);
    ms.getStore("compute").set(utf8Encode("c"), utf8Encode("3"));
    const info = ms.commit();
    assert.deepEqual(
      info.storeInfos.map((s) => s.name),
      ["acc", "bank", "compute"],
    );
    // The new store did not exist at version 1.
    assert.equal(ms.storeAt(1, "compute").size, 0);
    checkQueryProof(ms, "compute", utf8Encode("c"), 2, utf8Encode("3"));
    await ms.close();
  });

  it("a commit that fails inside its transaction changes nothing and can be retried", () => {
    class FailingDatabase extends MemoryDatabase {
      failAfter = -1;
      override transaction(fn: (w: DatabaseWriter) => void): void {
        super.transaction((w) => {
          let puts = 0;
          fn({
            put: (k, v) => {
              if (this.failAfter >= 0 && puts++ >= this.failAfter) throw new Error("disk full");
              w.put(k, v);
            },
            delete: (k) => w.delete(k),
          });
        });
      }
    }
    const db = new FailingDatabase();
    const reference = openMultiStore(createMemoryDatabase(), { storeNames: STORES, keepRecent: 2 });
    const ms = openMultiStore(db as Database, { storeNames: STORES, keepRecent: 2 });
    const blocks = randomBlocks(5, 6, 50, 40);
    for (const block of blocks) {
      applyBlock(reference, block);
      applyBlock(ms, block);
      const want = reference.commit();
      const before = ms.latestVersion;
      const snapshot = plain(db.iterator());
      db.failAfter = 17;
      assert.throws(() => ms.commit(), /disk full/);
      assert.equal(ms.latestVersion, before);
      assert.deepEqual(plain(db.iterator()), snapshot);
      // The writes are still pending and visible.
      for (const name of STORES)
        assert.deepEqual(plain(ms.getStore(name).iterator()), plain(reference.getStore(name).iterator()));
      db.failAfter = -1;
      assert.equal(hex(ms.commit().appHash), hex(want.appHash));
      ms.verify();
    }
  });

  it("discardPending forgets uncommitted writes", () => {
    const ms = openMultiStore(createMemoryDatabase(), { storeNames: ["bank"] });
    ms.getStore("bank").set(utf8Encode("a"), utf8Encode("1"));
    const first = ms.commit();
    ms.getStore("bank").set(utf8Encode("b"), utf8Encode("2"));
    assert.equal(ms.pendingWrites, 1);
    ms.discardPending();
    assert.equal(ms.getStore("bank").get(utf8Encode("b")), undefined);
    const second = ms.commit();
    assert.deepEqual(second.storeInfos, first.storeInfos);
  });

  it("refuses bad options", () => {
    const db = createMemoryDatabase();
    for (const bad of [
      { storeNames: ["bank", "bank"] },
      { storeNames: [""] },
      { storeNames: ["bank"], keepRecent: -1 },
      { storeNames: ["bank"], initialVersion: 0 },
    ]) {
      assert.throws(
        () => openMultiStore(db, bad),
        (e) => isCodedError(e, "STORE_INVALID_ARGUMENT"),
      );
    }
  });
});
