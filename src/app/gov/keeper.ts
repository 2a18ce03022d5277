/**
 * The gov keeper (Cosmos SDK 0.50 `x/gov` v1): proposals carrying messages that only the gov account
 * may sign, deposits (voting starts when the total reaches the minimum deposit), weighted votes, the
 * tally by bonded stake (validators vote with their delegators' shares unless those delegators vote
 * themselves), and the end blocker that drops proposals whose deposit period ran out and tallies
 * those whose voting period ended, executing the messages of passed ones atomically.
 */
import {
  EMPTY_TALLY,
  type GovParams,
  type Proposal,
  ProposalStatus,
  type TallyResult,
  type Vote,
  VoteOption,
  type WeightedVoteOption,
  decodeDeposit,
  decodeGovParams,
  decodeProposal,
  decodeVote,
  encodeDeposit,
  encodeGovParams,
  encodeProposal,
  encodeVote,
  type Deposit,
} from "../../codec/gov.ts";
import { BondStatus } from "../../codec/staking.ts";
import type { Any } from "../../codec/tx.ts";
import { Dec } from "../../primitives/amount.ts";
import { decodeAddress, encodeAddress } from "../../primitives/bech32.ts";
import { be64, readBe64, utf8Decode, utf8Encode } from "../../primitives/bytes.ts";
import { SECRET_KV_GAS_CONFIG, prefixEnd } from "../../store/index.ts";
import { type Coin, addCoins, coinsFromProto, coinsString, coinsToProto } from "../coins.ts";
import { Context } from "../context.ts";
import { AppError, InvariantError, SdkErrors } from "../errors.ts";
import type { AppEvent } from "../events.ts";
import { OutOfGasSignal } from "../gas.ts";
import { scratchContext } from "../modules/scratch.ts";
import { VALOPER_PREFIX } from "../staking/types.ts";
import { GovErrors } from "./errors.ts";
import {
  activeProposalEvent,
  cancelProposalEvent,
  inactiveProposalEvent,
  proposalDepositEvent,
  proposalVoteEvent,
} from "./events.ts";
import {
  ACTIVE_QUEUE_PREFIX,
  CONSTITUTION_KEY,
  DEPOSIT_PREFIX,
  GOV_STORE,
  INACTIVE_QUEUE_PREFIX,
  PARAMS_KEY,
  PROPOSAL_ID_KEY,
  PROPOSAL_PREFIX,
  depositKey,
  depositsPrefix,
  proposalKey,
  queueEnd,
  queueKey,
  voteKey,
  votesPrefix,
} from "./keys.ts";
import { DEFAULT_GOV_PARAMS, GOV_MODULE, MAX_METADATA_LEN, govDec } from "./params.ts";
import type { BankForGov, MsgRouter, StakingForGov } from "./types.ts";

/** Upstream's gas charge for a submitted proposal: 3 × write cost per byte of the proposal. */
const SUBMIT_GAS_PER_BYTE = 3 * SECRET_KV_GAS_CONFIG.writeCostPerByte;

const tallyOf = (results: ReadonlyMap<number, Dec>): TallyResult => ({
  yes: (results.get(VoteOption.Yes) ?? Dec.ZERO).truncateInt(),
  abstain: (results.get(VoteOption.Abstain) ?? Dec.ZERO).truncateInt(),
  no: (results.get(VoteOption.No) ?? Dec.ZERO).truncateInt(),
  noWithVeto: (results.get(VoteOption.NoWithVeto) ?? Dec.ZERO).truncateInt(),
});

/** `ValidWeightedVoteOption`: an option 1..4 with a weight in (0, 1]. */
export function validWeightedOption(o: WeightedVoteOption): boolean {
  let w: Dec;
  try {
    w = Dec.parse(o.weight);
  } catch {
    return false;
  }
  if (w.isNegative() || w.isZero() || w.compare(Dec.ONE) > 0) return false;
  return o.option >= 1 && o.option <= 4;
}

export class GovKeeper {
  private router: MsgRouter = () => undefined;

