/**
 * The contract's result JSON (`spec/contract-abi.md` §7): upstream's untagged `RawWasmOutput`
 * (`.../contract-engine/src/io.rs`), tried variant by variant, first match wins, with the enclave's
 * copies of the CosmWasm types (`.../cosmwasm-types/v0.10/src/types.rs`, `.../v1.0/src/results/`,
 * `.../v1.0/src/ibc.rs`), parsed into typed values. The chain dispatches the messages later.
 */
import {
  deAny,
  deBinary,
  deBool,
  deEmpty,
  deEnum,
  deOption,
  deString,
  deStruct,
  deU64,
  deU8,
  deUint128,
  deUint64,
  deVec,
  field,
  isRefused,
  newtypeVariant,
  structVariant,
  unitVariant,
  type De,
} from "./contentDe.ts";
import { contentToValueJson, parseContent, type Content } from "./serdeJson.ts";

// ---------------------------------------------------------------------------------------------------
// Types

export interface Coin {
  readonly denom: string;
  readonly amount: bigint;
}

/** A v0.10 `log` entry or a v1 attribute; `encrypted` defaults to true and is never emitted outward. */
export interface Attribute {
  readonly key: string;
  readonly value: string;
  readonly encrypted: boolean;
}

export interface ContractEvent {
  readonly type: string;
  readonly attributes: readonly Attribute[];
}

/** `callback_sig` as the contract wrote it (the enclave overwrites it). */
export type CallbackSig = Uint8Array | null;

export type VoteOptionV010 = "Yes" | "No" | "Abstain" | "NoWithVeto";
export type VoteOptionV1 = "yes" | "no" | "abstain" | "no_with_veto";

/** v0.10 `CosmosMsg` (§7.4, left column). */
export type CosmosMsgV010 =
  | {
      readonly kind: "bank_send";
      readonly fromAddress: string;
      readonly toAddress: string;
      readonly amount: readonly Coin[];
    }
  | { readonly kind: "custom" }
  | { readonly kind: "staking_delegate"; readonly validator: string; readonly amount: Coin }
  | { readonly kind: "staking_undelegate"; readonly validator: string; readonly amount: Coin }
  | { readonly kind: "staking_withdraw"; readonly validator: string; readonly recipient: string | null }
  | {
      readonly kind: "staking_redelegate";
      readonly srcValidator: string;
      readonly dstValidator: string;
      readonly amount: Coin;
    }
  | {
      readonly kind: "wasm_execute";
      readonly contractAddr: string;
      readonly callbackCodeHash: string;
      readonly msg: Uint8Array;
      readonly send: readonly Coin[];
      readonly callbackSig: CallbackSig;
    }
  | {
      readonly kind: "wasm_instantiate";
      readonly codeId: bigint;
      readonly callbackCodeHash: string;
      readonly msg: Uint8Array;
      readonly send: readonly Coin[];
      readonly label: string;
      readonly callbackSig: CallbackSig;
    }
  | {
      readonly kind: "wasm_migrate";
      readonly contractAddr: string;
      readonly callbackCodeHash: string;
      readonly codeId: bigint;
      readonly msg: Uint8Array;
      readonly callbackSig: CallbackSig;
    }
  | {
      readonly kind: "wasm_update_admin";
      readonly contractAddr: string;
      readonly admin: string;
      readonly callbackSig: CallbackSig;
    }
  | { readonly kind: "wasm_clear_admin"; readonly contractAddr: string; readonly callbackSig: CallbackSig }
  | { readonly kind: "gov_vote"; readonly proposal: bigint; readonly voteOption: VoteOptionV010 };

export interface IbcTimeout {
  readonly block: { readonly revision: bigint; readonly height: bigint } | null;
  /** Nanoseconds. */
  readonly timestamp: bigint | null;
}

