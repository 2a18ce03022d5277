/**
 * Proof of stake and governance wired into `SecretApp`: gentxs make the initial validator set, a block
 * with a delegation changes the set returned to consensus, misbehaviour passed in `FinalizeBlockRequest`
 * jails, a gov param-change proposal is applied, an upgrade plan halts `finalizeBlock`, invariants
 * hold after every block, and genesis exports and re-imports the PoS state.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  BlockIdFlag,
  genTxJson,
  InvariantError,
  UpgradeHaltError,
  valoperAddress,
  type FinalizeBlockResponse,
  type GenesisDoc,
  type Misbehavior,
  type SecretApp,
  type VoteInfo,
} from "../../src/app/index.ts";
import { moduleAddress } from "../../src/app/auth/keeper.ts";
import {
  GOV_URLS,
  VoteOption,
  encodeMsgExecLegacyContent,
  encodeParameterChangeProposal,
  encodeMsgSoftwareUpgrade,
  encodeMsgSubmitProposal,
  encodeMsgVote,
} from "../../src/codec/gov.ts";
import {
  STAKING_URLS,
  encodeMsgDelegate,
  encodeMsgUpdateParams,
  encodeStakingParams,
} from "../../src/codec/staking.ts";
import type { Any } from "../../src/codec/tx.ts";
import { sha256 } from "../../src/crypto/index.ts";
import { DEFAULT_STAKING_PARAMS } from "../../src/app/staking/params.ts";
import { encodeAddress } from "../../src/primitives/bech32.ts";
import { toHex } from "../../src/primitives/hex.ts";
import { utf8Encode } from "../../src/primitives/bytes.ts";
import { genesisFor, newApp, signTx, testKey, type TestKey } from "../helpers/appTx.ts";

const val = testKey("pos val");
const val2 = testKey("pos val 2");
const del = testKey("pos delegator");
const consKey1 = sha256(utf8Encode("pos cons key 1"));
const consKey2 = sha256(utf8Encode("pos cons key 2"));
const consAddr = (key: Uint8Array): Uint8Array => sha256(key).slice(0, 20);
const M = 1_000_000n;
const FUNDS = 10n ** 13n;
const GOV = encodeAddress(moduleAddress("gov"));
const SECOND = 1_000_000_000n;
const GENESIS_NANOS = 1_735_689_600n * SECOND;

const gentx = (key: TestKey, consKey: Uint8Array, amount: bigint): Record<string, unknown> =>
  genTxJson({
    moniker: `v-${key.bech32.slice(-4)}`,
    delegatorAddress: key.bech32,
    validatorAddress: valoperAddress(key.address),
    consensusPubKey: consKey,
    selfDelegation: { denom: "uscrt", amount },
  });

function genesis(genTxs: unknown[]): GenesisDoc {
  const g = genesisFor([val, val2, del].map((key) => ({ key, coins: [{ denom: "uscrt", amount: FUNDS.toString() }] })));
  return {
    ...g,
    timeNanos: GENESIS_NANOS,
    appState: { ...(g.appState as Record<string, unknown>), genutil: { gen_txs: genTxs } },
  };
}

/** A chain over the app as the node drives it: votes of the set that signed the last block, proposer. */
class Chain {
  readonly app: SecretApp = newApp();
  /** Consensus set (hex key → power), updates applied as CometBFT does (H + 2). */
  valset = new Map<string, { key: Uint8Array; power: bigint }>();
  private pending: FinalizeBlockResponse["validatorUpdates"][] = [];
  private signers: { key: Uint8Array; power: bigint }[] = [];
  time = GENESIS_NANOS;
  readonly sequences = new Map<string, bigint>();

  constructor(genTxs: unknown[]) {
    const init = this.app.initChain(genesis(genTxs));
    for (const v of init.validators) this.valset.set(toHex(v.pubKey), { key: v.pubKey, power: v.power });
  }

  block(txs: Uint8Array[] = [], o: { misbehavior?: Misbehavior[]; seconds?: bigint } = {}): FinalizeBlockResponse {
    const height = this.app.lastHeight + 1;
    this.time += (o.seconds ?? 5n) * SECOND;
    const votes: VoteInfo[] = this.signers.map((s) => ({
      address: consAddr(s.key),
      power: s.power,
      blockIdFlag: BlockIdFlag.Commit,
    }));
    const current = [...this.valset.values()];
    const r = this.app.finalizeBlock({
      height,
      timeNanos: this.time,
      txs,
      votes,
      misbehavior: o.misbehavior ?? [],
      proposer: consAddr(current[0]!.key),
    });
    this.app.commit();
    this.app.checkInvariants();
    this.signers = current;
    // Updates of block H sign from H + 2: apply the ones of the previous block now.
    this.pending.push(r.validatorUpdates);
    if (this.pending.length > 1) {
      for (const u of this.pending.shift()!) {
        if (u.power === 0n) this.valset.delete(toHex(u.pubKey));
        else this.valset.set(toHex(u.pubKey), { key: u.pubKey, power: u.power });
      }
    }
    return r;
  }

