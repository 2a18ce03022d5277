/**
 * `cosmos.gov.v1` and `cosmos.gov.v1beta1` messages, stored records and queries (Cosmos SDK 0.50
 * field numbers), the legacy proposal contents gov can execute (`TextProposal`,
 * `ParameterChangeProposal`, `CommunityPoolSpendProposal`, `SoftwareUpgradeProposal`,
 * `CancelSoftwareUpgradeProposal`) and `cosmos.upgrade.v1beta1` (Plan, MsgSoftwareUpgrade,
 * MsgCancelUpgrade, queries). gov v1 decimals (params, vote weights) are plain decimal strings;
 * v1beta1 vote weights are LegacyDec atomics.
 */
import { ProtoWriter, decodeFields, field } from "./protobuf.ts";
import {
  EMPTY_PAGE_REQUEST,
  type PageRequest,
  decodeDuration,
  decodePageRequest,
  decodeTimestamp,
  encodeDuration,
  encodePageRequest,
  encodeTimestamp,
} from "./staking.ts";
import { type Any, type ProtoCoin, decodeAny, decodeCoin, encodeAny, writeCoins } from "./tx.ts";

const EMPTY = new Uint8Array(0);

export const GOV_URLS = {
  MsgSubmitProposal: "/cosmos.gov.v1.MsgSubmitProposal",
  MsgExecLegacyContent: "/cosmos.gov.v1.MsgExecLegacyContent",
  MsgVote: "/cosmos.gov.v1.MsgVote",
  MsgVoteWeighted: "/cosmos.gov.v1.MsgVoteWeighted",
  MsgDeposit: "/cosmos.gov.v1.MsgDeposit",
  MsgCancelProposal: "/cosmos.gov.v1.MsgCancelProposal",
  MsgUpdateParams: "/cosmos.gov.v1.MsgUpdateParams",
  V1Beta1MsgSubmitProposal: "/cosmos.gov.v1beta1.MsgSubmitProposal",
  V1Beta1MsgVote: "/cosmos.gov.v1beta1.MsgVote",
  V1Beta1MsgVoteWeighted: "/cosmos.gov.v1beta1.MsgVoteWeighted",
  V1Beta1MsgDeposit: "/cosmos.gov.v1beta1.MsgDeposit",
  TextProposal: "/cosmos.gov.v1beta1.TextProposal",
  ParameterChangeProposal: "/cosmos.params.v1beta1.ParameterChangeProposal",
  CommunityPoolSpendProposal: "/cosmos.distribution.v1beta1.CommunityPoolSpendProposal",
  SoftwareUpgradeProposal: "/cosmos.upgrade.v1beta1.SoftwareUpgradeProposal",
  CancelSoftwareUpgradeProposal: "/cosmos.upgrade.v1beta1.CancelSoftwareUpgradeProposal",
  MsgSoftwareUpgrade: "/cosmos.upgrade.v1beta1.MsgSoftwareUpgrade",
  MsgCancelUpgrade: "/cosmos.upgrade.v1beta1.MsgCancelUpgrade",
} as const;

export const ProposalStatus = {
  Unspecified: 0,
  DepositPeriod: 1,
  VotingPeriod: 2,
  Passed: 3,
  Rejected: 4,
  Failed: 5,
} as const;
export type ProposalStatus = (typeof ProposalStatus)[keyof typeof ProposalStatus];
export const PROPOSAL_STATUS_NAMES = [
  "PROPOSAL_STATUS_UNSPECIFIED",
  "PROPOSAL_STATUS_DEPOSIT_PERIOD",
  "PROPOSAL_STATUS_VOTING_PERIOD",
  "PROPOSAL_STATUS_PASSED",
  "PROPOSAL_STATUS_REJECTED",
  "PROPOSAL_STATUS_FAILED",
] as const;

export const VoteOption = { Unspecified: 0, Yes: 1, Abstain: 2, No: 3, NoWithVeto: 4 } as const;
export type VoteOption = (typeof VoteOption)[keyof typeof VoteOption];