/** v1 `CosmosMsg` (§7.4, right column). */
export type CosmosMsgV1 =
  | { readonly kind: "bank_send"; readonly toAddress: string; readonly amount: readonly Coin[] }
  | { readonly kind: "bank_burn"; readonly amount: readonly Coin[] }
  | { readonly kind: "custom" }
  | { readonly kind: "staking_delegate"; readonly validator: string; readonly amount: Coin }
  | { readonly kind: "staking_undelegate"; readonly validator: string; readonly amount: Coin }
  | {
      readonly kind: "staking_redelegate";
      readonly srcValidator: string;
      readonly dstValidator: string;
      readonly amount: Coin;
    }
  | { readonly kind: "distribution_set_withdraw_address"; readonly address: string }
  | { readonly kind: "distribution_withdraw_delegator_reward"; readonly validator: string }
  | { readonly kind: "stargate"; readonly typeUrl: string; readonly value: Uint8Array }
  | {
      readonly kind: "ibc_transfer";
      readonly channelId: string;
      readonly toAddress: string;
      readonly amount: Coin;
      readonly timeout: IbcTimeout;
      readonly memo: string | null;
    }
  | {
      readonly kind: "ibc_send_packet";
      readonly channelId: string;
      readonly data: Uint8Array;
      readonly timeout: IbcTimeout;
    }
  | { readonly kind: "ibc_close_channel"; readonly channelId: string }
  | {
      readonly kind: "wasm_execute";
      readonly contractAddr: string;
      readonly codeHash: string;
      readonly msg: Uint8Array;
      readonly funds: readonly Coin[];
      readonly callbackSig: CallbackSig;
    }
  | {
      readonly kind: "wasm_instantiate";
      readonly admin: string | null;
      readonly codeId: bigint;
      readonly codeHash: string;
      readonly msg: Uint8Array;
      readonly funds: readonly Coin[];
      readonly label: string;
      readonly callbackSig: CallbackSig;
    }
  | {
      readonly kind: "wasm_migrate";
      readonly contractAddr: string;
      readonly codeHash: string;
      readonly codeId: bigint;
      readonly msg: Uint8Array;
      readonly callbackSig: CallbackSig;
    }
  | {
      readonly kind: "wasm_update_admin";
      readonly contractAddr: string;
      readonly admin: string;
      readonly callbackSig: CallbackSig;
    }
  | { readonly kind: "wasm_clear_admin"; readonly contractAddr: string; readonly callbackSig: CallbackSig }
  | { readonly kind: "gov_vote"; readonly proposalId: bigint; readonly vote: VoteOptionV1 }
  | { readonly kind: "finalize_tx" };

export type ReplyOn = "always" | "error" | "success" | "never";

export interface SubMsg {
  readonly id: bigint;
  readonly msg: CosmosMsgV1;
  /** SDK gas, or null for none. */
  readonly gasLimit: bigint | null;
  readonly replyOn: ReplyOn;
  /** Contract-supplied flag (default false); the enclave sets it for the messages it encrypts. */
  readonly wasMsgEncrypted: boolean;
}

/** Fields a contract could add to `Err`/`Ok` results; upstream parses them (as `Binary`) and the enclave overwrites them. */
export interface InternalReplyFields {
  readonly internalMsgId: Uint8Array | null;
  readonly internalReplyEnclaveSig: Uint8Array | null;
}

/** A contract's result, by the envelope shape that matched (§7.1). */
export type ContractOutput =
  | ({
      readonly kind: "error";
      /** The `Err` value (v0.10: a StdError object; v1: a string), as parsed JSON. */
      readonly error: Content;
      /** The value as upstream re-serialises a `serde_json::Value` (object keys sorted). */
      readonly errorJson: string;
    } & InternalReplyFields)
  | {
      readonly kind: "query";
      /** The base64 text of the answer (shape 2 `Ok` or 3 `ok`), not decoded. */
      readonly answer: string;
      readonly lowerCaseOk: boolean;
    }
  | ({
      readonly kind: "v010";
      readonly messages: readonly CosmosMsgV010[];
      readonly log: readonly Attribute[];
      readonly data: Uint8Array | null;
    } & InternalReplyFields)
  | ({
      readonly kind: "v1";
      readonly messages: readonly SubMsg[];
      readonly attributes: readonly Attribute[];
      readonly events: readonly ContractEvent[];
      readonly data: Uint8Array | null;
    } & InternalReplyFields)
  | {
      readonly kind: "ibcPacketReceive";
      readonly acknowledgement: Uint8Array;
      readonly messages: readonly SubMsg[];
      readonly attributes: readonly Attribute[];
      readonly events: readonly ContractEvent[];
    }
  | {
      readonly kind: "ibcChannelOpen";
      /** `{"Ok":{"version":…}}`, or null for `{"Ok":null}` (and, as upstream, for an object without `Ok`). */
      readonly version: string | null;
    };

// ---------------------------------------------------------------------------------------------------
// Deserialisers

