/**
 * `cosmos.gov.v1.Msg` (SubmitProposal, ExecLegacyContent, Vote, VoteWeighted, Deposit, CancelProposal,
 * UpdateParams), the v1beta1 messages (converted to v1 as upstream's legacy server does) and
 * `cosmos.upgrade.v1beta1.Msg` (SoftwareUpgrade, CancelUpgrade). Legacy contents executed by
 * `MsgExecLegacyContent`: TextProposal, ParameterChangeProposal (through the param subspaces),
 * CommunityPoolSpendProposal, SoftwareUpgradeProposal, CancelSoftwareUpgradeProposal.
 */
import {
  GOV_URLS,
  type MsgCancelProposal,
  type MsgDeposit,
  type MsgExecLegacyContent,
  type MsgSubmitProposal,
  type MsgSubmitProposalV1Beta1,
  type MsgVote,
  type WeightedVoteOption,
  decodeCommunityPoolSpendProposal,
  decodeGovParams,
  decodeMsgCancelProposal,
  decodeMsgCancelUpgrade,
  decodeMsgDeposit,
  decodeMsgExecLegacyContent,
  decodeMsgSoftwareUpgrade,
  decodeMsgSubmitProposal,
  decodeMsgSubmitProposalV1Beta1,
  decodeMsgVote,
  decodeMsgVoteWeighted,
  decodeParameterChangeProposal,
  decodeSoftwareUpgradeProposal,
  decodeTextProposal,
  encodeMsgCancelProposalResponse,
  encodeMsgExecLegacyContent,
  encodeProposalIdResponse,
  type Plan,
} from "../../codec/gov.ts";
import type { Any } from "../../codec/tx.ts";
import { Dec } from "../../primitives/amount.ts";
import { encodeAddress } from "../../primitives/bech32.ts";
import { coinsFromProto, coinsString, isValidCoinSet, type Coin } from "../coins.ts";
import type { Context } from "../context.ts";
import { SdkErrors } from "../errors.ts";
import type { DistributionKeeper } from "../distribution/keeper.ts";
import { parseAccount, updateParamsService } from "../staking/msgServer.ts";
import type { MsgService } from "../types.ts";
import { GovErrors } from "./errors.ts";
import { submitProposalEvent, votingPeriodStartEvent } from "./events.ts";
import { type GovKeeper, validWeightedOption } from "./keeper.ts";
import { ParamsErrors } from "./paramSubspaces.ts";
import { govParamsProblem } from "./params.ts";
import type { ParamSubspace } from "./types.ts";
import type { UpgradeKeeper } from "./upgrade.ts";

const EMPTY = new Uint8Array(0);

export interface GovServicesDeps {
  readonly gov: GovKeeper;
  readonly upgrade: UpgradeKeeper;
  /** Community pool spends (legacy content). */
  readonly distribution?: DistributionKeeper;
  /** Blocked recipients (module accounts). */
  readonly isBlocked?: (address: Uint8Array) => boolean;
  readonly subspaces: readonly ParamSubspace[];
}

function checkCoins(coins: readonly Coin[], allowEmpty: boolean): void {
  if ((!allowEmpty && coins.length === 0) || !isValidCoinSet(coins))
    throw SdkErrors.InvalidCoins.wrap(coinsString(coins));
}

/** `MsgVoteWeighted.ValidateBasic` (upstream runs it in the msg server). */
function checkWeightedOptions(options: readonly WeightedVoteOption[]): void {
  if (options.length === 0) throw SdkErrors.InvalidRequest.wrap("options cannot be empty");
  let total = Dec.ZERO;
  const used = new Set<number>();
  for (const o of options) {
    if (!validWeightedOption(o)) throw GovErrors.InvalidVote.wrap(`option:${o.option} weight:"${o.weight}"`);
    total = total.add(Dec.parse(o.weight));
    if (used.has(o.option)) throw GovErrors.InvalidVote.wrap("duplicated vote option");
    used.add(o.option);
  }
  if (total.compare(Dec.ONE) > 0) throw GovErrors.InvalidVote.wrap("total weight overflow 1.00");
  if (total.compare(Dec.ONE) < 0) throw GovErrors.InvalidVote.wrap("total weight lower than 1.00");
}

