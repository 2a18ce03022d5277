/**
 * PoS and gov through a real node (LMDB home, consensus driver, no enclave worker): the genesis set is
 * the gentx's; a delegation's power change reaches consensus at H + 2 (header hashes follow) and
 * survives a restart; a double sign seen by consensus becomes block evidence, slashes and removes the
 * validator; a passed software-upgrade proposal without a handler halts the node at the plan's height
 * with `APP_UPGRADE_NEEDED`, the block unsaved.
 * Gov's voting period is 2 s here (a genesis override) so that the proposal passes in seconds.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { moduleAddress } from "../../src/app/auth/keeper.ts";
import {
  GOV_URLS,
  VoteOption,
  encodeMsgSoftwareUpgrade,
  encodeMsgSubmitProposal,
  encodeMsgVote,
} from "../../src/codec/gov.ts";
import { STAKING_URLS, encodeMsgDelegate } from "../../src/codec/staking.ts";
import type { Any } from "../../src/codec/tx.ts";
import { genTxJson, valoperAddress } from "../../src/app/index.ts";
import { SignedMsgType, voteSignBytes, type Vote } from "../../src/codec/consensus.ts";
import { ed25519PublicKey, ed25519Sign, sha256 } from "../../src/crypto/index.ts";
import { homePaths } from "../../src/node/home.ts";
import { utf8Encode } from "../../src/primitives/bytes.ts";
import { decodeAddress } from "../../src/primitives/bech32.ts";
import { ed25519Address, validatorSetHash } from "../../src/consensus/index.ts";
import { NodeBackend } from "../../src/node/backend.ts";
import { decodeBlock } from "../../src/node/blockCodec.ts";
import { DEV_ACCOUNT_BALANCE, DEV_MODULE_GENESIS, devAccount, devAccounts } from "../../src/node/devAccounts.ts";
import { initHome } from "../../src/node/init.ts";
import { Node } from "../../src/node/node.ts";
import { signDirectTx } from "../../src/node/txBuilder.ts";
import { encodeAddress } from "../../src/primitives/bech32.ts";
import { bytesEqual } from "../../src/primitives/bytes.ts";
import { isCodedError } from "../../src/primitives/errors.ts";

const root = mkdtempSync(join(tmpdir(), "scrt-pos-node-"));
const open: Node[] = [];
after(async () => {
  await Promise.all(open.map((n) => n.close().catch(() => {})));
  rmSync(root, { recursive: true, force: true });
});

const CHAIN = "secretdev-1";
const GOV = encodeAddress(moduleAddress("gov"));
const gov = DEV_MODULE_GENESIS.gov as { params: Record<string, unknown> };

const devGenesisAccounts = () =>
  devAccounts().map((a) => ({
    address: a.address,
    coins: [{ denom: "uscrt", amount: DEV_ACCOUNT_BALANCE.toString() }],
  }));

function validatorTx(messages: Any[], sequence: bigint, from = "validator", accountNumber = 0n): Uint8Array {
  const k = devAccount(from);
  return signDirectTx({
    messages,
    key: k.key,
    chainId: CHAIN,
    accountNumber,
    sequence,
    fee: [{ denom: "uscrt", amount: "50000" }],
    gas: 400_000n,
  });
}

async function include(backend: NodeBackend, tx: Uint8Array) {
  const r = backend.broadcastTx(tx);
  assert.equal(r.check.code, 0, r.check.log);
  const included = await backend.waitForTx(r.hash, 15_000);
  assert.ok(included !== undefined, "tx included");
  assert.equal(included.result.code, 0, included.result.log);
  return included;
}

describe("node: validators from staking, upgrade halt", { timeout: 90_000, concurrency: true }, () => {
  it("a delegation changes the consensus set two blocks later; the set survives a restart", async () => {
    const home = join(root, "delegate");
    const init = await initHome({ home, chainId: CHAIN, accounts: devGenesisAccounts() });
    let node = await Node.start({ home, enclave: false });
    open.push(node);
    await node.waitForHeight(2);
    const keepAlive = setInterval(() => {}, 1000);
    try {
      const delegate: Any = {
        typeUrl: STAKING_URLS.MsgDelegate,
        value: encodeMsgDelegate({
          delegatorAddress: devAccount("a").address,
          validatorAddress: valoperAddress(decodeAddress(init.operatorAddress)),
          amount: { denom: "uscrt", amount: (10n ** 16n).toString() },
        }),
      };
      // `a` is account number 1 (devAccounts order).
      const inc = await include(new NodeBackend(node), validatorTx([delegate], 0n, "a", 1n));
      const h = inc.height;
      const power = (height: number): bigint => node.validatorsAt(height).validators[0]!.votingPower;
      assert.equal(node.blockStore.results(h)?.validatorUpdates[0]?.power, 11n * 10n ** 10n);
      assert.equal(power(h + 1), 10n ** 11n, "not yet at H + 1");
      assert.equal(power(h + 2), 11n * 10n ** 10n, "in force at H + 2");
      await node.waitForHeight(h + 2);
      const header = decodeBlock(node.blockStore.blockBytes(h + 1)!).header;
      assert.ok(bytesEqual(header.nextValidatorsHash, validatorSetHash(node.validatorsAt(h + 2))));
      assert.ok(!bytesEqual(header.validatorsHash, header.nextValidatorsHash));
      const at = node.height;
      await node.close();
      open.splice(open.indexOf(node), 1);
      node = await Node.start({ home, enclave: false });
      open.push(node);
      assert.equal(node.height, at);
      assert.equal(power(at + 1), 11n * 10n ** 10n);
      await node.waitForHeight(at + 1, 10_000);
    } finally {
      clearInterval(keepAlive);
    }
  });

  it("a double sign seen by consensus becomes block evidence: the validator is slashed, jailed, removed", async () => {
    const home = join(root, "evidence");
    await initHome({ home, chainId: CHAIN, accounts: devGenesisAccounts() });
    // A second, small genesis validator (`b`, 1 % of the power) whose consensus key the test holds.
    const seed2 = sha256(utf8Encode("devchainPos second validator"));
    const key2 = ed25519PublicKey(seed2);
    const b = devAccount("b").address;
    const path = homePaths(home).genesis;
    const doc = JSON.parse(readFileSync(path, "utf8")) as { app_state: { genutil: { gen_txs: unknown[] } } };
    doc.app_state.genutil.gen_txs.push(
      genTxJson({
        moniker: "second",
        delegatorAddress: b,
        validatorAddress: valoperAddress(decodeAddress(b)),
        consensusPubKey: key2,
        selfDelegation: { denom: "uscrt", amount: 10n ** 15n },
      }),
    );
    writeFileSync(path, JSON.stringify(doc));
    const node = await Node.start({ home, enclave: false });
    open.push(node);
    const keepAlive = setInterval(() => {}, 1000);
    try {
      await node.waitForHeight(3);
      const h = node.height;
      const set = node.validatorsAt(h);
      assert.equal(set.validators.length, 2);
      const index = set.validators.findIndex((v) => bytesEqual(v.pubKey, key2));
      assert.equal(index, 1);
      // Two prevotes of the second validator for different blocks at the height consensus is still on.
      const vote = (fill: number): Vote => {
        const unsigned = {
          type: SignedMsgType.Prevote,
          height: BigInt(h),
          round: 0,
          blockId: {
            hash: new Uint8Array(32).fill(fill),
            partSetHeader: { total: 1, hash: new Uint8Array(32).fill(fill) },
          },
          timestamp: { seconds: 1_800_000_000n, nanos: 0 },
          validatorAddress: ed25519Address(key2),
          validatorIndex: index,
        } as const;
        return { ...unsigned, signature: ed25519Sign(seed2, voteSignBytes(CHAIN, unsigned)) };
      };
      node.handleConsensusEvent({ type: "vote", vote: vote(1) });
      node.handleConsensusEvent({ type: "vote", vote: vote(2) });
      // Verified after the next commit, proposed in the block after, in force two blocks later.
      const inBlock = async (): Promise<number> => {
        for (let height = h + 1; ; height++) {
          await node.waitForHeight(height, 10_000);
          if (decodeBlock(node.blockStore.blockBytes(height)!).evidence.length > 0) return height;
          assert.ok(height < h + 6, "evidence not included within 5 blocks");
        }
      };
      const e = await inBlock();
      const evidence = decodeBlock(node.blockStore.blockBytes(e)!).evidence;
      assert.equal(evidence.length, 1);
      assert.equal(evidence[0]!.voteA.height, BigInt(h));
      assert.equal(evidence[0]!.validatorPower, 10n ** 9n);
      const results = node.blockStore.results(e)!;
      const slash = results.finalizeBlockEvents.find((ev) => ev.type === "slash");
      assert.ok(slash !== undefined, "slash event");
      assert.ok(slash.attributes.some((a) => a.key === "reason" && a.value === "double_sign"));
      assert.deepEqual(
        results.validatorUpdates.map((u) => [u.pubKey, u.power]),
        [[key2, 0n]],
      );
      await node.waitForHeight(e + 2, 10_000);
      assert.equal(node.validatorsAt(e + 1).validators.length, 2);
      assert.deepEqual(
        node.validatorsAt(e + 2).validators.map((v) => v.pubKey),
        [node.validatorPubKey],
      );
      assert.equal(node.halted, undefined);
    } finally {
      clearInterval(keepAlive);
    }
  });

  it("runs on the gentx's set and halts at an upgrade plan's height", async () => {
    const home = join(root, "upgrade");
    const init = await initHome({
      home,
      chainId: CHAIN,
      accounts: devGenesisAccounts(),
      modules: {
        ...DEV_MODULE_GENESIS,
        gov: { params: { ...gov.params, voting_period: "2s", expedited_voting_period: "1s" } },
      },
    });
    assert.equal(init.operatorAddress, devAccount("validator").address);
    const node = await Node.start({ home, enclave: false });
    open.push(node);
    const backend = new NodeBackend(node);
    await node.waitForHeight(2);
    // The consensus set is the gentx's: this node's key with power 10^17 / 10^6.
    const set = node.validatorsAt(node.height);
    assert.equal(set.validators.length, 1);
    assert.ok(bytesEqual(set.validators[0]!.address, ed25519Address(init.validatorPubKey)));
    assert.equal(set.validators[0]!.votingPower, 10n ** 11n);
    const header = decodeBlock(node.blockStore.blockBytes(2)!).header;
    assert.ok(bytesEqual(header.validatorsHash, validatorSetHash(set)));

    const planHeight = BigInt(node.height + 8);
    const upgrade: Any = {
      typeUrl: GOV_URLS.MsgSoftwareUpgrade,
      value: encodeMsgSoftwareUpgrade({ authority: GOV, plan: { name: "v2", height: planHeight, info: "https://x" } }),
    };
    const submit: Any = {
      typeUrl: GOV_URLS.MsgSubmitProposal,
      value: encodeMsgSubmitProposal({
        messages: [upgrade],
        initialDeposit: [{ denom: "uscrt", amount: "1000000000" }],
        proposer: devAccount("validator").address,
        metadata: "",
        title: "v2",
        summary: "upgrade",
        expedited: false,
      }),
    };
    const halted = new Promise<Error>((resolve) => node.onHalt(resolve));
    await include(backend, validatorTx([submit], 0n));
    const vote: Any = {
      typeUrl: GOV_URLS.MsgVote,
      value: encodeMsgVote({ proposalId: 1n, voter: devAccount("validator").address, option: VoteOption.Yes }),
    };
    await include(backend, validatorTx([vote], 1n));
    // The node's idle-block timers do not keep the process alive (a CLI's servers do): hold it here.
    const keepAlive = setInterval(() => {}, 1000);
    const err = await halted.finally(() => clearInterval(keepAlive));
    assert.ok(isCodedError(err, "APP_UPGRADE_NEEDED"), `${err.name}: ${err.message}`);
    assert.equal(err.message, `UPGRADE "v2" NEEDED at height: ${planHeight}: https://x`);
    assert.equal(BigInt(node.height), planHeight - 1n);
    assert.equal(BigInt(node.blockStore.height), planHeight - 1n, "the halting block is not saved");
    assert.ok(node.halted !== undefined);
  });
});