const deCoin: De<Coin> = (c) => {
  const [denom, amount] = deStruct([field("denom", deString), field("amount", deUint128)])(c);
  return { denom, amount };
};
const deCoins = deVec(deCoin);

const deAttribute: De<Attribute> = (c) => {
  const [key, value, encrypted] = deStruct([
    field("key", deString),
    field("value", deString),
    field("encrypted", deBool, { default: true }),
  ])(c);
  return { key, value, encrypted };
};

const deEvent: De<ContractEvent> = (c) => {
  const [type, attributes] = deStruct([field("type", deString), field("attributes", deVec(deAttribute))])(c);
  return { type, attributes };
};

/** `Option<Vec<u8>>`. */
const deCallbackSig = deOption((c) => Uint8Array.from(deVec(deU8)(c), Number));

const deCosmosMsgV010: De<CosmosMsgV010> = deEnum<CosmosMsgV010>([
  newtypeVariant("bank", (v) =>
    deEnum<CosmosMsgV010>([
      structVariant("send", (s) => {
        const [fromAddress, toAddress, amount] = deStruct([
          field("from_address", deString),
          field("to_address", deString),
          field("amount", deCoins),
        ])(s);
        return { kind: "bank_send", fromAddress, toAddress, amount };
      }),
    ])(v),
  ),
  newtypeVariant("custom", (v) => {
    deEmpty(v);
    return { kind: "custom" };
  }),
  newtypeVariant("staking", (v) =>
    deEnum<CosmosMsgV010>([
      structVariant("delegate", (s) => {
        const [validator, amount] = deStruct([field("validator", deString), field("amount", deCoin)])(s);
        return { kind: "staking_delegate", validator, amount };
      }),
      structVariant("undelegate", (s) => {
        const [validator, amount] = deStruct([field("validator", deString), field("amount", deCoin)])(s);
        return { kind: "staking_undelegate", validator, amount };
      }),
      structVariant("withdraw", (s) => {
        const [validator, recipient] = deStruct([
          field("validator", deString),
          field("recipient", deOption(deString), "option"),
        ])(s);
        return { kind: "staking_withdraw", validator, recipient };
      }),
      structVariant("redelegate", (s) => {
        const [srcValidator, dstValidator, amount] = deStruct([
          field("src_validator", deString),
          field("dst_validator", deString),
          field("amount", deCoin),
        ])(s);
        return { kind: "staking_redelegate", srcValidator, dstValidator, amount };
      }),
    ])(v),
  ),
  newtypeVariant("wasm", (v) =>
    deEnum<CosmosMsgV010>([
      structVariant("execute", (s) => {
        const [contractAddr, callbackCodeHash, msg, send, callbackSig] = deStruct([
          field("contract_addr", deString),
          field("callback_code_hash", deString),
          field("msg", deBinary),
          field("send", deCoins),
          field("callback_sig", deCallbackSig, "option"),
        ])(s);
        return { kind: "wasm_execute", contractAddr, callbackCodeHash, msg, send, callbackSig };
      }),
      structVariant("instantiate", (s) => {
        const [codeId, callbackCodeHash, msg, send, label, callbackSig] = deStruct([
          field("code_id", deU64),
          field("callback_code_hash", deString),
          field("msg", deBinary),
          field("send", deCoins),
          field("label", deString, { default: "" }),
          field("callback_sig", deCallbackSig, "option"),
        ])(s);
        return { kind: "wasm_instantiate", codeId, callbackCodeHash, msg, send, label, callbackSig };
      }),
      structVariant("migrate", (s) => {
        const [contractAddr, callbackCodeHash, codeId, msg, callbackSig] = deStruct([
          field("contract_addr", deString),
          field("callback_code_hash", deString),
          field("code_id", deU64),
          field("msg", deBinary),
          field("callback_sig", deCallbackSig, "option"),
        ])(s);
        return { kind: "wasm_migrate", contractAddr, callbackCodeHash, codeId, msg, callbackSig };
      }),
      structVariant("update_admin", (s) => {
        const [contractAddr, admin, callbackSig] = deStruct([
          field("contract_addr", deString),
          field("admin", deString),
          field("callback_sig", deCallbackSig, "option"),
        ])(s);
        return { kind: "wasm_update_admin", contractAddr, admin, callbackSig };
      }),
      structVariant("clear_admin", (s) => {
        const [contractAddr, callbackSig] = deStruct([
          field("contract_addr", deString),
          field("callback_sig", deCallbackSig, "option"),
        ])(s);
        return { kind: "wasm_clear_admin", contractAddr, callbackSig };
      }),
    ])(v),
  ),
  newtypeVariant("gov", (v) =>
    deEnum<CosmosMsgV010>([
      structVariant("vote", (s) => {
        const [proposal, voteOption] = deStruct([
          field("proposal", deU64),
          field(
            "vote_option",
            deEnum<VoteOptionV010>([
              unitVariant("Yes", () => "Yes"),
              unitVariant("No", () => "No"),
              unitVariant("Abstain", () => "Abstain"),
              unitVariant("NoWithVeto", () => "NoWithVeto"),
            ]),
          ),
        ])(s);
        return { kind: "gov_vote", proposal, voteOption };
      }),
    ])(v),
  ),
]);

