/**
 * Proof of stake and governance on the dev chain, through the real secretjs and the LCD: `scrt dev` as
 * a child process (temp home, random loopback ports, no enclave worker: contracts are not the subject).
 * The genesis validator comes from the dev gentx (10^17 uscrt self-delegated, §9 params); `a` delegates
 * 1uscrt (validators[0].tokens rises by exactly 1), withdraws its rewards, submits a proposal with a
 * 10^9 deposit (voting starts in the submit tx) and votes; staking, distribution and gov queries answer
 * in the shapes secretjs reads.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { TxResponse } from "../helpers/secretjsClient.ts";
import { MNEMONICS, Wallet } from "../helpers/secretjsTx.ts";
import { freePort } from "../helpers/net.ts";

const ROOT = join(import.meta.dirname, "..", "..");
const require = createRequire(import.meta.url);

type Tx = (params: object, options?: object) => Promise<TxResponse>;
type Q = (req: object) => Promise<Record<string, unknown>>;
interface PosClient {
  readonly address: string;
  readonly tx: {
    readonly staking: { readonly delegate: Tx };
    readonly distribution: { readonly withdrawDelegatorReward: Tx };
    readonly gov: { readonly submitProposal: Tx; readonly vote: Tx };
  };
  readonly query: {
    readonly bank: { balance(req: object): Promise<{ balance?: { amount: string } }> };
    readonly staking: { validators: Q; validator: Q; delegation: Q; params: Q; pool: Q };
    readonly distribution: { delegationTotalRewards: Q; params: Q; validatorOutstandingRewards: Q };
    readonly gov: { proposal: Q; proposals: Q; vote: Q; params: Q; tallyResult: Q };
  };
}
const secretjs = require("secretjs") as { SecretNetworkClient: new (options: object) => PosClient };

function ok(tx: TxResponse): TxResponse {
  assert.equal(tx.code, 0, `tx failed: ${tx.rawLog}`);
  return tx;
}

function logValue(tx: TxResponse, type: string, key: string): string | undefined {
  return tx.arrayLog?.find((e) => e.type === type && e.key === key)?.value;
}

interface Validator {
  operator_address: string;
  tokens: string;
  status: string;
  jailed: boolean;
  delegator_shares: string;
  consensus_pubkey: { "@type"?: string; key?: string } | null;
  commission: { commission_rates: { rate: string } };
  description: { moniker: string };
}

describe("PoS and gov on the dev chain with secretjs", { timeout: 180_000 }, () => {
  let child: ChildProcess;
  let home: string;
  let output = "";
  let lcd: string;
  let rpc: string;
  let a: PosClient;
  let validatorAddr: string;

  before(async () => {
    home = mkdtempSync(join(tmpdir(), "scrt-devchain-pos-"));
    const [rpcPort, lcdPort, faucetPort] = [await freePort(), await freePort(), await freePort()];
    lcd = `http://127.0.0.1:${lcdPort}`;
    rpc = `http://127.0.0.1:${rpcPort}`;
    const args = ["bin/scrt.js", "dev", "--home", home, "--rpc-port", `${rpcPort}`, "--lcd-port", `${lcdPort}`];
    child = spawn(process.execPath, [...args, "--faucet-port", `${faucetPort}`, "--no-enclave"], { cwd: ROOT });
    child.stdout?.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr?.on("data", (d: Buffer) => (output += d.toString()));
    for (let attempt = 0; ; attempt++) {
      if (child.exitCode !== null) throw new Error(`scrt dev exited with ${child.exitCode}:\n${output}`);
      if (output.includes("ready ")) break;
      if (attempt > 600) throw new Error(`the dev chain did not get ready:\n${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const wallet = new Wallet(MNEMONICS.a);
    a = new secretjs.SecretNetworkClient({ url: lcd, chainId: "secretdev-1", wallet, walletAddress: wallet.address });
  });

  after(async () => {
    if (child.exitCode === null) {
      child.kill("SIGTERM");
      await new Promise((r) => child.once("exit", r));
    }
    rmSync(home, { recursive: true, force: true });
  });

  it("has the dev validator from the gentx: bonded, 10^17 uscrt, §9 params", async () => {
    const { validators } = (await a.query.staking.validators({ status: "" })) as { validators: Validator[] };
    assert.equal(validators.length, 1);
    const v = validators[0]!;
    validatorAddr = v.operator_address;
    assert.match(validatorAddr, /^secretvaloper1/);
    assert.equal(v.status, "BOND_STATUS_BONDED");
    assert.equal(v.jailed, false);
    assert.equal(v.tokens, (10n ** 17n).toString());
    assert.equal(v.delegator_shares, "100000000000000000.000000000000000000");
    assert.equal(v.consensus_pubkey?.["@type"], "/cosmos.crypto.ed25519.PubKey");
    assert.equal(v.description.moniker, "secretdev");
    assert.equal(v.commission.commission_rates.rate, "0.100000000000000000");
    // The consensus set is the app's: one validator with power 10^17 / 10^6.
    const vs = (await (await fetch(`${lcd}/cosmos/base/tendermint/v1beta1/validatorsets/latest`)).json()) as {
      validators: { voting_power: string; pub_key: { key: string } }[];
    };
    assert.equal(vs.validators.length, 1);
    assert.equal(vs.validators[0]!.voting_power, (10n ** 11n).toString());
    assert.equal(vs.validators[0]!.pub_key.key, v.consensus_pubkey?.key);
    const { params } = (await a.query.staking.params({})) as { params: Record<string, unknown> };
    assert.equal(params.unbonding_time, "90s");
    assert.equal(params.bond_denom, "uscrt");
    const voting = (await a.query.gov.params({ params_type: "voting" })) as { params: Record<string, unknown> };
    assert.equal(voting.params.voting_period, "90s");
    const deposit = (await a.query.gov.params({ params_type: "deposit" })) as {
      params: { min_deposit: { amount: string }[] };
    };
    assert.equal(deposit.params.min_deposit[0]!.amount, "1000000000");
    const dist = (await a.query.distribution.params({})) as { params: Record<string, unknown> };
    assert.equal(dist.params.community_tax, "0.020000000000000000");
    const pool = (await a.query.staking.pool({})) as { pool: { bonded_tokens: string } };
    assert.equal(pool.pool.bonded_tokens, (10n ** 17n).toString());
  });

  it("MsgDelegate of 1uscrt: validators[0].tokens rises by exactly 1; the delegation answers", async () => {
    const tokens = async (): Promise<bigint> => {
      const { validators } = (await a.query.staking.validators({ status: "" })) as { validators: Validator[] };
      assert.equal(validators[0]!.operator_address, validatorAddr);
      return BigInt(validators[0]!.tokens);
    };
    const before = await tokens();
    ok(
      await a.tx.staking.delegate(
        { delegator_address: a.address, validator_address: validatorAddr, amount: { denom: "uscrt", amount: "1" } },
        { gasLimit: 300_000 },
      ),
    );
    assert.equal(await tokens(), before + 1n);
    const d = (await a.query.staking.delegation({ delegator_addr: a.address, validator_addr: validatorAddr })) as {
      delegation_response: { delegation: { shares: string }; balance: { amount: string } };
    };
    assert.equal(d.delegation_response.balance.amount, "1");
    assert.equal(d.delegation_response.delegation.shares, "1.000000000000000000");
  });

  it("withdraws delegator rewards: the event's amount arrives, the fee is charged", async () => {
    // A bigger stake so that a few blocks of inflation and fees make a whole-coin reward.
    const big = ok(
      await a.tx.staking.delegate(
        {
          delegator_address: a.address,
          validator_address: validatorAddr,
          amount: { denom: "uscrt", amount: "10000000000000000" },
        },
        { gasLimit: 300_000 },
      ),
    );
    // The delegation's block reports the power change to consensus (RPC block_results).
    const results = (await (await fetch(`${rpc}/block_results?height=${big.height}`)).json()) as {
      result: { validator_updates: { power?: string; pub_key: unknown }[] | null };
    };
    assert.deepEqual(
      results.result.validator_updates?.map((u) => u.power),
      [((10n ** 17n + 10n ** 16n + 1n) / 10n ** 6n).toString()],
    );
    await new Promise((r) => setTimeout(r, 2500)); // a couple of (paced) idle blocks accrue rewards
    // The app's end-block update reached consensus (in force two blocks after the delegation).
    const vs = (await (await fetch(`${lcd}/cosmos/base/tendermint/v1beta1/validatorsets/latest`)).json()) as {
      validators: { voting_power: string }[];
    };
    assert.deepEqual(
      vs.validators.map((v) => v.voting_power),
      [((10n ** 17n + 10n ** 16n + 1n) / 10n ** 6n).toString()],
    );
    const rewards = (await a.query.distribution.delegationTotalRewards({ delegator_address: a.address })) as {
      rewards: { validator_address: string; reward: { denom: string; amount: string }[] }[];
      total: { denom: string; amount: string }[];
    };
    assert.equal(rewards.rewards[0]!.validator_address, validatorAddr);
    assert.ok(BigInt(rewards.total[0]!.amount.split(".")[0]!) > 0n, JSON.stringify(rewards));
    const balance = async (): Promise<bigint> =>
      BigInt((await a.query.bank.balance({ address: a.address, denom: "uscrt" })).balance?.amount ?? "0");
    const before = await balance();
    const tx = ok(
      await a.tx.distribution.withdrawDelegatorReward(
        { delegator_address: a.address, validator_address: validatorAddr },
        { gasLimit: 300_000 },
      ),
    );
    const amount = logValue(tx, "withdraw_rewards", "amount");
    assert.ok(amount !== undefined && /^\d+uscrt$/.test(amount), `withdraw_rewards.amount ${amount}`);
    const withdrawn = BigInt(amount.replace("uscrt", ""));
    assert.ok(withdrawn > 0n);
    assert.equal(await balance(), before - 30_000n + withdrawn);
    const outstanding = (await a.query.distribution.validatorOutstandingRewards({
      validator_address: validatorAddr,
    })) as { rewards: { rewards: { denom: string; amount: string }[] } };
    assert.ok(Array.isArray(outstanding.rewards.rewards));
  });

  it("submits a proposal with a 10^9 deposit (voting starts in the submit tx) and votes", async () => {
    const submitted = ok(
      await a.tx.gov.submitProposal(
        {
          proposer: a.address,
          messages: [],
          initial_deposit: [{ denom: "uscrt", amount: "1000000000" }],
          metadata: "ipfs://test",
          title: "A text proposal",
          summary: "devchain pos test",
          expedited: false,
        },
        { gasLimit: 400_000 },
      ),
    );
    const id = logValue(submitted, "submit_proposal", "proposal_id");
    assert.ok(id !== undefined && /^\d+$/.test(id), `proposal_id ${id}`);
    assert.ok(logValue(submitted, "submit_proposal", "voting_period_start") !== undefined, submitted.rawLog);
    const { proposal } = (await a.query.gov.proposal({ proposal_id: id })) as {
      proposal: { id: string; status: string; total_deposit: { amount: string }[]; voting_end_time: string };
    };
    assert.equal(proposal.id, id);
    assert.equal(proposal.status, "PROPOSAL_STATUS_VOTING_PERIOD");
    assert.equal(proposal.total_deposit[0]!.amount, "1000000000");
    ok(await a.tx.gov.vote({ voter: a.address, proposal_id: id, option: 1, metadata: "" }, { gasLimit: 100_000 }));
    const vote = (await a.query.gov.vote({ proposal_id: id, voter: a.address })) as {
      vote: { voter: string; options: { option: string; weight: string }[] };
    };
    assert.equal(vote.vote.voter, a.address);
    assert.deepEqual(vote.vote.options, [{ option: "VOTE_OPTION_YES", weight: "1.000000000000000000" }]);
    const list = (await a.query.gov.proposals({
      proposal_status: 0,
      voter: "",
      depositor: "",
    })) as { proposals: { id: string }[] };
    assert.ok(list.proposals.some((p) => p.id === id));
  });
});