/** `WeightedVoteOption{1 option, 2 weight}` (weight: v1 decimal text). */
export interface WeightedVoteOption {
  readonly option: number;
  readonly weight: string;
}

function decodeWeightedOption(bytes: Uint8Array): WeightedVoteOption {
  let option = 0;
  let weight = "";
  decodeFields(bytes, "WeightedVoteOption", {
    1: field.enumeration((v) => (option = v)),
    2: field.string((v) => (weight = v)),
  });
  return { option, weight };
}

const encodeWeightedOption = (o: WeightedVoteOption): Uint8Array =>
  new ProtoWriter().uint(1, o.option).string(2, o.weight).finish();

export interface TallyResult {
  readonly yes: bigint;
  readonly abstain: bigint;
  readonly no: bigint;
  readonly noWithVeto: bigint;
}

export const EMPTY_TALLY: TallyResult = { yes: 0n, abstain: 0n, no: 0n, noWithVeto: 0n };

export function encodeTallyResult(t: TallyResult): Uint8Array {
  return new ProtoWriter()
    .string(1, t.yes.toString(), true)
    .string(2, t.abstain.toString(), true)
    .string(3, t.no.toString(), true)
    .string(4, t.noWithVeto.toString(), true)
    .finish();
}

export function decodeTallyResult(bytes: Uint8Array): TallyResult {
  const t = { yes: 0n, abstain: 0n, no: 0n, noWithVeto: 0n };
  const int = (v: string): bigint => (v === "" ? 0n : BigInt(v));
  decodeFields(bytes, "TallyResult", {
    1: field.string((v) => (t.yes = int(v))),
    2: field.string((v) => (t.abstain = int(v))),
    3: field.string((v) => (t.no = int(v))),
    4: field.string((v) => (t.noWithVeto = int(v))),
  });
  return t;
}

export interface Proposal {
  readonly id: bigint;
  readonly messages: readonly Any[];
  readonly status: ProposalStatus;
  readonly finalTallyResult: TallyResult;
  readonly submitTime: bigint;
  readonly depositEndTime: bigint;
  readonly totalDeposit: readonly ProtoCoin[];
  /** Undefined until voting starts. */
  readonly votingStartTime: bigint | undefined;
  readonly votingEndTime: bigint | undefined;
  readonly metadata: string;
  readonly title: string;
  readonly summary: string;
  readonly proposer: string;
  readonly expedited: boolean;
  readonly failedReason: string;
}

export function encodeProposal(p: Proposal): Uint8Array {
  const w = new ProtoWriter().uint(1, p.id);
  for (const m of p.messages) w.message(2, encodeAny(m));
  w.uint(3, p.status).message(4, encodeTallyResult(p.finalTallyResult));
  w.message(5, encodeTimestamp(p.submitTime)).message(6, encodeTimestamp(p.depositEndTime));
  writeCoins(w, 7, p.totalDeposit);
  if (p.votingStartTime !== undefined) w.message(8, encodeTimestamp(p.votingStartTime));
  if (p.votingEndTime !== undefined) w.message(9, encodeTimestamp(p.votingEndTime));
  return w
    .string(10, p.metadata)
    .string(11, p.title)
    .string(12, p.summary)
    .string(13, p.proposer)
    .bool(14, p.expedited)
    .string(15, p.failedReason)
    .finish();
}

