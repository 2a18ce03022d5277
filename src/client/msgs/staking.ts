/**
 * `cosmos.staking.v1beta1` MsgDelegate and MsgUndelegate, encoded here from upstream's proto shapes
 * (1 delegator_address, 2 validator_address, 3 amount Coin). The staking codec of the node lives
 * elsewhere (owned by the staking module); this client-side encoder needs only these two messages.
 */
import { ProtoWriter } from "../../codec/protobuf.ts";
import { type Any, encodeCoin } from "../../codec/tx.ts";
import type { Coin } from "../../primitives/amount.ts";
import { bech32Decode } from "../../primitives/bech32.ts";
import { ClientError } from "../errors.ts";
import { addressBytes } from "./compute.ts";

export const STAKING_URLS = {
  delegate: "/cosmos.staking.v1beta1.MsgDelegate",
  undelegate: "/cosmos.staking.v1beta1.MsgUndelegate",
} as const;

export function checkValidatorAddress(address: string): string {
  let prefix: string;
  try {
    prefix = bech32Decode(address).prefix;
  } catch (err) {
    throw new ClientError("CLIENT_BAD_INPUT", `validator address: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (prefix !== "secretvaloper" || address !== address.toLowerCase()) {
    throw new ClientError(
      "CLIENT_BAD_INPUT",
      `a validator address starts with secretvaloper1, got ${JSON.stringify(address)}`,
    );
  }
  return address;
}

function encodeDelegation(delegator: string, validator: string, amount: Coin): Uint8Array {
  addressBytes(delegator, "delegator");
  checkValidatorAddress(validator);
  return new ProtoWriter()
    .string(1, delegator)
    .string(2, validator)
    .message(3, encodeCoin({ denom: amount.denom, amount: amount.amount.toString() }))
    .finish();
}

export function msgDelegate(delegator: string, validator: string, amount: Coin): Any {
  return { typeUrl: STAKING_URLS.delegate, value: encodeDelegation(delegator, validator, amount) };
}

export function msgUndelegate(delegator: string, validator: string, amount: Coin): Any {
  return { typeUrl: STAKING_URLS.undelegate, value: encodeDelegation(delegator, validator, amount) };
}
