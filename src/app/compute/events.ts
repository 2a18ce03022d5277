/** Compute events (chain-api.md §5.3, contract-abi.md §10). Every attribute is indexed. */
import { type AppEvent, createEvent } from "../events.ts";
import { COMPUTE_MODULE } from "./keys.ts";

export const storeCodeEvents = (sender: string): AppEvent =>
  createEvent("message", ["module", COMPUTE_MODULE], ["sender", sender], ["signer", sender]);

export const codeIdEvent = (codeId: bigint): AppEvent => createEvent("message", ["code_id", codeId.toString()]);

export const computeMessageEvent = (sender: string, contract?: string): AppEvent =>
  contract === undefined
    ? createEvent("message", ["module", COMPUTE_MODULE], ["sender", sender])
    : createEvent("message", ["module", COMPUTE_MODULE], ["sender", sender], ["contract_address", contract]);

export const instantiateEvent = (contract: string, codeId: bigint): AppEvent =>
  createEvent("instantiate", ["contract_address", contract], ["code_id", codeId.toString()]);

export const executeEvent = (contract: string): AppEvent => createEvent("execute", ["contract_address", contract]);

export const migrateEvent = (codeId: bigint, contract: string): AppEvent =>
  createEvent("migrate", ["code_id", codeId.toString()], ["contract_address", contract]);

export const updateAdminEvent = (contract: string, newAdmin: string): AppEvent =>
  createEvent("update_contract_admin", ["contract_address", contract], ["new_admin_address", newAdmin]);

export const replyEvent = (contract: string): AppEvent => createEvent("reply", ["contract_address", contract]);