  constructor(
    private readonly bank: BankForGov,
    private readonly staking: StakingForGov,
    /** The gov module account's address (the authority of governance-only messages). */
    readonly authority: Uint8Array,
  ) {}

  /** The app's message router (set by the wiring once every module's services exist). */
  setRouter(router: MsgRouter): void {
    this.router = router;
  }

  route(typeUrl: string): ReturnType<MsgRouter> {
    return this.router(typeUrl);
  }

  private kv(ctx: Context) {
    return ctx.kv(GOV_STORE);
  }

  getParams(ctx: Context): GovParams {
    const b = this.kv(ctx).get(PARAMS_KEY);
    return b === undefined ? DEFAULT_GOV_PARAMS : decodeGovParams(b);
  }

  setParams(ctx: Context, p: GovParams): void {
    this.kv(ctx).set(PARAMS_KEY, encodeGovParams(p));
  }

  getConstitution(ctx: Context): string {
    const b = this.kv(ctx).get(CONSTITUTION_KEY);
    return b === undefined ? "" : utf8Decode(b);
  }

  setConstitution(ctx: Context, text: string): void {
    this.kv(ctx).set(CONSTITUTION_KEY, utf8Encode(text));
  }

  getProposal(ctx: Context, id: bigint): Proposal | undefined {
    const b = this.kv(ctx).get(proposalKey(id));
    return b === undefined ? undefined : decodeProposal(b);
  }

  setProposal(ctx: Context, p: Proposal): void {
    this.kv(ctx).set(proposalKey(p.id), encodeProposal(p));
  }

  *allProposals(ctx: Context): IterableIterator<Proposal> {
    for (const [, v] of this.kv(ctx).iterator(PROPOSAL_PREFIX, prefixEnd(PROPOSAL_PREFIX))) yield decodeProposal(v);
  }

  nextProposalId(ctx: Context): bigint {
    const b = this.kv(ctx).get(PROPOSAL_ID_KEY);
    return b === undefined ? 1n : readBe64(b);
  }

  setNextProposalId(ctx: Context, id: bigint): void {
    this.kv(ctx).set(PROPOSAL_ID_KEY, be64(id));
  }

  getDeposit(ctx: Context, id: bigint, depositor: Uint8Array): Deposit | undefined {
    const b = this.kv(ctx).get(depositKey(id, depositor));
    return b === undefined ? undefined : decodeDeposit(b);
  }

  deposits(ctx: Context, id: bigint): Deposit[] {
    const p = depositsPrefix(id);
    return [...this.kv(ctx).iterator(p, prefixEnd(p))].map(([, v]) => decodeDeposit(v));
  }

  setDeposit(ctx: Context, d: Deposit): void {
    this.kv(ctx).set(depositKey(d.proposalId, decodeAddress(d.depositor)), encodeDeposit(d));
  }

  getVote(ctx: Context, id: bigint, voter: Uint8Array): Vote | undefined {
    const b = this.kv(ctx).get(voteKey(id, voter));
    return b === undefined ? undefined : decodeVote(b);
  }

  votes(ctx: Context, id: bigint): Vote[] {
    const p = votesPrefix(id);
    return [...this.kv(ctx).iterator(p, prefixEnd(p))].map(([, v]) => decodeVote(v));
  }

  setVote(ctx: Context, v: Vote): void {
    this.kv(ctx).set(voteKey(v.proposalId, decodeAddress(v.voter)), encodeVote(v));
  }

  private minDepositFor(p: GovParams, expedited: boolean): Coin[] {
    return coinsFromProto(expedited ? p.expeditedMinDeposit : p.minDeposit);
  }

  /** `validateDepositDenom`. */
  checkDepositDenoms(params: GovParams, coins: readonly Coin[]): void {
    const accepted = new Set([...params.minDeposit, ...params.expeditedMinDeposit].map((c) => c.denom));
    for (const c of coins) {
      if (!accepted.has(c.denom)) {
        throw GovErrors.InvalidDepositDenom.wrap(
          `deposited ${coinsString(coins)}, but gov accepts only the following denom(s): [${[...accepted].join(" ")}]`,
        );
      }
    }
  }

