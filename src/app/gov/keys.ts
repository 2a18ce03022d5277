/**
 * Layout of the `gov` store (Cosmos SDK 0.50 collections prefixes; `lp(a) = len(a) ‖ a`):
 * - `0x00 ‖ be64(id)` → Proposal (v1 protobuf)
 * - `0x01 ‖ be64(voting end) ‖ be64(id)` → "" (active queue); `0x02 ‖ be64(deposit end) ‖ be64(id)` → ""
 *   (inactive queue); `0x03` → next proposal id (8 bytes)
 * - `0x10 ‖ be64(id) ‖ lp(depositor)` → Deposit; `0x20 ‖ be64(id) ‖ lp(voter)` → Vote
 * - `0x30` → Params; `0x40` → constitution (UTF-8)
 *
 * The `upgrade` store: `0x00` → the scheduled Plan; `0x01 ‖ name` → height it was applied (8 bytes).
 */
import { be64, concatBytes, utf8Encode } from "../../primitives/bytes.ts";

export const GOV_STORE = "gov";
export const UPGRADE_STORE = "upgrade";

export const PROPOSAL_PREFIX = Uint8Array.of(0x00);
export const ACTIVE_QUEUE_PREFIX = Uint8Array.of(0x01);
export const INACTIVE_QUEUE_PREFIX = Uint8Array.of(0x02);
export const PROPOSAL_ID_KEY = Uint8Array.of(0x03);
export const DEPOSIT_PREFIX = Uint8Array.of(0x10);
export const VOTE_PREFIX = Uint8Array.of(0x20);
export const PARAMS_KEY = Uint8Array.of(0x30);
export const CONSTITUTION_KEY = Uint8Array.of(0x40);

export const PLAN_KEY = Uint8Array.of(0x00);
export const DONE_PREFIX = Uint8Array.of(0x01);

const lp = (a: Uint8Array): Uint8Array => concatBytes(Uint8Array.of(a.length), a);

export const proposalKey = (id: bigint): Uint8Array => concatBytes(PROPOSAL_PREFIX, be64(id));
export const queueKey = (prefix: Uint8Array, time: bigint, id: bigint): Uint8Array =>
  concatBytes(prefix, be64(time), be64(id));
export const queueEnd = (prefix: Uint8Array, time: bigint): Uint8Array => concatBytes(prefix, be64(time + 1n));
export const depositsPrefix = (id: bigint): Uint8Array => concatBytes(DEPOSIT_PREFIX, be64(id));
export const depositKey = (id: bigint, depositor: Uint8Array): Uint8Array =>
  concatBytes(depositsPrefix(id), lp(depositor));
export const votesPrefix = (id: bigint): Uint8Array => concatBytes(VOTE_PREFIX, be64(id));
export const voteKey = (id: bigint, voter: Uint8Array): Uint8Array => concatBytes(votesPrefix(id), lp(voter));
export const doneKey = (name: string): Uint8Array => concatBytes(DONE_PREFIX, utf8Encode(name));