const deIbcTimeout: De<IbcTimeout> = (c) => {
  const [block, timestamp] = deStruct([
    field(
      "block",
      deOption((b) => {
        const [revision, height] = deStruct([field("revision", deU64), field("height", deU64)])(b);
        return { revision, height };
      }),
      "option",
    ),
    field("timestamp", deOption(deUint64), "option"),
  ])(c);
  return { block, timestamp };
};

const deCosmosMsgV1: De<CosmosMsgV1> = deEnum<CosmosMsgV1>([
  newtypeVariant("bank", (v) =>
    deEnum<CosmosMsgV1>([
      structVariant("send", (s) => {
        const [toAddress, amount] = deStruct([field("to_address", deString), field("amount", deCoins)])(s);
        return { kind: "bank_send", toAddress, amount };
      }),
      structVariant("burn", (s) => {
        const [amount] = deStruct([field("amount", deCoins)])(s);
        return { kind: "bank_burn", amount };
      }),
    ])(v),
  ),
  newtypeVariant("custom", (v) => {
    deEmpty(v);
    return { kind: "custom" };
  }),
  newtypeVariant("staking", (v) =>
    deEnum<CosmosMsgV1>([
      structVariant("delegate", (s) => {
        const [validator, amount] = deStruct([field("validator", deString), field("amount", deCoin)])(s);
        return { kind: "staking_delegate", validator, amount };
      }),
      structVariant("undelegate", (s) => {
        const [validator, amount] = deStruct([field("validator", deString), field("amount", deCoin)])(s);
        return { kind: "staking_undelegate", validator, amount };
      }),
      structVariant("redelegate", (s) => {
        const [srcValidator, dstValidator, amount] = deStruct([
          field("src_validator", deString),
          field("dst_validator", deString),
          field("amount", deCoin),
        ])(s);
        return { kind: "staking_redelegate", srcValidator, dstValidator, amount };
      }),
    ])(v),
  ),
  newtypeVariant("distribution", (v) =>
    deEnum<CosmosMsgV1>([
      structVariant("set_withdraw_address", (s) => {
        const [address] = deStruct([field("address", deString)])(s);
        return { kind: "distribution_set_withdraw_address", address };
      }),
      structVariant("withdraw_delegator_reward", (s) => {
        const [validator] = deStruct([field("validator", deString)])(s);
        return { kind: "distribution_withdraw_delegator_reward", validator };
      }),
    ])(v),
  ),
  structVariant("stargate", (s) => {
    const [typeUrl, value] = deStruct([field("type_url", deString), field("value", deBinary)])(s);
    return { kind: "stargate", typeUrl, value };
  }),
  newtypeVariant("ibc", (v) =>
    deEnum<CosmosMsgV1>([
      structVariant("transfer", (s) => {
        const [channelId, toAddress, amount, timeout, memo] = deStruct([
          field("channel_id", deString),
          field("to_address", deString),
          field("amount", deCoin),
          field("timeout", deIbcTimeout),
          field("memo", deOption(deString), "option"),
        ])(s);
        return { kind: "ibc_transfer", channelId, toAddress, amount, timeout, memo };
      }),
      structVariant("send_packet", (s) => {
        const [channelId, data, timeout] = deStruct([
          field("channel_id", deString),
          field("data", deBinary),
          field("timeout", deIbcTimeout),
        ])(s);
        return { kind: "ibc_send_packet", channelId, data, timeout };
      }),
      structVariant("close_channel", (s) => {
        const [channelId] = deStruct([field("channel_id", deString)])(s);
        return { kind: "ibc_close_channel", channelId };
      }),
    ])(v),
  ),
  newtypeVariant("wasm", (v) =>
    deEnum<CosmosMsgV1>([
      structVariant("execute", (s) => {
        const [contractAddr, codeHash, msg, funds, callbackSig] = deStruct([
          field("contract_addr", deString),
          field("code_hash", deString),
          field("msg", deBinary),
          field("send", deCoins),
          field("callback_sig", deCallbackSig, "option"),
        ])(s);
        return { kind: "wasm_execute", contractAddr, codeHash, msg, funds, callbackSig };
      }),
      structVariant("instantiate", (s) => {
        const [admin, codeId, codeHash, msg, funds, label, callbackSig] = deStruct([
          field("admin", deOption(deString), { default: null }),
          field("code_id", deU64),
          field("code_hash", deString),
          field("msg", deBinary),
          field("send", deCoins),
          field("label", deString),
          field("callback_sig", deCallbackSig, "option"),
        ])(s);
        return { kind: "wasm_instantiate", admin, codeId, codeHash, msg, funds, label, callbackSig };
      }),
      structVariant("migrate", (s) => {
        const [contractAddr, codeHash, codeId, msg, callbackSig] = deStruct([
          field("contract_addr", deString),
          field("code_hash", deString),
          field("code_id", deU64),
          field("msg", deBinary),
          field("callback_sig", deCallbackSig, "option"),
        ])(s);
        return { kind: "wasm_migrate", contractAddr, codeHash, codeId, msg, callbackSig };
      }),
      structVariant("update_admin", (s) => {
        const [contractAddr, admin, callbackSig] = deStruct([
          field("contract_addr", deString),
          field("admin", deString),
          field("callback_sig", deCallbackSig, "option"),
        ])(s);
        return { kind: "wasm_update_admin", contractAddr, admin, callbackSig };
      }),
      structVariant("clear_admin", (s) => {
        const [contractAddr, callbackSig] = deStruct([
          field("contract_addr", deString),
          field("callback_sig", deCallbackSig, "option"),
        ])(s);
        return { kind: "wasm_clear_admin", contractAddr, callbackSig };
      }),
    ])(v),
  ),
  newtypeVariant("gov", (v) =>
    deEnum<CosmosMsgV1>([
      structVariant("vote", (s) => {
        const [proposalId, vote] = deStruct([
          field("proposal_id", deU64),
          field(
            "vote",
            deEnum<VoteOptionV1>([
              unitVariant("yes", () => "yes"),
              unitVariant("no", () => "no"),
              unitVariant("abstain", () => "abstain"),
              unitVariant("no_with_veto", () => "no_with_veto"),
            ]),
          ),
        ])(s);
        return { kind: "gov_vote", proposalId, vote };
      }),
    ])(v),
  ),
  newtypeVariant("finalize_tx", (v) => {
    deEmpty(v);
    return { kind: "finalize_tx" };
  }),
]);

