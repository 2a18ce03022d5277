/**
 * `cosmos.gov.v1.Query` (chain-api.md §7.7) and `cosmos.upgrade.v1beta1.Query` (CurrentPlan,
 * AppliedPlan, Authority); `govV1Beta1QueryHandlers` answers `cosmos.gov.v1beta1.Query` from the same
 * state in v1beta1 shapes.
 */
import {
  GOV_URLS,
  PROPOSAL_STATUS_NAMES,
  type Proposal,
  type Vote,
  decodeMsgExecLegacyContent,
  encodeGovParamsV1Beta1,
  encodeProposalV1Beta1,
  encodeVoteV1Beta1,
  decodeParamsTypeRequest,
  decodeProposalRequest,
  decodeProposalsRequest,
  encodeDeposit,
  encodeGovParamsResponse,
  encodePlan,
  encodeProposal,
  encodeTallyResult,
  encodeVote,
} from "../../codec/gov.ts";
import { ProtoWriter } from "../../codec/protobuf.ts";
import type { Any } from "../../codec/tx.ts";
import { Dec } from "../../primitives/amount.ts";
import { utf8Encode } from "../../primitives/bytes.ts";
import { AppError } from "../errors.ts";
import { decodeStringsRequest, encodeListResponse, encodeWrapped } from "../../codec/staking.ts";
import { encodeAddress, parseAccountAddress } from "../../primitives/bech32.ts";
import { paginate } from "../modules/pagination.ts";
import { type QueryHandler, grpcInvalidArgument, grpcNotFound } from "../query.ts";
import type { GovKeeper } from "./keeper.ts";
import type { UpgradeKeeper } from "./upgrade.ts";
import type { Context } from "../context.ts";

const G = "/cosmos.gov.v1.Query/";
const U = "/cosmos.upgrade.v1beta1.Query/";

