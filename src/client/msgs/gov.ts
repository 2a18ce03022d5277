/**
 * `cosmos.gov.v1` MsgSubmitProposal and MsgVote, encoded here from upstream's proto shapes
 * (chain-api.md §3.1). The gov codec of the node lives elsewhere (owned by the gov module).
 */
import { ProtoWriter } from "../../codec/protobuf.ts";
import { type Any, encodeAny, writeCoins } from "../../codec/tx.ts";
import type { Coin } from "../../primitives/amount.ts";
import { ClientError } from "../errors.ts";
import { addressBytes } from "./compute.ts";
import { coinsToProto } from "./coins.ts";

export const GOV_URLS = {
  submitProposal: "/cosmos.gov.v1.MsgSubmitProposal",
  vote: "/cosmos.gov.v1.MsgVote",
} as const;

export const VOTE_OPTIONS = { yes: 1, abstain: 2, no: 3, no_with_veto: 4 } as const;
export type VoteOption = keyof typeof VOTE_OPTIONS;

export function parseVoteOption(text: string): VoteOption {
  const key = text
    .toLowerCase()
    .replace(/^vote_option_/, "")
    .replace(/-/g, "_");
  if (!(key in VOTE_OPTIONS)) {
    throw new ClientError(
      "CLIENT_BAD_INPUT",
      `vote option must be yes, no, abstain or no_with_veto, got ${JSON.stringify(text)}`,
    );
  }
  return key as VoteOption;
}

export interface SubmitProposalArgs {
  readonly proposer: string;
  readonly title: string;
  readonly summary: string;
  readonly metadata: string;
  readonly deposit: readonly Coin[];
  readonly messages?: readonly Any[];
  readonly expedited?: boolean;
}

export function msgSubmitProposal(a: SubmitProposalArgs): Any {
  addressBytes(a.proposer, "proposer");
  if (a.title.trim() === "" || a.summary.trim() === "") {
    throw new ClientError("CLIENT_BAD_INPUT", "a proposal needs a non-empty title and summary");
  }
  const w = new ProtoWriter();
  for (const m of a.messages ?? []) w.message(1, encodeAny(m));
  writeCoins(w, 2, coinsToProto(a.deposit));
  w.string(3, a.proposer)
    .string(4, a.metadata)
    .string(5, a.title)
    .string(6, a.summary)
    .bool(7, a.expedited ?? false);
  return { typeUrl: GOV_URLS.submitProposal, value: w.finish() };
}

export function msgVote(voter: string, proposalId: bigint, option: VoteOption, metadata = ""): Any {
  addressBytes(voter, "voter");
  if (proposalId <= 0n) throw new ClientError("CLIENT_BAD_INPUT", "proposal id must be a positive integer");
  return {
    typeUrl: GOV_URLS.vote,
    value: new ProtoWriter()
      .uint(1, proposalId)
      .string(2, voter)
      .uint(3, VOTE_OPTIONS[option])
      .string(4, metadata)
      .finish(),
  };
}
