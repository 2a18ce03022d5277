/** Events of the ante handler (chain-api.md §5.1): `tx{fee, fee_payer}`, `tx{acc_seq}`, `tx{signature}`. */
import { attribute, type AppEvent } from "../events.ts";

export const EVENT_TYPE_TX = "tx";

// Built directly (no `[key, value]` pairs): every tx emits them.

export const feeEvent = (fee: string, payer: string): AppEvent => ({
  type: EVENT_TYPE_TX,
  attributes: [attribute("fee", fee), attribute("fee_payer", payer)],
});

export const accSeqEvent = (signer: string, sequence: bigint): AppEvent => ({
  type: EVENT_TYPE_TX,
  attributes: [attribute("acc_seq", `${signer}/${sequence}`)],
});

export const signatureEvent = (signatureB64: string): AppEvent => ({
  type: EVENT_TYPE_TX,
  attributes: [attribute("signature", signatureB64)],
});
