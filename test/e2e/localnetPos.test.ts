/**
 * Proof of stake on a real localnet: 4 validators as separate `scrt start --no-enclave` processes over
 * libp2p, one network through the steps below in order (each starts from the previous one's state).
 * The genesis has small slashing params (window 10, 3 s jail) and a 4 s voting period.
 *
 * min_signed_per_window is 0.5: a block's LastCommit carries the precommits its proposer received up
 * to the end of timeout_commit, not only the first +2/3, so a live validator is not counted as missing
 * blocks (with only the first +2/3 recorded, each live validator missed ~1/4 of them and was jailed).
 *
 * (a) A fifth node started as a full node (`addLocalnetNode`) syncs; its operator sends
 *     MsgCreateValidator with the node's ed25519 consensus key; the validator is in the set from H + 2,
 *     not at H + 1, and its signatures appear in the next commits.
 * (b) A validator whose process is killed is jailed for downtime and leaves the set; after its restart
 *     and the jail time, MsgUnjail brings it back and it signs again.
 * (c) A ParameterChangeProposal (staking MaxValidators 100 → 50) voted yes by the operators passes
 *     and every node's LCD shows the new value.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { moduleAddress } from "../../src/app/auth/keeper.ts";
import { valoperAddress } from "../../src/app/index.ts";
import {
  GOV_URLS,
  VoteOption,
  encodeMsgExecLegacyContent,
  encodeMsgSubmitProposal,
  encodeMsgVote,
  encodeParameterChangeProposal,
} from "../../src/codec/gov.ts";
import { ED25519_PUBKEY_URL, encodePubKeyBytes } from "../../src/codec/keys.ts";
import { SLASHING_URLS, encodeMsgUnjail } from "../../src/codec/slashing.ts";
import { EMPTY_DESCRIPTION, STAKING_URLS, encodeMsgCreateValidator } from "../../src/codec/staking.ts";
import type { Any } from "../../src/codec/tx.ts";
import { loadPrivValidatorKey } from "../../src/node/home.ts";
import {
  addLocalnetNode,
  initLocalnet,
  loadLocalnet,
  localnetAccountAddress,
  localnetAccountKey,
  localnetOperatorAddress,
  localnetOperatorKey,
} from "../../src/node/localnet.ts";
import { homePaths } from "../../src/node/paths.ts";
import { startEnclave } from "../../src/node/enclave.ts";
import { isCodedError } from "../../src/primitives/errors.ts";
import { decodeAddress, encodeAddress } from "../../src/primitives/bech32.ts";
import { LocalnetDriver, type Obj } from "../helpers/localnet.ts";

let dir: string;
let d: LocalnetDriver;
const ALL = [0, 1, 2, 3];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "scrt-localnet-pos-"));
  const net = await initLocalnet({
    dir,
    validators: 4,
    accounts: 2,
    registerEnclaves: false,
    genesisModules: {
      slashing: {
        params: {
          signed_blocks_window: "10",
          min_signed_per_window: "0.500000000000000000",
          downtime_jail_duration: "3s",
        },
      },
      gov: { params: { voting_period: "4s", expedited_voting_period: "2s" } },
    },
  });
  d = new LocalnetDriver(net);
  await Promise.all(ALL.map((i) => d.start(i).ready));
});

after(async () => {
  await d?.killAll();
  rmSync(dir, { recursive: true, force: true });
});

const valoperOf = (account: string): string => valoperAddress(decodeAddress(account));

async function validatorInfo(i: number, valoper: string): Promise<{ jailed: boolean; status: string }> {
  const v = (await d.lcd(i, `/cosmos/staking/v1beta1/validators/${valoper}`))["validator"] as Obj;
  return { jailed: v["jailed"] === true, status: v["status"] as string };
}

test("addLocalnetNode: the new home's enclave gets the network seeds; the same home twice is refused", async () => {
  const small = mkdtempSync(join(tmpdir(), "scrt-localnet-add-"));
  try {
    const one = await initLocalnet({ dir: small, validators: 1, accounts: 1 });
    const grown = await addLocalnetNode(one);
    assert.deepEqual(
      grown.nodes.map((n) => n.moniker),
      ["node0", "node1"],
    );
    assert.deepEqual(loadLocalnet(small).nodes, grown.nodes);
    const enclave = await startEnclave(grown.nodes[1]!.home);
    try {
      assert.equal(enclave.call("getStatus", {}).hasSealedKeychain, true);
    } finally {
      await enclave.close();
    }
    await assert.rejects(addLocalnetNode(one), (e: unknown) => isCodedError(e, "NODE_HOME_EXISTS"));
  } finally {
    rmSync(small, { recursive: true, force: true });
  }
});

test("a full node joins, syncs, and becomes a validator by staking: in the set from H + 2, signing", async () => {
  await d.waitHeight(ALL, 3);
  d.net = await addLocalnetNode(d.net, { registerEnclave: false });
  const n4 = d.net.nodes[4]!;
  await d.start(4).ready;
  const top = Math.max(...(await Promise.all(ALL.map((i) => d.height(i)))));
  await d.waitHeight([4], top, 30_000);
  assert.ok(!(await d.validatorsAt(0, top)).has(n4.validatorAddress), "node4 is a validator before staking");

  // The operator is localnet account 1 (funded in genesis, not a validator yet).
  const operator = localnetAccountAddress(1);
  const pub = loadPrivValidatorKey(homePaths(n4.home).privValidatorKey).pubKey;
  const create: Any = {
    typeUrl: STAKING_URLS.MsgCreateValidator,
    value: encodeMsgCreateValidator({
      description: { ...EMPTY_DESCRIPTION, moniker: n4.moniker },
      // Decimals as their 18-digit atomics: 0.1, 0.2, 0.01.
      commission: { rate: "100000000000000000", maxRate: "200000000000000000", maxChangeRate: "10000000000000000" },
      minSelfDelegation: "1",
      delegatorAddress: operator,
      validatorAddress: valoperOf(operator),
      pubkey: { typeUrl: ED25519_PUBKEY_URL, value: encodePubKeyBytes(pub) },
      value: { denom: "uscrt", amount: (10n ** 17n).toString() },
    }),
  };
  const tx = await d.sendTx(4, localnetAccountKey(1), operator, [create]);
  assert.equal(tx.code, 0, tx.log);
  const h = tx.height;
  await d.waitHeight([0, 4], h + 2);
  const before = await d.validatorsAt(0, h + 1);
  const inForce = await d.validatorsAt(0, h + 2);
  assert.equal(before.size, 4);
  assert.ok(!before.has(n4.validatorAddress), "node4 in the set at H + 1");
  assert.equal(inForce.size, 5);
  assert.equal(inForce.get(n4.validatorAddress), 10n ** 11n, "node4's power is its stake / 10^6");
  assert.deepEqual(await validatorInfo(4, valoperOf(operator)), { jailed: false, status: "BOND_STATUS_BONDED" });

  // Its signature appears in the commits of the next blocks.
  await d.waitHeight([0], h + 9, 30_000);
  let signed = 0;
  for (let x = h + 2; x <= h + 8; x++) if ((await d.signersOf(0, x)).includes(n4.validatorAddress)) signed++;
  assert.ok(signed > 0, `node4 (${n4.validatorAddress}) signed none of blocks ${h + 2}..${h + 8}`);
});

test("a stopped validator is jailed for downtime; after restart and MsgUnjail it is back and signs", async () => {
  const up = [0, 1, 2, 4];
  const n3 = d.net.nodes[3]!; // five equal validators: the four others are all needed for +2/3
  const valoper3 = valoperOf(localnetOperatorAddress(3));
  const slashing = (await d.lcd(2, "/cosmos/slashing/v1beta1/params"))["params"] as Obj;
  assert.equal(slashing["signed_blocks_window"], "10", "the genesis override is in force");
  await d.kill(3);
  // Blocks go on without it (3 + a small fifth of 4 + ε powers); it misses more than half the window.
  const jailedAt = await d.until(
    "node3 jailed",
    async () => ((await validatorInfo(0, valoper3)).jailed ? await d.height(0) : undefined),
    60_000,
  );
  const info = await validatorInfo(0, valoper3);
  assert.notEqual(info.status, "BOND_STATUS_BONDED", "a jailed validator stays bonded");
  await d.waitHeight(up, jailedAt + 2);
  const set = await d.validatorsAt(0, jailedAt + 2);
  const names = d.net.nodes.map((n) => `${n.moniker}=${n.validatorAddress}`).join(" ");
  assert.equal(set.size, 4, `set at ${jailedAt + 2}: ${[...set.keys()].join(",")}; nodes ${names}`);
  assert.ok(!set.has(n3.validatorAddress), "the jailed validator is still in the consensus set");
  // The live validators, whose precommits may come a moment after +2/3, are not counted as down.
  for (const valoper of [
    ...[0, 1, 2].map((k) => valoperOf(localnetOperatorAddress(k))),
    valoperOf(localnetAccountAddress(1)),
  ]) {
    assert.equal((await validatorInfo(0, valoper)).jailed, false, `${valoper} jailed while live`);
  }

  // Restart; unjail once the jail time (3 s of block time) is over.
  await d.start(3).ready;
  await d.waitHeight([3], await d.height(0), 30_000);
  await new Promise((r) => setTimeout(r, 3500));
  const unjail: Any = { typeUrl: SLASHING_URLS.MsgUnjail, value: encodeMsgUnjail({ validatorAddr: valoper3 }) };
  const tx = await d.sendTx(0, localnetOperatorKey(3), localnetOperatorAddress(3), [unjail]);
  assert.equal(tx.code, 0, tx.log);
  assert.equal((await validatorInfo(1, valoper3)).jailed, false);
  await d.waitHeight([0, 3], tx.height + 7, 30_000);
  const back = await d.validatorsAt(0, tx.height + 2);
  assert.equal(back.size, 5);
  // Slashed by slash_fraction_downtime (1 %) of its 10^17 self-delegation.
  assert.equal(back.get(n3.validatorAddress), 99n * 10n ** 9n);
  let signed = 0;
  for (let x = tx.height + 2; x <= tx.height + 6; x++) {
    if ((await d.signersOf(0, x)).includes(n3.validatorAddress)) signed++;
  }
  assert.ok(signed > 0, `node3 signed none of blocks ${tx.height + 2}..${tx.height + 6} after unjail`);
});

test("a parameter-change proposal passes by the validators' votes and every node applies it", async () => {
  const nodes = [0, 1, 2, 3, 4];
  const maxValidators = async (i: number): Promise<number> =>
    Number(((await d.lcd(i, "/cosmos/staking/v1beta1/params"))["params"] as Obj)["max_validators"]);
  assert.deepEqual(await Promise.all(nodes.map(maxValidators)), [100, 100, 100, 100, 100]);

  const change: Any = {
    typeUrl: GOV_URLS.ParameterChangeProposal,
    value: encodeParameterChangeProposal({
      title: "fewer validators",
      description: "max_validators 50",
      changes: [{ subspace: "staking", key: "MaxValidators", value: "50" }],
    }),
  };
  const exec: Any = {
    typeUrl: GOV_URLS.MsgExecLegacyContent,
    value: encodeMsgExecLegacyContent({ content: change, authority: encodeAddress(moduleAddress("gov")) }),
  };
  const submit: Any = {
    typeUrl: GOV_URLS.MsgSubmitProposal,
    value: encodeMsgSubmitProposal({
      messages: [exec],
      initialDeposit: [{ denom: "uscrt", amount: "1000000000" }],
      proposer: localnetAccountAddress(0),
      metadata: "",
      title: "fewer validators",
      summary: "max_validators 50",
      expedited: false,
    }),
  };
  const submitted = await d.sendTx(0, localnetAccountKey(0), localnetAccountAddress(0), [submit]);
  assert.equal(submitted.code, 0, submitted.log);
  const proposals = (await d.lcd(0, "/cosmos/gov/v1/proposals"))["proposals"] as Obj[];
  assert.equal(proposals.length, 1);
  const id = BigInt(proposals[0]!["id"] as string);
  // The four genesis operators vote yes, each through a different node.
  await Promise.all(
    ALL.map(async (k) => {
      const vote: Any = {
        typeUrl: GOV_URLS.MsgVote,
        value: encodeMsgVote({ proposalId: id, voter: localnetOperatorAddress(k), option: VoteOption.Yes }),
      };
      const r = await d.sendTx(k, localnetOperatorKey(k), localnetOperatorAddress(k), [vote]);
      assert.equal(r.code, 0, r.log);
    }),
  );
  const status = await d.until(
    "the proposal's end",
    async () => {
      const p = (await d.lcd(2, `/cosmos/gov/v1/proposals/${id}`))["proposal"] as Obj;
      const s = p["status"] as string;
      return s === "PROPOSAL_STATUS_VOTING_PERIOD" ? undefined : s;
    },
    30_000,
  );
  assert.equal(status, "PROPOSAL_STATUS_PASSED");
  const top = Math.max(...(await Promise.all(nodes.map((i) => d.height(i)))));
  await d.waitHeight(nodes, top);
  assert.deepEqual(await Promise.all(nodes.map(maxValidators)), [50, 50, 50, 50, 50]);
});
