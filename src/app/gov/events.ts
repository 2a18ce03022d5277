/** Gov events (chain-api.md §5.2; upstream `x/gov/types/events.go`). */
import { type AppEvent, createEvent } from "../events.ts";

export const submitProposalEvent = (id: string, proposer: string, messages: string): AppEvent =>
  createEvent("submit_proposal", ["proposal_id", id], ["proposal_proposer", proposer], ["proposal_messages", messages]);

export const votingPeriodStartEvent = (type: "submit_proposal" | "proposal_deposit", id: string): AppEvent =>
  createEvent(type, ["voting_period_start", id]);

export const proposalDepositEvent = (depositor: string, amount: string, id: string): AppEvent =>
  createEvent("proposal_deposit", ["depositor", depositor], ["amount", amount], ["proposal_id", id]);

export const proposalVoteEvent = (voter: string, option: string, id: string): AppEvent =>
  createEvent("proposal_vote", ["voter", voter], ["option", option], ["proposal_id", id]);

export const cancelProposalEvent = (sender: string, id: string): AppEvent =>
  createEvent("cancel_proposal", ["sender", sender], ["proposal_id", id]);

export const inactiveProposalEvent = (id: string, result: string): AppEvent =>
  createEvent("inactive_proposal", ["proposal_id", id], ["proposal_result", result]);

export const activeProposalEvent = (id: string, result: string, log: string): AppEvent =>
  createEvent("active_proposal", ["proposal_id", id], ["proposal_result", result], ["proposal_log", log]);