export function govMsgServices(deps: GovServicesDeps): MsgService[] {
  const { gov, upgrade } = deps;
  const govAddress = encodeAddress(gov.authority);
  const checkAuthority = (given: string): void => {
    if (given !== govAddress) throw GovErrors.InvalidSigner.wrap(`expected ${govAddress} got ${given}`);
  };

  /** Shared by v1 and v1beta1 submit. */
  function submit(ctx: Context, m: MsgSubmitProposal): Uint8Array {
    const proposer = parseAccount(m.proposer, "proposer");
    if (m.title === "") throw SdkErrors.InvalidRequest.wrap("proposal title cannot be empty");
    if (m.summary === "") throw SdkErrors.InvalidRequest.wrap("proposal summary cannot be empty");
    const deposit = coinsFromProto(m.initialDeposit);
    checkCoins(deposit, true);
    if (m.messages.length === 0 && m.metadata === "") {
      throw GovErrors.NoProposalMsgs.wrap("either metadata or Msgs length must be non-nil");
    }
    const params = gov.getParams(ctx);
    gov.checkInitialDeposit(params, deposit, m.expedited);
    gov.checkDepositDenoms(params, deposit);
    const proposal = gov.submitProposal(ctx, m.messages, m.metadata, m.title, m.summary, proposer, m.expedited);
    const id = proposal.id.toString();
    ctx.events.emit(submitProposalEvent(id, m.proposer, m.messages.map((a) => `,${a.typeUrl}`).join("")));
    if (deposit.length > 0 && gov.addDeposit(ctx, proposal.id, proposer, deposit)) {
      ctx.events.emit(votingPeriodStartEvent("submit_proposal", id));
    }
    return encodeProposalIdResponse(proposal.id);
  }

  function vote(ctx: Context, m: MsgVote, weighted: boolean): Uint8Array {
    const voter = parseAccount(m.voter, "voter");
    if (weighted) checkWeightedOptions(m.options);
    else if (!validWeightedOption(m.options[0]!)) throw GovErrors.InvalidVote.wrap(String(m.options[0]!.option));
    gov.addVote(ctx, m.proposalId, voter, m.options, m.metadata);
    return EMPTY;
  }

  function deposit(ctx: Context, m: MsgDeposit): Uint8Array {
    const depositor = parseAccount(m.depositor, "depositor");
    const amount = coinsFromProto(m.amount);
    checkCoins(amount, false);
    if (gov.addDeposit(ctx, m.proposalId, depositor, amount)) {
      ctx.events.emit(votingPeriodStartEvent("proposal_deposit", m.proposalId.toString()));
    }
    return EMPTY;
  }

  function runLegacyContent(ctx: Context, content: Any): void {
    switch (content.typeUrl) {
      case GOV_URLS.TextProposal: {
        const c = decodeTextProposal(content.value);
        if (c.title === "" || c.description === "")
          throw GovErrors.InvalidProposalContent.wrap("title and description cannot be blank");
        return;
      }
      case GOV_URLS.ParameterChangeProposal: {
        const p = decodeParameterChangeProposal(content.value);
        if (p.changes.length === 0) throw ParamsErrors.EmptyChanges.error();
        for (const c of p.changes) {
          const space = deps.subspaces.find((s) => s.name === c.subspace);
          if (space === undefined) throw ParamsErrors.UnknownSubspace.wrap(c.subspace);
          space.set(ctx, c.key, c.value);
        }
        return;
      }
      case GOV_URLS.CommunityPoolSpendProposal: {
        const p = decodeCommunityPoolSpendProposal(content.value);
        if (deps.distribution === undefined) throw GovErrors.NoProposalHandlerExists.wrap(content.typeUrl);
        const recipient = parseAccount(p.recipient, "recipient");
        if (deps.isBlocked?.(recipient) === true) {
          throw SdkErrors.Unauthorized.wrap(`${p.recipient} is not allowed to receive external funds`);
        }
        const coins = coinsFromProto(p.amount);
        checkCoins(coins, false);
        deps.distribution.distributeFromCommunityPool(ctx, coins, recipient);
        return;
      }
      case GOV_URLS.SoftwareUpgradeProposal: {
        const p = decodeSoftwareUpgradeProposal(content.value);
        if (p.plan === undefined) throw SdkErrors.InvalidRequest.wrap("plan cannot be empty");
        upgrade.scheduleUpgrade(ctx, p.plan);
        return;
      }
      case GOV_URLS.CancelSoftwareUpgradeProposal:
        upgrade.clearPlan(ctx);
        return;
      default:
        throw GovErrors.NoProposalHandlerExists.wrap(content.typeUrl);
    }
  }

  const submitV1: MsgService<MsgSubmitProposal> = {
    typeUrl: GOV_URLS.MsgSubmitProposal,
    decode: decodeMsgSubmitProposal,
    signers: (m) => [parseAccount(m.proposer, "proposer")],
    handle: (ctx, m) => submit(ctx, m),
  };

  const execLegacy: MsgService<MsgExecLegacyContent> = {
    typeUrl: GOV_URLS.MsgExecLegacyContent,
    decode: decodeMsgExecLegacyContent,
    signers: (m) => [parseAccount(m.authority, "authority")],
    handle(ctx, m) {
      checkAuthority(m.authority);
      if (m.content === undefined) throw GovErrors.InvalidProposalContent.wrap("missing content");
      runLegacyContent(ctx, m.content);
      return EMPTY;
    },
    aminoJson: (m) => ({ type: "cosmos-sdk/v1/MsgExecLegacyContent", value: { authority: m.authority } }),
  };

  const voteV1: MsgService<MsgVote> = {
    typeUrl: GOV_URLS.MsgVote,
    decode: decodeMsgVote,
    signers: (m) => [parseAccount(m.voter, "voter")],
    handle: (ctx, m) => vote(ctx, m, false),
    aminoJson: (m) => ({
      type: "cosmos-sdk/v1/MsgVote",
      value: {
        proposal_id: m.proposalId.toString(),
        voter: m.voter,
        option: m.options[0]!.option,
        metadata: m.metadata,
      },
    }),
  };

  const voteWeightedV1: MsgService<MsgVote> = {
    typeUrl: GOV_URLS.MsgVoteWeighted,
    decode: decodeMsgVoteWeighted,
    signers: (m) => [parseAccount(m.voter, "voter")],
    handle: (ctx, m) => vote(ctx, m, true),
  };

  const depositV1: MsgService<MsgDeposit> = {
    typeUrl: GOV_URLS.MsgDeposit,
    decode: decodeMsgDeposit,
    signers: (m) => [parseAccount(m.depositor, "depositor")],
    handle: (ctx, m) => deposit(ctx, m),
    aminoJson: (m) => ({
      type: "cosmos-sdk/v1/MsgDeposit",
      value: {
        proposal_id: m.proposalId.toString(),
        depositor: m.depositor,
        amount: m.amount.map((c) => ({ amount: c.amount, denom: c.denom })),
      },
    }),
  };

  const cancel: MsgService<MsgCancelProposal> = {
    typeUrl: GOV_URLS.MsgCancelProposal,
    decode: decodeMsgCancelProposal,
    signers: (m) => [parseAccount(m.proposer, "proposer")],
    handle(ctx, m) {
      parseAccount(m.proposer, "proposer");
      gov.cancelProposal(ctx, m.proposalId, m.proposer);
      return encodeMsgCancelProposalResponse(m.proposalId, ctx.header.timeNanos, BigInt(ctx.height));
    },
  };

  const updateParams = updateParamsService({
    typeUrl: GOV_URLS.MsgUpdateParams,
    checkSigner: checkAuthority,
    decodeParams: decodeGovParams,
    problem: govParamsProblem,
    setParams: (ctx, params) => gov.setParams(ctx, params),
  });

  const submitV1Beta1: MsgService<MsgSubmitProposalV1Beta1> = {
    typeUrl: GOV_URLS.V1Beta1MsgSubmitProposal,
    decode: decodeMsgSubmitProposalV1Beta1,
    signers: (m) => [parseAccount(m.proposer, "proposer")],
    handle(ctx, m) {
      if (m.content === undefined) throw GovErrors.InvalidProposalContent.wrap("missing content");
      const head = decodeTextProposalHead(m.content);
      const exec: Any = {
        typeUrl: GOV_URLS.MsgExecLegacyContent,
        value: encodeMsgExecLegacyContent({ content: m.content, authority: govAddress }),
      };
      return submit(ctx, {
        messages: [exec],
        initialDeposit: m.initialDeposit,
        proposer: m.proposer,
        metadata: "",
        title: head.title,
        summary: head.description,
        expedited: false,
      });
    },
    aminoJson: (m) => ({
      type: "cosmos-sdk/MsgSubmitProposal",
      value: {
        initial_deposit: m.initialDeposit.map((c) => ({ amount: c.amount, denom: c.denom })),
        proposer: m.proposer,
      },
    }),
  };

  /** v1beta1 vote weights are LegacyDec atomics; v1 keeps decimal text. */
  const v1beta1Options = (m: MsgVote): MsgVote => ({
    ...m,
    options: m.options.map((o) => ({
      option: o.option,
      weight: /^(0|[1-9][0-9]*)$/.test(o.weight) ? Dec.fromAtomics(BigInt(o.weight)).toString() : o.weight,
    })),
  });

  const voteV1Beta1: MsgService<MsgVote> = {
    typeUrl: GOV_URLS.V1Beta1MsgVote,
    decode: (b) => {
      const m = decodeMsgVote(b);
      if (m.metadata !== "") throw SdkErrors.TxDecode.wrap("v1beta1 MsgVote has no field 4");
      return m;
    },
    signers: (m) => [parseAccount(m.voter, "voter")],
    handle: (ctx, m) => vote(ctx, m, false),
    aminoJson: (m) => ({
      type: "cosmos-sdk/MsgVote",
      value: { proposal_id: m.proposalId.toString(), voter: m.voter, option: m.options[0]!.option },
    }),
  };

  const voteWeightedV1Beta1: MsgService<MsgVote> = {
    typeUrl: GOV_URLS.V1Beta1MsgVoteWeighted,
    decode: (b) => v1beta1Options(decodeMsgVoteWeighted(b)),
    signers: (m) => [parseAccount(m.voter, "voter")],
    handle: (ctx, m) => vote(ctx, m, true),
  };

  const depositV1Beta1: MsgService<MsgDeposit> = { ...depositV1, typeUrl: GOV_URLS.V1Beta1MsgDeposit };
  delete (depositV1Beta1 as { aminoJson?: unknown }).aminoJson;

  const softwareUpgrade: MsgService<{ authority: string; plan: Plan | undefined }> = {
    typeUrl: GOV_URLS.MsgSoftwareUpgrade,
    decode: decodeMsgSoftwareUpgrade,
    signers: (m) => [parseAccount(m.authority, "authority")],
    handle(ctx, m) {
      if (m.authority !== govAddress) {
        throw GovErrors.InvalidSigner.wrap(`expected ${govAddress}, got ${m.authority}`);
      }
      if (m.plan === undefined) throw SdkErrors.InvalidRequest.wrap("plan cannot be empty");
      upgrade.scheduleUpgrade(ctx, m.plan);
      return EMPTY;
    },
  };

  const cancelUpgrade: MsgService<{ authority: string }> = {
    typeUrl: GOV_URLS.MsgCancelUpgrade,
    decode: decodeMsgCancelUpgrade,
    signers: (m) => [parseAccount(m.authority, "authority")],
    handle(ctx, m) {
      if (m.authority !== govAddress) {
        throw GovErrors.InvalidSigner.wrap(`expected ${govAddress}, got ${m.authority}`);
      }
      upgrade.clearPlan(ctx);
      return EMPTY;
    },
  };

  return [
    submitV1,
    execLegacy,
    voteV1,
    voteWeightedV1,
    depositV1,
    cancel,
    updateParams,
    submitV1Beta1,
    voteV1Beta1,
    voteWeightedV1Beta1,
    depositV1Beta1,
    softwareUpgrade,
    cancelUpgrade,
  ] as MsgService[];
}

/** Title and description of any legacy content (all start with `{1 title, 2 description}`). */
function decodeTextProposalHead(content: Any): { title: string; description: string } {
  switch (content.typeUrl) {
    case GOV_URLS.TextProposal:
    case GOV_URLS.CancelSoftwareUpgradeProposal:
      return decodeTextProposal(content.value);
    case GOV_URLS.ParameterChangeProposal:
      return decodeParameterChangeProposal(content.value);
    case GOV_URLS.CommunityPoolSpendProposal:
      return decodeCommunityPoolSpendProposal(content.value);
    case GOV_URLS.SoftwareUpgradeProposal:
      return decodeSoftwareUpgradeProposal(content.value);
    default:
      throw GovErrors.NoProposalHandlerExists.wrap(content.typeUrl);
  }
}
