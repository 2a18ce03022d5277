/**
 * A long randomized run of the whole store stack on LMDB: blocks written through block, tx and
 * sub-message branches (some failing and dropped), gas-metered access, iterators checked against a
 * model, commits with pruning, reopening the database now and then, and proofs at random kept heights
 * checked with @confio/ics23. Length: STORE_SIM_BLOCKS (default 300); seed: STORE_SIM_SEED.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { ics23, iavlSpec, tendermintSpec, verifyMembership, verifyNonMembership } from "@confio/ics23";
import { utf8Encode } from "../../src/primitives/bytes.ts";
import { gasKv, openDatabase, openMultiStore, type CommitMultiStore, type GasMeter } from "../../src/store/index.ts";
import { hexOf, modelRange, plain, prng, type Model } from "../fixtures/store/model.ts";

const BLOCKS = Number(process.env["STORE_SIM_BLOCKS"] ?? 300);
const SEED = Number(process.env["STORE_SIM_SEED"] ?? 20240601);
const STORES = ["acc", "bank", "compute", "distribution", "gov", "register", "staking"];
const KEEP_RECENT = 20;

class Meter implements GasMeter {
  used = 0;
  consumeGas(amount: number): void {
    this.used += amount;
  }
}

describe("store simulation", () => {
  const dir = mkdtempSync(join(tmpdir(), "scrt-store-sim-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it(`${BLOCKS} blocks with branches, gas, pruning, reopening and proofs (seed ${SEED})`, async () => {
    const rand = prng(SEED);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
    const key = (): Uint8Array => {
      // Keys share prefixes (module-style: a prefix byte, an "address", a suffix).
      const k = new Uint8Array(1 + Math.floor(rand() * 6));
      k[0] = pick([0x01, 0x02, 0x03, 0x10]);
      for (let i = 1; i < k.length; i++) k[i] = Math.floor(rand() * 8);
      return k;
    };
    const open = (): CommitMultiStore =>
      openMultiStore(openDatabase(dir), { storeNames: STORES, keepRecent: KEEP_RECENT });
    let ms = open();
    const committed = new Map<string, Model>(STORES.map((s) => [s, new Map()]));
    const history = new Map<number, Map<string, Model>>();
    let gasTotal = 0;

    for (let height = 1; height <= BLOCKS; height++) {
      const working = new Map([...committed].map(([name, m]) => [name, new Map(m)]));
      const block = ms.branch();
      const txCount = Math.floor(rand() * 12);
      for (let t = 0; t < txCount; t++) {
        const tx = block.branch();
        const txModel = new Map([...working].map(([name, m]) => [name, new Map(m)]));
        const meter = new Meter();
        const ops = 1 + Math.floor(rand() * 25);
        for (let i = 0; i < ops; i++) {
          // Some operations run in a sub-message branch that may fail.
          const sub = rand() < 0.3 ? tx.branch() : undefined;
          const subModel = sub === undefined ? txModel : new Map([...txModel].map(([n, m]) => [n, new Map(m)]));
          const target = sub ?? tx;
          const name = pick(STORES);
          const store = gasKv(target.getStore(name), meter);
          const model = subModel.get(name)!;
          const k = key();
          const r = rand();
          if (r < 0.5) {
            const v = utf8Encode(`h${height}t${t}i${i}`);
            store.set(k, v);
            model.set(hexOf(k), [k, v]);
          } else if (r < 0.65) {
            store.delete(k);
            model.delete(hexOf(k));
          } else if (r < 0.85) {
            const got = store.get(k);
            assert.deepEqual(got === undefined ? undefined : Uint8Array.from(got), model.get(hexOf(k))?.[1]);
          } else {
            const a = key();
            const b = key();
            const [lo, hi] = Buffer.compare(a, b) <= 0 ? [a, b] : [b, a];
            const reverse = rand() < 0.5;
            assert.deepEqual(plain(store.iterator(lo, hi, reverse)), modelRange(model, lo, hi, reverse));
          }
          if (sub !== undefined && rand() < 0.8) {
            sub.write();
            for (const [n, m] of subModel) txModel.set(n, m);
          }
        }
        gasTotal += meter.used;
        if (rand() < 0.85) {
          tx.write();
          for (const [n, m] of txModel) working.set(n, m);
        }
      }
      block.write();
      const info = ms.commit();
      assert.equal(info.version, height);
      for (const [n, m] of working) committed.set(n, m);
      history.set(height, new Map([...committed].map(([n, m]) => [n, new Map(m)])));
      history.delete(height - KEEP_RECENT);

      if (height % 25 === 0) {
        ms.verify();
        for (const name of STORES)
          assert.deepEqual(plain(ms.getStore(name).iterator()), modelRange(committed.get(name)!));
      }
      if (height % 40 === 0) {
        await ms.close();
        ms = open();
        assert.equal(ms.latestVersion, height);
        assert.equal(ms.earliestVersion, Math.max(1, height - KEEP_RECENT + 1));
      }
      if (height % 10 === 0) {
        // A proof at a random kept height, for a present or absent key.
        const at = Math.max(ms.earliestVersion, height - Math.floor(rand() * KEEP_RECENT));
        const name = pick(STORES);
        const k = key();
        const want = history.get(at)!.get(name)!.get(hexOf(k))?.[1];
        const q = ms.query(name, k, { height: at, prove: true });
        const storeProof = ics23.CommitmentProof.decode(q.proofOps![1]!.data);
        const storeRoot = storeProof.exist!.value!;
        assert.ok(
          verifyMembership(storeProof, tendermintSpec, ms.commitInfoAt(at).appHash, utf8Encode(name), storeRoot),
        );
        const keyProof = ics23.CommitmentProof.decode(q.proofOps![0]!.data);
        const storeIsEmpty = history.get(at)!.get(name)!.size === 0;
        // An empty tree has no neighbours to prove absence with; no ICS-23 verifier accepts that (as upstream).
        if (want === undefined) assert.equal(verifyNonMembership(keyProof, iavlSpec, storeRoot, k), !storeIsEmpty);
        else assert.ok(verifyMembership(keyProof, iavlSpec, storeRoot, k, want));
      }
    }
    ms.verify();
    await ms.close();
    assert.ok(gasTotal > 0);
  });
});
