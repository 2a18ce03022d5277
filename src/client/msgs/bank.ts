/** `cosmos.bank.v1beta1.MsgSend` as an `Any`, through the shared codec. */
import { BANK_URLS, encodeMsgSend } from "../../codec/bank.ts";
import type { Any } from "../../codec/tx.ts";
import type { Coin } from "../../primitives/amount.ts";
import { coinsToProto } from "./coins.ts";

export function msgSend(fromAddress: string, toAddress: string, amount: readonly Coin[]): Any {
  return { typeUrl: BANK_URLS.MsgSend, value: encodeMsgSend({ fromAddress, toAddress, amount: coinsToProto(amount) }) };
}
