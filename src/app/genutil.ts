/**
 * genutil: the genesis transactions of `app_state.genutil.gen_txs` (upstream's JSON form of a `Tx`:
 * `{body: {messages: [{"@type": "/cosmos.staking.v1beta1.MsgCreateValidator", …}], …}, auth_info, signatures}`).
 * The app takes each tx's `MsgCreateValidator` (the only message a gentx may carry, as upstream's
 * `ValidateGenesis`), encodes it as protobuf and delivers it with the staking service in genesis mode.
 *
 * Known difference: upstream delivers the whole signed tx (ante handler included); here the message
 * alone is delivered, so a gentx's signature is not checked (genesis is trusted input either way).
 */
import { ED25519_PUBKEY_URL } from "../codec/keys.ts";
import { ProtoWriter } from "../codec/protobuf.ts";
import { STAKING_URLS, encodeMsgCreateValidator, type MsgCreateValidator } from "../codec/staking.ts";
import { Dec } from "../primitives/amount.ts";
import { fromBase64, toBase64 } from "../primitives/base64.ts";
import { asArray, asObject, asOptionalString, asString, genesisError } from "./json.ts";

/** What a gentx's `MsgCreateValidator` says, in plain values. */
export interface GenTxValidator {
  readonly moniker: string;
  /** bech32 `secret1…` of the operator's account (signs the gentx). */
  readonly delegatorAddress: string;
  /** bech32 `secretvaloper1…` (the same bytes). */
  readonly validatorAddress: string;
  /** ed25519 consensus key, 32 bytes. */
  readonly consensusPubKey: Uint8Array;
  readonly selfDelegation: { readonly denom: string; readonly amount: bigint };
  /** Decimal texts, e.g. "0.1". */
  readonly commission?: { readonly rate: string; readonly maxRate: string; readonly maxChangeRate: string };
  readonly minSelfDelegation?: bigint;
}

const decText = (d: string): string => Dec.parse(d).toString();

/** An unsigned gentx in upstream's JSON shape (what `scrt init` writes into `genutil.gen_txs`). */
export function genTxJson(v: GenTxValidator): Record<string, unknown> {
  const c = v.commission ?? { rate: "0.1", maxRate: "0.2", maxChangeRate: "0.01" };
  return {
    body: {
      messages: [
        {
          "@type": STAKING_URLS.MsgCreateValidator,
          description: { moniker: v.moniker, identity: "", website: "", security_contact: "", details: "" },
          commission: {
            rate: decText(c.rate),
            max_rate: decText(c.maxRate),
            max_change_rate: decText(c.maxChangeRate),
          },
          min_self_delegation: (v.minSelfDelegation ?? 1n).toString(),
          delegator_address: v.delegatorAddress,
          validator_address: v.validatorAddress,
          pubkey: { "@type": ED25519_PUBKEY_URL, key: toBase64(v.consensusPubKey) },
          value: { denom: v.selfDelegation.denom, amount: v.selfDelegation.amount.toString() },
        },
      ],
      memo: "",
      timeout_height: "0",
      extension_options: [],
      non_critical_extension_options: [],
    },
    auth_info: { signer_infos: [], fee: { amount: [], gas_limit: "200000", payer: "", granter: "" } },
    signatures: [],
  };
}

function decAtomics(v: unknown, what: string): string {
  try {
    return Dec.parse(asString(v, what)).atomics.toString();
  } catch {
    throw genesisError(`${what} must be a decimal`);
  }
}

function msgFromJson(m: Record<string, unknown>, what: string): MsgCreateValidator {
  const d = asObject(m.description ?? {}, `${what}.description`);
  const c = asObject(m.commission, `${what}.commission`);
  const pk = asObject(m.pubkey, `${what}.pubkey`);
  if (pk["@type"] !== ED25519_PUBKEY_URL) throw genesisError(`${what}.pubkey must be ${ED25519_PUBKEY_URL}`);
  let key: Uint8Array;
  try {
    key = fromBase64(asString(pk.key, `${what}.pubkey.key`));
  } catch {
    throw genesisError(`${what}.pubkey.key must be base64`);
  }
  if (key.length !== 32) throw genesisError(`${what}.pubkey.key must be 32 bytes`);
  const value = asObject(m.value, `${what}.value`);
  const amount = asString(value.amount, `${what}.value.amount`);
  if (!/^\d+$/.test(amount)) throw genesisError(`${what}.value.amount must be an integer`);
  const minSelf = asString(m.min_self_delegation ?? "1", `${what}.min_self_delegation`);
  if (!/^\d+$/.test(minSelf)) throw genesisError(`${what}.min_self_delegation must be an integer`);
  return {
    description: {
      moniker: asOptionalString(d.moniker, `${what}.description.moniker`),
      identity: asOptionalString(d.identity, `${what}.description.identity`),
      website: asOptionalString(d.website, `${what}.description.website`),
      securityContact: asOptionalString(d.security_contact, `${what}.description.security_contact`),
      details: asOptionalString(d.details, `${what}.description.details`),
    },
    commission: {
      rate: decAtomics(c.rate, `${what}.commission.rate`),
      maxRate: decAtomics(c.max_rate, `${what}.commission.max_rate`),
      maxChangeRate: decAtomics(c.max_change_rate, `${what}.commission.max_change_rate`),
    },
    minSelfDelegation: minSelf,
    delegatorAddress: asOptionalString(m.delegator_address, `${what}.delegator_address`),
    validatorAddress: asString(m.validator_address, `${what}.validator_address`),
    pubkey: { typeUrl: ED25519_PUBKEY_URL, value: new ProtoWriter().bytes(1, key).finish() },
    value: { denom: asString(value.denom, `${what}.value.denom`), amount },
  };
}

/**
 * The protobuf `MsgCreateValidator` of every gentx in `app_state.genutil` (absent: none). Throws a
 * genesis error for a gentx that is not exactly one `MsgCreateValidator`.
 */
export function createValidatorMsgsFromGenesis(genutil: unknown): Uint8Array[] {
  if (genutil === undefined || genutil === null) return [];
  const g = asObject(genutil, "genutil");
  if (g.gen_txs === undefined || g.gen_txs === null) return [];
  return asArray(g.gen_txs, "genutil.gen_txs").map((tx, i) => {
    const what = `genutil.gen_txs[${i}]`;
    const body = asObject(asObject(tx, what).body, `${what}.body`);
    const msgs = asArray(body.messages, `${what}.body.messages`);
    if (msgs.length !== 1) throw genesisError(`${what} must hold exactly one message`);
    const m = asObject(msgs[0], `${what}.body.messages[0]`);
    if (m["@type"] !== STAKING_URLS.MsgCreateValidator) {
      throw genesisError(`${what}: unexpected message type ${String(m["@type"])}, want MsgCreateValidator`);
    }
    return encodeMsgCreateValidator(msgFromJson(m, `${what}.body.messages[0]`));
  });
}
