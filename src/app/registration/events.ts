/** Registration events (crypto.md §10.2). */
import { createEvent, type AppEvent } from "../events.ts";
import { REGISTRATION_MODULE } from "./keys.ts";

/** `message{module=register, signer, encrypted_seed="0x"+hex, node_id="0x"+hex(reg_pk)}`. */
export const registrationEvent = (signer: string, encryptedSeedHex: string, nodeIdHex: string): AppEvent =>
  createEvent(
    "message",
    ["module", REGISTRATION_MODULE],
    ["signer", signer],
    ["encrypted_seed", `0x${encryptedSeedHex}`],
    ["node_id", `0x${nodeIdHex}`],
  );