export function decodeProposal(bytes: Uint8Array): Proposal {
  let id = 0n;
  const messages: Any[] = [];
  let status = 0;
  let finalTallyResult = EMPTY_TALLY;
  let submitTime = 0n;
  let depositEndTime = 0n;
  const totalDeposit: ProtoCoin[] = [];
  let votingStartTime: bigint | undefined;
  let votingEndTime: bigint | undefined;
  const s = { metadata: "", title: "", summary: "", proposer: "", failedReason: "" };
  let expedited = false;
  decodeFields(bytes, "Proposal", {
    1: field.uint64((v) => (id = v)),
    2: field.message(decodeAny, (v) => messages.push(v)),
    3: field.enumeration((v) => (status = v)),
    4: field.message(decodeTallyResult, (v) => (finalTallyResult = v)),
    5: field.message(decodeTimestamp, (v) => (submitTime = v)),
    6: field.message(decodeTimestamp, (v) => (depositEndTime = v)),
    7: field.message(decodeCoin, (v) => totalDeposit.push(v)),
    8: field.message(decodeTimestamp, (v) => (votingStartTime = v)),
    9: field.message(decodeTimestamp, (v) => (votingEndTime = v)),
    10: field.string((v) => (s.metadata = v)),
    11: field.string((v) => (s.title = v)),
    12: field.string((v) => (s.summary = v)),
    13: field.string((v) => (s.proposer = v)),
    14: field.bool((v) => (expedited = v)),
    15: field.string((v) => (s.failedReason = v)),
  });
  return {
    id,
    messages,
    status: status as ProposalStatus,
    finalTallyResult,
    submitTime,
    depositEndTime,
    totalDeposit,
    votingStartTime,
    votingEndTime,
    ...s,
    expedited,
  };
}

export interface Deposit {
  readonly proposalId: bigint;
  readonly depositor: string;
  readonly amount: readonly ProtoCoin[];
}

export function encodeDeposit(d: Deposit): Uint8Array {
  return writeCoins(new ProtoWriter().uint(1, d.proposalId).string(2, d.depositor), 3, d.amount).finish();
}

export function decodeDeposit(bytes: Uint8Array): Deposit {
  let proposalId = 0n;
  let depositor = "";
  const amount: ProtoCoin[] = [];
  decodeFields(bytes, "Deposit", {
    1: field.uint64((v) => (proposalId = v)),
    2: field.string((v) => (depositor = v)),
    3: field.message(decodeCoin, (v) => amount.push(v)),
  });
  return { proposalId, depositor, amount };
}

export interface Vote {
  readonly proposalId: bigint;
  readonly voter: string;
  readonly options: readonly WeightedVoteOption[];
  readonly metadata: string;
}

export function encodeVote(v: Vote): Uint8Array {
  const w = new ProtoWriter().uint(1, v.proposalId).string(2, v.voter);
  for (const o of v.options) w.message(4, encodeWeightedOption(o));
  return w.string(5, v.metadata).finish();
}

export function decodeVote(bytes: Uint8Array): Vote {
  let proposalId = 0n;
  let voter = "";
  const options: WeightedVoteOption[] = [];
  let metadata = "";
  decodeFields(bytes, "Vote", {
    1: field.uint64((v) => (proposalId = v)),
    2: field.string((v) => (voter = v)),
    3: field.enumeration(() => undefined),
    4: field.message(decodeWeightedOption, (v) => options.push(v)),
    5: field.string((v) => (metadata = v)),
  });
  return { proposalId, voter, options, metadata };
}

export interface GovParams {
  readonly minDeposit: readonly ProtoCoin[];
  readonly maxDepositPeriod: bigint;
  readonly votingPeriod: bigint;
  readonly quorum: string;
  readonly threshold: string;
  readonly vetoThreshold: string;
  readonly minInitialDepositRatio: string;
  readonly proposalCancelRatio: string;
  readonly proposalCancelDest: string;
  readonly expeditedVotingPeriod: bigint;
  readonly expeditedThreshold: string;
  readonly expeditedMinDeposit: readonly ProtoCoin[];
  readonly burnVoteQuorum: boolean;
  readonly burnProposalDepositPrevote: boolean;
  readonly burnVoteVeto: boolean;
  readonly minDepositRatio: string;
}

export function encodeGovParams(p: GovParams): Uint8Array {
  const w = writeCoins(new ProtoWriter(), 1, p.minDeposit)
    .message(2, encodeDuration(p.maxDepositPeriod))
    .message(3, encodeDuration(p.votingPeriod))
    .string(4, p.quorum)
    .string(5, p.threshold)
    .string(6, p.vetoThreshold)
    .string(7, p.minInitialDepositRatio)
    .string(8, p.proposalCancelRatio)
    .string(9, p.proposalCancelDest)
    .message(10, encodeDuration(p.expeditedVotingPeriod))
    .string(11, p.expeditedThreshold);
  writeCoins(w, 12, p.expeditedMinDeposit);
  return w
    .bool(13, p.burnVoteQuorum)
    .bool(14, p.burnProposalDepositPrevote)
    .bool(15, p.burnVoteVeto)
    .string(16, p.minDepositRatio)
    .finish();
}