  /** `validateInitialDeposit`. */
  checkInitialDeposit(params: GovParams, deposit: readonly Coin[], expedited: boolean): void {
    const ratio = govDec(params.minInitialDepositRatio);
    if (ratio.isZero()) return;
    const needed = this.minDepositFor(params, expedited).map((c) => ({
      denom: c.denom,
      amount: Dec.fromInt(c.amount).mul(ratio).truncateInt(),
    }));
    for (const n of needed) {
      const got = deposit.find((c) => c.denom === n.denom)?.amount ?? 0n;
      if (got < n.amount) {
        throw GovErrors.MinDepositTooSmall.wrap(`was (${coinsString(deposit)}), need (${coinsString(needed)})`);
      }
    }
  }

  /** `SubmitProposal` (keeper part): checks the messages, stores the proposal in its deposit period. */
  submitProposal(
    ctx: Context,
    messages: readonly Any[],
    metadata: string,
    title: string,
    summary: string,
    proposer: Uint8Array,
    expedited: boolean,
  ): Proposal {
    if (metadata.length > MAX_METADATA_LEN)
      throw GovErrors.MetadataTooLong.wrap(`got metadata with length ${metadata.length}`);
    if (title.length > MAX_METADATA_LEN)
      throw GovErrors.MetadataTooLong.wrap(`got metadata with length ${title.length}`);
    if (summary.length > 40 * MAX_METADATA_LEN) {
      throw GovErrors.SummaryTooLong.wrap(`got summary with length ${summary.length}`);
    }
    const gov = encodeAddress(this.authority);
    for (const any of messages) {
      const service = this.router(any.typeUrl);
      if (service === undefined) throw GovErrors.UnroutableProposalMsg.wrap(any.typeUrl);
      let msg: unknown;
      try {
        msg = service.decode(any.value);
      } catch (e) {
        throw GovErrors.InvalidProposalMsg.wrap(e instanceof Error ? e.message : String(e));
      }
      const signers = service.signers(msg);
      if (signers.length !== 1 || encodeAddress(signers[0]!) !== gov) {
        throw GovErrors.InvalidSigner.wrap(signers.map((s) => encodeAddress(s)).join(","));
      }
      if (any.typeUrl === "/cosmos.gov.v1.MsgExecLegacyContent") {
        // Legacy contents are tried at submission on a throwaway branch, as upstream.
        const trial = new Context(ctx.header, ctx.mode, ctx.store.branch(), ctx.gasMeter);
        try {
          service.handle(trial, msg);
        } catch (e) {
          if (e instanceof AppError) {
            if (e.codespace === "gov" && e.abciCode === GovErrors.NoProposalHandlerExists.code) throw e;
            throw GovErrors.InvalidProposalContent.wrap(e.message);
          }
          throw e;
        }
      }
    }
    const params = this.getParams(ctx);
    const id = this.nextProposalId(ctx);
    const submitTime = ctx.header.timeNanos;
    const proposal: Proposal = {
      id,
      messages,
      status: ProposalStatus.DepositPeriod,
      finalTallyResult: EMPTY_TALLY,
      submitTime,
      depositEndTime: submitTime + params.maxDepositPeriod,
      totalDeposit: [],
      votingStartTime: undefined,
      votingEndTime: undefined,
      metadata,
      title,
      summary,
      proposer: encodeAddress(proposer),
      expedited,
      failedReason: "",
    };
    this.setProposal(ctx, proposal);
    this.kv(ctx).set(queueKey(INACTIVE_QUEUE_PREFIX, proposal.depositEndTime, id), new Uint8Array(0));
    this.setNextProposalId(ctx, id + 1n);
    ctx.gasMeter.consumeGas(SUBMIT_GAS_PER_BYTE * encodeProposal(proposal).length, "submit proposal");
    return proposal;
  }