const deReplyOn = deEnum<ReplyOn>([
  unitVariant("always", () => "always"),
  unitVariant("error", () => "error"),
  unitVariant("success", () => "success"),
  unitVariant("never", () => "never"),
]);

const deSubMsg: De<SubMsg> = (c) => {
  const [id, msg, gasLimit, replyOn, wasMsgEncrypted] = deStruct([
    field("id", deU64),
    field("msg", deCosmosMsgV1),
    field("gas_limit", deOption(deU64), "option"),
    field("reply_on", deReplyOn),
    field("was_msg_encrypted", deBool, { default: false }),
  ])(c);
  return { id, msg, gasLimit, replyOn, wasMsgEncrypted };
};

const untagged = { allowSeq: false } as const;
const deInternal = deOption(deBinary);

function tryVariant<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch (err) {
    if (isRefused(err)) return undefined;
    throw err;
  }
}

// The envelopes of §7.1, built once (deserializers are pure functions of their content).
const deErrEnvelope = deStruct(
  [
    field("Err", deAny),
    field("internal_msg_id", deInternal, "option"),
    field("internal_reply_enclave_sig", deInternal, "option"),
  ],
  untagged,
);
const deQueryEnvelopes = [
  ["Ok", false, deStruct([field("Ok", deString)], untagged)],
  ["ok", true, deStruct([field("ok", deString)], untagged)],
] as const;
const deV010Envelope = deStruct(
  [
    field(
      "Ok",
      deStruct(
        [
          field("messages", deVec(deCosmosMsgV010)),
          field("log", deVec(deAttribute)),
          field("data", deOption(deBinary), "option"),
        ],
        { denyUnknown: true },
      ),
    ),
    field("internal_reply_enclave_sig", deInternal, "option"),
    field("internal_msg_id", deInternal, "option"),
  ],
  untagged,
);
const deV1Envelope = deStruct(
  [
    field(
      "Ok",
      deStruct(
        [
          field("messages", deVec(deSubMsg)),
          field("attributes", deVec(deAttribute)),
          field("events", deVec(deEvent)),
          field("data", deOption(deBinary), "option"),
        ],
        { denyUnknown: true },
      ),
    ),
    field("internal_reply_enclave_sig", deInternal, "option"),
    field("internal_msg_id", deInternal, "option"),
  ],
  untagged,
);
const deIbcReceiveEnvelope = deStruct(
  [
    field(
      "Ok",
      deStruct(
        [
          field("acknowledgement", deBinary),
          field("messages", deVec(deSubMsg)),
          field("attributes", deVec(deAttribute)),
          field("events", deVec(deEvent)),
        ],
        { denyUnknown: true },
      ),
    ),
  ],
  untagged,
);
const deVersion = deStruct([field("version", deString)]);
const deChannelOpenEnvelope = deStruct(
  [
    field(
      "Ok",
      deOption((o) => deVersion(o)[0]),
      "option",
    ),
  ],
  untagged,
);