export function decodeGovParams(bytes: Uint8Array): GovParams {
  const minDeposit: ProtoCoin[] = [];
  const expeditedMinDeposit: ProtoCoin[] = [];
  const p = {
    maxDepositPeriod: 0n,
    votingPeriod: 0n,
    quorum: "",
    threshold: "",
    vetoThreshold: "",
    minInitialDepositRatio: "",
    proposalCancelRatio: "",
    proposalCancelDest: "",
    expeditedVotingPeriod: 0n,
    expeditedThreshold: "",
    burnVoteQuorum: false,
    burnProposalDepositPrevote: false,
    burnVoteVeto: false,
    minDepositRatio: "",
  };
  decodeFields(bytes, "gov.Params", {
    1: field.message(decodeCoin, (v) => minDeposit.push(v)),
    2: field.message(decodeDuration, (v) => (p.maxDepositPeriod = v)),
    3: field.message(decodeDuration, (v) => (p.votingPeriod = v)),
    4: field.string((v) => (p.quorum = v)),
    5: field.string((v) => (p.threshold = v)),
    6: field.string((v) => (p.vetoThreshold = v)),
    7: field.string((v) => (p.minInitialDepositRatio = v)),
    8: field.string((v) => (p.proposalCancelRatio = v)),
    9: field.string((v) => (p.proposalCancelDest = v)),
    10: field.message(decodeDuration, (v) => (p.expeditedVotingPeriod = v)),
    11: field.string((v) => (p.expeditedThreshold = v)),
    12: field.message(decodeCoin, (v) => expeditedMinDeposit.push(v)),
    13: field.bool((v) => (p.burnVoteQuorum = v)),
    14: field.bool((v) => (p.burnProposalDepositPrevote = v)),
    15: field.bool((v) => (p.burnVoteVeto = v)),
    16: field.string((v) => (p.minDepositRatio = v)),
  });
  return { ...p, minDeposit, expeditedMinDeposit };
}

/** The legacy param views of `QueryParamsResponse` (`voting_params`, `deposit_params`, `tally_params`). */
export function encodeGovParamsResponse(p: GovParams, type: "voting" | "deposit" | "tallying"): Uint8Array {
  const w = new ProtoWriter();
  if (type === "voting") w.message(1, new ProtoWriter().message(1, encodeDuration(p.votingPeriod)).finish());
  if (type === "deposit") {
    w.message(
      2,
      writeCoins(new ProtoWriter(), 1, p.minDeposit).message(2, encodeDuration(p.maxDepositPeriod)).finish(),
    );
  }
  if (type === "tallying") {
    w.message(3, new ProtoWriter().string(1, p.quorum).string(2, p.threshold).string(3, p.vetoThreshold).finish());
  }
  return w.message(4, encodeGovParams(p)).finish();
}

// ---------------------------------------------------------------------------------------------------
// Messages

export interface MsgSubmitProposal {
  readonly messages: readonly Any[];
  readonly initialDeposit: readonly ProtoCoin[];
  readonly proposer: string;
  readonly metadata: string;
  readonly title: string;
  readonly summary: string;
  readonly expedited: boolean;
}

export function decodeMsgSubmitProposal(bytes: Uint8Array): MsgSubmitProposal {
  const messages: Any[] = [];
  const initialDeposit: ProtoCoin[] = [];
  const s = { proposer: "", metadata: "", title: "", summary: "" };
  let expedited = false;
  decodeFields(bytes, "MsgSubmitProposal", {
    1: field.message(decodeAny, (v) => messages.push(v)),
    2: field.message(decodeCoin, (v) => initialDeposit.push(v)),
    3: field.string((v) => (s.proposer = v)),
    4: field.string((v) => (s.metadata = v)),
    5: field.string((v) => (s.title = v)),
    6: field.string((v) => (s.summary = v)),
    7: field.bool((v) => (expedited = v)),
  });
  return { messages, initialDeposit, ...s, expedited };
}