  private activateVotingPeriod(ctx: Context, p: Proposal): Proposal {
    const params = this.getParams(ctx);
    const start = ctx.header.timeNanos;
    const end = start + (p.expedited ? params.expeditedVotingPeriod : params.votingPeriod);
    const updated: Proposal = { ...p, status: ProposalStatus.VotingPeriod, votingStartTime: start, votingEndTime: end };
    this.setProposal(ctx, updated);
    this.kv(ctx).delete(queueKey(INACTIVE_QUEUE_PREFIX, p.depositEndTime, p.id));
    this.kv(ctx).set(queueKey(ACTIVE_QUEUE_PREFIX, end, p.id), new Uint8Array(0));
    return updated;
  }

  /** `AddDeposit`; returns whether this deposit started the voting period. */
  addDeposit(ctx: Context, id: bigint, depositor: Uint8Array, amount: readonly Coin[]): boolean {
    let proposal = this.getProposal(ctx, id);
    if (proposal === undefined) throw GovErrors.UnknownProposal.wrap(id.toString());
    if (proposal.status !== ProposalStatus.DepositPeriod && proposal.status !== ProposalStatus.VotingPeriod) {
      throw GovErrors.InactiveProposal.wrap(id.toString());
    }
    const params = this.getParams(ctx);
    this.checkDepositDenoms(params, amount);
    const minDeposit = this.minDepositFor(params, proposal.expedited);
    const ratio = govDec(params.minDepositRatio);
    if (!ratio.isZero()) {
      const needed = minDeposit.map((c) => ({
        denom: c.denom,
        amount: Dec.fromInt(c.amount).mul(ratio).truncateInt(),
      }));
      for (const c of amount) {
        const n = needed.find((x) => x.denom === c.denom);
        if (n !== undefined && c.amount < n.amount) {
          throw GovErrors.MinDepositTooSmall.wrap(
            `received ${coinsString(amount)} warning: the minimum deposit ratio is ${ratio} meaning the minimum deposit must be ${coinsString(needed)}`,
          );
        }
      }
    }
    this.bank.sendCoinsFromAccountToModule(ctx, depositor, GOV_MODULE, amount);
    const total = addCoins(coinsFromProto(proposal.totalDeposit), amount);
    proposal = { ...proposal, totalDeposit: coinsToProto(total) };
    this.setProposal(ctx, proposal);
    let activated = false;
    const reached = minDeposit.every((m) => (total.find((c) => c.denom === m.denom)?.amount ?? 0n) >= m.amount);
    if (proposal.status === ProposalStatus.DepositPeriod && reached) {
      this.activateVotingPeriod(ctx, proposal);
      activated = true;
    }
    const existing = this.getDeposit(ctx, id, depositor);
    const sum = addCoins(existing === undefined ? [] : coinsFromProto(existing.amount), amount);
    this.setDeposit(ctx, { proposalId: id, depositor: encodeAddress(depositor), amount: coinsToProto(sum) });
    ctx.events.emit(proposalDepositEvent(encodeAddress(depositor), coinsString(amount), id.toString()));
    return activated;
  }

  /** `AddVote` (the message server has checked the options). */
  addVote(ctx: Context, id: bigint, voter: Uint8Array, options: readonly WeightedVoteOption[], metadata: string): void {
    const proposal = this.getProposal(ctx, id);
    if (proposal === undefined) throw GovErrors.UnknownProposal.wrap(id.toString());
    if (proposal.status !== ProposalStatus.VotingPeriod) throw GovErrors.InactiveProposal.wrap(id.toString());
    if (metadata.length > MAX_METADATA_LEN)
      throw GovErrors.MetadataTooLong.wrap(`got metadata with length ${metadata.length}`);
    for (const o of options) {
      if (!validWeightedOption(o)) throw GovErrors.InvalidVote.wrap(`option:${o.option} weight:"${o.weight}"`);
    }
    this.setVote(ctx, { proposalId: id, voter: encodeAddress(voter), options, metadata });
    const json = `[${options.map((o) => `{"option":${o.option},"weight":${JSON.stringify(o.weight)}}`).join(",")}]`;
    ctx.events.emit(proposalVoteEvent(encodeAddress(voter), json, id.toString()));
  }