  tx(signer: TestKey, accountNumber: bigint, messages: Any[]): Uint8Array {
    const sequence = this.sequences.get(signer.bech32) ?? 0n;
    this.sequences.set(signer.bech32, sequence + 1n);
    return signTx({
      messages,
      signer,
      accountNumber,
      sequence,
      gas: 400_000n,
      fee: [{ denom: "uscrt", amount: "40000" }],
    });
  }
}

const delegate = (from: TestKey, to: TestKey, amount: bigint): Any => ({
  typeUrl: STAKING_URLS.MsgDelegate,
  value: encodeMsgDelegate({
    delegatorAddress: from.bech32,
    validatorAddress: valoperAddress(to.address),
    amount: { denom: "uscrt", amount: amount.toString() },
  }),
});

const submit = (proposer: TestKey, messages: Any[], deposit: bigint): Any => ({
  typeUrl: GOV_URLS.MsgSubmitProposal,
  value: encodeMsgSubmitProposal({
    messages,
    initialDeposit: [{ denom: "uscrt", amount: deposit.toString() }],
    proposer: proposer.bech32,
    metadata: "",
    title: "t",
    summary: "s",
    expedited: false,
  }),
});

const vote = (voter: TestKey, proposalId: bigint): Any => ({
  typeUrl: GOV_URLS.MsgVote,
  value: encodeMsgVote({ proposalId, voter: voter.bech32, option: VoteOption.Yes }),
});

const stakingParams = (app: SecretApp): Record<string, unknown> =>
  (app.exportGenesis().staking as { params: Record<string, unknown> }).params;