export function encodeMsgSubmitProposal(m: MsgSubmitProposal): Uint8Array {
  const w = new ProtoWriter();
  for (const a of m.messages) w.message(1, encodeAny(a));
  writeCoins(w, 2, m.initialDeposit);
  return w
    .string(3, m.proposer)
    .string(4, m.metadata)
    .string(5, m.title)
    .string(6, m.summary)
    .bool(7, m.expedited)
    .finish();
}

/** v1beta1 MsgSubmitProposal `{1 content, 2 initial_deposit, 3 proposer}`. */
export interface MsgSubmitProposalV1Beta1 {
  readonly content: Any | undefined;
  readonly initialDeposit: readonly ProtoCoin[];
  readonly proposer: string;
}

export function decodeMsgSubmitProposalV1Beta1(bytes: Uint8Array): MsgSubmitProposalV1Beta1 {
  let content: Any | undefined;
  const initialDeposit: ProtoCoin[] = [];
  let proposer = "";
  decodeFields(bytes, "v1beta1.MsgSubmitProposal", {
    1: field.message(decodeAny, (v) => (content = v)),
    2: field.message(decodeCoin, (v) => initialDeposit.push(v)),
    3: field.string((v) => (proposer = v)),
  });
  return { content, initialDeposit, proposer };
}

export function encodeMsgSubmitProposalV1Beta1(m: MsgSubmitProposalV1Beta1): Uint8Array {
  const w = new ProtoWriter();
  if (m.content !== undefined) w.message(1, encodeAny(m.content));
  return writeCoins(w, 2, m.initialDeposit).string(3, m.proposer).finish();
}

export const encodeProposalIdResponse = (id: bigint): Uint8Array => new ProtoWriter().uint(1, id).finish();

export function decodeProposalIdResponse(bytes: Uint8Array): bigint {
  let id = 0n;
  decodeFields(bytes, "ProposalIdResponse", {
    1: field.uint64((v) => (id = v)),
    2: field.bytes(() => undefined),
    3: field.uint64(() => undefined),
  });
  return id;
}

export interface MsgExecLegacyContent {
  readonly content: Any | undefined;
  readonly authority: string;
}

export function decodeMsgExecLegacyContent(bytes: Uint8Array): MsgExecLegacyContent {
  let content: Any | undefined;
  let authority = "";
  decodeFields(bytes, "MsgExecLegacyContent", {
    1: field.message(decodeAny, (v) => (content = v)),
    2: field.string((v) => (authority = v)),
  });
  return { content, authority };
}

export function encodeMsgExecLegacyContent(m: MsgExecLegacyContent): Uint8Array {
  const w = new ProtoWriter();
  if (m.content !== undefined) w.message(1, encodeAny(m.content));
  return w.string(2, m.authority).finish();
}

/** MsgVote / MsgVoteWeighted (v1 and v1beta1): `{1 proposal_id, 2 voter, 3 option | options, 4 metadata}`. */
export interface MsgVote {
  readonly proposalId: bigint;
  readonly voter: string;
  readonly options: readonly WeightedVoteOption[];
  readonly metadata: string;
}

export function decodeMsgVote(bytes: Uint8Array): MsgVote {
  let proposalId = 0n;
  let voter = "";
  let option = 0;
  let metadata = "";
  decodeFields(bytes, "MsgVote", {
    1: field.uint64((v) => (proposalId = v)),
    2: field.string((v) => (voter = v)),
    3: field.enumeration((v) => (option = v)),
    4: field.string((v) => (metadata = v)),
  });
  return { proposalId, voter, options: [{ option, weight: "1.000000000000000000" }], metadata };
}