  /** `CancelProposal`. */
  cancelProposal(ctx: Context, id: bigint, proposer: string): void {
    const proposal = this.getProposal(ctx, id);
    if (proposal === undefined) throw GovErrors.UnknownProposal.wrap(id.toString());
    if (proposal.proposer !== proposer) {
      throw GovErrors.InvalidProposer.wrap(`invalid proposer ${proposer}`);
    }
    if (proposal.votingEndTime !== undefined && proposal.votingEndTime < ctx.header.timeNanos) {
      throw GovErrors.VotingPeriodEnded.wrap(`voting period is already ended for this proposal ${id}`);
    }
    if (proposal.status !== ProposalStatus.DepositPeriod && proposal.status !== ProposalStatus.VotingPeriod) {
      throw SdkErrors.InvalidRequest.wrap("proposal should be in the deposit or voting period");
    }
    const params = this.getParams(ctx);
    this.chargeDeposits(ctx, id, params.proposalCancelDest, govDec(params.proposalCancelRatio));
    if (proposal.status === ProposalStatus.VotingPeriod && proposal.votingEndTime !== undefined) {
      this.kv(ctx).delete(queueKey(ACTIVE_QUEUE_PREFIX, proposal.votingEndTime, id));
    } else {
      this.kv(ctx).delete(queueKey(INACTIVE_QUEUE_PREFIX, proposal.depositEndTime, id));
    }
    this.deleteVotes(ctx, id);
    this.kv(ctx).delete(proposalKey(id));
    ctx.events.emit(cancelProposalEvent(proposer, id.toString()));
  }

  /** `ChargeDeposit`: `ratio` of each deposit burned (or sent to `dest`), the rest refunded. */
  private chargeDeposits(ctx: Context, id: bigint, dest: string, ratio: Dec): void {
    let charged: Coin[] = [];
    for (const d of this.deposits(ctx, id)) {
      const depositor = decodeAddress(d.depositor);
      const refund: Coin[] = [];
      for (const c of coinsFromProto(d.amount)) {
        const cut = Dec.fromInt(c.amount).mul(ratio).truncateInt();
        if (cut > 0n) charged = addCoins(charged, [{ denom: c.denom, amount: cut }]);
        if (c.amount - cut > 0n) refund.push({ denom: c.denom, amount: c.amount - cut });
      }
      if (refund.length > 0) this.bank.sendCoinsFromModuleToAccount(ctx, GOV_MODULE, depositor, refund);
      this.kv(ctx).delete(depositKey(id, depositor));
    }
    if (charged.length === 0) return;
    if (dest === "") this.bank.burnCoins(ctx, GOV_MODULE, charged);
    else this.bank.sendCoinsFromModuleToAccount(ctx, GOV_MODULE, decodeAddress(dest), charged);
  }

  private refundAndDeleteDeposits(ctx: Context, id: bigint): void {
    for (const d of this.deposits(ctx, id)) {
      const depositor = decodeAddress(d.depositor);
      const coins = coinsFromProto(d.amount);
      if (coins.length > 0) this.bank.sendCoinsFromModuleToAccount(ctx, GOV_MODULE, depositor, coins);
      this.kv(ctx).delete(depositKey(id, depositor));
    }
  }

  private burnAndDeleteDeposits(ctx: Context, id: bigint): void {
    for (const d of this.deposits(ctx, id)) {
      const coins = coinsFromProto(d.amount);
      if (coins.length > 0) this.bank.burnCoins(ctx, GOV_MODULE, coins);
      this.kv(ctx).delete(depositKey(id, decodeAddress(d.depositor)));
    }
  }

  private deleteVotes(ctx: Context, id: bigint): void {
    const p = votesPrefix(id);
    for (const [k] of [...this.kv(ctx).iterator(p, prefixEnd(p))]) this.kv(ctx).delete(k);
  }