describe("app: proof of stake wired into SecretApp", () => {
  it("initChain returns the gentxs' validator set; staking genesis exports it", () => {
    const c = new Chain([gentx(val, consKey1, 10n * M), gentx(val2, consKey2, 5n * M)]);
    assert.deepEqual(
      [...c.valset.values()].map((v) => [toHex(v.key), v.power]).sort(),
      [
        [toHex(consKey1), 10n],
        [toHex(consKey2), 5n],
      ].sort(),
    );
    c.block();
    const exported = c.app.exportGenesis();
    const staking = exported.staking as { validators: unknown[]; last_validator_powers: unknown[] };
    assert.equal(staking.validators.length, 2);
    assert.equal(staking.last_validator_powers.length, 2);
    for (const m of ["distribution", "mint", "slashing", "gov"]) assert.ok(exported[m] !== undefined, m);
  });

  it("a block with a delegation changes the validator set returned to consensus; none otherwise", () => {
    const c = new Chain([gentx(val, consKey1, 10n * M)]);
    const first = c.block();
    assert.deepEqual(first.validatorUpdates, []);
    assert.ok(
      first.events.some(
        (e) => e.type === "mint" && e.attributes.some((a) => a.key === "mode" && a.value === "BeginBlock"),
      ),
      "the mint event of the begin block, marked mode=BeginBlock",
    );
    const r = c.block([c.tx(del, 2n, [delegate(del, val, 7n * M)])]);
    assert.equal(r.txResults[0]!.code, 0, r.txResults[0]!.log);
    assert.deepEqual(
      r.validatorUpdates.map((u) => [toHex(u.pubKey), u.power]),
      [[toHex(consKey1), 17n]],
    );
    assert.deepEqual(c.block().validatorUpdates, []);
    assert.equal([...c.valset.values()][0]!.power, 17n);
    // A delegation below one unit of power changes the tokens but not the power: no update.
    const small = c.block([c.tx(del, 2n, [delegate(del, val, 1n)])]);
    assert.equal(small.txResults[0]!.code, 0, small.txResults[0]!.log);
    assert.deepEqual(small.validatorUpdates, []);
  });

  it("misbehaviour in the request jails the validator: power 0 goes to consensus", () => {
    const c = new Chain([gentx(val, consKey1, 10n * M), gentx(val2, consKey2, 5n * M)]);
    c.block();
    c.block();
    const h = c.app.lastHeight;
    const evidence: Misbehavior = {
      type: "duplicate_vote",
      address: consAddr(consKey2),
      power: 5n,
      height: BigInt(h),
      timeNanos: c.time,
    };
    const r = c.block([], { misbehavior: [evidence] });
    assert.deepEqual(
      r.validatorUpdates.map((u) => [toHex(u.pubKey), u.power]),
      [[toHex(consKey2), 0n]],
    );
    assert.ok(
      r.events.some((e) => e.type === "slash"),
      "slash event",
    );
    c.block();
    c.block();
    assert.deepEqual([...c.valset.keys()], [toHex(consKey1)]);
  });

  it("a gov MsgUpdateParams proposal (10^9 deposit) passes and is applied by the end blocker", () => {
    const c = new Chain([gentx(val, consKey1, 10n * M)]);
    c.block();
    const update: Any = {
      typeUrl: STAKING_URLS.MsgUpdateParams,
      value: encodeMsgUpdateParams({
        authority: GOV,
        params: encodeStakingParams({ ...DEFAULT_STAKING_PARAMS, maxEntries: 3 }),
      }),
    };
    const s = c.block([c.tx(val, 0n, [submit(val, [update], 10n ** 9n)])]);
    assert.equal(s.txResults[0]!.code, 0, s.txResults[0]!.log);
    assert.ok(
      s.txResults[0]!.events.some(
        (e) => e.type === "submit_proposal" && e.attributes.some((a) => a.key === "voting_period_start"),
      ),
      "the proposal enters voting in the submit tx",
    );
    const v = c.block([c.tx(val, 0n, [vote(val, 1n)])]);
    assert.equal(v.txResults[0]!.code, 0, v.txResults[0]!.log);
    assert.equal(stakingParams(c.app).max_entries, 7);
    const end = c.block([], { seconds: 91n });
    assert.ok(
      end.events.some((e) => e.type === "active_proposal"),
      "the end blocker reports the proposal",
    );
    assert.equal(stakingParams(c.app).max_entries, 3);
  });

  it("a legacy ParameterChangeProposal changes the compute module's params", () => {
    const c = new Chain([gentx(val, consKey1, 10n * M)]);
    c.block();
    const change: Any = {
      typeUrl: GOV_URLS.MsgExecLegacyContent,
      value: encodeMsgExecLegacyContent({
        content: {
          typeUrl: GOV_URLS.ParameterChangeProposal,
          value: encodeParameterChangeProposal({
            title: "cheaper code",
            description: "halve the compile cost",
            changes: [
              { subspace: "compute", key: "CompileCost", value: '"0.4"' },
              { subspace: "compute", key: "MaxContractSize", value: '"1000000"' },
            ],
          }),
        },
        authority: GOV,
      }),
    };
    const computeParams = (): Record<string, unknown> =>
      (c.app.exportGenesis().compute as { params: Record<string, unknown> }).params;
    assert.deepEqual(computeParams(), { compile_cost: "0.800000000000000000", max_contract_size: "2097152" });
    const s = c.block([c.tx(val, 0n, [submit(val, [change], 10n ** 9n)])]);
    assert.equal(s.txResults[0]!.code, 0, s.txResults[0]!.log);
    assert.equal(c.block([c.tx(val, 0n, [vote(val, 1n)])]).txResults[0]!.code, 0);
    c.block([], { seconds: 91n });
    assert.deepEqual(computeParams(), { compile_cost: "0.400000000000000000", max_contract_size: "1000000" });
  });

  it("an upgrade plan without a handler stops finalizeBlock at its height with UpgradeHaltError", () => {
    const c = new Chain([gentx(val, consKey1, 10n * M)]);
    c.block();
    const plan = { name: "v2", height: 8n, info: "" };
    const upgrade: Any = {
      typeUrl: GOV_URLS.MsgSoftwareUpgrade,
      value: encodeMsgSoftwareUpgrade({ authority: GOV, plan }),
    };
    assert.equal(c.block([c.tx(val, 0n, [submit(val, [upgrade], 10n ** 9n)])]).txResults[0]!.code, 0);
    assert.equal(c.block([c.tx(val, 0n, [vote(val, 1n)])]).txResults[0]!.code, 0);
    c.block([], { seconds: 91n });
    while (c.app.lastHeight < 7) c.block();
    const hashBefore = toHex(c.app.lastAppHash);
    assert.throws(
      () => c.block(),
      (e: unknown) =>
        e instanceof UpgradeHaltError && e.code === "APP_UPGRADE_NEEDED" && /UPGRADE "v2" NEEDED/.test(e.message),
    );
    assert.equal(c.app.lastHeight, 7);
    assert.equal(toHex(c.app.lastAppHash), hashBefore);
  });

  it("refuses bad gentxs and bad request fields", () => {
    const two = gentx(val, consKey1, 10n * M) as { body: { messages: unknown[] } };
    const bad = { ...two, body: { ...two.body, messages: [...two.body.messages, ...two.body.messages] } };
    assert.throws(() => newApp().initChain(genesis([bad])), /exactly one message/);
    const wrongType = { ...two, body: { ...two.body, messages: [{ "@type": "/cosmos.bank.v1beta1.MsgSend" }] } };
    assert.throws(() => newApp().initChain(genesis([wrongType])), /want MsgCreateValidator/);
    // Self-delegation beyond the operator's balance fails in genesis (insufficient funds).
    assert.throws(() => newApp().initChain(genesis([gentx(val, consKey1, FUNDS + 1n)])));
    const c = new Chain([gentx(val, consKey1, 10n * M)]);
    assert.throws(
      () => c.app.finalizeBlock({ height: 1, timeNanos: GENESIS_NANOS + SECOND, txs: [], proposer: new Uint8Array(3) }),
      (e: unknown) => e instanceof InvariantError,
    );
  });
});