export function encodeMsgVote(m: { proposalId: bigint; voter: string; option: number; metadata?: string }): Uint8Array {
  return new ProtoWriter()
    .uint(1, m.proposalId)
    .string(2, m.voter)
    .uint(3, m.option)
    .string(4, m.metadata ?? "")
    .finish();
}

export function decodeMsgVoteWeighted(bytes: Uint8Array): MsgVote {
  let proposalId = 0n;
  let voter = "";
  const options: WeightedVoteOption[] = [];
  let metadata = "";
  decodeFields(bytes, "MsgVoteWeighted", {
    1: field.uint64((v) => (proposalId = v)),
    2: field.string((v) => (voter = v)),
    3: field.message(decodeWeightedOption, (v) => options.push(v)),
    4: field.string((v) => (metadata = v)),
  });
  return { proposalId, voter, options, metadata };
}

export function encodeMsgVoteWeighted(m: MsgVote): Uint8Array {
  const w = new ProtoWriter().uint(1, m.proposalId).string(2, m.voter);
  for (const o of m.options) w.message(3, encodeWeightedOption(o));
  return w.string(4, m.metadata).finish();
}

export interface MsgDeposit {
  readonly proposalId: bigint;
  readonly depositor: string;
  readonly amount: readonly ProtoCoin[];
}

export const decodeMsgDeposit = (bytes: Uint8Array): MsgDeposit => decodeDeposit(bytes);
export const encodeMsgDeposit = (m: MsgDeposit): Uint8Array => encodeDeposit(m);

export interface MsgCancelProposal {
  readonly proposalId: bigint;
  readonly proposer: string;
}

export function decodeMsgCancelProposal(bytes: Uint8Array): MsgCancelProposal {
  let proposalId = 0n;
  let proposer = "";
  decodeFields(bytes, "MsgCancelProposal", {
    1: field.uint64((v) => (proposalId = v)),
    2: field.string((v) => (proposer = v)),
  });
  return { proposalId, proposer };
}

export const encodeMsgCancelProposal = (m: MsgCancelProposal): Uint8Array =>
  new ProtoWriter().uint(1, m.proposalId).string(2, m.proposer).finish();

export const encodeMsgCancelProposalResponse = (id: bigint, time: bigint, height: bigint): Uint8Array =>
  new ProtoWriter().uint(1, id).message(2, encodeTimestamp(time)).uint(3, height).finish();

// ---------------------------------------------------------------------------------------------------
// Legacy contents

/** TextProposal `{1 title, 2 description}` and the title/description head of the other contents. */
export interface LegacyContent {
  readonly title: string;
  readonly description: string;
}

export interface ParamChange {
  readonly subspace: string;
  readonly key: string;
  readonly value: string;
}

export function decodeTextProposal(bytes: Uint8Array): LegacyContent {
  let title = "";
  let description = "";
  decodeFields(bytes, "TextProposal", {
    1: field.string((v) => (title = v)),
    2: field.string((v) => (description = v)),
  });
  return { title, description };
}

export const encodeTextProposal = (c: LegacyContent): Uint8Array =>
  new ProtoWriter().string(1, c.title).string(2, c.description).finish();

export function decodeParameterChangeProposal(bytes: Uint8Array): LegacyContent & { changes: ParamChange[] } {
  let title = "";
  let description = "";
  const changes: ParamChange[] = [];
  decodeFields(bytes, "ParameterChangeProposal", {
    1: field.string((v) => (title = v)),
    2: field.string((v) => (description = v)),
    3: field.message(
      (b) => {
        const c = { subspace: "", key: "", value: "" };
        decodeFields(b, "ParamChange", {
          1: field.string((v) => (c.subspace = v)),
          2: field.string((v) => (c.key = v)),
          3: field.string((v) => (c.value = v)),
        });
        return c;
      },
      (c) => changes.push(c),
    ),
  });
  return { title, description, changes };
}