  /** `Tally`: returns (passes, burnDeposits, result) and deletes the votes. */
  tally(ctx: Context, p: Proposal): { passes: boolean; burnDeposits: boolean; result: TallyResult } {
    const results = new Map<number, Dec>([
      [VoteOption.Yes, Dec.ZERO],
      [VoteOption.Abstain, Dec.ZERO],
      [VoteOption.No, Dec.ZERO],
      [VoteOption.NoWithVeto, Dec.ZERO],
    ]);
    let totalVotingPower = Dec.ZERO;
    interface ValInfo {
      bondedTokens: bigint;
      shares: Dec;
      deductions: Dec;
      vote: readonly WeightedVoteOption[] | undefined;
    }
    const validators = new Map<string, ValInfo>();
    for (const { val } of this.staking.lastValidatorPowers(ctx).values()) {
      const v = this.staking.getValidator(ctx, val);
      if (v === undefined || v.status !== BondStatus.Bonded) continue;
      validators.set(v.operatorAddress, {
        bondedTokens: v.tokens,
        shares: v.delegatorShares,
        deductions: Dec.ZERO,
        vote: undefined,
      });
    }
    const add = (options: readonly WeightedVoteOption[], power: Dec): void => {
      for (const o of options) {
        results.set(o.option, (results.get(o.option) ?? Dec.ZERO).add(power.mul(Dec.parse(o.weight))));
      }
      totalVotingPower = totalVotingPower.add(power);
    };
    for (const vote of this.votes(ctx, p.id)) {
      const voter = decodeAddress(vote.voter);
      const asValidator = validators.get(encodeAddress(voter, VALOPER_PREFIX));
      if (asValidator !== undefined) asValidator.vote = vote.options;
      for (const d of this.staking.delegationsOf(ctx, voter)) {
        const val = validators.get(d.validatorAddress);
        if (val === undefined) continue;
        val.deductions = val.deductions.add(d.shares);
        add(vote.options, d.shares.mulInt(val.bondedTokens).quo(val.shares));
      }
      this.kv(ctx).delete(voteKey(p.id, voter));
    }
    for (const val of validators.values()) {
      if (val.vote === undefined) continue;
      const shares = val.shares.sub(val.deductions);
      add(val.vote, shares.mulInt(val.bondedTokens).quo(val.shares));
    }
    const result = tallyOf(results);
    const params = this.getParams(ctx);
    const totalBonded = this.staking.totalBondedTokens(ctx);
    if (totalBonded === 0n) return { passes: false, burnDeposits: false, result };
    const percentVoting = totalVotingPower.quo(Dec.fromInt(totalBonded));
    if (percentVoting.compare(govDec(params.quorum)) < 0) {
      return { passes: false, burnDeposits: params.burnVoteQuorum, result };
    }
    const abstain = results.get(VoteOption.Abstain)!;
    const nonAbstain = totalVotingPower.sub(abstain);
    if (nonAbstain.isZero()) return { passes: false, burnDeposits: false, result };
    if (results.get(VoteOption.NoWithVeto)!.quo(totalVotingPower).compare(govDec(params.vetoThreshold)) > 0) {
      return { passes: false, burnDeposits: params.burnVoteVeto, result };
    }
    const threshold = govDec(p.expedited ? params.expeditedThreshold : params.threshold);
    if (results.get(VoteOption.Yes)!.quo(nonAbstain).compare(threshold) > 0) {
      return { passes: true, burnDeposits: false, result };
    }
    return { passes: false, burnDeposits: false, result };
  }

