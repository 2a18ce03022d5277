/**
 * `cosmos.bank.v1beta1.Msg`: Send and MultiSend, with the checks of Cosmos SDK 0.50's msg server:
 * - Send: coins valid and positive (sdk 10), sends enabled (bank 5), recipient not blocked (sdk 4
 *   `<addr> is not allowed to receive funds`), then `SendCoins` (sdk 5 on a short balance).
 * - MultiSend: exactly one input (bank 2 none, bank 9 several), ≥ 1 output (bank 3), every input and
 *   output address and coin set valid (sdk 7, sdk 10), sum in = sum out (bank 4), no blocked output.
 */
import {
  BANK_URLS,
  type BankIo,
  type MsgMultiSend,
  type MsgSend,
  decodeMsgMultiSend,
  decodeMsgSend,
} from "../../codec/bank.ts";
import type { ProtoCoin } from "../../codec/tx.ts";
import { parseAccountAddressCached as parseAccountAddress } from "../auth/addressCache.ts";
import { addCoins, coinsEqual, coinsFromProto, coinsString, isValidCoinSet, type Coin } from "../coins.ts";
import type { Context } from "../context.ts";
import { SdkErrors } from "../errors.ts";
import type { MsgService } from "../types.ts";
import { BankErrors } from "./errors.ts";
import type { BankKeeper, Output } from "./keeper.ts";

const EMPTY = new Uint8Array(0);

const aminoCoins = (coins: readonly ProtoCoin[]): unknown[] => coins.map((c) => ({ amount: c.amount, denom: c.denom }));

function address(text: string, what: string): Uint8Array {
  try {
    return parseAccountAddress(text);
  } catch (e) {
    throw SdkErrors.InvalidAddress.wrap(`invalid ${what} address: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function checkCoins(coins: readonly Coin[]): void {
  // sdk.Coins.IsValid() and IsAllPositive(): an empty list is valid but not all-positive.
  if (coins.length === 0 || !isValidCoinSet(coins)) throw SdkErrors.InvalidCoins.wrap(coinsString(coins));
}

function parseIo(io: BankIo, what: "input" | "output"): Output {
  const addr = address(io.address, what);
  const coins = coinsFromProto(io.coins);
  checkCoins(coins);
  return { address: addr, coins };
}

export function bankMsgServices(keeper: BankKeeper): MsgService[] {
  const send: MsgService<MsgSend> = {
    typeUrl: BANK_URLS.MsgSend,
    decode: decodeMsgSend,
    signers: (msg) => [address(msg.fromAddress, "from")],
    handle(ctx: Context, msg: MsgSend): Uint8Array {
      const from = address(msg.fromAddress, "from");
      const to = address(msg.toAddress, "to");
      const coins = coinsFromProto(msg.amount);
      checkCoins(coins);
      keeper.checkSendEnabled(ctx, coins);
      if (keeper.isBlocked(to)) throw SdkErrors.Unauthorized.wrap(`${msg.toAddress} is not allowed to receive funds`);
      keeper.sendCoins(ctx, from, to, coins);
      return EMPTY;
    },
    aminoJson: (msg) => ({
      type: "cosmos-sdk/MsgSend",
      value: { from_address: msg.fromAddress, to_address: msg.toAddress, amount: aminoCoins(msg.amount) },
    }),
  };
  const multiSend: MsgService<MsgMultiSend> = {
    typeUrl: BANK_URLS.MsgMultiSend,
    decode: decodeMsgMultiSend,
    signers(msg) {
      const first = msg.inputs[0];
      if (first === undefined) throw BankErrors.NoInputs.error();
      return [address(first.address, "input")];
    },
    handle(ctx: Context, msg: MsgMultiSend): Uint8Array {
      if (msg.inputs.length === 0) throw BankErrors.NoInputs.error();
      if (msg.inputs.length !== 1) throw BankErrors.MultipleSenders.error();
      if (msg.outputs.length === 0) throw BankErrors.NoOutputs.error();
      const input = parseIo(msg.inputs[0]!, "input");
      const outputs = msg.outputs.map((o) => parseIo(o, "output"));
      let totalOut: Coin[] = [];
      for (const o of outputs) totalOut = addCoins(totalOut, o.coins);
      if (!coinsEqual(input.coins, totalOut)) throw BankErrors.InputOutputMismatch.error();
      keeper.checkSendEnabled(ctx, input.coins);
      for (let i = 0; i < outputs.length; i++) {
        if (keeper.isBlocked(outputs[i]!.address)) {
          throw SdkErrors.Unauthorized.wrap(`${msg.outputs[i]!.address} is not allowed to receive funds`);
        }
      }
      keeper.inputOutputCoins(ctx, input, outputs);
      return EMPTY;
    },
    aminoJson: (msg) => ({
      type: "cosmos-sdk/MsgMultiSend",
      value: {
        inputs: msg.inputs.map((i) => ({ address: i.address, coins: aminoCoins(i.coins) })),
        outputs: msg.outputs.map((o) => ({ address: o.address, coins: aminoCoins(o.coins) })),
      },
    }),
  };
  return [send as MsgService, multiSend as MsgService];
}
