/** Events of the ante handler (chain-api.md §5.1): `tx{fee, fee_payer}`, `tx{acc_seq}`, `tx{signature}`. */
import { createEvent, type AppEvent } from "../events.ts";

export const EVENT_TYPE_TX = "tx";

export const feeEvent = (fee: string, payer: string): AppEvent =>
  createEvent(EVENT_TYPE_TX, ["fee", fee], ["fee_payer", payer]);

export const accSeqEvent = (signer: string, sequence: bigint): AppEvent =>
  createEvent(EVENT_TYPE_TX, ["acc_seq", `${signer}/${sequence}`]);

export const signatureEvent = (signatureB64: string): AppEvent =>
  createEvent(EVENT_TYPE_TX, ["signature", signatureB64]);