export function encodeParameterChangeProposal(p: LegacyContent & { changes: readonly ParamChange[] }): Uint8Array {
  const w = new ProtoWriter().string(1, p.title).string(2, p.description);
  for (const c of p.changes) {
    w.message(3, new ProtoWriter().string(1, c.subspace).string(2, c.key).string(3, c.value).finish());
  }
  return w.finish();
}

export function decodeCommunityPoolSpendProposal(
  bytes: Uint8Array,
): LegacyContent & { recipient: string; amount: ProtoCoin[] } {
  let title = "";
  let description = "";
  let recipient = "";
  const amount: ProtoCoin[] = [];
  decodeFields(bytes, "CommunityPoolSpendProposal", {
    1: field.string((v) => (title = v)),
    2: field.string((v) => (description = v)),
    3: field.string((v) => (recipient = v)),
    4: field.message(decodeCoin, (v) => amount.push(v)),
  });
  return { title, description, recipient, amount };
}

export function encodeCommunityPoolSpendProposal(
  p: LegacyContent & { recipient: string; amount: readonly ProtoCoin[] },
): Uint8Array {
  return writeCoins(
    new ProtoWriter().string(1, p.title).string(2, p.description).string(3, p.recipient),
    4,
    p.amount,
  ).finish();
}

// ---------------------------------------------------------------------------------------------------
// Upgrade

export interface Plan {
  readonly name: string;
  readonly height: bigint;
  readonly info: string;
}

export function encodePlan(p: Plan): Uint8Array {
  return new ProtoWriter().string(1, p.name).uint(3, p.height).string(4, p.info).finish();
}

export function decodePlan(bytes: Uint8Array): Plan {
  let name = "";
  let height = 0n;
  let info = "";
  decodeFields(bytes, "Plan", {
    1: field.string((v) => (name = v)),
    2: field.bytes(() => undefined),
    3: field.uint64((v) => (height = v)),
    4: field.string((v) => (info = v)),
    5: field.bytes(() => undefined),
  });
  return { name, height, info };
}

/** SoftwareUpgradeProposal `{1 title, 2 description, 3 plan}`. */
export function decodeSoftwareUpgradeProposal(bytes: Uint8Array): LegacyContent & { plan: Plan | undefined } {
  let title = "";
  let description = "";
  let plan: Plan | undefined;
  decodeFields(bytes, "SoftwareUpgradeProposal", {
    1: field.string((v) => (title = v)),
    2: field.string((v) => (description = v)),
    3: field.message(decodePlan, (v) => (plan = v)),
  });
  return { title, description, plan };
}

/** MsgSoftwareUpgrade `{1 authority, 2 plan}`; MsgCancelUpgrade `{1 authority}`. */
export function decodeMsgSoftwareUpgrade(bytes: Uint8Array): { authority: string; plan: Plan | undefined } {
  let authority = "";
  let plan: Plan | undefined;
  decodeFields(bytes, "MsgSoftwareUpgrade", {
    1: field.string((v) => (authority = v)),
    2: field.message(decodePlan, (v) => (plan = v)),
  });
  return { authority, plan };
}

export const encodeMsgSoftwareUpgrade = (m: { authority: string; plan: Plan }): Uint8Array =>
  new ProtoWriter().string(1, m.authority).message(2, encodePlan(m.plan)).finish();

export function decodeMsgCancelUpgrade(bytes: Uint8Array): { authority: string } {
  let authority = "";
  decodeFields(bytes, "MsgCancelUpgrade", { 1: field.string((v) => (authority = v)) });
  return { authority };
}

export const encodeMsgCancelUpgrade = (m: { authority: string }): Uint8Array =>
  new ProtoWriter().string(1, m.authority).finish();

// ---------------------------------------------------------------------------------------------------
// Queries

/** `{1 proposal_id, 2 voter|depositor, …, pagination}` requests. */
export function decodeProposalRequest(
  bytes: Uint8Array,
  what: string,
  pageField?: number,
): { proposalId: bigint; address: string; page: PageRequest } {
  let proposalId = 0n;
  let address = "";
  let page = EMPTY_PAGE_REQUEST;
  const handlers: Record<number, ReturnType<typeof field.string>> = {
    1: field.uint64((v) => (proposalId = v)),
  };
  if (pageField === 2) handlers[2] = field.message(decodePageRequest, (v) => (page = v));
  else handlers[2] = field.string((v) => (address = v));
  decodeFields(bytes, what, handlers);
  return { proposalId, address, page };
}