function address(text: string, what: string): Uint8Array {
  if (text === "") throw grpcInvalidArgument(`empty ${what} address`);
  try {
    return parseAccountAddress(text);
  } catch (e) {
    throw grpcInvalidArgument(`invalid ${what} address: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function proposalById(gov: GovKeeper, ctx: Context, id: bigint): Proposal {
  if (id === 0n) throw grpcInvalidArgument("proposal id can not be 0");
  const p = gov.getProposal(ctx, id);
  if (p === undefined) throw grpcNotFound(`proposal ${id} doesn't exist`);
  return p;
}

/** The proposals a `QueryProposalsRequest` selects (status 0 = any; voter/depositor filters), paged. */
function selectProposals(gov: GovKeeper, ctx: Context, req: ReturnType<typeof decodeProposalsRequest>) {
  const voter = req.voter === "" ? undefined : address(req.voter, "voter");
  const depositor = req.depositor === "" ? undefined : address(req.depositor, "depositor");
  const list = [...gov.allProposals(ctx)].filter(
    (p) =>
      (req.status === 0 || p.status === req.status) &&
      (voter === undefined || gov.getVote(ctx, p.id, voter) !== undefined) &&
      (depositor === undefined || gov.getDeposit(ctx, p.id, depositor) !== undefined),
  );
  return paginate(list, req.page);
}

function voteOf(gov: GovKeeper, ctx: Context, data: Uint8Array): Vote {
  const req = decodeProposalRequest(data, "QueryVoteRequest");
  const v = gov.getVote(ctx, req.proposalId, address(req.address, "voter"));
  if (v === undefined) throw grpcNotFound(`voter: ${req.address} not found for proposal: ${req.proposalId}`);
  return v;
}

function paramsTypeOf(data: Uint8Array): "voting" | "deposit" | "tallying" {
  const type = decodeParamsTypeRequest(data);
  if (type !== "voting" && type !== "deposit" && type !== "tallying") {
    throw grpcInvalidArgument(`unknown params type: ${type}`);
  }
  return type;
}

/** Deposit, Deposits and TallyResult: the same in v1 and v1beta1. */
function sharedHandlers(gov: GovKeeper, prefix: string): Record<string, QueryHandler> {
  return {
    [`${prefix}Deposit`]: (ctx, data) => {
      const req = decodeProposalRequest(data, "QueryDepositRequest");
      const d = gov.getDeposit(ctx, req.proposalId, address(req.address, "depositor"));
      if (d === undefined) {
        throw grpcNotFound(`depositer: ${req.address} not found for proposal: ${req.proposalId}`);
      }
      return encodeWrapped(encodeDeposit(d));
    },
    [`${prefix}Deposits`]: (ctx, data) => {
      const req = decodeProposalRequest(data, "QueryDepositsRequest", 2);
      const r = paginate(gov.deposits(ctx, req.proposalId), req.page);
      return encodeListResponse(r.items.map(encodeDeposit), r.page);
    },
    [`${prefix}TallyResult`]: (ctx, data) => {
      const { proposalId } = decodeProposalRequest(data, "QueryTallyResultRequest");
      return encodeWrapped(encodeTallyResult(gov.currentTally(ctx, proposalById(gov, ctx, proposalId))));
    },
  };
}

export function govQueryHandlers(gov: GovKeeper, upgrade: UpgradeKeeper): Record<string, QueryHandler> {
  return {
    ...sharedHandlers(gov, G),
    [`${G}Proposal`]: (ctx, data) => {
      const { proposalId } = decodeProposalRequest(data, "QueryProposalRequest");
      return encodeWrapped(encodeProposal(proposalById(gov, ctx, proposalId)));
    },
    [`${G}Proposals`]: (ctx, data) => {
      const req = decodeProposalsRequest(data);
      if (req.status >= PROPOSAL_STATUS_NAMES.length)
        throw grpcInvalidArgument(`invalid proposal status ${req.status}`);
      const r = selectProposals(gov, ctx, req);
      return encodeListResponse(r.items.map(encodeProposal), r.page);
    },
    [`${G}Vote`]: (ctx, data) => encodeWrapped(encodeVote(voteOf(gov, ctx, data))),
    [`${G}Votes`]: (ctx, data) => {
      const req = decodeProposalRequest(data, "QueryVotesRequest", 2);
      const r = paginate(gov.votes(ctx, req.proposalId), req.page);
      return encodeListResponse(r.items.map(encodeVote), r.page);
    },
    [`${G}Params`]: (ctx, data) => encodeGovParamsResponse(gov.getParams(ctx), paramsTypeOf(data)),
    [`${G}Constitution`]: (ctx) => new ProtoWriter().string(1, gov.getConstitution(ctx)).finish(),
    [`${U}CurrentPlan`]: (ctx) => {
      const plan = upgrade.getPlan(ctx);
      return plan === undefined ? new Uint8Array(0) : encodeWrapped(encodePlan(plan));
    },
    [`${U}AppliedPlan`]: (ctx, data) => {
      const [name] = decodeStringsRequest(data, "QueryAppliedPlanRequest", 1).strings;
      return new ProtoWriter().uint(1, upgrade.doneHeight(ctx, name!) ?? 0n).finish();
    },
    [`${U}Authority`]: () => new ProtoWriter().string(1, encodeAddress(gov.authority)).finish(),
  };
}

const B = "/cosmos.gov.v1beta1.Query/";

/** A v1 proposal as v1beta1 shows it: exactly one message; a legacy content is unwrapped. */
function legacyContent(p: Proposal): Any {
  if (p.messages.length !== 1) {
    throw new AppError(
      "sdk",
      6,
      "rpc error: code = Unknown desc = can't convert a gov/v1 Proposal to gov/v1beta1 Proposal when amount of proposal messages not exactly one",
    );
  }
  const m = p.messages[0]!;
  if (m.typeUrl === GOV_URLS.MsgExecLegacyContent) {
    const content = decodeMsgExecLegacyContent(m.value).content;
    if (content !== undefined) return content;
  }
  return m;
}

const weightAtomics = (w: string): string => Dec.parse(w).atomics.toString();
const decBytes = (text: string): Uint8Array => utf8Encode(Dec.parse(text).atomics.toString());

/** `cosmos.gov.v1beta1.Query`: the v1 state in v1beta1 shapes (chain-api.md §7.7). */
export function govV1Beta1QueryHandlers(gov: GovKeeper): Record<string, QueryHandler> {
  return {
    ...sharedHandlers(gov, B),
    [`${B}Proposal`]: (ctx, data) => {
      const p = proposalById(gov, ctx, decodeProposalRequest(data, "QueryProposalRequest").proposalId);
      return encodeWrapped(encodeProposalV1Beta1(p, legacyContent(p)));
    },
    [`${B}Proposals`]: (ctx, data) => {
      const r = selectProposals(gov, ctx, decodeProposalsRequest(data));
      return encodeListResponse(
        r.items.map((p) => encodeProposalV1Beta1(p, legacyContent(p))),
        r.page,
      );
    },
    [`${B}Vote`]: (ctx, data) => encodeWrapped(encodeVoteV1Beta1(voteOf(gov, ctx, data), weightAtomics)),
    [`${B}Votes`]: (ctx, data) => {
      const req = decodeProposalRequest(data, "QueryVotesRequest", 2);
      const r = paginate(gov.votes(ctx, req.proposalId), req.page);
      return encodeListResponse(
        r.items.map((v) => encodeVoteV1Beta1(v, weightAtomics)),
        r.page,
      );
    },
    [`${B}Params`]: (ctx, data) => encodeGovParamsV1Beta1(gov.getParams(ctx), paramsTypeOf(data), decBytes),
  };
}