/** Matches a parsed result against the envelopes of §7.1 in order. Undefined when none fits. */
export function contractOutputFromContent(c: Content): ContractOutput | undefined {
  // 1. {"Err": <any>, internal_msg_id?, internal_reply_enclave_sig?}
  const err = tryVariant(() => deErrEnvelope(c));
  if (err) {
    const [error, internalMsgId, internalReplyEnclaveSig] = err;
    return { kind: "error", error, errorJson: contentToValueJson(error), internalMsgId, internalReplyEnclaveSig };
  }
  // 2. {"Ok": "<string>"}   3. {"ok": "<string>"}
  for (const [, lowerCaseOk, de] of deQueryEnvelopes) {
    const q = tryVariant(() => de(c));
    if (q) return { kind: "query", answer: q[0], lowerCaseOk };
  }
  // 4. v0.10 ContractResult (deny_unknown_fields)
  const v010 = tryVariant(() => deV010Envelope(c));
  if (v010) {
    const [[messages, log, data], internalReplyEnclaveSig, internalMsgId] = v010;
    return { kind: "v010", messages, log, data, internalMsgId, internalReplyEnclaveSig };
  }
  // 5. v1 Response (deny_unknown_fields)
  const v1 = tryVariant(() => deV1Envelope(c));
  if (v1) {
    const [[messages, attributes, events, data], internalReplyEnclaveSig, internalMsgId] = v1;
    return { kind: "v1", messages, attributes, events, data, internalMsgId, internalReplyEnclaveSig };
  }
  // 6. IbcReceiveResponse (deny_unknown_fields)
  const recv = tryVariant(() => deIbcReceiveEnvelope(c));
  if (recv) {
    const [[acknowledgement, messages, attributes, events]] = recv;
    return { kind: "ibcPacketReceive", acknowledgement, messages, attributes, events };
  }
  // 7. Option<{"version"}> — a missing `Ok` is None, so any other object lands here.
  const open = tryVariant(() => deChannelOpenEnvelope(c));
  if (open) return { kind: "ibcChannelOpen", version: open[0] };
  return undefined;
}

/** Parses the bytes a contract returned. Undefined when they are not JSON or match no envelope. */
export function parseContractOutput(bytes: Uint8Array): ContractOutput | undefined {
  let content: Content;
  try {
    content = parseContent(bytes);
  } catch {
    return undefined;
  }
  return contractOutputFromContent(content);
}

/** Exposed for tests of single messages. */
export function parseCosmosMsgV010(c: Content): CosmosMsgV010 | undefined {
  return tryVariant(() => deCosmosMsgV010(c));
}

/** Exposed for tests of single messages. */
export function parseCosmosMsgV1(c: Content): CosmosMsgV1 | undefined {
  return tryVariant(() => deCosmosMsgV1(c));
}