export function encodeProposalRequest(proposalId: bigint, address?: string, page?: PageRequest): Uint8Array {
  const w = new ProtoWriter().uint(1, proposalId);
  if (address !== undefined) w.string(2, address);
  if (page !== undefined) w.message(2, encodePageRequest(page));
  return w.finish();
}

export function decodeProposalsRequest(bytes: Uint8Array): {
  status: number;
  voter: string;
  depositor: string;
  page: PageRequest;
} {
  let status = 0;
  let voter = "";
  let depositor = "";
  let page = EMPTY_PAGE_REQUEST;
  decodeFields(bytes, "QueryProposalsRequest", {
    1: field.enumeration((v) => (status = v)),
    2: field.string((v) => (voter = v)),
    3: field.string((v) => (depositor = v)),
    4: field.message(decodePageRequest, (v) => (page = v)),
  });
  return { status, voter, depositor, page };
}

export function decodeParamsTypeRequest(bytes: Uint8Array): string {
  let type = "";
  decodeFields(bytes, "QueryParamsRequest", { 1: field.string((v) => (type = v)) });
  return type;
}

export { EMPTY as EMPTY_BYTES };

// ---------------------------------------------------------------------------------------------------
// v1beta1 views (queries of `cosmos.gov.v1beta1`)

/** v1beta1 `Proposal{1 proposal_id, 2 content, 3 status, 4 final_tally_result, 5–9 times and deposit}`. */
export function encodeProposalV1Beta1(p: Proposal, content: Any): Uint8Array {
  const w = new ProtoWriter().uint(1, p.id).message(2, encodeAny(content)).uint(3, p.status);
  w.message(4, encodeTallyResult(p.finalTallyResult));
  w.message(5, encodeTimestamp(p.submitTime)).message(6, encodeTimestamp(p.depositEndTime));
  writeCoins(w, 7, p.totalDeposit);
  w.message(8, encodeTimestamp(p.votingStartTime ?? 0n)).message(9, encodeTimestamp(p.votingEndTime ?? 0n));
  return w.finish();
}

/** v1beta1 `Vote{1 proposal_id, 2 voter, 4 options[{1 option, 2 weight (LegacyDec atomics)}]}`. */
export function encodeVoteV1Beta1(v: Vote, weightAtomics: (weight: string) => string): Uint8Array {
  const w = new ProtoWriter().uint(1, v.proposalId).string(2, v.voter);
  for (const o of v.options)
    w.message(4, new ProtoWriter().uint(1, o.option).string(2, weightAtomics(o.weight)).finish());
  return w.finish();
}

/** v1beta1 `QueryParamsResponse{1 voting_params, 2 deposit_params, 3 tally_params}` (decimals as LegacyDec bytes). */
export function encodeGovParamsV1Beta1(
  p: GovParams,
  type: "voting" | "deposit" | "tallying",
  decAtomics: (text: string) => Uint8Array,
): Uint8Array {
  const voting = new ProtoWriter().message(1, encodeDuration(p.votingPeriod)).finish();
  const deposit = writeCoins(new ProtoWriter(), 1, p.minDeposit)
    .message(2, encodeDuration(p.maxDepositPeriod))
    .finish();
  const tally = new ProtoWriter()
    .bytes(1, decAtomics(p.quorum))
    .bytes(2, decAtomics(p.threshold))
    .bytes(3, decAtomics(p.vetoThreshold))
    .finish();
  const w = new ProtoWriter();
  // Non-nullable upstream: the other two are present and empty.
  w.message(1, type === "voting" ? voting : EMPTY);
  w.message(2, type === "deposit" ? deposit : EMPTY);
  w.message(3, type === "tallying" ? tally : EMPTY);
  return w.finish();
}