  /** Runs a passed proposal's messages on one branch; written only if all succeed. */
  private execute(ctx: Context, p: Proposal): { error: string | undefined; events: AppEvent[] } {
    const branch = ctx.store.branch();
    const events: AppEvent[] = [];
    for (const any of p.messages) {
      const service = this.router(any.typeUrl);
      if (service === undefined)
        return { error: GovErrors.UnroutableProposalMsg.wrap(any.typeUrl).message, events: [] };
      const msgCtx = new Context(ctx.header, ctx.mode, branch, ctx.gasMeter);
      try {
        service.handle(msgCtx, service.decode(any.value));
      } catch (e) {
        if (e instanceof AppError) return { error: e.message, events: [] };
        if (e instanceof OutOfGasSignal) throw e;
        if (e instanceof InvariantError) throw e;
        return { error: e instanceof Error ? e.message : String(e), events: [] };
      }
      events.push(...msgCtx.events.events);
    }
    branch.write();
    return { error: undefined, events };
  }

  /** End block: inactive proposals first, then the ones whose voting ended (upstream order). */
  endBlock(ctx: Context): void {
    const kv = this.kv(ctx);
    const now = ctx.header.timeNanos;
    const params = this.getParams(ctx);
    for (const [key] of [...kv.iterator(INACTIVE_QUEUE_PREFIX, queueEnd(INACTIVE_QUEUE_PREFIX, now))]) {
      const id = readBe64(key, 9);
      kv.delete(key);
      if (this.getProposal(ctx, id) === undefined) continue;
      if (params.burnProposalDepositPrevote) this.burnAndDeleteDeposits(ctx, id);
      else this.refundAndDeleteDeposits(ctx, id);
      kv.delete(proposalKey(id));
      ctx.events.emit(inactiveProposalEvent(id.toString(), "proposal_dropped"));
    }
    for (const [key] of [...kv.iterator(ACTIVE_QUEUE_PREFIX, queueEnd(ACTIVE_QUEUE_PREFIX, now))]) {
      const id = readBe64(key, 9);
      kv.delete(key);
      let proposal = this.getProposal(ctx, id);
      if (proposal === undefined) continue;
      const { passes, burnDeposits, result } = this.tally(ctx, proposal);
      if (!(proposal.expedited && !passes)) {
        if (burnDeposits) this.burnAndDeleteDeposits(ctx, id);
        else this.refundAndDeleteDeposits(ctx, id);
      }
      let tag: string;
      let log: string;
      if (passes) {
        const { error, events } = this.execute(ctx, proposal);
        if (error === undefined) {
          proposal = { ...proposal, status: ProposalStatus.Passed };
          tag = "proposal_passed";
          log = "passed";
          ctx.events.emitAll(events);
        } else {
          proposal = { ...proposal, status: ProposalStatus.Failed, failedReason: error };
          tag = "proposal_failed";
          log = `passed, but msg ${0} (${proposal.messages[0]?.typeUrl ?? ""}) failed on execution: ${error}`;
        }
      } else if (proposal.expedited) {
        const end = (proposal.votingStartTime ?? now) + params.votingPeriod;
        proposal = { ...proposal, expedited: false, votingEndTime: end };
        kv.set(queueKey(ACTIVE_QUEUE_PREFIX, end, id), new Uint8Array(0));
        tag = "expedited_proposal_rejected";
        log = "expedited proposal converted to regular";
      } else {
        proposal = { ...proposal, status: ProposalStatus.Rejected };
        tag = "proposal_rejected";
        log = "rejected";
      }
      this.setProposal(ctx, { ...proposal, finalTallyResult: result });
      ctx.events.emit(activeProposalEvent(id.toString(), tag, log));
    }
  }

  /** The current tally of a proposal in voting (query): computed on a throwaway branch. */
  currentTally(ctx: Context, p: Proposal): TallyResult {
    if (p.status !== ProposalStatus.VotingPeriod) return p.finalTallyResult;
    return this.tally(scratchContext(ctx), p).result;
  }

  /** Total of every deposit held (invariant: equals the gov module's balance). */
  totalDeposits(ctx: Context): Coin[] {
    let total: Coin[] = [];
    for (const [, v] of this.kv(ctx).iterator(DEPOSIT_PREFIX, prefixEnd(DEPOSIT_PREFIX))) {
      total = addCoins(total, coinsFromProto(decodeDeposit(v).amount));
    }
    return total;
  }
}
